"""The documentation against the program: every command, option, question
id, advice id and environment variable the program has must be in the
docs, and the man page must render without warnings.  These tests fail
when the code changes and the docs do not."""
import json
import os
import re
import shutil
import subprocess
import unittest

from harness import ROOT, IntakeTest

DOCS = os.path.join(ROOT, "docs")
SRC = os.path.join(ROOT, "src")
MAN = os.path.join(DOCS, "smp-intake.1")


def read(*parts):
    with open(os.path.join(*parts), encoding="utf-8") as f:
        return f.read()


def roff_plain(text):
    """Roff source with the escapes that hide words removed: \\- becomes -,
    font changes and \\% vanish."""
    text = text.replace("\\-", "-").replace("\\%", "").replace("\\(dq", '"')
    return re.sub(r"\\f[BIRP]", "", text)


def man_section(name):
    """The roff text of one .SH section of the man page."""
    src = read(MAN)
    m = re.search(r"^\.SH \"?%s\"?\s*$(.*?)(?=^\.SH |\Z)" % re.escape(name), src, re.S | re.M)
    if not m:
        raise AssertionError("the man page has no %s section" % name)
    return m.group(1)


def table_ids(source, table):
    """The id of every row of a C table of structs: its first string
    (advice_rules[]) or its .id (questionnaire[], designated initializers)."""
    m = re.search(r"%s\[\] = \{(.*?)\n\};" % re.escape(table), source, re.S)
    if not m:
        raise AssertionError("cannot find the table %s[]" % table)
    return re.findall(r"^\t(?:\{ |\t\.id = )\"([a-z0-9_-]+)\",", m.group(1), re.M)


def question_ids():
    ids = table_ids(read(SRC, "questionnaire.c"), "questionnaire")
    if len(ids) < 10:
        raise AssertionError("parsed only %d question ids from src/questionnaire.c" % len(ids))
    return ids


def advice_ids():
    ids = table_ids(read(SRC, "advice.c"), "advice_rules")
    if len(ids) < 3:
        raise AssertionError("parsed only %d advice ids from src/advice.c" % len(ids))
    return ids


class DocsMatchProgram(IntakeTest):
    def help_text(self, *args):
        p = self.run_cmd(*args)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def listed_commands(self):
        out = self.help_text("--help")
        block = out.split("Commands:\n", 1)[1].split("\n\n", 1)[0]
        names = re.findall(r"^  ([a-z-]+) ", block, re.M)
        self.assertGreaterEqual(len(names), 5, out)
        return names

    def dump(self):
        """The command table, as `smp-intake help --dump` prints it (its
        commands are those --help lists: test_options.py checks that)."""
        return json.loads(self.help_text("help", "--dump"))

    def table_options(self):
        """Every -x and --long option of the table: the global ones and
        every command's, and --help, which every command takes."""
        dump = self.dump()
        opts = {"--help"}
        for o in dump["options"] + [o for c in dump["commands"] for o in c["options"]]:
            opts.add("--" + o["long"])
            if o["short"]:
                opts.add("-" + o["short"])
        return opts

    def test_every_command_is_in_the_man_page_and_usage(self):
        commands = roff_plain(man_section("COMMANDS"))
        usage = read(DOCS, "usage.md")
        names = [c["name"] for c in self.dump()["commands"]]
        self.assertEqual(names, self.listed_commands())
        for name in names:
            with self.subTest(command=name):
                self.assertTrue(re.search(r"(?m)^(\.B[IR]? +)?%s\b" % name, commands),
                                "command %s is not in the man page's COMMANDS" % name)
                self.assertTrue(re.search(r"(?m)^### %s\b" % name, usage),
                                "command %s has no section in docs/usage.md" % name)

    def test_every_option_is_in_the_man_page(self):
        man = roff_plain(read(MAN))
        found = self.table_options()
        # the options this check must at least see, so a parsing slip shows
        for must in ("--db", "--staff", "--help", "--version", "--answers", "-o", "--output",
                     "--force"):
            self.assertIn(must, found)
        for opt in sorted(found):
            with self.subTest(option=opt):
                self.assertTrue(re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(opt), man),
                                "option %s is not in docs/smp-intake.1" % opt)

    def test_every_option_is_in_usage(self):
        usage = read(DOCS, "usage.md")
        for opt in ("--db", "--staff", "--help", "--version", "--answers", "-o", "--output",
                    "--force"):
            with self.subTest(option=opt):
                self.assertTrue("`" + opt in usage, "option %s is not in docs/usage.md" % opt)
        for opt in sorted(self.table_options()):
            with self.subTest(option=opt):
                self.assertTrue(re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(opt), usage),
                                "option %s is not in docs/usage.md" % opt)


