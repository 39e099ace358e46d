"""A PostgreSQL server's URI in --db or $SMP_INTAKE_DB (issue 17): every
command goes to the server (none is refused as not working there), says
in one line and exit 1 when the server is not there, and the URI is never
opened or created as a file of that name (docs/server.md).  A password
inside the URI is refused first, exit 2."""
import os
import subprocess

from harness import BIN, TIMEOUT, WRAPPER, IntakeTest, base_answers, pipe_lines, sample

def message(command):
    """What every command says when the server is not there (URIS name a
    socket folder that does not exist, so nothing waits on the network)."""
    return "smp-intake: cannot reach the server"


PASSWORD = ("smp-intake: a password in the server's address is refused; "
            "put it in ~/.pgpass or PGPASSWORD (docs/server.md)\n")
URIS = ["postgresql://smp@/smp?host=/nonexistent/smp-socket&sslmode=disable",
        "postgres:///smp?host=/nonexistent/run/postgresql",
        "PostgreSQL://reception@/smp?host=/nonexistent/x"]
# Every command that opens the database (help, --help and an unknown
# command never do).
COMMANDS = [("find", "chloe"), ("list",), ("new",), ("export",), ("erase", "1", "--yes"), ("verify",),
            ("session", "list"), ("photo", "list"), ("config", "list"), ("show", "1"),
            ("migrate", "--to", "x.db"), ("drafts",), ("ids",), ("access-log",)]


class ServerUri(IntakeTest):
    def run_in_tmp(self, args, env):
        """The binary run through pipes in the test's folder (where a file
        named after the URI would appear)."""
        p = subprocess.run(WRAPPER + [BIN, *args], input=pipe_lines(base_answers()).encode(),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                           cwd=self.tmp, timeout=TIMEOUT * 3)
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def assert_refused(self, args, env, expected):
        before = sorted(os.listdir(self.tmp))
        rc, out, err = self.run_in_tmp(args, env)
        if expected == PASSWORD:
            self.assertEqual((rc, out, err), (2, "", expected))
        else:
            self.assertEqual((rc, out, err.count("\n")), (1, "", 1), err)
            self.assertTrue(err.startswith(expected), err)
        self.assertEqual(sorted(os.listdir(self.tmp)), before)  # no file, no folder

    def test_db_option(self):
        env = dict(self.env)
        del env["SMP_INTAKE_DB"]
        for uri in URIS:
            for cmd in COMMANDS:
                with self.subTest(uri=uri, cmd=cmd):
                    self.assert_refused(["--db", uri, *cmd], env, message(cmd[0]))
        with self.subTest(form="--db="):
            self.assert_refused(["--db=" + URIS[0], "list"], env, message("list"))

    def test_environment(self):
        for uri in URIS[:2]:
            for cmd in sample(COMMANDS):  # under valgrind, a sample
                with self.subTest(uri=uri, cmd=cmd):
                    self.assert_refused(list(cmd), dict(self.env, SMP_INTAKE_DB=uri),
                                        message(cmd[0]))

    def test_password_in_uri_refused(self):
        """user:password@ or ?password= in the URI: refused before anything,
        whatever the command; libpq's own means only."""
        env = dict(self.env)
        del env["SMP_INTAKE_DB"]
        for uri in ("postgresql://smp:secret@db.example/smp?sslmode=verify-full",
                    "postgres://smp@localhost/smp?sslmode=require&password=secret",
                    "postgresql:///smp?host=/run/postgresql&Password=x"):
            with self.subTest(uri=uri):
                self.assert_refused(["--db", uri, "config", "list"], env, PASSWORD)
        with self.subTest(uri="user only"):  # a user name alone is fine
            self.assert_refused(["--db", "postgresql://smp@:5432/smp?host=/nonexistent/s",
                                 "list"], env, message("list"))

    def test_unknown_command_and_help_answer(self):
        env = dict(self.env, SMP_INTAKE_DB=URIS[1])
        rc, out, err = self.run_in_tmp(["lsit"], env)
        self.assertEqual((rc, out), (2, ""))
        self.assertTrue(err.startswith("smp-intake: unknown command 'lsit'"), err)
        for args in (["list", "--help"], ["help", "config"]):
            with self.subTest(args=args):
                rc, out, err = self.run_in_tmp(args, env)
                self.assertEqual((rc, err), (0, ""))
                self.assertTrue(out)

    def test_file_option_still_wins(self):
        """--db PATH over a URI in the environment: the file is used."""
        env = dict(self.env, SMP_INTAKE_DB=URIS[0])
        rc, out, err = self.run_in_tmp(["--db", self.db, "new"], env)
        self.assertEqual(rc, 0, err)
        self.assertTrue(os.path.exists(self.db))

    def test_help_and_version_still_answer(self):
        env = dict(self.env, SMP_INTAKE_DB=URIS[0])
        for args in (["--help"], ["--version"]):
            with self.subTest(args=args):
                rc, out, err = self.run_in_tmp(args, env)
                self.assertEqual((rc, err), (0, ""))
                self.assertTrue(out)
