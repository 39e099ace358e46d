/* db_course.c - the course after the consultation (migration 012): the
 * sessions, the photos and their bytes, the client's photo consents and the
 * studio's aftercare text.  Each change is one transaction with its audit
 * row. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "db_private.h"
#include "uuid.h"

/* The columns of a session row, in struct session's order: the SELECT of
 * db_load_session() and db_each_session(), read by read_session(). */
#define SESSION_COLUMNS                                                              \
	"id, intake_id, client_id, number, uuid, performed_on, artist, areas, "      \
	"pigment_brand, shade, lot, lot_expiry, needle, dilution, notes, patch_test, " \
	"reaction, reaction_note, reaction_at, rescreen, intake_revision, id_checked, " \
	"countersigned, client_ack, coalesce(aftercare_version, 0), override_reason, " \
	"recorded_at, staff"

/* A session's text fields with their column names, for the insert, the
 * reader and the audit row. */
static char **session_text(struct session *s, int k, const char **name)
{
	static const char *const names[] = {
		"performed_on", "artist", "areas", "pigment_brand", "shade", "lot", "lot_expiry",
		"needle", "dilution", "notes",
	};
	char **field[] = {
		&s->performed_on, &s->artist, &s->areas, &s->pigment_brand, &s->shade, &s->lot,
		&s->lot_expiry, &s->needle, &s->dilution, &s->notes,
	};
	if (k < 0 || k >= (int)(sizeof names / sizeof names[0]))
		return NULL;
	if (name)
		*name = names[k];
	return field[k];
}

static int dup_col(struct db_stmt *st, int col, char **out)
{
	*out = NULL;
	if (db_column_null(st, col))
		return 0;
	return (*out = db_column_dup(st, col)) ? 0 : -1;
}

/* Column col as text: NULL for NULL; a copy, or with borrow sqlite's own
 * (valid until the statement steps on).  Returns 0, or -1 when out of
 * memory. */
static int take_col(struct db_stmt *st, int col, char **out, bool borrow)
{
	if (!borrow)
		return dup_col(st, col, out);
	*out = (char *)db_column_text(st, col);
	return *out || db_column_null(st, col) ? 0 : -1;
}

/* Reads a SESSION_COLUMNS row into *s: owned, or with borrow a view into
 * the row (not to be cleared; valid until st steps on).  Returns 0, or
 * -1 when out of memory (s emptied). */
static int read_session_row(struct db_stmt *st, struct session *s, bool borrow)
{
	const char *uuid;
	char **text;
	int col = 5;

	memset(s, 0, sizeof *s);
	s->id = db_column_int64(st, 0);
	s->intake_id = db_column_int64(st, 1);
	s->client_id = db_column_int64(st, 2);
	s->number = db_column_int64(st, 3);
	uuid = db_column_text(st, 4);
	snprintf(s->uuid, sizeof s->uuid, "%s", uuid ? uuid : "");
	for (int k = 0; (text = session_text(s, k, NULL)); k++)
		if (take_col(st, col++, text, borrow) < 0)
			goto oom;
	s->patch_test = db_column_int(st, col++) != 0;
	if (take_col(st, col++, &s->reaction, borrow) < 0 || take_col(st, col++, &s->reaction_note, borrow) < 0 ||
	    take_col(st, col++, &s->reaction_at, borrow) < 0 || take_col(st, col++, &s->rescreen, borrow) < 0)
		goto oom;
	s->intake_revision = db_column_int64(st, col++);
	if (take_col(st, col++, &s->id_checked, borrow) < 0 || take_col(st, col++, &s->countersigned, borrow) < 0 ||
	    take_col(st, col++, &s->client_ack, borrow) < 0)
		goto oom;
	s->aftercare_version = db_column_int64(st, col++);
	if (take_col(st, col++, &s->override_reason, borrow) < 0 ||
	    take_col(st, col++, &s->recorded_at, borrow) < 0 || take_col(st, col++, &s->staff, borrow) < 0)
		goto oom;
	return 0;
oom:
	if (borrow)
		memset(s, 0, sizeof *s);
	else
		session_clear(s);
	return -1;
}

/* Reads a SESSION_COLUMNS row into *s (owned). */
static int read_session(struct db_stmt *st, struct session *s)
{
	return read_session_row(st, s, false);
}

/* The audit row of a new session: every field given, as a change from
 * nothing. */
static int audit_session(struct db *db, struct session *s)
{
	struct audit_change change[24];
	char number[24], patch[2], revision[24], aftercare[24];
	size_t n = 0;
	const char *name;
	char **text;

	snprintf(number, sizeof number, "%lld", s->number);
	change[n++] = (struct audit_change){ "session_number", NULL, number };
	for (int k = 0; (text = session_text(s, k, &name)); k++)
		if (*text)
			change[n++] = (struct audit_change){ name, NULL, *text };
	snprintf(patch, sizeof patch, "%d", s->patch_test ? 1 : 0);
	change[n++] = (struct audit_change){ "patch_test", NULL, patch };
	change[n++] = (struct audit_change){ "rescreen", NULL, s->rescreen };
	snprintf(revision, sizeof revision, "%lld", s->intake_revision);
	change[n++] = (struct audit_change){ "intake_revision", NULL, revision };
	change[n++] = (struct audit_change){ "id_checked", NULL, s->id_checked };
	change[n++] = (struct audit_change){ "countersigned", NULL, s->countersigned };
	if (s->client_ack)
		change[n++] = (struct audit_change){ "client_ack", NULL, s->client_ack };
	if (s->aftercare_version) {
		snprintf(aftercare, sizeof aftercare, "%lld", s->aftercare_version);
		change[n++] = (struct audit_change){ "aftercare_version", NULL, aftercare };
	}
	if (s->override_reason)
		change[n++] = (struct audit_change){ "override_reason", NULL, s->override_reason };
	change[n++] = (struct audit_change){ "session_uuid", NULL, s->uuid };
	struct audit_entry e = { 0, s->client_id, s->intake_id, s->recorded_at, s->staff,
				 "session", change, n };
	return db_audit_add(db, &e);
}

