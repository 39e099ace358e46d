/* db.h - the SQLite file: opening and migrating it, saving and reading
 * intakes.  The only module that speaks SQL. */
#ifndef SMP_DB_H
#define SMP_DB_H

#include <stdbool.h>

#include "advice.h"
#include "questionnaire.h"
#include "settings.h"

/* "SMPI": marks our files in the SQLite header (PRAGMA application_id). */
#define DB_APPLICATION_ID 0x534d5049

struct db;

/* One saved intake.  Strings are owned; free with intake_clear(). */
struct intake {
	long long id;
	long long client_id;
	char uuid[37];
	char *taken_at; /* UTC, YYYY-MM-DDTHH:MM:SSZ */
	char *staff;
	struct answers answers;     /* client details included */
	struct advice_sheet advice; /* as printed when it was saved */
};

void intake_clear(struct intake *in);

/* The database path: path if given, else $SMP_INTAKE_DB, else
 * $XDG_DATA_HOME/smp-intake/intake.db (~/.local/share/... by default).
 * Returns allocated memory, or NULL (reported) on failure. */
char *db_resolve_path(const char *path);

/* Opens (creating when missing, mode 0600) and migrates the database at
 * path.  The default location's folders are created 0700.  Refuses, with
 * the file untouched, a file that is not SQLite, another program's SQLite
 * file, or a newer schema.  Reports why and returns NULL on failure. */
struct db *db_open(const char *path);

/* Closes; accepts NULL. */
void db_close(struct db *db);

/* Reads the studio settings (each checked by settings_set()).  Returns 0,
 * or -1 (reported). */
int db_settings(struct db *db, struct settings *out);

/* Stores one setting, already checked with settings_set().  Returns 0, or
 * -1 (reported). */
int db_setting_store(struct db *db, const char *key, const char *value);

/* Saves in one transaction: the client (a new record, or the existing one
 * with the same names and date of birth), the intake, its answers and its
 * advice.  Sets in->id, in->client_id.  Returns 0, or -1 (reported;
 * nothing saved). */
int db_save_intake(struct db *db, struct intake *in);

/* Loads intake id into *out.  Returns 0, 1 when there is no such intake,
 * or -1 (reported). */
int db_load_intake(struct db *db, long long id, struct intake *out);

/* Calls fn for every intake in id order, from one consistent snapshot,
 * one intake in memory at a time.  Stops at fn's first non-zero result and
 * returns it; returns -1 (reported) on a database error, 0 when done. */
int db_each_intake(struct db *db, int (*fn)(const struct intake *in, void *arg), void *arg);

/* Which intakes db_each_intake_where() visits. */
struct intake_query {
	const char *since, *until; /* YYYY-MM-DD, taken on or after / on or before; NULL: open */
	bool newest_first;
};

/* As db_each_intake(), for the intakes q selects, in q's order. */
int db_each_intake_where(struct db *db, const struct intake_query *q,
			 int (*fn)(const struct intake *in, void *arg), void *arg);

/* One line of `find`. */
struct client_match {
	long long client_id;
	long long last_intake_id;
	const char *first_name, *last_name, *date_of_birth, *last_taken_at;
};

/* What db_find_clients() returns, without a report, for a text with
 * nothing to search for (only punctuation, say): a usage error. */
#define DB_FIND_NOTHING (-2)

/* Calls fn for the clients text finds, newest intake first, at most 200;
 * a client with no intake is never listed.  Case and accents are ignored
 * ("zoe" finds "Zoë", "ZOË" finds "Zoe").  Each blank-separated word of
 * text must be the start of a word of the name ("first last") or of the
 * email; punctuation is never search syntax.  A text of only digits and
 * + - . ( ) / with at least 4 digits is a phone number instead: it finds
 * numbers whose digits start with its digits, with or without the country
 * code or the leading 0 (see schema/004_search.sql).  Returns as
 * db_each_intake (fn should stop with a positive value or -1), or
 * DB_FIND_NOTHING. */
int db_find_clients(struct db *db, const char *text,
		    int (*fn)(const struct client_match *m, void *arg), void *arg);

/* After erasing clients (once their transaction is committed): merges the
 * search index into one segment so that the entries of deleted clients
 * are gone from it, not merely marked deleted; with secure_delete the
 * freed pages are zeroed.  Run wal_checkpoint(TRUNCATE) after it so that
 * the write-ahead log keeps no copy either.  Rewrites the whole index: its
 * time grows with the number of clients.  Returns 0, or -1 (reported). */
int db_search_purge(struct db *db);

/* A write transaction around several calls below (BEGIN IMMEDIATE, so a
 * second staff member waits instead of failing halfway).  Each returns 0,
 * or -1 (reported). */
int db_begin_write(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);

/* A GP's answer as it arrived. */
struct signoff {
	const char *status; /* obtained, pending or declined */
	const char *gp_name, *signed_on, *reference, *staff, *recorded_at;
};

/* Inside db_begin_write(): stores in's GP answers (gp_discussed,
 * gp_signoff, gp_name, gp_signoff_date) as they now are, its advice as a
 * new sheet beside the earlier ones, and the sign-off row.  Returns 0, or
 * -1 (reported). */
int db_save_signoff(struct db *db, const struct intake *in, const struct signoff *s);

/* Calls fn with every intake id (or client id when clients), ascending.
 * Returns as db_each_intake. */
int db_each_id(struct db *db, bool clients, int (*fn)(long long id, void *arg), void *arg);

#endif
