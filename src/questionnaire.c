/* questionnaire.c - the consultation questions as a table of data, and the
 * validation every answer goes through before it can be stored. */
#include "questionnaire.h"

#include <ctype.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fold.h"
#include "text.h"

#define NAME_MAX_CP 100
#define FREE_TEXT_MAX_CP 4000
#define HAIRLINE_MAX_CP 200

#define YES(q) { .kind = WHEN_EQUALS, .qid = q, .value = "yes" }

/* Adding a question is one row here (and a line in docs/questions.md).
 * Fields left out are zero: optional, always asked, no choices, no
 * default, any date, stored on the intake, no length limit, one choice. */
const struct question questionnaire[] = {
	{
		.id = "consent_storage",
		.prompt = "Does the client agree that these details are stored by the studio?",
		.label = "Consent to storage",
		.type = Q_YESNO,
		.required = true,
		.help = "The answers are kept in this studio's database only. Answer no to "
			"stop now: nothing is stored.",
	},
	{
		.id = "first_name",
		.prompt = "First name",
		.label = "First name",
		.type = Q_TEXT,
		.required = true,
		.help = "The client's given name, in any script, up to 100 characters.",
		.client_field = true,
		.max_len = NAME_MAX_CP,
	},
	{
		.id = "last_name",
		.prompt = "Last name",
		.label = "Last name",
		.type = Q_TEXT,
		.required = true,
		.help = "The client's family name, in any script, up to 100 characters.",
		.client_field = true,
		.max_len = NAME_MAX_CP,
	},
	{
		.id = "date_of_birth",
		.prompt = "Date of birth (YYYY-MM-DD)",
		.label = "Date of birth",
		.type = Q_DATE,
		.required = true,
		.help = "For example 1985-07-23. SMP is only offered to adults.",
		.date_rule = DATE_BIRTH,
		.client_field = true,
	},
	{
		.id = "phone",
		.prompt = "Phone (optional)",
		.label = "Phone",
		.type = Q_PHONE,
		.help = "Digits with an optional leading +, spaces, dashes, dots or brackets; "
			"7 to 15 digits. Enter to skip.",
		.client_field = true,
	},
	{
		.id = "email",
		.prompt = "Email (optional)",
		.label = "Email",
		.type = Q_EMAIL,
		.help = "An address such as name@example.com. Enter to skip.",
		.client_field = true,
	},
	{
		.id = "hair_loss_notes",
		.prompt = "Hair loss: pattern, areas, for how long (optional)",
		.label = "Hair loss notes",
		.type = Q_NOTES,
		.help = "Free text, kept as typed. End a line with \\ to go on to the next "
			"line. Enter to skip.",
		.max_len = FREE_TEXT_MAX_CP,
	},
	/* The assessment (2026.4): what the studio sees and is asked to do,
	 * and the photo consents, kept apart from consent_storage (the
	 * treatment record) and each withdrawable later (`consent`). */
	{
		.id = "hair_loss_scale",
		.prompt = "Hair-loss scale (Norwood 1-7, Ludwig I-III)",
		.label = "Hair-loss scale",
		.type = Q_CHOICE,
		.required = true,
		.choices = { "norwood_1", "norwood_2", "norwood_3", "norwood_4", "norwood_5",
			     "norwood_6", "norwood_7", "ludwig_1", "ludwig_2", "ludwig_3", "other",
			     "not_applicable", NULL },
		.help = "The stage the artist sees: norwood_1 to norwood_7 (the Norwood scale, "
			"receding hairline and crown), ludwig_1 to ludwig_3 (the Ludwig scale, "
			"thinning over the top), other (another pattern: scars, patches), or "
			"not_applicable.",
	},
	{
		.id = "treatment_type",
		.prompt = "Treatment",
		.label = "Treatment",
		.type = Q_CHOICE,
		.required = true,
		.choices = { "full_head", "density", "scar_camouflage", "alopecia_areata", "other",
			     NULL },
		.help = "full_head: a full head or a new hairline; density: thickening thinning "
			"hair; scar_camouflage: hiding scars (a transplant's, an injury's); "
			"alopecia_areata: patches; other.",
	},
	{
		.id = "hairline_style",
		.prompt = "Hairline style (optional)",
		.label = "Hairline style",
		.type = Q_TEXT,
		.help = "The hairline agreed with the client, in a few words (for example soft, "
			"natural, slightly receded). Enter to skip.",
		.max_len = HAIRLINE_MAX_CP,
	},
	{
		.id = "consent_photos",
		.prompt = "May the studio keep photos of the client's scalp in their record?",
		.label = "Consent to photos",
		.type = Q_YESNO,
		.required = true,
		.help = "Before and after photos, kept in this studio's database with the "
			"client's record only. Separate from the consent to storage; the client "
			"may withdraw it at any time (smp-intake consent). Answer yes or no.",
	},
	{
		.id = "consent_marketing",
		.prompt = "May the studio use those photos for its marketing?",
		.label = "Consent to marketing use",
		.type = Q_YESNO,
		.required = true,
		.when = YES("consent_photos"),
		.help = "The studio's website, social media or portfolio. Separate from keeping "
			"the photos; the client may withdraw it at any time. Answer yes or no.",
	},
	{
		.id = "uses_rogaine",
		.prompt = "Uses minoxidil (Rogaine, Regaine), in any form?",
		.label = "Minoxidil (Rogaine/Regaine)",
		.type = Q_YESNO,
		.required = true,
		.def = "no",
		.help = "Minoxidil, sold as Rogaine or Regaine: a foam or solution on the "
			"scalp, or tablets (oral minoxidil). Any form counts.",
	},
	{
		.id = "rogaine_form",
		.prompt = "Minoxidil form",
		.label = "Minoxidil form",
		.type = Q_CHOICE,
		.required = true,
		.when = YES("uses_rogaine"),
		.choices = { "foam", "solution", "oral", "other", NULL },
		.def = "foam",
		.help = "How the minoxidil is taken: foam, solution, oral (tablets) or other.",
	},
	{
		.id = "rogaine_since",
		.prompt = "Using minoxidil since (YYYY-MM or YYYY-MM-DD, optional)",
		.label = "Minoxidil since",
		.type = Q_DATE,
		.when = YES("uses_rogaine"),
		.help = "Roughly when the client started: a month (2024-01) is enough; Enter "
			"to skip.",
		.date_rule = DATE_NOT_FUTURE,
	},
	{
		.id = "uses_propecia",
		.prompt = "Uses finasteride (Propecia), in any form?",
		.label = "Finasteride (Propecia)",
		.type = Q_YESNO,
		.required = true,
		.def = "no",
		.help = "Finasteride, sold as Propecia: usually a daily tablet, sometimes a "
			"spray or lotion on the scalp. Any form counts.",
	},
	{
		.id = "propecia_form",
		.prompt = "Finasteride form",
		.label = "Finasteride form",
		.type = Q_CHOICE,
		.required = true,
		.when = YES("uses_propecia"),
		.choices = { "tablet", "topical", NULL },
		.def = "tablet",
		.help = "Tablet (by mouth) or topical (a finasteride spray or lotion on the "
			"scalp).",
	},
	{
		.id = "uses_other_topical",
		.prompt = "Uses any other cream, foam or lotion on the scalp?",
		.label = "Other topical products",
		.type = Q_YESNO,
		.required = true,
		.def = "no",
		.help = "Any other product put on the scalp for hair growth or scalp care.",
	},
	{
		.id = "other_topical_products",
		.prompt = "Which topical products?",
		.label = "Topical products",
		.type = Q_NOTES,
		.required = true,
		.when = YES("uses_other_topical"),
		.help = "Product names, and since when if known; kept as typed.",
		.max_len = FREE_TEXT_MAX_CP,
	},
	{
		.id = "uses_other_medical",
		.prompt = "Uses any other medical hair-growth treatment?",
		.label = "Other hair-growth medicine",
		.type = Q_YESNO,
		.required = true,
		.def = "no",
		.help = "Prescribed or medical products for hair growth not named above.",
	},
	{
		.id = "other_medical_products",
		.prompt = "Which medical products?",
		.label = "Medical products",
		.type = Q_NOTES,
		.required = true,
		.when = YES("uses_other_medical"),
		.help = "Product names, form and since when if known; kept as typed.",
		.max_len = FREE_TEXT_MAX_CP,
	},
	{
		.id = "gp_discussed",
		.prompt = "Has the client discussed SMP with these treatments with their GP?",
		.label = "Discussed with GP",
		.type = Q_YESNO,
		.required = true,
		.when = { .kind = WHEN_ANY_TREATMENT },
		.help = "The GP should agree to SMP alongside hair-growth treatment before the "
			"first session.",
	},
	{
		.id = "gp_signoff",
		.prompt = "GP sign-off",
		.label = "GP sign-off",
		.type = Q_CHOICE,
		.required = true,
		.when = YES("gp_discussed"),
		.choices = { "obtained", "pending", "declined", NULL },
		.help = "obtained: the GP agreed; pending: waiting for the GP; declined: the "
			"GP advised against.",
	},
	{
		.id = "gp_name",
		.prompt = "GP's name",
		.label = "GP",
		.type = Q_TEXT,
		.required = true,
		.when = { .kind = WHEN_EQUALS, .qid = "gp_signoff", .value = "obtained" },
		.help = "The name of the doctor who gave the sign-off.",
		.max_len = NAME_MAX_CP,
	},
	{
		.id = "gp_signoff_date",
		.prompt = "Date of the GP's sign-off (YYYY-MM-DD)",
		.label = "Sign-off date",
		.type = Q_DATE,
		.required = true,
		.when = { .kind = WHEN_EQUALS, .qid = "gp_signoff", .value = "obtained" },
		.help = "The date on the GP's letter or note; not in the future.",
		.date_rule = DATE_NOT_FUTURE,
	},
	/* Health screening (2026.2): reasons to wait or to ask a doctor first.
	 * No defaults: Enter must not answer a screening question. */
	{
		.id = "scalp_conditions",
		.prompt = "Scalp conditions now (several separated by commas)",
		.label = "Scalp conditions",
		.type = Q_CHOICE,
		.required = true,
		.choices = { "none", "psoriasis", "eczema", "folliculitis", "infection", "sunburn", "other", NULL },
		.help = "What the scalp has today. eczema: eczema or dermatitis; infection: an "
			"active infection or open wounds. Give several separated by commas, or "
			"none.",
		.several = true,
	},
	{
		.id = "scalp_conditions_detail",
		.prompt = "Which other scalp condition?",
		.label = "Other scalp condition",
		.type = Q_NOTES,
		.required = true,
		.when = { .kind = WHEN_INCLUDES, .qid = "scalp_conditions", .value = "other" },
		.help = "In the client's words; kept as typed.",
		.max_len = FREE_TEXT_MAX_CP,
	},
	{
		.id = "keloid_history",
		.prompt = "Raised (keloid) scars after cuts, piercings or tattoos?",
		.label = "Keloid scars",
		.type = Q_YESNO,
		.required = true,
		.help = "Scars that grew thick and raised beyond the wound. Answer yes or no.",
	},
	{
		.id = "blood_thinners",
		.prompt = "Takes blood thinners (for example warfarin, or aspirin every day)?",
		.label = "Blood thinners",
		.type = Q_YESNO,
		.required = true,
		.help = "Medicines that slow blood clotting, prescribed or bought. Answer yes "
			"or no.",
	},
	{
		.id = "blood_thinners_detail",
		.prompt = "Which blood thinner, and how often?",
		.label = "Blood thinner",
		.type = Q_NOTES,
		.required = true,
		.when = YES("blood_thinners"),
		.help = "Name and dose if known; kept as typed.",
		.max_len = FREE_TEXT_MAX_CP,
	},
	{
		.id = "allergies",
		.prompt = "Any allergies?",
		.label = "Allergies",
		.type = Q_YESNO,
		.required = true,
		.help = "Any allergy at all; pigments, latex and numbing (anaesthetic) creams "
			"matter most here.",
	},
	{
		.id = "allergies_detail",
		.prompt = "Allergic to what (pigments, latex, anaesthetic creams, other)?",
		.label = "Allergic to",
		.type = Q_NOTES,
		.required = true,
		.when = YES("allergies"),
		.help = "Everything the client is allergic to, and how they react if known; "
			"kept as typed.",
		.max_len = FREE_TEXT_MAX_CP,
	},
	{
		.id = "pregnant_or_breastfeeding",
		.prompt = "Pregnant or breastfeeding?",
		.label = "Pregnant or breastfeeding",
		.type = Q_CHOICE,
		.required = true,
		.choices = { "yes", "no", "not_applicable", NULL },
		.help = "yes, no, or not_applicable (the question does not apply to the "
			"client).",
	},
	{
		.id = "other_medication",
		.prompt = "Other medication (optional)",
		.label = "Other medication",
		.type = Q_NOTES,
		.help = "Any other medicine taken regularly; Enter to skip.",
		.max_len = FREE_TEXT_MAX_CP,
	},
	{
		.id = "wants_root_cause_help",
		.prompt = "Would the client like help with the cause of the hair loss?",
		.label = "Wants help with the cause",
		.type = Q_YESNO,
		.required = true,
		.def = "no",
		.help = "SMP only changes how the scalp looks; yes adds advice on seeing a GP "
			"or trichologist.",
	},
	{
		.id = "planned_session_date",
		.prompt = "Planned first session (YYYY-MM-DD, optional)",
		.label = "Planned session",
		.type = Q_DATE,
		.help = "Today or later, within two years. Used to work out when to pause "
			"topical products.",
		.date_rule = DATE_NOT_PAST,
	},
};
const size_t questionnaire_count = sizeof questionnaire / sizeof questionnaire[0];

