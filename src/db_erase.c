/* db_erase.c - a client's records as a whole: everything stored about one
 * person (a subject access request), erasing all of it so that the audit
 * keeps only that it happened, and finding the clients a retention period
 * has run out for. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_private.h"
#include "report.h"

/* The drafts that hold client ?1's details: those joined to the client,
 * edits of its intakes, and new intakes typed with the same names
 * (folded, as a returning client is recognised: smp_fold() in db_conn.c)
 * before any client was chosen, with the same birth date or none yet (a
 * `new` stopped at "Date of birth" holds the names only).  Needs the
 * client row, so it runs before the row is deleted. */
#define DRAFTS_OF_CLIENT                                                                      \
	"SELECT d.id FROM draft d WHERE d.client_id = ?1 "                                     \
	"OR d.intake_id IN (SELECT id FROM intake WHERE client_id = ?1) "                      \
	"OR (d.intake_id IS NULL AND d.client_id IS NULL AND EXISTS (SELECT 1 FROM client c " \
	"JOIN draft_answer f ON f.draft_id = d.id AND f.question_id = 'first_name' "           \
	"JOIN draft_answer l ON l.draft_id = d.id AND l.question_id = 'last_name' "            \
	"LEFT JOIN draft_answer b ON b.draft_id = d.id AND b.question_id = 'date_of_birth' "   \
	"WHERE c.id = ?1 AND smp_fold(f.value) = smp_fold(c.first_name) "                      \
	"AND smp_fold(l.value) = smp_fold(c.last_name) "                                       \
	"AND (b.value IS NULL OR b.value = c.date_of_birth)))"

#define READING "cannot read the client's records"
#define ERASING "cannot erase the client"
/* Once committed, the erasure stands; what follows only clears the file. */
#define FINISHING                                                                            \
	"erased, but the erased values stay in the file until a later command has room to " \
	"clear them"

/* Each helper below reports its own failure once (SQLite's reason, or out
 * of memory) and returns -1. */

/* Grows *items (of size bytes each) to hold one more than count. */
static int grow(void **items, size_t count, size_t size)
{
	void *more = realloc(*items, (count + 1) * size);

	if (!more) {
		report("out of memory");
		return -1;
	}
	*items = more;
	memset((char *)more + count * size, 0, size);
	return 0;
}

/* The ids sql (taking one id) selects, in *ids (allocated); what names
 * the step in a report. */
