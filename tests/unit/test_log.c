// SPDX-License-Identifier: GPL-2.0
/* Unit tests for core/log.c: the ring's timestamps and the history of drained lines. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "log.h"

static struct log_hist h;

static void test_ring_keeps_tsc(void **state)
{
	static struct log_ring r;
	char line[LOG_LINE];
	u64 t1, t2;

	(void)state;
	log_printf(&r, "one");
	log_printf(&r, "two");
	assert_true(log_take_tsc(&r, line, &t1));
	assert_string_equal(line, "one");
	assert_true(log_take_tsc(&r, line, &t2));
	assert_string_equal(line, "two");
	assert_true(t2 > t1);
	assert_false(log_take_tsc(&r, line, &t1));
}

/* A LOG_CRIT/LOG_ERR prefix sets the level and is not part of the line; none: debug. */
static void test_ring_levels(void **state)
{
	static struct log_ring r;
	char line[LOG_LINE];
	int level = -1;
	u64 tsc;

	(void)state;
	log_printf(&r, LOG_CRIT "CPU %u: stopped", 1u);
	log_printf(&r, LOG_ERR "CPU %u: refused", 0u);
	log_printf(&r, "routine %d", 5);
	log_printf(&r, "\001x not a level");
	assert_true(log_take_level(&r, line, &tsc, &level));
	assert_string_equal(line, "CPU 1: stopped");
	assert_int_equal(level, LOG_LEVEL_CRIT);
	assert_true(log_take_level(&r, line, &tsc, &level));
	assert_string_equal(line, "CPU 0: refused");
	assert_int_equal(level, LOG_LEVEL_ERR);
	assert_true(log_take_level(&r, line, &tsc, &level));
	assert_string_equal(line, "routine 5");
	assert_int_equal(level, LOG_LEVEL_DEBUG);
	assert_true(log_take_level(&r, line, &tsc, &level));
	assert_string_equal(line, "\001x not a level");
	assert_int_equal(level, LOG_LEVEL_DEBUG);
	assert_false(log_take_level(&r, line, &tsc, &level));
}

static void test_hist_empty(void **state)
{
	struct log_hist_line out[4];
	u64 next = 99;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_int_equal(log_hist_oldest(&h), 0);
	assert_int_equal(log_hist_read(&h, 0, out, 4, &next), 0);
	assert_int_equal(next, 0);
	/* from the future: told where the end is */
	assert_int_equal(log_hist_read(&h, 1000, out, 4, &next), 0);
	assert_int_equal(next, 0);
}

static void test_hist_batches_in_order(void **state)
{
	struct log_hist_line out[4];
	char text[LOG_LINE];
	u64 next;

	(void)state;
	memset(&h, 0, sizeof(h));
	for (int i = 0; i < 10; i++) {
		snprintf(text, sizeof(text), "line %d", i);
		log_hist_add(&h, i % 2, 1000 + i, text);
	}
	assert_int_equal(log_hist_read(&h, 0, out, 4, &next), 4);
	assert_int_equal(next, 4);
	assert_int_equal(out[0].seq, 0);
	assert_string_equal(out[3].text, "line 3");
	assert_int_equal(out[3].cpu, 1);
	assert_int_equal(out[3].tsc, 1003);
	assert_int_equal(log_hist_read(&h, next, out, 4, &next), 4);
	assert_int_equal(log_hist_read(&h, next, out, 4, &next), 2);
	assert_string_equal(out[1].text, "line 9");
	assert_int_equal(next, 10);
	assert_int_equal(log_hist_read(&h, next, out, 4, &next), 0);
	assert_int_equal(next, 10);
}

/* A full history drops the oldest lines; a reader behind them resumes at the oldest. */
static void test_hist_overwrites_oldest(void **state)
{
	struct log_hist_line out[2];
	char text[LOG_LINE];
	u64 next, n = LOG_HIST_LINES + 5;

	(void)state;
	memset(&h, 0, sizeof(h));
	for (u64 i = 0; i < n; i++) {
		snprintf(text, sizeof(text), "%llu", i);
		log_hist_add(&h, 0, i, text);
	}
	assert_int_equal(log_hist_oldest(&h), 5);
	assert_int_equal(log_hist_read(&h, 0, out, 2, &next), 2);
	assert_int_equal(out[0].seq, 5);
	assert_string_equal(out[0].text, "5");
	assert_int_equal(next, 7);
	assert_int_equal(log_hist_read(&h, n - 1, out, 2, &next), 1);
	assert_int_equal(out[0].seq, n - 1);
	assert_true(sizeof(h.lines) <= LOG_HIST_BYTES);
}

/* Lines are cut to LOG_LINE - 1 characters and always terminated. */
static void test_hist_truncates(void **state)
{
	struct log_hist_line out[1];
	char text[2 * LOG_LINE];
	u64 next;

	(void)state;
	memset(&h, 0, sizeof(h));
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	log_hist_add(&h, 3, 0, text);
	assert_int_equal(log_hist_read(&h, 0, out, 1, &next), 1);
	assert_int_equal(strlen(out[0].text), LOG_LINE - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_keeps_tsc),
		cmocka_unit_test(test_ring_levels),
		cmocka_unit_test(test_hist_empty),
		cmocka_unit_test(test_hist_batches_in_order),
		cmocka_unit_test(test_hist_overwrites_oldest),
		cmocka_unit_test(test_hist_truncates),
	};

	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
