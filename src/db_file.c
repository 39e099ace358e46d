/* db_file.c - the file under the database, looked at before SQLite opens
 * it: a regular file of ours that nobody else can read or change, in a
 * folder where nobody else can swap it, with an SQLite header of ours; and
 * whether it can be written here (on read-only media it is opened
 * read-only).  Also where the database is (db_resolve_path(), which
 * refuses a PostgreSQL server's URI: no command works there yet).  The
 * bottom of storage: it calls no other db*.c. */
#define _GNU_SOURCE /* O_PATH */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "db_private.h"
#include "report.h"
#include "schema.h"

#ifndef O_PATH
#define O_PATH O_RDONLY
#endif

/* A path made into one word a shell reads back as it is: unchanged when
 * it holds only plain characters, else in single quotes. */
static void shell_word(char *out, size_t size, const char *path)
{
	size_t n = 0;
	bool plain = *path != '\0';

	for (const char *p = path; *p; p++)
		if (!strchr("/._-+,:@%=", *p) && !(*p >= 'a' && *p <= 'z') &&
		    !(*p >= 'A' && *p <= 'Z') && !(*p >= '0' && *p <= '9'))
			plain = false;
	if (plain) {
		snprintf(out, size, "%s%s", *path == '-' ? "./" : "", path);
		return;
	}
	for (const char *p = path; *p && n + 6 < size; p++) {
		if (p == path)
			out[n++] = '\'';
		if (*p == '\'') {
			memcpy(out + n, "'\\''", 4);
			n += 4;
		} else {
			out[n++] = *p;
		}
	}
	out[n++] = '\'';
	out[n] = '\0';
}

/* The name of user uid, or its number, in buf. */
static const char *user_name(uid_t uid, char *buf, size_t size)
{
	const struct passwd *pw = getpwuid(uid);

	if (pw && pw->pw_name && *pw->pw_name)
		snprintf(buf, size, "%s", pw->pw_name);
	else
		snprintf(buf, size, "uid %lu", (unsigned long)uid);
	return buf;
}

/* Refuses (reported) a file that is not a regular file, that another user
 * owns, or that group or others may read or write: such a file may hold
 * what someone else put there, or give the records away. */
static int check_private_file(const struct stat *st, const char *name, bool ro_media)
{
	char word[1200];

	if (!S_ISREG(st->st_mode)) {
		report("'%s' is not a regular file; a database is a file of its own", name);
		return -1;
	}
	/* Read-only media (a mounted backup, a CD, a USB stick mounted
	 * read-only) cannot be changed by anyone nor chmod-ed: their owner and
	 * modes are the mount's, and nothing we do widens who can read it. */
	if (ro_media)
		return 0;
	if (st->st_uid != geteuid()) {
		char who[64], me[64];

		shell_word(word, sizeof word, name);
		report("'%s' belongs to another user (%s), who can change it; run smp-intake as "
		       "that user, or have it made yours: chown %s %s",
		       name, user_name(st->st_uid, who, sizeof who),
		       user_name(geteuid(), me, sizeof me), word);
		return -1;
	}
	if (st->st_mode & (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH)) {
		shell_word(word, sizeof word, name);
		report("'%s' can be %s by other users; run: chmod 600 %s", name,
		       st->st_mode & (S_IRGRP | S_IROTH) ? "read" : "changed", word);
		return -1;
	}
	return 0;
}

/* Refuses (reported) a folder in which another user could put a file of
 * their own in place of the database: one that belongs to another user
 * (but root), or that group or others may write unless it is sticky (as
 * /tmp is: there only a file's owner may rename or remove it, and the file
 * is checked to be ours). */
static int check_folder(const struct stat *st, const char *dir, const char *name)
{
	if (st->st_uid != geteuid() && st->st_uid != 0) {
		char who[64];

		report("'%s' is in a folder of another user (%s, '%s'), who could replace it; "
		       "keep the database in a folder of your own",
		       name, user_name(st->st_uid, who, sizeof who), dir);
		return -1;
	}
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !(st->st_mode & S_ISVTX)) {
		char word[1200];

		shell_word(word, sizeof word, dir);
		report("'%s' is in a folder other users can write to ('%s'), so they could "
		       "replace it; run: chmod go-w %s",
		       name, dir, word);
		return -1;
	}
	return 0;
}

/* The -wal or -shm file beside the database (suffix), looked at without
 * following a link: *exists and *size set, or -1 (reported) when it is
 * not a private file of ours. */
static int check_beside(int dirfd, const char *base, const char *path, const char *suffix,
			bool ro_media, bool *exists, off_t *size)
{
	char name[4200], shown[4200];
	struct stat st;

	snprintf(name, sizeof name, "%s%s", base, suffix);
	snprintf(shown, sizeof shown, "%s%s", path, suffix);
	*exists = false;
	*size = 0;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		report("cannot look at '%s': %s", shown, strerror(errno));
		return -1;
	}
	if (S_ISLNK(st.st_mode)) {
		report("'%s' is a symbolic link; a database's %s file is a file of its own", shown,
		       suffix);
		return -1;
	}
	if (check_private_file(&st, shown, ro_media) < 0)
		return -1;
	*exists = true;
	*size = st.st_size;
	return 0;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Reads the header of the open file fd, so that a foreign or newer file is
 * refused before SQLite writes anything to it. */