const char *const questionnaire_treatments[] = { "uses_rogaine", "uses_propecia",
						 "uses_other_topical", "uses_other_medical", NULL };

_Static_assert(sizeof questionnaire / sizeof questionnaire[0] <= QUESTIONS_MAX,
	       "struct answers holds QUESTIONS_MAX values");

/* Oldest first.  A new version is added here when a question is added,
 * removed, reworded or changes meaning, or an advice text changes
 * (advice.h's ADVICE_VERSION follows the same list). */
const char *const questionnaire_versions[] = { "2026.1", "2026.2", "2026.3", "2026.4", NULL };

/* Labels a later version replaced: what question `id` was called up to
 * and including version `until`.  Questions added later need no row:
 * an older intake has no answer to them. */
static const struct old_label {
	const char *id, *until, *label;
} old_labels[] = {
	/* 2026.2 added "Other medication"; the old label read alike. */
	{ "uses_other_medical", "2026.1", "Other medical treatment" },
	/* 2026.3 asks by the drug's name (oral minoxidil went under "other
	 * medical" when the question said Rogaine). */
	{ "uses_rogaine", "2026.2", "Rogaine (minoxidil)" },
	{ "rogaine_form", "2026.2", "Rogaine form" },
	{ "rogaine_since", "2026.2", "Rogaine since" },
	{ "uses_propecia", "2026.2", "Propecia (finasteride)" },
	{ "propecia_form", "2026.2", "Propecia form" },
};

