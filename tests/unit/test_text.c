/* test_text.c - unit tests for text.c: UTF-8 checks, control characters,
 * terminal-safe copies, word wrapping and trimming. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "text.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_text_is_utf8_table(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		size_t len; /* 0: strlen */
		bool ok;
		const char *what;
	} cases[] = {
		{ "", 0, true, "empty" },
		{ "plain ASCII", 0, true, "ascii" },
		{ "Jos\xc3\xa9", 0, true, "2-byte e-acute" },
		{ "\xe6\x9d\x8e\xe5\xb0\x8f\xe9\xbe\x99", 0, true, "3-byte CJK" },
		{ "\xf0\x9f\x98\x80", 0, true, "4-byte emoji" },
		{ "\xf4\x8f\xbf\xbf", 0, true, "U+10FFFF" },
		{ "\xed\x9f\xbf", 0, true, "U+D7FF" },
		{ "\xee\x80\x80", 0, true, "U+E000" },
		{ "\xc2\x80", 0, true, "U+0080 (C1 but valid UTF-8)" },
		{ "\xc0\xaf", 0, false, "overlong '/' (2 bytes)" },
		{ "\xc1\xbf", 0, false, "overlong (C1 lead)" },
		{ "\xe0\x80\xaf", 0, false, "overlong '/' (3 bytes)" },
		{ "\xe0\x9f\xbf", 0, false, "overlong U+07FF (3 bytes)" },
		{ "\xf0\x80\x80\xaf", 0, false, "overlong '/' (4 bytes)" },
		{ "\xf0\x8f\xbf\xbf", 0, false, "overlong U+FFFF (4 bytes)" },
		{ "\xed\xa0\x80", 0, false, "surrogate U+D800" },
		{ "\xed\xbf\xbf", 0, false, "surrogate U+DFFF" },
		{ "\xf4\x90\x80\x80", 0, false, "U+110000" },
		{ "\xf5\x80\x80\x80", 0, false, "F5 lead" },
		{ "\xff", 0, false, "FF byte" },
		{ "\xfe", 0, false, "FE byte" },
		{ "\x80", 0, false, "lone continuation" },
		{ "abc\xc3", 0, false, "truncated 2-byte at end" },
		{ "\xe6\x9d", 0, false, "truncated 3-byte" },
		{ "\xf0\x9f\x98", 0, false, "truncated 4-byte" },
		{ "\xc3(", 0, false, "bad continuation" },
		{ "\xe6(\x8e", 0, false, "bad middle continuation" },
		{ "Jos\xc3\xa9", 4, false, "length cuts a sequence" },
		{ "a\0b", 3, true, "embedded NUL is a valid code point" },
	};

	for (size_t i = 0; i < N(cases); i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].s);
		if (text_is_utf8(cases[i].s, len) != cases[i].ok)
			fail_msg("text_is_utf8: %s: expected %s", cases[i].what,
				 cases[i].ok ? "valid" : "invalid");
	}
}

static void test_text_codepoints(void **state)
{
	(void)state;
	assert_int_equal(text_codepoints(""), 0);
	assert_int_equal(text_codepoints("Ana"), 3);
	assert_int_equal(text_codepoints("Jos\xc3\xa9"), 4);
	assert_int_equal(text_codepoints("\xe6\x9d\x8e\xe5\xb0\x8f\xe9\xbe\x99"), 3);
	assert_int_equal(text_codepoints("\xf0\x9f\x98\x80!"), 2);
	assert_int_equal(text_codepoints("Zo\xc3\xab \xc3\x98stergaard"), 14);
}

static void test_text_has_control_table(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		bool allow_layout;
		bool has;
		const char *what;
	} cases[] = {
		{ "Ana Smith", false, false, "plain" },
		{ "Jos\xc3\xa9 \xe6\x9d\x8e", false, false, "non-ASCII letters" },
		{ "", false, false, "empty" },
		{ "a\x1b[31mb", false, true, "ESC" },
		{ "a\x1b[31mb", true, true, "ESC with layout" },
		{ "a\x7f", false, true, "DEL" },
		{ "a\x7f", true, true, "DEL with layout" },
		{ "a\xc2\x85z", false, true, "C1 U+0085 (NEL)" },
		{ "a\xc2\x9bz", true, true, "C1 U+009B (CSI) with layout" },
		{ "a\xc2\xa0z", false, false, "U+00A0 is not a control" },
		{ "a\x01", false, true, "SOH" },
		{ "a\rb", true, true, "CR even with layout" },
		{ "a\tb", false, true, "tab" },
		{ "a\tb", true, false, "tab with layout" },
		{ "a\nb", false, true, "newline" },
		{ "a\nb", true, false, "newline with layout" },
		{ "a\xff", true, true, "invalid UTF-8 counts" },
	};

	for (size_t i = 0; i < N(cases); i++)
		if (text_has_control(cases[i].s, cases[i].allow_layout) != cases[i].has)
			fail_msg("text_has_control: %s: expected %s", cases[i].what,
				 cases[i].has ? "true" : "false");
}

