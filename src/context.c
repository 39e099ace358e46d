/* context.c - the database and staff member every command shares, opened
 * on first use so that `--help` never touches a file. */
#include "context.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "text.h"

const char *ctx_db_path(struct ctx *ctx)
{
	if (!ctx->db_path)
		ctx->db_path = db_resolve_path(ctx->db_option, false);
	return ctx->db_path;
}

/* Refuses (reported) a database that cannot be written here to a command
 * that must write to it, before anything is asked or shown. */
static int refuse_read_only(const struct ctx *ctx)
{
	const char *why = db_read_only(ctx->db);

	if (!why || ctx->db_need == DB_READS)
		return 0;
	if (ctx->db_need == DB_LOGS_ACCESS)
		report("cannot record this in the access log: the database '%s' is read-only "
		       "(%s); %s needs to record the access",
		       ctx->db_path, why, ctx->command);
	else
		report("the database '%s' is read-only (%s); %s needs to write to it",
		       ctx->db_path, why, ctx->command);
	return -1;
}

/* Opens the database of ctx_db_path(), creating it when ctx->may_create. */
static struct db *ctx_db_open(struct ctx *ctx)
{
	if (!ctx_db_path(ctx))
		return NULL;
	if (ctx->may_create && !db_exists(ctx->db_path)) {
		/* Resolved again to make the default location's folders. */
		char *made = db_resolve_path(ctx->db_option, true);
		if (!made)
			return NULL;
		free(made);
	}
	return ctx->db = db_open_mode(ctx->db_path, ctx->may_create);
}

struct db *ctx_db_only(struct ctx *ctx)
{
	if (!ctx->db && !ctx_db_open(ctx))
		return NULL;
	return refuse_read_only(ctx) < 0 ? NULL : ctx->db;
}

struct db *ctx_db(struct ctx *ctx)
{
	if (!ctx_db_only(ctx))
		return NULL;
	if (ctx->settings_read)
		return ctx->db;
	if (db_settings(ctx->db, &ctx->settings) < 0)
		return NULL;
	ctx->settings_read = true;
	return ctx->db;
}

bool ctx_staff_valid(const char *staff)
{
	return !text_is_blank(staff) && text_is_utf8(staff, strlen(staff)) &&
	       !text_has_control(staff, false) &&
	       text_codepoints(staff) <= 100;
}

const char *ctx_login_name(void)
{
	const struct passwd *pw = getpwuid(getuid());

	return pw && pw->pw_name && *pw->pw_name ? pw->pw_name : NULL;
}

const char *ctx_staff_given(const struct ctx *ctx)
{
	const char *staff = ctx->staff_option;

	if (!staff || !*staff)
		staff = getenv("SMP_INTAKE_STAFF");
	if (!staff || !*staff)
		staff = ctx->desk_staff;
	return staff && *staff ? staff : NULL;
}

const char *ctx_staff(struct ctx *ctx)
{
	const char *staff = ctx_staff_given(ctx);

	if (!staff) {
		/* The login name only when the studio allows it. */
		if (!ctx_db(ctx))
			return NULL;
		if (ctx->settings.staff_required) {
			report("this studio records who did it: give --staff NAME or set "
			       "SMP_INTAKE_STAFF (config staff_required is yes)");
			return NULL;
		}
		staff = ctx_login_name();
	}
	if (!staff || !*staff) {
		report("who is taking the intake? give --staff NAME or set SMP_INTAKE_STAFF");
		return NULL;
	}
	if (!ctx_staff_valid(staff)) {
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
	free(ctx->desk_staff);
	ctx->db = NULL;
	ctx->db_path = NULL;
	ctx->desk_staff = NULL;
}

int ctx_load_intake(struct ctx *ctx, long long id, struct intake *in)
{
	switch (db_load_intake(ctx->db, id, in)) {
	case DB_OK:
		return 0;
	case DB_MISSING:
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
