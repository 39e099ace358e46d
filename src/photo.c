/* photo.c - the client's photos as files: the image read with its size
 * capped before it is read whole, checked by its content (never decoded:
 * we store and hand back bytes), hashed with nettle's SHA-256; and the
 * photos of a subject access export written into a private folder beside
 * it, all or none. */
#include "photo.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"

static const char *const views[] = { "front", "top", "crown", "left", "right", "back", "scar" };

bool photo_view_valid(const char *view)
{
	for (size_t i = 0; view && i < sizeof views / sizeof views[0]; i++)
		if (strcmp(view, views[i]) == 0)
			return true;
	return false;
}

/* A JPEG starts with its start-of-image marker and a marker after it, and
 * ends with its end-of-image marker FF D9 (a few cameras pad the file with
 * zero bytes after it: those are let be). */
static bool is_jpeg(const unsigned char *d, size_t n)
{
	if (n < 4 || d[0] != 0xff || d[1] != 0xd8 || d[2] != 0xff)
		return false;
	while (n > 4 && d[n - 1] == 0)
		n--;
	return d[n - 2] == 0xff && d[n - 1] == 0xd9;
}

/* A PNG: its eight-byte signature, the IHDR chunk first (13 bytes of data)
 * and the IEND chunk, empty, with its fixed CRC, last. */
static bool is_png(const unsigned char *d, size_t n)
{
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	static const unsigned char ihdr[8] = { 0, 0, 0, 13, 'I', 'H', 'D', 'R' };
	static const unsigned char iend[12] = { 0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82 };

	return n >= 8 + 25 + 12 && memcmp(d, sig, 8) == 0 && memcmp(d + 8, ihdr, 8) == 0 &&
	       memcmp(d + n - 12, iend, 12) == 0;
}

const char *photo_media_type(const unsigned char *data, size_t n)
{
	if (is_jpeg(data, n))
		return "image/jpeg";
	if (is_png(data, n))
		return "image/png";
	return NULL;
}

const char *photo_extension(const char *media_type)
{
	return media_type && strcmp(media_type, "image/png") == 0 ? "png" : "jpg";
}