static int insert_session(struct db *db, struct session *s)
{
	struct db_stmt *st = NULL;
	const char *name;
	char **text;
	int i = 1;

	if (db_prepare(db, "INSERT INTO session (intake_id, client_id, number, uuid, performed_on, "
			   "artist, areas, pigment_brand, shade, lot, lot_expiry, needle, dilution, "
			   "notes, patch_test, reaction, reaction_note, reaction_at, rescreen, "
			   "intake_revision, id_checked, countersigned, client_ack, "
			   "aftercare_version, override_reason, recorded_at, staff) VALUES (?1, ?2, "
			   "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
			   "?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)", &st) < 0)
		return -1;
	db_bind_int64(st, i++, s->intake_id);
	db_bind_int64(st, i++, s->client_id);
	db_bind_int64(st, i++, s->number);
	db_bind_text(st, i++, s->uuid);
	for (int k = 0; (text = session_text(s, k, &name)); k++)
		db_bind_text(st, i++, *text);
	db_bind_int(st, i++, s->patch_test ? 1 : 0);
	db_bind_text(st, i++, s->reaction);
	db_bind_text(st, i++, s->reaction_note);
	db_bind_text(st, i++, s->reaction_at);
	db_bind_text(st, i++, s->rescreen);
	db_bind_int64(st, i++, s->intake_revision);
	db_bind_text(st, i++, s->id_checked);
	db_bind_text(st, i++, s->countersigned);
	db_bind_text(st, i++, s->client_ack);
	if (s->aftercare_version)
		db_bind_int64(st, i, s->aftercare_version);
	i++;
	db_bind_text(st, i++, s->override_reason);
	db_bind_text(st, i++, s->recorded_at);
	db_bind_text(st, i++, s->staff);
	if (db_step_done(st) < 0) {
		db_finalize(st);
		return -1;
	}
	db_finalize(st);
	s->id = db_last_insert_id(db);
	return 0;
}

/* The intake's client and revision, inside the caller's transaction.
 * Returns DB_OK, DB_MISSING or DB_ERROR (not reported). */
static enum db_result intake_owner(struct db *db, long long intake_id, long long *client,
				   long long *revision)
{
	struct db_stmt *st = NULL;
	int rc;

	if (db_prepare(db, "SELECT client_id, revision FROM intake WHERE id = ?1", &st) < 0)
		return DB_ERROR;
	db_bind_int64(st, 1, intake_id);
	rc = db_step(st);
	if (rc == SQLITE_ROW) {
		*client = db_column_int64(st, 0);
		if (revision)
			*revision = db_column_int64(st, 1);
	}
	db_finalize(st);
	return rc == SQLITE_ROW ? DB_OK : rc == SQLITE_DONE ? DB_MISSING : DB_ERROR;
}

enum db_result db_save_session(struct db *db, struct session *s, long long draft_id)
{
	char now[21];
	bool stamped = false;
	long long revision = 0;
	enum db_result rc;

	if (!s->uuid[0] && uuid_v4(s->uuid) < 0)
		return DB_ERROR;
	if (!s->recorded_at) {
		if (date_now_utc(now) < 0 || !(s->recorded_at = strdup(now)))
			return DB_ERROR;
		stamped = true;
	}
	if (db_begin_write(db) < 0) {
		rc = DB_ERROR;
		goto out;
	}
	rc = intake_owner(db, s->intake_id, &s->client_id, &revision);
	if (rc == DB_OK && revision != s->intake_revision)
		rc = DB_CONFLICT;
	if (rc != DB_OK)
		goto fail;
	if (insert_session(db, s) < 0 || audit_session(db, s) < 0) {
		rc = DB_ERROR;
		goto fail;
	}
	if (draft_id) {
		struct db_stmt *st = NULL;
		if (db_prepare(db, "DELETE FROM draft WHERE id = ?1", &st) < 0) {
			rc = DB_ERROR;
			goto fail;
		}
		db_bind_int64(st, 1, draft_id);
		rc = db_step_done(st) < 0 ? DB_ERROR : DB_OK;
		db_finalize(st);
		if (rc != DB_OK)
			goto fail;
	}
	if (db_commit(db) < 0) {
		rc = DB_ERROR;
		goto out;
	}
	return DB_OK;
fail:
	if (rc == DB_ERROR)
		db_report(db, "cannot save the session");
	db_rollback(db);
out:
	s->id = 0;
	if (stamped) {
		free(s->recorded_at);
		s->recorded_at = NULL;
	}
	return rc;
}

enum db_result db_load_session(struct db *db, long long id, struct session *out)
{
	struct db_stmt *st = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	if (db_prepare(db, "SELECT " SESSION_COLUMNS " FROM session WHERE id = ?1", &st) < 0) {
		db_report(db, "cannot read the session");
		return DB_ERROR;
	}
	db_bind_int64(st, 1, id);
	rc = db_step(st);
	if (rc == SQLITE_DONE) {
		db_finalize(st);
		return DB_MISSING;
	}
	if (rc != SQLITE_ROW || read_session(st, out) < 0) {
		db_report(db, "cannot read the session");
		db_finalize(st);
		return DB_ERROR;
	}
	db_finalize(st);
	return DB_OK;
}

