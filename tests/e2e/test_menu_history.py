"""The menu's history, line by line: each line is parsed as its command
parses it (abbreviated options, shell quoting) and only what carries no
personal data is kept for the Up arrow (docs/security.md, "The menu's
history").  A line that is not a command, or that its command would refuse,
is not kept at all.  Quoting works in the menu as in a shell."""
import os
import subprocess

from harness import BIN, WRAPPER, IntakeTest, base_answers
from ptyutil import BACKSPACE, CTRL_U, ENTER, MENU, UP, home_files, strip_ansi, type_line
from test_menu import MenuTest

CTRL_L = "\x0c"


class MenuHistory(MenuTest):
    def setUp(self):
        super().setUp()
        self.new_intake(base_answers(first_name="Quillon", last_name="Vexmartin",
                                     uses_rogaine="yes", gp_discussed="yes",
                                     gp_signoff="pending", keloid_history="yes",
                                     acknowledged_by=None))

    def history(self, child, lines, depth):
        """Types each line, then recalls depth lines with Up, each shown
        whole (Ctrl-L redraws the line); returns them, newest first."""
        for line in lines:
            type_line(child, line)
            child.expect_exact(MENU)
        shown = []
        for _ in range(depth):
            child.send(UP + CTRL_L + "#")
            child.expect_exact("#")
            shown.append(strip_ansi(child.before).rsplit(MENU, 1)[1])
            child.send(BACKSPACE)
        child.send(CTRL_U + ENTER)
        child.expect_exact(MENU)
        return shown

    def test_abbreviated_quoted_and_stray_lines(self):
        child, rec = self.open_menu()
        lines = [
            "list --form tsv --lim 5",                    # kept, written out
            "acknowledge 1 --nam 'Quillon Vexmartin'",    # the name dropped
            'clear-flag 1 flag-keloid --rea "Dr Ostrander saw it"',
            "export --out=Vexmartin.json --for",          # refused: not kept
            # (a folder that is not there: the export writes no file)
            "export -o%s/none/Vexmartin.json --form csv" % self.tmp,
            "signoff 1 --stat obtained --gp=Dr\\ Lindqvist --ref LTR-7 --da 2026-11-01",
            "Quillon Vexmartin",                           # a name at the prompt
            "show Vexmartin",                              # not an intake number
            "list --since Quillon",                        # not a date
            "contact 1 --pho '+44 7700 900999'",
            "find crown",
            "help Vexmartin",
            "new --answers /tmp/Vexmartin.json --client 1",
        ]
        kept = ["new --client 1", "find", "contact 1", "signoff 1 --status obtained --date 2026-11-01",
                "export --format csv", "clear-flag 1 flag-keloid", "acknowledge 1",
                "list --format tsv --limit 5"]
        # One Up more than there are lines: the oldest stays.
        self.assertEqual(self.history(child, lines, len(kept) + 1), kept + kept[-1:])
        # Nothing of the session is in a file.
        self.quit(child)
        self.assertFalse(os.path.exists("Vexmartin.json"))
        for rel in home_files(self.tmp):
            self.assertNotIn("hist", rel.lower())
            if rel.startswith("intake.db"):
                continue  # the database holds the reason and the reference, as it should
            with open(os.path.join(self.tmp, rel), "rb") as f:
                data = f.read()
            for secret in ("Ostrander", "Lindqvist", "LTR-7"):
                self.assertFalse(secret.encode() in data, (rel, secret))

    def test_quoted_values_work_as_in_a_shell(self):
        child, rec = self.open_menu()
        for value in ("'Quillon Vexmartin'", '"Quillon Vexmartin"', "Quillon\\ Vexmartin",
                      "Quillon' 'Vexmartin"):
            with self.subTest(value=value):
                self.new_intake(base_answers(first_name="Quillon", last_name="Vexmartin",
                                             acknowledged_by=None))
                n = self.sql("SELECT max(id) FROM intake")[0][0]
                out = self.command(child, "acknowledge %d --name %s" % (n, value))
                self.assertIn("Acknowledged by the client: intake %d" % n, out)
        out = self.command(child, "acknowledge 1 --name 'Quillon Vexmartin")
        self.assertIn("cannot read that line (an open quote", out)
        # A recalled line with quotes runs as it was typed.
        out = self.command(child, 'config set studio_name "Ink \\"Lab\\" O\'Neil"')
        self.assertNotIn("smp-intake:", out)
        child.send(UP)
        child.expect_exact("config set studio_name")
        child.send(ENTER)
        child.expect_exact(MENU)
        self.assertNotIn("smp-intake:", child.before)
        self.quit(child)
        p = self.run_cmd("config", "get", "studio_name")
        self.assertEqual(p.stdout, 'Ink "Lab" O\'Neil\n')


class HelpMatchesParsers(IntakeTest):
    """The menu reads each command's options from its --help: every option
    there must take a value exactly when the command's own parser does."""

    def run_in_tmp(self, *args):
        p = subprocess.run(WRAPPER + [BIN, *args], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env,
                           cwd=self.tmp, timeout=60)
        return p.returncode, p.stderr.decode()

    def test_every_option_of_every_help_has_its_parser_arity(self):
        commands = [l.split()[0] for l in
                    self.run_cmd("--help").stdout.split("Commands:\n")[1].split("\n\n")[0]
                    .splitlines()]
        checked = 0
        # ids is not in the menu, and reads its one option by hand.
        commands = [c for c in commands if c != "ids"]
        for command in commands if not WRAPPER else ["signoff", "export"]:
            usage = self.run_cmd(command, "--help").stdout
            for line in usage.splitlines():
                head = line.strip().split("  ")[0]
                if not head.startswith("-") or head == "-":
                    continue
                words = head.replace(",", " ").split()
                value = any(w[0].isupper() for w in words if not w.startswith("-"))
                for opt in (w for w in words if w.startswith("--")):
                    with self.subTest(command=command, option=opt):
                        p = self.run_in_tmp(command, opt + "=x", "9")
                        refused = "unknown option, or an option without its value" in p[1]
                        self.assertEqual(refused, not value, (opt, p[1][:300]))
                        checked += 1
        self.assertGreater(checked, 5 if WRAPPER else 30)
