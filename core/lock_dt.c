// SPDX-License-Identifier: GPL-2.0
/*
 * Descriptor-table exiting for the lock (lock.h, issue 14): on a locked CPU, LGDT,
 * LIDT, SGDT, SIDT (exit 46) and LLDT, LTR, SLDT, STR (exit 47) exit, and are done
 * here for the guest as the CPU would have done them, except that an LGDT or LIDT to
 * a base the lock does not allow is refused with #GP and recorded.
 *
 * Root trusts nothing the guest can write (issue 13).  A memory operand is a guest
 * linear address: it is translated by walking the guest's page tables from RAM
 * (seal_guest_walk_perm(), which reads no table the guest's EPT would not let it
 * read), and the page it lands on is read or written through the direct map only if
 * it is ordinary RAM that this CPU's EPT lets the guest read or write, as that very
 * page (seal_guest_access()).  What is refused, and why:
 *  - not present, or the paging rights forbid the access (user access to a
 *    supervisor page, a write to a read-only page with CR0.WP, SMAP): #PF, with CR2
 *    and the error code the CPU would give (P, W, U; never RSVD, I/D or PK: reserved
 *    bits and protection keys are not checked);
 *  - a page root may not touch for the guest: MMIO, a hidden page of ours, a page
 *    the EPT makes read-only (sealed, protected) or unreadable (watched): the CPU
 *    would take an EPT violation there, which cannot be emulated from this exit (a
 *    watched page's access would have to be single-stepped, a protected page's
 *    write discarded, and the instruction has not run).  #GP(0) instead: the
 *    instruction is refused, nothing changes, and the kernel never points these
 *    instructions at such pages;
 *  - a paging-structure page that is not RAM the guest may read: #GP(0) likewise.
 * Accessed and dirty flags in the guest's page tables are not set (the kernel maps
 * its own data with both set; a user-mode SGDT to a clean page leaves it clean).
 * Both pages of an operand that straddles two are checked before either is written.
 * Only IA-32e mode (EFER.LMA) is emulated, 64-bit and compatibility mode; legacy
 * modes, which a locked 64-bit kernel never returns to, get #GP(0).
 */
#include "lock.h"
#include "errors.h"
#include "exit.h"
#include "lib.h"
#include "seal.h"
#include "vmx.h"
#include "arch/x86.h"
#include <cpu_ops.h>

#define X86_VEC_NP	11
#define X86_VEC_SS	12

#define PF_PRESENT	BIT(0)
#define PF_WRITE	BIT(1)
#define PF_USER		BIT(2)

#define SEG_ES		0
#define SEG_SS_NR	2
#define SEG_FS_NR	4
#define SEG_GS_NR	5

#define AR_UNUSABLE	BIT(16)
#define AR_L		BIT(13)

/* The guest's state an emulation depends on, read once per exit. */
struct dt_ctx {
	struct vcpu *v;
	struct guest_regs *r;
	u64 cr0, cr3, cr4, rflags;
	unsigned int cpl;
	bool long64;		/* 64-bit mode: EFER.LMA and CS.L */
	/* the fault to inject instead of completing the instruction */
	u8 vector;
	bool has_code;
	u32 code;
	u64 cr2;
};

static int dt_fault(struct dt_ctx *c, u8 vector, bool has_code, u32 code)
{
	c->vector = vector;
	c->has_code = has_code;
	c->code = code;
	return -EFAULT;
}

static int dt_gp(struct dt_ctx *c, u32 code)
{
	return dt_fault(c, X86_VEC_GP, true, code);
}

static u64 dt_reg(const struct dt_ctx *c, unsigned int reg)
{
	return reg == REG_RSP ? vmcs_readn(GUEST_RSP) : c->r->gpr[reg];
}

static void dt_set_reg(struct dt_ctx *c, unsigned int reg, u64 val)
{
	if (reg == REG_RSP)
		vmcs_writen(NULL, GUEST_RSP, val);
	else
		c->r->gpr[reg] = val;
}

static bool dt_canonical(const struct dt_ctx *c, u64 va)
{
	unsigned int bits = c->cr4 & X86_CR4_LA57 ? 57 : 48;

	return (u64)((s64)(va << (64 - bits)) >> (64 - bits)) == va;
}

/*
 * May the guest make this access to a page whose translation has @perm (PTE_RW and
 * PTE_USER of every level ANDed)?  SDM Vol. 3A, 4.6 "Access Rights".  @user: an
 * explicit access at CPL 3; @implicit: a descriptor-table access (supervisor).
 */