/* Questions added after the first version, with the version that added
 * them. */
static const struct added {
	const char *id, *since;
} added[] = {
	{ "scalp_conditions", "2026.2" }, { "scalp_conditions_detail", "2026.2" },
	{ "keloid_history", "2026.2" },   { "blood_thinners", "2026.2" },
	{ "blood_thinners_detail", "2026.2" }, { "allergies", "2026.2" },
	{ "allergies_detail", "2026.2" }, { "pregnant_or_breastfeeding", "2026.2" },
	{ "other_medication", "2026.2" },
	{ "hair_loss_scale", "2026.4" },  { "treatment_type", "2026.4" },
	{ "hairline_style", "2026.4" },   { "consent_photos", "2026.4" },
	{ "consent_marketing", "2026.4" },
};

/* Position of version in questionnaire_versions[], or -1. */
static int version_rank(const char *version)
{
	for (int i = 0; version && questionnaire_versions[i]; i++)
		if (strcmp(questionnaire_versions[i], version) == 0)
			return i;
	return -1;
}

bool questionnaire_version_known(const char *version)
{
	return version_rank(version) >= 0;
}

bool question_asked_in(const struct question *q, const char *version)
{
	int rank = version_rank(version);

	for (size_t i = 0; i < sizeof added / sizeof added[0]; i++)
		if (strcmp(added[i].id, q->id) == 0)
			return rank < 0 || rank >= version_rank(added[i].since);
	return true;
}

