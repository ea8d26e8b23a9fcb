/* SPDX-License-Identifier: GPL-2.0 */
/* The tool's JSON writer (output.c): every JSON document the tool prints goes through it. */
#ifndef SUBZERO_TOOLS_OUTPUT_H
#define SUBZERO_TOOLS_OUTPUT_H

#include <stdbool.h>

enum jw_style { JW_LINES, JW_INLINE };

/* Open an object / array; @key is NULL at the top and inside arrays. */
void jw_obj(const char *key, enum jw_style style);
void jw_arr(const char *key, enum jw_style style);
void jw_end(void);
void jw_u64(const char *key, unsigned long long v);
void jw_s64(const char *key, long long v);
void jw_double(const char *key, double v, int decimals);
void jw_bool(const char *key, bool v);
void jw_null(const char *key);
void jw_str(const char *key, const char *s);
void jw_hex(const char *key, unsigned long long v);

#endif
