/* cmd_export.c - `smp-intake export`: the intakes a filter selects, in a
 * format (json, ndjson, csv, fhir), streamed into an atomic, private file; or,
 * with --client alone, everything stored about one person (a subject
 * access request). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access.h"
#include "command.h"
#include "date.h"
#include "export.h"
#include "idset.h"
#include "json.h"
#include "outfile.h"
#include "photo.h"
#include "report.h"
#include "text.h"

/* The photos of a subject access export: their folder beside path (none
 * for standard output: refused) and their list added to *text as
 * "photo_files".  Returns 0, or -1 (reported). */
static int subject_photo_rows(char **text, const char *path, const struct photo_file *photos,
			      size_t n, char **folder)
{
	struct json_field *f = calloc(n * 7, sizeof *f);
	const char *base;
	char *more = NULL, **names = calloc(n, sizeof *names);
	int rc = -1;

	if (!path || strcmp(path, "-") == 0) {
		report("export: the client's photos are written to a folder beside the file: give -o FILE");
		goto out;
	}
	if (!f || !names || !(*folder = photo_folder_for(path)))
		goto oom;
	base = strrchr(*folder, '/') ? strrchr(*folder, '/') + 1 : *folder;
	for (size_t i = 0; i < n; i++) {
		if (!(names[i] = text_join(base, "/", photos[i].name)))
			goto oom;
		f[i * 7 + 0] = (struct json_field){ "file", names[i], 0 };
		f[i * 7 + 1] = (struct json_field){ "photo_id", NULL, photos[i].id };
		f[i * 7 + 2] = (struct json_field){ "uuid", photos[i].uuid, 0 };
		f[i * 7 + 3] = (struct json_field){ "view", photos[i].view, 0 };
		f[i * 7 + 4] = (struct json_field){ "media_type", photos[i].media_type, 0 };
		f[i * 7 + 5] = (struct json_field){ "size", NULL, photos[i].size };
		f[i * 7 + 6] = (struct json_field){ "sha256", photos[i].sha256, 0 };
	}
	if (!(more = json_add_rows(*text, "photo_files", f, 7, n)))
		goto oom;
	free(*text);
	*text = more;
	rc = 0;
	goto out;
oom:
	report("out of memory while exporting the client's photos");
out:
	for (size_t i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
	free(f);
	return rc;
}

/* json_course_fill for json_subject(): the course read through arg, a
 * db_course_reader. */
static int subject_course(long long intake_id, struct json_course *c, void *arg)
{
	return export_course_json(arg, intake_id, c);
}

/* Everything stored about client id, as one object.  The records are read
 * (and an unknown client refused) before the file is begun, so a refusal
 * leaves nothing behind. */
static int export_client(struct ctx *ctx, long long id, const char *path, bool force,
			 const char *when)
{
	struct subject s;
	struct outfile out;
	struct photo_file *photos = NULL;
	size_t nphotos = 0;
	char *text = NULL, *folder = NULL;
	struct db_course_reader *course = NULL;
	bool failed = false;
	int rc = EXIT_FAIL;

	switch (db_load_subject(ctx->db, id, &s)) {
	case DB_OK:
		break;
	case DB_MISSING:
		ctx_report_missing(ctx, true, id);
		/* fall through */
	default:
		return EXIT_FAIL;
	}
	/* Each intake's course, as format 3 writes it (docs/export.md). */
	if (!(course = db_course_reader_new(ctx->db)) ||
	    !(text = json_subject(&s, when, subject_course, course, &failed))) {
		if (!failed)
			report("out of memory while exporting client %lld", id);
		goto out;
	}
	/* The client's photos go in a folder beside the file (docs/export.md). */
	if (photo_subject_list(ctx, id, &photos, &nphotos) < 0 ||
	    (nphotos && subject_photo_rows(&text, path, photos, nphotos, &folder) < 0))
		goto out;
	/* The one client is known before anything is written: what cannot
	 * be logged is not begun (a file that is there already is refused
	 * first, with no row). */
	if (outfile_open(&out, path, force) < 0)
		goto out;
	if (access_record_client(ctx, "export", id) != EXIT_OK) {
		outfile_abort(&out);
		goto out;
	}
	/* On a terminal, what JSON leaves raw and a terminal would act on is
	 * escaped (export_write() does the same). */
	if (out.f == stdout && isatty(STDOUT_FILENO))
		text_json_terminal(out.f, text, strlen(text), true);
	else
		text_json_write(out.f, text, strlen(text));
	if (ferror(out.f) || fputc('\n', out.f) == EOF) {
		report("cannot write the export: %s", strerror(errno));
		outfile_abort(&out);
		goto out;
	}
	if (nphotos && photo_write_folder(ctx, folder, photos, nphotos, force) < 0) {
		outfile_abort(&out);
		goto out;
	}
	if (outfile_commit(&out) < 0) {
		if (nphotos)
			photo_remove_folder(folder);
		goto out;
	}
	if (path && strcmp(path, "-") != 0) {
		fprintf(stderr, "exported client %lld (%zu intake%s) to ", id, s.intakes,
			s.intakes == 1 ? "" : "s");
		text_print_safe(stderr, path);
		fputc('\n', stderr);
	}
	rc = EXIT_OK;
out:
	free(text);
	free(photos);
	free(folder);
	db_course_reader_free(course);
	subject_clear(&s);
	return rc;
}

/* Writes the access log row of an export, before its first byte goes
 * out: the clients of every intake eq selects.  The set is left sorted,
 * for export_write() to write only the clients the row names.  Returns an
 * exit code. */
static int record_export(struct ctx *ctx, const struct export_query *eq, struct idset *clients)
{
	char *text;
	int rc;

	if (export_clients(ctx->db, eq, clients) < 0)
		return EXIT_FAIL;
	if (!(text = idset_format(clients))) {
		report("cannot record this in the access log: out of memory");
		return EXIT_FAIL;
	}
	rc = access_record(ctx, "export", text);
	free(text);
	return rc;
}

/* The course files of --sessions beside path, in the order written: the
 * sessions, the photo metadata and the consents. */
static const struct course_file {
	enum export_format fmt;
	const char *suffix; /* after path without a final ".csv" */
	const char *what;   /* "exported WHAT of N intakes" */
} course_files[] = {
	{ EXPORT_CSV_SESSIONS, ".sessions.csv", "the sessions" },
	{ EXPORT_CSV_PHOTOS, ".photos.csv", "the photo metadata" },
	{ EXPORT_CSV_CONSENTS, ".consents.csv", "the consents" },
};
#define COURSE_FILES (sizeof course_files / sizeof course_files[0])

/* A course file's name beside path: path without a final ".csv", then
 * suffix (intakes.csv: intakes.sessions.csv, intakes.photos.csv).  NULL
 * when out of memory (reported). */
static char *course_path(const char *path, const char *suffix)
{
	size_t n = strlen(path), k = strlen(suffix);
	char *out;

	if (n > 4 && strcmp(path + n - 4, ".csv") == 0)
		n -= 4;
	if (!(out = malloc(n + k + 1))) {
		report("out of memory");
		return NULL;
	}
	memcpy(out, path, n);
	memcpy(out + n, suffix, k + 1);
	return out;
}

/* One course file: the course of the intakes eq chose (the same clients
 * as the access log row), written after the intakes' file is in place.
 * Returns an exit code. */
static int export_course_file(struct ctx *ctx, const struct export_query *eq,
			      const struct course_file *cf, const char *path, bool force,
			      const char *when)
{
	struct outfile out;
	long long n;

	if (outfile_open(&out, path, force) < 0)
		return EXIT_FAIL;
	setvbuf(out.f, NULL, _IOFBF, 1 << 16);
	n = export_write(ctx->db, eq, cf->fmt, out.f, false, false, when, NULL);
	if (n < 0) {
		outfile_abort(&out);
		return EXIT_FAIL;
	}
	if (outfile_commit(&out) < 0)
		return EXIT_FAIL;
	fprintf(stderr, "exported %s of %lld intake%s to ", cf->what, n, n == 1 ? "" : "s");
	text_print_safe(stderr, path);
	fputc('\n', stderr);
	return EXIT_OK;
}

int cmd_export(struct ctx *ctx, int argc, char **argv)
{
	struct command_args a;
	const char *path, *format, *client;
	bool force = false, to_file, terminal, sessions;
	char *course[COURSE_FILES] = { NULL };
	struct export_query eq = { { NULL, NULL, false, 0, false }, false, false, NULL };
	enum export_format fmt = EXPORT_JSON;
	struct idset clients = IDSET_EMPTY;
	struct outfile out;
	char when[21];
	long long n;
	int rc;

	if (command_parse(argc, argv, &a) < 0)
		return EXIT_USAGE;
	path = command_arg(&a, "output");
	force = command_arg(&a, "force") != NULL;
	format = command_arg(&a, "format");
	eq.q.since = command_arg(&a, "since");
	eq.q.until = command_arg(&a, "until");
	eq.pending_signoff = command_arg(&a, "pending-signoff") != NULL;
	eq.excel = command_arg(&a, "excel") != NULL;
	sessions = command_arg(&a, "sessions") != NULL;
	if ((client = command_arg(&a, "client")) && !(eq.q.client = command_parse_id(client, "--client")))
		return EXIT_USAGE;
	if (format && export_format_parse(format, &fmt) < 0) {
		report("export: --format: choose json, ndjson, csv or fhir");
		return EXIT_USAGE;
	}
	if (eq.excel && fmt != EXPORT_CSV) {
		report("export: --excel goes with --format csv");
		return EXIT_USAGE;
	}
	if (sessions && fmt != EXPORT_CSV) {
		report("export: --sessions goes with --format csv (the other formats carry the "
		       "course in each intake)");
		return EXIT_USAGE;
	}
	if (sessions && (!path || strcmp(path, "-") == 0)) {
		report("export: --sessions writes the course as files beside FILE: give -o FILE");
		return EXIT_USAGE;
	}
	if ((eq.q.since && command_parse_date("export", "--since", eq.q.since) < 0) ||
	    (eq.q.until && command_parse_date("export", "--until", eq.q.until) < 0))
		return EXIT_USAGE;
	if (eq.q.since && eq.q.until && strcmp(eq.q.since, eq.q.until) > 0) {
		report("export: --since is after --until, so nothing could match");
		return EXIT_USAGE;
	}
	if (date_now_utc(when) < 0) {
		report("cannot read the clock");
		return EXIT_FAIL;
	}
	/* Every export is logged with who made it: what would keep its row
	 * from being written is found before anything goes out. */
	if (!ctx_staff(ctx) || !ctx_db(ctx) || db_access_writable(ctx->db) < 0)
		return EXIT_FAIL;
	/* --client alone is the subject access request of issue 3's release;
	 * with a format or another filter it only selects the intakes. */
	if (eq.q.client && !format && !eq.q.since && !eq.q.until && !eq.pending_signoff)
		return export_client(ctx, eq.q.client, path, force, when);
	/* The course files' names are refused before anything is written. */
	for (size_t i = 0; sessions && i < COURSE_FILES; i++) {
		struct stat sb;
		if (!(course[i] = course_path(path, course_files[i].suffix))) {
			rc = EXIT_FAIL;
			goto out;
		}
		if (!force && lstat(course[i], &sb) == 0) {
			report("'%s' already exists; use --force to replace it", course[i]);
			rc = EXIT_FAIL;
			goto out;
		}
	}
	/* The row first: what cannot be logged is not begun, and a reader
	 * that stops early (export | head) cannot keep it from being written. */
	if (outfile_open(&out, path, force) < 0) {
		rc = EXIT_FAIL;
		goto out;
	}
	if (record_export(ctx, &eq, &clients) != EXIT_OK) {
		outfile_abort(&out);
		rc = EXIT_FAIL;
		goto out;
	}
	eq.logged = &clients;
	to_file = out.f != stdout;
	/* Fewer, larger writes (the default buffer is 4 KiB). */
	if (to_file)
		setvbuf(out.f, NULL, _IOFBF, 1 << 16);
	terminal = !to_file && isatty(STDOUT_FILENO);
	n = export_write(ctx->db, &eq, fmt, out.f, terminal, isatty(STDERR_FILENO) && !terminal,
			 when, NULL);
	if (n < 0) {
		outfile_abort(&out);
		rc = EXIT_FAIL;
	} else {
		rc = outfile_commit(&out) < 0 ? EXIT_FAIL : EXIT_OK;
	}
	if (rc == EXIT_OK && to_file) {
		fprintf(stderr, "exported %lld intake%s to ", n, n == 1 ? "" : "s");
		text_print_safe(stderr, path);
		fputc('\n', stderr);
	}
	for (size_t i = 0; rc == EXIT_OK && sessions && i < COURSE_FILES; i++)
		rc = export_course_file(ctx, &eq, &course_files[i], course[i], force, when);
out:
	idset_clear(&clients);
	for (size_t i = 0; i < COURSE_FILES; i++)
		free(course[i]);
	return rc;
}