const char *question_label_at(const struct question *q, const char *version)
{
	int rank = version_rank(version), best = -1;
	const char *label = q->label;

	if (rank < 0)
		return q->label;
	for (size_t i = 0; i < sizeof old_labels / sizeof old_labels[0]; i++) {
		int until = version_rank(old_labels[i].until);
		if (strcmp(old_labels[i].id, q->id) == 0 && until >= rank &&
		    (best < 0 || until < best)) {
			best = until;
			label = old_labels[i].label;
		}
	}
	return label;
}

/* Question ids by hash (FNV-1a, open addressing): an export looks an id up
 * for every stored answer and an import for every answer of every record,
 * so a linear scan of strcmp() showed in the profile (docs/performance.md).  Slots hold index + 1; 0 is empty. */
#define ID_SLOTS 128
_Static_assert(ID_SLOTS >= 2 * QUESTIONS_MAX, "room for every question");

static uint32_t id_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

int questionnaire_index(const char *id)
{
	static unsigned char slot[ID_SLOTS];
	static bool ready;

	if (!ready) {
		for (size_t i = 0; i < questionnaire_count; i++) {
			uint32_t h = id_hash(questionnaire[i].id) % ID_SLOTS;
			while (slot[h])
				h = (h + 1) % ID_SLOTS;
			slot[h] = (unsigned char)(i + 1);
		}
		ready = true;
	}
	for (uint32_t h = id_hash(id) % ID_SLOTS; slot[h]; h = (h + 1) % ID_SLOTS)
		if (strcmp(questionnaire[slot[h] - 1].id, id) == 0)
			return slot[h] - 1;
	return -1;
}

void answers_clear(struct answers *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < questionnaire_count; i++) {
		free(a->value[i]);
		a->value[i] = NULL;
	}
}

