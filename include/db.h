/* db.h - the storage API: opening the SQLite file, and saving and reading
 * the records of intake.h.  Only db*.c speak SQL (src/db_private.h is
 * their shared inside). */
#ifndef SMP_DB_H
#define SMP_DB_H

#include <stdbool.h>

#include "intake.h"
#include "settings.h"

/* "SMPI": marks our files in the SQLite header (PRAGMA application_id). */
#define DB_APPLICATION_ID 0x534d5049

struct db;

/* What a function that finds, loads or changes one record returns, where
 * more than success or failure can happen.  Each function says which of
 * these it returns and what they mean for it. */
enum db_result {
	DB_ERROR = -1,   /* failed, and reported */
	DB_OK = 0,
	DB_MISSING = 1,  /* no such record (or it went meanwhile): nothing done */
	DB_CONFLICT = 2, /* the record is not as the caller saw it: nothing saved */
};

/* What db_erase_client() returns. */
enum db_erase_result {
	DB_ERASE_ERROR = -1,  /* failed, and reported; nothing erased */
	DB_ERASE_OK = 0,      /* erased */
	DB_ERASE_MISSING = 1, /* no such client */
	DB_ERASE_KEPT = 2,    /* seen since the date given: not erased */
};

/* What db_erase_finish() returns. */
enum db_finish_result {
	DB_FINISH_ERROR = -1,   /* failed, and reported: the next open tries again */
	DB_FINISH_OK = 0,       /* done */
	DB_FINISH_DEFERRED = 1, /* another connection's read kept it from finishing */
};

/* The database path: path if given, else $SMP_INTAKE_DB, else
 * $XDG_DATA_HOME/smp-intake/intake.db (~/.local/share/... by default),
 * whose folders are created 0700 when make_folder.  Returns allocated
 * memory, or NULL (reported) on failure. */
char *db_resolve_path(const char *path, bool make_folder);

/* Whether location (--db or $SMP_INTAKE_DB) names a PostgreSQL server
 * (postgresql:// or postgres://, as libpq's URIs) rather than a file: not
 * supported yet (docs/server.md), and never to be opened as a file name. */
bool db_location_is_server(const char *location);

/* Whether a server's URI carries a password (user:password@ or
 * password=): refused, libpq's own means (~/.pgpass, PGPASSWORD) only. */
bool db_server_has_password(const char *uri);

/* Reports that command does not work on a server yet (one line). */
void db_report_server(const char *command);

/* Opens (creating when missing, mode 0600) and migrates the database at
 * path.  The default location's folders are created 0700.  Refuses, with
 * the file untouched, a file that is not SQLite, another program's SQLite
 * file, or a newer schema.  Reports why and returns NULL on failure. */
struct db *db_open(const char *path);

/* As db_open(), but a missing file is created only when may_create;
 * otherwise it is reported (db_report_missing()) and nothing is created. */
struct db *db_open_mode(const char *path, bool may_create);

/* Why db cannot be written here ("a read-only file system", "check the
 * file's permissions", ...), or NULL when it can.  A database that cannot
 * be written is opened read-only: what only reads works. */
const char *db_read_only(const struct db *db);

/* True unless path is certainly not there (a file we cannot look at
 * counts as there, for db_open() to report). */
bool db_exists(const char *path);

/* Reports that there is no database at path, and how to choose one. */
void db_report_missing(const char *path);

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

/* Loads intake id into *out (owned: intake_clear() it).  Returns DB_OK,
 * DB_MISSING when there is no such intake, or DB_ERROR. */
enum db_result db_load_intake(struct db *db, long long id, struct intake *out);

/* Calls fn for every intake in id order, from one consistent snapshot,
 * one intake in memory at a time: *in and its strings belong to the walk
 * and last until fn returns (never intake_clear() it; copy what must stay).
 * Stops at fn's first non-zero result and returns it; returns -1
 * (reported) on a database error, 0 when done. */
int db_each_intake(struct db *db, int (*fn)(const struct intake *in, void *arg), void *arg);