static void test_text_safe_table(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		bool keep_newlines;
		const char *out;
	} cases[] = {
		{ "", false, "" },
		{ "Ana Smith", false, "Ana Smith" },
		{ "Jos\xc3\xa9 \xe6\x9d\x8e", false, "Jos\xc3\xa9 \xe6\x9d\x8e" },
		{ "a\x1b[2Jb", false, "a\\x1b[2Jb" },
		{ "\x07", false, "\\x07" },
		{ "a\x7f", false, "a\\x7f" },
		{ "a\xc2\x85z", false, "a\\x85z" },
		{ "x\xe2\x80\xaey", false, "x\\u202ey" },
		{ "x\xe2\x81\xa6y", false, "x\\u2066y" },
		{ "x\xe2\x80\x8fy", false, "x\\u200fy" },
		{ "a\xff" "b", false, "a\\xffb" },
		{ "\xc3", false, "\\xc3" },
		{ "\xed\xa0\x80", false, "\\xed\\xa0\\x80" },
		{ "one\ntwo", false, "one\\ntwo" },
		{ "one\ntwo", true, "one\ntwo" },
		{ "a\rb", true, "a\\x0db" },
	};

	for (size_t i = 0; i < N(cases); i++) {
		char *got = text_safe(cases[i].in, cases[i].keep_newlines);
		assert_non_null(got);
		if (strcmp(got, cases[i].out) != 0) {
			char msg[256];
			snprintf(msg, sizeof msg, "text_safe case %zu gave \"%s\"", i, got);
			free(got);
			fail_msg("%s", msg);
		}
		/* Whatever went in, what comes out is valid and control-free. */
		assert_true(text_is_utf8(got, strlen(got)));
		assert_false(text_has_control(got, cases[i].keep_newlines));
		free(got);
	}
}

static void test_text_safe_worst_case_size(void **state)
{
	(void)state;
	/* Every kind of escape, many times: no overflow (run under ASan). */
	static const char *const pieces[] = { "\xff", "\x1b", "\xe2\x80\xae", "\xc2\x85", "\n" };
	for (size_t p = 0; p < N(pieces); p++) {
		char in[601] = "";
		for (int i = 0; i < 100; i++)
			strcat(in, pieces[p]);
		char *got = text_safe(in, false);
		assert_non_null(got);
		assert_false(text_has_control(got, false));
		free(got);
	}
}

static void test_text_print_safe(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(text_print_safe(f, "Bob\x1b]0;pwned\x07\n"), 0);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(buf, "Bob\\x1b]0;pwned\\x07\\n");
	free(buf);
}

/* Wraps s and returns the output (allocated). */
static char *wrap(const char *s, int width, int indent)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(text_wrap(f, s, width, indent), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_text_wrap_exact(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		int width, indent;
		const char *out;
	} cases[] = {
		{ "", 20, 0, "" },
		{ "short", 20, 0, "short" },
		{ "aaa bbb ccc", 7, 0, "aaa bbb\nccc" },
		{ "aaa bbb ccc", 6, 0, "aaa\nbbb\nccc" },
		{ "aaa bbb ccc", 11, 0, "aaa bbb ccc" },
		{ "aaa bbb ccc", 10, 2, "aaa bbb\n  ccc" },
		{ "one\ntwo", 20, 4, "one\n    two" },
		{ "a  b", 20, 0, "a b" },
		/* A word wider than the line is cut at the line end. */
		{ "supercalifragilistic x", 10, 0, "supercalif\nragilistic\nx" },
		{ "ab supercalifragilistic", 10, 0, "ab superca\nlifragilis\ntic" },
		/* ... unless the space is too small to be worth cutting for. */
		{ "supercalifragilistic", 8, 0, "supercalifragilistic" },
		/* Width counts code points, not bytes. */
		{ "\xc3\xa9\xc3\xa9\xc3\xa9 \xc3\xa9\xc3\xa9\xc3\xa9", 7, 0,
		  "\xc3\xa9\xc3\xa9\xc3\xa9 \xc3\xa9\xc3\xa9\xc3\xa9" },
	};

	for (size_t i = 0; i < N(cases); i++) {
		char *got = wrap(cases[i].in, cases[i].width, cases[i].indent);
		if (strcmp(got, cases[i].out) != 0) {
			char msg[256];
			snprintf(msg, sizeof msg, "text_wrap case %zu gave \"%s\"", i, got);
			free(got);
			fail_msg("%s", msg);
		}
		free(got);
	}
}

