"""Faults a studio can meet, each made on purpose: a full disk during a
save and during an export, a read-only database, a missing or forbidden
folder, a database held by a long writer, a damaged or truncated file, and
a WAL file left behind by a crash.  Each ends with the verdict of
`PRAGMA integrity_check` and the intakes saved before the fault still
exported (a damaged file instead must be left exactly as it was)."""
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys

from harness import BIN, WRAPPER, TIMEOUT, base_answers, pipe_lines, validate_export
from test_pipe_intake import PipeTest

NOBODY = 65534
PAGE = 4096
SHM = 32768  # the -shm file SQLite makes beside a WAL database


def file_bytes(path):
    with open(path, "rb") as f:
        return f.read()


class FaultTest(PipeTest):
    def save_some(self, n, **over):
        """Saves n intakes through the pipe; returns their uuids from the export."""
        for i in range(n):
            self.new_intake(base_answers(first_name="Client%d" % i, **over))
        return self.uuids()

    def uuids(self):
        return [i["uuid"] for i in self.export()]

    def assert_intact(self, uuids):
        """integrity_check says ok and exactly these intakes are exported."""
        self.assertEqual(self.sql("PRAGMA integrity_check"), [("ok",)])
        self.assertEqual(self.uuids(), uuids)

    def run_limited(self, limit, *args, input=None):
        """Runs the binary with files limited to `limit` bytes (SIGXFSZ
        ignored, so a write past it fails with EFBIG as on a full disk)."""
        def cap():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        return self.run_as(cap, *args, input=input)

    def run_as(self, preexec, *args, input=None, env=None):
        p = subprocess.run(WRAPPER + [BIN, *args], input=(input or "").encode(),
                           env=env or self.env, preexec_fn=preexec, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT * 3)
        p.stdout = p.stdout.decode("utf-8", "replace")
        p.stderr = p.stderr.decode("utf-8", "replace")
        if WRAPPER:
            self.assertNotEqual(p.returncode, 99, "valgrind reported errors:\n" + p.stderr)
        return p


