/* json_fhir.c - the FHIR R4 forms (fhir.h): the Questionnaire of our
 * questions and the Bundle of one QuestionnaireResponse per intake (with
 * its course: Procedure, Media and Consent resources), built
 * as cJSON trees.  An entry's tree refers to the intake's strings instead
 * of copying them and is printed into a buffer on the stack, so an entry
 * costs little more than its nodes. */
#include "fhir.h"

#include <cJSON.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flags.h"
#include "questionnaire.h"
#include "text.h"
#include "uuid.h"

/* Big enough for almost every entry (a full intake is about 3 KB); a
 * bigger one (long notes) is printed into memory of its own. */
#define ENTRY_BUFFER 16384

/* The id of the Patient contained in each response. */
#define PATIENT_ID "client"

/* ---- text FHIR's string type can hold ---- */

/* A character FHIR's string type refuses: a control other than tab, line
 * feed and carriage return, or white space other than those and the
 * space (the FHIR JSON schema's pattern [ \r\n\t\S]+ refuses the Unicode
 * spaces, such as the no-break space a pasted name may hold). */
static bool unfit(uint32_t c)
{
	if (c < 0x20)
		return c != '\t' && c != '\n' && c != '\r';
	return c == 0x85 || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
	       c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000 ||
	       c == 0xfeff;
}

/* True when s can be written as it is. */
static bool fits(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), len;
	uint32_t c;

	for (size_t i = 0; i < n; i += len) {
		if (p[i] >= 0x20 && p[i] < 0x80) {
			len = 1;
			continue;
		}
		if (!(len = text_utf8_decode(p + i, n - i, &c)) || unfit(c))
			return false;
	}
	return true;
}

/* A copy of s with each unfit character made a space and each byte that
 * is not UTF-8 made U+FFFD.  Allocated; NULL when out of memory. */
static char *fit_copy(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), len;
	char *out = malloc(3 * n + 1), *o = out;
	uint32_t c;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i += len) {
		if (!(len = text_utf8_decode(p + i, n - i, &c))) {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			len = 1;
		} else if (unfit(c)) {
			*o++ = ' ';
		} else {
			memcpy(o, p + i, len);
			o += len;
		}
	}
	*o = '\0';
	return out;
}

/* ---- building trees: keys are constants, never copied ---- */

/* Adds item under key (a string constant); NULL (item freed) on failure. */
static cJSON *put(cJSON *obj, const char *key, cJSON *item)
{
	if (item && !cJSON_AddItemToObjectCS(obj, key, item)) {
		cJSON_Delete(item);
		return NULL;
	}
	return item;
}

/* Appends item to list; NULL (item freed) on failure. */
static cJSON *push(cJSON *list, cJSON *item)
{
	if (item && !cJSON_AddItemToArray(list, item)) {
		cJSON_Delete(item);
		return NULL;
	}
	return item;
}

/* Adds key: s, where s outlives the tree and is known to fit (ours). */
static bool put_ref(cJSON *obj, const char *key, const char *s)
{
	return put(obj, key, cJSON_CreateStringReference(s)) != NULL;
}

/* Adds key: s, where s outlives the tree, made fit when it is not. */
static bool put_text(cJSON *obj, const char *key, const char *s)
{
	char *copy;
	cJSON *item;

	if (fits(s))
		return put_ref(obj, key, s);
	if (!(copy = fit_copy(s)))
		return false;
	item = cJSON_CreateString(copy);
	free(copy);
	return put(obj, key, item) != NULL;
}

/* As put_text(), appending to a list. */
static bool push_text(cJSON *list, const char *s)
{
	char *copy;
	cJSON *item;

	if (fits(s))
		return push(list, cJSON_CreateStringReference(s)) != NULL;
	if (!(copy = fit_copy(s)))
		return false;
	item = cJSON_CreateString(copy);
	free(copy);
	return push(list, item) != NULL;
}

static bool put_bool(cJSON *obj, const char *key, bool v)
{
	return put(obj, key, cJSON_CreateBool(v)) != NULL;
}

static cJSON *put_object(cJSON *obj, const char *key)
{
	return put(obj, key, cJSON_CreateObject());
}

static cJSON *put_list(cJSON *obj, const char *key)
{
	return put(obj, key, cJSON_CreateArray());
}

static cJSON *push_object(cJSON *list)
{
	return push(list, cJSON_CreateObject());
}

