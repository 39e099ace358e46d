/* cmd_export.c - `smp-intake export`: every intake as a JSON array,
 * streamed one intake at a time into an atomic, private file. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "json.h"
#include "outfile.h"
#include "report.h"

struct export_state {
	FILE *f;
	size_t count;
};

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

int cmd_export(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { "output", required_argument, NULL, 'o' },
					      { "force", no_argument, NULL, 'f' },
					      { NULL, 0, NULL, 0 } };
	const char *path = NULL;
	bool force = false;
	struct outfile out;
	struct export_state st = { NULL, 0 };
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+o:", opts, NULL)) != -1) {
		if (c == 'o')
			path = optarg;
		else if (c == 'f')
			force = true;
		else
			return command_bad_option("export", argc, argv);
	}
	if (optind != argc) {
		report("export takes no arguments besides its options");
		return EXIT_USAGE;
	}
	if (!ctx_db(ctx) || outfile_open(&out, path, force) < 0)
		return EXIT_FAIL;
	st.f = out.f;
	if (fputs("[", st.f) == EOF)
		goto write_error;
	if (db_each_intake(ctx->db, write_one, &st) != 0)
		goto fail;
	if (fputs(st.count ? "\n]\n" : "]\n", st.f) == EOF)
		goto write_error;
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
