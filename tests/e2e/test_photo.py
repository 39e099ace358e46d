"""`smp-intake photo add|list|export|rm`: an image kept only with the
client's consent to photos, judged by its content (JPEG or PNG), its size
capped before it is read, its SHA-256 kept; the list and its --marketing
filter; export byte for byte into a 0600 file, access-logged; rm asked at a
terminal, --yes through a pipe; erase leaves none of the image's bytes.

The consent rows are made here through the `consent` command where the
binary has it, else (before that command is merged) written with Python's
sqlite3 module as test setup only."""
import hashlib
import os
import sqlite3
import stat
import subprocess
import time

from harness import base_answers
from ptyutil import finish, record, type_line
from test_pipe_intake import PipeTest

MARK = b"QZPHOTOVEXBYTES"
JPEG = b"\xff\xd8\xff\xe0" + MARK * 700 + b"\xff\xd9"
PNG = (b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + b"\x00" * 17 + MARK * 50 +
       b"\x00\x00\x00\x00IEND\xaeB`\x82")


class PhotoTest(PipeTest):
    def setUp(self):
        super().setUp()
        self.new_intake(base_answers(first_name="Quillon", last_name="Vexmartin"))
        self.new_intake(base_answers(first_name="Bea", last_name="Rowe"))

    def consent(self, client, kind, value):
        p = self.run_cmd("consent", str(client), "--" + kind, value)
        if p.returncode == 2 and "unknown command" in p.stderr:
            con = sqlite3.connect(self.db)
            con.execute("INSERT INTO consent (client_id, kind, value, at, staff) VALUES "
                        "(?, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), 'test')",
                        (client, kind, value))
            con.commit()
            con.close()
        else:
            self.assertEqual(p.returncode, 0, p.stderr)

    def file(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def add(self, target, data, view="front", name="p.jpg", code=0, *extra):
        p = self.run_cmd("photo", "add", *target, self.file(name, data), "--view", view, *extra)
        if code:
            self.assert_one_line_error(p, code)
        else:
            self.assertEqual(p.returncode, 0, p.stderr)
        return p

    def file_bytes(self):
        """The database file and its log, read by another process (closing
        a file of our own would drop a test connection's POSIX locks)."""
        data = b""
        for name in (self.db, self.db + "-wal"):
            if os.path.exists(name):
                data += subprocess.run(["cat", name], stdout=subprocess.PIPE).stdout
        return data

    def photos(self):
        return self.sql("SELECT count(*) FROM photo")[0][0], self.sql(
            "SELECT count(*) FROM photo_data")[0][0]


class AddThroughPipe(PhotoTest):
    def test_jpeg_and_png_are_kept_with_their_sha256(self):
        self.consent(1, "photos", "yes")
        p = self.add(["1"], JPEG)
        sha = hashlib.sha256(JPEG).hexdigest()
        self.assertIn("Saved photo 1 of client 1 (intake 1, front view): image/jpeg", p.stdout)
        self.assertIn(sha, p.stdout)
        self.add(["1"], PNG, "crown", "x.bin")
        self.assertEqual(self.sql("SELECT media_type, size, sha256 FROM photo ORDER BY id"),
                         [("image/jpeg", len(JPEG), sha),
                          ("image/png", len(PNG), hashlib.sha256(PNG).hexdigest())])
        self.assertEqual(self.sql("SELECT data FROM photo_data WHERE photo_id = 1"), [(JPEG,)])
        self.assertEqual(self.sql("SELECT action FROM audit WHERE action = 'photo-add'"),
                         [("photo-add",), ("photo-add",)])

    def test_refused_without_consent_and_after_it_is_withdrawn(self):
        # Client 2 said no at the assessment (questionnaire 2026.4).
        self.new_intake(base_answers(first_name="Noor", last_name="Ade", consent_photos="no"))
        p = self.add(["3"], JPEG, code=1)
        self.assertIn("client 3 has not consented to photos", p.stderr)
        self.consent(1, "photos", "no")
        p = self.add(["1"], JPEG, code=1)
        self.assertIn("client 1 has not consented to photos", p.stderr)
        self.consent(1, "photos", "yes")
        self.add(["1"], JPEG)
        self.consent(1, "photos", "no")
        p = self.add(["1"], JPEG, code=1)
        self.assertIn("has not consented", p.stderr)
        self.assertEqual(self.photos(), (1, 1))

    def test_files_that_are_not_images_are_refused_by_content(self):
        self.consent(1, "photos", "yes")
        cases = [
            ("text named .jpg", b"just some text, honest\n", "is text, not a JPEG or PNG"),
            ("binary", b"\x00\x01\x02\x03PK\x03\x04" * 10, "not a JPEG or PNG image"),
            ("empty", b"", "is empty"),
            ("jpeg cut short", JPEG[:-200], "JPEG image cut short"),
            ("png without IEND", PNG[:-12], "PNG image cut short"),
        ]
        for what, data, why in cases:
            with self.subTest(what):
                p = self.add(["1"], data, name="photo.jpg", code=1)
                self.assertIn(why, p.stderr)
        self.assertEqual(self.photos(), (0, 0))

    def test_a_50_mb_image_is_refused_by_its_size_quickly(self):
        self.consent(1, "photos", "yes")
        path = os.path.join(self.tmp, "big.jpg")
        with open(path, "wb") as f:
            f.write(JPEG[:4])
            f.truncate(50 * 1024 * 1024)
        start = time.monotonic()
        p = self.run_cmd("photo", "add", "1", path, "--view", "top")
        self.assert_one_line_error(p)
        self.assertIn("is 50.0 MB: a photo may be at most 10 MB", p.stderr)
        self.assertLess(time.monotonic() - start, 5)
        self.assertEqual(self.photos(), (0, 0))

    def test_usage_errors(self):
        self.consent(1, "photos", "yes")
        path = self.file("a.jpg", JPEG)
        for args in (["add", "1", path], ["add", "1", path, "--view", "side"],
                     ["add", "x", path, "--view", "top"], ["add", path, "--view", "top"],
                     ["frobnicate"], ["export", "1"], ["rm", "1"]):
            with self.subTest(args=args):
                self.assert_one_line_error(self.run_cmd("photo", *args), 2)
        for args in (["add", "9", path, "--view", "top"],
                     ["add", "--session", "9", path, "--view", "top"],
                     ["add", "1", path + ".missing", "--view", "top"],
                     ["export", "9", "-o", os.path.join(self.tmp, "o.jpg")],
                     ["rm", "9", "--yes"]):
            with self.subTest(args=args):
                self.assert_one_line_error(self.run_cmd("photo", *args), 1)
        self.assertEqual(self.photos(), (0, 0))


class ListExportRm(PhotoTest):
    def setUp(self):
        super().setUp()
        self.consent(1, "photos", "yes")
        self.consent(2, "photos", "yes")
        self.add(["1"], JPEG)
        self.add(["2"], PNG, "scar", "b.png")

    def test_list_and_filters(self):
        out = self.run_cmd("photo", "list").stdout.splitlines()
        self.assertEqual(out[0].split()[:2], ["PHOTO", "CLIENT"])
        self.assertEqual(len(out), 3)
        self.assertIn(hashlib.sha256(JPEG).hexdigest()[:12], out[1])
        self.assertEqual(len(self.run_cmd("photo", "list", "--client", "2").stdout.splitlines()), 2)
        self.assertIn("scar", self.run_cmd("photo", "list", "--intake", "2").stdout)
        self.assertEqual(self.run_cmd("photo", "list", "--marketing").stdout,
                         "No photos of clients who consented to marketing.\n")
        self.consent(2, "marketing", "yes")
        out = self.run_cmd("photo", "list", "--marketing").stdout.splitlines()
        self.assertEqual([line.split()[1] for line in out[1:]], ["2"])
        self.consent(2, "marketing", "no")
        self.assertIn("No photos", self.run_cmd("photo", "list", "--marketing").stdout)

    def test_export_is_0600_identical_and_logged(self):
        out = os.path.join(self.tmp, "out.png")
        p = self.run_cmd("photo", "export", "2", "-o", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out, "rb") as f:
            data = f.read()
        self.assertEqual(data, PNG)
        self.assertEqual(hashlib.sha256(data).hexdigest(),
                         self.sql("SELECT sha256 FROM photo WHERE id = 2")[0][0])
        self.assertEqual(stat.S_IMODE(os.stat(out).st_mode), 0o600)
        self.assertEqual(self.sql("SELECT command, clients FROM access_log WHERE command = 'photo'"),
                         [("photo", "2")])
        # An existing file is kept unless --force.
        self.assert_one_line_error(self.run_cmd("photo", "export", "1", "-o", out))
        with open(out, "rb") as f:
            self.assertEqual(f.read(), PNG)
        self.assertEqual(self.run_cmd("photo", "export", "1", "-o", out, "--force").returncode, 0)
        with open(out, "rb") as f:
            self.assertEqual(f.read(), JPEG)

    def test_rm_through_a_pipe_needs_yes_and_leaves_no_bytes(self):
        p = self.run_cmd("photo", "rm", "1")
        self.assert_one_line_error(p, 2)
        self.assertEqual(self.photos(), (2, 2))
        p = self.run_cmd("photo", "rm", "1", "--yes")
        self.assertEqual(p.stdout, "Removed photo 1.\n")
        self.assertEqual(self.photos(), (1, 1))
        self.assertEqual(self.sql("SELECT count(*) FROM audit WHERE action = 'photo-rm'"), [(1,)])
        self.assertIn(MARK, self.file_bytes())  # photo 2's are there
        self.run_cmd("photo", "rm", "2", "--yes")
        self.assertNotIn(MARK, self.file_bytes())

    def test_rm_at_a_terminal_asks(self):
        child = self.spawn("photo", "rm", "1")
        rec = record(child)
        child.expect_exact("Type yes to remove photo 1: ")
        type_line(child, "no")
        finish(self, child)
        self.assertIn("Photo 1 of client 1: front view, image/jpeg", rec.text)
        self.assertEqual(self.photos(), (2, 2))
        child = self.spawn("photo", "rm", "1")
        child.expect_exact("Type yes to remove photo 1: ")
        type_line(child, "yes")
        child.expect_exact("Removed photo 1.")
        finish(self, child)
        self.assertEqual(self.photos(), (1, 1))

    def test_erase_leaves_no_image_bytes(self):
        keep = sqlite3.connect(self.db)  # as test_erase: the log is cleared by erase itself
        keep.execute("SELECT count(*) FROM client").fetchall()
        self.addCleanup(keep.close)
        self.consent(1, "marketing", "yes")
        p = self.run_cmd("erase", "2", "--yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.sql("SELECT client_id FROM photo"), [(1,)])
        self.assertEqual(self.sql("SELECT count(*) FROM consent WHERE client_id = 2"), [(0,)])
        p = self.run_cmd("erase", "1", "--yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        data = self.file_bytes()
        self.assertNotIn(MARK, data)
        self.assertNotIn(hashlib.sha256(JPEG).hexdigest().encode(), data)
        self.assertEqual(self.photos(), (0, 0))


class SubjectExport(PhotoTest):
    def test_photos_beside_the_json_0600_with_their_list(self):
        self.consent(1, "photos", "yes")
        self.add(["1"], JPEG)
        self.add(["1"], PNG, "crown", "b.png")
        out = os.path.join(self.tmp, "client.json")
        p = self.run_cmd("export", "--client", "1", "-o", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out) as f:
            files = __import__("json").load(f)["photo_files"]
        folder = out + ".photos"
        self.assertEqual(stat.S_IMODE(os.stat(folder).st_mode), 0o700)
        self.assertEqual(sorted(os.listdir(folder)), sorted(os.path.basename(x["file"]) for x in files))
        for entry, data in zip(files, (JPEG, PNG)):
            path = os.path.join(self.tmp, entry["file"])
            with open(path, "rb") as f:
                self.assertEqual(f.read(), data)
            self.assertEqual(entry["sha256"], hashlib.sha256(data).hexdigest())
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        self.assertEqual(self.sql("SELECT clients FROM access_log WHERE command = 'export'"), [("1",)])
        # To standard output there is nowhere to put them; a second export
        # into the same folder needs --force.
        self.assert_one_line_error(self.run_cmd("export", "--client", "1"))
        self.assert_one_line_error(self.run_cmd("export", "--client", "1", "-o", out))
        p = self.run_cmd("export", "--client", "1", "-o", out, "--force")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(os.listdir(folder)), 2)
        self.assertEqual([n for n in os.listdir(self.tmp) if n.startswith(".smp-intake")], [])

    def test_a_client_without_photos_exports_as_before(self):
        p = self.run_cmd("export", "--client", "2", "-o", os.path.join(self.tmp, "c.json"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "c.json.photos")))
        with open(os.path.join(self.tmp, "c.json")) as f:
            self.assertNotIn("photo_files", f.read())
