/* cmd_signoff.c - `smp-intake signoff ID --status ...`: the GP's answer,
 * recorded when the letter arrives.  The intake's GP answers are updated,
 * the advice worked out again and stored as a new sheet beside the one the
 * client was given, and the answer kept as it arrived (table signoff). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "advice.h"
#include "command.h"
#include "report.h"
#include "sheet.h"
#include "text.h"

/* Checks value as an answer to question id, as `new` would; returns the
 * normalised copy (allocated) or NULL after reporting which option. */
static char *checked(const char *option, const char *id, const char *value,
		     const struct answers *so_far, const struct rules *rules)
{
	char why[256], *out = NULL;

	if (question_check(&questionnaire[questionnaire_index(id)], value, so_far, rules, &out, why,
			   sizeof why) < 0) {
		report("signoff: %s: %s", option, why);
		return NULL;
	}
	if (!out)
		report("signoff: %s: a value is required", option);
	return out;
}

int cmd_signoff(struct ctx *ctx, int argc, char **argv)
{
	const char *status_arg, *gp_arg, *date_arg, *ref, *staff;
	char *status = NULL, *gp = NULL, *date = NULL, when[21];
	struct intake in = { 0 };
	struct answers before = { { NULL } };
	struct rules rules;
	struct signoff s;
	long long id;
	struct command_args a;
	int rc = EXIT_FAIL;

	/* Options may come before or after the ID. */
	if (command_parse(argc, argv, &a) < 0)
		return EXIT_USAGE;
	status_arg = command_arg(&a, "status");
	gp_arg = command_arg(&a, "gp");
	date_arg = command_arg(&a, "date");
	ref = command_arg(&a, "ref");
	if (!status_arg) {
		command_usage(stderr, "signoff");
		return EXIT_USAGE;
	}
	if (!(id = command_parse_id(argv[1], "ID")))
		return EXIT_USAGE;
	if (ref && text_is_blank(ref))
		ref = NULL; /* nothing visible is no reference */
	if (ref && (!text_is_utf8(ref, strlen(ref)) || text_has_control(ref, false) ||
		    text_codepoints(ref) > 200)) {
		report("signoff: --ref: up to 200 characters of text without control characters");
		return EXIT_USAGE;
	}
	if (!(staff = ctx_staff(ctx)) || !ctx_db(ctx))
		return EXIT_FAIL;
	rules.today = date_today();
	rules.minimum_age = ctx->settings.minimum_age;
	rules.dates = rules_dates_typed(ctx->settings.date_input);

	/* Read, change and write in one transaction: a sign-off recorded at
	 * the same moment by someone else is not overwritten unseen. */
	if (db_begin_write(ctx->db) < 0)
		return EXIT_FAIL;
	if (ctx_load_intake(ctx, id, &in) < 0)
		goto out;
	/* The updated sheet is printed: the row goes in with the sign-off,
	 * in its transaction, before anything is shown. */
	if (access_record_client(ctx, "signoff", in.client_id) != EXIT_OK)
		goto out;
	if (answers_copy(&before, &in.answers) < 0) {
		report("out of memory");
		goto out;
	}
	if (!answers_any_treatment(&in.answers)) {
		report("intake %lld records no hair-growth treatment: no GP sign-off is needed", id);
		goto out;
	}
	if (!(status = checked("--status", "gp_signoff", status_arg, &in.answers, &rules)) ||
	    (gp_arg && !(gp = checked("--gp", "gp_name", gp_arg, &in.answers, &rules))) ||
	    (date_arg && !(date = checked("--date", "gp_signoff_date", date_arg, &in.answers, &rules))))
		goto out;
	/* The letter usually arrives the day it is recorded. */
	if (strcmp(status, "obtained") == 0 && !date_arg &&
	    !(date = checked("--date", "gp_signoff_date", "today", &in.answers, &rules)))
		goto out;
	if (strcmp(status, "obtained") == 0 && !gp) {
		report("signoff: an obtained sign-off needs --gp NAME (and --date DATE when not "
		       "today)");
		rc = EXIT_USAGE;
		goto out;
	}
	if (answers_set(&in.answers, "gp_discussed", "yes") < 0 ||
	    answers_set(&in.answers, "gp_signoff", status) < 0 ||
	    answers_set(&in.answers, "gp_name", gp) < 0 ||
	    answers_set(&in.answers, "gp_signoff_date", date) < 0) {
		report("out of memory");
		goto out;
	}
	answers_prune(&in.answers);
	advice_sheet_clear(&in.advice);
	if (advice_for_answers(&in.answers, &ctx->settings, &in.advice) < 0) {
		report("out of memory");
		goto out;
	}
	if (date_now_utc(when) < 0) {
		report("cannot read the clock");
		goto out;
	}
	s = (struct signoff){ status, gp, date, ref, staff, when };
	if (db_save_signoff(ctx->db, &in, &before, &s) < 0 || db_commit(ctx->db) < 0)
		goto out;
	printf("Recorded GP sign-off '%s' for intake %lld.\n", status, id);
	sheet_show_advice(&in, SHEET_FOR_ARTIST);
	rc = EXIT_OK;
out:
	db_rollback(ctx->db);
	intake_clear(&in);
	answers_clear(&before);
	free(status);
	free(gp);
	free(date);
	return rc;
}
