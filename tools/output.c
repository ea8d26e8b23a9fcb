// SPDX-License-Identifier: GPL-2.0
/*
 * The tool's one output layer (the contract is in output.h): commands describe their
 * values once, with JSON keys and a text template; this file writes JSON (every
 * brace, comma, quote and escape the tool prints) or fills the text templates.  In
 * text mode each open object or array keeps its values until it ends, for the
 * templates to name.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

#define OUT_MAX_DEPTH	16

enum val_type { V_U64, V_S64, V_DOUBLE, V_HEX, V_STR };

/* A value kept for the text: its key ("" without one) and what it is. */
struct val {
	char *key;
	enum val_type type;
	unsigned long long u;
	long long s;
	double d;
	int decimals;
	char *str;
};

struct frame {
	bool first;		/* JSON: no member yet */
	bool inl;		/* JSON: on one line */
	char close;
	struct val *vals;	/* text: the values given so far */
	size_t nvals, cap;
};

static struct {
	enum out_mode mode;
	int depth;
	struct frame f[OUT_MAX_DEPTH];	/* f[0]: outside any container */
} sz_out;

static void internal_error(const char *what, const char *detail)
{
	/* a bug in a command, not a user error */
	fprintf(stderr, "subzero: internal error: %s%s\n", what, detail);
	abort();
}

static void drop_vals(struct frame *f)
{
	size_t i;

	for (i = 0; i < f->nvals; i++) {
		free(f->vals[i].key);
		free(f->vals[i].str);
	}
	free(f->vals);
	f->vals = NULL;
	f->nvals = f->cap = 0;
}

void out_set_mode(enum out_mode mode)
{
	while (sz_out.depth >= 0 && sz_out.depth < OUT_MAX_DEPTH)
		drop_vals(&sz_out.f[sz_out.depth--]);
	sz_out.depth = 0;
	sz_out.mode = mode;
}

static char *dup_or_die(const char *s)
{
	char *d = strdup(s);

	if (!d)
		internal_error("out of memory", "");
	return d;
}

/* Text mode: keep a value for the templates. */
static struct val *keep(const char *key, enum val_type type)
{
	struct frame *f = &sz_out.f[sz_out.depth];
	struct val *v;

	if (f->nvals == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 16;
		f->vals = realloc(f->vals, f->cap * sizeof(*f->vals));
		if (!f->vals)
			internal_error("out of memory", "");
	}
	v = &f->vals[f->nvals++];
	*v = (struct val){ .key = dup_or_die(key ? key : ""), .type = type };
	return v;
}

/* ---- JSON ---- */

