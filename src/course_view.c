/* course_view.c - the course as the desk sees it: see course_view.h. */
#include "course_view.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access.h"
#include "course.h"
#include "db.h"
#include "idset.h"
#include "report.h"
#include "session.h"
#include "text.h"

int course_within_parse(const char *text, int *days)
{
	size_t len = strlen(text), digits = strspn(text, "0123456789");
	long v;

	if (len < 2 || len > 6 || digits != len - 1 || (text[len - 1] != 'd' && text[len - 1] != 'w'))
		return -1;
	v = strtol(text, NULL, 10) * (text[len - 1] == 'w' ? 7 : 1);
	if (v < 0 || v > COURSE_WITHIN_MAX)
		return -1;
	*days = (int)v;
	return 0;
}

/* ---- show ---- */

/* prefix, then text made safe and word-wrapped to the terminal, later
 * lines indented under the text; a line end after it. */
static int wrapped(FILE *f, const char *prefix, const char *text, bool keep_newlines)
{
	char *safe = text_safe(text, keep_newlines);
	int rc = -1;

	if (!safe)
		return -1;
	if (fputs(prefix, f) != EOF &&
	    text_wrap(f, safe, text_terminal_width(), (int)text_codepoints(prefix)) == 0 &&
	    fputc('\n', f) != EOF)
		rc = 0;
	free(safe);
	return rc;
}

struct shown {
	FILE *f;
	struct date done[COURSE_MAX];
	size_t n, sessions;
	int rc;
};

/* "label value" on a line of its own under a session, value made safe
 * and wrapped. */
static int detail(FILE *f, const char *label, const char *value, bool keep_newlines)
{
	char prefix[32];

	if (!value)
		return 0;
	snprintf(prefix, sizeof prefix, "       %-10s ", label);
	return wrapped(f, prefix, value, keep_newlines);
}

static int show_session(const struct session *s, void *arg)
{
	struct shown *sh = arg;
	FILE *f = sh->f;
	char *areas = session_areas_shown(s->areas ? s->areas : ""), *head = NULL;
	size_t n;
	struct date on;

	if (!areas) {
		report("out of memory");
		return sh->rc = -1;
	}
	n = strlen(s->performed_on) + strlen(s->artist) + strlen(areas) + 80;
	if (!(head = malloc(n)))
		goto fail;
	snprintf(head, n, "Session %lld: %s, no. %lld%s, by %s; areas: %s", s->id,
		 s->performed_on, s->number, s->patch_test ? " (a patch test)" : "", s->artist,
		 areas);
	if ((sh->sessions++ == 0 && fputs("\nSessions\n", f) == EOF) ||
	    wrapped(f, "  ", head, false) < 0)
		goto fail;
	if (detail(f, "pigment", s->pigment_brand, false) < 0 ||
	    detail(f, "shade", s->shade, false) < 0 || detail(f, "lot", s->lot, false) < 0 ||
	    detail(f, "lot expiry", s->lot_expiry, false) < 0 ||
	    detail(f, "needle", s->needle, false) < 0 ||
	    detail(f, "dilution", s->dilution, false) < 0 || detail(f, "notes", s->notes, true) < 0)
		goto fail;
	if (s->patch_test &&
	    detail(f, "reaction", s->reaction ? s->reaction : "not recorded yet", false) < 0)
		goto fail;
	if (s->patch_test && detail(f, "note", s->reaction_note, true) < 0)
		goto fail;
	if (detail(f, "OVERRIDE", s->override_reason, true) < 0)
		goto fail;
	free(areas);
	free(head);
	if (!s->patch_test && sh->n < COURSE_MAX && date_parse(s->performed_on, &on) == DATE_OK)
		sh->done[sh->n++] = on;
	return 0;
fail:
	free(areas);
	free(head);
	report("cannot print the sessions");
	return sh->rc = -1;
}

static int print_plan(FILE *f, const struct settings *st, const struct course_plan *plan,
		      bool topical)
{
	struct date today = date_today();
	char on[11], stop[11], resume[11], line[160];

	snprintf(line, sizeof line, "Course plan (%d sessions, %d days apart)", st->course_sessions,
		 st->course_interval_days);
	if (fputc('\n', f) == EOF || wrapped(f, "", line, false) < 0)
		return -1;
	for (size_t i = 0; i < plan->steps; i++) {
		const struct course_step *c = &plan->step[i];
		date_format(c->on, on);
		date_format(c->stop, stop);
		date_format(c->resume, resume);
		char prefix[16];
		snprintf(prefix, sizeof prefix, "  %d: ", c->number);
		snprintf(line, sizeof line, "%s, %s", on,
			 c->done ? "done" : date_cmp(c->on, today) < 0 ? "planned, overdue" : "planned");
		if (!c->done && topical)
			snprintf(line + strlen(line), sizeof line - strlen(line),
				 "; topical products stop %s, start again %s", stop, resume);
		if (wrapped(f, prefix, line, false) < 0)
			return -1;
	}
	if (plan->complete) {
		date_format(plan->touch_up, on);
		snprintf(line, sizeof line,
			 "Course complete; a touch-up is due about %s (config touch_up_years).", on);
		if (wrapped(f, "  ", line, false) < 0)
			return -1;
	}
	return 0;
}

