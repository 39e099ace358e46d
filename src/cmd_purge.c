/* cmd_purge.c - `smp-intake purge --older-than DURATION [--yes]
 * [--override REASON]`: the end of a retention period.  Lists the clients
 * not seen (no intake, no session) for longer than DURATION; with --yes
 * erases each of them as `erase` would.  A client seen inside the studio's
 * retention period (config retention_years) is kept unless --override
 * gives the reason, which each such erasure records.  Drafts untouched
 * for longer than the studio's draft_max_age go too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "date.h"
#include "erasure.h"
#include "report.h"
#include "text.h"

/* Parses DURATION (7y, 18m, 90d) and works out the first day it keeps:
 * today (UTC, as intakes are dated) less DURATION.  Returns 0, or -1
 * (reported). */
static int cutoff(const char *text, struct date *out)
{
	static const struct {
		char unit;
		long most;
	} units[] = { { 'y', 100 }, { 'm', 1200 }, { 'd', 36525 } };
	size_t len = strlen(text), digits = strspn(text, "0123456789");
	struct date today = date_today_utc();
	long n = 0;

	if (len >= 2 && len <= 7 && digits == len - 1)
		n = strtol(text, NULL, 10);
	for (size_t i = 0; n > 0 && i < sizeof units / sizeof units[0]; i++) {
		if (text[len - 1] != units[i].unit || n > units[i].most)
			continue;
		if (units[i].unit == 'd')
			*out = date_add_days(today, -(int)n);
		else
			*out = date_add_months(today, -(int)(units[i].unit == 'y' ? n * 12 : n));
		return 0;
	}
	report("purge: --older-than: a duration is a whole number of years, months or days "
	       "above 0, such as 7y, 18m or 90d, and at most 100 years");
	return -1;
}

/* The clients to erase, collected before any is erased: the list is read
 * in one read transaction, and an erasure needs a write transaction. */
struct old_clients {
	size_t count;
	long long *id;
	char **seen; /* the last intake's UTC day (or the record's), made safe */
	char **name; /* made safe for the terminal */
	bool *inside; /* seen inside the studio's retention period (NULL: none set) */
};

static void old_clients_clear(struct old_clients *o)
{
	for (size_t i = 0; i < o->count; i++) {
		free(o->seen[i]);
		free(o->name[i]);
	}
	free(o->id);
	free(o->seen);
	free(o->name);
	free(o->inside);
	memset(o, 0, sizeof *o);
}

static int collect(const struct client_match *m, void *arg)
{
	struct old_clients *o = arg;
	size_t n = o->count + 1;
	long long *id = realloc(o->id, n * sizeof *id);
	char **seen = id ? realloc(o->seen, n * sizeof *seen) : NULL;
	char **name = seen ? realloc(o->name, n * sizeof *name) : NULL;
	char *joined, day[64];

	if (id)
		o->id = id;
	if (seen)
		o->seen = seen;
	if (!name) {
		report("out of memory");
		return -1;
	}
	o->name = name;
	joined = text_join(m->first_name, " ", m->last_name);
	o->id[o->count] = m->client_id;
	o->seen[o->count] = strdup(text_stamp_part(day, sizeof day, m->last_taken_at, 0, 10));
	o->name[o->count] = joined ? text_safe(joined, false) : NULL;
	o->count++;
	free(joined);
	if (!o->seen[o->count - 1] || !o->name[o->count - 1]) {
		report("out of memory");
		return -1;
	}
	return 0;
}

/* Marks the clients seen on or after first_day (inside the studio's
 * retention period); without override, takes them off the list (they are
 * kept).  Returns how many were inside, or -1 when out of memory. */
static long split_retained(struct old_clients *o, const char *first_day, bool override)
{
	size_t kept = 0, n = 0;

	if (!(o->inside = calloc(o->count ? o->count : 1, sizeof *o->inside))) {
		report("out of memory");
		return -1;
	}
	for (size_t i = 0; i < o->count; i++) {
		bool inside = strcmp(o->seen[i], first_day) >= 0;
		kept += inside;
		if (inside && !override) {
			free(o->seen[i]);
			free(o->name[i]);
			continue;
		}
		o->id[n] = o->id[i];
		o->seen[n] = o->seen[i];
		o->name[n] = o->name[i];
		o->inside[n++] = inside;
	}
	o->count = n;
	return (long)kept;
}

/* The line on the clients inside the retention period: kept, or (with
 * --override) erased with its reason. */
static void print_retained(long inside, bool override, bool yes, const char *first_day,
			   int years)
{
	if (inside <= 0)
		return;
	if (!override)
		printf("Kept %ld client%s seen since %s, inside the studio's retention period\n"
		       "(%d year%s, config retention_years); purge --override REASON erases %s.\n",
		       inside, inside == 1 ? "" : "s", first_day, years, years == 1 ? "" : "s",
		       inside == 1 ? "it" : "them");
	else
		printf("%ld of them %s seen since %s, inside the studio's retention period\n"
		       "(%d year%s): the --override reason %s recorded with %s erasure.\n",
		       inside, inside == 1 ? "was" : "were", first_day, years, years == 1 ? "" : "s",
		       yes ? "is" : "would be", inside == 1 ? "its" : "each");
}

