"""`make install` and `make uninstall` honour PREFIX, DESTDIR and the
folder variables, and CFLAGS/LDFLAGS from the user reach the compiler next
to the house warning flags.

The install runs the real Makefile in a scratch copy of the tree holding the
binary under test ($SMP_INTAKE_BIN) as ./smp-intake, with `make -o
smp-intake` so that make installs that binary instead of rebuilding it: the
test neither rebuilds nor overwrites anything in the working tree."""
import os
import re
import shutil
import stat
import subprocess

from harness import BIN, ROOT, TIMEOUT, WRAPPER, IntakeTest

MAKE = shutil.which("make")
INSTALLED = {
    "bin/smp-intake": (None, 0o755),
    "share/man/man1/smp-intake.1": ("docs/smp-intake.1", 0o644),
    "share/bash-completion/completions/smp-intake": ("docs/smp-intake.bash-completion", 0o644),
}


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


class Install(IntakeTest):
    def setUp(self):
        super().setUp()
        if not MAKE:
            self.skipTest("make is not installed")
        self.tree = os.path.join(self.tmp, "tree")
        os.makedirs(os.path.join(self.tree, "docs"))
        shutil.copy(os.path.join(ROOT, "Makefile"), self.tree)
        for src, _ in INSTALLED.values():
            if src:
                shutil.copy(os.path.join(ROOT, src), os.path.join(self.tree, src))
        shutil.copy(BIN, os.path.join(self.tree, "smp-intake"))
        self.dest = os.path.join(self.tmp, "dest")

    def make(self, *args, cwd=None, env=None):
        p = subprocess.run([MAKE, "--no-print-directory", "-C", cwd or self.tree, *args],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           env=env or self.env, timeout=TIMEOUT * 6)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        return p.stdout

    def files_under(self, top):
        found = []
        for folder, _, files in os.walk(top):
            found += [os.path.relpath(os.path.join(folder, f), top) for f in files]
        return sorted(found)

    def test_install_and_uninstall_with_prefix_and_destdir(self):
        self.make("-o", "smp-intake", "install", "DESTDIR=" + self.dest, "PREFIX=/usr")
        usr = os.path.join(self.dest, "usr")
        self.assertEqual(self.files_under(self.dest), sorted("usr/" + f for f in INSTALLED))
        for rel, (src, mode) in INSTALLED.items():
            path = os.path.join(usr, rel)
            with self.subTest(file=rel):
                self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), mode)
                self.assertEqual(read_bytes(path), read_bytes(os.path.join(ROOT, src) if src
                                                              else BIN))
        p = subprocess.run(WRAPPER + [os.path.join(usr, "bin", "smp-intake"), "--version"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           env=self.env, timeout=TIMEOUT * 3)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"^smp-intake \d+\.\d+\.\d+\n$")

        self.make("uninstall", "DESTDIR=" + self.dest, "PREFIX=/usr")
        self.assertEqual(self.files_under(self.dest), [])

    def test_install_folders_can_be_set_one_by_one(self):
        self.make("-o", "smp-intake", "install", "DESTDIR=" + self.dest, "BINDIR=/opt/smp/bin",
                  "MANDIR=/opt/smp/man", "COMPDIR=/opt/smp/completions")
        self.assertEqual(self.files_under(self.dest),
                         ["opt/smp/bin/smp-intake", "opt/smp/completions/smp-intake",
                          "opt/smp/man/man1/smp-intake.1"])
        self.make("uninstall", "DESTDIR=" + self.dest, "BINDIR=/opt/smp/bin",
                  "MANDIR=/opt/smp/man", "COMPDIR=/opt/smp/completions")
        self.assertEqual(self.files_under(self.dest), [])

    def test_the_default_prefix_is_usr_local(self):
        self.make("-o", "smp-intake", "install", "DESTDIR=" + self.dest)
        self.assertIn("usr/local/bin/smp-intake", self.files_under(self.dest))

    def compile_line(self, out, source):
        lines = [l for l in out.splitlines() if re.search(r"\s-c\s.*\b%s\b" % re.escape(source), l)]
        self.assertEqual(len(lines), 1, out)
        return lines[0]

    def assert_house_flags(self, line):
        for flag in ("-std=c17", "-Wall", "-Wextra", "-Werror"):
            self.assertRegex(line, r"(?<!\S)%s(?!\S)" % re.escape(flag))

    def test_cflags_from_the_command_line_reach_the_compiler(self):
        b = os.path.join(self.tmp, "b")
        out = self.make("-n", "B=" + b, os.path.join(b, "date.o"),
                        "CFLAGS=-O0 -DSMP_TEST_MARK", cwd=ROOT)
        line = self.compile_line(out, "src/date.c")
        self.assertIn(" -DSMP_TEST_MARK", line)
        self.assertIn(" -O0", line)
        self.assertNotIn("-O2", line)  # the user's CFLAGS replace the default
        self.assert_house_flags(line)
        self.assertFalse(os.path.exists(b), "make -n must not build anything")

    def test_cflags_and_ldflags_from_the_environment_reach_the_compiler(self):
        b = os.path.join(self.tmp, "b")
        env = dict(self.env, CFLAGS="-O1 -DSMP_ENV_MARK", LDFLAGS="-Wl,-O1 -L/smp-test-mark")
        out = self.make("-n", "B=" + b, os.path.join(b, "smp-intake"), cwd=ROOT, env=env)
        line = self.compile_line(out, "src/date.c")
        self.assertIn(" -DSMP_ENV_MARK", line)
        self.assert_house_flags(line)
        link = [l for l in out.splitlines() if "-o %s/smp-intake" % b in l]
        self.assertEqual(len(link), 1, out)
        self.assertIn(" -L/smp-test-mark", link[0])
        self.assertIn(" -DSMP_ENV_MARK", link[0])
