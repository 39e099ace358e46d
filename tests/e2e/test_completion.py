"""The bash completion (docs/smp-intake.bash-completion): command names as
`smp-intake --help` lists them, each command's options and their values, and
intake ids from the database a --db on the line names.  Each case runs
bash, sets COMP_WORDS and friends as bash would for the line, calls the
completion function and reads COMPREPLY back; with bash-completion's
library loaded when it is installed, and without it."""
import json
import os
import re
import shlex
import shutil
import subprocess

import pexpect

from harness import BIN, ROOT, TIMEOUT, IntakeTest, base_answers

COMPLETION = os.path.join(ROOT, "docs", "smp-intake.bash-completion")
BASH_COMPLETION = "/usr/share/bash-completion/bash_completion"
BASH = shutil.which("bash") or "/bin/bash"

def comp_words(line):
    """The words bash hands a completion function for line (cursor at the
    end): split on blanks with quotes kept as typed, "=" a word of its own
    (it is in COMP_WORDBREAKS), and an empty word after a trailing blank."""
    words = []
    for w in re.findall(r"""(?:'[^']*'|"[^"]*"|[^\s'"])+""", line):
        parts = re.split(r"(=)", w)
        words.extend(p for p in parts if p != "")
    if line.endswith(" ") or line.endswith("="):
        words.append("")
    return words


