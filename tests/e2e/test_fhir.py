"""The FHIR R4 output: `smp-intake questionnaire --format fhir` (the
Questionnaire) and `export --format fhir` (a collection Bundle of
QuestionnaireResponse resources), validated against the official FHIR R4
JSON schema (fetched by `make test-deps`, tests/fhir-schema.sh) and checked
for the FHIR invariants the schema cannot express; the responses compared
field by field with the database read directly through sqlite3: the
answers, and the consultation record (contained Flag resources, the
acknowledgement and the advice version as extensions, each response's
own questionnaire version).

The schema is big and slow to apply (about a second per response), so the
bundle is made once per class and kept small."""
import datetime
import functools
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
import uuid

from harness import (BIN, ORDER, ROOT, TIMEOUT, TREATMENTS, WRAPPER, applies, base_answers,
                     pipe_lines, today)
from test_docs import question_ids
from test_pipe_intake import PipeTest

SCHEMA = os.path.join(ROOT, "build", "fhir", "fhir.schema.json")
SCHEMA_SHA256 = "312220513e73ee78d57422024878b07200e39fc86aa37d096dd4206ff7402aed"

# Our canonical names, as docs/export.md gives them.
BASE = "http://smp-intake.invalid/fhir/"
QUESTIONNAIRE_URL = BASE + "Questionnaire/smp-intake-consultation"
CODESYSTEM = BASE + "CodeSystem/"
CLIENT_ID_SYSTEM = BASE + "client-id"
FLAG_SYSTEM = BASE + "CodeSystem/screening-flag"
EXT = BASE + "StructureDefinition/"
RELEASE_2026_1 = os.path.join(ROOT, "tests", "e2e", "cases", "release-2026.1.json")
EXPORT_MD = os.path.join(ROOT, "docs", "export.md")

# The answer type of each question, written down here, not asked of the
# program: FHIR item type and the answer's value[x].
BOOLEAN = {"consent_storage", "uses_rogaine", "uses_propecia", "uses_other_topical",
           "uses_other_medical", "gp_discussed", "keloid_history", "blood_thinners", "allergies",
           "wants_root_cause_help", "consent_photos", "consent_marketing"}
DATES = {"date_of_birth", "rogaine_since", "gp_signoff_date", "planned_session_date"}
CHOICE = {"rogaine_form", "propecia_form", "gp_signoff", "scalp_conditions",
          "pregnant_or_breastfeeding", "hair_loss_scale", "treatment_type"}
SEVERAL = {"scalp_conditions"}  # a choice that repeats
NOTES = {"hair_loss_notes", "other_topical_products", "other_medical_products",
         "scalp_conditions_detail", "blood_thinners_detail", "allergies_detail",
         "other_medication"}
# The questions questionnaire 2026.2 added: an intake of 2026.1 has none.
# The assessment questionnaire 2026.4 added: an older intake has none.
ADDED_IN_2026_4 = {"hair_loss_scale", "treatment_type", "hairline_style", "consent_photos",
                   "consent_marketing"}
ADDED_IN_2026_2 = {"scalp_conditions", "scalp_conditions_detail", "keloid_history",
                   "blood_thinners", "blood_thinners_detail", "allergies", "allergies_detail",
                   "pregnant_or_breastfeeding", "other_medication"}
# The flags, in the order of the flag table: the question behind each, the
# answers that leave it down, and its title (docs/advice.md).
FLAG_RULES = [("flag-scalp-condition", "scalp_conditions", {"none"}, "Scalp condition"),
              ("flag-keloid", "keloid_history", {"no"}, "Keloid scars"),
              ("flag-blood-thinners", "blood_thinners", {"no"}, "Blood thinners"),
              ("flag-allergy", "allergies", {"no"}, "Allergies"),
              ("flag-pregnancy", "pregnant_or_breastfeeding", {"no", "not_applicable"},
               "Pregnancy or breastfeeding")]
CLIENT_FIELDS = ["first_name", "last_name", "date_of_birth", "phone", "email"]
TEXT_TYPES = {"yes/no": "boolean", "date": "date", "choice": "choice", "notes": "text",
              "text": "string", "email": "string", "phone": "string"}
VALUE_KEY = {"boolean": "valueBoolean", "date": "valueDate", "choice": "valueCoding",
             "string": "valueString", "text": "valueString"}

# White space FHIR's string pattern [ \r\n\t\S]+ refuses: Python's and
# ECMAScript's \s, less space, tab, CR and LF.
UNFIT = set(range(0x20)) - {0x09, 0x0a, 0x0d} | {
    0x85, 0xa0, 0x1680, *range(0x2000, 0x200b), 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff}


