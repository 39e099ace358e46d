/* json_session.c - a session's --answers file read with cJSON into plain
 * id/value pairs (the checks of the values are session.c's). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "json_session.h"
#include "questionnaire.h"
#include "session.h"
#include "text.h"

/* Adds id: value (NULL: none) to out, which has room. */
static int add(struct json_answers *out, const char *id, const char *value, char *why, size_t n)
{
	struct json_answer *it = &out->item[out->count];

	it->id = strdup(id);
	it->value = value ? strdup(value) : NULL;
	if (!it->id || (value && !it->value)) {
		free(it->id);
		free(it->value);
		snprintf(why, n, "out of memory");
		return -1;
	}
	out->count++;
	return 0;
}

/* Strings of an array joined with commas (allocated), or NULL when an item
 * is not a string. */
static char *joined(const cJSON *v)
{
	const cJSON *item;
	size_t len = 1;
	char *out;

	cJSON_ArrayForEach(item, v) {
		if (!cJSON_IsString(item))
			return NULL;
		len += strlen(item->valuestring) + 1;
	}
	if (!(out = calloc(1, len)))
		return NULL;
	cJSON_ArrayForEach(item, v) {
		if (out[0])
			strcat(out, ",");
		strcat(out, item->valuestring);
	}
	return out;
}

/* One value as text: strings as they are, booleans yes/no (when bools),
 * whole numbers (when numbers), arrays of strings joined (when arrays),
 * null as none.  Returns 0 with *text allocated or NULL, or -1. */
static int value_text(const cJSON *v, bool bools, bool numbers, bool arrays, char **text)
{
	char buf[32];

	*text = NULL;
	if (cJSON_IsNull(v))
		return 0;
	if (cJSON_IsString(v))
		return (*text = strdup(v->valuestring)) ? 0 : -1;
	if (bools && cJSON_IsBool(v))
		return (*text = strdup(cJSON_IsTrue(v) ? "yes" : "no")) ? 0 : -1;
	if (numbers && cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 1e9 &&
	    v->valuedouble == (double)(long long)v->valuedouble) {
		snprintf(buf, sizeof buf, "%lld", (long long)v->valuedouble);
		return (*text = strdup(buf)) ? 0 : -1;
	}
	if (arrays && cJSON_IsArray(v))
		return (*text = joined(v)) ? 0 : -1;
	return -1;
}

static bool seen(const struct json_answers *a, const char *id)
{
	for (size_t i = 0; i < a->count; i++)
		if (strcmp(a->item[i].id, id) == 0)
			return true;
	return false;
}

