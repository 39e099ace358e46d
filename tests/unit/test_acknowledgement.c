/* test_acknowledgement.c - unit tests for acknowledgement.c: the name
 * given with the answers (through a pipe or an answers file) checked
 * against the intake's and filled in. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include <string.h>

#include "acknowledgement.h"

static const char *const ana[] = { "first_name=Ana", "last_name=Silva", NULL };

static void ack_free(struct acknowledgement *ack)
{
	free(ack->typed_name);
	free(ack->at);
	free(ack->staff);
}

/* None given (no line, or a blank one): nothing filled, no failure. */
static void test_none_given(void **state)
{
	struct acknowledgement ack = { 0 };
	struct answers a;

	(void)state;
	fill(&a, ana);
	assert_int_equal(acknowledgement_given(NULL, &a, "Dana", &ack, ""), 0);
	assert_int_equal(acknowledgement_given(" \t ", &a, "Dana", &ack, ""), 0);
	assert_null(ack.typed_name);
	assert_null(ack.at);
	answers_clear(&a);
}

/* The client's full name, as typed around spaces: filled, trimmed, now,
 * by the staff member. */
static void test_the_full_name_is_filled_in(void **state)
{
	struct acknowledgement ack = { 0 };
	struct answers a;

	(void)state;
	fill(&a, ana);
	assert_int_equal(acknowledgement_given("  Ana Silva ", &a, "Dana", &ack, ""), 0);
	assert_string_equal(ack.typed_name, "Ana Silva");
	assert_string_equal(ack.staff, "Dana");
	assert_non_null(ack.at);
	assert_int_equal(strlen(ack.at), 20); /* 2026-03-01T10:00:00Z */
	assert_int_equal(ack.at[19], 'Z');
	ack_free(&ack);
	answers_clear(&a);
}

/* Another name, or half of it, is refused and nothing is filled. */
static void test_another_name_is_refused(void **state)
{
	struct acknowledgement ack = { 0 };
	struct answers a;

	(void)state;
	fill(&a, ana);
	assert_int_equal(acknowledgement_given("Ana", &a, "Dana", &ack, "; nothing saved"), -1);
	assert_int_equal(acknowledgement_given("Bo Silva", &a, "Dana", &ack, ""), -1);
	assert_null(ack.typed_name);
	assert_int_equal(acknowledgement_check("Silva Ana x", &a, ""), -1);
	assert_int_equal(acknowledgement_check("Ana Silva", &a, ""), 0);
	answers_clear(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_none_given),
		cmocka_unit_test(test_the_full_name_is_filled_in),
		cmocka_unit_test(test_another_name_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
