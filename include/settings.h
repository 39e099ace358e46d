/* settings.h - studio policy kept in the database (table setting): what
 * the keys are, their checks, and the struct the program reads them into. */
#ifndef SMP_SETTINGS_H
#define SMP_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "date.h"

struct settings {
	int pause_days_before; /* stop topical products this many days before a session */
	int pause_days_after;  /* and resume this many days after it */
	int minimum_age;       /* youngest client the studio treats */
	char studio_name[401]; /* printed on handouts (100 code points); "" when not set */
	bool staff_required;   /* no login-name fallback: --staff or $SMP_INTAKE_STAFF */
	enum date_form date_input; /* how dates are typed besides YYYY-MM-DD */
	int draft_max_days;    /* purge removes drafts untouched for longer */
	int course_sessions;   /* sessions planned in a course */
	int course_interval_days; /* days planned between two sessions */
	int touch_up_years;    /* a touch-up is due this many years after the last session */
	int retention_years;   /* records kept at least this long; 0: not set (no default
				* pretends to be law: docs/record.md) */
	int photo_max_mb;      /* the largest photo `photo add` takes, in MB */
	bool allow_insecure_server; /* a server reached over the network without TLS
				     * is used all the same (docs/server.md) */
};

/* The values a new database starts with (schema/). */
#define SETTINGS_DEFAULT { 7, 7, 18, "", false, DATE_FORM_ISO, 30, 3, 14, 3, 0, 10, false }

/* The longest draft_max_age: ten years, in days. */
#define DRAFT_MAX_DAYS 3650

/* One key of table setting.  Numbers lie in min..max; text when max is 0;
 * yes or no for staff_required. */
struct setting_def {
	const char *key;
	const char *help;
	int min, max;
};

extern const struct setting_def setting_defs[];
extern const size_t setting_def_count;

enum { SETTING_OK = 0, SETTING_BAD_VALUE = -1, SETTING_UNKNOWN = -2 };

/* Checks value for key and stores it in *s.  Returns SETTING_OK, or
 * SETTING_BAD_VALUE / SETTING_UNKNOWN with a one-line reason in why. */
int settings_set(struct settings *s, const char *key, const char *value, char *why, size_t n);

/* Writes the value of key in s as text into buf.  Returns 0, or -1 for an
 * unknown key. */
int settings_get(const struct settings *s, const char *key, char *buf, size_t n);

#endif
