/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-CPU log ring.  Code in VMX root may not printk (the guest may hold the
 * console lock: gbhv deadlocked that way), so it formats into this ring, lock-free
 * (one writer: the CPU itself, in root; one reader: the OS, draining from normal
 * context into its own log).  A full ring drops the newest lines and counts them.
 */
#ifndef SUBZERO_LOG_H
#define SUBZERO_LOG_H

#include "types.h"

#define LOG_LINE	160
#define LOG_LINES	128		/* a power of two */

struct log_ring {
	volatile u32 head;		/* next slot to write (writer only) */
	volatile u32 tail;		/* next slot to read (reader only) */
	volatile u32 dropped;
	char lines[LOG_LINES][LOG_LINE];
};

/* Format and append one line: %s %c %d %u %x %lx %lu %ld %llx %llu %lld %p %%. */
void log_printf(struct log_ring *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Take the oldest line into buf (LOG_LINE bytes); false if the ring is empty. */
bool log_take(struct log_ring *r, char *buf);

/* Format into buf (size bytes, always terminated); returns the length written. */
size_t log_vformat(char *buf, size_t size, const char *fmt, __builtin_va_list ap);
size_t log_format(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
