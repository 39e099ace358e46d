/* take.h - taking a new consultation intake: the walk of `new` and of
 * `resume` of a new intake's draft (src/take.c). */
#ifndef SMP_TAKE_H
#define SMP_TAKE_H

#include "context.h"

/* Takes a new intake, for client_id when not 0, continuing draft resume
 * when not NULL, from a JSON answers file when answers_path is set.
 * Returns an exit code. */
/* Reads a whole --answers file (or standard input for "-") into memory,
 * at most 16 MiB, NUL-ended.  Returns it (allocated; *len its length), or
 * NULL (reported). */
char *take_read_answers_file(const char *path, size_t *len);

int intake_take(struct ctx *ctx, long long client_id, struct draft *resume,
		const char *answers_path);

#endif
