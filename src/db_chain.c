/* db_chain.c - keeping the record whole: the check at every open that the
 * triggers which guard the audit and the access log are there, chaining
 * the audit rows saved before the chain existed, and every check of
 * `smp-intake verify` (db_verify()).  Audit rows are chained as they are
 * written by db_audit_add() (db_audit.c). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "db_private.h"
#include "report.h"
#include "schema.h"

/* The triggers that keep the record fixed.  Without one of them another
 * program could already have rewritten history, and anything written now
 * would be chained to it: writing is refused until the file is restored. */
static const char *const guards[] = {
	"audit_is_fixed",	"audit_change_is_fixed", "audit_kept",
	"audit_change_kept",	"access_log_is_fixed",	 "access_log_kept",
	"audit_removed_link",	"audit_removed_is_fixed", "audit_removed_kept",
	"erased_intake_is_fixed", "erased_intake_kept",
};
#define GUARDS (sizeof guards / sizeof guards[0])

int db_guard_check(struct db *db)
{
	struct db_stmt *st;
	bool found[GUARDS] = { false };
	size_t missing = 0, used = 0;
	int rc;

	if (db_prepare(db, "SELECT name FROM sqlite_schema WHERE type = 'trigger'", &st) < 0) {
		db_report(db, "cannot read the database");
		return -1;
	}
	while ((rc = db_step(st)) == SQLITE_ROW) {
		const char *name = db_column_text(st, 0);
		for (size_t i = 0; name && i < GUARDS; i++)
			if (strcmp(name, guards[i]) == 0)
				found[i] = true;
	}
	db_finalize(st);
	if (rc != SQLITE_DONE) {
		db_report(db, "cannot read the database");
		return -1;
	}
	for (size_t i = 0; i < GUARDS; i++)
		if (!found[i]) {
			missing++;
			used += strlen(guards[i]) + 2;
		}
	if (!missing)
		return 0;
	if (!(db->unguarded = malloc(used))) {
		report("out of memory");
		return -1;
	}
	db->unguarded[0] = '\0';
	for (size_t i = 0; i < GUARDS; i++)
		if (!found[i]) {
			if (db->unguarded[0])
				strcat(db->unguarded, ", ");
			strcat(db->unguarded, guards[i]);
		}
	return db_exec(db, "PRAGMA query_only = ON", "cannot set up the database");
}

void db_chain_close(struct db *db)
{
	if (!db->unguarded || db->guard_told)
		return;
	report("warning: the database '%s' has lost %s (%s), so its record may have been changed "
	       "by another program; nothing can be saved to it (run smp-intake verify, and "
	       "restore a backup)",
	       db->path, strchr(db->unguarded, ',') ? "triggers that protect it"
						    : "a trigger that protects it",
	       db->unguarded);
	db->guard_told = true;
}

/* One audit row as chaining needs it, its text copied (a column's text
 * lasts only until the next step). */
struct row {
	struct audit_entry e;    /* a view: its text is in held, its changes in change */
	struct audit_change *change;
	struct held held;
	char *salt, *prev, *hash;
};

static void row_clear(struct row *r)
{
	free(r->change);
	held_clear(&r->held);
	free(r->salt);
	free(r->prev);
	free(r->hash);
	memset(r, 0, sizeof *r);
}

/* The rows, one at a time after id ?1, with their changes (next_row). */
#define ROW_SQL                                                                          \
	"SELECT id, coalesce(client_id, 0), coalesce(intake_id, 0), at, staff, action, "  \
	"salt, prev_hash, hash FROM audit WHERE id > ?1 ORDER BY id LIMIT 1"
#define CHANGES_SQL \
	"SELECT field, old_value, new_value FROM audit_change WHERE audit_id = ?1 ORDER BY rowid"
/* On a server the order they were written in is seq's (001_schema.sql). */
#define CHANGES_SQL_SERVER \
	"SELECT field, old_value, new_value FROM audit_change WHERE audit_id = ?1 ORDER BY seq"

static const char *text_or_empty(struct held *h, struct db_stmt *st, int col)
{
	const char *v = db_column_text(st, col);

	return held_text(h, v ? v : "");
}

/* Reads the row after id `after` into r (1), or finds none (0); -1 on a
 * database error, -2 out of memory (reported).  A NULL at, staff or
 * action (only another program can store one) reads as "". */
static int next_row(struct db_stmt *rows, struct db_stmt *changes, long long after,
		    struct row *r)
{
	struct audit_change *c = NULL;
	size_t n = 0;
	int rc;