static bool dt_rights(const struct dt_ctx *c, u64 perm, bool write, bool user, bool implicit)
{
	if (user)
		return (perm & PTE_USER) && (!write || (perm & PTE_RW));
	if (write && !(perm & PTE_RW) && (c->cr0 & X86_CR0_WP))
		return false;
	/* SMAP: supervisor data accesses to user pages, unless explicit with AC set */
	if ((perm & PTE_USER) && (c->cr4 & X86_CR4_SMAP) &&
	    (implicit || !(c->rflags & X86_EFLAGS_AC)))
		return false;
	return true;
}

/*
 * Translate the page of linear @la for an access: 0 and *pa when root may make it for
 * the guest, else the fault to inject is set in @c.
 */
static int dt_translate(struct dt_ctx *c, u64 la, bool write, bool implicit, u64 *pa)
{
	bool user = !implicit && c->cpl == 3;
	u64 perm = 0;
	int ret;

	ret = seal_guest_walk_perm(c->v, c->cr3, c->cr4, la, pa, &perm);
	if (ret == -ENOENT || (!ret && !dt_rights(c, perm, write, user, implicit))) {
		c->cr2 = la;
		return dt_fault(c, X86_VEC_PF, true, (ret ? 0 : PF_PRESENT) |
				(write ? PF_WRITE : 0) | (user ? PF_USER : 0));
	}
	if (ret || seal_guest_access(c->v, *pa, write))
		return dt_gp(c, 0);	/* not emulatable here: see the top of this file */
	return 0;
}

/*
 * Read (or, @write, write) @n bytes (at most 16) at guest linear @la from (to) @buf.
 * Every page is checked before any byte is written.
 */
static int dt_access(struct dt_ctx *c, u64 la, void *buf, unsigned int n, bool write,
		     bool implicit)
{
	unsigned int first = PAGE_SIZE - (la & (PAGE_SIZE - 1));
	u64 la2, pa[2];
	void *p;

	if (first > n)
		first = n;
	if (dt_translate(c, la, write, implicit, &pa[0]))
		return -EFAULT;
	if (first < n) {
		la2 = (la & ~(u64)(PAGE_SIZE - 1)) + PAGE_SIZE;
		if (!c->long64)
			la2 = (u32)la2;
		if (dt_translate(c, la2, write, implicit, &pa[1]))
			return -EFAULT;
	}
	p = (void *)(unsigned long)(c->v->direct_map + pa[0]);
	if (write)
		sz_memcpy(p, buf, first);
	else
		sz_memcpy(buf, p, first);
	if (first == n)
		return 0;
	p = (void *)(unsigned long)(c->v->direct_map + pa[1]);
	if (write)
		sz_memcpy(p, (u8 *)buf + first, n - first);
	else
		sz_memcpy((u8 *)buf + first, p, n - first);
	return 0;
}

static u64 dt_seg_base(unsigned int seg)
{
	switch (seg) {
	case SEG_ES:	return vmcs_readn(GUEST_ES_BASE);
	case 1:		return vmcs_readn(GUEST_CS_BASE);
	case SEG_SS_NR:	return vmcs_readn(GUEST_SS_BASE);
	case 3:		return vmcs_readn(GUEST_DS_BASE);
	case SEG_FS_NR:	return vmcs_readn(GUEST_FS_BASE);
	default:	return vmcs_readn(GUEST_GS_BASE);
	}
}

static void dt_seg_limit_ar(unsigned int seg, u32 *limit, u32 *ar)
{
	switch (seg) {
	case SEG_ES:
		*limit = vmcs_read32(GUEST_ES_LIMIT);
		*ar = vmcs_read32(GUEST_ES_AR_BYTES);
		break;
	case 1:
		*limit = vmcs_read32(GUEST_CS_LIMIT);
		*ar = vmcs_read32(GUEST_CS_AR_BYTES);
		break;
	case SEG_SS_NR:
		*limit = vmcs_read32(GUEST_SS_LIMIT);
		*ar = vmcs_read32(GUEST_SS_AR_BYTES);
		break;
	case 3:
		*limit = vmcs_read32(GUEST_DS_LIMIT);
		*ar = vmcs_read32(GUEST_DS_AR_BYTES);
		break;
	case SEG_FS_NR:
		*limit = vmcs_read32(GUEST_FS_LIMIT);
		*ar = vmcs_read32(GUEST_FS_AR_BYTES);
		break;
	default:
		*limit = vmcs_read32(GUEST_GS_LIMIT);
		*ar = vmcs_read32(GUEST_GS_AR_BYTES);
		break;
	}
}

