"""A database changed by another program (sqlite3, a restored backup, a
copy edited by hand) is read as untrusted: no value stored in it reaches
a terminal as a control sequence, and no value crashes a command.

The database is made by the program itself (three clients with intakes,
a GP sign-off, an acknowledgement, a cleared flag, a contact change, an
edit, a draft, audit and access-log rows).  Then, for every table and
every text column the schema has (read from sqlite_master and
`pragma table_info`, not listed here), a copy gets a hostile value written
with Python's sqlite3, as an attacker would: the triggers that guard the
audit and access log are dropped for the change and put back unchanged,
CHECK constraints are ignored.  Every reading command runs on each copy
at a pseudo-terminal and through a pipe, under the ASan build when
SMP_INTAKE_BIN names it (make check):

- nothing it prints to a terminal, and nothing of a human or CSV/TSV
  format through a pipe (a pipe often ends at `less -R`), holds ESC, BEL,
  a C1 control (U+0080..U+009F, or a raw 0x9b byte), a bidirectional
  override or any invalid UTF-8;
- JSON through a pipe is valid UTF-8 JSON (JSON itself escapes the C0
  controls);
- no command dies of a signal or prints a sanitizer report.  A command
  may refuse a value it cannot make sense of, with an `smp-intake: ...`
  line and exit 1.

The columns are changed in two layers, so that the matrix stays fast:
one copy changes every text column of every table but those of a primary
key, another those (a garbled question id or setting key would hide the
value beside it).  When a command's exit status on a layer differs from
the untouched database's (a refusal), it runs again on copies that change
half of the tables, and so on down to one table, so a refusal caused by
one table cannot hide what the others would print; a table whose change
stops every command at the file's opening (a setting out of range), found
beforehand with `ids`, has a copy of its own.  The short value goes the same way into the
columns that hold dates.  Under valgrind (SMP_TEST_WRAPPER) a sample
runs: the short value in the dates, with the commands of SAMPLE.
"""
import concurrent.futures
import errno
import fcntl
import json
import os
import pty
import re
import select
import shutil
import sqlite3
import struct
import subprocess
import tempfile
import termios
import time
import unittest

import pexpect

from harness import BIN, TIMEOUT, WRAPPER, base_answers, pipe_lines
from ptyutil import STOPPED, answer_all

# The hostile values, as bytes (a raw 0x9b is not UTF-8, so it cannot be a
# Python str): a CSI colour sequence, an OSC 52 clipboard write, the C1
# CSI as a UTF-8 character and as a raw byte, and a right-to-left override.
# LONG fills every text column; SHORT (five bytes, a raw C1 CSI) fills the
# columns that hold dates or times, which the program cuts at fixed offsets.
LONG = (b"Zed\x1b[31m\x1b]52;c;SGVsbG8=\x07" + "\u009b7m".encode() + "\u202e".encode() +
        b"\x9b1m end")
SHORT = b"\x9b[31m"
DATE_LIKE = re.compile(rb"^\d{4}-\d\d-\d\d")

# Our own escapes: readline's bracketed-paste mode around a prompt at a
# terminal, and its cursor moves when it redraws a prompt wider than the
# terminal (never SGR "m", OSC or anything the hostile values hold).
# Colour is off (NO_COLOR).
OWN_ESCAPES = re.compile(rb"\x1b\[\?2004[hl]|\x1b\[[0-9]*[ABCDK]")

