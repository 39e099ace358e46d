/* cmd_shell.c - the menu a person gets from `smp-intake` alone at a
 * terminal: the same commands as the command line, one per line. */
#include <ctype.h>
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
	const char *options[2 * COMMAND_OPTIONS_MAX + 2]; /* of the command last completed */
	char option_words[2 * COMMAND_OPTIONS_MAX + 2][40];
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
	db_names_free(m->staff);
	free(m->tails);
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
		const struct command *c = command_lookup(command);
		size_t o = 0;
		if (!c)
			return NULL;
		/* The options of its table, and --help, which every command takes. */
		for (size_t i = 0; c->options[i].long_name; i++) {
			snprintf(m->option_words[o], sizeof m->option_words[o], "--%s",
				 c->options[i].long_name);
			m->options[o] = m->option_words[o];
			o++;
			if (c->options[i].short_name) {
				snprintf(m->option_words[o], sizeof m->option_words[o], "-%c",
					 c->options[i].short_name);
				m->options[o] = m->option_words[o];
				o++;
			}
		}
		m->options[o++] = "--help";
		m->options[o] = NULL;
		return m->options;
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

/* Splits line in place into words as a POSIX shell would, without its
 * expansions: blanks separate words; 'single quotes' keep everything
 * inside as it is; "double quotes" keep blanks, and in them a backslash
 * keeps a following " \ $ or ` as it is; elsewhere a backslash keeps the
 * next character as it is.  So `--name 'Ana Silva'`, `--name "Ana Silva"`
 * and `--name Ana\ Silva` are one value, as in a shell.  Returns the
 * number of words, or -1 when there are too many or a quote is left open. */
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
			if (*p == '\'') {
				for (p++; *p && *p != '\'';)
					*out++ = *p++;
				if (*p++ != '\'')
					return -1;
			} else if (*p == '"') {
				for (p++; *p && *p != '"';) {
					if (*p == '\\' && p[1] && strchr("\"\\$`", p[1]))
						p++;
					*out++ = *p++;
				}
				if (*p++ != '"')
					return -1;
			} else if (*p == '\\') {
				if (!*++p)
					return -1;
				*out++ = *p++;
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

/* ---- what the menu's history keeps ----
 *
 * A menu line is parsed as its command will parse it (command_parse_each(),
 * with abbreviations: --rea is --reason), by the command's table (the one
 * that also prints its --help and feeds Tab and `help --dump`), and kept
 * only as far as it is known to carry no personal data (docs/security.md):
 *  - the command word; an option without a value; an option whose value is
 *    a number, a date or duration, or one of the words its help offers
 *    (--format tsv, --status pending);
 *  - an argument that is a number (an intake, client or draft number) or a
 *    word of the command's help (a flag id); config's words (settings of
 *    the studio, not of a client);
 *  - never the value of an option that may be personal (PERSONAL_OPTIONS),
 *    find's text nor import's file name; --yes neither.
 * Anything else, and any line that is not a command (a name typed at the
 * prompt), a line the command would refuse, or one that cannot be read,
 * is not kept at all. */

/* Options whose value may be personal: a GP's name, a letter's reference,
 * a file name that may carry a client's name, the name a client typed,
 * a reason for clearing a screening flag (health), contact details. */
static const char *const personal_options[] = { "gp",     "ref",    "output", "answers",
						"create", "name",   "reason", "phone",
						"email",  NULL };

/* True when word is a whole word of text[0..len) (letters, digits, - and _
 * around it). */
static bool word_in(const char *word, const char *text, size_t len)
{
	size_t wl = strlen(word);

	if (!wl)
		return false;
	for (const char *p = text; p + wl <= text + len; p++) {
		if (strncmp(p, word, wl) != 0)
			continue;
		bool before = p > text && (isalnum((unsigned char)p[-1]) || strchr("-_", p[-1]));
		bool after = p + wl < text + len &&
			     (isalnum((unsigned char)p[wl]) || strchr("-_", p[wl]));
		if (!before && !after)
			return true;
	}
	return false;
}

/* True when value says nothing about a person: a number, a date or a
 * duration (a digit first, or + and a digit: 2026-11-01, 23/07/1985, 7y,
 * +10d), today, or a word its option's help offers (tsv, pending). */
static bool plain_value(const char *value, const struct command_option *o, const char *usage)
{
	const char *v = value[0] == '+' ? value + 1 : value;

	if (isdigit((unsigned char)v[0]) && strspn(v, "0123456789abcdefghijklmnopqrstuvwxyz./:+-") ==
						     strlen(v))
		return true;
	if (strcmp(value, "today") == 0)
		return true;
	if (strspn(value, "abcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(value))
		return false;
	return word_in(value, o->help, strlen(o->help)) || word_in(value, usage, strlen(usage));
}

static bool is_personal(const char *long_name)
{
	for (size_t i = 0; personal_options[i]; i++)
		if (strcmp(personal_options[i], long_name) == 0)
			return true;
	return false;
}

/* Appends word to kept (room enough), quoted as the menu reads it back
 * when it holds blanks or quoting characters. */
static void keep_word(char *kept, const char *word)
{
	size_t n = strlen(kept);

	if (*word && strcspn(word, " \t'\"\\$`") == strlen(word)) {
		sprintf(kept + n, " %s", word);
	} else if (strcspn(word, "\"\\$`") == strlen(word)) {
		sprintf(kept + n, " \"%s\"", word);
	} else {
		kept[n++] = ' ';
		kept[n++] = '\'';
		for (; *word; word++) {
			if (*word == '\'') {
				memcpy(kept + n, "'\\''", 4);
				n += 4;
			} else {
				kept[n++] = *word;
			}
		}
		kept[n++] = '\'';
		kept[n] = '\0';
	}
}

/* An argument (not an option) of command c that may be kept. */
static bool plain_argument(const struct command *c, const char *word)
{
	if (strcmp(c->name, "config") == 0)
		return true;
	if (*word && strspn(word, "0123456789") == strlen(word))
		return true;
	if (strspn(word, "abcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(word))
		return false;
	for (size_t i = 0; c->operands[i].name; i++)
		if (c->operands[i].help && word_in(word, c->operands[i].help, strlen(c->operands[i].help)))
			return true;
	return word_in(word, c->help, strlen(c->help));
}

/* keep_command()'s walk over a line. */
struct keeping {
	const struct command *c;
	char *kept;
	bool drop_arguments; /* find's text, import's file name */
};

/* command_parse_each()'s callback: keeps what may be kept of one option or
 * operand; returns non-zero when the line must not be kept at all. */
static int keep_part(const struct command_option *o, const char *value, void *data)
{
	struct keeping *k = data;
	char name[48];

	if (!o) {
		if (k->drop_arguments)
			return 0;
		if (!plain_argument(k->c, value))
			return 1;
		keep_word(k->kept, value);
		return 0;
	}
	if (is_personal(o->long_name) || strcmp(o->long_name, "yes") == 0)
		return 0;
	if (o->arg && !plain_value(value, o, k->c->usage))
		return 1;
	/* As the help names it: an abbreviation written out. */
	snprintf(name, sizeof name, "--%s", o->long_name);
	keep_word(k->kept, name);
	if (o->arg)
		keep_word(k->kept, value);
	return 0;
}

/* What of the n words of a command line (words[0] a command of the
 * table) may be kept, into kept (room for the line and its quotes), as
 * the comment above says.  Returns false when the line is not kept. */
static bool keep_command(int n, char **words, char *kept)
{
	struct keeping k = { command_lookup(words[0]), kept, false };

	if (!k.c)
		return false;
	k.drop_arguments = strcmp(k.c->name, "find") == 0 || strcmp(k.c->name, "import") == 0;
	strcpy(kept, k.c->name);
	return command_parse_each(k.c, n, words, keep_part, &k, NULL) == COMMAND_PARSE_OK;
}

/* Adds what of line may be kept to this session's history (see above). */
static void remember(const char *line)
{
	char *copy = strdup(line), *words[SHELL_ARGS_MAX + 1], *kept = NULL;
	int n;
	bool keep = false;

	if (!copy)
		return;
	n = split(copy, words);
	/* Room for every word quoted, and every option written out in full. */
	if (n > 0 && (kept = calloc(1, 6 * strlen(line) + 64 * (SHELL_ARGS_MAX + 1)))) {
		strcpy(kept, words[0]);
		if (strcmp(words[0], "help") == 0 || strcmp(words[0], "?") == 0) {
			keep = n == 1 || (n == 2 && (command_lookup(words[1]) || menu_own_word(words[1])));
			if (keep && n == 2)
				keep_word(kept, words[1]);
		} else if (menu_own_word(words[0]) || strcmp(words[0], "exit") == 0) {
			keep = n == 1;
		} else {
			keep = keep_command(n, words, kept);
		}
		if (keep)
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

	if (command_parse(argc, argv, &(struct command_args){ 0 }) < 0)
		return EXIT_USAGE;
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
