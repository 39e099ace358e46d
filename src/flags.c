/* flags.c - the screening flags as a table of data, and readiness for a
 * first session.  The flags rest on common studio screening practice,
 * not on the source article (which does not cover it): each text is a
 * prompt for the artist to look or ask, written in our own words. */
#include "flags.h"
#include "intake.h"

#include <stdlib.h>
#include <string.h>

#include "fold.h"
#include "text.h"

#define SCREENING "Studio screening before skin is needled; not from the source article."

/* Adding a flag is one row here (and a line in docs/advice.md). */
const struct flag_rule flag_rules[] = {
	{ "flag-scalp-condition", "Scalp condition", "scalp", "scalp_conditions", { "none", NULL },
	  "A scalp condition is recorded. Look at the scalp before the session: pigment should not "
	  "go into skin that is inflamed, infected, broken or sunburnt. Wait until it has settled, "
	  "or ask for the client's doctor's view.",
	  SCREENING " Treating irritated or broken skin risks infection and patchy pigment." },
	{ "flag-keloid", "Keloid scars", "keloid", "keloid_history", { "no", NULL },
	  "The client has had raised (keloid) scars. Needling may start new ones: the client should "
	  "ask their doctor first, and a small test area can show how the skin reacts.",
	  SCREENING " Skin that forms keloids can scar where it is needled." },
	{ "flag-blood-thinners", "Blood thinners", "thinners", "blood_thinners", { "no", NULL },
	  "The client takes a blood thinner. More bleeding can push pigment out and leave it patchy. "
	  "The client should talk to their doctor before the session and never change a prescribed "
	  "medicine because of SMP alone.",
	  SCREENING " Bleeding during needling affects how pigment settles." },
	{ "flag-allergy", "Allergies", "allergy", "allergies", { "no", NULL },
	  "The client has allergies. Check them against the pigment, the gloves (latex) and any "
	  "numbing cream before the session; a patch test can help.",
	  SCREENING " Pigments, latex and numbing creams can cause reactions." },
	{ "flag-pregnancy", "Pregnancy or breastfeeding", "pregnancy", "pregnant_or_breastfeeding",
	  { "no", "not_applicable", NULL },
	  "The client is pregnant or breastfeeding. Studios usually put cosmetic tattooing off until "
	  "afterwards: agree a later date with the client.",
	  SCREENING " Cosmetic procedures are commonly postponed during pregnancy and breastfeeding." },
};
const size_t flag_rule_count = sizeof flag_rules / sizeof flag_rules[0];

_Static_assert(sizeof flag_rules / sizeof flag_rules[0] <= FLAGS_MAX, "FLAGS_MAX flags at most");

const struct flag_rule *flag_find(const char *id)
{
	for (size_t i = 0; i < flag_rule_count; i++)
		if (strcmp(flag_rules[i].id, id) == 0)
			return &flag_rules[i];
	return NULL;
}

bool flag_raised(const struct flag_rule *f, const struct answers *a)
{
	const char *v = answers_get(a, f->qid);

	if (!v)
		return false;
	for (size_t i = 0; f->quiet[i]; i++)
		if (strcmp(v, f->quiet[i]) == 0)
			return false;
	return true;
}

size_t flags_open(const struct answers *a, const struct clearance *cleared, size_t n,
		  const struct flag_rule **out)
{
	size_t count = 0;

	for (size_t i = 0; i < flag_rule_count; i++) {
		bool is_cleared = false;
		if (!flag_raised(&flag_rules[i], a))
			continue;
		for (size_t j = 0; j < n && !is_cleared; j++)
			is_cleared = strcmp(cleared[j].flag_id, flag_rules[i].id) == 0;
		if (!is_cleared)
			out[count++] = &flag_rules[i];
	}
	return count;
}

const char *readiness_wait_reason(const struct answers *a, const struct acknowledgement *ack,
				  const struct clearance *cleared, size_t n)
{
	const struct flag_rule *open[FLAGS_MAX];
	const char *status = answers_signoff_status(a);

	if (strcmp(status, "declined") == 0)
		return "the GP advised against it";
	if (strcmp(status, "pending") == 0)
		return "waiting for the GP's sign-off";
	if (flags_open(a, cleared, n, open) > 0)
		return "a screening flag is open (the artist clears it: smp-intake clear-flag)";
	if (!ack || ack->sheet == 0)
		return "the client has not acknowledged the advice";
	return NULL;
}

bool acknowledgement_matches(const char *typed, const struct answers *a)
{
	const char *first = answers_get(a, "first_name"), *last = answers_get(a, "last_name");
	char *name;
	bool same;

	if (!typed || !first || !last || !(name = text_join(first, " ", last)))
		return false;
	same = fold_equal(typed, name);
	free(name);
	return same;
}
