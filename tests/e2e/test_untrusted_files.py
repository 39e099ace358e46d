"""Files we did not make (issue 14): a database, -wal or -shm file that
another user owns or that others can read or write, a folder others could
swap it in, something that is not a file at all; and read-only media (a
read-only mount, a file and folder without write permission), where what
only reads works and what must write or log an access says so up front.

As root, "another user" is nobody (os.chown); modes mean nothing to root,
so the permission cases run the program as nobody, on files nobody owns.
The read-only mount is a tmpfs in a private mount namespace (unshare -rm),
remounted read-only."""
import os
import shlex
import shutil
import signal
import sqlite3
import stat
import subprocess

import pexpect

from harness import BIN, WRAPPER, TIMEOUT, base_answers, pipe_lines
from ptyutil import MENU, finish, type_line
from test_pipe_intake import PipeTest

NOBODY = 65534
ANA = base_answers(first_name="Ana", last_name="Silva")
BEA = base_answers(first_name="Bea", last_name="Costa", date_of_birth="1990-02-03")
IS_ROOT = os.geteuid() == 0


def plain(*args, env, input, preexec=None):
    """Runs the binary without valgrind: for fixtures, which other tests
    check (a wrapper would only make the module slow)."""
    p = subprocess.run([BIN, *args], input=input.encode(), env=env, preexec_fn=preexec,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT * 3)
    assert p.returncode == 0, p.stderr
    return p


def not_under_valgrind(test):
    """A case whose code path a sampled test covers already: left out when
    the binary runs under valgrind, to keep make valgrind in its budget."""
    def run(self):
        if WRAPPER:
            self.skipTest("under valgrind: the sampled cases cover this path")
        return test(self)
    run.__name__ = test.__name__
    run.__doc__ = test.__doc__
    return run


def sample(cases):
    """All the cases; under valgrind (20 times slower) the first and the
    last, as the refusals share one path through the code."""
    cases = list(cases)
    return cases if not WRAPPER or len(cases) <= 2 else [cases[0], cases[-1]]


def file_bytes(path):
    with open(path, "rb") as f:
        return f.read()


class FileCase(PipeTest):
    """Helpers only: an intake of Ana's saved first."""

    def setUp(self):
        super().setUp()
        plain("new", env=self.env, input=pipe_lines(ANA))

    def assert_refused(self, p, *words):
        """One line, exit 1, nothing of the client printed, words in it."""
        self.assert_one_line_error(p)
        self.assertNotIn("Silva", p.stdout + p.stderr)
        for w in words:
            self.assertIn(w, p.stderr)

    def refused_everywhere(self, db, *words, argvs=None):
        """Every kind of command refuses db, which stays byte for byte."""
        before = file_bytes(db)
        for argv in sample(argvs or (["list"], ["find", "ana"], ["show", "1"], ["export"],
                                     ["history", "1"], ["new"])):
            with self.subTest(argv=argv):
                p = self.run_cmd("--db", db, *argv, input=pipe_lines(BEA))
                self.assert_refused(p, *words)
        self.assertEqual(file_bytes(db), before)

    def works(self, db):
        p = self.run_cmd("--db", db, "list")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Ana Silva", p.stdout)


