/* test_json.c - unit tests for json.c: reading --answers files and writing
 * the export object of an intake (parsed back with cJSON and checked). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- json_read_answers ---- */

static const char *value_of(const struct json_answers *a, const char *id, bool *found)
{
	*found = false;
	for (size_t i = 0; i < a->count; i++)
		if (strcmp(a->item[i].id, id) == 0) {
			*found = true;
			return a->item[i].value;
		}
	return NULL;
}

static void test_read_answers_good(void **state)
{
	(void)state;
	static const char text[] =
		"{\"answers\": {\"consent_storage\": true, \"first_name\": \"Jos\\u00e9\", "
		"\"last_name\": \"Smith\", \"phone\": null, \"uses_rogaine\": \"yes\", "
		"\"uses_propecia\": false, \"hair_loss_notes\": \"crown\\nand temples\"}}";
	struct json_answers a;
	char why[256] = "";
	bool found;

	assert_int_equal(json_read_answers(text, strlen(text), &a, why, sizeof why), 0);
	assert_int_equal(a.count, 7);
	/* In the file's order. */
	assert_string_equal(a.item[0].id, "consent_storage");
	assert_string_equal(a.item[6].id, "hair_loss_notes");
	assert_string_equal(value_of(&a, "consent_storage", &found), "yes");
	assert_string_equal(value_of(&a, "first_name", &found), "Jos\xc3\xa9");
	assert_string_equal(value_of(&a, "last_name", &found), "Smith");
	assert_null(value_of(&a, "phone", &found));
	assert_true(found);
	assert_string_equal(value_of(&a, "uses_rogaine", &found), "yes");
	assert_string_equal(value_of(&a, "uses_propecia", &found), "no");
	assert_string_equal(value_of(&a, "hair_loss_notes", &found), "crown\nand temples");
	value_of(&a, "email", &found);
	assert_false(found);
	json_answers_free(&a);
	assert_null(a.item);
	assert_int_equal(a.count, 0);
	json_answers_free(&a);
	json_answers_free(NULL);
}

static void test_read_answers_empty_object(void **state)
{
	(void)state;
	static const char text[] = "{\"answers\": {}}";
	struct json_answers a;
	char why[256] = "";

	assert_int_equal(json_read_answers(text, strlen(text), &a, why, sizeof why), 0);
	assert_int_equal(a.count, 0);
	json_answers_free(&a);
}

static void test_read_answers_length_is_respected(void **state)
{
	(void)state;
	/* Only len bytes are read: the buffer need not end in NUL. */
	static const char text[] = "{\"answers\": {\"first_name\": \"Ana\"}}GARBAGE";
	struct json_answers a;
	char why[256] = "";

	assert_int_equal(json_read_answers(text, strlen(text) - 7, &a, why, sizeof why), 0);
	assert_int_equal(a.count, 1);
	json_answers_free(&a);
}

