/* db.c - the SQLite file: creating it privately, checking it is ours,
 * migrating it, and saving and reading intakes.  All SQL lives here and
 * every value goes through a bound parameter. */
#include "db.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db_private.h"
#include "fold.h"
#include "idset.h"
#include "report.h"
#include "schema.h"
#include "text.h"

#define BUSY_TIMEOUT_MS DB_BUSY_TIMEOUT_MS


void intake_clear(struct intake *in)
{
	if (!in)
		return;
	free(in->taken_at);
	free(in->staff);
	in->taken_at = in->staff = NULL;
	answers_clear(&in->answers);
	advice_sheet_clear(&in->advice);
	advice_sheet_clear(&in->ack_advice);
	free(in->ack.typed_name);
	free(in->ack.at);
	free(in->ack.staff);
	memset(&in->ack, 0, sizeof in->ack);
	for (size_t i = 0; i < in->clearances; i++) {
		free(in->cleared[i].flag_id);
		free(in->cleared[i].reason);
		free(in->cleared[i].at);
		free(in->cleared[i].staff);
	}
	in->clearances = 0;
}

/* Reports the failed step with SQLite's reason; a lock that outlasted the
 * busy timeout, a full disk, a read-only or a damaged file get words a
 * receptionist can act on. */
void db_report(struct db *db, const char *what)
{
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
		       db->path, sqlite3_errmsg(db->h));
	else
		report("%s: %s", what, sqlite3_errmsg(db->h));
}

