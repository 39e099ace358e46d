/* session_take.c - recording one session of a client's course (`session
 * new`): the re-screening first (a change saved as an edit of the intake),
 * the session's answers (at a terminal, through a pipe or from a file),
 * every check of session_check(), the intake's readiness (or the artist's
 * override), the session sheet with the course plan, the client's typed
 * name, and the session saved in one transaction with its audit row. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access.h"
#include "acknowledgement.h"
#include "advice.h"
#include "course.h"
#include "flags.h"
#include "json_session.h"
#include "prompt.h"
#include "report.h"
#include "session.h"
#include "session_take.h"
#include "sheet.h"
#include "take.h"
#include "text.h"


enum source { FROM_TTY, FROM_LINES, FROM_FILE };

struct taking {
	struct ctx *ctx;
	enum source from;
	struct intake in;  /* as stored (reloaded after a re-screening's change) */
	struct session s;
	struct date today;
	const char *staff;
	char since[11];    /* the day of the intake's last revision */
	bool edited;       /* the re-screening saved a new revision */
	struct draft *draft; /* at a terminal: every answer kept as it is given */
	bool changed;      /* the re-screening found a change */
	char warning[256]; /* through a pipe or a file: said once the session is saved */
};

/* The value a session's draft holds for id; *found false when none. */
static const char *draft_value(const struct draft *d, const char *id, bool *found)
{
	*found = false;
	for (size_t i = 0; d && i < d->value_count; i++)
		if (strcmp(d->values[i].id, id) == 0) {
			*found = true;
			return d->values[i].value;
		}
	return NULL;
}

/* prefix, then text made safe and word-wrapped to the terminal (later
 * lines under the text), and a line end. */
static void sheet_wrapped(const char *prefix, const char *text, bool keep_newlines)
{
	char *safe = text_safe(text, keep_newlines);

	fputs(prefix, stdout);
	if (safe)
		text_wrap(stdout, safe, text_terminal_width(), (int)text_codepoints(prefix));
	fputc('\n', stdout);
	free(safe);
}

/* A line of our own words, formatted, and wrapped as the sheet's are when
 * it goes to a terminal (a script reading a pipe gets it whole). */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (isatty(STDOUT_FILENO))
		sheet_wrapped("", line, false);
	else
		puts(line);
}

/* Keeps answer id = value in the draft (at a terminal only), the walk
 * going on at next (NULL: the sheet); the first one stores the
 * re-screening's outcome too.  Returns 0, or -1 (reported). */
static int keep(struct taking *t, const char *id, const char *value, const char *next)
{
	if (!t->draft || t->from != FROM_TTY)
		return 0;
	if (!t->draft->id && db_draft_step(t->ctx->db, t->draft, "rescreen",
					   t->changed ? "changed" : "unchanged", id) < 0)
		return -1;
	return db_draft_step(t->ctx->db, t->draft, id, value, next);
}

/* The override reason as session_check() takes it (one line). */
static const struct session_field override_field = { SESSION_OVERRIDE, "", "Override",
						     SK_TEXT, false, SESSION_LINE_MAX * 5, "" };
static const struct session_field ack_field = { SESSION_CLIENT_ACK, "", "Client", SK_TEXT,
						false, SESSION_LINE_MAX, "" };

static const struct session_field *field_for(const char *id)
{
	if (strcmp(id, SESSION_OVERRIDE) == 0)
		return &override_field;
	if (strcmp(id, SESSION_CLIENT_ACK) == 0)
		return &ack_field;
	return session_field_find(id);
}

static int last_number(const struct session *s, void *arg)
{
	long long *n = arg;
	if (s->number > *n)
		*n = s->number;
	return 0;
}

static int last_revision(const struct audit_entry *e, void *arg)
{
	char *since = arg;
	if (e->at && (strcmp(e->action, "create") == 0 || strcmp(e->action, "edit") == 0 ||
		      strcmp(e->action, "signoff") == 0 || strcmp(e->action, "import") == 0))
		snprintf(since, 11, "%.10s", e->at);
	return 0;
}

/* One line read at the terminal or from the pipe.  Returns 1 with *line,
 * 0 at Ctrl-C or the end of the input (*line NULL), -1 on an error. */
static int read_line(struct taking *t, const char *prompt, const char *const *choices,
		     char **line)
{
	switch (prompt_read(t->from == FROM_TTY ? prompt : "", choices, line)) {
	case PROMPT_LINE:
		return 1;
	case PROMPT_EOF:
	case PROMPT_INTERRUPTED:
		*line = NULL;
		return 0;
	default:
		*line = NULL;
		return -1;
	}
}