static void test_text_wrap_properties(void **state)
{
	(void)state;
	const char *text =
		"SMP is a cosmetic treatment: it changes how the scalp looks and nothing else. It "
		"does not cause hair loss, does not speed it up and does not cure it. The pigment is "
		"placed in the upper dermis, about 0.5 to 1 mm below the surface.";
	static const struct {
		int width, indent;
	} shapes[] = { { 40, 0 }, { 40, 4 }, { 60, 2 }, { 80, 8 }, { 25, 3 } };

	for (size_t i = 0; i < N(shapes); i++) {
		int width = shapes[i].width, indent = shapes[i].indent;
		char *got = wrap(text, width, indent);
		char *copy = strdup(got), *save = NULL;
		int line_no = 0;
		size_t words_in = 0, words_out = 0;

		assert_non_null(copy);
		assert_true(got[strlen(got) - 1] != '\n'); /* no newline at the end */
		for (char *line = strtok_r(copy, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save), line_no++) {
			/* The caller wrote the first line's prefix of indent columns. */
			int cols = (int)strlen(line) + (line_no == 0 ? indent : 0);
			if (cols > width)
				fail_msg("shape %zu line %d is %d columns, width %d", i, line_no,
					 cols, width);
			if (line_no > 0) {
				assert_int_equal((int)strspn(line, " "), indent);
				assert_true(line[indent] != ' ');
			}
			assert_true(line[strlen(line) - 1] != ' ');
		}
		assert_true(line_no > 1);
		/* Words intact and in order: squeezing the whitespace gives the input. */
		char *a = strdup(text), *b = strdup(got), *s1 = NULL, *s2 = NULL;
		assert_non_null(a);
		assert_non_null(b);
		char *w1 = strtok_r(a, " \n", &s1), *w2 = strtok_r(b, " \n", &s2);
		while (w1 && w2) {
			assert_string_equal(w1, w2);
			words_in++;
			words_out++;
			w1 = strtok_r(NULL, " \n", &s1);
			w2 = strtok_r(NULL, " \n", &s2);
		}
		assert_null(w1);
		assert_null(w2);
		assert_int_equal(words_in, words_out);
		free(a);
		free(b);
		free(copy);
		free(got);
	}
}

static void test_text_trim_table(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "", "" },
		{ "   ", "" },
		{ "\t \t", "" },
		{ "abc", "abc" },
		{ "  abc", "abc" },
		{ "abc  ", "abc" },
		{ " \tabc def\t ", "abc def" },
		{ "a  b", "a  b" },
		{ "\nabc\n", "\nabc\n" }, /* only spaces and tabs */
		/* Spaces of every width: no-break, en/em/thin, narrow no-break,
		 * medium mathematical, ideographic. */
		{ "\u00a0Ana\u00a0", "Ana" },
		{ "\u2000\u2003\u2009\u200a", "" },
		{ "\u202fAna Silva\u205f\u3000", "Ana Silva" },
		{ "Ana\u00a0Silva", "Ana\u00a0Silva" }, /* inside: kept */
		{ "\u200bAna", "\u200bAna" },         /* invisible, but no space */
		{ " \xff ", "\xff" },                  /* an invalid byte is text */
	};

	for (size_t i = 0; i < N(cases); i++) {
		char buf[32];
		snprintf(buf, sizeof buf, "%s", cases[i].in);
		char *r = text_trim(buf);
		assert_ptr_equal(r, buf);
		assert_string_equal(buf, cases[i].out);
	}
}

/* A text of nothing visible counts as empty (issue 14: U+00A0 alone was
 * stored and exported as a name). */
