"""`smp-intake verify` and the audit chain: a clean file verifies; each way
another program can change the record (a row changed, removed, moved, a
change removed, the access log edited, the file damaged) is one line each
and exit 1; a file that lost a protective trigger refuses every write; an
erasure, an import and a file from release 2026.1 still verify; writers
at once never fork the chain."""
import os
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

import pexpect

from harness import BIN, WRAPPER, IntakeTest, base_answers, on_server, pipe_lines
from test_edit import edit_lines

CASES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases")
BEA = base_answers(first_name="Bea", last_name="Rowe", date_of_birth="1990-01-01",
                   email="bea@example.com")
CAL = base_answers(first_name="Cal", last_name="Moss", date_of_birth="1985-05-05",
                   phone="+44 7700 900777")


def full_only(test):
    """A tampering case run natively only: under valgrind (WRAPPER) a
    sample of them keeps the run short."""
    return unittest.skipIf(WRAPPER, "a sample runs under valgrind")(test)


class VerifyTest(IntakeTest):
    fixture = None  # the file setUp copies, made by the first test

    @classmethod
    def tearDownClass(cls):
        if cls.fixture:
            shutil.rmtree(os.path.dirname(cls.fixture), ignore_errors=True)
            cls.fixture = None

    def setUp(self):
        super().setUp()
        if VerifyTest.fixture:
            shutil.copyfile(VerifyTest.fixture, self.db)
            os.chmod(self.db, 0o600)
            return
        # Client 1 (Bea): an intake and an edit; client 2 (Cal): an intake
        # and a contact change; three rows in the access log.  The audit:
        # 1 create and 2 acknowledge (Bea), 3 create and 4 acknowledge
        # (Cal), 5 edit (Bea), 6 contact (Cal), then the acknowledgement
        # the edit asked for again.  Made once, then copied (the program
        # folds its log into the file when it closes).
        self.new_intake(BEA)
        self.new_intake(CAL)
        # Fixtures: plain under valgrind too (harness.FIXTURES_WRAPPED).
        p = self.run_cmd("edit", "1", input=edit_lines(BEA, {"phone": "+44 7700 900123"}),
                         wrapped=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.run_cmd("contact", "2", "--email", "cal@example.com", wrapped=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        for intake in ("1", "2"):
            p = self.run_cmd("show", intake, wrapped=False)
            self.assertEqual(p.returncode, 0, p.stderr)
        self.assertFalse(os.path.exists(self.db + "-wal"))
        keep = tempfile.mkdtemp(prefix="smp-e2e-verify-")
        shutil.copyfile(self.db, os.path.join(keep, "fixture.db"))
        VerifyTest.fixture = os.path.join(keep, "fixture.db")

    def tamper(self, *statements):
        """Changes the file as another program would (sqlite3, python)."""
        con = sqlite3.connect(self.db)
        try:
            for s in statements:
                con.execute(s)
            con.commit()
        finally:
            con.close()

    def verify(self, code):
        p = self.run_cmd("verify")
        self.assertEqual(p.returncode, code, p.stdout + p.stderr)
        self.assertEqual(p.stderr, "")
        return p.stdout.splitlines()

    def assertProblems(self, expected):
        """verify prints exactly these lines (each a problem), exits 1."""
        self.assertEqual(self.verify(1), expected)

    def test_clean_file_verifies(self):
        lines = self.verify(0)
        rows = self.sql("SELECT count(*) FROM audit")[0][0]
        head = self.sql("SELECT hash FROM audit ORDER BY id DESC LIMIT 1")[0][0]
        logged = self.sql("SELECT count(*) FROM access_log")[0][0]
        self.assertGreaterEqual(logged, 3)
        self.assertEqual(lines, ["ok: %d audit rows chained, last %s, %d access log rows in "
                                 "order, the %s and its triggers intact"
                                 % (rows, head, logged, "database" if on_server() else "file")])
        # Each row follows the one before: one chain, no fork.
        chain = self.sql("SELECT prev_hash, hash FROM audit ORDER BY id")
        self.assertIsNone(chain[0][0])
        for before, row in zip(chain, chain[1:]):
            self.assertEqual(row[0], before[1])
        self.assertEqual(len({h for _, h in chain}), len(chain))
        self.assertRegex(head, "^[0-9a-f]{64}$")
        # An unknown option is refused in one line, as by every command's
        # parser; an operand (it takes none) shows the usage.
        p = self.run_cmd("verify", "--all")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertEqual(p.stderr, "smp-intake: verify: unknown option, or an option without "
                         "its value: '--all' (see smp-intake verify --help)\n")
        p = self.run_cmd("verify", "all")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("usage: smp-intake verify", p.stderr)

    def test_audit_row_changed(self):
        self.tamper("DROP TRIGGER audit_is_fixed",
                    "UPDATE audit SET staff = 'Mallory' WHERE id = 1")
        self.assertProblems([
            "the trigger audit_is_fixed is missing",
            "audit row 1 does not match its hash: the row or its changes were altered"])

    @full_only
    def test_audit_row_changed_and_rehashed_breaks_the_link(self):
        # Another program that also writes a new hash for the row it
        # changed still leaves the next row pointing at the old one.
        self.tamper("DROP TRIGGER audit_is_fixed",
                    "UPDATE audit SET staff = 'Mallory', hash = '%s' WHERE id = 1" % ("0" * 64))
        lines = self.verify(1)
        self.assertIn("the audit chain is broken before row 2: a row was removed, added "
                      "or moved", lines)

    @full_only
    def test_audit_row_removed(self):
        # audit_kept lets a row go once its client is gone: removing the
        # client and then its rows (what erase does) without an erasure.
        self.tamper("PRAGMA foreign_keys = ON",
                    "DELETE FROM consent WHERE client_id = 2",
                    "DELETE FROM intake WHERE client_id = 2",
                    "DELETE FROM client WHERE id = 2",
                    "DELETE FROM audit_change WHERE audit_id = 3",
                    "DELETE FROM audit WHERE id = 3")
        self.assertProblems([
            "1 audit row was removed without an erasure",
            "the audit chain is broken before row 4: a row was removed, added or moved"])

    @full_only
    def test_audit_row_removed_with_its_traces(self):
        self.tamper("DROP TRIGGER audit_kept", "DROP TRIGGER audit_change_kept",
                    "DROP TRIGGER audit_removed_link",
                    "DELETE FROM audit_change WHERE audit_id = 3",
                    "DELETE FROM audit WHERE id = 3")
        self.assertProblems([
            "the trigger audit_change_kept is missing",
            "the trigger audit_kept is missing",
            "the trigger audit_removed_link is missing",
            "the audit chain is broken before row 4: a row was removed, added or moved"])

    @full_only
    def test_audit_change_removed(self):
        self.tamper("DROP TRIGGER audit_change_kept",
                    "DELETE FROM audit_change WHERE rowid = "
                    "(SELECT max(rowid) FROM audit_change WHERE audit_id = 3)")
        self.assertProblems([
            "the trigger audit_change_kept is missing",
            "audit row 3 does not match its hash: the row or its changes were altered"])

    @full_only
    def test_audit_change_altered(self):
        self.tamper("DROP TRIGGER audit_change_is_fixed",
                    "UPDATE audit_change SET new_value = '+44 7700 999999' "
                    "WHERE audit_id = 3 AND field = 'phone'")
        self.assertProblems([
            "the trigger audit_change_is_fixed is missing",
            "audit row 3 does not match its hash: the row or its changes were altered"])

    @full_only
    def test_audit_rows_reordered(self):
        # Rows 2 and 3 swap places, hashes and all.
        self.tamper("DROP TRIGGER audit_is_fixed", "PRAGMA foreign_keys = OFF",
                    "UPDATE audit SET id = -2 WHERE id = 2",
                    "UPDATE audit SET id = 2 WHERE id = 3",
                    "UPDATE audit SET id = 3 WHERE id = -2")
        self.assertProblems([
            "the trigger audit_is_fixed is missing",
            "audit row 2 does not match its hash: the row or its changes were altered",
            "the audit chain is broken before row 2: a row was removed, added or moved",
            "audit row 3 does not match its hash: the row or its changes were altered",
            "the audit chain is broken before row 3: a row was removed, added or moved",
            "the audit chain is broken before row 4: a row was removed, added or moved"])

    @full_only
    def test_audit_row_added(self):
        # A row written by another program, in the program's form but
        # with a made-up hash.
        self.tamper("INSERT INTO audit (id, at, staff, action, client_id, salt, prev_hash, hash) "
                    "SELECT id + 1, at, 'Mallory', 'contact', 2, salt, hash, hash "
                    "FROM audit ORDER BY id DESC LIMIT 1")
        lines = self.verify(1)
        self.assertEqual(len(lines), 1)
        self.assertRegex(lines[0], r"^audit row \d+ does not match its hash")

    @full_only
    def test_access_log_edited(self):
        self.tamper("DROP TRIGGER access_log_is_fixed",
                    "UPDATE access_log SET at = '2001-01-01T00:00:00Z' WHERE id = 2")
        self.assertProblems(["the trigger access_log_is_fixed is missing",
                             "access log row 2 is dated before row 1"])

    @full_only
    def test_access_log_row_backdated(self):
        # INSERT is allowed (rows are only ever added): a row added later
        # that claims an earlier time, and one with no time at all.
        n = self.sql("SELECT max(id) FROM access_log")[0][0]
        self.tamper("INSERT INTO access_log (at, staff, command, clients) "
                    "VALUES ('2020-01-01T00:00:00Z', 'Mallory', 'show', '1')",
                    "INSERT INTO access_log (at, staff, command, clients) "
                    "VALUES ('yesterday', 'Mallory', 'show', '2')")
        self.assertProblems(["access log row %d is dated before row %d" % (n + 1, n),
                             "access log row %d has no valid time" % (n + 2)])

    @full_only
    def test_access_log_row_removed(self):
        for intake in ("1", "2"):
            self.assertEqual(self.run_cmd("show", intake).returncode, 0)
        self.tamper("DROP TRIGGER access_log_kept", "DELETE FROM access_log WHERE id IN (2, 3)")
        self.assertProblems(["the trigger access_log_kept is missing",
                             "access log rows 2 to 3 are missing"])

    @full_only
    def test_trigger_changed_or_added(self):
        self.tamper("DROP TRIGGER audit_is_fixed",
                    "CREATE TRIGGER audit_is_fixed BEFORE UPDATE ON audit WHEN 0 "
                    "BEGIN SELECT RAISE(ABORT, 'no'); END",
                    "CREATE TRIGGER \"x\x1b]52;c;aGk=\x07\" AFTER INSERT ON audit "
                    "BEGIN SELECT 1; END")
        self.assertProblems(["the trigger audit_is_fixed was changed",
                             "the trigger x\\x1b]52;c;aGk=\\x07 is not one of smp-intake's"])

    @full_only
    def test_damaged_file(self):
        # An index that no longer matches its table: the file opens, and
        # SQLite's own check finds the rows.
        self.tamper("PRAGMA writable_schema = ON",
                    "UPDATE sqlite_schema SET sql = 'CREATE INDEX client_by_birth ON client "
                    "(email)' WHERE name = 'client_by_birth'")
        lines = self.verify(1)
        self.assertTrue(lines)
        for line in lines:
            self.assertTrue(line.startswith("the file is damaged: "), line)

    @full_only
    def test_foreign_key_broken(self):
        self.tamper("PRAGMA foreign_keys = OFF", "DROP TRIGGER client_search_delete",
                    "DELETE FROM client WHERE id = 2")
        lines = self.verify(1)
        self.assertIn("the trigger client_search_delete is missing", lines)
        self.assertIn("intake row 2 refers to a missing client row", lines)

    def test_writes_refused_without_a_trigger(self):
        self.tamper("DROP TRIGGER audit_kept")
        before = self.sql("SELECT count(*) FROM intake")[0][0]
        writers = ((("new",), pipe_lines(BEA)),
                   (("contact", "2", "--email", "x@example.com"), None),
                   (("erase", "2", "--yes"), None),
                   (("signoff", "2", "--status", "pending"), None),
                   (("config", "set", "minimum_age", "21"), None))
        for args, text in writers[:1] if WRAPPER else writers:
            p = self.run_cmd(*args, input=text)
            self.assertEqual(p.returncode, 1, (args, p.stdout, p.stderr))
            lines = p.stderr.splitlines()
            self.assertEqual(len(lines), 1, (args, p.stderr))
            self.assertRegex(lines[0], r"^smp-intake: .*: the database '.*' has lost a trigger "
                             r"that protects it \(audit_kept\), so its record may have been "
                             r"changed by another program; nothing is saved")
        self.assertEqual(self.sql("SELECT count(*) FROM intake")[0][0], before)
        self.assertEqual(self.sql("SELECT count(*) FROM client")[0][0], 2)
        # Reading still works, with a warning.
        p = self.run_cmd("list")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Bea", p.stdout)
        self.assertRegex(p.stderr, r"^smp-intake: warning: the database '.*' has lost a "
                         r"trigger that protects it \(audit_kept\)[^\n]*\n$")
        # verify says it once, as a problem.
        self.assertProblems(["the trigger audit_kept is missing"])

    @full_only
    def test_terminal_intake_refused_before_the_first_question(self):
        # Nobody types a whole consultation that cannot be saved.
        self.tamper("DROP TRIGGER audit_change_is_fixed")
        for args in (("new",), ("edit", "1")):
            child = self.spawn(*args)
            child.expect(r"smp-intake: cannot (take an intake|edit the intake): the database "
                         r"'.*' has lost a trigger that protects it \(audit_change_is_fixed\)")
            child.expect(pexpect.EOF)
            self.assertNotIn("?", child.before)
            child.close()
            self.assertEqual(child.exitstatus, 1)
        self.assertEqual(self.sql("SELECT count(*) FROM draft"), [(0,)])

    def test_a_tombstone_cannot_be_removed_unseen(self):
        # Removing an erased intake's tombstone would let an old export
        # bring the client back: the triggers refuse it, and a program
        # that drops them first is caught at every open and by verify.
        self.assertEqual(self.run_cmd("erase", "2", "--yes").returncode, 0)
        self.assertEqual(len(self.sql("SELECT uuid FROM erased_intake")), 1)
        with self.assertRaises(sqlite3.DatabaseError):
            self.tamper("DELETE FROM erased_intake")
        self.tamper("DROP TRIGGER erased_intake_kept", "DELETE FROM erased_intake")
        self.assertProblems(["the trigger erased_intake_kept is missing"])
        p = self.run_cmd("new", input="")
        self.assertEqual(p.returncode, 1)
        self.assertIn("erased_intake_kept", p.stderr)

    def test_erased_client_still_verifies(self):
        p = self.run_cmd("erase", "2", "--yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.verify(0)
        # The removed rows' links are kept, taken in by the erasure's row,
        # and hold no value of the client.
        links = self.sql("SELECT erase_id FROM audit_removed")
        self.assertEqual(len(links), 3)  # Cal's create, acknowledge and contact rows
        erase = self.sql("SELECT min(id) FROM audit WHERE action = 'erase'")[0][0]
        self.assertEqual({e for (e,) in links}, {erase})
        if WRAPPER:
            return
        # Work goes on after it, and a second erasure.
        self.new_intake(CAL)
        p = self.run_cmd("erase", "1", "--yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.verify(0)

    @full_only
    def test_erasure_record_altered(self):
        self.assertEqual(self.run_cmd("erase", "2", "--yes").returncode, 0)
        erase = self.sql("SELECT min(id) FROM audit WHERE action = 'erase'")[0][0]
        self.tamper("DROP TRIGGER audit_removed_kept",
                    "DELETE FROM audit_removed WHERE id = 1")
        lines = self.verify(1)
        self.assertEqual(lines[0], "the trigger audit_removed_kept is missing")
        self.assertIn("audit row %d does not match its hash: the row or its changes were "
                      "altered" % erase, lines)


class ChainSourcesTest(IntakeTest):
    def load_release_2026_1(self, *after):
        with open(os.path.join(CASES, "release-2026.1.sql")) as f:
            con = sqlite3.connect(self.db)
            con.executescript(f.read())
            for s in after:
                con.execute(s)
            con.commit()
            con.close()
        os.chmod(self.db, 0o600)

    def test_release_2026_1_file_is_chained_and_verifies(self):
        self.load_release_2026_1()
        old = self.sql("SELECT id, at, staff, action FROM audit ORDER BY id")
        p = self.run_cmd("verify")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertTrue(p.stdout.startswith("ok: %d audit rows chained" % len(old)), p.stdout)
        # Chained in place: the same rows, each with its hash.
        self.assertEqual(self.sql("SELECT id, at, staff, action FROM audit ORDER BY id"), old)
        self.assertEqual(self.sql("SELECT count(*) FROM audit WHERE hash IS NULL"), [(0,)])
        self.new_intake(BEA)
        self.assertEqual(self.run_cmd("verify").returncode, 0)

    @full_only
    def test_release_2026_1_file_without_its_update_trigger_still_opens(self):
        # Migration 011 makes audit_is_fixed again; the chain vouches for
        # the rows from then on.
        self.load_release_2026_1("DROP TRIGGER audit_is_fixed")
        p = self.run_cmd("verify")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(self.sql("SELECT count(*) FROM sqlite_schema "
                                  "WHERE name = 'audit_is_fixed'"), [(1,)])

    def test_import_writes_chained_rows(self):
        p = self.run_cmd("import", os.path.join(CASES, "release-2026.1.json"))
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = self.sql("SELECT action, hash IS NOT NULL FROM audit ORDER BY id")
        self.assertTrue(rows)
        self.assertEqual(set(rows), {("import", 1)})
        p = self.run_cmd("verify")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_writers_at_once_keep_one_chain(self):
        self.new_intake(BEA)
        n = 2 if WRAPPER else 6
        procs = []
        for i in range(n):
            answers = base_answers(first_name="Ann%c" % (ord("a") + i), last_name="Lee",
                                   date_of_birth="1990-01-0%d" % (i + 1))
            procs.append(subprocess.Popen(WRAPPER + [BIN, "new"], env=self.env,
                                          stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.PIPE))
            procs.append(subprocess.Popen(WRAPPER + [BIN, "contact", "1", "--phone",
                                                     "+44 7700 90%04d" % i],
                                          env=self.env, stdin=subprocess.DEVNULL,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
            procs[-2].stdin.write(pipe_lines(answers).encode())
            procs[-2].stdin.close()
        for proc in procs:
            err = proc.stderr.read()
            self.assertEqual(proc.wait(), 0, err)
        # Each intake: create and acknowledge; each contact change: one.
        self.assertEqual(self.sql("SELECT count(*) FROM audit"), [(2 + 3 * n,)])
        p = self.run_cmd("verify")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