static void stopped(struct taking *t)
{
	if (t->from == FROM_TTY && t->draft && t->draft->id)
		report("session stopped; the answers so far are kept as draft %lld (smp-intake "
		       "session new %lld continues it)",
		       t->draft->id, t->in.id);
	else if (t->from == FROM_TTY)
		report("session stopped; nothing saved");
	else
		report("the input ended before the session's last answer; nothing saved");
}

/* The re-screening's answers applied to the intake's: each checked as the
 * questionnaire checks it; a changed treatment needs the GP's part again
 * (gp_discussed becomes no: the change is not yet discussed).  Returns 0,
 * or -1 with why. */
static int rescreen_apply(struct answers *a, const struct answers *before, const char *id,
			  const char *input, const struct rules *r, char *why, size_t n)
{
	int qi = questionnaire_index(id);
	char *value = NULL;

	if (qi < 0) {
		snprintf(why, n, "rescreen: '%s' is not a question of this release", id);
		return -1;
	}
	if (question_check(&questionnaire[qi], input ? input : "", a, r, &value, why, n) < 0) {
		char reason[200];
		snprintf(reason, sizeof reason, "%s", why);
		snprintf(why, n, "rescreen: %s: %s", id, reason);
		return -1;
	}
	if (answers_set(a, id, value) < 0) {
		free(value);
		snprintf(why, n, "out of memory");
		return -1;
	}
	free(value);
	(void)before;
	return 0;
}

/* After the re-screening's answers: pruned, and the GP's part asked again
 * when a treatment changed.  Returns true when an answer changed. */
static bool rescreen_settle(struct answers *a, const struct answers *before)
{
	bool treatment = false, any = false;

	answers_prune(a);
	for (size_t i = 0; session_rescreen_treatments[i]; i++) {
		const char *x = answers_get(a, session_rescreen_treatments[i]);
		const char *y = answers_get(before, session_rescreen_treatments[i]);
		if (!(x == y || (x && y && strcmp(x, y) == 0)))
			treatment = true;
	}
	if (treatment && answers_any_treatment(a)) {
		answers_set(a, "gp_discussed", "no");
		answers_prune(a);
	}
	for (size_t i = 0; i < questionnaire_count; i++) {
		const char *x = a->value[i], *y = before->value[i];
		if (!(x == y || (x && y && strcmp(x, y) == 0)))
			any = true;
	}
	return any;
}

/* At the terminal or through the pipe: has anything changed, and if so
 * the questions again (Enter keeps the answer in brackets).  Returns 1
 * when answers changed (in *a), 0 when not, -1 on failure (reported). */
static int rescreen_ask(struct taking *t, struct answers *a)
{
	static const char *const yesno[] = { "yes", "no", NULL };
	struct rules r = { t->today, t->ctx->settings.minimum_age,
			   rules_dates_typed(t->ctx->settings.date_input) };
	char prompt[400], why[256], *line = NULL;
	int got, changed = -1;

	if (t->from == FROM_TTY)
		printf("Re-screening before the session.\n");
	snprintf(prompt, sizeof prompt,
		 "Has anything changed since %s (hair-growth treatments, medication and blood "
		 "thinners, scalp conditions, allergies, pregnancy)? [yes/no]: ",
		 t->since);
	while (changed < 0) {
		if ((got = read_line(t, prompt, yesno, &line)) <= 0) {
			if (got == 0)
				stopped(t);
			return -1;
		}
		text_trim(line);
		if (strcmp(line, "yes") == 0 || strcmp(line, "y") == 0)
			changed = 1;
		else if (strcmp(line, "no") == 0 || strcmp(line, "n") == 0)
			changed = 0;
		else if (t->from == FROM_TTY)
			printf("Answer yes or no.\n");
		else {
			report("rescreen: answer yes or no; nothing saved");
			free(line);
			return -1;
		}
		free(line);
		line = NULL;
	}
	if (!changed)
		return 0;
	if (t->from == FROM_TTY)
		printf("Enter keeps the answer in brackets.\n");
	for (size_t k = 0; session_rescreen_questions[k]; k++) {
		int qi = questionnaire_index(session_rescreen_questions[k]);
		const struct question *q = qi < 0 ? NULL : &questionnaire[qi];
		const char *now;
		char *shown;

		if (!q || !question_applies(q, a))
			continue;
		now = answers_get(a, q->id);
		shown = now ? text_safe(now, false) : NULL;
		snprintf(prompt, sizeof prompt, "%s%s%s%s: ", q->prompt, now ? " [" : "",
			 shown ? shown : "", now ? "]" : "");
		free(shown);
		for (;;) {
			if ((got = read_line(t, prompt, q->type == Q_YESNO ? yesno : q->choices,
					     &line)) <= 0) {
				if (got == 0)
					stopped(t);
				return -1;
			}
			if (t->from == FROM_TTY && strcmp(line, "?") == 0) {
				say("%s", q->help ? q->help : "");
			} else if (text_is_blank(line) && now) {
				break; /* kept */
			} else if (rescreen_apply(a, NULL, q->id, line, &r, why, sizeof why) == 0) {
				break;
			} else if (t->from == FROM_TTY) {
				say("%s", why);
			} else {
				report("%s; nothing saved", why);
				free(line);
				return -1;
			}
			free(line);
			line = NULL;
		}
		free(line);
		line = NULL;
	}
	return 1;
}

