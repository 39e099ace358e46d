"""`smp-intake session new|result|list`: a session of the client's course
recorded from an --answers file, through a pipe and at a terminal; the
re-screening (a change saved as a new revision of the intake, a changed
treatment needing the GP's part again), readiness and --override, expired
lots, future dates and bad areas refused with nothing saved, the session
sheet (course plan, pause windows, studio aftercare), patch-test results
and the list."""
import datetime
import json
import os

import pexpect

from harness import IntakeTest, base_answers
from ptyutil import strip_ansi, type_line

TODAY = datetime.date.today()
ROGAINE = dict(uses_rogaine="yes", rogaine_form="foam", gp_discussed="yes",
               gp_signoff="obtained", gp_name="Dr Who", gp_signoff_date="2026-01-05")


def session(**over):
    """A complete, valid session answers file's object; keyword arguments
    override (None removes the key)."""
    s = {"artist": "Kim Lee", "areas": ["crown", "frontal"], "pigment_brand": "Acme",
         "shade": "Dark 2", "lot": "A-1234", "lot_expiry": "2099-06", "needle": "RL3",
         "dilution": "30%", "notes": "first pass", "patch_test": False,
         "id_checked": "passport", "countersigned": "Kim Lee", "client_ack": "Ana Silva",
         "rescreen": {"changed": False}}
    s.update(over)
    return {k: v for k, v in s.items() if v is not None}


# The pipe's lines of a session with nothing changed at re-screening.
PIPE_LINES = ["no", "", "", "Kim Lee", "crown, Mid-scalp", "Acme", "", "B-77", "2099-01",
              "", "", "", "no", "driving licence", "Kim Lee", "Ana Silva"]


class SessionTest(IntakeTest):
    def write(self, obj, name="session.json"):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            json.dump(obj, f)
        return path

    def new_session(self, intake="1", *extra, **over):
        return self.run_cmd("session", "new", intake, "--answers", self.write(session(**over)),
                            *extra)

    def sessions(self):
        return self.sql("SELECT id, intake_id, number, performed_on, areas, lot, rescreen, "
                        "intake_revision, id_checked, countersigned, client_ack, "
                        "override_reason FROM session ORDER BY id")

    def refused(self, p, words):
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
        self.assertIn(words, p.stderr)
        self.assertIn("nothing saved", p.stderr)


