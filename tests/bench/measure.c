/* measure.c - `measure FD COMMAND [ARG...]` runs the command and prints its
 * wall time in seconds and its peak resident memory in KiB ("SECONDS KIB")
 * on file descriptor FD.
 *
 * Why not from python directly: Linux carries the peak memory of a
 * process image over exec(), so a child forked from the 20 MiB benchmark
 * script reports at least 20 MiB whatever it runs.  This program is small:
 * the command it forks starts from its few hundred KiB. */
#define _DEFAULT_SOURCE /* wait4() */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec a, b;
	struct rusage ru;
	int status;
	pid_t pid;
	FILE *out;

	int fd = argc > 2 ? atoi(argv[1]) : -1;

	if (fd < 3 || !(out = fdopen(fd, "w"))) {
		fprintf(stderr, "usage: measure FD COMMAND [ARG...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	if ((pid = fork()) < 0)
		return 2;
	if (pid == 0) {
		close(fd);
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &b);
	fprintf(out, "%.6f %ld\n", (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9,
		ru.ru_maxrss);
	fclose(out);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
