/* outfile.h - writing an output file atomically: a private temporary file
 * in the target folder, renamed into place only when complete. */
#ifndef SMP_OUTFILE_H
#define SMP_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

struct outfile {
	FILE *f;      /* write here */
	char *path;   /* final name; NULL for stdout */
	char *tmp;    /* temporary name while writing */
	bool force;
};

/* Starts writing path (NULL or "-" for stdout).  Refuses an existing path
 * unless force.  The file is created 0600.  Returns 0, or -1 (reported). */
int outfile_open(struct outfile *out, const char *path, bool force);

/* Flushes, syncs and moves the file into place (without force it never
 * replaces what appeared meanwhile, nor follows a symlink).  Returns 0, or
 * -1 (reported, the temporary file removed). */
int outfile_commit(struct outfile *out);

/* Abandons the output: removes the temporary file.  Accepts a closed one. */
void outfile_abort(struct outfile *out);

/* Calls fn with the path of every temporary file of outfile_open() left in
 * the folder of beside (a file's path): what a kill during an export left.
 * Returns how many, or -1 when the folder cannot be read. */
int outfile_each_leftover(const char *beside, void (*fn)(const char *path, void *arg), void *arg);

#endif
