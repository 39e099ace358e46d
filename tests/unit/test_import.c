/* test_import.c - unit tests for json_import.c: the scanner (nesting,
 * strings with brackets and escapes, records split across buffer
 * boundaries at every size, the limits) and the checks on one record
 * (each refusal names its field and never the value). */
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

#include "advice.h"
#include "import.h"
#include "json.h"

/* ---- the scanner ---- */

/* A source that gives at most `step` bytes per read (or fails with EIO
 * once `fail_at` bytes are given, when set). */
struct source {
	const char *data;
	size_t len, at, step, fail_at;
};

static ssize_t source_read(void *arg, char *buf, size_t n)
{
	struct source *s = arg;

	if (s->fail_at && s->at >= s->fail_at) {
		errno = EIO;
		return -1;
	}
	if (n > s->step)
		n = s->step;
	if (n > s->len - s->at)
		n = s->len - s->at;
	memcpy(buf, s->data + s->at, n);
	s->at += n;
	return (ssize_t)n;
}

/* Reads every record of data with the given buffer and read sizes.
 * Records go to out (NUL-separated copies, as many as fit); returns the
 * number read, or -1 - that number after an error (why filled). */
static long long read_all(const char *data, size_t len, size_t bufsize, size_t step, char *out,
			  size_t outlen, char *why, size_t whylen)
{
	struct source src = {data, len, 0, step, 0};
	struct import_reader *r = import_reader_new(source_read, &src, bufsize);
	const char *text;
	size_t n, used = 0;
	long long count = 0;
	int rc;

	assert_non_null(r);
	why[0] = '\0';
	while ((rc = import_reader_next(r, &text, &n, why, whylen)) == 1) {
		count++;
		assert_int_equal(import_reader_count(r), count);
		if (out && used + n + 1 <= outlen) {
			memcpy(out + used, text, n);
			out[used + n] = '\0';
			used += n + 1;
		}
	}
	if (rc < 0) {
		/* An error is final. */
		char again[200];
		assert_int_equal(import_reader_next(r, &text, &n, again, sizeof again), -1);
	}
	import_reader_free(r);
	return rc < 0 ? -1 - count : count;
}

static const size_t sizes[] = {1, 2, 3, 5, 7, 16, 64, 4096};
#define N_SIZES (sizeof sizes / sizeof sizes[0])

static void test_scan_strings_with_brackets_and_escapes(void **state)
{
	(void)state;
	/* Brackets and quotes inside strings, escaped quotes and backslashes
	 * at the end of strings, an escaped slash, a \u escape, blanks. */
	static const char *const records[] = {
	    "{\"a\":\"}]\",\"b\":\"{[\"}",
	    "{\"q\":\"say \\\"}\\\" now\",\"bs\":\"ends in \\\\\",\"n\":[1,{\"x\":\"]\"}]}",
	    "{\"u\":\"\\u007d\\/\",\"e\":{}}",
	    "{\"k}\":\"v{\" , \"deep\" : [[[]]] }",
	};
	char data[1024], ndjson[1024], out[1024], why[200];
	size_t used = 0, nd = 0;

	used += (size_t)snprintf(data + used, sizeof data - used, " \n[");
	for (size_t i = 0; i < 4; i++) {
		used += (size_t)snprintf(data + used, sizeof data - used, "%s\r\n %s", i ? "," : "",
					 records[i]);
		nd += (size_t)snprintf(ndjson + nd, sizeof ndjson - nd, "%s%s\n",
				       i == 2 ? "\n" : "", records[i]);
	}
	used += (size_t)snprintf(data + used, sizeof data - used, "\n]\n");
	for (size_t b = 0; b < N_SIZES; b++) {
		for (size_t s = 0; s < N_SIZES; s++) {
			for (int lines = 0; lines < 2; lines++) {
				const char *in = lines ? ndjson : data;
				long long n = read_all(in, lines ? nd : used, sizes[b], sizes[s],
						       out, sizeof out, why, sizeof why);
				const char *p = out;
				if (n != 4)
					fail_msg("buffer %zu, reads of %zu, %s: %lld records (%s)",
						 sizes[b], sizes[s], lines ? "ndjson" : "array", n,
						 why);
				for (size_t i = 0; i < 4; i++) {
					assert_string_equal(p, records[i]);
					p += strlen(p) + 1;
				}
			}
		}
	}
}

struct bad_file {
	const char *data;
	size_t len;
	long long records; /* read before the error */
	const char *why;   /* the start of the reason */
};

#define LIT(s) s, sizeof(s) - 1

