"""A text of nothing visible (a no-break space, the other Unicode spaces,
U+FEFF, zero-width characters) counts as empty everywhere a text is asked
for: answers through a pipe and --answers, names, notes, staff names,
contact details, sign-off fields, the clearing reason, the acknowledgement,
and import (text_is_blank(), src/text.c).  Before, U+00A0 was stored and
exported as a name or a note, which FHIR validators refuse."""
import json
import os
import unittest

from harness import WRAPPER, IntakeTest, base_answers, pipe_lines

NBSP = "\u00a0"
# Under valgrind (slow) the tests marked so are left out: the same
# text_is_blank() and text_trim() run in the others.
SAMPLE = unittest.skipIf(WRAPPER, "a sample of this module runs under valgrind")
BLANKS = ["\u00a0", "\u2003\u3000", "\u202f\u205f", "\ufeff", " \u200b\u00a0\t"]


class BlankAnswers(IntakeTest):
    def stored_answers(self, intake_id=1):
        return dict(self.sql("SELECT question_id, value FROM answer WHERE intake_id = ?",
                             intake_id))

    def test_a_blank_required_name_is_refused_through_the_pipe(self):
        for blank in BLANKS if not WRAPPER else BLANKS[-1:]:  # a sample under valgrind
            with self.subTest(blank=blank):
                p = self.run_cmd("new", input=pipe_lines(base_answers(last_name=blank)))
                self.assertEqual(p.returncode, 1)
                self.assertIn("last_name: an answer is required", p.stderr)

    def test_blank_optional_answers_are_left_unanswered(self):
        a = base_answers(hair_loss_notes="\u2003\u3000", other_medication="\ufeff",
                         phone=NBSP, email="\u202f")
        self.new_intake(a)
        data = self.export()[0]
        for qid in ("hair_loss_notes", "other_medication"):
            self.assertNotIn(qid, data["answers"])
        for key in ("phone", "email"):
            self.assertIsNone(data["client"].get(key))
        # Names keep their inside spaces, and lose the outer ones of any width.
        self.new_intake(base_answers(first_name="\u00a0Ana\u00a0Maria\u3000"))
        self.assertEqual(self.export()[1]["client"]["first_name"], "Ana\u00a0Maria")

    @SAMPLE
    def test_answers_file_blank_values(self):
        path = os.path.join(self.tmp, "answers.json")
        a = {k: v for k, v in base_answers(hair_loss_notes=NBSP).items() if v != ""}
        with open(path, "w") as f:
            json.dump({"answers": a}, f)
        p = self.run_cmd("new", "--answers", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("hair_loss_notes", self.export()[0]["answers"])
        a["first_name"] = "\u3000"
        with open(path, "w") as f:
            json.dump({"answers": a}, f)
        p = self.run_cmd("new", "--answers", path)
        self.assertEqual(p.returncode, 1)
        self.assertIn("first_name: an answer is required", p.stderr)

    @SAMPLE
    def test_fhir_export_has_no_blank_string(self):
        self.new_intake(base_answers(hair_loss_notes=NBSP, other_medication="\u2009"))
        p = self.run_cmd("export", "--format", "fhir")
        self.assertEqual(p.returncode, 0, p.stderr)

        def strings(v):
            if isinstance(v, dict):
                for x in v.values():
                    yield from strings(x)
            elif isinstance(v, list):
                for x in v:
                    yield from strings(x)
            elif isinstance(v, str):
                yield v
        for s in strings(json.loads(p.stdout)):
            self.assertTrue(s.strip(" \t\n\u00a0\u2009\u2003\u3000\ufeff"), repr(s))


class BlankFields(IntakeTest):
    def setUp(self):
        super().setUp()
        self.new_intake(base_answers(uses_rogaine="yes", gp_discussed="yes",
                                     gp_signoff="pending", keloid_history="yes",
                                     phone="07700 900123", acknowledged_by=None))

    @SAMPLE
    def test_a_blank_staff_name_is_refused(self):
        p = self.run_cmd("--staff", "\u00a0\u2003", "new",
                         input=pipe_lines(base_answers(first_name="Bo")))
        self.assertEqual(p.returncode, 1)
        self.assertIn("--staff: a staff name is 1 to 100 characters", p.stderr)
        env = dict(self.env, SMP_INTAKE_STAFF="\u3000")
        p = self.run_cmd("clear-flag", "1", "flag-keloid", "--reason", "seen", env=env)
        self.assertEqual(p.returncode, 1)
        self.assertIn("staff name", p.stderr)

    def test_a_blank_reason_gp_reference_and_name(self):
        p = self.run_cmd("clear-flag", "1", "flag-keloid", "--reason", "\u00a0\u200b")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--reason TEXT is required", p.stderr)
        p = self.run_cmd("signoff", "1", "--status", "obtained", "--gp", "\u2002")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("--gp", p.stderr)
        self.assertEqual(self.sql("SELECT count(*) FROM signoff"), [(0,)])
        p = self.run_cmd("signoff", "1", "--status", "obtained", "--gp", "Dr Lee",
                         "--ref", "\u00a0")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.sql("SELECT count(*) FROM signoff WHERE reference IS NULL"),
                         [(1,)])
        p = self.run_cmd("acknowledge", "1", input="\u00a0\u3000\n")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no name given", p.stderr)

    @SAMPLE
    def test_a_blank_contact_value_clears_it(self):
        p = self.run_cmd("contact", "1", "--phone", "\u00a0")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIsNone(self.export()[0]["client"].get("phone"))

    @SAMPLE
    def test_a_blank_studio_name_is_no_studio_name(self):
        p = self.run_cmd("config", "set", "studio_name", "\u00a0")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.run_cmd("config", "get", "studio_name").stdout, "\n")


class BlankImport(IntakeTest):
    def setUp(self):
        super().setUp()
        self.new_intake(base_answers(keloid_history="yes", hair_loss_notes="Crown"))
        self.assertEqual(self.run_cmd("clear-flag", "1", "flag-keloid", "--reason",
                                      "seen").returncode, 0)
        self.record = self.export()[0]
        self.other = dict(self.env, SMP_INTAKE_DB=os.path.join(self.tmp, "other.db"))

    def refused(self, change):
        rec = json.loads(json.dumps(self.record))
        change(rec)
        path = os.path.join(self.tmp, "in.json")
        with open(path, "w") as f:
            json.dump([rec], f)
        p = self.run_cmd("import", path, env=self.other)
        self.assertEqual(p.returncode, 1, p.stdout)
        return p.stderr

    def test_blank_texts_are_refused_by_field(self):
        def note(r):
            r["answers"]["hair_loss_notes"] = "\u00a0"

        def name(r):
            r["client"]["last_name"] = "\u3000"

        def trailing(r):
            r["client"]["last_name"] += "\u00a0"

        def ack_name(r):
            r["acknowledgement"]["typed_name"] = "\u00a0"

        def ack_staff(r):
            r["acknowledgement"]["staff"] = "\u2003"

        def reason(r):
            r["flags"][0]["reason"] = "\ufeff"

        def staff(r):
            r["staff"] = "\u00a0"

        cases = ((note, "answers.hair_loss_notes"), (name, "client.last_name"),
                 (trailing, "client.last_name"), (ack_name, "acknowledgement"),
                 (ack_staff, "acknowledgement"), (reason, "flags"), (staff, "staff"))
        for change, field in cases if not WRAPPER else cases[::3]:
            with self.subTest(change=change.__name__):
                why = self.refused(change)
                self.assertIn(field, why)
                self.assertEqual(why.count("\n"), 1, why)
