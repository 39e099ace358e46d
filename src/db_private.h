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
 *                 -> db_file.c, db_pg.c
 *   db_pg.c       a PostgreSQL server's connection and statements; calls none
 *   db_file.c     the file, looked at before SQLite opens it; calls none */
#ifndef SMP_DB_PRIVATE_H
#define SMP_DB_PRIVATE_H

#include <sqlite3.h>
#include <sys/types.h>

#include "db.h"

/* How long a statement waits for another terminal's write (set at open). */
#define DB_BUSY_TIMEOUT_MS 10000

struct pg_conn;
struct pg_stmt;

struct db {
	sqlite3 *h;            /* the SQLite file's connection, or NULL on a server */
	struct pg_conn *pg;    /* the server's connection (db_pg.c), or NULL */
	char *path;
	char *unguarded;  /* the protective triggers missing at open (db_chain.c), or NULL */
	bool guard_told;  /* whether that was said (a refused write, or verify) */
	struct db_stmt *chain_st[3]; /* db_audit_add()'s statements, kept for the next row */
	const char *read_only; /* why it cannot be written here, or NULL */
	bool bulk;        /* an import's transaction: the audit rows' answers can wait */
	long long tip_id; /* in it, the audit row last written (db_audit.c) */
	char *tip_hash;   /* and its hash, or NULL when not known */
};

/* The statement layer.  Every db*.c file reaches its database through
 * these, never through sqlite3_* or libpq directly (db_conn.c holds the
 * SQLite side, db_pg.c the server's): a statement is prepared, bound,
 * stepped row by row, reset for reuse and finalized, as with SQLite.
 * Storage speaks SQLite's result codes (SQLITE_OK, SQLITE_ROW,
 * SQLITE_DONE, SQLITE_BUSY, SQLITE_FULL, SQLITE_CONSTRAINT, ...) on both
 * backends: db_pg.c maps the server's results onto them, so the checks and
 * the words of db_report() are one.  The SQL is SQLite's; db_pg.c turns
 * `?N` and `?` into `$N`, and db_sql() chooses a text per backend where
 * the dialects differ.  The SQLite side is inline: one branch and the
 * call SQLite's own API would make. */
struct db_stmt {
	sqlite3_stmt *s;       /* SQLite's statement, or NULL on a server */
	struct pg_stmt *pg;  /* the server's (db_pg.c), or NULL */
};

/* The server's side (db_pg.c); only the wrappers below call these. */
int db_pg_prepare(struct db *db, const char *sql, struct pg_stmt **out);
int db_pg_step(struct pg_stmt *p);
int db_pg_reset(struct pg_stmt *p);
int db_pg_clear_bindings(struct pg_stmt *p);
void db_pg_finalize(struct pg_stmt *p);
int db_pg_bind_text(struct pg_stmt *p, int i, const char *s, bool copy);
int db_pg_bind_int64(struct pg_stmt *p, int i, long long v);
int db_pg_bind_null(struct pg_stmt *p, int i);
int db_pg_bind_blob(struct pg_stmt *p, int i, const void *data, size_t n);
const char *db_pg_column_text(struct pg_stmt *p, int col);
long long db_pg_column_int64(struct pg_stmt *p, int col);
bool db_pg_column_null(struct pg_stmt *p, int col);
int db_pg_column_type(struct pg_stmt *p, int col);
const void *db_pg_column_blob(struct pg_stmt *p, int col);
size_t db_pg_column_bytes(struct pg_stmt *p, int col);
int db_pg_exec(struct db *db, const char *sql);
long long db_pg_last_insert_id(struct db *db);
long long db_pg_changes(struct db *db);
bool db_pg_autocommit(struct db *db);
int db_pg_errcode(struct db *db);
const char *db_pg_errmsg(struct db *db);
void db_pg_defer(struct pg_stmt *p, bool on);
int db_pg_prefetch(struct pg_stmt *p);

/* Connects db (its path the URI) to the server at uri: the connection
 * made, the TLS rule kept (a remote server without sslmode require or
 * stronger only when allow_insecure_server), the schema ours and at this
 * program's version (*version).  Returns 0, or -1 (reported); db->pg may
 * be set either way (db_pg_close() frees it). */
int db_pg_open(struct db *db, const char *uri, long long *version);

