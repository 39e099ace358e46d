/* test_db.c - unit tests for storage (db*.c): creating, refusing and migrating files,
 * saving and reading intakes, and finding clients.  Each test works in a
 * temporary folder of its own. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "schema.h"
#include "uuid.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int setup(void **state)
{
	/* Files the tests make (fopen, sqlite3_open) stand in for the
	 * program's own, private ones: db_open refuses others. */
	umask(077);
	return fixture_make(state, NULL, "db", "intake.db");
}

static int teardown(void **state)
{
	return fixture_remove(state);
}
/* The whole file, allocated; *len set. */
static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf;
	long n;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n >= 0);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

/* db_open refuses path, leaving the file byte for byte as it was and
 * creating nothing beside it. */
static void expect_refused_untouched(const char *dir, const char *path)
{
	size_t before_len, after_len;
	unsigned char *before = slurp(path, &before_len), *after;
	int n = entries(dir);
	struct db *db = db_open(path);

	if (db) {
		db_close(db);
		free(before);
		fail_msg("'%s' was opened", path);
	}
	after = slurp(path, &after_len);
	assert_int_equal(after_len, before_len);
	assert_memory_equal(after, before, before_len);
	assert_int_equal(entries(dir), n);
	free(before);
	free(after);
}

/* Runs sql on path through SQLite directly (another program). */
static void raw_sql(const char *path, const char *sql)
{
	sqlite3 *h = NULL;
	char *err = NULL;

	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	if (sqlite3_exec(h, sql, NULL, NULL, &err) != SQLITE_OK) {
		char msg[256];
		snprintf(msg, sizeof msg, "%s", err ? err : "?");
		sqlite3_free(err);
		sqlite3_close(h);
		fail_msg("raw sql failed: %s", msg);
	}
	assert_int_equal(sqlite3_close(h), SQLITE_OK);
}

/* An intake for first last born dob, with its advice, ready to save. */
static void make_intake(struct intake *in, const char *first, const char *last, const char *dob,
			const char *const *more)
{
	static const struct settings s = SETTINGS_DEFAULT;

	memset(in, 0, sizeof *in);
	fill(&in->answers, more);
	assert_int_equal(uuid_v4(in->uuid), 0);
	in->taken_at = strdup("2024-06-15T10:30:00Z");
	in->staff = strdup("Mia");
	assert_non_null(in->taken_at);
	assert_non_null(in->staff);
	assert_int_equal(answers_set(&in->answers, "consent_storage", "yes"), 0);
	assert_int_equal(answers_set(&in->answers, "first_name", first), 0);
	assert_int_equal(answers_set(&in->answers, "last_name", last), 0);
	assert_int_equal(answers_set(&in->answers, "date_of_birth", dob), 0);
	assert_int_equal(advice_for_answers(&in->answers, &s, &in->advice), 0);
}

/* Saves a simple intake; returns its id (client id in *client when given). */
static long long save(struct db *db, const char *first, const char *last, const char *dob,
		      long long *client)
{
	struct intake in;
	long long id;

	make_intake(&in, first, last, dob, NULL);
	assert_int_equal(db_save_intake(db, &in), 0);
	assert_true(in.id > 0);
	assert_true(in.client_id > 0);
	id = in.id;
	if (client)
		*client = in.client_id;
	intake_clear(&in);
	return id;
}

/* ---- opening ---- */

static void test_open_creates_private_file(void **state)
{
	struct fixture *f = *state;
	struct stat st;
	char wal[160];
	mode_t old = umask(0); /* so that only the code can make it private */
	struct db *db = db_open(f->path);

	umask(old);
	assert_non_null(db);
	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	/* The write-ahead log holds the same data: it must be as private. */
	save(db, "Ana", "Smith", "1985-07-23", NULL);
	snprintf(wal, sizeof wal, "%s-wal", f->path);
	if (stat(wal, &st) == 0)
		assert_int_equal(st.st_mode & 0777, 0600);
	db_close(db);

	/* Reopening works and keeps what was saved. */
	db = db_open(f->path);
	assert_non_null(db);
	struct intake in;
	assert_int_equal(db_load_intake(db, 1, &in), DB_OK);
	assert_string_equal(answers_get(&in.answers, "first_name"), "Ana");
	intake_clear(&in);
	db_close(db);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	/* An existing file is ours: it is marked with our application id. */
	sqlite3 *h;
	sqlite3_stmt *q;
	assert_int_equal(sqlite3_open_v2(f->path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA application_id", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(q, 0), DB_APPLICATION_ID);
	sqlite3_finalize(q);
	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(q, 0), schema_migration_count);
	sqlite3_finalize(q);
	sqlite3_close(h);
}

static void test_open_empty_file(void **state)
{
	struct fixture *f = *state;
	FILE *fp = fopen(f->path, "w"); /* as touch(1) leaves it */
	struct settings s;

	assert_non_null(fp);
	fclose(fp);
	struct db *db = db_open(f->path);
	assert_non_null(db);
	assert_int_equal(db_settings(db, &s), 0);
	assert_int_equal(s.minimum_age, 18);
	assert_int_equal(s.course_sessions, 3);
	assert_int_equal(s.course_interval_days, 14);
	assert_int_equal(s.touch_up_years, 3);
	assert_int_equal(s.retention_years, 0); /* not set: no default pretends to be law */
	assert_int_equal(s.photo_max_mb, 10);
	db_close(db);
}

/* A file others may read or write, and one in a folder others may write
 * (not sticky), is refused and left as it was; chmod mends both. */
static void test_open_refuses_what_others_can_reach(void **state)
{
	struct fixture *f = *state;
	struct db *db = db_open(f->path);

	assert_non_null(db);
	db_close(db);
	assert_int_equal(chmod(f->path, 0644), 0);
	expect_refused_untouched(f->dir, f->path);
	assert_int_equal(chmod(f->path, 0600), 0);
	assert_int_equal(chmod(f->dir, 0777), 0);
	expect_refused_untouched(f->dir, f->path);
	assert_int_equal(chmod(f->dir, 01777), 0);
	assert_non_null(db = db_open(f->path));
	db_close(db);
	assert_int_equal(chmod(f->dir, 0700), 0);
}

static void test_open_missing_folder_fails(void **state)
{
	struct fixture *f = *state;
	char path[200];

	snprintf(path, sizeof path, "%s/no/such/folder/intake.db", f->dir);
	assert_null(db_open(path));
	assert_int_equal(entries(f->dir), 0);
}

static void test_settings_defaults(void **state)
{
	struct fixture *f = *state;
	struct db *db = db_open(f->path);
	struct settings s = { -1, -1, -1, "x", true, DATE_FORM_MDY, -1, -1, -1, -1, -1, -1, true };

	assert_non_null(db);
	assert_int_equal(db_settings(db, &s), 0);
	assert_int_equal(s.pause_days_before, 7);
	assert_int_equal(s.pause_days_after, 7);
	assert_int_equal(s.minimum_age, 18);
	assert_false(s.allow_insecure_server);
	db_close(db);

	/* A studio's own policy is read back. */
	raw_sql(f->path, "UPDATE setting SET value = '10' WHERE key = 'pause_days_before';"
			 "UPDATE setting SET value = '21' WHERE key = 'minimum_age'");
	db = db_open(f->path);
	assert_non_null(db);
	assert_int_equal(db_settings(db, &s), 0);
	assert_int_equal(s.pause_days_before, 10);
	assert_int_equal(s.pause_days_after, 7);
	assert_int_equal(s.minimum_age, 21);
	db_close(db);
}

static void test_refuses_not_sqlite(void **state)
{
	struct fixture *f = *state;
	static const char *const contents[] = {
		"name,dob\nAna,1985-07-23\n", /* short */
		"This is a text file that is long enough to fill the 100-byte SQLite header and "
		"then some more, but it is not a database at all.\n",
	};

	for (size_t i = 0; i < N(contents); i++) {
		FILE *fp = fopen(f->path, "w");
		assert_non_null(fp);
		assert_true(fputs(contents[i], fp) >= 0);
		assert_int_equal(fclose(fp), 0);
		expect_refused_untouched(f->dir, f->path);
	}
}

static void test_refuses_other_programs_sqlite(void **state)
{
	struct fixture *f = *state;

	raw_sql(f->path, "CREATE TABLE contacts (name TEXT, phone TEXT);"
			 "INSERT INTO contacts VALUES ('Ana', '123')");
	expect_refused_untouched(f->dir, f->path);
	unlink(f->path);

	/* Another application id, even without tables. */
	raw_sql(f->path, "PRAGMA application_id = 1234567; PRAGMA user_version = 1");
	expect_refused_untouched(f->dir, f->path);
}

static void test_refuses_newer_schema(void **state)
{
	struct fixture *f = *state;
	char sql[64];
	struct db *db = db_open(f->path);

	assert_non_null(db);
	db_close(db);
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", schema_migration_count + 1);
	raw_sql(f->path, sql);
	expect_refused_untouched(f->dir, f->path);

	/* The version it knows is fine again. */
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", schema_migration_count);
	raw_sql(f->path, sql);
	db = db_open(f->path);
	assert_non_null(db);
	db_close(db);
}

/* ---- saving and loading ---- */

static void test_save_load_round_trip(void **state)
{
	struct fixture *f = *state;
	static const char *const more[] = {
		"phone=+44 20 7946 0958", "hair_loss_notes=crown\nand temples \"since 2019\"",
		"uses_rogaine=yes", "rogaine_form=foam", "rogaine_since=2021-03-01",
		"uses_propecia=no", "uses_other_topical=yes", "other_topical_products=Nizoral",
		"uses_other_medical=no", "gp_discussed=yes", "gp_signoff=obtained",
		"gp_name=Dr Amara Okafor", "gp_signoff_date=2024-05-02",
		"wants_root_cause_help=yes", "planned_session_date=2024-07-01", NULL,
	};
	struct db *db = db_open(f->path);
	struct intake in, back;

	assert_non_null(db);
	make_intake(&in, "Jos\xc3\xa9", "O'Brien", "1985-07-23", more);
	assert_true(in.advice.count >= 5);
	assert_int_equal(db_save_intake(db, &in), 0);
	assert_int_equal(in.id, 1);
	assert_int_equal(in.client_id, 1);

	assert_int_equal(db_load_intake(db, in.id, &back), DB_OK);
	assert_int_equal(back.id, in.id);
	assert_int_equal(back.client_id, in.client_id);
	assert_string_equal(back.uuid, in.uuid);
	assert_string_equal(back.taken_at, "2024-06-15T10:30:00Z");
	assert_string_equal(back.staff, "Mia");
	for (size_t i = 0; i < questionnaire_count; i++) {
		const char *want = in.answers.value[i], *got = back.answers.value[i];
		if (!want != !got || (want && strcmp(want, got) != 0))
			fail_msg("answer '%s' did not come back", questionnaire[i].id);
	}
	assert_null(answers_get(&back.answers, "email"));
	assert_int_equal(back.advice.count, in.advice.count);
	for (size_t i = 0; i < in.advice.count; i++) {
		assert_string_equal(back.advice.item[i].id, in.advice.item[i].id);
		assert_string_equal(back.advice.item[i].text, in.advice.item[i].text);
	}
	intake_clear(&back);
	intake_clear(&in);
	intake_clear(NULL);
	db_close(db);
}

static void test_load_missing_intake(void **state)
{
	struct fixture *f = *state;
	struct db *db = db_open(f->path);
	struct intake in;

	assert_non_null(db);
	assert_int_equal(db_load_intake(db, 1, &in), DB_MISSING);
	save(db, "Ana", "Smith", "1985-07-23", NULL);
	assert_int_equal(db_load_intake(db, 2, &in), DB_MISSING);
	assert_int_equal(db_load_intake(db, 0, &in), DB_MISSING);
	assert_int_equal(db_load_intake(db, -5, &in), DB_MISSING);
	assert_int_equal(db_load_intake(db, 1, &in), DB_OK);
	intake_clear(&in);
	db_close(db);
}

static void test_same_client_reused(void **state)
{
	struct fixture *f = *state;
	struct db *db = db_open(f->path);
	long long c1, c2, c3, c4;

	assert_non_null(db);
	long long i1 = save(db, "Ana", "Smith", "1985-07-23", &c1);
	long long i2 = save(db, "Ana", "Smith", "1985-07-23", &c2);
	save(db, "Ana", "Smith", "1985-07-24", &c3); /* another Ana Smith */
	save(db, "Bea", "Smith", "1985-07-23", &c4);
	assert_true(i2 > i1);
	assert_int_equal(c1, c2);
	assert_true(c3 != c1);
	assert_true(c4 != c1 && c4 != c3);

	/* New contact details update the client; missing ones do not erase. */
	struct intake in;
	make_intake(&in, "Ana", "Smith", "1985-07-23",
		    (const char *const[]){ "email=ana@example.com", "phone=07700 900123", NULL });
	assert_int_equal(db_save_intake(db, &in), 0);
	assert_int_equal(in.client_id, c1);
	intake_clear(&in);
	make_intake(&in, "Ana", "Smith", "1985-07-23",
		    (const char *const[]){ "phone=07700 900999", NULL });
	assert_int_equal(db_save_intake(db, &in), 0);
	long long last = in.id;
	intake_clear(&in);
	assert_int_equal(db_load_intake(db, last, &in), DB_OK);
	assert_string_equal(answers_get(&in.answers, "phone"), "07700 900999");
	assert_string_equal(answers_get(&in.answers, "email"), "ana@example.com");
	intake_clear(&in);
	db_close(db);
}

/* One integer from path, read through SQLite directly. */
static long long raw_int(const char *path, const char *sql)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *q = NULL;
	long long v;

	assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(h);
	return v;
}

