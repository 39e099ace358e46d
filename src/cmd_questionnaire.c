/* cmd_questionnaire.c - `smp-intake questionnaire`: the questions as
 * data, for people (text) or for other systems (a FHIR R4 Questionnaire).
 * Needs no database. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "fhir.h"
#include "questionnaire.h"
#include "report.h"

static const char *type_name(enum qtype t)
{
	switch (t) {
	case Q_TEXT:
		return "text";
	case Q_NOTES:
		return "notes";
	case Q_YESNO:
		return "yes/no";
	case Q_DATE:
		return "date";
	case Q_CHOICE:
		return "choice";
	case Q_EMAIL:
		return "email";
	case Q_PHONE:
		return "phone";
	}
	return "?";
}

static void print_condition(const struct condition *c)
{
	switch (c->kind) {
	case WHEN_ALWAYS:
		puts("always");
		break;
	case WHEN_EQUALS:
		printf("when %s is %s\n", c->qid, c->value);
		break;
	case WHEN_ANY_TREATMENT:
		fputs("when any of", stdout);
		for (size_t i = 0; questionnaire_treatments[i]; i++)
			printf("%s %s", i ? "," : "", questionnaire_treatments[i]);
		puts(" is yes");
		break;
	case WHEN_INCLUDES:
		printf("when %s includes %s\n", c->qid, c->value);
		break;
	}
}

/* One block per question: id, type, required or optional, default; the
 * prompt; the choices; when it is asked. */
static void print_text(const char *version)
{
	size_t count = 0, n = 0;

	for (size_t i = 0; i < questionnaire_count; i++)
		count += question_asked_in(&questionnaire[i], version);
	printf("smp-intake questionnaire, version %s: %zu questions, in the order asked\n",
	       version, count);
	for (size_t i = 0; i < questionnaire_count; i++) {
		const struct question *q = &questionnaire[i];
		const char *label = question_label_at(q, version);

		if (!question_asked_in(q, version))
			continue;
		printf("\n%2zu. %s: %s, %s", ++n, q->id, type_name(q->type),
		       q->required ? "required" : "optional");
		if (q->def)
			printf(", default %s", q->def);
		/* A question reworded since: the label it had then. */
		printf("\n    %s\n", strcmp(label, q->label) == 0 ? q->prompt : label);
		if (q->type == Q_CHOICE) {
			fputs(q->several ? "    choices (several, comma-separated):" : "    choices:",
			      stdout);
			for (size_t c = 0; q->choices[c]; c++)
				printf("%s %s", c ? "," : "", q->choices[c]);
			putchar('\n');
		}
		fputs("    asked: ", stdout);
		print_condition(&q->when);
	}
}

int cmd_questionnaire(struct ctx *ctx, int argc, char **argv)
{
	const char *format = "text", *version = QUESTIONNAIRE_VERSION;
	struct command_args a;
	char *text;

	(void)ctx;
	if (command_parse(argc, argv, &a) < 0)
		return EXIT_USAGE;
	if (command_arg(&a, "format"))
		format = command_arg(&a, "format");
	if (command_arg(&a, "version"))
		version = command_arg(&a, "version");
	if (!questionnaire_version_known(version)) {
		char known[120];
		size_t used = 0;
		known[0] = '\0';
		for (size_t i = 0; questionnaire_versions[i] && used < sizeof known; i++)
			used += (size_t)snprintf(known + used, sizeof known - used, "%s%s",
						 i ? ", " : "", questionnaire_versions[i]);
		report("questionnaire: no version '%.20s' (the versions are %s)", version, known);
		return EXIT_USAGE;
	}
	if (strcmp(format, "text") == 0) {
		print_text(version);
		return EXIT_OK;
	}
	if (strcmp(format, "fhir") != 0) {
		report("questionnaire: unknown format '%.40s' (text or fhir)", format);
		return EXIT_USAGE;
	}
	if (!(text = fhir_questionnaire(version))) {
		report("out of memory while writing the questionnaire");
		return EXIT_FAIL;
	}
	fputs(text, stdout);
	free(text);
	return EXIT_OK;
}
