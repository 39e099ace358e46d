/* cmd_demo.c - `smp-intake demo`: a database of sample clients to try every
 * command on, either a throwaway one under the menu or a file for scripts.
 * The samples go through the same checks as `new`, so they obey the rules. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "advice.h"
#include "command.h"
#include "flags.h"
#include "prompt.h"
#include "questionnaire.h"
#include "report.h"
#include "uuid.h"

#define DEMO_STAFF	   "Demo"
#define SAMPLE_ANSWERS_MAX 28

/* One answer as it would be typed.  A NULL text stands for the date
 * `days` from the day of the intake, so that the samples never go stale. */
struct sample_answer {
	const char *id;
	const char *text;
	int days;
};

/* One sample intake, taken days_ago; questions not listed get an empty
 * answer, i.e. their default, as an empty line would (the screening
 * questions have none, so every sample answers them).  acknowledged_by is
 * the name the client typed after the sheet (NULL: not yet); cleared, a
 * flag the artist has cleared, with the reason. */
struct sample {
	int days_ago;
	const char *acknowledged_by;
	const char *cleared, *reason;
	struct sample_answer answer[SAMPLE_ANSWERS_MAX];
};

/* The interesting cases: no treatment, and a latex allergy the artist has
 * cleared; Rogaine with the GP pending; Propecia tablets with the GP's
 * go-ahead but a blood thinner still to look into; another topical product
 * for a scalp condition, with a session coming up; a GP who declined; a
 * returning client who took the first sheet home unacknowledged. */
