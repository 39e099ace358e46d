/* pager.h - showing a long text through the user's pager at a terminal. */
#ifndef SMP_PAGER_H
#define SMP_PAGER_H

#include <stdbool.h>
#include <stddef.h>

/* True when stdout is a terminal, so a long text may go through a pager
 * (never through a pipe or into a file). */
bool pager_wanted(void);

/* Writes text[0..len) to stdout: through $PAGER (when set and not empty,
 * else "less -R") when stdout is a terminal and the text with the few
 * lines asked after it (the acknowledgement) does not fit on the screen;
 * directly otherwise, or when the pager cannot
 * be started.  Quitting the pager early is not an error.  Returns 0, or -1
 * when stdout cannot be written. */
int pager_show(const char *text, size_t len);

#endif
