/* cmd_photo.c - `smp-intake photo add|list|export|rm`: the client's photos,
 * kept in the database under their own consent (issue 16).  The bytes are
 * checked to be a JPEG or PNG and hashed (photo.c), never decoded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access.h"
#include "command.h"
#include "outfile.h"
#include "photo.h"
#include "prompt.h"
#include "report.h"
#include "text.h"

/* The options each action takes (the others are refused). */
static const char *const add_options[] = { "view", "session", NULL };
static const char *const list_options[] = { "client", "intake", "session", "marketing", NULL };
static const char *const export_options[] = { "output", "force", NULL };
static const char *const rm_options[] = { "yes", NULL };

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
			report("photo %s does not take --%s", action, c->options[i].long_name);
			return -1;
		}
	}
	return 0;
}

static bool known_view(const char *view)
{
	for (size_t i = 0; photo_views[i]; i++)
		if (strcmp(photo_views[i], view) == 0)
			return true;
	return false;
}

static int photo_add(struct ctx *ctx, const char *intake_text, const char *path,
		     const char *view, const char *session_text)
{
	struct photo p = { 0 };
	unsigned char *data = NULL;
	size_t n = 0;
	const char *type, *staff;
	char why[160];
	int rc = EXIT_FAIL;

	if (!(p.intake_id = command_parse_id(intake_text, "photo add: INTAKE")))
		return EXIT_USAGE;
	if (session_text && !(p.session_id = command_parse_id(session_text, "photo add: --session")))
		return EXIT_USAGE;
	if (!view || !known_view(view)) {
		report("photo add: --view front, top, crown, left, right, back or scar is needed");
		return EXIT_USAGE;
	}
	if (!(staff = ctx_staff(ctx)) || !ctx_db(ctx))
		return EXIT_FAIL;
	if (photo_read_file(path, (size_t)ctx->settings.photo_max_mb << 20, &data, &n, why,
			    sizeof why) < 0) {
		report("photo add: %s; nothing saved", why);
		return EXIT_FAIL;
	}
	if (!(type = photo_media_type(data, n))) {
		report("photo add: the file is not a whole JPEG or PNG image; nothing saved");
		goto out;
	}
	if (p.session_id) {
		struct session s;
		enum db_result found = db_load_session(ctx->db, p.session_id, &s);
		if (found == DB_MISSING)
			report("photo add: there is no session %lld; nothing saved", p.session_id);
		if (found == DB_OK && s.intake_id != p.intake_id)
			report("photo add: session %lld belongs to intake %lld, not %lld; nothing saved",
			       p.session_id, s.intake_id, p.intake_id);
		if (found == DB_OK && s.intake_id == p.intake_id)
			found = DB_OK;
		else
			found = DB_ERROR;
		session_clear(&s);
		if (found != DB_OK)
			goto out;
	}
	photo_sha256(data, n, p.sha256);
	if (!(p.view = strdup(view)) || !(p.media_type = strdup(type)) || !(p.staff = strdup(staff))) {
		report("out of memory");
		goto out;
	}
	switch (db_save_photo(ctx->db, &p, data, n)) {
	case DB_OK:
		printf("Saved photo %lld (%s, %s, %zu bytes) for client %lld, intake %lld.\n"
		       "SHA-256 %s\n",
		       p.id, p.view, p.media_type, n, p.client_id, p.intake_id, p.sha256);
		rc = EXIT_OK;
		break;
	case DB_MISSING:
		ctx_report_missing(ctx, false, p.intake_id);
		break;
	case DB_CONFLICT:
		report("photo add: client %lld has not agreed to photos being kept in their record "
		       "(smp-intake consent %lld); nothing saved",
		       p.client_id, p.client_id);
		break;
	default:
		break;
	}
out:
	photo_clear(&p);
	free(data);
	return rc;
}

struct listing {
	long long rows;
};

static int list_row(const struct photo *p, void *arg)
{
	struct listing *l = arg;
	char session[24] = "-", added[11];

	if (p->session_id)
		snprintf(session, sizeof session, "%lld", p->session_id);
	snprintf(added, sizeof added, "%.10s", p->added_at ? p->added_at : "");
	if (l->rows++ == 0)
		printf("%-6s %-6s %-6s %-7s %-6s %-10s %10s %-10s %s\n", "photo", "client", "intake",
		       "session", "view", "type", "bytes", "added", "sha256");
	printf("%-6lld %-6lld %-6lld %-7s %-6s %-10s %10lld %-10s %.16s\n", p->id, p->client_id,
	       p->intake_id, session, p->view, p->media_type, p->size, added, p->sha256);
	return 0;
}

static int photo_list(struct ctx *ctx, const struct command_args *a)
{
	struct photo_query q = { .marketing = command_arg(a, "marketing") != NULL };
	struct listing l = { 0 };
	const char *v;

	if (((v = command_arg(a, "client")) && !(q.client_id = command_parse_id(v, "photo list: "
										      "--client"))) ||
	    ((v = command_arg(a, "intake")) && !(q.intake_id = command_parse_id(v, "photo list: "
										      "--intake"))) ||
	    ((v = command_arg(a, "session")) &&
	     !(q.session_id = command_parse_id(v, "photo list: --session"))))
		return EXIT_USAGE;
	if (!ctx_db(ctx))
		return EXIT_FAIL;
	if (db_each_photo(ctx->db, &q, list_row, &l) < 0)
		return EXIT_FAIL;
	if (l.rows == 0)
		printf(q.marketing ? "No photo the studio may use for marketing.\n"
				   : "No photo found.\n");
	return EXIT_OK;
}

