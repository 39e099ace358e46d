"""`smp-intake erase CLIENT_ID`: the client's record, intakes, answers,
advice, sign-offs and drafts leave the database file and its write-ahead
log; the audit keeps only erase rows; other clients are untouched; unknown,
bad and erased ids; the question at a terminal and its refusal through a
pipe; the menu."""
import json
import os
import sqlite3
import subprocess

from harness import base_answers, pipe_lines
from ptyutil import MENU, finish, record, type_line
from test_edit import edit_lines
from test_menu import MenuTest
from test_pipe_intake import PipeTest

# A client whose every value is found nowhere else, so a byte scan of the
# file can tell whether any of it is left.
QUILLON = base_answers(
    first_name="Quillon", last_name="Vexmartin", date_of_birth="1981-03-14",
    phone="+44 7700 981234", email="quillon.vexmartin@zanzibar.example",
    hair_loss_notes="Crown thinning since the Okonkwo-Brandt trial", uses_rogaine="yes",
    rogaine_form="foam", rogaine_since="2023-04-05", uses_other_topical="yes",
    other_topical_products="Zyxtrazole lotion", gp_discussed="yes", gp_signoff="pending")
BEA = base_answers(first_name="Bea", last_name="Rowe", date_of_birth="1990-01-01",
                   email="bea@example.com")
ERASED_TEXT = ["Quillon", "Vexmartin", "981234", "zanzibar", "Okonkwo", "Zyxtrazole",
               "Dr Yarrowby", "REF-Quaffle", "+44 7700 900555", "1981-03-14"]
QUESTION = "Type yes to erase client 1: "


class EraseTest(PipeTest):
    def setUp(self):
        super().setUp()
        # Held open for the whole test: the program's own connection is
        # then never the last to close, which would check the log into the
        # file and delete it, and hide whether erase clears the log itself.
        self.new_intake(BEA)  # creates the file: client 1 is Bea here
        self.keep = sqlite3.connect(self.db)
        self.keep.execute("SELECT count(*) FROM client").fetchall()
        self.addCleanup(self.keep.close)

    def make_quillon(self):
        """Quillon (client 2): two intakes, one edited (an old phone in the
        audit) and signed off.  Bea is client 1."""
        self.new_intake(QUILLON)
        self.new_intake(QUILLON)
        p = self.run_cmd("edit", "2", input=edit_lines(QUILLON, {"phone": "+44 7700 900555"}))
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.run_cmd("edit", "2", input=edit_lines(QUILLON, {"phone": "+44 7700 981234"}))
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.run_cmd("signoff", "2", "--status", "obtained", "--gp", "Dr Yarrowby",
                         "--date", "2024-02-01", "--ref", "REF-Quaffle")
        self.assertEqual(p.returncode, 0, p.stderr)

    def file_bytes(self):
        """The database file and its write-ahead log, as bytes.  Read by
        another process: closing a file of its own would drop this
        process's POSIX locks on it, those of self.keep included."""
        data = b""
        for name in (self.db, self.db + "-wal"):
            if os.path.exists(name):
                data += subprocess.run(["cat", name], stdout=subprocess.PIPE, check=True).stdout
        return data

    def assert_gone(self, text, data):
        """text occurs nowhere in data (case ignored); a short message if it does."""
        at = data.lower().find(text.lower().encode())
        self.assertEqual(at, -1, "%r is still in the file: %r" % (text, data[max(at - 40, 0):at + 40]))

    def erase(self, *args, code=0):
        p = self.run_cmd("erase", *args)
        if code:
            self.assert_one_line_error(p, code)
        else:
            self.assertEqual(p.returncode, 0, p.stderr)
        return p


