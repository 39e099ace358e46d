"""erase, purge, access-log and verify on both backends (tests/e2e/
server.subset runs this module on a PostgreSQL server too; docs/server.md,
"What erasure means on a server").  On the server: the erasure's audit rows
go through smp_erase_audit() (the program's role may not delete them), and
after the administrator's VACUUM of the erased tables no byte of the erased
client is left in the database's table and index files; the program's role
cannot change or remove an access log or audit row, and the program works
as that role; verify finds a dropped or changed trigger and a broken audit
chain as on SQLite.  Needs `new` on the server for its records."""
import os
import re
import subprocess
import time

from harness import ROOT, IntakeTest, base_answers, on_server, pg_server

QUILLON = base_answers(
    first_name="Quillon", last_name="Vexmartin", date_of_birth="1981-03-14",
    phone="+44 7700 981234", email="quillon.vexmartin@zanzibar.example",
    hair_loss_notes="Crown thinning since the Okonkwo-Brandt trial", uses_rogaine="yes",
    rogaine_form="foam", rogaine_since="2023-04-05", uses_other_topical="yes",
    other_topical_products="Zyxtrazole lotion", gp_discussed="no")
BEA = base_answers(first_name="Bea", last_name="Rowe", date_of_birth="1990-01-01",
                   email="bea@example.com")
ERASED_TEXT = ["Quillon", "Vexmartin", "981234", "zanzibar", "Okonkwo", "Zyxtrazole",
               "1981-03-14"]




def owners_job():
    """The owner's job after erasures, smp-vacuum.sql, as docs/server.md
    ("What erasure means on a server") gives it."""
    with open(os.path.join(ROOT, "docs", "server.md"), encoding="utf-8") as f:
        doc = f.read()
    return re.search(r"```sql\n(-- smp-vacuum\.sql.*?)```", doc, re.S).group(1)


# A transaction running anywhere on the server (another test's CREATE
# DATABASE) keeps the erasure owed: the job, or the erase, is run again.
TRIES = 40