/* Saves the re-screening's changed answers as an edit of the intake (a
 * new revision with its new advice sheet and audit row), then reloads
 * it.  typed_ack: the client's acknowledgement of the new sheet given
 * with the answers (NULL: none).  Returns 0, or -1 (reported). */
static int rescreen_save(struct taking *t, struct answers *a, const char *typed_ack)
{
	struct intake edit = { 0 };
	char when[21];
	int rc = -1;

	edit.id = t->in.id;
	edit.client_id = t->in.client_id;
	edit.revision = t->in.revision;
	if (answers_copy(&edit.answers, a) < 0) {
		report("out of memory; nothing saved");
		goto out;
	}
	if (typed_ack && acknowledgement_given(typed_ack, &edit.answers, t->staff, &edit.ack,
					       "; nothing saved") < 0)
		goto out;
	if (date_now_utc(when) < 0) {
		report("cannot read the clock; nothing saved");
		goto out;
	}
	if (advice_for_answers(&edit.answers, &t->ctx->settings, &edit.advice) < 0) {
		report("out of memory; nothing saved");
		goto out;
	}
	switch (db_save_edit(t->ctx->db, &edit, &t->in.answers, t->staff, when)) {
	case DB_OK:
		break;
	case DB_CONFLICT:
		report("intake %lld was changed while the session was being recorded; nothing saved",
		       t->in.id);
		goto out;
	case DB_MISSING:
		ctx_report_missing(t->ctx, false, t->in.id);
		goto out;
	default:
		goto out;
	}
	intake_clear(&t->in);
	if (db_load_intake(t->ctx->db, edit.id, &t->in) != 0) {
		report("the re-screening is saved, but intake %lld cannot be read again", edit.id);
		goto out;
	}
	t->edited = true;
	say("The re-screening's changes are saved: intake %lld, revision %lld (see `smp-intake "
	    "history %lld`).",
	    t->in.id, t->in.revision, t->in.id);
	rc = 0;
out:
	intake_clear(&edit);
	return rc;
}

/* The session's answers from the terminal or the pipe, in
 * session_fields[] order; an empty answer takes the default (date: today;
 * number: the next in the course; patch test: no).  Returns 0, or -1
 * (reported). */