def fhir_string(raw):
    """What the FHIR output holds for stored text (bytes): unfit characters
    as spaces, a byte that is not UTF-8 as U+FFFD (the tests store only
    single bad bytes, where Python's "replace" gives one U+FFFD per byte
    as the program does)."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return "".join(" " if ord(c) in UNFIT else c for c in text)


@functools.lru_cache(maxsize=None)
def validator():
    """A Draft6Validator of the FHIR R4 schema, built once per run; an
    AssertionError (a failure, never a skip) when the schema is missing."""
    import jsonschema
    if not os.path.exists(SCHEMA):
        raise AssertionError("the FHIR R4 schema %s is missing: run `make test-deps` "
                             "(tests/fhir-schema.sh fetches it)" % SCHEMA)
    with open(SCHEMA, "rb") as f:
        data = f.read()
    if hashlib.sha256(data).hexdigest() != SCHEMA_SHA256:
        raise AssertionError("%s is not the expected file (SHA-256): remove it and run "
                             "`make test-deps`" % SCHEMA)
    schema = json.loads(data)
    # The file is FHIR 4.0.1's fhir.schema.json with Medplum's own resource
    # types added; theirs refer to a "Resource" definition the file lacks.
    # FHIR's own types use ResourceList there: so does this.  It matters
    # only when a resource fails and every alternative is tried.
    schema["definitions"].setdefault("Resource", {"$ref": "#/definitions/ResourceList"})
    definitions = schema["definitions"]

    def kind(alternative):
        """The resourceType an alternative of a oneOf demands, or None."""
        ref = alternative.get("$ref", "") if isinstance(alternative, dict) else ""
        if not ref.startswith("#/definitions/"):
            return None
        const = definitions.get(ref[len("#/definitions/"):], {}).get("properties", {})
        return const.get("resourceType", {}).get("const")

    def one_of(v, alternatives, instance, subschema):
        # Any resource is checked against a oneOf of every resource type
        # (about 200), each tried in full, nested resources again: seconds
        # per resource.  An alternative that demands another resourceType
        # can never hold (its "const" fails), so leaving it out changes no
        # verdict; the rest, those without one too, are tried as ever.
        if isinstance(instance, dict) and isinstance(instance.get("resourceType"), str):
            alternatives = [a for a in alternatives
                            if kind(a) in (None, instance["resourceType"])]
        yield from one_of_in_full(v, alternatives, instance, subschema)

    one_of_in_full = jsonschema.Draft6Validator.VALIDATORS["oneOf"]
    fhir = jsonschema.validators.extend(jsonschema.Draft6Validator, {"oneOf": one_of})
    return fhir(schema)


def schema_errors(doc):
    return ["%s: %s" % ("/".join(map(str, e.absolute_path)), e.message[:200])
            for e in validator().iter_errors(doc)]


def parse_text(out):
    """`questionnaire --format text` as (version, [question dicts])."""
    m = re.match(r"smp-intake questionnaire, version (\S+): (\d+) questions, in the order "
                 r"asked\n", out)
    assert m, out[:200]
    version, count = m.group(1), int(m.group(2))
    questions = []
    for block in out[m.end():].strip("\n").split("\n\n"):
        lines = block.split("\n")
        h = re.match(r"^ ?(\d+)\. ([a-z0-9_]+): ([a-z/]+), (required|optional)"
                     r"(?:, default (\S+))?$", lines[0])
        assert h, lines[0]
        q = {"n": int(h.group(1)), "id": h.group(2), "type": h.group(3),
             "required": h.group(4) == "required", "default": h.group(5),
             "prompt": lines[1][4:], "choices": None}
        rest = lines[2:]
        q["several"] = False
        for head, several in (("    choices: ", False),
                              ("    choices (several, comma-separated): ", True)):
            if rest and rest[0].startswith(head):
                q["choices"] = rest.pop(0)[len(head):].split(", ")
                q["several"] = several
        assert len(rest) == 1 and rest[0].startswith("    asked: "), block
        q["asked"] = rest[0][len("    asked: "):]
        questions.append(q)
    assert [q["n"] for q in questions] == list(range(1, count + 1)), out
    return version, questions


def text_view(q):
    """A question of the text listing in comparable form."""
    asked = q["asked"]
    if asked == "always":
        cond = None
    elif asked.startswith("when any of "):
        names = asked[len("when any of "):-len(" is yes")].split(", ")
        cond = ("any", tuple((n, "yes") for n in names))
    else:
        # "includes" (several choices) is FHIR's "=" on a question that repeats.
        m = re.match(r"^when ([a-z0-9_]+) (?:is|includes) (\S+)$", asked)
        assert m, asked
        cond = ("all", ((m.group(1), m.group(2)),))
    return (q["id"], TEXT_TYPES[q["type"]], q["required"], q["prompt"],
            tuple(q["choices"] or ()), q["default"], cond, q["several"])


def fhir_view(item):
    """A Questionnaire item in the same form as text_view()."""
    codes = tuple(o["valueCoding"]["code"] for o in item.get("answerOption", []))
    default = None
    for o in item.get("answerOption", []):
        if o.get("initialSelected"):
            default = o["valueCoding"]["code"]
    for init in item.get("initial", []):
        v = init.get("valueBoolean", init.get("valueString", init.get("valueDate")))
        default = {True: "yes", False: "no"}.get(v, v) if isinstance(v, bool) else v
    cond = None
    if "enableWhen" in item:
        terms = []
        for c in item["enableWhen"]:
            if "answerBoolean" in c:
                terms.append((c["question"], "yes" if c["answerBoolean"] else "no"))
            else:
                terms.append((c["question"], c["answerCoding"]["code"]))
        cond = (item.get("enableBehavior", "all"), tuple(terms))
    return (item["linkId"], item["type"], item["required"], item["text"], codes, default, cond,
            item.get("repeats", False))


def check_questionnaire(t, q):
    """The Questionnaire invariants (que-*) and our choices of shape."""
    t.assertEqual(q["resourceType"], "Questionnaire")
    t.assertEqual(q["url"], QUESTIONNAIRE_URL)
    t.assertEqual(q["status"], "active")
    t.assertRegex(q["name"], r"^[A-Z]([A-Za-z0-9_]){0,254}$")  # que-0
    t.assertTrue(q["title"])
    items = q["item"]
    ids = [i["linkId"] for i in items]
    t.assertEqual(len(ids), len(set(ids)))  # que-2
    by_id = {i["linkId"]: i for i in items}
    for pos, it in enumerate(items):
        with t.subTest(linkId=it["linkId"]):
            t.assertIn(it["type"], ("boolean", "date", "string", "text", "choice"))
            t.assertNotIn("item", it)
            t.assertEqual(it.get("repeats", False), it["linkId"] in SEVERAL)
            if "repeats" in it:
                t.assertIs(it["repeats"], True)
            if it["type"] == "choice":  # que-4, que-11
                opts = it["answerOption"]
                codes = [o["valueCoding"]["code"] for o in opts]
                t.assertEqual(len(codes), len(set(codes)))
                for o in opts:
                    t.assertEqual(o["valueCoding"]["system"], CODESYSTEM + it["linkId"])
                t.assertNotIn("initial", it)
                t.assertLessEqual(sum(1 for o in opts if o.get("initialSelected")), 1)
            else:
                t.assertNotIn("answerOption", it)
            if "maxLength" in it:  # que-10
                t.assertIn(it["type"], ("string", "text"))
                t.assertIsInstance(it["maxLength"], int)
            t.assertLessEqual(len(it.get("initial", [])), 1)  # que-13
            for init in it.get("initial", []):
                t.assertEqual(list(init), [VALUE_KEY[it["type"]]])
            conds = it.get("enableWhen", [])
            t.assertEqual("enableBehavior" in it, len(conds) > 1)  # que-12
            for c in conds:
                t.assertIn(c["question"], ids[:pos])  # asked before
                t.assertEqual(c["operator"], "=")
                on = by_id[c["question"]]
                answer_keys = [k for k in c if k.startswith("answer")]
                want = {"boolean": "answerBoolean", "choice": "answerCoding"}[on["type"]]
                t.assertEqual(answer_keys, [want])
                if want == "answerCoding":
                    t.assertIn(c["answerCoding"]["code"],
                               [o["valueCoding"]["code"] for o in on["answerOption"]])
                    t.assertEqual(c["answerCoding"]["system"], CODESYSTEM + on["linkId"])


def enabled(qitem, answers):
    """FHIR's enableWhen for a Questionnaire item, given a response's
    answers (linkId -> its list of answer objects)."""
    results = []
    for c in qitem.get("enableWhen", []):
        a = answers.get(c["question"])
        if a is None:
            results.append(False)
        elif "answerBoolean" in c:
            results.append(any(x.get("valueBoolean") is c["answerBoolean"] for x in a))
        else:
            # "=" on an item that repeats: any of its answers
            results.append(any(
                ((x.get("valueCoding") or {}).get("system"),
                 (x.get("valueCoding") or {}).get("code")) ==
                (c["answerCoding"]["system"], c["answerCoding"]["code"]) for x in a))
    if not results:
        return True
    return any(results) if qitem.get("enableBehavior") == "any" else all(results)


def check_response(t, q, r):
    """A QuestionnaireResponse against the Questionnaire: known linkIds in
    its order, the item's answer type, choices among the options (several
    only where the item repeats), items only when enabled, every enabled
    required item answered (of the questions its own version asked); every
    contained resource referred to from the response (dom-3)."""
    url, version = r["questionnaire"].split("|")
    t.assertEqual(url, q["url"])
    t.assertIn(version, ("2026.1", q["version"]))
    t.assertIn(r["status"], ("completed", "amended"))
    patient, flags = r["contained"][0], r["contained"][1:]
    t.assertEqual(patient["resourceType"], "Patient")
    t.assertEqual(r["subject"], {"reference": "#" + patient["id"]})
    refs = [e["valueReference"]["reference"] for e in r.get("extension", [])
            if e["url"] == EXT + "screening-flag"]
    t.assertEqual(refs, ["#" + f["id"] for f in flags])  # dom-3
    ids = [c["id"] for c in r["contained"]]
    t.assertEqual(len(ids), len(set(ids)))
    for f in flags:
        t.assertEqual(f["resourceType"], "Flag")
        t.assertIn(f["status"], ("active", "inactive"))
        t.assertEqual(f["subject"], {"reference": "#" + patient["id"]})
        t.assertEqual(f["code"]["coding"][0]["system"], FLAG_SYSTEM)
        t.assertEqual(f["code"]["coding"][0]["code"], f["id"])
        # a clearance exactly when inactive
        t.assertEqual(f["status"] == "inactive", "extension" in f)
    for c in r["contained"]:
        t.assertNotIn("contained", c)  # dom-2
    for e in r.get("extension", []):  # ext-1: a value or parts, never both
        t.assertEqual(len([k for k in e if k.startswith("value")]) + ("extension" in e), 1)
    qitems = {i["linkId"]: i for i in q["item"]}
    order = [i["linkId"] for i in q["item"]]
    links = [i["linkId"] for i in r["item"]]
    for link in links:
        t.assertIn(link, qitems, "unknown linkId")
    t.assertEqual(links, sorted(links, key=order.index), "not in the questionnaire's order")
    t.assertEqual(len(links), len(set(links)))
    answers = {}
    for it in r["item"]:
        qi = qitems[it["linkId"]]
        t.assertEqual(set(it), {"linkId", "answer"})  # qrs-1: no nested items
        if not qi.get("repeats"):
            t.assertEqual(len(it["answer"]), 1)  # qrs-2: only an item that repeats
        t.assertGreaterEqual(len(it["answer"]), 1)
        for a in it["answer"]:
            key = VALUE_KEY[qi["type"]]
            t.assertEqual(list(a), [key], it["linkId"])
            if key == "valueBoolean":
                t.assertIsInstance(a[key], bool)
            if key == "valueCoding":
                options = [(o["valueCoding"]["system"], o["valueCoding"]["code"])
                           for o in qi["answerOption"]]
                t.assertIn((a[key]["system"], a[key]["code"]), options, it["linkId"])
        answers[it["linkId"]] = it["answer"]
    for link, qi in qitems.items():
        on = enabled(qi, answers)
        if link in answers:
            t.assertTrue(on, "%s is answered but not enabled" % link)
        elif qi["required"] and not (version == "2026.1" and link in ADDED_IN_2026_2) \
                and not (version != "2026.4" and link in ADDED_IN_2026_4):
            t.assertFalse(on, "%s is required and enabled but not answered" % link)


def check_course_resource(t, r, intake_url, seen):
    """A resource of an intake's course (docs/export.md, "The course in
    FHIR"): after its intake's response (intake_url) and in the order
    Procedure, Media, Consent; the contained Patient as subject; our
    consultation extension naming the response; a Media part of a
    Procedure already in the Bundle (seen: the fullUrls so far) and never
    with the image bytes; a Consent active or inactive, permit or deny."""
    t.assertIsNotNone(intake_url, "a %s before any response" % r["resourceType"])
    t.assertEqual([c["resourceType"] for c in r["contained"]], ["Patient"])
    t.assertEqual(r["contained"][0]["id"], "client")
    t.assertEqual(r["subject" if r["resourceType"] != "Consent" else "patient"],
                  {"reference": "#client"})  # dom-3: the Patient referred to
    consult = [e for e in r["extension"] if e["url"] == EXT + "consultation"]
    t.assertEqual([e["valueReference"]["reference"] for e in consult], [intake_url])
    t.assertEqual(r["identifier"], [{"system": "urn:ietf:rfc:3986",
                                     "value": "urn:uuid:" + r["id"]}])
    if r["resourceType"] == "Media":
        for part in r.get("partOf", []):
            t.assertIn(part["reference"], seen)
        t.assertEqual(r["status"], "completed")
        t.assertNotIn("data", r["content"])
        t.assertNotIn("url", r["content"])
        t.assertNotIn("hash", r["content"])  # R4's hash is SHA-1: ours is an extension
        [sha] = [e["valueString"] for e in r["content"]["extension"]
                 if e["url"] == EXT + "sha256"]
        t.assertRegex(sha, r"^[0-9a-f]{64}$")
    elif r["resourceType"] == "Consent":
        t.assertIn(r["status"], ("active", "inactive"))
        t.assertIn(r["provision"]["type"], ("permit", "deny"))
        t.assertIn("policyRule", r)  # ppc-1
        t.assertEqual(r["scope"]["coding"][0]["code"], "patient-privacy")
        if "sourceReference" in r:
            t.assertEqual(r["sourceReference"], {"reference": intake_url})
    else:
        t.assertEqual(r["resourceType"], "Procedure")


def check_bundle(t, q, bundle):
    t.assertEqual(bundle["resourceType"], "Bundle")
    t.assertEqual(bundle["type"], "collection")
    t.assertRegex(bundle["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    for absent in ("total", "link"):  # bdl-1
        t.assertNotIn(absent, bundle)
    entries = bundle.get("entry", [])
    urls = [e["fullUrl"] for e in entries]
    t.assertEqual(len(urls), len(set(urls)))  # bdl-7
    order = {"Procedure": 1, "Media": 2, "Consent": 3}
    intake_url, last, seen = None, 0, set()
    for e in entries:
        t.assertEqual(set(e), {"fullUrl", "resource"})  # bdl-2..4: no search, request
        t.assertEqual(e["fullUrl"], "urn:uuid:" + e["resource"]["id"])
        kind = e["resource"]["resourceType"]
        if kind == "QuestionnaireResponse":
            check_response(t, q, e["resource"])
            intake_url, last = e["fullUrl"], 0
        else:
            check_course_resource(t, e["resource"], intake_url, seen)
            t.assertGreaterEqual(order[kind], last, "%s out of order" % kind)
            last = order[kind]
        seen.add(e["fullUrl"])


def responses(bundle):
    """The Bundle's QuestionnaireResponse entries, one an intake."""
    return [e for e in bundle.get("entry", [])
            if e["resource"]["resourceType"] == "QuestionnaireResponse"]