class EraseThroughPipe(EraseTest):
    def test_no_value_is_left_in_the_file_or_its_log(self):
        self.make_quillon()
        data = self.file_bytes()
        for text in ERASED_TEXT:
            self.assertTrue(text.encode() in data, "%r is not in the file to begin with" % text)
        p = self.erase("2", "--yes")
        self.assertEqual(p.stdout, "Erased client 2 and its 2 intakes.\n")
        self.assertEqual(p.stderr, "")
        data = self.file_bytes()
        for text in ERASED_TEXT:
            with self.subTest(text=text):
                self.assert_gone(text, data)
        self.assertTrue(b"Rowe" in data, "the other client is gone from the file")
        self.assertEqual(os.path.getsize(self.db + "-wal"), 0)
        self.assertEqual(self.keep.execute("PRAGMA integrity_check").fetchall(), [("ok",)])
        self.assertEqual(self.keep.execute("PRAGMA foreign_key_check").fetchall(), [])

    def test_the_course_goes_too_leaving_no_byte(self):
        """Sessions (their lot and notes), photos (their image bytes) and
        the photo consents of the client are erased with the rest."""
        self.make_quillon()
        session = {"artist": "Kim Lee", "areas": ["crown"], "lot": "LOT-Quibble-77",
                   "lot_expiry": "2099-01", "notes": "Quenched the Xarbleford scar",
                   "patch_test": False, "id_checked": "passport", "countersigned": "Kim Lee",
                   "rescreen": {"changed": False}}
        path = os.path.join(self.tmp, "session.json")
        with open(path, "w") as f:
            json.dump(session, f)
        p = self.run_cmd("session", "new", "2", "--answers", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.run_cmd("consent", "2", "--photos", "yes").returncode, 0)
        image = b"\xff\xd8\xff\xe0" + b"Zorblatt-image-bytes-" * 50 + b"\xff\xd9"
        photo = os.path.join(self.tmp, "crown.jpg")
        with open(photo, "wb") as f:
            f.write(image)
        p = self.run_cmd("photo", "add", "--session", "1", photo, "--view", "crown")
        self.assertEqual(p.returncode, 0, p.stderr)
        course = ["LOT-Quibble-77", "Xarbleford", "Zorblatt-image-bytes-"]
        data = self.file_bytes()
        for text in course:
            self.assertTrue(text.encode() in data, "%r is not in the file to begin with" % text)
        p = self.erase("2", "--yes")
        data = self.file_bytes()
        for text in course + ERASED_TEXT:
            with self.subTest(text=text):
                self.assert_gone(text, data)
        for table in ("session", "photo", "photo_data", "consent"):
            self.assertEqual(self.keep.execute("SELECT count(*) FROM %s" % table).fetchall(),
                             [(0,)] if table != "consent" else
                             self.keep.execute("SELECT count(*) FROM consent WHERE client_id = 1")
                             .fetchall())
        self.assertEqual(self.keep.execute("PRAGMA foreign_key_check").fetchall(), [])

    def test_other_clients_are_untouched(self):
        before = self.export()
        bea_audit = self.sql("SELECT * FROM audit WHERE client_id = 1")
        bea_changes = self.sql("SELECT * FROM audit_change WHERE audit_id IN "
                               "(SELECT id FROM audit WHERE client_id = 1)")
        self.make_quillon()
        self.erase("2", "--yes")
        self.assertEqual(self.export(), before)
        self.assertEqual(self.sql("SELECT * FROM audit WHERE client_id = 1"), bea_audit)
        self.assertEqual(self.sql("SELECT * FROM audit_change WHERE audit_id IN "
                                  "(SELECT id FROM audit WHERE client_id = 1)"), bea_changes)
        p = self.run_cmd("find", "Rowe")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.run_cmd("find", "Vexmartin").returncode, 1)

    def test_the_audit_keeps_only_that_it_happened(self):
        self.make_quillon()
        self.erase("2", "--yes")
        rows = self.sql("SELECT action, staff, intake_id, at FROM audit WHERE client_id = 2 "
                        "ORDER BY id")
        # one row per intake, one for the client; no values
        self.assertEqual([(a, s, i) for a, s, i, _ in rows],
                         [("erase", "Dana Staff", 2), ("erase", "Dana Staff", 3),
                          ("erase", "Dana Staff", None)])
        for _, _, _, at in rows:
            self.assertRegex(at, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(self.sql("SELECT count(*) FROM audit_change WHERE audit_id IN "
                                  "(SELECT id FROM audit WHERE client_id = 2 OR intake_id IN "
                                  "(2, 3))"), [(0,)])
        self.assertEqual(self.sql("SELECT count(*) FROM audit WHERE intake_id IN (2, 3) AND "
                                  "action <> 'erase'"), [(0,)])
        # history shows the erasure, and nothing else
        p = self.run_cmd("history", "2")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(p.stdout.splitlines()), 1, p.stdout)
        self.assertIn("Dana Staff  erased", p.stdout)

    def test_the_database_refuses_to_change_or_remove_audit_rows(self):
        self.make_quillon()
        self.erase("2", "--yes")
        before = self.snapshot()
        for sql in ("UPDATE audit SET staff = 'Mallory'",
                    "UPDATE audit SET client_id = NULL WHERE action = 'erase'",
                    "DELETE FROM audit WHERE action = 'erase'",
                    "DELETE FROM audit WHERE client_id = 1",
                    "DELETE FROM audit",
                    "UPDATE audit_change SET new_value = 'x'",
                    "DELETE FROM audit_change"):
            with self.subTest(sql=sql):
                con = sqlite3.connect(self.db)
                try:
                    with self.assertRaises(sqlite3.DatabaseError) as cm:
                        with con:
                            con.execute(sql)
                    self.assertRegex(str(cm.exception), "audit rows cannot be (changed|removed)")
                finally:
                    con.close()
        self.assertEqual(self.snapshot(), before)

    def test_drafts_with_the_client_details_go_too(self):
        self.make_quillon()
        con = sqlite3.connect(self.db)
        with con:
            def draft(client_id, intake_id, answers):
                cur = con.execute("INSERT INTO draft (intake_id, base_revision, client_id, "
                                  "started_at, updated_at, staff) VALUES (?, ?, ?, "
                                  "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'Dana')",
                                  (intake_id, 1 if intake_id else None, client_id))
                for q, v in answers.items():
                    con.execute("INSERT INTO draft_answer VALUES (?, ?, ?)", (cur.lastrowid, q, v))
            draft(2, None, {"phone": "+44 7700 900777", "hair_loss_notes": "Glimmerwick"})
            draft(None, 2, {"hair_loss_notes": "Thornquist edit"})
            # typed before a client was chosen: the same names in other case
            draft(None, None, {"first_name": "QUILLON", "last_name": "vexmartin",
                               "date_of_birth": "1981-03-14", "email": "drafted@zanzibar.example"})
            # not Quillon: another birth date; and Bea's
            draft(None, None, {"first_name": "Quillon", "last_name": "Vexmartin",
                               "date_of_birth": "1981-03-15"})
            draft(1, None, {"phone": "+44 7700 900888"})
        con.close()
        self.erase("2", "--yes")
        left = self.sql("SELECT d.client_id, a.question_id, a.value FROM draft d "
                        "JOIN draft_answer a ON a.draft_id = d.id ORDER BY d.id, a.question_id")
        self.assertEqual(left, [(None, "date_of_birth", "1981-03-15"),
                                (None, "first_name", "Quillon"),
                                (None, "last_name", "Vexmartin"),
                                (1, "phone", "+44 7700 900888")])
        data = self.file_bytes()
        for text in ("Glimmerwick", "Thornquist", "900777", "drafted@zanzibar"):
            self.assert_gone(text, data)

    def test_erasing_twice_names_the_erasure(self):
        self.make_quillon()
        self.erase("2", "--yes")
        before = self.snapshot()
        p = self.erase("2", "--yes", code=1)
        self.assertRegex(p.stderr, r"^smp-intake: client 2 was erased on \d{4}-\d\d-\d\d by "
                                   r"Dana Staff\n$")
        self.assertEqual(p.stdout, "")
        self.assertEqual(self.snapshot(), before)
        # The intakes and the client are reported erased elsewhere too.
        for argv in (["show", "2"], ["advice", "3"], ["edit", "3"], ["signoff", "2", "--status",
                                                                      "pending"]):
            with self.subTest(argv=argv):
                p = self.run_cmd(*argv, input="")
                self.assert_one_line_error(p, 1)
                self.assertRegex(p.stderr, r"intake \d was erased on \d{4}-\d\d-\d\d by Dana Staff")
        p = self.run_cmd("new", "--client", "2", input=pipe_lines(QUILLON))
        self.assert_one_line_error(p, 1)
        self.assertIn("client 2 was erased on", p.stderr)

    def test_unknown_id(self):
        before = self.snapshot()
        for id in ("2", "99", "999999999999"):
            with self.subTest(id=id):
                p = self.erase(id, "--yes", code=1)
                self.assertEqual(p.stderr, "smp-intake: no client %s (see smp-intake find)\n" % id)
        self.assertEqual(self.snapshot(), before)

    def test_bad_id_text_and_usage(self):
        before = self.snapshot()
        for argv in (["abc", "--yes"], ["0", "--yes"], ["1.5", "--yes"],
                     ["", "--yes"], [" 1", "--yes"], ["1x", "--yes"],
                     ["99999999999999999999999", "--yes"]):
            with self.subTest(argv=argv):
                p = self.erase(*argv, code=2)
                self.assertIn("CLIENT_ID must be a positive whole number", p.stderr)
        for argv in ([], ["--yes"], ["1", "2", "--yes"], ["1", "--force"], ["1", "--yes=no"],
                     ["-1", "--yes"]):
            with self.subTest(argv=argv):
                p = self.run_cmd("erase", *argv)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertTrue(p.stderr.startswith("smp-intake: ") or
                                p.stderr.startswith("usage: smp-intake erase"), p.stderr)
        self.assertEqual(self.snapshot(), before)

    def test_through_a_pipe_without_yes_nothing_is_erased(self):
        self.make_quillon()
        before = self.snapshot()
        for data in ("", "yes\n"):
            with self.subTest(input=data):
                p = self.run_cmd("erase", "2", input=data)
                self.assert_one_line_error(p, 2)
                self.assertIn("--yes", p.stderr)
                self.assertIn("nothing erased", p.stderr)
                self.assertEqual(p.stdout, "")
        self.assertEqual(self.snapshot(), before)
        # an unknown client is a usage error first, too: nothing to ask
        p = self.run_cmd("erase", "99")
        self.assertEqual(p.returncode, 2, p.stderr)

    def test_options_may_come_first_and_help_opens_nothing(self):
        self.make_quillon()
        p = self.erase("--yes", "2")
        self.assertIn("Erased client 2", p.stdout)
        other = os.path.join(self.tmp, "absent.db")
        p = self.run_cmd("--db", other, "erase", "--help")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("usage: smp-intake erase CLIENT_ID [--yes]", p.stdout)
        self.assertFalse(os.path.exists(other))

    def test_erased_numbers_are_never_given_again(self):
        self.make_quillon()
        self.erase("2", "--yes")  # the highest client and intake numbers
        self.assertIn("Saved intake 4 for client 3.", self.new_intake(base_answers()))
        p = self.run_cmd("show", "3")
        self.assertIn("intake 3 was erased", p.stderr)
        self.assertEqual(self.sql("SELECT id FROM client ORDER BY id"), [(1,), (3,)])


