/* db_intake.c - intakes: saving a new one with its client, answers and
 * advice sheet; loading one; streaming many for an export; edits,
 * sign-offs, acknowledgements and cleared flags; the client's details. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_private.h"
#include "idset.h"
#include "report.h"

/* The client record: the one chosen (in->client_id > 0), else the one with
 * the same names (folded) and date of birth unless a new record was asked for
 * (-1), else a new one.  Contact details are brought up to date with what
 * was just given. */
static int save_client(struct db *db, struct intake *in)
{
	const struct answers *a = &in->answers;
	struct db_stmt *st = NULL;
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
		rc = db_step(st);
		in->client_id = rc == SQLITE_ROW ? db_column_int64(st, 0) : 0;
		/* The names keep their spelling on file ("Zoë", not the "Zoe"
		 * typed this time): the intake shows them as stored. */
		if (rc == SQLITE_ROW &&
		    (answers_set(&in->answers, "first_name", db_column_text(st, 1)) < 0 ||
		     answers_set(&in->answers, "last_name", db_column_text(st, 2)) < 0))
			rc = SQLITE_NOMEM;
		db_finalize(st);
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
		db_bind_int64(st, 6, in->client_id);
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
	if (rc == 0 && in->client_id && db_changes(db) != 1)
		rc = -1; /* the chosen client is gone (erased meanwhile) */
	db_finalize(st);
	if (rc == 0 && !in->client_id)
		in->client_id = db_last_insert_id(db);
	return rc;
}

/* Stores in's answers (the client's own are on the client record). */
static int save_answers(struct db *db, const struct intake *in)
{
	struct db_stmt *st;
	int rc = 0;

	if (db_prepare(db, "INSERT INTO answer (intake_id, question_id, value) VALUES (?1, ?2, ?3)",
		       &st) < 0)
		return -1;
	for (size_t i = 0; i < questionnaire_count && rc == 0; i++) {
		if (!in->answers.value[i] || questionnaire[i].client_field)
			continue;
		db_bind_int64(st, 1, in->id);
		db_bind_text(st, 2, questionnaire[i].id);
		db_bind_text(st, 3, in->answers.value[i]);
		rc = db_step_done(st);
	}
	db_finalize(st);
	return rc;
}

/* Stores in's advice as a new sheet, numbered after the earlier ones (1 at
 * the intake), and sets *number to its number. */
static int save_sheet(struct db *db, const struct intake *in, long long *number)
{
	struct db_stmt *st;
	long long sheet;
	int rc = -1;

	if (db_prepare(db, "SELECT coalesce(max(sheet), 0) + 1 FROM advice_sheet WHERE intake_id = ?1",
		       &st) < 0)
		return -1;
	db_bind_int64(st, 1, in->id);
	if (db_step(st) != SQLITE_ROW) {
		db_finalize(st);
		return -1;
	}
	*number = sheet = db_column_int64(st, 0);
	db_finalize(st);
	if (db_prepare(db, "INSERT INTO advice_sheet (intake_id, sheet, position, advice_id, text) "
			   "VALUES (?1, ?2, ?3, ?4, ?5)", &st) < 0)
		return -1;
	rc = 0;
	for (size_t i = 0; i < in->advice.count && rc == 0; i++) {
		db_bind_int64(st, 1, in->id);
		db_bind_int64(st, 2, sheet);
		db_bind_int64(st, 3, (long long)i + 1);
		db_bind_text(st, 4, in->advice.item[i].id);
		db_bind_text(st, 5, in->advice.item[i].text);
		rc = db_step_done(st);
	}
	db_finalize(st);
	return rc;
}

