"""Drafts: at a terminal every answer is stored as it is given, so Ctrl-C,
a closed terminal or a killed process loses at most the answer being
typed; `drafts` lists them, `drafts --discard` removes one, `resume`
continues where it stopped, and drafts never show up as intakes."""
import os
import random
import signal
import sqlite3
import time

import pexpect

from harness import ORDER, IntakeTest, applies, base_answers, given_before, pipe_lines
from ptyutil import (ACK, PROMPTS, STOPPED, answer_all, finish, keep_stored, record,
                     type_line)

TREATED = dict(phone="+44 7700 900123", hair_loss_notes="Crown, two years",
               uses_rogaine="yes", rogaine_form="solution", gp_discussed="yes",
               gp_signoff="obtained", gp_name="Dr Okafor", gp_signoff_date="2026-11-01")


class DraftTest(IntakeTest):
    def stop_at(self, answers, qid):
        """Types answers at a terminal up to qid's prompt, then Ctrl-C;
        returns the draft number printed."""
        child = self.spawn("new")
        record(child)
        answer_all(child, answers, stop=qid)
        child.sendcontrol("c")
        child.expect_exact(STOPPED)
        child.expect(r"(\d+) \(smp-intake resume \1\)")
        draft = int(child.match.group(1))
        self.assertEqual(finish(self, child), 1)
        return draft

    def remaining_lines(self, answers, qid):
        """The pipe lines for qid and the questions after it."""
        rest = ORDER[ORDER.index(qid):]
        return "".join(answers.get(q, "") + "\n" for q in rest if applies(q, answers))