/* A stored answer worth writing: FHIR has no empty strings. */
static bool given(const char *s)
{
	return s && s[0];
}

/* The code system URLs of the choice questions, made while a tree is
 * built and kept until it is printed: one slot per question. */
struct code_systems {
	char url[QUESTIONS_MAX][96];
};

/* The code system URL of choice question q's answers. */
static const char *code_system(const struct question *q, struct code_systems *cs)
{
	char *url = cs->url[q - questionnaire];

	snprintf(url, sizeof cs->url[0], "%s%s", FHIR_CODESYSTEM_BASE, q->id);
	return url;
}

/* Adds key: {system, code, display} for the answer code of choice
 * question q. */
static bool put_coding(cJSON *obj, const char *key, const struct question *q, const char *code,
		       struct code_systems *cs)
{
	cJSON *coding = put_object(obj, key);

	return coding && put_ref(coding, "system", code_system(q, cs)) &&
	       put_text(coding, "code", code) && put_text(coding, "display", code);
}

/* ---- the Questionnaire ---- */

static const char *item_type(enum qtype t)
{
	switch (t) {
	case Q_YESNO:
		return "boolean";
	case Q_DATE:
		return "date";
	case Q_CHOICE:
		return "choice";
	case Q_NOTES:
		return "text";
	case Q_TEXT:
	case Q_EMAIL:
	case Q_PHONE:
		break;
	}
	return "string";
}

/* Adds the answer value `value` to q's question as key prefix + type
 * ("answerBoolean", "valueDate", ...), for the types other than choice. */
static bool put_plain_value(cJSON *obj, const struct question *q, const char *value,
			    const char *boolean_key, const char *date_key, const char *string_key)
{
	if (q->type == Q_YESNO)
		return put_bool(obj, boolean_key, strcmp(value, "yes") == 0);
	return put_text(obj, q->type == Q_DATE ? date_key : string_key, value);
}

/* One enableWhen: question qid's answer equals value. */
static bool put_enable_when(cJSON *list, const char *qid, const char *value,
			    struct code_systems *cs)
{
	int i = questionnaire_index(qid);
	cJSON *cond = push_object(list);

	if (i < 0 || !cond || !put_ref(cond, "question", qid) || !put_ref(cond, "operator", "="))
		return false;
	if (questionnaire[i].type == Q_CHOICE)
		return put_coding(cond, "answerCoding", &questionnaire[i], value, cs);
	return put_plain_value(cond, &questionnaire[i], value, "answerBoolean", "answerDate",
			       "answerString");
}

static bool put_condition(cJSON *item, const struct question *q, struct code_systems *cs)
{
	cJSON *list;

	if (q->when.kind == WHEN_ALWAYS)
		return true;
	if (!(list = put_list(item, "enableWhen")))
		return false;
	/* "=" on a question that repeats holds when any of its answers is
	 * the value: what WHEN_INCLUDES means. */
	if (q->when.kind == WHEN_EQUALS || q->when.kind == WHEN_INCLUDES)
		return put_enable_when(list, q->when.qid, q->when.value, cs);
	for (size_t i = 0; questionnaire_treatments[i]; i++)
		if (!put_enable_when(list, questionnaire_treatments[i], "yes", cs))
			return false;
	return put_ref(item, "enableBehavior", "any");
}

static bool put_options(cJSON *item, const struct question *q, struct code_systems *cs)
{
	cJSON *list = put_list(item, "answerOption");

	if (!list)
		return false;
	for (size_t i = 0; q->choices[i]; i++) {
		cJSON *opt = push_object(list);
		if (!opt || !put_coding(opt, "valueCoding", q, q->choices[i], cs))
			return false;
		if (q->def && strcmp(q->def, q->choices[i]) == 0 &&
		    !put_bool(opt, "initialSelected", true))
			return false;
	}
	return true;
}

/* The question's text in version: its prompt, or for a question reworded
 * since, the label it had then (the old prompts are not kept). */
static const char *text_at(const struct question *q, const char *version)
{
	const char *label = question_label_at(q, version);

	return strcmp(label, q->label) == 0 ? q->prompt : label;
}

static bool put_question(cJSON *items, const struct question *q, const char *version,
			 struct code_systems *cs)
{
	cJSON *item = push_object(items), *initial;

