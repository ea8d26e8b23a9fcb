/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VM-entry checks of Intel SDM Vol. 3C, Chapter 27 ("VM Entries"), one X-macro row
 * per rule.  The list generates the rule enum and the table the checker, the log and
 * the tool print from (entry_check.h).
 *
 * Row format: ENTRY_RULE(name, kind, section, field, allows)
 *   name:    the rule's stable name (lower case; what the log and the tool print);
 *   kind:    what a CPU does when the rule is broken (SDM 27.1, 27.2, 27.3, 27.8):
 *            CTRL  VMfailValid, VM-instruction error 7 (invalid control field)
 *            HOST  VMfailValid, VM-instruction error 8 (invalid host-state field)
 *            GUEST VM-entry failure, exit reason 33 (invalid guest state)
 *            MSR   VM-entry failure, exit reason 34 (MSR loading)
 *   section: the SDM Vol. 3C section that states the rule:
 *            27.2.1.1 Checks on VM-Execution Control Fields
 *            27.2.1.2 Checks on VM-Exit Control Fields
 *            27.2.1.3 Checks on VM-Entry Control Fields
 *            27.2.2   Checks on Host Control Registers, MSRs, and SSP
 *            27.2.3   Checks on Host Segment and Descriptor-Table Registers
 *            27.2.4   Checks Related to Address-Space Size
 *            27.3.1.1 Checks on Guest Control Registers, Debug Registers, and MSRs
 *            27.3.1.2 Checks on Guest Segment Registers
 *            27.3.1.3 Checks on Guest Descriptor-Table Registers
 *            27.3.1.4 Checks on Guest RIP, RFLAGS, and SSP
 *            27.3.1.5 Checks on Guest Non-Register State
 *            27.3.1.6 Checks on Guest Page-Directory-Pointer-Table Entries
 *            27.4     Loading MSRs (with Appendix A.6 for the count)
 *   field:   the VMCS field the rule is about (a rule over several fields, such as
 *            the segment rules, names the first; each violation names its own);
 *   allows:  what the rule allows, in a few words.
 */
#ifndef SUBZERO_ENTRY_RULES_H
#define SUBZERO_ENTRY_RULES_H

