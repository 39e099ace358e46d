/* cmd_consent.c - `smp-intake consent CLIENT [--photos yes|no] [--marketing
 * yes|no]`: the client's photo consents, given at the assessment
 * (questionnaire 2026.4) and withdrawn or given again here, audited.
 * Without an option it prints them: as they stand, and every change. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "command.h"
#include "report.h"
#include "text.h"

/* What each kind is called in print. */
static const char *kind_label(const char *kind)
{
	return strcmp(kind, "photos") == 0 ? "Keep photos in the record" : "Use photos for marketing";
}

/* Reads option name's value ("yes", "no", y, n in any case) into *out, as
 * the questions read a yes/no.  Returns 0 (*out NULL when not given), or
 * -1 (reported). */
static int option_yesno(const struct command_args *a, const char *name, const char **out)
{
	const struct question *q = &questionnaire[questionnaire_index("consent_photos")];
	const char *text = command_arg(a, name);
	struct rules rules = { date_today(), 18, DATES_STORED };
	char why[160], *value = NULL;

	*out = NULL;
	if (!text)
		return 0;
	if (question_check(q, text, NULL, &rules, &value, why, sizeof why) < 0) {
		report("consent: --%s: %s", name, strcmp(why, "an answer is required") == 0
							? "a value is required: yes or no"
							: why);
		return -1;
	}
	*out = strcmp(value, "yes") == 0 ? "yes" : "no";
	free(value);
	return 0;
}

/* How a consent row came: "at intake N" or "with consent", by whom. */
static void print_how(const struct consent_row *r)
{
	char *staff = text_safe(r->staff, false), *at = text_safe(r->at, false);

	if (r->intake_id)
		printf("%s  at intake %lld (%s)", at ? at : "", r->intake_id, staff ? staff : "");
	else
		printf("%s  with `consent` (%s)", at ? at : "", staff ? staff : "");
	free(staff);
	free(at);
}

/* The rows of one client, gathered to print the latest of each kind first
 * and then every change. */
struct rows {
	struct consent_row *row;
	char **held; /* the copies the rows point into */
	size_t count, held_count;
};

static char *keep(struct rows *r, const char *s)
{
	char **more = realloc(r->held, (r->held_count + 1) * sizeof *more);

	if (!more)
		return NULL;
	r->held = more;
	if (!(more[r->held_count] = strdup(s)))
		return NULL;
	return more[r->held_count++];
}

static int gather(const struct consent_row *row, void *arg)
{
	struct rows *r = arg;
	struct consent_row *more = realloc(r->row, (r->count + 1) * sizeof *more);

	if (!more) {
		report("out of memory");
		return -1;
	}
	r->row = more;
	more[r->count] = *row;
	if (!(more[r->count].kind = keep(r, row->kind)) ||
	    !(more[r->count].value = keep(r, row->value)) ||
	    !(more[r->count].at = keep(r, row->at)) ||
	    !(more[r->count].staff = keep(r, row->staff))) {
		report("out of memory");
		return -1;
	}
	r->count++;
	return 0;
}

static void rows_clear(struct rows *r)
{
	for (size_t i = 0; i < r->held_count; i++)
		free(r->held[i]);
	free(r->held);
	free(r->row);
}

/* Prints client id's consents: each as it stands, then every change. */
static int print_consents(struct ctx *ctx, long long id)
{
	static const char *const kinds[] = { "photos", "marketing" };
	struct rows r = { 0 };

	if (db_each_consent(ctx->db, id, gather, &r) != 0) {
		rows_clear(&r);
		return EXIT_FAIL;
	}
	printf("Photo consents of client %lld\n", id);
	if (r.count == 0) {
		printf("  Not asked: the client's intakes are from before questionnaire 2026.4.\n"
		       "  Record them with smp-intake consent %lld --photos yes|no [--marketing "
		       "yes|no].\n", id);
		rows_clear(&r);
		return EXIT_OK;
	}
	for (size_t k = 0; k < 2; k++) {
		const struct consent_row *last = NULL;
		for (size_t i = 0; i < r.count; i++)
			if (strcmp(r.row[i].kind, kinds[k]) == 0)
				last = &r.row[i];
		printf("  %-26s ", kind_label(kinds[k]));
		if (!last) {
			printf("not asked\n");
			continue;
		}
		printf("%-3s  since ", last->value);
		print_how(last);
		putchar('\n');
	}
	printf("\nEvery change, oldest first:\n");
	for (size_t i = 0; i < r.count; i++) {
		printf("  %-9s %-3s  ", r.row[i].kind, r.row[i].value);
		print_how(&r.row[i]);
		putchar('\n');
	}
	rows_clear(&r);
	return EXIT_OK;
}