/*
 * The linear address of the memory operand of @d, @size bytes: segment base + base +
 * index * scale + displacement, at the address size (SDM Vol. 3A, 3.7.5).  In 64-bit
 * mode only FS and GS have a base, and the address must be canonical (#GP(0), or
 * #SS(0) through SS); in compatibility mode the segment must be usable and the operand
 * within its limit (expand-up: Linux has no other data segments), and the address
 * wraps at 4 GiB.
 */
static int dt_linear(struct dt_ctx *c, const struct dt_insn *d, unsigned int size, u64 *la)
{
	u8 fault = d->seg == SEG_SS_NR ? X86_VEC_SS : X86_VEC_GP;
	u64 off = d->disp;
	u32 limit, ar;

	if (d->addr_size > DT_ADDR64 || (d->addr_size == DT_ADDR64 && !c->long64))
		return dt_gp(c, 0);	/* undefined encodings: never from a real exit */
	if (d->seg > SEG_GS_NR)
		return dt_gp(c, 0);
	if (d->base_valid)
		off += dt_reg(c, d->base);
	if (d->index_valid)
		off += dt_reg(c, d->index) << d->scale;
	if (d->addr_size == DT_ADDR16)
		off &= 0xffff;
	else if (d->addr_size == DT_ADDR32)
		off &= 0xffffffff;
	if (c->long64) {
		*la = off + (d->seg == SEG_FS_NR || d->seg == SEG_GS_NR ? dt_seg_base(d->seg) : 0);
		if (!dt_canonical(c, *la) || !dt_canonical(c, *la + size - 1))
			return dt_fault(c, fault, true, 0);
		return 0;
	}
	dt_seg_limit_ar(d->seg, &limit, &ar);
	if ((ar & AR_UNUSABLE) || off + size - 1 > limit)
		return dt_fault(c, fault, true, 0);
	*la = (u32)(dt_seg_base(d->seg) + off);
	return 0;
}

/*
 * Was the instruction at RIP given a 16-bit operand size (an operand-size prefix not
 * overridden by REX.W)?  The instruction-information field of exit 47 does not say,
 * and SLDT/STR to a register keep its bits 63:16 then (SDM Vol. 2B, SLDT, STR), where
 * with 32 or 64 bits they are cleared.  The instruction is read as data with the same
 * checks as any operand; if it cannot be read, 32 bits are assumed (the fault of that
 * read is not the guest's: it executed these bytes).
 */
static bool dt_opsize16(struct dt_ctx *c)
{
	u32 len = vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
	u64 rip = vmcs_readn(GUEST_RIP);
	bool o16 = false;
	u8 insn[15], b, rex = 0;
	unsigned int i;

	if (len < 3 || len > sizeof(insn))
		return false;
	if (!c->long64)
		rip = (u32)(vmcs_readn(GUEST_CS_BASE) + rip);
	if (dt_access(c, rip, insn, len, false, false)) {
		c->vector = 0;
		return false;
	}
	for (i = 0; i < len; i++) {
		b = insn[i];
		if (b == 0x66) {
			o16 = true;
		} else if (c->long64 && (b & 0xf0) == 0x40) {
			rex = b;
			continue;
		} else if (b != 0x67 && b != 0xf0 && b != 0xf2 && b != 0xf3 && b != 0x2e &&
			   b != 0x36 && b != 0x3e && b != 0x26 && b != 0x64 && b != 0x65) {
			break;
		}
		rex = 0;	/* a REX prefix counts only right before the opcode */
	}
	return o16 && !(rex & 0x08);
}

