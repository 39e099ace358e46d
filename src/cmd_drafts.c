/* cmd_drafts.c - `smp-intake drafts [--discard ID]` lists the intakes,
 * edits and sessions left unfinished, or removes one, and `smp-intake resume [DRAFT]`
 * continues one where it stopped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access.h"
#include "command.h"
#include "edit.h"
#include "report.h"
#include "session.h"
#include "session_take.h"
#include "take.h"
#include "text.h"

struct draft_table {
	struct ctx *ctx;
	size_t count;
};

/* The client's name as the draft has it so far (an edit: as on file). */
static char *draft_name(struct ctx *ctx, const struct draft *d)
{
	struct answers client = { { NULL } };
	const char *first = answers_get(&d->answers, "first_name");
	const char *last = answers_get(&d->answers, "last_name");
	char *name;

	if ((!first || !last) && d->client_id && db_load_client(ctx->db, d->client_id, &client) == 0) {
		first = first ? first : answers_get(&client, "first_name");
		last = last ? last : answers_get(&client, "last_name");
	}
	name = first || last ? text_join(first, " ", last) : strdup("(no name yet)");
	answers_clear(&client);
	return name;
}

/* Column widths: a row fits 80 columns (the name, staff and question
 * shortened with "…" when longer). */
enum { W_ID = 5, W_STAFF = 10, W_WHAT = 10, W_CLIENT = 15, W_STOPPED = 19 };

/* text cut to cols columns at a terminal, whole otherwise (allocated). */
static char *fit(const char *text, int cols)
{
	return isatty(STDOUT_FILENO) ? text_fit(text, cols) : strdup(text);
}

/* The spaces that fill text's column up to cols (none when it is wider). */
static int pad(int cols, const char *text)
{
	int used = text_columns(text);
	return used < cols ? cols - used : 0;
}

static int print_draft(const struct draft *d, void *arg)
{
	struct draft_table *t = arg;
	int qi = d->next_question ? questionnaire_index(d->next_question) : -1;
	char what[32], day[64], hour[8], *name = draft_name(t->ctx, d), *safe = NULL, *fitted = NULL;
	char *staff = text_safe(d->staff, false), *staff_fitted = NULL, *where = NULL;
	const char *session_where = NULL;
	int rc = -1;

	/* A draft kept by an older release may name the next question in
	 * table order, one that does not apply: the walk goes on to the next
	 * that does.  (An edit's draft holds only the changed answers, so its
	 * stored position is taken as it is.) */
	if (d->session_intake_id) {
		const struct session_field *f =
			d->next_question ? session_field_find(d->next_question) : NULL;
		qi = -1;
		session_where = f ? f->label : "the session sheet";
	}
	while (!d->intake_id && !d->session_intake_id && qi >= 0 && !question_applies(&questionnaire[qi], &d->answers))
		qi = (size_t)qi + 1 < questionnaire_count ? qi + 1 : -1;
	/* At a terminal a row fits 80 columns; through a pipe values are
	 * whole (a script or a spreadsheet gets the name as it is). */
	if (!name || !(safe = text_safe(name, false)) || !(fitted = fit(safe, W_CLIENT)) ||
	    !staff || !(staff_fitted = fit(staff, W_STAFF)) ||
	    !(where = fit(qi >= 0	      ? questionnaire[qi].label
			  : session_where ? session_where
					  : "the summary",
			  W_STOPPED))) {
		report("out of memory");
		goto out;
	}
	if (t->count++ == 0)
		printf("%-*s %-16s %-*s %-*s %-*s %s\n", W_ID, "draft", "changed (UTC)", W_STAFF,
		       "staff", W_WHAT, "what", W_CLIENT, "client", "stopped at");
	if (d->session_intake_id)
		snprintf(what, sizeof what, "session %lld", d->session_intake_id);
	else if (d->intake_id)
		snprintf(what, sizeof what, "edit of %lld", d->intake_id);
	else
		snprintf(what, sizeof what, "new intake");
	/* The stamp as stored may be anything (another program's change). */
	printf("%-*lld %s %s %s%*s %-*s %s%*s %s\n", W_ID, d->id,
	       text_stamp_part(day, sizeof day, d->updated_at, 0, 10),
	       text_stamp_part(hour, sizeof hour, d->updated_at, 11, 5), staff_fitted,
	       pad(W_STAFF, staff_fitted), "", W_WHAT, what, fitted, pad(W_CLIENT, fitted), "", where);
	rc = 0;
out:
	free(name);
	free(safe);
	free(fitted);
	free(staff);
	free(staff_fitted);
	free(where);
	return rc;
}

