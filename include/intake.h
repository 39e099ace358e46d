/* intake.h - the data model: the records smp-intake keeps (an intake, a
 * draft, a GP's sign-off, an audit row, everything about one client) as C
 * structs, and how to free them.  No storage here: db.h reads and writes
 * them, the formatters (sheet, json, fhir, handout) print them.
 *
 * Owned or borrowed, said by the type:
 * - A struct whose strings are `char *` (intake, draft, clearance,
 *   acknowledgement, subject) is an owned record when you fill it: its
 *   `*_clear()` frees the strings (a clearance and an acknowledgement are
 *   freed with the intake that holds them).
 * - A struct whose strings are `const char *` (signoff, audit_change,
 *   audit_entry) is a view: it never owns its strings, and nothing frees
 *   them through it.  Copies that must stay keep their text in a struct
 *   held beside them (struct subject does), freed by held_clear().
 * - A record handed to a callback as a `const struct X *` (db_each_intake(),
 *   db_each_draft(), db_each_audit(), ...) is borrowed: it and its strings
 *   belong to the walk and last until the callback returns.  Copy what must
 *   stay; never `*_clear()` it (the `*_clear()` functions take a non-const
 *   pointer, so the compiler refuses without a cast, and a cast is wrong).
 *   The streamed export relies on this: the intakes it hands out point into
 *   one buffer reused from row to row, so a row costs no allocation. */
#ifndef SMP_INTAKE_H
#define SMP_INTAKE_H

#include <stdbool.h>
#include <stddef.h>

#include "advice.h"
#include "flags.h"
#include "questionnaire.h"

/* A flag the artist cleared, and why.  Strings owned by the record that
 * holds it (struct intake: intake_clear()). */
struct clearance {
	char *flag_id, *reason, *at, *staff;
};

/* The client's confirmation that they read advice sheet `sheet`; sheet
 * 0: none (unacknowledged).  Strings owned as in struct clearance. */
struct acknowledgement {
	long long sheet;
	char *typed_name, *at, *staff;
};

/* One intake.  Owned when you fill it (db_load_intake(), a walk, an
 * import): free its strings with intake_clear().  Borrowed when handed to
 * you as a const struct intake * (db_each_intake()): see above. */
struct intake {
	long long id;
	long long client_id; /* saving: 0 finds or makes the record, -1 always makes one */
	long long revision;  /* 1 when saved, one more for each edit or sign-off */
	long long draft_id;  /* saving: the draft the intake was typed into (removed), or 0;
			      * set to 0 when that draft is gone (saved elsewhere) */
	char uuid[37];
	char *taken_at; /* UTC, YYYY-MM-DDTHH:MM:SSZ */
	char *staff;
	struct answers answers;     /* client details included */
	struct advice_sheet advice; /* as printed when it was saved */
	long long sheet;            /* advice's number among the intake's sheets */
	/* The versions the answers were asked and the advice given under;
	 * saving: "" stands for this release's (QUESTIONNAIRE_VERSION,
	 * ADVICE_VERSION). */
	char questionnaire_version[16], advice_version[16];
	/* The client's acknowledgement that counts (ack.sheet 0: none).
	 * Saving a new intake or an edit with ack.typed_name set and ack.sheet
	 * 0 stores it for the sheet saved, in the same transaction. */
	struct acknowledgement ack;
	/* The words of the acknowledged sheet when it is not the latest
	 * (ack.sheet < sheet: a GP sign-off came after); empty otherwise. */
	struct advice_sheet ack_advice;
	struct clearance cleared[FLAGS_MAX]; /* flags the artist cleared */
	size_t clearances;
};

/* Frees in's strings and zeroes them; accepts NULL. */
void intake_clear(struct intake *in);

/* Makes dst an owned copy of src (a borrowed intake, say); dst's old
 * contents are not freed.  Returns 0, or -1 when out of memory (dst left
 * empty). */
int intake_copy(struct intake *dst, const struct intake *src);

/* The client's details: the questions stored on the client record rather
 * than the intake (question.client_field), in table order (first name,
 * last name, date of birth, phone, email).  The table is where they are
 * listed; code that goes through them uses these. */
#define CLIENT_FIELDS 5

/* The k-th (k < CLIENT_FIELDS) of the client's details. */
const struct question *client_field_question(size_t k);

/* One session of a client's course (table session, `session new`).
 * Owned when you fill it: free its strings with session_clear().  Handed
 * to a callback as a const struct session * it is borrowed (see above). */
struct session {
	long long id;        /* 0 until saved */
	long long intake_id; /* the consultation it follows */
	long long client_id; /* saving: taken from the intake */
	long long number;    /* in the course: 1, 2, 3 ... */
	char uuid[37];       /* saving: "" makes one */
	char *performed_on;  /* YYYY-MM-DD */
	char *artist;        /* typed, not the login */
	char *areas;         /* codes, comma-separated (session.h) */
	char *pigment_brand, *shade, *lot, *lot_expiry, *needle, *dilution, *notes; /* NULL: none */
	bool patch_test;
	char *reaction;      /* a patch test's result: none, mild or marked; NULL: not yet */
	char *reaction_note, *reaction_at;
	char *rescreen;      /* "unchanged" or "changed" since the intake's last revision */
	long long intake_revision; /* the intake's revision the session went ahead on */
	char *id_checked;    /* the kind of ID the artist saw (never its number) */
	char *countersigned; /* the artist's typed name */
	char *client_ack;    /* the client's typed name on the session sheet; NULL: none */
	long long aftercare_version; /* the studio's aftercare text printed; 0: none */
	char *override_reason; /* why it went ahead while the intake was not ready; NULL */
	char *recorded_at;   /* UTC; saving: NULL stamps now */
	char *staff;
};

