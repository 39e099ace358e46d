/* session.h - one session of a client's course (issue 16): the answers a
 * session is made of, by the ids that are its outside interface (the keys
 * of `session new --answers` files, of the exports and of import: the
 * column names of table session), the area codes and ID kinds, and
 * session_check(), every check a session must pass however it arrives
 * (typed, piped, from a file or imported).  Pure: no storage, no printing. */
#ifndef SMP_SESSION_H
#define SMP_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "date.h"
#include "intake.h"
#include "questionnaire.h"
#include "settings.h"

/* What kind of answer a session field takes. */
enum session_kind {
	SK_DATE,    /* YYYY-MM-DD (typed: also the studio's form, today, +3d) */
	SK_EXPIRY,  /* YYYY-MM-DD or YYYY-MM (a month means its last day) */
	SK_NUMBER,  /* a whole number, 1 to SESSION_NUMBER_MAX */
	SK_TEXT,    /* one line, no control characters */
	SK_NOTES,   /* free text that may span lines */
	SK_AREAS,   /* area codes, several, comma-separated, stored in
		     * session_areas[] order */
	SK_YESNO,   /* yes or no */
	SK_ID_KIND  /* one of session_id_kinds[] */
};

/* One answer of a session, in the order a session walk asks them. */
struct session_field {
	const char *id;     /* the interface: JSON key, column of table session */
	const char *prompt; /* asked at the terminal */
	const char *label;  /* on the session sheet */
	enum session_kind kind;
	bool required;
	size_t max_len;     /* in code points, for text */
	const char *help;   /* printed for ? */
};

/* The fields asked in a session walk, in order: performed_on,
 * session_number, artist, areas, pigment_brand, shade, lot, lot_expiry,
 * needle, dilution, notes, patch_test, id_checked, countersigned. */
extern const struct session_field session_fields[];
extern const size_t session_field_count;

/* Keys of an --answers file besides session_fields[]: the client's typed
 * name on the session sheet, the reason to go ahead while the intake is
 * not ready, and the re-screening ({"changed": false} or {"changed":
 * true, "answers": {question_id: value, ...}}). */
#define SESSION_CLIENT_ACK "client_ack"
#define SESSION_OVERRIDE "override_reason"
#define SESSION_RESCREEN "rescreen"

/* The area codes, in the order they are stored; NULL-ended. */
extern const char *const session_areas[];

/* The kinds of ID an artist may record having seen (never its number);
 * NULL-ended. */
extern const char *const session_id_kinds[];

/* The intake questions the re-screening before a session asks again when
 * something has changed (hair-growth treatments, medication and blood
 * thinners, scalp conditions, allergies, pregnancy), in questionnaire
 * order; NULL-ended.  session_rescreen_treatments[] are those whose change
 * needs the GP's part again. */
extern const char *const session_rescreen_questions[];
extern const char *const session_rescreen_treatments[];

/* The longest text of one line, and of notes, in code points. */
#define SESSION_LINE_MAX 200
#define SESSION_NOTES_MAX 4000
#define SESSION_NUMBER_MAX 100

/* Stored area codes as people read them: "mid-scalp, crown" (allocated;
 * NULL when out of memory). */
char *session_areas_shown(const char *codes);

/* The field called id, or NULL. */
const struct session_field *session_field_find(const char *id);

/* True when id is one of session_rescreen_questions[]. */
bool session_rescreen_asks(const char *id);

/* Reads input (one answer, without its line end) for field f: typed is
 * true for what a person typed at a terminal or through a pipe (dates also
 * in the studio's form, today, +3d; areas and ID kinds with spaces or
 * hyphens), false for a file or an import (stored forms only).  An empty
 * answer leaves an optional field unanswered (*value NULL).  Returns 0
 * with *value the stored form (allocated; NULL when none), or -1 with a
 * one-line reason in why (never the value). */
int session_read_answer(const struct session_field *f, const char *input, bool typed,
			enum date_form form, struct date today, char **value, char *why,
			size_t n);

/* Stores value (stored form, as session_read_answer() gives it; NULL:
 * none) as field id of s, replacing what was there.  Returns 0, or -1
 * when id is not a field or out of memory. */
int session_set(struct session *s, const char *id, const char *value);

/* The stored form of field id of s (allocated), or NULL when none. */
char *session_get(const struct session *s, const char *id);

/* The checks of session_check() that tie field id to the fields before it
 * in session_fields[] order, for a walk to ask again at once: performed_on
 * not after today and, with client (NULL: not checked), the client at
 * least st->minimum_age on it; lot_expiry not before performed_on (an
 * expired lot); countersigned the artist's name.  Other ids pass.  Returns
 * 0, or -1 with a one-line reason in why. */
int session_check_answer(const struct session *s, const char *id, const struct answers *client,
			 const struct settings *st, struct date today, char *why, size_t n);

/* Every check a session must pass however it arrives: performed_on a real
 * date and not after today; lot_expiry (YYYY-MM-DD or YYYY-MM, a month
 * meaning its last day) not before performed_on ("an expired lot is
 * refused"); areas known codes in their order; number 1 to
 * SESSION_NUMBER_MAX; the text fields within their lengths and without
 * control characters (notes may hold line breaks); artist, id_checked
 * (one of session_id_kinds[]) and countersigned given, the countersignature
 * the artist's name; rescreen unchanged or changed; a reaction none, mild
 * or marked, only on a patch test.  With client (the client's answers;
 * NULL: not checked) also the client's age on performed_on at least
 * st->minimum_age and client_ack, when given, the client's first and last
 * name.  Returns 0, or -1 with a one-line reason in why (naming the
 * field, never the value). */
int session_check(const struct session *s, const struct answers *client,
		  const struct settings *st, struct date today, char *why, size_t n);

#endif
