/* test_questionnaire.c - unit tests for questionnaire.c: the question table
 * itself, every answer check, conditions and the derived facts. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice.h"
#include "questionnaire.h"
#include "text.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* "Today" is fixed so that the tests never depend on the clock. */
static const struct rules RULES = { { 2024, 6, 15 }, 18, DATES_STORED };

static const struct question *Q(const char *id)
{
	int i = questionnaire_index(id);
	if (i < 0)
		fail_msg("no question '%s'", id);
	return &questionnaire[i];
}
/* One check: input for question id must give rc and (on success) want,
 * where want NULL means left unanswered. */
struct check_case {
	const char *id;
	const char *input;
	int rc;
	const char *want;
};

static void run_checks(const struct check_case *cases, size_t n, const struct answers *so_far,
		       const struct rules *rules)
{
	for (size_t i = 0; i < n; i++) {
		char why[256] = "untouched", *value = (char *)"junk", problem[512] = "";
		int rc = question_check(Q(cases[i].id), cases[i].input, so_far, rules, &value, why,
					sizeof why);
		/* Long inputs are named by their length in messages. */
		char shown[48];
		if (strlen(cases[i].input) < 40)
			snprintf(shown, sizeof shown, "\"%s\"", cases[i].input);
		else
			snprintf(shown, sizeof shown, "(%zu bytes)", strlen(cases[i].input));

		if (rc != cases[i].rc) {
			snprintf(problem, sizeof problem, "%s %s: rc %d, expected %d (why: %s)",
				 cases[i].id, shown, rc, cases[i].rc, rc ? why : "");
		} else if (rc == 0) {
			if (!cases[i].want && value)
				snprintf(problem, sizeof problem, "%s %s: a value, expected none",
					 cases[i].id, shown);
			else if (cases[i].want && (!value || strcmp(value, cases[i].want) != 0))
				snprintf(problem, sizeof problem, "%s %s: value \"%.60s\", expected \"%.60s\"",
					 cases[i].id, shown, value ? value : "(null)", cases[i].want);
		} else {
			if (value)
				snprintf(problem, sizeof problem, "%s %s: refused but a value was set",
					 cases[i].id, shown);
			else if (why[0] == '\0' || strcmp(why, "untouched") == 0)
				snprintf(problem, sizeof problem, "%s %s: no reason given", cases[i].id,
					 shown);
			else if (strchr(why, '\n'))
				snprintf(problem, sizeof problem, "%s %s: reason spans lines", cases[i].id,
					 shown);
		}
		if (rc == 0)
			free(value);
		if (problem[0])
			fail_msg("%s", problem);
	}
}

/* ---- the table ---- */

static void test_table_ids_unique_and_indexed(void **state)
{
	(void)state;
	assert_true(questionnaire_count > 0);
	assert_true(questionnaire_count <= N(((struct answers *)0)->value));
	for (size_t i = 0; i < questionnaire_count; i++) {
		const struct question *q = &questionnaire[i];
		assert_non_null(q->id);
		assert_true(q->id[0] != '\0');
		assert_int_equal(questionnaire_index(q->id), (int)i);
		for (size_t j = i + 1; j < questionnaire_count; j++)
			if (strcmp(q->id, questionnaire[j].id) == 0)
				fail_msg("question id '%s' appears twice", q->id);
		assert_true(q->prompt && q->prompt[0]);
		assert_true(q->label && q->label[0]);
		assert_true(q->help && q->help[0]);
	}
	assert_int_equal(questionnaire_index("no_such_question"), -1);
	assert_int_equal(questionnaire_index(""), -1);
}

static void test_table_conditions_name_earlier_questions(void **state)
{
	(void)state;
	for (size_t i = 0; i < questionnaire_count; i++) {
		const struct question *q = &questionnaire[i];
		if (q->when.kind != WHEN_EQUALS)
			continue;
		int j = questionnaire_index(q->when.qid);
		if (j < 0 || (size_t)j >= i)
			fail_msg("'%s' depends on '%s', which is not an earlier question", q->id,
				 q->when.qid);
		assert_non_null(q->when.value);
		/* The value it waits for is one the earlier question can give. */
		const struct question *dep = &questionnaire[j];
		if (dep->type == Q_YESNO) {
			assert_true(strcmp(q->when.value, "yes") == 0 ||
				    strcmp(q->when.value, "no") == 0);
		} else if (dep->type == Q_CHOICE) {
			bool found = false;
			for (size_t k = 0; dep->choices[k]; k++)
				found |= strcmp(dep->choices[k], q->when.value) == 0;
			if (!found)
				fail_msg("'%s' waits for '%s', not a choice of '%s'", q->id,
					 q->when.value, dep->id);
		}
	}
}

static void test_table_defaults_are_valid(void **state)
{
	(void)state;
	for (size_t i = 0; i < questionnaire_count; i++) {
		const struct question *q = &questionnaire[i];
		if (q->type == Q_CHOICE) {
			assert_non_null(q->choices[0]);
			assert_non_null(q->choices[1]);
		}
		if (!q->def)
			continue;
		if (q->type == Q_CHOICE) {
			bool found = false;
			for (size_t k = 0; k < QUESTION_CHOICES_MAX && q->choices[k]; k++)
				found |= strcmp(q->choices[k], q->def) == 0;
			if (!found)
				fail_msg("default '%s' of '%s' is not among its choices", q->def, q->id);
		} else if (q->type == Q_YESNO) {
			assert_true(strcmp(q->def, "yes") == 0 || strcmp(q->def, "no") == 0);
		}
		/* The default passes the question's own check unchanged. */
		char why[256], *value = NULL;
		assert_int_equal(question_check(q, q->def, NULL, &RULES, &value, why, sizeof why), 0);
		assert_string_equal(value, q->def);
		free(value);
	}
}