static int check_header(int fd, const char *path)
{
	unsigned char hdr[100];
	ssize_t got = read(fd, hdr, sizeof hdr);

	if (got < 0) {
		report("cannot read database '%s': %s", path, strerror(errno));
		return -1;
	}
	if (got == 0)
		return 0; /* empty: made by us an instant ago, or by touch */
	if (got < (ssize_t)sizeof hdr || memcmp(hdr, "SQLite format 3", 16) != 0) {
		report("'%s' is not an smp-intake database (not an SQLite file)", path);
		return -1;
	}
	if (be32(hdr + 68) != 0 && be32(hdr + 68) != DB_APPLICATION_ID) {
		report("'%s' is not an smp-intake database (another program's SQLite file)", path);
		return -1;
	}
	if (be32(hdr + 60) > (uint32_t)schema_migration_count) {
		report("'%s' was written by a newer smp-intake (schema %u; this one knows %d): "
		       "upgrade smp-intake",
		       path, be32(hdr + 60), schema_migration_count);
		return -1;
	}
	return 0;
}

/* path with its symbolic links resolved (allocated): the file SQLite is
 * given, so that a link changed after the checks cannot lead it elsewhere.
 * A missing file is its folder's resolved path and its own name. */
static char *resolved(const char *path)
{
	char *real = realpath(path, NULL), *dir, *out;
	const char *slash = strrchr(path, '/'), *base;
	int err;

	if (real || errno != ENOENT)
		return real;
	if (!slash) {
		dir = strdup(".");
		base = path;
	} else {
		dir = strndup(path, slash == path ? 1 : (size_t)(slash - path));
		base = slash + 1;
	}
	if (!dir)
		return NULL;
	real = realpath(dir, NULL);
	err = errno;
	free(dir);
	if (!real) {
		errno = err;
		return NULL;
	}
	if ((out = malloc(strlen(real) + strlen(base) + 2)))
		sprintf(out, "%s%s%s", real, strcmp(real, "/") == 0 ? "" : "/", base);
	free(real);
	return out;
}

/* A file: URI for path (SQLite decodes %HH in it), read-only, immutable
 * when asked.  Allocated, or NULL. */
static char *read_only_uri(const char *path, bool immutable)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = malloc(3 * strlen(path) + sizeof "file:?mode=ro&immutable=1");
	size_t n = 0;

	if (!out)
		return NULL;
	n += (size_t)sprintf(out, "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/._~-", *p)) {
			out[n++] = (char)*p;
		} else {
			out[n++] = '%';
			out[n++] = hex[*p >> 4];
			out[n++] = hex[*p & 15];
		}
	}
	sprintf(out + n, "?mode=ro%s", immutable ? "&immutable=1" : "");
	return out;
}

/* Decides whether the database can be written here.  SQLite writes beside
 * it too (the -wal and -shm files), so a folder that cannot be written is
 * enough to make it read-only unless both exist.  Sets f->read_only and
 * f->why; sets *immutable when SQLite could not even read it the ordinary
 * way (no -shm file, none can be made). */
static void decide_access(int dirfd, const char *base, bool wal, bool shm, struct db_file *f,
			  bool *immutable)
{
	bool file_ok = faccessat(dirfd, base, W_OK, AT_EACCESS) == 0;
	int file_err = errno;
	bool folder_ok = faccessat(dirfd, ".", W_OK, AT_EACCESS) == 0;
	int folder_err = errno;

	f->read_only = !file_ok || (!folder_ok && !(wal && shm));
	*immutable = !folder_ok && !shm;
	if (!f->read_only)
		f->why = NULL;
	else if ((!file_ok && file_err == EROFS) || (!folder_ok && folder_err == EROFS))
		f->why = "a read-only file system";
	else if (!file_ok)
		f->why = "check the file's permissions";
	else
		f->why = "check the folder's permissions";
}