static void test_save_failure_keeps_nothing(void **state)
{
	struct fixture *f = *state;
	struct db *db = db_open(f->path);
	struct intake a, b, x;

	assert_non_null(db);
	make_intake(&a, "Ana", "Smith", "1985-07-23", NULL);
	make_intake(&b, "Bea", "Jones", "1990-01-01", NULL);
	memcpy(b.uuid, a.uuid, sizeof b.uuid); /* uuid is unique: the save must fail */
	assert_int_equal(db_save_intake(db, &a), 0);
	assert_int_equal(db_save_intake(db, &b), -1);
	assert_int_equal(b.id, 0);
	assert_int_equal(b.client_id, 0);
	assert_int_equal(db_load_intake(db, 2, &x), DB_MISSING);
	/* The next save works (no transaction left open). */
	assert_int_equal(uuid_v4(b.uuid), 0);
	assert_int_equal(db_save_intake(db, &b), 0);
	intake_clear(&a);
	intake_clear(&b);
	db_close(db);
	/* The failed save left no client behind, nor answers, nor advice. */
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM client"), 2);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM intake"), 2);
	assert_int_equal(raw_int(f->path, "SELECT count(DISTINCT intake_id) FROM advice_sheet"), 2);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM answer WHERE intake_id > 2"), 0);
}

/* ---- db_each_intake ---- */

struct visit {
	long long ids[16];
	size_t n;
	size_t stop_at; /* return 7 when visiting this many (0: never) */
};

static int visit_intake(const struct intake *in, void *arg)
{
	struct visit *v = arg;

	if (v->n < N(v->ids))
		v->ids[v->n] = in->id;
	v->n++;
	/* Each comes whole. */
	if (!answers_get(&in->answers, "first_name") || in->advice.count == 0 || !in->staff)
		return -99;
	return v->stop_at && v->n == v->stop_at ? 7 : 0;
}

static void test_each_intake(void **state)
{
	struct fixture *f = *state;
	struct db *db = db_open(f->path);
	struct visit v = { .n = 0 };

	assert_non_null(db);
	assert_int_equal(db_each_intake(db, visit_intake, &v), 0);
	assert_int_equal(v.n, 0);

	save(db, "Ana", "Smith", "1985-07-23", NULL);
	save(db, "Bea", "Jones", "1990-01-01", NULL);
	save(db, "Ana", "Smith", "1985-07-23", NULL);
	save(db, "Cy", "Lee", "1970-12-31", NULL);

	assert_int_equal(db_each_intake(db, visit_intake, &v), 0);
	assert_int_equal(v.n, 4);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(v.ids[i], (long long)i + 1);

	memset(&v, 0, sizeof v);
	v.stop_at = 2;
	assert_int_equal(db_each_intake(db, visit_intake, &v), 7);
	assert_int_equal(v.n, 2);

	/* The database is usable afterwards (the read transaction ended). */
	save(db, "Di", "Khan", "1988-08-08", NULL);
	db_close(db);
}

/* ---- db_each_intake_where: the merge join against one-by-one loads ---- */

struct compare {
	struct db *db;
	long long ids[16];
	size_t n;
};

/* Each intake the walk hands over equals db_load_intake()'s reading of it
 * (another path: lookups by key), answers and latest advice sheet alike. */
static int compare_intake(const struct intake *in, void *arg)
{
	struct compare *c = arg;
	struct intake ref;

	assert_int_equal(db_load_intake(c->db, in->id, &ref), DB_OK);
	assert_same_record(in, &ref);
	assert_int_equal(in->client_id, ref.client_id);
	assert_int_equal(in->revision, ref.revision);
	intake_clear(&ref);
	/* Intake 3's latest sheet is the edit's, in its order. */
	if (in->id == 3) {
		assert_int_equal(in->advice.count, 3);
		assert_string_equal(in->advice.item[0].id, "second-a");
		assert_string_equal(in->advice.item[2].id, "second-c");
	}
	assert_true(c->n < N(c->ids));
	c->ids[c->n++] = in->id;
	return 0;
}

