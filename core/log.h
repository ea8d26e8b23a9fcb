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

/*
 * The reader's part comes first, in a page of its own, so that a ring inside a vcpu
 * splits into a page the guest may write (the consumer index) and pages it may only
 * read (the producer index and the lines): core/seal.h.  The writer, in root, reads
 * the tail only to see whether the ring is full, never as an index.
 */
#define RING_READER_BYTES	4096

/*
 * A line's severity, the kernel's idea of it and its numbers (KERN_CRIT is 2, KERN_ERR
 * 3, KERN_DEBUG 7), written the kernel's way: a prefix of the format string,
 * log_printf(r, LOG_ERR "..."). The drain logs the line at that level.  A line without
 * one is routine: debug.  What is what:
 *   LOG_CRIT   the hypervisor failed closed (a CPU stopped, the VMCS dump that says why)
 *   LOG_ERR    a refusal or failure that the caller returns as an error
 *   LOG_WARNING  running, but with less than asked for (optional controls missing)
 */
#define LOG_SOH		"\001"
#define LOG_CRIT	LOG_SOH "2"
#define LOG_ERR		LOG_SOH "3"
#define LOG_WARNING	LOG_SOH "4"
#define LOG_LEVEL_CRIT	2
#define LOG_LEVEL_ERR	3
#define LOG_LEVEL_WARNING	4
#define LOG_LEVEL_DEBUG	7

/*
 * head and tail are each written by one side and read by the other, always with
 * __atomic loads and stores (release/acquire: the line before the index); dropped only
 * grows (the writer's count, in the guest read-only part): the reader remembers how
 * many it has reported in dropped_seen (its own part).
 */
struct log_ring {
	u32 tail;			/* next slot to read (reader only) */
	u32 dropped_seen;		/* the reader's: drops it has reported */
	u8 reader_pad[RING_READER_BYTES - 2 * sizeof(u32)];
	u32 head;			/* next slot to write (writer only) */
	u32 dropped;			/* lines the writer found no room for, ever */
	char lines[LOG_LINES][LOG_LINE];
	u64 tsc[LOG_LINES];		/* when each line was written */
	u8 level[LOG_LINES];		/* LOG_LEVEL_* of each line */
};

_Static_assert(__builtin_offsetof(struct log_ring, head) == RING_READER_BYTES,
	       "the log ring's reader part is one page");

/*
 * Format and append one line: %s %c %d %u %x %lx %lu %ld %llx %llu %lld %p %%.  A
 * LOG_CRIT or LOG_ERR prefix of fmt sets the line's level (else LOG_LEVEL_DEBUG).
 */
void log_printf(struct log_ring *r, const char *fmt, ...)
	__printf(2, 3);

/* Take the oldest line into buf (LOG_LINE bytes); false if the ring is empty. */
bool log_take(struct log_ring *r, char *buf);
/* The same, and the TSC at which the line was written into *tsc. */
bool log_take_tsc(struct log_ring *r, char *buf, u64 *tsc);
/* The same, and the line's LOG_LEVEL_* into *level. */
bool log_take_level(struct log_ring *r, char *buf, u64 *tsc, int *level);

/* How many lines were dropped since the last call.  Reader side: writes only its own part. */
u32 log_take_dropped(struct log_ring *r);

/* Format into buf (size bytes, always terminated); returns the length written. */
size_t log_vformat(char *buf, size_t size, const char *fmt, __builtin_va_list ap);
size_t log_format(char *buf, size_t size, const char *fmt, ...)
	__printf(3, 4);

/*
 * The history of drained lines: the last LOG_HIST_LINES lines of every CPU, each with a
 * sequence number that grows by one per line from 0, so a reader can ask "everything
 * from N on" and see what it missed.  Not root-safe, no locking of its own: the OS
 * adds and reads under one lock.
 */
struct log_hist_line {
	u64 seq;
	u64 tsc;
	u32 cpu;
	char text[LOG_LINE];
};

#define LOG_HIST_BYTES	(64 * 1024)
#define LOG_HIST_LINES	(LOG_HIST_BYTES / sizeof(struct log_hist_line))

struct log_hist {
	u64 next_seq;			/* the sequence number the next line gets */
	struct log_hist_line lines[LOG_HIST_LINES];
};

/* Append a line (truncated to LOG_LINE - 1 characters), overwriting the oldest. */
void log_hist_add(struct log_hist *h, u32 cpu, u64 tsc, const char *text);

/* The oldest sequence number still held (== next_seq when empty). */
u64 log_hist_oldest(const struct log_hist *h);

/*
 * Copy up to @max lines with a sequence number >= @from into @out, oldest first, and
 * return how many; *next gets the sequence number to ask for next time.
 */
size_t log_hist_read(const struct log_hist *h, u64 from, struct log_hist_line *out,
		     size_t max, u64 *next);

#endif
