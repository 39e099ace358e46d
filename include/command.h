/* command.h - the command table's shape, its one option parser and the
 * helpers every command uses; what a command runs with is context.h. */
#ifndef SMP_COMMAND_H
#define SMP_COMMAND_H

#include <stdbool.h>
#include <stdio.h>

#include "context.h"

/* One option of a command: --long_name (and -short_name when not 0), the
 * name of its value (NULL: a flag, which takes none) and its help, whose
 * first line stands beside the option in --help and the others under it. */
struct command_option {
	const char *long_name;
	char short_name;
	const char *arg;
	const char *help;
};

/* An operand (ID, FILE): its name, and its help as for an option (NULL:
 * the prose after the options says what it is). */
struct command_operand {
	const char *name;
	const char *help;
};

#define COMMAND_OPTIONS_MAX 10
#define COMMAND_OPERANDS_MAX 4

/* A row of the command table (src/command.c): what runs, and everything
 * its command line is, once: the usage line, the operands and options
 * that --help lists, `help --dump` prints, command_parse() parses and the
 * menu completes and keeps in its history. */
struct command {
	const char *name;
	int (*run)(struct ctx *ctx, int argc, char **argv);
	const char *usage;   /* "smp-intake show ID" */
	const char *summary; /* one line for the command list */
	struct command_operand operands[COMMAND_OPERANDS_MAX]; /* ended by a NULL name */
	int operands_min, operands_max;                        /* max -1: no limit */
	struct command_option options[COMMAND_OPTIONS_MAX];    /* ended by a NULL long_name */
	bool free_text; /* its operands are text typed as it is (find's words,
			 * config's values): only an option's whole name is an
			 * option; -x and -- are text */
	const char *help; /* the prose --help shows after the options */
};

/* What command_parse_each() finds wrong in a command line. */
enum command_parse_result {
	COMMAND_PARSE_OK,
	COMMAND_PARSE_UNKNOWN,   /* an unknown option, or a flag given a value */
	COMMAND_PARSE_AMBIGUOUS, /* the start of more than one long option */
	COMMAND_PARSE_NO_VALUE,  /* an option without its value */
	COMMAND_PARSE_STOPPED    /* the callback returned non-zero */
};

/* Called by command_parse_each() for each option found (value NULL for a
 * flag) or operand (option NULL, value the operand), in the order given.
 * Returns 0 to go on. */
typedef int command_parse_fn(const struct command_option *option, const char *value,
			     void *data);

/* Reads argv[1..argc) (argv[0] the command's name) by c's table, as GNU
 * getopt_long reads it whatever POSIXLY_CORRECT says: options and operands
 * in any order; "--" ends the options; a long option may be cut to any
 * start that is not the start of another (--rea for --reason), unless it
 * is one exactly (--for beside --format); a value follows "=" or is the
 * next word (whatever it starts with); -x VALUE or -xVALUE for a short
 * option; "-" alone is an operand.  -h and --help (exactly) are a flag of
 * every command (option -> command_help_option).  A command whose
 * operands are free_text takes only its options' whole names (--format,
 * --format=json) as options, and every other word as an operand.  Stops
 * at the first
 * problem; *bad (when not NULL) is then the index of the word at fault. */
enum command_parse_result command_parse_each(const struct command *c, int argc, char **argv,
					     command_parse_fn *fn, void *data, int *bad);

/* The -h/--help option command_parse_each() knows for every command. */
extern const struct command_option command_help_option;

/* What command_parse() found: each option's value by its place in the
 * command's table (the last one given; "" for a flag; NULL when not
 * given), and how many operands (moved to argv[1..operands]). */
struct command_args {
	const struct command *command;
	const char *value[COMMAND_OPTIONS_MAX];
	int operands;
};

/* Parses the command line of command argv[0] (see command_parse_each()),
 * moving the operands to argv[1..], in order.  Returns 0, or -1 after
 * reporting a usage error: a bad option in one line (as
 * command_bad_option()), too many or too few operands as the usage, or
 * "NAME takes no arguments besides its options". */
