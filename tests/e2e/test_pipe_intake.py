"""`smp-intake new` through a pipe and with --answers, and the command
line's usage errors.  Also holds PipeTest, the helpers the other pipe test
files share (assertions on refusals, on an untouched database, on the
advice sheet)."""
import datetime
import json
import os
import re

from harness import IntakeTest, ORDER, applies, base_answers, pipe_lines, years_ago, today

CASES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases")
CLIENT_FIELDS = ["first_name", "last_name", "date_of_birth", "phone", "email"]
HEADING = re.compile(r"^\S.*  \[([a-z-]+)\]$", re.M)


def expand(value):
    """Replaces date tokens in a case file, so cases stay true every day:
    {today}, {today+N}, {today-N} and {age:N} / {age:N+D} (the date N years
    ago, moved by D days)."""
    if not isinstance(value, str):
        return value

    def one(m):
        shift = int(m.group(3) or 0)
        if m.group(1) == "today":
            return (today() + datetime.timedelta(days=shift)).isoformat()
        return years_ago(int(m.group(2)), shift).isoformat()

    return re.sub(r"\{(today|age:(\d+))([+-]\d+)?\}", one, value)


YESNO_DEFAULTS = {"uses_rogaine": "no", "uses_propecia": "no", "uses_other_topical": "no",
                 "uses_other_medical": "no", "wants_root_cause_help": "no"}
CHOICES = {"rogaine_form": ["foam", "solution", "oral", "other"],
           "hair_loss_scale": ["norwood_%d" % n for n in range(1, 8)] +
                              ["ludwig_1", "ludwig_2", "ludwig_3", "other", "not_applicable"],
           "treatment_type": ["full_head", "density", "scar_camouflage", "alopecia_areata",
                              "other"],
           "propecia_form": ["tablet", "topical"],
           "gp_signoff": ["obtained", "pending", "declined"]}


def normalised(answers):
    """The answers as the program will understand them (y/N/YES, unique
    prefixes, defaults), only to decide which questions are asked."""
    out = dict(answers)
    for k, v in answers.items():
        w = (v or "").strip().lower()
        if k in YESNO_DEFAULTS or k in ("consent_storage", "gp_discussed", "consent_photos"):
            w = w or YESNO_DEFAULTS.get(k, "")
            out[k] = {"y": "yes", "n": "no"}.get(w, w)
        elif k in CHOICES:
            hits = [c for c in CHOICES[k] if c.startswith(w)] if w else []
            out[k] = hits[0] if len(hits) == 1 else w
    return out


def lines_for(answers):
    """Like harness.pipe_lines, but the questions asked follow what the
    program makes of each answer, so "Y" or "ob" open their follow-ups."""
    norm = normalised(answers)
    return "".join(answers.get(q, "") + "\n" for q in ORDER if applies(q, norm))


def load_cases(name):
    with open(os.path.join(CASES, name), encoding="utf-8") as f:
        return json.load(f)


class PipeTest(IntakeTest):
    """Helpers only; no tests here."""

    def fresh_db(self, name):
        """Points the program (and sql()) at a new, absent database, so one
        table case cannot disturb the next."""
        self.db = os.path.join(self.tmp, name + ".db")
        self.env["SMP_INTAKE_DB"] = self.db

    def new_raw(self, data, *extra):
        return self.run_cmd(*extra, "new", input=data)

    def assert_nothing_saved(self):
        if not os.path.exists(self.db):
            return
        for table in ("client", "intake", "answer", "advice_sheet"):
            self.assertEqual(self.sql("SELECT count(*) FROM %s" % table), [(0,)],
                             "rows were saved in %s" % table)

    def assert_one_line_error(self, p, code=1):
        self.assertEqual(p.returncode, code, "stdout=%r stderr=%r" % (p.stdout, p.stderr))
        self.assertTrue(p.stderr.startswith("smp-intake: "), p.stderr)
        self.assertTrue(p.stderr.endswith("\n"), p.stderr)
        self.assertEqual(p.stderr.count("\n"), 1, "not one line: %r" % p.stderr)

    def assert_refused(self, p, qid, reason):
        """Exit 1, `smp-intake: QID: ...REASON...; nothing saved`, empty db."""
        self.assert_one_line_error(p)
        self.assertRegex(p.stderr.rstrip("\n"),
                         r"^smp-intake: %s: .*; nothing saved$" % re.escape(qid))
        self.assertIn(reason, p.stderr)
        self.assertNotIn("Saved intake", p.stdout)
        self.assert_nothing_saved()

    def stored(self, qid, intake_id=None):
        """The value stored for a question (client table for client fields),
        None when no row holds it."""
        if intake_id is None:
            intake_id = self.sql("SELECT max(id) FROM intake")[0][0]
        if qid in CLIENT_FIELDS:
            return self.sql("SELECT c.%s FROM client c JOIN intake i ON i.client_id = c.id "
                            "WHERE i.id = ?" % qid, intake_id)[0][0]
        rows = self.sql("SELECT value FROM answer WHERE intake_id = ? AND question_id = ?",
                        intake_id, qid)
        return rows[0][0] if rows else None

    def headings(self, text):
        return HEADING.findall(text)