static void walk_expect(struct db *db, struct intake_query q, const long long *ids, size_t n)
{
	struct compare c = { db, { 0 }, 0 };

	assert_int_equal(db_each_intake_where(db, &q, compare_intake, &c), 0);
	assert_int_equal(c.n, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(c.ids[i], ids[i]);
	q.newest_first = false;
	assert_int_equal(db_count_intakes(db, &q), (long long)n);
}

static void acknowledge(struct db *db, long long id, long long sheet, const char *name)
{
	struct acknowledgement ack = { sheet, (char *)name, (char *)"2026-03-02T10:00:00Z",
				       (char *)"Dana" };
	assert_int_equal(db_save_acknowledgement(db, id, &ack), DB_OK);
}

static void clear(struct db *db, long long id, const char *flag, const char *reason)
{
	struct clearance c = { (char *)flag, (char *)reason, (char *)"2026-03-03T10:00:00Z",
			       (char *)"Art" };
	assert_int_equal(db_clear_flag(db, id, &c), DB_OK);
}

static void record_extras(struct db *db)
{
	acknowledge(db, 1, 1, "Ana Smith");
	acknowledge(db, 3, 2, "ana smith");
	clear(db, 1, "flag-keloid", "healed flat");
	clear(db, 3, "flag-allergy", "latex-free kit");
	clear(db, 3, "flag-blood-thinners", "GP letter");
	clear(db, 4, "flag-pregnancy", "not pregnant");
}

static void test_each_intake_where(void **state)
{
	struct fixture *f = *state;
	struct db *db = db_open(f->path);
	long long ana, bea;
	struct intake in, before;
	sqlite3 *h;

	assert_non_null(db);
	save(db, "Ana", "Smith", "1985-07-23", &ana);
	save(db, "Bea", "Jones", "1990-01-01", &bea);
	save(db, "Ana", "Smith", "1985-07-23", NULL);
	save(db, "Cy", "Lee", "1970-12-31", NULL);
	/* Intake 3 gets a second advice sheet, longer than the first, and
	 * more answers. */
	assert_int_equal(db_load_intake(db, 3, &before), DB_OK);
	assert_int_equal(db_load_intake(db, 3, &in), DB_OK);
	assert_int_equal(answers_set(&in.answers, "uses_rogaine", "yes"), 0);
	assert_int_equal(answers_set(&in.answers, "rogaine_form", "foam"), 0);
	assert_int_equal(answers_set(&in.answers, "hair_loss_notes", "crown, \"thin\"\nsides"), 0);
	advice_sheet_clear(&in.advice);
	assert_int_equal(advice_sheet_add(&in.advice, "second-a", "Second sheet, first item."), 0);
	assert_int_equal(advice_sheet_add(&in.advice, "second-b", "Second sheet, second item."), 0);
	assert_int_equal(advice_sheet_add(&in.advice, "second-c", "Second sheet, third item."), 0);
	assert_int_equal(db_save_edit(db, &in, &before.answers, "Sam", "2026-03-01T09:00:00Z"), DB_OK);
	intake_clear(&in);
	intake_clear(&before);
	/* Acknowledgements (intake 3's of its latest sheet) and clearances,
	 * read by the walk's extra scan as by the lookups. */
	record_extras(db);
	/* Dates to filter on. */
	assert_int_equal(sqlite3_open(f->path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "UPDATE intake SET taken_at = CASE id "
					 "WHEN 1 THEN '2026-01-01T10:00:00Z' WHEN 2 THEN '2026-02-01T10:00:00Z' "
					 "WHEN 3 THEN '2026-02-02T23:59:59Z' ELSE '2026-03-01T00:00:00Z' END",
				  NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(h);

	walk_expect(db, (struct intake_query){ NULL, NULL, false, 0, false }, (long long[]){ 1, 2, 3, 4 }, 4);
	walk_expect(db, (struct intake_query){ NULL, NULL, true, 0, false }, (long long[]){ 4, 3, 2, 1 }, 4);
	walk_expect(db, (struct intake_query){ NULL, NULL, false, ana, false }, (long long[]){ 1, 3 }, 2);
	walk_expect(db, (struct intake_query){ NULL, NULL, true, ana, false }, (long long[]){ 3, 1 }, 2);
	walk_expect(db, (struct intake_query){ NULL, NULL, false, bea, false }, (long long[]){ 2 }, 1);
	walk_expect(db, (struct intake_query){ "2026-02-01", "2026-02-02", false, 0, false },
		    (long long[]){ 2, 3 }, 2);
	walk_expect(db, (struct intake_query){ "2026-02-02", NULL, true, ana, false }, (long long[]){ 3 }, 1);
	walk_expect(db, (struct intake_query){ "2026-03-02", NULL, false, 0, false }, NULL, 0);
	walk_expect(db, (struct intake_query){ NULL, NULL, false, 999, false }, NULL, 0);
	/* Each client's latest intake only (the call list): Ana's 3 settles
	 * her 1, even when the dates leave 3 out. */
	walk_expect(db, (struct intake_query){ NULL, NULL, false, 0, true }, (long long[]){ 2, 3, 4 },
		    3);
	walk_expect(db, (struct intake_query){ NULL, "2026-01-31", false, 0, true }, NULL, 0);
	walk_expect(db, (struct intake_query){ NULL, NULL, true, ana, true }, (long long[]){ 3 }, 1);
	db_close(db);
}

/* ---- acknowledgements and flag clearances ---- */

static void test_acknowledge_and_clear(void **state)
{
	struct fixture *f = *state;
	struct db *db = db_open(f->path);
	struct acknowledgement ack = { 1, (char *)"Ana Smith", (char *)"2026-03-02T10:00:00Z",
				       (char *)"Dana" };
	struct clearance c = { (char *)"flag-keloid", (char *)"fine", (char *)"2026-03-02T11:00:00Z",
			       (char *)"Art" };
	struct intake in, before;

	assert_non_null(db);
	save(db, "Ana", "Smith", "1985-07-23", NULL);
	assert_int_equal(db_load_intake(db, 1, &in), DB_OK);
	assert_int_equal(in.sheet, 1);
	assert_int_equal(in.ack.sheet, 0);
	assert_string_equal(in.questionnaire_version, QUESTIONNAIRE_VERSION);
	assert_string_equal(in.advice_version, ADVICE_VERSION);
	intake_clear(&in);
	/* A sheet that is not the latest, an intake that is not there. */
	ack.sheet = 2;
	assert_int_equal(db_save_acknowledgement(db, 1, &ack), DB_CONFLICT);
	ack.sheet = 1;
	assert_int_equal(db_save_acknowledgement(db, 9, &ack), DB_MISSING);
	assert_int_equal(db_save_acknowledgement(db, 1, &ack), DB_OK);
	assert_int_equal(db_clear_flag(db, 9, &c), DB_MISSING);
	assert_int_equal(db_clear_flag(db, 1, &c), DB_OK);
	assert_int_equal(db_clear_flag(db, 1, &c), DB_CONFLICT);
	c.flag_id = (char *)"flag-allergy";
	assert_int_equal(db_clear_flag(db, 1, &c), DB_OK);
	assert_int_equal(db_load_intake(db, 1, &in), DB_OK);
	assert_int_equal(in.ack.sheet, 1);
	assert_string_equal(in.ack.typed_name, "Ana Smith");
	assert_int_equal(in.clearances, 2);
	assert_string_equal(in.cleared[0].flag_id, "flag-allergy"); /* by flag id */
	assert_string_equal(in.cleared[1].reason, "fine");
	/* An edit: the new sheet waits for an acknowledgement, and a flag
	 * whose answer changed loses its clearance; the other keeps it. */
	assert_int_equal(db_load_intake(db, 1, &before), DB_OK);
	assert_int_equal(answers_set(&in.answers, "allergies", "yes"), 0);
	assert_int_equal(advice_sheet_add(&in.advice, "allergy-note", "An allergy to mention."), 0);
	assert_int_equal(db_save_edit(db, &in, &before.answers, "Sam", "2026-03-04T09:00:00Z"), DB_OK);
	assert_int_equal(in.sheet, 2);
	intake_clear(&in);
	intake_clear(&before);
	assert_int_equal(db_load_intake(db, 1, &in), DB_OK);
	assert_int_equal(in.ack.sheet, 0);
	assert_int_equal(in.sheet, 2);
	assert_int_equal(in.clearances, 1);
	assert_string_equal(in.cleared[0].flag_id, "flag-keloid");
	intake_clear(&in);
	ack.sheet = 2;
	assert_int_equal(db_save_acknowledgement(db, 1, &ack), DB_OK);
	assert_int_equal(db_load_intake(db, 1, &in), DB_OK);
	assert_int_equal(in.ack.sheet, 2);
	/* An edit whose sheet has the acknowledged words (a new phone): the
	 * acknowledgement carries over, as the client gave it. */
	assert_int_equal(db_load_intake(db, 1, &before), DB_OK);
	assert_int_equal(answers_set(&in.answers, "phone", "+44 7700 900999"), 0);
	assert_int_equal(db_save_edit(db, &in, &before.answers, "Sam", "2026-03-05T09:00:00Z"), DB_OK);
	intake_clear(&before);
	intake_clear(&in);
	assert_int_equal(db_load_intake(db, 1, &in), DB_OK);
	assert_int_equal(in.sheet, 3);
	assert_int_equal(in.ack.sheet, 3);
	assert_string_equal(in.ack.typed_name, "Ana Smith");
	assert_string_equal(in.ack.at, "2026-03-02T10:00:00Z");
	intake_clear(&in);
	db_close(db);
}

/* ---- db_find_clients ---- */

struct found {
	char names[16][64];
	long long last_intake[16];
	size_t n;
	size_t stop_at;
};

static int collect(const struct client_match *m, void *arg)
{
	struct found *fo = arg;

	if (fo->n < N(fo->names)) {
		snprintf(fo->names[fo->n], sizeof fo->names[0], "%s %s", m->first_name,
			 m->last_name);
		fo->last_intake[fo->n] = m->last_intake_id;
	}
	fo->n++;
	return fo->stop_at && fo->n == fo->stop_at ? 3 : 0;
}

static bool found_name(const struct found *fo, const char *name)
{
	for (size_t i = 0; i < fo->n && i < N(fo->names); i++)
		if (strcmp(fo->names[i], name) == 0)
			return true;
	return false;
}

/* Saves an intake for a client with contact details (NULL: not given). */
static long long save_contact(struct db *db, const char *first, const char *last,
			      const char *phone, const char *email)
{
	char p[64], e[96];
	const char *more[3] = { NULL, NULL, NULL };
	size_t n = 0;
	struct intake in;
	long long id;

	if (phone) {
		snprintf(p, sizeof p, "phone=%s", phone);
		more[n++] = p;
	}
	if (email) {
		snprintf(e, sizeof e, "email=%s", email);
		more[n++] = e;
	}
	make_intake(&in, first, last, "1980-01-01", more);
	assert_int_equal(db_save_intake(db, &in), 0);
	id = in.id;
	intake_clear(&in);
	return id;
}

/* Runs every case of cases[] against db: exactly the names listed are
 * found, or, for NOTHING, the text is refused as having nothing to search. */
#define NOTHING "(nothing to search)"
struct find_case {
	const char *text;
	const char *const names[6];
};

static void expect_finds(struct db *db, const struct find_case *cases, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		struct found fo = { .n = 0 };
		size_t want = 0;
		int rc = db_find_clients(db, cases[i].text, collect, &fo);

		if (cases[i].names[0] && strcmp(cases[i].names[0], NOTHING) == 0) {
			if (rc != DB_FIND_NOTHING || fo.n != 0)
				fail_msg("find \"%s\": %d and %zu clients, expected nothing to search",
					 cases[i].text, rc, fo.n);
			continue;
		}
		if (rc != 0)
			fail_msg("find \"%s\" failed: %d", cases[i].text, rc);
		while (want < N(cases[i].names) && cases[i].names[want])
			want++;
		if (fo.n != want)
			fail_msg("find \"%s\": %zu clients (first: %s), expected %zu", cases[i].text,
				 fo.n, fo.n ? fo.names[0] : "-", want);
		for (size_t k = 0; k < want; k++)
			if (!found_name(&fo, cases[i].names[k]))
				fail_msg("find \"%s\" lacks %s", cases[i].text, cases[i].names[k]);
	}
}

static const char *const people[][4] = {
	/* first, last, phone, email */
	{ "Ana", "Smith", "+44 7700 900123", "ana.smith@example.com" },
	{ "Anabel", "Jones", "07700 900456", "bel@example.org" },
	{ "Bob", "Anders", "(555) 123-4567", NULL },
	{ "Zo\xc3\xab", "Dubois", NULL, "zd@example.fr" },   /* Zoë */
	{ "Zoe", "Martin", NULL, NULL },
	{ "Jos\xc3\xa9", "GARC\xc3\x8d" "A", NULL, NULL },     /* José GARCÍA */
	{ "Gus", "Gray", "0044 20 7946 0958", NULL },
	{ "Hal", "O'Brien", NULL, NULL },
	{ "Ned", "Near", NULL, NULL },
	{ "Cy", "100%", NULL, NULL },
	{ "Di", "a_b", NULL, NULL },
	{ "Fay", "b\\c", NULL, NULL },
};

static void save_people(struct db *db)
{
	for (size_t i = 0; i < N(people); i++)
		save_contact(db, people[i][0], people[i][1], people[i][2], people[i][3]);
}

static void test_find_names(void **state)
{
	struct fixture *f = *state;
	struct db *db = db_open(f->path);
	static const struct find_case cases[] = {
		/* the start of the first name, the last name, or both */
		{ "an", { "Ana Smith", "Anabel Jones", "Bob Anders" } },
		{ "Ana", { "Ana Smith", "Anabel Jones" } },
		{ "smi", { "Ana Smith" } },
		{ "Jon", { "Anabel Jones" } },
		{ "Ana Smith", { "Ana Smith" } },
		{ "ana smi", { "Ana Smith" } },
		{ "  smith   ana ", { "Ana Smith" } }, /* every word, in any order */
		{ "Bob Smith", { NULL } },              /* every word must match */
		{ "Smiths", { NULL } },
		{ "mith", { NULL } }, /* the start of a word, not anywhere */
		{ "zzz", { NULL } },
		/* case, both ways */
		{ "AN", { "Ana Smith", "Anabel Jones", "Bob Anders" } },
		{ "aNaB", { "Anabel Jones" } },
		{ "gray", { "Gus Gray" } },
		/* accents, both ways */
		{ "zoe", { "Zo\xc3\xab Dubois", "Zoe Martin" } },
		{ "Zo\xc3\xab", { "Zo\xc3\xab Dubois", "Zoe Martin" } },
		{ "ZO\xc3\x8b", { "Zo\xc3\xab Dubois", "Zoe Martin" } },       /* ZOË */
		{ "Zoe\xcc\x88", { "Zo\xc3\xab Dubois", "Zoe Martin" } },      /* e + combining diaeresis */
		{ "zoe dub", { "Zo\xc3\xab Dubois" } },
		{ "jose garcia", { "Jos\xc3\xa9 GARC\xc3\x8d" "A" } },
		{ "Garc\xc3\xad", { "Jos\xc3\xa9 GARC\xc3\x8d" "A" } },           /* García */
		/* punctuation inside a word: the words around it, in a row */
		{ "O'Brien", { "Hal O'Brien" } },
		{ "o'bri", { "Hal O'Brien" } },
		{ "obrien", { NULL } },
		{ "a_b", { "Di a_b" } },
		{ "b\\c", { "Fay b\\c" } },
		{ "10%", { "Cy 100%" } }, /* % is not a wildcard: 10 starts 100 */
		{ "100%", { "Cy 100%" } },
		{ "101", { NULL } },
	};

	assert_non_null(db);
	save_people(db);
	expect_finds(db, cases, N(cases));
	db_close(db);
}

static void test_find_contact(void **state)
{
	struct fixture *f = *state;
	struct db *db = db_open(f->path);
	static const struct find_case cases[] = {
		/* the start of a word of the email, or of the address */
		{ "ana.smith@", { "Ana Smith" } },
		{ "ana.smith@exa", { "Ana Smith" } },
		{ "ana.smith@example.com", { "Ana Smith" } },
		{ "bel@", { "Anabel Jones" } },
		{ "BEL@EXAMPLE.O", { "Anabel Jones" } },
		{ "zd@", { "Zo\xc3\xab Dubois" } },
		{ "zd@example.com", { NULL } },
		{ "example.org", { "Anabel Jones" } },
		{ "ana.jones@", { NULL } },
		/* the phone: digits from the start, however they are written */
		{ "+44 7700 900123", { "Ana Smith" } },
		{ "447700900123", { "Ana Smith" } },
		{ "4477", { "Ana Smith" } },
		{ "07700 900123", { "Ana Smith" } },  /* the national form of +44 */
		{ "0044 7700 900", { "Ana Smith", "Anabel Jones" } }, /* 00 for + */
		{ "0044 7700 9001", { "Ana Smith" } },
		{ "07700900", { "Ana Smith", "Anabel Jones" } },
		{ "7700 900", { "Ana Smith", "Anabel Jones" } },
		{ "07700 900456", { "Anabel Jones" } },
		{ "+44 7700 900456", { "Anabel Jones" } }, /* stored as 07700 900456 */
		{ "+44-7700-900-456", { "Anabel Jones" } },
		{ "(555) 123", { "Bob Anders" } },
		{ "555.123.4567", { "Bob Anders" } },
		{ "+1 555 123", { "Bob Anders" } },
		{ "020 7946", { "Gus Gray" } },
		{ "+44 (0)20 7946", { "Gus Gray" } },
		{ "+44 20 7946 0958", { "Gus Gray" } },
		{ "0044 20 7946", { "Gus Gray" } },
		{ "900123", { NULL } }, /* the end of a number is not its start */
		{ "07700 900999", { NULL } },
		{ "07700 ext", { NULL } }, /* not a phone number: words */
		{ "555", { NULL } },       /* too few digits for a phone number */
	};

	assert_non_null(db);
	save_people(db);
	expect_finds(db, cases, N(cases));
	db_close(db);
}

/* What the user types is text to find, never FTS5 query syntax: no error,
 * and the punctuation only separates words. */
static void test_find_text_is_never_syntax(void **state)
{
	struct fixture *f = *state;
	struct db *db = db_open(f->path);
	static const struct find_case cases[] = {
		{ "\"", { NOTHING } },
		{ "\"\"", { NOTHING } },
		{ "'", { NOTHING } },
		{ "*", { NOTHING } },
		{ "-", { NOTHING } },
		{ "%", { NOTHING } },
		{ "_", { NOTHING } },
		{ "\\", { NOTHING } },
		{ "()", { NOTHING } },
		{ ":", { NOTHING } },
		{ "^", { NOTHING } },
		{ "+", { NOTHING } },
		{ " \t ", { NOTHING } },
		{ "\xe2\x80\x94 \xe2\x80\xa6", { NOTHING } }, /* an em dash, an ellipsis */
		{ "\xf0\x9f\x98\x80", { NOTHING } },         /* an emoji */
		{ "smith \xf0\x9f\x98\x80 -", { "Ana Smith" } },
		{ "\"smith", { "Ana Smith" } },
		{ "smith\"", { "Ana Smith" } },
		{ "sm\"ith", { NULL } }, /* sm and ith: not the start of words in a row */
		{ "\"' OR 1=1 --", { NULL } },
		{ "x' OR '1'='1", { NULL } },
		{ "smith OR jones", { NULL } }, /* OR is a word, not an operator */
		{ "ana NOT smith", { NULL } },
		{ "ana AND smith", { NULL } },
		{ "smith AND", { NULL } },
		{ "NEAR", { "Ned Near" } },
		{ "NEAR(ana smith)", { NULL } },
		{ "NEAR(ned near, 1)", { NULL } },
		{ "(ana)", { "Ana Smith", "Anabel Jones" } },
		{ "^smith", { "Ana Smith" } },       /* not "first word of the column" */
		{ "name:jones", { NULL } },          /* not a column filter */
		{ "{name email}:jones", { NULL } },
		{ "-smith", { "Ana Smith" } },       /* not NOT */
		{ "an*", { "Ana Smith", "Anabel Jones", "Bob Anders" } },
		{ "smi*th", { NULL } },
		{ "ana;", { "Ana Smith", "Anabel Jones" } },
		{ "'); DROP TABLE client;--", { NULL } },
	};

	assert_non_null(db);
	save_people(db);
	expect_finds(db, cases, N(cases));
	/* The clients are all still there. */
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM client"), (long long)N(people));
	db_close(db);
}

/* Every E.164 country code the C side cuts from a number searched for is
 * the one the index (schema/004_search.sql) cut from the stored number:
 * for each three-digit start, a number stored in its national form is found
 * by its international form only when both lists agree. */
static void test_find_phone_country_codes_agree(void **state)
{
	struct fixture *f = *state;
	struct db *db = db_open(f->path);

	assert_non_null(db);
	db_close(db);
	/* +PPP PPP 45 is stored, then replaced by its national form as the
	 * index sees it, 0 and the national number; unless that starts with 0
	 * too (+100 ...: the national number 0...), which would read as 00,
	 * the international prefix. */
	raw_sql(f->path,
		"BEGIN;"
		"WITH RECURSIVE n(p) AS (SELECT 100 UNION ALL SELECT p + 1 FROM n WHERE p < 999) "
		"INSERT INTO client (id, first_name, last_name, date_of_birth, phone, created_at) "
		"SELECT p, 'P' || p, 'X', '1980-01-01', '+' || p || ' ' || p || ' 45', 't' FROM n;"
		"INSERT INTO intake (id, uuid, client_id, taken_at, staff) "
		"SELECT id, 'u' || id, id, '2024-01-01T00:00:00Z', 's' FROM client;"
		"CREATE TEMP TABLE national AS SELECT id, substr(phone, instr(phone, ' ') + 1) AS n "
		"FROM client_search_source;"
		"UPDATE client SET phone = '0' || (SELECT n FROM national WHERE national.id = client.id);"
		"UPDATE client SET last_name = 'Skip' WHERE phone LIKE '00%';"
		"COMMIT");
	assert_true(raw_int(f->path, "SELECT count(*) FROM client WHERE last_name = 'Skip'") < 100);
	db = db_open(f->path);
	assert_non_null(db);
	for (int p = 100; p <= 999; p++) {
		char text[80], name[16];
		struct found fo = { .n = 0 };

		snprintf(text, sizeof text, "SELECT last_name = 'Skip' FROM client WHERE id = %d", p);
		if (raw_int(f->path, text))
			continue;
		snprintf(text, sizeof text, "+%d %d 45", p, p);
		snprintf(name, sizeof name, "P%d X", p);
		assert_int_equal(db_find_clients(db, text, collect, &fo), 0);
		if (fo.n > N(fo.names) || !found_name(&fo, name))
			fail_msg("find \"%s\" does not find %s (%zu found)", text, name, fo.n);
	}
	db_close(db);
}

struct listed {
	long long client[256], intake[256];
	size_t n;
};

static int collect_ids(const struct client_match *m, void *arg)
{
	struct listed *l = arg;

	if (l->n < N(l->client)) {
		l->client[l->n] = m->client_id;
		l->intake[l->n] = m->last_intake_id;
	}
	l->n++;
	return 0;
}

/* db_find_clients(text) lists what sql (client id, latest intake id) does,
 * in the same order. */
static void expect_listed(struct db *db, const char *path, const char *text, const char *sql)
{
	struct listed got = { .n = 0 };
	sqlite3 *h;
	sqlite3_stmt *q;
	size_t n = 0;

	assert_int_equal(db_find_clients(db, text, collect_ids, &got), 0);
	assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &q, NULL), SQLITE_OK);
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (n >= got.n || got.client[n] != sqlite3_column_int64(q, 0) ||
		    got.intake[n] != sqlite3_column_int64(q, 1))
			fail_msg("find \"%s\": row %zu is client %lld, intake %lld; expected %lld, %lld",
				 text, n, n < got.n ? got.client[n] : -1, n < got.n ? got.intake[n] : -1,
				 (long long)sqlite3_column_int64(q, 0),
				 (long long)sqlite3_column_int64(q, 1));
		n++;
	}
	sqlite3_finalize(q);
	sqlite3_close(h);
	assert_int_equal(got.n, n);
}

