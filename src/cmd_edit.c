/* cmd_edit.c - `smp-intake edit ID`: an intake's answers changed (src/edit.c
 * walks the change). */
#include <getopt.h>
#include <stdio.h>

#include "command.h"
#include "edit.h"

int cmd_edit(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	long long id;

	optind = 0;
	opterr = 0;
	if (getopt_long(argc, argv, "+", opts, NULL) != -1)
		return command_bad_option("edit", argc, argv);
	if (optind != argc - 1) {
		command_usage(stderr, "edit");
		return EXIT_USAGE;
	}
	if (!(id = command_parse_id(argv[optind], "ID")))
		return EXIT_USAGE;
	return intake_edit(ctx, id, NULL);
}
