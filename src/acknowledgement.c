/* acknowledgement.c - the client's acknowledgement of the advice: asked
 * at the end of `new` and `edit`, given through a pipe or an answers file,
 * or recorded later by `acknowledge`.  The client types their full name; a
 * name that is not the one on the intake is refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acknowledgement.h"
#include "prompt.h"
#include "report.h"
#include "text.h"

static void ack_clear(struct acknowledgement *ack)
{
	free(ack->typed_name);
	free(ack->at);
	free(ack->staff);
	memset(ack, 0, sizeof *ack);
}

int acknowledgement_fill(struct acknowledgement *ack, const char *typed, const char *staff)
{
	char when[21];

	if (date_now_utc(when) < 0) {
		report("cannot read the clock");
		return -1;
	}
	if (!(ack->typed_name = strdup(typed)) || !(ack->at = strdup(when)) ||
	    !(ack->staff = strdup(staff))) {
		report("out of memory");
		return -1;
	}
	text_trim(ack->typed_name);
	return 0;
}

int acknowledgement_check(const char *typed, const struct answers *a, const char *then)
{
	if (acknowledgement_matches(typed, a))
		return 0;
	report("acknowledged_by: the name typed is not the client's full name (first name, then "
	       "last name)%s", then);
	return -1;
}

int acknowledgement_given(const char *typed, const struct answers *a, const char *staff,
			  struct acknowledgement *ack, const char *then)
{
	char *copy;
	int rc;

	if (!typed)
		return 0;
	if (!(copy = strdup(typed))) {
		report("out of memory");
		return -1;
	}
	if (text_is_blank(text_trim(copy)))
		rc = 0;
	else
		rc = acknowledgement_check(copy, a, then) < 0 ? -1
								 : acknowledgement_fill(ack, copy, staff);
	free(copy);
	return rc;
}

int acknowledgement_read_line(char **line)
{
	switch (prompt_read("", NULL, line)) {
	case PROMPT_LINE:
		return 0;
	case PROMPT_EOF:
	case PROMPT_INTERRUPTED:
		*line = NULL;
		return 0;
	default:
		*line = NULL;
		return -1;
	}
}

/* Stores ack for in's latest sheet and reports how it went. */
static int store(struct ctx *ctx, struct intake *in, struct acknowledgement *ack)
{
	ack->sheet = in->sheet;
	switch (db_save_acknowledgement(ctx->db, in->id, ack)) {
	case DB_OK:
		printf("Acknowledged by the client: intake %lld, advice sheet %lld.\n", in->id,
		       in->sheet);
		return 0;
	case DB_MISSING:
		ctx_report_missing(ctx, false, in->id);
		return -1;
	case DB_CONFLICT:
		report("intake %lld got a new advice sheet meanwhile; acknowledge that one "
		       "(smp-intake acknowledge %lld)", in->id, in->id);
		return -1;
	default:
		return -1;
	}
}

/* Our own words, wrapped to the terminal's width as the sheet above them is. */
static void say(const char *text)
{
	if (text_wrap(stdout, text, text_terminal_width(), 0) == 0)
		putchar('\n');
}

int acknowledgement_ask(struct ctx *ctx, struct intake *in)
{
	struct acknowledgement ack = { 0 };
	char *line = NULL, later[128];
	int rc = 1;

	/* True whether the sheet is above or was read in the pager (which
	 * may have taken it off the screen when it closed). */
	say("\nThe client reads the advice sheet, then confirms they have read and understood it "
	    "by typing their full name.");
	for (;;) {
		enum prompt_result r = prompt_read("Client's full name (Enter: not now): ", NULL, &line);
		if (r == PROMPT_ERROR)
			return -1;
		if (r != PROMPT_LINE || text_is_blank(text_trim(line)))
			break;
		if (acknowledgement_matches(line, &in->answers)) {
			rc = 0;
			if (acknowledgement_fill(&ack, line, ctx_staff(ctx)) < 0 ||
			    store(ctx, in, &ack) < 0)
				rc = -1;
			break;
		}
		say("That is not the name on this intake; type the first name, then the last name as "
		    "given.");
		free(line);
		line = NULL;
	}
	free(line);
	snprintf(later, sizeof later, "Intake %lld is saved as unacknowledged (smp-intake "
		 "acknowledge %lld records it later).", in->id, in->id);
	if (rc == 1)
		say(later);
	ack_clear(&ack);
	return rc;
}

int acknowledgement_record(struct ctx *ctx, struct intake *in, const char *typed,
			   const char *staff)
{
	struct acknowledgement ack = { 0 };
	int rc = -1;

	if (acknowledgement_check(typed, &in->answers, "") == 0 &&
	    acknowledgement_fill(&ack, typed, staff) == 0 && store(ctx, in, &ack) == 0)
		rc = 0;
	ack_clear(&ack);
	return rc;
}
