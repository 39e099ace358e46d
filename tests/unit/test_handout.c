/* test_handout.c - unit tests for handout.c: the Markdown and HTML handouts
 * hold the studio, the client, every stored advice, and never let a stored
 * value become markup or reach the reader as a control character. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice.h"
#include "handout.h"

#define HOSTILE_FIRST "<script>alert(1)</script>"
#define HOSTILE_LAST  "O'Brien \x1b[2J & \"Co\""

typedef int (*print_fn)(FILE *f, const struct intake *in, const struct settings *s);

/* An intake with the advice of a pending sign-off (Rogaine foam, a topical product, GP
 * not consulted, a planned session, help with the cause wanted). */
static void make_intake(struct intake *in, const char *first, const char *last,
			const char *products)
{
	struct settings s = SETTINGS_DEFAULT;
	struct answers *a = &in->answers;

	memset(in, 0, sizeof *in);
	in->id = 7;
	in->client_id = 3;
	in->taken_at = strdup("2026-11-29T10:11:12Z");
	in->staff = strdup("Dana");
	assert_non_null(in->taken_at);
	assert_non_null(in->staff);
	assert_int_equal(answers_set(a, "consent_storage", "yes"), 0);
	assert_int_equal(answers_set(a, "first_name", first), 0);
	assert_int_equal(answers_set(a, "last_name", last), 0);
	assert_int_equal(answers_set(a, "date_of_birth", "1985-07-23"), 0);
	assert_int_equal(answers_set(a, "uses_rogaine", "yes"), 0);
	assert_int_equal(answers_set(a, "rogaine_form", "foam"), 0);
	assert_int_equal(answers_set(a, "uses_propecia", "no"), 0);
	assert_int_equal(answers_set(a, "uses_other_topical", "yes"), 0);
	assert_int_equal(answers_set(a, "other_topical_products", products), 0);
	assert_int_equal(answers_set(a, "uses_other_medical", "no"), 0);
	assert_int_equal(answers_set(a, "gp_discussed", "no"), 0);
	assert_int_equal(answers_set(a, "wants_root_cause_help", "yes"), 0);
	assert_int_equal(answers_set(a, "planned_session_date", "2026-12-20"), 0);
	assert_int_equal(advice_for_answers(a, &s, &in->advice), 0);
	/* cosmetic-only, ask your GP first, tell your artist, pause, cause */
	assert_int_equal(in->advice.count, 5);
	/* A sheet stored before advice 2026.3 carried the artist's warning
	 * inline; the handout still sets it apart. */
	for (size_t i = 0; i < in->advice.count; i++) {
		if (strcmp(in->advice.item[i].id, "gp-signoff") == 0) {
			free(in->advice.item[i].text);
			in->advice.item[i].text = strdup(
			    "Talk SMP and your hair-growth treatment through with your GP, and get "
			    "their go-ahead before the first session. GP sign-off: pending (not yet "
			    "discussed with the GP). ARTIST WARNING: do not start the first session "
			    "until the GP has given the go-ahead.");
			assert_non_null(in->advice.item[i].text);
		}
	}
}