class Drafts(DraftTest):
    def test_a_stopped_intake_is_listed_and_never_an_intake(self):
        a = base_answers(**TREATED)
        d = self.stop_at(a, "uses_rogaine")
        self.assertEqual(d, 1)
        p = self.run_cmd("drafts")
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        self.assertEqual(lines[0].split(), ["draft", "changed", "(UTC)", "staff", "what", "client",
                                            "stopped", "at"])
        self.assertRegex(lines[1], r"^1 +\d{4}-\d\d-\d\d \d\d:\d\d Dana Staff +new intake +"
                                   r"Ana Silva +Minoxidil \(Rogaine/Regaine\)$")
        self.assertEqual(self.export(), [])
        self.assertEqual(self.run_cmd("list").stdout.strip(), "No intake found.")
        self.assertEqual(self.run_cmd("ids").stdout, "")

    def test_resume_through_a_pipe_continues_where_it_stopped(self):
        a = base_answers(**TREATED)
        d = self.stop_at(a, "uses_rogaine")
        p = self.run_cmd("resume", str(d), input=self.remaining_lines(a, "uses_rogaine"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Saved intake 1 for client 1.", p.stdout)
        got = self.export()[0]
        self.assertEqual(got["client"]["phone"], "+44 7700 900123")
        self.assertEqual(got["answers"]["hair_loss_notes"], "Crown, two years")
        self.assertEqual(got["answers"]["rogaine_form"], "solution")
        self.assertEqual(got["gp_signoff"]["gp_name"], "Dr Okafor")
        self.assertEqual(self.sql("SELECT count(*) FROM draft"), [(0,)])
        self.assertEqual(self.sql("SELECT count(*) FROM draft_answer"), [(0,)])

    def test_resume_at_a_terminal_asks_only_what_is_left(self):
        a = base_answers(**TREATED)
        d = self.stop_at(a, "gp_signoff")
        child = self.spawn("resume")  # this staff member's latest draft
        rec = record(child)
        child.expect_exact("Resuming an intake.")
        answer_all(child, a, start="gp_signoff")
        type_line(child, "yes")
        child.expect_exact("Saved intake 1 for client 1.")
        child.expect_exact(ACK)
        type_line(child, "Ana Silva")
        child.expect_exact("Acknowledged by the client: intake 1, advice sheet 1.")
        self.assertEqual(finish(self, child), 0)
        self.assertNotIn(PROMPTS["first_name"], rec.text)
        self.assertNotIn(PROMPTS["uses_rogaine"].split(" [")[0], rec.text)
        self.assertEqual(self.export()[0]["gp_signoff"]["status"], "obtained")
        self.assertEqual(d, 1)

    def test_new_mentions_open_drafts(self):
        self.stop_at(base_answers(), "phone")
        child = self.spawn("new")
        child.expect_exact("1 unfinished intake is kept as draft: smp-intake drafts lists them")
        child.expect_exact(PROMPTS["consent_storage"])
        child.sendcontrol("c")
        self.assertEqual(finish(self, child), 1)

    def test_discard(self):
        d = self.stop_at(base_answers(), "email")
        p = self.run_cmd("drafts", "--discard", str(d))
        self.assertEqual((p.returncode, p.stdout), (0, "Discarded draft %d.\n" % d))
        self.assertEqual(self.sql("SELECT count(*) FROM draft_answer"), [(0,)])
        p = self.run_cmd("drafts", "--discard", str(d))
        self.assertEqual((p.returncode, p.stderr),
                         (1, "smp-intake: no draft %d (see smp-intake drafts)\n" % d))
        self.assertEqual(self.run_cmd("drafts").stdout,
                         "No unfinished intakes, edits or sessions.\n")
        for bad in (["--discard", "x"], ["--discard"], ["--bogus"]):
            with self.subTest(args=bad):
                p = self.run_cmd("drafts", *bad)
                self.assertEqual(p.returncode, 2)
                self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
        # As every command without operands says it (one parser for all).
        p = self.run_cmd("drafts", "extra")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stderr, "smp-intake: drafts takes no arguments besides its options\n")

    def test_resume_errors(self):
        self.assertEqual(self.run_cmd("config", "set", "minimum_age", "18").returncode, 0)
        p = self.run_cmd("resume")
        self.assertEqual((p.returncode, p.stderr), (1, "smp-intake: no draft of yours to resume "
                                                       "(smp-intake drafts lists them all)\n"))
        p = self.run_cmd("resume", "7")
        self.assertEqual((p.returncode, p.stderr),
                         (1, "smp-intake: no draft 7 (see smp-intake drafts)\n"))
        self.assertEqual(self.run_cmd("resume", "x").returncode, 2)
        self.stop_at(base_answers(), "email")
        env = dict(self.env, SMP_INTAKE_STAFF="Sam Other")
        p = self.run_cmd("resume", env=env)
        self.assertEqual(p.returncode, 1)  # not Sam's draft
        # A bad answer through the pipe keeps the draft as it was.
        p = self.run_cmd("resume", "1", input="not-an-email\n")
        self.assertEqual(p.returncode, 1)
        self.assertIn("email:", p.stderr)
        self.assertEqual(self.sql("SELECT count(*) FROM draft"), [(1,)])

    def test_a_draft_saved_elsewhere_meanwhile_is_not_saved_twice(self):
        a = base_answers()
        d = self.stop_at(a, "uses_rogaine")
        child = self.spawn("resume", str(d))
        rec = record(child)
        answer_all(child, a, start="uses_rogaine")
        # The terminal stored every answer in the draft as it was given, so
        # this resume asks nothing: its one line is the acknowledgement.
        p = self.run_cmd("resume", str(d), input="Ana Silva\n")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Saved intake 1 for client 1.", p.stdout)
        type_line(child, "yes")
        child.expect_exact("smp-intake: draft %d was saved or discarded elsewhere meanwhile; "
                           "nothing saved" % d)
        self.assertEqual(finish(self, child), 1)
        self.assertNotIn("kept as draft", rec.text.split("elsewhere meanwhile")[1])
        self.assertEqual(self.sql("SELECT count(*) FROM intake"), [(1,)])

    def test_no_at_the_summary_discards_the_draft(self):
        child = self.spawn("new")
        record(child)
        answer_all(child, base_answers())
        type_line(child, "no")
        child.expect_exact("intake cancelled; nothing saved")
        self.assertEqual(finish(self, child), 1)
        self.assertEqual(self.sql("SELECT count(*) FROM draft"), [(0,)])

    def test_a_pipe_keeps_no_draft(self):
        p = self.run_cmd("new", input=pipe_lines(base_answers())[:20])
        self.assertEqual(p.returncode, 1)
        self.assertEqual(self.sql("SELECT count(*) FROM draft"), [(0,)])

    def test_an_edit_stopped_is_a_draft_and_resumes(self):
        self.new_intake(base_answers(phone="+44 7700 900123"))
        child = self.spawn("edit", "1")
        record(child)
        child.expect_exact("Editing intake 1.")
        keep_stored(child, ORDER[:4])
        child.expect_exact("Phone (optional) (+44 7700 900123): ")
        type_line(child, "+44 7700 900456")
        child.expect_exact("Email (optional): ")
        child.sendcontrol("c")
        child.expect_exact("edit stopped; your changes so far are kept as draft 1")
        self.assertEqual(finish(self, child), 1)
        self.assertIn("edit of 1", self.run_cmd("drafts").stdout)
        self.assertEqual(self.sql("SELECT question_id, value FROM draft_answer"),
                         [("phone", "+44 7700 900456")])
        rest = "".join("\n" for q in ORDER[5:] if applies(q, base_answers()))
        p = self.run_cmd("resume", "1", input=rest)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.export()[0]["client"]["phone"], "+44 7700 900456")
        self.assertEqual(self.sql("SELECT count(*) FROM draft"), [(0,)])


