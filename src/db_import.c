/* db_import.c - the database side of `import`: every record of a file
 * matched by uuid and written in one transaction, with statements
 * prepared once.  What the import must remember about the records behind
 * it (which uuid came at which position, which client a source client went
 * to) lives in TEMP tables, so memory does not grow with the file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_private.h"
#include "import.h"
#include "report.h"

/* The statements, prepared once for the whole import. */
enum {
	FIND,
	CLIENT_OF,
	ANSWERS_OF,
	ADVICE_OF,
	SEEN_GET,
	SEEN_PUT,
	MAP_GET,
	MAP_PUT,
	CLIENT_GET,
	CLIENT_OF_SOURCE,
	CLIENT_USED,
	INTAKE_USED,
	CLIENT_ADD,
	INTAKE_ADD,
	ANSWERS_DEL,
	SHEET_NEXT,
	REVISE,
	CLIENT_SET,
	CLEARANCES_OF,
	CLEARANCE_ADD,
	CLEARANCES_DEL,
	ACK_ADD,
	RECORD_SET,
	ACKED_OF,
	SESS_FIND,
	SESS_ADD,
	SESS_SET,
	PHOTO_FIND,
	PHOTO_ADD,
	CONSENT_SAME,
	CONSENT_STAGE,
	AFTERCARE_HAS,
	ERASED_ON,
	STATEMENTS
};

static const char *const statement_sql[STATEMENTS] = {
    /* With the versions, the acknowledgement that counts and whether it is
     * of the latest sheet. */
    [FIND] = "SELECT i.id, i.client_id, i.taken_at, i.staff, i.questionnaire_version, "
	     "i.advice_version, a.typed_name, a.at, a.staff, a.sheet = (SELECT max(sheet) "
	     "FROM advice_sheet WHERE intake_id = i.id) FROM intake i LEFT JOIN acknowledgement "
	     "a ON a.intake_id = i.id AND a.sheet = i.acknowledged_sheet WHERE i.uuid = ?1",
    [CLIENT_OF] = "SELECT first_name, last_name, date_of_birth, phone, email FROM client "
		  "WHERE id = ?1",
    [ANSWERS_OF] = "SELECT question_id, value FROM answer WHERE intake_id = ?1",
    [ADVICE_OF] = "SELECT advice_id, text FROM advice_sheet WHERE intake_id = ?1 AND sheet = "
		  "(SELECT max(sheet) FROM advice_sheet WHERE intake_id = ?1) ORDER BY position",
    [SEEN_GET] = "SELECT position FROM temp.import_seen WHERE intake_id = ?1",
    [SEEN_PUT] = "INSERT INTO temp.import_seen (intake_id, position) VALUES (?1, ?2)",
    [MAP_GET] = "SELECT target FROM temp.import_client WHERE source = ?1",
    [MAP_PUT] = "INSERT OR IGNORE INTO temp.import_client (source, target) VALUES (?1, ?2)",
    [CLIENT_GET] = "SELECT first_name, last_name, date_of_birth FROM client WHERE id = ?1 "
		   "UNION ALL SELECT first_name, last_name, date_of_birth "
		   "FROM temp.import_new_client WHERE id = ?1",
    /* The same for the record's own client id (asked early: probed[] below). */
    [CLIENT_OF_SOURCE] = "SELECT first_name, last_name, date_of_birth FROM client WHERE id = ?1 "
			 "UNION ALL SELECT first_name, last_name, date_of_birth "
			 "FROM temp.import_new_client WHERE id = ?1",
    [CLIENT_USED] = "SELECT EXISTS (SELECT 1 FROM audit WHERE client_id = ?1)",
    [INTAKE_USED] = "SELECT EXISTS (SELECT 1 FROM intake WHERE id = ?1) "
		    "OR EXISTS (SELECT 1 FROM audit WHERE intake_id = ?1)",
    [CLIENT_ADD] = "INSERT INTO temp.import_new_client (id, first_name, last_name, date_of_birth, "
		   "phone, email, created_at) VALUES (coalesce(?1, max(" NEXT_CLIENT_ID ", "
		   "(SELECT coalesce(max(id), 0) + 1 FROM temp.import_new_client))), "
		   "?2, ?3, ?4, ?5, ?6, ?7)",
    [INTAKE_ADD] = "INSERT INTO intake (id, uuid, client_id, taken_at, staff, "
		   "questionnaire_version, advice_version, acknowledged_sheet, revision) "
		   "VALUES (coalesce(?1, " NEXT_INTAKE_ID "), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [ANSWERS_DEL] = "DELETE FROM answer WHERE intake_id = ?1",
    [SHEET_NEXT] = "SELECT coalesce(max(sheet), 0) + 1 FROM advice_sheet WHERE intake_id = ?1",
    [REVISE] = "UPDATE intake SET revision = revision + 1 WHERE id = ?1",
    [CLIENT_SET] = "UPDATE client SET first_name = ?1, last_name = ?2, date_of_birth = ?3, "
		   "phone = ?4, email = ?5 WHERE id = ?6",
    [CLEARANCES_OF] = "SELECT flag_id, reason, at, staff FROM flag_clearance WHERE intake_id = ?1",
    [CLEARANCE_ADD] = "INSERT INTO flag_clearance (intake_id, flag_id, reason, at, staff) "
		      "VALUES (?1, ?2, ?3, ?4, ?5)",
    [CLEARANCES_DEL] = "DELETE FROM flag_clearance WHERE intake_id = ?1",
    [ACK_ADD] = "INSERT INTO acknowledgement (intake_id, sheet, typed_name, at, staff) "
		"VALUES (?1, ?2, ?3, ?4, ?5)",
    [RECORD_SET] = "UPDATE intake SET questionnaire_version = ?2, advice_version = ?3, "
		   "acknowledged_sheet = ?4 WHERE id = ?1",
    [ACKED_OF] = "SELECT advice_id, text FROM advice_sheet WHERE intake_id = ?1 AND sheet = "
		 "(SELECT acknowledged_sheet FROM intake WHERE id = ?1) ORDER BY position",
    /* Format 3: a session's ?1 uuid, ?2..?25 its fields (bind_session()). */
    [SESS_FIND] = "SELECT id, intake_id, number IS ?2 AND performed_on IS ?3 AND artist IS ?4 "
		  "AND areas IS ?5 AND pigment_brand IS ?6 AND shade IS ?7 AND lot IS ?8 AND "
		  "lot_expiry IS ?9 AND needle IS ?10 AND dilution IS ?11 AND notes IS ?12 AND "
		  "patch_test IS ?13 AND reaction IS ?14 AND reaction_note IS ?15 AND reaction_at "
		  "IS ?16 AND rescreen IS ?17 AND intake_revision IS ?18 AND id_checked IS ?19 AND "
		  "countersigned IS ?20 AND client_ack IS ?21 AND aftercare_version IS ?22 AND "
		  "override_reason IS ?23 AND recorded_at IS ?24 AND staff IS ?25 FROM session "
		  "WHERE uuid = ?1",
    [SESS_ADD] = "INSERT INTO session (uuid, number, performed_on, artist, areas, pigment_brand, "
		 "shade, lot, lot_expiry, needle, dilution, notes, patch_test, reaction, "
		 "reaction_note, reaction_at, rescreen, intake_revision, id_checked, countersigned, "
		 "client_ack, aftercare_version, override_reason, recorded_at, staff, intake_id, "
		 "client_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
		 "?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)",
    [SESS_SET] = "UPDATE session SET number = ?2, performed_on = ?3, artist = ?4, areas = ?5, "
		 "pigment_brand = ?6, shade = ?7, lot = ?8, lot_expiry = ?9, needle = ?10, "
		 "dilution = ?11, notes = ?12, patch_test = ?13, reaction = ?14, reaction_note = "
		 "?15, reaction_at = ?16, rescreen = ?17, intake_revision = ?18, id_checked = ?19, "
		 "countersigned = ?20, client_ack = ?21, aftercare_version = ?22, override_reason "
		 "= ?23, recorded_at = ?24, staff = ?25 WHERE uuid = ?1",
    [PHOTO_FIND] = "SELECT p.id, coalesce(p.intake_id, s.intake_id), p.view IS ?3 AND "
		   "p.media_type IS ?4 AND p.size IS ?5 AND p.sha256 IS ?6 AND p.added_at IS ?7 "
		   "AND p.staff IS ?8 AND coalesce(s.uuid, '') IS ?2 FROM photo p LEFT JOIN "
		   "session s ON s.id = p.session_id WHERE p.uuid = ?1",
    [PHOTO_ADD] = "INSERT INTO photo (uuid, session_id, view, media_type, size, sha256, added_at, "
		  "staff, client_id, intake_id) VALUES (?1, (SELECT id FROM session WHERE uuid = "
		  "?2), ?3, ?4, ?5, ?6, ?7, ?8, ?9, CASE WHEN ?2 = '' THEN ?10 END)",
    [CONSENT_SAME] = "SELECT EXISTS (SELECT 1 FROM consent WHERE client_id = ?1 AND kind = ?2 "
		     "AND value = ?3 AND at = ?4 AND staff = ?5 AND intake_id IS ?6)",
    [CONSENT_STAGE] = "INSERT INTO temp.import_consent (client_id, kind, value, at, staff, "
		      "intake_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [AFTERCARE_HAS] = "SELECT EXISTS (SELECT 1 FROM aftercare WHERE version = ?1)",
    [ERASED_ON] = "SELECT substr(erased_at, 1, 10) FROM erased_intake WHERE uuid = ?1",
};

