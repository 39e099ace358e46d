/* cmd_import.c - `smp-intake import FILE`: an export read back record by
 * record, each checked as `new` checks answers, matched by uuid, and
 * written all or none in one transaction (docs/import.md). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "command.h"
#include "date.h"
#include "import.h"
#include "process.h"
#include "report.h"

/* The file is read through a buffer of this size, whatever its length. */
#define READ_BUFFER (64 * 1024)

/* Problems listed one per line before the rest are only counted. */
#define PROBLEMS_SHOWN 20

struct tally {
	const char *name; /* the file, as messages name it */
	long long added, unchanged, updated, conflicts, refused;
	long long sessions, photos, consents; /* format 3: rows added */
	bool unreadable; /* the scan stopped: the file is not an export to its end */
	long long shown;
};

static ssize_t read_fd(void *arg, char *buf, size_t n)
{
	return read(*(int *)arg, buf, n);
}

/* Reports one problem of the file, or only counts it past the first
 * PROBLEMS_SHOWN. */
__attribute__((format(printf, 2, 3))) static void problem(struct tally *t, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (t->shown++ < PROBLEMS_SHOWN)
		report("%s: %s", t->name, msg);
}

/* What differs between a record and the intake stored with its uuid, in
 * words, into buf. */
static const char *differences(const struct import_result *res, char *buf, size_t n)
{
	const char *part[4];
	size_t count = 0, used = 0;

	if (res->answers)
		part[count++] = "answers";
	if (res->client)
		part[count++] = "client details";
	if (res->advice)
		part[count++] = "advice";
	if (res->record)
		part[count++] = "record keeping (versions, acknowledgement or flag clearances)";
	buf[0] = '\0';
	for (size_t i = 0; i < count && used < n; i++)
		used += (size_t)snprintf(buf + used, n - used, "%s%s",
					 i == 0 ? "" : i + 1 == count ? " and " : ", ", part[i]);
	return buf;
}

/* Counts the outcome of the record at position, reporting a refusal. */
static void tally_result(struct tally *t, const struct intake *in, long long position,
			 const struct import_result *res)
{
	char what[160];

	switch (res->outcome) {
	case IMPORT_ADDED:
		t->added++;
		break;
	case IMPORT_UNCHANGED:
		t->unchanged++;
		break;
	case IMPORT_UPDATED:
		t->updated++;
		break;
	case IMPORT_CONFLICT:
		t->conflicts++;
		problem(t,
			"record %lld: uuid %s: intake %lld is stored with other %s (a conflict; "
			"--update replaces it)",
			position, in->uuid, res->intake_id, differences(res, what, sizeof what));
		break;
	case IMPORT_DUPLICATE:
		t->refused++;
		problem(t, "record %lld: uuid: the same as record %lld's (one intake given twice)",
			position, res->earlier);
		break;
	case IMPORT_REFUSED:
		t->refused++;
		problem(t, "record %lld: %s", position, res->why);
		break;
	case IMPORT_MISMATCH:
		t->refused++;
		problem(
		    t,
		    "record %lld: %s: intake %lld has this uuid with another %s (a uuid names one "
		    "intake)",
		    position, res->field, res->intake_id, res->field);
		break;
	}
}

/* Reads, checks and imports every record.  Returns 0, or -1 when the
 * database failed (reported). */