static int fields_ask(struct taking *t)
{
	static const char *const yesno[] = { "yes", "no", NULL };
	static const char *const areas[] = { "frontal", "hairline", "mid-scalp", "crown",
					     "sides",	"back",	    "scar",	 NULL };
	static const char *const kinds[] = { "passport", "driving licence", "national ID",
					     "other", NULL };
	char why[256], number[24], prompt[300], *line = NULL, *value = NULL;
	int got;

	snprintf(number, sizeof number, "%lld", t->s.number);
	if (t->from == FROM_TTY) {
		printf("\n");
		say("The session (? for help on a question; Ctrl-C stops and keeps a draft).");
	}
	for (size_t i = 0; i < session_field_count; i++) {
		const struct session_field *f = &session_fields[i];
		const char *def = strcmp(f->id, "performed_on") == 0	 ? "today"
				  : strcmp(f->id, "session_number") == 0 ? number
				  : strcmp(f->id, "patch_test") == 0	 ? "no"
									 : NULL;
		const char *const *choices = f->kind == SK_YESNO     ? yesno
					     : f->kind == SK_AREAS   ? areas
					     : f->kind == SK_ID_KIND ? kinds
								     : NULL;

		bool kept;
		const char *held = draft_value(t->draft, f->id, &kept);

		if (kept) { /* answered before the draft stopped */
			if (session_set(&t->s, f->id, held) < 0) {
				report("out of memory; nothing saved");
				return -1;
			}
			continue;
		}
		if (strcmp(f->id, "session_number") == 0)
			snprintf(prompt, sizeof prompt, "Session number in the course [%s]: ", number);
		else
			snprintf(prompt, sizeof prompt, "%s", f->prompt);
		for (;;) {
			if ((got = read_line(t, prompt, choices, &line)) <= 0) {
				if (got == 0)
					stopped(t);
				return -1;
			}
			if (t->from == FROM_TTY && strcmp(line, "?") == 0) {
				text_wrap(stdout, f->help, text_terminal_width(), 2);
				printf("\n");
				free(line);
				line = NULL;
				continue;
			}
			why[0] = '\0';
			if (session_read_answer(f, text_is_blank(line) && def ? def : line, true,
						t->ctx->settings.date_input, t->today, &value, why,
						sizeof why) == 0 &&
			    session_set(&t->s, f->id, value) == 0 &&
			    session_check_answer(&t->s, f->id, &t->in.answers, &t->ctx->settings,
						 t->today, why, sizeof why) == 0)
				break;
			free(value);
			value = NULL;
			if (t->from != FROM_TTY) {
				report("%s; nothing saved", why[0] ? why : "out of memory");
				free(line);
				return -1;
			}
			say("%s", why);
			free(line);
			line = NULL;
		}
		if (keep(t, f->id, value,
			 i + 1 < session_field_count ? session_fields[i + 1].id : NULL) < 0) {
			free(value);
			free(line);
			return -1;
		}
		free(value);
		value = NULL;
		free(line);
		line = NULL;
	}
	return 0;
}

/* The session's answers from an --answers file, the re-screening's
 * applied to *a.  Returns 1 when the re-screening changed answers, 0 when
 * not, -1 (reported). */
static int fields_from_file(struct taking *t, const char *path, struct answers *a,
			    char **rescreen_ack, char **ack, char **override)
{
	struct json_answers fields = { 0 }, rescreen = { 0 };
	struct rules r = { t->today, t->ctx->settings.minimum_age, DATES_STORED };
	enum json_rescreen changed;
	const char *name = strcmp(path, "-") ? path : "stdin";
	char why[300], *text, *value = NULL;
	size_t len;
	int rc = -1;

	if (!(text = take_read_answers_file(path, &len)))
		return -1;
	if (json_read_session(text, len, &fields, &changed, &rescreen, why, sizeof why) < 0) {
		report("%s: %s; nothing saved", name, why);
		free(text);
		return -1;
	}
	free(text);
	if (changed == JSON_RESCREEN_ABSENT) {
		report("%s: rescreen: the re-screening is needed ({\"changed\": false} when nothing "
		       "changed); nothing saved",
		       name);
		goto out;
	}
	for (size_t i = 0; i < fields.count; i++) {
		const struct session_field *f = field_for(fields.item[i].id);
		if (session_read_answer(f, fields.item[i].value ? fields.item[i].value : "", false,
					DATE_FORM_ISO, t->today, &value, why, sizeof why) < 0) {
			report("%s: %s; nothing saved", name, why);
			goto out;
		}
		if (f == &ack_field)
			*ack = value;
		else if (f == &override_field)
			*override = value;
		else if (session_set(&t->s, f->id, value) < 0) {
			report("out of memory; nothing saved");
			goto out;
		} else
			free(value);
		value = NULL;
	}
	for (size_t i = 0; i < rescreen.count; i++) {
		if (strcmp(rescreen.item[i].id, "acknowledged_by") == 0) {
			if (rescreen.item[i].value && !(*rescreen_ack = strdup(rescreen.item[i].value)))
				goto out;
			continue;
		}
		if (rescreen_apply(a, NULL, rescreen.item[i].id, rescreen.item[i].value, &r, why,
				   sizeof why) < 0) {
			report("%s: %s; nothing saved", name, why);
			goto out;
		}
	}
	rc = changed == JSON_RESCREEN_CHANGED;
out:
	json_answers_free(&fields);
	json_answers_free(&rescreen);
	return rc;
}

static void sheet_line(const char *label, const char *value)
{
	char prefix[32];

	snprintf(prefix, sizeof prefix, "  %-15s ", label);
	sheet_wrapped(prefix, value ? value : "(none)", true);
}

