/* test_db_course.c - unit tests for the course's storage (db_course.c):
 * sessions, patch-test results, consents, photos and the studio's
 * aftercare text, each saved with its audit row and read back. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db.h"
#include "uuid.h"

struct fx {
	void *fixture; /* struct fixture (unit.h) */
	struct db *db;
	long long intake, client;
};

/* Saves an intake of a client named first last taken at taken_at; its id,
 * or -1. */
static long long add_intake(struct db *db, const char *first, const char *last,
			    const char *taken_at, long long *client)
{
	static const struct settings s = SETTINGS_DEFAULT;
	struct intake in;
	long long id = -1;

	memset(&in, 0, sizeof in);
	fill(&in.answers, NULL);
	if (uuid_v4(in.uuid) < 0)
		return -1;
	in.taken_at = strdup(taken_at);
	in.staff = strdup("Mia");
	answers_set(&in.answers, "consent_storage", "yes");
	answers_set(&in.answers, "first_name", first);
	answers_set(&in.answers, "last_name", last);
	answers_set(&in.answers, "date_of_birth", "1980-02-03");
	if (advice_for_answers(&in.answers, &s, &in.advice) == 0 && db_save_intake(db, &in) == 0) {
		id = in.id;
		if (client)
			*client = in.client_id;
	}
	intake_clear(&in);
	return id;
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof *fx);

	umask(077);
	if (!fx || fixture_make(&fx->fixture, NULL, "course", "intake.db") != 0)
		return -1;
	*state = fx;
	fx->db = db_open(((struct fixture *)fx->fixture)->path);
	if (!fx->db)
		return -1;
	fx->intake = add_intake(fx->db, "Ada", "Brook", "2026-11-01T10:00:00Z", &fx->client);
	return fx->intake > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	int rc;

	db_close(fx->db);
	rc = fixture_remove(&fx->fixture);
	free(fx);
	return rc;
}

static void make_session(struct session *s, long long intake, const char *lot)
{
	memset(s, 0, sizeof *s);
	s->intake_id = intake;
	s->number = 1;
	s->intake_revision = 1;
	s->performed_on = strdup("2026-11-20");
	s->artist = strdup("Jo Artist");
	s->areas = strdup("hairline,crown");
	s->lot = lot ? strdup(lot) : NULL;
	s->lot_expiry = strdup("2027-06");
	s->rescreen = strdup("unchanged");
	s->id_checked = strdup("passport");
	s->countersigned = strdup("Jo Artist");
	s->staff = strdup("Mia");
	s->patch_test = true;
}

static int count_lot(const struct session *s, void *arg)
{
	(void)s;
	++*(int *)arg;
	return 0;
}

static void test_session_round_trip(void **state)
{
	struct fx *fx = *state;
	struct session s, back;
	struct session_query q = { 0, 0, "lot-a1" };
	int n = 0;

	make_session(&s, fx->intake, "LOT-A1");
	assert_int_equal(db_save_session(fx->db, &s, 0), DB_OK);
	assert_true(s.id > 0);
	assert_int_equal(s.client_id, fx->client);
	assert_int_equal(strlen(s.uuid), 36);
	assert_int_equal(db_load_session(fx->db, s.id, &back), DB_OK);
	assert_string_equal(back.areas, "hairline,crown");
	assert_string_equal(back.lot, "LOT-A1");
	assert_string_equal(back.uuid, s.uuid);
	assert_null(back.notes);
	assert_null(back.reaction);
	assert_true(back.patch_test);
	/* The lot is found whatever its case. */
	assert_int_equal(db_each_session(fx->db, &q, count_lot, &n), 0);
	assert_int_equal(n, 1);
	q.lot = "LOT-B2";
	n = 0;
	assert_int_equal(db_each_session(fx->db, &q, count_lot, &n), 0);
	assert_int_equal(n, 0);
	/* The patch test's result, then a session that is no patch test. */
	assert_int_equal(db_session_result(fx->db, s.id, "mild", "slight redness",
					   "2026-11-22T09:00:00Z", "Mia"), DB_OK);
	session_clear(&back);
	assert_int_equal(db_load_session(fx->db, s.id, &back), DB_OK);
	assert_string_equal(back.reaction, "mild");
	assert_string_equal(back.reaction_note, "slight redness");
	session_clear(&back);
	assert_int_equal(db_session_result(fx->db, 9999, "none", NULL, "2026-11-22T09:00:00Z", "Mia"),
			 DB_MISSING);
	session_clear(&s);
	make_session(&s, fx->intake, NULL);
	s.patch_test = false;
	s.number = 2;
	assert_int_equal(db_save_session(fx->db, &s, 0), DB_OK);
	assert_int_equal(db_session_result(fx->db, s.id, "none", NULL, "2026-11-22T09:00:00Z", "Mia"),
			 DB_CONFLICT);
	session_clear(&s);
}