/* Which intakes db_each_intake_where() visits. */
struct intake_query {
	const char *since, *until; /* YYYY-MM-DD, taken on or after / on or before; NULL: open */
	bool newest_first;
	long long client; /* only this client's intakes; 0: every client's */
	/* only each client's latest intake (the newest taken_at, then the
	 * highest id), judged among all their intakes, not only those the
	 * dates select: an earlier intake is settled by a later one */
	bool latest_only;
};

struct idset;

/* Adds to clients the client of every intake q selects (for the access
 * log row written before an export begins).  Returns 0, or -1 (reported;
 * out of memory too). */
int db_clients_where(struct db *db, const struct intake_query *q, struct idset *clients);

/* As db_each_intake(), for the intakes q selects, in q's order. */
int db_each_intake_where(struct db *db, const struct intake_query *q,
			 int (*fn)(const struct intake *in, void *arg), void *arg);

/* How many intakes q selects (its order aside), or -1 (reported).  Inside
 * db_each_intake_where()'s fn, counts in the same snapshot. */
long long db_count_intakes(struct db *db, const struct intake_query *q);

/* One line of `find`. */
struct client_match {
	long long client_id;
	long long last_intake_id;
	const char *first_name, *last_name, *date_of_birth, *last_taken_at;
	bool near; /* db_same_clients(): the name is NAME_NEAR_EDITS edits away or fewer */
};

/* How many edits (fold_distance()) apart two full names may be for a
 * client on file to be offered as a possible match. */
#define NAME_NEAR_EDITS 2

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

/* Calls fn for the clients on file born on a's date of birth whose names
 * are a's once folded (fold.h: case, accents, spaces), newest intake
 * first: a returning client; then those whose full name ("first last",
 * folded) is NAME_NEAR_EDITS edits away or fewer, with near set.  Only
 * clients with an intake.  Returns as db_each_intake. */
int db_same_clients(struct db *db, const struct answers *a,
		    int (*fn)(const struct client_match *m, void *arg), void *arg);

/* The id of client_id's newest intake, 0 when it has none, or -1
 * (reported). */
long long db_client_last_intake(struct db *db, long long client_id);

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

/* Inside db_begin_write(): stores in's GP answers (gp_discussed,
 * gp_signoff, gp_name, gp_signoff_date) as they now are, its advice as a
 * new sheet beside the earlier ones, the sign-off row, one more revision,
 * and an audit row of what changed since before.  Returns 0, or
 * -1 (reported). */
int db_save_signoff(struct db *db, const struct intake *in, const struct answers *before,
		    const struct signoff *s);

/* Calls fn with every intake id (or client id when clients), ascending.
 * Returns as db_each_intake. */
int db_each_id(struct db *db, bool clients, int (*fn)(long long id, void *arg), void *arg);

/* Stores the answer value (NULL: left unanswered) to question qid in d,
 * or only the position when qid is NULL, and that the walk goes on at
 * next_qid (NULL: the end), in a transaction of its own so it survives a
 * crash.  The first call creates the draft (from d's intake_id,
 * base_revision, client_id and staff) and sets d->id.  Returns 0, or -1
 * (reported). */
int db_draft_step(struct db *db, struct draft *d, const char *qid, const char *value,
		  const char *next_qid);

/* Loads draft id (inside a caller's transaction, as it sees it).  Returns
 * DB_OK, DB_MISSING when there is none, or DB_ERROR. */
enum db_result db_draft_load(struct db *db, long long id, struct draft *out);

/* Calls fn for every draft, the most recently changed first.  Returns as
 * db_each_intake. */
int db_each_draft(struct db *db, int (*fn)(const struct draft *d, void *arg), void *arg);

/* Removes draft id.  Returns DB_OK, DB_MISSING when there is none, or
 * DB_ERROR. */
enum db_result db_draft_discard(struct db *db, long long id);

/* How many drafts were last changed more than days ago (UTC); with
 * remove, removes them (their answers go with them) and returns how many
 * went.  Returns -1 on failure (reported). */
