/* test_oom.c - out of memory: the allocations SQLite and cJSON make during
 * a save (a new file opened, two intakes saved) and an export are failed
 * one after another, until a run completes with none failed.  Each run
 * must end in success or a reported error, leak nothing, and leave a file
 * that passes integrity_check with the intakes saved before in it.  Our
 * own malloc() calls (strdup and friends) are not injected.
 *
 * Failing literally every allocation in turn (k = 1, 2, ...: some 20 000
 * runs for the save) takes ten minutes, so by default each allocation
 * *site* fails once, at its first call: a site is where SQLite or cJSON
 * allocates (its innermost frames) and the whole path through our code
 * that led there.  Every error path of ours is still taken from every
 * SQLite and cJSON call it can fail in.  SMP_OOM_EVERY=1 fails every
 * allocation instead (a deep run, done before each release).  Under
 * SMP_TEST_WRAPPER (make valgrind) sites are told apart by fewer frames,
 * so fewer runs are made.  A leak in any run shows at exit under
 * LeakSanitizer (make check) and valgrind (make valgrind); SQLite's own
 * count of the memory it holds is also checked after every run. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include <cJSON.h>
#include <execinfo.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "advice.h"
#include "db.h"
#include "export.h"
#include "json.h"
#include "uuid.h"

/* No operation here makes more allocations: a run this long is a loop. */
#define RUNS_MAX   100000
#define SITES_MAX  (1 << 16) /* a power of two */
#define FRAMES_MAX 128

/* The linker's marks around this program's code (ours, statically linked). */
extern char __executable_start, etext;

/* ---- the injector: one count for SQLite's and cJSON's allocations ---- */

static struct {
	bool on;
	bool every;		  /* fail every allocation in turn, not each site once */
	bool sticky;		  /* every allocation after the failed one fails too */
	int inner;		  /* library frames that tell sites apart */
	long count;		  /* allocations so far in this run */
	long from;		  /* the first that may fail: one after the last run's */
	long failed;		  /* the one that failed in this run; 0: none yet */
	uint64_t site[SITES_MAX]; /* the sites failed so far (0: empty slot) */
	size_t sites;
} inj;

static sqlite3_mem_methods sqlite_default;

static bool in_program(const void *addr)
{
	return (const char *)addr >= &__executable_start && (const char *)addr < &etext;
}

/* Where this allocation is made: the allocator's innermost callers in
 * SQLite or cJSON, and every frame of ours above them (FNV-1a). */
static uint64_t site_key(void)
{
	void *frame[FRAMES_MAX];
	int n = backtrace(frame, FRAMES_MAX), i = 0, lib = 0;
	uint64_t h = 14695981039346656037ULL;

	/* Past the injector itself (and, under ASan, its backtrace()). */
	while (i < n && !in_program(frame[i]))
		i++;
	while (i < n && in_program(frame[i]))
		i++;
	for (; i < n; i++) {
		if (in_program(frame[i]) || lib++ < inj.inner) {
			h ^= (uint64_t)(uintptr_t)frame[i];
			h *= 1099511628211ULL;
		}
	}
	return h ? h : 1;
}

/* Adds key to the sites failed; false when it was there already. */
static bool site_is_new(uint64_t key)
{
	size_t i = (size_t)key & (SITES_MAX - 1);

	while (inj.site[i]) {
		if (inj.site[i] == key)
			return false;
		i = (i + 1) & (SITES_MAX - 1);
	}
	assert_true(inj.sites < SITES_MAX / 2);
	inj.site[i] = key;
	inj.sites++;
	return true;
}

static bool inject_fails(void)
{
	if (!inj.on)
		return false;
	inj.count++;
	if (inj.failed)
		return inj.sticky;
	if (inj.count < inj.from || (!inj.every && !site_is_new(site_key())))
		return false;
	inj.failed = inj.count;
	return true;
}

static void *sqlite_malloc(int n)
{
	return inject_fails() ? NULL : sqlite_default.xMalloc(n);
}

static void *sqlite_realloc(void *p, int n)
{
	return inject_fails() ? NULL : sqlite_default.xRealloc(p, n);
}

static void *cjson_malloc(size_t n)
{
	return inject_fails() ? NULL : malloc(n);
}