	db_bind_int64(rows, 1, after);
	rc = db_step(rows);
	if (rc != SQLITE_ROW) {
		db_reset(rows);
		return rc == SQLITE_DONE ? 0 : -1;
	}
	r->e.id = db_column_int64(rows, 0);
	r->e.client_id = db_column_int64(rows, 1);
	r->e.intake_id = db_column_int64(rows, 2);
	r->e.at = text_or_empty(&r->held, rows, 3);
	r->e.staff = text_or_empty(&r->held, rows, 4);
	r->e.action = text_or_empty(&r->held, rows, 5);
	r->salt = db_column_dup(rows, 6);
	r->prev = db_column_dup(rows, 7);
	r->hash = db_column_dup(rows, 8);
	db_reset(rows);
	if (!r->e.at || !r->e.staff || !r->e.action)
		goto oom;
	db_bind_int64(changes, 1, r->e.id);
	while ((rc = db_step(changes)) == SQLITE_ROW) {
		struct audit_change *more = realloc(c, (n + 1) * sizeof *c);
		if (!more)
			break;
		c = more;
		c[n++] = (struct audit_change){ db_column_held(&r->held, changes, 0),
						db_column_held(&r->held, changes, 1),
						db_column_held(&r->held, changes, 2) };
		r->e.change = r->change = c;
		r->e.count = n;
		if (!c[n - 1].field ||
		    (!c[n - 1].old_value && !db_column_null(changes, 1)) ||
		    (!c[n - 1].new_value && !db_column_null(changes, 2)))
			break;
	}
	db_reset(changes);
	r->e.change = r->change = c;
	r->e.count = n;
	if (rc == SQLITE_DONE)
		return 1;
	if (rc != SQLITE_ROW)
		return -1;
oom:
	report("out of memory");
	return -2;
}

int db_chain_unchained(struct db *db)
{
	struct db_stmt *rows = NULL, *changes = NULL, *set = NULL;
	struct row r = { 0 };
	char *prev = NULL, salt[CHAIN_SALT_SIZE], hash[CHAIN_HEX_SIZE];
	long long after = 0;
	int rc = -1;

	if (db_prepare(db, ROW_SQL, &rows) < 0 ||
	    db_prepare(db, db_sql(db, CHANGES_SQL, CHANGES_SQL_SERVER), &changes) < 0 ||
	    db_prepare(db, "UPDATE audit SET salt = ?2, prev_hash = ?3, hash = ?4 WHERE id = ?1",
		       &set) < 0)
		goto out;
	/* One row at a time, each read by a statement already reset: the
	 * UPDATE never runs under a statement still walking audit.  Runs once,
	 * in the migration's transaction. */
	while ((rc = next_row(rows, changes, after, &r)) == 1) {
		after = r.e.id;
		if (!r.hash) {
			if (chain_salt(salt) < 0) {
				report("cannot chain the audit trail: the system gives no random "
				       "numbers");
				rc = -2;
				break;
			}
			chain_hash(&r.e, prev, salt, NULL, 0, hash);
			db_bind_int64(set, 1, r.e.id);
			db_bind_text(set, 2, salt);
			db_bind_text(set, 3, prev);
			db_bind_text(set, 4, hash);
			if (db_step_done(set) < 0) {
				rc = -1;
				break;
			}
			if (!(r.hash = strdup(hash))) {
				report("out of memory");
				rc = -2;
				break;
			}
		}
		free(prev);
		prev = r.hash;
		r.hash = NULL;
		row_clear(&r);
	}
out:
	if (rc == -1)
		db_report(db, "cannot chain the audit trail");
	row_clear(&r);
	free(prev);
	db_finalize(rows);
	db_finalize(changes);
	db_finalize(set);
	return rc == 0 ? 0 : -1;
}

/* What verify found, and whom to tell. */
struct verify {
	struct db *db;
	struct verify_summary *sum;
	void (*problem)(const char *line, void *arg);
	void *arg;
	int problems;
};

