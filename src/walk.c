/* walk.c - asking the questionnaire: the one walk behind new, edit and
 * resume.  A person at a terminal gets help and is asked again; a pipe or
 * a JSON file ends at the first bad answer.  Answers may be kept in a
 * draft as they are given. */
#include "walk.h"

#include <errno.h>
#include <stdarg.h>
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

/* Prints a message of the walk, indented by two spaces and wrapped at
 * word boundaries to the terminal's width.  Made safe as a whole: a
 * message may quote a stored answer (a date kept by Enter). */
static void say(const char *fmt, ...)
{
	char text[1024], *safe;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	if (!(safe = text_safe(text, true)))
		return;
	fputs("  ", stdout);
	text_wrap(stdout, safe, text_terminal_width(), 2);
	fputc('\n', stdout);
	free(safe);
}

/* " [a/b/c]", or " [a / b / c]" when the list alone would not fit on the
 * terminal's line (so that it wraps between choices, not inside one). */
static void choice_list(const struct question *q, char *buf, size_t n)
{
	size_t len = 2;
	const char *sep = "/";

	for (size_t i = 0; q->choices[i]; i++)
		len += strlen(q->choices[i]) + 1;
	if (prompt_interactive() && (int)len > text_terminal_width() - 11)
		sep = " / ";
	snprintf(buf, n, " [");
	for (size_t i = 0; q->choices[i]; i++) {
		strncat(buf, i ? sep : "", n - strlen(buf) - 1);
		strncat(buf, q->choices[i], n - strlen(buf) - 1);
	}
	strncat(buf, "]", n - strlen(buf) - 1);
}

