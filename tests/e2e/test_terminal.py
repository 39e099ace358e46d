"""`smp-intake new` at a terminal: the real binary on a pseudo-terminal
(pexpect), typed at prompt by prompt as a person would - line editing,
help, asking again, Tab, multi-line notes, the summary and the save
question, Ctrl-C and Ctrl-D, and what must never reach the screen or HOME.
"""
import datetime
import os
import re

from harness import IntakeTest, base_answers, given_before, iso, today, years_ago
from ptyutil import (ACK, BACKSPACE, CANCELLED, STOPPED, CTRL_A, CTRL_E, CTRL_U,
                     CTRL_V, ESC, PROMPTS, RETRY, SAVE, TAB, ENTER, answer, answer_all, finish,
                     home_files, record, screen_lines, strip_ansi, type_line, expect_prompt)

CLIENT_FIELDS = ("first_name", "last_name", "date_of_birth", "phone", "email")


def stored(intake, qid):
    """An answer as the export holds it (yes/no as booleans)."""
    if qid in CLIENT_FIELDS:
        return intake["client"][qid]
    return intake["answers"].get(qid)


def treated(**over):
    """Answers with a topical treatment and a pending GP sign-off, so that
    the longest advice sheet (with the red artist warning) is printed."""
    a = base_answers(uses_rogaine="yes", rogaine_form="foam", rogaine_since="",
                     gp_discussed="yes", gp_signoff="pending",
                     planned_session_date=iso(today() + datetime.timedelta(days=30)))
    a.update(over)
    return a


class TerminalTest(IntakeTest):
    """Shared steps for the tests below."""

    def start(self, *args, **kw):
        """Starts `smp-intake new` on a pty; checks the intro line."""
        child = self.spawn("new", *args, **kw)
        rec = record(child)
        child.expect_exact("New consultation intake.")
        return child, rec

    def save(self, child, intake_id=1, client_id=1, ack=""):
        """Answers yes at the Save prompt (already on screen); expects success.
        After the advice sheet the client types ack as their name (by
        default Enter: not now, so the intake stays unacknowledged)."""
        type_line(child, "yes")
        child.expect_exact("Saved intake %d for client %d." % (intake_id, client_id))
        child.expect_exact(ACK)
        type_line(child, ack)
        if ack:
            child.expect_exact("Acknowledged by the client: intake %d, advice sheet 1." % intake_id)
        else:
            child.expect_exact("Intake %d is saved as unacknowledged" % intake_id)
        self.assertEqual(finish(self, child), 0)

    def intake(self, answers, **kw):
        """A whole intake typed at the terminal and saved; returns the
        recorded screen and the exported intake."""
        child, rec = self.start(**kw)
        answer_all(child, answers)
        self.save(child)
        data = self.export()
        self.assertEqual(len(data), 1)
        return rec.text, data[0]

    def assert_nothing_saved(self):
        self.assertEqual(self.sql("SELECT count(*) FROM intake"), [(0,)])
        self.assertEqual(self.sql("SELECT count(*) FROM client"), [(0,)])

    def assert_cancelled(self, child):
        child.expect_exact(CANCELLED)
        self.assertEqual(finish(self, child), 1)
        self.assert_nothing_saved()
        self.assertEqual(self.sql("SELECT count(*) FROM draft"), [(0,)])

    def assert_stopped(self, child, given):
        """Stopped after some answers: no intake, no client, and the answers
        given so far (qid -> stored value) in a draft."""
        child.expect_exact(STOPPED)
        child.expect(r"(\d+) \(smp-intake resume \1\)")
        draft = int(child.match.group(1))
        self.assertEqual(finish(self, child), 1)
        self.assert_nothing_saved()
        rows = dict(self.sql("SELECT question_id, value FROM draft_answer WHERE draft_id = ?",
                             draft))
        self.assertEqual(rows, given)
        self.sql("DELETE FROM draft")