static void test_scan_refusals(void **state)
{
	(void)state;
	static const struct bad_file cases[] = {
	    {LIT(""), 0, "the file is empty"},
	    {LIT(" \n\t"), 0, "the file is empty"},
	    {LIT("x"), 0, "not an export"},
	    /* A byte order mark alone, or only its first bytes. */
	    {LIT("\xef\xbb\xbf"), 0, "the file is empty"},
	    {LIT("\xef\xbb\xbf \r\n"), 0, "the file is empty"},
	    {LIT("\xef\xbb[]"), 0, "not an export"},
	    {LIT("\xef\xbb\xbf\xef\xbb\xbf[]"), 0, "not an export"},
	    /* What PowerShell 5 gives. */
	    {LIT("\xff\xfe[\0]\0"), 0, "UTF-16 text"},
	    {LIT("\xfe\xff\0[\0]"), 0, "UTF-16 text"},
	    {LIT("["), 0, "the file ends before the closing ]"},
	    {LIT("[{\"a\":1}"), 1, "after record 1: the file ends before the closing ]"},
	    {LIT("[{\"a\":1},"), 1, "after record 1: the file ends after a comma"},
	    {LIT("[{\"a\":1},]"), 1, "after record 1: a comma before ]"},
	    {LIT("[{\"a\":1}{\"b\":2}]"), 1, "after record 1: expected , or ]"},
	    {LIT("[{\"a\":\"}"), 0, "record 1: the file ends inside this record"},
	    {LIT("[{\"a\":{\"b\":1}"), 0, "record 1: the file ends inside this record"},
	    {LIT("[1]"), 0, "record 1: not an intake object"},
	    {LIT("[{}, \"x\"]"), 1, "record 2: not an intake object"},
	    {LIT("[{}] x"), 1, "after the closing ]: more text"},
	    {LIT("[{}][]"), 1, "after the closing ]: more text"},
	    {LIT("{}\n{} {}\n"), 2, "after record 2: more after the object on its line"},
	    {LIT("{}\n[]\n"), 1, "record 2: not an intake object"},
	    {LIT("[{\"a\":\"x\ny\"}]"), 0, "record 1: a control character written raw"},
	    {LIT("[{\"a\":\"x\\\ty\"}]"), 0, "record 1: a control character written raw"},
	    {LIT("[{\"a\":1,\0}]"), 0, "record 1: a NUL byte"},
	    {LIT("[{\"a\":\"x\0\"}]"), 0, "record 1: a NUL byte"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *d = cases[i].data;
		size_t len = cases[i].len;
		char why[200];

		for (size_t b = 0; b < N_SIZES; b++) {
			long long n =
			    read_all(d, len, sizes[b], sizes[b], NULL, 0, why, sizeof why);
			if (n != -1 - cases[i].records ||
			    strncmp(why, cases[i].why, strlen(cases[i].why)))
				fail_msg("case %zu, buffer %zu: %lld (%s)", i, sizes[b], n, why);
		}
	}
}

/* A CSV file is named as such, read through a buffer that holds its first
 * line however slowly the bytes come (a pipe). */
static void test_scan_csv(void **state)
{
	(void)state;
	static const char *const csv[] = {"id,uuid,taken_at\r\n1,9e13,2026\r\n",
					  "\xef\xbb\xbfid;uuid\n", "id,uuid"};
	char why[200];

	for (size_t i = 0; i < sizeof csv / sizeof csv[0]; i++) {
		for (size_t step = 1; step <= 8; step++) {
			assert_int_equal(
			    read_all(csv[i], strlen(csv[i]), 64, step, NULL, 0, why, sizeof why),
			    -1);
			assert_string_equal(why, "looks like CSV; import reads the JSON export "
						 "(export --format json or ndjson)");
		}
	}
}

static void test_scan_empty_exports(void **state)
{
	(void)state;
	/* A byte order mark (Notepad, PowerShell) is skipped. */
	static const char *const empty[] = {"[]", " [ \n ] \n", "[]\r\n", "\xef\xbb\xbf[]",
					    "\xef\xbb\xbf\r\n[]\r\n"};
	char why[200];

	for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++)
		for (size_t b = 0; b < N_SIZES; b++)
			assert_int_equal(read_all(empty[i], strlen(empty[i]), sizes[b], 3, NULL, 0,
						  why, sizeof why),
					 0);
}

/* { "a": [[[...]]] } nested depth deep in all. */
static char *nested(int depth)
{
	char *s = malloc((size_t)depth * 2 + 16), *p = s;

	p += sprintf(p, "[{\"a\":");
	for (int i = 1; i < depth; i++)
		*p++ = '[';
	for (int i = 1; i < depth; i++)
		*p++ = ']';
	strcpy(p, "}]");
	return s;
}

static void test_scan_nesting_limit(void **state)
{
	(void)state;
	char why[200];
	char *ok = nested(IMPORT_DEPTH_MAX), *deep = nested(IMPORT_DEPTH_MAX + 1);
	char *very = nested(10000);

	assert_int_equal(read_all(ok, strlen(ok), 7, 7, NULL, 0, why, sizeof why), 1);
	assert_int_equal(read_all(deep, strlen(deep), 7, 7, NULL, 0, why, sizeof why), -1);
	assert_non_null(strstr(why, "record 1: nested more than 16 deep"));
	assert_int_equal(read_all(very, strlen(very), 4096, 4096, NULL, 0, why, sizeof why), -1);
	assert_non_null(strstr(why, "nested more than"));
	/* Brackets in strings do not count. */
	free(very);
	very = malloc(20100);
	strcpy(very, "{\"s\":\"");
	memset(very + 6, '[', 20000);
	strcpy(very + 20006, "\"}");
	assert_int_equal(read_all(very, strlen(very), 64, 64, NULL, 0, why, sizeof why), 1);
	free(ok);
	free(deep);
	free(very);
}

/* A record of exactly n bytes: {"s":"xxx..."} */
static char *record_of(size_t n)
{
	char *s = malloc(n + 3);

	memcpy(s, "{\"s\":\"", 6);
	memset(s + 6, 'x', n - 8);
	memcpy(s + n - 2, "\"}\n", 4);
	return s;
}

/* An endless line: {"s":"xxx... for as long as it is read. */
static ssize_t endless_read(void *arg, char *buf, size_t n)
{
	size_t *given = arg;

	memset(buf, 'x', n);
	if (*given == 0)
		memcpy(buf, "{\"s\":\"", n < 6 ? n : 6);
	*given += n;
	return (ssize_t)n;
}

static void test_scan_record_size_limit(void **state)
{
	(void)state;
	char why[200];
	char *at_limit = record_of(IMPORT_RECORD_MAX), *over = record_of(IMPORT_RECORD_MAX + 1);
	size_t given = 0;
	struct import_reader *r;
	const char *text;
	size_t n;

	assert_int_equal(
	    read_all(at_limit, IMPORT_RECORD_MAX + 1, 65536, 65536, NULL, 0, why, sizeof why), 1);
	assert_int_equal(
	    read_all(over, IMPORT_RECORD_MAX + 2, 4096, 4096, NULL, 0, why, sizeof why), -1);
	assert_string_equal(why, "record 1: longer than 1024 KiB, the most one intake may take");
	/* It stops there: the rest of an endless line is never read. */
	r = import_reader_new(endless_read, &given, 65536);
	assert_int_equal(import_reader_next(r, &text, &n, why, sizeof why), -1);
	assert_string_equal(why, "record 1: longer than 1024 KiB, the most one intake may take");
	assert_true(given <= IMPORT_RECORD_MAX + 65536);
	import_reader_free(r);
	free(at_limit);
	free(over);
}

static void test_scan_read_error(void **state)
{
	(void)state;
	static const char data[] = "[{\"a\":1},{\"b\":2}]";
	struct source src = {data, sizeof data - 1, 0, 4, 10};
	struct import_reader *r = import_reader_new(source_read, &src, 4);
	const char *text;
	char why[200];
	size_t n;

	assert_int_equal(import_reader_next(r, &text, &n, why, sizeof why), 1);
	assert_int_equal(import_reader_next(r, &text, &n, why, sizeof why), -1);
	assert_non_null(strstr(why, "cannot read the file"));
	assert_non_null(strstr(why, strerror(EIO)));
	import_reader_free(r);
}

/* ---- one record ---- */

static struct date today;

static void day(char buf[11], int days)
{
	date_format(date_add_days(today, days), buf);
}

/* A valid record: a treated client, signed off by the GP after the
 * intake, a session planned for a day now past. */
