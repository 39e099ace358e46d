/* prompt.c - the only file that talks to GNU readline.  At a terminal it
 * gives line editing, Tab completion of choices and a Ctrl-C that cancels
 * instead of killing; through a pipe it reads plain lines with getline(),
 * as readline would otherwise echo everything to stdout. */
#include "prompt.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "report.h"
#include "text.h"

/* State readline's callbacks need; readline offers no user pointer. */
static volatile sig_atomic_t interrupted;
static const char *const *current_completions;
static prompt_completer current_completer;
static void *current_completer_data;
static bool started;
static char *refill; /* put in the line of the next prompt (prompt_refill) */
static size_t keys_read;   /* bytes readline read for the current line */
static int overlong_fed;   /* -1: within PROMPT_LINE_MAX; else how much of the end was fed */

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* Called by readline while it waits, and when a signal interrupts it. */
static int check_interrupt(void)
{
	if (interrupted)
		rl_done = 1;
	return 0;
}

static char *next_completion(const char *text, int state)
{
	static size_t i, len;

	if (state == 0) {
		i = 0;
		len = strlen(text);
	}
	while (current_completions && current_completions[i]) {
		const char *c = current_completions[i++];
		if (strncmp(c, text, len) == 0)
			return strdup(c);
	}
	return NULL;
}

/* Completes from the prompt's own list; never file names. */
static char **complete(const char *text, int start, int end)
{
	(void)end;
	rl_attempted_completion_over = 1;
	if (current_completer)
		current_completions = current_completer(current_completer_data, rl_line_buffer, start);
	return current_completions ? rl_completion_matches(text, next_completion) : NULL;
}

/* rl_getc_function: counts what readline reads for one line.  Past
 * PROMPT_LINE_MAX bytes (a huge paste, or a program typing without end)
 * the rest of what is waiting is thrown away as it comes, so memory stays
 * bounded, and readline is handed the end of a bracketed paste and a
 * Return: the line ends, and prompt_read() refuses it. */
static int read_key(FILE *in)
{
	static const char end[] = "\033[201~\r";
	int c;

	if (overlong_fed >= 0) {
		if ((size_t)overlong_fed < sizeof end - 1)
			return (unsigned char)end[overlong_fed++];
		return EOF;
	}
	c = rl_getc(in);
	if (c != EOF && ++keys_read > PROMPT_LINE_MAX) {
		struct pollfd p = { .fd = fileno(in), .events = POLLIN };
		char sink[4096];

		/* Until the input stays quiet for a moment: the paste's end. */
		while (poll(&p, 1, 200) == 1 && read(p.fd, sink, sizeof sink) > 0)
			;
		tcflush(p.fd, TCIFLUSH);
		overlong_fed = 0;
		return (unsigned char)end[overlong_fed++];
	}
	return c;
}

/* rl_startup_hook: starts the line with the text given back to trim. */
static int insert_refill(void)
{
	if (refill) {
		rl_insert_text(refill);
		free(refill);
		refill = NULL;
	}
	return 0;
}

void prompt_refill(const char *text)
{
	free(refill);
	refill = text ? strdup(text) : NULL;
}

/* Prints all but the last line of prompt wrapped at word boundaries to the
 * terminal's width, and returns the last line for readline to show (in
 * buf, or prompt itself when it fits): readline would cut a long prompt
 * anywhere, and redraws only its own last line correctly. */
static const char *wrap_prompt(const char *prompt, char *buf, size_t n)
{
	int width = text_terminal_width() - 1;
	char *wrapped = NULL, *last;
	size_t len = 0;
	FILE *mem;

	if (text_columns(prompt) <= width && !strchr(prompt, '\n'))
		return prompt;
	if (!(mem = open_memstream(&wrapped, &len)))
		return prompt;
	if (text_wrap(mem, prompt, width, 0) < 0 || fclose(mem) != 0) {
		free(wrapped);
		return prompt;
	}
	last = strrchr(wrapped, '\n');
	if (last) {
		fwrite(wrapped, 1, (size_t)(last - wrapped) + 1, stdout);
		fflush(stdout);
		last++;
	} else {
		last = wrapped;
	}
	/* text_wrap drops the space after the colon: readline's line needs it. */
	snprintf(buf, n, "%s%s", last, prompt[strlen(prompt) - 1] == ' ' ? " " : "");
	free(wrapped);
	return buf;
}