/* What db_import_record() reads about a record before it writes anything
 * of it, asked for early by db_import_erased(): on a server they travel
 * together (db_prefetch()). */
static const int probed[] = { FIND, MAP_GET, CLIENT_OF_SOURCE, CLIENT_USED, INTAKE_USED };

static const int deferred[] = { SEEN_PUT, MAP_PUT, CLEARANCE_ADD, ACK_ADD, CONSENT_STAGE };

struct db_import {
	struct db *db;
	bool update;
	const char *staff, *at;
	struct db_stmt *st[STATEMENTS];
	/* An intake's answers, and its advice, each with one INSERT of as
	 * many rows as it has: [k] inserts k rows (prepared when first
	 * needed). */
	struct db_stmt *answers[QUESTIONS_MAX + 1], *advice[ADVICE_MAX + 1];
};

/* Steps a statement that returns no row and resets it. */
static int run(struct db_stmt *st)
{
	int rc = db_step(st);

	db_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Steps a one-row query of one integer: returns 1 with *out set, 0 when it
 * gives no row, -1 on error.  Resets it. */
static int one_int(struct db_stmt *st, long long *out)
{
	int rc = db_step(st);

	if (rc == SQLITE_ROW)
		*out = db_column_int64(st, 0);
	db_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static void finalize_all(struct db_import *im)
{
	for (int i = 0; i < STATEMENTS; i++)
		db_finalize(im->st[i]);
	for (size_t i = 0; i < sizeof im->answers / sizeof im->answers[0]; i++)
		db_finalize(im->answers[i]);
	for (size_t i = 0; i < sizeof im->advice / sizeof im->advice[0]; i++)
		db_finalize(im->advice[i]);
	memset(im->st, 0, sizeof im->st);
	memset(im->answers, 0, sizeof im->answers);
	memset(im->advice, 0, sizeof im->advice);
}

/* The statement that inserts rows rows: "INSERT ... VALUES " and one
 * group per row made by group(buf, n, row), prepared once into *slot. */
static struct db_stmt *rows_statement(struct db_import *im, struct db_stmt **slot, const char *insert,
				    int (*group)(char *buf, size_t n, size_t row), size_t rows)
{
	if (!*slot) {
		char sql[4096];
		size_t used = (size_t)snprintf(sql, sizeof sql, "%s", insert);

		for (size_t i = 0; i < rows && used < sizeof sql; i++) {
			if (i)
				sql[used++] = ',';
			used += (size_t)group(sql + used, sizeof sql - used, i);
		}
		if (used >= sizeof sql || db_prepare(im->db, sql, slot) < 0)
			return NULL;
		db_defer(*slot, true);
	}
	return *slot;
}

/* (intake, question, value) for row i: ?1 and two parameters of its own. */
static int answer_group(char *buf, size_t n, size_t i)
{
	return snprintf(buf, n, "(?1, ?%zu, ?%zu)", 2 + 2 * i, 3 + 2 * i);
}

/* (intake, sheet, position, advice id, text) for row i. */
static int advice_group(char *buf, size_t n, size_t i)
{
	return snprintf(buf, n, "(?1, ?2, %zu, ?%zu, ?%zu)", i + 1, 3 + 2 * i, 4 + 2 * i);
}

/* An import's transaction begins or ends: its audit rows' answers can
 * wait while it runs, and the chain's last row is remembered
 * (db_audit.c), never past it. */
static void bulk(struct db *db, bool on)
{
	db->bulk = on;
	free(db->tip_hash);
	db->tip_hash = NULL;
}

struct db_import *db_import_begin(struct db *db, bool update, const char *staff, const char *at)
{
	struct db_import *im = calloc(1, sizeof *im);

	if (!im) {
		report("out of memory");
		return NULL;
	}
	*im = (struct db_import){.db = db, .update = update, .staff = staff, .at = at};
	if (db_exec(db, "BEGIN IMMEDIATE", "cannot import") < 0) {
		free(im);
		return NULL;
	}
	bulk(db, true);
	/* Inside the transaction: a rollback takes them away too.  The new
	 * clients wait in import_new_client and go into client with one
	 * statement at the end: a statement that fires the search index's
	 * trigger inside a transaction makes FTS5 write out what it holds
	 * (a savepoint), so one INSERT per client would write one tiny index
	 * segment per client.  Meanwhile the new intakes refer to clients not
	 * there yet: the foreign keys are checked at COMMIT instead. */
	/* A server's foreign keys are DEFERRABLE for this (its schema), and
	 * the consents' order is an identity where SQLite has its rowid. */
#define IMPORT_TEMP(deferred, id, seq)                                                   \
	deferred "CREATE TEMP TABLE import_seen (intake_id " id " PRIMARY KEY, "          \
		 "position INTEGER NOT NULL); "                                            \
		 "CREATE TEMP TABLE import_client (source " id " PRIMARY KEY, "            \
		 "target " id " NOT NULL); "                                               \
		 "CREATE TEMP TABLE import_new_client (id " id " PRIMARY KEY, "            \
		 "first_name TEXT NOT NULL, last_name TEXT NOT NULL, date_of_birth TEXT "  \
		 "NOT NULL, phone TEXT, email TEXT, created_at TEXT NOT NULL); "           \
		 "CREATE TEMP TABLE import_consent (seq " seq ", client_id " id " NOT "    \
		 "NULL, kind TEXT NOT NULL, value TEXT NOT NULL, at TEXT NOT NULL, staff " \
		 "TEXT NOT NULL, intake_id " id ")"
	if (db_exec(db,
		    db_sql(db,
			   IMPORT_TEMP("PRAGMA defer_foreign_keys = ON; ", "INTEGER",
				       "INTEGER PRIMARY KEY"),
			   IMPORT_TEMP("SET CONSTRAINTS ALL DEFERRED; ", "BIGINT",
				       "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")),
		    "cannot import") < 0)
		goto fail;
#undef IMPORT_TEMP
	for (int i = 0; i < STATEMENTS; i++) {
		if (db_prepare(db, statement_sql[i], &im->st[i]) < 0) {
			db_report(db, "cannot import");
			goto fail;
		}
	}
	/* Writes whose answer can wait for the next read (a server's round
	 * trip saved each): no count or id of theirs is read. */
	for (size_t i = 0; i < sizeof deferred / sizeof *deferred; i++)
		db_defer(im->st[deferred[i]], true);
	return im;
fail:
	bulk(db, false);
	finalize_all(im);
	db_rollback(db);
	free(im);
	return NULL;
}

int db_import_end(struct db_import *im, bool commit)
{
	struct db *db = im->db;
	int rc = 0;

	bulk(db, false);
	finalize_all(im);
	free(im);
	if (commit) {
		if (db_exec(db,
			    "INSERT INTO client (id, first_name, last_name, date_of_birth, phone, "
			    "email, created_at) SELECT id, first_name, last_name, date_of_birth, "
			    "phone, email, created_at FROM temp.import_new_client ORDER BY id; "
			    /* Each client's consent rows in the order they were given:
			     * the latest of a kind is the one that counts. */
			    "INSERT INTO consent (client_id, kind, value, intake_id, at, staff) "
			    "SELECT client_id, kind, value, intake_id, at, staff FROM "
			    "temp.import_consent ORDER BY at, seq; DROP TABLE temp.import_consent; "
			    "DROP TABLE temp.import_seen; DROP TABLE temp.import_client; "
			    "DROP TABLE temp.import_new_client",
			    "cannot import") < 0 ||
		    db_exec(db, "COMMIT", "cannot import") < 0)
			rc = -1;
	}
	db_rollback(db);
	return rc;
}

/* ---- a record whose uuid is stored ---- */

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* Loads the stored answers of intake id (of client) with the client's
 * details, and its latest advice sheet. */
static int load_stored(struct db_import *im, long long id, long long client, struct answers *a,
		       struct advice_sheet *advice)
{
	struct db_stmt *st = im->st[CLIENT_OF];
	int rc;

	db_bind_int64(st, 1, client);
	if ((rc = db_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < 5 && rc == SQLITE_ROW; i++) {
			const char *v = db_column_text(st, i);
			if (v && answers_set(a, client_field_question(i)->id, v) < 0)
				rc = SQLITE_NOMEM;
		}
	}
	db_reset(st);
	if (rc != SQLITE_ROW)
		return -1;
	st = im->st[ANSWERS_OF];
	db_bind_int64(st, 1, id);
	while ((rc = db_step(st)) == SQLITE_ROW) {
		const char *q = db_column_text(st, 0);
		const char *v = db_column_text(st, 1);
		/* An id from a later release that this one does not know is skipped. */
		if (q && v && questionnaire_index(q) >= 0 && answers_set(a, q, v) < 0)
			break;
	}
	db_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	st = im->st[ADVICE_OF];
	db_bind_int64(st, 1, id);
	while ((rc = db_step(st)) == SQLITE_ROW) {
		const char *aid = db_column_text(st, 0);
		const char *text = db_column_text(st, 1);
		if (aid && text && advice_sheet_add(advice, aid, text) < 0)
			break;
	}
	db_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Compares in with the stored intake: which of answers, client details
 * and advice differ. */
static void compare(const struct intake *in, const struct answers *a,
		    const struct advice_sheet *advice, struct import_result *res)
{
	for (size_t i = 0; i < questionnaire_count; i++) {
		if (!same(in->answers.value[i], a->value[i])) {
			if (questionnaire[i].client_field)
				res->client = true;
			else
				res->answers = true;
		}
	}
	res->advice = in->advice.count != advice->count;
	for (size_t i = 0; !res->advice && i < advice->count; i++)
		res->advice = !same(in->advice.item[i].id, advice->item[i].id) ||
			      !same(in->advice.item[i].text, advice->item[i].text);
}

/* Whether two sheets hold the same items (ids and words), in order. */
static bool same_words(const struct advice_sheet *a, const struct advice_sheet *b)
{
	if (a->count != b->count)
		return false;
	for (size_t i = 0; i < a->count; i++)
		if (!same(a->item[i].id, b->item[i].id) || !same(a->item[i].text, b->item[i].text))
			return false;
	return true;
}

/* The clearance of flag id among in's, or NULL. */
static const struct clearance *cleared(const struct intake *in, const char *id)
{
	for (size_t i = 0; i < in->clearances; i++)
		if (same(in->cleared[i].flag_id, id))
			return &in->cleared[i];
	return NULL;
}

/* Whether the stored intake (the FIND row, stepped) has in's versions,
 * acknowledgement (the same, and of the latest sheet or not alike: the
 * sheets are numbered in each database) and flag clearances.  Sets
 * res->record when not; returns -1 on a database error. */
static int compare_record(struct db_import *im, const struct intake *in, long long id,
			  struct import_result *res)
{
	struct db_stmt *find = im->st[FIND], *st = im->st[CLEARANCES_OF];
	size_t count = 0;
	int rc;

	res->record = !same(db_column_text(find, 4), in->questionnaire_version) ||
		      !same(db_column_text(find, 5), in->advice_version);
	if (db_column_null(find, 6))
		res->record |= in->ack.sheet != 0;
	else
		res->record |= !in->ack.sheet ||
			       !same(db_column_text(find, 6), in->ack.typed_name) ||
			       !same(db_column_text(find, 7), in->ack.at) ||
			       !same(db_column_text(find, 8), in->ack.staff) ||
			       (db_column_int(find, 9) != 0) != (in->ack.sheet == in->sheet);
	/* Both of an earlier sheet: of one with the same words. */
	if (!res->record && in->ack.sheet && in->ack.sheet != in->sheet) {
		struct advice_sheet acked = {.count = 0};
		struct db_stmt *words = im->st[ACKED_OF];
		const char *aid, *text;

		db_bind_int64(words, 1, id);
		while ((rc = db_step(words)) == SQLITE_ROW) {
			if ((aid = db_column_text(words, 0)) &&
			    (text = db_column_text(words, 1)) &&
			    advice_sheet_add(&acked, aid, text) < 0) {
				rc = SQLITE_NOMEM;
				break;
			}
		}
		db_reset(words);
		res->record = !same_words(&acked, &in->ack_advice);
		advice_sheet_clear(&acked);
		if (rc != SQLITE_DONE)
			return -1;
	}
	db_bind_int64(st, 1, id);
	while ((rc = db_step(st)) == SQLITE_ROW) {
		const struct clearance *c = cleared(in, db_column_text(st, 0));
		count++;
		res->record |= !c || !same(db_column_text(st, 1), c->reason) ||
			       !same(db_column_text(st, 2), c->at) ||
			       !same(db_column_text(st, 3), c->staff);
	}
	db_reset(st);
	res->record |= count != in->clearances;
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The intake's flag clearances and its acknowledgement (of sheet), as in
 * in, and its versions; the rows already there are the caller's. */
static int add_record(struct db_import *im, const struct intake *in, long long sheet)
{
	struct db_stmt *st = im->st[CLEARANCE_ADD];

	for (size_t i = 0; i < in->clearances; i++) {
		const struct clearance *c = &in->cleared[i];
		db_bind_int64(st, 1, in->id);
		db_bind_text(st, 2, c->flag_id);
		db_bind_text(st, 3, c->reason);
		db_bind_text(st, 4, c->at);
		db_bind_text(st, 5, c->staff);
		if (run(st) < 0)
			return -1;
	}
	if (!in->ack.sheet)
		return 0;
	st = im->st[ACK_ADD];
	db_bind_int64(st, 1, in->id);
	db_bind_int64(st, 2, sheet);
	db_bind_text(st, 3, in->ack.typed_name);
	db_bind_text(st, 4, in->ack.at);
	db_bind_text(st, 5, in->ack.staff);
	return run(st);
}

static int add_answers(struct db_import *im, const struct intake *in)
{
	struct db_stmt *st;
	size_t rows = 0;
	int param = 2;

	for (size_t i = 0; i < questionnaire_count; i++)
		rows += in->answers.value[i] && !questionnaire[i].client_field;
	if (!rows)
		return 0;
	if (!(st = rows_statement(im, &im->answers[rows],
				  "INSERT INTO answer (intake_id, question_id, value) VALUES ",
				  answer_group, rows)))
		return -1;
	db_bind_int64(st, 1, in->id);
	for (size_t i = 0; i < questionnaire_count; i++) {
		if (!in->answers.value[i] || questionnaire[i].client_field)
			continue;
		db_bind_text(st, param++, questionnaire[i].id);
		db_bind_text(st, param++, in->answers.value[i]);
	}
	return run(st);
}

/* The words of `advice` as in's sheet number `sheet`. */
static int add_sheet(struct db_import *im, const struct intake *in, long long sheet,
		     const struct advice_sheet *advice)
{
	struct db_stmt *st;
	int param = 3;

	if (!(st =
		  rows_statement(im, &im->advice[advice->count],
				 "INSERT INTO advice_sheet (intake_id, sheet, position, advice_id, "
				 "text) VALUES ",
				 advice_group, advice->count)))
		return -1;
	db_bind_int64(st, 1, in->id);
	db_bind_int64(st, 2, sheet);
	for (size_t i = 0; i < advice->count; i++) {
		db_bind_text(st, param++, advice->item[i].id);
		db_bind_text(st, param++, advice->item[i].text);
	}
	return run(st);
}

/* Replaces the stored intake's answers, its client's details and its
 * advice (a new sheet beside the old) with in's, as `edit` does; and its
 * versions, flag clearances and acknowledgement with in's.  An
 * acknowledgement of an earlier sheet than the file's latest comes with
 * that sheet's words: they are added first, as a sheet of their own, and
 * the acknowledgement is of it (as a sign-off after an acknowledgement
 * leaves it); one more revision for each sheet added. */
static int replace(struct db_import *im, const struct intake *in, const struct answers *before)
{
	struct db_stmt *st = im->st[CLIENT_SET], *set = im->st[RECORD_SET];
	long long sheet = 0, acked = 0;
	bool earlier = in->ack.sheet && in->ack_advice.count;

	db_bind_int64(im->st[ANSWERS_DEL], 1, in->id);
	db_bind_int64(im->st[SHEET_NEXT], 1, in->id);
	db_bind_int64(im->st[REVISE], 1, in->id);
	db_bind_int64(im->st[CLEARANCES_DEL], 1, in->id);
	if (run(im->st[ANSWERS_DEL]) < 0 || add_answers(im, in) < 0 ||
	    one_int(im->st[SHEET_NEXT], &sheet) != 1)
		return -1;
	if (earlier) {
		acked = sheet++;
		if (add_sheet(im, in, acked, &in->ack_advice) < 0 || run(im->st[REVISE]) < 0)
			return -1;
	} else {
		acked = sheet;
	}
	if (add_sheet(im, in, sheet, &in->advice) < 0 || run(im->st[REVISE]) < 0 ||
	    run(im->st[CLEARANCES_DEL]) < 0 || add_record(im, in, acked) < 0)
		return -1;
	db_bind_int64(set, 1, in->id);
	db_bind_text(set, 2, in->questionnaire_version);
	db_bind_text(set, 3, in->advice_version);
	if (in->ack.sheet)
		db_bind_int64(set, 4, acked);
	else
		db_bind_null(set, 4);
	if (run(set) < 0)
		return -1;
	for (int i = 0; i < 5; i++)
		db_bind_text(st, i + 1, answers_get(&in->answers, client_field_question(i)->id));
	db_bind_int64(st, 6, in->client_id);
	if (run(st) < 0)
		return -1;
	struct audit_entry e = {0, in->client_id, in->id, im->at, im->staff, "import", NULL, 0};
	if (db_consent_from_answers(im->db, in->client_id, in->id, before, &in->answers, im->at,
				    im->staff) < 0)
		return -2;
	return db_audit_answers(im->db, &e, before, &in->answers) < 0 ? -2 : 0;
}

/* The record's uuid is stored as the FIND row (stepped) shows. */
static int import_stored(struct db_import *im, struct intake *in, long long position,
			 struct import_result *res)
{
	struct db_stmt *find = im->st[FIND];
	long long id = db_column_int64(find, 0), client = db_column_int64(find, 1);
	long long source = in->client_id;
	struct answers stored = {{NULL}};
	struct advice_sheet advice = {.count = 0};
	int rc = -1;

	res->intake_id = id;
	db_bind_int64(im->st[SEEN_GET], 1, id);
	switch (one_int(im->st[SEEN_GET], &res->earlier)) {
	case 1:
		res->outcome = IMPORT_DUPLICATE;
		db_reset(find);
		return 0;
	case -1:
		goto out;
	}
	if (!same(db_column_text(find, 2), in->taken_at))
		res->field = "taken_at";
	else if (!same(db_column_text(find, 3), in->staff))
		res->field = "staff";
	if (load_stored(im, id, client, &stored, &advice) < 0 ||
	    compare_record(im, in, id, res) < 0)
		goto out;
	db_reset(find);
	compare(in, &stored, &advice, res);
	db_bind_int64(im->st[SEEN_PUT], 1, id);
	db_bind_int64(im->st[SEEN_PUT], 2, position);
	db_bind_int64(im->st[MAP_PUT], 1, source);
	db_bind_int64(im->st[MAP_PUT], 2, client);
	if (run(im->st[SEEN_PUT]) < 0 || run(im->st[MAP_PUT]) < 0)
		goto out;
	in->id = id;
	in->client_id = client;
	rc = 0;
	if (res->field)
		res->outcome = IMPORT_MISMATCH;
	else if (!res->answers && !res->client && !res->advice && !res->record)
		res->outcome = IMPORT_UNCHANGED;
	else if (!im->update)
		res->outcome = IMPORT_CONFLICT;
	else if ((rc = replace(im, in, &stored)) == 0)
		res->outcome = IMPORT_UPDATED;
out:
	db_reset(find);
	answers_clear(&stored);
	advice_sheet_clear(&advice);
	return rc;
}

/* ---- a new intake ---- */

/* Whether client id holds the names and date of birth of in: 1 yes, 0 no,
 * 2 there is no client id; -1 on error. */
static int same_person(struct db_import *im, int which, long long id, const struct intake *in)
{
	struct db_stmt *st = im->st[which];
	int rc;

	db_bind_int64(st, 1, id);
	rc = db_step(st);
	if (rc == SQLITE_ROW) {
		rc = 1;
		for (int i = 0; i < 3 && rc == 1; i++)
			rc = same(db_column_text(st, i),
				  answers_get(&in->answers, client_field_question(i)->id));
	} else {
		rc = rc == SQLITE_DONE ? 2 : -1;
	}
	db_reset(st);
	return rc;
}

/* Sets in->client_id to the client the record goes to: the one its source
 * client went to earlier in the file, else the client of that id if it is
 * the same person, else a new record (keeping the id when it is free and
 * was never used). */
static int choose_client(struct db_import *im, struct intake *in)
{
	long long source = in->client_id, target = 0, used = 0;
	int rc;

	db_bind_int64(im->st[MAP_GET], 1, source);
	if ((rc = one_int(im->st[MAP_GET], &target)) < 0)
		return -1;
	if (rc == 1) {
		if ((rc = same_person(im, CLIENT_GET, target, in)) < 0)
			return -1;
		if (rc == 1) {
			in->client_id = target;
			return 0;
		}
	}
	if ((rc = same_person(im, CLIENT_OF_SOURCE, source, in)) < 0)
		return -1;
	if (rc == 1)
		return 0;
	if (rc == 2) {
		db_bind_int64(im->st[CLIENT_USED], 1, source);
		if (one_int(im->st[CLIENT_USED], &used) != 1)
			return -1;
	}
	struct db_stmt *st = im->st[CLIENT_ADD];
	bool keep = rc == 2 && !used;
	if (keep)
		db_bind_int64(st, 1, source);
	else
		db_bind_null(st, 1);
	/* With its id given, nothing of its answer is read. */
	db_defer(st, keep);
	for (int i = 0; i < 5; i++)
		db_bind_text(st, i + 2, answers_get(&in->answers, client_field_question(i)->id));
	db_bind_text(st, 7, in->taken_at);
	if (run(st) < 0)
		return -1;
	in->client_id = keep ? source : db_last_insert_id(im->db);
	if (in->client_id != source) {
		db_bind_int64(im->st[MAP_PUT], 1, source);
		db_bind_int64(im->st[MAP_PUT], 2, in->client_id);
		if (run(im->st[MAP_PUT]) < 0)
			return -1;
	}
	return 0;
}

/* The revision of an intake on its advice sheet number `sheet`: each
 * `edit` and `signoff` gives one more sheet and one more revision, so the
 * sheet's number is the revision (export --client, FHIR's amended) the
 * file does not carry. */
static long long revision_of(const struct intake *in)
{
	return in->sheet > 1 ? in->sheet : 1;
}

static int import_new(struct db_import *im, struct intake *in, long long position)
{
	struct db_stmt *st = im->st[INTAKE_ADD];
	long long used = 0;

	if (choose_client(im, in) < 0)
		return -1;
	db_bind_int64(im->st[INTAKE_USED], 1, in->id);
	if (one_int(im->st[INTAKE_USED], &used) != 1)
		return -1;
	if (used)
		db_bind_null(st, 1);
	else
		db_bind_int64(st, 1, in->id);
	db_defer(st, !used);
	db_bind_text(st, 2, in->uuid);
	db_bind_int64(st, 3, in->client_id);
	db_bind_text(st, 4, in->taken_at);
	db_bind_text(st, 5, in->staff);
	db_bind_text(st, 6, in->questionnaire_version);
	db_bind_text(st, 7, in->advice_version);
	if (in->ack.sheet)
		db_bind_int64(st, 8, in->ack.sheet);
	else
		db_bind_null(st, 8);
	in->revision = revision_of(in);
	db_bind_int64(st, 9, in->revision);
	if (run(st) < 0)
		return -1;
	if (used)
		in->id = db_last_insert_id(im->db);
	db_bind_int64(im->st[SEEN_PUT], 1, in->id);
	db_bind_int64(im->st[SEEN_PUT], 2, position);
	/* The sheet keeps its number, so that the acknowledgement names it;
	 * of the earlier sheets an export holds only the acknowledged one's
	 * words (when it is not the latest), kept with its number too. */
	if (add_answers(im, in) < 0 || add_sheet(im, in, in->sheet, &in->advice) < 0 ||
	    (in->ack_advice.count && add_sheet(im, in, in->ack.sheet, &in->ack_advice) < 0) ||
	    add_record(im, in, in->ack.sheet) < 0 || run(im->st[SEEN_PUT]) < 0)
		return -1;
	/* Chained as every audit row is; reports its own failure. */
	if (db_consent_from_answers(im->db, in->client_id, in->id, NULL, &in->answers,
				    in->taken_at, in->staff) < 0)
		return -2;
	struct audit_entry e = {0, in->client_id, in->id, im->at, im->staff, "import", NULL, 0};
	return db_audit_add(im->db, &e) < 0 ? -2 : 0;
}

int db_import_record(struct db_import *im, struct intake *in, long long position,
		     struct import_result *res)
{
	struct db_stmt *find = im->st[FIND];
	int rc;

	memset(res, 0, sizeof *res);
	db_bind_text(find, 1, in->uuid);
	rc = db_step(find);
	if (rc == SQLITE_ROW) {
		rc = import_stored(im, in, position, res);
	} else if (rc == SQLITE_DONE) {
		db_reset(find);
		rc = import_new(im, in, position);
		res->outcome = IMPORT_ADDED;
		res->intake_id = in->id;
	} else {
		rc = -1;
	}
	if (rc == -1)
		db_report(im->db, "cannot import");
	db_reset(find);
	return rc < 0 ? -1 : 0;
}

/* ---- format 3: the course of an intake ---- */

static void bind_session(struct db_stmt *st, const struct session *s)
{
	const char *text[] = {s->performed_on, s->artist, s->areas, s->pigment_brand, s->shade,
			      s->lot, s->lot_expiry, s->needle, s->dilution, s->notes};
	int i = 1;

	db_bind_text(st, i++, s->uuid);
	db_bind_int64(st, i++, s->number);
	for (size_t k = 0; k < sizeof text / sizeof text[0]; k++)
		db_bind_text(st, i++, text[k]);
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
	else
		db_bind_null(st, i);
	i++;
	db_bind_text(st, i++, s->override_reason);
	db_bind_text(st, i++, s->recorded_at);
	db_bind_text(st, i++, s->staff);
}

/* One session: 0 done, 1 refused (res->why), -1 error. */
static int import_session(struct db_import *im, const struct intake *in, const struct session *s,
			  size_t k, struct import_result *res, bool *changed)
{
	struct db_stmt *st = im->st[SESS_FIND];
	long long found = 0, id = 0, intake = 0;
	int rc;

	if (s->aftercare_version) {
		db_bind_int64(im->st[AFTERCARE_HAS], 1, s->aftercare_version);
		if (one_int(im->st[AFTERCARE_HAS], &found) != 1)
			return -1;
		if (!found) {
			snprintf(res->why, sizeof res->why,
				 "sessions[%zu].aftercare_version: the studio's aftercare text version "
				 "%lld is not in this database (config set aftercare_text)",
				 k, s->aftercare_version);
			return 1;
		}
	}
	bind_session(st, s);
	rc = db_step(st);
	if (rc == SQLITE_ROW) {
		id = db_column_int64(st, 0);
		intake = db_column_int64(st, 1);
		found = db_column_int(st, 2) ? 2 : 1;
	}
	db_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	if (rc == SQLITE_DONE) {
		st = im->st[SESS_ADD];
		bind_session(st, s);
		db_bind_int64(st, 26, in->id);
		db_bind_int64(st, 27, in->client_id);
		if (run(st) < 0)
			return -1;
		res->sessions_added++;
		*changed = true;
		return 0;
	}
	if (intake != in->id) {
		snprintf(res->why, sizeof res->why,
			 "sessions[%zu].uuid: session %lld of intake %lld has this uuid (a uuid names "
			 "one session)", k, id, intake);
		return 1;
	}
	if (found == 2)
		return 0;
	res->course = true;
	if (!im->update)
		return 0;
	st = im->st[SESS_SET];
	bind_session(st, s);
	*changed = true;
	return run(st) < 0 ? -1 : 0;
}

/* One photo's metadata: 0 done, 1 refused (res->why), -1 error. */
static int import_photo(struct db_import *im, const struct intake *in,
			const struct import_photo *ph, size_t k, struct import_result *res,
			bool *changed)
{
	struct db_stmt *st = im->st[PHOTO_FIND];
	const struct photo *p = &ph->p;
	long long id = 0, intake = 0;
	bool same_meta = false;
	int rc;

	for (int pass = 0; pass < 2; pass++) {
		db_bind_text(st, 1, p->uuid);
		db_bind_text(st, 2, ph->session_uuid);
		db_bind_text(st, 3, p->view);
		db_bind_text(st, 4, p->media_type);
		db_bind_int64(st, 5, p->size);
		db_bind_text(st, 6, p->sha256);
		db_bind_text(st, 7, p->added_at);
		db_bind_text(st, 8, p->staff);
		if (pass == 0) {
			rc = db_step(st);
			if (rc == SQLITE_ROW) {
				id = db_column_int64(st, 0);
				intake = db_column_int64(st, 1);
				same_meta = db_column_int(st, 2) != 0;
			}
			db_reset(st);
			if (rc == SQLITE_ROW)
				break;
			if (rc != SQLITE_DONE)
				return -1;
			st = im->st[PHOTO_ADD];
			continue;
		}
		db_bind_int64(st, 9, in->client_id);
		db_bind_int64(st, 10, in->id);
		if (run(st) < 0)
			return -1;
		res->photos_added++;
		*changed = true;
		return 0;
	}
	if (intake == in->id && same_meta)
		return 0;
	snprintf(res->why, sizeof res->why,
		 "photos[%zu].uuid: photo %lld has this uuid with other metadata or in another "
		 "intake (a uuid names one image)", k, id);
	return 1;
}

int db_import_course(struct db_import *im, const struct intake *in,
		     const struct import_course *c, struct import_result *res)
{
	bool changed = false;
	int rc = 0;

	for (size_t k = 0; rc == 0 && k < c->sessions; k++)
		rc = import_session(im, in, &c->session[k], k, res, &changed);
	for (size_t k = 0; rc == 0 && k < c->photos; k++)
		rc = import_photo(im, in, &c->photo[k], k, res, &changed);
	for (size_t k = 0; rc == 0 && k < c->consents; k++) {
		const struct import_consent *r = &c->consent[k];
		/* A consent given at the intake is made again from its answers
		 * (db_consent_from_answers()): only later changes are carried. */
		if (r->at_intake)
			continue;
		for (int pass = 0; pass < 2 && rc == 0; pass++) {
			struct db_stmt *st = im->st[pass ? CONSENT_STAGE : CONSENT_SAME];
			long long there = 0;
			db_bind_int64(st, 1, in->client_id);
			db_bind_text(st, 2, r->kind);
			db_bind_text(st, 3, r->value);
			db_bind_text(st, 4, r->at);
			db_bind_text(st, 5, r->staff);
			if (r->at_intake)
				db_bind_int64(st, 6, in->id);
			else
				db_bind_null(st, 6);
			if (pass == 0) {
				if (one_int(st, &there) != 1)
					rc = -1;
				else if (there)
					break;
			} else if (run(st) < 0) {
				rc = -1;
			} else {
				res->consents_added++;
				changed = true;
			}
		}
	}
	if (rc == 1) {
		res->outcome = IMPORT_REFUSED;
		return 0;
	}
	if (rc < 0) {
		db_report(im->db, "cannot import");
		return -1;
	}
	if (res->course && res->outcome == IMPORT_UNCHANGED)
		res->outcome = im->update ? IMPORT_UPDATED : IMPORT_CONFLICT;
	/* A stored intake given more of its course: its own audit row. */
	if (changed && res->outcome != IMPORT_ADDED) {
		struct audit_entry e = {0, in->client_id, in->id, im->at, im->staff, "import", NULL, 0};
		if (db_audit_add(im->db, &e) < 0)
			return -1;
	}
	return 0;
}

int db_import_erased(struct db_import *im, const struct intake *in, char when[11])
{
	struct db_stmt *st = im->st[ERASED_ON];
	int rc;

	/* Bound as db_import_record() binds them; a statement still holding
	 * an earlier record's answer (not read: that record was refused) is
	 * reset first. */
	for (size_t i = 0; i < sizeof probed / sizeof *probed; i++)
		db_reset(im->st[probed[i]]);
	db_bind_text(im->st[FIND], 1, in->uuid);
	db_bind_int64(im->st[MAP_GET], 1, in->client_id);
	db_bind_int64(im->st[CLIENT_OF_SOURCE], 1, in->client_id);
	db_bind_int64(im->st[CLIENT_USED], 1, in->client_id);
	db_bind_int64(im->st[INTAKE_USED], 1, in->id);
	for (size_t i = 0; i < sizeof probed / sizeof *probed; i++)
		if (db_prefetch(im->st[probed[i]]) != SQLITE_OK) {
			db_report(im->db, "cannot import");
			return -1;
		}
	db_bind_text(st, 1, in->uuid);
	rc = db_step(st);
	if (rc == SQLITE_ROW) {
		const char *v = db_column_text(st, 0);
		snprintf(when, 11, "%s", v ? v : "");
		rc = 1;
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		/* On a server, the error of the last record's writes (sent
		 * ahead) may be the one this read brings: the import's. */
		db_report(im->db, "cannot import");
		rc = -1;
	}
	db_reset(st);
	return rc;
}

int db_import_settle(struct db *db)
{
	int log = -1, done = -1;

	if (sqlite3_wal_checkpoint_v2(db->h, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log, &done) !=
		SQLITE_OK ||
	    log != done) {
		db_report(db, "cannot finish the new database");
		return -1;
	}
	return 0;
}
