/* cmd_edit.c - `smp-intake edit ID`: the questions again with the stored
 * answers as defaults, the same checks, and the change saved in one
 * transaction with a new advice sheet beside the old one and an audit row.
 * An intake changed by someone else meanwhile is not overwritten: the
 * edit is kept as a draft and the editor told so.  A new sheet with the
 * words of the acknowledged one keeps the client's acknowledgement. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice.h"
#include "command.h"
#include "prompt.h"
#include "report.h"
#include "sheet.h"
#include "text.h"
#include "walk.h"

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* Prints each changed answer as "label: old -> new"; returns how many. */
static size_t print_changes(FILE *f, const struct answers *before, const struct answers *after)
{
	size_t n = 0;

	for (size_t i = 0; i < questionnaire_count; i++) {
		if (same(before->value[i], after->value[i]))
			continue;
		if (f) {
			char *old = walk_shown(before->value[i] ? before->value[i] : "(none)", 30);
			char *new = walk_shown(after->value[i] ? after->value[i] : "(none)", 30);
			fprintf(f, "  %s: %s -> %s\n", questionnaire[i].label, old ? old : "",
				new ? new : "");
			free(old);
			free(new);
		}
		n++;
	}
	return n;
}

/* The latest change to an intake, for the conflict message. */
struct last_change {
	char at[32], staff[128];
};

static int note_change(const struct audit_entry *e, void *arg)
{
	struct last_change *c = arg;

	snprintf(c->at, sizeof c->at, "%s", e->at ? e->at : "");
	snprintf(c->staff, sizeof c->staff, "%s", e->staff ? e->staff : "");
	return 0;
}

/* The edit could not be saved because the intake changed meanwhile: keeps
 * what was changed in a draft (already so at a terminal) and says so. */
static void report_conflict(struct ctx *ctx, struct intake *in, const struct answers *before,
			    struct draft *draft)
{
	struct last_change c = { "", "" };
	char *who = NULL;

	for (size_t i = 0; i < questionnaire_count; i++) {
		if (same(before->value[i], in->answers.value[i]) && !(draft->id && draft->has[i]))
			continue;
		if (db_draft_step(ctx->db, draft, questionnaire[i].id, in->answers.value[i], NULL) < 0)
			break;
	}
	db_each_audit(ctx->db, in->id, note_change, &c);
	who = text_safe(c.staff, false);
	if (draft->id)
		report("intake %lld was changed by %s at %.16s while you were editing; nothing "
		       "saved: your changes are kept as draft %lld (smp-intake resume %lld)",
		       in->id, who ? who : "someone", c.at, draft->id, draft->id);
	else
		report("intake %lld was changed by %s at %.16s while you were editing; nothing saved",
		       in->id, who ? who : "someone", c.at);
	free(who);
}

