/* pager.c - a text longer than the screen goes through the user's pager at
 * a terminal, so the reader starts at its top (the client reads the whole
 * advice sheet before typing their name).  Never through a pipe. */
#include "pager.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGER_DEFAULT "less -R"
/* The lines kept free under a text that is not paged: the acknowledgement
 * after a sheet takes three, and its top must stay on the screen. */
#define PAGER_ROOM 4

bool pager_wanted(void)
{
	return isatty(STDOUT_FILENO);
}

/* The terminal's rows, or 0 when they cannot be read (then no pager). */
static int terminal_rows(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0)
		return ws.ws_row;
	return 0;
}

static size_t count_lines(const char *text, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		if (text[i] == '\n')
			n++;
	return len > 0 && text[len - 1] != '\n' ? n + 1 : n;
}

static int print_directly(const char *text, size_t len)
{
	if (fwrite(text, 1, len, stdout) != len || fflush(stdout) == EOF)
		return -1;
	return 0;
}

/* Runs the pager on text.  Returns 0 when it ran (however it was left), or
 * -1 when it could not be started, so the caller prints directly. */
static int run_pager(const char *cmd, const char *text, size_t len)
{
	struct sigaction ignore = {0}, old_pipe, old_int, old_quit;
	FILE *p;
	int status;

	/* A reader who quits early closes the pipe: a write then fails with
	 * EPIPE instead of killing us.  Ctrl-C and Ctrl-\ belong to the pager
	 * while it runs, as with system(). */
	ignore.sa_handler = SIG_IGN;
	sigemptyset(&ignore.sa_mask);
	if (sigaction(SIGPIPE, &ignore, &old_pipe) < 0)
		return -1;
	sigaction(SIGINT, &ignore, &old_int);
	sigaction(SIGQUIT, &ignore, &old_quit);
	if (!(p = popen(cmd, "w"))) {
		status = -1;
	} else {
		(void)fwrite(text, 1, len, p); /* short when the reader quit early */
		status = pclose(p);
	}
	sigaction(SIGQUIT, &old_quit, NULL);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
	/* 126 and 127: the shell could not run the pager at all. */
	if (status == -1 ||
	    (WIFEXITED(status) && (WEXITSTATUS(status) == 126 || WEXITSTATUS(status) == 127)))
		return -1;
	return 0;
}

int pager_show(const char *text, size_t len)
{
	const char *pager = getenv("PAGER");
	int rows;

	if (!pager_wanted() || (rows = terminal_rows()) <= 0 ||
	    count_lines(text, len) + PAGER_ROOM <= (size_t)rows)
		return print_directly(text, len);
	if (fflush(stdout) == EOF)
		return -1;
	if (run_pager(pager && *pager ? pager : PAGER_DEFAULT, text, len) == 0)
		return 0;
	return print_directly(text, len);
}