class FullIntake(TerminalTest):
    def test_treatment_intake_typed_at_terminal_is_exported_field_by_field(self):
        session = today() + datetime.timedelta(days=30)
        since = years_ago(1)
        a = base_answers(phone="+44 7700 900123", email="ana@example.com",
                         hair_loss_notes="Thinning at the crown for three years",
                         uses_rogaine="yes", rogaine_form="", rogaine_since=iso(since),
                         gp_discussed="yes", gp_signoff="pending",
                         other_medication="Metformin 500 mg",
                         planned_session_date=iso(session))
        screen, got = self.intake(a)

        self.assertEqual(got["id"], 1)
        self.assertEqual(got["staff"], "Dana Staff")
        self.assertEqual(got["taken_at"][:10], datetime.datetime.now(datetime.timezone.utc)
                         .date().isoformat())
        self.assertEqual(got["client"], {
            "id": 1, "first_name": "Ana", "last_name": "Silva", "date_of_birth": "1985-07-23",
            "phone": "+44 7700 900123", "email": "ana@example.com"})
        self.assertEqual(got["answers"], {
            "consent_storage": True,
            "hair_loss_notes": "Thinning at the crown for three years",
            "hair_loss_scale": "norwood_3", "treatment_type": "full_head",
            "consent_photos": True, "consent_marketing": False,
            "uses_rogaine": True,
            "rogaine_form": "foam",  # Enter took the default
            "rogaine_since": iso(since),
            "uses_propecia": False,
            "uses_other_topical": False,
            "uses_other_medical": False,
            "gp_discussed": True,
            "gp_signoff": "pending",
            "scalp_conditions": ["none"],
            "keloid_history": False,
            "blood_thinners": False,
            "allergies": False,
            "pregnant_or_breastfeeding": "not_applicable",
            "other_medication": "Metformin 500 mg",
            "wants_root_cause_help": False,
            "planned_session_date": iso(session),
        })
        self.assertEqual(got["gp_signoff"], {"status": "pending", "gp_name": None, "date": None})
        self.assertEqual([x["id"] for x in got["advice"]],
                         ["smp-cosmetic-only", "gp-signoff", "tell-artist", "pause-topicals"])
        advice = {x["id"]: x["text"] for x in got["advice"]}
        self.assertIn("waiting for your GP's answer", advice["gp-signoff"])
        self.assertIn("no SMP session until your GP has said yes", advice["gp-signoff"])
        self.assertNotIn("ARTIST WARNING", advice["gp-signoff"])
        self.assertIn("minoxidil (foam)", advice["tell-artist"])
        stop = iso(session - datetime.timedelta(days=7))
        resume = iso(session + datetime.timedelta(days=7))
        for d in (iso(session), stop, resume):
            self.assertIn(d, advice["pause-topicals"])

        # The sheet printed on the terminal says the same.
        plain = strip_ansi(screen)
        sheet = plain[plain.index("Saved intake 1 for client 1."):]
        # The client's sheet: titles without rule ids.
        self.assertIn("Advice for Ana Silva (", sheet)
        self.assertNotIn("(intake 1, ", sheet)
        for title in ("SMP is cosmetic only", "Ask your GP first", "Tell your artist",
                      "Pausing topical products while you heal"):
            self.assertIn(title, sheet)
        self.assertNotIn("[", sheet)
        self.assertNotIn("The cause of hair loss", sheet)
        self.assertIn(stop, " ".join(sheet.split()))

    def test_summary_lists_every_answer_before_the_save_question(self):
        a = base_answers(phone="020 7946 0000", email="ana@example.com",
                         uses_rogaine="yes", rogaine_form="solution",
                         uses_propecia="yes", propecia_form="topical",
                         uses_other_topical="yes", other_topical_products="Nizoral shampoo",
                         uses_other_medical="yes", other_medical_products="Dutasteride",
                         gp_discussed="yes", gp_signoff="obtained", gp_name="Dr Okafor",
                         gp_signoff_date=iso(today() - datetime.timedelta(days=3)),
                         scalp_conditions="eczema, other", scalp_conditions_detail="scar tissue",
                         keloid_history="no", blood_thinners="yes",
                         blood_thinners_detail="aspirin 75 mg daily", allergies="yes",
                         allergies_detail="latex", pregnant_or_breastfeeding="no",
                         other_medication="metformin", wants_root_cause_help="yes")
        child, rec = self.start()
        answer_all(child, a)  # every prompt, in its exact form, incl. all the conditional ones
        summary = rec.text[rec.text.rindex("Summary"):]
        expected = [("Consent to storage", "yes"), ("First name", "Ana"),
                    ("Last name", "Silva"), ("Date of birth", "1985-07-23"),
                    ("Phone", "020 7946 0000"), ("Email", "ana@example.com"),
                    ("Minoxidil (Rogaine/Regaine)", "yes"), ("Minoxidil form", "solution"),
                    ("Finasteride (Propecia)", "yes"), ("Finasteride form", "topical"),
                    ("Other topical products", "yes"), ("Topical products", "Nizoral shampoo"),
                    ("Other hair-growth medicine", "yes"), ("Medical products", "Dutasteride"),
                    ("Discussed with GP", "yes"), ("GP sign-off", "obtained"),
                    ("GP", "Dr Okafor"), ("Sign-off date", a["gp_signoff_date"]),
                    ("Scalp conditions", "eczema,other"), ("Other scalp condition", "scar tissue"),
                    ("Keloid scars", "no"), ("Blood thinners", "yes"),
                    ("Blood thinner", "aspirin 75 mg daily"), ("Allergies", "yes"),
                    ("Allergic to", "latex"), ("Pregnant or breastfeeding", "no"),
                    ("Other medication", "metformin"), ("Wants help with the cause", "yes")]
        # Each answer is numbered (a number changes it before saving).
        lines = [re.sub(r"^\d+\.\s+", "", l.strip()) for l in screen_lines(summary)]
        for label, value in expected:
            self.assertTrue(any(l.split() == (label + " " + value).split() for l in lines),
                            "summary lacks %s: %s\n%s" % (label, value, summary))
        self.assert_nothing_saved()  # not before the answer to Save
        self.save(child, ack="Ana Silva")
        got = self.export()[0]
        self.assertEqual(got["gp_signoff"], {"status": "obtained", "gp_name": "Dr Okafor",
                                             "date": a["gp_signoff_date"]})
        self.assertEqual(got["answers"]["other_medical_products"], "Dutasteride")

    def test_no_at_save_cancels_and_exits_1(self):
        child, rec = self.start()
        answer_all(child, base_answers())
        type_line(child, "no")
        child.expect_exact("smp-intake: " + CANCELLED)
        self.assertEqual(finish(self, child), 1)
        self.assert_nothing_saved()

    def test_save_question_asks_again_on_a_wrong_answer(self):
        child, rec = self.start()
        answer_all(child, base_answers())
        type_line(child, "perhaps")
        child.expect_exact("answer yes or no")
        child.expect_exact(SAVE)
        self.assert_nothing_saved()
        self.save(child)


