/* json.c - the --answers input and the export objects (every intake, or
 * one client's whole record), through cJSON. */
#include "json.h"

#include <cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void json_answers_free(struct json_answers *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->count; i++) {
		free(a->item[i].id);
		free(a->item[i].value);
	}
	free(a->item);
	a->item = NULL;
	a->count = 0;
}

static int take_answer(struct json_answers *out, const cJSON *v, char *why, size_t n)
{
	const char *id = v->string;
	int qi = questionnaire_index(id);
	const char *value = NULL;
	struct json_answer *it;

	if (qi < 0) {
		snprintf(why, n, "answers: unknown question id '%.40s'", id);
		return -1;
	}
	for (size_t i = 0; i < out->count; i++) {
		if (strcmp(out->item[i].id, id) == 0) {
			snprintf(why, n, "answers: '%s' is given twice", id);
			return -1;
		}
	}
	if (cJSON_IsString(v)) {
		value = v->valuestring;
	} else if (cJSON_IsBool(v) && questionnaire[qi].type == Q_YESNO) {
		value = cJSON_IsTrue(v) ? "yes" : "no";
	} else if (!cJSON_IsNull(v)) {
		snprintf(why, n, "answers: '%s' must be %s", id,
			 questionnaire[qi].type == Q_YESNO ? "true, false, \"yes\" or \"no\"" : "a string");
		return -1;
	}
	it = &out->item[out->count];
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

/* True when s[0..n) is spaces, tabs and line ends only (the text need not
 * end in a NUL, so strspn() would read past it). */
static bool only_blanks(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr(" \t\r\n", s[i]) || s[i] == '\0')
			return false;
	return true;
}

/* True when a string in the (valid) JSON text holds the escape \u0000:
 * cJSON would silently cut the string there.  Sets *in_key when that
 * string is itself a key, and copies into key (as written in the file) the
 * name of the member it belongs to ("" when it is in no object). */
static bool has_nul_escape(const char *text, size_t len, bool *in_key, char *key, size_t keylen)
{
	size_t start = 0, name = 0, name_len = 0;
	bool in_string = false, nul = false;

	key[0] = '\0';
	for (size_t i = 0; i < len; i++) {
		if (!in_string) {
			if (text[i] == '"') {
				in_string = true;
				start = i + 1;
			}
			continue;
		}
		if (text[i] == '\\' && i + 1 < len) {
			if (text[i + 1] == 'u' && i + 5 < len && memcmp(text + i + 2, "0000", 4) == 0)
				nul = true;
			i++;
			continue;
		}
		if (text[i] != '"')
			continue;
		in_string = false;
		/* A string followed by a colon is a key. */
		size_t j = i + 1;
		while (j < len && strchr(" \t\r\n", text[j]) && text[j] != '\0')
			j++;
		*in_key = j < len && text[j] == ':';
		if (*in_key) {
			name = start;
			name_len = i - start;
		}
		if (nul) {
			if (name_len || *in_key)
				snprintf(key, keylen, "%.*s", (int)(name_len < 40 ? name_len : 40),
					 text + name);
			return true;
		}
	}
	return false;
}

