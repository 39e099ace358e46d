/* sheet.h - what people read on screen: the advice sheet and the whole
 * intake, with stored text made safe for the terminal. */
#ifndef SMP_SHEET_H
#define SMP_SHEET_H

#include <stdio.h>

#include "db.h"

/* The advice sheet of a saved intake, wrapped to the terminal width.
 * Returns 0, or -1 on an output or memory error. */
int sheet_print_advice(FILE *f, const struct intake *in);

/* Every answer, one per line with its label as worded in questionnaire
 * version (also used as the summary before saving).  Returns 0, or -1. */
int sheet_print_answers(FILE *f, const struct answers *a, const char *version);

/* The whole intake: header, client, versions, screening flags, answers,
 * GP sign-off, advice, the artist's flags, the acknowledgement. */
int sheet_print_intake(FILE *f, const struct intake *in);

#endif