/* mkdir -p with mode 0700 for every folder created. */
static int make_folders(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			report("cannot create folder '%s': %s", path, strerror(errno));
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

char *db_resolve_path(const char *path, bool make_folder)
{
	const char *env = getenv("SMP_INTAKE_DB");
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	char *out;
	size_t n;

	if (path || (env && *env))
		return strdup(path ? path : env);
	if (xdg && xdg[0] == '/') {
		n = strlen(xdg) + sizeof "/smp-intake/intake.db";
		if ((out = malloc(n)))
			snprintf(out, n, "%s/smp-intake/intake.db", xdg);
	} else if (home && *home) {
		n = strlen(home) + sizeof "/.local/share/smp-intake/intake.db";
		if ((out = malloc(n)))
			snprintf(out, n, "%s/.local/share/smp-intake/intake.db", home);
	} else {
		report("no database: give --db PATH, or set SMP_INTAKE_DB or HOME");
		return NULL;
	}
	if (!out) {
		report("out of memory");
		return NULL;
	}
	if (make_folder && make_folders(out) < 0) {
		free(out);
		return NULL;
	}
	return out;
}

int db_exec(struct db *db, const char *sql, const char *what)
{
	if (sqlite3_exec(db->h, sql, NULL, NULL, NULL) != SQLITE_OK) {
		db_report(db, what);
		return -1;
	}
	return 0;
}

/* Runs a one-row integer query; returns 0 with *out set, or -1. */
static int query_int(struct db *db, const char *sql, long long *out)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
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
	rc = sqlite3_exec(db->h, "BEGIN", NULL, NULL, NULL) == SQLITE_OK &&
		     query_int(db, "PRAGMA application_id", &app) == 0 &&
		     query_int(db, "PRAGMA user_version", version) == 0 &&
		     query_int(db, "SELECT count(*) FROM sqlite_schema", &tables) == 0
		     ? 0
		     : -1;
	if (rc < 0) {
		if ((sqlite3_errcode(db->h) & 0xff) == SQLITE_NOTADB)
			report("'%s' is not an smp-intake database (not an SQLite file)", db->path);
		else
			db_report(db, "cannot read the database");
	}
	sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL);
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
		rc = sqlite3_exec(db->h, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
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

/* Applies the missing migrations in one write transaction; another process
 * may have migrated meanwhile, so the version is read again inside it. */
static int migrate(struct db *db)
{
	long long version;
	char sql[96];

	if (db_exec(db, "BEGIN IMMEDIATE", "cannot update the database schema") < 0)
		return -1;
	if (query_int(db, "PRAGMA user_version", &version) < 0) {
		db_report(db, "cannot read the schema version");
		goto fail;
	}
	for (long long v = version; v < schema_migration_count; v++) {
		if (db_exec(db, schema_migrations[v], "cannot update the database schema") < 0)
			goto fail;
		snprintf(sql, sizeof sql, "PRAGMA user_version = %lld; PRAGMA application_id = %d",
			 v + 1, DB_APPLICATION_ID);
		if (db_exec(db, sql, "cannot update the database schema") < 0)
			goto fail;
	}
	/* The audit rows saved before migration 011 join the chain. */
	if (db_chain_unchained(db) < 0)
		goto fail;
	if (db_exec(db, "COMMIT", "cannot update the database schema") < 0)
		goto fail;
	return 0;
fail:
	sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

void db_report_missing(const char *path)
{
	report("no database at '%s' (check --db or $SMP_INTAKE_DB; `smp-intake new` creates "
	       "one)",
	       path);
}

const char *db_read_only(const struct db *db)
{
	return db->read_only;
}

bool db_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 || errno != ENOENT;
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

/* The end of db_open_mode() for a database that cannot be written here:
 * nothing is changed (no WAL switch, no migration), so a file of an older
 * schema is refused.  Frees *file; returns db, or NULL (reported). */
static struct db *open_read_only(struct db *db, long long version, struct db_file *file)
{
	db_file_clear(file);
	if (version < schema_migration_count) {
		report("'%s' is read-only (%s) and was written by an older smp-intake: open it "
		       "once where it can be written, to bring it up to date",
		       db->path, db->read_only);
		db_close(db);
		return NULL;
	}
	if (db_exec(db, "PRAGMA foreign_keys = ON", "cannot set up the database") < 0) {
		db_close(db);
		return NULL;
	}
	return db;
}

struct db *db_open(const char *path)
{
	return db_open_mode(path, true);
}

struct db *db_open_mode(const char *path, bool may_create)
{
	struct db *db = calloc(1, sizeof *db);
	struct db_file file = { 0 };
	long long version;
	int flags = SQLITE_OPEN_NOMUTEX;

	if (!db || !(db->path = strdup(path))) {
		report("out of memory");
		free(db);
		return NULL;
	}
	if (db_file_open(path, may_create, &file) < 0)
		goto fail;
	/* One connection, used by one thread: SQLite need not lock it.  What
	 * cannot be written here (read-only media) is opened read-only. */
	flags |= file.read_only ? SQLITE_OPEN_READONLY | SQLITE_OPEN_URI : SQLITE_OPEN_READWRITE;
	if (sqlite3_open_v2(file.name, &db->h, flags, NULL) != SQLITE_OK) {
		report("cannot open database '%s': %s", path,
		       db->h ? sqlite3_errmsg(db->h) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_busy_timeout(db->h, BUSY_TIMEOUT_MS);
	sqlite3_db_config(db->h, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	/* Direct only: never from a view, trigger or index of the schema, so
	 * the file stays readable by the sqlite3 tool. */
	if (sqlite3_create_function(db->h, "smp_fold", 1,
				    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, NULL,
				    sql_fold, NULL, NULL) != SQLITE_OK) {
		report("cannot open database '%s': %s", path, sqlite3_errmsg(db->h));
		goto fail;
	}
	if (check_identity(db, &version) < 0 || db_file_unchanged(&file, path) < 0)
		goto fail;
	if (file.read_only || sqlite3_db_readonly(db->h, "main") == 1)
		db->read_only = file.why ? file.why : "check the file's permissions";
	if (db->read_only)
		return open_read_only(db, version, &file);
	/* foreign_keys is ignored inside a transaction: set it first. */
	if (db_exec(db, "PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON", "cannot set up the database") < 0 ||
	    use_wal(db) < 0 ||
	    db_exec(db, "PRAGMA synchronous = FULL", "cannot set up the database") < 0)
		goto fail;
	if (version < schema_migration_count && migrate(db) < 0)
		goto fail;
	if (db_guard_check(db) < 0)
		goto fail;
	/* An erasure a kill or a full disk left unfinished. */
	db_erase_resume(db);
	db_file_clear(&file);
	return db;
fail:
	db_file_clear(&file);
	db_close(db);
	return NULL;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	db_chain_close(db);
	free(db->unguarded);
	sqlite3_close(db->h);
	free(db->path);
	free(db);
}


/* Prepares sql; the caller reports a failure, knowing what it was for. */
int db_prepare(struct db *db, const char *sql, sqlite3_stmt **st)
{
	return sqlite3_prepare_v2(db->h, sql, -1, st, NULL) == SQLITE_OK ? 0 : -1;
}

int db_settings(struct db *db, struct settings *out)
{
	sqlite3_stmt *st;
	struct settings def = SETTINGS_DEFAULT;
	char why[160];
	int rc;

	*out = def;
	if (db_prepare(db, "SELECT key, value FROM setting", &st) < 0) {
		db_report(db, "cannot read the settings");
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 0);
		const char *value = (const char *)sqlite3_column_text(st, 1);

		/* A key from a later release is left alone; a bad value is not
		 * worked with, as it is studio policy. */
		if (key && value && settings_set(out, key, value, why, sizeof why) == SETTING_BAD_VALUE) {
			report("'%s': a studio setting is out of range: %s (mend it with smp-intake "
			       "config set)",
			       db->path, why);
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		db_report(db, "cannot read the settings");
		return -1;
	}
	return 0;
}

int db_setting_store(struct db *db, const char *key, const char *value)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, "INSERT INTO setting (key, value) VALUES (?1, ?2) "
			"ON CONFLICT (key) DO UPDATE SET value = excluded.value", &st) < 0) {
		db_report(db, "cannot change the setting");
		return -1;
	}
	db_bind_text(st, 1, key);
	db_bind_text(st, 2, value);
	rc = db_step_done(st);
	if (rc < 0)
		db_report(db, "cannot change the setting");
	sqlite3_finalize(st);
	return rc;
}

int db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

/* Steps a statement that returns no row, then resets it for reuse. */
int db_step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The client record: the one chosen (in->client_id > 0), else the one with
 * the same names (folded) and date of birth unless a new record was asked for
 * (-1), else a new one.  Contact details are brought up to date with what
 * was just given. */
static int save_client(struct db *db, struct intake *in)
{
	const struct answers *a = &in->answers;
	sqlite3_stmt *st = NULL;
	int rc;

	if (in->client_id == 0) {
		/* The same person: the names the same once folded (fold.h),
		 * the same birth date (indexed: a handful of rows). */
		if (db_prepare(db, "SELECT id, first_name, last_name FROM client "
				   "WHERE date_of_birth = ?3 AND smp_fold(first_name) = smp_fold(?1) "
				   "AND smp_fold(last_name) = smp_fold(?2) ORDER BY id LIMIT 1", &st) < 0)
			return -1;
		db_bind_text(st, 1, answers_get(a, "first_name"));
		db_bind_text(st, 2, answers_get(a, "last_name"));
		db_bind_text(st, 3, answers_get(a, "date_of_birth"));
		rc = sqlite3_step(st);
		in->client_id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
		/* The names keep their spelling on file ("Zoë", not the "Zoe"
		 * typed this time): the intake shows them as stored. */
		if (rc == SQLITE_ROW &&
		    (answers_set(&in->answers, "first_name", (const char *)sqlite3_column_text(st, 1)) < 0 ||
		     answers_set(&in->answers, "last_name", (const char *)sqlite3_column_text(st, 2)) < 0))
			rc = SQLITE_NOMEM;
		sqlite3_finalize(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return -1;
	} else if (in->client_id < 0) {
		in->client_id = 0;
	}
	if (in->client_id) {
		if (db_prepare(db, "UPDATE client SET first_name = ?1, last_name = ?2, "
				   "date_of_birth = ?3, phone = coalesce(?4, phone), "
				   "email = coalesce(?5, email) WHERE id = ?6", &st) < 0)
			return -1;
		sqlite3_bind_int64(st, 6, in->client_id);
	} else {
		if (db_prepare(db, "INSERT INTO client (id, first_name, last_name, date_of_birth, phone, "
				   "email, created_at) VALUES (" NEXT_CLIENT_ID ", ?1, ?2, ?3, ?4, ?5, ?6)",
			       &st) < 0)
			return -1;
		db_bind_text(st, 6, in->taken_at);
	}
	db_bind_text(st, 1, answers_get(a, "first_name"));
	db_bind_text(st, 2, answers_get(a, "last_name"));
	db_bind_text(st, 3, answers_get(a, "date_of_birth"));
	db_bind_text(st, 4, answers_get(a, "phone"));
	db_bind_text(st, 5, answers_get(a, "email"));
	rc = db_step_done(st);
	if (rc == 0 && in->client_id && sqlite3_changes(db->h) != 1)
		rc = -1; /* the chosen client is gone (erased meanwhile) */
	sqlite3_finalize(st);
	if (rc == 0 && !in->client_id)
		in->client_id = sqlite3_last_insert_rowid(db->h);
	return rc;
}

/* Stores in's answers (the client's own are on the client record). */
static int save_answers(struct db *db, const struct intake *in)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (db_prepare(db, "INSERT INTO answer (intake_id, question_id, value) VALUES (?1, ?2, ?3)",
		       &st) < 0)
		return -1;
	for (size_t i = 0; i < questionnaire_count && rc == 0; i++) {
		if (!in->answers.value[i] || questionnaire[i].client_field)
			continue;
		sqlite3_bind_int64(st, 1, in->id);
		db_bind_text(st, 2, questionnaire[i].id);
		db_bind_text(st, 3, in->answers.value[i]);
		rc = db_step_done(st);
	}
	sqlite3_finalize(st);
	return rc;
}

/* Stores in's advice as a new sheet, numbered after the earlier ones (1 at
 * the intake), and sets *number to its number. */
static int save_sheet(struct db *db, const struct intake *in, long long *number)
{
	sqlite3_stmt *st;
	sqlite3_int64 sheet;
	int rc = -1;

	if (db_prepare(db, "SELECT coalesce(max(sheet), 0) + 1 FROM advice_sheet WHERE intake_id = ?1",
		       &st) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, in->id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return -1;
	}
	*number = sheet = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (db_prepare(db, "INSERT INTO advice_sheet (intake_id, sheet, position, advice_id, text) "
			   "VALUES (?1, ?2, ?3, ?4, ?5)", &st) < 0)
		return -1;
	rc = 0;
	for (size_t i = 0; i < in->advice.count && rc == 0; i++) {
		sqlite3_bind_int64(st, 1, in->id);
		sqlite3_bind_int64(st, 2, sheet);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)i + 1);
		db_bind_text(st, 4, in->advice.item[i].id);
		db_bind_text(st, 5, in->advice.item[i].text);
		rc = db_step_done(st);
	}
	sqlite3_finalize(st);
	return rc;
}

/* Runs sql, which takes one id, for id. */
static int run_for_id(struct db *db, const char *sql, long long id)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, sql, &st) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = db_step_done(st);
	sqlite3_finalize(st);
	return rc;
}

/* An empty version stands for this release's. */
static void versions_default(struct intake *in)
{
	if (!in->questionnaire_version[0])
		snprintf(in->questionnaire_version, sizeof in->questionnaire_version, "%s",
			 QUESTIONNAIRE_VERSION);
	if (!in->advice_version[0])
		snprintf(in->advice_version, sizeof in->advice_version, "%s", ADVICE_VERSION);
}

