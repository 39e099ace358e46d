/* questionnaire.h - the consultation questions, as data, and the checks
 * every answer passes, whichever way it arrives (terminal, pipe, JSON). */
#ifndef SMP_QUESTIONNAIRE_H
#define SMP_QUESTIONNAIRE_H

#include <stdbool.h>
#include <stddef.h>

#include "date.h"

enum qtype {
	Q_TEXT,   /* one line, no control characters (names) */
	Q_NOTES,  /* free text (notes, products) that may span lines; kept as typed */
	Q_YESNO,  /* stored as "yes" or "no" */
	Q_DATE,   /* YYYY-MM-DD, a real calendar date */
	Q_CHOICE, /* one of choices[]; several, comma-separated, when `several` */
	Q_EMAIL,
	Q_PHONE
};

enum date_rule {
	DATE_ANY,
	DATE_BIRTH,      /* not in the future; client at least the minimum age */
	DATE_NOT_FUTURE, /* today or before */
	DATE_NOT_PAST    /* today or later, within two years */
};

enum cond_kind {
	WHEN_ALWAYS,
	WHEN_EQUALS,       /* answer to `qid` equals `value` */
	WHEN_ANY_TREATMENT, /* any uses_* question answered yes */
	WHEN_INCLUDES      /* answer to `qid` (several choices) includes `value` */
};

struct condition {
	enum cond_kind kind;
	const char *qid;
	const char *value;
};

/* Room for the longest list of choices (hair_loss_scale: 12) and its NULL. */
#define QUESTION_CHOICES_MAX 16

struct question {
	const char *id;     /* stable: JSON key, database key, FHIR linkId */
	const char *prompt; /* asked at the terminal */
	const char *label;  /* short name for summaries and `show` */
	enum qtype type;
	bool required;
	struct condition when;
	const char *choices[QUESTION_CHOICES_MAX]; /* Q_CHOICE, NULL-ended */
	const char *def;   /* taken on an empty answer; NULL for none */
	const char *help;  /* printed for `?` */
	enum date_rule date_rule;
	bool client_field; /* stored on the client record, not the intake */
	size_t max_len;    /* in code points, for text types */
	bool several;      /* Q_CHOICE: any number of choices, stored in choices[]
			    * order as "a,b"; choices[0] ("none") stands alone */
};

/* The widest label (question.label) in columns: summaries and `show`
 * align the answers after it (test_questionnaire checks every label fits). */
#define QUESTION_LABEL_COLS 27

/* The questions in the order they are asked. */
extern const struct question questionnaire[];
extern const size_t questionnaire_count;

/* The version of the questions, given with them to other systems (the
 * FHIR Questionnaire and every response to it).  Changes when a question
 * is added, removed or changes its meaning. */
#define QUESTIONNAIRE_VERSION "2026.4"

/* The most questions a questionnaire may have (struct answers holds one
 * value per question). */
#define QUESTIONS_MAX 48

/* Every questionnaire and advice version there has been, oldest first,
 * NULL-ended: what an intake, a file to import or a database may carry. */
extern const char *const questionnaire_versions[];

/* True when version is one of questionnaire_versions[]. */
bool questionnaire_version_known(const char *version);

/* True when question q was part of questionnaire version (an older
 * intake has no answer to a question added later, and need not). */
bool question_asked_in(const struct question *q, const char *version);

/* The label question q had under questionnaire version (a later version
 * may have reworded it; an intake shows the wording it was asked with). */
const char *question_label_at(const struct question *q, const char *version);

/* The hair-growth treatment questions (yes/no), NULL-ended: a yes to any of
 * them is what WHEN_ANY_TREATMENT means. */
extern const char *const questionnaire_treatments[];

/* Index of question id, or -1. */
int questionnaire_index(const char *id);

/* The answers of one intake, indexed like questionnaire[]; NULL means not
 * asked or left empty.  Values are owned by the struct. */
struct answers {
	char *value[QUESTIONS_MAX];
};

/* Frees every value and resets to empty; accepts NULL. */
void answers_clear(struct answers *a);

/* Makes dst a copy of src (dst's old contents are not freed).  Returns 0,
 * or -1 when out of memory (dst left empty). */
int answers_copy(struct answers *dst, const struct answers *src);

/* The value for question id, or NULL. */
const char *answers_get(const struct answers *a, const char *id);

/* Stores a copy of value (NULL clears) for id.  Returns 0, or -1 on an
 * unknown id or allocation failure. */
int answers_set(struct answers *a, const char *id, const char *value);

/* Forgets answers to questions that no longer apply (after an earlier
 * answer changed), so the stored intake only holds what was asked. */
void answers_prune(struct answers *a);

/* True when question q is asked, given the answers so far. */
bool question_applies(const struct question *q, const struct answers *a);

/* How a date answer may be written: as stored (YYYY-MM-DD only: answer
 * files, imports), or as people type it at a terminal or through a pipe:
 * YYYY-MM-DD, the studio's form (config set date_input), today, +10d. */
enum date_typing { DATES_STORED, DATES_TYPED_ISO, DATES_TYPED_DMY, DATES_TYPED_MDY };

/* Studio rules the checks depend on. */
struct rules {
	struct date today;
	int minimum_age;
	enum date_typing dates;
};

/* The date typing for a studio's date_input form. */
enum date_typing rules_dates_typed(enum date_form form);

/* Checks input (one answer as typed, already without its line end) for
 * question q.  An empty answer takes the question's default, or is left
 * unanswered when the question is optional.  On success returns 0 and sets
 * *value to the normalised answer (allocated; NULL when left unanswered).
 * On failure returns -1 and writes a one-line reason (without the value,
 * which may be personal) into why. */
int question_check(const struct question *q, const char *input,
		   const struct answers *so_far, const struct rules *rules,
		   char **value, char *why, size_t whylen);

/* Derived facts the advice and the export use. */
bool answers_any_treatment(const struct answers *a);
bool answers_any_topical(const struct answers *a);

/* GP sign-off status: "obtained", "pending", "declined", or "not_required"
 * when no treatment is used.  Not discussed with the GP counts as pending. */
const char *answers_signoff_status(const struct answers *a);

/* The GP's part of being ready for a first session: no hair-growth
 * treatment, or the GP's sign-off obtained.  (An intake also needs the
 * client's acknowledgement and no open screening flag: intake_readiness().) */
bool answers_ready(const struct answers *a);

/* True when a choice answer (several allowed) includes choice. */
bool answers_includes(const char *value, const char *choice);

/* How many of q's choices the stored answer v (several choices, "a,b")
 * holds, each put in picked[] (room for QUESTION_CHOICES_MAX; pointers to
 * q's own choice texts), in choices[] order.  Returns 0 when v is not such
 * a list of q's choices (no answer this release stores): the exports then
 * give it as the one text it is. */
size_t answers_split(const struct question *q, const char *v, const char **picked);

#endif
