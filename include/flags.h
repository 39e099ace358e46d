/* flags.h - the screening flags (answers that are a reason to wait or to
 * ask a doctor first), as data, and what makes an intake ready for a
 * first session. */
#ifndef SMP_FLAGS_H
#define SMP_FLAGS_H

#include <stdbool.h>
#include <stddef.h>

#include "questionnaire.h"

/* One flag: the screening question that raises it, and the answers that
 * leave it down (any other answer raises it; no answer does not). */
struct flag_rule {
	const char *id;    /* stable: flag-keloid; stored, exported, typed by the artist */
	const char *title; /* short, for show */
	const char *brief; /* one word for list's narrow column, at most 9 characters */
	const char *qid;
	const char *quiet[3]; /* NULL-ended */
	const char *text;  /* a screening prompt for the artist, never a diagnosis */
	const char *basis; /* why the studio asks (docs/advice.md) */
};

extern const struct flag_rule flag_rules[];
extern const size_t flag_rule_count;

#define FLAGS_MAX 8

/* The rule with this id, or NULL. */
const struct flag_rule *flag_find(const char *id);

/* True when the answers raise flag f. */
bool flag_raised(const struct flag_rule *f, const struct answers *a);

/* intake.h: a cleared flag and the client's acknowledgement. */
struct clearance;
struct acknowledgement;

/* The flags a raises that are not among cleared[0..n), in table order,
 * into out (at least FLAGS_MAX); returns how many. */
size_t flags_open(const struct answers *a, const struct clearance *cleared, size_t n,
		  const struct flag_rule **out);

/* Whether the client may have a first session: the GP's part
 * (answers_ready()), the acknowledgement, no open flag.  Returns NULL
 * when ready, else the first reason to wait, in plain words. */
const char *readiness_wait_reason(const struct answers *a, const struct acknowledgement *ack,
				  const struct clearance *cleared, size_t n);

/* True when the typed name is the client's full name: first and last
 * name in that order, the same once folded (fold.h: case, accents,
 * normal form and spaces of any kind do not matter). */
bool acknowledgement_matches(const char *typed, const struct answers *a);

#endif