class LineEditing(TerminalTest):
    def test_backspace_removes_the_last_character(self):
        a = base_answers(first_name="Anx" + BACKSPACE)
        _, got = self.intake(a)
        self.assertEqual(got["client"]["first_name"], "An")

    def test_ctrl_a_and_ctrl_e_move_to_start_and_end(self):
        a = base_answers(last_name="ilva" + CTRL_A + "S" + CTRL_E + "-Ng")
        _, got = self.intake(a)
        self.assertEqual(got["client"]["last_name"], "Silva-Ng")

    def test_ctrl_u_clears_the_line(self):
        a = base_answers(first_name="Wrong" + CTRL_U + "Ana")
        _, got = self.intake(a)
        self.assertEqual(got["client"]["first_name"], "Ana")

    def test_enter_takes_the_default_shown(self):
        a = base_answers(uses_rogaine="yes", rogaine_form="", uses_propecia="yes",
                         propecia_form="", gp_discussed="yes", gp_signoff="pending",
                         wants_root_cause_help="")
        _, got = self.intake(a)
        self.assertEqual(got["answers"]["rogaine_form"], "foam")
        self.assertEqual(got["answers"]["propecia_form"], "tablet")
        self.assertIs(got["answers"]["uses_other_topical"], False)
        self.assertIs(got["answers"]["wants_root_cause_help"], False)

    def test_tab_completes_choices_and_yes_no(self):
        a = base_answers(uses_rogaine="yes", rogaine_form="solution", gp_discussed="yes",
                         gp_signoff="pending")
        child, rec = self.start()
        answer_all(child, a, stop="uses_rogaine")
        for typed, completed, qid in (("ye", "yes", "rogaine_form"),
                                      ("so", "solution", "rogaine_since")):
            child.send(typed + TAB)
            child.expect_exact(completed)  # completed on the line before Enter
            child.send(ENTER)
            child.expect_exact(PROMPTS[qid])
        answer_all(child, a, start="rogaine_since", stop="gp_discussed", shown=True)
        child.send("y" + ENTER)
        child.expect_exact(PROMPTS["gp_signoff"])
        child.send("pen" + TAB)
        child.expect_exact("pending")
        child.send(ENTER)
        answer_all(child, a, start="gp_name")
        self.save(child)
        got = self.export()[0]
        self.assertIs(got["answers"]["uses_rogaine"], True)
        self.assertEqual(got["answers"]["rogaine_form"], "solution")
        self.assertEqual(got["answers"]["gp_signoff"], "pending")

    def test_tab_never_lists_file_names(self):
        open(os.path.join(self.tmp, "passport-scan.pdf"), "w").close()
        child, rec = self.start()
        answer(child, "consent_storage", "yes")
        child.expect_exact(PROMPTS["first_name"])
        for qid, following in (("first_name", "last_name"), ("last_name", "date_of_birth"),
                               ("date_of_birth", "phone"), ("phone", "email"),
                               ("email", "hair_loss_notes"), ("hair_loss_notes", "hair_loss_scale"),
                               ("hair_loss_scale", "treatment_type")):
            mark = len(rec.text)
            # Absolute and home-relative paths, Tab twice (list all).
            child.send("/etc/pass" + TAB + TAB)
            child.send(CTRL_U + "~/pass" + TAB + TAB)
            child.send(CTRL_U + base_answers().get(qid, "") + ENTER)
            expect_prompt(child, PROMPTS[following])
            typed = rec.text[mark:]
            self.assertNotIn("passwd", typed, qid)
            self.assertNotIn("passport", typed, qid)
        answer_all(child, base_answers(), start="treatment_type", shown=True)
        self.save(child)
        got = self.export()[0]
        self.assertEqual((got["client"]["first_name"], got["client"]["last_name"]),
                         ("Ana", "Silva"))

    def test_question_mark_prints_help_and_asks_again(self):
        child, rec = self.start()
        answer(child, "consent_storage", "?")
        child.expect_exact("The answers are kept in this studio's database only.")
        answer(child, "consent_storage", "yes")
        answer(child, "first_name", "Ana")
        answer(child, "last_name", "Silva")
        answer(child, "date_of_birth", "?")
        child.expect_exact("For example 1985-07-23. SMP is only offered to adults.")
        answer(child, "date_of_birth", "1985-07-23")
        answer_all(child, base_answers(uses_rogaine="yes", gp_discussed="yes",
                                       gp_signoff="pending"), start="phone", stop="rogaine_form")
        type_line(child, "?")
        child.expect_exact("foam, solution, oral (tablets) or other")
        answer(child, "rogaine_form", "oral")
        answer_all(child, base_answers(uses_rogaine="yes", gp_discussed="yes",
                                       gp_signoff="pending"), start="rogaine_since")
        self.save(child)
        got = self.export()[0]
        self.assertEqual(got["answers"]["rogaine_form"], "oral")
        self.assertEqual(got["client"]["date_of_birth"], "1985-07-23")

    def test_notes_continue_on_the_next_line_after_a_backslash(self):
        child, rec = self.start()
        answer_all(child, base_answers(), stop="hair_loss_notes")
        type_line(child, "Crown thinning \\")
        child.expect_exact("... ")
        type_line(child, "since 2020\\")
        child.expect_exact("... ")
        type_line(child, "temples too")
        answer_all(child, base_answers(), start="hair_loss_scale")
        self.save(child)
        got = self.export()[0]
        self.assertEqual(got["answers"]["hair_loss_notes"],
                         "Crown thinning \nsince 2020\ntemples too")


