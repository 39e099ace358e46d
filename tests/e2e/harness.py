"""Shared helpers for the end-to-end tests: a private temporary database
and HOME per test, the real binary run through a pipe or a pseudo-terminal
(pexpect), and a Python mirror of the question order for scripted intakes.
"""
import datetime
import json
import os
import shlex
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import unittest

import pexpect

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.abspath(os.environ.get("SMP_INTAKE_BIN") or os.path.join(ROOT, "smp-intake"))
WRAPPER = shlex.split(os.environ.get("SMP_TEST_WRAPPER", ""))
SCHEMA = os.path.join(ROOT, "docs", "export.schema.json")
TIMEOUT = 60 if WRAPPER else 10
# Files the tests make stand in for the program's own (0600): the program
# refuses a database others can read (test_untrusted_files.py).
os.umask(0o077)
# Under valgrind (make valgrind) a run costs about a second of CPU, and a
# third of the suite's runs were fixtures: intakes saved through
# new_intake() only to test something else.  The first FIXTURES_WRAPPED of
# them in each test module run under valgrind like every other run; the
# rest run plain.  make check (ASan + UBSan) still runs every one.
FIXTURES_WRAPPED = 3
_fixtures_seen = {}
# SMP_E2E_BACKEND=pg runs a test against a database of its own on the
# throwaway PostgreSQL server whose folder is SMP_E2E_PG_DIR (run.py starts
# it for the tests listed in server.subset): self.db is then the server's
# URI, and self.sql()/snapshot() read the server.


def on_server():
    """Whether this test runs on the server (read at each test's start)."""
    return os.environ.get("SMP_E2E_BACKEND") == "pg"

_pg_server = None
_pg_count = 0


def pg_server():
    """The run's server (SMP_E2E_PG_DIR), as a tests/pg/pgserver.PgServer."""
    global _pg_server
    if _pg_server is None:
        import sys
        sys.path.insert(0, os.path.join(ROOT, "tests", "pg"))
        import pgserver
        _pg_server = pgserver.PgServer.existing(os.environ["SMP_E2E_PG_DIR"])
    return _pg_server


def sample(cases, every=3):
    """Table-driven tests run every case normally and under ASan, and every
    `every`-th case (the first and last always) under valgrind."""
    if not WRAPPER or len(cases) <= 2:
        return list(cases)
    cases = list(cases)
    return [c for i, c in enumerate(cases) if i % every == 0 or i == len(cases) - 1]

# The questions in the order they are asked (docs/questions.md).
ORDER = [
    "consent_storage", "first_name", "last_name", "date_of_birth", "phone", "email",
    "hair_loss_notes", "hair_loss_scale", "treatment_type", "hairline_style", "consent_photos",
    "consent_marketing", "uses_rogaine", "rogaine_form", "rogaine_since", "uses_propecia",
    "propecia_form", "uses_other_topical", "other_topical_products", "uses_other_medical",
    "other_medical_products", "gp_discussed", "gp_signoff", "gp_name", "gp_signoff_date",
    "scalp_conditions", "scalp_conditions_detail", "keloid_history", "blood_thinners",
    "blood_thinners_detail", "allergies", "allergies_detail", "pregnant_or_breastfeeding",
    "other_medication", "wants_root_cause_help", "planned_session_date",
]
# The screening questions (2026.2) and the flag each raises on these answers.
FLAGS = {
    "flag-scalp-condition": ("scalp_conditions", "psoriasis"),
    "flag-keloid": ("keloid_history", "yes"),
    "flag-blood-thinners": ("blood_thinners", "yes"),
    "flag-allergy": ("allergies", "yes"),
    "flag-pregnancy": ("pregnant_or_breastfeeding", "yes"),
}
TREATMENTS = ["uses_rogaine", "uses_propecia", "uses_other_topical", "uses_other_medical"]


def today():
    return datetime.date.today()


def iso(d):
    return d.isoformat()


def years_ago(n, days=0):
    """The date n years before today (28 Feb for 29 Feb), moved by days."""
    t = today()
    try:
        d = t.replace(year=t.year - n)
    except ValueError:
        d = t.replace(year=t.year - n, day=28)
    return d + datetime.timedelta(days=days)


def applies(qid, a):
    """Mirror of the questionnaire's conditions, written independently."""
    yes = lambda k: a.get(k) == "yes"
    cond = {
        "rogaine_form": yes("uses_rogaine"),
        "rogaine_since": yes("uses_rogaine"),
        "propecia_form": yes("uses_propecia"),
        "other_topical_products": yes("uses_other_topical"),
        "other_medical_products": yes("uses_other_medical"),
        "gp_discussed": any(yes(t) for t in TREATMENTS),
        "gp_signoff": any(yes(t) for t in TREATMENTS) and yes("gp_discussed"),
        "gp_name": any(yes(t) for t in TREATMENTS) and yes("gp_discussed")
        and a.get("gp_signoff") == "obtained",
        "gp_signoff_date": any(yes(t) for t in TREATMENTS) and yes("gp_discussed")
        and a.get("gp_signoff") == "obtained",
        "scalp_conditions_detail": "other" in [c.strip().lower() for c in
                                               a.get("scalp_conditions", "").split(",")],
        "blood_thinners_detail": yes("blood_thinners"),
        "allergies_detail": yes("allergies"),
        "consent_marketing": yes("consent_photos"),
    }
    return cond.get(qid, True)


