"""`smp-intake find`: at a terminal the table fits its width; a name too
long for it is cut at a character and ends with "…", after escaping, so
escapes stay visible and count.  Through a pipe every name is whole."""
import sqlite3
import unicodedata

import pexpect

from harness import IntakeTest, base_answers
from ptyutil import strip_ansi

LONG_FIRST = "Maximiliana Wilhelmina Theodora"
LONG_LAST = "Featherstonehaugh-Cholmondeley"
ELLIPSIS = "\u2026"
FIXED = 38  # client, intake, taken, born and their spaces


def columns(line):
    """Display columns of a line, as a terminal shows it."""
    cols = 0
    for ch in line:
        if unicodedata.combining(ch):
            continue
        cols += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return cols


class FindTable(IntakeTest):
    def find(self, text, cols=None):
        """find's lines through a pipe, or at a terminal of cols columns."""
        if cols is None:
            p = self.run_cmd("find", text)
            self.assertEqual(p.returncode, 0, p.stderr)
            return p.stdout.splitlines()
        child = self.spawn("find", text, columns=cols)
        child.expect(pexpect.EOF)
        child.close()
        self.assertEqual(child.exitstatus, 0)
        return strip_ansi(child.before).replace("\r", "").splitlines()

    def test_short_names_keep_the_usual_layout(self):
        self.new_intake(base_answers())
        lines = self.find("sil", 40)
        self.assertEqual(lines[0], "client  intake  taken      born       n" + ELLIPSIS)
        self.assertRegex(lines[1], r"^1       1       \d{4}-\d\d-\d\d 1985-07-23 A" + ELLIPSIS + "$")
        lines = self.find("sil", 80)
        self.assertEqual(lines[0], "client  intake  taken      born       name")
        self.assertRegex(lines[1], r"^1       1       \d{4}-\d\d-\d\d 1985-07-23 Ana Silva$")

    def test_a_long_name_is_cut_to_the_width(self):
        self.new_intake(base_answers(first_name=LONG_FIRST, last_name=LONG_LAST))
        full = LONG_FIRST + " " + LONG_LAST
        for cols in (40, 41, 50, 60, 61, 62, 80, FIXED + len(full) - 1):
            with self.subTest(columns=cols):
                lines = self.find("Max", cols)
                self.assertEqual(len(lines), 2)
                for line in lines:
                    self.assertLessEqual(columns(line), cols, line)
                name = lines[1][FIXED:]
                self.assertTrue(name.endswith(ELLIPSIS), name)
                self.assertTrue(full.startswith(name[:-1]), name)
                self.assertFalse(name[:-1].endswith(" "), "a blank before the mark: %r" % name)
                # nothing is given away that fits
                self.assertGreaterEqual(columns(lines[1]), cols - 1)

    def test_a_long_name_shows_whole_when_there_is_room(self):
        self.new_intake(base_answers(first_name=LONG_FIRST, last_name=LONG_LAST))
        full = LONG_FIRST + " " + LONG_LAST
        for cols in (FIXED + len(full), 200):
            with self.subTest(columns=cols):
                lines = self.find("Max", cols)
                self.assertEqual(lines[1][FIXED:], full)
                self.assertNotIn(ELLIPSIS, "".join(lines))

    def test_through_a_pipe_the_name_is_whole(self):
        self.new_intake(base_answers(first_name=LONG_FIRST, last_name=LONG_LAST))
        lines = self.find("Max")
        self.assertEqual(lines[1][FIXED:], LONG_FIRST + " " + LONG_LAST)

    def test_wide_characters_count_two_columns(self):
        self.new_intake(base_answers(first_name="李小龍", last_name="龍" * 20))
        for cols in (40, 41, 42, 50, 51):
            with self.subTest(columns=cols):
                lines = self.find("李", cols)
                self.assertLessEqual(columns(lines[1]), cols, lines[1])
                self.assertGreaterEqual(columns(lines[1]), cols - 2, lines[1])
                self.assertTrue(lines[1].endswith(ELLIPSIS))

    def test_combining_marks_stay_with_their_letter(self):
        name = "Chloe\u0301" * 10  # an e and a combining acute: one column
        self.new_intake(base_answers(first_name="Zoe", last_name=name))
        lines = self.find("Zoe", 48)  # the cut falls just after an é
        self.assertEqual(columns(lines[1]), 48)
        self.assertTrue(lines[1].endswith("e\u0301" + ELLIPSIS), lines[1])

    def test_escapes_stay_visible_and_count(self):
        self.new_intake(base_answers(first_name="Eve", last_name="Smith"))
        # Names with control characters are refused at intake; a file edited
        # by hand can still hold them.
        con = sqlite3.connect(self.db)
        with con:
            con.execute("UPDATE client SET last_name = ? WHERE id = 1",
                        ("Sm\x1b[31mith\u202e" + "x" * 40,))
        con.close()
        lines = self.find("Eve", 200)
        self.assertEqual(lines[1][FIXED:], "Eve Sm\\x1b[31mith\\u202e" + "x" * 40)
        for cols in (40, 50, 60, 70):
            with self.subTest(columns=cols):
                lines = self.find("Eve", cols)
                self.assertNotIn("\x1b", "".join(lines))
                self.assertNotIn("\u202e", "".join(lines))
                self.assertEqual(columns(lines[1]), cols)
                self.assertTrue(lines[1].endswith(ELLIPSIS))