# Every command that reads the database and prints what it read, as a
# person or a script runs it.  "file": a format for files (CSV), which
# through a pipe keeps bidirectional controls as stored (docs/export.md).  "tty": what is typed at each prompt (one
# item a prompt) at a terminal; such a command runs only there.  "json": through a
# pipe, JSON.  "status": its exit status on the untouched database, when
# not 0 (a question answered no).
COMMANDS = [
    dict(args=["show", "1"]),
    dict(args=["show", "3"]),
    dict(args=["advice", "1"]),
    dict(args=["advice", "1", "--for", "artist"]),
    dict(args=["advice", "1", "--format", "markdown"]),
    dict(args=["advice", "1", "--format", "html"]),
    dict(args=["list"]),
    dict(args=["list", "--format", "tsv"]),
    dict(args=["list", "--format", "json"], json=True),
    dict(args=["list", "--pending-signoff"]),
    dict(args=["find", "ana"]),
    dict(args=["find", "berg", "--format", "tsv"]),
    dict(args=["find", "ana", "--format", "json"], json=True),
    dict(args=["history", "1"]),
    dict(args=["history", "3"]),
    dict(args=["drafts"]),
    dict(args=["purge", "--older-than", "1y"]),
    dict(args=["access-log"]),
    dict(args=["export"], json=True),
    dict(args=["export", "--format", "ndjson"], json="lines"),
    dict(args=["export", "--format", "csv"], file=True),
    dict(args=["export", "--format", "fhir"], json=True),
    dict(args=["export", "--client", "1"], json=True),
    dict(args=["config", "list"]),
    dict(args=["contact", "1"], tty=[b"\r", b"\r"]),
    dict(args=["erase", "1"], tty=[b"no\r"], status=1),
    dict(args=["acknowledge", "3"], tty=[b"\r"], status=1),
    dict(args=["resume"], tty=[b"\x04"], status=1),
    # Every stored answer shown in its question's brackets; Enter keeps
    # each (at most 40), then Ctrl-D.
    dict(args=["edit", "1"], tty=[b"\r"] * 40 + [b"\x04"] * 3),
    dict(args=["signoff", "1", "--status", "pending"]),
]


# Under valgrind (SMP_TEST_WRAPPER), the dates' matrix with these commands.
SAMPLE = [["show", "1"], ["history", "1"], ["drafts"], ["list"], ["export"],
          ["export", "--format", "csv"]]


def problems(out, machine=None, file=False):
    """What is wrong with out (bytes): a list of words, empty when fine.
    machine: None (for a terminal or a person), True (one JSON text) or
    "lines" (one JSON text a line), read through a pipe.  file: CSV read
    through a pipe, where a right-to-left override is text as stored."""
    found = []
    if machine:
        try:
            text = out.decode("utf-8")
        except UnicodeDecodeError:
            return ["invalid UTF-8 in JSON"]
        try:
            if machine == "lines":
                [json.loads(line) for line in text.splitlines()]
            elif text.strip():
                json.loads(text)
        except ValueError as e:
            found.append("invalid JSON (%s)" % e)
        if re.search("[\x00-\x1f\x7f]", text.replace("\n", "")):
            found.append("a raw control character in JSON")
        return found
    out = OWN_ESCAPES.sub(b"", out)
    if b"\x1b" in out:
        found.append("ESC")
    if b"\x07" in out:
        found.append("BEL")
    text = out.decode("utf-8", "surrogateescape")
    if re.search("[\x80-\x9f]", text):
        found.append("a C1 control")
    if "\u202e" in text and not file:
        found.append("a right-to-left override")
    if re.search("[\udc80-\udcff]", text):
        found.append("invalid UTF-8 (a raw 0x9b?)")
    return found


def crashed(status, out):
    """Why a run counts as a crash, or None."""
    if status is None:
        return "did not finish"
    if status < 0:
        return "killed by signal %d" % -status
    for mark in (b"AddressSanitizer", b"UndefinedBehaviorSanitizer", b"runtime error:",
                 b"LeakSanitizer"):
        if mark in out:
            return "sanitizer report"
    if WRAPPER and status == 99:
        return "valgrind reported errors"
    return None


def refused_cleanly(status, err):
    """A refusal the program may make: exit 1 and an smp-intake: line."""
    return status == 1 and any(l.startswith(b"smp-intake: ") for l in err.splitlines())


