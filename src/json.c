/* json.c - the --answers input and the export objects (every intake, or
 * one client's whole record), through cJSON. */
#include "json.h"

#include <cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* The most columns of a key an error quotes. */
#define KEY_QUOTED_MAX 32

/* A key of the file as an error may quote it, into out: made safe for a
 * terminal (text_safe()) and cut at a character to KEY_QUOTED_MAX columns,
 * ending in "..." when cut.  A mistyped key can be client data (a name
 * typed where a question id belongs), so no error quotes more of it, and
 * none quotes a value at all. */
static void quote_key(const char *key, char *out, size_t n)
{
	char *safe = text_safe(key, false), *fitted = safe ? text_fit(safe, KEY_QUOTED_MAX) : NULL;

	snprintf(out, n, "%s", fitted ? fitted : "?");
	free(fitted);
	free(safe);
}

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

/* The strings of array v joined by commas, as typed answers to a question
 * with several choices are (question_check() then checks each one).
 * Returns 0, or -1 when an item is not a string (or out of memory, with
 * *out NULL: the caller reports either as a bad shape... or memory). */
static int join_choices(const cJSON *v, char **out)
{
	const cJSON *item;
	size_t len = 1;

	*out = NULL;
	cJSON_ArrayForEach(item, v) {
		if (!cJSON_IsString(item) || strchr(item->valuestring, ','))
			return -1;
		len += strlen(item->valuestring) + 1;
	}
	if (!(*out = malloc(len)))
		return -1;
	(*out)[0] = '\0';
	cJSON_ArrayForEach(item, v) {
		if ((*out)[0])
			strcat(*out, ",");
		strcat(*out, item->valuestring);
	}
	return 0;
}

static int take_answer(struct json_answers *out, const cJSON *v, char *why, size_t n)
{
	const char *id = v->string;
	int qi = questionnaire_index(id);
	const char *value = NULL;
	char *joined = NULL;
	struct json_answer *it;
	bool ack = strcmp(id, JSON_ACKNOWLEDGED_BY) == 0;

	if (qi < 0 && !ack) {
		char quoted[4 * KEY_QUOTED_MAX + 8];
		quote_key(id, quoted, sizeof quoted);
		snprintf(why, n, "answers: unknown question id '%s' (see smp-intake questionnaire)",
			 quoted);
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
	} else if (!ack && cJSON_IsBool(v) && questionnaire[qi].type == Q_YESNO) {
		value = cJSON_IsTrue(v) ? "yes" : "no";
	} else if (!ack && cJSON_IsArray(v) && questionnaire[qi].several) {
		if (join_choices(v, &joined) < 0) {
			snprintf(why, n, "answers: '%s' must be an array of strings", id);
			return -1;
		}
		value = joined;
	} else if (!cJSON_IsNull(v)) {
		snprintf(why, n, "answers: '%s' must be %s", id,
			 ack ? "a string"
			 : questionnaire[qi].type == Q_YESNO ? "true, false, \"yes\" or \"no\""
			 : questionnaire[qi].several ? "an array of strings or a string"
						     : "a string");
		return -1;
	}
	it = &out->item[out->count];
	it->id = strdup(id);
	it->value = value ? strdup(value) : NULL;
	free(joined);
	if (!it->id || (value && !it->value)) {
		free(it->id);
		free(it->value);
		snprintf(why, n, "out of memory");
		return -1;
	}
	out->count++;
	return 0;
}

