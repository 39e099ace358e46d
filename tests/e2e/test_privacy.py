"""Privacy checks of docs/security.md that no other file makes: a refused
answer is named by its question, never quoted, and what is deleted (a
discarded draft) is overwritten in the file, not left in free pages.
(Debian's SQLite is built with secure_delete on; the program turns it on
itself for any other build, and this test checks the outcome.)"""
import json
import os

from harness import base_answers, pipe_lines
from ptyutil import STOPPED, answer_all, finish, record
from test_pipe_intake import PipeTest

MARK = "Zqvoxmarker"


class ErrorsNameTheField(PipeTest):
    def test_refused_values_are_never_quoted(self):
        cases = {"email": MARK + "@", "phone": "+44 " + MARK, "date_of_birth": MARK,
                 "planned_session_date": "1999-" + MARK, "consent_storage": MARK,
                 "uses_rogaine": MARK}
        for qid, value in cases.items():
            for how in ("pipe", "answers"):
                with self.subTest(question=qid, how=how):
                    a = base_answers(**{qid: value})
                    if how == "pipe":
                        p = self.run_cmd("new", input=pipe_lines(a))
                    else:
                        p = self.run_cmd("new", "--answers", "-",
                                         input=json.dumps({"answers": a}))
                    self.assert_one_line_error(p)
                    self.assertIn(qid, p.stderr)
                    self.assertNotIn(MARK, p.stderr)
                    self.assertNotIn(MARK, p.stdout)
                    self.assert_nothing_saved()


class SecureDelete(PipeTest):
    def test_a_discarded_draft_leaves_no_trace_in_the_file(self):
        self.new_intake(base_answers())  # the file exists, in WAL mode
        child = self.spawn("new")
        record(child)
        answer_all(child, base_answers(first_name=MARK, last_name=MARK + "son"),
                   stop="date_of_birth")
        child.sendeof()  # Ctrl-D on the empty line stops it, keeping a draft
        child.expect_exact(STOPPED)
        self.assertEqual(finish(self, child), 1)
        with open(self.db, "rb") as f:
            self.assertIn(MARK.encode(), f.read(), "the draft was not in the file to start with")
        p = self.run_cmd("drafts", "--discard", "1")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertFalse(os.path.exists(self.db + "-wal") and os.path.getsize(self.db + "-wal"),
                         "the WAL was not folded into the file at exit")
        with open(self.db, "rb") as f:
            self.assertNotIn(MARK.encode(), f.read(), "deleted text is still in the file")
        self.assertEqual(self.sql("PRAGMA integrity_check"), [("ok",)])