/* Runs sql, which takes one id, for id. */
static int run_for_id(struct db *db, const char *sql, long long id)
{
	struct db_stmt *st;
	int rc;

	if (db_prepare(db, sql, &st) < 0)
		return -1;
	db_bind_int64(st, 1, id);
	rc = db_step_done(st);
	db_finalize(st);
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
	struct db_stmt *st;
	int rc;

	if (db_prepare(db, "INSERT INTO acknowledgement (intake_id, sheet, typed_name, at, staff) "
			   "VALUES (?1, ?2, ?3, ?4, ?5)", &st) < 0)
		return -1;
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, ack->sheet);
	db_bind_text(st, 3, ack->typed_name);
	db_bind_text(st, 4, ack->at);
	db_bind_text(st, 5, ack->staff);
	rc = db_step_done(st);
	db_finalize(st);
	if (rc < 0 || db_prepare(db, "UPDATE intake SET acknowledged_sheet = ?2 WHERE id = ?1", &st) < 0)
		return -1;
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, ack->sheet);
	rc = db_step_done(st);
	db_finalize(st);
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
	struct db_stmt *st = NULL;
	int rc;

	versions_default(in);
	if (db_prepare(db, "INSERT INTO intake (id, uuid, client_id, taken_at, staff, "
			   "questionnaire_version, advice_version) "
			   "VALUES (" NEXT_INTAKE_ID ", ?1, ?2, ?3, ?4, ?5, ?6)", &st) < 0)
		return -1;
	db_bind_text(st, 1, in->uuid);
	db_bind_int64(st, 2, in->client_id);
	db_bind_text(st, 3, in->taken_at);
	db_bind_text(st, 4, in->staff);
	db_bind_text(st, 5, in->questionnaire_version);
	db_bind_text(st, 6, in->advice_version);
	rc = db_step_done(st);
	db_finalize(st);
	if (rc < 0)
		return -1;
	in->id = db_last_insert_id(db);
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
	struct db_stmt *st;
	int rc;

	if (!draft_id)
		return 0;
	if (db_prepare(db, "SELECT 1 FROM draft WHERE id = ?1", &st) < 0) {
		db_report(db, "cannot read the draft");
		return -1;
	}
	db_bind_int64(st, 1, draft_id);
	rc = db_step(st);
	db_finalize(st);
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
	    (in->ack.typed_name && audit_acknowledgement(db, in->client_id, in->id, &in->ack) < 0) ||
	    db_consent_from_answers(db, in->client_id, in->id, NULL, &in->answers, in->taken_at,
				    in->staff) < 0)
		goto fail;
	if (db_exec(db, "COMMIT", "cannot save the intake") < 0)
		goto fail;
	return 0;
fail:
	db_exec_rc(db, "ROLLBACK");
	in->id = in->client_id = 0;
	return -1;
}

/* Every intake is read with its client and the acknowledgement that counts,
 * these columns in this order (enum intake_column names them). */
#define INTAKE_COLUMNS                                                                     \
	"SELECT i.id, i.uuid, i.client_id, i.taken_at, i.staff, c.first_name, c.last_name, "     \
	"c.date_of_birth, c.phone, c.email, i.revision, i.questionnaire_version, "               \
	"i.advice_version, a.sheet, a.typed_name, a.at, a.staff "                                \
	"FROM intake i JOIN client c ON c.id = i.client_id "                                     \
	"LEFT JOIN acknowledgement a ON a.intake_id = i.id AND a.sheet = i.acknowledged_sheet "
enum intake_column {
	COL_ID,
	COL_UUID,
	COL_CLIENT_ID,
	COL_TAKEN_AT,
	COL_STAFF,
	COL_CLIENT_FIELDS, /* CLIENT_FIELDS columns, in client_field_question() order */
	COL_REVISION = COL_CLIENT_FIELDS + CLIENT_FIELDS,
	COL_QUESTIONNAIRE_VERSION,
	COL_ADVICE_VERSION,
	COL_ACK_SHEET,
	COL_ACK_TYPED_NAME,
	COL_ACK_AT,
	COL_ACK_STAFF,
};

/* Copies column col's text (or "") into a version buffer. */
static void column_version(struct db_stmt *st, int col, char *out, size_t n)
{
	const char *v = db_column_text(st, col);
	snprintf(out, n, "%s", v ? (const char *)v : "");
}

/* Reading intakes: one reader for one intake (db_load_intake(), which then
 * copies it) and for many (the export).  For many, three statements are
 * walked side by side in intake order (a merge join): the intakes with
 * their clients, every answer, every advice row (and the few clearances).
 * One pass over each table costs far less than two lookups per intake
 * (docs/performance.md).  For one intake, or one client's few intakes
 * (q->client), the answers and advice are looked up per intake instead, by
 * the same statements' one-intake form.  The values are copied into one
 * buffer reused from intake to intake, so an intake costs no allocation
 * once the buffer has grown to the largest one: the intake handed out is
 * borrowed (intake.h). */
struct stream {
	struct db *db;
	struct db_stmt *intake, *answers, *advice, *clearances;
	int answers_rc, advice_rc, clearances_rc; /* SQLITE_ROW while a row waits to be used */
	bool by_id, desc;
	bool started; /* the scans begin at the first intake selected */
	int client_qi[CLIENT_FIELDS]; /* questionnaire index of each client field */
	char *buf;
	size_t used, cap;
};

/* Where one intake's strings are in the stream's buffer while it is read
 * (the buffer may move until the intake is whole). */