static void json_indent(int depth)
{
	printf("\n%*s", 2 * depth, "");
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void json_string(const char *s)
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
static void json_member(const char *key)
{
	struct frame *f = &sz_out.f[sz_out.depth];

	if (sz_out.depth) {
		if (!f->first)
			fputs(f->inl ? ", " : ",", stdout);
		if (!f->inl)
			json_indent(sz_out.depth);
		f->first = false;
	}
	if (key && sz_out.depth) {
		json_string(key);
		fputs(": ", stdout);
	}
}

/* The outermost value is complete: end its line. */
static void json_value_done(void)
{
	if (!sz_out.depth)
		putchar('\n');
}

/* ---- containers ---- */

static void open_container(const char *key, enum out_style style, char open, char close)
{
	struct frame *f;

	if (sz_out.mode == OUT_JSON) {
		json_member(key);
		putchar(open);
	}
	if (sz_out.depth + 1 >= OUT_MAX_DEPTH)
		internal_error("output nested too deep", "");
	f = &sz_out.f[++sz_out.depth];
	*f = (struct frame){ .first = true, .close = close,
			     .inl = style == OUT_INLINE || (sz_out.depth > 1 && sz_out.f[sz_out.depth - 1].inl) };
}

void out_obj(const char *key, enum out_style style)
{
	open_container(key, style, '{', '}');
}

void out_arr(const char *key, enum out_style style)
{
	open_container(key, style, '[', ']');
}

void out_end(void)
{
	struct frame *f = &sz_out.f[sz_out.depth];

	if (!sz_out.depth)
		return;
	drop_vals(f);
	if (sz_out.mode == OUT_TEXT) {
		sz_out.depth--;
		return;
	}
	if (!f->inl && !f->first)
		json_indent(sz_out.depth - 1);
	putchar(f->close);
	sz_out.depth--;
	json_value_done();
}

/* ---- values ---- */

/* JSON: the key, then the caller prints the value; text: false (keep it instead). */
static bool json_begin(const char *key)
{
	if (sz_out.mode != OUT_JSON)
		return false;
	json_member(key);
	return true;
}

void out_u64(const char *key, unsigned long long v)
{
	if (json_begin(key)) {
		printf("%llu", v);
		json_value_done();
	} else {
		keep(key, V_U64)->u = v;
	}
}

void out_s64(const char *key, long long v)
{
	if (json_begin(key)) {
		printf("%lld", v);
		json_value_done();
	} else {
		keep(key, V_S64)->s = v;
	}
}

void out_double(const char *key, double v, int decimals)
{
	struct val *k;

	if (json_begin(key)) {
		printf("%.*f", decimals, v);
		json_value_done();
		return;
	}
	k = keep(key, V_DOUBLE);
	k->d = v;
	k->decimals = decimals;
}

/* A value whose JSON is a literal word (true, false, null) and whose text is @text. */
static void literal(const char *key, const char *json, const char *text)
{
	if (json_begin(key)) {
		fputs(json, stdout);
		json_value_done();
	} else {
		keep(key, V_STR)->str = dup_or_die(text);
	}
}

void out_bool_text(const char *key, bool v, const char *yes, const char *no)
{
	literal(key, v ? "true" : "false", v ? yes ?: "yes" : no ?: "no");
}

void out_bool(const char *key, bool v)
{
	out_bool_text(key, v, NULL, NULL);
}

void out_null(const char *key)
{
	literal(key, "null", "unknown");
}

void out_word(const char *key, const char *json, const char *text)
{
	if (json_begin(key)) {
		json_string(json);
		json_value_done();
	} else {
		keep(key, V_STR)->str = dup_or_die(text);
	}
}

void out_str(const char *key, const char *s)
{
	if (!s)
		out_null(key);
	else
		out_word(key, s, s);
}

void out_hex(const char *key, unsigned long long v)
{
	char buf[24];

	if (sz_out.mode == OUT_JSON) {
		snprintf(buf, sizeof(buf), "%#llx", v);
		out_word(key, buf, buf);
	} else {
		keep(key, V_HEX)->u = v;
	}
}

/* ---- text ---- */

static const struct val *find(const char *key)
{
	int d;
	size_t i;

	if (!*key && sz_out.f[sz_out.depth].nvals)	/* {}: the value given last */
		return &sz_out.f[sz_out.depth].vals[sz_out.f[sz_out.depth].nvals - 1];
	for (d = sz_out.depth; d >= 0; d--)
		for (i = sz_out.f[d].nvals; i-- > 0;)
			if (!strcmp(sz_out.f[d].vals[i].key, key))
				return &sz_out.f[d].vals[i];
	internal_error("no value for text {", key);
	return NULL;
}

/*
 * Print @v as {key:spec} asks: @spec is printf's flags, width and precision, then
 * maybe the conversion; the length modifier is this function's.
 */
static void print_val(const struct val *v, const char *spec)
{
	static const char *const convs[] = {
		[V_U64] = "uxXo", [V_S64] = "d", [V_DOUBLE] = "feg", [V_HEX] = "uxXo",
		[V_STR] = "s",
	};
	char fmt[32], conv = 0;
	size_t n = strlen(spec);

	if (strspn(spec, "-+ #0123456789.") < n) {
		conv = spec[n - 1];
		n--;
		if (strspn(spec, "-+ #0123456789.") < n || !strchr(convs[v->type], conv))
			internal_error("bad text spec ", spec);
	}
	if (n > 16)
		internal_error("bad text spec ", spec);
	switch (v->type) {
	case V_U64:
	case V_HEX:
		if (!n && !conv && v->type == V_HEX)
			spec = "#", n = 1, conv = 'x';
		snprintf(fmt, sizeof(fmt), "%%%.*sll%c", (int)n, spec, conv ?: 'u');
		printf(fmt, v->u);
		break;
	case V_S64:
		snprintf(fmt, sizeof(fmt), "%%%.*slld", (int)n, spec);
		printf(fmt, v->s);
		break;
	case V_DOUBLE:
		if (n)
			snprintf(fmt, sizeof(fmt), "%%%.*s%c", (int)n, spec, conv ?: 'f');
		else
			snprintf(fmt, sizeof(fmt), "%%.%d%c", v->decimals, conv ?: 'f');
		printf(fmt, v->d);
		break;
	case V_STR:
		snprintf(fmt, sizeof(fmt), "%%%.*ss", (int)n, spec);
		printf(fmt, v->str);
		break;
	}
}

void out_text(const char *fmt, ...)
{
	char *s, *p, *end, *colon;
	va_list ap;
	int n;

	if (sz_out.mode != OUT_TEXT)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	s = n < 0 ? NULL : malloc(n + 1);
	if (!s)
		internal_error("out of memory", "");
	va_start(ap, fmt);
	vsnprintf(s, n + 1, fmt, ap);
	va_end(ap);
	for (p = s; (end = strchr(p, '{')); p = end + 1) {
		fwrite(p, 1, end - p, stdout);
		p = end + 1;
		end = strchr(p, '}');
		if (!end)
			internal_error("unclosed { in text: ", s);
		*end = '\0';
		colon = strchr(p, ':');
		if (colon)
			*colon = '\0';
		print_val(find(p), colon ? colon + 1 : "");
	}
	fputs(p, stdout);
	free(s);
}
