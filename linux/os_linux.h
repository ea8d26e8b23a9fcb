/* SPDX-License-Identifier: GPL-2.0 */
/* Set-up of the Linux OS layer (core/os.h) that the module calls at load and unload. */
#ifndef SUBZERO_OS_LINUX_H
#define SUBZERO_OS_LINUX_H

int os_linux_init(void);
void os_linux_exit(void);

#endif