void photo_sha256_hex(const void *data, size_t n, char out[65])
{
	struct sha256_ctx h;
	uint8_t digest[SHA256_DIGEST_SIZE];

	sha256_init(&h);
	sha256_update(&h, n, data);
	sha256_digest(&h, sizeof digest, digest);
	for (size_t i = 0; i < sizeof digest; i++)
		snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

/* The size limit as people read it: "10 MB". */
static long long limit_mb(long long max_bytes)
{
	return max_bytes / PHOTO_MB;
}

/* What the start of a file that is no image looks like, for the refusal:
 * text, or some other kind of file. */
static const char *what_else(const unsigned char *d, size_t n)
{
	static const unsigned char png_sig[4] = { 0x89, 'P', 'N', 'G' };

	if (n >= 3 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff)
		return "a JPEG image cut short (it does not end with the end-of-image marker)";
	if (n >= 4 && memcmp(d, png_sig, 4) == 0)
		return "a PNG image cut short or malformed (IHDR first and IEND last)";
	for (size_t i = 0; i < n && i < 512; i++)
		if (d[i] == 0)
			return "not a JPEG or PNG image (judged by its content, not its name)";
	return "text, not a JPEG or PNG image (judged by its content, not its name)";
}

int photo_read_file(const char *path, long long max_bytes, unsigned char **data, size_t *n,
		    const char **media_type)
{
	struct stat st;
	unsigned char *buf = NULL;
	size_t cap = (size_t)max_bytes + 1, len = 0;
	int fd, rc = -1;

	*data = NULL;
	*n = 0;
	*media_type = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		report("cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		report("cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		report("'%s' is a folder, not an image file", path);
		goto out;
	}
	/* Refused by its size before a byte is read. */
	if (S_ISREG(st.st_mode) && st.st_size > max_bytes) {
		report("'%s' is %.1f MB: a photo may be at most %lld MB (config set photo_max_mb)",
		       path, (double)st.st_size / (double)PHOTO_MB, limit_mb(max_bytes));
		goto out;
	}
	if (S_ISREG(st.st_mode) && st.st_size < (off_t)cap)
		cap = (size_t)st.st_size + 1; /* one more, to see it did not grow */
	if (!(buf = malloc(cap ? cap : 1))) {
		report("out of memory reading '%s'", path);
		goto out;
	}
	/* A pipe or a file that grows: never more than the limit and one. */
	while (len < cap) {
		ssize_t got = read(fd, buf + len, cap - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			report("cannot read '%s': %s", path, strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		len += (size_t)got;
		if (len == cap && cap < (size_t)max_bytes + 1) {
			/* It grew past its size: read on, up to the limit. */
			unsigned char *more = realloc(buf, (size_t)max_bytes + 1);
			if (!more) {
				report("out of memory reading '%s'", path);
				goto out;
			}
			buf = more;
			cap = (size_t)max_bytes + 1;
		}
	}
	if (len > (size_t)max_bytes) {
		report("'%s' is larger than %lld MB: a photo may be at most %lld MB "
		       "(config set photo_max_mb)",
		       path, limit_mb(max_bytes), limit_mb(max_bytes));
		goto out;
	}
	if (len == 0) {
		report("'%s' is empty, not a JPEG or PNG image", path);
		goto out;
	}
	if (!(*media_type = photo_media_type(buf, len))) {
		report("'%s' is %s", path, what_else(buf, len));
		goto out;
	}
	*data = buf;
	*n = len;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}

char *photo_folder_for(const char *json_path)
{
	size_t len = strlen(json_path);
	char *folder = malloc(len + sizeof ".photos");

	if (!folder) {
		report("out of memory");
		return NULL;
	}
	memcpy(folder, json_path, len);
	memcpy(folder + len, ".photos", sizeof ".photos");
	return folder;
}

struct listing {
	struct photo_file *files;
	size_t count;
};

static int list_one(const struct photo *p, void *arg)
{
	struct listing *l = arg;
	struct photo_file *more = realloc(l->files, (l->count + 1) * sizeof *more), *f;

	if (!more) {
		report("out of memory");
		return -1;
	}
	l->files = more;
	f = &more[l->count++];
	memset(f, 0, sizeof *f);
	f->id = p->id;
	snprintf(f->uuid, sizeof f->uuid, "%s", p->uuid);
	snprintf(f->name, sizeof f->name, "%s.%s", p->uuid, photo_extension(p->media_type));
	snprintf(f->view, sizeof f->view, "%s", p->view ? p->view : "");
	snprintf(f->media_type, sizeof f->media_type, "%s", p->media_type ? p->media_type : "");
	f->size = p->size;
	snprintf(f->sha256, sizeof f->sha256, "%s", p->sha256);
	return 0;
}

int photo_subject_list(struct ctx *ctx, long long client_id, struct photo_file **files,
		       size_t *count)
{
	/* A photo brought in by import has no image here: its metadata is in
	 * the JSON, and there is no file to write. */
	struct photo_query q = { .client_id = client_id, .with_bytes = true };
	struct listing l = { NULL, 0 };

	*files = NULL;
	*count = 0;
	if (db_each_photo(ctx->db, &q, list_one, &l) != 0) {
		free(l.files);
		return -1;
	}
	*files = l.files;
	*count = l.count;
	return 0;
}

/* Removes the files a photo folder of ours holds, then the folder; quietly
 * (what is left is named by the caller's report). */
static void remove_folder(const char *folder)
{
	DIR *d = opendir(folder);
	struct dirent *e;
	char path[4096];

	if (d) {
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
			    snprintf(path, sizeof path, "%s/%s", folder, e->d_name) < (int)sizeof path)
				unlink(path);
		closedir(d);
	}
	rmdir(folder);
}

/* Writes one photo's bytes, checked against its SHA-256, into dir as a new
 * 0600 file, synced.  Returns 0, or -1 (reported). */
static int write_one(struct ctx *ctx, const char *dir, const struct photo_file *f)
{
	struct photo p;
	void *data = NULL;
	size_t n = 0;
	char path[4096], sha[65];
	int fd = -1, rc = -1;

	if (snprintf(path, sizeof path, "%s/%s", dir, f->name) >= (int)sizeof path) {
		report("the export's name is too long for its photos' folder");
		return -1;
	}
	switch (db_load_photo(ctx->db, f->id, &p, &data, &n)) {
	case DB_OK:
		break;
	case DB_MISSING:
		report("photo %lld was removed while exporting; nothing exported", f->id);
		return -1;
	case DB_CONFLICT:
		report("photo %lld's image was removed while exporting; nothing exported", f->id);
		photo_clear(&p);
		/* fall through */
	default:
		return -1;
	}
	photo_sha256_hex(data, n, sha);
	if (strcmp(sha, f->sha256) != 0) {
		report("photo %lld's bytes no longer match their SHA-256; nothing exported (run "
		       "verify)",
		       f->id);
		goto out;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		goto fail;
	for (size_t done = 0; done < n;) {
		ssize_t w = write(fd, (const char *)data + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto fail;
		done += (size_t)w;
	}
	if (fsync(fd) < 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	report("cannot write the photos beside the export: %s", strerror(errno));
out:
	if (fd >= 0 && close(fd) < 0 && rc == 0) {
		report("cannot write the photos beside the export: %s", strerror(errno));
		rc = -1;
	}
	free(data);
	photo_clear(&p);
	return rc;
}

/* Syncs the folder at path (its entries made durable). */
static int sync_folder(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int photo_write_folder(struct ctx *ctx, const char *folder, const struct photo_file *files,
		       size_t count, bool force)
{
	const char *slash = strrchr(folder, '/');
	size_t dirlen = slash ? (size_t)(slash - folder) + 1 : 0;
	char tmp[4096], old[4096], parent[4096];
	struct stat st;
	bool replace = false;

	if (lstat(folder, &st) == 0) {
		if (!force || !S_ISDIR(st.st_mode)) {
			report("'%s' already exists; %s", folder,
			       S_ISDIR(st.st_mode) ? "use --force to replace it"
						   : "the photos go in a folder of that name");
			return -1;
		}
		replace = true;
	}
	if (dirlen + sizeof ".smp-intake-photos-XXXXXX" > sizeof tmp) {
		report("the export's name is too long for its photos' folder");
		return -1;
	}
	snprintf(tmp, sizeof tmp, "%.*s.smp-intake-photos-XXXXXX", (int)dirlen, folder);
	if (!mkdtemp(tmp)) { /* 0700 */
		report("cannot make the photos' folder beside the export: %s", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < count; i++)
		if (write_one(ctx, tmp, &files[i]) < 0)
			goto fail;
	if (sync_folder(tmp) < 0) {
		report("cannot write the photos beside the export: %s", strerror(errno));
		goto fail;
	}
	if (replace) {
		snprintf(old, sizeof old, "%.*s.smp-intake-photos-XXXXXX", (int)dirlen, folder);
		if (!mkdtemp(old) || rmdir(old) < 0 || rename(folder, old) < 0) {
			report("cannot replace '%s': %s", folder, strerror(errno));
			goto fail;
		}
	}
	if (rename(tmp, folder) < 0) {
		report("cannot put the photos in '%s': %s", folder, strerror(errno));
		if (replace)
			rename(old, folder);
		goto fail;
	}
	if (replace)
		remove_folder(old);
	snprintf(parent, sizeof parent, "%.*s", dirlen ? (int)dirlen : 1, dirlen ? folder : ".");
	sync_folder(parent);
	return 0;
fail:
	remove_folder(tmp);
	return -1;
}

void photo_remove_folder(const char *folder)
{
	remove_folder(folder);
}