class DiskFull(FaultTest):
    def test_disk_full_during_a_save(self):
        saved = self.save_some(3)
        # Room for the -shm file and less than one save's WAL frames.
        # (PRAGMA max_page_count would be simpler, but it belongs to one
        # connection and is not stored in the file, so it cannot reach
        # another process.)
        p = self.run_limited(SHM + PAGE, "new", input=pipe_lines(base_answers(first_name="Late")))
        self.assert_one_line_error(p)
        self.assertIn("cannot save the intake: cannot write to the disk", p.stderr)
        self.assertNotIn("Late", p.stderr)
        self.assertNotIn("Saved intake", p.stdout)
        self.assert_intact(saved)
        self.assertEqual(self.sql("SELECT count(*) FROM client WHERE first_name = 'Late'"), [(0,)])
        # Once there is room again, the same save works.
        self.new_intake(base_answers(first_name="Late"))
        self.assertEqual(len(self.uuids()), 4)

    def test_disk_full_on_a_real_small_filesystem(self):
        """ENOSPC itself, from a tiny tmpfs in a private mount namespace."""
        saved = self.save_some(2)
        if not shutil.which("unshare") or subprocess.run(
                ["unshare", "-rm", "true"], stderr=subprocess.DEVNULL).returncode != 0:
            self.skipTest("cannot make a private mount namespace here (unshare -rm)")
        mnt = os.path.join(self.tmp, "small")
        back = os.path.join(self.tmp, "back")
        os.mkdir(mnt)
        os.mkdir(back)
        with open(os.path.join(self.tmp, "late.txt"), "w") as f:
            f.write(pipe_lines(base_answers(first_name="Late")))
        # Copy the database in, fill the rest but a few pages, save, then
        # bring the files back out for the checks.
        script = r'''
            set -e
            mount -t tmpfs -o size=512k none "$1"
            cp "$2" "$1/i.db"
            head -c $(( $(df -k --output=avail "$1" | tail -n 1) * 1024 - 12288 )) /dev/zero \
                > "$1/filler" 2>/dev/null || true
            set +e
            shift 4
            "$@" --db "$MNT/i.db" new < "$LATE" > "$BACK/out" 2> "$BACK/err"
            echo $? > "$BACK/rc"
            cp "$MNT"/i.db* "$BACK"/
        '''
        env = dict(self.env, MNT=mnt, BACK=back, LATE=os.path.join(self.tmp, "late.txt"))
        r = subprocess.run(["unshare", "-rm", "sh", "-c", script, "sh", mnt, self.db, "-", "-",
                            *WRAPPER, BIN], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT * 3)
        if r.returncode != 0 and b"mount" in r.stderr:
            self.skipTest("cannot mount a tmpfs here: " + r.stderr.decode().strip())
        self.assertEqual(r.returncode, 0, r.stderr)
        err = file_bytes(os.path.join(back, "err")).decode()
        self.assertEqual(file_bytes(os.path.join(back, "rc")).strip(), b"1", err)
        self.assertTrue(err.startswith("smp-intake: ") and err.count("\n") == 1, err)
        self.assertRegex(err, r"disk is full|cannot write to the disk")
        self.db = os.path.join(back, "i.db")
        self.env["SMP_INTAKE_DB"] = self.db
        self.assert_intact(saved)

    def test_disk_full_during_an_export(self):
        notes = "Thinning at the crown and the temples for years. " * 20
        saved = self.save_some(40, hair_loss_notes=notes)
        folder = os.path.join(self.tmp, "out")
        os.mkdir(folder)
        out = os.path.join(folder, "intakes.json")
        self.assertGreater(len(self.run_cmd("export").stdout), SHM + 2 * PAGE)
        p = self.run_limited(SHM + PAGE, "export", "-o", out)
        self.assert_one_line_error(p)
        self.assertIn("cannot write", p.stderr)
        self.assertNotIn(notes[:20], p.stderr)
        self.assertFalse(os.path.exists(out), "a partial export is left under its name")
        self.assertEqual(os.listdir(folder), [], "a temporary file is left behind")
        self.assert_intact(saved)


