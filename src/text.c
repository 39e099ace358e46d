/* text.c - UTF-8 checks, printing stored text safely on a terminal, and
 * wrapping it to the terminal's width. */
#include "text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unictype.h>
#include <unistd.h>

size_t text_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t len;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		c = s[0] & 0x1f;
		len = 2;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		c = s[0] & 0x0f;
		len = 3;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		c = s[0] & 0x07;
		len = 4;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

bool text_is_utf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;

	while (len > 0) {
		size_t n = text_utf8_decode(p, len, &cp);
		if (n == 0)
			return false;
		p += n;
		len -= n;
	}
	return true;
}

size_t text_codepoints(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static bool is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f);
}

/* Code points that reorder or hide the text around them on a terminal. */
static bool is_bidi_control(uint32_t cp)
{
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0x200e || cp == 0x200f || cp == 0x061c;
}

bool text_has_control(const char *s, bool allow_layout)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s);
	uint32_t cp;

	while (left > 0) {
		size_t n = text_utf8_decode(p, left, &cp);
		if (n == 0)
			return true;
		if (is_control(cp) && !(allow_layout && (cp == '\n' || cp == '\t')))
			return true;
		p += n;
		left -= n;
	}
	return false;
}

/* What escape() keeps as it is. */
enum keep { KEEP_NEWLINES = 1, KEEP_TABS = 2, KEEP_BIDI = 4 };

static char *escape(const char *s, unsigned keep)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s);
	/* The longest escape, \u202e, is 6 bytes for at least 3 bytes of input;
	 * \xNN is 4 for 1. */
	char *out = malloc(left * 4 + 1), *o = out;
	uint32_t cp;

	if (!out)
		return NULL;
	while (left > 0) {
		size_t n = text_utf8_decode(p, left, &cp);
		if (n == 0) {
			o += sprintf(o, "\\x%02x", *p);
			n = 1;
		} else if (cp == '\n' && (keep & KEEP_NEWLINES)) {
			*o++ = '\n';
		} else if (cp == '\n') {
			o += sprintf(o, "\\n");
		} else if (cp == '\t') {
			*o++ = keep & KEEP_TABS ? '\t' : ' ';
		} else if (is_control(cp)) {
			o += sprintf(o, "\\x%02x", (unsigned)cp);
		} else if (is_bidi_control(cp) && !(keep & KEEP_BIDI)) {
			o += sprintf(o, "\\u%04x", (unsigned)cp);
		} else {
			memcpy(o, p, n);
			o += n;
		}
		p += n;
		left -= n;
	}
	*o = '\0';
	return out;
}

char *text_safe(const char *s, bool keep_newlines)
{
	return escape(s, keep_newlines ? KEEP_NEWLINES : 0);
}

char *text_without_controls(const char *s)
{
	return escape(s, KEEP_NEWLINES | KEEP_TABS | KEEP_BIDI);
}

/* JSON text s[0..len) to f with each invalid byte as \ufffd and, for a
 * terminal, DEL, C1 and bidirectional controls as \u escapes. */
static size_t json_out(FILE *f, const char *s, size_t len, bool final, bool terminal)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t done = 0, run = 0; /* p[run, done): kept as it is, not yet written */
	uint32_t cp;

	while (done < len) {
		size_t left, n;
		/* ASCII below DEL is kept as it is (cJSON escaped the controls):
		 * most of an export, passed without decoding. */
		if (p[done] < 0x7f) {
			done++;
			continue;
		}
		left = len - done;
		n = text_utf8_decode(p + done, left, &cp);
		if (n == 0) {
			/* A sequence the next call completes: keep it back. */
			size_t want = p[done] >= 0xf0 ? 4 : p[done] >= 0xe0 ? 3 : 2;
			bool prefix = !final && p[done] >= 0xc2 && p[done] <= 0xf4 && left < want;
			for (size_t i = 1; prefix && i < left; i++)
				prefix = (p[done + i] & 0xc0) == 0x80;
			if (prefix)
				break;
			fwrite(p + run, 1, done - run, f);
			fputs("\\ufffd", f);
			run = ++done;
		} else if (terminal && (cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || is_bidi_control(cp))) {
			fwrite(p + run, 1, done - run, f);
			fprintf(f, "\\u%04x", (unsigned)cp);
			run = done += n;
		} else {
			done += n;
		}
	}
	fwrite(p + run, 1, done - run, f);
	return done;
}