# The screening questions (2026.2) answered so that nothing is flagged;
# they have no defaults.
SCREENED = {"scalp_conditions": "none", "keloid_history": False, "blood_thinners": False,
            "allergies": False, "pregnant_or_breastfeeding": "not_applicable"}
# Their lines through a pipe, other_medication left empty.
SCREENED_LINES = ["none", "no", "no", "no", "no", ""]
# The assessment's answers (2026.4), photos not to be kept (so no marketing
# question), and their lines through a pipe, hairline_style left empty.
ASSESSED = {"hair_loss_scale": "norwood_3", "treatment_type": "full_head", "consent_photos": False}
ASSESSED_LINES = ["norwood_3", "full_head", "", "no"]

FULL = dict(
    consent_storage="yes", first_name="Ana", last_name="Silva", date_of_birth="1985-07-23",
    phone="+44 7700 900123", email="ana@example.com", hair_loss_notes="crown, 3 years",
    hair_loss_scale="ludwig_2", treatment_type="density", hairline_style="soft, natural",
    consent_photos="yes", consent_marketing="no",
    uses_rogaine="yes", rogaine_form="foam", rogaine_since="2024-01-10",
    uses_propecia="yes", propecia_form="tablet", uses_other_topical="yes",
    other_topical_products="Nizoral shampoo", uses_other_medical="yes",
    other_medical_products="spironolactone", gp_discussed="yes", gp_signoff="obtained",
    gp_name="Dr Okafor", gp_signoff_date="2024-02-01", scalp_conditions="eczema",
    keloid_history="no", blood_thinners="yes", blood_thinners_detail="aspirin 75 mg daily",
    allergies="yes", allergies_detail="latex", pregnant_or_breastfeeding="no",
    other_medication="metformin", wants_root_cause_help="yes", planned_session_date="")