class FromAnswers(SessionTest):
    def setUp(self):
        super().setUp()
        self.new_intake(base_answers())  # 1: ready (no treatment, acknowledged)

    def test_saved_with_its_audit_row_and_sheet(self):
        p = self.new_session()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.sessions(), [
            (1, 1, 1, TODAY.isoformat(), "frontal,crown", "A-1234", "unchanged", 1, "passport",
             "Kim Lee", "Ana Silva", None)])
        self.assertIn("Session sheet: Ana Silva (client 1, intake 1)", p.stdout)
        self.assertIn("frontal, crown", p.stdout)
        self.assertIn("passport (the client's age checked)", p.stdout)
        self.assertIn("Course plan (3 sessions, 14 days apart)", p.stdout)
        self.assertIn("Saved session 1: session 1 of intake 1, acknowledged by the client.",
                      p.stdout)
        fields = dict(self.sql("SELECT c.field, c.new_value FROM audit a JOIN audit_change c "
                               "ON c.audit_id = a.id WHERE a.action = 'session'"))
        self.assertEqual(fields.get("lot"), "A-1234")
        self.assertEqual(self.sql("SELECT command, clients FROM access_log "
                                  "WHERE command = 'session'"), [("session", "1")])
        # the next one is number 2 by default
        self.assertEqual(self.new_session().returncode, 0)
        self.assertEqual(self.sql("SELECT number FROM session ORDER BY id"), [(1,), (2,)])

    def test_expired_lot_refused(self):
        before = self.snapshot()
        last_month = (TODAY.replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
        self.refused(self.new_session(lot_expiry=last_month), "an expired lot is refused")
        yesterday = (TODAY - datetime.timedelta(days=1)).isoformat()
        self.refused(self.new_session(lot_expiry=yesterday), "an expired lot is refused")
        self.assertEqual(self.snapshot(), before)
        # a lot that expires this month is good until the month's last day
        p = self.new_session(lot_expiry=TODAY.strftime("%Y-%m"))
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_future_date_refused(self):
        before = self.snapshot()
        tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
        self.refused(self.new_session(performed_on=tomorrow), "in the future")
        self.refused(self.new_session(performed_on="2026-02-30"), "not a real date")
        self.assertEqual(self.snapshot(), before)

    def test_bad_area_and_id_number_refused(self):
        before = self.snapshot()
        self.refused(self.new_session(areas=["crown", "top"]), "areas: not an area")
        self.refused(self.new_session(areas=[]), "areas")
        self.refused(self.new_session(id_checked="AB123456C"), "id_checked")
        self.refused(self.new_session(countersigned="Someone Else"), "countersigned")
        self.refused(self.new_session(client_ack="Bo Jones"), "client_ack")
        self.refused(self.new_session(artist="Kim\x1b[2J"), "control characters")
        self.refused(self.new_session(rescreen=None), "rescreen")
        self.refused(self.new_session(colour="red"), "unknown key")
        self.assertEqual(self.snapshot(), before)

    def test_under_age_on_the_session_day_refused(self):
        # 18 since yesterday: the intake takes them; a session dated three days
        # ago (before the birthday) is refused, as is any once the studio's
        # minimum age is raised.
        eighteen = TODAY - datetime.timedelta(days=1)
        if (eighteen.month, eighteen.day) == (2, 29):
            eighteen -= datetime.timedelta(days=1)
        born = eighteen.replace(year=eighteen.year - 18)
        self.new_intake(base_answers(first_name="Bo", date_of_birth=born.isoformat()))  # 2
        before = self.snapshot()
        three_days_ago = (TODAY - datetime.timedelta(days=3)).isoformat()
        self.refused(self.new_session("2", performed_on=three_days_ago, client_ack="Bo Silva"),
                     "under 18 on the session's date")
        self.assertEqual(self.snapshot(), before)
        p = self.new_session("2", client_ack="Bo Silva")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.run_cmd("config", "set", "minimum_age", "50")
        self.refused(self.new_session(), "under 50")


class Readiness(SessionTest):
    def test_not_ready_refused_then_override_stored_and_printed(self):
        self.new_intake(base_answers(keloid_history="yes"))  # 1: flag open
        before = self.snapshot()
        p = self.new_session()
        self.refused(p, "intake 1 is not ready for a session")
        self.assertIn("--override", p.stderr)
        self.assertEqual(self.snapshot(), before)
        p = self.new_session("1", "--override", "client's own doctor agreed by phone")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("  OVERRIDE        client's own doctor agreed by phone", p.stdout)
        self.assertEqual(self.sql("SELECT override_reason FROM session"),
                         [("client's own doctor agreed by phone",)])
        self.assertIn(("override_reason", "client's own doctor agreed by phone"),
                      self.sql("SELECT c.field, c.new_value FROM audit a JOIN audit_change c "
                               "ON c.audit_id = a.id WHERE a.action = 'session'"))

    def test_override_in_the_file(self):
        self.new_intake(base_answers(acknowledged_by=None))  # 1: not acknowledged
        self.refused(self.new_session(), "not ready")
        p = self.new_session(override_reason="acknowledged on paper")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.sql("SELECT override_reason FROM session"),
                         [("acknowledged on paper",)])

    def test_gp_pending_refused(self):
        self.new_intake(base_answers(uses_rogaine="yes", rogaine_form="foam",
                                     gp_discussed="yes", gp_signoff="pending"))
        self.refused(self.new_session(), "not ready")
        self.assertEqual(self.sessions(), [])