long long db_drafts_older_than(struct db *db, int days, bool remove);

/* Loads client id's names, birth date and contact details into *out (its
 * questions' answers).  Returns DB_OK, DB_MISSING when there is none, or
 * DB_ERROR. */
enum db_result db_load_client(struct db *db, long long id, struct answers *out);

/* Saves an edit of in (its answers as they now are; in->revision the
 * revision the edit started from) in one transaction: the answers, the
 * client's details, a new advice sheet beside the old ones (in->sheet),
 * this release's versions, one more revision, an audit row of what changed
 * since before, and the draft removed.  The intake is unacknowledged
 * until the new sheet is (in->ack, if fresh: see struct intake), unless
 * the new sheet's items (ids and texts) are those of the acknowledged
 * sheet and the client's names are unchanged: then the acknowledgement is
 * carried over to the new sheet (an "acknowledge" audit row with the
 * field carried_over_from_sheet), and the
 * clearance of a flag whose question's answer changed is removed.  Returns DB_OK, DB_MISSING when the intake is gone,
 * DB_CONFLICT when someone changed it since in->revision (nothing saved),
 * or DB_ERROR. */
enum db_result db_save_edit(struct db *db, struct intake *in, const struct answers *before,
			    const char *staff, const char *at);

/* A change of a client's contact details: each field only when its set_
 * flag is set (NULL clears it); values already checked as the
 * questionnaire checks them (question_check()). */
struct contact_change {
	bool set_phone, set_email;
	const char *phone, *email;
};

/* Changes client id's phone and email as c says, in one write transaction,
 * with one "contact" audit row (about the client, no intake) holding a
 * change per field that differs.  No intake, advice sheet or
 * acknowledgement changes.  Sets *changed to the number of fields changed
 * (0: nothing written).  Returns DB_OK, DB_MISSING when there is no such
 * client, or DB_ERROR. */
enum db_result db_save_contact(struct db *db, long long id, const struct contact_change *c,
			       const char *staff, const char *at, int *changed);

/* Stores the client's acknowledgement of sheet ack->sheet of intake id
 * (typed_name, at, staff), makes it the one that counts, and an audit row,
 * in one transaction.  Returns DB_OK, DB_MISSING when the intake is gone,
 * DB_CONFLICT when the sheet is no longer its latest (nothing saved), or
 * DB_ERROR. */
enum db_result db_save_acknowledgement(struct db *db, long long intake_id,
				       const struct acknowledgement *ack);

/* Clears flag c->flag_id of intake id with c's reason, staff and time,
 * and an audit row, in one transaction.  The caller has checked that the
 * intake raises the flag.  Returns DB_OK, DB_MISSING when the intake is
 * gone, DB_CONFLICT when the flag was already cleared (nothing saved), or
 * DB_ERROR. */
enum db_result db_clear_flag(struct db *db, long long intake_id, const struct clearance *c);

/* Inside a write transaction: appends e (its id is ignored).  Returns 0,
 * or -1 (reported). */
int db_audit_add(struct db *db, const struct audit_entry *e);

/* Inside a write transaction: appends e with one change per question whose
 * answer differs between before (NULL for a new intake) and after.
 * Returns 0, or -1 (reported). */
int db_audit_answers(struct db *db, const struct audit_entry *e, const struct answers *before,
		     const struct answers *after);

/* Whether db may be written to: false when a trigger that protects the
 * record was missing at open (then every write is refused), reported as
 * "what: ...".  The commands that ask a person for a whole intake check it
 * before the first question, so that nothing is typed in vain. */
bool db_writable(struct db *db, const char *what);

/* migrate (db_migrate.c).  Whether the target holds no records yet (no
 * client, intake, audit or access log row, draft, tombstone or aftercare
 * text; its settings may be set): 1, 0, or -1 (reported). */
int db_migrate_target_empty(struct db *db);

/* Whether this login may write a migration into db: a file, always; a
 * server, when it owns the tables and sequences (the administrator's
 * login that applied schema/postgresql/).  1, 0, or -1 (reported). */