int course_show(FILE *f, struct ctx *ctx, const struct intake *in)
{
	struct shown sh = { .f = f };
	struct session_query q = { .intake_id = in->id };
	struct course_plan plan;

	if (db_each_session(ctx->db, &q, show_session, &sh) < 0 || sh.rc < 0)
		return -1;
	if (sh.sessions == 0)
		return fputc('\n', f) == EOF ||
				       wrapped(f, "", "Sessions: none yet (smp-intake session new ID "
						     "records one)", false) < 0
			       ? -1
			       : 0;
	if (sh.n == 0)
		return 0; /* patch tests only: the course has not begun */
	course_plan(&ctx->settings, sh.done, sh.n, sh.done[0], &plan);
	if (print_plan(f, &ctx->settings, &plan, answers_any_topical(&in->answers)) < 0) {
		report("cannot print the course plan");
		return -1;
	}
	return 0;
}

/* ---- sessions and touch-ups due ---- */

struct due_list {
	struct ctx *ctx;
	bool touch_up;
	struct date today, until;
	enum table_format fmt;
	long long rows;
	int rc;
};

/* Works out when r's next session (or touch-up) is due; false when it is
 * not (the course is complete, or not yet for a touch-up). */
static bool due_of(const struct due_list *l, const struct course_row *r, struct course_plan *p,
		   struct date *due)
{
	struct date done[COURSE_MAX];
	size_t n = 0;

	for (size_t i = 0; i < r->sessions && i < COURSE_DATES_MAX && n < COURSE_MAX; i++)
		if (date_parse(r->performed_on[i], &done[n]) == DATE_OK)
			n++;
	if (n == 0)
		return false;
	course_plan(&l->ctx->settings, done, n, done[0], p);
	if (r->sessions > n) { /* more sessions than the plan holds: complete */
		p->complete = true;
		p->touch_up = date_add_months(p->last, 12 * l->ctx->settings.touch_up_years);
	}
	if (p->complete != l->touch_up)
		return false;
	*due = l->touch_up ? p->touch_up : p->next;
	return date_cmp(*due, l->until) <= 0;
}

static int print_due(const struct course_row *r, void *arg)
{
	struct due_list *l = arg;
	struct course_plan p;
	struct answers client;
	struct date due;
	char due_text[11], last[11], done[32], *name = NULL, *safe_name = NULL, *safe_phone = NULL;
	const char *phone;
	bool overdue;
	int rc = -1;

	if (!due_of(l, r, &p, &due))
		return 0;
	memset(&client, 0, sizeof client);
	if (db_load_client(l->ctx->db, r->client_id, &client) != DB_OK)
		return l->rc = -1;
	phone = answers_get(&client, "phone");
	if (!phone)
		phone = "";
	overdue = date_cmp(due, l->today) < 0;
	date_format(due, due_text);
	date_format(p.last, last);
	snprintf(done, sizeof done, "%zu of %d", r->sessions, l->ctx->settings.course_sessions);
	if (!(name = text_join(answers_get(&client, "first_name"), " ",
			       answers_get(&client, "last_name"))))
		goto oom;
	if (l->fmt != TABLE_TEXT) {
		struct json_field f[] = { { "client_id", NULL, r->client_id },
					  { "intake", NULL, r->intake_id },
					  { "sessions", NULL, (long long)r->sessions },
					  { "last_session", last, 0 },
					  { l->touch_up ? "touch_up_due" : "next_session_due", due_text, 0 },
					  { "overdue", overdue ? "yes" : "no", 0 },
					  { "phone", phone, 0 },
					  { "client", name, 0 } };
		if (table_row(l->fmt, f, sizeof f / sizeof f[0], l->rows) < 0)
			goto out;
	} else {
		if (!(safe_name = text_safe(name, false)) || !(safe_phone = text_safe(phone, false)))
			goto oom;
		if (l->rows == 0 &&
		    printf("%-6s %-6s %-10s %-10s %-10s %-8s %-16s %s\n", "client", "intake",
			   "sessions", "last", l->touch_up ? "touch-up" : "next", "", "phone",
			   "name") < 0)
			goto out;
		if (printf("%-6lld %-6lld %-10s %-10s %-10s %-8s %-16s %s\n", r->client_id,
			   r->intake_id, done, last, due_text, overdue ? "overdue" : "", safe_phone,
			   safe_name) < 0)
			goto out;
	}
	l->rows++;
	rc = 0;
	goto out;
oom:
	report("out of memory");
out:
	free(name);
	free(safe_name);
	free(safe_phone);
	answers_clear(&client);
	return rc < 0 ? (l->rc = -1) : 0;
}