int answers_copy(struct answers *dst, const struct answers *src)
{
	memset(dst, 0, sizeof *dst);
	for (size_t i = 0; i < questionnaire_count; i++) {
		if (src->value[i] && !(dst->value[i] = strdup(src->value[i]))) {
			answers_clear(dst);
			return -1;
		}
	}
	return 0;
}

const char *answers_get(const struct answers *a, const char *id)
{
	int i = questionnaire_index(id);
	return i < 0 ? NULL : a->value[i];
}

int answers_set(struct answers *a, const char *id, const char *value)
{
	int i = questionnaire_index(id);
	char *copy = NULL;

	if (i < 0)
		return -1;
	if (value && !(copy = strdup(value)))
		return -1;
	free(a->value[i]);
	a->value[i] = copy;
	return 0;
}

static bool is_yes(const struct answers *a, const char *id)
{
	const char *v = answers_get(a, id);
	return v && strcmp(v, "yes") == 0;
}

bool answers_any_treatment(const struct answers *a)
{
	for (size_t i = 0; questionnaire_treatments[i]; i++)
		if (is_yes(a, questionnaire_treatments[i]))
			return true;
	return false;
}

/* Oral minoxidil and finasteride tablets are not put on the scalp; every
 * other form is, and "other" is treated as topical so the artist is asked. */
bool answers_any_topical(const struct answers *a)
{
	const char *rf = answers_get(a, "rogaine_form");
	const char *pf = answers_get(a, "propecia_form");

	return (is_yes(a, "uses_rogaine") && rf && strcmp(rf, "oral") != 0) ||
	       (is_yes(a, "uses_propecia") && pf && strcmp(pf, "topical") == 0) ||
	       is_yes(a, "uses_other_topical");
}

const char *answers_signoff_status(const struct answers *a)
{
	const char *s = answers_get(a, "gp_signoff");

	if (!answers_any_treatment(a))
		return "not_required";
	return s ? s : "pending";
}

bool answers_ready(const struct answers *a)
{
	const char *s = answers_signoff_status(a);
	return strcmp(s, "not_required") == 0 || strcmp(s, "obtained") == 0;
}

bool question_applies(const struct question *q, const struct answers *a)
{
	const char *v;

	switch (q->when.kind) {
	case WHEN_ALWAYS:
		return true;
	case WHEN_EQUALS:
		v = answers_get(a, q->when.qid);
		return v && strcmp(v, q->when.value) == 0 &&
		       question_applies(&questionnaire[questionnaire_index(q->when.qid)], a);
	case WHEN_ANY_TREATMENT:
		return answers_any_treatment(a);
	case WHEN_INCLUDES:
		return answers_includes(answers_get(a, q->when.qid), q->when.value) &&
		       question_applies(&questionnaire[questionnaire_index(q->when.qid)], a);
	}
	return false;
}