class PipeIntake(PipeTest):
    def test_success_prints_saved_line_then_sheet_and_no_prompts(self):
        p = self.new_raw(pipe_lines(base_answers()))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        lines = p.stdout.splitlines()
        self.assertEqual(lines[0], "Saved intake 1 for client 1.")
        # No prompt text from the questionnaire reaches stdout.
        for prompt in ("First name", "Date of birth", "[yes/no]", "Phone (optional)"):
            self.assertNotIn(prompt, p.stdout)
        self.assertIn("Advice for Ana Silva (", p.stdout)
        # The client's sheet: titles only, no ids.
        self.assertEqual(self.headings(p.stdout), [])
        self.assertIn("\nSMP is cosmetic only\n", p.stdout)
        self.assertIn("\nThe cause of hair loss\n", p.stdout)
        self.assertEqual(self.sql("SELECT count(*) FROM intake"), [(1,)])

    def test_second_intake_numbers_go_up(self):
        self.new_intake(base_answers())
        out = self.new_intake(base_answers(first_name="Bea"))
        self.assertIn("Saved intake 2 for client 2.", out.splitlines()[0])

    def test_every_question_answered_in_order(self):
        p = self.new_raw(pipe_lines(FULL))
        self.assertEqual(p.returncode, 0, p.stderr)
        for qid in ORDER:
            want = FULL.get(qid) or None
            self.assertEqual(self.stored(qid), want, qid)

    def test_only_applicable_questions_read(self):
        # With uses_rogaine no, the next line answers uses_propecia, not
        # rogaine_form; with no treatment gp_discussed is never asked.
        lines = ["yes", "Ana", "Silva", "1985-07-23", "", "", ""] + ASSESSED_LINES + ["no", "yes", "topical",
                 "no", "no", "no"] + SCREENED_LINES + ["no", ""]
        # uses_propecia yes means gp_discussed applies: "no" above is it.
        p = self.new_raw("".join(l + "\n" for l in lines))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.stored("uses_rogaine"), "no")
        self.assertIsNone(self.stored("rogaine_form"))
        self.assertIsNone(self.stored("rogaine_since"))
        self.assertEqual(self.stored("uses_propecia"), "yes")
        self.assertEqual(self.stored("propecia_form"), "topical")
        self.assertEqual(self.stored("gp_discussed"), "no")
        self.assertIsNone(self.stored("gp_signoff"))
        self.assertEqual(self.stored("wants_root_cause_help"), "no")

        # No treatment: after the screening, wants_root_cause_help, not
        # gp_discussed, follows the treatment questions.
        lines = ["yes", "Bo", "Li", "1985-07-23", "", "", ""] + ASSESSED_LINES + ["no", "no", "no", "no"] + \
            SCREENED_LINES + ["yes", ""]
        p = self.new_raw("".join(l + "\n" for l in lines))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIsNone(self.stored("gp_discussed"))
        self.assertEqual(self.stored("wants_root_cause_help"), "yes")

    def test_gp_questions_follow_signoff(self):
        a = base_answers(uses_other_medical="yes", other_medical_products="x",
                         gp_discussed="yes", gp_signoff="pending")
        p = self.new_raw(pipe_lines(a))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.stored("gp_signoff"), "pending")
        self.assertIsNone(self.stored("gp_name"))
        self.assertIsNone(self.stored("gp_signoff_date"))

    def test_input_ending_before_any_applicable_question_saves_nothing(self):
        # Without the acknowledgement line (optional: the input may end
        # before it).
        a = dict(FULL, planned_session_date=(today() + datetime.timedelta(days=10)).isoformat(),
                 acknowledged_by=None)
        lines = pipe_lines(a).splitlines(keepends=True)
        asked = [q for q in ORDER if q in a and applies(q, a)]
        self.assertEqual(len(lines), len(asked))
        for n in range(len(lines)):
            with self.subTest(cut_before=asked[n]):
                p = self.new_raw("".join(lines[:n]))
                self.assert_refused(p, asked[n], "input ended")
        p = self.new_raw("".join(lines))
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_empty_input_saves_nothing(self):
        p = self.new_raw("")
        self.assert_refused(p, "consent_storage", "input ended")

    def test_no_consent_stores_nothing(self):
        for answer in ("no", "N", "No"):
            with self.subTest(answer=answer):
                p = self.new_raw(pipe_lines(base_answers(consent_storage=answer)))
                self.assert_one_line_error(p)
                self.assertIn("did not consent", p.stderr)
                self.assertNotIn("Saved intake", p.stdout)
                self.assert_nothing_saved()

    def test_first_invalid_answer_stops_even_if_later_ones_are_fine(self):
        a = base_answers(date_of_birth="1985-02-30")
        p = self.new_raw(pipe_lines(a))
        self.assert_refused(p, "date_of_birth", "does not exist")

    def test_nothing_saved_when_a_later_answer_fails(self):
        # Earlier, valid answers (client names) must not reach the database.
        a = base_answers(planned_session_date=(today() - datetime.timedelta(days=1)).isoformat())
        p = self.new_raw(pipe_lines(a))
        self.assert_refused(p, "planned_session_date", "past")

    def test_staff_from_option_overrides_environment(self):
        self.new_intake(base_answers(), "--staff", "Kim Lee")
        self.assertEqual(self.sql("SELECT staff FROM intake"), [("Kim Lee",)])


def answers_json(answers):
    return json.dumps({"answers": answers})


