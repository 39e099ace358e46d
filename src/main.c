/* main.c - the global options and main(); the command table is in
 * src/command.c, each command in its own src/cmd_*.c. */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "command.h"
#include "db.h"
#include "process.h"
#include "prompt.h"
#include "report.h"

/* Takes --db and --staff (as "--db PATH" or "--db=PATH"); returns the
 * index of the command, or -1 after reporting a usage error. */
static int parse_global(int argc, char **argv, struct ctx *ctx)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char **slot = NULL;
		const char *arg = argv[i];
		size_t n = 0;

		if (strncmp(arg, "--db", 4) == 0 && (arg[4] == '\0' || arg[4] == '=')) {
			slot = &ctx->db_option;
			n = 4;
		} else if (strncmp(arg, "--staff", 7) == 0 && (arg[7] == '\0' || arg[7] == '=')) {
			slot = &ctx->staff_option;
			n = 7;
		} else {
			return i; /* --help, --version and unknown options are judged later */
		}
		if (arg[n] == '=') {
			*slot = arg + n + 1;
		} else if (i + 1 < argc) {
			*slot = argv[++i];
		} else {
			report("%s needs a value", arg);
			return -1;
		}
		if (!**slot) {
			report("%.8s needs a value", arg);
			return -1;
		}
	}
	return i;
}

int main(int argc, char **argv)
{
	struct ctx ctx = { 0 };
	const char *location;
	int first, rc;

	/* Every file we create (database, WAL, exports) is private. */
	umask(077);
	setlocale(LC_ALL, "");
	/* No core dump of answers; a closed pipe is a quiet exit 1. */
	if (process_harden() < 0)
		return EXIT_FAIL;

	if ((first = parse_global(argc, argv, &ctx)) < 0)
		return EXIT_USAGE;
	if (first < argc && argv[first][0] == '-') {
		if (strcmp(argv[first], "--help") == 0 || strcmp(argv[first], "-h") == 0) {
			command_usage(stdout, NULL);
			return EXIT_OK;
		}
		if (strcmp(argv[first], "--version") == 0) {
			printf("smp-intake %s\n", SMP_VERSION);
			return EXIT_OK;
		}
		report("unknown option '%.40s' (see smp-intake --help)", argv[first]);
		return EXIT_USAGE;
	}
	/* A server's URI: no command works there yet (docs/server.md), and
	 * it must never become a file of that name.  A password in it is
	 * refused first: libpq's own means only (~/.pgpass, PGPASSWORD).
	 * An unknown command, and a command's --help, answer as usual. */
	location = ctx.db_option ? ctx.db_option : getenv("SMP_INTAKE_DB");
	if (db_location_is_server(location)) {
		const struct command *c = first < argc ? command_lookup(argv[first]) : NULL;

		if (db_server_has_password(location)) {
			report("a password in the server's address is refused; "
			       "put it in ~/.pgpass or PGPASSWORD (docs/server.md)");
			return EXIT_USAGE;
		}
		if ((first == argc && !command_on_server("shell")) ||
		    (c && strcmp(c->name, "help") != 0 &&
				      !command_on_server(c->name) &&
				      !command_wants_help(argc - first, argv + first))) {
			db_report_server(c ? c->name : "shell");
			return EXIT_USAGE;
		}
	}
	if (first == argc) {
		if (!prompt_interactive() || !isatty(STDOUT_FILENO)) {
			command_usage(stderr, NULL);
			return EXIT_USAGE;
		}
		rc = command_dispatch(&ctx, 1, (char *[]){ "shell", NULL });
	} else {
		rc = command_dispatch(&ctx, argc - first, argv + first);
	}
	prompt_finish();
	ctx_close(&ctx);
	/* A command that failed has said why (a write error included):
	 * one line, not a second one about the same output. */
	errno = 0;
	if ((fflush(stdout) == EOF || ferror(stdout)) && rc == EXIT_OK) {
		if (errno)
			report("cannot write the output: %s", strerror(errno));
		else
			report("cannot write the output");
		return EXIT_FAIL;
	}
	return rc;
}