int db_each_session(struct db *db, const struct session_query *q,
		    int (*fn)(const struct session *s, void *arg), void *arg)
{
	static const struct session_query all = { 0, 0, NULL };
	struct db_stmt *st = NULL;
	struct session s;
	int rc, result = 0;

	if (!q)
		q = &all;
	/* A lot in any case (SQLite's NOCASE: ASCII letters), through the
	 * index on it, session_by_lot (lower(lot) on a server). */
#define SESSIONS_WHERE(lot)                                                               \
	"SELECT " SESSION_COLUMNS " FROM session WHERE (?1 = 0 OR intake_id = ?1) "        \
	"AND (?2 = 0 OR client_id = ?2) AND (CAST(?3 AS TEXT) IS NULL OR " lot ") "         \
	"ORDER BY client_id, performed_on, number, id"
	if (db_prepare(db, db_sql(db, SESSIONS_WHERE("lot = ?3 COLLATE NOCASE"),
				  SESSIONS_WHERE("lower(lot) = lower(?3)")),
		       &st) < 0) {
		db_report(db, "cannot read the sessions");
		return -1;
	}
	db_bind_int64(st, 1, q->intake_id);
	db_bind_int64(st, 2, q->client_id);
	db_bind_text(st, 3, q->lot);
	while ((rc = db_step(st)) == SQLITE_ROW) {
		if (read_session(st, &s) < 0) {
			rc = SQLITE_NOMEM;
			break;
		}
		result = fn(&s, arg);
		session_clear(&s);
		if (result)
			break;
	}
	if (!result && rc != SQLITE_DONE) {
		db_report(db, "cannot read the sessions");
		result = -1;
	}
	db_finalize(st);
	return result;
}

int db_each_course(struct db *db, int (*fn)(const struct course_row *r, void *arg), void *arg)
{
	struct db_stmt *st = NULL;
	struct course_row r;
	bool have = false;
	int rc, result = 0;

	/* By client, then intake: a client's rows end with their latest
	 * intake's sessions, the course that counts. */
	if (db_prepare(db, "SELECT client_id, intake_id, performed_on FROM session WHERE "
			   "patch_test = 0 ORDER BY client_id, intake_id, performed_on, number, id",
			   &st) < 0) {
		db_report(db, "cannot read the sessions");
		return -1;
	}
	memset(&r, 0, sizeof r);
	while ((rc = db_step(st)) == SQLITE_ROW) {
		long long client = db_column_int64(st, 0), intake = db_column_int64(st, 1);
		const char *on = db_column_text(st, 2);
		if (have && client != r.client_id && (result = fn(&r, arg)) != 0)
			break;
		if (!have || client != r.client_id || intake != r.intake_id) {
			memset(&r, 0, sizeof r);
			r.client_id = client;
			r.intake_id = intake;
			have = true;
		}
		if (r.sessions < COURSE_DATES_MAX)
			snprintf(r.performed_on[r.sessions], sizeof r.performed_on[0], "%s",
				 on ? on : "");
		r.sessions++;
	}
	if (!result && rc == SQLITE_DONE && have)
		result = fn(&r, arg);
	else if (!result && rc != SQLITE_DONE) {
		db_report(db, "cannot read the sessions");
		result = -1;
	}
	db_finalize(st);
	return result;
}

enum db_result db_session_result(struct db *db, long long id, const char *reaction,
				 const char *note, const char *at, const char *staff)
{
	struct db_stmt *st = NULL;
	char *old[2] = { NULL, NULL };
	long long client = 0, intake = 0;
	enum db_result rc = DB_ERROR;
	int step;

	if (db_begin_write(db) < 0)
		return DB_ERROR;
	if (db_prepare(db, "SELECT client_id, intake_id, patch_test, reaction, reaction_note "
			   "FROM session WHERE id = ?1", &st) < 0)
		goto fail;
	db_bind_int64(st, 1, id);
	step = db_step(st);
	if (step == SQLITE_DONE) {
		rc = DB_MISSING;
		goto undo;
	}
	if (step != SQLITE_ROW)
		goto fail;
	client = db_column_int64(st, 0);
	intake = db_column_int64(st, 1);
	if (!db_column_int(st, 2)) {
		rc = DB_CONFLICT;
		goto undo;
	}
	if (dup_col(st, 3, &old[0]) < 0 || dup_col(st, 4, &old[1]) < 0)
		goto fail;
	db_finalize(st);
	st = NULL;
	if (db_prepare(db, "UPDATE session SET reaction = ?2, reaction_note = ?3, reaction_at = ?4 "
			   "WHERE id = ?1", &st) < 0)
		goto fail;
	db_bind_int64(st, 1, id);
	db_bind_text(st, 2, reaction);
	db_bind_text(st, 3, note);
	db_bind_text(st, 4, at);
	if (db_step_done(st) < 0)
		goto fail;
	db_finalize(st);
	st = NULL;
	char session[24];
	snprintf(session, sizeof session, "%lld", id);
	struct audit_change change[3] = {
		{ "session_id", NULL, session },
		{ "reaction", old[0], reaction },
		{ "reaction_note", old[1], note },
	};
	struct audit_entry e = { 0, client, intake, at, staff, "session-result", change, 3 };
	if (db_audit_add(db, &e) < 0 || db_commit(db) < 0) {
		rc = DB_ERROR;
		goto undo;
	}
	free(old[0]);
	free(old[1]);
	return DB_OK;
fail:
	db_report(db, "cannot record the patch test's result");
	rc = DB_ERROR;
undo:
	db_finalize(st);
	db_rollback(db);
	free(old[0]);
	free(old[1]);
	return rc;
}

/* The consents of client, inside a transaction or not.  Returns DB_OK,
 * DB_MISSING (no such client) or DB_ERROR (not reported). */
