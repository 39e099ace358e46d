"""`smp-intake contact`: a client's phone and email change without a new
intake, advice sheet or acknowledgement, audited and access-logged; and
`edit` keeps the acknowledgement when the new sheet's words are the
acknowledged one's."""
import pexpect

from harness import IntakeTest, base_answers
from ptyutil import MENU, strip_ansi, type_line
from test_edit import edit_lines

ROGAINE = dict(uses_rogaine="yes", rogaine_form="foam", gp_discussed="yes",
               gp_signoff="obtained", gp_name="Dr Who", gp_signoff_date="2026-01-05")


class Contact(IntakeTest):
    def setUp(self):
        super().setUp()
        self.stored = base_answers(phone="+44 7700 900123", email="ana@example.com", **ROGAINE)
        self.new_intake(self.stored)                                   # 1, ready

    def ready(self):
        p = self.run_cmd("list", "--ready", "--format", "tsv")
        self.assertEqual(p.returncode, 0, p.stderr)
        return [l.split("\t")[0] for l in p.stdout.splitlines()[1:]]

    def record_state(self):
        """What a contact change must leave alone."""
        return (self.sql("SELECT id, revision, acknowledged_sheet FROM intake ORDER BY id"),
                self.sql("SELECT count(*) FROM advice_sheet"),
                self.sql("SELECT * FROM acknowledgement ORDER BY 1, 2"),
                self.sql("SELECT * FROM answer ORDER BY 1, 2"))

    def test_a_new_phone_keeps_readiness_and_the_record(self):
        self.new_intake(base_answers(first_name="Bo", keloid_history="yes"))  # 2, flag open
        self.assertEqual(self.ready(), ["1"])
        before = self.record_state()
        p = self.run_cmd("contact", "1", "--phone", "+44 7700 900999")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("+44 7700 900999", p.stdout)
        self.assertEqual(self.ready(), ["1"])
        self.assertEqual(self.record_state(), before)
        self.assertIn("+44 7700 900999", self.run_cmd("show", "1").stdout)
        self.assertEqual(self.sql("SELECT phone, email FROM client WHERE id = 1"),
                         [("+44 7700 900999", "ana@example.com")])
        # found by the new number, no more by the old one
        self.assertEqual(self.run_cmd("find", "07700 900999").returncode, 0)
        self.assertEqual(self.run_cmd("find", "07700 900123").returncode, 1)

    def test_audit_and_access_log(self):
        self.new_intake(base_answers(first_name="Bo"))  # another client's intake
        p = self.run_cmd("contact", "1", "--phone", "07700 900999", "--email", "ana@new.example")
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = self.sql("SELECT a.action, a.client_id, a.intake_id, a.staff, c.field, "
                        "c.old_value, c.new_value FROM audit a JOIN audit_change c "
                        "ON c.audit_id = a.id WHERE a.action = 'contact' ORDER BY c.field")
        self.assertEqual(rows, [
            ("contact", 1, None, "Dana Staff", "email", "ana@example.com", "ana@new.example"),
            ("contact", 1, None, "Dana Staff", "phone", "+44 7700 900123", "07700 900999")])
        history = self.run_cmd("history", "1").stdout
        self.assertIn("Dana Staff  client's contact details changed", history)
        self.assertIn("Phone: +44 7700 900123 -> 07700 900999", history)
        self.assertNotIn("contact details", self.run_cmd("history", "2").stdout)
        # history prints the contact details before and after: logged too
        self.assertEqual(self.sql("SELECT staff, command, clients FROM access_log"),
                         [("Dana Staff", "contact", "1"), ("Dana Staff", "history", "1"),
                          ("Dana Staff", "history", "2")])
        log = self.run_cmd("access-log").stdout
        self.assertRegex(log, r"Dana Staff\s+contact +1")
        # the subject access export carries the row
        actions = [a["action"] for a in self.export_client(1)["audit"]]
        self.assertIn("contact", actions)

    def test_dash_clears_and_the_same_value_changes_nothing(self):
        p = self.run_cmd("contact", "1", "--email", "-")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.sql("SELECT email FROM client WHERE id = 1"), [(None,)])
        p = self.run_cmd("contact", "1", "--phone", "+44 7700 900123")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("No change", p.stdout)
        self.assertEqual(self.sql("SELECT count(*) FROM audit WHERE action = 'contact'"), [(1,)])

    def test_refusals(self):
        before = self.snapshot()
        for args, code in ((["1", "--phone", "call me"], 2),
                           (["1", "--phone", "12"], 2),
                           (["1", "--email", "ana.example.com"], 2),
                           (["1", "--email", "ana@example.com\x1b[2J"], 2),
                           (["1"], 2),                    # through a pipe: an option is needed
                           (["x", "--phone", "07700 900999"], 2),
                           (["--phone", "07700 900999"], 2),
                           (["1", "--fax", "1"], 2),
                           (["9", "--phone", "07700 900999"], 1)):
            with self.subTest(args=args):
                p = self.run_cmd("contact", *args)
                self.assertEqual(p.returncode, code, p.stderr)
                self.assertTrue(p.stderr.startswith("smp-intake: ") or
                                p.stderr.startswith("usage: "), p.stderr)
                if p.stderr.startswith("smp-intake: "):
                    self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
                self.assertNotIn("call me", p.stderr)
        self.assertEqual(self.snapshot(), before)

    def test_at_a_terminal_it_shows_and_asks(self):
        child = self.spawn("contact", "1")
        child.expect_exact("Contact details of client 1, Ana Silva:")
        child.expect_exact("+44 7700 900123")
        child.expect_exact("ana@example.com")
        child.expect_exact("New phone (Enter keeps it, - clears it): ")
        type_line(child, "")
        child.expect_exact("New email (Enter keeps it, - clears it): ")
        type_line(child, "not an address")
        child.expect_exact("not an email address")
        child.expect_exact("New email (Enter keeps it, - clears it): ")
        type_line(child, "ana@new.example")
        child.expect_exact("Saved client 1's contact details")
        child.expect(pexpect.EOF)
        child.close()
        self.assertEqual(child.exitstatus, 0)
        self.assertEqual(self.sql("SELECT phone, email FROM client WHERE id = 1"),
                         [("+44 7700 900123", "ana@new.example")])

    def test_in_the_menu(self):
        child = self.spawn()
        child.expect_exact(MENU)
        type_line(child, "help")
        child.expect(r"contact CLIENT +change")
        child.expect_exact(MENU)
        type_line(child, "contact 1 --phone 07700900555")
        child.expect_exact("Saved client 1's contact details")
        child.expect_exact(MENU)
        type_line(child, "quit")
        child.expect(pexpect.EOF)
        self.assertEqual(self.sql("SELECT phone FROM client WHERE id = 1"), [("07700900555",)])


