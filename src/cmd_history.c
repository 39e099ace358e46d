/* cmd_history.c - `smp-intake history ID`: every change to an intake, from
 * the audit trail: when, by whom, what, and the values before and after. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "command.h"
#include "report.h"
#include "text.h"

static const char *action_words(const char *action)
{
	if (strcmp(action, "create") == 0)
		return "created";
	if (strcmp(action, "edit") == 0)
		return "edited";
	if (strcmp(action, "signoff") == 0)
		return "GP sign-off recorded";
	if (strcmp(action, "erase") == 0)
		return "erased with the client's records";
	if (strcmp(action, "import") == 0)
		return "imported from an export file";
	if (strcmp(action, "acknowledge") == 0)
		return "advice acknowledged by the client";
	if (strcmp(action, "clear-flag") == 0)
		return "screening flag cleared by the artist";
	if (strcmp(action, "contact") == 0)
		return "client's contact details changed";
	if (strcmp(action, "session") == 0)
		return "session of the course recorded";
	if (strcmp(action, "session-result") == 0)
		return "patch test result recorded";
	if (strcmp(action, "consent") == 0)
		return "photo consent changed";
	if (strcmp(action, "photo-add") == 0)
		return "photo added";
	if (strcmp(action, "photo-rm") == 0)
		return "photo removed";
	return action;
}

/* The course's own fields (issue 16: db_course.c's audit rows), in words. */
static const struct {
	const char *field, *label;
} course_fields[] = {
	{ "session_number", "Session number" },
	{ "performed_on", "Date" },
	{ "artist", "Artist" },
	{ "areas", "Areas treated" },
	{ "pigment_brand", "Pigment brand" },
	{ "shade", "Shade" },
	{ "lot", "Pigment lot" },
	{ "lot_expiry", "Lot expiry" },
	{ "needle", "Needle" },
	{ "dilution", "Dilution" },
	{ "notes", "Notes" },
	{ "patch_test", "Patch test" },
	{ "rescreen", "Re-screening" },
	{ "intake_revision", "Intake revision" },
	{ "id_checked", "ID seen" },
	{ "countersigned", "Artist's countersignature" },
	{ "client_ack", "Client's acknowledgement" },
	{ "aftercare_version", "Studio aftercare version" },
	{ "override_reason", "Override reason" },
	{ "session_uuid", "Session UUID" },
	{ "session_id", "Session" },
	{ "reaction", "Reaction" },
	{ "reaction_note", "Reaction note" },
	{ "photos_consent", "Photos kept in the record" },
	{ "marketing_consent", "Photos used for marketing" },
	{ "photo_uuid", "Photo UUID" },
	{ "view", "View" },
	{ "media_type", "Type" },
	{ "size", "Size (bytes)" },
	{ "sha256", "SHA-256" },
};

/* A field's label when it is a question or a course field, else its
 * stored name. */
static const char *field_label(const char *field)
{
	int qi = questionnaire_index(field);
	if (qi >= 0)
		return questionnaire[qi].label;
	for (size_t i = 0; i < sizeof course_fields / sizeof course_fields[0]; i++)
		if (strcmp(course_fields[i].field, field) == 0)
			return course_fields[i].label;
	return field;
}

/* Actions whose changes are shown without a "(none) ->": a record added
 * (values from nothing), and an erasure's reason. */
static bool adds_a_record(const char *action)
{
	return strcmp(action, "create") == 0 || strcmp(action, "erase") == 0 ||
	       strcmp(action, "session") == 0 || strcmp(action, "photo-add") == 0;
}

static int print_entry(const struct audit_entry *e, void *arg)
{
	char *staff = text_safe(e->staff ? e->staff : "", false), day[64], time[16];
	/* An action or a field the program does not know is shown as stored,
	 * made safe: another program may have written it. */
	char *action = text_safe(action_words(e->action ? e->action : ""), false);
	int width = text_terminal_width();

	++*(size_t *)arg;
	if (!staff || !action) {
		free(staff);
		free(action);
		return -1;
	}
	printf("%s %s UTC  %s  %s\n", text_stamp_part(day, sizeof day, e->at, 0, 10),
	       text_stamp_part(time, sizeof time, e->at, 11, 8), staff, action);
	free(staff);
	free(action);
	for (size_t i = 0; i < e->count; i++) {
		const struct audit_change *c = &e->change[i];
		char *old = text_safe(c->old_value ? c->old_value : "(none)", false);
		/* A removed photo's row holds what it was: shown as the value. */
		bool removed = strcmp(e->action, "photo-rm") == 0 && !c->new_value;
		const char *after = c->new_value ? c->new_value : removed ? "(removed)" : "(none)";
		/* A session's patch_test is stored as 1 or 0. */
		if (c->field && strcmp(c->field, "patch_test") == 0 && c->new_value)
			after = strcmp(c->new_value, "1") == 0 ? "yes" : "no";
		char *new = text_safe(after, false);
		char *line = NULL, *label = text_safe(field_label(c->field ? c->field : ""), false);

		if (old && new && label) {
			char *from = adds_a_record(e->action) ? strdup("") : text_join(old, " -> ", "");
			line = from ? text_join(from, "", new) : NULL;
			free(from);
		}
		if (!line) {
			free(old);
			free(new);
			free(label);
			return -1;
		}
		printf("    %s: ", label);
		text_wrap(stdout, line, width, 6 + text_columns(label));
		putchar('\n');
		free(line);
		free(label);
		free(old);
		free(new);
	}
	return 0;
}

/* Writes the access log row before the first change is printed: the
 * answers before and after are the client's.  The rows of an intake no
 * longer there (erased) hold no values, so need none.  Returns an exit
 * code. */
static int record_access(struct ctx *ctx, long long id)
{
	struct intake in;
	int rc = db_load_intake(ctx->db, id, &in);

	if (rc == DB_OK)
		rc = access_record_client(ctx, "history", in.client_id);
	else
		rc = rc == DB_MISSING ? EXIT_OK : EXIT_FAIL;
	intake_clear(&in);
	return rc;
}

int cmd_history(struct ctx *ctx, int argc, char **argv)
{
	struct command_args a;
	size_t count = 0;
	long long id;

	if (command_parse(argc, argv, &a) < 0)
		return EXIT_USAGE;
	if (!(id = command_parse_id(argv[1], "ID")))
		return EXIT_USAGE;
	if (!ctx_db(ctx))
		return EXIT_FAIL;
	if (record_access(ctx, id) != EXIT_OK)
		return EXIT_FAIL;
	if (db_each_audit(ctx->db, id, print_entry, &count) != 0) {
		report("cannot print the history of intake %lld", id);
		return EXIT_FAIL;
	}
	if (count == 0) {
		/* Intakes saved before the audit trail existed (schema 3) have none. */
		struct intake in;
		int rc = db_load_intake(ctx->db, id, &in);
		intake_clear(&in);
		if (rc == DB_OK) {
			printf("No changes recorded: intake %lld was saved before this version kept "
			       "a history.\n",
			       id);
			return EXIT_OK;
		}
		if (rc == DB_MISSING)
			ctx_report_missing(ctx, false, id);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
