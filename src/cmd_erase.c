/* cmd_erase.c - `smp-intake erase CLIENT_ID [--yes] [--reason TEXT]`: the
 * right to erasure.  The client, their intakes, drafts and advice go for
 * good; the audit keeps only that an erasure happened, when and by whom,
 * and, for a client seen inside the studio's retention period, why. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "date.h"
#include "erasure.h"
#include "prompt.h"
#include "report.h"
#include "text.h"

/* confirm(): the client was erased already, and erase_again() succeeded. */
#define ERASE_FINISHED (-1)

static int erase_again(struct ctx *ctx, long long id);

/* The studio's retention period as it bears on this erasure. */
struct retention_check {
	bool set;          /* the studio has set one (config retention_years) */
	char first_day[11]; /* its first day: today less the years */
	char seen[11];     /* the day the client was last seen */
	bool inside;       /* seen on or after first_day */
	char *reason;      /* why it may go all the same (allocated), or NULL */
};

/* Unless --reason gave it, says why a reason is needed and asks for it.
 * Returns EXIT_OK with c->reason set, or an exit code (reported). */
static int ask_reason(struct ctx *ctx, long long id, struct retention_check *c)
{
	char *line = NULL;
	int years = ctx->settings.retention_years;

	if (c->reason)
		return EXIT_OK;
	printf("Client %lld was last seen on %s, inside the studio's retention\n"
	       "period of %d year%s (config retention_years). The right to erasure has\n"
	       "exceptions: a record the studio must keep (for its licence, its insurer or\n"
	       "an open complaint) may stay. Erase only when none of them applies, and say\n"
	       "why: the reason is kept with the erasure (write no health or contact\n"
	       "details in it).\n",
	       id, c->seen, years, years == 1 ? "" : "s");
	if (prompt_read("Reason for erasing inside the retention period: ", NULL, &line) !=
		    PROMPT_LINE ||
	    text_is_blank(line)) {
		free(line);
		report("erase: no reason given; nothing erased");
		return EXIT_FAIL;
	}
	if (erasure_reason_check("erase", line) < 0) {
		free(line);
		return EXIT_FAIL;
	}
	c->reason = line;
	return EXIT_OK;
}

/* Shows who is about to be erased and asks for "yes" typed out, as an
 * erasure cannot be undone.  Returns EXIT_OK to go on, ERASE_FINISHED, or
 * else an exit code (reported). */
static int confirm(struct ctx *ctx, long long id, struct retention_check *c)
{
	struct subject s;
	const char *dob;
	char *name = NULL, *safe = NULL, *born = NULL, *line = NULL;
	char question[64], day[64];
	int rc = EXIT_FAIL;

	switch (db_load_subject(ctx->db, id, &s)) {
	case DB_OK:
		break;
	case DB_MISSING:
		/* Nothing to ask: finishes a half-done erasure, or says when. */
		return erase_again(ctx, id) == EXIT_OK ? ERASE_FINISHED : EXIT_FAIL;
	default:
		return EXIT_FAIL;
	}
	name = text_join(answers_get(&s.client, "first_name"), " ",
			 answers_get(&s.client, "last_name"));
	safe = name ? text_safe(name, false) : NULL;
	dob = answers_get(&s.client, "date_of_birth");
	born = text_safe(dob ? dob : "", false);
	if (!safe || !born) {
		report("out of memory");
		goto out;
	}
	printf("Client %lld: %s, born %s; %zu intake%s", id, safe, born, s.intakes,
	       s.intakes == 1 ? "" : "s");
	if (s.intakes)
		printf(", the latest on %s", text_stamp_part(day, sizeof day,
							       s.intake[s.intakes - 1].in.taken_at, 0, 10));
	if (s.drafts)
		printf("; %zu draft%s", s.drafts, s.drafts == 1 ? "" : "s");
	printf(".\nErasing removes the client's record, intakes, answers, advice, sign-offs and\n"
	       "drafts for good; the audit keeps only that they were erased, when and by whom.\n");
	if (!c->set)
		retention_note_not_set(stdout);
	else if (c->inside && (rc = ask_reason(ctx, id, c)) != EXIT_OK)
		goto out;
	rc = EXIT_FAIL;
	snprintf(question, sizeof question, "Type yes to erase client %lld: ", id);
	if (prompt_read(question, NULL, &line) == PROMPT_LINE &&
	    strcmp(text_trim(line), "yes") == 0)
		rc = EXIT_OK;
	else
		report("erase: not confirmed; nothing erased");
out:
	free(line);
	free(name);
	free(safe);
	free(born);
	subject_clear(&s);
	return rc;
}

/* erase of a client already erased: the open has finished an erasure a
 * kill or a full disk left half-done, if it could; what it could not
 * finish is tried again here, waiting for other terminals, and reported.
 * Else says when it was erased. */
