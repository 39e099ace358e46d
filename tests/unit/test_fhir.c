/* test_fhir.c - unit tests for json_fhir.c: the Questionnaire's shape,
 * Bundle entries parsed back with cJSON, text FHIR's string type cannot
 * hold, an entry too big for the stack buffer, write errors, and every
 * allocation failing in turn. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fhir.h"
#include "flags.h"

static const cJSON *get(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!v)
		fail_msg("no key '%s'", key);
	return v;
}

static const char *str(const cJSON *obj, const char *key)
{
	const cJSON *v = get(obj, key);

	assert_true(cJSON_IsString(v));
	return v->valuestring;
}

/* The question item (Questionnaire) or answer item (response) linkId. */
static const cJSON *item(const cJSON *resource, const char *link_id)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, get(resource, "item"))
		if (strcmp(str(it, "linkId"), link_id) == 0)
			return it;
	return NULL;
}

/* ---- the Questionnaire ---- */

static void test_questionnaire_shape(void **state)
{
	(void)state;
	char *text = fhir_questionnaire(NULL);
	assert_non_null(text);
	assert_int_equal(text[strlen(text) - 1], '\n');
	cJSON *q = cJSON_Parse(text);
	assert_non_null(q);

	assert_string_equal(str(q, "resourceType"), "Questionnaire");
	assert_string_equal(str(q, "url"), FHIR_QUESTIONNAIRE_URL);
	assert_string_equal(str(q, "version"), QUESTIONNAIRE_VERSION);
	assert_string_equal(str(q, "status"), "active");
	assert_int_equal(cJSON_GetArraySize(get(q, "item")), (int)questionnaire_count);
	for (size_t i = 0; i < questionnaire_count; i++) {
		const cJSON *it = cJSON_GetArrayItem(get(q, "item"), (int)i);
		assert_string_equal(str(it, "linkId"), questionnaire[i].id);
		assert_string_equal(str(it, "text"), questionnaire[i].prompt);
		assert_true(cJSON_IsBool(get(it, "required")));
		assert_int_equal(cJSON_IsTrue(get(it, "required")), questionnaire[i].required);
	}

	/* yes/no with a default */
	const cJSON *it = item(q, "uses_rogaine");
	assert_string_equal(str(it, "type"), "boolean");
	const cJSON *init = cJSON_GetArrayItem(get(it, "initial"), 0);
	assert_true(cJSON_IsFalse(get(init, "valueBoolean")));

	/* a choice on a yes */
	it = item(q, "rogaine_form");
	assert_string_equal(str(it, "type"), "choice");
	const cJSON *opts = get(it, "answerOption");
	assert_int_equal(cJSON_GetArraySize(opts), 4);
	const cJSON *foam = cJSON_GetArrayItem(opts, 0), *oral = cJSON_GetArrayItem(opts, 2);
	assert_string_equal(str(get(foam, "valueCoding"), "system"),
			    FHIR_CODESYSTEM_BASE "rogaine_form");
	assert_string_equal(str(get(foam, "valueCoding"), "code"), "foam");
	assert_true(cJSON_IsTrue(get(foam, "initialSelected")));
	assert_null(cJSON_GetObjectItemCaseSensitive(oral, "initialSelected"));
	const cJSON *when = get(it, "enableWhen");
	assert_int_equal(cJSON_GetArraySize(when), 1);
	assert_string_equal(str(cJSON_GetArrayItem(when, 0), "question"), "uses_rogaine");
	assert_string_equal(str(cJSON_GetArrayItem(when, 0), "operator"), "=");
	assert_true(cJSON_IsTrue(get(cJSON_GetArrayItem(when, 0), "answerBoolean")));
	assert_null(cJSON_GetObjectItemCaseSensitive(it, "enableBehavior"));

	/* any treatment: one condition per treatment question */
	it = item(q, "gp_discussed");
	when = get(it, "enableWhen");
	assert_int_equal(cJSON_GetArraySize(when), 4);
	for (int i = 0; i < 4; i++)
		assert_string_equal(str(cJSON_GetArrayItem(when, i), "question"),
				    questionnaire_treatments[i]);
	assert_string_equal(str(it, "enableBehavior"), "any");

	/* on a choice: answerCoding */
	it = item(q, "gp_name");
	const cJSON *cond = cJSON_GetArrayItem(get(it, "enableWhen"), 0);
	assert_string_equal(str(cond, "question"), "gp_signoff");
	assert_string_equal(str(get(cond, "answerCoding"), "system"),
			    FHIR_CODESYSTEM_BASE "gp_signoff");
	assert_string_equal(str(get(cond, "answerCoding"), "code"), "obtained");
	assert_string_equal(str(it, "type"), "string");
	assert_int_equal(get(it, "maxLength")->valueint, 100);

	/* several choices: repeats; the detail asked when they include other */
	it = item(q, "scalp_conditions");
	assert_string_equal(str(it, "type"), "choice");
	assert_true(cJSON_IsTrue(get(it, "repeats")));
	assert_null(cJSON_GetObjectItemCaseSensitive(item(q, "rogaine_form"), "repeats"));
	it = item(q, "scalp_conditions_detail");
	when = get(it, "enableWhen");
	assert_int_equal(cJSON_GetArraySize(when), 1);
	cond = cJSON_GetArrayItem(when, 0);
	assert_string_equal(str(cond, "question"), "scalp_conditions");
	assert_string_equal(str(cond, "operator"), "=");
	assert_string_equal(str(get(cond, "answerCoding"), "code"), "other");
	assert_null(cJSON_GetObjectItemCaseSensitive(it, "enableBehavior"));
	for (size_t i = 0; i < questionnaire_count; i++)
		assert_int_equal(cJSON_GetObjectItemCaseSensitive(
					 cJSON_GetArrayItem(get(q, "item"), (int)i), "repeats") != NULL,
				 questionnaire[i].several);

	assert_string_equal(str(item(q, "hair_loss_notes"), "type"), "text");
	assert_string_equal(str(item(q, "email"), "type"), "string");
	assert_string_equal(str(item(q, "planned_session_date"), "type"), "date");
	cJSON_Delete(q);
	free(text);
}