	if (!item || !put_ref(item, "linkId", q->id) || !put_ref(item, "text", text_at(q, version)) ||
	    !put_ref(item, "type", item_type(q->type)) || !put_condition(item, q, cs) ||
	    !put_bool(item, "required", q->required) ||
	    (q->several && !put_bool(item, "repeats", true)))
		return false;
	if ((q->type == Q_TEXT || q->type == Q_NOTES) &&
	    !put(item, "maxLength", cJSON_CreateNumber((double)q->max_len)))
		return false;
	if (q->type == Q_CHOICE)
		return put_options(item, q, cs);
	if (!q->def)
		return true;
	return (initial = put_list(item, "initial")) && (initial = push_object(initial)) &&
	       put_plain_value(initial, q, q->def, "valueBoolean", "valueDate", "valueString");
}

char *fhir_questionnaire(const char *version)
{
	struct code_systems cs;
	cJSON *root = cJSON_CreateObject(), *list, *items;
	char *text = NULL, *out = NULL;
	bool ok;

	if (!version)
		version = QUESTIONNAIRE_VERSION;
	/* Every version ever issued, so that each response's
	 * "questionnaire" (url|version) names one that can be printed; the
	 * versions before the current one are retired. */
	ok = root && put_ref(root, "resourceType", "Questionnaire") &&
	     put_ref(root, "id", "smp-intake-consultation") &&
	     put_ref(root, "url", FHIR_QUESTIONNAIRE_URL) &&
	     put_text(root, "version", version) &&
	     put_ref(root, "name", "SmpIntakeConsultation") &&
	     put_ref(root, "title", "SMP consultation intake") &&
	     put_ref(root, "status",
		     strcmp(version, QUESTIONNAIRE_VERSION) == 0 ? "active" : "retired") &&
	     (list = put_list(root, "subjectType")) &&
	     push(list, cJSON_CreateStringReference("Patient")) &&
	     put_ref(root, "description",
		     "The questions smp-intake asks at a scalp micropigmentation (SMP) "
		     "consultation, in the order asked.") &&
	     (items = put_list(root, "item"));
	for (size_t i = 0; ok && i < questionnaire_count; i++)
		if (question_asked_in(&questionnaire[i], version))
			ok = put_question(items, &questionnaire[i], version, &cs);
	if (ok && (text = cJSON_Print(root)) && (out = malloc(strlen(text) + 2)))
		sprintf(out, "%s\n", text);
	free(text);
	cJSON_Delete(root);
	if (!out)
		errno = ENOMEM;
	return out;
}

/* ---- the Bundle ---- */

/* Writes s to f; 0, or -1 with errno set. */
static int write_text(FILE *f, const char *s)
{
	/* A stored invalid byte becomes \ufffd: the output stays UTF-8. */
	return text_json_write(f, s, strlen(s));
}

int fhir_bundle_begin(FILE *f, const char *exported_at)
{
	/* Ours, from date_now_utc(): nothing in it needs escaping. */
	if (strlen(exported_at) != 20 || strspn(exported_at, "0123456789-:TZ") != 20) {
		errno = EINVAL;
		return -1;
	}
	if (write_text(f,
		       "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"timestamp\":\"") ||
	    write_text(f, exported_at) || write_text(f, "\""))
		return -1;
	return 0;
}

int fhir_bundle_end(FILE *f, bool any)
{
	return write_text(f, any ? "\n]}\n" : "}\n");
}

/* What a response's tree refers to besides the intake: kept on the
 * caller's stack until the tree is printed. */
struct entry_text {
	char urn[9 + 37]; /* urn:uuid:... */
	char client_id[24];
	/* The URL, "|" and the intake's own version (struct intake's). */
	char questionnaire[sizeof FHIR_QUESTIONNAIRE_URL + 16];
	char flag_ref[FLAGS_MAX][48]; /* "#" and a flag id */
	struct code_systems cs;
};

