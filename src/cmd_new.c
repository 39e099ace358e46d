/* cmd_new.c - `smp-intake new`: the consultation intake.  The same walk
 * through the questionnaire serves a person at a terminal (readline, help,
 * asking again), a pipe (one line per answer, first error ends it) and a
 * JSON answers file; nothing reaches the database before the final save. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "advice.h"
#include "command.h"
#include "json.h"
#include "prompt.h"
#include "questionnaire.h"
#include "report.h"
#include "sheet.h"
#include "text.h"
#include "uuid.h"

#define ANSWERS_FILE_MAX (16 * 1024 * 1024)

enum walk_result { WALK_DONE, WALK_CANCELLED, WALK_FAILED, WALK_NO_CONSENT };

/* Where answers come from: the terminal, a pipe, or a parsed JSON file. */
struct source {
	enum { FROM_TERMINAL, FROM_PIPE, FROM_JSON } kind;
	const struct json_answers *json;
	bool asked[32]; /* FROM_JSON: which questions the walk reached */
};

static const char *const yes_no[] = { "yes", "no", NULL };

static void build_prompt(const struct question *q, char *buf, size_t n)
{
	char choices[96] = "";

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
	if (q->def)
		snprintf(buf, n, "%s%s (%s): ", q->prompt, choices, q->def);
	else
		snprintf(buf, n, "%s%s: ", q->prompt, choices);
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
static enum prompt_result read_answer(const struct question *q, char **input)
{
	char prompt[512];

	build_prompt(q, prompt, sizeof prompt);
	if (q->type == Q_NOTES)
		return read_notes(prompt, input);
	return prompt_read(prompt, q->type == Q_YESNO ? yes_no : q->choices[0] ? q->choices : NULL,
			   input);
}

/* The JSON answer for q ("" when absent or null, i.e. an empty line). */
static const char *json_input(struct source *src, size_t qi)
{
	src->asked[qi] = true;
	for (size_t i = 0; i < src->json->count; i++)
		if (strcmp(src->json->item[i].id, questionnaire[qi].id) == 0)
			return src->json->item[i].value ? src->json->item[i].value : "";
	return "";
}

static enum walk_result ask(struct source *src, size_t qi, const struct rules *rules,
			    struct answers *a)
{
	const struct question *q = &questionnaire[qi];
	char why[256], *input = NULL, *value = NULL;
	int rc;

	for (;;) {
		if (src->kind == FROM_JSON) {
			rc = question_check(q, json_input(src, qi), a, rules, &value, why, sizeof why);
		} else {
			switch (read_answer(q, &input)) {
			case PROMPT_LINE:
				break;
			case PROMPT_EOF:
				if (src->kind == FROM_TERMINAL)
					return WALK_CANCELLED;
				report("%s: input ended before this question; nothing saved", q->id);
				return WALK_FAILED;
			case PROMPT_INTERRUPTED:
				return WALK_CANCELLED;
			case PROMPT_ERROR:
				return WALK_FAILED;
			}
			if (src->kind == FROM_TERMINAL && strcmp(text_trim(input), "?") == 0) {
				printf("  %s\n", q->help);
				free(input);
				continue;
			}
			rc = question_check(q, input, a, rules, &value, why, sizeof why);
			free(input);
		}
		if (rc == 0)
			break;
		if (src->kind != FROM_TERMINAL) {
			report("%s: %s; nothing saved", q->id, why);
			return WALK_FAILED;
		}
		printf("  %s. Type ? for help.\n", why);
	}
	if (a->value[qi])
		free(a->value[qi]);
	a->value[qi] = value;
	if (qi == 0 && value && strcmp(value, "no") == 0)
		return WALK_NO_CONSENT;
	return WALK_DONE;
}

static enum walk_result walk(struct source *src, const struct rules *rules, struct answers *a)
{
	enum walk_result r;

	for (size_t i = 0; i < questionnaire_count; i++) {
		if (!question_applies(&questionnaire[i], a))
			continue;
		if ((r = ask(src, i, rules, a)) != WALK_DONE)
			return r;
	}
	if (src->kind == FROM_JSON) {
		for (size_t i = 0; i < src->json->count; i++) {
			int qi = questionnaire_index(src->json->item[i].id);
			if (!src->asked[qi] && src->json->item[i].value) {
				report("answers: '%s' does not apply to the other answers "
				       "(see docs/questions.md); nothing saved",
				       questionnaire[qi].id);
				return WALK_FAILED;
			}
		}
	}
	return WALK_DONE;
}

/* Reads a whole --answers file (or stdin for "-") into memory. */
static char *read_all(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, n;

	*len = 0;
	if (!f) {
		report("cannot read '%s': %s", path, strerror(errno));
		return NULL;
	}
	do {
		if (*len + 65536 + 1 > cap) {
			char *grown = realloc(buf, cap = *len + 65536 + 1);
			if (!grown) {
				report("out of memory");
				goto fail;
			}
			buf = grown;
		}
		n = fread(buf + *len, 1, cap - *len - 1, f);
		*len += n;
		if (*len > ANSWERS_FILE_MAX) {
			report("'%s' is larger than 16 MiB; not an answers file", path);
			goto fail;
		}
	} while (n > 0);
	if (ferror(f)) {
		report("cannot read '%s': %s", path, strerror(errno));
		goto fail;
	}
	buf[*len] = '\0';
	if (f != stdin)
		fclose(f);
	return buf;
fail:
	free(buf);
	if (f != stdin)
		fclose(f);
	return NULL;
}

/* At the terminal: show what will be stored and ask before saving. */
static enum walk_result confirm(const struct answers *a)
{
	char *line = NULL;

	printf("\nSummary\n");
	sheet_print_answers(stdout, a);
	for (;;) {
		switch (prompt_read("\nSave this intake? [yes/no]: ", yes_no, &line)) {
		case PROMPT_LINE:
			break;
		case PROMPT_ERROR:
			return WALK_FAILED;
		default:
			return WALK_CANCELLED;
		}
		text_trim(line);
		bool yes = strcmp(line, "yes") == 0 || strcmp(line, "y") == 0;
		bool no = strcmp(line, "no") == 0 || strcmp(line, "n") == 0;
		free(line);
		if (yes)
			return WALK_DONE;
		if (no)
			return WALK_CANCELLED;
		printf("  answer yes or no.\n");
	}
}

static int stamp(struct intake *in, const char *staff)
{
	time_t now = time(NULL);
	struct tm tm;
	char when[32];

	if (!gmtime_r(&now, &tm) || strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		report("cannot read the clock");
		return -1;
	}
	if (uuid_v4(in->uuid) < 0) {
		report("cannot make a unique id: %s", strerror(errno));
		return -1;
	}
	if (!(in->taken_at = strdup(when)) || !(in->staff = strdup(staff))) {
		report("out of memory");
		return -1;
	}
	return 0;
}

int cmd_new(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { "answers", required_argument, NULL, 'a' },
					      { NULL, 0, NULL, 0 } };
	struct source src = { .kind = prompt_interactive() ? FROM_TERMINAL : FROM_PIPE };
	struct json_answers json = { NULL, 0 };
	struct intake in = { 0 };
	const char *answers_path = NULL, *staff;
	struct rules rules;
	enum walk_result r;
	int c, rc = EXIT_FAIL;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (c != 'a')
			return command_bad_option("new", argc, argv);
		answers_path = optarg;
	}
	if (optind != argc) {
		report("new takes no arguments besides --answers FILE");
		return EXIT_USAGE;
	}
	if (!(staff = ctx_staff(ctx)) || !ctx_db(ctx))
		return EXIT_FAIL;
	if (answers_path) {
		char why[256], *text;
		size_t len;

		if (!(text = read_all(answers_path, &len)))
			return EXIT_FAIL;
		c = json_read_answers(text, len, &json, why, sizeof why);
		free(text);
		if (c < 0) {
			report("%s: %s; nothing saved", strcmp(answers_path, "-") ? answers_path : "stdin", why);
			return EXIT_FAIL;
		}
		src.kind = FROM_JSON;
		src.json = &json;
	}
	rules.today = date_today();
	rules.minimum_age = ctx->settings.minimum_age;

	if (src.kind == FROM_TERMINAL)
		printf("New consultation intake. Type ? for help on a question; Ctrl-C cancels.\n\n");
	r = walk(&src, &rules, &in.answers);
	if (r == WALK_DONE && src.kind == FROM_TERMINAL)
		r = confirm(&in.answers);
	switch (r) {
	case WALK_DONE:
		break;
	case WALK_NO_CONSENT:
		report("the client did not consent to storage; nothing saved");
		goto out;
	case WALK_CANCELLED:
		report("intake cancelled; nothing saved");
		goto out;
	case WALK_FAILED:
		goto out;
	}
	if (stamp(&in, staff) < 0)
		goto out;
	if (advice_for_answers(&in.answers, &ctx->settings, &in.advice) < 0) {
		report("out of memory; nothing saved");
		goto out;
	}
	if (db_save_intake(ctx->db, &in) < 0)
		goto out;
	printf("Saved intake %lld for client %lld.\n", in.id, in.client_id);
	sheet_print_advice(stdout, &in);
	rc = EXIT_OK;
out:
	json_answers_free(&json);
	intake_clear(&in);
	return rc;
}
