/* test_advice.c - unit tests for advice.c: which advice each set of answers
 * gets, and what the filled-in texts say. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct settings SETTINGS = { 10, 3, 18, "", DATE_FORM_ISO }; /* pause 10 days before, 3 after */

/* The text of advice id in sheet, or NULL. */
static const char *text_of(const struct advice_sheet *sheet, const char *id)
{
	for (size_t i = 0; i < sheet->count; i++)
		if (strcmp(sheet->item[i].id, id) == 0)
			return sheet->item[i].text;
	return NULL;
}

/* The advice for pairs, with SETTINGS. */
static void advise(const char *const *pairs, struct answers *a, struct advice_sheet *sheet)
{
	fill(a, pairs);
	memset(sheet, 0, sizeof *sheet);
	assert_int_equal(advice_for_answers(a, &SETTINGS, sheet), 0);
}

static void test_advice_ids_table(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		const char *const pairs[8];
		const char *const ids[8];
	} cases[] = {
		{ "nothing answered", { NULL }, { "smp-cosmetic-only", "root-cause" } },
		{ "no treatment",
		  { "uses_rogaine=no", "uses_propecia=no", "uses_other_topical=no",
		    "uses_other_medical=no", "wants_root_cause_help=no" },
		  { "smp-cosmetic-only", "root-cause" } },
		{ "no treatment, wants help",
		  { "uses_rogaine=no", "wants_root_cause_help=yes" },
		  { "smp-cosmetic-only", "root-cause" } },
		{ "rogaine foam",
		  { "uses_rogaine=yes", "rogaine_form=foam", "wants_root_cause_help=no" },
		  { "smp-cosmetic-only", "treatments-compatible", "gp-signoff", "tell-artist",
		    "pause-topicals" } },
		{ "rogaine foam, wants help",
		  { "uses_rogaine=yes", "rogaine_form=foam", "wants_root_cause_help=yes" },
		  { "smp-cosmetic-only", "treatments-compatible", "gp-signoff", "tell-artist",
		    "pause-topicals", "root-cause" } },
		{ "rogaine solution",
		  { "uses_rogaine=yes", "rogaine_form=solution", "wants_root_cause_help=no" },
		  { "smp-cosmetic-only", "treatments-compatible", "gp-signoff", "tell-artist",
		    "pause-topicals" } },
		{ "oral minoxidil only",
		  { "uses_rogaine=yes", "rogaine_form=oral", "wants_root_cause_help=no" },
		  { "smp-cosmetic-only", "treatments-compatible", "gp-signoff", "tell-artist" } },
		{ "propecia tablet",
		  { "uses_propecia=yes", "propecia_form=tablet", "wants_root_cause_help=no" },
		  { "smp-cosmetic-only", "treatments-compatible", "gp-signoff", "tell-artist" } },
		{ "propecia topical, wants help",
		  { "uses_propecia=yes", "propecia_form=topical", "wants_root_cause_help=yes" },
		  { "smp-cosmetic-only", "treatments-compatible", "gp-signoff", "tell-artist",
		    "pause-topicals", "root-cause" } },
		{ "other topical",
		  { "uses_other_topical=yes", "other_topical_products=Nizoral" },
		  { "smp-cosmetic-only", "treatments-compatible", "gp-signoff", "tell-artist",
		    "pause-topicals" } },
		{ "other medical",
		  { "uses_other_medical=yes", "other_medical_products=Dutasteride" },
		  { "smp-cosmetic-only", "treatments-compatible", "gp-signoff", "tell-artist" } },
		{ "oral minoxidil and finasteride tablets",
		  { "uses_rogaine=yes", "rogaine_form=oral", "uses_propecia=yes",
		    "propecia_form=tablet" },
		  { "smp-cosmetic-only", "treatments-compatible", "gp-signoff", "tell-artist" } },
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct answers a;
		struct advice_sheet sheet;
		size_t want = 0;

		advise(cases[i].pairs, &a, &sheet);
		while (cases[i].ids[want])
			want++;
		if (sheet.count != want)
			fail_msg("%s: %zu advice items, expected %zu", cases[i].name, sheet.count,
				 want);
		for (size_t k = 0; k < want; k++) {
			if (strcmp(sheet.item[k].id, cases[i].ids[k]) != 0)
				fail_msg("%s: item %zu is '%s', expected '%s'", cases[i].name, k,
					 sheet.item[k].id, cases[i].ids[k]);
			/* Every placeholder is filled in. */
			assert_true(sheet.item[k].text[0] != '\0');
			assert_null(strchr(sheet.item[k].text, '{'));
			assert_null(strchr(sheet.item[k].text, '}'));
		}
		advice_sheet_clear(&sheet);
		answers_clear(&a);
	}
}

