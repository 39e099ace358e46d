"""The studio's retention period (config retention_years) in `purge` and
`erase`: a client last seen (newest intake or session) inside it is kept by
purge unless --override gives a reason, and erased by erase only with a
reason (asked at a terminal, --reason through a pipe); the reason is kept on
the erasure's audit rows and shown by history and access-log; without a
retention period set, both work as before and say so where a person
decides."""
import datetime
import json
import os
import sqlite3
import uuid

from ptyutil import finish, record, type_line
from test_purge import PurgeTest, first_kept, months_back, utc_today
from test_session import session as session_answers

REASON = "Insurer confirmed in writing that no claim is open"
NOT_SET = "the studio has not set a retention period"


def years_ago(n, days=0):
    return (months_back(utc_today(), 12 * n) - datetime.timedelta(days=days)).isoformat()


class RetentionTest(PurgeTest):
    def set_retention(self, years):
        p = self.run_cmd("config", "set", "retention_years", str(years))
        self.assertEqual(p.returncode, 0, p.stderr)

    def add_session(self, client, day):
        """A session of client's newest intake performed on day, written
        straight into the table (as `session new` stores one)."""
        con = sqlite3.connect(self.db)
        with con:
            intake, revision = con.execute(
                "SELECT id, revision FROM intake WHERE client_id = ? ORDER BY id DESC LIMIT 1",
                (client,)).fetchone()
            con.execute(
                "INSERT INTO session (uuid, intake_id, client_id, number, performed_on, artist, "
                "areas, rescreen, intake_revision, id_checked, countersigned, recorded_at, staff) "
                "VALUES (?, ?, ?, 1, ?, 'Ari Artist', 'crown', 'unchanged', ?, 'passport', "
                "'Ari Artist', ?, 'Dana Staff')",
                (str(uuid.uuid4()), intake, client, day, revision, day + "T12:00:00Z"))
        con.close()

    def reasons(self, client):
        """The reason kept on each erase row of client (by intake, 0 for the
        client's own row)."""
        return self.sql("SELECT coalesce(a.intake_id, 0), c.new_value FROM audit a "
                        "LEFT JOIN audit_change c ON c.audit_id = a.id AND c.field = 'reason' "
                        "WHERE a.action = 'erase' AND a.client_id = ? ORDER BY a.id", client)

    def intakes_of(self, client):
        return [i for (i,) in self.sql("SELECT id FROM intake WHERE client_id = ? ORDER BY id",
                                       client)]


