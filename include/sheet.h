/* sheet.h - what people read on screen: the advice sheet and the whole
 * intake, with stored text made safe for the terminal. */
#ifndef SMP_SHEET_H
#define SMP_SHEET_H

#include <stdio.h>

#include "intake.h"

/* Who reads a sheet.  The client's is in plain words: the advice texts as
 * stored, under their titles.  The artist's adds the intake number, the
 * readiness, a warning when the GP's answer stops the artist, the rule
 * ids, the screening flags and the acknowledgement with its sheet. */
enum sheet_reader { SHEET_FOR_CLIENT, SHEET_FOR_ARTIST };

/* The advice sheet of a saved intake for who, wrapped to the terminal
 * width.  Returns 0, or -1 on an output or memory error. */
int sheet_print_advice(FILE *f, const struct intake *in, enum sheet_reader who);

/* The same on stdout, through the pager (pager.h) when it is longer than
 * the terminal.  Returns 0, or -1 on an output or memory error. */
int sheet_show_advice(const struct intake *in, enum sheet_reader who);

/* One line for the artist after an intake is saved, above the client's
 * sheet: whether the client is ready for a first session, and if not why
 * (`show` has the rest).  Returns 0, or -1. */
int sheet_print_readiness(FILE *f, const struct intake *in);

/* Every answer, one per line with its label as worded in questionnaire
 * version (also used as the summary before saving).  Returns 0, or -1. */
int sheet_print_answers(FILE *f, const struct answers *a, const char *version);

/* The whole intake: header, client, versions, screening flags, answers,
 * GP sign-off, advice, the artist's flags, the acknowledgement. */
int sheet_print_intake(FILE *f, const struct intake *in);

#endif