class DocsMatchSource(unittest.TestCase):
    def test_every_question_id_is_in_questions_md(self):
        doc = read(DOCS, "questions.md")
        for qid in question_ids():
            with self.subTest(question=qid):
                self.assertTrue("`%s`" % qid in doc, "question %s is not in the doc" % qid)

    def test_questions_md_table_is_in_the_order_asked(self):
        doc = read(DOCS, "questions.md")
        rows = re.findall(r"^\| *\d+ *\| *`([a-z0-9_]+)` *\|", doc, re.M)
        self.assertEqual(rows, question_ids(),
                         "the table of docs/questions.md is not the questionnaire, in order")

    def test_every_question_id_is_in_the_export_schema(self):
        schema = json.loads(read(DOCS, "export.schema.json"))
        intake = schema["$defs"]["intake"]["properties"]
        known = set(intake["answers"]["properties"]) | set(intake["client"]["properties"])
        for qid in question_ids():
            with self.subTest(question=qid):
                self.assertIn(qid, known)

    def test_every_question_id_is_in_export_md(self):
        doc = read(DOCS, "export.md")
        for qid in question_ids():
            with self.subTest(question=qid):
                self.assertTrue("`%s`" % qid in doc, "question %s is not in the doc" % qid)

    def test_every_advice_id_is_in_advice_md(self):
        doc = read(DOCS, "advice.md")
        for aid in advice_ids():
            with self.subTest(advice=aid):
                self.assertTrue(re.search(r"(?m)^\| `%s` \|" % re.escape(aid), doc),
                                "advice %s has no row in docs/advice.md" % aid)

    def test_every_advice_id_is_in_the_export_schema(self):
        schema = json.loads(read(DOCS, "export.schema.json"))
        item = schema["$defs"]["intake"]["properties"]["advice"]["items"]
        self.assertEqual(set(item["properties"]["id"]["enum"]), set(advice_ids()))

    def test_every_environment_variable_is_in_the_man_page_and_usage(self):
        names = set()
        for f in os.listdir(SRC):
            if f.endswith(".c"):
                names |= set(re.findall(r'getenv\("([A-Z_]+)"\)', read(SRC, f)))
        self.assertIn("SMP_INTAKE_DB", names)
        env = roff_plain(man_section("ENVIRONMENT"))
        usage = read(DOCS, "usage.md")
        for name in sorted(names):
            with self.subTest(variable=name):
                self.assertTrue(name in env, "%s is not in the man page's ENVIRONMENT" % name)
                self.assertTrue("`%s`" % name in usage, "%s is not in docs/usage.md" % name)

    def test_every_migration_is_named_in_data_model(self):
        doc = read(DOCS, "data-model.md")
        for f in sorted(os.listdir(os.path.join(ROOT, "schema"))):
            if re.match(r"\d{3}_.*\.sql$", f):
                with self.subTest(migration=f):
                    self.assertTrue(f in doc, "%s is not in docs/data-model.md" % f)


class ManPageRenders(unittest.TestCase):
    def test_groff_prints_no_warnings(self):
        if not shutil.which("groff"):
            self.skipTest("groff is not installed")
        p = subprocess.run(["groff", "-man", "-ww", "-z", MAN], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr + p.stdout, "")

    def test_man_prints_no_warnings(self):
        if not shutil.which("man") or not shutil.which("groff"):
            self.skipTest("man or groff is not installed")
        env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8")
        p = subprocess.run(["man", "--warnings", "-l", MAN], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True, env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
