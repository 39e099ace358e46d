/* json_import.c - reading an export back: a scanner that finds the extent
 * of each record of a file of any length through one fixed buffer, and
 * the checks one record passes once cJSON has parsed it (one record in
 * memory at a time). */
#include "import.h"

#include <cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice.h"
#include "flags.h"
#include "fold.h"
#include "questionnaire.h"
#include "session.h"
#include "text.h"

/* ---- the scanner ---- */

#define QUOTE_(x) #x
#define QUOTE(x)  QUOTE_(x)

enum reader_state {
	AT_START,    /* before the first byte that is not a blank */
	ARRAY_FIRST, /* after [ */
	ARRAY_NEXT,  /* after a record of the array: , or ] */
	LINES_NEXT,  /* one object per line: the next one, or the end */
	LINE_REST,   /* after an object: blanks to the end of its line */
	AT_END,	     /* after ]: blanks only */
	FAILED
};

struct import_reader {
	import_read_fn *read;
	void *arg;
	char *buf;
	size_t size, have, at; /* buf[at..have) is not read yet */
	bool eof;
	char *rec; /* the record being read */
	size_t len, cap;
	enum reader_state state;
	long long count;
	int depth; /* where the scan of the record is */
	bool in_string, escaped;
};

struct import_reader *import_reader_new(import_read_fn *read, void *arg, size_t bufsize)
{
	struct import_reader *r = calloc(1, sizeof *r);

	if (!r || !(r->buf = malloc(bufsize ? bufsize : 1))) {
		free(r);
		return NULL;
	}
	r->read = read;
	r->arg = arg;
	r->size = bufsize ? bufsize : 1;
	return r;
}

void import_reader_free(struct import_reader *r)
{
	if (!r)
		return;
	free(r->buf);
	free(r->rec);
	free(r);
}

long long import_reader_count(const struct import_reader *r)
{
	return r->count;
}

/* Makes sure a byte is waiting: returns 1, 0 at the end of the file, or -1
 * with errno set. */
static int fill(struct import_reader *r)
{
	ssize_t n;

	if (r->at < r->have)
		return 1;
	if (r->eof)
		return 0;
	do
		n = r->read(r->arg, r->buf, r->size);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	r->at = 0;
	r->have = (size_t)n;
	r->eof = n == 0;
	return n > 0;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Fails the reader with a reason (printf-style) in why. */
__attribute__((format(printf, 4, 5))) static int fail(struct import_reader *r, char *why, size_t n,
						      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	r->state = FAILED;
	return -1;
}

/* Skips blanks (only spaces, tabs and CR when within_line, which stops
 * at a newline); then *c is the next byte, not taken.  Returns 1, 0 at the
 * end of the file, or -1 (a read error, with errno). */
static int skip_blanks(struct import_reader *r, bool within_line, char *c)
{
	int rc;

	while ((rc = fill(r)) == 1) {
		while (r->at < r->have) {
			char b = r->buf[r->at];
			if (!is_blank(b) || (within_line && b == '\n')) {
				*c = b;
				return 1;
			}
			r->at++;
		}
	}
	return rc;
}

/* Scans s[0..n) of the record being read.  Returns how many bytes belong
 * to it, with *done set when the last of them is its closing bracket; or
 * (size_t)-1 with *err set on a byte no record may hold. */
static size_t scan(struct import_reader *r, const char *s, size_t n, bool *done, const char **err)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (r->in_string) {
			if (r->escaped) {
				r->escaped = false;
				if (c >= 0x20)
					continue;
			} else {
				/* The bulk of a record: plain text in a string. */
				while (c >= 0x20 && c != '"' && c != '\\') {
					if (++i == n)
						return n;
					c = (unsigned char)s[i];
				}
				if (c == '"') {
					r->in_string = false;
					continue;
				}
				if (c == '\\') {
					r->escaped = true;
					continue;
				}
			}
			*err = c == '\0' ? "a NUL byte, which JSON text cannot hold"
					 : "a control character written raw in a string (JSON "
					   "escapes them, e.g. \\n)";
			return (size_t)-1;
		}
		switch (c) {
		case '"':
			r->in_string = true;
			break;
		case '{':
		case '[':
			if (++r->depth > IMPORT_DEPTH_MAX) {
				*err = "nested more than " QUOTE(
				    IMPORT_DEPTH_MAX) " deep (an intake needs 3)";
				return (size_t)-1;
			}
			break;
		case '}':
		case ']':
			if (--r->depth == 0) {
				*done = true;
				return i + 1;
			}
			break;
		case '\0':
			*err = "a NUL byte, which JSON text cannot hold";
			return (size_t)-1;
		default:
			break;
		}
	}
	return n;
}

/* Reads the record that starts at the next byte (a {) into r->rec. */
static int read_record(struct import_reader *r, char *why, size_t whylen)
{
	long long pos = r->count + 1;
	bool done = false;
	const char *err = NULL;

	r->len = 0;
	r->depth = 0;
	r->in_string = r->escaped = false;
	while (!done) {
		int rc = fill(r);
		if (rc <= 0) {
			if (rc < 0)
				return fail(r, why, whylen, "record %lld: cannot read the file: %s",
					    pos, strerror(errno));
			return fail(r, why, whylen,
				    "record %lld: the file ends inside this record (truncated?)",
				    pos);
		}
		/* Never past the limit, so that what is refused does not hang on
		 * where the buffer ends. */
		size_t room = IMPORT_RECORD_MAX - r->len, avail = r->have - r->at;
		size_t k = scan(r, r->buf + r->at, avail < room ? avail : room, &done, &err);
		if (k == (size_t)-1)
			return fail(r, why, whylen, "record %lld: %s", pos, err);
		if (r->len + k > r->cap) {
			size_t cap = r->cap ? r->cap : 4096;
			while (cap < r->len + k)
				cap *= 2;
			if (cap > IMPORT_RECORD_MAX)
				cap = IMPORT_RECORD_MAX;
			char *grown = realloc(r->rec, cap);
			if (!grown)
				return fail(r, why, whylen, "record %lld: out of memory", pos);
			r->rec = grown;
			r->cap = cap;
		}
		memcpy(r->rec + r->len, r->buf + r->at, k);
		r->len += k;
		r->at += k;
		if (!done && r->len == IMPORT_RECORD_MAX)
			return fail(r, why, whylen,
				    "record %lld: longer than %d KiB, the most one intake may take",
				    pos, IMPORT_RECORD_MAX / 1024);
	}
	r->count++;
	return 1;
}

/* A UTF-8 byte order mark (Notepad and PowerShell write one) at the start
 * is skipped, with the blanks after it.  Returns as skip_blanks(): 1 with
 * *c the next byte (not taken), 0 at the end of the file, -1 on a read
 * error (errno).  Bytes that only begin like a mark are taken, and *c is
 * then the mark's first byte: the file is not an export. */
static int skip_byte_order_mark(struct import_reader *r, char *c)
{
	static const char bom[] = "\xef\xbb\xbf";

	for (size_t k = 0; k < 3; k++) {
		/* The three bytes may come in three reads (a pipe). */
		int rc = fill(r);
		if (rc <= 0)
			return rc;
		if (r->buf[r->at] != bom[k]) {
			*c = bom[0]; /* its first bytes only: not an export */
			return 1;
		}
		r->at++;
	}
	return skip_blanks(r, false, c);
}

/* Reads on until the buffer holds a whole line from r->at (or is full, or
 * the file ends), keeping what it holds: a look at the first line.  A read
 * error is left for the next fill() to meet again. */
static void read_first_line(struct import_reader *r)
{
	while (!r->eof && r->have < r->size && !memchr(r->buf + r->at, '\n', r->have - r->at)) {
		ssize_t n;
		memmove(r->buf, r->buf + r->at, r->have - r->at);
		r->have -= r->at;
		r->at = 0;
		do
			n = r->read(r->arg, r->buf + r->have, r->size - r->have);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return;
		r->have += (size_t)n;
		r->eof = n == 0;
	}
}

/* Whether the first line, as far as it fits the buffer, looks like the
 * CSV that `export --format csv` writes (a header of names between
 * commas). */
static bool looks_like_csv(struct import_reader *r)
{
	const char *s, *nl;
	size_t n;

	read_first_line(r);
	s = r->buf + r->at;
	n = r->have - r->at;
	if ((nl = memchr(s, '\n', n)))
		n = (size_t)(nl - s);
	return memchr(s, ',', n) || memchr(s, ';', n);
}

/* The file's first byte c (rc as skip_blanks() gave it): a JSON array or
 * one object per line, or a reason it is neither.  Returns 0 with
 * r->state set, or -1. */