static void test_read_answers_refused_table(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		const char *why_has; /* the reason names this (NULL: any reason) */
		const char *why_lacks; /* and never this value */
	} cases[] = {
		{ "{\"answers\": {\"first_name\": true}}", "first_name", NULL },
		{ "{\"answers\": {\"first_name\": false}}", "first_name", NULL },
		{ "{\"answers\": {\"first_name\": 42}}", "first_name", "42" },
		{ "{\"answers\": {\"phone\": 7700900123}}", "phone", "7700900123" },
		{ "{\"answers\": {\"uses_rogaine\": 1}}", "uses_rogaine", NULL },
		{ "{\"answers\": {\"first_name\": [\"Ana\"]}}", "first_name", NULL },
		{ "{\"answers\": {\"first_name\": {\"given\": \"Ana\"}}}", "first_name", NULL },
		{ "{\"answers\": {\"favourite_colour\": \"ultramarine\"}}", "favourite_colour",
		  "ultramarine" },
		{ "{\"answers\": {\"first_name\": \"Ana\", \"first_name\": \"Zelda\"}}", "first_name",
		  "Zelda" },
		{ "[]", NULL, NULL },
		{ "[{\"answers\": {}}]", NULL, NULL },
		{ "\"answers\"", NULL, NULL },
		{ "42", NULL, NULL },
		{ "null", NULL, NULL },
		{ "{}", "answers", NULL },
		{ "{\"answers\": []}", "answers", NULL },
		{ "{\"answers\": null}", "answers", NULL },
		{ "{\"answers\": \"first_name\"}", "answers", NULL },
		{ "{\"answers\": {}, \"extra\": 1}", "extra", NULL },
		{ "{\"version\": 1, \"answers\": {}}", "version", NULL },
		{ "{\"answers\": {}, \"answers\": {}}", "answers", NULL },
		{ "{\"answers\": {", NULL, NULL },
		{ "{\"answers\": {\"first_name\": \"Ana\",}}", NULL, NULL },
		{ "{'answers': {}}", NULL, NULL },
		{ "", NULL, NULL },
		{ "   ", NULL, NULL },
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct json_answers a = { (struct json_answer *)1, 99 };
		char why[256] = "";
		int rc = json_read_answers(cases[i].text, strlen(cases[i].text), &a, why, sizeof why);
		if (rc != -1)
			fail_msg("case %zu (%s) was accepted", i, cases[i].text);
		assert_true(why[0] != '\0');
		assert_null(strchr(why, '\n'));
		if (cases[i].why_has && !strstr(why, cases[i].why_has))
			fail_msg("case %zu: reason \"%s\" does not name '%s'", i, why,
				 cases[i].why_has);
		if (cases[i].why_lacks && strstr(why, cases[i].why_lacks))
			fail_msg("case %zu: reason \"%s\" repeats the value", i, why);
		/* Nothing is left to free. */
		assert_null(a.item);
		assert_int_equal(a.count, 0);
	}
}

static void test_read_answers_trailing_garbage_refused(void **state)
{
	(void)state;
	/* Two objects, or text after the object, are not one JSON document. */
	static const char *const cases[] = {
		"{\"answers\": {\"first_name\": \"Ana\"}} trailing",
		"{\"answers\": {\"first_name\": \"Ana\"}}{\"answers\": {\"first_name\": \"Bob\"}}",
	};
	for (size_t i = 0; i < N(cases); i++) {
		struct json_answers a;
		char why[256] = "";
		int rc = json_read_answers(cases[i], strlen(cases[i]), &a, why, sizeof why);
		if (rc == 0)
			json_answers_free(&a);
		if (rc != -1)
			fail_msg("case %zu: text after the JSON object was accepted", i);
	}
}

static void test_read_answers_nul_in_string_refused(void **state)
{
	(void)state;
	/* cJSON cannot hold a NUL in a string: "Ana\u0000Zelda" would silently
	 * become "Ana".  It must be refused, not truncated. */
	static const char text[] = "{\"answers\": {\"first_name\": \"Ana\\u0000Zelda\"}}";
	struct json_answers a;
	char why[256] = "";
	int rc = json_read_answers(text, strlen(text), &a, why, sizeof why);

	if (rc == 0) {
		bool found;
		const char *v = value_of(&a, "first_name", &found);
		char got[64];
		snprintf(got, sizeof got, "%s", v ? v : "(null)");
		json_answers_free(&a);
		fail_msg("accepted, first_name read as \"%s\"", got);
	}
	/* The reason names the answer, never its value. */
	assert_non_null(strstr(why, "'first_name'"));
	assert_null(strstr(why, "Zelda"));
	static const char in_key[] = "{\"answers\": {\"first\\u0000name\": \"Ana\"}}";
	assert_int_equal(json_read_answers(in_key, strlen(in_key), &a, why, sizeof why), -1);
	assert_non_null(strstr(why, "a key holds a NUL"));
	static const char in_list[] = "{\"answers\": {\"phone\": \"1\", \"email\": [\"x\", \"\\u0000\"]}}";
	assert_int_equal(json_read_answers(in_list, strlen(in_list), &a, why, sizeof why), -1);
	assert_non_null(strstr(why, "'email'"));
}