int db_file_open(const char *path, bool may_create, struct db_file *f)
{
	char *real = resolved(path), *slash;
	const char *base;
	int dirfd = -1, fd = -1, rc = -1;
	bool wal, shm, immutable, created = false, ro_media;
	struct statvfs vfs;
	off_t wal_size, shm_size;
	struct stat st;

	memset(f, 0, sizeof *f);
	if (!real) {
		if (errno == ENOENT && !may_create)
			db_report_missing(path);
		else
			report("cannot %s database '%s': %s", may_create ? "create" : "open", path,
			       strerror(errno));
		return -1;
	}
	/* The folder is held open, and the file and its -wal and -shm looked
	 * up in it, so that all are checked in the one folder checked. */
	slash = strrchr(real, '/');
	*slash = '\0';
	base = slash + 1;
	dirfd = open(*real ? real : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0 || fstat(dirfd, &st) < 0) {
		report("cannot open database '%s': %s", path, strerror(errno));
		goto out;
	}
	ro_media = fstatvfs(dirfd, &vfs) == 0 && (vfs.f_flag & ST_RDONLY);
	if (!ro_media && check_folder(&st, *real ? real : "/", path) < 0)
		goto out;
	if (may_create) {
		fd = openat(dirfd, base, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST) {
			report("cannot create database '%s': %s", path, strerror(errno));
			goto out;
		}
		created = fd >= 0;
	}
	if (fd < 0)
		fd = openat(dirfd, base, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			db_report_missing(path);
		else
			report("cannot open database '%s': %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		report("cannot open database '%s': %s", path, strerror(errno));
		goto out;
	}
	/* A file that is not SQLite is named as such before its mode is
	 * judged: chmod would not make it a database. */
	if ((S_ISREG(st.st_mode) && check_header(fd, path) < 0) ||
	    check_private_file(&st, path, ro_media) < 0)
		goto out;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	*slash = '/';
	if (check_beside(dirfd, base, path, "-wal", ro_media, &wal, &wal_size) < 0 ||
	    check_beside(dirfd, base, path, "-shm", ro_media, &shm, &shm_size) < 0)
		goto out;
	decide_access(dirfd, base, wal, shm, f, &immutable);
	/* Immutable, SQLite reads the file alone and would not see what a
	 * -wal file holds: such a pair must be read where a -shm can be made. */
	if (f->read_only && immutable && wal_size > 0) {
		report("'%s-wal' holds changes not yet written into '%s', and no -shm file can be "
		       "made beside them (%s): copy both files to a folder you can write to, and "
		       "use the copy",
		       path, path, f->why);
		goto out;
	}
	f->name = f->read_only ? read_only_uri(real, immutable) : strdup(real);
	if (!f->name) {
		report("out of memory");
		goto out;
	}
	f->real = real;
	real = NULL;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0 && created)
		unlinkat(dirfd, base, 0);
	if (dirfd >= 0)
		close(dirfd);
	free(real);
	return rc;
}

int db_file_unchanged(const struct db_file *f, const char *path)
{
	struct stat st;

	if (stat(f->real, &st) == 0 && st.st_dev == f->dev && st.st_ino == f->ino)
		return 0;
	report("'%s' was replaced while it was being opened; try again", path);
	return -1;
}

void db_file_clear(struct db_file *f)
{
	free(f->name);
	free(f->real);
	f->name = f->real = NULL;
}

/* mkdir -p with mode 0700 for every folder created. */
static int make_folders(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			report("cannot create folder '%s': %s", path, strerror(errno));
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

bool db_location_is_server(const char *location)
{
	return location && (strncasecmp(location, "postgresql://", 13) == 0 ||
			    strncasecmp(location, "postgres://", 11) == 0);
}

bool db_server_has_password(const char *uri)
{
	const char *p = strstr(uri, "://") + 3;
	size_t auth = strcspn(p, "/?#");
	const char *at = memchr(p, '@', auth);
	const char *q = strchr(p, '?');

	if (at && memchr(p, ':', (size_t)(at - p)))
		return true;
	for (; q; q = strchr(q + 1, '&'))
		if (strncasecmp(q + 1, "password=", 9) == 0)
			return true;
	return false;
}

void db_report_server(const char *command)
{
	report("%s does not work on a PostgreSQL server yet (docs/server.md)", command);
}

char *db_resolve_path(const char *path, bool make_folder)
{
	const char *env = getenv("SMP_INTAKE_DB");
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	char *out;
	size_t n;

	if (path || (env && *env)) {
		/* A server's URI is the connection's (db_conn_open() tells them
		 * apart); main() refused the commands that do not work there. */
		return strdup(path ? path : env);
	}
	if (xdg && xdg[0] == '/') {
		n = strlen(xdg) + sizeof "/smp-intake/intake.db";
		if ((out = malloc(n)))
			snprintf(out, n, "%s/smp-intake/intake.db", xdg);
	} else if (home && *home) {
		n = strlen(home) + sizeof "/.local/share/smp-intake/intake.db";
		if ((out = malloc(n)))
			snprintf(out, n, "%s/.local/share/smp-intake/intake.db", home);
	} else {
		report("no database: give --db PATH, or set SMP_INTAKE_DB or HOME");
		return NULL;
	}
	if (!out) {
		report("out of memory");
		return NULL;
	}
	if (make_folder && make_folders(out) < 0) {
		free(out);
		return NULL;
	}
	return out;
}

void db_report_missing(const char *path)
{
	report("no database at '%s' (check --db or $SMP_INTAKE_DB; `smp-intake new` creates "
	       "one)",
	       path);
}

bool db_exists(const char *path)
{
	struct stat st;

	/* A server's database is made by its administrator, never by us. */
	if (db_location_is_server(path))
		return true;
	return stat(path, &st) == 0 || errno != ENOENT;
}
