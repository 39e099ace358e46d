"""Hostile and odd input.  A matrix: every question, through a pipe and as
a field of --answers, gets each value of VALUES (and, in JSON, the shapes
of JSON_ONLY).  Each case is either accepted and stored exactly (read back
with sqlite3) or refused with one line naming the question, exit 1,
nothing saved; which of the two is written down per kind of question
below, independently of the program.  Then dates at their edges, stored
escape sequences that no command may print raw at a terminal, a few of
the same typed at a real terminal, and odd `-o` file names."""
import concurrent.futures
import datetime
import json
import os
import re
import sqlite3
import stat
import subprocess

import pexpect

from harness import BIN, ORDER, TIMEOUT, WRAPPER, applies, base_answers, pipe_lines, today
from ptyutil import ACK, PROMPTS, RETRY, answer, answer_all, finish, type_line
from test_pipe_intake import PipeTest, normalised

# What each question is (docs/questions.md).
KIND = {
    "consent_storage": "yesno", "first_name": "name", "last_name": "name",
    "date_of_birth": "date", "phone": "phone", "email": "email", "hair_loss_notes": "notes",
    "hair_loss_scale": "choice", "treatment_type": "choice", "hairline_style": "name",
    "consent_photos": "yesno", "consent_marketing": "yesno",
    "uses_rogaine": "yesno", "rogaine_form": "choice", "rogaine_since": "date",
    "uses_propecia": "yesno", "propecia_form": "choice", "uses_other_topical": "yesno",
    "other_topical_products": "notes", "uses_other_medical": "yesno",
    "other_medical_products": "notes", "gp_discussed": "yesno", "gp_signoff": "choice",
    "gp_name": "name", "gp_signoff_date": "date", "scalp_conditions": "choice",
    "scalp_conditions_detail": "notes", "keloid_history": "yesno", "blood_thinners": "yesno",
    "blood_thinners_detail": "notes", "allergies": "yesno", "allergies_detail": "notes",
    "pregnant_or_breastfeeding": "choice", "other_medication": "notes",
    "wants_root_cause_help": "yesno", "planned_session_date": "date",
}
OPTIONAL = {"phone", "email", "hair_loss_notes", "rogaine_since", "other_medication",
            "planned_session_date", "hairline_style"}
DEFAULT = {"uses_rogaine": "no", "rogaine_form": "foam", "uses_propecia": "no",
           "propecia_form": "tablet", "uses_other_topical": "no", "uses_other_medical": "no",
           "wants_root_cause_help": "no"}
# How a kind refuses text that is none of its answers.
NOT_ONE_OF = {"yesno": "answer yes or no", "choice": "choose one of", "date": "YYYY-MM-DD",
              "phone": "phone number", "email": "not an email address"}

# Every question asked: each treatment used, the GP's sign-off obtained,
# each screening detail asked for.
FULL = dict(
    phone="+44 7700 900123", email="ana@example.com", hair_loss_notes="crown",
    hairline_style="soft", consent_photos="yes", consent_marketing="yes",
    uses_rogaine="yes", rogaine_form="solution", rogaine_since="2020-01-01",
    uses_propecia="yes", propecia_form="tablet", uses_other_topical="yes",
    other_topical_products="Nizoral", uses_other_medical="yes",
    other_medical_products="spironolactone", gp_discussed="yes", gp_signoff="obtained",
    gp_name="Dr Okafor", gp_signoff_date="2024-01-05", scalp_conditions="other",
    scalp_conditions_detail="lichen planus", keloid_history="no", blood_thinners="yes",
    blood_thinners_detail="aspirin 75 mg daily", allergies="yes", allergies_detail="latex",
    pregnant_or_breastfeeding="no", other_medication="metformin",
    planned_session_date=(today() + datetime.timedelta(days=10)).isoformat())

EMPTY = "as an empty answer"  # the default, nothing (optional), or "an answer is required"
KEPT = "stored as given"
ESCAPES = "Ana\x1b]0;title\x07 \x1b[2J"
SQL = "Robert'); DROP TABLE client;--"