static int read_start(struct import_reader *r, int rc, char c, char *why, size_t whylen)
{
	if (rc == 1 && c == '\xef' && (rc = skip_byte_order_mark(r, &c)) < 0)
		return fail(r, why, whylen, "cannot read the file: %s", strerror(errno));
	if (rc == 1 && (c == '\xff' || c == '\xfe'))
		return fail(r, why, whylen,
			    "UTF-16 text (as PowerShell 5 writes it): import reads "
			    "UTF-8, as export writes it");
	if (rc == 1 && c != '[' && c != '{' && looks_like_csv(r))
		return fail(r, why, whylen,
			    "looks like CSV; import reads the JSON export (export "
			    "--format json or ndjson)");
	if (rc == 0)
		return fail(r, why, whylen,
			    "the file is empty (an export is a JSON array, or one "
			    "intake object per line)");
	if (c != '[' && c != '{')
		return fail(r, why, whylen,
			    "not an export: it must start with [ (a JSON array) or { "
			    "(one intake object per line)");
	if (c == '[') {
		r->at++;
		r->state = ARRAY_FIRST;
	} else {
		r->state = LINES_NEXT;
	}
	return 0;
}

/* After a record of an array, at byte *c (rc as skip_blanks() gave it):
 * the closing ], or a comma and then the next record's first byte in *c.
 * Returns 1 at the next record, 0 after the ] (r->state AT_END), or -1. */
static int array_next(struct import_reader *r, int rc, char *c, char *why, size_t whylen)
{
	long long n = r->count;

	if (rc == 0)
		return fail(r, why, whylen,
			    "after record %lld: the file ends before the closing ] (truncated?)", n);
	if (*c == ']') {
		r->at++;
		r->state = AT_END;
		return 0;
	}
	if (*c != ',')
		return fail(r, why, whylen, "after record %lld: expected , or ]", n);
	r->at++;
	rc = skip_blanks(r, false, c);
	if (rc < 0)
		return fail(r, why, whylen, "after record %lld: cannot read the file: %s", n,
			    strerror(errno));
	if (rc == 0)
		return fail(r, why, whylen,
			    "after record %lld: the file ends after a comma (truncated?)", n);
	if (*c == ']')
		return fail(r, why, whylen, "after record %lld: a comma before ]", n);
	return 1;
}

int import_reader_next(struct import_reader *r, const char **text, size_t *len, char *why,
		       size_t whylen)
{
	long long n = r->count;
	char c = 0;

	for (;;) {
		if (r->state == FAILED) {
			snprintf(why, whylen, "the file cannot be read further");
			return -1;
		}
		int rc = skip_blanks(r, r->state == LINE_REST, &c);
		if (rc < 0 && n)
			return fail(r, why, whylen, "after record %lld: cannot read the file: %s",
				    n, strerror(errno));
		if (rc < 0)
			return fail(r, why, whylen, "cannot read the file: %s", strerror(errno));
		switch (r->state) {
		case AT_START:
			if (read_start(r, rc, c, why, whylen) < 0)
				return -1;
			continue;
		case ARRAY_FIRST:
			if (rc == 0)
				return fail(r, why, whylen, "the file ends before the closing ]");
			if (c == ']') {
				r->at++;
				r->state = AT_END;
				continue;
			}
			break;
		case ARRAY_NEXT:
			if ((rc = array_next(r, rc, &c, why, whylen)) < 0)
				return -1;
			if (rc == 0)
				continue;
			break;
		case LINES_NEXT:
			if (rc == 0)
				return 0;
			break;
		case LINE_REST:
			if (rc == 1 && c != '\n')
				return fail(
				    r, why, whylen,
				    "after record %lld: more after the object on its line (one "
				    "object per line)",
				    n);
			if (rc == 1)
				r->at++;
			r->state = LINES_NEXT;
			continue;
		case AT_END:
			if (rc == 0)
				return 0;
			return fail(r, why, whylen,
				    "after the closing ]: more text (an export is one JSON array)");
		case FAILED:
			continue;
		}
		/* A record starts here. */
		if (c != '{')
			return fail(r, why, whylen, "record %lld: not an intake object {...}",
				    n + 1);
		if (read_record(r, why, whylen) < 0)
			return -1;
		r->state = r->state == LINES_NEXT ? LINE_REST : ARRAY_NEXT;
		*text = r->rec;
		*len = r->len;
		return 1;
	}
}

/* ---- one record ---- */

/* Room for the choices of a question with several, joined ("a,b"). */
#define JOINED_MAX 256
/* As clear-flag --reason and the acknowledgement take them. */
#define CLEARANCE_REASON_MAX 500
#define ACK_NAME_MAX 500

void import_checks_init(struct import_checks *c, int minimum_age, struct date today)
{
	c->minimum_age = minimum_age;
	c->today = today;
	c->settings = NULL;
}

/* An unknown key as a message quotes it: at most 40 bytes, with control
 * characters shown as ?, so that the reason stays one line. */
static const char *shown_key(const char *key, char out[41])
{
	size_t i;

	for (i = 0; i < 40 && key[i]; i++)
		out[i] = (unsigned char)key[i] < 0x20 || key[i] == 0x7f ? '?' : key[i];
	out[i] = '\0';
	return out;
}

/* Fills item[i] with the member of obj named names[i], refusing members
 * of other names, a name given twice and a name among the first required
 * missing (a later one missing leaves its item NULL).  path names obj in
 * reasons ("" for the record). */
static int take_some_members(const cJSON *obj, const char *path, const char *const *names,
			     size_t required, const cJSON **item, char *why, size_t n)
{
	const char *dot = path[0] ? "." : "";
	size_t count = 0;
	const cJSON *v;
	char key[41];

	if (!cJSON_IsObject(obj)) {
		snprintf(why, n, "%s: must be an object", path);
		return -1;
	}
	while (names[count])
		item[count++] = NULL;
	cJSON_ArrayForEach(v, obj)
	{
		size_t i = 0;
		while (i < count && strcmp(names[i], v->string) != 0)
			i++;
		if (i == count) {
			snprintf(why, n, "%s%sunknown key '%s'", path, path[0] ? ": " : "",
				 shown_key(v->string, key));
			return -1;
		}
		if (item[i]) {
			snprintf(why, n, "%s%s%s: given twice", path, dot, names[i]);
			return -1;
		}
		item[i] = v;
	}
	for (size_t i = 0; i < count && i < required; i++) {
		if (!item[i]) {
			snprintf(why, n, "%s%s%s: missing", path, dot, names[i]);
			return -1;
		}
	}
	return 0;
}

/* As take_some_members(), every name required. */
static int take_members(const cJSON *obj, const char *path, const char *const *names,
			const cJSON **item, char *why, size_t n)
{
	return take_some_members(obj, path, names, SIZE_MAX, item, why, n);
}

/* A whole number from 1 to 2^53 - 1 (the integers a double holds). */
static bool whole_number(const cJSON *v, long long *out)
{
	double d;

	if (!cJSON_IsNumber(v))
		return false;
	d = v->valuedouble;
	if (!(d >= 1 && d <= 9007199254740991.0) || d != (double)(long long)d)
		return false;
	*out = (long long)d;
	return true;
}

static bool is_uuid4(const char *s)
{
	if (strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
			return false;
		}
	}
	return s[14] == '4' && strchr("89ab", s[19]);
}

/* YYYY-MM-DDTHH:MM:SSZ, a real date and time; *day is its date. */
static bool utc_time(const char *s, struct date *day)
{
	char date[11];

	if (strlen(s) != 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
		return false;
	for (int i = 11; i < 19; i++)
		if (i != 13 && i != 16 && !(s[i] >= '0' && s[i] <= '9'))
			return false;
	memcpy(date, s, 10);
	date[10] = '\0';
	return date_parse(date, day) == DATE_OK && (s[11] - '0') * 10 + (s[12] - '0') < 24 &&
	       s[14] < '6' && s[17] < '6';
}

/* True when a string of the (scanned) record holds the escape \u0000:
 * cJSON would silently cut the string there. */
static bool has_nul_escape(const char *text, size_t len)
{
	bool in_string = false;

	if (!memchr(text, '\\', len))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!in_string) {
			in_string = text[i] == '"';
		} else if (text[i] == '"') {
			in_string = false;
		} else if (text[i] == '\\' && i + 1 < len) {
			if (text[i + 1] == 'u' && i + 5 < len &&
			    memcmp(text + i + 2, "0000", 4) == 0)
				return true;
			i++;
		}
	}
	return false;
}