class EraseAtATerminal(EraseTest):
    def ask(self, *extra):
        child = self.spawn("erase", "2", *extra)
        rec = record(child)
        child.expect_exact("Client 2: Quillon Vexmartin, born 1981-03-14; 2 intakes, the latest "
                           "on ")
        child.expect_exact("Type yes to erase client 2: ")
        return child, rec

    def test_no_keeps_the_client_and_yes_erases(self):
        self.make_quillon()
        before = self.snapshot()
        for answer in ("no", "y", "YES please", ""):
            with self.subTest(answer=answer):
                child, rec = self.ask()
                type_line(child, answer)
                child.expect_exact("smp-intake: erase: not confirmed; nothing erased")
                self.assertEqual(finish(self, child), 1)
                self.assertEqual(self.snapshot(), before)
        child, rec = self.ask()
        child.sendeof()  # Ctrl-D
        child.expect_exact("nothing erased")
        self.assertEqual(finish(self, child), 1)
        child, rec = self.ask()
        child.sendcontrol("c")
        child.expect_exact("nothing erased")
        self.assertEqual(finish(self, child), 1)
        self.assertEqual(self.snapshot(), before)

        child, rec = self.ask()
        type_line(child, "yes")
        child.expect_exact("Erased client 2 and its 2 intakes.")
        self.assertEqual(finish(self, child), 0)
        self.assertEqual(self.sql("SELECT count(*) FROM client WHERE id = 2"), [(0,)])
        self.assert_gone("Vexmartin", self.file_bytes())

    def test_yes_asks_nothing(self):
        self.make_quillon()
        child = self.spawn("erase", "2", "--yes")
        rec = record(child)
        child.expect_exact("Erased client 2")
        self.assertEqual(finish(self, child), 0)
        self.assertNotIn("Type yes", rec.text)

    def test_the_name_shown_is_made_safe(self):
        self.new_intake(QUILLON)
        con = sqlite3.connect(self.db)
        with con:
            con.execute("UPDATE client SET first_name = 'Quil\x1b[2Jlon', "
                        "last_name = 'Vex\u202emartin' WHERE id = 2")
        con.close()
        child = self.spawn("erase", "2")
        rec = record(child)
        child.expect_exact("Type yes to erase client 2: ")
        type_line(child, "no")
        self.assertEqual(finish(self, child), 1)
        self.assertIn("Quil\\x1b[2Jlon Vex\\u202emartin", rec.text)
        self.assertNotIn("\x1b[2J", rec.text)
        self.assertNotIn("\u202e", rec.text)

    def test_unknown_client_at_a_terminal_asks_nothing(self):
        child = self.spawn("erase", "42")
        rec = record(child)
        child.expect_exact("smp-intake: no client 42 (see smp-intake find)")
        self.assertEqual(finish(self, child), 1)
        self.assertNotIn("Type yes", rec.text)