size_t text_json_terminal(FILE *f, const char *s, size_t len, bool final)
{
	return json_out(f, s, len, final, true);
}

int text_json_write(FILE *f, const char *s, size_t len)
{
	json_out(f, s, len, true, false);
	return ferror(f) ? -1 : 0;
}

const char *text_stamp_part(char *buf, size_t size, const char *stamp, size_t from, size_t len)
{
	size_t have = stamp ? strnlen(stamp, from + len) : 0, cut;
	char *safe;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (have == from + len && strspn(stamp + from, "0123456789-:TZ") >= len) {
		cut = len < size ? len : size - 1;
		memcpy(buf, stamp + from, cut);
		buf[cut] = '\0';
		return buf;
	}
	/* A stamp that is not one: shown whole (and safe) in its first part. */
	if (from > 0 || !stamp || !(safe = text_safe(stamp, false)))
		return buf;
	cut = strlen(safe);
	if (cut >= size) {
		cut = size - 1;
		while (cut > 0 && ((unsigned char)safe[cut] & 0xc0) == 0x80)
			cut--;
	}
	memcpy(buf, safe, cut);
	buf[cut] = '\0';
	free(safe);
	return buf;
}

int text_print_safe(FILE *f, const char *s)
{
	char *safe = text_safe(s, false);
	int rc = -1;

	if (safe && fputs(safe, f) != EOF)
		rc = 0;
	free(safe);
	return rc;
}

/* Columns a code point takes: none for combining marks, two for the wide
 * East Asian scripts and emoji, one otherwise (as a terminal shows them). */
static int codepoint_columns(uint32_t cp)
{
	static const uint32_t combining[][2] = {
		{ 0x0300, 0x036f }, { 0x1ab0, 0x1aff }, { 0x1dc0, 0x1dff },
		{ 0x20d0, 0x20ff }, { 0xfe20, 0xfe2f },
	};
	static const uint32_t wide[][2] = {
		{ 0x1100, 0x115f }, { 0x2e80, 0x303e }, { 0x3041, 0x33ff },   { 0x3400, 0x4dbf },
		{ 0x4e00, 0x9fff }, { 0xa000, 0xa4cf }, { 0xac00, 0xd7a3 },   { 0xf900, 0xfaff },
		{ 0xfe30, 0xfe4f }, { 0xff00, 0xff60 }, { 0xffe0, 0xffe6 },   { 0x1f300, 0x1f64f },
		{ 0x1f900, 0x1f9ff }, { 0x20000, 0x3fffd },
	};

	for (size_t i = 0; i < sizeof combining / sizeof combining[0]; i++)
		if (cp >= combining[i][0] && cp <= combining[i][1])
			return 0;
	for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++)
		if (cp >= wide[i][0] && cp <= wide[i][1])
			return 2;
	return 1;
}

/* Display columns of s[0..len); an invalid byte counts as one. */
static int columns(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	int cols = 0;
	uint32_t cp;

	while (len > 0) {
		size_t n = text_utf8_decode(p, len, &cp);
		cols += n ? codepoint_columns(cp) : 1;
		n = n ? n : 1;
		p += n;
		len -= n;
	}
	return cols;
}

int text_columns(const char *s)
{
	return columns(s, strlen(s));
}

