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

static const struct settings SETTINGS = { .pause_days_before = 10, .pause_days_after = 3, .minimum_age = 18, .draft_max_days = 30 }; /* pause 10 days before, 3 after */

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
		  { "smp-cosmetic-only", "gp-signoff", "tell-artist",
		    "pause-topicals" } },
		{ "rogaine foam, wants help",
		  { "uses_rogaine=yes", "rogaine_form=foam", "wants_root_cause_help=yes" },
		  { "smp-cosmetic-only", "gp-signoff", "tell-artist",
		    "pause-topicals", "root-cause" } },
		{ "rogaine solution",
		  { "uses_rogaine=yes", "rogaine_form=solution", "wants_root_cause_help=no" },
		  { "smp-cosmetic-only", "gp-signoff", "tell-artist",
		    "pause-topicals" } },
		{ "oral minoxidil only",
		  { "uses_rogaine=yes", "rogaine_form=oral", "wants_root_cause_help=no" },
		  { "smp-cosmetic-only", "gp-signoff", "tell-artist" } },
		{ "propecia tablet",
		  { "uses_propecia=yes", "propecia_form=tablet", "wants_root_cause_help=no" },
		  { "smp-cosmetic-only", "gp-signoff", "tell-artist" } },
		{ "propecia topical, wants help",
		  { "uses_propecia=yes", "propecia_form=topical", "wants_root_cause_help=yes" },
		  { "smp-cosmetic-only", "gp-signoff", "tell-artist",
		    "pause-topicals", "root-cause" } },
		{ "other topical",
		  { "uses_other_topical=yes", "other_topical_products=Nizoral" },
		  { "smp-cosmetic-only", "gp-signoff", "tell-artist",
		    "pause-topicals" } },
		{ "other medical",
		  { "uses_other_medical=yes", "other_medical_products=Dutasteride" },
		  { "smp-cosmetic-only", "gp-signoff", "tell-artist" } },
		{ "rogaine foam, obtained",
		  { "uses_rogaine=yes", "rogaine_form=foam", "gp_discussed=yes", "gp_signoff=obtained",
		    "gp_name=Dr Patel", "gp_signoff_date=2026-11-02" },
		  { "smp-cosmetic-only", "gp-signoff-obtained", "treatments-compatible",
		    "tell-artist", "pause-topicals" } },
		{ "rogaine foam, declined",
		  { "uses_rogaine=yes", "rogaine_form=foam", "gp_discussed=yes",
		    "gp_signoff=declined" },
		  { "smp-cosmetic-only", "gp-declined", "tell-artist" } },
		{ "oral minoxidil and finasteride tablets",
		  { "uses_rogaine=yes", "rogaine_form=oral", "uses_propecia=yes",
		    "propecia_form=tablet" },
		  { "smp-cosmetic-only", "gp-signoff", "tell-artist" } },
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
		const char *id;
		bool warning;
		const char *const says[3];
	} cases[] = {
		{ { "uses_rogaine=yes", "rogaine_form=foam", "gp_discussed=no" }, "gp-signoff",
		  true, { "not talked to your GP about this yet", "no SMP session until" } },
		{ { "uses_rogaine=yes", "rogaine_form=foam" }, "gp-signoff", true,
		  { "waiting for your GP's answer", "no SMP session until" } },
		{ { "uses_propecia=yes", "propecia_form=tablet", "gp_discussed=yes",
		    "gp_signoff=pending" },
		  "gp-signoff", true, { "waiting for your GP's answer", "finasteride (tablets)" } },
		{ { "uses_propecia=yes", "gp_discussed=yes", "gp_signoff=declined" }, "gp-declined",
		  true, { "advised against combining SMP with finasteride", "no SMP session while",
			  "talk to your GP again" } },
		{ { "uses_propecia=yes", "gp_discussed=yes", "gp_signoff=obtained",
		    "gp_name=Dr Amara Okafor", "gp_signoff_date=2024-05-02" },
		  "gp-signoff-obtained", false,
		  { "Your GP, Dr Amara Okafor, gave the go-ahead on 2024-05-02", "finasteride" } },
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct answers a;
		struct advice_sheet sheet;
		advise(cases[i].pairs, &a, &sheet);
		const char *text = text_of(&sheet, cases[i].id);
		if (!text)
			fail_msg("case %zu: no %s", i, cases[i].id);
		for (size_t k = 0; k < N(cases[i].says) && cases[i].says[k]; k++)
			if (!strstr(text, cases[i].says[k]))
				fail_msg("case %zu: %s lacks \"%s\": %s", i, cases[i].id,
					 cases[i].says[k], text);
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
		"minoxidil (foam) since 2021-03-01", "finasteride (tablets)",
		"other scalp products: Nizoral shampoo",
		"other hair-growth medicine: Dutasteride 0.5 mg",
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
	assert_non_null(strstr(text, "finasteride (spray or lotion)"));
	assert_null(strstr(text, "minoxidil"));
	assert_null(strstr(text, "other scalp"));
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
		{ { .pause_days_before = 10, .pause_days_after = 3, .minimum_age = 18 }, "2024-07-01", "2024-06-21", "2024-07-04" },
		{ { .pause_days_before = 7, .pause_days_after = 7, .minimum_age = 18 }, "2025-01-02", "2024-12-26", "2025-01-09" },
		{ { .pause_days_before = 7, .pause_days_after = 7, .minimum_age = 18 }, "2024-03-05", "2024-02-27", "2024-03-12" },
		{ { .pause_days_before = 14, .pause_days_after = 1, .minimum_age = 18 }, "2023-03-10", "2023-02-24", "2023-03-11" },
		{ { .pause_days_before = 0, .pause_days_after = 0, .minimum_age = 18 }, "2024-07-01", "2024-07-01", "2024-07-01" },
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

static bool has(const struct advice_sheet *sheet, const char *id)
{
	return text_of(sheet, id) != NULL;
}

/* True when any text of the sheet holds needle. */
static bool any_says(const struct advice_sheet *sheet, const char *needle)
{
	for (size_t i = 0; i < sheet->count; i++)
		if (strstr(sheet->item[i].text, needle))
			return true;
	return false;
}

/* Every combination of treatment answers x GP status x planned date x
 * help with the cause: the rules that must come together do, and those
 * that would contradict each other never do. */
static void test_advice_never_contradicts(void **state)
{
	(void)state;
	static const char *const rogaine[] = { NULL, "foam", "solution", "oral", "other" };
	static const char *const propecia[] = { NULL, "tablet", "topical" };
	enum { NOT_DISCUSSED, PENDING, OBTAINED, DECLINED };
	size_t sheets = 0;

	for (size_t r = 0; r < N(rogaine); r++)
	for (size_t p = 0; p < N(propecia); p++)
	for (int topical = 0; topical < 2; topical++)
	for (int medical = 0; medical < 2; medical++)
	for (int gp = NOT_DISCUSSED; gp <= DECLINED; gp++)
	for (int planned = 0; planned < 2; planned++)
	for (int help = 0; help < 2; help++) {
		const char *pairs[24];
		size_t n = 0, treatments = 0;
		bool any, is_topical, declined, obtained;
		char rf[40], pf[40], what[160];
		struct answers a;
		struct advice_sheet sheet;

		pairs[n++] = r ? "uses_rogaine=yes" : "uses_rogaine=no";
		if (r) {
			snprintf(rf, sizeof rf, "rogaine_form=%s", rogaine[r]);
			pairs[n++] = rf;
		}
		pairs[n++] = p ? "uses_propecia=yes" : "uses_propecia=no";
		if (p) {
			snprintf(pf, sizeof pf, "propecia_form=%s", propecia[p]);
			pairs[n++] = pf;
		}
		pairs[n++] = topical ? "uses_other_topical=yes" : "uses_other_topical=no";
		if (topical)
			pairs[n++] = "other_topical_products=Nizoral shampoo";
		pairs[n++] = medical ? "uses_other_medical=yes" : "uses_other_medical=no";
		if (medical)
			pairs[n++] = "other_medical_products=Dutasteride";
		treatments = (r > 0) + (p > 0) + topical + medical;
		any = treatments > 0;
		if (any) {
			pairs[n++] = gp == NOT_DISCUSSED ? "gp_discussed=no" : "gp_discussed=yes";
			if (gp == PENDING)
				pairs[n++] = "gp_signoff=pending";
			if (gp == DECLINED)
				pairs[n++] = "gp_signoff=declined";
			if (gp == OBTAINED) {
				pairs[n++] = "gp_signoff=obtained";
				pairs[n++] = "gp_name=Dr Amara Okafor";
				pairs[n++] = "gp_signoff_date=2026-11-02";
			}
		}
		if (planned)
			pairs[n++] = "planned_session_date=2027-03-10";
		pairs[n++] = help ? "wants_root_cause_help=yes" : "wants_root_cause_help=no";
		pairs[n] = NULL;
		snprintf(what, sizeof what, "rogaine=%s propecia=%s topical=%d medical=%d gp=%d "
			 "planned=%d help=%d", r ? rogaine[r] : "no", p ? propecia[p] : "no",
			 topical, medical, gp, planned, help);

		advise(pairs, &a, &sheet);
		sheets++;
		is_topical = (r && strcmp(rogaine[r], "oral") != 0) ||
			     (p && strcmp(propecia[p], "topical") == 0) || topical;
		declined = any && gp == DECLINED;
		obtained = any && gp == OBTAINED;

		/* Every sheet starts with what SMP is. */
		if (sheet.count == 0 || strcmp(sheet.item[0].id, "smp-cosmetic-only") != 0)
			fail_msg("%s: smp-cosmetic-only is not first", what);
		/* Client words only: no warnings, ids or placeholders. */
		for (size_t i = 0; i < sheet.count; i++) {
			const char *t = sheet.item[i].text;
			if (strstr(t, "ARTIST") || strchr(t, '[') || strchr(t, '{') || strchr(t, '}'))
				fail_msg("%s: %s is not in client words: %s", what, sheet.item[i].id, t);
			for (size_t k = 0; k < advice_rule_count; k++)
				if (strstr(t, advice_rules[k].id))
					fail_msg("%s: %s names rule %s", what, sheet.item[i].id,
						 advice_rules[k].id);
		}
		/* The GP's answer decides which of the three is given, and only
		 * that one. */
		if (has(&sheet, "treatments-compatible") != obtained ||
		    has(&sheet, "gp-signoff-obtained") != obtained)
			fail_msg("%s: treatments may continue / go-ahead without obtained", what);
		if (has(&sheet, "gp-signoff") != (any && (gp == PENDING || gp == NOT_DISCUSSED)))
			fail_msg("%s: ask your GP first with the wrong status", what);
		if (has(&sheet, "gp-declined") != declined)
			fail_msg("%s: declined advice with the wrong status", what);
		if (advice_signoff_warning(&a) != (any && !obtained))
			fail_msg("%s: artist warning with the wrong status", what);
		/* No sentence claims a go-ahead, or continuing alongside SMP,
		 * unless the GP gave it; "no session" only without it. */
		if (!obtained && any_says(&sheet, "gave the go-ahead"))
			fail_msg("%s: claims a go-ahead the GP did not give", what);
		if (any_says(&sheet, "no SMP session") && obtained)
			fail_msg("%s: no session, yet obtained", what);
		if ((any && !obtained) != any_says(&sheet, "no SMP session"))
			fail_msg("%s: no session missing while the GP has not agreed", what);
		for (size_t i = 0; i < sheet.count; i++)
			if (declined && strcmp(advice_title(sheet.item[i].id), "Ask your GP first") == 0)
				fail_msg("%s: 'Ask your GP first' after the GP declined", what);
		if (declined && any_says(&sheet, "keep using"))
			fail_msg("%s: keep using after the GP declined", what);
		if (obtained && (!strstr(text_of(&sheet, "gp-signoff-obtained"), "Dr Amara Okafor") ||
				 !strstr(text_of(&sheet, "gp-signoff-obtained"), "2026-11-02")))
			fail_msg("%s: the go-ahead does not say by whom and when", what);
		/* The pause: only with a topical, never when declined; dates only
		 * with a planned session. */
		if (has(&sheet, "pause-topicals") != (is_topical && !declined))
			fail_msg("%s: pause-topicals given wrongly", what);
		if (any_says(&sheet, "stop topical products on") != (is_topical && !declined && planned))
			fail_msg("%s: pause dates given wrongly", what);
		if (any_says(&sheet, "Once a session date is booked") !=
		    (is_topical && !declined && !planned))
			fail_msg("%s: pause without dates given wrongly", what);
		/* Tell your artist with any treatment; the cause when there is none
		 * or the client asked. */
		if (has(&sheet, "tell-artist") != any)
			fail_msg("%s: tell-artist given wrongly", what);
		if (has(&sheet, "root-cause") != (!any || help))
			fail_msg("%s: root-cause given wrongly", what);
		/* The treatments are named, "it" for one and "them" for more. */
		if (any) {
			const char *gp_text = text_of(&sheet, obtained   ? "gp-signoff-obtained"
							      : declined ? "gp-declined"
									 : "gp-signoff");
			if ((r && !strstr(gp_text, "minoxidil")) || (p && !strstr(gp_text, "finasteride")) ||
			    (topical && !strstr(gp_text, "Nizoral shampoo")) ||
			    (medical && !strstr(gp_text, "Dutasteride")) ||
			    strstr(gp_text, "hair-growth treatment"))
				fail_msg("%s: treatments not named: %s", what, gp_text);
			if (!obtained && !strstr(gp_text, treatments == 1 ? " it" : " them"))
				fail_msg("%s: it/them wrong: %s", what, gp_text);
			if (!obtained && strstr(gp_text, treatments == 1 ? " them" : " it "))
				fail_msg("%s: it/them wrong: %s", what, gp_text);
		}
		advice_sheet_clear(&sheet);
		answers_clear(&a);
	}
	assert_int_equal(sheets, 5 * 3 * 2 * 2 * 4 * 2 * 2);
}

/* Names as a client reads them: both drugs with their forms, "and" before
 * the last, the other products as typed on one line. */
static void test_treatments_named(void **state)
{
	(void)state;
	static const struct {
		const char *const pairs[8];
		const char *says;
	} cases[] = {
		{ { "uses_rogaine=yes", "rogaine_form=foam", "uses_propecia=yes",
		    "propecia_form=tablet" },
		  "with minoxidil (foam) and finasteride (tablets)." },
		{ { "uses_rogaine=yes", "rogaine_form=oral" }, "with minoxidil (tablets). So" },
		{ { "uses_propecia=yes", "propecia_form=topical", "uses_other_topical=yes",
		    "other_topical_products=Nizoral\nshampoo.", "uses_other_medical=yes",
		    "other_medical_products=Dutasteride" },
		  "with finasteride (spray or lotion), Nizoral shampoo and Dutasteride." },
		{ { "uses_other_medical=yes", "other_medical_products=Biotin, zinc" },
		  "while you use them" },
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct answers a;
		struct advice_sheet sheet;
		const char *pairs[12];
		size_t n = 0;

		for (; cases[i].pairs[n]; n++)
			pairs[n] = cases[i].pairs[n];
		pairs[n++] = "gp_discussed=yes";
		pairs[n++] = "gp_signoff=declined";
		pairs[n] = NULL;
		advise(pairs, &a, &sheet);
		if (!strstr(text_of(&sheet, "gp-declined"), cases[i].says))
			fail_msg("case %zu lacks \"%s\": %s", i, cases[i].says,
				 text_of(&sheet, "gp-declined"));
		advice_sheet_clear(&sheet);
		answers_clear(&a);
	}
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
			if (strncmp(p, "{treatments}", 12) && strncmp(p, "{topicals}", 10) &&
			    strncmp(p, "{it}", 4) && strncmp(p, "{gp_name}", 9) &&
			    strncmp(p, "{gp_date}", 9) && strncmp(p, "{gp_waiting}", 12) &&
			    strncmp(p, "{products}", 10) && strncmp(p, "{pause}", 7))
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
		cmocka_unit_test(test_advice_never_contradicts),
		cmocka_unit_test(test_treatments_named),
		cmocka_unit_test(test_advice_rules_table),
		cmocka_unit_test(test_advice_title),
		cmocka_unit_test(test_advice_sheet_add_and_clear),
	};
	return cmocka_run_group_tests_name("advice", tests, NULL, NULL);
}