/* The handout as a string (the caller frees). */
static char *render(print_fn print, const struct intake *in, const char *studio)
{
	struct settings s = SETTINGS_DEFAULT;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	snprintf(s.studio_name, sizeof s.studio_name, "%s", studio);
	assert_non_null(f);
	assert_int_equal(print(f, in, &s), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(buf);
	assert_int_equal(strlen(buf), len);
	return buf;
}

/* s with & < > " ' as HTML references (written independently of handout.c). */
static char *html_escaped(const char *s, size_t n)
{
	char *out = malloc(n * 6 + 1), *o = out;

	assert_non_null(out);
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '&':
			o += sprintf(o, "&amp;");
			break;
		case '<':
			o += sprintf(o, "&lt;");
			break;
		case '>':
			o += sprintf(o, "&gt;");
			break;
		case '"':
			o += sprintf(o, "&quot;");
			break;
		case '\'':
			o += sprintf(o, "&#39;");
			break;
		default:
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("expected to find \"%s\" in:\n%s", needle, hay);
}

static void assert_lacks(const char *hay, const char *needle)
{
	if (strstr(hay, needle))
		fail_msg("did not expect \"%s\" in:\n%s", needle, hay);
}

/* Every c in md has a backslash before it (Markdown then shows it as is). */
static void assert_all_escaped(const char *md, char c)
{
	for (const char *p = md; (p = strchr(p, c)); p++)
		if (p == md || p[-1] != '\\')
			fail_msg("an unescaped '%c' at offset %td in:\n%s", c, p - md, md);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_html_escapes_hostile_names(void **state)
{
	struct intake in;
	char *html;

	(void)state;
	make_intake(&in, HOSTILE_FIRST, HOSTILE_LAST, "foam <b>x</b>");
	html = render(handout_print_html, &in, "");
	assert_lacks(html, "<script");
	assert_lacks(html, "<b>");
	assert_lacks(html, "\x1b");
	assert_contains(html, "<title>Advice sheet for &lt;script&gt;alert(1)&lt;/script&gt; "
			      "O&#39;Brien \\x1b[2J &amp; &quot;Co&quot;</title>");
	assert_contains(html, "<dd>&lt;script&gt;alert(1)&lt;/script&gt; O&#39;Brien \\x1b[2J "
			      "&amp; &quot;Co&quot;</dd>");
	assert_contains(html, "other scalp products: foam &lt;b&gt;x&lt;/b&gt;");
	free(html);
	intake_clear(&in);
}

static void test_html_holds_every_advice(void **state)
{
	struct intake in;
	char *html;
	size_t warnings = 0;

	(void)state;
	make_intake(&in, "Ana", "Silva", "a scalp serum");
	html = render(handout_print_html, &in, "");
	assert_int_equal(count(html, "<section"), in.advice.count);
	for (size_t i = 0; i < in.advice.count; i++) {
		const char *text = in.advice.item[i].text;
		const char *warn = strstr(text, "ARTIST WARNING");
		const char *title = advice_title(in.advice.item[i].id);
		char *h = html_escaped(title, strlen(title)), *heading = malloc(strlen(h) + 10);
		char *before = html_escaped(text, warn ? (size_t)(warn - text) : strlen(text));

		assert_non_null(heading);
		sprintf(heading, "<h2>%s</h2>", h);
		assert_contains(html, heading);
		assert_contains(html, before);
		if (warn) {
			char *after = html_escaped(warn, strlen(warn));
			char *boxed = malloc(strlen(after) + 64);

			assert_non_null(boxed);
			sprintf(
			    boxed,
			    "<p class=\"warning\" role=\"note\"><strong>ARTIST WARNING</strong>%s",
			    after + strlen("ARTIST WARNING"));
			assert_contains(html, boxed);
			free(after);
			free(boxed);
			warnings++;
		}
		free(h);
		free(heading);
		free(before);
	}
	assert_int_equal(warnings, 1);	     /* GP not consulted: the sign-off warning */
	assert_contains(html, "2026-12-13"); /* the stored pause dates */
	assert_contains(html, "2026-12-27");
	assert_contains(html, "<dt>Consultation date:</dt><dd>2026-11-29</dd>");
	free(html);
	intake_clear(&in);
}

static void test_html_is_one_printable_page(void **state)
{
	struct intake in;
	char *html;

	(void)state;
	make_intake(&in, "Ana", "Silva", "a scalp serum");
	html = render(handout_print_html, &in, "");
	assert_memory_equal(html, "<!doctype html>\n<html lang=\"en\">\n", 32);
	assert_contains(html, "<meta charset=\"utf-8\">");
	assert_contains(html, "<title>Advice sheet for Ana Silva</title>");
	assert_contains(html, "@page { margin: 18mm; }");
	assert_contains(html, "@media print");
	assert_int_equal(count(html, "<html"), 1);
	assert_int_equal(count(html, "</html>\n"), 1);
	assert_int_equal(strcmp(html + strlen(html) - 8, "</html>\n"), 0);
	/* self-contained: nothing to fetch, nothing to run, no pixel widths */
	for (size_t i = 0; i < 7; i++)
		assert_lacks(html, (const char *[]){"<script", "<link", "<img", "url(", "@import",
						    "http", "px"}[i]);
	free(html);
	intake_clear(&in);
}

static void test_studio_name_present_and_absent(void **state)
{
	struct intake in;
	char *html, *md;

	(void)state;
	make_intake(&in, "Ana", "Silva", "a scalp serum");

	html = render(handout_print_html, &in, "Ink & <b>Co</b>");
	assert_contains(html, "<h1>Ink &amp; &lt;b&gt;Co&lt;/b&gt;</h1>");
	assert_contains(html, "<p class=\"subtitle\">" HANDOUT_HEADING "</p>");
	assert_contains(html, "<title>Ink &amp; &lt;b&gt;Co&lt;/b&gt;: advice sheet for Ana Silva");
	free(html);
	md = render(handout_print_markdown, &in, "Ink & <b>Co</b>");
	assert_memory_equal(md, "# Ink \\& \\<b\\>Co\\</b\\>\n\n**" HANDOUT_HEADING "**\n",
			    strlen("# Ink \\& \\<b\\>Co\\</b\\>\n\n**" HANDOUT_HEADING "**\n"));
	free(md);

	html = render(handout_print_html, &in, "");
	assert_contains(html, "<h1>" HANDOUT_HEADING "</h1>");
	assert_lacks(html, "subtitle\">");
	assert_lacks(html, "Ink");
	free(html);
	md = render(handout_print_markdown, &in, "");
	assert_memory_equal(md, "# " HANDOUT_HEADING "\n\n", strlen("# " HANDOUT_HEADING "\n\n"));
	assert_lacks(md, "Ink");
	free(md);

	/* a control character in the setting is shown, not sent */
	html = render(handout_print_html, &in, "Studio\x1b]0;x\x07");
	assert_contains(html, "<h1>Studio\\x1b]0;x\\x07</h1>");
	assert_lacks(html, "\x1b");
	free(html);
	intake_clear(&in);
}

static void test_markdown_escapes_hostile_text(void **state)
{
	struct intake in;
	char *md;

	(void)state;
	make_intake(&in, HOSTILE_FIRST, HOSTILE_LAST, "a scalp serum");
	/* Advice 2026.3 puts typed products on one line; a sheet stored
	 * before kept their line breaks, and is printed as stored. */
	for (size_t i = 0; i < in.advice.count; i++) {
		if (strcmp(in.advice.item[i].id, "tell-artist") == 0) {
			free(in.advice.item[i].text);
			in.advice.item[i].text = strdup(
			    "Tell your SMP artist about every hair-growth product you use. For the "
			    "artist: other topical: *a* _b_ `c` [d](e) <f> #g |h| \\i ~~j~~ ![k](l) "
			    "&amp;\n- two\n+ three\n1. four\n12) five\n# six\n    seven\n===\n> eight");
			assert_non_null(in.advice.item[i].text);
		}
	}
	md = render(handout_print_markdown, &in, "");
	assert_all_escaped(md, '<');
	assert_all_escaped(md, '[');
	assert_all_escaped(md, '`');
	assert_lacks(md, "\x1b");
	assert_contains(md, "- **Client:** \\<script\\>alert(1)\\</script\\> O'Brien \\\\x1b\\[2J "
			    "\\& \"Co\"\n");
	assert_contains(md,
			"other topical: \\*a\\* \\_b\\_ \\`c\\` \\[d\\](e) \\<f\\> \\#g \\|h\\| "
			"\\\\i \\~\\~j\\~\\~ \\!\\[k\\](l) \\&amp;  \n"
			"\\- two  \n\\+ three  \n1\\. four  \n12\\) five  \n\\# six  \n"
			"seven  \n\\===  \n\\> eight");
	free(md);
	intake_clear(&in);
}

static void test_markdown_holds_every_advice(void **state)
{
	struct intake in;
	char *md;

	(void)state;
	make_intake(&in, "Ana", "Silva", "a scalp serum");
	md = render(handout_print_markdown, &in, "Studio X");
	assert_contains(md, "- **Client:** Ana Silva\n");
	assert_contains(md, "- **Consultation date:** 2026-11-29\n");
	for (size_t i = 0; i < in.advice.count; i++) {
		const char *text = in.advice.item[i].text;
		const char *warn = strstr(text, "ARTIST WARNING");
		char *heading = malloc(strlen(advice_title(in.advice.item[i].id)) + 8);
		char *before = strndup(text, warn ? (size_t)(warn - text) : strlen(text));

		assert_non_null(heading);
		assert_non_null(before);
		/* these texts hold nothing Markdown would escape */
		assert_null(strpbrk(text, "\\`*_[]<>#|&~!\n"));
		sprintf(heading, "\n## %s\n", advice_title(in.advice.item[i].id));
		assert_contains(md, heading);
		assert_contains(md, before);
		if (warn) {
			char *quoted = malloc(strlen(warn) + 16);

			assert_non_null(quoted);
			sprintf(quoted, "\n> **ARTIST WARNING**%s\n",
				warn + strlen("ARTIST WARNING"));
			assert_contains(md, quoted);
			free(quoted);
		}
		free(heading);
		free(before);
	}
	assert_int_equal(count(md, "\n## "), in.advice.count);
	assert_contains(md, "stop topical products on 2026-12-13");
	assert_contains(md, "start again on 2026-12-27");
	free(md);
	intake_clear(&in);
}

/* The stored text is printed as stored, even when today's rules would say
 * something else; an id no rule knows any more is shown (escaped) as its
 * own title. */
static void test_stored_advice_is_printed_as_stored(void **state)
{
	struct intake in;
	char *html, *md;

	(void)state;
	make_intake(&in, "Ana", "Silva", "a scalp serum");
	advice_sheet_clear(&in.advice);
	assert_int_equal(advice_sheet_add(&in.advice, "pause-topicals", "Stop on 2020-01-01."), 0);
	assert_int_equal(advice_sheet_add(&in.advice, "<retired>", "Old advice."), 0);
	html = render(handout_print_html, &in, "");
	md = render(handout_print_markdown, &in, "");
	assert_contains(html, "<h2>Pausing topical products while you heal</h2>\n"
			      "<p>Stop on 2020-01-01.</p>");
	assert_contains(html, "<h2>&lt;retired&gt;</h2>\n<p>Old advice.</p>");
	assert_lacks(html, "2026-12-13");
	assert_contains(md, "## Pausing topical products while you heal\n\nStop on 2020-01-01.\n");
	assert_contains(md, "## \\<retired\\>\n\nOld advice.\n");
	assert_lacks(md, "2026-12-13");
	free(html);
	free(md);
	intake_clear(&in);
}

static void test_output_errors_are_reported(void **state)
{
	struct settings s = SETTINGS_DEFAULT;
	struct intake in;
	FILE *f = fopen("/dev/null", "r"); /* every write fails */

	(void)state;
	assert_non_null(f);
	make_intake(&in, "Ana", "Silva", "a scalp serum");
	assert_int_equal(handout_print_html(f, &in, &s), -1);
	assert_int_equal(handout_print_markdown(f, &in, &s), -1);
	fclose(f);
	intake_clear(&in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_html_escapes_hostile_names),
	    cmocka_unit_test(test_html_holds_every_advice),
	    cmocka_unit_test(test_html_is_one_printable_page),
	    cmocka_unit_test(test_studio_name_present_and_absent),
	    cmocka_unit_test(test_markdown_escapes_hostile_text),
	    cmocka_unit_test(test_markdown_holds_every_advice),
	    cmocka_unit_test(test_stored_advice_is_printed_as_stored),
	    cmocka_unit_test(test_output_errors_are_reported),
	};
	return cmocka_run_group_tests_name("handout", tests, NULL, NULL);
}