static enum db_result read_consent(struct db *db, long long client_id, struct consent_state *out)
{
	struct db_stmt *st = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	/* A client an import holds apart until it ends has no row in client
	 * yet, but may have consent rows already (an earlier intake of the same
	 * file): those count. */
	if (db_prepare(db, "SELECT k.kind, (SELECT value FROM consent WHERE client_id = ?1 AND "
			   "kind = k.kind ORDER BY id DESC LIMIT 1), (SELECT at FROM consent WHERE "
			   "client_id = ?1 AND kind = k.kind ORDER BY id DESC LIMIT 1) FROM "
			   "(SELECT 'photos' AS kind UNION ALL SELECT 'marketing') k WHERE "
			   "EXISTS (SELECT 1 FROM client WHERE id = ?1) OR "
			   "EXISTS (SELECT 1 FROM consent WHERE client_id = ?1)",
			   &st) < 0)
		return DB_ERROR;
	db_bind_int64(st, 1, client_id);
	int rows = 0;
	while ((rc = db_step(st)) == SQLITE_ROW) {
		const char *kind = db_column_text(st, 0);
		const char *value = db_column_text(st, 1);
		const char *at = db_column_text(st, 2);
		bool photos = kind && strcmp(kind, "photos") == 0;
		rows++;
		snprintf(photos ? out->photos : out->marketing, sizeof out->photos, "%s",
			 value ? value : "");
		snprintf(photos ? out->photos_at : out->marketing_at, sizeof out->photos_at, "%s",
			 at ? at : "");
	}
	db_finalize(st);
	if (rc != SQLITE_DONE)
		return DB_ERROR;
	return rows ? DB_OK : DB_MISSING;
}

enum db_result db_consent(struct db *db, long long client_id, struct consent_state *out)
{
	enum db_result rc = read_consent(db, client_id, out);
	if (rc == DB_ERROR)
		db_report(db, "cannot read the client's consents");
	return rc;
}

int db_each_consent(struct db *db, long long client_id,
		    int (*fn)(const struct consent_row *r, void *arg), void *arg)
{
	struct db_stmt *st = NULL;
	int rc, result = 0;

	if (db_prepare(db, "SELECT kind, value, coalesce(intake_id, 0), at, staff FROM consent "
			   "WHERE client_id = ?1 ORDER BY id", &st) < 0) {
		db_report(db, "cannot read the client's consents");
		return -1;
	}
	db_bind_int64(st, 1, client_id);
	while ((rc = db_step(st)) == SQLITE_ROW) {
		struct consent_row r = {
			.kind = db_column_text(st, 0),
			.value = db_column_text(st, 1),
			.intake_id = db_column_int64(st, 2),
			.at = db_column_text(st, 3),
			.staff = db_column_text(st, 4),
		};
		r.at_intake = r.intake_id != 0;
		if (!r.kind || !r.value || !r.at || !r.staff) {
			rc = SQLITE_NOMEM;
			break;
		}
		if ((result = fn(&r, arg)) != 0)
			break;
	}
	if (!result && rc != SQLITE_DONE) {
		db_report(db, "cannot read the client's consents");
		result = -1;
	}
	db_finalize(st);
	return result;
}

/* Inside a write transaction: adds the consent row (kind, value) unless
 * the client's consent of that kind already stands at value; *before is
 * what it stood at ("" never given; 4 bytes).  Returns DB_OK with
 * *changed set, DB_MISSING (no such client) or DB_ERROR (not reported). */
