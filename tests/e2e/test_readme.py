"""The README, followed literally on a clean clone: `git clone` of this
repository at HEAD into a temporary folder, `make smp-intake` there (the
first set-up command without its interactive menu), then every `$` command
of the tour's console block run in order by one bash, each command's output
(stdout and stderr, as a terminal shows them) compared with what the README
shows under it.

Allowed differences: a date may move by the one number of days that takes
the README's day of writing to today (the tour plans its session relative to
today, so every date the run depends on moves together; a date that does not
move, like a date of birth, must match as written); uuids and the time of day
in timestamps may differ; a line of just `...` stands for any number of
lines, and `...` within a line for any text.

SLOW BUT REQUIRED: it clones and builds (a few seconds); it is never skipped,
and it must fail, not skip, when git or make is missing.
"""
import datetime
import os
import re
import shutil
import subprocess
import tempfile
import unittest

SLOW = True  # see the docstring: slow but required

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TIMEOUT = 50  # seconds for the whole tour; the test must stay under a minute
# The clean clone's build is not the tour: it grows with the program and
# shares the machine with the other suites running beside it.
BUILD_TIMEOUT = 300
MARK = "@@smp-readme-command %d@@"
MARK_RE = re.compile(r"@@smp-readme-command (\d+)@@\n?")
DATE = r"\d{4}-\d{2}-\d{2}"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
TOKEN = re.compile(r"(?P<stamp>%sT\d{2}:\d{2}:\d{2}Z)|(?P<date>%s)|(?P<uuid>%s)|(?P<dots>\.\.\.)"
                   % (DATE, DATE, UUID))


def section(text, heading):
    """The text of the `## heading` section of a Markdown file."""
    m = re.search(r"^## %s\s*$(.*?)(?=^## |\Z)" % re.escape(heading), text, re.M | re.S)
    if not m:
        raise AssertionError("README.md has no '## %s' section" % heading)
    return m.group(1)


def fenced_blocks(text, lang):
    """The bodies of the ```lang blocks of text, in order."""
    return re.findall(r"^```%s\n(.*?)^```" % re.escape(lang), text, re.M | re.S)


def parse_console(block):
    """Splits a console block into (command, expected output lines):
    a command starts with `$ ` and goes on while its lines end in `\\`."""
    steps = []
    lines = block.splitlines()
    i = 0
    while i < len(lines):
        if not lines[i].startswith("$ "):
            raise AssertionError("output before the first command: %r" % lines[i])
        command = [lines[i][2:]]
        while command[-1].endswith("\\"):
            i += 1
            command.append(lines[i])
        i += 1
        expected = []
        while i < len(lines) and not lines[i].startswith("$ "):
            expected.append(lines[i])
            i += 1
        steps.append(("\n".join(command), expected))
    return steps


def line_pattern(line):
    """A regex for one expected line, and the dates written in it (each
    captured, in order, by the regex)."""
    out, dates, pos = [], [], 0
    for m in TOKEN.finditer(line):
        out.append(re.escape(line[pos:m.start()]))
        if m.group("stamp"):
            out.append(r"(%s)T\d{2}:\d{2}:\d{2}Z" % DATE)
            dates.append(m.group(0)[:10])
        elif m.group("date"):
            out.append("(%s)" % DATE)
            dates.append(m.group(0))
        elif m.group("uuid"):
            out.append(UUID)
        else:
            out.append(".*")
        pos = m.end()
    out.append(re.escape(line[pos:]))
    return re.compile("".join(out)), dates


def match_lines(expected, actual):
    """Matches the expected lines against the actual ones.  Returns the
    (README date, actual date) pairs of the match, or None."""
    expected = [l.rstrip() for l in expected]
    actual = [l.rstrip() for l in actual]
    memo = {}

    def walk(e, a):
        if (e, a) in memo:
            return memo[(e, a)]
        result = None
        if e == len(expected):
            result = [] if a == len(actual) else None
        elif expected[e].strip() == "...":
            for skip in range(a, len(actual) + 1):
                rest = walk(e + 1, skip)
                if rest is not None:
                    result = rest
                    break
        elif a < len(actual):
            pattern, written = line_pattern(expected[e])
            m = pattern.fullmatch(actual[a])
            if m:
                rest = walk(e + 1, a + 1)
                if rest is not None:
                    result = list(zip(written, m.groups())) + rest
        memo[(e, a)] = result
        return result

    return walk(0, 0)


def check_dates(pairs, today):
    """Every date is as written, or moved by one shared number of days that
    takes some README date to today.  Returns a reason, or None."""
    shifts = set()
    for written, got in pairs:
        w, g = datetime.date.fromisoformat(written), datetime.date.fromisoformat(got)
        if w != g:
            shifts.add(g - w)
    if len(shifts) > 1:
        return "dates moved by different amounts: %s" % sorted(s.days for s in shifts)
    if shifts:
        shift = shifts.pop()
        if not any(datetime.date.fromisoformat(w) + shift == today for w, _ in pairs):
            return "dates moved by %d days, which does not bring the README's day to today" % (
                shift.days)
    return None


class ReadmeTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="smp-readme-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.clone = os.path.join(self.tmp, "smp-intake")
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.path.join(self.tmp, "home"),
            "LC_ALL": "C.UTF-8",
            "TZ": "UTC",  # `date` in the tour and the program's UTC stamps agree
        }
        os.mkdir(self.env["HOME"])

    def run_here(self, argv, cwd, timeout=TIMEOUT):
        p = subprocess.run(argv, cwd=cwd, env=self.env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout)
        out = p.stdout.decode("utf-8", "replace")
        self.assertEqual(p.returncode, 0, "%s failed:\n%s" % (" ".join(argv), out))
        return out

    def test_readme_tour_on_a_clean_clone(self):
        for tool in ("git", "make", "bash"):
            self.assertIsNotNone(shutil.which(tool, path=self.env["PATH"]),
                                 "%s is needed to follow the README" % tool)
        self.run_here(["git", "clone", "--quiet", ROOT, self.clone], self.tmp)
        with open(os.path.join(self.clone, "README.md"), encoding="utf-8") as f:
            readme = f.read()

        # The set-up commands: the first builds and opens the menu; only
        # its build runs here (the second is `make test`, i.e. this suite).
        setup = fenced_blocks(readme, "sh")
        self.assertTrue(setup, "README.md has no ```sh block of set-up commands")
        first = setup[0].splitlines()[0]
        self.assertTrue(first.endswith("make run"), first)
        self.run_here(["make", "-j%d" % (os.cpu_count() or 1), "smp-intake"], self.clone,
                      timeout=BUILD_TIMEOUT)

        blocks = fenced_blocks(section(readme, "A tour"), "console")
        self.assertTrue(blocks, "the README's tour has no ```console block")
        steps = parse_console(blocks[0])
        self.assertGreaterEqual(len(steps), 3)

        # One bash for the whole tour (the first command exports settings
        # the others use), with a marker before each command's output.
        script = ["exec 2>&1"]
        for i, (command, _) in enumerate(steps):
            script.append("printf '%s\\n'" % (MARK % i))
            script.append(command)
        today = datetime.datetime.now(datetime.timezone.utc).date()
        out = self.run_here(["bash", "--norc", "--noprofile", "-c", "\n".join(script)],
                            self.clone)
        parts = MARK_RE.split(out)
        self.assertEqual(parts[0], "", "output before the first command")
        outputs = {int(parts[k]): parts[k + 1] for k in range(1, len(parts), 2)}
        self.assertEqual(sorted(outputs), list(range(len(steps))), "a command did not run")

        pairs = []
        for i, (command, expected) in enumerate(steps):
            actual = outputs[i].splitlines()
            with self.subTest(command=command.splitlines()[0]):
                found = match_lines(expected, actual)
                if found is None:
                    self.fail("the output differs from the README.\n--- README\n%s\n"
                              "--- actual\n%s" % ("\n".join(expected), "\n".join(actual)))
                pairs += found
        self.assertIsNone(check_dates(pairs, today), pairs)


class MatcherTest(unittest.TestCase):
    """The comparison rules themselves, so that a lenient matcher cannot
    make the tour pass by accident."""

    def test_rules(self):
        ok = match_lines
        self.assertEqual(ok(["a 2026-11-29 b"], ["a 2027-01-02 b"]),
                         [("2026-11-29", "2027-01-02")])
        self.assertIsNone(ok(["a"], ["a", "b"]))
        self.assertIsNone(ok(["client  intake"], ["client intake"]))
        self.assertEqual(ok(["x", "...", "y"], ["x", "y"]), [])
        self.assertEqual(ok(["x", "  ...", "y"], ["x", "1", "2", "y"]), [])
        self.assertEqual(ok(["  ... the end"], ["  it was the end"]), [])
        self.assertEqual(ok(["T 2026-11-29T03:44:56Z"], ["T 2026-12-01T10:00:00Z"]),
                         [("2026-11-29", "2026-12-01")])
        self.assertEqual(ok(["U 6fc5a296-a26f-4851-bbc4-dad6a72e8112"],
                            ["U 00000000-1111-4222-8333-444444444444"]), [])
        self.assertIsNone(ok(["U 6fc5a296-a26f-4851-bbc4-dad6a72e8112"], ["U nope"]))

    def test_dates(self):
        today = datetime.date(2027, 1, 2)
        self.assertIsNone(check_dates([("2026-11-29", "2027-01-02"), ("2026-12-20", "2027-01-23"),
                                       ("1985-07-23", "1985-07-23")], today))
        self.assertIsNotNone(check_dates([("2026-11-29", "2027-01-02"),
                                          ("2026-12-20", "2027-01-24")], today))
        self.assertIsNotNone(check_dates([("2026-12-20", "2027-01-03")], today))
        self.assertIsNone(check_dates([("1985-07-23", "1985-07-23")], today))


if __name__ == "__main__":
    unittest.main()
