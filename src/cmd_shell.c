/* cmd_shell.c - the menu a person gets from `smp-intake` alone at a
 * terminal: the same commands as the command line, one per line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "command.h"
#include "prompt.h"
#include "report.h"
#include "suggest.h"
#include "text.h"

#define SHELL_ARGS_MAX 16
#define MENU_WORDS_MAX 64

/* The commands of the table that the menu neither lists nor completes. */
static const char *const not_in_menu[] = { "shell", "demo", "ids", NULL };

/* The menu's own words, after the table's commands. */
static const struct {
	const char *name, *summary;
} menu_own[] = {
	{ "clear", "clear the screen" },
	{ "quit", "leave the menu (also Ctrl-D)" },
};

/* What the menu lists and completes, derived from the command table. */
struct menu {
	const char *words[MENU_WORDS_MAX + 1]; /* commands, then menu_own */
	const char *actions[4];                /* config's */
	const char *keys[MENU_WORDS_MAX + 1];  /* config get/set's */
	char **options;                        /* of the command last completed */
	char **staff;                          /* staff names on file (desk prompt) */
	const char **tails;                    /* of those, what Tab may add */
};

static bool listed(const char *name)
{
	for (size_t i = 0; not_in_menu[i]; i++)
		if (strcmp(not_in_menu[i], name) == 0)
			return false;
	return true;
}

static void menu_init(struct menu *m)
{
	const struct command *c;
	size_t n = 0;

	memset(m, 0, sizeof *m);
	for (size_t i = 0; (c = command_at(i)) && n < MENU_WORDS_MAX - 2; i++)
		if (listed(c->name))
			m->words[n++] = c->name;
	for (size_t i = 0; i < sizeof menu_own / sizeof menu_own[0]; i++)
		m->words[n++] = menu_own[i].name;
	m->actions[0] = "list";
	m->actions[1] = "get";
	m->actions[2] = "set";
	for (size_t i = 0; i < setting_def_count && i < MENU_WORDS_MAX; i++)
		m->keys[i] = setting_defs[i].key;
}

static void menu_free(struct menu *m)
{
	command_options_free(m->options);
	db_names_free(m->staff);
	free(m->tails);
	m->options = NULL;
	m->staff = NULL;
	m->tails = NULL;
}

static bool menu_own_word(const char *word)
{
	for (size_t i = 0; i < sizeof menu_own / sizeof menu_own[0]; i++)
		if (strcmp(menu_own[i].name, word) == 0)
			return true;
	return false;
}

/* The summary of a menu word. */
static const char *summary_of(const char *word)
{
	const struct command *c = command_lookup(word);

	if (c)
		return c->summary;
	for (size_t i = 0; i < sizeof menu_own / sizeof menu_own[0]; i++)
		if (strcmp(menu_own[i].name, word) == 0)
			return menu_own[i].summary;
	return "";
}

/* The command and the arguments it takes in order (ID, [DRAFT]), read from
 * its usage line: the words after the name up to the first option. */
static void synopsis(const char *word, char *out, size_t n)
{
	const struct command *c = command_lookup(word);
	const char *p = c ? c->usage + strlen("smp-intake ") + strlen(word) : "";

	snprintf(out, n, "%s", word);
	for (;;) {
		size_t len, used;
		p += strspn(p, " ");
		len = strcspn(p, " \n");
		if (!len || strspn(p, "[]ABCDEFGHIJKLMNOPQRSTUVWXYZ_") != len || len < 2)
			break;
		used = strlen(out);
		if (used + 1 + len >= n)
			break;
		snprintf(out + used, n - used, " %.*s", (int)len, p);
		p += len;
	}
}

/* The commands with their arguments, and beside them the summaries,
 * aligned and wrapped to the terminal. */
static void print_menu(const struct menu *m)
{
	int width = text_terminal_width(), col = 0;
	char left[64];

	for (size_t i = 0; m->words[i]; i++) {
		synopsis(m->words[i], left, sizeof left);
		if ((int)strlen(left) > col)
			col = (int)strlen(left);
	}
	printf("Commands:\n");
	for (size_t i = 0; m->words[i]; i++) {
		synopsis(m->words[i], left, sizeof left);
		printf("  %-*s  ", col, left);
		text_wrap(stdout, summary_of(m->words[i]), width, col + 4);
		putchar('\n');
	}
	text_wrap(stdout, "help COMMAND shows its options. Tab completes commands and options.",
		  width, 0);
	putchar('\n');
}

/* Tab in the menu: the command (first word), a command after help,
 * config's action and key, or an option of the command. */
