"""One parser for every command (src/command.c): options and operands in
any order whatever POSIXLY_CORRECT says, "--" ends the options, a long
option may be cut to any start that names only it and is refused in one
line when it names more, and `help --dump` is the command table as JSON:
every command of --help, with the options its --help shows."""
import json
import os
import re

from harness import IntakeTest, base_answers

UNKNOWN = "unknown option, or an option without its value"


class OptionsAnywhere(IntakeTest):
    def setUp(self):
        super().setUp()
        self.new_intake(base_answers(uses_rogaine="yes", gp_discussed="yes",
                                     gp_signoff="pending", keloid_history="yes",
                                     acknowledged_by=None))
        self.posix = dict(self.env, POSIXLY_CORRECT="1")

    def ok(self, *args, env=None):
        p = self.run_cmd(*args, env=env)
        self.assertEqual(p.returncode, 0, (args, p.stderr))
        return p

    def test_options_after_operands_with_posixly_correct(self):
        for env in (self.env, self.posix):
            with self.subTest(posix=env is self.posix):
                p = self.ok("signoff", "1", "--status", "pending", env=env)
                self.assertIn("pending", p.stdout.lower())
                self.ok("advice", "1", "--format", "markdown", env=env)
                self.ok("contact", "1", "--phone", "07700 900111", env=env)
                self.ok("history", "1", env=env)
        self.ok("clear-flag", "1", "flag-keloid", "--reason", "seen", env=self.posix)
        p = self.ok("acknowledge", "1", "--name", "Ana Silva", env=self.posix)
        self.assertIn("Acknowledged by the client: intake 1", p.stdout)
        # And the dry run of an import of the export, its flag after the file.
        path = os.path.join(self.tmp, "all.json")
        self.ok("export", "-o", path, env=self.posix)
        p = self.ok("import", path, "--dry-run", env=self.posix)
        p = self.ok("erase", "1", "--yes", env=self.posix)
        self.assertEqual(self.sql("SELECT count(*) FROM client"), [(0,)])

    def test_double_dash_ends_the_options(self):
        # A file whose name starts with "-" is named after "--".
        self.ok("export", "-o", os.path.join(self.tmp, "-all.json"))
        p = self.run_cmd("import", "--dry-run", "-all.json")
        self.assertEqual(p.returncode, 2)
        self.assertIn(UNKNOWN, p.stderr)
        old = os.getcwd()
        os.chdir(self.tmp)
        try:
            p = self.ok("import", "--dry-run", "--", "-all.json")
        finally:
            os.chdir(old)
        # After "--" an option's name is an operand: one too many here.
        p = self.run_cmd("show", "--", "1", "--help")
        self.assertEqual(p.returncode, 2)
        self.assertTrue(p.stderr.startswith("usage: smp-intake show"), p.stderr)
        p = self.run_cmd("history", "--", "1", "--yes")
        self.assertEqual(p.returncode, 2)
        self.assertTrue(p.stderr.startswith("usage: smp-intake history"), p.stderr)
        p = self.ok("history", "--", "1")
        # find's words are its text ("-x" is looked for, not syntax), and
        # "--" ends its options as everywhere: an option's name after it is
        # text, not a --format without its value.
        p = self.run_cmd("find", "--", "-silva")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Silva", p.stdout)
        p = self.run_cmd("find", "-silva", "--format", "tsv")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(p.stdout.startswith("client\t"), p.stdout)
        p = self.run_cmd("find", "--", "--format")
        self.assertNotEqual(p.returncode, 2, p.stderr)
        self.assertNotIn("option", p.stderr)

    def test_abbreviations_accepted_and_ambiguous_refused(self):
        p = self.ok("list", "--lim", "5", "--form", "tsv")
        self.assertTrue(p.stdout.startswith("intake\t"), p.stdout)
        self.ok("signoff", "1", "--stat=pending", "--da", "2026-01-05")
        self.ok("questionnaire", "--vers", "2026.1", "--form=text")
        for args, word in ((["export", "--f", "json"], "--f"),
                           (["export", "--fo"], "--fo"),
                           (["advice", "1", "--fo", "text"], "--fo"),
                           (["access-log", "--s", "2026-01-01", "--c", "1"], None)):
            with self.subTest(args=args):
                p = self.run_cmd(*args)
                if word is None:
                    self.assertEqual(p.returncode, 0, p.stderr)
                    continue
                self.assertEqual(p.returncode, 2)
                self.assertEqual(p.stdout, "")
                self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
                self.assertIn("ambiguous option '%s'" % word, p.stderr)
        # A whole name is never ambiguous: --for beside --format.
        self.ok("advice", "1", "--for", "artist")
        # --help is only whole; an option's start with a value it cannot take
        # is refused as today.
        for args in (["list", "--he"], ["erase", "1", "--yes=no"], ["list", "--limit"]):
            with self.subTest(args=args):
                p = self.run_cmd(*args)
                self.assertEqual(p.returncode, 2)
                self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
                self.assertIn(UNKNOWN, p.stderr)


class HelpDump(IntakeTest):
    def help_options(self, command):
        p = self.run_cmd(command, "--help")
        self.assertEqual(p.returncode, 0, p.stderr)
        opts = set()
        for line in p.stdout.splitlines():
            if re.match(r"^\s+-", line):
                opts.update(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", line))
        return opts

    def test_dump_is_the_table(self):
        p = self.run_cmd("help", "--dump")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        dump = json.loads(p.stdout)
        listed = [l.split()[0] for l in self.run_cmd("--help").stdout
                  .split("Commands:\n")[1].split("\n\n")[0].splitlines()]
        self.assertEqual([c["name"] for c in dump["commands"]], listed)
        self.assertEqual({"--" + o["long"] for o in dump["options"]},
                         {"--db", "--staff", "--help", "--version"})
        for c in dump["commands"]:
            with self.subTest(command=c["name"]):
                opts = set()
                for o in c["options"]:
                    self.assertTrue(o["help"])
                    opts.add("--" + o["long"])
                    if o["short"]:
                        opts.add("-" + o["short"])
                self.assertEqual(opts, self.help_options(c["name"]))
                self.assertTrue(self.run_cmd(c["name"], "--help").stdout
                                .startswith("usage: %s\n%s.\n" % (c["usage"], c["summary"])))
                self.assertLessEqual(c["operands_min"], len(c["operands"]))
                if c["operands_max"] is not None:
                    self.assertGreaterEqual(c["operands_max"], c["operands_min"])
        # help takes --dump or a command, not both.
        p = self.run_cmd("help", "--dump", "list")
        self.assertEqual(p.returncode, 2)
