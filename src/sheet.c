/* sheet.c - formatting intakes and advice for people.  Everything stored
 * went in as the client typed it, so every value passes text_safe() before
 * it reaches the terminal. */
#include "sheet.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pager.h"
#include "text.h"

static bool use_colour(FILE *f)
{
	const char *no = getenv("NO_COLOR");
	const char *term = getenv("TERM");
	return isatty(fileno(f)) && !(no && *no) && !(term && strcmp(term, "dumb") == 0);
}

/* Writes "prefix" then value made safe and wrapped, then a newline. */
static int print_wrapped(FILE *f, const char *prefix, const char *value, bool keep_newlines)
{
	char *safe = text_safe(value, keep_newlines);
	int width = text_terminal_width(), indent = (int)text_codepoints(prefix), rc = -1;

	if (!safe)
		return -1;
	if (fputs(prefix, f) != EOF && text_wrap(f, safe, width, indent) == 0 && fputc('\n', f) != EOF)
		rc = 0;
	free(safe);
	return rc;
}

/* A heading on one line as it is when it fits, else wrapped; made safe
 * either way (a title may hold a stored rule or flag id). */
static int print_heading(FILE *f, const char *heading)
{
	char *safe = text_safe(heading, false);
	int rc = -1;

	if (!safe)
		return -1;
	if (text_columns(safe) > text_terminal_width())
		rc = print_wrapped(f, "", safe, false);
	else if (fprintf(f, "%s\n", safe) >= 0)
		rc = 0;
	free(safe);
	return rc;
}

int sheet_print_answers(FILE *f, const struct answers *a, const char *version)
{
	char prefix[80];

	for (size_t i = 0; i < questionnaire_count; i++) {
		if (!a->value[i])
			continue;
		snprintf(prefix, sizeof prefix, "  %-*s ", QUESTION_LABEL_COLS,
			 question_label_at(&questionnaire[i], version));
		if (print_wrapped(f, prefix, a->value[i], questionnaire[i].type == Q_NOTES) < 0)
			return -1;
	}
	return 0;
}

/* Whether the client may have a first session, and why, in plain words. */
static void readiness(const struct intake *in, char *out, size_t n)
{
	const char *wait = readiness_wait_reason(&in->answers, &in->ack, in->cleared, in->clearances);

	if (wait)
		snprintf(out, n, "no: %s", wait);
	else if (strcmp(answers_signoff_status(&in->answers), "obtained") == 0)
		snprintf(out, n, "yes (the GP's sign-off is obtained)");
	else
		snprintf(out, n, "yes (no hair-growth treatment recorded)");
}

/* "Acknowledged: ..." for the intake's acknowledgement, or that there is none. */
static int print_acknowledgement(FILE *f, const struct intake *in)
{
	char line[512];

	if (!in->ack.sheet)
		return print_wrapped(f, "Acknowledged: ",
				     "no (unacknowledged: the client has not confirmed reading the "
				     "advice)", false);
	snprintf(line, sizeof line, "yes, by \"%s\" on %s with %s (sheet %lld)",
		 in->ack.typed_name ? in->ack.typed_name : "", in->ack.at ? in->ack.at : "",
		 in->ack.staff ? in->ack.staff : "", in->ack.sheet);
	return print_wrapped(f, "Acknowledged: ", line, false);
}

/* The clearance of flag f on in, or NULL. */
static const struct clearance *clearance_of(const struct intake *in, const struct flag_rule *f)
{
	for (size_t i = 0; i < in->clearances; i++)
		if (strcmp(in->cleared[i].flag_id, f->id) == 0)
			return &in->cleared[i];
	return NULL;
}

/* The screening flags the answers raise: open ones with what to check
 * (when full), cleared ones with who cleared them and why.  Prints
 * nothing when none is raised. */
static int print_flags(FILE *f, const struct intake *in, bool full, bool colour)
{
	char heading[160], line[600];
	bool any = false;

	for (size_t i = 0; i < flag_rule_count; i++) {
		const struct flag_rule *r = &flag_rules[i];
		const struct clearance *c = clearance_of(in, r);

		if (!flag_raised(r, &in->answers))
			continue;
		if (!any && fputs(full ? "\nFor the artist: screening flags\n" : "\nScreening flags\n",
				  f) == EOF)
			return -1;
		any = true;
		snprintf(heading, sizeof heading, "  %s  [%s]: %s", c ? "cleared" : "OPEN", r->id,
			 r->title);
		if ((colour && !c && fputs("\033[31m", f) == EOF) || print_heading(f, heading) < 0 ||
		    (colour && !c && fputs("\033[0m", f) == EOF))
			return -1;
		if (c) {
			snprintf(line, sizeof line, "by %s on %.10s: %s", c->staff, c->at, c->reason);
			if (print_wrapped(f, "    ", line, false) < 0)
				return -1;
		} else if (full && print_wrapped(f, "    ", r->text, false) < 0) {
			return -1;
		}
	}
	return 0;
}

/* The artist's warning for the recorded GP answer, or NULL when the GP
 * does not stop the artist. */
static const char *signoff_warning(const struct answers *a)
{
	const char *status = answers_signoff_status(a);
	const char *discussed = answers_get(a, "gp_discussed");

	if (strcmp(status, "declined") == 0)
		return "do not start: GP sign-off declined (the GP advised against SMP with this "
		       "treatment; a session needs a new sign-off).";
	if (strcmp(status, "pending") != 0)
		return NULL;
	return discussed && strcmp(discussed, "no") == 0
		       ? "do not start: GP sign-off pending (not yet discussed with the GP)."
		       : "do not start: GP sign-off pending.";
}

