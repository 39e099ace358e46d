/* test_idset.c - unit tests for idset.c: ids gathered in any order come
 * out as sorted ranges, and reading a range list back finds exactly the
 * ids it holds and refuses a malformed one.
 *
 * idset.c is compiled into this file with its malloc() and realloc()
 * routed through a counter, so that each of its allocations can be made to
 * fail (the copy in libsmp.a is then not linked: nothing refers to it). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Allocations that succeed before every later one fails; -1: all succeed. */
static long allocations_left = -1;

static bool allocation_fails(void)
{
	if (allocations_left == 0)
		return true;
	if (allocations_left > 0)
		allocations_left--;
	return false;
}

static void *counted_malloc(size_t n)
{
	return allocation_fails() ? NULL : malloc(n);
}

static void *counted_realloc(void *p, size_t n)
{
	return allocation_fails() ? NULL : realloc(p, n);
}

#define malloc  counted_malloc
#define realloc counted_realloc
#include "../../src/idset.c"
#undef malloc
#undef realloc

#define BIG "9223372036854775807" /* LLONG_MAX */

/* The ranges of ids added in this order. */
static char *format_of(const long long *ids, size_t n)
{
	struct idset s = IDSET_EMPTY;
	char *text;

	for (size_t i = 0; i < n; i++)
		assert_int_equal(idset_add(&s, ids[i]), 0);
	text = idset_format(&s);
	assert_non_null(text);
	idset_clear(&s);
	return text;
}

static void test_idset_format_table(void **state)
{
	(void)state;
	static const struct {
		long long ids[8];
		size_t n;
		const char *text;
	} cases[] = {
		{ { 0 }, 0, "" },
		{ { 7 }, 1, "7" },
		{ { 5, 5, 5 }, 3, "5" },
		{ { 1, 2, 3 }, 3, "1-3" },
		{ { 3, 1, 2 }, 3, "1-3" },
		{ { 1, 2, 3, 7 }, 4, "1-3,7" },
		{ { 9, 7, 8, 3 }, 4, "3,7-9" },
		{ { 10, 1, 10, 1 }, 4, "1,10" },
		{ { 5, 6, 7, 1, 2, 3, 4 }, 7, "1-7" },    /* runs that touch */
		{ { 4, 5, 6, 1, 2, 3, 5, 4 }, 8, "1-6" }, /* and overlap */
		{ { 2, 4, 6, 3 }, 4, "2-4,6" },
		{ { 1, LLONG_MAX }, 2, "1," BIG },
		{ { LLONG_MAX, LLONG_MAX - 1 }, 2, "9223372036854775806-" BIG },
	};

	for (size_t i = 0; i < N(cases); i++) {
		char *got = format_of(cases[i].ids, cases[i].n);
		if (strcmp(got, cases[i].text) != 0)
			fail_msg("case %zu: \"%s\", not \"%s\"", i, got, cases[i].text);
		free(got);
	}
}

static void test_idset_add_skips_the_last_and_refuses_non_ids(void **state)
{
	(void)state;
	struct idset s = IDSET_EMPTY;

	for (int i = 0; i < 1000; i++)
		assert_int_equal(idset_add(&s, 42), 0);
	assert_int_equal(s.count, 1);
	/* An ascending export's clients stay one run however many. */
	for (long long id = 43; id <= 1000000; id++)
		assert_int_equal(idset_add(&s, id), 0);
	assert_int_equal(s.count, 1);
	assert_int_equal(idset_add(&s, 0), -1);
	assert_int_equal(idset_add(&s, -3), -1);
	assert_int_equal(idset_add(&s, LLONG_MIN), -1);
	assert_int_equal(s.count, 1);
	char *text = idset_format(&s);
	assert_string_equal(text, "42-1000000");
	free(text);
	idset_clear(&s);
	assert_null(s.run);
	assert_int_equal(s.count, 0);
	idset_clear(&s); /* an empty set again */
}

/* New clients in turn, each followed by a returning one: two runs an
 * intake as added, merged into one range whenever the array fills, so it
 * stays small. */
