/* context.h - what a running command works with: the global options, the
 * database opened on demand, the settings and the staff member (context.c).
 * The workflows (take, edit, acknowledgement, access, erasure) take a
 * struct ctx; they do not need the command table. */
#ifndef SMP_CONTEXT_H
#define SMP_CONTEXT_H

#include <stdbool.h>

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

#endif
