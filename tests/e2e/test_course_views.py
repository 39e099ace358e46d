"""What the desk sees of the course (issue 16): the sessions and the course
plan in `show`, the course's rows in `history`, `list --sessions-due` and
`list --touch-up-due` (inside and outside the window, overdue, each
client's latest course only), and the recall `find --lot` (case ignored,
phones shown, written in the access log)."""
import datetime
import json
import os

from harness import IntakeTest, base_answers

TODAY = datetime.date.today()


def ago(days):
    return (TODAY - datetime.timedelta(days=days)).isoformat()


def ahead(days):
    return (TODAY + datetime.timedelta(days=days)).isoformat()


def session(**over):
    s = {"artist": "Kim Lee", "areas": ["crown", "mid_scalp"], "pigment_brand": "Acme",
         "shade": "Dark 2", "lot": "A-1234", "lot_expiry": "2099-06", "needle": "RL3",
         "dilution": "30%", "patch_test": False, "id_checked": "passport",
         "countersigned": "Kim Lee", "rescreen": {"changed": False}}
    s.update(over)
    return {k: v for k, v in s.items() if v is not None}


class CourseTest(IntakeTest):
    def add_session(self, intake, **over):
        path = os.path.join(self.tmp, "session.json")
        with open(path, "w") as f:
            json.dump(session(**over), f)
        p = self.run_cmd("session", "new", str(intake), "--answers", path)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def client(self, first, phone):
        self.new_intake(base_answers(first_name=first, phone=phone))


class Show(CourseTest):
    def setUp(self):
        super().setUp()
        self.new_intake(base_answers(uses_rogaine="yes", rogaine_form="foam",
                                     gp_discussed="yes", gp_signoff="obtained",
                                     gp_name="Dr Who", gp_signoff_date=ago(60)))

    def test_no_session_yet(self):
        p = self.run_cmd("show", "1")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Sessions: none yet", p.stdout)
        self.assertNotIn("Course plan", p.stdout)

    def test_sessions_and_the_plan_with_pause_windows(self):
        self.add_session(1, performed_on=ago(40), patch_test=True, session_number=1,
                         lot="PT-1", notes="behind the ear")
        self.add_session(1, performed_on=ago(30), session_number=1)
        self.add_session(1, performed_on=ago(16), session_number=2, lot="b-99",
                         notes="second pass, darker")
        p = self.run_cmd("show", "1")
        self.assertEqual(p.returncode, 0, p.stderr)
        out = p.stdout
        sessions = out[out.index("\nSessions\n"):]
        # Oldest first, each with its details; the patch test says it waits.
        self.assertLess(sessions.index(ago(40)), sessions.index(ago(30)))
        self.assertLess(sessions.index(ago(30)), sessions.index(ago(16)))
        self.assertIn("no. 1 (a patch test), by Kim Lee", sessions)
        self.assertIn("not recorded yet", sessions)
        self.assertIn("second pass, darker", sessions)
        self.assertIn("mid-scalp, crown", sessions)  # stored in the areas' order
        self.assertIn("b-99", sessions)
        # The plan: 3 sessions 14 days apart from the first non-patch one.
        plan = out[out.index("Course plan (3 sessions, 14 days apart)"):]
        self.assertIn("1: %s, done" % ago(30), plan)
        self.assertIn("2: %s, done" % ago(16), plan)
        self.assertIn("3: %s, planned, overdue" % ago(2), plan)
        # Rogaine foam is topical: the pause around the planned session
        # (wrapped to the width like the rest of show).
        self.assertIn("topical products stop %s, start again %s" % (ago(9), ahead(5)),
                      " ".join(plan.split()))
        self.assertNotIn("touch-up", plan)

    def test_complete_course_gives_the_touch_up(self):
        self.run_cmd("config", "set", "course_sessions", "2")
        self.add_session(1, performed_on="2025-03-01", session_number=1)
        self.add_session(1, performed_on="2025-03-15", session_number=2)
        p = self.run_cmd("show", "1")
        self.assertIn("Course complete; a touch-up is due about 2028-03-15",
                      " ".join(p.stdout.split()))
        self.assertNotIn("planned", p.stdout[p.stdout.index("Course plan"):])

    def test_history_shows_the_session(self):
        self.add_session(1, performed_on=ago(3), lot="HX-7")
        p = self.run_cmd("history", "1")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("session", p.stdout)
        self.assertIn("HX-7", p.stdout)
        self.assertIn("Kim Lee", p.stdout)


