"""Export format 3 and its import (issue 16): each intake's sessions, photo
metadata (never the image bytes) and consent rows in the JSON and NDJSON
export, validated against docs/export.schema.json; a round trip into a
fresh database gives the same bytes; import checks each session as
`session new` does and refuses a bad course with one line, writing
nothing; an export of format 2 still imports."""

import copy
import json
import os
import sqlite3
import unittest
import uuid

from harness import IntakeTest, base_answers, validate_export
from test_session import session

SHA = "ab" * 32
EXT = "http://smp-intake.invalid/fhir/StructureDefinition/"


class CourseTest(IntakeTest):
    def setUp(self):
        super().setUp()
        self.other = os.path.join(self.tmp, "other.db")
        self.new_intake(base_answers())                                     # 1: Ana
        self.new_intake(base_answers(first_name="Bo", last_name="Lee"))     # 2: Bo
        self.assertEqual(self.new_session("1", patch_test=True).returncode, 0)  # session 1
        self.assertEqual(self.new_session("1", areas=["scar"], lot="B-9",
                                          notes="line one\nline two").returncode, 0)
        p = self.run_cmd("session", "result", "1", "--reaction", "none", "--note", "fine")
        self.assertEqual(p.returncode, 0, p.stderr)
        # The intakes' answers gave photos yes, marketing no (their consent
        # rows); a later change with `consent`:
        p = self.run_cmd("consent", "1", "--marketing", "yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        con = sqlite3.connect(self.db)
        try:
            con.executescript(
                "INSERT INTO photo (uuid, client_id, intake_id, session_id, view, media_type, "
                "size, sha256, added_at, staff) VALUES "
                "('11111111-1111-4111-8111-111111111111', 1, 1, NULL, 'front', 'image/jpeg', "
                "4, '%s', '2026-01-02T10:05:00Z', 'Dana'),"
                "('22222222-2222-4222-8222-222222222222', 1, NULL, 2, 'crown', 'image/png', "
                "4, '%s', '2026-01-02T10:06:00Z', 'Dana');"
                "INSERT INTO photo_data (photo_id, data) VALUES (1, x'ffd8ffe0'), "
                "(2, x'89504e47');" % (SHA, SHA))
            # The later change's time in the past, as `consent` would stamp it.
            con.execute("UPDATE consent SET at = '2026-06-01T00:00:00Z' WHERE intake_id IS NULL")
            con.commit()
        finally:
            con.close()

    def new_session(self, intake, **over):
        path = os.path.join(self.tmp, "session.json")
        with open(path, "w") as f:
            json.dump(session(**over), f)
        return self.run_cmd("session", "new", intake, "--answers", path)

    def on(self, db, *args):
        return self.run_cmd("--db", db, *args)

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def exported(self, *args, db=None):
        p = self.on(db or self.db, "export", *args)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def sql_on(self, db, query):
        con = sqlite3.connect(db)
        try:
            return con.execute(query).fetchall()
        finally:
            con.close()


class Export(CourseTest):
    def test_each_intake_carries_its_course(self):
        data = self.export()   # validated against the schema
        one, two = data
        self.assertEqual([s["number"] for s in one["sessions"]], [1, 2])
        s1, s2 = one["sessions"]
        self.assertEqual((s1["patch_test"], s1["reaction"], s1["reaction_note"]),
                         (True, "none", "fine"))
        self.assertEqual(s1["areas"], ["frontal", "crown"])
        self.assertEqual((s2["areas"], s2["lot"], s2["notes"]),
                         (["scar"], "B-9", "line one\nline two"))
        with open(os.path.join(os.path.dirname(__file__), "..", "..", "docs",
                               "export.schema.json")) as f:
            self.assertEqual(set(s1), set(json.load(f)["$defs"]["session"]["required"]))
        self.assertEqual(one["photos"], [
            {"uuid": "11111111-1111-4111-8111-111111111111", "session": None, "view": "front",
             "media_type": "image/jpeg", "size": 4, "sha256": SHA,
             "added_at": "2026-01-02T10:05:00Z", "staff": "Dana"},
            {"uuid": "22222222-2222-4222-8222-222222222222", "session": s2["uuid"],
             "view": "crown", "media_type": "image/png", "size": 4, "sha256": SHA,
             "added_at": "2026-01-02T10:06:00Z", "staff": "Dana"}])
        # The later change goes with the client's latest intake before it.
        self.assertEqual([(c["kind"], c["value"], c["at_intake"]) for c in one["consents"]],
                         [("photos", "yes", True), ("marketing", "no", True),
                          ("marketing", "yes", False)])
        self.assertEqual((two["sessions"], two["photos"]), ([], []))
        self.assertEqual([(c["kind"], c["value"]) for c in two["consents"]],
                         [("photos", "yes"), ("marketing", "no")])
        # No image bytes anywhere in the export.
        text = self.exported()
        self.assertNotIn("ffd8ffe0", text)
        self.assertNotIn("/9j/", text)   # the JPEG magic in base64

    def test_ndjson_lines_are_the_same_objects(self):
        lines = self.exported("--format", "ndjson").splitlines()
        self.assertEqual([json.loads(l) for l in lines], json.loads(self.exported()))
        for l in lines:
            validate_export([json.loads(l)])

    def test_schema_refuses_an_export_without_the_course(self):
        import jsonschema
        data = json.loads(self.exported())
        del data[0]["sessions"]
        with self.assertRaises(jsonschema.ValidationError):
            validate_export(data)
        data = json.loads(self.exported())
        data[0]["sessions"][0]["areas"] = ["ear"]
        with self.assertRaises(jsonschema.ValidationError):
            validate_export(data)


class Fhir(CourseTest):
    def test_sessions_are_procedures_validated(self):
        from test_fhir import schema_errors
        bundle = json.loads(self.exported("--format", "fhir"))
        self.assertEqual(schema_errors(bundle), [])
        kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
        self.assertEqual(kinds, ["QuestionnaireResponse", "Procedure", "Procedure", "Media",
                                 "Media", "Consent", "Consent", "Consent",
                                 "QuestionnaireResponse", "Consent", "Consent"])
        data = self.export()
        first, second = bundle["entry"][1]["resource"], bundle["entry"][2]["resource"]
        self.assertEqual(bundle["entry"][1]["fullUrl"], "urn:uuid:" + data[0]["sessions"][0]["uuid"])
        self.assertEqual((first["status"], first["performedDateTime"]),
                         ("completed", data[0]["sessions"][0]["performed_on"]))
        self.assertEqual(first["performer"], [{"actor": {"display": "Kim Lee"}}])
        self.assertEqual(first["subject"], {"reference": "#client"})
        self.assertEqual(first["contained"][0]["resourceType"], "Patient")
        self.assertEqual(first["contained"][0]["id"], "client")
        self.assertEqual(first["bodySite"], [{"text": "frontal"}, {"text": "crown"}])
        self.assertEqual(first["outcome"], {"text": "patch test: no reaction"})
        self.assertEqual(first["code"]["text"], "Scalp micropigmentation patch test")
        self.assertEqual(second["note"], [{"text": "line one\nline two"}])
        pigment = [x for x in second["extension"] if x["url"].endswith("/pigment")][0]
        self.assertIn({"url": "lot", "valueString": "B-9"}, pigment["extension"])
        consult = [x for x in second["extension"] if x["url"].endswith("/consultation")][0]
        self.assertEqual(consult["valueReference"]["reference"], "urn:uuid:" + data[0]["uuid"])


    def test_photos_are_media_consents_are_consents(self):
        from test_fhir import check_bundle, schema_errors
        # Withdrawn: the photos row of the assessment and the later
        # marketing yes are superseded (marketing goes with the photos).
        p = self.run_cmd("consent", "1", "--photos", "no")
        self.assertEqual(p.returncode, 0, p.stderr)
        text = self.exported("--format", "fhir")
        bundle = json.loads(text)
        self.assertEqual(schema_errors(bundle), [])
        q = json.loads(self.run_cmd("questionnaire", "--format", "fhir").stdout)
        check_bundle(self, q, bundle)
        data = self.export()
        res = [e["resource"] for e in bundle["entry"]]
        self.assertEqual([r["resourceType"] for r in res],
                         ["QuestionnaireResponse", "Procedure", "Procedure", "Media", "Media"]
                         + ["Consent"] * 5 + ["QuestionnaireResponse", "Consent", "Consent"])
        intake1 = "urn:uuid:" + data[0]["uuid"]
        front, crown = res[3], res[4]
        ext = EXT + "sha256"
        self.assertEqual(front, {
            "resourceType": "Media", "id": "11111111-1111-4111-8111-111111111111",
            "contained": [res[0]["contained"][0]],
            "extension": [{"url": EXT + "consultation",
                           "valueReference": {"reference": intake1}}],
            "identifier": [{"system": "urn:ietf:rfc:3986",
                            "value": "urn:uuid:11111111-1111-4111-8111-111111111111"}],
            "status": "completed",
            "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/media-type",
                                 "code": "image", "display": "Image"}], "text": "Image"},
            "subject": {"reference": "#client"}, "view": {"text": "front"},
            "createdDateTime": "2026-01-02T10:05:00Z", "operator": {"display": "Dana"},
            "content": {"extension": [{"url": ext, "valueString": SHA}],
                        "contentType": "image/jpeg", "size": 4}})
        self.assertNotIn("partOf", front)
        # Taken at session 2: part of its Procedure.
        self.assertEqual(crown["partOf"], [{"reference": bundle["entry"][2]["fullUrl"]}])
        self.assertEqual(bundle["entry"][2]["fullUrl"],
                         "urn:uuid:" + data[0]["sessions"][1]["uuid"])
        self.assertEqual((crown["view"], crown["content"]["contentType"]),
                         ({"text": "crown"}, "image/png"))
        # The consents, in the JSON's order: only the latest of a kind active.
        consents = data[0]["consents"] + data[1]["consents"]
        self.assertEqual([(c["kind"], c["value"], c["at_intake"]) for c in consents],
                         [("photos", "yes", True), ("marketing", "no", True),
                          ("marketing", "yes", False), ("photos", "no", False),
                          ("marketing", "no", False), ("photos", "yes", True),
                          ("marketing", "no", True)])
        fhir = [r for r in res if r["resourceType"] == "Consent"]
        self.assertEqual([r["status"] for r in fhir],
                         ["inactive", "inactive", "inactive", "active", "active",
                          "active", "active"])
        self.assertEqual([r["provision"]["type"] for r in fhir],
                         ["permit", "deny", "permit", "deny", "deny", "permit", "deny"])
        self.assertEqual([r["category"][0]["coding"][0]["code"] for r in fhir],
                         [c["kind"] for c in consents])
        self.assertEqual([(r["dateTime"], r["performer"]) for r in fhir],
                         [(c["at"], [{"display": c["staff"]}]) for c in consents])
        self.assertEqual([r.get("sourceReference") for r in fhir],
                         [{"reference": intake1}, {"reference": intake1}, None, None, None,
                          {"reference": "urn:uuid:" + data[1]["uuid"]},
                          {"reference": "urn:uuid:" + data[1]["uuid"]}])
        self.assertEqual(fhir[0]["category"][0]["text"], "Photos kept in the client's record")
        self.assertEqual(fhir[1]["category"][0]["text"],
                         "Photos used for the studio's marketing")
        self.assertEqual(fhir[0]["patient"], {"reference": "#client"})
        self.assertEqual(fhir[0]["policyRule"], {"text": "The studio's photo consent"})
        # The same ids in every export: made from the intake and the place.
        self.assertEqual(json.loads(self.exported("--format", "fhir"))["entry"], bundle["entry"])
        self.assertEqual(fhir[4]["id"], str(uuid.uuid5(
            uuid.NAMESPACE_URL, "http://smp-intake.invalid/fhir/Consent/%s/5" % data[0]["uuid"])))
        # No image bytes, neither raw nor in base64.
        for magic in ("ffd8ffe0", "89504e47", "/9j/", "iVBOR", '"data"'):
            self.assertNotIn(magic, text)

    def test_filtered_export_keeps_the_status_that_counts(self):
        # An export that leaves out the intake a later change went with
        # still says the row of the assessment is superseded.
        self.new_intake(base_answers())   # 3: Ana again, client 1
        self.assertEqual(self.run_cmd("consent", "1", "--photos", "no").returncode, 0)
        bundle = json.loads(self.exported("--format", "fhir", "--client", "1", "--until",
                                          "2026-01-01"))
        self.assertNotIn("entry", bundle)
        con = sqlite3.connect(self.db)
        with con:
            con.execute("UPDATE intake SET taken_at = '2025-01-01T00:00:00Z' WHERE id = 1")
        con.close()
        bundle = json.loads(self.exported("--format", "fhir", "--until", "2025-12-31"))
        fhir = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Consent"]
        # Intake 1's: photos yes, marketing no, marketing yes (June), all
        # superseded by the withdrawal that went with intake 3.
        self.assertEqual([(r["category"][0]["coding"][0]["code"], r["status"]) for r in fhir],
                         [("photos", "inactive"), ("marketing", "inactive"),
                          ("marketing", "inactive")])


