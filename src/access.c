/* access.c - the access log's record: the row each command that prints a
 * client's data writes first (`smp-intake access-log` reads them). */
#include <stdio.h>

#include "access.h"
#include "date.h"
#include "report.h"

int access_record(struct ctx *ctx, const char *command, const char *clients)
{
	struct access_entry e = { 0, NULL, NULL, command, clients };
	char when[21];

	if (!(e.staff = ctx_staff(ctx)))
		return EXIT_FAIL;
	if (date_now_utc(when) < 0) {
		report("cannot record this in the access log: cannot read the clock");
		return EXIT_FAIL;
	}
	e.at = when;
	return db_access_add(ctx->db, &e) < 0 ? EXIT_FAIL : EXIT_OK;
}

int access_record_client(struct ctx *ctx, const char *command, long long client_id)
{
	char clients[24];

	snprintf(clients, sizeof clients, "%lld", client_id);
	return access_record(ctx, command, clients);
}