class ErasureBothBackends(IntakeTest):
    def setUp(self):
        super().setUp()
        self.new_intake(BEA)       # client 1
        self.new_intake(QUILLON)   # client 2
        self.new_intake(QUILLON)

    def owner_sql(self, *statements):
        """Runs statements as the tables' owner outside a transaction (the
        administrator's step: VACUUM cannot run in one)."""
        con = pg_server().connect(self.pg_database)
        try:
            con.autocommit = True
            cur = con.cursor()
            for s in statements:
                cur.execute(s)
        finally:
            con.close()

    def stored_bytes(self):
        """The bytes of the database's files: on a server, after a
        checkpoint, every file of its folder under base/ (tables, their
        TOAST tables and indexes); else the SQLite file and its log."""
        if on_server():
            self.owner_sql("CHECKPOINT")
            oid = self.sql("SELECT oid FROM pg_database WHERE datname = current_database()")[0][0]
            folder = os.path.join(pg_server().data, "base", str(oid))
            names = [os.path.join(folder, n) for n in sorted(os.listdir(folder))]
        else:
            names = [n for n in (self.db, self.db + "-wal") if os.path.exists(n)]
        data = b""
        for name in names:
            if os.path.isfile(name):
                with open(name, "rb") as f:
                    data += f.read()
        return data

    def assert_gone(self, text, data):
        at = data.lower().find(text.lower().encode())
        self.assertEqual(at, -1, "%r is still stored: %r" % (text, data[max(at - 40, 0):at + 40]))

    def test_erase_leaves_no_byte_after_the_documented_vacuum(self):
        before = self.stored_bytes()
        self.assertIn(b"Vexmartin", before)
        p = self.run_cmd("erase", "2", "--yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.sql("SELECT count(*) FROM client"), [(1,)])
        if on_server():
            # The program's role does not own the tables: the erasure is
            # owed its VACUUM FULL (erase_pending), and says so when asked
            # again; the owner's scheduled job (docs/server.md) runs it.
            self.assertEqual(self.sql("SELECT client_id FROM erase_pending"), [(2,)])
            p = self.run_cmd("erase", "2", "--yes")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stdout, "Client 2 is erased; its values stay in the server's "
                             "files until the tables' owner runs VACUUM FULL "
                             "(docs/server.md).\n")
            job = os.path.join(self.tmp, "smp-vacuum.sql")
            with open(job, "w", encoding="utf-8") as f:
                f.write(owners_job())
            server = pg_server()
            for _ in range(TRIES):
                p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d",
                                    server.uri(database=self.pg_database), "-f", job],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   env=dict(os.environ, **server.env()), timeout=60)
                self.assertEqual(p.returncode, 0, p.stderr)
                if not self.sql("SELECT count(*) FROM erase_pending")[0][0]:
                    break
                self.assertIn(b"another transaction was running", p.stdout)
                time.sleep(0.5)
            # Nothing owed: the job does nothing.
            p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d",
                                server.uri(database=self.pg_database), "-f", job],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=dict(os.environ, **server.env()), timeout=60)
            self.assertEqual((p.returncode, p.stdout, p.stderr), (0, b"", b""))
        self.assertEqual(self.sql("SELECT count(*) FROM erase_pending"), [(0,)])
        data = self.stored_bytes()
        for text in ERASED_TEXT:
            self.assert_gone(text, data)
        self.assertIn(b"Rowe", data)
        p = self.run_cmd("erase", "2", "--yes")
        self.assertEqual(p.returncode, 1)
        self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)

    def test_a_login_that_owns_the_tables_vacuums_itself(self):
        env = self.env
        if on_server():
            env = dict(self.env, SMP_INTAKE_DB=pg_server().uri(database=self.pg_database))
        p = self.run_cmd("erase", "2", "--yes", env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        for _ in range(TRIES if on_server() else 0):
            if not self.sql("SELECT count(*) FROM erase_pending")[0][0]:
                break
            time.sleep(0.5)
            p = self.run_cmd("erase", "2", "--yes", env=env)
            self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.sql("SELECT count(*) FROM erase_pending"), [(0,)])
        data = self.stored_bytes()
        for text in ERASED_TEXT:
            self.assert_gone(text, data)
        self.assertIn(b"Rowe", data)

    def test_the_audit_keeps_only_that_it_happened(self):
        self.assertGreater(self.sql("SELECT count(*) FROM audit WHERE client_id = 2")[0][0], 0)
        p = self.run_cmd("erase", "2", "--yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(sorted(set(r[0] for r in self.sql(
            "SELECT action FROM audit WHERE client_id = 2"))), ["erase"])
        self.assertEqual(self.sql("SELECT count(*) FROM erased_intake"), [(2,)])
        # The chain still holds across the removed rows.
        p = self.run_cmd("verify")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertTrue(p.stdout.startswith("ok: "), p.stdout)

    def test_purge_dry_run_then_yes(self):
        self.sql_write("UPDATE intake SET taken_at = '2001-01-01T10:00:00Z' WHERE client_id = 2")
        runs = [["purge", "--older-than", "5y"], ["purge", "--older-than", "5y", "--yes"],
                ["purge", "--older-than", "5y"]]
        out = [self.run_cmd(*r) for r in runs]
        self.assertEqual(out[0].returncode, 0, out[0].stderr)
        self.assertIn("Vexmartin", out[0].stdout)
        self.assertNotIn("Rowe", out[0].stdout)
        self.assertEqual(out[1].returncode, 0, out[1].stderr)
        self.assertEqual(self.sql("SELECT id FROM client"), [(1,)])
        self.assertNotIn("Vexmartin", out[2].stdout)
        if on_server():
            self.assertEqual(self.sql("SELECT client_id FROM erase_pending"), [(2,)])

    def test_access_log_is_written_and_read_back(self):
        p = self.run_cmd("erase", "2", "--yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.run_cmd("access-log")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("erase", p.stdout)
        p2 = self.run_cmd("access-log", "--since", "2000-01-01")
        self.assertEqual(p2.stdout, p.stdout)
        p3 = self.run_cmd("access-log", "--client", "2")
        self.assertEqual(p3.returncode, 0, p3.stderr)
        self.assertIn("erase", p3.stdout)

    def test_verify_ok_on_a_fresh_database(self):
        """On the server: the triggers 001_schema.sql makes are the list
        src/db_chain.c compares with (server_triggers[]); when the schema
        changes a trigger, the message gives the list to put there."""
        p = self.run_cmd("verify")
        if p.returncode and on_server():
            rows = self.sql(
                "SELECT t.tgname, md5(t.tgenabled::text || ' ' || pg_get_triggerdef(t.oid) "
                "|| ' ' || p.prosrc) FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
                "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal "
                "AND c.relnamespace = 'public'::regnamespace ORDER BY t.tgname")
            self.fail(p.stdout + p.stderr + "server_triggers[] for src/db_chain.c:\n" +
                      "".join('\t{ "%s", "%s" },\n' % r for r in rows))
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertRegex(p.stdout, r"^ok: \d+ audit rows chained, last [0-9a-f]+, 0 access log "
                                   r"rows in order, the %s and its triggers intact\n$"
                         % ("database" if on_server() else "file"))


class OnTheServerOnly(IntakeTest):
    """What only a server has; on an SQLite file the same commands are
    checked against the file's own guards (test_verify.py, test_erase.py)."""

    def setUp(self):
        super().setUp()
        self.new_intake(BEA)

    def app_sql(self, statement):
        """Runs statement as the program's login (smp_app); returns psql's
        exit code and its error text."""
        server = pg_server()
        p = subprocess.run(["psql", "-X", "-v", "ON_ERROR_STOP=1", "-d", self.db, "-c", statement],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(
                               os.environ, **server.env()), timeout=60)
        return p.returncode, p.stderr.decode()

    def test_the_programs_role_cannot_change_or_remove_the_record(self):
        if not on_server():
            self.assertEqual(self.run_cmd("verify").returncode, 0)
            return
        p = self.run_cmd("erase", "1", "--yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        for statement in ["DELETE FROM access_log", "UPDATE access_log SET staff = 'x'",
                          "DELETE FROM audit", "UPDATE audit SET staff = 'x'",
                          "TRUNCATE audit_change", "DELETE FROM erased_intake",
                          "UPDATE audit_removed SET hash = 'x'"]:
            rc, err = self.app_sql(statement)
            self.assertNotEqual(rc, 0, statement)
            self.assertTrue("permission denied" in err or "cannot be removed" in err, err)
        self.assertEqual(self.sql("SELECT count(*) FROM access_log"), [(1,)])

    def test_verify_finds_a_dropped_trigger_a_changed_guard_and_a_broken_chain(self):
        self.new_intake(QUILLON)
        if on_server():
            self.sql_write("DROP TRIGGER access_log_kept ON access_log")
            self.sql_write("ALTER TABLE audit DISABLE TRIGGER audit_is_fixed")
            self.sql_write("CREATE TRIGGER smp_extra BEFORE INSERT ON client FOR EACH ROW "
                           "EXECUTE FUNCTION smp_audit_removed_link()")
            self.sql_write("ALTER TABLE audit DISABLE TRIGGER audit_kept")
            self.sql_write("ALTER TABLE audit DISABLE TRIGGER audit_removed_link")
            self.sql_write("ALTER TABLE audit_change DISABLE TRIGGER audit_change_kept")
            self.sql_write("DELETE FROM audit_change WHERE audit_id = 1")
            self.sql_write("DELETE FROM audit WHERE id = 1")
            p = self.run_cmd("verify")
            self.assertEqual(p.returncode, 1, p.stderr)
            lines = p.stdout.splitlines()
            for want in ["the trigger access_log_kept is missing",
                         "the trigger audit_is_fixed was changed",
                         "the trigger smp_extra is not one of smp-intake's",
                         "the trigger audit_kept was changed",
                         "the audit chain is broken before row 2: a row was removed, added "
                         "or moved"]:
                self.assertIn(want, lines)
        else:
            self.assertEqual(self.run_cmd("verify").returncode, 0)

    def test_an_access_log_row_that_cannot_be_written_stops_the_command_first(self):
        """The row is written before the first byte of output: when the
        server refuses it (the grant taken away here), nothing is shown,
        nothing is erased, and the error is one line."""
        if on_server():
            self.sql_write("REVOKE INSERT ON access_log FROM smp_intake")
        else:
            self.sql_write("CREATE TRIGGER no_log BEFORE INSERT ON access_log "
                           "BEGIN SELECT RAISE(ABORT, 'refused'); END")
        for args in (["show", "1"], ["erase", "1", "--yes"]):
            with self.subTest(args=args):
                p = self.run_cmd(*args)
                self.assertNotEqual(p.returncode, 0)
                self.assertEqual(p.stdout, "")
                self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
                self.assertIn("cannot record this in the access log", p.stderr)
        self.assertEqual(self.sql("SELECT count(*) FROM client"), [(1,)])
        self.assertEqual(self.sql("SELECT count(*) FROM access_log"), [(0,)])
