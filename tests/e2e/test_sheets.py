"""Two sheets, one record: the client's sheet in plain words follows the
GP's recorded answer and names the treatments; the artist's view (`show`,
`advice ID --for artist`) has the rule ids, the warning, the flags and the
readiness.  What the client acknowledges and what is stored is the client's
sheet.  A sheet longer than the terminal goes through the pager.  The drug
questions ask by the drug's name; an older intake keeps its own labels."""
import datetime
import os
import stat

import pexpect

from harness import IntakeTest, base_answers, iso, pipe_lines, today
from ptyutil import ACK, PROMPTS, answer_all, finish, record, strip_ansi, type_line


def flat(text):
    """Text with its line wrapping (and the terminal's CRs) undone."""
    return " ".join(strip_ansi(text).split())


def declined(**over):
    a = base_answers(uses_rogaine="yes", rogaine_form="foam", rogaine_since="",
                     uses_propecia="yes", propecia_form="tablet", gp_discussed="yes",
                     gp_signoff="declined",
                     planned_session_date=iso(today() + datetime.timedelta(days=30)))
    a.update(over)
    return a


# What must never be on the sheet of a client whose GP declined.
CONTRADICTS_DECLINED = ("Carrying on alongside SMP", "can carry on", "keep using",
                        "Ask your GP first", "ARTIST WARNING", "Pausing topical",
                        "stop topical products", "GP's go-ahead")
# What only the artist's view has.
ARTIST_ONLY = ("[smp-cosmetic-only]", "ARTIST WARNING", "flag-allergy", "Screening flags",
               "screening flags", "(sheet 1)", "intake 1,", "Ready for a first session")


