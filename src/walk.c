/* walk.c - asking the questionnaire: the one walk behind new, edit and
 * resume.  A person at a terminal gets help and is asked again; a pipe or
 * a JSON file ends at the first bad answer.  Answers may be kept in a
 * draft as they are given. */
#include "walk.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fold.h"
#include "prompt.h"
#include "report.h"
#include "text.h"

static const char *const yes_no[] = { "yes", "no", NULL };

char *walk_shown(const char *value, int cols)
{
	char *safe = text_safe(value, false), *fitted;

	if (!safe)
		return NULL;
	fitted = text_fit(safe, cols);
	free(safe);
	return fitted;
}

/* The question as asked.  A returning client has had a first session
 * planned already: the date question asks for the planned session. */
static void question_text(const struct question *q, bool returning, char *buf, size_t n)
{
	static const char first[] = "Planned first session";

	if (returning && strcmp(q->id, "planned_session_date") == 0 &&
	    strncmp(q->prompt, first, sizeof first - 1) == 0)
		snprintf(buf, n, "Planned session%s", q->prompt + sizeof first - 1);
	else
		snprintf(buf, n, "%s", q->prompt);
}

static void build_prompt(const struct question *q, const char *kept, const char *hint,
			 bool returning, char *buf, size_t n)
{
	char choices[96] = "", text[256];
	char *shown = NULL;
	const char *def = q->def;

	if (q->type == Q_YESNO) {
		snprintf(choices, sizeof choices, " [yes/no]");
	} else if (q->type == Q_CHOICE) {
		strcat(choices, " [");
		for (size_t i = 0; q->choices[i]; i++) {
			strncat(choices, i ? "/" : "", sizeof choices - strlen(choices) - 1);
			strncat(choices, q->choices[i], sizeof choices - strlen(choices) - 1);
		}
		strncat(choices, "]", sizeof choices - strlen(choices) - 1);
	}
	question_text(q, returning, text, sizeof text);
	if (kept && (shown = walk_shown(kept, 40)))
		def = shown;
	if (!kept && hint && (shown = walk_shown(hint, 40)))
		snprintf(buf, n, "%s%s (last time: %s): ", text, choices, shown);
	else if (def)
		snprintf(buf, n, "%s%s (%s): ", text, choices, def);
	else
		snprintf(buf, n, "%s%s: ", text, choices);
	free(shown);
}

/* Joins lines ending in a backslash (free-text notes may span lines). */
static enum prompt_result read_notes(const char *prompt, char **out)
{
	char *text = NULL, *line;
	size_t len = 0;
	enum prompt_result r;

	for (const char *p = prompt;; p = "... ") {
		if ((r = prompt_read(p, NULL, &line)) != PROMPT_LINE) {
			free(text);
			return r;
		}
		size_t n = strlen(line);
		bool more = n > 0 && line[n - 1] == '\\';
		if (more)
			line[--n] = '\0';
		char *grown = realloc(text, len + n + 2);
		if (!grown) {
			free(line);
			free(text);
			report("out of memory");
			return PROMPT_ERROR;
		}
		text = grown;
		memcpy(text + len, line, n);
		len += n;
		if (more)
			text[len++] = '\n';
		text[len] = '\0';
		free(line);
		if (!more)
			break;
	}
	*out = text;
	return PROMPT_LINE;
}

/* One answer as typed, from the terminal or the pipe. */
static enum prompt_result read_answer(const struct walk *w, const struct question *q,
				      const char *kept, const char *hint, char **input)
{
	char prompt[512];

	build_prompt(q, kept, hint, w->returning, prompt, sizeof prompt);
	if (q->type == Q_NOTES)
		return read_notes(prompt, input);
	return prompt_read(prompt, q->type == Q_YESNO ? yes_no : q->choices[0] ? q->choices : NULL,
			   input);
}

/* The JSON answer for q ("" when absent or null, i.e. an empty line). */
static const char *json_input(const struct walk *w, size_t qi)
{
	for (size_t i = 0; i < w->json->count; i++)
		if (strcmp(w->json->item[i].id, questionnaire[qi].id) == 0)
			return w->json->item[i].value ? w->json->item[i].value : "";
	return "";
}

/* With stored answers (an edit, a returning client's contact details): an
 * empty answer keeps the stored value and "-" clears an optional answer.
 * A kept value was checked when it was stored (and date rules such as "not
 * in the past" would wrongly refuse it today), so it is not checked again.
 * Returns 1 when input was one of those, with *value set; 0 when it is an
 * answer to check; -1 with why set when it cannot be taken. */
static int kept_answer(const struct question *q, const char *kept, const char *input, char **value,
		       char *why, size_t whylen)
{
	char *s = strdup(input);
	int rc = 0;

	*value = NULL;
	if (!s) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	text_trim(s);
	if (s[0] == '\0' && kept) {
		*value = strdup(kept);
		rc = *value ? 1 : -1;
		if (rc < 0)
			snprintf(why, whylen, "out of memory");
	} else if (strcmp(s, "-") == 0 && q->required) {
		snprintf(why, whylen, "an answer is required here; it cannot be cleared");
		rc = -1;
	} else if (strcmp(s, "-") == 0) {
		rc = 1;
	}
	free(s);
	return rc;
}

/* A question shown with last time's answer (w->last) must be answered
 * again: Enter alone does not take it; "-" is no answer to an optional
 * one.  Returns 1 for "-" (*value NULL), 0 for an answer to check, -1
 * with why set for an empty one. */
