/* test_date.c - unit tests for date.c: strict parsing, ages, day arithmetic. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "date.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct date D(int y, int m, int d)
{
	struct date x = { y, m, d };
	return x;
}

static void test_date_parse_table(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		int rc;
		int y, m, d;
	} cases[] = {
		{ "2024-01-05", DATE_OK, 2024, 1, 5 },
		{ "1985-07-23", DATE_OK, 1985, 7, 23 },
		{ "2024-02-29", DATE_OK, 2024, 2, 29 },
		{ "2000-02-29", DATE_OK, 2000, 2, 29 },
		{ "1900-01-01", DATE_OK, 1900, 1, 1 },
		{ "9999-12-31", DATE_OK, 9999, 12, 31 },
		{ "2024-12-31", DATE_OK, 2024, 12, 31 },
		{ "2023-02-29", DATE_NOT_REAL, 0, 0, 0 },
		{ "1900-02-29", DATE_NOT_REAL, 0, 0, 0 }, /* 1900 is not a leap year */
		{ "2100-02-29", DATE_NOT_REAL, 0, 0, 0 },
		{ "2024-04-31", DATE_NOT_REAL, 0, 0, 0 },
		{ "2024-06-31", DATE_NOT_REAL, 0, 0, 0 },
		{ "2024-13-01", DATE_NOT_REAL, 0, 0, 0 },
		{ "2024-00-10", DATE_NOT_REAL, 0, 0, 0 },
		{ "2024-01-00", DATE_NOT_REAL, 0, 0, 0 },
		{ "2024-01-32", DATE_NOT_REAL, 0, 0, 0 },
		{ "2024-1-5", DATE_BAD_FORMAT, 0, 0, 0 },
		{ "2024-01-5", DATE_BAD_FORMAT, 0, 0, 0 },
		{ "2024-01-05T00:00Z", DATE_BAD_FORMAT, 0, 0, 0 },
		{ "2024-01-05 ", DATE_BAD_FORMAT, 0, 0, 0 },
		{ " 2024-01-05", DATE_BAD_FORMAT, 0, 0, 0 },
		{ "", DATE_BAD_FORMAT, 0, 0, 0 },
		{ "2024/01/05", DATE_BAD_FORMAT, 0, 0, 0 },
		{ "05-01-2024", DATE_BAD_FORMAT, 0, 0, 0 },
		{ "+024-01-05", DATE_BAD_FORMAT, 0, 0, 0 },
		{ "2024-+1-05", DATE_BAD_FORMAT, 0, 0, 0 },
		{ "abcd-ef-gh", DATE_BAD_FORMAT, 0, 0, 0 },
		{ "0000-01-01", DATE_OUT_OF_RANGE, 0, 0, 0 },
		{ "1899-12-31", DATE_OUT_OF_RANGE, 0, 0, 0 },
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct date d = { -1, -1, -1 };
		int rc = date_parse(cases[i].text, &d);
		if (rc != cases[i].rc)
			fail_msg("date_parse(\"%s\") = %d, expected %d", cases[i].text, rc,
				 cases[i].rc);
		if (rc == DATE_OK) {
			assert_int_equal(d.year, cases[i].y);
			assert_int_equal(d.month, cases[i].m);
			assert_int_equal(d.day, cases[i].d);
		} else {
			/* *out is left alone on failure. */
			assert_int_equal(d.year, -1);
		}
	}
}

