/* cmd_acknowledge.c - `smp-intake acknowledge ID`: the client's
 * acknowledgement of the advice given after the intake was saved (at the
 * end of `new` and `edit` it is asked by src/acknowledgement.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "acknowledgement.h"
#include "command.h"
#include "prompt.h"
#include "report.h"
#include "sheet.h"
#include "text.h"

int cmd_acknowledge(struct ctx *ctx, int argc, char **argv)
{
	struct command_args a;
	struct intake in = { 0 };
	const char *name = NULL, *staff;
	char *line = NULL;
	long long id;
	int rc = EXIT_FAIL;

	if (command_parse(argc, argv, &a) < 0)
		return EXIT_USAGE;
	name = command_arg(&a, "name");
	if (!(id = command_parse_id(argv[1], "ID")))
		return EXIT_USAGE;
	if (!(staff = ctx_staff(ctx)) || !ctx_db(ctx))
		return EXIT_FAIL;
	if (ctx_load_intake(ctx, id, &in) < 0)
		return EXIT_FAIL;
	if (in.ack.sheet == in.sheet) {
		report("intake %lld's advice is already acknowledged (by the client on %.10s)", id,
		       in.ack.at ? in.ack.at : "");
		goto out;
	}
	/* At a terminal the sheet is shown; every way, the client's name is
	 * checked against the record: logged before either. */
	if (access_record_client(ctx, "acknowledge", in.client_id) != EXIT_OK)
		goto out;
	if (!name && prompt_interactive()) {
		if (sheet_show_advice(&in, SHEET_FOR_CLIENT) == 0 && acknowledgement_ask(ctx, &in) == 0)
			rc = EXIT_OK;
		goto out;
	}
	if (!name) {
		enum prompt_result r = prompt_read("", NULL, &line);
		if (r != PROMPT_LINE || text_is_blank(text_trim(line))) {
			if (r != PROMPT_ERROR)
				report("acknowledge: no name given (one line: the client's full name, "
				       "or --name)");
			goto out;
		}
		name = line;
	}
	if (acknowledgement_record(ctx, &in, name, staff) == 0)
		rc = EXIT_OK;
out:
	free(line);
	intake_clear(&in);
	return rc;
}
