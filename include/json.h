/* json.h - reading answers from JSON and writing intakes (or all of one
 * client's records) as JSON.  The only module that talks to cJSON. */
#ifndef SMP_JSON_H
#define SMP_JSON_H

#include <stddef.h>

#include "intake.h"

/* One answer as found in an --answers file: booleans become "yes"/"no",
 * null becomes a NULL value (left empty). */
struct json_answer {
	char *id;
	char *value;
};

struct json_answers {
	struct json_answer *item;
	size_t count;
};

/* Parses {"answers": {"first_name": "Ana", ...}}.  Checks the shape only:
 * known question ids (and acknowledged_by), no duplicates, strings (or
 * booleans for yes/no questions, arrays of strings for questions with
 * several choices, or null).  Returns 0, or -1 with a one-line reason in why
 * (naming the field, never its value). */
int json_read_answers(const char *text, size_t len, struct json_answers *out, char *why,
		      size_t whylen);

/* The key beside the question ids that carries the client's
 * acknowledgement: their full name, typed after reading the advice. */
#define JSON_ACKNOWLEDGED_BY "acknowledged_by"

/* The value given for id (a question id or JSON_ACKNOWLEDGED_BY), or NULL
 * when absent or null. */
const char *json_answers_get(const struct json_answers *a, const char *id);

/* Frees what json_read_answers() filled; accepts NULL. */
void json_answers_free(struct json_answers *a);

/* The export object of one intake (docs/export.md), printed without
 * layout.  Returns allocated memory the caller frees, or NULL when out of
 * memory. */
char *json_intake(const struct intake *in);

/* Writes export objects of many intakes, fast: see json.c. */
struct json_writer;

/* A writer, or NULL when out of memory. */
struct json_writer *json_writer_new(void);

/* Frees; accepts NULL. */
void json_writer_free(struct json_writer *w);

/* The export object of in (as json_intake()), in the writer's buffer,
 * valid until the next call; its length in *len.  NULL when out of
 * memory. */
const char *json_writer_intake(struct json_writer *w, const struct intake *in, size_t *len);

struct json_course;

/* Adds the course of intake intake_id to c (json_course_session() and
 * the others); returns 0, a positive number when out of memory, or a
 * negative one when it failed and reported why. */
typedef int json_course_fill(long long intake_id, struct json_course *c, void *arg);

/* Everything stored about one client (docs/export.md, "One client's
 * records"), made at exported_at (UTC), printed without layout; each
 * intake ends with its course as format 3's do ("sessions", "photos",
 * "consents"), which fill(intake id, course, arg) gathers.  Returns
 * allocated memory the caller frees, or NULL when out of memory or when
 * fill failed (*failed set: it reported why). */
char *json_subject(const struct subject *s, const char *exported_at, json_course_fill *fill,
		   void *arg, bool *failed);

/* One field of a row json_row() writes: a number when text is NULL. */
struct json_field {
	const char *key;
	const char *text; /* NULL: number is the value */
	long long number;
};

/* The JSON object {key: value, ...} of n fields, in their order, printed
 * without layout (one row of `list` or `find --format json`).  Returns
 * allocated memory the caller frees, or NULL when out of memory. */
char *json_row(const struct json_field *field, size_t n);

/* A session as `session list --format json` prints it: its id,
 * intake_id and client_id, then the keys of a session in format 3
 * (docs/export.md), without layout.  Returns allocated memory the caller
 * frees, or NULL when out of memory. */
char *json_session_row(const struct session *s);

/* The course of an intake in format 3 (docs/export.md): its sessions,
 * photo metadata and consents, gathered one by one and printed as the
 * text `"sessions":[...],"photos":[...],"consents":[...]` that ends the
 * intake's object.  Each add returns 0, or -1 when out of memory. */
struct json_course *json_course_new(void);
void json_course_free(struct json_course *c);
int json_course_session(struct json_course *c, const struct session *s);
int json_course_photo(struct json_course *c, const struct photo *p, const char *session_uuid);
int json_course_consent(struct json_course *c, const struct consent_row *r);
/* The text of what was added (valid until the next call), and empties
 * the lists; NULL when out of memory. */
const char *json_course_text(struct json_course *c, size_t *len);

/* The JSON object text object with key added: a list of rows objects of
 * per_row fields each (field holds rows * per_row, row by row).  Returns
 * the new text (free it), or NULL when object is not an object or out of
 * memory.  (The photo files of a subject access export.) */
char *json_add_rows(const char *object, const char *key, const struct json_field *field,
		    size_t per_row, size_t rows);

#endif
