/* aftercare.h - the studio's own aftercare text (`config set|get
 * aftercare_text`): read from a file, checked, stored as the next version,
 * and shown (src/aftercare.c).  Never the source article's words:
 * docs/advice.md. */
#ifndef SMP_AFTERCARE_H
#define SMP_AFTERCARE_H

#include <stddef.h>

#include "context.h"

/* The most the text may hold, in bytes: it is printed on every session
 * sheet, so a page or two. */
#define AFTERCARE_MAX_BYTES 8192

/* Checks text (len bytes, as read from a file; a UTF-8 byte order mark
 * and Windows line ends are taken off first) and makes it the text to
 * store in place: UTF-8, no control character but the line end, not
 * blank, at most AFTERCARE_MAX_BYTES; blank lines and spaces at its start
 * and end are dropped.  Returns 0, or -1 with a one-line reason in why. */
int aftercare_check(char *text, size_t len, char *why, size_t n);

/* Stores the text of file path ("-": standard input) as the studio's next
 * aftercare version; path "" stores an empty version, which removes it.
 * Says what it did on stdout.  Returns an exit code. */
int aftercare_set(struct ctx *ctx, const char *path);

/* Prints the current text, after a line with its version, date and who set
 * it; "not set" when there is none.  Returns an exit code. */
int aftercare_print(struct ctx *ctx);

/* One line for `config list`: "version N, set YYYY-MM-DD", "not set" or
 * "not set (removed on YYYY-MM-DD)".  Returns 0, or -1 (reported). */
int aftercare_summary(struct ctx *ctx, char *buf, size_t n);

#endif