static void test_table_shape(void **state)
{
	(void)state;
	static const char *const client_ids[] = { "first_name", "last_name", "date_of_birth",
						  "phone", "email" };
	size_t clients = 0;

	for (size_t i = 0; i < questionnaire_count; i++) {
		const struct question *q = &questionnaire[i];
		if (q->type == Q_TEXT || q->type == Q_NOTES)
			assert_true(q->max_len > 0);
		clients += q->client_field;
	}
	/* The database stores exactly these on the client record. */
	assert_int_equal(clients, N(client_ids));
	for (size_t i = 0; i < N(client_ids); i++)
		assert_true(Q(client_ids[i])->client_field);
	assert_int_equal(questionnaire_index("consent_storage"), 0);
	assert_int_equal(Q("date_of_birth")->date_rule, DATE_BIRTH);
	assert_int_equal(Q("rogaine_since")->date_rule, DATE_NOT_FUTURE);
	assert_int_equal(Q("gp_signoff_date")->date_rule, DATE_NOT_FUTURE);
	assert_int_equal(Q("planned_session_date")->date_rule, DATE_NOT_PAST);
}

/* ---- answers ---- */

static void test_answers_get_set_clear(void **state)
{
	(void)state;
	struct answers a;
	char buf[] = "Ana";

	memset(&a, 0, sizeof a);
	assert_null(answers_get(&a, "first_name"));
	assert_null(answers_get(&a, "no_such_question"));
	assert_int_equal(answers_set(&a, "first_name", buf), 0);
	buf[0] = 'X'; /* a copy is stored */
	assert_string_equal(answers_get(&a, "first_name"), "Ana");
	assert_int_equal(answers_set(&a, "first_name", "Bea"), 0);
	assert_string_equal(answers_get(&a, "first_name"), "Bea");
	assert_int_equal(answers_set(&a, "no_such_question", "x"), -1);
	assert_int_equal(answers_set(&a, "first_name", NULL), 0);
	assert_null(answers_get(&a, "first_name"));
	assert_int_equal(answers_set(&a, "last_name", "Smith"), 0);
	answers_clear(&a);
	assert_null(answers_get(&a, "last_name"));
	answers_clear(&a); /* twice is fine */
	answers_clear(NULL);
}

/* ---- question_check, per type ---- */

static void test_check_yesno(void **state)
{
	(void)state;
	static const struct check_case cases[] = {
		{ "uses_rogaine", "y", 0, "yes" },
		{ "uses_rogaine", "Y", 0, "yes" },
		{ "uses_rogaine", "yes", 0, "yes" },
		{ "uses_rogaine", "YeS", 0, "yes" },
		{ "uses_rogaine", "  yes\t", 0, "yes" },
		{ "uses_rogaine", "n", 0, "no" },
		{ "uses_rogaine", "NO", 0, "no" },
		{ "uses_rogaine", "", 0, "no" }, /* the default */
		{ "uses_rogaine", "   ", 0, "no" },
		{ "uses_rogaine", "yep", -1, NULL },
		{ "uses_rogaine", "ye", -1, NULL },
		{ "uses_rogaine", "1", -1, NULL },
		{ "uses_rogaine", "true", -1, NULL },
		{ "uses_rogaine", "y es", -1, NULL },
		{ "consent_storage", "yes", 0, "yes" },
		{ "consent_storage", "no", 0, "no" },
		{ "consent_storage", "", -1, NULL }, /* required, no default */
		{ "gp_discussed", "", -1, NULL },
	};
	run_checks(cases, N(cases), NULL, &RULES);
}

static void test_check_choice(void **state)
{
	(void)state;
	static const struct check_case cases[] = {
		{ "rogaine_form", "foam", 0, "foam" },
		{ "rogaine_form", "FOAM", 0, "foam" },
		{ "rogaine_form", " Solution ", 0, "solution" },
		{ "rogaine_form", "f", 0, "foam" },
		{ "rogaine_form", "s", 0, "solution" },
		{ "rogaine_form", "sol", 0, "solution" },
		{ "rogaine_form", "OR", 0, "oral" },
		{ "rogaine_form", "ot", 0, "other" },
		{ "rogaine_form", "o", -1, NULL }, /* oral or other */
		{ "rogaine_form", "foams", -1, NULL },
		{ "rogaine_form", "gel", -1, NULL },
		{ "rogaine_form", "", 0, "foam" }, /* the default */
		{ "propecia_form", "t", -1, NULL },  /* tablet or topical */
		{ "propecia_form", "ta", 0, "tablet" },
		{ "propecia_form", "TOP", 0, "topical" },
		{ "propecia_form", "", 0, "tablet" },
		{ "gp_signoff", "obtained", 0, "obtained" },
		{ "gp_signoff", "p", 0, "pending" },
		{ "gp_signoff", "Declined", 0, "declined" },
		{ "gp_signoff", "", -1, NULL }, /* required, no default */
		{ "gp_signoff", "maybe", -1, NULL },
	};
	run_checks(cases, N(cases), NULL, &RULES);

	/* The reason lists the choices. */
	char why[256], *value = NULL;
	assert_int_equal(question_check(Q("rogaine_form"), "o", NULL, &RULES, &value, why, sizeof why),
			 -1);
	assert_non_null(strstr(why, "oral"));
	assert_non_null(strstr(why, "other"));
}

/* In a Turkish locale, where strcasecmp() does not take "I" for "i",
 * choices and yes/no in capitals are still taken (fold.h). */
static void test_check_choice_in_every_locale(void **state)
{
	(void)state;
	static const struct check_case cases[] = {
		{ "rogaine_form", "SOLUTION", 0, "solution" },
		{ "rogaine_form", "SOLUT\xc4\xb0ON", 0, "solution" }, /* a Turkish dotted capital I */
		{ "gp_signoff", "PENDING", 0, "pending" },
		{ "gp_signoff", "OBTA\xc4\xb0NED", 0, "obtained" },
		{ "scalp_conditions", "PSORIASIS, INFECTION", 0, "psoriasis,infection" },
		{ "pregnant_or_breastfeeding", "NOT_APPLICABLE", 0, "not_applicable" },
		{ "uses_rogaine", "YES", 0, "yes" },
		{ "uses_rogaine", "Y\xc4\xb0", -1, NULL },
	};
	const char *locale = setlocale(LC_ALL, "tr_TR.UTF-8");

	if (!locale)
		fail_msg("the tr_TR.UTF-8 locale is missing (make test-deps makes it)");
	run_checks(cases, N(cases), NULL, &RULES);
	setlocale(LC_ALL, "C");
	run_checks(cases, N(cases), NULL, &RULES);
}

