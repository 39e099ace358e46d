"""The menu shell: `smp-intake` alone on a pseudo-terminal.  Its commands,
an intake inside it (and Ctrl-C there), errors that keep it running, how
it ends, and its history: commands come back with Up, personal data never.
"""
import json
import os

from harness import IntakeTest, base_answers
from ptyutil import (ACK, STOPPED, CTRL_U, ENTER, MENU, TAB, UP, answer_all,
                     finish, home_files, paste, record, screen_lines, type_line)


class MenuTest(IntakeTest):
    def open_menu(self):
        child = self.spawn()
        rec = record(child)
        child.expect_exact("Type help for the commands")
        child.expect_exact(MENU)
        return child, rec

    def command(self, child, line):
        """Types a menu command; returns what it printed up to the next prompt."""
        type_line(child, line)
        child.expect_exact(MENU)
        return child.before

    def recall(self, child, ups=1):
        """Presses Up ups times; returns what the terminal showed meanwhile
        (the recalled lines), then clears the line and runs help."""
        child.send(UP * ups)
        child.send(CTRL_U + "help" + ENTER)
        child.expect_exact("Commands:")
        shown = child.before
        child.expect_exact(MENU)
        return shown

    def quit(self, child):
        type_line(child, "quit")
        self.assertEqual(finish(self, child), 0)

    def intake_in_menu(self, child, answers, ack=""):
        """Takes an intake in the menu; ack is what the client types at
        the acknowledgement after the sheet ("": Enter, not now)."""
        type_line(child, "new")
        child.expect_exact("New consultation intake.")
        answer_all(child, answers)
        type_line(child, "yes")
        child.expect_exact("Saved intake ")
        child.expect_exact(ACK)
        type_line(child, ack)
        child.expect_exact("Acknowledged by the client" if ack else "saved as unacknowledged")
        child.expect_exact(MENU)


