/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Error numbers used by core/.  They are Linux's values, so a core error is returned
 * to the kernel and to user space unchanged (negated, as the kernel does).
 */
#ifndef SUBZERO_CORE_ERRORS_H
#define SUBZERO_CORE_ERRORS_H

#ifndef EPERM
#define EPERM		1
#define ENOENT		2
#define EIO		5
#define ENXIO		6
#define E2BIG		7
#define ENOMEM		12
#define EAGAIN		11
#define EACCES		13
#define EFAULT		14
#define EBUSY		16
#define EEXIST		17
#define ENODEV		19
#define EINVAL		22
#define ENOTTY		25
#define ENOSPC		28
#define ERANGE		34
#define EOPNOTSUPP	95
#endif

#endif
