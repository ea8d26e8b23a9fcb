// SPDX-License-Identifier: GPL-2.0
/*
 * `subzero status`: the module (attached or not, ABI, TSC rate, CPUs, allocations),
 * then each CPU: virtualized or not, VPID, exits, time since launch, EPT pages, and
 * what the lock holds on it.
 */
#include <string.h>
#include <unistd.h>

#include "subzero.h"

/*
 * The lock's state (@l NULL: the module has no lock ioctl).  The text shows it only
 * under a virtualized CPU (@virt); JSON always.
 */
static void print_lock(const struct subzero_lock *l, bool virt)
{
	u32 fl = l ? l->flags : 0;
	bool on = fl & SUBZERO_LOCK_ON;

	out_obj("lock", OUT_INLINE);
	out_bool("locked", on);
	if (l) {
		out_hex("cr0_pinned", l->cr0_pinned);
		out_hex("cr4_pinned", l->cr4_pinned);
		out_bool_text("cet_msrs", fl & SUBZERO_LOCK_CET, ", CET MSRs", "");
		out_u64("cr_refused", l->cr_refused);
		out_u64("msr_refused", l->msr_refused);
		out_u64("msr_kept", l->msr_kept);
		out_u64("hc_refused", l->hc_refused);
		out_u64("devirt_offline", l->devirt_offline);
		out_u64("restored", l->restored);
		out_u64("dt_refused", l->dt_refused);
		out_u64("wx_allowed", l->wx_allowed);
		out_u64("wx_refused", l->wx_refused);
		out_u64("wx_ept_tables", l->wx_tables);
		out_bool_text("mbec", fl & SUBZERO_LOCK_MBEC,
			      fl & SUBZERO_LOCK_KEXEC ? "used" : "the CPU has it, not used",
			      "no (not on this CPU)");
		out_bool("kernel_exec_restricted", fl & SUBZERO_LOCK_KEXEC);
		out_u64("kexec_refused", l->kexec_refused);
	}
	/* each only where the CPU allows it (README, "The lock") */
	out_bool_text("descriptor_tables", on && (fl & SUBZERO_LOCK_DT), ", GDTR/IDTR bases", "");
	out_bool("kernel_text_wx", fl & SUBZERO_LOCK_WX);
	if (virt && !on)
		out_text("  lock: off\n");
	if (!virt || !on) {
		out_end();
		return;
	}
	out_text("  lock: on (CR0 pinned {cr0_pinned}, CR4 pinned {cr4_pinned}{cet_msrs}"
		 "{descriptor_tables}); refused: {cr_refused} CR, {msr_refused} MSR, {dt_refused} "
		 "GDTR/IDTR, {hc_refused} hypercall; allowed: {msr_kept} MSR writes keeping the "
		 "value, {devirt_offline} offline, {restored} restored\n");
	if (fl & SUBZERO_LOCK_WX)
		out_text("  kernel text W^X: on ({wx_ept_tables} EPT tables); writes refused "
			 "{wx_refused}, by text_poke() {wx_allowed}; mode-based execute control: "
			 "{mbec}\n");
	else
		out_text("  kernel text W^X: off\n");
	/* each only where the CPU allows it, and kernel-mode execution if asked (README) */
	if (fl & SUBZERO_LOCK_KEXEC)
		out_text("  kernel-mode execution: restricted to kernel and module text and what "
			 "the kernel made executable (MBEC); fetches refused {kexec_refused}\n");
	if (!(fl & SUBZERO_LOCK_DT) || !(fl & SUBZERO_LOCK_KEXEC))
		out_text("  not enforced:%s%s%s%s\n",
			 fl & SUBZERO_LOCK_DT ? "" :
			 " descriptor tables (no descriptor-table exiting on this CPU)",
			 !(fl & SUBZERO_LOCK_DT) && !(fl & SUBZERO_LOCK_KEXEC) ? ";" : "",
			 fl & SUBZERO_LOCK_KEXEC ? "" :
			 " kernel-mode execution outside kernel and module text",
			 fl & SUBZERO_LOCK_KEXEC ? "" : fl & SUBZERO_LOCK_MBEC ?
			 " (the CPU has MBEC, not used: lock_exec=0)" : " (no MBEC on this CPU)");
	out_end();
}

static void print_status_cpu(const struct subzero_cpu_stats *st,
			     const struct subzero_info *info, const struct subzero_lock *l)
{
	bool virt = st->flags & SUBZERO_CPU_VIRTUALIZED;

	out_obj(NULL, OUT_INLINE);
	out_u64("cpu", st->cpu);
	out_bool_text("online", st->flags & SUBZERO_CPU_ONLINE, "", " (offline)");
	out_bool("virtualized", virt);
	if (virt) {
		out_u64("vpid", st->vpid);
		out_u64("exits", total_exits(st));
		out_u64("launch_tsc", st->launch_tsc);
		out_double("uptime_s", tsc_seconds(st->now_tsc - st->launch_tsc, info), 6);
	}
	out_u64("ept_pages", st->ept_pages);
	out_u64("ept_pool_pages", st->ept_pool_pages);
	out_u64("eptp", st->eptp);
	if (virt)
		out_text("CPU {cpu}: virtualized, VPID {vpid}, {exits} exits, up {uptime_s:.3f} s, "
			 "EPT pages {ept_pages}\n");
	else
		out_text("CPU {cpu}: not virtualized{online}\n");
	print_lock(l, virt);
	out_end();
}

int cmd_status(int argc, char **argv)
{
	struct subzero_cpu_stats st;
	struct subzero_info info;
	struct subzero_lock l;
	unsigned int cpu, nvirt = 0;
	struct opts o;
	int fd, ret;

	fd = cmd_start("status", argc, argv, OPT_JSON | OPT_CPU, 0, &o, &info);
	if (fd < 0)
		return o.rc;
	out_obj(NULL, OUT_LINES);
	out_u64("abi_version", info.abi_version);
	out_bool_text("attached", info.flags & SUBZERO_INFO_ATTACHED, "attached",
		      "detached (module loaded, no CPU in VMX)");
	out_u64("tsc_khz", info.tsc_khz);
	out_s64("alloc_count", info.alloc_count);
	out_u64("nr_cpu_ids", info.nr_cpu_ids);
	out_u64("nr_cpus_online", info.nr_cpus_online);
	out_text("subzero: {attached}, ABI {abi_version}, TSC {tsc_khz} kHz, {nr_cpus_online} of "
		 "{nr_cpu_ids} CPUs online, {alloc_count} module allocations\n");
	out_arr("cpus", OUT_LINES);
	for (cpu = o.first; cpu < o.end; cpu++) {
		ret = get_stats(fd, cpu, &st);
		if (ret) {
			ret = fail(EXIT_FAIL, "status: CPU %u: %s", cpu, strerror(-ret));
			goto out;
		}
		nvirt += !!(st.flags & SUBZERO_CPU_VIRTUALIZED);
		print_status_cpu(&st, &info, get_lock(fd, cpu, &l) ? NULL : &l);
	}
	out_end();
	out_u64("nr_virtualized", nvirt);
	out_end();
	ret = EXIT_OK;
out:
	close(fd);
	return ret;
}
