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