static void test_check_email(void **state)
{
	(void)state;
	char long_local[80], long_total[400];

	static const struct check_case cases[] = {
		{ "email", "name@example.com", 0, "name@example.com" },
		{ "email", "  name@example.com  ", 0, "name@example.com" },
		{ "email", "first.last+tag@mail.example.co.uk", 0, "first.last+tag@mail.example.co.uk" },
		{ "email", "o'neil@example.ie", 0, "o'neil@example.ie" },
		{ "email", "x@a-b.example", 0, "x@a-b.example" },
		{ "email", "Name_1@Example.COM", 0, "Name_1@Example.COM" },
		{ "email", "", 0, NULL }, /* optional */
		{ "email", "name", -1, NULL },
		{ "email", "name@", -1, NULL },
		{ "email", "@example.com", -1, NULL },
		{ "email", "name@example", -1, NULL },
		{ "email", "name@@example.com", -1, NULL },
		{ "email", "a@b@example.com", -1, NULL },
		{ "email", ".name@example.com", -1, NULL },
		{ "email", "name.@example.com", -1, NULL },
		{ "email", "na..me@example.com", -1, NULL },
		{ "email", "name@-example.com", -1, NULL },
		{ "email", "name@example-.com", -1, NULL },
		{ "email", "name@example..com", -1, NULL },
		{ "email", "name@.example.com", -1, NULL },
		{ "email", "name@example.com.", -1, NULL },
		{ "email", "na me@example.com", -1, NULL },
		{ "email", "name@exa mple.com", -1, NULL },
		{ "email", "name@exa_mple.com", -1, NULL },
		{ "email", "name@example.com>", -1, NULL },
		{ "email", "<name@example.com", -1, NULL },
		{ "email", "name@example.com\x1b[2J", -1, NULL },
	};
	run_checks(cases, N(cases), NULL, &RULES);

	/* Local part up to 64 characters, whole address up to 254. */
	memset(long_local, 'a', 64);
	strcpy(long_local + 64, "@example.com");
	struct check_case edge[] = { { "email", long_local, 0, long_local } };
	run_checks(edge, 1, NULL, &RULES);
	memset(long_local, 'a', 65);
	strcpy(long_local + 65, "@example.com");
	edge[0].rc = -1;
	edge[0].want = NULL;
	run_checks(edge, 1, NULL, &RULES);

	/* a@ + labels of 49 'b' + ".", ending in "com": over 254 in all. */
	strcpy(long_total, "a@");
	while (strlen(long_total) < 260)
		strcat(long_total, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.");
	strcat(long_total, "com");
	edge[0].input = long_total;
	run_checks(edge, 1, NULL, &RULES);
}

static void test_check_phone(void **state)
{
	(void)state;
	static const struct check_case cases[] = {
		{ "phone", "+44 20 7946 0958", 0, "+44 20 7946 0958" },
		{ "phone", "020 7946 0958", 0, "020 7946 0958" },
		{ "phone", "(555) 123-4567", 0, "(555) 123-4567" },
		{ "phone", "555.123.4567", 0, "555.123.4567" },
		{ "phone", " 1234567 ", 0, "1234567" },        /* 7 digits */
		{ "phone", "123456789012345", 0, "123456789012345" }, /* 15 digits */
		{ "phone", "", 0, NULL },                      /* optional */
		{ "phone", "123456", -1, NULL },               /* 6 digits */
		{ "phone", "1234567890123456", -1, NULL },     /* 16 digits */
		{ "phone", "+-().   ", -1, NULL },
		{ "phone", "++44 20 7946 0958", -1, NULL },
		{ "phone", "44+20 7946 0958", -1, NULL },
		{ "phone", "555-CALL-NOW", -1, NULL },
		{ "phone", "0207946095x8", -1, NULL },
		{ "phone", "020/7946/0958", -1, NULL },
		{ "phone", "020 7946 0958\x1b", -1, NULL },
	};
	run_checks(cases, N(cases), NULL, &RULES);
}

/* A string of n copies of unit (which is at most 4 bytes); allocated. */
static char *repeat(const char *unit, size_t n)
{
	size_t len = strlen(unit);
	char *s = malloc(n * len + 1);
	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		memcpy(s + i * len, unit, len);
	s[n * len] = '\0';
	return s;
}

static void test_check_names(void **state)
{
	(void)state;
	char *a100 = repeat("a", 100), *a101 = repeat("a", 101);
	char *e100 = repeat("\xc3\xa9", 100), *e101 = repeat("\xc3\xa9", 101);
	char *cjk100 = repeat("\xe6\x9d\x8e", 100), *emoji101 = repeat("\xf0\x9f\x98\x80", 101);
	const struct check_case cases[] = {
		{ "first_name", "Ana", 0, "Ana" },
		{ "first_name", "  Ana  ", 0, "Ana" },
		{ "first_name", "Jos\xc3\xa9", 0, "Jos\xc3\xa9" },
		{ "first_name", "Mary Ann", 0, "Mary Ann" },
		{ "last_name", "O'Brien-Smith", 0, "O'Brien-Smith" },
		{ "first_name", "", -1, NULL },        /* required */
		{ "first_name", " \t ", -1, NULL },
		{ "first_name", "A\x1b[31mna", -1, NULL },
		{ "first_name", "A\tna", -1, NULL },
		{ "first_name", "A\x7fna", -1, NULL },
		{ "first_name", "A\xc2\x85na", -1, NULL },
		{ "first_name", "A\rna", -1, NULL },
		{ "last_name", "A\nna", -1, NULL },
		{ "first_name", a100, 0, a100 },
		{ "first_name", a101, -1, NULL },
		{ "last_name", e100, 0, e100 }, /* 200 bytes, 100 code points */
		{ "last_name", e101, -1, NULL },
		{ "last_name", cjk100, 0, cjk100 },
		{ "last_name", emoji101, -1, NULL },
		{ "gp_name", a100, 0, a100 },
		{ "gp_name", a101, -1, NULL },
		{ "gp_name", "", -1, NULL },
	};
	run_checks(cases, N(cases), NULL, &RULES);
	free(a100);
	free(a101);
	free(e100);
	free(e101);
	free(cjk100);
	free(emoji101);
}

static void test_check_free_text(void **state)
{
	(void)state;
	char *n4000 = repeat("x", 4000), *n4001 = repeat("x", 4001);
	char *e4000 = repeat("\xc3\xa9", 4000);
	const struct check_case cases[] = {
		/* Notes are kept as typed, lines and spaces included. */
		{ "hair_loss_notes", "crown\nand temples", 0, "crown\nand temples" },
		{ "hair_loss_notes", "  since 2019\t", 0, "  since 2019\t" },
		{ "hair_loss_notes", "", 0, NULL },
		{ "hair_loss_notes", " \n\t ", 0, NULL },
		{ "hair_loss_notes", n4000, 0, n4000 },
		{ "hair_loss_notes", e4000, 0, e4000 },
		{ "hair_loss_notes", n4001, -1, NULL },
		{ "other_topical_products", "Regaine foam 5%", 0, "Regaine foam 5%" },
		{ "other_topical_products", "", -1, NULL },
		/* Product fields are free text too: escapes are kept as typed
		 * (printing neutralises them), unlike names. */
		{ "other_topical_products", "foam\x1b]0;x\x07", 0, "foam\x1b]0;x\x07" },
		{ "other_topical_products", "  Nizoral  ", 0, "  Nizoral  " },
		{ "other_medical_products", n4000, 0, n4000 },
		{ "other_medical_products", n4001, -1, NULL },
	};
	run_checks(cases, N(cases), NULL, &RULES);
	free(n4000);
	free(n4001);
	free(e4000);
}

static void test_check_invalid_utf8_and_huge_input(void **state)
{
	(void)state;
	char *huge = repeat("a", 100000);
	static const char *const ids[] = { "first_name", "hair_loss_notes", "email", "phone",
					   "uses_rogaine", "rogaine_form", "date_of_birth" };
	static const char *const bad[] = { "Jos\xc3", "\xff", "\xc0\xaf", "\xed\xa0\x80" };

	for (size_t i = 0; i < N(ids); i++) {
		for (size_t j = 0; j < N(bad); j++) {
			char why[256] = "", *value = NULL;
			assert_int_equal(question_check(Q(ids[i]), bad[j], NULL, &RULES, &value, why,
							sizeof why),
					 -1);
			assert_null(value);
			assert_non_null(strstr(why, "UTF-8"));
		}
		char why[256] = "", *value = NULL;
		assert_int_equal(question_check(Q(ids[i]), huge, NULL, &RULES, &value, why, sizeof why),
				 -1);
		assert_null(value);
		assert_true(why[0] != '\0');
	}
	free(huge);
}

static void test_check_dates(void **state)
{
	(void)state;
	/* RULES: today is 2024-06-15, minimum age 18. */
	static const struct check_case cases[] = {
		{ "date_of_birth", "1985-07-23", 0, "1985-07-23" },
		{ "date_of_birth", " 1985-07-23 ", 0, "1985-07-23" },
		{ "date_of_birth", "2006-06-15", 0, "2006-06-15" }, /* 18 today */
		{ "date_of_birth", "2006-06-16", -1, NULL },        /* 18 tomorrow */
		{ "date_of_birth", "2010-01-01", -1, NULL },
		{ "date_of_birth", "2024-06-15", -1, NULL },
		{ "date_of_birth", "2024-06-16", -1, NULL }, /* future */
		{ "date_of_birth", "2030-01-01", -1, NULL },
		{ "date_of_birth", "1904-06-15", 0, "1904-06-15" }, /* 120 */
		{ "date_of_birth", "1900-01-01", -1, NULL },        /* over 120 */
		{ "date_of_birth", "1985-02-29", -1, NULL },
		{ "date_of_birth", "23/07/1985", -1, NULL },
		{ "date_of_birth", "1985-7-23", -1, NULL },
		{ "date_of_birth", "1899-12-31", -1, NULL },
		{ "date_of_birth", "", -1, NULL },
		{ "rogaine_since", "2024-06-15", 0, "2024-06-15" }, /* today */
		{ "rogaine_since", "2020-01-31", 0, "2020-01-31" },
		{ "rogaine_since", "2024-06-16", -1, NULL },
		{ "rogaine_since", "2024-02-30", -1, NULL },
		{ "rogaine_since", "", 0, NULL }, /* optional */
		{ "gp_signoff_date", "2024-06-01", 0, "2024-06-01" },
		{ "gp_signoff_date", "2024-07-01", -1, NULL },
		{ "gp_signoff_date", "", -1, NULL }, /* required */
		{ "planned_session_date", "2024-06-15", 0, "2024-06-15" }, /* today */
		{ "planned_session_date", "2024-06-14", -1, NULL },        /* past */
		{ "planned_session_date", "2025-12-31", 0, "2025-12-31" },
		{ "planned_session_date", "2026-06-15", 0, "2026-06-15" }, /* two years */
		{ "planned_session_date", "2026-06-17", -1, NULL },
		{ "planned_session_date", "2030-01-01", -1, NULL },
		{ "planned_session_date", "", 0, NULL },
	};
	run_checks(cases, N(cases), NULL, &RULES);
}

static void test_check_planned_session_exactly_two_years(void **state)
{
	(void)state;
	/* "Today or later, within two years": the day after the same date two
	 * years on is more than two years ahead, with or without a 29 February
	 * in between. */
	static const struct rules no_leap_day = { { 2024, 6, 15 }, 18, DATES_STORED };
	static const struct rules leap_day = { { 2023, 6, 15 }, 18, DATES_STORED };
	static const struct check_case a[] = {
		{ "planned_session_date", "2026-06-15", 0, "2026-06-15" },
		{ "planned_session_date", "2026-06-16", -1, NULL },
	};
	static const struct check_case b[] = {
		{ "planned_session_date", "2025-06-15", 0, "2025-06-15" },
		{ "planned_session_date", "2025-06-16", -1, NULL },
	};
	run_checks(b, N(b), NULL, &leap_day);
	run_checks(a, N(a), NULL, &no_leap_day);
}

static void test_check_birth_rules(void **state)
{
	(void)state;
	static const struct rules adult21 = { { 2024, 6, 15 }, 21, DATES_STORED };
	static const struct check_case at21[] = {
		{ "date_of_birth", "2006-06-15", -1, NULL }, /* 18, under 21 */
		{ "date_of_birth", "2003-06-15", 0, "2003-06-15" },
		{ "date_of_birth", "2003-06-16", -1, NULL },
	};
	run_checks(at21, N(at21), NULL, &adult21);

	/* Born on 29 February: 18 on 1 March in a common year. */
	static const struct rules feb28 = { { 2022, 2, 28 }, 18, DATES_STORED };
	static const struct rules mar1 = { { 2022, 3, 1 }, 18, DATES_STORED };
	static const struct check_case leap_before[] = { { "date_of_birth", "2004-02-29", -1, NULL } };
	static const struct check_case leap_after[] = { { "date_of_birth", "2004-02-29", 0,
							  "2004-02-29" } };
	run_checks(leap_before, 1, NULL, &feb28);
	run_checks(leap_after, 1, NULL, &mar1);

	/* The reason names the age limit. */
	char why[256], *value = NULL;
	assert_int_equal(question_check(Q("date_of_birth"), "2010-01-01", NULL, &RULES, &value, why,
					sizeof why),
			 -1);
	assert_non_null(strstr(why, "18"));
}

static void test_check_dates_against_birth(void **state)
{
	(void)state;
	static const char *const with_dob[] = { "date_of_birth=1990-05-01", NULL };
	struct answers so_far;
	static const struct check_case cases[] = {
		{ "rogaine_since", "1990-04-30", -1, NULL },
		{ "rogaine_since", "1985-01-01", -1, NULL },
		{ "rogaine_since", "1990-05-01", 0, "1990-05-01" },
		{ "rogaine_since", "2015-03-01", 0, "2015-03-01" },
		{ "gp_signoff_date", "1989-12-31", -1, NULL },
	};
	static const struct check_case no_dob[] = {
		{ "rogaine_since", "1985-01-01", 0, "1985-01-01" },
	};

	fill(&so_far, with_dob);
	run_checks(cases, N(cases), &so_far, &RULES);
	answers_clear(&so_far);
	fill(&so_far, NULL);
	run_checks(no_dob, N(no_dob), &so_far, &RULES);
	run_checks(no_dob, N(no_dob), NULL, &RULES);
}

static void test_check_reasons_never_repeat_answer(void **state)
{
	(void)state;
	/* Reasons end up on screens and in logs: never the (personal) value. */
	static const struct {
		const char *id, *input, *secret;
	} cases[] = {
		{ "email", "zelda.quux@@secret-clinic.example", "zelda" },
		{ "email", "zelda.quux", "zelda" },
		{ "phone", "07700 900123 ext zelda", "zelda" },
		{ "phone", "077009", "077009" }, /* 6 digits */
		{ "first_name", "Zelda\x1b[31m", "Zelda" },
		{ "date_of_birth", "2011-11-11", "2011-11-11" },
		{ "date_of_birth", "1911/11/11", "1911" },
		{ "rogaine_form", "zeldafoam", "zelda" },
		{ "uses_rogaine", "zelda", "zelda" },
	};

	for (size_t i = 0; i < N(cases); i++) {
		char why[256] = "", *value = NULL;
		if (question_check(Q(cases[i].id), cases[i].input, NULL, &RULES, &value, why,
				   sizeof why) == 0) {
			free(value);
			continue;
		}
		if (strstr(why, cases[i].secret))
			fail_msg("%s: reason \"%s\" repeats the answer", cases[i].id, why);
	}
}

/* ---- conditions ---- */

static void test_question_applies(void **state)
{
	(void)state;
	static const struct {
		const char *id;
		const char *const pairs[8];
		bool applies;
	} cases[] = {
		{ "first_name", { NULL }, true },
		{ "uses_rogaine", { NULL }, true },
		{ "rogaine_form", { NULL }, false },
		{ "rogaine_form", { "uses_rogaine=no" }, false },
		{ "rogaine_form", { "uses_rogaine=yes" }, true },
		{ "rogaine_since", { "uses_rogaine=yes" }, true },
		{ "propecia_form", { "uses_rogaine=yes" }, false },
		{ "propecia_form", { "uses_propecia=yes" }, true },
		{ "other_topical_products", { "uses_other_topical=yes" }, true },
		{ "other_topical_products", { "uses_other_topical=no" }, false },
		{ "other_medical_products", { "uses_other_medical=yes" }, true },
		{ "gp_discussed", { NULL }, false },
		{ "gp_discussed", { "uses_rogaine=no", "uses_propecia=no" }, false },
		{ "gp_discussed", { "uses_propecia=yes" }, true },
		{ "gp_discussed", { "uses_other_medical=yes" }, true },
		{ "gp_signoff", { "uses_rogaine=yes", "gp_discussed=no" }, false },
		{ "gp_signoff", { "uses_rogaine=yes", "gp_discussed=yes" }, true },
		/* An answer left over from before a treatment was taken back. */
		{ "gp_signoff", { "uses_rogaine=no", "gp_discussed=yes" }, false },
		{ "gp_name", { "uses_rogaine=yes", "gp_discussed=yes", "gp_signoff=obtained" }, true },
		{ "gp_name", { "uses_rogaine=yes", "gp_discussed=yes", "gp_signoff=pending" }, false },
		{ "gp_signoff_date",
		  { "uses_rogaine=yes", "gp_discussed=yes", "gp_signoff=obtained" }, true },
		{ "gp_name", { "uses_rogaine=yes", "gp_discussed=no", "gp_signoff=obtained" }, false },
		{ "gp_name", { "uses_rogaine=no", "gp_discussed=yes", "gp_signoff=obtained" }, false },
		{ "planned_session_date", { NULL }, true },
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct answers a;
		fill(&a, cases[i].pairs);
		if (question_applies(Q(cases[i].id), &a) != cases[i].applies)
			fail_msg("case %zu: '%s' %s", i, cases[i].id,
				 cases[i].applies ? "should apply" : "should not apply");
		answers_clear(&a);
	}
}

static void test_answers_prune(void **state)
{
	(void)state;
	static const char *const pairs[] = {
		"consent_storage=yes", "first_name=Ana", "last_name=Smith",
		"date_of_birth=1985-07-23", "uses_rogaine=yes", "rogaine_form=foam",
		"rogaine_since=2020-01-01", "uses_propecia=no", "uses_other_topical=no",
		"uses_other_medical=no", "gp_discussed=yes", "gp_signoff=obtained",
		"gp_name=Dr Who", "gp_signoff_date=2024-05-01", "wants_root_cause_help=no", NULL,
	};
	struct answers a;

	fill(&a, pairs);
	/* Everything applies: nothing is pruned. */
	answers_prune(&a);
	for (size_t i = 0; pairs[i]; i++) {
		char id[64];
		snprintf(id, sizeof id, "%.*s", (int)strcspn(pairs[i], "="), pairs[i]);
		assert_non_null(answers_get(&a, id));
	}
	/* Sign-off no longer obtained: the GP's name and date go. */
	assert_int_equal(answers_set(&a, "gp_signoff", "pending"), 0);
	answers_prune(&a);
	assert_null(answers_get(&a, "gp_name"));
	assert_null(answers_get(&a, "gp_signoff_date"));
	assert_string_equal(answers_get(&a, "gp_signoff"), "pending");

	/* No treatment at all: the whole chain goes, the rest stays. */
	assert_int_equal(answers_set(&a, "gp_signoff", "obtained"), 0);
	assert_int_equal(answers_set(&a, "gp_name", "Dr Who"), 0);
	assert_int_equal(answers_set(&a, "uses_rogaine", "no"), 0);
	answers_prune(&a);
	static const char *const gone[] = { "rogaine_form", "rogaine_since", "gp_discussed",
					    "gp_signoff", "gp_name", "gp_signoff_date" };
	for (size_t i = 0; i < N(gone); i++)
		if (answers_get(&a, gone[i]))
			fail_msg("'%s' should have been pruned", gone[i]);
	assert_string_equal(answers_get(&a, "uses_rogaine"), "no");
	assert_string_equal(answers_get(&a, "first_name"), "Ana");
	assert_string_equal(answers_get(&a, "date_of_birth"), "1985-07-23");
	assert_string_equal(answers_get(&a, "wants_root_cause_help"), "no");
	answers_clear(&a);
}

/* ---- derived facts ---- */

static void test_any_treatment_and_topical(void **state)
{
	(void)state;
	static const struct {
		const char *const pairs[6];
		bool treatment, topical;
	} cases[] = {
		{ { NULL }, false, false },
		{ { "uses_rogaine=no", "uses_propecia=no", "uses_other_topical=no",
		    "uses_other_medical=no" }, false, false },
		{ { "uses_rogaine=yes", "rogaine_form=foam" }, true, true },
		{ { "uses_rogaine=yes", "rogaine_form=solution" }, true, true },
		{ { "uses_rogaine=yes", "rogaine_form=other" }, true, true },
		{ { "uses_rogaine=yes", "rogaine_form=oral" }, true, false },
		{ { "uses_propecia=yes", "propecia_form=tablet" }, true, false },
		{ { "uses_propecia=yes", "propecia_form=topical" }, true, true },
		{ { "uses_rogaine=yes", "rogaine_form=oral", "uses_propecia=yes",
		    "propecia_form=tablet" }, true, false },
		{ { "uses_rogaine=yes", "rogaine_form=oral", "uses_propecia=yes",
		    "propecia_form=topical" }, true, true },
		{ { "uses_other_topical=yes", "other_topical_products=Nizoral" }, true, true },
		{ { "uses_other_medical=yes", "other_medical_products=Dutasteride" }, true, false },
		/* Leftover forms of a treatment answered no do not count. */
		{ { "uses_rogaine=no", "rogaine_form=foam" }, false, false },
		{ { "uses_propecia=no", "propecia_form=topical" }, false, false },
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct answers a;
		fill(&a, cases[i].pairs);
		if (answers_any_treatment(&a) != cases[i].treatment)
			fail_msg("case %zu: any_treatment should be %d", i, cases[i].treatment);
		if (answers_any_topical(&a) != cases[i].topical)
			fail_msg("case %zu: any_topical should be %d", i, cases[i].topical);
		answers_clear(&a);
	}
}

static void test_signoff_status(void **state)
{
	(void)state;
	static const struct {
		const char *const pairs[6];
		const char *status;
	} cases[] = {
		{ { NULL }, "not_required" },
		{ { "uses_rogaine=no", "uses_propecia=no" }, "not_required" },
		{ { "uses_rogaine=no", "gp_signoff=declined" }, "not_required" },
		{ { "uses_rogaine=yes" }, "pending" },
		{ { "uses_rogaine=yes", "gp_discussed=no" }, "pending" },
		{ { "uses_propecia=yes", "gp_discussed=yes", "gp_signoff=pending" }, "pending" },
		{ { "uses_propecia=yes", "gp_discussed=yes", "gp_signoff=obtained" }, "obtained" },
		{ { "uses_other_medical=yes", "gp_discussed=yes", "gp_signoff=declined" }, "declined" },
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct answers a;
		fill(&a, cases[i].pairs);
		assert_string_equal(answers_signoff_status(&a), cases[i].status);
		answers_clear(&a);
	}
}

/* Several choices: each one checked like a single choice, stored once
 * each in the order of choices[], "none" alone. */
static void test_check_several_choices(void **state)
{
	static const struct check_case cases[] = {
		{ "scalp_conditions", "none", 0, "none" },
		{ "scalp_conditions", "NONE", 0, "none" },
		{ "scalp_conditions", "psoriasis", 0, "psoriasis" },
		{ "scalp_conditions", "sunburn, pso", 0, "psoriasis,sunburn" },
		{ "scalp_conditions", " other ,eczema,, other", 0, "eczema,other" },
		{ "scalp_conditions", "f,i,su", 0, "folliculitis,infection,sunburn" },
		{ "scalp_conditions", "none, other", -1, NULL },
		{ "scalp_conditions", "psoriasis, acne", -1, NULL },
		{ "scalp_conditions", "s", 0, "sunburn" }, /* the only choice starting with s */
		{ "scalp_conditions", ",", -1, NULL },
		{ "scalp_conditions", "", -1, NULL },
		{ "pregnant_or_breastfeeding", "not", 0, "not_applicable" },
		{ "pregnant_or_breastfeeding", "n", -1, NULL },
		{ "pregnant_or_breastfeeding", "no", 0, "no" },
		{ "pregnant_or_breastfeeding", "yes, no", -1, NULL },
	};
	char why[256], *value;

	(void)state;
	run_checks(cases, N(cases), NULL, &RULES);
	assert_int_equal(question_check(Q("scalp_conditions"), "none, other", NULL, &RULES, &value, why,
					sizeof why), -1);
	assert_string_equal(why, "none cannot be given together with another choice");
	assert_int_equal(question_check(Q("scalp_conditions"), "acne", NULL, &RULES, &value, why,
					sizeof why), -1);
	assert_non_null(strstr(why, "separated by commas"));
}

/* The screening questions never take an answer from an empty line. */
static void test_screening_has_no_defaults(void **state)
{
	static const char *const ids[] = { "scalp_conditions", "keloid_history", "blood_thinners",
					   "allergies", "pregnant_or_breastfeeding" };
	char why[256], *value;

	(void)state;
	for (size_t i = 0; i < N(ids); i++) {
		assert_null(Q(ids[i])->def);
		assert_true(Q(ids[i])->required);
		assert_int_equal(question_check(Q(ids[i]), "", NULL, &RULES, &value, why, sizeof why),
				 -1);
		assert_string_equal(why, "an answer is required");
	}
	assert_false(Q("other_medication")->required);
}

static void test_includes_and_details(void **state)
{
	struct answers a = { { NULL } };

	(void)state;
	assert_true(answers_includes("psoriasis,other", "other"));
	assert_true(answers_includes("other", "other"));
	assert_false(answers_includes("otherwise", "other"));
	assert_false(answers_includes("psoriasis", "other"));
	assert_false(answers_includes(NULL, "other"));
	assert_false(question_applies(Q("scalp_conditions_detail"), &a));
	assert_int_equal(answers_set(&a, "scalp_conditions", "eczema,other"), 0);
	assert_true(question_applies(Q("scalp_conditions_detail"), &a));
	assert_int_equal(answers_set(&a, "scalp_conditions", "eczema"), 0);
	assert_false(question_applies(Q("scalp_conditions_detail"), &a));
	assert_int_equal(answers_set(&a, "allergies", "yes"), 0);
	assert_true(question_applies(Q("allergies_detail"), &a));
	assert_false(question_applies(Q("blood_thinners_detail"), &a));
	answers_clear(&a);
}

/* A stored answer of several choices splits into q's own choice texts,
 * in choices[] order; anything else is no such list (0). */
static void test_answers_split(void **state)
{
	const struct question *q = Q("scalp_conditions");
	const char *picked[QUESTION_CHOICES_MAX];

	(void)state;
	assert_int_equal(answers_split(q, "psoriasis,other", picked), 2);
	assert_ptr_equal(picked[0], q->choices[1]);
	assert_ptr_equal(picked[1], q->choices[6]);
	assert_int_equal(answers_split(q, "none", picked), 1);
	assert_ptr_equal(picked[0], q->choices[0]);
	assert_int_equal(answers_split(q, "psoriasis,bogus", picked), 0);
	assert_int_equal(answers_split(q, "psoriasis,", picked), 0);
	assert_int_equal(answers_split(q, "", picked), 0);
}

/* The assessment (2026.4): the scales' stable codes, a treatment type,
 * the optional hairline style, and the photo consents, which Enter never
 * answers and of which marketing is asked only when photos may be kept. */
static void test_assessment_questions(void **state)
{
	static const struct check_case cases[] = {
		{ "hair_loss_scale", "norwood_1", 0, "norwood_1" },
		{ "hair_loss_scale", "NORWOOD_7", 0, "norwood_7" },
		{ "hair_loss_scale", "ludwig_3", 0, "ludwig_3" },
		{ "hair_loss_scale", "not", 0, "not_applicable" },
		{ "hair_loss_scale", "ot", 0, "other" },
		{ "hair_loss_scale", "norwood", -1, NULL }, /* which one? */
		{ "hair_loss_scale", "norwood_8", -1, NULL },
		{ "hair_loss_scale", "ludwig_4", -1, NULL },
		{ "hair_loss_scale", "", -1, NULL },
		{ "treatment_type", "full_head", 0, "full_head" },
		{ "treatment_type", "d", 0, "density" },
		{ "treatment_type", "scar", 0, "scar_camouflage" },
		{ "treatment_type", "alopecia_areata", 0, "alopecia_areata" },
		{ "treatment_type", "other", 0, "other" },
		{ "treatment_type", "full_head,density", -1, NULL }, /* one of them */
		{ "treatment_type", "", -1, NULL },
		{ "hairline_style", "", 0, NULL },
		{ "hairline_style", "soft, slightly receded", 0, "soft, slightly receded" },
		{ "hairline_style", "a\x1b[31m", -1, NULL },
		{ "consent_photos", "y", 0, "yes" },
		{ "consent_photos", "No", 0, "no" },
		{ "consent_photos", "", -1, NULL },
		{ "consent_marketing", "n", 0, "no" },
		{ "consent_marketing", "", -1, NULL },
	};
	static const char *const scale[] = { "norwood_1", "norwood_2", "norwood_3", "norwood_4",
					     "norwood_5", "norwood_6", "norwood_7", "ludwig_1",
					     "ludwig_2", "ludwig_3", "other", "not_applicable", NULL };
	struct answers a = { { NULL } };
	char why[256], *value = NULL;

	(void)state;
	run_checks(cases, N(cases), NULL, &RULES);
	/* The codes are stored and exported: these, in this order, for good. */
	for (size_t i = 0; i < N(scale); i++) {
		if (!scale[i])
			assert_null(Q("hair_loss_scale")->choices[i]);
		else
			assert_string_equal(Q("hair_loss_scale")->choices[i], scale[i]);
	}
	/* The whole list fits the one-line reason. */
	assert_int_equal(question_check(Q("hair_loss_scale"), "x", NULL, &RULES, &value, why,
					sizeof why),
			 -1);
	assert_non_null(strstr(why, "norwood_1"));
	assert_non_null(strstr(why, "not_applicable"));
	assert_null(Q("consent_photos")->def);
	assert_null(Q("consent_marketing")->def);
	assert_false(Q("hairline_style")->required);
	assert_false(question_applies(Q("consent_marketing"), &a));
	assert_int_equal(answers_set(&a, "consent_photos", "no"), 0);
	assert_false(question_applies(Q("consent_marketing"), &a));
	assert_int_equal(answers_set(&a, "consent_photos", "yes"), 0);
	assert_true(question_applies(Q("consent_marketing"), &a));
	/* An intake of 2026.3 was not asked them; one of 2026.4 was. */
	for (size_t i = 0; i < 5; i++) {
		static const char *const ids[] = { "hair_loss_scale", "treatment_type",
						   "hairline_style", "consent_photos",
						   "consent_marketing" };
		assert_false(question_asked_in(Q(ids[i]), "2026.3"));
		assert_true(question_asked_in(Q(ids[i]), "2026.4"));
	}
	answers_clear(&a);
}

/* Every version is known, in order; an older intake shows the label it
 * was asked with and is not asked what came later. */
static void test_versions(void **state)
{
	(void)state;
	assert_true(questionnaire_version_known("2026.1"));
	assert_true(questionnaire_version_known(QUESTIONNAIRE_VERSION));
	assert_true(questionnaire_version_known(ADVICE_VERSION));
	assert_false(questionnaire_version_known("2027.1"));
	assert_false(questionnaire_version_known(""));
	assert_false(questionnaire_version_known(NULL));
	assert_string_equal(questionnaire_versions[0], "2026.1");
	for (size_t i = 0; questionnaire_versions[i]; i++)
		if (!questionnaire_versions[i + 1])
			assert_string_equal(questionnaire_versions[i], QUESTIONNAIRE_VERSION);
	assert_string_equal(question_label_at(Q("uses_other_medical"), "2026.1"),
			    "Other medical treatment");
	assert_string_equal(question_label_at(Q("uses_other_medical"), "2026.2"),
			    Q("uses_other_medical")->label);
	assert_string_equal(question_label_at(Q("uses_other_medical"), "9999.9"),
			    Q("uses_other_medical")->label);
	assert_string_equal(question_label_at(Q("first_name"), "2026.1"), "First name");
	assert_false(question_asked_in(Q("keloid_history"), "2026.1"));
	assert_true(question_asked_in(Q("keloid_history"), "2026.2"));
	assert_true(question_asked_in(Q("uses_rogaine"), "2026.1"));
	assert_string_equal(QUESTIONNAIRE_VERSION, "2026.4");
	assert_true(questionnaire_version_known("2026.3"));
	/* Every question is asked in the current version. */
	for (size_t i = 0; i < questionnaire_count; i++)
		assert_true(question_asked_in(&questionnaire[i], QUESTIONNAIRE_VERSION));
}

/* Summaries and `show` align answers after QUESTION_LABEL_COLS: every
 * label, of this version and of the older ones, fits. */
static void test_labels_fit_their_column(void **state)
{
	(void)state;
	for (size_t i = 0; i < questionnaire_count; i++)
		for (size_t v = 0; questionnaire_versions[v]; v++)
			assert_true(strlen(question_label_at(&questionnaire[i],
							     questionnaire_versions[v])) <=
				    QUESTION_LABEL_COLS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_ids_unique_and_indexed),
		cmocka_unit_test(test_table_conditions_name_earlier_questions),
		cmocka_unit_test(test_table_defaults_are_valid),
		cmocka_unit_test(test_table_shape),
		cmocka_unit_test(test_answers_get_set_clear),
		cmocka_unit_test(test_check_yesno),
		cmocka_unit_test(test_check_choice),
		cmocka_unit_test(test_check_choice_in_every_locale),
		cmocka_unit_test(test_assessment_questions),
		cmocka_unit_test(test_check_email),
		cmocka_unit_test(test_check_phone),
		cmocka_unit_test(test_check_names),
		cmocka_unit_test(test_check_free_text),
		cmocka_unit_test(test_check_invalid_utf8_and_huge_input),
		cmocka_unit_test(test_check_dates),
		cmocka_unit_test(test_check_planned_session_exactly_two_years),
		cmocka_unit_test(test_check_birth_rules),
		cmocka_unit_test(test_check_dates_against_birth),
		cmocka_unit_test(test_check_reasons_never_repeat_answer),
		cmocka_unit_test(test_question_applies),
		cmocka_unit_test(test_check_several_choices),
		cmocka_unit_test(test_screening_has_no_defaults),
		cmocka_unit_test(test_includes_and_details),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_answers_prune),
		cmocka_unit_test(test_any_treatment_and_topical),
		cmocka_unit_test(test_signoff_status),
		cmocka_unit_test(test_labels_fit_their_column),
		cmocka_unit_test(test_answers_split),
	};
	return cmocka_run_group_tests_name("questionnaire", tests, NULL, NULL);
}