class Menu(MenuTest):
    def test_help_lists_every_command(self):
        child, rec = self.open_menu()
        out = self.command(child, "help")
        listed = [l.split()[0] for l in screen_lines(out)[1:] if l.startswith("  ")]
        for word in ("new", "acknowledge", "clear-flag", "find", "list", "show", "advice",
                     "signoff", "config", "export", "help", "quit"):
            self.assertIn(word, listed, out)
        self.quit(child)

    def test_a_pasted_block_of_commands_is_refused_whole(self):
        """Bracketed paste is on: several pasted lines arrive as one, and
        none of them runs (an erase among them must not go through);
        a command pasted with its line end runs as typed."""
        self.new_intake(base_answers())
        child, rec = self.open_menu()
        child.send(paste("list\nerase 1 --yes\n") + ENTER)
        child.expect_exact("one command at a time: the pasted text has several lines")
        child.expect_exact(MENU)
        self.assertEqual(self.sql("SELECT count(*) FROM client"), [(1,)])
        child.send(paste("list\n") + ENTER)
        child.expect_exact("Ana Silva")
        child.expect_exact(MENU)
        self.quit(child)

    def test_quit_exits_0(self):
        child, rec = self.open_menu()
        self.quit(child)

    def test_ctrl_d_exits_0(self):
        child, rec = self.open_menu()
        child.sendeof()
        self.assertEqual(finish(self, child), 0)

    def test_unknown_command_prints_one_line_and_the_menu_goes_on(self):
        child, rec = self.open_menu()
        out = self.command(child, "frobnicate now")
        lines = [l for l in screen_lines(out) if l.strip()]
        # The echoed command line, then exactly one line of error.
        self.assertEqual(len(lines), 2, out)
        self.assertIn("frobnicate", lines[1])
        self.assertIn("unknown command", lines[1])
        out = self.command(child, "help")
        self.assertIn("export", out)
        self.quit(child)

    def test_intake_find_show_advice_export_in_the_menu(self):
        child, rec = self.open_menu()
        self.intake_in_menu(child, base_answers(uses_rogaine="yes", gp_discussed="yes",
                                                gp_signoff="pending"))
        out = self.command(child, "find Ana")
        self.assertTrue(any(l.split()[:2] == ["1", "1"] and l.rstrip().endswith("Ana Silva")
                            for l in screen_lines(out)), out)
        out = self.command(child, "find Zed")
        self.assertNotIn("Ana Silva", out)
        out = self.command(child, "show 1")
        self.assertIn("Intake 1", out)
        self.assertIn("Silva", out)
        self.assertIn("GP sign-off: pending", out)
        out = self.command(child, "advice 1")
        self.assertIn("Advice for Ana Silva (", out)
        self.assertIn("Ask your GP first", out)
        self.assertNotIn("[gp-signoff]", out)
        out = self.command(child, "advice 1 --for artist")
        self.assertIn("Advice for Ana Silva (intake 1, ", out)
        self.assertIn("[gp-signoff]", out)
        path = os.path.join(self.tmp, "out.json")
        out = self.command(child, "export -o " + path)
        self.assertIn("exported 1 intake", out)
        with open(path) as f:
            data = json.load(f)
        self.assertEqual(len(data), 1)
        self.assertEqual(data[0]["client"]["last_name"], "Silva")
        self.assertEqual(data[0]["answers"]["gp_signoff"], "pending")
        self.quit(child)

    def test_acknowledge_and_clear_flag_in_the_menu(self):
        child, rec = self.open_menu()
        self.intake_in_menu(child, base_answers(keloid_history="yes"))  # Enter: not now
        row = screen_lines(self.command(child, "list"))[2].split()
        self.assertEqual(row[0], "1")
        self.assertEqual(row[4:6], ["keloid", "no"])  # the flag open, not ready
        # Tab completes the new command names
        child.send("ackn" + TAB)
        child.expect_exact("acknowledge ")
        child.send("1" + ENTER)
        child.expect_exact("Advice for Ana Silva (")  # the client's sheet
        child.expect_exact(ACK)
        type_line(child, "Ana Silvestre")  # not the name on the intake: asked again
        child.expect_exact("That is not the name on this intake")
        child.expect_exact(ACK)
        type_line(child, "ana  silva")
        child.expect_exact("Acknowledged by the client: intake 1, advice sheet 1.")
        child.expect_exact(MENU)
        self.assertEqual(self.sql("SELECT count(*) FROM acknowledgement"), [(1,)])
        out = self.command(child, "list --ready")
        self.assertNotIn("Ana Silva", out)  # the flag is still open
        child.send("clear-f" + TAB)
        child.expect_exact("clear-flag ")
        child.send('1 flag-keloid --reason "Test area healed flat"' + ENTER)
        child.expect_exact("Cleared flag-keloid on intake 1.")
        child.expect_exact(MENU)
        out = self.command(child, "clear-flag 1 flag-keloid --reason again")
        self.assertIn("already cleared", out)
        rows = [l.split() for l in screen_lines(self.command(child, "list --ready"))[2:]
                if l.strip()]
        self.assertEqual([r[0] for r in rows], ["1"])
        self.assertEqual(rows[0][4:6], ["-", "yes"])
        out = self.command(child, "show 1")
        self.assertIn("Test area healed flat", out)
        self.quit(child)

    def test_ctrl_c_in_new_stops_the_intake_and_returns_to_the_menu(self):
        child, rec = self.open_menu()
        type_line(child, "new")
        answer_all(child, base_answers(), stop="last_name")
        child.send("Sil")
        child.expect_exact("Sil")
        child.sendcontrol("c")
        child.expect_exact(STOPPED)
        child.expect_exact(MENU)
        self.assertTrue(child.isalive())
        self.assertEqual(self.sql("SELECT count(*) FROM intake"), [(0,)])
        self.assertEqual(self.sql("SELECT count(*) FROM client"), [(0,)])
        # Ctrl-C at the Save prompt too, then the menu still works, and a
        # later intake is saved normally.
        type_line(child, "new")
        answer_all(child, base_answers())
        child.sendcontrol("c")
        child.expect_exact(STOPPED)
        child.expect_exact(MENU)
        self.assertEqual(self.sql("SELECT count(*) FROM client"), [(0,)])
        self.assertEqual(self.sql("SELECT count(*) FROM draft"), [(2,)])
        self.intake_in_menu(child, base_answers())
        self.assertEqual(self.sql("SELECT count(*) FROM intake"), [(1,)])
        self.quit(child)

    def test_ctrl_c_at_the_menu_prompt_keeps_the_menu(self):
        child, rec = self.open_menu()
        child.send("sho")
        child.expect_exact("sho")
        child.sendcontrol("c")
        child.expect_exact(MENU)
        out = self.command(child, "help")
        self.assertIn("export", out)  # the half-typed "sho" was dropped
        self.quit(child)


