"""The access log of issue 7: show, advice, export (every form) and erase
(purge --yes too) each write one row, with when, the staff member, the
command and the client ids it reached, and no other command writes any;
show and advice print nothing, and an export to a file leaves none, when
the row cannot be written; erasure logs in its own transaction and the
row keeps only the id; `smp-intake access-log` and its filters; the menu
goes through the same code.  Binary runs are kept few: valgrind runs each
one (make valgrind)."""
import datetime
import os
import re
import sqlite3

from harness import base_answers, pipe_lines
from ptyutil import MENU, finish, record, type_line
from test_edit import edit_lines
import test_faults
from test_pipe_intake import PipeTest

ANA = base_answers(first_name="Ana", last_name="Silva", date_of_birth="1985-07-23")
BEA = base_answers(first_name="Bea", last_name="Rowe", date_of_birth="1990-01-01",
                   uses_rogaine="yes", rogaine_form="foam", rogaine_since="2024-01-10",
                   gp_discussed="yes", gp_signoff="pending")
CY = base_answers(first_name="Cy", last_name="Moss", date_of_birth="1979-05-05")
# Found nowhere else, so a byte scan of the file can tell whether any is left.
QUILLON = base_answers(first_name="Quillon", last_name="Vexmartin", date_of_birth="1981-03-14",
                       email="quillon.vexmartin@zanzibar.example")
NO_ROW = "cannot record this in the access log: "
UTC_TIME = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def printed_rows(out):
    """(row, when, staff, command, clients) of each line `access-log` printed."""
    return re.findall(r"^(\d+) +(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)  (.+?) +"
                      r"(show|advice|export|erase|contact|signoff|edit|acknowledge|resume|history) +(\S+)$", out, re.M)


def sql_write(db, query, *params):
    con = sqlite3.connect(db)
    with con:
        con.execute(query, params)
    con.close()


class AccessLogTest(PipeTest):
    def rows(self):
        """(command, staff, clients) of every row, oldest first."""
        return self.sql("SELECT command, staff, clients FROM access_log ORDER BY id")

    def ok(self, *args, input=None):
        p = self.run_cmd(*args, input=input)
        self.assertEqual(p.returncode, 0, "%s: %s" % (args, p.stderr))
        return p


class EachCommand(AccessLogTest):
    def test_show_advice_and_export_write_one_row_each(self):
        for answers in (ANA, BEA, ANA, CY):  # intakes 1-4; Ana's two are client 1
            self.new_intake(answers)
        self.assertEqual(self.rows(), [], "new wrote a row")
        start = utc_now()
        out = os.path.join(self.tmp, "out.csv")
        # (arguments, the row it writes: staff, clients); each by another
        # staff member, so a row cannot be taken for another's.
        cases = [
            (["show", "2"], ("show", "Sam One", "2")),
            (["advice", "3"], ("advice", "Sam Two", "1")),
            (["advice", "4", "--format", "markdown"], ("advice", "Sam Three", "3")),
            (["export"], ("export", "Sam Four", "1-3")),
            (["export", "--format", "csv", "-o", out], ("export", "Sam Five", "1-3")),
            (["export", "--client", "2"], ("export", "Sam Six", "2")),  # the subject record
            (["export", "--format", "ndjson", "--client", "1"], ("export", "Sam Seven", "1")),
            (["export", "--format", "fhir", "--pending-signoff"], ("export", "Sam Eight", "2")),
            (["export", "--until", "2000-01-01"], ("export", "Sam Nine", "")),  # found nobody
        ]
        for i, (argv, row) in enumerate(cases):
            with self.subTest(argv=argv):
                p = self.ok("--staff", row[1], *argv)
                if "-o" not in argv:
                    self.assertNotEqual(p.stdout, "")
                self.assertEqual(self.rows()[i:], [row])
        self.assertTrue(os.path.exists(out))
        times = [t for (t,) in self.sql("SELECT at FROM access_log ORDER BY id")]
        for t in times:
            self.assertRegex(t, UTC_TIME)
            self.assertTrue(start <= t <= utc_now(), t)
        # access-log prints them, oldest first, the empty set as (none)
        p = self.ok("access-log")
        self.assertEqual(p.stderr, "")
        printed = printed_rows(p.stdout)
        self.assertEqual([(int(n), s, c, k) for n, _, s, c, k in printed],
                         [(i + 1, row[1], row[0], row[2] or "(none)")
                          for i, (_, row) in enumerate(cases)])
        self.assertEqual([w for _, w, _, _, _ in printed], [t[:10] + " " + t[11:19] for t in times])

    def test_other_commands_write_no_row(self):
        self.new_intake(ANA)
        path = os.path.join(self.tmp, "all.json")
        self.ok("export", "-o", path)
        logged = self.rows()
        self.assertEqual(len(logged), 1)
        answers_file = os.path.join(self.tmp, "answers.json")
        with open(answers_file, "w") as f:
            f.write('{"answers": {"consent_storage": "yes", "first_name": "Cy", '
                    '"last_name": "Moss", "date_of_birth": "1979-05-05", '
                    '"hair_loss_scale": "norwood_2", "treatment_type": "density", '
                    '"consent_photos": false, '
                    '"scalp_conditions": "none", "keloid_history": true, "blood_thinners": false, '
                    '"allergies": false, "pregnant_or_breastfeeding": "no"}}')
        # (issue 14: acknowledge, edit, signoff and history print a client's
        # data and are logged: test_access_gaps.py)
        commands = [
            (["new"], pipe_lines(BEA)),
            (["new", "--answers", answers_file], None),  # intake 3, unacknowledged
            (["clear-flag", "3", "flag-keloid", "--reason", "healed flat"], None),
            (["import", path], None),
            (["import", "--dry-run", path], None),
            (["list"], None),
            (["list", "--pending-signoff"], None),
            (["find", "Silva"], None),
            (["ids"], None),
            (["ids", "--clients"], None),
            (["config", "list"], None),
            (["config", "set", "studio_name", "Ink Lab"], None),
            (["questionnaire"], None),
            (["questionnaire", "--format", "fhir"], None),
            (["drafts"], None),
            (["access-log"], None),
            (["purge", "--older-than", "1d"], None),  # the dry run: lists nobody
        ]
        for argv, data in commands:
            with self.subTest(argv=argv):
                self.ok(*argv, input=data)
                self.assertEqual(self.rows(), logged)


