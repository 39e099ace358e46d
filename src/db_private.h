/* db_private.h - what db.c shares with the files it delegates SQL to
 * (db_*.c).  Not part of the public surface: only db_*.c include it. */
#ifndef SMP_DB_PRIVATE_H
#define SMP_DB_PRIVATE_H

#include <sqlite3.h>

#include "db.h"

/* How long a statement waits for another terminal's write (set at open). */
#define DB_BUSY_TIMEOUT_MS 10000

struct db {
	sqlite3 *h;
	char *path;
};

/* New ids.  SQLite would give the highest id again once its row is gone,
 * and an erased client's or intake's number lives on in the audit (its
 * erasure): a new one must never answer to it.  Both columns are indexed. */
#define NEXT_CLIENT_ID                                                 \
	"(SELECT max(coalesce((SELECT max(id) FROM client), 0), "      \
	"coalesce((SELECT max(client_id) FROM audit), 0)) + 1)"
#define NEXT_INTAKE_ID                                                 \
	"(SELECT max(coalesce((SELECT max(id) FROM intake), 0), "      \
	"coalesce((SELECT max(intake_id) FROM audit), 0)) + 1)"

/* Reports the failed step ("what") with SQLite's reason, in words a
 * receptionist can act on for a busy database or a full disk. */
void db_report(struct db *db, const char *what);

/* Runs sql without rows; reports "what" and returns -1 on failure. */
int db_exec(struct db *db, const char *sql, const char *what);

/* Prepares sql; the caller reports a failure, knowing what it was for. */
int db_prepare(struct db *db, const char *sql, sqlite3_stmt **st);

/* Binds s (NULL binds NULL), static: s must outlive the step. */
int db_bind_text(sqlite3_stmt *st, int i, const char *s);

/* Steps a statement that returns no row, then resets it for reuse. */
int db_step_done(sqlite3_stmt *st);

/* Steps st, whose rows are (client id, last intake id, first name, last
 * name, birth date, last taken at), calling fn with each until fn returns
 * non-zero; then finalizes st.  Returns fn's last result, or -1 (reported
 * as "what") on a database error. */
int db_each_match(struct db *db, sqlite3_stmt *st, const char *what,
		  int (*fn)(const struct client_match *m, void *arg), void *arg);

/* A copy of a text column (allocated), or NULL for NULL. */
char *db_column_dup(sqlite3_stmt *st, int col);

#endif
