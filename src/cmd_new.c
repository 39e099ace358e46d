/* cmd_new.c - `smp-intake new [--answers FILE] [--client ID]`: the
 * consultation intake (src/take.c walks it). */
#include <stdio.h>

#include "command.h"
#include "report.h"
#include "take.h"

int cmd_new(struct ctx *ctx, int argc, char **argv)
{
	struct command_args a;
	const char *client, *answers_path;
	long long client_id = 0;

	if (command_parse(argc, argv, &a) < 0)
		return EXIT_USAGE;
	if ((client = command_arg(&a, "client")) && !(client_id = command_parse_id(client, "--client")))
		return EXIT_USAGE;
	answers_path = command_arg(&a, "answers");
	return intake_take(ctx, client_id, NULL, answers_path);
}
