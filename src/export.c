/* export.c - the export formats: a JSON array, NDJSON, CSV and a FHIR R4
 * Bundle, written one intake at a time as the database hands them over,
 * so memory stays flat whatever the number of intakes. */
#define _GNU_SOURCE /* fopencookie() */
#include "export.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fhir.h"
#include "idset.h"
#include "json.h"
#include "report.h"
#include "text.h"

int export_format_parse(const char *name, enum export_format *out)
{
	static const char *const names[] = { "json", "ndjson", "csv", "fhir" };

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(name, names[i]) == 0) {
			*out = (enum export_format)i;
			return 0;
		}
	}
	return -1;
}

struct export_state {
	struct db *db;
	const struct export_query *eq;
	enum export_format fmt;
	FILE *f;
	bool terminal; /* f is a terminal: stored text is made safe for it */
	struct json_writer *json;
	long long count;
	bool out_of_memory;
	/* The progress line: shown once a second has gone, then redrawn at
	 * most five times a second. */
	bool progress, shown;
	long long total; /* -1 until counted, when first shown */
	struct timespec start, last;
	struct idset *clients; /* the clients of the intakes written, or NULL */
	/* Format 3's sessions, photo metadata and consents of each intake. */
	struct db_course_reader *course;
	struct json_course *course_json;
};

/* ---- the course of an intake (format 3) ---- */

static int course_session(const struct session *s, void *arg)
{
	return json_course_session(arg, s) < 0 ? 1 : 0;
}

static int course_photo(const struct photo *p, const char *session_uuid, void *arg)
{
	return json_course_photo(arg, p, session_uuid) < 0 ? 1 : 0;
}

static int course_consent(const struct consent_row *c, void *arg)
{
	return json_course_consent(arg, c) < 0 ? 1 : 0;
}

int export_course_json(struct db_course_reader *r, long long intake_id, struct json_course *c)
{
	struct db_course_visit v = { course_session, course_photo, course_consent, c };

	return db_course_of_intake(r, intake_id, &v);
}

/* The intake object text[0..len) (ending in its "}") with the intake's
 * course added as its last keys. */
static int write_with_course(struct export_state *st, const struct intake *in, const char *text,
			     size_t len)
{
	const char *course;
	size_t n;
	int rc;

	if ((rc = export_course_json(st->course, in->id, st->course_json)) != 0) {
		st->out_of_memory = rc > 0; /* else reported */
		return -2;
	}
	if (!(course = json_course_text(st->course_json, &n))) {
		st->out_of_memory = true;
		return -2;
	}
	if (text_json_write(st->f, text, len - 1) != 0 || fputc(',', st->f) == EOF ||
	    text_json_write(st->f, course, n) != 0 || fputc('}', st->f) == EOF)
		return -1;
	return 0;
}

/* ---- CSV ---- */

/* The CSV writers check ferror() once a row: stdio keeps a stream's
 * error once set, and errno says why. */

static void csv_header(FILE *f)
{
	fputs("intake_id,uuid,taken_at,staff,client_id,first_name,last_name,date_of_birth,"
	      "phone,email", f);
	for (size_t i = 0; i < questionnaire_count; i++)
		if (!questionnaire[i].client_field)
			fprintf(f, ",%s", questionnaire[i].id);
	fputs(",gp_signoff_status,advice_ids,questionnaire_version,advice_version,flags_open,"
	      "flags_cleared,acknowledged_by,acknowledged_at\r\n", f);
}

/* A value a spreadsheet would read as a formula only because of its first
 * character, yet holding nothing a formula could do harm with: digits,
 * blanks and + - ( ) . only, starting with + or - (a phone number as the
 * questions accept it, "+44 7700 900123"). */
static bool phone_shaped(const char *text)
{
	bool digit = false;

	if (text[0] != '+' && text[0] != '-')
		return false;
	for (const char *p = text; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digit = true;
		else if (!strchr(" +-().", *p))
			return false;
	}
	return digit;
}

/* One cell: with excel, a phone-shaped value gets a leading space instead
 * of the apostrophe (docs/export.md says what each spreadsheet shows). */