/* The contained Patient: the client's names, birth date, contact. */
static bool put_patient(cJSON *contained, const struct intake *in, struct entry_text *t)
{
	const struct answers *a = &in->answers;
	const char *first = answers_get(a, "first_name"), *last = answers_get(a, "last_name");
	const char *dob = answers_get(a, "date_of_birth"), *phone = answers_get(a, "phone");
	const char *email = answers_get(a, "email");
	cJSON *p = push_object(contained), *list, *id;

	snprintf(t->client_id, sizeof t->client_id, "%lld", in->client_id);
	if (!p || !put_ref(p, "resourceType", "Patient") || !put_ref(p, "id", PATIENT_ID) ||
	    !(list = put_list(p, "identifier")) || !(id = push_object(list)) ||
	    !put_ref(id, "system", FHIR_CLIENT_ID_SYSTEM) || !put_ref(id, "value", t->client_id))
		return false;
	if (given(first) || given(last)) {
		cJSON *name, *given_names;
		if (!(list = put_list(p, "name")) || !(name = push_object(list)) ||
		    (given(last) && !put_text(name, "family", last)))
			return false;
		if (given(first) &&
		    (!(given_names = put_list(name, "given")) || !push_text(given_names, first)))
			return false;
	}
	if (given(phone) || given(email)) {
		cJSON *tel;
		if (!(list = put_list(p, "telecom")))
			return false;
		if (given(phone) &&
		    (!(tel = push_object(list)) || !put_ref(tel, "system", "phone") ||
		     !put_text(tel, "value", phone)))
			return false;
		if (given(email) &&
		    (!(tel = push_object(list)) || !put_ref(tel, "system", "email") ||
		     !put_text(tel, "value", email)))
			return false;
	}
	return !given(dob) || put_text(p, "birthDate", dob);
}

/* One item per answered question, in the questionnaire's order; a
 * question with several choices has one answer per choice given. */
static bool put_items(cJSON *res, const struct intake *in, struct entry_text *t)
{
	cJSON *items = NULL;

	for (size_t i = 0; i < questionnaire_count; i++) {
		const struct question *q = &questionnaire[i];
		const char *v = in->answers.value[i], *codes[QUESTION_CHOICES_MAX];
		size_t n = 1;
		cJSON *item, *answers, *answer;

		if (!given(v))
			continue;
		if (!items && !(items = put_list(res, "item")))
			return false;
		if (!(item = push_object(items)) || !put_ref(item, "linkId", q->id) ||
		    !(answers = put_list(item, "answer")))
			return false;
		codes[0] = v;
		if (q->several && !(n = answers_split(q, v, codes))) {
			codes[0] = v;
			n = 1;
		}
		for (size_t k = 0; k < n; k++) {
			if (!(answer = push_object(answers)))
				return false;
			if (q->type == Q_CHOICE) {
				if (!put_coding(answer, "valueCoding", q, codes[k], &t->cs))
					return false;
			} else if (!put_plain_value(answer, q, v, "valueBoolean", "valueDate",
						    "valueString")) {
				return false;
			}
		}
	}
	return true;
}

/* ---- flags, acknowledgement, advice version ---- */

/* Adds to list an extension {url, key: value} (value a string that
 * outlives the tree, made fit) or, with key NULL, a complex extension
 * {url, extension: []}, which it returns for its parts. */
static cJSON *push_extension(cJSON *list, const char *url, const char *key, const char *value)
{
	cJSON *ext = push_object(list);

	if (!ext || !put_ref(ext, "url", url))
		return NULL;
	if (!key)
		return put_list(ext, "extension");
	return put_text(ext, key, value) ? ext : NULL;
}

/* The clearance of flag f among in's, or NULL while it is open. */
static const struct clearance *clearance_of(const struct intake *in, const struct flag_rule *f)
{
	for (size_t i = 0; i < in->clearances; i++)
		if (strcmp(in->cleared[i].flag_id, f->id) == 0)
			return &in->cleared[i];
	return NULL;
}

/* Each flag the answers raise: a contained Flag (active while open,
 * inactive once cleared, with the clearance as an extension), and an
 * extension of the response that refers to it. */
static bool put_flags(cJSON *contained, cJSON **extensions, cJSON *res, const struct intake *in,
		      struct entry_text *t)
{
	size_t n = 0;