/* Frees s's strings and zeroes it; accepts NULL. */
void session_clear(struct session *s);

/* Makes dst an owned copy of src; dst's old contents are not freed.
 * Returns 0, or -1 when out of memory (dst left empty). */
int session_copy(struct session *dst, const struct session *src);

/* A photo's metadata (table photo); the image bytes are read on their own
 * (db_photo_data()).  Owned: photo_clear(). */
struct photo {
	long long id, client_id;
	long long intake_id;  /* taken at this intake, or 0 */
	long long session_id; /* taken at this session, or 0 */
	char uuid[37];
	char *view;           /* front, top, crown, left, right, back or scar */
	char *media_type;     /* image/jpeg or image/png */
	long long size;       /* bytes */
	char sha256[65];      /* lower-case hex */
	char *added_at, *staff;
};

/* Frees p's strings and zeroes it; accepts NULL. */
void photo_clear(struct photo *p);

/* A client's photo consents as they stand now (the latest of each kind).
 * Each is "yes", "no", or "" when never asked (an intake before the
 * assessment's questionnaire version). */
struct consent_state {
	char photos[4];    /* photos may be kept in the client's record */
	char marketing[4]; /* the studio may use them for its marketing */
	char photos_at[21], marketing_at[21]; /* when each was given or changed; "" */
};

/* One consent as it was given or changed (table consent): a view (its
 * strings are borrowed). */
struct consent_row {
	const char *kind;    /* photos or marketing */
	const char *value;   /* yes or no */
	long long intake_id; /* given at this intake's assessment; 0: with `consent` (or
			      * not known: an export's row says only at_intake) */
	const char *at, *staff; /* UTC, who */
	bool at_intake;      /* given at an intake's assessment (intake_id set, or so
			      * exported) */
	bool latest;         /* the client's latest row of its kind, the one that counts
			      * (set by db_course_of_intake() only) */
};

/* A GP's answer as it arrived: a view (its strings are borrowed). */
struct signoff {
	const char *status; /* obtained, pending or declined */
	const char *gp_name, *signed_on, *reference, *staff, *recorded_at;
};

/* An intake, or an edit of one, in progress (table draft).  Strings are
 * owned; free with draft_clear(). */
struct draft {
	long long id;            /* 0 until its first answer is stored */
	long long intake_id;     /* an edit: the intake; 0 for a new intake */
	long long base_revision; /* an edit: the revision it started from */
	long long client_id;     /* the returning client once chosen, else 0 */
	char *next_question;     /* where the walk stopped; NULL: at the end */
	char *started_at, *updated_at; /* UTC */
	char *staff;
	struct answers answers; /* as given (an edit: only those that changed) */
	bool has[QUESTIONS_MAX];          /* which questions have a stored answer (maybe NULL) */
	long long session_intake_id;      /* a session's draft: the intake it follows; else 0 */
	struct draft_value *values;       /* a session's draft: its answers by session.h's ids */
	size_t value_count;
};

/* One answer of a session's draft (id from session.h; value NULL: none). */
struct draft_value {
	char *id, *value;
};

/* Frees d's strings and zeroes it; accepts NULL. */
void draft_clear(struct draft *d);

/* One field a change touched: its question id (or another name such as
 * "signoff_reference"), with the values before and after (NULL: none). */
struct audit_change {
	const char *field, *old_value, *new_value;
};

/* One audit row, a view (its strings are borrowed).  action: "create", "edit", "signoff", "erase", "import",
 * "acknowledge", "clear-flag" or "contact" (about a client: intake_id 0). */
struct audit_entry {
	long long id, client_id, intake_id; /* 0: none */
	const char *at, *staff, *action;
	const struct audit_change *change;
	size_t count;
};

/* The blocks (strings, arrays) that a set of views points into, owned
 * together: whoever holds the struct held frees them with held_clear(). */
struct held {
	void **block;
	size_t count;
};

/* Makes p (allocated, or NULL) one of h's blocks.  Returns p, or NULL when
 * p is NULL or out of memory (then p is freed). */
void *held_add(struct held *h, void *p);

/* A copy of text held by h; NULL for NULL, or when out of memory. */
const char *held_text(struct held *h, const char *text);

/* Frees h's blocks (the views into them are then dangling); accepts an
 * empty h. */
void held_clear(struct held *h);

/* One advice sheet of an intake as printed: number 1 at the intake, then
 * one more for each edit or sign-off. */
struct subject_sheet {
	long long number;
	struct advice_sheet advice;
};

/* One intake with everything kept about it. */
struct subject_intake {
	struct intake in; /* answers as they are now (in.advice: the latest sheet) */
	struct subject_sheet *sheet; /* every sheet, oldest first */
	size_t sheets;
	struct signoff *signoff; /* every GP answer as it arrived, oldest first */
	size_t signoffs;
};

/* Everything stored about one client: what a subject access request
 * gives them.  Owned: free with subject_clear().  Its signoff and audit
 * rows are views (const strings) into the blocks in held, which the
 * subject owns; nothing else frees them. */
struct subject {
	long long client_id;
	char *created_at;             /* UTC */
	struct answers client;        /* names, birth date, phone, email */
	struct subject_intake *intake; /* oldest first */
	size_t intakes;
	struct draft *draft; /* unfinished intakes and edits that hold their details */
	size_t drafts;
	struct audit_entry *audit; /* about the client or its intakes, oldest first */
	size_t audits;
	struct held held; /* the strings and change lists the views above point into */
};

/* Frees everything s holds and zeroes it; accepts NULL. */
void subject_clear(struct subject *s);

#endif
