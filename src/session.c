/* session.c - the answers a session is made of (their ids, kinds and
 * prompts, as a table), reading one answer into its stored form, and
 * session_check(): what every session must pass, however it arrives. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flags.h"
#include "fold.h"
#include "session.h"
#include "text.h"

const struct session_field session_fields[] = {
	{ "performed_on", "Date of the session [today]: ", "Date", SK_DATE, true, 0,
	  "The day the session is done: YYYY-MM-DD, today, or the studio's date form. "
	  "Not in the future." },
	{ "session_number", "Session number in the course: ", "Session", SK_NUMBER, true, 0,
	  "1 for the first session of the course, 2 for the next... (the default is one "
	  "more than the intake's last session)." },
	{ "artist", "Artist (your name as you sign): ", "Artist", SK_TEXT, true,
	  SESSION_LINE_MAX, "The artist who does the session, as they sign (not the login)." },
	{ "areas", "Areas treated (frontal, hairline, mid-scalp, crown, sides, back, scar): ",
	  "Areas", SK_AREAS, true, 0,
	  "One or more of frontal, hairline, mid-scalp, crown, sides, back, scar, "
	  "separated by commas." },
	{ "pigment_brand", "Pigment brand (Enter: none): ", "Pigment", SK_TEXT, false,
	  SESSION_LINE_MAX, "The pigment's brand, as on the bottle." },
	{ "shade", "Shade (Enter: none): ", "Shade", SK_TEXT, false, SESSION_LINE_MAX,
	  "The pigment's shade or colour name." },
	{ "lot", "Batch/lot (Enter: none): ", "Lot", SK_TEXT, false, SESSION_LINE_MAX,
	  "The batch or lot as printed on the bottle: a recall finds the clients by it." },
	{ "lot_expiry", "Lot expiry date (YYYY-MM-DD or YYYY-MM; Enter: none): ", "Lot expiry",
	  SK_EXPIRY, false, 0,
	  "The expiry printed on the bottle; a month means its last day. An expired lot is "
	  "refused." },
	{ "needle", "Needle (Enter: none): ", "Needle", SK_TEXT, false, SESSION_LINE_MAX,
	  "The needle used (configuration, size)." },
	{ "dilution", "Dilution (Enter: none): ", "Dilution", SK_TEXT, false, SESSION_LINE_MAX,
	  "The pigment's dilution, as the studio writes it." },
	{ "notes", "Notes (Enter: none): ", "Notes", SK_NOTES, false, SESSION_NOTES_MAX,
	  "Anything else about the session." },
	{ "patch_test", "Was this a patch test? [no]: ", "Patch test", SK_YESNO, false, 0,
	  "yes when only a small test area was done: its result is recorded later with "
	  "`smp-intake session result`." },
	{ "id_checked", "ID seen to check the client's age (passport, driving licence, national "
			"ID, other): ",
	  "ID seen", SK_ID_KIND, true, 0,
	  "The kind of ID you saw to check the client's age. Never type its number." },
	{ "countersigned", "Countersignature (type your name again): ", "Countersigned",
	  SK_TEXT, true, SESSION_LINE_MAX,
	  "The artist confirms the age check and the session by typing their name again." },
};
const size_t session_field_count = sizeof session_fields / sizeof session_fields[0];

const char *const session_areas[] = { "frontal", "hairline", "mid_scalp", "crown",
				      "sides",	 "back",     "scar",	  NULL };

const char *const session_id_kinds[] = { "passport", "driving_licence", "national_id", "other",
					 NULL };

const char *const session_rescreen_questions[] = {
	"uses_rogaine",		   "rogaine_form",	      "rogaine_since",
	"uses_propecia",	   "propecia_form",	      "uses_other_topical",
	"other_topical_products",  "uses_other_medical",      "other_medical_products",
	"scalp_conditions",	   "scalp_conditions_detail", "blood_thinners",
	"blood_thinners_detail",   "allergies",		      "allergies_detail",
	"pregnant_or_breastfeeding", "other_medication",      NULL
};

const char *const session_rescreen_treatments[] = {
	"uses_rogaine",	      "rogaine_form",		"uses_propecia",
	"propecia_form",      "uses_other_topical",	"other_topical_products",
	"uses_other_medical", "other_medical_products", NULL
};

const struct session_field *session_field_find(const char *id)
{
	for (size_t i = 0; i < session_field_count; i++)
		if (strcmp(session_fields[i].id, id) == 0)
			return &session_fields[i];
	return NULL;
}

bool session_rescreen_asks(const char *id)
{
	for (size_t i = 0; session_rescreen_questions[i]; i++)
		if (strcmp(session_rescreen_questions[i], id) == 0)
			return true;
	return false;
}

/* The index of word in list (NULL-ended), or -1.  Typed: case, spaces and
 * hyphens as people write them ("Mid-scalp", "driving licence"). */
