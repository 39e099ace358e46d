"""`smp-intake config set|get aftercare_text`: the studio's own aftercare
text, read from a UTF-8 file (or standard input), checked, kept in
versions, shown by config get and config list, removed with ''; refused
files (binary, control characters, too large, missing, blank) change
nothing."""
import json
import os
import re

from harness import base_answers
from test_pipe_intake import PipeTest
from test_session import session as session_answers

TEXT = "Keep the treated area dry for three days.\nNo swimming or sauna for a week.\nÉvitez le soleil."


class AftercareText(PipeTest):
    def setUp(self):
        super().setUp()
        self.assertEqual(self.run_cmd("config", "set", "minimum_age", "18").returncode, 0)

    def write(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        return path

    def set_text(self, path, *extra, **kw):
        return self.run_cmd(*extra, "config", "set", "aftercare_text", path, **kw)

    def versions(self):
        return self.sql("SELECT version, text, staff FROM aftercare ORDER BY version")

    def listed(self):
        p = self.run_cmd("config", "list")
        self.assertEqual(p.returncode, 0, p.stderr)
        m = re.search(r"^aftercare_text +(.*)$", p.stdout, re.M)
        self.assertIsNotNone(m, p.stdout)
        return m.group(1)

    def test_set_get_list_and_versions(self):
        p = self.run_cmd("config", "get", "aftercare_text")
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "not set\n", ""))
        self.assertEqual(self.listed(), "not set")

        # a byte order mark, Windows line ends and blank lines around are dropped
        path = self.write("care.txt", b"\xef\xbb\xbf\r\n" + TEXT.replace("\n", "\r\n").encode()
                          + b"\r\n\r\n")
        p = self.set_text(path, "--staff", "Mia Artist")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "Stored the studio's aftercare text as version 1; session "
                                   "sheets print it under \"Your studio's aftercare\".\n")
        self.assertEqual(self.versions(), [(1, TEXT, "Mia Artist")])
        p = self.run_cmd("config", "get", "aftercare_text")
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        self.assertRegex(lines[0], r"^Version 1, set on \d{4}-\d\d-\d\d by Mia Artist:$")
        self.assertEqual("\n".join(lines[1:]), TEXT)
        self.assertRegex(self.listed(), r"^version 1, set \d{4}-\d\d-\d\d$")

        # the same text again is no new version
        p = self.set_text(path)
        self.assertEqual((p.returncode, p.stdout), (0, "The studio's aftercare text is unchanged "
                                                       "(version 1).\n"))
        self.assertEqual(len(self.versions()), 1)

        # a new text from standard input is the next version; the old one is kept
        p = self.set_text("-", input="Rest the scalp.\n")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("as version 2", p.stdout)
        self.assertEqual([v[:2] for v in self.versions()], [(1, TEXT), (2, "Rest the scalp.")])
        self.assertEqual(self.run_cmd("config", "get", "aftercare_text").stdout.splitlines()[1:],
                         ["Rest the scalp."])
        self.assertRegex(self.listed(), r"^version 2, set ")

        # '' removes it: an empty version, and none shown
        p = self.set_text("")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Removed the studio's aftercare text (version 3 is empty)", p.stdout)
        self.assertEqual(self.versions()[-1][:2], (3, ""))
        p = self.run_cmd("config", "get", "aftercare_text")
        self.assertRegex(p.stdout, r"^not set \(removed on \d{4}-\d\d-\d\d, version 3\)\n$")
        self.assertRegex(self.listed(), r"^not set \(removed on \d{4}-\d\d-\d\d\)$")
        p = self.set_text("")
        self.assertEqual((p.returncode, p.stdout),
                         (0, "The studio has no aftercare text; nothing changed.\n"))
        self.assertEqual(len(self.versions()), 3)
        # and set again
        self.assertEqual(self.set_text(path).returncode, 0)
        self.assertEqual(self.versions()[-1][:2], (4, TEXT))

    def test_refused_files_change_nothing(self):
        self.assertEqual(self.set_text(self.write("ok.txt", TEXT)).returncode, 0)
        before = self.snapshot()
        png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"
        cases = [
            (self.write("photo.png", png), "not a text file (it holds a NUL byte)"),
            (self.write("latin1.txt", "Caf\xe9 au lait".encode("latin-1")), "not UTF-8 text"),
            (self.write("tab.txt", "one\ntwo\tthree\n"), "a control character (a tab, an "
                                                         "escape...) on line 2"),
            (self.write("esc.txt", "Clear \x1b[2J screen"), "on line 1"),
            (self.write("c1.txt", "a\n\nb\u0085c"), "on line 3"),
            (self.write("cr.txt", "old\rmac"), "on line 1"),
            (self.write("big.txt", "x" * 8193), "is longer than 8192 bytes"),
            (self.write("blank.txt", " \n\n\u3000\n"), "no text: to remove the studio's "
                                                       "aftercare text give ''"),
            (self.write("empty.txt", ""), "no text"),
            (os.path.join(self.tmp, "missing.txt"), "cannot read '%s': No such file or "
                                                    "directory" % os.path.join(self.tmp,
                                                                               "missing.txt")),
            (self.tmp, "Is a directory"),
        ]
        for path, message in cases:
            with self.subTest(path=os.path.basename(path)):
                p = self.set_text(path)
                self.assert_one_line_error(p, 1)
                self.assertIn("config: aftercare_text: ", p.stderr)
                self.assertIn(message, p.stderr)
                self.assertIn("nothing changed", p.stderr)
                self.assertEqual(p.stdout, "")
        self.assertEqual(self.snapshot(), before)
        # the limit itself is taken
        p = self.set_text(self.write("limit.txt", "y" * 8192))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(self.versions()[-1][1]), 8192)

    def test_a_file_name_with_control_characters_is_shown_safely(self):
        p = self.set_text(os.path.join(self.tmp, "no\x1b[2Jsuch"))
        self.assert_one_line_error(p, 1)
        self.assertNotIn("\x1b", p.stderr)
        self.assertIn("no\\x1b[2Jsuch", p.stderr)

    def test_stored_text_is_shown_safely(self):
        self.assertEqual(self.set_text(self.write("ok.txt", "Fine.")).returncode, 0)
        import sqlite3
        con = sqlite3.connect(self.db)
        with con:
            con.execute("UPDATE aftercare SET text = 'Bad\x1b[31m\nline two'")
        con.close()
        p = self.run_cmd("config", "get", "aftercare_text")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("\x1b", p.stdout)
        self.assertEqual(p.stdout.splitlines()[1:], ["Bad\\x1b[31m", "line two"])

    def test_session_sheets_print_the_current_version(self):
        self.new_intake(base_answers())  # intake 1, Ana Silva
        path = self.write("session.json", json.dumps(session_answers()))

        def new_session():
            p = self.run_cmd("session", "new", "1", "--answers", path)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            return p.stdout

        out = new_session()
        self.assertNotIn("Your studio's aftercare", out)
        self.assertEqual(self.set_text(self.write("care.txt", TEXT)).returncode, 0)
        out = new_session()
        self.assertIn("Your studio's aftercare\n", out)
        self.assertIn(TEXT.splitlines()[0], out)
        self.assertIn(TEXT.splitlines()[2], out)
        self.assertEqual(self.set_text("").returncode, 0)
        out = new_session()
        self.assertNotIn("Your studio's aftercare", out)
        self.assertNotIn(TEXT.splitlines()[0], out)
        # each session names the version it printed; none after the removal
        self.assertEqual(self.sql("SELECT aftercare_version FROM session ORDER BY id"),
                         [(None,), (1,), (None,)])

    def test_usage(self):
        before = self.snapshot()
        for argv in (["set", "aftercare_text"], ["get", "aftercare_text", "x"],
                     ["set", "aftercare_text", "a", "b"]):
            with self.subTest(argv=argv):
                p = self.run_cmd("config", *argv)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn("usage", p.stderr)
        self.assertEqual(self.snapshot(), before)