class EditKeepsTheAcknowledgement(IntakeTest):
    def setUp(self):
        super().setUp()
        self.stored = base_answers(phone="+44 7700 900123", **ROGAINE)
        self.new_intake(self.stored)

    def ack(self):
        return self.sql("SELECT i.acknowledged_sheet, (SELECT max(sheet) FROM advice_sheet "
                        "WHERE intake_id = 1), a.typed_name FROM intake i LEFT JOIN "
                        "acknowledgement a ON a.intake_id = i.id AND a.sheet = "
                        "i.acknowledged_sheet WHERE i.id = 1")[0]

    def test_a_new_phone_keeps_it(self):
        self.assertEqual(self.ack(), (1, 1, "Ana Silva"))
        p = self.run_cmd("edit", "1", input=edit_lines(self.stored, dict(phone="07700 900999")))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("acknowledgement carries over to sheet 2", p.stdout)
        self.assertEqual(self.ack(), (2, 2, "Ana Silva"))
        self.assertIn("1", [l.split("\t")[0] for l in
                            self.run_cmd("list", "--ready", "--format", "tsv").stdout.splitlines()])
        rows = self.sql("SELECT c.field, c.new_value FROM audit a JOIN audit_change c ON "
                        "c.audit_id = a.id WHERE a.action = 'acknowledge' ORDER BY a.id DESC, "
                        "c.field LIMIT 3")
        self.assertEqual(sorted(rows), [("acknowledged_by", "Ana Silva"),
                                        ("acknowledged_sheet", "2"),
                                        ("carried_over_from_sheet", "1")])
        self.assertIn("(sheet 2)", " ".join(self.run_cmd("show", "1").stdout.split()))
        p = self.run_cmd("acknowledge", "1", "--name", "Ana Silva")
        self.assertEqual(p.returncode, 1)
        self.assertIn("already acknowledged", p.stderr)

    def test_a_changed_treatment_needs_a_new_one(self):
        p = self.run_cmd("edit", "1", input=edit_lines(self.stored, dict(
            uses_propecia="yes", propecia_form="tablet")))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("carries over", p.stdout)
        self.assertEqual(self.ack(), (None, 2, None))
        self.assertNotIn("1", [l.split("\t")[0] for l in
                               self.run_cmd("list", "--ready", "--format", "tsv").stdout.splitlines()])

    def test_a_changed_name_needs_a_new_one(self):
        p = self.run_cmd("edit", "1", input=edit_lines(self.stored, dict(first_name="Anna")))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.ack(), (None, 2, None))

    def edit_to_the_save_question(self, phone):
        """An edit at a terminal that changes the phone (or nothing, when
        phone is empty), stopped at "Save these changes?"."""
        child = self.spawn("edit", "1")
        from ptyutil import PROMPTS
        for q in ("consent_storage", "first_name", "last_name", "date_of_birth"):
            child.expect_exact(PROMPTS[q][:-2])
            type_line(child, "")
        child.expect_exact("Phone")
        type_line(child, phone)
        # Enter keeps every other answer
        child.expect_exact("Email")
        for _ in range(40):
            i = child.expect([r"\]: |\): |: ", r"Save these changes\? \[yes/no\]: "])
            if i == 1:
                break
            type_line(child, "")
        return child

    def test_an_edit_does_not_put_back_details_changed_meanwhile(self):
        child = self.edit_to_the_save_question("07700 900999")
        p = self.run_cmd("contact", "1", "--email", "ana@new.example")
        self.assertEqual(p.returncode, 0, p.stderr)
        type_line(child, "yes")
        child.expect_exact("Saved the changes to intake 1.")
        child.expect(pexpect.EOF)
        self.assertEqual(self.sql("SELECT phone, email FROM client WHERE id = 1"),
                         [("07700 900999", "ana@new.example")])

    def test_at_a_terminal_it_is_not_asked_again(self):
        child = self.edit_to_the_save_question("07700 900999")
        type_line(child, "yes")
        child.expect_exact("acknowledgement carries over to sheet 2")
        child.expect(pexpect.EOF)
        self.assertNotIn("Client's full name", strip_ansi(child.before))
        child.close()
        self.assertEqual(child.exitstatus, 0)
        self.assertEqual(self.ack(), (2, 2, "Ana Silva"))