/* text_is_utf8(), quicker on the ASCII most of a record is: no byte of a
 * multi-byte sequence is ASCII, so each run of other bytes is checked on
 * its own. */
static bool record_is_utf8(const char *s, size_t len)
{
	size_t i = 0, j;
	uint64_t w;

	while (i < len) {
		while (i + 8 <= len && (memcpy(&w, s + i, 8), !(w & UINT64_C(0x8080808080808080))))
			i += 8;
		while (i < len && (unsigned char)s[i] < 0x80)
			i++;
		for (j = i; j < len && (unsigned char)s[j] >= 0x80; j++)
			;
		if (j > i && !text_is_utf8(s + i, j - i))
			return false;
		i = j;
	}
	return true;
}

/* The day a date answer of question q is checked as of.  The rules of
 * the day the intake was taken, in the studio's time zone: a day either
 * side of the UTC date.  A date that a later edit or GP sign-off may have
 * set (not in the future, or not in the past) may have been checked on
 * any day since, up to today. */
static struct date rule_day(const struct question *q, const char *value, struct date taken,
			    struct date today)
{
	struct date d, first, last;

	if (q->type != Q_DATE ||
	    (q->date_rule != DATE_NOT_FUTURE && q->date_rule != DATE_NOT_PAST) ||
	    date_parse(value, &d) != DATE_OK)
		return taken;
	first = date_add_days(taken, -1);
	last = date_add_days(today, 1);
	if (date_cmp(d, first) < 0)
		return first;
	if (date_cmp(d, last) > 0)
		return last;
	return d;
}

/* The one-line reason an answer that question_check() took is not as the
 * program stores it (trimmed, a choice in lower case, no empty text). */
static void not_stored_form(const struct question *q, const char *value, char *why, size_t n)
{
	if (!value) {
		snprintf(why, n, "empty: %s when there is none",
			 q->client_field ? "give null" : "leave the key out");
	} else if (q->several) {
		size_t used = (size_t)snprintf(why, n, "each choice once, in this order:");
		for (size_t i = 0; q->choices[i] && used < n; i++)
			used += (size_t)snprintf(why + used, n - used, "%s %s", i ? "," : "",
						 q->choices[i]);
	} else if (q->type == Q_CHOICE) {
		size_t used = (size_t)snprintf(why, n, "choose one of:");
		for (size_t i = 0; q->choices[i] && used < n; i++)
			used += (size_t)snprintf(why + used, n - used, "%s %s", i ? "," : "",
						 q->choices[i]);
	} else {
		snprintf(why, n, "spaces at the start or the end (answers are stored trimmed)");
	}
}

/* Checks input as the answer to question qi, as `new` would have on the
 * day taken (see rule_day), and stores it in a. */
static int check_answer(const struct import_checks *c, size_t qi, const char *input,
			struct answers *a, struct date taken, char *why, size_t n)
{
	const struct question *q = &questionnaire[qi];
	const char *path = q->client_field ? "client" : "answers";
	struct rules rules = {rule_day(q, input, taken, c->today), c->minimum_age, DATES_STORED};
	char reason[200], other[200];
	char *value = NULL;
	int rc = question_check(q, input, a, &rules, &value, reason, sizeof reason);

	/* A birth date: the client was old enough on the day, in the studio's
	 * time zone. */
	for (int shift = 1; rc < 0 && q->date_rule == DATE_BIRTH && shift >= -1; shift -= 2) {
		rules.today = date_add_days(taken, shift);
		rc = question_check(q, input, a, &rules, &value, other, sizeof other);
	}
	if (rc == 0 && (!value || strcmp(value, input) != 0)) {
		not_stored_form(q, value, reason, sizeof reason);
		rc = -1;
	}
	if (rc < 0) {
		free(value);
		snprintf(why, n, "%s.%s: %s", path, q->id, reason);
		return -1;
	}
	a->value[qi] = value;
	return 0;
}

/* A string member for question qi (or null when it may be null). */
static int text_member(const cJSON *v, const char *path, const char *name, bool nullable,
		       const char **out, char *why, size_t n)
{
	*out = NULL;
	if (cJSON_IsString(v)) {
		*out = v->valuestring;
		return 0;
	}
	if (nullable && cJSON_IsNull(v))
		return 0;
	snprintf(why, n, "%s.%s: must be %s", path, name,
		 nullable ? "a string or null" : "a string");
	return -1;
}

/* The keys of a record: the first eight in every export; the rest since
 * questionnaire 2026.2 (an export of release 0.1.0 has none of them). */
static const char *const record_keys[] = {
    "id",	"uuid",	  "taken_at",	"staff", "client", "answers", "advice", "gp_signoff",
    "questionnaire_version", "advice_version", "advice_sheet", "flags", "acknowledgement",
    "ready", "sessions", "photos", "consents", NULL};
enum {
	K_ID,
	K_UUID,
	K_TAKEN_AT,
	K_STAFF,
	K_CLIENT,
	K_ANSWERS,
	K_ADVICE,
	K_GP_SIGNOFF,
	K_QUESTIONNAIRE_VERSION,
	K_ADVICE_VERSION,
	K_ADVICE_SHEET,
	K_FLAGS,
	K_ACKNOWLEDGEMENT,
	K_READY,
	K_SESSIONS,
	K_PHOTOS,
	K_CONSENTS,
	K_COUNT
};
#define RECORD_KEYS_0_1 K_QUESTIONNAIRE_VERSION

/* The version a record without questionnaire_version and advice_version
 * (release 0.1.0's export) was given under: the only one there was. */
#define FIRST_VERSION "2026.1"

/* The client's id and raw answers (by question) from the client object:
 * its keys are "id" and the client's details' question ids. */
static int take_client(const cJSON *client, long long *id,
		       const char *raw[QUESTIONS_MAX], char *why, size_t n)
{
	const char *client_keys[CLIENT_FIELDS + 2] = { "id" };
	const cJSON *item[CLIENT_FIELDS + 2];

	for (size_t k = 0; k < CLIENT_FIELDS; k++)
		client_keys[k + 1] = client_field_question(k)->id;
	if (take_members(client, "client", client_keys, item, why, n) < 0)
		return -1;
	if (!whole_number(item[0], id)) {
		snprintf(why, n, "client.id: must be a whole number from 1");
		return -1;
	}
	for (size_t i = 1; client_keys[i]; i++) {
		int qi = questionnaire_index(client_keys[i]);
		bool optional = !questionnaire[qi].required;
		if (text_member(item[i], "client", client_keys[i], optional, &raw[qi], why, n) < 0)
			return -1;
	}
	return 0;
}

/* The choices of array v (a question with several) as stored, "a,b",
 * into buf (each item one of q's choices as stored; question_check() then
 * checks the whole). */
static int join_choices(const struct question *q, const cJSON *v, char *buf, size_t size,
			char *why, size_t n)
{
	const cJSON *it;
	size_t used = 0, k = 0;

	buf[0] = '\0';
	cJSON_ArrayForEach(it, v)
	{
		size_t c = 0;
		while (q->choices[c] &&
		       !(cJSON_IsString(it) && strcmp(it->valuestring, q->choices[c]) == 0))
			c++;
		if (!q->choices[c] || k >= QUESTION_CHOICES_MAX) {
			size_t at = (size_t)snprintf(why, n, "answers.%s[%zu]: choose one of:", q->id, k);
			for (c = 0; q->choices[c] && at < n; c++)
				at += (size_t)snprintf(why + at, n - at, "%s %s", c ? "," : "",
						       q->choices[c]);
			return -1;
		}
		used += (size_t)snprintf(buf + used, size - used, "%s%s", k++ ? "," : "",
					 q->choices[c]);
	}
	return used < size ? 0 : -1;
}

/* The raw answers (by question) from the answers object: yes/no questions
 * as booleans, several choices as an array (joined into joined[]), others
 * as strings. */
