// SPDX-License-Identifier: GPL-2.0
/* The fake OS layer for host unit tests, with allocation-failure injection. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "log.h"
#include "os.h"
#include "fake_cpu.h"
#include "fake_os.h"

static long allocs;
static int fail_countdown = -1;

void fake_os_fail_alloc_after(int n)
{
	fail_countdown = n;
}

static bool fail_now(void)
{
	if (fail_countdown < 0)
		return false;
	return fail_countdown-- == 0;
}

static u8 *arena, *arena_next, *arena_end;

void fake_os_page_arena(void *base, size_t size)
{
	arena = arena_next = base;
	arena_end = arena ? arena + size : NULL;
}

static bool in_arena(const void *p)
{
	return arena && (const u8 *)p >= arena && (const u8 *)p < arena_end;
}

void *os_alloc_pages(unsigned int order, u64 *pa)
{
	void *p;

	if (fail_now())
		return NULL;
	if (arena) {
		if ((size_t)(arena_end - arena_next) < 4096UL << order)
			return NULL;
		p = arena_next;
		arena_next += 4096UL << order;
	} else {
		p = aligned_alloc(4096, 4096UL << order);
	}
	if (!p)
		return NULL;
	memset(p, 0, 4096UL << order);
	*pa = (u64)p;		/* identity "physical" addresses */
	allocs++;
	return p;
}

void os_free_pages(void *va, unsigned int order)
{
	(void)order;
	if (!va)
		return;
	if (!in_arena(va))	/* arena pages are not reused */
		free(va);
	allocs--;
}

void *os_zalloc(size_t size)
{
	void *p;

	if (fail_now())
		return NULL;
	p = calloc(1, size);
	if (p)
		allocs++;
	return p;
}

void os_free(void *p)
{
	if (!p)
		return;
	free(p);
	allocs--;
}

long os_alloc_count(void)
{
	return allocs;
}

void *os_phys_to_virt(u64 pa)
{
	return (void *)pa;	/* identity "physical" addresses */
}

int os_rdmsr_safe(u32 msr, u64 *val)
{
	return fake_cpu_rdmsr_safe(msr, val) ? -EIO : 0;
}

void os_self_nmi(void)
{
	fake_cpu.self_nmis++;
}


static u64 host_cr3 = 0x1234000;

void fake_os_set_host_cr3(u64 cr3)
{
	host_cr3 = cr3;
}

u64 os_host_cr3(void)
{
	return host_cr3;
}

struct fake_os_stops fake_os_stop;

void os_vmx_failed(struct log_ring *log, const char *why)
{
	char line[LOG_LINE];

	while (log_take(log, line))
		fake_os_stop.lines++;
	snprintf(fake_os_stop.why, sizeof(fake_os_stop.why), "%s", why);
	fake_os_stop.vmx_failed++;
	if (!fake_os_stop.armed)
		abort();
	fake_os_stop.armed = false;
	longjmp(fake_os_stop.jmp, 1);
}

void os_init_self(void)
{
	fake_os_stop.init_self++;
	if (!fake_os_stop.armed)
		abort();
	fake_os_stop.armed = false;
	longjmp(fake_os_stop.jmp, 1);
}

void os_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
