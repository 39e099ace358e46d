"""Several workstations on one PostgreSQL server at once (issue 17,
docs/server.md): four processes saving `new` together (each intake saved
once, ids distinct and dense, the audit chain's links intact), and two
workstations, two login roles in the program's role, sharing a database
at the terminal: one saves while the other's `new` is in progress, and
both are saved.  One throwaway server for the module (tests/pg/pgfaults.py)."""
import os
import subprocess
import sys

import psycopg2

from harness import BIN, ROOT, TIMEOUT, IntakeTest, base_answers, pipe_lines
from ptyutil import ACK, answer_all, finish, record, type_line

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
