/* date.h - calendar dates (YYYY-MM-DD) without time zones. */
#ifndef SMP_DATE_H
#define SMP_DATE_H

struct date {
	int year, month, day;
};

enum date_error {
	DATE_OK = 0,
	DATE_BAD_FORMAT = -1, /* not YYYY-MM-DD */
	DATE_NOT_REAL = -2,   /* e.g. 2023-02-29 or 2024-04-31 */
	DATE_OUT_OF_RANGE = -3 /* year before 1900 or after 9999 */
};

/* Parses exactly YYYY-MM-DD into *out; returns a date_error. */
int date_parse(const char *s, struct date *out);

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
