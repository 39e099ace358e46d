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
	{ "gp-signoff-obtained", "Your GP's go-ahead",
	  ADVICE_SIGNOFF_OBTAINED,
	  "Your GP{gp_name} gave the go-ahead{gp_date} for SMP alongside {treatments}, so your "
	  "sessions can go ahead.",
	  "If You're Taking Medical Hair Growth Treatments: always discuss the combination with "
	  "your GP; go ahead once they have green-lit it. Who and when is the program's record "
	  "of that go-ahead." },
	{ "treatments-compatible", "Carrying on alongside SMP",
	  ADVICE_SIGNOFF_OBTAINED,
	  "You can keep using {treatments} alongside SMP. The two work at different depths of the "
	  "skin, and SMP can hide thin areas while you wait for regrowth.",
	  "Hair Follicles and Pigmentation: hair growth treatments and SMP can be used together; "
	  "SMP can disguise thinning while hoping for regrowth from creams and medical products. "
	  "If You're Taking Medical Hair Growth Treatments: you can continue Propecia and Rogaine, "
	  "once the GP has green-lit the combination." },
	{ "gp-signoff", "Ask your GP first",
	  ADVICE_SIGNOFF_PENDING,
	  "Talk to your GP about SMP alongside {treatments}, and get their go-ahead first. "
	  "{gp_waiting} There will be no SMP session until your GP has said yes; once they have, "
	  "you can keep using {it} alongside SMP.",
	  "If You're Taking Medical Hair Growth Treatments: always discuss the combination with "
	  "your GP; go ahead once they have green-lit it (and so not before)." },
	{ "gp-declined", "Your GP advised against it",
	  ADVICE_SIGNOFF_DECLINED,
	  "Your GP advised against combining SMP with {treatments}. So there will be no SMP "
	  "session while you use {it}, unless your GP gives a new go-ahead. If you would still "
	  "like SMP, talk to your GP again and tell the studio what they say.",
	  "If You're Taking Medical Hair Growth Treatments: the combination is for the GP to "
	  "green-light; without that go-ahead there is no session. What a refusal means is the "
	  "program's reading of that fact." },
	{ "tell-artist", "Tell your artist",
	  ADVICE_ANY_TREATMENT,
	  "Tell your SMP artist about every hair-growth product you use, including any you start "
	  "later, and about any change to your medicines before each session. What you told us "
	  "today: {products}.",
	  "If You're Taking Medical Hair Growth Treatments: it is very important to notify your "
	  "SMP artist of any hair growth treatment." },
	{ "pause-topicals", "Pausing topical products while you heal",
	  ADVICE_TOPICAL_NOT_DECLINED,
	  "While the treated scalp heals you may need to stop putting {topicals} on it for "
	  "a while. Your artist decides when to stop and when to start again. {pause}",
	  "If You're Taking Medical Hair Growth Treatments: during healing you may need to stop "
	  "topical treatments; the artist will discuss it. The pause window is studio policy. "
	  "Not given when the GP declined: no session is planned then." },
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
	const char *status = answers_signoff_status(a);

	switch (r->trigger) {
	case ADVICE_ALWAYS:
		return true;
	case ADVICE_ANY_TREATMENT:
		return answers_any_treatment(a);
	case ADVICE_ANY_TOPICAL:
		return answers_any_topical(a);
	case ADVICE_TOPICAL_NOT_DECLINED:
		return answers_any_topical(a) && strcmp(status, "declined") != 0;
	case ADVICE_SIGNOFF_OBTAINED:
		return answers_any_treatment(a) && strcmp(status, "obtained") == 0;
	case ADVICE_SIGNOFF_PENDING:
		return answers_any_treatment(a) && strcmp(status, "pending") == 0;
	case ADVICE_SIGNOFF_DECLINED:
		return answers_any_treatment(a) && strcmp(status, "declined") == 0;
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

static bool is_yes(const struct answers *a, const char *id)
{
	const char *v = answers_get(a, id);
	return v && strcmp(v, "yes") == 0;
}

/* Adds text as the client typed it, on one line: runs of blanks and line
 * breaks become one space, and a closing full stop is dropped (the
 * sentence around it has its own).  Made safe when printed, as all stored
 * text is. */
static void buf_add_typed(struct buf *b, const char *text)
{
	size_t n = strlen(text);
	bool space = false, started = false;
	char one[2] = { 0, 0 };

	while (n > 0 && strchr(" \t\r\n.", text[n - 1]))
		n--;
	for (size_t i = 0; i < n; i++) {
		if (strchr(" \t\r\n", text[i])) {
			space = started;
			continue;
		}
		if (space)
			buf_add(b, " ");
		space = false;
		started = true;
		one[0] = text[i];
		buf_add(b, one);
	}
}

/* Typed text that names several products ("Nizoral, biotin"). */
static bool names_several(const char *text)
{
	return strpbrk(text, ",;+&\n") || strstr(text, " and ");
}

/* The treatments the client uses, as the sheet names them: all of them, or
 * only those put on the scalp.  Each name is a fixed phrase or, for the
 * other products, the text as typed; returns how many there are (at most
 * 4) and whether any typed entry names several. */
struct named {
	const char *fixed[4];
	const char *typed[4];
	size_t n;
	bool several;
};

/* What the sheet calls minoxidil and finasteride in the form recorded. */
static const char *minoxidil_name(const char *form)
{
	return !form			    ? "minoxidil"
	       : strcmp(form, "foam") == 0     ? "minoxidil (foam)"
	       : strcmp(form, "solution") == 0 ? "minoxidil (solution)"
	       : strcmp(form, "oral") == 0     ? "minoxidil (tablets)"
					       : "minoxidil";
}

static const char *finasteride_name(const char *form)
{
	return !form			   ? "finasteride"
	       : strcmp(form, "tablet") == 0  ? "finasteride (tablets)"
	       : strcmp(form, "topical") == 0 ? "finasteride (spray or lotion)"
					      : "finasteride";
}

static void name_treatments(const struct answers *a, bool topical_only, struct named *out)
{
	const char *rf = answers_get(a, "rogaine_form"), *pf = answers_get(a, "propecia_form");
	const char *text;

	memset(out, 0, sizeof *out);
	if (is_yes(a, "uses_rogaine") && (!topical_only || (rf && strcmp(rf, "oral") != 0)))
		out->fixed[out->n++] = minoxidil_name(rf);
	if (is_yes(a, "uses_propecia") && (!topical_only || (pf && strcmp(pf, "topical") == 0)))
		out->fixed[out->n++] = finasteride_name(pf);
	if (is_yes(a, "uses_other_topical")) {
		text = answers_get(a, "other_topical_products");
		if (text && *text) {
			out->typed[out->n++] = text;
			out->several = out->several || names_several(text);
		} else {
			out->fixed[out->n++] = "your other scalp product";
		}
	}
	if (is_yes(a, "uses_other_medical") && !topical_only) {
		text = answers_get(a, "other_medical_products");
		if (text && *text) {
			out->typed[out->n++] = text;
			out->several = out->several || names_several(text);
		} else {
			out->fixed[out->n++] = "your other hair-growth medicine";
		}
	}
}

/* "A", "A and B", "A, B and C". */
static void add_names(struct buf *b, const struct named *nm, const char *none)
{
	if (nm->n == 0)
		buf_add(b, none);
	for (size_t i = 0; i < nm->n; i++) {
		if (i > 0)
			buf_add(b, i + 1 == nm->n ? " and " : ", ");
		if (nm->fixed[i])
			buf_add(b, nm->fixed[i]);
		else
			buf_add_typed(b, nm->typed[i]);
	}
}

static void add_treatments(struct buf *b, const struct answers *a, bool topical_only)
{
	struct named nm;

	name_treatments(a, topical_only, &nm);
	add_names(b, &nm, topical_only ? "topical products" : "your hair-growth treatment");
}

/* "it" for one treatment, "them" for more. */
static void add_it(struct buf *b, const struct answers *a)
{
	struct named nm;

	name_treatments(a, false, &nm);
	buf_add(b, nm.n > 1 || nm.several ? "them" : "it");
}

/* Where the client stands with the GP while the sign-off is pending. */
static void add_gp_waiting(struct buf *b, const struct answers *a)
{
	const char *discussed = answers_get(a, "gp_discussed");

	buf_add(b, discussed && strcmp(discussed, "no") == 0
			   ? "You have not talked to your GP about this yet."
			   : "We are waiting for your GP's answer.");
}

/* The products as the client gave them, for the artist to check. */
static void add_products(struct buf *b, const struct answers *a)
{
	const char *sep = "";
	const char *since = answers_get(a, "rogaine_since");

	if (is_yes(a, "uses_rogaine")) {
		buf_add(b, minoxidil_name(answers_get(a, "rogaine_form")));
		if (since) {
			buf_add(b, " since ");
			buf_add(b, since);
		}
		sep = "; ";
	}
	if (is_yes(a, "uses_propecia")) {
		buf_add(b, sep);
		buf_add(b, finasteride_name(answers_get(a, "propecia_form")));
		sep = "; ";
	}
	if (is_yes(a, "uses_other_topical")) {
		buf_add(b, sep);
		buf_add(b, "other scalp products: ");
		buf_add_typed(b, answers_get(a, "other_topical_products")
					 ? answers_get(a, "other_topical_products")
					 : "not named");
		sep = "; ";
	}
	if (is_yes(a, "uses_other_medical")) {
		buf_add(b, sep);
		buf_add(b, "other hair-growth medicine: ");
		buf_add_typed(b, answers_get(a, "other_medical_products")
					 ? answers_get(a, "other_medical_products")
					 : "not named");
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
		if (strncmp(open, "{treatments}", 12) == 0)
			add_treatments(&b, a, false);
		else if (strncmp(open, "{topicals}", 10) == 0)
			add_treatments(&b, a, true);
		else if (strncmp(open, "{it}", 4) == 0)
			add_it(&b, a);
		else if (strncmp(open, "{gp_waiting}", 12) == 0)
			add_gp_waiting(&b, a);
		else if (strncmp(open, "{gp_name}", 9) == 0 && answers_get(a, "gp_name")) {
			buf_add(&b, ", ");
			buf_add_typed(&b, answers_get(a, "gp_name"));
			buf_add(&b, ",");
		} else if (strncmp(open, "{gp_date}", 9) == 0 && answers_get(a, "gp_signoff_date")) {
			buf_add(&b, " on ");
			buf_add(&b, answers_get(a, "gp_signoff_date"));
		} else if (strncmp(open, "{products}", 10) == 0)
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

/* The rules of the advice versions before ADVICE_VERSION, whose words this
 * release no longer holds: which rule was given when, in the order printed.
 * 2026.1 and 2026.2 had the same six rules; gp-signoff was given with any
 * treatment, whatever the GP had said. */
static const struct {
	const char *id;
	enum advice_trigger trigger;
} earlier_rules[] = {
	{ "smp-cosmetic-only", ADVICE_ALWAYS },	      { "treatments-compatible", ADVICE_ANY_TREATMENT },
	{ "gp-signoff", ADVICE_ANY_TREATMENT },	      { "tell-artist", ADVICE_ANY_TREATMENT },
	{ "pause-topicals", ADVICE_ANY_TOPICAL },     { "root-cause", ADVICE_ROOT_CAUSE },
};
static const char *const earlier_versions[] = { "2026.1", "2026.2", NULL };

int advice_for_version(const char *version, const struct answers *a, const struct settings *s,
		       struct advice_sheet *out)
{
	bool earlier = false;

	out->count = 0;
	if (strcmp(version, ADVICE_VERSION) == 0)
		return advice_for_answers(a, s, out) < 0 ? -1 : 1;
	for (size_t i = 0; earlier_versions[i]; i++)
		earlier |= strcmp(version, earlier_versions[i]) == 0;
	if (!earlier)
		return -2;
	for (size_t i = 0; i < sizeof earlier_rules / sizeof earlier_rules[0]; i++) {
		struct advice_rule r = { earlier_rules[i].id, NULL, earlier_rules[i].trigger, NULL,
					 NULL };
		if (rule_applies(&r, a) && advice_sheet_add(out, r.id, "") < 0) {
			advice_sheet_clear(out);
			return -1;
		}
	}
	return 0;
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