/* SGDT, SIDT: limit, then base (8 bytes in 64-bit mode, else 4). */
static int dt_store_table(struct dt_ctx *c, const struct dt_insn *d)
{
	unsigned int n = c->long64 ? 10 : 6;
	u16 limit;
	u64 base, la;
	u8 buf[10];

	/* UMIP: the CPU raises this #GP before the exit; be safe all the same */
	if (c->cpl && (c->cr4 & X86_CR4_UMIP))
		return dt_gp(c, 0);
	if (d->op == DT_SGDT) {
		limit = (u16)vmcs_read32(GUEST_GDTR_LIMIT);
		base = vmcs_readn(GUEST_GDTR_BASE);
	} else {
		limit = (u16)vmcs_read32(GUEST_IDTR_LIMIT);
		base = vmcs_readn(GUEST_IDTR_BASE);
	}
	sz_memcpy(buf, &limit, 2);
	sz_memcpy(buf + 2, &base, n - 2);
	if (dt_linear(c, d, n, &la))
		return -EFAULT;
	return dt_access(c, la, buf, n, true, false);
}

/* LGDT, LIDT: the lock first; a base it allows is loaded. */
static int dt_load_table(struct dt_ctx *c, const struct dt_insn *d)
{
	bool idt = d->op == DT_LIDT;
	unsigned int n = c->long64 ? 10 : 6;
	u16 limit;
	u64 base = 0, la;
	u8 buf[10];

	if (c->cpl)
		return dt_gp(c, 0);
	if (dt_linear(c, d, n, &la) || dt_access(c, la, buf, n, false, false))
		return -EFAULT;
	sz_memcpy(&limit, buf, 2);
	sz_memcpy(&base, buf + 2, n - 2);
	if (c->long64) {
		if (!dt_canonical(c, base))
			return dt_gp(c, 0);
	} else if (!d->op32) {
		base &= 0xffffff;	/* 16-bit operand size: 24 bits of base */
	}
	if (!lock_dt_allowed(&c->v->lock, idt, base)) {
		c->v->lock_dt_refused++;
		lock_event(c->v, idt ? LOCK_EV_IDTR : LOCK_EV_GDTR, 0, base, WATCH_EV_REFUSED);
		return dt_gp(c, 0);
	}
	if (idt) {
		vmcs_write32(NULL, GUEST_IDTR_LIMIT, limit);
		vmcs_writen(NULL, GUEST_IDTR_BASE, base);
	} else {
		vmcs_write32(NULL, GUEST_GDTR_LIMIT, limit);
		vmcs_writen(NULL, GUEST_GDTR_BASE, base);
	}
	return 0;
}

/* SLDT, STR: the selector, to a register or 2 bytes of memory. */
static int dt_store_sel(struct dt_ctx *c, const struct dt_insn *d)
{
	u16 sel = d->op == DT_SLDT ? vmcs_read16(GUEST_LDTR_SELECTOR) :
		  vmcs_read16(GUEST_TR_SELECTOR);
	u64 la, old;

	if (c->cpl && (c->cr4 & X86_CR4_UMIP))
		return dt_gp(c, 0);
	if (d->reg_form) {
		old = dt_reg(c, d->reg1);
		dt_set_reg(c, d->reg1, dt_opsize16(c) ? (old & ~0xffffULL) | sel : sel);
		return 0;
	}
	if (dt_linear(c, d, 2, &la))
		return -EFAULT;
	return dt_access(c, la, &sel, 2, true, false);
}

/*
 * LLDT, LTR in IA-32e mode (SDM Vol. 2A/2B, LLDT, LTR): a 16-byte system descriptor
 * from the GDT, an LDT (type 2) or an available 64-bit TSS (type 9), present, its
 * upper type field 0 and its base canonical.  LTR marks it busy in the GDT, as the
 * CPU does (a locked write: a read-only GDT, such as Linux's fixmap alias, faults).
 */