static const char *const *menu_complete(void *data, const char *line, int start)
{
	struct menu *m = data;
	const char *p = line, *q;
	char command[32];
	size_t n, before = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (p - line >= start)
		return m->words;
	n = strcspn(p, " \t");
	if (n >= sizeof command)
		return NULL;
	memcpy(command, p, n);
	command[n] = '\0';
	/* How many words stand before the one being completed. */
	for (q = line; q < line + start;) {
		while (q < line + start && (*q == ' ' || *q == '\t'))
			q++;
		if (q < line + start)
			before++;
		while (q < line + start && *q != ' ' && *q != '\t')
			q++;
	}
	if (line[start] == '-') {
		if (!command_lookup(command))
			return NULL;
		command_options_free(m->options);
		m->options = command_options(command);
		return (const char *const *)m->options;
	}
	if (strcmp(command, "help") == 0 && before == 1)
		return m->words;
	if (strcmp(command, "config") == 0 && before == 1)
		return m->actions;
	if (strcmp(command, "config") == 0 && before == 2) {
		p += n + strspn(p + n, " \t");
		if (strncmp(p, "get", 3) == 0 || strncmp(p, "set", 3) == 0)
			return m->keys;
	}
	return NULL;
}

/* Tab at "Who is at the desk?": the staff names that start with the line
 * typed, from the word being completed on (readline replaces only that
 * word), so that "Marta R" Tab completes "Marta Reception". */
static const char *const *desk_complete(void *data, const char *line, int start)
{
	struct menu *m = data;
	size_t o = 0;

	for (size_t i = 0; m->staff && m->staff[i]; i++)
		if (strncmp(m->staff[i], line, (size_t)start) == 0 &&
		    strlen(m->staff[i]) >= (size_t)start)
			m->tails[o++] = m->staff[i] + start;
	m->tails[o] = NULL;
	return m->tails;
}

/* Asks who is at the desk, once, when neither --staff nor
 * $SMP_INTAKE_STAFF says it; Tab completes the staff names on file, Enter
 * takes the login name unless the studio requires a name.  Returns 0, 1
 * when the person left (Ctrl-D), -1 on failure (reported). */
static int ask_desk(struct ctx *ctx, struct menu *m)
{
	const char *login = ctx_login_name();
	bool required = ctx->db && ctx->settings.staff_required;
	char prompt[160], *line, *name;

	if (ctx_staff_given(ctx))
		return 0;
	if (ctx->db && !(m->staff = db_staff_names(ctx->db)))
		return -1;
	if (m->staff) {
		/* Only names that may be shown and used as they are. */
		size_t o = 0;
		for (size_t i = 0; m->staff[i]; i++) {
			if (ctx_staff_valid(m->staff[i]))
				m->staff[o++] = m->staff[i];
			else
				free(m->staff[i]);
		}
		m->staff[o] = NULL;
		if (!(m->tails = calloc(o + 1, sizeof *m->tails))) {
			report("out of memory");
			return -1;
		}
	}
	if (login && !required && ctx_staff_valid(login))
		snprintf(prompt, sizeof prompt, "Who is at the desk? [%.100s]: ", login);
	else
		snprintf(prompt, sizeof prompt, "Who is at the desk? ");
	for (;;) {
		switch (m->tails ? prompt_read_completing(prompt, desk_complete, m, &line)
				 : prompt_read(prompt, NULL, &line)) {
		case PROMPT_LINE:
			break;
		case PROMPT_INTERRUPTED:
			continue;
		case PROMPT_EOF:
			return 1;
		case PROMPT_ERROR:
			return -1;
		}
		name = text_trim(line);
		if (text_is_blank(name) && login && !required && ctx_staff_valid(login))
			name = (char *)login;
		if (text_is_blank(name))
			report("type your name: this studio records who did what");
		else if (!ctx_staff_valid(name))
			report("a staff name is 1 to 100 characters of text without control characters");
		else if (!(ctx->desk_staff = strdup(name)))
			report("out of memory");
		free(line);
		if (ctx->desk_staff)
			return 0;
	}
}

/* The banner: the version, the database (or that there is none yet), and
 * after asking, who is at the desk. */
static void print_database(struct ctx *ctx)
{
	printf("smp-intake %s\nDatabase: ", SMP_VERSION);
	text_print_safe(stdout, ctx->db_path);
	if (!ctx->db)
		printf(" (none yet: `new` creates it)");
	putchar('\n');
}

/* Splits line in place on blanks; "double quotes" keep blanks together.
 * Returns the number of words, or -1 when there are too many or a quote is
 * left open. */
static int split(char *line, char **argv)
{
	int argc = 0;
	char *p = line, *out;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (argc == SHELL_ARGS_MAX)
			return -1;
		argv[argc++] = out = p;
		while (*p && *p != ' ' && *p != '\t') {
			if (*p == '"') {
				p++;
				while (*p && *p != '"')
					*out++ = *p++;
				if (*p != '"')
					return -1;
				p++;
			} else {
				*out++ = *p++;
			}
		}
		if (*p)
			p++;
		*out = '\0';
	}
	argv[argc] = NULL;
	return argc;
}

/* Options whose value may be personal: a GP's name, a letter's reference,
 * a file name that may carry a client's name, the name a client typed to
 * acknowledge, an artist's reason for clearing a screening flag (health). */
