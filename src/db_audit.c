/* db_audit.c - the audit trail: who changed what, when, with the values
 * before and after.  The program only ever appends; the schema's triggers
 * refuse any change to a row, and removal except with an erased client. */
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "db_private.h"
#include "report.h"

/* The links of the audit rows an erasure removed that no erasure's row has
 * taken in yet (audit_removed), in *out (allocated; their text held by h). */
static int pending_links(struct db *db, struct held *h, struct chain_link **out, size_t *n)
{
	struct db_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	if (db_prepare(db, "SELECT prev_hash, hash FROM audit_removed WHERE erase_id IS NULL "
			   "ORDER BY id", &st) < 0)
		return -1;
	while ((rc = db_step(st)) == SQLITE_ROW) {
		struct chain_link *more = realloc(*out, (*n + 1) * sizeof **out);
		if (!more)
			break;
		*out = more;
		more[*n] = (struct chain_link){ db_column_held(h, st, 0), db_column_held(h, st, 1) };
		(*n)++;
	}
	db_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* db_audit_add()'s statements, prepared once per connection (an import
 * writes a row per record) and finalized by db_close(). */
enum { TIP, ROW, CHANGE };

static struct db_stmt *kept(struct db *db, int which, const char *sql)
{
	if (!db->chain_st[which] &&
	    db_prepare_kept(db, sql, &db->chain_st[which]) != SQLITE_OK)
		return NULL;
	return db->chain_st[which];
}

