/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's attribute macros, for core/ (checkpatch wants them, not __attribute__).
 * In the module every file already has them: Kbuild force-includes
 * <linux/compiler_types.h>.  The host builds of core/ (unit tests, the tool) get the
 * same definitions here.
 */
#ifndef SUBZERO_CORE_COMPILER_H
#define SUBZERO_CORE_COMPILER_H

#ifndef __packed
#define __packed		__attribute__((__packed__))
#endif
#ifndef __aligned
#define __aligned(x)		__attribute__((__aligned__(x)))
#endif
#ifndef __printf
#define __printf(a, b)		__attribute__((__format__(printf, a, b)))
#endif
#ifndef __always_inline
#define __always_inline		inline __attribute__((__always_inline__))
#endif
#ifndef noinline
#define noinline		__attribute__((__noinline__))
#endif
#ifndef __noclone
#define __noclone		__attribute__((__noclone__))
#endif
#ifndef __noreturn
#define __noreturn		__attribute__((__noreturn__))
#endif

#endif
