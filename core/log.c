// SPDX-License-Identifier: GPL-2.0
/* The per-CPU log ring, its small, freestanding formatter, and the drained history. */
#include "log.h"
#include <cpu_ops.h>

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_num(struct out *o, unsigned long long v, unsigned int base, bool neg)
{
	char tmp[24];
	int n = 0;

	if (neg)
		put(o, '-');
	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n)
		put(o, tmp[--n]);
}

size_t log_vformat(char *buf, size_t size, const char *fmt, __builtin_va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		int lng = 0;
		unsigned long long u;
		long long s;
		const char *str;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		while (*fmt == 'l') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
			s = lng ? (lng > 1 ? __builtin_va_arg(ap, long long) :
				   __builtin_va_arg(ap, long)) : __builtin_va_arg(ap, int);
			put_num(&o, s < 0 ? -(unsigned long long)s : (unsigned long long)s, 10,
				s < 0);
			break;
		case 'u':
		case 'x':
			u = lng ? (lng > 1 ? __builtin_va_arg(ap, unsigned long long) :
				   __builtin_va_arg(ap, unsigned long)) :
				  __builtin_va_arg(ap, unsigned int);
			put_num(&o, u, *fmt == 'u' ? 10 : 16, false);
			break;
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			put_num(&o, (unsigned long)__builtin_va_arg(ap, void *), 16, false);
			break;
		case 's':
			str = __builtin_va_arg(ap, const char *);
			for (str = str ? str : "(null)"; *str; str++)
				put(&o, *str);
			break;
		case 'c':
			put(&o, (char)__builtin_va_arg(ap, int));
			break;
		case '%':
			put(&o, '%');
			break;
		default:
			put(&o, '?');
			if (!*fmt)
				fmt--;
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len;
}

size_t log_format(char *buf, size_t size, const char *fmt, ...)
{
	__builtin_va_list ap;
	size_t n;

	__builtin_va_start(ap, fmt);
	n = log_vformat(buf, size, fmt, ap);
	__builtin_va_end(ap);
	return n;
}

void log_printf(struct log_ring *r, const char *fmt, ...)
{
	__builtin_va_list ap;
	u32 head = r->head;

	/* Acquire: the reader is done with a slot before it moves tail past it. */
	if (head - __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) >= LOG_LINES) {
		__atomic_fetch_add(&r->dropped, 1, __ATOMIC_RELAXED);
		return;
	}
	r->tsc[head % LOG_LINES] = cpu_rdtsc();
	r->level[head % LOG_LINES] = LOG_LEVEL_DEBUG;
	if (fmt[0] == LOG_SOH[0] && fmt[1] >= '0' && fmt[1] <= '7') {
		r->level[head % LOG_LINES] = fmt[1] - '0';
		fmt += 2;
	}
	__builtin_va_start(ap, fmt);
	log_vformat(r->lines[head % LOG_LINES], LOG_LINE, fmt, ap);
	__builtin_va_end(ap);
	__atomic_store_n(&r->head, head + 1, __ATOMIC_RELEASE);
}

bool log_take_level(struct log_ring *r, char *buf, u64 *tsc, int *level)
{
	u32 tail = r->tail, i;

	if (tail == __atomic_load_n(&r->head, __ATOMIC_ACQUIRE))
		return false;
	for (i = 0; i < LOG_LINE; i++)
		buf[i] = r->lines[tail % LOG_LINES][i];
	buf[LOG_LINE - 1] = '\0';
	*tsc = r->tsc[tail % LOG_LINES];
	*level = r->level[tail % LOG_LINES];
	__atomic_store_n(&r->tail, tail + 1, __ATOMIC_RELEASE);
	return true;
}

bool log_take_tsc(struct log_ring *r, char *buf, u64 *tsc)
{
	int level;

	return log_take_level(r, buf, tsc, &level);
}

u32 log_take_dropped(struct log_ring *r)
{
	u32 now = __atomic_load_n(&r->dropped, __ATOMIC_RELAXED);
	u32 n = now - r->dropped_seen;

	r->dropped_seen = now;
	return n;
}

bool log_take(struct log_ring *r, char *buf)
{
	u64 tsc;

	return log_take_tsc(r, buf, &tsc);
}

/* ---- the history ---- */

void log_hist_add(struct log_hist *h, u32 cpu, u64 tsc, const char *text)
{
	struct log_hist_line *l = &h->lines[h->next_seq % LOG_HIST_LINES];
	size_t i;

	l->seq = h->next_seq++;
	l->tsc = tsc;
	l->cpu = cpu;
	for (i = 0; i < LOG_LINE - 1 && text[i]; i++)
		l->text[i] = text[i];
	for (; i < LOG_LINE; i++)
		l->text[i] = '\0';
}

u64 log_hist_oldest(const struct log_hist *h)
{
	return h->next_seq > LOG_HIST_LINES ? h->next_seq - LOG_HIST_LINES : 0;
}

size_t log_hist_read(const struct log_hist *h, u64 from, struct log_hist_line *out,
		     size_t max, u64 *next)
{
	u64 seq = from < log_hist_oldest(h) ? log_hist_oldest(h) : from;
	size_t n = 0;

	for (; seq < h->next_seq && n < max; seq++, n++)
		out[n] = h->lines[seq % LOG_HIST_LINES];
	/* Asked beyond the end: continue from the end, not from the future. */
	*next = seq < h->next_seq ? seq : h->next_seq;
	return n;
}
