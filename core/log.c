// SPDX-License-Identifier: GPL-2.0
/* The per-CPU log ring and its small, freestanding formatter. */
#include "log.h"

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

	if (head - r->tail >= LOG_LINES) {
		r->dropped++;
		return;
	}
	__builtin_va_start(ap, fmt);
	log_vformat(r->lines[head % LOG_LINES], LOG_LINE, fmt, ap);
	__builtin_va_end(ap);
	__atomic_store_n(&r->head, head + 1, __ATOMIC_RELEASE);
}

bool log_take(struct log_ring *r, char *buf)
{
	u32 tail = r->tail, i;

	if (tail == __atomic_load_n(&r->head, __ATOMIC_ACQUIRE))
		return false;
	for (i = 0; i < LOG_LINE; i++)
		buf[i] = r->lines[tail % LOG_LINES][i];
	buf[LOG_LINE - 1] = '\0';
	__atomic_store_n(&r->tail, tail + 1, __ATOMIC_RELEASE);
	return true;
}