static int collect_ids(struct db *db, const char *sql, long long id, long long **ids, size_t *n,
		       const char *what)
{
	struct db_stmt *st;
	int rc;

	*ids = NULL;
	*n = 0;
	if (db_prepare(db, sql, &st) < 0) {
		db_report(db, what);
		return -1;
	}
	db_bind_int64(st, 1, id);
	while ((rc = db_step(st)) == SQLITE_ROW) {
		if (grow((void **)ids, *n, sizeof **ids) < 0)
			break;
		(*ids)[(*n)++] = db_column_int64(st, 0);
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		db_report(db, what);
	db_finalize(st);
	if (rc != SQLITE_DONE) {
		free(*ids);
		*ids = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

/* After a loop over rows: rc is SQLITE_DONE when all were read, SQLITE_ROW
 * when it stopped for want of memory (already reported), else SQLite's
 * error, reported here.  Finalizes st. */
static int rows_done(struct db *db, struct db_stmt *st, int rc)
{
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		db_report(db, READING);
	db_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The client row; 1 when there is none. */
static int load_client_row(struct db *db, long long id, struct subject *out)
{
	struct db_stmt *st;
	int rc;

	if (db_prepare(db, "SELECT " CLIENT_COLUMNS ", created_at FROM client WHERE id = ?1",
		       &st) < 0) {
		db_report(db, READING);
		return -1;
	}
	db_bind_int64(st, 1, id);
	rc = db_step(st);
	if (rc == SQLITE_ROW) {
		out->client_id = id;
		rc = db_column_client(st, 0, &out->client);
		if (rc == 0 && !(out->created_at = db_column_dup(st, CLIENT_FIELDS)))
			rc = -1;
		if (rc < 0)
			report("out of memory");
	} else if (rc == SQLITE_DONE) {
		rc = DB_MISSING;
	} else {
		db_report(db, READING);
		rc = -1;
	}
	db_finalize(st);
	return rc;
}

/* Every advice sheet of it->in, oldest first. */
static int load_sheets(struct db *db, struct subject_intake *it)
{
	struct db_stmt *st;
	int rc;

	if (db_prepare(db, "SELECT sheet, advice_id, text FROM advice_sheet WHERE intake_id = ?1 "
			   "ORDER BY sheet, position", &st) < 0) {
		db_report(db, READING);
		return -1;
	}
	db_bind_int64(st, 1, it->in.id);
	while ((rc = db_step(st)) == SQLITE_ROW) {
		long long number = db_column_int64(st, 0);
		const char *id = db_column_text(st, 1);
		const char *text = db_column_text(st, 2);

		if (!it->sheets || it->sheet[it->sheets - 1].number != number) {
			if (grow((void **)&it->sheet, it->sheets, sizeof *it->sheet) < 0)
				break;
			it->sheet[it->sheets++].number = number;
		}
		struct advice_sheet *sheet = &it->sheet[it->sheets - 1].advice;
		if (id && text && advice_sheet_add(sheet, id, text) < 0) {
			report("out of memory");
			break;
		}
	}
	return rows_done(db, st, rc);
}

/* Every GP answer recorded for it->in, as it arrived (its text held by out). */
static int load_signoffs(struct db *db, struct subject *out, struct subject_intake *it)
{
	struct db_stmt *st;
	int rc;

	if (db_prepare(db, "SELECT status, gp_name, signed_on, reference, staff, recorded_at "
			   "FROM signoff WHERE intake_id = ?1 ORDER BY id", &st) < 0) {
		db_report(db, READING);
		return -1;
	}
	db_bind_int64(st, 1, it->in.id);
	while ((rc = db_step(st)) == SQLITE_ROW) {
		if (grow((void **)&it->signoff, it->signoffs, sizeof *it->signoff) < 0)
			break;
		struct signoff *s = &it->signoff[it->signoffs++];
		*s = (struct signoff){ db_column_held(&out->held, st, 0), db_column_held(&out->held, st, 1),
				       db_column_held(&out->held, st, 2), db_column_held(&out->held, st, 3),
				       db_column_held(&out->held, st, 4), db_column_held(&out->held, st, 5) };
		/* Each column was copied, or is NULL in the row. */
		if ((!s->status && !db_column_null(st, 0)) ||
		    (!s->gp_name && !db_column_null(st, 1)) ||
		    (!s->signed_on && !db_column_null(st, 2)) ||
		    (!s->reference && !db_column_null(st, 3)) ||
		    (!s->staff && !db_column_null(st, 4)) ||
		    (!s->recorded_at && !db_column_null(st, 5))) {
			report("out of memory");
			break;
		}
	}
	return rows_done(db, st, rc);
}

static int load_intakes(struct db *db, struct subject *out)
{
	long long *ids;
	size_t n;
	int rc = 0;

	if (collect_ids(db, "SELECT id FROM intake WHERE client_id = ?1 ORDER BY id",
			out->client_id, &ids, &n, READING) < 0)
		return -1;
	if (n && !(out->intake = calloc(n, sizeof *out->intake))) {
		report("out of memory");
		free(ids);
		return -1;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct subject_intake *it = &out->intake[i];
		/* Inside this read transaction db_load_intake sees the same
		 * snapshot; it reports its own failure. */
		if (db_load_intake(db, ids[i], &it->in) != 0) {
			rc = -1;
			break;
		}
		out->intakes++;
		rc = load_sheets(db, it) < 0 || load_signoffs(db, out, it) < 0 ? -1 : 0;
	}
	free(ids);
	return rc;
}

static int load_drafts(struct db *db, struct subject *out)
{
	long long *ids;
	size_t n;
	int rc = 0;

	if (collect_ids(db, DRAFTS_OF_CLIENT " ORDER BY d.id", out->client_id, &ids, &n,
			READING) < 0)
		return -1;
	if (n && !(out->draft = calloc(n, sizeof *out->draft))) {
		report("out of memory");
		free(ids);
		return -1;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		/* Reports its own failure. */
		rc = db_draft_load(db, ids[i], &out->draft[i]) == 0 ? 0 : -1;
		if (rc == 0)
			out->drafts++;
	}
	free(ids);
	return rc;
}

/* Copies an audit row (its text lasts only for the call) into the subject. */
static int keep_audit(const struct audit_entry *e, void *arg)
{
	struct subject *s = arg;
	struct audit_change *change = NULL;
	struct audit_entry *copy;

	if (grow((void **)&s->audit, s->audits, sizeof *s->audit) < 0)
		return -1;
	copy = &s->audit[s->audits++];
	*copy = *e;
	copy->at = held_text(&s->held, e->at);
	copy->staff = held_text(&s->held, e->staff);
	copy->action = held_text(&s->held, e->action);
	copy->change = NULL;
	copy->count = 0;
	if (e->count && !(change = held_add(&s->held, calloc(e->count, sizeof *change))))
		goto oom;
	copy->change = change;
	for (size_t i = 0; i < e->count; i++) {
		const struct audit_change *c = &e->change[i];
		change[i] = (struct audit_change){ held_text(&s->held, c->field),
						   held_text(&s->held, c->old_value),
						   held_text(&s->held, c->new_value) };
		copy->count++;
		if (!change[i].field || (c->old_value && !change[i].old_value) ||
		    (c->new_value && !change[i].new_value))
			goto oom;
	}
	if (!copy->at || !copy->staff || !copy->action)
		goto oom;
	return 0;
oom:
	report("out of memory");
	return -1;
}

enum db_result db_load_subject(struct db *db, long long id, struct subject *out)
{
	bool own = db_autocommit(db);
	int rc;

	memset(out, 0, sizeof *out);
	/* One read transaction: the records as they were at one moment. */
	if (own && db_exec(db, "BEGIN", "cannot read the client's records") < 0)
		return -1;
	rc = load_client_row(db, id, out);
	if (rc == 0 && (load_intakes(db, out) < 0 || load_drafts(db, out) < 0 ||
			db_each_client_audit(db, id, keep_audit, out) != 0))
		rc = -1;
	if (own)
		db_exec_rc(db, "COMMIT");
	if (rc != 0)
		subject_clear(out);
	return rc;
}


/* Inside the erasure: 0 when client id is there (and, with before, last
 * seen before it), 1 when there is no such client, 2 when seen since. */
static int erasable(struct db *db, long long id, const char *before)
{
	struct db_stmt *st;
	int rc;

	if (db_prepare(db, db_sql(db, "SELECT ?2 IS NULL OR substr(" LAST_SEEN ", 1, 10) < ?2 "
				      "FROM client c WHERE c.id = ?1",
				  "SELECT ?2::text IS NULL OR substr(" LAST_SEEN ", 1, 10) < ?2::text "
				  "FROM client c WHERE c.id = ?1"),
		       &st) < 0) {
		db_report(db, ERASING);
		return -1;
	}
	db_bind_int64(st, 1, id);
	db_bind_text(st, 2, before);
	rc = db_step(st);
	if (rc == SQLITE_ROW) {
		rc = db_column_int(st, 0) ? DB_ERASE_OK : DB_ERASE_KEPT;
	} else if (rc == SQLITE_DONE) {
		rc = DB_ERASE_MISSING;
	} else {
		db_report(db, ERASING);
		rc = -1;
	}
	db_finalize(st);
	return rc;
}

/* The deletions of an erasure, in the order the foreign keys and the audit
 * triggers need: the intakes before the client they point at (their
 * answers, sheets, sign-offs, edit and session drafts go with them: ON
 * DELETE CASCADE), the photos' bytes, the photos and the sessions before
 * the intakes; the audit rows only once the client is gone (the triggers
 * refuse it before), their changes before them.  The erasure rows of an
 * earlier client are never touched (the triggers would refuse). */
static const char *const erase_steps[] = {
	"DELETE FROM draft WHERE id IN (" DRAFTS_OF_CLIENT ")",
	/* The course (migration 012): a session's drafts, the photos' bytes
	 * before their rows, the photos before the sessions, the sessions and
	 * consents before the intakes and the client they point at. */
	"DELETE FROM draft WHERE session_intake_id IN (SELECT id FROM intake WHERE client_id = ?1)",
	"DELETE FROM photo_data WHERE photo_id IN (SELECT id FROM photo WHERE client_id = ?1)",
	"DELETE FROM photo WHERE client_id = ?1",
	"DELETE FROM session WHERE client_id = ?1",
	"DELETE FROM consent WHERE client_id = ?1",
	"DELETE FROM intake WHERE client_id = ?1",
	"DELETE FROM client WHERE id = ?1",
};

/* The client's audit rows, once the client is gone.  On a server the
 * program's role may not delete audit rows (roles.sql): smp_erase_audit()
 * runs as the tables' owner and removes the same rows, no others. */
static const char *const erase_audit_steps[] = {
	("DELETE FROM audit_change WHERE audit_id IN "
	 "(SELECT id FROM audit WHERE client_id = ?1 AND action <> 'erase')"),
	"DELETE FROM audit WHERE client_id = ?1 AND action <> 'erase'",
};

/* Runs sql, which takes the client's id (and, when at is given, the
 * erasure's time as ?2), for id. */
static int exec_for_erasure(struct db *db, const char *sql, long long id, const char *at)
{
	struct db_stmt *st;
	int rc;

	if (db_prepare(db, sql, &st) < 0) {
		db_report(db, ERASING);
		return -1;
	}
	db_bind_int64(st, 1, id);
	if (at)
		db_bind_text(st, 2, at);
	if ((rc = db_step_done(st)) < 0)
		db_report(db, ERASING);
	db_finalize(st);
	return rc;
}

/* Before the intakes go: a tombstone of each, its uuid and when, so that
 * import never brings it back. */
static int keep_tombstones(struct db *db, long long id, const char *at)
{
	return exec_for_erasure(db, db_sql(db, "INSERT OR IGNORE INTO erased_intake (uuid, erased_at) "
					       "SELECT uuid, ?2 FROM intake WHERE client_id = ?1",
					   "INSERT INTO erased_intake (uuid, erased_at) "
					   "SELECT uuid, ?2::text FROM intake WHERE client_id = ?1 "
					   "ON CONFLICT DO NOTHING"),
				id, at);
}

/* smp_erase_audit(id) on a server: one row, its count of removed rows. */
static int erase_audit_on_server(struct db *db, long long id)
{
	struct db_stmt *st;
	int rc;

	if (db_prepare(db, "SELECT smp_erase_audit(?1)", &st) < 0) {
		db_report(db, ERASING);
		return -1;
	}
	db_bind_int64(st, 1, id);
	rc = db_step(st);
	if (rc == SQLITE_ROW)
		rc = db_step(st);
	if (rc != SQLITE_DONE)
		db_report(db, ERASING);
	db_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Every deletion of erase_steps, then of erase_audit_steps. */
static int delete_records(struct db *db, long long id)
{
	for (size_t i = 0; i < sizeof erase_steps / sizeof erase_steps[0]; i++)
		if (exec_for_erasure(db, erase_steps[i], id, NULL) < 0)
			return -1;
	if (db_is_server(db))
		return erase_audit_on_server(db, id);
	for (size_t i = 0; i < sizeof erase_audit_steps / sizeof erase_audit_steps[0]; i++)
		if (exec_for_erasure(db, erase_audit_steps[i], id, NULL) < 0)
			return -1;
	return 0;
}

/* The search index marks the client's words deleted (the trigger on
 * client); merging it drops them from its pages, which secure_delete
 * zeroes.  Inside the erasure's transaction, so that a kill or a full
 * disk cannot leave them behind a committed erasure. */
static int merge_search_index(struct db *db)
{
	/* A server's name search is a trigram index over the client table:
	 * its entries go with the row, and VACUUM (db_erase_finish) frees
	 * them. */
	return db_is_server(db) ? 0 : db_search_purge(db);
}

/* What the erasure still owes once committed (the log cleared, and the
 * index merged unless merged): finished by db_erase_finish(). */
static int mark_pending(struct db *db, long long id, const char *at, bool merged)
{
#define PENDING_ON_SERVER(merged)                                                       \
	"INSERT INTO erase_pending (client_id, erased_at, search_merged) "                \
	"VALUES (?1, ?2::text, " merged ") ON CONFLICT (client_id) DO UPDATE SET "        \
	"erased_at = excluded.erased_at, search_merged = excluded.search_merged"
	return exec_for_erasure(db, merged ? db_sql(db, "INSERT OR REPLACE INTO erase_pending (client_id, "
							"erased_at, search_merged) VALUES (?1, ?2, 1)",
						    PENDING_ON_SERVER("1"))
					   : db_sql(db, "INSERT OR REPLACE INTO erase_pending (client_id, "
							"erased_at, search_merged) VALUES (?1, ?2, 0)",
						    PENDING_ON_SERVER("0")),
				id, at);
#undef PENDING_ON_SERVER
}

enum db_erase_result db_erase_client(struct db *db, long long id, const char *before, const char *staff,
		    const char *at, bool merge, size_t *intakes)
{
	return db_erase_client_reason(db, id, before, staff, at, merge, NULL, intakes);
}

enum db_erase_result db_erase_client_reason(struct db *db, long long id, const char *before,
					    const char *staff, const char *at, bool merge,
					    const char *reason, size_t *intakes)
{
	/* The reason (an erasure inside the retention period) on each row. */
	struct audit_change why = { "reason", NULL, reason };
	struct audit_entry e = { 0, id, 0, at, staff, "erase", reason ? &why : NULL, reason ? 1 : 0 };
	char client[24];
	struct access_entry access = { 0, at, staff, "erase", client };
	long long *ids = NULL;
	size_t n = 0;
	int rc;

	*intakes = 0;
	if (db_begin_write(db) < 0)
		return -1;
	if ((rc = erasable(db, id, before)) != 0)
		goto out;
	rc = -1;
	if (collect_ids(db, "SELECT id FROM intake WHERE client_id = ?1 ORDER BY id", id, &ids, &n,
			ERASING) < 0)
		goto out;
	if (keep_tombstones(db, id, at) < 0 || delete_records(db, id) < 0 ||
	    (merge && merge_search_index(db) < 0) || mark_pending(db, id, at, merge) < 0)
		goto out;
	/* What is left: that it happened, when and by whom; no values. */
	for (size_t i = 0; i <= n; i++) {
		e.intake_id = i < n ? ids[i] : 0;
		if (db_audit_add(db, &e) < 0)
			goto out;
	}
	/* The access log's row, with the id only: an erasure that cannot be
	 * logged does not happen. */
	snprintf(client, sizeof client, "%lld", id);
	if (db_access_add(db, &access) < 0)
		goto out;
	/* Failing, it is rolled back: nothing erased, and the report says so. */
	if (db_exec(db, "COMMIT", ERASING) < 0)
		goto out;
	*intakes = n;
	rc = 0;
out:
	db_rollback(db);
	free(ids);
	return rc;
}

/* 1 when some erasure is owed its finish (an index merge too, when
 * unmerged), 0 when none, -1 on failure (reported unless quiet). */
static int pending(struct db *db, bool unmerged, bool quiet)
{
	struct db_stmt *st;
	int rc;

	if (db_prepare(db, unmerged ? "SELECT EXISTS (SELECT 1 FROM erase_pending "
				      "WHERE search_merged = 0)"
				    : "SELECT EXISTS (SELECT 1 FROM erase_pending)",
		       &st) < 0) {
		if (!quiet)
			db_report(db, FINISHING);
		return -1;
	}
	rc = db_step(st);
	if (rc == SQLITE_ROW)
		rc = db_column_int(st, 0) ? 1 : 0;
	else {
		if (!quiet)
			db_report(db, FINISHING);
		rc = -1;
	}
	db_finalize(st);
	return rc;
}

/* The log checked into the file and cut to nothing.  0, 1 when another
 * connection's read kept it from finishing, -1 (reported unless quiet). */
static int clear_log(struct db *db, bool quiet)
{
	int rc = sqlite3_wal_checkpoint_v2(db->h, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);

	if (rc == SQLITE_OK)
		return 0;
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		return DB_FINISH_DEFERRED;
	if (!quiet)
		db_report(db, FINISHING);
	return -1;
}

/* Runs sql without rows; -1 on failure (reported unless quiet). */
static int run_sql(struct db *db, const char *sql, bool quiet)
{
	if (db_exec_rc(db, sql) == SQLITE_OK)
		return 0;
	if (!quiet)
		db_report(db, FINISHING);
	return -1;
}

/* The index merged for the erasures that did not merge it themselves. */
static int merge_owed(struct db *db, bool quiet)
{
	int rc = pending(db, true, quiet);

	if (rc <= 0)
		return rc;
	if (run_sql(db, "BEGIN IMMEDIATE", quiet) < 0)
		return -1;
	if (run_sql(db, "INSERT INTO client_search (client_search) VALUES ('optimize'); "
			      "UPDATE erase_pending SET search_merged = 1",
			  quiet) < 0 ||
	    run_sql(db, "COMMIT", quiet) < 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

/* Finishes what erasures owe: the index merged, then the log cleared (the
 * frames of the erased pages are checked into the file, where
 * secure_delete has zeroed them, and the file is cut to nothing), then
 * the pending rows dropped and the log cleared again. */
static int finish(struct db *db, bool quiet)
{
	int rc = pending(db, false, quiet);

	if (rc < 0)
		return -1;
	if (rc == 1 && merge_owed(db, quiet) < 0)
		return -1;
	if ((rc = clear_log(db, quiet)) != 0)
		return rc;
	/* Not a row another terminal's purge has added since the merge: its
	 * index is still owed. */
	if (run_sql(db, "DELETE FROM erase_pending WHERE search_merged = 1", quiet) < 0)
		return -1;
	/* Only the pending table's page is in the log now: no value. */
	return clear_log(db, quiet);
}

/* The tables an erasure deletes from (their TOAST tables and indexes go
 * with them). */
#define ERASED_TABLES                                                                    \
	"client, intake, answer, advice_sheet, signoff, draft, draft_answer, "            \
	"acknowledgement, flag_clearance, session, photo, photo_data, consent, audit, "   \
	"audit_change"

/* On a server a deleted row stays in its table's and indexes' files as a
 * dead tuple: a plain VACUUM (and autovacuum) marks its space free for
 * reuse but leaves its bytes there until a later row overwrites them;
 * VACUUM FULL writes each table and its indexes into new files and the
 * old files go (docs/server.md, "What erasure means on a server").  Only
 * the tables' owner may VACUUM them (PostgreSQL 15), outside a
 * transaction, and a non-owner's VACUUM only warns and skips them.  So
 * the program runs VACUUM FULL when its role owns every erased table;
 * else (roles.sql's setup) the rows of erase_pending stay: the owner's
 * scheduled job runs the same VACUUM FULL and removes the rows it
 * covered.  No WAL checkpoint and no search index merge: the server's WAL
 * is its own, and its search index is rewritten by the same VACUUM FULL.
 * (Another session's transaction is seen in pg_stat_activity by a
 * superuser or a member of pg_read_all_stats: the owner the setup uses.)
 * Returns DB_FINISH_OK whether it could or not: the erasure stands
 * (erase_pending says what is owed). */
static int finish_on_server(struct db *db, bool quiet)
{
	long long owner = 0, alone = 0, *owed = NULL;
	size_t n = 0;
	int rc = 0;

	if (db_query_int(db, "SELECT CASE WHEN bool_and(pg_has_role(relowner, 'USAGE')) "
			     "THEN 1 ELSE 0 END FROM pg_class WHERE oid = ANY (ARRAY['"
			     "client', 'intake', 'answer', 'advice_sheet', 'signoff', 'draft', "
			     "'draft_answer', 'acknowledgement', 'flag_clearance', 'session', "
			     "'photo', 'photo_data', 'consent', 'audit', "
			     "'audit_change']::regclass[])",
			 &owner) < 0) {
		if (!quiet)
			db_report(db, FINISHING);
		return -1;
	}
	if (!owner)
		return 0;
	/* The rows owed before the VACUUM: an erasure committed while it ran
	 * is left for the next. */
	if (collect_ids(db, "SELECT client_id FROM erase_pending WHERE ?1::bigint IS NOT NULL",
			0, &owed, &n, FINISHING) < 0)
		return -1;
	/* VACUUM FULL copies a deleted row that a transaction still running
	 * anywhere on the server might see (another database's CREATE
	 * DATABASE kept it in the tests; a pg_dump's snapshot would too):
	 * what is owed is dropped only when none was running before it. */
	if (n && db_query_int(db, "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_stat_activity "
				  "WHERE pid <> pg_backend_pid() AND (backend_xid IS NOT NULL "
				  "OR backend_xmin IS NOT NULL)) THEN 0 ELSE 1 END",
			      &alone) < 0) {
		if (!quiet)
			db_report(db, FINISHING);
		rc = -1;
	}
	if (n && rc == 0 && run_sql(db, "VACUUM FULL " ERASED_TABLES, quiet) < 0)
		rc = -1;
	for (size_t i = 0; i < n && rc == 0 && alone; i++)
		if (exec_for_erasure(db, "DELETE FROM erase_pending WHERE client_id = ?1", owed[i],
				     NULL) < 0)
			rc = -1;
	free(owed);
	return rc;
}

enum db_finish_result db_erase_finish(struct db *db)
{
	return db_is_server(db) ? finish_on_server(db, false) : finish(db, false);
}

void db_erase_resume(struct db *db)
{
	/* Quietly, and without waiting on another terminal: the command that
	 * opened the file goes on either way, and the next open tries again. */
	if (db_is_server(db) || db_readonly(db) != 0 || pending(db, false, true) != 1)
		return;
	sqlite3_busy_timeout(db->h, 0);
	finish(db, true);
	sqlite3_busy_timeout(db->h, DB_BUSY_TIMEOUT_MS);
}

int db_erase_pending(struct db *db, long long id)
{
	struct db_stmt *st;
	int rc;

	if (db_prepare(db, "SELECT 1 FROM erase_pending WHERE client_id = ?1", &st) < 0) {
		db_report(db, "cannot finish the erasure");
		return -1;
	}
	db_bind_int64(st, 1, id);
	rc = db_step(st);
	if (rc == SQLITE_ROW)
		rc = 1;
	else if (rc == SQLITE_DONE)
		rc = 0;
	else {
		db_report(db, "cannot finish the erasure");
		rc = -1;
	}
	db_finalize(st);
	return rc;
}

int db_each_client_before(struct db *db, const char *before,
			  int (*fn)(const struct client_match *m, void *arg), void *arg)
{
	struct db_stmt *st;

	/* A server's WHERE cannot name a column of the SELECT: the same rows
	 * through a subquery. */
	if (db_prepare(db, db_sql(db, "SELECT c.id, coalesce((SELECT max(id) FROM intake "
				      "WHERE client_id = c.id), 0), c.first_name, c.last_name, "
				      "c.date_of_birth, " LAST_SEEN " AS seen FROM client c "
				      "WHERE substr(seen, 1, 10) < ?1 ORDER BY seen, c.id",
				  "SELECT * FROM (SELECT c.id, coalesce((SELECT max(id) FROM intake "
				  "WHERE client_id = c.id), 0), c.first_name, c.last_name, "
				  "c.date_of_birth, " LAST_SEEN " AS seen FROM client c) s "
				  "WHERE substr(seen, 1, 10) < ?1::text ORDER BY seen, id"),
		       &st) < 0) {
		db_report(db, "cannot look for old records");
		return -1;
	}
	db_bind_text(st, 1, before);
	return db_each_match(db, st, "cannot look for old records", fn, arg);
}