class EraseInTheMenu(MenuTest):
    def setUp(self):
        super().setUp()
        self.new_intake(QUILLON)
        self.new_intake(BEA)

    def test_erase_asks_and_the_history_never_erases(self):
        child, rec = self.open_menu()
        out = self.command(child, "help")
        self.assertIn("erase CLIENT_ID", out)
        # the options are in each command's own help
        self.assertIn("purge --older-than", self.command(child, "help purge"))
        self.assertIn("export [--format FORMAT] [--since DATE] [--until DATE] [--client ID]",
                      self.command(child, "help export"))
        type_line(child, "erase 1")
        child.expect_exact("Client 1: Quillon Vexmartin")
        child.expect_exact("Type yes to erase client 1: ")
        type_line(child, "no")
        child.expect_exact("nothing erased")
        child.expect_exact(MENU)
        type_line(child, "erase 1")
        child.expect_exact("Type yes to erase client 1: ")
        type_line(child, "yes")
        child.expect_exact("Erased client 1 and its 1 intake.")
        child.expect_exact(MENU)
        # the answer to the question is not a command: Up gives the command
        shown = self.recall(child)
        self.assertIn("erase 1", shown)
        self.assertNotIn("yes", shown)
        out = self.command(child, "erase 1 --yes")
        self.assertIn("client 1 was erased on", out)
        self.assertEqual(self.sql("SELECT count(*) FROM client"), [(1,)])
        # Up brings the line back without --yes: run again, it would ask.
        out = self.command(child, "erase 2 --yes")
        self.assertIn("Erased client 2", out)
        shown = self.recall(child)
        self.assertIn("erase 2", shown)
        self.assertNotIn("--yes", shown)
        self.quit(child)

    def test_purge_and_export_client_in_the_menu(self):
        con = sqlite3.connect(self.db)
        with con:
            con.execute("UPDATE intake SET taken_at = '2010-01-01T00:00:00Z' WHERE client_id = 1")
        con.close()
        child, rec = self.open_menu()
        out = self.command(child, "purge --older-than 7y")
        self.assertIn("1 client would be erased", out)
        self.assertRegex(out, r"\n1 +2010-01-01 +Quillon Vexmartin")
        path = os.path.join(self.tmp, "bea.json")
        out = self.command(child, "export --client 2 -o " + path)
        self.assertIn("exported client 2 (1 intake)", out)
        self.assertTrue(os.path.exists(path))
        out = self.command(child, "purge --older-than 7y --yes")
        self.assertIn("Erased client 1 and its 1 intake.", out)
        self.quit(child)
        self.assertEqual(self.sql("SELECT id FROM client"), [(2,)])
