/* json_session.h - reading a session's answers from an --answers file
 * (src/json_session.c; the keys are session.h's ids). */
#ifndef SMP_JSON_SESSION_H
#define SMP_JSON_SESSION_H

#include <stddef.h>

#include "json.h"

/* What an answers file says about the re-screening. */
enum json_rescreen { JSON_RESCREEN_ABSENT, JSON_RESCREEN_UNCHANGED, JSON_RESCREEN_CHANGED };

/* Parses a session's answers file: one JSON object whose keys are the ids
 * of session_fields[], client_ack, override_reason and rescreen.  Values:
 * strings; session_number also a whole number; patch_test also true or
 * false; areas also an array of codes; null for none.  rescreen is
 * {"changed": false} or {"changed": true, "answers": {question_id: value}}
 * (values as `new --answers` takes them), its answers into *rescreen.
 * Checks the shape only (known keys, no duplicates, types).  Returns 0, or
 * -1 with a one-line reason in why (naming the key, never its value). */
int json_read_session(const char *text, size_t len, struct json_answers *fields,
		      enum json_rescreen *changed, struct json_answers *rescreen, char *why,
		      size_t n);

#endif
