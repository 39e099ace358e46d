"""Several workstations on one PostgreSQL server at once (issue 17,
docs/server.md): four processes saving `new` together (each intake saved
once, ids distinct and dense, the audit chain's links intact); four edits
of one intake released together (one saves, three find it changed and keep
their changes as drafts); saves, an edit and a sign-off released together
while three exports read (each export a state that existed, no record
torn; all four writers saved; verify passes); and two
workstations, two login roles in the program's role, sharing a database
at the terminal: one saves while the other's `new` is in progress, and
both are saved.  One throwaway server for the module (tests/pg/pgfaults.py)."""
import json
import os
import subprocess
import sys

import psycopg2

from harness import BIN, ROOT, TIMEOUT, IntakeTest, base_answers, pipe_lines
from ptyutil import ACK, answer_all, finish, record, type_line
from test_edit import edit_lines

sys.path.insert(0, os.path.join(ROOT, "tests", "pg"))
import pgfaults  # noqa: E402

WORKSTATIONS = ("smp_desk_a", "smp_desk_b")
NAMES = ("Ana", "Bea", "Cai", "Dov")

server = None


def setUpModule():
    global server
    server = pgfaults.start()
    try:
        for login in WORKSTATIONS:
            server.psql("CREATE ROLE %s LOGIN IN ROLE smp_intake" % login, database="postgres")
    except BaseException:
        server.stop()
        raise


def tearDownModule():
    if server:
        server.stop()