#define STREAM_NONE ((size_t)-2) /* a NULL column; (size_t)-1: out of memory */
struct offsets {
	size_t taken_at, staff, value[QUESTIONS_MAX];
	size_t adv_id[ADVICE_MAX], adv_text[ADVICE_MAX];
	size_t ack_id[ADVICE_MAX], ack_text[ADVICE_MAX], ack_count; /* acknowledged sheet */
	size_t ack[3], cleared[FLAGS_MAX][4];
};

/* Prepares s's statements: the intakes (intake_sql), and the answers,
 * advice and clearances of the intakes from ?1 on in order (each
 * intake's alone when s->by_id).  Returns 0, or -1 (not reported). */
static int stream_open(struct stream *s, const char *intake_sql)
{
	const char *order = s->desc ? " DESC" : "";
	const char *from = s->by_id ? "= ?1" : s->desc ? "<= ?1" : ">= ?1";
	char answers_sql[160], advice_sql[200], clearances_sql[200];

	s->answers_rc = s->advice_rc = s->clearances_rc = SQLITE_DONE;
	for (size_t k = 0; k < CLIENT_FIELDS; k++)
		s->client_qi[k] = (int)(client_field_question(k) - questionnaire);
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
	return db_prepare(s->db, intake_sql, &s->intake) < 0 ||
			       db_prepare(s->db, clearances_sql, &s->clearances) < 0 ||
			       db_prepare(s->db, answers_sql, &s->answers) < 0 ||
			       db_prepare(s->db, advice_sql, &s->advice) < 0
		       ? -1
		       : 0;
}

static void stream_close(struct stream *s)
{
	db_finalize(s->intake);
	db_finalize(s->answers);
	db_finalize(s->advice);
	db_finalize(s->clearances);
	free(s->buf);
}

/* Copies n bytes of s and a NUL into the stream's buffer; returns the
 * offset (the buffer may move: pointers are made once it is full), or
 * (size_t)-1 when out of memory. */
static size_t stream_keep(struct stream *s, const char *text, size_t n)
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

static size_t stream_column(struct stream *s, struct db_stmt *st, int col)
{
	const char *v = db_column_text(st, col);
	return v ? stream_keep(s, v, (size_t)db_column_bytes(st, col)) : STREAM_NONE;
}

/* Steps st on to the rows of intake id (skipping rows of intakes not
 * selected), or binds it to id when looking up one intake at a time.  A
 * scan starts at the first intake selected, so that a filter that keeps
 * recent intakes does not read every older row first.  Returns true when
 * *rc holds a row of id. */
static bool stream_seek(struct stream *s, struct db_stmt *st, int *rc, long long id)
{
	if (s->by_id || !s->started) {
		db_reset(st);
		db_bind_int64(st, 1, id);
		*rc = db_step(st);
	}
	while (*rc == SQLITE_ROW) {
		long long at = db_column_int64(st, 0);
		if (at == id)
			return true;
		if (s->desc ? at < id : at > id)
			return false;
		*rc = db_step(st);
	}
	return false;
}

/* Steps st past the current row; true while its next row is intake id's. */
static bool stream_next(struct db_stmt *st, int *rc, long long id)
{
	*rc = db_step(st);
	return *rc == SQLITE_ROW && db_column_int64(st, 0) == id;
}

/* The intake's own columns (the current row of s->intake). */
static void read_intake_row(struct stream *s, struct intake *in, struct offsets *o)
{
	struct db_stmt *st = s->intake;
	const char *uuid = db_column_text(st, COL_UUID);

	in->id = db_column_int64(st, COL_ID);
	snprintf(in->uuid, sizeof in->uuid, "%s", uuid ? (const char *)uuid : "");
	in->client_id = db_column_int64(st, COL_CLIENT_ID);
	in->revision = db_column_int64(st, COL_REVISION);
	column_version(st, COL_QUESTIONNAIRE_VERSION, in->questionnaire_version,
		       sizeof in->questionnaire_version);
	column_version(st, COL_ADVICE_VERSION, in->advice_version, sizeof in->advice_version);
	if (!db_column_null(st, COL_ACK_SHEET)) {
		in->ack.sheet = db_column_int64(st, COL_ACK_SHEET);
		o->ack[0] = stream_column(s, st, COL_ACK_TYPED_NAME);
		o->ack[1] = stream_column(s, st, COL_ACK_AT);
		o->ack[2] = stream_column(s, st, COL_ACK_STAFF);
	}
	o->taken_at = stream_column(s, st, COL_TAKEN_AT);
	o->staff = stream_column(s, st, COL_STAFF);
	for (size_t k = 0; k < CLIENT_FIELDS; k++)
		o->value[s->client_qi[k]] = stream_column(s, st, COL_CLIENT_FIELDS + (int)k);
}

