"""One rule for matching names (src/fold.c): the acknowledgement's name,
the returning client (exact through a pipe, near matches offered at a
terminal) and choice answers compare folded, so case, accents, the
normal form, the kind of space and the locale do not matter.  And a
returning client at a terminal starts from their last intake."""
import subprocess
import unicodedata

from harness import IntakeTest, base_answers, pipe_lines
from ptyutil import (ACK, PROMPTS, SAME_PERSON, SAVE, answer, expect_prompt, finish, record,
                     type_line)

ZOE = "Zo\u00eb"                                  # NFC: one code point
ZOE_NFD = unicodedata.normalize("NFD", ZOE)       # e + combining diaeresis
NBSP = "\u00a0"
BORN = "1990-04-01"
TR = "tr_TR.UTF-8"


def zoe(**over):
    return base_answers(**dict(dict(first_name=ZOE, last_name="Smith", date_of_birth=BORN), **over))


class AcknowledgedFolded(IntakeTest):
    """The name the client types acknowledges the sheet when it is their
    name folded: through the pipe (the line after the answers) and with
    `acknowledge --name`."""

    def acknowledged_by(self):
        return [r[0] for r in self.sql("SELECT typed_name FROM acknowledgement ORDER BY intake_id")]

    def check_pipe(self, first, last, typed):
        p = self.run_cmd("new", input=pipe_lines(base_answers(
            first_name=first, last_name=last, acknowledged_by=typed)))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.acknowledged_by()[-1], typed.strip())

    def test_zoe_acknowledges_for_zoe_with_diaeresis(self):
        self.check_pipe(ZOE, "Smith", "Zoe Smith")

    def test_capitals_with_accents(self):
        self.check_pipe("jos\u00e9", "garc\u00eda", "JOS\u00c9 GARC\u00cdA")

    def test_a_name_stored_in_nfd_acknowledged_in_nfc(self):
        self.check_pipe(ZOE_NFD, "Smith", ZOE + " Smith")

    def test_a_no_break_space(self):
        self.check_pipe(ZOE, "Smith", ZOE + NBSP + "Smith")

    def test_another_name_is_still_refused(self):
        p = self.run_cmd("new", input=pipe_lines(zoe(acknowledged_by="Zoey Smith")))
        self.assertEqual(p.returncode, 1)
        self.assertIn("not the client's full name", p.stderr)
        self.assertEqual(self.sql("SELECT count(*) FROM intake"), [(0,)])

    def test_acknowledge_name_option(self):
        self.new_intake(zoe(acknowledged_by=None))
        self.new_intake(base_answers(first_name="jos\u00e9", last_name="Smith",
                                     acknowledged_by=None))
        for intake, typed in ((1, "Zoe Smith"), (2, "JOS\u00c9" + NBSP + "SMITH")):
            p = self.run_cmd("acknowledge", str(intake), "--name", typed)
            self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.acknowledged_by(), ["Zoe Smith", "JOS\u00c9" + NBSP + "SMITH"])


