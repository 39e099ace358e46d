/* test_session.c - unit tests for a session's answers and session_check()
 * (session.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "session.h"

static const struct date today = { 2026, 12, 4 };

/* A session that passes every check. */
static void good(struct session *s)
{
	memset(s, 0, sizeof *s);
	s->number = 1;
	s->performed_on = strdup("2026-12-04");
	s->artist = strdup("Kim Artist");
	s->areas = strdup("frontal,crown");
	s->lot = strdup("LOT-1");
	s->lot_expiry = strdup("2026-12");
	s->rescreen = strdup("unchanged");
	s->id_checked = strdup("passport");
	s->countersigned = strdup("kim artist");
}

static char *read1(const char *id, const char *input, bool typed, char *why)
{
	char *v = NULL;
	if (session_read_answer(session_field_find(id), input, typed, DATE_FORM_DMY, today, &v,
				why, 200) < 0)
		return NULL;
	return v;
}

static void test_areas_in_stored_order(void **state)
{
	char why[200], *v;

	(void)state;
	assert_non_null(v = read1("areas", " Crown, mid-scalp ,frontal", true, why));
	assert_string_equal(v, "frontal,mid_scalp,crown");
	free(v);
	assert_null(read1("areas", "crown,top", true, why));
	assert_non_null(strstr(why, "areas"));
	assert_null(read1("areas", "crown,crown", true, why));
	assert_null(read1("areas", "Crown", false, why)); /* a file holds the codes */
	assert_null(read1("areas", "", true, why));
}

static void test_dates_and_kinds(void **state)
{
	char why[200], *v;

	(void)state;
	assert_non_null(v = read1("performed_on", "today", true, why));
	assert_string_equal(v, "2026-12-04");
	free(v);
	assert_non_null(v = read1("performed_on", "03/12/2026", true, why));
	assert_string_equal(v, "2026-12-03");
	free(v);
	assert_null(read1("performed_on", "2026-02-30", false, why));
	assert_non_null(v = read1("lot_expiry", "2027-02", false, why));
	assert_string_equal(v, "2027-02");
	free(v);
	assert_non_null(v = read1("id_checked", "Driving licence", true, why));
	assert_string_equal(v, "driving_licence");
	free(v);
	assert_null(read1("id_checked", "AB123456", true, why));
	assert_non_null(v = read1("patch_test", "y", true, why));
	assert_string_equal(v, "yes");
	free(v);
	assert_null(read1("session_number", "0", true, why));
	assert_null(read1("artist", "Kim\x1b[2J", true, why));
	assert_non_null(strstr(why, "control"));
}

static void test_check(void **state)
{
	struct settings st = SETTINGS_DEFAULT;
	struct answers client = { { NULL } };
	struct session s;
	char why[200];

	(void)state;
	good(&s);
	assert_int_equal(session_check(&s, NULL, &st, today, why, sizeof why), 0);
	/* the month's last day is the expiry */
	free(s.lot_expiry);
	s.lot_expiry = strdup("2026-11");
	assert_int_equal(session_check(&s, NULL, &st, today, why, sizeof why), -1);
	assert_non_null(strstr(why, "an expired lot is refused"));
	free(s.lot_expiry);
	s.lot_expiry = strdup("2026-12-03");
	assert_int_equal(session_check(&s, NULL, &st, today, why, sizeof why), -1);
	free(s.lot_expiry);
	s.lot_expiry = NULL;
	free(s.performed_on);
	s.performed_on = strdup("2026-12-05");
	assert_int_equal(session_check(&s, NULL, &st, today, why, sizeof why), -1);
	assert_non_null(strstr(why, "future"));
	free(s.performed_on);
	s.performed_on = strdup("2026-12-04");
	free(s.areas);
	s.areas = strdup("crown,frontal"); /* not the stored order */
	assert_int_equal(session_check(&s, NULL, &st, today, why, sizeof why), -1);
	free(s.areas);
	s.areas = strdup("crown");
	free(s.countersigned);
	s.countersigned = strdup("Someone Else");
	assert_int_equal(session_check(&s, NULL, &st, today, why, sizeof why), -1);
	assert_non_null(strstr(why, "countersigned"));
	free(s.countersigned);
	s.countersigned = strdup("Kim Artist");
	s.reaction = strdup("mild");
	assert_int_equal(session_check(&s, NULL, &st, today, why, sizeof why), -1);
	s.patch_test = true;
	assert_int_equal(session_check(&s, NULL, &st, today, why, sizeof why), 0);
	/* the client's age on the session's day, and their name */
	answers_set(&client, "first_name", "Ana");
	answers_set(&client, "last_name", "Silva");
	answers_set(&client, "date_of_birth", "2008-12-05");
	assert_int_equal(session_check(&s, &client, &st, today, why, sizeof why), -1);
	assert_non_null(strstr(why, "under 18"));
	answers_set(&client, "date_of_birth", "2008-12-04");
	assert_int_equal(session_check(&s, &client, &st, today, why, sizeof why), 0);
	s.client_ack = strdup("Ana Sylva");
	assert_int_equal(session_check(&s, &client, &st, today, why, sizeof why), -1);
	free(s.client_ack);
	s.client_ack = strdup("ana  silva");
	assert_int_equal(session_check(&s, &client, &st, today, why, sizeof why), 0);
	answers_clear(&client);
	session_clear(&s);
}

static void test_areas_as_people_read_them(void **state)
{
	char *shown = session_areas_shown("hairline,mid_scalp,crown");

	(void)state;
	assert_non_null(shown);
	assert_string_equal(shown, "hairline, mid-scalp, crown");
	free(shown);
	shown = session_areas_shown("");
	assert_string_equal(shown, "");
	free(shown);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_areas_in_stored_order),
		cmocka_unit_test(test_areas_as_people_read_them),
		cmocka_unit_test(test_dates_and_kinds),
		cmocka_unit_test(test_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
