"""`smp-intake config` (studio settings) and `smp-intake list` (recent
intakes with sign-off and readiness)."""
import datetime

from harness import IntakeTest, base_answers, iso, today

ROGAINE = dict(uses_rogaine="yes", rogaine_form="foam", gp_discussed="yes", gp_signoff="pending")


class Config(IntakeTest):
    def test_list_get_and_set(self):
        self.assertEqual(self.run_cmd("config", "set", "minimum_age", "18").returncode, 0)
        p = self.run_cmd("config", "list")
        self.assertEqual(p.returncode, 0, p.stderr)
        for key in ("studio_name", "pause_days_before", "pause_days_after", "minimum_age",
                    "staff_required"):
            self.assertIn(key, p.stdout)
        self.assertEqual(self.run_cmd("config", "get", "pause_days_before").stdout, "7\n")
        self.assertEqual(self.run_cmd("config", "set", "studio_name", "Ink & Scalp").returncode, 0)
        self.assertEqual(self.run_cmd("config", "get", "studio_name").stdout, "Ink & Scalp\n")
        self.assertEqual(self.sql("SELECT value FROM setting WHERE key = 'studio_name'"),
                         [("Ink & Scalp",)])

    def test_the_pause_window_set_is_used_by_the_advice(self):
        self.run_cmd("config", "set", "pause_days_before", "10")
        self.run_cmd("config", "set", "pause_days_after", "3")
        session = today() + datetime.timedelta(days=30)
        self.new_intake(base_answers(planned_session_date=iso(session), **ROGAINE))
        text = " ".join(self.run_cmd("advice", "1").stdout.split())
        self.assertIn("stop topical products on %s (10 days before)"
                      % iso(session - datetime.timedelta(days=10)), text)
        self.assertIn("start again on %s (3 days after)"
                      % iso(session + datetime.timedelta(days=3)), text)

    def test_minimum_age_set_is_used_by_the_questions(self):
        self.assertEqual(self.run_cmd("config", "set", "minimum_age", "21").returncode, 0)
        t = today()
        twenty = iso(t.replace(year=t.year - 20, day=min(t.day, 28)))
        p = self.run_cmd("new", input="yes\nAna\nSilva\n%s\n" % twenty)
        self.assertEqual(p.returncode, 1)
        self.assertIn("under 21", p.stderr)

    def test_bad_keys_and_values_are_refused_and_nothing_changes(self):
        cases = [
            (["config", "set", "colour", "red"], 2, "unknown setting 'colour'"),
            (["config", "get", "colour"], 2, "unknown setting"),
            (["config", "set", "minimum_age", "17"], 1, "18 to 100"),
            (["config", "set", "minimum_age", "18.5"], 1, "whole number"),
            (["config", "set", "pause_days_before", "-1"], 1, "0 to 60"),
            (["config", "set", "pause_days_after", "61"], 1, "0 to 60"),
            (["config", "set", "studio_name", "x\x1b[2J"], 1, "control characters"),
            (["config", "set", "studio_name", "x" * 101], 1, "100 characters"),
            (["config", "set", "studio_name"], 2, "usage"),
            (["config", "frobnicate"], 2, "usage"),
            (["config"], 2, "usage"),
        ]
        self.run_cmd("config", "set", "minimum_age", "18")  # creates the database
        before = self.sql("SELECT key, value FROM setting ORDER BY key")
        for args, code, message in cases:
            with self.subTest(args=args):
                p = self.run_cmd(*args)
                self.assertEqual(p.returncode, code, p.stderr)
                self.assertIn(message, p.stderr)
                if message != "usage":  # usage errors print the command's usage
                    self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
        self.assertEqual(self.sql("SELECT key, value FROM setting ORDER BY key"), before)

    def test_a_bad_stored_value_stops_commands_but_config_mends_it(self):
        self.run_cmd("config", "set", "minimum_age", "18")  # creates the database
        self.sql_write("UPDATE setting SET value = 'abc' WHERE key = 'minimum_age'")
        p = self.run_cmd("list")
        self.assertEqual(p.returncode, 1)
        self.assertIn("minimum_age", p.stderr)
        self.assertIn("config set", p.stderr)
        self.assertEqual(self.run_cmd("config", "set", "minimum_age", "18").returncode, 0)
        self.assertEqual(self.run_cmd("list").returncode, 0)


