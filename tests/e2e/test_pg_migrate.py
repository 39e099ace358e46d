"""`smp-intake migrate --to LOCATION / --from LOCATION` (docs/server.md):
the whole record moved, all or nothing, and back byte for byte.  Listed in
server.subset: on the server the middle of the round trip is the test's
database there (written by its tables' owner); on SQLite it is a second
file, which migrate takes too."""
import os
import re

from harness import IntakeTest, base_answers, on_server, pg_server, pipe_lines

ROGAINE = dict(uses_rogaine="yes", rogaine_form="foam", gp_discussed="yes", gp_signoff="pending")
FORMATS = (["export"], ["export", "--format", "ndjson"], ["export", "--format", "csv"],
           ["export", "--format", "fhir"], ["export", "--client", "1"])


class Migrate(IntakeTest):
    def setUp(self):
        super().setUp()
        # The studio's file: what the round trip starts and ends with.
        self.file = os.path.join(self.tmp, "studio.db")
        self.back = os.path.join(self.tmp, "back.db")
        if on_server():
            # The tables' owner (pgserver's superuser), as docs/server.md's
            # administrator; the workstations use self.db.
            self.middle = pg_server().uri(database=self.pg_database)
        else:
            self.middle = os.path.join(self.tmp, "middle.db")

    @staticmethod
    def undated(text):
        return re.sub(r'^(\{[^{]*?"(?:timestamp|exported_at)":")[^"]*"', r'\1WHEN"', text,
                      count=1)

    def on(self, db, *args, input=None):
        return self.run_cmd("--db", db, *args, input=input)

    def fill(self):
        for answers in (base_answers(), base_answers(first_name="Zoë", **ROGAINE)):
            p = self.on(self.file, "new", input=pipe_lines(answers))
            self.assertEqual(p.returncode, 0, p.stderr)
        p = self.on(self.file, "signoff", "2", "--status", "obtained", "--gp", "Dr Ng",
                    "--date", "2026-11-30")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.on(self.file, "config", "set", "studio_name", "Ink & Scalp")
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_round_trip_is_byte_identical(self):
        self.fill()
        p = self.on(self.file, "migrate", "--to", self.middle)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"^Migrated 2 clients and 2 intakes, with their course, "
                                   r"audit trail \(last [0-9a-f]{64}\) and access log, to ")
        p = self.on(self.back, "migrate", "--from", self.middle)
        self.assertEqual(p.returncode, 0, p.stderr)
        for args in FORMATS:
            with self.subTest(args=args):
                before = self.on(self.file, *args)
                after = self.on(self.back, *args)
                self.assertEqual(before.returncode, 0, before.stderr)
                # The export's own time (FHIR's Bundle.timestamp, the subject
                # export's exported_at) is when it ran, not a record's.
                self.assertEqual(self.undated(after.stdout), self.undated(before.stdout))
        # The chain moved whole: the same last hash on every copy.
        heads = {db: self.on(db, "verify").stdout.split(", last ")[1].split(",")[0]
                 for db in (self.file, self.back)}
        self.assertEqual(len(set(heads.values())), 1, heads)
        self.assertEqual(self.on(self.back, "config", "get", "studio_name").stdout,
                         "Ink & Scalp\n")

    def test_the_workstations_carry_on_after_it(self):
        self.fill()
        self.assertEqual(self.on(self.file, "migrate", "--to", self.middle).returncode, 0)
        # A workstation's login (self.db on the server) saves the next
        # intake: numbers go on from the migrated ones.
        target = self.db if on_server() else self.middle
        p = self.on(target, "new", input=pipe_lines(base_answers(first_name="Neu")))
        self.assertEqual(p.returncode, 0, p.stderr)
        ids = self.on(target, "ids").stdout.split()
        self.assertEqual(ids, ["1", "2", "3"])
        # The chain goes on from the migrated one: more rows, still whole.
        rows = lambda db: int(self.on(db, "verify").stdout.split()[1])  # noqa: E731
        v = self.on(target, "verify").stdout
        self.assertTrue(v.startswith("ok: "), v)
        self.assertGreater(rows(target), rows(self.file))

    def test_a_target_with_records_is_refused_and_kept(self):
        self.fill()
        self.assertEqual(self.on(self.file, "migrate", "--to", self.middle).returncode, 0)
        before = self.on(self.middle, "export").stdout
        p = self.on(self.file, "migrate", "--to", self.middle)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
        self.assertIn("already holds records", p.stderr)
        self.assertEqual(self.on(self.middle, "export").stdout, before)

    def test_usage_errors(self):
        self.fill()
        for args, message in ((["migrate"], "either --to LOCATION or --from LOCATION"),
                              (["migrate", "--to", "a.db", "--from", "b.db"], "either"),
                              (["migrate", "--to", self.file], "the same database")):
            with self.subTest(args=args):
                p = self.on(self.file, *args)
                self.assertNotEqual(p.returncode, 0)
                self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
                self.assertIn(message, p.stderr)
        p = self.on(self.file, "migrate", "--from", os.path.join(self.tmp, "none.db"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("no database at", p.stderr)

    def test_a_source_that_does_not_verify_moves_nothing(self):
        self.fill()
        import sqlite3
        con = sqlite3.connect(self.file)
        con.execute("DROP TRIGGER audit_kept")
        con.commit()
        con.close()
        p = self.on(self.file, "migrate", "--to", self.middle)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
        if not on_server():
            self.assertFalse(os.path.exists(self.middle) and
                             self.on(self.middle, "ids").stdout.strip())
        else:
            self.assertEqual(self.sql("SELECT count(*) FROM client"), [(0,)])


class MigrateWorkstation(IntakeTest):
    def test_a_workstation_login_cannot_write_a_server(self):
        if not on_server():
            self.skipTest("a server's logins (run again on the server: server.subset)")
        studio = os.path.join(self.tmp, "studio.db")
        self.assertEqual(self.run_cmd("--db", studio, "new",
                                      input=pipe_lines(base_answers())).returncode, 0)
        p = self.run_cmd("--db", studio, "migrate", "--to", self.db)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
        self.assertIn("owner of its tables", p.stderr)
        self.assertEqual(self.sql("SELECT count(*) FROM client"), [(0,)])
