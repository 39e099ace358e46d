"""`smp-intake advice ID --format text|markdown|html`: text is the sheet as
before; markdown and html are a handout for the client with the studio's
name, the client, every stored advice and the pause dates, in which no
stored value becomes markup.  The HTML is printed to PDF by headless
Chromium on A4 and on Letter and read back with pdftotext."""
import datetime
import os
import pathlib
import re
import sqlite3
import subprocess
import tempfile
import unittest

from harness import IntakeTest, base_answers, iso, today

CHROMIUM = "/usr/bin/chromium"
PDFTOTEXT = "/usr/bin/pdftotext"
PDFINFO = "/usr/bin/pdfinfo"
HEADING = "Scalp micropigmentation: your advice sheet"
HOSTILE_FIRST = "<script>alert(1)</script>"
ESC_LAST = "Silva\x1b[2J"          # stored directly: the pipe refuses control characters
SHOWN_NAME = HOSTILE_FIRST + " Silva\\x1b[2J"  # as text_safe() shows it


def words(text):
    """text with every run of blanks and line ends as one space."""
    return " ".join(text.split())


class Handout(IntakeTest):
    def setUp(self):
        super().setUp()
        self.session = today() + datetime.timedelta(days=30)
        self.new_intake(base_answers(
            first_name=HOSTILE_FIRST, uses_rogaine="yes", rogaine_form="foam",
            rogaine_since="2024-01-10", gp_discussed="yes", gp_signoff="pending",
            planned_session_date=iso(self.session)))
        con = sqlite3.connect(self.db)
        try:
            with con:
                con.execute("UPDATE client SET last_name = ?", (ESC_LAST,))
        finally:
            con.close()
        # the studio's usual pause (schema defaults: 7 days either side)
        self.stop = iso(self.session - datetime.timedelta(days=7))
        self.resume = iso(self.session + datetime.timedelta(days=7))

    def set_studio(self, name):
        con = sqlite3.connect(self.db)
        try:
            with con:
                con.execute("UPDATE setting SET value = ? WHERE key = 'studio_name'", (name,))
        finally:
            con.close()

    def advice(self, *args):
        p = self.run_cmd("advice", *args)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        return p.stdout

    def store_an_old_warning(self):
        """Makes the stored sheet one of advice 2026.2, whose gp-signoff
        text carried the artist's warning inline: printed as stored, the
        warning set apart."""
        con = sqlite3.connect(self.db)
        try:
            with con:
                con.execute(
                    "UPDATE advice_sheet SET text = 'Talk SMP and your hair-growth treatment "
                    "through with your GP, and get their go-ahead before the first session. "
                    "GP sign-off: pending. ARTIST WARNING: do not start the first session until "
                    "the GP has given the go-ahead.' WHERE advice_id = 'gp-signoff'")
        finally:
            con.close()

    def titles(self):
        """The advice titles, read from the text sheet ("Title  [id]")."""
        titles = re.findall(r"(?m)^(\S.*?)  \[[a-z0-9-]+\]$", self.advice("1", "--for", "artist"))
        stored = self.sql("SELECT count(*) FROM advice_sheet WHERE intake_id = 1")[0][0]
        self.assertEqual(len(titles), stored)
        self.assertGreaterEqual(len(titles), 4)
        return titles

    def test_text_is_the_sheet_as_before(self):
        sheet = self.advice("1")
        self.assertIn("Advice for", sheet)
        self.assertEqual(self.advice("1", "--format", "text"), sheet)
        self.assertEqual(self.advice("--format=text", "1"), sheet)
        self.assertEqual(self.advice("--", "1"), sheet)

    def test_usage_errors(self):
        cases = [
            (["1", "--format", "pdf"], "unknown format 'pdf'"),
            (["1", "--format=HTML"], "unknown format 'HTML'"),
            (["1", "--format"], "unknown option, or an option without its value"),
            (["1", "--colour"], "unknown option, or an option without its value"),
            (["1", "2", "--format", "html"], "usage: smp-intake advice"),
            (["--format", "html"], "usage: smp-intake advice"),
            (["x", "--format", "html"], "ID must be a positive whole number"),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                p = self.run_cmd("advice", *args)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertEqual(p.stdout, "")
                self.assertIn(message, p.stderr)
        p = self.run_cmd("advice", "99", "--format", "markdown")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertIn("no intake 99", p.stderr)

    def test_markdown_handout(self):
        self.set_studio("Studio X")
        md = self.advice("1", "--format", "markdown")
        self.assertTrue(md.startswith("# Studio X\n\n**%s**\n" % HEADING), md)
        self.assertIn("- **Client:** \\<script\\>alert(1)\\</script\\> Silva\\\\x1b\\[2J\n", md)
        self.assertNotIn("\x1b", md)
        self.assertIsNone(re.search(r"(?<!\\)<", md), md)
        self.assertIn("- **Consultation date:** %s\n" % iso(today()), md)
        for title in self.titles():
            self.assertIn("\n## %s\n" % title, md)
        # The client's handout: the GP's answer in plain words, no warning
        # to the artist.
        self.assertIn("There will be no SMP session until your GP has said yes", md)
        self.assertNotIn("ARTIST WARNING", md)
        self.store_an_old_warning()
        md = self.advice("1", "--format", "markdown")
        self.assertIn("\n> **ARTIST WARNING**: do not start", md)
        self.assertIn(self.stop, md)
        self.assertIn(self.resume, md)

    def test_html_without_studio_name_has_a_neutral_heading(self):
        html = self.advice("1", "--format", "html")
        self.assertIn("<h1>%s</h1>" % HEADING, html)
        self.assertIn("<title>Advice sheet for &lt;script&gt;", html)
        self.assertNotIn("subtitle\">", html)
        md = self.advice("1", "--format", "markdown")
        self.assertTrue(md.startswith("# %s\n\n- **Client:**" % HEADING), md)

    def test_html_is_self_contained_and_escaped(self):
        self.set_studio("Ink & <i>Co</i>")
        html = self.advice("1", "--format=html")
        self.assertTrue(html.startswith("<!doctype html>\n<html lang=\"en\">\n"), html[:80])
        self.assertIn("<meta charset=\"utf-8\">", html)
        self.assertIn("@page { margin: 18mm; }", html)
        self.assertIn("<h1>Ink &amp; &lt;i&gt;Co&lt;/i&gt;</h1>", html)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt; Silva\\x1b[2J", html)
        for bad in ("<script", "<i>", "\x1b", "<link", "<img", "url(", "@import", "http"):
            self.assertNotIn(bad, html)
        for title in self.titles():
            self.assertIn("<h2>%s</h2>" % title.replace("'", "&#39;"), html)
        self.assertNotIn("ARTIST WARNING", html)
        self.store_an_old_warning()
        html = self.advice("1", "--format=html")
        self.assertIn('<p class="warning" role="note"><strong>ARTIST WARNING</strong>', html)

    @unittest.skipUnless(os.access(CHROMIUM, os.X_OK) and os.access(PDFTOTEXT, os.X_OK),
                         "needs Debian's chromium and poppler-utils")
    def test_html_prints_on_a4_and_letter(self):
        self.set_studio("Studio X")
        html = self.advice("1", "--format", "html")
        titles = self.titles()
        for size, name in (("A4", "A4"), ("letter", "letter")):
            with self.subTest(size=size):
                text = self.print_to_text(html, size, name)
                self.assertIn("Studio X", text)
                self.assertIn(HEADING, text)
                self.assertIn(SHOWN_NAME, text)  # shown as text: it did not become markup
                self.assertIn(iso(today()), text)
                for title in titles:
                    self.assertIn(title, text)
                self.assertIn("Ask your GP first", text)
                self.assertNotIn("ARTIST WARNING", text)
                self.assertIn("stop topical products on %s" % self.stop, text)
                self.assertIn("start again on %s" % self.resume, text)

    def print_to_text(self, html, size, name):
        """Prints a copy of html forced to page size with headless Chromium;
        checks the PDF's page size; returns its text with blanks collapsed."""
        page = os.path.join(self.tmp, "handout-%s.html" % size)
        pdf = os.path.join(self.tmp, "handout-%s.pdf" % size)
        forced = html.replace("</style>", "@page { size: %s; }\n</style>" % size, 1)
        self.assertNotEqual(forced, html)
        with open(page, "w", encoding="utf-8") as f:
            f.write(forced)
        profile = tempfile.mkdtemp(dir=self.tmp)
        env = dict(os.environ, HOME=self.tmp)
        p = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--user-data-dir=" + profile, "--no-pdf-header-footer",
             "--print-to-pdf=" + pdf, pathlib.Path(page).as_uri()],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=120)
        self.assertTrue(os.path.exists(pdf) and os.path.getsize(pdf) > 0,
                        "chromium wrote no PDF (exit %d):\n%s" % (p.returncode, p.stderr[-2000:]))
        if os.access(PDFINFO, os.X_OK):
            info = subprocess.run([PDFINFO, pdf], stdout=subprocess.PIPE, timeout=30,
                                  check=True).stdout.decode()
            self.assertRegex(info, r"Page size: .* pts \(%s\)" % name)
            pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
            self.assertLessEqual(pages, 3, info)
        out = subprocess.run([PDFTOTEXT, "-enc", "UTF-8", pdf, "-"], stdout=subprocess.PIPE,
                             timeout=30, check=True).stdout.decode("utf-8")
        return words(out)


if __name__ == "__main__":
    unittest.main()
