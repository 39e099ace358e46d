/* db_migrate.c - `smp-intake migrate`: a studio's whole record copied,
 * row for row, from one database to another (an SQLite file and a
 * PostgreSQL server, either way), in one transaction of the target's.
 * Every table goes, with its numbers: the audit trail and its chain, the
 * access log, the photos' bytes, the settings, the drafts, the erasures'
 * tombstones.  The tables are written parents first, each in its key's
 * order, so that the foreign keys hold at every row and the audit
 * changes keep their order (SQLite's rowid, a server's seq).  Calls
 * db_conn.c (the statement layer) and db_pg.c, nothing above. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_private.h"
#include "report.h"

/* The tables, parents first, with their columns (the same on both
 * backends: tests/e2e/test_pg_schema.py) and their order. */
static const struct {
	const char *table, *columns, *order;
} tables[] = {
	{ "setting", "key, value", "key" },
	{ "client", "id, first_name, last_name, date_of_birth, phone, email, created_at", "id" },
	{ "intake", "id, uuid, client_id, taken_at, staff, revision, questionnaire_version, "
		    "advice_version, acknowledged_sheet", "id" },
	{ "answer", "intake_id, question_id, value", "intake_id, question_id" },
	{ "advice_sheet", "intake_id, sheet, position, advice_id, text",
	  "intake_id, sheet, position" },
	{ "signoff", "id, intake_id, status, gp_name, signed_on, reference, recorded_at, staff",
	  "id" },
	{ "acknowledgement", "intake_id, sheet, typed_name, at, staff", "intake_id, sheet" },
	{ "flag_clearance", "intake_id, flag_id, reason, at, staff", "intake_id, flag_id" },
	{ "draft", "id, intake_id, base_revision, client_id, next_question, started_at, "
		   "updated_at, staff, session_intake_id", "id" },
	{ "draft_answer", "draft_id, question_id, value", "draft_id, question_id" },
	{ "aftercare", "version, text, set_at, staff", "version" },
	{ "session", "id, uuid, intake_id, client_id, number, performed_on, artist, areas, "
		     "pigment_brand, shade, lot, lot_expiry, needle, dilution, notes, patch_test, "
		     "reaction, reaction_note, reaction_at, rescreen, intake_revision, id_checked, "
		     "countersigned, client_ack, aftercare_version, override_reason, recorded_at, "
		     "staff", "id" },
	{ "photo", "id, uuid, client_id, intake_id, session_id, view, media_type, size, sha256, "
		   "added_at, staff", "id" },
	{ "photo_data", "photo_id, data", "photo_id" },
	{ "consent", "id, client_id, kind, value, intake_id, at, staff", "id" },
	{ "audit", "id, at, staff, action, client_id, intake_id, salt, prev_hash, hash", "id" },
	/* The changes' order is SQLite's rowid, a server's seq. */
	{ "audit_change", "audit_id, field, old_value, new_value", NULL },
	{ "audit_removed", "id, prev_hash, hash, erase_id", "id" },
	{ "access_log", "id, at, staff, command, clients", "id" },
	{ "erased_intake", "uuid, erased_at", "uuid" },
	{ "erase_pending", "client_id, erased_at, search_merged", "client_id" },
};
#define TABLES (sizeof tables / sizeof tables[0])

/* The tables whose rows say the target is in use: any row refuses it. */
static const char *const in_use[] = { "client", "intake", "audit", "access_log", "draft",
				      "erased_intake", "aftercare" };

static int count_rows(struct db *db, const char *table, long long *n)
{
	char sql[80];

	snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
	return db_query_int(db, sql, n);
}

int db_migrate_target_owned(struct db *db)
{
	long long owner = 1;

	/* Numbers written as they are, the erasures' links, the identity
	 * sequences moved past them: what roles.sql keeps from the program's
	 * role, and the tables' owner may do. */
	if (db_is_server(db) &&
	    db_query_int(db, "SELECT CASE WHEN bool_and(pg_has_role(relowner, 'USAGE')) THEN 1 "
			     "ELSE 0 END FROM pg_class WHERE relnamespace = "
			     "current_schema()::regnamespace AND relkind IN ('r', 'S')",
			 &owner) < 0) {
		db_report(db, "cannot read the target database");
		return -1;
	}
	return owner ? 1 : 0;
}

