"""The consultation record as a legal record (issue 7): screening flags and
clearing them, the client's acknowledgement, and the questionnaire and
advice versions an intake keeps, through pipes, --answers files and a
pseudo-terminal."""
import json
import os
import sqlite3

from harness import FLAGS, IntakeTest, base_answers, pipe_lines
from ptyutil import ACK, SAVE, answer_all, finish, record, type_line

CASES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases")
OPEN = {flag: "OPEN  [%s]" % flag for flag in FLAGS}
# Each flag's word in list's flags column.
BRIEF = {"flag-scalp-condition": "scalp", "flag-keloid": "keloid", "flag-blood-thinners": "thinners",
         "flag-allergy": "allergy", "flag-pregnancy": "pregnancy"}
# The flag each answer raises, and an answer of the same question that does not.
QUIET = {"scalp_conditions": "none", "keloid_history": "no", "blood_thinners": "no",
         "allergies": "no", "pregnant_or_breastfeeding": "no"}
DETAILS = {"blood_thinners": {"blood_thinners_detail": "warfarin 5 mg"},
           "allergies": {"allergies_detail": "latex"}}


def flags_raised(text):
    return sorted(f for f in FLAGS if "[%s]" % f in text)


class Flags(IntakeTest):
    """Each screening answer that is a reason to wait raises its flag in
    show (at the top), the advice sheet's artist section and list; the
    answer that is not leaves it down."""

    def test_each_flag_on_and_off(self):
        for n, (flag, (qid, value)) in enumerate(sorted(FLAGS.items())):
            raised = base_answers(first_name="On%d" % n, **{qid: value}, **DETAILS.get(qid, {}))
            quiet = base_answers(first_name="Off%d" % n, **{qid: QUIET[qid]})
            saved = self.new_intake(raised)
            # The client's sheet has no flags; the artist's line says why
            # the client is not ready.
            self.assertEqual(flags_raised(saved), [], saved)
            self.assertIn("no: a screening flag is open", " ".join(saved.split()))
            on = 2 * n + 1
            artist = self.run_cmd("advice", str(on), "--for", "artist").stdout
            self.assertEqual(flags_raised(artist), [flag], artist)
            self.assertIn("For the artist: screening flags", artist)
            self.assertIn(OPEN[flag], artist)
            show = self.run_cmd("show", str(on)).stdout
            self.assertEqual(flags_raised(show), [flag])
            # At the top: before the answers.
            self.assertLess(show.index(OPEN[flag]), show.index("\nAnswers\n"))
            self.assertIn("no: a screening flag is open", " ".join(show.split()))
            saved = self.new_intake(quiet)
            self.assertEqual(flags_raised(saved), [])
            self.assertNotIn("screening flags", saved)
            show = self.run_cmd("show", str(on + 1)).stdout
            self.assertEqual(flags_raised(show), [])
            self.assertNotIn("Screening flags", show)
            rows = {l.split()[0]: l.split() for l in self.run_cmd("list").stdout.splitlines()[1:]}
            self.assertEqual(rows[str(on)][4], BRIEF[flag])
            self.assertEqual(rows[str(on)][5], "no")
            self.assertEqual(rows[str(on + 1)][4], "-")
            self.assertEqual(rows[str(on + 1)][5], "yes")

    def test_several_flags_and_several_conditions(self):
        a = base_answers(scalp_conditions="sunburn, pso, OTHER", scalp_conditions_detail="scar",
                         keloid_history="yes", pregnant_or_breastfeeding="yes")
        self.new_intake(a)
        out = self.run_cmd("show", "1").stdout
        self.assertEqual(flags_raised(out),
                         ["flag-keloid", "flag-pregnancy", "flag-scalp-condition"])
        # Stored once each, in the questionnaire's order of choices.
        self.assertEqual(self.sql("SELECT value FROM answer WHERE question_id = "
                                  "'scalp_conditions'"), [("psoriasis,sunburn,other",)])
        self.assertEqual(self.run_cmd("list").stdout.splitlines()[1].split()[4:6], ["3", "open"])

    def test_screening_answers_are_checked(self):
        cases = [
            (dict(scalp_conditions="none, psoriasis"), "scalp_conditions",
             "none cannot be given together with another choice"),
            (dict(scalp_conditions="acne"), "scalp_conditions", "choose one of: none, psoriasis"),
            (dict(keloid_history=""), "keloid_history", "an answer is required"),
            (dict(pregnant_or_breastfeeding="n"), "pregnant_or_breastfeeding", "choose one of"),
            (dict(allergies="yes", allergies_detail=""), "allergies_detail",
             "an answer is required"),
        ]
        for over, qid, why in cases:
            p = self.run_cmd("new", input=pipe_lines(base_answers(**over)))
            self.assertEqual(p.returncode, 1, over)
            self.assertIn("smp-intake: %s: %s" % (qid, why), p.stderr)
        self.assertEqual(self.sql("SELECT count(*) FROM intake"), [(0,)])

    def test_clear_flag(self):
        self.new_intake(base_answers(keloid_history="yes", allergies="yes",
                                     allergies_detail="latex"))
        p = self.run_cmd("clear-flag", "1", "flag-keloid", "--reason",
                         "Old scar only; test patch 2026-11-01 healed flat")
        self.assertEqual((p.returncode, p.stdout), (0, "Cleared flag-keloid on intake 1.\n"),
                         p.stderr)
        show = self.run_cmd("show", "1").stdout
        self.assertIn("cleared  [flag-keloid]", show)
        self.assertIn("by Dana Staff on", show)
        self.assertIn("test patch 2026-11-01 healed flat", " ".join(show.split()))
        self.assertIn(OPEN["flag-allergy"], show)
        self.assertIn("no: a screening flag is open", " ".join(show.split()))
        self.run_cmd("clear-flag", "1", "flag-allergy", "--reason", "Latex-free gloves booked")
        self.assertIn("Ready for a first session: yes", self.run_cmd("show", "1").stdout)
        self.assertEqual(self.run_cmd("list", "--ready").stdout.splitlines()[1].split()[0], "1")
        # Audited, with the reason, by whom.
        self.assertEqual(
            self.sql("SELECT a.staff, a.action, c.field, c.new_value FROM audit a "
                     "JOIN audit_change c ON c.audit_id = a.id WHERE a.action = 'clear-flag' "
                     "ORDER BY a.id"),
            [("Dana Staff", "clear-flag", "flag-keloid",
              "Old scar only; test patch 2026-11-01 healed flat"),
             ("Dana Staff", "clear-flag", "flag-allergy", "Latex-free gloves booked")])
        history = self.run_cmd("history", "1").stdout
        self.assertIn("screening flag cleared by the artist\n    flag-keloid: (none) -> Old scar",
                      history)

    def test_clear_flag_refusals(self):
        self.new_intake(base_answers(keloid_history="yes"))
        before = self.snapshot()
        cases = [
            (["clear-flag", "1", "flag-keloid"], 2, "--reason TEXT is required"),
            (["clear-flag", "1", "flag-keloid", "--reason", "  "], 2, "--reason TEXT is required"),
            (["clear-flag", "1", "flag-keloid", "--reason", "a\x1b[2Jb"], 2, "one line of text"),
            (["clear-flag", "1", "flag-keloid", "--reason", "x" * 501], 2, "at most 500"),
            (["clear-flag", "1", "flag-nope", "--reason", "x"], 2, "no flag 'flag-nope'"),
            (["clear-flag", "x", "flag-keloid", "--reason", "x"], 2, "ID"),
            (["clear-flag", "1", "flag-allergy", "--reason", "x"], 1,
             "intake 1 does not raise flag-allergy; nothing to clear"),
            (["clear-flag", "9", "flag-keloid", "--reason", "x"], 1, "no intake 9"),
        ]
        for args, rc, why in cases:
            p = self.run_cmd(*args)
            self.assertEqual(p.returncode, rc, args)
            self.assertIn(why, p.stderr)
            self.assertEqual(len(p.stderr.strip().splitlines()) if rc == 1 else 1, 1, p.stderr)
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(self.run_cmd("clear-flag", "1", "flag-keloid", "--reason", "ok").returncode, 0)
        p = self.run_cmd("clear-flag", "1", "flag-keloid", "--reason", "again")
        self.assertEqual(p.returncode, 1)
        self.assertIn("flag-keloid on intake 1 is already cleared", p.stderr)

    def test_an_edit_that_changes_the_answer_raises_the_flag_again(self):
        self.new_intake(base_answers(allergies="yes", allergies_detail="latex",
                                     keloid_history="yes"))
        self.run_cmd("clear-flag", "1", "flag-allergy", "--reason", "latex-free kit")
        self.run_cmd("clear-flag", "1", "flag-keloid", "--reason", "checked")
        edited = base_answers(allergies="yes", allergies_detail="latex",
                              keloid_history="yes")
        # The allergy detail is unchanged, the keloid answer too; only the
        # phone changes: both clearances stay.
        edited["phone"] = "+44 7700 900123"
        p = self.run_cmd("edit", "1", input=pipe_lines(edited))
        self.assertEqual(p.returncode, 0, p.stderr)
        show = self.run_cmd("show", "1").stdout
        self.assertEqual(flags_raised(show), ["flag-allergy", "flag-keloid"])
        self.assertNotIn("OPEN", show)
        # Now the answer behind flag-allergy changes (no, then yes again).
        self.run_cmd("edit", "1", input=pipe_lines(dict(edited, allergies="no")))
        p = self.run_cmd("edit", "1", input=pipe_lines(edited))
        self.assertIn("no: a screening flag is open", " ".join(p.stdout.split()))
        show = self.run_cmd("show", "1").stdout
        self.assertIn(OPEN["flag-allergy"], show)
        self.assertIn("cleared  [flag-keloid]", show)