int cmd_drafts(struct ctx *ctx, int argc, char **argv)
{
	struct draft_table t = { ctx, 0 };
	struct command_args a;
	long long discard = 0;

	if (command_parse(argc, argv, &a) < 0)
		return EXIT_USAGE;
	if (command_arg(&a, "discard") &&
	    !(discard = command_parse_id(command_arg(&a, "discard"), "--discard")))
		return EXIT_USAGE;
	if (!ctx_db(ctx))
		return EXIT_FAIL;
	if (discard) {
		switch (db_draft_discard(ctx->db, discard)) {
		case DB_OK:
			printf("Discarded draft %lld.\n", discard);
			return EXIT_OK;
		case DB_MISSING:
			report("no draft %lld (see smp-intake drafts)", discard);
			/* fall through */
		default:
			return EXIT_FAIL;
		}
	}
	if (db_each_draft(ctx->db, print_draft, &t) != 0)
		return EXIT_FAIL;
	if (t.count == 0)
		printf("No unfinished intakes, edits or sessions.\n");
	return EXIT_OK;
}

/* The newest draft of a staff member, for `resume` without an id. */
struct staff_draft {
	const char *staff;
	long long id;
};

static int first_of_staff(const struct draft *d, void *arg)
{
	struct staff_draft *s = arg;

	if (strcmp(d->staff, s->staff) != 0)
		return 0;
	s->id = d->id;
	return 1;
}

int cmd_resume(struct ctx *ctx, int argc, char **argv)
{
	struct draft d = { 0 };
	struct command_args a;
	long long id = 0;
	int rc;

	if (command_parse(argc, argv, &a) < 0)
		return EXIT_USAGE;
	if (a.operands == 1 && !(id = command_parse_id(argv[1], "DRAFT")))
		return EXIT_USAGE;
	if (!ctx_db(ctx))
		return EXIT_FAIL;
	if (!id) {
		struct staff_draft mine = { ctx_staff(ctx), 0 };
		if (!mine.staff || db_each_draft(ctx->db, first_of_staff, &mine) < 0)
			return EXIT_FAIL;
		if (!(id = mine.id)) {
			report("no draft of yours to resume (smp-intake drafts lists them all)");
			return EXIT_FAIL;
		}
	}
	switch (db_draft_load(ctx->db, id, &d)) {
	case DB_OK:
		break;
	case DB_MISSING:
		report("no draft %lld (see smp-intake drafts)", id);
		/* fall through */
	default:
		return EXIT_FAIL;
	}
	/* A new intake's draft holds answers (names, health) of a client on
	 * file, or of nobody on file yet (an empty clients column); an edit's
	 * is logged by intake_edit(). */
	if (d.session_intake_id) {
		/* A session's draft: session_take() logs its sheet. */
		rc = session_take(ctx, d.session_intake_id, NULL, NULL, &d);
		draft_clear(&d);
		return rc;
	}
	if (!d.intake_id) {
		char clients[24] = "";
		if (d.client_id)
			snprintf(clients, sizeof clients, "%lld", d.client_id);
		if (access_record(ctx, "resume", clients) != EXIT_OK) {
			draft_clear(&d);
			return EXIT_FAIL;
		}
	}
	rc = d.intake_id ? intake_edit(ctx, d.intake_id, &d) : intake_take(ctx, 0, &d, NULL);
	draft_clear(&d);
	return rc;
}
