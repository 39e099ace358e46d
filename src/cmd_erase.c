/* cmd_erase.c - `smp-intake erase CLIENT_ID [--yes]`: the right to
 * erasure.  The client, their intakes, drafts and advice go for good; the
 * audit keeps only that an erasure happened, when and by whom. */
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

/* Shows who is about to be erased and asks for "yes" typed out, as an
 * erasure cannot be undone.  Returns EXIT_OK to go on, ERASE_FINISHED, or
 * else an exit code (reported). */
static int confirm(struct ctx *ctx, long long id)
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

int cmd_erase(struct ctx *ctx, int argc, char **argv)
{
	struct command_args a;
	const char *staff;
	char when[21];
	bool yes = false;
	long long id;
	size_t intakes;
	int rc;

	/* --yes may come before or after the id. */
	if (command_parse(argc, argv, &a) < 0)
		return EXIT_USAGE;
	yes = command_arg(&a, "yes") != NULL;
	if (!(id = command_parse_id(argv[1], "CLIENT_ID")))
		return EXIT_USAGE;
	/* A script cannot answer the question; it must say so outright. */
	if (!yes && !prompt_interactive()) {
		report("erase: not at a terminal to confirm: give --yes to erase client %lld; "
		       "nothing erased",
		       id);
		return EXIT_USAGE;
	}
	if (!(staff = ctx_staff(ctx)) || !ctx_db(ctx))
		return EXIT_FAIL;
	if (!yes && (rc = confirm(ctx, id)) != EXIT_OK)
		return rc == ERASE_FINISHED ? EXIT_OK : rc;
	if (date_now_utc(when) < 0) {
		report("cannot read the clock");
		return EXIT_FAIL;
	}
	switch (db_erase_client(ctx->db, id, NULL, staff, when, true, &intakes)) {
	case DB_ERASE_OK:
		break;
	case DB_ERASE_MISSING:
		return erase_again(ctx, id);
	default:
		return EXIT_FAIL;
	}
	printf("Erased client %lld and its %zu intake%s.\n", id, intakes, intakes == 1 ? "" : "s");
	return erase_finish(ctx);
}
