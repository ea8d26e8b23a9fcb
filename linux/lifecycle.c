// SPDX-License-Identifier: GPL-2.0
/*
 * The machine's lifecycle: restart, power-off, kexec, emergency restart and crash,
 * suspend and hibernation.
 *
 * VMX blocks INIT (SDM Vol. 3C, 24.8): a CPU left in VMX operation cannot be reset by
 * INIT-SIPI, which is how a kexec'd kernel brings its CPUs up and how some resets
 * work; and in a guest the INIT is ours to handle (core/exit.c, handle_init).  A CPU
 * that loses power in suspend comes back without VMX while subzero would believe it
 * virtualized, and the next unload would execute VMCALL outside VMX (#UD).  So every
 * way out leaves VMX on every CPU first, with what KVM registers for the same reason:
 * a reboot notifier (restart, halt, power-off; kexec goes through it too), syscore
 * shutdown as a second line, the kernel's emergency virtualization callback (crash,
 * emergency restart, panic: it runs on every CPU, in NMI context on the others), and
 * syscore suspend/resume.
 *
 * Locked (core/lock.h), these are, with CPU offline, the ways out of VMX the lock
 * allows: each asks root for the "offline" DEVIRT, which root allows and records.
 */
#define pr_fmt(fmt) "subzero: " fmt

#include <linux/cpu.h>
#include <linux/module.h>
#include <linux/reboot.h>
#include <linux/smp.h>
#include <linux/syscore_ops.h>
#include <asm/desc.h>
#include <asm/reboot.h>

#include "lifecycle.h"

bool sz_going_down;

/*
 * Leave VMX on every CPU, for good: the hotplug state is removed (each CPU leaves VMX
 * in its own offline callback), and sz_going_down keeps attach and CPUs coming online
 * out.  Idempotent (the reboot notifier and syscore shutdown both call it).
 */
static void sz_leave_all(const char *why)
{
	unsigned int left = 0;
	bool changed = false;

	if (READ_ONCE(sz_going_down) && !READ_ONCE(sz_attached))
		return;
	WRITE_ONCE(sz_going_down, true);
	sz_set_attached(false, &changed, &left);
	if (left)
		pr_err("%s: %u CPUs could not leave VMX\n", why, left);
	else
		pr_info("%s: every CPU has left VMX\n", why);
}

/* Restart, halt, power-off, and kexec (kernel_restart_prepare): every CPU online. */
static int sz_reboot(struct notifier_block *nb, unsigned long code, void *unused)
{
	sz_leave_all(code == SYS_RESTART ? "restart" : code == SYS_HALT ? "halt" : "power-off");
	return NOTIFY_DONE;
}

static struct notifier_block sz_reboot_nb = {
	.notifier_call = sz_reboot,
	/* after the notifiers of drivers that may still want to run code */
	.priority = -1,
};

/* syscore shutdown: after the reboot notifiers, on every restart and kexec path. */
static void sz_syscore_shutdown(void)
{
	sz_leave_all("shutdown");
}

/*
 * Suspend and hibernation: the other CPUs are offline by now (their hotplug callbacks
 * left VMX), this is the last one, interrupts off, every task frozen; nothing else
 * reads sz_cpus[].vcpu until resume.  Leave VMX here and come back on resume.
 */
static int sz_suspended_cpu = -1;

static int sz_syscore_suspend(void)
{
	unsigned int cpu = smp_processor_id();
	struct vcpu *v = sz_cpus[cpu].vcpu;
	int ret;

	if (!v)
		return 0;
	ret = vmx_devirtualize_this_cpu(v, true);	/* losing power: allowed when locked */
	if (ret)
		return ret;		/* the suspend is aborted, and says so */
	invalidate_tss_limit();	/* the VM exit left TR's limit at 0x67 */
	sz_cpus[cpu].vcpu = NULL;
	sz_suspended_cpu = cpu;
	return 0;
}

static void sz_syscore_resume(void)
{
	int cpu = sz_suspended_cpu;
	struct vcpu *v;
	int ret;

	if (cpu < 0)
		return;
	sz_suspended_cpu = -1;
	v = sz_mem[cpu];
	v->devirt = false;
	ret = vmx_virtualize_this_cpu(v);
	/*
	 * The watch table may have changed while this CPU was out.  ept_on, not
	 * ept.pml4: this runs as the guest now, and root's half of the vcpu is hidden.
	 */
	if (!ret && v->ept_on)
		vmx_watch_sync_this_cpu(v);
	if (ret) {
		/*
		 * The rest of the machine goes on without VMX on this CPU; detach can undo
		 * the others.  The reason is in the log ring, drained by the next ioctl.
		 */
		pr_err("CPU %d: not virtualized again after resume: %d\n", cpu, ret);
		return;
	}
	sz_cpus[cpu].vcpu = v;
}

static struct syscore_ops sz_syscore_ops = {
	.suspend = sz_syscore_suspend,
	.resume = sz_syscore_resume,
	.shutdown = sz_syscore_shutdown,
};

/*
 * The emergency callback (cpu_emergency_disable_virtualization): a crash (before
 * kdump), an emergency restart or a panic reboot, on every CPU, the others from an NMI
 * (nmi_shootdown_cpus).  Nothing may sleep or lock: leave VMX on this CPU by the
 * hypercall if it is still in it, and nothing else.
 */
static void sz_emergency(void)
{
	struct sz_cpu *cpus = READ_ONCE(sz_cpus);
	struct vcpu *v;

	if (!cpus)
		return;
	v = READ_ONCE(cpus[raw_smp_processor_id()].vcpu);
	if (v && v->launched)
		vmx_devirtualize_this_cpu(v, true);	/* going down: allowed when locked */
}

void sz_lifecycle_register(void)
{
	WRITE_ONCE(sz_going_down, false);
	register_reboot_notifier(&sz_reboot_nb);
	register_syscore_ops(&sz_syscore_ops);
	cpu_emergency_register_virt_callback(sz_emergency);
}

void sz_lifecycle_unregister(void)
{
	cpu_emergency_unregister_virt_callback(sz_emergency);
	unregister_syscore_ops(&sz_syscore_ops);
	unregister_reboot_notifier(&sz_reboot_nb);
}