class WrongAnswers(TerminalTest):
    """A wrong answer prints why, then "Type ? for help.", then the same
    question again; the answer that is finally stored is the right one."""

    def test_wrong_answers_are_explained_and_asked_again(self):
        tomorrow = iso(today() + datetime.timedelta(days=1))
        yesterday = iso(today() - datetime.timedelta(days=1))
        rog = dict(uses_rogaine="yes", gp_discussed="yes", gp_signoff="pending")
        cases = [
            ("consent_storage", "maybe", "answer yes or no", {}),
            ("first_name", "", "an answer is required", {}),
            ("first_name", "   ", "an answer is required", {}),
            ("date_of_birth", "1985-02-30", "that date does not exist in the calendar", {}),
            ("date_of_birth", "23/07/1985", "write the date as YYYY-MM-DD", {}),
            ("date_of_birth", iso(years_ago(17)), "the client is under 18", {}),
            ("date_of_birth", iso(years_ago(18, days=1)), "the client is under 18", {}),
            ("date_of_birth", tomorrow, "a date of birth cannot be in the future", {}),
            ("phone", "call me", "a phone number holds digits", {}),
            ("phone", "12345", "a phone number has 7 to 15 digits", {}),
            ("email", "ana@", "that is not an email address", {}),
            ("uses_rogaine", "sometimes", "answer yes or no", rog),
            ("rogaine_form", "pill", "choose one of: foam, solution, oral, other", rog),
            ("rogaine_since", tomorrow, "this date cannot be in the future", rog),
            ("gp_signoff", "maybe", "choose one of: obtained, pending, declined", rog),
            # The screening questions have no default: Enter answers nothing.
            ("keloid_history", "", "an answer is required", {}),
            ("scalp_conditions", "none, eczema",
             "none cannot be given together with another choice", {}),
            ("planned_session_date", yesterday, "this date is in the past", {}),
            ("planned_session_date", iso(today() + datetime.timedelta(days=800)),
             "this date is more than two years ahead", {}),
        ]
        good = {"email": "ana@example.com", "phone": "+44 7700 900123",
                "date_of_birth": "1985-07-23", "first_name": "Ana", "consent_storage": "yes",
                "uses_rogaine": "yes", "rogaine_form": "oral", "rogaine_since": "2024-01-10",
                "gp_signoff": "declined", "planned_session_date": tomorrow,
                "keloid_history": "no", "scalp_conditions": "eczema"}
        expect_stored = {"consent_storage": True, "uses_rogaine": True, "keloid_history": False,
                         "scalp_conditions": ["eczema"]}  # several choices: an array
        for n, (qid, wrong, why, over) in enumerate(cases):
            with self.subTest(question=qid, typed=wrong):
                # A client of their own, so no returning client is offered
                # (names three letters apart: not even a near match).
                a = base_answers(last_name="Silva" + chr(ord("a") + n) * 3, **over)
                a[qid] = good[qid]
                child, rec = self.start()
                answer_all(child, a, stop=qid)
                type_line(child, wrong)
                child.expect_exact("  " + why)
                child.expect_exact(RETRY)
                expect_prompt(child, PROMPTS[qid])  # the same question again
                answer_all(child, a, start=qid, shown=True)
                type_line(child, "yes")
                child.expect_exact("Saved intake ")
                child.expect_exact(ACK)
                type_line(child, "")
                self.assertEqual(finish(self, child), 0)
                got = self.export()[-1]
                self.assertEqual(stored(got, qid), expect_stored.get(qid, good[qid]))


