"""`smp-intake history INTAKE` with the course's audit rows (issue 16):
a session, a patch test's result, a photo consent change, a photo added
and removed, each in words with its fields labelled, made safe, through
the pipe and at a terminal.  Sessions come from `session new --answers`;
no command writes consent or photo rows on this branch yet, so those rows
are written with Python's sqlite3 as test setup only."""
import sqlite3

from harness import IntakeTest, base_answers
from ptyutil import strip_ansi
from test_session import SessionTest


class CourseHistory(SessionTest):
    def setUp(self):
        super().setUp()
        self.new_intake(base_answers())
        p = self.new_session(patch_test=True, lot="LOT-9")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.run_cmd("session", "result", "1", "--reaction", "mild", "--note", "redness")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.add_rows()

    def add_rows(self):
        """The consent and photo rows db_set_consent / db_save_photo /
        db_remove_photo write (src/db_course.c), as test setup."""
        con = sqlite3.connect(self.db)
        try:
            rows = [("consent", [("photos_consent", "yes", "no")]),
                    ("photo-add", [("photo_uuid", None, "u-1"), ("view", None, "crown"),
                                   ("media_type", None, "image/png\x1b[31m"), ("size", None, "120"),
                                   ("sha256", None, "ab" * 32), ("session_id", None, "1")]),
                    ("photo-rm", [("photo_uuid", "u-1", None), ("view", "crown", None),
                                  ("sha256", "ab" * 32, None)])]
            for action, changes in rows:
                cur = con.execute("INSERT INTO audit (at, staff, action, client_id, intake_id) "
                                  "VALUES ('2099-01-01T10:00:00Z', 'desk', ?, 1, 1)", (action,))
                for field, old, new in changes:
                    con.execute("INSERT INTO audit_change (audit_id, field, old_value, new_value) "
                                "VALUES (?, ?, ?, ?)", (cur.lastrowid, field, old, new))
            con.commit()
        finally:
            con.close()

    def check(self, out):
        self.assertIn("session of the course recorded", out)
        self.assertIn("    Session number: 1\n", out)
        self.assertIn("    Areas treated: frontal,crown\n", out)
        self.assertIn("    Artist: Kim Lee\n", out)
        self.assertIn("    Patch test: yes\n", out)
        self.assertIn("    ID seen: passport\n", out)
        self.assertIn("    Artist's countersignature: Kim Lee\n", out)
        self.assertNotIn("(none) -> Kim Lee", out)
        self.assertIn("    Pigment lot: LOT-9\n", out)
        self.assertIn("    Type: image/png", out)
        self.assertNotIn("\x1b[31m", out)               # stored text made safe
        self.assertIn("patch test result recorded", out)
        self.assertIn("    Reaction: (none) -> mild\n", out)
        self.assertIn("    Reaction note: (none) -> redness\n", out)
        self.assertIn("photo consent changed", out)
        self.assertIn("    Photos kept in the record: yes -> no\n", out)
        self.assertIn("photo added", out)
        self.assertIn("    View: crown\n", out)
        self.assertIn("    SHA-256: " + "ab" * 32 + "\n", out)
        self.assertIn("photo removed", out)
        self.assertIn("    View: crown -> (removed)\n", out)
        for raw in ("session-result", "photos_consent", "photo-add", "photo-rm",
                    "session_number", "performed_on"):
            self.assertNotIn(raw, out)

    def test_pipe(self):
        p = self.run_cmd("history", "1")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.check(p.stdout)
        self.assertIn(("history",), self.sql("SELECT command FROM access_log"))

    def test_terminal(self):
        child = self.spawn("history", "1", columns=200)
        out = child.read()
        child.close()
        self.assertEqual(child.exitstatus, 0, out)
        self.check(strip_ansi(out).replace("\r\n", "\n"))
