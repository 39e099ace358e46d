"""`smp-intake edit` and `smp-intake history`: the questions again with the
stored answers as defaults, saved in one transaction with a new advice
sheet beside the old one and an audit row; two staff editing at once."""
import sqlite3

from harness import ORDER, IntakeTest, applies, base_answers, iso, today
from ptyutil import ACK, finish, keep_stored, prompt_start, record, type_line

ROGAINE = dict(uses_rogaine="yes", rogaine_form="foam", gp_discussed="yes", gp_signoff="pending")


def edit_lines(stored, changes):
    """The lines a pipe sends to `edit`: one per question that applies to
    the answers after the change, the new value where it changes, else an
    empty line (which keeps the stored answer)."""
    merged = dict(stored)
    merged.update(changes)
    return "".join(changes.get(q, "") + "\n" for q in ORDER if applies(q, merged))


class EditTest(IntakeTest):
    def edit(self, intake_id, stored, changes, code=0):
        p = self.run_cmd("edit", str(intake_id), input=edit_lines(stored, changes))
        self.assertEqual(p.returncode, code, p.stderr)
        return p

    def revision(self, intake_id=1):
        return self.sql("SELECT revision FROM intake WHERE id = ?", intake_id)[0][0]


class EditThroughPipe(EditTest):
    def setUp(self):
        super().setUp()
        self.stored = base_answers(phone="+44 7700 900123", email="ana@example.com")
        self.new_intake(self.stored)

    def test_a_changed_answer_is_saved_with_new_advice_and_audit(self):
        p = self.edit(1, self.stored, dict(phone="+44 7700 900999", **ROGAINE))
        self.assertIn("Saved the changes to intake 1.", p.stdout)
        self.assertIn("Ask your GP first", p.stdout)  # advice recomputed
        got = self.export()[0]
        self.assertEqual(got["client"]["phone"], "+44 7700 900999")
        self.assertEqual(got["client"]["email"], "ana@example.com")  # kept
        self.assertTrue(got["answers"]["uses_rogaine"])
        self.assertIn("gp-signoff", [a["id"] for a in got["advice"]])
        # The first sheet is kept beside the new one.
        sheets = self.sql("SELECT sheet, group_concat(advice_id) FROM advice_sheet "
                          "WHERE intake_id = 1 GROUP BY sheet ORDER BY sheet")
        self.assertEqual(len(sheets), 2)
        self.assertNotIn("gp-signoff", sheets[0][1])
        self.assertIn("gp-signoff", sheets[1][1])
        self.assertEqual(self.revision(), 2)
        audit = self.sql("SELECT action, staff, intake_id, client_id FROM audit ORDER BY id")
        # The client acknowledged the first sheet when the intake was saved;
        # this edit's pipe input gives no acknowledgement line.
        self.assertEqual(audit, [("create", "Dana Staff", 1, 1), ("acknowledge", "Dana Staff", 1, 1),
                                 ("edit", "Dana Staff", 1, 1)])
        changes = dict((f, (o, n)) for f, o, n in self.sql(
            "SELECT field, old_value, new_value FROM audit_change WHERE audit_id = 3"))
        self.assertEqual(changes["phone"], ("+44 7700 900123", "+44 7700 900999"))
        self.assertEqual(changes["uses_rogaine"], ("no", "yes"))
        self.assertEqual(changes["gp_signoff"], (None, "pending"))
        self.assertNotIn("email", changes)  # unchanged fields are not listed

    def test_history_prints_every_change_with_old_and_new_values(self):
        self.edit(1, self.stored, dict(phone="+44 7700 900999"))
        self.run_cmd("--staff", "Sam Other", "signoff", "1", "--status", "pending")  # no treatment
        p = self.run_cmd("history", "1")
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        heads = [l for l in lines if not l.startswith(" ")]
        self.assertEqual(len(heads), 4)
        self.assertRegex(heads[0], r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC  Dana Staff  created$")
        self.assertRegex(heads[1], r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC  Dana Staff  "
                                   r"advice acknowledged by the client$")
        self.assertRegex(heads[2], r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC  Dana Staff  edited$")
        # the new sheet's words are the acknowledged one's: carried over
        self.assertRegex(heads[3], r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC  Dana Staff  "
                                   r"advice acknowledged by the client$")
        self.assertIn("    carried_over_from_sheet: (none) -> 1", lines)
        self.assertIn("    First name: Ana", lines)
        self.assertIn("    Phone: +44 7700 900123 -> +44 7700 900999", lines)

    def test_dash_clears_an_optional_answer_and_enter_keeps_a_required_one(self):
        self.edit(1, self.stored, dict(email="-", first_name=""))
        got = self.export()[0]
        self.assertIsNone(got["client"]["email"])
        self.assertEqual(got["client"]["first_name"], "Ana")

    def test_dash_cannot_clear_a_required_answer_and_clears_an_empty_one(self):
        before = self.export()
        p = self.edit(1, self.stored, dict(first_name="-"), code=1)
        self.assertEqual(p.stderr, "smp-intake: first_name: an answer is required here; it "
                                   "cannot be cleared; nothing saved\n")
        self.assertEqual(self.export(), before)
        self.edit(1, self.stored, dict(hair_loss_notes="-"))  # nothing stored: stays empty
        self.assertNotIn("hair_loss_notes", self.export()[0]["answers"])

    def test_no_change_saves_nothing(self):
        p = self.edit(1, self.stored, {})
        self.assertIn("No changes to intake 1.", p.stdout)
        self.assertEqual(self.revision(), 1)
        self.assertEqual(self.sql("SELECT count(*) FROM audit WHERE action = 'edit'"), [(0,)])
        self.assertEqual(self.sql("SELECT count(*) FROM draft"), [(0,)])

    def test_a_bad_answer_changes_nothing(self):
        before = self.export()
        p = self.edit(1, self.stored, dict(date_of_birth="1985-02-30"), code=1)
        self.assertEqual(p.stderr.strip().splitlines(),
                         ["smp-intake: date_of_birth: that date does not exist in the calendar; "
                          "nothing saved"])
        self.assertEqual(self.export(), before)
        self.assertEqual(self.revision(), 1)

    def test_input_ending_early_changes_nothing(self):
        before = self.export()
        p = self.run_cmd("edit", "1", input="\n\n\n")
        self.assertEqual(p.returncode, 1)
        self.assertIn("input ended before this question", p.stderr)
        self.assertEqual(self.export(), before)

    def test_unknown_and_bad_ids(self):
        p = self.run_cmd("edit", "9", input="")
        self.assertEqual((p.returncode, p.stderr), (1, "smp-intake: no intake 9 (see smp-intake find)\n"))
        for bad in ("abc", "0", "-1", "1x"):
            with self.subTest(id=bad):
                p = self.run_cmd("edit", bad, input="")
                self.assertEqual(p.returncode, 2)
                self.assertEqual(len(p.stderr.splitlines()), 1)
        p = self.run_cmd("edit", input="")
        self.assertEqual(p.returncode, 2)
        p = self.run_cmd("history", "9")
        self.assertEqual((p.returncode, p.stderr), (1, "smp-intake: no intake 9 (see smp-intake find)\n"))

    def test_withdrawing_consent_in_an_edit_changes_nothing(self):
        before = self.export()
        p = self.edit(1, self.stored, dict(consent_storage="no"), code=1)
        self.assertIn("consent cannot be withdrawn by an edit", p.stderr)
        self.assertIn("smp-intake erase 1", p.stderr)
        self.assertEqual(self.export(), before)

    def test_client_details_change_for_every_intake_of_the_client(self):
        self.new_intake(self.stored)  # intake 2, the same client
        self.edit(1, self.stored, dict(last_name="Silva-Costa"))
        data = self.export()
        self.assertEqual([d["client"]["last_name"] for d in data], ["Silva-Costa"] * 2)


class AuditIsFixed(IntakeTest):
    def test_audit_rows_cannot_be_changed_or_removed(self):
        self.new_intake(base_answers(acknowledged_by=None))
        con = sqlite3.connect(self.db)
        try:
            for sql in ("UPDATE audit SET staff = 'someone else'",
                        "DELETE FROM audit",
                        "UPDATE audit_change SET new_value = 'x'",
                        "DELETE FROM audit_change"):
                with self.subTest(sql=sql):
                    with self.assertRaises(sqlite3.DatabaseError) as e:
                        con.execute(sql)
                    self.assertIn("audit rows cannot be", str(e.exception))
        finally:
            con.close()
        self.assertEqual(self.sql("SELECT count(*), min(staff) FROM audit"), [(1, "Dana Staff")])


class EditAtTerminal(EditTest):
    def setUp(self):
        super().setUp()
        self.stored = base_answers(phone="+44 7700 900123", **ROGAINE)
        self.new_intake(self.stored)

    def walk(self, child, changes):
        """Answers every question of an edit, waiting for each prompt with
        the stored answer in brackets; returns at the save question."""
        merged = dict(self.stored)
        merged.update(changes)
        for q in ORDER:
            if not applies(q, merged):
                continue
            child.expect_exact(prompt_start(q))
            type_line(child, changes.get(q, ""))
        child.expect_exact("Save these changes? [yes/no]: ")

    def test_stored_answers_are_the_defaults_and_changes_are_shown(self):
        child = self.spawn("edit", "1")
        record(child)
        child.expect_exact("Editing intake 1.")
        child.expect_exact("stored by the studio? [yes/no] (yes): ")
        type_line(child, "")
        child.expect_exact("First name (Ana): ")
        type_line(child, "")
        child.expect_exact("Last name (Silva): ")
        type_line(child, "")
        child.expect_exact("Date of birth (YYYY-MM-DD) (1985-07-23): ")
        type_line(child, "")
        child.expect_exact("Phone (optional) (+44 7700 900123): ")
        type_line(child, "+44 7700 900555")
        merged = dict(self.stored)
        for q in ORDER[5:]:
            if applies(q, merged):
                child.expect_exact(prompt_start(q))
                type_line(child, "")
        child.expect_exact("Changes to intake 1")
        child.expect_exact("Phone: +44 7700 900123 -> +44 7700 900555")
        child.expect_exact("Save these changes? [yes/no]: ")
        type_line(child, "yes")
        child.expect_exact("Saved the changes to intake 1.")
        # The new sheet has the words the client acknowledged: not asked
        # again (test_contact: a changed advice is).
        child.expect_exact("the acknowledgement carries over to sheet 2.")
        self.assertEqual(finish(self, child), 0)
        self.assertEqual(self.export()[0]["client"]["phone"], "+44 7700 900555")
        self.assertEqual(self.sql("SELECT count(*) FROM draft"), [(0,)])

    def test_two_staff_editing_at_once_the_second_loses_nothing(self):
        # Dana starts editing at a terminal and reaches the save question...
        child = self.spawn("edit", "1")
        record(child)
        child.expect_exact("Editing intake 1.")
        self.walk(child, dict(email="ana@new.example"))
        # ...while Sam changes the phone through a pipe and saves first.
        env = dict(self.env, SMP_INTAKE_STAFF="Sam Other")
        p = self.run_cmd("edit", "1", input=edit_lines(self.stored, dict(phone="+44 7700 900777")),
                         env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        type_line(child, "yes")
        child.expect(r"smp-intake: intake 1 was changed by Sam Other at \S+ while you were "
                     r"editing; nothing saved: your changes are kept as draft (\d+) "
                     r"\(smp-intake resume \1\)")
        draft = child.match.group(1)
        self.assertEqual(finish(self, child), 1)
        got = self.export()[0]["client"]
        self.assertEqual((got["phone"], got["email"]), ("+44 7700 900777", None))
        self.assertEqual(self.sql("SELECT question_id, value FROM draft_answer"),
                         [("email", "ana@new.example")])
        # Resuming the draft applies Dana's change on top of Sam's.
        p = self.run_cmd("resume", draft, input="")
        self.assertEqual(p.returncode, 0, p.stderr)
        got = self.export()[0]["client"]
        self.assertEqual((got["phone"], got["email"]), ("+44 7700 900777", "ana@new.example"))
        self.assertEqual(self.sql("SELECT count(*) FROM draft"), [(0,)])
        self.assertEqual(self.revision(), 3)
        self.assertEqual([r[0] for r in self.sql("SELECT staff FROM audit WHERE action = 'edit' "
                                                 "ORDER BY id")], ["Sam Other", "Dana Staff"])

    def test_a_signoff_recorded_during_an_edit_is_a_conflict_too(self):
        child = self.spawn("edit", "1")
        record(child)
        self.walk(child, dict(phone="+44 7700 900888"))
        p = self.run_cmd("signoff", "1", "--status", "obtained", "--gp", "Dr Okafor",
                         "--date", iso(today()))
        self.assertEqual(p.returncode, 0, p.stderr)
        type_line(child, "yes")
        child.expect_exact("while you were editing; nothing saved")
        self.assertEqual(finish(self, child), 1)
        got = self.export()[0]
        self.assertEqual(got["gp_signoff"]["status"], "obtained")
        self.assertEqual(got["client"]["phone"], "+44 7700 900123")


class AfterErasure(EditTest):
    def test_an_erased_intake_cannot_be_edited_and_its_history_says_so(self):
        stored = base_answers()
        self.new_intake(stored)
        self.edit(1, stored, dict(phone="+44 7700 900123"))
        p = self.run_cmd("--staff", "Sam Other", "erase", "1", "--yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.run_cmd("edit", "1", input=edit_lines(stored, {}))
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stderr, r"^smp-intake: intake 1 was erased on \d{4}-\d\d-\d\d by "
                                   r"Sam Other\n$")
        p = self.run_cmd("history", "1")
        self.assertEqual(p.returncode, 0, p.stderr)
        # Only that it was erased, when and by whom: no values survive.
        self.assertRegex(p.stdout, r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC  Sam Other  erased with "
                                   r"the client's records\n$")
        self.assertNotIn("+44", p.stdout)

    def test_an_edit_draft_goes_with_the_erased_client(self):
        stored = base_answers(phone="+44 7700 900123")
        self.new_intake(stored)
        child = self.spawn("edit", "1")
        record(child)
        keep_stored(child, ORDER[:4])
        child.expect_exact("Phone (optional) (+44 7700 900123): ")
        type_line(child, "+44 7700 900456")
        child.expect_exact("Email (optional): ")
        child.sendcontrol("c")
        child.expect_exact("edit stopped")
        self.assertEqual(finish(self, child), 1)
        self.assertEqual(self.sql("SELECT count(*) FROM draft"), [(1,)])
        p = self.run_cmd("erase", "1", "--yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.sql("SELECT count(*) FROM draft"), [(0,)])
        self.assertEqual(self.sql("SELECT count(*) FROM draft_answer"), [(0,)])
        p = self.run_cmd("resume", "1")
        self.assertEqual((p.returncode, p.stderr),
                         (1, "smp-intake: no draft 1 (see smp-intake drafts)\n"))