	for (size_t r = 0; r < flag_rule_count; r++) {
		const struct flag_rule *f = &flag_rules[r];
		const struct clearance *c;
		cJSON *flag, *list, *coding, *code, *ref, *parts;

		if (!flag_raised(f, &in->answers))
			continue;
		c = clearance_of(in, f);
		snprintf(t->flag_ref[n], sizeof t->flag_ref[n], "#%s", f->id);
		if (!(flag = push_object(contained)) || !put_ref(flag, "resourceType", "Flag") ||
		    !put_ref(flag, "id", f->id))
			return false;
		if (c && (!(list = put_list(flag, "extension")) ||
			  !(parts = push_extension(list, FHIR_FLAG_CLEARANCE_URL, NULL, NULL)) ||
			  !push_extension(parts, "reason", "valueString", c->reason) ||
			  !push_extension(parts, "clearedBy", "valueString", c->staff) ||
			  !push_extension(parts, "clearedAt", "valueDateTime", c->at)))
			return false;
		if (!put_ref(flag, "status", c ? "inactive" : "active") ||
		    !(code = put_object(flag, "code")) || !(list = put_list(code, "coding")) ||
		    !(coding = push_object(list)) ||
		    !put_ref(coding, "system", FHIR_FLAG_CODESYSTEM) ||
		    !put_ref(coding, "code", f->id) || !put_ref(coding, "display", f->title) ||
		    !put_ref(code, "text", f->title) || !(ref = put_object(flag, "subject")) ||
		    !put_ref(ref, "reference", "#" PATIENT_ID))
			return false;
		if (!*extensions && !(*extensions = put_list(res, "extension")))
			return false;
		if (!(ref = push_object(*extensions)) || !put_ref(ref, "url", FHIR_SCREENING_FLAG_URL) ||
		    !(ref = put_object(ref, "valueReference")) ||
		    !put_ref(ref, "reference", t->flag_ref[n]))
			return false;
		n++;
	}
	return true;
}

/* The response's own extensions: the advice version, and the client's
 * acknowledgement when there is one. */
static bool put_record_extensions(cJSON *extensions, const struct intake *in)
{
	const char *advice = in->advice_version[0] ? in->advice_version : ADVICE_VERSION;
	cJSON *parts, *sheet;

	if (!push_extension(extensions, FHIR_ADVICE_VERSION_URL, "valueString", advice))
		return false;
	if (!in->ack.sheet)
		return true;
	return (parts = push_extension(extensions, FHIR_ACKNOWLEDGEMENT_URL, NULL, NULL)) &&
	       push_extension(parts, "typedName", "valueString", in->ack.typed_name) &&
	       push_extension(parts, "at", "valueDateTime", in->ack.at) &&
	       push_extension(parts, "staff", "valueString", in->ack.staff) &&
	       (sheet = push_object(parts)) && put_ref(sheet, "url", "sheet") &&
	       put(sheet, "valuePositiveInt", cJSON_CreateNumber((double)in->ack.sheet));
}

static cJSON *response(const struct intake *in, struct entry_text *t)
{
	cJSON *entry = cJSON_CreateObject(), *res, *list, *id, *ref, *extensions = NULL;
	bool ok;

	snprintf(t->urn, sizeof t->urn, "urn:uuid:%s", in->uuid);
	snprintf(t->questionnaire, sizeof t->questionnaire, "%s|%s", FHIR_QUESTIONNAIRE_URL,
		 in->questionnaire_version[0] ? in->questionnaire_version : QUESTIONNAIRE_VERSION);
	ok = entry && put_ref(entry, "fullUrl", t->urn) && (res = put_object(entry, "resource")) &&
	     put_ref(res, "resourceType", "QuestionnaireResponse") &&
	     put_ref(res, "id", in->uuid) && (list = put_list(res, "contained")) &&
	     put_patient(list, in, t) && put_flags(list, &extensions, res, in, t) &&
	     (extensions || (extensions = put_list(res, "extension"))) &&
	     put_record_extensions(extensions, in) && (id = put_object(res, "identifier")) &&
	     put_ref(id, "system", "urn:ietf:rfc:3986") && put_ref(id, "value", t->urn) &&
	     put_ref(res, "questionnaire", t->questionnaire) &&
	     put_ref(res, "status", in->revision > 1 ? "amended" : "completed") &&
	     (ref = put_object(res, "subject")) && put_ref(ref, "reference", "#" PATIENT_ID) &&
	     (!given(in->taken_at) || put_text(res, "authored", in->taken_at)) &&
	     (!given(in->staff) ||
	      ((ref = put_object(res, "author")) && put_text(ref, "display", in->staff))) &&
	     put_items(res, in, t);
	if (!ok) {
		cJSON_Delete(entry);
		return NULL;
	}
	return entry;
}

