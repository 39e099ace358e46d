/* cmd_export.c - `smp-intake export`: every intake as a JSON array,
 * streamed one intake at a time into an atomic, private file; or, with
 * --client, everything stored about one person (a subject access
 * request). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "date.h"
#include "fhir.h"
#include "json.h"
#include "outfile.h"
#include "report.h"

struct export_state {
	FILE *f;
	size_t count;
};

/* Temporary wiring of --format fhir (the export's formats are being
 * reworked): a Bundle entry per intake. */
static int write_fhir(const struct intake *in, void *arg)
{
	struct export_state *st = arg;

	if (fhir_bundle_entry(st->f, in, st->count == 0) < 0) {
		report("cannot write the export: %s", strerror(errno));
		return -1;
	}
	st->count++;
	return 0;
}

static int write_one(const struct intake *in, void *arg)
{
	struct export_state *st = arg;
	char *obj = json_intake(in);
	int rc = 0;

	if (!obj) {
		report("out of memory while exporting intake %lld", in->id);
		return -1;
	}
	if (fputs(st->count ? ",\n" : "\n", st->f) == EOF || fputs(obj, st->f) == EOF) {
		report("cannot write the export: %s", strerror(errno));
		rc = -1;
	}
	st->count++;
	free(obj);
	return rc;
}

/* Everything stored about client id, as one object.  The records are read
 * (and an unknown client refused) before the file is begun, so a refusal
 * leaves nothing behind. */
static int export_client(struct ctx *ctx, long long id, const char *path, bool force)
{
	struct subject s;
	struct outfile out;
	char when[21], *text = NULL;
	int rc = EXIT_FAIL;

	if (date_now_utc(when) < 0) {
		report("cannot read the clock");
		return EXIT_FAIL;
	}
	switch (db_load_subject(ctx->db, id, &s)) {
	case 0:
		break;
	case 1:
		ctx_report_missing(ctx, true, id);
		/* fall through */
	default:
		return EXIT_FAIL;
	}
	if (!(text = json_subject(&s, when))) {
		report("out of memory while exporting client %lld", id);
		goto out;
	}
	if (outfile_open(&out, path, force) < 0)
		goto out;
	if (fputs(text, out.f) == EOF || fputc('\n', out.f) == EOF) {
		report("cannot write the export: %s", strerror(errno));
		outfile_abort(&out);
		goto out;
	}
	if (outfile_commit(&out) < 0)
		goto out;
	if (path && strcmp(path, "-") != 0)
		fprintf(stderr, "exported client %lld (%zu intake%s) to %s\n", id, s.intakes,
			s.intakes == 1 ? "" : "s", path);
	rc = EXIT_OK;
out:
	free(text);
	subject_clear(&s);
	return rc;
}

int cmd_export(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { "output", required_argument, NULL, 'o' },
					      { "force", no_argument, NULL, 'f' },
					      { "client", required_argument, NULL, 'c' },
					      { "format", required_argument, NULL, 'F' },
					      { NULL, 0, NULL, 0 } };
	const char *path = NULL;
	bool force = false, fhir = false;
	char when[21];
	long long client = 0;
	struct outfile out;
	struct export_state st = { NULL, 0 };
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+o:", opts, NULL)) != -1) {
		if (c == 'o') {
			path = optarg;
		} else if (c == 'f') {
			force = true;
		} else if (c == 'F' && (strcmp(optarg, "json") == 0 || strcmp(optarg, "fhir") == 0)) {
			fhir = strcmp(optarg, "fhir") == 0;
		} else if (c == 'F') {
			report("export: unknown format '%.40s' (json or fhir)", optarg);
			return EXIT_USAGE;
		} else if (c == 'c') {
			if (!(client = command_parse_id(optarg, "--client")))
				return EXIT_USAGE;
		} else {
			return command_bad_option("export", argc, argv);
		}
	}
	if (optind != argc) {
		report("export takes no arguments besides its options");
		return EXIT_USAGE;
	}
	if (client && fhir) {
		report("export: --client gives JSON only");
		return EXIT_USAGE;
	}
	if (!ctx_db(ctx))
		return EXIT_FAIL;
	if (client)
		return export_client(ctx, client, path, force);
	if (fhir && date_now_utc(when) < 0) {
		report("cannot read the clock");
		return EXIT_FAIL;
	}
	if (outfile_open(&out, path, force) < 0)
		return EXIT_FAIL;
	st.f = out.f;
	if (fhir) {
		if (fhir_bundle_begin(st.f, when) < 0)
			goto write_error;
		if (db_each_intake(ctx->db, write_fhir, &st) != 0)
			goto fail;
		if (fhir_bundle_end(st.f, st.count > 0) < 0)
			goto write_error;
		goto commit;
	}
	if (fputs("[", st.f) == EOF)
		goto write_error;
	if (db_each_intake(ctx->db, write_one, &st) != 0)
		goto fail;
	if (fputs(st.count ? "\n]\n" : "]\n", st.f) == EOF)
		goto write_error;
commit:
	if (outfile_commit(&out) < 0)
		return EXIT_FAIL;
	if (path && strcmp(path, "-") != 0)
		fprintf(stderr, "exported %zu intake%s to %s\n", st.count, st.count == 1 ? "" : "s", path);
	return EXIT_OK;
write_error:
	report("cannot write the export: %s", strerror(errno));
fail:
	outfile_abort(&out);
	return EXIT_FAIL;
}