# name, value (bytes: sent as they are), outcome for names, for notes.
# Every other kind refuses as NOT_ONE_OF says, but for the first three
# rows (None: the same outcome for every kind).
VALUES = [
    ("empty", "", EMPTY, None),
    ("blank", " \t  ", EMPTY, None),
    ("1 MB", "x" * (1 << 20), "too long", None),
    ("invalid UTF-8", b"An\xffa \xc0\xaf", "UTF-8", None),
    ("NUL bytes", b"Bo\x00b", KEPT, KEPT),  # a pipe drops them: read as "Bob"
    ("right-to-left and combining", "\u202eZoe\u0308 Nguye\u0302\u0303n\u202c", KEPT, KEPT),
    ("emoji", "\U0001F600\U0001F44D\U0001F3FD Ana", KEPT, KEPT),
    ("terminal escapes", ESCAPES, "control characters", KEPT),
    ("SQL", SQL, KEPT, KEPT),
]
# Only JSON can give these: name, JSON text of the value, outcome.
JSON_ONLY = [
    ("number", "42", "must be"),
    ("deep nesting", "[" * 500 + '"x"' + "]" * 500, "must be"),
    ("true", "true", "yes for yes/no"),
    ("duplicate key", None, "given twice"),
]


def expected(qid, for_names, for_notes):
    """("stored", value) or ("refused", part of the reason); KEPT stands
    for the value itself."""
    kind = KIND[qid]
    outcome = for_names if for_notes is None or kind == "name" else (
        for_notes if kind == "notes" else NOT_ONE_OF[kind])
    if outcome == EMPTY:
        if qid in DEFAULT:
            return "stored", DEFAULT[qid]
        if qid in OPTIONAL:
            return "stored", None
        return "refused", "an answer is required"
    return ("stored", KEPT) if outcome == KEPT else ("refused", outcome)


def text_of(value):
    """The value as the program reads it from a pipe (NUL bytes dropped)."""
    if isinstance(value, bytes):
        return value.replace(b"\0", b"").decode("utf-8", "surrogateescape")
    return value


class Case:
    """One run of the matrix: question qid gets a hostile value (raw, or
    the JSON text json), the others the valid answers of FULL."""

    def __init__(self, n, qid, how, name, outcome, raw=None, json_text=None):
        self.qid, self.how, self.name, self.outcome = qid, how, name, outcome
        self.raw, self.json_text = raw, json_text
        # A name of its own, so no case joins another's client record.
        self.marker = "Case%d" % n
        self.answers = base_answers(**FULL)
        self.answers["last_name" if qid != "last_name" else "first_name"] = self.marker
        if raw is not None:
            self.answers[qid] = text_of(raw)
        elif json_text == "true":
            self.answers[qid] = "yes"
        elif json_text is not None:
            self.answers[qid] = "not an answer"
        # The questions asked follow what the program makes of each answer.
        norm = normalised(self.answers)
        self.asked = [q for q in ORDER if applies(q, norm)]

    def __str__(self):
        return "%s %s: %s" % (self.how, self.qid, self.name)

    def input(self):
        if self.how == "pipe":
            return b"".join((self.raw if q == self.qid and isinstance(self.raw, bytes)
                             else self.answers[q].encode("utf-8", "surrogateescape")) + b"\n"
                            for q in self.asked)
        members = []
        for q in self.asked:
            key = json.dumps(q).encode()
            if q != self.qid:
                value = json.dumps(self.answers[q]).encode()
            elif self.json_text is None:
                value = json.dumps(self.answers[q]).encode() + b", " + key + b': "again"'
            elif isinstance(self.json_text, bytes):
                value = self.json_text
            else:
                value = self.json_text.encode()
            members.append(key + b": " + value)
        return b'{"answers": {' + b", ".join(members) + b"}}"


def json_text_of(raw):
    """A VALUES entry as a JSON string: invalid UTF-8 goes in as raw bytes
    (cJSON takes them), NUL as \\u0000 (the only way JSON can carry it)."""
    if isinstance(raw, bytes):
        return b'"' + raw.replace(b"\0", b"\\u0000") + b'"'
    return json.dumps(raw, ensure_ascii=False)


def matrix():
    """Every case."""
    cases = []
    for qid in ORDER:
        for name, raw, for_names, for_notes in VALUES:
            outcome = expected(qid, for_names, for_notes)
            if outcome == ("stored", KEPT):
                outcome = ("stored", text_of(raw))
            cases.append(Case(len(cases), qid, "pipe", name, outcome, raw=raw))
            if name == "NUL bytes":  # cJSON would cut the string at \u0000
                outcome = ("refused", "holds a NUL character")
            cases.append(Case(len(cases), qid, "--answers", name, outcome,
                              json_text=json_text_of(raw)))
        for name, text, what in JSON_ONLY:
            if what == "yes for yes/no":
                outcome = ("stored", "yes") if KIND[qid] == "yesno" else ("refused", "must be")
            else:
                outcome = ("refused", what)
            cases.append(Case(len(cases), qid, "--answers", name, outcome, json_text=text))
    return cases