static cJSON *good_record(void)
{
	char taken[32], since[11], signed_on[11], planned[11], text[2048];
	cJSON *root;

	day(taken, -10);
	strcat(taken, "T10:00:00Z");
	day(signed_on, -2);
	day(planned, -5);
	day(since, -400);
	snprintf(text, sizeof text,
		 "{\"id\":7,\"uuid\":\"9e1383b2-4009-4a81-8291-00932e028eca\",\"taken_at\":\"%s\","
		 "\"staff\":\"Dana\",\"client\":{\"id\":3,\"first_name\":\"Zo\xc3\xab\","
		 "\"last_name\":\"Okafor\",\"date_of_birth\":\"1985-07-23\",\"phone\":\"+44 7700 "
		 "900123\",\"email\":null},\"answers\":{\"consent_storage\":true,"
		 "\"hair_loss_notes\":\" crown\\nthin \",\"uses_rogaine\":true,\"rogaine_form\":"
		 "\"foam\",\"rogaine_since\":\"%s\",\"uses_propecia\":false,\"uses_other_topical\":"
		 "false,\"uses_other_medical\":false,\"gp_discussed\":true,\"gp_signoff\":"
		 "\"obtained\",\"gp_name\":\"Dr Patel\",\"gp_signoff_date\":\"%s\","
		 "\"wants_root_cause_help\":false,\"planned_session_date\":\"%s\"},\"advice\":"
		 "[{\"id\":\"smp-cosmetic-only\",\"text\":\"SMP is cosmetic.\"},{\"id\":"
		 "\"treatments-compatible\",\"text\":\"Carry on.\"},{\"id\":"
		 "\"gp-signoff\",\"text\":\"Ask your GP.\"},{\"id\":\"tell-artist\","
		 "\"text\":\"Tell us.\"},{\"id\":\"pause-topicals\",\"text\":\"Pause.\"}],"
		 "\"gp_signoff\":{\"status\":"
		 "\"obtained\",\"gp_name\":\"Dr Patel\",\"date\":\"%s\"}}",
		 taken, since, signed_on, planned, signed_on);
	root = cJSON_Parse(text);
	assert_non_null(root);
	return root;
}

static struct import_checks checks;

static int parse_text(const char *text, size_t len, struct intake *in, char *why, size_t n)
{
	return import_record_parse(text, len, &checks, in, why, n);
}

static void test_record_good(void **state)
{
	(void)state;
	cJSON *root = good_record();
	char *text = cJSON_PrintUnformatted(root), why[300] = "";
	struct intake in;

	assert_int_equal(parse_text(text, strlen(text), &in, why, sizeof why), 0);
	assert_int_equal(in.id, 7);
	assert_int_equal(in.client_id, 3);
	assert_string_equal(in.uuid, "9e1383b2-4009-4a81-8291-00932e028eca");
	assert_string_equal(in.staff, "Dana");
	assert_string_equal(answers_get(&in.answers, "first_name"), "Zo\xc3\xab");
	assert_null(answers_get(&in.answers, "email"));
	assert_string_equal(answers_get(&in.answers, "uses_rogaine"), "yes");
	assert_string_equal(answers_get(&in.answers, "uses_propecia"), "no");
	/* Free text is kept as written, blanks and line breaks included. */
	assert_string_equal(answers_get(&in.answers, "hair_loss_notes"), " crown\nthin ");
	assert_null(answers_get(&in.answers, "propecia_form"));
	assert_int_equal(in.advice.count, 5);
	assert_string_equal(in.advice.item[2].id, "gp-signoff");
	assert_string_equal(in.advice.item[2].text, "Ask your GP.");
	/* No questionnaire_version: an export of release 0.1.0, of 2026.1. */
	assert_string_equal(in.questionnaire_version, "2026.1");
	assert_string_equal(in.advice_version, "2026.1");
	assert_int_equal(in.sheet, 1);
	assert_int_equal(in.ack.sheet, 0);
	assert_int_equal(in.clearances, 0);
	intake_clear(&in);
	free(text);
	cJSON_Delete(root);
}

/* good_record() as this release exports it: questionnaire 2026.2 with
 * the screening answers, on its second advice sheet, the psoriasis flag
 * open, the keloid flag cleared, the first sheet acknowledged (before a
 * GP sign-off), so not ready. */
static cJSON *good_record_2026_2(void)
{
	cJSON *root = good_record(), *answers = cJSON_GetObjectItemCaseSensitive(root, "answers");
	char cleared[32], acked[32];

	day(cleared, -1);
	strcat(cleared, "T09:00:00Z");
	day(acked, -10);
	strcat(acked, "T10:05:00Z");
	cJSON_AddItemToObject(answers, "scalp_conditions",
			      cJSON_Parse("[\"psoriasis\",\"other\"]"));
	cJSON_AddStringToObject(answers, "scalp_conditions_detail", "flaky patch");
	cJSON_AddTrueToObject(answers, "keloid_history");
	cJSON_AddFalseToObject(answers, "blood_thinners");
	cJSON_AddFalseToObject(answers, "allergies");
	cJSON_AddStringToObject(answers, "pregnant_or_breastfeeding", "not_applicable");
	cJSON_AddStringToObject(answers, "other_medication", "vitamin D");
	cJSON_AddStringToObject(root, "questionnaire_version", "2026.2");
	cJSON_AddStringToObject(root, "advice_version", "2026.1");
	cJSON_AddNumberToObject(root, "advice_sheet", 2);
	cJSON *flags = cJSON_AddArrayToObject(root, "flags"), *f;
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "id", "flag-scalp-condition");
	cJSON_AddStringToObject(f, "status", "open");
	cJSON_AddItemToArray(flags, f);
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "id", "flag-keloid");
	cJSON_AddStringToObject(f, "status", "cleared");
	cJSON_AddStringToObject(f, "reason", "Small test area healed flat");
	cJSON_AddStringToObject(f, "cleared_by", "Sam");
	cJSON_AddStringToObject(f, "cleared_at", cleared);
	cJSON_AddItemToArray(flags, f);
	cJSON *ack = cJSON_AddObjectToObject(root, "acknowledgement");
	cJSON_AddStringToObject(ack, "typed_name", "zo\xc3\xab  OKAFOR");
	cJSON_AddStringToObject(ack, "at", acked);
	cJSON_AddStringToObject(ack, "staff", "Dana");
	cJSON_AddNumberToObject(ack, "sheet", 1);
	/* Sheet 1's words, as the GP's answer pending gave them (advice
	 * 2026.1: the same ids). */
	cJSON_AddItemToObject(ack, "advice",
			      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(root, "advice"), 1));
	cJSON_AddFalseToObject(root, "ready");
	return root;
}