static int write_cell(FILE *f, const char *text, bool excel)
{
	bool formula;

	if (!text || !*text)
		return 0;
	formula = strchr("=+-@\t\r", text[0]) != NULL;
	if (formula && excel && phone_shaped(text)) {
		fputc(' ', f);
		formula = false;
	}
	if (!strpbrk(text, ",\"\r\n")) {
		if (formula)
			fputc('\'', f);
		fputs(text, f);
	} else {
		/* The apostrophe goes inside the quotes: it is part of the cell. */
		fputs(formula ? "\"'" : "\"", f);
		for (const char *p = text; *p; p++) {
			if (*p == '"')
				fputc('"', f);
			fputc(*p, f);
		}
		fputc('"', f);
	}
	return ferror(f) ? EOF : 0;
}

int export_csv_cell(FILE *f, const char *text)
{
	return write_cell(f, text, false);
}

/* A cell, never with a control character or an invalid byte, which a
 * file read later on a terminal would act on: on a terminal, its text as
 * text_safe() shows it (controls as visible escapes, line breaks kept);
 * elsewhere, as text_without_controls() keeps it (tabs and bidirectional
 * controls too, so clean text is written as stored).  Returns -1 when out
 * of memory. */
static int csv_cell(FILE *f, const char *text, bool terminal, bool excel)
{
	char *safe;

	if (!text) {
		write_cell(f, text, excel);
		return 0;
	}
	if (!(safe = terminal ? text_safe(text, true) : text_without_controls(text)))
		return -1;
	write_cell(f, safe, excel);
	free(safe);
	return 0;
}

/* The ids of the flags in's answers raise, open ones (open) or cleared
 * ones, in flag_rules[] order, separated by ";", into buf (room for
 * every flag id). */
static const char *flag_list(const struct intake *in, bool open, char *buf, size_t n)
{
	const struct flag_rule *up[FLAGS_MAX];
	size_t count = flags_open(&in->answers, in->cleared, in->clearances, up), used = 0;

	buf[0] = '\0';
	for (size_t r = 0; r < flag_rule_count; r++) {
		bool is_open = false;
		if (!flag_raised(&flag_rules[r], &in->answers))
			continue;
		for (size_t k = 0; k < count; k++)
			is_open |= up[k] == &flag_rules[r];
		if (is_open == open)
			used += (size_t)snprintf(buf + used, n - used, "%s%s", used ? ";" : "",
						 flag_rules[r].id);
	}
	return buf;
}

/* Writes one row; returns -1 when out of memory (a write error shows in
 * ferror(f)). */
static int csv_row(FILE *f, const struct intake *in, bool terminal, bool excel)
{
	const struct answers *a = &in->answers;
	char flags[FLAGS_MAX * 32];
	int rc = 0;

	fprintf(f, "%lld,", in->id);
	rc |= csv_cell(f, in->uuid, terminal, excel);
	fputc(',', f);
	rc |= csv_cell(f, in->taken_at, terminal, excel);
	fputc(',', f);
	rc |= csv_cell(f, in->staff, terminal, excel);
	fprintf(f, ",%lld", in->client_id);
	for (size_t k = 0; k < CLIENT_FIELDS; k++) {
		fputc(',', f);
		rc |= csv_cell(f, a->value[client_field_question(k) - questionnaire], terminal, excel);
	}
	for (size_t i = 0; i < questionnaire_count; i++) {
		if (!questionnaire[i].client_field) {
			fputc(',', f);
			rc |= csv_cell(f, a->value[i], terminal, excel);
		}
	}
	fprintf(f, ",%s,", answers_signoff_status(a));
	for (size_t i = 0; i < in->advice.count; i++) {
		if (i)
			fputc(' ', f);
		rc |= csv_cell(f, in->advice.item[i].id, terminal, excel);
	}
	fputc(',', f);
	rc |= csv_cell(f, in->questionnaire_version, terminal, excel);
	fputc(',', f);
	rc |= csv_cell(f, in->advice_version, terminal, excel);
	fputc(',', f);
	rc |= csv_cell(f, flag_list(in, true, flags, sizeof flags), terminal, excel);
	fputc(',', f);
	rc |= csv_cell(f, flag_list(in, false, flags, sizeof flags), terminal, excel);
	fputc(',', f);
	rc |= csv_cell(f, in->ack.sheet ? in->ack.typed_name : NULL, terminal, excel);
	fputc(',', f);
	rc |= csv_cell(f, in->ack.sheet ? in->ack.at : NULL, terminal, excel);
	fputs("\r\n", f);
	return rc;
}

/* ---- the sessions CSV (--sessions) ---- */