int db_migrate_target_owned(struct db *db);

/* Copies every table of from into to (empty: see above), row for row
 * with their numbers, in one transaction of to's; each table's rows
 * counted on both.  *clients and *intakes say how many went.  Returns 0,
 * or -1 (reported; to is as it was). */
int db_migrate_copy(struct db *from, struct db *to, long long *clients, long long *intakes);

/* What `smp-intake verify` looked at: the audit rows and access log rows
 * read, and the hash of the audit chain's last row ("" for none). */
struct verify_summary {
	long long audit_rows, access_rows;
	char head[65];
};

/* Checks the file as `smp-intake verify` does (docs/record.md): SQLite's
 * integrity and foreign key checks, the triggers against those this
 * program's migrations make, the audit chain, and the access log's order.
 * Calls problem once per problem with a line saying it (it may hold names
 * from the file: print it safely).  Returns the number of problems, or -1
 * (reported) when the checks could not be made. */
int db_verify(struct db *db, struct verify_summary *sum,
	      void (*problem)(const char *line, void *arg), void *arg);

/* Calls fn for the audit rows of intake id, oldest first (its erasure
 * included), with the "contact" rows of its client among them.  Inside a caller's transaction, reads what it sees.  Returns
 * as db_each_intake. */
int db_each_audit(struct db *db, long long intake_id,
		  int (*fn)(const struct audit_entry *e, void *arg), void *arg);

/* As db_each_audit, for every row about client id or one of its intakes. */
int db_each_client_audit(struct db *db, long long client_id,
			 int (*fn)(const struct audit_entry *e, void *arg), void *arg);

/* The staff names in the intakes and the audit, sorted, at most 200: a
 * NULL-ended list (allocated; free it with db_names_free()), or NULL
 * (reported). */
char **db_staff_names(struct db *db);

/* Frees a list from db_staff_names(); accepts NULL. */
void db_names_free(char **names);

/* Whether client (clients true) or intake id was erased: returns 1 and sets
 * *when (UTC, allocated) and *who (allocated), 0 when it was not, or -1
 * (reported). */
int db_erased(struct db *db, bool clients, long long id, char **when, char **who);

/* Loads everything stored about client id into *out, from one consistent
 * snapshot.  Returns DB_OK, DB_MISSING when there is no such client, or
 * DB_ERROR. */
enum db_result db_load_subject(struct db *db, long long id, struct subject *out);

/* Erases client id in one write transaction: its intakes with their
 * answers, advice sheets and sign-offs, its drafts (also a new intake's
 * typed with the same names, and the same birth date or none yet, before
 * a client was chosen), the record itself, and its audit rows with their
 * values.  In their place the audit gets one "erase" row per intake and
 * one for the client: when, by whom (staff, at), no values; the access
 * log one "erase" row with the client's id; a tombstone per intake (its
 * uuid and at: import refuses it); and a pending row that
 * db_erase_finish() removes.  With merge, the search index is merged in
 * the same transaction (no word of the client stays in it); without (many
 * erasures in a row), db_erase_finish() merges it once.  With before
 * (YYYY-MM-DD) set, the client is erased only if its newest intake
 * (without one, the record) is dated before it, checked inside the
 * transaction so that an intake saved meanwhile keeps the client.  Sets
 * *intakes to the number of intakes erased.  Call db_erase_finish()
 * after the last erasure.  Returns DB_ERASE_OK, DB_ERASE_MISSING when
 * there is no such client, DB_ERASE_KEPT when before kept it, or
 * DB_ERASE_ERROR (reported; nothing erased). */
enum db_erase_result db_erase_client(struct db *db, long long id, const char *before,
				     const char *staff, const char *at, bool merge,
				     size_t *intakes);

/* As db_erase_client(), with reason (NULL: none) kept as a change
 * ("reason") of each of the erasure's audit rows: why a client inside the
 * studio's retention period was erased (docs/record.md).  Staff's words,
 * never the client's details. */