const char *json_answers_get(const struct json_answers *a, const char *id)
{
	for (size_t i = 0; i < a->count; i++)
		if (strcmp(a->item[i].id, id) == 0)
			return a->item[i].value;
	return NULL;
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
		char quoted[4 * KEY_QUOTED_MAX + 8];
		quote_key(key, quoted, sizeof quoted);
		if (in_key || !key[0])
			snprintf(why, whylen,
				 "a %s holds a NUL character (\\u0000), which is not allowed",
				 in_key ? "key" : "string");
		else
			snprintf(why, whylen,
				 "answers: '%s' holds a NUL character (\\u0000), which is not allowed",
				 quoted);
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
			char quoted[4 * KEY_QUOTED_MAX + 8];
			quote_key(v->string, quoted, sizeof quoted);
			snprintf(why, whylen, "unknown key '%s' (expected only \"answers\")", quoted);
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

/* Adds name: the value of a yes/no question as a boolean, of a question
 * with several choices as an array of them, else as text; null for none. */
static bool add_answer(cJSON *obj, const struct question *q, const char *v)
{
	const char *picked[QUESTION_CHOICES_MAX];
	size_t n;
	cJSON *list;

	if (v && q->type == Q_YESNO)
		return cJSON_AddBoolToObject(obj, q->id, strcmp(v, "yes") == 0) != NULL;
	if (v && q->several && (n = answers_split(q, v, picked)) > 0) {
		if (!(list = cJSON_AddArrayToObject(obj, q->id)))
			return false;
		for (size_t i = 0; i < n; i++) {
			cJSON *item = cJSON_CreateString(picked[i]);
			if (!item || !cJSON_AddItemToArray(list, item))
				return cJSON_Delete(item), false;
		}
		return true;
	}
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

/* The version an intake carries; "" (an intake not from the database)
 * stands for this release's, as when it is saved. */
static const char *version_or(const char *v, const char *current)
{
	return v[0] ? v : current;
}

/* The clearance of flag f among in's, or NULL while it is open. */
static const struct clearance *clearance_of(const struct intake *in, const struct flag_rule *f)
{
	for (size_t i = 0; i < in->clearances; i++)
		if (strcmp(in->cleared[i].flag_id, f->id) == 0)
			return &in->cleared[i];
	return NULL;
}

static bool intake_ready(const struct intake *in)
{
	return !readiness_wait_reason(&in->answers, &in->ack, in->cleared, in->clearances);
}

/* The export object of an intake, made fast for a million of them
 * (docs/performance.md).  The tree is built once, with every node an
 * intake can need: keys are constants (cJSON_StringIsConst) and values are
 * references to the intake's own strings (cJSON_IsReference), so filling
 * it in allocates nothing; ids are raw nodes holding our own digits, which
 * spares cJSON's printing of doubles; the answers, advice and flags present
 * are linked into their parents for each intake (and the choices given
 * into the array of a question with several); and the tree is printed with
 * cJSON_PrintPreallocated() into a buffer kept from one intake to the
 * next. */
struct json_writer {
	cJSON *root, *id, *uuid, *taken_at, *staff, *questionnaire_version, *advice_version;
	cJSON *client_id, *client_value[CLIENT_FIELDS];
	cJSON *answers, *answer[QUESTIONS_MAX];
	/* A question with several choices: answer[] is an array whose items
	 * are choice[][] (each holding one of the question's choices), or,
	 * for a stored value that is no list of them, answer_text[] instead. */
	cJSON *choice[QUESTIONS_MAX][QUESTION_CHOICES_MAX], *answer_text[QUESTIONS_MAX];
	cJSON *advice_sheet;
	cJSON *advice, *advice_item[ADVICE_MAX], *advice_id[ADVICE_MAX], *advice_text[ADVICE_MAX];
	cJSON *gp_status, *gp_name, *gp_date;
	/* Each flag: id, status, then (cleared only) reason, cleared_by,
	 * cleared_at. */
	cJSON *flags, *flag[FLAGS_MAX], *flag_field[FLAGS_MAX][5];
	/* An object, or null: its type is switched, its children kept. */
	cJSON *ack, *ack_name, *ack_at, *ack_staff, *ack_sheet;
	/* Its "advice": the acknowledged sheet's words, linked after "sheet"
	 * only when that sheet is not the latest. */
	cJSON *ack_advice, *ack_item[ADVICE_MAX], *ack_item_id[ADVICE_MAX], *ack_item_text[ADVICE_MAX];
	cJSON *ready;
	char id_digits[24], client_digits[24], sheet_digits[24], ack_digits[24];
	char *buf;
	size_t cap;
};

static const char *const flag_keys[5] = { "id", "status", "reason", "cleared_by", "cleared_at" };

/* A leaf under key in parent (NULL: a detached node).  Its value is set
 * for each intake by set_text() and friends. */
static cJSON *leaf(cJSON *parent, const char *key)
{
	cJSON *item = cJSON_CreateNull();

	if (!item)
		return NULL;
	if (!parent) {
		item->string = (char *)key;
		item->type |= cJSON_StringIsConst;
		return item;
	}
	if (!cJSON_AddItemToObjectCS(parent, key, item)) {
		cJSON_Delete(item);
		return NULL;
	}
	return item;
}

static cJSON *branch(cJSON *parent, const char *key, bool array)
{
	cJSON *item = array ? cJSON_CreateArray() : cJSON_CreateObject();

	if (item && parent && !cJSON_AddItemToObjectCS(parent, key, item)) {
		cJSON_Delete(item);
		return NULL;
	}
	return item;
}

/* The node holds s (a reference: not copied, not freed), or null. */
static void set_text(cJSON *item, const char *s)
{
	item->type = (item->type & cJSON_StringIsConst) | (s ? cJSON_String | cJSON_IsReference : cJSON_NULL);
	item->valuestring = (char *)s;
}

static void set_bool(cJSON *item, bool yes)
{
	item->type = (item->type & cJSON_StringIsConst) | (yes ? cJSON_True : cJSON_False);
	item->valuestring = NULL;
}

/* The node holds id as a JSON integer written into digits. */
static void set_id(cJSON *item, char *digits, long long id)
{
	char tmp[24];
	size_t n = 0, k = 0;
	unsigned long long v = id < 0 ? 0ULL - (unsigned long long)id : (unsigned long long)id;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	if (id < 0)
		digits[k++] = '-';
	while (n)
		digits[k++] = tmp[--n];
	digits[k] = '\0';
	item->type = (item->type & cJSON_StringIsConst) | cJSON_Raw | cJSON_IsReference;
	item->valuestring = digits;
}

/* Makes items[0..n) the children of parent, in that order. */
static void relink(cJSON *parent, cJSON **items, size_t n)
{
	parent->child = n ? items[0] : NULL;
	for (size_t i = 0; i < n; i++) {
		items[i]->next = i + 1 < n ? items[i + 1] : NULL;
		items[i]->prev = i ? items[i - 1] : items[n - 1];
	}
}

/* How many of items[0..max) were made (they are made in order). */
static size_t made(cJSON *const *items, size_t max)
{
	size_t n = 0;

	while (n < max && items[n])
		n++;
	return n;
}

/* Deletes a pooled node that may be linked in its parent or not, with
 * every child it was made with (children[0..max), relinked first). */
static void delete_pooled(cJSON *item, cJSON **children, size_t max)
{
	if (!item)
		return;
	if (children)
		relink(item, children, made(children, max));
	item->next = item->prev = NULL;
	cJSON_Delete(item);
}

/* Links the acknowledgement's "advice" after its "sheet", or unlinks it. */
static void link_ack_advice(struct json_writer *w, bool linked)
{
	w->ack_sheet->next = linked ? w->ack_advice : NULL;
	w->ack_advice->prev = w->ack_sheet;
	w->ack_advice->next = NULL;
	w->ack_name->prev = linked ? w->ack_advice : w->ack_sheet;
}

void json_writer_free(struct json_writer *w)
{
	if (!w)
		return;
	/* The answers, advice items and flags linked for the last intake are
	 * freed below, one by one, with the children they were made with. */
	if (w->answers)
		w->answers->child = NULL;
	if (w->advice)
		w->advice->child = NULL;
	if (w->flags)
		w->flags->child = NULL;
	if (w->ack)
		w->ack->type = (w->ack->type & cJSON_StringIsConst) | cJSON_Object;
	if (w->ack_advice) {
		w->ack_advice->child = NULL;
		link_ack_advice(w, true);
	}
	cJSON_Delete(w->root);
	for (size_t i = 0; i < questionnaire_count; i++) {
		delete_pooled(w->answer[i], w->choice[i], QUESTION_CHOICES_MAX);
		delete_pooled(w->answer_text[i], NULL, 0);
	}
	for (size_t i = 0; i < ADVICE_MAX; i++) {
		delete_pooled(w->advice_item[i], NULL, 0);
		delete_pooled(w->ack_item[i], NULL, 0);
	}
	for (size_t i = 0; i < FLAGS_MAX; i++)
		delete_pooled(w->flag[i], w->flag_field[i], 5);
	free(w->buf);
	free(w);
}

/* The detached answer node of question q: a leaf, or for a question with
 * several choices an array of one leaf per choice (each holding it) and a
 * leaf for a value that is no list of them. */
static bool make_answer(struct json_writer *w, size_t qi)
{
	const struct question *q = &questionnaire[qi];
	cJSON *list;

	if (!q->several)
		return (w->answer[qi] = leaf(NULL, q->id)) != NULL;
	if (!(w->answer_text[qi] = leaf(NULL, q->id)) || !(list = cJSON_CreateArray()))
		return false;
	list->string = (char *)q->id;
	list->type |= cJSON_StringIsConst;
	w->answer[qi] = list;
	for (size_t c = 0; q->choices[c]; c++) {
		cJSON *item = cJSON_CreateNull();
		if (!item || !cJSON_AddItemToArray(list, item))
			return cJSON_Delete(item), false;
		set_text(item, q->choices[c]);
		w->choice[qi][c] = item;
	}
	return true;
}

struct json_writer *json_writer_new(void)
{
	struct json_writer *w = calloc(1, sizeof *w);
	cJSON *client, *gp;
	bool ok;

	if (!w)
		return NULL;
	ok = (w->root = branch(NULL, NULL, false)) && (w->id = leaf(w->root, "id")) &&
	     (w->uuid = leaf(w->root, "uuid")) && (w->taken_at = leaf(w->root, "taken_at")) &&
	     (w->staff = leaf(w->root, "staff")) &&
	     (w->questionnaire_version = leaf(w->root, "questionnaire_version")) &&
	     (w->advice_version = leaf(w->root, "advice_version")) &&
	     (client = branch(w->root, "client", false)) && (w->client_id = leaf(client, "id"));
	/* The client's details under their question ids, in table order. */
	for (size_t i = 0; ok && i < CLIENT_FIELDS; i++)
		ok = (w->client_value[i] = leaf(client, client_field_question(i)->id)) != NULL;
	ok = ok && (w->answers = branch(w->root, "answers", false)) &&
	     (w->advice_sheet = leaf(w->root, "advice_sheet")) &&
	     (w->advice = branch(w->root, "advice", true)) &&
	     (gp = branch(w->root, "gp_signoff", false)) &&
	     (w->gp_status = leaf(gp, "status")) && (w->gp_name = leaf(gp, "gp_name")) &&
	     (w->gp_date = leaf(gp, "date")) && (w->flags = branch(w->root, "flags", true)) &&
	     (w->ack = branch(w->root, "acknowledgement", false)) &&
	     (w->ack_name = leaf(w->ack, "typed_name")) && (w->ack_at = leaf(w->ack, "at")) &&
	     (w->ack_staff = leaf(w->ack, "staff")) && (w->ack_sheet = leaf(w->ack, "sheet")) &&
	     (w->ack_advice = branch(w->ack, "advice", true)) &&
	     (w->ready = leaf(w->root, "ready"));
	for (size_t i = 0; ok && i < questionnaire_count; i++)
		ok = make_answer(w, i);
	for (size_t i = 0; ok && i < ADVICE_MAX; i++)
		ok = (w->advice_item[i] = branch(NULL, NULL, false)) &&
		     (w->advice_id[i] = leaf(w->advice_item[i], "id")) &&
		     (w->advice_text[i] = leaf(w->advice_item[i], "text")) &&
		     (w->ack_item[i] = branch(NULL, NULL, false)) &&
		     (w->ack_item_id[i] = leaf(w->ack_item[i], "id")) &&
		     (w->ack_item_text[i] = leaf(w->ack_item[i], "text"));
	if (ok)
		link_ack_advice(w, false);
	for (size_t i = 0; ok && i < FLAGS_MAX; i++) {
		ok = (w->flag[i] = branch(NULL, NULL, false)) != NULL;
		for (size_t k = 0; ok && k < 5; k++)
			ok = (w->flag_field[i][k] = leaf(w->flag[i], flag_keys[k])) != NULL;
	}
	if (ok && (w->buf = malloc(16384)))
		w->cap = 16384;
	if (!ok || !w->buf) {
		json_writer_free(w);
		return NULL;
	}
	return w;
}

/* The answer node of question qi holding v: its choices linked into its
 * array when it has several. */
static cJSON *set_answer(struct json_writer *w, size_t qi, const char *v)
{
	const struct question *q = &questionnaire[qi];
	const char *picked[QUESTION_CHOICES_MAX];
	cJSON *items[QUESTION_CHOICES_MAX];
	size_t n;

	if (q->type == Q_YESNO) {
		set_bool(w->answer[qi], strcmp(v, "yes") == 0);
	} else if (!q->several) {
		set_text(w->answer[qi], v);
	} else if ((n = answers_split(q, v, picked)) > 0) {
		/* answers_split() keeps choices[] order: find each one's leaf. */
		for (size_t i = 0, c = 0; i < n; c++)
			if (q->choices[c] == picked[i])
				items[i++] = w->choice[qi][c];
		relink(w->answer[qi], items, n);
	} else {
		set_text(w->answer_text[qi], v);
		return w->answer_text[qi];
	}
	return w->answer[qi];
}

/* The flags the answers raise, in flag_rules[] order, each open or with
 * its clearance. */
static void set_flags(struct json_writer *w, const struct intake *in)
{
	size_t n = 0;

	for (size_t r = 0; r < flag_rule_count; r++) {
		const struct clearance *c;
		if (!flag_raised(&flag_rules[r], &in->answers))
			continue;
		c = clearance_of(in, &flag_rules[r]);
		set_text(w->flag_field[n][0], flag_rules[r].id);
		set_text(w->flag_field[n][1], c ? "cleared" : "open");
		if (c) {
			set_text(w->flag_field[n][2], c->reason);
			set_text(w->flag_field[n][3], c->staff);
			set_text(w->flag_field[n][4], c->at);
		}
		relink(w->flag[n], w->flag_field[n], c ? 5 : 2);
		n++;
	}
	relink(w->flags, w->flag, n);
}

const char *json_writer_intake(struct json_writer *w, const struct intake *in, size_t *len)
{
	static int client_qi[CLIENT_FIELDS] = { -1 }, gp_name_qi, gp_date_qi;
	const struct answers *a = &in->answers;
	cJSON *present[QUESTIONS_MAX];
	size_t n = 0;

	if (client_qi[0] < 0) {
		for (size_t i = 0; i < CLIENT_FIELDS; i++)
			client_qi[i] = (int)(client_field_question(i) - questionnaire);
		gp_name_qi = questionnaire_index("gp_name");
		gp_date_qi = questionnaire_index("gp_signoff_date");
	}
	set_id(w->id, w->id_digits, in->id);
	set_text(w->uuid, in->uuid);
	set_text(w->taken_at, in->taken_at);
	set_text(w->staff, in->staff);
	set_text(w->questionnaire_version,
		 version_or(in->questionnaire_version, QUESTIONNAIRE_VERSION));
	set_text(w->advice_version, version_or(in->advice_version, ADVICE_VERSION));
	set_id(w->client_id, w->client_digits, in->client_id);
	for (size_t i = 0; i < CLIENT_FIELDS; i++)
		set_text(w->client_value[i], a->value[client_qi[i]]);
	for (size_t i = 0; i < questionnaire_count; i++) {
		const char *v = a->value[i];
		if (v && !questionnaire[i].client_field)
			present[n++] = set_answer(w, i, v);
	}
	relink(w->answers, present, n);
	set_id(w->advice_sheet, w->sheet_digits, in->sheet > 0 ? in->sheet : 1);
	for (size_t i = 0; i < in->advice.count; i++) {
		set_text(w->advice_id[i], in->advice.item[i].id);
		set_text(w->advice_text[i], in->advice.item[i].text);
	}
	relink(w->advice, w->advice_item, in->advice.count);
	set_text(w->gp_status, answers_signoff_status(a));
	set_text(w->gp_name, a->value[gp_name_qi]);
	set_text(w->gp_date, a->value[gp_date_qi]);
	set_flags(w, in);
	w->ack->type = (w->ack->type & cJSON_StringIsConst) | (in->ack.sheet ? cJSON_Object : cJSON_NULL);
	if (in->ack.sheet) {
		set_text(w->ack_name, in->ack.typed_name);
		set_text(w->ack_at, in->ack.at);
		set_text(w->ack_staff, in->ack.staff);
		set_id(w->ack_sheet, w->ack_digits, in->ack.sheet);
	}
	for (size_t i = 0; i < in->ack_advice.count; i++) {
		set_text(w->ack_item_id[i], in->ack_advice.item[i].id);
		set_text(w->ack_item_text[i], in->ack_advice.item[i].text);
	}
	relink(w->ack_advice, w->ack_item, in->ack_advice.count);
	link_ack_advice(w, in->ack.sheet && in->ack_advice.count);
	set_bool(w->ready, intake_ready(in));
	/* The buffer grows until the object fits (notes can be long). */
	while (!cJSON_PrintPreallocated(w->root, w->buf, (int)w->cap, false)) {
		char *grown;
		if (w->cap >= (size_t)1 << 30 || !(grown = realloc(w->buf, w->cap * 2)))
			return NULL;
		w->buf = grown;
		w->cap *= 2;
	}
	*len = strlen(w->buf);
	return w->buf;
}

char *json_intake(const struct intake *in)
{
	struct json_writer *w = json_writer_new();
	const char *text;
	char *out = NULL;
	size_t len;

	if (w && (text = json_writer_intake(w, in, &len)))
		out = strdup(text);
	json_writer_free(w);
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

/* "flags": as json_writer_intake() writes them. */
static bool add_flags(cJSON *obj, const struct intake *in)
{
	cJSON *list = add_list(obj, "flags");

	if (!list)
		return false;
	for (size_t r = 0; r < flag_rule_count; r++) {
		const struct clearance *c;
		cJSON *flag;
		if (!flag_raised(&flag_rules[r], &in->answers))
			continue;
		c = clearance_of(in, &flag_rules[r]);
		if (!(flag = add_item(list)) || !add_text(flag, "id", flag_rules[r].id) ||
		    !add_text(flag, "status", c ? "cleared" : "open"))
			return false;
		if (c && (!add_text(flag, "reason", c->reason) ||
			  !add_text(flag, "cleared_by", c->staff) ||
			  !add_text(flag, "cleared_at", c->at)))
			return false;
	}
	return true;
}

/* "acknowledgement": as json_writer_intake() writes it. */
static bool add_acknowledgement(cJSON *obj, const struct intake *in)
{
	cJSON *ack;

	if (!in->ack.sheet)
		return cJSON_AddNullToObject(obj, "acknowledgement") != NULL;
	return (ack = cJSON_AddObjectToObject(obj, "acknowledgement")) &&
	       add_text(ack, "typed_name", in->ack.typed_name) && add_text(ack, "at", in->ack.at) &&
	       add_text(ack, "staff", in->ack.staff) && add_id(ack, "sheet", in->ack.sheet) &&
	       (!in->ack_advice.count || add_advice(ack, &in->ack_advice));
}

/* Adds to obj the course c gathered ("sessions", "photos", "consents"),
 * read back from its text (one client's records are small), and empties
 * c. */
static bool move_course(cJSON *obj, struct json_course *c)
{
	static const char *const name[] = { "sessions", "photos", "consents" };
	size_t n;
	const char *text = json_course_text(c, &n);
	char *whole = text ? malloc(n + 3) : NULL;
	cJSON *course;
	bool ok = true;

	if (!whole)
		return false;
	whole[0] = '{';
	memcpy(whole + 1, text, n);
	memcpy(whole + 1 + n, "}", 2);
	course = cJSON_Parse(whole);
	free(whole);
	for (size_t i = 0; ok && i < 3; i++) {
		cJSON *list = course ? cJSON_DetachItemFromObjectCaseSensitive(course, name[i]) : NULL;
		ok = list && cJSON_AddItemToObject(obj, name[i], list);
		if (!ok)
			cJSON_Delete(list);
	}
	cJSON_Delete(course);
	return ok;
}

static bool add_subject_intake(cJSON *list, const struct subject_intake *it,
			       struct json_course *course)
{
	const struct intake *in = &it->in;
	cJSON *obj = add_item(list), *sheets, *signoffs;

	if (!obj || !add_id(obj, "id", in->id) || !add_text(obj, "uuid", in->uuid) ||
	    !add_text(obj, "taken_at", in->taken_at) || !add_text(obj, "staff", in->staff) ||
	    !cJSON_AddNumberToObject(obj, "revision", (double)in->revision) ||
	    !add_text(obj, "questionnaire_version",
		      version_or(in->questionnaire_version, QUESTIONNAIRE_VERSION)) ||
	    !add_text(obj, "advice_version", version_or(in->advice_version, ADVICE_VERSION)) ||
	    !add_answers(obj, &in->answers) || !add_gp_signoff(obj, &in->answers) ||
	    !add_flags(obj, in) || !add_acknowledgement(obj, in) ||
	    !cJSON_AddBoolToObject(obj, "ready", intake_ready(in)) ||
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
	return move_course(obj, course);
}

static bool add_subject_draft(cJSON *list, const struct draft *d)
{
	cJSON *obj = add_item(list), *answers;

	if (!obj || !add_id(obj, "id", d->id) || !add_id(obj, "intake_id", d->intake_id) ||
	    !add_id(obj, "session_of", d->session_intake_id) ||
	    !add_text(obj, "started_at", d->started_at) ||
	    !add_text(obj, "updated_at", d->updated_at) || !add_text(obj, "staff", d->staff) ||
	    !add_text(obj, "next_question", d->next_question) ||
	    !(answers = cJSON_AddObjectToObject(obj, "answers")))
		return false;
	for (size_t i = 0; i < questionnaire_count; i++)
		if (d->has[i] && !add_answer(answers, &questionnaire[i], d->answers.value[i]))
			return false;
	/* A session's draft: its answers under the session's ids, as stored. */
	for (size_t i = 0; i < d->value_count; i++)
		if (!add_text(answers, d->values[i].id, d->values[i].value))
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

char *json_subject(const struct subject *s, const char *exported_at, json_course_fill *fill,
		   void *arg, bool *failed)
{
	cJSON *obj = cJSON_CreateObject(), *intakes, *drafts, *audit;
	struct json_course *course = json_course_new();
	char *out = NULL;
	bool ok = obj && course;

	*failed = false;
	ok = ok && add_text(obj, "exported_at", exported_at) && add_subject_client(obj, s) &&
	     (intakes = add_list(obj, "intakes")) && (drafts = add_list(obj, "drafts")) &&
	     (audit = add_list(obj, "audit"));
	for (size_t i = 0; ok && i < s->intakes; i++) {
		int rc = fill(s->intake[i].in.id, course, arg);
		*failed = rc < 0;
		ok = rc == 0 && add_subject_intake(intakes, &s->intake[i], course);
	}
	for (size_t i = 0; ok && i < s->drafts; i++)
		ok = add_subject_draft(drafts, &s->draft[i]);
	for (size_t i = 0; ok && i < s->audits; i++)
		ok = add_subject_audit(audit, &s->audit[i]);
	if (ok)
		out = cJSON_PrintUnformatted(obj);
	cJSON_Delete(obj);
	json_course_free(course);
	return out;
}

char *json_row(const struct json_field *field, size_t n)
{
	cJSON *obj = cJSON_CreateObject();
	char *out = NULL;
	bool ok = obj != NULL;

	for (size_t i = 0; ok && i < n; i++) {
		if (field[i].text)
			ok = cJSON_AddStringToObject(obj, field[i].key, field[i].text) != NULL;
		else
			ok = cJSON_AddNumberToObject(obj, field[i].key, (double)field[i].number) !=
			     NULL;
	}
	if (ok)
		out = cJSON_PrintUnformatted(obj);
	cJSON_Delete(obj);
	return out;
}

/* ---- format 3: the course of an intake ---- */

/* The course is written as the intakes are (json_writer above): one tree
 * for each kind of row, built once with constant keys and values that
 * refer to the row's own strings, printed into a buffer kept from row to
 * row; a course of three sessions costs no allocation. */

enum {
	S_UUID, S_NUMBER, S_PERFORMED_ON, S_ARTIST, S_AREAS, S_BRAND, S_SHADE, S_LOT,
	S_LOT_EXPIRY, S_NEEDLE, S_DILUTION, S_NOTES, S_PATCH_TEST, S_REACTION, S_REACTION_NOTE,
	S_REACTION_AT, S_RESCREEN, S_REVISION, S_ID_CHECKED, S_COUNTERSIGNED, S_CLIENT_ACK,
	S_AFTERCARE, S_OVERRIDE, S_RECORDED_AT, S_STAFF, S_KEYS
};
static const char *const session_keys[S_KEYS] = {
	"uuid",	      "number",	       "performed_on",	  "artist",	   "areas",
	"pigment_brand", "shade",	       "lot",		  "lot_expiry",	   "needle",
	"dilution",      "notes",	       "patch_test",	  "reaction",	   "reaction_note",
	"reaction_at",   "rescreen",       "intake_revision", "id_checked",	   "countersigned",
	"client_ack",    "aftercare_version", "override_reason", "recorded_at", "staff",
};

enum { P_UUID, P_SESSION, P_VIEW, P_MEDIA_TYPE, P_SIZE, P_SHA256, P_ADDED_AT, P_STAFF, P_KEYS };
static const char *const photo_keys[P_KEYS] = { "uuid",	  "session", "view",	 "media_type",
						 "size",	  "sha256",  "added_at", "staff" };

enum { C_KIND, C_VALUE, C_AT, C_STAFF, C_AT_INTAKE, C_KEYS };
static const char *const consent_keys[C_KEYS] = { "kind", "value", "at", "staff", "at_intake" };

/* A text that grows. */
struct text_buf {
	char *p;
	size_t len, cap;
};

static bool buf_add(struct text_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *grown;
		while (cap < b->len + n + 1)
			cap *= 2;
		if (!(grown = realloc(b->p, cap)))
			return false;
		b->p = grown;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return true;
}

struct json_course {
	cJSON *session, *s_leaf[S_KEYS]; /* s_leaf[S_AREAS]: the array */
	cJSON **area;                     /* the areas' items, made as many are needed */
	size_t areas_made;
	char *area_text; /* the session's areas, split at the commas */
	size_t area_cap;
	cJSON *photo, *p_leaf[P_KEYS];
	cJSON *consent, *c_leaf[C_KEYS];
	char number[24], revision[24], aftercare[24], size[24];
	struct text_buf print;   /* one row printed */
	struct text_buf part[3]; /* sessions, photos, consents: rows with commas */
	struct text_buf out;
};

/* A tree of keys' leaves (areas_at: the key that holds an array). */
static cJSON *row_tree(const char *const *keys, size_t n, cJSON **leaves, int areas_at)
{
	cJSON *root = cJSON_CreateObject();

	for (size_t i = 0; root && i < n; i++)
		if (!(leaves[i] = (int)i == areas_at ? branch(root, keys[i], true)
						     : leaf(root, keys[i]))) {
			cJSON_Delete(root);
			return NULL;
		}
	return root;
}

struct json_course *json_course_new(void)
{
	struct json_course *c = calloc(1, sizeof *c);

	if (!c)
		return NULL;
	if (!(c->session = row_tree(session_keys, S_KEYS, c->s_leaf, S_AREAS)) ||
	    !(c->photo = row_tree(photo_keys, P_KEYS, c->p_leaf, -1)) ||
	    !(c->consent = row_tree(consent_keys, C_KEYS, c->c_leaf, -1)) ||
	    !buf_add(&c->print, "", 0)) {
		json_course_free(c);
		return NULL;
	}
	return c;
}

void json_course_free(struct json_course *c)
{
	if (!c)
		return;
	/* The areas' items not linked into the tree now are freed alone. */
	if (c->s_leaf[S_AREAS])
		c->s_leaf[S_AREAS]->child = NULL;
	for (size_t i = 0; i < c->areas_made; i++) {
		c->area[i]->next = c->area[i]->prev = NULL;
		cJSON_Delete(c->area[i]);
	}
	free(c->area);
	cJSON_Delete(c->session);
	cJSON_Delete(c->photo);
	cJSON_Delete(c->consent);
	free(c->area_text);
	free(c->print.p);
	for (size_t i = 0; i < 3; i++)
		free(c->part[i].p);
	free(c->out.p);
	free(c);
}

/* Prints root and appends it to part (after a comma when not the first). */
static int add_printed(struct json_course *c, cJSON *root, struct text_buf *part)
{
	/* cJSON asks for 5 bytes more than the text; the buffer grows until
	 * the row fits (notes can be long). */
	while (!cJSON_PrintPreallocated(root, c->print.p, (int)c->print.cap, false)) {
		char *grown;
		if (c->print.cap >= (size_t)1 << 30 || !(grown = realloc(c->print.p, c->print.cap * 2)))
			return -1;
		c->print.p = grown;
		c->print.cap *= 2;
	}
	return (!part->len || buf_add(part, ",", 1)) &&
			       buf_add(part, c->print.p, strlen(c->print.p))
		       ? 0
		       : -1;
}

/* "areas": the comma-separated codes as the array's items, each a string
 * of its own (split in a copy), "" giving none. */
static int set_areas(struct json_course *c, const char *areas)
{
	size_t len = areas ? strlen(areas) : 0, k = 0;
	char *p;

	if (len + 1 > c->area_cap) {
		char *grown = realloc(c->area_text, len + 1);
		if (!grown)
			return -1;
		c->area_text = grown;
		c->area_cap = len + 1;
	}
	memcpy(c->area_text, areas ? areas : "", len + 1);
	for (p = c->area_text; *p; k++) {
		size_t n = strcspn(p, ",");
		if (k == c->areas_made) {
			cJSON **more = realloc(c->area, (k + 1) * sizeof *more);
			if (!more)
				return -1;
			c->area = more;
			if (!(c->area[k] = cJSON_CreateNull()))
				return -1;
			c->areas_made++;
		}
		set_text(c->area[k], p);
		p += n;
		if (*p)
			*p++ = '\0';
	}
	relink(c->s_leaf[S_AREAS], c->area, k);
	return 0;
}

int json_course_session(struct json_course *c, const struct session *s)
{
	cJSON **l = c->s_leaf;

	if (set_areas(c, s->areas) < 0)
		return -1;
	set_text(l[S_UUID], s->uuid);
	set_id(l[S_NUMBER], c->number, s->number);
	set_text(l[S_PERFORMED_ON], s->performed_on);
	set_text(l[S_ARTIST], s->artist);
	set_text(l[S_BRAND], s->pigment_brand);
	set_text(l[S_SHADE], s->shade);
	set_text(l[S_LOT], s->lot);
	set_text(l[S_LOT_EXPIRY], s->lot_expiry);
	set_text(l[S_NEEDLE], s->needle);
	set_text(l[S_DILUTION], s->dilution);
	set_text(l[S_NOTES], s->notes);
	set_bool(l[S_PATCH_TEST], s->patch_test);
	set_text(l[S_REACTION], s->reaction);
	set_text(l[S_REACTION_NOTE], s->reaction_note);
	set_text(l[S_REACTION_AT], s->reaction_at);
	set_text(l[S_RESCREEN], s->rescreen);
	set_id(l[S_REVISION], c->revision, s->intake_revision);
	set_text(l[S_ID_CHECKED], s->id_checked);
	set_text(l[S_COUNTERSIGNED], s->countersigned);
	set_text(l[S_CLIENT_ACK], s->client_ack);
	if (s->aftercare_version)
		set_id(l[S_AFTERCARE], c->aftercare, s->aftercare_version);
	else
		set_text(l[S_AFTERCARE], NULL);
	set_text(l[S_OVERRIDE], s->override_reason);
	set_text(l[S_RECORDED_AT], s->recorded_at);
	set_text(l[S_STAFF], s->staff);
	return add_printed(c, c->session, &c->part[0]);
}

char *json_session_row(const struct session *s)
{
	struct json_course *c = json_course_new();
	char head[96], *out = NULL;
	int n;

	/* The session printed as format 3 prints it ("{...}" in c->print),
	 * the three ids put in front of its keys. */
	if (c && json_course_session(c, s) == 0) {
		n = snprintf(head, sizeof head,
			     "{\"id\":%lld,\"intake_id\":%lld,\"client_id\":%lld,", s->id,
			     s->intake_id, s->client_id);
		if ((out = malloc((size_t)n + strlen(c->print.p)))) {
			memcpy(out, head, (size_t)n);
			strcpy(out + n, c->print.p + 1);
		}
	}
	json_course_free(c);
	return out;
}

int json_course_photo(struct json_course *c, const struct photo *p, const char *session_uuid)
{
	cJSON **l = c->p_leaf;

	set_text(l[P_UUID], p->uuid);
	set_text(l[P_SESSION], session_uuid);
	set_text(l[P_VIEW], p->view);
	set_text(l[P_MEDIA_TYPE], p->media_type);
	set_id(l[P_SIZE], c->size, p->size);
	set_text(l[P_SHA256], p->sha256);
	set_text(l[P_ADDED_AT], p->added_at);
	set_text(l[P_STAFF], p->staff);
	return add_printed(c, c->photo, &c->part[1]);
}

int json_course_consent(struct json_course *c, const struct consent_row *r)
{
	cJSON **l = c->c_leaf;

	set_text(l[C_KIND], r->kind);
	set_text(l[C_VALUE], r->value);
	set_text(l[C_AT], r->at);
	set_text(l[C_STAFF], r->staff);
	set_bool(l[C_AT_INTAKE], r->at_intake);
	return add_printed(c, c->consent, &c->part[2]);
}

const char *json_course_text(struct json_course *c, size_t *len)
{
	static const char *const open[] = { "\"sessions\":[", "],\"photos\":[", "],\"consents\":[" };
	bool ok = true;

	c->out.len = 0;
	for (size_t i = 0; i < 3; i++) {
		ok = ok && buf_add(&c->out, open[i], strlen(open[i])) &&
		     buf_add(&c->out, c->part[i].p ? c->part[i].p : "", c->part[i].len);
		c->part[i].len = 0;
	}
	if (!ok || !buf_add(&c->out, "]", 1))
		return NULL;
	*len = c->out.len;
	return c->out.p;
}

char *json_add_rows(const char *object, const char *key, const struct json_field *field,
		    size_t per_row, size_t rows)
{
	cJSON *obj = cJSON_Parse(object), *list;
	char *out = NULL;
	bool ok = obj && cJSON_IsObject(obj) && (list = cJSON_AddArrayToObject(obj, key));

	for (size_t r = 0; ok && r < rows; r++) {
		cJSON *row = cJSON_CreateObject();
		if (!row || !cJSON_AddItemToArray(list, row)) {
			cJSON_Delete(row);
			ok = false;
			break;
		}
		for (size_t i = 0; ok && i < per_row; i++) {
			const struct json_field *f = &field[r * per_row + i];
			ok = (f->text ? cJSON_AddStringToObject(row, f->key, f->text)
				      : cJSON_AddNumberToObject(row, f->key, (double)f->number)) != NULL;
		}
	}
	if (ok)
		out = cJSON_PrintUnformatted(obj);
	cJSON_Delete(obj);
	return out;
}