int fhir_bundle_entry(FILE *f, const struct intake *in, bool first)
{
	struct entry_text t = { 0 };
	char buf[ENTRY_BUFFER], *big = NULL;
	const char *text = buf;
	cJSON *entry = response(in, &t);
	int rc = -1;

	if (!entry) {
		errno = ENOMEM;
		return -1;
	}
	if (!cJSON_PrintPreallocated(entry, buf, sizeof buf, false)) {
		if (!(big = cJSON_PrintUnformatted(entry))) {
			errno = ENOMEM;
			goto out;
		}
		text = big;
	}
	if (write_text(f, first ? ",\"entry\":[\n" : ",\n") == 0 && write_text(f, text) == 0)
		rc = 0;
out:
	free(big);
	cJSON_Delete(entry);
	return rc;
}

/* ---- the course after a response ---- */

/* Prints entry (NULL: out of memory) as the Bundle's next entry. */
static int write_entry(FILE *f, cJSON *entry)
{
	char *text;
	int rc = -1;

	if (!entry || !(text = cJSON_PrintUnformatted(entry))) {
		cJSON_Delete(entry);
		errno = ENOMEM;
		return -1;
	}
	if (write_text(f, ",\n") == 0 && write_text(f, text) == 0)
		rc = 0;
	free(text);
	cJSON_Delete(entry);
	return rc;
}

/* ---- a session as a Procedure ---- */

/* Adds a part {url, valueString} to a complex extension when s is given. */
static bool push_part(cJSON *parts, const char *url, const char *s)
{
	return !given(s) || push_extension(parts, url, "valueString", s) != NULL;
}

static cJSON *procedure(const struct intake *in, const struct session *s, struct entry_text *t,
			char *urn, char *intake_urn)
{
	cJSON *entry = cJSON_CreateObject(), *res, *list, *item, *ref, *parts, *code;
	bool ok;

	snprintf(urn, 9 + 37, "urn:uuid:%s", s->uuid);
	snprintf(intake_urn, 9 + 37, "urn:uuid:%s", in->uuid);
	ok = entry && put_ref(entry, "fullUrl", urn) && (res = put_object(entry, "resource")) &&
	     put_ref(res, "resourceType", "Procedure") && put_ref(res, "id", s->uuid) &&
	     (list = put_list(res, "contained")) && put_patient(list, in, t) &&
	     (list = put_list(res, "extension")) &&
	     (item = push_object(list)) && put_ref(item, "url", FHIR_CONSULTATION_URL) &&
	     (ref = put_object(item, "valueReference")) && put_ref(ref, "reference", intake_urn) &&
	     (parts = push_extension(list, FHIR_PIGMENT_URL, NULL, NULL)) &&
	     push_part(parts, "brand", s->pigment_brand) && push_part(parts, "shade", s->shade) &&
	     push_part(parts, "lot", s->lot) && push_part(parts, "lotExpiry", s->lot_expiry) &&
	     push_part(parts, "needle", s->needle) && push_part(parts, "dilution", s->dilution) &&
	     (list = put_list(res, "identifier")) && (item = push_object(list)) &&
	     put_ref(item, "system", "urn:ietf:rfc:3986") && put_ref(item, "value", urn) &&
	     put_ref(res, "status", "completed") && (code = put_object(res, "code")) &&
	     put_ref(code, "text", s->patch_test ? "Scalp micropigmentation patch test"
						 : "Scalp micropigmentation session") &&
	     (ref = put_object(res, "subject")) && put_ref(ref, "reference", "#" PATIENT_ID) &&
	     put_text(res, "performedDateTime", s->performed_on) &&
	     (list = put_list(res, "performer")) && (item = push_object(list)) &&
	     (ref = put_object(item, "actor")) && put_text(ref, "display", s->artist) &&
	     (list = put_list(res, "bodySite"));
	/* The areas as text: no SNOMED code is sure for them. */
	for (const char *p = s->areas ? s->areas : ""; ok && *p;) {
		size_t n = strcspn(p, ",");
		char area[32];
		snprintf(area, sizeof area, "%.*s", (int)(n < 31 ? n : 31), p);
		for (char *c = area; *c; c++)
			if (*c == '_')
				*c = '-';
		ok = (item = push_object(list)) && put(item, "text", cJSON_CreateString(area));
		p += n + (p[n] == ',');
	}
	if (ok && s->reaction)
		ok = (item = put_object(res, "outcome")) &&
		     put(item, "text", cJSON_CreateString(strcmp(s->reaction, "none") == 0
							   ? "patch test: no reaction"
							   : strcmp(s->reaction, "mild") == 0
							   ? "patch test: mild reaction"
							   : "patch test: marked reaction"));
	if (ok && (given(s->notes) || given(s->reaction_note))) {
		ok = (list = put_list(res, "note")) != NULL;
		if (ok && given(s->notes))
			ok = (item = push_object(list)) && put_text(item, "text", s->notes);
		if (ok && given(s->reaction_note))
			ok = (item = push_object(list)) && put_text(item, "text", s->reaction_note);
	}
	if (!ok) {
		cJSON_Delete(entry);
		return NULL;
	}
	return entry;
}

