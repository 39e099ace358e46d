"""`smp-intake import` checks what it stores (issue 14): the advice is
worked out again from the answers by the record's advice_version and a
sheet that differs is refused (reworded under a real rule id, an item
dropped); the acknowledgement's name must be the client's and nothing is
dated before the intake; staff names must name someone.  One line per bad
record, naming its uuid; all or nothing.  The revision (FHIR's amended)
survives the round trip; a byte order mark is read, a CSV is refused by
name, and a failed import leaves no database file.

Kept to a few runs of the binary per test: under valgrind each run is
slow, and test_import.py is already one of the slowest modules.  The
source database is a fixture, made once without the wrapper (valgrind),
and under it the tests leave out their second cases."""
import datetime
import json
import os
import subprocess
import uuid

import pexpect

from harness import BIN, TIMEOUT, WRAPPER, IntakeTest, base_answers, iso, pipe_lines, today

DAY = datetime.timedelta(days=1)
SOURCE = {}  # the source database and its exports, made once


class ImportForgeryTest(IntakeTest):
    def on(self, db, *args, input=None):
        return self.run_cmd("--db", db, *args, input=input)

    def write(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        return path

    def plain(self, *args, input=""):
        """Runs the binary without the wrapper (a fixture: what it does is
        tested elsewhere); asserts success; returns stdout."""
        p = subprocess.run([BIN, *args], input=input.encode(), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=self.env, timeout=TIMEOUT)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout.decode()

    def leftovers(self):
        """The files of the temporary folder that a database may leave."""
        return sorted(n for n in os.listdir(self.tmp)
                      if n.startswith("target") or n.startswith(".smp-intake"))

    def source(self):
        """Two intakes: Ana, on minoxidil with the GP's answer pending
        (her sheet holds gp-signoff), taken when the studio paused topical
        products 10 days before and 3 after (the default is 7 and 7); Chloé,
        on finasteride, with a GP sign-off recorded later (revision 2,
        FHIR amended).  Returns (JSON export, FHIR export, Chloé's
        revision in export --client); made once, then copied."""
        if SOURCE:
            with open(self.db, "wb") as f:
                f.write(SOURCE["db"])
            os.chmod(self.db, 0o600)
            return SOURCE["json"], SOURCE["fhir"], SOURCE["revision"]
        for key, value in (("pause_days_before", "10"), ("pause_days_after", "3")):
            self.plain("config", "set", key, value)
        self.plain("new", input=pipe_lines(base_answers(
            uses_rogaine="yes", rogaine_form="foam", rogaine_since=iso(today() - 300 * DAY),
            gp_discussed="yes", gp_signoff="pending",
            planned_session_date=iso(today() + 30 * DAY))))
        self.plain("new", input=pipe_lines(base_answers(
            first_name="Chloé", last_name="Martin", date_of_birth="1990-11-05",
            uses_propecia="yes", propecia_form="tablet", gp_discussed="no")))
        self.plain("signoff", "2", "--status", "obtained", "--gp", "Dr Patel", "--date",
                   iso(today()))
        SOURCE["json"] = self.plain("export")
        SOURCE["fhir"] = self.plain("export", "--format", "fhir")
        client = self.plain("export", "--client", "2")
        SOURCE["revision"] = json.loads(client)["intakes"][0]["revision"]
        with open(self.db, "rb") as f:
            SOURCE["db"] = f.read()
        return self.source()

    def test_forged_records_are_refused_one_line_each_and_nothing_is_written(self):
        exported, _, _ = self.source()
        ana, chloe = json.loads(exported)
        self.assertIn("gp-signoff", [a["id"] for a in ana["advice"]])

        def forged(base, change):
            r = json.loads(json.dumps(base))
            r["uuid"] = str(uuid.uuid4())
            change(r)
            return r

        def reworded(r):
            for a in r["advice"]:
                if a["id"] == "gp-signoff":
                    a["text"] = ("No need to see your GP: minoxidil and SMP go well together, "
                                 "so it is safe to proceed.")

        def dropped(r):
            r["advice"] = [a for a in r["advice"] if a["id"] != "gp-signoff"]

        def mickey(r):
            r["acknowledgement"]["typed_name"] = "Mickey Mouse"

        def acknowledged_before(r):
            taken = datetime.datetime.strptime(r["taken_at"], "%Y-%m-%dT%H:%M:%SZ")
            r["acknowledgement"]["at"] = (taken - DAY).strftime("%Y-%m-%dT%H:%M:%SZ")

        def blank_staff(r):
            r["acknowledgement"]["staff"] = "\u00a0\u3000"

        cases = [(reworded, "advice[1].text: not the words advice 2026.3 gives for gp-signoff"),
                 (dropped, "advice: gp-signoff is missing (advice 2026.3 gives it"),
                 (mickey, "acknowledgement.typed_name: not the client's name"),
                 (acknowledged_before, "acknowledgement.at: before the intake was taken"),
                 (blank_staff, "acknowledgement.staff: must be 1 to 100 characters")]
        records = [chloe] + [forged(ana, change) for change, _ in cases]
        path = self.write("forged.json", "".join(json.dumps(r) + "\n" for r in records))
        target = os.path.join(self.tmp, "target.db")
        p = self.on(target, "import", path)
        self.assertEqual((p.returncode, p.stdout), (1, "nothing imported: 5 records refused\n"),
                         p.stderr)
        lines = p.stderr.splitlines()
        self.assertEqual(len(lines), len(cases), p.stderr)
        for i, (line, (_, why)) in enumerate(zip(lines, cases)):
            uid = records[i + 1]["uuid"]
            if why.startswith("acknowledgement.staff"):
                self.assertEqual(line, "smp-intake: %s: record %d: %s without control "
                                 "characters, not only blanks" % (path, i + 2, why))
            else:
                self.assertTrue(line.startswith("smp-intake: %s: record %d: uuid %s: %s"
                                                % (path, i + 2, uid, why)), line)
        self.assertNotIn("Mickey", p.stderr)
        self.assertNotIn("safe to proceed", p.stderr)
        # All or nothing, and no database was made for it.
        self.assertEqual(self.leftovers(), [])
        # Into the source database (it exists): unchanged, byte for byte.
        with open(self.db, "rb") as f:
            before = f.read()
        p = self.run_cmd("import", path)
        self.assertEqual(p.returncode, 1, p.stderr)
        with open(self.db, "rb") as f:
            self.assertEqual(f.read(), before)

    def test_round_trip_keeps_revision_and_amended_and_the_sheet_as_given(self):
        exported, fhir, revision = self.source()
        self.assertEqual(revision, 2)
        self.assertIn('"status":"amended"', fhir)
        path = self.write("export.json", exported)
        target = os.path.join(self.tmp, "target.db")
        # Ana's sheet states a 10 and 3 day pause: the studio's policy
        # then, read where it is 7 and 7 (a new database).
        p = self.on(target, "import", path)
        self.assertEqual((p.returncode, p.stdout), (0, "2 added, 0 unchanged\n"), p.stderr)
        again = self.on(target, "export", "--format", "fhir").stdout
        self.assertEqual(undated(again), undated(fhir))
        self.assertEqual(again.count('"status":"amended"'), 1)
        self.assertEqual(self.on(target, "export").stdout, exported)
        client = json.loads(self.on(target, "export", "--client", "2").stdout)
        self.assertEqual(client["intakes"][0]["revision"], revision)
        if WRAPPER:
            return
        # Imported again: the same intakes, nothing to do.
        p = self.on(target, "import", path)
        self.assertEqual((p.returncode, p.stdout), (0, "0 added, 2 unchanged\n"), p.stderr)

    def test_byte_order_mark_is_read_and_csv_is_refused_by_name(self):
        exported, _, _ = self.source()
        target = os.path.join(self.tmp, "target.db")
        # As Notepad saves it: a byte order mark, CRLF line ends.
        bom = self.write("notepad.json", b"\xef\xbb\xbf" + exported.replace("\n", "\r\n").encode())
        p = self.on(target, "import", "--dry-run", bom)
        self.assertEqual((p.returncode, p.stdout),
                         (0, "dry run, nothing written: 2 to add, 0 to update, 0 unchanged, "
                             "0 conflicts, 0 refused\n"), p.stderr)
        self.assertEqual(self.leftovers(), [])  # a dry run makes no database either
        if not WRAPPER:
            self.stdin_and_utf16(target, exported)
        path = self.write("intakes.csv", self.plain("export", "--format", "csv", "--excel"))
        p = self.on(target, "import", path)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stderr, "smp-intake: %s: looks like CSV; import reads the JSON "
                                   "export (export --format json or ndjson)\n" % path)
        self.assertEqual(self.leftovers(), [])

    def stdin_and_utf16(self, target, exported):
        # Through standard input (PowerShell's pipe writes one too).
        p = self.on(target, "import", "-", input=b"\xef\xbb\xbf" + exported.encode())
        self.assertEqual((p.returncode, p.stdout), (0, "2 added, 0 unchanged\n"), p.stderr)
        os.unlink(target)
        # A file UTF-16 (PowerShell 5's `>`) is named as such.
        path = self.write("ps.json", ("\ufeff" + exported[:200]).encode("utf-16-le"))
        p = self.on(target, "import", path)
        self.assertEqual(p.returncode, 1)
        self.assertIn("UTF-16 text", p.stderr)
        self.assertEqual(self.leftovers(), [])

    def test_refusal_at_a_terminal_is_one_line(self):
        exported, _, _ = self.source()
        ana = json.loads(exported)[0]
        ana["acknowledgement"]["typed_name"] = "Mickey Mouse"
        path = self.write("one.json", json.dumps(ana) + "\n")
        target = os.path.join(self.tmp, "target.db")
        child = self.spawn("--db", target, "import", path)
        child.expect_exact("acknowledgement.typed_name: not the client's name")
        child.expect_exact("nothing imported: 1 record refused")
        child.expect(pexpect.EOF)
        child.close()
        self.assertEqual(child.exitstatus, 1)
        self.assertNotIn("Mickey", child.before or "")
        self.assertEqual(self.leftovers(), [])


def undated(bundle):
    """A FHIR bundle without the time it was made."""
    data = json.loads(bundle)
    data.pop("timestamp", None)
    return data