int json_read_answers(const char *text, size_t len, struct json_answers *out, char *why,
		      size_t whylen)
{
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	const cJSON *answers = NULL, *v;
	size_t count = 0;
	char key[48];
	bool in_key = false;
	int rc = -1;

	out->item = NULL;
	out->count = 0;
	if (memchr(text, '\0', len)) {
		snprintf(why, whylen, "the file holds a NUL byte, which JSON text cannot");
		goto out;
	}
	if (root && end && !only_blanks(end, len - (size_t)(end - text))) {
		snprintf(why, whylen, "not valid JSON (text after the object, at byte %ld)",
			 (long)(end - text));
		goto out;
	}
	if (root && has_nul_escape(text, len, &in_key, key, sizeof key)) {
		if (in_key || !key[0])
			snprintf(why, whylen,
				 "a %s holds a NUL character (\\u0000), which is not allowed",
				 in_key ? "key" : "string");
		else
			snprintf(why, whylen,
				 "answers: '%s' holds a NUL character (\\u0000), which is not allowed",
				 key);
		goto out;
	}
	if (!root) {
		const char *at = cJSON_GetErrorPtr();
		snprintf(why, whylen, "not valid JSON (near byte %ld)",
			 at && at >= text && at <= text + len ? (long)(at - text) : 0L);
		return -1;
	}
	if (!cJSON_IsObject(root)) {
		snprintf(why, whylen, "expected a JSON object {\"answers\": {...}}");
		goto out;
	}
	cJSON_ArrayForEach(v, root) {
		if (strcmp(v->string, "answers") != 0) {
			snprintf(why, whylen, "unknown key '%.40s' (expected only \"answers\")", v->string);
			goto out;
		}
		if (answers) {
			snprintf(why, whylen, "'answers' is given twice");
			goto out;
		}
		answers = v;
	}
	if (!cJSON_IsObject(answers)) {
		snprintf(why, whylen, "expected \"answers\" to be an object of question ids");
		goto out;
	}
	cJSON_ArrayForEach(v, answers)
		count++;
	if (count && !(out->item = calloc(count, sizeof *out->item))) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	cJSON_ArrayForEach(v, answers) {
		if (take_answer(out, v, why, whylen) < 0)
			goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		json_answers_free(out);
	cJSON_Delete(root);
	return rc;
}

/* Adds name: string, or null for a missing value.  False when out of memory. */
static bool add_text(cJSON *obj, const char *name, const char *s)
{
	return (s ? cJSON_AddStringToObject(obj, name, s) : cJSON_AddNullToObject(obj, name)) != NULL;
}

/* Adds name: the value of a yes/no question as a boolean, else as text;
 * null for none. */
static bool add_answer(cJSON *obj, const struct question *q, const char *v)
{
	if (v && q->type == Q_YESNO)
		return cJSON_AddBoolToObject(obj, q->id, strcmp(v, "yes") == 0) != NULL;
	return add_text(obj, q->id, v);
}

static bool add_gp_signoff(cJSON *obj, const struct answers *a)
{
	cJSON *gp = cJSON_AddObjectToObject(obj, "gp_signoff");

	return gp && add_text(gp, "status", answers_signoff_status(a)) &&
	       add_text(gp, "gp_name", answers_get(a, "gp_name")) &&
	       add_text(gp, "date", answers_get(a, "gp_signoff_date"));
}

static bool add_answers(cJSON *obj, const struct answers *a)
{
	cJSON *answers = cJSON_AddObjectToObject(obj, "answers");

	if (!answers)
		return false;
	for (size_t i = 0; i < questionnaire_count; i++) {
		const struct question *q = &questionnaire[i];
		const char *v = a->value[i];

		if (!v || q->client_field)
			continue;
		if (!add_answer(answers, q, v))
			return false;
	}
	return true;
}

static bool add_advice(cJSON *obj, const struct advice_sheet *sheet)
{
	cJSON *list = cJSON_AddArrayToObject(obj, "advice");

	if (!list)
		return false;
	for (size_t i = 0; i < sheet->count; i++) {
		cJSON *item = cJSON_CreateObject();
		if (!item)
			return false;
		if (!cJSON_AddItemToArray(list, item))
			return cJSON_Delete(item), false;
		if (!add_text(item, "id", sheet->item[i].id) ||
		    !add_text(item, "text", sheet->item[i].text))
			return false;
	}
	return true;
}

char *json_intake(const struct intake *in)
{
	const struct answers *a = &in->answers;
	cJSON *obj = cJSON_CreateObject(), *client;
	char *out = NULL;

	if (!obj)
		return NULL;
	if (!cJSON_AddNumberToObject(obj, "id", (double)in->id) ||
	    !add_text(obj, "uuid", in->uuid) || !add_text(obj, "taken_at", in->taken_at) ||
	    !add_text(obj, "staff", in->staff) ||
	    !(client = cJSON_AddObjectToObject(obj, "client")) ||
	    !cJSON_AddNumberToObject(client, "id", (double)in->client_id) ||
	    !add_text(client, "first_name", answers_get(a, "first_name")) ||
	    !add_text(client, "last_name", answers_get(a, "last_name")) ||
	    !add_text(client, "date_of_birth", answers_get(a, "date_of_birth")) ||
	    !add_text(client, "phone", answers_get(a, "phone")) ||
	    !add_text(client, "email", answers_get(a, "email")) || !add_answers(obj, a) ||
	    !add_advice(obj, &in->advice) || !add_gp_signoff(obj, a))
		goto out;
	out = cJSON_PrintUnformatted(obj);
out:
	cJSON_Delete(obj);
	return out;
}

/* Adds an empty array name to obj and returns it, or NULL. */
static cJSON *add_list(cJSON *obj, const char *name)
{
	return cJSON_AddArrayToObject(obj, name);
}

/* Appends a new object to list and returns it, or NULL. */
static cJSON *add_item(cJSON *list)
{
	cJSON *item = cJSON_CreateObject();

	if (item && !cJSON_AddItemToArray(list, item)) {
		cJSON_Delete(item);
		return NULL;
	}
	return item;
}

/* Adds name: id as a number, or null for 0 (none). */
static bool add_id(cJSON *obj, const char *name, long long id)
{
	if (!id)
		return cJSON_AddNullToObject(obj, name) != NULL;
	return cJSON_AddNumberToObject(obj, name, (double)id) != NULL;
}

static bool add_subject_client(cJSON *obj, const struct subject *s)
{
	cJSON *c = cJSON_AddObjectToObject(obj, "client");

	return c && add_id(c, "id", s->client_id) &&
	       add_text(c, "first_name", answers_get(&s->client, "first_name")) &&
	       add_text(c, "last_name", answers_get(&s->client, "last_name")) &&
	       add_text(c, "date_of_birth", answers_get(&s->client, "date_of_birth")) &&
	       add_text(c, "phone", answers_get(&s->client, "phone")) &&
	       add_text(c, "email", answers_get(&s->client, "email")) &&
	       add_text(c, "created_at", s->created_at);
}

static bool add_subject_intake(cJSON *list, const struct subject_intake *it)
{
	const struct intake *in = &it->in;
	cJSON *obj = add_item(list), *sheets, *signoffs;

	if (!obj || !add_id(obj, "id", in->id) || !add_text(obj, "uuid", in->uuid) ||
	    !add_text(obj, "taken_at", in->taken_at) || !add_text(obj, "staff", in->staff) ||
	    !cJSON_AddNumberToObject(obj, "revision", (double)in->revision) ||
	    !add_answers(obj, &in->answers) || !add_gp_signoff(obj, &in->answers) ||
	    !(sheets = add_list(obj, "advice_sheets")) || !(signoffs = add_list(obj, "signoffs")))
		return false;
	for (size_t i = 0; i < it->sheets; i++) {
		cJSON *sheet = add_item(sheets);
		double number = (double)it->sheet[i].number;
		if (!sheet || !cJSON_AddNumberToObject(sheet, "sheet", number) ||
		    !add_advice(sheet, &it->sheet[i].advice))
			return false;
	}
	for (size_t i = 0; i < it->signoffs; i++) {
		const struct signoff *so = &it->signoff[i];
		cJSON *row = add_item(signoffs);
		if (!row || !add_text(row, "status", so->status) ||
		    !add_text(row, "gp_name", so->gp_name) ||
		    !add_text(row, "signed_on", so->signed_on) ||
		    !add_text(row, "reference", so->reference) ||
		    !add_text(row, "recorded_at", so->recorded_at) ||
		    !add_text(row, "staff", so->staff))
			return false;
	}
	return true;
}

static bool add_subject_draft(cJSON *list, const struct draft *d)
{
	cJSON *obj = add_item(list), *answers;

	if (!obj || !add_id(obj, "id", d->id) || !add_id(obj, "intake_id", d->intake_id) ||
	    !add_text(obj, "started_at", d->started_at) ||
	    !add_text(obj, "updated_at", d->updated_at) || !add_text(obj, "staff", d->staff) ||
	    !add_text(obj, "next_question", d->next_question) ||
	    !(answers = cJSON_AddObjectToObject(obj, "answers")))
		return false;
	for (size_t i = 0; i < questionnaire_count; i++)
		if (d->has[i] && !add_answer(answers, &questionnaire[i], d->answers.value[i]))
			return false;
	return true;
}

static bool add_subject_audit(cJSON *list, const struct audit_entry *e)
{
	cJSON *obj = add_item(list), *changes;

	if (!obj || !add_id(obj, "id", e->id) || !add_text(obj, "at", e->at) ||
	    !add_text(obj, "staff", e->staff) || !add_text(obj, "action", e->action) ||
	    !add_id(obj, "intake_id", e->intake_id) || !(changes = add_list(obj, "changes")))
		return false;
	for (size_t i = 0; i < e->count; i++) {
		cJSON *c = add_item(changes);
		if (!c || !add_text(c, "field", e->change[i].field) ||
		    !add_text(c, "old_value", e->change[i].old_value) ||
		    !add_text(c, "new_value", e->change[i].new_value))
			return false;
	}
	return true;
}

char *json_subject(const struct subject *s, const char *exported_at)
{
	cJSON *obj = cJSON_CreateObject(), *intakes, *drafts, *audit;
	char *out = NULL;
	bool ok;

	if (!obj)
		return NULL;
	ok = add_text(obj, "exported_at", exported_at) && add_subject_client(obj, s) &&
	     (intakes = add_list(obj, "intakes")) && (drafts = add_list(obj, "drafts")) &&
	     (audit = add_list(obj, "audit"));
	for (size_t i = 0; ok && i < s->intakes; i++)
		ok = add_subject_intake(intakes, &s->intake[i]);
	for (size_t i = 0; ok && i < s->drafts; i++)
		ok = add_subject_draft(drafts, &s->draft[i]);
	for (size_t i = 0; ok && i < s->audits; i++)
		ok = add_subject_audit(audit, &s->audit[i]);
	if (ok)
		out = cJSON_PrintUnformatted(obj);
	cJSON_Delete(obj);
	return out;
}
