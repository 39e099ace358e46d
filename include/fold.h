/* fold.h - one rule for matching names and answers typed by people: the
 * acknowledgement's name, a returning client, the choices of a question.
 * Built on libunistring (Unicode's own case folding and normalisation),
 * the same in every locale. */
#ifndef SMP_FOLD_H
#define SMP_FOLD_H

#include <stdbool.h>
#include <stddef.h>

/* The text as it is compared: compatibility-decomposed (NFKD), case
 * folded without regard to the locale (full folding: "ß" is "ss"; the
 * Turkish "İ", "I", "ı" and "i" are all "i", so "YILMAZ" is "Yılmaz" in
 * every locale), accents and
 * other combining marks on Latin, Greek and Cyrillic letters removed
 * ("Zoë" is "zoe"; the vowel signs of other scripts are letters and are
 * kept), and every run of Unicode white space (tabs, no-break spaces...)
 * one ASCII space, none at either end.  NULL is taken as "".  Returns an
 * allocated string (free it), or NULL with errno EILSEQ when s is not
 * valid UTF-8, ENOMEM when out of memory. */
char *fold_text(const char *s);

/* Whether a and b are the same once folded.  False when either is not
 * valid UTF-8 (or memory runs out). */
bool fold_equal(const char *a, const char *b);

/* The number of edits (a code point inserted, removed, replaced, or two
 * neighbours swapped) between the folded a and b; more than limit is
 * returned as limit + 1, as is a text that cannot be folded. */
size_t fold_distance(const char *a, const char *b, size_t limit);

#endif
