/* replay.c - a main() for the fuzz harnesses without libFuzzer, so that
 * gcc builds them too and `make test` runs them: every file of the seed
 * corpus (tests/fuzz/corpus/NAME/) and of the crashes found before
 * (tests/fuzz/regress/NAME/) goes through LLVMFuzzerTestOneInput once.
 * Prints TAP, one test per file, as the cmocka suites do; a crash stops
 * the run, and tests/run.sh counts the files not reported as failed. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#ifndef FUZZ_NAME
#error "build with -DFUZZ_NAME='\"name\"'"
#endif

#define MAX_FILES 4096

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends the regular files of folder dir to files (allocated paths). */
static int list_folder(const char *dir, char **files, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat st;

	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d))) {
		size_t len = strlen(dir) + strlen(e->d_name) + 2;
		char *path = malloc(len);

		if (!path || *n == MAX_FILES) {
			free(path);
			closedir(d);
			return -1;
		}
		snprintf(path, len, "%s/%s", dir, e->d_name);
		if (e->d_name[0] == '.' || stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		files[(*n)++] = path;
	}
	closedir(d);
	return 0;
}

/* Reads a whole file (allocated); NULL on error.  Exactly its size and no
 * NUL after it, as libFuzzer gives it, so AddressSanitizer sees a read past
 * the end. */
static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc(len ? (size_t)len : 1)) && fread(buf, 1, (size_t)len, f) == (size_t)len) {
		*size = (size_t)len;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	const char *root = argc > 1 ? argv[1] : "tests/fuzz";
	char corpus[512], regress[512];
	static char *files[MAX_FILES];
	size_t n = 0;
	int failed = 0;

	snprintf(corpus, sizeof corpus, "%s/corpus/%s", root, FUZZ_NAME);
	snprintf(regress, sizeof regress, "%s/regress/%s", root, FUZZ_NAME);
	if (list_folder(corpus, files, &n) < 0 || list_folder(regress, files, &n) < 0) {
		fprintf(stderr, "replay_%s: cannot list %s or %s\n", FUZZ_NAME, corpus, regress);
		return 1;
	}
	qsort(files, n, sizeof files[0], by_name);
	/* No seed at all would make a green run that tested nothing. */
	printf("1..%zu\n", n ? n : 1);
	if (n == 0)
		printf("not ok 1 - no inputs in %s\n", corpus);
	for (size_t i = 0; i < n; i++) {
		size_t size = 0;
		uint8_t *data = read_file(files[i], &size);

		fflush(stdout);
		if (!data) {
			printf("not ok %zu - %s: cannot read it\n", i + 1, files[i]);
			failed++;
		} else {
			LLVMFuzzerTestOneInput(data, size);
			printf("ok %zu - %s\n", i + 1, files[i]);
		}
		free(data);
		free(files[i]);
	}
	return failed || n == 0 ? 1 : 0;
}