int db_migrate_target_empty(struct db *db)
{
	for (size_t i = 0; i < sizeof in_use / sizeof in_use[0]; i++) {
		long long n;
		if (count_rows(db, in_use[i], &n) < 0) {
			db_report(db, "cannot read the target database");
			return -1;
		}
		if (n > 0)
			return 0;
	}
	return 1;
}

/* Binds column col of the source's row as parameter col + 1. */
static int bind_column(struct db_stmt *to, struct db_stmt *from, int col)
{
	switch (db_column_type(from, col)) {
	case SQLITE_NULL:
		return db_bind_null(to, col + 1);
	case SQLITE_INTEGER:
		return db_bind_int64(to, col + 1, db_column_int64(from, col));
	case SQLITE_BLOB:
		return db_bind_blob(to, col + 1, db_column_blob(from, col), db_column_bytes(from, col));
	default:
		return db_bind_text(to, col + 1, db_column_text(from, col));
	}
}

/* Copies one table; *rows is how many went. */
static int copy_table(struct db *from, struct db *to, size_t t, long long *rows)
{
	char select[1024], insert[1400], *p;
	struct db_stmt *src = NULL, *dst = NULL;
	int columns = 1, rc = 0, step;
	size_t left;

	for (const char *c = tables[t].columns; *c; c++)
		columns += *c == ',';
	snprintf(select, sizeof select, "SELECT %s FROM %s ORDER BY %s", tables[t].columns,
		 tables[t].table,
		 tables[t].order ? tables[t].order : db_sql(from, "rowid", "seq"));
	p = insert + snprintf(insert, sizeof insert, "INSERT INTO %s (%s) VALUES (",
			      tables[t].table, tables[t].columns);
	left = sizeof insert - (size_t)(p - insert);
	for (int i = 0; i < columns; i++) {
		int n = snprintf(p, left, "%s?%d", i ? ", " : "", i + 1);
		p += n;
		left -= (size_t)n;
	}
	snprintf(p, left, ")");
	*rows = 0;
	if (db_prepare(from, select, &src) < 0) {
		db_report(from, "cannot read the source database");
		return -1;
	}
	if (db_prepare(to, insert, &dst) < 0) {
		db_report(to, "cannot write the target database");
		db_finalize(src);
		return -1;
	}
	while ((step = db_step(src)) == SQLITE_ROW) {
		for (int i = 0; i < columns && rc == 0; i++)
			if (bind_column(dst, src, i) != SQLITE_OK)
				rc = -1;
		if (rc < 0 || db_step_done(dst) < 0) {
			db_report(to, "cannot write the target database");
			rc = -1;
			break;
		}
		++*rows;
	}
	if (rc == 0 && step != SQLITE_DONE) {
		db_report(from, "cannot read the source database");
		rc = -1;
	}
	db_finalize(src);
	db_finalize(dst);
	return rc;
}

int db_migrate_copy(struct db *from, struct db *to, long long *clients, long long *intakes)
{
	long long rows, n;
	int rc = -1;

	*clients = *intakes = 0;
	/* The target's settings are its defaults, replaced by the source's. */
	if (db_exec(to, "BEGIN IMMEDIATE", "cannot write the target database") < 0)
		return -1;
	if (db_exec(from, "BEGIN", "cannot read the source database") < 0)
		goto out;
	if (db_exec(to, "DELETE FROM setting", "cannot write the target database") < 0)
		goto out;
	for (size_t t = 0; t < TABLES; t++) {
		if (copy_table(from, to, t, &rows) < 0)
			goto out;
		/* Every row arrived: counted again on the target. */
		if (count_rows(to, tables[t].table, &n) < 0 || n != rows) {
			report("cannot migrate: the target holds %lld rows of %s, the source %lld; "
			       "nothing is migrated",
			       n, tables[t].table, rows);
			goto out;
		}
		if (strcmp(tables[t].table, "client") == 0)
			*clients = rows;
		else if (strcmp(tables[t].table, "intake") == 0)
			*intakes = rows;
	}
	/* A server numbers its new rows from its identity sequences: past
	 * every number copied. */
	if (db_is_server(to) && db_pg_settle_identities(to) != SQLITE_OK) {
		db_report(to, "cannot write the target database");
		goto out;
	}
	if (db_exec(to, "COMMIT", "cannot save the migration") < 0)
		goto out;
	rc = 0;
out:
	db_rollback(to);
	db_exec_rc(from, "COMMIT");
	return rc;
}