class Untrusted(FileCase):
    def test_a_file_others_can_read_or_write_is_refused(self):
        for mode, what in sample(((0o644, "read"), (0o640, "read"), (0o604, "read"),
                                  (0o620, "changed"), (0o602, "changed"), (0o666, "read"))):
            with self.subTest(mode=oct(mode)):
                os.chmod(self.db, mode)
                self.refused_everywhere(self.db, "'%s' can be %s by other users" % (self.db, what),
                                        "; run: chmod 600 " + self.db,
                                        argvs=[["list"], ["show", "1"], ["new"]])
        os.chmod(self.db, 0o600)
        self.works(self.db)

    @not_under_valgrind
    def test_a_copy_made_0644_by_another_program_is_refused(self):
        """sqlite3's .backup (or cp of a 0644 file) under the usual umask 022."""
        copy = os.path.join(self.tmp, "backup copy.db")
        subprocess.run(["sh", "-c", 'umask 022; sqlite3 "$1" ".backup \'$2\'"', "sh",
                        self.db, copy], check=True)
        self.assertEqual(stat.S_IMODE(os.stat(copy).st_mode), 0o644)
        # The chmod to run is quoted for the shell (the name has a space).
        self.refused_everywhere(copy, "can be read by other users",
                                "; run: chmod 600 '%s'\n" % copy)
        subprocess.run(["chmod", "600", copy], check=True)
        self.works(copy)

    @not_under_valgrind
    def test_an_empty_file_made_by_touch_is_refused_until_private(self):
        path = os.path.join(self.tmp, "touched.db")
        subprocess.run(["sh", "-c", 'umask 022; touch "$1"', "sh", path], check=True)
        p = self.run_cmd("--db", path, "new", input=pipe_lines(BEA))
        self.assert_refused(p, "can be read by other users", "chmod 600 " + path)
        self.assertEqual(os.path.getsize(path), 0)
        os.chmod(path, 0o600)
        self.new_intake(BEA, "--db", path)

    def test_wal_and_shm_files_with_other_modes_are_refused(self):
        # A reader holding the file open keeps its -wal and -shm beside it.
        con = sqlite3.connect(self.db)
        self.addCleanup(con.close)
        con.execute("SELECT count(*) FROM client").fetchall()
        plain("new", env=self.env, input=pipe_lines(BEA))
        for suffix in ("-wal", "-shm"):
            self.assertTrue(os.path.exists(self.db + suffix), suffix)
        for suffix, mode in sample((("-shm", 0o644), ("-wal", 0o640), ("-wal", 0o606))):
            with self.subTest(suffix=suffix, mode=oct(mode)):
                os.chmod(self.db + suffix, mode)
                self.refused_everywhere(self.db, "'%s%s' can be" % (self.db, suffix),
                                        "run: chmod 600 %s%s" % (self.db, suffix),
                                        argvs=[["list"], ["show", "1"]])
                os.chmod(self.db + suffix, 0o600)
        self.works(self.db)

    @not_under_valgrind
    def test_a_link_as_wal_file_is_refused(self):
        con = sqlite3.connect(self.db)
        self.addCleanup(con.close)
        con.execute("SELECT count(*) FROM client").fetchall()
        elsewhere = os.path.join(self.tmp, "elsewhere")
        os.rename(self.db + "-wal", elsewhere)
        os.symlink(elsewhere, self.db + "-wal")
        self.refused_everywhere(self.db, "'%s-wal' is a symbolic link" % self.db,
                                argvs=[["list"], ["new"]])

    def test_a_folder_others_can_write_is_refused_unless_sticky(self):
        folder = os.path.join(self.tmp, "shared")
        os.mkdir(folder)
        db = os.path.join(folder, "intake.db")
        shutil.copy2(self.db, db)
        for mode in (0o777, 0o770, 0o1777):
            with self.subTest(mode=oct(mode)):
                os.chmod(folder, mode)
                if mode & stat.S_ISVTX:
                    self.works(db)  # sticky, as /tmp: only we may rename our file
                else:
                    self.refused_everywhere(db, "in a folder other users can write to ('%s')"
                                            % folder, "; run: chmod go-w " + folder)
        # A new database is not made in such a folder either ...
        os.chmod(folder, 0o777)
        fresh = os.path.join(folder, "new.db")
        p = self.run_cmd("--db", fresh, "new", input=pipe_lines(BEA))
        self.assert_refused(p, "other users can write to")
        self.assertFalse(os.path.exists(fresh))
        # ... but is in a sticky one, and is ours and private there.
        os.chmod(folder, 0o1777)
        self.new_intake(BEA, "--db", fresh)
        st = os.stat(fresh)
        self.assertEqual((st.st_uid, stat.S_IMODE(st.st_mode)), (os.geteuid(), 0o600))

    @not_under_valgrind
    def test_a_database_through_a_link_is_judged_by_its_target(self):
        os.chmod(self.db, 0o644)
        link = os.path.join(self.tmp, "link.db")
        os.symlink(self.db, link)
        self.refused_everywhere(link, "can be read by other users", argvs=[["list"]])
        os.chmod(self.db, 0o600)
        self.works(link)

    def test_what_is_not_a_regular_file_is_refused(self):
        fifo = os.path.join(self.tmp, "fifo.db")
        os.mkfifo(fifo, 0o600)
        folder = os.path.join(self.tmp, "folder.db")
        os.mkdir(folder, 0o700)
        for path in (fifo, folder):
            for argv in (["list"], ["new"]):
                with self.subTest(path=path, argv=argv):
                    # (A FIFO used to hang: the open waited for a writer.)
                    p = self.run_cmd("--db", path, *argv, input=pipe_lines(BEA))
                    self.assert_refused(p, "'%s' is not a regular file" % path)
        self.assertEqual(os.listdir(folder), [])