static int done_date(const struct session *s, void *arg)
{
	struct course_plan_input {
		struct date d[COURSE_MAX];
		size_t n;
	} *in = arg;
	if (!s->patch_test && in->n < COURSE_MAX && date_parse(s->performed_on, &in->d[in->n]) == 0)
		in->n++;
	return 0;
}

/* The session sheet: the session, the course plan with the pause of
 * topical products around every session, the studio's own aftercare. */
static void print_sheet(struct taking *t, const char *aftercare)
{
	struct {
		struct date d[COURSE_MAX];
		size_t n;
	} done = { .n = 0 };
	struct session_query q = { .intake_id = t->in.id };
	const struct session *s = &t->s;
	struct course_plan plan;
	struct date on;
	char buf[64], *name = text_join(answers_get(&t->in.answers, "first_name"), " ",
					answers_get(&t->in.answers, "last_name"));
	bool topical = answers_any_topical(&t->in.answers);

	printf("\nSession sheet: ");
	text_print_safe(stdout, name ? name : "");
	printf(" (client %lld, intake %lld)\n", t->in.client_id, t->in.id);
	free(name);
	snprintf(buf, sizeof buf, "%lld%s", s->number, s->patch_test ? " (patch test)" : "");
	sheet_line("Session", buf);
	for (size_t i = 0; i < session_field_count; i++) {
		const struct session_field *f = &session_fields[i];
		char *v;
		if (strcmp(f->id, "session_number") == 0 || strcmp(f->id, "patch_test") == 0)
			continue;
		v = session_get(s, f->id);
		if (v && f->kind == SK_AREAS) {
			char *shown = session_areas_shown(v);
			free(v);
			v = shown;
		}
		if (v && f->kind == SK_ID_KIND)
			for (char *c = v; *c; c++)
				*c = *c == '_' ? ' ' : *c;
		if (v && f->kind == SK_ID_KIND) {
			char *both = text_join(v, "", " (the client's age checked)");
			free(v);
			v = both;
		}
		if (v || f->required)
			sheet_line(f->label, v);
		free(v);
	}
	if (strcmp(s->rescreen, "changed") == 0)
		snprintf(buf, sizeof buf, "changed: intake revision %lld", t->in.revision);
	else
		snprintf(buf, sizeof buf, "nothing changed since %s", t->since);
	sheet_line("Re-screening", buf);
	if (s->override_reason)
		sheet_line("OVERRIDE", s->override_reason);
	if (s->override_reason)
		printf("  (went ahead while the intake was not ready, on the artist's override)\n");

	db_each_session(t->ctx->db, &q, done_date, &done);
	if (!s->patch_test && done.n < COURSE_MAX && date_parse(s->performed_on, &on) == 0) {
		size_t k = done.n;
		while (k > 0 && date_cmp(done.d[k - 1], on) > 0) {
			done.d[k] = done.d[k - 1];
			k--;
		}
		done.d[k] = on;
		done.n++;
	}
	date_parse(s->performed_on, &on);
	course_plan(&t->ctx->settings, done.d, done.n, on, &plan);
	printf("\nCourse plan (%d sessions, %d days apart)\n", t->ctx->settings.course_sessions,
	       t->ctx->settings.course_interval_days);
	for (size_t i = 0; i < plan.steps; i++) {
		char d[11], stop[11], resume[11], prefix[16], line[128];
		date_format(plan.step[i].on, d);
		date_format(plan.step[i].stop, stop);
		date_format(plan.step[i].resume, resume);
		snprintf(prefix, sizeof prefix, "  %d: ", plan.step[i].number);
		snprintf(line, sizeof line, "%s, %s", d, plan.step[i].done ? "done" : "planned");
		if (topical)
			snprintf(line + strlen(line), sizeof line - strlen(line),
				 "; topical products stop %s, start again %s", stop, resume);
		sheet_wrapped(prefix, line, false);
	}
	if (plan.complete) {
		date_format(plan.touch_up, buf);
		printf("  Touch-up due about %s.\n", buf);
	}
	if (topical) {
		char line[200];
		snprintf(line, sizeof line, "The pause of topical products is the studio's usual "
			 "window (%d days before, %d after); your artist may say otherwise.",
			 t->ctx->settings.pause_days_before, t->ctx->settings.pause_days_after);
		sheet_wrapped("  ", line, false);
	}
	if (aftercare) {
		printf("\nYour studio's aftercare\n");
		sheet_wrapped("", aftercare, true);
	}
	printf("\n");
}