static void test_text_is_blank_table(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		bool blank;
	} cases[] = {
		{ "", true },
		{ " ", true },
		{ " \t\n\r\v\f", true },
		{ "\u00a0", true },
		{ "\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a",
		  true },
		{ "\u202f\u205f\u3000", true },
		{ "\u2028\u2029\xc2\x85", true },     /* line and paragraph separators, NEL */
		{ "\ufeff", true },                        /* a byte order mark */
		{ "\u200b\u200c\u200d\u2060", true },   /* zero-width */
		{ " \u00a0 \ufeff\t", true },
		{ "a", false },
		{ "\u00a0a\u00a0", false },
		{ ".", false },
		{ "\u3164", true },                        /* Hangul filler: invisible */
		{ "\xff", false },                         /* invalid: not blank */
		{ " \xc2", false },                        /* cut sequence */
		{ "\u00ad", true },                        /* soft hyphen alone */
		{ "\U0001F600", false },
	};

	for (size_t i = 0; i < N(cases); i++) {
		if (text_is_blank(cases[i].s) != cases[i].blank)
			fail_msg("case %zu: text_is_blank is %d", i, !cases[i].blank);
	}
}

static void test_text_terminal_width_env(void **state)
{
	(void)state;
	static const struct {
		const char *columns; /* NULL: unset */
		int width;
	} cases[] = {
		{ NULL, 80 }, { "100", 100 }, { "10", 40 }, { "500", 200 }, { "abc", 80 }, { "-5", 80 },
	};
	const char *old = getenv("COLUMNS");
	char *saved = old ? strdup(old) : NULL;

	/* $COLUMNS is only read when stdout is not a terminal (as under run.sh). */
	if (isatty(STDOUT_FILENO)) {
		free(saved);
		skip();
	}
	for (size_t i = 0; i < N(cases); i++) {
		if (cases[i].columns)
			assert_int_equal(setenv("COLUMNS", cases[i].columns, 1), 0);
		else
			assert_int_equal(unsetenv("COLUMNS"), 0);
		if (text_terminal_width() != cases[i].width)
			fail_msg("COLUMNS=%s: width %d, expected %d",
				 cases[i].columns ? cases[i].columns : "(unset)",
				 text_terminal_width(), cases[i].width);
	}
	if (saved)
		setenv("COLUMNS", saved, 1);
	else
		unsetenv("COLUMNS");
	free(saved);
}

static void test_text_columns_and_fit(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		int cols, width;
		const char *fitted;
	} cases[] = {
		{ "Ana Silva", 9, 9, "Ana Silva" },
		{ "Ana Silva", 9, 8, "Ana Sil\xe2\x80\xa6" },
		{ "Ana Silva", 9, 5, "Ana\xe2\x80\xa6" }, /* no blank before the cut */
		{ "Zo\xc3\xab", 3, 3, "Zo\xc3\xab" },
		{ "Zoe\xcc\x88", 3, 3, "Zoe\xcc\x88" },               /* combining mark: 0 columns */
		{ "\xe5\xb1\xb1\xe7\x94\xb0", 4, 3, "\xe5\xb1\xb1\xe2\x80\xa6" }, /* wide: 2 each */
		{ "\xe5\xb1\xb1\xe7\x94\xb0", 4, 2, "\xe2\x80\xa6" },
		{ "abc", 3, 1, "\xe2\x80\xa6" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *f = text_fit(cases[i].s, cases[i].width);
		assert_int_equal(text_columns(cases[i].s), cases[i].cols);
		assert_non_null(f);
		assert_string_equal(f, cases[i].fitted);
		assert_true(text_columns(f) <= cases[i].width);
		free(f);
	}
}

/* JSON for a terminal: what a terminal acts on and JSON leaves raw is
 * escaped; a UTF-8 sequence cut at the end waits for the next call. */
static void test_text_json_terminal(void **state)
{
	char *out = NULL;
	size_t len = 0, used;
	FILE *f;
	/* DEL, CSI (U+009B), RLO (U+202E), an invalid byte, then é and 山. */
	static const char in[] = "\"a\x7f" "b\xc2\x9b" "c\xe2\x80\xae" "d\xff" "e\xc3\xa9\xe5\xb1\xb1\"";

	(void)state;
	assert_non_null(f = open_memstream(&out, &len));
	assert_int_equal(text_json_terminal(f, in, sizeof in - 1, true), sizeof in - 1);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(out, "\"a\\u007fb\\u009bc\\u202ed\\ufffde\xc3\xa9\xe5\xb1\xb1\"");
	free(out);

	/* 山 cut after its first byte: held back, then completed. */
	assert_non_null(f = open_memstream(&out, &len));
	used = text_json_terminal(f, "x\xe5", 2, false);
	assert_int_equal(used, 1);
	assert_int_equal(text_json_terminal(f, "\xe5\xb1\xb1y", 4, false), 4);
	/* At the end of the text a cut sequence is invalid. */
	assert_int_equal(text_json_terminal(f, "\xe5\xb1", 2, true), 2);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(out, "x\xe5\xb1\xb1y\\ufffd\\ufffd");
	free(out);
}

