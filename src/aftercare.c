/* aftercare.c - the studio's own aftercare text, `config set|get
 * aftercare_text`: read from a file, checked as text a session sheet can
 * print, kept in versions (db_set_aftercare()), and shown.  What the source
 * article says stays in the advice (docs/advice.md); this is the studio's. */
#include "aftercare.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "report.h"
#include "text.h"

/* Drops a UTF-8 byte order mark and turns \r\n into \n, in place. */
static size_t normalise(char *text, size_t len)
{
	size_t from = 0, to = 0;

	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		from = 3;
	for (; from < len; from++) {
		if (text[from] == '\r' && from + 1 < len && text[from + 1] == '\n')
			continue;
		text[to++] = text[from];
	}
	text[to] = '\0';
	return to;
}

/* The line (from 1) of the first control character but \n, or 0: C0, DEL,
 * and C1 (U+0080..U+009F, as UTF-8 \xc2\x80..\xc2\x9f). */
static size_t control_line(const char *s)
{
	size_t line = 1;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\n')
			line++;
		else if (*p < 0x20 || *p == 0x7f || (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			return line;
	}
	return 0;
}

/* Takes off blank lines and spaces at the start and the end, in place. */
static void trim_ends(char *text)
{
	size_t start = strspn(text, " \t\n"), len = strlen(text);

	while (len > start && strchr(" \t\n", text[len - 1]))
		len--;
	memmove(text, text + start, len - start);
	text[len - start] = '\0';
}

int aftercare_check(char *text, size_t len, char *why, size_t n)
{
	size_t line;

	if (memchr(text, '\0', len)) {
		snprintf(why, n, "not a text file (it holds a NUL byte)");
		return -1;
	}
	len = normalise(text, len);
	if (len > AFTERCARE_MAX_BYTES) {
		snprintf(why, n, "longer than %d bytes: it is printed on every session sheet, so keep "
			 "it to a page or two", AFTERCARE_MAX_BYTES);
		return -1;
	}
	if (!text_is_utf8(text, len)) {
		snprintf(why, n, "not UTF-8 text (save it as UTF-8)");
		return -1;
	}
	if ((line = control_line(text))) {
		snprintf(why, n, "a control character (a tab, an escape...) on line %zu: only plain "
			 "text and line breaks are printed on a sheet", line);
		return -1;
	}
	if (text_is_blank(text)) {
		snprintf(why, n, "no text: to remove the studio's aftercare text give '' as FILE");
		return -1;
	}
	trim_ends(text);
	return 0;
}

/* Reads path ("-": standard input) whole, up to one byte past the limit
 * (then refused: the rest is not read), in *text (allocated).  Returns 0,
 * -1 when it cannot be read (reason in why), -2 when too long. */
static int read_text(const char *path, char **text, size_t *len, char *why, size_t n)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *buf = NULL;
	int rc = -1;

	*text = NULL;
	*len = 0;
	if (!f) {
		snprintf(why, n, "%s", strerror(errno));
		return -1;
	}
	if (!(buf = malloc(AFTERCARE_MAX_BYTES + 2))) {
		snprintf(why, n, "out of memory");
		goto out;
	}
	*len = fread(buf, 1, AFTERCARE_MAX_BYTES + 1, f);
	if (ferror(f)) {
		snprintf(why, n, "%s", strerror(errno));
		goto out;
	}
	if (*len > AFTERCARE_MAX_BYTES) {
		rc = -2;
		goto out;
	}
	buf[*len] = '\0';
	*text = buf;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	if (f != stdin)
		fclose(f);
	return rc;
}

/* Reads and checks the text of path.  Returns 0, or -1 (reported). */
static int load(const char *path, char **text)
{
	char why[200], *safe = text_safe(path, false);
	size_t len;
	int rc;

	if (!safe) {
		report("out of memory");
		return -1;
	}
	switch ((rc = read_text(path, text, &len, why, sizeof why))) {
	case 0:
		if ((rc = aftercare_check(*text, len, why, sizeof why)) < 0)
			report("config: aftercare_text: '%s': %s; nothing changed", safe, why);
		break;
	case -2:
		report("config: aftercare_text: '%s' is longer than %d bytes: it is printed on every "
		       "session sheet, so keep it to a page or two; nothing changed",
		       safe, AFTERCARE_MAX_BYTES);
		break;
	default:
		report("config: aftercare_text: cannot read '%s': %s; nothing changed", safe, why);
	}
	if (rc < 0) {
		free(*text);
		*text = NULL;
	}
	free(safe);
	return rc < 0 ? -1 : 0;
}

/* The version set now, or 0 and "" when the studio has none. */
static int current(struct ctx *ctx, long long *version, char **text)
{
	return db_aftercare(ctx->db, 0, version, text);
}

int aftercare_set(struct ctx *ctx, const char *path)
{
	const char *staff;
	char *text = NULL, *now = NULL, when[21];
	long long version = 0, was = 0;
	int rc = EXIT_FAIL;

	if (path[0] && load(path, &text) < 0)
		return EXIT_FAIL;
	if (!(staff = ctx_staff(ctx)) || !ctx_db_only(ctx) || current(ctx, &was, &now) < 0)
		goto out;
	/* The same text again (or none again) is not a new version. */
	if ((!text && !now) || (text && now && strcmp(text, now) == 0)) {
		if (now)
			printf("The studio's aftercare text is unchanged (version %lld).\n", was);
		else
			printf("The studio has no aftercare text; nothing changed.\n");
		rc = EXIT_OK;
		goto out;
	}
	if (date_now_utc(when) < 0) {
		report("cannot read the clock");
		goto out;
	}
	if (db_set_aftercare(ctx->db, text ? text : "", when, staff, &version) < 0)
		goto out;
	if (text)
		printf("Stored the studio's aftercare text as version %lld; session sheets print it "
		       "under \"Your studio's aftercare\".\n",
		       version);
	else
		printf("Removed the studio's aftercare text (version %lld is empty); session sheets "
		       "print none.\n",
		       version);
	rc = EXIT_OK;
out:
	free(text);
	free(now);
	return rc;
}

int aftercare_print(struct ctx *ctx)
{
	struct aftercare_info info;
	long long version;
	char *text = NULL, *safe = NULL, *staff = NULL, day[64];
	int rc = EXIT_FAIL;

	if (db_aftercare_info(ctx->db, &info) < 0 || current(ctx, &version, &text) < 0)
		return EXIT_FAIL;
	text_stamp_part(day, sizeof day, info.set_at, 0, 10);
	if (!text) {
		if (info.removed)
			printf("not set (removed on %s, version %lld)\n", day, info.version);
		else
			printf("not set\n");
		return EXIT_OK;
	}
	/* Stored text may come from another program: made safe, lines kept. */
	if (!(safe = text_safe(text, true)) || !(staff = text_safe(info.staff, false))) {
		report("out of memory");
		goto out;
	}
	printf("Version %lld, set on %s by %s:\n%s\n", version, day, staff, safe);
	rc = EXIT_OK;
out:
	free(text);
	free(safe);
	free(staff);
	return rc;
}

int aftercare_summary(struct ctx *ctx, char *buf, size_t n)
{
	struct aftercare_info info;
	char day[64];

	if (db_aftercare_info(ctx->db, &info) < 0)
		return -1;
	text_stamp_part(day, sizeof day, info.set_at, 0, 10);
	if (!info.version)
		snprintf(buf, n, "not set");
	else if (info.removed)
		snprintf(buf, n, "not set (removed on %s)", day);
	else
		snprintf(buf, n, "version %lld, set %s", info.version, day);
	return 0;
}
