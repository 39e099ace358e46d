/* test_suggest.c - unit tests for suggest.c: the edit distance (with a
 * swap of neighbours as one edit) and which word "did you mean" offers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "suggest.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_distance_table(void **state)
{
	static const struct {
		const char *a, *b;
		size_t d;
	} cases[] = {
		{ "", "", 0 },          { "list", "list", 0 },  { "lst", "list", 1 },
		{ "lsit", "list", 1 },  { "lists", "list", 1 }, { "lost", "list", 1 },
		{ "ls", "list", 2 },    { "", "new", 3 },       { "shwo", "show", 1 },
		{ "edit", "exit", 1 },  { "abc", "xyz", 3 },    { "clear-flga", "clear-flag", 1 },
	};
	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		assert_int_equal(suggest_distance(cases[i].a, cases[i].b), cases[i].d);
		assert_int_equal(suggest_distance(cases[i].b, cases[i].a), cases[i].d);
	}
}

static void test_long_words_are_far(void **state)
{
	char long_word[100];

	(void)state;
	memset(long_word, 'a', sizeof long_word - 1);
	long_word[sizeof long_word - 1] = '\0';
	assert_true(suggest_distance(long_word, "list") > 2);
	assert_null(suggest_nearest(long_word, (const char *const[]){ "list", NULL }));
}

static void test_nearest_table(void **state)
{
	static const char *const words[] = { "new",  "edit", "list", "show",
					     "quit", "help", "find", NULL };
	static const struct {
		const char *typed, *offered; /* NULL: nothing offered */
	} cases[] = {
		{ "lst", "list" },  { "lsit", "list" }, { "shwo", "show" }, { "qiut", "quit" },
		{ "nwe", "new" },   { "list", NULL },   { "frobnicate", NULL },
		{ "x", NULL },      /* one letter is not a slip of any word */
		{ "ne", "new" },    { "hlep", "help" }, { "", NULL },
	};
	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		const char *got = suggest_nearest(cases[i].typed, words);
		if (cases[i].offered)
			assert_string_equal(got, cases[i].offered);
		else
			assert_null(got);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance_table),
		cmocka_unit_test(test_long_words_are_far),
		cmocka_unit_test(test_nearest_table),
	};
	return cmocka_run_group_tests_name("suggest", tests, NULL, NULL);
}