/* The intake's answers (the client's details are on the client record). */
static int read_answers(struct stream *s, const struct intake *in, struct offsets *o)
{
	if (stream_seek(s, s->answers, &s->answers_rc, in->id)) {
		do {
			const char *q = db_column_text(s->answers, 1);
			int qi = q ? questionnaire_index(q) : -1;
			/* An id from a later release that this one does not know is
			 * skipped. */
			if (qi >= 0 && !questionnaire[qi].client_field)
				o->value[qi] = stream_column(s, s->answers, 2);
		} while (stream_next(s->answers, &s->answers_rc, in->id));
	}
	return s->answers_rc == SQLITE_ROW || s->answers_rc == SQLITE_DONE ? 0 : -1;
}

/* The intake's latest advice sheet, and the acknowledged one when that is
 * an earlier sheet: rows come by sheet (ascending, or descending when the
 * walk is newest first: then the first sheet seen is the latest and its
 * items come last first). */
static int read_advice(struct stream *s, struct intake *in, struct offsets *o)
{
	long long sheet = -1;

	if (stream_seek(s, s->advice, &s->advice_rc, in->id)) {
		do {
			long long n = db_column_int64(s->advice, 1);
			if (n != sheet && !(s->desc && sheet >= 0)) {
				sheet = n;
				in->advice.count = 0;
			}
			if (n == sheet && in->advice.count < ADVICE_MAX) {
				in->sheet = n;
				o->adv_id[in->advice.count] = stream_column(s, s->advice, 2);
				o->adv_text[in->advice.count] = stream_column(s, s->advice, 3);
				in->advice.count++;
			}
			if (n == in->ack.sheet && o->ack_count < ADVICE_MAX) {
				o->ack_id[o->ack_count] = stream_column(s, s->advice, 2);
				o->ack_text[o->ack_count] = stream_column(s, s->advice, 3);
				o->ack_count++;
			}
		} while (stream_next(s->advice, &s->advice_rc, in->id));
	}
	if (in->ack.sheet == in->sheet)
		o->ack_count = 0; /* the latest sheet: carried as the advice */
	return s->advice_rc == SQLITE_ROW || s->advice_rc == SQLITE_DONE ? 0 : -1;
}

/* The flags cleared on the intake, by flag id. */
static int read_clearances(struct stream *s, struct intake *in, struct offsets *o)
{
	if (stream_seek(s, s->clearances, &s->clearances_rc, in->id)) {
		do {
			if (in->clearances < FLAGS_MAX) {
				for (int i = 0; i < 4; i++)
					o->cleared[in->clearances][i] =
						stream_column(s, s->clearances, 1 + i);
				in->clearances++;
			}
		} while (stream_next(s->clearances, &s->clearances_rc, in->id));
	}
	return s->clearances_rc == SQLITE_ROW || s->clearances_rc == SQLITE_DONE ? 0 : -1;
}

/* Points *p at offset at of the buffer; false when that value could not be
 * kept (out of memory) or is NULL where a value is needed (not_null). */
static bool point(struct stream *s, char **p, size_t at, bool not_null)
{
	if (at == (size_t)-1 || (at == STREAM_NONE && not_null))
		return false;
	*p = at == STREAM_NONE ? NULL : s->buf + at;
	return true;
}

/* Once every value of the intake is in the buffer: its pointers. */
static int point_into_buffer(struct stream *s, struct intake *in, const struct offsets *o)
{
	if (!point(s, &in->taken_at, o->taken_at, true) || !point(s, &in->staff, o->staff, true))
		return -1;
	for (size_t i = 0; i < questionnaire_count; i++)
		if (!point(s, &in->answers.value[i], o->value[i], false))
			return -1;
	for (size_t i = 0; i < in->advice.count; i++) {
		size_t k = s->desc ? in->advice.count - 1 - i : i;
		char *id, *text;
		if (!point(s, &id, o->adv_id[k], true) || !point(s, &text, o->adv_text[k], true))
			return -1;
		in->advice.item[i].id = id;
		in->advice.item[i].text = text;
	}
	for (size_t i = 0; i < o->ack_count; i++) {
		size_t k = s->desc ? o->ack_count - 1 - i : i;
		char *id, *text;
		if (!point(s, &id, o->ack_id[k], true) || !point(s, &text, o->ack_text[k], true))
			return -1;
		in->ack_advice.item[i].id = id;
		in->ack_advice.item[i].text = text;
	}
	in->ack_advice.count = o->ack_count;
	if (in->ack.sheet && (!point(s, &in->ack.typed_name, o->ack[0], true) ||
			      !point(s, &in->ack.at, o->ack[1], true) ||
			      !point(s, &in->ack.staff, o->ack[2], true)))
		return -1;
	for (size_t i = 0; i < in->clearances; i++) {
		struct clearance *c = &in->cleared[i];
		if (!point(s, &c->flag_id, o->cleared[i][0], true) ||
		    !point(s, &c->reason, o->cleared[i][1], true) ||
		    !point(s, &c->at, o->cleared[i][2], true) ||
		    !point(s, &c->staff, o->cleared[i][3], true))
			return -1;
	}
	return 0;
}

