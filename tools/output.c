// SPDX-License-Identifier: GPL-2.0
/*
 * The tool's one output layer: every JSON document the tool prints is written here, so
 * no command writes JSON punctuation (braces, commas, quotes, escapes) itself.  Text
 * output is each command's own printf; what a command prints in JSON goes through
 * jw_*() below, which keeps the layout the tool has always had: a container opened
 * JW_LINES puts each member on its own line, indented two spaces a level; one opened
 * JW_INLINE keeps its members (and everything inside) on one line.  Closing the
 * outermost value ends the line, so `log -f --json` can print one object per line.
 */
#include <stdio.h>
#include <stdlib.h>

#include "output.h"

#define JW_MAX_DEPTH	16

static struct {
	int depth;
	bool first[JW_MAX_DEPTH];	/* no member yet at this level */
	bool inl[JW_MAX_DEPTH];		/* this level is on one line */
	char close[JW_MAX_DEPTH];
} jw;

static void jw_indent(int depth)
{
	printf("\n%*s", 2 * depth, "");
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void jw_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* Separator and key before a member of the current container (@key NULL in arrays). */
static void jw_member(const char *key)
{
	int d = jw.depth;

	if (d) {
		if (!jw.first[d])
			fputs(jw.inl[d] ? ", " : ",", stdout);
		if (!jw.inl[d])
			jw_indent(d);
		jw.first[d] = false;
	}
	if (key && d) {
		jw_string(key);
		fputs(": ", stdout);
	}
}

/* The outermost value is complete: end its line. */
static void jw_value_done(void)
{
	if (!jw.depth)
		putchar('\n');
}

static void jw_open(const char *key, enum jw_style style, char open, char close)
{
	int d;

	jw_member(key);
	putchar(open);
	d = ++jw.depth;
	if (d >= JW_MAX_DEPTH) {
		fputs("subzero: internal error: JSON nested too deep\n", stderr);
		abort();	/* a bug in a command, not a user error */
	}
	jw.first[d] = true;
	jw.inl[d] = style == JW_INLINE || (d > 1 && jw.inl[d - 1]);
	jw.close[d] = close;
}

void jw_obj(const char *key, enum jw_style style)
{
	jw_open(key, style, '{', '}');
}

void jw_arr(const char *key, enum jw_style style)
{
	jw_open(key, style, '[', ']');
}

void jw_end(void)
{
	int d = jw.depth;

	if (!d)
		return;
	if (!jw.inl[d] && !jw.first[d])
		jw_indent(d - 1);
	putchar(jw.close[d]);
	jw.depth--;
	jw_value_done();
}

void jw_u64(const char *key, unsigned long long v)
{
	jw_member(key);
	printf("%llu", v);
	jw_value_done();
}

void jw_s64(const char *key, long long v)
{
	jw_member(key);
	printf("%lld", v);
	jw_value_done();
}

void jw_double(const char *key, double v, int decimals)
{
	jw_member(key);
	printf("%.*f", decimals, v);
	jw_value_done();
}

void jw_bool(const char *key, bool v)
{
	jw_member(key);
	fputs(v ? "true" : "false", stdout);
	jw_value_done();
}

void jw_null(const char *key)
{
	jw_member(key);
	fputs("null", stdout);
	jw_value_done();
}

void jw_str(const char *key, const char *s)
{
	jw_member(key);
	jw_string(s);
	jw_value_done();
}

/* A 64-bit register value as a hex string ("0x1f"; "0" for zero, as printf's %#llx). */
void jw_hex(const char *key, unsigned long long v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%#llx", v);
	jw_str(key, buf);
}