enum db_erase_result db_erase_client_reason(struct db *db, long long id, const char *before,
					    const char *staff, const char *at, bool merge,
					    const char *reason, size_t *intakes);

/* After erasures: finishes what they owe (the rows of erase_pending),
 * kept in the file until done: merges the search index when an erasure
 * did not, then clears the write-ahead log (its frames are checked into
 * the file, where secure_delete has zeroed the erased values, and it is
 * cut to nothing).  Returns DB_FINISH_OK; DB_FINISH_DEFERRED when another
 * connection's read kept it from finishing (SQLite clears the log when the
 * last connection closes; the next open finishes the rest); or
 * DB_FINISH_ERROR (reported; the next open tries again). */
enum db_finish_result db_erase_finish(struct db *db);

/* At open: db_erase_finish() for an erasure a kill or a full disk left
 * unfinished, quietly and without waiting for another terminal. */
void db_erase_resume(struct db *db);

/* 1 when the erasure of client id is still owed its finish, 0 when not,
 * or -1 (reported). */
int db_erase_pending(struct db *db, long long id);

/* Calls fn for every client whose newest intake (without one, whose
 * record) is dated before `before` (YYYY-MM-DD, UTC): those a retention
 * period has run out for, the longest unseen first.  m->last_taken_at is
 * that UTC time; m->last_intake_id is 0 without an intake.  Returns as
 * db_each_intake. */
int db_each_client_before(struct db *db, const char *before,
			  int (*fn)(const struct client_match *m, void *arg), void *arg);

/* The day (YYYY-MM-DD, in day) client id was last seen: its newest intake
 * (UTC) or session, whichever is later (db_retention.c).  Returns DB_OK,
 * DB_MISSING when there is no such client, or DB_ERROR (reported). */
enum db_result db_client_last_seen(struct db *db, long long id, char day[11]);

/* The reason kept with the erasure of client id at time at (an access
 * log row's: db_erase_client_reason() writes both at once) in *reason
 * (allocated), or NULL when it has none.  Returns 0, or -1 (reported). */
int db_erasure_reason(struct db *db, long long id, const char *at, char **reason);

/* One row of the access log: who read or took out whose record. */
struct access_entry {
	long long id; /* ignored by db_access_add() */
	const char *at;      /* UTC, YYYY-MM-DDTHH:MM:SSZ */
	const char *staff;
	const char *command; /* "show", "advice", "export", "erase" or "contact" */
	const char *clients; /* client ids as idset_format() writes them; "" for none */
};

/* Appends e to the access log: inside a caller's write transaction as
 * part of it, else as a transaction of its own.  Returns 0, or -1
 * (reported as "cannot record this in the access log: WHY"). */
int db_access_add(struct db *db, const struct access_entry *e);

/* Whether a row could be appended at all: the database was not opened
 * read-only (the file's permissions).  A command whose output cannot wait
 * for its row (an export streamed to standard output) asks first.  Returns
 * 0, or -1 (reported as db_access_add() would). */
int db_access_writable(struct db *db);

/* Which rows db_each_access() visits. */
struct access_query {
	long long client;  /* rows whose clients hold this id (and any whose clients
			    * text cannot be read); 0: every row */
	const char *since; /* YYYY-MM-DD: rows written on or after that day (UTC); NULL: all */
};

/* Calls fn for the access rows q selects, oldest first; e and its strings
 * last until fn returns.  Returns as db_each_intake. */
int db_each_access(struct db *db, const struct access_query *q,
		   int (*fn)(const struct access_entry *e, void *arg), void *arg);

/* The course (db_course.c): sessions, photos, consents, the studio's
 * aftercare text. */

/* Saves session s in one transaction with its audit row ("session", every
 * field given as a change), removing draft draft_id (0: none) in it.  The
 * intake must exist: s->client_id is taken from it; s->uuid "" makes one,
 * s->recorded_at NULL stamps now.  Sets s->id.  Returns DB_OK, DB_MISSING
 * when the intake is gone, DB_CONFLICT when the intake's revision is no
 * longer s->intake_revision (it changed meanwhile), or DB_ERROR. */