/* The last row's id and hash (a copy, or NULL for none or unchained). */
static int chain_tip(struct db *db, long long *id, char **hash)
{
	struct db_stmt *st;
	int rc;

	*id = 0;
	*hash = NULL;
	/* In an import's transaction (it holds the write lock) the last row is
	 * the one append() wrote before: no need to read it back. */
	if (db->bulk && db->tip_hash) {
		*id = db->tip_id;
		return (*hash = strdup(db->tip_hash)) ? 0 : -1;
	}
	if (!(st = kept(db, TIP, "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1")))
		return -1;
	rc = db_step(st);
	if (rc == SQLITE_ROW) {
		*id = db_column_int64(st, 0);
		*hash = db_column_dup(st, 1);
		rc = *hash || db_column_null(st, 1) ? SQLITE_DONE : SQLITE_NOMEM;
	}
	db_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Appends e after the chain's last row: the tip is read inside the write
 * transaction (BEGIN IMMEDIATE), so two writers cannot both follow it.
 * Returns 0, -1 on a database error (not reported), -2 (reported). */
static int append(struct db *db, const struct audit_entry *e)
{
	struct audit_entry row = *e;
	struct chain_link *link = NULL;
	struct held held = { 0 };
	size_t links = 0;
	char *prev = NULL, salt[CHAIN_SALT_SIZE], hash[CHAIN_HEX_SIZE];
	struct db_stmt *st = NULL;
	int rc = -1;

	if (chain_tip(db, &row.id, &prev) < 0 ||
	    (strcmp(e->action, "erase") == 0 && pending_links(db, &held, &link, &links) < 0))
		goto out;
	if (chain_salt(salt) < 0) {
		report("cannot write the audit trail: the system gives no random numbers");
		rc = -2;
		goto out;
	}
	row.id++;
	chain_hash(&row, prev, salt, link, links, hash);
	if (!(st = kept(db, ROW, "INSERT INTO audit (id, at, staff, action, client_id, intake_id, "
				 "salt, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, nullif(?5, 0), "
				 "nullif(?6, 0), ?7, ?8, ?9)")))
		goto out;
	/* In an import (one transaction, one error for all) it goes with the
	 * next statement on a server (db_defer()); elsewhere a lost connection
	 * is told as the audit trail's. */
	db_defer(st, db->bulk);
	db_bind_int64(st, 1, row.id);
	db_bind_text(st, 2, e->at);
	db_bind_text(st, 3, e->staff);
	db_bind_text(st, 4, e->action);
	db_bind_int64(st, 5, e->client_id);
	db_bind_int64(st, 6, e->intake_id);
	db_bind_text(st, 7, salt);
	db_bind_text(st, 8, prev);
	db_bind_text(st, 9, hash);
	if (db_step_done(st) < 0)
		goto out;
	st = NULL;
	if (e->count && !(st = kept(db, CHANGE, "INSERT INTO audit_change (audit_id, field, "
						"old_value, new_value) VALUES (?1, ?2, ?3, ?4)")))
		goto out;
	if (st)
		db_defer(st, db->bulk);
	for (size_t i = 0; i < e->count; i++) {
		db_bind_int64(st, 1, row.id);
		db_bind_text(st, 2, e->change[i].field);
		db_bind_text(st, 3, e->change[i].old_value);
		db_bind_text(st, 4, e->change[i].new_value);
		if (db_step_done(st) < 0)
			goto out;
	}
	st = NULL;
	if (links) {
		if (db_prepare(db, "UPDATE audit_removed SET erase_id = ?1 WHERE erase_id IS NULL",
			       &st) < 0)
			goto out;
		db_bind_int64(st, 1, row.id);
		rc = db_step_done(st);
		db_finalize(st);
		st = NULL;
		if (rc < 0)
			goto out;
	}
	if (db->bulk) {
		free(db->tip_hash);
		db->tip_id = row.id;
		db->tip_hash = strdup(hash);
	}
	rc = 0;
out:
	/* The kept statements are reset, their bindings cleared, by each
	 * step (db_step_done, chain_tip). */
	free(link);
	held_clear(&held);
	free(prev);
	return rc;
}

int db_audit_add(struct db *db, const struct audit_entry *e)
{
	bool own = db_autocommit(db);
	int rc;

	/* Every audit row is written here.  Outside a caller's transaction it
	 * makes its own, so that the tip it follows stays the tip. */
	if (own && db_begin_write(db) < 0)
		return -1;
	rc = append(db, e);
	if (rc == -1)
		db_report(db, "cannot write the audit trail");
	if (own && rc == 0)
		rc = db_commit(db);
	else if (own)
		db_rollback(db);
	return rc < 0 ? -1 : 0;
}

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

int db_audit_answers(struct db *db, const struct audit_entry *e, const struct answers *before,
		     const struct answers *after)
{
	struct audit_change change[sizeof after->value / sizeof after->value[0]];
	struct audit_entry row = *e;

	row.count = 0;
	for (size_t i = 0; i < questionnaire_count; i++) {
		const char *old = before ? before->value[i] : NULL;
		if (!same(old, after->value[i]))
			change[row.count++] = (struct audit_change){ questionnaire[i].id, old,
								     after->value[i] };
	}
	row.change = change;
	return db_audit_add(db, &row);
}

/* Reads the changes of audit row e->id into *buf (grown as needed), their
 * text copied into h (a column's text lasts only until the next step). */
static int read_changes(struct db_stmt *changes, struct audit_entry *e, struct held *h,
			struct audit_change **buf, size_t *cap)
{
	int rc;

	e->count = 0;
	e->change = *buf;
	db_bind_int64(changes, 1, e->id);
	while ((rc = db_step(changes)) == SQLITE_ROW) {
		if (e->count == *cap) {
			size_t n = *cap ? *cap * 2 : 16;
			struct audit_change *grown = realloc(*buf, n * sizeof **buf);
			if (!grown)
				break;
			e->change = *buf = grown;
			*cap = n;
		}
		struct audit_change *c = &(*buf)[e->count++];
		*c = (struct audit_change){ db_column_held(h, changes, 0),
					    db_column_held(h, changes, 1),
					    db_column_held(h, changes, 2) };
		if (!c->field || (!c->old_value && !db_column_null(changes, 1)) ||
		    (!c->new_value && !db_column_null(changes, 2)))
			break;
	}
	db_reset(changes);
	return rc == SQLITE_DONE ? 0 : -1;
}

#define AUDIT_COLUMNS \
	"SELECT id, coalesce(client_id, 0), coalesce(intake_id, 0), at, staff, action FROM audit "

/* Calls fn for each row sql (taking one id) selects, with its changes. */
static int each_audit(struct db *db, const char *sql, long long id,
		      int (*fn)(const struct audit_entry *e, void *arg), void *arg)
{
	struct db_stmt *rows = NULL, *changes = NULL;
	struct audit_change *buf = NULL;
	struct held held = { 0 };
	size_t cap = 0;
	bool own = db_autocommit(db);
	int rc, result = 0;

	if (db_prepare(db, sql, &rows) < 0 ||
	    db_prepare(db, db_sql(db, "SELECT field, old_value, new_value FROM audit_change "
				  "WHERE audit_id = ?1 ORDER BY rowid",
				  "SELECT field, old_value, new_value FROM audit_change "
				  "WHERE audit_id = ?1 ORDER BY seq"), &changes) < 0) {
		db_report(db, "cannot read the audit trail");
		result = -1;
		goto out;
	}
	/* Inside a caller's transaction, read what it sees. */
	if (own && db_exec(db, "BEGIN", "cannot read the audit trail") < 0) {
		result = -1;
		goto out;
	}
	db_bind_int64(rows, 1, id);
	while ((rc = db_step(rows)) == SQLITE_ROW) {
		struct audit_entry e = {
			.id = db_column_int64(rows, 0),
			.client_id = db_column_int64(rows, 1),
			.intake_id = db_column_int64(rows, 2),
			.at = db_column_text(rows, 3),
			.staff = db_column_text(rows, 4),
			.action = db_column_text(rows, 5),
		};
		if (read_changes(changes, &e, &held, &buf, &cap) < 0) {
			held_clear(&held);
			db_report(db, "cannot read the audit trail");
			result = -1;
			break;
		}
		result = fn(&e, arg);
		held_clear(&held);
		if (result != 0)
			break;
	}
	if (result == 0 && rc != SQLITE_DONE) {
		db_report(db, "cannot read the audit trail");
		result = -1;
	}
	if (own)
		db_exec_rc(db, "COMMIT");
out:
	db_finalize(rows);
	db_finalize(changes);
	free(buf);
	return result;
}

int db_each_audit(struct db *db, long long intake_id,
		  int (*fn)(const struct audit_entry *e, void *arg), void *arg)
{
	return each_audit(db, AUDIT_COLUMNS "WHERE intake_id = ?1 OR (action IN ('contact', 'consent') AND "
			      "intake_id IS NULL AND client_id = "
			      "(SELECT client_id FROM intake WHERE id = ?1)) ORDER BY id",
			  intake_id, fn, arg);
}

int db_each_client_audit(struct db *db, long long client_id,
			 int (*fn)(const struct audit_entry *e, void *arg), void *arg)
{
	return each_audit(db, AUDIT_COLUMNS "WHERE client_id = ?1 OR intake_id IN "
			      "(SELECT id FROM intake WHERE client_id = ?1) ORDER BY id",
			  client_id, fn, arg);
}

int db_erased(struct db *db, bool clients, long long id, char **when, char **who)
{
	struct db_stmt *st;
	int rc;

	*when = *who = NULL;
	if (db_prepare(db, clients ? "SELECT at, staff FROM audit WHERE action = 'erase' "
				     "AND client_id = ?1 ORDER BY id LIMIT 1"
				   : "SELECT at, staff FROM audit WHERE action = 'erase' "
				     "AND intake_id = ?1 ORDER BY id LIMIT 1",
		       &st) < 0) {
		db_report(db, "cannot read the audit trail");
		return -1;
	}
	db_bind_int64(st, 1, id);
	rc = db_step(st);
	if (rc == SQLITE_ROW) {
		*when = db_column_dup(st, 0);
		*who = db_column_dup(st, 1);
		rc = *when && *who ? 1 : -1;
		if (rc < 0) {
			free(*when);
			free(*who);
			*when = *who = NULL;
			report("out of memory");
		}
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		db_report(db, "cannot read the audit trail");
		rc = -1;
	}
	db_finalize(st);
	return rc;
}

/* At most this many staff names are offered; a studio has a handful. */
#define STAFF_NAMES_MAX 200

char **db_staff_names(struct db *db)
{
	struct db_stmt *st;
	char **names = calloc(STAFF_NAMES_MAX + 1, sizeof *names);
	size_t n = 0;
	int rc;

	if (!names) {
		report("out of memory");
		return NULL;
	}
	if (db_prepare(db, "SELECT staff FROM intake UNION SELECT staff FROM audit "
			   "ORDER BY 1 LIMIT ?1", &st) < 0) {
		db_report(db, "cannot read the staff names");
		free(names);
		return NULL;
	}
	db_bind_int(st, 1, STAFF_NAMES_MAX);
	while ((rc = db_step(st)) == SQLITE_ROW) {
		if (!(names[n] = db_column_dup(st, 0))) {
			report("out of memory");
			break;
		}
		n++;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		db_report(db, "cannot read the staff names");
	db_finalize(st);
	if (rc != SQLITE_DONE) {
		db_names_free(names);
		return NULL;
	}
	return names;
}

void db_names_free(char **names)
{
	if (!names)
		return;
	for (size_t i = 0; names[i]; i++)
		free(names[i]);
	free(names);
}
