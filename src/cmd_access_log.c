/* cmd_access_log.c - `smp-intake access-log`: who read or took out whose
 * record (every command that prints a client's data), oldest first (the
 * rows access_record() writes, src/access.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "command.h"
#include "date.h"
#include "report.h"
#include "text.h"

/* Staff names are any text up to 100 characters: the column is padded
 * to 20 columns (not bytes), and a longer name pushes the rest on. */
#define STAFF_COLUMNS 20

/* What print_row() is given. */
struct shown {
	struct db *db;
	long long rows;
};

/* Below an erasure's row: the reason kept with it, if any (why a client
 * inside the studio's retention period was erased; staff's words). */
static int print_reason(struct shown *q, const struct access_entry *e)
{
	char *reason = NULL, *safe = NULL, *end;
	long long id;
	int rc = 0;

	if (strcmp(e->command, "erase") != 0)
		return 0;
	id = strtoll(e->clients, &end, 10);
	if (end == e->clients || *end || id <= 0)
		return 0; /* not one id: written by another program */
	if (db_erasure_reason(q->db, id, e->at, &reason) < 0)
		return -1;
	if (reason && !(safe = text_safe(reason, false))) {
		report("out of memory");
		rc = -1;
	} else if (safe) {
		printf("%7sreason: %s\n", "", safe);
	}
	free(reason);
	free(safe);
	return rc;
}

static int print_row(const struct access_entry *e, void *arg)
{
	struct shown *q = arg;
	/* Each text from the file is made safe: another program may have
	 * written the row. */
	char *at = text_safe(e->at, false), *staff = text_safe(e->staff, false),
	     *command = text_safe(e->command, false), *clients = text_safe(e->clients, false);
	int pad, rc = -1;

	if (!at || !staff || !command || !clients) {
		report("out of memory");
		goto out;
	}
	if (++q->rows == 1)
		printf("%-6s %-19s  %-*s  %-11s %s\n", "row", "when (UTC)", STAFF_COLUMNS, "staff",
		       "command", "clients");
	/* 2026-03-01T10:00:00Z as 2026-03-01 10:00:00 */
	if (strlen(at) == 20 && at[10] == 'T') {
		at[10] = ' ';
		at[19] = '\0';
	}
	pad = STAFF_COLUMNS - text_columns(staff);
	printf("%-6lld %-19s  %s%*s  %-11s %s\n", e->id, at, staff, pad > 0 ? pad : 0, "", command,
	       clients[0] ? clients : "(none)");
	rc = print_reason(q, e);
out:
	free(at);
	free(staff);
	free(command);
	free(clients);
	return rc;
}

int cmd_access_log(struct ctx *ctx, int argc, char **argv)
{
	struct access_query q = { 0, NULL };
	struct command_args a;
	const char *client;
	struct shown shown = { NULL, 0 };

	if (command_parse(argc, argv, &a) < 0)
		return EXIT_USAGE;
	if ((client = command_arg(&a, "client")) &&
	    !(q.client = command_parse_id(client, "access-log: --client")))
		return EXIT_USAGE;
	if ((q.since = command_arg(&a, "since")) &&
	    command_parse_date("access-log", "--since", q.since) < 0)
		return EXIT_USAGE;
	if (!ctx_db(ctx))
		return EXIT_FAIL;
	shown.db = ctx->db;
	if (db_each_access(ctx->db, &q, print_row, &shown) != 0)
		return EXIT_FAIL;
	if (shown.rows == 0)
		printf("No access recorded%s.\n", q.client || q.since ? " that matches" : "");
	return EXIT_OK;
}