enum db_result db_save_session(struct db *db, struct session *s, long long draft_id);

/* Loads session id into *out (owned: session_clear() it).  Returns DB_OK,
 * DB_MISSING, or DB_ERROR. */
enum db_result db_load_session(struct db *db, long long id, struct session *out);

/* Which sessions db_each_session() visits: every condition given must hold. */
struct session_query {
	long long intake_id; /* 0: any */
	long long client_id; /* 0: any */
	const char *lot;     /* the lot, ignoring case; NULL: any */
};

/* Calls fn for each session matching q (NULL: every one), by client, then
 * date, then number, from one snapshot; *s is borrowed (lasts until fn
 * returns).  Stops at fn's first non-zero result and returns it; -1
 * (reported) on a database error, 0 when done. */
int db_each_session(struct db *db, const struct session_query *q,
		    int (*fn)(const struct session *s, void *arg), void *arg);

/* One course as db_each_course() hands it out: the client's latest intake
 * that has sessions other than patch tests, and their dates, oldest first
 * (at most COURSE_DATES_MAX; more count in sessions but are not listed). */
#define COURSE_DATES_MAX 10
struct course_row {
	long long client_id, intake_id;
	size_t sessions;                      /* how many (patch tests left out) */
	char performed_on[COURSE_DATES_MAX][11]; /* YYYY-MM-DD, the first ones */
};

/* Calls fn with each client's course (see struct course_row) in client
 * order, one in memory at a time; *r is borrowed.  Returns as
 * db_each_session(). */
int db_each_course(struct db *db, int (*fn)(const struct course_row *r, void *arg), void *arg);

/* Records a patch test's result (reaction: none, mild or marked; note
 * NULL: none) with its audit row ("session-result").  Returns DB_OK,
 * DB_MISSING when there is no such session, DB_CONFLICT when the session
 * is not a patch test, or DB_ERROR. */
enum db_result db_session_result(struct db *db, long long id, const char *reaction,
				 const char *note, const char *at, const char *staff);

/* The client's consents as they stand (consent_state: "" where never
 * given).  Returns DB_OK, DB_MISSING when there is no such client, or
 * DB_ERROR. */
enum db_result db_consent(struct db *db, long long client_id, struct consent_state *out);

/* Calls fn for each of client_id's consent rows, oldest first; *r is
 * borrowed (lasts until fn returns).  Returns as db_each_session(). */
int db_each_consent(struct db *db, long long client_id,
		    int (*fn)(const struct consent_row *r, void *arg), void *arg);

/* Records a consent (kind: photos or marketing; value: yes or no), given at
 * intake intake_id's assessment (0: changed later, by `consent`), with its
 * audit row ("consent"), unless it already stands at that value (then
 * *changed is 0 and nothing is written).  Returns DB_OK, DB_MISSING when
 * there is no such client, or DB_ERROR. */
enum db_result db_set_consent(struct db *db, long long client_id, const char *kind,
			      const char *value, long long intake_id, const char *at,
			      const char *staff, int *changed);

/* Records the client's consents given (photos, marketing: yes, no, or NULL
 * for the one not given) with `consent`, in one transaction with one audit
 * row ("consent") naming each that changed; one already standing at its
 * value is not written again.  *changed is how many changed (0: nothing
 * written).  Returns DB_OK, DB_MISSING when there is no such client, or
 * DB_ERROR. */
enum db_result db_set_consents(struct db *db, long long client_id, const char *photos,
			       const char *marketing, const char *at, const char *staff,
			       int *changed);

/* Saves photo p's metadata and its n bytes in one transaction with its
 * audit row ("photo-add"); p->client_id is taken from its intake or
 * session, p->uuid "" makes one, p->added_at NULL stamps now.  Sets p->id.
 * Refuses (DB_CONFLICT) when the client's photos consent is not yes at the
 * time of saving.  Returns DB_OK, DB_MISSING when the intake or session is
 * gone, DB_CONFLICT, or DB_ERROR. */
