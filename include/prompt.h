/* prompt.h - reading answers and commands: GNU readline at a terminal,
 * plain lines through a pipe.  The only module that talks to readline. */
#ifndef SMP_PROMPT_H
#define SMP_PROMPT_H

#include <stdbool.h>

/* The most of a line that is read into memory, in bytes, without its line
 * end; far above the longest answer (4000 characters).  At a terminal a
 * longer line is refused (one line) and the prompt asked again; through a
 * pipe it comes back cut to PROMPT_LINE_MAX + 1 bytes (too long for any
 * answer), the rest of it read and thrown away. */
#define PROMPT_LINE_MAX 65536

/* Through a pipe, a line that has not ended after this many bytes ends
 * the input (PROMPT_ERROR, reported): endless input such as /dev/zero
 * stops at once.  As much as an --answers file may hold. */
#define PROMPT_INPUT_MAX (16 << 20)

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
 * line end (\n or \r\n) removed.  Lines are bounded as PROMPT_LINE_MAX
 * and PROMPT_INPUT_MAX say.  The caller frees *line. */
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