static void test_read_answers_deep_nesting(void **state)
{
	(void)state;
	static const size_t depths[] = { 10, 999, 1001, 100000 };

	for (size_t d = 0; d < N(depths); d++) {
		size_t depth = depths[d];
		/* At top level, and as the value of an answer. */
		for (int where = 0; where < 2; where++) {
			const char *pre = where ? "{\"answers\": {\"first_name\": " : "";
			const char *post = where ? "}}" : "";
			size_t len = strlen(pre) + 2 * depth + strlen(post);
			char *text = malloc(len + 1), *p = text;
			struct json_answers a;
			char why[256] = "";

			assert_non_null(text);
			p += sprintf(p, "%s", pre);
			memset(p, '[', depth);
			p += depth;
			memset(p, ']', depth);
			p += depth;
			strcpy(p, post);
			assert_int_equal(json_read_answers(text, len, &a, why, sizeof why), -1);
			assert_true(why[0] != '\0');
			free(text);
		}
	}
}

/* ---- json_intake ---- */

/* Builds a saved-looking intake from pairs, with its advice. */
static void make_intake(struct intake *in, const char *const *pairs)
{
	static const struct settings s = SETTINGS_DEFAULT;

	memset(in, 0, sizeof *in);
	in->id = 7;
	in->client_id = 3;
	strcpy(in->uuid, "0f8fad5b-d9cb-469f-a165-70867728950e");
	in->taken_at = strdup("2024-06-15T10:30:00Z");
	in->staff = strdup("Reception \xc3\x89milie");
	assert_non_null(in->taken_at);
	assert_non_null(in->staff);
	fill(&in->answers, pairs);
	assert_int_equal(advice_for_answers(&in->answers, &s, &in->advice), 0);
}

static const cJSON *get(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!v)
		fail_msg("no key '%s' in the export", key);
	return v;
}

static void json_has_string(const cJSON *obj, const char *key, const char *want)
{
	const cJSON *v = get(obj, key);
	if (!cJSON_IsString(v) || strcmp(v->valuestring, want) != 0)
		fail_msg("'%s' should be the string \"%s\"", key, want);
}

static void json_has_null(const cJSON *obj, const char *key)
{
	if (!cJSON_IsNull(get(obj, key)))
		fail_msg("'%s' should be null", key);
}

static void json_has_number(const cJSON *obj, const char *key, double want)
{
	const cJSON *v = get(obj, key);
	if (!cJSON_IsNumber(v) || v->valuedouble != want)
		fail_msg("'%s' should be the number %g", key, want);
}

/* The object has exactly these keys. */
static void json_has_keys(const cJSON *obj, const char *const *keys, size_t n)
{
	const cJSON *v;
	size_t count = 0;

	assert_true(cJSON_IsObject(obj));
	cJSON_ArrayForEach(v, obj)
	{
		bool known = false;
		for (size_t i = 0; i < n; i++)
			known |= strcmp(v->string, keys[i]) == 0;
		if (!known)
			fail_msg("unexpected key '%s'", v->string);
		count++;
	}
	assert_int_equal(count, n);
}