static void found(struct verify *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void found(struct verify *v, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	v->problem(line, v->arg);
	v->problems++;
}

/* PRAGMA integrity_check: "ok", or one row per fault (at most 100). */
static int check_integrity(struct verify *v)
{
	struct db_stmt *st;
	int rc;

	if (db_prepare(v->db, "PRAGMA integrity_check(100)", &st) < 0)
		return -1;
	while ((rc = db_step(st)) == SQLITE_ROW) {
		const char *msg = db_column_text(st, 0);
		if (msg && strcmp(msg, "ok") != 0)
			found(v, "the file is damaged: %s", msg);
	}
	db_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int check_foreign_keys(struct verify *v)
{
	struct db_stmt *st;
	int rc;

	if (db_prepare(v->db, "PRAGMA foreign_key_check", &st) < 0)
		return -1;
	while ((rc = db_step(st)) == SQLITE_ROW) {
		const char *table = db_column_text(st, 0);
		const char *parent = db_column_text(st, 2);
		/* A table WITHOUT ROWID has no row number to give. */
		if (db_column_null(st, 1))
			found(v, "a row of %s refers to a missing %s row", table ? table : "?",
			      parent ? parent : "?");
		else
			found(v, "%s row %lld refers to a missing %s row", table ? table : "?",
			      (long long)db_column_int64(st, 1), parent ? parent : "?");
	}
	db_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

#define TRIGGERS_SQL "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' ORDER BY name"

/* A server's triggers, each as one digest of what makes it what it is:
 * enabled or not, its definition as the server prints it, and the body of
 * the function it runs (a guard whose function was replaced is changed).
 * Only the triggers on our tables (schema public), in name order. */
#define SERVER_TRIGGERS_SQL                                                                 \
	"SELECT t.tgname, md5(t.tgenabled::text || ' ' || pg_get_triggerdef(t.oid) || ' ' || " \
	"p.prosrc) FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "                    \
	"JOIN pg_class c ON c.oid = t.tgrelid "                                               \
	"WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace "               \
	"ORDER BY t.tgname"

/* What schema/postgresql/001_schema.sql makes, as SERVER_TRIGGERS_SQL
 * reads it, in name order (strcmp's, as the server's for a name).  A
 * server schema that changes a trigger changes this list with it:
 * tests/e2e/test_pg_erasure.py checks it against a database made from
 * the schema file, and prints the list to put here when they differ. */
static const struct server_trigger {
	const char *name, *digest;
} server_triggers[] = {
	{ "access_log_is_fixed", "26f1c78b56edc7414dc7fa2fbd4b2662" },
	{ "access_log_kept", "b20bed0e8cc0ea0e96e7d1f9931ff9fc" },
	{ "access_log_not_emptied", "1045af9409e83f4c73cc28c0d285c69d" },
	{ "audit_change_is_fixed", "048c290c6d42baa0432c518bdb235a28" },
	{ "audit_change_kept", "10351ed91096cdded6694e03f6a8ca94" },
	{ "audit_change_not_emptied", "c16d97e80239b52f6c54115b36c1da8a" },
	{ "audit_is_fixed", "13b2956afb109f4bd07072c94c2149bc" },
	{ "audit_kept", "abf42cfe55d08ffc4c1804d4531eeb67" },
	{ "audit_not_emptied", "d65a86aeb36d2248837f4102a545a19c" },
	{ "audit_removed_is_fixed", "d563916af013586ee4578c51929c4dfd" },
	{ "audit_removed_kept", "a2a1a1b886390b3acb3346d19363fe80" },
	{ "audit_removed_link", "07d3300a7286b26cb93281326e7a5ea4" },
	{ "audit_removed_not_emptied", "c77160083f36350165d8617ca4f6003d" },
	{ "erased_intake_is_fixed", "d97e92d74dce2f2e1fc723000b7451f7" },
	{ "erased_intake_kept", "bea2bbaa41dfa39b7e531cbb5eee7d56" },
	{ "erased_intake_not_emptied", "27ac966740c443ba3638e43f36d68186" },
};
#define SERVER_TRIGGERS (sizeof server_triggers / sizeof server_triggers[0])

/* As check_triggers(), on a server: its triggers against the list above. */
static int check_server_triggers(struct verify *v)
{
	struct db_stmt *st;
	size_t i = 0;
	int rc;

	if (db_prepare(v->db, SERVER_TRIGGERS_SQL, &st) < 0)
		return -1;
	/* Both in name order: a merge. */
	rc = db_step(st);
	while (i < SERVER_TRIGGERS || rc == SQLITE_ROW) {
		const char *want = i < SERVER_TRIGGERS ? server_triggers[i].name : NULL;
		const char *have = rc == SQLITE_ROW ? db_column_text(st, 0) : NULL;
		int cmp = !want ? 1 : !have ? -1 : strcmp(want, have);

		if (cmp < 0) {
			found(v, "the trigger %s is missing", want);
			i++;
		} else if (cmp > 0) {
			found(v, "the trigger %s is not one of smp-intake's", have ? have : "?");
			rc = db_step(st);
		} else {
			const char *digest = db_column_text(st, 1);
			if (!digest || strcmp(digest, server_triggers[i].digest) != 0)
				found(v, "the trigger %s was changed", want);
			i++;
			rc = db_step(st);
		}
	}
	db_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The triggers as this program's migrations make them, in a database of
 * its own in memory (so a migration added later is counted too), against
 * the file's: each missing, changed or foreign one is a problem. */
static int check_triggers(struct verify *v)
{
	sqlite3 *fresh = NULL;
	sqlite3_stmt *mine = NULL; /* in the fresh database, SQLite's own */
	struct db_stmt *file = NULL;
	int rc = -1, a, b;

	if (sqlite3_open_v2(":memory:", &fresh, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		report("cannot verify the database: %s",
		       fresh ? sqlite3_errmsg(fresh) : "out of memory");
		goto out;
	}
	for (int i = 0; i < schema_migration_count; i++)
		if (sqlite3_exec(fresh, schema_migrations[i], NULL, NULL, NULL) != SQLITE_OK) {
			report("cannot verify the database: %s", sqlite3_errmsg(fresh));
			goto out;
		}
	if (sqlite3_prepare_v2(fresh, TRIGGERS_SQL, -1, &mine, NULL) != SQLITE_OK) {
		report("cannot verify the database: %s", sqlite3_errmsg(fresh));
		goto out;
	}
	if (db_prepare(v->db, TRIGGERS_SQL, &file) < 0) {
		db_report(v->db, "cannot verify the database");
		goto out;
	}
	/* Both in name order: a merge. */
	a = sqlite3_step(mine);
	b = db_step(file);
	while (a == SQLITE_ROW || b == SQLITE_ROW) {
		const char *want = a == SQLITE_ROW ? (const char *)sqlite3_column_text(mine, 0) : NULL;
		const char *have = b == SQLITE_ROW ? db_column_text(file, 0) : NULL;
		int cmp = !want ? 1 : !have ? -1 : strcmp(want, have);

		if (cmp < 0) {
			found(v, "the trigger %s is missing", want);
			a = sqlite3_step(mine);
		} else if (cmp > 0) {
			found(v, "the trigger %s is not one of smp-intake's", have ? have : "?");
			b = db_step(file);
		} else {
			const char *ws = (const char *)sqlite3_column_text(mine, 1);
			const char *hs = db_column_text(file, 1);
			if (!ws || !hs || strcmp(ws, hs) != 0)
				found(v, "the trigger %s was changed", want);
			a = sqlite3_step(mine);
			b = db_step(file);
		}
	}
	if (a != SQLITE_DONE)
		report("cannot verify the database: %s", sqlite3_errmsg(fresh));
	else if (b != SQLITE_DONE)
		db_report(v->db, "cannot verify the database");
	else
		rc = 0;
out:
	sqlite3_finalize(mine);
	db_finalize(file);
	sqlite3_close(fresh);
	return rc;
}

/* The links every erasure took in, sorted by prev_hash for bsearch, with
 * the erasure's row they belong to. */
struct links {
	struct removed {
		char *prev, *hash;
		long long erase_id;
		bool used;
	} *item;
	size_t count;
};

static void links_clear(struct links *l)
{
	for (size_t i = 0; i < l->count; i++) {
		free(l->item[i].prev);
		free(l->item[i].hash);
	}
	free(l->item);
	memset(l, 0, sizeof *l);
}

static int by_prev(const void *a, const void *b)
{
	const struct removed *x = a, *y = b;

	return strcmp(x->prev ? x->prev : "", y->prev ? y->prev : "");
}

/* Reads audit_removed; those no erasure took in are a problem at once. */
static int load_links(struct verify *v, struct links *l)
{
	struct db_stmt *st;
	long long orphans = 0;
	int rc;

	if (db_prepare(v->db, "SELECT prev_hash, hash, erase_id FROM audit_removed ORDER BY id",
		       &st) < 0)
		return -1;
	while ((rc = db_step(st)) == SQLITE_ROW) {
		struct removed *more;

		if (db_column_null(st, 2)) {
			orphans++;
			continue;
		}
		if (!(more = realloc(l->item, (l->count + 1) * sizeof *more))) {
			report("out of memory");
			db_finalize(st);
			return -2;
		}
		l->item = more;
		more[l->count++] = (struct removed){ db_column_dup(st, 0), db_column_dup(st, 1),
						     db_column_int64(st, 2), false };
	}
	db_finalize(st);
	if (rc != SQLITE_DONE)
		return -1;
	if (orphans)
		found(v, "%lld audit row%s removed without an erasure", orphans,
		      orphans == 1 ? " was" : "s were");
	if (l->count)
		qsort(l->item, l->count, sizeof *l->item, by_prev);
	return 0;
}

/* The links erasure row id took in, in the order it took them, as the
 * hash covers them (an allocated array; its text held by h). */
static int links_of(struct db *db, long long id, struct held *h, struct chain_link **out,
		    size_t *n)
{
	struct db_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	if (db_prepare(db, "SELECT prev_hash, hash FROM audit_removed WHERE erase_id = ?1 "
			   "ORDER BY id", &st) < 0)
		return -1;
	db_bind_int64(st, 1, id);
	while ((rc = db_step(st)) == SQLITE_ROW) {
		struct chain_link *more = realloc(*out, (*n + 1) * sizeof **out);
		if (!more) {
			report("out of memory");
			rc = SQLITE_NOMEM;
			break;
		}
		*out = more;
		more[*n] = (struct chain_link){ db_column_held(h, st, 0), db_column_held(h, st, 1) };
		(*n)++;
	}
	db_finalize(st);
	if (rc != SQLITE_DONE) {
		held_clear(h);
		free(*out);
		*out = NULL;
		*n = 0;
		return rc == SQLITE_NOMEM ? -2 : -1;
	}
	return 0;
}

static bool same_hash(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Follows the removed rows' links from hash `from` to `to`: true when the
 * gap between two kept rows is exactly rows an erasure covered. */
static bool bridged(struct links *l, const char *from, const char *to)
{
	const char *at = from;

	for (size_t steps = 0; steps <= l->count && !same_hash(at, to); steps++) {
		struct removed key = { (char *)at, NULL, 0, false }, *hit;

		hit = l->count ? bsearch(&key, l->item, l->count, sizeof *l->item, by_prev) : NULL;
		if (!hit || !same_hash(hit->prev, at))
			return false;
		/* bsearch finds any of equal keys; take the first unused. */
		while (hit > l->item && same_hash(hit[-1].prev, at))
			hit--;
		while (hit < l->item + l->count && same_hash(hit->prev, at) && hit->used)
			hit++;
		if (hit == l->item + l->count || !same_hash(hit->prev, at))
			return false;
		hit->used = true;
		at = hit->hash;
	}
	return same_hash(at, to);
}

/* The chain, row by row: each row's hash is that of its values, changes,
 * salt and prev_hash (and, for an erasure, the links it took in), and its
 * prev_hash is the hash of the row before it, or of the last of the rows
 * an erasure removed between them. */
static int check_chain(struct verify *v)
{
	struct db_stmt *rows = NULL, *changes = NULL;
	struct links l = { 0 };
	struct row r = { 0 };
	char *last = NULL, hash[CHAIN_HEX_SIZE];
	bool unknown = false; /* the row before was not chained: no link to check */
	long long after = 0;
	int rc;

	if ((rc = load_links(v, &l)) < 0)
		goto out;
	if (db_prepare(v->db, ROW_SQL, &rows) < 0 ||
	    db_prepare(v->db, db_sql(v->db, CHANGES_SQL, CHANGES_SQL_SERVER), &changes) < 0) {
		rc = -1;
		goto out;
	}
	while ((rc = next_row(rows, changes, after, &r)) == 1) {
		struct chain_link *link = NULL;
		struct held held = { 0 };
		size_t links = 0;

		after = r.e.id;
		v->sum->audit_rows++;
		if (!r.hash) {
			found(v, "audit row %lld is not chained (it has no hash)", r.e.id);
			unknown = true;
		} else {
			if (strcmp(r.e.action, "erase") == 0 &&
			    (rc = links_of(v->db, r.e.id, &held, &link, &links)) < 0)
				break;
			chain_hash(&r.e, r.prev, r.salt, link, links, hash);
			held_clear(&held);
			free(link);
			if (strcmp(hash, r.hash) != 0)
				found(v, "audit row %lld does not match its hash: the row or its "
					 "changes were altered", r.e.id);
			if (!unknown && !same_hash(r.prev, last) && !bridged(&l, last, r.prev))
				found(v, "the audit chain is broken before row %lld: a row was "
					 "removed, added or moved", r.e.id);
			unknown = false;
		}
		free(last);
		last = r.hash;
		r.hash = NULL;
		row_clear(&r);
	}
	if (rc == 0 && last)
		snprintf(v->sum->head, sizeof v->sum->head, "%s", last);
out:
	row_clear(&r);
	free(last);
	links_clear(&l);
	db_finalize(rows);
	db_finalize(changes);
	return rc;
}

/* How far a row's time may fall behind the row before it.  A command
 * reads the clock, then waits for the database (up to the 10-second busy
 * timeout; an export to standard output writes its row at its end), so
 * rows written at once by several terminals can be a little out of time
 * order; a row dated earlier than that was not written when it says. */
#define ACCESS_SLACK_SECONDS 300

/* The access log's rows in the order they were written: no id missing
 * (rows are never removed, and a removed one leaves a gap), and no time
 * well before the latest one of the rows before it. */
/* On a server: the seconds since 1970 of a time of the form the pattern
 * checked (YYYY-MM-DDTHH:MM:SSZ), counted as SQLite's strftime('%s')
 * counts them (a day past the month's end runs into the next month);
 * false, as SQLite's NULL, for a field out of its range. */
static bool seconds_of(const char *t, long long *out)
{
	int y, mo, d, h, mi, sec;

	if (!t || sscanf(t, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec) != 6 ||
	    mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || sec > 59)
		return false;
	/* Days from the civil date (proleptic Gregorian), March-based. */
	long long yy = y - (mo <= 2);
	long long era = (yy >= 0 ? yy : yy - 399) / 400;
	long long yoe = yy - era * 400;
	long long doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	long long days = era * 146097 + doe - 719468;

	*out = days * 86400 + h * 3600LL + mi * 60LL + sec;
	return true;
}

static int check_access_log(struct verify *v)
{
	struct db_stmt *st;
	long long prev_id = 0, latest_id = 0, latest = 0;
	bool server = db_is_server(v->db);
	int rc;

	if (db_prepare(v->db, db_sql(v->db, "SELECT id, CAST(strftime('%s', at) AS INTEGER), "
				     "at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:"
				     "[0-9][0-9]:[0-9][0-9]Z' FROM access_log ORDER BY id",
				     "SELECT id, at, CASE WHEN at ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T"
				     "[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' THEN 1 ELSE 0 END "
				     "FROM access_log ORDER BY id"),
		       &st) < 0)
		return -1;
	while ((rc = db_step(st)) == SQLITE_ROW) {
		long long id = db_column_int64(st, 0);
		long long at = 0;
		bool dated = server ? seconds_of(db_column_text(st, 1), &at)
				    : !db_column_null(st, 1);

		if (!server)
			at = db_column_int64(st, 1);

		v->sum->access_rows++;
		if (id == prev_id + 2)
			found(v, "access log row %lld is missing", prev_id + 1);
		else if (id != prev_id + 1)
			found(v, "access log rows %lld to %lld are missing", prev_id + 1, id - 1);
		prev_id = id;
		if (!dated || !db_column_int(st, 2)) {
			found(v, "access log row %lld has no valid time", id);
			continue;
		}
		if (latest_id && at < latest - ACCESS_SLACK_SECONDS)
			found(v, "access log row %lld is dated before row %lld", id, latest_id);
		if (!latest_id || at >= latest) {
			latest = at;
			latest_id = id;
		}
	}
	db_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int db_verify(struct db *db, struct verify_summary *sum,
	      void (*problem)(const char *line, void *arg), void *arg)
{
	struct verify v = { db, sum, problem, arg, 0 };
	int rc;

	memset(sum, 0, sizeof *sum);
	/* Said by verify itself, line by line. */
	db->guard_told = true;
	if (db_exec(db, "BEGIN", "cannot verify the database") < 0)
		return -1;
	/* One snapshot for every check.  A server checks its own pages
	 * (their checksums, when the cluster has them, as it reads them) and
	 * enforces the foreign keys itself: no integrity_check or
	 * foreign_key_check to run there. */
	if (db_is_server(db))
		rc = check_server_triggers(&v);
	else {
		rc = check_integrity(&v);
		if (rc == 0)
			rc = check_foreign_keys(&v);
		if (rc == 0)
			rc = check_triggers(&v) < 0 ? -2 : 0;
	}
	if (rc == 0)
		rc = check_chain(&v);
	if (rc == 0)
		rc = check_access_log(&v);
	if (rc == -1)
		db_report(db, "cannot verify the database");
	db_exec_rc(db, "COMMIT");
	return rc < 0 ? -1 : v.problems;
}