static void test_gp_signoff_text(void **state)
{
	(void)state;
	static const struct {
		const char *const pairs[6];
		bool warning;
		const char *const says[3];
	} cases[] = {
		{ { "uses_rogaine=yes", "rogaine_form=foam", "gp_discussed=no" },
		  true, { "ARTIST WARNING", "pending", "not yet discussed" } },
		{ { "uses_rogaine=yes", "rogaine_form=foam" }, true, { "ARTIST WARNING", "pending" } },
		{ { "uses_propecia=yes", "gp_discussed=yes", "gp_signoff=pending" },
		  true, { "ARTIST WARNING", "pending" } },
		{ { "uses_propecia=yes", "gp_discussed=yes", "gp_signoff=declined" },
		  true, { "ARTIST WARNING", "declined" } },
		{ { "uses_propecia=yes", "gp_discussed=yes", "gp_signoff=obtained",
		    "gp_name=Dr Amara Okafor", "gp_signoff_date=2024-05-02" },
		  false, { "obtained", "Dr Amara Okafor", "2024-05-02" } },
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct answers a;
		struct advice_sheet sheet;
		advise(cases[i].pairs, &a, &sheet);
		const char *text = text_of(&sheet, "gp-signoff");
		assert_non_null(text);
		for (size_t k = 0; k < N(cases[i].says) && cases[i].says[k]; k++)
			if (!strstr(text, cases[i].says[k]))
				fail_msg("case %zu: gp-signoff lacks \"%s\": %s", i, cases[i].says[k],
					 text);
		if (!cases[i].warning)
			assert_null(strstr(text, "ARTIST WARNING"));
		assert_int_equal(advice_signoff_warning(&a), cases[i].warning);
		advice_sheet_clear(&sheet);
		answers_clear(&a);
	}

	/* No treatment: no sign-off needed, no warning. */
	struct answers a;
	fill(&a, (const char *const[]){ "uses_rogaine=no", NULL });
	assert_false(advice_signoff_warning(&a));
	answers_clear(&a);
}

static void test_tell_artist_lists_products(void **state)
{
	(void)state;
	static const char *const pairs[] = {
		"uses_rogaine=yes", "rogaine_form=foam", "rogaine_since=2021-03-01",
		"uses_propecia=yes", "propecia_form=tablet", "uses_other_topical=yes",
		"other_topical_products=Nizoral shampoo", "uses_other_medical=yes",
		"other_medical_products=Dutasteride 0.5 mg", NULL,
	};
	static const char *const says[] = {
		"Rogaine (minoxidil), foam, since 2021-03-01", "Propecia (finasteride), tablet",
		"other topical: Nizoral shampoo", "other medical: Dutasteride 0.5 mg",
	};
	struct answers a;
	struct advice_sheet sheet;

	advise(pairs, &a, &sheet);
	const char *text = text_of(&sheet, "tell-artist");
	assert_non_null(text);
	for (size_t k = 0; k < N(says); k++)
		if (!strstr(text, says[k]))
			fail_msg("tell-artist lacks \"%s\": %s", says[k], text);
	advice_sheet_clear(&sheet);
	answers_clear(&a);

	/* Only what is used is listed. */
	advise((const char *const[]){ "uses_propecia=yes", "propecia_form=topical", NULL }, &a,
	       &sheet);
	text = text_of(&sheet, "tell-artist");
	assert_non_null(text);
	assert_non_null(strstr(text, "Propecia (finasteride), topical"));
	assert_null(strstr(text, "Rogaine"));
	assert_null(strstr(text, "other topical"));
	advice_sheet_clear(&sheet);
	answers_clear(&a);
}