/* The client's typed name on the sheet: at the terminal asked until it is
 * theirs (Enter: none), through the pipe the next line.  Returns 0, or -1
 * (reported). */
static int ask_ack(struct taking *t, char **ack)
{
	char *line = NULL;
	int got;

	if (t->from == FROM_TTY)
		say("The client reads this sheet, then types their full name to acknowledge it.");
	for (;;) {
		if ((got = read_line(t, "Client's full name (Enter: not now): ", NULL, &line)) < 0)
			return -1;
		if (got == 0 || text_is_blank(line)) {
			free(line);
			return 0;
		}
		text_trim(line);
		if (acknowledgement_matches(line, &t->in.answers)) {
			*ack = line;
			return 0;
		}
		free(line);
		line = NULL;
		if (t->from != FROM_TTY) {
			/* The re-screening's edit is saved before the sheet. */
			report("client_ack: the name typed is not the client's first and last name; "
			       "%s",
			       t->edited ? "the re-screening's changes are saved, the session is not"
					 : "nothing saved");
			return -1;
		}
		say("That is not the name on this intake; type the first name, then the last name "
		    "as given.");
	}
}

/* Saves the re-screening's changes (rescreen_save()); at the terminal the
 * new advice is shown and the client asked to acknowledge it.  Returns 0,
 * or -1 (reported). */
static int rescreen_commit(struct taking *t, struct answers *a, const char *typed_ack)
{
	long long id = t->in.id;

	if (rescreen_save(t, a, typed_ack) < 0)
		return -1;
	if (t->from != FROM_TTY)
		return 0;
	sheet_print_readiness(stdout, &t->in);
	sheet_show_advice(&t->in, SHEET_FOR_CLIENT);
	if (t->in.ack.sheet != t->in.sheet && acknowledgement_ask(t->ctx, &t->in) < 0)
		return -1;
	intake_clear(&t->in);
	if (db_load_intake(t->ctx->db, id, &t->in) != 0) {
		report("intake %lld cannot be read again", id);
		return -1;
	}
	return 0;
}

/* Whether the session may go ahead: the intake ready, or the artist's
 * override given (dropped, and said so, when the intake is ready).
 * False when refused (reported). */
static bool ready_to_go(struct taking *t)
{
	const char *wait =
		readiness_wait_reason(&t->in.answers, &t->in.ack, t->in.cleared, t->in.clearances);

	if (wait && !t->s.override_reason) {
		report("intake %lld is not ready for a session: %s; %s (smp-intake session new %lld "
		       "--override REASON goes ahead, the reason recorded)",
		       t->in.id, wait,
		       t->edited ? "the re-screening's changes are saved, the session is not"
				 : "nothing saved",
		       t->in.id);
		return false;
	}
	if (!wait && t->s.override_reason) {
		say("Intake %lld is ready: no override needed (the reason is not kept).", t->in.id);
		session_set(&t->s, "override_reason", NULL);
	}
	return true;
}

/* The session of the course closest before (or on) the day of the one
 * being recorded, patch tests aside. */
struct closest {
	struct date on;   /* the new session's day */
	struct date last; /* the closest one's */
	long long number; /* its number; 0: none */
};

static int closest_before(const struct session *s, void *arg)
{
	struct closest *c = arg;
	struct date d;

	if (!s->patch_test && date_parse(s->performed_on, &d) == 0 && date_cmp(d, c->on) <= 0 &&
	    (!c->number || date_cmp(d, c->last) > 0)) {
		c->last = d;
		c->number = s->number;
	}
	return 0;
}

/* A session sooner after the course's last one than the studio's
 * course_interval_days: at the terminal the artist is asked whether to
 * record it all the same; through a pipe or a file it is recorded with a
 * warning on standard error.  Returns 1 to go on, 0 when the artist said
 * no or the input ended (the draft kept), -1 on failure (reported). */
