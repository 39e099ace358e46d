/* cmd_migrate.c - `smp-intake migrate --to LOCATION` and `--from
 * LOCATION`: the studio's whole record moved between an SQLite file and a
 * PostgreSQL server (either way, or file to file), all or nothing: the
 * source verified first, every table copied with its numbers in one
 * transaction of the target's, each table's rows counted on both sides,
 * the target verified after (docs/server.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "report.h"
#include "text.h"

/* A problem that verify would print: counted only (the source is
 * refused as a whole; `smp-intake verify` says which). */
static void count_problem(const char *line, void *arg)
{
	(void)line;
	++*(int *)arg;
}

static bool same_summary(const struct verify_summary *a, const struct verify_summary *b)
{
	return a->audit_rows == b->audit_rows && a->access_rows == b->access_rows &&
	       strcmp(a->head, b->head) == 0;
}

/* Opens the other end: a server's database (made by its administrator),
 * or a file, made when missing if it is the target. */
static struct db *open_other(const char *location, bool target)
{
	if (db_location_is_server(location) && db_server_has_password(location)) {
		report("a password in the server's address is refused; put it in ~/.pgpass or "
		       "PGPASSWORD (docs/server.md)");
		return NULL;
	}
	if (!target && !db_exists(location)) {
		db_report_missing(location);
		return NULL;
	}
	return db_open_mode(location, target);
}

int cmd_migrate(struct ctx *ctx, int argc, char **argv)
{
	struct command_args a;
	const char *to, *from, *other;
	struct db *source, *target, *opened;
	struct verify_summary before, after;
	long long clients, intakes;
	int problems = 0, empty, rc = EXIT_FAIL;

	if (command_parse(argc, argv, &a) < 0)
		return EXIT_USAGE;
	to = command_arg(&a, "to");
	from = command_arg(&a, "from");
	if (!to == !from) {
		report("migrate: give either --to LOCATION or --from LOCATION (see smp-intake "
		       "migrate --help)");
		return EXIT_USAGE;
	}
	other = to ? to : from;
	if (!*other) {
		report("migrate: --%s needs a file or a server's address", to ? "to" : "from");
		return EXIT_USAGE;
	}
	/* The database of --db is the source of --to, and the target of
	 * --from (made when missing). */
	ctx->may_create = from != NULL;
	if (!ctx_db_only(ctx) || !(opened = open_other(other, to != NULL)))
		return EXIT_FAIL;
	source = to ? ctx->db : opened;
	target = to ? opened : ctx->db;
	if (strcmp(ctx_db_path(ctx), other) == 0) {
		report("migrate: the source and the target are the same database");
		goto out;
	}
	if ((empty = db_migrate_target_owned(target)) < 0)
		goto out;
	if (!empty) {
		report("migrate: a server is migrated into by the owner of its tables (the "
		       "administrator's login that applied schema/postgresql/, docs/server.md), "
		       "not a workstation's login; nothing migrated");
		goto out;
	}
	if ((empty = db_migrate_target_empty(target)) < 0)
		goto out;
	if (!empty) {
		report("migrate: the target '%s' already holds records; a migration goes into an "
		       "empty database only (nothing migrated)",
		       to ? to : ctx_db_path(ctx));
		goto out;
	}
	problems = db_verify(source, &before, count_problem, &problems) < 0 ? -1 : problems;
	if (problems < 0)
		goto out;
	if (problems > 0) {
		report("migrate: the source does not verify (%d problem%s: run smp-intake verify on "
		       "it); nothing migrated",
		       problems, problems == 1 ? "" : "s");
		goto out;
	}
	if (db_migrate_copy(source, target, &clients, &intakes) < 0)
		goto out;
	problems = 0;
	if (db_verify(target, &after, count_problem, &problems) < 0)
		goto out;
	if (problems > 0 || !same_summary(&before, &after)) {
		report("migrate: the target does not verify as the source did after the copy (run "
		       "smp-intake verify on both)");
		goto out;
	}
	printf("Migrated %lld client%s and %lld intake%s, with their course, audit trail "
	       "(last ",
	       clients, clients == 1 ? "" : "s", intakes, intakes == 1 ? "" : "s");
	printf("%s) and access log, to ", after.head[0] ? after.head : "none");
	if (text_print_safe(stdout, to ? to : ctx_db_path(ctx)) < 0 || printf(".\n") < 0 ||
	    fflush(stdout) == EOF) {
		report("cannot write the result");
		goto out;
	}
	rc = EXIT_OK;
out:
	db_close(opened);
	return rc;
}
