/* photo.c - a photo's bytes: see photo.h. */
#include "photo.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const photo_views[] = { "front", "top", "crown", "left", "right", "back", "scar",
				    NULL };

/* Bytes of padding a JPEG writer may leave after its end marker. */
#define JPEG_TAIL_MAX 64

const char *photo_media_type(const unsigned char *data, size_t n)
{
	static const unsigned char png[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

	if (n >= 6 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff) {
		size_t end = n, stop = n > JPEG_TAIL_MAX ? n - JPEG_TAIL_MAX : 3;
		while (end > stop && data[end - 1] == 0)
			end--;
		return end >= 5 && data[end - 2] == 0xff && data[end - 1] == 0xd9 ? "image/jpeg"
										  : NULL;
	}
	/* signature, IHDR's length and name, ..., IEND's length (0), name, CRC */
	if (n >= 8 + 8 + 13 + 4 + 12 && memcmp(data, png, 8) == 0 &&
	    memcmp(data + 12, "IHDR", 4) == 0 && memcmp(data + n - 8, "IEND", 4) == 0 &&
	    memcmp(data + n - 12, "\0\0\0\0", 4) == 0)
		return "image/png";
	return NULL;
}

void photo_sha256(const unsigned char *data, size_t n, char hex[65])
{
	struct sha256_ctx h;
	uint8_t digest[SHA256_DIGEST_SIZE];

	sha256_init(&h);
	sha256_update(&h, n, data);
	sha256_digest(&h, sizeof digest, digest);
	for (size_t i = 0; i < sizeof digest; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

int photo_read_file(const char *path, size_t max, unsigned char **data, size_t *n, char *why,
		    size_t why_n)
{
	struct stat st;
	unsigned char *buf = NULL;
	size_t got = 0;
	int fd;

	*data = NULL;
	*n = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		snprintf(why, why_n, "cannot open the photo: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, why_n, "the photo is not a regular file");
		goto fail;
	}
	if ((unsigned long long)st.st_size > max) {
		snprintf(why, why_n, "the photo is larger than %zu MB (config photo_max_mb)",
			 max >> 20);
		goto fail;
	}
	/* The size may change as we read: never more than max + 1 bytes. */
	if (!(buf = malloc((size_t)st.st_size + 1))) {
		snprintf(why, why_n, "out of memory");
		goto fail;
	}
	for (;;) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size + 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(why, why_n, "cannot read the photo: %s", strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		got += (size_t)r;
		if (got > (size_t)st.st_size) {
			snprintf(why, why_n, "the photo changed while it was read");
			goto fail;
		}
	}
	close(fd);
	*data = buf;
	*n = got;
	return 0;
fail:
	free(buf);
	close(fd);
	return -1;
}

const char *photo_extension(const char *media_type)
{
	return strcmp(media_type, "image/png") == 0 ? "png" : "jpg";
}
