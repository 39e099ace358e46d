"""`smp-intake photo add|list|export|rm` (issue 16): a client's photos kept in
the database under their own consent: JPEG or PNG only, told by content; the
studio's size limit checked before reading; SHA-256 kept; refused without
consent or after it is withdrawn; exported 0600 byte for byte after an
access-log row; removed with an audit row; the marketing list."""
import hashlib
import os
import struct
import time
import zlib

import pexpect

from harness import IntakeTest, base_answers
from ptyutil import type_line


def png_bytes(tag=b"\x00\xff\x00\x00"):
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(tag)) + chunk(b"IEND", b""))


def jpeg_bytes(body=b"Photo-Quibbleworth-" * 20):
    return b"\xff\xd8\xff\xe0" + body + b"\xff\xd9"


class PhotoTest(IntakeTest):
    def setUp(self):
        super().setUp()
        self.new_intake(base_answers(consent_photos="yes", consent_marketing="no"))  # 1
        self.new_intake(base_answers(first_name="Noel", consent_photos="no"))           # 2

    def file(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def add(self, intake, data, *extra, name="p.jpg", view="front"):
        return self.run_cmd("photo", "add", str(intake), self.file(name, data), "--view", view,
                            *extra)

    def refused(self, p, words, code=1):
        self.assertEqual(p.returncode, code, p.stdout + p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
        self.assertIn(words, p.stderr)
        self.assertEqual(self.sql("SELECT count(*) FROM photo_data"),
                         self.sql("SELECT count(*) FROM photo"))

    def photos(self):
        return self.sql("SELECT id, client_id, intake_id, session_id, view, media_type, size, "
                        "sha256 FROM photo ORDER BY id")


class Add(PhotoTest):
    def test_jpeg_and_png_kept_with_their_hash_and_an_audit_row(self):
        jpg, png = jpeg_bytes(), png_bytes()
        p = self.add(1, jpg)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(hashlib.sha256(jpg).hexdigest(), p.stdout)
        p = self.add(1, png, name="crown.png", view="crown")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.photos(), [
            (1, 1, 1, None, "front", "image/jpeg", len(jpg), hashlib.sha256(jpg).hexdigest()),
            (2, 1, 1, None, "crown", "image/png", len(png), hashlib.sha256(png).hexdigest())])
        self.assertEqual(self.sql("SELECT data FROM photo_data ORDER BY photo_id"),
                         [(jpg,), (png,)])
        self.assertEqual(self.sql("SELECT count(*) FROM audit WHERE action = 'photo-add'"), [(2,)])
        lines = self.run_cmd("photo", "list").stdout.splitlines()
        self.assertTrue(lines[0].startswith("photo"), lines)
        self.assertEqual(len(lines), 3)
        self.assertIn(hashlib.sha256(png).hexdigest()[:16], lines[2])

    def test_what_is_not_a_whole_image_is_refused(self):
        for name, data in (("text.jpg", b"just some text, named .jpg\n"),
                           ("cut.jpg", jpeg_bytes()[:-2]),
                           ("cut.png", png_bytes()[:-12]),
                           ("empty.png", b""),
                           ("gif.png", b"GIF89a" + b"\x00" * 40)):
            with self.subTest(name=name):
                self.refused(self.add(1, data, name=name), "not a whole JPEG or PNG")
        self.assertEqual(self.photos(), [])

    def test_a_50_mb_file_is_refused_before_it_is_read(self):
        path = os.path.join(self.tmp, "big.jpg")
        with open(path, "wb") as f:
            f.truncate(50 << 20)
        start = time.monotonic()
        p = self.run_cmd("photo", "add", "1", path, "--view", "top")
        self.refused(p, "larger than 10 MB")
        self.assertLess(time.monotonic() - start, 10)
        # The studio's own limit: 1 MB refuses a 2 MB image.
        self.run_cmd("config", "set", "photo_max_mb", "1")
        self.refused(self.add(1, jpeg_bytes(b"x" * (2 << 20))), "larger than 1 MB")

    def test_refused_without_consent_and_after_withdrawal(self):
        self.refused(self.add(2, jpeg_bytes()), "has not agreed to photos")
        self.assertEqual(self.add(1, jpeg_bytes()).returncode, 0)
        self.assertEqual(self.run_cmd("consent", "1", "--photos", "no").returncode, 0)
        self.refused(self.add(1, jpeg_bytes()), "has not agreed to photos")
        self.assertEqual(len(self.photos()), 1)

    def test_bad_arguments(self):
        for args, code in ((["add", "1", "x.jpg"], 2), (["add", "1", "x.jpg", "--view", "side"], 2),
                           (["add", "zz", "x.jpg", "--view", "top"], 2),
                           (["add", "1", os.path.join(self.tmp, "missing.jpg"), "--view", "top"], 1),
                           (["add", "1", self.tmp, "--view", "top"], 1),
                           (["export", "1"], 2), (["rm"], 2), (["list", "--yes"], 2)):
            with self.subTest(args=args):
                p = self.run_cmd("photo", *args)
                self.assertEqual(p.returncode, code, p.stdout + p.stderr)
                self.assertRegex(p.stderr, r"^(smp-intake: |usage: )")
        p = self.add(1, jpeg_bytes(), "--session", "7")
        self.refused(p, "no session 7")
        self.assertEqual(self.add(9, jpeg_bytes()).returncode, 1)


class ExportAndRemove(PhotoTest):
    def setUp(self):
        super().setUp()
        self.jpg = jpeg_bytes()
        self.assertEqual(self.add(1, self.jpg).returncode, 0)

    def test_export_is_private_whole_and_logged(self):
        out = os.path.join(self.tmp, "out.jpg")
        p = self.run_cmd("photo", "export", "1", "-o", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out, "rb") as f:
            self.assertEqual(f.read(), self.jpg)
        self.assertEqual(os.stat(out).st_mode & 0o777, 0o600)
        self.assertEqual(self.sql("SELECT command, clients FROM access_log"), [("photo", "1")])
        # An existing file is kept unless --force.
        p = self.run_cmd("photo", "export", "1", "-o", out)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(self.run_cmd("photo", "export", "1", "-o", out, "--force").returncode, 0)
        self.assertEqual(self.run_cmd("photo", "export", "5", "-o", out + "2").returncode, 1)
        self.assertFalse(os.path.exists(out + "2"))

    def test_an_imported_photo_has_no_image_to_export(self):
        p = self.run_cmd("export")
        self.assertEqual(p.returncode, 0, p.stderr)
        data = self.file("all.json", p.stdout.encode())
        env = dict(self.env, SMP_INTAKE_DB=os.path.join(self.tmp, "other.db"))
        p = self.run_cmd("import", data, env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        out = os.path.join(self.tmp, "from-import.jpg")
        p = self.run_cmd("photo", "export", "1", "-o", out, env=env)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("no image in this database", p.stderr)
        self.assertFalse(os.path.exists(out))

    def test_rm_through_a_pipe_needs_yes(self):
        p = self.run_cmd("photo", "rm", "1")
        self.refused(p, "--yes")
        self.assertEqual(len(self.photos()), 1)
        p = self.run_cmd("photo", "rm", "1", "--yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.photos(), [])
        self.assertEqual(self.sql("SELECT count(*) FROM photo_data"), [(0,)])
        self.assertEqual(self.sql("SELECT count(*) FROM audit WHERE action = 'photo-rm'"), [(1,)])
        self.assertEqual(self.run_cmd("photo", "rm", "1", "--yes").returncode, 1)

    def test_rm_at_a_terminal_asks(self):
        child = self.spawn("photo", "rm", "1")
        child.expect_exact("Type yes: ")
        type_line(child, "no")
        child.expect_exact("Nothing removed.")
        child.expect(pexpect.EOF)
        self.assertEqual(len(self.photos()), 1)
        child = self.spawn("photo", "rm", "1")
        child.expect_exact("Type yes: ")
        type_line(child, "yes")
        child.expect_exact("Removed photo 1")
        child.expect(pexpect.EOF)
        self.assertEqual(self.photos(), [])

    def test_marketing_list_only_with_that_consent(self):
        p = self.run_cmd("photo", "list", "--marketing")
        self.assertEqual(p.stdout, "No photo the studio may use for marketing.\n")
        self.assertEqual(self.run_cmd("consent", "1", "--marketing", "yes").returncode, 0)
        lines = self.run_cmd("photo", "list", "--marketing").stdout.splitlines()
        self.assertEqual(len(lines), 2, lines)
        self.assertEqual(self.run_cmd("consent", "1", "--marketing", "no").returncode, 0)
        p = self.run_cmd("photo", "list", "--marketing")
        self.assertEqual(p.stdout, "No photo the studio may use for marketing.\n")
