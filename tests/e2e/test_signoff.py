"""`smp-intake signoff`: the GP's answer recorded after the intake, through
the command line and the menu."""
import datetime

from harness import IntakeTest, base_answers, iso, today

ROGAINE_PENDING = dict(uses_rogaine="yes", rogaine_form="foam", gp_discussed="yes",
                       gp_signoff="pending")


class Readiness(IntakeTest):
    """The advice sheet (and so show) says plainly whether a first session
    may go ahead, and it follows the sign-offs recorded later."""

    def ready_line(self, intake_id):
        out = self.run_cmd("advice", str(intake_id), "--for", "artist").stdout
        return [l for l in out.splitlines() if l.startswith("Ready for a first session:")]

    def test_each_state(self):
        out = self.new_intake(base_answers())
        self.assertIn("Ready for a first session: yes (no hair-growth treatment recorded)", out)
        out = self.new_intake(base_answers(first_name="Bo", **ROGAINE_PENDING))
        self.assertIn("Ready for a first session: no: waiting for the GP's sign-off", out)
        self.run_cmd("signoff", "2", "--status", "declined")
        self.assertEqual(self.ready_line(2), ["Ready for a first session: no: the GP advised against it"])
        self.run_cmd("signoff", "2", "--status", "obtained", "--gp", "Dr X", "--date", iso(today()))
        self.assertEqual(self.ready_line(2),
                         ["Ready for a first session: yes (the GP's sign-off is obtained)"])
        self.assertIn("Ready for a first session: yes", self.run_cmd("show", "2").stdout)
        self.assertEqual(self.ready_line(1),
                         ["Ready for a first session: yes (no hair-growth treatment recorded)"])


