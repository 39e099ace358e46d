/* date.h - calendar dates (YYYY-MM-DD) without time zones. */
#ifndef SMP_DATE_H
#define SMP_DATE_H

#include <stdbool.h>

struct date {
	int year, month, day;
};

enum date_error {
	DATE_OK = 0,
	DATE_BAD_FORMAT = -1, /* not YYYY-MM-DD */
	DATE_NOT_REAL = -2,   /* e.g. 2023-02-29 or 2024-04-31 */
	DATE_OUT_OF_RANGE = -3, /* year before 1900 or after 9999 */
	DATE_AMBIGUOUS = -4,    /* day and month could be either (03/04/2025 with no
				 * studio form set), or a two-digit year */
	DATE_SHORT_YEAR = -5    /* a year in two digits (85 could be 1885 or 1985) */
};

/* How the studio writes day, month and year (config set date_input). */
enum date_form { DATE_FORM_ISO, DATE_FORM_DMY, DATE_FORM_MDY };

/* What date_read() understood. */
enum date_kind {
	DATE_KIND_DAY,      /* a full date */
	DATE_KIND_MONTH,    /* a month only (*out's day is 1) */
	DATE_KIND_RELATIVE  /* today, or +N days, weeks or months from it */
};

/* Parses exactly YYYY-MM-DD into *out; returns a date_error. */
int date_parse(const char *s, struct date *out);

/* Reads a date as people type it: YYYY-MM-DD; the studio's form (dmy:
 * 23/07/1985, 23.07.1985 or 23-07-1985; mdy: 07/23/1985); "today"; "+10d",
 * "+3w" or "+2m" (days, weeks, months after today); with month_ok also a
 * month alone (2024-01, or 01/2024 in the studio's form).  Sets *out and
 * *kind; returns a date_error.  With form DATE_FORM_ISO, D/M/Y is refused
 * as DATE_AMBIGUOUS; a two-digit year always as DATE_SHORT_YEAR. */
int date_read(const char *s, enum date_form form, bool month_ok, struct date today,
	      struct date *out, enum date_kind *kind);

/* The English name of d's day of the week ("Monday"). */
const char *date_weekday(struct date d);

/* Today's date in local time. */
struct date date_today(void);

/* Today's date in UTC, the calendar the stored times (taken_at) use. */
struct date date_today_utc(void);

/* Writes the time now in UTC as YYYY-MM-DDTHH:MM:SSZ and a NUL into buf
 * (21 bytes).  Returns 0, or -1 when the clock cannot be read. */
int date_now_utc(char buf[21]);

/* <0, 0, >0 as a is before, equal to, after b. */
int date_cmp(struct date a, struct date b);

/* Whole years from birth to on (birthdays on 29 February count on 1 March
 * in common years). */
int date_age(struct date birth, struct date on);

/* d moved by days (may be negative). */
struct date date_add_days(struct date d, int days);

/* d moved by months (may be negative); a day the month lacks becomes its
 * last (31 March less one month is 28 or 29 February). */
struct date date_add_months(struct date d, int months);

/* Writes YYYY-MM-DD and a NUL into buf (11 bytes). */
void date_format(struct date d, char buf[11]);

#endif