/* Reads the intake at the current row of s->intake into *in (borrowed: its
 * strings in s->buf, until the next row).  Returns 0, or -1 on a database
 * error or out of memory. */
static int stream_read(struct stream *s, struct intake *in)
{
	struct offsets o;

	memset(in, 0, sizeof *in);
	s->used = 0;
	for (size_t i = 0; i < QUESTIONS_MAX; i++)
		o.value[i] = STREAM_NONE;
	o.ack[0] = o.ack[1] = o.ack[2] = STREAM_NONE;
	o.ack_count = 0;
	read_intake_row(s, in, &o);
	if (read_answers(s, in, &o) < 0 || read_advice(s, in, &o) < 0 ||
	    read_clearances(s, in, &o) < 0)
		return -1;
	return point_into_buffer(s, in, &o);
}

enum db_result db_load_intake(struct db *db, long long id, struct intake *out)
{
	struct stream s = { .db = db, .by_id = true };
	struct intake in;
	int rc;

	memset(out, 0, sizeof *out);
	if (stream_open(&s, INTAKE_COLUMNS "WHERE i.id = ?1") < 0) {
		db_report(db, "cannot read the intake");
		stream_close(&s);
		return -1;
	}
	/* Inside a caller's write transaction, read what it sees. */
	bool own = db_autocommit(db);
	if (own && db_exec(db, "BEGIN", "cannot read the intake") < 0) {
		stream_close(&s);
		return -1;
	}
	db_bind_int64(s.intake, 1, id);
	rc = db_step(s.intake);
	if (rc == SQLITE_ROW)
		rc = stream_read(&s, &in) < 0 || intake_copy(out, &in) < 0 ? DB_ERROR : DB_OK;
	else
		rc = rc == SQLITE_DONE ? DB_MISSING : DB_ERROR;
	if (rc < 0)
		db_report(db, "cannot read the intake");
	stream_close(&s);
	if (own)
		db_exec_rc(db, "COMMIT");
	return rc;
}

int db_each_intake(struct db *db, int (*fn)(const struct intake *in, void *arg), void *arg)
{
	static const struct intake_query all = { NULL, NULL, false, 0, false };
	return db_each_intake_where(db, &all, fn, arg);
}

/* taken_at is UTC text; its first ten characters are the date.  On a
 * server the dates' first use names their type (a bare NULL test cannot). */
#define INTAKE_DATES(cast)                                                \
	"WHERE (?1" cast " IS NULL OR substr(i.taken_at, 1, 10) >= ?1) " \
	"AND (?2" cast " IS NULL OR substr(i.taken_at, 1, 10) <= ?2) "
#define INTAKE_FILTER_REST                                         \
	"AND (?3 = 0 OR i.client_id = ?3) "                        \
	"AND (?4 = 0 OR NOT EXISTS (SELECT 1 FROM intake l "       \
	"WHERE l.client_id = i.client_id AND (l.taken_at > i.taken_at " \
	"OR (l.taken_at = i.taken_at AND l.id > i.id)))) "
#define INTAKE_FILTER_SQLITE INTAKE_DATES("") INTAKE_FILTER_REST
#define INTAKE_FILTER_PG INTAKE_DATES("::text") INTAKE_FILTER_REST

static void bind_filter(struct db_stmt *st, const struct intake_query *q)
{
	db_bind_text(st, 1, q->since);
	db_bind_text(st, 2, q->until);
	db_bind_int64(st, 3, q->client);
	db_bind_int(st, 4, q->latest_only);
}

long long db_count_intakes(struct db *db, const struct intake_query *q)
{
	struct db_stmt *st;
	long long n = -1;

	if (db_prepare(db, db_sql(db, "SELECT count(*) FROM intake i " INTAKE_FILTER_SQLITE,
				  "SELECT count(*) FROM intake i " INTAKE_FILTER_PG), &st) < 0) {
		db_report(db, "cannot count the intakes");
		return -1;
	}
	bind_filter(st, q);
	if (db_step(st) == SQLITE_ROW)
		n = db_column_int64(st, 0);
	else
		db_report(db, "cannot count the intakes");
	db_finalize(st);
	return n;
}

