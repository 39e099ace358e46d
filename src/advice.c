/* advice.c - the advice rules as a table of data, each tied to the fact of
 * the source article it rests on, and their evaluation for one intake.
 * Every text is our own wording; docs/advice.md shows rule -> fact. */
#include "advice.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"

const struct advice_rule advice_rules[] = {
	{ "smp-cosmetic-only", "SMP is cosmetic only",
	  ADVICE_ALWAYS,
	  "SMP is a cosmetic treatment: it changes how the scalp looks and nothing else. It does "
	  "not cause hair loss, does not speed it up and does not cure it. The pigment is placed in "
	  "the upper dermis, about 0.5 to 1 mm below the surface, while hair follicles sit in the "
	  "lower dermis, about 4 mm down, so SMP does not reach them.",
	  "Hair Follicles and Pigmentation: follicles about 4 mm deep (lower dermis), SMP about "
	  "0.5-1 mm (upper dermis), follicles not affected. SMP as a Remedy to Hair Loss: aesthetic "
	  "only, neither promotes nor hinders hair growth or loss, not a cure." },
	{ "treatments-compatible", "Your treatment can carry on",
	  ADVICE_ANY_TREATMENT,
	  "You can keep using your hair-growth treatment alongside SMP. The two work at different "
	  "depths of the skin, and SMP can hide thin areas while the treatment works on regrowth.",
	  "Hair Follicles and Pigmentation: hair growth treatments and SMP can be used together; "
	  "SMP can disguise thinning while hoping for regrowth from creams and medical products. "
	  "If You're Taking Medical Hair Growth Treatments: you can continue Propecia and Rogaine." },
	{ "gp-signoff", "Ask your GP first",
	  ADVICE_ANY_TREATMENT,
	  "Talk SMP and your hair-growth treatment through with your GP, and get their go-ahead "
	  "before the first session. {signoff}",
	  "If You're Taking Medical Hair Growth Treatments: always discuss the combination with "
	  "your GP; go ahead once they have green-lit it." },
	{ "tell-artist", "Tell your artist",
	  ADVICE_ANY_TREATMENT,
	  "Tell your SMP artist about every hair-growth product you use, including any you start "
	  "later, and about any change to your medicines before each session. For the artist: "
	  "{products}.",
	  "If You're Taking Medical Hair Growth Treatments: it is very important to notify your "
	  "SMP artist of any hair growth treatment." },
	{ "pause-topicals", "Pausing topical products while you heal",
	  ADVICE_ANY_TOPICAL,
	  "While the treated scalp heals you may need to stop putting topical products on it for "
	  "a while. Your artist decides when to stop and when to start again. {pause}",
	  "If You're Taking Medical Hair Growth Treatments: during healing you may need to stop "
	  "topical treatments; the artist will discuss it. The pause window is studio policy." },
	{ "root-cause", "The cause of hair loss",
	  ADVICE_ROOT_CAUSE,
	  "SMP hides the signs of hair loss but does nothing about its cause. To look into why "
	  "your hair is thinning, see your GP or a trichologist; hair transplants and hair-growth "
	  "products such as Rogaine are the usual routes they may discuss.",
	  "SMP as a Remedy to Hair Loss: for the root causes see a GP or trichologist; hair "
	  "transplants and growth products such as Rogaine are the choices many make." },
};
const size_t advice_rule_count = sizeof advice_rules / sizeof advice_rules[0];

const char *advice_title(const char *id)
{
	for (size_t i = 0; i < advice_rule_count; i++)
		if (strcmp(advice_rules[i].id, id) == 0)
			return advice_rules[i].title;
	return id;
}

static bool rule_applies(const struct advice_rule *r, const struct answers *a)
{
	const char *help = answers_get(a, "wants_root_cause_help");

	switch (r->trigger) {
	case ADVICE_ALWAYS:
		return true;
	case ADVICE_ANY_TREATMENT:
		return answers_any_treatment(a);
	case ADVICE_ANY_TOPICAL:
		return answers_any_topical(a);
	case ADVICE_ROOT_CAUSE:
		return !answers_any_treatment(a) || (help && strcmp(help, "yes") == 0);
	}
	return false;
}

bool advice_signoff_warning(const struct answers *a)
{
	const char *s = answers_signoff_status(a);
	return strcmp(s, "pending") == 0 || strcmp(s, "declined") == 0;
}

/* A growing string for composing one advice text. */
struct buf {
	char *s;
	size_t len, cap;
	bool failed;
};