static void csv_sessions_header(FILE *f)
{
	fputs("intake_id,intake_uuid,client_id,session_uuid,number,performed_on,artist,areas,"
	      "pigment_brand,shade,lot,lot_expiry,needle,dilution,notes,patch_test,reaction,"
	      "reaction_note,reaction_at,rescreen,intake_revision,id_checked,countersigned,"
	      "client_ack,aftercare_version,override_reason,recorded_at,staff\r\n", f);
}

struct session_row {
	FILE *f;
	const struct intake *in;
	bool terminal, excel;
};

/* One session row; 1 when out of memory (a write error shows in
 * ferror()). */
static int csv_session_row(const struct session *s, void *arg)
{
	struct session_row *r = arg;
	const char *text1[] = { s->performed_on, s->artist, s->areas, s->pigment_brand, s->shade,
				s->lot, s->lot_expiry, s->needle, s->dilution, s->notes };
	const char *text2[] = { s->reaction, s->reaction_note, s->reaction_at, s->rescreen };
	const char *text3[] = { s->id_checked, s->countersigned, s->client_ack };
	const char *text4[] = { s->override_reason, s->recorded_at, s->staff };
	int rc = 0;

	fprintf(r->f, "%lld,%s,%lld,%s,%lld", r->in->id, r->in->uuid, r->in->client_id, s->uuid,
		s->number);
	for (size_t i = 0; i < sizeof text1 / sizeof text1[0]; i++) {
		fputc(',', r->f);
		/* The area codes separated by spaces, as advice_ids. */
		if (text1[i] == s->areas && s->areas) {
			for (const char *p = s->areas; *p; p++)
				fputc(*p == ',' ? ' ' : *p, r->f);
			continue;
		}
		rc |= csv_cell(r->f, text1[i], r->terminal, r->excel);
	}
	fprintf(r->f, ",%s", s->patch_test ? "yes" : "no");
	for (size_t i = 0; i < sizeof text2 / sizeof text2[0]; i++) {
		fputc(',', r->f);
		rc |= csv_cell(r->f, text2[i], r->terminal, r->excel);
	}
	fprintf(r->f, ",%lld", s->intake_revision);
	for (size_t i = 0; i < sizeof text3 / sizeof text3[0]; i++) {
		fputc(',', r->f);
		rc |= csv_cell(r->f, text3[i], r->terminal, r->excel);
	}
	fputc(',', r->f);
	if (s->aftercare_version)
		fprintf(r->f, "%lld", s->aftercare_version);
	for (size_t i = 0; i < sizeof text4 / sizeof text4[0]; i++) {
		fputc(',', r->f);
		rc |= csv_cell(r->f, text4[i], r->terminal, r->excel);
	}
	fputs("\r\n", r->f);
	return rc < 0 ? 1 : 0;
}

/* ---- the photos and consents CSV (--sessions) ---- */

static void csv_photos_header(FILE *f)
{
	fputs("intake_id,intake_uuid,client_id,photo_uuid,session_uuid,view,media_type,size,"
	      "sha256,added_at,staff\r\n", f);
}

/* One photo's metadata; 1 when out of memory (a write error shows in
 * ferror()). */
static int csv_photo_row(const struct photo *p, const char *session_uuid, void *arg)
{
	struct session_row *r = arg;
	int rc = 0;

	fprintf(r->f, "%lld,%s,%lld,", r->in->id, r->in->uuid, r->in->client_id);
	rc |= csv_cell(r->f, p->uuid, r->terminal, r->excel);
	fputc(',', r->f);
	rc |= csv_cell(r->f, session_uuid, r->terminal, r->excel);
	fputc(',', r->f);
	rc |= csv_cell(r->f, p->view, r->terminal, r->excel);
	fputc(',', r->f);
	rc |= csv_cell(r->f, p->media_type, r->terminal, r->excel);
	fprintf(r->f, ",%lld,", p->size);
	rc |= csv_cell(r->f, p->sha256, r->terminal, r->excel);
	fputc(',', r->f);
	rc |= csv_cell(r->f, p->added_at, r->terminal, r->excel);
	fputc(',', r->f);
	rc |= csv_cell(r->f, p->staff, r->terminal, r->excel);
	fputs("\r\n", r->f);
	return rc < 0 ? 1 : 0;
}

static void csv_consents_header(FILE *f)
{
	fputs("intake_id,intake_uuid,client_id,kind,value,at,staff,at_intake\r\n", f);
}

/* One consent row; 1 when out of memory (a write error shows in
 * ferror()). */