def base_answers(**over):
    """A complete, valid set of answers; keyword arguments override."""
    a = {
        "consent_storage": "yes", "first_name": "Ana", "last_name": "Silva",
        "date_of_birth": "1985-07-23", "phone": "", "email": "", "hair_loss_notes": "",
        "uses_rogaine": "no", "uses_propecia": "no", "uses_other_topical": "no",
        "uses_other_medical": "no", "wants_root_cause_help": "no",
        "planned_session_date": "", "scalp_conditions": "none", "keloid_history": "no",
        "blood_thinners": "no", "allergies": "no", "pregnant_or_breastfeeding": "not_applicable",
        "other_medication": "", "hair_loss_scale": "norwood_3", "treatment_type": "full_head",
        "hairline_style": "", "consent_photos": "yes", "consent_marketing": "no",
    }
    a.update(over)
    return a


# What an empty answer stores (the question's default), where it has one.
DEFAULTS = {"uses_rogaine": "no", "rogaine_form": "foam", "uses_propecia": "no",
            "propecia_form": "tablet", "uses_other_topical": "no", "uses_other_medical": "no",
            "wants_root_cause_help": "no"}


def given_before(answers, stop=None):
    """The answers a draft holds once every question before stop (all of
    them when stop is None) was answered: question id -> stored text, None
    for an optional question left empty."""
    out = {}
    for q in ORDER:
        if q == stop:
            break
        if applies(q, answers):
            v = answers.get(q, "").strip()
            out[q] = v if v else DEFAULTS.get(q)
    return out


def pipe_lines(answers):
    """The lines a pipe sends for these answers: one per asked question,
    empty for an asked question with no answer given, then the client's
    acknowledgement: answers["acknowledged_by"], by default the client's
    own "first last" (None: no line, so the intake stays unacknowledged)."""
    lines = []
    for q in ORDER:
        if applies(q, answers):
            lines.append(answers.get(q, ""))
    ack = answers.get("acknowledged_by",
                      "%s %s" % (answers.get("first_name", ""), answers.get("last_name", "")))
    if ack is not None:
        lines.append(ack)
    return "".join(l + "\n" for l in lines)