class ReturningFolded(IntakeTest):
    def setUp(self):
        super().setUp()
        self.new_intake(zoe(phone="+44 7700 900123"))

    def clients(self):
        return self.sql("SELECT id, first_name, last_name FROM client ORDER BY id")

    def test_a_pipe_joins_the_client_with_the_name_folded(self):
        for first, last in (("Zoe", "Smith"), ("ZOE" + "\u0308", "SMITH"), ("zoe", " smith ")):
            self.new_intake(zoe(first_name=first, last_name=last, acknowledged_by="Zoe Smith"))
        # One client, who keeps the spelling on file.
        self.assertEqual(self.clients(), [(1, ZOE, "Smith")])
        self.assertEqual(self.sql("SELECT client_id FROM intake ORDER BY id"), [(1,)] * 4)
        self.assertEqual(self.sql("SELECT phone FROM client"), [("+44 7700 900123",)])

    def test_a_pipe_does_not_join_another_name_or_birth_date(self):
        self.new_intake(zoe(first_name="Zoey", acknowledged_by="Zoey Smith"))
        self.new_intake(zoe(first_name="Zoe", date_of_birth="1990-04-02",
                            acknowledged_by="Zoe Smith"))
        self.assertEqual(self.clients(), [(1, ZOE, "Smith"), (2, "Zoey", "Smith"),
                                          (3, "Zoe", "Smith")])

    def start(self, first, last="Smith"):
        child = self.spawn("new")
        rec = record(child)
        for q, v in (("consent_storage", "yes"), ("first_name", first), ("last_name", last),
                     ("date_of_birth", BORN)):
            answer(child, q, v)
        return child, rec

    def test_the_same_name_folded_is_offered_at_a_terminal(self):
        child, rec = self.start("ZOE", "smith")
        child.expect_exact("On file: client 1, " + ZOE + " Smith, born 1990-04-01, last intake 1 on ")
        child.expect_exact(SAME_PERSON)
        type_line(child, "YES")  # yes/no in any case
        child.expect_exact("This intake joins client 1.")
        child.expect_exact("Phone (optional) (+44 7700 900123): ")
        child.sendcontrol("c")
        finish(self, child)
        self.assertNotIn("possible match", rec.text)

    def test_a_near_name_is_offered_as_a_possible_match(self):
        child, _ = self.start("Zoey")
        child.expect_exact("A possible match on file (the name is spelt differently): client 1, "
                           + ZOE + " Smith, born 1990-04-01, last intake 1 on ")
        child.expect_exact(SAME_PERSON)
        type_line(child, "yes")
        child.expect_exact("This intake joins client 1.")
        child.expect_exact("Phone (optional) (+44 7700 900123): ")
        child.sendcontrol("c")
        finish(self, child)

    def test_a_near_name_declined_makes_a_new_client(self):
        child, _ = self.start("Zoey", "Smyth")  # two edits away
        child.expect_exact("A possible match on file")
        child.expect_exact(SAME_PERSON)
        type_line(child, "no")
        child.expect_exact("A new client record will be made.")
        child.expect_exact(PROMPTS["phone"])
        child.sendcontrol("c")
        finish(self, child)

    def test_three_edits_away_is_not_offered(self):
        child, rec = self.start("Chloe")
        child.expect_exact(PROMPTS["phone"])
        child.sendcontrol("c")
        finish(self, child)
        self.assertNotIn("On file", rec.text)
        self.assertNotIn("possible match", rec.text)


    def test_erasure_takes_a_draft_typed_with_the_name_folded(self):
        # Typed "ZOE SMITH" at a terminal, not joined, stopped: the draft
        # holds the client's name and birth date, so erasing client 1
        # removes it too (the drafts are matched as the client is).
        child, _ = self.start("ZOE", "SMITH")
        child.expect_exact(SAME_PERSON)
        type_line(child, "no")
        child.expect_exact(PROMPTS["phone"])
        child.sendcontrol("c")
        finish(self, child)
        self.assertEqual(self.sql("SELECT count(*) FROM draft"), [(1,)])
        p = self.run_cmd("erase", "1", "--yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.sql("SELECT count(*) FROM draft"), [(0,)])


def assess(child):
    """Answers the assessment (2026.4), asked afresh of a returning client
    too: no last answer to keep for a consent."""
    for qid, given in (("hair_loss_scale", "norwood_4"), ("treatment_type", "density"),
                       ("hairline_style", ""), ("consent_photos", "no")):
        expect_prompt(child, PROMPTS[qid])
        type_line(child, given)


class TurkishLocale(IntakeTest):
    """Choices and yes/no in capitals under a Turkish locale, where
    strcasecmp() does not take "I" for "i"."""

    def test_choices_in_capitals(self):
        have = subprocess.run(["locale", "-a"], stdout=subprocess.PIPE, text=True).stdout.split()
        # Never skipped: make test-deps makes the locale (tests/locales.sh).
        self.assertIn("tr_TR.utf8", have, "the tr_TR.UTF-8 locale is missing: run make test-deps")
        env = dict(self.env, LC_ALL=TR)
        lines = ["YES", "Ay\u015fe", "Y\u0131lmaz", BORN, "", "", "", "NORWOOD_2", "SCAR",
                 "", "YES", "NO", "YES", "SOLUTION", "",
                 "NO", "NO", "NO", "YES", "PENDING", "PSORIASIS, ECZEMA", "NO", "NO", "NO",
                 "NOT_APPLICABLE", "", "YES", "", "AY\u015eE YILMAZ"]
        p = self.run_cmd("new", input="".join(l + "\n" for l in lines), env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        got = dict(self.sql("SELECT question_id, value FROM answer"))
        self.assertEqual((got["uses_rogaine"], got["rogaine_form"], got["gp_signoff"],
                          got["scalp_conditions"], got["pregnant_or_breastfeeding"],
                          got["wants_root_cause_help"]),
                         ("yes", "solution", "pending", "psoriasis,eczema", "not_applicable",
                          "yes"))
        self.assertEqual((got["hair_loss_scale"], got["treatment_type"], got["consent_photos"],
                          got["consent_marketing"]),
                         ("norwood_2", "scar_camouflage", "yes", "no"))


class ReturningStartsFromLastIntake(IntakeTest):
    """At a terminal, `new --client ID` (and the offer, test_returning)
    starts from the client's last intake: Enter keeps the treatments; the
    GP and screening answers are shown but must be given again; the date
    question asks for the planned session."""

    LAST = dict(zoe(uses_rogaine="yes", rogaine_form="solution", rogaine_since="2024-01-15",
                    uses_propecia="yes", propecia_form="tablet", gp_discussed="yes",
                    gp_signoff="pending", scalp_conditions="psoriasis", allergies="yes",
                    allergies_detail="latex", other_medication="vitamin D"))

    def setUp(self):
        super().setUp()
        self.new_intake(self.LAST)

    def test_enter_keeps_treatments_and_screening_is_answered_again(self):
        child = self.spawn("new", "--client", "1")
        rec = record(child)
        child.expect_exact("Starting from intake 1 of ")
        answer(child, "consent_storage", "yes")
        for prompt in ("Phone (optional): ", "Email (optional): ", PROMPTS["hair_loss_notes"]):
            child.expect_exact(prompt)
            type_line(child, "")
        assess(child)
        for prompt in ("Uses minoxidil (Rogaine, Regaine), in any form? [yes/no] (yes): ",
                       "Minoxidil form [foam/solution/oral/other] (solution): ",
                       "Using minoxidil since (YYYY-MM or YYYY-MM-DD, optional) (2024-01-15): ",
                       "Uses finasteride (Propecia), in any form? [yes/no] (yes): ",
                       "Finasteride form [tablet/topical] (tablet): ",
                       PROMPTS["uses_other_topical"], PROMPTS["uses_other_medical"]):
            child.expect_exact(prompt)
            type_line(child, "")
        # Shown, but Enter alone does not answer them.
        for q, given in (("gp_discussed", "yes"), ("gp_signoff", "OBT"), ("gp_name", "Dr Okafor"),
                         ("gp_signoff_date", "2026-01-05"), ("scalp_conditions", "none"),
                         ("keloid_history", "no"), ("blood_thinners", "no"), ("allergies", "yes"),
                         ("allergies_detail", "latex"), ("pregnant_or_breastfeeding", "no"),
                         ("other_medication", "-")):
            shown = self.LAST.get(q)  # the GP's name and date were not given last time
            if not shown:
                answer(child, q, given)
                continue
            prompt = PROMPTS[q][:-2]
            expect_prompt(child, "%s (last time: %s): " % (prompt, shown))
            type_line(child, "")
            child.expect_exact("last time's answer is shown, but this must be answered again")
            expect_prompt(child, "%s (last time: %s): " % (prompt, shown))
            type_line(child, given)
        answer(child, "wants_root_cause_help", "")
        child.expect_exact("Planned session (YYYY-MM-DD, optional): ")
        type_line(child, "")
        child.expect_exact(SAVE)
        type_line(child, "yes")
        child.expect_exact("Saved intake 2 for client 1.")
        child.expect_exact(ACK)
        type_line(child, "")
        self.assertEqual(finish(self, child), 0)
        self.assertNotIn("Planned first session", rec.text)
        got = dict(self.sql("SELECT question_id, value FROM answer WHERE intake_id = 2"))
        self.assertEqual({k: got.get(k) for k in (
            "uses_rogaine", "rogaine_form", "rogaine_since", "uses_propecia", "propecia_form",
            "gp_signoff", "gp_name", "scalp_conditions", "allergies_detail", "other_medication")},
            {"uses_rogaine": "yes", "rogaine_form": "solution", "rogaine_since": "2024-01-15",
             "uses_propecia": "yes", "propecia_form": "tablet", "gp_signoff": "obtained",
             "gp_name": "Dr Okafor", "scalp_conditions": "none", "allergies_detail": "latex",
             "other_medication": None})
        self.assertEqual(got.get("pregnant_or_breastfeeding"), "no")

    def test_a_changed_treatment_is_taken(self):
        child = self.spawn("new", "--client", "1")
        answer(child, "consent_storage", "yes")
        for prompt in ("Phone (optional): ", "Email (optional): ", PROMPTS["hair_loss_notes"]):
            child.expect_exact(prompt)
            type_line(child, "")
        assess(child)
        child.expect_exact("Uses minoxidil (Rogaine, Regaine), in any form? [yes/no] (yes): ")
        type_line(child, "no")
        child.expect_exact("Uses finasteride (Propecia), in any form? [yes/no] (yes): ")
        type_line(child, "")
        child.expect_exact("Finasteride form [tablet/topical] (tablet): ")
        type_line(child, "topical")
        child.expect_exact(PROMPTS["uses_other_topical"])
        child.sendcontrol("c")
        finish(self, child)
        got = dict(self.sql("SELECT question_id, value FROM draft_answer"))
        self.assertEqual((got["uses_rogaine"], got["uses_propecia"], got["propecia_form"]),
                         ("no", "yes", "topical"))

    def test_a_resumed_draft_starts_from_the_last_intake_too(self):
        child = self.spawn("new", "--client", "1")
        answer(child, "consent_storage", "yes")
        child.expect_exact("Phone (optional): ")
        type_line(child, "")
        child.expect_exact("Email (optional): ")
        child.sendcontrol("c")
        finish(self, child)
        child = self.spawn("resume", "1")
        child.expect_exact("Starting from intake 1 of ")
        child.expect_exact("Email (optional): ")
        type_line(child, "")
        child.expect_exact(PROMPTS["hair_loss_notes"])
        type_line(child, "")
        assess(child)
        child.expect_exact("Uses minoxidil (Rogaine, Regaine), in any form? [yes/no] (yes): ")
        child.sendcontrol("c")
        finish(self, child)

    def test_a_pipe_takes_every_answer_as_given(self):
        # Through a pipe an empty line is the question's own default, as
        # for a new client: a script cannot see what Enter would keep.
        lines = pipe_lines(base_answers(acknowledged_by=None)).split("\n")
        del lines[1:4]  # the names and birth date come from the client record
        p = self.run_cmd("new", "--client", "1", input="\n".join(lines))
        self.assertEqual(p.returncode, 0, p.stderr)
        got = dict(self.sql("SELECT question_id, value FROM answer WHERE intake_id = 2"))
        self.assertEqual((got["uses_rogaine"], got["scalp_conditions"]), ("no", "none"))