static int csv_consent_row(const struct consent_row *c, void *arg)
{
	struct session_row *r = arg;
	int rc = 0;

	fprintf(r->f, "%lld,%s,%lld,", r->in->id, r->in->uuid, r->in->client_id);
	rc |= csv_cell(r->f, c->kind, r->terminal, r->excel);
	fputc(',', r->f);
	rc |= csv_cell(r->f, c->value, r->terminal, r->excel);
	fputc(',', r->f);
	rc |= csv_cell(r->f, c->at, r->terminal, r->excel);
	fputc(',', r->f);
	rc |= csv_cell(r->f, c->staff, r->terminal, r->excel);
	fprintf(r->f, ",%s\r\n", c->at_intake ? "yes" : "no");
	return rc < 0 ? 1 : 0;
}

/* ---- the course in FHIR ---- */

/* The intake being written, and the place of its next consent row. */
struct fhir_course {
	FILE *f;
	const struct intake *in;
	size_t consents;
};

/* 1 when out of memory, 2 on a write error (errno). */
static int fhir_failed(void)
{
	return errno == ENOMEM ? 1 : 2;
}

static int fhir_session(const struct session *s, void *arg)
{
	struct fhir_course *fc = arg;

	return fhir_bundle_procedure(fc->f, fc->in, s) < 0 ? fhir_failed() : 0;
}

static int fhir_photo(const struct photo *p, const char *session_uuid, void *arg)
{
	struct fhir_course *fc = arg;

	return fhir_bundle_media(fc->f, fc->in, p, session_uuid) < 0 ? fhir_failed() : 0;
}

static int fhir_consent(const struct consent_row *c, void *arg)
{
	struct fhir_course *fc = arg;

	return fhir_bundle_consent(fc->f, fc->in, c, ++fc->consents) < 0 ? fhir_failed() : 0;
}

static int no_session(const struct session *s, void *arg)
{
	(void)s, (void)arg;
	return 0;
}

static int no_photo(const struct photo *p, const char *session_uuid, void *arg)
{
	(void)p, (void)session_uuid, (void)arg;
	return 0;
}

static int no_consent(const struct consent_row *c, void *arg)
{
	(void)c, (void)arg;
	return 0;
}

/* ---- JSON to a terminal ---- */

/* The stream the JSON formats write into when the export goes to a
 * terminal: text_json_terminal() escapes what could act on the terminal,
 * holding back a UTF-8 sequence cut between two writes. */
struct terminal_out {
	FILE *to;
	char held[4];
	size_t nheld;
};

static ssize_t terminal_write(void *cookie, const char *buf, size_t n)
{
	struct terminal_out *t = cookie;
	size_t off = 0, used;

	if (t->nheld) {
		/* The held bytes and the first few of buf, which complete (or
		 * break) their sequence. */
		char joined[8];
		size_t take = n < 4 ? n : 4, total = t->nheld + take;
		memcpy(joined, t->held, t->nheld);
		memcpy(joined + t->nheld, buf, take);
		used = text_json_terminal(t->to, joined, total, false);
		if (used < t->nheld) {
			/* Still cut short.  A held-back tail is at most 3 bytes,
			 * so this happens only when all of buf is in joined. */
			t->nheld = total - used;
			memmove(t->held, joined + used, t->nheld);
			return ferror(t->to) ? -1 : (ssize_t)n;
		}
		off = used - t->nheld;
		t->nheld = 0;
	}
	used = text_json_terminal(t->to, buf + off, n - off, false);
	t->nheld = n - off - used;
	memcpy(t->held, buf + off + used, t->nheld);
	return ferror(t->to) ? -1 : (ssize_t)n;
}

static int terminal_close(void *cookie)
{
	struct terminal_out *t = cookie;
	int rc;

	text_json_terminal(t->to, t->held, t->nheld, true);
	rc = ferror(t->to) ? -1 : 0;
	free(t);
	return rc;
}

/* A stream that writes to f made safe for a terminal, or NULL (errno). */
static FILE *terminal_open(FILE *f)
{
	static const cookie_io_functions_t io = { NULL, terminal_write, NULL, terminal_close };
	struct terminal_out *t = calloc(1, sizeof *t);
	FILE *out;

	if (!t)
		return NULL;
	t->to = f;
	if (!(out = fopencookie(t, "w", io)))
		free(t);
	return out;
}

/* ---- the walk ---- */

