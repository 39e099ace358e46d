"""At the desk: a wrong database path is refused (and nothing created)
rather than taken for an empty studio; the menu's banner names the
database and who is at the desk, asks who that is (Tab completes the names
on file), and the intakes record the answer; `config set staff_required
yes` makes commands refuse without --staff; "did you mean" for a near
command, Tab for options, `clear`, and `help` in aligned columns."""
import os
import pwd
import re
import stat
import subprocess

from harness import BIN, TIMEOUT, WRAPPER, IntakeTest, base_answers, pipe_lines
from ptyutil import (ACK, CTRL_U, ENTER, MENU, TAB, UP, answer_all, finish, record,
                     screen_lines, type_line)

MISSING = "no database at '%s' (check --db or $SMP_INTAKE_DB; `smp-intake new` creates one)"

# Every command that only reads or changes what is already stored.
NON_CREATING = [
    ["find", "zoe"],
    ["list"],
    ["list", "--pending-signoff"],
    ["show", "1"],
    ["advice", "1"],
    ["edit", "1"],
    ["acknowledge", "1", "--name", "Zoe Smith"],
    ["clear-flag", "1", "flag-keloid", "--reason", "seen"],
    ["history", "1"],
    ["access-log"],
    ["drafts"],
    ["drafts", "--discard", "1"],
    ["resume"],
    ["resume", "1"],
    ["signoff", "1", "--status", "pending"],
    ["export"],
    ["export", "--client", "1"],
    ["erase", "1", "--yes"],
    ["purge", "--older-than", "7y"],
    ["ids"],
    ["ids", "--clients"],
    ["config", "list"],
    ["config", "get", "minimum_age"],
]

# Commands that need no database at all.
NO_DATABASE = [["questionnaire"], ["help"], ["help", "list"], ["--version"], ["--help"],
               ["list", "--help"], ["questionnaire", "--format", "fhir"]]


def login_name():
    return pwd.getpwuid(os.getuid()).pw_name


class DeskTest(IntakeTest):
    def files(self):
        """Every file and folder under the test's folder (HOME), but the
        inputrc the harness writes."""
        out = []
        for d, dirs, files in os.walk(self.tmp):
            for f in dirs + files:
                out.append(os.path.relpath(os.path.join(d, f), self.tmp))
        return sorted(x for x in out if x != "inputrc")

    def without(self, *names):
        env = dict(self.env)
        for n in names:
            env.pop(n, None)
        return env

    def open_menu(self, env=None, columns=100, staff_prompt=None):
        child = self.spawn(env=env, columns=columns)
        rec = record(child)
        if staff_prompt is not None:
            child.expect_exact(staff_prompt)
        else:
            child.expect_exact("Type help for the commands")
            child.expect_exact(MENU)
        return child, rec

    def command(self, child, line):
        type_line(child, line)
        child.expect_exact(MENU)
        return child.before

    def quit(self, child):
        type_line(child, "quit")
        self.assertEqual(finish(self, child), 0)