static void test_record_good_2026_2(void **state)
{
	(void)state;
	cJSON *root = good_record_2026_2();
	char *text = cJSON_PrintUnformatted(root), why[300] = "";
	struct intake in;

	assert_int_equal(parse_text(text, strlen(text), &in, why, sizeof why), 0);
	assert_string_equal(in.questionnaire_version, "2026.2");
	assert_string_equal(in.advice_version, "2026.1");
	assert_int_equal(in.sheet, 2);
	assert_string_equal(answers_get(&in.answers, "scalp_conditions"), "psoriasis,other");
	assert_string_equal(answers_get(&in.answers, "keloid_history"), "yes");
	assert_string_equal(answers_get(&in.answers, "other_medication"), "vitamin D");
	assert_int_equal(in.clearances, 1);
	assert_string_equal(in.cleared[0].flag_id, "flag-keloid");
	assert_string_equal(in.cleared[0].reason, "Small test area healed flat");
	assert_string_equal(in.cleared[0].staff, "Sam");
	assert_int_equal(in.ack.sheet, 1);
	assert_string_equal(in.ack.typed_name, "zo\xc3\xab  OKAFOR");
	assert_string_equal(in.ack.staff, "Dana");
	intake_clear(&in);
	free(text);

	/* Every flag cleared: ready must be true, and false is refused. */
	cJSON *flag = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "flags"), 0);
	cJSON_ReplaceItemInObjectCaseSensitive(flag, "status", cJSON_CreateString("cleared"));
	cJSON_AddStringToObject(flag, "reason", "Calm today");
	cJSON_AddStringToObject(flag, "cleared_by", "Sam");
	cJSON_AddStringToObject(flag, "cleared_at", cJSON_GetObjectItemCaseSensitive(
		cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "flags"), 1),
		"cleared_at")->valuestring);
	text = cJSON_PrintUnformatted(root);
	assert_int_equal(parse_text(text, strlen(text), &in, why, sizeof why), -1);
	assert_string_equal(why, "ready: must be true, as the answers, flags and acknowledgement give");
	intake_clear(&in);
	free(text);
	cJSON_ReplaceItemInObjectCaseSensitive(root, "ready", cJSON_CreateTrue());
	text = cJSON_PrintUnformatted(root);
	assert_int_equal(parse_text(text, strlen(text), &in, why, sizeof why), 0);
	assert_int_equal(in.clearances, 2);
	intake_clear(&in);
	free(text);
	cJSON_Delete(root);
}

/* Replaces (or removes, when json is NULL) the member at path ("a.b",
 * "advice.0.id") of root. */
static void set_path(cJSON *root, const char *path, const char *json)
{
	char buf[128], *key, *next;
	cJSON *obj = root;

	snprintf(buf, sizeof buf, "%s", path);
	key = buf;
	while ((next = strchr(key, '.'))) {
		*next = '\0';
		obj = cJSON_IsArray(obj) ? cJSON_GetArrayItem(obj, atoi(key))
					 : cJSON_GetObjectItemCaseSensitive(obj, key);
		assert_non_null(obj);
		key = next + 1;
	}
	if (!json) {
		cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
		return;
	}
	cJSON *v = cJSON_Parse(json);
	assert_non_null(v);
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, v);
	else
		cJSON_AddItemToObject(obj, key, v);
}

struct refusal {
	const char *path, *json; /* the change; json NULL removes */
	const char *why;	 /* the start of the reason */
	const char *secret;	 /* must not appear in the reason */
};

/* Each case changes one key of make()'s good record; the record must be
 * refused with a reason starting with case.why that never quotes
 * case.secret. */
static void expect_refusals(const struct refusal *cases, size_t n, cJSON *(*make)(void))
{
	for (size_t i = 0; i < n; i++) {
		cJSON *root = make();
		char *text, why[300] = "";
		struct intake in;
		int rc;

		set_path(root, cases[i].path, cases[i].json);
		text = cJSON_PrintUnformatted(root);
		rc = parse_text(text, strlen(text), &in, why, sizeof why);
		intake_clear(&in);
		if (rc != -1 || strncmp(why, cases[i].why, strlen(cases[i].why)) != 0)
			fail_msg("case %zu (%s): %d, '%s'", i, cases[i].path, rc, why);
		if (cases[i].secret && strstr(why, cases[i].secret))
			fail_msg("case %zu: the reason quotes the value: %s", i, why);
		free(text);
		cJSON_Delete(root);
	}
}

