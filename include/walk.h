/* walk.h - asking the questionnaire, shared by new, edit and resume: the
 * same checks at a terminal (readline, help, asking again), through a pipe
 * (one line per answer, the first error ends it) and from a JSON file. */
#ifndef SMP_WALK_H
#define SMP_WALK_H

#include <stdbool.h>

#include "db.h"
#include "json.h"
#include "questionnaire.h"

enum walk_result { WALK_DONE, WALK_CANCELLED, WALK_FAILED, WALK_NO_CONSENT };

enum walk_source { FROM_TERMINAL, FROM_PIPE, FROM_JSON };

struct walk {
	enum walk_source kind;
	const struct json_answers *json; /* FROM_JSON */
	struct rules rules;
	struct answers *a; /* filled in as answers arrive */
	/* Values an empty answer keeps ("-" clears an optional one): the
	 * stored intake when editing, a returning client's contact details.
	 * NULL or a NULL value: the question's own default applies. */
	const struct answers *keep;
	/* A returning client's answers from their last intake that must be
	 * given again (the screening): shown in the prompt as "last time:
	 * ...", but an empty answer does not take them.  NULL: none. */
	const struct answers *last;
	bool returning; /* a returning client: "Planned session", not "first" */
	bool skip[QUESTIONS_MAX]; /* questions not asked: their answers are already in *a */
	/* When set, every answer is stored in this draft as it is given. */
	struct db *db;
	struct draft *draft;
	/* Called after each answer; a result other than WALK_DONE ends the
	 * walk with it. */
	enum walk_result (*after)(struct walk *w, size_t qi, void *arg);
	void *after_arg;
	bool asked[QUESTIONS_MAX]; /* which questions the walk reached */
	/* Asked again with the answer in *a as what Enter keeps: gone back to
	 * with <, picked at the summary, or after where a draft stopped. */
	bool again[QUESTIONS_MAX];
	size_t start; /* the first question to ask (a resumed draft's) */
};

/* Asks every question that applies, from w->start on.  Reports failures
 * (naming the question, never the answer). */
enum walk_result walk_run(struct walk *w);

enum walk_answer { WALK_YES, WALK_NO, WALK_STOPPED /* Ctrl-C, Ctrl-D */, WALK_ERROR };

/* At the terminal: asks question (a yes/no) until it gets an answer. */
enum walk_answer walk_ask_yes(const char *question);

/* At the terminal, before saving: the summary of the answers, numbered,
 * then question (a yes/no).  A number asks that question again and then
 * the questions that now apply and were not asked, forgets the answers
 * that no longer apply, and shows the summary again. */
enum walk_answer walk_review(struct walk *w, const char *question);

/* The value shown for a kept answer in a prompt or a summary: safe for
 * the terminal, cut to cols columns.  Allocated; NULL when out of memory. */
char *walk_shown(const char *value, int cols);

#endif
