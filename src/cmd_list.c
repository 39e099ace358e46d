/* cmd_list.c - `smp-intake list`: recent intakes as a table fitted to the
 * terminal (whole values through a pipe, or tsv/json for scripts), with
 * the receptionist's filters (the call list of clients still waiting for a
 * GP's sign-off, who is ready for a session). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "command.h"
#include "course_view.h"
#include "report.h"
#include "table.h"
#include "text.h"

/* The table's columns, in the order printed; the client's name comes
 * last and gets what the line has left. */
enum list_column { COL_INTAKE, COL_TAKEN, COL_TREATMENTS, COL_STATUS, COL_FLAGS, COL_READY,
		   COL_PHONE, COL_COUNT };

struct list_state {
	bool pending_only, ready_only;
	long limit, shown;
	enum table_format fmt;
	bool terminal;  /* stdout is one: the table fits its width */
	bool show[COL_COUNT];
	int name_cols;  /* at a terminal: the name's columns; else no limit */
};

static const char *const column_head[COL_COUNT] = { "intake", "taken", "treatments",
						    "GP sign-off", "flags", "ready", "phone" };
static const int column_width[COL_COUNT] = { 6, 10, 17, 12, 9, 5, 16 };
/* A name keeps at least this many columns: narrower terminals lose
 * whole columns first (docs/usage.md, `list`). */
#define NAME_MIN 12

/* Which columns fit a terminal of width columns: the call list
 * (--pending-signoff) shows the phone instead of the GP sign-off and
 * readiness (always "pending" and "no" there); then, while the name would
 * get fewer than NAME_MIN columns, the taken date goes, then the
 * treatments, then the flags. */
static void choose_columns(struct list_state *st, int width)
{
	static const enum list_column drop[] = { COL_TAKEN, COL_TREATMENTS, COL_FLAGS };
	int used = 0;

	for (int c = 0; c < COL_COUNT; c++)
		st->show[c] = st->pending_only ? c != COL_STATUS && c != COL_READY : c != COL_PHONE;
	for (int c = 0; c < COL_COUNT; c++)
		used += st->show[c] ? column_width[c] + 1 : 0;
	for (size_t i = 0; st->terminal && i < sizeof drop / sizeof drop[0]; i++) {
		if (width - used >= NAME_MIN)
			break;
		st->show[drop[i]] = false;
		used -= column_width[drop[i]] + 1;
	}
	st->name_cols = width - used;
}

/* "minoxidil+finasteride" etc.: which treatments an intake records, by
 * the drugs' names as the questions ask them (2026.3); short
 * ("min+fin+top+med") when the whole list would not fit width (0: any
 * length). */
static void treatments(const struct answers *a, char *buf, size_t n, int width)
{
	static const char *const ids[] = { "uses_rogaine", "uses_propecia", "uses_other_topical",
					   "uses_other_medical" };
	static const char *const names[] = { "minoxidil", "finasteride", "topical", "medical" };
	static const char *const brief[] = { "min", "fin", "top", "med" };

	for (int shortened = 0; shortened < 2; shortened++) {
		const char *const *word = shortened ? brief : names;
		buf[0] = '\0';
		for (size_t i = 0; i < 4; i++) {
			const char *v = answers_get(a, ids[i]);
			if (v && strcmp(v, "yes") == 0) {
				strncat(buf, buf[0] ? "+" : "", n - strlen(buf) - 1);
				strncat(buf, word[i], n - strlen(buf) - 1);
			}
		}
		if (width <= 0 || (int)strlen(buf) <= width)
			break;
	}
	if (!buf[0])
		snprintf(buf, n, "none");
}

/* The open screening flags: "-", the one flag's brief name, or "N open". */
static void open_flags(const struct intake *in, char *buf, size_t n)
{
	const struct flag_rule *open[FLAGS_MAX];
	size_t count = flags_open(&in->answers, in->cleared, in->clearances, open);

	if (count == 0)
		snprintf(buf, n, "-");
	else if (count == 1)
		snprintf(buf, n, "%s", open[0]->brief);
	else
		snprintf(buf, n, "%d open", (int)count);
}

/* One cell of the table: value made safe (every cell may hold stored
 * text), padded to the column's width, cut with "…" only at a terminal
 * (a pipe gets it whole). */
static int put_cell(const struct list_state *st, const char *value, int width)
{
	char *safe = text_safe(value, false);
	char *fitted = st->terminal && safe ? text_fit(safe, width) : NULL;
	const char *v = fitted ? fitted : safe;
	int rc = -1;

	if (!safe || (st->terminal && !fitted))
		report("out of memory");
	else if (fputs(v, stdout) != EOF && printf("%*s ", width > text_columns(v) ?
								width - text_columns(v) : 0, "") >= 0)
		rc = 0;
	free(fitted);
	free(safe);
	return rc;
}

static int print_table_row(struct list_state *st, const char *const cell[COL_COUNT],
			   const char *name)
{
	char *fitted = NULL;
	int rc = -1;

	if (st->shown == 0) {
		for (int c = 0; c < COL_COUNT; c++)
			if (st->show[c] && printf("%-*s ", column_width[c], column_head[c]) < 0)
				return -1;
		if (puts("client") == EOF)
			return -1;
	}
	for (int c = 0; c < COL_COUNT; c++)
		if (st->show[c] && put_cell(st, cell[c], column_width[c]) < 0)
			return -1;
	if (st->terminal && !(fitted = text_fit(name, st->name_cols))) {
		report("out of memory");
		return -1;
	}
	if (puts(fitted ? fitted : name) != EOF)
		rc = 0;
	free(fitted);
	return rc;
}