def subset(cases):
    """Under valgrind, two questions per value and way in (of changing
    kinds from one value to the next), not all 31: the whole matrix is
    some 700 runs, most of an hour under valgrind."""
    out = []
    for i, (name, how) in enumerate(sorted({(c.name, c.how) for c in cases})):
        picks = {ORDER[(3 * i) % len(ORDER)], ORDER[(3 * i + 11) % len(ORDER)]}
        out += [c for c in cases if c.name == name and c.how == how and c.qid in picks]
    return out


class Matrix(PipeTest):
    def run_case(self, case):
        args = ["new"] if case.how == "pipe" else ["new", "--answers", "-"]
        p = subprocess.run(WRAPPER + [BIN, *args], input=case.input(), env=self.env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT * 6)
        return (p.returncode, p.stdout.decode("utf-8", "replace"),
                p.stderr.decode("utf-8", "replace"))

    def test_every_question_with_every_hostile_value(self):
        cases = matrix()
        self.assertGreater(len(cases), 450)
        if WRAPPER:
            cases = subset(cases)
        # Two at a time: each case is a process of its own, and the cases
        # share one database (each with a client name of its own).
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(self.run_case, cases))
        saved = 0
        for case, (rc, out, err) in zip(cases, results):
            with self.subTest(case=str(case)):
                if WRAPPER:
                    self.assertNotEqual(rc, 99, "valgrind reported errors:\n" + err)
                kind, detail = case.outcome
                if kind == "refused":
                    self.assertEqual(rc, 1, err)
                    self.assertEqual(err.count("\n"), 1, "not one line: %r" % err)
                    self.assertRegex(err, r"^smp-intake: .*\b%s\b.*; nothing saved\n$"
                                     % re.escape(case.qid))
                    self.assertIn(detail, err)
                    self.assertNotIn("Saved intake", out)
                    self.assertNotIn(SQL, err)
                    self.assertNotIn("title", err)
                    self.assertEqual(self.sql("SELECT count(*) FROM client WHERE first_name = ?"
                                              " OR last_name = ?", case.marker, case.marker),
                                     [(0,)], "a refused case saved something")
                else:
                    self.assertEqual(rc, 0, err)
                    m = re.search(r"Saved intake (\d+) ", out)
                    self.assertIsNotNone(m, out)
                    self.assertEqual(self.stored(case.qid, int(m.group(1))), detail)
                    saved += 1
        self.assertEqual(self.sql("SELECT count(*) FROM intake"), [(saved,)])
        self.assertEqual(self.sql("PRAGMA integrity_check"), [("ok",)])
        # The SQL was stored as text, not run: every table is still there.
        self.assertEqual(self.sql("SELECT count(*) FROM client"), [(saved,)])

    def test_answers_files_broken_as_a_whole(self):
        """Faults of the file rather than of one answer: refused in one
        line naming the file, nothing saved, no crash."""
        cases = {
            "nesting far past cJSON's limit": b"[" * 100000 + b"]" * 100000,
            "answers nested past the limit": b'{"answers": {"first_name": '
                                             + b"[" * 2000 + b"]" * 2000 + b"}}",
            "a raw NUL byte": b'{"answers": {"first_name": "Bo\0b"}}',
            "answers given twice": b'{"answers": {}, "answers": {}}',
            "a key with \\u0000": b'{"answers": {"first\\u0000name": "Ana"}}',
            "a number instead of the object": b"42",
        }
        for what, data in cases.items():
            with self.subTest(what):
                p = self.run_cmd("new", "--answers", "-", input=data)
                self.assert_one_line_error(p)
                self.assertRegex(p.stderr, r"^smp-intake: stdin: .*; nothing saved\n$")
                self.assert_nothing_saved()