static void test_session_refused_on_changed_or_missing_intake(void **state)
{
	struct fx *fx = *state;
	struct session s;

	make_session(&s, fx->intake, "L1");
	s.intake_revision = 2; /* the intake is at revision 1 */
	assert_int_equal(db_save_session(fx->db, &s, 0), DB_CONFLICT);
	assert_int_equal(s.id, 0);
	s.intake_id = 9999;
	assert_int_equal(db_save_session(fx->db, &s, 0), DB_MISSING);
	session_clear(&s);
}

static void test_consent_and_photo(void **state)
{
	struct fx *fx = *state;
	struct consent_state c;
	struct photo p, back;
	void *data = NULL;
	size_t n = 0;
	int changed = -1;
	static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 1, 2, 3 };

	assert_int_equal(db_consent(fx->db, fx->client, &c), DB_OK);
	assert_string_equal(c.photos, "");
	assert_int_equal(db_consent(fx->db, 9999, &c), DB_MISSING);

	memset(&p, 0, sizeof p);
	p.intake_id = fx->intake;
	p.view = strdup("front");
	p.media_type = strdup("image/png");
	p.staff = strdup("Mia");
	snprintf(p.sha256, sizeof p.sha256, "%064d", 0);
	/* No consent to stored photos: refused, nothing kept. */
	assert_int_equal(db_save_photo(fx->db, &p, png, sizeof png), DB_CONFLICT);
	assert_int_equal(p.id, 0);

	assert_int_equal(db_set_consent(fx->db, fx->client, "photos", "yes", fx->intake,
					"2026-11-01T10:00:00Z", "Mia", &changed), DB_OK);
	assert_int_equal(changed, 1);
	assert_int_equal(db_set_consent(fx->db, fx->client, "photos", "yes", 0,
					"2026-11-02T10:00:00Z", "Mia", &changed), DB_OK);
	assert_int_equal(changed, 0);
	assert_int_equal(db_consent(fx->db, fx->client, &c), DB_OK);
	assert_string_equal(c.photos, "yes");
	assert_string_equal(c.photos_at, "2026-11-01T10:00:00Z");
	assert_string_equal(c.marketing, "");

	assert_int_equal(db_save_photo(fx->db, &p, png, sizeof png), DB_OK);
	assert_true(p.id > 0);
	assert_int_equal(p.client_id, fx->client);
	assert_int_equal(db_load_photo(fx->db, p.id, &back, &data, &n), DB_OK);
	assert_int_equal(n, sizeof png);
	assert_memory_equal(data, png, sizeof png);
	assert_string_equal(back.view, "front");
	assert_int_equal(back.size, (long long)sizeof png);
	free(data);
	photo_clear(&back);

	/* Withdrawn: the next photo is refused. */
	assert_int_equal(db_set_consent(fx->db, fx->client, "photos", "no", 0,
					"2026-11-03T10:00:00Z", "Mia", &changed), DB_OK);
	long long first = p.id;
	p.id = 0;
	p.uuid[0] = '\0';
	assert_int_equal(db_save_photo(fx->db, &p, png, sizeof png), DB_CONFLICT);
	assert_int_equal(db_remove_photo(fx->db, first, "2026-11-04T10:00:00Z", "Mia"), DB_OK);
	assert_int_equal(db_load_photo(fx->db, first, &back, NULL, NULL), DB_MISSING);
	assert_int_equal(db_remove_photo(fx->db, first, "2026-11-04T10:00:00Z", "Mia"), DB_MISSING);
	photo_clear(&p);
}