static bool personal_option(const char *w)
{
	static const char *const opts[] = { "--gp", "--ref", "-o", "--output", "--answers",
					    "--create", "--name", "--reason", NULL };
	for (size_t i = 0; opts[i]; i++) {
		size_t n = strlen(opts[i]);
		if (strncmp(w, opts[i], n) == 0 && (w[n] == '\0' || w[n] == '='))
			return true;
	}
	return false;
}

/* Adds line to this session's history without what may be personal: the
 * text given to find, and personal options with their values.  --yes is
 * left out too: a recalled erase asks again, a recalled purge only lists. */
static void remember(const char *line)
{
	char *copy = strdup(line), *words[SHELL_ARGS_MAX + 1], *kept = NULL;
	int n;

	if (!copy)
		return;
	n = split(copy, words);
	if (n > 0 && (kept = calloc(1, strlen(line) + 2 * (size_t)n + 1))) {
		strcat(kept, words[0]);
		for (int i = 1; i < n && strcmp(words[0], "find") != 0; i++) {
			if (personal_option(words[i])) {
				if (!strchr(words[i], '='))
					i++; /* and its value */
				continue;
			}
			if (strcmp(words[i], "--yes") == 0)
				continue;
			if (strcmp(words[0], "import") == 0 && words[i][0] != '-')
				continue; /* the file's name */
			bool quote = strpbrk(words[i], " \t") != NULL;
			strcat(kept, quote ? " \"" : " ");
			strcat(kept, words[i]);
			if (quote)
				strcat(kept, "\"");
		}
		prompt_remember_command(kept);
	}
	free(kept);
	free(copy);
}

/* Reports an unknown menu command, with the nearest one when it is a slip
 * away. */
static void report_unknown(const struct menu *m, const char *word)
{
	const char *near = suggest_nearest(word, m->words);

	if (near)
		report("unknown command '%.40s' (did you mean `%s`? help lists the commands)", word,
		       near);
	else
		report("unknown command '%.40s' (help lists the commands)", word);
}

int cmd_shell(struct ctx *ctx, int argc, char **argv)
{
	char *line, *words[SHELL_ARGS_MAX + 1];
	struct menu m;
	int n, rc = EXIT_OK;

	(void)argv;
	if (argc != 1) {
		command_usage(stderr, "shell");
		return EXIT_USAGE;
	}
	if (!prompt_interactive()) {
		report("the menu needs a terminal; give a command (see smp-intake --help)");
		return EXIT_USAGE;
	}
	/* A database that is not there yet is not created until `new`. */
	if (!ctx_db_path(ctx) || ((ctx->db || db_exists(ctx->db_path)) && !ctx_db(ctx)))
		return EXIT_FAIL;
	menu_init(&m);
	print_database(ctx);
	switch (ask_desk(ctx, &m)) {
	case 0:
		break;
	case 1:
		goto out;
	default:
		rc = EXIT_FAIL;
		goto out;
	}
	if (ctx_staff_given(ctx)) {
		printf("At the desk: ");
		text_print_safe(stdout, ctx_staff_given(ctx));
		printf(".\n");
	}
	printf("Type help for the commands, quit to leave.\n");
	for (;;) {
		switch (prompt_read_completing("smp-intake> ", menu_complete, &m, &line)) {
		case PROMPT_LINE:
			break;
		case PROMPT_INTERRUPTED:
			continue;
		case PROMPT_EOF:
			goto out;
		case PROMPT_ERROR:
			rc = EXIT_FAIL;
			goto out;
		}
		/* A command pasted with its line end is one command. */
		while (*line && line[strlen(line) - 1] == '\n')
			line[strlen(line) - 1] = '\0';
		if (strchr(line, '\n')) {
			/* A pasted block (bracketed paste): running its lines one
			 * after another unseen could erase or export by surprise. */
			report("one command at a time: the pasted text has several lines");
			free(line);
			continue;
		}
		remember(line);
		if ((n = split(line, words)) < 0) {
			report("cannot read that line (an open quote, or too many words)");
		} else if (n == 0) {
			/* nothing typed */
		} else if (strcmp(words[0], "quit") == 0 || strcmp(words[0], "exit") == 0) {
			free(line);
			goto out;
		} else if (strcmp(words[0], "?") == 0 ||
			   (strcmp(words[0], "help") == 0 && (n == 1 || menu_own_word(words[1])))) {
			print_menu(&m);
		} else if (strcmp(words[0], "clear") == 0) {
			/* Home, erase the screen, and the scrollback where kept. */
			fputs("\033[H\033[2J\033[3J", stdout);
			fflush(stdout);
		} else if (strcmp(words[0], "shell") == 0) {
			printf("You are in the menu already.\n");
		} else if (!command_lookup(words[0])) {
			report_unknown(&m, words[0]);
		} else {
			command_dispatch(ctx, n, words);
		}
		free(line);
	}
out:
	menu_free(&m);
	return rc;
}