static int read_rescreen(const cJSON *r, enum json_rescreen *changed, struct json_answers *out,
			 char *why, size_t n)
{
	const cJSON *c = NULL, *answers = NULL, *ack = NULL, *v;
	size_t count = 1;

	if (!cJSON_IsObject(r)) {
		snprintf(why, n, "rescreen: expected {\"changed\": false} or {\"changed\": true, "
				 "\"answers\": {...}}");
		return -1;
	}
	cJSON_ArrayForEach(v, r) {
		if (strcmp(v->string, "changed") == 0 && !c)
			c = v;
		else if (strcmp(v->string, "answers") == 0 && !answers)
			answers = v;
		else if (strcmp(v->string, "acknowledged_by") == 0 && !ack)
			ack = v;
		else {
			snprintf(why, n, "rescreen: unknown or repeated key (expected changed, answers "
					 "and acknowledged_by)");
			return -1;
		}
	}
	if (!cJSON_IsBool(c)) {
		snprintf(why, n, "rescreen: 'changed' must be true or false");
		return -1;
	}
	*changed = cJSON_IsTrue(c) ? JSON_RESCREEN_CHANGED : JSON_RESCREEN_UNCHANGED;
	if (!answers) {
		if (*changed == JSON_RESCREEN_CHANGED) {
			snprintf(why, n, "rescreen: 'changed': true needs 'answers' (the new answers)");
			return -1;
		}
		return 0;
	}
	if (*changed == JSON_RESCREEN_UNCHANGED || !cJSON_IsObject(answers)) {
		snprintf(why, n, "rescreen: 'answers' must be an object, with 'changed': true");
		return -1;
	}
	cJSON_ArrayForEach(v, answers)
		count++;
	if (count && !(out->item = calloc(count, sizeof *out->item))) {
		snprintf(why, n, "out of memory");
		return -1;
	}
	if (ack && !cJSON_IsString(ack) && !cJSON_IsNull(ack)) {
		snprintf(why, n, "rescreen: 'acknowledged_by' must be a string");
		return -1;
	}
	if (ack && cJSON_IsString(ack) && add(out, "acknowledged_by", ack->valuestring, why, n) < 0)
		return -1;
	cJSON_ArrayForEach(v, answers) {
		char *text;
		if (!session_rescreen_asks(v->string)) {
			snprintf(why, n, "rescreen: '%.48s' is not a question the re-screening asks",
				 text_is_utf8(v->string, strlen(v->string)) ? v->string : "?");
			return -1;
		}
		if (seen(out, v->string)) {
			snprintf(why, n, "rescreen: '%s' is given twice", v->string);
			return -1;
		}
		if (value_text(v, true, false, true, &text) < 0) {
			snprintf(why, n, "rescreen: '%s' must be a string, true/false or an array of "
					 "strings",
				 v->string);
			return -1;
		}
		int rc = add(out, v->string, text, why, n);
		free(text);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int json_read_session(const char *text, size_t len, struct json_answers *fields,
		      enum json_rescreen *changed, struct json_answers *rescreen, char *why,
		      size_t n)
{
	const char *end = NULL;
	cJSON *root = NULL;
	const cJSON *v;
	size_t count = 0;
	int rc = -1;

	fields->item = rescreen->item = NULL;
	fields->count = rescreen->count = 0;
	*changed = JSON_RESCREEN_ABSENT;
	if (memchr(text, '\0', len) || strstr(text, "\\u0000")) {
		snprintf(why, n, "the file holds a NUL character, which is not allowed");
		return -1;
	}
	if (!(root = cJSON_ParseWithLengthOpts(text, len, &end, 0))) {
		snprintf(why, n, "not valid JSON");
		return -1;
	}
	if (end && strspn(end, " \t\r\n") != len - (size_t)(end - text)) {
		snprintf(why, n, "not valid JSON (text after the object)");
		goto out;
	}
	if (!cJSON_IsObject(root)) {
		snprintf(why, n, "expected a JSON object of the session's answers");
		goto out;
	}
	cJSON_ArrayForEach(v, root)
		count++;
	if (count && !(fields->item = calloc(count, sizeof *fields->item))) {
		snprintf(why, n, "out of memory");
		goto out;
	}
	cJSON_ArrayForEach(v, root) {
		const struct session_field *f = session_field_find(v->string);
		char *value;
		int added;

		if (!text_is_utf8(v->string, strlen(v->string))) {
			snprintf(why, n, "a key is not valid UTF-8 text");
			goto out;
		}
		if (seen(fields, v->string) ||
		    (strcmp(v->string, SESSION_RESCREEN) == 0 && *changed != JSON_RESCREEN_ABSENT)) {
			snprintf(why, n, "'%.48s' is given twice", v->string);
			goto out;
		}
		if (strcmp(v->string, SESSION_RESCREEN) == 0) {
			if (read_rescreen(v, changed, rescreen, why, n) < 0)
				goto out;
			continue;
		}
		if (!f && strcmp(v->string, SESSION_CLIENT_ACK) != 0 &&
		    strcmp(v->string, SESSION_OVERRIDE) != 0) {
			snprintf(why, n, "unknown key '%.48s' (see `smp-intake session new --help`)",
				 v->string);
			goto out;
		}
		if (value_text(v, f && f->kind == SK_YESNO, f && f->kind == SK_NUMBER,
			       f && f->kind == SK_AREAS, &value) < 0) {
			snprintf(why, n, "'%s' must be %s", v->string,
				 f && f->kind == SK_YESNO    ? "true, false, \"yes\" or \"no\""
				 : f && f->kind == SK_NUMBER ? "a whole number"
				 : f && f->kind == SK_AREAS  ? "an array of area codes or a string"
							     : "a string");
			goto out;
		}
		added = add(fields, v->string, value, why, n);
		free(value);
		if (added < 0)
			goto out;
	}
	rc = 0;
out:
	if (rc < 0) {
		json_answers_free(fields);
		json_answers_free(rescreen);
	}
	cJSON_Delete(root);
	return rc;
}