class FindSearch(IntakeTest):
    """What `find` matches: words of the name and the email by their start,
    the phone by its digits, blind to case and accents; what is typed is
    never search syntax."""

    def found(self, text):
        """The client numbers `find TEXT` lists; asserts a clean run."""
        p = self.run_cmd("find", text)
        self.assertEqual(p.stderr, "", text)
        if p.returncode == 1:
            self.assertEqual(p.stdout, "No client found.\n", text)
            return []
        self.assertEqual(p.returncode, 0, text)
        lines = p.stdout.splitlines()
        self.assertEqual(lines[0].split(), ["client", "intake", "taken", "born", "name"])
        return sorted(int(l.split()[0]) for l in lines[1:])

    def setUp(self):
        super().setUp()
        self.new_intake(base_answers(first_name="Zoë", last_name="Dubois",
                                     phone="+44 7700 900123", email="zoe.dubois@example.com"))
        self.new_intake(base_answers(first_name="Zoe", last_name="Martin",
                                     phone="07700 900456"))
        self.new_intake(base_answers(first_name="ANA", last_name="O'Brien",
                                     email="ana@example.org"))

    def check(self, cases):
        for text, want in cases:
            with self.subTest(text=text):
                self.assertEqual(self.found(text), want)

    def test_names_ignore_case_and_accents(self):
        self.check([
            ("Zoe", [1, 2]), ("zoë", [1, 2]), ("ZOË", [1, 2]), ("zoe dub", [1]),
            ("Dubois Zoé", [1]), ("mart", [2]), ("ana", [3]), ("o'bri", [3]),
            ("zoe ana", []), ("ubois", []), ("zzz", []),
        ])

    def test_phone_by_its_digits(self):
        self.check([
            ("+44 7700 900123", [1]), ("447700", [1]), ("07700 900123", [1]),
            ("07700900", [1, 2]), ("+44 7700 900456", [2]), ("(07700) 900-456", [2]),
            ("900123", []), ("07700 900999", []),
        ])

    def test_email_by_its_start(self):
        self.check([
            ("zoe.dubois@", [1]), ("zoe.dubois@exa", [1]), ("ZOE.DUBOIS@EXAMPLE.COM", [1]),
            ("ana@example.o", [3]), ("ana@example.com", []), ("zoe@example", []),
            ("dubois@example", [1]),  # a word inside the address starts a match too
        ])

    def test_what_is_typed_is_never_syntax(self):
        self.check([
            ("\"' OR 1=1 --", []), ("x' OR '1'='1", []), ("zoe OR ana", []),
            ("NEAR(zoe ana)", []), ("zoe AND", []), ("name:zoe", []), ("^dubois", [1]),
            ("-dubois", [1]), ("zoe*", [1, 2]), ("(ana)", [3]), ('"ana"', [3]),
            ("'); DROP TABLE client; --", []),
        ])
        self.assertEqual(self.sql("SELECT count(*) FROM client"), [(3,)])

    def test_nothing_to_search_is_a_usage_error(self):
        for text in ("'", '"', "*", "---", "- -", "%_", "()", "…", "  "):
            with self.subTest(text=text):
                p = self.run_cmd("find", text)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertEqual(p.stdout, "")
                self.assertRegex(p.stderr, r"^smp-intake: find: .*name.*email.*phone.*\n$")
        # "--" alone ends the options (as for every command): no text at all.
        p = self.run_cmd("find", "--")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertTrue(p.stderr.startswith("usage: smp-intake find TEXT"), p.stderr)
