/* process.c - signals and core dumps: nothing of a client's record is left
 * behind by a signal (a temporary export file is removed; a core dump is
 * never written), and a reader that goes away ends the run quietly. */
#include "process.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "report.h"

/* The handlers only read these: the path is written with the signals
 * blocked, before the file exists, and cleared after it is gone. */
static char temp_path[PATH_MAX];
static volatile sig_atomic_t temp_set;
/* A temporary database: its -wal, -shm and -journal beside it go too. */
static const char *const side_suffix[] = { "-wal", "-shm", "-journal" };
#define SIDE_COUNT (sizeof side_suffix / sizeof side_suffix[0])
static char side_path[SIDE_COUNT][PATH_MAX + 16];
static volatile sig_atomic_t side_set;

static const int fatal_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define FATAL_COUNT (sizeof fatal_signals / sizeof fatal_signals[0])
static struct sigaction saved[FATAL_COUNT];
static bool installed[FATAL_COUNT];

/* Async-signal-safe: unlink(), sigaction(), raise() and _exit() only. */
static void remove_temp(void)
{
	if (temp_set)
		unlink(temp_path);
	if (side_set)
		for (size_t i = 0; i < SIDE_COUNT; i++)
			unlink(side_path[i]);
}

static void on_fatal_signal(int sig)
{
	struct sigaction dfl;

	remove_temp();
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
	/* Blocked while this handler runs: delivered as it returns, so the
	 * process ends with the signal's own status (130 for Ctrl-C). */
	raise(sig);
}

static void on_sigpipe(int sig)
{
	(void)sig;
	remove_temp();
	_exit(PROCESS_EXIT_PIPE);
}

int process_harden(void)
{
	const struct rlimit none = { 0, 0 };
	struct sigaction sa;

	if (setrlimit(RLIMIT_CORE, &none) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		report("cannot turn core dumps off: %s", strerror(errno));
		return -1;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigpipe;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGPIPE, &sa, NULL) < 0) {
		report("cannot handle SIGPIPE: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void block_signals(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < FATAL_COUNT; i++)
		sigaddset(&set, fatal_signals[i]);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, old);
}

static void restore_handlers(void)
{
	for (size_t i = 0; i < FATAL_COUNT; i++) {
		if (installed[i])
			sigaction(fatal_signals[i], &saved[i], NULL);
		installed[i] = false;
	}
}

int process_temp_create(char *template)
{
	struct sigaction sa;
	sigset_t old;
	int fd, err;

	if (temp_set || strlen(template) >= sizeof temp_path) {
		errno = temp_set ? EBUSY : ENAMETOOLONG;
		return -1;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	block_signals(&old);
	for (size_t i = 0; i < FATAL_COUNT; i++) {
		/* Only the signals that would end the run as it stands: an
		 * ignored SIGHUP (nohup) or the menu's Ctrl-C stay theirs. */
		if (sigaction(fatal_signals[i], NULL, &saved[i]) == 0 &&
		    saved[i].sa_handler == SIG_DFL && !(saved[i].sa_flags & SA_SIGINFO))
			installed[i] = sigaction(fatal_signals[i], &sa, NULL) == 0;
	}
	fd = mkstemp(template); /* mkstemp creates 0600 */
	err = errno;
	if (fd >= 0) {
		memcpy(temp_path, template, strlen(template) + 1);
		temp_set = 1;
	} else {
		restore_handlers();
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = err;
	return fd;
}

int process_temp_database(char *template)
{
	sigset_t old;
	int fd = process_temp_create(template);

	if (fd < 0)
		return -1;
	block_signals(&old);
	for (size_t i = 0; i < SIDE_COUNT; i++)
		snprintf(side_path[i], sizeof side_path[i], "%s%s", temp_path, side_suffix[i]);
	side_set = 1;
	sigprocmask(SIG_SETMASK, &old, NULL);
	return fd;
}

void process_forget_temp(void)
{
	sigset_t old;

	block_signals(&old);
	temp_set = 0;
	side_set = 0;
	temp_path[0] = '\0';
	restore_handlers();
	sigprocmask(SIG_SETMASK, &old, NULL);
}