static void start_readline(void)
{
	struct sigaction sa;

	if (started)
		return;
	started = true;
	rl_readline_name = "smp-intake";
	rl_catch_signals = 0;
	rl_catch_sigwinch = 1;
	rl_attempted_completion_function = complete;
	rl_event_hook = check_interrupt;
	rl_signal_event_hook = check_interrupt;
	rl_startup_hook = insert_refill;
	rl_getc_function = read_key;
	/* Bracketed paste stays on (readline's default since 8.1): a pasted
	 * text arrives whole in the line, its line breaks kept as \n (readline
	 * turns each CR inside a paste into \n), and only Enter ends it. */
	rl_initialize();
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: the wait for a key must end */
	sigaction(SIGINT, &sa, NULL);
}

bool prompt_interactive(void)
{
	return isatty(STDIN_FILENO);
}

/* Removes NUL bytes from line[0..len) and returns the new length. */
static size_t drop_nul(char *line, size_t len)
{
	size_t out = 0;
	for (size_t i = 0; i < len; i++)
		if (line[i] != '\0')
			line[out++] = line[i];
	line[out] = '\0';
	return out;
}

/* Reads one line into *line, keeping at most PROMPT_LINE_MAX + 1 bytes
 * of it as it reads: the rest of a longer line is read and thrown away,
 * so the line comes back cut, too long for any answer, and the next line
 * is read as the next answer.  A line that has not ended after
 * PROMPT_INPUT_MAX bytes (`new < /dev/zero`) ends the input: an error. */
static enum prompt_result read_pipe(char **line)
{
	size_t n = 0, total = 0, cap = 128;
	char *grown;
	int c;

	if (!(*line = malloc(cap))) {
		report("out of memory");
		return PROMPT_ERROR;
	}
	errno = 0;
	while ((c = getc(stdin)) != EOF && c != '\n') {
		if (++total > PROMPT_INPUT_MAX) {
			free(*line);
			*line = NULL;
			report("a line of input is longer than %d MiB; nothing more is read",
			       PROMPT_INPUT_MAX >> 20);
			return PROMPT_ERROR;
		}
		if (n == PROMPT_LINE_MAX + 2) /* + 2: a CR to drop, or one byte too many */
			continue;
		if (n + 1 == cap) {
			cap = cap * 2 > PROMPT_LINE_MAX + 3 ? PROMPT_LINE_MAX + 3 : cap * 2;
			if (!(grown = realloc(*line, cap))) {
				free(*line);
				*line = NULL;
				report("out of memory");
				return PROMPT_ERROR;
			}
			*line = grown;
		}
		(*line)[n++] = (char)c;
	}
	if (c == EOF && ferror(stdin) && errno != EINTR) {
		free(*line);
		*line = NULL;
		report("cannot read standard input: %s", strerror(errno));
		return PROMPT_ERROR;
	}
	if (c == EOF && total == 0) {
		free(*line);
		*line = NULL;
		return PROMPT_EOF;
	}
	if (n > 0 && (*line)[n - 1] == '\r' && n == total)
		n--;
	if (n > PROMPT_LINE_MAX)
		n = PROMPT_LINE_MAX + 1;
	drop_nul(*line, n);
	return PROMPT_LINE;
}

enum prompt_result prompt_read(const char *prompt, const char *const *completions, char **line)
{
	if (!prompt_interactive()) {
		prompt_refill(NULL);
		return read_pipe(line);
	}
	char last[1024];

	start_readline();
	interrupted = 0;
	current_completions = completions;
	for (;;) {
		keys_read = 0;
		overlong_fed = -1;
		*line = readline(wrap_prompt(prompt, last, sizeof last));
		if (overlong_fed < 0 || interrupted)
			break;
		/* Refused whole: what was read is not a line anybody typed. */
		free(*line);
		report("that is longer than %d bytes, the limit for a line; it was not kept",
		       PROMPT_LINE_MAX);
	}
	overlong_fed = -1;
	current_completions = NULL;
	if (interrupted) {
		free(*line);
		*line = NULL;
		return PROMPT_INTERRUPTED;
	}
	if (!*line) {
		fputc('\n', rl_outstream ? rl_outstream : stdout);
		return PROMPT_EOF;
	}
	return PROMPT_LINE;
}

enum prompt_result prompt_read_completing(const char *prompt, prompt_completer fn, void *data,
					  char **line)
{
	enum prompt_result r;

	current_completer = fn;
	current_completer_data = data;
	r = prompt_read(prompt, NULL, line);
	current_completer = NULL;
	current_completer_data = NULL;
	return r;
}

void prompt_remember_command(const char *command)
{
	if (*command)
		add_history(command);
}

void prompt_finish(void)
{
	prompt_refill(NULL);
	if (!started)
		return;
	/* Unlike clear_history(), also frees the undo lists readline keeps for
	 * history lines edited after recall. */
	rl_clear_history();
	rl_clear_signals();
	signal(SIGINT, SIG_DFL);
}