int command_parse(int argc, char **argv, struct command_args *args);

/* The value of option long_name in args (see struct command_args). */
const char *command_arg(const struct command_args *args, const char *long_name);

/* Prints the command table as JSON to f (`help --dump`).  Returns 0, or
 * -1 on a write error. */
int command_dump(FILE *f);

/* Runs argv[0] as a command; returns its exit code.  Used by main() and by
 * the menu shell. */
int command_dispatch(struct ctx *ctx, int argc, char **argv);

/* The command called name, or NULL. */
const struct command *command_lookup(const char *name);

/* The i-th command of the table (in --help order), or NULL past the end. */
const struct command *command_at(size_t i);

/* The command whose name is nearest to word (a typo away), or NULL. */
const char *command_nearest(const char *word);

/* Prints the usage and options of a command (or of the program when name
 * is NULL) to f. */
void command_usage(FILE *f, const char *name);

/* Checks the value of command name's date option (YYYY-MM-DD, a real
 * date).  Returns 0, or -1 (reported as "NAME: OPTION: ..."). */
int command_parse_date(const char *name, const char *option, const char *value);

/* Parses a positive intake or client id.  Returns it, or 0 (reported as
 * "what") when text is not one. */
long long command_parse_id(const char *text, const char *what);

/* Reports word as a bad option of command name (unknown, or without its
 * value); returns EXIT_USAGE. */
int command_bad_option(const char *name, const char *word);

/* Whether command name works on a PostgreSQL server yet (docs/server.md
 * lists them); the others are refused there in one line. */
bool command_on_server(const char *name);

/* True when argv holds -h or --help (checked before anything else). */
bool command_wants_help(int argc, char **argv);

/* The commands, one file each. */
int cmd_new(struct ctx *ctx, int argc, char **argv);
int cmd_acknowledge(struct ctx *ctx, int argc, char **argv);
int cmd_clear_flag(struct ctx *ctx, int argc, char **argv);
int cmd_show(struct ctx *ctx, int argc, char **argv);
int cmd_advice(struct ctx *ctx, int argc, char **argv);
int cmd_export(struct ctx *ctx, int argc, char **argv);
int cmd_import(struct ctx *ctx, int argc, char **argv);
int cmd_find(struct ctx *ctx, int argc, char **argv);
int cmd_contact(struct ctx *ctx, int argc, char **argv);
int cmd_consent(struct ctx *ctx, int argc, char **argv);
int cmd_shell(struct ctx *ctx, int argc, char **argv);
int cmd_signoff(struct ctx *ctx, int argc, char **argv);
int cmd_ids(struct ctx *ctx, int argc, char **argv);
int cmd_demo(struct ctx *ctx, int argc, char **argv);
int cmd_config(struct ctx *ctx, int argc, char **argv);
int cmd_list(struct ctx *ctx, int argc, char **argv);
int cmd_help(struct ctx *ctx, int argc, char **argv);
int cmd_edit(struct ctx *ctx, int argc, char **argv);
int cmd_history(struct ctx *ctx, int argc, char **argv);
int cmd_drafts(struct ctx *ctx, int argc, char **argv);
int cmd_resume(struct ctx *ctx, int argc, char **argv);
int cmd_erase(struct ctx *ctx, int argc, char **argv);
int cmd_purge(struct ctx *ctx, int argc, char **argv);
int cmd_questionnaire(struct ctx *ctx, int argc, char **argv);
int cmd_access_log(struct ctx *ctx, int argc, char **argv);
int cmd_verify(struct ctx *ctx, int argc, char **argv);
int cmd_migrate(struct ctx *ctx, int argc, char **argv);
int cmd_session(struct ctx *ctx, int argc, char **argv);
int cmd_photo(struct ctx *ctx, int argc, char **argv);

#endif
