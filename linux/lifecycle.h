/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What linux/main.c and linux/lifecycle.c share: the per-CPU table and its lock, and
 * the machine-lifecycle hooks (reboot, kexec, emergency, suspend).
 */
#ifndef SUBZERO_LIFECYCLE_H
#define SUBZERO_LIFECYCLE_H

#include <linux/mutex.h>
#include "../core/vmx.h"

/* Per-CPU capabilities as read at load; a CPU offline then has have_caps clear. */
struct sz_cpu {
	struct vmx_caps caps;
	int read_err;
	bool have_caps;
	struct vcpu *vcpu;	/* while the CPU is virtualized */
	struct vcpu *mem;	/* its hypervisor state, allocated at load for every
				 * possible CPU so that all of it is hidden from every
				 * CPU's guest before any CPU is launched */
};

/* main.c: see the lock rules there */
extern struct sz_cpu *sz_cpus;
extern struct mutex sz_lock;
extern bool sz_attached;
void sz_detach_locked(void);
unsigned int sz_nr_virtualized(void);

/*
 * Set once the machine is going down (restart, power-off, halt, kexec): every CPU has
 * left VMX, attach is refused and CPUs coming online stay out.  Never cleared: only a
 * new boot (or a new load of the module) starts afresh.
 */
extern bool sz_going_down;

/* Register and unregister the reboot notifier, syscore ops and emergency callback. */
void sz_lifecycle_register(void);
void sz_lifecycle_unregister(void);

#endif