/* The sheet for who, with colour or without. */
static int print_advice(FILE *f, const struct intake *in, enum sheet_reader who, bool colour)
{
	const struct answers *a = &in->answers;
	bool artist = who == SHEET_FOR_ARTIST;
	const char *warning = artist ? signoff_warning(a) : NULL;
	char *name = NULL, ready[160], day[64];
	size_t n;
	int rc = -1;

	n = strlen(answers_get(a, "first_name") ? answers_get(a, "first_name") : "") +
	    strlen(answers_get(a, "last_name") ? answers_get(a, "last_name") : "") + 2;
	if (!(name = malloc(n)))
		return -1;
	snprintf(name, n, "%s %s", answers_get(a, "first_name") ? answers_get(a, "first_name") : "",
		 answers_get(a, "last_name") ? answers_get(a, "last_name") : "");
	readiness(in, ready, sizeof ready);
	if (fputs("\nAdvice for ", f) == EOF || text_print_safe(f, name) < 0)
		goto out;
	text_stamp_part(day, sizeof day, in->taken_at, 0, 10);
	if (artist ? fprintf(f, " (intake %lld, %s)\n", in->id, day) < 0
		   : fprintf(f, " (%s)\n", day) < 0)
		goto out;
	if (artist && print_wrapped(f, "Ready for a first session: ", ready, false) < 0)
		goto out;
	if (warning && ((colour && fputs("\033[31m", f) == EOF) ||
			print_wrapped(f, "ARTIST WARNING: ", warning, false) < 0 ||
			(colour && fputs("\033[0m", f) == EOF)))
		goto out;
	for (size_t i = 0; i < in->advice.count; i++) {
		const struct advice_item *it = &in->advice.item[i];
		/* Sheets stored before advice 2026.3 carry the warning inline. */
		bool warn = colour && strstr(it->text, "ARTIST WARNING");
		char heading[160];

		if (artist)
			snprintf(heading, sizeof heading, "%s  [%s]", advice_title(it->id), it->id);
		else
			snprintf(heading, sizeof heading, "%s", advice_title(it->id));
		if (fputc('\n', f) == EOF || (colour && fputs("\033[1m", f) == EOF) ||
		    print_heading(f, heading) < 0 || (colour && fputs("\033[0m", f) == EOF) ||
		    (warn && fputs("\033[31m", f) == EOF) || print_wrapped(f, "  ", it->text, false) < 0 ||
		    (warn && fputs("\033[0m", f) == EOF))
			goto out;
	}
	if (artist && (print_flags(f, in, true, colour) < 0 || fputc('\n', f) == EOF ||
		       print_acknowledgement(f, in) < 0))
		goto out;
	rc = 0;
out:
	free(name);
	return rc;
}

int sheet_print_readiness(FILE *f, const struct intake *in)
{
	char ready[160];

	readiness(in, ready, sizeof ready);
	return print_wrapped(f, "Ready for a first session: ", ready, false);
}

int sheet_print_advice(FILE *f, const struct intake *in, enum sheet_reader who)
{
	return print_advice(f, in, who, use_colour(f));
}

int sheet_show_advice(const struct intake *in, enum sheet_reader who)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem;
	int rc;

	if (!pager_wanted())
		return sheet_print_advice(stdout, in, who);
	if (!(mem = open_memstream(&text, &len)))
		return sheet_print_advice(stdout, in, who);
	rc = print_advice(mem, in, who, use_colour(stdout));
	if (fclose(mem) != 0)
		rc = -1;
	if (rc == 0)
		rc = pager_show(text, len);
	free(text);
	return rc;
}

int sheet_print_intake(FILE *f, const struct intake *in)
{
	const struct answers *a = &in->answers;
	const char *status = answers_signoff_status(a);
	char prefix[64], client[32], line[512];

	snprintf(prefix, sizeof prefix, "  %-6s ", "UUID");
	snprintf(client, sizeof client, "%lld", in->client_id);
	snprintf(line, sizeof line, "%s by %s", in->taken_at, in->staff);
	if (fprintf(f, "Intake %lld\n", in->id) < 0 || print_wrapped(f, prefix, in->uuid, false) < 0)
		return -1;
	snprintf(prefix, sizeof prefix, "  %-6s ", "Taken");
	if (print_wrapped(f, prefix, line, false) < 0)
		return -1;
	snprintf(prefix, sizeof prefix, "  %-6s ", "Client");
	if (print_wrapped(f, prefix, client, false) < 0)
		return -1;
	snprintf(prefix, sizeof prefix, "  %-6s ", "Form");
	snprintf(line, sizeof line, "questionnaire %s, advice %s", in->questionnaire_version,
		 in->advice_version);
	if (print_wrapped(f, prefix, line, false) < 0 || print_flags(f, in, false, use_colour(f)) < 0 || fputs("\nAnswers\n", f) == EOF ||
	    sheet_print_answers(f, a, in->questionnaire_version) < 0)
		return -1;
	if (strcmp(status, "obtained") == 0)
		snprintf(line, sizeof line, "%s (%s, %s)", status,
			 answers_get(a, "gp_name") ? answers_get(a, "gp_name") : "",
			 answers_get(a, "gp_signoff_date") ? answers_get(a, "gp_signoff_date") : "");
	else
		snprintf(line, sizeof line, "%s", status);
	if (fputc('\n', f) == EOF || print_wrapped(f, "GP sign-off: ", line, false) < 0)
		return -1;
	return sheet_print_advice(f, in, SHEET_FOR_ARTIST);
}
