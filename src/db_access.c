/* db_access.c - the access log: who read or took out whose record (every
 * command that prints a client's data), with client ids only.  The program only ever
 * appends; the schema's triggers refuse any change or removal. */
#include "db_private.h"
#include "idset.h"
#include "report.h"

int db_access_add(struct db *db, const struct access_entry *e)
{
	struct db_stmt *st = NULL;
	int rc = -1;

	/* Alone, one INSERT is a transaction of its own; inside a caller's
	 * write transaction it stands or falls with it. */
	if (db_prepare(db, "INSERT INTO access_log (at, staff, command, clients) "
			   "VALUES (?1, ?2, ?3, ?4)", &st) == 0) {
		db_bind_text(st, 1, e->at);
		db_bind_text(st, 2, e->staff);
		db_bind_text(st, 3, e->command);
		db_bind_text(st, 4, e->clients);
		rc = db_step_done(st);
	}
	if (rc < 0)
		db_report(db, "cannot record this in the access log");
	db_finalize(st);
	return rc;
}

int db_access_writable(struct db *db)
{
	if (db_readonly(db) == 1) {
		report("cannot record this in the access log: the database '%s' is read-only "
		       "(check the file's permissions)",
		       db->path);
		return -1;
	}
	return 0;
}

int db_each_access(struct db *db, const struct access_query *q,
		   int (*fn)(const struct access_entry *e, void *arg), void *arg)
{
	struct db_stmt *st;
	int rc, result = 0;

	/* A day's rows start with the day: "2026-03-01T..." >= "2026-03-01". */
	if (db_prepare(db, db_sql(db, "SELECT id, at, staff, command, clients FROM access_log "
				      "WHERE ?1 IS NULL OR at >= ?1 ORDER BY id",
				  "SELECT id, at, staff, command, clients FROM access_log "
				  "WHERE ?1::text IS NULL OR at >= ?1::text ORDER BY id"),
		       &st) < 0) {
		db_report(db, "cannot read the access log");
		return -1;
	}
	db_bind_text(st, 1, q->since);
	while ((rc = db_step(st)) == SQLITE_ROW) {
		struct access_entry e = {
			.id = db_column_int64(st, 0),
			.at = db_column_text(st, 1),
			.staff = db_column_text(st, 2),
			.command = db_column_text(st, 3),
			.clients = db_column_text(st, 4),
		};
		/* The columns are NOT NULL: NULL here is SQLite out of memory. */
		if (!e.at || !e.staff || !e.command || !e.clients) {
			rc = SQLITE_NOMEM;
			break;
		}
		/* A clients text that cannot be read (written by another
		 * program) is shown rather than hidden: this is an audit. */
		if (q->client && idset_text_has(e.clients, q->client) == 0)
			continue;
		if ((result = fn(&e, arg)) != 0)
			break;
	}
	if (result == 0 && rc != SQLITE_DONE) {
		if (rc == SQLITE_NOMEM)
			report("cannot read the access log: out of memory");
		else
			db_report(db, "cannot read the access log");
		result = -1;
	}
	db_finalize(st);
	return result;
}