/* Stores ack for intake id and makes it the acknowledgement that counts. */
static int save_acknowledgement(struct db *db, long long id, const struct acknowledgement *ack)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, "INSERT INTO acknowledgement (intake_id, sheet, typed_name, at, staff) "
			   "VALUES (?1, ?2, ?3, ?4, ?5)", &st) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, ack->sheet);
	db_bind_text(st, 3, ack->typed_name);
	db_bind_text(st, 4, ack->at);
	db_bind_text(st, 5, ack->staff);
	rc = db_step_done(st);
	sqlite3_finalize(st);
	if (rc < 0 || db_prepare(db, "UPDATE intake SET acknowledged_sheet = ?2 WHERE id = ?1", &st) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, ack->sheet);
	rc = db_step_done(st);
	sqlite3_finalize(st);
	return rc;
}

/* The audit row of an acknowledgement: who typed what, for which sheet. */
static int audit_acknowledgement(struct db *db, long long client_id, long long intake_id,
				 const struct acknowledgement *ack)
{
	char sheet[24];
	struct audit_change change[2] = { { "acknowledged_by", NULL, ack->typed_name },
					  { "acknowledged_sheet", NULL, sheet } };
	struct audit_entry e = { 0, client_id, intake_id, ack->at, ack->staff, "acknowledge",
				 change, 2 };

	snprintf(sheet, sizeof sheet, "%lld", ack->sheet);
	return db_audit_add(db, &e);
}

static int save_rows(struct db *db, struct intake *in)
{
	sqlite3_stmt *st = NULL;
	int rc;

	versions_default(in);
	if (db_prepare(db, "INSERT INTO intake (id, uuid, client_id, taken_at, staff, "
			   "questionnaire_version, advice_version) "
			   "VALUES (" NEXT_INTAKE_ID ", ?1, ?2, ?3, ?4, ?5, ?6)", &st) < 0)
		return -1;
	db_bind_text(st, 1, in->uuid);
	sqlite3_bind_int64(st, 2, in->client_id);
	db_bind_text(st, 3, in->taken_at);
	db_bind_text(st, 4, in->staff);
	db_bind_text(st, 5, in->questionnaire_version);
	db_bind_text(st, 6, in->advice_version);
	rc = db_step_done(st);
	sqlite3_finalize(st);
	if (rc < 0)
		return -1;
	in->id = sqlite3_last_insert_rowid(db->h);
	if (save_answers(db, in) < 0 || save_sheet(db, in, &in->sheet) < 0)
		return -1;
	if (in->ack.typed_name) { /* a new intake: for its first sheet */
		in->ack.sheet = in->sheet;
		if (save_acknowledgement(db, in->id, &in->ack) < 0)
			return -1;
	}
	if (in->draft_id && run_for_id(db, "DELETE FROM draft WHERE id = ?1", in->draft_id) < 0)
		return -1;
	return 0;
}

/* Inside a write transaction: whether the draft being saved is still there
 * (someone may have resumed and saved it, or discarded it, meanwhile).
 * Reports and returns -1 when it is not. */
static int draft_still_open(struct db *db, long long draft_id)
{
	sqlite3_stmt *st;
	int rc;

	if (!draft_id)
		return 0;
	if (db_prepare(db, "SELECT 1 FROM draft WHERE id = ?1", &st) < 0) {
		db_report(db, "cannot read the draft");
		return -1;
	}
	sqlite3_bind_int64(st, 1, draft_id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		report("draft %lld was saved or discarded elsewhere meanwhile; nothing saved",
		       draft_id);
	else
		db_report(db, "cannot read the draft");
	return -1;
}

int db_save_intake(struct db *db, struct intake *in)
{
	if (db_exec(db, "BEGIN IMMEDIATE", "cannot save the intake") < 0)
		return -1;
	if (draft_still_open(db, in->draft_id) < 0) {
		in->draft_id = 0;
		goto fail;
	}
	in->revision = 1;
	if (save_client(db, in) < 0 || save_rows(db, in) < 0) {
		db_report(db, "cannot save the intake");
		goto fail;
	}
	struct audit_entry created = { 0, in->client_id, in->id, in->taken_at, in->staff,
				       "create", NULL, 0 };
	if (db_audit_answers(db, &created, NULL, &in->answers) < 0 ||
	    (in->ack.typed_name && audit_acknowledgement(db, in->client_id, in->id, &in->ack) < 0))
		goto fail;
	if (db_exec(db, "COMMIT", "cannot save the intake") < 0)
		goto fail;
	return 0;
fail:
	sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	in->id = in->client_id = 0;
	return -1;
}

/* The statements that read intakes, prepared once for a whole export. */
struct readers {
	sqlite3_stmt *intake, *answers, *advice, *clearances;
};

#define INTAKE_COLUMNS                                                                     \
	"SELECT i.id, i.uuid, i.client_id, i.taken_at, i.staff, c.first_name, c.last_name, "     \
	"c.date_of_birth, c.phone, c.email, i.revision, i.questionnaire_version, "               \
	"i.advice_version, a.sheet, a.typed_name, a.at, a.staff "                                \
	"FROM intake i JOIN client c ON c.id = i.client_id "                                     \
	"LEFT JOIN acknowledgement a ON a.intake_id = i.id AND a.sheet = i.acknowledged_sheet "
/* Where INTAKE_COLUMNS's acknowledgement starts. */
#define ACK_COLUMN 13

/* Copies column col's text (or "") into a version buffer. */
static void column_version(sqlite3_stmt *st, int col, char *out, size_t n)
{
	const unsigned char *v = sqlite3_column_text(st, col);
	snprintf(out, n, "%s", v ? (const char *)v : "");
}

static void readers_finalize(struct readers *r)
{
	sqlite3_finalize(r->intake);
	sqlite3_finalize(r->answers);
	sqlite3_finalize(r->advice);
	sqlite3_finalize(r->clearances);
}

static int readers_prepare(struct db *db, struct readers *r, const char *intake_sql)
{
	memset(r, 0, sizeof *r);
	if (db_prepare(db, intake_sql, &r->intake) < 0 ||
	    db_prepare(db, "SELECT question_id, value FROM answer WHERE intake_id = ?1", &r->answers) < 0 ||
	    db_prepare(db, "SELECT advice_id, text, sheet FROM advice_sheet WHERE intake_id = ?1 AND "
			"(sheet = (SELECT max(sheet) FROM advice_sheet WHERE intake_id = ?1) "
			"OR sheet = ?2) ORDER BY sheet DESC, position", &r->advice) < 0 ||
	    db_prepare(db, "SELECT flag_id, reason, at, staff FROM flag_clearance "
			"WHERE intake_id = ?1 ORDER BY flag_id", &r->clearances) < 0) {
		readers_finalize(r);
		return -1;
	}
	return 0;
}

/* The client_match of st's row (client id, last intake id, first and
 * last name, birth date, last taken): strings borrowed from st. */
static struct client_match match_row(sqlite3_stmt *st, bool near)
{
	return (struct client_match){
		sqlite3_column_int64(st, 0),
		sqlite3_column_int64(st, 1),
		(const char *)sqlite3_column_text(st, 2),
		(const char *)sqlite3_column_text(st, 3),
		(const char *)sqlite3_column_text(st, 4),
		(const char *)sqlite3_column_text(st, 5),
		near,
	};
}

int db_each_match(struct db *db, sqlite3_stmt *st, const char *what,
		  int (*fn)(const struct client_match *m, void *arg), void *arg)
{
	int rc, result = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct client_match m = match_row(st, false);
		if ((result = fn(&m, arg)) != 0)
			break;
	}
	if (result == 0 && rc != SQLITE_DONE) {
		db_report(db, what);
		result = -1;
	}
	sqlite3_finalize(st);
	return result;
}