int text_wrap(FILE *f, const char *s, int width, int indent)
{
	int col = indent;
	bool line_empty = true;

	while (*s) {
		if (*s == '\n' || *s == ' ') {
			if (*s == '\n') {
				if (fprintf(f, "\n%*s", indent, "") < 0)
					return -1;
				col = indent;
				line_empty = true;
			}
			s++;
			continue;
		}
		size_t len = strcspn(s, " \n");
		int w = columns(s, len);
		if (w > width - indent && width - indent >= 10) {
			/* A word wider than the space there is (an id, an address):
			 * cut it at the line ends rather than run past them. */
			if (!line_empty && fputc(' ', f) == EOF)
				return -1;
			col += !line_empty;
			for (size_t i = 0; i < len;) {
				size_t n = 1;
				while (i + n < len && ((unsigned char)s[i + n] & 0xc0) == 0x80)
					n++;
				if (col >= width) {
					if (fprintf(f, "\n%*s", indent, "") < 0)
						return -1;
					col = indent;
				}
				if (fwrite(s + i, 1, n, f) != n)
					return -1;
				col += columns(s + i, n);
				i += n;
			}
			line_empty = false;
			s += len;
			continue;
		}
		if (!line_empty && col + 1 + w > width) {
			if (fprintf(f, "\n%*s", indent, "") < 0)
				return -1;
			col = indent;
			line_empty = true;
		}
		if (!line_empty) {
			if (fputc(' ', f) == EOF)
				return -1;
			col++;
		}
		if (fwrite(s, 1, len, f) != len)
			return -1;
		col += w;
		line_empty = false;
		s += len;
	}
	return 0;
}

int text_terminal_width(void)
{
	struct winsize ws;
	int w = 80;
	const char *env = getenv("COLUMNS");

	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		w = ws.ws_col;
	else if (env && atoi(env) > 0)
		w = atoi(env);
	if (w < 40)
		w = 40;
	if (w > 200)
		w = 200;
	return w;
}

/* A tab or a space of any width (Unicode's space separators: U+0020,
 * no-break spaces, the U+2000 to U+200A spaces, U+3000...). */
static bool is_space(uint32_t cp)
{
	return cp == '\t' || uc_is_general_category(cp, UC_SPACE_SEPARATOR);
}

char *text_trim(char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), start = 0, end = 0;
	bool seen = false;
	uint32_t cp;

	for (size_t i = 0, n; i < len; i += n) {
		n = text_utf8_decode(p + i, len - i, &cp);
		if (n && is_space(cp))
			continue;
		if (!n)
			n = 1; /* an invalid byte is text, not a space */
		if (!seen)
			start = i;
		seen = true;
		end = i + n;
	}
	memmove(s, s + start, end - start);
	s[end - start] = '\0';
	return s;
}

bool text_is_blank(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), n;
	uint32_t cp;

	for (size_t i = 0; i < len; i += n) {
		n = text_utf8_decode(p + i, len - i, &cp);
		if (!n || !(uc_is_property_white_space(cp) ||
			    uc_is_property_default_ignorable_code_point(cp)))
			return false;
	}
	return true;
}

char *text_fit(const char *s, int cols)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), cut = 0;
	int used = 0;
	uint32_t cp;
	char *out;

	if (columns(s, len) <= cols)
		return strdup(s);
	/* Keep whole code points while one column is left for the ellipsis. */
	while (cut < len) {
		size_t n = text_utf8_decode(p + cut, len - cut, &cp);
		int w = n ? codepoint_columns(cp) : 1;
		if (used + w > cols - 1)
			break;
		used += w;
		cut += n ? n : 1;
	}
	/* "Ana …" reads worse than "Ana…". */
	while (cut > 0 && s[cut - 1] == ' ')
		cut--;
	if (!(out = malloc(cut + sizeof "\u2026")))
		return NULL;
	memcpy(out, s, cut);
	strcpy(out + cut, "\xe2\x80\xa6");
	return out;
}

char *text_join(const char *a, const char *sep, const char *b)
{
	size_t na = a ? strlen(a) : 0, ns = strlen(sep), nb = b ? strlen(b) : 0;
	char *out = malloc(na + ns + nb + 1);

	if (out) {
		memcpy(out, a ? a : "", na);
		memcpy(out + na, sep, ns);
		memcpy(out + na + ns, b ? b : "", nb);
		out[na + ns + nb] = '\0';
	}
	return out;
}
