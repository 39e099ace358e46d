"""Faults on a PostgreSQL server during a save (issue 17, docs/server.md):
the server stopped at once (pg_ctl stop -m immediate) or the backend
serving our connection ended (pg_terminate_backend) while `new` saves, and
a full disk under the server's data folder.  Each time: one line in our
words, exit 1, nothing half-saved (the intake with all its answers, advice
and audit rows, or none), and at a terminal the answers kept as a draft.

A save is stopped at an exact point by a trigger of the superuser's that
sleeps before an audit row is written (pgfaults.pause_at): by then the
client, the intake, its answers and advice are written inside the save's
transaction.  One throwaway server for the module (tests/pg/pgfaults.py);
the full disk has its own on a small tmpfs (mounting needs root, as the
tests run in CI: without it that test fails with the reason, never skips)."""
import os
import signal
import socket
import subprocess
import sys
import time

from harness import BIN, ROOT, TIMEOUT, IntakeTest, base_answers, pipe_lines
from ptyutil import answer_all, finish, record, type_line

sys.path.insert(0, os.path.join(ROOT, "tests", "pg"))
import pgfaults  # noqa: E402

# Every table a save of `new` writes.
SAVED = ("client", "intake", "answer", "advice_sheet", "acknowledgement", "audit",
         "audit_change")

server = None


def setUpModule():
    global server
    server = pgfaults.start()


def tearDownModule():
    if server:
        server.stop()


class FaultTest(IntakeTest):
    server = None

    def setUp(self):
        super().setUp()
        pgfaults.use(self, self.server or server)

    def counts(self):
        return {t: self.sql("SELECT count(*) FROM %s" % t)[0][0] for t in SAVED}

    def assert_nothing_saved(self):
        self.assertEqual(self.counts(), {t: 0 for t in SAVED})

    def assert_one_line(self, stderr, words):
        self.assertEqual(stderr.count("\n"), 1, stderr)
        self.assertTrue(stderr.startswith("smp-intake: "), stderr)
        self.assertIn(words, stderr)

    def start_save(self, answers=None, at_commit=False):
        """`new` through a pipe, stopped before its audit row (or with
        at_commit in its COMMIT, every row written)."""
        srv = self.server or server
        srv.pause_at(self.pg_database, "audit", at_commit)
        lines = os.path.join(self.tmp, "lines")
        with open(lines, "w") as f:
            f.write(pipe_lines(answers or base_answers()))
        with open(lines) as f:
            p = subprocess.Popen([BIN, "new"], stdin=f, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, env=self.env)
        self.addCleanup(p.kill)
        return p, srv.wait_paused(self.pg_database)

    def ended(self, p):
        out, err = p.communicate(timeout=TIMEOUT * 3)
        return p.returncode, out.decode(), err.decode()