class AnswersFile(PipeTest):
    MIN = {"consent_storage": True, "first_name": "Ana", "last_name": "Silva",
           "date_of_birth": "1985-07-23", **SCREENED, **ASSESSED}

    def new_json(self, text, path="-"):
        if path == "-":
            return self.run_cmd("new", "--answers", "-", input=text)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return self.run_cmd("new", "--answers", path)

    def test_minimal_answers_take_defaults(self):
        p = self.new_json(answers_json(self.MIN))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.splitlines()[0], "Saved intake 1 for client 1.")
        self.assertEqual(self.stored("uses_rogaine"), "no")
        self.assertEqual(self.stored("wants_root_cause_help"), "no")
        self.assertIsNone(self.stored("phone"))
        self.assertEqual(self.headings(self.run_cmd("advice", "1", "--for", "artist").stdout),
                         ["smp-cosmetic-only", "root-cause"])

    def test_from_a_file(self):
        path = os.path.join(self.tmp, "answers.json")
        p = self.new_json(answers_json(dict(self.MIN, first_name="Zoë")), path)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.stored("first_name"), "Zoë")

    def test_missing_file(self):
        p = self.run_cmd("new", "--answers", os.path.join(self.tmp, "nope.json"))
        self.assert_one_line_error(p)
        self.assert_nothing_saved()

    def test_yes_no_as_booleans_or_words_and_null_as_empty(self):
        a = dict(self.MIN, consent_storage="yes", uses_rogaine="yes", rogaine_form=None,
                 rogaine_since=None, uses_propecia=False, uses_other_topical="no",
                 uses_other_medical=None, gp_discussed=True, gp_signoff="declined",
                 wants_root_cause_help="yes", phone=None, email=None, hair_loss_notes=None,
                 planned_session_date=None)
        p = self.new_json(answers_json(a))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.stored("consent_storage"), "yes")
        self.assertEqual(self.stored("rogaine_form"), "foam")
        self.assertIsNone(self.stored("rogaine_since"))
        self.assertEqual(self.stored("uses_propecia"), "no")
        self.assertEqual(self.stored("uses_other_topical"), "no")
        self.assertEqual(self.stored("uses_other_medical"), "no")
        self.assertEqual(self.stored("gp_discussed"), "yes")
        self.assertEqual(self.stored("gp_signoff"), "declined")
        self.assertEqual(self.stored("wants_root_cause_help"), "yes")

    def test_text_after_the_json_object_is_invalid_json(self):
        # A valid object followed by junk is not a JSON document.
        text = answers_json(self.MIN) + " trailing junk\n"
        p = self.new_json(text)
        self.assert_one_line_error(p)
        self.assertIn("not valid JSON", p.stderr)
        self.assert_nothing_saved()

    def test_table_of_refused_answer_files(self):
        for n, case in enumerate(load_cases("answers_json.json")):
            with self.subTest(case=case["name"]):
                self.fresh_db("case%d" % n)
                text = case["text"] if "text" in case else answers_json(
                    {**SCREENED, **ASSESSED, **{k: expand(v) for k, v in case["answers"].items()}})
                p = self.new_json(text)
                self.assert_one_line_error(p)
                self.assertIn(case["error"], p.stderr)
                self.assertNotIn("Saved intake", p.stdout)
                self.assert_nothing_saved()


class Usage(PipeTest):
    COMMANDS = ["new", "show", "advice", "export", "find", "shell", "help"]

    def test_help_on_every_command(self):
        for argv in (["--help"], ["-h"], ["help"]):
            p = self.run_cmd(*argv)
            self.assertEqual(p.returncode, 0, argv)
            self.assertIn("usage:", p.stdout)
        for c in self.COMMANDS:
            with self.subTest(command=c):
                p = self.run_cmd(c, "--help")
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertIn("usage: smp-intake %s" % c, p.stdout)
                self.assertFalse(os.path.exists(self.db), "--help opened the database")

    def test_usage_errors_exit_2(self):
        for argv in (["frobnicate"], ["--bogus"], ["--bogus", "new"], ["new", "--bogus"],
                     ["export", "--bogus"], ["--db"], ["--staff"], ["new", "--answers"],
                     ["export", "-o"], ["show"], ["show", "1", "2"], ["new", "extra"],
                     ["help", "frobnicate"]):
            with self.subTest(argv=argv):
                p = self.run_cmd(*argv, input=pipe_lines(base_answers()))
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertTrue(p.stderr.startswith("smp-intake: ") or "usage:" in p.stderr,
                                p.stderr)
                self.assertEqual(p.stdout, "")
        self.assert_nothing_saved()

    def test_no_command_through_a_pipe_prints_usage_and_exits_2(self):
        p = self.run_cmd(input=pipe_lines(base_answers()))
        self.assertEqual(p.returncode, 2)
        self.assertIn("usage:", p.stderr)
        self.assertEqual(p.stdout, "")
        self.assert_nothing_saved()

    def test_version(self):
        p = self.run_cmd("--version")
        self.assertEqual(p.returncode, 0)
        self.assertRegex(p.stdout, r"^smp-intake \d+\.\d+")
