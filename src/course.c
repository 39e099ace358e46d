/* course.c - the course plan: see course.h. */
#include "course.h"

#include <string.h>

static void pause_around(const struct settings *s, struct course_step *c)
{
	c->stop = date_add_days(c->on, -s->pause_days_before);
	c->resume = date_add_days(c->on, s->pause_days_after);
}

void course_plan(const struct settings *s, const struct date *done, size_t n, struct date start,
		 struct course_plan *out)
{
	size_t planned = s->course_sessions > 0 ? (size_t)s->course_sessions : 1;
	size_t k;

	memset(out, 0, sizeof *out);
	if (planned > COURSE_MAX)
		planned = COURSE_MAX;
	out->steps = n > planned ? n : planned;
	if (out->steps > COURSE_MAX)
		out->steps = COURSE_MAX;
	for (k = 0; k < out->steps; k++) {
		struct course_step *c = &out->step[k];
		c->number = (int)k + 1;
		if (k < n) {
			c->done = true;
			c->on = done[k];
		} else if (k == 0) {
			c->on = start;
		} else {
			c->on = date_add_days(out->step[k - 1].on, s->course_interval_days);
		}
		pause_around(s, c);
	}
	out->any_done = n > 0;
	if (n > 0)
		out->last = done[n - 1 < COURSE_MAX ? n - 1 : COURSE_MAX - 1];
	out->complete = n >= planned;
	if (!out->complete)
		out->next = out->step[n].on;
	else
		out->touch_up = date_add_months(out->last, 12 * s->touch_up_years);
}