class Due(CourseTest):
    def setUp(self):
        super().setUp()
        self.client("Near", "+44 7700 900001")    # intake 1: next session in 4 days
        self.client("Late", "+44 7700 900002")    # intake 2: next session 16 days ago
        self.client("Done", "+44 7700 900003")    # intake 3: complete, touch-up passed
        self.client("New", "+44 7700 900004")     # intake 4: no session
        self.add_session(1, performed_on=ago(10))
        self.add_session(2, performed_on=ago(30))
        for n, days in enumerate((800, 786, 772), start=1):
            self.add_session(3, performed_on=ago(days), session_number=n)
        self.run_cmd("config", "set", "touch_up_years", "2")

    def rows(self, *args):
        p = self.run_cmd("list", *args, "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        return {r["client"]: r for r in json.loads(p.stdout)}

    def test_sessions_due_in_the_window_and_overdue(self):
        rows = self.rows("--sessions-due")
        self.assertEqual(sorted(rows), ["Late Silva", "Near Silva"])
        self.assertEqual(rows["Near Silva"]["next_session_due"], ahead(4))
        self.assertEqual(rows["Near Silva"]["overdue"], "no")
        self.assertEqual(rows["Near Silva"]["phone"], "+44 7700 900001")
        self.assertEqual(rows["Late Silva"]["next_session_due"], ago(16))
        self.assertEqual(rows["Late Silva"]["overdue"], "yes")
        self.assertEqual(rows["Late Silva"]["sessions"], 1)
        # A narrower window leaves the one not yet due out; overdue stays.
        self.assertEqual(sorted(self.rows("--sessions-due", "--within", "3d")), ["Late Silva"])
        self.assertEqual(sorted(self.rows("--sessions-due", "--within", "1w")),
                         ["Late Silva", "Near Silva"])

    def test_touch_up_due(self):
        rows = self.rows("--touch-up-due")
        self.assertEqual(sorted(rows), ["Done Silva"])
        due = (datetime.date.fromisoformat(ago(772)).replace(
            year=datetime.date.fromisoformat(ago(772)).year + 2))
        self.assertEqual(rows["Done Silva"]["touch_up_due"], due.isoformat())
        self.assertEqual(rows["Done Silva"]["overdue"], "yes")
        # Three years: not due yet, not even within a month.
        self.run_cmd("config", "set", "touch_up_years", "3")
        self.assertEqual(self.rows("--touch-up-due", "--within", "4w"), {})

    def test_only_the_latest_course_counts(self):
        # Late Silva comes back: a new consultation, one session last week.
        self.new_intake(base_answers(first_name="Late", phone="+44 7700 900002"))  # intake 5
        self.add_session(5, performed_on=ago(7))
        rows = self.rows("--sessions-due")
        self.assertEqual(rows["Late Silva"]["intake"], 5)
        self.assertEqual(rows["Late Silva"]["next_session_due"], ahead(7))

    def test_text_table_and_refusals(self):
        p = self.run_cmd("list", "--sessions-due")
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        self.assertTrue(lines[0].startswith("client"), p.stdout)
        late = [l for l in lines if "Late Silva" in l][0]
        self.assertIn("overdue", late)
        self.assertIn("+44 7700 900002", late)
        self.assertIn("1 of 3", late)
        p = self.run_cmd("list", "--touch-up-due", "--within", "0d")
        self.assertIn("Done Silva", p.stdout)
        for args in (["--sessions-due", "--touch-up-due"], ["--sessions-due", "--within", "3x"],
                     ["--within", "3d"], ["--sessions-due", "--ready"],
                     ["--sessions-due", "--within", "99999d"]):
            with self.subTest(args=args):
                p = self.run_cmd("list", *args)
                self.assertEqual(p.returncode, 2, p.stdout)
                self.assertRegex(p.stderr, r"^smp-intake: list: .*\n$")
        self.run_cmd("config", "set", "touch_up_years", "20")
        p = self.run_cmd("list", "--touch-up-due")
        self.assertEqual(p.returncode, 0)
        self.assertIn("No touch-up due by %s" % ahead(14), p.stdout)


class Recall(CourseTest):
    def setUp(self):
        super().setUp()
        self.client("Ana", "+44 7700 900101")
        self.client("Bea", "+44 7700 900102")
        self.client("Cy", "+44 7700 900103")
        self.add_session(1, performed_on=ago(20), lot="LOT-77a")
        self.add_session(2, performed_on=ago(10), lot="lot-77A")
        self.add_session(3, performed_on=ago(5), lot="LOT-78")

    def test_every_client_of_the_lot_with_phones_and_an_access_row(self):
        p = self.run_cmd("find", "--lot", "Lot-77A")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Ana Silva", p.stdout)
        self.assertIn("+44 7700 900101", p.stdout)
        self.assertIn("Bea Silva", p.stdout)
        self.assertIn("+44 7700 900102", p.stdout)
        self.assertNotIn("Cy Silva", p.stdout)
        self.assertEqual(self.sql("SELECT command, clients FROM access_log WHERE command = 'find'"),
                         [("find", "1-2")])
        p = self.run_cmd("find", "--lot=lot-78", "--format", "tsv")
        rows = p.stdout.splitlines()
        self.assertEqual(len(rows), 2, p.stdout)
        head = rows[0].split("\t")
        row = dict(zip(head, rows[1].split("\t")))
        self.assertEqual(row["client"], "Cy Silva")
        self.assertEqual(row["phone"], "+44 7700 900103")
        self.assertEqual(row["lot"], "LOT-78")

    def test_no_session_with_the_lot(self):
        p = self.run_cmd("find", "--lot", "ZZ-1")
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stdout, "No session used lot ZZ-1.\n")
        self.assertEqual(self.sql("SELECT count(*) FROM access_log WHERE command = 'find'"), [(0,)])

    def test_refusals(self):
        for args in (["--lot", "A", "Ana"], ["--lot", ""], ["--lot", "A\x1b[31m"], []):
            with self.subTest(args=args):
                p = self.run_cmd("find", *args)
                self.assertEqual(p.returncode, 2, p.stdout)
                self.assertEqual(p.stdout, "")
