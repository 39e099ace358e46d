/* cmd_verify.c - `smp-intake verify`: is the file as this program left it?
 * SQLite's own checks, the protective triggers, the audit chain and the
 * access log's order; one line per problem (docs/record.md). */
#include <stdio.h>
#include <stdlib.h>

#include "command.h"
#include "report.h"
#include "text.h"

/* A problem line may hold names read from the file (a trigger's): it is
 * printed safely. */
static void print_problem(const char *line, void *arg)
{
	int *failed = arg;

	if (text_print_safe(stdout, line) < 0 || putchar('\n') == EOF)
		*failed = 1;
}

int cmd_verify(struct ctx *ctx, int argc, char **argv)
{
	struct verify_summary sum;
	int failed = 0, problems;

	struct command_args a;

	if (command_parse(argc, argv, &a) < 0)
		return EXIT_USAGE;
	if (!ctx_db(ctx))
		return EXIT_FAIL;
	problems = db_verify(ctx->db, &sum, print_problem, &failed);
	if (problems < 0)
		return EXIT_FAIL;
	if (problems == 0 &&
	    printf("ok: %lld audit row%s chained%s%s, %lld access log row%s in order, the %s "
		   "and its triggers intact\n",
		   sum.audit_rows, sum.audit_rows == 1 ? "" : "s", sum.head[0] ? ", last " : "",
		   sum.head, sum.access_rows, sum.access_rows == 1 ? "" : "s",
		   db_location_is_server(ctx_db_path(ctx)) ? "database" : "file") < 0)
		failed = 1;
	if (fflush(stdout) == EOF || failed) {
		report("cannot write the result");
		return EXIT_FAIL;
	}
	return problems ? EXIT_FAIL : EXIT_OK;
}
