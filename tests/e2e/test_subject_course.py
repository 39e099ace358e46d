"""The subject access export (`export --client ID`) carries the client's
whole course: each intake ends with its sessions, its photos' metadata
and its consent rows as format 3 writes them, the photo files are listed
in photo_files, and the whole object validates against
docs/export.schema.json ($defs/client_records)."""

import hashlib
import json
import os

from harness import base_answers, validate_export
from test_photo import JPEG, PhotoTest
from test_session import session


class SubjectCourse(PhotoTest):
    def export_client(self, client):
        out = os.path.join(self.tmp, "client-%s.json" % client)
        p = self.run_cmd("export", "--client", str(client), "-o", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out) as f:
            data = json.load(f)
        validate_export(data)
        return data

    def test_sessions_photos_and_consents_of_each_intake(self):
        self.consent(1, "photos", "yes")
        path = os.path.join(self.tmp, "s.json")
        with open(path, "w") as f:
            json.dump(session(client_ack="Quillon Vexmartin", lot="LOT-77"), f)
        p = self.run_cmd("session", "new", "1", "--answers", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.add(["--session", "1"], JPEG, "crown")
        self.consent(1, "marketing", "yes")
        # A second intake of the same client, with nothing after it.
        self.new_intake(base_answers(first_name="Quillon", last_name="Vexmartin"))
        data = self.export_client(1)
        first, second = data["intakes"]
        self.assertEqual([s["lot"] for s in first["sessions"]], ["LOT-77"])
        self.assertEqual(first["sessions"][0]["client_ack"], "Quillon Vexmartin")
        self.assertEqual(first["sessions"][0]["areas"], ["frontal", "crown"])  # in the areas' order
        photo = first["photos"]
        self.assertEqual(len(photo), 1)
        self.assertEqual(photo[0]["session"], first["sessions"][0]["uuid"])
        self.assertEqual(photo[0]["sha256"], hashlib.sha256(JPEG).hexdigest())
        self.assertEqual(photo[0]["uuid"], data["photo_files"][0]["uuid"])
        # The consent rows: those each assessment gave, and the later
        # change, which goes with exactly one intake (the latest taken at or
        # before it: here the second may share its second).
        self.assertEqual([(c["kind"], c["value"], c["at_intake"]) for c in first["consents"]][:2],
                         [("photos", "yes", True), ("marketing", "no", True)])
        later = [(c["kind"], c["value"]) for it in data["intakes"] for c in it["consents"]
                 if not c["at_intake"]]
        self.assertEqual(later, [("marketing", "yes")])
        self.assertEqual(second["sessions"], [])
        self.assertEqual(second["photos"], [])
        # The bytes are in the folder, never in the JSON.
        with open(os.path.join(self.tmp, "client-1.json"), "rb") as f:
            self.assertNotIn(b"QZPHOTOVEX", f.read())

    def test_a_client_with_no_course_has_empty_lists(self):
        data = self.export_client(2)
        self.assertEqual(len(data["intakes"]), 1)
        it = data["intakes"][0]
        self.assertEqual((it["sessions"], it["photos"]), ([], []))
        self.assertNotIn("photo_files", data)


class ImportedPhoto(PhotoTest):
    """A photo brought in by import has its details only (no export format
    but the subject access one carries image bytes): `photo export` says so
    in one line, and the subject access export still works, with the
    photo's details in the JSON and no file for it."""

    def test_details_only_after_import(self):
        self.consent(1, "photos", "yes")
        self.add(["1"], JPEG)
        p = self.run_cmd("export", "-o", os.path.join(self.tmp, "all.json"))
        self.assertEqual(p.returncode, 0, p.stderr)
        other = os.path.join(self.tmp, "other.db")
        p = self.run_cmd("--db", other, "import", os.path.join(self.tmp, "all.json"))
        self.assertEqual(p.returncode, 0, p.stderr)
        out = os.path.join(self.tmp, "back.jpg")
        p = self.run_cmd("--db", other, "photo", "export", "1", "-o", out)
        self.assert_one_line_error(p)
        self.assertIn("came in by import with its details only", p.stderr)
        self.assertFalse(os.path.exists(out))
        # The photo still shows in the list, and in the client's records.
        self.assertIn("front", self.run_cmd("--db", other, "photo", "list").stdout)
        client = os.path.join(self.tmp, "c.json")
        p = self.run_cmd("--db", other, "export", "--client", "1", "-o", client)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(client) as f:
            data = json.load(f)
        validate_export(data)
        self.assertEqual([x["sha256"] for x in data["intakes"][0]["photos"]],
                         [hashlib.sha256(JPEG).hexdigest()])
        self.assertNotIn("photo_files", data)
        self.assertFalse(os.path.exists(client + ".photos"))


class SessionDraft(PhotoTest):
    """A session being recorded at a terminal and stopped is kept as a
    draft; the client's records carry it, with the intake it follows and
    the answers typed so far."""

    def test_a_stopped_session_is_in_the_clients_records(self):
        import pexpect
        from ptyutil import type_line
        child = self.spawn("session", "new", "1")
        child.expect_exact("[yes/no]: ")
        type_line(child, "no")
        for a in ["", "", "Kim Lee"]:
            child.expect(r": \S*")
            type_line(child, a)
        child.expect_exact("Areas treated")
        child.sendcontrol("c")
        child.expect(pexpect.EOF)
        child.close()
        data = self.export_client(1)
        drafts = [d for d in data["drafts"] if d["session_of"] is not None]
        self.assertEqual(len(drafts), 1, data["drafts"])
        self.assertEqual(drafts[0]["session_of"], 1)
        self.assertIsNone(drafts[0]["intake_id"])
        self.assertEqual(drafts[0]["answers"]["artist"], "Kim Lee")
        self.assertEqual(drafts[0]["answers"]["rescreen"], "unchanged")

    export_client = SubjectCourse.export_client