static double since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void show_progress(struct export_state *st, bool done)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!done && (since(&st->start, &now) < 1.0 || (st->shown && since(&st->last, &now) < 0.2)))
		return;
	if (done && !st->shown)
		return;
	if (!st->shown && !st->eq->pending_signoff)
		st->total = db_count_intakes(st->db, &st->eq->q);
	st->shown = true;
	st->last = now;
	if (st->total > 0)
		fprintf(stderr, "\rexporting: %lld of %lld intakes (%lld%%)", st->count, st->total,
			st->count * 100 / st->total);
	else
		fprintf(stderr, "\rexporting: %lld intakes", st->count);
	if (done)
		fputc('\n', stderr);
	fflush(stderr);
}

static int write_one(const struct intake *in, void *arg)
{
	struct export_state *st = arg;
	const char *text;
	size_t len;
	int rc = 0;

	if (st->eq->logged && !idset_has(st->eq->logged, in->client_id))
		return 0;
	if (st->eq->pending_signoff && strcmp(answers_signoff_status(&in->answers), "pending") != 0)
		return 0;
	/* Before the intake is written: one cut short by a write error has
	 * still gone out in part.  Consecutive intakes of one client, or of
	 * clients numbered in turn, cost a comparison (idset.h). */
	if (st->clients && idset_add(st->clients, in->client_id) < 0) {
		st->out_of_memory = true;
		return -1;
	}
	switch (st->fmt) {
	case EXPORT_JSON:
	case EXPORT_NDJSON:
		if (!(text = json_writer_intake(st->json, in, &len))) {
			st->out_of_memory = true;
			return -1;
		}
		if (st->fmt == EXPORT_JSON)
			rc = fputs(st->count ? ",\n" : "\n", st->f) == EOF;
		/* A stored invalid byte becomes \ufffd: the file stays UTF-8. */
		if (!rc) {
			int w = write_with_course(st, in, text, len);
			if (w == -2)
				return -1;
			rc = w != 0;
		}
		if (st->fmt == EXPORT_NDJSON)
			rc |= fputc('\n', st->f) == EOF;
		break;
	case EXPORT_CSV:
		if (csv_row(st->f, in, st->terminal, st->eq->excel) < 0) {
			st->out_of_memory = true;
			return -1;
		}
		rc = ferror(st->f);
		break;
	case EXPORT_FHIR:
		if (fhir_bundle_entry(st->f, in, st->count == 0) < 0) {
			st->out_of_memory = errno == ENOMEM;
			rc = 1;
		} else {
			/* The intake's course after it: its sessions as
			 * Procedures, photos as Media, consent rows as Consents. */
			struct fhir_course fc = { st->f, in, 0 };
			struct db_course_visit v = { fhir_session, fhir_photo, fhir_consent, &fc };
			int w = db_course_of_intake(st->course, in->id, &v);
			if (w == -1)
				return -1;
			st->out_of_memory = w == 1;
			rc = w != 0;
		}
		break;
	case EXPORT_CSV_SESSIONS:
	case EXPORT_CSV_PHOTOS:
	case EXPORT_CSV_CONSENTS: {
		/* One of the three, the others' rows passed over. */
		struct session_row row = { st->f, in, st->terminal, st->eq->excel };
		struct db_course_visit v = {
			st->fmt == EXPORT_CSV_SESSIONS ? csv_session_row : no_session,
			st->fmt == EXPORT_CSV_PHOTOS ? csv_photo_row : no_photo,
			st->fmt == EXPORT_CSV_CONSENTS ? csv_consent_row : no_consent, &row
		};
		int w = db_course_of_intake(st->course, in->id, &v);
		if (w != 0) {
			st->out_of_memory = w > 0;
			return -1;
		}
		rc = ferror(st->f);
		break;
	}
	}
	if (rc) {
		if (!st->out_of_memory)
			report("cannot write the export: %s", strerror(errno));
		return -1;
	}
	st->count++;
	if (st->progress && (st->count & 255) == 0)
		show_progress(st, false);
	return 0;
}

