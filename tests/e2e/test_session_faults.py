"""session new and session result under a kill and a full disk.  SIGKILL
at random points of `session new` (through the pipe, from --answers, at a
terminal) and at fixed ones (waiting for the client's name after the sheet,
at every question at a terminal) leaves the file whole and every save in
it whole: a session row is there with its audit row, on the intake
revision it names, and with its draft gone, or none of these; an edit the
re-screening made is there with its revision, sheet and audit row, or not
at all; the audit chain verifies.  A draft is kept at the terminal with
exactly the answers given.  A full disk is one line of error with a
non-zero exit and nothing half saved, and the same save works once there
is room.  Seeds as test_kills.py.  Each new session is a day before the
ones already saved, so that none is sooner after another than the studio's
course_interval_days (test_session_interval.py; the warning of one is said
only once it is saved, which one test here checks on a full disk).

The re-screening's change is saved as an edit before the session (the
intake's new advice is shown and acknowledged first; test_session.py's
not-ready refusal keeps it): a kill or a full disk between the two leaves
the edit without the session, which these tests accept as whole."""
import datetime
import json
import os
import sqlite3
import subprocess
import time

import pexpect

from harness import BIN, WRAPPER, base_answers
from ptyutil import record, type_line
from test_faults import PAGE, SHM, FaultTest
from test_kills import kill, seeded
from test_session import PIPE_LINES, SessionTest, session

PIPE_KILLS, FILE_KILLS, TERMINAL_KILLS = (3, 3, 2) if WRAPPER else (20, 20, 10)
TODAY = datetime.date.today().isoformat()
# The session's questions at a terminal, and what is typed at each.
ASKED = [("performed_on", "Date of the session [today]: ", ""),
         ("session_number", "Session number in the course [", ""),
         ("artist", "Artist (your name as you sign): ", "Kim Lee"),
         ("areas", "Areas treated (", "crown"),
         ("pigment_brand", "Pigment brand (Enter: none): ", "Acme"),
         ("shade", "Shade (Enter: none): ", ""),
         ("lot", "Batch/lot (Enter: none): ", "L-9"),
         ("lot_expiry", "Lot expiry date (", "2099-01"),
         ("needle", "Needle (Enter: none): ", ""),
         ("dilution", "Dilution (Enter: none): ", ""),
         ("notes", "Notes (Enter: none): ", ""),
         ("patch_test", "Was this a patch test? [no]: ", ""),
         ("id_checked", "ID seen to check the client's age (", "passport"),
         ("countersigned", "Countersignature (type your name again): ", "Kim Lee")]
ACK = "Client's full name (Enter: not now): "


def rescreen_lines(detail):
    """The pipe's lines of a re-screening that changes the blood thinners'
    detail (the questions again, Enter keeping the others), then the
    client's name for the new advice."""
    return ["yes", "", "", "", "", "none", "yes", detail, "", "", "", "Ana Silva"]


