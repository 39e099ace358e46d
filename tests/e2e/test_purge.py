"""`smp-intake purge --older-than DURATION`: a dry run that lists the
clients whose last intake is older than the retention period and changes
nothing; with --yes, exactly those clients erased as `erase` would; the
boundary day for years, months and days; bad durations."""
import datetime
import re

from harness import base_answers, on_server
from test_pipe_intake import PipeTest


def utc_today():
    return datetime.datetime.now(datetime.timezone.utc).date()


def months_back(d, n):
    """d less n months, on the month's last day when it has no d.day."""
    total = d.year * 12 + d.month - 1 - n
    y, m = divmod(total, 12)
    for day in range(d.day, 27, -1):
        try:
            return datetime.date(y, m + 1, day)
        except ValueError:
            continue
    return datetime.date(y, m + 1, d.day)


def first_kept(duration):
    """The first day DURATION keeps: today (UTC) less DURATION."""
    n, unit = int(duration[:-1]), duration[-1]
    t = utc_today()
    if unit == "d":
        return t - datetime.timedelta(days=n)
    return months_back(t, n * 12 if unit == "y" else n)


class PurgeTest(PipeTest):
    def client(self, first, *dates):
        """A client with one intake per date (YYYY-MM-DD, UTC; None: now).
        Returns the client id."""
        for d in dates:
            self.new_intake(base_answers(first_name=first, last_name="Purgeson"))
            if d is not None:
                self.sql_write("UPDATE intake SET taken_at = ? WHERE id = (SELECT max(id) "
                               "FROM intake)", "%sT12:00:00Z" % d)
        return self.sql("SELECT id FROM client WHERE first_name = ?", first)[0][0]

    def listed(self, out):
        """(client id, last intake date, name) of each row of a dry run."""
        return [(int(a), b, c) for a, b, c in
                re.findall(r"^(\d+) +(\d{4}-\d\d-\d\d) +(.+)$", out, re.M)]


class PurgeDryRun(PurgeTest):
    def setUp(self):
        super().setUp()
        t = utc_today()
        ago = lambda years, days=0: (months_back(t, 12 * years) - datetime.timedelta(days=days))
        self.old = self.client("Olga", ago(10).isoformat())
        self.older = self.client("Otto", ago(12).isoformat())
        self.back = self.client("Bert", ago(9).isoformat(), None)  # came back since
        self.recent = self.client("Rita", ago(6).isoformat())
        self.today = self.client("Tom", None)

    def test_lists_the_right_clients_and_changes_nothing(self):
        before = self.snapshot()
        p = self.run_cmd("purge", "--older-than", "7y")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        cutoff = first_kept("7y").isoformat()
        self.assertIn("Clients whose last intake is before %s (7y ago), who would be erased:"
                      % cutoff, p.stdout)
        self.assertEqual(self.listed(p.stdout),
                         [(self.older, months_back(utc_today(), 144).isoformat(), "Otto Purgeson"),
                          (self.old, months_back(utc_today(), 120).isoformat(), "Olga Purgeson")])
        self.assertIn("2 clients would be erased; nothing was changed. To erase them: "
                      "smp-intake purge --older-than 7y --yes", p.stdout)
        self.assertEqual(self.snapshot(), before)

    def test_yes_erases_exactly_those(self):
        keep = {c: self.sql("SELECT * FROM intake WHERE client_id = ?", c)
                for c in (self.back, self.recent, self.today)}
        p = self.run_cmd("purge", "--older-than", "7y", "--yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.splitlines(), [
            "Erased client %d and its 1 intake." % self.older,
            "Erased client %d and its 1 intake." % self.old,
            "Erased 2 clients whose last intake was before %s." % first_kept("7y").isoformat()])
        self.assertEqual(sorted(r[0] for r in self.sql("SELECT id FROM client")),
                         sorted([self.back, self.recent, self.today]))
        for c, rows in keep.items():
            self.assertEqual(self.sql("SELECT * FROM intake WHERE client_id = ?", c), rows)
        # erased as `erase` erases: only erase rows, no values
        self.assertEqual(self.sql("SELECT DISTINCT action FROM audit WHERE client_id IN (?, ?)",
                                  self.old, self.older), [("erase",)])
        self.assertEqual(self.sql("SELECT count(*) FROM audit_change WHERE audit_id IN (SELECT id "
                                  "FROM audit WHERE client_id IN (?, ?))", self.old, self.older),
                         [(0,)])
        p = self.run_cmd("erase", str(self.old), "--yes")
        self.assertIn("client %d was erased on" % self.old, p.stderr)
        if not on_server():  # the server's files: test_pg_erasure.py
            with open(self.db, "rb") as f:
                data = f.read()
            self.assertFalse(b"Olga" in data or b"Otto" in data, "a purged name is in the file")
            self.assertTrue(b"Rita" in data, "a kept name is not in the file")
        # and a second run finds nothing more
        p = self.run_cmd("purge", "--older-than", "7y", "--yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"^No client's last intake is before \d{4}-\d\d-\d\d \(7y ago\): "
                                   r"nothing to erase\.\n$")

    def test_shorter_periods_reach_further(self):
        p = self.run_cmd("purge", "--older-than", "5y")
        self.assertEqual([c for c, _, _ in self.listed(p.stdout)],
                         [self.older, self.old, self.recent])
        p = self.run_cmd("purge", "--older-than", "13y")
        self.assertEqual(self.listed(p.stdout), [])
        self.assertIn("nothing to erase", p.stdout)
        self.assertEqual(p.returncode, 0)