class Cancelling(TerminalTest):
    """Ctrl-C at any prompt, or Ctrl-D on an empty line, stops: a message,
    exit status 1, no client or intake in the file, and every answer given
    so far in a draft (nothing at all before the first answer)."""

    def test_ctrl_c_at_each_prompt_stops_and_keeps_a_draft(self):
        rog = base_answers(uses_rogaine="yes", gp_discussed="yes", gp_signoff="obtained",
                           gp_name="Dr Okafor")
        for qid, a, typed in [
            ("first_name", base_answers(), "Ana"),   # with a half-typed line
            ("date_of_birth", base_answers(), ""),
            ("hair_loss_notes", base_answers(), ""),
            ("uses_rogaine", base_answers(), "ye"),
            ("rogaine_form", rog, ""),
            ("gp_signoff", rog, ""),
            ("gp_signoff_date", rog, "2024"),
            ("allergies_detail", base_answers(allergies="yes"), "lat"),
            ("planned_session_date", base_answers(), ""),
        ]:
            with self.subTest(question=qid):
                child, rec = self.start()
                answer_all(child, a, stop=qid)
                child.send(typed)
                if typed:
                    child.expect_exact(typed)
                child.sendcontrol("c")
                self.assert_stopped(child, given_before(a, qid))

    def test_ctrl_c_at_the_first_question_cancels(self):
        child, rec = self.start()
        child.expect_exact(PROMPTS["consent_storage"])
        child.sendcontrol("c")
        self.assert_cancelled(child)

    def test_ctrl_c_on_a_notes_continuation_line_stops(self):
        child, rec = self.start()
        answer_all(child, base_answers(), stop="hair_loss_notes")
        type_line(child, "Crown\\")
        child.expect_exact("... ")
        child.sendcontrol("c")
        self.assert_stopped(child, given_before(base_answers(), "hair_loss_notes"))

    def test_ctrl_c_after_a_wrong_answer_stops(self):
        child, rec = self.start()
        answer_all(child, base_answers(), stop="date_of_birth")
        type_line(child, "1985-02-30")
        child.expect_exact(RETRY)
        child.expect_exact(PROMPTS["date_of_birth"])
        child.sendcontrol("c")
        self.assert_stopped(child, given_before(base_answers(), "date_of_birth"))

    def test_ctrl_c_at_the_save_prompt_stops(self):
        child, rec = self.start()
        answer_all(child, base_answers())
        child.sendcontrol("c")
        self.assert_stopped(child, given_before(base_answers()))

    def test_ctrl_d_on_an_empty_line_stops(self):
        for qid in ("first_name", "uses_rogaine", "planned_session_date", None):
            with self.subTest(question=qid or "save"):
                child, rec = self.start()
                answer_all(child, base_answers(), stop=qid)
                child.sendeof()
                self.assert_stopped(child, given_before(base_answers(), qid))

    def test_ctrl_d_at_the_first_question_cancels(self):
        child, rec = self.start()
        child.expect_exact(PROMPTS["consent_storage"])
        child.sendeof()
        self.assert_cancelled(child)

    def test_ctrl_d_with_text_on_the_line_does_not_cancel(self):
        child, rec = self.start()
        answer_all(child, base_answers(), stop="first_name")
        child.send("Ana")
        child.expect_exact("Ana")
        child.sendeof()  # deletes the character under the cursor: none at the end
        child.send(ENTER)
        child.expect_exact(PROMPTS["last_name"])
        self.assertNotIn(CANCELLED, rec.text)
        answer_all(child, base_answers(), start="last_name", shown=True)
        self.save(child)
        self.assertEqual(self.export()[0]["client"]["first_name"], "Ana")