class Signoff(IntakeTest):
    def setUp(self):
        super().setUp()
        self.new_intake(base_answers(**ROGAINE_PENDING))

    def advice_text(self, data, advice_id):
        return next(a["text"] for a in data["advice"] if a["id"] == advice_id)

    def test_obtained_updates_answers_status_and_a_new_sheet(self):
        letter = iso(today() - datetime.timedelta(days=3))
        p = self.run_cmd("signoff", "1", "--status", "obtained", "--gp", "Dr Patel",
                         "--date", letter, "--ref", "GP/2026/17")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Recorded GP sign-off 'obtained' for intake 1.", p.stdout)
        self.assertIn("Your GP, Dr Patel, gave the go-ahead on %s" % letter,
                      " ".join(p.stdout.split()))  # the sheet is wrapped
        self.assertIn("[gp-signoff-obtained]", p.stdout)  # the artist's view
        self.assertNotIn("ARTIST WARNING", p.stdout)
        [data] = self.export()
        self.assertEqual(data["gp_signoff"], {"status": "obtained", "gp_name": "Dr Patel",
                                              "date": letter})
        self.assertEqual(data["answers"]["gp_signoff"], "obtained")
        self.assertIn("Dr Patel", self.advice_text(data, "gp-signoff-obtained"))
        # The sheet the client was given at the intake is kept beside the new one.
        sheets = self.sql("SELECT sheet, advice_id, text FROM advice_sheet WHERE advice_id "
                          "LIKE 'gp-%' ORDER BY sheet")
        self.assertEqual([(s, i) for s, i, _ in sheets], [(1, "gp-signoff"),
                                                           (2, "gp-signoff-obtained")])
        self.assertIn("waiting for your GP's answer", sheets[0][2])
        self.assertIn("obtained", sheets[1][1])
        row = self.sql("SELECT status, gp_name, signed_on, reference, staff FROM signoff")
        self.assertEqual(row, [("obtained", "Dr Patel", letter, "GP/2026/17", "Dana Staff")])
        # show and advice read the latest sheet.
        self.assertIn("Your GP, Dr Patel, gave the go-ahead", self.run_cmd("advice", "1").stdout)
        self.assertIn("GP sign-off: obtained (Dr Patel, %s)" % letter,
                      self.run_cmd("show", "1").stdout)

    def test_declined_warns_and_a_later_obtained_replaces_it(self):
        p = self.run_cmd("signoff", "--status", "declined", "1")  # options before the ID too
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("ARTIST WARNING", p.stdout)
        self.assertEqual(self.export()[0]["gp_signoff"]["status"], "declined")
        p = self.run_cmd("signoff", "1", "--status", "obtained", "--gp", "Dr Ng",
                         "--date", iso(today()))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.export()[0]["gp_signoff"]["status"], "obtained")
        self.assertEqual(len(self.sql("SELECT id FROM signoff")), 2)
        self.assertEqual(self.sql("SELECT max(sheet) FROM advice_sheet"), [(3,)])

    def test_pending_after_obtained_forgets_the_gp_answers(self):
        self.run_cmd("signoff", "1", "--status", "obtained", "--gp", "Dr Ng",
                     "--date", iso(today()))
        p = self.run_cmd("signoff", "1", "--status", "pending")
        self.assertEqual(p.returncode, 0, p.stderr)
        [data] = self.export()
        self.assertEqual(data["gp_signoff"], {"status": "pending", "gp_name": None, "date": None})
        self.assertNotIn("gp_name", data["answers"])

    def test_bad_input_is_refused_and_changes_nothing(self):
        before = self.run_cmd("export").stdout
        future = iso(today() + datetime.timedelta(days=1))
        cases = [
            (["signoff", "1", "--status", "maybe"], 1, "--status"),
            (["signoff", "1", "--status", "obtained"], 2, "needs --gp NAME"),
            (["signoff", "1", "--status", "obtained", "--gp", "Dr X", "--date", future], 1,
             "future"),
            (["signoff", "1", "--status", "obtained", "--gp", "Dr X", "--date", "2026-02-30"],
             1, "does not exist"),
            (["signoff", "1", "--status", "obtained", "--gp", "Dr \x1b[2JX", "--date",
              iso(today())], 1, "--gp"),
            (["signoff", "1", "--status", "pending", "--ref", "a\x07b"], 2, "--ref"),
            (["signoff", "9", "--status", "pending"], 1, "no intake 9"),
            (["signoff", "x", "--status", "pending"], 2, "ID must be"),
            (["signoff", "1"], 2, "usage"),
            (["signoff", "1", "--status", "pending", "--bogus"], 2, "--bogus"),
        ]
        for args, code, message in cases:
            with self.subTest(args=args):
                p = self.run_cmd(*args)
                self.assertEqual(p.returncode, code, p.stderr)
                self.assertIn(message, p.stderr)
                self.assertNotIn("\x1b", p.stderr)
        self.assertEqual(self.run_cmd("export").stdout, before)
        self.assertEqual(self.sql("SELECT count(*) FROM signoff"), [(0,)])

    def test_no_treatment_needs_no_signoff(self):
        self.new_intake(base_answers(first_name="Bo"))
        p = self.run_cmd("signoff", "2", "--status", "obtained", "--gp", "Dr X",
                         "--date", iso(today()))
        self.assertEqual(p.returncode, 1)
        self.assertIn("no GP sign-off is needed", p.stderr)

    def test_signoff_from_the_menu(self):
        child = self.spawn()
        child.expect_exact("smp-intake> ")
        child.sendline('signoff 1 --status obtained --gp "Dr Anne Lee" --date %s' % iso(today()))
        child.expect_exact("Recorded GP sign-off 'obtained' for intake 1.")
        child.expect_exact("smp-intake> ")
        child.sendline("quit")
        child.expect_exact(__import__("pexpect").EOF)
        child.close()
        self.assertEqual(child.exitstatus, 0)
        self.assertEqual(self.export()[0]["gp_signoff"]["gp_name"], "Dr Anne Lee")