def run_pipe(args, env):
    p = subprocess.run(WRAPPER + [BIN, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env, timeout=TIMEOUT * 3)
    return p.returncode, p.stdout, p.stderr


def _controlling_tty():
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def run_pty(args, env, typed=None):
    """Runs the binary with stdin, stdout and stderr on a new
    pseudo-terminal of 40 x 120 (its controlling terminal), typing each
    item of typed at the next readline prompt (or only Ctrl-D, ahead, when
    typed is None).  Returns (exit status, every byte written there)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    try:
        p = subprocess.Popen(WRAPPER + [BIN, *args], stdin=slave, stdout=slave, stderr=slave,
                             env=env, start_new_session=True, preexec_fn=_controlling_tty)
    finally:
        os.close(slave)
    out, deadline = [], time.monotonic() + TIMEOUT * 3
    try:
        steps = list(typed) if typed is not None else []
        if typed is None:
            os.write(master, b"\x04")
        while time.monotonic() < deadline:
            if steps and b"".join(out).count(b"\x1b[?2004h") >= len(typed) - len(steps) + 1:
                os.write(master, steps.pop(0))
            ready, _, _ = select.select([master], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError as e:
                if e.errno != errno.EIO:
                    raise
                break
            if not chunk:
                break
            out.append(chunk)
        try:
            status = p.wait(timeout=max(1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            status = None
    finally:
        os.close(master)
    return status, b"".join(out)


def text_columns(con):
    """{table: [(column, part of the primary key)]}: the text columns of
    every table (declared TEXT, or with no type), read from the schema.  The full-text index's own
    tables hold the index, not text that is ever printed, and are left
    out, as is SQLite's own sqlite_sequence."""
    virtual = [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'")]
    out = {}
    for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                "AND name NOT LIKE 'sqlite_%' ORDER BY name").fetchall():
        if table in virtual or any(table.startswith(v + "_") for v in virtual):
            continue
        cols = [(r[1], r[5] > 0) for r in con.execute('PRAGMA table_info("%s")' % table)
                if "TEXT" in (r[2] or "TEXT").upper()]
        if cols:
            out[table] = cols
    return out


def date_columns(con, table, cols):
    """Those of cols whose stored values look like dates (every non-NULL
    value starts YYYY-MM-DD)."""
    out = []
    con.text_factory = bytes
    for c, key in cols:
        values = [r[0] for r in con.execute('SELECT "%s" FROM "%s" WHERE "%s" IS NOT NULL'
                                            % (c, table, c))]
        if values and all(DATE_LIKE.match(v) for v in values):
            out.append((c, key))
    con.text_factory = str
    return out


def tamper(path, table, cols, value):
    """Writes value (bytes, stored as TEXT) into cols of every row of
    table, as another program could: the triggers in the way are dropped
    and put back as they were, CHECK constraints are ignored, and where a
    column must be unique each row gets its own copy (value then #N)."""
    con = sqlite3.connect(path, isolation_level=None)
    try:
        triggers = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                               "AND tbl_name = ?", (table,)).fetchall()
        con.execute("PRAGMA ignore_check_constraints = ON")
        con.execute("BEGIN")
        for name, _ in triggers:
            con.execute('DROP TRIGGER "%s"' % name)
        info = con.execute('PRAGMA table_info("%s")' % table).fetchall()
        key = [r[1] for r in sorted(info, key=lambda r: r[5]) if r[5]] or ["rowid"]
        rows = con.execute('SELECT %s FROM "%s"' % (", ".join('"%s"' % k if k != "rowid" else k
                                                             for k in key), table)).fetchall()
        sets = ", ".join('"%s" = CAST(? AS TEXT)' % c for c in cols)
        where = " AND ".join('%s IS ?' % ('"%s"' % k if k != "rowid" else k) for k in key)
        for n, row in enumerate(rows):
            for v in (value, value + b"#%d" % n):
                try:
                    con.execute('UPDATE "%s" SET %s WHERE %s' % (table, sets, where),
                                [v] * len(cols) + list(row))
                    break
                except sqlite3.IntegrityError:
                    continue
        for _, sql in triggers:
            con.execute(sql)
        con.execute("COMMIT")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()


