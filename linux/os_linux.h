/* SPDX-License-Identifier: GPL-2.0 */
/* Set-up of the Linux OS layer (core/os.h) that the module calls at load and unload. */
#ifndef SUBZERO_OS_LINUX_H
#define SUBZERO_OS_LINUX_H

int os_linux_init(void);
void os_linux_exit(void);
/* Bytes held by the allocations os_alloc_count() counts (for SUBZERO_IOC_INFO). */
long os_linux_alloc_bytes(void);

#endif
