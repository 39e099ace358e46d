/* cmd_find.c - `smp-intake find TEXT`: clients by the start of their name,
 * newest intake first, so a receptionist can get to `show ID`. */
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "report.h"
#include "text.h"

static int print_match(const struct client_match *m, void *arg)
{
	size_t *count = arg;

	if (*count == 0)
		printf("%-7s %-7s %-10s %-10s %s\n", "client", "intake", "taken", "born", "name");
	printf("%-7lld %-7lld %-10.10s %-10s ", m->client_id, m->last_intake_id,
	       m->last_taken_at ? m->last_taken_at : "", m->date_of_birth ? m->date_of_birth : "");
	text_print_safe(stdout, m->first_name ? m->first_name : "");
	fputc(' ', stdout);
	text_print_safe(stdout, m->last_name ? m->last_name : "");
	fputc('\n', stdout);
	(*count)++;
	return 0;
}

int cmd_find(struct ctx *ctx, int argc, char **argv)
{
	size_t count = 0;
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
	if (!ctx_db(ctx) || db_find_clients(ctx->db, text, print_match, &count) != 0)
		return EXIT_FAIL;
	if (count == 0) {
		printf("No client found.\n");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