static int take_answers(const cJSON *answers, const char *raw[QUESTIONS_MAX],
			char joined[QUESTIONS_MAX][JOINED_MAX], char *why, size_t n)
{
	const cJSON *v;
	bool seen[QUESTIONS_MAX] = {false};
	char key[41];

	if (!cJSON_IsObject(answers)) {
		snprintf(why, n, "answers: must be an object");
		return -1;
	}
	cJSON_ArrayForEach(v, answers)
	{
		int qi = questionnaire_index(v->string);
		const struct question *q;

		if (qi < 0) {
			snprintf(why, n, "answers: unknown key '%s'", shown_key(v->string, key));
			return -1;
		}
		q = &questionnaire[qi];
		if (q->client_field) {
			snprintf(why, n, "answers.%s: belongs in client, not in answers", q->id);
			return -1;
		}
		if (seen[qi]) {
			snprintf(why, n, "answers.%s: given twice", q->id);
			return -1;
		}
		seen[qi] = true;
		if (q->type == Q_YESNO) {
			if (!cJSON_IsBool(v)) {
				snprintf(why, n, "answers.%s: must be true or false", q->id);
				return -1;
			}
			raw[qi] = cJSON_IsTrue(v) ? "yes" : "no";
		} else if (q->several) {
			if (!cJSON_IsArray(v)) {
				snprintf(why, n, "answers.%s: must be an array of its choices", q->id);
				return -1;
			}
			if (join_choices(q, v, joined[qi], JOINED_MAX, why, n) < 0)
				return -1;
			raw[qi] = joined[qi];
		} else if (text_member(v, "answers", q->id, false, &raw[qi], why, n) < 0) {
			return -1;
		}
	}
	return 0;
}

/* Every answer checked, in the order asked; then which apply: a question
 * added after the record's questionnaire version was not asked, and must
 * not be answered. */
static int check_answers(const struct import_checks *c, const char *const raw[QUESTIONS_MAX],
			 const char *version, struct answers *a, struct date taken, char *why,
			 size_t n)
{
	for (size_t i = 0; i < questionnaire_count; i++) {
		const struct question *q = &questionnaire[i];
		if (raw[i] && !question_asked_in(q, version)) {
			snprintf(why, n,
				 "answers.%s: not a question of questionnaire %s (the record's "
				 "questionnaire_version)",
				 q->id, version);
			return -1;
		}
		if (raw[i] && check_answer(c, i, raw[i], a, taken, why, n) < 0)
			return -1;
	}
	for (size_t i = 0; i < questionnaire_count; i++) {
		const struct question *q = &questionnaire[i];
		const char *path = q->client_field ? "client" : "answers";
		bool applies = question_applies(q, a) && question_asked_in(q, version);

		if (a->value[i] && !applies) {
			snprintf(why, n,
				 "%s.%s: given, but the question does not apply to these answers",
				 path, q->id);
			return -1;
		}
		if (!a->value[i] && applies && q->required) {
			snprintf(why, n, "%s.%s: missing (the question is required)", path, q->id);
			return -1;
		}
	}
	if (strcmp(answers_get(a, "consent_storage"), "yes") != 0) {
		snprintf(why, n,
			 "answers.consent_storage: must be true (nothing is stored without "
			 "consent)");
		return -1;
	}
	return 0;
}