static const struct sample samples[] = {
    {0,
     "Zoë Dubois",
     "flag-allergy",
     "Latex only: nitrile gloves and a latex-free numbing cream will be used",
     {{"consent_storage", "yes", 0},
      {"hair_loss_scale", "norwood_3", 0},
      {"treatment_type", "full_head", 0},
      {"consent_photos", "yes", 0},
      {"consent_marketing", "yes", 0},
      {"first_name", "Zoë", 0},
      {"last_name", "Dubois", 0},
      {"date_of_birth", "1979-03-14", 0},
      {"email", "zoe@example.com", 0},
      {"hair_loss_notes", "Receding hairline, Norwood 3, for about ten years", 0},
      {"scalp_conditions", "none", 0},
      {"keloid_history", "no", 0},
      {"blood_thinners", "no", 0},
      {"allergies", "yes", 0},
      {"allergies_detail", "Latex (gloves)", 0},
      {"pregnant_or_breastfeeding", "no", 0},
      {"wants_root_cause_help", "yes", 0}}},
    {0,
     "José García",
     NULL,
     NULL,
     {{"consent_storage", "yes", 0},
      {"hair_loss_scale", "norwood_4", 0},
      {"treatment_type", "density", 0},
      {"consent_photos", "yes", 0},
      {"consent_marketing", "no", 0},
      {"first_name", "José", 0},
      {"last_name", "García", 0},
      {"date_of_birth", "1988-09-02", 0},
      {"phone", "+34 600 000 123", 0},
      {"email", "jose@example.com", 0},
      {"hair_loss_notes", "Diffuse thinning on top since 2021", 0},
      {"uses_rogaine", "yes", 0},
      {"rogaine_form", "foam", 0},
      {"rogaine_since", "2024-02-01", 0},
      {"gp_discussed", "yes", 0},
      {"gp_signoff", "pending", 0},
      {"scalp_conditions", "none", 0},
      {"keloid_history", "no", 0},
      {"blood_thinners", "no", 0},
      {"allergies", "no", 0},
      {"pregnant_or_breastfeeding", "not_applicable", 0}}},
    {0,
     "太郎 山田",
     NULL,
     NULL,
     {{"consent_storage", "yes", 0},
      {"hair_loss_scale", "norwood_5", 0},
      {"treatment_type", "full_head", 0},
      {"consent_photos", "no", 0},
      {"first_name", "太郎", 0},
      {"last_name", "山田", 0},
      {"date_of_birth", "1975-12-01", 0},
      {"email", "yamada@example.jp", 0},
      {"uses_propecia", "yes", 0},
      {"propecia_form", "tablet", 0},
      {"gp_discussed", "yes", 0},
      {"gp_signoff", "obtained", 0},
      {"gp_name", "Dr Sato", 0},
      {"gp_signoff_date", NULL, -12},
      {"scalp_conditions", "none", 0},
      {"keloid_history", "no", 0},
      {"blood_thinners", "yes", 0},
      {"blood_thinners_detail", "Aspirin 75 mg, every day", 0},
      {"allergies", "no", 0},
      {"pregnant_or_breastfeeding", "not_applicable", 0},
      {"other_medication", "Atorvastatin 20 mg, daily", 0}}},
    {0,
     "Олег Петров",
     NULL,
     NULL,
     {{"consent_storage", "yes", 0},
      {"hair_loss_scale", "other", 0},
      {"treatment_type", "scar_camouflage", 0},
      {"consent_photos", "yes", 0},
      {"consent_marketing", "no", 0},
      {"first_name", "Олег", 0},
      {"last_name", "Петров", 0},
      {"date_of_birth", "1992-05-17", 0},
      {"phone", "+44 7700 900431", 0},
      {"uses_other_topical", "yes", 0},
      {"other_topical_products", "Ketoconazole 2% shampoo, twice a week", 0},
      {"gp_discussed", "no", 0},
      {"scalp_conditions", "eczema", 0},
      {"keloid_history", "no", 0},
      {"blood_thinners", "no", 0},
      {"allergies", "no", 0},
      {"pregnant_or_breastfeeding", "not_applicable", 0},
      {"planned_session_date", NULL, 21}}},
    {0,
     "Liam O'Brien",
     NULL,
     NULL,
     {{"consent_storage", "yes", 0},
      {"hair_loss_scale", "ludwig_2", 0},
      {"treatment_type", "density", 0},
      {"consent_photos", "yes", 0},
      {"consent_marketing", "yes", 0},
      {"first_name", "Liam", 0},
      {"last_name", "O'Brien", 0},
      {"date_of_birth", "1983-01-30", 0},
      {"uses_other_medical", "yes", 0},
      {"other_medical_products", "Dutasteride 0.5 mg capsules, daily", 0},
      {"gp_discussed", "yes", 0},
      {"gp_signoff", "declined", 0},
      {"scalp_conditions", "none", 0},
      {"keloid_history", "no", 0},
      {"blood_thinners", "no", 0},
      {"allergies", "no", 0},
      {"pregnant_or_breastfeeding", "not_applicable", 0}}},
    /* The same client twice: first with the GP not yet asked, then back
     * six weeks later with the go-ahead and a session booked. */
    {42,
     NULL,
     NULL,
     NULL,
     {{"consent_storage", "yes", 0},
      {"hair_loss_scale", "norwood_6", 0},
      {"treatment_type", "density", 0},
      {"consent_photos", "yes", 0},
      {"consent_marketing", "no", 0},
      {"first_name", "Sam", 0},
      {"last_name", "Okafor", 0},
      {"date_of_birth", "1990-06-21", 0},
      {"email", "sam@example.com", 0},
      {"hair_loss_notes", "Thinning at the crown", 0},
      {"uses_rogaine", "yes", 0},
      {"rogaine_form", "solution", 0},
      {"gp_discussed", "no", 0},
      {"scalp_conditions", "none", 0},
      {"keloid_history", "no", 0},
      {"blood_thinners", "no", 0},
      {"allergies", "no", 0},
      {"pregnant_or_breastfeeding", "not_applicable", 0}}},
    {0,
     "Sam Okafor",
     NULL,
     NULL,
     {{"consent_storage", "yes", 0},
      {"hair_loss_scale", "norwood_6", 0},
      {"treatment_type", "density", 0},
      {"consent_photos", "yes", 0},
      {"consent_marketing", "no", 0},
      {"first_name", "Sam", 0},
      {"last_name", "Okafor", 0},
      {"date_of_birth", "1990-06-21", 0},
      {"email", "sam@example.com", 0},
      {"hair_loss_notes", "Thinning at the crown", 0},
      {"uses_rogaine", "yes", 0},
      {"rogaine_form", "solution", 0},
      {"gp_discussed", "yes", 0},
      {"gp_signoff", "obtained", 0},
      {"gp_name", "Dr Evans", 0},
      {"gp_signoff_date", NULL, -5},
      {"scalp_conditions", "none", 0},
      {"keloid_history", "no", 0},
      {"blood_thinners", "no", 0},
      {"allergies", "no", 0},
      {"pregnant_or_breastfeeding", "not_applicable", 0},
      {"planned_session_date", NULL, 14}}},
};
static const size_t sample_count = sizeof samples / sizeof samples[0];

/* The sample's answer to question id as typed ("" when not listed); date
 * holds a relative date's text. */
static const char *sample_input(const struct sample *s, const char *id, struct date day,
				char date[11])
{
	for (size_t i = 0; i < SAMPLE_ANSWERS_MAX && s->answer[i].id; i++) {
		if (strcmp(s->answer[i].id, id) != 0)
			continue;
		if (s->answer[i].text)
			return s->answer[i].text;
		date_format(date_add_days(day, s->answer[i].days), date);
		return date;
	}
	return "";
}

/* Walks the questionnaire as `new` does with an answers file: every
 * question that applies, checked, and no listed answer left unasked. */
