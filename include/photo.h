/* photo.h - a client's photo as bytes (issue 16): read from a file within
 * the studio's size limit, told JPEG or PNG by its content, hashed with
 * SHA-256 (nettle).  No image is ever decoded: smp-intake stores the bytes
 * and hands them back. */
#ifndef SMP_PHOTO_H
#define SMP_PHOTO_H

#include <stddef.h>

/* The views a photo may show, NULL-ended (table photo's CHECK). */
extern const char *const photo_views[];

/* The media type of data by its content: "image/jpeg" (starts FF D8 FF and
 * ends with the end-of-image marker FF D9, up to a little padding) or
 * "image/png" (the PNG signature, an IHDR chunk first, an IEND chunk
 * last); NULL for anything else, a truncated image included. */
const char *photo_media_type(const unsigned char *data, size_t n);

/* The lower-case hex SHA-256 of data into hex (65 bytes). */
void photo_sha256(const unsigned char *data, size_t n, char hex[65]);

/* Reads the regular file at path, refusing one larger than max bytes
 * before reading it (fstat) and while reading.  Returns 0 with *data
 * (malloc'd) and *n, or -1 with a one-line reason in why. */
int photo_read_file(const char *path, size_t max, unsigned char **data, size_t *n, char *why,
		    size_t why_n);

/* The file name extension of media type: "jpg" or "png". */
const char *photo_extension(const char *media_type);

#endif
