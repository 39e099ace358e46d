/* outfile.c - atomic, private output files for exports: nothing partial is
 * ever left under the final name, and nothing is overwritten unasked. */
#include "outfile.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "process.h"
#include "report.h"

/* Whether --force may replace what is at path: a regular file, a symbolic
 * link to one or to nothing (the link itself is replaced), or nothing.
 * Reports and returns false for a folder, a device, a pipe or a socket
 * (or a link to one): rename() would put a file in their place, and
 * `-o /dev/null --force` run as root would replace the device. */
static bool replaceable(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return true;
	if (S_ISLNK(st.st_mode) && stat(path, &st) < 0)
		return true;
	if (S_ISREG(st.st_mode))
		return true;
	report("'%s' is not a regular file (a folder, a device or a pipe): --force replaces only "
	       "a file",
	       path);
	return false;
}

int outfile_open(struct outfile *out, const char *path, bool force)
{
	const char *slash;
	size_t dirlen;
	int fd;
	struct stat st;

	memset(out, 0, sizeof *out);
	out->force = force;
	if (!path || strcmp(path, "-") == 0) {
		out->f = stdout;
		return 0;
	}
	if (!force && lstat(path, &st) == 0) {
		report("'%s' already exists; use --force to replace it", path);
		return -1;
	}
	if (force && !replaceable(path))
		return -1;
	slash = strrchr(path, '/');
	dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	out->path = strdup(path);
	out->tmp = malloc(dirlen + sizeof ".smp-intake-XXXXXX");
	if (!out->path || !out->tmp) {
		report("out of memory");
		goto fail;
	}
	memcpy(out->tmp, path, dirlen);
	strcpy(out->tmp + dirlen, ".smp-intake-XXXXXX");
	/* Removed by a signal too (SIGINT, SIGTERM, SIGHUP, SIGPIPE), not
	 * by SIGKILL: see docs/security.md. */
	if ((fd = process_temp_create(out->tmp)) < 0) {
		report("cannot write '%s': %s", path, strerror(errno));
		free(out->tmp);
		out->tmp = NULL;
		goto fail;
	}
	if (!(out->f = fdopen(fd, "w"))) {
		report("cannot write '%s': %s", path, strerror(errno));
		close(fd);
		goto fail;
	}
	return 0;
fail:
	outfile_abort(out);
	return -1;
}

/* Makes the new name itself durable: a power cut after rename() could
 * otherwise lose it.  Failure here is not worth failing the export for. */
static void sync_folder(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

int outfile_commit(struct outfile *out)
{
	int rc = 0;

	if (!out->path) {
		if (fflush(stdout) == EOF) {
			report("cannot write the output: %s", strerror(errno));
			return -1;
		}
		return 0;
	}
	if (fflush(out->f) == EOF || fsync(fileno(out->f)) < 0) {
		report("cannot write '%s': %s", out->path, strerror(errno));
		rc = -1;
	}
	/* A full disk may only show at fclose. */
	if (fclose(out->f) == EOF && rc == 0) {
		report("cannot write '%s': %s", out->path, strerror(errno));
		rc = -1;
	}
	out->f = NULL;
	/* What appeared at the name meanwhile is judged again. */
	if (rc == 0 && out->force && !replaceable(out->path))
		rc = -1;
	if (rc == 0) {
		/* link() fails if the name exists, so nothing appears overwritten. */
		if (out->force ? rename(out->tmp, out->path) < 0
			       : link(out->tmp, out->path) < 0 || unlink(out->tmp) < 0) {
			if (errno == EEXIST)
				report("'%s' already exists; use --force to replace it", out->path);
			else
				report("cannot write '%s': %s", out->path, strerror(errno));
			rc = -1;
		} else {
			process_forget_temp();
			free(out->tmp);
			out->tmp = NULL;
			sync_folder(out->path);
		}
	}
	outfile_abort(out);
	return rc;
}

void outfile_abort(struct outfile *out)
{
	if (out->f && out->f != stdout)
		fclose(out->f);
	out->f = NULL;
	if (out->tmp) {
		unlink(out->tmp);
		process_forget_temp();
	}
	free(out->tmp);
	free(out->path);
	out->tmp = out->path = NULL;
}

/* outfile_open()'s temporary name: the prefix and mkstemp's six letters
 * and digits. */
static bool is_leftover(const char *name)
{
	static const char prefix[] = ".smp-intake-";
	const char *tail = name + sizeof prefix - 1;

	if (strncmp(name, prefix, sizeof prefix - 1) != 0 || strlen(tail) != 6)
		return false;
	for (int i = 0; i < 6; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
			    tail[i]))
			return false;
	return true;
}

int outfile_each_leftover(const char *beside, void (*fn)(const char *path, void *arg), void *arg)
{
	const char *slash = strrchr(beside, '/');
	size_t dirlen = slash ? (size_t)(slash - beside) + 1 : 0;
	char *folder = dirlen ? strndup(beside, dirlen) : strdup(".");
	DIR *dir = folder ? opendir(folder) : NULL;
	struct dirent *e;
	char *path;
	int count = 0;

	if (!dir) {
		free(folder);
		return -1;
	}
	while ((e = readdir(dir))) {
		if (!is_leftover(e->d_name))
			continue;
		if (!(path = malloc(dirlen + strlen(e->d_name) + 1)))
			break;
		memcpy(path, beside, dirlen);
		strcpy(path + dirlen, e->d_name);
		fn(path, arg);
		free(path);
		count++;
	}
	closedir(dir);
	free(folder);
	return count;
}
