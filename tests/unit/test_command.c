/* test_command.c - unit tests for command.c's parser: a table of options
 * and the argv variants a person types (any order, --, abbreviations,
 * --opt=value, -oVALUE), with POSIXLY_CORRECT set or not; and the real
 * table's rows. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct command table = {
	.name = "sample",
	.usage = "smp-intake sample ID [--status STATUS] [--since DATE] [-o FILE] [--yes]",
	.summary = "a command for the tests",
	.operands = { { "ID", "a number" } },
	.operands_min = 1,
	.operands_max = 1,
	.options = {
		{ "status", 0, "STATUS", "obtained or pending" },
		{ "since", 0, "DATE", "a date" },
		{ "for", 0, "READER", "client or artist" },
		{ "format", 0, "FORMAT", "text or json" },
		{ "output", 'o', "FILE", "a file" },
		{ "yes", 0, NULL, "do it" },
	},
	.help = "",
};

/* What the parser reported, as one line: "status=x yes ID:5" etc. */
struct seen {
	char text[256];
};

static int note(const struct command_option *o, const char *value, void *data)
{
	struct seen *s = data;
	size_t n = strlen(s->text);

	if (!o)
		snprintf(s->text + n, sizeof s->text - n, "%s[%s]", n ? " " : "", value);
	else if (value)
		snprintf(s->text + n, sizeof s->text - n, "%s%s=%s", n ? " " : "", o->long_name,
			 value);
	else
		snprintf(s->text + n, sizeof s->text - n, "%s%s", n ? " " : "", o->long_name);
	return 0;
}

/* Parses the words of line (split on blanks) by table; returns the
 * result and fills s. */
static enum command_parse_result parse(const char *line, struct seen *s, int *bad)
{
	static char buf[256];
	char *argv[32];
	int argc = 0;

	snprintf(buf, sizeof buf, "sample %s", line);
	for (char *w = strtok(buf, " "); w && argc < 31; w = strtok(NULL, " "))
		argv[argc++] = w;
	argv[argc] = NULL;
	memset(s, 0, sizeof *s);
	return command_parse_each(&table, argc, argv, note, s, bad);
}

static void check_cases(void)
{
	static const struct {
		const char *line, *seen;
	} cases[] = {
		{ "5 --status pending", "[5] status=pending" },
		{ "--status pending 5", "status=pending [5]" },
		{ "--status=pending 5", "status=pending [5]" },
		{ "5 --stat pending", "[5] status=pending" },   /* a unique start */
		{ "5 --st=obtained", "[5] status=obtained" },
		{ "5 --for client", "[5] for=client" },         /* whole beats start */
		{ "5 --form json", "[5] format=json" },
		{ "5 -o x.json", "[5] output=x.json" },
		{ "5 -ox.json", "[5] output=x.json" },
		{ "5 --out x.json", "[5] output=x.json" },
		{ "5 --status --yes", "[5] status=--yes" },     /* a value is the next word */
		{ "5 --status=", "[5] status=" },
		{ "--yes 5 --ye", "yes [5] yes" },
		{ "- 5", "[-] [5]" },                            /* - alone is an operand */
		{ "-- -5 --yes", "[-5] [--yes]" },               /* -- ends the options */
		{ "5 -- --", "[5] [--]" },
		{ "--help 5", "help [5]" },
		{ "-h", "help" },
	};
	struct seen s;

	for (size_t i = 0; i < N(cases); i++) {
		int bad = -1;
		enum command_parse_result r = parse(cases[i].line, &s, &bad);
		if (r != COMMAND_PARSE_OK || strcmp(s.text, cases[i].seen) != 0)
			fail_msg("'%s': result %d, seen '%s', want '%s'", cases[i].line, (int)r,
				 s.text, cases[i].seen);
	}
}

static void test_options_and_operands_in_any_order(void **state)
{
	(void)state;
	unsetenv("POSIXLY_CORRECT");
	check_cases();
}

static void test_posixly_correct_changes_nothing(void **state)
{
	(void)state;
	setenv("POSIXLY_CORRECT", "1", 1);
	check_cases();
	unsetenv("POSIXLY_CORRECT");
}