static int code_index(const char *const *list, const char *word, size_t len, bool typed)
{
	char buf[40];
	size_t k = 0;

	if (len >= sizeof buf)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)word[i];
		if (typed && (c == ' ' || c == '-'))
			c = '_';
		else if (typed)
			c = (unsigned char)tolower(c);
		buf[k++] = (char)c;
	}
	buf[k] = '\0';
	for (int i = 0; list[i]; i++)
		if (strcmp(list[i], buf) == 0)
			return i;
	return -1;
}

/* Area codes separated by commas into their stored form (allocated), or
 * NULL with why. */
static char *read_areas(const char *input, bool typed, char *why, size_t n)
{
	bool picked[16] = { false };
	const char *p = input;
	size_t count = 0, len = 0;
	char *out;

	while (*p) {
		const char *end = strchr(p, ',');
		size_t wlen = end ? (size_t)(end - p) : strlen(p);
		int i;

		while (typed && wlen && (*p == ' ' || *p == '\t')) {
			p++;
			wlen--;
		}
		while (typed && wlen && (p[wlen - 1] == ' ' || p[wlen - 1] == '\t'))
			wlen--;
		if ((i = code_index(session_areas, p, wlen, typed)) < 0) {
			snprintf(why, n,
				 "areas: not an area (frontal, hairline, mid_scalp, crown, sides, back, "
				 "scar, separated by commas)");
			return NULL;
		}
		if (picked[i]) {
			snprintf(why, n, "areas: an area is given twice");
			return NULL;
		}
		picked[i] = true;
		count++;
		if (!end)
			break;
		p = end + 1;
	}
	if (!count) {
		snprintf(why, n, "areas: at least one area is needed");
		return NULL;
	}
	for (size_t i = 0; session_areas[i]; i++)
		if (picked[i])
			len += strlen(session_areas[i]) + 1;
	if (!(out = malloc(len + 1))) {
		snprintf(why, n, "out of memory");
		return NULL;
	}
	out[0] = '\0';
	for (size_t i = 0; session_areas[i]; i++) {
		if (!picked[i])
			continue;
		if (out[0])
			strcat(out, ",");
		strcat(out, session_areas[i]);
	}
	return out;
}

/* A date (month_ok: or a month) into YYYY-MM-DD (YYYY-MM); *out allocated. */
static int read_date(const struct session_field *f, const char *s, bool typed,
		     enum date_form form, struct date today, char **out, char *why, size_t n)
{
	struct date d;
	enum date_kind kind = DATE_KIND_DAY;
	bool month_ok = f->kind == SK_EXPIRY;
	char buf[11];
	int e;

