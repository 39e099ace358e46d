/* cmd_photo.c - `smp-intake photo add|list|export|rm`: the client's photos,
 * kept in the database under their own consent (photo.c checks the file,
 * db_course.c stores it). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access.h"
#include "command.h"
#include "date.h"
#include "outfile.h"
#include "photo.h"
#include "prompt.h"
#include "report.h"
#include "text.h"

/* The client a photo of intake or session would belong to; 0 after
 * reporting that the intake or session is not there. */
static long long owner_of(struct ctx *ctx, const char *what, long long intake_id,
			  long long session_id)
{
	long long client = 0;

	if (session_id) {
		struct session s;
		switch (db_load_session(ctx->db, session_id, &s)) {
		case DB_OK:
			client = s.client_id;
			session_clear(&s);
			break;
		case DB_MISSING:
			report("%s: there is no session %lld", what, session_id);
			break;
		default:
			break;
		}
	} else {
		struct intake in;
		if (ctx_load_intake(ctx, intake_id, &in) == 0) {
			client = in.client_id;
			intake_clear(&in);
		}
	}
	return client;
}

/* Reports why client's photos may not be kept: consent not given, or
 * withdrawn.  Returns 0 when they may, else -1 (reported). */
static int photos_consented(struct ctx *ctx, const char *what, long long client)
{
	struct consent_state c;

	if (db_consent(ctx->db, client, &c) != DB_OK)
		return -1;
	if (strcmp(c.photos, "yes") == 0)
		return 0;
	if (strcmp(c.photos, "no") == 0)
		report("%s: client %lld has not consented to photos in their record (answered no%s%.10s); "
		       "nothing saved",
		       what, client, c.photos_at[0] ? " on " : "", c.photos_at);
	else
		report("%s: client %lld was never asked to consent to photos in their record "
		       "(consent %lld --photos yes); nothing saved",
		       what, client, client);
	return -1;
}

static int photo_add(struct ctx *ctx, const struct command_args *a, char **argv)
{
	const char *view = command_arg(a, "view"), *session = command_arg(a, "session");
	const char *file, *media_type, *staff;
	long long intake_id = 0, session_id = 0, max_bytes;
	unsigned char *data = NULL;
	size_t n = 0;
	struct photo p;
	int rc = EXIT_FAIL;

	if (session ? a->operands != 2 : a->operands != 3) {
		report("photo add: give INTAKE FILE, or --session SESSION FILE (see photo --help)");
		return EXIT_USAGE;
	}
	if (session && !(session_id = command_parse_id(session, "--session")))
		return EXIT_USAGE;
	if (!session && !(intake_id = command_parse_id(argv[2], "INTAKE")))
		return EXIT_USAGE;
	file = argv[session ? 2 : 3];
	if (!view) {
		report("photo add: give the view: --view " PHOTO_VIEWS);
		return EXIT_USAGE;
	}
	if (!photo_view_valid(view)) {
		report("photo add: --view is one of " PHOTO_VIEWS);
		return EXIT_USAGE;
	}
	if (!(staff = ctx_staff(ctx)) || !ctx_db(ctx))
		return EXIT_FAIL;
	/* Who it is and their consent first: a refused photo is never read. */
	long long client = owner_of(ctx, "photo add", intake_id, session_id);
	if (!client || photos_consented(ctx, "photo add", client) < 0)
		return EXIT_FAIL;
	max_bytes = (long long)ctx->settings.photo_max_mb * PHOTO_MB;
	if (photo_read_file(file, max_bytes, &data, &n, &media_type) < 0)
		return EXIT_FAIL;
	/* The record owns its strings (intake.h): copies, freed with it. */
	memset(&p, 0, sizeof p);
	p.intake_id = intake_id;
	p.session_id = session_id;
	if (!(p.view = strdup(view)) || !(p.media_type = strdup(media_type)) ||
	    !(p.staff = strdup(staff))) {
		report("out of memory; nothing saved");
		goto out;
	}
	photo_sha256_hex(data, n, p.sha256);
	switch (db_save_photo(ctx->db, &p, data, n)) {
	case DB_OK:
		break;
	case DB_MISSING:
		report("photo add: the %s was removed meanwhile; nothing saved",
		       session_id ? "session" : "intake");
		goto out;
	case DB_CONFLICT:
		/* The consent was withdrawn between the check and the save. */
		photos_consented(ctx, "photo add", client);
		goto out;
	default:
		goto out; /* reported */
	}
	printf("Saved photo %lld of client %lld (%s %lld, %s view): %s, %zu bytes, SHA-256 %s.\n",
	       p.id, p.client_id, session_id ? "session" : "intake",
	       session_id ? session_id : p.intake_id, view, media_type, n, p.sha256);
	rc = EXIT_OK;
out:
	photo_clear(&p);
	free(data);
	return rc;
}

