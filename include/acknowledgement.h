/* acknowledgement.h - the client's acknowledgement of the advice: the full
 * name typed after reading the sheet, checked against the intake and
 * stored with it (src/acknowledgement.c). */
#ifndef SMP_ACKNOWLEDGEMENT_H
#define SMP_ACKNOWLEDGEMENT_H

#include "context.h"

/* Fills ack with typed (trimmed), now and staff; returns 0, or -1
 * (reported). */
int acknowledgement_fill(struct acknowledgement *ack, const char *typed, const char *staff);

/* Returns 0 when typed is the full name in a, else reports that it is not
 * (never echoing either), ending the line with then, and returns -1. */
int acknowledgement_check(const char *typed, const struct answers *a, const char *then);

/* Through a pipe or from --answers: the acknowledgement given with the
 * answers (typed; NULL or blank: none), checked against a and filled into
 * ack.  Returns 0, or -1 (reported, ending with then). */
int acknowledgement_given(const char *typed, const struct answers *a, const char *staff,
			  struct acknowledgement *ack, const char *then);

/* Through a pipe: reads the line after the answers (the acknowledgement)
 * into *line (NULL at the end of input).  Returns 0, or -1 (reported). */
int acknowledgement_read_line(char **line);

/* At the terminal, after in's advice sheet was printed: asks the client to
 * type their full name until it matches or they skip, and stores it.
 * Returns 0 when acknowledged, 1 when left unacknowledged, -1 on failure
 * (reported). */
int acknowledgement_ask(struct ctx *ctx, struct intake *in);

/* Records typed as the acknowledgement of in's latest sheet, by staff, now:
 * checked against in's names, then stored.  Returns 0, or -1 (reported). */
int acknowledgement_record(struct ctx *ctx, struct intake *in, const char *typed,
			   const char *staff);

#endif
