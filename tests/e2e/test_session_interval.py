"""A session sooner after the course's last one than the studio's
course_interval_days: at the terminal the artist is asked whether to
record it all the same (no keeps the draft, saves no session); through a
pipe or --answers it is recorded with a one-line warning on standard error.
Patch tests and sessions far enough apart get no word."""

import datetime

import pexpect

from harness import base_answers
from ptyutil import type_line
from test_session import PIPE_LINES, SessionTest

TODAY = datetime.date.today()


def day(n):
    return (TODAY - datetime.timedelta(days=n)).isoformat()


class Interval(SessionTest):
    def setUp(self):
        super().setUp()
        self.new_intake(base_answers())

    def recorded(self, p):
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stderr

    def test_same_day_and_close_sessions_warned_through_answers(self):
        self.assertEqual(self.recorded(self.new_session(performed_on=day(20))), "")
        # 20 days later: the studio's 14 are kept, no word
        self.assertEqual(self.recorded(self.new_session(performed_on=day(0))), "")
        err = self.recorded(self.new_session())
        self.assertEqual(err.splitlines(), [
            "smp-intake: warning: session 3 is on the same day as session 2, sooner than the "
            "studio's 14 days between sessions (course_interval_days); recorded as given"])
        self.run_cmd("config", "set", "course_interval_days", "30")
        err = self.recorded(self.new_session(performed_on=day(5)))
        self.assertIn("session 4 is 15 days after session 1 (%s)" % day(20), err)
        self.assertEqual(self.sql("SELECT count(*) FROM session"), [(4,)])

    def test_a_patch_test_gets_no_word(self):
        self.recorded(self.new_session(patch_test=True))
        self.assertEqual(self.recorded(self.new_session()), "")
        self.assertEqual(self.recorded(self.new_session(patch_test=True)), "")

    def test_through_the_pipe(self):
        self.recorded(self.new_session())
        p = self.run_cmd("session", "new", "1", input="\n".join(PIPE_LINES) + "\n")
        self.assertIn("warning: session 2 is on the same day as session 1", self.recorded(p))
        self.assertEqual(self.sql("SELECT number FROM session ORDER BY number"), [(1,), (2,)])

    def at_terminal(self, answer):
        self.recorded(self.new_session())
        child = self.spawn("session", "new", "1")
        child.expect_exact("[yes/no]: ")
        type_line(child, "no")
        for a in ["", "", "Kim Lee", "crown", "", "", "", "", "", "", "", "", "passport",
                  "Kim Lee"]:
            child.expect(r": \S*")
            type_line(child, a)
        child.expect_exact("Session 2 is on the same day as session 1, sooner than the "
                           "studio's 14 days between sessions.")
        child.expect_exact("Record it all the same? [yes/no]: ")
        type_line(child, "maybe")
        child.expect_exact("Answer yes or no.")
        child.expect_exact("Record it all the same? [yes/no]: ")
        type_line(child, answer)
        return child

    def test_at_the_terminal_yes_records_it(self):
        child = self.at_terminal("yes")
        child.expect_exact("Client's full name (Enter: not now): ")
        type_line(child, "Ana Silva")
        child.expect_exact("Saved session 2: session 2 of intake 1, acknowledged by the client.")
        child.expect(pexpect.EOF)
        child.close()
        self.assertEqual(child.exitstatus, 0)
        self.assertEqual(self.sql("SELECT count(*) FROM session"), [(2,)])

    def test_at_the_terminal_no_keeps_the_draft(self):
        child = self.at_terminal("no")
        child.expect_exact("kept as draft")
        child.expect(pexpect.EOF)
        child.close()
        self.assertEqual(child.exitstatus, 1)
        self.assertEqual(self.sql("SELECT count(*) FROM session"), [(1,)])
        self.assertEqual(self.sql("SELECT count(*) FROM draft WHERE session_intake_id = 1"),
                         [(1,)])
