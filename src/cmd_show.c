/* cmd_show.c - `smp-intake show ID` and `smp-intake advice ID`: a saved
 * intake, or just the advice sheet it printed, read back from the file. */
#include <stdio.h>

#include "command.h"
#include "report.h"
#include "sheet.h"

/* Loads the intake named by the single argument; returns an exit code. */
static int load_one(struct ctx *ctx, int argc, char **argv, struct intake *in)
{
	long long id;
	int rc;

	if (argc != 2) {
		command_usage(stderr, argv[0]);
		return EXIT_USAGE;
	}
	if (!(id = command_parse_id(argv[1], "ID")))
		return EXIT_USAGE;
	if (!ctx_db(ctx))
		return EXIT_FAIL;
	rc = db_load_intake(ctx->db, id, in);
	if (rc == 1)
		report("no intake %lld (see smp-intake find)", id);
	return rc == 0 ? EXIT_OK : EXIT_FAIL;
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

int cmd_advice(struct ctx *ctx, int argc, char **argv)
{
	struct intake in;
	int rc = load_one(ctx, argc, argv, &in);

	if (rc != EXIT_OK)
		return rc;
	if (sheet_print_advice(stdout, &in) < 0)
		rc = EXIT_FAIL;
	intake_clear(&in);
	return rc;
}