/* Closes the server's connection of db, if any. */
void db_pg_close(struct db *db);

/* Inside a write transaction on a server: each identity sequence moved
 * past the highest number its table holds (after rows written with their
 * own numbers).  SQLite's code on failure. */
int db_pg_settle_identities(struct db *db);

/* Whether db is a PostgreSQL server's connection. */
static inline bool db_is_server(const struct db *db)
{
	return db->pg != NULL;
}

/* The SQL for this backend: sqlite's text on a file, pg's on a server. */
static inline const char *db_sql(const struct db *db, const char *sqlite, const char *pg)
{
	return db->pg ? pg : sqlite;
}

/* Prepares sql into *st (allocated); SQLITE_OK, or the error code (the
 * caller reports it, knowing what it was for; *st is then NULL). */
int db_prepare_rc(struct db *db, const char *sql, struct db_stmt **st);

/* As db_prepare_rc(), for a statement kept for the connection's life. */
int db_prepare_kept(struct db *db, const char *sql, struct db_stmt **st);

/* Finalizes st and frees it; accepts NULL.  Returns the statement's last
 * error code, as sqlite3_finalize(). */
int db_finalize(struct db_stmt *st);

/* Marks st (an INSERT, UPDATE or DELETE) as one whose answer can wait: on
 * a server, stepped inside a transaction, it is sent without waiting and
 * travels with the next statement that waits (db_pg.c's pipelining); its
 * step then says SQLITE_DONE at once, and an error of it is the error of
 * that next statement or of the COMMIT.  Only for statements whose
 * db_changes() and db_last_insert_id() are not read and whose error would
 * end the transaction anyway.  Nothing on a file (SQLite has no round
 * trip to save).  on false makes it wait again. */
static inline void db_defer(struct db_stmt *st, bool on)
{
	if (st->pg)
		db_pg_defer(st->pg, on);
}

/* Starts st (a SELECT of a row or a few, bound) early: on a server inside
 * a transaction its rows are asked for now and come, whole (no cursor),
 * with the next statement that waits for its answer, so that several
 * reads (and the writes deferred before them) share one round trip;
 * db_step() then reads them.  Reset st to drop them unread.  Nothing on a
 * file. */
static inline int db_prefetch(struct db_stmt *st)
{
	return st->pg ? db_pg_prefetch(st->pg) : SQLITE_OK;
}

static inline int db_step(struct db_stmt *st)
{
	return st->pg ? db_pg_step(st->pg) : sqlite3_step(st->s);
}

static inline int db_reset(struct db_stmt *st)
{
	return st->pg ? db_pg_reset(st->pg) : sqlite3_reset(st->s);
}

static inline int db_clear_bindings(struct db_stmt *st)
{
	return st->pg ? db_pg_clear_bindings(st->pg) : sqlite3_clear_bindings(st->s);
}

static inline int db_bind_int64(struct db_stmt *st, int i, long long v)
{
	return st->pg ? db_pg_bind_int64(st->pg, i, v) : sqlite3_bind_int64(st->s, i, v);
}

static inline int db_bind_int(struct db_stmt *st, int i, int v)
{
	return db_bind_int64(st, i, v);
}

static inline int db_bind_null(struct db_stmt *st, int i)
{
	return st->pg ? db_pg_bind_null(st->pg, i) : sqlite3_bind_null(st->s, i);
}

/* Binds s (NULL binds NULL), static: s must outlive the statement's step. */
static inline int db_bind_text(struct db_stmt *st, int i, const char *s)
{
	if (st->pg)
		return db_pg_bind_text(st->pg, i, s, false);
	return s ? sqlite3_bind_text(st->s, i, s, -1, SQLITE_STATIC) : sqlite3_bind_null(st->s, i);
}

/* Binds a copy of s (NULL binds NULL): s may go before the step. */
static inline int db_bind_text_copy(struct db_stmt *st, int i, const char *s)
{
	if (st->pg)
		return db_pg_bind_text(st->pg, i, s, true);
	return s ? sqlite3_bind_text(st->s, i, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st->s, i);
}

/* Binds n bytes at data, static (as db_bind_text()). */
static inline int db_bind_blob(struct db_stmt *st, int i, const void *data, size_t n)
{
	return st->pg ? db_pg_bind_blob(st->pg, i, data, n)
		      : sqlite3_bind_blob64(st->s, i, data, (sqlite3_uint64)n, SQLITE_STATIC);
}

