/* settings.c - the studio settings as a table of keys with their checks;
 * `config` and the database both go through settings_set(), so a value
 * that would be refused on the command line is refused when read too. */
#include "settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

const struct setting_def setting_defs[] = {
	{ "studio_name", "the studio's name, printed on advice handouts", 0, 0 },
	{ "pause_days_before", "days before a session to stop topical products (studio policy)", 0,
	  60 },
	{ "pause_days_after", "days after a session to start topical products again (studio policy)",
	  0, 60 },
	{ "minimum_age", "the youngest client the studio treats, in years (18 or more)", 18, 100 },
	{ "staff_required", "yes: commands refuse to run without --staff or SMP_INTAKE_STAFF "
	  "(no login name)", 0, 1 },
	{ "date_input", "how dates are typed besides YYYY-MM-DD: iso (only that), dmy "
			"(23/07/1985) or mdy (07/23/1985)", 0, 0 },
	{ "draft_max_age", "how long an unfinished intake, edit or session is kept: purge removes drafts "
			   "untouched for longer (days or weeks: 30d, 4w)", 0, 0 },
	{ "course_sessions", "sessions planned in a course (the course plan, list --sessions-due)",
	  1, 10 },
	{ "course_interval_days", "days planned between two sessions of a course", 1, 365 },
	{ "touch_up_years", "years after a course's last session that a touch-up is due "
			    "(list --touch-up-due)", 1, 20 },
	{ "retention_years", "years the records are kept at least after a client's last intake or "
			     "session (purge and erase); not set until the studio sets it from its "
			     "licence (docs/record.md)", 1, 100 },
	{ "photo_max_mb", "the largest photo photo add takes, in megabytes", 1, 100 },
	{ "allow_insecure_server", "yes: a PostgreSQL server reached over the network without TLS "
				   "(sslmode weaker than require) is used all the same "
				   "(docs/server.md)", 0, 1 },
};
const size_t setting_def_count = sizeof setting_defs / sizeof setting_defs[0];

/* Where key's value lives in s: an int, or the studio name. */
static int *number_of(struct settings *s, const char *key)
{
	if (strcmp(key, "pause_days_before") == 0)
		return &s->pause_days_before;
	if (strcmp(key, "pause_days_after") == 0)
		return &s->pause_days_after;
	if (strcmp(key, "minimum_age") == 0)
		return &s->minimum_age;
	if (strcmp(key, "course_sessions") == 0)
		return &s->course_sessions;
	if (strcmp(key, "course_interval_days") == 0)
		return &s->course_interval_days;
	if (strcmp(key, "touch_up_years") == 0)
		return &s->touch_up_years;
	if (strcmp(key, "retention_years") == 0)
		return &s->retention_years;
	if (strcmp(key, "photo_max_mb") == 0)
		return &s->photo_max_mb;
	return NULL;
}

/* Where key's value lives in s when it is yes or no. */
static bool *flag_of(struct settings *s, const char *key)
{
	if (strcmp(key, "staff_required") == 0)
		return &s->staff_required;
	if (strcmp(key, "allow_insecure_server") == 0)
		return &s->allow_insecure_server;
	return NULL;
}

/* date_input: a word, not a number nor free text. */
static const char *const date_input_names[] = { [DATE_FORM_ISO] = "iso", [DATE_FORM_DMY] = "dmy",
						[DATE_FORM_MDY] = "mdy" };

static int set_date_input(struct settings *s, const char *value, char *why, size_t n)
{
	for (int i = DATE_FORM_ISO; i <= DATE_FORM_MDY; i++) {
		if (strcmp(value, date_input_names[i]) == 0) {
			s->date_input = (enum date_form)i;
			return SETTING_OK;
		}
	}
	snprintf(why, n, "date_input: iso, dmy or mdy");
	return SETTING_BAD_VALUE;
}