/* SQLite's default allocator with malloc and realloc wrapped; cJSON's
 * malloc wrapped (cJSON then grows its print buffer by malloc and copy,
 * as it uses realloc only with the default hooks).  SQLite takes the
 * methods only before it is initialised: this runs first in main(). */
static void install_injector(void)
{
	static sqlite3_mem_methods wrapped;
	cJSON_Hooks hooks = {cjson_malloc, free};
	void *frame[1];
	const char *wrapper = getenv("SMP_TEST_WRAPPER");
	const char *every = getenv("SMP_OOM_EVERY");

	if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sqlite_default) != SQLITE_OK) {
		fprintf(stderr, "test_oom: cannot read SQLite's allocator\n");
		exit(1);
	}
	wrapped = sqlite_default;
	wrapped.xMalloc = sqlite_malloc;
	wrapped.xRealloc = sqlite_realloc;
	if (sqlite3_config(SQLITE_CONFIG_MALLOC, &wrapped) != SQLITE_OK ||
	    sqlite3_initialize() != SQLITE_OK) {
		fprintf(stderr, "test_oom: cannot install the failing allocator\n");
		exit(1);
	}
	cJSON_InitHooks(&hooks);
	backtrace(frame, 1); /* loads the unwinder now, not inside a run */
	inj.every = every && *every && strcmp(every, "0") != 0;
	inj.inner = wrapper && *wrapper ? 1 : 2;
}

/* Starts a new series of runs (a new operation, or sticky failures). */
static void inject_series(bool sticky)
{
	memset(inj.site, 0, sizeof inj.site);
	inj.sites = 0;
	inj.sticky = sticky;
	inj.from = 1;
}

static void inject_start(void)
{
	inj.count = 0;
	inj.failed = 0;
	inj.on = true;
}

/* Ends a run; returns whether an allocation failed in it. */
static bool inject_stop(void)
{
	inj.on = false;
	if (inj.failed)
		inj.from = inj.failed + 1;
	return inj.failed != 0;
}

/* ---- what the program writes on stderr meanwhile ---- */

struct capture {
	int saved;
	FILE *f;
};

static void capture_start(struct capture *c)
{
	fflush(stderr);
	c->f = tmpfile();
	assert_non_null(c->f);
	c->saved = dup(STDERR_FILENO);
	assert_true(c->saved >= 0);
	assert_true(dup2(fileno(c->f), STDERR_FILENO) >= 0);
}

/* Restores stderr; true when it got at least one line and every line is
 * a report ("smp-intake: ..."). */
static bool capture_end(struct capture *c)
{
	char line[2048];
	int lines = 0;
	bool ok = true;

	fflush(stderr);
	assert_true(dup2(c->saved, STDERR_FILENO) >= 0);
	close(c->saved);
	rewind(c->f);
	while (fgets(line, sizeof line, c->f)) {
		lines++;
		if (strncmp(line, "smp-intake: ", 12) != 0) {
			fprintf(stderr, "test_oom: not a report: %s", line);
			ok = false;
		}
	}
	fclose(c->f);
	return ok && lines > 0;
}

/* ---- intakes ---- */

/* A folder in memory when there is one: hundreds of runs each sync the
 * file several times, seconds on a disk and nothing on tmpfs. */
static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	if (!tmp || strlen(tmp) >= 40)
		tmp = access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : "/tmp";
	return fixture_make(state, tmp, "oom", "intake.db");
}

static int teardown(void **state)
{
	return fixture_remove(state);
}

/* Removes the database and what SQLite keeps beside it. */
static void remove_db(const char *path)
{
	char p[160];

	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
}

/* An intake with every question answered (first names differ so that each
 * is a client of its own), with its advice. */
