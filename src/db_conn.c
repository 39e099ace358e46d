/* db_conn.c - the connection layer at the bottom of storage: opening the
 * SQLite file once db_file.c has looked at it (checking it is ours, WAL,
 * the pragmas), reporting SQLite's errors in words, running and preparing
 * statements, transactions and column helpers, and the refusal of writes
 * when the protective triggers are gone.  Calls nothing above it: the
 * storage files (db_intake.c, db_audit.c, ...) call it, never the other
 * way round.  Every value goes through a bound parameter. */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db_private.h"
#include "fold.h"
#include "report.h"
#include "schema.h"

#define BUSY_TIMEOUT_MS DB_BUSY_TIMEOUT_MS

/* Reports the failed step with SQLite's reason; a lock that outlasted the
 * busy timeout, a full disk, a read-only or a damaged file get words a
 * receptionist can act on. */
/* The server's errors, in the same words where they mean the same. */
static void report_server(struct db *db, const char *what)
{
	int code = db_errcode(db);

	if (code == SQLITE_BUSY)
		report("%s: the database is busy (someone else is saving); try again", what);
	else if (code == SQLITE_FULL)
		report("%s: the server's disk is full", what);
	else if (code == SQLITE_IOERR)
		report("%s: the connection to the server was lost (%s)", what, db_errmsg(db));
	else if (code == SQLITE_AUTH)
		report("%s: the server does not allow it to this login (%s)", what, db_errmsg(db));
	else
		report("%s: %s", what, db_errmsg(db));
}

void db_report(struct db *db, const char *what)
{
	if (db->pg) {
		report_server(db, what);
		return;
	}
	int code = sqlite3_errcode(db->h) & 0xff;
	int ext = sqlite3_extended_errcode(db->h), sys = sqlite3_system_errno(db->h);

	if (code == SQLITE_READONLY && db_guard_report(db, what))
		return;
	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		report("%s: the database is busy (someone else is saving); try again", what);
	else if (code == SQLITE_FULL)
		report("%s: the disk is full", what);
	/* A write refused for lack of room (ENOSPC, or EFBIG past a size
	 * limit) often reaches us only as a failed write. */
	else if (ext == SQLITE_IOERR_WRITE ||
		 (code == SQLITE_IOERR && (sys == ENOSPC || sys == EFBIG)))
		report("%s: cannot write to the disk (it may be full, or the file size limit is "
		       "reached)",
		       what);
	else if (code == SQLITE_READONLY)
		report("%s: the database '%s' is read-only (%s)", what, db->path,
		       db->read_only ? db->read_only : "check the file's permissions");
	else if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
		report("%s: the database '%s' is damaged (%s); restore it from a backup", what,
		       db->path, db_errmsg(db));
	else
		report("%s: %s", what, db_errmsg(db));
}

bool db_guard_report(struct db *db, const char *what)
{
	if (!db->unguarded)
		return false;
	report("%s: the database '%s' has lost %s (%s), so its record may have been changed by "
	       "another program; nothing is saved (run smp-intake verify, and restore a backup)",
	       what, db->path, strchr(db->unguarded, ',') ? "triggers that protect it"
							  : "a trigger that protects it",
	       db->unguarded);
	db->guard_told = true;
	return true;
}

bool db_writable(struct db *db, const char *what)
{
	return !db_guard_report(db, what);
}

int db_exec(struct db *db, const char *sql, const char *what)
{
	if (db_exec_rc(db, sql) != SQLITE_OK) {
		db_report(db, what);
		return -1;
	}
	return 0;
}