/* However many clients match (a few, or so many that another plan is
 * used), the list is the same: each client once, with its latest intake,
 * newest first, at most 200, and clients without an intake left out. */
static void test_find_many_clients(void **state)
{
	struct fixture *f = *state;
	struct db *db = db_open(f->path);

	assert_non_null(db);
	db_close(db);
	/* 3000 clients, their intakes taken in a shuffled order, every 50th
	 * without one, and every 7th back for a second intake later on, and
	 * some of those for a third. */
	raw_sql(f->path,
		"BEGIN;"
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) "
		"INSERT INTO client (id, first_name, last_name, date_of_birth, phone, created_at) "
		"SELECT i, 'Many' || i, 'Group', '1980-01-01', '+44 7700 ' || (100000 + i), 't' "
		"FROM n;"
		"WITH RECURSIVE n(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM n WHERE j < 2999) "
		"INSERT INTO intake (uuid, client_id, taken_at, staff) "
		"SELECT 'a' || j, (j * 7919) % 3000 + 1, '2024-01-01T00:00:00Z', 's' FROM n "
		"WHERE ((j * 7919) % 3000 + 1) % 50 <> 0;"
		"INSERT INTO intake (uuid, client_id, taken_at, staff) "
		"SELECT 'b' || id, id, '2024-02-01T00:00:00Z', 's' FROM client "
		"WHERE id % 7 = 0 AND id % 50 <> 0 ORDER BY id DESC;"
		"INSERT INTO intake (uuid, client_id, taken_at, staff) "
		"SELECT 'c' || id, id, '2024-03-01T00:00:00Z', 's' FROM client "
		"WHERE id % 7 = 0 AND id % 50 <> 0 AND id < 700;"
		"COMMIT");
	db = db_open(f->path);
	assert_non_null(db);
