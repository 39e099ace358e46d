/* db_draft.c - drafts: every answer stored the moment it is given, each in
 * a transaction of its own, so Ctrl-C, a closed terminal, a killed process
 * or a power cut loses at most the answer being typed. */
#include <stdlib.h>
#include <string.h>

#include "db_private.h"
#include "report.h"

/* The time now, UTC, as SQLite's strftime() writes it (the server's too). */
#define NOW "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
#define NOW_PG "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
#define INSERT_DRAFT(now)                                                                  \
	"INSERT INTO draft (intake_id, base_revision, client_id, started_at, updated_at, " \
	"staff, session_intake_id) VALUES (nullif(?1, 0), nullif(?2, 0), nullif(?3, 0), "  \
	now ", " now ", ?4, nullif(?5, 0))"
#define UPDATE_DRAFT(now)                                                        \
	"UPDATE draft SET next_question = ?2, client_id = nullif(?3, 0), updated_at = " \
	now " WHERE id = ?1"

static int draft_create(struct db *db, struct draft *d)
{
	struct db_stmt *st;
	int rc;

	if (db_prepare(db, db_sql(db, INSERT_DRAFT(NOW), INSERT_DRAFT(NOW_PG)), &st) < 0)
		return -1;
	db_bind_int64(st, 5, d->session_intake_id);
	db_bind_int64(st, 1, d->intake_id);
	db_bind_int64(st, 2, d->base_revision);
	db_bind_int64(st, 3, d->client_id);
	db_bind_text(st, 4, d->staff);
	rc = db_step_done(st);
	db_finalize(st);
	if (rc == 0)
		d->id = db_last_insert_id(db);
	return rc;
}

int db_draft_step(struct db *db, struct draft *d, const char *qid, const char *value,
		  const char *next_qid)
{
	struct db_stmt *st = NULL;
	bool created = !d->id;
	int rc = -1;

	if (db_exec(db, "BEGIN IMMEDIATE", "cannot keep the draft") < 0)
		return -1;
	if (created && draft_create(db, d) < 0)
		goto out;
	if (qid) {
		if (db_prepare(db, "INSERT INTO draft_answer (draft_id, question_id, value) "
				   "VALUES (?1, ?2, ?3) ON CONFLICT (draft_id, question_id) "
				   "DO UPDATE SET value = excluded.value", &st) < 0)
			goto out;
		db_bind_int64(st, 1, d->id);
		db_bind_text(st, 2, qid);
		db_bind_text(st, 3, value);
		if (db_step_done(st) < 0)
			goto out;
		db_finalize(st);
		st = NULL;
	}
	if (db_prepare(db, db_sql(db, UPDATE_DRAFT(NOW), UPDATE_DRAFT(NOW_PG)), &st) < 0)
		goto out;
	db_bind_int64(st, 1, d->id);
	db_bind_text(st, 2, next_qid);
	db_bind_int64(st, 3, d->client_id);
	if (db_step_done(st) < 0)
		goto out;
	rc = 0;
out:
	db_finalize(st);
	if (rc == 0 && db_exec(db, "COMMIT", "cannot keep the draft") == 0)
		return 0;
	if (rc < 0)
		db_report(db, "cannot keep the draft");
	db_exec_rc(db, "ROLLBACK");
	if (created)
		d->id = 0; /* its row went with the rollback */
	return -1;
}

#define DRAFT_COLUMNS                                                                   \
	"SELECT id, coalesce(intake_id, 0), coalesce(base_revision, 0), coalesce(client_id, 0), " \
	"next_question, started_at, updated_at, staff, coalesce(session_intake_id, 0) FROM draft "

/* Fills *d from the current row of rows and its answers. */
static int read_draft(struct db *db, struct db_stmt *rows, struct db_stmt *answers, struct draft *d)
{
	int rc;

	memset(d, 0, sizeof *d);
	d->id = db_column_int64(rows, 0);
	d->intake_id = db_column_int64(rows, 1);
	d->base_revision = db_column_int64(rows, 2);
	d->client_id = db_column_int64(rows, 3);
	d->next_question = db_column_dup(rows, 4);
	d->started_at = db_column_dup(rows, 5);
	d->updated_at = db_column_dup(rows, 6);
	d->staff = db_column_dup(rows, 7);
	d->session_intake_id = db_column_int64(rows, 8);
	if (!d->started_at || !d->updated_at || !d->staff)
		goto fail;
	db_bind_int64(answers, 1, d->id);
	while ((rc = db_step(answers)) == SQLITE_ROW) {
		const char *q = db_column_text(answers, 0);
		const char *v = db_column_text(answers, 1);
		int qi = q ? questionnaire_index(q) : -1;
		if (q && d->session_intake_id) {
			/* A session's draft: its answers by session.h's ids. */
			struct draft_value *grown =
				realloc(d->values, (d->value_count + 1) * sizeof *d->values);
			if (!grown)
				goto fail;
			d->values = grown;
			grown[d->value_count].id = strdup(q);
			grown[d->value_count].value = v ? strdup(v) : NULL;
			if (!grown[d->value_count].id || (v && !grown[d->value_count].value)) {
				free(grown[d->value_count].id);
				free(grown[d->value_count].value);
				goto fail;
			}
			d->value_count++;
			continue;
		}
		if (qi < 0)
			continue; /* a question of a later release */
		d->has[qi] = true;
		if (v && answers_set(&d->answers, q, v) < 0)
			goto fail;
	}
	db_reset(answers);
	if (rc != SQLITE_DONE)
		goto fail;
	return 0;
fail:
	db_reset(answers);
	draft_clear(d);
	db_report(db, "cannot read the draft");
	return -1;
}

