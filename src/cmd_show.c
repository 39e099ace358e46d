/* cmd_show.c - `smp-intake show ID` and `smp-intake advice ID`: a saved
 * intake, or just the advice sheet it printed (or a handout of it for the
 * client), read back from the file.  Each is written in the access log
 * before it is printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "command.h"
#include "course_view.h"
#include "handout.h"
#include "report.h"
#include "sheet.h"
#include "text.h"

/* Loads the intake whose number is id_text and writes command's row in
 * the access log, before anything is printed: what cannot be logged is not
 * shown.  Returns an exit code (on success *in is the caller's to clear). */
static int load_id(struct ctx *ctx, const char *id_text, struct intake *in, const char *command)
{
	long long id;

	if (!(id = command_parse_id(id_text, "ID")))
		return EXIT_USAGE;
	if (!ctx_db(ctx) || ctx_load_intake(ctx, id, in) < 0)
		return EXIT_FAIL;
	if (access_record_client(ctx, command, in->client_id) != EXIT_OK) {
		intake_clear(in);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* Loads the intake named by the single argument for show; returns an exit
 * code. */
static int load_one(struct ctx *ctx, int argc, char **argv, struct intake *in)
{
	struct command_args a;

	if (command_parse(argc, argv, &a) < 0)
		return EXIT_USAGE;
	return load_id(ctx, argv[1], in, "show");
}

/* The client's photo consents as they stand (assess): nothing for a client
 * never asked them (intakes before questionnaire 2026.4). */
static int print_consents(struct ctx *ctx, long long client_id)
{
	struct consent_state c;

	if (db_consent(ctx->db, client_id, &c) == DB_ERROR)
		return -1;
	if (!c.photos[0] && !c.marketing[0])
		return 0;
	printf("\nPhoto consents of client %lld (smp-intake consent %lld)\n", client_id, client_id);
	for (int k = 0; k < 2; k++) {
		char day[11];
		snprintf(day, sizeof day, "%.10s", k ? c.marketing_at : c.photos_at);
		char *safe = text_safe(day, false); /* a stored date, as stored */
		if (!safe) {
			report("out of memory");
			return -1;
		}
		printf("  %-26s %-3s  since %s\n",
		       k ? "Use photos for marketing" : "Keep photos in the record",
		       (k ? c.marketing : c.photos)[0] ? (k ? c.marketing : c.photos) : "-", safe);
		free(safe);
	}
	return 0;
}

int cmd_show(struct ctx *ctx, int argc, char **argv)
{
	struct intake in;
	int rc = load_one(ctx, argc, argv, &in);

	if (rc != EXIT_OK)
		return rc;
	if (sheet_print_intake(stdout, &in) < 0 || print_consents(ctx, in.client_id) < 0 ||
	    course_show(stdout, ctx, &in) < 0)
		rc = EXIT_FAIL;
	intake_clear(&in);
	return rc;
}

enum advice_format { FORMAT_TEXT, FORMAT_MARKDOWN, FORMAT_HTML };

/* The format named by name; returns 0, or -1 when there is no such format. */
static int advice_format_parse(const char *name, enum advice_format *out)
{
	static const struct {
		const char *name;
		enum advice_format format;
	} formats[] = { { "text", FORMAT_TEXT },
			{ "markdown", FORMAT_MARKDOWN },
			{ "html", FORMAT_HTML } };

	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
		if (strcmp(formats[i].name, name) == 0) {
			*out = formats[i].format;
			return 0;
		}
	}
	return -1;
}

int cmd_advice(struct ctx *ctx, int argc, char **argv)
{
	enum advice_format format = FORMAT_TEXT;
	enum sheet_reader reader = SHEET_FOR_CLIENT;
	const char *value;
	struct command_args a;
	struct intake in;
	int rc;

	/* The ID may come before or after --format. */
	if (command_parse(argc, argv, &a) < 0)
		return EXIT_USAGE;
	if ((value = command_arg(&a, "format")) && advice_format_parse(value, &format) < 0) {
		report("advice: unknown format '%.40s' (text, markdown or html)", value);
		return EXIT_USAGE;
	}
	if ((value = command_arg(&a, "for"))) {
		if (strcmp(value, "client") == 0) {
			reader = SHEET_FOR_CLIENT;
		} else if (strcmp(value, "artist") == 0) {
			reader = SHEET_FOR_ARTIST;
		} else {
			report("advice: unknown reader '%.40s' (client or artist)", value);
			return EXIT_USAGE;
		}
	}
	/* The handouts are what the client takes home: the artist's view is
	 * the text sheet only. */
	if (reader == SHEET_FOR_ARTIST && format != FORMAT_TEXT) {
		report("advice: --for artist prints the text sheet only (markdown and html are the "
		       "client's handout)");
		return EXIT_USAGE;
	}
	if ((rc = load_id(ctx, argv[1], &in, "advice")) != EXIT_OK)
		return rc;
	switch (format) {
	case FORMAT_TEXT:
		if (sheet_show_advice(&in, reader) < 0)
			rc = EXIT_FAIL;
		break;
	case FORMAT_MARKDOWN:
		if (handout_print_markdown(stdout, &in, &ctx->settings) < 0)
			rc = EXIT_FAIL;
		break;
	case FORMAT_HTML:
		if (handout_print_html(stdout, &in, &ctx->settings) < 0)
			rc = EXIT_FAIL;
		break;
	}
	intake_clear(&in);
	return rc;
}
