/* cmd_show.c - `smp-intake show ID` and `smp-intake advice ID`: a saved
 * intake, or just the advice sheet it printed (or a handout of it for the
 * client), read back from the file.  Each is written in the access log
 * before it is printed. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "command.h"
#include "handout.h"
#include "report.h"
#include "sheet.h"

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
	if (argc != 2) {
		command_usage(stderr, argv[0]);
		return EXIT_USAGE;
	}
	return load_id(ctx, argv[1], in, "show");
}

int cmd_show(struct ctx *ctx, int argc, char **argv)
{
	struct intake in;
	int rc = load_one(ctx, argc, argv, &in);

	if (rc != EXIT_OK)
		return rc;
	if (sheet_print_intake(stdout, &in) < 0)
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
	static const struct option opts[] = { { "format", required_argument, NULL, 'F' },
					      { "for", required_argument, NULL, 'R' },
					      { NULL, 0, NULL, 0 } };
	enum advice_format format = FORMAT_TEXT;
	enum sheet_reader reader = SHEET_FOR_CLIENT;
	const char *id_text = NULL;
	struct intake in;
	int c, rc, nargs = 0;

	/* "-": the ID may come before or after --format, with or without
	 * POSIXLY_CORRECT; each operand is returned as code 1. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "-", opts, NULL)) != -1) {
		if (c == 1) {
			id_text = optarg;
			nargs++;
		} else if (c == 'F') {
			if (advice_format_parse(optarg, &format) < 0) {
				report("advice: unknown format '%.40s' (text, markdown or html)",
				       optarg);
				return EXIT_USAGE;
			}
		} else if (c == 'R') {
			if (strcmp(optarg, "client") == 0) {
				reader = SHEET_FOR_CLIENT;
			} else if (strcmp(optarg, "artist") == 0) {
				reader = SHEET_FOR_ARTIST;
			} else {
				report("advice: unknown reader '%.40s' (client or artist)", optarg);
				return EXIT_USAGE;
			}
		} else {
			return command_bad_option("advice", argc, argv);
		}
	}
	/* The handouts are what the client takes home: the artist's view is
	 * the text sheet only. */
	if (reader == SHEET_FOR_ARTIST && format != FORMAT_TEXT) {
		report("advice: --for artist prints the text sheet only (markdown and html are the "
		       "client's handout)");
		return EXIT_USAGE;
	}
	for (; optind < argc; optind++, nargs++) /* operands after "--" */
		id_text = argv[optind];
	if (nargs != 1) {
		command_usage(stderr, argv[0]);
		return EXIT_USAGE;
	}
	if ((rc = load_id(ctx, id_text, &in, "advice")) != EXIT_OK)
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