static int photo_export(struct ctx *ctx, const char *id_text, const char *path, bool force)
{
	struct photo p;
	struct outfile out;
	void *data = NULL;
	size_t n = 0;
	long long id;
	int rc = EXIT_FAIL;

	if (!(id = command_parse_id(id_text, "photo export: PHOTO")))
		return EXIT_USAGE;
	if (!path || strcmp(path, "-") == 0) {
		report("photo export: -o FILE is needed (an image is not written to the terminal)");
		return EXIT_USAGE;
	}
	if (!ctx_db(ctx))
		return EXIT_FAIL;
	switch (db_load_photo(ctx->db, id, &p, &data, &n)) {
	case DB_OK:
		break;
	case DB_MISSING:
		report("photo export: there is no photo %lld", id);
		return EXIT_FAIL;
	default:
		return EXIT_FAIL;
	}
	if (n == 0) {
		report("photo export: photo %lld has no image in this database (its record came by "
		       "import, which carries no image bytes)",
		       id);
		goto out;
	}
	/* Logged before a byte of it leaves the database. */
	if (access_record_client(ctx, "photo", p.client_id) != EXIT_OK ||
	    outfile_open(&out, path, force) < 0)
		goto out;
	if (fwrite(data, 1, n, out.f) != n) {
		report("photo export: cannot write %s", path);
		outfile_abort(&out);
		goto out;
	}
	if (outfile_commit(&out) < 0)
		goto out;
	printf("Exported photo %lld (%s, %zu bytes) to ", id, p.media_type, n);
	text_print_safe(stdout, path);
	printf(".\nSHA-256 %s\n", p.sha256);
	rc = EXIT_OK;
out:
	photo_clear(&p);
	free(data);
	return rc;
}

static int photo_rm(struct ctx *ctx, const char *id_text, bool yes)
{
	struct photo p;
	const char *staff;
	char when[21], *line = NULL;
	long long id;
	int rc = EXIT_FAIL;

	if (!(id = command_parse_id(id_text, "photo rm: PHOTO")))
		return EXIT_USAGE;
	if (!(staff = ctx_staff(ctx)) || !ctx_db(ctx))
		return EXIT_FAIL;
	switch (db_load_photo(ctx->db, id, &p, NULL, NULL)) {
	case DB_OK:
		break;
	case DB_MISSING:
		report("photo rm: there is no photo %lld", id);
		return EXIT_FAIL;
	default:
		return EXIT_FAIL;
	}
	if (!yes) {
		if (!isatty(STDIN_FILENO)) {
			report("photo rm: give --yes to remove photo %lld through a pipe; nothing "
			       "removed",
			       id);
			goto out;
		}
		printf("Photo %lld: client %lld, intake %lld, %s, %s, added %.10s.\n", id,
		       p.client_id, p.intake_id, p.view, p.media_type, p.added_at);
		if (prompt_read("Remove it for good? Type yes: ", NULL, &line) != PROMPT_LINE ||
		    strcmp(line, "yes") != 0) {
			printf("Nothing removed.\n");
			rc = EXIT_OK;
			goto out;
		}
	}
	if (date_now_utc(when) < 0) {
		report("cannot read the clock");
		goto out;
	}
	switch (db_remove_photo(ctx->db, id, when, staff)) {
	case DB_OK:
		printf("Removed photo %lld of client %lld.\n", id, p.client_id);
		rc = EXIT_OK;
		break;
	case DB_MISSING:
		report("photo rm: there is no photo %lld", id);
		break;
	default:
		break;
	}
out:
	free(line);
	photo_clear(&p);
	return rc;
}

int cmd_photo(struct ctx *ctx, int argc, char **argv)
{
	struct command_args a;
	const char *action;

	if (command_parse(argc, argv, &a) < 0)
		return EXIT_USAGE;
	argc = a.operands + 1;
	action = argc >= 2 ? argv[1] : "";
	if (strcmp(action, "add") == 0 && argc == 4) {
		if (only_options(&a, action, add_options) < 0)
			return EXIT_USAGE;
		return photo_add(ctx, argv[2], argv[3], command_arg(&a, "view"),
				 command_arg(&a, "session"));
	}
	if (strcmp(action, "list") == 0 && argc == 2) {
		if (only_options(&a, action, list_options) < 0)
			return EXIT_USAGE;
		return photo_list(ctx, &a);
	}
	if (strcmp(action, "export") == 0 && argc == 3) {
		if (only_options(&a, action, export_options) < 0)
			return EXIT_USAGE;
		return photo_export(ctx, argv[2], command_arg(&a, "output"),
				    command_arg(&a, "force") != NULL);
	}
	if (strcmp(action, "rm") == 0 && argc == 3) {
		if (only_options(&a, action, rm_options) < 0)
			return EXIT_USAGE;
		return photo_rm(ctx, argv[2], command_arg(&a, "yes") != NULL);
	}
	command_usage(stderr, "photo");
	return EXIT_USAGE;
}