class PurgeWithRetention(RetentionTest):
    def setUp(self):
        super().setUp()
        self.old = self.client("Olga", years_ago(10))      # outside 5 years
        self.mid = self.client("Mira", years_ago(3))       # inside 5 years, older than 1y
        self.today = self.client("Tom", None)
        self.set_retention(5)

    def test_a_client_inside_the_period_is_kept_and_counted(self):
        before = self.snapshot()
        p = self.run_cmd("purge", "--older-than", "1y")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        self.assertEqual([c for c, _, _ in self.listed(p.stdout)], [self.old])
        self.assertIn("1 client would be erased", p.stdout)
        kept = " ".join(p.stdout.split())
        self.assertIn("Kept 1 client seen since %s, inside the studio's retention period (5 "
                      "years, config retention_years); purge --override REASON erases it."
                      % first_kept("5y").isoformat(), kept)
        self.assertNotIn(NOT_SET, p.stdout)
        self.assertEqual(self.snapshot(), before)

        p = self.run_cmd("purge", "--older-than", "1y", "--yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Erased client %d and its 1 intake." % self.old, p.stdout)
        self.assertNotIn("Erased client %d" % self.mid, p.stdout)
        self.assertIn("Kept 1 client seen since", p.stdout)
        self.assertEqual(sorted(c for (c,) in self.sql("SELECT id FROM client")),
                         sorted([self.mid, self.today]))
        self.assertEqual(self.reasons(self.old), [(1, None), (0, None)])

    def test_all_inside_the_period_erases_nothing(self):
        self.set_retention(20)
        before = self.snapshot()
        for yes in ([], ["--yes"]):
            with self.subTest(yes=yes):
                p = self.run_cmd("purge", "--older-than", "2y", *yes)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertEqual(self.listed(p.stdout), [])
                self.assertNotIn("Erased", p.stdout)
                self.assertNotIn("nothing to erase", p.stdout)
                self.assertIn("Kept 2 clients seen since %s" % first_kept("20y").isoformat(),
                              p.stdout)
                self.assertIn("erases them", p.stdout)
                self.assertEqual(self.snapshot(), before)

    def test_a_period_longer_than_the_duration_needs_no_override(self):
        p = self.run_cmd("purge", "--older-than", "7y", "--yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.splitlines()[0], "Erased client %d and its 1 intake." % self.old)
        self.assertNotIn("Kept", p.stdout)
        self.assertEqual(self.sql("SELECT count(*) FROM client WHERE id = ?", self.mid), [(1,)])

    def test_override_erases_them_and_records_the_reason(self):
        mid_intakes = self.intakes_of(self.mid)
        before = self.snapshot()
        p = self.run_cmd("purge", "--older-than", "1y", "--override", REASON)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([c for c, _, _ in self.listed(p.stdout)], [self.old, self.mid])
        self.assertIn("--older-than 1y --override REASON --yes", p.stdout)
        self.assertIn("1 of them was seen since %s" % first_kept("5y").isoformat(), p.stdout)
        self.assertIn("would be recorded", p.stdout)
        self.assertEqual(self.snapshot(), before)

        p = self.run_cmd("--staff", "Pat Purge", "purge", "--older-than", "1y", "--yes",
                         "--override", "  %s  " % REASON)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Erased client %d and its 1 intake." % self.mid, p.stdout)
        self.assertIn("the --override reason is recorded", " ".join(p.stdout.split()))
        self.assertEqual(self.sql("SELECT id FROM client"), [(self.today,)])
        # on each of the erasure's audit rows, trimmed; not on the client outside the period
        self.assertEqual(self.reasons(self.mid), [(i, REASON) for i in mid_intakes] + [(0, REASON)])
        self.assertEqual(self.reasons(self.old), [(1, None), (0, None)])
        # shown where the erasure shows
        p = self.run_cmd("history", str(mid_intakes[0]))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Pat Purge  erased with the client's records", p.stdout)
        self.assertIn("    reason: %s\n" % REASON, p.stdout)
        p = self.run_cmd("history", "1")
        self.assertNotIn("reason", p.stdout)
        p = self.run_cmd("access-log")
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        mid_row = [i for i, l in enumerate(lines) if l.endswith("erase       %d" % self.mid)]
        old_row = [i for i, l in enumerate(lines) if l.endswith("erase       %d" % self.old)]
        self.assertEqual(len(mid_row), 1, p.stdout)
        self.assertEqual(lines[mid_row[0] + 1], "       reason: %s" % REASON)
        self.assertNotIn("reason", lines[old_row[0] + 1])
        p = self.run_cmd("access-log", "--client", str(self.mid))
        self.assertIn("reason: %s" % REASON, p.stdout)

    def test_a_recent_session_counts_as_seen(self):
        # last intake ten years ago, a session three years ago: inside 5 years
        sam = self.client("Sam", years_ago(10))
        self.add_session(sam, years_ago(3))
        p = self.run_cmd("purge", "--older-than", "1y", "--yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("Erased client %d" % sam, p.stdout)
        self.assertIn("Kept 2 clients seen since", p.stdout)
        self.assertEqual(self.sql("SELECT count(*) FROM client WHERE id = ?", sam), [(1,)])
        # and its last session is the day the dry run shows
        p = self.run_cmd("purge", "--older-than", "1y", "--override", REASON)
        self.assertIn((sam, years_ago(3), "Sam Purgeson"), self.listed(p.stdout))
        p = self.run_cmd("erase", str(sam), "--yes")
        self.assert_one_line_error(p, 2)
        self.assertIn("last seen on %s" % years_ago(3), p.stderr)

    def test_the_first_day_of_the_period(self):
        self.fresh_db("boundary")
        first = first_kept("5y")
        kept = self.client("Kept", first.isoformat())
        gone = self.client("Gone", (first - datetime.timedelta(days=1)).isoformat())
        self.set_retention(5)
        p = self.run_cmd("purge", "--older-than", "1y", "--yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.sql("SELECT id FROM client"), [(kept,)])
        self.assertIn("Erased client %d" % gone, p.stdout)

    def test_bad_override_reasons_change_nothing(self):
        before = self.snapshot()
        for bad, message in (("", "the reason is empty"), ("   ", "the reason is empty"),
                             ("two\nlines", "the reason must be one line of text, at most 500 characters"),
                             ("x\x1b[2J", "the reason must be one line of text, at most 500 characters"),
                             ("x" * 501, "the reason must be one line of text, at most 500 characters")):
            for yes in ([], ["--yes"]):
                with self.subTest(reason=bad[:20], yes=yes):
                    p = self.run_cmd("purge", "--older-than", "1y", "--override", bad, *yes)
                    self.assert_one_line_error(p, 2)
                    self.assertIn("purge: --override: " + message, p.stderr)
                    self.assertEqual(p.stdout, "")
        p = self.run_cmd("purge", "--older-than", "1y", "--override")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertEqual(self.snapshot(), before)


class PurgeWithoutRetention(RetentionTest):
    def setUp(self):
        super().setUp()
        self.old = self.client("Olga", years_ago(10))
        self.mid = self.client("Mira", years_ago(3))

    def test_it_works_by_the_duration_and_the_dry_run_says_so(self):
        self.assertEqual(self.run_cmd("config", "get", "retention_years").stdout, "not set\n")
        p = self.run_cmd("purge", "--older-than", "1y")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([c for c, _, _ in self.listed(p.stdout)], [self.old, self.mid])
        self.assertEqual(" ".join(p.stdout.split()).count(NOT_SET), 1, p.stdout)
        self.assertNotIn("Kept", p.stdout)
        p = self.run_cmd("purge", "--older-than", "1y", "--yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.sql("SELECT count(*) FROM client"), [(0,)])
        self.assertNotIn(NOT_SET, p.stdout)

    def test_a_period_set_by_mistake_can_be_taken_back(self):
        self.assertEqual(self.run_cmd("config", "set", "retention_years", "5").returncode, 0)
        p = self.run_cmd("purge", "--older-than", "1y")
        self.assertEqual([c for c, _, _ in self.listed(p.stdout)], [self.old])
        p = self.run_cmd("config", "set", "retention_years", "")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.run_cmd("config", "get", "retention_years").stdout, "not set\n")
        p = self.run_cmd("purge", "--older-than", "1y")
        self.assertEqual([c for c, _, _ in self.listed(p.stdout)], [self.old, self.mid])
        self.assertIn(NOT_SET, " ".join(p.stdout.split()))
        p = self.run_cmd("config", "set", "retention_years", "0")
        self.assert_one_line_error(p)
        self.assertIn("or '' for not set", p.stderr)

    def test_override_is_refused(self):
        before = self.snapshot()
        for yes in ([], ["--yes"]):
            with self.subTest(yes=yes):
                p = self.run_cmd("purge", "--older-than", "1y", "--override", REASON, *yes)
                self.assert_one_line_error(p, 2)
                self.assertIn("has not set a retention period", p.stderr)
                self.assertIn("nothing erased", p.stderr)
                self.assertEqual(p.stdout, "")
        self.assertEqual(self.snapshot(), before)

    def test_a_session_counts_as_seen_without_a_period_too(self):
        sam = self.client("Sam", years_ago(10))
        self.add_session(sam, years_ago(3))
        p = self.run_cmd("purge", "--older-than", "5y")
        self.assertEqual([c for c, _, _ in self.listed(p.stdout)], [self.old])
        p = self.run_cmd("purge", "--older-than", "2y")
        self.assertIn((sam, years_ago(3), "Sam Purgeson"), self.listed(p.stdout))


class EraseWithRetention(RetentionTest):
    def setUp(self):
        super().setUp()
        self.old = self.client("Olga", years_ago(10))
        self.mid = self.client("Mira", years_ago(3), years_ago(2))
        self.set_retention(5)

    def test_through_a_pipe_it_needs_a_reason(self):
        before = self.snapshot()
        p = self.run_cmd("erase", str(self.mid), "--yes")
        self.assert_one_line_error(p, 2)
        self.assertIn("erase: client %d was last seen on %s, inside the studio's retention "
                      "period" % (self.mid, years_ago(2)), p.stderr)
        self.assertIn("give --reason TEXT", p.stderr)
        self.assertIn("nothing erased", p.stderr)
        self.assertEqual(p.stdout, "")
        for bad, message in (("", "the reason is empty"), (" \t ", "the reason is empty"),
                             ("a\nb", "the reason must be one line of text, at most 500 characters"), ("\x07bell", "the reason must be one line of text, at most 500 characters"),
                             ("y" * 501, "the reason must be one line of text, at most 500 characters")):
            with self.subTest(reason=bad[:10]):
                p = self.run_cmd("erase", str(self.mid), "--yes", "--reason", bad)
                self.assert_one_line_error(p, 2)
                self.assertIn("erase: --reason: " + message, p.stderr)
        self.assertEqual(self.snapshot(), before)

        intakes = self.intakes_of(self.mid)
        p = self.run_cmd("--staff", "Eve Eraser", "erase", str(self.mid), "--yes", "--reason",
                         REASON)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "Erased client %d and its 2 intakes.\n" % self.mid)
        self.assertEqual(p.stderr, "")
        self.assertEqual(self.reasons(self.mid), [(i, REASON) for i in intakes] + [(0, REASON)])
        p = self.run_cmd("history", str(intakes[1]))
        self.assertEqual(p.stdout.splitlines()[-2:],
                         [p.stdout.splitlines()[-2], "    reason: %s" % REASON])
        self.assertIn("Eve Eraser  erased with the client's records", p.stdout)
        p = self.run_cmd("access-log", "--client", str(self.mid))
        self.assertEqual(p.stdout.splitlines()[-1], "       reason: %s" % REASON)

    def test_outside_the_period_it_needs_none(self):
        p = self.run_cmd("erase", str(self.old), "--yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "Erased client %d and its 1 intake.\n" % self.old)
        self.assertEqual(self.reasons(self.old), [(1, None), (0, None)])
        p = self.run_cmd("access-log")
        self.assertNotIn("reason", p.stdout)

    def test_at_a_terminal_the_reason_is_asked_for(self):
        before = self.snapshot()
        for typed in ("", "   "):
            with self.subTest(typed=typed):
                child = self.spawn("erase", str(self.mid))
                rec = record(child)
                child.expect_exact("The right to erasure has\r\nexceptions")
                child.expect_exact("Reason for erasing inside the retention period: ")
                type_line(child, typed)
                child.expect_exact("smp-intake: erase: no reason given; nothing erased")
                self.assertEqual(finish(self, child), 1)
                self.assertNotIn("Type yes", rec.text)
        child = self.spawn("erase", str(self.mid))
        child.expect_exact("Reason for erasing inside the retention period: ")
        child.sendcontrol("c")
        child.expect_exact("nothing erased")
        self.assertEqual(finish(self, child), 1)
        self.assertEqual(self.snapshot(), before)

        # a reason, then the question; "no" still keeps the client
        child = self.spawn("erase", str(self.mid))
        child.expect_exact("Reason for erasing inside the retention period: ")
        type_line(child, REASON)
        child.expect_exact("Type yes to erase client %d: " % self.mid)
        type_line(child, "no")
        self.assertEqual(finish(self, child), 1)
        self.assertEqual(self.snapshot(), before)

        child = self.spawn("--staff", "Eve Eraser", "erase", str(self.mid))
        rec = record(child)
        child.expect_exact("Client %d was last seen on %s, inside the studio's retention\r\n"
                           "period of 5 years (config retention_years)" % (self.mid, years_ago(2)))
        child.expect_exact("Reason for erasing inside the retention period: ")
        type_line(child, REASON)
        child.expect_exact("Type yes to erase client %d: " % self.mid)
        type_line(child, "yes")
        child.expect_exact("Erased client %d and its 2 intakes." % self.mid)
        self.assertEqual(finish(self, child), 0)
        self.assertNotIn(NOT_SET, rec.text)
        self.assertEqual({r for _, r in self.reasons(self.mid)}, {REASON})

    def test_at_a_terminal_yes_still_asks_the_reason_and_reason_is_not_asked_again(self):
        child = self.spawn("erase", str(self.mid), "--yes")
        rec = record(child)
        child.expect_exact("Reason for erasing inside the retention period: ")
        type_line(child, "x" * 501)
        child.expect_exact("smp-intake: erase: the reason must be one line of text, at most 500 "
                           "characters")
        self.assertEqual(finish(self, child), 1)
        self.assertEqual(self.sql("SELECT count(*) FROM client WHERE id = ?", self.mid), [(1,)])

        child = self.spawn("erase", str(self.mid), "--reason", REASON)
        rec = record(child)
        child.expect_exact("Type yes to erase client %d: " % self.mid)
        type_line(child, "yes")
        child.expect_exact("Erased client %d" % self.mid)
        self.assertEqual(finish(self, child), 0)
        self.assertNotIn("Reason for erasing", rec.text)
        self.assertEqual({r for _, r in self.reasons(self.mid)}, {REASON})

    def test_at_a_terminal_outside_the_period_no_reason_is_asked(self):
        child = self.spawn("erase", str(self.old))
        rec = record(child)
        child.expect_exact("Type yes to erase client %d: " % self.old)
        type_line(child, "yes")
        child.expect_exact("Erased client %d" % self.old)
        self.assertEqual(finish(self, child), 0)
        self.assertNotIn("Reason for erasing", rec.text)
        self.assertNotIn(NOT_SET, rec.text)


class EraseWithoutRetention(RetentionTest):
    def test_it_works_as_before_and_says_so_at_a_terminal(self):
        mid = self.client("Mira", years_ago(2))
        p = self.run_cmd("erase", str(mid), "--yes")
        self.assertEqual((p.returncode, p.stdout, p.stderr),
                         (0, "Erased client %d and its 1 intake.\n" % mid, ""))
        again = self.client("Ada", years_ago(1))
        child = self.spawn("erase", str(again))
        rec = record(child)
        child.expect_exact("Type yes to erase client %d: " % again)
        type_line(child, "yes")
        child.expect_exact("Erased client %d" % again)
        self.assertEqual(finish(self, child), 0)
        self.assertEqual(" ".join(rec.text.split()).count(NOT_SET), 1, rec.text)
        self.assertNotIn("Reason for erasing", rec.text)
        # a reason given all the same is kept
        bo = self.client("Bo", None)
        p = self.run_cmd("erase", str(bo), "--yes", "--reason", "Asked by the client")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual({r for _, r in self.reasons(bo)}, {"Asked by the client"})


class WithRecordedSessions(RetentionTest):
    """The last session as `session new` records it (not written into the
    table by the test)."""

    def record_session(self, client, day):
        intake = self.intakes_of(client)[-1]
        path = os.path.join(self.tmp, "session.json")
        with open(path, "w") as f:
            json.dump(session_answers(performed_on=day, client_ack="Sam Purgeson"), f)
        p = self.run_cmd("session", "new", str(intake), "--answers", path)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(self.sql("SELECT performed_on FROM session WHERE client_id = ?", client),
                         [(day,)])

    def test_a_recorded_session_inside_the_period_keeps_the_client(self):
        old = self.client("Olga", years_ago(10))
        sam = self.client("Sam", years_ago(10))
        self.record_session(sam, years_ago(3))
        # not set: the session still counts as when the client was last seen
        p = self.run_cmd("purge", "--older-than", "5y")
        self.assertEqual([c for c, _, _ in self.listed(p.stdout)], [old])
        self.set_retention(5)
        before = self.snapshot()
        p = self.run_cmd("purge", "--older-than", "1y", "--override", REASON)
        self.assertIn((sam, years_ago(3), "Sam Purgeson"), self.listed(p.stdout))
        self.assertEqual(self.snapshot(), before)
        p = self.run_cmd("purge", "--older-than", "1y", "--yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Erased client %d" % old, p.stdout)
        self.assertNotIn("Erased client %d" % sam, p.stdout)
        self.assertIn("Kept 1 client seen since %s" % first_kept("5y").isoformat(), p.stdout)
        self.assertEqual(self.sql("SELECT count(*) FROM session WHERE client_id = ?", sam),
                         [(1,)])
        p = self.run_cmd("erase", str(sam), "--yes")
        self.assert_one_line_error(p, 2)
        self.assertIn("client %d was last seen on %s, inside the studio's retention period"
                      % (sam, years_ago(3)), p.stderr)