enum db_result db_save_photo(struct db *db, struct photo *p, const void *data, size_t n);

/* Which photos db_each_photo() visits: every condition given must hold. */
struct photo_query {
	long long client_id, intake_id, session_id; /* 0: any */
	bool marketing; /* only clients whose marketing consent is yes now */
	bool with_bytes; /* only photos whose image is stored here (import brings
			  * the metadata alone) */
};

/* Calls fn with each photo's metadata matching q (NULL: all), by id; *p is
 * borrowed.  Returns as db_each_session(). */
int db_each_photo(struct db *db, const struct photo_query *q,
		  int (*fn)(const struct photo *p, void *arg), void *arg);

/* Loads photo id's metadata into *out (owned: photo_clear()) and, when
 * data is not NULL, its bytes into *data (malloc'd; free them) and *n.
 * Returns DB_OK, DB_MISSING, DB_CONFLICT when data was asked for and the
 * image is not stored here (a photo brought in by import, metadata only:
 * *out is filled, *data NULL), or DB_ERROR. */
enum db_result db_load_photo(struct db *db, long long id, struct photo *out, void **data,
			     size_t *n);

/* Removes photo id and its bytes with its audit row ("photo-rm").  Returns
 * DB_OK, DB_MISSING, or DB_ERROR. */
enum db_result db_remove_photo(struct db *db, long long id, const char *at, const char *staff);

/* The studio's current aftercare text: *version (0: none set) and *text
 * (allocated, or NULL when none).  Returns 0, or -1 (reported).  With
 * version 0 (the current one), a latest version whose text is empty (the
 * studio removed its text: `config set aftercare_text ''`) counts as none:
 * *version 0, *text NULL. */
int db_aftercare(struct db *db, long long version, long long *out_version, char **text);

/* The latest row of the studio's aftercare text, without its text. */
struct aftercare_info {
	long long version; /* 0: never set */
	char set_at[21];   /* UTC, YYYY-MM-DDTHH:MM:SSZ */
	char staff[401];   /* who set it (100 code points at most) */
	bool removed;      /* the latest version is empty: no text now */
};

/* Reads that row into *out.  Returns 0, or -1 (reported). */
int db_aftercare_info(struct db *db, struct aftercare_info *out);

/* Stores text as the next version of the studio's aftercare text; sets
 * *version.  Returns 0, or -1 (reported). */
int db_set_aftercare(struct db *db, const char *text, const char *at, const char *staff,
		     long long *version);

/* The course of one intake as the export writes it (db_course.c): its
 * sessions (by number), its photos (taken at it or at one of its sessions,
 * by id; session_uuid NULL for one taken at the intake) and the consent
 * rows that go with it (by id): those given at its assessment, and each
 * change made later with `consent` goes with the client's latest intake
 * taken at or before the change (the client's first intake when none
 * was), each marked when it is the client's latest of its kind.  The
 * statements are prepared once (db_course_reader_new()), so an
 * export of a million intakes pays three index lookups for each.  The
 * callbacks' records are borrowed; a non-zero return stops the walk and is
 * returned.  Returns 0, or -1 (reported). */
struct db_course_reader;
struct db_course_reader *db_course_reader_new(struct db *db);
/* As db_course_reader_new(), for intakes visited in ascending id order
 * inside one read transaction (the export's walk): each part is read as
 * one stream in that order, stepped on as the walk moves on, rather than
 * looked up for each intake (an intake out of order is looked up alone). */
struct db_course_reader *db_course_reader_stream(struct db *db);
void db_course_reader_free(struct db_course_reader *r);
struct db_course_visit {
	int (*session)(const struct session *s, void *arg);
	int (*photo)(const struct photo *p, const char *session_uuid, void *arg);
	int (*consent)(const struct consent_row *c, void *arg);
	void *arg;
};
int db_course_of_intake(struct db_course_reader *r, long long intake_id,
			const struct db_course_visit *v);

#endif
