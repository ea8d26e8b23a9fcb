/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypervisor's own memcpy and memset.  Code that runs in VMX root calls nothing in
 * the kernel it hosts (the kernel's text is guest memory), and the compiler turns a
 * __builtin_memcpy() it cannot inline into a call to the kernel's memcpy.  These are
 * REP MOVSB / REP STOSB in line: no call at all.  scripts/root-symbols.sh checks that
 * no root object imports memcpy or memset.
 */
#ifndef SUBZERO_LIB_H
#define SUBZERO_LIB_H

#include "types.h"

static __always_inline void *sz_memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;

	asm volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dst;
}

static __always_inline void *sz_memset(void *dst, int c, size_t n)
{
	void *d = dst;

	asm volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}

#endif
