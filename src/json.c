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

struct json_course {
	cJSON *sessions, *photos, *consents;
	char *buf;
	size_t cap;
};

/* Moves the lists c gathered into obj as its "sessions", "photos" and
 * "consents", leaving c with empty ones. */
static bool move_course(cJSON *obj, struct json_course *c)
{
	cJSON **list[] = { &c->sessions, &c->photos, &c->consents };
	const char *const name[] = { "sessions", "photos", "consents" };

	for (size_t i = 0; i < 3; i++) {
		cJSON *fresh = cJSON_CreateArray();
		if (!fresh)
			return false;
		if (!cJSON_AddItemToObject(obj, name[i], *list[i])) {
			cJSON_Delete(fresh);
			return false;
		}
		*list[i] = fresh;
	}
	return true;
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

struct json_course *json_course_new(void)
{
	struct json_course *c = calloc(1, sizeof *c);

	if (!c)
		return NULL;
	if (!(c->sessions = cJSON_CreateArray()) || !(c->photos = cJSON_CreateArray()) ||
	    !(c->consents = cJSON_CreateArray())) {
		json_course_free(c);
		return NULL;
	}
	return c;
}

void json_course_free(struct json_course *c)
{
	if (!c)
		return;
	cJSON_Delete(c->sessions);
	cJSON_Delete(c->photos);
	cJSON_Delete(c->consents);
	free(c->buf);
	free(c);
}

/* Adds name: a whole number (never printed as a double). */
static bool add_whole(cJSON *obj, const char *name, long long v)
{
	char digits[24];

	snprintf(digits, sizeof digits, "%lld", v);
	return cJSON_AddRawToObject(obj, name, digits) != NULL;
}

/* "areas": the comma-separated codes as an array of them. */
static bool add_areas(cJSON *obj, const char *areas)
{
	cJSON *list = cJSON_AddArrayToObject(obj, "areas");
	const char *p = areas ? areas : "";

	if (!list)
		return false;
	while (*p) {
		size_t n = strcspn(p, ",");
		char *code = strndup(p, n);
		cJSON *item = code ? cJSON_CreateString(code) : NULL;
		free(code);
		if (!item || !cJSON_AddItemToArray(list, item))
			return cJSON_Delete(item), false;
		p += n + (p[n] == ',');
	}
	return true;
}

int json_course_session(struct json_course *c, const struct session *s)
{
	cJSON *o = add_item(c->sessions);

	if (!o || !add_text(o, "uuid", s->uuid) || !add_whole(o, "number", s->number) ||
	    !add_text(o, "performed_on", s->performed_on) || !add_text(o, "artist", s->artist) ||
	    !add_areas(o, s->areas) || !add_text(o, "pigment_brand", s->pigment_brand) ||
	    !add_text(o, "shade", s->shade) || !add_text(o, "lot", s->lot) ||
	    !add_text(o, "lot_expiry", s->lot_expiry) || !add_text(o, "needle", s->needle) ||
	    !add_text(o, "dilution", s->dilution) || !add_text(o, "notes", s->notes) ||
	    !cJSON_AddBoolToObject(o, "patch_test", s->patch_test) ||
	    !add_text(o, "reaction", s->reaction) || !add_text(o, "reaction_note", s->reaction_note) ||
	    !add_text(o, "reaction_at", s->reaction_at) || !add_text(o, "rescreen", s->rescreen) ||
	    !add_whole(o, "intake_revision", s->intake_revision) ||
	    !add_text(o, "id_checked", s->id_checked) ||
	    !add_text(o, "countersigned", s->countersigned) ||
	    !add_text(o, "client_ack", s->client_ack) ||
	    !(s->aftercare_version ? add_whole(o, "aftercare_version", s->aftercare_version)
				   : cJSON_AddNullToObject(o, "aftercare_version") != NULL) ||
	    !add_text(o, "override_reason", s->override_reason) ||
	    !add_text(o, "recorded_at", s->recorded_at) || !add_text(o, "staff", s->staff))
		return -1;
	return 0;
}

int json_course_photo(struct json_course *c, const struct photo *p, const char *session_uuid)
{
	cJSON *o = add_item(c->photos);

	if (!o || !add_text(o, "uuid", p->uuid) || !add_text(o, "session", session_uuid) ||
	    !add_text(o, "view", p->view) || !add_text(o, "media_type", p->media_type) ||
	    !add_whole(o, "size", p->size) || !add_text(o, "sha256", p->sha256) ||
	    !add_text(o, "added_at", p->added_at) || !add_text(o, "staff", p->staff))
		return -1;
	return 0;
}

int json_course_consent(struct json_course *c, const struct consent_row *r)
{
	cJSON *o = add_item(c->consents);

	if (!o || !add_text(o, "kind", r->kind) || !add_text(o, "value", r->value) ||
	    !add_text(o, "at", r->at) || !add_text(o, "staff", r->staff) ||
	    !cJSON_AddBoolToObject(o, "at_intake", r->at_intake))
		return -1;
	return 0;
}

/* Appends `"name":` and list printed to c->buf at *used. */
static bool course_part(struct json_course *c, size_t *used, const char *name, cJSON *list)
{
	char *text = cJSON_PrintUnformatted(list);
	size_t need;

	if (!text)
		return false;
	need = *used + strlen(name) + strlen(text) + 8;
	if (need > c->cap) {
		char *grown = realloc(c->buf, need * 2);
		if (!grown)
			return free(text), false;
		c->buf = grown;
		c->cap = need * 2;
	}
	*used += (size_t)sprintf(c->buf + *used, "%s\"%s\":%s", *used ? "," : "", name, text);
	free(text);
	return true;
}

static void empty_list(cJSON *list)
{
	cJSON *item;

	while ((item = cJSON_DetachItemFromArray(list, 0)))
		cJSON_Delete(item);
}

const char *json_course_text(struct json_course *c, size_t *len)
{
	size_t used = 0;
	bool ok = course_part(c, &used, "sessions", c->sessions) &&
		  course_part(c, &used, "photos", c->photos) &&
		  course_part(c, &used, "consents", c->consents);

	empty_list(c->sessions);
	empty_list(c->photos);
	empty_list(c->consents);
	if (!ok)
		return NULL;
	*len = used;
	return c->buf;
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