struct list_state {
	long long rows;
};

static int list_row(const struct photo *p, void *arg)
{
	struct list_state *l = arg;
	char taken[48], day[24], *added;

	if (!l->rows++)
		printf("%-6s %-7s %-14s %-6s %-10s %10s  %-10s  %s\n", "PHOTO", "CLIENT", "TAKEN AT",
		       "VIEW", "TYPE", "BYTES", "ADDED", "SHA-256");
	if (p->session_id)
		snprintf(taken, sizeof taken, "session %lld", p->session_id);
	else
		snprintf(taken, sizeof taken, "intake %lld", p->intake_id);
	added = text_safe(text_stamp_part(day, sizeof day, p->added_at ? p->added_at : "", 0, 10),
			  false);
	printf("%-6lld %-7lld %-14s %-6s %-10s %10lld  %-10s  %.12s\n", p->id, p->client_id, taken,
	       p->view ? p->view : "", p->media_type ? p->media_type : "", p->size,
	       added ? added : "", p->sha256);
	free(added);
	return ferror(stdout) ? -1 : 0;
}

static int photo_list(struct ctx *ctx, const struct command_args *a)
{
	struct photo_query q = { .marketing = command_arg(a, "marketing") != NULL };
	const char *client = command_arg(a, "client"), *intake = command_arg(a, "intake");
	const char *session = command_arg(a, "session");
	struct list_state l = { 0 };

	if (a->operands != 1) {
		report("photo list takes no operands, only --client, --intake, --session and "
		       "--marketing");
		return EXIT_USAGE;
	}
	if ((client && !(q.client_id = command_parse_id(client, "--client"))) ||
	    (intake && !(q.intake_id = command_parse_id(intake, "--intake"))) ||
	    (session && !(q.session_id = command_parse_id(session, "--session"))))
		return EXIT_USAGE;
	if (!ctx_db(ctx))
		return EXIT_FAIL;
	if (db_each_photo(ctx->db, &q, list_row, &l) != 0) {
		if (ferror(stdout))
			report("cannot write the list: %s", strerror(errno));
		return EXIT_FAIL;
	}
	if (!l.rows)
		printf(q.marketing ? "No photos of clients who consented to marketing.\n"
				   : "No photos.\n");
	return EXIT_OK;
}

static int photo_export(struct ctx *ctx, const struct command_args *a, char **argv)
{
	const char *path = command_arg(a, "output");
	bool force = command_arg(a, "force") != NULL;
	struct outfile out;
	struct photo p;
	void *data = NULL;
	size_t n = 0;
	char sha[65];
	long long id;
	int rc = EXIT_FAIL;

	if (a->operands != 2) {
		report("photo export: give PHOTO -o FILE");
		return EXIT_USAGE;
	}
	if (!(id = command_parse_id(argv[2], "PHOTO")))
		return EXIT_USAGE;
	if (!path) {
		report("photo export: give the file to write: -o FILE");
		return EXIT_USAGE;
	}
	if (strcmp(path, "-") == 0 && isatty(STDOUT_FILENO)) {
		report("photo export: not writing an image to the terminal: give -o FILE");
		return EXIT_USAGE;
	}
	if (!ctx_staff(ctx) || !ctx_db(ctx))
		return EXIT_FAIL;
	switch (db_load_photo(ctx->db, id, &p, &data, &n)) {
	case DB_OK:
		break;
	case DB_MISSING:
		report("photo export: there is no photo %lld", id);
		return EXIT_FAIL;
	case DB_CONFLICT:
		report("photo export: photo %lld came in by import with its details only (exports "
		       "carry no image), so there is no image here to write; nothing written",
		       id);
		photo_clear(&p);
		/* fall through */
	default:
		return EXIT_FAIL;
	}
	photo_sha256_hex(data, n, sha);
	if (strcmp(sha, p.sha256) != 0 || (long long)n != p.size) {
		report("photo export: photo %lld's bytes do not match their SHA-256; nothing written "
		       "(run verify)",
		       id);
		goto out;
	}
	if (outfile_open(&out, path, force) < 0)
		goto out;
	/* Logged before the first byte goes out; what cannot be logged is
	 * not written. */
	if (access_record_client(ctx, "photo", p.client_id) != EXIT_OK) {
		outfile_abort(&out);
		goto out;
	}
	if (fwrite(data, 1, n, out.f) != n || fflush(out.f) == EOF) {
		report("cannot write the photo: %s", strerror(errno));
		outfile_abort(&out);
		goto out;
	}
	if (outfile_commit(&out) < 0)
		goto out;
	if (strcmp(path, "-") != 0) {
		fprintf(stderr, "exported photo %lld of client %lld (%s, %zu bytes) to ", id,
			p.client_id, p.media_type, n);
		text_print_safe(stderr, path);
		fputc('\n', stderr);
	}
	rc = EXIT_OK;
out:
	free(data);
	photo_clear(&p);
	return rc;
}