static bool same_text(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* The advice sheet as printed: 1 to ADVICE_MAX items of known rules. */
static int take_advice(const cJSON *list, struct advice_sheet *out, char *why, size_t n)
{
	static const char *const keys[] = {"id", "text", NULL};
	const cJSON *v, *item[2];
	size_t count = 0;

	if (!cJSON_IsArray(list) || !list->child) {
		snprintf(why, n, "advice: must be an array of at least one item");
		return -1;
	}
	cJSON_ArrayForEach(v, list)
	{
		char path[32];
		size_t r = 0;

		snprintf(path, sizeof path, "advice[%zu]", count);
		if (++count > ADVICE_MAX) {
			snprintf(why, n, "advice: more than %d items", ADVICE_MAX);
			return -1;
		}
		if (take_members(v, path, keys, item, why, n) < 0)
			return -1;
		if (!cJSON_IsString(item[0])) {
			snprintf(why, n, "%s.id: must be a string", path);
			return -1;
		}
		while (r < advice_rule_count &&
		       strcmp(advice_rules[r].id, item[0]->valuestring) != 0)
			r++;
		if (r == advice_rule_count) {
			snprintf(why, n, "%s.id: not an advice rule of this program", path);
			return -1;
		}
		if (!cJSON_IsString(item[1]) || text_is_blank(item[1]->valuestring)) {
			snprintf(why, n, "%s.text: must be a string, not empty", path);
			return -1;
		}
		if (advice_sheet_add(out, advice_rules[r].id, item[1]->valuestring) < 0) {
			snprintf(why, n, "out of memory");
			return -1;
		}
	}
	return 0;
}

/* The summary must be what the export would write for these answers. */
static int check_gp_signoff(const cJSON *obj, const struct answers *a, char *why, size_t n)
{
	static const char *const keys[] = {"status", "gp_name", "date", NULL};
	static const char *const answer[] = {NULL, "gp_name", "gp_signoff_date"};
	const cJSON *item[3];

	if (take_members(obj, "gp_signoff", keys, item, why, n) < 0)
		return -1;
	if (!cJSON_IsString(item[0]) ||
	    strcmp(item[0]->valuestring, answers_signoff_status(a)) != 0) {
		snprintf(why, n, "gp_signoff.status: must be \"%s\", as the answers give",
			 answers_signoff_status(a));
		return -1;
	}
	for (int i = 1; i < 3; i++) {
		const char *v;
		if (text_member(item[i], "gp_signoff", keys[i], true, &v, why, n) < 0)
			return -1;
		if (!same_text(v, answers_get(a, answer[i]))) {
			snprintf(why, n, "gp_signoff.%s: does not agree with answers.%s", keys[i],
				 answer[i]);
			return -1;
		}
	}
	return 0;
}

/* A name of staff as --staff takes it: 1 to 100 characters without
 * control characters; and not only blanks (no-break spaces and other
 * Unicode spaces too), which name nobody.  Who the staff were cannot be
 * checked otherwise: any name a studio used is theirs. */
static bool staff_name(const char *s)
{
	return s && !text_is_blank(s) && !text_has_control(s, false) && text_codepoints(s) <= 100;
}

/* One line of text as the program stores it: not blank (text_is_blank),
 * trimmed (text_trim), no control characters, at most max characters. */
static bool one_line(const char *s, size_t max)
{
	char *trimmed;
	bool same;

	if (!s || text_is_blank(s) || text_has_control(s, false) || text_codepoints(s) > max ||
	    !(trimmed = strdup(s)))
		return false;
	same = strcmp(text_trim(trimmed), s) == 0;
	free(trimmed);
	return same;
}

/* A UTC time (see utc_time) not after tomorrow, copied into *out. */
static int take_time(const cJSON *v, struct date today, const char *path, char **out, char *why,
		     size_t n)
{
	struct date day;

	if (!cJSON_IsString(v) || !utc_time(v->valuestring, &day)) {
		snprintf(why, n, "%s: must be a UTC time YYYY-MM-DDTHH:MM:SSZ", path);
		return -1;
	}
	if (date_cmp(day, date_add_days(today, 1)) > 0) {
		snprintf(why, n, "%s: in the future", path);
		return -1;
	}
	if (!(*out = strdup(v->valuestring))) {
		snprintf(why, n, "out of memory");
		return -1;
	}
	return 0;
}

/* A version of the questionnaire and advice this program knows, into
 * out (char[16]). */
static int take_version(const cJSON *v, const char *name, char *out, size_t size, char *why,
			size_t n)
{
	if (!cJSON_IsString(v) || !questionnaire_version_known(v->valuestring)) {
		size_t used = (size_t)snprintf(why, n, "%s: not a version this program knows (",
					       name);
		for (size_t i = 0; questionnaire_versions[i] && used < n; i++)
			used += (size_t)snprintf(why + used, n - used, "%s%s", i ? ", " : "",
						 questionnaire_versions[i]);
		if (used < n)
			snprintf(why + used, n - used, ")");
		return -1;
	}
	snprintf(out, size, "%s", v->valuestring);
	return 0;
}

/* The acknowledgement: null, or the client's typed name, when, who was
 * with them, and the sheet they read (at most advice_sheet). */
static int take_acknowledgement(const cJSON *v, const struct import_checks *c, struct intake *out,
				char *why, size_t n)
{
	static const char *const keys[] = {"typed_name", "at", "staff", "sheet", "advice", NULL};
	const cJSON *item[5];
	char reason[200];

	if (cJSON_IsNull(v))
		return 0;
	if (take_some_members(v, "acknowledgement", keys, 4, item, why, n) < 0)
		return -1;
	if (!cJSON_IsString(item[0]) || !one_line(item[0]->valuestring, ACK_NAME_MAX)) {
		snprintf(why, n,
			 "acknowledgement.typed_name: must be the name as typed: one line of at "
			 "most %d characters, trimmed",
			 ACK_NAME_MAX);
		return -1;
	}
	if (!cJSON_IsString(item[2]) || !staff_name(item[2]->valuestring)) {
		snprintf(why, n,
			 "acknowledgement.staff: must be 1 to 100 characters without control "
			 "characters, not only blanks");
		return -1;
	}
	if (!whole_number(item[3], &out->ack.sheet)) {
		snprintf(why, n, "acknowledgement.sheet: must be a whole number from 1");
		return -1;
	}
	if (out->ack.sheet > out->sheet) {
		snprintf(why, n,
			 "acknowledgement.sheet: after advice_sheet (a sheet not given yet)");
		return -1;
	}
	/* The words of an earlier sheet come with it (the latest's are the
	 * record's advice). */
	if (out->ack.sheet < out->sheet && !item[4]) {
		snprintf(why, n,
			 "acknowledgement.advice: missing (the words of sheet %lld, before "
			 "advice_sheet)",
			 out->ack.sheet);
		return -1;
	}
	if (out->ack.sheet == out->sheet && item[4]) {
		snprintf(why, n,
			 "acknowledgement.advice: only for a sheet before advice_sheet (the "
			 "latest's words are the record's advice)");
		return -1;
	}
	if (item[4] && take_advice(item[4], &out->ack_advice, reason, sizeof reason) < 0) {
		snprintf(why, n, "%s%s", strncmp(reason, "advice", 6) == 0 ? "acknowledgement." : "",
			 reason);
		return -1;
	}
	if (take_time(item[1], c->today, "acknowledgement.at", &out->ack.at, why, n) < 0)
		return -1;
	if (!(out->ack.typed_name = strdup(item[0]->valuestring)) ||
	    !(out->ack.staff = strdup(item[2]->valuestring))) {
		snprintf(why, n, "out of memory");
		return -1;
	}
	return 0;
}

/* One cleared flag's clearance, from flags[i]. */
static int take_clearance(const cJSON *flag, const struct flag_rule *f, size_t i,
			  const struct import_checks *c, struct intake *out, char *why, size_t n)
{
	static const char *const keys[] = {"id", "status", "reason", "cleared_by", "cleared_at",
					   NULL};
	struct clearance *cl = &out->cleared[out->clearances];
	const cJSON *item[5];
	char path[40];

	snprintf(path, sizeof path, "flags[%zu]", i);
	if (take_members(flag, path, keys, item, why, n) < 0)
		return -1;
	if (!cJSON_IsString(item[2]) || !one_line(item[2]->valuestring, CLEARANCE_REASON_MAX)) {
		snprintf(why, n, "%s.reason: must be one line of at most %d characters, trimmed",
			 path, CLEARANCE_REASON_MAX);
		return -1;
	}
	if (!cJSON_IsString(item[3]) || !staff_name(item[3]->valuestring)) {
		snprintf(why, n,
			 "%s.cleared_by: must be 1 to 100 characters without control characters, "
			 "not only blanks",
			 path);
		return -1;
	}
	snprintf(path, sizeof path, "flags[%zu].cleared_at", i);
	out->clearances++;
	if (take_time(item[4], c->today, path, &cl->at, why, n) < 0)
		return -1;
	if (!(cl->flag_id = strdup(f->id)) || !(cl->reason = strdup(item[2]->valuestring)) ||
	    !(cl->staff = strdup(item[3]->valuestring))) {
		snprintf(why, n, "out of memory");
		return -1;
	}
	return 0;
}

/* The flags: exactly those the answers raise, in flag_rules[] order, each
 * open or cleared (its clearance kept). */
static int take_flags(const cJSON *list, const struct import_checks *c, struct intake *out,
		      char *why, size_t n)
{
	static const char *const open_keys[] = {"id", "status", NULL};
	const cJSON *flag = list ? list->child : NULL;
	size_t i = 0;

	if (!cJSON_IsArray(list)) {
		snprintf(why, n, "flags: must be an array");
		return -1;
	}
	for (size_t r = 0; r < flag_rule_count; r++) {
		const struct flag_rule *f = &flag_rules[r];
		const cJSON *id, *status;
		if (!flag_raised(f, &out->answers))
			continue;
		if (!flag) {
			snprintf(why, n, "flags: %s is missing (the answers raise it)", f->id);
			return -1;
		}
		if (!cJSON_IsObject(flag)) {
			snprintf(why, n, "flags[%zu]: must be an object", i);
			return -1;
		}
		id = cJSON_GetObjectItemCaseSensitive(flag, "id");
		status = cJSON_GetObjectItemCaseSensitive(flag, "status");
		if (!cJSON_IsString(id) || strcmp(id->valuestring, f->id) != 0) {
			snprintf(why, n, "flags[%zu].id: must be \"%s\", as the answers give", i,
				 f->id);
			return -1;
		}
		if (cJSON_IsString(status) && strcmp(status->valuestring, "cleared") == 0) {
			if (take_clearance(flag, f, i, c, out, why, n) < 0)
				return -1;
		} else if (cJSON_IsString(status) && strcmp(status->valuestring, "open") == 0) {
			const cJSON *item[2];
			char path[24];
			snprintf(path, sizeof path, "flags[%zu]", i);
			if (take_members(flag, path, open_keys, item, why, n) < 0)
				return -1;
		} else {
			snprintf(why, n, "flags[%zu].status: must be \"open\" or \"cleared\"", i);
			return -1;
		}
		flag = flag->next;
		i++;
	}
	if (flag) {
		snprintf(why, n, "flags[%zu]: not raised by the answers", i);
		return -1;
	}
	return 0;
}

/* The record's part of questionnaire 2026.2 on: versions, the advice
 * sheet's number, flags, acknowledgement and readiness; or, for a record
 * of release 0.1.0 (none of them), the first version. */
static int take_record_keeping(const cJSON *const *item, struct intake *out, char *why,
			       size_t n)
{
	if (!item[K_QUESTIONNAIRE_VERSION]) {
		for (int k = K_QUESTIONNAIRE_VERSION + 1; k < K_COUNT; k++) {
			if (item[k] && k <= K_READY) {
				snprintf(why, n,
					 "questionnaire_version: missing (a record with %s has it)",
					 record_keys[k]);
				return -1;
			}
		}
		strcpy(out->questionnaire_version, FIRST_VERSION);
		strcpy(out->advice_version, FIRST_VERSION);
		out->sheet = 1;
		return 0;
	}
	for (int k = K_QUESTIONNAIRE_VERSION + 1; k <= K_READY; k++) {
		if (!item[k]) {
			snprintf(why, n, "%s: missing", record_keys[k]);
			return -1;
		}
	}
	if (take_version(item[K_QUESTIONNAIRE_VERSION], "questionnaire_version",
			 out->questionnaire_version, sizeof out->questionnaire_version, why, n) < 0 ||
	    take_version(item[K_ADVICE_VERSION], "advice_version", out->advice_version,
			 sizeof out->advice_version, why, n) < 0)
		return -1;
	if (!whole_number(item[K_ADVICE_SHEET], &out->sheet)) {
		snprintf(why, n, "advice_sheet: must be a whole number from 1");
		return -1;
	}
	return 0;
}

/* The derived parts, once the answers are known: flags, the
 * acknowledgement, and readiness agreeing with all of it. */
static int take_derived(const cJSON *const *item, const struct import_checks *c,
			struct intake *out, char *why, size_t n)
{
	bool ready;

	if (!item[K_QUESTIONNAIRE_VERSION])
		return 0;
	if (take_flags(item[K_FLAGS], c, out, why, n) < 0 ||
	    take_acknowledgement(item[K_ACKNOWLEDGEMENT], c, out, why, n) < 0)
		return -1;
	ready = !readiness_wait_reason(&out->answers, &out->ack, out->cleared, out->clearances);
	if (!cJSON_IsBool(item[K_READY]) || cJSON_IsTrue(item[K_READY]) != ready) {
		snprintf(why, n, "ready: must be %s, as the answers, flags and acknowledgement give",
			 ready ? "true" : "false");
		return -1;
	}
	return 0;
}

/* ---- what the record says the program did ---- */

/* The advice items of a sheet are compared by id and, where this release
 * holds the version's words, by text. */
static const char *sheet_text(const struct advice_sheet *sheet, const char *id)
{
	for (size_t i = 0; i < sheet->count; i++)
		if (strcmp(sheet->item[i].id, id) == 0)
			return sheet->item[i].text;
	return NULL;
}

static bool same_sheet(const struct advice_sheet *a, const struct advice_sheet *b, bool texts)
{
	if (a->count != b->count)
		return false;
	for (size_t i = 0; i < a->count; i++)
		if (strcmp(a->item[i].id, b->item[i].id) != 0 ||
		    (texts && strcmp(a->item[i].text, b->item[i].text) != 0))
			return false;
	return true;
}

/* Sets setting key of *s to the number of days a pause text states just
 * before `what` ("(7 days before)"), when that is a value the setting
 * takes (settings_set() checks it, as `config set` does). */
static bool take_stated_days(const char *text, const char *what, const char *key,
			     struct settings *s)
{
	const char *at = strstr(text, what), *p = at;
	char days[4], why[160];

	if (!at)
		return false;
	while (p > text && p[-1] >= '0' && p[-1] <= '9' && at - p < 3)
		p--;
	if (p == at || p == text || p[-1] != '(')
		return false;
	memcpy(days, p, (size_t)(at - p));
	days[at - p] = '\0';
	return settings_set(s, key, days, why, sizeof why) == SETTING_OK;
}

/* The first difference between the sheet given (have) and the one the
 * rules give (want), as a reason. */
static void sheet_difference(const struct advice_sheet *want, const struct advice_sheet *have,
			     bool texts, const char *version, char *why, size_t n)
{
	for (size_t i = 0;; i++) {
		const char *w = i < want->count ? want->item[i].id : NULL;
		const char *h = i < have->count ? have->item[i].id : NULL;

		if (w && h && strcmp(w, h) == 0) {
			if (!texts || strcmp(want->item[i].text, have->item[i].text) == 0)
				continue;
			snprintf(why, n,
				 "advice[%zu].text: not the words advice %s gives for %s with "
				 "these answers",
				 i, version, h);
		} else if (h && !sheet_text(want, h)) {
			snprintf(why, n,
				 "advice[%zu]: advice %s does not give %s for these answers", i,
				 version, h);
		} else if (w && !sheet_text(have, w)) {
			snprintf(why, n,
				 "advice: %s is missing (advice %s gives it for these answers)", w,
				 version);
		} else if (w && h) {
			snprintf(why, n, "advice[%zu]: must be %s, in the order advice %s gives", i,
				 w, version);
		} else {
			snprintf(why, n, "advice: not as advice %s gives it", version);
		}
		return;
	}
}

/* The sheet `have` must be what the rules of advice `version` give for
 * answers a: ids and order for every version, and the words too for the
 * version of this release (the only one whose words it holds).  The
 * pause a sheet states was the studio's policy of its day: the sheet is
 * worked out again with the days it states.  Fills *want and returns as
 * advice_for_version(). */
static int sheet_worked_out(const struct import_checks *c, const char *version,
			    const struct answers *a, const struct advice_sheet *have,
			    struct advice_sheet *want)
{
	struct settings s = SETTINGS_DEFAULT;
	const char *pause;
	int texts;

	if (c->settings)
		s = *c->settings;
	texts = advice_for_version(version, a, &s, want);
	if (texts == 1 && !same_sheet(want, have, true) &&
	    (pause = sheet_text(have, "pause-topicals"))) {
		struct settings then = s;
		if (take_stated_days(pause, " days before)", "pause_days_before", &then) &&
		    take_stated_days(pause, " days after)", "pause_days_after", &then) &&
		    (then.pause_days_before != s.pause_days_before ||
		     then.pause_days_after != s.pause_days_after)) {
			s = then;
			advice_sheet_clear(want);
			texts = advice_for_version(version, a, &s, want);
		}
	}
	return texts;
}

/* The record's advice, as sheet_worked_out() gives it. */
static int check_advice(const struct import_checks *c, const struct intake *in, char *why, size_t n)
{
	struct advice_sheet want = {.count = 0};
	int texts, rc = 0;

	texts = sheet_worked_out(c, in->advice_version, &in->answers, &in->advice, &want);
	if (texts < 0) {
		snprintf(why, n, texts == -1 ? "out of memory" : "advice_version: not known");
		rc = -1;
	} else if (!same_sheet(&want, &in->advice, texts == 1)) {
		sheet_difference(&want, &in->advice, texts == 1, in->advice_version, why, n);
		rc = -1;
	}
	advice_sheet_clear(&want);
	return rc;
}

/* An acknowledgement of an earlier sheet than the latest: only GP
 * sign-offs came between (an edit ends the acknowledgement), and a
 * sign-off changes the GP part of the answers only (gp_discussed,
 * gp_signoff, gp_name, gp_signoff_date).  So the earlier sheet must be
 * the one the record's advice_version gives for the record's answers with
 * the GP part as it could have been: not asked, gp_discussed no or yes,
 * and gp_signoff none, pending, declined or obtained (obtained with the
 * record's GP name and date: an earlier go-ahead with other ones cannot be
 * checked, and is refused).  The words are checked for this release's
 * advice version, the ids and order for an earlier one. */
static int check_acknowledged_sheet(const struct import_checks *c, const struct intake *in,
				    char *why, size_t n)
{
	static const char *const discussed[] = {NULL, "no", "yes"};
	static const char *const signoff[] = {NULL, "pending", "declined", "obtained"};
	int qd = questionnaire_index("gp_discussed"), qs = questionnaire_index("gp_signoff");
	int qn = questionnaire_index("gp_name"), qt = questionnaire_index("gp_signoff_date");
	int texts = 0;

	if (!in->ack.sheet || in->ack.sheet == in->sheet)
		return 0;
	if (qd < 0 || qs < 0 || qn < 0 || qt < 0) {
		snprintf(why, n, "acknowledgement.advice: the GP questions are not known");
		return -1;
	}
	for (size_t d = 0; d < 3; d++) {
		for (size_t g = 0; g < 4; g++) {
			struct answers a = in->answers; /* shallow: only read */
			struct advice_sheet want = {.count = 0};
			bool obtained = signoff[g] && strcmp(signoff[g], "obtained") == 0;
			bool same;

			if (!discussed[d] && signoff[g])
				continue;
			a.value[qd] = (char *)discussed[d];
			a.value[qs] = (char *)signoff[g];
			if (!obtained)
				a.value[qn] = a.value[qt] = NULL;
			texts = sheet_worked_out(c, in->advice_version, &a, &in->ack_advice, &want);
			same = texts >= 0 && same_sheet(&want, &in->ack_advice, texts == 1);
			advice_sheet_clear(&want);
			if (texts == -1) {
				snprintf(why, n, "out of memory");
				return -1;
			}
			if (same)
				return 0;
		}
	}
	snprintf(why, n,
		 "acknowledgement.advice: not a sheet advice %s gives for these answers with any "
		 "GP sign-off before the latest",
		 in->advice_version);
	return -1;
}

/* The acknowledgement is the client's: the name typed is theirs, as
 * `acknowledge` takes it (fold_equal: case, accents and blanks aside). */
static int check_acknowledgement_name(const struct intake *in, char *why, size_t n)
{
	if (!in->ack.sheet || acknowledgement_matches(in->ack.typed_name, &in->answers))
		return 0;
	snprintf(why, n,
		 "acknowledgement.typed_name: not the client's name (client.first_name and "
		 "last_name, as acknowledge takes it)");
	return -1;
}

/* Nothing done to an intake is dated before it was taken: its
 * acknowledgement and its flag clearances (UTC times of the same clock,
 * so compared as they are). */
static int check_times_after_intake(const struct intake *in, char *why, size_t n)
{
	if (in->ack.sheet && strcmp(in->ack.at, in->taken_at) < 0) {
		snprintf(why, n, "acknowledgement.at: before the intake was taken (taken_at)");
		return -1;
	}
	for (size_t i = 0; i < in->clearances; i++) {
		if (strcmp(in->cleared[i].at, in->taken_at) < 0) {
			snprintf(why, n,
				 "flags: the clearance of %s is dated before the intake "
				 "was taken (taken_at)",
				 in->cleared[i].flag_id);
			return -1;
		}
	}
	return 0;
}

/* What the record says the program worked out or saw happen, checked
 * against the record itself; a refusal names the intake's uuid. */
static int check_claims(const struct import_checks *c, const struct intake *in, char *why, size_t n)
{
	char reason[300];

	if (check_advice(c, in, reason, sizeof reason) < 0 ||
	    check_acknowledged_sheet(c, in, reason, sizeof reason) < 0 ||
	    check_acknowledgement_name(in, reason, sizeof reason) < 0 ||
	    check_times_after_intake(in, reason, sizeof reason) < 0) {
		snprintf(why, n, "uuid %s: %s", in->uuid, reason);
		return -1;
	}
	return 0;
}

/* ---- format 3: the course ---- */

void import_course_clear(struct import_course *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->sessions; i++)
		session_clear(&c->session[i]);
	for (size_t i = 0; i < c->photos; i++)
		photo_clear(&c->photo[i].p);
	for (size_t i = 0; i < c->consents; i++)
		free(c->consent[i].staff);
	free(c->session);
	free(c->photo);
	free(c->consent);
	memset(c, 0, sizeof *c);
}