#define LATEST(where)                                                                     \
	"SELECT c.id, max(i.id) FROM client c JOIN intake i ON i.client_id = c.id WHERE " where \
	" GROUP BY c.id ORDER BY max(i.id) DESC LIMIT 200"
	expect_listed(db, f->path, "group", LATEST("1"));
	expect_listed(db, f->path, "many group", LATEST("1"));
	expect_listed(db, f->path, "+44 7700", LATEST("1"));
	expect_listed(db, f->path, "many1", LATEST("c.first_name LIKE 'many1%'"));
	expect_listed(db, f->path, "many12", LATEST("c.first_name LIKE 'many12%'"));
	expect_listed(db, f->path, "many50", LATEST("c.first_name LIKE 'many50%'"));
	expect_listed(db, f->path, "07700 1012", LATEST("c.phone LIKE '+44 7700 1012%'"));
	db_close(db);
}

/* client_search holds exactly what filling it afresh from the clients
 * would: the same words of the same clients in the same places, and FTS5
 * finds it sound.  Read through a connection of its own. */
static void expect_index_in_step(const char *path)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *q = NULL;
	char *err = NULL;

	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	if (sqlite3_exec(h,
			 "INSERT INTO client_search (client_search) VALUES ('integrity-check');"
			 "CREATE VIRTUAL TABLE temp.fresh USING fts5(name, email, phone, content = '', "
			 "columnsize = 0, tokenize = 'unicode61 remove_diacritics 2');"
			 "INSERT INTO temp.fresh (rowid, name, email, phone) "
			 "SELECT id, name, email, phone FROM client_search_source;"
			 "CREATE VIRTUAL TABLE temp.have USING fts5vocab(main, client_search, instance);"
			 "CREATE VIRTUAL TABLE temp.want USING fts5vocab(temp, fresh, instance);",
			 NULL, NULL, &err) != SQLITE_OK) {
		char msg[256];
		snprintf(msg, sizeof msg, "%s", err ? err : "?");
		sqlite3_free(err);
		sqlite3_close(h);
		fail_msg("index check failed: %s", msg);
	}
	assert_int_equal(sqlite3_prepare_v2(h,
					    "SELECT (SELECT count(*) FROM (SELECT * FROM have EXCEPT "
					    "SELECT * FROM want)), (SELECT count(*) FROM (SELECT * FROM "
					    "want EXCEPT SELECT * FROM have))",
					    -1, &q, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	long long extra = sqlite3_column_int64(q, 0), missing = sqlite3_column_int64(q, 1);
	sqlite3_finalize(q);
	sqlite3_close(h);
	if (extra || missing)
		fail_msg("the search index has %lld entries too many and lacks %lld", extra, missing);
}

static size_t count_found(struct db *db, const char *text)
{
	struct found fo = { .n = 0 };

	assert_int_equal(db_find_clients(db, text, collect, &fo), 0);
	return fo.n;
}

/* The triggers keep the index in step with table client, whoever writes
 * to it: this program or another one (sqlite3 by hand, say). */
static void test_search_index_follows_clients(void **state)
{
	struct fixture *f = *state;
	struct db *db = db_open(f->path);
	struct intake in;

	assert_non_null(db);
	save_contact(db, "Ana", "Smith", "+44 7700 900123", "ana@example.com");
	save_contact(db, "Bea", "Jones", "07700 900456", "bea@example.com");
	save_contact(db, "Cy", "Lee", NULL, NULL);
	expect_index_in_step(f->path);
	assert_int_equal(count_found(db, "smith"), 1);

	/* A returning client's new phone replaces the old one. */
	make_intake(&in, "Ana", "Smith", "1980-01-01",
		    (const char *const[]){ "phone=020 7946 0000", NULL });
	assert_int_equal(db_save_intake(db, &in), 0);
	intake_clear(&in);
	assert_int_equal(count_found(db, "020 7946"), 1);
	assert_int_equal(count_found(db, "+44 7700 900123"), 0);
	assert_int_equal(count_found(db, "ana@example"), 1);
	expect_index_in_step(f->path);

	/* Changes made outside the program. */
	raw_sql(f->path, "UPDATE client SET last_name = 'Smythe', email = NULL WHERE id = 1;"
			 "UPDATE client SET phone = '+1 555 123 4567' WHERE id = 3;"
			 "UPDATE client SET created_at = 'x'"); /* touches nothing indexed */
	assert_int_equal(count_found(db, "smith"), 0);
	assert_int_equal(count_found(db, "ana smythe"), 1);
	assert_int_equal(count_found(db, "ana@example"), 0);
	assert_int_equal(count_found(db, "555 123"), 1);
	expect_index_in_step(f->path);

	raw_sql(f->path, "PRAGMA foreign_keys = ON;"
			 "DELETE FROM intake WHERE client_id = 2; DELETE FROM client WHERE id = 2");
	assert_int_equal(count_found(db, "jones"), 0);
	assert_int_equal(count_found(db, "bea@"), 0);
	assert_int_equal(count_found(db, "07700 900456"), 0);
	expect_index_in_step(f->path);

	/* A delete that fails leaves the index as it was. */
	sqlite3 *h;
	assert_int_equal(sqlite3_open(f->path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "PRAGMA foreign_keys = ON; DELETE FROM client WHERE id = 1",
				      NULL, NULL, NULL),
			 SQLITE_CONSTRAINT);
	sqlite3_close(h);
	assert_int_equal(count_found(db, "smythe"), 1);
	expect_index_in_step(f->path);
	db_close(db);
}

/* Migration 004 fills the index with the clients saved before it. */
static void test_search_migration_fills_index(void **state)
{
	struct fixture *f = *state;
	sqlite3 *h;
	char sql[96];

	assert_true(schema_migration_count >= 4);
	assert_int_equal(sqlite3_open(f->path, &h), SQLITE_OK);
	for (int v = 0; v < 3; v++)
		assert_int_equal(sqlite3_exec(h, schema_migrations[v], NULL, NULL, NULL), SQLITE_OK);
	snprintf(sql, sizeof sql, "PRAGMA user_version = 3; PRAGMA application_id = %d",
		 DB_APPLICATION_ID);
	assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h,
				      "INSERT INTO client VALUES (1, 'Zo\xc3\xab', 'Dubois', "
				      "'1990-01-01', '+33 6 12 34 56 78', 'zoe@example.fr', 't'),"
				      "(2, 'Ana', 'Silva', '1985-07-23', NULL, NULL, 't');"
				      "INSERT INTO intake (id, uuid, client_id, taken_at, staff) VALUES "
				      "(1, 'a', 1, '2024-01-01T00:00:00Z', 's'), "
				      "(2, 'b', 2, '2024-01-02T00:00:00Z', 's')",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(h);

	struct db *db = db_open(f->path);
	assert_non_null(db);
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), schema_migration_count);
	assert_int_equal(count_found(db, "zoe"), 1);
	assert_int_equal(count_found(db, "06 12 34"), 1);
	assert_int_equal(count_found(db, "silva"), 1);
	expect_index_in_step(f->path);
	db_close(db);
}