class Dates(PipeTest):
    def test_dates_at_their_edges(self):
        t = today()
        limit = t.replace(year=t.year + 2) if (t.month, t.day) != (2, 29) else \
            t.replace(year=t.year + 2, day=28)
        leap = next(datetime.date(y, 2, 29) for y in range(t.year, t.year + 8)
                    if y % 4 == 0 and (y % 100 or y % 400 == 0) and datetime.date(y, 2, 29) >= t)
        born18 = t.replace(year=t.year - 18) if (t.month, t.day) != (2, 29) else \
            t.replace(year=t.year - 18, day=28)
        rows = [
            ("date_of_birth", "2000-02-29", None),         # leap year
            ("date_of_birth", "1900-02-28", "120"),
            ("date_of_birth", "1999-02-29", "does not exist"),  # common year
            ("date_of_birth", "1900-02-29", "does not exist"),  # century, not leap
            ("date_of_birth", "1985-04-31", "does not exist"),
            ("date_of_birth", "0000-01-01", "1900"),
            ("date_of_birth", "0000-02-29", "1900"),
            ("date_of_birth", "9999-12-31", "future"),
            ("date_of_birth", "10000-01-01", "YYYY-MM-DD"),
            ("date_of_birth", "1985-07-23T10:00:00Z", "YYYY-MM-DD"),
            ("date_of_birth", "1985-07-23T10:00:00+02:00", "YYYY-MM-DD"),
            ("date_of_birth", "1985-07-23 10:00", "YYYY-MM-DD"),
            ("date_of_birth", "1985-07-23Z", "YYYY-MM-DD"),
            ("date_of_birth", "1985-07-23+01:00", "YYYY-MM-DD"),
            ("date_of_birth", "1985-07-23 UTC", "YYYY-MM-DD"),
            # 17 years and 364 days old on the day of the test, then 18 years 0 days.
            ("date_of_birth", (born18 + datetime.timedelta(days=1)).isoformat(), "under 18"),
            ("date_of_birth", born18.isoformat(), None),
            ("rogaine_since", "2024-02-29", None),
            ("rogaine_since", "2023-02-29", "does not exist"),
            ("rogaine_since", "9999-12-31", "future"),
            ("gp_signoff_date", "2023-04-31", "does not exist"),
            ("gp_signoff_date", "9999-12-31", "future"),
            ("gp_signoff_date", "2024-01-05T09:00", "YYYY-MM-DD"),
            ("planned_session_date", leap.isoformat(), None if leap <= limit else "two years"),
            ("planned_session_date", "%d-04-31" % (t.year + 1), "does not exist"),
            ("planned_session_date", limit.isoformat(), None),
            ("planned_session_date", (limit + datetime.timedelta(days=1)).isoformat(),
             "two years"),
            ("planned_session_date", "9999-12-31", "two years"),
        ]
        def run(n):
            qid, value, _ = rows[n]
            a = base_answers(**FULL)
            a["last_name"] = "Dates%d" % n
            a[qid] = value
            return self.run_cmd("new", input=pipe_lines(a))

        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(run, range(len(rows))))
        for n, ((qid, value, refused), p) in enumerate(zip(rows, results)):
            with self.subTest(question=qid, value=value):
                if refused:
                    self.assert_one_line_error(p)
                    self.assertRegex(p.stderr, r"^smp-intake: %s: .*; nothing saved\n$" % qid)
                    self.assertIn(refused, p.stderr)
                    self.assertEqual(self.sql("SELECT count(*) FROM client WHERE last_name = ?",
                                              "Dates%d" % n), [(0,)])
                else:
                    self.assertEqual(p.returncode, 0, p.stderr)
                    m = re.search(r"Saved intake (\d+) ", p.stdout)
                    self.assertEqual(self.stored(qid, int(m.group(1))), value)


def pty_output(test, *args, env=None):
    """Runs the binary on a pseudo-terminal; returns every byte it wrote
    there (its stdout and stderr) and its exit status."""
    cmd = WRAPPER + [BIN, *args]
    child = pexpect.spawn(cmd[0], cmd[1:], env=env or test.env, timeout=TIMEOUT * 3,
                          dimensions=(40, 120))
    test.addCleanup(child.close, force=True)
    child.expect(pexpect.EOF)
    data = child.before
    child.close()
    return data, child.exitstatus