class MissingDatabase(DeskTest):
    def assert_refused(self, p, path, args):
        self.assertEqual(p.returncode, 1, (args, p.stderr))
        self.assertEqual(p.stdout, "", args)
        self.assertEqual(p.stderr, "smp-intake: " + MISSING % path + "\n", args)

    def test_every_non_creating_command_refuses_a_missing_database(self):
        typo = os.path.join(self.tmp, "typo.db")
        for args in NON_CREATING:
            with self.subTest(args=args, how="--db"):
                self.assert_refused(self.run_cmd("--db", typo, *args), typo, args)
                self.assertEqual(self.files(), [])
            with self.subTest(args=args, how="SMP_INTAKE_DB"):
                env = dict(self.env, SMP_INTAKE_DB=typo)
                self.assert_refused(self.run_cmd(*args, env=env), typo, args)
                self.assertEqual(self.files(), [])

    def test_the_default_location_is_not_created_either(self):
        env = self.without("SMP_INTAKE_DB")
        default = os.path.join(self.tmp, ".local", "share", "smp-intake", "intake.db")
        for args in (["find", "zoe"], ["list"], ["ids"], ["config", "list"], ["drafts"]):
            with self.subTest(args=args):
                self.assert_refused(self.run_cmd(*args, env=env), default, args)
                self.assertEqual(self.files(), [])

    def test_a_relative_typo_is_named_as_typed(self):
        p = subprocess.run(WRAPPER + [BIN, "--db", "typo.db", "find", "zoe"], cwd=self.tmp,
                           env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=TIMEOUT * 3)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(p.stderr, "smp-intake: " + MISSING % "typo.db" + "\n")
        self.assertEqual(self.files(), [])

    def test_commands_without_a_database_need_none(self):
        typo = os.path.join(self.tmp, "typo.db")
        for args in NO_DATABASE:
            with self.subTest(args=args):
                p = self.run_cmd("--db", typo, *args)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertNotEqual(p.stdout, "")
                self.assertEqual(self.files(), [])

    def assert_created(self, path):
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        for suffix in ("-wal", "-shm"):
            if os.path.exists(path + suffix):
                self.assertEqual(stat.S_IMODE(os.stat(path + suffix).st_mode), 0o600)

    def test_new_creates_the_database_0600(self):
        path = os.path.join(self.tmp, "studio.db")
        p = self.run_cmd("--db", path, "new", input=pipe_lines(base_answers()))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assert_created(path)
        self.assertEqual(self.run_cmd("--db", path, "ids").stdout, "1\n")

    def test_new_creates_the_default_location(self):
        env = self.without("SMP_INTAKE_DB")
        p = self.run_cmd("new", input=pipe_lines(base_answers()), env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        folder = os.path.join(self.tmp, ".local", "share", "smp-intake")
        self.assertEqual(stat.S_IMODE(os.stat(folder).st_mode), 0o700)
        self.assert_created(os.path.join(folder, "intake.db"))

    def test_config_set_creates_the_database_0600(self):
        path = os.path.join(self.tmp, "studio.db")
        p = self.run_cmd("--db", path, "config", "set", "studio_name", "Ink Studio")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assert_created(path)
        self.assertEqual(self.run_cmd("--db", path, "config", "get", "studio_name").stdout,
                         "Ink Studio\n")

    def test_import_creates_the_database_0600(self):
        self.new_intake(base_answers())
        exported = os.path.join(self.tmp, "export.json")
        self.assertEqual(self.run_cmd("export", "-o", exported).returncode, 0)
        path = os.path.join(self.tmp, "copy.db")
        p = self.run_cmd("--db", path, "import", exported)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assert_created(path)
        self.assertEqual(self.run_cmd("--db", path, "ids").stdout, "1\n")

    def test_the_menu_opens_without_a_database_and_new_creates_it(self):
        # As `make run` on a fresh machine: the default location, no folders.
        env = self.without("SMP_INTAKE_DB")
        default = os.path.join(self.tmp, ".local", "share", "smp-intake", "intake.db")
        child, rec = self.open_menu(env=env)
        self.assertIn("Database: %s (none yet: `new` creates it)" % default, rec.text)
        out = self.command(child, "find zoe")
        self.assertIn(MISSING % default, out)
        self.assertEqual(self.files(), [])
        type_line(child, "new")
        answer_all(child, base_answers())
        type_line(child, "yes")
        child.expect_exact(ACK)
        type_line(child, "")
        child.expect_exact(MENU)
        out = self.command(child, "list")
        self.assertIn("Ana", out)
        self.quit(child)
        self.assertEqual(stat.S_IMODE(os.stat(default).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.dirname(default)).st_mode), 0o700)


class Banner(DeskTest):
    def test_banner_names_the_database_and_the_staff(self):
        self.new_intake(base_answers())
        child, rec = self.open_menu()
        shown = rec.text
        self.assertIn("Database: %s\r\n" % self.db, shown)
        self.assertIn("At the desk: Dana Staff.\r\nType help", shown)
        self.quit(child)

    def test_a_path_with_escape_codes_is_made_safe(self):
        path = os.path.join(self.tmp, "red\x1b[31m.db")
        self.assertEqual(self.run_cmd("--db", path, "config", "set", "minimum_age", "18")
                         .returncode, 0)
        child, rec = self.open_menu(env=dict(self.env, SMP_INTAKE_DB=path))
        self.assertIn("Database: ", rec.text)
        self.assertIn(".db\r\n", rec.text)
        self.assertNotIn("\x1b[31m", rec.text)
        self.quit(child)