def read_intakes(db):
    """Every intake with its client and answers, read with sqlite3 (text as
    stored, in bytes, decoded as fhir_string() does)."""
    con = sqlite3.connect(db)
    con.text_factory = bytes
    try:
        rows = con.execute(
            "SELECT i.id, i.uuid, i.taken_at, i.staff, i.revision, c.id, c.first_name, "
            "c.last_name, c.date_of_birth, c.phone, c.email, i.questionnaire_version, "
            "i.advice_version FROM intake i "
            "JOIN client c ON c.id = i.client_id ORDER BY i.id").fetchall()
        answers = con.execute("SELECT intake_id, question_id, value FROM answer").fetchall()
        acks = {r[0]: r[1:] for r in con.execute(
            "SELECT a.intake_id, a.typed_name, a.at, a.staff, a.sheet FROM acknowledgement a "
            "JOIN intake i ON i.id = a.intake_id AND i.acknowledged_sheet = a.sheet")}
        cleared = con.execute("SELECT intake_id, flag_id, reason, staff, at "
                              "FROM flag_clearance").fetchall()
    finally:
        con.close()
    out = []
    for row in rows:
        d = [v.decode("utf-8", "replace") if isinstance(v, bytes) else v for v in row]
        a = {qid.decode(): value for iid, qid, value in answers if iid == row[0]}
        for name, raw in zip(CLIENT_FIELDS, row[6:11]):
            if raw is not None:
                a[name] = raw
        out.append({"id": d[0], "uuid": d[1], "taken_at": d[2], "staff": row[3],
                    "revision": d[4], "client_id": d[5], "answers": a,
                    "questionnaire_version": d[11], "advice_version": d[12],
                    "ack": acks.get(row[0]),
                    "cleared": {f.decode(): rest for iid, f, *rest in cleared
                                if iid == row[0]}})
    return out