class ConcurrencyTest(IntakeTest):
    def setUp(self):
        super().setUp()
        pgfaults.use(self, server)

    def assert_chain_linked(self):
        """Each audit row's prev_hash is the hash of the row before it
        (db_chain.c: the first has none), ids dense from 1."""
        rows = self.sql("SELECT id, prev_hash, hash FROM audit ORDER BY id")
        self.assertEqual([r[0] for r in rows], list(range(1, len(rows) + 1)))
        prev = None
        for id_, prev_hash, hash_ in rows:
            self.assertTrue(hash_, "audit row %d has no hash" % id_)
            self.assertEqual(prev_hash, prev, "audit row %d is not linked to the row before" % id_)
            prev = hash_

    def test_four_saves_at_once(self):
        # The studio's write lock held here, so the four wait at their
        # BEGIN together and then go at once.
        holder = psycopg2.connect(host=server.socket_dir, dbname=self.pg_database,
                                  user="smp")
        self.addCleanup(holder.close)
        holder.autocommit = True
        holder.cursor().execute("SELECT pg_advisory_lock(%s)", (pgfaults.WRITE_LOCK,))
        procs = []
        for name in NAMES:
            lines = os.path.join(self.tmp, name)
            with open(lines, "w") as f:
                f.write(pipe_lines(base_answers(first_name=name)))
            with open(lines) as f:
                p = subprocess.Popen([BIN, "new"], stdin=f, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=self.env)
            self.addCleanup(p.kill)
            procs.append(p)
        server.wait_lock_waiters(self.pg_database, len(NAMES))
        holder.cursor().execute("SELECT pg_advisory_unlock(%s)", (pgfaults.WRITE_LOCK,))
        for p in procs:
            _, err = p.communicate(timeout=TIMEOUT * 3)
            self.assertEqual(p.returncode, 0, err.decode())
        self.assertEqual(self.sql("SELECT id FROM intake ORDER BY id"), [(1,), (2,), (3,), (4,)])
        self.assertEqual(self.sql("SELECT id FROM client ORDER BY id"), [(1,), (2,), (3,), (4,)])
        self.assertEqual(sorted(r[0] for r in self.sql("SELECT first_name FROM client")),
                         sorted(NAMES))
        self.assertEqual(self.sql("SELECT count(DISTINCT uuid) FROM intake"), [(4,)])
        # Each intake has all its answers, its advice and its audit row.
        self.assertEqual(self.sql("SELECT intake_id, count(*) FROM answer GROUP BY intake_id "
                                  "ORDER BY 1"),
                         [(i, self.sql("SELECT count(*) FROM answer WHERE intake_id = 1")[0][0])
                          for i in range(1, 5)])
        self.assertEqual(self.sql("SELECT count(DISTINCT intake_id) FROM advice_sheet"), [(4,)])
        self.assertEqual(self.sql("SELECT intake_id FROM audit WHERE action = 'create' "
                                  "ORDER BY intake_id"), [(1,), (2,), (3,), (4,)])
        self.assert_chain_linked()

    def released_together(self, runs, beside=()):
        """Starts each (argv, stdin text) of runs while the studio's write
        lock is held here, waits until all of them wait for it (each has
        read what it needs by then), starts those of beside (readers, which
        take no write lock), releases the lock and returns [(exit, stdout,
        stderr)] of runs and then of beside."""
        holder = psycopg2.connect(host=server.socket_dir, dbname=self.pg_database,
                                  user="smp")
        self.addCleanup(holder.close)
        holder.autocommit = True
        holder.cursor().execute("SELECT pg_advisory_lock(%s)", (pgfaults.WRITE_LOCK,))
        procs = []

        def start(argv, text):
            path = os.path.join(self.tmp, "in%d" % len(procs))
            with open(path, "w") as f:
                f.write(text)
            with open(path) as f:
                p = subprocess.Popen([BIN] + argv, stdin=f, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=self.env)
            self.addCleanup(p.kill)
            procs.append(p)
        for argv, text in runs:
            start(argv, text)
        server.wait_lock_waiters(self.pg_database, len(runs))
        for argv, text in beside:
            start(argv, text)
        holder.cursor().execute("SELECT pg_advisory_unlock(%s)", (pgfaults.WRITE_LOCK,))
        out = []
        for p in procs:
            o, e = p.communicate(timeout=TIMEOUT * 3)
            out.append((p.returncode, o.decode(), e.decode()))
        return out

    def test_four_edits_of_one_intake_at_once(self):
        # Each has read revision 1 before any saves: the first to get the
        # lock saves, the other three find the intake changed and keep
        # their changes as a draft; nothing of theirs is written.
        stored = base_answers(phone="+44 7700 900100")
        self.new_intake(stored)
        phones = ["+44 7700 90010%d" % k for k in range(1, 5)]
        results = self.released_together(
            [(["edit", "1"], edit_lines(stored, {"phone": ph})) for ph in phones])
        won = [k for k, (rc, _, _) in enumerate(results) if rc == 0]
        self.assertEqual(len(won), 1, results)
        for k, (rc, out, err) in enumerate(results):
            if k in won:
                self.assertEqual(err, "")
                continue
            self.assertEqual(rc, 1, err)
            self.assertRegex(err, r"^smp-intake: intake 1 was changed by Dana Staff at "
                             r"\d{4}-\d\d-\d\dT\d\d:\d\d while you were editing; nothing "
                             r"saved: your changes are "
                             r"kept as draft \d+ \(smp-intake resume \d+\)\n$")
        self.assertEqual(self.sql("SELECT revision FROM intake WHERE id = 1"), [(2,)])
        self.assertEqual(self.sql("SELECT phone FROM client WHERE id = 1"), [(phones[won[0]],)])
        self.assertEqual(self.sql("SELECT count(*) FROM audit WHERE action = 'edit'"), [(1,)])
        self.assertEqual(self.sql("SELECT count(*) FROM draft"), [(3,)])
        self.assertEqual(sorted(r[0] for r in self.sql(
            "SELECT value FROM draft_answer WHERE question_id = 'phone'")),
            sorted(ph for k, ph in enumerate(phones) if k not in won))
        # Two advice sheets: the first and the winner's, nothing else.
        self.assertEqual(self.sql("SELECT DISTINCT sheet FROM advice_sheet ORDER BY 1"),
                         [(1,), (2,)])
        self.assert_chain_linked()

    def test_saves_edits_signoffs_and_exports_at_once(self):
        # Two intakes stored; then at once: two saves, an edit of intake 1,
        # a sign-off of intake 2, an export to a file and one to standard
        # output.  All succeed; the exports, which read without the write
        # lock, each show a state that existed: intakes 1 and 2 as they
        # were, whole.
        first = base_answers(first_name="Ana", uses_rogaine="yes", gp_discussed="yes",
                             gp_signoff="pending")
        self.new_intake(first)
        self.new_intake(base_answers(first_name="Bea", uses_rogaine="yes", gp_discussed="yes",
                                     gp_signoff="pending"))
        export_path = os.path.join(self.tmp, "out.json")
        exports = [(["export", "-o", export_path], ""), (["export", "--format", "ndjson"], ""),
                   (["export", "--format", "csv"], "")]
        results = self.released_together([
            (["new"], pipe_lines(base_answers(first_name="Cai"))),
            (["new"], pipe_lines(base_answers(first_name="Dov"))),
            (["edit", "1"], edit_lines(first, {"phone": "+44 7700 900555"})),
            (["signoff", "2", "--status", "obtained", "--gp", "Dr Okafor",
              "--date", "2026-11-30"], ""),
        ], beside=exports)
        for rc, out, err in results[:4] + results[5:]:
            self.assertEqual((rc, err), (0, ""), out)
        with open(export_path) as f:
            written = json.load(f)
        self.assertEqual(results[4][:2], (0, ""))
        self.assertEqual(results[4][2], "exported %d intakes to %s\n" % (len(written), export_path))
        with open(export_path) as f:
            seen = [json.load(f), [json.loads(line) for line in results[5][1].splitlines()]]
        for data in seen:
            names = sorted(r["client"]["first_name"] for r in data)
            self.assertIn(names[:2], (["Ana", "Bea"],), names)
            self.assertLessEqual(set(names), {"Ana", "Bea", "Cai", "Dov"})
            self.assertEqual(len(names), len(set(names)))
            for r in data:
                if r["client"]["first_name"] == "Ana":
                    self.assertIn(r["client"]["phone"], (None, "+44 7700 900555"))
                if r["client"]["first_name"] == "Bea":
                    self.assertIn(r["gp_signoff"]["status"], ("pending", "obtained"))
        self.assertEqual(results[6][1].count("\n") - 1 >= 2, True, results[6][1])
        p = subprocess.run([BIN, "export", "-o", export_path, "--force"], env=self.env,
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(export_path) as f:
            final = json.load(f)
        self.assertEqual(sorted(r["client"]["first_name"] for r in final),
                         ["Ana", "Bea", "Cai", "Dov"])
        by_name = {r["client"]["first_name"]: r for r in final}
        # Each record an export showed was whole: all its answers (Bea's
        # before the sign-off without the GP's name and date).
        for data in seen:
            for r in data:
                want = set(by_name[r["client"]["first_name"]]["answers"])
                if r["gp_signoff"]["status"] == "pending":
                    want -= {"gp_name", "gp_signoff_date"}
                self.assertEqual(set(r["answers"]), want, "a torn record: %r" % r)
        self.assertEqual(by_name["Ana"]["client"]["phone"], "+44 7700 900555")
        self.assertEqual(by_name["Bea"]["gp_signoff"]["status"], "obtained")
        self.assertEqual(self.sql("SELECT action, count(*) FROM audit WHERE action <> "
                                  "'acknowledge' GROUP BY action ORDER BY 1"),
                         [("create", 4), ("edit", 1), ("signoff", 1)])
        self.assert_chain_linked()
        p = subprocess.run([BIN, "verify"], env=self.env, capture_output=True, text=True)
        self.assertEqual((p.returncode, p.stderr), (0, ""))

    def test_a_long_writer_gives_busy_after_the_timeout(self):
        # As on an SQLite file (test_faults.py): a save waits for the
        # studio's write lock for the busy timeout (10 s), then says so.
        self.new_intake(base_answers())
        before = self.snapshot()
        holder = psycopg2.connect(host=server.socket_dir, dbname=self.pg_database,
                                  user="smp")
        self.addCleanup(holder.close)
        holder.autocommit = True
        holder.cursor().execute("SELECT pg_advisory_lock(%s)", (pgfaults.WRITE_LOCK,))
        p = self.run_cmd("new", input=pipe_lines(base_answers(first_name="Late")))
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(p.stderr, "smp-intake: cannot save the intake: the database is busy "
                         "(someone else is saving); try again\n")
        self.assertEqual(self.snapshot(), before)
        holder.cursor().execute("SELECT pg_advisory_unlock(%s)", (pgfaults.WRITE_LOCK,))
        self.new_intake(base_answers(first_name="Late"))
        self.assertEqual(self.sql("SELECT id FROM intake ORDER BY id"), [(1,), (2,)])
        self.assert_chain_linked()

    def test_two_workstations_at_the_terminal(self):
        a_env = dict(self.env, SMP_INTAKE_DB=server.uri(self.pg_database, WORKSTATIONS[0]),
                     SMP_INTAKE_STAFF="Ana Desk")
        b_env = dict(self.env, SMP_INTAKE_DB=server.uri(self.pg_database, WORKSTATIONS[1]),
                     SMP_INTAKE_STAFF="Bo Desk")
        first, second = base_answers(first_name="Ana"), base_answers(first_name="Bea")
        a = self.spawn("new", env=a_env)
        record(a)
        answer_all(a, first, stop="treatment_type")
        # Workstation B saves a whole intake meanwhile.
        b = self.spawn("new", env=b_env)
        record(b)
        answer_all(b, second)
        type_line(b, "yes")
        b.expect_exact("Saved intake 1 for client 1.")
        b.expect_exact(ACK)
        type_line(b, "Bea Silva")
        self.assertEqual(finish(self, b), 0)
        # A goes on where it was and saves after B's.
        answer_all(a, first, start="treatment_type", shown=True)
        type_line(a, "yes")
        a.expect_exact("Saved intake 2 for client 2.")
        a.expect_exact(ACK)
        type_line(a, "Ana Silva")
        self.assertEqual(finish(self, a), 0)
        self.assertEqual(self.sql("SELECT i.id, c.first_name, i.staff FROM intake i JOIN client c "
                                  "ON c.id = i.client_id ORDER BY i.id"),
                         [(1, "Bea", "Bo Desk"), (2, "Ana", "Ana Desk")])
        self.assertEqual(self.sql("SELECT count(*) FROM acknowledgement"), [(2,)])
        self.assert_chain_linked()