class List(IntakeTest):
    def setUp(self):
        super().setUp()
        self.new_intake(base_answers(first_name="Ana", **ROGAINE))            # 1 pending
        self.new_intake(base_answers(first_name="Bo", **ROGAINE))             # 2 obtained below
        self.new_intake(base_answers(first_name="Cy"))                        # 3 no treatment
        self.new_intake(base_answers(first_name="Di", uses_propecia="yes", propecia_form="tablet",
                                     gp_discussed="no"))                      # 4 not discussed
        p = self.run_cmd("signoff", "2", "--status", "obtained", "--gp", "Dr X",
                         "--date", iso(today()))
        self.assertEqual(p.returncode, 0, p.stderr)

    def rows(self, *args):
        p = self.run_cmd("list", *args)
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        if lines == ["No intake found."]:
            return []
        self.assertTrue(lines[0].startswith("intake"), lines)
        return [l.split() for l in lines[1:]]

    def test_newest_first_with_treatments_status_and_readiness(self):
        rows = self.rows()
        self.assertEqual([r[0] for r in rows], ["4", "3", "2", "1"])
        by_id = {r[0]: r for r in rows}
        # treatments, GP sign-off, open flags (none: "-"), ready; every
        # intake was acknowledged through the pipe
        self.assertEqual(by_id["1"][2:6], ["minoxidil", "pending", "-", "no"])
        self.assertEqual(by_id["2"][2:6], ["minoxidil", "obtained", "-", "yes"])
        self.assertEqual(by_id["3"][2:6], ["none", "not_required", "-", "yes"])
        self.assertEqual(by_id["4"][2:6], ["finasteride", "pending", "-", "no"])
        self.assertEqual(by_id["1"][6:], ["Ana", "Silva"])

    def test_filters(self):
        self.assertEqual([r[0] for r in self.rows("--pending-signoff")], ["4", "1"])
        self.assertEqual([r[0] for r in self.rows("--ready")], ["3", "2"])
        self.assertEqual([r[0] for r in self.rows("--limit", "2")], ["4", "3"])
        self.assertEqual([r[0] for r in self.rows("--pending-signoff", "--limit", "1")], ["4"])
        self.assertEqual(len(self.rows("--limit", "0")), 4)
        t = iso(today())
        self.assertEqual(len(self.rows("--since", t, "--until", t)), 4)
        tomorrow = iso(today() + datetime.timedelta(days=1))
        self.assertEqual(self.rows("--since", tomorrow), [])
        self.assertEqual(self.rows("--until", iso(today() - datetime.timedelta(days=1))), [])

    def test_bad_options(self):
        for args in (["--since", "2026-02-30"], ["--until", "yesterday"], ["--limit", "x"],
                     ["--limit", "-1"], ["--pending-signoff", "--ready"], ["--bogus"], ["extra"]):
            with self.subTest(args=args):
                p = self.run_cmd("list", *args)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertTrue(p.stderr.startswith("smp-intake: "), p.stderr)

    def test_fits_the_width_and_cuts_long_names(self):
        import pexpect
        from ptyutil import strip_ansi
        self.new_intake(base_answers(first_name="Maximiliana-Theodora", last_name="Vandenberghe-Ostrowska"))
        # The fixed columns take 65 (with flags, 2026.2): a terminal of 80
        # leaves the name 15.  Only a terminal cuts: a pipe gets it whole.
        child = self.spawn("list", columns=80)
        child.expect(pexpect.EOF)
        lines = strip_ansi(child.before).replace("\r", "").splitlines()
        for line in lines:
            self.assertLessEqual(len(line), 80, line)
        self.assertIn("\u2026", lines[1])
        env = dict(self.env, COLUMNS="80")
        self.assertIn("Maximiliana-Theodora Vandenberghe-Ostrowska",
                      self.run_cmd("list", env=env).stdout)

    def test_escapes_in_names_never_reach_the_terminal(self):
        import sqlite3
        con = sqlite3.connect(self.db)
        with con:
            con.execute("UPDATE client SET first_name = 'Ana\x1b]0;pwned\x07' WHERE id = 1")
        con.close()
        out = self.run_cmd("list").stdout
        self.assertNotIn("\x1b", out)
        self.assertIn("\\x1b", out)