	if (typed) {
		e = date_read(s, form, month_ok, today, &d, &kind);
	} else if (month_ok && strlen(s) == 7) {
		char full[11];
		snprintf(full, sizeof full, "%s-01", s);
		e = date_parse(full, &d);
		kind = DATE_KIND_MONTH;
	} else {
		e = date_parse(s, &d);
	}
	if (e != DATE_OK) {
		snprintf(why, n, "%s: not a real date (%s)", f->id,
			 month_ok ? "YYYY-MM-DD or YYYY-MM" : "YYYY-MM-DD");
		return -1;
	}
	date_format(d, buf);
	if (kind == DATE_KIND_MONTH)
		buf[7] = '\0';
	if (!(*out = strdup(buf))) {
		snprintf(why, n, "out of memory");
		return -1;
	}
	return 0;
}

/* One line or notes: length and control characters. */
static int check_text(const struct session_field *f, const char *s, char *why, size_t n)
{
	if (!text_is_utf8(s, strlen(s))) {
		snprintf(why, n, "%s: not valid UTF-8 text", f->id);
		return -1;
	}
	if (text_has_control(s, f->kind == SK_NOTES)) {
		snprintf(why, n, "%s: control characters (such as escape sequences) are not allowed",
			 f->id);
		return -1;
	}
	if (text_codepoints(s) > f->max_len) {
		snprintf(why, n, "%s: too long: at most %zu characters", f->id, f->max_len);
		return -1;
	}
	return 0;
}

int session_read_answer(const struct session_field *f, const char *input, bool typed,
			enum date_form form, struct date today, char **value, char *why,
			size_t n)
{
	char *s;
	int rc = -1;

	*value = NULL;
	if (strlen(input) > 4 * SESSION_NOTES_MAX + 4 || !text_is_utf8(input, strlen(input))) {
		snprintf(why, n, "%s: %s", f->id,
			 text_is_utf8(input, strlen(input)) ? "too long" : "not valid UTF-8 text");
		return -1;
	}
	if (!(s = strdup(input))) {
		snprintf(why, n, "out of memory");
		return -1;
	}
	if (f->kind != SK_NOTES)
		text_trim(s);
	if (text_is_blank(s)) {
		if (f->required) {
			snprintf(why, n, "%s: an answer is needed", f->id);
			goto out;
		}
		rc = 0;
		goto out;
	}
	switch (f->kind) {
	case SK_DATE:
	case SK_EXPIRY:
		rc = read_date(f, s, typed, form, today, value, why, n);
		break;
	case SK_NUMBER: {
		char *end;
		long v = strtol(s, &end, 10);
		if (!isdigit((unsigned char)s[0]) || *end || v < 1 || v > SESSION_NUMBER_MAX) {
			snprintf(why, n, "%s: a whole number from 1 to %d", f->id, SESSION_NUMBER_MAX);
			break;
		}
		char buf[16];
		snprintf(buf, sizeof buf, "%ld", v);
		rc = (*value = strdup(buf)) ? 0 : -1;
		break;
	}
	case SK_TEXT:
	case SK_NOTES:
		if (check_text(f, s, why, n) == 0) {
			*value = s;
			s = NULL;
			rc = 0;
		}
		break;
	case SK_AREAS:
		rc = (*value = read_areas(s, typed, why, n)) ? 0 : -1;
		break;
	case SK_YESNO: {
		const char *v = NULL;
		for (char *c = s; typed && *c; c++)
			*c = (char)tolower((unsigned char)*c);
		if (strcmp(s, "yes") == 0 || (typed && strcmp(s, "y") == 0))
			v = "yes";
		else if (strcmp(s, "no") == 0 || (typed && strcmp(s, "n") == 0))
			v = "no";
		if (!v)
			snprintf(why, n, "%s: answer yes or no", f->id);
		else
			rc = (*value = strdup(v)) ? 0 : -1;
		break;
	}
	case SK_ID_KIND: {
		int i = code_index(session_id_kinds, s, strlen(s), typed);
		if (i < 0)
			snprintf(why, n,
				 "%s: the kind of ID: passport, driving_licence, national_id or other "
				 "(never its number)",
				 f->id);
		else
			rc = (*value = strdup(session_id_kinds[i])) ? 0 : -1;
		break;
	}
	}
	if (rc < 0 && !why[0])
		snprintf(why, n, "out of memory");
out:
	free(s);
	return rc;
}

