/* cmd_find.c - `smp-intake find TEXT`: clients by the start of their name,
 * newest intake first, so a receptionist can get to `show ID`.  The table
 * fits the terminal (or $COLUMNS): a name too long for it is cut with "…". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "report.h"
#include "text.h"

#define ELLIPSIS "\xe2\x80\xa6" /* U+2026, one column */

struct find_table {
	size_t count; /* rows printed so far */
	int width;    /* columns a line may take */
};

/* Decodes the code point at s, which is valid UTF-8 (text_safe() output);
 * returns its length in bytes. */
static size_t next_codepoint(const char *s, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] < 0xe0) {
		*cp = (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
		return 2;
	}
	if (p[0] < 0xf0) {
		*cp = (uint32_t)(p[0] & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
		return 3;
	}
	*cp = (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3f) << 12 |
	      (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
	return 4;
}

/* Columns a code point takes: none for combining marks, two for the wide
 * East Asian scripts and emoji, one otherwise (as a terminal shows them). */
static int codepoint_columns(uint32_t cp)
{
	static const uint32_t combining[][2] = {
	    {0x0300, 0x036f}, {0x1ab0, 0x1aff}, {0x1dc0, 0x1dff},
	    {0x20d0, 0x20ff}, {0xfe20, 0xfe2f},
	};
	static const uint32_t wide[][2] = {
	    {0x1100, 0x115f},	{0x2e80, 0x303e},   {0x3041, 0x33ff}, {0x3400, 0x4dbf},
	    {0x4e00, 0x9fff},	{0xa000, 0xa4cf},   {0xac00, 0xd7a3}, {0xf900, 0xfaff},
	    {0xfe30, 0xfe4f},	{0xff00, 0xff60},   {0xffe0, 0xffe6}, {0x1f300, 0x1f64f},
	    {0x1f900, 0x1f9ff}, {0x20000, 0x3fffd},
	};

	for (size_t i = 0; i < sizeof combining / sizeof combining[0]; i++)
		if (cp >= combining[i][0] && cp <= combining[i][1])
			return 0;
	for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++)
		if (cp >= wide[i][0] && cp <= wide[i][1])
			return 2;
	return 1;
}

/* Writes safe (text_safe() output) in at most width columns, padded with
 * spaces to width when pad is set.  Text that does not fit is cut at a
 * code point and ends with mark ("…" to show the cut, "" for none), which
 * counts as one column when not empty.  Returns 0, or -1 on error. */
static int put_fitted(FILE *f, const char *safe, int width, const char *mark, bool pad)
{
	int total = 0, cols = 0;
	size_t keep = 0, i = 0;
	uint32_t cp;

	while (safe[i]) {
		i += next_codepoint(safe + i, &cp);
		total += codepoint_columns(cp);
	}
	if (total <= width) {
		keep = i;
		cols = total;
		mark = "";
	} else {
		int room = width - (*mark ? 1 : 0);

		for (i = 0; safe[i];) {
			size_t n = next_codepoint(safe + i, &cp);
			int w = codepoint_columns(cp);
			if (cols + w > room)
				break;
			cols += w;
			i += n;
			keep = i;
		}
		/* "Ana …" reads worse than "Ana…". */
		while (*mark && keep > 0 && safe[keep - 1] == ' ') {
			keep--;
			cols--;
		}
		if (*mark)
			cols++;
	}
	if (fwrite(safe, 1, keep, f) != keep || fputs(mark, f) == EOF)
		return -1;
	if (pad && fprintf(f, "%*s", width - cols, "") < 0)
		return -1;
	return 0;
}

/* One line of the table: the two ids, then taken, born and the name, which
 * gets whatever the line has left. */
static int print_row(const struct find_table *t, const char *client, const char *intake,
		     const char *taken, const char *born, const char *name)
{
	int used = printf("%-7s %-7s ", client, intake);

	if (used < 0 || put_fitted(stdout, taken, 10, "", true) < 0 || fputc(' ', stdout) == EOF ||
	    put_fitted(stdout, born, 10, ELLIPSIS, true) < 0 || fputc(' ', stdout) == EOF)
		return -1;
	used += 22;
	if (put_fitted(stdout, name, t->width > used ? t->width - used : 0, ELLIPSIS, false) < 0 ||
	    fputc('\n', stdout) == EOF)
		return -1;
	return 0;
}

static int print_match(const struct client_match *m, void *arg)
{
	struct find_table *t = arg;
	char client[24], intake[24];
	char *taken = text_safe(m->last_taken_at ? m->last_taken_at : "", false);
	char *born = text_safe(m->date_of_birth ? m->date_of_birth : "", false);
	char *first = text_safe(m->first_name ? m->first_name : "", false);
	char *last = text_safe(m->last_name ? m->last_name : "", false);
	char *name = NULL;
	int rc = -1;

	if (!taken || !born || !first || !last ||
	    !(name = malloc(strlen(first) + strlen(last) + 2))) {
		report("out of memory");
		goto out;
	}
	sprintf(name, "%s %s", first, last);
	snprintf(client, sizeof client, "%lld", m->client_id);
	snprintf(intake, sizeof intake, "%lld", m->last_intake_id);
	if (t->count == 0 && print_row(t, "client", "intake", "taken", "born", "name") < 0)
		goto out;
	if (print_row(t, client, intake, taken, born, name) < 0)
		goto out;
	t->count++;
	rc = 0;
out:
	free(taken);
	free(born);
	free(first);
	free(last);
	free(name);
	return rc;
}

int cmd_find(struct ctx *ctx, int argc, char **argv)
{
	struct find_table table = {0, 80};
	char text[256];

	if (argc < 2) {
		command_usage(stderr, "find");
		return EXIT_USAGE;
	}
	/* `find Ana Silva` without quotes means the same as with them. */
	text[0] = '\0';
	for (int i = 1; i < argc; i++) {
		if (strlen(text) + strlen(argv[i]) + 2 > sizeof text) {
			report("find: the search text is too long");
			return EXIT_USAGE;
		}
		if (i > 1)
			strcat(text, " ");
		strcat(text, argv[i]);
	}
	text_trim(text);
	if (!text[0] || !text_is_utf8(text, strlen(text))) {
		report("find: give the start of a name as text");
		return EXIT_USAGE;
	}
	table.width = text_terminal_width();
	if (!ctx_db(ctx) || db_find_clients(ctx->db, text, print_match, &table) != 0)
		return EXIT_FAIL;
	if (table.count == 0) {
		printf("No client found.\n");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
