/* erasure.c - what goes with an erasure (`erase`, `purge`): the studio's
 * retention period and the reason that must be given to erase inside it;
 * after it, the erased values cleared from the file and the write-ahead
 * log beside it, and a warning for each export a kill left half-written
 * beside the database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "erasure.h"
#include "outfile.h"
#include "report.h"
#include "text.h"

#define REASON_MAX_CP 500

bool retention_first_day(const struct settings *s, char day[11])
{
	if (s->retention_years <= 0)
		return false;
	date_format(date_add_months(date_today_utc(), -12 * s->retention_years), day);
	return true;
}

void retention_note_not_set(FILE *f)
{
	/* No default pretends to be the law: the studio sets it from its licence. */
	fprintf(f, "Note: the studio has not set a retention period (config set retention_years N,\n"
		   "from its licence or local rules: docs/record.md), so nothing checks whether a\n"
		   "record must still be kept.\n");
}

int erasure_reason_check(const char *what, char *reason)
{
	if (text_is_blank(text_trim(reason))) {
		report("%s: the reason is empty: say why the record may go although the studio "
		       "keeps records for its retention period", what);
		return -1;
	}
	if (!text_is_utf8(reason, strlen(reason)) || text_has_control(reason, false) ||
	    text_codepoints(reason) > REASON_MAX_CP) {
		report("%s: the reason must be one line of text, at most %d characters", what,
		       REASON_MAX_CP);
		return -1;
	}
	return 0;
}

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