static int print_row(const struct intake *in, void *arg)
{
	struct list_state *st = arg;
	const struct answers *a = &in->answers;
	const char *status = answers_signoff_status(a);
	const char *phone = answers_get(a, "phone");
	char id[24], taken[64], what[48], flags[24], *name = NULL, *safe = NULL, *safe_phone = NULL;
	bool ready = !readiness_wait_reason(a, &in->ack, in->cleared, in->clearances);
	size_t n;
	int rc = -1;

	if ((st->pending_only && strcmp(status, "pending") != 0) || (st->ready_only && !ready))
		return 0;
	n = strlen(answers_get(a, "first_name")) + strlen(answers_get(a, "last_name")) + 2;
	if (!(name = malloc(n)))
		goto oom;
	snprintf(name, n, "%s %s", answers_get(a, "first_name"), answers_get(a, "last_name"));
	snprintf(id, sizeof id, "%lld", in->id);
	text_stamp_part(taken, sizeof taken, in->taken_at, 0, 10);
	treatments(a, what, sizeof what, st->fmt == TABLE_TEXT ? column_width[COL_TREATMENTS] : 0);
	open_flags(in, flags, sizeof flags);
	if (st->fmt != TABLE_TEXT) {
		struct json_field f[] = { { "intake", NULL, in->id },
					  { "client_id", NULL, in->client_id },
					  { "taken", taken, 0 },
					  { "treatments", what, 0 },
					  { "gp_signoff", status, 0 },
					  { "flags", flags, 0 },
					  { "ready", ready ? "yes" : "no", 0 },
					  { "client", name, 0 },
					  { "phone", phone ? phone : "", 0 } };
		if (table_row(st->fmt, f, st->pending_only ? 9 : 8, st->shown) < 0)
			goto out;
	} else {
		if (!(safe = text_safe(name, false)) ||
		    !(safe_phone = text_safe(phone ? phone : "", false)))
			goto oom;
		const char *cell[COL_COUNT] = { id,    taken, what, status, flags, ready ? "yes" : "no",
						safe_phone };
		if (print_table_row(st, cell, safe) < 0)
			goto out;
	}
	st->shown++;
	rc = st->limit > 0 && st->shown >= st->limit ? 1 : 0;
	goto out;
oom:
	report("out of memory");
out:
	free(name);
	free(safe);
	free(safe_phone);
	return rc;
}

int cmd_list(struct ctx *ctx, int argc, char **argv)
{
	struct list_state st = { .limit = 20, .fmt = TABLE_TEXT };
	struct intake_query q = { NULL, NULL, true, 0, false };
	struct command_args a;
	const char *limit, *format;
	char *end;
	int rc;

	if (command_parse(argc, argv, &a) < 0)
		return EXIT_USAGE;
	if (command_arg(&a, "pending-signoff"))
		st.pending_only = q.latest_only = true;
	st.ready_only = command_arg(&a, "ready") != NULL;
	q.since = command_arg(&a, "since");
	q.until = command_arg(&a, "until");
	if ((limit = command_arg(&a, "limit"))) {
		st.limit = strtol(limit, &end, 10);
		if (end == limit || *end || st.limit < 0) {
			report("list: --limit: a whole number, 0 for no limit");
			return EXIT_USAGE;
		}
	}
	if ((format = command_arg(&a, "format")) && table_format_parse(format, &st.fmt) < 0) {
		report("list: --format: text, tsv or json");
		return EXIT_USAGE;
	}
	if ((q.since && command_parse_date("list", "--since", q.since) < 0) ||
	    (q.until && command_parse_date("list", "--until", q.until) < 0))
		return EXIT_USAGE;
	if (command_arg(&a, "sessions-due") || command_arg(&a, "touch-up-due")) {
		bool touch_up = command_arg(&a, "touch-up-due") != NULL;
		const char *within = command_arg(&a, "within");
		int days = 14;
		if (command_arg(&a, "sessions-due") && touch_up) {
			report("list: --sessions-due and --touch-up-due exclude each other");
			return EXIT_USAGE;
		}
		if (st.pending_only || st.ready_only || q.since || q.until || limit) {
			report("list: --%s takes only --within and --format",
			       touch_up ? "touch-up-due" : "sessions-due");
			return EXIT_USAGE;
		}
		if (within && course_within_parse(within, &days) < 0) {
			report("list: --within: a whole number of days or weeks, such as 14d or 2w, "
			       "up to %dd", COURSE_WITHIN_MAX);
			return EXIT_USAGE;
		}
		return course_list_due(ctx, touch_up, days, st.fmt);
	}
	if (command_arg(&a, "within")) {
		report("list: --within goes with --sessions-due or --touch-up-due");
		return EXIT_USAGE;
	}
	if (st.pending_only && st.ready_only) {
		report("list: --pending-signoff and --ready exclude each other");
		return EXIT_USAGE;
	}
	/* At a terminal the name gets what the columns leave (15 at 80);
	 * through a pipe every value goes out whole. */
	st.terminal = isatty(STDOUT_FILENO);
	choose_columns(&st, text_terminal_width());
	if (!ctx_db(ctx))
		return EXIT_FAIL;
	rc = db_each_intake_where(ctx->db, &q, print_row, &st);
	if (rc < 0)
		return EXIT_FAIL;
	if (st.fmt != TABLE_TEXT)
		return table_end(st.fmt, st.shown) < 0 ? EXIT_FAIL : EXIT_OK;
	if (st.shown == 0)
		printf("No intake found.\n");
	return EXIT_OK;
}
