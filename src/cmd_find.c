/* cmd_find.c - `smp-intake find TEXT`: clients by the start of a word of
 * their name or email, or of their phone number, newest intake first, so a
 * receptionist can get to `show ID`.  At a terminal the table fits its
 * width: a name too long for it is cut with "…"; through a pipe every
 * value goes out whole, and --format tsv|json gives scripts the rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "command.h"
#include "course_view.h"
#include "report.h"
#include "table.h"
#include "text.h"

struct find_table {
	size_t count; /* rows printed so far */
	int width;    /* columns a line may take; 0: no limit (a pipe) */
	enum table_format fmt;
};

/* Writes safe (text_safe() output) in at most width columns, cut with "…"
 * when longer, padded with spaces to width when pad is set. */
static int put_fitted(FILE *f, const char *safe, int width, bool pad, bool cut)
{
	char *fitted = cut ? text_fit(safe, width > 0 ? width : 1) : strdup(safe);
	int rc = -1;

	if (fitted && fputs(fitted, f) != EOF &&
	    (!pad || fprintf(f, "%*s", width - text_columns(fitted), "") >= 0))
		rc = 0;
	free(fitted);
	return rc;
}

/* One line of the table: the two ids, then taken, born and the name, which
 * gets whatever the line has left. */
static int print_row(const struct find_table *t, const char *client, const char *intake,
		     const char *taken, const char *born, const char *name)
{
	int used = printf("%-7s %-7s ", client, intake);
	bool cut = t->width > 0;

	if (used < 0 || put_fitted(stdout, taken, 10, true, cut) < 0 || fputc(' ', stdout) == EOF ||
	    put_fitted(stdout, born, 10, true, cut) < 0 || fputc(' ', stdout) == EOF)
		return -1;
	used += 22;
	if (put_fitted(stdout, name, t->width > used ? t->width - used : 1, false, cut) < 0 ||
	    fputc('\n', stdout) == EOF)
		return -1;
	return 0;
}

static int print_match(const struct client_match *m, void *arg)
{
	struct find_table *t = arg;
	char client[24], intake[24];
	char day[64]; /* the date of the UTC timestamp */
	char *taken;

	if (t->fmt != TABLE_TEXT) {
		char *whole = text_join(m->first_name, " ", m->last_name);
		struct json_field f[] = { { "client", NULL, m->client_id },
					  { "intake", NULL, m->last_intake_id },
					  { "taken", day, 0 },
					  { "born", m->date_of_birth ? m->date_of_birth : "", 0 },
					  { "name", whole, 0 } };
		int rc;

		text_stamp_part(day, sizeof day, m->last_taken_at, 0, 10);
		if (!whole) {
			report("out of memory");
			return -1;
		}
		rc = table_row(t->fmt, f, 5, (long long)t->count);
		free(whole);
		t->count += rc == 0;
		return rc;
	}
	text_stamp_part(day, sizeof day, m->last_taken_at, 0, 10);
	taken = text_safe(day, false);
	char *born = text_safe(m->date_of_birth ? m->date_of_birth : "", false);
	char *first = text_safe(m->first_name ? m->first_name : "", false);
	char *last = text_safe(m->last_name ? m->last_name : "", false);
	char *name = NULL;
	int rc = -1;

	if (!taken || !born || !first || !last ||
	    !(name = malloc(strlen(first) + strlen(last) + 2))) {
		report("out of memory");
		goto out;
	}
	sprintf(name, "%s %s", first, last);
	snprintf(client, sizeof client, "%lld", m->client_id);
	snprintf(intake, sizeof intake, "%lld", m->last_intake_id);
	if (t->count == 0 && print_row(t, "client", "intake", "taken", "born", "name") < 0)
		goto out;
	if (print_row(t, client, intake, taken, born, name) < 0)
		goto out;
	t->count++;
	rc = 0;
out:
	free(taken);
	free(born);
	free(first);
	free(last);
	free(name);
	return rc;
}

int cmd_find(struct ctx *ctx, int argc, char **argv)
{
	struct find_table table = { 0, 80, TABLE_TEXT };
	struct command_args a;
	const char *format;
	char text[256];
	int rc;

	/* `find Ana Silva` without quotes means the same as with them;
	 * --format FORMAT (or --format=FORMAT) may stand anywhere. */
	if (command_parse(argc, argv, &a) < 0)
		return EXIT_USAGE;
	if ((format = command_arg(&a, "format")) && table_format_parse(format, &table.fmt) < 0) {
		report("find: --format: text, tsv or json");
		return EXIT_USAGE;
	}
	if (command_arg(&a, "lot")) {
		const char *lot = command_arg(&a, "lot");
		if (a.operands > 0) {
			report("find: --lot LOT looks for a pigment lot, not a name as well");
			return EXIT_USAGE;
		}
		if (!lot[0] || !text_is_utf8(lot, strlen(lot)) || text_has_control(lot, false) ||
		    strlen(lot) > 200) {
			report("find: --lot: the lot as printed on the pigment (one line, up to 200 "
			       "characters)");
			return EXIT_USAGE;
		}
		return course_find_lot(ctx, lot, table.fmt);
	}
	if (a.operands == 0) {
		command_usage(stderr, "find");
		return EXIT_USAGE;
	}
	text[0] = '\0';
	for (int i = 1; i <= a.operands; i++) {
		if (strlen(text) + strlen(argv[i]) + 2 > sizeof text) {
			report("find: the search text is too long");
			return EXIT_USAGE;
		}
		if (i > 1)
			strcat(text, " ");
		strcat(text, argv[i]);
	}
	text_trim(text);
	if (!text[0] || !text_is_utf8(text, strlen(text)))
		goto nothing;
	table.width = isatty(STDOUT_FILENO) ? text_terminal_width() : 0;
	if (!ctx_db(ctx))
		return EXIT_FAIL;
	rc = db_find_clients(ctx->db, text, print_match, &table);
	if (rc == DB_FIND_NOTHING)
		goto nothing;
	if (rc != 0)
		return EXIT_FAIL;
	if (table.fmt != TABLE_TEXT) {
		/* Scripts get an empty result, and the same exit status. */
		if (table_end(table.fmt, (long long)table.count) < 0)
			return EXIT_FAIL;
		return table.count ? EXIT_OK : EXIT_FAIL;
	}
	if (table.count == 0) {
		printf("No client found.\n");
		return EXIT_FAIL;
	}
	return EXIT_OK;
nothing:
	report("find: give the start of a name, an email address or a phone number "
	       "(letters or digits)");
	return EXIT_USAGE;
}
