"""Typing at the terminal (issue 13): pasting (bracketed paste on), going
back with < and changing an answer at the summary by its number, dates as
people type them (the studio's form, today, +10d), prompts wrapped at words
to the terminal's width, and what `drafts` says about where an intake
stopped.  Dates and `signoff` without --date through the pipe too.
"""
import datetime
import re
import sqlite3

import pexpect

from harness import ORDER, IntakeTest, applies, base_answers, iso, pipe_lines, today
from ptyutil import (ACK, BACKSPACE, CTRL_U, PROMPTS, SAVE, STOPPED, answer, answer_all,
                     prompt_start,
                     expect_prompt, finish, paste, record, screen_lines, strip_ansi, type_line)


def weekday(d):
    return d.strftime("%A")


class InputTest(IntakeTest):
    def start(self, *args, columns=100):
        child = self.spawn("new", *args, columns=columns)
        rec = record(child)
        child.expect_exact("New consultation intake.")
        return child, rec

    def save(self, child):
        """Yes at the Save prompt (on screen); Enter at the acknowledgement."""
        type_line(child, "yes")
        child.expect_exact("Saved intake ")
        child.expect_exact(ACK)
        type_line(child, "")
        child.expect_exact("unacknowledged")
        self.assertEqual(finish(self, child), 0)
        data = self.export()
        self.assertEqual(len(data), 1)
        return data[0]


class Paste(InputTest):
    def paste(self, child, rec, text):
        """Pastes text as a terminal does: bracketed only when the program
        switched bracketed paste on (readline knows the brackets either way;
        with the mode off a terminal sends the bare lines)."""
        on, off = rec.text.rfind("\x1b[?2004h"), rec.text.rfind("\x1b[?2004l")
        child.send((paste(text) if on > off else text) + "\r")

    def test_a_pasted_note_of_three_lines_is_one_answer(self):
        a = base_answers()
        child, rec = self.start()
        answer_all(child, a, stop="hair_loss_notes")
        self.paste(child, rec, "line1\nline2\nline3\n")  # copied with its line end
        answer_all(child, a, start="hair_loss_scale")
        got = self.save(child)
        self.assertEqual(got["answers"]["hair_loss_notes"], "line1\nline2\nline3")
        self.assertFalse(got["answers"]["uses_rogaine"])

    def test_a_paste_of_lines_into_a_one_line_answer_is_refused_whole(self):
        a = base_answers()
        child, rec = self.start()
        answer_all(child, a, stop="first_name")
        self.paste(child, rec, "Ana\r\nMaria\r\nSilva")  # CR LF: one space each
        child.expect_exact("several lines")
        # Given back joined by spaces, to trim: Enter alone would take it.
        expect_prompt(child, PROMPTS["first_name"])
        child.expect_exact("Ana Maria Silva")
        child.send(CTRL_U)
        type_line(child, "Ana")
        answer_all(child, a, start="last_name")
        got = self.save(child)
        self.assertEqual(got["client"]["first_name"], "Ana")
        self.assertEqual(got["client"]["last_name"], "Silva")
        # No pasted line answered the question after it.
        self.assertEqual(rec.text.count(PROMPTS["last_name"]), 1)

    def test_a_paste_over_the_limit_stays_in_the_line_to_trim(self):
        a = base_answers()
        child, rec = self.start()
        answer_all(child, a, stop="first_name")
        self.paste(child, rec, "x" * 120)
        child.expect_exact("Too long: at most 100 characters")
        expect_prompt(child, PROMPTS["first_name"])
        child.send(BACKSPACE * 20 + "\r")  # trimmed to 100: taken
        answer_all(child, a, start="last_name")
        got = self.save(child)
        self.assertEqual(got["client"]["first_name"], "x" * 100)


