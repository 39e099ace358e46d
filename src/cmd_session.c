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
#include "table.h"
#include "text.h"

/* The options each action takes (the others are refused). */
static const char *const new_options[] = { "answers", "override", NULL };
static const char *const result_options[] = { "reaction", "note", NULL };
static const char *const list_options[] = { "client", "intake", "format", NULL };

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
	enum table_format fmt;
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

static const char *or_empty(const char *text)
{
	return text ? text : "";
}

/* One session for scripts: a TSV row, or the JSON object of the export's
 * keys (json_session_row()).  Returns 0, or -1 (reported). */
static int print_session_row(struct listing *l, const struct session *s)
{
	struct json_field f[] = {
		{ "id", NULL, s->id },
		{ "intake_id", NULL, s->intake_id },
		{ "client_id", NULL, s->client_id },
		{ "uuid", s->uuid, 0 },
		{ "number", NULL, s->number },
		{ "performed_on", or_empty(s->performed_on), 0 },
		{ "artist", or_empty(s->artist), 0 },
		{ "areas", or_empty(s->areas), 0 },
		{ "pigment_brand", or_empty(s->pigment_brand), 0 },
		{ "shade", or_empty(s->shade), 0 },
		{ "lot", or_empty(s->lot), 0 },
		{ "lot_expiry", or_empty(s->lot_expiry), 0 },
		{ "needle", or_empty(s->needle), 0 },
		{ "dilution", or_empty(s->dilution), 0 },
		{ "notes", or_empty(s->notes), 0 },
		{ "patch_test", s->patch_test ? "yes" : "no", 0 },
		{ "reaction", or_empty(s->reaction), 0 },
		{ "reaction_note", or_empty(s->reaction_note), 0 },
		{ "reaction_at", or_empty(s->reaction_at), 0 },
		{ "rescreen", or_empty(s->rescreen), 0 },
		{ "intake_revision", NULL, s->intake_revision },
		{ "id_checked", or_empty(s->id_checked), 0 },
		{ "countersigned", or_empty(s->countersigned), 0 },
		{ "client_ack", or_empty(s->client_ack), 0 },
		{ "aftercare_version", s->aftercare_version ? NULL : "", s->aftercare_version },
		{ "override_reason", or_empty(s->override_reason), 0 },
		{ "recorded_at", or_empty(s->recorded_at), 0 },
		{ "staff", or_empty(s->staff), 0 },
	};
	char *json;
	int rc;

	if (l->fmt == TABLE_TSV)
		return table_row(l->fmt, f, sizeof f / sizeof f[0], l->shown++);
	if (!(json = json_session_row(s))) {
		report("out of memory");
		return -1;
	}
	rc = table_json_row(json, l->shown++);
	free(json);
	return rc;
}

static int print_session(const struct session *s, void *arg)
{
	struct listing *l = arg;
	char *name = NULL, *c_name = NULL, *c_areas = NULL, *c_lot = NULL;
	const char *patch = !s->patch_test ? "-" : s->reaction ? s->reaction : "pending";
	int rc = -1;

	if (l->fmt != TABLE_TEXT)
		return print_session_row(l, s);
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

static int session_list(struct ctx *ctx, const char *client, const char *intake,
			const char *format)
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
	if (format && table_format_parse(format, &l.fmt) < 0) {
		report("session list: --format: text, tsv or json");
		return EXIT_USAGE;
	}
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
	if (l.fmt != TABLE_TEXT) {
		rc = table_end(l.fmt, l.shown) < 0 ? EXIT_FAIL : EXIT_OK;
	} else {
		if (!l.shown)
			printf("No session found.\n");
		rc = EXIT_OK;
	}
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
		return session_list(ctx, command_arg(&a, "client"), command_arg(&a, "intake"),
				    command_arg(&a, "format"));
	}
	command_usage(stderr, "session");
	return EXIT_USAGE;
}