static int sample_answers(const struct sample *s, const struct rules *rules, struct answers *a)
{
	bool asked[QUESTIONS_MAX] = {false};
	char why[256], date[11];

	for (size_t i = 0; i < questionnaire_count; i++) {
		const struct question *q = &questionnaire[i];
		char *value = NULL;

		if (!question_applies(q, a))
			continue;
		asked[i] = true;
		if (question_check(q, sample_input(s, q->id, rules->today, date), a, rules, &value,
				   why, sizeof why) < 0) {
			report("demo: a sample answer to %s fails its check: %s", q->id, why);
			return -1;
		}
		a->value[i] = value;
	}
	for (size_t i = 0; i < SAMPLE_ANSWERS_MAX && s->answer[i].id; i++) {
		int qi = questionnaire_index(s->answer[i].id);
		if (qi < 0 || !asked[qi]) {
			report("demo: a sample answer to %s does not apply", s->answer[i].id);
			return -1;
		}
	}
	return 0;
}

/* Sets the intake's uuid, staff and time, days_ago before now. */
static int sample_stamp(struct intake *in, int days_ago)
{
	time_t when = time(NULL) - (time_t)days_ago * 24 * 60 * 60;
	struct tm tm;
	char text[32];

	if (!gmtime_r(&when, &tm) || strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		report("cannot read the clock");
		return -1;
	}
	if (uuid_v4(in->uuid) < 0) {
		report("cannot make a unique id: %s", strerror(errno));
		return -1;
	}
	if (!(in->taken_at = strdup(text)) || !(in->staff = strdup(DEMO_STAFF))) {
		report("out of memory");
		return -1;
	}
	return 0;
}

/* The client's acknowledgement as `new` takes it through a pipe: the name
 * must be theirs.  Given when the intake was taken.  Returns 0, or -1
 * (reported). */
static int sample_acknowledge(const struct sample *s, struct intake *in)
{
	if (!s->acknowledged_by)
		return 0;
	if (!acknowledgement_matches(s->acknowledged_by, &in->answers)) {
		report("demo: a sample acknowledgement is not the client's name");
		return -1;
	}
	if (!(in->ack.typed_name = strdup(s->acknowledged_by)) ||
	    !(in->ack.at = strdup(in->taken_at)) || !(in->ack.staff = strdup(DEMO_STAFF))) {
		report("out of memory");
		return -1;
	}
	return 0;
}

/* The artist's clearance of the sample's flag, as `clear-flag` stores it,
 * once the intake is saved.  Returns 0, or -1 (reported). */
static int sample_clear(struct db *db, const struct sample *s, const struct intake *in)
{
	const struct flag_rule *flag = s->cleared ? flag_find(s->cleared) : NULL;
	struct clearance c;

	if (!s->cleared)
		return 0;
	if (!flag || !flag_raised(flag, &in->answers)) {
		report("demo: a sample clears %s, which its answers do not raise", s->cleared);
		return -1;
	}
	c = (struct clearance){(char *)flag->id, (char *)s->reason, in->taken_at, in->staff};
	if (db_clear_flag(db, in->id, &c) != 0) {
		report("demo: cannot clear %s on sample intake %lld", flag->id, in->id);
		return -1;
	}
	return 0;
}

/* Saves every sample intake into db.  Returns the number of clients, or
 * -1 (reported). */
static long long demo_fill(struct db *db, const struct settings *settings)
{
	long long clients = 0;

	for (size_t i = 0; i < sample_count; i++) {
		struct intake in = {0};
		struct rules rules = {date_add_days(date_today(), -samples[i].days_ago),
				      settings->minimum_age, DATES_STORED};
		int rc = -1;

		if (sample_answers(&samples[i], &rules, &in.answers) < 0 ||
		    sample_stamp(&in, samples[i].days_ago) < 0 ||
		    sample_acknowledge(&samples[i], &in) < 0)
			goto next;
		if (advice_for_answers(&in.answers, settings, &in.advice) < 0) {
			report("out of memory");
			goto next;
		}
		if (db_save_intake(db, &in) < 0 || sample_clear(db, &samples[i], &in) < 0)
			goto next;
		if (in.client_id > clients)
			clients = in.client_id;
		rc = 0;
	next:
		intake_clear(&in);
		if (rc < 0)
			return -1;
	}
	return clients;
}

/* path with suffix appended; allocated, or NULL (reported). */
static char *path_with(const char *path, const char *suffix)
{
	size_t n = strlen(path) + strlen(suffix) + 1;
	char *out = malloc(n);

	if (!out)
		report("out of memory");
	else
		snprintf(out, n, "%s%s", path, suffix);
	return out;
}

/* Removes the database file and the -wal and -shm files SQLite may leave
 * beside it.  Returns 0, or -1 (reported). */