/* Where field id's text lives in s, or NULL for the fields that are not
 * text (session_number, patch_test). */
static char **text_slot(struct session *s, const char *id)
{
	static const struct {
		const char *id;
		size_t off;
	} slots[] = {
		{ "performed_on", offsetof(struct session, performed_on) },
		{ "artist", offsetof(struct session, artist) },
		{ "areas", offsetof(struct session, areas) },
		{ "pigment_brand", offsetof(struct session, pigment_brand) },
		{ "shade", offsetof(struct session, shade) },
		{ "lot", offsetof(struct session, lot) },
		{ "lot_expiry", offsetof(struct session, lot_expiry) },
		{ "needle", offsetof(struct session, needle) },
		{ "dilution", offsetof(struct session, dilution) },
		{ "notes", offsetof(struct session, notes) },
		{ "id_checked", offsetof(struct session, id_checked) },
		{ "countersigned", offsetof(struct session, countersigned) },
		{ "client_ack", offsetof(struct session, client_ack) },
		{ "override_reason", offsetof(struct session, override_reason) },
	};
	for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++)
		if (strcmp(slots[i].id, id) == 0)
			return (char **)((char *)s + slots[i].off);
	return NULL;
}

int session_set(struct session *s, const char *id, const char *value)
{
	char **slot = text_slot(s, id), *copy = NULL;

	if (strcmp(id, "session_number") == 0) {
		s->number = value ? strtoll(value, NULL, 10) : 0;
		return 0;
	}
	if (strcmp(id, "patch_test") == 0) {
		s->patch_test = value && strcmp(value, "yes") == 0;
		return 0;
	}
	if (!slot || (value && !(copy = strdup(value))))
		return -1;
	free(*slot);
	*slot = copy;
	return 0;
}

char *session_get(const struct session *s, const char *id)
{
	char **slot = text_slot((struct session *)s, id), buf[24];

	if (strcmp(id, "session_number") == 0) {
		if (!s->number)
			return NULL;
		snprintf(buf, sizeof buf, "%lld", s->number);
		return strdup(buf);
	}
	if (strcmp(id, "patch_test") == 0)
		return strdup(s->patch_test ? "yes" : "no");
	return slot && *slot ? strdup(*slot) : NULL;
}

/* The last day an expiry (YYYY-MM-DD or YYYY-MM) allows; -1 when not one. */
static int expiry_day(const char *s, struct date *out)
{
	char full[11];

	if (strlen(s) == 7) {
		snprintf(full, sizeof full, "%s-01", s);
		if (date_parse(full, out) != DATE_OK)
			return -1;
		*out = date_add_days(date_add_months(*out, 1), -1);
		return 0;
	}
	return date_parse(s, out) == DATE_OK ? 0 : -1;
}

/* A stored field read again as a file gives it: the same value back. */
static int check_stored(const struct session *s, const struct session_field *f, char *why,
			size_t n)
{
	char *v = session_get(s, f->id), *again = NULL;
	int rc = 0;

	if (!v) {
		if (f->required) {
			snprintf(why, n, "%s: an answer is needed", f->id);
			return -1;
		}
		return 0;
	}
	if (f->kind == SK_TEXT && text_is_blank(v)) {
		snprintf(why, n, "%s: %s", f->id,
			 f->required ? "an answer is needed" : "blank (leave it out instead)");
		rc = -1;
	} else if (session_read_answer(f, v, false, DATE_FORM_ISO, (struct date){ 2000, 1, 1 },
				       &again, why, n) < 0) {
		rc = -1;
	} else if (!again || (f->kind != SK_TEXT && strcmp(again, v) != 0)) {
		snprintf(why, n, "%s: not in its stored form", f->id);
		rc = -1;
	}
	free(v);
	free(again);
	return rc;
}