static void full_intake(struct intake *in, const char *first)
{
	static const struct settings s = SETTINGS_DEFAULT;
	static const char *const pairs[] = {
	    "consent_storage=yes",
	    "last_name=Silva-Ø",
	    "date_of_birth=1985-07-23",
	    "phone=+44 7700 900123",
	    "email=ana@example.com",
	    "hair_loss_notes=crown \xe2\x80\x94 three years\nand temples",
	    "uses_rogaine=yes",
	    "rogaine_form=foam",
	    "rogaine_since=2024-01-10",
	    "uses_propecia=yes",
	    "propecia_form=topical",
	    "uses_other_topical=yes",
	    "other_topical_products=Nizoral 2%",
	    "uses_other_medical=yes",
	    "other_medical_products=spironolactone",
	    "gp_discussed=yes",
	    "gp_signoff=obtained",
	    "gp_name=Dr Okafor",
	    "gp_signoff_date=2026-01-05",
	    "wants_root_cause_help=yes",
	    "planned_session_date=2026-12-01",
	    NULL};

	memset(in, 0, sizeof *in);
	fill(&in->answers, pairs);
	assert_int_equal(answers_set(&in->answers, "first_name", first), 0);
	assert_int_equal(uuid_v4(in->uuid), 0);
	in->taken_at = strdup("2026-06-15T10:30:00Z");
	in->staff = strdup("Mia");
	assert_non_null(in->taken_at);
	assert_non_null(in->staff);
	assert_int_equal(advice_for_answers(&in->answers, &s, &in->advice), 0);
}

static bool same_text(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static bool same_intake(const struct intake *a, const struct intake *b)
{
	if (strcmp(a->uuid, b->uuid) != 0 || !same_text(a->taken_at, b->taken_at) ||
	    !same_text(a->staff, b->staff) || a->advice.count != b->advice.count)
		return false;
	for (size_t i = 0; i < questionnaire_count; i++)
		if (!same_text(a->answers.value[i], b->answers.value[i]))
			return false;
	for (size_t i = 0; i < a->advice.count; i++)
		if (!same_text(a->advice.item[i].id, b->advice.item[i].id) ||
		    !same_text(a->advice.item[i].text, b->advice.item[i].text))
			return false;
	return true;
}

/* The intakes found on reopening, in id order. */
struct found {
	const struct intake *expect[4];
	size_t expected, seen;
	bool ok;
};

static int check_found(const struct intake *in, void *arg)
{
	struct found *fd = arg;

	if (fd->seen >= fd->expected || !same_intake(in, fd->expect[fd->seen]))
		fd->ok = false;
	fd->seen++;
	return 0;
}

static void assert_integrity_ok(const char *path)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;

	assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_close(h), SQLITE_OK);
}

/* Reopens path without failures: it passes integrity_check and holds
 * exactly the intakes in fd->expect. */
static void assert_holds(const char *path, struct found *fd)
{
	struct db *db;

	assert_integrity_ok(path);
	db = db_open(path);
	assert_non_null(db);
	fd->seen = 0;
	fd->ok = true;
	assert_int_equal(db_each_intake(db, check_found, fd), 0);
	db_close(db);
	assert_true(fd->ok);
	assert_int_equal(fd->seen, fd->expected);
}

/* SQLite gives back everything once the connection is closed. */
static void assert_sqlite_memory_back(sqlite3_int64 before)
{
	if (sqlite3_memory_used() != before)
		fail_msg("allocation %ld failed: SQLite holds %lld bytes more after closing",
			 inj.failed, (long long)(sqlite3_memory_used() - before));
}

/* Runs fn until a run fails no allocation; fn returns whether one failed.
 * Returns the number of runs with a failure. */
static long run_series(const char *what, bool sticky, bool (*fn)(void *), void *arg)
{
	long runs = 0;

	inject_series(sticky);
	while (fn(arg))
		if (++runs >= RUNS_MAX)
			fail_msg("%s: still failing allocations after %ld runs", what, runs);
	/* Many failures were met: the series did test something (fewer sites
	 * are told apart under valgrind, and CSV calls no cJSON). */
	assert_true(runs > 20);
	print_message("%s: %ld runs, each failing %s%s\n", what, runs,
		      inj.every ? "the next allocation" : "a new allocation site",
		      sticky ? " and every allocation after it" : "");
	return runs;
}

/* ---- the save ---- */

struct save_case {
	const char *path;
};

/* Opens a new file and saves two intakes (the second saved after the
 * first is in the file) with one allocation failing (and, sticky, every
 * one after it).  Returns whether an allocation failed. */
