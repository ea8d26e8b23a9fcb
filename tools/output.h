/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tool's output layer (output.c): every command describes what it prints once,
 * and this layer writes it as text or as JSON, whichever main.c chose from --json.
 *
 * A command gives values with their JSON keys, inside objects and arrays:
 *
 *	out_obj(NULL, OUT_INLINE);
 *	out_u64("cpu", 3);
 *	out_bool("virtualized", true);
 *	out_text("CPU {cpu}: {virtualized}\n");
 *	out_end();
 *
 * prints {"cpu": 3, "virtualized": true} in JSON and "CPU 3: yes" in text.
 *
 * In JSON, out_text() prints nothing and every value is written with its key.  In
 * text, values print nothing by themselves: out_text() prints its printf format, in
 * which {key} (or {key:spec}) is replaced by that value's text, looked up in the
 * innermost open object or array first, then in the ones around it; {} is the value
 * given last in the innermost one (an array's element, a key made at run time).  spec is printf's flags, width,
 * precision and conversion without the length ({exits:12}, {cr0:#x}, {up:.3f}); by
 * default a number prints as %llu / %lld / %.<decimals>f, a hex value as %#llx, a bool
 * as its two words (out_bool_text) or yes/no, a string as itself.  So a value only
 * JSON shows is simply not named in any text, and words only the text has are
 * out_text()'s own.  A printf argument of out_text() must not contain '{'.
 *
 * JSON layout: a container opened OUT_LINES puts each member on its own line,
 * indented two spaces a level; one opened OUT_INLINE keeps its members (and all
 * inside) on one line.  Closing the outermost value ends the line, so `log -f --json`
 * prints one object per line.
 */
#ifndef SUBZERO_TOOLS_OUTPUT_H
#define SUBZERO_TOOLS_OUTPUT_H

#include <stdbool.h>

enum out_mode { OUT_TEXT, OUT_JSON };
enum out_style { OUT_LINES, OUT_INLINE };

/* Set once per run by main.c's option parsing (--json); also starts afresh. */
void out_set_mode(enum out_mode mode);

/* Open an object / array; @key is NULL at the top and inside arrays. */
void out_obj(const char *key, enum out_style style);
void out_arr(const char *key, enum out_style style);
void out_end(void);

/* Values; @key NULL inside arrays. */
void out_u64(const char *key, unsigned long long v);
void out_s64(const char *key, long long v);
void out_double(const char *key, double v, int decimals);
void out_bool(const char *key, bool v);
/* A bool whose text is one of two wordings (NULL: yes / no). */
void out_bool_text(const char *key, bool v, const char *yes, const char *no);
void out_str(const char *key, const char *s);		/* @s NULL: out_null() */
void out_null(const char *key);				/* "unknown" in text */
/* A 64-bit register value: "0x1f" in JSON ("0" for zero, as %#llx), a number in text. */
void out_hex(const char *key, unsigned long long v);
/* A symbol: @json in JSON, worded @text in text. */
void out_word(const char *key, const char *json, const char *text);

/* Text only; see above.  Prints nothing in JSON. */
void out_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