class Rescreen(SessionTest):
    def test_a_changed_treatment_makes_a_revision_and_needs_the_gp_again(self):
        self.new_intake(base_answers())  # 1: no treatment, ready
        change = {"changed": True, "answers": {"uses_rogaine": "yes", "rogaine_form": "foam"},
                  "acknowledged_by": "Ana Silva"}
        p = self.new_session(rescreen=change)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stderr.strip().splitlines(), [
            "smp-intake: intake 1 is not ready for a session: waiting for the GP's sign-off; "
            "the re-screening's changes are saved, the session is not (smp-intake session new "
            "1 --override REASON goes ahead, the reason recorded)"])
        self.assertEqual(self.sql("SELECT revision FROM intake WHERE id = 1"), [(2,)])
        self.assertEqual(self.sessions(), [])
        self.assertIn(("edit",), self.sql("SELECT action FROM audit WHERE intake_id = 1"))
        show = self.run_cmd("show", "1").stdout
        self.assertIn("pending", show)
        # the GP's part again, then the session goes ahead on revision 3
        p = self.run_cmd("signoff", "1", "--status", "obtained", "--gp", "Dr Who",
                         "--date", TODAY.isoformat())
        self.assertEqual(p.returncode, 0, p.stderr)
        self.run_cmd("acknowledge", "1", "--name", "Ana Silva")
        p = self.new_session()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.sql("SELECT rescreen, intake_revision FROM session"),
                         [("unchanged", 3)])

    def test_a_change_with_override_is_stored_as_changed(self):
        self.new_intake(base_answers())
        change = {"changed": True, "answers": {"blood_thinners": "yes",
                                               "blood_thinners_detail": "warfarin"}}
        p = self.new_session("1", "--override", "checked with the client's GP by phone",
                             rescreen=change)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.sql("SELECT rescreen, intake_revision FROM session"),
                         [("changed", 2)])
        self.assertIn("changed: intake revision 2", p.stdout)
        self.assertEqual(self.sql("SELECT a.value FROM answer a WHERE a.intake_id = 1 AND "
                                  "a.question_id = 'blood_thinners_detail'"), [("warfarin",)])

    def test_a_bad_rescreen_answer_saves_nothing(self):
        self.new_intake(base_answers())
        before = self.snapshot()
        self.refused(self.new_session(rescreen={"changed": True,
                                                "answers": {"blood_thinners": "maybe"}}),
                     "blood_thinners")
        self.refused(self.new_session(rescreen={"changed": True,
                                                "answers": {"first_name": "Eve"}}),
                     "not a question the re-screening asks")
        self.assertEqual(self.snapshot(), before)


class Results(SessionTest):
    def setUp(self):
        super().setUp()
        self.new_intake(base_answers())
        self.assertEqual(self.new_session(patch_test=True).returncode, 0)   # 1
        self.assertEqual(self.new_session().returncode, 0)                  # 2

    def test_patch_test_result(self):
        p = self.run_cmd("session", "result", "1", "--reaction", "mild", "--note", "slight redness")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.sql("SELECT reaction, reaction_note FROM session WHERE id = 1"),
                         [("mild", "slight redness")])
        self.assertIn(("session-result",), self.sql("SELECT action FROM audit"))
        listing = self.run_cmd("session", "list").stdout.splitlines()
        self.assertIn("patch test", listing[0])
        self.assertTrue(listing[1].startswith("1 ") and listing[1].endswith(" mild"), listing)
        self.assertTrue(listing[2].endswith(" -"), listing)

    def test_result_of_a_session_that_is_no_patch_test_refused(self):
        before = self.snapshot()
        p = self.run_cmd("session", "result", "2", "--reaction", "none")
        self.assertEqual(p.returncode, 1)
        self.assertIn("session 2 is not a patch test", p.stderr)
        p = self.run_cmd("session", "result", "9", "--reaction", "none")
        self.assertEqual(p.returncode, 1)
        p = self.run_cmd("session", "result", "1", "--reaction", "awful")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(self.snapshot(), before)


class Listing(SessionTest):
    def test_list_by_client_and_intake_made_safe(self):
        self.new_intake(base_answers())
        self.new_intake(base_answers(first_name="Bo", last_name="Evil\x1b[31m"
                                     if False else "Jones"))
        self.assertEqual(self.new_session("1").returncode, 0)
        p = self.new_session("2", client_ack="Bo Jones", lot="\u202eLOT")
        self.assertEqual(p.returncode, 0, p.stderr)
        out = self.run_cmd("session", "list").stdout
        self.assertIn("Ana Silva", out)
        self.assertIn("Bo Jones", out)
        self.assertNotIn("\u202e", out)
        out = self.run_cmd("session", "list", "--client", "2").stdout
        self.assertNotIn("Ana Silva", out)
        self.assertIn("Bo Jones", out)
        out = self.run_cmd("session", "list", "--intake", "1").stdout
        self.assertIn("Ana Silva", out)
        self.assertNotIn("Bo Jones", out)
        self.assertEqual(self.run_cmd("session", "list", "--client", "9").stdout,
                         "No session found.\n")
        self.assertEqual(self.run_cmd("session", "list", "--reaction", "none").returncode, 2)