class StoredEscapes(PipeTest):
    """Text stored as given (free-text notes, or names and staff written
    by another route: an older release, a restore, sqlite3) holds escape
    sequences; no command prints them raw on a terminal."""

    C1 = "\u009b2J"  # the one-byte CSI, in UTF-8
    RLO = "\u202e"

    def test_no_command_prints_a_stored_escape_raw(self):
        notes = "notes " + ESCAPES + " " + self.C1 + self.RLO
        a = base_answers(hair_loss_notes=notes, uses_other_topical="yes",
                         other_topical_products="oil " + ESCAPES, gp_discussed="no",
                         keloid_history="yes")
        self.new_intake(a)
        self.assertEqual(self.stored("hair_loss_notes"), notes)
        p = self.run_cmd("clear-flag", "1", "flag-keloid", "--reason", "checked")
        self.assertEqual(p.returncode, 0, p.stderr)
        # An edit, so that history shows escapes before and after; the
        # client acknowledges its sheet (the line after the answers).
        p = self.run_cmd("edit", "1", input="".join(
            ("again " + ESCAPES if q == "hair_loss_notes" else "") + "\n"
            for q in ORDER if applies(q, a)) + "Ana Silva\n")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("\x1b", p.stdout)
        self.assertIn("Ask your GP first", p.stdout)  # the client's sheet
        show = self.run_cmd("show", "1").stdout  # the artist's view
        self.assertIn("Acknowledged: yes", show)
        self.assertIn("cleared  [flag-keloid]", show)
        con = sqlite3.connect(self.db)
        with con:
            con.execute("UPDATE client SET first_name = ?, last_name = ?",
                        ("Ana" + ESCAPES, "Silva" + self.C1 + self.RLO))
            con.execute("UPDATE intake SET staff = ?", ("Dana" + ESCAPES,))
            # The acknowledgement and the flag's clearance as another route
            # could have written them (show and the advice sheet print both).
            con.execute("UPDATE acknowledgement SET typed_name = ?, staff = ?",
                        ("Ana" + ESCAPES + self.C1, "Sam" + ESCAPES + self.RLO))
            con.execute("UPDATE flag_clearance SET reason = ?, staff = ?",
                        ("ok " + ESCAPES + self.C1, "Kim" + ESCAPES + self.RLO))
            con.execute("INSERT INTO draft (next_question, started_at, updated_at, staff) "
                        "VALUES ('phone', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', ?)",
                        ("Sam" + ESCAPES,))
            con.executemany("INSERT INTO draft_answer VALUES (1, ?, ?)",
                            [("first_name", "Eve" + ESCAPES), ("last_name", "X" + self.C1)])
        con.close()
        env = dict(self.env, NO_COLOR="1")  # any escape seen is the data's
        commands = [["show", "1"], ["list"], ["find", "ana"], ["history", "1"],
                    ["advice", "1"], ["advice", "1", "--format", "markdown"],
                    ["advice", "1", "--format", "html"], ["drafts"],
                    ["export"], ["export", "--client", "1"], ["export", "--format", "ndjson"],
                    ["export", "--format", "csv"], ["export", "--format", "fhir"]]
        for args in commands:
            with self.subTest(command=" ".join(args)):
                out, status = pty_output(self, *args, env=env)
                self.assertEqual(status, 0, out)
                self.assertNotIn(b"\x1b", out)
                self.assertNotIn(b"\x07", out)
                self.assertNotIn(self.C1.encode(), out)
                self.assertNotIn(self.RLO.encode(), out)
                if args[0] in ("show", "list", "find", "drafts"):
                    self.assertIn(b"\\x1b", out)  # shown, visibly
                if args in (["export"], ["export", "--client", "1"]):
                    # Escaped as JSON: the values read back exactly.
                    data = json.loads(out.decode())
                    client = data[0]["client"] if args == ["export"] else data["client"]
                    self.assertEqual(client["first_name"], "Ana" + ESCAPES)
                    self.assertEqual(client["last_name"], "Silva" + self.C1 + self.RLO)
        # Into a pipe or a file, JSON escapes ESC and BEL (\u001b, \u0007)
        # and carries U+0080..U+009F and bidi overrides as they are, as JSON
        # allows; only on a terminal are those escaped too.
        [rec] = self.export()
        self.assertEqual(rec["client"]["first_name"], "Ana" + ESCAPES)
        self.assertEqual(rec["answers"]["hair_loss_notes"], "again " + ESCAPES)
        self.assertEqual(rec["staff"], "Dana" + ESCAPES)