static void test_date_age_table(void **state)
{
	(void)state;
	static const struct {
		struct date birth, on;
		int age;
	} cases[] = {
		{ { 2000, 6, 15 }, { 2018, 6, 15 }, 18 }, /* 18th birthday */
		{ { 2000, 6, 15 }, { 2018, 6, 14 }, 17 }, /* the day before */
		{ { 2000, 6, 15 }, { 2018, 5, 31 }, 17 },
		{ { 2000, 6, 15 }, { 2018, 7, 1 }, 18 },
		{ { 2000, 12, 31 }, { 2018, 12, 31 }, 18 },
		{ { 2000, 12, 31 }, { 2018, 12, 30 }, 17 },
		{ { 2000, 1, 1 }, { 2000, 1, 1 }, 0 },
		{ { 2000, 1, 1 }, { 2000, 12, 31 }, 0 },
		{ { 1985, 7, 23 }, { 2024, 7, 22 }, 38 },
		{ { 1985, 7, 23 }, { 2024, 7, 23 }, 39 },
		/* 29 February births count on 1 March in common years. */
		{ { 2000, 2, 29 }, { 2018, 2, 28 }, 17 },
		{ { 2000, 2, 29 }, { 2018, 3, 1 }, 18 },
		{ { 2004, 2, 29 }, { 2022, 2, 28 }, 17 },
		{ { 2004, 2, 29 }, { 2022, 3, 1 }, 18 },
		{ { 2004, 2, 29 }, { 2024, 2, 28 }, 19 },
		{ { 2004, 2, 29 }, { 2024, 2, 29 }, 20 },
	};

	for (size_t i = 0; i < N(cases); i++) {
		int age = date_age(cases[i].birth, cases[i].on);
		if (age != cases[i].age)
			fail_msg("case %zu: age %d, expected %d", i, age, cases[i].age);
	}
}

static void test_date_add_days_table(void **state)
{
	(void)state;
	static const struct {
		struct date from;
		int days;
		struct date to;
	} cases[] = {
		{ { 2024, 1, 1 }, 0, { 2024, 1, 1 } },
		{ { 2024, 1, 31 }, 1, { 2024, 2, 1 } },
		{ { 2024, 2, 28 }, 1, { 2024, 2, 29 } },
		{ { 2024, 2, 29 }, 1, { 2024, 3, 1 } },
		{ { 2023, 2, 28 }, 1, { 2023, 3, 1 } },
		{ { 2023, 12, 31 }, 1, { 2024, 1, 1 } },
		{ { 2024, 12, 25 }, 10, { 2025, 1, 4 } },
		{ { 2024, 1, 1 }, 366, { 2025, 1, 1 } },
		{ { 2023, 1, 1 }, 365, { 2024, 1, 1 } },
		{ { 2024, 6, 15 }, 731, { 2026, 6, 16 } },
		{ { 2024, 3, 1 }, -1, { 2024, 2, 29 } },
		{ { 2023, 3, 1 }, -1, { 2023, 2, 28 } },
		{ { 2024, 1, 1 }, -1, { 2023, 12, 31 } },
		{ { 2024, 7, 1 }, -10, { 2024, 6, 21 } },
		{ { 2024, 1, 5 }, -7, { 2023, 12, 29 } },
		{ { 2000, 3, 1 }, -1, { 2000, 2, 29 } },
		{ { 1900, 3, 1 }, -1, { 1900, 2, 28 } },
		{ { 1970, 1, 1 }, -1, { 1969, 12, 31 } },
		{ { 9999, 12, 30 }, 1, { 9999, 12, 31 } },
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct date got = date_add_days(cases[i].from, cases[i].days);
		if (date_cmp(got, cases[i].to) != 0)
			fail_msg("case %zu: %04d-%02d-%02d %+d days gave %04d-%02d-%02d", i,
				 cases[i].from.year, cases[i].from.month, cases[i].from.day,
				 cases[i].days, got.year, got.month, got.day);
	}
}

static void test_date_add_days_round_trip(void **state)
{
	(void)state;
	/* Adding then subtracting comes back, across a few leap cycles. */
	struct date start = D(1999, 11, 17);
	for (int days = -2000; days <= 2000; days += 37) {
		struct date there = date_add_days(start, days);
		assert_int_equal(date_cmp(date_add_days(there, -days), start), 0);
		assert_true(there.month >= 1 && there.month <= 12);
		assert_true(there.day >= 1 && there.day <= 31);
	}
}

