/* session_take.h - recording a session of a client's course (`session
 * new`, src/session_take.c). */
#ifndef SMP_SESSION_TAKE_H
#define SMP_SESSION_TAKE_H

#include "context.h"

/* Records a session of intake intake_id: from the --answers file
 * answers_path when not NULL, else asked at the terminal or read from the
 * pipe.  override: the artist's reason to go ahead while the intake is not
 * ready (NULL: none).  At a terminal every answer is kept in a draft as it
 * is given; resume continues such a draft (NULL: the staff member's latest
 * draft of a session of the intake, if any, is continued).  Returns an
 * exit code (reported). */
int session_take(struct ctx *ctx, long long intake_id, const char *answers_path,
		 const char *override, struct draft *resume);

#endif
