/* suggest.h - "did you mean ...?": the nearest of a few known words to a
 * mistyped one. */
#ifndef SMP_SUGGEST_H
#define SMP_SUGGEST_H

#include <stddef.h>

/* Edits between a and b: insertions, deletions, substitutions and swaps of
 * two neighbouring bytes (optimal string alignment).  Words longer than
 * 63 bytes count as far from everything. */
size_t suggest_distance(const char *a, const char *b);

/* The word of words (NULL-ended) nearest to word when it is a slip away
 * (at most two edits, and fewer than word has letters), the first of
 * equals; NULL when none is that near or word is one of them. */
const char *suggest_nearest(const char *word, const char *const *words);

#endif