class PurgeBoundary(PurgeTest):
    def test_the_first_day_kept_for_years_months_and_days(self):
        for duration in ("7y", "1y", "18m", "1m", "90d", "1d"):
            with self.subTest(duration=duration):
                self.fresh_db(duration)
                kept_day = first_kept(duration)
                kept = self.client("Kept", kept_day.isoformat())
                gone = self.client("Gone", (kept_day - datetime.timedelta(days=1)).isoformat())
                p = self.run_cmd("purge", "--older-than", duration)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertIn("before %s (%s ago)" % (kept_day.isoformat(), duration), p.stdout)
                self.assertEqual([c for c, _, _ in self.listed(p.stdout)], [gone])
                p = self.run_cmd("purge", "--older-than", duration, "--yes")
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertEqual(self.sql("SELECT id FROM client"), [(kept,)])

    def test_the_utc_date_of_the_newest_intake_counts(self):
        kept_day = first_kept("30d")
        self.client("Late", (kept_day - datetime.timedelta(days=1)).isoformat())
        # the last second of the day before the first day kept
        self.sql_write("UPDATE intake SET taken_at = ?",
                       (kept_day - datetime.timedelta(days=1)).isoformat() + "T23:59:59Z")
        p = self.run_cmd("purge", "--older-than", "30d")
        self.assertEqual(len(self.listed(p.stdout)), 1, p.stdout)
        self.sql_write("UPDATE intake SET taken_at = ?", kept_day.isoformat() + "T00:00:00Z")
        p = self.run_cmd("purge", "--older-than", "30d")
        self.assertEqual(self.listed(p.stdout), [])


class PurgeBadInput(PurgeTest):
    def test_bad_durations(self):
        self.client("Olga", "2001-01-01")
        before = self.snapshot()
        for bad in ("", "7", "y", "0y", "0d", "00m", "-7y", "+7y", "7 y", " 7y", "7y ", "7Y",
                    "7w", "7h", "7yr", "1.5y", "7y7", "y7", "101y", "1201m", "36526d",
                    "99999999999999999999d", "2019-01-01", "seven"):
            for yes in ([], ["--yes"]):
                with self.subTest(duration=bad, yes=yes):
                    p = self.run_cmd("purge", "--older-than", bad, *yes)
                    self.assert_one_line_error(p, 2)
                    self.assertIn("--older-than: a duration is a whole number of years, months "
                                  "or days", p.stderr)
                    self.assertEqual(p.stdout, "")
        for good in ("100y", "1200m", "36525d", "007y"):
            with self.subTest(duration=good):
                p = self.run_cmd("purge", "--older-than", good)
                self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.snapshot(), before)

    def test_usage_errors(self):
        self.client("Olga", "2001-01-01")
        before = self.snapshot()
        for argv in ([], ["--yes"], ["7y"], ["--older-than"], ["--older-than", "7y", "extra"],
                     ["--older-than", "7y", "--force"], ["--older-than=7y", "--yes=1"]):
            with self.subTest(argv=argv):
                p = self.run_cmd("purge", *argv)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertEqual(p.stdout, "")
        self.assertEqual(self.snapshot(), before)
        # --older-than=DURATION works as well
        p = self.run_cmd("purge", "--older-than=7y")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("1 client would be erased", p.stdout)

    def test_names_are_shown_safely(self):
        self.client("Olga", "2001-01-01")
        self.sql_write("UPDATE client SET first_name = 'Ol\x1b[31mga'")
        p = self.run_cmd("purge", "--older-than", "1y")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("\x1b", p.stdout)
        self.assertIn("Ol\\x1b[31mga Purgeson", p.stdout)