static void test_record_refusals(void **state)
{
	(void)state;
	char young[11], past[11], future[11], old_since[11], far[11];
	char young_json[16], past_json[16], future_json[16], old_json[16], far_json[16];

	/* 17 on the day taken, 18 today: the age is checked as of that day. */
	struct date t = date_add_days(today, -10);
	struct date y = {t.year - 18, t.month, t.day};
	if (y.month == 2 && y.day == 29)
		y.day = 28;
	date_format(date_add_days(y, 5), young);
	day(past, -15);
	day(future, 5);
	date_format((struct date){1985, 7, 20}, old_since);
	date_format(date_add_months(today, 30), far);
	snprintf(young_json, sizeof young_json, "\"%s\"", young);
	snprintf(past_json, sizeof past_json, "\"%s\"", past);
	snprintf(future_json, sizeof future_json, "\"%s\"", future);
	snprintf(old_json, sizeof old_json, "\"%s\"", old_since);
	snprintf(far_json, sizeof far_json, "\"%s\"", far);

	const struct refusal cases[] = {
	    {"extra", "1", "unknown key 'extra'", NULL},
	    {"id", NULL, "id: missing", NULL},
	    {"id", "\"7\"", "id: must be a whole number", NULL},
	    {"id", "0", "id: must be a whole number", NULL},
	    {"id", "7.5", "id: must be a whole number", NULL},
	    {"id", "1e300", "id: must be a whole number", NULL},
	    {"uuid", "\"9E1383B2-4009-4A81-8291-00932E028ECA\"", "uuid: must be a version 4", NULL},
	    {"uuid", "\"9e1383b2-4009-1a81-8291-00932e028eca\"", "uuid: must be a version 4", NULL},
	    {"taken_at", "\"2026-02-30T10:00:00Z\"", "taken_at: must be a UTC time", NULL},
	    {"taken_at", "\"2026-01-01T24:00:00Z\"", "taken_at: must be a UTC time", NULL},
	    {"taken_at", "\"2026-01-01 10:00:00Z\"", "taken_at: must be a UTC time", NULL},
	    {"taken_at", "\"2999-01-01T10:00:00Z\"", "taken_at: in the future", NULL},
	    {"staff", "\"\"", "staff: must be 1 to 100", NULL},
	    {"staff", "\"Da\\u001bna\"", "staff: must be 1 to 100", NULL},
	    {"staff", "null", "staff: must be 1 to 100", NULL},
	    {"client", "[]", "client: must be an object", NULL},
	    {"client.id", "\"3\"", "client.id: must be a whole number", NULL},
	    {"client.nick", "\"Zed\"", "client: unknown key 'nick'", NULL},
	    {"client.ni\x1b[2Jck\n", "1", "client: unknown key 'ni?[2Jck?'", NULL},
	    {"client.phone", NULL, "client.phone: missing", NULL},
	    {"client.first_name", "null", "client.first_name: must be a string", NULL},
	    {"client.first_name", "\"\"", "client.first_name: an answer is required", NULL},
	    {"client.first_name", "\"Zo\xc3\xab \"", "client.first_name: spaces at the start",
	     NULL},
	    {"client.first_name", "\"Zo\\u001b[31m\"", "client.first_name: control characters",
	     "[31m"},
	    {"client.phone", "\"\"", "client.phone: empty: give null", NULL},
	    {"client.phone", "\"call 7700\"", "client.phone: a phone number holds", "call 7700"},
	    {"client.email", "\"zoe-at-example\"", "client.email: that is not an email",
	     "zoe-at-example"},
	    {"client.date_of_birth", young_json, "client.date_of_birth: the client is under 18",
	     young},
	    {"client.date_of_birth", "\"1985-02-30\"",
	     "client.date_of_birth: that date does not exist", "1985-02-30"},
	    {"answers", "[]", "answers: must be an object", NULL},
	    {"answers.first_name", "\"Zed\"", "answers.first_name: belongs in client", "Zed"},
	    {"answers.favourite", "\"x\"", "answers: unknown key 'favourite'", NULL},
	    {"answers.uses_rogaine", "\"yes\"", "answers.uses_rogaine: must be true or false",
	     NULL},
	    {"answers.rogaine_form", "\"Foam\"",
	     "answers.rogaine_form: choose one of: foam, "
	     "solution, oral, other",
	     "Foam"},
	    {"answers.rogaine_form", "\"fo\"", "answers.rogaine_form: choose one of", NULL},
	    {"answers.rogaine_form", "17", "answers.rogaine_form: must be a string", NULL},
	    {"answers.rogaine_form", NULL,
	     "answers.rogaine_form: missing (the question is "
	     "required)",
	     NULL},
	    {"answers.propecia_form", "\"tablet\"",
	     "answers.propecia_form: given, but the question does not apply", NULL},
	    {"answers.gp_discussed", NULL, "answers.gp_discussed: missing", NULL},
	    {"answers.consent_storage", "false", "answers.consent_storage: must be true", NULL},
	    {"answers.hair_loss_notes", "\" \\n \"",
	     "answers.hair_loss_notes: empty: leave "
	     "the key out",
	     NULL},
	    {"answers.planned_session_date", past_json,
	     "answers.planned_session_date: this date is in the past", past},
	    {"answers.planned_session_date", far_json,
	     "answers.planned_session_date: this date is more than two years ahead", far},
	    {"answers.gp_signoff_date", future_json,
	     "answers.gp_signoff_date: this date cannot be in the future", future},
	    {"answers.rogaine_since", old_json,
	     "answers.rogaine_since: this date is before the client's date of birth", old_since},
	    {"advice", "[]", "advice: must be an array of at least one", NULL},
	    {"advice", "{}", "advice: must be an array of at least one", NULL},
	    {"advice.1.id", "\"free-haircut\"", "advice[1].id: not an advice rule", NULL},
	    {"advice.0.text", "\"\"", "advice[0].text: must be a string, not empty", NULL},
	    {"advice.0.extra", "1", "advice[0]: unknown key 'extra'", NULL},
	    {"advice.1.text", NULL, "advice[1].text: missing", NULL},
	    {"gp_signoff.status", "\"pending\"", "gp_signoff.status: must be \"obtained\"", NULL},
	    {"gp_signoff.gp_name", "\"Dr Who\"",
	     "gp_signoff.gp_name: does not agree with answers.gp_name", "Dr Who"},
	    {"gp_signoff.date", "null", "gp_signoff.date: does not agree", NULL},
	    {"gp_signoff.note", "null", "gp_signoff: unknown key 'note'", NULL},
	};

	expect_refusals(cases, sizeof cases / sizeof cases[0], good_record);
}

/* Refusals of what came with questionnaire 2026.2: versions, answers by
 * version, several choices, flags, acknowledgement, readiness. */