int fhir_bundle_procedure(FILE *f, const struct intake *in, const struct session *s)
{
	struct entry_text t = { 0 };
	char urn[9 + 37], intake_urn[9 + 37];

	return write_entry(f, procedure(in, s, &t, urn, intake_urn));
}

/* ---- a photo as a Media, a consent row as a Consent ---- */

/* The references an entry of the course holds, kept on the caller's stack
 * until the tree is printed. */
struct course_urns {
	char own[9 + 37];    /* the resource's urn:uuid: */
	char intake[9 + 37]; /* the intake's response */
	char part[9 + 37];   /* a photo's session (Procedure) */
	char id[37];         /* a consent row's UUID (uuid_v5_url()) */
};

/* The head every resource of the course shares: fullUrl, resourceType,
 * id, the contained Patient, and the consultation it goes with as our
 * extension (as a Procedure's).  Returns the resource, or NULL. */
static cJSON *course_resource(cJSON *entry, const char *type, const char *id,
			      const struct intake *in, struct entry_text *t, struct course_urns *u,
			      cJSON **extensions)
{
	cJSON *res, *list, *item, *ref;

	snprintf(u->own, sizeof u->own, "urn:uuid:%s", id);
	snprintf(u->intake, sizeof u->intake, "urn:uuid:%s", in->uuid);
	if (!put_ref(entry, "fullUrl", u->own) || !(res = put_object(entry, "resource")) ||
	    !put_ref(res, "resourceType", type) || !put_ref(res, "id", id) ||
	    !(list = put_list(res, "contained")) || !put_patient(list, in, t) ||
	    !(*extensions = put_list(res, "extension")) || !(item = push_object(*extensions)) ||
	    !put_ref(item, "url", FHIR_CONSULTATION_URL) ||
	    !(ref = put_object(item, "valueReference")) || !put_ref(ref, "reference", u->intake))
		return NULL;
	return res;
}

/* identifier: [{urn:ietf:rfc:3986, urn:uuid:...}] */
static bool put_identifier_list(cJSON *res, const char *urn)
{
	cJSON *list, *item;

	return (list = put_list(res, "identifier")) && (item = push_object(list)) &&
	       put_ref(item, "system", "urn:ietf:rfc:3986") && put_ref(item, "value", urn);
}

/* key: {"reference": "#client"} */
static bool put_patient_ref(cJSON *res, const char *key)
{
	cJSON *ref = put_object(res, key);

	return ref && put_ref(ref, "reference", "#" PATIENT_ID);
}

static cJSON *media(const struct intake *in, const struct photo *p, const char *session_uuid,
		    struct entry_text *t, struct course_urns *u)
{
	cJSON *entry = cJSON_CreateObject(), *res, *ext, *list, *item, *type, *content;
	bool ok;