/* Whether needle's bytes are anywhere in the file at path. */
static bool file_holds(const char *path, const char *needle)
{
	size_t len, n = strlen(needle);
	unsigned char *buf = slurp(path, &len);
	bool found = false;

	for (size_t i = 0; !found && n <= len && i <= len - n; i++)
		found = memcmp(buf + i, needle, n) == 0;
	free(buf);
	return found;
}

/* After an erasure, db_search_purge() leaves no trace of the erased name
 * in the file: not in the client table (secure_delete), and not in the
 * search index, whose delete alone only adds a "deleted" mark beside the
 * word. */
static void test_search_purge_removes_erased_words(void **state)
{
	struct fixture *f = *state;
	struct db *db = db_open(f->path);
	char wal[160];
	struct stat st;

	assert_non_null(db);
	/* The index keeps words folded to lower case; the client row keeps the
	 * name as typed.  No other word starts with q, so the index keeps this
	 * one whole (FTS5 stores a word as what it adds to the one before). */
	save_contact(db, "Quintessa", "Xylander", "+44 7700 900321", "quintessa@example.com");
	save_contact(db, "Ana", "Silva", NULL, NULL);
	raw_sql(f->path, "PRAGMA wal_checkpoint(TRUNCATE)");
	assert_true(file_holds(f->path, "quintessa"));
	assert_true(file_holds(f->path, "Quintessa"));

	/* The erasure itself (secure_delete on), without merging the index
	 * (as purge erases) and without db_erase_finish(). */
	size_t erased = 0;
	assert_int_equal(db_erase_client(db, 1, NULL, "Mia", "2026-01-01T00:00:00Z", false, &erased), DB_ERASE_OK);
	assert_int_equal(erased, 1);
	raw_sql(f->path, "PRAGMA wal_checkpoint(TRUNCATE)");
	assert_int_equal(count_found(db, "quintessa"), 0);
	assert_false(file_holds(f->path, "Quintessa"));
	assert_true(file_holds(f->path, "quintessa")); /* still in the index */

	assert_int_equal(db_search_purge(db), 0);
	raw_sql(f->path, "PRAGMA wal_checkpoint(TRUNCATE)");
	static const char *const traces[] = { "quintessa", "Quintessa", "xylander", "Xylander",
					      "447700900321", "7700900321" };
	for (size_t i = 0; i < N(traces); i++)
		if (file_holds(f->path, traces[i]))
			fail_msg("the file still holds '%s'", traces[i]);
	snprintf(wal, sizeof wal, "%s-wal", f->path);
	assert_true(stat(wal, &st) < 0 || st.st_size == 0);

	/* The others are still found, and the index is sound. */
	assert_int_equal(count_found(db, "silva"), 1);
	expect_index_in_step(f->path);
	/* Inside a caller's transaction it runs in that transaction. */
	assert_int_equal(db_begin_write(db), 0);
	assert_int_equal(db_search_purge(db), 0);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(count_found(db, "silva"), 1);
	db_close(db);
}

static void test_find_clients_order_and_stop(void **state)
{
	struct fixture *f = *state;
	struct db *db = db_open(f->path);
	struct found fo = { .n = 0 };

	assert_non_null(db);
	save(db, "Ana", "Smith", "1985-07-23", NULL);  /* intake 1 */
	save(db, "Anabel", "Jones", "1990-01-01", NULL); /* intake 2 */
	save(db, "Andy", "Lee", "1970-01-01", NULL);   /* intake 3 */
	save(db, "Ana", "Smith", "1985-07-23", NULL);  /* intake 4: Ana again */

	/* Newest intake first, one line per client. */
	assert_int_equal(db_find_clients(db, "an", collect, &fo), 0);
	assert_int_equal(fo.n, 3);
	assert_string_equal(fo.names[0], "Ana Smith");
	assert_int_equal(fo.last_intake[0], 4);
	assert_string_equal(fo.names[1], "Andy Lee");
	assert_int_equal(fo.last_intake[1], 3);
	assert_string_equal(fo.names[2], "Anabel Jones");
	assert_int_equal(fo.last_intake[2], 2);

	memset(&fo, 0, sizeof fo);
	fo.stop_at = 2;
	assert_int_equal(db_find_clients(db, "an", collect, &fo), 3);
	assert_int_equal(fo.n, 2);
	db_close(db);
}


/* ---- audit, edits, drafts ---- */

static int count_audit(const struct audit_entry *e, void *arg)
{
	struct audit_entry *last = arg;

	last->id++; /* the number of rows seen */
	last->count = e->count;
	last->intake_id = e->intake_id;
	assert_non_null(e->at);
	assert_non_null(e->staff);
	if (strcmp(e->action, "edit") == 0) {
		assert_int_equal(e->count, 1);
		assert_string_equal(e->change[0].field, "phone");
		assert_null(e->change[0].old_value);
		assert_string_equal(e->change[0].new_value, "07700 900123");
	}
	return 0;
}

static void test_edit_revision_and_audit(void **state)
{
	struct fixture *f = *state;
	struct db *db = db_open(f->path);
	struct intake in, before;
	struct audit_entry seen = { 0 };

	assert_non_null(db);
	long long id = save(db, "Ana", "Smith", "1985-07-23", NULL);
	assert_int_equal(db_load_intake(db, id, &before), DB_OK);
	assert_int_equal(before.revision, 1);
	assert_int_equal(db_load_intake(db, id, &in), DB_OK);
	assert_int_equal(answers_set(&in.answers, "phone", "07700 900123"), 0);
	assert_int_equal(db_save_edit(db, &in, &before.answers, "Sam", "2026-01-02T03:04:05Z"), DB_OK);
	assert_int_equal(in.revision, 2);

	/* An edit that began at revision 1 is now a conflict, and saves nothing. */
	assert_int_equal(answers_set(&before.answers, "phone", "07700 900999"), 0);
	assert_int_equal(db_save_edit(db, &before, &in.answers, "Mia", "2026-01-02T03:04:06Z"), DB_CONFLICT);
	intake_clear(&in);
	assert_int_equal(db_load_intake(db, id, &in), DB_OK);
	assert_int_equal(in.revision, 2);
	assert_string_equal(answers_get(&in.answers, "phone"), "07700 900123");
	/* The edit's sheet is kept beside the first one. */
	assert_int_equal(raw_int(f->path, "SELECT count(DISTINCT sheet) FROM advice_sheet"), 2);

	/* The trail: create (every answer), then the edit (the phone only). */
	assert_int_equal(db_each_audit(db, id, count_audit, &seen), 0);
	assert_int_equal(seen.id, 2);
	assert_int_equal(seen.intake_id, id);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit_change WHERE audit_id = 1"),
			 4); /* consent, two names, birth date */

	/* A gone intake. */
	in.id = 999;
	assert_int_equal(db_save_edit(db, &in, &before.answers, "Sam", "2026-01-02T03:04:07Z"), DB_MISSING);
	intake_clear(&in);
	intake_clear(&before);
	db_close(db);
}

