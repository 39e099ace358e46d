/* handout.h - the advice of a saved intake as a printable handout for the
 * client: Markdown, or one self-contained HTML page. */
#ifndef SMP_HANDOUT_H
#define SMP_HANDOUT_H

#include <stdio.h>

#include "intake.h"
#include "settings.h"

/* The heading of a handout when the studio has not set its name. */
#define HANDOUT_HEADING "Scalp micropigmentation: your advice sheet"

/* Both write the handout of in to f: the studio's name (s->studio_name,
 * or HANDOUT_HEADING alone when it is empty), the client's name, the date
 * the intake was taken, and each piece of advice with its title and the
 * text stored with the intake (never worked out again).  Text containing
 * "ARTIST WARNING" is set apart by more than colour: bold in Markdown, a
 * bordered box in HTML.  Every stored value passes text_safe() and is then
 * escaped for the format.  Return 0, or -1 on an output or memory error. */
int handout_print_markdown(FILE *f, const struct intake *in, const struct settings *s);

/* One UTF-8 page with inline CSS and nothing fetched from elsewhere, laid
 * out to print on A4 and on Letter with 18 mm margins. */
int handout_print_html(FILE *f, const struct intake *in, const struct settings *s);

#endif
