/* date.c - strict YYYY-MM-DD calendar dates and the arithmetic on them
 * (SQLite would accept 2023-02-30 unchanged, so we check here). */
#include "date.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>


static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

int date_parse(const char *s, struct date *out)
{
	struct date d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return DATE_BAD_FORMAT;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return DATE_BAD_FORMAT;
	d.year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	d.month = (s[5] - '0') * 10 + (s[6] - '0');
	d.day = (s[8] - '0') * 10 + (s[9] - '0');
	if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > days_in_month(d.year, d.month))
		return DATE_NOT_REAL;
	if (d.year < 1900)
		return DATE_OUT_OF_RANGE;
	*out = d;
	return DATE_OK;
}

/* Reads 1 to max digits at *p into *v; returns how many. */
static int digits(const char **p, int max, int *v)
{
	int n = 0;

	*v = 0;
	while (n < max && isdigit((unsigned char)**p)) {
		*v = *v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n;
}

static long days_from_civil(struct date d);

/* Checks y-m-d and stores it; a month alone (month_only) as its first day. */
static int real_date(int y, int m, int d, bool month_only, struct date *out)
{
	if (month_only)
		d = 1;
	if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return DATE_NOT_REAL;
	if (y < 1900)
		return DATE_OUT_OF_RANGE;
	out->year = y;
	out->month = m;
	out->day = d;
	return DATE_OK;
}

/* today, +Nd, +Nw, +Nm (N up to 999). */
static int read_relative(const char *s, struct date today, struct date *out)
{
	const char *p = s + 1;
	int n;

	if (strcmp(s, "today") == 0 || strcmp(s, "Today") == 0 || strcmp(s, "TODAY") == 0) {
		*out = today;
		return DATE_OK;
	}
	if (s[0] != '+' || digits(&p, 3, &n) == 0 || !p[0] || p[1])
		return DATE_BAD_FORMAT;
	switch (p[0]) {
	case 'd':
	case 'D':
		*out = date_add_days(today, n);
		return DATE_OK;
	case 'w':
	case 'W':
		*out = date_add_days(today, 7 * n);
		return DATE_OK;
	case 'm':
	case 'M':
		*out = date_add_months(today, n);
		return DATE_OK;
	}
	return DATE_BAD_FORMAT;
}

int date_read(const char *s, enum date_form form, bool month_ok, struct date today,
	      struct date *out, enum date_kind *kind)
{
	const char *p = s;
	int a, b, c, na, nb, nc;
	char sep;

	*kind = DATE_KIND_RELATIVE;
	if (s[0] == '+' || s[0] == 't' || s[0] == 'T')
		return read_relative(s, today, out);
	*kind = DATE_KIND_DAY;
	if (strlen(s) == 10 && s[4] == '-' && s[7] == '-')
		return date_parse(s, out);
	/* YYYY-MM, a month alone */
	if (strlen(s) == 7 && s[4] == '-') {
		if (!month_ok || digits(&p, 4, &a) != 4 || *p++ != '-' || digits(&p, 2, &b) != 2 || *p)
			return DATE_BAD_FORMAT;
		*kind = DATE_KIND_MONTH;
		return real_date(a, b, 0, true, out);
	}
	/* D/M/Y, M/D/Y or M/Y with /, . or - between */
	if ((na = digits(&p, 2, &a)) == 0 || !strchr("/.-", *p) || !*p)
		return DATE_BAD_FORMAT;
	sep = *p++;
	if ((nb = digits(&p, 4, &b)) == 0)
		return DATE_BAD_FORMAT;
	if (*p == '\0') { /* a month alone: M/YYYY */
		if (!month_ok || nb != 4)
			return nb == 2 && month_ok ? DATE_SHORT_YEAR : DATE_BAD_FORMAT;
		if (form == DATE_FORM_ISO)
			return DATE_AMBIGUOUS;
		*kind = DATE_KIND_MONTH;
		return real_date(b, a, 0, true, out);
	}
	if (nb > 2 || *p++ != sep || (nc = digits(&p, 4, &c)) == 0 || *p)
		return DATE_BAD_FORMAT;
	if (nc != 4)
		return nc == 2 ? DATE_SHORT_YEAR : DATE_BAD_FORMAT;
	(void)na;
	switch (form) {
	case DATE_FORM_DMY:
		return real_date(c, b, a, false, out);
	case DATE_FORM_MDY:
		return real_date(c, a, b, false, out);
	case DATE_FORM_ISO:
		break;
	}
	return DATE_AMBIGUOUS;
}

const char *date_weekday(struct date d)
{
	static const char *const names[] = { "Thursday", "Friday", "Saturday", "Sunday",
					     "Monday", "Tuesday", "Wednesday" };
	long z = days_from_civil(d) % 7;

	return names[z < 0 ? z + 7 : z];
}

/* Today's date in local time, or in UTC. */
static struct date today(bool utc)
{
	time_t now = time(NULL);
	struct tm tm;
	struct date d = { 1970, 1, 1 };

	if (utc ? gmtime_r(&now, &tm) : localtime_r(&now, &tm)) {
		d.year = tm.tm_year + 1900;
		d.month = tm.tm_mon + 1;
		d.day = tm.tm_mday;
	}
	return d;
}

struct date date_today(void)
{
	return today(false);
}

struct date date_today_utc(void)
{
	return today(true);
}

int date_now_utc(char buf[21])
{
	time_t now = time(NULL);
	struct tm tm;

	if (now == (time_t)-1 || !gmtime_r(&now, &tm) ||
	    strftime(buf, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return -1;
	return 0;
}

int date_cmp(struct date a, struct date b)
{
	if (a.year != b.year)
		return a.year < b.year ? -1 : 1;
	if (a.month != b.month)
		return a.month < b.month ? -1 : 1;
	return a.day < b.day ? -1 : a.day > b.day;
}

int date_age(struct date birth, struct date on)
{
	int age = on.year - birth.year;

	if (on.month < birth.month || (on.month == birth.month && on.day < birth.day))
		age--;
	return age;
}

/* Days since 1970-01-01 (proleptic Gregorian), after Howard Hinnant. */
static long days_from_civil(struct date d)
{
	long y = d.year - (d.month <= 2);
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (d.month + (d.month > 2 ? -3 : 9)) + 2) / 5 + d.day - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static struct date civil_from_days(long z)
{
	struct date d;
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	d.day = (int)(doy - (153 * mp + 2) / 5 + 1);
	d.month = (int)(mp < 10 ? mp + 3 : mp - 9);
	d.year = (int)(yoe + era * 400 + (d.month <= 2));
	return d;
}

struct date date_add_days(struct date d, int days)
{
	return civil_from_days(days_from_civil(d) + days);
}

struct date date_add_months(struct date d, int months)
{
	long total = (long)d.year * 12 + (d.month - 1) + months;
	long year = total >= 0 ? total / 12 : (total - 11) / 12;
	struct date out = { (int)year, (int)(total - year * 12) + 1, d.day };

	if (out.day > days_in_month(out.year, out.month))
		out.day = days_in_month(out.year, out.month);
	return out;
}

void date_format(struct date d, char buf[11])
{
	snprintf(buf, 11, "%04u-%02u-%02u", (unsigned)d.year % 10000u, (unsigned)d.month % 100u,
		 (unsigned)d.day % 100u);
}