static void test_audit_rows_are_fixed(void **state)
{
	struct fixture *f = *state;
	struct db *db = db_open(f->path);
	char *when = NULL, *who = NULL;
	sqlite3 *h = NULL;

	assert_non_null(db);
	long long id = save(db, "Ana", "Smith", "1985-07-23", NULL);
	assert_int_equal(db_erased(db, false, id, &when, &who), 0);
	assert_null(when);
	db_close(db);
	assert_int_equal(sqlite3_open(f->path, &h), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(h, "UPDATE audit SET staff = 'x'", NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(h, "DELETE FROM audit", NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(h, "UPDATE audit_change SET new_value = 'x'", NULL, NULL,
					  NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(h, "DELETE FROM audit_change", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit"), 1);
}

static int first_draft(const struct draft *d, void *arg)
{
	*(long long *)arg = d->id;
	return 1;
}

static void test_drafts(void **state)
{
	struct fixture *f = *state;
	struct db *db = db_open(f->path);
	struct draft d = { 0 }, got;
	struct intake in;
	long long newest = 0;

	assert_non_null(db);
	d.staff = strdup("Mia");
	assert_non_null(d.staff);
	assert_int_equal(db_draft_step(db, &d, "consent_storage", "yes", "first_name"), 0);
	assert_true(d.id > 0);
	assert_int_equal(db_draft_step(db, &d, "first_name", "Zoë", "last_name"), 0);
	assert_int_equal(db_draft_step(db, &d, "phone", NULL, "email"), 0);
	assert_int_equal(db_draft_step(db, &d, "first_name", "Zoe", "last_name"), 0); /* again */

	assert_int_equal(db_draft_load(db, d.id, &got), DB_OK);
	assert_string_equal(answers_get(&got.answers, "first_name"), "Zoe");
	assert_true(got.has[questionnaire_index("phone")]);
	assert_null(answers_get(&got.answers, "phone"));
	assert_false(got.has[questionnaire_index("email")]);
	assert_string_equal(got.next_question, "last_name");
	assert_string_equal(got.staff, "Mia");
	assert_int_equal(got.intake_id, 0);
	draft_clear(&got);
	assert_int_equal(db_draft_load(db, d.id + 1, &got), DB_MISSING);

	/* Drafts are not intakes; saving the intake removes its draft. */
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM intake"), 0);
	make_intake(&in, "Zoe", "Ng", "1990-01-01", NULL);
	in.draft_id = d.id;
	assert_int_equal(db_save_intake(db, &in), 0);
	intake_clear(&in);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM draft"), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM draft_answer"), 0);
	assert_int_equal(db_draft_discard(db, d.id), DB_MISSING);

	/* Newest first; discard. */
	struct draft a = { 0 }, b = { 0 };
	a.staff = strdup("Mia");
	b.staff = strdup("Sam");
	assert_int_equal(db_draft_step(db, &a, "consent_storage", "yes", "first_name"), 0);
	assert_int_equal(db_draft_step(db, &b, "consent_storage", "yes", "first_name"), 0);
	assert_int_equal(db_each_draft(db, first_draft, &newest), 1);
	assert_int_equal(newest, b.id);
	assert_int_equal(db_draft_discard(db, b.id), DB_OK);
	assert_int_equal(db_draft_discard(db, b.id), DB_MISSING);
	assert_int_equal(db_each_draft(db, first_draft, &newest), 1);
	assert_int_equal(newest, a.id);
	draft_clear(&a);
	draft_clear(&b);
	draft_clear(&d);
	db_close(db);
}

static int count_match(const struct client_match *m, void *arg)
{
	(void)m;
	++*(int *)arg;
	return 0;
}

static void test_same_clients(void **state)
{
	struct fixture *f = *state;
	struct db *db = db_open(f->path);
	struct answers a = { { NULL } };
	struct answers contact;
	long long client;
	int n = 0;

	assert_non_null(db);
	save(db, "Ana", "Smith", "1985-07-23", &client);
	save(db, "Ana", "Smith", "1985-07-24", NULL);
	fill(&a, (const char *const[]){ "first_name=ANA", "last_name=smith",
					"date_of_birth=1985-07-23", NULL });
	assert_int_equal(db_same_clients(db, &a, count_match, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(db_load_client(db, client, &contact), DB_OK);
	assert_string_equal(answers_get(&contact, "first_name"), "Ana");
	answers_clear(&contact);
	assert_int_equal(db_load_client(db, 999, &contact), DB_MISSING);
	answers_clear(&a);
	db_close(db);
}

struct offered {
	int n;
	long long id[8];
	bool near[8];
};

static int collect_offered(const struct client_match *m, void *arg)
{
	struct offered *o = arg;

	assert_true(o->n < 8);
	o->id[o->n] = m->client_id;
	o->near[o->n++] = m->near;
	return 0;
}

/* Folded names: the same client first, then the near ones; a pipe's save
 * joins the folded match and keeps the spelling on file. */
static void test_same_clients_folded_and_near(void **state)
{
	struct fixture *f = *state;
	struct db *db = db_open(f->path);
	struct answers a = { { NULL } };
	struct offered o = { 0 };
	long long zoe, zoey, chloe, again, intake;
	struct intake in;

	assert_non_null(db);
	save(db, "Zoey", "Smith", "1990-04-01", &zoey);
	intake = save(db, "Zo\xc3\xab", "Smith", "1990-04-01", &zoe);
	save(db, "Chloe", "Smith", "1990-04-01", &chloe);
	save(db, "Zoe", "Smith", "1990-04-02", NULL);
	assert_true(zoe != zoey && zoe != chloe);
	fill(&a, (const char *const[]){ "first_name=ZOE", "last_name=smith\xc2\xa0",
					"date_of_birth=1990-04-01", NULL });
	assert_int_equal(db_same_clients(db, &a, collect_offered, &o), 0);
	assert_int_equal(o.n, 2);
	assert_int_equal(o.id[0], zoe);
	assert_false(o.near[0]);
	assert_int_equal(o.id[1], zoey);
	assert_true(o.near[1]);
	answers_clear(&a);

	assert_int_equal(db_client_last_intake(db, zoe), intake);
	assert_int_equal(db_client_last_intake(db, 999), 0);

	make_intake(&in, "zoe\xcc\x88", "SMITH", "1990-04-01", NULL);
	assert_int_equal(db_save_intake(db, &in), 0);
	assert_int_equal(in.client_id, zoe);
	assert_string_equal(answers_get(&in.answers, "first_name"), "Zo\xc3\xab");
	assert_string_equal(answers_get(&in.answers, "last_name"), "Smith");
	again = in.id;
	intake_clear(&in);
	assert_int_equal(db_client_last_intake(db, zoe), again);
	db_close(db);
}

/* ---- subject access, erasure, retention ---- */

/* How often needle occurs in the file at path (missing: none). */
static int file_count(const char *path, const char *needle)
{
	size_t len, n = strlen(needle);
	unsigned char *buf;
	int found = 0;

	if (access(path, F_OK) != 0)
		return 0;
	buf = slurp(path, &len);
	for (size_t i = 0; i + n <= len; i++)
		found += memcmp(buf + i, needle, n) == 0;
	free(buf);
	return found;
}

/* A draft for staff Mia with the given answers ("id=value"), joined to
 * client (0: none) or editing intake (0: a new intake). */
static long long draft_with(struct db *db, long long client, long long intake,
			    const char *const *pairs)
{
	struct draft d = { 0 };
	long long id;

	d.staff = strdup("Mia");
	d.client_id = client;
	d.intake_id = intake;
	d.base_revision = intake ? 1 : 0;
	assert_non_null(d.staff);
	for (size_t i = 0; pairs[i]; i++) {
		char q[64];
		const char *eq = strchr(pairs[i], '=');
		assert_non_null(eq);
		snprintf(q, sizeof q, "%.*s", (int)(eq - pairs[i]), pairs[i]);
		assert_int_equal(db_draft_step(db, &d, q, eq + 1, NULL), 0);
	}
	id = d.id;
	draft_clear(&d);
	return id;
}

/* Ana Quist (client 1) with two intakes, the first edited and signed
 * off; Bea Rowe (client 2) with one; and drafts of both. */
static void make_two_clients(struct db *db, long long *ana, long long *bea)
{
	struct intake in, before;
	long long first = save(db, "Ana", "Quist", "1985-07-23", ana);

	save(db, "Ana", "Quist", "1985-07-23", NULL);
	save(db, "Bea", "Rowe", "1990-01-01", bea);
	assert_int_equal(db_load_intake(db, first, &before), DB_OK);
	assert_int_equal(db_load_intake(db, first, &in), DB_OK);
	assert_int_equal(answers_set(&in.answers, "email", "quist@zanzibar.example"), 0);
	assert_int_equal(db_save_edit(db, &in, &before.answers, "Sam", "2024-07-01T09:00:00Z"), DB_OK);
	intake_clear(&before);
	assert_int_equal(answers_copy(&before.answers, &in.answers), 0);
	assert_int_equal(answers_set(&in.answers, "uses_rogaine", "yes"), 0);
	assert_int_equal(answers_set(&in.answers, "rogaine_form", "foam"), 0);
	assert_int_equal(answers_set(&in.answers, "gp_discussed", "yes"), 0);
	assert_int_equal(answers_set(&in.answers, "gp_signoff", "obtained"), 0);
	assert_int_equal(answers_set(&in.answers, "gp_name", "Dr Xylophone"), 0);
	assert_int_equal(answers_set(&in.answers, "gp_signoff_date", "2024-07-02"), 0);
	struct signoff s = { "obtained", "Dr Xylophone", "2024-07-02", "REF-Quagga", "Sam",
			     "2024-07-03T10:00:00Z" };
	assert_int_equal(db_begin_write(db), 0);
	assert_int_equal(db_save_signoff(db, &in, &before.answers, &s), 0);
	assert_int_equal(db_commit(db), 0);
	intake_clear(&in);
	answers_clear(&before.answers);

	/* Ana's: joined to her, an edit of her intake, a new intake typed
	 * with her names in other case; not hers: another birth date, Bea. */
	draft_with(db, *ana, 0, (const char *const[]){ "phone=07700 900111", NULL });
	draft_with(db, 0, first, (const char *const[]){ "hair_loss_notes=crown Quokka", NULL });
	draft_with(db, 0, 0, (const char *const[]){ "first_name=ANA", "last_name=quist",
						    "date_of_birth=1985-07-23", NULL });
	draft_with(db, 0, 0, (const char *const[]){ "first_name=Ana", "last_name=Quist",
						    "date_of_birth=1985-07-24", NULL });
	draft_with(db, *bea, 0, (const char *const[]){ "phone=07700 900222", NULL });
}

static void test_load_subject(void **state)
{
	struct fixture *f = *state;
	struct db *db = db_open(f->path);
	struct subject s;
	long long ana, bea;

	assert_non_null(db);
	make_two_clients(db, &ana, &bea);
	assert_int_equal(db_load_subject(db, ana, &s), DB_OK);
	assert_int_equal(s.client_id, ana);
	assert_string_equal(answers_get(&s.client, "last_name"), "Quist");
	assert_string_equal(answers_get(&s.client, "email"), "quist@zanzibar.example");
	assert_string_equal(s.created_at, "2024-06-15T10:30:00Z");
	assert_int_equal(s.intakes, 2);
	/* Every sheet: the intake's, the edit's and the sign-off's. */
	assert_int_equal(s.intake[0].sheets, 3);
	assert_int_equal(s.intake[0].sheet[0].number, 1);
	assert_int_equal(s.intake[0].sheet[2].number, 3);
	assert_true(s.intake[0].sheet[0].advice.count > 0);
	assert_int_equal(s.intake[0].signoffs, 1);
	assert_string_equal(s.intake[0].signoff[0].reference, "REF-Quagga");
	assert_string_equal(answers_get(&s.intake[0].in.answers, "gp_name"), "Dr Xylophone");
	assert_int_equal(s.intake[1].sheets, 1);
	assert_int_equal(s.intake[1].signoffs, 0);
	assert_int_equal(s.drafts, 3);
	/* create, create, edit, signoff: with their changes */
	assert_int_equal(s.audits, 4);
	assert_string_equal(s.audit[2].action, "edit");
	assert_int_equal(s.audit[2].count, 1);
	assert_string_equal(s.audit[2].change[0].field, "email");
	assert_string_equal(s.audit[2].change[0].new_value, "quist@zanzibar.example");
	subject_clear(&s);
	subject_clear(&s); /* twice is harmless */

	assert_int_equal(db_load_subject(db, bea, &s), DB_OK);
	assert_int_equal(s.intakes, 1);
	assert_int_equal(s.drafts, 1);
	assert_int_equal(s.audits, 1);
	subject_clear(&s);
	assert_int_equal(db_load_subject(db, 999, &s), DB_MISSING);
	db_close(db);
}

static void test_erase_client(void **state)
{
	struct fixture *f = *state;
	struct db *db = db_open(f->path);
	struct subject s;
	char *when = NULL, *who = NULL, wal[160];
	long long ana, bea;
	size_t n = 99;

	assert_non_null(db);
	make_two_clients(db, &ana, &bea);
	assert_int_equal(db_erase_client(db, ana, NULL, "Sam", "2026-01-02T03:04:05Z", true, &n), DB_ERASE_OK);
	assert_int_equal(n, 2);
	assert_int_equal(db_erase_finish(db), DB_FINISH_OK);

	/* Only Bea's records are left, and the fact of the erasure. */
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM client"), 1);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM intake"), 1);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM answer WHERE intake_id <> 3"), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM advice_sheet WHERE intake_id <> 3"), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM signoff"), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM draft"), 2);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM draft d JOIN draft_answer a "
					  "ON a.draft_id = d.id WHERE a.value = '1985-07-24'"), 1);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit WHERE client_id = 1 AND "
					  "action = 'erase' AND staff = 'Sam' AND "
					  "at = '2026-01-02T03:04:05Z'"), 3);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit WHERE client_id = 1"), 3);
	/* one per intake, one for the client */
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit WHERE client_id = 1 AND "
					  "intake_id IN (1, 2)"), 2);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit WHERE client_id = 1 AND "
					  "intake_id IS NULL"), 1);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit_change WHERE audit_id IN "
					  "(SELECT id FROM audit WHERE client_id = 1)"), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit WHERE client_id = 2"), 1);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit_change"), 4);

	/* Erased: said so, for the client and each intake. */
	assert_int_equal(db_erased(db, true, ana, &when, &who), 1);
	assert_string_equal(when, "2026-01-02T03:04:05Z");
	assert_string_equal(who, "Sam");
	free(when);
	free(who);
	for (long long i = 1; i <= 2; i++) {
		assert_int_equal(db_erased(db, false, i, &when, &who), 1);
		free(when);
		free(who);
	}
	assert_int_equal(db_erased(db, false, 3, &when, &who), 0);
	assert_int_equal(db_load_subject(db, ana, &s), DB_MISSING);
	assert_int_equal(db_erase_client(db, ana, NULL, "Sam", "2026-01-02T03:04:06Z", true, &n), DB_ERASE_MISSING);
	assert_int_equal(n, 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit WHERE client_id = 1"), 3);

	/* No value is left in the file or its log. */
	snprintf(wal, sizeof wal, "%s-wal", f->path);
	static const char *const gone[] = { "quist", "zanzibar", "Xylophone", "Quagga", "Quokka",
					    "07700 900111" };
	for (size_t i = 0; i < N(gone); i++) {
		if (file_count(f->path, gone[i]) || file_count(wal, gone[i]))
			fail_msg("'%s' is still in the file", gone[i]);
	}
	/* Once: in the draft of the other Ana Quist, born a day later. */
	assert_int_equal(file_count(f->path, "Quist") + file_count(wal, "Quist"), 1);
	assert_true(file_count(f->path, "Rowe") + file_count(wal, "Rowe") > 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM pragma_integrity_check "
					  "WHERE integrity_check <> 'ok'"), 0);

	/* The erasure rows themselves can never go. */
	assert_int_equal(db_erase_client(db, bea, NULL, "Sam", "2026-01-02T03:04:07Z", true, &n), DB_ERASE_OK);
	sqlite3 *h;
	assert_int_equal(sqlite3_open(f->path, &h), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(h, "DELETE FROM audit", NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(h, "UPDATE audit SET staff = 'x'", NULL, NULL, NULL),
			     SQLITE_OK);
	sqlite3_close(h);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit"), 5);
	db_close(db);
}

