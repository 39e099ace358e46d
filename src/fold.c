/* fold.c - one rule for matching names and answers (see fold.h): Unicode
 * case folding and decomposition from libunistring, then the marks and
 * spaces people type one way or another taken out. */
#include "fold.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

/* Whether the marks on c are accents to ignore: on Latin, Greek and
 * Cyrillic letters they are ("Zoë", "José"); in scripts such as
 * Devanagari or Arabic the combining signs are vowels that make a
 * different name, and are kept. */
static bool marks_are_accents(ucs4_t c)
{
	const uc_script_t *s = uc_script(c);

	return s && (strcmp(s->name, "Latin") == 0 || strcmp(s->name, "Greek") == 0 ||
		     strcmp(s->name, "Cyrillic") == 0);
}

char *fold_text(const char *s)
{
	const uint8_t *in = (const uint8_t *)(s ? s : "");
	size_t n = strlen((const char *)in), len = 0, o = 0;
	uint8_t *folded;
	char *out;
	bool space = false, accents = false;

	if (u8_check(in, n)) {
		errno = EILSEQ;
		return NULL;
	}
	if (n == 0) /* nothing to fold (and no zero-length buffers) */
		return calloc(1, 1);
	/* NULL language: the same folding in every locale (a Turkish locale
	 * would otherwise fold "I" to the dotless "ı"). */
	if (!(folded = u8_casefold(in, n, NULL, UNINORM_NFKD, NULL, &len)))
		return NULL;
	/* Each step below only drops or shortens what it copies. */
	if (!(out = malloc(len + 1))) {
		free(folded);
		errno = ENOMEM;
		return NULL;
	}
	for (size_t i = 0, step; i < len; i += step) {
		ucs4_t c;
		bool mark;

		step = (size_t)u8_mbtouc(&c, folded + i, len - i);
		mark = uc_is_general_category(c, UC_CATEGORY_M);
		if (uc_is_property_white_space(c)) {
			space = o > 0;
			accents = false;
			continue;
		}
		if (mark && accents)
			continue; /* an accent on the letter before */
		if (!mark)
			accents = marks_are_accents(c);
		if (space)
			out[o++] = ' ';
		space = false;
		/* The dotless i is the small letter of the Turkish capital I,
		 * which Unicode folds to i: folded to i too, so that "YILMAZ"
		 * is "Yılmaz" (and "İ", "I", "ı", "i" are one letter). */
		if (c == 0x131) {
			out[o++] = 'i';
		} else {
			memcpy(out + o, folded + i, step);
			o += step;
		}
	}
	out[o] = '\0';
	free(folded);
	return out;
}

bool fold_equal(const char *a, const char *b)
{
	char *fa = fold_text(a), *fb = fold_text(b);
	bool same = fa && fb && strcmp(fa, fb) == 0;

	free(fa);
	free(fb);
	return same;
}

/* The folded s as code points (allocated), its length in *n. */
static uint32_t *folded_points(const char *s, size_t *n)
{
	char *f = fold_text(s);
	uint32_t *u;

	if (!f)
		return NULL;
	/* An empty text gets a buffer of its own: NULL means failure. */
	*n = 0;
	u = f[0] ? u8_to_u32((const uint8_t *)f, strlen(f), NULL, n) : malloc(sizeof *u);
	free(f);
	return u;
}

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;
	return m < c ? m : c;
}

size_t fold_distance(const char *a, const char *b, size_t limit)
{
	size_t la = 0, lb = 0, d = limit + 1;
	uint32_t *ua = folded_points(a, &la), *ub = ua ? folded_points(b, &lb) : NULL;
	size_t *row = NULL;

	if (!ua || !ub || (la > lb ? la - lb : lb - la) > limit)
		goto out;
	/* Optimal string alignment: three rows (two back for a swap). */
	if (!(row = malloc(3 * (lb + 1) * sizeof *row)))
		goto out;
	size_t *prev2 = row, *prev = row + lb + 1, *cur = row + 2 * (lb + 1);
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = ua[i - 1] == ub[j - 1] ? 0 : 1;
			cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
			if (i > 1 && j > 1 && ua[i - 1] == ub[j - 2] && ua[i - 2] == ub[j - 1] &&
			    prev2[j - 2] + 1 < cur[j])
				cur[j] = prev2[j - 2] + 1;
		}
		size_t *t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	d = prev[lb] > limit ? limit + 1 : prev[lb];
out:
	free(row);
	free(ua);
	free(ub);
	return d;
}