static int interval_check(struct taking *t)
{
	static const char *const yesno[] = { "yes", "no", NULL };
	struct session_query q = { .intake_id = t->in.id };
	struct closest c = { .number = 0 };
	int interval = t->ctx->settings.course_interval_days, days = 0, got;
	char last[11], when[80], *line = NULL;

	if (t->s.patch_test || interval <= 0 || date_parse(t->s.performed_on, &c.on) < 0)
		return 1;
	if (db_each_session(t->ctx->db, &q, closest_before, &c) < 0)
		return -1;
	if (!c.number)
		return 1;
	while (days < interval && date_cmp(date_add_days(c.last, days), c.on) < 0)
		days++;
	if (days >= interval)
		return 1;
	date_format(c.last, last);
	if (days == 0)
		snprintf(when, sizeof when, "on the same day as session %lld", c.number);
	else
		snprintf(when, sizeof when, "%d day%s after session %lld (%s)", days,
			 days == 1 ? "" : "s", c.number, last);
	if (t->from != FROM_TTY) {
		/* Said after the save: a save that fails says only why. */
		snprintf(t->warning, sizeof t->warning,
			 "warning: session %lld is %s, sooner than the studio's %d days between "
			 "sessions (course_interval_days); recorded as given",
			 t->s.number, when, interval);
		return 1;
	}
	say("Session %lld is %s, sooner than the studio's %d days between sessions.",
	    t->s.number, when, interval);
	for (;;) {
		if ((got = read_line(t, "Record it all the same? [yes/no]: ", yesno, &line)) <= 0) {
			if (got == 0)
				stopped(t);
			return got;
		}
		text_trim(line);
		if (strcmp(line, "yes") == 0 || strcmp(line, "y") == 0) {
			free(line);
			return 1;
		}
		if (strcmp(line, "no") == 0 || strcmp(line, "n") == 0) {
			free(line);
			stopped(t);
			return 0;
		}
		free(line);
		say("Answer yes or no.");
	}
}

/* The staff member's latest draft of a session of an intake. */
struct draft_search {
	long long intake_id, id;
	const char *staff;
};

static int find_draft(const struct draft *d, void *arg)
{
	struct draft_search *f = arg;

	if (d->session_intake_id != f->intake_id || strcmp(d->staff, f->staff) != 0)
		return 0;
	f->id = d->id;
	return 1;
}

