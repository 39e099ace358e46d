/* cmd_acknowledge.c - the client's acknowledgement of the advice: asked at
 * the end of `new` and `edit`, and `smp-intake acknowledge ID` for one
 * given later.  The client types their full name; a name that is not the
 * one on the intake is refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "prompt.h"
#include "report.h"
#include "sheet.h"
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
	case 0:
		printf("Acknowledged by the client: intake %lld, advice sheet %lld.\n", in->id,
		       in->sheet);
		return 0;
	case 1:
		ctx_report_missing(ctx, false, in->id);
		return -1;
	case 2:
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

int cmd_acknowledge(struct ctx *ctx, int argc, char **argv)
{
	struct acknowledgement ack = { 0 };
	struct command_args a;
	struct intake in = { 0 };
	const char *name = NULL, *staff;
	char *line = NULL;
	long long id;
	int rc = EXIT_FAIL;

	if (command_parse(argc, argv, &a) < 0)
		return EXIT_USAGE;
	name = command_arg(&a, "name");
	if (!(id = command_parse_id(argv[1], "ID")))
		return EXIT_USAGE;
	if (!(staff = ctx_staff(ctx)) || !ctx_db(ctx))
		return EXIT_FAIL;
	if (ctx_load_intake(ctx, id, &in) < 0)
		return EXIT_FAIL;
	if (in.ack.sheet == in.sheet) {
		report("intake %lld's advice is already acknowledged (by the client on %.10s)", id,
		       in.ack.at ? in.ack.at : "");
		goto out;
	}
	/* At a terminal the sheet is shown; every way, the client's name is
	 * checked against the record: logged before either. */
	if (access_record_client(ctx, "acknowledge", in.client_id) != EXIT_OK)
		goto out;
	if (!name && prompt_interactive()) {
		if (sheet_show_advice(&in, SHEET_FOR_CLIENT) == 0 && acknowledgement_ask(ctx, &in) == 0)
			rc = EXIT_OK;
		goto out;
	}
	if (!name) {
		enum prompt_result r = prompt_read("", NULL, &line);
		if (r != PROMPT_LINE || text_is_blank(text_trim(line))) {
			if (r != PROMPT_ERROR)
				report("acknowledge: no name given (one line: the client's full name, "
				       "or --name)");
			goto out;
		}
		name = line;
	}
	if (acknowledgement_check(name, &in.answers, "") == 0 &&
	    acknowledgement_fill(&ack, name, staff) == 0 && store(ctx, &in, &ack) == 0)
		rc = EXIT_OK;
out:
	free(line);
	ack_clear(&ack);
	intake_clear(&in);
	return rc;
}
