/* cmd_list.c - `smp-intake list`: recent intakes as a table fitted to the
 * terminal, with the receptionist's filters (who still needs a GP's
 * sign-off, who is ready for a session). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "report.h"
#include "text.h"

struct list_state {
	bool pending_only, ready_only;
	long limit, shown;
	int name_cols;
};

/* "rogaine+propecia" etc.: which treatments an intake records. */
static void treatments(const struct answers *a, char *buf, size_t n)
{
	static const char *const ids[] = { "uses_rogaine", "uses_propecia", "uses_other_topical",
					   "uses_other_medical" };
	static const char *const names[] = { "rogaine", "propecia", "topical", "medical" };

	buf[0] = '\0';
	for (size_t i = 0; i < 4; i++) {
		const char *v = answers_get(a, ids[i]);
		if (v && strcmp(v, "yes") == 0) {
			strncat(buf, buf[0] ? "+" : "", n - strlen(buf) - 1);
			strncat(buf, names[i], n - strlen(buf) - 1);
		}
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

static int print_row(const struct intake *in, void *arg)
{
	struct list_state *st = arg;
	const struct answers *a = &in->answers;
	const char *status = answers_signoff_status(a);
	char what[48], flags[24], *name = NULL, *safe = NULL, *fitted = NULL;
	bool ready = !readiness_wait_reason(a, &in->ack, in->cleared, in->clearances);
	size_t n;
	int rc = -1;

	if ((st->pending_only && strcmp(status, "pending") != 0) || (st->ready_only && !ready))
		return 0;
	n = strlen(answers_get(a, "first_name")) + strlen(answers_get(a, "last_name")) + 2;
	if (!(name = malloc(n)))
		goto out;
	snprintf(name, n, "%s %s", answers_get(a, "first_name"), answers_get(a, "last_name"));
	if (!(safe = text_safe(name, false)) || !(fitted = text_fit(safe, st->name_cols)))
		goto out;
	if (st->shown == 0)
		printf("%-6s %-10s %-17s %-12s %-9s %-5s %s\n", "intake", "taken", "treatments",
		       "GP sign-off", "flags", "ready", "client");
	treatments(a, what, sizeof what);
	open_flags(in, flags, sizeof flags);
	printf("%-6lld %-10.10s %-17s %-12s %-9s %-5s %s\n", in->id, in->taken_at, what, status,
	       flags, ready ? "yes" : "no", fitted);
	st->shown++;
	rc = st->limit > 0 && st->shown >= st->limit ? 1 : 0;
out:
	if (rc < 0)
		report("out of memory");
	free(name);
	free(safe);
	free(fitted);
	return rc;
}

int cmd_list(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { "pending-signoff", no_argument, NULL, 'p' },
					      { "ready", no_argument, NULL, 'r' },
					      { "since", required_argument, NULL, 's' },
					      { "until", required_argument, NULL, 'u' },
					      { "limit", required_argument, NULL, 'l' },
					      { NULL, 0, NULL, 0 } };
	struct list_state st = { false, false, 20, 0, 0 };
	struct intake_query q = { NULL, NULL, true, 0 };
	char *end;
	int c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'p': st.pending_only = true; break;
		case 'r': st.ready_only = true; break;
		case 's': q.since = optarg; break;
		case 'u': q.until = optarg; break;
		case 'l':
			st.limit = strtol(optarg, &end, 10);
			if (end == optarg || *end || st.limit < 0) {
				report("list: --limit: a whole number, 0 for no limit");
				return EXIT_USAGE;
			}
			break;
		default: return command_bad_option("list", argc, argv);
		}
	}
	if (optind != argc) {
		report("list takes no arguments besides its options");
		return EXIT_USAGE;
	}
	if ((q.since && command_parse_date("list", "--since", q.since) < 0) ||
	    (q.until && command_parse_date("list", "--until", q.until) < 0))
		return EXIT_USAGE;
	if (st.pending_only && st.ready_only) {
		report("list: --pending-signoff and --ready exclude each other");
		return EXIT_USAGE;
	}
	/* The fixed columns take 65; the client's name gets the rest (15 at
	 * 80 columns). */
	st.name_cols = text_terminal_width() - 65;
	if (st.name_cols < 12)
		st.name_cols = 12;
	if (!ctx_db(ctx))
		return EXIT_FAIL;
	rc = db_each_intake_where(ctx->db, &q, print_row, &st);
	if (rc < 0)
		return EXIT_FAIL;
	if (st.shown == 0)
		printf("No intake found.\n");
	return EXIT_OK;
}