static int demo_remove(const char *path)
{
	static const char *const suffix[] = {"-wal", "-shm", ""};
	int rc = 0;

	for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		char *name = path_with(path, suffix[i]);
		if (!name)
			return -1;
		if (unlink(name) < 0 && errno != ENOENT) {
			report("cannot remove '%s': %s", name, strerror(errno));
			rc = -1;
		}
		free(name);
	}
	return rc;
}

/* Opens a new database at path and fills it.  Returns it with *settings
 * read and *clients counted, or NULL (reported). */
static struct db *demo_open(const char *path, struct settings *settings, long long *clients)
{
	struct db *db = db_open(path);

	if (!db)
		return NULL;
	if (db_settings(db, settings) < 0 || (*clients = demo_fill(db, settings)) < 0) {
		db_close(db);
		return NULL;
	}
	return db;
}

/* `demo --create PATH`: the sample database as a file of its own. */
static int demo_create(const char *path)
{
	struct settings settings;
	long long clients;
	struct db *db;
	/* Created here, not by db_open, so that an existing file is refused
	 * even if it appears between a check and the open. */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0) {
		if (errno == EEXIST)
			report("'%s' already exists; demo --create writes a new file only", path);
		else
			report("cannot create '%s': %s", path, strerror(errno));
		return EXIT_FAIL;
	}
	close(fd);
	if (!(db = demo_open(path, &settings, &clients))) {
		demo_remove(path);
		return EXIT_FAIL;
	}
	db_close(db);
	printf("Wrote a demo database of %lld sample clients (%zu intakes) to %s; "
	       "try it with smp-intake --db %s COMMAND.\n",
	       clients, sample_count, path, path);
	return EXIT_OK;
}

/* A new private folder (0700) under $TMPDIR, else /tmp.  Allocated, or
 * NULL (reported). */
static char *demo_folder(void)
{
	const char *tmp = getenv("TMPDIR");
	char *dir;
	size_t n;

	if (!tmp || !*tmp)
		tmp = "/tmp";
	n = strlen(tmp);
	while (n > 1 && tmp[n - 1] == '/')
		n--;
	if (!(dir = malloc(n + sizeof "/smp-intake-demo.XXXXXX"))) {
		report("out of memory");
		return NULL;
	}
	memcpy(dir, tmp, n);
	memcpy(dir + n, "/smp-intake-demo.XXXXXX", sizeof "/smp-intake-demo.XXXXXX");
	if (!mkdtemp(dir)) {
		report("cannot create a temporary folder in '%.*s': %s", (int)n, tmp,
		       strerror(errno));
		free(dir);
		return NULL;
	}
	return dir;
}

/* `demo` at a terminal: the menu on a throwaway database, removed (with
 * its folder) when the menu ends. */
static int demo_menu(struct ctx *ctx)
{
	struct settings settings;
	long long clients;
	char *dir, *path = NULL;
	struct db *db;
	int rc = EXIT_FAIL;

	/* The menu opened the user's database already: a menu in a menu
	 * would only confuse which data is on screen. */
	if (ctx->db) {
		report("demo: leave this menu first (quit), then run smp-intake demo");
		return EXIT_USAGE;
	}
	if (!prompt_interactive()) {
		report("demo: the demo menu needs a terminal; use demo --create PATH for a "
		       "sample database file (see smp-intake demo --help)");
		return EXIT_USAGE;
	}
	if (!(dir = demo_folder()))
		return EXIT_FAIL;
	if (!(path = path_with(dir, "/demo.db")))
		goto out;
	if (!(db = demo_open(path, &settings, &clients)))
		goto out;
	/* The menu's commands find the database in ctx, as if opened by
	 * ctx_db(); --db and $SMP_INTAKE_DB are never looked at. */
	ctx->db = db;
	ctx->settings = settings;
	if (!(ctx->db_path = strdup(path))) {
		report("out of memory");
		ctx_close(ctx);
		goto out;
	}
	printf("Demo: %lld sample clients in a throwaway database, %s, removed when you "
	       "leave the menu.\n",
	       clients, path);
	rc = command_dispatch(ctx, 1, (char *[]){"shell", NULL});
	ctx_close(ctx);
out:
	if (path && demo_remove(path) < 0)
		rc = EXIT_FAIL;
	if (rmdir(dir) < 0) {
		report("cannot remove the demo folder '%s': %s", dir, strerror(errno));
		rc = EXIT_FAIL;
	}
	free(path);
	free(dir);
	return rc;
}

int cmd_demo(struct ctx *ctx, int argc, char **argv)
{
	struct command_args a;
	const char *create;

	if (command_parse(argc, argv, &a) < 0)
		return EXIT_USAGE;
	create = command_arg(&a, "create");
	if (create && !*create) {
		report("demo: --create needs a file name");
		return EXIT_USAGE;
	}
	return create ? demo_create(create) : demo_menu(ctx);
}
