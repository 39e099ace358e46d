/* erasure.h - what follows an erasure (erase, purge): the file cleared of
 * the erased values (src/erasure.c). */
#ifndef SMP_ERASURE_H
#define SMP_ERASURE_H

#include "context.h"

/* After erasures: finishes them (the search index merged, the write-ahead
 * log cleared), so that no erased value stays in the file or beside it,
 * and warns of temporary export files left beside it.  Returns an exit
 * code. */
int erase_finish(struct ctx *ctx);

#endif