static int answer_again(const struct question *q, const char *input, char **value, char *why,
			size_t whylen)
{
	size_t blank = strspn(input, " \t\n");

	*value = NULL;
	if (input[blank] == '\0') {
		snprintf(why, whylen, "last time's answer is shown, but this must be answered again%s",
			 q->required ? "" : " (- for none)");
		return -1;
	}
	if (!q->required && strcmp(input + blank, "-") == 0)
		return 1;
	return 0;
}

/* Stores the answer to question qi in the draft, with where to go on.  An
 * edit keeps only the answers that changed, so that resuming it later does
 * not undo what others changed meanwhile. */
static void keep_in_draft(struct walk *w, size_t qi, const char *value)
{
	const char *next = qi + 1 < questionnaire_count ? questionnaire[qi + 1].id : NULL;
	const char *kept = w->keep ? w->keep->value[qi] : NULL;
	bool changed = w->draft->intake_id == 0 || !(kept == value || (kept && value && strcmp(kept, value) == 0));

	if (db_draft_step(w->db, w->draft, changed ? questionnaire[qi].id : NULL, value, next) < 0) {
		report("the answers are no longer kept in a draft; finish or they are lost");
		w->draft = NULL;
	}
}

static enum walk_result ask(struct walk *w, size_t qi)
{
	const struct question *q = &questionnaire[qi];
	const char *kept = w->keep ? w->keep->value[qi] : NULL;
	const char *hint = w->last ? w->last->value[qi] : NULL;
	char why[256], *input = NULL, *value = NULL;
	int rc;

	w->asked[qi] = true;
	for (;;) {
		if (w->kind == FROM_JSON) {
			rc = question_check(q, json_input(w, qi), w->a, &w->rules, &value, why, sizeof why);
		} else {
			switch (read_answer(w, q, kept, hint, &input)) {
			case PROMPT_LINE:
				break;
			case PROMPT_EOF:
				if (w->kind == FROM_TERMINAL)
					return WALK_CANCELLED;
				report("%s: input ended before this question; nothing saved", q->id);
				return WALK_FAILED;
			case PROMPT_INTERRUPTED:
				return WALK_CANCELLED;
			case PROMPT_ERROR:
				return WALK_FAILED;
			}
			if (w->kind == FROM_TERMINAL && strcmp(text_trim(input), "?") == 0) {
				printf("  %s\n", q->help);
				if (kept)
					printf("  Enter keeps the stored answer%s.\n",
					       q->required ? "" : "; - clears it");
				else if (hint)
					printf("  Last time's answer is shown; answer again%s.\n",
					       q->required ? "" : " (- for none)");
				free(input);
				continue;
			}
			rc = w->keep ? kept_answer(q, kept, input, &value, why, sizeof why) : 0;
			if (rc == 0 && hint && !kept)
				rc = answer_again(q, input, &value, why, sizeof why);
			if (rc == 0)
				rc = question_check(q, input, w->a, &w->rules, &value, why, sizeof why);
			else if (rc > 0)
				rc = 0;
			free(input);
		}
		if (rc == 0)
			break;
		if (w->kind != FROM_TERMINAL) {
			report("%s: %s; nothing saved", q->id, why);
			return WALK_FAILED;
		}
		printf("  %s. Type ? for help.\n", why);
	}
	free(w->a->value[qi]);
	w->a->value[qi] = value;
	if (qi == 0 && value && strcmp(value, "no") == 0)
		return WALK_NO_CONSENT;
	if (w->draft)
		keep_in_draft(w, qi, value);
	return WALK_DONE;
}

enum walk_result walk_run(struct walk *w)
{
	enum walk_result r;

	for (size_t i = 0; i < questionnaire_count; i++) {
		if (w->skip[i] || !question_applies(&questionnaire[i], w->a))
			continue;
		if ((r = ask(w, i)) != WALK_DONE)
			return r;
		if (w->after && (r = w->after(w, i, w->after_arg)) != WALK_DONE)
			return r;
	}
	if (w->kind == FROM_JSON) {
		for (size_t i = 0; i < w->json->count; i++) {
			int qi = questionnaire_index(w->json->item[i].id);
			if (qi < 0) /* acknowledged_by: not a question (cmd_new.c takes it) */
				continue;
			if (w->skip[qi] && w->json->item[i].value) {
				report("answers: '%s' comes from the client record (--client): leave "
				       "it out; nothing saved",
				       questionnaire[qi].id);
				return WALK_FAILED;
			}
			if (!w->asked[qi] && w->json->item[i].value) {
				report("answers: '%s' does not apply to the other answers "
				       "(see docs/questions.md); nothing saved",
				       questionnaire[qi].id);
				return WALK_FAILED;
			}
		}
	}
	answers_prune(w->a);
	return WALK_DONE;
}

enum walk_answer walk_ask_yes(const char *question)
{
	char *line = NULL;

	for (;;) {
		switch (prompt_read(question, yes_no, &line)) {
		case PROMPT_LINE:
			break;
		case PROMPT_ERROR:
			return WALK_ERROR;
		default:
			return WALK_STOPPED;
		}
		/* In any case, in every locale (fold.h); text that is not
		 * UTF-8 is neither. */
		errno = 0;
		char *typed = fold_text(line);
		free(line);
		if (!typed && errno != EILSEQ) {
			report("out of memory");
			return WALK_ERROR;
		}
		bool yes = typed && (strcmp(typed, "yes") == 0 || strcmp(typed, "y") == 0);
		bool no = typed && (strcmp(typed, "no") == 0 || strcmp(typed, "n") == 0);
		free(typed);
		if (yes)
			return WALK_YES;
		if (no)
			return WALK_NO;
		printf("  answer yes or no.\n");
	}
}