class Sheet(SessionTest):
    def test_pause_window_per_planned_session_and_studio_aftercare(self):
        self.new_intake(base_answers(**ROGAINE))
        path = os.path.join(self.tmp, "aftercare.txt")
        with open(path, "w") as f:
            f.write("Keep the scalp dry for three days.\n")
        self.assertEqual(self.run_cmd("config", "set", "aftercare_text", path).returncode, 0)
        p = self.new_session()
        self.assertEqual(p.returncode, 0, p.stderr)
        on = TODAY
        # Each session's line (wrapped to the width: compared with its
        # spaces and line breaks taken as one space).
        flat = " ".join(p.stdout.split())
        for n in range(3):
            d = on + datetime.timedelta(days=14 * n)
            stop = (d - datetime.timedelta(days=7)).isoformat()
            resume = (d + datetime.timedelta(days=7)).isoformat()
            self.assertIn("%d: %s, %s; topical products stop %s, start again %s"
                          % (n + 1, d.isoformat(), "done" if n == 0 else "planned",
                             stop, resume), flat)
        self.assertIn("Your studio's aftercare\nKeep the scalp dry for three days.", p.stdout)
        self.assertEqual(self.sql("SELECT aftercare_version FROM session"), [(1,)])

    def sql_exec(self, query):
        import sqlite3
        con = sqlite3.connect(self.db)
        try:
            con.execute(query)
            con.commit()
        finally:
            con.close()


class ThroughPipe(SessionTest):
    def setUp(self):
        super().setUp()
        self.new_intake(base_answers())

    def test_one_line_per_answer_with_defaults(self):
        p = self.run_cmd("session", "new", "1", input="\n".join(PIPE_LINES) + "\n")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.sessions(), [
            (1, 1, 1, TODAY.isoformat(), "mid_scalp,crown", "B-77", "unchanged", 1,
             "driving_licence", "Kim Lee", "Ana Silva", None)])
        self.assertEqual(self.sql("SELECT lot_expiry, patch_test, pigment_brand, shade "
                                  "FROM session"), [("2099-01", 0, "Acme", None)])

    def test_a_wrong_line_saves_nothing(self):
        before = self.snapshot()
        for i, bad, words in ((4, "crown, top", "areas"), (8, "2001-01", "an expired lot"),
                              (1, (TODAY + datetime.timedelta(days=2)).isoformat(), "future"),
                              (13, "123456789", "id_checked")):
            lines = list(PIPE_LINES)
            lines[i] = bad
            p = self.run_cmd("session", "new", "1", input="\n".join(lines) + "\n")
            self.refused(p, words)
        # the input ending early
        p = self.run_cmd("session", "new", "1", input="\n".join(PIPE_LINES[:6]) + "\n")
        self.refused(p, "the input ended")
        self.assertEqual(self.snapshot(), before)
        # a name that is not the client's, typed after the sheet was shown (the
        # showing is in the access log)
        p = self.run_cmd("session", "new", "1", input="\n".join(PIPE_LINES[:-1] + ["Eve Smith"]))
        self.refused(p, "client_ack")
        self.assertEqual(self.sessions(), [])
        self.assertEqual(self.sql("SELECT command FROM access_log"), [("session",)])

    def test_rescreen_change_through_the_pipe(self):
        # yes; then the questions again in order (Enter keeps), the client's
        # name for the new advice, then the session as before
        again = ["yes", "", "", "", "", "none", "yes", "apixaban", "", "", "", "Ana Silva"]
        p = self.run_cmd("session", "new", "1", "--override", "GP phoned: fine",
                         input="\n".join(again + PIPE_LINES[1:]) + "\n")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.sql("SELECT revision FROM intake"), [(2,)])
        self.assertEqual(self.sql("SELECT rescreen, intake_revision, override_reason "
                                  "FROM session"), [("changed", 2, "GP phoned: fine")])
        self.assertEqual(self.sql("SELECT value FROM answer WHERE intake_id = 1 AND "
                                  "question_id = 'blood_thinners_detail'"), [("apixaban",)])