static bool save_run(void *arg)
{
	const struct save_case *c = arg;
	struct intake a, b;
	struct found fd = {{NULL}, 0, 0, true};
	struct capture cap;
	struct db *db;
	sqlite3_int64 before = sqlite3_memory_used();
	int ra = -1, rb = -1;
	bool reported, failed;

	full_intake(&a, "Ana");
	full_intake(&b, "Bea");
	remove_db(c->path);
	capture_start(&cap);
	inject_start();
	db = db_open(c->path);
	if (db) {
		ra = db_save_intake(db, &a);
		rb = db_save_intake(db, &b);
	}
	db_close(db);
	failed = inject_stop();
	reported = capture_end(&cap);
	assert_sqlite_memory_back(before);
	if (!failed && (!db || ra < 0 || rb < 0))
		fail_msg("the save failed with no allocation failed");
	if ((!db || ra < 0 || rb < 0) && !reported)
		fail_msg("allocation %ld failed: a save failed without a clear report", inj.failed);
	if (ra == 0)
		fd.expect[fd.expected++] = &a;
	if (rb == 0)
		fd.expect[fd.expected++] = &b;
	assert_holds(c->path, &fd);
	intake_clear(&a);
	intake_clear(&b);
	return failed;
}

static void test_save_each_allocation_fails(void **state)
{
	struct fixture *f = *state;
	struct save_case c = {f->path};

	run_series("save", false, save_run, &c);
}

static void test_save_allocations_fail_for_good(void **state)
{
	struct fixture *f = *state;
	struct save_case c = {f->path};

	run_series("save", true, save_run, &c);
}

/* ---- the export ---- */

/* The format of the export under test (the test runs each in turn). */
static enum export_format export_fmt;

/* The export as src/cmd_export.c makes it: export_write(), every intake
 * from one snapshot, their clients gathered for the access log.  Returns 0
 * or -1. */
static int export_intakes(struct db *db, FILE *f)
{
	static const struct export_query all = { { NULL, NULL, false, 0, false }, false, false, NULL };
	struct idset clients = IDSET_EMPTY;
	long long n = export_write(db, &all, export_fmt, f, false, false, "2026-01-01T00:00:00Z",
				   &clients);

	idset_clear(&clients);
	return n < 0 ? -1 : 0;
}

/* Opens path (an existing file) and exports it into *text (allocated). */
static int export_file(const char *path, char **text)
{
	size_t len;
	FILE *f = open_memstream(text, &len);
	struct db *db;
	int rc = -1;

	assert_non_null(f);
	if ((db = db_open(path)))
		rc = export_intakes(db, f);
	db_close(db);
	assert_int_equal(fclose(f), 0);
	return rc;
}

struct export_case {
	const char *path;
	const char *want; /* the export made without failures */
	struct found fd;  /* the intakes in the file */
};

static bool export_run(void *arg)
{
	struct export_case *c = arg;
	struct capture cap;
	sqlite3_int64 before = sqlite3_memory_used();
	char *got = NULL;
	bool failed, reported;
	int rc;

	capture_start(&cap);
	inject_start();
	rc = export_file(c->path, &got);
	failed = inject_stop();
	reported = capture_end(&cap);
	assert_sqlite_memory_back(before);
	if (rc == 0 && strcmp(got, c->want) != 0)
		fail_msg("allocation %ld failed: the export succeeded but differs:\n%s", inj.failed,
			 got);
	if (rc < 0 && (!failed || !reported))
		fail_msg("allocation %ld failed: the export failed without a clear report",
			 inj.failed);
	free(got);
	assert_holds(c->path, &c->fd);
	return failed;
}