/* Parts of stored time stamps: cut where they are stamps, shown whole and
 * safe (once) where another program garbled them, never read past the end. */
static void test_text_stamp_part_table(void **state)
{
	static const struct {
		const char *stamp;
		size_t from, len;
		const char *want;
	} cases[] = {
		{ "2026-03-01T10:20:30Z", 0, 10, "2026-03-01" },
		{ "2026-03-01T10:20:30Z", 11, 8, "10:20:30" },
		{ "2026-03-01T10:20:30Z", 11, 5, "10:20" },
		{ "2026-03-01", 0, 10, "2026-03-01" },
		{ "2026-03-01", 11, 8, "" },     /* no time: nothing, not past the end */
		{ "\x9b[31m", 0, 10, "\\x9b[31m" }, /* short, a raw C1 CSI */
		{ "\x9b[31m", 11, 5, "" },
		{ "", 0, 10, "" },
		{ NULL, 0, 10, "" },
		{ "2026\x1b[2J-01T10:20:30Z", 0, 10, "2026\\x1b[2J-01T10:20:30Z" },
		{ "2026-03-01\x1b]52;c;eA==\x07", 0, 10, "2026-03-01" },
		{ "2026-03-01\x1b]52;c;eA==\x07", 11, 8, "" },
		{ "2026-03-01T1\xc2\x9b:30Z", 11, 8, "" },
		{ "Zo\xc3\xab\xe2\x80\xae", 0, 10, "Zo\xc3\xab\\u202e" },
	};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		const char *got = text_stamp_part(buf, sizeof buf, cases[i].stamp, cases[i].from,
						  cases[i].len);
		assert_ptr_equal(got, buf);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu: got '%s', want '%s'", i, got, cases[i].want);
	}
	/* A long garbled stamp is cut to the buffer at a code point. */
	assert_string_equal(text_stamp_part(buf, 8, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 0, 10),
			    "\xc3\xa9\xc3\xa9\xc3\xa9");
	assert_string_equal(text_stamp_part(buf, 6, "abcdefgh", 0, 10), "abcde");
}

/* CSV cells: controls and invalid bytes escaped, the rest as stored. */
static void test_text_without_controls(void **state)
{
	static const char *const same[] = { "", "Ana Silva", "line one\nline two\tand a tab",
					    "\xe2\x80\xaeZoe\xcc\x88 \xf0\x9f\x98\x80", "=1+1" };
	char *out;

	(void)state;
	for (size_t i = 0; i < N(same); i++) {
		assert_non_null(out = text_without_controls(same[i]));
		assert_string_equal(out, same[i]);
		free(out);
	}
	assert_non_null(out = text_without_controls("a\x1b]52;c;eA==\x07" "b\xc2\x9b" "c\x9b\x7f\r"));
	assert_string_equal(out, "a\\x1b]52;c;eA==\\x07b\\x9bc\\x9b\\x7f\\x0d");
	free(out);
}

/* JSON for a file or a pipe: valid UTF-8 whatever a string held. */
static void test_text_json_write(void **state)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f;
	/* C1 and RLO stay (valid JSON); invalid bytes become \ufffd. */
	static const char in[] = "\"a\xc2\x9b" "b\xe2\x80\xae" "c\x9b\xff" "d\xe5\xb1\xb1\xe5\"";

	(void)state;
	assert_non_null(f = open_memstream(&out, &len));
	assert_int_equal(text_json_write(f, in, sizeof in - 1), 0);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(out, "\"a\xc2\x9b" "b\xe2\x80\xae" "c\\ufffd\\ufffd"
				 "d\xe5\xb1\xb1\\ufffd\"");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_is_utf8_table),
		cmocka_unit_test(test_text_json_terminal),
		cmocka_unit_test(test_text_stamp_part_table),
		cmocka_unit_test(test_text_without_controls),
		cmocka_unit_test(test_text_json_write),
		cmocka_unit_test(test_text_codepoints),
		cmocka_unit_test(test_text_has_control_table),
		cmocka_unit_test(test_text_safe_table),
		cmocka_unit_test(test_text_safe_worst_case_size),
		cmocka_unit_test(test_text_print_safe),
		cmocka_unit_test(test_text_wrap_exact),
		cmocka_unit_test(test_text_wrap_properties),
		cmocka_unit_test(test_text_trim_table),
		cmocka_unit_test(test_text_is_blank_table),
		cmocka_unit_test(test_text_terminal_width_env),
		cmocka_unit_test(test_text_columns_and_fit),
	};
	return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