/* A string or null member into an owned copy (*out NULL for null). */
static int take_text(const cJSON *v, const char *path, bool nullable, char **out, char *why,
		     size_t n)
{
	*out = NULL;
	if (nullable && cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v)) {
		snprintf(why, n, "%s: must be %s", path, nullable ? "a string or null" : "a string");
		return -1;
	}
	if (!(*out = strdup(v->valuestring))) {
		snprintf(why, n, "out of memory");
		return -1;
	}
	return 0;
}

static const char *const session_keys[] = {
    "uuid", "number", "performed_on", "artist", "areas", "pigment_brand", "shade", "lot",
    "lot_expiry", "needle", "dilution", "notes", "patch_test", "reaction", "reaction_note",
    "reaction_at", "rescreen", "intake_revision", "id_checked", "countersigned", "client_ack",
    "aftercare_version", "override_reason", "recorded_at", "staff", NULL};

static int take_session(const cJSON *v, const char *path, const struct import_checks *c,
			const struct intake *in, struct session *s, char *why, size_t n)
{
	const cJSON *item[25], *code;
	char **text[] = {&s->performed_on, &s->artist, &s->pigment_brand, &s->shade, &s->lot,
			 &s->lot_expiry, &s->needle, &s->dilution, &s->notes, &s->reaction,
			 &s->reaction_note, &s->rescreen, &s->id_checked, &s->countersigned,
			 &s->client_ack, &s->override_reason, &s->staff};
	static const int text_key[] = {2, 3, 5, 6, 7, 8, 9, 10, 11, 13, 14, 16, 18, 19, 20, 22, 24};
	static const bool nullable[] = {false, false, true, true, true, true, true, true, true,
					true, true, false, false, false, true, true, false};
	char where[96], areas[256] = "";
	struct settings st = c->settings ? *c->settings : (struct settings)SETTINGS_DEFAULT;

	if (take_members(v, path, session_keys, item, why, n) < 0)
		return -1;
	if (!cJSON_IsString(item[0]) || !is_uuid4(item[0]->valuestring)) {
		snprintf(why, n, "%s.uuid: must be a version 4 UUID in lower case", path);
		return -1;
	}
	memcpy(s->uuid, item[0]->valuestring, sizeof s->uuid);
	if (!whole_number(item[1], &s->number)) {
		snprintf(why, n, "%s.number: must be a whole number from 1", path);
		return -1;
	}
	for (size_t k = 0; k < sizeof text / sizeof text[0]; k++) {
		snprintf(where, sizeof where, "%s.%s", path, session_keys[text_key[k]]);
		if (take_text(item[text_key[k]], where, nullable[k], text[k], why, n) < 0)
			return -1;
	}
	if (!cJSON_IsArray(item[4]) || !cJSON_GetArraySize(item[4])) {
		snprintf(why, n, "%s.areas: must be an array of area codes", path);
		return -1;
	}
	cJSON_ArrayForEach(code, item[4]) {
		if (!cJSON_IsString(code) || strchr(code->valuestring, ',') ||
		    strlen(areas) + strlen(code->valuestring) + 2 > sizeof areas) {
			snprintf(why, n, "%s.areas: must be an array of area codes", path);
			return -1;
		}
		if (areas[0])
			strcat(areas, ",");
		strcat(areas, code->valuestring);
	}
	if (!(s->areas = strdup(areas))) {
		snprintf(why, n, "out of memory");
		return -1;
	}
	if (!cJSON_IsBool(item[12])) {
		snprintf(why, n, "%s.patch_test: must be true or false", path);
		return -1;
	}
	s->patch_test = cJSON_IsTrue(item[12]);
	snprintf(where, sizeof where, "%s.reaction_at", path);
	if (!cJSON_IsNull(item[15]) && take_time(item[15], c->today, where, &s->reaction_at, why, n) < 0)
		return -1;
	if (!whole_number(item[17], &s->intake_revision) || s->intake_revision > in->sheet) {
		snprintf(why, n, "%s.intake_revision: must be a whole number from 1 to advice_sheet",
			 path);
		return -1;
	}
	if (!cJSON_IsNull(item[21]) && !whole_number(item[21], &s->aftercare_version)) {
		snprintf(why, n, "%s.aftercare_version: must be a whole number from 1 or null", path);
		return -1;
	}
	snprintf(where, sizeof where, "%s.recorded_at", path);
	if (take_time(item[23], c->today, where, &s->recorded_at, why, n) < 0)
		return -1;
	if (!staff_name(s->staff)) {
		snprintf(why, n, "%s.staff: must be 1 to 100 characters without control characters, "
			 "not only blanks", path);
		return -1;
	}
	st.minimum_age = c->minimum_age;
	if (session_check(s, &in->answers, &st, c->today, where, sizeof where) < 0) {
		snprintf(why, n, "%s: %s", path, where);
		return -1;
	}
	return 0;
}