char *db_column_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	return s ? strdup((const char *)s) : NULL;
}

/* Fills *in from the current row of r->intake and its answers and advice. */
static int read_intake(struct readers *r, struct intake *in)
{
	static const char *const client_ids[] = { "first_name", "last_name", "date_of_birth",
						  "phone", "email" };
	sqlite3_stmt *st = r->intake;
	const unsigned char *uuid = sqlite3_column_text(st, 1);
	int rc;

	memset(in, 0, sizeof *in);
	in->id = sqlite3_column_int64(st, 0);
	snprintf(in->uuid, sizeof in->uuid, "%s", uuid ? (const char *)uuid : "");
	in->client_id = sqlite3_column_int64(st, 2);
	in->taken_at = db_column_dup(st, 3);
	in->staff = db_column_dup(st, 4);
	in->revision = sqlite3_column_int64(st, 10);
	column_version(st, 11, in->questionnaire_version, sizeof in->questionnaire_version);
	column_version(st, 12, in->advice_version, sizeof in->advice_version);
	if (sqlite3_column_type(st, ACK_COLUMN) != SQLITE_NULL) {
		in->ack.sheet = sqlite3_column_int64(st, ACK_COLUMN);
		if (!(in->ack.typed_name = db_column_dup(st, ACK_COLUMN + 1)) ||
		    !(in->ack.at = db_column_dup(st, ACK_COLUMN + 2)) ||
		    !(in->ack.staff = db_column_dup(st, ACK_COLUMN + 3)))
			goto fail;
	}
	for (int i = 0; i < 5; i++) {
		const unsigned char *v = sqlite3_column_text(st, 5 + i);
		if (v && answers_set(&in->answers, client_ids[i], (const char *)v) < 0)
			goto fail;
	}
	if (!in->taken_at || !in->staff)
		goto fail;

	sqlite3_bind_int64(r->answers, 1, in->id);
	while ((rc = sqlite3_step(r->answers)) == SQLITE_ROW) {
		const char *q = (const char *)sqlite3_column_text(r->answers, 0);
		const char *v = (const char *)sqlite3_column_text(r->answers, 1);
		/* An id from a later release that this one does not know is skipped. */
		if (q && v && questionnaire_index(q) >= 0 && answers_set(&in->answers, q, v) < 0)
			goto fail;
	}
	sqlite3_reset(r->answers);
	if (rc != SQLITE_DONE)
		goto fail;

	/* The latest sheet (the first seen) and the acknowledged one. */
	sqlite3_bind_int64(r->advice, 1, in->id);
	sqlite3_bind_int64(r->advice, 2, in->ack.sheet);
	while ((rc = sqlite3_step(r->advice)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(r->advice, 0);
		const char *text = (const char *)sqlite3_column_text(r->advice, 1);
		long long n = sqlite3_column_int64(r->advice, 2);
		if (!in->sheet)
			in->sheet = n;
		if (id && text &&
		    advice_sheet_add(n == in->sheet ? &in->advice : &in->ack_advice, id, text) < 0)
			goto fail;
	}
	sqlite3_reset(r->advice);
	if (rc != SQLITE_DONE)
		goto fail;

	sqlite3_bind_int64(r->clearances, 1, in->id);
	while ((rc = sqlite3_step(r->clearances)) == SQLITE_ROW && in->clearances < FLAGS_MAX) {
		struct clearance *c = &in->cleared[in->clearances++];
		if (!(c->flag_id = db_column_dup(r->clearances, 0)) ||
		    !(c->reason = db_column_dup(r->clearances, 1)) ||
		    !(c->at = db_column_dup(r->clearances, 2)) ||
		    !(c->staff = db_column_dup(r->clearances, 3)))
			goto fail;
	}
	sqlite3_reset(r->clearances);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		goto fail;
	return 0;
fail:
	sqlite3_reset(r->answers);
	sqlite3_reset(r->advice);
	sqlite3_reset(r->clearances);
	intake_clear(in);
	return -1;
}

int db_load_intake(struct db *db, long long id, struct intake *out)
{
	struct readers r;
	int rc;

	memset(out, 0, sizeof *out);
	if (readers_prepare(db, &r, INTAKE_COLUMNS "WHERE i.id = ?1") < 0) {
		db_report(db, "cannot read the intake");
		return -1;
	}
	/* Inside a caller's write transaction, read what it sees. */
	bool own = sqlite3_get_autocommit(db->h);
	if (own && db_exec(db, "BEGIN", "cannot read the intake") < 0) {
		readers_finalize(&r);
		return -1;
	}
	sqlite3_bind_int64(r.intake, 1, id);
	rc = sqlite3_step(r.intake);
	if (rc == SQLITE_ROW)
		rc = read_intake(&r, out) < 0 ? -1 : 0;
	else
		rc = rc == SQLITE_DONE ? 1 : -1;
	if (rc < 0)
		db_report(db, "cannot read the intake");
	readers_finalize(&r);
	if (own)
		sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL);
	return rc;
}

int db_each_intake(struct db *db, int (*fn)(const struct intake *in, void *arg), void *arg)
{
	static const struct intake_query all = { NULL, NULL, false, 0, false };
	return db_each_intake_where(db, &all, fn, arg);
}

/* Reading many intakes.  Three statements are walked side by side in
 * intake order (a merge join): the intakes with their clients, every
 * answer, every advice row.  One pass over each table costs far less than
 * two lookups per intake (docs/performance.md).  For one client's few
 * intakes (q->client), the answers and advice are looked up per intake
 * instead, by the same statements' one-intake form.  The values are
 * copied into one buffer reused from intake to intake, so an intake costs
 * no allocation once the buffer has grown to the largest one. */
struct stream {
	struct db *db;
	sqlite3_stmt *intake, *answers, *advice, *clearances;
	int answers_rc, advice_rc, clearances_rc; /* SQLITE_ROW while a row waits to be used */
	bool by_id, desc;
	bool started; /* the scans begin at the first intake selected */
	char *buf;
	size_t used, cap;
};

/* Copies n bytes of s and a NUL into the stream's buffer; returns the
 * offset (the buffer may move: pointers are made once it is full), or
 * (size_t)-1 when out of memory. */
static size_t stream_keep(struct stream *s, const unsigned char *text, size_t n)
{
	size_t at = s->used;

	if (s->cap - s->used < n + 1) {
		size_t cap = s->cap ? s->cap : 4096;
		char *grown;
		while (cap - s->used < n + 1)
			cap *= 2;
		if (!(grown = realloc(s->buf, cap)))
			return (size_t)-1;
		s->buf = grown;
		s->cap = cap;
	}
	memcpy(s->buf + at, text, n);
	s->buf[at + n] = '\0';
	s->used += n + 1;
	return at;
}

static size_t stream_column(struct stream *s, sqlite3_stmt *st, int col)
{
	const unsigned char *v = sqlite3_column_text(st, col);
	return v ? stream_keep(s, v, (size_t)sqlite3_column_bytes(st, col)) : (size_t)-2;
}

/* Steps st on to the rows of intake id (skipping rows of intakes not
 * selected), or binds it to id when looking up one intake at a time.  A
 * scan starts at the first intake selected, so that a filter that keeps
 * recent intakes does not read every older row first.  Returns true when
 * *rc holds a row of id. */
static bool stream_seek(struct stream *s, sqlite3_stmt *st, int *rc, long long id)
{
	if (s->by_id || !s->started) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, id);
		*rc = sqlite3_step(st);
	}
	while (*rc == SQLITE_ROW) {
		long long at = sqlite3_column_int64(st, 0);
		if (at == id)
			return true;
		if (s->desc ? at < id : at > id)
			return false;
		*rc = sqlite3_step(st);
	}
	return false;
}

