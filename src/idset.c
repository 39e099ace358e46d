/* idset.c - sets of client ids as sorted ranges, and reading such a range
 * list back.  Pure: no I/O, no reports; the caller says what failed. */
#include "idset.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int by_first(const void *a, const void *b)
{
	const struct idset_run *x = a, *y = b;

	return (x->first > y->first) - (x->first < y->first);
}

/* Sorts the runs and makes those that overlap or touch one (first >= 1,
 * so first - 1 cannot overflow). */
static void merge(struct idset *s)
{
	size_t n = 0;

	if (s->count > 1)
		qsort(s->run, s->count, sizeof *s->run, by_first);
	for (size_t i = 0; i < s->count; i++) {
		if (n && s->run[i].first - 1 <= s->run[n - 1].last) {
			if (s->run[i].last > s->run[n - 1].last)
				s->run[n - 1].last = s->run[i].last;
		} else {
			s->run[n++] = s->run[i];
		}
	}
	s->count = n;
}

int idset_add(struct idset *s, long long id)
{
	struct idset_run *last = s->count ? &s->run[s->count - 1] : NULL;

	if (id <= 0)
		return -1;
	if (last && id >= last->first && id <= last->last)
		return 0;
	if (last && id - 1 == last->last) {
		last->last = id;
		return 0;
	}
	/* Full: merge first.  A returning client's id mostly falls inside
	 * an earlier run, so the runs stay about as many as the ranges of
	 * the result; grow only when merging freed less than half. */
	if (s->count == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct idset_run *grown;

		merge(s);
		if (s->count == 0 || s->count > s->cap / 2) {
			if (cap < s->cap || cap > SIZE_MAX / sizeof *grown)
				return -1;
			if (!(grown = realloc(s->run, cap * sizeof *grown)))
				return -1;
			s->run = grown;
			s->cap = cap;
		}
	}
	s->run[s->count++] = (struct idset_run){ id, id };
	return 0;
}

/* Digits of n (above 0). */
static size_t digits(long long n)
{
	size_t d = 1;

	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

char *idset_format(struct idset *s)
{
	size_t n = 0, len = 1, at = 0;
	char *out;

	merge(s);
	n = s->count;
	for (size_t i = 0; i < n; i++) {
		len += digits(s->run[i].first) + (i ? 1 : 0);
		if (s->run[i].last != s->run[i].first)
			len += 1 + digits(s->run[i].last);
	}
	if (!(out = malloc(len)))
		return NULL;
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const struct idset_run *r = &s->run[i];
		if (r->last != r->first)
			at += (size_t)snprintf(out + at, len - at, "%s%lld-%lld", i ? "," : "",
					       r->first, r->last);
		else
			at += (size_t)snprintf(out + at, len - at, "%s%lld", i ? "," : "", r->first);
	}
	return out;
}

int idset_has(const struct idset *s, long long id)
{
	size_t lo = 0, hi = s->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (id < s->run[mid].first)
			hi = mid;
		else if (id > s->run[mid].last)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

/* Reads a number above 0 without a sign or leading zero at *p; moves *p
 * past it.  Returns it, or 0 when there is none or it is too large. */
static long long read_number(const char **p)
{
	const char *q = *p;
	long long n = 0;

	if (*q < '1' || *q > '9')
		return 0;
	for (; *q >= '0' && *q <= '9'; q++) {
		if (n > (LLONG_MAX - (*q - '0')) / 10)
			return 0;
		n = n * 10 + (*q - '0');
	}
	*p = q;
	return n;
}

int idset_text_has(const char *ranges, long long id)
{
	const char *p = ranges;
	long long before = 0; /* the end of the range before */
	int found = 0;

	if (!*p)
		return 0;
	for (;;) {
		long long first = read_number(&p), last = first;

		if (!first || first <= before)
			return -1;
		if (*p == '-') {
			p++;
			if (!(last = read_number(&p)) || last <= first)
				return -1;
		}
		if (id >= first && id <= last)
			found = 1;
		before = last;
		if (!*p)
			return found;
		if (*p++ != ',')
			return -1;
	}
}

void idset_clear(struct idset *s)
{
	free(s->run);
	s->run = NULL;
	s->count = s->cap = 0;
}