class History(MenuTest):
    def test_up_recalls_the_previous_command_with_its_argument(self):
        self.new_intake(base_answers())  # through the pipe
        child, rec = self.open_menu()
        out = self.command(child, "show 1")
        self.assertEqual(out.count("Intake 1\r\n"), 1)
        child.send(UP)
        child.expect_exact("show")
        child.send(ENTER)  # runs the recalled line again
        child.expect_exact(MENU)
        again = child.before
        self.assertIn("Intake 1\r\n", again,
                      "Up then Enter did not run `show 1` again:\n" + again)
        self.quit(child)

    def test_find_is_remembered_without_the_name(self):
        self.new_intake(base_answers())
        child, rec = self.open_menu()
        out = self.command(child, "find Silva")
        self.assertIn("Ana Silva", out)
        child.send(UP)
        child.expect_exact("find")
        child.send(ENTER)
        child.expect_exact(MENU)
        again = child.before
        self.assertNotIn("Silva", again)  # neither on the line nor found again
        # Deeper in the history there is no name either.
        self.assertNotIn("Silva", self.recall(child, ups=10))
        self.quit(child)

    def test_personal_option_values_are_not_remembered(self):
        self.new_intake(base_answers(uses_rogaine="yes", gp_discussed="yes", gp_signoff="pending"))
        child, rec = self.open_menu()
        self.command(child, 'signoff 1 --status obtained --gp "Dr Quillon" --date 2026-11-01 '
                            '--ref=LTR-Vexmartin')
        self.command(child, 'config set studio_name "Ink Lab"')
        shown = self.recall(child, ups=2)
        self.assertIn("signoff 1 --status obtained --date 2026-11-01", shown)
        self.assertNotIn("Quillon", shown)
        self.assertNotIn("Vexmartin", shown)
        # A recalled line with a quoted word runs as it was typed (the
        # line before it is recall's own help).
        child.send(UP + UP)
        child.expect_exact('config set studio_name "Ink Lab"')
        child.send(ENTER)
        child.expect_exact(MENU)
        self.assertNotIn("smp-intake:", child.before)
        self.quit(child)

    def test_acknowledged_name_and_clearing_reason_are_not_remembered(self):
        self.new_intake(base_answers(first_name="Quillon", last_name="Vexmartin",
                                     keloid_history="yes", acknowledged_by=None))
        child, rec = self.open_menu()
        out = self.command(child, 'acknowledge 1 --name "Quillon Vexmartin"')
        self.assertIn("Acknowledged by the client: intake 1", out)
        out = self.command(child, "clear-flag 1 flag-keloid --reason=Dr_Ostrander_saw_it")
        self.assertIn("Cleared flag-keloid on intake 1.", out)
        shown = self.recall(child, ups=2)
        self.assertIn("acknowledge 1", shown)
        self.assertIn("clear-flag 1 flag-keloid", shown)
        for value in ("Quillon", "Vexmartin", "Ostrander"):
            self.assertNotIn(value, shown)
        self.quit(child)

    def test_answers_never_come_back_with_up(self):
        child, rec = self.open_menu()
        self.command(child, "help")
        a = base_answers(first_name="Quillon", last_name="Vexmartin", phone="+44 7700 900999",
                         hair_loss_notes="Crown thinning", allergies="yes",
                         allergies_detail="Nickel and latex")
        self.intake_in_menu(child, a, ack="Quillon Vexmartin")  # the client types the name
        child.send(UP)
        child.expect_exact("new")  # the last command, not the last answer
        child.send(CTRL_U)
        shown = self.recall(child, ups=30)
        for answer in ("Quillon", "Vexmartin", "900999", "1985-07-23", "Crown thinning",
                       "Nickel"):
            self.assertNotIn(answer, shown)
        self.quit(child)
        for rel in home_files(self.tmp):
            self.assertNotIn("hist", rel.lower())
            if not rel.startswith("intake.db"):
                with open(os.path.join(self.tmp, rel), "rb") as f:
                    self.assertNotIn(b"Quillon", f.read(), rel)