/* Without --yes: who would be erased, and how to do it. */
static void print_dry_run(const struct old_clients *o, const char *duration, const char *before,
			  bool override)
{
	int room = text_terminal_width() - 21;

	printf("Clients whose last intake is before %s (%s ago), who would be erased:\n", before,
	       duration);
	printf("%-7s %-12s %s\n", "client", "last seen", "name");
	for (size_t i = 0; i < o->count; i++) {
		char *fitted = text_fit(o->name[i], room);
		printf("%-7lld %-12s %s\n", o->id[i], o->seen[i], fitted ? fitted : o->name[i]);
		free(fitted);
	}
	printf("%zu client%s would be erased; nothing was changed. To erase %s: smp-intake purge "
	       "--older-than %s%s --yes\n",
	       o->count, o->count == 1 ? "" : "s", o->count == 1 ? "it" : "them", duration,
	       override ? " --override REASON" : "");
}

/* With --yes: erases each client, one transaction each, so that a failure
 * halfway (a full disk) leaves every client either wholly erased or wholly
 * there, a second run finishes the job, and other terminals wait for one
 * client's erasure at a time rather than for the whole purge. */
static int erase_all(struct ctx *ctx, const struct old_clients *o, const char *before,
		     const char *reason, size_t *erased_out)
{
	const char *staff = ctx_staff(ctx);
	char when[21];
	size_t erased = 0, intakes;
	int rc = EXIT_OK;

	if (!staff)
		return EXIT_FAIL;
	if (date_now_utc(when) < 0) {
		report("cannot read the clock");
		return EXIT_FAIL;
	}
	for (size_t i = 0; i < o->count && rc == EXIT_OK; i++) {
		/* before is checked again inside the erasure: an intake or a
		 * session recorded since the list was read keeps the client. */
		switch (db_erase_client_reason(ctx->db, o->id[i], before, staff, when, false,
					       o->inside && o->inside[i] ? reason : NULL, &intakes)) {
		case DB_ERASE_OK:
			printf("Erased client %lld and its %zu intake%s.\n", o->id[i], intakes,
			       intakes == 1 ? "" : "s");
			erased++;
			break;
		case DB_ERASE_MISSING:
			break; /* erased by someone else meanwhile */
		case DB_ERASE_KEPT:
			printf("Kept client %lld: an intake or a session was recorded meanwhile.\n",
			       o->id[i]);
			break;
		default:
			rc = EXIT_FAIL;
		}
	}
	if (erased)
		printf("Erased %zu client%s whose last intake was before %s.\n", erased,
		       erased == 1 ? "" : "s", before);
	*erased_out = erased;
	return rc;
}

/* The drafts untouched for longer than the studio's draft_max_age: without
 * --yes, how many would go; with it, removes them.  Sets *removed. */
static int purge_drafts(struct ctx *ctx, bool yes, long long *removed)
{
	int days = ctx->settings.draft_max_days;
	long long n = db_drafts_older_than(ctx->db, days, yes);

	*removed = 0;
	if (n < 0)
		return EXIT_FAIL;
	if (n && !yes)
		printf("%lld draft%s untouched for more than %d days (config draft_max_age) would be "
		       "removed.\n",
		       n, n == 1 ? "" : "s", days);
	else if (n)
		printf("Removed %lld draft%s untouched for more than %d days (config "
		       "draft_max_age).\n",
		       n, n == 1 ? "" : "s", days);
	if (yes)
		*removed = n;
	return EXIT_OK;
}

int cmd_purge(struct ctx *ctx, int argc, char **argv)
{
	struct command_args a;
	const char *duration;
	struct old_clients o = { 0 };
	struct date first_kept;
	char before[11], retained[11], *override = NULL;
	bool yes, retention;
	size_t erased = 0;
	long long drafts = 0;
	long inside = 0;
	int rc = EXIT_USAGE;

	if (command_parse(argc, argv, &a) < 0)
		return EXIT_USAGE;
	duration = command_arg(&a, "older-than");
	yes = command_arg(&a, "yes") != NULL;
	if (!duration) {
		command_usage(stderr, "purge");
		return EXIT_USAGE;
	}
	if (cutoff(duration, &first_kept) < 0)
		return EXIT_USAGE;
	if (command_arg(&a, "override") && !(override = strdup(command_arg(&a, "override")))) {
		report("out of memory");
		return EXIT_FAIL;
	}
	if (override && erasure_reason_check("purge: --override", override) < 0)
		goto out;
	rc = EXIT_FAIL;
	date_format(first_kept, before);
	if (!ctx_db(ctx))
		goto out;
	if (!(retention = retention_first_day(&ctx->settings, retained)) && override) {
		report("purge: --override: the studio has not set a retention period (config "
		       "retention_years), so there is nothing to override; nothing erased");
		rc = EXIT_USAGE;
		goto out;
	}
	if (db_each_client_before(ctx->db, before, collect, &o) != 0)
		goto out;
	/* Inside the retention period: kept, or erased with --override's reason. */
	if (retention && (inside = split_retained(&o, retained, override != NULL)) < 0)
		goto out;
	if (o.count == 0 && inside == 0)
		printf("No client's last intake is before %s (%s ago): nothing to erase.\n", before,
		       duration);
	else if (o.count && !yes)
		print_dry_run(&o, duration, before, override != NULL);
	/* Without --override the earlier day counts, so that a client seen
	 * meanwhile inside the retention period is kept. */
	rc = o.count && yes ? erase_all(ctx, &o,
					retention && !override && strcmp(retained, before) < 0
						? retained
						: before,
					override, &erased)
			    : EXIT_OK;
	print_retained(inside, override != NULL, yes, retained, ctx->settings.retention_years);
	if (!retention && !yes)
		retention_note_not_set(stdout);
	if (rc == EXIT_OK)
		rc = purge_drafts(ctx, yes, &drafts);
	/* Once, for the clients and the drafts: no value stays in the file. */
	if ((erased || drafts) && erase_finish(ctx) != EXIT_OK)
		rc = EXIT_FAIL;
out:
	old_clients_clear(&o);
	free(override);
	return rc;
}