class AtTerminal(SessionTest):
    def setUp(self):
        super().setUp()
        self.new_intake(base_answers())

    def test_asked_one_by_one_with_help_retries_and_the_sheet(self):
        child = self.spawn("session", "new", "1")
        child.expect_exact("Has anything changed since %s" % TODAY.isoformat())
        type_line(child, "maybe")
        child.expect_exact("Answer yes or no.")
        type_line(child, "no")
        child.expect_exact("Date of the session [today]: ")
        type_line(child, "")
        child.expect_exact("Session number in the course [1]: ")
        type_line(child, "")
        child.expect_exact("Artist (your name as you sign): ")
        type_line(child, "?")
        child.expect_exact("not the login")
        type_line(child, "Kim Lee")
        child.expect_exact("Areas treated")
        type_line(child, "top")
        child.expect_exact("areas: not an area")
        type_line(child, "hairline, scar")
        for prompt in ("Pigment brand", "Shade", "Batch/lot"):
            child.expect_exact(prompt)
            type_line(child, "X1" if prompt == "Batch/lot" else "")
        child.expect_exact("Lot expiry date")
        type_line(child, "2001-01")
        child.expect_exact("an expired lot is refused")
        child.expect_exact("Lot expiry date")
        type_line(child, "2099-12-31")
        for _ in range(3):            # needle, dilution, notes
            child.expect_exact("(Enter: none): ")
            type_line(child, "")
        child.expect_exact("Was this a patch test? [no]: ")
        type_line(child, "yes")
        child.expect_exact("ID seen to check the client's age")
        type_line(child, "AB 12 34 56")
        child.expect_exact("never its number")
        type_line(child, "driving licence")
        child.expect_exact("Countersignature (type your name again): ")
        type_line(child, "Kim")
        child.expect_exact("not the artist's name")
        type_line(child, "kim lee")
        child.expect_exact("Session sheet: Ana Silva")
        child.expect_exact("Client's full name (Enter: not now): ")
        type_line(child, "")
        child.expect_exact("Saved session 1: session 1 of intake 1, not acknowledged by the client.")
        child.expect_exact("session result 1 --reaction")
        child.expect(pexpect.EOF)
        child.close()
        self.assertEqual(child.exitstatus, 0)
        self.assertEqual(self.sql("SELECT areas, lot, lot_expiry, patch_test, id_checked, "
                                  "countersigned, client_ack FROM session"),
                         [("hairline,scar", "X1", "2099-12-31", 1, "driving_licence", "kim lee",
                           None)])

    def test_under_age_on_the_typed_date_asked_again(self):
        self.run_cmd("config", "set", "minimum_age", "41")
        child = self.spawn("session", "new", "1")  # born 1985-07-23
        child.expect_exact("[yes/no]: ")
        type_line(child, "no")
        child.expect_exact("Date of the session [today]: ")
        type_line(child, "2026-07-22" if TODAY >= datetime.date(2026, 7, 23) else "2020-01-01")
        child.expect_exact("the client is under 41 on the session's date")
        child.expect_exact("Date of the session [today]: ")
        child.sendcontrol("c")
        child.expect(pexpect.EOF)
        child.close()
        self.assertEqual(self.sessions(), [])

    def test_not_ready_refused_before_the_questions(self):
        self.new_intake(base_answers(first_name="Bo", keloid_history="yes"))  # 2: flag open
        child = self.spawn("session", "new", "2")
        child.expect_exact("[yes/no]: ")
        type_line(child, "no")
        child.expect_exact("intake 2 is not ready for a session: ")
        child.expect(pexpect.EOF)
        child.close()
        self.assertEqual(child.exitstatus, 1)
        self.assertNotIn("Date of the session", child.before)

    def test_rescreen_change_at_the_terminal(self):
        child = self.spawn("session", "new", "1", "--override", "GP letter on file")
        child.expect_exact("[yes/no]: ")
        type_line(child, "yes")
        child.expect_exact("Enter keeps the answer in brackets.")
        # every question again (Enter keeps); only the allergies change
        for a in ["", "", "", "", "", "", "yes", "nickel", "", ""]:
            child.expect(r": ")
            type_line(child, a)
        child.expect_exact("The re-screening's changes are saved: intake 1, revision 2")
        # the flag the change raises is open: the override lets it go ahead
        child.expect_exact("a screening flag is open")
        child.expect_exact("Date of the session [today]: ")
        type_line(child, "")
        for a in ["", "Kim Lee", "crown", "", "", "", "", "", "", "", "", "passport",
                  "Kim Lee"]:
            child.expect(r": \S*")
            type_line(child, a)
        child.expect_exact("Client's full name (Enter: not now): ")
        type_line(child, "Ana Silva")
        child.expect_exact("Saved session 1")
        child.expect(pexpect.EOF)
        child.close()
        self.assertEqual(child.exitstatus, 0)
        self.assertEqual(self.sql("SELECT rescreen, intake_revision FROM session"),
                         [("changed", 2)])
        self.assertEqual(self.sql("SELECT value FROM answer WHERE intake_id = 1 AND "
                                  "question_id = 'allergies'"), [("yes",)])

    def test_saved_and_acknowledged_at_the_terminal(self):
        child = self.spawn("session", "new", "1")
        child.expect_exact("[yes/no]: ")
        type_line(child, "no")
        answers = ["", "", "Kim Lee", "crown", "", "", "", "", "", "", "", "", "passport",
                   "Kim Lee"]
        for a in answers:
            child.expect(r": \S*")
            type_line(child, a)
        child.expect_exact("Session sheet: Ana Silva (client 1, intake 1)")
        child.expect_exact("Client's full name (Enter: not now): ")
        type_line(child, "Bo Jones")
        child.expect_exact("That is not the name on this intake")
        child.expect_exact("Client's full name (Enter: not now): ")
        type_line(child, "ana silva")
        child.expect_exact("Saved session 1: session 1 of intake 1, acknowledged by the client.")
        child.expect(pexpect.EOF)
        child.close()
        self.assertEqual(child.exitstatus, 0)
        self.assertEqual(self.sql("SELECT areas, patch_test, client_ack FROM session"),
                         [("crown", 0, "ana silva")])

    def test_ctrl_c_saves_nothing(self):
        before = self.snapshot()
        child = self.spawn("session", "new", "1")
        child.expect_exact("[yes/no]: ")
        type_line(child, "no")
        child.expect_exact("Date of the session [today]: ")
        child.sendcontrol("c")
        child.expect_exact("session stopped; nothing saved")
        child.expect(pexpect.EOF)
        child.close()
        self.assertEqual(child.exitstatus, 1)
        self.assertEqual(self.snapshot(), before)