static void test_refused(void **state)
{
	static const struct {
		const char *line;
		enum command_parse_result result;
		int bad; /* the index of the word at fault (argv[0] is the command) */
	} cases[] = {
		{ "5 --bogus", COMMAND_PARSE_UNKNOWN, 2 },
		{ "5 --s x", COMMAND_PARSE_AMBIGUOUS, 2 },   /* --status, --since */
		{ "5 --fo x", COMMAND_PARSE_AMBIGUOUS, 2 },  /* --for, --format */
		{ "5 --f x", COMMAND_PARSE_AMBIGUOUS, 2 },
		{ "5 --status", COMMAND_PARSE_NO_VALUE, 2 },
		{ "5 -o", COMMAND_PARSE_NO_VALUE, 2 },
		{ "5 --yes=1", COMMAND_PARSE_UNKNOWN, 2 },   /* a flag takes no value */
		{ "-5", COMMAND_PARSE_UNKNOWN, 1 },
		{ "5 -x", COMMAND_PARSE_UNKNOWN, 2 },
		{ "5 --he", COMMAND_PARSE_UNKNOWN, 2 },      /* --help only whole */
		{ "5 -hx", COMMAND_PARSE_UNKNOWN, 2 },
		{ "--status x 5 --", COMMAND_PARSE_OK, -1 },
	};
	struct seen s;

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		int bad = -1;
		enum command_parse_result r = parse(cases[i].line, &s, &bad);
		if (r != cases[i].result || bad != cases[i].bad)
			fail_msg("'%s': result %d at %d, want %d at %d", cases[i].line, (int)r, bad,
				 (int)cases[i].result, cases[i].bad);
	}
}

static int stop_at_operand(const struct command_option *o, const char *value, void *data)
{
	(void)value;
	(void)data;
	return o == NULL;
}

static void test_the_callback_stops(void **state)
{
	char *argv[] = { "sample", "--yes", "5", "--bogus", NULL };

	(void)state;
	assert_int_equal(command_parse_each(&table, 4, argv, stop_at_operand, NULL, NULL),
			 COMMAND_PARSE_STOPPED);
}

static void test_command_parse_moves_operands_down(void **state)
{
	char w0[] = "signoff", w1[] = "--gp=Dr Who", w2[] = "7", w3[] = "--stat", w4[] = "pending";
	char *argv[] = { w0, w1, w2, w3, w4, NULL };
	struct command_args a;

	(void)state;
	assert_int_equal(command_parse(5, argv, &a), 0);
	assert_int_equal(a.operands, 1);
	assert_string_equal(argv[1], "7");
	assert_null(argv[2]);
	assert_string_equal(command_arg(&a, "status"), "pending");
	assert_string_equal(command_arg(&a, "gp"), "Dr Who");
	assert_null(command_arg(&a, "date"));
	assert_null(command_arg(&a, "no-such-option"));
}

static void test_command_parse_counts_operands(void **state)
{
	char *too_many[] = { "signoff", "7", "8", "--status", "pending", NULL };
	char *none[] = { "signoff", "--status", "pending", NULL };
	char *extra[] = { "list", "x", NULL };
	char *words[] = { "find", "-dubois", "--format", "tsv", "--", "--format", NULL };
	struct command_args a;

	(void)state;
	assert_int_equal(command_parse(5, too_many, &a), -1);
	assert_int_equal(command_parse(3, none, &a), -1);
	assert_int_equal(command_parse(2, extra, &a), -1);
	/* find's operands are free text: only --format is an option, and
	 * -- ends the options there too (what follows is text). */
	assert_int_equal(command_parse(6, words, &a), 0);
	assert_int_equal(a.operands, 2);
	assert_string_equal(words[1], "-dubois");
	assert_string_equal(words[2], "--format");
	assert_string_equal(command_arg(&a, "format"), "tsv");
}

/* Every row of the real table: operand counts that hold together, option
 * names that are words, no two options where one is a prefix-clash
 * duplicate, and a help line for each. */
static void test_the_table_holds_together(void **state)
{
	const struct command *c;
	size_t n = 0;

	(void)state;
	for (size_t i = 0; (c = command_at(i)); i++, n++) {
		size_t ops = 0;
		assert_non_null(c->run);
		assert_true(strncmp(c->usage, "smp-intake ", 11) == 0);
		while (ops < COMMAND_OPERANDS_MAX && c->operands[ops].name)
			ops++;
		assert_true(c->operands_min <= (int)ops);
		assert_true(c->operands_max < 0 || c->operands_max >= c->operands_min);
		for (size_t j = 0; c->options[j].long_name; j++) {
			assert_true(j < COMMAND_OPTIONS_MAX - 1);
			assert_true(strspn(c->options[j].long_name, "abcdefghijklmnopqrstuvwxyz-") ==
				    strlen(c->options[j].long_name));
			assert_true(c->options[j].help && c->options[j].help[0]);
			assert_true(strcmp(c->options[j].long_name, "help") != 0);
			for (size_t k = 0; k < j; k++)
				assert_true(strcmp(c->options[j].long_name, c->options[k].long_name));
		}
		assert_ptr_equal(command_lookup(c->name), c);
	}
	assert_true(n >= 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options_and_operands_in_any_order),
		cmocka_unit_test(test_posixly_correct_changes_nothing),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_the_callback_stops),
		cmocka_unit_test(test_command_parse_moves_operands_down),
		cmocka_unit_test(test_command_parse_counts_operands),
		cmocka_unit_test(test_the_table_holds_together),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
