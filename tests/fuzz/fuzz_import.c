/* fuzz_import.c - the import's scanner and record checks (json_import.c):
 * the input is a whole file.  It is read three times, through buffers of
 * 1 byte, of a size that follows from the input and of 64 KiB: every read
 * must find the same records, and end the same way, wherever the buffer
 * boundaries fall.  Each record lies within its limits, starts with { and
 * ends with a closing bracket; what the checks accept has a valid uuid,
 * UTF-8 text, the answers that apply and at least one piece of advice;
 * what they refuse comes with a one-line reason. */
#include <stdbool.h>
#include <sys/types.h>

#include "fuzz.h"
#include "import.h"
#include "text.h"

struct source {
	const uint8_t *data;
	size_t size, at;
};

static ssize_t source_read(void *arg, char *buf, size_t n)
{
	struct source *s = arg;

	if (n > s->size - s->at)
		n = s->size - s->at;
	memcpy(buf, s->data + s->at, n);
	s->at += n;
	return (ssize_t)n;
}

/* A digest of the records read and of how the reading ended. */
struct outcome {
	uint64_t digest;
	long long records;
	int end;
	char why[256];
};

static uint64_t mix(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211u;
	return (h ^ n) * 1099511628211u;
}

static void check_record(const char *text, size_t len, const struct import_checks *c)
{
	struct intake in;
	char why[300] = "";

	FUZZ_ASSERT(len >= 2 && len <= IMPORT_RECORD_MAX);
	FUZZ_ASSERT(text[0] == '{' && (text[len - 1] == '}' || text[len - 1] == ']'));
	if (import_record_parse(text, len, c, &in, why, sizeof why) == 0) {
		FUZZ_ASSERT(strlen(in.uuid) == 36 && in.uuid[14] == '4');
		FUZZ_ASSERT(in.id >= 1 && in.client_id >= 1);
		FUZZ_ASSERT(in.staff && text_is_utf8(in.staff, strlen(in.staff)));
		FUZZ_ASSERT(in.taken_at && strlen(in.taken_at) == 20);
		for (size_t i = 0; i < questionnaire_count; i++) {
			const char *v = in.answers.value[i];
			FUZZ_ASSERT(!v || text_is_utf8(v, strlen(v)));
			FUZZ_ASSERT(!v || question_applies(&questionnaire[i], &in.answers));
		}
		FUZZ_ASSERT(strcmp(answers_get(&in.answers, "consent_storage"), "yes") == 0);
		FUZZ_ASSERT(in.advice.count >= 1 && in.advice.count <= ADVICE_MAX);
		for (size_t i = 0; i < in.advice.count; i++)
			FUZZ_ASSERT(in.advice.item[i].text[0] != '\0');
	} else {
		FUZZ_ASSERT(why[0] != '\0' && !strchr(why, '\n'));
	}
	intake_clear(&in);
}

static void read_all(const uint8_t *data, size_t size, size_t bufsize,
		     const struct import_checks *c, struct outcome *out)
{
	struct source src = {data, size, 0};
	struct import_reader *r = import_reader_new(source_read, &src, bufsize);
	const char *text;
	size_t len;

	FUZZ_ASSERT(r != NULL);
	memset(out, 0, sizeof *out);
	while ((out->end = import_reader_next(r, &text, &len, out->why, sizeof out->why)) == 1) {
		out->records++;
		FUZZ_ASSERT(import_reader_count(r) == out->records);
		out->digest = mix(out->digest, text, len);
		if (c)
			check_record(text, len, c);
	}
	FUZZ_ASSERT(out->end == 0 || out->end == -1);
	if (out->end < 0)
		FUZZ_ASSERT(out->why[0] != '\0' && !strchr(out->why, '\n'));
	else
		out->why[0] = '\0';
	import_reader_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct import_checks c;
	struct outcome a, b, d;

	/* A fixed day, so that a date in an input means the same every day. */
	import_checks_init(&c, 18, (struct date){2026, 11, 29});
	read_all(data, size, 65536, &c, &a);
	read_all(data, size, 1, NULL, &b);
	read_all(data, size, 2 + size % 61, NULL, &d);
	FUZZ_ASSERT(a.records == b.records && a.digest == b.digest && a.end == b.end &&
		    strcmp(a.why, b.why) == 0);
	FUZZ_ASSERT(a.records == d.records && a.digest == d.digest && a.end == d.end &&
		    strcmp(a.why, d.why) == 0);
	return 0;
}