static void test_record_2026_2_refusals(void **state)
{
	(void)state;
	char future[40];
	char future_json[48];

	day(future, 5);
	strcat(future, "T10:00:00Z");
	snprintf(future_json, sizeof future_json, "\"%s\"", future);

	const struct refusal cases[] = {
	    {"questionnaire_version", "\"2027.1\"",
	     "questionnaire_version: not a version this program knows (2026.1, 2026.2, 2026.3, 2026.4)", NULL},
	    {"questionnaire_version", "2026.2", "questionnaire_version: not a version", NULL},
	    {"advice_version", "\"1.0\"", "advice_version: not a version this program knows", NULL},
	    {"advice_version", NULL, "advice_version: missing", NULL},
	    {"ready", NULL, "ready: missing", NULL},
	    {"questionnaire_version", NULL,
	     "questionnaire_version: missing (a record with advice_version has it)", NULL},
	    /* 2026.1 did not ask the screening questions. */
	    {"questionnaire_version", "\"2026.1\"",
	     "answers.scalp_conditions: not a question of questionnaire 2026.1", NULL},
	    {"answers.keloid_history", NULL, "answers.keloid_history: missing (the question is "
	     "required)", NULL},
	    {"answers.scalp_conditions", "\"psoriasis,other\"",
	     "answers.scalp_conditions: must be an array of its choices", NULL},
	    {"answers.scalp_conditions", "[\"Psoriasis\"]",
	     "answers.scalp_conditions[0]: choose one of: none, psoriasis", "Psoriasis"},
	    {"answers.scalp_conditions", "[\"other\",\"psoriasis\"]",
	     "answers.scalp_conditions: each choice once, in this order: none, psoriasis", NULL},
	    {"answers.scalp_conditions", "[\"psoriasis\",\"psoriasis\",\"other\"]",
	     "answers.scalp_conditions: each choice once", NULL},
	    {"answers.scalp_conditions", "[\"none\",\"other\"]",
	     "answers.scalp_conditions: none cannot be given together", NULL},
	    {"answers.scalp_conditions", "[]", "answers.scalp_conditions: an answer is required",
	     NULL},
	    {"answers.scalp_conditions", "[\"psoriasis\"]",
	     "answers.scalp_conditions_detail: given, but the question does not apply", NULL},
	    {"answers.keloid_history", "false", "flags[1]: not raised by the answers", NULL},
	    {"answers.allergies", "true", "answers.allergies_detail: missing", NULL},
	    {"advice_sheet", "0", "advice_sheet: must be a whole number from 1", NULL},
	    {"advice_sheet", NULL, "advice_sheet: missing", NULL},
	    {"flags", "{}", "flags: must be an array", NULL},
	    {"flags", "[]", "flags: flag-scalp-condition is missing (the answers raise it)", NULL},
	    {"flags.0.id", "\"flag-keloid\"",
	     "flags[0].id: must be \"flag-scalp-condition\", as the answers give", NULL},
	    {"flags.0.status", "\"closed\"", "flags[0].status: must be \"open\" or \"cleared\"",
	     NULL},
	    {"flags.0.reason", "\"fine\"", "flags[0]: unknown key 'reason'", NULL},
	    {"flags.1.reason", NULL, "flags[1].reason: missing", NULL},
	    {"flags.1.reason", "\" healed\"", "flags[1].reason: must be one line", NULL},
	    {"flags.1.reason", "\"a\\u001bb\"", "flags[1].reason: must be one line", NULL},
	    {"flags.1.cleared_by", "\"\"", "flags[1].cleared_by: must be 1 to 100", NULL},
	    {"flags.1.cleared_at", "\"yesterday\"", "flags[1].cleared_at: must be a UTC time",
	     NULL},
	    {"flags.1.cleared_at", future_json, "flags[1].cleared_at: in the future", NULL},
	    {"flags.1.extra", "1", "flags[1]: unknown key 'extra'", NULL},
	    {"acknowledgement", "\"Zo\xc3\xab Okafor\"", "acknowledgement: must be an object",
	     NULL},
	    {"acknowledgement.typed_name", "\"\"", "acknowledgement.typed_name: must be the name",
	     NULL},
	    {"acknowledgement.typed_name", "\"Zo\xc3\xab Okafor \"",
	     "acknowledgement.typed_name: must be the name", "Okafor"},
	    {"acknowledgement.staff", "null", "acknowledgement.staff: must be 1 to 100", NULL},
	    {"acknowledgement.at", future_json, "acknowledgement.at: in the future", NULL},
	    {"acknowledgement.sheet", "3", "acknowledgement.sheet: after advice_sheet", NULL},
	    {"acknowledgement.sheet", "0", "acknowledgement.sheet: must be a whole number", NULL},
	    {"acknowledgement.sheet", NULL, "acknowledgement.sheet: missing", NULL},
	    {"acknowledgement.advice", NULL, "acknowledgement.advice: missing (the words of sheet 1",
	     NULL},
	    {"acknowledgement.advice", "[]", "acknowledgement.advice: must be an array", NULL},
	    {"acknowledgement.advice", "[{\"id\":\"root-cause\",\"text\":\"x\"}]",
	     "uuid 9e1383b2-4009-4a81-8291-00932e028eca: acknowledgement.advice: not a sheet "
	     "advice 2026.1 gives", NULL},
	    {"acknowledgement.advice.0.extra", "1", "acknowledgement.advice[0]: unknown key 'extra'",
	     NULL},
	    {"ready", "true", "ready: must be false, as the answers, flags and acknowledgement give",
	     NULL},
	    {"ready", "0", "ready: must be false", NULL},
	};

	expect_refusals(cases, sizeof cases / sizeof cases[0], good_record_2026_2);

	/* A record of release 0.1.0 has none of the keys of 2026.2. */
	cJSON *root = good_record();
	char *text, why[300] = "";
	struct intake in;
	set_path(root, "flags", "[]");
	text = cJSON_PrintUnformatted(root);
	assert_int_equal(parse_text(text, strlen(text), &in, why, sizeof why), -1);
	assert_string_equal(why, "questionnaire_version: missing (a record with flags has it)");
	intake_clear(&in);
	free(text);
	cJSON_Delete(root);
}

/* Refusals that need the text itself changed. */
static void test_record_text_refusals(void **state)
{
	(void)state;
	cJSON *root = good_record();
	char *text = cJSON_PrintUnformatted(root), *p, why[300];
	size_t len = strlen(text);
	struct intake in;

	/* A key given twice. */
	p = strstr(text, "\"staff\":\"Dana\"");
	memcpy(p, "\"uuid\" ", 7);
	assert_int_equal(parse_text(text, len, &in, why, sizeof why), -1);
	assert_string_equal(why, "uuid: given twice");
	intake_clear(&in);
	memcpy(p, "\"staff\"", 7);
	p = strstr(text, "\"uses_propecia\"");
	memcpy(p, "\"uses_rogaine\" ", 15);
	assert_int_equal(parse_text(text, len, &in, why, sizeof why), -1);
	assert_string_equal(why, "answers.uses_rogaine: given twice");
	intake_clear(&in);
	memcpy(p, "\"uses_propecia\"", 15);

	/* Invalid UTF-8 (a lone continuation byte in the name). */
	p = strstr(text, "Zo\xc3\xab");
	p[3] = '\xff';
	assert_int_equal(parse_text(text, len, &in, why, sizeof why), -1);
	assert_string_equal(why, "not valid UTF-8 text");
	intake_clear(&in);
	p[3] = '\xab';

	/* \u0000 in a string, and a NUL byte. */
	p = strstr(text, "Okafor");
	memcpy(p, "\\u0000", 6);
	assert_int_equal(parse_text(text, len, &in, why, sizeof why), -1);
	assert_non_null(strstr(why, "\\u0000"));
	intake_clear(&in);
	memcpy(p, "\\\\u000", 6); /* a backslash, then "u000": fine */
	assert_int_equal(parse_text(text, len, &in, why, sizeof why), 0);
	intake_clear(&in);
	p[0] = '\0';
	assert_int_equal(parse_text(text, len, &in, why, sizeof why), -1);
	assert_string_equal(why, "a NUL byte, which JSON text cannot hold");
	intake_clear(&in);
	memcpy(p, "Okafor", 6);

	/* Not JSON, and JSON that ends early. */
	assert_int_equal(parse_text(text, len - 1, &in, why, sizeof why), -1);
	assert_non_null(strstr(why, "not valid JSON"));
	intake_clear(&in);
	assert_int_equal(parse_text("{}", 2, &in, why, sizeof why), -1);
	assert_string_equal(why, "id: missing");
	intake_clear(&in);
	assert_int_equal(parse_text("[]", 2, &in, why, sizeof why), -1);
	assert_string_equal(why, "not an intake object {...}");
	intake_clear(&in);
	free(text);
	cJSON_Delete(root);
}