/* Counts the "consent" audit rows and their changes into arg[0], arg[1]. */
static int count_consent_audit(const struct audit_entry *e, void *arg)
{
	long long *tally = arg;

	if (strcmp(e->action, "consent") == 0) {
		tally[0]++;
		tally[1] += (long long)e->count;
		assert_int_equal(e->intake_id, 0);
	}
	return 0;
}

static int gather_consent(const struct consent_row *r, void *arg)
{
	char *out = arg;
	char line[80];

	snprintf(line, sizeof line, "%s=%s@%lld;", r->kind, r->value, r->intake_id);
	strcat(out, line);
	return 0;
}

/* `consent`'s two at once: one transaction, one audit row naming each
 * that changed; an intake of 2026.4 records its answers as it is saved. */
static void test_consents_set_together_and_at_intake(void **state)
{
	static const struct settings s = SETTINGS_DEFAULT;
	struct fx *fx = *state;
	struct consent_state c;
	struct intake in;
	char rows[512] = "";
	long long audits = 0, changes = 0;
	int changed = -1;

	assert_int_equal(db_set_consents(fx->db, fx->client, "yes", "yes", "2026-11-02T10:00:00Z",
					 "Mia", &changed), DB_OK);
	assert_int_equal(changed, 2);
	assert_int_equal(db_set_consents(fx->db, fx->client, NULL, "yes", "2026-11-02T11:00:00Z",
					 "Mia", &changed), DB_OK);
	assert_int_equal(changed, 0);
	assert_int_equal(db_set_consents(fx->db, fx->client, "yes", "no", "2026-11-03T10:00:00Z",
					 "Mia", &changed), DB_OK);
	assert_int_equal(changed, 1);
	assert_int_equal(db_set_consents(fx->db, 9999, "no", NULL, "2026-11-03T10:00:00Z", "Mia",
					 &changed), DB_MISSING);
	long long tally[2] = { 0, 0 };
	assert_int_equal(db_each_client_audit(fx->db, fx->client, count_consent_audit, tally), 0);
	audits = tally[0];
	changes = tally[1];
	assert_int_equal(audits, 2);
	assert_int_equal(changes, 3);
	assert_int_equal(db_consent(fx->db, fx->client, &c), DB_OK);
	assert_string_equal(c.photos, "yes");
	assert_string_equal(c.marketing, "no");
	assert_string_equal(c.marketing_at, "2026-11-03T10:00:00Z");

	/* A new intake of the same client, photos no: both recorded with it. */
	memset(&in, 0, sizeof in);
	fill(&in.answers, NULL);
	assert_int_equal(uuid_v4(in.uuid), 0);
	in.taken_at = strdup("2026-11-05T10:00:00Z");
	in.staff = strdup("Mia");
	in.client_id = fx->client;
	answers_set(&in.answers, "consent_storage", "yes");
	answers_set(&in.answers, "first_name", "Ada");
	answers_set(&in.answers, "last_name", "Brook");
	answers_set(&in.answers, "date_of_birth", "1980-02-03");
	answers_set(&in.answers, "hair_loss_scale", "norwood_2");
	answers_set(&in.answers, "treatment_type", "density");
	answers_set(&in.answers, "consent_photos", "no");
	assert_int_equal(advice_for_answers(&in.answers, &s, &in.advice), 0);
	assert_int_equal(db_save_intake(fx->db, &in), 0);
	assert_int_equal(db_each_consent(fx->db, fx->client, gather_consent, rows), 0);
	char want[256];
	snprintf(want, sizeof want,
		 "photos=yes@0;marketing=yes@0;marketing=no@0;photos=no@%lld;", in.id);
	/* marketing already stood at no: no row for it. */
	assert_string_equal(rows, want);
	intake_clear(&in);
}

static int count_any(const void *x, void *arg)
{
	(void)x;
	++*(int *)arg;
	return 0;
}

static int count_session(const struct session *s, void *arg)
{
	return count_any(s, arg);
}

