/* db_private.h - the inside of storage, shared by db*.c and by nothing
 * else.  The files form layers; each calls only files below it, so there
 * is no cycle (`nm -u` of each build/db*.o against the others shows it):
 *   db.c          opening and closing: conn, migrations, guard, erase resume
 *   db_import.c   -> db_erase.c (and audit, conn)
 *   db_erase.c    -> db_intake.c, db_draft.c, db_find.c, db_access.c (audit, conn)
 *   db_intake.c, db_contact.c, db_course.c -> db_audit.c (and conn)
 *   db_audit.c, db_chain.c, db_access.c, db_draft.c, db_find.c,
 *   db_setting.c  -> db_conn.c only
 *   db_conn.c     the connection: open, errors, statements, transactions
 *                 -> db_file.c
 *   db_file.c     the file, looked at before SQLite opens it; calls none */
#ifndef SMP_DB_PRIVATE_H
#define SMP_DB_PRIVATE_H

#include <sqlite3.h>
#include <sys/types.h>

#include "db.h"

/* How long a statement waits for another terminal's write (set at open). */
#define DB_BUSY_TIMEOUT_MS 10000

struct db {
	sqlite3 *h;
	char *path;
	char *unguarded;  /* the protective triggers missing at open (db_chain.c), or NULL */
	bool guard_told;  /* whether that was said (a refused write, or verify) */
	sqlite3_stmt *chain_st[3]; /* db_audit_add()'s statements, kept for the next row */
	const char *read_only; /* why it cannot be written here, or NULL */
};

/* The database file as looked at before SQLite opens it (db_file.c). */
struct db_file {
	char *real;       /* the path, its symbolic links resolved (allocated) */
	char *name;       /* what SQLite opens: real, or a read-only file: URI (allocated) */
	const char *why;  /* when it cannot be written here, why (for messages), else NULL */
	bool read_only;
	dev_t dev;
	ino_t ino;
};

/* Looks at the database at path before SQLite does, creating it (0600)
 * when missing and may_create.  Refuses (reported) what is not a regular
 * file, a file of another user or one others may read or write (the -wal
 * and -shm beside it too), a folder others could swap it in, a file that
 * is not an smp-intake database or is newer, and a -wal file that holds
 * changes a read-only medium cannot show.  Returns 0 with *f filled (free
 * it with db_file_clear()), or -1. */
int db_file_open(const char *path, bool may_create, struct db_file *f);

/* Returns 0 when f->real is still the file looked at, else reports (as
 * path) and returns -1: checked once SQLite has opened it. */
int db_file_unchanged(const struct db_file *f, const char *path);

/* Frees what db_file_open() allocated in f. */
void db_file_clear(struct db_file *f);

/* New ids.  SQLite would give the highest id again once its row is gone,
 * and an erased client's or intake's number lives on in the audit (its
 * erasure): a new one must never answer to it.  Both columns are indexed. */
#define NEXT_CLIENT_ID                                                 \
	"(SELECT max(coalesce((SELECT max(id) FROM client), 0), "      \
	"coalesce((SELECT max(client_id) FROM audit), 0)) + 1)"
#define NEXT_INTAKE_ID                                                 \
	"(SELECT max(coalesce((SELECT max(id) FROM intake), 0), "      \
	"coalesce((SELECT max(intake_id) FROM audit), 0)) + 1)"

/* The connection (db_conn.c). */

/* Opens the connection to the database at path once db_file_open() has
 * looked at it (creating it when missing and may_create), checks that it
 * is ours and not newer, and sets it up; *version is its schema version.
 * A database that cannot be written here is opened read-only
 * (db->read_only set; then one of an older schema is refused).  Nothing
 * is migrated.  Returns the connection, or NULL (reported). */
struct db *db_conn_open(const char *path, bool may_create, long long *version);

/* Closes the connection and frees db (the audit's kept statements
 * finalized); accepts NULL.  Says nothing: see db_chain_close(). */
void db_conn_close(struct db *db);

/* Runs a one-row integer query; returns 0 with *out set, or -1 (not
 * reported). */
int db_query_int(struct db *db, const char *sql, long long *out);

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


/* A copy of a text column (allocated), or NULL for NULL. */
char *db_column_dup(sqlite3_stmt *st, int col);

/* The client record's columns of the client's details, in
 * client_field_question() order (intake.h): a SELECT of them feeds
 * db_column_client(). */
#define CLIENT_COLUMNS "first_name, last_name, date_of_birth, phone, email"

/* When client c (the alias in the query) was last seen, for purge and the
 * studio's retention period: its newest intake (UTC time) or session (the
 * day), whichever is later; else (none left, which only another program
 * can bring about) when the record was made.  Compare its first ten
 * characters (YYYY-MM-DD). */
#define LAST_SEEN                                                                 \
	"coalesce(max((SELECT max(taken_at) FROM intake WHERE client_id = c.id), "  \
	"(SELECT max(performed_on) FROM session WHERE client_id = c.id)), "         \
	"(SELECT max(taken_at) FROM intake WHERE client_id = c.id), "               \
	"(SELECT max(performed_on) FROM session WHERE client_id = c.id), c.created_at)"

/* Sets the client's details in a from the CLIENT_FIELDS columns of st's
 * row from col on (CLIENT_COLUMNS's order; a NULL column leaves its
 * detail unset).  Returns 0, or -1 when out of memory (not reported). */
int db_column_client(sqlite3_stmt *st, int col, struct answers *a);

/* A copy of a text column held by h (intake.h), or NULL for NULL or when
 * out of memory (tell them apart by sqlite3_column_type()). */
const char *db_column_held(struct held *h, sqlite3_stmt *st, int col);

/* Reports why a write was refused when db->unguarded (one line, naming
 * what), and returns true; false when the connection is guarded. */
bool db_guard_report(struct db *db, const char *what);

/* The course (db_course.c). */

/* Inside a write transaction: records the photo consents answers a give
 * (consent_photos, consent_marketing; questionnaire 2026.4) for intake
 * intake_id of client_id, given at `at` with staff.  With before (an
 * edit, an import over a stored record), only a consent whose answer
 * changed; none for answers without them (an older intake).  A consent
 * that already stands at its value gets no new row.  No audit row: the
 * intake's own (create, edit, import) carries the answers.  Returns 0, or
 * -1 (reported). */
int db_consent_from_answers(struct db *db, long long client_id, long long intake_id,
			    const struct answers *before, const struct answers *a, const char *at,
			    const char *staff);

/* Finding clients (db_find.c). */

/* Steps st, whose rows are (client id, last intake id, first name, last
 * name, birth date, last taken at), calling fn with each until fn returns
 * non-zero; then finalizes st.  Returns fn's last result, or -1 (reported
 * as "what") on a database error. */
int db_each_match(struct db *db, sqlite3_stmt *st, const char *what,
		  int (*fn)(const struct client_match *m, void *arg), void *arg);

/* The audit chain (db_chain.c). */

/* Inside a write transaction: gives every audit row without a hash (saved
 * before migration 011) its salt, prev_hash and hash, in id order.
 * Returns 0, or -1 (reported). */
int db_chain_unchained(struct db *db);

/* Checks that the schema's protective triggers are all there (one query).
 * When one is missing, the connection is made read-only (query_only) and
 * db->unguarded names them: every write is then refused, in words
 * (db_report), and a reading command warns once at close.  Returns 0, or
 * -1 (reported) when the check cannot be made. */
int db_guard_check(struct db *db);

/* At close: the warning for a connection opened without its triggers,
 * unless a refused write or verify said it already. */
void db_chain_close(struct db *db);

#endif