def expected_entry(row):
    """The Bundle entry an intake must give, built from the database row."""
    a = row["answers"]
    text = lambda k: fhir_string(a[k])
    patient = {"resourceType": "Patient", "id": "client",
               "identifier": [{"system": CLIENT_ID_SYSTEM, "value": str(row["client_id"])}],
               "name": [{"family": text("last_name"), "given": [text("first_name")]}],
               "birthDate": text("date_of_birth")}
    telecom = [{"system": s, "value": text(s)} for s in ("phone", "email") if a.get(s)]
    if telecom:
        patient["telecom"] = telecom
    items = []
    for qid in ORDER:
        if not a.get(qid):
            continue
        v = fhir_string(a[qid])
        if qid in BOOLEAN:
            value = {"valueBoolean": v == "yes"}
        elif qid in DATES:
            value = {"valueDate": v}
        elif qid in SEVERAL:
            items.append({"linkId": qid, "answer": [
                {"valueCoding": {"system": CODESYSTEM + qid, "code": c, "display": c}}
                for c in v.split(",")]})
            continue
        elif qid in CHOICE:
            value = {"valueCoding": {"system": CODESYSTEM + qid, "code": v, "display": v}}
        else:
            value = {"valueString": v}
        items.append({"linkId": qid, "answer": [value]})
    contained, extensions = [patient], []
    for flag, qid, quiet, title in FLAG_RULES:
        if a.get(qid) is None or fhir_string(a[qid]) in quiet:
            continue
        f = {"resourceType": "Flag", "id": flag}
        if flag in row["cleared"]:
            reason, by, at = (fhir_string(x) for x in row["cleared"][flag])
            f["extension"] = [{"url": EXT + "flag-clearance", "extension": [
                {"url": "reason", "valueString": reason},
                {"url": "clearedBy", "valueString": by},
                {"url": "clearedAt", "valueDateTime": at}]}]
        f.update(status="inactive" if flag in row["cleared"] else "active",
                 code={"coding": [{"system": FLAG_SYSTEM, "code": flag, "display": title}],
                       "text": title},
                 subject={"reference": "#client"})
        contained.append(f)
        extensions.append({"url": EXT + "screening-flag",
                           "valueReference": {"reference": "#" + flag}})
    extensions.append({"url": EXT + "advice-version", "valueString": row["advice_version"]})
    if row["ack"]:
        name, at, staff, sheet = row["ack"]
        extensions.append({"url": EXT + "acknowledgement", "extension": [
            {"url": "typedName", "valueString": fhir_string(name)},
            {"url": "at", "valueDateTime": fhir_string(at)},
            {"url": "staff", "valueString": fhir_string(staff)},
            {"url": "sheet", "valuePositiveInt": sheet}]})
    urn = "urn:uuid:" + row["uuid"]
    return {"fullUrl": urn, "resource": {
        "resourceType": "QuestionnaireResponse", "id": row["uuid"], "contained": contained,
        "extension": extensions,
        "identifier": {"system": "urn:ietf:rfc:3986", "value": urn},
        "questionnaire": QUESTIONNAIRE_URL + "|" + row["questionnaire_version"],
        "status": "amended" if row["revision"] > 1 else "completed",
        "subject": {"reference": "#client"}, "authored": row["taken_at"],
        "author": {"display": fhir_string(row["staff"])}, "item": items}}