#define STREAM_NONE ((size_t)-2)

/* Reads the intake at the current row of s->intake into *in, its strings
 * in s->buf.  Returns 0, or -1 on a database error or out of memory. */
static int stream_read(struct stream *s, struct intake *in)
{
	static const char *const client_ids[] = { "first_name", "last_name", "date_of_birth",
						  "phone", "email" };
	static int client_qi[5] = { -1 };
	size_t taken_at, staff, value[QUESTIONS_MAX], adv_id[ADVICE_MAX], adv_text[ADVICE_MAX];
	size_t ack[3], cleared[FLAGS_MAX][4], ack_id[ADVICE_MAX], ack_text[ADVICE_MAX];
	size_t ack_count = 0;
	long long sheet = -1;
	const unsigned char *uuid = sqlite3_column_text(s->intake, 1);

	if (client_qi[0] < 0)
		for (int i = 0; i < 5; i++)
			client_qi[i] = questionnaire_index(client_ids[i]);
	memset(in, 0, sizeof *in);
	s->used = 0;
	for (size_t i = 0; i < QUESTIONS_MAX; i++)
		value[i] = STREAM_NONE;
	in->id = sqlite3_column_int64(s->intake, 0);
	snprintf(in->uuid, sizeof in->uuid, "%s", uuid ? (const char *)uuid : "");
	in->client_id = sqlite3_column_int64(s->intake, 2);
	in->revision = sqlite3_column_int64(s->intake, 10);
	column_version(s->intake, 11, in->questionnaire_version, sizeof in->questionnaire_version);
	column_version(s->intake, 12, in->advice_version, sizeof in->advice_version);
	if (sqlite3_column_type(s->intake, ACK_COLUMN) != SQLITE_NULL) {
		in->ack.sheet = sqlite3_column_int64(s->intake, ACK_COLUMN);
		for (int i = 0; i < 3; i++)
			ack[i] = stream_column(s, s->intake, ACK_COLUMN + 1 + i);
	}
	taken_at = stream_column(s, s->intake, 3);
	staff = stream_column(s, s->intake, 4);
	for (int i = 0; i < 5; i++)
		value[client_qi[i]] = stream_column(s, s->intake, 5 + i);

	if (stream_seek(s, s->answers, &s->answers_rc, in->id)) {
		do {
			const char *q = (const char *)sqlite3_column_text(s->answers, 1);
			int qi = q ? questionnaire_index(q) : -1;
			/* An id from a later release that this one does not know is
			 * skipped. */
			if (qi >= 0 && !questionnaire[qi].client_field)
				value[qi] = stream_column(s, s->answers, 2);
			s->answers_rc = sqlite3_step(s->answers);
		} while (s->answers_rc == SQLITE_ROW && sqlite3_column_int64(s->answers, 0) == in->id);
	}
	if (s->answers_rc != SQLITE_ROW && s->answers_rc != SQLITE_DONE)
		return -1;

	/* The latest sheet only: rows come by sheet (ascending, or descending
	 * when the walk is newest first: then the first sheet seen is the
	 * latest and its items come last first). */
	if (stream_seek(s, s->advice, &s->advice_rc, in->id)) {
		do {
			long long n = sqlite3_column_int64(s->advice, 1);
			if (n != sheet && !(s->desc && sheet >= 0)) {
				sheet = n;
				in->advice.count = 0;
			}
			if (n == sheet && in->advice.count < ADVICE_MAX) {
				in->sheet = n;
				adv_id[in->advice.count] = stream_column(s, s->advice, 2);
				adv_text[in->advice.count] = stream_column(s, s->advice, 3);
				in->advice.count++;
			}
			/* ... and the acknowledged sheet, kept when it is not the latest */
			if (n == in->ack.sheet && ack_count < ADVICE_MAX) {
				ack_id[ack_count] = stream_column(s, s->advice, 2);
				ack_text[ack_count] = stream_column(s, s->advice, 3);
				ack_count++;
			}
			s->advice_rc = sqlite3_step(s->advice);
		} while (s->advice_rc == SQLITE_ROW && sqlite3_column_int64(s->advice, 0) == in->id);
	}
	if (s->advice_rc != SQLITE_ROW && s->advice_rc != SQLITE_DONE)
		return -1;

	if (stream_seek(s, s->clearances, &s->clearances_rc, in->id)) {
		do {
			if (in->clearances < FLAGS_MAX) {
				for (int i = 0; i < 4; i++)
					cleared[in->clearances][i] =
						stream_column(s, s->clearances, 1 + i);
				in->clearances++;
			}
			s->clearances_rc = sqlite3_step(s->clearances);
		} while (s->clearances_rc == SQLITE_ROW &&
			 sqlite3_column_int64(s->clearances, 0) == in->id);
	}
	if (s->clearances_rc != SQLITE_ROW && s->clearances_rc != SQLITE_DONE)
		return -1;

	/* Every offset is known: make the pointers. */
	if (taken_at >= STREAM_NONE || staff >= STREAM_NONE)
		return -1;
	in->taken_at = s->buf + taken_at;
	in->staff = s->buf + staff;
	for (size_t i = 0; i < questionnaire_count; i++) {
		if (value[i] == (size_t)-1)
			return -1;
		if (value[i] != STREAM_NONE)
			in->answers.value[i] = s->buf + value[i];
	}
	for (size_t i = 0; i < in->advice.count; i++) {
		size_t k = s->desc ? in->advice.count - 1 - i : i;
		if (adv_id[k] >= STREAM_NONE || adv_text[k] >= STREAM_NONE)
			return -1;
		in->advice.item[i].id = s->buf + adv_id[k];
		in->advice.item[i].text = s->buf + adv_text[k];
	}
	if (in->ack.sheet == in->sheet)
		ack_count = 0;
	for (size_t i = 0; i < ack_count; i++) {
		size_t k = s->desc ? ack_count - 1 - i : i;
		if (ack_id[k] >= STREAM_NONE || ack_text[k] >= STREAM_NONE)
			return -1;
		in->ack_advice.item[i].id = s->buf + ack_id[k];
		in->ack_advice.item[i].text = s->buf + ack_text[k];
	}
	in->ack_advice.count = ack_count;
	if (in->ack.sheet) {
		char **field[3] = { &in->ack.typed_name, &in->ack.at, &in->ack.staff };
		for (int i = 0; i < 3; i++) {
			if (ack[i] >= STREAM_NONE)
				return -1;
			*field[i] = s->buf + ack[i];
		}
	}
	for (size_t i = 0; i < in->clearances; i++) {
		char **field[4] = { &in->cleared[i].flag_id, &in->cleared[i].reason,
				    &in->cleared[i].at, &in->cleared[i].staff };
		for (int j = 0; j < 4; j++) {
			if (cleared[i][j] >= STREAM_NONE)
				return -1;
			*field[j] = s->buf + cleared[i][j];
		}
	}
	return 0;
}

/* taken_at is UTC text; its first ten characters are the date. */
#define INTAKE_FILTER                                            \
	"WHERE (?1 IS NULL OR substr(i.taken_at, 1, 10) >= ?1) " \
	"AND (?2 IS NULL OR substr(i.taken_at, 1, 10) <= ?2) "   \
	"AND (?3 = 0 OR i.client_id = ?3) "                        \
	"AND (?4 = 0 OR NOT EXISTS (SELECT 1 FROM intake l "       \
	"WHERE l.client_id = i.client_id AND (l.taken_at > i.taken_at " \
	"OR (l.taken_at = i.taken_at AND l.id > i.id)))) "

