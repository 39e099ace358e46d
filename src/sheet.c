/* sheet.c - formatting intakes and advice for people.  Everything stored
 * went in as the client typed it, so every value passes text_safe() before
 * it reaches the terminal. */
#include "sheet.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* A heading on one line as it is when it fits, else wrapped. */
static int print_heading(FILE *f, const char *heading)
{
	if ((int)text_codepoints(heading) <= text_terminal_width())
		return fprintf(f, "%s\n", heading) < 0 ? -1 : 0;
	return print_wrapped(f, "", heading, false);
}

int sheet_print_answers(FILE *f, const struct answers *a)
{
	char prefix[64];

	for (size_t i = 0; i < questionnaire_count; i++) {
		if (!a->value[i])
			continue;
		snprintf(prefix, sizeof prefix, "  %-26s ", questionnaire[i].label);
		if (print_wrapped(f, prefix, a->value[i], questionnaire[i].type == Q_NOTES) < 0)
			return -1;
	}
	return 0;
}

/* Whether the client may have a first session, and why, in plain words. */
static const char *readiness(const struct answers *a)
{
	const char *status = answers_signoff_status(a);

	if (strcmp(status, "not_required") == 0)
		return "yes (no hair-growth treatment recorded)";
	if (strcmp(status, "obtained") == 0)
		return "yes (the GP's sign-off is obtained)";
	if (strcmp(status, "declined") == 0)
		return "no: the GP advised against it";
	return "no: waiting for the GP's sign-off";
}

int sheet_print_advice(FILE *f, const struct intake *in)
{
	const struct answers *a = &in->answers;
	bool colour = use_colour(f);
	char *name = NULL;
	size_t n;
	int rc = -1;

	n = strlen(answers_get(a, "first_name") ? answers_get(a, "first_name") : "") +
	    strlen(answers_get(a, "last_name") ? answers_get(a, "last_name") : "") + 2;
	if (!(name = malloc(n)))
		return -1;
	snprintf(name, n, "%s %s", answers_get(a, "first_name") ? answers_get(a, "first_name") : "",
		 answers_get(a, "last_name") ? answers_get(a, "last_name") : "");
	if (fputs("\nAdvice for ", f) == EOF || text_print_safe(f, name) < 0 ||
	    fprintf(f, " (intake %lld, %.10s)\n", in->id, in->taken_at ? in->taken_at : "") < 0 ||
	    print_wrapped(f, "Ready for a first session: ", readiness(a), false) < 0)
		goto out;
	for (size_t i = 0; i < in->advice.count; i++) {
		const struct advice_item *it = &in->advice.item[i];
		bool warn = colour && strstr(it->text, "ARTIST WARNING");

		char heading[160];

		snprintf(heading, sizeof heading, "%s  [%s]", advice_title(it->id), it->id);
		if (fputc('\n', f) == EOF || (colour && fputs("\033[1m", f) == EOF) ||
		    print_heading(f, heading) < 0 || (colour && fputs("\033[0m", f) == EOF) ||
		    (warn && fputs("\033[31m", f) == EOF) || print_wrapped(f, "  ", it->text, false) < 0 ||
		    (warn && fputs("\033[0m", f) == EOF))
			goto out;
	}
	rc = 0;
out:
	free(name);
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
	if (print_wrapped(f, prefix, client, false) < 0 || fputs("\nAnswers\n", f) == EOF ||
	    sheet_print_answers(f, a) < 0)
		return -1;
	if (strcmp(status, "obtained") == 0)
		snprintf(line, sizeof line, "%s (%s, %s)", status,
			 answers_get(a, "gp_name") ? answers_get(a, "gp_name") : "",
			 answers_get(a, "gp_signoff_date") ? answers_get(a, "gp_signoff_date") : "");
	else
		snprintf(line, sizeof line, "%s", status);
	if (fputc('\n', f) == EOF || print_wrapped(f, "GP sign-off: ", line, false) < 0)
		return -1;
	return sheet_print_advice(f, in);
}
