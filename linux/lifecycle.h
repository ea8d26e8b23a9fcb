/* SPDX-License-Identifier: GPL-2.0 */
/* The machine-lifecycle hooks (lifecycle.c): reboot, kexec, emergency, suspend. */
#ifndef SUBZERO_LIFECYCLE_H
#define SUBZERO_LIFECYCLE_H

#include "sz.h"

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