/* What json_intake() writes is read back as it was. */
static void test_record_reads_the_export_back(void **state)
{
	(void)state;
	struct intake in = {0}, back;
	char why[300], taken[32];
	char *text;

	day(taken, -1);
	strcat(taken, "T23:59:59Z");
	in.id = 12;
	in.client_id = 5;
	strcpy(in.uuid, "703f2271-9e13-4f9b-a0b0-b407d72c4e25");
	in.taken_at = strdup(taken);
	in.staff = strdup("Kim \xc3\x98"
			  "deg\xc3\xa5rd");
	static const char *const pairs[] = {
	    "consent_storage=yes",
	    "first_name=Chlo\xc3\xa9",
	    "last_name=Martin",
	    "date_of_birth=1990-11-05",
	    "email=chloe@example.com",
	    "hair_loss_notes=tab\there, \"quoted\", back\\slash, \x1b escape",
	    "hair_loss_scale=ludwig_2",
	    "treatment_type=density",
	    "hairline_style=soft, \"natural\"",
	    "consent_photos=yes",
	    "consent_marketing=no",
	    "uses_rogaine=no",
	    "uses_propecia=yes",
	    "propecia_form=topical",
	    "uses_other_topical=yes",
	    "other_topical_products=Nizoral 2%",
	    "uses_other_medical=no",
	    "gp_discussed=no",
	    "scalp_conditions=eczema,sunburn",
	    "keloid_history=no",
	    "blood_thinners=yes",
	    "blood_thinners_detail=aspirin\ndaily",
	    "allergies=no",
	    "pregnant_or_breastfeeding=no",
	    "wants_root_cause_help=yes",
	    NULL};
	fill(&in.answers, pairs);
	assert_int_equal(
	    advice_for_answers(&in.answers, &(struct settings)SETTINGS_DEFAULT, &in.advice), 0);
	in.sheet = 3;
	in.ack = (struct acknowledgement){3, strdup("Chlo\xc3\xa9 Martin"), strdup(taken),
					  strdup("Kim")};
	in.cleared[0] = (struct clearance){strdup("flag-blood-thinners"),
					   strdup("GP: \"carry on\", \\ ok"), strdup(taken),
					   strdup("Sam")};
	in.clearances = 1;
	text = json_intake(&in);
	assert_non_null(text);
	assert_int_equal(parse_text(text, strlen(text), &back, why, sizeof why), 0);
	assert_int_equal(back.id, 12);
	assert_int_equal(back.client_id, 5);
	assert_same_intake(&back, &in);
	/* What json_intake() wrote for "" is this release's version. */
	assert_string_equal(back.questionnaire_version, QUESTIONNAIRE_VERSION);
	assert_string_equal(back.advice_version, ADVICE_VERSION);
	assert_int_equal(back.sheet, 3);
	assert_int_equal(back.ack.sheet, 3);
	assert_string_equal(back.ack.typed_name, in.ack.typed_name);
	assert_string_equal(back.ack.at, in.ack.at);
	assert_string_equal(back.ack.staff, in.ack.staff);
	assert_int_equal(back.clearances, 1);
	assert_string_equal(back.cleared[0].flag_id, "flag-blood-thinners");
	assert_string_equal(back.cleared[0].reason, in.cleared[0].reason);
	assert_string_equal(back.cleared[0].at, in.cleared[0].at);
	assert_string_equal(back.cleared[0].staff, "Sam");
	/* Written again, the same text. */
	char *again = json_intake(&back);
	assert_non_null(again);
	assert_string_equal(again, text);
	free(again);
	intake_clear(&back);
	intake_clear(&in);
	free(text);
}

/* What a record says the program did is checked against the record:
 * the advice's rules (ids and order; the words of this release's
 * version), the acknowledgement's name, nothing dated before the intake,
 * staff names that name someone.  Each refusal names the uuid. */
static void test_record_claims(void **state)
{
	(void)state;
	char before[40], early[40];

	day(before, -11);
	strcat(before, "T10:00:00Z");
	day(early, -10);
	strcat(early, "T09:59:59Z");
	char before_json[48], early_json[48];
	snprintf(before_json, sizeof before_json, "\"%s\"", before);
	snprintf(early_json, sizeof early_json, "\"%s\"", early);
	const struct refusal of_2026_1[] = {
	    {"advice",
	     "[{\"id\":\"smp-cosmetic-only\",\"text\":\"a\"},{\"id\":\"treatments-"
	     "compatible\",\"text\":\"b\"},{\"id\":\"tell-artist\",\"text\":\"c\"},"
	     "{\"id\":\"pause-topicals\",\"text\":\"d\"}]",
	     "uuid 9e1383b2-4009-4a81-8291-00932e028eca: advice: gp-signoff is missing (advice "
	     "2026.1 gives it for these answers)",
	     NULL},
	    {"advice.1.id", "\"root-cause\"",
	     "uuid 9e1383b2-4009-4a81-8291-00932e028eca: advice[1]: advice 2026.1 does not give "
	     "root-cause for these answers",
	     NULL},
	    {"advice.2.id", "\"tell-artist\"",
	     "uuid 9e1383b2-4009-4a81-8291-00932e028eca: advice: gp-signoff is missing", NULL},
	    {"advice",
	     "[{\"id\":\"smp-cosmetic-only\",\"text\":\"a\"},{\"id\":\"gp-signoff\","
	     "\"text\":\"b\"},{\"id\":\"treatments-compatible\",\"text\":\"c\"},"
	     "{\"id\":\"tell-artist\",\"text\":\"d\"},{\"id\":\"pause-topicals\","
	     "\"text\":\"e\"}]",
	     "uuid 9e1383b2-4009-4a81-8291-00932e028eca: advice[1]: must be "
	     "treatments-compatible, in the order advice 2026.1 gives",
	     NULL},
	    {"staff", "\" \"", "staff: must be 1 to 100 characters", NULL},
	    {"staff", "\"\xc2\xa0\xe3\x80\x80\"", "staff: must be 1 to 100 characters", NULL},
	};
	const struct refusal of_2026_2[] = {
	    {"acknowledgement.typed_name", "\"Mickey Mouse\"",
	     "uuid 9e1383b2-4009-4a81-8291-00932e028eca: acknowledgement.typed_name: not the "
	     "client's name",
	     "Mickey"},
	    {"acknowledgement.typed_name", "\"Zo\xc3\xab\"",
	     "uuid 9e1383b2-4009-4a81-8291-00932e028eca: acknowledgement.typed_name: not the "
	     "client's name",
	     NULL},
	    {"acknowledgement.at", before_json,
	     "uuid 9e1383b2-4009-4a81-8291-00932e028eca: acknowledgement.at: before the intake",
	     NULL},
	    {"acknowledgement.at", early_json,
	     "uuid 9e1383b2-4009-4a81-8291-00932e028eca: acknowledgement.at: before the intake",
	     NULL},
	    {"flags.1.cleared_at", before_json,
	     "uuid 9e1383b2-4009-4a81-8291-00932e028eca: flags: the clearance of flag-keloid is "
	     "dated before the intake",
	     NULL},
	    {"acknowledgement.staff", "\"\xe2\x80\x83\"", "acknowledgement.staff: must be", NULL},
	    {"flags.1.cleared_by", "\"  \"", "flags[1].cleared_by: must be", NULL},
	};

	expect_refusals(of_2026_1, sizeof of_2026_1 / sizeof of_2026_1[0], good_record);
	expect_refusals(of_2026_2, sizeof of_2026_2 / sizeof of_2026_2[0], good_record_2026_2);
}

