/* handout.c - the advice of a saved intake as a handout for the client, in
 * Markdown or as one printable HTML page.  Everything stored went in as
 * typed, so each value is made safe with text_safe() and then escaped for
 * the format: a name must never become markup. */
#include "handout.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "advice.h"
#include "text.h"

#define WARNING_MARK "ARTIST WARNING"

static int put(FILE *f, const char *s)
{
	return fputs(s, f) == EOF ? -1 : 0;
}

/* "First Last" from the stored answers (either may be missing).  Returns
 * allocated memory the caller frees, or NULL when out of memory. */
static char *client_name(const struct intake *in)
{
	const char *first = answers_get(&in->answers, "first_name");
	const char *last = answers_get(&in->answers, "last_name");
	size_t n;
	char *name;

	first = first ? first : "";
	last = last ? last : "";
	n = strlen(first) + strlen(last) + 2;
	if (!(name = malloc(n)))
		return NULL;
	snprintf(name, n, "%s%s%s", first, *first && *last ? " " : "", last);
	return name;
}

/* The day the intake was taken (its UTC timestamp's date part). */
static void taken_date(const struct intake *in, char out[64])
{
	text_stamp_part(out, 64, in->taken_at, 0, 10);
}

/* Where an advice text's warning to the artist starts in safe, or NULL. */
static const char *warning_in(const char *safe)
{
	return strstr(safe, WARNING_MARK);
}

/* True when s[0..n) holds something besides blanks. */
static bool has_words(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\n')
			return true;
	return false;
}

/* --- HTML ----------------------------------------------------------- */

/* Writes s[0..n) (already through text_safe()) with & < > " ' as
 * character references and each newline as a line break. */
static int html_escape(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *ref = NULL;

		switch (s[i]) {
		case '&':
			ref = "&amp;";
			break;
		case '<':
			ref = "&lt;";
			break;
		case '>':
			ref = "&gt;";
			break;
		case '"':
			ref = "&quot;";
			break;
		case '\'':
			ref = "&#39;";
			break;
		case '\n':
			ref = "<br>\n";
			break;
		}
		if (ref ? fputs(ref, f) == EOF : fputc(s[i], f) == EOF)
			return -1;
	}
	return 0;
}

/* Writes a stored value, made safe and escaped, on one line. */
static int html_value(FILE *f, const char *value)
{
	char *safe = text_safe(value ? value : "", false);
	int rc = -1;

	if (safe)
		rc = html_escape(f, safe, strlen(safe));
	free(safe);
	return rc;
}

static const char html_style[] =
    "<style>\n"
    "@page { margin: 18mm; }\n"
    "html { color: #000; background: #fff; }\n"
    "body { font-family: Georgia, \"DejaVu Serif\", \"Times New Roman\", serif;\n"
    "       font-size: 12pt; line-height: 1.45; max-width: 70ch;\n"
    "       margin: 2em auto; padding: 0 1em; }\n"
    "h1 { font-size: 20pt; line-height: 1.2; margin: 0 0 0.2em; }\n"
    ".subtitle { font-size: 14pt; margin: 0 0 1em; }\n"
    "dl.client { margin: 0 0 1.5em; }\n"
    "dl.client dt { font-weight: bold; float: left; clear: left; margin-right: 0.5em; }\n"
    "dl.client dd { margin: 0 0 0.2em; }\n"
    "h2 { font-size: 14pt; line-height: 1.25; margin: 1.2em 0 0.3em;\n"
    "     break-after: avoid; page-break-after: avoid; }\n"
    "section { break-inside: avoid; page-break-inside: avoid; }\n"
    "h1, h2, p, dd { overflow-wrap: anywhere; }\n"
    "p { margin: 0 0 0.6em; }\n"
    ".warning { border: 2pt solid #000; padding: 0.5em 0.75em; }\n"
    "footer { margin-top: 2em; border-top: 1pt solid #000; padding-top: 0.5em;\n"
    "         font-size: 11pt; }\n"
    "@media print { body { max-width: 174mm; margin: 0; padding: 0; } }\n"
    "</style>\n";

/* One advice: its title, its text, and any warning to the artist boxed. */
static int html_advice(FILE *f, const struct advice_item *it)
{
	char *safe = text_safe(it->text ? it->text : "", true);
	const char *warn;
	size_t before;
	int rc = -1;

	if (!safe)
		return -1;
	warn = warning_in(safe);
	before = warn ? (size_t)(warn - safe) : strlen(safe);
	if (fprintf(f, "<section class=\"advice%s\">\n<h2>", warn ? " has-warning" : "") < 0 ||
	    html_value(f, advice_title(it->id)) < 0 || put(f, "</h2>\n") < 0)
		goto out;
	if (has_words(safe, before) &&
	    (put(f, "<p>") < 0 || html_escape(f, safe, before) < 0 || put(f, "</p>\n") < 0))
		goto out;
	if (warn) {
		warn += strlen(WARNING_MARK);
		if (put(f, "<p class=\"warning\" role=\"note\"><strong>" WARNING_MARK "</strong>") <
			0 ||
		    html_escape(f, warn, strlen(warn)) < 0 || put(f, "</p>\n") < 0)
			goto out;
	}
	rc = put(f, "</section>\n");
out:
	free(safe);
	return rc;
}