/* A row's columns: valid until the next step, reset or finalize. */
static inline const char *db_column_text(struct db_stmt *st, int col)
{
	return st->pg ? db_pg_column_text(st->pg, col)
		      : (const char *)sqlite3_column_text(st->s, col);
}

static inline long long db_column_int64(struct db_stmt *st, int col)
{
	return st->pg ? db_pg_column_int64(st->pg, col) : sqlite3_column_int64(st->s, col);
}

/* An integer column (a truth value on a server: t is 1, f is 0). */
static inline int db_column_int(struct db_stmt *st, int col)
{
	return (int)db_column_int64(st, col);
}

static inline bool db_column_null(struct db_stmt *st, int col)
{
	return st->pg ? db_pg_column_null(st->pg, col)
		      : sqlite3_column_type(st->s, col) == SQLITE_NULL;
}

/* SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_BLOB or SQLITE_NULL
 * (a server's integers and truth values are SQLITE_INTEGER, its bytea
 * SQLITE_BLOB, the rest SQLITE_TEXT). */
static inline int db_column_type(struct db_stmt *st, int col)
{
	return st->pg ? db_pg_column_type(st->pg, col) : sqlite3_column_type(st->s, col);
}

static inline const void *db_column_blob(struct db_stmt *st, int col)
{
	return st->pg ? db_pg_column_blob(st->pg, col) : sqlite3_column_blob(st->s, col);
}

static inline size_t db_column_bytes(struct db_stmt *st, int col)
{
	return st->pg ? db_pg_column_bytes(st->pg, col) : (size_t)sqlite3_column_bytes(st->s, col);
}

/* Runs sql (one or more statements, no rows wanted) and returns SQLite's
 * code; nothing reported (see db_exec()). */
static inline int db_exec_rc(struct db *db, const char *sql)
{
	return db->pg ? db_pg_exec(db, sql) : sqlite3_exec(db->h, sql, NULL, NULL, NULL);
}

/* The id the last INSERT gave its row (an identity column's on a server). */
static inline long long db_last_insert_id(struct db *db)
{
	return db->pg ? db_pg_last_insert_id(db) : sqlite3_last_insert_rowid(db->h);
}

/* How many rows the last INSERT, UPDATE or DELETE changed. */
static inline long long db_changes(struct db *db)
{
	return db->pg ? db_pg_changes(db) : sqlite3_changes(db->h);
}

/* Whether the connection cannot write: SQLite's sqlite3_db_readonly() of
 * "main" (1 read-only, 0 not, -1 none); a server says so only when a write
 * is refused (SQLITE_READONLY), so 0 there. */
static inline int db_readonly(struct db *db)
{
	return db->pg ? 0 : sqlite3_db_readonly(db->h, "main");
}

/* Whether no transaction is open. */
static inline bool db_autocommit(struct db *db)
{
	return db->pg ? db_pg_autocommit(db) : sqlite3_get_autocommit(db->h) != 0;
}

/* The last error's code (primary, as (sqlite3_errcode() & 0xff)) and words. */
static inline int db_errcode(struct db *db)
{
	return db->pg ? db_pg_errcode(db) : sqlite3_errcode(db->h) & 0xff;
}

static inline const char *db_errmsg(struct db *db)
{
	return db->pg ? db_pg_errmsg(db) : sqlite3_errmsg(db->h);
}

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

/* Prepares sql; 0, or -1 (the caller reports it, knowing what it was
 * for). */
int db_prepare(struct db *db, const char *sql, struct db_stmt **st);

/* Steps a statement that returns no row, then resets it for reuse. */
int db_step_done(struct db_stmt *st);


/* A copy of a text column (allocated), or NULL for NULL. */
char *db_column_dup(struct db_stmt *st, int col);

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
int db_column_client(struct db_stmt *st, int col, struct answers *a);

/* A copy of a text column held by h (intake.h), or NULL for NULL or when
 * out of memory (tell them apart by sqlite3_column_type()). */
const char *db_column_held(struct held *h, struct db_stmt *st, int col);

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
int db_each_match(struct db *db, struct db_stmt *st, const char *what,
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