static int write_head(struct export_state *st, const char *exported_at)
{
	switch (st->fmt) {
	case EXPORT_JSON: return fputs("[", st->f) == EOF ? -1 : 0;
	case EXPORT_NDJSON: return 0;
	case EXPORT_CSV:
		/* The byte order mark tells Excel the file is UTF-8. */
		if (st->eq->excel)
			fputs("\xef\xbb\xbf", st->f);
		csv_header(st->f);
		return ferror(st->f) ? -1 : 0;
	case EXPORT_FHIR: return fhir_bundle_begin(st->f, exported_at);
	case EXPORT_CSV_SESSIONS:
	case EXPORT_CSV_PHOTOS:
	case EXPORT_CSV_CONSENTS:
		if (st->eq->excel)
			fputs("\xef\xbb\xbf", st->f);
		if (st->fmt == EXPORT_CSV_SESSIONS)
			csv_sessions_header(st->f);
		else if (st->fmt == EXPORT_CSV_PHOTOS)
			csv_photos_header(st->f);
		else
			csv_consents_header(st->f);
		return ferror(st->f) ? -1 : 0;
	}
	return -1;
}

static int write_tail(struct export_state *st)
{
	switch (st->fmt) {
	case EXPORT_JSON: return fputs(st->count ? "\n]\n" : "]\n", st->f) == EOF ? -1 : 0;
	case EXPORT_NDJSON:
	case EXPORT_CSV:
	case EXPORT_CSV_SESSIONS:
	case EXPORT_CSV_PHOTOS:
	case EXPORT_CSV_CONSENTS: return 0;
	case EXPORT_FHIR: return fhir_bundle_end(st->f, st->count > 0);
	}
	return -1;
}

/* The call list's filter is the pending sign-off of each client's latest
 * intake, judged on its answers as write_one() judges it. */
static int add_pending(const struct intake *in, void *arg)
{
	if (strcmp(answers_signoff_status(&in->answers), "pending") != 0)
		return 0;
	if (idset_add(arg, in->client_id) < 0) {
		report("out of memory");
		return -1;
	}
	return 0;
}

int export_clients(struct db *db, const struct export_query *eq, struct idset *clients)
{
	struct intake_query q = eq->q;

	if (!eq->pending_signoff)
		return db_clients_where(db, &q, clients);
	/* One intake a client: the walk is as long as the list of clients. */
	q.latest_only = true;
	return db_each_intake_where(db, &q, add_pending, clients) == 0 ? 0 : -1;
}

long long export_write(struct db *db, const struct export_query *eq, enum export_format fmt,
		       FILE *f, bool terminal, bool progress, const char *exported_at,
		       struct idset *clients)
{
	struct export_state st = { db, eq, fmt, f, terminal, NULL, 0, false, progress, false, -1,
				   { 0, 0 }, { 0, 0 }, clients, NULL, NULL };
	struct intake_query q = eq->q;
	long long result = -1;

	/* The call list is per client: a later intake settles earlier ones. */
	q.latest_only = q.latest_only || eq->pending_signoff;
	clock_gettime(CLOCK_MONOTONIC, &st.start);
	if ((fmt == EXPORT_JSON || fmt == EXPORT_NDJSON) &&
	    (!(st.json = json_writer_new()) || !(st.course_json = json_course_new()))) {
		report("out of memory");
		goto out;
	}
	/* The intakes come oldest first: the course is read as streams
	 * beside them, except for one client's (a few intakes far apart). */
	if (fmt != EXPORT_CSV && !(st.course = q.client ? db_course_reader_new(db)
						      : db_course_reader_stream(db)))
		goto out;
	/* The JSON formats go to a terminal through a filter; CSV cells are
	 * made safe one by one. */
	if (terminal && (fmt == EXPORT_JSON || fmt == EXPORT_NDJSON || fmt == EXPORT_FHIR) &&
	    !(st.f = terminal_open(f))) {
		report("out of memory");
		goto out;
	}
	if (write_head(&st, exported_at) < 0) {
		if (errno == ENOMEM)
			report("out of memory");
		else
			report("cannot write the export: %s", strerror(errno));
		goto out;
	}
	if (db_each_intake_where(db, &q, write_one, &st) != 0) {
		if (st.out_of_memory)
			report("out of memory while exporting");
		goto out;
	}
	if (write_tail(&st) < 0) {
		if (errno == ENOMEM)
			report("out of memory");
		else
			report("cannot write the export: %s", strerror(errno));
		goto out;
	}
	result = st.count;
out:
	if (st.f != f && st.f && fclose(st.f) != 0 && result >= 0) {
		report("cannot write the export: %s", strerror(errno));
		result = -1;
	}
	if (progress)
		show_progress(&st, true);
	json_writer_free(st.json);
	json_course_free(st.course_json);
	db_course_reader_free(st.course);
	return result;
}
