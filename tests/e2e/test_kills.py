"""SIGKILL at random points of edits (through a pipe and at a terminal)
and of `export -o FILE`.  After every kill the file passes integrity_check;
an edit is either not there at all or all there, with its advice sheet,
revision and audit row; an export leaves a complete file or none under
FILE (a temporary file left by the kill is private), and the database
unchanged.  The delays are random; the seed is printed, and
SMP_KILL_SEED=N replays a run (test_drafts.py kills `new` the same way)."""
import json
import os
import random
import signal
import sqlite3
import stat
import subprocess
import sys
import time
import uuid

import pexpect

from harness import BIN, ORDER, WRAPPER, IntakeTest, applies, base_answers
from ptyutil import ENTER, prompt_start, record, type_line
from test_edit import edit_lines

# Fewer kills under valgrind, where each run takes seconds: the point is
# the spread of kill times, which the measured run time scales.
PIPE_KILLS, TERMINAL_KILLS, EXPORT_KILLS = (4, 2, 4) if WRAPPER else (25, 8, 25)
CLIENT_FIELDS = ("first_name", "last_name", "date_of_birth", "phone", "email")

A = base_answers(phone="+44 7700 900111", hair_loss_notes="crown", uses_rogaine="yes",
                 rogaine_form="solution", gp_discussed="no")
B = base_answers(phone="+44 7700 900222", email="b@example.com", hair_loss_notes="temples",
                 uses_rogaine="no")
# What an edit from one to the other types ("-" clears an optional answer).
TO_B = dict(phone=B["phone"], email=B["email"], hair_loss_notes=B["hair_loss_notes"],
            uses_rogaine="no")
TO_A = dict(phone=A["phone"], email="-", hair_loss_notes=A["hair_loss_notes"],
            uses_rogaine="yes", rogaine_form="solution", gp_discussed="no")


def seeded():
    seed = int(os.environ.get("SMP_KILL_SEED") or time.time())
    sys.stderr.write("(kill seed %d: SMP_KILL_SEED=%d replays it) " % (seed, seed))
    return seed, random.Random(seed)


