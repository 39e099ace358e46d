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

/* <0, 0, >0 as a is before, equal to, after b. */
int date_cmp(struct date a, struct date b);

/* Whole years from birth to on (birthdays on 29 February count on 1 March
 * in common years). */
int date_age(struct date birth, struct date on);

/* d moved by days (may be negative). */
struct date date_add_days(struct date d, int days);

/* Writes YYYY-MM-DD and a NUL into buf (11 bytes). */
void date_format(struct date d, char buf[11]);

#endif
