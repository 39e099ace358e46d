"""make valgrind runs the unit suites, the fuzz replays and only the e2e
tests listed in valgrind.subset (make valgrind-full runs them all).  This
checks that the subset still runs every command of `smp-intake --help`'s
list, and export in every format and with -o, under the wrapper: it runs
the subset with argv_log.sh as SMP_TEST_WRAPPER, the harness sampling as it
does under valgrind, and reads which commands the wrapped runs were.

It checks the test files, not the binary, so it runs once, in make test
(not again under valgrind or the sanitizers)."""
import os
import re
import subprocess
import sys
import tempfile
import unittest

from harness import BIN, WRAPPER

HERE = os.path.dirname(os.path.abspath(__file__))
GLOBAL_WITH_ARG = ("--db", "--staff")


def help_commands():
    """The command names of --help's "Commands:" list."""
    out = subprocess.run([BIN, "--help"], stdout=subprocess.PIPE, check=True, text=True).stdout
    block = out.split("\nCommands:\n", 1)[1].split("\n\n", 1)[0]
    return [line.split()[0] for line in block.splitlines() if line.startswith("  ")]


def export_formats():
    """The formats export --help names under --format."""
    out = subprocess.run([BIN, "export", "--help"], stdout=subprocess.PIPE, check=True,
                         text=True).stdout
    para = out.split("\n  --format FORMAT", 1)[1].split("\n  -", 1)[0]
    return re.findall(r"\b([a-z]+) \(", para)


def read_runs(logdir):
    """Every run argv_log.sh recorded: (tty, test id, argv without the binary)."""
    runs = []
    for name in os.listdir(logdir):
        if not name.isdigit():
            continue
        with open(os.path.join(logdir, name), "rb") as f:
            fields = f.read().decode("utf-8", "replace").split("\0")[:-1]
        i = 0
        # A run killed in the wrapper (test_kills) may leave its record cut
        # short: the rest of that file is not counted.
        while i + 4 < len(fields) and fields[i + 3].isdigit():
            tty, test, n = fields[i + 1], fields[i + 2], int(fields[i + 3])
            if i + 4 + n > len(fields):
                break
            runs.append((tty == "tty", test, fields[i + 5:i + 4 + n]))
            i += 4 + n
    return runs


def command_of(tty, args, commands):
    """The command a run was (None for --help, --version and usage errors):
    the first operand after the global options, else the menu at a terminal."""
    i = 0
    while i < len(args):
        a = args[i]
        if a in GLOBAL_WITH_ARG:
            i += 2
        elif a.startswith(tuple(g + "=" for g in GLOBAL_WITH_ARG)):
            i += 1
        elif a.startswith("-"):
            return None
        else:
            rest = args[i + 1:]
            if a not in commands or (a != "help" and ("--help" in rest or "-h" in rest)):
                return None
            return a
    return "shell" if tty else None


def export_kinds(args):
    """What an export run tried: its format and whether it wrote with -o."""
    kinds = {"json"}
    for i, a in enumerate(args):
        if a == "--format" and i + 1 < len(args):
            kinds = {args[i + 1]}
        elif a.startswith("--format="):
            kinds = {a.split("=", 1)[1]}
    if any(a in ("-o", "--output") or a.startswith(("--output=", "-o")) for a in args):
        kinds.add("-o")
    return kinds


def subset_coverage(logdir, commands):
    """command (and export:KIND) -> the first subset test that ran it."""
    seen = {}
    for tty, test, args in read_runs(logdir):
        cmd = command_of(tty, args, commands)
        if cmd is None:
            continue
        seen.setdefault(cmd, test)
        if cmd == "export":
            for k in export_kinds(args):
                seen.setdefault("export:" + k, test)
    return seen


@unittest.skipIf(WRAPPER or "ASAN_OPTIONS" in os.environ,
                 "checks the test files; make test runs it once")
class ValgrindSubset(unittest.TestCase):
    def test_subset_runs_every_command_and_export_format(self):
        commands = help_commands()
        self.assertIn("new", commands)
        self.assertIn("shell", commands)
        wanted = commands + ["export:" + f for f in export_formats()] + ["export:-o"]
        self.assertGreaterEqual(len(wanted), len(commands) + 5)
        with tempfile.TemporaryDirectory(prefix="smp-subset-") as logdir:
            os.chmod(logdir, 0o1777)  # runs as another user (test_faults) log too, if they can
            env = dict(os.environ, SMP_E2E_SUBSET="valgrind", SMP_E2E_JOBS="2",
                       SMP_E2E_ARGV_LOG=logdir,
                       SMP_TEST_WRAPPER="sh %s %s" % (os.path.join(HERE, "argv_log.sh"), logdir))
            p = subprocess.run([sys.executable, os.path.join(HERE, "run.py")], env=env, cwd=HERE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            self.assertEqual(p.returncode, 0, p.stderr[-4000:])
            seen = subset_coverage(logdir, commands)
        missing = [w for w in wanted if w not in seen]
        self.assertEqual(missing, [], "valgrind.subset runs no test that runs these under "
                         "the wrapper: add one (see docs/testing.md)")

    def test_every_subset_entry_names_a_test(self):
        sys.path.insert(0, HERE)
        import run
        loader = unittest.TestLoader()
        for entry in run.read_subset("valgrind"):
            with self.subTest(entry=entry):
                module = entry.split(".")[0]
                ids = [t.id() for t in run.tests_of(loader.loadTestsFromName(module))]
                self.assertTrue(any(i == entry or i.startswith(entry + ".") for i in ids),
                                "valgrind.subset: %s is no test" % entry)
