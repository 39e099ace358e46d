/* db_retention.c - the studio's retention period in storage: when a
 * client was last seen (their newest intake or session), which the period
 * counts from (`erase`; `purge` reads it in db_each_client_before()), and
 * the reason kept with an erasure inside it (`access-log`). */
#include <stdio.h>

#include "db_private.h"

enum db_result db_client_last_seen(struct db *db, long long id, char day[11])
{
	struct db_stmt *st;
	int rc;

	day[0] = '\0';
	if (db_prepare(db, "SELECT substr(" LAST_SEEN ", 1, 10) FROM client c WHERE c.id = ?1",
		       &st) < 0) {
		db_report(db, "cannot read when the client was last seen");
		return DB_ERROR;
	}
	db_bind_int64(st, 1, id);
	rc = db_step(st);
	if (rc == SQLITE_ROW) {
		const char *v = db_column_text(st, 0);
		snprintf(day, 11, "%s", v ? v : "");
		rc = DB_OK;
	} else if (rc == SQLITE_DONE) {
		rc = DB_MISSING;
	} else {
		db_report(db, "cannot read when the client was last seen");
		rc = DB_ERROR;
	}
	db_finalize(st);
	return rc;
}

int db_erasure_reason(struct db *db, long long id, const char *at, char **reason)
{
	struct db_stmt *st;
	int rc;

	*reason = NULL;
	if (db_prepare(db, "SELECT ch.new_value FROM audit a JOIN audit_change ch ON "
			   "ch.audit_id = a.id AND ch.field = 'reason' WHERE a.action = 'erase' "
			   "AND a.client_id = ?1 AND a.intake_id IS NULL AND a.at = ?2 LIMIT 1",
		       &st) < 0) {
		db_report(db, "cannot read the erasure's reason");
		return -1;
	}
	db_bind_int64(st, 1, id);
	db_bind_text(st, 2, at);
	rc = db_step(st);
	if (rc == SQLITE_ROW && !db_column_null(st, 0)) {
		if (!(*reason = db_column_dup(st, 0)))
			rc = SQLITE_NOMEM;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		db_report(db, "cannot read the erasure's reason");
	db_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}
