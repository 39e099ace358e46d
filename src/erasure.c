/* erasure.c - what follows an erasure (`erase`, `purge`): the erased
 * values cleared from the file and the write-ahead log beside it, and a
 * warning for each export a kill left half-written beside the database. */
#include <stdio.h>
#include <stdlib.h>

#include "erasure.h"
#include "outfile.h"
#include "report.h"
#include "text.h"

/* One warning per temporary file a killed export left beside the
 * database: it may hold the records just erased. */
static void warn_leftover(const char *path, void *arg)
{
	char *safe = text_safe(path, false);

	(void)arg;
	report("warning: '%s' is left over from an export that was stopped and may hold client "
	       "records: delete it (rm -- '%s')",
	       safe ? safe : "?", safe ? safe : "?");
	free(safe);
}

int erase_finish(struct ctx *ctx)
{
	enum db_finish_result rc = db_erase_finish(ctx->db);

	outfile_each_leftover(ctx->db_path, warn_leftover, NULL);
	switch (rc) {
	case DB_FINISH_OK:
		return EXIT_OK;
	case DB_FINISH_DEFERRED:
		/* The erasure itself is done and committed: not a failure. */
		report("another terminal is reading the database: erased values stay in '%s-wal' "
		       "until it is done (SQLite clears the file when the last terminal closes it)",
		       ctx->db_path);
		return EXIT_OK;
	default:
		/* Reported: the erasure is saved, its values not yet cleared. */
		return EXIT_FAIL;
	}
}