int intake_edit(struct ctx *ctx, long long id, struct draft *resume)
{
	struct intake stored = { 0 }, in = { 0 };
	struct draft fresh = { 0 }, *draft = resume ? resume : &fresh;
	struct walk w = { .kind = prompt_interactive() ? FROM_TERMINAL : FROM_PIPE };
	const char *staff;
	char when[21];
	enum walk_result r;
	int rc = EXIT_FAIL;

	if (!(staff = ctx_staff(ctx)) || !ctx_db(ctx))
		return EXIT_FAIL;
	/* Before anything is asked: a file that cannot be saved to says so now. */
	if (!db_writable(ctx->db, "cannot edit the intake"))
		return EXIT_FAIL;
	if (ctx_load_intake(ctx, id, &stored) < 0)
		return EXIT_FAIL;
	/* The stored answers are shown (in brackets, and the sheet at the
	 * end): logged before the first of them. */
	if (access_record_client(ctx, resume ? "resume" : "edit", stored.client_id) != EXIT_OK) {
		intake_clear(&stored);
		return EXIT_FAIL;
	}
	in.id = id;
	in.client_id = stored.client_id;
	in.revision = stored.revision;
	w.rules.today = date_today();
	w.rules.minimum_age = ctx->settings.minimum_age;
	w.rules.dates = rules_dates_typed(ctx->settings.date_input);
	w.a = &in.answers;
	w.keep = &stored.answers;
	if (resume) {
		/* The stored answers, with this editor's changes on top; the
		 * questions before the one it stopped at are not asked again. */
		int stop = resume->next_question ? questionnaire_index(resume->next_question) : -1;
		if (answers_copy(&in.answers, &stored.answers) < 0)
			goto oom;
		w.start = stop < 0 ? questionnaire_count : (size_t)stop;
		for (size_t i = 0; i < questionnaire_count; i++) {
			if (resume->has[i] &&
			    answers_set(&in.answers, questionnaire[i].id, resume->answers.value[i]) < 0)
				goto oom;
			/* A change the draft holds after where it stopped (it went
			 * back with <) is what Enter keeps. */
			w.again[i] = resume->has[i] && i >= w.start;
		}
	}
	if (w.kind == FROM_TERMINAL) {
		if (!resume) {
			fresh.intake_id = id;
			fresh.base_revision = stored.revision;
			fresh.client_id = stored.client_id;
			if (!(fresh.staff = strdup(staff)))
				goto oom;
		}
		w.db = ctx->db;
		w.draft = draft;
		char intro[200];
		snprintf(intro, sizeof intro,
			 "Editing intake %lld. Enter keeps the answer in brackets; - clears an "
			 "optional one; ? for help; < goes back one; Ctrl-C stops and keeps a draft.",
			 id);
		text_wrap(stdout, intro, text_terminal_width(), 0);
		printf("\n\n");
	}
	r = walk_run(&w);
	switch (r) {
	case WALK_DONE:
		break;
	case WALK_NO_CONSENT:
		report("consent cannot be withdrawn by an edit; nothing changed (to remove the "
		       "client's records: smp-intake erase %lld)",
		       stored.client_id);
		goto discard;
	case WALK_CANCELLED:
		if (draft->id)
			report("edit stopped; your changes so far are kept as draft %lld "
			       "(smp-intake resume %lld)",
			       draft->id, draft->id);
		else
			report("edit cancelled; nothing changed");
		goto out;
	case WALK_FAILED:
		goto out;
	}
	if (print_changes(NULL, &stored.answers, &in.answers) == 0) {
		printf("No changes to intake %lld.\n", id);
		rc = EXIT_OK;
		goto discard;
	}
	if (w.kind == FROM_TERMINAL) {
		printf("\nChanges to intake %lld\n", id);
		print_changes(stdout, &stored.answers, &in.answers);
		/* The answers numbered: a number changes that answer first. */
		switch (walk_review(&w, "\nSave these changes? [yes/no]: ")) {
		case WALK_YES:
			if (print_changes(NULL, &stored.answers, &in.answers) == 0) {
				printf("No changes to intake %lld.\n", id);
				rc = EXIT_OK;
				goto discard;
			}
			break;
		case WALK_NO:
			report("edit cancelled; nothing changed");
			goto discard;
		case WALK_STOPPED:
			if (draft->id)
				report("edit stopped; your changes are kept as draft %lld "
				       "(smp-intake resume %lld)",
				       draft->id, draft->id);
			goto out;
		case WALK_ERROR:
			goto out;
		}
	}
	if (date_now_utc(when) < 0) {
		report("cannot read the clock");
		goto out;
	}
	if (w.kind == FROM_PIPE) {
		char *line = NULL;
		int ok = acknowledgement_read_line(&line);
		if (ok == 0)
			ok = acknowledgement_given(line, &in.answers, staff, &in.ack,
						   "; nothing changed");
		free(line);
		if (ok < 0)
			goto out;
	}
	if (advice_for_answers(&in.answers, &ctx->settings, &in.advice) < 0)
		goto oom;
	in.draft_id = draft->id;
	switch (db_save_edit(ctx->db, &in, &stored.answers, staff, when)) {
	case 0:
		break;
	case 1:
		ctx_report_missing(ctx, false, id);
		goto out;
	case 2:
		if (!draft->id) {
			draft->intake_id = id;
			draft->base_revision = stored.revision;
			draft->client_id = stored.client_id;
			if (!draft->staff && !(draft->staff = strdup(staff)))
				goto oom;
		}
		report_conflict(ctx, &in, &stored.answers, draft);
		goto out;
	default:
		goto out;
	}
	printf("Saved the changes to intake %lld.\n", id);
	/* The sheet as stored now, with the flags the artist cleared. */
	intake_clear(&stored);
	if (db_load_intake(ctx->db, id, &stored) != 0) {
		report("the changes to intake %lld are saved; smp-intake advice %lld prints them", id,
		       id);
		goto out;
	}
	sheet_print_readiness(stdout, &stored);
	sheet_show_advice(&stored, SHEET_FOR_CLIENT);
	rc = EXIT_OK;
	if (stored.ack.sheet == stored.sheet && !in.ack.typed_name) {
		/* Same words as the sheet the client acknowledged: it still counts. */
		printf("The advice is word for word the one the client acknowledged: the "
		       "acknowledgement carries over to sheet %lld.\n",
		       stored.sheet);
	} else if (w.kind == FROM_TERMINAL && acknowledgement_ask(ctx, &stored) < 0) {
		report("the changes to intake %lld are saved, but not the client's acknowledgement",
		       id);
		rc = EXIT_FAIL;
	}
	goto out;
oom:
	report("out of memory; nothing changed");
	goto out;
discard:
	if (draft->id && db_draft_discard(ctx->db, draft->id) < 0)
		report("draft %lld could not be removed: smp-intake drafts --discard %lld", draft->id,
		       draft->id);
out:
	intake_clear(&stored);
	intake_clear(&in);
	draft_clear(&fresh);
	return rc;
}

int cmd_edit(struct ctx *ctx, int argc, char **argv)
{
	struct command_args a;
	long long id;

	if (command_parse(argc, argv, &a) < 0)
		return EXIT_USAGE;
	if (!(id = command_parse_id(argv[1], "ID")))
		return EXIT_USAGE;
	return intake_edit(ctx, id, NULL);
}