class TamperedDatabase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="smp-e2e-tamper-")
        cls.base = os.path.join(cls.tmp, "base.db")
        inputrc = os.path.join(cls.tmp, "inputrc")
        with open(inputrc, "w"):
            pass
        cls.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": cls.tmp,
                   "SMP_INTAKE_DB": cls.base, "SMP_INTAKE_STAFF": "Dana Staff",
                   "LC_ALL": "C.UTF-8", "INPUTRC": inputrc, "TERM": "xterm", "NO_COLOR": "1",
                   # A sheet longer than the terminal goes through the pager:
                   # cat, which passes on what it is given as less -R would.
                   "PAGER": "cat"}
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if k in os.environ:
                cls.env[k] = os.environ[k]
        cls.make_base()
        # What the untouched database gives, to tell a refusal that the
        # tampering caused from a command's usual exit status.
        # (Under valgrind, the status each command is known to give.)
        cls.clean = [] if WRAPPER else cls.run_all(cls.copy("clean"), COMMANDS)
        cls.clean_status = {(" ".join(c["args"]), how): c.get("status", 0)
                            for c in COMMANDS for how in ("pipe", "terminal")}
        cls.clean_status.update({(" ".join(c["args"]), how): status
                                 for c, how, status, out, problem in cls.clean})

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def run_ok(cls, *args, input=""):
        p = subprocess.run(WRAPPER + [BIN, *args], input=input.encode(), capture_output=True,
                           env=cls.env, timeout=TIMEOUT * 3)
        assert p.returncode == 0, (args, p.stderr)
        return p.stdout

    @classmethod
    def make_base(cls):
        """The database, made as the studio would make it."""
        ana = base_answers(phone="+44 7700 900123", email="ana@example.com",
                           hair_loss_notes="crown", uses_rogaine="yes", rogaine_form="foam",
                           rogaine_since="2020-01-01", gp_discussed="yes", gp_signoff="pending",
                           keloid_history="yes", allergies="yes", allergies_detail="latex")
        cls.run_ok("config", "set", "studio_name", "Studio North")
        cls.run_ok("new", input=pipe_lines(ana))
        cls.run_ok("new", input=pipe_lines(base_answers(first_name="Bo", last_name="Berg")))
        cls.run_ok("signoff", "1", "--status", "obtained", "--gp", "Dr Okafor", "--date",
                   "2026-01-02", "--ref", "L-17")
        cls.run_ok("clear-flag", "1", "flag-keloid", "--reason", "checked the scar")
        cls.run_ok("contact", "1", "--phone", "+44 7700 900999")
        cls.run_ok("show", "1")
        cls.run_ok("export", "--client", "1")
        # A third intake, not acknowledged, then edited.
        cara = base_answers(first_name="Cara", last_name="Ng", acknowledged_by=None)
        cls.run_ok("new", input=pipe_lines(cara))
        cls.run_ok("edit", "3", input=pipe_lines(dict(
            {k: "" for k in cara}, hair_loss_notes="temples", consent_photos="yes",
            acknowledged_by=None)))
        # Bo's last intake long ago, for purge.
        con = sqlite3.connect(cls.base)
        with con:
            con.execute("UPDATE intake SET taken_at = '2019-03-04T10:00:00Z' WHERE id = 2")
        con.close()
        # A draft: a new intake stopped at the phone question.
        child = pexpect.spawn(WRAPPER[0] if WRAPPER else BIN,
                              (WRAPPER[1:] + [BIN] if WRAPPER else []) + ["new"], env=cls.env,
                              encoding="utf-8", timeout=TIMEOUT, dimensions=(60, 120))
        answer_all(child, base_answers(first_name="Dee", last_name="Ray"), stop="phone")
        child.sendcontrol("c")
        child.expect_exact(STOPPED)
        child.expect(pexpect.EOF)
        child.close()
        con = sqlite3.connect(cls.base)
        counts = {t: con.execute('SELECT count(*) FROM "%s"' % t).fetchone()[0]
                  for t in ("draft", "signoff", "acknowledgement", "flag_clearance",
                            "access_log", "audit_change")}
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        assert all(counts.values()), counts

    @classmethod
    def copy(cls, name):
        path = os.path.join(cls.tmp, name + ".db")
        shutil.copy(cls.base, path)  # 0600, as the program made it
        return path

    @classmethod
    def run_all(cls, path, commands):
        """Runs commands on the database at path, through a pipe and at a
        terminal; returns [(command, how, status, problem or None)]."""
        env = dict(cls.env, SMP_INTAKE_DB=path)
        results = []
        for c in commands:
            if "tty" not in c:
                status, out, err = run_pipe(c["args"], env)
                results.append((c, "pipe", status, out + err, crashed(status, out + err) or
                                ", ".join(problems(out, c.get("json"), c.get("file", False)) +
                                          problems(err))))
            status, out = run_pty(c["args"], env, c.get("tty"))
            results.append((c, "terminal", status, out,
                            crashed(status, out) or ", ".join(problems(out))))
        return results

    def check(self, label, results):
        for c, how, status, out, problem in results:
            with self.subTest(tampered=label, command=" ".join(c["args"]), how=how):
                self.assertFalse(problem, "%s\n%r" % (problem, out[-2000:]))

    def matrix(self, value, only_dates):
        """Every text column (or every date column) of every table, in
        layers (see the module's docstring), then table by table for the
        commands whose exit status a layer changed."""
        con = sqlite3.connect(self.base)
        columns = text_columns(con)
        if only_dates:
            columns = {t: date_columns(con, t, cols) for t, cols in columns.items()}
            columns = {t: cols for t, cols in columns.items() if cols}
        con.close()
        self.assertIn(("taken_at", False), columns.get("intake", []))
        commands = COMMANDS
        if WRAPPER:
            commands = [c for c in COMMANDS if c["args"] in SAMPLE]
        layers = [{t: [c for c, key in cols if key == k] for t, cols in columns.items()}
                  for k in (False, True)]
        layers = [{t: cols for t, cols in layer.items() if cols} for layer in layers]
        layers = [layer for layer in layers if layer]
        # A table whose change stops every command when the file is opened
        # (a setting out of range) goes in a layer of its own, found with
        # one cheap command, so that it hides nothing of the others.
        alone = []
        for n, layer in enumerate([] if WRAPPER else layers):
            for table in sorted(layer):
                probe = self.copy("probe%d-%d-%s" % (n, only_dates, table))
                tamper(probe, table, layer[table], value)
                if run_pipe(["ids"], dict(self.env, SMP_INTAKE_DB=probe))[0] != 0:
                    alone.append({table: layer.pop(table)})
        layers = [layer for layer in layers if layer] + alone

        def run(tables, commands, name):
            """Runs commands on a copy with tables changed; where a
            command's exit status differs from the untouched database's
            (a refusal), again on each half of tables, so that a refusal
            caused by one table cannot hide what the others print."""
            path = self.copy(name)
            for table, cols in tables.items():
                tamper(path, table, cols, value)
            label = " ".join("%s.%s" % (t, "+".join(cols)) for t, cols in sorted(tables.items()))
            results = self.run_all(path, commands)
            changed = []
            for c, how, status, out, problem in results:
                if status != self.clean_status[(" ".join(c["args"]), how)] and c not in changed:
                    changed.append(c)
            batches = [(label, results)]
            names = sorted(tables)
            if changed and len(names) > 1:
                for k, half in enumerate((names[:len(names) // 2], names[len(names) // 2:])):
                    batches += run({t: tables[t] for t in half}, changed, "%s-%d" % (name, k))
            return batches

        def one(n):
            return run(layers[n], commands, "layer%d-%d" % (n, only_dates))

        seen = 0
        with concurrent.futures.ThreadPoolExecutor(1 if WRAPPER else 2) as pool:
            for batch in pool.map(one, range(len(layers))):
                for label, results in batch:
                    seen += len(results)
                    self.check(label, results)
        self.assertGreater(seen, 0)

    @unittest.skipIf(WRAPPER, "the matrix's sample runs under valgrind")
    def test_the_database_as_made_prints_no_control_sequence(self):
        """The check itself: on the untouched database every command runs
        and passes (so the matrix's failures are the tampering's)."""
        for c, how, status, out, problem in self.clean:
            with self.subTest(command=" ".join(c["args"]), how=how):
                self.assertFalse(problem, out[-2000:])
                self.assertEqual(status, c.get("status", 0), out[-2000:])

    @unittest.skipIf(WRAPPER, "under valgrind the dates' sample runs")
    def test_escape_sequences_in_every_text_column(self):
        self.matrix(LONG, only_dates=False)

    def test_short_and_garbled_dates(self):
        self.matrix(SHORT, only_dates=True)


if __name__ == "__main__":
    unittest.main()