bool answers_includes(const char *value, const char *choice)
{
	size_t n = strlen(choice);

	for (const char *p = value; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, choice, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

size_t answers_split(const struct question *q, const char *v, const char **picked)
{
	size_t n = 0, len = 0;

	for (size_t c = 0; q->choices[c]; c++) {
		if (answers_includes(v, q->choices[c])) {
			picked[n++] = q->choices[c];
			len += strlen(q->choices[c]) + 1;
		}
	}
	return n && len - 1 == strlen(v) ? n : 0;
}

void answers_prune(struct answers *a)
{
	for (size_t i = 0; i < questionnaire_count; i++) {
		if (a->value[i] && !question_applies(&questionnaire[i], a)) {
			free(a->value[i]);
			a->value[i] = NULL;
		}
	}
}

/* ---- the checks, one per type ---- */

enum date_typing rules_dates_typed(enum date_form form)
{
	switch (form) {
	case DATE_FORM_DMY:
		return DATES_TYPED_DMY;
	case DATE_FORM_MDY:
		return DATES_TYPED_MDY;
	case DATE_FORM_ISO:
		break;
	}
	return DATES_TYPED_ISO;
}

/* "Using since" may be a month alone (YYYY-MM): few clients know the day. */
static bool takes_month(const struct question *q)
{
	return strcmp(q->id, "rogaine_since") == 0;
}

/* Reads date answer s by the rules into *d; the normal form (YYYY-MM-DD,
 * or YYYY-MM for a month) goes into norm (11 bytes). */
static int read_date(const struct question *q, const char *s, const struct rules *r,
		     struct date *d, enum date_kind *kind, char norm[11], char *why, size_t n)
{
	enum date_form form = r->dates == DATES_TYPED_DMY   ? DATE_FORM_DMY
			      : r->dates == DATES_TYPED_MDY ? DATE_FORM_MDY
							    : DATE_FORM_ISO;
	static const char *const hint[] = {
		[DATE_FORM_ISO] = "YYYY-MM-DD, for example 1985-07-23",
		[DATE_FORM_DMY] = "YYYY-MM-DD, for example 1985-07-23, or DD/MM/YYYY",
		[DATE_FORM_MDY] = "YYYY-MM-DD, for example 1985-07-23, or MM/DD/YYYY",
	};
	int rc;

	if (r->dates == DATES_STORED) {
		*kind = DATE_KIND_DAY;
		rc = date_parse(s, d);
		if (rc == DATE_BAD_FORMAT && takes_month(q) && strlen(s) == 7)
			rc = date_read(s, DATE_FORM_ISO, true, r->today, d, kind);
	} else {
		rc = date_read(s, form, takes_month(q), r->today, d, kind);
	}
	switch (rc) {
	case DATE_OK:
		break;
	case DATE_BAD_FORMAT:
		snprintf(why, n, "write the date as %s%s", hint[form],
			 takes_month(q) ? " (or a month, YYYY-MM)" : "");
		return -1;
	case DATE_NOT_REAL:
		snprintf(why, n, "that date does not exist in the calendar");
		return -1;
	case DATE_OUT_OF_RANGE:
		snprintf(why, n, "the year must be between 1900 and 9999");
		return -1;
	case DATE_SHORT_YEAR:
		snprintf(why, n, "write the year with all four digits (%s)", hint[form]);
		return -1;
	case DATE_AMBIGUOUS:
		snprintf(why, n,
			 "write the date as YYYY-MM-DD, for example 1985-07-23 (a studio that "
			 "writes the day or the month first can set smp-intake config set "
			 "date_input dmy or mdy)");
		return -1;
	}
	if (*kind == DATE_KIND_MONTH)
		snprintf(norm, 11, "%04d-%02d", d->year % 10000, d->month % 100);
	else
		date_format(*d, norm);
	return 0;
}

/* DATE_BIRTH: not in the future, and the client between the minimum age
 * and 120.  Returns 0, or -1 with a reason in why. */
static int check_birth(struct date d, enum date_kind kind, const struct rules *r, char *why,
		       size_t n)
{
	if (kind == DATE_KIND_RELATIVE && date_cmp(d, r->today) > 0) {
		snprintf(why, n, "+N counts ahead from today, and a date of birth cannot be "
				 "in the future");
		return -1;
	}
	if (date_cmp(d, r->today) > 0) {
		snprintf(why, n, "a date of birth cannot be in the future");
		return -1;
	}
	if (date_age(d, r->today) < r->minimum_age) {
		snprintf(why, n,
			 "the client is under %d: SMP is not offered to minors "
			 "(tattooing minors is illegal in the UK and most US states)",
			 r->minimum_age);
		return -1;
	}
	if (date_age(d, r->today) > 120) {
		snprintf(why, n, "that would make the client older than 120; check the year");
		return -1;
	}
	return 0;
}

/* DATE_NOT_FUTURE: not after today (a month: not after this month), and
 * not before the client's date of birth when it is known.  Returns 0, or
 * -1 with a reason in why. */
static int check_not_future(struct date d, enum date_kind kind, struct date today,
			    const struct answers *so_far, char *why, size_t n)
{
	char dob_text[11];

	if (date_cmp(d, today) > 0) {
		snprintf(why, n, kind == DATE_KIND_RELATIVE
					 ? "+N counts ahead from today, and this date cannot "
					   "be in the future"
					 : "this date cannot be in the future");
		return -1;
	}
	if (so_far && answers_get(so_far, "date_of_birth")) {
		struct date dob;
		snprintf(dob_text, sizeof dob_text, "%s", answers_get(so_far, "date_of_birth"));
		if (date_parse(dob_text, &dob) == DATE_OK) {
			if (kind == DATE_KIND_MONTH)
				dob.day = 1;
			if (date_cmp(d, dob) < 0) {
				snprintf(why, n, "this date is before the client's date of birth");
				return -1;
			}
		}
	}
	return 0;
}

/* DATE_NOT_PAST: from today to two years on, same month and day (28
 * February for 29 February).  Returns 0, or -1 with a reason in why. */
static int check_not_past(struct date d, const struct rules *r, char *why, size_t n)
{
	struct date limit = r->today;

	limit.year += 2;
	if (limit.month == 2 && limit.day == 29)
		limit.day = 28;
	if (date_cmp(d, r->today) < 0) {
		snprintf(why, n, "this date is in the past");
		return -1;
	}
	if (date_cmp(d, limit) > 0) {
		snprintf(why, n, "this date is more than two years ahead");
		return -1;
	}
	return 0;
}

/* Checks date answer *s by the question's rule and replaces it with its
 * normal form (a date typed as 23/07/1985 or +3w is stored YYYY-MM-DD). */
static int check_date(const struct question *q, char **s, const struct answers *so_far,
		      const struct rules *r, char *why, size_t n)
{
	struct date d, today = r->today;
	enum date_kind kind;
	char norm[11], *copy;

	if (read_date(q, *s, r, &d, &kind, norm, why, n) < 0)
		return -1;
	if (kind == DATE_KIND_MONTH) /* compared as its month: this month is not the future */
		today.day = 1;
	switch (q->date_rule) {
	case DATE_ANY:
		break;
	case DATE_BIRTH:
		if (check_birth(d, kind, r, why, n) < 0)
			return -1;
		break;
	case DATE_NOT_FUTURE:
		if (check_not_future(d, kind, today, so_far, why, n) < 0)
			return -1;
		break;
	case DATE_NOT_PAST:
		if (check_not_past(d, r, why, n) < 0)
			return -1;
		break;
	}
	if (strcmp(*s, norm) != 0) {
		if (!(copy = strdup(norm))) {
			snprintf(why, n, "out of memory");
			return -1;
		}
		free(*s);
		*s = copy;
	}
	return 0;
}

static int check_phone(const char *s, char *why, size_t n)
{
	int digits = 0;

	for (const char *p = s; *p; p++) {
		if (isdigit((unsigned char)*p))
			digits++;
		else if (*p == '+' && p == s)
			continue;
		else if (!strchr(" -.()", *p)) {
			snprintf(why, n, "a phone number holds digits, a leading +, spaces, dashes, "
					 "dots and brackets only");
			return -1;
		}
	}
	if (digits < 7 || digits > 15) {
		snprintf(why, n, "a phone number has 7 to 15 digits");
		return -1;
	}
	return 0;
}

static bool is_atext(unsigned char c)
{
	return isalnum(c) || c >= 0x80 || strchr("!#$%&'*+/=?^_`{|}~-", c);
}

/* A practical subset of RFC 5322 addr-spec: dot-atom local part, and a
 * domain of at least two labels of letters, digits and inner hyphens. */
static int check_email(const char *s, char *why, size_t n)
{
	const char *at = strrchr(s, '@');
	const char *p, *label;
	size_t local_len;

	if (!at || at == s || strchr(s, '@') != at || strlen(s) > 254)
		goto bad;
	local_len = (size_t)(at - s);
	if (local_len > 64 || s[0] == '.' || at[-1] == '.')
		goto bad;
	for (p = s; p < at; p++)
		if (!(is_atext((unsigned char)*p) || (*p == '.' && p[1] != '.')))
			goto bad;
	label = at + 1;
	if (!strchr(label, '.'))
		goto bad;
	for (p = label;; p++) {
		if (*p == '.' || *p == '\0') {
			if (p == label || p - label > 63 || label[0] == '-' || p[-1] == '-')
				goto bad;
			if (*p == '\0')
				break;
			label = p + 1;
		} else if (!(isalnum((unsigned char)*p) || *p == '-' || (unsigned char)*p >= 0x80)) {
			goto bad;
		}
	}
	return 0;
bad:
	snprintf(why, n, "that is not an email address like name@example.com");
	return -1;
}

/* s is one of q's choices, or the start of only one, in any case and
 * with any accents (fold.h: the same in every locale; strcasecmp() in a
 * Turkish locale refused "SOLUTION"). */
static int check_choice(const struct question *q, const char *s, const char **match, char *why,
			size_t n)
{
	char *typed = fold_text(s);
	size_t len, found = 0;
	char list[256] = "";

	*match = NULL;
	if (!typed) {
		snprintf(why, n, "out of memory");
		return -1;
	}
	len = strlen(typed);
	for (size_t i = 0; q->choices[i]; i++) {
		if (strcmp(typed, q->choices[i]) == 0) {
			*match = q->choices[i];
			free(typed);
			return 0;
		}
		if (strncmp(typed, q->choices[i], len) == 0) {
			*match = q->choices[i];
			found++;
		}
	}
	free(typed);
	if (found == 1)
		return 0;
	for (size_t i = 0; q->choices[i]; i++) {
		strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
		strncat(list, q->choices[i], sizeof list - strlen(list) - 1);
	}
	snprintf(why, n, "choose one of: %s", list);
	*match = NULL;
	return -1;
}

/* Several choices, separated by commas: each one as check_choice() takes
 * it, stored once each in choices[] order; choices[0] ("none") alone. */
static int check_choices(const struct question *q, const char *s, char **out, char *why,
			 size_t n)
{
	bool picked[QUESTION_CHOICES_MAX] = { false };
	char *copy = strdup(s), *save = NULL, *tok;
	size_t count = 0, len = 1;
	int rc = -1;

	*out = NULL;
	if (!copy) {
		snprintf(why, n, "out of memory");
		return -1;
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const char *match;
		text_trim(tok);
		if (!*tok)
			continue;
		if (check_choice(q, tok, &match, why, n) < 0) {
			snprintf(why + strlen(why), n - strlen(why), ", separated by commas");
			goto out;
		}
		for (size_t i = 0; q->choices[i]; i++)
			if (q->choices[i] == match && !picked[i]) {
				picked[i] = true;
				count++;
				len += strlen(match) + 1;
			}
	}
	if (count == 0) {
		snprintf(why, n, "an answer is required");
		goto out;
	}
	if (picked[0] && count > 1) {
		snprintf(why, n, "%s cannot be given together with another choice", q->choices[0]);
		goto out;
	}
	if (!(*out = malloc(len))) {
		snprintf(why, n, "out of memory");
		goto out;
	}
	(*out)[0] = '\0';
	for (size_t i = 0; q->choices[i]; i++)
		if (picked[i]) {
			if ((*out)[0])
				strcat(*out, ",");
			strcat(*out, q->choices[i]);
		}
	rc = 0;
out:
	free(copy);
	return rc;
}

/* yes or no (y, n), in any case, in every locale (fold.h). */
static int check_yesno(const char *s, const char **match, char *why, size_t n)
{
	char *typed = fold_text(s);

	*match = NULL;
	if (!typed) {
		snprintf(why, n, "out of memory");
		return -1;
	}
	if (strcmp(typed, "y") == 0 || strcmp(typed, "yes") == 0)
		*match = "yes";
	else if (strcmp(typed, "n") == 0 || strcmp(typed, "no") == 0)
		*match = "no";
	free(typed);
	if (!*match) {
		snprintf(why, n, "answer yes or no");
		return -1;
	}
	return 0;
}

static int check_text(const struct question *q, const char *s, char *why, size_t n)
{
	size_t cp = text_codepoints(s);

	if (q->type == Q_TEXT && text_has_control(s, false)) {
		snprintf(why, n, "control characters (such as escape sequences) are not allowed here");
		return -1;
	}
	if (cp > q->max_len) {
		snprintf(why, n, "too long: at most %zu characters", q->max_len);
		return -1;
	}
	return 0;
}

int question_check(const struct question *q, const char *input, const struct answers *so_far,
		   const struct rules *rules, char **value, char *why, size_t whylen)
{
	char *s = NULL;
	const char *normal = NULL;
	int rc = -1;

	*value = NULL;
	why[0] = '\0';
	if (!text_is_utf8(input, strlen(input))) {
		snprintf(why, whylen, "the answer is not valid UTF-8 text");
		return -1;
	}
	if (strlen(input) > 4 * FREE_TEXT_MAX_CP + 4) {
		snprintf(why, whylen, "too long: at most %zu characters",
			 q->max_len ? q->max_len : (size_t)FREE_TEXT_MAX_CP);
		return -1;
	}
	/* Free text is kept as typed; everything else is trimmed. */
	if (!(s = strdup(input))) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	if (q->type != Q_NOTES)
		text_trim(s);
	/* Nothing visible (a no-break space, U+3000, U+FEFF...) is empty too. */
	if (text_is_blank(s)) {
		if (q->def) {
			rc = (*value = strdup(q->def)) ? 0 : -1;
		} else if (!q->required) {
			rc = 0;
		} else {
			snprintf(why, whylen, "an answer is required");
		}
		goto out;
	}
	switch (q->type) {
	case Q_TEXT:
	case Q_NOTES:
		if (check_text(q, s, why, whylen) < 0)
			goto out;
		break;
	case Q_YESNO:
		if (check_yesno(s, &normal, why, whylen) < 0)
			goto out;
		break;
	case Q_CHOICE:
		if (q->several) {
			char *picked;
			if (check_choices(q, s, &picked, why, whylen) < 0)
				goto out;
			free(s);
			s = picked;
			break;
		}
		if (check_choice(q, s, &normal, why, whylen) < 0)
			goto out;
		break;
	case Q_DATE:
		if (check_date(q, &s, so_far, rules, why, whylen) < 0)
			goto out;
		break;
	case Q_EMAIL:
		if (check_email(s, why, whylen) < 0)
			goto out;
		break;
	case Q_PHONE:
		if (check_phone(s, why, whylen) < 0)
			goto out;
		break;
	}
	if (normal) {
		rc = (*value = strdup(normal)) ? 0 : -1;
	} else {
		*value = s;
		s = NULL;
		rc = 0;
	}
out:
	if (rc < 0 && !why[0])
		snprintf(why, whylen, "out of memory");
	free(s);
	return rc;
}
