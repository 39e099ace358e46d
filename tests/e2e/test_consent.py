"""The assessment of questionnaire 2026.4 (hair-loss scale, treatment,
hairline style, photo consents) through the pty, the pipe and --answers;
the consent rows written when an intake is saved, edited or imported;
`smp-intake consent CLIENT` to print, withdraw or give them again
(audited); the consents in `show`; older intakes keep their own version."""
import json
import os

import pexpect

from harness import ROOT, IntakeTest, base_answers, pipe_lines
from ptyutil import PROMPTS, answer_all, expect_prompt, finish, record, type_line
from test_edit import edit_lines

RELEASE_2026_1 = os.path.join(ROOT, "tests", "e2e", "cases", "release-2026.1.json")
SCREENED = {"scalp_conditions": "none", "keloid_history": False, "blood_thinners": False,
            "allergies": False, "pregnant_or_breastfeeding": "no"}
# What an --answers file of questionnaire 2026.3 held: no assessment.
FILE_2026_3 = {"consent_storage": True, "first_name": "Bea", "last_name": "Lee",
               "date_of_birth": "1980-01-02", **SCREENED}


class ConsentTest(IntakeTest):
    def consents(self, client=1):
        return self.sql("SELECT kind, value, intake_id, at, staff FROM consent "
                        "WHERE client_id = ? ORDER BY id", client)

    def consent_audit(self):
        return self.sql("SELECT a.client_id, a.intake_id, a.staff, c.field, c.old_value, "
                        "c.new_value FROM audit a JOIN audit_change c ON c.audit_id = a.id "
                        "WHERE a.action = 'consent' ORDER BY c.rowid")

    def answers_file(self, answers):
        path = os.path.join(self.tmp, "answers.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"answers": answers}, f)
        return path

    def assert_refused(self, p, code, part):
        self.assertEqual(p.returncode, code, p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertEqual(p.stderr.count("\n"), 1, p.stderr)
        self.assertTrue(p.stderr.startswith("smp-intake: "), p.stderr)
        self.assertIn(part, p.stderr)


class AtIntake(ConsentTest):
    def test_pipe_stores_the_assessment_and_records_both_consents_with_the_intake(self):
        self.new_intake(base_answers(hair_loss_scale="Ludwig_2", treatment_type="scar",
                                     hairline_style="soft, natural", consent_photos="yes",
                                     consent_marketing="YES"))
        got = self.export()[0]
        self.assertEqual(got["questionnaire_version"], "2026.4")
        self.assertEqual(got["advice_version"], "2026.3")
        self.assertEqual({k: got["answers"].get(k) for k in (
            "hair_loss_scale", "treatment_type", "hairline_style", "consent_photos",
            "consent_marketing")}, {"hair_loss_scale": "ludwig_2",
                                    "treatment_type": "scar_camouflage",
                                    "hairline_style": "soft, natural",
                                    "consent_photos": True, "consent_marketing": True})
        taken = got["taken_at"]
        self.assertEqual(self.consents(), [("photos", "yes", 1, taken, "Dana Staff"),
                                           ("marketing", "yes", 1, taken, "Dana Staff")])
        # The intake's own create row carries the answers: no consent row of its own.
        self.assertEqual(self.consent_audit(), [])
        show = self.run_cmd("show", "1").stdout
        self.assertIn("  Hair-loss scale             ludwig_2\n", show)
        self.assertIn("  Treatment                   scar_camouflage\n", show)
        self.assertIn("Photo consents of client 1", show)
        self.assertIn("  Keep photos in the record  yes  since %s\n" % taken[:10], show)
        self.assertIn("  Use photos for marketing   yes  since %s\n" % taken[:10], show)

    def test_photos_no_skips_the_marketing_question_and_records_no_for_both(self):
        a = base_answers(consent_photos="no")
        a.pop("consent_marketing")
        lines = pipe_lines(a).splitlines()
        # consent_photos "no" is followed by uses_rogaine's line, not marketing's.
        at = lines.index("norwood_3")
        self.assertEqual(lines[at:at + 5], ["norwood_3", "full_head", "", "no", "no"])
        self.new_intake(a)
        got = self.export()[0]["answers"]
        self.assertFalse(got["consent_photos"])
        self.assertNotIn("consent_marketing", got)
        self.assertEqual([r[:3] for r in self.consents()], [("photos", "no", 1),
                                                            ("marketing", "no", 1)])

    def test_a_consent_question_has_no_default_and_a_bad_scale_is_refused(self):
        for over, part in ((dict(consent_photos=""), "consent_photos: an answer is required"),
                           (dict(hair_loss_scale="norwood"), "hair_loss_scale: choose one of: "
                            "norwood_1, norwood_2"),
                           (dict(hair_loss_scale="norwood_8"), "not_applicable"),
                           (dict(treatment_type=""), "treatment_type: an answer is required")):
            with self.subTest(over=over):
                p = self.run_cmd("new", input=pipe_lines(base_answers(**over)))
                self.assertEqual(p.returncode, 1)
                self.assertIn(part, p.stderr)
                self.assertIn("nothing saved", p.stderr)
                self.assertEqual(self.sql("SELECT count(*) FROM intake"), [(0,)])
                self.assertEqual(self.sql("SELECT count(*) FROM consent"), [(0,)])

    def test_at_a_terminal(self):
        child = self.spawn("new")
        rec = record(child)
        answer_all(child, base_answers(hair_loss_scale="nor", consent_photos="yes",
                                       consent_marketing="no"), stop="hair_loss_scale")
        type_line(child, "nor")  # norwood_1 ... or not_applicable?
        child.expect_exact("choose one of: norwood_1, norwood_2,")
        child.expect_exact("other, not_applicable")
        expect_prompt(child, PROMPTS["hair_loss_scale"])
        type_line(child, "?")
        child.expect_exact("ludwig_1 to ludwig_3 (the Ludwig scale")
        expect_prompt(child, PROMPTS["hair_loss_scale"])
        type_line(child, "norwood_5")
        expect_prompt(child, PROMPTS["treatment_type"])
        type_line(child, "den")
        expect_prompt(child, PROMPTS["hairline_style"])
        type_line(child, "")
        expect_prompt(child, PROMPTS["consent_photos"])
        type_line(child, "")  # no default: asked again
        child.expect_exact("an answer is required")
        expect_prompt(child, PROMPTS["consent_photos"])
        type_line(child, "yes")
        expect_prompt(child, PROMPTS["consent_marketing"])
        type_line(child, "no")
        answer_all(child, base_answers(), start="uses_rogaine")
        summary = rec.text[rec.text.rindex("Summary"):]
        for label in ("Hair-loss scale", "norwood_5", "Treatment", "density",
                      "Consent to photos", "Consent to marketing use"):
            self.assertIn(label, summary)
        type_line(child, "yes")
        child.expect_exact("Saved intake 1 for client 1.")
        child.expect_exact("Client's full name")
        type_line(child, "Ana Silva")
        self.assertEqual(finish(self, child), 0)
        got = self.export()[0]["answers"]
        self.assertEqual((got["hair_loss_scale"], got["treatment_type"], got["consent_photos"],
                          got["consent_marketing"]), ("norwood_5", "density", True, False))
        self.assertNotIn("hairline_style", got)
        self.assertEqual([r[:2] for r in self.consents()], [("photos", "yes"),
                                                            ("marketing", "no")])


class AnswersFile(ConsentTest):
    def test_a_file_with_the_assessment_is_saved_with_its_consents(self):
        path = self.answers_file(dict(FILE_2026_3, hair_loss_scale="not_applicable",
                                      treatment_type="alopecia_areata", consent_photos=True,
                                      consent_marketing=False))
        p = self.run_cmd("new", "--answers", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([r[:3] for r in self.consents()], [("photos", "yes", 1),
                                                            ("marketing", "no", 1)])

    def test_a_2026_3_file_is_refused_at_the_first_new_question(self):
        p = self.run_cmd("new", "--answers", self.answers_file(FILE_2026_3))
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stderr, "smp-intake: hair_loss_scale: an answer is required; "
                                   "nothing saved\n")
        # The others are needed too, the photo consent without a default.
        p = self.run_cmd("new", "--answers", self.answers_file(
            dict(FILE_2026_3, hair_loss_scale="norwood_2", treatment_type="density")))
        self.assertEqual(p.stderr, "smp-intake: consent_photos: an answer is required; "
                                   "nothing saved\n")
        self.assertEqual(self.sql("SELECT count(*) FROM intake"), [(0,)])

    def test_marketing_without_photos_does_not_apply(self):
        p = self.run_cmd("new", "--answers", self.answers_file(
            dict(FILE_2026_3, hair_loss_scale="norwood_2", treatment_type="density",
                 consent_photos=False, consent_marketing=True)))
        self.assertEqual(p.returncode, 1)
        self.assertIn("'consent_marketing' does not apply", p.stderr)
        self.assertEqual(self.sql("SELECT count(*) FROM consent"), [(0,)])


class ConsentCommand(ConsentTest):
    def setUp(self):
        super().setUp()
        self.new_intake(base_answers(consent_photos="yes", consent_marketing="yes"))

    def test_withdrawn_then_given_again_each_audited(self):
        p = self.run_cmd("consent", "1", "--marketing", "no")
        self.assertEqual((p.returncode, p.stderr), (0, ""))
        self.assertEqual(p.stdout, "Saved client 1's photo consents:\n"
                                   "  Use photos for marketing   no (was yes)\n")
        rows = self.consents()
        self.assertEqual(rows[-1][:3], ("marketing", "no", None))
        self.assertEqual(rows[-1][4], "Dana Staff")
        self.assertEqual(self.consent_audit(),
                         [(1, None, "Dana Staff", "marketing_consent", "yes", "no")])
        # show gives the consents as they stand; the intake's answer stays.
        show = self.run_cmd("show", "1").stdout
        self.assertIn("  Use photos for marketing   no   since", show)
        self.assertIn("  Consent to marketing use    yes\n", show)
        # --photos no withdraws marketing too; both in one audit row.
        p = self.run_cmd("consent", "1", "--photos", "No")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.run_cmd("consent", "1", "--photos", "yes", "--marketing", "y")
        self.assertEqual(p.stdout, "Saved client 1's photo consents:\n"
                                   "  Keep photos in the record  yes (was no)\n"
                                   "  Use photos for marketing   yes (was no)\n")
        self.assertEqual([c[3:] for c in self.consent_audit()],
                         [("marketing_consent", "yes", "no"), ("photos_consent", "yes", "no"),
                          ("photos_consent", "no", "yes"), ("marketing_consent", "no", "yes")])
        self.assertEqual(self.sql("SELECT count(*) FROM audit WHERE action = 'consent'"), [(3,)])
        # The client's subject access export carries the audit rows.
        audit = [a for a in self.export_client(1)["audit"] if a["action"] == "consent"]
        self.assertEqual(len(audit), 3)
        # Printed: as they stand, then every change, with how it came.
        out = self.run_cmd("consent", "1").stdout.splitlines()
        self.assertEqual(out[0], "Photo consents of client 1")
        self.assertRegex(out[1], r"^  Keep photos in the record  yes  since \S+Z  with "
                                 r"`consent` \(Dana Staff\)$")
        self.assertIn("Every change, oldest first:", out)
        changes = out[out.index("Every change, oldest first:") + 1:]
        self.assertEqual([c.split()[:2] for c in changes],
                         [["photos", "yes"], ["marketing", "yes"], ["marketing", "no"],
                          ["photos", "no"], ["photos", "yes"], ["marketing", "yes"]])
        self.assertTrue(changes[0].endswith("at intake 1 (Dana Staff)"), changes[0])
        # Printing them is reading the client's data: logged as such.
        self.assertEqual(self.sql("SELECT command, clients FROM access_log "
                                  "WHERE command = 'consent'"), [("consent", "1")])
        # history of the intake shows the changes made with `consent`.
        hist = self.run_cmd("history", "1").stdout
        self.assertIn("photo consent changed", hist)
        self.assertIn("Photos used for marketing: yes -> no", hist)

    def test_the_same_value_again_writes_nothing(self):
        before = self.snapshot()
        p = self.run_cmd("consent", "1", "--photos", "yes", "--marketing", "yes")
        self.assertEqual((p.returncode, p.stdout), (0, "No change: client 1's consents "
                                                       "already stand so.\n"))
        self.assertEqual(self.snapshot(), before)

    def test_refusals_are_one_line_and_change_nothing(self):
        self.run_cmd("consent", "1", "--photos", "no")
        before = self.snapshot()
        for args, code, part in (
                (["1", "--photos", "maybe"], 2, "consent: --photos: answer yes or no"),
                (["1", "--marketing", ""], 2, "consent: --marketing: a value is required"),
                (["1", "--photos", "no", "--marketing", "yes"], 2,
                 "--marketing yes needs the photos kept"),
                (["1", "--marketing", "yes"], 1, "client 1 has not agreed to photos being kept"),
                (["9", "--photos", "yes"], 1, "no client 9 (see smp-intake find)"),
                (["9"], 1, "no client 9"),
                (["x1"], 2, "CLIENT must be a positive whole number")):
            with self.subTest(args=args):
                self.assert_refused(self.run_cmd("consent", *args), code, part)
                self.assertEqual(self.snapshot(), before)

    def test_an_edit_that_does_not_touch_the_answers_keeps_a_withdrawal(self):
        self.run_cmd("consent", "1", "--marketing", "no")
        stored = base_answers(consent_photos="yes", consent_marketing="yes")
        p = self.run_cmd("edit", "1", input=edit_lines(stored, dict(phone="+44 7700 900999")))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.consents()[-1][:3], ("marketing", "no", None))
        # An edit that changes the answer records it, with the intake.
        p = self.run_cmd("edit", "1", input=edit_lines(stored, dict(consent_photos="no")))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.consents()[-1][:3], ("photos", "no", 1))
        self.assertEqual(len(self.consents()), 4)
        self.assertFalse(self.export()[0]["answers"]["consent_photos"])

    def test_erase_takes_the_consents_with_the_client(self):
        self.run_cmd("consent", "1", "--marketing", "no")
        p = self.run_cmd("erase", "1", "--yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.sql("SELECT count(*) FROM consent"), [(0,)])

    def test_at_a_terminal_it_prints(self):
        child = self.spawn("consent", "1")
        child.expect_exact("Photo consents of client 1")
        child.expect_exact("Every change, oldest first:")
        self.assertEqual(finish(self, child), 0)

    def test_in_the_menu(self):
        child = self.spawn()
        child.expect_exact("smp-intake> ")
        type_line(child, "consent 1 --marketing no")
        child.expect_exact("Use photos for marketing   no (was yes)")
        child.expect_exact("smp-intake> ")
        type_line(child, "quit")
        child.expect(pexpect.EOF)
        self.assertEqual(self.consents()[-1][:2], ("marketing", "no"))


class OlderIntakes(ConsentTest):
    def test_an_older_intake_keeps_its_version_and_is_never_given_a_consent(self):
        p = self.run_cmd("import", RELEASE_2026_1)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.sql("SELECT DISTINCT questionnaire_version FROM intake"),
                         [("2026.1",)])
        self.assertEqual(self.sql("SELECT count(*) FROM consent"), [(0,)])
        show = self.run_cmd("show", "1").stdout
        self.assertIn("Form   questionnaire 2026.1, advice 2026.1", show)
        self.assertNotIn("Hair-loss scale", show)
        self.assertNotIn("Photo consents", show)
        out = self.run_cmd("consent", "1").stdout
        self.assertIn("Not asked: the client's intakes are from before questionnaire 2026.4.",
                      out)
        # The questions of 2026.3 had no assessment; 2026.4's has it.
        old = self.run_cmd("questionnaire", "--version", "2026.3").stdout
        self.assertNotIn("hair_loss_scale", old)
        self.assertIn("consent_photos", self.run_cmd("questionnaire").stdout)
        # A consent may be recorded for such a client with `consent`.
        p = self.run_cmd("consent", "1", "--photos", "no")
        self.assertEqual(p.stdout, "Saved client 1's photo consents:\n"
                                   "  Keep photos in the record  no (was not asked)\n")

    def test_import_records_the_consents_of_the_answers(self):
        self.new_intake(base_answers(consent_photos="yes", consent_marketing="no"))
        self.run_cmd("consent", "1", "--marketing", "yes")
        path = os.path.join(self.tmp, "all.json")
        self.assertEqual(self.run_cmd("export", "-o", path).returncode, 0)
        taken = self.export()[0]["taken_at"]
        self.env["SMP_INTAKE_DB"] = self.db = os.path.join(self.tmp, "other.db")
        p = self.run_cmd("import", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        # As given at the intake (made again from the answers), then the
        # change with `consent`, carried by the export (format 3) with its time.
        rows = self.consents()
        self.assertEqual(rows[:2], [("photos", "yes", 1, taken, "Dana Staff"),
                                    ("marketing", "no", 1, taken, "Dana Staff")])
        self.assertEqual([r[:3] + r[4:] for r in rows[2:]], [("marketing", "yes", None, "Dana Staff")])