static const char *const photo_keys[] = {"uuid", "session", "view", "media_type", "size",
					 "sha256", "added_at", "staff", NULL};

static int take_photo(const cJSON *v, const char *path, const struct import_checks *c,
		      const struct import_course *course, struct import_photo *ph, char *why,
		      size_t n)
{
	static const char *const views[] = {"front", "top", "crown", "left", "right", "back",
					    "scar", NULL};
	const cJSON *item[8];
	struct photo *p = &ph->p;
	char where[96];
	bool known = false;

	if (take_members(v, path, photo_keys, item, why, n) < 0)
		return -1;
	if (!cJSON_IsString(item[0]) || !is_uuid4(item[0]->valuestring)) {
		snprintf(why, n, "%s.uuid: must be a version 4 UUID in lower case", path);
		return -1;
	}
	memcpy(p->uuid, item[0]->valuestring, sizeof p->uuid);
	if (!cJSON_IsNull(item[1])) {
		for (size_t i = 0; cJSON_IsString(item[1]) && i < course->sessions; i++)
			known |= strcmp(course->session[i].uuid, item[1]->valuestring) == 0;
		if (!known) {
			snprintf(why, n, "%s.session: must be the uuid of one of the record's sessions, "
				 "or null", path);
			return -1;
		}
		memcpy(ph->session_uuid, item[1]->valuestring, sizeof ph->session_uuid);
	}
	for (size_t i = 0; cJSON_IsString(item[2]) && views[i] && !p->view; i++)
		if (strcmp(views[i], item[2]->valuestring) == 0)
			p->view = strdup(views[i]);
	if (!p->view) {
		snprintf(why, n, "%s.view: must be front, top, crown, left, right, back or scar", path);
		return -1;
	}
	if (!cJSON_IsString(item[3]) || (strcmp(item[3]->valuestring, "image/jpeg") != 0 &&
					 strcmp(item[3]->valuestring, "image/png") != 0)) {
		snprintf(why, n, "%s.media_type: must be image/jpeg or image/png", path);
		return -1;
	}
	if (!(p->media_type = strdup(item[3]->valuestring)) || !whole_number(item[4], &p->size)) {
		snprintf(why, n, p->media_type ? "%s.size: must be a whole number from 1"
					       : "out of memory", path);
		return -1;
	}
	if (!cJSON_IsString(item[5]) || strlen(item[5]->valuestring) != 64 ||
	    strspn(item[5]->valuestring, "0123456789abcdef") != 64) {
		snprintf(why, n, "%s.sha256: must be 64 lower-case hex digits", path);
		return -1;
	}
	memcpy(p->sha256, item[5]->valuestring, sizeof p->sha256);
	snprintf(where, sizeof where, "%s.added_at", path);
	if (take_time(item[6], c->today, where, &p->added_at, why, n) < 0)
		return -1;
	if (!cJSON_IsString(item[7]) || !staff_name(item[7]->valuestring) ||
	    !(p->staff = strdup(item[7]->valuestring))) {
		snprintf(why, n, "%s.staff: must be 1 to 100 characters without control characters, "
			 "not only blanks", path);
		return -1;
	}
	return 0;
}

static const char *const consent_keys[] = {"kind", "value", "at", "staff", "at_intake", NULL};

static int take_consent(const cJSON *v, const char *path, const struct import_checks *c,
			struct import_consent *out, char *why, size_t n)
{
	const cJSON *item[5];
	char where[96], *at = NULL;

