/* course.h - the course plan (issue 16): when the sessions of a course
 * fall, the pause of topical products around each, and when a touch-up is
 * due, from the studio's settings (course_sessions, course_interval_days,
 * touch_up_years, pause_days_before/after) and the sessions done.  Pure
 * dates: no storage, no printing. */
#ifndef SMP_COURSE_H
#define SMP_COURSE_H

#include <stdbool.h>
#include <stddef.h>

#include "date.h"
#include "settings.h"

/* The most sessions a course plan holds: course_sessions' largest value. */
#define COURSE_MAX 10

/* One session of the plan, done or planned. */
struct course_step {
	int number;           /* in the course: 1, 2, 3 ... */
	bool done;            /* performed (on is its date), else planned */
	struct date on;
	struct date stop, resume; /* topical products stop on, and start again on */
};

struct course_plan {
	struct course_step step[COURSE_MAX];
	size_t steps;          /* max(course_sessions, sessions done), at most COURSE_MAX */
	bool complete;         /* every planned session done */
	struct date next;      /* the next planned session (when not complete) */
	struct date last;      /* the last session done (when any) */
	bool any_done;
	struct date touch_up;  /* complete: when a touch-up is due (last + touch_up_years) */
};

/* Works out the plan of one course.  done: the dates of the course's
 * sessions performed, patch tests left out, oldest first (n of them).
 * start: when the first session is planned if none is done yet (a
 * session's date being recorded, or the consultation's day).  Each planned
 * session falls course_interval_days after the one before it. */
void course_plan(const struct settings *s, const struct date *done, size_t n, struct date start,
		 struct course_plan *out);

#endif
