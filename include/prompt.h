/* prompt.h - reading answers and commands: GNU readline at a terminal,
 * plain lines through a pipe.  The only module that talks to readline. */
#ifndef SMP_PROMPT_H
#define SMP_PROMPT_H

#include <stdbool.h>

/* The longest line read, in bytes, without its line end: a terminal
 * refuses a longer one and asks again; through a pipe it ends the input
 * (an error).  Far above the longest answer (4000 characters). */
#define PROMPT_LINE_MAX 65536

enum prompt_result {
	PROMPT_LINE,        /* *line holds what was typed (allocated) */
	PROMPT_EOF,         /* Ctrl-D on an empty line, or end of input */
	PROMPT_INTERRUPTED, /* Ctrl-C */
	PROMPT_ERROR        /* reported */
};

/* True when answers come from a person at a terminal. */
bool prompt_interactive(void);

/* Reads one line.  At a terminal, shows prompt and offers completions
 * (NULL-ended, may be NULL) on Tab; nothing typed goes into the history.
 * Through a pipe, no prompt is written.  NUL bytes are dropped, and the
 * line end (\n or \r\n) removed.  The caller frees *line. */
enum prompt_result prompt_read(const char *prompt, const char *const *completions, char **line);

/* Called on Tab with the whole line and the offset where the word being
 * completed starts; returns the words that may stand there (NULL-ended,
 * kept alive by the caller until the next call), or NULL for none. */
typedef const char *const *(*prompt_completer)(void *data, const char *line, int start);

/* As prompt_read(), the completions of the word under the cursor, at any
 * place in the line, chosen by fn (called with data). */
enum prompt_result prompt_read_completing(const char *prompt, prompt_completer fn, void *data,
					  char **line);

/* At a terminal, the next prompt_read() starts with text already in the
 * line, to edit (an answer refused as too long or as several lines is
 * given back, not lost).  NULL forgets it; a pipe ignores it. */
void prompt_refill(const char *text);

/* Adds a menu command to this session's history (never answers; never
 * written to a file). */
void prompt_remember_command(const char *command);

/* Forgets the history and restores signal handling. */
void prompt_finish(void);

#endif
