/* photo.h - the client's photos as files: an image checked by its content
 * (JPEG or PNG, never decoded), its size capped before it is read whole,
 * its SHA-256 (nettle); and the photos of a subject access export written
 * beside it (src/photo.c). */
#ifndef SMP_PHOTO_H
#define SMP_PHOTO_H

#include <stdbool.h>
#include <stddef.h>

#include "context.h"

/* The views a photo is taken from, for messages and --help. */
#define PHOTO_VIEWS "front, top, crown, left, right, back or scar"

/* A megabyte of photo_max_mb. */
#define PHOTO_MB (1024LL * 1024LL)

/* True when view is one of PHOTO_VIEWS. */
bool photo_view_valid(const char *view);

/* What the bytes are, by their content: "image/jpeg" (FF D8 FF ... FF D9),
 * "image/png" (its signature, IHDR first, IEND last), or NULL for
 * anything else, a cut-short image included.  Never decodes the image. */
const char *photo_media_type(const unsigned char *data, size_t n);

/* The file name extension of media_type: "jpg" or "png". */
const char *photo_extension(const char *media_type);

/* The SHA-256 of the n bytes at data, as 64 lower-case hex digits. */
void photo_sha256_hex(const void *data, size_t n, char out[65]);

/* Reads the image at path (a regular file, at most max_bytes: a larger one
 * is refused by its size before it is read, and no more than max_bytes + 1
 * bytes are ever read) into *data (malloc'd; free it), *n, and its media
 * type (photo_media_type()).  Returns 0, or -1 (reported in one line,
 * naming the file: cannot be read, too large, empty, not a JPEG or PNG
 * image, or one cut short). */
int photo_read_file(const char *path, long long max_bytes, unsigned char **data, size_t *n,
		    const char **media_type);

/* A photo written beside a subject access export. */
struct photo_file {
	long long id;
	char uuid[37];
	char name[64];  /* the file's name in the folder: UUID.jpg or UUID.png */
	char view[8];
	char media_type[12];
	long long size;
	char sha256[65];
};

/* The folder the photos of a subject access export to json_path go in:
 * json_path + ".photos" (allocated; NULL when out of memory, reported). */
char *photo_folder_for(const char *json_path);

/* Client id's photos as a subject access export needs them: their list
 * (*files, allocated; free it) and *count, read before anything is written.
 * Returns 0, or -1 (reported). */
int photo_subject_list(struct ctx *ctx, long long client_id, struct photo_file **files,
		       size_t *count);

/* Writes the count photos of files into a new private folder (0700, each
 * file 0600) made beside folder and renamed to folder once every file is
 * written and synced; each file's bytes are checked against its stored
 * SHA-256 as they go out.  Refuses a folder that is there already unless
 * force (then the old one is removed once the new one is complete: only a
 * folder of files it could have written).  Returns 0, or -1 (reported,
 * nothing left behind). */
int photo_write_folder(struct ctx *ctx, const char *folder, const struct photo_file *files,
		       size_t count, bool force);

/* Removes a folder photo_write_folder() wrote (its files, then itself):
 * when the export it goes with could not be completed. */
void photo_remove_folder(const char *folder);

#endif