class GoingBack(InputTest):
    def test_lt_goes_back_one_question_with_the_answer_kept(self):
        a = base_answers()
        child, _ = self.start()
        answer_all(child, a, stop="date_of_birth")  # first and last name answered
        type_line(child, "<")
        child.expect_exact("Last name (Silva): ")
        type_line(child, "<")
        child.expect_exact("First name (Ana): ")
        type_line(child, "Anna")
        child.expect_exact("Last name (Silva): ")  # asked again, Enter keeps
        type_line(child, "")
        answer_all(child, a, start="date_of_birth")
        got = self.save(child)
        self.assertEqual((got["client"]["first_name"], got["client"]["last_name"]),
                         ("Anna", "Silva"))

    def test_a_number_at_the_summary_changes_that_answer(self):
        a = base_answers()
        child, rec = self.start()
        answer_all(child, a)
        summary = strip_ansi(rec.text[rec.text.rindex("Summary"):])
        m = re.search(r"(\d+)\. Minoxidil \(Rogaine/Regaine\) +no", summary)
        self.assertTrue(m, summary)
        type_line(child, m.group(1))
        child.expect_exact("Uses minoxidil (Rogaine, Regaine), in any form? [yes/no] (no): ")
        type_line(child, "yes")
        # The questions a yes brings are asked; nothing else again.
        b = dict(a, uses_rogaine="yes", rogaine_form="foam", rogaine_since="",
                 gp_discussed="no")
        for q in ORDER[ORDER.index("uses_rogaine") + 1:]:
            if applies(q, b) and not applies(q, a):
                answer(child, q, b.get(q, ""))
        child.expect_exact("Summary")
        child.expect_exact(SAVE)
        got = self.save(child)
        self.assertTrue(got["answers"]["uses_rogaine"])
        self.assertEqual(got["answers"]["rogaine_form"], "foam")
        self.assertFalse(got["answers"]["gp_discussed"])
        self.assertEqual(rec.text.count(PROMPTS["uses_propecia"]), 1)

    def test_back_then_ctrl_c_then_resume_keeps_the_right_answers(self):
        a = base_answers()
        child, _ = self.start()
        answer_all(child, a, stop="date_of_birth")
        type_line(child, "<")
        child.expect_exact("Last name (Silva): ")
        child.sendcontrol("c")
        child.expect_exact(STOPPED)
        self.assertEqual(finish(self, child), 1)
        child = self.spawn("resume")
        record(child)
        child.expect_exact("Last name (Silva): ")  # where it stopped, Enter keeps
        type_line(child, "")
        answer_all(child, a, start="date_of_birth")
        got = self.save(child)
        self.assertEqual((got["client"]["first_name"], got["client"]["last_name"]),
                         ("Ana", "Silva"))

    def test_a_number_at_the_save_question_of_an_edit_changes_that_answer(self):
        a = base_answers(phone="+44 7700 900123")
        self.new_intake(a)
        child = self.spawn("edit", "1")
        rec = record(child)
        child.expect_exact("Editing intake 1.")
        for q in ORDER:
            if applies(q, a):
                child.expect_exact(prompt_start(q))
                type_line(child, "ana@example.com" if q == "email" else "")
        child.expect_exact("Save these changes? [yes/no]: ")
        summary = strip_ansi(rec.text[rec.text.rindex("Summary"):])
        m = re.search(r"(\d+)\. Phone +\+44 7700 900123", summary)
        self.assertTrue(m, summary)
        type_line(child, m.group(1))
        child.expect_exact("Phone (optional) (+44 7700 900123): ")
        type_line(child, "+44 7700 900555")
        child.expect_exact("Save these changes? [yes/no]: ")
        type_line(child, "yes")
        # Contact details change no advice: the acknowledgement carries over.
        child.expect_exact("the acknowledgement carries over")
        self.assertEqual(finish(self, child), 0)
        client = self.export()[0]["client"]
        self.assertEqual((client["phone"], client["email"]), ("+44 7700 900555", "ana@example.com"))

    def test_lt_through_a_pipe_is_an_answer(self):
        p = self.run_cmd("new", input=pipe_lines(base_answers(first_name="<")))
        self.assertEqual(p.returncode, 0, p.stderr)  # a name may be "<"
        p = self.run_cmd("new", input=pipe_lines(base_answers(uses_rogaine="<")))
        self.assertEqual(p.returncode, 1)
        self.assertIn("uses_rogaine", p.stderr)


class Dates(InputTest):
    def test_the_studio_form_is_taken_and_echoed_as_iso(self):
        self.assertEqual(self.run_cmd("config", "set", "date_input", "dmy").returncode, 0)
        a = base_answers(date_of_birth="23/07/1985")
        child, rec = self.start()
        answer_all(child, a)
        self.assertIn("= 1985-07-23 (Tuesday)", rec.text)
        got = self.save(child)
        self.assertEqual(got["client"]["date_of_birth"], "1985-07-23")

    def test_weeks_ahead_for_the_planned_session(self):
        when = today() + datetime.timedelta(weeks=3)
        a = base_answers(planned_session_date="+3w")
        child, rec = self.start()
        answer_all(child, a)
        self.assertIn("= %s (%s)" % (iso(when), weekday(when)), rec.text)
        got = self.save(child)
        self.assertEqual(got["answers"]["planned_session_date"], iso(when))

    def test_pipe_takes_today_days_ahead_and_a_month(self):
        self.run_cmd("config", "set", "date_input", "mdy")
        a = base_answers(planned_session_date="+10d", uses_rogaine="yes", rogaine_form="foam",
                         rogaine_since="2024-01", gp_discussed="no", date_of_birth="07/23/1985")
        self.new_intake(a)
        a = base_answers(last_name="Other", planned_session_date="today")
        self.new_intake(a)
        got = {i["client"]["last_name"]: i for i in self.export()}
        self.assertEqual(got["Silva"]["answers"]["planned_session_date"],
                         iso(today() + datetime.timedelta(days=10)))
        self.assertEqual(got["Silva"]["answers"]["rogaine_since"], "2024-01")
        self.assertEqual(got["Silva"]["client"]["date_of_birth"], "1985-07-23")
        self.assertEqual(got["Other"]["answers"]["planned_session_date"], iso(today()))
        show = self.run_cmd("show", "1").stdout
        self.assertIn("2024-01", show)

    def test_ambiguous_short_or_future_dates_are_refused_with_a_reason(self):
        cases = [
            ({}, dict(date_of_birth="03/04/1985"), "config set date_input"),
            ({"date_input": "dmy"}, dict(date_of_birth="23/07/85"), "four digits"),
            ({}, dict(date_of_birth="+10d"), "a date of birth cannot be in the future"),
            ({}, dict(uses_rogaine="yes", rogaine_since="+1w", gp_discussed="no"),
             "cannot be in the future"),
            ({"date_input": "dmy"}, dict(date_of_birth="31/02/1985"), "does not exist"),
        ]
        for n, (setting, over, why) in enumerate(cases):
            with self.subTest(answers=over):
                for k, v in setting.items():
                    self.run_cmd("config", "set", k, v)
                p = self.run_cmd("new", input=pipe_lines(base_answers(**over)))
                self.assertEqual(p.returncode, 1, p.stdout)
                self.assertIn(why, p.stderr)
                self.run_cmd("config", "set", "date_input", "iso")
        self.assertEqual(self.sql("SELECT count(*) FROM intake"), [(0,)])

    def test_date_input_setting_is_checked(self):
        self.run_cmd("config", "set", "minimum_age", "18")  # makes the database
        p = self.run_cmd("config", "set", "date_input", "ydm")
        self.assertEqual(p.returncode, 1)  # a bad value, as for the other keys
        self.assertIn("iso, dmy or mdy", p.stderr)
        self.assertEqual(self.run_cmd("config", "get", "date_input").stdout.strip(), "iso")

    def test_signoff_date_defaults_to_today(self):
        self.new_intake(base_answers(uses_rogaine="yes", rogaine_form="foam",
                                     gp_discussed="yes", gp_signoff="pending"))
        p = self.run_cmd("signoff", "1", "--status", "obtained", "--gp", "Dr Okafor")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.export()[0]["gp_signoff"]["date"], iso(today()))