class ConnectionLostTest(FaultTest):
    LOST = "the connection to the server was lost"

    def test_server_stopped_during_a_save(self):
        p, _ = self.start_save()
        server.kill_immediately()
        try:
            rc, out, err = self.ended(p)
        finally:
            server.restart()
        self.assertEqual(rc, 1, err)
        self.assert_one_line(err, self.LOST)
        self.assertNotIn("Saved intake", out)
        self.assert_nothing_saved()
        # The server back, the same intake saves.
        self.sql_write("DROP TRIGGER IF EXISTS smp_test_pause ON audit")
        self.new_intake(base_answers())
        self.assertEqual(self.sql("SELECT id FROM intake"), [(1,)])

    def test_backend_ended_during_a_save(self):
        p, pid = self.start_save()
        server.psql("SELECT pg_terminate_backend(%d)" % pid, database="postgres")
        rc, out, err = self.ended(p)
        self.assertEqual(rc, 1, err)
        self.assert_one_line(err, self.LOST)
        self.assert_nothing_saved()

    def test_backend_ended_during_the_commit_of_a_save(self):
        p, pid = self.start_save(at_commit=True)
        server.psql("SELECT pg_terminate_backend(%d)" % pid, database="postgres")
        rc, out, err = self.ended(p)
        self.assertEqual(rc, 1, err)
        self.assert_one_line(err, self.LOST)
        self.assertNotIn("Saved intake", out)
        self.assert_nothing_saved()

    def test_server_stopped_during_the_commit_of_a_save(self):
        p, _ = self.start_save(at_commit=True)
        server.kill_immediately()
        try:
            rc, out, err = self.ended(p)
        finally:
            server.restart()
        self.assertEqual(rc, 1, err)
        self.assert_one_line(err, self.LOST)
        self.assert_nothing_saved()

    def test_server_restarted_while_the_answers_are_typed(self):
        # The connection is made at the start; the server restarted while
        # the answers come in: the save finds it gone and says so.
        lines = pipe_lines(base_answers()).encode()
        half = lines.index(b"\n", len(lines) // 2) + 1
        p = subprocess.Popen([BIN, "new"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=self.env)
        self.addCleanup(p.kill)
        p.stdin.write(lines[:half])
        p.stdin.flush()
        end = time.time() + TIMEOUT
        while not server.backends(self.pg_database) and time.time() < end:
            time.sleep(0.05)
        self.assertEqual(len(server.backends(self.pg_database)), 1)
        server.kill_immediately()
        server.restart()
        p.stdin.write(lines[half:])
        p.stdin.close()
        p.stdin = None
        rc, out, err = self.ended(p)
        self.assertEqual(rc, 1, err)
        self.assert_one_line(err, self.LOST)
        self.assert_nothing_saved()
        self.new_intake(base_answers())
        self.assertEqual(self.sql("SELECT id FROM intake"), [(1,)])

    def test_program_killed_during_a_save(self):
        # The workstation's process killed (kill -9) in the middle: the
        # server rolls the save back once it finds the client gone, and the
        # next save takes the write lock as usual.
        server.pause_at(self.pg_database, "audit", seconds=2)
        lines = os.path.join(self.tmp, "lines")
        with open(lines, "w") as f:
            f.write(pipe_lines(base_answers()))
        with open(lines) as f:
            p = subprocess.Popen([BIN, "new"], stdin=f, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, env=self.env)
        server.wait_paused(self.pg_database)
        p.kill()
        p.wait()
        end = time.time() + TIMEOUT
        while server.backends(self.pg_database) and time.time() < end:
            time.sleep(0.1)
        self.assertEqual(server.backends(self.pg_database), [])
        self.assert_nothing_saved()
        self.sql_write("DROP TRIGGER smp_test_pause ON audit")
        self.new_intake(base_answers())
        self.assertEqual(self.sql("SELECT id FROM intake"), [(1,)])

    def test_backend_killed_during_a_save(self):
        # kill -9: the server ends every backend and recovers.
        p, pid = self.start_save()
        os.kill(pid, signal.SIGKILL)
        rc, out, err = self.ended(p)
        self.assertEqual(rc, 1, err)
        self.assert_one_line(err, self.LOST)
        server.wait_ready()
        self.assert_nothing_saved()

    def test_backend_ended_during_config_set(self):
        server.pause_at(self.pg_database, "setting")
        p = subprocess.Popen([BIN, "config", "set", "minimum_age", "18"],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=self.env)
        self.addCleanup(p.kill)
        pid = server.wait_paused(self.pg_database)
        server.psql("SELECT pg_terminate_backend(%d)" % pid, database="postgres")
        rc, out, err = self.ended(p)
        self.assertEqual(rc, 1, err)
        self.assertEqual(err, "smp-intake: cannot change the setting: " + self.LOST +
                         " (terminating connection due to administrator command)\n")
        self.assertEqual(out, "")
        self.assertEqual(self.sql("SELECT count(*) FROM setting"), [(0,)])

    def test_backend_ended_during_a_save_at_a_terminal_keeps_the_draft(self):
        child = self.spawn("new")
        rec = record(child)
        answer_all(child, base_answers())
        server.pause_at(self.pg_database, "audit")
        type_line(child, "yes")
        pid = server.wait_paused(self.pg_database)
        server.psql("SELECT pg_terminate_backend(%d)" % pid, database="postgres")
        code = finish(self, child)
        self.assertIn("the answers are kept as draft 1 (smp-intake resume 1)", rec.text)
        self.assertEqual(code, 1)
        self.assertIn("smp-intake: cannot write the audit trail: " + self.LOST, rec.text)
        self.assertEqual(rec.text.count("smp-intake: "), 2, rec.text)
        self.assert_nothing_saved()
        self.assertEqual(self.sql("SELECT count(*) FROM draft"), [(1,)])
        self.assertEqual(self.sql("SELECT value FROM draft_answer WHERE question_id = "
                                  "'last_name'"), [("Silva",)])

    def test_server_down_before_a_save_is_one_line(self):
        server.kill_immediately()
        try:
            p = self.run_cmd("new", input=pipe_lines(base_answers()))
        finally:
            server.restart()
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assert_one_line(p.stderr, "cannot reach the server")
        self.assert_nothing_saved()


class ExchangeFaultTest(FaultTest):
    """An import and an export when the server goes: the import all or
    nothing, the export one line and no file."""
    N = 8000    # intakes for the export: several cursor batches

    def fill(self, n):
        sys.path.insert(0, os.path.join(ROOT, "tests", "bench"))
        import bench_pg
        (self.server or server).psql(bench_pg.FILL % {"n": n}, database=self.pg_database)

    def import_file(self):
        """An export of 200 intakes from a file database, as ndjson."""
        src = os.path.join(self.tmp, "src.db")
        env = dict(self.env, SMP_INTAKE_DB=src)
        for i in range(3):
            p = subprocess.run([BIN, "new"], input=pipe_lines(base_answers(
                first_name="Import%d" % i)).encode(), env=env, capture_output=True)
            self.assertEqual(p.returncode, 0, p.stderr)
        path = os.path.join(self.tmp, "in.ndjson")
        p = subprocess.run([BIN, "export", "--format", "ndjson", "-o", path], env=env,
                           capture_output=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        return path

    def test_backend_ended_during_an_import(self):
        path = self.import_file()
        srv = self.server or server
        srv.pause_at(self.pg_database, "intake")
        p = subprocess.Popen([BIN, "import", path], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=self.env)
        self.addCleanup(p.kill)
        pid = srv.wait_paused(self.pg_database)
        srv.psql("SELECT pg_terminate_backend(%d)" % pid, database="postgres")
        rc, out, err = self.ended(p)
        self.assertEqual(rc, 1, err)
        self.assertIn(self.LOST_WORDS, err)
        self.assertEqual(err.count("smp-intake: "), 1, err)
        self.assert_nothing_saved()
        # Again with the server up: all of it.
        self.sql_write("DROP TRIGGER IF EXISTS smp_test_pause ON intake")
        p = self.run_cmd("import", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.sql("SELECT count(*) FROM intake"), [(3,)])

    def test_a_write_refused_by_the_server_in_the_middle_of_an_import(self):
        # An import sends each record's writes without waiting (src/db_pg.c's
        # pipelining): the server refusing one (here a trigger of the
        # superuser's on the second record's answers) is the import's one
        # line, and nothing of it is kept; the next command works.
        path = self.import_file()
        self.sql_write("CREATE FUNCTION smp_test_refuse() RETURNS trigger LANGUAGE plpgsql AS "
                       "$$ BEGIN IF NEW.intake_id = 2 THEN RAISE EXCEPTION 'refused by the test'; "
                       "END IF; RETURN NEW; END $$")
        self.sql_write("CREATE TRIGGER smp_test_refuse BEFORE INSERT ON answer FOR EACH ROW "
                       "EXECUTE FUNCTION smp_test_refuse()")
        p = self.run_cmd("import", path)
        self.assertEqual((p.returncode, p.stdout), (1, "nothing imported\n"), p.stderr)
        self.assertEqual(p.stderr, "smp-intake: cannot import: refused by the test\n")
        self.assert_nothing_saved()
        self.assertEqual(self.sql("SELECT count(*) FROM access_log"), [(0,)])
        self.sql_write("DROP TRIGGER smp_test_refuse ON answer")
        p = self.run_cmd("import", path)
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "3 added, 0 unchanged\n", ""))
        p = self.run_cmd("verify")
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_server_stopped_during_an_import(self):
        path = self.import_file()
        srv = self.server or server
        srv.pause_at(self.pg_database, "intake")
        p = subprocess.Popen([BIN, "import", path], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=self.env)
        self.addCleanup(p.kill)
        srv.wait_paused(self.pg_database)
        srv.kill_immediately()
        try:
            rc, out, err = self.ended(p)
        finally:
            srv.restart()
        self.assertEqual(rc, 1, err)
        self.assertIn(self.LOST_WORDS, err)
        self.assert_nothing_saved()

    def test_server_stopped_during_an_export(self):
        self.fill(self.N)
        srv = self.server or server
        p = subprocess.Popen([BIN, "export", "--format", "ndjson"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=self.env)
        self.addCleanup(p.kill)
        first = p.stdout.read(4096)        # the export is under way
        self.assertTrue(first.startswith(b'{"'), first[:80])
        srv.kill_immediately()
        try:
            rest, err = p.communicate(timeout=TIMEOUT * 3)
        finally:
            srv.restart()
        err = err.decode()
        self.assertEqual(p.returncode, 1, err)
        self.assertEqual(err.count("\n"), 1, err)
        self.assertIn(self.LOST_WORDS, err)
        lines = (first + rest).count(b"\n")
        self.assertLess(lines, self.N)

    def test_backend_ended_during_an_export_to_a_file(self):
        self.fill(self.N)
        srv = self.server or server
        out = os.path.join(self.tmp, "all.json")
        p = subprocess.Popen([BIN, "export", "-o", out], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=self.env)
        self.addCleanup(p.kill)
        # Ended as soon as its backend shows, mid-export.
        for _ in range(400):
            pids = srv.backends(self.pg_database)
            if pids:
                break
            time.sleep(0.005)
        self.assertTrue(pids, "the export never connected")
        srv.psql("SELECT pg_terminate_backend(%d)" % pids[0], database="postgres")
        rc, _, err = self.ended(p)
        self.assertEqual(rc, 1, err)
        self.assertEqual(err.count("\n"), 1, err)
        self.assertFalse(os.path.exists(out))
        self.assertEqual([f for f in os.listdir(self.tmp) if f.startswith(".smp-intake")], [])

    LOST_WORDS = "the connection to the server was lost"


class FullDiskTest(FaultTest):
    """The server's data folder on a 200 MB tmpfs, filled to the last byte."""

    @classmethod
    def setUpClass(cls):
        cls.server = pgfaults.start(tmpfs_mb=200)

    @classmethod
    def tearDownClass(cls):
        if cls.server:
            cls.server.stop()

    def test_new_and_config_set_on_a_full_disk(self):
        # A first connection writes the database's cache file; the settings
        # are none yet, so a setting's row needs a new page.
        self.assertEqual(self.sql("SELECT count(*) FROM setting"), [(0,)])
        before = self.snapshot()
        self.server.fill_disk()
        try:
            p = self.run_cmd("new", input=pipe_lines(base_answers()))
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assert_one_line(p.stderr, "the server's disk is full")
            self.assert_nothing_saved()
            p = self.run_cmd("config", "set", "minimum_age", "18")
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assert_one_line(p.stderr, "the server's disk is full")
            self.assertEqual(self.snapshot(), before)
        finally:
            self.server.free_disk()
        self.new_intake(base_answers())
        self.assertEqual(self.sql("SELECT id FROM intake"), [(1,)])
        p = self.run_cmd("config", "set", "minimum_age", "18")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.sql("SELECT value FROM setting WHERE key = 'minimum_age'"),
                         [("18",)])


class UnansweringServerTest(IntakeTest):
    """A server that takes the connection and then says nothing (hung, or a
    dead link behind a proxy): not waited for forever.  A listening socket
    of the test's own that never answers stands in for it."""

    def setUp(self):
        super().setUp()
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.addCleanup(self.listener.close)
        self.uri = "postgresql://smp_app@127.0.0.1:%d/smp" % self.listener.getsockname()[1]

    def connect(self, env):
        start = time.monotonic()
        p = subprocess.run([BIN, "--db", self.uri, "list"], env=env, capture_output=True,
                           text=True, timeout=60)
        return p, time.monotonic() - start

    def test_ten_seconds_then_one_line(self):
        env = dict(self.env)
        env.pop("PGCONNECT_TIMEOUT", None)
        p, took = self.connect(env)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(p.stderr, "smp-intake: the server 127.0.0.1 did not answer in time: it is "
                         "busy, or the network is down (%s)\n" % self.uri)
        self.assertEqual(p.stdout, "")
        self.assertGreaterEqual(took, 9.5)
        self.assertLess(took, 30)

    def test_the_studios_own_timeout_wins(self):
        p, took = self.connect(dict(self.env, PGCONNECT_TIMEOUT="2"))
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("did not answer in time", p.stderr)
        self.assertLess(took, 8)
        p, took = self.connect_uri(self.uri + "?connect_timeout=2")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("did not answer in time", p.stderr)
        self.assertLess(took, 8)

    def connect_uri(self, uri):
        env = dict(self.env)
        env.pop("PGCONNECT_TIMEOUT", None)
        start = time.monotonic()
        p = subprocess.run([BIN, "--db", uri, "list"], env=env, capture_output=True, text=True,
                           timeout=60)
        return p, time.monotonic() - start