class Acknowledgement(IntakeTest):
    """The client types their full name after reading the advice; a name
    that is not theirs is refused; without it the intake is unacknowledged
    and not ready."""

    def ack_rows(self):
        return self.sql("SELECT intake_id, sheet, typed_name, staff FROM acknowledgement "
                        "ORDER BY intake_id, sheet")

    def test_through_a_pipe(self):
        out = self.new_intake(base_answers(acknowledged_by="  ana   SILVA "))
        self.assertIn("Ready for a first session: yes", out)
        out = self.run_cmd("advice", "1", "--for", "artist").stdout
        self.assertIn('Acknowledged: yes, by "ana SILVA" on', out)  # wrapped: spaces fold
        self.assertEqual(self.ack_rows(), [(1, 1, "ana   SILVA", "Dana Staff")])
        self.assertEqual(self.sql("SELECT acknowledged_sheet FROM intake"), [(1,)])
        audit = self.sql("SELECT c.field, c.new_value FROM audit a JOIN audit_change c "
                         "ON c.audit_id = a.id WHERE a.action = 'acknowledge'")
        self.assertEqual(audit, [("acknowledged_by", "ana   SILVA"), ("acknowledged_sheet", "1")])

    def test_mismatch_is_refused_and_nothing_saved(self):
        for typed in ["Silva Ana", "Ana", "Ana Silvas", "Ana Silva Jr", "Anna Silva"]:
            p = self.run_cmd("new", input=pipe_lines(base_answers(acknowledged_by=typed)))
            self.assertEqual(p.returncode, 1, typed)
            self.assertEqual(p.stderr, "smp-intake: acknowledged_by: the name typed is not the "
                             "client's full name (first name, then last name); nothing saved\n")
            self.assertNotIn(typed, p.stderr + p.stdout)
        self.assertEqual(self.sql("SELECT count(*) FROM intake"), [(0,)])

    def test_without_it_the_intake_is_unacknowledged(self):
        for ack in [None, ""]:
            out = self.new_intake(base_answers(acknowledged_by=ack))
            self.assertIn("Ready for a first session: no: the client has not acknowledged the "
                          "advice", " ".join(out.split()))
        self.assertIn("Acknowledged: no (unacknowledged",
                      self.run_cmd("advice", "1", "--for", "artist").stdout)
        self.assertEqual(self.ack_rows(), [])
        self.assertEqual(self.run_cmd("list", "--ready").stdout, "No intake found.\n")
        # Recorded later, by name on the command line or a line on stdin.
        p = self.run_cmd("acknowledge", "1", "--name", "Bo Silva")
        self.assertEqual(p.returncode, 1)
        self.assertIn("not the client's full name", p.stderr)
        p = self.run_cmd("acknowledge", "1", "--name", "Ana Silva")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "Acknowledged by the client: intake 1, advice sheet 1.\n")
        p = self.run_cmd("acknowledge", "2", input="ANA SILVA\n")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.run_cmd("acknowledge", "2", input="Ana Silva\n")
        self.assertEqual(p.returncode, 1)
        self.assertIn("already acknowledged", p.stderr)
        p = self.run_cmd("acknowledge", "1", input="")
        self.assertEqual(p.returncode, 1)
        self.assertEqual([r[:3] for r in self.ack_rows()], [(1, 1, "Ana Silva"), (2, 1, "ANA SILVA")])
        self.assertIn("Ready for a first session: yes",
                      self.run_cmd("advice", "2", "--for", "artist").stdout)

    def test_answers_file(self):
        def answers_file(**over):
            a = {k: v for k, v in base_answers(**over).items() if v != ""}
            a["consent_storage"] = True
            path = os.path.join(self.tmp, "a.json")
            with open(path, "w") as f:
                json.dump({"answers": a}, f)
            return path
        p = self.run_cmd("new", "--answers", answers_file(acknowledged_by="Ana Silva"))
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.run_cmd("new", "--answers", answers_file(acknowledged_by="Someone Else"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("acknowledged_by: the name typed is not the client's full name", p.stderr)
        # Without acknowledged_by; several choices as an array.
        path = answers_file(scalp_conditions=["eczema", "sunburn"])
        with open(path) as f:
            self.assertNotIn("acknowledged_by", json.load(f)["answers"])
        p = self.run_cmd("new", "--answers", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Acknowledged: no", self.run_cmd("advice", "2", "--for", "artist").stdout)
        self.assertEqual(self.sql("SELECT value FROM answer WHERE question_id = "
                                  "'scalp_conditions' ORDER BY intake_id"),
                         [("none",), ("eczema,sunburn",)])
        self.assertEqual(self.ack_rows(), [(1, 1, "Ana Silva", "Dana Staff")])

    def test_an_edit_asks_again(self):
        self.new_intake(base_answers())
        # a new treatment changes the advice (a new phone alone would not:
        # test_contact)
        changed = base_answers(phone="+44 7700 900123", uses_other_topical="yes",
                               other_topical_products="Foam", gp_discussed="yes",
                               gp_signoff="obtained", gp_name="Dr Rao",
                               gp_signoff_date="2026-01-05", acknowledged_by=None)
        p = self.run_cmd("edit", "1", input=pipe_lines(changed))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("no: the client has not acknowledged the advice", " ".join(p.stdout.split()))
        self.assertEqual(self.sql("SELECT acknowledged_sheet FROM intake"), [(None,)])
        changed["phone"] = "+44 7700 900124"
        changed["acknowledged_by"] = "Ana Silva"
        p = self.run_cmd("edit", "1", input=pipe_lines(changed))
        self.assertIn("Ready for a first session: yes", p.stdout)
        self.assertEqual([r[:2] for r in self.ack_rows()], [(1, 1), (1, 3)])
        changed["phone"] = "+44 7700 900125"
        changed["acknowledged_by"] = "Nobody"
        before = self.snapshot()
        p = self.run_cmd("edit", "1", input=pipe_lines(changed))
        self.assertEqual(p.returncode, 1)
        self.assertIn("not the client's full name (first name, then last name); nothing changed",
                      p.stderr)
        # nothing changed but the access log: an edit is logged as it begins
        after = self.snapshot()
        self.assertEqual([t for t in after if t[0] != "access_log"],
                         [t for t in before if t[0] != "access_log"])
        self.assertEqual(dict(after)["access_log"][len(dict(before)["access_log"]):][0][3:],
                         ("edit", "1"))

    def test_a_signoff_keeps_it(self):
        self.new_intake(base_answers(uses_propecia="yes", gp_discussed="yes", gp_signoff="pending"))
        self.run_cmd("signoff", "1", "--status", "obtained", "--gp", "Dr Rao", "--date",
                     "2026-01-05")
        out = self.run_cmd("show", "1").stdout
        self.assertIn("Acknowledged: yes", out)
        self.assertIn("Ready for a first session: yes (the GP's sign-off is obtained)", out)

    def test_at_a_terminal(self):
        child = self.spawn("new")
        rec = record(child)
        answer_all(child, base_answers(keloid_history="yes"))
        type_line(child, "yes")
        child.expect_exact(ACK)
        type_line(child, "Ana Sil")
        child.expect_exact("That is not the name on this intake")
        child.expect_exact(ACK)
        type_line(child, "ana silva")
        child.expect_exact("Acknowledged by the client: intake 1, advice sheet 1.")
        self.assertEqual(finish(self, child), 0)
        self.assertNotIn("[flag-keloid]", rec.text)  # the client's sheet
        self.assertIn("no: a screening flag is open", " ".join(rec.text.split()))
        self.assertEqual(self.ack_rows(), [(1, 1, "ana silva", "Dana Staff")])
        # Enter leaves it unacknowledged, and says how to record it later.
        child = self.spawn("new")
        answer_all(child, base_answers(first_name="Bo"))
        type_line(child, "yes")
        child.expect_exact(ACK)
        type_line(child, "")
        child.expect_exact("Intake 2 is saved as unacknowledged (smp-intake acknowledge 2")
        self.assertEqual(finish(self, child), 0)
        # And `acknowledge` at a terminal shows the sheet first: a read of
        # the record, in the access log (issue 14: as `acknowledge`).
        self.assertEqual(self.sql("SELECT count(*) FROM access_log"), [(0,)])
        child = self.spawn("acknowledge", "2")
        child.expect_exact("Advice for Bo Silva")
        child.expect_exact(ACK)
        type_line(child, "Bo Silva")
        child.expect_exact("Acknowledged by the client: intake 2, advice sheet 1.")
        self.assertEqual(finish(self, child), 0)
        self.assertEqual(self.sql("SELECT command, clients FROM access_log"), [("acknowledge", "2")])
        # A refused acknowledge (intake 1 has one) shows and logs nothing.
        self.assertEqual(self.run_cmd("acknowledge", "1", "--name", "Ana Silva").returncode, 1)
        self.assertEqual(self.sql("SELECT count(*) FROM access_log"), [(1,)])


class Versions(IntakeTest):
    """Intakes keep the versions they were given under; an intake of an
    earlier release keeps showing its own wording."""

    def load_release(self):
        """The database release 0.1.0 (questionnaire and advice 2026.1) made."""
        with open(os.path.join(CASES, "release-2026.1.sql")) as f:
            script = f.read()
        con = sqlite3.connect(self.db)
        con.executescript(script)
        con.close()
        os.chmod(self.db, 0o600)

    def test_new_intakes_are_2026_4(self):
        self.new_intake(base_answers())
        self.assertEqual(self.sql("SELECT questionnaire_version, advice_version FROM intake"),
                         [("2026.4", "2026.3")])
        # 2026.4 added questions only: the advice is still 2026.3's.
        self.assertIn("Form   questionnaire 2026.4, advice 2026.3", self.run_cmd("show", "1").stdout)

    def test_an_old_intake_shows_its_old_wording(self):
        self.load_release()
        old = self.run_cmd("show", "1")
        self.assertEqual(old.returncode, 0, old.stderr)
        self.assertIn("Form   questionnaire 2026.1, advice 2026.1", old.stdout)
        # The label as release 0.1.0 worded it ...
        self.assertRegex(old.stdout, r"\n  Other medical treatment +yes\n")
        self.assertNotIn("Other hair-growth medicine", old.stdout)
        self.assertRegex(old.stdout, r"\n  Rogaine \(minoxidil\) +no\n")
        self.assertNotIn("Minoxidil (Rogaine/Regaine)", old.stdout)
        # ... and the advice as it was given then.
        flat = " ".join(old.stdout.split())
        self.assertIn("including any you start later. For the artist:", flat)
        self.assertNotIn("change to your medicines", flat)
        # Nothing was screened then: no flag, no screening answer.
        self.assertNotIn("Screening flags", old.stdout)
        self.assertNotIn("Keloid", old.stdout)
        # The same answers today, under 2026.4 (advice 2026.3).
        a = base_answers(first_name="Old", last_name="Version", date_of_birth="1980-02-03",
                         uses_other_medical="yes", other_medical_products="Prescribed lotion X",
                         gp_discussed="no")
        self.new_intake(a)
        new = self.run_cmd("show", "3").stdout
        self.assertIn("Form   questionnaire 2026.4, advice 2026.3", new)
        self.assertRegex(new, r"\n  Other hair-growth medicine +yes\n")
        self.assertIn("  Minoxidil (Rogaine/Regaine) no", new)
        self.assertIn("change to your medicines", " ".join(new.split()))
        # An edit of the old intake asks today's questions and gives today's advice.
        p = self.run_cmd("edit", "1", input=pipe_lines(dict(a, hair_loss_notes="crown")))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.sql("SELECT questionnaire_version, advice_version FROM intake "
                                  "WHERE id = 1"), [("2026.4", "2026.3")])
        self.assertIn("Other hair-growth medicine", self.run_cmd("show", "1").stdout)
        # The first sheet, given under 2026.1, is kept word for word.
        [(text,)] = self.sql("SELECT text FROM advice_sheet WHERE intake_id = 1 AND sheet = 1 "
                             "AND advice_id = 'tell-artist'")
        self.assertNotIn("medicines", text)

    def test_questionnaire_says_its_version(self):
        out = self.run_cmd("questionnaire").stdout
        self.assertIn("version 2026.4", out.splitlines()[0])
        self.assertIn("choices (several, comma-separated): none, psoriasis", out)
        self.assertIn("asked: when scalp_conditions includes other", out)