static void buf_add(struct buf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *p = realloc(b->s, cap);
		if (!p) {
			b->failed = true;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

static void add_signoff(struct buf *b, const struct answers *a)
{
	const char *status = answers_signoff_status(a);
	const char *discussed = answers_get(a, "gp_discussed");

	if (strcmp(status, "obtained") == 0) {
		buf_add(b, "GP sign-off: obtained from ");
		buf_add(b, answers_get(a, "gp_name") ? answers_get(a, "gp_name") : "the GP");
		if (answers_get(a, "gp_signoff_date")) {
			buf_add(b, " on ");
			buf_add(b, answers_get(a, "gp_signoff_date"));
		}
		buf_add(b, ".");
	} else if (strcmp(status, "declined") == 0) {
		buf_add(b, "GP sign-off: declined. ARTIST WARNING: the GP advised against SMP with "
			   "this treatment; do not start without a new sign-off.");
	} else {
		buf_add(b, discussed && strcmp(discussed, "no") == 0
				   ? "GP sign-off: pending (not yet discussed with the GP). "
				   : "GP sign-off: pending. ");
		buf_add(b, "ARTIST WARNING: do not start the first session until the GP has given "
			   "the go-ahead.");
	}
}

static void add_products(struct buf *b, const struct answers *a)
{
	const char *sep = "";

	if (answers_get(a, "uses_rogaine") && strcmp(answers_get(a, "uses_rogaine"), "yes") == 0) {
		buf_add(b, "Rogaine (minoxidil), ");
		buf_add(b, answers_get(a, "rogaine_form") ? answers_get(a, "rogaine_form") : "form not given");
		if (answers_get(a, "rogaine_since")) {
			buf_add(b, ", since ");
			buf_add(b, answers_get(a, "rogaine_since"));
		}
		sep = "; ";
	}
	if (answers_get(a, "uses_propecia") && strcmp(answers_get(a, "uses_propecia"), "yes") == 0) {
		buf_add(b, sep);
		buf_add(b, "Propecia (finasteride), ");
		buf_add(b, answers_get(a, "propecia_form") ? answers_get(a, "propecia_form") : "form not given");
		sep = "; ";
	}
	if (answers_get(a, "other_topical_products")) {
		buf_add(b, sep);
		buf_add(b, "other topical: ");
		buf_add(b, answers_get(a, "other_topical_products"));
		sep = "; ";
	}
	if (answers_get(a, "other_medical_products")) {
		buf_add(b, sep);
		buf_add(b, "other medical: ");
		buf_add(b, answers_get(a, "other_medical_products"));
	}
}

static void add_pause(struct buf *b, const struct answers *a, const struct settings *s)
{
	const char *planned = answers_get(a, "planned_session_date");
	struct date session;
	char stop[11], resume[11], line[256];

	if (!planned || date_parse(planned, &session) != DATE_OK) {
		buf_add(b, "Once a session date is booked, the artist will give you the dates to "
			   "stop and restart.");
		return;
	}
	date_format(date_add_days(session, -s->pause_days_before), stop);
	date_format(date_add_days(session, s->pause_days_after), resume);
	snprintf(line, sizeof line,
		 "The studio's usual pause for your session on %s: stop topical products on %s "
		 "(%d days before) and start again on %s (%d days after), unless your artist says "
		 "otherwise.",
		 planned, stop, s->pause_days_before, resume, s->pause_days_after);
	buf_add(b, line);
}

/* Expands the {placeholders} of a rule's template. */
static char *compose(const char *tmpl, const struct answers *a, const struct settings *s)
{
	struct buf b = { NULL, 0, 0, false };
	char chunk[512];

	buf_add(&b, "");
	while (*tmpl) {
		const char *open = strchr(tmpl, '{');
		size_t n = open ? (size_t)(open - tmpl) : strlen(tmpl);

		while (n > 0) {
			size_t k = n < sizeof chunk - 1 ? n : sizeof chunk - 1;
			memcpy(chunk, tmpl, k);
			chunk[k] = '\0';
			buf_add(&b, chunk);
			tmpl += k;
			n -= k;
		}
		if (!open)
			break;
		if (strncmp(open, "{signoff}", 9) == 0)
			add_signoff(&b, a);
		else if (strncmp(open, "{products}", 10) == 0)
			add_products(&b, a);
		else if (strncmp(open, "{pause}", 7) == 0)
			add_pause(&b, a, s);
		tmpl = strchr(open, '}') ? strchr(open, '}') + 1 : open + 1;
	}
	if (b.failed) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

int advice_sheet_add(struct advice_sheet *sheet, const char *id, const char *text)
{
	struct advice_item *it;

	if (sheet->count >= ADVICE_MAX)
		return -1;
	it = &sheet->item[sheet->count];
	it->id = strdup(id);
	it->text = strdup(text);
	if (!it->id || !it->text) {
		free(it->id);
		free(it->text);
		it->id = it->text = NULL;
		return -1;
	}
	sheet->count++;
	return 0;
}

void advice_sheet_clear(struct advice_sheet *sheet)
{
	if (!sheet)
		return;
	for (size_t i = 0; i < sheet->count; i++) {
		free(sheet->item[i].id);
		free(sheet->item[i].text);
	}
	sheet->count = 0;
}

int advice_for_answers(const struct answers *a, const struct settings *s, struct advice_sheet *out)
{
	out->count = 0;
	for (size_t i = 0; i < advice_rule_count; i++) {
		const struct advice_rule *r = &advice_rules[i];
		char *text;
		int rc;

		if (!rule_applies(r, a))
			continue;
		if (!(text = compose(r->text, a, s))) {
			advice_sheet_clear(out);
			return -1;
		}
		rc = advice_sheet_add(out, r->id, text);
		free(text);
		if (rc < 0) {
			advice_sheet_clear(out);
			return -1;
		}
	}
	return 0;
}