static int erase_again(struct ctx *ctx, long long id)
{
	switch (db_erase_pending(ctx->db, id)) {
	case 0:
		ctx_report_missing(ctx, true, id);
		return EXIT_FAIL;
	case 1:
		break;
	default:
		return EXIT_FAIL;
	}
	switch (db_erase_finish(ctx->db)) {
	case DB_FINISH_OK:
		/* On a server whose tables this login does not own, what is
		 * owed is the owner's VACUUM FULL (db_erase.c). */
		switch (db_erase_pending(ctx->db, id)) {
		case 0:
			break;
		case 1:
			printf("Client %lld is erased; its values stay in the server's files until "
			       "the tables' owner runs VACUUM FULL (docs/server.md).\n",
			       id);
			return EXIT_OK;
		default:
			return EXIT_FAIL;
		}
		printf("Finished erasing client %lld: its values are cleared from the file.\n", id);
		return EXIT_OK;
	case DB_FINISH_DEFERRED:
		report("client %lld is erased, but another terminal is reading the database: its "
		       "values stay in the file until that is done (run this again then)",
		       id);
		return EXIT_FAIL;
	default:
		return EXIT_FAIL; /* reported */
	}
}

/* Whether client id was last seen inside the studio's retention period.
 * Returns EXIT_OK (a client not there is left to the erasure to report),
 * or EXIT_FAIL (reported). */
static int check_retention(struct ctx *ctx, long long id, struct retention_check *c)
{
	if (!(c->set = retention_first_day(&ctx->settings, c->first_day)))
		return EXIT_OK;
	switch (db_client_last_seen(ctx->db, id, c->seen)) {
	case DB_OK:
		c->inside = strcmp(c->seen, c->first_day) >= 0;
		return EXIT_OK;
	case DB_MISSING:
		return EXIT_OK;
	default:
		return EXIT_FAIL;
	}
}

/* Erases client id; with c's reason when it was inside the period.  Without
 * a reason, a client seen inside the period meanwhile is kept. */
static int erase_now(struct ctx *ctx, long long id, const char *staff,
		     const struct retention_check *c)
{
	char when[21];
	size_t intakes;

	if (date_now_utc(when) < 0) {
		report("cannot read the clock");
		return EXIT_FAIL;
	}
	switch (db_erase_client_reason(ctx->db, id, c->set && !c->reason ? c->first_day : NULL,
				       staff, when, true, c->reason, &intakes)) {
	case DB_ERASE_OK:
		break;
	case DB_ERASE_MISSING:
		return erase_again(ctx, id);
	case DB_ERASE_KEPT:
		report("erase: client %lld was seen meanwhile (an intake or a session), inside the "
		       "studio's retention period; nothing erased",
		       id);
		return EXIT_FAIL;
	default:
		return EXIT_FAIL;
	}
	printf("Erased client %lld and its %zu intake%s.\n", id, intakes, intakes == 1 ? "" : "s");
	return erase_finish(ctx);
}

int cmd_erase(struct ctx *ctx, int argc, char **argv)
{
	struct command_args a;
	struct retention_check c = { 0 };
	const char *staff;
	bool yes = false;
	long long id;
	int rc = EXIT_USAGE;

	/* --yes may come before or after the id. */
	if (command_parse(argc, argv, &a) < 0)
		return EXIT_USAGE;
	yes = command_arg(&a, "yes") != NULL;
	if (!(id = command_parse_id(argv[1], "CLIENT_ID")))
		return EXIT_USAGE;
	if (command_arg(&a, "reason") && !(c.reason = strdup(command_arg(&a, "reason")))) {
		report("out of memory");
		return EXIT_FAIL;
	}
	if (c.reason && erasure_reason_check("erase: --reason", c.reason) < 0)
		goto out;
	/* A script cannot answer the question; it must say so outright. */
	if (!yes && !prompt_interactive()) {
		report("erase: not at a terminal to confirm: give --yes to erase client %lld; "
		       "nothing erased",
		       id);
		goto out;
	}
	rc = EXIT_FAIL;
	if (!(staff = ctx_staff(ctx)) || !ctx_db(ctx) || check_retention(ctx, id, &c) != EXIT_OK)
		goto out;
	if (c.inside && !c.reason && !prompt_interactive()) {
		report("erase: client %lld was last seen on %s, inside the studio's retention period "
		       "(config retention_years): give --reason TEXT to erase it all the same; "
		       "nothing erased",
		       id, c.seen);
		rc = EXIT_USAGE;
		goto out;
	}
	if (!yes)
		rc = confirm(ctx, id, &c);
	else /* at a terminal, --yes answers only the question of confirm() */
		rc = c.inside ? ask_reason(ctx, id, &c) : EXIT_OK;
	if (rc == EXIT_OK)
		rc = erase_now(ctx, id, staff, &c);
	else if (rc == ERASE_FINISHED)
		rc = EXIT_OK;
out:
	free(c.reason);
	return rc;
}
