/* test_db_access.c - unit tests for db_access.c: rows appended alone and
 * inside a caller's transaction, read back oldest first, filtered by day
 * and by a client id inside the ranges.  Each test works in a temporary
 * folder of its own. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int setup(void **state)
{
	return fixture_make(state, NULL, "access", "intake.db");
}

static int teardown(void **state)
{
	return fixture_remove(state);
}

/* What a walk saw: the ids in order, and the fields of the last row. */
struct seen {
	long long id[16];
	size_t n;
	char at[32], staff[32], command[16], clients[64];
	size_t stop_after; /* 0: never */
};

static int note(const struct access_entry *e, void *arg)
{
	struct seen *s = arg;

	assert_true(s->n < N(s->id));
	s->id[s->n++] = e->id;
	snprintf(s->at, sizeof s->at, "%s", e->at);
	snprintf(s->staff, sizeof s->staff, "%s", e->staff);
	snprintf(s->command, sizeof s->command, "%s", e->command);
	snprintf(s->clients, sizeof s->clients, "%s", e->clients);
	return s->stop_after && s->n == s->stop_after ? 7 : 0;
}

/* The ids of the rows q selects, as "1,2,3". */
static const char *ids(struct db *db, long long client, const char *since)
{
	static char out[128];
	struct access_query q = { client, since };
	struct seen s = { 0 };
	size_t at = 0;

	assert_int_equal(db_each_access(db, &q, note, &s), 0);
	out[0] = '\0';
	for (size_t i = 0; i < s.n; i++)
		at += (size_t)snprintf(out + at, sizeof out - at, "%s%lld", i ? "," : "", s.id[i]);
	return out;
}

static void add(struct db *db, const char *at, const char *command, const char *clients)
{
	struct access_entry e = { 0, at, "Dana Staff", command, clients };

	assert_int_equal(db_access_add(db, &e), 0);
}

static void test_rows_in_order_with_their_fields(void **state)
{
	struct fixture *f = *state;
	struct db *db = db_open(f->path);
	struct access_query all = { 0, NULL };
	struct seen s = { 0 };

	assert_non_null(db);
	assert_string_equal(ids(db, 0, NULL), "");
	add(db, "2026-02-28T23:59:59Z", "show", "4");
	add(db, "2026-03-01T00:00:00Z", "export", "1-3,7");
	add(db, "2026-03-02T10:00:00Z", "export", "");
	add(db, "2026-03-02T11:00:00Z", "erase", "7");
	assert_int_equal(db_each_access(db, &all, note, &s), 0);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.id[0], 1);
	assert_int_equal(s.id[3], 4);
	assert_string_equal(s.at, "2026-03-02T11:00:00Z");
	assert_string_equal(s.staff, "Dana Staff");
	assert_string_equal(s.command, "erase");
	assert_string_equal(s.clients, "7");
	/* fn's first non-zero result stops the walk and is returned. */
	memset(&s, 0, sizeof s);
	s.stop_after = 2;
	assert_int_equal(db_each_access(db, &all, note, &s), 7);
	assert_int_equal(s.n, 2);
	db_close(db);
}

static void test_since_and_client_filters(void **state)
{
	struct fixture *f = *state;
	struct db *db = db_open(f->path);

	assert_non_null(db);
	add(db, "2026-02-28T23:59:59Z", "show", "4");
	add(db, "2026-03-01T00:00:00Z", "export", "1-3,7");
	add(db, "2026-03-02T10:00:00Z", "export", "");
	add(db, "2026-03-02T11:00:00Z", "erase", "7");
	/* since: the whole day, from its first second (UTC). */
	assert_string_equal(ids(db, 0, "2026-03-01"), "2,3,4");
	assert_string_equal(ids(db, 0, "2026-02-28"), "1,2,3,4");
	assert_string_equal(ids(db, 0, "2026-03-02"), "3,4");
	assert_string_equal(ids(db, 0, "2026-03-03"), "");
	/* client: inside a range, at its ends, outside it. */
	assert_string_equal(ids(db, 2, NULL), "2");
	assert_string_equal(ids(db, 1, NULL), "2");
	assert_string_equal(ids(db, 3, NULL), "2");
	assert_string_equal(ids(db, 7, NULL), "2,4");
	assert_string_equal(ids(db, 4, NULL), "1");
	assert_string_equal(ids(db, 5, NULL), "");
	assert_string_equal(ids(db, 8, NULL), "");
	/* both */
	assert_string_equal(ids(db, 7, "2026-03-02"), "4");
	assert_string_equal(ids(db, 4, "2026-03-01"), "");
	db_close(db);
}

/* Another program's row whose clients cannot be read is shown under any
 * client filter, not hidden. */
static void test_unreadable_clients_are_shown(void **state)
{
	struct fixture *f = *state;
	struct db *db = db_open(f->path);

	assert_non_null(db);
	add(db, "2026-03-01T00:00:00Z", "show", "4");
	add(db, "2026-03-01T00:00:01Z", "show", "4, 5");
	add(db, "2026-03-01T00:00:02Z", "show", "5");
	assert_string_equal(ids(db, 5, NULL), "2,3");
	assert_string_equal(ids(db, 9, NULL), "2");
	db_close(db);
}

static void test_inside_a_write_transaction(void **state)
{
	struct fixture *f = *state;
	struct db *db = db_open(f->path);

	assert_non_null(db);
	assert_int_equal(db_begin_write(db), 0);
	add(db, "2026-03-01T00:00:00Z", "erase", "1");
	db_rollback(db);
	assert_string_equal(ids(db, 0, NULL), "");
	assert_int_equal(db_begin_write(db), 0);
	add(db, "2026-03-01T00:00:00Z", "erase", "1");
	add(db, "2026-03-01T00:00:00Z", "erase", "2");
	assert_int_equal(db_commit(db), 0);
	assert_string_equal(ids(db, 0, NULL), "1,2");
	db_close(db);
}

/* The schema keeps the commands to the four that log, and the rows as
 * written; a refused row is reported and leaves nothing. */
static void test_refused_rows_and_fixed_rows(void **state)
{
	struct fixture *f = *state;
	struct db *db = db_open(f->path);
	struct access_entry list = { 0, "2026-03-01T00:00:00Z", "Dana Staff", "list", "1" };
	struct access_entry no_staff = { 0, "2026-03-01T00:00:00Z", NULL, "show", "1" };
	sqlite3 *h = NULL;

	assert_non_null(db);
	assert_int_equal(db_access_add(db, &list), -1);
	assert_int_equal(db_access_add(db, &no_staff), -1);
	add(db, "2026-03-01T00:00:00Z", "advice", "3");
	db_close(db);
	assert_int_equal(sqlite3_open(f->path, &h), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(h, "UPDATE access_log SET clients = ''", NULL, NULL, NULL),
			     SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(h, "DELETE FROM access_log", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	db = db_open(f->path);
	assert_non_null(db);
	assert_string_equal(ids(db, 3, NULL), "1");
	db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rows_in_order_with_their_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_since_and_client_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_clients_are_shown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inside_a_write_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_rows_and_fixed_rows, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
