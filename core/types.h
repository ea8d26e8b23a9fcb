/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Basic types for the portable hypervisor core.
 *
 * core/ is freestanding C and never includes Linux headers.  Three builds see it:
 *  - the host (unit tests, the tool): the C library's <stdbool.h> and <stddef.h>;
 *  - the module, in a core/ file: Kbuild's -nostdinc hides even the compiler's own
 *    headers, so we define what we need from compiler builtins, exactly as Linux does;
 *  - the module, in a linux/ file that included <linux/types.h> first: Linux's own.
 */
#ifndef SUBZERO_CORE_TYPES_H
#define SUBZERO_CORE_TYPES_H

#include "compiler.h"

#if defined(__KERNEL__) && defined(_LINUX_TYPES_H)
/* Linux glue: the kernel's u8..u64, bool, NULL, BIT() and ARRAY_SIZE() are here. */
#else

#ifdef __KERNEL__
typedef _Bool bool;
enum { false = 0, true = 1 };
typedef __SIZE_TYPE__ size_t;
#define NULL ((void *)0)
#define offsetof(type, member) __builtin_offsetof(type, member)
#else
#include <stdbool.h>
#include <stddef.h>
#endif

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed long long s64;

#define BIT(n)		(1UL << (n))
#define BIT_ULL(n)	(1ULL << (n))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#endif
