/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ioctl handlers, for ioctl.c's table: the contract every handler keeps, and the
 * handlers that live in ioctl_watch.c (watch, protect, events, EPT query).
 */
#ifndef SUBZERO_LINUX_SZ_IOCTL_H
#define SUBZERO_LINUX_SZ_IOCTL_H

#include <linux/types.h>

/*
 * A handler gets the request as it came in (@in, checked) and fills the answer
 * (@out: zeroed but for size, and cpu for a per-CPU request, whose CPU number @cpu is
 * below nr_cpu_ids).  0 or a negative errno; on 0 sz_ioctl() copies @out back.
 */
typedef long (*sz_ioctl_fn)(const void *in, void *out, u32 cpu);

/* ioctl_watch.c */
long sz_ioctl_watch(const void *in, void *out, u32 cpu);
long sz_ioctl_watch_list(const void *in, void *out, u32 cpu);
long sz_ioctl_events(const void *in, void *out, u32 cpu);
long sz_ioctl_ept_query(const void *in, void *out, u32 cpu);

#endif
