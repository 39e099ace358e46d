/* cmd_new.c - `smp-intake new [--answers FILE] [--client ID]`: the
 * consultation intake (src/take.c walks it). */
#include <getopt.h>
#include <stdio.h>

#include "command.h"
#include "report.h"
#include "take.h"

int cmd_new(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { "answers", required_argument, NULL, 'a' },
					      { "client", required_argument, NULL, 'c' },
					      { NULL, 0, NULL, 0 } };
	const char *answers_path = NULL;
	long long client_id = 0;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			answers_path = optarg;
			break;
		case 'c':
			if (!(client_id = command_parse_id(optarg, "--client")))
				return EXIT_USAGE;
			break;
		default:
			return command_bad_option("new", argc, argv);
		}
	}
	if (optind != argc) {
		report("new takes no arguments besides --answers FILE and --client ID");
		return EXIT_USAGE;
	}
	return intake_take(ctx, client_id, NULL, answers_path);
}
