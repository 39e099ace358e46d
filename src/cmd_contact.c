/* cmd_contact.c - `smp-intake contact CLIENT [--phone P] [--email E]`: a
 * client's new phone number or email address, without a new intake, a
 * new advice sheet or a new acknowledgement.  Values are checked as the
 * questionnaire checks them; the change is audited and the command
 * access-logged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "command.h"
#include "prompt.h"
#include "report.h"
#include "text.h"

/* One of the two fields. */
struct field {
	const char *qid, *option;
	bool set;
	char *value; /* checked, allocated; NULL: cleared */
};

/* Checks text for field f as the questionnaire would; "-" clears.
 * Returns 0, or -1 with the reason in why. */
static int field_check(struct field *f, const char *text, char *why, size_t n)
{
	const struct question *q = &questionnaire[questionnaire_index(f->qid)];
	struct rules rules = { date_today(), 18, DATES_STORED };
	struct answers none = { 0 };
	char *value = NULL;

	if (strcmp(text, "-") == 0)
		text = "";
	if (question_check(q, text, &none, &rules, &value, why, n) < 0)
		return -1;
	free(f->value);
	f->value = value;
	f->set = true;
	return 0;
}

/* Prints "  Phone: +44 ..." (made safe), "(none)" when empty. */
static void print_field(const char *label, const char *value)
{
	char *safe = text_safe(value ? value : "(none)", false);

	printf("  %-6s %s\n", label, safe ? safe : "");
	free(safe);
}

/* A message wrapped to the terminal's width. */
static void say(const char *text)
{
	text_wrap(stdout, text, text_terminal_width(), 0);
	putchar('\n');
}

/* At a terminal: asks for each field, Enter keeping the stored value.
 * Returns 0, 1 when the person stopped (Ctrl-C or Ctrl-D), -1 on error. */
static int ask(struct field *f, const struct answers *now)
{
	for (int i = 0; i < 2; i++) {
		const char *stored = answers_get(now, f[i].qid);
		char prompt[80], why[160], msg[300], *line = NULL;

		snprintf(prompt, sizeof prompt, "New %s (Enter keeps it, - clears it): ",
			 strcmp(f[i].qid, "phone") == 0 ? "phone" : "email");
		for (;;) {
			enum prompt_result r = prompt_read(prompt, NULL, &line);
			if (r == PROMPT_ERROR)
				return -1;
			if (r != PROMPT_LINE) {
				free(line);
				return 1;
			}
			if (text_is_blank(text_trim(line)))
				break;
			if (field_check(&f[i], line, why, sizeof why) == 0)
				break;
			snprintf(msg, sizeof msg, "Not accepted: %s. Type it again, or press Enter "
				 "to keep %s.", why, stored ? "the one on file" : "none");
			say(msg);
			free(line);
			line = NULL;
		}
		free(line);
	}
	return 0;
}

int cmd_contact(struct ctx *ctx, int argc, char **argv)
{
	struct field f[2] = { { "phone", "--phone", false, NULL }, { "email", "--email", false, NULL } };
	struct answers now = { 0 };
	const char *staff;
	char when[21], why[160];
	long long id;
	struct command_args a;
	int changed, rc = EXIT_USAGE;

	if (command_parse(argc, argv, &a) < 0)
		goto out;
	for (size_t i = 0; i < 2; i++) {
		const char *value = command_arg(&a, f[i].option + 2);
		if (value && field_check(&f[i], value, why, sizeof why) < 0) {
			report("contact: %s: %s (- clears it)", f[i].option, why);
			goto out;
		}
	}
	if (!(id = command_parse_id(argv[1], "CLIENT")))
		goto out;
	if (!f[0].set && !f[1].set && !prompt_interactive()) {
		report("contact: give --phone or --email (or both); without them the "
		       "details are asked for at a terminal");
		goto out;
	}
	rc = EXIT_FAIL;
	if (!(staff = ctx_staff(ctx)) || !ctx_db(ctx))
		goto out;
	switch (db_load_client(ctx->db, id, &now)) {
	case DB_OK: break;
	case DB_MISSING: ctx_report_missing(ctx, true, id); goto out;
	default: goto out;
	}
	/* Logged before anything of the record is shown or changed: what
	 * cannot be logged is not done. */
	if (access_record_client(ctx, "contact", id) != EXIT_OK)
		goto out;
	if (!f[0].set && !f[1].set) {
		char *first = text_safe(answers_get(&now, "first_name"), false);
		char *last = text_safe(answers_get(&now, "last_name"), false);
		printf("Contact details of client %lld, %s %s:\n", id, first ? first : "",
		       last ? last : "");
		free(first);
		free(last);
		print_field("Phone:", answers_get(&now, "phone"));
		print_field("Email:", answers_get(&now, "email"));
		switch (ask(f, &now)) {
		case 0: break;
		case 1: report("contact: stopped; nothing changed"); goto out;
		default: goto out;
		}
	}
	if (date_now_utc(when) < 0) {
		report("cannot read the clock");
		goto out;
	}
	struct contact_change change = { f[0].set, f[1].set, f[0].value, f[1].value };
	switch (db_save_contact(ctx->db, id, &change, staff, when, &changed)) {
	case DB_OK: break;
	case DB_MISSING: ctx_report_missing(ctx, true, id); goto out;
	default: goto out;
	}
	if (changed == 0) {
		printf("No change to client %lld's contact details.\n", id);
	} else {
		char msg[200];
		snprintf(msg, sizeof msg, "Saved client %lld's contact details (no new advice sheet: "
			 "acknowledgements and readiness stay as they were):", id);
		say(msg);
		for (int i = 0; i < 2; i++)
			print_field(i == 0 ? "Phone:" : "Email:",
				    f[i].set ? f[i].value : answers_get(&now, f[i].qid));
	}
	rc = EXIT_OK;
out:
	free(f[0].value);
	free(f[1].value);
	answers_clear(&now);
	return rc;
}
