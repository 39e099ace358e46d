/* test_course.c - unit tests for the course plan (course.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "course.h"

static struct date d(const char *s)
{
	struct date out;
	assert_int_equal(date_parse(s, &out), DATE_OK);
	return out;
}

static void assert_date(struct date got, const char *want)
{
	char buf[11];
	date_format(got, buf);
	assert_string_equal(buf, want);
}

static void test_nothing_done_plans_from_start(void **state)
{
	struct settings s = SETTINGS_DEFAULT; /* 3 sessions, 14 days apart, pause 7/7 */
	struct course_plan p;

	(void)state;
	course_plan(&s, NULL, 0, d("2026-12-10"), &p);
	assert_int_equal(p.steps, 3);
	assert_false(p.complete);
	assert_false(p.any_done);
	assert_date(p.next, "2026-12-10");
	assert_date(p.step[1].on, "2026-12-24");
	assert_date(p.step[2].on, "2027-01-07");
	assert_date(p.step[2].stop, "2026-12-31");
	assert_date(p.step[2].resume, "2027-01-14");
	assert_int_equal(p.step[2].number, 3);
}

static void test_planned_after_the_last_done(void **state)
{
	struct settings s = SETTINGS_DEFAULT;
	struct date done[] = { d("2026-11-02"), d("2026-11-20") };
	struct course_plan p;

	(void)state;
	s.course_interval_days = 10;
	s.pause_days_before = 3;
	s.pause_days_after = 5;
	course_plan(&s, done, 2, d("2030-01-01"), &p);
	assert_true(p.step[0].done && p.step[1].done);
	assert_false(p.step[2].done);
	assert_date(p.next, "2026-11-30");
	assert_date(p.step[2].stop, "2026-11-27");
	assert_date(p.step[2].resume, "2026-12-05");
	assert_date(p.last, "2026-11-20");
	assert_false(p.complete);
}

static void test_complete_course_touch_up(void **state)
{
	struct settings s = SETTINGS_DEFAULT;
	struct date done[] = { d("2024-02-01"), d("2024-02-15"), d("2024-02-29"), d("2024-03-20") };
	struct course_plan p;

	(void)state;
	s.touch_up_years = 2;
	course_plan(&s, done, 4, d("2030-01-01"), &p);
	assert_true(p.complete);
	assert_int_equal(p.steps, 4); /* a fourth session beyond the plan is kept */
	assert_date(p.touch_up, "2026-03-20");
	s.course_sessions = 3;
	course_plan(&s, done, 3, d("2030-01-01"), &p);
	assert_date(p.touch_up, "2026-02-28"); /* 29 February, two years on */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_done_plans_from_start),
		cmocka_unit_test(test_planned_after_the_last_done),
		cmocka_unit_test(test_complete_course_touch_up),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