/* Shows the photo about to be removed and asks for "yes" typed out.
 * Returns EXIT_OK to go on, else an exit code (reported). */
static int confirm_rm(const struct photo *p)
{
	char question[64], day[24], *line = NULL, *added;
	int rc = EXIT_FAIL;

	added = text_safe(text_stamp_part(day, sizeof day, p->added_at ? p->added_at : "", 0, 10),
			  false);
	printf("Photo %lld of client %lld: %s view, %s, %lld bytes, added %s.\n"
	       "Removing it deletes its bytes for good; the audit keeps that it was removed.\n",
	       p->id, p->client_id, p->view, p->media_type, p->size, added ? added : "");
	free(added);
	snprintf(question, sizeof question, "Type yes to remove photo %lld: ", p->id);
	if (prompt_read(question, NULL, &line) == PROMPT_LINE && strcmp(text_trim(line), "yes") == 0)
		rc = EXIT_OK;
	else
		report("photo rm: not confirmed; nothing removed");
	free(line);
	return rc;
}

static int photo_rm(struct ctx *ctx, const struct command_args *a, char **argv)
{
	bool yes = command_arg(a, "yes") != NULL;
	const char *staff;
	struct photo p;
	char when[21];
	long long id;
	int rc;

	if (a->operands != 2) {
		report("photo rm: give PHOTO");
		return EXIT_USAGE;
	}
	if (!(id = command_parse_id(argv[2], "PHOTO")))
		return EXIT_USAGE;
	if (!yes && !prompt_interactive()) {
		report("photo rm: not at a terminal to confirm: give --yes to remove photo %lld; "
		       "nothing removed",
		       id);
		return EXIT_USAGE;
	}
	if (!(staff = ctx_staff(ctx)) || !ctx_db(ctx))
		return EXIT_FAIL;
	switch (db_load_photo(ctx->db, id, &p, NULL, NULL)) {
	case DB_OK:
		break;
	case DB_MISSING:
		report("photo rm: there is no photo %lld", id);
		/* fall through */
	default:
		return EXIT_FAIL;
	}
	rc = yes ? EXIT_OK : confirm_rm(&p);
	photo_clear(&p);
	if (rc != EXIT_OK)
		return rc;
	if (date_now_utc(when) < 0) {
		report("cannot read the clock");
		return EXIT_FAIL;
	}
	switch (db_remove_photo(ctx->db, id, when, staff)) {
	case DB_OK:
		break;
	case DB_MISSING:
		report("photo rm: there is no photo %lld", id);
		/* fall through */
	default:
		return EXIT_FAIL;
	}
	/* secure_delete zeroed the freed pages; the log's older frames still
	 * hold the bytes until it is checked in and cut (when another terminal
	 * reads, the last connection to close does it). */
	db_erase_finish(ctx->db);
	printf("Removed photo %lld.\n", id);
	return EXIT_OK;
}

int cmd_photo(struct ctx *ctx, int argc, char **argv)
{
	struct command_args a;
	const char *action;

	if (command_parse(argc, argv, &a) < 0)
		return EXIT_USAGE;
	action = argv[1];
	if (strcmp(action, "add") == 0)
		return photo_add(ctx, &a, argv);
	if (strcmp(action, "list") == 0)
		return photo_list(ctx, &a);
	if (strcmp(action, "export") == 0)
		return photo_export(ctx, &a, argv);
	if (strcmp(action, "rm") == 0)
		return photo_rm(ctx, &a, argv);
	report("photo: unknown action '%s': add, list, export or rm", action);
	return EXIT_USAGE;
}