/* ---- Bundle entries ---- */

static void make_intake(struct intake *in, const char *const *pairs)
{
	memset(in, 0, sizeof *in);
	in->id = 7;
	in->client_id = 3;
	in->revision = 1;
	strcpy(in->uuid, "0f8fad5b-d9cb-469f-a165-70867728950e");
	in->taken_at = strdup("2024-06-15T10:30:00Z");
	in->staff = strdup("Reception \xc3\x89milie");
	assert_non_null(in->taken_at);
	assert_non_null(in->staff);
	fill(&in->answers, pairs);
}

/* begin, one entry per intake, end, into memory; the text (allocated). */
static char *bundle_text(const struct intake *in, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(fhir_bundle_begin(f, "2024-06-16T08:00:00Z"), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(fhir_bundle_entry(f, &in[i], i == 0), 0);
	assert_int_equal(fhir_bundle_end(f, n > 0), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static const cJSON *only_response(const cJSON *bundle)
{
	const cJSON *entries = get(bundle, "entry");

	assert_int_equal(cJSON_GetArraySize(entries), 1);
	return get(cJSON_GetArrayItem(entries, 0), "resource");
}

static const cJSON *answer(const cJSON *response, const char *link_id)
{
	const cJSON *it = item(response, link_id);

	if (!it)
		return NULL;
	assert_int_equal(cJSON_GetArraySize(get(it, "answer")), 1);
	return cJSON_GetArrayItem(get(it, "answer"), 0);
}

static void test_entry_fields(void **state)
{
	(void)state;
	static const char *const pairs[] = {
		"consent_storage=yes", "first_name=Zo\xc3\xab", "last_name=O'Neil \"Jr\" \\",
		"date_of_birth=1985-07-23", "phone=+44 20 7946 0958", "hair_loss_notes=crown\ntemples\t3y",
		"uses_rogaine=yes", "rogaine_form=oral", "uses_propecia=no",
		"uses_other_topical=no", "uses_other_medical=no", "gp_discussed=yes",
		"gp_signoff=pending", "wants_root_cause_help=no", NULL
	};
	struct intake in;

	make_intake(&in, pairs);
	char *text = bundle_text(&in, 1);
	cJSON *b = cJSON_Parse(text);
	assert_non_null(b);
	assert_string_equal(str(b, "resourceType"), "Bundle");
	assert_string_equal(str(b, "type"), "collection");
	assert_string_equal(str(b, "timestamp"), "2024-06-16T08:00:00Z");
	assert_string_equal(str(cJSON_GetArrayItem(get(b, "entry"), 0), "fullUrl"),
			    "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e");
	const cJSON *r = only_response(b);
	assert_string_equal(str(r, "resourceType"), "QuestionnaireResponse");
	assert_string_equal(str(r, "id"), in.uuid);
	assert_string_equal(str(get(r, "identifier"), "value"),
			    "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e");
	assert_string_equal(str(r, "questionnaire"),
			    FHIR_QUESTIONNAIRE_URL "|" QUESTIONNAIRE_VERSION);
	assert_string_equal(str(r, "status"), "completed");
	assert_string_equal(str(r, "authored"), "2024-06-15T10:30:00Z");
	assert_string_equal(str(get(r, "author"), "display"), "Reception \xc3\x89milie");
	assert_string_equal(str(get(r, "subject"), "reference"), "#client");

	const cJSON *p = cJSON_GetArrayItem(get(r, "contained"), 0);
	assert_string_equal(str(p, "resourceType"), "Patient");
	assert_string_equal(str(p, "id"), "client");
	assert_string_equal(str(cJSON_GetArrayItem(get(p, "identifier"), 0), "value"), "3");
	const cJSON *name = cJSON_GetArrayItem(get(p, "name"), 0);
	assert_string_equal(str(name, "family"), "O'Neil \"Jr\" \\");
	assert_string_equal(cJSON_GetArrayItem(get(name, "given"), 0)->valuestring,
			    "Zo\xc3\xab");
	assert_string_equal(str(p, "birthDate"), "1985-07-23");
	const cJSON *tel = get(p, "telecom");
	assert_int_equal(cJSON_GetArraySize(tel), 1); /* no email given */
	assert_string_equal(str(cJSON_GetArrayItem(tel, 0), "system"), "phone");
	assert_string_equal(str(cJSON_GetArrayItem(tel, 0), "value"), "+44 20 7946 0958");

	/* one item per answer, in the questionnaire's order */
	const cJSON *it;
	size_t at = 0, count = 0;
	cJSON_ArrayForEach(it, get(r, "item")) {
		int qi = questionnaire_index(str(it, "linkId"));
		assert_true(qi >= 0 && (size_t)qi >= at);
		at = (size_t)qi + 1;
		count++;
	}
	assert_int_equal(count, 14);
	assert_true(cJSON_IsTrue(get(answer(r, "consent_storage"), "valueBoolean")));
	assert_true(cJSON_IsFalse(get(answer(r, "uses_propecia"), "valueBoolean")));
	assert_string_equal(str(answer(r, "date_of_birth"), "valueDate"), "1985-07-23");
	assert_string_equal(str(answer(r, "hair_loss_notes"), "valueString"), "crown\ntemples\t3y");
	assert_string_equal(str(answer(r, "phone"), "valueString"), "+44 20 7946 0958");
	const cJSON *coding = get(answer(r, "rogaine_form"), "valueCoding");
	assert_string_equal(str(coding, "system"), FHIR_CODESYSTEM_BASE "rogaine_form");
	assert_string_equal(str(coding, "code"), "oral");
	assert_string_equal(str(coding, "display"), "oral");
	coding = get(answer(r, "gp_signoff"), "valueCoding");
	assert_string_equal(str(coding, "system"), FHIR_CODESYSTEM_BASE "gp_signoff");
	assert_null(item(r, "email"));
	assert_null(item(r, "gp_name"));
	cJSON_Delete(b);
	free(text);
	intake_clear(&in);
}

/* The extension of res with url, or NULL; *count says how many have it. */
static const cJSON *extension(const cJSON *res, const char *url, int *count)
{
	const cJSON *ext, *found = NULL;

	*count = 0;
	cJSON_ArrayForEach(ext, cJSON_GetObjectItemCaseSensitive(res, "extension"))
		if (strcmp(str(ext, "url"), url) == 0 && (*count)++ == 0)
			found = ext;
	return found;
}

/* The value of the part called name of a complex extension. */
static const cJSON *part(const cJSON *ext, const char *name, const char *key)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, get(ext, "extension"))
		if (strcmp(str(p, "url"), name) == 0)
			return get(p, key);
	fail_msg("no part '%s'", name);
	return NULL;
}

/* Screening answers, flags (contained Flag resources, referred to from an
 * extension), the acknowledgement, the versions. */
static void test_entry_record(void **state)
{
	(void)state;
	static const char *const pairs[] = {
		"consent_storage=yes", "first_name=Ana", "last_name=Silva",
		"date_of_birth=1985-07-23", "uses_rogaine=no", "uses_propecia=no",
		"uses_other_topical=no", "uses_other_medical=no",
		"scalp_conditions=eczema,infection,other", "scalp_conditions_detail=scabs",
		"keloid_history=no", "blood_thinners=yes", "blood_thinners_detail=warfarin",
		"allergies=no", "pregnant_or_breastfeeding=yes", "wants_root_cause_help=no", NULL
	};
	struct intake in[2];
	int n;

	make_intake(&in[0], pairs);
	make_intake(&in[1], pairs);
	strcpy(in[1].uuid, "11111111-2222-4333-8444-555555555555");
	strcpy(in[0].questionnaire_version, "2026.2");
	strcpy(in[0].advice_version, "2026.1");
	in[0].ack = (struct acknowledgement){ 2, strdup("Ana Silva"), strdup("2024-06-15T10:40:00Z"),
					      strdup("Kim") };
	in[0].cleared[0] = (struct clearance){ strdup("flag-pregnancy"),
					       strdup("After the birth\xc2\xa0" "date"),
					       strdup("2024-06-16T09:00:00Z"), strdup("Sam") };
	in[0].clearances = 1;
	/* An old intake: its own version, no screening answers. */
	strcpy(in[1].questionnaire_version, "2026.1");
	strcpy(in[1].advice_version, "2026.1");
	for (size_t i = 0; i < questionnaire_count; i++)
		if (!question_asked_in(&questionnaire[i], "2026.1"))
			assert_int_equal(answers_set(&in[1].answers, questionnaire[i].id, NULL), 0);

	char *text = bundle_text(in, 2);
	cJSON *b = cJSON_Parse(text);
	assert_non_null(b);
	const cJSON *r = get(cJSON_GetArrayItem(get(b, "entry"), 0), "resource");
	assert_string_equal(str(r, "questionnaire"), FHIR_QUESTIONNAIRE_URL "|2026.2");

	/* several choices: one valueCoding each, in the questionnaire's order */
	const cJSON *answers = get(item(r, "scalp_conditions"), "answer");
	assert_int_equal(cJSON_GetArraySize(answers), 3);
	static const char *const codes[] = { "eczema", "infection", "other" };
	for (int i = 0; i < 3; i++) {
		const cJSON *coding = get(cJSON_GetArrayItem(answers, i), "valueCoding");
		assert_string_equal(str(coding, "system"), FHIR_CODESYSTEM_BASE "scalp_conditions");
		assert_string_equal(str(coding, "code"), codes[i]);
	}
	assert_string_equal(str(answer(r, "blood_thinners_detail"), "valueString"), "warfarin");
	assert_string_equal(str(get(answer(r, "pregnant_or_breastfeeding"), "valueCoding"), "code"),
			    "yes");

	/* the Patient, then one Flag per flag raised, in flag_rules order */
	const cJSON *contained = get(r, "contained");
	static const char *const flags[] = { "flag-scalp-condition", "flag-blood-thinners",
					     "flag-pregnancy" };
	assert_int_equal(cJSON_GetArraySize(contained), 4);
	assert_string_equal(str(cJSON_GetArrayItem(contained, 0), "resourceType"), "Patient");
	for (int i = 0; i < 3; i++) {
		const cJSON *f = cJSON_GetArrayItem(contained, i + 1);
		const cJSON *coding = cJSON_GetArrayItem(get(get(f, "code"), "coding"), 0);
		assert_string_equal(str(f, "resourceType"), "Flag");
		assert_string_equal(str(f, "id"), flags[i]);
		assert_string_equal(str(f, "status"), i == 2 ? "inactive" : "active");
		assert_string_equal(str(coding, "system"), FHIR_FLAG_CODESYSTEM);
		assert_string_equal(str(coding, "code"), flags[i]);
		assert_string_equal(str(coding, "display"), flag_find(flags[i])->title);
		assert_string_equal(str(get(f, "subject"), "reference"), "#client");
		assert_int_equal(cJSON_GetObjectItemCaseSensitive(f, "extension") != NULL, i == 2);
	}
	const cJSON *clearance = extension(cJSON_GetArrayItem(contained, 3),
					   FHIR_FLAG_CLEARANCE_URL, &n);
	assert_int_equal(n, 1);
	/* text FHIR cannot hold made fit, as everywhere */
	assert_string_equal(part(clearance, "reason", "valueString")->valuestring,
			    "After the birth date");
	assert_string_equal(part(clearance, "clearedBy", "valueString")->valuestring, "Sam");
	assert_string_equal(part(clearance, "clearedAt", "valueDateTime")->valuestring,
			    "2024-06-16T09:00:00Z");
	/* each Flag referred to from the response (contained resources must be) */
	const cJSON *ext;
	int refs = 0;
	cJSON_ArrayForEach(ext, get(r, "extension")) {
		if (strcmp(str(ext, "url"), FHIR_SCREENING_FLAG_URL) != 0)
			continue;
		char want[64];
		snprintf(want, sizeof want, "#%s", flags[refs++]);
		assert_string_equal(str(get(ext, "valueReference"), "reference"), want);
	}
	assert_int_equal(refs, 3);
	assert_string_equal(str(extension(r, FHIR_ADVICE_VERSION_URL, &n), "valueString"),
			    "2026.1");
	assert_int_equal(n, 1);
	const cJSON *ack = extension(r, FHIR_ACKNOWLEDGEMENT_URL, &n);
	assert_int_equal(n, 1);
	assert_string_equal(part(ack, "typedName", "valueString")->valuestring, "Ana Silva");
	assert_string_equal(part(ack, "at", "valueDateTime")->valuestring, "2024-06-15T10:40:00Z");
	assert_string_equal(part(ack, "staff", "valueString")->valuestring, "Kim");
	assert_int_equal(part(ack, "sheet", "valuePositiveInt")->valueint, 2);

	/* the old intake: its own questionnaire version, no flag, not
	 * acknowledged: the Patient alone, the advice version alone */
	r = get(cJSON_GetArrayItem(get(b, "entry"), 1), "resource");
	assert_string_equal(str(r, "questionnaire"), FHIR_QUESTIONNAIRE_URL "|2026.1");
	assert_int_equal(cJSON_GetArraySize(get(r, "contained")), 1);
	assert_int_equal(cJSON_GetArraySize(get(r, "extension")), 1);
	assert_string_equal(str(extension(r, FHIR_ADVICE_VERSION_URL, &n), "valueString"),
			    "2026.1");
	assert_null(item(r, "scalp_conditions"));
	cJSON_Delete(b);
	free(text);
	intake_clear(&in[0]);
	intake_clear(&in[1]);
}

/* An edited intake is amended; empty strings (FHIR has none) are left out. */
static void test_entry_amended_and_empty_values(void **state)
{
	(void)state;
	static const char *const pairs[] = { "consent_storage=yes", "first_name=", "last_name=Lee",
					     "email=", "date_of_birth=1990-01-02", NULL };
	struct intake in;

	make_intake(&in, pairs);
	in.revision = 3;
	in.staff[0] = '\0';
	char *text = bundle_text(&in, 1);
	cJSON *b = cJSON_Parse(text);
	assert_non_null(b);
	const cJSON *r = only_response(b);
	assert_string_equal(str(r, "status"), "amended");
	assert_null(cJSON_GetObjectItemCaseSensitive(r, "author"));
	const cJSON *p = cJSON_GetArrayItem(get(r, "contained"), 0);
	const cJSON *name = cJSON_GetArrayItem(get(p, "name"), 0);
	assert_string_equal(str(name, "family"), "Lee");
	assert_null(cJSON_GetObjectItemCaseSensitive(name, "given"));
	assert_null(cJSON_GetObjectItemCaseSensitive(p, "telecom"));
	assert_null(item(r, "first_name"));
	assert_null(item(r, "email"));
	assert_non_null(item(r, "last_name"));
	cJSON_Delete(b);
	free(text);
	intake_clear(&in);
}

/* Characters the FHIR string type refuses become spaces, bytes that are
 * not UTF-8 U+FFFD; everything else is kept as it is. */
static void test_text_fhir_cannot_hold(void **state)
{
	(void)state;
	static const struct {
		const char *stored, *written;
	} cases[] = {
		{ "Ana\xc2\xa0Maria", "Ana Maria" },            /* no-break space */
		{ "a\x1b[31mb\x01", "a [31mb " },               /* C0 controls */
		{ "x\xe2\x80\xa8y\xef\xbb\xbfz", "x y z" },     /* line separator, BOM */
		{ "\xe3\x80\x80wide\xe2\x80\x83", " wide " },   /* ideographic, em space */
		{ "bad\xff\xc3(", "bad\xef\xbf\xbd\xef\xbf\xbd(" }, /* not UTF-8 */
		{ "\xe2\x82", "\xef\xbf\xbd\xef\xbf\xbd" },     /* cut short */
		{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" }, /* a surrogate */
		{ "Zo\xc3\xab \xe5\xb1\xb1\xe7\x94\xb0 \xf0\x9f\x98\x80 \xc2\x9b", NULL }, /* kept */
		{ "tab\there\r\nline", NULL },                  /* kept */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct intake in;
		const char *pairs[] = { "consent_storage=yes", NULL };
		const char *want = cases[i].written ? cases[i].written : cases[i].stored;

		make_intake(&in, pairs);
		assert_int_equal(answers_set(&in.answers, "first_name", cases[i].stored), 0);
		assert_int_equal(answers_set(&in.answers, "other_medical_products", cases[i].stored),
				 0);
		char *text = bundle_text(&in, 1);
		cJSON *b = cJSON_Parse(text);
		assert_non_null(b);
		const cJSON *r = only_response(b);
		const cJSON *p = cJSON_GetArrayItem(get(r, "contained"), 0);
		const cJSON *name = cJSON_GetArrayItem(get(p, "name"), 0);
		assert_string_equal(cJSON_GetArrayItem(get(name, "given"), 0)->valuestring, want);
		assert_string_equal(str(answer(r, "first_name"), "valueString"), want);
		assert_string_equal(str(answer(r, "other_medical_products"), "valueString"), want);
		cJSON_Delete(b);
		free(text);
		intake_clear(&in);
	}
}

/* Notes too long for the buffer on the stack are printed all the same. */
static void test_big_entry(void **state)
{
	(void)state;
	static const char *const pairs[] = { "consent_storage=yes", "uses_other_topical=yes",
					     "uses_other_medical=yes", NULL };
	static const char *const notes[] = { "hair_loss_notes", "other_topical_products",
					     "other_medical_products" };
	struct intake in[2];
	char big[4000 * 3 + 1];

	for (size_t i = 0; i < 4000; i++)
		memcpy(big + 3 * i, "\xe5\xb1\xb1", 3);
	big[sizeof big - 1] = '\0';
	make_intake(&in[0], pairs);
	make_intake(&in[1], pairs);
	strcpy(in[1].uuid, "11111111-2222-4333-8444-555555555555");
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(answers_set(&in[0].answers, notes[i], big), 0);
	char *text = bundle_text(in, 2);
	assert_true(strlen(text) > 3 * sizeof big);
	cJSON *b = cJSON_Parse(text);
	assert_non_null(b);
	const cJSON *entries = get(b, "entry");
	assert_int_equal(cJSON_GetArraySize(entries), 2);
	const cJSON *r = get(cJSON_GetArrayItem(entries, 0), "resource");
	for (size_t i = 0; i < 3; i++)
		assert_string_equal(str(answer(r, notes[i]), "valueString"), big);
	r = get(cJSON_GetArrayItem(entries, 1), "resource");
	assert_string_equal(str(r, "id"), "11111111-2222-4333-8444-555555555555");
	assert_null(item(r, "hair_loss_notes"));
	cJSON_Delete(b);
	free(text);
	intake_clear(&in[0]);
	intake_clear(&in[1]);
}

/* FHIR allows no empty array: an empty Bundle has no "entry". */
static void test_empty_bundle(void **state)
{
	(void)state;
	char *text = bundle_text(NULL, 0);

	assert_string_equal(text, "{\"resourceType\":\"Bundle\",\"type\":\"collection\","
				  "\"timestamp\":\"2024-06-16T08:00:00Z\"}\n");
	free(text);
}

static void test_bad_timestamp_refused(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	for (size_t i = 0; i < 3; i++) {
		static const char *const bad[] = { "2024-06-16", "2024-06-16T08:00:00\"Z",
						   "2024-06-16T08:00:00Z " };
		errno = 0;
		assert_int_equal(fhir_bundle_begin(f, bad[i]), -1);
		assert_int_equal(errno, EINVAL);
	}
	assert_int_equal(fclose(f), 0);
	assert_int_equal(len, 0);
	free(buf);
}

/* A full disk: each step returns -1 with the write's errno. */
static void test_write_errors(void **state)
{
	(void)state;
	static const char *const pairs[] = { "consent_storage=yes", "first_name=Ana", NULL };
	struct intake in;
	FILE *f = fopen("/dev/full", "w");

	if (!f)
		skip();
	assert_int_equal(setvbuf(f, NULL, _IONBF, 0), 0);
	make_intake(&in, pairs);
	errno = 0;
	assert_int_equal(fhir_bundle_begin(f, "2024-06-16T08:00:00Z"), -1);
	assert_int_equal(errno, ENOSPC);
	errno = 0;
	assert_int_equal(fhir_bundle_entry(f, &in, true), -1);
	assert_int_equal(errno, ENOSPC);
	errno = 0;
	assert_int_equal(fhir_bundle_end(f, true), -1);
	assert_int_equal(errno, ENOSPC);
	fclose(f);
	intake_clear(&in);
}

/* cJSON's allocations, failing from the nth on (0: never). */
static size_t alloc_count, alloc_fail_at;

static void *failing_malloc(size_t n)
{
	if (alloc_fail_at && ++alloc_count >= alloc_fail_at)
		return NULL;
	return malloc(n);
}

/* Every allocation failing in turn: -1 and ENOMEM (NULL for the
 * Questionnaire), nothing written, nothing leaked (valgrind, ASan). */
static void test_out_of_memory(void **state)
{
	(void)state;
	static const char *const pairs[] = {
		"consent_storage=yes", "first_name=Ana\xc2\xa0Maria", "last_name=Silva",
		"date_of_birth=1985-07-23", "email=a@example.com", "uses_rogaine=yes",
		"rogaine_form=foam", "gp_discussed=yes", "gp_signoff=obtained",
		"scalp_conditions=psoriasis,sunburn", "keloid_history=yes", "allergies=yes",
		"allergies_detail=latex", NULL
	};
	cJSON_Hooks hooks = { failing_malloc, free };
	struct intake in;
	char big[20001];
	size_t n;
	int rc = -1;

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	make_intake(&in, pairs);
	assert_int_equal(answers_set(&in.answers, "hair_loss_notes", big), 0);
	/* the flags, one of them cleared, and the acknowledgement too */
	in.cleared[0] = (struct clearance){ strdup("flag-keloid"), strdup("Old\xc2\xa0scar, fine"),
					    strdup("2024-06-16T09:00:00Z"), strdup("Sam") };
	in.clearances = 1;
	in.ack = (struct acknowledgement){ 1, strdup("Ana Silva"), strdup("2024-06-15T10:40:00Z"),
					   strdup("Kim") };
	cJSON_InitHooks(&hooks);
	for (n = 1; rc != 0 && n < 1000; n++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		assert_non_null(f);
		alloc_count = 0;
		alloc_fail_at = n;
		errno = 0;
		rc = fhir_bundle_entry(f, &in, true);
		alloc_fail_at = 0;
		if (rc != 0)
			assert_int_equal(errno, ENOMEM);
		assert_int_equal(fclose(f), 0);
		assert_int_equal(len > 0, rc == 0);
		free(buf);
	}
	assert_true(n > 20); /* the failures were met */
	rc = -1;
	for (n = 1; rc != 0 && n < 1000; n++) {
		char *text;
		alloc_count = 0;
		alloc_fail_at = n;
		errno = 0;
		text = fhir_questionnaire(NULL);
		alloc_fail_at = 0;
		if (text)
			rc = 0;
		else
			assert_int_equal(errno, ENOMEM);
		free(text);
	}
	assert_true(n > 100);
	cJSON_InitHooks(NULL);
	intake_clear(&in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_questionnaire_shape),
		cmocka_unit_test(test_entry_fields),
		cmocka_unit_test(test_entry_record),
		cmocka_unit_test(test_entry_amended_and_empty_values),
		cmocka_unit_test(test_text_fhir_cannot_hold),
		cmocka_unit_test(test_big_entry),
		cmocka_unit_test(test_empty_bundle),
		cmocka_unit_test(test_bad_timestamp_refused),
		cmocka_unit_test(test_write_errors),
		cmocka_unit_test(test_out_of_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