static void test_erased_ids_are_not_given_again(void **state)
{
	struct fixture *f = *state;
	struct db *db = db_open(f->path);
	char *when = NULL, *who = NULL;
	long long a, b, c;
	size_t n;

	assert_non_null(db);
	save(db, "Ana", "Quist", "1985-07-23", &a);
	long long last = save(db, "Bea", "Rowe", "1990-01-01", &b);
	assert_int_equal(db_erase_client(db, b, NULL, "Sam", "2026-01-02T03:04:05Z", true, &n), DB_ERASE_OK);
	/* Bea had the highest numbers: a new client and intake get new ones. */
	long long next = save(db, "Cy", "Sto", "1970-01-01", &c);
	assert_int_equal(c, b + 1);
	assert_int_equal(next, last + 1);
	assert_int_equal(db_erased(db, true, c, &when, &who), 0);
	assert_int_equal(db_erased(db, false, next, &when, &who), 0);
	/* And erasing the new client works beside the old erasure rows. */
	assert_int_equal(db_erase_client(db, c, NULL, "Sam", "2026-01-02T03:04:06Z", true, &n), DB_ERASE_OK);
	assert_int_equal(n, 1);
	db_close(db);
}

struct old_clients {
	size_t n;
	long long id[8];
	char seen[8][32];
};

static int collect_old(const struct client_match *m, void *arg)
{
	struct old_clients *o = arg;

	assert_true(o->n < 8);
	o->id[o->n] = m->client_id;
	snprintf(o->seen[o->n++], sizeof o->seen[0], "%s", m->last_taken_at);
	return 0;
}

static void test_retention(void **state)
{
	struct fixture *f = *state;
	struct db *db = db_open(f->path);
	struct old_clients o = { 0 };
	long long a, b, c;
	size_t n;

	assert_non_null(db);
	save(db, "Ana", "Quist", "1985-07-23", &a);
	save(db, "Ana", "Quist", "1985-07-23", &a);
	save(db, "Bea", "Rowe", "1990-01-01", &b);
	save(db, "Cy", "Sto", "1970-01-01", &c);
	db_close(db);
	/* Ana: one old intake and one newer; Bea: old; Cy: older still. */
	raw_sql(f->path, "UPDATE intake SET taken_at = '2015-03-01T08:00:00Z' WHERE id = 1;"
			 "UPDATE intake SET taken_at = '2019-05-05T23:59:59Z' WHERE id = 2;"
			 "UPDATE intake SET taken_at = '2018-01-01T00:00:00Z' WHERE id = 3;"
			 "UPDATE intake SET taken_at = '2012-12-12T12:00:00Z' WHERE id = 4;");
	db = db_open(f->path);
	assert_non_null(db);

	assert_int_equal(db_each_client_before(db, "2019-05-05", collect_old, &o), 0);
	assert_int_equal(o.n, 2);
	assert_int_equal(o.id[0], c); /* the longest unseen first */
	assert_string_equal(o.seen[0], "2012-12-12T12:00:00Z");
	assert_int_equal(o.id[1], b);
	memset(&o, 0, sizeof o);
	/* The newest intake counts, by its UTC date: seen on 2019-05-05. */
	assert_int_equal(db_each_client_before(db, "2019-05-06", collect_old, &o), 0);
	assert_int_equal(o.n, 3);
	assert_int_equal(o.id[2], a);
	memset(&o, 0, sizeof o);
	assert_int_equal(db_each_client_before(db, "2000-01-01", collect_old, &o), 0);
	assert_int_equal(o.n, 0);

	/* The check is made again when erasing: seen since, the client stays. */
	assert_int_equal(db_erase_client(db, a, "2019-05-05", "Sam", "2026-01-02T03:04:05Z", true, &n), DB_ERASE_KEPT);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM intake WHERE client_id = 1"), 2);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit WHERE action = 'erase'"), 0);
	assert_int_equal(db_erase_client(db, a, "2019-05-06", "Sam", "2026-01-02T03:04:05Z", true, &n), DB_ERASE_OK);
	assert_int_equal(n, 2);
	assert_int_equal(db_erase_client(db, 999, "2019-05-06", "Sam", "2026-01-02T03:04:05Z", true, &n), DB_ERASE_MISSING);

	/* A client left without intakes (only another program can do that) is
	 * judged by when its record was made. */
	raw_sql(f->path, "DELETE FROM intake WHERE id = 3");
	memset(&o, 0, sizeof o);
	assert_int_equal(db_each_client_before(db, "2024-06-16", collect_old, &o), 0);
	assert_int_equal(o.n, 2);
	assert_int_equal(o.id[1], b);
	assert_string_equal(o.seen[1], "2024-06-15T10:30:00Z");
	db_close(db);
}

/* The client's details are listed once, by the questionnaire's
 * client_field flag: every such question is one of client_field_question(),
 * in the order the storage selects them (db_private.h's CLIENT_COLUMNS). */
static void test_client_fields_from_questionnaire(void **state)
{
	static const char *const columns[] = { "first_name", "last_name", "date_of_birth",
					       "phone", "email" };
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < questionnaire_count; i++)
		n += questionnaire[i].client_field;
	assert_int_equal(n, CLIENT_FIELDS);
	for (size_t k = 0; k < CLIENT_FIELDS; k++) {
		assert_non_null(client_field_question(k));
		assert_true(client_field_question(k)->client_field);
		assert_string_equal(client_field_question(k)->id, columns[k]);
	}
	assert_null(client_field_question(CLIENT_FIELDS));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_fields_from_questionnaire),
		cmocka_unit_test_setup_teardown(test_open_creates_private_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_empty_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_refuses_what_others_can_reach, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_open_missing_folder_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_settings_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_not_sqlite, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_other_programs_sqlite, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_newer_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_load_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_missing_intake, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_client_reused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_failure_keeps_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_intake, setup, teardown),
		cmocka_unit_test_setup_teardown(test_acknowledge_and_clear, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_intake_where, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_contact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_text_is_never_syntax, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_phone_country_codes_agree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_clients_order_and_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit_revision_and_audit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_rows_are_fixed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drafts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_clients, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_clients_folded_and_near, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_subject, setup, teardown),
		cmocka_unit_test_setup_teardown(test_erase_client, setup, teardown),
		cmocka_unit_test_setup_teardown(test_erased_ids_are_not_given_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retention, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_many_clients, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search_index_follows_clients, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search_migration_fills_index, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search_purge_removes_erased_words, setup, teardown),
	};
	return cmocka_run_group_tests_name("db", tests, NULL, NULL);
}