class Drafts(SessionTest):
    def setUp(self):
        super().setUp()
        self.new_intake(base_answers())

    def stop_after_areas(self):
        child = self.spawn("session", "new", "1")
        child.expect_exact("[yes/no]: ")
        type_line(child, "no")
        for a in ["", "", "Kim Lee", "crown"]:
            child.expect(r": ")
            type_line(child, a)
        child.expect_exact("Pigment brand")
        child.sendcontrol("c")
        child.expect_exact("session stopped; the answers so far are kept as draft 1 "
                           "(smp-intake session new 1 continues it)")
        child.expect(pexpect.EOF)
        child.close()
        self.assertEqual(child.exitstatus, 1)
        self.assertEqual(self.sessions(), [])
        self.assertEqual(self.sql("SELECT session_intake_id, client_id, next_question "
                                  "FROM draft"), [(1, 1, "pigment_brand")])
        self.assertEqual(dict(self.sql("SELECT question_id, value FROM draft_answer")),
                         {"rescreen": "unchanged", "performed_on": TODAY.isoformat(),
                          "session_number": "1", "artist": "Kim Lee", "areas": "crown"})

    def finish(self, child):
        child.expect_exact("Pigment brand")  # the answers before it are not asked again
        self.assertNotIn("Artist", child.before)
        type_line(child, "Acme")
        for a in ["", "", "", "", "", "", "", "passport", "Kim Lee", "Ana Silva"]:
            child.expect(r": ")
            type_line(child, a)
        child.expect_exact("Saved session 1: session 1 of intake 1")
        child.expect(pexpect.EOF)
        child.close()
        self.assertEqual(child.exitstatus, 0)
        self.assertEqual(self.sql("SELECT areas, pigment_brand, artist FROM session"),
                         [("crown", "Acme", "Kim Lee")])
        self.assertEqual(self.sql("SELECT count(*) FROM draft"), [(0,)])
        self.assertEqual(self.run_cmd("drafts").stdout, "No unfinished intakes, edits or sessions.\n")

    def test_kept_listed_and_continued_by_session_new(self):
        self.stop_after_areas()
        out = self.run_cmd("drafts").stdout
        self.assertRegex(out, r"\n1 .* Dana Staff +session 1 +Ana Silva +Pigment\n")
        child = self.spawn("session", "new", "1")
        child.expect_exact("Continuing draft 1, a session of intake 1.")
        self.finish(child)

    def test_new_mentions_a_session_draft_in_true_words(self):
        self.stop_after_areas()
        child = self.spawn("new")
        child.expect_exact("1 draft is kept (unfinished intakes, edits or sessions): "
                           "smp-intake drafts lists them, smp-intake resume continues one.")
        child.sendcontrol("c")
        child.expect(pexpect.EOF)
        child.close()
        self.assertNotIn("unfinished intake is kept", child.before)

    def test_continued_by_resume(self):
        self.stop_after_areas()
        child = self.spawn("resume", "1")
        child.expect_exact("Continuing draft 1, a session of intake 1.")
        self.finish(child)