class OtherUsers(FileCase):
    """Files and folders of another user (root only: os.chown)."""

    def setUp(self):
        if not IS_ROOT:
            self.skipTest("only root can give a file to another user")
        super().setUp()

    def test_a_file_of_another_user_in_a_sticky_folder_is_refused(self):
        # Someone made /tmp/intake.db (world-writable /tmp is sticky) and
        # left it for us to use: 0666 or 0600, it is theirs.
        folder = os.path.join(self.tmp, "tmp")
        os.mkdir(folder)
        os.chmod(folder, 0o1777)
        db = os.path.join(folder, "intake.db")
        shutil.copy2(self.db, db)
        os.chown(db, NOBODY, NOBODY)
        for mode in (0o666, 0o600):
            with self.subTest(mode=oct(mode)):
                os.chmod(db, mode)
                self.refused_everywhere(db, "'%s' belongs to another user (" % db,
                                        "chown root " + db)
        # A new database at that path is refused too: it is there, theirs.
        p = self.run_cmd("--db", db, "new", input=pipe_lines(BEA))
        self.assert_refused(p, "belongs to another user")

    @not_under_valgrind
    def test_wal_or_shm_of_another_user_is_refused(self):
        con = sqlite3.connect(self.db)
        self.addCleanup(con.close)
        con.execute("SELECT count(*) FROM client").fetchall()
        for suffix in ("-wal", "-shm"):
            with self.subTest(suffix=suffix):
                os.chown(self.db + suffix, NOBODY, NOBODY)
                self.refused_everywhere(self.db, "'%s%s' belongs to another user"
                                        % (self.db, suffix), argvs=[["list"], ["show", "1"]])
                os.chown(self.db + suffix, 0, 0)
        self.works(self.db)

    @not_under_valgrind
    def test_a_folder_of_another_user_is_refused(self):
        folder = os.path.join(self.tmp, "theirs")
        os.mkdir(folder, 0o755)
        db = os.path.join(folder, "intake.db")
        shutil.copy2(self.db, db)
        os.chown(folder, NOBODY, NOBODY)
        os.chmod(self.tmp, 0o755)
        self.refused_everywhere(db, "in a folder of another user (nobody, '%s')" % folder)


