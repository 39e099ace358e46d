/* test_fold.c - unit tests for fold.c: the one rule for matching names
 * and answers (case, accents, normal forms, spaces, Turkish letters,
 * invalid UTF-8) and the edit distance behind near matches. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fold.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *in, *folded, *what;
} folds[] = {
	{ "", "", "empty" },
	{ "   \t ", "", "blanks only" },
	{ "Zoe Smith", "zoe smith", "ASCII case" },
	{ "Zo\xc3\xab Smith", "zoe smith", "NFC e-diaeresis loses its accent" },
	{ "Zoe\xcc\x88 Smith", "zoe smith", "NFD e + combining diaeresis" },
	{ "JOS\xc3\x89", "jose", "capital E-acute" },
	{ "jos\xc3\xa9", "jose", "small e-acute" },
	{ "Zo\xc3\xab\xc2\xa0Smith", "zoe smith", "no-break space" },
	{ "Zoe\xe2\x80\x83Smith", "zoe smith", "em space" },
	{ "Zoe\xe3\x80\x80Smith", "zoe smith", "ideographic space" },
	{ "  Zoe \t\n  Smith  ", "zoe smith", "runs of blanks, trimmed" },
	{ "Stra\xc3\x9f" "e", "strasse", "sharp s is ss (full case folding)" },
	{ "STRASSE", "strasse", "capital SS" },
	{ "\xe1\xba\x9e", "ss", "capital sharp s" },
	{ "ISTANBUL", "istanbul", "I is i, whatever the locale" },
	{ "\xc4\xb0stanbul", "istanbul", "dotted capital I is i" },
	{ "\xc4\xb1stanbul", "istanbul", "dotless i is i too" },
	{ "Y\xc4\xb1lmaz", "yilmaz", "Turkish name, small letters" },
	{ "YILMAZ", "yilmaz", "Turkish name in capitals" },
	{ "\xef\xac\x81" "fi", "fifi", "fi ligature (compatibility)" },
	{ "\xce\x86\xce\xbd\xce\xbd\xce\xb1", "\xce\xb1\xce\xbd\xce\xbd\xce\xb1", "Greek tonos dropped" },
	{ "\xd0\x99", "\xd0\xb8", "Cyrillic short i loses its breve" },
	/* Devanagari: the vowel sign is part of the name, not an accent. */
	{ "\xe0\xa4\x95\xe0\xa4\xbe", "\xe0\xa4\x95\xe0\xa4\xbe", "Devanagari vowel sign kept" },
	{ "PSORIASIS", "psoriasis", "a choice in capitals" },
};

static void test_fold_text_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(folds); i++) {
		char *f = fold_text(folds[i].in);
		if (!f || strcmp(f, folds[i].folded) != 0)
			fail_msg("%s: got '%s'", folds[i].what, f ? f : "(null)");
		free(f);
	}
}

static void test_fold_null_is_empty(void **state)
{
	(void)state;
	char *f = fold_text(NULL);
	assert_non_null(f);
	assert_string_equal(f, "");
	free(f);
	assert_true(fold_equal(NULL, ""));
	assert_true(fold_equal("", "  "));
}

static void test_fold_equal_pairs(void **state)
{
	(void)state;
	static const struct {
		const char *a, *b;
		bool same;
	} pairs[] = {
		{ "Zoe Smith", "Zo\xc3\xab Smith", true },
		{ "Zo\xc3\xab Smith", "Zoe\xcc\x88 Smith", true },  /* NFC vs NFD */
		{ "JOS\xc3\x89", "jos\xc3\xa9", true },
		{ "Anna\xc2\xa0Lee", "anna lee", true },
		{ "Zoe Smith", "Zoey Smith", false },
		{ "Zoe Smith", "ZoeSmith", false }, /* a space is not nothing */
		{ "I", "\xc4\xb1", true },          /* Turkish capitals: I and dotless i */
		{ "\xc4\xb0", "i", true },
		{ "\xc3\x9f", "ss", true },
		{ "\xc3\xb8", "o", false }, /* o-slash is a letter of its own */
	};
	for (size_t i = 0; i < N(pairs); i++)
		if (fold_equal(pairs[i].a, pairs[i].b) != pairs[i].same)
			fail_msg("pair %zu: '%s' vs '%s'", i, pairs[i].a, pairs[i].b);
}

/* The folding is the same in a Turkish locale (where strcasecmp's "I"
 * is not "i") as in C. */
static void test_fold_turkish_locale(void **state)
{
	(void)state;
	char *c_fold, *tr_fold;

	assert_non_null(setlocale(LC_ALL, "C.UTF-8"));
	c_fold = fold_text("SOLUTION \xc4\xb0I\xc4\xb1i");
	if (!setlocale(LC_ALL, "tr_TR.UTF-8"))
		fail_msg("the tr_TR.UTF-8 locale is missing (make test-deps makes it)");
	tr_fold = fold_text("SOLUTION \xc4\xb0I\xc4\xb1i");
	setlocale(LC_ALL, "C");
	assert_non_null(c_fold);
	assert_non_null(tr_fold);
	assert_string_equal(c_fold, "solution iiii");
	assert_string_equal(tr_fold, c_fold);
	free(c_fold);
	free(tr_fold);
}

static void test_fold_invalid_utf8(void **state)
{
	(void)state;
	static const char *const bad[] = { "Zo\xeb", "\xc3", "\xed\xa0\x80", "\xc0\xaf", "a\xff" };
	for (size_t i = 0; i < N(bad); i++) {
		errno = 0;
		assert_null(fold_text(bad[i]));
		assert_int_equal(errno, EILSEQ);
		assert_false(fold_equal(bad[i], bad[i]));
		assert_int_equal(fold_distance(bad[i], "zoe", 2), 3);
	}
}

static void test_fold_distance_table(void **state)
{
	(void)state;
	static const struct {
		const char *a, *b;
		size_t d;
	} cases[] = {
		{ "", "", 0 },
		{ "Zoe Smith", "Zo\xc3\xab SMITH", 0 },
		{ "Zoe Smith", "Zoey Smith", 1 },       /* one inserted */
		{ "Zoe Smith", "Zo Smith", 1 },         /* one removed */
		{ "Zoe Smith", "Zoa Smith", 1 },        /* one replaced */
		{ "Zoe Smith", "Zeo Smith", 1 },        /* two swapped */
		{ "Zoe Smith", "Zoey Smyth", 2 },
		{ "\xc5\x81\xc3\xb3" "d\xc5\xba", "\xc5\x81o" "dz", 0 }, /* code points, not bytes */
		{ "\xc5\x81od\xc5\xba", "Lodz", 1 },                    /* L-stroke is a letter */
		{ "Zoe Smith", "Chloe Smith", 3 },                       /* beyond the limit */
		{ "Al", "Alexander", 3 },
		{ "", "abc", 3 },
	};
	for (size_t i = 0; i < N(cases); i++) {
		size_t d = fold_distance(cases[i].a, cases[i].b, 2);
		if (d != cases[i].d)
			fail_msg("case %zu: '%s' vs '%s': %zu, not %zu", i, cases[i].a, cases[i].b, d,
				 cases[i].d);
	}
	assert_int_equal(fold_distance("abcdef", "ghijkl", 10), 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold_text_table),
		cmocka_unit_test(test_fold_null_is_empty),
		cmocka_unit_test(test_fold_equal_pairs),
		cmocka_unit_test(test_fold_turkish_locale),
		cmocka_unit_test(test_fold_invalid_utf8),
		cmocka_unit_test(test_fold_distance_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