def run(env, *args, input=b""):
    """The binary through pipes, outside a test's own setUp (for the fixtures
    a class makes once)."""
    p = subprocess.run(WRAPPER + [BIN, *args], input=input, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env, timeout=TIMEOUT * 3)
    assert p.returncode != 99 or not WRAPPER, "valgrind reported errors:\n%s" % p.stderr.decode()
    assert p.returncode == 0, (args, p.stderr.decode())
    return p.stdout.decode()


class Fixture(PipeTest):
    """A class whose binary runs are made once, by make(), into
    cls.fixture; the folder it used is removed after the class."""
    fixture = None
    fixture_dir = None

    @classmethod
    def tearDownClass(cls):
        if cls.fixture_dir:
            shutil.rmtree(cls.fixture_dir, ignore_errors=True)
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        cls = type(self)
        if cls.fixture is None:
            cls.fixture_dir = tempfile.mkdtemp(prefix="smp-fhir-")
            env = dict(self.env, SMP_INTAKE_DB=os.path.join(cls.fixture_dir, "intake.db"))
            cls.fixture = self.make(env)


class FhirQuestionnaire(Fixture):
    def make(self, env):
        text = run(env, "questionnaire")
        self.assertEqual(run(env, "questionnaire", "--format", "text"), text)
        return {"text": text, "fhir": json.loads(run(env, "questionnaire", "--format", "fhir"))}

    def test_questionnaire_is_valid_fhir_r4(self):
        q = self.fixture["fhir"]
        self.assertEqual(schema_errors(q), [])
        check_questionnaire(self, q)
        version, _ = parse_text(self.fixture["text"])
        self.assertEqual(q["version"], version)
        self.assertEqual(q["subjectType"], ["Patient"])

    def test_text_and_fhir_list_the_same_questions(self):
        version, questions = parse_text(self.fixture["text"])
        items = self.fixture["fhir"]["item"]
        from_text = [text_view(q) for q in questions]
        from_fhir = [fhir_view(i) for i in items]
        # both ways: every question of each is in the other, the same
        for t in from_text:
            with self.subTest(question=t[0]):
                self.assertIn(t, from_fhir)
        for f in from_fhir:
            with self.subTest(item=f[0]):
                self.assertIn(f, from_text)
        self.assertEqual(from_text, from_fhir)
        # and they are the program's questions, in the order asked
        self.assertEqual([q["id"] for q in questions], question_ids())
        self.assertEqual([q["id"] for q in questions], ORDER)
        types = {q["id"]: TEXT_TYPES[q["type"]] for q in questions}
        self.assertEqual({k for k, v in types.items() if v == "boolean"}, BOOLEAN)
        self.assertEqual({k for k, v in types.items() if v == "date"}, DATES)
        self.assertEqual({k for k, v in types.items() if v == "choice"}, CHOICE)
        self.assertEqual({k for k, v in types.items() if v == "text"}, NOTES)
        any_treatment = [q for q in questions if q["asked"].startswith("when any of")]
        self.assertEqual([q["id"] for q in any_treatment], ["gp_discussed"])
        self.assertEqual(any_treatment[0]["asked"],
                         "when any of %s is yes" % ", ".join(TREATMENTS))

    def test_docs_name_the_canonical_urls_and_version(self):
        version, _ = parse_text(self.fixture["text"])
        with open(EXPORT_MD, encoding="utf-8") as f:
            doc = f.read()
        for must in (QUESTIONNAIRE_URL, CODESYSTEM, CLIENT_ID_SYSTEM, "`%s`" % version):
            self.assertTrue(must in doc, "docs/export.md does not name %s" % must)

    def test_usage_errors(self):
        for argv, message in (
                (["questionnaire", "--format", "xml"], "unknown format 'xml' (text or fhir)"),
                (["questionnaire", "extra"], "takes no arguments"),
                (["questionnaire", "--bogus"], "unknown option"),
                (["export", "--format", "xml"], "choose json, ndjson, csv or fhir")):
            with self.subTest(argv=argv):
                p = self.run_cmd(*argv)
                self.assert_one_line_error(p, 2)
                self.assertIn(message, p.stderr)
                self.assertEqual(p.stdout, "")


