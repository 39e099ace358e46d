/* idset.h - sets of client ids, gathered as a command meets them and
 * written as ascending ranges ("3,7-9"): the clients column of the access
 * log. */
#ifndef SMP_IDSET_H
#define SMP_IDSET_H

#include <stddef.h>

/* The ids as runs of consecutive ids, in the order they were added until
 * the array is full, when they are sorted and merged.  An export meets its
 * clients mostly in ascending order, so a run grows by one at a time and
 * a million clients can take one entry; a returning client's id mostly
 * falls inside a run already there, so merging keeps the runs about as
 * many as the ranges of the result. */
struct idset_run {
	long long first, last;
};

struct idset {
	struct idset_run *run;
	size_t count, cap;
};

#define IDSET_EMPTY { NULL, 0, 0 }

/* Adds id (above 0).  An id inside the last run (the same client as the
 * intake before) costs nothing; one more than its end extends it.  Returns
 * 0, or -1 when out of memory or id is not above 0 (not reported; the set
 * holds the ids it held). */
int idset_add(struct idset *s, long long id);

/* The ids, sorted and without repeats, as ascending ranges joined by
 * commas: "1-3,7" ("" for an empty set).  Sorts and merges s's runs in
 * place (it holds the same ids after).  Returns allocated memory the
 * caller frees, or NULL when out of memory (not reported). */
char *idset_format(struct idset *s);

/* Whether s holds id: 1 or 0.  Only after idset_format() (which sorts and
 * merges the runs) and before the next idset_add(); a binary search. */
int idset_has(const struct idset *s, long long id);

/* Whether ranges, a text as idset_format() writes it, holds id: 1 when it
 * does, 0 when not, -1 when the text is not such a list (a number out of
 * range, a range backwards or out of order, anything but digits, '-' and
 * ','), whatever id is. */
int idset_text_has(const char *ranges, long long id);

/* Frees the runs; s is empty after.  Accepts an empty set. */
void idset_clear(struct idset *s);

#endif
