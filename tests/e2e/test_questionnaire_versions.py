"""`questionnaire --version V`: every questionnaire version ever issued can
be printed (text and FHIR), so that each QuestionnaireResponse's
"questionnaire" (url|version) names a Questionnaire one can get: an intake
taken under 2026.1 (release 0.1.0) points at 2026.1.  Each version is
checked against the FHIR R4 schema as test_fhir.py checks the current one."""
import copy
import json
import os

from harness import ROOT, WRAPPER, IntakeTest
from test_fhir import check_questionnaire, check_response, parse_text, schema_errors

VERSIONS = ["2026.1", "2026.2", "2026.3", "2026.4"]
CURRENT = VERSIONS[-1]
# Added by 2026.2 (src/questionnaire.c, added[]).
ADDED_IN_2026_2 = {"scalp_conditions", "scalp_conditions_detail", "keloid_history",
                   "blood_thinners", "blood_thinners_detail", "allergies", "allergies_detail",
                   "pregnant_or_breastfeeding", "other_medication"}
ADDED_IN_2026_4 = {"hair_loss_scale", "treatment_type", "hairline_style", "consent_photos",
                   "consent_marketing"}
RELEASE_2026_1 = os.path.join(ROOT, "tests", "e2e", "cases", "release-2026.1.json")


class QuestionnaireVersions(IntakeTest):
    def fhir(self, version):
        p = self.run_cmd("questionnaire", "--format", "fhir", "--version", version)
        self.assertEqual((p.returncode, p.stderr), (0, ""))
        return json.loads(p.stdout)

    def test_every_version_is_valid_fhir(self):
        current = self.fhir(CURRENT)
        self.assertEqual(current, json.loads(self.run_cmd("questionnaire", "--format",
                                                          "fhir").stdout))
        ids = {}
        for version in VERSIONS if not WRAPPER else VERSIONS[:1]:
            with self.subTest(version=version):
                q = self.fhir(version)
                self.assertEqual(q["version"], version)
                self.assertEqual(q["status"], "active" if version == CURRENT else "retired")
                self.assertEqual(schema_errors(q), [])
                check_questionnaire(self, dict(copy.deepcopy(q), status="active"))
                ids[version] = [i["linkId"] for i in q["item"]]
                # The text listing is the same list of questions.
                text = self.run_cmd("questionnaire", "--version", version).stdout
                v, questions = parse_text(text)
                self.assertEqual(v, version)
                self.assertEqual([x["id"] for x in questions], ids[version])
        if WRAPPER:
            return
        self.assertEqual(set(ids["2026.2"]) - set(ids["2026.1"]), ADDED_IN_2026_2)
        self.assertEqual(ids["2026.2"], ids["2026.3"])
        # 2026.4 added the assessment after hair_loss_notes (src/questionnaire.c, added[]).
        self.assertEqual(set(ids["2026.4"]) - set(ids["2026.3"]), ADDED_IN_2026_4)
        self.assertEqual([i for i in ids["2026.4"] if i not in ADDED_IN_2026_4], ids["2026.3"])
        at = ids["2026.4"].index("hair_loss_notes") + 1
        self.assertEqual(ids["2026.4"][at:at + 5], ["hair_loss_scale", "treatment_type",
                                                     "hairline_style", "consent_photos",
                                                     "consent_marketing"])
        # Worded as then: 2026.1 called it "Other medical treatment".
        texts = {i["linkId"]: i["text"] for i in self.fhir("2026.1")["item"]}
        self.assertEqual(texts["uses_other_medical"], "Other medical treatment")
        self.assertEqual(texts["uses_rogaine"], "Rogaine (minoxidil)")

    def test_a_2026_1_response_answers_the_2026_1_questionnaire(self):
        p = self.run_cmd("import", RELEASE_2026_1)
        self.assertEqual(p.returncode, 0, p.stderr)
        bundle = json.loads(self.run_cmd("export", "--format", "fhir").stdout)
        q = self.fhir("2026.1")
        for entry in bundle["entry"]:
            r = entry["resource"]
            self.assertEqual(r["questionnaire"], q["url"] + "|2026.1")
            check_response(self, q, r)
            linked = {i["linkId"] for i in r["item"]}
            self.assertLessEqual(linked, {i["linkId"] for i in q["item"]})

    def test_an_unknown_version_is_one_line_naming_the_known_ones(self):
        for args in (["--format", "fhir", "--version", "2025.9"], ["--version", "x" * 300],
                     ["--version", ""]):
            with self.subTest(args=args[-1][:10]):
                p = self.run_cmd("questionnaire", *args)
                self.assertEqual(p.returncode, 2)
                self.assertEqual(p.stdout, "")
                self.assertEqual(p.stderr.count("\n"), 1, p.stderr)
                self.assertIn("(the versions are 2026.1, 2026.2, 2026.3, 2026.4)", p.stderr)
                self.assertLess(len(p.stderr), 200)
