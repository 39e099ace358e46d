/* erasure.h - what goes with an erasure (erase, purge): the studio's
 * retention period and the reason to erase inside it, and the file cleared
 * of the erased values (src/erasure.c). */
#ifndef SMP_ERASURE_H
#define SMP_ERASURE_H

#include <stdbool.h>
#include <stdio.h>

#include "context.h"

/* The studio's retention period (config retention_years; docs/record.md):
 * sets day (YYYY-MM-DD) to its first day, today (UTC) less the years, and
 * returns true; false when the studio has not set one.  A client last
 * seen (db_client_last_seen()) on or after it is inside the period. */
bool retention_first_day(const struct settings *s, char day[11]);

/* Writes to f, once, that the studio has not set a retention period, so
 * nothing checks whether a record must still be kept. */
void retention_note_not_set(FILE *f);

/* Checks reason, why a client inside the retention period is erased (one
 * line of text, at most 500 characters, not blank), trimming it in
 * place.  Returns 0, or -1 (reported, starting with what). */
int erasure_reason_check(const char *what, char *reason);

/* After erasures: finishes them (the search index merged, the write-ahead
 * log cleared), so that no erased value stays in the file or beside it,
 * and warns of temporary export files left beside it.  Returns an exit
 * code. */
int erase_finish(struct ctx *ctx);

#endif
