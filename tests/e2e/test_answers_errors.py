"""`new --answers FILE` errors: one line naming the key and what it
expects; never a value (it is client data), and of an unknown key (which
may be a name typed where a question id belongs) at most 32 columns, made
safe for the terminal and cut at a character."""
import json
import os

from harness import WRAPPER, IntakeTest, base_answers

MARK = "Vexmartin"


class AnswersErrors(IntakeTest):
    def run_answers(self, obj):
        path = os.path.join(self.tmp, "answers.json")
        with open(path, "w", encoding="utf-8") as f:
            f.write(obj if isinstance(obj, str) else json.dumps(obj))
        p = self.run_cmd("new", "--answers", path)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertEqual(p.stderr.count("\n"), 1, p.stderr)
        self.assertFalse(os.path.exists(self.db) and self.sql("SELECT count(*) FROM intake")[0][0])
        return p.stderr

    def good(self, **over):
        a = {k: v for k, v in base_answers().items() if v != ""}
        a.update(over)
        return {"answers": a}

    def test_a_long_unknown_key_is_cut_at_a_character(self):
        keys = ("Quillon " * 20, "é" * 60, "\u00e9" * 31 + "x" * 5, "漢字" * 30)
        for key in keys if not WRAPPER else keys[2:3]:
            with self.subTest(key=key[:10]):
                err = self.run_answers({"answers": {key: MARK}})
                quoted = err.split("'")[1]
                self.assertLessEqual(len(quoted), 32, err)
                self.assertTrue(quoted.endswith("…"), err)
                self.assertNotIn("\\x", err)  # no byte of a cut character
                self.assertNotIn(MARK, err)
        err = self.run_answers({"Quillon Vexmartin 07700 900123 born 1985": {}})
        self.assertIn("unknown key 'Quillon Vexmartin 07700 900123…'", err)
        self.assertNotIn("1985", err)

    def test_an_unknown_key_is_made_safe(self):
        err = self.run_answers({"answers": {"\x1b]52;c;QQ==\x07x": MARK}})
        self.assertNotIn("\x1b", err)
        self.assertNotIn("\x07", err)
        self.assertIn("unknown question id '\\x1b]52;c;QQ==\\x07x'", err)

    def test_no_error_quotes_a_value(self):
        # Every question, given a wrong value that carries the mark.
        bad = {
            "consent_storage": "%s yes" % MARK, "date_of_birth": "23 %s 1985" % MARK,
            "phone": "+44 %s" % MARK, "email": "%s at home" % MARK,
            "uses_rogaine": MARK, "scalp_conditions": "psoriasis, %s" % MARK,
            "planned_session_date": MARK, "first_name": "Ana\x1b%s" % MARK,
            "hair_loss_notes": "x" * 4001 + MARK, "acknowledged_by": "%s Silva" % MARK,
            "pregnant_or_breastfeeding": MARK,
        }
        cases = list(bad.items())
        if WRAPPER:
            cases = cases[:3]
        for qid, value in cases:
            with self.subTest(qid=qid):
                err = self.run_answers(self.good(**{qid: value}))
                self.assertNotIn(MARK, err)
                self.assertIn(qid, err)
        for value in ([MARK], {"x": MARK}, 3.5)[:3 if not WRAPPER else 1]:
            with self.subTest(value=value):
                err = self.run_answers(self.good(first_name=value))
                self.assertNotIn(MARK, err)
                self.assertIn("first_name", err)
        err = self.run_answers('{"answers": {"first_name": "%s\\u0000"}}' % MARK)
        self.assertIn("'first_name' holds a NUL character", err)
        self.assertNotIn(MARK, err)