class SessionFaults(SessionTest, FaultTest):
    def setUp(self):
        super().setUp()
        self.new_intake(base_answers())
        self.back = 0

    def earlier(self):
        """A day before every session so far."""
        self.back += 1
        return (datetime.date.today() - datetime.timedelta(days=self.back)).isoformat()

    def pipe_lines(self, rescreen=None):
        """The pipe's lines of a session on an earlier day (after the
        re-screening's lines when given)."""
        lines = list(PIPE_LINES)
        lines[1] = self.earlier()
        return "\n".join((rescreen + lines[1:]) if rescreen else lines) + "\n"

    def ro(self, query):
        """Reads the database read-only, as a check must."""
        con = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True)
        try:
            return con.execute(query).fetchall()
        finally:
            con.close()

    def state(self):
        """(intake 1's revision, its sessions, drafts) as stored."""
        return (self.ro("SELECT revision FROM intake WHERE id = 1")[0][0],
                self.ro("SELECT count(*) FROM session")[0][0],
                self.ro("SELECT count(*) FROM draft")[0][0])

    def assert_whole(self, what):
        """Nothing half saved: returns state()."""
        self.assertEqual(self.ro("PRAGMA integrity_check"), [("ok",)], what)
        # Each session has its audit row (naming it), and the revision it
        # was recorded on exists.
        rows = self.ro("SELECT id, intake_revision, uuid FROM session ORDER BY id")
        audited = self.ro("SELECT c.new_value FROM audit a JOIN audit_change c ON "
                          "c.audit_id = a.id WHERE a.action = 'session' AND "
                          "c.field = 'session_uuid' ORDER BY a.id")
        self.assertEqual([r[2] for r in rows], [a[0] for a in audited],
                         "a session without its audit row, or the other way: " + what)
        revision = self.ro("SELECT revision FROM intake WHERE id = 1")[0][0]
        for _, on, _ in rows:
            self.assertLessEqual(on, revision, what)
        # Each re-screening's edit: one revision, one sheet, one audit row.
        edits = self.ro("SELECT count(*) FROM audit WHERE action = 'edit'")[0][0]
        sheets = self.ro("SELECT count(DISTINCT sheet) FROM advice_sheet WHERE intake_id = 1")
        self.assertEqual((revision, sheets[0][0]), (edits + 1, edits + 1), what)
        # What the commands say agrees.
        p = self.run_cmd("session", "list")
        self.assertEqual(p.returncode, 0, p.stderr)
        listed = p.stdout.splitlines()[1:] if rows else []
        self.assertEqual(sorted(int(l.split()[0]) for l in listed), [r[0] for r in rows], what)
        p = self.run_cmd("verify")
        self.assertEqual(p.returncode, 0, what + ": " + p.stdout + p.stderr)
        return self.state()

    def records(self):
        """Every table but the access log (session list adds to it)."""
        return [(t, rows) for t, rows in self.snapshot() if t != "access_log"]

    def popen(self, *args):
        return subprocess.Popen(WRAPPER + [BIN, *args], stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=self.env)

    def timed(self, *args, input=None):
        start = time.monotonic()
        p = self.run_cmd(*args, input=input)
        self.assertEqual(p.returncode, 0, p.stderr)
        return time.monotonic() - start

    def killed_at_random(self, kills, args, input_for, allowed):
        """Runs args (input from input_for(i)) killed at random points over
        the measured run time; after each, the state is whole and one that
        allowed(before, now) accepts.  Returns how many finished."""
        seed, rnd = seeded()
        took = self.timed(*args(-1), input=input_for(-1))
        state, finished = self.assert_whole("the measured run"), 0
        for i in range(kills):
            delay = rnd.random() * took * 1.2
            what = "seed %d, kill %d after %.1f ms" % (seed, i, delay * 1000)
            with self.subTest(what):
                p = self.popen(*args(i))
                p.stdin.write(input_for(i).encode())
                p.stdin.close()
                time.sleep(delay)
                kill(p)
                p.wait()
                now = self.assert_whole(what)
                self.assertTrue(allowed(state, now), "%s: %r then %r" % (what, state, now))
                self.assertEqual(now[2], 0, "a draft through the pipe: " + what)
                finished += now[1] > state[1]
                state = now
        return finished

    def test_through_the_pipe_killed_at_random_points(self):
        finished = self.killed_at_random(
            PIPE_KILLS, lambda i: ["session", "new", "1"], lambda i: self.pipe_lines(),
            lambda was, now: now[0] == was[0] and now[1] in (was[1], was[1] + 1))
        if not WRAPPER:
            self.assertLess(finished, PIPE_KILLS, "no kill came before the save")

    def test_through_the_pipe_with_a_rescreen_change_killed_at_random_points(self):
        def lines(i):
            return self.pipe_lines(rescreen_lines("apixaban %d" % i))

        def allowed(was, now):
            # nothing; the edit alone; the edit and the session
            return now[:2] in ((was[0], was[1]), (was[0] + 1, was[1]),
                               (was[0] + 1, was[1] + 1))
        self.killed_at_random(PIPE_KILLS, lambda i: ["session", "new", "1", "--override",
                                                     "GP phoned: fine"], lines, allowed)

    def test_from_an_answers_file_killed_at_random_points(self):
        def args(i):
            change = {"changed": True, "answers": {"blood_thinners": "yes",
                                                   "blood_thinners_detail": "warfarin %d" % i}}
            return ["session", "new", "1", "--override", "GP phoned: fine", "--answers",
                    self.write(session(rescreen=change, performed_on=self.earlier()),
                               "s%d.json" % (i + 1))]

        def allowed(was, now):
            return now[:2] in ((was[0], was[1]), (was[0] + 1, was[1]),
                               (was[0] + 1, was[1] + 1))
        self.killed_at_random(FILE_KILLS, args, lambda i: "", allowed)

    def test_killed_waiting_for_the_clients_name_after_the_sheet(self):
        """Everything before the last line given: the re-screening's edit
        saved, the showing logged; the session not saved."""
        p = self.popen("session", "new", "1", "--override", "GP phoned: fine")
        p.stdin.write(("\n".join(rescreen_lines("apixaban") + PIPE_LINES[1:-1]) + "\n").encode())
        p.stdin.flush()
        deadline = time.monotonic() + 30
        while self.ro("SELECT count(*) FROM access_log")[0][0] == 0:
            self.assertIsNone(p.poll(), "it ended without the client's name")
            self.assertLess(time.monotonic(), deadline, "the sheet never came")
            time.sleep(0.02)
        time.sleep(0.05)
        kill(p)
        p.stdin.close()
        p.wait()
        self.assertEqual(self.assert_whole("after the sheet"), (2, 0, 0))
        self.assertEqual(self.ro("SELECT command FROM access_log"), [("session",)])
        # The same lines again: the change is in the intake already, so the
        # re-screening finds none, and the session is saved on revision 2.
        p = self.run_cmd("session", "new", "1", "--override", "GP phoned: fine",
                         input="\n".join(rescreen_lines("apixaban") + PIPE_LINES[1:]) + "\n")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.assert_whole("saved after"), (2, 1, 0))
        self.assertEqual(self.ro("SELECT rescreen, intake_revision FROM session"),
                         [("unchanged", 2)])

    def test_a_wrong_name_after_a_rescreen_change_says_what_is_saved(self):
        """Through the pipe the client's name is read after the sheet, when
        the re-screening's edit is saved: the refusal says so, not
        'nothing saved'."""
        p = self.run_cmd("session", "new", "1", "--override", "GP phoned: fine",
                         input="\n".join(rescreen_lines("apixaban") + PIPE_LINES[1:-1] +
                                         ["Eve Smith"]) + "\n")
        self.assert_one_line_error(p)
        self.assertIn("client_ack: the name typed is not the client's first and last name; "
                      "the re-screening's changes are saved, the session is not", p.stderr)
        self.assertEqual(self.assert_whole("refused"), (2, 0, 0))

    def type_until(self, child, stop, number):
        """At a terminal: the re-screening (nothing changed), then the first
        stop questions answered; waits for the next prompt.  Returns the
        draft's answers expected by then."""
        child.expect_exact("[yes/no]: ")
        type_line(child, "no")
        kept = {}
        for qid, prompt, typed in ASKED[:stop]:
            if qid == "performed_on":
                typed = self.earlier()
            child.expect_exact(prompt)
            type_line(child, typed)
            kept[qid] = (typed if qid == "performed_on" else str(number)
                         if qid == "session_number" else "no" if qid == "patch_test"
                         else typed or None)
        child.expect_exact(ASKED[stop][1] if stop < len(ASKED) else ACK)
        if kept:
            kept["rescreen"] = "unchanged"
        return kept

    def test_at_a_terminal_killed_at_every_question_and_in_the_save(self):
        seed, rnd = seeded()
        stops = list(range(len(ASKED) + 2))
        rnd.shuffle(stops)
        stops = stops[:TERMINAL_KILLS]
        state = self.assert_whole("before")
        for i, stop in enumerate(stops):
            at_save = stop == len(ASKED) + 1  # the client's name typed, then killed
            delay = rnd.random() * (0.5 if WRAPPER else 0.05)
            what = "seed %d, kill %d at question %d, %.1f ms after" % (seed, i, stop,
                                                                         delay * 1000)
            with self.subTest(what):
                child = self.spawn("session", "new", "1")
                record(child)
                kept = self.type_until(child, min(stop, len(ASKED)), state[1] + 1)
                child.send("Ana Silva\r" if at_save else "hal")
                time.sleep(delay)
                kill(child)
                child.expect(pexpect.EOF)
                child.close()
                now = self.assert_whole(what)
                self.assertEqual(now[0], state[0], what)
                if now[1] > state[1]:
                    self.assertTrue(at_save, what)
                    self.assertEqual(now[2], 0, "the draft outlived the save: " + what)
                    self.assertEqual(self.ro("SELECT client_ack FROM session ORDER BY id "
                                             "DESC LIMIT 1"), [("Ana Silva",)], what)
                else:
                    self.assertEqual(now[1], state[1], what)
                    drafts = self.ro("SELECT id FROM draft")
                    self.assertEqual(len(drafts), 1 if kept else 0, what)
                    self.assertEqual(dict(self.ro("SELECT question_id, value FROM "
                                                  "draft_answer")), kept, what)
                    if drafts:
                        p = self.run_cmd("drafts", "--discard", str(drafts[0][0]))
                        self.assertEqual(p.returncode, 0, p.stderr)
                state = self.state()

    def test_at_a_terminal_killed_after_a_rescreen_change_keeps_the_draft(self):
        child = self.spawn("session", "new", "1", "--override", "GP letter on file")
        child.expect_exact("[yes/no]: ")
        type_line(child, "yes")
        child.expect_exact("Enter keeps the answer in brackets.")
        for a in ["", "", "", "", "", "", "yes", "nickel", "", ""]:
            child.expect(r": ")
            type_line(child, a)
        child.expect_exact("The re-screening's changes are saved: intake 1, revision 2")
        for qid, prompt, typed in ASKED[:3]:
            child.expect_exact(prompt)
            type_line(child, typed)
        child.expect_exact(ASKED[3][1])
        kill(child)
        child.expect(pexpect.EOF)
        child.close()
        self.assertEqual(self.assert_whole("killed"), (2, 0, 1))
        self.assertEqual(dict(self.ro("SELECT question_id, value FROM draft_answer")),
                         {"rescreen": "changed", "performed_on": TODAY,
                          "session_number": "1", "artist": "Kim Lee"})
        # Continued: the re-screening is not asked again, and the session
        # says it changed.
        child = self.spawn("session", "new", "1", "--override", "GP letter on file")
        child.expect_exact("Continuing draft 1, a session of intake 1.")
        for qid, prompt, typed in ASKED[3:]:
            child.expect_exact(prompt)
            type_line(child, typed)
        child.expect_exact(ACK)
        type_line(child, "Ana Silva")
        child.expect_exact("Saved session 1")
        child.expect(pexpect.EOF)
        child.close()
        self.assertEqual(child.exitstatus, 0)
        self.assertEqual(self.assert_whole("continued"), (2, 1, 0))
        self.assertEqual(self.ro("SELECT rescreen, intake_revision FROM session"),
                         [("changed", 2)])

    def fill_levels(self, run):
        """run(limit) at a full disk from a page to many pages of room: each
        either saves or fails with one line; returns how many failed."""
        failed = 0
        for pages in range(0, 40, 3):
            what = "%d pages of room" % pages
            with self.subTest(what):
                state = self.state()
                p = run(SHM + PAGE * pages)
                now = self.assert_whole(what)
                if p.returncode == 0:
                    self.assertEqual(p.stderr, "", what)
                else:
                    self.assert_one_line_error(p)
                    self.assertRegex(p.stderr, "cannot write to the disk|disk is full", what)
                    self.assertNotIn("Saved session", p.stdout, what)
                    self.assertEqual(now[1], state[1], what)
                    failed += 1
        return failed

    def test_disk_full_during_session_new_from_a_file_and_the_pipe(self):
        failed = self.fill_levels(lambda limit: self.run_limited(
            limit, "session", "new", "1", "--answers",
            self.write(session(performed_on=self.earlier()))))
        self.assertGreater(failed, 0, "the disk was never full enough")
        failed = self.fill_levels(lambda limit: self.run_limited(
            limit, "session", "new", "1", input=self.pipe_lines()))
        self.assertGreater(failed, 0, "the disk was never full enough")
        # Once there is room again, the same save works.
        saved = self.state()[1]
        self.assertEqual(self.new_session().returncode, 0)
        self.assertEqual(self.assert_whole("after")[1], saved + 1)

    def test_disk_full_during_session_new_with_a_rescreen_change(self):
        n = [0]

        def run(limit):
            n[0] += 1
            change = {"changed": True, "answers": {"blood_thinners": "yes",
                                                   "blood_thinners_detail": "warfarin %d" % n[0]}}
            return self.run_limited(limit, "session", "new", "1", "--override", "GP: fine",
                                    "--answers", self.write(session(
                                        rescreen=change, performed_on=self.earlier())))
        self.assertGreater(self.fill_levels(run), 0)

    def test_disk_full_with_an_interval_warning_says_only_why(self):
        """A session on the same day as another, which a pipe or a file
        records with a warning: on a full disk nothing is recorded, and the
        one line says why, not the warning's 'recorded as given'."""
        self.assertEqual(self.new_session().returncode, 0)
        path = self.write(session(), "again.json")
        p = self.run_limited(SHM, "session", "new", "1", "--answers", path)
        self.assert_one_line_error(p)
        self.assertRegex(p.stderr, "cannot write to the disk|disk is full")
        self.assertNotIn("recorded as given", p.stderr)
        self.assertEqual(self.assert_whole("full")[1], 1)
        for p in (self.run_cmd("session", "new", "1", "--answers", path),
                  self.run_cmd("session", "new", "1", input="\n".join(PIPE_LINES) + "\n")):
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("Saved session", p.stdout)
            self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
            self.assertIn("on the same day as session 1", p.stderr)
            self.assertIn("recorded as given", p.stderr)
        self.assertEqual(self.assert_whole("after")[1], 3)

    def test_disk_full_during_session_result(self):
        # A result is a few pages, less than the room for the -shm file:
        # with another connection open, the WAL holds the session's save
        # before it, and the result's pages go after those.
        holder = sqlite3.connect(self.db)
        self.addCleanup(holder.close)
        holder.execute("SELECT count(*) FROM session").fetchall()
        self.assertEqual(self.new_session(patch_test=True).returncode, 0)
        self.assertGreater(os.path.getsize(self.db + "-wal"), SHM + PAGE * 3)
        before = self.records()
        failed = 0
        for pages in range(0, 3):
            what = "%d pages of room" % pages
            with self.subTest(what):
                p = self.run_limited(SHM + PAGE * pages, "session", "result", "1",
                                     "--reaction", "mild", "--note", "slight redness")
                self.assert_whole(what)
                if p.returncode == 0:
                    break
                self.assert_one_line_error(p)
                self.assertRegex(p.stderr, "cannot write to the disk|disk is full", what)
                self.assertNotIn("slight redness", p.stderr)
                self.assertEqual(p.stdout, "", what)
                self.assertEqual(self.records(), before, what)
                failed += 1
        self.assertGreater(failed, 0, "the disk was never full enough")
        holder.close()
        if p.returncode != 0:  # once there is room again, the same works
            p = self.run_cmd("session", "result", "1", "--reaction", "mild", "--note",
                             "slight redness")
            self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.ro("SELECT reaction, reaction_note FROM session"),
                         [("mild", "slight redness")])
        self.assertEqual(self.ro("SELECT count(*) FROM audit WHERE action = "
                                 "'session-result'"), [(1,)])