static void build_prompt(const struct question *q, const char *kept, const char *hint,
			 bool returning, char *buf, size_t n)
{
	char choices[160] = "", text[256];
	char *shown = NULL;
	const char *def = q->def;

	if (q->type == Q_YESNO)
		snprintf(choices, sizeof choices, " [yes/no]");
	else if (q->type == Q_CHOICE)
		choice_list(q, choices, sizeof choices);
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

/* Joins lines ending in a backslash (free-text notes may span lines).
 * As prompt_read() bounds a line, the note keeps at most PROMPT_LINE_MAX
 * + 1 bytes (too long for any answer), and one that goes on past
 * PROMPT_INPUT_MAX bytes ends the input. */
static enum prompt_result read_notes(const char *prompt, char **out)
{
	char *text = NULL, *line;
	size_t len = 0, total = 0;
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
		if ((total += n + 2) > PROMPT_INPUT_MAX) { /* + its \ and line end */
			free(line);
			free(text);
			report("a note is longer than %d MiB; nothing more is read",
			       PROMPT_INPUT_MAX >> 20);
			return PROMPT_ERROR;
		}
		if (len + n > PROMPT_LINE_MAX)
			n = len > PROMPT_LINE_MAX ? 0 : PROMPT_LINE_MAX + 1 - len;
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
		if (more && len <= PROMPT_LINE_MAX)
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
	if (text_is_blank(s) && kept) {
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
	if (text_is_blank(input)) {
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
/* The question the walk asks after qi given the answers so far (NULL: the
 * summary): what a draft names as where it stopped. */
static const char *next_asked(const struct walk *w, size_t qi)
{
	for (size_t j = qi + 1; j < questionnaire_count; j++)
		if (!w->skip[j] && question_applies(&questionnaire[j], w->a))
			return questionnaire[j].id;
	return NULL;
}

static void keep_in_draft(struct walk *w, size_t qi, const char *value)
{
	const char *next = next_asked(w, qi);
	const char *kept = w->keep ? w->keep->value[qi] : NULL;
	bool changed = w->draft->intake_id == 0 || !(kept == value || (kept && value && strcmp(kept, value) == 0));

	if (db_draft_step(w->db, w->draft, changed ? questionnaire[qi].id : NULL, value, next) < 0) {
		report("the answers are no longer kept in a draft; finish or they are lost");
		w->draft = NULL;
	}
}

/* At a terminal, an answer that cannot be right whatever the question's
 * rules: several pasted lines in a one-line answer, or more text than the
 * question takes.  Says why and gives the text back in the next prompt's
 * line to trim (several lines joined by spaces), so nothing pasted is lost
 * and no line of it answers another question.  Returns true when refused. */
static bool refused_whole(const struct question *q, const char *input)
{
	size_t limit = q->max_len ? q->max_len : 0;
	bool lines = q->type != Q_NOTES && strchr(input, '\n');
	bool longer = limit && text_is_utf8(input, strlen(input)) && text_codepoints(input) > limit;
	char *back;

	if (!lines && !longer)
		return false;
	if (!(back = strdup(input)))
		return false;
	if (lines) { /* each run of line breaks (CR LF pastes as two) becomes a space */
		char *out = back;
		for (const char *p = back; *p; p++)
			if (*p != '\n' || (out > back && out[-1] != ' '))
				*out++ = *p == '\n' ? ' ' : *p;
		*out = '\0';
		text_trim(back);
	}
	prompt_refill(back);
	free(back);
	if (lines)
		say("That paste has several lines and this answer takes one: it is back in the "
		    "line, joined by spaces, to trim. Type ? for help.");
	else
		say("Too long: at most %zu characters (this has %zu). It is back in the line to "
		    "trim. Type ? for help.",
		    limit, text_codepoints(input));
	return true;
}

/* A paste copied with its line end (or a blank line before it) is one
 * line: line breaks at either end of an answer typed at a terminal go. */
static void trim_line_breaks(char *s)
{
	size_t start = strspn(s, "\n"), len = strlen(s);

	while (len > start && s[len - 1] == '\n')
		len--;
	memmove(s, s + start, len - start);
	s[len - start] = '\0';
}

static void print_help(const struct question *q, const char *kept, const char *hint,
		       bool again)
{
	say("%s", q->help);
	if (q->type == Q_DATE)
		say("Dates: YYYY-MM-DD, the studio's own form (smp-intake config set date_input "
		    "dmy or mdy), today, or +10d / +3w / +2m ahead where a future date is allowed.");
	if (kept && again)
		say("Enter keeps the answer given before.");
	else if (kept)
		say("Enter keeps the stored answer%s.", q->required ? "" : "; - clears it");
	else if (hint)
		say("Last time's answer is shown; answer again%s.", q->required ? "" : " (- for none)");
	say("< goes back to the previous question.");
}

/* After a date typed in another form than the one stored, says which
 * date was understood. */
static void echo_date(const char *typed, const char *value)
{
	struct date d;
	char copy[64];

	snprintf(copy, sizeof copy, "%s", typed);
	if (!value || strcmp(text_trim(copy), value) == 0)
		return;
	if (date_parse(value, &d) == DATE_OK)
		say("= %s (%s)", value, date_weekday(d));
	else
		say("= %s", value);
}

/* Asks question qi until it has an answer.  At a terminal, sets *back and
 * returns WALK_DONE when the person typed < to go back. */
static enum walk_result ask(struct walk *w, size_t qi, bool *back)
{
	const struct question *q = &questionnaire[qi];
	bool again = w->again[qi];
	const char *kept = again ? w->a->value[qi] : w->keep ? w->keep->value[qi] : NULL;
	const char *hint = w->last ? w->last->value[qi] : NULL;
	char why[256], *input = NULL, *value = NULL;
	int rc;

	*back = false;
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
				print_help(q, kept, hint, again);
				free(input);
				continue;
			}
			if (w->kind == FROM_TERMINAL && strcmp(input, "<") == 0) {
				free(input);
				*back = true;
				return WALK_DONE;
			}
			if (w->kind == FROM_TERMINAL)
				trim_line_breaks(input);
			if (w->kind == FROM_TERMINAL && refused_whole(q, input)) {
				free(input);
				continue;
			}
			rc = w->keep || again ? kept_answer(q, kept, input, &value, why, sizeof why) : 0;
			if (rc == 0 && hint && !kept)
				rc = answer_again(q, input, &value, why, sizeof why);
			if (rc == 0)
				rc = question_check(q, input, w->a, &w->rules, &value, why, sizeof why);
			else if (rc > 0)
				rc = 0;
			if (rc == 0 && w->kind == FROM_TERMINAL && q->type == Q_DATE)
				echo_date(input, value);
			free(input);
		}
		if (rc == 0)
			break;
		if (w->kind != FROM_TERMINAL) {
			report("%s: %s; nothing saved", q->id, why);
			return WALK_FAILED;
		}
		say("%s. Type ? for help.", why);
	}
	free(w->a->value[qi]);
	w->a->value[qi] = value;
	w->again[qi] = false;
	if (qi == 0 && value && strcmp(value, "no") == 0)
		return WALK_NO_CONSENT;
	if (w->draft)
		keep_in_draft(w, qi, value);
	return WALK_DONE;
}

/* Forgets the answers to questions that no longer apply, and that they
 * were asked (so that they are asked when they apply again). */
static void prune(struct walk *w)
{
	for (size_t i = 0; i < questionnaire_count; i++)
		if (!question_applies(&questionnaire[i], w->a))
			w->asked[i] = false;
	answers_prune(w->a);
}

/* Asks the questions from..end that apply and are to be asked; with
 * only_new, only those not asked yet (after an answer changed at the
 * summary).  < goes back along the questions asked in this sitting. */
static enum walk_result walk_from(struct walk *w, size_t from, bool only_new)
{
	size_t trail[QUESTIONS_MAX], depth = 0;
	enum walk_result r;
	bool back;

	for (size_t i = from; i < questionnaire_count; i++) {
		if (w->skip[i] || !question_applies(&questionnaire[i], w->a))
			continue;
		if (only_new && i != from && (w->asked[i] || w->a->value[i]))
			continue;
		if ((r = ask(w, i, &back)) != WALK_DONE)
			return r;
		if (back) {
			if (depth == 0) {
				say("This is the first question here: there is no answer before it to go "
				    "back to.");
				i--; /* asks i again (wraps round for 0, then back) */
				continue;
			}
			size_t to = trail[--depth];
			/* Both are asked again with what was given as the default. */
			w->again[to] = true;
			w->again[i] = w->a->value[i] != NULL;
			if (w->draft && db_draft_step(w->db, w->draft, NULL, NULL, questionnaire[to].id) < 0) {
				report("the answers are no longer kept in a draft; finish or they are lost");
				w->draft = NULL;
			}
			i = to - 1; /* wraps round for 0; the loop's i++ brings it back */
			continue;
		}
		trail[depth++] = i;
		if (w->after && (r = w->after(w, i, w->after_arg)) != WALK_DONE)
			return r;
	}
	return WALK_DONE;
}

enum walk_result walk_run(struct walk *w)
{
	enum walk_result r;

	if ((r = walk_from(w, w->start, false)) != WALK_DONE)
		return r;
	if (w->kind == FROM_JSON) {
		for (size_t i = 0; i < w->json->count; i++) {
			int qi = questionnaire_index(w->json->item[i].id);
			if (qi < 0) /* acknowledged_by: not a question (take.c takes it) */
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
	prune(w);
	return WALK_DONE;
}

/* The summary before saving, numbered: the number of each answer shown is
 * what walk_review() takes to change it. */
static void print_summary(const struct walk *w, size_t number[QUESTIONS_MAX])
{
	size_t n = 0;
	int width = text_terminal_width();

	printf("\nSummary (type a number to change that answer)\n");
	for (size_t i = 0; i < questionnaire_count; i++) {
		char *shown;
		number[i] = 0;
		if (w->skip[i] || !question_applies(&questionnaire[i], w->a) ||
		    !(w->asked[i] || w->a->value[i] || i < w->start))
			continue;
		number[i] = ++n;
		shown = w->a->value[i] ? text_safe(w->a->value[i], true) : NULL;
		printf("%3zu. %-*s ", n, QUESTION_LABEL_COLS, questionnaire[i].label);
		text_wrap(stdout, shown ? shown : "(none)", width, QUESTION_LABEL_COLS + 6);
		fputc('\n', stdout);
		free(shown);
	}
}

/* What a line typed at a yes/no question says, in any case and every
 * locale (fold.h); text that is not UTF-8 says neither. */
enum said { SAID_YES, SAID_NO, SAID_NEITHER, SAID_ERROR /* reported */ };

static enum said yes_or_no(const char *line)
{
	enum said r = SAID_NEITHER;
	char *typed;

	errno = 0;
	if (!(typed = fold_text(line))) {
		if (errno == EILSEQ)
			return SAID_NEITHER;
		report("out of memory");
		return SAID_ERROR;
	}
	if (strcmp(typed, "yes") == 0 || strcmp(typed, "y") == 0)
		r = SAID_YES;
	else if (strcmp(typed, "no") == 0 || strcmp(typed, "n") == 0)
		r = SAID_NO;
	free(typed);
	return r;
}

enum walk_answer walk_review(struct walk *w, const char *question)
{
	size_t number[QUESTIONS_MAX];
	char *line = NULL;

	print_summary(w, number);
	for (;;) {
		switch (prompt_read(question, yes_no, &line)) {
		case PROMPT_LINE:
			break;
		case PROMPT_ERROR:
			return WALK_ERROR;
		default:
			return WALK_STOPPED;
		}
		text_trim(line);
		enum said said = yes_or_no(line);
		char *end;
		unsigned long pick = strtoul(line, &end, 10);
		bool numeric = line[0] >= '0' && line[0] <= '9' && *end == '\0';
		free(line);
		if (said == SAID_ERROR)
			return WALK_ERROR;
		if (said == SAID_YES)
			return WALK_YES;
		if (said == SAID_NO)
			return WALK_NO;
		size_t qi = questionnaire_count;
		for (size_t i = 0; numeric && i < questionnaire_count; i++)
			if (number[i] && number[i] == pick)
				qi = i;
		if (qi == questionnaire_count) {
			say(numeric ? "no answer has that number in the summary."
				    : "answer yes or no, or type the number of an answer to change it.");
			continue;
		}
		w->again[qi] = true;
		switch (walk_from(w, qi, true)) {
		case WALK_DONE:
			break;
		case WALK_NO_CONSENT:
			return WALK_NO;
		case WALK_FAILED:
			return WALK_ERROR;
		default:
			return WALK_STOPPED;
		}
		prune(w);
		if (w->draft && db_draft_step(w->db, w->draft, NULL, NULL, NULL) < 0) {
			report("the answers are no longer kept in a draft; finish or they are lost");
			w->draft = NULL;
		}
		print_summary(w, number);
	}
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
		enum said said = yes_or_no(line);
		free(line);
		if (said == SAID_ERROR)
			return WALK_ERROR;
		if (said == SAID_YES)
			return WALK_YES;
		if (said == SAID_NO)
			return WALK_NO;
		say("answer yes or no.");
	}
}