int session_take(struct ctx *ctx, long long intake_id, const char *answers_path,
		 const char *override, struct draft *resume)
{
	struct taking t = { .ctx = ctx };
	struct draft fresh = { 0 };
	bool resumed_rescreen = false;
	struct session_query q = { .intake_id = intake_id };
	struct answers a = { { NULL } };
	char why[300], *ack = NULL, *rescreen_ack = NULL, *file_override = NULL, *typed_over = NULL;
	char *aftercare = NULL;
	long long last = 0, version = 0;
	int changed, rc = EXIT_FAIL;

	if (!(t.staff = ctx_staff(ctx)) || !ctx_db(ctx))
		return EXIT_FAIL;
	if (!db_writable(ctx->db, "cannot record the session"))
		return EXIT_FAIL;
	if (ctx_load_intake(ctx, intake_id, &t.in) < 0)
		return EXIT_FAIL;
	t.from = answers_path ? FROM_FILE : prompt_interactive() ? FROM_TTY : FROM_LINES;
	if (!resume && t.from == FROM_TTY) {
		struct draft_search f = { intake_id, 0, t.staff };
		if (db_each_draft(ctx->db, find_draft, &f) < 0)
			goto out;
		if (f.id && db_draft_load(ctx->db, f.id, &fresh) != DB_OK)
			goto out;
	}
	if (!resume && t.from == FROM_TTY) {
		t.draft = &fresh;
		if (!fresh.id) {
			fresh.session_intake_id = intake_id;
			fresh.client_id = t.in.client_id;
			if (!(fresh.staff = strdup(t.staff)))
				goto oom;
		}
	} else {
		t.draft = resume;
	}
	if (t.draft && t.draft->id) {
		const char *r = draft_value(t.draft, "rescreen", &resumed_rescreen);
		t.changed = t.edited = resumed_rescreen && r && strcmp(r, "changed") == 0;
		say("Continuing draft %lld, a session of intake %lld.", t.draft->id, intake_id);
	}
	t.today = date_today();
	snprintf(t.since, sizeof t.since, "%.10s", t.in.taken_at ? t.in.taken_at : "");
	db_each_audit(ctx->db, intake_id, last_revision, t.since);
	if (db_each_session(ctx->db, &q, last_number, &last) < 0)
		goto out;
	t.s.intake_id = intake_id;
	t.s.number = last + 1;
	if (override) {
		if (session_read_answer(&override_field, override, false, DATE_FORM_ISO, t.today,
					&typed_over, why, sizeof why) < 0 ||
		    !typed_over) {
			report("session: --override: %s", typed_over ? why : "a reason is needed");
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if (answers_copy(&a, &t.in.answers) < 0)
		goto oom;
	/* The default date, as a file that leaves it out means. */
	if (session_set(&t.s, "performed_on", NULL) < 0)
		goto oom;
	{
		char today[11];
		date_format(t.today, today);
		if (session_set(&t.s, "performed_on", today) < 0)
			goto oom;
	}
	if (t.from == FROM_FILE) {
		if ((changed = fields_from_file(&t, answers_path, &a, &rescreen_ack, &ack,
						&file_override)) < 0)
			goto out;
		if (file_override && typed_over) {
			report("session: the override reason is given twice (--override and the "
			       "file's override_reason); nothing saved");
			goto out;
		}
	} else {
		if (t.from == FROM_TTY) {
			say("Recording a session of intake %lld (client %lld).", intake_id,
			    t.in.client_id);
		}
		if (resumed_rescreen)
			changed = t.changed;
		else if ((changed = rescreen_ask(&t, &a)) < 0)
			goto out;
		if (changed && t.from == FROM_LINES && !resumed_rescreen) {
			/* The line after the re-screening's answers: the client's
			 * acknowledgement of the new advice (empty: none). */
			if (acknowledgement_read_line(&rescreen_ack) < 0)
				goto out;
		}
		/* At the terminal the re-screening's changes are saved at once
		 * (the new advice shown and acknowledged), and an intake that is
		 * not ready is refused before the session's questions. */
		if (t.from == FROM_TTY || resumed_rescreen) {
			if (changed && !t.edited && !rescreen_settle(&a, &t.in.answers))
				changed = 0;
			if (changed && !t.edited && rescreen_commit(&t, &a, NULL) < 0)
				goto out;
			t.changed = changed;
			if (session_set(&t.s, "override_reason", typed_over) < 0)
				goto oom;
			if (!ready_to_go(&t))
				goto out;
		}
		if (fields_ask(&t) < 0)
			goto out;
	}
	if (changed && !t.edited && !rescreen_settle(&a, &t.in.answers))
		changed = 0; /* the same answers again: nothing changed */
	if (session_set(&t.s, "override_reason", typed_over ? typed_over : file_override) < 0 ||
	    !(t.s.rescreen = strdup(changed ? "changed" : "unchanged")))
		goto oom;
	/* Every check before anything is saved (the re-screening included). */
	if (session_check(&t.s, &t.in.answers, &ctx->settings, t.today, why, sizeof why) < 0) {
		report("%s; nothing saved", why);
		goto out;
	}
	if (interval_check(&t) <= 0)
		goto out;
	if (ack && !acknowledgement_matches(ack, &t.in.answers)) {
		report("client_ack: the name typed is not the client's first and last name; nothing "
		       "saved");
		goto out;
	}
	if (changed && !t.edited &&
	    rescreen_commit(&t, &a, rescreen_ack && !text_is_blank(rescreen_ack) ? rescreen_ack
										 : NULL) < 0)
		goto out;
	if (!ready_to_go(&t))
		goto out;
	if (db_aftercare(ctx->db, 0, &version, &aftercare) < 0)
		goto out;
	t.s.aftercare_version = version;
	t.s.intake_revision = t.in.revision;
	if (!(t.s.staff = strdup(t.staff)))
		goto oom;
	if (access_record_client(ctx, "session", t.in.client_id) != EXIT_OK)
		goto out;
	print_sheet(&t, aftercare);
	if (t.from != FROM_FILE && ask_ack(&t, &ack) < 0)
		goto out;
	t.s.client_ack = ack;
	ack = NULL;
	switch (db_save_session(ctx->db, &t.s, t.draft ? t.draft->id : 0)) {
	case DB_OK:
		break;
	case DB_CONFLICT:
		report("intake %lld was changed while the session was being recorded; nothing saved",
		       intake_id);
		goto out;
	case DB_MISSING:
		ctx_report_missing(ctx, false, intake_id);
		goto out;
	default:
		goto out;
	}
	say("Saved session %lld: session %lld of intake %lld, %s by the client.", t.s.id,
	    t.s.number, intake_id, t.s.client_ack ? "acknowledged" : "not acknowledged");
	if (t.warning[0])
		report("%s", t.warning);
	if (t.s.patch_test)
		say("A patch test: record its result with smp-intake session result %lld "
		    "--reaction none|mild|marked.",
		    t.s.id);
	rc = EXIT_OK;
	goto out;
oom:
	report("out of memory; nothing saved");
out:
	intake_clear(&t.in);
	session_clear(&t.s);
	answers_clear(&a);
	free(ack);
	free(rescreen_ack);
	free(file_override);
	free(typed_over);
	free(aftercare);
	draft_clear(&fresh);
	return rc;
}
