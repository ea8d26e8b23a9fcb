/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the hardware without the module (tools/cpu.c): which CPUs there are, and a
 * CPU's VMX capabilities through core/vmx_caps.c, with CPUID and /dev/cpu/N/msr.
 */
#ifndef SUBZERO_TOOL_CPU_H
#define SUBZERO_TOOL_CPU_H

#include "vmx_caps.h"

/* CPUs the system may have (0 .. cpu_count() - 1), and whether one is online. */
unsigned int cpu_count(void);
bool cpu_online(unsigned int cpu);

/*
 * Pin this process to @cpu and open its MSR device (modprobe msr if there is none).
 * Returns 0 or -errno (-EINVAL: offline, -ENOENT: no msr driver, -EACCES: not root);
 * but for -EINVAL the process is pinned to @cpu either way (CPUID runs there).
 */
int cpu_select(unsigned int cpu);

/* The first failed cpu_rdmsr() since cpu_select(), as -errno; 0 if none failed. */
int cpu_msr_error(void);

/* cpu_select(@cpu), then core's vmx_caps_read(): 0, -ENODEV (no VMX) or -errno. */
int cpu_read_caps(unsigned int cpu, struct vmx_caps *c);

/* What a cpu_*() error means, for a message. */
const char *cpu_err_str(int err);

/* Non-NULL (saying so) if this run loaded the msr module. */
const char *cpu_msr_loaded_by_us(void);

#endif