int db_clients_where(struct db *db, const struct intake_query *q, struct idset *clients)
{
	struct db_stmt *st;
	int rc, result = 0;

	/* NOT INDEXED: the intakes' own pages are read, as the export will
	 * read them, so a damaged table is found before the row is written
	 * (an index alone could answer, and the file would change). */
	if (db_prepare(db, db_sql(db, "SELECT DISTINCT i.client_id FROM intake i NOT INDEXED "
				  INTAKE_FILTER_SQLITE "ORDER BY i.client_id",
				  "SELECT DISTINCT i.client_id FROM intake i " INTAKE_FILTER_PG
				  "ORDER BY i.client_id"), &st) < 0) {
		db_report(db, "cannot read the intakes");
		return -1;
	}
	bind_filter(st, q);
	while ((rc = db_step(st)) == SQLITE_ROW) {
		if (idset_add(clients, db_column_int64(st, 0)) < 0) {
			report("out of memory");
			result = -1;
			break;
		}
	}
	if (result == 0 && rc != SQLITE_DONE) {
		db_report(db, "cannot read the intakes");
		result = -1;
	}
	db_finalize(st);
	return result;
}

int db_each_intake_where(struct db *db, const struct intake_query *q,
			 int (*fn)(const struct intake *in, void *arg), void *arg)
{
	struct stream s = { .db = db, .by_id = q->client != 0, .desc = q->newest_first };
	char intake_sql[1400];
	struct intake in;
	int rc, result = 0;

	snprintf(intake_sql, sizeof intake_sql, "%s%s",
		 db_sql(db, INTAKE_COLUMNS INTAKE_FILTER_SQLITE "ORDER BY i.id",
			INTAKE_COLUMNS INTAKE_FILTER_PG "ORDER BY i.id"),
		 q->newest_first ? " DESC" : "");
	if (stream_open(&s, intake_sql) < 0) {
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
	while ((rc = db_step(s.intake)) == SQLITE_ROW) {
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
	db_exec_rc(db, "COMMIT");
out:
	stream_close(&s);
	return result;
}

int db_each_id(struct db *db, bool clients, int (*fn)(long long id, void *arg), void *arg)
{
	struct db_stmt *st;
	int rc, result = 0;

	if (db_prepare(db, clients ? "SELECT id FROM client ORDER BY id" : "SELECT id FROM intake ORDER BY id",
		    &st) < 0) {
		db_report(db, "cannot list the ids");
		return -1;
	}
	while ((rc = db_step(st)) == SQLITE_ROW)
		if ((result = fn(db_column_int64(st, 0), arg)) != 0)
			break;
	if (result == 0 && rc != SQLITE_DONE) {
		db_report(db, "cannot list the ids");
		result = -1;
	}
	db_finalize(st);
	return result;
}

int db_save_signoff(struct db *db, const struct intake *in, const struct answers *before,
		    const struct signoff *s)
{
	static const char *const gp_ids[] = { "gp_discussed", "gp_signoff", "gp_name",
					      "gp_signoff_date" };
	struct db_stmt *del = NULL, *ins = NULL, *st = NULL, *st2 = NULL;
	long long sheet;
	int rc = -1;

	if (db_prepare(db, "DELETE FROM answer WHERE intake_id = ?1 AND question_id = ?2", &del) < 0 ||
	    db_prepare(db, "INSERT INTO answer (intake_id, question_id, value) VALUES (?1, ?2, ?3)",
		    &ins) < 0)
		goto out;
	for (size_t i = 0; i < sizeof gp_ids / sizeof gp_ids[0]; i++) {
		const char *v = answers_get(&in->answers, gp_ids[i]);
		db_bind_int64(del, 1, in->id);
		db_bind_text(del, 2, gp_ids[i]);
		if (db_step_done(del) < 0)
			goto out;
		if (!v)
			continue;
		db_bind_int64(ins, 1, in->id);
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
	db_bind_int64(st, 1, in->id);
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
	db_bind_int64(st2, 1, in->id);
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
	db_finalize(del);
	db_finalize(ins);
	db_finalize(st);
	db_finalize(st2);
	return rc;
}

/* Inside a write transaction: removes the clearance of every flag whose
 * question's answer differs between before and after. */
static int reraise_flags(struct db *db, long long id, const struct answers *before,
			 const struct answers *after)
{
	struct db_stmt *st;
	int rc = 0;

	if (db_prepare(db, "DELETE FROM flag_clearance WHERE intake_id = ?1 AND flag_id = ?2", &st) < 0)
		return -1;
	for (size_t i = 0; i < flag_rule_count && rc == 0; i++) {
		const char *old = answers_get(before, flag_rules[i].qid);
		const char *now = answers_get(after, flag_rules[i].qid);
		if ((!old && !now) || (old && now && strcmp(old, now) == 0))
			continue;
		db_bind_int64(st, 1, id);
		db_bind_text(st, 2, flag_rules[i].id);
		rc = db_step_done(st);
	}
	db_finalize(st);
	return rc;
}

/* Inside db_save_edit()'s transaction: 1 when the intake's acknowledged
 * sheet `acked` holds in's new advice item for item (ids and texts, in
 * order), 0 when not, -1 on error. */
static int same_as_acknowledged(struct db *db, const struct intake *in, long long acked)
{
	struct db_stmt *st;
	size_t n = 0;
	int rc, same = 1;

	if (db_prepare(db, "SELECT advice_id, text FROM advice_sheet WHERE intake_id = ?1 "
			   "AND sheet = ?2 ORDER BY position", &st) < 0)
		return -1;
	db_bind_int64(st, 1, in->id);
	db_bind_int64(st, 2, acked);
	while (same && (rc = db_step(st)) == SQLITE_ROW) {
		const char *id = db_column_text(st, 0);
		const char *text = db_column_text(st, 1);
		same = n < in->advice.count && id && text && strcmp(id, in->advice.item[n].id) == 0 &&
		       strcmp(text, in->advice.item[n].text) == 0;
		n++;
	}
	if (same && rc != SQLITE_DONE)
		same = -1;
	else if (same && n != in->advice.count)
		same = 0;
	db_finalize(st);
	return same;
}

/* Inside db_save_edit()'s transaction: the client's acknowledgement of
 * sheet `from` counts for sheet `to`, whose words are the same: a row of
 * acknowledgement for `to` with the name, time and staff member of the
 * one given, and an audit row saying so (at, staff: the edit's). */
static int carry_acknowledgement(struct db *db, const struct intake *in, long long from,
				 const char *staff, const char *at)
{
	struct db_stmt *st;
	char *typed = NULL, sheet[24], earlier[24];
	int rc = -1;

	if (db_prepare(db, "INSERT INTO acknowledgement (intake_id, sheet, typed_name, at, staff) "
			   "SELECT intake_id, ?3, typed_name, at, staff FROM acknowledgement "
			   "WHERE intake_id = ?1 AND sheet = ?2 RETURNING typed_name", &st) < 0)
		return -1;
	db_bind_int64(st, 1, in->id);
	db_bind_int64(st, 2, from);
	db_bind_int64(st, 3, in->sheet);
	if (db_step(st) == SQLITE_ROW && (typed = db_column_dup(st, 0)) &&
	    db_step(st) == SQLITE_DONE)
		rc = 0;
	db_finalize(st);
	if (rc < 0 || db_prepare(db, "UPDATE intake SET acknowledged_sheet = ?2 WHERE id = ?1", &st) < 0) {
		free(typed);
		return -1;
	}
	db_bind_int64(st, 1, in->id);
	db_bind_int64(st, 2, in->sheet);
	rc = db_step_done(st);
	db_finalize(st);
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

enum db_result db_save_edit(struct db *db, struct intake *in, const struct answers *before,
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
	struct db_stmt *st = NULL;
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
	db_bind_int64(st, 1, in->id);
	rc = db_step(st);
	if (rc == SQLITE_DONE) {
		rc = DB_MISSING;
		goto out;
	}
	if (rc != SQLITE_ROW)
		goto fail;
	if (db_column_int64(st, 0) != in->revision) {
		rc = DB_CONFLICT;
		goto out;
	}
	in->client_id = db_column_int64(st, 1);
	acked = db_column_int64(st, 2);
	db_finalize(st);
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
	for (size_t k = 0; k < CLIENT_FIELDS; k++) {
		const char *id = client_field_question(k)->id;
		const char *now = answers_get(&in->answers, id), *was = answers_get(before, id);
		db_bind_text(st, 1 + (int)k, now);
		db_bind_int(st, 7 + (int)k, !(now == was || (now && was && strcmp(now, was) == 0)));
	}
	db_bind_int64(st, 6, in->client_id);
	if (db_step_done(st) < 0)
		goto fail;
	db_finalize(st);
	st = NULL;
	struct audit_entry e = { 0, in->client_id, in->id, at, staff, "edit", NULL, 0 };
	if (db_audit_answers(db, &e, before, &in->answers) < 0 ||
	    (fresh_ack && audit_acknowledgement(db, in->client_id, in->id, &in->ack) < 0) ||
	    db_consent_from_answers(db, in->client_id, in->id, before, &in->answers, at, staff) < 0)
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
	db_finalize(st);
	db_exec_rc(db, "ROLLBACK");
	return rc;
fail:
	db_report(db, "cannot save the changes");
undo:
	db_finalize(st);
	db_exec_rc(db, "ROLLBACK");
	return -1;
}

enum db_result db_load_client(struct db *db, long long id, struct answers *out)
{
	struct db_stmt *st;
	int rc;

	memset(out, 0, sizeof *out);
	if (db_prepare(db, "SELECT " CLIENT_COLUMNS " FROM client WHERE id = ?1", &st) < 0) {
		db_report(db, "cannot read the client");
		return -1;
	}
	db_bind_int64(st, 1, id);
	rc = db_step(st);
	if (rc == SQLITE_ROW) {
		rc = 0;
		if (db_column_client(st, 0, out) < 0) {
			report("out of memory");
			answers_clear(out);
			rc = -1;
		}
	} else if (rc == SQLITE_DONE) {
		rc = DB_MISSING;
	} else {
		db_report(db, "cannot read the client");
		rc = -1;
	}
	db_finalize(st);
	return rc;
}

/* Inside a write transaction: the intake's client and latest sheet (0),
 * DB_MISSING when it is gone, or -1. */
static int intake_state(struct db *db, long long id, long long *client, long long *sheet)
{
	struct db_stmt *st;
	int rc;

	if (db_prepare(db, "SELECT i.client_id, (SELECT max(sheet) FROM advice_sheet "
			   "WHERE intake_id = i.id) FROM intake i WHERE i.id = ?1", &st) < 0)
		return -1;
	db_bind_int64(st, 1, id);
	rc = db_step(st);
	if (rc == SQLITE_ROW) {
		*client = db_column_int64(st, 0);
		*sheet = db_column_int64(st, 1);
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? DB_MISSING : DB_ERROR;
	}
	db_finalize(st);
	return rc;
}

enum db_result db_save_acknowledgement(struct db *db, long long intake_id,
			    const struct acknowledgement *ack)
{
	long long client, sheet;
	int rc;

	if (db_exec(db, "BEGIN IMMEDIATE", "cannot save the acknowledgement") < 0)
		return -1;
	rc = intake_state(db, intake_id, &client, &sheet);
	if (rc == 0 && sheet != ack->sheet)
		rc = DB_CONFLICT;
	if (rc == 0 && (save_acknowledgement(db, intake_id, ack) < 0 ||
			audit_acknowledgement(db, client, intake_id, ack) < 0))
		rc = -1;
	if (rc == 0 && db_exec(db, "COMMIT", "cannot save the acknowledgement") == 0)
		return 0;
	if (rc < 0)
		db_report(db, "cannot save the acknowledgement");
	db_exec_rc(db, "ROLLBACK");
	return rc;
}

enum db_result db_clear_flag(struct db *db, long long intake_id, const struct clearance *c)
{
	struct audit_change change = { c->flag_id, NULL, c->reason };
	struct audit_entry e = { 0, 0, intake_id, c->at, c->staff, "clear-flag", &change, 1 };
	struct db_stmt *st = NULL;
	long long client, sheet;
	int rc;

	if (db_exec(db, "BEGIN IMMEDIATE", "cannot clear the flag") < 0)
		return -1;
	rc = intake_state(db, intake_id, &client, &sheet);
	if (rc == 0 && db_prepare(db, "INSERT OR IGNORE INTO flag_clearance (intake_id, flag_id, "
				      "reason, at, staff) VALUES (?1, ?2, ?3, ?4, ?5)", &st) < 0)
		rc = -1;
	if (rc == 0) {
		db_bind_int64(st, 1, intake_id);
		db_bind_text(st, 2, c->flag_id);
		db_bind_text(st, 3, c->reason);
		db_bind_text(st, 4, c->at);
		db_bind_text(st, 5, c->staff);
		rc = db_step_done(st);
		if (rc == 0 && db_changes(db) == 0)
			rc = DB_CONFLICT;
	}
	db_finalize(st);
	e.client_id = client;
	if (rc == 0 && db_audit_add(db, &e) < 0)
		rc = -1;
	if (rc == 0 && db_exec(db, "COMMIT", "cannot clear the flag") == 0)
		return 0;
	if (rc < 0)
		db_report(db, "cannot clear the flag");
	db_exec_rc(db, "ROLLBACK");
	return rc;
}