static int import_all(struct import_reader *r, struct db_import *im,
		      const struct import_checks *chk, struct tally *t)
{
	struct intake in = {0};
	struct import_course course = {0};
	struct import_result res;
	const char *text;
	char why[400], erased_on[11];
	size_t len;
	int rc, erased;

	while ((rc = import_reader_next(r, &text, &len, why, sizeof why)) == 1) {
		long long position = import_reader_count(r);

		intake_clear(&in);
		import_course_clear(&course);
		if (import_record_parse_course(text, len, chk, &in, &course, why, sizeof why) < 0) {
			t->refused++;
			problem(t, "record %lld: %s", position, why);
			continue;
		}
		if ((erased = db_import_erased(im, &in, erased_on)) != 0) {
			if (erased < 0) {
				intake_clear(&in);
				import_course_clear(&course);
				return -1;
			}
			t->refused++;
			problem(t, "record %lld: intake %s was erased on %s", position, in.uuid,
				erased_on);
			continue;
		}
		if (db_import_record(im, &in, position, &res) < 0 ||
		    ((res.outcome == IMPORT_ADDED || res.outcome == IMPORT_UNCHANGED ||
		      res.outcome == IMPORT_UPDATED) &&
		     db_import_course(im, &in, &course, &res) < 0)) {
			intake_clear(&in);
			import_course_clear(&course);
			return -1;
		}
		t->sessions += res.sessions_added;
		t->photos += res.photos_added;
		t->consents += res.consents_added;
		tally_result(t, &in, position, &res);
	}
	intake_clear(&in);
	import_course_clear(&course);
	if (rc < 0) {
		t->unreadable = true;
		problem(t, "%s", why);
	}
	return 0;
}

/* What was done, or why nothing was (the problems are on stderr). */
static void print_summary(const struct tally *t, bool update, bool dry_run)
{
	if (t->shown > PROBLEMS_SHOWN)
		report("%s: %lld more problems not shown", t->name, t->shown - PROBLEMS_SHOWN);
	if (dry_run) {
		printf("dry run, nothing written: %lld to add, %lld to update, %lld unchanged, "
		       "%lld conflict%s, %lld refused%s\n",
		       t->added, t->updated, t->unchanged, t->conflicts,
		       t->conflicts == 1 ? "" : "s", t->refused,
		       t->unreadable ? ", and the file cannot be read to its end" : "");
	} else if (t->unreadable || t->refused || (t->conflicts && !update)) {
		printf("nothing imported:");
		if (t->unreadable)
			printf(" the file cannot be read to its end%s",
			       t->refused || t->conflicts ? "," : "");
		if (t->refused)
			printf(" %lld record%s refused%s", t->refused, t->refused == 1 ? "" : "s",
			       t->conflicts ? "," : "");
		if (t->conflicts)
			printf(" %lld conflict%s (--update replaces them)", t->conflicts,
			       t->conflicts == 1 ? "" : "s");
		printf("\n");
	} else if (update) {
		printf("%lld added, %lld updated, %lld unchanged\n", t->added, t->updated,
		       t->unchanged);
	} else {
		printf("%lld added, %lld unchanged\n", t->added, t->unchanged);
	}
	/* Format 3: what the records' courses added (a line only when any). */
	if (t->sessions || t->photos || t->consents)
		printf("%s %lld session%s, %lld photo%s (metadata only) and %lld consent row%s\n",
		       dry_run ? "to add with them:" : "with them:", t->sessions,
		       t->sessions == 1 ? "" : "s", t->photos, t->photos == 1 ? "" : "s",
		       t->consents, t->consents == 1 ? "" : "s");
}

/* ---- a database the import creates ---- */

/* A database that does not exist yet is built under a temporary name in
 * its folder and linked into place only when the import succeeds: a
 * refused file, a dry run or a failure leave no database behind, and no
 * other program sees one half made.  final is the path it gets; tmp the
 * one it is built at (ctx's path meanwhile). */
struct fresh_db {
	char *final, *tmp;
};

/* Points ctx at a new, empty file next to the database to create. */
static int fresh_db_begin(struct ctx *ctx, struct fresh_db *f)
{
	const char *slash = strrchr(ctx->db_path, '/');
	size_t dir = slash ? (size_t)(slash - ctx->db_path) + 1 : 0;
	char *made;
	int fd;

	/* The default location's folders, as opening would make them. */
	if (!(made = db_resolve_path(ctx->db_option, true)))
		return -1;
	free(made);
	if (!(f->tmp = malloc(dir + sizeof ".smp-intake-XXXXXX"))) {
		report("out of memory");
		return -1;
	}
	memcpy(f->tmp, ctx->db_path, dir);
	memcpy(f->tmp + dir, ".smp-intake-XXXXXX", sizeof ".smp-intake-XXXXXX");
	if ((fd = process_temp_database(f->tmp)) < 0) {
		report("cannot create database '%s': %s", ctx->db_path, strerror(errno));
		free(f->tmp);
		f->tmp = NULL;
		return -1;
	}
	close(fd);
	f->final = ctx->db_path;
	ctx->db_path = f->tmp;
	return 0;
}