/* This release's advice is worked out again, words and all: a reworded
 * item under a real rule id is refused; a pause of other days than the
 * studio's (its policy when the sheet was given) is taken as stated. */
static void test_record_advice_words(void **state)
{
	(void)state;
	struct intake in = {0}, back;
	struct settings then = SETTINGS_DEFAULT;
	char why[400], taken[32], planned[11];
	char *text;
	cJSON *root;

	day(taken, -1);
	strcat(taken, "T12:00:00Z");
	day(planned, 20);
	in.id = 2;
	in.client_id = 2;
	strcpy(in.uuid, "703f2271-9e13-4f9b-a0b0-b407d72c4e25");
	in.taken_at = strdup(taken);
	in.staff = strdup("Kim");
	const char *pairs[] = {"consent_storage=yes",
			       "first_name=Ana",
			       "last_name=Silva",
			       "date_of_birth=1985-07-23",
			       "hair_loss_scale=norwood_3",
			       "treatment_type=full_head",
			       "consent_photos=no",
			       "uses_rogaine=yes",
			       "rogaine_form=foam",
			       "uses_propecia=no",
			       "uses_other_topical=no",
			       "uses_other_medical=no",
			       "gp_discussed=no",
			       "scalp_conditions=none",
			       "keloid_history=no",
			       "blood_thinners=no",
			       "allergies=no",
			       "pregnant_or_breastfeeding=no",
			       "wants_root_cause_help=no",
			       NULL,
			       NULL};
	char planned_pair[40];
	snprintf(planned_pair, sizeof planned_pair, "planned_session_date=%s", planned);
	pairs[19] = planned_pair;
	fill(&in.answers, pairs);
	then.pause_days_before = 10;
	then.pause_days_after = 3;
	assert_int_equal(advice_for_answers(&in.answers, &then, &in.advice), 0);
	in.sheet = 1;
	text = json_intake(&in);
	assert_non_null(text);
	/* Given when the studio paused 10 and 3 days, read where it is 7 and 7. */
	assert_int_equal(parse_text(text, strlen(text), &back, why, sizeof why), 0);
	intake_clear(&back);
	/* A pause no studio may set (at most 60 days) is not the studio's. */
	root = cJSON_Parse(text);
	assert_non_null(root);
	{
		cJSON *pause =
		    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "advice"), 3);
		char *words = strdup(cJSON_GetObjectItemCaseSensitive(pause, "text")->valuestring);
		char *at = strstr(words, "(10 days before)");
		assert_non_null(at);
		memcpy(at, "(99", 3);
		cJSON_ReplaceItemInObjectCaseSensitive(pause, "text", cJSON_CreateString(words));
		free(words);
		char *changed = cJSON_PrintUnformatted(root);
		assert_int_equal(parse_text(changed, strlen(changed), &back, why, sizeof why), -1);
		assert_non_null(strstr(why, "advice[3].text: not the words"));
		intake_clear(&back);
		free(changed);
		cJSON_Delete(root);
	}
	/* "No need to see your GP" under the gp-signoff rule. */
	root = cJSON_Parse(text);
	assert_non_null(root);
	set_path(root, "advice.1.text", "\"No need to see your GP: safe to proceed.\"");
	free(text);
	text = cJSON_PrintUnformatted(root);
	assert_int_equal(parse_text(text, strlen(text), &back, why, sizeof why), -1);
	assert_string_equal(why,
			    "uuid 703f2271-9e13-4f9b-a0b0-b407d72c4e25: advice[1].text: not the "
			    "words advice " ADVICE_VERSION " gives for gp-signoff with these "
			    "answers");
	intake_clear(&back);
	free(text);
	/* The GP's item dropped. */
	cJSON_DeleteItemFromArray(cJSON_GetObjectItemCaseSensitive(root, "advice"), 1);
	text = cJSON_PrintUnformatted(root);
	assert_int_equal(parse_text(text, strlen(text), &back, why, sizeof why), -1);
	assert_non_null(strstr(why, "advice: gp-signoff is missing"));
	intake_clear(&back);
	free(text);
	cJSON_Delete(root);
	intake_clear(&in);
}

static int setup(void **state)
{
	(void)state;
	today = date_today_utc();
	import_checks_init(&checks, 18, today);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scan_strings_with_brackets_and_escapes),
	    cmocka_unit_test(test_scan_refusals),
	    cmocka_unit_test(test_scan_empty_exports),
	    cmocka_unit_test(test_scan_csv),
	    cmocka_unit_test(test_scan_nesting_limit),
	    cmocka_unit_test(test_scan_record_size_limit),
	    cmocka_unit_test(test_scan_read_error),
	    cmocka_unit_test(test_record_good),
	    cmocka_unit_test(test_record_good_2026_2),
	    cmocka_unit_test(test_record_refusals),
	    cmocka_unit_test(test_record_2026_2_refusals),
	    cmocka_unit_test(test_record_text_refusals),
	    cmocka_unit_test(test_record_reads_the_export_back),
	    cmocka_unit_test(test_record_claims),
	    cmocka_unit_test(test_record_advice_words),
	};
	return cmocka_run_group_tests_name("import", tests, setup, NULL);
}