class Wrapping(InputTest):
    def assert_no_word_cut(self, text, columns):
        """Each line as the program wrote it, up to the end of a prompt
        (what follows is typed), fits the width: the terminal never cuts
        a word of it."""
        for line in screen_lines(strip_ansi(text)):
            shown = line[:line.rindex(": ") + 2] if ": " in line else line
            self.assertLessEqual(len(shown), columns, "cut at %d columns: %r" % (columns, line))

    def test_prompts_and_help_fit_at_50_and_100_columns(self):
        a = base_answers(uses_rogaine="yes", rogaine_form="foam", rogaine_since="",
                         gp_discussed="yes", gp_signoff="pending")
        for columns in (50, 100):
            with self.subTest(columns=columns):
                self.tearDown()
                self.setUp()
                child, rec = self.start(columns=columns)
                answer_all(child, a, stop="scalp_conditions")
                type_line(child, "?")
                expect_prompt(child, PROMPTS["scalp_conditions"])
                answer_all(child, a, start="scalp_conditions", shown=True)
                self.save(child)
                self.assert_no_word_cut(rec.text[:rec.text.index("Saved intake")], columns)


class DraftsList(InputTest):
    def test_drafts_names_the_next_question_that_applies(self):
        a = base_answers()
        child, _ = self.start()
        answer_all(child, a, stop="uses_propecia")  # uses_rogaine: no
        child.sendcontrol("c")
        child.expect_exact(STOPPED)
        self.assertEqual(finish(self, child), 1)
        out = self.run_cmd("drafts").stdout
        self.assertIn("Finasteride (Propecia)", out)  # whole through a pipe
        self.assertNotIn("Minoxidil form", out)
        self.assertEqual(self.sql("SELECT next_question FROM draft"), [("uses_propecia",)])
        # A draft an older release kept names the next question in table
        # order; the list shows the one the walk will ask.
        con = sqlite3.connect(self.db)
        with con:
            con.execute("UPDATE draft SET next_question = 'rogaine_form'")
        con.close()
        self.assertEqual(self.sql("SELECT next_question FROM draft"), [("rogaine_form",)])
        out = self.run_cmd("drafts").stdout
        self.assertIn("Finasteride (Propecia)", out)
        self.assertNotIn("Minoxidil form", out)

    def test_drafts_fits_80_columns_with_long_names(self):
        a = base_answers(first_name="Maximiliana-Josefina " * 3, last_name="Wolfeschlegelstein" * 3)
        env = dict(self.env, SMP_INTAKE_STAFF="Bartholomew Featherstonehaugh")
        child = self.spawn("new", env=env, columns=80)
        record(child)
        answer_all(child, a, stop="phone")
        child.sendcontrol("c")
        child.expect_exact(STOPPED)
        self.assertEqual(finish(self, child), 1)
        # At a terminal of 80 columns every row fits it...
        child = self.spawn("drafts", columns=80)
        child.expect(pexpect.EOF)
        out = child.before.replace("\r\n", "\n")
        for line in out.splitlines():
            self.assertLessEqual(len(line), 80, line)
        self.assertIn("Phone", out)
        # ...and through a pipe the values are whole.
        out = self.run_cmd("drafts").stdout
        self.assertIn(("Maximiliana-Josefina " * 3).strip(), out)
        self.assertIn("Bartholomew Featherstonehaugh", out)