static void test_date_cmp(void **state)
{
	(void)state;
	assert_int_equal(date_cmp(D(2024, 1, 5), D(2024, 1, 5)), 0);
	assert_true(date_cmp(D(2024, 1, 5), D(2024, 1, 6)) < 0);
	assert_true(date_cmp(D(2024, 1, 6), D(2024, 1, 5)) > 0);
	assert_true(date_cmp(D(2024, 1, 31), D(2024, 2, 1)) < 0);
	assert_true(date_cmp(D(2024, 2, 1), D(2024, 1, 31)) > 0);
	assert_true(date_cmp(D(2023, 12, 31), D(2024, 1, 1)) < 0);
	assert_true(date_cmp(D(2024, 1, 1), D(2023, 12, 31)) > 0);
	/* Year wins over month and day. */
	assert_true(date_cmp(D(2023, 12, 31), D(2024, 1, 1)) < 0);
	assert_true(date_cmp(D(2025, 1, 1), D(2024, 12, 31)) > 0);
}

static void test_date_format(void **state)
{
	(void)state;
	char buf[11];

	date_format(D(2024, 1, 5), buf);
	assert_string_equal(buf, "2024-01-05");
	date_format(D(1900, 12, 31), buf);
	assert_string_equal(buf, "1900-12-31");
	date_format(D(9999, 10, 1), buf);
	assert_string_equal(buf, "9999-10-01");

	/* format and parse are inverses. */
	static const char *const texts[] = { "1985-07-23", "2024-02-29", "2000-01-01", "9999-12-31" };
	for (size_t i = 0; i < N(texts); i++) {
		struct date d;
		assert_int_equal(date_parse(texts[i], &d), DATE_OK);
		date_format(d, buf);
		assert_string_equal(buf, texts[i]);
	}
}

static void test_date_today_is_real(void **state)
{
	(void)state;
	struct date t = date_today(), back;
	char buf[11];

	date_format(t, buf);
	assert_int_equal(date_parse(buf, &back), DATE_OK);
	assert_int_equal(date_cmp(t, back), 0);
	assert_true(t.year >= 2024);
}

static void test_date_add_months_table(void **state)
{
	(void)state;
	static const struct {
		struct date from;
		int months;
		struct date to;
	} cases[] = {
		{ { 2026, 11, 29 }, -84, { 2019, 11, 29 } }, /* 7 years */
		{ { 2026, 11, 29 }, -18, { 2025, 5, 29 } },
		{ { 2026, 1, 15 }, -1, { 2025, 12, 15 } },
		{ { 2026, 1, 15 }, -13, { 2024, 12, 15 } },
		{ { 2026, 12, 15 }, 1, { 2027, 1, 15 } },
		{ { 2026, 3, 31 }, -1, { 2026, 2, 28 } }, /* the month's last day */
		{ { 2024, 3, 31 }, -1, { 2024, 2, 29 } },
		{ { 2024, 2, 29 }, -12, { 2023, 2, 28 } },
		{ { 2024, 2, 29 }, -48, { 2020, 2, 29 } },
		{ { 2026, 5, 31 }, -1, { 2026, 4, 30 } },
		{ { 2026, 5, 31 }, 0, { 2026, 5, 31 } },
		{ { 2026, 11, 29 }, -1200, { 1926, 11, 29 } }, /* 100 years */
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct date got = date_add_months(cases[i].from, cases[i].months);
		if (date_cmp(got, cases[i].to) != 0)
			fail_msg("case %zu: %d-%d-%d, expected %d-%d-%d", i, got.year, got.month,
				 got.day, cases[i].to.year, cases[i].to.month, cases[i].to.day);
	}
}

static void test_date_utc(void **state)
{
	(void)state;
	struct date t = date_today_utc(), back;
	char now[21], day[11];

	assert_int_equal(date_now_utc(now), 0);
	assert_int_equal(strlen(now), 20);
	assert_int_equal(now[10], 'T');
	assert_int_equal(now[19], 'Z');
	date_format(t, day);
	/* The same day, unless midnight came in between. */
	if (strncmp(now, day, 10) != 0)
		assert_int_equal(date_cmp(date_add_days(t, 1), date_today_utc()), 0);
	now[10] = '\0';
	assert_int_equal(date_parse(now, &back), DATE_OK);
}