/* ENTRY_RULE(name, kind, section, field, allows) */
#define ENTRY_RULES(ENTRY_RULE)								\
	/* 27.2.1.1: VM-execution control fields */					\
	ENTRY_RULE(pin_ctls_allowed0, CTRL, "27.2.1.1", PIN_BASED_VM_EXEC_CONTROL,	\
		   "bits set in IA32_VMX_(TRUE_)PINBASED_CTLS[31:0] must be 1")		\
	ENTRY_RULE(pin_ctls_allowed1, CTRL, "27.2.1.1", PIN_BASED_VM_EXEC_CONTROL,	\
		   "bits clear in IA32_VMX_(TRUE_)PINBASED_CTLS[63:32] must be 0")	\
	ENTRY_RULE(proc_ctls_allowed0, CTRL, "27.2.1.1", CPU_BASED_VM_EXEC_CONTROL,	\
		   "bits set in IA32_VMX_(TRUE_)PROCBASED_CTLS[31:0] must be 1")	\
	ENTRY_RULE(proc_ctls_allowed1, CTRL, "27.2.1.1", CPU_BASED_VM_EXEC_CONTROL,	\
		   "bits clear in IA32_VMX_(TRUE_)PROCBASED_CTLS[63:32] must be 0")	\
	ENTRY_RULE(proc2_ctls_allowed0, CTRL, "27.2.1.1", SECONDARY_VM_EXEC_CONTROL,	\
		   "bits set in IA32_VMX_PROCBASED_CTLS2[31:0] must be 1")		\
	ENTRY_RULE(proc2_ctls_allowed1, CTRL, "27.2.1.1", SECONDARY_VM_EXEC_CONTROL,	\
		   "bits clear in IA32_VMX_PROCBASED_CTLS2[63:32] must be 0")		\
	ENTRY_RULE(cr3_target_count, CTRL, "27.2.1.1", CR3_TARGET_COUNT,		\
		   "at most IA32_VMX_MISC[24:16]")					\
	ENTRY_RULE(io_bitmap_a_addr, CTRL, "27.2.1.1", IO_BITMAP_A,			\
		   "with use-I/O-bitmaps: 4-KiB aligned, below 2^MAXPHYADDR")		\
	ENTRY_RULE(io_bitmap_b_addr, CTRL, "27.2.1.1", IO_BITMAP_B,			\
		   "with use-I/O-bitmaps: 4-KiB aligned, below 2^MAXPHYADDR")		\
	ENTRY_RULE(msr_bitmap_addr, CTRL, "27.2.1.1", MSR_BITMAP,			\
		   "with use-MSR-bitmaps: 4-KiB aligned, below 2^MAXPHYADDR")		\
	ENTRY_RULE(virtual_apic_addr, CTRL, "27.2.1.1", VIRTUAL_APIC_PAGE_ADDR,		\
		   "with use-TPR-shadow: 4-KiB aligned, below 2^MAXPHYADDR")		\
	ENTRY_RULE(tpr_threshold_reserved, CTRL, "27.2.1.1", TPR_THRESHOLD,		\
		   "with use-TPR-shadow and no virtual-interrupt delivery: bits 31:4 zero") \
	ENTRY_RULE(apic_ctls_need_tpr_shadow, CTRL, "27.2.1.1", SECONDARY_VM_EXEC_CONTROL, \
		   "virtualize-x2APIC, APIC-register virtualization and virtual-interrupt " \
		   "delivery only with use-TPR-shadow")					\
	ENTRY_RULE(virtual_nmis_need_nmi_exiting, CTRL, "27.2.1.1",			\
		   PIN_BASED_VM_EXEC_CONTROL, "virtual NMIs only with NMI exiting")	\
	ENTRY_RULE(nmi_window_needs_virtual_nmis, CTRL, "27.2.1.1",			\
		   CPU_BASED_VM_EXEC_CONTROL, "NMI-window exiting only with virtual NMIs") \
	ENTRY_RULE(apic_access_addr, CTRL, "27.2.1.1", APIC_ACCESS_ADDR,		\
		   "with virtualize-APIC-accesses: 4-KiB aligned, below 2^MAXPHYADDR")	\
	ENTRY_RULE(x2apic_excludes_apic_access, CTRL, "27.2.1.1",			\
		   SECONDARY_VM_EXEC_CONTROL,						\
		   "virtualize-x2APIC-mode and virtualize-APIC-accesses not both 1")	\
	ENTRY_RULE(vid_needs_ext_intr_exiting, CTRL, "27.2.1.1",			\
		   PIN_BASED_VM_EXEC_CONTROL,						\
		   "virtual-interrupt delivery only with external-interrupt exiting")	\
	ENTRY_RULE(posted_intr_ctls, CTRL, "27.2.1.1", PIN_BASED_VM_EXEC_CONTROL,	\
		   "posted interrupts only with virtual-interrupt delivery and "	\
		   "acknowledge-interrupt-on-exit")					\
	ENTRY_RULE(posted_intr_vector, CTRL, "27.2.1.1", POSTED_INTR_NV,		\
		   "with posted interrupts: notification vector 0-255")			\
	ENTRY_RULE(posted_intr_desc_addr, CTRL, "27.2.1.1", POSTED_INTR_DESC_ADDR,	\
		   "with posted interrupts: 64-byte aligned, below 2^MAXPHYADDR")	\
	ENTRY_RULE(vpid_nonzero, CTRL, "27.2.1.1", VIRTUAL_PROCESSOR_ID,		\
		   "with enable-VPID: not 0")						\
	ENTRY_RULE(eptp_memory_type, CTRL, "27.2.1.1", EPT_POINTER,			\
		   "bits 2:0 UC (0) or WB (6), as IA32_VMX_EPT_VPID_CAP[8,14] allow")	\
	ENTRY_RULE(eptp_walk_length, CTRL, "27.2.1.1", EPT_POINTER,			\
		   "bits 5:3 = 3 (4 levels) or 4 (5 levels), as IA32_VMX_EPT_VPID_CAP[6,7] allow") \
	ENTRY_RULE(eptp_ad, CTRL, "27.2.1.1", EPT_POINTER,				\
		   "bit 6 (A/D flags) only if IA32_VMX_EPT_VPID_CAP[21]")		\
	ENTRY_RULE(eptp_reserved, CTRL, "27.2.1.1", EPT_POINTER,			\
		   "bits 11:8 (and 7 without supervisor shadow stacks), 63:MAXPHYADDR zero") \
	ENTRY_RULE(pml_needs_ept, CTRL, "27.2.1.1", SECONDARY_VM_EXEC_CONTROL,		\
		   "enable-PML only with enable-EPT")					\
	ENTRY_RULE(pml_addr, CTRL, "27.2.1.1", PML_ADDRESS,				\
		   "with enable-PML: 4-KiB aligned, below 2^MAXPHYADDR")		\
	ENTRY_RULE(unrestricted_needs_ept, CTRL, "27.2.1.1", SECONDARY_VM_EXEC_CONTROL,	\
		   "unrestricted guest only with enable-EPT")				\
	ENTRY_RULE(spp_needs_ept, CTRL, "27.2.1.1", SECONDARY_VM_EXEC_CONTROL,		\
		   "sub-page write permissions only with enable-EPT")			\
	ENTRY_RULE(mbec_needs_ept, CTRL, "27.2.1.1", SECONDARY_VM_EXEC_CONTROL,		\
		   "mode-based execute control only with enable-EPT")			\
	ENTRY_RULE(vmfunc_ctls, CTRL, "27.2.1.1", VM_FUNCTION_CONTROL,			\
		   "with enable-VM-functions: only bits IA32_VMX_VMFUNC allows")	\
	ENTRY_RULE(eptp_switching, CTRL, "27.2.1.1", EPTP_LIST_ADDRESS,			\
		   "EPTP switching only with enable-EPT; list 4-KiB aligned, below 2^MAXPHYADDR") \
	ENTRY_RULE(vmread_bitmap_addr, CTRL, "27.2.1.1", VMREAD_BITMAP,			\
		   "with VMCS shadowing: 4-KiB aligned, below 2^MAXPHYADDR")		\
	ENTRY_RULE(vmwrite_bitmap_addr, CTRL, "27.2.1.1", VMWRITE_BITMAP,		\
		   "with VMCS shadowing: 4-KiB aligned, below 2^MAXPHYADDR")		\
	ENTRY_RULE(ve_info_addr, CTRL, "27.2.1.1", VE_INFORMATION_ADDRESS,		\
		   "with EPT-violation #VE: 4-KiB aligned, below 2^MAXPHYADDR")		\
	ENTRY_RULE(pt_gpa_ctls, CTRL, "27.2.1.1", SECONDARY_VM_EXEC_CONTROL,		\
		   "Intel PT uses guest-physical addresses only with enable-EPT, load "	\
		   "IA32_RTIT_CTL (entry) and clear IA32_RTIT_CTL (exit)")		\
	/* 27.2.1.2: VM-exit control fields */						\
	ENTRY_RULE(exit_ctls_allowed0, CTRL, "27.2.1.2", VM_EXIT_CONTROLS,		\
		   "bits set in IA32_VMX_(TRUE_)EXIT_CTLS[31:0] must be 1")		\
	ENTRY_RULE(exit_ctls_allowed1, CTRL, "27.2.1.2", VM_EXIT_CONTROLS,		\
		   "bits clear in IA32_VMX_(TRUE_)EXIT_CTLS[63:32] must be 0")		\
	ENTRY_RULE(save_timer_needs_timer, CTRL, "27.2.1.2", VM_EXIT_CONTROLS,		\
		   "save-VMX-preemption-timer only with activate-VMX-preemption-timer")	\
	ENTRY_RULE(exit_msr_store_addr, CTRL, "27.2.1.2", VM_EXIT_MSR_STORE_ADDR,	\
		   "with a nonzero count: 16-byte aligned, the area below 2^MAXPHYADDR") \
	ENTRY_RULE(exit_msr_load_addr, CTRL, "27.2.1.2", VM_EXIT_MSR_LOAD_ADDR,		\
		   "with a nonzero count: 16-byte aligned, the area below 2^MAXPHYADDR") \
	/* 27.2.1.3: VM-entry control fields */						\
	ENTRY_RULE(entry_ctls_allowed0, CTRL, "27.2.1.3", VM_ENTRY_CONTROLS,		\
		   "bits set in IA32_VMX_(TRUE_)ENTRY_CTLS[31:0] must be 1")		\
	ENTRY_RULE(entry_ctls_allowed1, CTRL, "27.2.1.3", VM_ENTRY_CONTROLS,		\
		   "bits clear in IA32_VMX_(TRUE_)ENTRY_CTLS[63:32] must be 0")		\
	ENTRY_RULE(entry_smm_outside_smm, CTRL, "27.2.1.3", VM_ENTRY_CONTROLS,		\
		   "entry-to-SMM and deactivate-dual-monitor 0 outside SMM")		\
	ENTRY_RULE(event_info_reserved, CTRL, "27.2.1.3", VM_ENTRY_INTR_INFO_FIELD,	\
		   "valid event: bits 30:12 zero")					\
	ENTRY_RULE(event_type, CTRL, "27.2.1.3", VM_ENTRY_INTR_INFO_FIELD,		\
		   "valid event: type not 1; type 7 only if the CPU has monitor trap flag") \
	ENTRY_RULE(event_vector, CTRL, "27.2.1.3", VM_ENTRY_INTR_INFO_FIELD,		\
		   "valid event: NMI vector 2, hardware exception vector 0-31, other event 0") \
	ENTRY_RULE(event_error_code_deliver, CTRL, "27.2.1.3", VM_ENTRY_INTR_INFO_FIELD, \
		   "deliver-error-code iff hardware exception 8,10-14,17,21 with CR0.PE=1") \
	ENTRY_RULE(event_error_code_reserved, CTRL, "27.2.1.3",				\
		   VM_ENTRY_EXCEPTION_ERROR_CODE,					\
		   "with deliver-error-code: bits 31:16 zero")				\
	ENTRY_RULE(event_insn_len, CTRL, "27.2.1.3", VM_ENTRY_INSTRUCTION_LEN,		\
		   "software interrupt/exception: 1-15 (0 if IA32_VMX_MISC[30])")	\
	ENTRY_RULE(entry_msr_load_addr, CTRL, "27.2.1.3", VM_ENTRY_MSR_LOAD_ADDR,	\
		   "with a nonzero count: 16-byte aligned, the area below 2^MAXPHYADDR") \
	/* 27.4: loading MSRs */							\
	ENTRY_RULE(entry_msr_load_count, MSR, "27.4", VM_ENTRY_MSR_LOAD_COUNT,		\
		   "at most 512 * (IA32_VMX_MISC[27:25] + 1)")				\
	/* 27.2.2: host control registers and MSRs */					\
	ENTRY_RULE(host_cr0_fixed, HOST, "27.2.2", HOST_CR0,				\
		   "bits of IA32_VMX_CR0_FIXED0 set, bits clear in IA32_VMX_CR0_FIXED1 clear") \
	ENTRY_RULE(host_cr4_fixed, HOST, "27.2.2", HOST_CR4,				\
		   "bits of IA32_VMX_CR4_FIXED0 set, bits clear in IA32_VMX_CR4_FIXED1 clear") \
	ENTRY_RULE(host_cr3_width, HOST, "27.2.2", HOST_CR3,				\
		   "bits 63:MAXPHYADDR zero, but 62:61 with LAM")						\
	ENTRY_RULE(host_sysenter_canonical, HOST, "27.2.2", HOST_IA32_SYSENTER_ESP,	\
		   "IA32_SYSENTER_ESP and _EIP canonical")				\
	ENTRY_RULE(host_pat, HOST, "27.2.2", HOST_IA32_PAT,				\
		   "with load-IA32_PAT: every byte 0, 1, 4, 5, 6 or 7")			\
	ENTRY_RULE(host_efer_reserved, HOST, "27.2.2", HOST_IA32_EFER,			\
		   "with load-IA32_EFER: only SCE, LME, LMA, NXE")			\
	ENTRY_RULE(host_efer_lma_lme, HOST, "27.2.2", HOST_IA32_EFER,			\
		   "with load-IA32_EFER: LMA and LME equal host-address-space-size")	\
	/* 27.2.3: host segment and descriptor-table registers */			\
	ENTRY_RULE(host_sel_rpl_ti, HOST, "27.2.3", HOST_ES_SELECTOR,			\
		   "ES, CS, SS, DS, FS, GS, TR selectors: RPL and TI 0")		\
	ENTRY_RULE(host_cs_nonzero, HOST, "27.2.3", HOST_CS_SELECTOR, "not 0")		\
	ENTRY_RULE(host_tr_nonzero, HOST, "27.2.3", HOST_TR_SELECTOR, "not 0")		\
	ENTRY_RULE(host_ss_nonzero, HOST, "27.2.3", HOST_SS_SELECTOR,			\
		   "not 0 when host-address-space-size is 0")				\
	ENTRY_RULE(host_base_canonical, HOST, "27.2.3", HOST_FS_BASE,			\
		   "FS, GS, GDTR, IDTR, TR bases canonical")				\
	/* 27.2.4: address-space size */						\
	ENTRY_RULE(host_addr_space_size, HOST, "27.2.4", VM_EXIT_CONTROLS,		\
		   "host-address-space-size 1 in IA-32e mode (where this runs)")	\
	ENTRY_RULE(ia32e_guest_needs_64bit_host, HOST, "27.2.4", VM_ENTRY_CONTROLS,	\
		   "IA-32e-mode guest only with host-address-space-size")		\
	ENTRY_RULE(host_32bit_state, HOST, "27.2.4", HOST_RIP,				\
		   "host-address-space-size 0: CR4.PCIDE 0 and RIP[63:32] 0")		\
	ENTRY_RULE(host_cr4_pae, HOST, "27.2.4", HOST_CR4,				\
		   "host-address-space-size 1: CR4.PAE 1")				\
	ENTRY_RULE(host_rip_canonical, HOST, "27.2.4", HOST_RIP,			\
		   "host-address-space-size 1: canonical")				\
	/* 27.3.1.1: guest control registers, debug registers and MSRs */		\
	ENTRY_RULE(guest_cr0_fixed, GUEST, "27.3.1.1", GUEST_CR0,			\
		   "IA32_VMX_CR0_FIXED0/1 (PE and PG free with unrestricted guest)")	\
	ENTRY_RULE(guest_cr0_pg_pe, GUEST, "27.3.1.1", GUEST_CR0, "PG only with PE")	\
	ENTRY_RULE(guest_cr4_fixed, GUEST, "27.3.1.1", GUEST_CR4,			\
		   "bits of IA32_VMX_CR4_FIXED0 set, bits clear in IA32_VMX_CR4_FIXED1 clear") \
	ENTRY_RULE(guest_debugctl_reserved, GUEST, "27.3.1.1", GUEST_IA32_DEBUGCTL,	\
		   "with load-debug-controls: bits 5:3 and 63:16 zero")			\
	ENTRY_RULE(guest_ia32e_paging, GUEST, "27.3.1.1", GUEST_CR0,			\
		   "IA-32e-mode guest: CR0.PG and CR4.PAE 1")				\
	ENTRY_RULE(guest_pcide_needs_ia32e, GUEST, "27.3.1.1", GUEST_CR4,		\
		   "CR4.PCIDE only with IA-32e-mode guest")				\
	ENTRY_RULE(guest_cr3_width, GUEST, "27.3.1.1", GUEST_CR3,			\
		   "bits 63:MAXPHYADDR zero, but 62:61 with LAM")						\
	ENTRY_RULE(guest_dr7_upper, GUEST, "27.3.1.1", GUEST_DR7,			\
		   "with load-debug-controls: bits 63:32 zero")				\
	ENTRY_RULE(guest_sysenter_canonical, GUEST, "27.3.1.1", GUEST_SYSENTER_ESP,	\
		   "IA32_SYSENTER_ESP and _EIP canonical")				\
	ENTRY_RULE(guest_pat, GUEST, "27.3.1.1", GUEST_IA32_PAT,			\
		   "with load-IA32_PAT: every byte 0, 1, 4, 5, 6 or 7")			\
	ENTRY_RULE(guest_efer_reserved, GUEST, "27.3.1.1", GUEST_IA32_EFER,		\
		   "with load-IA32_EFER: only SCE, LME, LMA, NXE")			\
	ENTRY_RULE(guest_efer_lma, GUEST, "27.3.1.1", GUEST_IA32_EFER,			\
		   "with load-IA32_EFER: LMA = IA-32e-mode guest")			\
	ENTRY_RULE(guest_efer_lme, GUEST, "27.3.1.1", GUEST_IA32_EFER,			\
		   "with load-IA32_EFER and CR0.PG: LME = LMA")				\
	/* 27.3.1.2: guest segment registers */						\
	ENTRY_RULE(guest_tr_ti, GUEST, "27.3.1.2", GUEST_TR_SELECTOR, "TI 0")		\
	ENTRY_RULE(guest_ldtr_ti, GUEST, "27.3.1.2", GUEST_LDTR_SELECTOR,		\
		   "usable LDTR: TI 0")							\
	ENTRY_RULE(guest_ss_rpl, GUEST, "27.3.1.2", GUEST_SS_SELECTOR,			\
		   "SS.RPL = CS.RPL (not virtual-8086, no unrestricted guest)")		\
	ENTRY_RULE(guest_v86_base, GUEST, "27.3.1.2", GUEST_CS_BASE,			\
		   "virtual-8086: base = selector * 16")				\
	ENTRY_RULE(guest_v86_limit, GUEST, "27.3.1.2", GUEST_CS_LIMIT,			\
		   "virtual-8086: limit 0xffff")					\
	ENTRY_RULE(guest_v86_ar, GUEST, "27.3.1.2", GUEST_CS_AR_BYTES,			\
		   "virtual-8086: access rights 0xf3")					\
	ENTRY_RULE(guest_base_canonical, GUEST, "27.3.1.2", GUEST_TR_BASE,		\
		   "TR, FS, GS and usable LDTR bases canonical")			\
	ENTRY_RULE(guest_base_upper, GUEST, "27.3.1.2", GUEST_CS_BASE,			\
		   "CS and usable SS, DS, ES bases: bits 63:32 zero")			\
	ENTRY_RULE(guest_cs_type, GUEST, "27.3.1.2", GUEST_CS_AR_BYTES,			\
		   "type 9, 11, 13 or 15 (or 3 with unrestricted guest)")		\
	ENTRY_RULE(guest_ss_type, GUEST, "27.3.1.2", GUEST_SS_AR_BYTES,			\
		   "usable SS: type 3 or 7")						\
	ENTRY_RULE(guest_data_type, GUEST, "27.3.1.2", GUEST_DS_AR_BYTES,		\
		   "usable DS, ES, FS, GS: accessed; a code segment readable")		\
	ENTRY_RULE(guest_seg_s, GUEST, "27.3.1.2", GUEST_CS_AR_BYTES,			\
		   "CS and usable SS, DS, ES, FS, GS: S 1; TR and usable LDTR: S 0")	\
	ENTRY_RULE(guest_cs_dpl, GUEST, "27.3.1.2", GUEST_CS_AR_BYTES,			\
		   "type 3: DPL 0; 9, 11: DPL = SS.DPL; 13, 15: DPL <= SS.DPL")		\
	ENTRY_RULE(guest_ss_dpl, GUEST, "27.3.1.2", GUEST_SS_AR_BYTES,			\
		   "DPL = RPL (no unrestricted guest); 0 if CS type 3 or CR0.PE 0")	\
	ENTRY_RULE(guest_data_dpl, GUEST, "27.3.1.2", GUEST_DS_AR_BYTES,		\
		   "usable DS, ES, FS, GS of type 0-11: DPL >= RPL (no unrestricted guest)") \
	ENTRY_RULE(guest_seg_present, GUEST, "27.3.1.2", GUEST_CS_AR_BYTES,		\
		   "CS, TR and every usable segment: P 1")				\
	ENTRY_RULE(guest_ar_reserved, GUEST, "27.3.1.2", GUEST_CS_AR_BYTES,		\
		   "CS, TR and usable segments: access-rights bits 11:8, 31:17 zero")	\
	ENTRY_RULE(guest_cs_l_db, GUEST, "27.3.1.2", GUEST_CS_AR_BYTES,			\
		   "IA-32e-mode guest: CS.L and CS.D/B not both 1")			\
	ENTRY_RULE(guest_limit_g, GUEST, "27.3.1.2", GUEST_CS_LIMIT,			\
		   "G 1 if limit[31:20] not 0; G 0 if limit[11:0] not 0xfff")		\
	ENTRY_RULE(guest_tr_type, GUEST, "27.3.1.2", GUEST_TR_AR_BYTES,			\
		   "busy TSS: 11 (or 3 without IA-32e-mode guest)")			\
	ENTRY_RULE(guest_tr_usable, GUEST, "27.3.1.2", GUEST_TR_AR_BYTES,		\
		   "TR usable (bit 16 clear)")						\
	ENTRY_RULE(guest_ldtr_type, GUEST, "27.3.1.2", GUEST_LDTR_AR_BYTES,		\
		   "usable LDTR: type 2")						\
	/* 27.3.1.3: guest descriptor-table registers */				\
	ENTRY_RULE(guest_dtr_base_canonical, GUEST, "27.3.1.3", GUEST_GDTR_BASE,	\
		   "GDTR and IDTR bases canonical")					\
	ENTRY_RULE(guest_dtr_limit, GUEST, "27.3.1.3", GUEST_GDTR_LIMIT,		\
		   "GDTR and IDTR limits: bits 31:16 zero")				\
	/* 27.3.1.4: guest RIP and RFLAGS */						\
	ENTRY_RULE(guest_rip_upper, GUEST, "27.3.1.4", GUEST_RIP,			\
		   "bits 63:32 zero unless IA-32e-mode guest with CS.L 1")		\
	ENTRY_RULE(guest_rip_canonical, GUEST, "27.3.1.4", GUEST_RIP,			\
		   "IA-32e-mode guest with CS.L 1: canonical")				\
	ENTRY_RULE(guest_rflags_reserved, GUEST, "27.3.1.4", GUEST_RFLAGS,		\
		   "bits 63:22, 15, 5, 3 zero; bit 1 set")				\
	ENTRY_RULE(guest_rflags_vm, GUEST, "27.3.1.4", GUEST_RFLAGS,			\
		   "VM 0 with IA-32e-mode guest or CR0.PE 0")				\
	ENTRY_RULE(guest_rflags_if_ext_intr, GUEST, "27.3.1.4", GUEST_RFLAGS,		\
		   "IF 1 when an external interrupt is injected")			\
	/* 27.3.1.5: guest non-register state */					\
	ENTRY_RULE(guest_activity_state, GUEST, "27.3.1.5", GUEST_ACTIVITY_STATE,	\
		   "0 (active), or 1-3 where IA32_VMX_MISC[8:6] supports it")		\
	ENTRY_RULE(guest_hlt_ss_dpl, GUEST, "27.3.1.5", GUEST_ACTIVITY_STATE,		\
		   "HLT only with SS.DPL 0")						\
	ENTRY_RULE(guest_activity_blocking, GUEST, "27.3.1.5", GUEST_ACTIVITY_STATE,	\
		   "active when blocking by STI or by MOV SS")				\
	ENTRY_RULE(guest_activity_event, GUEST, "27.3.1.5", GUEST_ACTIVITY_STATE,	\
		   "HLT: inject only ext. interrupt, NMI, #DB, #MC, MTF; shutdown: NMI, "	\
		   "#MC; wait-for-SIPI: nothing")					\
	ENTRY_RULE(guest_intr_reserved, GUEST, "27.3.1.5", GUEST_INTERRUPTIBILITY_INFO,	\
		   "bits 31:5 zero")							\
	ENTRY_RULE(guest_intr_sti_movss, GUEST, "27.3.1.5", GUEST_INTERRUPTIBILITY_INFO, \
		   "blocking by STI and by MOV SS not both")				\
	ENTRY_RULE(guest_intr_sti_if, GUEST, "27.3.1.5", GUEST_INTERRUPTIBILITY_INFO,	\
		   "blocking by STI only with RFLAGS.IF 1")				\
	ENTRY_RULE(guest_intr_ext_blocked, GUEST, "27.3.1.5", GUEST_INTERRUPTIBILITY_INFO, \
		   "no STI/MOV-SS blocking when an external interrupt is injected")	\
	ENTRY_RULE(guest_intr_nmi_movss, GUEST, "27.3.1.5", GUEST_INTERRUPTIBILITY_INFO, \
		   "no MOV-SS blocking when an NMI is injected")			\
	ENTRY_RULE(guest_intr_smi, GUEST, "27.3.1.5", GUEST_INTERRUPTIBILITY_INFO,	\
		   "blocking by SMI 0 outside SMM")					\
	ENTRY_RULE(guest_intr_vnmi_blocked, GUEST, "27.3.1.5", GUEST_INTERRUPTIBILITY_INFO, \
		   "virtual NMIs: no NMI blocking when an NMI is injected")		\
	ENTRY_RULE(guest_pending_dbg_reserved, GUEST, "27.3.1.5",			\
		   GUEST_PENDING_DBG_EXCEPTIONS, "bits 11:4, 13, 15, 63:17 zero")	\
	ENTRY_RULE(guest_pending_dbg_bs, GUEST, "27.3.1.5", GUEST_PENDING_DBG_EXCEPTIONS, \
		   "STI/MOV-SS blocking or HLT: BS = RFLAGS.TF and not DEBUGCTL.BTF")	\
	ENTRY_RULE(guest_pending_dbg_rtm, GUEST, "27.3.1.5", GUEST_PENDING_DBG_EXCEPTIONS, \
		   "RTM (bit 16): bits 11:0, 15 zero, bit 12 set, no MOV-SS blocking")	\
	ENTRY_RULE(guest_vmcs_link, GUEST, "27.3.1.5", VMCS_LINK_POINTER,		\
		   "~0, or 4-KiB aligned below 2^MAXPHYADDR")				\
	/* 27.3.1.6: PDPTEs */								\
	ENTRY_RULE(guest_pdpte_reserved, GUEST, "27.3.1.6", GUEST_PDPTR0,		\
		   "PAE paging with EPT: present PDPTEs have bits 2:1, 8:5, 63:MAXPHYADDR zero")

#endif /* SUBZERO_ENTRY_RULES_H */
