/* cmd_purge.c - `smp-intake purge --older-than DURATION [--yes]`: the end
 * of a retention period.  Lists the clients with no intake for longer than
 * DURATION; with --yes erases each of them as `erase` would.  Drafts
 * untouched for longer than the studio's draft_max_age go too. */
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

/* Without --yes: who would be erased, and how to do it. */
static void print_dry_run(const struct old_clients *o, const char *duration, const char *before)
{
	int room = text_terminal_width() - 21;

	printf("Clients whose last intake is before %s (%s ago), who would be erased:\n", before,
	       duration);
	printf("%-7s %-12s %s\n", "client", "last intake", "name");
	for (size_t i = 0; i < o->count; i++) {
		char *fitted = text_fit(o->name[i], room);
		printf("%-7lld %-12s %s\n", o->id[i], o->seen[i], fitted ? fitted : o->name[i]);
		free(fitted);
	}
	printf("%zu client%s would be erased; nothing was changed. To erase %s: smp-intake purge "
	       "--older-than %s --yes\n",
	       o->count, o->count == 1 ? "" : "s", o->count == 1 ? "it" : "them", duration);
}

/* With --yes: erases each client, one transaction each, so that a failure
 * halfway (a full disk) leaves every client either wholly erased or wholly
 * there, a second run finishes the job, and other terminals wait for one
 * client's erasure at a time rather than for the whole purge. */
static int erase_all(struct ctx *ctx, const struct old_clients *o, const char *before,
		     size_t *erased_out)
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
		/* before is checked again inside the erasure: an intake saved
		 * since the list was read keeps the client. */
		switch (db_erase_client(ctx->db, o->id[i], before, staff, when, false, &intakes)) {
		case DB_ERASE_OK:
			printf("Erased client %lld and its %zu intake%s.\n", o->id[i], intakes,
			       intakes == 1 ? "" : "s");
			erased++;
			break;
		case DB_ERASE_MISSING:
			break; /* erased by someone else meanwhile */
		case DB_ERASE_KEPT:
			printf("Kept client %lld: an intake was saved meanwhile.\n", o->id[i]);
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
	char before[11];
	bool yes;
	size_t erased = 0;
	long long drafts = 0;
	int rc;

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
	date_format(first_kept, before);
	if (!ctx_db(ctx))
		return EXIT_FAIL;
	if (db_each_client_before(ctx->db, before, collect, &o) != 0) {
		old_clients_clear(&o);
		return EXIT_FAIL;
	}
	if (o.count == 0)
		printf("No client's last intake is before %s (%s ago): nothing to erase.\n", before,
		       duration);
	else if (!yes)
		print_dry_run(&o, duration, before);
	rc = o.count && yes ? erase_all(ctx, &o, before, &erased) : EXIT_OK;
	if (rc == EXIT_OK)
		rc = purge_drafts(ctx, yes, &drafts);
	/* Once, for the clients and the drafts: no value stays in the file. */
	if ((erased || drafts) && erase_finish(ctx) != EXIT_OK)
		rc = EXIT_FAIL;
	old_clients_clear(&o);
	return rc;
}