class Sheets(IntakeTest):
    def saved(self, answers):
        """Saves through the pipe; returns the client's sheet as printed
        (from its "Advice for" line)."""
        out = self.new_intake(answers)
        return out[out.index("\nAdvice for "):]

    def cmd(self, *args, code=0):
        p = self.run_cmd(*args)
        self.assertEqual(p.returncode, code, p.stderr)
        return p

    def assert_declined_sheet(self, text):
        f = flat(text)
        self.assertIn("Your GP advised against it", f)
        self.assertIn("Your GP advised against combining SMP with minoxidil (foam) and "
                      "finasteride (tablets).", f)
        self.assertIn("no SMP session while you use them, unless your GP gives a new "
                      "go-ahead", f)
        self.assertIn("talk to your GP again", f)
        for bad in CONTRADICTS_DECLINED:
            self.assertNotIn(bad, f)

    def test_declined_sheet_through_the_pipe(self):
        sheet = self.saved(declined())
        self.assert_declined_sheet(sheet)
        self.assert_declined_sheet(self.cmd("advice", "1").stdout)
        # The artist is told not to start.
        artist = flat(self.cmd("advice", "1", "--for", "artist").stdout)
        self.assertIn("ARTIST WARNING: do not start: GP sign-off declined", artist)
        self.assertIn("Ready for a first session: no: the GP advised against it", artist)
        self.assertIn("[gp-declined]", artist)

    def test_declined_sheet_at_a_terminal(self):
        child = self.spawn("new")
        rec = record(child)
        answer_all(child, declined())
        type_line(child, "yes")
        child.expect_exact(ACK)
        type_line(child, "Ana Silva")
        child.expect_exact("Acknowledged by the client: intake 1, advice sheet 1.")
        self.assertEqual(finish(self, child), 0)
        screen = rec.text[rec.text.index("Saved intake 1"):]
        self.assert_declined_sheet(screen[screen.index("Advice for"):])
        # One short line for the artist, above the client's sheet.
        self.assertIn("Ready for a first session: no: the GP advised against it", flat(screen))

    def test_obtained_names_the_gp_and_the_date(self):
        when = iso(today() - datetime.timedelta(days=9))
        f = flat(self.saved(base_answers(uses_propecia="yes", propecia_form="tablet",
                                         gp_discussed="yes", gp_signoff="obtained",
                                         gp_name="Dr Ngozi Okafor", gp_signoff_date=when)))
        self.assertIn("Your GP, Dr Ngozi Okafor, gave the go-ahead on %s for SMP alongside "
                      "finasteride (tablets)" % when, f)
        self.assertIn("You can keep using finasteride (tablets) alongside SMP.", f)
        for bad in ("Ask your GP first", "no SMP session", "advised against", "ARTIST"):
            self.assertNotIn(bad, f)

    def test_pending_says_no_session_until_then(self):
        for discussed, where in (("yes", "We are waiting for your GP's answer."),
                                 ("no", "You have not talked to your GP about this yet.")):
            with self.subTest(gp_discussed=discussed):
                self.tearDown()
                self.setUp()
                a = base_answers(uses_rogaine="yes", rogaine_form="oral", gp_discussed=discussed)
                if discussed == "yes":
                    a["gp_signoff"] = "pending"
                f = flat(self.saved(a))
                self.assertIn("Ask your GP first", f)
                self.assertIn("Talk to your GP about SMP alongside minoxidil (tablets)", f)
                self.assertIn(where, f)
                self.assertIn("There will be no SMP session until your GP has said yes", f)
                for bad in ("Carrying on alongside SMP", "can carry on", "gave the go-ahead",
                            "ARTIST", "Pausing topical"):
                    self.assertNotIn(bad, f)

    def test_client_sheet_has_no_ids_flags_or_numbers_the_artist_view_has(self):
        self.saved(base_answers(uses_rogaine="yes", rogaine_form="foam", gp_discussed="no",
                                allergies="yes", allergies_detail="latex"))
        for args in (("advice", "1"), ("advice", "1", "--for", "client")):
            out = self.cmd(*args).stdout
            self.assertIn("Advice for Ana Silva (", out)
            self.assertIn("Tell your artist", out)
            for bad in ARTIST_ONLY + ("[", "flag"):
                self.assertNotIn(bad, out, args)
        for args in (("advice", "1", "--for", "artist"), ("show", "1")):
            out = flat(self.cmd(*args).stdout)
            for want in ("[smp-cosmetic-only]", "[gp-signoff]", "[tell-artist]",
                         "ARTIST WARNING: do not start: GP sign-off pending (not yet "
                         "discussed with the GP).", "[flag-allergy]", "(sheet 1)",
                         "Advice for Ana Silva (intake 1,",
                         "Ready for a first session: no: waiting for the GP's sign-off"):
                self.assertIn(want, out, args)

    def test_for_reader_errors_are_usage_errors(self):
        self.saved(base_answers())
        for args, says in (
                (("advice", "1", "--for", "artist", "--format", "markdown"), "text sheet only"),
                (("advice", "1", "--format=html", "--for=artist"), "text sheet only"),
                (("advice", "1", "--for", "doctor"), "unknown reader 'doctor'")):
            p = self.cmd(*args, code=2)
            self.assertEqual(p.stdout, "")
            self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
            self.assertTrue(p.stderr.startswith("smp-intake: advice: "), p.stderr)
            self.assertIn(says, p.stderr)
        # The client's handout is still there.
        self.assertIn("<html", self.cmd("advice", "1", "--for", "client", "--format", "html").stdout)

    def test_acknowledge_shows_and_stores_the_clients_sheet(self):
        a = base_answers(uses_rogaine="yes", rogaine_form="foam", gp_discussed="yes",
                         gp_signoff="pending", allergies="yes", allergies_detail="latex",
                         acknowledged_by=None)
        self.new_intake(a)
        child = self.spawn("acknowledge", "1")
        rec = record(child)
        child.expect_exact(ACK)
        type_line(child, "Ana Silva")
        child.expect_exact("Acknowledged by the client")
        self.assertEqual(finish(self, child), 0)
        screen = flat(rec.text)
        screen = screen[:screen.index("The client reads the advice sheet")]
        for bad in ARTIST_ONLY:
            self.assertNotIn(bad, screen)
        stored = self.sql("SELECT advice_id, text FROM advice_sheet WHERE intake_id = 1 "
                          "AND sheet = 1 ORDER BY position")
        self.assertEqual([i for i, _ in stored],
                         ["smp-cosmetic-only", "gp-signoff", "tell-artist", "pause-topicals"])
        for _, text in stored:
            self.assertIn(text, screen)  # word for word what the client read
            self.assertNotIn("ARTIST", text)
        self.assertEqual(self.sql("SELECT sheet FROM acknowledgement WHERE intake_id = 1"),
                         [(1,)])

    def test_minoxidil_is_asked_by_the_drugs_name(self):
        a = base_answers(uses_rogaine="yes", rogaine_form="oral", rogaine_since="",
                         uses_propecia="yes", propecia_form="topical", gp_discussed="no")
        child = self.spawn("new")
        rec = record(child)
        answer_all(child, a)
        summary = rec.text[rec.text.rindex("Summary"):]
        type_line(child, "yes")
        child.expect_exact(ACK)
        type_line(child, "")
        self.assertEqual(finish(self, child), 0)
        self.assertIn("Uses minoxidil (Rogaine, Regaine), in any form? [yes/no]", rec.text)
        self.assertIn("Minoxidil form [foam/solution/oral/other]", rec.text)
        self.assertIn("Uses finasteride (Propecia), in any form? [yes/no]", rec.text)
        self.assertNotIn("Uses Rogaine", rec.text)
        self.assertIn("Minoxidil (Rogaine/Regaine)", summary)
        self.assertIn("Finasteride form", summary)
        f = flat(rec.text)
        self.assertIn("SMP alongside minoxidil (tablets) and finasteride (spray or lotion)", f)
        [rec_] = self.export()
        self.assertEqual(rec_["questionnaire_version"], "2026.4")
        self.assertEqual(rec_["answers"]["rogaine_form"], "oral")

    def test_an_older_intake_keeps_its_own_labels(self):
        a = base_answers(uses_rogaine="yes", rogaine_form="foam", uses_propecia="yes",
                         gp_discussed="no")
        self.new_intake(a)
        self.new_intake(a)
        con_args = ("UPDATE intake SET questionnaire_version = '2026.2' WHERE id = 1",)
        import sqlite3
        con = sqlite3.connect(self.db)
        with con:
            con.execute(*con_args)
        con.close()
        old = self.cmd("show", "1").stdout
        new = self.cmd("show", "2").stdout
        for label in ("Rogaine (minoxidil)", "Rogaine form", "Propecia (finasteride)",
                      "Propecia form"):
            self.assertIn("  %s " % label, old)
            self.assertNotIn("  %s " % label, new)
        for label in ("Minoxidil (Rogaine/Regaine)", "Minoxidil form", "Finasteride (Propecia)",
                      "Finasteride form"):
            self.assertIn("  %s " % label, new)
            self.assertNotIn("  %s " % label, old)
        self.assertIn("questionnaire 2026.2", old)
        self.assertIn("questionnaire 2026.4", new)


