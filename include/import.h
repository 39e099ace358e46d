/* import.h - reading an export back (`smp-intake import`): a scanner that
 * cuts the file into records without holding it (json_import.c), the
 * checks one record passes (json_import.c), and the write of the records
 * in one transaction (db_import.c).  See docs/import.md. */
#ifndef SMP_IMPORT_H
#define SMP_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "date.h"
#include "db.h"
#include "settings.h"

/* The largest record (one intake object) read, in bytes: an intake of
 * our export is a few kilobytes at most, and nothing longer is read into
 * memory. */
#define IMPORT_RECORD_MAX (1024 * 1024)

/* The deepest nesting of [ and { in a record (an intake needs 3). */
#define IMPORT_DEPTH_MAX 16

/* ---- the scanner ---- */

/* Reads up to n bytes into buf: returns how many (0 at the end), or -1
 * with errno set. */
typedef ssize_t import_read_fn(void *arg, char *buf, size_t n);

struct import_reader;

/* A reader of the records that read() gives, through a buffer of bufsize
 * bytes (at least 1).  The format is told by the first byte that is not a
 * blank: [ for a JSON array of intakes, { for one intake per line
 * (ndjson).  Returns NULL when out of memory. */
struct import_reader *import_reader_new(import_read_fn *read, void *arg, size_t bufsize);

/* Frees the reader; accepts NULL. */
void import_reader_free(struct import_reader *r);

/* The next record: returns 1 with *text and *len set to its bytes (from
 * its { to its }, valid until the next call), 0 at the end of the file,
 * or -1 with a one-line reason in why that starts with where it is
 * ("record 3: ...", "after record 3: ..."); an error is final, and a read
 * error leaves errno in the reason.  The extent of a record is found by
 * tracking strings, escapes and nesting only: whether it is valid JSON is
 * for import_record_parse() to say. */
int import_reader_next(struct import_reader *r, const char **text, size_t *len, char *why,
		       size_t whylen);

/* How many records import_reader_next() has returned. */
long long import_reader_count(const struct import_reader *r);

/* ---- one record ---- */

/* What the checks of one record depend on. */
struct import_checks {
	int minimum_age;      /* the studio's, as `new` checks it */
	struct date today;    /* the day of the import, UTC */
	/* The studio's settings, for the advice worked out again (the pause
	 * days a sheet states are taken from the sheet); NULL: the defaults. */
	const struct settings *settings;
};

void import_checks_init(struct import_checks *c, int minimum_age, struct date today);

/* Parses one record (an intake object of docs/export.md) and checks it as
 * `new` checks answers: every answer through question_check() with the
 * rules of the day it was taken (dates a later edit or GP sign-off may
 * have set, against the days since), only the questions that apply and
 * that the record's questionnaire version asked, the required ones
 * present, the gp_signoff summary, the flags and readiness agreeing with
 * the answers (and the flag clearances and acknowledgement).  A record
 * without questionnaire_version (release 0.1.0's export) is of version
 * 2026.1 and may hold none of the keys that came with 2026.2.  Strings
 * must be valid UTF-8 without NUL; no key may be unknown or given twice.
 * Fills *out (id and client_id as in the file, the versions, sheet: the
 * advice's number, the acknowledgement and the clearances; free it with
 * intake_clear(), also after a failure).  Returns 0, or -1 with a
 * one-line reason in why that names the field ("answers.gp_name: ...")
 * and never its value. */
int import_record_parse(const char *text, size_t len, const struct import_checks *c,
			struct intake *out, char *why, size_t whylen);

/* A record's course (format 3): its sessions, photo metadata and consent
 * rows.  Owned: import_course_clear(). */
struct import_photo {
	struct photo p;
	char session_uuid[37]; /* "" taken at the intake */
};
struct import_consent {
	char kind[12], value[4], at[21];
	char *staff;
	bool at_intake;
};
struct import_course {
	struct session *session;
	size_t sessions;
	struct import_photo *photo;
	size_t photos;
	struct import_consent *consent;
	size_t consents;
};
void import_course_clear(struct import_course *c);