static void bind_filter(sqlite3_stmt *st, const struct intake_query *q)
{
	db_bind_text(st, 1, q->since);
	db_bind_text(st, 2, q->until);
	sqlite3_bind_int64(st, 3, q->client);
	sqlite3_bind_int(st, 4, q->latest_only);
}

long long db_count_intakes(struct db *db, const struct intake_query *q)
{
	sqlite3_stmt *st;
	long long n = -1;

	if (db_prepare(db, "SELECT count(*) FROM intake i " INTAKE_FILTER, &st) < 0) {
		db_report(db, "cannot count the intakes");
		return -1;
	}
	bind_filter(st, q);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else
		db_report(db, "cannot count the intakes");
	sqlite3_finalize(st);
	return n;
}

int db_clients_where(struct db *db, const struct intake_query *q, struct idset *clients)
{
	sqlite3_stmt *st;
	int rc, result = 0;

	/* NOT INDEXED: the intakes' own pages are read, as the export will
	 * read them, so a damaged table is found before the row is written
	 * (an index alone could answer, and the file would change). */
	if (db_prepare(db, "SELECT DISTINCT i.client_id FROM intake i NOT INDEXED " INTAKE_FILTER
			   "ORDER BY i.client_id", &st) < 0) {
		db_report(db, "cannot read the intakes");
		return -1;
	}
	bind_filter(st, q);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (idset_add(clients, sqlite3_column_int64(st, 0)) < 0) {
			report("out of memory");
			result = -1;
			break;
		}
	}
	if (result == 0 && rc != SQLITE_DONE) {
		db_report(db, "cannot read the intakes");
		result = -1;
	}
	sqlite3_finalize(st);
	return result;
}

int db_each_intake_where(struct db *db, const struct intake_query *q,
			 int (*fn)(const struct intake *in, void *arg), void *arg)
{
	struct stream s = { db, NULL, NULL, NULL, NULL, SQLITE_DONE, SQLITE_DONE, SQLITE_DONE,
			    q->client != 0, q->newest_first, false, NULL, 0, 0 };
	const char *order = q->newest_first ? " DESC" : "";
	char intake_sql[1400], answers_sql[160], advice_sql[200], clearances_sql[200];
	struct intake in;
	int rc, result = 0;

	snprintf(intake_sql, sizeof intake_sql, INTAKE_COLUMNS INTAKE_FILTER "ORDER BY i.id%s", order);
	const char *from = s.by_id ? "= ?1" : q->newest_first ? "<= ?1" : ">= ?1";
	snprintf(answers_sql, sizeof answers_sql,
		 "SELECT intake_id, question_id, value FROM answer WHERE intake_id %s "
		 "ORDER BY intake_id%s",
		 from, order);
	snprintf(advice_sql, sizeof advice_sql,
		 "SELECT intake_id, sheet, advice_id, text FROM advice_sheet WHERE intake_id %s "
		 "ORDER BY intake_id%s, sheet%s, position%s",
		 from, order, order, order);
	snprintf(clearances_sql, sizeof clearances_sql,
		 "SELECT intake_id, flag_id, reason, at, staff FROM flag_clearance WHERE intake_id %s "
		 "ORDER BY intake_id%s, flag_id",
		 from, order);
	if (db_prepare(db, intake_sql, &s.intake) < 0 ||
	    db_prepare(db, clearances_sql, &s.clearances) < 0 ||
	    db_prepare(db, answers_sql, &s.answers) < 0 ||
	    db_prepare(db, advice_sql, &s.advice) < 0) {
		db_report(db, "cannot read the intakes");
		result = -1;
		goto out;
	}
	bind_filter(s.intake, q);
	/* One read transaction: a consistent snapshot while others save. */
	if (db_exec(db, "BEGIN", "cannot read the intakes") < 0) {
		result = -1;
		goto out;
	}
	while ((rc = sqlite3_step(s.intake)) == SQLITE_ROW) {
		int got = stream_read(&s, &in);
		s.started = true;
		if (got < 0) {
			db_report(db, "cannot read the intakes");
			result = -1;
			break;
		}
		if ((result = fn(&in, arg)) != 0)
			break;
	}
	if (result == 0 && rc != SQLITE_DONE) {
		db_report(db, "cannot read the intakes");
		result = -1;
	}
	sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL);
out:
	sqlite3_finalize(s.intake);
	sqlite3_finalize(s.answers);
	sqlite3_finalize(s.advice);
	sqlite3_finalize(s.clearances);
	free(s.buf);
	return result;
}