/* Runs a one-row integer query; returns 0 with *out set, or -1. */
int db_query_int(struct db *db, const char *sql, long long *out)
{
	struct db_stmt *st;
	int rc;

	if (db_prepare(db, sql, &st) < 0)
		return -1;
	rc = db_step(st);
	if (rc == SQLITE_ROW)
		*out = db_column_int64(st, 0);
	db_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* Checks the opened file is ours and not newer, reading the schema so that
 * garbage shows up as SQLITE_NOTADB now rather than at the first save. */
static int check_identity(struct db *db, long long *version)
{
	long long app = 0, tables = 0;
	int rc;

	/* One read transaction: another process may be migrating right now,
	 * and its migration commits the schema and both marks together. */
	rc = db_exec_rc(db, "BEGIN") == SQLITE_OK &&
		     db_query_int(db, "PRAGMA application_id", &app) == 0 &&
		     db_query_int(db, "PRAGMA user_version", version) == 0 &&
		     db_query_int(db, "SELECT count(*) FROM sqlite_schema", &tables) == 0
		     ? 0
		     : -1;
	if (rc < 0) {
		if (db_errcode(db) == SQLITE_NOTADB)
			report("'%s' is not an smp-intake database (not an SQLite file)", db->path);
		else
			db_report(db, "cannot read the database");
	}
	db_exec_rc(db, "COMMIT");
	if (rc < 0)
		return -1;
	if ((app != 0 && app != DB_APPLICATION_ID) || (app == 0 && tables > 0)) {
		report("'%s' is not an smp-intake database (another program's SQLite file)",
		       db->path);
		return -1;
	}
	if (*version > schema_migration_count) {
		report("'%s' was written by a newer smp-intake (schema %lld; this one knows %d): "
		       "upgrade smp-intake",
		       db->path, *version, schema_migration_count);
		return -1;
	}
	return 0;
}

/* Switches to WAL.  The switch needs the file to itself and SQLite does not
 * always wait for that (several processes opening a new file at once), so
 * it is retried for as long as the busy timeout. */
static int use_wal(struct db *db)
{
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	int rc;

	for (int waited = 0;; waited += 10) {
		rc = db_exec_rc(db, "PRAGMA journal_mode = WAL");
		if (rc == SQLITE_OK)
			return 0;
		if (((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) ||
		    waited >= BUSY_TIMEOUT_MS)
			break;
		nanosleep(&pause, NULL);
	}
	db_report(db, "cannot set up the database");
	return -1;
}

/* smp_fold(text): fold_text() for SQL (fold.h), so that the queries that
 * match names follow the one rule.  NULL, or text that is not UTF-8,
 * folds to NULL, which equals nothing. */
static void sql_fold(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const char *s = (const char *)sqlite3_value_text(argv[0]);
	char *folded;

	(void)argc;
	if (!s) {
		sqlite3_result_null(cx);
		return;
	}
	if (!(folded = fold_text(s))) {
		if (errno == EILSEQ)
			sqlite3_result_null(cx);
		else
			sqlite3_result_error_nomem(cx);
		return;
	}
	sqlite3_result_text(cx, folded, -1, free);
}

const char *db_read_only(const struct db *db)
{
	return db->read_only;
}

/* Prepares sql with SQLite's flags, or on the server. */
static int prepare(struct db *db, const char *sql, unsigned flags, struct db_stmt **out)
{
	struct db_stmt *st = calloc(1, sizeof *st);
	int rc;

	*out = NULL;
	if (!st)
		return SQLITE_NOMEM;
	rc = db->pg ? db_pg_prepare(db, sql, &st->pg)
		    : sqlite3_prepare_v3(db->h, sql, -1, flags, &st->s, NULL);
	if (rc != SQLITE_OK) {
		/* SQLite may set no statement (a comment only): both are failures
		 * here, since every caller has SQL to run. */
		if (st->s)
			sqlite3_finalize(st->s);
		free(st);
		return rc;
	}
	if (!st->s && !st->pg) {
		free(st);
		return SQLITE_MISUSE;
	}
	*out = st;
	return SQLITE_OK;
}

int db_prepare_rc(struct db *db, const char *sql, struct db_stmt **st)
{
	return prepare(db, sql, 0, st);
}

int db_prepare_kept(struct db *db, const char *sql, struct db_stmt **st)
{
	return prepare(db, sql, SQLITE_PREPARE_PERSISTENT, st);
}

/* Prepares sql; the caller reports a failure, knowing what it was for. */
int db_prepare(struct db *db, const char *sql, struct db_stmt **st)
{
	return prepare(db, sql, 0, st) == SQLITE_OK ? 0 : -1;
}

int db_finalize(struct db_stmt *st)
{
	int rc = SQLITE_OK;

	if (!st)
		return rc;
	if (st->pg)
		db_pg_finalize(st->pg);
	else
		rc = sqlite3_finalize(st->s);
	free(st);
	return rc;
}

/* Steps a statement that returns no row, then resets it for reuse. */
int db_step_done(struct db_stmt *st)
{
	int rc = db_step(st);
	db_reset(st);
	db_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

char *db_column_dup(struct db_stmt *st, int col)
{
	const char *s = db_column_text(st, col);
	return s ? strdup(s) : NULL;
}

const char *db_column_held(struct held *h, struct db_stmt *st, int col)
{
	return held_add(h, db_column_dup(st, col));
}

int db_column_client(struct db_stmt *st, int col, struct answers *a)
{
	for (size_t k = 0; k < CLIENT_FIELDS; k++) {
		const char *v = db_column_text(st, col + (int)k);
		if (v && answers_set(a, client_field_question(k)->id, v) < 0)
			return -1;
	}
	return 0;
}

int db_begin_write(struct db *db)
{
	return db_exec(db, "BEGIN IMMEDIATE", "cannot write to the database");
}

int db_commit(struct db *db)
{
	if (db_exec(db, "COMMIT", "cannot save the change") < 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

void db_rollback(struct db *db)
{
	if (!db_autocommit(db))
		db_exec_rc(db, "ROLLBACK");
}

/* The end of db_conn_open() for a database that cannot be written here:
 * nothing is changed (no WAL switch, no migration), so a file of an older
 * schema is refused. */
static int open_read_only(struct db *db, long long version)
{
	if (version < schema_migration_count) {
		report("'%s' is read-only (%s) and was written by an older smp-intake: open it "
		       "once where it can be written, to bring it up to date",
		       db->path, db->read_only);
		return -1;
	}
	return db_exec(db, "PRAGMA foreign_keys = ON", "cannot set up the database");
}

/* Sets up the connection: SQLite's flags and busy timeout, smp_fold(), the
 * file checked to be ours, and (when it can be written) foreign keys,
 * secure_delete, WAL and full sync. */
static int conn_setup(struct db *db, const struct db_file *file, long long *version)
{
	int flags = SQLITE_OPEN_NOMUTEX;

	/* One connection, used by one thread: SQLite need not lock it.  What
	 * cannot be written here (read-only media) is opened read-only. */
	flags |= file->read_only ? SQLITE_OPEN_READONLY | SQLITE_OPEN_URI : SQLITE_OPEN_READWRITE;
	if (sqlite3_open_v2(file->name, &db->h, flags, NULL) != SQLITE_OK) {
		report("cannot open database '%s': %s", db->path,
		       db->h ? db_errmsg(db) : "out of memory");
		return -1;
	}
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_busy_timeout(db->h, BUSY_TIMEOUT_MS);
	sqlite3_db_config(db->h, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	/* Direct only: never from a view, trigger or index of the schema, so
	 * the file stays readable by the sqlite3 tool. */
	if (sqlite3_create_function(db->h, "smp_fold", 1,
				    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, NULL,
				    sql_fold, NULL, NULL) != SQLITE_OK) {
		report("cannot open database '%s': %s", db->path, db_errmsg(db));
		return -1;
	}
	if (check_identity(db, version) < 0 || db_file_unchanged(file, db->path) < 0)
		return -1;
	if (file->read_only || sqlite3_db_readonly(db->h, "main") == 1)
		db->read_only = file->why ? file->why : "check the file's permissions";
	if (db->read_only)
		return open_read_only(db, *version);
	/* foreign_keys is ignored inside a transaction: set it first. */
	if (db_exec(db, "PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON", "cannot set up the database") < 0 ||
	    use_wal(db) < 0 ||
	    db_exec(db, "PRAGMA synchronous = FULL", "cannot set up the database") < 0)
		return -1;
	return 0;
}

struct db *db_conn_open(const char *path, bool may_create, long long *version)
{
	struct db *db = calloc(1, sizeof *db);
	struct db_file file = { 0 };

	if (!db || !(db->path = strdup(path))) {
		report("out of memory");
		free(db);
		return NULL;
	}
	if (db_location_is_server(path)) {
		if (db_pg_open(db, path, version) < 0) {
			db_conn_close(db);
			return NULL;
		}
		return db;
	}
	if (db_file_open(path, may_create, &file) < 0 || conn_setup(db, &file, version) < 0) {
		db_file_clear(&file);
		db_conn_close(db);
		return NULL;
	}
	db_file_clear(&file);
	return db;
}

void db_conn_close(struct db *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < sizeof db->chain_st / sizeof db->chain_st[0]; i++)
		db_finalize(db->chain_st[i]);
	free(db->unguarded);
	free(db->tip_hash);
	db_pg_close(db);
	sqlite3_close(db->h);
	free(db->path);
	free(db);
}