class Permissions(FaultTest):
    """Modes mean nothing to root: as root these run the program as nobody
    (on files nobody owns); as anyone else, as themselves."""

    def as_nobody(self, folder):
        """A folder nobody may work in, and how to run the program there."""
        os.chmod(self.tmp, 0o755)
        os.makedirs(folder, exist_ok=True)
        if os.geteuid() != 0:
            return None

        def drop():
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
        os.chown(folder, NOBODY, NOBODY)
        return drop

    def test_read_only_database(self):
        folder = os.path.join(self.tmp, "ro")
        drop = self.as_nobody(folder)
        self.db = os.path.join(folder, "intake.db")
        self.env["SMP_INTAKE_DB"] = self.db
        for i in range(2):
            p = self.run_as(drop, "new", input=pipe_lines(base_answers(first_name="Ro%d" % i)))
            self.assertEqual(p.returncode, 0, p.stderr)
        os.chmod(self.db, 0o400)
        before = file_bytes(self.db)
        # What only reads works ...
        for argv in (["list"], ["find", "ro"], ["access-log"]):
            with self.subTest(argv=argv):
                p = self.run_as(drop, *argv)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertEqual(p.stderr, "")
        # ... and what writes says so in one line, naming the file.  Since
        # the access log (issue 7), show, advice and export write a row
        # before (or, streamed, as) they give out a record: on a read-only
        # file they refuse and print nothing (test_access_log.py).
        for argv, words in ((["new"], "new needs to write to it"),
                            (["config", "set", "studio_name", "X"], "cannot change the setting"),
                            (["show", "1"], "cannot record this in the access log"),
                            (["advice", "2"], "cannot record this in the access log"),
                            (["export"], "cannot record this in the access log"),
                            # issue 14: history prints every answer, logged too
                            (["history", "1"], "cannot record this in the access log"),
                            (["signoff", "1", "--status", "pending"], "")):
            with self.subTest(argv=argv):
                p = self.run_as(drop, *argv, input=pipe_lines(base_answers(first_name="Late")))
                self.assert_one_line_error(p)
                self.assertNotIn("Ro0", p.stdout)
                if words:
                    self.assertIn(words, p.stderr)
                    self.assertIn("is read-only", p.stderr)
                    self.assertIn(self.db, p.stderr)
        self.assertEqual(file_bytes(self.db), before)
        self.assertEqual(self.sql("PRAGMA integrity_check"), [("ok",)])
        self.assertEqual(self.sql("SELECT first_name FROM client ORDER BY id"),
                         [("Ro0",), ("Ro1",)])

    def test_folder_without_permission(self):
        folder = os.path.join(self.tmp, "locked")
        drop = self.as_nobody(os.path.join(self.tmp, "mine"))
        os.mkdir(folder)
        path = os.path.join(folder, "intake.db")
        if drop is None:
            os.chmod(folder, 0o000)
            self.addCleanup(os.chmod, folder, 0o700)
        else:
            os.chmod(folder, 0o700)  # root's, and closed to nobody
        for argv in (["new"], ["export"], ["show", "1"], ["list"]):
            with self.subTest(argv=argv):
                p = self.run_as(drop, "--db", path, *argv,
                                input=pipe_lines(base_answers()))
                self.assert_one_line_error(p)
                self.assertIn(path, p.stderr)
                self.assertIn("Permission denied", p.stderr)
        os.chmod(folder, 0o700)
        self.assertEqual(os.listdir(folder), [])

    def test_missing_folder(self):
        saved = self.save_some(1)
        path = os.path.join(self.tmp, "gone", "intake.db")
        for argv in (["new"], ["export"], ["show", "1"], ["find", "a"]):
            with self.subTest(argv=argv):
                p = self.run_cmd("--db", path, *argv, input=pipe_lines(base_answers()))
                self.assert_one_line_error(p)
                self.assertIn(path, p.stderr)
                # new would create the file, the others refuse a missing one
                self.assertIn("No such file or directory" if argv == ["new"] else
                              "no database at", p.stderr)
        self.assertFalse(os.path.exists(os.path.dirname(path)))
        self.assert_intact(saved)


class Busy(FaultTest):
    def test_a_long_writer_gives_busy_after_the_timeout(self):
        saved = self.save_some(2)
        holder = sqlite3.connect(self.db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("INSERT INTO setting (key, value) VALUES ('held', 'x')")
        out = os.path.join(self.tmp, "out")
        os.mkdir(out)
        try:
            # Readers are not blocked by a writer (WAL) ...
            p = self.run_cmd("list")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stdout.count("Client"), 2, p.stdout)
            # ... a writer waits for the busy timeout (10 s), then says so;
            # so does an export (side by side, to wait once), which reads
            # but cannot write its access log row: no file is left.
            export = subprocess.Popen(WRAPPER + [BIN, "export", "-o", os.path.join(out, "x")],
                                      stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, env=self.env, text=True)
            p = self.run_cmd("new", input=pipe_lines(base_answers(first_name="Late")))
            self.assert_one_line_error(p)
            self.assertIn("the database is busy (someone else is saving); try again", p.stderr)
            p = subprocess.CompletedProcess(export.args, 0)
            p.stdout, p.stderr = export.communicate(timeout=TIMEOUT * 3)
            p.returncode = export.returncode
            self.assert_one_line_error(p)
            self.assertIn("cannot record this in the access log: the database is busy", p.stderr)
            self.assertEqual(os.listdir(out), [])
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        self.assert_intact(saved)
        self.new_intake(base_answers(first_name="Late"))
        self.assertEqual(len(self.uuids()), 3)