static int count_photo(const struct photo *p, void *arg)
{
	(void)p;
	(*(long long *)arg)++;
	return 0;
}

int cmd_consent(struct ctx *ctx, int argc, char **argv)
{
	struct consent_state now;
	struct command_args a;
	const char *photos, *marketing, *staff;
	char when[21];
	long long id, stored = 0;
	int changed;

	if (command_parse(argc, argv, &a) < 0 || option_yesno(&a, "photos", &photos) < 0 ||
	    option_yesno(&a, "marketing", &marketing) < 0)
		return EXIT_USAGE;
	if (!(id = command_parse_id(argv[1], "CLIENT")))
		return EXIT_USAGE;
	if (photos && marketing && strcmp(photos, "no") == 0 && strcmp(marketing, "yes") == 0) {
		report("consent: --marketing yes needs the photos kept: it cannot go with "
		       "--photos no");
		return EXIT_USAGE;
	}
	if (!ctx_db(ctx))
		return EXIT_FAIL;
	switch (db_consent(ctx->db, id, &now)) {
	case DB_OK: break;
	case DB_MISSING: ctx_report_missing(ctx, true, id); return EXIT_FAIL;
	default: return EXIT_FAIL;
	}
	/* The consents as they stand are the client's data: logged first. */
	if (!photos && !marketing)
		return access_record_client(ctx, "consent", id) == EXIT_OK ? print_consents(ctx, id)
									   : EXIT_FAIL;
	/* Marketing use is of the photos kept: without that consent there is
	 * nothing to use, and withdrawing it withdraws marketing too. */
	if (marketing && strcmp(marketing, "yes") == 0 && !photos && strcmp(now.photos, "yes") != 0) {
		report("consent: client %lld has not agreed to photos being kept; give --photos "
		       "yes with --marketing yes", id);
		return EXIT_FAIL;
	}
	if (photos && strcmp(photos, "no") == 0 && !marketing && strcmp(now.marketing, "yes") == 0)
		marketing = "no";
	if (!(staff = ctx_staff(ctx)))
		return EXIT_FAIL;
	if (date_now_utc(when) < 0) {
		report("cannot read the clock");
		return EXIT_FAIL;
	}
	switch (db_set_consents(ctx->db, id, photos, marketing, when, staff, &changed)) {
	case DB_OK: break;
	case DB_MISSING: ctx_report_missing(ctx, true, id); return EXIT_FAIL;
	default: return EXIT_FAIL;
	}
	if (!changed) {
		printf("No change: client %lld's consents already stand so.\n", id);
		return EXIT_OK;
	}
	printf("Saved client %lld's photo consents:\n", id);
	if (photos)
		printf("  %-26s %s (was %s)\n", kind_label("photos"), photos,
		       now.photos[0] ? now.photos : "not asked");
	if (marketing)
		printf("  %-26s %s (was %s)\n", kind_label("marketing"), marketing,
		       now.marketing[0] ? now.marketing : "not asked");
	if (photos && strcmp(photos, "no") == 0) {
		struct photo_query q = { .client_id = id };
		if (db_each_photo(ctx->db, &q, count_photo, &stored) < 0)
			return EXIT_FAIL;
		if (stored)
			printf("Client %lld still has %lld photo%s stored: remove %s with smp-intake "
			       "photo rm.\n",
			       id, stored, stored == 1 ? "" : "s", stored == 1 ? "it" : "them");
	}
	return EXIT_OK;
}