static void test_pause_dates(void **state)
{
	(void)state;
	static const struct {
		struct settings s;
		const char *session, *stop, *resume;
	} cases[] = {
		{ { 10, 3, 18, "", DATE_FORM_ISO }, "2024-07-01", "2024-06-21", "2024-07-04" },
		{ { 7, 7, 18, "", DATE_FORM_ISO }, "2025-01-02", "2024-12-26", "2025-01-09" },
		{ { 7, 7, 18, "", DATE_FORM_ISO }, "2024-03-05", "2024-02-27", "2024-03-12" },
		{ { 14, 1, 18, "", DATE_FORM_ISO }, "2023-03-10", "2023-02-24", "2023-03-11" },
		{ { 0, 0, 18, "", DATE_FORM_ISO }, "2024-07-01", "2024-07-01", "2024-07-01" },
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct answers a;
		struct advice_sheet sheet = { .count = 0 };
		char pair[64], want[64];
		const char *pairs[] = { "uses_rogaine=yes", "rogaine_form=foam", pair, NULL };

		snprintf(pair, sizeof pair, "planned_session_date=%s", cases[i].session);
		fill(&a, pairs);
		assert_int_equal(advice_for_answers(&a, &cases[i].s, &sheet), 0);
		const char *text = text_of(&sheet, "pause-topicals");
		assert_non_null(text);
		assert_non_null(strstr(text, cases[i].session));
		snprintf(want, sizeof want, "stop topical products on %s (%d days before)",
			 cases[i].stop, cases[i].s.pause_days_before);
		if (!strstr(text, want))
			fail_msg("case %zu: pause text lacks \"%s\": %s", i, want, text);
		snprintf(want, sizeof want, "start again on %s (%d days after)", cases[i].resume,
			 cases[i].s.pause_days_after);
		if (!strstr(text, want))
			fail_msg("case %zu: pause text lacks \"%s\": %s", i, want, text);
		advice_sheet_clear(&sheet);
		answers_clear(&a);
	}

	/* Without a session date, no dates are made up. */
	struct answers a;
	struct advice_sheet sheet;
	advise((const char *const[]){ "uses_other_topical=yes", "other_topical_products=X", NULL },
	       &a, &sheet);
	const char *text = text_of(&sheet, "pause-topicals");
	assert_non_null(text);
	assert_non_null(strstr(text, "Once a session date is booked"));
	assert_null(strstr(text, "stop topical products on"));
	advice_sheet_clear(&sheet);
	answers_clear(&a);
}

static void test_advice_rules_table(void **state)
{
	(void)state;
	assert_true(advice_rule_count > 0);
	assert_true(advice_rule_count <= ADVICE_MAX);
	for (size_t i = 0; i < advice_rule_count; i++) {
		const struct advice_rule *r = &advice_rules[i];
		assert_true(r->id && r->id[0]);
		assert_true(r->title && r->title[0]);
		assert_true(r->text && r->text[0]);
		assert_true(r->source && r->source[0]);
		for (size_t j = i + 1; j < advice_rule_count; j++)
			if (strcmp(r->id, advice_rules[j].id) == 0)
				fail_msg("advice id '%s' appears twice", r->id);
		/* Only placeholders the composer knows. */
		for (const char *p = strchr(r->text, '{'); p; p = strchr(p + 1, '{'))
			if (strncmp(p, "{signoff}", 9) && strncmp(p, "{products}", 10) &&
			    strncmp(p, "{pause}", 7))
				fail_msg("advice '%s' has an unknown placeholder", r->id);
	}
	assert_int_equal(advice_rules[0].trigger, ADVICE_ALWAYS);
}

static void test_advice_title(void **state)
{
	(void)state;
	static const char *const unknown = "no-such-advice";

	for (size_t i = 0; i < advice_rule_count; i++)
		assert_string_equal(advice_title(advice_rules[i].id), advice_rules[i].title);
	assert_string_equal(advice_title("smp-cosmetic-only"), "SMP is cosmetic only");
	assert_string_equal(advice_title("gp-signoff"), "Ask your GP first");
	assert_ptr_equal(advice_title(unknown), unknown);
}

static void test_advice_sheet_add_and_clear(void **state)
{
	(void)state;
	struct advice_sheet sheet = { .count = 0 };
	char id[32], text[32];

	for (int i = 0; i < ADVICE_MAX; i++) {
		snprintf(id, sizeof id, "id-%d", i);
		snprintf(text, sizeof text, "text %d", i);
		assert_int_equal(advice_sheet_add(&sheet, id, text), 0);
	}
	assert_int_equal(sheet.count, ADVICE_MAX);
	assert_int_equal(advice_sheet_add(&sheet, "one-too-many", "x"), -1);
	assert_int_equal(sheet.count, ADVICE_MAX);
	assert_string_equal(sheet.item[3].id, "id-3");
	assert_string_equal(sheet.item[3].text, "text 3");
	advice_sheet_clear(&sheet);
	assert_int_equal(sheet.count, 0);
	advice_sheet_clear(&sheet);
	advice_sheet_clear(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_advice_ids_table),
		cmocka_unit_test(test_gp_signoff_text),
		cmocka_unit_test(test_tell_artist_lists_products),
		cmocka_unit_test(test_pause_dates),
		cmocka_unit_test(test_advice_rules_table),
		cmocka_unit_test(test_advice_title),
		cmocka_unit_test(test_advice_sheet_add_and_clear),
	};
	return cmocka_run_group_tests_name("advice", tests, NULL, NULL);
}
