/* course_view.h - the course as the desk sees it (issue 16): the sessions
 * and the course plan under an intake in `show`, the lists of sessions and
 * touch-ups due (`list --sessions-due`, `list --touch-up-due`) and the
 * recall by pigment lot (`find --lot`). */
#ifndef SMP_COURSE_VIEW_H
#define SMP_COURSE_VIEW_H

#include <stdbool.h>
#include <stdio.h>

#include "context.h"
#include "table.h"

/* The longest window of --within: ten years, in days. */
#define COURSE_WITHIN_MAX 3650

/* Reads DURATION as --within takes it (a whole number of days or weeks:
 * 14d, 2w; 0d for today only) into *days.  Returns 0, or -1 (not
 * reported). */
int course_within_parse(const char *text, int *days);

/* Prints the intake's sessions, oldest first, and its course plan (the
 * sessions done and planned with their dates, the pause of topical
 * products around each planned one when the client uses a topical
 * product, the touch-up once the course is complete) to f, stored text
 * made safe.  Returns 0, or -1 (reported). */
int course_show(FILE *f, struct ctx *ctx, const struct intake *in);

/* Lists the clients whose next planned session (touch_up false) or
 * touch-up (true) falls on or before today plus within_days, overdue ones
 * included: one row per client, from their latest course (the sessions of
 * their latest intake that has any).  A client with no session yet is not
 * listed: their first session is booked by the studio, not planned here.
 * Returns an exit code. */
int course_list_due(struct ctx *ctx, bool touch_up, int within_days, enum table_format fmt);

/* The recall: every session done with pigment lot `lot` (ignoring case),
 * with its client's name and phone number, after the access log's row
 * (command find) for those clients.  Returns an exit code: EXIT_FAIL when
 * no session used the lot (said on stdout, as find says it). */
int course_find_lot(struct ctx *ctx, const char *lot, enum table_format fmt);

#endif