class Pager(IntakeTest):
    """At 24 rows the sheet is longer than the screen."""

    def long_intake(self, ack=None):
        self.new_intake(base_answers(
            uses_rogaine="yes", rogaine_form="foam", uses_other_topical="yes",
            other_topical_products="Nizoral shampoo", gp_discussed="no",
            wants_root_cause_help="yes",
            planned_session_date=iso(today() + datetime.timedelta(days=30)),
            acknowledged_by=ack))

    def recording_pager(self):
        """A $PAGER that keeps what it was given and notes that it ran."""
        path = os.path.join(self.tmp, "pager.sh")
        with open(path, "w") as f:
            f.write('#!/bin/sh\ncat > "$HOME/paged.txt"\necho ran >> "$HOME/pager-ran"\n')
        os.chmod(path, stat.S_IRWXU)
        return path

    def paged(self):
        path = os.path.join(self.tmp, "paged.txt")
        if not os.path.exists(path):
            return None
        with open(path, encoding="utf-8") as f:
            return f.read()

    def test_pager_from_PAGER_at_24_rows_not_when_it_fits(self):
        self.long_intake()
        env = dict(self.env, PAGER=self.recording_pager())
        child = self.spawn("advice", "1", env=env, rows=24, columns=80)
        rec = record(child)
        self.assertEqual(finish(self, child), 0)
        paged = self.paged()
        self.assertIsNotNone(paged, "the pager did not run")
        self.assertIn("Advice for Ana Silva", paged)
        self.assertIn("The cause of hair loss", paged)
        self.assertNotIn("Advice for", rec.text)  # the pager had it, not the screen
        # On a tall terminal the sheet fits and is printed as it is.
        os.remove(os.path.join(self.tmp, "paged.txt"))
        child = self.spawn("advice", "1", env=env, rows=200, columns=80)
        rec = record(child)
        self.assertEqual(finish(self, child), 0)
        self.assertIsNone(self.paged())
        self.assertIn("Advice for Ana Silva", rec.text)

    def test_never_a_pager_through_a_pipe(self):
        self.long_intake()
        env = dict(self.env, PAGER=self.recording_pager())
        p = self.run_cmd("advice", "1", env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("The cause of hair loss", p.stdout)
        self.assertIsNone(self.paged())

    def test_less_by_default_and_quitting_early(self):
        self.long_intake()
        env = dict(self.env)
        env.pop("PAGER", None)
        child = self.spawn("advice", "1", env=env, rows=24, columns=80)
        rec = record(child)
        child.expect_exact("Advice for Ana Silva")
        child.expect_exact(":")  # less waits at the end of the first screen
        self.assertIn("\x1b[?1049h", rec.text)  # less took the screen (less -R, TERM=xterm)
        child.send("q")  # quit before the end: the rest is never written
        self.assertEqual(finish(self, child), 0)
        self.assertNotIn("The cause of hair loss", strip_ansi(rec.text))

    def test_a_pager_that_cannot_start_prints_directly(self):
        self.long_intake()
        env = dict(self.env, PAGER=os.path.join(self.tmp, "no-such-pager"))
        child = self.spawn("advice", "1", env=env, rows=24, columns=80)
        rec = record(child)
        self.assertEqual(finish(self, child), 0)
        self.assertIn("The cause of hair loss", rec.text)

    def test_new_pages_the_sheet_before_the_name_is_typed(self):
        env = dict(self.env, PAGER=self.recording_pager())
        child = self.spawn("new", env=env, rows=24, columns=80)
        answer_all(child, base_answers(uses_rogaine="yes", rogaine_form="foam", rogaine_since="",
                                       gp_discussed="no", wants_root_cause_help="yes"))
        type_line(child, "yes")
        child.expect_exact(ACK)
        self.assertIn("Ask your GP first", self.paged() or "")  # read before the name
        type_line(child, "Ana Silva")
        child.expect_exact("Acknowledged by the client: intake 1, advice sheet 1.")
        self.assertEqual(finish(self, child), 0)
        self.assertEqual(self.sql("SELECT count(*) FROM acknowledgement"), [(1,)])

    def test_quitting_less_early_after_new_keeps_the_intake(self):
        env = dict(self.env)
        env.pop("PAGER", None)
        child = self.spawn("new", env=env, rows=24, columns=80)
        answer_all(child, base_answers(uses_rogaine="yes", rogaine_form="foam", rogaine_since="",
                                       gp_discussed="no", wants_root_cause_help="yes"))
        type_line(child, "yes")
        child.expect_exact("Advice for Ana Silva")
        child.expect_exact(":")
        child.send("q")
        child.expect_exact(ACK)
        type_line(child, "")
        child.expect_exact("Intake 1 is saved as unacknowledged")
        self.assertEqual(finish(self, child), 0)
        self.assertEqual(self.sql("SELECT count(*) FROM intake"), [(1,)])