class FhirBundle(Fixture):
    """Five intakes: everything answered (screening flags raised, one
    cleared, the advice acknowledged), nothing optional, a treatment not
    discussed with the GP, a declined sign-off, and one amended by a later
    sign-off (acknowledged before it); then names and notes with escapes,
    controls, Unicode spaces and a byte that is not UTF-8 written straight
    into the file; and two intakes of questionnaire 2026.1 imported from
    release 0.1.0's export."""

    def make(self, env):
        day = lambda n: (today() + datetime.timedelta(days=n)).isoformat()
        full = base_answers(
            first_name="Zoë", last_name='山田-O\'Neil "Jr" \\', date_of_birth="1979-02-28",
            phone="+44 (0)20 7946-0958", email="zoe.y@example.co.uk",
            hair_loss_notes='crown\t"patchy" \u2014 3 yrs', uses_rogaine="yes",
            rogaine_form="solution", rogaine_since=day(-400), uses_propecia="yes",
            propecia_form="topical", uses_other_topical="yes",
            other_topical_products="Nizoral 2%", uses_other_medical="yes",
            other_medical_products="spironolactone", gp_discussed="yes",
            gp_signoff="obtained", gp_name="Dr Ngozi Okafor", gp_signoff_date=day(-3),
            scalp_conditions="eczema, sunburn, other", scalp_conditions_detail="scaly edge",
            keloid_history="yes", blood_thinners="yes", blood_thinners_detail="aspirin",
            allergies="no", pregnant_or_breastfeeding="no", other_medication="Vitamin D",
            acknowledged_by='zoë 山田-O\'Neil "Jr" \\',
            wants_root_cause_help="yes", planned_session_date=day(30))
        intakes = [
            (["--staff", "Kim Ødegård"], full),
            ([], base_answers(first_name="Bea", last_name="Rowe", acknowledged_by=None)),
            ([], base_answers(first_name="Cy", last_name="Tan", email="cy@example.com",
                              uses_rogaine="yes", gp_discussed="no", acknowledged_by=None)),
            ([], base_answers(first_name="Di", last_name="Ng", phone="07700 900123",
                              uses_other_medical="yes", other_medical_products="oral min",
                              gp_discussed="yes", gp_signoff="declined",
                              acknowledged_by=None)),
            ([], base_answers(first_name="Ed", last_name="Po", uses_propecia="yes",
                              gp_discussed="yes", gp_signoff="pending",
                              acknowledged_by="Ed Po")),
        ]
        for extra, answers in intakes:
            run(env, *extra, "new", input=pipe_lines(answers).encode())
        run(env, "signoff", "5", "--status", "obtained", "--gp", "Dr Patel", "--date",
            day(0))
        run(env, "clear-flag", "1", "flag-keloid", "--reason", "Test\u00a0area: flat")
        con = sqlite3.connect(env["SMP_INTAKE_DB"])
        with con:
            con.execute("UPDATE client SET first_name = ?, last_name = CAST(? AS TEXT) "
                        "WHERE id = 2", ("Bea\x1b[31m\u00a0Ann\x01", b"Rowe\xff"))
            con.execute("UPDATE intake SET staff = ? WHERE id = 2", ('Sam "S" \\ \u2028Li',))
            con.execute("UPDATE answer SET value = ? WHERE intake_id = 4 AND "
                        "question_id = 'other_medical_products'", ("oral\u3000min\nsince\u000c",))
        con.close()
        run(env, "import", RELEASE_2026_1)
        bundle = json.loads(run(env, "export", "--format", "fhir"))
        return {"bundle": bundle, "responses": responses(bundle),
                "questionnaire": json.loads(run(env, "questionnaire", "--format", "fhir")),
                "db": env["SMP_INTAKE_DB"]}

    def test_bundle_is_valid_fhir_r4(self):
        bundle = self.fixture["bundle"]
        # Each intake of the assessment's questions gave its two consents
        # (photos yes, marketing no): two Consents after its response.
        self.assertEqual([e["resource"]["resourceType"] for e in bundle["entry"]],
                         ["QuestionnaireResponse", "Consent", "Consent"] * 5
                         + ["QuestionnaireResponse"] * 2)
        self.assertEqual(schema_errors(bundle), [])
        check_bundle(self, self.fixture["questionnaire"], bundle)

    def test_consents_given_at_the_assessment(self):
        rows = read_intakes(self.fixture["db"])
        con = sqlite3.connect(self.fixture["db"])
        try:
            stored = con.execute("SELECT c.kind, c.value, c.at, c.staff, i.uuid FROM consent c "
                                 "JOIN intake i ON i.id = c.intake_id ORDER BY c.id").fetchall()
        finally:
            con.close()
        consents = [e for e in self.fixture["bundle"]["entry"]
                    if e["resource"]["resourceType"] == "Consent"]
        self.assertEqual(len(consents), len(stored))
        self.assertEqual(len(stored), 10)
        words = {"photos": "Photos kept in the client's record",
                 "marketing": "Photos used for the studio's marketing"}
        for n, (e, (kind, value, at, staff, intake)) in enumerate(zip(consents, stored)):
            r = e["resource"]
            with self.subTest(consent=n):
                self.assertEqual(r["category"], [{"coding": [
                    {"system": CODESYSTEM + "photo-consent", "code": kind,
                     "display": words[kind]}], "text": words[kind]}])
                self.assertEqual(r["provision"], {"type": "permit" if value == "yes"
                                                  else "deny"})
                # Each client's only row of its kind: the one that counts.
                self.assertEqual(r["status"], "active")
                self.assertEqual((r["dateTime"], r["performer"]),
                                 (at, [{"display": fhir_string(staff)}]))
                self.assertEqual(r["sourceReference"], {"reference": "urn:uuid:" + intake})
                # The id is made from the intake's UUID and the row's place.
                self.assertEqual(r["id"], str(uuid.uuid5(
                    uuid.NAMESPACE_URL, "%sConsent/%s/%d" % (BASE, intake, n % 2 + 1))))
        self.assertEqual([(r["uuid"], r["answers"]["consent_photos"]) for r in rows[:5]],
                         [(r["uuid"], b"yes") for r in rows[:5]])

    def test_each_response_equals_the_database(self):
        rows = read_intakes(self.fixture["db"])
        entries = self.fixture["responses"]
        self.assertEqual(len(entries), len(rows))
        for row, entry in zip(rows, entries):
            with self.subTest(intake=row["id"]):
                self.assertEqual(entry, expected_entry(row))
        # what the hostile text became, spelled out
        r = {e["resource"]["id"]: e["resource"] for e in entries}
        two = r[rows[1]["uuid"]]
        self.assertEqual(two["contained"][0]["name"],
                         [{"family": "Rowe\ufffd", "given": ["Bea [31m Ann "]}])
        self.assertEqual(two["author"], {"display": 'Sam "S" \\  Li'})
        one = r[rows[0]["uuid"]]
        self.assertEqual(one["contained"][0]["name"],
                         [{"family": '山田-O\'Neil "Jr" \\', "given": ["Zoë"]}])
        self.assertEqual(one["author"], {"display": "Kim Ødegård"})
        notes = {i["linkId"]: i["answer"][0] for i in one["item"]}["hair_loss_notes"]
        self.assertEqual(notes, {"valueString": 'crown\t"patchy" \u2014 3 yrs'})
        four = {i["linkId"]: i["answer"][0] for i in r[rows[3]["uuid"]]["item"]}
        self.assertEqual(four["other_medical_products"], {"valueString": "oral min\nsince "})

    def test_conditional_questions_on_and_off(self):
        rows = read_intakes(self.fixture["db"])
        conditional = ["rogaine_form", "rogaine_since", "propecia_form",
                       "other_topical_products", "other_medical_products", "gp_discussed",
                       "gp_signoff", "gp_name", "gp_signoff_date"]
        want = [conditional,                                    # everything
                [],                                             # no treatment
                ["rogaine_form", "gp_discussed"],               # not discussed
                ["other_medical_products", "gp_discussed", "gp_signoff"],  # declined
                ["propecia_form", "gp_discussed", "gp_signoff", "gp_name",
                 "gp_signoff_date"]]                            # obtained later
        for row, entry, expect in zip(rows, self.fixture["responses"], want):
            links = [i["linkId"] for i in entry["resource"]["item"]]
            with self.subTest(intake=row["id"]):
                self.assertEqual([c for c in conditional if c in links], expect)
                # the harness's own mirror of the conditions agrees
                stored = {k: fhir_string(v) for k, v in row["answers"].items()}
                for c in conditional:
                    self.assertEqual(c in links, applies(c, stored) and bool(stored.get(c)), c)
        statuses = [e["resource"]["status"] for e in self.fixture["responses"]]
        self.assertEqual(statuses, ["completed"] * 4 + ["amended"] + ["completed"] * 2)
        telecom = [e["resource"]["contained"][0].get("telecom")
                   for e in self.fixture["responses"]]
        self.assertEqual([[t["system"] for t in x] if x else None for x in telecom],
                         [["phone", "email"], None, ["email"], ["phone"], None, None, None])

    def test_the_consultation_record(self):
        """Spelled out: several choices, the flags (one cleared), the
        acknowledgement (of the sheet before a sign-off too), the versions."""
        r = [e["resource"] for e in self.fixture["responses"]]
        version = self.fixture["questionnaire"]["version"]
        self.assertEqual(version, "2026.4")
        self.assertEqual([x["questionnaire"].split("|")[1] for x in r],
                         ["2026.4"] * 5 + ["2026.1"] * 2)
        items = {i["linkId"]: i["answer"] for i in r[0]["item"]}
        self.assertEqual([a["valueCoding"]["code"] for a in items["scalp_conditions"]],
                         ["eczema", "sunburn", "other"])
        self.assertEqual(items["scalp_conditions_detail"], [{"valueString": "scaly edge"}])
        self.assertEqual(items["other_medication"], [{"valueString": "Vitamin D"}])
        flags = {c["id"]: c for c in r[0]["contained"][1:]}
        self.assertEqual(list(flags), ["flag-scalp-condition", "flag-keloid",
                                       "flag-blood-thinners"])
        self.assertEqual({k: f["status"] for k, f in flags.items()},
                         {"flag-scalp-condition": "active", "flag-keloid": "inactive",
                          "flag-blood-thinners": "active"})
        parts = {p["url"]: p for p in flags["flag-keloid"]["extension"][0]["extension"]}
        self.assertEqual(parts["reason"], {"url": "reason", "valueString": "Test area: flat"})
        self.assertEqual(parts["clearedBy"]["valueString"], "Dana Staff")
        ext = lambda res, name: [e for e in res["extension"] if e["url"] == EXT + name]
        [ack] = ext(r[0], "acknowledgement")
        self.assertEqual([p["url"] for p in ack["extension"]], ["typedName", "at", "staff",
                                                                "sheet"])
        self.assertEqual(ack["extension"][0]["valueString"], 'zoë 山田-O\'Neil "Jr" \\')
        self.assertEqual(ack["extension"][2]["valueString"], "Kim Ødegård")
        self.assertEqual(ack["extension"][3]["valuePositiveInt"], 1)
        # Ed acknowledged sheet 1; the GP's sign-off made sheet 2.
        [ack] = ext(r[4], "acknowledgement")
        self.assertEqual(ack["extension"][3]["valuePositiveInt"], 1)
        for i in (1, 2, 3, 5, 6):
            self.assertEqual(ext(r[i], "acknowledgement"), [])
            self.assertEqual(len(r[i]["contained"]), 1)
        self.assertEqual([ext(x, "advice-version")[0]["valueString"] for x in r],
                         ["2026.3"] * 5 + ["2026.1"] * 2)
        self.assertNotIn("scalp_conditions", [i["linkId"] for i in r[5]["item"]])

    def test_the_checks_catch_broken_output(self):
        """Each check above fails on a copy of the real output broken on
        purpose: they are not blind."""
        q = self.fixture["questionnaire"]
        entries = self.fixture["responses"]
        one = lambda n: {**self.fixture["bundle"], "entry": [json.loads(json.dumps(entries[n]))]}

        def broken(n, change):
            b = one(n)
            change(b["entry"][0]["resource"])
            return b

        def item(r, link):
            return next(i for i in r["item"] if i["linkId"] == link)

        for name, b in (
                ("status", broken(1, lambda r: r.update(status="done"))),
                ("a yes as text", broken(1, lambda r: item(r, "consent_storage")["answer"][0]
                                         .update(valueBoolean="yes"))),
                ("unknown key", broken(1, lambda r: r.update(answers={}))),
                ("empty name", broken(1, lambda r: r["contained"][0]["name"][0]
                                      .update(family=""))),
                ("no-break space", broken(1, lambda r: r["contained"][0]["name"][0]
                                          .update(family="A\u00a0B")))):
            with self.subTest(schema=name):
                self.assertNotEqual(schema_errors(b), [])
        unknown = broken(1, lambda r: r["item"].append(
            {"linkId": "nope", "answer": [{"valueBoolean": True}]}))
        self.assertEqual(schema_errors(unknown), [])  # what only the checks see
        for name, b in (
                ("unknown linkId", broken(1, lambda r: r["item"].append(
                    {"linkId": "nope", "answer": [{"valueBoolean": True}]}))),
                ("a date for a yes/no", broken(1, lambda r: item(r, "uses_rogaine")
                                               .update(answer=[{"valueDate": "2020-01-01"}]))),
                ("a choice not offered", broken(0, lambda r: item(r, "rogaine_form")["answer"][0]
                                                ["valueCoding"].update(code="gel"))),
                ("answered while off", broken(1, lambda r: r["item"].insert(5, {
                    "linkId": "rogaine_form", "answer": [{"valueCoding": {
                        "system": CODESYSTEM + "rogaine_form", "code": "foam"}}]}))),
                ("required and left out", broken(2, lambda r: r["item"].remove(
                    item(r, "rogaine_form")))),
                ("out of order", broken(1, lambda r: r["item"].reverse())),
                ("wrong questionnaire", broken(1, lambda r: r.update(
                    questionnaire=QUESTIONNAIRE_URL + "|0"))),
                ("a flag not referred to", broken(0, lambda r: r["extension"].pop(0))),
                ("several answers where none repeats", broken(1, lambda r: item(
                    r, "uses_rogaine")["answer"].append({"valueBoolean": True}))),
                ("2026.1's answers as 2026.2's", broken(6, lambda r: r.update(
                    questionnaire=QUESTIONNAIRE_URL + "|2026.2")))):
            with self.subTest(invariant=name):
                with self.assertRaises(AssertionError):
                    check_bundle(self, q, b)
        with self.assertRaises(AssertionError):
            self.assertEqual(entries[1], expected_entry(read_intakes(self.fixture["db"])[0]))


