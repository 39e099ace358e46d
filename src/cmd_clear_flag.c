/* cmd_clear_flag.c - `smp-intake clear-flag ID FLAG --reason TEXT`: the
 * artist has looked into a screening flag and clears it, saying why.  The
 * clearance and its reason go into the audit; a flag is never dropped
 * without one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "report.h"
#include "text.h"

#define REASON_MAX_CP 500

/* The flag ids, for a message: "flag-a, flag-b". */
static void flag_ids(char *buf, size_t n)
{
	buf[0] = '\0';
	for (size_t i = 0; i < flag_rule_count; i++) {
		strncat(buf, i ? ", " : "", n - strlen(buf) - 1);
		strncat(buf, flag_rules[i].id, n - strlen(buf) - 1);
	}
}

int cmd_clear_flag(struct ctx *ctx, int argc, char **argv)
{
	struct intake in = { 0 };
	struct command_args a;
	struct clearance c = { 0 };
	const struct flag_rule *flag;
	const char *staff;
	char *reason = NULL, when[21], ids[200];
	long long id;
	int rc = EXIT_FAIL;

	if (command_parse(argc, argv, &a) < 0)
		return EXIT_USAGE;
	if (command_arg(&a, "reason") && !(reason = strdup(command_arg(&a, "reason")))) {
		report("out of memory");
		return EXIT_FAIL;
	}
	rc = EXIT_USAGE;
	if (!(id = command_parse_id(argv[1], "ID")))
		goto out;
	if (!(flag = flag_find(argv[2]))) {
		flag_ids(ids, sizeof ids);
		report("clear-flag: no flag '%.40s'; the flags are %s", argv[2], ids);
		goto out;
	}
	if (!reason || text_is_blank(text_trim(reason))) {
		report("clear-flag: --reason TEXT is required: say why the flag can be cleared");
		goto out;
	}
	if (!text_is_utf8(reason, strlen(reason)) || text_has_control(reason, false) ||
	    text_codepoints(reason) > REASON_MAX_CP) {
		report("clear-flag: --reason must be one line of text, at most %d characters",
		       REASON_MAX_CP);
		goto out;
	}
	rc = EXIT_FAIL;
	if (!(staff = ctx_staff(ctx)) || !ctx_db(ctx))
		goto out;
	if (ctx_load_intake(ctx, id, &in) < 0)
		goto out;
	if (!flag_raised(flag, &in.answers)) {
		report("intake %lld does not raise %s; nothing to clear", id, flag->id);
		goto out;
	}
	if (date_now_utc(when) < 0) {
		report("cannot read the clock");
		goto out;
	}
	c = (struct clearance){ (char *)flag->id, reason, when, (char *)staff };
	switch (db_clear_flag(ctx->db, id, &c)) {
	case DB_OK:
		printf("Cleared %s on intake %lld.\n", flag->id, id);
		rc = EXIT_OK;
		break;
	case DB_MISSING:
		ctx_report_missing(ctx, false, id);
		break;
	case DB_CONFLICT:
		report("%s on intake %lld is already cleared (smp-intake show %lld says by whom)",
		       flag->id, id, id);
		break;
	default:
		break;
	}
out:
	free(reason);
	intake_clear(&in);
	return rc;
}