class ReadOnlyMedia(PipeTest):
    """A read-only mount: a tmpfs in a private mount namespace, the files
    copied in (modes kept), then remounted read-only."""

    def setUp(self):
        super().setUp()
        if not shutil.which("unshare") or subprocess.run(
                ["unshare", "-rm", "true"], stderr=subprocess.DEVNULL).returncode != 0:
            self.skipTest("cannot make a private mount namespace here (unshare -rm)")
        plain("new", env=self.env, input=pipe_lines(ANA))
        self.mnt = os.path.join(self.tmp, "mnt")
        os.mkdir(self.mnt)

    def on_read_only_mount(self, files, runs):
        """Copies files (paths) into a tmpfs, remounts it read-only and runs
        each of runs (argv lists, with --db the copy of the first file, and
        BEA's answers as input); returns their results (CompletedProcess,
        text)."""
        back = os.path.join(self.tmp, "back")
        os.mkdir(back)
        with open(os.path.join(self.tmp, "input"), "w") as f:
            f.write(pipe_lines(BEA))
        lines = []
        for i, argv in enumerate(runs):
            words = " ".join(shlex.quote(a) for a in argv)
            lines.append('"$@" --db "$MNT/%s" %s < "$INPUT" > "$BACK/%d.out" 2> "$BACK/%d.err"; '
                         'echo $? > "$BACK/%d.rc"'
                         % (os.path.basename(files[0]), words, i, i, i))
        script = "\n".join([
            "set -e",
            'mount -t tmpfs -o size=4m,mode=0700 none "$MNT"',
            'cp -p %s "$MNT"/' % " ".join(shlex.quote(f) for f in files),
            'mount -o remount,ro "$MNT"',
            "set +e",
            *lines,
        ])
        env = dict(self.env, MNT=self.mnt, BACK=back, INPUT=os.path.join(self.tmp, "input"))
        r = subprocess.run(["unshare", "-rm", "sh", "-c", script, "sh", *WRAPPER, BIN], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=TIMEOUT * (3 + len(runs)))
        if r.returncode != 0 and b"mount" in r.stderr:
            self.skipTest("cannot mount a tmpfs here: " + r.stderr.decode().strip())
        self.assertEqual(r.returncode, 0, r.stderr)
        results = []
        for i in range(len(runs)):
            p = subprocess.CompletedProcess(runs[i], int(file_bytes(os.path.join(back, "%d.rc" % i))))
            p.stdout = file_bytes(os.path.join(back, "%d.out" % i)).decode("utf-8", "replace")
            p.stderr = file_bytes(os.path.join(back, "%d.err" % i)).decode("utf-8", "replace")
            if WRAPPER:
                self.assertNotEqual(p.returncode, 99, "valgrind reported errors:\n" + p.stderr)
            results.append(p)
        shutil.rmtree(back)
        return results

    def test_reading_commands_work_on_a_read_only_mount(self):
        runs = [["list"], ["find", "ana"], ["verify"], ["ids"], ["access-log"],
                ["drafts"], ["config", "list"], ["list", "--format", "json"]]
        if WRAPPER:
            runs = [runs[0], runs[2], runs[4]]
        here = [self.run_cmd(*argv) for argv in runs]
        got = self.on_read_only_mount([self.db], runs)
        for argv, p, want in zip(runs, got, here):
            with self.subTest(argv=argv):
                self.assertEqual((p.returncode, p.stderr), (0, ""))
                self.assertEqual(p.stdout, want.stdout)
        self.assertIn("Ana Silva", got[0].stdout)

    def test_modes_of_read_only_media_are_theirs(self):
        """A 0644 file (a backup copied with its mode kept) on a read-only
        mount: nobody can change it there, nor chmod it, so it is read."""
        os.chmod(self.db, 0o644)
        got = self.on_read_only_mount([self.db], [["list"]])
        self.assertEqual((got[0].returncode, got[0].stderr), (0, ""))
        self.assertIn("Ana Silva", got[0].stdout)

    def test_commands_that_write_or_log_say_so_and_print_nothing(self):
        runs = [["show", "1"], ["advice", "1"], ["export"], ["history", "1"], ["new"], ["edit", "1"],
                ["signoff", "1", "--status", "pending"], ["acknowledge", "1", "--name", "Ana Silva"],
                ["erase", "1", "--yes"], ["contact", "1", "--phone", "-"],
                ["config", "set", "studio_name", "X"]]
        if WRAPPER:
            runs = [runs[0], runs[2], runs[3], runs[-1]]
        got = self.on_read_only_mount([self.db], runs)
        mounted = os.path.join(self.mnt, "intake.db")
        for argv, p in zip(runs, got):
            with self.subTest(argv=argv):
                self.assert_one_line_error(p)
                self.assertEqual(p.stdout, "")
                self.assertIn("the database '%s' is read-only (a read-only file system)"
                              % mounted, p.stderr)
                if argv[0] in ("show", "advice", "export", "history"):
                    self.assertIn("cannot record this in the access log", p.stderr)
                    self.assertIn("; %s needs to record the access" % argv[0], p.stderr)
                elif argv[0] == "config":
                    self.assertIn("cannot change the setting", p.stderr)
                else:
                    self.assertIn("; %s needs to write to it" % argv[0], p.stderr)

    def wal_left_open(self):
        """The database with Bea saved in its -wal file only (a reader held
        it open, so nothing was checkpointed): copies of the three files."""
        con = sqlite3.connect(self.db)
        try:
            con.execute("SELECT count(*) FROM client").fetchall()
            plain("new", env=self.env, input=pipe_lines(BEA))
            copies = os.path.join(self.tmp, "copies")
            os.mkdir(copies)
            for suffix in ("", "-wal", "-shm"):
                shutil.copy2(self.db + suffix, os.path.join(copies, "intake.db" + suffix))
        finally:
            con.close()
        self.assertGreater(os.path.getsize(os.path.join(copies, "intake.db-wal")), 0)
        return os.path.join(copies, "intake.db")

    @not_under_valgrind
    def test_a_wal_not_checkpointed_is_read_when_its_shm_is_there(self):
        db = self.wal_left_open()
        got = self.on_read_only_mount([db, db + "-wal", db + "-shm"], [["list"], ["show", "2"]])
        self.assertEqual((got[0].returncode, got[0].stderr), (0, ""))
        self.assertIn("Ana Silva", got[0].stdout)
        self.assertIn("Bea Costa", got[0].stdout)
        self.assert_one_line_error(got[1])
        self.assertIn("is read-only (a read-only file system); show needs to record the access",
                      got[1].stderr)

    def test_a_wal_not_checkpointed_without_shm_is_refused_not_ignored(self):
        # Opened immutable, SQLite would read the main file alone and show
        # the clients without Bea as if that were all.
        db = self.wal_left_open()
        got = self.on_read_only_mount([db, db + "-wal"], [["list"], ["ids"]])
        mounted = os.path.join(self.mnt, "intake.db")
        for p in got:
            self.assert_one_line_error(p)
            self.assertEqual(p.stdout, "")
            self.assertIn("'%s-wal' holds changes not yet written into '%s'"
                          % (mounted, mounted), p.stderr)
            self.assertIn("copy both files to a folder you can write to", p.stderr)