class WhoIsAtTheDesk(DeskTest):
    def prompt(self, default=True):
        return "Who is at the desk? [%s]: " % login_name() if default else \
            "Who is at the desk? "

    def test_tab_completes_a_staff_name_on_file_and_intakes_record_it(self):
        self.new_intake(base_answers(), "--staff", "Marta Reception")
        env = self.without("SMP_INTAKE_STAFF")
        child, rec = self.open_menu(env=env, staff_prompt=self.prompt())
        child.send("Mar" + TAB)
        child.expect_exact("Marta Reception")
        child.send(ENTER)
        child.expect_exact("At the desk: Marta Reception.\r\nType help")
        child.expect_exact(MENU)
        answers = base_answers(first_name="Zoe", last_name="Smith")
        type_line(child, "new")
        answer_all(child, answers)
        type_line(child, "yes")
        child.expect_exact(ACK)
        type_line(child, "")
        child.expect_exact(MENU)
        # The answer is never in the history: Up brings back `new` only.
        child.send(UP)
        child.send(CTRL_U + "help" + ENTER)
        child.expect_exact("Commands")
        self.assertNotIn("Marta", child.before)
        child.expect_exact(MENU)
        self.quit(child)
        p = self.run_cmd("show", "2")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("by Marta Reception", p.stdout)
        self.assertEqual(self.sql("SELECT staff FROM intake WHERE id = 2"),
                         [("Marta Reception",)])
        # The access log of that show is Dana's (from the environment).
        self.assertEqual(self.sql("SELECT DISTINCT staff FROM access_log"), [("Dana Staff",)])

    def test_tab_completes_a_name_with_a_space_from_its_second_word(self):
        self.new_intake(base_answers(), "--staff", "Marta Reception")
        self.new_intake(base_answers(first_name="Zoe"), "--staff", "Marta Rossi")
        env = self.without("SMP_INTAKE_STAFF")
        child, rec = self.open_menu(env=env, staff_prompt=self.prompt())
        child.send("Marta Re" + TAB)
        child.expect_exact("ception")
        child.send(ENTER)
        child.expect_exact("At the desk: Marta Reception.\r\nType help")
        child.expect_exact(MENU)
        self.quit(child)

    def test_enter_takes_the_login_name(self):
        env = self.without("SMP_INTAKE_STAFF")
        child, rec = self.open_menu(env=env, staff_prompt=self.prompt())
        type_line(child, "")
        child.expect_exact("At the desk: %s.\r\nType help" % login_name())
        child.expect_exact(MENU)
        self.quit(child)

    def test_not_asked_when_staff_is_given(self):
        child, rec = self.open_menu(env=self.without("SMP_INTAKE_STAFF") |
                                    {"SMP_INTAKE_STAFF": "Lee"})
        self.assertNotIn("Who is at the desk", rec.text)
        self.assertIn("At the desk: Lee.", rec.text)
        self.quit(child)

    def test_ctrl_d_at_the_question_leaves(self):
        env = self.without("SMP_INTAKE_STAFF")
        child, rec = self.open_menu(env=env, staff_prompt=self.prompt())
        child.sendeof()
        self.assertEqual(finish(self, child), 0)


class StaffRequired(DeskTest):
    def setUp(self):
        super().setUp()
        self.new_intake(base_answers())
        p = self.run_cmd("config", "set", "staff_required", "yes")
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_the_setting_reads_back_and_is_checked(self):
        self.assertEqual(self.run_cmd("config", "get", "staff_required").stdout, "yes\n")
        p = self.run_cmd("config", "set", "staff_required", "maybe")
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stderr, "smp-intake: config: staff_required: yes or no\n")
        self.assertIn("staff_required", self.run_cmd("config", "list").stdout)

    def test_commands_that_record_who_refuse_without_staff(self):
        env = self.without("SMP_INTAKE_STAFF")
        before = self.snapshot()
        cases = [
            (["new"], pipe_lines(base_answers(first_name="Bea"))),
            (["signoff", "1", "--status", "pending"], None),
            (["acknowledge", "1", "--name", "Ana Silva"], None),
            (["show", "1"], None),
            (["advice", "1"], None),
            (["export"], None),
            (["erase", "1", "--yes"], None),
        ]
        for args, data in cases:
            with self.subTest(args=args):
                p = self.run_cmd(*args, input=data, env=env)
                self.assertEqual(p.returncode, 1, p.stderr)
                self.assertEqual(p.stdout, "")
                self.assertEqual(p.stderr,
                                 "smp-intake: this studio records who did it: give --staff "
                                 "NAME or set SMP_INTAKE_STAFF (config staff_required is yes)\n")
        self.assertEqual(self.snapshot(), before)
        # Reading a list records nobody: it still works.
        self.assertEqual(self.run_cmd("list", env=env).returncode, 0)

    def test_commands_run_with_staff(self):
        env = self.without("SMP_INTAKE_STAFF")
        p = self.run_cmd("--staff", "Kim", "new", input=pipe_lines(base_answers(first_name="Bea")),
                         env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.sql("SELECT staff FROM intake WHERE id = 2"), [("Kim",)])
        p = self.run_cmd("show", "1", env=dict(env, SMP_INTAKE_STAFF="Kim"))
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_the_menu_asks_for_a_name_without_a_default(self):
        env = self.without("SMP_INTAKE_STAFF")
        child, rec = self.open_menu(env=env, staff_prompt="Who is at the desk? ")
        self.assertNotIn("[%s]" % login_name(), rec.text)
        type_line(child, "")
        child.expect_exact("type your name")
        child.expect_exact("Who is at the desk? ")
        type_line(child, "Kim")
        child.expect_exact("At the desk: Kim.")
        child.expect_exact(MENU)
        self.quit(child)


