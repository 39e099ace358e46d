"""Answer validation through the pipe: the table in cases/validation.json
(one case per row), then the byte-level cases a JSON table cannot hold
(invalid UTF-8, NUL bytes, a 1 MB line) and multi-line notes."""

from harness import base_answers, pipe_lines, sample
from test_pipe_intake import PipeTest, expand, lines_for, load_cases


def answers_for(case):
    # gp_discussed is only sent when a treatment makes it apply.
    a = base_answers(gp_discussed="no")
    a.update({k: expand(v) for k, v in case["set"].items()})
    return a


class ValidationTable(PipeTest):
    def test_refused_answers(self):
        cases = load_cases("validation.json")["refused"]
        self.assertGreater(len(cases), 50)
        for n, case in enumerate(sample(cases)):
            with self.subTest(q=case["q"], set=case["set"]):
                self.fresh_db("case%d" % n)
                p = self.new_raw(lines_for(answers_for(case)))
                self.assert_refused(p, case["q"], case["error"])

    def test_accepted_answers(self):
        cases = load_cases("validation.json")["accepted"]
        self.assertGreater(len(cases), 40)
        for case in sample(cases):
            with self.subTest(q=case["q"], set=case["set"]):
                before = self.sql("SELECT count(*) FROM intake")[0][0] if self.db_exists() else 0
                p = self.new_raw(lines_for(answers_for(case)))
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertIn("Saved intake %d " % (before + 1), p.stdout)
                self.assertEqual(self.stored(case["q"]), expand(case["stored"]))

    def db_exists(self):
        import os
        return os.path.exists(self.db)

    def test_age_limits_follow_the_minimum_age_of_today(self):
        # The day before the 18th birthday is refused, the birthday accepted:
        # computed here so the test holds on every day of the year.
        from harness import years_ago
        p = self.new_raw(pipe_lines(base_answers(date_of_birth=years_ago(18, 1).isoformat())))
        self.assert_refused(p, "date_of_birth", "minors")
        p = self.new_raw(pipe_lines(base_answers(date_of_birth=years_ago(18).isoformat())))
        self.assertEqual(p.returncode, 0, p.stderr)


class Bytes(PipeTest):
    HEAD = b"yes\n"
    # The screening questions (2026.2, no defaults) answered so that nothing
    # is flagged, other_medication left empty.
    SCREENING = b"none\nno\nno\nno\nnot_applicable\n\n"
    # The assessment (2026.4): scale, treatment, no hairline style, no photos.
    ASSESSMENT = b"norwood_3\nfull_head\n\nno\n"

    def lines(self, first_name=b"Ana", notes=b""):
        """Raw pipe input with a given first name and notes (bytes)."""
        return (b"yes\n" + first_name + b"\nSilva\n1985-07-23\n\n\n" + notes +
                b"\n" + self.ASSESSMENT + b"no\nno\nno\nno\n" + self.SCREENING + b"no\n\n")

    def test_the_raw_helper_is_a_valid_intake(self):
        p = self.new_raw(self.lines())
        self.assertEqual(p.returncode, 0, p.stderr)
        # Each line reached its own question.
        self.assertEqual([self.stored(q) for q in ("uses_other_medical", "scalp_conditions",
                                                   "pregnant_or_breastfeeding",
                                                   "wants_root_cause_help")],
                         ["no", "none", "not_applicable", "no"])

    def test_invalid_utf8_refused(self):
        for bad in (b"An\xffa", b"\xc3\x28", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
                    b"Ana\xe2\x82"):
            with self.subTest(bytes=bad):
                p = self.new_raw(self.lines(first_name=bad))
                self.assert_refused(p, "first_name", "UTF-8")
        p = self.new_raw(self.lines(notes=b"thin \xfe crown"))
        self.assert_refused(p, "hair_loss_notes", "UTF-8")

    def test_nul_bytes_dropped(self):
        p = self.new_raw(self.lines(first_name=b"Bo\0b", notes=b"\0crown\0"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.stored("first_name"), "Bob")
        self.assertEqual(self.stored("hair_loss_notes"), "crown")

    def test_megabyte_line_refused_without_crash(self):
        big = b"a" * (1 << 20)
        p = self.new_raw(self.lines(first_name=big))
        self.assert_refused(p, "first_name", "too long")
        p = self.new_raw(self.lines(notes=big))
        self.assert_refused(p, "hair_loss_notes", "too long")

    def test_notes_continue_after_a_trailing_backslash(self):
        p = self.new_raw(self.lines(notes=b"crown thinning\\\nsince 2019\\\n  temples too"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.stored("hair_loss_notes"),
                         "crown thinning\nsince 2019\n  temples too")
        # The next line after the notes was read as uses_rogaine.
        self.assertEqual(self.stored("uses_rogaine"), "no")

    def test_backslash_inside_a_line_is_kept(self):
        p = self.new_raw(self.lines(notes=b"C:\\path \\n not a newline"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.stored("hair_loss_notes"), "C:\\path \\n not a newline")

    def test_notes_keep_escape_sequences_as_typed(self):
        notes = b"\x1b]0;pwned\x07 and \x1b[2J cleared"
        p = self.new_raw(self.lines(notes=notes))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.stored("hair_loss_notes"), notes.decode())