class WhatMustNotLeak(TerminalTest):
    def test_no_history_file_is_written(self):
        a = base_answers(first_name="Quillon", last_name="Vexmartin", phone="+44 7700 900999")
        self.intake(a)
        for rel in home_files(self.tmp):
            if rel.startswith("intake.db"):
                continue  # the database itself
            self.assertNotIn("hist", rel.lower(), rel)
            with open(os.path.join(self.tmp, rel), "rb") as f:
                data = f.read()
            for secret in (b"Quillon", b"Vexmartin", b"900999"):
                self.assertNotIn(secret, data, "%s holds an answer" % rel)
        self.assertEqual([f for f in home_files(self.tmp) if not f.startswith("intake.db")],
                         ["inputrc"])

    def test_name_with_an_escape_sequence_is_refused(self):
        child, rec = self.start()
        answer_all(child, base_answers(), stop="first_name")
        child.send(CTRL_V + ESC + "[31mEvil" + ENTER)  # a literal ESC on the line
        child.expect_exact(RETRY)
        child.expect_exact(PROMPTS["first_name"])
        answer_all(child, base_answers(), start="first_name", shown=True)
        self.save(child)
        got = self.export()[0]
        self.assertEqual(got["client"]["first_name"], "Ana")
        self.assertEqual(self.sql("SELECT count(*) FROM client WHERE first_name LIKE '%Evil%'"),
                         [(0,)])

    def escape_notes_intake(self):
        """Saves an intake whose notes hold ESC sequences; returns the screen."""
        child, rec = self.start()
        answer_all(child, treated(), stop="hair_loss_notes")
        child.send("Crown " + CTRL_V + ESC + "[41mRED" + CTRL_V + ESC + "]0;pwned"
                   + CTRL_V + "\x07" + " end" + ENTER)
        answer_all(child, treated(), start="hair_loss_scale")
        self.save(child)
        notes = self.export()[0]["answers"]["hair_loss_notes"]
        self.assertEqual(notes, "Crown \x1b[41mRED\x1b]0;pwned\x07 end")
        return rec.text

    def test_notes_with_escape_sequences_are_kept_but_never_printed_raw(self):
        screen = self.escape_notes_intake()
        summary = screen[screen.rindex("Summary"):]
        self.assertNotIn("\x1b[41m", summary)
        self.assertNotIn("\x1b]0;", summary)
        self.assertIn("\\x1b[41mRED", summary)
        for cmd in ("show", "advice"):
            child = self.spawn(cmd, "1")
            rec = record(child)
            self.assertEqual(finish(self, child), 0)
            out = rec.text
            self.assertNotIn("\x1b[41m", out)
            self.assertNotIn("\x1b]0;", out)
            self.assertNotIn("\x07", out)
            if cmd == "show":
                self.assertIn("\\x1b[41mRED", out)
                self.assertIn("Crown ", out)
            # Only the program's own SGR codes may remain.
            self.assertNotIn(ESC, _without_own_sgr(out), cmd)

    def test_no_colour_at_all_with_NO_COLOR(self):
        self.escape_notes_intake()
        env = dict(self.env, NO_COLOR="1")
        for cmd in (("show", "1"), ("advice", "1", "--for", "artist"), ("advice", "1")):
            child = self.spawn(*cmd, env=env)
            rec = record(child)
            self.assertEqual(finish(self, child), 0)
            if len(cmd) > 2 or cmd[0] == "show":  # the artist's view
                self.assertIn("[gp-signoff]", rec.text)
                self.assertIn("ARTIST WARNING", rec.text)
            else:
                self.assertIn("Ask your GP first", rec.text)
            self.assertNotIn(ESC, rec.text, "%s printed an ESC byte with NO_COLOR=1" % (cmd,))

    def test_no_colour_on_the_sheet_after_new_with_NO_COLOR(self):
        env = dict(self.env, NO_COLOR="1")
        screen, _ = self.intake(treated(), env=env)
        sheet = screen[screen.index("Saved intake 1"):]
        self.assertIn("Ask your GP first", sheet)
        # readline's bracketed-paste switches around the name prompt are
        # no colour.
        self.assertNotIn(ESC, "\n".join(screen_lines(sheet)))