class Damaged(FaultTest):
    def check_refused(self, path):
        """Every command gives one line naming the damage; none changes the file."""
        before = file_bytes(path)
        for argv in (["export"], ["show", "1"], ["list"], ["new"]):
            with self.subTest(argv=argv):
                p = self.run_cmd("--db", path, *argv, input=pipe_lines(base_answers()))
                self.assert_one_line_error(p)
                self.assertIn("is damaged", p.stderr)
                self.assertIn("restore it from a backup", p.stderr)
                self.assertEqual(file_bytes(path), before, "the damaged file was changed")

    def checkpointed_copy(self, name):
        """A copy of the database with every save in the main file."""
        path = os.path.join(self.tmp, name)
        con = sqlite3.connect(self.db)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (root,) = con.execute("SELECT rootpage FROM sqlite_schema WHERE name = 'intake'").fetchone()
        con.close()
        shutil.copyfile(self.db, path)
        return path, root

    def test_flipped_bytes_in_a_page(self):
        self.save_some(30)
        path, root = self.checkpointed_copy("flipped.db")
        with open(path, "r+b") as f:
            f.seek((root - 1) * PAGE)
            page = bytearray(f.read(16))
            f.seek((root - 1) * PAGE)
            f.write(bytes(b ^ 0xFF for b in page))
        self.check_refused(path)
        # The original is untouched by all this.
        self.assertEqual(self.sql("PRAGMA integrity_check"), [("ok",)])

    def test_truncated_file(self):
        self.save_some(30)
        path, _ = self.checkpointed_copy("truncated.db")
        with open(path, "r+b") as f:
            f.truncate(5 * PAGE)
        self.check_refused(path)


class Crash(FaultTest):
    HOLDER = r'''
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("SELECT count(*) FROM intake").fetchone()
if sys.argv[2] == "write":
    # A writer that never commits, its pages spilling into the WAL.
    con.execute("PRAGMA cache_size = 1")
    con.execute("BEGIN IMMEDIATE")
    for i in range(300):
        con.execute("INSERT INTO client (first_name, last_name, date_of_birth, created_at) "
                    "VALUES ('Ghost', ?, '1980-01-01', 'x')", ("x" * 500 + str(i),))
print("ready", flush=True)
time.sleep(600)
'''

    def start_holder(self, mode):
        p = subprocess.Popen([sys.executable, "-c", self.HOLDER, self.db, mode],
                             stdout=subprocess.PIPE)
        self.addCleanup(p.stdout.close)
        self.addCleanup(p.wait)
        self.addCleanup(p.kill)
        self.assertEqual(p.stdout.readline(), b"ready\n")
        return p

    def test_wal_left_by_a_crash_is_recovered(self):
        self.save_some(1)
        # While another process keeps the file open, saves stay in the WAL
        # (the last one to close would otherwise fold it into the file).
        holder = self.start_holder("read")
        for i in range(3):
            self.new_intake(base_answers(first_name="Wal%d" % i))
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        self.assertGreater(os.path.getsize(self.db + "-wal"), 0)
        # The same files copied elsewhere without the -shm, as a backup
        # tool or a crash of the machine would leave them.
        copy = os.path.join(self.tmp, "copy.db")
        shutil.copyfile(self.db, copy)
        shutil.copyfile(self.db + "-wal", copy + "-wal")
        saved = self.uuids()
        self.assertEqual(len(saved), 4)
        self.assertEqual(self.sql("PRAGMA integrity_check"), [("ok",)])
        self.db = copy
        self.env["SMP_INTAKE_DB"] = self.db
        self.assert_intact(saved)

    def test_writer_killed_before_commit_leaves_nothing(self):
        saved = self.save_some(2)
        writer = self.start_holder("write")
        wal = os.path.getsize(self.db + "-wal")
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        self.assertGreater(wal, 0)
        self.assert_intact(saved)
        self.assertEqual(self.sql("SELECT count(*) FROM client WHERE first_name = 'Ghost'"),
                         [(0,)])
        self.new_intake(base_answers(first_name="After"))
        self.assertEqual(len(self.uuids()), 3)
        self.assertEqual(self.sql("PRAGMA integrity_check"), [("ok",)])