class MenuWords(DeskTest):
    def test_did_you_mean_on_the_command_line(self):
        p = self.run_cmd("lst")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stderr, "smp-intake: unknown command 'lst' (did you mean `list`? "
                                   "see smp-intake --help)\n")
        p = self.run_cmd("help", "shwo")
        self.assertEqual(p.returncode, 2)
        self.assertIn("did you mean `show`?", p.stderr)
        p = self.run_cmd("frobnicate")
        self.assertEqual(p.returncode, 2)
        self.assertNotIn("did you mean", p.stderr)

    def test_did_you_mean_in_the_menu(self):
        child, rec = self.open_menu()
        out = self.command(child, "lst")
        self.assertIn("unknown command 'lst' (did you mean `list`?", out)
        out = self.command(child, "qiut")
        self.assertIn("did you mean `quit`?", out)
        out = self.command(child, "frobnicate")
        self.assertNotIn("did you mean", out)
        self.quit(child)

    def test_tab_completes_options_and_words_anywhere(self):
        self.new_intake(base_answers())
        child, rec = self.open_menu()
        child.send("list --p" + TAB)
        child.expect_exact("list --pending-signoff ")
        child.send(CTRL_U + "exp" + TAB)
        child.expect_exact("export ")
        child.send(CTRL_U + "help sho" + TAB)
        child.expect_exact("help show ")
        child.send(CTRL_U + "config get minimum_a" + TAB)
        child.expect_exact("minimum_age ")
        child.send(ENTER)
        child.expect_exact("18")
        child.expect_exact(MENU)
        self.quit(child)

    def help_options(self, command):
        """The options on the option lines of `smp-intake COMMAND --help`
        and --help (as test_completion.py reads them for bash)."""
        p = self.run_cmd(command, "--help")
        opts = {"--help"}
        for line in p.stdout.splitlines():
            if re.match(r"^\s+-", line):
                opts.update(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", line))
        return opts

    def test_tab_lists_the_options_of_the_command_help(self):
        child, rec = self.open_menu(columns=200)
        for command in ("export", "signoff", "list", "new", "access-log"):
            with self.subTest(command=command):
                expected = self.help_options(command)
                # What all the options start with, so that the first Tab
                # adds nothing and the second lists them.
                typed = command + (" -" if any(o[1] != "-" for o in expected) else " --")
                child.send(typed + TAB + TAB)
                child.expect_exact(MENU + typed)
                listed = set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", child.before))
                self.assertEqual(listed, expected)
                child.send(CTRL_U)
        child.send(ENTER)
        child.expect_exact(MENU)
        self.quit(child)

    def test_clear_clears_the_screen(self):
        child, rec = self.open_menu()
        out = self.command(child, "clear")
        self.assertIn("\x1b[H\x1b[2J", out)
        self.quit(child)

    def test_help_columns_are_aligned_and_fit_80_columns(self):
        child, rec = self.open_menu(columns=80)
        type_line(child, "help")
        child.expect_exact("help COMMAND shows its options")
        out = child.before
        child.expect_exact(MENU)
        lines = screen_lines(out.split("Commands", 1)[1])[1:]
        lines = [l for l in lines if l.strip()]
        starts, names = set(), []
        for l in lines:
            self.assertLessEqual(len(l), 80, l)
            m = re.match(r"^  ([a-z-]+(?: [A-Z_\[\]]+)*)( +)\S", l)
            if m:
                names.append(m.group(1).split()[0])
                starts.add(len(m.group(1)) + len(m.group(2)) + 2)
            else:
                self.assertRegex(l, r"^ {10,}\S", l)
        self.assertEqual(len(starts), 1, out)
        indent = starts.pop()
        for l in lines:
            if not re.match(r"^  [a-z]", l):
                self.assertEqual(len(l) - len(l.lstrip(" ")), indent, l)
        for word in ("new", "list", "config", "clear", "help", "quit", "questionnaire"):
            self.assertIn(word, names)
        self.assertIn("  erase CLIENT_ID  ", out)
        self.assertNotIn("shell", names)
        self.quit(child)