class Width(TerminalTest):
    def assert_fits(self, text, columns, what):
        lines = screen_lines(strip_ansi(text))
        self.assertGreater(len(lines), 10, what)
        wide = [l for l in lines if len(l) > columns]
        self.assertEqual(wide, [], "%s: lines wider than %d columns" % (what, columns))

    def test_advice_sheet_is_wrapped_to_a_narrow_terminal(self):
        a = treated(hair_loss_notes="Thinning at the crown and at both temples for about "
                    "three years, worse after a stressful winter")
        child, rec = self.start(columns=50)
        answer_all(child, a)
        type_line(child, "yes")
        # The acknowledgement's own words after the sheet fit too, a
        # refused name's among them.
        child.expect_exact(ACK)
        type_line(child, "Someone Else")
        child.expect_exact("That is not the name")
        child.expect_exact(ACK)
        type_line(child, "")
        child.expect_exact("unacknowledged")
        self.assertEqual(finish(self, child), 0)
        screen = rec.text
        sheet = screen[screen.index("Advice for "):]
        self.assertIn("Pausing topical products while you heal", sheet)
        self.assert_fits(sheet, 50, "new")
        for cmd in (("advice", "1"), ("advice", "1", "--for", "artist"), ("show", "1")):
            child = self.spawn(*cmd, columns=50)
            rec = record(child)
            self.assertEqual(finish(self, child), 0)
            self.assertIn("Ask your GP first", rec.text)
            self.assert_fits(rec.text, 50, " ".join(cmd))

    def test_wide_terminal_uses_the_width(self):
        # A control for the test above: at 120 columns lines are longer than 50.
        screen, _ = self.intake(treated(), columns=120)
        sheet = strip_ansi(screen[screen.index("Advice for "):])
        self.assertTrue(any(len(l) > 80 for l in screen_lines(sheet)))
        self.assert_fits(sheet, 120, "new")


def _without_own_sgr(text):
    for code in ("\x1b[1m", "\x1b[0m", "\x1b[31m", "\x1b[m"):
        text = text.replace(code, "")
    return text
