/* cmd_ids.c - `smp-intake ids`: bare ids, one per line, for scripts and the
 * bash completion of `show ID`, `advice ID` and friends. */
#include <stdio.h>
#include <string.h>

#include "command.h"

static int print_id(long long id, void *arg)
{
	(void)arg;
	return printf("%lld\n", id) < 0 ? -1 : 0;
}

int cmd_ids(struct ctx *ctx, int argc, char **argv)
{
	struct command_args a;
	bool clients;

	if (command_parse(argc, argv, &a) < 0)
		return EXIT_USAGE;
	clients = command_arg(&a, "clients") != NULL;
	if (!ctx_db(ctx))
		return EXIT_FAIL;
	return db_each_id(ctx->db, clients, print_id, NULL) == 0 ? EXIT_OK : EXIT_FAIL;
}
