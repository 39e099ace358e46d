/* test_flags.c - unit tests for flags.c: the screening flag table, which
 * answers raise a flag, clearances, readiness and the acknowledgement's
 * name check. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include <string.h>

#include "flags.h"
#include "questionnaire.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void set(struct answers *a, const char *id, const char *v)
{
	assert_int_equal(answers_set(a, id, v), 0);
}

/* Every flag names a screening question, its quiet answers are valid
 * answers to it, and ids are unique with the flag- prefix. */
static void test_table(void **state)
{
	(void)state;
	assert_int_equal(flag_rule_count, 5);
	for (size_t i = 0; i < flag_rule_count; i++) {
		const struct flag_rule *f = &flag_rules[i];
		int qi = questionnaire_index(f->qid);
		assert_true(qi >= 0);
		assert_int_equal(strncmp(f->id, "flag-", 5), 0);
		assert_ptr_equal(flag_find(f->id), f);
		assert_non_null(f->quiet[0]);
		assert_true(strlen(f->text) > 40 && strlen(f->basis) > 40);
		for (size_t j = 0; f->quiet[j]; j++) {
			char why[128], *v = NULL;
			assert_int_equal(question_check(&questionnaire[qi], f->quiet[j], NULL,
							&(struct rules){ { 2024, 1, 1 }, 18, DATES_STORED }, &v,
							why, sizeof why),
					 0);
			assert_string_equal(v, f->quiet[j]);
			free(v);
		}
		for (size_t j = i + 1; j < flag_rule_count; j++)
			assert_string_not_equal(f->id, flag_rules[j].id);
	}
	assert_null(flag_find("flag-nope"));
	assert_null(flag_find(""));
}

static void test_raised_by_each_answer(void **state)
{
	static const struct {
		const char *flag, *qid, *value;
		bool raised;
	} cases[] = {
		{ "flag-scalp-condition", "scalp_conditions", "none", false },
		{ "flag-scalp-condition", "scalp_conditions", "psoriasis", true },
		{ "flag-scalp-condition", "scalp_conditions", "sunburn,other", true },
		{ "flag-keloid", "keloid_history", "no", false },
		{ "flag-keloid", "keloid_history", "yes", true },
		{ "flag-blood-thinners", "blood_thinners", "no", false },
		{ "flag-blood-thinners", "blood_thinners", "yes", true },
		{ "flag-allergy", "allergies", "no", false },
		{ "flag-allergy", "allergies", "yes", true },
		{ "flag-pregnancy", "pregnant_or_breastfeeding", "no", false },
		{ "flag-pregnancy", "pregnant_or_breastfeeding", "not_applicable", false },
		{ "flag-pregnancy", "pregnant_or_breastfeeding", "yes", true },
	};
	struct answers a = { { NULL } };

	(void)state;
	/* Not asked (an intake of questionnaire 2026.1): nothing raised. */
	for (size_t i = 0; i < flag_rule_count; i++)
		assert_false(flag_raised(&flag_rules[i], &a));
	for (size_t i = 0; i < N(cases); i++) {
		set(&a, cases[i].qid, cases[i].value);
		assert_int_equal(flag_raised(flag_find(cases[i].flag), &a), cases[i].raised);
		/* No other flag follows this answer. */
		for (size_t j = 0; j < flag_rule_count; j++)
			if (strcmp(flag_rules[j].id, cases[i].flag) != 0)
				assert_false(flag_raised(&flag_rules[j], &a));
		answers_clear(&a);
	}
}

static void test_open_and_cleared(void **state)
{
	struct answers a = { { NULL } };
	struct clearance c[2] = { { (char *)"flag-allergy", (char *)"ok", (char *)"t", (char *)"s" },
				  { (char *)"flag-pregnancy", (char *)"n/a", (char *)"t", (char *)"s" } };
	const struct flag_rule *open[FLAGS_MAX];

	(void)state;
	set(&a, "keloid_history", "yes");
	set(&a, "allergies", "yes");
	set(&a, "scalp_conditions", "eczema");
	assert_int_equal(flags_open(&a, NULL, 0, open), 3);
	/* In table order. */
	assert_string_equal(open[0]->id, "flag-scalp-condition");
	assert_string_equal(open[1]->id, "flag-keloid");
	assert_string_equal(open[2]->id, "flag-allergy");
	/* A clearance of a flag that is not raised changes nothing. */
	assert_int_equal(flags_open(&a, c, 2, open), 2);
	assert_string_equal(open[1]->id, "flag-keloid");
	answers_clear(&a);
}