int db_each_id(struct db *db, bool clients, int (*fn)(long long id, void *arg), void *arg)
{
	sqlite3_stmt *st;
	int rc, result = 0;

	if (db_prepare(db, clients ? "SELECT id FROM client ORDER BY id" : "SELECT id FROM intake ORDER BY id",
		    &st) < 0) {
		db_report(db, "cannot list the ids");
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((result = fn(sqlite3_column_int64(st, 0), arg)) != 0)
			break;
	if (result == 0 && rc != SQLITE_DONE) {
		db_report(db, "cannot list the ids");
		result = -1;
	}
	sqlite3_finalize(st);
	return result;
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
	if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

int db_save_signoff(struct db *db, const struct intake *in, const struct answers *before,
		    const struct signoff *s)
{
	static const char *const gp_ids[] = { "gp_discussed", "gp_signoff", "gp_name",
					      "gp_signoff_date" };
	sqlite3_stmt *del = NULL, *ins = NULL, *st = NULL, *st2 = NULL;
	long long sheet;
	int rc = -1;

	if (db_prepare(db, "DELETE FROM answer WHERE intake_id = ?1 AND question_id = ?2", &del) < 0 ||
	    db_prepare(db, "INSERT INTO answer (intake_id, question_id, value) VALUES (?1, ?2, ?3)",
		    &ins) < 0)
		goto out;
	for (size_t i = 0; i < sizeof gp_ids / sizeof gp_ids[0]; i++) {
		const char *v = answers_get(&in->answers, gp_ids[i]);
		sqlite3_bind_int64(del, 1, in->id);
		db_bind_text(del, 2, gp_ids[i]);
		if (db_step_done(del) < 0)
			goto out;
		if (!v)
			continue;
		sqlite3_bind_int64(ins, 1, in->id);
		db_bind_text(ins, 2, gp_ids[i]);
		db_bind_text(ins, 3, v);
		if (db_step_done(ins) < 0)
			goto out;
	}
	if (save_sheet(db, in, &sheet) < 0)
		goto out;
	if (db_prepare(db, "INSERT INTO signoff (intake_id, status, gp_name, signed_on, reference, "
			"recorded_at, staff) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", &st) < 0)
		goto out;
	sqlite3_bind_int64(st, 1, in->id);
	db_bind_text(st, 2, s->status);
	db_bind_text(st, 3, s->gp_name);
	db_bind_text(st, 4, s->signed_on);
	db_bind_text(st, 5, s->reference);
	db_bind_text(st, 6, s->recorded_at);
	db_bind_text(st, 7, s->staff);
	if (db_step_done(st) < 0)
		goto out;
	/* The new sheet is given under this release's advice. */
	if (db_prepare(db, "UPDATE intake SET revision = revision + 1, advice_version = ?2 "
			   "WHERE id = ?1", &st2) < 0)
		goto out;
	sqlite3_bind_int64(st2, 1, in->id);
	db_bind_text(st2, 2, ADVICE_VERSION);
	if (db_step_done(st2) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		db_report(db, "cannot record the sign-off");
	if (rc == 0) {
		struct audit_entry e = { 0, in->client_id, in->id, s->recorded_at, s->staff,
					 "signoff", NULL, 0 };
		rc = db_audit_answers(db, &e, before, &in->answers);
	}
	sqlite3_finalize(del);
	sqlite3_finalize(ins);
	sqlite3_finalize(st);
	sqlite3_finalize(st2);
	return rc;
}

/* Inside a write transaction: removes the clearance of every flag whose
 * question's answer differs between before and after. */
static int reraise_flags(struct db *db, long long id, const struct answers *before,
			 const struct answers *after)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (db_prepare(db, "DELETE FROM flag_clearance WHERE intake_id = ?1 AND flag_id = ?2", &st) < 0)
		return -1;
	for (size_t i = 0; i < flag_rule_count && rc == 0; i++) {
		const char *old = answers_get(before, flag_rules[i].qid);
		const char *now = answers_get(after, flag_rules[i].qid);
		if ((!old && !now) || (old && now && strcmp(old, now) == 0))
			continue;
		sqlite3_bind_int64(st, 1, id);
		db_bind_text(st, 2, flag_rules[i].id);
		rc = db_step_done(st);
	}
	sqlite3_finalize(st);
	return rc;
}

/* Inside db_save_edit()'s transaction: 1 when the intake's acknowledged
 * sheet `acked` holds in's new advice item for item (ids and texts, in
 * order), 0 when not, -1 on error. */
static int same_as_acknowledged(struct db *db, const struct intake *in, long long acked)
{
	sqlite3_stmt *st;
	size_t n = 0;
	int rc, same = 1;

	if (db_prepare(db, "SELECT advice_id, text FROM advice_sheet WHERE intake_id = ?1 "
			   "AND sheet = ?2 ORDER BY position", &st) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, in->id);
	sqlite3_bind_int64(st, 2, acked);
	while (same && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *text = (const char *)sqlite3_column_text(st, 1);
		same = n < in->advice.count && id && text && strcmp(id, in->advice.item[n].id) == 0 &&
		       strcmp(text, in->advice.item[n].text) == 0;
		n++;
	}
	if (same && rc != SQLITE_DONE)
		same = -1;
	else if (same && n != in->advice.count)
		same = 0;
	sqlite3_finalize(st);
	return same;
}

/* Inside db_save_edit()'s transaction: the client's acknowledgement of
 * sheet `from` counts for sheet `to`, whose words are the same: a row of
 * acknowledgement for `to` with the name, time and staff member of the
 * one given, and an audit row saying so (at, staff: the edit's). */
static int carry_acknowledgement(struct db *db, const struct intake *in, long long from,
				 const char *staff, const char *at)
{
	sqlite3_stmt *st;
	char *typed = NULL, sheet[24], earlier[24];
	int rc = -1;

	if (db_prepare(db, "INSERT INTO acknowledgement (intake_id, sheet, typed_name, at, staff) "
			   "SELECT intake_id, ?3, typed_name, at, staff FROM acknowledgement "
			   "WHERE intake_id = ?1 AND sheet = ?2 RETURNING typed_name", &st) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, in->id);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, in->sheet);
	if (sqlite3_step(st) == SQLITE_ROW && (typed = db_column_dup(st, 0)) &&
	    sqlite3_step(st) == SQLITE_DONE)
		rc = 0;
	sqlite3_finalize(st);
	if (rc < 0 || db_prepare(db, "UPDATE intake SET acknowledged_sheet = ?2 WHERE id = ?1", &st) < 0) {
		free(typed);
		return -1;
	}
	sqlite3_bind_int64(st, 1, in->id);
	sqlite3_bind_int64(st, 2, in->sheet);
	rc = db_step_done(st);
	sqlite3_finalize(st);
	snprintf(sheet, sizeof sheet, "%lld", in->sheet);
	snprintf(earlier, sizeof earlier, "%lld", from);
	struct audit_change change[3] = { { "acknowledged_by", NULL, typed },
					  { "acknowledged_sheet", NULL, sheet },
					  { "carried_over_from_sheet", NULL, earlier } };
	struct audit_entry e = { 0, in->client_id, in->id, at, staff, "acknowledge", change, 3 };
	if (rc == 0)
		rc = db_audit_add(db, &e);
	free(typed);
	return rc;
}

int db_save_edit(struct db *db, struct intake *in, const struct answers *before,
		 const char *staff, const char *at)
{
	/* An acknowledgement given with the edit is not bound to a sheet yet
	 * (one loaded with the intake is, and is for an older sheet). */
	bool fresh_ack = in->ack.typed_name && in->ack.sheet == 0;
	bool same_names = strcmp(answers_get(before, "first_name"),
				 answers_get(&in->answers, "first_name")) == 0 &&
			  strcmp(answers_get(before, "last_name"),
				 answers_get(&in->answers, "last_name")) == 0;
	long long acked;
	sqlite3_stmt *st = NULL;
	int rc = -1, carry = 0;

	if (db_exec(db, "BEGIN IMMEDIATE", "cannot save the changes") < 0)
		return -1;
	if (draft_still_open(db, in->draft_id) < 0) {
		in->draft_id = 0;
		goto undo;
	}
	if (db_prepare(db, "SELECT revision, client_id, coalesce(acknowledged_sheet, 0) FROM intake "
			   "WHERE id = ?1", &st) < 0)
		goto fail;
	sqlite3_bind_int64(st, 1, in->id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		rc = 1;
		goto out;
	}
	if (rc != SQLITE_ROW)
		goto fail;
	if (sqlite3_column_int64(st, 0) != in->revision) {
		rc = 2;
		goto out;
	}
	in->client_id = sqlite3_column_int64(st, 1);
	acked = sqlite3_column_int64(st, 2);
	sqlite3_finalize(st);
	st = NULL;
	/* The client's acknowledgement is of words: a new sheet with the same
	 * words as the acknowledged one (a new phone number, say) keeps it,
	 * unless the name the client typed is no longer theirs. */
	if (!fresh_ack && acked && same_names &&
	    (carry = same_as_acknowledged(db, in, acked)) < 0)
		goto fail;
	/* The edited answers were asked under this release's questionnaire and
	 * get its advice; the new sheet waits for the client's acknowledgement
	 * (unless carried over); a flag whose answer changed is raised again. */
	if (run_for_id(db, "DELETE FROM answer WHERE intake_id = ?1", in->id) < 0 ||
	    save_answers(db, in) < 0 || save_sheet(db, in, &in->sheet) < 0 ||
	    run_for_id(db, "UPDATE intake SET revision = revision + 1, acknowledged_sheet = NULL, "
			   "questionnaire_version = '" QUESTIONNAIRE_VERSION "', "
			   "advice_version = '" ADVICE_VERSION "' WHERE id = ?1", in->id) < 0 ||
	    reraise_flags(db, in->id, before, &in->answers) < 0 ||
	    (fresh_ack && (in->ack.sheet = in->sheet) &&
	     save_acknowledgement(db, in->id, &in->ack) < 0) ||
	    (in->draft_id && run_for_id(db, "DELETE FROM draft WHERE id = ?1", in->draft_id) < 0))
		goto fail;
	/* Only the details this edit changed: a new phone number saved with
	 * `contact` while the edit was open is not put back. */
	if (db_prepare(db, "UPDATE client SET "
			   "first_name = CASE WHEN ?7 THEN ?1 ELSE first_name END, "
			   "last_name = CASE WHEN ?8 THEN ?2 ELSE last_name END, "
			   "date_of_birth = CASE WHEN ?9 THEN ?3 ELSE date_of_birth END, "
			   "phone = CASE WHEN ?10 THEN ?4 ELSE phone END, "
			   "email = CASE WHEN ?11 THEN ?5 ELSE email END WHERE id = ?6", &st) < 0)
		goto fail;
	{
		static const char *const ids[] = { "first_name", "last_name", "date_of_birth",
						   "phone", "email" };
		for (int i = 0; i < 5; i++) {
			const char *now = answers_get(&in->answers, ids[i]);
			const char *was = answers_get(before, ids[i]);
			db_bind_text(st, 1 + i, now);
			sqlite3_bind_int(st, 7 + i, !(now == was || (now && was && strcmp(now, was) == 0)));
		}
	}
	sqlite3_bind_int64(st, 6, in->client_id);
	if (db_step_done(st) < 0)
		goto fail;
	sqlite3_finalize(st);
	st = NULL;
	struct audit_entry e = { 0, in->client_id, in->id, at, staff, "edit", NULL, 0 };
	if (db_audit_answers(db, &e, before, &in->answers) < 0 ||
	    (fresh_ack && audit_acknowledgement(db, in->client_id, in->id, &in->ack) < 0))
		goto undo;
	if (carry && carry_acknowledgement(db, in, acked, staff, at) < 0)
		goto fail;
	if (db_exec(db, "COMMIT", "cannot save the changes") < 0)
		goto undo;
	in->revision++;
	snprintf(in->questionnaire_version, sizeof in->questionnaire_version, "%s",
		 QUESTIONNAIRE_VERSION);
	snprintf(in->advice_version, sizeof in->advice_version, "%s", ADVICE_VERSION);
	return 0;
out:
	sqlite3_finalize(st);
	sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	return rc;
fail:
	db_report(db, "cannot save the changes");
undo:
	sqlite3_finalize(st);
	sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int db_load_client(struct db *db, long long id, struct answers *out)
{
	static const char *const ids[] = { "first_name", "last_name", "date_of_birth", "phone",
					   "email" };
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof *out);
	if (db_prepare(db, "SELECT first_name, last_name, date_of_birth, phone, email FROM client "
			   "WHERE id = ?1", &st) < 0) {
		db_report(db, "cannot read the client");
		return -1;
	}
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		rc = 0;
		for (int i = 0; i < 5 && rc == 0; i++) {
			const char *v = (const char *)sqlite3_column_text(st, i);
			if (v && answers_set(out, ids[i], v) < 0) {
				report("out of memory");
				answers_clear(out);
				rc = -1;
			}
		}
	} else if (rc == SQLITE_DONE) {
		rc = 1;
	} else {
		db_report(db, "cannot read the client");
		rc = -1;
	}
	sqlite3_finalize(st);
	return rc;
}