static enum db_result add_consent(struct db *db, long long client_id, const char *kind,
				  const char *value, long long intake_id, const char *at,
				  const char *staff, char *before, int *changed)
{
	struct consent_state now;
	struct db_stmt *st = NULL;
	enum db_result rc;

	*changed = 0;
	rc = read_consent(db, client_id, &now);
	/* An import holds its new clients apart until it ends (db_import.c,
	 * foreign keys deferred): such a client has no consent yet. */
	if (rc == DB_MISSING && intake_id)
		rc = DB_OK;
	if (rc != DB_OK)
		return rc;
	snprintf(before, 4, "%s", strcmp(kind, "photos") == 0 ? now.photos : now.marketing);
	if (strcmp(before, value) == 0)
		return DB_OK;
	if (db_prepare(db, "INSERT INTO consent (client_id, kind, value, intake_id, at, staff) "
			   "VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &st) < 0)
		return DB_ERROR;
	db_bind_int64(st, 1, client_id);
	db_bind_text(st, 2, kind);
	db_bind_text(st, 3, value);
	if (intake_id)
		db_bind_int64(st, 4, intake_id);
	db_bind_text(st, 5, at);
	db_bind_text(st, 6, staff);
	/* In an import, on a server, it goes with the next statement. */
	db_defer(st, db->bulk);
	rc = db_step_done(st) < 0 ? DB_ERROR : DB_OK;
	db_finalize(st);
	*changed = rc == DB_OK;
	return rc;
}

/* What answers a give for consent kind: consent_photos, and for marketing
 * consent_marketing, or no when photos may not be kept (the question is
 * then not asked).  NULL: not asked (an intake before 2026.4). */
static const char *consent_answer(const struct answers *a, const char *kind)
{
	const char *photos = answers_get(a, "consent_photos");

	if (strcmp(kind, "photos") == 0 || !photos)
		return photos;
	return strcmp(photos, "yes") == 0 ? answers_get(a, "consent_marketing") : "no";
}

int db_consent_from_answers(struct db *db, long long client_id, long long intake_id,
			    const struct answers *before, const struct answers *a, const char *at,
			    const char *staff)
{
	static const char *const kinds[] = { "photos", "marketing" };

	for (size_t k = 0; k < 2; k++) {
		const char *now = consent_answer(a, kinds[k]);
		const char *was = before ? consent_answer(before, kinds[k]) : NULL;
		char stood[4];
		int changed;

		if (!now || (was && strcmp(was, now) == 0))
			continue;
		if (add_consent(db, client_id, kinds[k], now, intake_id, at, staff, stood,
				&changed) != DB_OK) {
			/* In an import, on a server, the error may be of a write
			 * sent ahead (db_defer()): the import's. */
			db_report(db, db->bulk ? "cannot import" : "cannot record the photo consents");
			return -1;
		}
	}
	return 0;
}

enum db_result db_set_consent(struct db *db, long long client_id, const char *kind,
			      const char *value, long long intake_id, const char *at,
			      const char *staff, int *changed)
{
	enum db_result rc;
	char before[4];

	*changed = 0;
	if (db_begin_write(db) < 0)
		return DB_ERROR;
	rc = add_consent(db, client_id, kind, value, intake_id, at, staff, before, changed);
	if (rc != DB_OK || !*changed) {
		if (rc == DB_ERROR)
			goto out;
		db_rollback(db);
		return rc;
	}
	char field[32];
	snprintf(field, sizeof field, "%s_consent", kind);
	struct audit_change change = { field, before[0] ? before : NULL, value };
	struct audit_entry e = { 0, client_id, intake_id, at, staff, "consent", &change, 1 };
	if (db_audit_add(db, &e) < 0 || db_commit(db) < 0) {
		*changed = 0;
		db_rollback(db);
		return DB_ERROR;
	}
	*changed = 1;
	return DB_OK;
out:
	if (rc == DB_ERROR)
		db_report(db, "cannot record the consent");
	db_rollback(db);
	return rc;
}

enum db_result db_set_consents(struct db *db, long long client_id, const char *photos,
			       const char *marketing, const char *at, const char *staff,
			       int *changed)
{
	const char *kinds[2] = { "photos", "marketing" }, *values[2] = { photos, marketing };
	char before[2][4], field[2][32];
	struct audit_change change[2];
	enum db_result rc = DB_OK;
	int n = 0;

	*changed = 0;
	if (db_begin_write(db) < 0)
		return DB_ERROR;
	for (size_t k = 0; k < 2; k++) {
		int one;
		if (!values[k])
			continue;
		rc = add_consent(db, client_id, kinds[k], values[k], 0, at, staff, before[n], &one);
		if (rc != DB_OK)
			goto out;
		if (one) {
			snprintf(field[n], sizeof field[n], "%s_consent", kinds[k]);
			change[n] = (struct audit_change){ field[n], before[n][0] ? before[n] : NULL,
							   values[k] };
			n++;
		}
	}
	if (n == 0) {
		db_rollback(db);
		return DB_OK;
	}
	struct audit_entry e = { 0, client_id, 0, at, staff, "consent", change, (size_t)n };
	if (db_audit_add(db, &e) < 0 || db_commit(db) < 0) {
		db_rollback(db);
		return DB_ERROR;
	}
	*changed = n;
	return DB_OK;
out:
	if (rc == DB_ERROR)
		db_report(db, "cannot record the consent");
	db_rollback(db);
	return rc;
}

/* Photos. */

#define PHOTO_COLUMNS                                                                 \
	"id, client_id, coalesce(intake_id, 0), coalesce(session_id, 0), uuid, view, " \
	"media_type, size, sha256, added_at, staff"

static int read_photo(struct db_stmt *st, struct photo *p)
{
	const char *t;

	memset(p, 0, sizeof *p);
	p->id = db_column_int64(st, 0);
	p->client_id = db_column_int64(st, 1);
	p->intake_id = db_column_int64(st, 2);
	p->session_id = db_column_int64(st, 3);
	t = db_column_text(st, 4);
	snprintf(p->uuid, sizeof p->uuid, "%s", t ? t : "");
	if (dup_col(st, 5, &p->view) < 0 || dup_col(st, 6, &p->media_type) < 0)
		goto oom;
	p->size = db_column_int64(st, 7);
	t = db_column_text(st, 8);
	snprintf(p->sha256, sizeof p->sha256, "%s", t ? t : "");
	if (dup_col(st, 9, &p->added_at) < 0 || dup_col(st, 10, &p->staff) < 0)
		goto oom;
	return 0;
oom:
	photo_clear(p);
	return -1;
}

enum db_result db_save_photo(struct db *db, struct photo *p, const void *data, size_t n)
{
	struct db_stmt *st = NULL;
	struct consent_state consent;
	char now[21], size[24];
	bool stamped = false;
	enum db_result rc = DB_ERROR;
	int step;

	if (!p->uuid[0] && uuid_v4(p->uuid) < 0)
		return DB_ERROR;
	if (!p->added_at) {
		if (date_now_utc(now) < 0 || !(p->added_at = strdup(now)))
			return DB_ERROR;
		stamped = true;
	}
	if (db_begin_write(db) < 0)
		goto out;
	if (p->session_id) {
		if (db_prepare(db, "SELECT client_id, intake_id FROM session WHERE id = ?1", &st) < 0)
			goto fail;
		db_bind_int64(st, 1, p->session_id);
		step = db_step(st);
		if (step == SQLITE_ROW) {
			p->client_id = db_column_int64(st, 0);
			if (!p->intake_id)
				p->intake_id = db_column_int64(st, 1);
		}
		db_finalize(st);
		st = NULL;
		rc = step == SQLITE_ROW ? DB_OK : step == SQLITE_DONE ? DB_MISSING : DB_ERROR;
	} else {
		rc = intake_owner(db, p->intake_id, &p->client_id, NULL);
	}
	if (rc == DB_OK) {
		rc = read_consent(db, p->client_id, &consent);
		if (rc == DB_OK && strcmp(consent.photos, "yes") != 0)
			rc = DB_CONFLICT;
	}
	if (rc != DB_OK)
		goto fail;
	rc = DB_ERROR;
	if (db_prepare(db, "INSERT INTO photo (uuid, client_id, intake_id, session_id, view, "
			   "media_type, size, sha256, added_at, staff) VALUES (?1, ?2, ?3, ?4, ?5, "
			   "?6, ?7, ?8, ?9, ?10)", &st) < 0)
		goto fail;
	db_bind_text(st, 1, p->uuid);
	db_bind_int64(st, 2, p->client_id);
	if (p->intake_id)
		db_bind_int64(st, 3, p->intake_id);
	if (p->session_id)
		db_bind_int64(st, 4, p->session_id);
	db_bind_text(st, 5, p->view);
	db_bind_text(st, 6, p->media_type);
	db_bind_int64(st, 7, (long long)n);
	db_bind_text(st, 8, p->sha256);
	db_bind_text(st, 9, p->added_at);
	db_bind_text(st, 10, p->staff);
	if (db_step_done(st) < 0)
		goto fail;
	db_finalize(st);
	st = NULL;
	p->id = db_last_insert_id(db);
	p->size = (long long)n;
	if (db_prepare(db, "INSERT INTO photo_data (photo_id, data) VALUES (?1, ?2)", &st) < 0)
		goto fail;
	db_bind_int64(st, 1, p->id);
	db_bind_blob(st, 2, data, n);
	if (db_step_done(st) < 0)
		goto fail;
	db_finalize(st);
	st = NULL;
	snprintf(size, sizeof size, "%lld", p->size);
	struct audit_change change[6] = {
		{ "photo_uuid", NULL, p->uuid },  { "view", NULL, p->view },
		{ "media_type", NULL, p->media_type }, { "size", NULL, size },
		{ "sha256", NULL, p->sha256 },
	};
	size_t changes = 5;
	char session[24];
	if (p->session_id) {
		snprintf(session, sizeof session, "%lld", p->session_id);
		change[changes++] = (struct audit_change){ "session_id", NULL, session };
	}
	struct audit_entry e = { 0, p->client_id, p->intake_id, p->added_at, p->staff, "photo-add",
				 change, changes };
	if (db_audit_add(db, &e) < 0 || db_commit(db) < 0)
		goto undo;
	return DB_OK;
fail:
	if (rc == DB_ERROR)
		db_report(db, "cannot save the photo");
undo:
	db_finalize(st);
	db_rollback(db);
out:
	p->id = 0;
	if (stamped) {
		free(p->added_at);
		p->added_at = NULL;
	}
	return rc == DB_OK ? DB_ERROR : rc;
}

int db_each_photo(struct db *db, const struct photo_query *q,
		  int (*fn)(const struct photo *p, void *arg), void *arg)
{
	static const struct photo_query all = { 0 };
	struct db_stmt *st = NULL;
	struct photo p;
	int rc, result = 0;

	if (!q)
		q = &all;
	if (db_prepare(db, "SELECT " PHOTO_COLUMNS " FROM photo p WHERE (?1 = 0 OR client_id = ?1) "
			   "AND (?2 = 0 OR intake_id = ?2) AND (?3 = 0 OR session_id = ?3) AND "
			   "(?4 = 0 OR (SELECT value FROM consent c WHERE c.client_id = p.client_id "
			   "AND c.kind = 'marketing' ORDER BY c.id DESC LIMIT 1) = 'yes') AND "
			   "(?5 = 0 OR EXISTS (SELECT 1 FROM photo_data d WHERE d.photo_id = p.id)) "
			   "ORDER BY id",
			   &st) < 0) {
		db_report(db, "cannot read the photos");
		return -1;
	}
	db_bind_int64(st, 1, q->client_id);
	db_bind_int64(st, 2, q->intake_id);
	db_bind_int64(st, 3, q->session_id);
	db_bind_int(st, 4, q->marketing ? 1 : 0);
	db_bind_int(st, 5, q->with_bytes ? 1 : 0);
	while ((rc = db_step(st)) == SQLITE_ROW) {
		if (read_photo(st, &p) < 0) {
			rc = SQLITE_NOMEM;
			break;
		}
		result = fn(&p, arg);
		photo_clear(&p);
		if (result)
			break;
	}
	if (!result && rc != SQLITE_DONE) {
		db_report(db, "cannot read the photos");
		result = -1;
	}
	db_finalize(st);
	return result;
}

enum db_result db_load_photo(struct db *db, long long id, struct photo *out, void **data,
			     size_t *n)
{
	struct db_stmt *st = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	if (data) {
		*data = NULL;
		*n = 0;
	}
	if (db_prepare(db, "SELECT " PHOTO_COLUMNS ", d.data FROM photo LEFT JOIN photo_data d ON "
			   "d.photo_id = photo.id WHERE id = ?1", &st) < 0)
		goto fail;
	db_bind_int64(st, 1, id);
	rc = db_step(st);
	if (rc == SQLITE_DONE) {
		db_finalize(st);
		return DB_MISSING;
	}
	if (rc != SQLITE_ROW || read_photo(st, out) < 0)
		goto fail;
	if (data && db_column_null(st, 11)) {
		db_finalize(st);
		return DB_CONFLICT; /* metadata only: imported */
	}
	if (data) {
		const void *blob = db_column_blob(st, 11);
		size_t len = (size_t)db_column_bytes(st, 11);
		if (!(*data = malloc(len ? len : 1))) {
			photo_clear(out);
			goto fail;
		}
		if (len)
			memcpy(*data, blob, len);
		*n = len;
	}
	db_finalize(st);
	return DB_OK;
fail:
	db_report(db, "cannot read the photo");
	db_finalize(st);
	return DB_ERROR;
}

enum db_result db_remove_photo(struct db *db, long long id, const char *at, const char *staff)
{
	struct photo p;
	struct db_stmt *st = NULL;
	enum db_result rc;
	int step;

	if (db_begin_write(db) < 0)
		return DB_ERROR;
	if (db_prepare(db, "SELECT " PHOTO_COLUMNS " FROM photo WHERE id = ?1", &st) < 0)
		goto fail;
	db_bind_int64(st, 1, id);
	step = db_step(st);
	if (step == SQLITE_DONE) {
		db_finalize(st);
		db_rollback(db);
		return DB_MISSING;
	}
	if (step != SQLITE_ROW || read_photo(st, &p) < 0)
		goto fail;
	db_finalize(st);
	st = NULL;
	if (db_prepare(db, "DELETE FROM photo_data WHERE photo_id = ?1", &st) < 0)
		goto fail_photo;
	db_bind_int64(st, 1, id);
	if (db_step_done(st) < 0)
		goto fail_photo;
	db_finalize(st);
	st = NULL;
	if (db_prepare(db, "DELETE FROM photo WHERE id = ?1", &st) < 0)
		goto fail_photo;
	db_bind_int64(st, 1, id);
	if (db_step_done(st) < 0)
		goto fail_photo;
	db_finalize(st);
	st = NULL;
	struct audit_change change[3] = {
		{ "photo_uuid", p.uuid, NULL }, { "view", p.view, NULL }, { "sha256", p.sha256, NULL },
	};
	struct audit_entry e = { 0, p.client_id, p.intake_id, at, staff, "photo-rm", change, 3 };
	rc = db_audit_add(db, &e) < 0 || db_commit(db) < 0 ? DB_ERROR : DB_OK;
	if (rc != DB_OK)
		db_rollback(db);
	photo_clear(&p);
	return rc;
fail_photo:
	photo_clear(&p);
fail:
	db_report(db, "cannot remove the photo");
	db_finalize(st);
	db_rollback(db);
	return DB_ERROR;
}

/* The studio's aftercare text. */

int db_aftercare(struct db *db, long long version, long long *out_version, char **text)
{
	struct db_stmt *st = NULL;
	int rc;

	*out_version = 0;
	*text = NULL;
	if (db_prepare(db, "SELECT version, text FROM aftercare WHERE ?1 = 0 OR version = ?1 "
			   "ORDER BY version DESC LIMIT 1", &st) < 0)
		goto fail;
	db_bind_int64(st, 1, version);
	rc = db_step(st);
	if (rc == SQLITE_ROW) {
		*out_version = db_column_int64(st, 0);
		if (!(*text = db_column_dup(st, 1)))
			goto fail;
	} else if (rc != SQLITE_DONE) {
		goto fail;
	}
	db_finalize(st);
	/* The latest version empty: the studio removed its text. */
	if (version == 0 && *text && !**text) {
		free(*text);
		*text = NULL;
		*out_version = 0;
	}
	return 0;
fail:
	db_report(db, "cannot read the studio's aftercare text");
	db_finalize(st);
	free(*text);
	*text = NULL;
	*out_version = 0;
	return -1;
}

int db_aftercare_info(struct db *db, struct aftercare_info *out)
{
	struct db_stmt *st = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	if (db_prepare(db, "SELECT version, set_at, staff, text = '' FROM aftercare "
			   "ORDER BY version DESC LIMIT 1", &st) < 0)
		goto fail;
	rc = db_step(st);
	if (rc == SQLITE_ROW) {
		const char *at = db_column_text(st, 1);
		const char *staff = db_column_text(st, 2);
		out->version = db_column_int64(st, 0);
		snprintf(out->set_at, sizeof out->set_at, "%s", at ? at : "");
		snprintf(out->staff, sizeof out->staff, "%s", staff ? staff : "");
		out->removed = db_column_int(st, 3) != 0;
	} else if (rc != SQLITE_DONE) {
		goto fail;
	}
	db_finalize(st);
	return 0;
fail:
	db_report(db, "cannot read the studio's aftercare text");
	db_finalize(st);
	return -1;
}

int db_set_aftercare(struct db *db, const char *text, const char *at, const char *staff,
		     long long *version)
{
	struct db_stmt *st = NULL;

	if (db_prepare(db, "INSERT INTO aftercare (version, text, set_at, staff) VALUES ("
			   "(SELECT coalesce(max(version), 0) + 1 FROM aftercare), ?1, ?2, ?3)",
			   &st) < 0)
		goto fail;
	db_bind_text(st, 1, text);
	db_bind_text(st, 2, at);
	db_bind_text(st, 3, staff);
	if (db_step_done(st) < 0)
		goto fail;
	db_finalize(st);
	*version = db_last_insert_id(db);
	return 0;
fail:
	db_report(db, "cannot store the studio's aftercare text");
	db_finalize(st);
	return -1;
}

/* ---- the course of one intake, for the export ---- */

/* The rows of each part, looked up intake by intake, or in a stream
 * (db_course_reader_stream()): one statement over the whole table in the
 * order of the intakes they go with (the "owner" column), stepped on as
 * the export moves on, the way the intakes' answers are read. */
struct course_part {
	struct db_stmt *st;
	int owner;   /* the column of the intake a row goes with */
	int rc;      /* the stream's last step */
};

struct db_course_reader {
	struct db *db;
	bool stream, started;
	long long last; /* the stream's last intake; an older one is looked up alone */
	struct course_part part[3]; /* sessions, photos, consents */
	struct course_part by_id[3]; /* one intake's, for the lookups */
};

#define PHOTO_COURSE_COLUMNS                                                            \
	"p.id, p.client_id, coalesce(p.intake_id, 0), coalesce(p.session_id, 0), p.uuid, " \
	"p.view, p.media_type, p.size, p.sha256, p.added_at, p.staff, s.uuid, "            \
	"coalesce(p.intake_id, s.intake_id) AS owner FROM photo p LEFT JOIN session s "     \
	"ON s.id = p.session_id "
/* Whether consent row c is the client's latest of its kind (the one that
 * counts), as a column. */
#define CONSENT_LATEST                                                                    \
	"c.id = (SELECT max(k.id) FROM consent k WHERE k.client_id = c.client_id AND "      \
	"k.kind = c.kind) "
/* A consent row goes with the intake it was given at, and a later change
 * with the client's latest intake taken at or before it (their first
 * when none was). */
#define CONSENT_COURSE_COLUMNS                                                          \
	"SELECT kind, value, at, staff, at_intake, owner, latest FROM (SELECT c.id, c.kind, " \
	"c.value, c.at, c.staff, c.intake_id IS NOT NULL AS at_intake, " CONSENT_LATEST         \
	"AS latest, coalesce(c.intake_id, "                                                    \
	"(SELECT max(j.id) FROM intake j WHERE j.client_id = c.client_id AND "             \
	"j.taken_at <= c.at), (SELECT min(j.id) FROM intake j WHERE j.client_id = "         \
	"c.client_id)) AS owner FROM consent c) AS course_consent "

static const char *const course_sql[2][3] = {
	{ "SELECT " SESSION_COLUMNS " FROM session WHERE intake_id = ?1 ORDER BY number, id",
	  "SELECT " PHOTO_COURSE_COLUMNS "WHERE p.client_id = (SELECT client_id FROM intake "
	  "WHERE id = ?1) AND coalesce(p.intake_id, s.intake_id) = ?1 ORDER BY p.id",
	  "SELECT c.kind, c.value, c.at, c.staff, c.intake_id IS NOT NULL, ?1, " CONSENT_LATEST
	  "FROM consent c JOIN intake i ON i.id = ?1 AND c.client_id = i.client_id "
	  "WHERE c.intake_id = ?1 OR (c.intake_id IS NULL AND ?1 = coalesce("
	  "(SELECT max(j.id) FROM intake j WHERE j.client_id = c.client_id AND "
	  "j.taken_at <= c.at), (SELECT min(j.id) FROM intake j WHERE j.client_id = "
	  "c.client_id))) ORDER BY c.id" },
	{ "SELECT " SESSION_COLUMNS " FROM session WHERE intake_id >= ?1 "
	  "ORDER BY intake_id, number, id",
	  "SELECT " PHOTO_COURSE_COLUMNS "WHERE coalesce(p.intake_id, s.intake_id) >= ?1 "
	  "ORDER BY owner, p.id",
	  CONSENT_COURSE_COLUMNS "WHERE owner >= ?1 ORDER BY owner, id" },
};
static const int course_owner[3] = { 1, 12, 5 };

static struct db_course_reader *reader_new(struct db *db, bool stream)
{
	struct db_course_reader *r = calloc(1, sizeof *r);

	if (!r) {
		db_report(db, "out of memory");
		return NULL;
	}
	r->db = db;
	r->stream = stream;
	for (int k = 0; k < 3; k++) {
		r->part[k].owner = r->by_id[k].owner = course_owner[k];
		if (db_prepare(db, course_sql[0][k], &r->by_id[k].st) < 0 ||
		    (stream && db_prepare(db, course_sql[1][k], &r->part[k].st) < 0)) {
			db_report(db, "cannot read the sessions");
			db_course_reader_free(r);
			return NULL;
		}
	}
	return r;
}

struct db_course_reader *db_course_reader_new(struct db *db)
{
	return reader_new(db, false);
}

struct db_course_reader *db_course_reader_stream(struct db *db)
{
	return reader_new(db, true);
}

void db_course_reader_free(struct db_course_reader *r)
{
	if (!r)
		return;
	for (int k = 0; k < 3; k++) {
		db_finalize(r->part[k].st);
		db_finalize(r->by_id[k].st);
	}
	free(r);
}

/* Visits part k's current row (borrowed views into it).  Returns fn's
 * result, or SQLITE_NOMEM's stand-in -2 when out of memory. */
static int visit_row(struct db_stmt *st, int k, const struct db_course_visit *v)
{
	struct session s;
	struct photo p;
	int result;

	switch (k) {
	case 0:
		if (read_session_row(st, &s, true) < 0)
			return -2;
		return v->session(&s, v->arg);
	case 1:
		if (read_photo(st, &p) < 0)
			return -2;
		result = v->photo(&p, db_column_text(st, 11), v->arg);
		photo_clear(&p);
		return result;
	default: {
		struct consent_row c = {
			.kind = db_column_text(st, 0),
			.value = db_column_text(st, 1),
			.at = db_column_text(st, 2),
			.staff = db_column_text(st, 3),
			.at_intake = db_column_int(st, 4) != 0,
			.latest = db_column_int(st, 6) != 0,
		};
		return v->consent(&c, v->arg);
	}
	}
}

/* The rows of intake id in part k: a lookup (the statement reset after),
 * or in a stream the rows from where it stands (rows of intakes not
 * exported stepped over).  Returns 0, fn's non-zero result, -2 when out of
 * memory, or -1 when reading failed. */
static int part_rows(struct course_part *part, int k, bool stream, long long id,
		     const struct db_course_visit *v)
{
	int result = 0;

	if (!stream) {
		db_bind_int64(part->st, 1, id);
		part->rc = db_step(part->st);
	}
	while (part->rc == SQLITE_ROW && db_column_int64(part->st, part->owner) < id)
		part->rc = db_step(part->st);
	while (part->rc == SQLITE_ROW && db_column_int64(part->st, part->owner) == id) {
		if ((result = visit_row(part->st, k, v)) != 0)
			break;
		part->rc = db_step(part->st);
	}
	if (!result && part->rc != SQLITE_DONE && part->rc != SQLITE_ROW)
		result = -1;
	if (!stream)
		db_reset(part->st);
	return result;
}

int db_course_of_intake(struct db_course_reader *r, long long intake_id,
			const struct db_course_visit *v)
{
	/* A stream moves forward only: an intake before the last is looked
	 * up alone. */
	bool stream = r->stream && (!r->started || intake_id > r->last);
	int result = 0;

	if (stream && !r->started) {
		for (int k = 0; k < 3; k++) {
			db_bind_int64(r->part[k].st, 1, intake_id);
			r->part[k].rc = db_step(r->part[k].st);
		}
		r->started = true;
	}
	if (stream)
		r->last = intake_id;
	for (int k = 0; !result && k < 3; k++)
		result = part_rows(stream ? &r->part[k] : &r->by_id[k], k, stream, intake_id, v);
	if (result == -2) {
		db_report(r->db, "out of memory");
		result = -1;
	} else if (result == -1) {
		db_report(r->db, "cannot read the sessions");
	}
	return result;
}