static void test_intake_export_fields(void **state)
{
	(void)state;
	static const char *const pairs[] = {
		"consent_storage=yes", "first_name=Jos\xc3\xa9", "last_name=O'Brien",
		"date_of_birth=1985-07-23", "hair_loss_notes=crown \"thin\"\nand\ttemples\x1b",
		"uses_rogaine=yes", "rogaine_form=foam", "rogaine_since=2021-03-01",
		"uses_propecia=no", "uses_other_topical=no", "uses_other_medical=no",
		"gp_discussed=yes", "gp_signoff=obtained", "gp_name=Dr Amara Okafor",
		"gp_signoff_date=2024-05-02", "wants_root_cause_help=no",
		"planned_session_date=2024-07-01", NULL,
	};
	static const char *const top_keys[] = { "id", "uuid", "taken_at", "staff",
						"questionnaire_version", "advice_version",
						"client", "answers", "advice_sheet", "advice",
						"gp_signoff", "flags", "acknowledgement", "ready" };
	static const char *const client_keys[] = { "id", "first_name", "last_name",
						   "date_of_birth", "phone", "email" };
	static const char *const gp_keys[] = { "status", "gp_name", "date" };
	struct intake in;

	make_intake(&in, pairs);
	char *out = json_intake(&in);
	assert_non_null(out);
	assert_null(strchr(out, '\n')); /* printed without layout */
	cJSON *root = cJSON_Parse(out);
	assert_non_null(root);

	json_has_keys(root, top_keys, N(top_keys));
	json_has_number(root, "id", 7);
	json_has_string(root, "uuid", "0f8fad5b-d9cb-469f-a165-70867728950e");
	json_has_string(root, "taken_at", "2024-06-15T10:30:00Z");
	json_has_string(root, "staff", "Reception \xc3\x89milie");

	const cJSON *client = get(root, "client");
	json_has_keys(client, client_keys, N(client_keys));
	json_has_number(client, "id", 3);
	json_has_string(client, "first_name", "Jos\xc3\xa9");
	json_has_string(client, "last_name", "O'Brien");
	json_has_string(client, "date_of_birth", "1985-07-23");
	json_has_null(client, "phone");
	json_has_null(client, "email");

	/* Answers: every non-client answer, yes/no as booleans, nothing else. */
	const cJSON *answers = get(root, "answers");
	size_t want = 0;
	for (size_t i = 0; i < questionnaire_count; i++) {
		const struct question *q = &questionnaire[i];
		const char *v = in.answers.value[i];
		const cJSON *got = cJSON_GetObjectItemCaseSensitive(answers, q->id);
		if (q->client_field || !v) {
			if (got)
				fail_msg("answers repeats or invents '%s'", q->id);
			continue;
		}
		want++;
		if (!got)
			fail_msg("answers lacks '%s'", q->id);
		if (q->type == Q_YESNO) {
			if (!cJSON_IsBool(got) || cJSON_IsTrue(got) != (strcmp(v, "yes") == 0))
				fail_msg("'%s' should be the boolean %s", q->id, v);
		} else if (q->several) {
			if (!cJSON_IsArray(got))
				fail_msg("'%s' should be an array", q->id);
		} else if (!cJSON_IsString(got) || strcmp(got->valuestring, v) != 0) {
			fail_msg("'%s' should be the string of its answer", q->id);
		}
	}
	assert_int_equal((size_t)cJSON_GetArraySize(answers), want);
	assert_true(cJSON_IsTrue(get(answers, "consent_storage")));
	assert_true(cJSON_IsFalse(get(answers, "uses_propecia")));
	json_has_string(answers, "hair_loss_notes", "crown \"thin\"\nand\ttemples\x1b");
	json_has_string(answers, "rogaine_form", "foam");

	/* Advice: the sheet, in order. */
	const cJSON *advice = get(root, "advice"), *item;
	size_t k = 0;
	assert_true(cJSON_IsArray(advice));
	assert_int_equal((size_t)cJSON_GetArraySize(advice), in.advice.count);
	cJSON_ArrayForEach(item, advice)
	{
		static const char *const item_keys[] = { "id", "text" };
		json_has_keys(item, item_keys, 2);
		json_has_string(item, "id", in.advice.item[k].id);
		json_has_string(item, "text", in.advice.item[k].text);
		k++;
	}

	const cJSON *gp = get(root, "gp_signoff");
	json_has_keys(gp, gp_keys, N(gp_keys));
	json_has_string(gp, "status", "obtained");
	json_has_string(gp, "gp_name", "Dr Amara Okafor");
	json_has_string(gp, "date", "2024-05-02");

	/* Made in memory, not read back: this release's versions, sheet 1,
	 * no flag (no screening answer), unacknowledged, so not ready. */
	json_has_string(root, "questionnaire_version", QUESTIONNAIRE_VERSION);
	json_has_string(root, "advice_version", ADVICE_VERSION);
	json_has_number(root, "advice_sheet", 1);
	assert_int_equal(cJSON_GetArraySize(get(root, "flags")), 0);
	json_has_null(root, "acknowledgement");
	assert_true(cJSON_IsFalse(get(root, "ready")));

	cJSON_Delete(root);
	free(out);
	intake_clear(&in);
}