/* draft_max_age: a whole number of days or weeks, such as 30d or 4w. */
static int set_draft_max_age(struct settings *s, const char *value, char *why, size_t n)
{
	size_t len = strlen(value), digits = strspn(value, "0123456789");
	long v = 0;

	if (len >= 2 && len <= 6 && digits == len - 1 && (value[len - 1] == 'd' ||
							   value[len - 1] == 'w')) {
		v = strtol(value, NULL, 10) * (value[len - 1] == 'w' ? 7 : 1);
		if (v >= 1 && v <= DRAFT_MAX_DAYS) {
			s->draft_max_days = (int)v;
			return SETTING_OK;
		}
	}
	snprintf(why, n, "draft_max_age: a whole number of days or weeks, such as 30d or 4w, from "
		 "1d to %dd", DRAFT_MAX_DAYS);
	return SETTING_BAD_VALUE;
}

static const struct setting_def *find(const char *key)
{
	for (size_t i = 0; i < setting_def_count; i++)
		if (strcmp(setting_defs[i].key, key) == 0)
			return &setting_defs[i];
	return NULL;
}

int settings_set(struct settings *s, const char *key, const char *value, char *why, size_t n)
{
	const struct setting_def *def = find(key);
	char *end;
	long v;

	if (!def) {
		snprintf(why, n, "unknown setting '%.40s' (see smp-intake config list)", key);
		return SETTING_UNKNOWN;
	}
	if (strcmp(key, "date_input") == 0)
		return set_date_input(s, value, why, n);
	if (strcmp(key, "draft_max_age") == 0)
		return set_draft_max_age(s, value, why, n);
	if (def->max == 0) {
		if (!text_is_utf8(value, strlen(value)) || text_has_control(value, false) ||
		    text_codepoints(value) > 100 || strlen(value) >= sizeof s->studio_name) {
			snprintf(why, n, "%s: up to 100 characters of text without control characters",
				 key);
			return SETTING_BAD_VALUE;
		}
		snprintf(s->studio_name, sizeof s->studio_name, "%s",
			 text_is_blank(value) ? "" : value);
		return SETTING_OK;
	}
	if (flag_of(s, key)) {
		if (strcmp(value, "yes") && strcmp(value, "no")) {
			snprintf(why, n, "%s: yes or no", key);
			return SETTING_BAD_VALUE;
		}
		*flag_of(s, key) = strcmp(value, "yes") == 0;
		return SETTING_OK;
	}
	/* The retention period may be taken back to "not set" (''), as the
	 * studio found it: no number pretends to be the law. */
	if (strcmp(key, "retention_years") == 0 && value[0] == '\0') {
		s->retention_years = 0;
		return SETTING_OK;
	}
	v = strtol(value, &end, 10);
	if (end == value || *end || value[0] == '+' || value[0] == ' ' || v < def->min ||
	    v > def->max) {
		snprintf(why, n, "%s: a whole number from %d to %d%s", key, def->min, def->max,
			 strcmp(key, "retention_years") == 0 ? ", or '' for not set" : "");
		return SETTING_BAD_VALUE;
	}
	*number_of(s, key) = (int)v;
	return SETTING_OK;
}

int settings_get(const struct settings *s, const char *key, char *buf, size_t n)
{
	const struct setting_def *def = find(key);

	if (!def)
		return -1;
	if (strcmp(key, "date_input") == 0)
		snprintf(buf, n, "%s", date_input_names[s->date_input]);
	else if (strcmp(key, "draft_max_age") == 0)
		snprintf(buf, n, "%dd", s->draft_max_days);
	else if (def->max == 0)
		snprintf(buf, n, "%s", s->studio_name);
	else if (strcmp(key, "retention_years") == 0 && s->retention_years == 0)
		snprintf(buf, n, "not set");
	else if (flag_of((struct settings *)s, key))
		snprintf(buf, n, "%s", *flag_of((struct settings *)s, key) ? "yes" : "no");
	else
		snprintf(buf, n, "%d", *number_of((struct settings *)s, key));
	return 0;
}