/* Dates as people type them: the studio's form, today, +N, a month. */
static void test_date_read_table(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		enum date_form form;
		bool month_ok;
		int rc;
		enum date_kind kind;
		int y, m, d;
	} cases[] = {
		{ "1985-07-23", DATE_FORM_ISO, false, DATE_OK, DATE_KIND_DAY, 1985, 7, 23 },
		{ "1985-07-23", DATE_FORM_DMY, false, DATE_OK, DATE_KIND_DAY, 1985, 7, 23 },
		{ "23/07/1985", DATE_FORM_DMY, false, DATE_OK, DATE_KIND_DAY, 1985, 7, 23 },
		{ "23.07.1985", DATE_FORM_DMY, false, DATE_OK, DATE_KIND_DAY, 1985, 7, 23 },
		{ "23-07-1985", DATE_FORM_DMY, false, DATE_OK, DATE_KIND_DAY, 1985, 7, 23 },
		{ "3/4/2025", DATE_FORM_DMY, false, DATE_OK, DATE_KIND_DAY, 2025, 4, 3 },
		{ "07/23/1985", DATE_FORM_MDY, false, DATE_OK, DATE_KIND_DAY, 1985, 7, 23 },
		{ "3/4/2025", DATE_FORM_MDY, false, DATE_OK, DATE_KIND_DAY, 2025, 3, 4 },
		{ "07/23/1985", DATE_FORM_DMY, false, DATE_NOT_REAL, DATE_KIND_DAY, 0, 0, 0 },
		{ "23/07/1985", DATE_FORM_MDY, false, DATE_NOT_REAL, DATE_KIND_DAY, 0, 0, 0 },
		{ "31/02/2024", DATE_FORM_DMY, false, DATE_NOT_REAL, DATE_KIND_DAY, 0, 0, 0 },
		{ "00/02/2024", DATE_FORM_DMY, false, DATE_NOT_REAL, DATE_KIND_DAY, 0, 0, 0 },
		{ "03/04/2025", DATE_FORM_ISO, false, DATE_AMBIGUOUS, DATE_KIND_DAY, 0, 0, 0 },
		{ "23/07/1985", DATE_FORM_ISO, false, DATE_AMBIGUOUS, DATE_KIND_DAY, 0, 0, 0 },
		{ "23/07/85", DATE_FORM_DMY, false, DATE_SHORT_YEAR, DATE_KIND_DAY, 0, 0, 0 },
		{ "23/07/85", DATE_FORM_ISO, false, DATE_SHORT_YEAR, DATE_KIND_DAY, 0, 0, 0 },
		{ "23/07.1985", DATE_FORM_DMY, false, DATE_BAD_FORMAT, DATE_KIND_DAY, 0, 0, 0 },
		{ "23/07/1985x", DATE_FORM_DMY, false, DATE_BAD_FORMAT, DATE_KIND_DAY, 0, 0, 0 },
		{ "123/07/1985", DATE_FORM_DMY, false, DATE_BAD_FORMAT, DATE_KIND_DAY, 0, 0, 0 },
		{ "23/07/1800", DATE_FORM_DMY, false, DATE_OUT_OF_RANGE, DATE_KIND_DAY, 0, 0, 0 },
		{ "", DATE_FORM_DMY, false, DATE_BAD_FORMAT, DATE_KIND_DAY, 0, 0, 0 },
		{ "/", DATE_FORM_DMY, false, DATE_BAD_FORMAT, DATE_KIND_DAY, 0, 0, 0 },
		{ "today", DATE_FORM_ISO, false, DATE_OK, DATE_KIND_RELATIVE, 2026, 12, 4 },
		{ "+10d", DATE_FORM_ISO, false, DATE_OK, DATE_KIND_RELATIVE, 2026, 12, 14 },
		{ "+3w", DATE_FORM_DMY, false, DATE_OK, DATE_KIND_RELATIVE, 2026, 12, 25 },
		{ "+2m", DATE_FORM_ISO, false, DATE_OK, DATE_KIND_RELATIVE, 2027, 2, 4 },
		{ "+0d", DATE_FORM_ISO, false, DATE_OK, DATE_KIND_RELATIVE, 2026, 12, 4 },
		{ "+10", DATE_FORM_ISO, false, DATE_BAD_FORMAT, DATE_KIND_RELATIVE, 0, 0, 0 },
		{ "+d", DATE_FORM_ISO, false, DATE_BAD_FORMAT, DATE_KIND_RELATIVE, 0, 0, 0 },
		{ "+1000d", DATE_FORM_ISO, false, DATE_BAD_FORMAT, DATE_KIND_RELATIVE, 0, 0, 0 },
		{ "+10y", DATE_FORM_ISO, false, DATE_BAD_FORMAT, DATE_KIND_RELATIVE, 0, 0, 0 },
		{ "tomorrow", DATE_FORM_ISO, false, DATE_BAD_FORMAT, DATE_KIND_RELATIVE, 0, 0, 0 },
		{ "2024-01", DATE_FORM_ISO, true, DATE_OK, DATE_KIND_MONTH, 2024, 1, 1 },
		{ "2024-01", DATE_FORM_ISO, false, DATE_BAD_FORMAT, DATE_KIND_DAY, 0, 0, 0 },
		{ "2024-13", DATE_FORM_ISO, true, DATE_NOT_REAL, DATE_KIND_MONTH, 0, 0, 0 },
		{ "01/2024", DATE_FORM_DMY, true, DATE_OK, DATE_KIND_MONTH, 2024, 1, 1 },
		{ "1.2024", DATE_FORM_MDY, true, DATE_OK, DATE_KIND_MONTH, 2024, 1, 1 },
		{ "01/2024", DATE_FORM_ISO, true, DATE_AMBIGUOUS, DATE_KIND_DAY, 0, 0, 0 },
		{ "01/2024", DATE_FORM_DMY, false, DATE_BAD_FORMAT, DATE_KIND_DAY, 0, 0, 0 },
		{ "01/24", DATE_FORM_DMY, true, DATE_SHORT_YEAR, DATE_KIND_DAY, 0, 0, 0 },
	};
	const struct date today = { 2026, 12, 4 };

	for (size_t i = 0; i < N(cases); i++) {
		struct date d = { 0, 0, 0 };
		enum date_kind kind;
		int rc = date_read(cases[i].text, cases[i].form, cases[i].month_ok, today, &d, &kind);
		if (rc != cases[i].rc)
			fail_msg("'%s' (form %d): %d, wanted %d", cases[i].text, cases[i].form, rc,
				 cases[i].rc);
		if (rc != DATE_OK)
			continue;
		if (kind != cases[i].kind || d.year != cases[i].y || d.month != cases[i].m ||
		    d.day != cases[i].d)
			fail_msg("'%s': kind %d %d-%d-%d", cases[i].text, kind, d.year, d.month, d.day);
	}
}

static void test_date_weekday(void **state)
{
	(void)state;
	assert_string_equal(date_weekday(D(1970, 1, 1)), "Thursday");
	assert_string_equal(date_weekday(D(1985, 7, 23)), "Tuesday");
	assert_string_equal(date_weekday(D(2026, 12, 14)), "Monday");
	assert_string_equal(date_weekday(D(1900, 1, 1)), "Monday");
	assert_string_equal(date_weekday(D(2000, 2, 29)), "Tuesday");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date_parse_table),
		cmocka_unit_test(test_date_age_table),
		cmocka_unit_test(test_date_add_days_table),
		cmocka_unit_test(test_date_add_days_round_trip),
		cmocka_unit_test(test_date_cmp),
		cmocka_unit_test(test_date_format),
		cmocka_unit_test(test_date_today_is_real),
		cmocka_unit_test(test_date_add_months_table),
		cmocka_unit_test(test_date_utc),
		cmocka_unit_test(test_date_read_table),
		cmocka_unit_test(test_date_weekday),
	};
	return cmocka_run_group_tests_name("date", tests, NULL, NULL);
}