static void test_intake_export_no_treatment(void **state)
{
	(void)state;
	static const char *const pairs[] = {
		"consent_storage=yes", "first_name=Ana", "last_name=Smith",
		"date_of_birth=1990-01-31", "phone=+44 20 7946 0958", "email=ana@example.com",
		"uses_rogaine=no", "uses_propecia=no", "uses_other_topical=no",
		"uses_other_medical=no", "wants_root_cause_help=yes", NULL,
	};
	struct intake in;

	make_intake(&in, pairs);
	char *out = json_intake(&in);
	assert_non_null(out);
	cJSON *root = cJSON_Parse(out);
	assert_non_null(root);

	const cJSON *client = get(root, "client");
	json_has_string(client, "phone", "+44 20 7946 0958"); /* a string, not a number */
	json_has_string(client, "email", "ana@example.com");
	const cJSON *answers = get(root, "answers");
	assert_null(cJSON_GetObjectItemCaseSensitive(answers, "phone"));
	assert_null(cJSON_GetObjectItemCaseSensitive(answers, "email"));
	assert_null(cJSON_GetObjectItemCaseSensitive(answers, "first_name"));
	assert_null(cJSON_GetObjectItemCaseSensitive(answers, "gp_discussed"));
	assert_true(cJSON_IsFalse(get(answers, "uses_rogaine")));
	assert_true(cJSON_IsTrue(get(answers, "wants_root_cause_help")));
	assert_int_equal(cJSON_GetArraySize(answers), 6);

	const cJSON *gp = get(root, "gp_signoff");
	json_has_string(gp, "status", "not_required");
	json_has_null(gp, "gp_name");
	json_has_null(gp, "date");

	const cJSON *advice = get(root, "advice");
	assert_int_equal(cJSON_GetArraySize(advice), 2);
	json_has_string(cJSON_GetArrayItem(advice, 0), "id", "smp-cosmetic-only");
	json_has_string(cJSON_GetArrayItem(advice, 1), "id", "root-cause");

	cJSON_Delete(root);
	free(out);
	intake_clear(&in);
}

static void test_intake_export_pending_signoff(void **state)
{
	(void)state;
	static const char *const pairs[] = {
		"consent_storage=yes", "first_name=Ana", "last_name=Smith",
		"date_of_birth=1990-01-31", "uses_propecia=yes", "propecia_form=tablet",
		"gp_discussed=no", NULL,
	};
	struct intake in;

	make_intake(&in, pairs);
	char *out = json_intake(&in);
	assert_non_null(out);
	cJSON *root = cJSON_Parse(out);
	assert_non_null(root);
	const cJSON *gp = get(root, "gp_signoff");
	json_has_string(gp, "status", "pending");
	json_has_null(gp, "gp_name");
	json_has_null(gp, "date");
	assert_true(cJSON_IsFalse(get(get(root, "answers"), "gp_discussed")));
	cJSON_Delete(root);
	free(out);
	intake_clear(&in);
}

/* The screening answers, flags, acknowledgement and versions of an intake;
 * one writer used for several intakes in turn leaves nothing of one in
 * the next. */
static const char *const screened[] = {
	"consent_storage=yes", "first_name=Ana", "last_name=Silva", "date_of_birth=1985-07-23",
	"uses_rogaine=no", "uses_propecia=no", "uses_other_topical=no", "uses_other_medical=no",
	"scalp_conditions=psoriasis,folliculitis,other", "scalp_conditions_detail=dry patch",
	"keloid_history=yes", "blood_thinners=no", "allergies=yes", "allergies_detail=latex",
	"pregnant_or_breastfeeding=not_applicable", "wants_root_cause_help=no", NULL,
};

/* flags[i] is {"id": id, "status": status} (and the clearance when
 * cleared: reason, staff, at). */
static void json_has_flag(const cJSON *flags, int i, const char *id, const struct clearance *c)
{
	static const char *const open_keys[] = { "id", "status" };
	static const char *const cleared_keys[] = { "id", "status", "reason", "cleared_by",
						    "cleared_at" };
	const cJSON *f = cJSON_GetArrayItem(flags, i);

	assert_non_null(f);
	json_has_string(f, "id", id);
	json_has_string(f, "status", c ? "cleared" : "open");
	if (!c) {
		json_has_keys(f, open_keys, N(open_keys));
		return;
	}
	json_has_keys(f, cleared_keys, N(cleared_keys));
	json_has_string(f, "reason", c->reason);
	json_has_string(f, "cleared_by", c->staff);
	json_has_string(f, "cleared_at", c->at);
}