int course_list_due(struct ctx *ctx, bool touch_up, int within_days, enum table_format fmt)
{
	struct due_list l = { .ctx = ctx, .touch_up = touch_up, .fmt = fmt };

	if (!ctx_db(ctx))
		return EXIT_FAIL;
	l.today = date_today();
	l.until = date_add_days(l.today, within_days);
	if (db_each_course(ctx->db, print_due, &l) < 0 || l.rc < 0)
		return EXIT_FAIL;
	if (fmt != TABLE_TEXT)
		return table_end(fmt, l.rows) < 0 ? EXIT_FAIL : EXIT_OK;
	if (l.rows == 0) {
		char until[11];
		date_format(l.until, until);
		printf(touch_up ? "No touch-up due by %s.\n" : "No session due by %s.\n", until);
	}
	return EXIT_OK;
}

/* ---- the recall by lot ---- */

struct recall {
	struct ctx *ctx;
	struct idset clients;
	enum table_format fmt;
	long long rows;
	int rc;
};

static int gather(const struct session *s, void *arg)
{
	struct recall *r = arg;
	if (idset_add(&r->clients, s->client_id) < 0) {
		report("out of memory");
		return r->rc = -1;
	}
	return 0;
}

static int print_recalled(const struct session *s, void *arg)
{
	struct recall *r = arg;
	struct answers client;
	char *name = NULL, *safe[4] = { NULL, NULL, NULL, NULL };
	const char *phone, *email;
	int rc = -1;

	memset(&client, 0, sizeof client);
	if (db_load_client(r->ctx->db, s->client_id, &client) != DB_OK)
		return r->rc = -1;
	phone = answers_get(&client, "phone");
	email = answers_get(&client, "email");
	if (!(name = text_join(answers_get(&client, "first_name"), " ",
			       answers_get(&client, "last_name"))))
		goto oom;
	if (r->fmt != TABLE_TEXT) {
		struct json_field f[] = { { "session", NULL, s->id },
					  { "performed_on", s->performed_on, 0 },
					  { "client_id", NULL, s->client_id },
					  { "intake", NULL, s->intake_id },
					  { "lot", s->lot ? s->lot : "", 0 },
					  { "pigment_brand", s->pigment_brand ? s->pigment_brand : "", 0 },
					  { "artist", s->artist, 0 },
					  { "phone", phone ? phone : "", 0 },
					  { "email", email ? email : "", 0 },
					  { "client", name, 0 } };
		if (table_row(r->fmt, f, sizeof f / sizeof f[0], r->rows) < 0)
			goto out;
	} else {
		if (!(safe[0] = text_safe(name, false)) ||
		    !(safe[1] = text_safe(phone ? phone : "", false)) ||
		    !(safe[2] = text_safe(s->lot ? s->lot : "", false)) ||
		    !(safe[3] = text_safe(email ? email : "", false)))
			goto oom;
		if (r->rows == 0 && printf("%-7s %-10s %-6s %-6s %-16s %-16s %s\n", "session", "date",
					   "client", "intake", "lot", "phone", "name (email)") < 0)
			goto out;
		if (printf("%-7lld %-10s %-6lld %-6lld %-16s %-16s %s%s%s%s\n", s->id,
			   s->performed_on, s->client_id, s->intake_id, safe[2], safe[1], safe[0],
			   safe[3][0] ? " (" : "", safe[3], safe[3][0] ? ")" : "") < 0)
			goto out;
	}
	r->rows++;
	rc = 0;
	goto out;
oom:
	report("out of memory");
out:
	free(name);
	for (size_t i = 0; i < 4; i++)
		free(safe[i]);
	answers_clear(&client);
	return rc < 0 ? (r->rc = -1) : 0;
}

int course_find_lot(struct ctx *ctx, const char *lot, enum table_format fmt)
{
	struct recall r = { .ctx = ctx, .fmt = fmt };
	struct session_query q = { .lot = lot };
	char *clients = NULL;
	int rc = EXIT_FAIL;

	if (!ctx_db(ctx))
		return EXIT_FAIL;
	/* Who will be shown, logged before the first name goes out. */
	if (db_each_session(ctx->db, &q, gather, &r) < 0 || r.rc < 0)
		goto out;
	if (!(clients = idset_format(&r.clients))) {
		report("out of memory");
		goto out;
	}
	if (clients[0] && access_record(ctx, "find", clients) != EXIT_OK)
		goto out;
	if (db_each_session(ctx->db, &q, print_recalled, &r) < 0 || r.rc < 0)
		goto out;
	if (fmt != TABLE_TEXT) {
		if (table_end(fmt, r.rows) == 0)
			rc = r.rows ? EXIT_OK : EXIT_FAIL;
		goto out;
	}
	if (r.rows == 0) {
		printf("No session used lot ");
		text_print_safe(stdout, lot);
		printf(".\n");
		goto out;
	}
	rc = EXIT_OK;
out:
	free(clients);
	idset_clear(&r.clients);
	return rc;
}