static int each_draft(struct db *db, long long id,
		      int (*fn)(const struct draft *d, void *arg), void *arg)
{
	struct db_stmt *rows = NULL, *answers = NULL;
	struct draft d;
	bool own = db_autocommit(db);
	int rc, result = 0;

	if (db_prepare(db, id ? DRAFT_COLUMNS "WHERE id = ?1"
			      : DRAFT_COLUMNS "ORDER BY updated_at DESC, id DESC", &rows) < 0 ||
	    db_prepare(db, "SELECT question_id, value FROM draft_answer WHERE draft_id = ?1",
		       &answers) < 0) {
		db_report(db, "cannot read the drafts");
		result = -1;
		goto out;
	}
	/* Inside a caller's transaction, read what it sees. */
	if (own && db_exec(db, "BEGIN", "cannot read the drafts") < 0) {
		result = -1;
		goto out;
	}
	if (id)
		db_bind_int64(rows, 1, id);
	while ((rc = db_step(rows)) == SQLITE_ROW) {
		if (read_draft(db, rows, answers, &d) < 0) {
			result = -1;
			break;
		}
		result = fn(&d, arg);
		draft_clear(&d);
		if (result != 0)
			break;
	}
	if (result == 0 && rc != SQLITE_DONE) {
		db_report(db, "cannot read the drafts");
		result = -1;
	}
	if (own)
		db_exec_rc(db, "COMMIT");
out:
	db_finalize(rows);
	db_finalize(answers);
	return result;
}

int db_each_draft(struct db *db, int (*fn)(const struct draft *d, void *arg), void *arg)
{
	return each_draft(db, 0, fn, arg);
}

/* Moves the one draft read into the caller's struct. */
static int take_draft(const struct draft *d, void *arg)
{
	struct draft *out = arg;

	*out = *d;
	memset((struct draft *)d, 0, sizeof *d); /* now owned by out */
	return 1;
}

enum db_result db_draft_load(struct db *db, long long id, struct draft *out)
{
	int rc;

	memset(out, 0, sizeof *out);
	rc = each_draft(db, id, take_draft, out);
	return rc < 0 ? DB_ERROR : rc == 1 ? DB_OK : DB_MISSING;
}

enum db_result db_draft_discard(struct db *db, long long id)
{
	struct db_stmt *st;
	int rc;

	if (db_prepare(db, "DELETE FROM draft WHERE id = ?1", &st) < 0) {
		db_report(db, "cannot discard the draft");
		return -1;
	}
	db_bind_int64(st, 1, id);
	rc = db_step_done(st);
	if (rc < 0)
		db_report(db, "cannot discard the draft");
	else if (db_changes(db) == 0)
		rc = DB_MISSING;
	db_finalize(st);
	return rc;
}

long long db_drafts_older_than(struct db *db, int days, bool remove)
{
	/* updated_at is UTC as NOW writes it, so the texts compare as times
	 * (the same instant on a server: purge). */
#define AGO "strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-' || ?1 || ' days')"
#define AGO_PG                                                                        \
	"to_char((now() - make_interval(days => ?1::int)) AT TIME ZONE 'UTC', " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
	static const char *const sql[] = {
		"SELECT count(*) FROM draft WHERE updated_at < " AGO,
		"DELETE FROM draft WHERE updated_at < " AGO,
	};
	static const char *const sql_pg[] = {
		"SELECT count(*) FROM draft WHERE updated_at < " AGO_PG,
		"DELETE FROM draft WHERE updated_at < " AGO_PG,
	};
	const char *what = remove ? "cannot remove the old drafts" : "cannot read the drafts";
	struct db_stmt *st;
	long long n = -1;
	int rc;

	if (db_prepare(db, db_sql(db, sql[remove], sql_pg[remove]), &st) < 0) {
		db_report(db, what);
		return -1;
	}
	db_bind_int(st, 1, days);
	rc = db_step(st);
	if (!remove && rc == SQLITE_ROW)
		n = db_column_int64(st, 0);
	else if (remove && rc == SQLITE_DONE)
		n = db_changes(db);
	else
		db_report(db, what);
	db_finalize(st);
	return n;
}