	if (take_members(v, path, consent_keys, item, why, n) < 0)
		return -1;
	if (!cJSON_IsString(item[0]) || (strcmp(item[0]->valuestring, "photos") != 0 &&
					 strcmp(item[0]->valuestring, "marketing") != 0)) {
		snprintf(why, n, "%s.kind: must be photos or marketing", path);
		return -1;
	}
	snprintf(out->kind, sizeof out->kind, "%s", item[0]->valuestring);
	if (!cJSON_IsString(item[1]) || (strcmp(item[1]->valuestring, "yes") != 0 &&
					 strcmp(item[1]->valuestring, "no") != 0)) {
		snprintf(why, n, "%s.value: must be yes or no", path);
		return -1;
	}
	snprintf(out->value, sizeof out->value, "%s", item[1]->valuestring);
	snprintf(where, sizeof where, "%s.at", path);
	if (take_time(item[2], c->today, where, &at, why, n) < 0)
		return -1;
	snprintf(out->at, sizeof out->at, "%s", at);
	free(at);
	if (!cJSON_IsString(item[3]) || !staff_name(item[3]->valuestring) ||
	    !(out->staff = strdup(item[3]->valuestring))) {
		snprintf(why, n, "%s.staff: must be 1 to 100 characters without control characters, "
			 "not only blanks", path);
		return -1;
	}
	if (!cJSON_IsBool(item[4])) {
		snprintf(why, n, "%s.at_intake: must be true or false", path);
		return -1;
	}
	out->at_intake = cJSON_IsTrue(item[4]);
	return 0;
}

/* The record's sessions, photos and consents (all three or none, and only
 * in a record with questionnaire_version). */
static int take_course(const cJSON *const *item, const struct import_checks *c,
		       const struct intake *in, struct import_course *out, char *why, size_t n)
{
	static const char *const names[] = {"sessions", "photos", "consents"};
	size_t count[3];
	char path[48];

	if (!item[K_SESSIONS] && !item[K_PHOTOS] && !item[K_CONSENTS])
		return 0;
	for (int k = 0; k < 3; k++) {
		const cJSON *list = item[K_SESSIONS + k];
		if (!list) {
			snprintf(why, n, "%s: missing (a record with %s has it)", names[k],
				 names[k ? 0 : 1]);
			return -1;
		}
		if (!item[K_QUESTIONNAIRE_VERSION]) {
			snprintf(why, n, "questionnaire_version: missing (a record with %s has it)",
				 names[k]);
			return -1;
		}
		if (!cJSON_IsArray(list)) {
			snprintf(why, n, "%s: must be an array", names[k]);
			return -1;
		}
		count[k] = (size_t)cJSON_GetArraySize(list);
	}
	if ((count[0] && !(out->session = calloc(count[0], sizeof *out->session))) ||
	    (count[1] && !(out->photo = calloc(count[1], sizeof *out->photo))) ||
	    (count[2] && !(out->consent = calloc(count[2], sizeof *out->consent)))) {
		snprintf(why, n, "out of memory");
		return -1;
	}
	const cJSON *v;
	cJSON_ArrayForEach(v, item[K_SESSIONS]) {
		snprintf(path, sizeof path, "sessions[%zu]", out->sessions);
		struct session *s = &out->session[out->sessions++];
		if (take_session(v, path, c, in, s, why, n) < 0)
			return -1;
		for (size_t i = 0; i + 1 < out->sessions; i++)
			if (strcmp(out->session[i].uuid, s->uuid) == 0) {
				snprintf(why, n, "%s.uuid: the same as sessions[%zu]'s", path, i);
				return -1;
			}
	}
	cJSON_ArrayForEach(v, item[K_PHOTOS]) {
		snprintf(path, sizeof path, "photos[%zu]", out->photos);
		struct import_photo *p = &out->photo[out->photos++];
		if (take_photo(v, path, c, out, p, why, n) < 0)
			return -1;
		for (size_t i = 0; i + 1 < out->photos; i++)
			if (strcmp(out->photo[i].p.uuid, p->p.uuid) == 0) {
				snprintf(why, n, "%s.uuid: the same as photos[%zu]'s", path, i);
				return -1;
			}
	}
	cJSON_ArrayForEach(v, item[K_CONSENTS]) {
		snprintf(path, sizeof path, "consents[%zu]", out->consents);
		if (take_consent(v, path, c, &out->consent[out->consents++], why, n) < 0)
			return -1;
	}
	return 0;
}

static int take_record(const cJSON *root, const struct import_checks *c, struct intake *out,
		       struct import_course *course, char *why, size_t n)
{
	const cJSON *item[K_COUNT];
	const char *raw[QUESTIONS_MAX] = {NULL};
	char joined[QUESTIONS_MAX][JOINED_MAX];
	const char *staff;
	struct date taken;

	if (!cJSON_IsObject(root)) {
		snprintf(why, n, "not an intake object {...}");
		return -1;
	}
	if (take_some_members(root, "", record_keys, RECORD_KEYS_0_1, item, why, n) < 0 ||
	    take_record_keeping(item, out, why, n) < 0)
		return -1;
	if (!whole_number(item[K_ID], &out->id)) {
		snprintf(why, n, "id: must be a whole number from 1");
		return -1;
	}
	if (!cJSON_IsString(item[K_UUID]) || !is_uuid4(item[K_UUID]->valuestring)) {
		snprintf(why, n, "uuid: must be a version 4 UUID in lower case");
		return -1;
	}
	memcpy(out->uuid, item[K_UUID]->valuestring, sizeof out->uuid);
	if (!cJSON_IsString(item[K_TAKEN_AT]) || !utc_time(item[K_TAKEN_AT]->valuestring, &taken)) {
		snprintf(why, n, "taken_at: must be a UTC time YYYY-MM-DDTHH:MM:SSZ");
		return -1;
	}
	if (date_cmp(taken, date_add_days(c->today, 1)) > 0) {
		snprintf(why, n, "taken_at: in the future");
		return -1;
	}
	staff = cJSON_IsString(item[K_STAFF]) ? item[K_STAFF]->valuestring : NULL;
	if (!staff_name(staff)) {
		snprintf(why, n,
			 "staff: must be 1 to 100 characters without control characters, not only "
			 "blanks");
		return -1;
	}
	if (take_client(item[K_CLIENT], &out->client_id, raw, why, n) < 0 ||
	    take_answers(item[K_ANSWERS], raw, joined, why, n) < 0 ||
	    check_answers(c, raw, out->questionnaire_version, &out->answers, taken, why, n) < 0 ||
	    take_advice(item[K_ADVICE], &out->advice, why, n) < 0 ||
	    check_gp_signoff(item[K_GP_SIGNOFF], &out->answers, why, n) < 0 ||
	    take_derived(item, c, out, why, n) < 0)
		return -1;
	if (!(out->taken_at = strdup(item[K_TAKEN_AT]->valuestring)) ||
	    !(out->staff = strdup(staff))) {
		snprintf(why, n, "out of memory");
		return -1;
	}
	if (check_claims(c, out, why, n) < 0)
		return -1;
	return take_course(item, c, out, course, why, n);
}

int import_record_parse(const char *text, size_t len, const struct import_checks *c,
			struct intake *out, char *why, size_t whylen)
{
	struct import_course course = {0};
	int rc = import_record_parse_course(text, len, c, out, &course, why, whylen);

	import_course_clear(&course);
	return rc;
}

int import_record_parse_course(const char *text, size_t len, const struct import_checks *c,
			       struct intake *out, struct import_course *course, char *why,
			       size_t whylen)
{
	const char *end = NULL;
	cJSON *root;
	int rc;

	memset(out, 0, sizeof *out);
	if (memchr(text, '\0', len)) {
		snprintf(why, whylen, "a NUL byte, which JSON text cannot hold");
		return -1;
	}
	if (!record_is_utf8(text, len)) {
		snprintf(why, whylen, "not valid UTF-8 text");
		return -1;
	}
	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!root || end != text + len) {
		const char *at = root ? end : cJSON_GetErrorPtr();
		snprintf(why, whylen, "not valid JSON (near byte %ld of the record)",
			 at && at >= text && at <= text + len ? (long)(at - text) + 1 : 1L);
		cJSON_Delete(root);
		return -1;
	}
	if (has_nul_escape(text, len)) {
		snprintf(why, whylen, "a string holds \\u0000 (NUL), which is not allowed");
		cJSON_Delete(root);
		return -1;
	}
	memset(course, 0, sizeof *course);
	rc = take_record(root, c, out, course, why, whylen);
	cJSON_Delete(root);
	return rc;
}
