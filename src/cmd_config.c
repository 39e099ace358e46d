/* cmd_config.c - `smp-intake config get|set|list`: the studio's settings
 * (name on handouts, pause window, minimum age, the course, retention),
 * checked before they are stored, and the studio's own aftercare text
 * (aftercare_text: a file, kept in versions; src/aftercare.c). */
#include <stdio.h>
#include <string.h>

#include "aftercare.h"
#include "command.h"
#include "report.h"
#include "text.h"

/* Not a row of table setting: a text in versions (table aftercare). */
#define AFTERCARE_KEY "aftercare_text"

static int config_list(struct ctx *ctx)
{
	const struct settings *s = &ctx->settings;
	char value[sizeof ((struct settings *)0)->studio_name];

	for (size_t i = 0; i < setting_def_count; i++) {
		settings_get(s, setting_defs[i].key, value, sizeof value);
		printf("%-21s ", setting_defs[i].key);
		text_print_safe(stdout, value[0] ? value : "\"\"");
		printf("\n    %s\n", setting_defs[i].help);
	}
	if (aftercare_summary(ctx, value, sizeof value) < 0)
		return EXIT_FAIL;
	printf("%-21s %s\n    the studio's own aftercare text, printed on session sheets under "
	       "\"Your studio's\n    aftercare\" (config set aftercare_text FILE; '' removes it)\n",
	       AFTERCARE_KEY, value);
	return EXIT_OK;
}

/* config get|set aftercare_text. */
static int config_aftercare(struct ctx *ctx, bool set, const char *path)
{
	if (set) {
		ctx->may_create = true; /* as for the other keys */
		return aftercare_set(ctx, path);
	}
	if (!ctx_db(ctx))
		return EXIT_FAIL;
	return aftercare_print(ctx);
}

int cmd_config(struct ctx *ctx, int argc, char **argv)
{
	struct settings s = SETTINGS_DEFAULT;
	char why[160], value[sizeof ((struct settings *)0)->studio_name];
	struct command_args a;
	int rc;

	if (command_parse(argc, argv, &a) < 0)
		return EXIT_USAGE;
	argc = a.operands + 1; /* the operands are argv[1..argc) */
	if (argc < 2 || (strcmp(argv[1], "list") == 0 && argc != 2) ||
	    (strcmp(argv[1], "get") == 0 && argc != 3) || (strcmp(argv[1], "set") == 0 && argc != 4) ||
	    (strcmp(argv[1], "list") && strcmp(argv[1], "get") && strcmp(argv[1], "set"))) {
		command_usage(stderr, "config");
		return EXIT_USAGE;
	}
	if (argc >= 3 && strcmp(argv[2], AFTERCARE_KEY) == 0)
		return config_aftercare(ctx, strcmp(argv[1], "set") == 0, argc == 4 ? argv[3] : "");
	/* A key is checked before the file is opened, so a typo never opens it. */
	if (argc >= 3 && settings_set(&s, argv[2], "", why, sizeof why) == SETTING_UNKNOWN) {
		report("config: %s", why);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "set") == 0) {
		if (settings_set(&s, argv[2], argv[3], why, sizeof why) != SETTING_OK) {
			report("config: %s", why);
			return EXIT_FAIL;
		}
		ctx->may_create = true; /* a studio may set up its database this way */
		if (!ctx_db_only(ctx) || db_setting_store(ctx->db, argv[2], argv[3]) < 0)
			return EXIT_FAIL;
		ctx->settings_read = false; /* the menu reads them again */
		return EXIT_OK;
	}
	if (!ctx_db(ctx))
		return EXIT_FAIL;
	if (strcmp(argv[1], "list") == 0)
		return config_list(ctx);
	settings_get(&ctx->settings, argv[2], value, sizeof value);
	rc = text_print_safe(stdout, value) == 0 && putchar('\n') != EOF ? EXIT_OK : EXIT_FAIL;
	return rc;
}