static void test_idset_returning_clients_stay_small(void **state)
{
	(void)state;
	struct idset s = IDSET_EMPTY;
	char *text;

	srand(11);
	for (long long id = 1; id <= 200000; id++) {
		assert_int_equal(idset_add(&s, id), 0);
		assert_int_equal(idset_add(&s, 1 + rand() % id), 0);
	}
	assert_true(s.cap <= 32);
	/* Scattered ids that never touch do need the room. */
	for (long long id = 400000; id < 400000 + 2000 * 2; id += 2)
		assert_int_equal(idset_add(&s, id), 0);
	assert_true(s.cap >= 2001);
	text = idset_format(&s);
	assert_non_null(text);
	assert_int_equal(strncmp(text, "1-200000,400000,400002,", 23), 0);
	assert_int_equal(idset_text_has(text, 403998), 1);
	assert_int_equal(idset_text_has(text, 403997), 0);
	free(text);
	idset_clear(&s);
}

/* Random ids in random order against a table of which are in: the text
 * holds them all in order, and reading it back finds exactly them. */
static void test_idset_matches_a_plain_table(void **state)
{
	(void)state;
	enum { MOST = 300 };
	srand(7);
	for (int round = 0; round < 200; round++) {
		bool in[MOST + 2] = { false };
		struct idset s = IDSET_EMPTY;
		int adds = rand() % 400;
		char *text, *expected = calloc(1, MOST * 24), *p;

		assert_non_null(expected);
		for (int i = 0; i < adds; i++) {
			/* Sometimes a run, sometimes a repeat, mostly scattered. */
			long long id = 1 + rand() % MOST;
			in[id] = true;
			assert_int_equal(idset_add(&s, id), 0);
			if (rand() % 3 == 0 && id < MOST) {
				in[id + 1] = true;
				assert_int_equal(idset_add(&s, id + 1), 0);
			}
		}
		text = idset_format(&s);
		assert_non_null(text);
		p = expected;
		for (int id = 1; id <= MOST; id++) {
			int end = id;
			if (!in[id])
				continue;
			while (in[end + 1])
				end++;
			p += sprintf(p, "%s%d", p == expected ? "" : ",", id);
			if (end > id)
				p += sprintf(p, "-%d", end);
			id = end;
		}
		assert_string_equal(text, expected);
		/* idset_has() (after the format) finds the same ids. */
		for (long long id = -1; id <= MOST + 1; id++) {
			assert_int_equal(idset_text_has(text, id), id > 0 && in[id] ? 1 : 0);
			assert_int_equal(idset_has(&s, id), id > 0 && in[id] ? 1 : 0);
		}
		/* Formatting twice gives the same text: the merge kept every id. */
		char *again = idset_format(&s);
		assert_string_equal(again, text);
		free(again);
		free(text);
		free(expected);
		idset_clear(&s);
	}
}