static int count_photo(const struct photo *p, void *arg)
{
	return count_any(p, arg);
}

/* The file and its log hold text nowhere (read whole). */
static void assert_not_in_file(const char *path, const char *text)
{
	char name[4096];

	for (int k = 0; k < 2; k++) {
		snprintf(name, sizeof name, "%s%s", path, k ? "-wal" : "");
		FILE *f = fopen(name, "rb");
		if (!f)
			continue;
		size_t cap = 1 << 20, len = 0, got;
		char *buf = malloc(cap);
		assert_non_null(buf);
		while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
			len += got;
			if (len == cap) {
				buf = realloc(buf, cap *= 2);
				assert_non_null(buf);
			}
		}
		fclose(f);
		size_t tl = strlen(text);
		for (size_t at = 0; at + tl <= len; at++)
			assert_false(memcmp(buf + at, text, tl) == 0);
		free(buf);
	}
}

/* erase takes the client's sessions (their text), photos (their bytes),
 * consents and session drafts with it, and leaves none of it in the file. */
static void test_erase_takes_the_course(void **state)
{
	struct fx *fx = *state;
	struct session s;
	struct photo p;
	struct consent_state c;
	struct session_query sq = { 0, fx->client, NULL };
	struct photo_query pq = { .client_id = fx->client };
	int changed, n = 0;
	size_t intakes;
	unsigned char jpeg[4096];

	make_session(&s, fx->intake, "LOT-QZX7731");
	s.notes = strdup("Notes of Vexquill the crown scar");
	assert_int_equal(db_save_session(fx->db, &s, 0), DB_OK);
	assert_int_equal(db_set_consent(fx->db, fx->client, "photos", "yes", 0,
					"2026-11-01T10:00:00Z", "Mia", &changed), DB_OK);
	memset(jpeg, 'Q', sizeof jpeg);
	memcpy(jpeg + 100, "IMAGEBYTESVEXQ", 14);
	memset(&p, 0, sizeof p);
	p.session_id = s.id;
	p.view = strdup("crown");
	p.media_type = strdup("image/jpeg");
	p.staff = strdup("Mia");
	snprintf(p.sha256, sizeof p.sha256, "%064d", 0);
	assert_int_equal(db_save_photo(fx->db, &p, jpeg, sizeof jpeg), DB_OK);
	assert_int_equal(db_each_session(fx->db, &sq, count_session, &n), 0);
	assert_int_equal(db_each_photo(fx->db, &pq, count_photo, &n), 0);
	assert_int_equal(n, 2);

	assert_int_equal(db_erase_client(fx->db, fx->client, NULL, "Mia", "2026-11-05T10:00:00Z",
					 true, &intakes), DB_ERASE_OK);
	assert_int_equal(db_erase_finish(fx->db), DB_FINISH_OK);
	n = 0;
	assert_int_equal(db_each_session(fx->db, NULL, count_session, &n), 0);
	assert_int_equal(db_each_photo(fx->db, NULL, count_photo, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(db_consent(fx->db, fx->client, &c), DB_MISSING);
	const char *path = ((struct fixture *)fx->fixture)->path;
	assert_not_in_file(path, "IMAGEBYTESVEXQ");
	assert_not_in_file(path, "LOT-QZX7731");
	assert_not_in_file(path, "Vexquill");
	session_clear(&s);
	photo_clear(&p);
}

static void test_aftercare_versions(void **state)
{
	struct fx *fx = *state;
	long long v = -1, got = -1;
	char *text = NULL;

	assert_int_equal(db_aftercare(fx->db, 0, &got, &text), 0);
	assert_int_equal(got, 0);
	assert_null(text);
	assert_int_equal(db_set_aftercare(fx->db, "Keep it dry.", "2026-11-01T10:00:00Z", "Mia", &v),
			 0);
	assert_int_equal(v, 1);
	assert_int_equal(db_set_aftercare(fx->db, "Keep it dry for 3 days.", "2026-11-02T10:00:00Z",
					  "Mia", &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(db_aftercare(fx->db, 0, &got, &text), 0);
	assert_int_equal(got, 2);
	assert_string_equal(text, "Keep it dry for 3 days.");
	free(text);
	assert_int_equal(db_aftercare(fx->db, 1, &got, &text), 0);
	assert_string_equal(text, "Keep it dry.");
	free(text);
}

/* An empty latest version is the studio's text removed: none now, while
 * the versions before it (named by old sessions) stay readable. */
static void test_aftercare_removed(void **state)
{
	struct fx *fx = *state;
	struct aftercare_info info;
	long long v = -1, got = -1;
	char *text = NULL;

	assert_int_equal(db_aftercare_info(fx->db, &info), 0);
	assert_int_equal(info.version, 0);
	assert_int_equal(db_set_aftercare(fx->db, "Keep it dry.", "2026-11-01T10:00:00Z", "Mia", &v),
			 0);
	assert_int_equal(db_set_aftercare(fx->db, "", "2026-11-03T10:00:00Z", "Sam", &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(db_aftercare(fx->db, 0, &got, &text), 0);
	assert_int_equal(got, 0);
	assert_null(text);
	assert_int_equal(db_aftercare(fx->db, 1, &got, &text), 0);
	assert_int_equal(got, 1);
	assert_string_equal(text, "Keep it dry.");
	free(text);
	assert_int_equal(db_aftercare_info(fx->db, &info), 0);
	assert_int_equal(info.version, 2);
	assert_true(info.removed);
	assert_string_equal(info.set_at, "2026-11-03T10:00:00Z");
	assert_string_equal(info.staff, "Sam");
	assert_int_equal(db_set_aftercare(fx->db, "Rest.", "2026-11-04T10:00:00Z", "Mia", &v), 0);
	assert_int_equal(db_aftercare(fx->db, 0, &got, &text), 0);
	assert_int_equal(got, 3);
	assert_string_equal(text, "Rest.");
	free(text);
	assert_int_equal(db_aftercare_info(fx->db, &info), 0);
	assert_false(info.removed);
}

/* What a course reader hands out for one intake, as text. */
static int trace_session(const struct session *s, void *arg)
{
	char *t = arg;
	size_t n = strlen(t);
	snprintf(t + n, 4096 - n, "S%lld:%s:%s ", s->number, s->lot ? s->lot : "-", s->areas);
	return 0;
}

static int trace_photo(const struct photo *p, const char *session_uuid, void *arg)
{
	char *t = arg;
	size_t n = strlen(t);
	snprintf(t + n, 4096 - n, "P%s:%s ", p->view, session_uuid ? "session" : "intake");
	return 0;
}

static int trace_consent(const struct consent_row *c, void *arg)
{
	char *t = arg;
	size_t n = strlen(t);
	snprintf(t + n, 4096 - n, "C%s=%s@%s:%d%s ", c->kind, c->value, c->at, c->at_intake,
		 c->latest ? "*" : "");
	return 0;
}

static void trace(struct db_course_reader *r, long long id, char *out)
{
	struct db_course_visit v = { trace_session, trace_photo, trace_consent, out };

	out[0] = '\0';
	assert_int_equal(db_course_of_intake(r, id, &v), 0);
}

/* The export's stream reader hands out what the lookups do, for intakes
 * visited in order, with gaps (a filtered export), and out of order (each
 * looked up alone). */
static void test_course_stream_matches_lookups(void **state)
{
	struct fx *fx = *state;
	static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 1 };
	static const long long orders[][6] = {
		{ 1, 2, 3, 4, 5, 0 }, { 1, 3, 5, 0 }, { 2, 4, 0 }, { 4, 0 }, { 3, 1, 4, 2, 5, 0 },
	};
	long long other, id[6] = { 0, fx->intake };
	char want[6][4096], got[4096];
	struct session s;
	struct photo p;
	int changed;

	/* 1: Ada; 2: Bo (no course); 3: Ada again; 4: Bo again; 5: Cy. */
	id[2] = add_intake(fx->db, "Bo", "Lee", "2026-11-02T10:00:00Z", &other);
	id[3] = add_intake(fx->db, "Ada", "Brook", "2026-11-10T10:00:00Z", NULL);
	id[4] = add_intake(fx->db, "Bo", "Lee", "2026-11-11T10:00:00Z", NULL);
	id[5] = add_intake(fx->db, "Cy", "Moss", "2026-11-12T10:00:00Z", NULL);
	for (int k = 2; k <= 5; k++)
		assert_true(id[k] > id[k - 1]);
	make_session(&s, id[1], "L-1");
	assert_int_equal(db_save_session(fx->db, &s, 0), DB_OK);
	session_clear(&s);
	for (int k = 1; k <= 2; k++) {
		make_session(&s, id[4], k == 1 ? "L-4a" : NULL);
		s.number = k;
		s.patch_test = false;
		assert_int_equal(db_save_session(fx->db, &s, 0), DB_OK);
		if (k == 2)
			break;
		session_clear(&s);
	}
	/* Consents: Ada's at intake 1, a change before intake 3 (goes with
	 * 1) and after it (goes with 3); Bo's given at intake 4 only. */
	assert_int_equal(db_set_consent(fx->db, fx->client, "photos", "yes", id[1],
					"2026-11-01T10:00:00Z", "Mia", &changed), DB_OK);
	assert_int_equal(db_set_consent(fx->db, fx->client, "marketing", "yes", 0,
					"2026-11-05T10:00:00Z", "Mia", &changed), DB_OK);
	assert_int_equal(db_set_consent(fx->db, fx->client, "marketing", "no", 0,
					"2026-11-20T10:00:00Z", "Mia", &changed), DB_OK);
	assert_int_equal(db_set_consent(fx->db, other, "photos", "yes", id[4],
					"2026-11-11T10:00:00Z", "Mia", &changed), DB_OK);
	/* Photos: Bo's at intake 4's second session, and at intake 4. */
	memset(&p, 0, sizeof p);
	p.session_id = s.id;
	p.view = strdup("crown");
	p.media_type = strdup("image/png");
	p.staff = strdup("Mia");
	snprintf(p.sha256, sizeof p.sha256, "%064d", 0);
	assert_int_equal(db_save_photo(fx->db, &p, png, sizeof png), DB_OK);
	photo_clear(&p);
	session_clear(&s);
	memset(&p, 0, sizeof p);
	p.intake_id = id[4];
	p.view = strdup("front");
	p.media_type = strdup("image/png");
	p.staff = strdup("Mia");
	snprintf(p.sha256, sizeof p.sha256, "%064d", 0);
	assert_int_equal(db_save_photo(fx->db, &p, png, sizeof png), DB_OK);
	photo_clear(&p);

	struct db_course_reader *look = db_course_reader_new(fx->db);
	assert_non_null(look);
	for (int k = 1; k <= 5; k++)
		trace(look, id[k], want[k]);
	db_course_reader_free(look);
	assert_string_equal(want[1], "S1:L-1:hairline,crown Cphotos=yes@2026-11-01T10:00:00Z:1* "
				     "Cmarketing=yes@2026-11-05T10:00:00Z:0 ");
	assert_string_equal(want[2], "");
	assert_string_equal(want[3], "Cmarketing=no@2026-11-20T10:00:00Z:0* ");
	assert_string_equal(want[4], "S1:L-4a:hairline,crown S2:-:hairline,crown Pcrown:session "
				     "Pfront:intake Cphotos=yes@2026-11-11T10:00:00Z:1* ");
	assert_string_equal(want[5], "");

	for (size_t o = 0; o < sizeof orders / sizeof orders[0]; o++) {
		struct db_course_reader *r = db_course_reader_stream(fx->db);
		assert_non_null(r);
		for (size_t k = 0; orders[o][k]; k++) {
			trace(r, id[orders[o][k]], got);
			assert_string_equal(got, want[orders[o][k]]);
		}
		db_course_reader_free(r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_session_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_refused_on_changed_or_missing_intake,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_consent_and_photo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_consents_set_together_and_at_intake, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_aftercare_versions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aftercare_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_erase_takes_the_course, setup, teardown),
		cmocka_unit_test_setup_teardown(test_course_stream_matches_lookups, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