int session_check_answer(const struct session *s, const char *id, const struct answers *client,
			 const struct settings *st, struct date today, char *why, size_t n)
{
	struct date on, expiry, birth;
	const char *born = client ? answers_get(client, "date_of_birth") : NULL;

	if (!s->performed_on || date_parse(s->performed_on, &on) != DATE_OK)
		return 0;
	if (strcmp(id, "performed_on") == 0 && date_cmp(on, today) > 0) {
		snprintf(why, n, "performed_on: the session's date is in the future");
		return -1;
	}
	if (strcmp(id, "performed_on") == 0 && born && date_parse(born, &birth) == DATE_OK &&
	    date_age(birth, on) < st->minimum_age) {
		snprintf(why, n,
			 "performed_on: the client is under %d on the session's date (the studio's "
			 "minimum_age)",
			 st->minimum_age);
		return -1;
	}
	if (strcmp(id, "lot_expiry") == 0 && s->lot_expiry &&
	    expiry_day(s->lot_expiry, &expiry) == 0 && date_cmp(expiry, on) < 0) {
		snprintf(why, n, "lot_expiry: the lot had expired on the session's date: an expired "
				 "lot is refused");
		return -1;
	}
	if (strcmp(id, "countersigned") == 0 && s->countersigned &&
	    !fold_equal(s->countersigned, s->artist)) {
		snprintf(why, n, "countersigned: the countersignature is not the artist's name");
		return -1;
	}
	return 0;
}

int session_check(const struct session *s, const struct answers *client,
		  const struct settings *st, struct date today, char *why, size_t n)
{
	static const struct session_field extra[] = {
		{ "client_ack", "", "", SK_TEXT, false, SESSION_LINE_MAX, "" },
		{ "override_reason", "", "", SK_TEXT, false, SESSION_LINE_MAX * 5, "" },
	};
	struct date on;

	why[0] = '\0';
	for (size_t i = 0; i < session_field_count; i++)
		if (check_stored(s, &session_fields[i], why, n) < 0)
			return -1;
	for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++)
		if (check_stored(s, &extra[i], why, n) < 0)
			return -1;
	date_parse(s->performed_on, &on);
	if (session_check_answer(s, "performed_on", client, st, today, why, n) < 0 ||
	    session_check_answer(s, "lot_expiry", client, st, today, why, n) < 0 ||
	    session_check_answer(s, "countersigned", client, st, today, why, n) < 0)
		return -1;
	if (!s->rescreen ||
	    (strcmp(s->rescreen, "unchanged") != 0 && strcmp(s->rescreen, "changed") != 0)) {
		snprintf(why, n, "rescreen: unchanged or changed");
		return -1;
	}
	if (s->reaction) {
		if (!s->patch_test) {
			snprintf(why, n, "reaction: only a patch test has a reaction");
			return -1;
		}
		if (strcmp(s->reaction, "none") && strcmp(s->reaction, "mild") &&
		    strcmp(s->reaction, "marked")) {
			snprintf(why, n, "reaction: none, mild or marked");
			return -1;
		}
	}
	if (s->reaction_note && (text_has_control(s->reaction_note, true) ||
				 text_codepoints(s->reaction_note) > SESSION_NOTES_MAX)) {
		snprintf(why, n, "reaction_note: too long or holds control characters");
		return -1;
	}
	if (client) {
		if (s->client_ack && !acknowledgement_matches(s->client_ack, client)) {
			snprintf(why, n,
				 "client_ack: the name typed is not the client's first and last name");
			return -1;
		}
	}
	return 0;
}

char *session_areas_shown(const char *codes)
{
	char *out = malloc(2 * strlen(codes) + 1), *o = out;

	if (!out)
		return NULL;
	for (const char *c = codes; *c; c++) {
		*o++ = *c == '_' ? '-' : *c;
		if (*c == ',')
			*o++ = ' ';
	}
	*o = '\0';
	return out;
}