class CourseCsv(CourseTest):
    """--sessions writes the course as three files: sessions, photo
    metadata and consents."""
    PHOTOS = ("intake_id,intake_uuid,client_id,photo_uuid,session_uuid,view,media_type,size,"
              "sha256,added_at,staff")
    CONSENTS = "intake_id,intake_uuid,client_id,kind,value,at,staff,at_intake"

    def files(self, name="course.csv"):
        base = os.path.join(self.tmp, name[:-4] if name.endswith(".csv") else name)
        return [os.path.join(self.tmp, name)] + [base + s for s in (
            ".sessions.csv", ".photos.csv", ".consents.csv")]

    def read_rows(self, path):
        import csv
        with open(path, newline="") as f:
            raw = f.read()
        self.assertNotIn("\n", raw.replace("\r\n", ""))   # CR LF rows
        return raw, list(csv.reader(raw.splitlines(True)))

    def test_photos_and_consents_files(self):
        self.assertEqual(self.run_cmd("consent", "1", "--photos", "no").returncode, 0)
        out, sessions, photos, consents = self.files()
        p = self.run_cmd("export", "--format", "csv", "--sessions", "-o", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr.splitlines(), [
            "exported 2 intakes to " + out,
            "exported the sessions of 2 intakes to " + sessions,
            "exported the photo metadata of 2 intakes to " + photos,
            "exported the consents of 2 intakes to " + consents])
        for path in (out, sessions, photos, consents):
            self.assertEqual(os.stat(path).st_mode & 0o777, 0o600, path)
        data = self.export()
        raw, rows = self.read_rows(photos)
        self.assertTrue(raw.startswith(self.PHOTOS + "\r\n"))
        one = [str(data[0]["id"]), data[0]["uuid"], str(data[0]["client"]["id"])]
        self.assertEqual(rows, [self.PHOTOS.split(",")] + [
            one + [ph["uuid"], ph["session"] or "", ph["view"], ph["media_type"],
                   str(ph["size"]), ph["sha256"], ph["added_at"], ph["staff"]]
            for ph in data[0]["photos"]])
        self.assertEqual(rows[1], one + ["11111111-1111-4111-8111-111111111111", "", "front",
                                         "image/jpeg", "4", SHA, "2026-01-02T10:05:00Z",
                                         "Dana"])
        self.assertEqual(rows[2][4], data[0]["sessions"][1]["uuid"])
        self.assertNotIn("ffd8ffe0", raw)
        raw, rows = self.read_rows(consents)
        self.assertTrue(raw.startswith(self.CONSENTS + "\r\n"))
        want = [[str(rec["id"]), rec["uuid"], str(rec["client"]["id"]), c["kind"], c["value"],
                 c["at"], c["staff"], "yes" if c["at_intake"] else "no"]
                for rec in data for c in rec["consents"]]
        self.assertEqual(rows, [self.CONSENTS.split(",")] + want)
        self.assertEqual([r[3:5] + r[7:] for r in rows[1:]],
                         [["photos", "yes", "yes"], ["marketing", "no", "yes"],
                          ["marketing", "yes", "no"], ["photos", "no", "no"],
                          ["marketing", "no", "no"], ["photos", "yes", "yes"],
                          ["marketing", "no", "yes"]])
        self.assertEqual(rows[3][5], "2026-06-01T00:00:00Z")

    def test_filters_cells_and_excel(self):
        # A staff name a spreadsheet would run as a formula.
        con = sqlite3.connect(self.db)
        with con:
            con.execute("UPDATE photo SET staff = '=HYPERLINK(1)' WHERE id = 2")
            con.execute("UPDATE consent SET staff = '@SUM(1)' WHERE intake_id IS NULL")
        con.close()
        out, sessions, photos, consents = self.files("x")
        p = self.run_cmd("export", "--format", "csv", "--sessions", "--excel", "-o", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        for path in (photos, consents):
            with open(path, "rb") as f:
                self.assertTrue(f.read().startswith(b"\xef\xbb\xbfintake_id,"), path)
        with open(photos, encoding="utf-8-sig", newline="") as f:
            import csv
            rows = list(csv.reader(f))
        self.assertEqual([r[10] for r in rows[1:]], ["Dana", "'=HYPERLINK(1)"])
        with open(consents, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        self.assertEqual([r[6] for r in rows[1:]], ["Dana Staff", "Dana Staff", "'@SUM(1)",
                                                    "Dana Staff", "Dana Staff"])
        # Client 2 alone (the access log row's clients): no photo, two
        # consents; a file with no row at all is its header alone.
        out, sessions, photos, consents = self.files("two.csv")
        p = self.run_cmd("export", "--format", "csv", "--sessions", "--client", "2", "-o", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.read_rows(photos)[0], self.PHOTOS + "\r\n")
        self.assertEqual(self.read_rows(sessions)[1][1:], [])
        self.assertEqual([r[:5] for r in self.read_rows(consents)[1][1:]],
                         [["2", self.export()[1]["uuid"], "2", "photos", "yes"],
                          ["2", self.export()[1]["uuid"], "2", "marketing", "no"]])
        log = self.run_cmd("access-log").stdout.splitlines()
        self.assertIn("export", log[-1])

    def test_an_existing_file_is_refused_before_anything_is_written(self):
        out, sessions, photos, consents = self.files()
        for there in (photos, consents):
            with self.subTest(there=os.path.basename(there)):
                for path in (out, sessions, photos, consents):
                    if os.path.exists(path):
                        os.unlink(path)
                with open(there, "w") as f:
                    f.write("mine\n")
                p = self.run_cmd("export", "--format", "csv", "--sessions", "-o", out)
                self.assertEqual(p.returncode, 1)
                self.assertEqual(p.stderr, "smp-intake: '%s' already exists; use --force to "
                                 "replace it\n" % there)
                self.assertEqual([os.path.exists(x) for x in (out, sessions, photos, consents)],
                                 [x == there for x in (out, sessions, photos, consents)])
                with open(there) as f:
                    self.assertEqual(f.read(), "mine\n")
                self.assertEqual([n for n in os.listdir(self.tmp) if n.startswith(".smp-intake-")],
                                 [])
                p = self.run_cmd("export", "--format", "csv", "--sessions", "--force", "-o", out)
                self.assertEqual(p.returncode, 0, p.stderr)
                with open(there) as f:
                    self.assertTrue(f.read().startswith("intake_id,intake_uuid,client_id,"))
                self.assertEqual(os.stat(there).st_mode & 0o777, 0o600)


class PhotoAdd(CourseTest):
    """Photos stored by `photo add` (the client's consent to photos is yes),
    then the consent withdrawn: every format carries their metadata, the
    withdrawal as the Consent that counts, and none of the image bytes."""

    def test_added_photos_in_every_format_without_their_bytes(self):
        import base64
        import csv
        import hashlib
        from test_fhir import check_bundle, schema_errors
        from test_photo import JPEG, MARK, PNG
        for target, name, data, view in ((["1"], "a.jpg", JPEG, "top"),
                                         (["--session", "2"], "b.png", PNG, "scar")):
            path = self.write(name, "")
            with open(path, "wb") as f:
                f.write(data)
            p = self.run_cmd("photo", "add", *target, path, "--view", view)
            self.assertEqual(p.returncode, 0, p.stderr)
        p = self.run_cmd("consent", "1", "--photos", "no")
        self.assertEqual(p.returncode, 0, p.stderr)
        data = self.export()
        added = data[0]["photos"][2:]
        self.assertEqual([(ph["view"], ph["size"], ph["sha256"]) for ph in added],
                         [("top", len(JPEG), hashlib.sha256(JPEG).hexdigest()),
                          ("scar", len(PNG), hashlib.sha256(PNG).hexdigest())])
        # FHIR: valid, a Media each with the same metadata.
        bundle = json.loads(self.exported("--format", "fhir"))
        self.assertEqual(schema_errors(bundle), [])
        check_bundle(self, json.loads(self.run_cmd("questionnaire", "--format", "fhir").stdout),
                     bundle)
        media = {e["resource"]["id"]: e["resource"] for e in bundle["entry"]
                 if e["resource"]["resourceType"] == "Media"}
        for ph in added:
            m = media[ph["uuid"]]
            self.assertEqual((m["view"]["text"], m["content"]["contentType"],
                              m["content"]["size"], m["content"]["extension"][0]["valueString"],
                              m["createdDateTime"], m["operator"]["display"]),
                             (ph["view"], ph["media_type"], ph["size"], ph["sha256"],
                              ph["added_at"], ph["staff"]))
        self.assertNotIn("partOf", media[added[0]["uuid"]])
        self.assertEqual(media[added[1]["uuid"]]["partOf"],
                         [{"reference": "urn:uuid:" + data[0]["sessions"][1]["uuid"]}])
        # The withdrawal is the photos Consent that counts.
        photos = [e["resource"] for e in bundle["entry"]
                  if e["resource"]["resourceType"] == "Consent"
                  and e["resource"]["category"][0]["coding"][0]["code"] == "photos"
                  and e["resource"]["patient"] == {"reference": "#client"}
                  and e["resource"]["contained"][0]["identifier"][0]["value"] == "1"]
        self.assertEqual([(r["status"], r["provision"]["type"]) for r in photos],
                         [("inactive", "permit"), ("active", "deny")])
        # CSV: the photos file has the same rows.
        out = os.path.join(self.tmp, "all.csv")
        p = self.run_cmd("export", "--format", "csv", "--sessions", "-o", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(os.path.join(self.tmp, "all.photos.csv"), newline="") as f:
            rows = list(csv.DictReader(f))
        self.assertEqual([(r["photo_uuid"], r["session_uuid"], r["view"], r["size"], r["sha256"])
                          for r in rows[2:]],
                         [(added[0]["uuid"], "", "top", str(len(JPEG)), added[0]["sha256"]),
                          (added[1]["uuid"], data[0]["sessions"][1]["uuid"], "scar",
                           str(len(PNG)), added[1]["sha256"])])
        # None of the image bytes in any export but the subject access one.
        texts = [self.exported(*args).encode() for args in
                 ([], ["--format", "ndjson"], ["--format", "csv"], ["--format", "fhir"])]
        for name in ("all.csv", "all.sessions.csv", "all.photos.csv", "all.consents.csv"):
            with open(os.path.join(self.tmp, name), "rb") as f:
                texts.append(f.read())
        for text in texts:
            self.assertNotIn(MARK, text)
            for image in (JPEG, PNG):   # as an Attachment's data would hold it
                self.assertNotIn(base64.b64encode(image)[8:48], text)
            self.assertNotIn(MARK.hex().encode(), text)


class SessionsCsv(CourseTest):
    def test_second_file_beside_the_intakes(self):
        import csv
        # A note a spreadsheet would run as a formula.
        self.assertEqual(self.new_session("2", client_ack="Bo Lee", notes="=HYPERLINK(1)",
                                          areas=["hairline"]).returncode, 0)
        out = os.path.join(self.tmp, "intakes.csv")
        p = self.run_cmd("export", "--format", "csv", "--sessions", "-o", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        second = os.path.join(self.tmp, "intakes.sessions.csv")
        self.assertIn("exported the sessions of 2 intakes to " + second, p.stderr)
        self.assertEqual(os.stat(second).st_mode & 0o777, 0o600)
        with open(second, newline="") as f:
            raw = f.read()
        self.assertTrue(raw.startswith("intake_id,intake_uuid,client_id,session_uuid,number,"))
        self.assertNotIn("\n", raw.replace("\r\n", "").replace("line one\nline two", ""))
        rows = list(csv.DictReader(raw.splitlines(True)))
        data = self.export()
        self.assertEqual([(r["intake_id"], r["number"], r["areas"], r["session_uuid"])
                          for r in rows],
                         [("1", "1", "frontal crown", data[0]["sessions"][0]["uuid"]),
                          ("1", "2", "scar", data[0]["sessions"][1]["uuid"]),
                          ("2", "1", "hairline", data[1]["sessions"][0]["uuid"])])
        self.assertEqual((rows[0]["patch_test"], rows[0]["reaction"]), ("yes", "none"))
        self.assertEqual(rows[1]["notes"], "line one\nline two")
        self.assertEqual(rows[2]["notes"], "'=HYPERLINK(1)")
        # The intakes' file is the CSV export as without --sessions.
        plain = self.run_cmd("export", "--format", "csv").stdout
        with open(out, newline="") as f:
            self.assertEqual(f.read(), plain)
        # Again: the second file is there, refused before anything is written.
        os.unlink(out)
        p = self.run_cmd("export", "--format", "csv", "--sessions", "-o", out)
        self.assertEqual(p.returncode, 1)
        self.assertIn("intakes.sessions.csv' already exists; use --force", p.stderr)
        self.assertFalse(os.path.exists(out))
        p = self.run_cmd("export", "--format", "csv", "--sessions", "--excel", "--force",
                         "-o", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(second, "rb") as f:
            self.assertTrue(f.read().startswith(b"\xef\xbb\xbfintake_id,"))

    def test_usage_errors(self):
        for args, words in ((["--format", "csv", "--sessions"], "give -o FILE"),
                            (["--format", "csv", "--sessions", "-o", "-"], "give -o FILE"),
                            (["--sessions", "-o", os.path.join(self.tmp, "x")],
                             "--sessions goes with --format csv")):
            p = self.run_cmd("export", *args)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn(words, p.stderr)
            self.assertEqual(p.stdout, "")


class RoundTrip(CourseTest):
    def round_trip(self, fmt):
        text = self.exported("--format", fmt)
        p = self.on(self.other, "import", self.write("x." + fmt, text))
        self.assertEqual(p.returncode, 0, p.stderr)
        # The consents given with the answers are made again from them: the
        # one row carried is the later change made with `consent`.
        self.assertEqual(p.stdout, "2 added, 0 unchanged\n"
                         "with them: 2 sessions, 2 photos (metadata only) and 1 consent row\n")
        self.assertEqual(self.exported("--format", fmt, db=self.other), text)
        return text

    def test_json_round_trip_gives_the_same_bytes(self):
        self.round_trip("json")
        # Photos come back as metadata: their bytes stay in the source.
        self.assertEqual(self.sql_on(self.other, "SELECT count(*) FROM photo_data"), [(0,)])
        self.assertEqual(self.sql_on(self.other, "PRAGMA foreign_key_check"), [])
        # The consent that counts is the later change, as in the source.
        self.assertEqual(self.sql_on(self.other, "SELECT value FROM consent WHERE client_id = 1 "
                                     "AND kind = 'marketing' ORDER BY id DESC LIMIT 1"),
                         [("yes",)])

    def test_ndjson_round_trip_gives_the_same_bytes(self):
        self.round_trip("ndjson")

    def test_importing_twice_adds_nothing(self):
        text = self.round_trip("json")
        before = self.sql_on(self.other, "SELECT count(*) FROM session UNION ALL SELECT count(*) "
                             "FROM photo UNION ALL SELECT count(*) FROM consent")
        p = self.on(self.other, "import", self.write("x.json", text))
        self.assertEqual((p.returncode, p.stdout), (0, "0 added, 2 unchanged\n"), p.stderr)
        self.assertEqual(self.sql_on(self.other, "SELECT count(*) FROM session UNION ALL SELECT "
                                     "count(*) FROM photo UNION ALL SELECT count(*) FROM consent"),
                         before)

    def test_a_changed_session_is_a_conflict_until_update(self):
        text = self.round_trip("json")
        data = json.loads(text)
        data[0]["sessions"][1]["notes"] = "changed"
        path = self.write("changed.json", json.dumps(data))
        p = self.on(self.other, "import", path)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("conflict", p.stderr)
        self.assertEqual(self.sql_on(self.other, "SELECT notes FROM session WHERE number = 2"),
                         [("line one\nline two",)])
        p = self.on(self.other, "import", "--update", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.sql_on(self.other, "SELECT notes FROM session WHERE number = 2"),
                         [("changed",)])

    def test_a_new_session_of_a_stored_intake_is_added(self):
        self.round_trip("json")
        self.assertEqual(self.new_session("2", client_ack="Bo Lee").returncode, 0)
        p = self.on(self.other, "import", self.write("more.json", self.exported()))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("with them: 1 session,", p.stdout)
        self.assertEqual(self.exported(db=self.other), self.exported())


class Refusals(CourseTest):
    def refused(self, change, words):
        data = json.loads(self.exported())
        change(data)
        p = self.on(self.other, "import", self.write("bad.json", json.dumps(data)))
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
        self.assertIn(words, p.stderr)
        self.assertTrue(p.stdout.startswith("nothing imported"), p.stdout)
        self.assertFalse(os.path.exists(self.other))

    def test_expired_lot(self):
        self.refused(lambda d: d[0]["sessions"][0].update(lot_expiry="2020-01"),
                     "record 1: sessions[0]: lot_expiry: the lot had expired on the session's date")

    def test_future_date(self):
        self.refused(lambda d: d[0]["sessions"][1].update(performed_on="2099-01-01"),
                     "record 1: sessions[1]: performed_on: the session's date is in the future")

    def test_bad_area(self):
        self.refused(lambda d: d[0]["sessions"][0].update(areas=["ear"]),
                     "record 1: sessions[0]: areas: not an area")

    def test_wrong_countersignature(self):
        self.refused(lambda d: d[0]["sessions"][0].update(countersigned="Someone Else"),
                     "record 1: sessions[0]: countersigned: the countersignature is not")

    def test_unknown_key_and_bad_uuid(self):
        self.refused(lambda d: d[0]["sessions"][0].update(colour="red"),
                     "sessions[0]: unknown key 'colour'")
        self.refused(lambda d: d[0]["sessions"][0].update(uuid="x"),
                     "sessions[0].uuid: must be a version 4 UUID")

    def test_revision_beyond_the_intake(self):
        self.refused(lambda d: d[0]["sessions"][0].update(intake_revision=5),
                     "sessions[0].intake_revision")

    def test_photo_of_an_unknown_view(self):
        self.refused(lambda d: d[0]["photos"][0].update(view="side"),
                     "photos[0].view: must be front, top")

    def test_photo_of_a_session_not_in_the_record(self):
        # A session (or its intake) missing from the file: the photo names nothing.
        def move(d):
            d[1]["photos"] = [d[0]["photos"][1]]
            d[0]["photos"] = d[0]["photos"][:1]
        self.refused(move, "record 2: photos[0].session: must be the uuid of one of the "
                     "record's sessions")

    def test_session_moved_to_another_intake(self):
        text = self.exported()
        self.assertEqual(self.on(self.other, "import", self.write("ok.json", text)).returncode, 0)
        data = json.loads(text)
        data[1]["sessions"] = [dict(data[0]["sessions"][0], client_ack="Bo Lee")]
        p = self.on(self.other, "import", "--update", self.write("moved.json", json.dumps(data)))
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("record 2: sessions[0].uuid: session 1 of intake 1 has this uuid", p.stderr)

    def test_bad_consent_and_aftercare(self):
        self.refused(lambda d: d[0]["consents"][0].update(value="maybe"),
                     "consents[0].value: must be yes or no")
        self.refused(lambda d: d[0]["sessions"][0].update(aftercare_version=3),
                     "sessions[0].aftercare_version: the studio's aftercare text version 3 is "
                     "not in this database")

    def test_only_part_of_the_course(self):
        self.refused(lambda d: d[0].pop("photos"), "record 1: photos: missing")


class OlderFormats(CourseTest):
    def test_format_2_still_imports(self):
        data = json.loads(self.exported())
        for rec in data:
            for k in ("sessions", "photos", "consents"):
                del rec[k]
        p = self.on(self.other, "import", self.write("f2.json", json.dumps(data)))
        self.assertEqual((p.returncode, p.stdout), (0, "2 added, 0 unchanged\n"), p.stderr)
        back = json.loads(self.exported(db=self.other))
        self.assertEqual([(r["sessions"], r["photos"]) for r in back], [([], []), ([], [])])
        # The consents given with the answers are made again from them; the
        # later change with `consent` was not in a format-2 file.
        self.assertEqual([[(c["kind"], c["value"], c["at_intake"]) for c in r["consents"]]
                          for r in back],
                         [[("photos", "yes", True), ("marketing", "no", True)]] * 2)


if __name__ == "__main__":
    unittest.main()