/* Removes path's -wal, -shm and -journal too; quiet when there is none. */
static void remove_database_files(const char *path)
{
	static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
	char name[4096];

	for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++)
		if ((size_t)snprintf(name, sizeof name, "%s%s", path, suffix[i]) < sizeof name)
			unlink(name);
}

/* Closes the database built aside and, when keep, links it into place
 * (never over a database another program made meanwhile); then removes
 * the temporary name.  Returns 0, or -1 (reported: nothing imported). */
static int fresh_db_end(struct ctx *ctx, struct fresh_db *f, bool keep)
{
	int rc = 0;

	/* The -wal of the temporary name would not follow the file. */
	if (keep && ctx->db && db_import_settle(ctx->db) < 0) {
		keep = false;
		rc = -1;
	}
	db_close(ctx->db);
	ctx->db = NULL;
	ctx->settings_read = false;
	ctx->db_path = f->final;
	if (keep && link(f->tmp, f->final) < 0) {
		/* A file system without hard links (FAT): renamed, unless the
		 * database has appeared meanwhile. */
		if (errno != EEXIST && !db_exists(f->final) && rename(f->tmp, f->final) == 0) {
			process_forget_temp();
			free(f->tmp);
			return 0;
		}
		report("cannot create database '%s': %s", f->final,
		       errno == EEXIST ? "another program created it during the import; nothing "
					 "imported: run the import again"
				       : strerror(errno));
		rc = -1;
	}
	remove_database_files(f->tmp);
	process_forget_temp();
	free(f->tmp);
	f->tmp = NULL;
	return rc;
}

int cmd_import(struct ctx *ctx, int argc, char **argv)
{
	struct tally t = {0};
	struct command_args a;
	struct fresh_db fresh = {NULL, NULL};
	struct import_checks chk;
	struct import_reader *r = NULL;
	struct db_import *im;
	bool update, dry_run, ok, failed;
	const char *path, *staff;
	char at[21];
	int fd = -1, rc = EXIT_FAIL;

	if (command_parse(argc, argv, &a) < 0)
		return EXIT_USAGE;
	update = command_arg(&a, "update") != NULL;
	dry_run = command_arg(&a, "dry-run") != NULL;
	path = argv[1];
	/* The file first: a missing one must not create a database. */
	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
		t.name = "standard input";
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		report("cannot open '%s': %s", path, strerror(errno));
		return EXIT_FAIL;
	} else {
		t.name = path;
	}
	if (!ctx->db && ctx_db_path(ctx) && !db_exists(ctx->db_path) &&
	    fresh_db_begin(ctx, &fresh) < 0)
		goto out;
	/* Who imports: the studio's settings may require a name (a new
	 * database has the defaults). */
	if (!(staff = ctx_staff(ctx)) || !ctx_db(ctx))
		goto out;
	if (date_now_utc(at) < 0) {
		report("cannot read the clock");
		goto out;
	}
	import_checks_init(&chk, ctx->settings.minimum_age, date_today_utc());
	chk.settings = &ctx->settings;
	if (!(r = import_reader_new(read_fd, &fd, READ_BUFFER))) {
		report("out of memory");
		goto out;
	}
	if (!(im = db_import_begin(ctx->db, update, staff, at)))
		goto out;
	ok = import_all(r, im, &chk, &t) == 0;
	failed = t.unreadable || t.refused || (t.conflicts && !update);
	if (db_import_end(im, ok && !failed && !dry_run) < 0 || !ok ||
	    (fresh.tmp && fresh_db_end(ctx, &fresh, !failed && !dry_run) < 0)) {
		printf("nothing imported\n");
		goto out;
	}
	print_summary(&t, update, dry_run);
	rc = failed ? EXIT_FAIL : EXIT_OK;
out:
	if (fresh.tmp)
		fresh_db_end(ctx, &fresh, false);
	import_reader_free(r);
	if (fd > STDIN_FILENO)
		close(fd);
	return rc;
}