class AtATerminal(PipeTest):
    """A few of the matrix typed by a person, not the matrix itself."""

    def spawn_bytes_ok(self, *args):
        cmd = WRAPPER + [BIN, *args]
        child = pexpect.spawn(cmd[0], cmd[1:], env=self.env, encoding="utf-8",
                              codec_errors="replace", timeout=TIMEOUT, dimensions=(40, 100))
        self.addCleanup(child.close, force=True)
        return child

    def test_right_to_left_combining_and_emoji_names_are_stored_exactly(self):
        first, last = "\u202eZoe\u0308\u202c", "\U0001F600\U0001F44D\U0001F3FD"
        child = self.spawn_bytes_ok("new")
        answer_all(child, base_answers(first_name=first, last_name=last))
        summary = child.before
        self.assertNotIn("\u202e", summary)
        self.assertIn("\\u202e", summary)  # the override shown, not obeyed
        type_line(child, "yes")
        child.expect_exact("Saved intake 1 for client 1.")
        # The client acknowledges with that very name, as typed.
        child.expect_exact(ACK)
        type_line(child, "%s %s" % (first, last))
        child.expect_exact("Acknowledged by the client: intake 1, advice sheet 1.")
        self.assertEqual(finish(self, child), 0)
        self.assertEqual(self.sql("SELECT first_name, last_name FROM client"), [(first, last)])
        self.assertEqual(self.sql("SELECT typed_name FROM acknowledgement"),
                         [("%s %s" % (first, last),)])

    def test_invalid_utf8_is_asked_again_and_sql_is_stored_as_text(self):
        child = self.spawn_bytes_ok("new")
        answer(child, "consent_storage", "yes")
        child.expect_exact(PROMPTS["first_name"])
        os.write(child.child_fd, b"An\xffa\r")
        child.expect_exact("the answer is not valid UTF-8 text. " + RETRY)
        child.expect_exact(PROMPTS["first_name"])
        type_line(child, SQL)
        answer_all(child, base_answers(), start="last_name")
        type_line(child, "yes")
        child.expect_exact("Saved intake 1 for client 1.")
        child.expect_exact(ACK)
        type_line(child, "")  # not now
        self.assertEqual(finish(self, child), 0)
        self.assertEqual(self.sql("SELECT first_name FROM client"), [(SQL,)])
        self.assertEqual(self.sql("SELECT count(*) FROM intake"), [(1,)])


class OutputNames(PipeTest):
    def setUp(self):
        super().setUp()
        self.new_intake(base_answers())
        self.want = self.export()

    def assert_private_export(self, path):
        self.assertEqual(stat.S_IMODE(os.lstat(path).st_mode), 0o600)
        self.assertTrue(stat.S_ISREG(os.lstat(path).st_mode))
        with open(path) as f:
            self.assertEqual(json.load(f), self.want)

    def test_names_with_spaces_and_a_newline(self):
        for name in ("my export.json", "two\nlines.json", " lead and trail .json"):
            with self.subTest(name=name):
                path = os.path.join(self.tmp, name)
                p = self.run_cmd("export", "-o", path)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assert_private_export(path)
                # The name is shown safely: one line whatever it holds.
                self.assertEqual(p.stderr, "exported 1 intake to %s\n" % path.replace("\n", "\\n"))
        self.assertEqual([n for n in os.listdir(self.tmp) if n.startswith(".smp-intake-")], [])

    def test_a_symlink_is_replaced_only_with_force_and_its_target_never_touched(self):
        # docs/export.md: "with --force the link itself is replaced by the
        # new file and whatever it pointed to is not touched".
        elsewhere = os.path.join(self.tmp, "elsewhere")
        os.mkdir(elsewhere)
        target = os.path.join(elsewhere, "precious.txt")
        with open(target, "w") as f:
            f.write("precious")
        os.chmod(target, 0o644)
        before = os.stat(target)
        link = os.path.join(self.tmp, "out.json")
        os.symlink(target, link)
        p = self.run_cmd("export", "-o", link)
        self.assert_one_line_error(p)
        self.assertIn("already exists; use --force", p.stderr)
        self.assertEqual(os.readlink(link), target)
        p = self.run_cmd("export", "-o", link, "--force")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertFalse(os.path.islink(link))
        self.assert_private_export(link)
        after = os.stat(target)
        self.assertEqual((after.st_ino, after.st_size, after.st_mtime_ns,
                          stat.S_IMODE(after.st_mode)),
                         (before.st_ino, before.st_size, before.st_mtime_ns, 0o644))
        with open(target) as f:
            self.assertEqual(f.read(), "precious")
        self.assertEqual(os.listdir(elsewhere), ["precious.txt"])