class ClosedTerminal(DraftTest):
    def test_a_closed_terminal_leaves_the_draft(self):
        a = base_answers(**TREATED)
        child = self.spawn("new")
        record(child)
        answer_all(child, a, stop="gp_discussed")
        child.send("ye")
        child.expect_exact("ye")
        child.kill(signal.SIGHUP)  # what the terminal's closing sends
        child.expect(pexpect.EOF)
        child.close()
        self.assertEqual(self.sql("PRAGMA integrity_check"), [("ok",)])
        self.assertEqual(self.sql("SELECT count(*) FROM intake"), [(0,)])
        self.assertEqual(dict(self.sql("SELECT question_id, value FROM draft_answer")),
                         given_before(a, "gp_discussed"))


class KilledMidIntake(DraftTest):
    """SIGKILL at random points of a scripted intake: afterwards the file
    passes integrity_check, no intake is half saved, and every answer given
    before the kill is in the draft."""

    def check_after_kill(self, answers, stop):
        con = sqlite3.connect(self.db)
        try:
            self.assertEqual(con.execute("PRAGMA integrity_check").fetchall(), [("ok",)])
            intakes = con.execute("SELECT count(*) FROM intake").fetchone()[0]
            if intakes:
                # Killed after the save: all of it is there, and no draft.
                self.assertEqual(intakes, 1)
                self.assertEqual(con.execute("SELECT count(*) FROM draft").fetchone()[0], 0)
                self.assertEqual(self.export()[0]["client"]["first_name"], answers["first_name"])
                return
            self.assertEqual(con.execute("SELECT count(*) FROM client").fetchone()[0], 0)
            self.assertEqual(con.execute("SELECT count(*) FROM answer").fetchone()[0], 0)
            rows = dict(con.execute("SELECT question_id, value FROM draft_answer").fetchall())
        finally:
            con.close()
        self.assertEqual(rows, given_before(answers, stop))

    def test_sigkill_at_random_points(self):
        seed = int(os.environ.get("SMP_KILL_SEED", time.time()))
        rnd = random.Random(seed)
        a = base_answers(**TREATED)
        asked = [q for q in ORDER if applies(q, a)]
        points = sorted(rnd.sample(range(1, len(asked) + 1), 6)) + [len(asked) + 1]
        for n in points:
            with self.subTest(seed=seed, answered=n):
                if os.path.exists(self.db):
                    for suffix in ("", "-wal", "-shm"):
                        if os.path.exists(self.db + suffix):
                            os.unlink(self.db + suffix)
                child = self.spawn("new")
                record(child)
                stop = asked[n] if n < len(asked) else None
                if n <= len(asked):
                    answer_all(child, a, stop=stop)
                    # Half an answer typed, then the kill.
                    child.send("half")
                    time.sleep(rnd.random() * 0.05)
                else:
                    answer_all(child, a)
                    type_line(child, "yes")  # killed while (or after) saving
                    time.sleep(rnd.random() * 0.05)
                    stop = None
                try:
                    os.kill(child.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass  # it saved and exited first
                child.expect(pexpect.EOF)
                child.close()
                if child.signalstatus is None:
                    self.assertEqual((n, child.exitstatus), (len(asked) + 1, 0))
                else:
                    self.assertEqual(child.signalstatus, signal.SIGKILL)
                self.check_after_kill(a, stop)