static void test_readiness(void **state)
{
	struct answers a = { { NULL } };
	struct acknowledgement none = { 0, NULL, NULL, NULL };
	struct acknowledgement ack = { 1, (char *)"Ana Silva", (char *)"t", (char *)"s" };
	struct clearance c = { (char *)"flag-keloid", (char *)"checked", (char *)"t", (char *)"s" };

	(void)state;
	set(&a, "uses_rogaine", "yes");
	set(&a, "gp_discussed", "yes");
	set(&a, "gp_signoff", "pending");
	set(&a, "keloid_history", "yes");
	/* The GP comes first, then the flags, then the acknowledgement. */
	assert_string_equal(readiness_wait_reason(&a, &none, NULL, 0),
			    "waiting for the GP's sign-off");
	set(&a, "gp_signoff", "declined");
	assert_string_equal(readiness_wait_reason(&a, &ack, &c, 1), "the GP advised against it");
	set(&a, "gp_signoff", "obtained");
	assert_non_null(strstr(readiness_wait_reason(&a, &ack, NULL, 0), "screening flag is open"));
	assert_string_equal(readiness_wait_reason(&a, &none, &c, 1),
			    "the client has not acknowledged the advice");
	assert_null(readiness_wait_reason(&a, &ack, &c, 1));
	assert_non_null(readiness_wait_reason(&a, NULL, &c, 1));
	answers_clear(&a);
}

static void test_acknowledgement_matches(void **state)
{
	static const struct {
		const char *typed;
		bool ok;
	} cases[] = {
		{ "Ana Silva", true },      { "ana silva", true },    { "  ANA   SILVA  ", true },
		{ "Ana\tSilva", true },     { "Silva Ana", false },   { "Ana", false },
		{ "Silva", false },         { "Ana Silv", false },    { "Ana Silvas", false },
		{ "Ana Silva Jr", false },  { "AnaSilva", false },    { "", false },
		{ "Zoë de la Cruz", false },
	};
	struct answers a = { { NULL } };

	(void)state;
	assert_false(acknowledgement_matches("Ana Silva", &a)); /* no names yet */
	set(&a, "first_name", "Ana");
	set(&a, "last_name", "Silva");
	for (size_t i = 0; i < N(cases); i++)
		if (acknowledgement_matches(cases[i].typed, &a) != cases[i].ok)
			fail_msg("\"%s\": expected %s", cases[i].typed, cases[i].ok ? "a match" : "none");
	assert_false(acknowledgement_matches(NULL, &a));
	/* Names of several words, and not ASCII: compared folded (fold.h),
	 * so accents, case, normal form and the kind of space do not matter. */
	set(&a, "first_name", "Zoë");
	set(&a, "last_name", "de la Cruz");
	assert_true(acknowledgement_matches("Zoë de la Cruz", &a));
	assert_true(acknowledgement_matches("zoë DE LA cruz", &a));
	assert_true(acknowledgement_matches("Zoe de la Cruz", &a));
	assert_true(acknowledgement_matches("ZOE\xcc\x88 de\xc2\xa0la Cruz", &a)); /* NFD, no-break space */
	assert_false(acknowledgement_matches("Zoey de la Cruz", &a));
	assert_false(acknowledgement_matches("Zoë de la", &a));
	assert_false(acknowledgement_matches("Zo\xeb de la Cruz", &a)); /* not UTF-8 */
	answers_clear(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_raised_by_each_answer),
		cmocka_unit_test(test_open_and_cleared),
		cmocka_unit_test(test_readiness),
		cmocka_unit_test(test_acknowledgement_matches),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