static void test_idset_text_has_table(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		long long id;
		int has;
	} cases[] = {
		{ "", 1, 0 },
		{ "1", 1, 1 },
		{ "1", 2, 0 },
		{ "1-3", 2, 1 },
		{ "1-3", 3, 1 },
		{ "1-3", 4, 0 },
		{ "3,7-9", 3, 1 },
		{ "3,7-9", 4, 0 },
		{ "3,7-9", 8, 1 },
		{ "3,7-9", 10, 0 },
		{ "3,7-9", 0, 0 },
		{ "3,7-9", -8, 0 },
		{ BIG, LLONG_MAX, 1 },
		{ "1-" BIG, 5000000000LL, 1 },
		/* Not a list as idset_format() writes one: refused whatever id. */
		{ "0", 0, -1 },
		{ "01", 1, -1 },
		{ "1-1", 1, -1 },
		{ "2-1", 1, -1 },
		{ "1,1", 1, -1 },
		{ "3,2", 2, -1 },
		{ "1-3,3", 3, -1 },
		{ "1-3,2-5", 4, -1 },
		{ "1,,2", 1, -1 },
		{ ",1", 1, -1 },
		{ "1,", 1, -1 },
		{ "-1", 1, -1 },
		{ "1-", 1, -1 },
		{ "1--2", 1, -1 },
		{ "1-2-3", 2, -1 },
		{ "a", 1, -1 },
		{ " 1", 1, -1 },
		{ "1 ", 1, -1 },
		{ "+1", 1, -1 },
		{ "1;2", 1, -1 },
		{ "1\n", 1, -1 },
		{ "9223372036854775808", 1, -1 },
		{ "1-9223372036854775808", 1, -1 },
		{ "99999999999999999999999999999", 1, -1 },
		{ "1,2,x", 1, -1 }, /* a fault after the id is still a fault */
	};

	for (size_t i = 0; i < N(cases); i++) {
		int got = idset_text_has(cases[i].text, cases[i].id);
		if (got != cases[i].has)
			fail_msg("case %zu (\"%s\" has %lld): %d, not %d", i, cases[i].text,
				 cases[i].id, got, cases[i].has);
	}
}

/* A list of 200 000 ranges and a number of 100 000 digits: read through
 * to the end, no overflow, no time to speak of. */
static void test_idset_huge_texts(void **state)
{
	(void)state;
	enum { RANGES = 200000 };
	struct idset s = IDSET_EMPTY;
	char *text, *digits;

	for (long long i = RANGES; i >= 1; i--)
		assert_int_equal(idset_add(&s, i * 3), 0); /* descending: 200 000 runs */
	assert_int_equal(s.count, RANGES);
	text = idset_format(&s);
	assert_non_null(text);
	assert_int_equal(idset_text_has(text, 3), 1);
	assert_int_equal(idset_text_has(text, RANGES * 3LL), 1);
	assert_int_equal(idset_text_has(text, RANGES * 3LL - 1), 0);
	assert_int_equal(idset_text_has(text, RANGES * 3LL + 3), 0);
	free(text);
	idset_clear(&s);

	digits = malloc(100001);
	assert_non_null(digits);
	memset(digits, '9', 100000);
	digits[100000] = '\0';
	assert_int_equal(idset_text_has(digits, 9), -1);
	digits[0] = '1';
	digits[1] = '-';
	assert_int_equal(idset_text_has(digits, 1), -1);
	free(digits);
}

/* Every allocation fails in turn: the call says so, the set keeps the ids
 * it had, and the next call with memory to spare works. */
static void test_idset_out_of_memory(void **state)
{
	(void)state;
	struct idset s = IDSET_EMPTY;
	char *text;

	allocations_left = 0;
	assert_int_equal(idset_add(&s, 5), -1);
	assert_int_equal(s.count, 0);
	assert_null(s.run);
	/* The first 16 runs fit the first allocation; the 17th needs more. */
	allocations_left = 1;
	for (long long i = 1; i <= 16; i++)
		assert_int_equal(idset_add(&s, i * 10), 0);
	assert_int_equal(idset_add(&s, 170), -1);
	assert_int_equal(s.count, 16);
	assert_int_equal(idset_add(&s, 160), 0); /* the last run: no memory needed */
	assert_int_equal(idset_add(&s, 161), 0); /* extends it: none either */
	assert_null(idset_format(&s));
	allocations_left = -1;
	assert_int_equal(idset_add(&s, 170), 0);
	text = idset_format(&s);
	assert_string_equal(text, "10,20,30,40,50,60,70,80,90,100,110,120,130,140,150,160-161,170");
	free(text);
	idset_clear(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_idset_format_table),
		cmocka_unit_test(test_idset_add_skips_the_last_and_refuses_non_ids),
		cmocka_unit_test(test_idset_returning_clients_stay_small),
		cmocka_unit_test(test_idset_matches_a_plain_table),
		cmocka_unit_test(test_idset_text_has_table),
		cmocka_unit_test(test_idset_huge_texts),
		cmocka_unit_test(test_idset_out_of_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