static int dt_load_sel(struct dt_ctx *c, const struct dt_insn *d)
{
	bool ltr = d->op == DT_LTR;
	u64 gdt = vmcs_readn(GUEST_GDTR_BASE), la, lo, hi, base, pa;
	u32 gdt_limit = vmcs_read32(GUEST_GDTR_LIMIT), limit, ar, err;
	u16 sel = 0;
	u8 desc[16];

	if (c->cpl)
		return dt_gp(c, 0);
	if (d->reg_form)
		sel = (u16)dt_reg(c, d->reg1);
	else if (dt_linear(c, d, 2, &la) || dt_access(c, la, &sel, 2, false, false))
		return -EFAULT;
	err = sel & 0xfffc;
	if (!(sel & 0xfffc)) {
		if (ltr)
			return dt_gp(c, 0);
		/* a null selector: LDTR unusable (SDM Vol. 3C, 25.4.1) */
		vmcs_write16(NULL, GUEST_LDTR_SELECTOR, sel);
		vmcs_write32(NULL, GUEST_LDTR_AR_BYTES, AR_UNUSABLE);
		return 0;
	}
	if ((sel & 4) || (u32)(sel & ~7) + 15 > gdt_limit)
		return dt_gp(c, err);
	la = gdt + (sel & ~7);
	if (!c->long64)
		la = (u32)la;
	if (dt_access(c, la, desc, sizeof(desc), false, true))
		return -EFAULT;
	sz_memcpy(&lo, desc, 8);
	sz_memcpy(&hi, desc + 8, 8);
	ar = (lo >> 40) & 0xf0ff;		/* type, S, DPL, P; AVL, L, D/B, G */
	if ((ar & 0x1f) != (ltr ? 9 : 2))	/* S = 0 and the type */
		return dt_gp(c, err);
	if (!(ar & BIT(7)))
		return dt_fault(c, X86_VEC_NP, true, err);
	if ((hi >> 40) & 0x1f)
		return dt_gp(c, err);
	base = ((lo >> 16) & 0xffffff) | (((lo >> 56) & 0xff) << 24) | (hi << 32);
	if (!dt_canonical(c, base))
		return dt_gp(c, err);
	limit = (u32)((lo & 0xffff) | ((lo >> 32) & 0xf0000));
	if (ar & BIT(15))
		limit = (limit << 12) | 0xfff;
	if (ltr) {
		/* the busy bit: type 9 -> 11, in the descriptor's byte 5 */
		if (dt_translate(c, c->long64 ? la + 5 : (u32)(la + 5), true, true, &pa))
			return -EFAULT;
		__atomic_fetch_or((u8 *)(unsigned long)(c->v->direct_map + pa), 2,
				  __ATOMIC_SEQ_CST);
		vmcs_write16(NULL, GUEST_TR_SELECTOR, sel);
		vmcs_writen(NULL, GUEST_TR_BASE, base);
		vmcs_write32(NULL, GUEST_TR_LIMIT, limit);
		vmcs_write32(NULL, GUEST_TR_AR_BYTES, ar | 2);
	} else {
		vmcs_write16(NULL, GUEST_LDTR_SELECTOR, sel);
		vmcs_writen(NULL, GUEST_LDTR_BASE, base);
		vmcs_write32(NULL, GUEST_LDTR_LIMIT, limit);
		vmcs_write32(NULL, GUEST_LDTR_AR_BYTES, ar);
	}
	return 0;
}

int lock_dt_exit(struct vcpu *v, struct guest_regs *r)
{
	struct dt_ctx c = {
		.v = v,
		.r = r,
		.cr0 = vmcs_readn(GUEST_CR0),
		.cr3 = vmcs_readn(GUEST_CR3),
		.cr4 = vmcs_readn(GUEST_CR4),
		.rflags = vmcs_readn(GUEST_RFLAGS),
		.cpl = exit_guest_cpl(),
	};
	struct dt_insn d;
	int ret;

	exit_decode_dt(vmcs_read32(VM_EXIT_REASON) & 0xffff, vmcs_read32(VMX_INSTRUCTION_INFO),
		       vmcs_readn(EXIT_QUALIFICATION), &d);
	c.long64 = (vmcs_read64(GUEST_IA32_EFER) & EFER_LMA) &&
		   (vmcs_read32(GUEST_CS_AR_BYTES) & AR_L);
	if (!(vmcs_read64(GUEST_IA32_EFER) & EFER_LMA) || !(c.cr0 & X86_CR0_PG)) {
		exit_inject_exception(X86_VEC_GP, true, 0);	/* not emulated: see above */
		return 0;
	}
	switch (d.op) {
	case DT_SGDT:
	case DT_SIDT:
		ret = dt_store_table(&c, &d);
		break;
	case DT_LGDT:
	case DT_LIDT:
		ret = dt_load_table(&c, &d);
		break;
	case DT_SLDT:
	case DT_STR:
		ret = dt_store_sel(&c, &d);
		break;
	default:
		ret = dt_load_sel(&c, &d);
		break;
	}
	if (ret) {
		if (c.vector == X86_VEC_PF)
			cpu_write_cr2(c.cr2);	/* not in the VMCS: the guest's CR2 is the CPU's */
		exit_inject_exception(c.vector, c.has_code, c.code);
		return 0;
	}
	exit_skip_instruction();
	return 0;
}