static void test_export_each_allocation_fails(void **state)
{
	static const struct settings s = SETTINGS_DEFAULT;
	static const char *const choices[] = {"uses_rogaine", "uses_propecia", "uses_other_topical",
					      "uses_other_medical", "wants_root_cause_help"};
	struct fixture *f = *state;
	struct intake in[3];
	struct export_case c = {f->path, NULL, {{&in[0], &in[1], &in[2]}, 3, 0, true}};
	struct db *db = db_open(f->path);
	char *want = NULL;

	assert_non_null(db);
	full_intake(&in[0], "Ana");
	full_intake(&in[1], "Bea");
	/* The third as short as an intake gets: no treatment, nothing optional. */
	full_intake(&in[2], "Cy");
	for (size_t i = 0; i < questionnaire_count; i++)
		if (!questionnaire[i].required || questionnaire[i].when.kind != WHEN_ALWAYS)
			assert_int_equal(answers_set(&in[2].answers, questionnaire[i].id, NULL), 0);
	for (size_t i = 0; i < sizeof choices / sizeof choices[0]; i++)
		assert_int_equal(answers_set(&in[2].answers, choices[i], "no"), 0);
	advice_sheet_clear(&in[2].advice);
	assert_int_equal(advice_for_answers(&in[2].answers, &s, &in[2].advice), 0);
	/* The first with the consultation record too: screening answers that
	 * raise flags (one cleared), several choices, an acknowledgement. */
	static const char *const screening[] = {
	    "scalp_conditions=psoriasis,other", "scalp_conditions_detail=dry patch",
	    "keloid_history=yes", "blood_thinners=no", "allergies=yes", "allergies_detail=latex",
	    "pregnant_or_breastfeeding=no"};
	for (size_t i = 0; i < sizeof screening / sizeof screening[0]; i++) {
		char pair[64], *eq;
		snprintf(pair, sizeof pair, "%s", screening[i]);
		eq = strchr(pair, '=');
		*eq = '\0';
		assert_int_equal(answers_set(&in[0].answers, pair, eq + 1), 0);
	}
	assert_non_null(in[0].ack.typed_name = strdup("Ana Silva-\xc3\x98"));
	assert_non_null(in[0].ack.at = strdup("2026-01-05T10:00:00Z"));
	assert_non_null(in[0].ack.staff = strdup("Dana"));
	for (int i = 0; i < 3; i++)
		assert_int_equal(db_save_intake(db, &in[i]), 0);
	struct clearance cleared = {(char *)"flag-keloid", (char *)"Test area healed flat",
				    (char *)"2026-01-06T10:00:00Z", (char *)"Sam"};
	assert_int_equal(db_clear_flag(db, in[0].id, &cleared), 0);
	/* A course for the first: its consents (one changed later) and a
	 * photo, which the FHIR export and the course CSV files carry. */
	int changed;
	assert_int_equal(db_set_consent(db, in[0].client_id, "photos", "yes", in[0].id,
					"2026-01-05T10:00:00Z", "Dana", &changed), DB_OK);
	assert_int_equal(db_set_consents(db, in[0].client_id, NULL, "yes", "2026-01-07T10:00:00Z",
					 "Sam", &changed), DB_OK);
	struct photo ph = {.intake_id = in[0].id, .view = (char *)"front",
			   .media_type = (char *)"image/jpeg", .size = 4,
			   .sha256 = "7d7a1ba2c1e7d8be1c5d1c7e1f3c2d8a4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d",
			   .added_at = (char *)"2026-01-05T11:00:00Z", .staff = (char *)"Dana"};
	assert_int_equal(db_save_photo(db, &ph, "\xff\xd8\xff\xe0", 4), DB_OK);
	db_close(db);
	for (export_fmt = EXPORT_JSON; export_fmt <= EXPORT_CSV_CONSENTS; export_fmt++) {
		assert_int_equal(export_file(f->path, &want), 0);
		switch (export_fmt) {
		case EXPORT_CSV_SESSIONS: /* no session: the header row alone */
			assert_ptr_equal(strchr(want, '\n'), want + strlen(want) - 1);
			break;
		case EXPORT_CSV_PHOTOS:
			assert_non_null(strstr(want, ph.uuid));
			break;
		case EXPORT_CSV_CONSENTS:
			assert_non_null(strstr(want, "marketing,yes,2026-01-07T10:00:00Z,Sam,no"));
			break;
		default:
			assert_non_null(strstr(want, in[2].uuid));
			assert_non_null(strstr(want, "flag-keloid"));
			if (export_fmt == EXPORT_CSV)
				break;
			/* The reasons and the course are in the other formats. */
			assert_non_null(strstr(want, "Test area healed flat"));
			assert_non_null(strstr(want, ph.uuid));
			if (export_fmt == EXPORT_FHIR)
				assert_non_null(strstr(want, "\"resourceType\":\"Consent\""));
		}
		c.want = want;
		run_series("export", false, export_run, &c);
		run_series("export", true, export_run, &c);
		free(want);
		want = NULL;
	}
	for (int i = 0; i < 3; i++)
		intake_clear(&in[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_save_each_allocation_fails, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_save_allocations_fail_for_good, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_export_each_allocation_fails, setup, teardown),
	};

	install_injector();
	return cmocka_run_group_tests_name("oom", tests, NULL, NULL);
}