class Erasure(AccessLogTest):
    def test_erase_logs_the_id_only_and_the_row_survives(self):
        self.new_intake(BEA)       # client 1
        self.new_intake(QUILLON)   # client 2, intake 2
        self.ok("show", "2")
        p = self.ok("erase", "2", "--yes")
        self.assertEqual(p.stdout, "Erased client 2 and its 1 intake.\n")
        self.assertEqual(self.rows(), [("show", "Dana Staff", "2"), ("erase", "Dana Staff", "2")])
        # The rows about client 2 are still found by its id, and hold
        # nothing else of the client; nor does any byte of the file.
        p = self.ok("access-log", "--client", "2")
        self.assertEqual([(c, k) for _, _, _, c, k in printed_rows(p.stdout)],
                         [("show", "2"), ("erase", "2")])
        for (row,) in self.sql("SELECT quote(id) || at || staff || command || clients "
                               "FROM access_log"):
            self.assertRegex(row, r"^\d+[0-9TZ:-]+Dana Staff(show|erase)2$")
        data = b""
        for name in (self.db, self.db + "-wal"):
            if os.path.exists(name):
                with open(name, "rb") as f:
                    data += f.read()
        self.assertIn(b"Rowe", data)  # the scan can see a name
        for text in (b"Quillon", b"Vexmartin", b"zanzibar", b"1981-03-14"):
            self.assertNotIn(text, data)

    def test_purge_logs_each_erasure_and_its_dry_run_nothing(self):
        for answers in (ANA, BEA, CY):
            self.new_intake(answers)
        ten_years = (datetime.date.today() - datetime.timedelta(days=3660)).isoformat()
        sql_write(self.db, "UPDATE intake SET taken_at = ? WHERE client_id IN (1, 3)",
                  ten_years + "T12:00:00Z")
        p = self.ok("purge", "--older-than", "7y")
        self.assertIn("2 clients would be erased", p.stdout)
        self.assertEqual(self.rows(), [])
        self.ok("--staff", "Pat Purge", "purge", "--older-than", "7y", "--yes")
        self.assertEqual(self.rows(), [("erase", "Pat Purge", "1"), ("erase", "Pat Purge", "3")])