def kill(proc_or_child):
    try:
        os.kill(proc_or_child.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # it finished first


class KillTest(IntakeTest):
    def content(self):
        """Intake 1 as stored: every answer and client field by question
        id, and the advice ids of its latest sheet."""
        con = sqlite3.connect(self.db)
        try:
            values = dict(zip(CLIENT_FIELDS, con.execute(
                "SELECT %s FROM client WHERE id = 1" % ", ".join(CLIENT_FIELDS)).fetchone()))
            values.update(con.execute("SELECT question_id, value FROM answer "
                                      "WHERE intake_id = 1").fetchall())
            advice = [r[0] for r in con.execute(
                "SELECT advice_id FROM advice_sheet WHERE intake_id = 1 AND sheet = "
                "(SELECT max(sheet) FROM advice_sheet WHERE intake_id = 1) ORDER BY position")]
        finally:
            con.close()
        return {k: v for k, v in values.items() if v is not None}, advice

    def assert_consistent(self, before, states, what):
        """After a kill: integrity_check is ok, intake 1 is one of states
        (as before, or fully edited), and its revision, sheets and audit
        say the same.  Returns its content."""
        self.assertEqual(self.sql("PRAGMA integrity_check"), [("ok",)], what)
        now = self.content()
        self.assertIn(now, states, "half an edit: " + what)
        edits = self.sql("SELECT count(*) FROM audit WHERE action = 'edit'")[0][0]
        revision = self.sql("SELECT revision FROM intake WHERE id = 1")[0][0]
        sheets = self.sql("SELECT count(DISTINCT sheet) FROM advice_sheet WHERE intake_id = 1")
        self.assertEqual((revision, sheets[0][0]), (edits + 1, edits + 1), what)
        if now != before:
            # The newest audit row holds exactly this edit's changes.
            changes = {f: (o, n) for f, o, n in self.sql(
                "SELECT field, old_value, new_value FROM audit_change WHERE audit_id = "
                "(SELECT max(id) FROM audit WHERE action = 'edit')")}
            old, new = before[0], now[0]
            want = {k: (old.get(k), new.get(k)) for k in set(old) | set(new)
                    if old.get(k) != new.get(k)}
            self.assertEqual(changes, want, what)
        return now

    def edit_to_other(self):
        """Edits intake 1 through the pipe to the other of A and B
        (without a kill); returns the content after."""
        a_now = self.content()[0].get("uses_rogaine") == "yes"
        stored, changes = (A, TO_B) if a_now else (B, TO_A)
        p = self.run_cmd("edit", "1", input=edit_lines(stored, changes))
        self.assertEqual(p.returncode, 0, p.stderr)
        return self.content()


class KilledEdits(KillTest):
    def setUp(self):
        super().setUp()
        self.new_intake(A)
        self.state_a = self.content()
        self.state_b = self.edit_to_other()
        self.assertEqual(self.edit_to_other(), self.state_a)
        self.assertNotEqual(self.state_a, self.state_b)

    def lines_to_other(self, state):
        return edit_lines(A, TO_B) if state == self.state_a else edit_lines(B, TO_A)

    def test_edit_through_a_pipe_killed_at_random_points(self):
        seed, rnd = seeded()
        # How long a whole edit takes here: the kills spread over it.
        start = time.monotonic()
        self.edit_to_other()
        took = time.monotonic() - start
        state, finished = self.content(), 0
        for i in range(PIPE_KILLS):
            delay = rnd.random() * took * 1.2
            what = "seed %d, kill %d after %.1f ms" % (seed, i, delay * 1000)
            with self.subTest(what):
                p = subprocess.Popen(WRAPPER + [BIN, "edit", "1"], stdin=subprocess.PIPE,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     env=self.env)
                p.stdin.write(self.lines_to_other(state).encode())
                p.stdin.close()
                time.sleep(delay)
                kill(p)
                p.wait()
                other = self.state_b if state == self.state_a else self.state_a
                now = self.assert_consistent(state, [state, other], what)
                finished += now != state
                state = now
                self.assertEqual(self.sql("SELECT count(*) FROM draft"), [(0,)], what)
        # Some kills came too late, some too early: both ends were tried.
        if not WRAPPER:
            self.assertLess(finished, PIPE_KILLS, "seed %d: no kill came before the save" % seed)

    def test_edit_at_a_terminal_killed_at_random_points(self):
        seed, rnd = seeded()
        state = self.content()
        for i in range(TERMINAL_KILLS):
            to_b = state == self.state_a
            stored, changes = (A, TO_B) if to_b else (B, TO_A)
            merged = dict(stored, **{k: v for k, v in changes.items() if v != "-"})
            asked = [q for q in ORDER if applies(q, merged)]
            stop = rnd.randint(0, len(asked))  # len(asked): killed at or after the save
            delay = rnd.random() * (0.5 if WRAPPER else 0.05)
            what = "seed %d, kill %d at question %d of %d, %.1f ms after" % (
                seed, i, stop, len(asked), delay * 1000)
            with self.subTest(what):
                child = self.spawn("edit", "1")
                record(child)
                child.expect_exact("Editing intake 1.")
                for q in asked[:stop]:
                    child.expect_exact(prompt_start(q))
                    type_line(child, changes.get(q, ""))
                if stop < len(asked):
                    child.expect_exact(prompt_start(asked[stop]))
                    child.send("hal")  # half an answer typed
                else:
                    child.expect_exact("Save these changes? [yes/no]: ")
                    child.send("yes" + ENTER)
                time.sleep(delay)
                kill(child)
                child.expect(pexpect.EOF)
                child.close()
                other = self.state_b if to_b else self.state_a
                now = self.assert_consistent(state, [state, other], what)
                drafts = self.sql("SELECT id FROM draft")
                if now != state:
                    self.assertEqual(drafts, [], "the draft outlived the save: " + what)
                else:
                    # Every answer kept in the draft is one that was given.
                    for q, v in self.sql("SELECT question_id, value FROM draft_answer"):
                        given = changes.get(q)
                        self.assertEqual(v, None if given == "-" else given, what)
                    if drafts:
                        p = self.run_cmd("drafts", "--discard", str(drafts[0][0]))
                        self.assertEqual(p.returncode, 0, p.stderr)
                state = now


class KilledExports(KillTest):
    INTAKES = 40 if WRAPPER else 1500

    def setUp(self):
        super().setUp()
        self.new_intake(base_answers(hair_loss_notes="crown " * 40))
        self.grow(self.INTAKES)
        self.snap = self.records()
        p = self.run_cmd("export")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.want = json.loads(p.stdout)
        self.assertEqual(len(self.want), self.INTAKES)
        self.out = os.path.join(self.tmp, "out", "export.json")
        os.mkdir(os.path.dirname(self.out))

    def records(self):
        """Every table but the access log, which each export adds a row to."""
        return [(t, rows) for t, rows in self.snapshot() if t != "access_log"]

    def logged(self):
        return self.sql("SELECT count(*) FROM access_log")[0][0]

    def grow(self, n):
        """Copies intake 1 (its answers and advice) until there are n, so
        that an export takes long enough to be killed in the middle."""
        con = sqlite3.connect(self.db)
        with con:
            for i in range(2, n + 1):
                con.execute("INSERT INTO intake (id, uuid, client_id, taken_at, staff, revision) "
                            "SELECT ?, ?, client_id, taken_at, staff, revision FROM intake "
                            "WHERE id = 1", (i, str(uuid.uuid4())))
                con.execute("INSERT INTO answer SELECT ?, question_id, value FROM answer "
                            "WHERE intake_id = 1", (i,))
                con.execute("INSERT INTO advice_sheet (intake_id, sheet, position, advice_id, "
                            "text) SELECT ?, sheet, position, advice_id, text FROM advice_sheet "
                            "WHERE intake_id = 1", (i,))
        con.close()

    def test_export_killed_at_random_points(self):
        seed, rnd = seeded()
        folder = os.path.dirname(self.out)
        start = time.monotonic()
        p = self.run_cmd("export", "-o", self.out)
        took = time.monotonic() - start
        self.assertEqual(p.returncode, 0, p.stderr)
        whole = 0
        for i in range(EXPORT_KILLS):
            # Every other kill replaces an earlier file (--force): what is
            # there afterwards is the old file or the new one, whole.
            force = i % 2 == 1
            old = b"[]\n"
            if force:
                with open(self.out, "wb") as f:
                    f.write(old)
            elif os.path.exists(self.out):
                os.unlink(self.out)
            delay = rnd.random() * took * 1.2
            what = "seed %d, kill %d after %.1f ms%s" % (seed, i, delay * 1000,
                                                          " (--force)" if force else "")
            with self.subTest(what):
                logged = self.logged()
                p = subprocess.Popen(WRAPPER + [BIN, "export", "-o", self.out] +
                                     (["--force"] if force else []),
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, env=self.env)
                time.sleep(delay)
                kill(p)
                p.wait()
                if os.path.exists(self.out):
                    with open(self.out, "rb") as f:
                        data = f.read()
                    if data != old:
                        self.assertEqual(json.loads(data), self.want, "a partial file: " + what)
                        self.assertEqual(stat.S_IMODE(os.stat(self.out).st_mode), 0o600)
                        # The row is written before the file is put in place.
                        self.assertEqual(self.logged(), logged + 1, "no access row: " + what)
                        whole += 1
                else:
                    self.assertFalse(force, "the old file is gone: " + what)
                for name in os.listdir(folder):
                    if name.startswith(".smp-intake-"):
                        path = os.path.join(folder, name)
                        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600, what)
                        os.unlink(path)  # what a killed export leaves: private, removable
                self.assertEqual(sorted(os.listdir(folder)),
                                 ["export.json"] if os.path.exists(self.out) else [], what)
                self.assertEqual(self.sql("PRAGMA integrity_check"), [("ok",)], what)
                self.assertEqual(self.records(), self.snap, "the database changed: " + what)
                # A kill between the row and the rename leaves the row
                # without the file: logged, never the other way round.
                self.assertIn(self.logged() - logged, (0, 1), what)
        if not WRAPPER:
            self.assertLess(whole, EXPORT_KILLS, "seed %d: no kill came mid-export" % seed)