int handout_print_html(FILE *f, const struct intake *in, const struct settings *s)
{
	const char *studio = s->studio_name;
	char *name = client_name(in), date[64];
	int rc = -1;

	if (!name)
		return -1;
	taken_date(in, date);
	if (put(f, "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		   "<title>") < 0)
		goto out;
	if (*studio && (html_value(f, studio) < 0 || put(f, ": advice sheet for ") < 0))
		goto out;
	if (!*studio && put(f, "Advice sheet for ") < 0)
		goto out;
	if (html_value(f, name) < 0 || put(f, "</title>\n") < 0 || put(f, html_style) < 0 ||
	    put(f, "</head>\n<body>\n<header>\n<h1>") < 0)
		goto out;
	if (*studio ? html_value(f, studio) < 0 ||
			  put(f, "</h1>\n<p class=\"subtitle\">" HANDOUT_HEADING "</p>\n") < 0
		    : put(f, HANDOUT_HEADING "</h1>\n") < 0)
		goto out;
	if (put(f, "<dl class=\"client\">\n<dt>Client:</dt><dd>") < 0 || html_value(f, name) < 0 ||
	    put(f, "</dd>\n<dt>Consultation date:</dt><dd>") < 0 || html_value(f, date) < 0 ||
	    fprintf(f, "</dd>\n<dt>Intake:</dt><dd>%lld</dd>\n</dl>\n</header>\n<main>\n", in->id) <
		0)
		goto out;
	for (size_t i = 0; i < in->advice.count; i++)
		if (html_advice(f, &in->advice.item[i]) < 0)
			goto out;
	if (put(f, "</main>\n<footer>\n<p>Keep this sheet. If anything in it is unclear, ask "
		   "your artist before your session.</p>\n</footer>\n</body>\n</html>\n") < 0)
		goto out;
	rc = 0;
out:
	free(name);
	return rc;
}

/* --- Markdown ------------------------------------------------------- */

/* Characters Markdown (CommonMark and its common extensions) may read as
 * markup anywhere in a line; a backslash before any of them is literal. */
static bool md_special(char c)
{
	return c && strchr("\\`*_[]<>#|&~!", c) != NULL;
}

/* Writes s[0..n) (already through text_safe()) with Markdown's markup
 * characters escaped.  At the start of each line, blanks are dropped (four
 * would start a code block) and list, rule and heading starters (- + = and
 * "1." "1)") escaped too.  A newline becomes a hard line break followed by
 * prefix (for a block quote's lines).  line_start says whether s itself
 * starts a line. */
static int md_escape(FILE *f, const char *s, size_t n, const char *prefix, bool line_start)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '\n') {
			if (fprintf(f, "  \n%s", prefix) < 0)
				return -1;
			line_start = true;
			continue;
		}
		if (line_start) {
			size_t d = i;

			if (c == ' ')
				continue;
			line_start = false;
			while (d < n && s[d] >= '0' && s[d] <= '9')
				d++;
			if (d > i && d < n && (s[d] == '.' || s[d] == ')')) {
				if (fwrite(s + i, 1, d - i, f) != d - i ||
				    fprintf(f, "\\%c", s[d]) < 0)
					return -1;
				i = d;
				continue;
			}
			if ((c == '-' || c == '+' || c == '=') && fputc('\\', f) == EOF)
				return -1;
		}
		if ((md_special(c) && fputc('\\', f) == EOF) || fputc(c, f) == EOF)
			return -1;
	}
	return 0;
}

/* Writes a stored value, made safe and escaped, on one line. */
static int md_value(FILE *f, const char *value)
{
	char *safe = text_safe(value ? value : "", false);
	int rc = -1;

	if (safe)
		rc = md_escape(f, safe, strlen(safe), "", true);
	free(safe);
	return rc;
}

/* One advice: a heading, its text, and any warning to the artist as a
 * bold-labelled block quote. */
static int md_advice(FILE *f, const struct advice_item *it)
{
	char *safe = text_safe(it->text ? it->text : "", true);
	const char *warn;
	size_t before;
	int rc = -1;

	if (!safe)
		return -1;
	warn = warning_in(safe);
	before = warn ? (size_t)(warn - safe) : strlen(safe);
	if (put(f, "\n## ") < 0 || md_value(f, advice_title(it->id)) < 0 || put(f, "\n") < 0)
		goto out;
	if (has_words(safe, before) &&
	    (put(f, "\n") < 0 || md_escape(f, safe, before, "", true) < 0 || put(f, "\n") < 0))
		goto out;
	if (warn) {
		warn += strlen(WARNING_MARK);
		if (put(f, "\n> **" WARNING_MARK "**") < 0 ||
		    md_escape(f, warn, strlen(warn), "> ", false) < 0 || put(f, "\n") < 0)
			goto out;
	}
	rc = 0;
out:
	free(safe);
	return rc;
}

int handout_print_markdown(FILE *f, const struct intake *in, const struct settings *s)
{
	const char *studio = s->studio_name;
	char *name = client_name(in), date[64];
	int rc = -1;

	if (!name)
		return -1;
	taken_date(in, date);
	if (*studio ? put(f, "# ") < 0 || md_value(f, studio) < 0 ||
			  put(f, "\n\n**" HANDOUT_HEADING "**\n") < 0
		    : put(f, "# " HANDOUT_HEADING "\n") < 0)
		goto out;
	if (put(f, "\n- **Client:** ") < 0 || md_value(f, name) < 0 ||
	    put(f, "\n- **Consultation date:** ") < 0 || md_value(f, date) < 0 ||
	    fprintf(f, "\n- **Intake:** %lld\n", in->id) < 0)
		goto out;
	for (size_t i = 0; i < in->advice.count; i++)
		if (md_advice(f, &in->advice.item[i]) < 0)
			goto out;
	if (put(f, "\n---\n\nKeep this sheet. If anything in it is unclear, ask your artist "
		   "before your session.\n") < 0)
		goto out;
	rc = 0;
out:
	free(name);
	return rc;
}