class WhenTheRowCannotBeWritten(AccessLogTest):
    """A trigger of our own refuses every new row, so the row fails at the
    moment it is written, after the records were read."""

    def test_nothing_is_shown_or_left_behind_and_erase_does_not_happen(self):
        self.new_intake(ANA)
        folder = os.path.join(self.tmp, "out")
        os.mkdir(folder)
        sql_write(self.db, "CREATE TRIGGER refuse BEFORE INSERT ON access_log "
                  "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")
        for argv in (["show", "1"], ["advice", "1", "--format", "html"],
                     ["export", "--format", "csv", "-o", os.path.join(folder, "a.csv")],
                     ["export", "--client", "1", "-o", os.path.join(folder, "b.json")],
                     ["export", "--client", "1"],
                     ["erase", "1", "--yes"]):
            with self.subTest(argv=argv):
                p = self.run_cmd(*argv)
                self.assert_one_line_error(p)
                self.assertIn(NO_ROW + "refused by the test", p.stderr)
                self.assertEqual(p.stdout, "")
        self.assertEqual(os.listdir(folder), [], "an export file or its temporary is left")
        # erase: the erasure went back with its row
        self.assertEqual(self.sql("SELECT first_name FROM client"), [("Ana",)])
        self.assertEqual(self.sql("SELECT count(*) FROM audit WHERE action = 'erase'"), [(0,)])
        # On standard output too (issue 14): the row is written before the
        # first byte, so nothing goes out.
        p = self.run_cmd("export")
        self.assert_one_line_error(p)
        self.assertIn(NO_ROW, p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertEqual(self.rows(), [])


class ReadOnly(test_faults.FaultTest):
    """A database file nobody may write: the records cannot be shown, as
    their showing cannot be logged; the log itself can still be read."""

    def test_show_prints_nothing_and_access_log_still_reads(self):
        folder = os.path.join(self.tmp, "ro")
        # Imported as a module: the name Permissions here would run its tests again.
        drop = test_faults.Permissions.as_nobody(self, folder)
        self.db = os.path.join(folder, "intake.db")
        self.env["SMP_INTAKE_DB"] = self.db
        p = self.run_as(drop, "new", input=pipe_lines(ANA))
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.run_as(drop, "advice", "1")
        self.assertEqual(p.returncode, 0, p.stderr)
        os.chmod(self.db, 0o400)
        for argv in (["show", "1"], ["export"], ["export", "-o", os.path.join(folder, "x.json")]):
            with self.subTest(argv=argv):
                p = self.run_as(drop, *argv)
                self.assert_one_line_error(p)
                self.assertIn(NO_ROW, p.stderr)
                self.assertIn("is read-only", p.stderr)
                self.assertEqual(p.stdout, "")
        self.assertFalse(os.path.exists(os.path.join(folder, "x.json")))
        p = self.run_as(drop, "access-log")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        self.assertEqual([(c, k) for _, _, _, c, k in printed_rows(p.stdout)],
                         [("advice", "1")])


class Filters(AccessLogTest):
    def test_client_and_since_and_a_staff_name_made_safe(self):
        self.new_intake(ANA)  # makes the file
        con = sqlite3.connect(self.db)
        with con:
            con.executemany("INSERT INTO access_log (at, staff, command, clients) "
                            "VALUES (?, ?, ?, ?)",
                            [("2025-12-31T23:59:59Z", "Ann", "show", "4"),
                             ("2026-01-01T00:00:00Z", "Ben", "export", "1-3,7"),
                             ("2026-01-02T10:00:00Z", "Eve\x1b[31m\u202e", "export", ""),
                             ("2026-01-03T10:00:00Z", "Ann", "erase", "7")])
        con.close()
        cases = [
            ([], ["Ann show 4", "Ben export 1-3,7", "Eve\\x1b[31m\\u202e export (none)",
                  "Ann erase 7"]),
            (["--client", "2"], ["Ben export 1-3,7"]),
            (["--client", "7"], ["Ben export 1-3,7", "Ann erase 7"]),
            (["--since", "2026-01-01"], ["Ben export 1-3,7", "Eve\\x1b[31m\\u202e export (none)",
                                         "Ann erase 7"]),
            (["--since", "2026-01-02", "--client", "7"], ["Ann erase 7"]),
            (["--client", "5"], []),
        ]
        for argv, expected in cases:
            with self.subTest(argv=argv):
                p = self.ok("access-log", *argv)
                self.assertNotIn("\x1b", p.stdout)
                self.assertNotIn("\u202e", p.stdout)
                got = [" ".join((s, c, k)) for _, _, s, c, k in printed_rows(p.stdout)]
                self.assertEqual(got, expected, p.stdout)
                if not expected:
                    self.assertEqual(p.stdout, "No access recorded that matches.\n")

    def test_usage_errors_exit_2_with_one_line(self):
        for argv, words in ((["--bogus"], "unknown option"),
                            (["--since", "2026-02-30"], "--since: give a real date"),
                            (["--client", "0"], "--client must be a positive whole number"),
                            (["--client"], "without its value"),
                            (["extra"], "takes no arguments")):
            with self.subTest(argv=argv):
                p = self.run_cmd("access-log", *argv)
                self.assert_one_line_error(p, 2)
                self.assertIn(words, p.stderr)
                self.assertEqual(p.stdout, "")
        self.assertFalse(os.path.exists(self.db), "a usage error opened the database")


class InTheMenu(AccessLogTest):
    def test_the_menu_logs_through_the_same_commands(self):
        self.new_intake(ANA)
        path = os.path.join(self.tmp, "menu.json")
        child = self.spawn()
        record(child)
        child.expect_exact(MENU)
        for line in ("show 1", "export -o " + path, "list", "access-log"):
            type_line(child, line)
            child.expect_exact(MENU)
        out = child.before
        type_line(child, "quit")
        self.assertEqual(finish(self, child), 0)
        self.assertEqual(self.rows(), [("show", "Dana Staff", "1"), ("export", "Dana Staff", "1")])
        self.assertEqual([(c, k) for _, _, _, c, k in printed_rows(out.replace("\r", ""))],
                         [("show", "1"), ("export", "1")])
