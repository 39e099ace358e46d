/* edit.h - changing an intake: the walk of `edit` and of `resume` of an
 * edit's draft (src/edit.c). */
#ifndef SMP_EDIT_H
#define SMP_EDIT_H

#include "context.h"

/* Edits intake id, continuing draft resume when not NULL.  Returns an exit
 * code. */
int intake_edit(struct ctx *ctx, long long id, struct draft *resume);

#endif
