/* advice.h - the advice rules, as data, and the advice sheet they produce. */
#ifndef SMP_ADVICE_H
#define SMP_ADVICE_H

#include <stdbool.h>
#include <stddef.h>

#include "questionnaire.h"
#include "settings.h"

enum advice_trigger {
	ADVICE_ALWAYS,
	ADVICE_ANY_TREATMENT,
	ADVICE_ANY_TOPICAL,
	ADVICE_TOPICAL_NOT_DECLINED, /* a topical, and the GP has not declined */
	ADVICE_SIGNOFF_OBTAINED,     /* a treatment, and the GP's sign-off obtained */
	ADVICE_SIGNOFF_PENDING,	     /* a treatment, sign-off pending or not discussed */
	ADVICE_SIGNOFF_DECLINED,     /* a treatment, and the GP declined */
	ADVICE_ROOT_CAUSE /* wants_root_cause_help, or no treatment at all */
};

/* One rule: when it applies, what it says, and the fact of the source
 * article (shared/seed) it rests on.  The template may hold {treatments}
 * (the treatments named: "minoxidil (foam) and finasteride (tablets)"),
 * {topicals} (those put on the scalp), {it} ("it" or "them"), {gp_name},
 * {gp_date}, {gp_waiting}, {products} and {pause}, filled in from the
 * answers.  Every text is for the client: no rule ids and no warnings to
 * the artist, which the artist's view adds (sheet.c). */
struct advice_rule {
	const char *id; /* stable: stored with the intake and exported */
	const char *title;
	enum advice_trigger trigger;
	const char *text;
	const char *source; /* the article's section and fact */
};

/* The version of the advice texts, stored with every intake: changes when
 * a text is added, removed or reworded (a new entry in
 * questionnaire_versions[]).  Sheets are stored as printed, so an older
 * intake keeps showing the words it was given. */
#define ADVICE_VERSION "2026.3"

extern const struct advice_rule advice_rules[];
extern const size_t advice_rule_count;

#define ADVICE_MAX 16

struct advice_item {
	char *id;
	char *text;
};

/* The advice given at one intake, in order; owns its strings. */
struct advice_sheet {
	struct advice_item item[ADVICE_MAX];
	size_t count;
};

/* Fills *out with the advice for these answers.  Returns 0, or -1 when out
 * of memory (out is then empty). */
int advice_for_answers(const struct answers *a, const struct settings *s,
		       struct advice_sheet *out);

/* The sheet advice version `version` gives for these answers, as import
 * checks a record against it: for ADVICE_VERSION every rule's id and text
 * (returns 1); for an earlier version, whose texts this release no longer
 * holds, the ids only, each with the text "" (returns 0).  Returns -1 when
 * out of memory, -2 for a version it does not know (out is then empty). */
int advice_for_version(const char *version, const struct answers *a, const struct settings *s,
		       struct advice_sheet *out);

/* Appends copies of id and text.  Returns 0, or -1 when full or out of
 * memory. */
int advice_sheet_add(struct advice_sheet *sheet, const char *id, const char *text);

/* Frees every item and empties the sheet; accepts NULL. */
void advice_sheet_clear(struct advice_sheet *sheet);

/* The heading printed above advice id (the id itself when unknown). */
const char *advice_title(const char *id);

/* True when the recorded GP sign-off must stop the artist (pending or
 * declined while a treatment is used). */
bool advice_signoff_warning(const struct answers *a);

#endif