class Completion(IntakeTest):
    def setUp(self):
        super().setUp()
        # The completion runs `smp-intake ids`: put the binary under test
        # first on PATH under its installed name.
        bindir = os.path.join(self.tmp, "bin")
        os.mkdir(bindir)
        os.symlink(os.path.abspath(BIN), os.path.join(bindir, "smp-intake"))
        self.env["PATH"] = bindir + os.pathsep + self.env["PATH"]
        # Completion must not depend on a database from the environment.
        del self.env["SMP_INTAKE_DB"]

    def complete(self, line, library=True, cwd=None):
        """COMPREPLY for line, as a sorted list."""
        words = comp_words(line)
        script = "\n".join([
            "[ -r %s ] && . %s" % (BASH_COMPLETION, BASH_COMPLETION) if library else ":",
            ". %s" % shlex.quote(COMPLETION),
            "COMP_WORDS=(%s)" % " ".join(shlex.quote(w) for w in words),
            "COMP_CWORD=%d" % (len(words) - 1),
            "COMP_LINE=%s" % shlex.quote(line),
            "COMP_POINT=%d" % len(line),
            "_smp_intake smp-intake %s %s" % (shlex.quote(words[-1]),
                                              shlex.quote(words[-2] if len(words) > 1 else "")),
            'printf "%s\\n" "${COMPREPLY[@]}"',
        ])
        p = subprocess.run([BASH, "--norc", "--noprofile", "-c", script], cwd=cwd or self.tmp,
                           env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=TIMEOUT * 3)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "", "the completion wrote to stderr for %r" % line)
        return sorted(w for w in p.stdout.split("\n") if w)

    def both(self):
        """With bash-completion's library (when installed) and without."""
        modes = [False]
        if os.path.exists(BASH_COMPLETION):
            modes.append(True)
        return modes

    def listed_commands(self):
        p = self.run_cmd("--help")
        self.assertEqual(p.returncode, 0, p.stderr)
        block = p.stdout.split("Commands:\n", 1)[1].split("\n\n", 1)[0]
        names = re.findall(r"^  ([a-z][a-z-]*) ", block, re.M)
        self.assertGreaterEqual(len(names), 5, p.stdout)
        self.assertIn("clear-flag", names)  # a name with a hyphen is read whole
        return names

    def make_intakes(self, db, n):
        for i in range(n):
            self.new_intake(base_answers(first_name="Client%d" % i), "--db", db)

    def test_commands_are_those_of_help(self):
        commands = sorted(self.listed_commands())
        for library in self.both():
            with self.subTest(library=library):
                self.assertEqual(self.complete("smp-intake ", library), commands)
                self.assertEqual(self.complete("smp-intake --db x.db --staff Dana ", library),
                                 commands)
                self.assertEqual(self.complete("smp-intake help ", library), commands)
                self.assertEqual(self.complete("smp-intake s", library),
                                 sorted(c for c in commands if c.startswith("s")))

    def test_global_options(self):
        for library in self.both():
            with self.subTest(library=library):
                self.assertEqual(self.complete("smp-intake --", library),
                                 ["--db", "--help", "--staff", "--version"])
                self.assertEqual(self.complete("smp-intake --st", library), ["--staff"])
                self.assertEqual(self.complete("smp-intake --staff ", library), [])

    def dump(self):
        """The command table, as `smp-intake help --dump` prints it."""
        p = self.run_cmd("help", "--dump")
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)

    def table_options(self, dump):
        """Each command's options in the table (-x and --long), and --help,
        which every command takes."""
        table = {}
        for c in dump["commands"]:
            opts = {"--help"}
            for o in c["options"]:
                opts.add("--" + o["long"])
                if o["short"]:
                    opts.add("-" + o["short"])
            table[c["name"]] = sorted(opts)
        return table

    def test_the_lists_are_those_of_the_table(self):
        dump = self.dump()
        self.assertEqual([c["name"] for c in dump["commands"]], self.listed_commands())
        for library in self.both():
            with self.subTest(library=library):
                self.assertEqual(self.complete("smp-intake --", library),
                                 sorted("--" + o["long"] for o in dump["options"]))

    def test_command_options_are_those_of_their_help(self):
        seen = set()
        table = self.table_options(self.dump())
        for command in self.listed_commands():
            expected = table[command]
            seen.update(expected)
            for library in self.both():
                with self.subTest(command=command, library=library):
                    self.assertEqual(self.complete("smp-intake %s -" % command, library),
                                     expected)
        # the options this check must at least see, so a parsing slip shows
        for must in ("--answers", "--format", "--status", "--gp", "--date", "--ref", "-o",
                     "--output", "--force", "--clients", "--create", "--name", "--reason"):
            self.assertIn(must, seen)

    def test_option_values(self):
        cases = [
            ("smp-intake advice 1 --format ", ["html", "markdown", "text"]),
            ("smp-intake advice 1 --format m", ["markdown"]),
            ("smp-intake advice 1 --format=h", ["html"]),
            ("smp-intake advice --format text ", []),  # the ID, from no database
            ("smp-intake questionnaire --format ", ["fhir", "text"]),
            ("smp-intake export --format ", ["csv", "fhir", "json", "ndjson"]),
            ("smp-intake session list --format ", ["json", "text", "tsv"]),
            ("smp-intake export -o x.json --format=f", ["fhir"]),
            ("smp-intake signoff 1 --status ", ["declined", "obtained", "pending"]),
            ("smp-intake signoff 1 --status=p", ["pending"]),
            ("smp-intake signoff 1 --gp ", []),
            ("smp-intake signoff 1 --date ", []),
            ("smp-intake acknowledge 1 --name ", []),
            ("smp-intake acknowledge 1 --name=", []),
            ("smp-intake clear-flag 1 flag-keloid --reason ", []),
            ("smp-intake clear-flag 1 flag-keloid --reason=", []),
        ]
        for library in self.both():
            for line, expected in cases:
                with self.subTest(line=line, library=library):
                    self.assertEqual(self.complete(line, library), expected)

    def test_config_actions_and_keys(self):
        config_db = os.path.join(self.tmp, "config.db")
        self.assertEqual(self.run_cmd("--db", config_db, "config", "set", "minimum_age", "18")
                         .returncode, 0)  # creates it
        p = self.run_cmd("--db", config_db, "config", "list")
        self.assertEqual(p.returncode, 0, p.stderr)
        keys = sorted(re.findall(r"^([a-z_]+) ", p.stdout, re.M))
        self.assertGreaterEqual(len(keys), 3, p.stdout)
        for library in self.both():
            with self.subTest(library=library):
                self.assertEqual(self.complete("smp-intake config ", library),
                                 ["get", "list", "set"])
                self.assertEqual(self.complete("smp-intake config get ", library), keys)
                self.assertEqual(self.complete("smp-intake config set ", library), keys)
                self.assertEqual(self.complete("smp-intake config set studio_name ", library),
                                 [])
                self.assertEqual(self.complete("smp-intake config get aftercare_text ", library),
                                 [])
                self.assertEqual(self.complete("smp-intake config list ", library), [])

    def test_file_names_after_file_options(self):
        os.mkdir(os.path.join(self.tmp, "work"))
        for name in ("answers.json", "another.db"):
            open(os.path.join(self.tmp, "work", name), "w").close()
        cwd = os.path.join(self.tmp, "work")
        for library in self.both():
            for line in ("smp-intake --db an", "smp-intake --db=an", "smp-intake new --answers an",
                         "smp-intake export -o an", "smp-intake export --output=an",
                         "smp-intake demo --create an", "smp-intake config set aftercare_text an"):
                with self.subTest(line=line, library=library):
                    self.assertEqual(self.complete(line, library, cwd=cwd),
                                     ["another.db", "answers.json"])

    def test_intake_ids_from_the_database_on_the_line(self):
        db = os.path.join(self.tmp, "ids.db")
        self.make_intakes(db, 3)
        for library in self.both():
            for command in ("show", "advice", "signoff", "acknowledge", "clear-flag"):
                with self.subTest(command=command, library=library):
                    self.assertEqual(self.complete("smp-intake --db %s %s " % (db, command),
                                                   library), ["1", "2", "3"])
                    self.assertEqual(self.complete("smp-intake --db=%s %s 2" % (db, command),
                                                   library), ["2"])
                    if command == "clear-flag":
                        continue  # its second argument is a flag (test_flag_ids...)
                    # only the first argument is an ID
                    self.assertEqual(self.complete("smp-intake --db %s %s 1 " % (db, command),
                                                   library), [])

    def program_flag_ids(self):
        """The flag ids as the program names them when given one it does
        not know (from its flag table, before any database is opened)."""
        p = self.run_cmd("clear-flag", "1", "flag-nosuch", "--reason", "x")
        self.assertEqual(p.returncode, 2, p.stderr)
        ids = re.findall(r"flag-[a-z-]*[a-z]", p.stderr.split("the flags are", 1)[1])
        self.assertGreaterEqual(len(ids), 5, p.stderr)
        return sorted(ids)

    def test_flag_ids_after_clear_flag_id(self):
        flags = self.program_flag_ids()
        db = os.path.join(self.tmp, "flags.db")
        self.make_intakes(db, 2)
        for library in self.both():
            with self.subTest(library=library):
                self.assertEqual(self.complete("smp-intake --db %s clear-flag 2 " % db, library),
                                 flags)
                self.assertEqual(self.complete("smp-intake clear-flag 1 flag-b", library),
                                 ["flag-blood-thinners"])
                self.assertEqual(self.complete("smp-intake clear-flag 1 flag-p", library),
                                 ["flag-pregnancy"])
                # option values are not arguments: still the flag, then nothing
                self.assertEqual(self.complete("smp-intake clear-flag --reason \"Doctor's "
                                               "letter\" 1 flag-k", library), ["flag-keloid"])
                self.assertEqual(self.complete("smp-intake clear-flag --reason=ok 1 flag-a",
                                               library), ["flag-allergy"])
                self.assertEqual(self.complete("smp-intake clear-flag 1 flag-keloid ", library),
                                 [])
                self.assertEqual(self.complete("smp-intake clear-flag 1 flag-keloid --",
                                               library), ["--help", "--reason"])

    def test_client_ids_after_erase_and_export_client(self):
        db = os.path.join(self.tmp, "erase.db")
        self.make_intakes(db, 2)
        for library in self.both():
            with self.subTest(library=library):
                self.assertEqual(self.complete("smp-intake --db %s erase " % db, library),
                                 ["1", "2"])
                self.assertEqual(self.complete("smp-intake --db %s erase --yes 2" % db, library),
                                 ["2"])
                self.assertEqual(self.complete("smp-intake --db %s erase 1 " % db, library), [])
                self.assertEqual(self.complete("smp-intake --db %s export --client " % db,
                                               library), ["1", "2"])
                self.assertEqual(self.complete("smp-intake --db %s export --client=" % db,
                                               library), ["1", "2"])
                self.assertEqual(self.complete("smp-intake --db %s purge --older-than " % db,
                                               library), [])
                self.assertEqual(self.complete("smp-intake purge --older-than 7y --", library),
                                 ["--help", "--older-than", "--override", "--yes"])
                self.assertEqual(self.complete("smp-intake purge --override ", library), [])
                self.assertEqual(self.complete("smp-intake erase --reason ", library), [])

    def test_intake_ids_from_the_environment_and_the_default(self):
        db = os.path.join(self.tmp, "env.db")
        self.make_intakes(db, 2)
        env = dict(self.env, SMP_INTAKE_DB=db)
        saved, self.env = self.env, env
        try:
            self.assertEqual(self.complete("smp-intake show "), ["1", "2"])
        finally:
            self.env = saved
        # the default, from HOME
        home_db = os.path.join(self.tmp, ".local", "share", "smp-intake", "intake.db")
        os.makedirs(os.path.dirname(home_db))
        self.make_intakes(home_db, 1)
        self.assertEqual(self.complete("smp-intake show "), ["1"])

    def test_a_missing_database_is_not_created(self):
        db = os.path.join(self.tmp, "missing.db")
        for library in self.both():
            with self.subTest(library=library):
                self.assertEqual(self.complete("smp-intake --db %s show " % db, library), [])
                self.assertFalse(os.path.exists(db))
        self.assertEqual(self.complete("smp-intake show "), [])
        self.assertFalse(os.path.exists(os.path.join(self.tmp, ".local")))

    def test_a_broken_database_is_quiet(self):
        db = os.path.join(self.tmp, "broken.db")
        with open(db, "w") as f:
            f.write("not a database\n" * 20)
        for library in self.both():
            with self.subTest(library=library):
                # complete() asserts that nothing reached stderr
                self.assertEqual(self.complete("smp-intake --db %s show " % db, library), [])

    def test_client_id_helper(self):
        db = os.path.join(self.tmp, "clients.db")
        self.make_intakes(db, 2)
        script = ". %s; COMPREPLY=(); _smp_intake_client_ids smp-intake %s ''; " \
                 'printf "%%s\\n" "${COMPREPLY[@]}"' % (shlex.quote(COMPLETION), shlex.quote(db))
        p = subprocess.run([BASH, "--norc", "--noprofile", "-c", script], env=self.env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=TIMEOUT * 3)
        self.assertEqual((p.stdout.split(), p.stderr), (["1", "2"], ""))

    def test_tab_in_an_interactive_bash(self):
        """The real thing: bash splits the line itself and Tab completes."""
        db = os.path.join(self.tmp, "tab.db")
        self.make_intakes(db, 1)
        env = dict(self.env, PS1="$ ", INPUTRC=os.path.join(self.tmp, "inputrc"))
        child = pexpect.spawn(BASH, ["--norc", "--noprofile", "-i"], env=env, cwd=self.tmp,
                              encoding="utf-8", timeout=TIMEOUT, dimensions=(24, 200))
        self.addCleanup(child.close, force=True)
        child.expect_exact("$ ")
        if os.path.exists(BASH_COMPLETION):
            child.sendline(". %s" % BASH_COMPLETION)
            child.expect_exact("$ ")
        child.sendline(". %s" % shlex.quote(COMPLETION))
        child.expect_exact("$ ")
        # one candidate each: Tab writes it out
        child.send("smp-intake --db=%s adv\t" % db)
        child.expect_exact("advice ")
        child.send("\t")
        child.expect_exact("1 ")
        child.send("--form\t")
        child.expect_exact("--format ")
        child.send("mark\t")
        child.expect_exact("markdown ")
        child.send("\x03")  # Ctrl-C drops the line
        child.expect_exact("$ ")
        # and the completed line runs
        child.send("smp-intake --db %s sho\t\t" % db)
        child.expect_exact("show 1 ")
        child.sendline("")
        child.expect_exact("Intake 1")
        child.expect_exact("$ ")
