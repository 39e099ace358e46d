/* process.h - what the process does about signals and core dumps: no core
 * file of client data, a closed output pipe as a quiet exit 1, and a
 * temporary file of client records removed when a signal ends the run. */
#ifndef SMP_PROCESS_H
#define SMP_PROCESS_H

/* The exit status when the reader of standard output (or error) goes away
 * (SIGPIPE: `smp-intake export | head`). */
#define PROCESS_EXIT_PIPE 1

/* At start: no core dump (RLIMIT_CORE 0, not dumpable, so neither a core
 * file nor another process of the same user can read our memory), and
 * SIGPIPE exits with PROCESS_EXIT_PIPE after removing the temporary file,
 * if any.  Returns 0, or -1 (reported) when the core limit cannot be set. */
int process_harden(void);

/* Creates a private temporary file from template (mkstemp(): it ends in
 * XXXXXX, which is replaced) and, until process_forget_temp(), removes it
 * if SIGINT, SIGTERM, SIGHUP or SIGPIPE ends the process; a signal that
 * was ignored or handled before is left as it was (the menu's Ctrl-C).
 * One such file at a time.  Returns the open descriptor, or -1 with errno
 * set. */
int process_temp_create(char *template);

/* As process_temp_create(), for a temporary SQLite database: a signal
 * also removes its -wal, -shm and -journal files (import into a new
 * database builds it under a temporary name). */
int process_temp_database(char *template);

/* The temporary file is renamed or removed: no longer removed on a signal,
 * and the signals are handled as before process_temp_create(). */
void process_forget_temp(void);

#endif