class FhirEmpty(PipeTest):
    def test_empty_database_gives_an_empty_bundle(self):
        self.assertEqual(self.run_cmd("config", "set", "minimum_age", "18").returncode, 0)
        p = self.run_cmd("export", "--format", "fhir")
        self.assertEqual(p.returncode, 0, p.stderr)
        bundle = json.loads(p.stdout)
        self.assertEqual(schema_errors(bundle), [])
        self.assertEqual(set(bundle), {"resourceType", "type", "timestamp"})  # no empty entry
        self.assertEqual((bundle["resourceType"], bundle["type"]), ("Bundle", "collection"))
        self.assertRegex(bundle["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


class FhirMemory(PipeTest):
    def test_memory_stays_bounded(self):
        """One intake in memory at a time: 10,000 intakes (about 20 MB of
        output) within 16 MiB of resident memory."""
        self.new_intake(base_answers(phone="0207 946 0958", uses_rogaine="yes",
                                     gp_discussed="yes", gp_signoff="pending"))
        # Under valgrind (its own memory, 50 times slower) only a few, to
        # see the output right; under ASan the allocator keeps freed memory.
        with open(BIN, "rb") as f:
            asan = b"__asan_init" in f.read()
        n = 200 if WRAPPER else 10000
        con = sqlite3.connect(self.db)
        with con:
            con.execute("WITH RECURSIVE k(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM k "
                        "WHERE i < ?) INSERT INTO intake (id, uuid, client_id, taken_at, staff) "
                        "SELECT i, printf('%08x-0000-4000-8000-000000000000', i), client_id, "
                        "taken_at, staff FROM k, intake WHERE intake.id = 1", (n,))
            con.execute("INSERT INTO answer SELECT i.id, a.question_id, a.value FROM intake i, "
                        "answer a WHERE a.intake_id = 1 AND i.id > 1")
            con.execute("INSERT INTO advice_sheet SELECT i.id, s.sheet, s.position, s.advice_id, "
                        "s.text FROM intake i, advice_sheet s WHERE s.intake_id = 1 AND i.id > 1")
        con.close()
        out = os.path.join(self.tmp, "bundle.json")
        with open(out, "wb") as f:
            p = subprocess.Popen(WRAPPER + [BIN, "export", "--format", "fhir"], env=self.env,
                                 stdout=f, stderr=subprocess.PIPE)
            # The peak as the kernel counts it for this process (VmHWM),
            # read while it runs: the rusage of a child forked from this
            # big Python would count the Python's memory too.
            peak = 0
            while p.poll() is None:
                try:
                    with open("/proc/%d/status" % p.pid) as st:
                        for line in st:
                            if line.startswith("VmHWM:"):
                                peak = max(peak, int(line.split()[1]))
                except (OSError, ValueError):
                    pass
                time.sleep(0.01)
            err = p.stderr.read().decode()
            p.stderr.close()
        self.assertEqual(p.returncode, 0, err)
        self.assertGreater(os.path.getsize(out), n * 1000)
        # Parsing 20 MB in Python takes seconds: the layout is checked
        # instead (one entry a line), and the first and last entries read.
        with open(out, encoding="utf-8") as f:
            lines = f.read().split("\n")
        self.assertTrue(lines[0].endswith(',"entry":['), lines[0][:200])
        self.assertEqual(lines[-2:], ["]}", ""])
        entries = lines[1:-2]
        # The first intake's two consents (its answers) follow it; the
        # copies made in SQL have none.
        self.assertEqual(len(entries), n + 2)
        self.assertEqual([json.loads(e[:-1])["resource"]["resourceType"] for e in entries[:4]],
                         ["QuestionnaireResponse", "Consent", "Consent",
                          "QuestionnaireResponse"])
        self.assertTrue(all(e.startswith('{"fullUrl":"urn:uuid:') and e.endswith("}},")
                            for e in entries[:-1]))
        first = json.loads(entries[0][:-1])
        last = json.loads(entries[-1])
        self.assertEqual(first["resource"]["id"], self.sql("SELECT uuid FROM intake "
                                                           "WHERE id = 1")[0][0])
        self.assertEqual(last["resource"]["id"], "%08x-0000-4000-8000-000000000000" % n)
        self.assertEqual(last["resource"]["item"], first["resource"]["item"])
        if not WRAPPER and not asan:
            self.assertGreater(peak, 0, "the export ended before its memory could be read")
            self.assertLess(peak, 16 * 1024, "peak resident memory, KiB")
