/* context.c - the database and staff member every command shares, opened
 * on first use so that `--help` never touches a file. */
#include "command.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "text.h"

struct db *ctx_db_only(struct ctx *ctx)
{
	if (ctx->db)
		return ctx->db;
	if (!ctx->db_path && !(ctx->db_path = db_resolve_path(ctx->db_option)))
		return NULL;
	return ctx->db = db_open(ctx->db_path);
}

struct db *ctx_db(struct ctx *ctx)
{
	if (ctx->settings_read)
		return ctx->db;
	if (!ctx_db_only(ctx))
		return NULL;
	if (db_settings(ctx->db, &ctx->settings) < 0)
		return NULL;
	ctx->settings_read = true;
	return ctx->db;
}

const char *ctx_staff(struct ctx *ctx)
{
	const char *staff = ctx->staff_option;
	const struct passwd *pw;

	if (!staff || !*staff)
		staff = getenv("SMP_INTAKE_STAFF");
	if ((!staff || !*staff) && (pw = getpwuid(getuid())))
		staff = pw->pw_name;
	if (!staff || !*staff) {
		report("who is taking the intake? give --staff NAME or set SMP_INTAKE_STAFF");
		return NULL;
	}
	if (!text_is_utf8(staff, strlen(staff)) || text_has_control(staff, false) ||
	    text_codepoints(staff) > 100) {
		report("--staff: a staff name is 1 to 100 characters of text without control "
		       "characters");
		return NULL;
	}
	return staff;
}

void ctx_close(struct ctx *ctx)
{
	db_close(ctx->db);
	free(ctx->db_path);
	ctx->db = NULL;
	ctx->db_path = NULL;
}

int ctx_load_intake(struct ctx *ctx, long long id, struct intake *in)
{
	switch (db_load_intake(ctx->db, id, in)) {
	case 0:
		return 0;
	case 1:
		ctx_report_missing(ctx, false, id);
		return -1;
	default:
		return -1;
	}
}

void ctx_report_missing(struct ctx *ctx, bool clients, long long id)
{
	const char *what = clients ? "client" : "intake";
	char *when = NULL, *who = NULL;

	if (ctx->db && db_erased(ctx->db, clients, id, &when, &who) == 1)
		report("%s %lld was erased on %.10s by %s", what, id, when, who);
	else
		report("no %s %lld (see smp-intake find)", what, id);
	free(when);
	free(who);
}
