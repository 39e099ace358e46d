"""photo add under a kill and a full disk: SIGKILL at random points of a
save of a large image leaves the file whole (integrity_check) and the photo
either all there (row, bytes matching the SHA-256, audit row) or not at
all; a full disk during the save is one line of error and nothing saved,
and the same save works once there is room.  Seeds as test_kills.py."""
import hashlib
import os
import subprocess
import time

from harness import BIN, WRAPPER
from test_faults import PAGE, SHM, FaultTest
from test_kills import kill, seeded
from test_photo import PhotoTest

KILLS = 4 if WRAPPER else 20
# A large image, so that its save takes long enough to be killed in the middle.
BIG = b"\xff\xd8\xff\xe0" + os.urandom(6 * 1024 * 1024) + b"\xff\xd9"


class PhotoFaults(PhotoTest, FaultTest):
    def setUp(self):
        super().setUp()
        self.consent(1, "photos", "yes")
        self.path = self.file("big.jpg", BIG)

    def assert_all_or_nothing(self, what):
        self.assertEqual(self.sql("PRAGMA integrity_check"), [("ok",)], what)
        rows = self.sql("SELECT p.id, p.sha256, p.size, length(d.data) FROM photo p "
                        "LEFT JOIN photo_data d ON d.photo_id = p.id")
        audits = self.sql("SELECT count(*) FROM audit WHERE action = 'photo-add'")[0][0]
        self.assertEqual(len(rows), audits, what)
        for _, sha, size, length in rows:
            self.assertEqual((sha, size, length), (hashlib.sha256(BIG).hexdigest(), len(BIG),
                                                   len(BIG)), what)
        return len(rows)

    def test_photo_add_killed_at_random_points(self):
        seed, rnd = seeded()
        start = time.monotonic()
        self.add(["1"], BIG, name="big.jpg")
        took = time.monotonic() - start
        saved = 1
        for i in range(KILLS):
            delay = rnd.random() * took * 1.2
            what = "seed %d, kill %d after %.1f ms" % (seed, i, delay * 1000)
            with self.subTest(what):
                p = subprocess.Popen(WRAPPER + [BIN, "photo", "add", "1", self.path, "--view",
                                                "top"], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     env=self.env)
                time.sleep(delay)
                kill(p)
                p.wait()
                now = self.assert_all_or_nothing(what)
                self.assertIn(now, (saved, saved + 1), what)
                saved = now

    def test_disk_full_during_photo_add(self):
        p = self.run_limited(SHM + PAGE * 4, "photo", "add", "1", self.path, "--view", "front")
        self.assert_one_line_error(p)
        self.assertIn("cannot save the photo", p.stderr)
        self.assertNotIn("Saved photo", p.stdout)
        self.assertEqual(self.assert_all_or_nothing("disk full"), 0)
        self.add(["1"], BIG, name="big.jpg")
        self.assertEqual(self.assert_all_or_nothing("after"), 1)
