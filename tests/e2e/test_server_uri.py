"""A PostgreSQL server's URI in --db or $SMP_INTAKE_DB (issue 17): not
supported yet, so refused before any command with one line and exit 2,
and never opened or created as a file of that name (docs/server.md)."""
import os
import subprocess

from harness import BIN, TIMEOUT, WRAPPER, IntakeTest, base_answers, pipe_lines, sample

MESSAGE = ("smp-intake: PostgreSQL servers are not supported yet (docs/server.md); "
           "use an SQLite file\n")
URIS = ["postgresql://smp@db.example/smp?sslmode=verify-full",
        "postgres:///smp?host=/run/postgresql",
        "PostgreSQL://reception@localhost/smp"]
COMMANDS = [("find", "chloe"), ("list",), ("new",), ("export",), ("import", "x.json"),
            ("config", "set", "studio_name", "X"), ("verify",)]


class ServerUri(IntakeTest):
    def run_in_tmp(self, args, env):
        """The binary run through pipes in the test's folder (where a file
        named after the URI would appear)."""
        p = subprocess.run(WRAPPER + [BIN, *args], input=pipe_lines(base_answers()).encode(),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                           cwd=self.tmp, timeout=TIMEOUT * 3)
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def assert_refused(self, args, env):
        before = sorted(os.listdir(self.tmp))
        rc, out, err = self.run_in_tmp(args, env)
        self.assertEqual((rc, out, err), (2, "", MESSAGE))
        self.assertEqual(sorted(os.listdir(self.tmp)), before)  # no file, no folder

    def test_db_option(self):
        env = dict(self.env)
        del env["SMP_INTAKE_DB"]
        for uri in URIS:
            for cmd in COMMANDS:
                with self.subTest(uri=uri, cmd=cmd):
                    self.assert_refused(["--db", uri, *cmd], env)
        with self.subTest(form="--db="):
            self.assert_refused(["--db=" + URIS[0], "list"], env)

    def test_environment(self):
        for uri in URIS[:2]:
            for cmd in sample(COMMANDS):  # under valgrind, 3 of the 7
                with self.subTest(uri=uri, cmd=cmd):
                    self.assert_refused(list(cmd), dict(self.env, SMP_INTAKE_DB=uri))

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
