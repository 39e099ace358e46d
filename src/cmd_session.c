/* cmd_session.c - `smp-intake session new|result|list`: recording the
 * sessions of a client's course (session_take.c), a patch test's result,
 * and the sessions as a table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access.h"
#include "command.h"
#include "idset.h"
#include "report.h"
#include "session.h"
#include "session_take.h"
#include "text.h"

/* The options each action takes (the others are refused). */
static const char *const new_options[] = { "answers", "override", NULL };
static const char *const result_options[] = { "reaction", "note", NULL };
static const char *const list_options[] = { "client", "intake", NULL };

static int only_options(const struct command_args *a, const char *action,
			const char *const *allowed)
{
	const struct command *c = a->command;

	for (size_t i = 0; i < COMMAND_OPTIONS_MAX && c->options[i].long_name; i++) {
		bool ok = false;
		if (!a->value[i])
			continue;
		for (size_t k = 0; allowed[k]; k++)
			ok = ok || strcmp(allowed[k], c->options[i].long_name) == 0;
		if (!ok) {
			report("session %s does not take --%s", action, c->options[i].long_name);
			return -1;
		}
	}
	return 0;
}

static int session_result(struct ctx *ctx, const char *id_text, const char *reaction,
			  const char *note)
{
	long long id = command_parse_id(id_text, "session result: SESSION");
	const char *staff;
	char when[21];

	if (!id)
		return EXIT_USAGE;
	if (!reaction || (strcmp(reaction, "none") && strcmp(reaction, "mild") &&
			  strcmp(reaction, "marked"))) {
		report("session result: --reaction none, mild or marked is needed");
		return EXIT_USAGE;
	}
	if (note && (!text_is_utf8(note, strlen(note)) || text_has_control(note, true) ||
		     text_codepoints(note) > SESSION_NOTES_MAX)) {
		report("session result: --note: at most %d characters of text without control "
		       "characters",
		       SESSION_NOTES_MAX);
		return EXIT_USAGE;
	}
	if (note && text_is_blank(note))
		note = NULL;
	if (!(staff = ctx_staff(ctx)) || !ctx_db(ctx))
		return EXIT_FAIL;
	if (date_now_utc(when) < 0) {
		report("cannot read the clock");
		return EXIT_FAIL;
	}
	switch (db_session_result(ctx->db, id, reaction, note, when, staff)) {
	case DB_OK:
		printf("Recorded the patch test's result of session %lld: %s.\n", id, reaction);
		return EXIT_OK;
	case DB_MISSING:
		report("session %lld: no such session", id);
		return EXIT_FAIL;
	case DB_CONFLICT:
		report("session %lld is not a patch test: it has no result to record", id);
		return EXIT_FAIL;
	default:
		return EXIT_FAIL;
	}
}

struct listing {
	struct ctx *ctx;
	struct idset clients;
	long long shown, client_id;
	struct answers client;
	bool terminal;
};

static int collect_client(const struct session *s, void *arg)
{
	struct listing *l = arg;
	return idset_add(&l->clients, s->client_id) < 0 ? -1 : 0;
}

/* s's column text made safe (allocated): at a terminal cut to cols. */
static char *cell(const char *text, int cols, bool terminal)
{
	char *safe = text_safe(text ? text : "", false), *fitted;

	if (!safe || !terminal)
		return safe;
	fitted = text_fit(safe, cols);
	free(safe);
	return fitted;
}

static int print_session(const struct session *s, void *arg)
{
	struct listing *l = arg;
	char *name = NULL, *c_name = NULL, *c_areas = NULL, *c_lot = NULL;
	const char *patch = !s->patch_test ? "-" : s->reaction ? s->reaction : "pending";
	int rc = -1;

	if (l->client_id != s->client_id) {
		answers_clear(&l->client);
		l->client_id = s->client_id;
		if (db_load_client(l->ctx->db, s->client_id, &l->client) != DB_OK)
			return -1;
	}
	if (!(name = text_join(answers_get(&l->client, "first_name"), " ",
			       answers_get(&l->client, "last_name"))) ||
	    !(c_name = cell(name, 20, l->terminal)) || !(c_areas = cell(s->areas, 22, l->terminal)) ||
	    !(c_lot = cell(s->lot ? s->lot : "-", 12, l->terminal))) {
		report("out of memory");
		goto out;
	}
	if (l->shown++ == 0)
		printf("%-5s %-10s %-6s %-20s %-3s %-22s %-12s %s\n", "id", "date", "intake",
		       "client", "no.", "areas", "lot", "patch test");
	printf("%-5lld %-10s %-6lld %s%*s %-3lld %s%*s %s%*s %s\n", s->id, s->performed_on,
	       s->intake_id, c_name, 20 - text_columns(c_name) > 0 ? 20 - text_columns(c_name) : 0,
	       "", s->number, c_areas,
	       22 - text_columns(c_areas) > 0 ? 22 - text_columns(c_areas) : 0, "", c_lot,
	       12 - text_columns(c_lot) > 0 ? 12 - text_columns(c_lot) : 0, "", patch);
	rc = 0;
out:
	free(name);
	free(c_name);
	free(c_areas);
	free(c_lot);
	return rc;
}

static int session_list(struct ctx *ctx, const char *client, const char *intake)
{
	struct session_query q = { 0 };
	struct listing l = { .ctx = ctx, .terminal = isatty(STDOUT_FILENO) };
	char *ids = NULL;
	int rc = EXIT_FAIL;

	if ((client && !(q.client_id = command_parse_id(client, "session list: --client"
								 ""))) ||
	    (intake && !(q.intake_id = command_parse_id(intake, "session list: --intake"
								""))))
		return EXIT_USAGE;
	ctx->db_need = DB_LOGS_ACCESS;
	if (!ctx_db(ctx))
		return EXIT_FAIL;
	if (db_each_session(ctx->db, &q, collect_client, &l) != 0)
		goto out;
	/* Client names are printed: logged before the first of them. */
	if (!(ids = idset_format(&l.clients))) {
		report("out of memory");
		goto out;
	}
	if (ids[0] && access_record(ctx, "session", ids) != EXIT_OK)
		goto out;
	if (db_each_session(ctx->db, &q, print_session, &l) != 0)
		goto out;
	if (!l.shown)
		printf("No session found.\n");
	rc = EXIT_OK;
out:
	free(ids);
	idset_clear(&l.clients);
	answers_clear(&l.client);
	return rc;
}

int cmd_session(struct ctx *ctx, int argc, char **argv)
{
	struct command_args a;
	const char *action;

	if (command_parse(argc, argv, &a) < 0)
		return EXIT_USAGE;
	argc = a.operands + 1;
	action = argc >= 2 ? argv[1] : "";
	if (strcmp(action, "new") == 0 && argc == 3) {
		long long id = command_parse_id(argv[2], "session new: INTAKE");
		if (!id || only_options(&a, action, new_options) < 0)
			return EXIT_USAGE;
		return session_take(ctx, id, command_arg(&a, "answers"), command_arg(&a, "override"),
				    NULL);
	}
	if (strcmp(action, "result") == 0 && argc == 3) {
		if (only_options(&a, action, result_options) < 0)
			return EXIT_USAGE;
		return session_result(ctx, argv[2], command_arg(&a, "reaction"),
				      command_arg(&a, "note"));
	}
	if (strcmp(action, "list") == 0 && argc == 2) {
		if (only_options(&a, action, list_options) < 0)
			return EXIT_USAGE;
		return session_list(ctx, command_arg(&a, "client"), command_arg(&a, "intake"));
	}
	command_usage(stderr, "session");
	return EXIT_USAGE;
}