	ok = entry && (res = course_resource(entry, "Media", p->uuid, in, t, u, &ext)) &&
	     put_identifier_list(res, u->own);
	/* Taken at a session: part of its Procedure, in the same Bundle. */
	if (ok && session_uuid) {
		snprintf(u->part, sizeof u->part, "urn:uuid:%s", session_uuid);
		ok = (list = put_list(res, "partOf")) && (item = push_object(list)) &&
		     put_ref(item, "reference", u->part);
	}
	ok = ok && put_ref(res, "status", "completed") && (type = put_object(res, "type")) &&
	     (list = put_list(type, "coding")) && (item = push_object(list)) &&
	     put_ref(item, "system", "http://terminology.hl7.org/CodeSystem/media-type") &&
	     put_ref(item, "code", "image") && put_ref(item, "display", "Image") &&
	     put_ref(type, "text", "Image") && put_patient_ref(res, "subject");
	if (ok && given(p->view))
		ok = (item = put_object(res, "view")) && put_text(item, "text", p->view);
	if (ok && given(p->added_at))
		ok = put_text(res, "createdDateTime", p->added_at);
	if (ok && given(p->staff))
		ok = (item = put_object(res, "operator")) && put_text(item, "display", p->staff);
	/* The SHA-256 in our extension: R4's Attachment.hash is SHA-1.  No
	 * data, no url: the bytes stay in the database. */
	ok = ok && (content = put_object(res, "content")) &&
	     (list = put_list(content, "extension")) &&
	     push_extension(list, FHIR_SHA256_URL, "valueString", p->sha256) &&
	     (!given(p->media_type) || put_text(content, "contentType", p->media_type)) &&
	     (p->size < 0 || put(content, "size", cJSON_CreateNumber((double)p->size)));
	if (!ok) {
		cJSON_Delete(entry);
		return NULL;
	}
	return entry;
}

/* A kind of consent in words (docs/export.md). */
static const char *consent_words(const char *kind)
{
	return strcmp(kind, "marketing") == 0 ? "Photos used for the studio's marketing"
					      : "Photos kept in the client's record";
}

static cJSON *consent(const struct intake *in, const struct consent_row *c, size_t n,
		      struct entry_text *t, struct course_urns *u)
{
	cJSON *entry = cJSON_CreateObject(), *res, *ext, *list, *item, *code, *coding;
	char name[sizeof FHIR_BASE + 64];
	const char *words = consent_words(c->kind);
	bool ok;

	/* A consent row has no UUID of its own: one made from the intake's
	 * and the row's place among the intake's, the same in every export. */
	snprintf(name, sizeof name, "%sConsent/%s/%zu", FHIR_BASE, in->uuid, n);
	uuid_v5_url(name, u->id);
	ok = entry && (res = course_resource(entry, "Consent", u->id, in, t, u, &ext)) &&
	     put_identifier_list(res, u->own) &&
	     put_ref(res, "status", c->latest ? "active" : "inactive") &&
	     (code = put_object(res, "scope")) && (list = put_list(code, "coding")) &&
	     (coding = push_object(list)) &&
	     put_ref(coding, "system", "http://terminology.hl7.org/CodeSystem/consentscope") &&
	     put_ref(coding, "code", "patient-privacy") &&
	     put_ref(coding, "display", "Privacy Consent") &&
	     put_ref(code, "text", "Privacy Consent") && (list = put_list(res, "category")) &&
	     (code = push_object(list)) && (list = put_list(code, "coding")) &&
	     (coding = push_object(list)) &&
	     put_ref(coding, "system", FHIR_PHOTO_CONSENT_CODESYSTEM) &&
	     put_text(coding, "code", c->kind) && put_ref(coding, "display", words) &&
	     put_ref(code, "text", words) && put_patient_ref(res, "patient") &&
	     (!given(c->at) || put_text(res, "dateTime", c->at)) &&
	     (!given(c->staff) ||
	      ((list = put_list(res, "performer")) && (item = push_object(list)) &&
	       put_text(item, "display", c->staff)));
	/* Given at the assessment: its source is the intake's response. */
	if (ok && c->at_intake)
		ok = (item = put_object(res, "sourceReference")) &&
		     put_ref(item, "reference", u->intake);
	ok = ok && (item = put_object(res, "policyRule")) &&
	     put_ref(item, "text", "The studio's photo consent") &&
	     (item = put_object(res, "provision")) &&
	     put_ref(item, "type", strcmp(c->value, "yes") == 0 ? "permit" : "deny");
	if (!ok) {
		cJSON_Delete(entry);
		return NULL;
	}
	return entry;
}

int fhir_bundle_media(FILE *f, const struct intake *in, const struct photo *p,
		      const char *session_uuid)
{
	struct entry_text t = { 0 };
	struct course_urns u = { 0 };

	return write_entry(f, media(in, p, session_uuid, &t, &u));
}

int fhir_bundle_consent(FILE *f, const struct intake *in, const struct consent_row *c, size_t n)
{
	struct entry_text t = { 0 };
	struct course_urns u = { 0 };

	return write_entry(f, consent(in, c, n, &t, &u));
}
