/* cmd_edit.c - `smp-intake edit ID`: an intake's answers changed (src/edit.c
 * walks the change). */
#include <stdio.h>

#include "command.h"
#include "edit.h"

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
