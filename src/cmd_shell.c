/* cmd_shell.c - the menu a person gets from `smp-intake` alone at a
 * terminal: the same commands as the command line, one per line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "command.h"
#include "prompt.h"
#include "report.h"

#define SHELL_ARGS_MAX 16

static const char *const menu_words[] = {
	"new", "edit", "acknowledge", "clear-flag", "history", "access-log", "drafts", "resume",
	"find", "list", "show", "advice", "signoff", "config", "export", "import", "erase",
	"purge", "questionnaire", "contact", "help", "quit", NULL
};

static void print_menu(void)
{
	printf("Commands:\n"
	       "  new [--client ID]   take a consultation intake\n"
	       "  edit ID          change an intake's answers\n"
	       "  acknowledge ID [--name NAME]   the client confirms reading the advice sheet\n"
	       "  clear-flag ID FLAG --reason TEXT   clear a screening flag once looked into\n"
	       "  history ID       every change to an intake\n"
	       "  drafts [--discard DRAFT]   unfinished intakes and edits\n"
	       "  resume [DRAFT]   continue an unfinished intake or edit\n"
	       "  find TEXT        find clients by name, email or phone (the start of it)\n"
	       "  contact CLIENT [--phone P] [--email E]   change a client's phone or email\n"
	       "  list [--pending-signoff | --ready]   recent intakes, sign-off, readiness\n"
	       "  show ID          print an intake\n"
	       "  advice ID [--format text|markdown|html]   the advice sheet, or a handout\n"
	       "  signoff ID --status obtained|pending|declined [--gp NAME] [--date DATE]\n"
	       "                   record the GP's answer when it arrives\n"
	       "  config list | get KEY | set KEY VALUE   the studio's settings\n"
	       "  export [--format json|ndjson|csv|fhir] [--since DATE] [--until DATE]\n"
	       "         [--pending-signoff] [-o FILE] [--force]   write the intakes\n"
	       "  export --client ID [-o FILE] [--force]   all of one client's records as JSON\n"
	       "  import FILE [--update] [--dry-run]   read an export back in (all or none)\n"
	       "  erase CLIENT_ID  erase a client and all their records (asks first)\n"
	       "  purge --older-than DURATION [--yes]   list (or erase) clients unseen that long\n"
	       "  access-log [--client ID] [--since DATE]   who read or exported whose records\n"
	       "  questionnaire [--format text|fhir]   the questions, or a FHIR Questionnaire\n"
	       "  help             this list\n"
	       "  quit             leave (also Ctrl-D)\n");
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

int cmd_shell(struct ctx *ctx, int argc, char **argv)
{
	char *line, *words[SHELL_ARGS_MAX + 1];
	int n;

	(void)argv;
	if (argc != 1) {
		command_usage(stderr, "shell");
		return EXIT_USAGE;
	}
	if (!prompt_interactive()) {
		report("the menu needs a terminal; give a command (see smp-intake --help)");
		return EXIT_USAGE;
	}
	if (!ctx_db(ctx))
		return EXIT_FAIL;
	printf("smp-intake %s. Type help for the commands, quit to leave.\n", SMP_VERSION);
	for (;;) {
		switch (prompt_read("smp-intake> ", menu_words, &line)) {
		case PROMPT_LINE:
			break;
		case PROMPT_INTERRUPTED:
			continue;
		case PROMPT_EOF:
			return EXIT_OK;
		case PROMPT_ERROR:
			return EXIT_FAIL;
		}
		remember(line);
		if ((n = split(line, words)) < 0) {
			report("cannot read that line (an open quote, or too many words)");
		} else if (n == 0) {
			/* nothing typed */
		} else if (strcmp(words[0], "quit") == 0 || strcmp(words[0], "exit") == 0) {
			free(line);
			return EXIT_OK;
		} else if (strcmp(words[0], "help") == 0 || strcmp(words[0], "?") == 0) {
			print_menu();
		} else if (strcmp(words[0], "shell") == 0) {
			printf("You are in the menu already.\n");
		} else {
			command_dispatch(ctx, n, words);
		}
		free(line);
	}
}