/* The offer of a returning client (see db.h): the clients born that day
 * with an intake, newest first, read twice (the same names first, then
 * the near ones); names are compared in C, folded (fold.h). */
long long db_client_last_intake(struct db *db, long long client_id)
{
	sqlite3_stmt *st;
	long long id = -1;
	int rc;

	if (db_prepare(db, "SELECT coalesce(max(id), 0) FROM intake WHERE client_id = ?1", &st) < 0) {
		db_report(db, "cannot read the client's last intake");
		return -1;
	}
	sqlite3_bind_int64(st, 1, client_id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	else
		db_report(db, "cannot read the client's last intake");
	sqlite3_finalize(st);
	return id;
}

int db_same_clients(struct db *db, const struct answers *a,
		    int (*fn)(const struct client_match *m, void *arg), void *arg)
{
	const char *first = answers_get(a, "first_name"), *last = answers_get(a, "last_name");
	char *typed = text_join(first ? first : "", " ", last ? last : "");
	sqlite3_stmt *st = NULL;
	int rc = SQLITE_DONE, result = 0;

	if (!typed) {
		report("out of memory");
		return -1;
	}
	if (db_prepare(db, "SELECT c.id, max(i.id), c.first_name, c.last_name, c.date_of_birth, "
			   "max(i.taken_at) FROM client c JOIN intake i ON i.client_id = c.id "
			   "WHERE c.date_of_birth = ?1 GROUP BY c.id ORDER BY max(i.id) DESC",
		       &st) < 0) {
		db_report(db, "cannot look for the client");
		free(typed);
		return -1;
	}
	db_bind_text(st, 1, answers_get(a, "date_of_birth"));
	for (int pass = 0; pass < 2 && result == 0; pass++) {
		sqlite3_reset(st);
		while (result == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct client_match m = match_row(st, pass == 1);
			bool same = fold_equal(m.first_name, first) && fold_equal(m.last_name, last);
			if (pass == 0 && !same)
				continue;
			if (pass == 1) {
				char *name = text_join(m.first_name ? m.first_name : "", " ",
						       m.last_name ? m.last_name : "");
				if (!name) {
					report("out of memory");
					result = -1;
					break;
				}
				bool near = !same && fold_distance(name, typed, NAME_NEAR_EDITS) <=
							     NAME_NEAR_EDITS;
				free(name);
				if (!near)
					continue;
			}
			result = fn(&m, arg);
		}
		if (result == 0 && rc != SQLITE_DONE) {
			db_report(db, "cannot look for the client");
			result = -1;
		}
	}
	sqlite3_finalize(st);
	free(typed);
	return result;
}

/* Inside a write transaction: the intake's client and latest sheet, or 1
 * when it is gone. */
static int intake_state(struct db *db, long long id, long long *client, long long *sheet)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, "SELECT i.client_id, (SELECT max(sheet) FROM advice_sheet "
			   "WHERE intake_id = i.id) FROM intake i WHERE i.id = ?1", &st) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*client = sqlite3_column_int64(st, 0);
		*sheet = sqlite3_column_int64(st, 1);
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? 1 : -1;
	}
	sqlite3_finalize(st);
	return rc;
}

int db_save_acknowledgement(struct db *db, long long intake_id,
			    const struct acknowledgement *ack)
{
	long long client, sheet;
	int rc;

	if (db_exec(db, "BEGIN IMMEDIATE", "cannot save the acknowledgement") < 0)
		return -1;
	rc = intake_state(db, intake_id, &client, &sheet);
	if (rc == 0 && sheet != ack->sheet)
		rc = 2;
	if (rc == 0 && (save_acknowledgement(db, intake_id, ack) < 0 ||
			audit_acknowledgement(db, client, intake_id, ack) < 0))
		rc = -1;
	if (rc == 0 && db_exec(db, "COMMIT", "cannot save the acknowledgement") == 0)
		return 0;
	if (rc < 0)
		db_report(db, "cannot save the acknowledgement");
	sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int db_clear_flag(struct db *db, long long intake_id, const struct clearance *c)
{
	struct audit_change change = { c->flag_id, NULL, c->reason };
	struct audit_entry e = { 0, 0, intake_id, c->at, c->staff, "clear-flag", &change, 1 };
	sqlite3_stmt *st = NULL;
	long long client, sheet;
	int rc;

	if (db_exec(db, "BEGIN IMMEDIATE", "cannot clear the flag") < 0)
		return -1;
	rc = intake_state(db, intake_id, &client, &sheet);
	if (rc == 0 && db_prepare(db, "INSERT OR IGNORE INTO flag_clearance (intake_id, flag_id, "
				      "reason, at, staff) VALUES (?1, ?2, ?3, ?4, ?5)", &st) < 0)
		rc = -1;
	if (rc == 0) {
		sqlite3_bind_int64(st, 1, intake_id);
		db_bind_text(st, 2, c->flag_id);
		db_bind_text(st, 3, c->reason);
		db_bind_text(st, 4, c->at);
		db_bind_text(st, 5, c->staff);
		rc = db_step_done(st);
		if (rc == 0 && sqlite3_changes(db->h) == 0)
			rc = 2;
	}
	sqlite3_finalize(st);
	e.client_id = client;
	if (rc == 0 && db_audit_add(db, &e) < 0)
		rc = -1;
	if (rc == 0 && db_exec(db, "COMMIT", "cannot clear the flag") == 0)
		return 0;
	if (rc < 0)
		db_report(db, "cannot clear the flag");
	sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}