class IntakeTest(unittest.TestCase):
    """A temporary HOME and database for each test, removed afterwards."""

    def setUp(self):
        global _pg_count
        self.tmp = tempfile.mkdtemp(prefix="smp-e2e-")
        self.db = os.path.join(self.tmp, "intake.db")
        self.pg_database = None
        if on_server():
            _pg_count += 1
            self.pg_database = "t%d_%d" % (os.getpid(), _pg_count)
            self.db = pg_server().new_database(self.pg_database)
        inputrc = os.path.join(self.tmp, "inputrc")
        with open(inputrc, "w") as f:
            f.write("")  # readline's defaults: bracketed paste on
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": self.tmp,
            "SMP_INTAKE_DB": self.db,
            "SMP_INTAKE_STAFF": "Dana Staff",
            "LC_ALL": "C.UTF-8",
            "INPUTRC": inputrc,
            "TERM": "xterm",
        }
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if k in os.environ:
                self.env[k] = os.environ[k]

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)
        if self.pg_database:
            pg_server().drop_database(self.pg_database)

    def run_cmd(self, *args, input=None, env=None, wrapped=True):
        """Runs the binary through pipes; returns CompletedProcess (text).
        wrapped=False runs it without SMP_TEST_WRAPPER (see FIXTURES_WRAPPED)."""
        data = input.encode() if isinstance(input, str) else input
        p = subprocess.run((WRAPPER if wrapped else []) + [BIN, *args], input=data if data is not None else b"",
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=env or self.env, timeout=TIMEOUT * 3)
        p.stdout = p.stdout.decode("utf-8", "replace")
        p.stderr = p.stderr.decode("utf-8", "replace")
        if WRAPPER:
            self.assertNotEqual(p.returncode, 99, "valgrind reported errors:\n" + p.stderr)
        return p

    def spawn(self, *args, env=None, columns=100, rows=200):
        """Starts the binary on a pseudo-terminal (pexpect, text mode).  The
        window is tall, so a sheet fits without the pager (test_sheets.py
        tries the pager at 24 rows)."""
        cmd = WRAPPER + [BIN, *args]
        # A run started under nohup would pass SIGHUP on ignored, and a
        # closed terminal would then not end the program.
        child = pexpect.spawn(cmd[0], cmd[1:], env=env or self.env, encoding="utf-8",
                              timeout=TIMEOUT, dimensions=(rows, columns),
                              preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_DFL))
        self.addCleanup(child.close, force=True)
        return child

    def new_intake(self, answers, *extra):
        """Saves an intake through the pipe; asserts success; returns stdout."""
        module = type(self).__module__
        _fixtures_seen[module] = _fixtures_seen.get(module, 0) + 1
        p = self.run_cmd(*extra, "new", input=pipe_lines(answers),
                         wrapped=_fixtures_seen[module] <= FIXTURES_WRAPPED)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def export(self):
        """Exports to stdout, validates against the JSON Schema, returns the list."""
        p = self.run_cmd("export")
        self.assertEqual(p.returncode, 0, p.stderr)
        data = json.loads(p.stdout)
        self.assertIsInstance(data, list)
        validate_export(data)
        return data

    def export_client(self, client_id):
        """`export --client ID` to stdout, validated against the JSON Schema;
        returns the object."""
        p = self.run_cmd("export", "--client", str(client_id))
        self.assertEqual(p.returncode, 0, p.stderr)
        data = json.loads(p.stdout)
        self.assertIsInstance(data, dict)
        validate_export(data)
        return data

    def snapshot(self):
        """Every row of every table (the search index's own tables too, but
        not the contentless index itself, which cannot be read), to show
        that nothing changed."""
        if self.pg_database:
            con = pg_server().connect(self.pg_database)
            try:
                cur = con.cursor()
                cur.execute("SELECT table_name FROM information_schema.tables WHERE "
                            "table_schema = 'public' AND table_type = 'BASE TABLE' "
                            "ORDER BY table_name")
                tables = [r[0] for r in cur.fetchall()]
                out = []
                for t in tables:
                    cur.execute('SELECT * FROM "%s" ORDER BY 1' % t)
                    out.append((t, [tuple(bytes(v) if isinstance(v, memoryview) else v
                                          for v in row) for row in cur.fetchall()]))
                return out
            finally:
                con.close()
        con = sqlite3.connect(self.db)
        try:
            tables = [r[0] for r in con.execute(
                "SELECT name FROM sqlite_schema WHERE type = 'table' "
                "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name")]
            return [(t, con.execute('SELECT * FROM "%s" ORDER BY 1' % t).fetchall())
                    for t in tables]
        finally:
            con.close()

    def sql(self, query, *params):
        """Reads the database directly (for checks only).  On the server,
        SQLite's ? parameters are psycopg2's %s."""
        if self.pg_database:
            con = pg_server().connect(self.pg_database)
            try:
                cur = con.cursor()
                cur.execute(query.replace("%", "%%").replace("?", "%s"), params)
                return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                        for row in cur.fetchall()] if cur.description else []
            finally:
                con.close()
        con = sqlite3.connect(self.db)
        try:
            return con.execute(query, params).fetchall()
        finally:
            con.close()

    def sql_write(self, query, *params):
        """Changes the database behind the program's back (the server's
        superuser, past the program's role; SQLite's file directly)."""
        if self.pg_database:
            self.sql(query, *params)
            return
        con = sqlite3.connect(self.db)
        with con:
            con.execute(query, params)
        con.close()

    def same_on_file(self, runs):
        """On the server, runs each (args, input) of runs both against the
        server and against a new SQLite file, in order, and asserts that the
        two print the same bytes and exit the same (the database's name in a
        message read as DB); on SQLite, against the file only.  Returns the
        server's (or the file's) CompletedProcess of each run.  The file is
        made first (config set minimum_age 18, its default), as the server's
        database is made by its administrator."""
        out = []
        file_env = dict(self.env, SMP_INTAKE_DB=os.path.join(self.tmp, "same.db"))
        if self.pg_database:
            # The file made first, as the server's database is (by its
            # administrator): the setting is its default.
            made = self.run_cmd("config", "set", "minimum_age", "18", env=file_env)
            self.assertEqual(made.returncode, 0, made.stderr)
        for args, data in runs:
            p = self.run_cmd(*args, input=data)
            out.append(p)
            if not self.pg_database:
                continue
            f = self.run_cmd(*args, input=data, env=file_env)
            with self.subTest(args=args):
                self.assertEqual(
                    (p.returncode, p.stdout.replace(self.db, "DB"), p.stderr.replace(self.db, "DB")),
                    (f.returncode, f.stdout.replace(file_env["SMP_INTAKE_DB"], "DB"),
                     f.stderr.replace(file_env["SMP_INTAKE_DB"], "DB")))
        return out


def validate_export(data):
    import jsonschema
    with open(SCHEMA) as f:
        schema = json.load(f)
    jsonschema.validate(data, schema)