class ReadOnlyPermissions(PipeTest):
    """A file 0400 in a folder 0500 (and a writable file in such a folder):
    no -wal or -shm can be made beside it, as on read-only media."""

    def setUp(self):
        super().setUp()
        self.folder = os.path.join(self.tmp, "ro")
        os.chmod(self.tmp, 0o755)
        os.mkdir(self.folder, 0o700)
        self.db = os.path.join(self.folder, "intake.db")
        self.env["SMP_INTAKE_DB"] = self.db
        self.drop = None
        if IS_ROOT:
            os.chown(self.folder, NOBODY, NOBODY)

            def drop():
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            self.drop = drop

    def tearDown(self):
        os.chmod(self.folder, 0o700)
        super().tearDown()

    def run_as(self, *args, input=None):
        p = subprocess.run(WRAPPER + [BIN, *args], input=(input or "").encode(), env=self.env,
                           preexec_fn=self.drop, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=TIMEOUT * 3)
        p.stdout = p.stdout.decode("utf-8", "replace")
        p.stderr = p.stderr.decode("utf-8", "replace")
        if WRAPPER:
            self.assertNotEqual(p.returncode, 99, "valgrind reported errors:\n" + p.stderr)
        return p

    def check_read_only(self, why):
        p = self.run_as("list")
        self.assertEqual((p.returncode, p.stderr), (0, ""))
        self.assertIn("Ana Silva", p.stdout)
        for argv, words in ((["show", "1"], "show needs to record the access"),
                            (["new"], "new needs to write to it")):
            with self.subTest(argv=argv):
                p = self.run_as(*argv, input=pipe_lines(BEA))
                self.assert_one_line_error(p)
                self.assertEqual(p.stdout, "")
                self.assertIn("the database '%s' is read-only (%s)" % (self.db, why), p.stderr)
                self.assertIn(words, p.stderr)
        self.assertEqual(sorted(os.listdir(self.folder)), ["intake.db"])

    def test_a_0400_file_in_a_0500_folder_is_read(self):
        plain("new", env=self.env, input=pipe_lines(ANA), preexec=self.drop)
        os.chmod(self.db, 0o400)
        os.chmod(self.folder, 0o500)
        self.check_read_only("check the file's permissions")

    @not_under_valgrind
    def test_a_writable_file_in_a_0500_folder_is_read(self):
        plain("new", env=self.env, input=pipe_lines(ANA), preexec=self.drop)
        os.chmod(self.folder, 0o500)
        self.check_read_only("check the folder's permissions")

    @not_under_valgrind
    def test_the_menu_on_a_read_only_database(self):
        """At a terminal: the menu opens and lists; show and new, which
        must write, say so in one line and the menu goes on."""
        plain("new", env=self.env, input=pipe_lines(ANA), preexec=self.drop)
        os.chmod(self.db, 0o400)
        os.chmod(self.folder, 0o500)

        def start():
            signal.signal(signal.SIGHUP, signal.SIG_DFL)
            if self.drop:
                self.drop()
        cmd = WRAPPER + [BIN]
        child = pexpect.spawn(cmd[0], cmd[1:], env=self.env, encoding="utf-8",
                              timeout=TIMEOUT, dimensions=(50, 100), preexec_fn=start)
        self.addCleanup(child.close, force=True)
        child.expect_exact("Type help for the commands")
        child.expect_exact(MENU)
        type_line(child, "list")
        child.expect_exact("Ana Silva")
        child.expect_exact(MENU)
        for line, words in (("show 1", "show needs to record the access"),
                            ("new", "new needs to write to it")):
            type_line(child, line)
            child.expect_exact("is read-only (check the file's permissions); " + words)
            child.expect_exact(MENU)
            self.assertNotIn("Silva", child.before)
        type_line(child, "quit")
        self.assertEqual(finish(self, child), 0)

    def test_an_older_schema_on_read_only_media_is_refused(self):
        """It would need its migrations, which are writes."""
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        con = sqlite3.connect(self.db)
        with open(os.path.join(root, "schema", "001_initial.sql")) as f:
            con.executescript(f.read())
        con.executescript("PRAGMA user_version = 1; PRAGMA application_id = 1397575753;")
        con.close()
        if IS_ROOT:
            os.chown(self.db, NOBODY, NOBODY)
        os.chmod(self.db, 0o400)
        os.chmod(self.folder, 0o500)
        before = file_bytes(self.db)
        p = self.run_as("list")
        self.assert_one_line_error(p)
        self.assertIn("'%s' is read-only (check the file's permissions) and was written by an "
                      "older smp-intake" % self.db, p.stderr)
        self.assertEqual(file_bytes(self.db), before)
