/* command.h - what every command gets, and the command table's shape. */
#ifndef SMP_COMMAND_H
#define SMP_COMMAND_H

#include <stdbool.h>
#include <stdio.h>

#include "db.h"

enum exit_code { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* What the running command must do to the database, so that one that
 * cannot be written here (read-only media) is refused up front, naming
 * why, by a command that would have to write (command_dispatch() sets it;
 * a command that may write only sometimes, as `config set`, is DB_READS
 * and meets the read-only file at its write). */
enum db_need {
	DB_WRITES,     /* saves or changes something */
	DB_READS,      /* may work on a database it cannot write */
	DB_LOGS_ACCESS /* only reads, but records the access (the access log) */
};

/* The global options and what is opened on demand. */
struct ctx {
	const char *db_option;    /* --db */
	const char *staff_option; /* --staff */
	struct db *db;
	char *db_path;
	struct settings settings;
	bool settings_read;
	bool may_create; /* the running command may create a missing database */
	char *desk_staff; /* who the menu was told is at the desk (allocated) */
	const char *command; /* the running command's name, for messages */
	enum db_need db_need; /* what it must do to the database */
};

struct command {
	const char *name;
	int (*run)(struct ctx *ctx, int argc, char **argv);
	const char *usage;   /* "smp-intake show ID" */
	const char *summary; /* one line for the command list */
	const char *help;    /* the options, shown by --help */
};

/* Opens the database once (migrating it) and reads the settings.  A
 * missing file is created only when ctx->may_create (set by
 * command_dispatch() for the commands that create: new, import; config
 * sets it for `config set`); otherwise it is refused, naming the path, and
 * nothing is created.  Returns NULL after reporting why. */
struct db *ctx_db(struct ctx *ctx);

/* The database's path (--db, $SMP_INTAKE_DB or the default), without
 * opening or creating anything.  NULL (reported) when there is none. */
const char *ctx_db_path(struct ctx *ctx);

/* Opens the database without reading the settings: for `config`, which
 * must be able to mend a setting that is out of range. */
struct db *ctx_db_only(struct ctx *ctx);

/* The staff member: --staff, else $SMP_INTAKE_STAFF, else who the menu
 * was told is at the desk, else the login name unless the studio's setting
 * staff_required is yes (then it opens the database to read it).  Returns
 * NULL (reported) when none is usable. */
const char *ctx_staff(struct ctx *ctx);

/* --staff, else $SMP_INTAKE_STAFF, else who the menu was told is at the
 * desk; NULL when none is given (the login name is not looked at). */
const char *ctx_staff_given(const struct ctx *ctx);

/* The login name, or NULL when there is none. */
const char *ctx_login_name(void);

/* True when staff is usable as a staff name: 1 to 100 characters of text
 * without control characters. */
bool ctx_staff_valid(const char *staff);

/* Reports that client (clients true) or intake id is not there: erased
 * (when and by whom), or never was. */
void ctx_report_missing(struct ctx *ctx, bool clients, long long id);

/* Loads intake id from ctx's open database into *in.  Returns 0, or -1
 * when it cannot (reported; a missing intake as ctx_report_missing()). */
int ctx_load_intake(struct ctx *ctx, long long id, struct intake *in);

/* Closes what ctx opened. */
void ctx_close(struct ctx *ctx);

/* Runs argv[0] as a command; returns its exit code.  Used by main() and by
 * the menu shell. */
int command_dispatch(struct ctx *ctx, int argc, char **argv);

/* The command called name, or NULL. */
const struct command *command_lookup(const char *name);

/* The i-th command of the table (in --help order), or NULL past the end. */
const struct command *command_at(size_t i);

/* The command whose name is nearest to word (a typo away), or NULL. */
const char *command_nearest(const char *word);

/* The options of command name as its --help lists them, and --help: a
 * NULL-ended list (allocated; free it with command_options_free()), or
 * NULL when out of memory. */
char **command_options(const char *name);

/* Frees a list from command_options(); accepts NULL. */
void command_options_free(char **opts);

/* Prints the usage and options of a command (or of the program when name
 * is NULL) to f. */
void command_usage(FILE *f, const char *name);

/* Checks the value of command name's date option (YYYY-MM-DD, a real
 * date).  Returns 0, or -1 (reported as "NAME: OPTION: ..."). */
int command_parse_date(const char *name, const char *option, const char *value);

/* Parses a positive intake or client id.  Returns it, or 0 (reported as
 * "what") when text is not one. */
long long command_parse_id(const char *text, const char *what);

/* Reports a bad option found by getopt_long (with opterr = 0) in command
 * name; returns EXIT_USAGE. */
int command_bad_option(const char *name, int argc, char **argv);

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

#endif