static cJSON *written(struct json_writer *w, const struct intake *in)
{
	size_t len;
	const char *text = json_writer_intake(w, in, &len);
	cJSON *root;

	assert_non_null(text);
	assert_int_equal(strlen(text), len);
	assert_non_null(root = cJSON_ParseWithLength(text, len));
	return root;
}

static void test_intake_export_record(void **state)
{
	(void)state;
	struct json_writer *w = json_writer_new();
	struct intake in, plain;
	cJSON *root, *list;

	assert_non_null(w);
	make_intake(&in, screened);
	strcpy(in.questionnaire_version, "2026.2");
	strcpy(in.advice_version, "2026.1");
	in.sheet = 3;
	in.ack = (struct acknowledgement){ 2, strdup("ana  SILVA"), strdup("2024-06-15T10:41:00Z"),
					   strdup("Kim") };
	in.cleared[0] = (struct clearance){ strdup("flag-keloid"), strdup("Seen by the GP, \"fine\""),
					    strdup("2024-06-16T09:00:00Z"), strdup("Sam") };
	in.clearances = 1;
	make_intake(&plain, screened);
	answers_set(&plain.answers, "scalp_conditions", "none");
	answers_set(&plain.answers, "scalp_conditions_detail", NULL);
	answers_set(&plain.answers, "keloid_history", "no");
	answers_set(&plain.answers, "allergies", "no");
	answers_set(&plain.answers, "allergies_detail", NULL);

	for (int round = 0; round < 2; round++) {
		root = written(w, &in);
		json_has_string(root, "questionnaire_version", "2026.2");
		json_has_string(root, "advice_version", "2026.1");
		json_has_number(root, "advice_sheet", 3);
		/* Several choices: an array of them, in the questionnaire's order. */
		list = cJSON_GetObjectItemCaseSensitive(get(root, "answers"), "scalp_conditions");
		assert_true(cJSON_IsArray(list));
		assert_int_equal(cJSON_GetArraySize(list), 3);
		assert_string_equal(cJSON_GetArrayItem(list, 0)->valuestring, "psoriasis");
		assert_string_equal(cJSON_GetArrayItem(list, 1)->valuestring, "folliculitis");
		assert_string_equal(cJSON_GetArrayItem(list, 2)->valuestring, "other");
		assert_true(cJSON_IsTrue(get(get(root, "answers"), "keloid_history")));
		json_has_string(get(root, "answers"), "allergies_detail", "latex");
		/* Every flag raised, in flag_rules order, one of them cleared. */
		list = cJSON_GetObjectItemCaseSensitive(root, "flags");
		assert_int_equal(cJSON_GetArraySize(list), 3);
		json_has_flag(list, 0, "flag-scalp-condition", NULL);
		json_has_flag(list, 1, "flag-keloid", &in.cleared[0]);
		json_has_flag(list, 2, "flag-allergy", NULL);
		const cJSON *ack = get(root, "acknowledgement");
		static const char *const ack_keys[] = { "typed_name", "at", "staff", "sheet" };
		json_has_keys(ack, ack_keys, N(ack_keys));
		json_has_string(ack, "typed_name", "ana  SILVA");
		json_has_string(ack, "at", "2024-06-15T10:41:00Z");
		json_has_string(ack, "staff", "Kim");
		json_has_number(ack, "sheet", 2);
		assert_true(cJSON_IsFalse(get(root, "ready"))); /* two flags open */
		cJSON_Delete(root);

		/* The next intake through the same writer: nothing left over. */
		root = written(w, &plain);
		list = cJSON_GetObjectItemCaseSensitive(get(root, "answers"), "scalp_conditions");
		assert_int_equal(cJSON_GetArraySize(list), 1);
		assert_string_equal(cJSON_GetArrayItem(list, 0)->valuestring, "none");
		assert_null(cJSON_GetObjectItemCaseSensitive(get(root, "answers"),
							     "allergies_detail"));
		assert_int_equal(cJSON_GetArraySize(get(root, "flags")), 0);
		json_has_null(root, "acknowledgement");
		json_has_number(root, "advice_sheet", 1);
		assert_true(cJSON_IsFalse(get(root, "ready")));
		cJSON_Delete(root);
	}

	/* The acknowledged sheet (2) is not the latest (3): its words go with
	 * the acknowledgement, and only with it. */
	assert_int_equal(advice_sheet_add(&in.ack_advice, "gp-signoff", "Ask your GP."), 0);
	for (int round = 0; round < 2; round++) {
		static const char *const ack_keys[] = { "typed_name", "at", "staff", "sheet",
							"advice" };
		root = written(w, &in);
		const cJSON *ack = get(root, "acknowledgement");
		json_has_keys(ack, ack_keys, N(ack_keys));
		list = cJSON_GetObjectItemCaseSensitive(ack, "advice");
		assert_int_equal(cJSON_GetArraySize(list), 1);
		json_has_string(cJSON_GetArrayItem(list, 0), "id", "gp-signoff");
		json_has_string(cJSON_GetArrayItem(list, 0), "text", "Ask your GP.");
		assert_int_equal(cJSON_GetArraySize(get(root, "advice")), (int)in.advice.count);
		cJSON_Delete(root);
		root = written(w, &plain);
		json_has_null(root, "acknowledgement");
		cJSON_Delete(root);
	}
	advice_sheet_clear(&in.ack_advice);
	root = written(w, &in);
	assert_null(cJSON_GetObjectItemCaseSensitive(get(root, "acknowledgement"), "advice"));
	assert_int_equal(cJSON_GetArraySize(get(root, "acknowledgement")), 4);
	cJSON_Delete(root);

	/* Every flag cleared and acknowledged: ready. */
	answers_set(&in.answers, "scalp_conditions", "sunburn");
	answers_set(&in.answers, "scalp_conditions_detail", NULL);
	answers_set(&in.answers, "allergies", "no");
	answers_set(&in.answers, "allergies_detail", NULL);
	in.cleared[1] = (struct clearance){ strdup("flag-scalp-condition"), strdup("Healed"),
					    strdup("2024-06-17T09:00:00Z"), strdup("Sam") };
	in.clearances = 2;
	root = written(w, &in);
	list = cJSON_GetObjectItemCaseSensitive(root, "flags");
	assert_int_equal(cJSON_GetArraySize(list), 2);
	json_has_flag(list, 0, "flag-scalp-condition", &in.cleared[1]);
	json_has_flag(list, 1, "flag-keloid", &in.cleared[0]);
	assert_true(cJSON_IsTrue(get(root, "ready")));
	cJSON_Delete(root);

	/* A stored value that is no list of the choices (only another release
	 * or a hand could store it) goes out as the text it is. */
	answers_set(&in.answers, "scalp_conditions", "sunburn,moles");
	root = written(w, &in);
	json_has_string(get(root, "answers"), "scalp_conditions", "sunburn,moles");
	cJSON_Delete(root);
	answers_set(&in.answers, "scalp_conditions", "sunburn,sunburn");
	root = written(w, &in);
	json_has_string(get(root, "answers"), "scalp_conditions", "sunburn,sunburn");
	cJSON_Delete(root);

	json_writer_free(w);
	intake_clear(&in);
	intake_clear(&plain);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_answers_good),
		cmocka_unit_test(test_read_answers_empty_object),
		cmocka_unit_test(test_read_answers_length_is_respected),
		cmocka_unit_test(test_read_answers_refused_table),
		cmocka_unit_test(test_read_answers_trailing_garbage_refused),
		cmocka_unit_test(test_read_answers_nul_in_string_refused),
		cmocka_unit_test(test_read_answers_deep_nesting),
		cmocka_unit_test(test_intake_export_fields),
		cmocka_unit_test(test_intake_export_no_treatment),
		cmocka_unit_test(test_intake_export_pending_signoff),
		cmocka_unit_test(test_intake_export_record),
	};
	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