/* As import_record_parse(), and the record's sessions, photos and consents
 * into *course (a record of format 1 or 2 has none): each session checked
 * as `session new` checks it (session_check(), with the record's client
 * and the studio's minimum age), its uuid, intake_revision (1 to the
 * record's advice_sheet), recorded_at and staff; each photo's uuid, view,
 * media type, size, SHA-256, time, staff and session (one of the record's
 * sessions, or null); each consent's kind, value, time and staff.  Uuids
 * given twice in the record are refused. */
int import_record_parse_course(const char *text, size_t len, const struct import_checks *c,
			       struct intake *out, struct import_course *course, char *why,
			       size_t whylen);

/* ---- the database ---- */

enum import_outcome {
	IMPORT_ADDED,	  /* a new intake */
	IMPORT_UNCHANGED, /* its uuid is stored with the same content */
	IMPORT_UPDATED,	  /* a conflict, replaced (update) */
	IMPORT_CONFLICT,  /* its uuid is stored with other content: nothing written */
	IMPORT_DUPLICATE, /* its uuid was in an earlier record of the file */
	IMPORT_MISMATCH,  /* its uuid is stored with another taken_at or staff */
	IMPORT_REFUSED    /* its course cannot go in (db_import_course(): res.why) */
};

struct import_result {
	enum import_outcome outcome;
	long long intake_id;	      /* the stored intake (the new one when added) */
	long long earlier;	      /* IMPORT_DUPLICATE: the position of the first */
	bool answers, client, advice; /* IMPORT_CONFLICT, IMPORT_UPDATED: what differs */
	bool record;		      /* ... the versions, acknowledgement or flag clearances */
	const char *field;	      /* IMPORT_MISMATCH: "taken_at" or "staff" */
	/* db_import_course(): sessions, photos and consent rows added, and
	 * whether a stored session differs (a conflict, replaced with update);
	 * IMPORT_REFUSED: why. */
	long long sessions_added, photos_added, consents_added;
	bool course;
	char why[200];
};

struct db_import;

/* Begins the import in one write transaction (BEGIN IMMEDIATE) with the
 * statements prepared once.  Conflicts are replaced when update is set;
 * staff and at (UTC) go into the audit rows.  Returns NULL (reported) on
 * failure. */
struct db_import *db_import_begin(struct db *db, bool update, const char *staff, const char *at);

/* Imports the record at position (1-based) of the file: matched by uuid;
 * a new intake keeps its id and its client's id when free and never used
 * before, and joins the client it was put with earlier in the file, or
 * the client of that id with the same names and date of birth; its advice
 * keeps its sheet number (in->sheet), its acknowledgement and flag
 * clearances are stored with it.  Sets in->id and in->client_id to where
 * it went.  Returns 0 with *res set, or -1 (reported; the import must end
 * without commit). */
int db_import_record(struct db_import *im, struct intake *in, long long position,
		     struct import_result *res);

/* 1 with when (YYYY-MM-DD) set when an intake with this uuid was erased
 * here (import must refuse it: nothing erased comes back), 0 when not, or
 * -1 (reported). */
/* After db_import_record() (an intake added, unchanged or updated): the
 * record's sessions (matched by uuid: added; the same: nothing; other
 * content: res->course, a conflict unless update replaces it), photo
 * metadata (added without bytes; a uuid stored with other metadata or in
 * another intake is refused) and consent rows (added unless the same row is
 * stored; they go into the table at the end of the import, each client's
 * in the order given).  Counts into *res; a refusal sets res->outcome
 * IMPORT_REFUSED with res->why.  Returns 0, or -1 (reported). */
int db_import_course(struct db_import *im, const struct intake *in,
		     const struct import_course *c, struct import_result *res);

/* Whether intake in (its uuid) was erased here: 1 with the day in when, 0
 * not, -1 on error (reported).  Called first for each record: on a server
 * it also asks early for what db_import_record() will read about in (its
 * uuid, its client, its id), so that they share one round trip. */
int db_import_erased(struct db_import *im, const struct intake *in, char when[11]);

/* Ends the import: commits when commit is set, else rolls back, and frees
 * im.  Returns 0, or -1 (reported; nothing written). */
int db_import_end(struct db_import *im, bool commit);

/* Writes everything the -wal holds into the database file itself and
 * empties the -wal (a checkpoint), so that the file alone is the whole
 * database: for a database the import made under a temporary name, before
 * it is given its own.  Returns 0, or -1 (reported). */
int db_import_settle(struct db *db);

#endif
