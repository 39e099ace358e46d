"""`export --format ndjson|csv`, the filters (--since, --until, --client,
--pending-signoff) and the progress line, each read back with an
independent reader (python's json and csv modules, jq) and compared field
by field with the database as python's sqlite3 reads it; the consultation
record (screening answers, flags open and cleared, the acknowledgement,
the versions, readiness) in json, ndjson and csv."""
import csv
import io
import json
import os
import select
import shutil
import sqlite3
import stat
import subprocess
import time

from harness import BIN, ROOT, WRAPPER, TIMEOUT, ORDER, base_answers, validate_export
from test_pipe_intake import PipeTest

CLIENT_COLUMNS = ["first_name", "last_name", "date_of_birth", "phone", "email"]
# The questionnaire's order, client fields aside (docs/export.md, CSV).
ANSWER_COLUMNS = [q for q in ORDER if q not in CLIENT_COLUMNS]
RECORD_COLUMNS = ["questionnaire_version", "advice_version", "flags_open", "flags_cleared",
                  "acknowledged_by", "acknowledged_at"]
HEADER = (["intake_id", "uuid", "taken_at", "staff", "client_id"] + CLIENT_COLUMNS +
          ANSWER_COLUMNS + ["gp_signoff_status", "advice_ids"] + RECORD_COLUMNS)
TREATED = dict(uses_rogaine="yes", rogaine_form="foam", gp_discussed="yes", gp_signoff="pending")
# The screening flags in the order of the flag table, each with the
# question behind it and the answers that leave it down (docs/advice.md),
# written down here, not asked of the program.
FLAG_RULES = [("flag-scalp-condition", "scalp_conditions", {"none"}),
              ("flag-keloid", "keloid_history", {"no"}),
              ("flag-blood-thinners", "blood_thinners", {"no"}),
              ("flag-allergy", "allergies", {"no"}),
              ("flag-pregnancy", "pregnant_or_breastfeeding", {"no", "not_applicable"})]
RELEASE_2026_1 = os.path.join(ROOT, "tests", "e2e", "cases", "release-2026.1.json")


def neutral(cell):
    """A CSV cell as docs/export.md says it is written."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def raised(answers):
    """The flags stored answers raise, in the flag table's order."""
    return [f for f, q, quiet in FLAG_RULES if answers.get(q) is not None
            and answers[q] not in quiet]


def signoff_status(answers):
    if not any(answers.get(t) == "yes" for t in
               ("uses_rogaine", "uses_propecia", "uses_other_topical", "uses_other_medical")):
        return "not_required"
    if answers.get("gp_discussed") != "yes":
        return "pending"
    return answers.get("gp_signoff") or "pending"


class Formats(PipeTest):
    def stored(self):
        """Every intake as the database holds it, read without the program:
        id -> dict of the CSV columns (None for nothing stored)."""
        con = sqlite3.connect(self.db)
        out = {}
        try:
            for row in con.execute(
                    "SELECT i.id, i.uuid, i.taken_at, i.staff, c.id, c.first_name, c.last_name, "
                    "c.date_of_birth, c.phone, c.email FROM intake i "
                    "JOIN client c ON c.id = i.client_id ORDER BY i.id"):
                rec = dict(zip(["intake_id", "uuid", "taken_at", "staff", "client_id"] +
                               CLIENT_COLUMNS, row))
                answers = dict(con.execute(
                    "SELECT question_id, value FROM answer WHERE intake_id = ?", (row[0],)))
                for q in ANSWER_COLUMNS:
                    rec[q] = answers.get(q)
                rec["gp_signoff_status"] = signoff_status(answers)
                rec["advice_ids"] = " ".join(r[0] for r in con.execute(
                    "SELECT advice_id FROM advice_sheet WHERE intake_id = ?1 AND sheet = "
                    "(SELECT max(sheet) FROM advice_sheet WHERE intake_id = ?1) "
                    "ORDER BY position", (row[0],)))
                rec.update(self.record_keeping(con, row[0], answers))
                out[row[0]] = rec
        finally:
            con.close()
        return out

    def record_keeping(self, con, intake_id, answers):
        """The versions, flags, acknowledgement and readiness of an intake,
        from the tables: the CSV columns, and under "json" what the JSON
        formats give."""
        qv, av, sheet, ack_sheet = con.execute(
            "SELECT questionnaire_version, advice_version, (SELECT max(sheet) FROM "
            "advice_sheet WHERE intake_id = i.id), acknowledged_sheet FROM intake i "
            "WHERE id = ?", (intake_id,)).fetchone()
        cleared = {r[0]: r[1:] for r in con.execute(
            "SELECT flag_id, reason, staff, at FROM flag_clearance WHERE intake_id = ?",
            (intake_id,))}
        ack = con.execute("SELECT typed_name, at, staff, sheet FROM acknowledgement "
                          "WHERE intake_id = ? AND sheet = ?", (intake_id, ack_sheet)).fetchone()
        flags = []
        for f in raised(answers):
            if f in cleared:
                reason, by, at = cleared[f]
                flags.append({"id": f, "status": "cleared", "reason": reason,
                              "cleared_by": by, "cleared_at": at})
            else:
                flags.append({"id": f, "status": "open"})
        ready = (signoff_status(answers) in ("not_required", "obtained") and ack is not None
                 and all(f["status"] == "cleared" for f in flags))
        return {
            "questionnaire_version": qv, "advice_version": av,
            "flags_open": ";".join(f["id"] for f in flags if f["status"] == "open") or None,
            "flags_cleared": ";".join(f["id"] for f in flags if f["status"] == "cleared") or None,
            "acknowledged_by": ack[0] if ack else None, "acknowledged_at": ack[1] if ack else None,
            "json": {"questionnaire_version": qv, "advice_version": av, "advice_sheet": sheet,
                     "flags": flags, "ready": ready,
                     "acknowledgement": dict(zip(("typed_name", "at", "staff", "sheet"), ack))
                     if ack else None}}

    def export_as(self, *args):
        p = self.run_cmd("export", *args)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        return p.stdout

    def some_intakes(self):
        """Four intakes of three clients, with the awkward text a CSV file
        must carry: commas, quotes, line breaks, formula characters."""
        self.new_intake(base_answers(
            first_name="=HYPERLINK(\"http://x\",\"y\")", last_name="Silva, Jr",
            phone="+44 7700 900123", email="ana@example.com",
            hair_loss_notes="-crown, \"thin\"", scalp_conditions="psoriasis, other",
            scalp_conditions_detail="=1+1", allergies="yes", allergies_detail="@latex",
            acknowledged_by="=HYPERLINK(\"http://x\",\"y\") Silva, Jr", **TREATED))
        ana = str(self.sql("SELECT max(id) FROM intake")[0][0])
        p = self.run_cmd("clear-flag", ana, "flag-allergy", "--reason", "Nitrile gloves")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.run_cmd("new", input=self.lines_with_continuation())
        self.assertEqual(p.returncode, 0, p.stderr)
        self.new_intake(base_answers(first_name="@Bo", last_name="Ng", date_of_birth="1990-01-02",
                                     uses_propecia="yes", gp_discussed="yes",
                                     gp_signoff="declined", acknowledged_by="@bo NG"))
        self.new_intake(base_answers(first_name="Zoë", last_name="Ødegård",
                                     date_of_birth="1979-02-28", acknowledged_by=None))

    def lines_with_continuation(self):
        from harness import pipe_lines
        a = base_answers(first_name="Ana", last_name="Silva", hair_loss_notes="@first\\",
                         **TREATED)
        return pipe_lines(a).replace("@first\\\n", "@first\\\n=second line\n")

    def test_ndjson_is_the_array_one_object_a_line(self):
        self.some_intakes()
        array = self.export()
        text = self.export_as("--format", "ndjson")
        self.assertTrue(text.endswith("\n"))
        lines = text.split("\n")[:-1]
        self.assertEqual(len(lines), len(array))
        self.assertEqual([json.loads(l) for l in lines], array)
        # jq, another reader, splits the array into the same objects.
        if shutil.which("jq"):
            jq = subprocess.run(["jq", "-c", ".[]"], input=self.export_as().encode(),
                                stdout=subprocess.PIPE, check=True).stdout.decode()
            self.assertEqual([json.loads(l) for l in jq.splitlines()],
                             [json.loads(l) for l in lines])
        else:
            self.fail("jq is not installed (make test-deps installs it)")
        # Each line is one item of the documented array.
        validate_export([json.loads(l) for l in lines])

    def test_csv_field_by_field_with_the_database(self):
        self.some_intakes()
        raw = self.export_as("--format", "csv")
        self.assertTrue(raw.startswith(",".join(HEADER) + "\r\n"))
        self.assertTrue(raw.endswith("\r\n"))
        rows = list(csv.reader(io.StringIO(raw, newline="")))
        self.assertEqual(rows[0], HEADER)
        stored = self.stored()
        self.assertEqual([int(r[0]) for r in rows[1:]], sorted(stored))
        for r in rows[1:]:
            want = stored[int(r[0])]
            for col, cell in zip(HEADER, r):
                v = want[col]
                expect = "" if v is None else neutral(str(v))
                self.assertEqual(cell, expect, "intake %s, column %s" % (r[0], col))
        # The awkward cells, spelled out.
        first = dict(zip(HEADER, rows[1]))
        self.assertEqual(first["first_name"], "'=HYPERLINK(\"http://x\",\"y\")")
        self.assertEqual(first["last_name"], "Silva, Jr")
        self.assertEqual(first["phone"], "'+44 7700 900123")
        self.assertEqual(first["gp_signoff_status"], "pending")
        # The consultation record: several choices as stored, flags by
        # state, the acknowledgement (formula-protected like any cell).
        self.assertEqual(first["scalp_conditions"], "psoriasis,other")
        self.assertEqual(first["scalp_conditions_detail"], "'=1+1")
        self.assertEqual(first["allergies_detail"], "'@latex")
        self.assertEqual(first["flags_open"], "flag-scalp-condition")
        self.assertEqual(first["flags_cleared"], "flag-allergy")
        self.assertEqual(first["acknowledged_by"], "'=HYPERLINK(\"http://x\",\"y\") Silva, Jr")
        self.assertRegex(first["acknowledged_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual((first["questionnaire_version"], first["advice_version"]),
                         ("2026.4", "2026.3"))
        self.assertEqual(dict(zip(HEADER, rows[3]))["acknowledged_by"], "'@bo NG")
        self.assertEqual(dict(zip(HEADER, rows[4]))["acknowledged_by"], "")
        self.assertEqual(dict(zip(HEADER, rows[4]))["acknowledged_at"], "")
        self.assertEqual(dict(zip(HEADER, rows[4]))["flags_open"], "")
        second = dict(zip(HEADER, rows[2]))
        self.assertEqual(second["hair_loss_notes"], "'@first\n=second line")
        self.assertEqual(dict(zip(HEADER, rows[3]))["first_name"], "'@Bo")
        self.assertEqual(dict(zip(HEADER, rows[3]))["gp_signoff_status"], "declined")
        self.assertEqual(dict(zip(HEADER, rows[4]))["gp_signoff_status"], "not_required")
        # The JSON formats keep the text as typed.
        self.assertEqual(self.export()[0]["client"]["first_name"], "=HYPERLINK(\"http://x\",\"y\")")

    def test_the_record_in_json_and_ndjson(self):
        """Versions, flags (open and cleared), the acknowledgement and
        readiness, and the screening answers, as the tables hold them; an
        intake of 2026.1 (imported from release 0.1.0's export) too."""
        p = self.run_cmd("import", RELEASE_2026_1)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.some_intakes()
        # Bo's flags all down, the GP declined: acknowledged, not ready.
        # One more: every flag raised, all cleared, acknowledged: ready.
        every = base_answers(first_name="Di", last_name="Ek", scalp_conditions="sunburn",
                             keloid_history="yes", blood_thinners="yes",
                             blood_thinners_detail="warfarin", allergies="yes",
                             allergies_detail="latex", pregnant_or_breastfeeding="yes",
                             acknowledged_by="Di Ek")
        self.new_intake(every)
        last = self.sql("SELECT max(id) FROM intake")[0][0]
        for f, _, _ in FLAG_RULES:
            p = self.run_cmd("clear-flag", str(last), f, "--reason", "Checked: " + f)
            self.assertEqual(p.returncode, 0, p.stderr)
        array = self.export()
        lines = [json.loads(l) for l in self.export_as("--format", "ndjson").splitlines()]
        self.assertEqual(lines, array)
        stored = self.stored()
        self.assertEqual([r["id"] for r in array], sorted(stored))
        for r in array:
            with self.subTest(intake=r["id"]):
                want = stored[r["id"]]["json"]
                for key, value in want.items():
                    self.assertEqual(r[key], value, key)
                # The answers: several choices an array of the stored ones.
                got = r["answers"].get("scalp_conditions")
                raw = stored[r["id"]]["scalp_conditions"]
                self.assertEqual(got, raw.split(",") if raw is not None else None)
        by_id = {r["id"]: r for r in array}
        # Spelled out: the old intakes, Ana's two flags, Di ready.
        for old in (1, 2):
            self.assertEqual(by_id[old]["questionnaire_version"], "2026.1")
            self.assertEqual(by_id[old]["flags"], [])
            self.assertIsNone(by_id[old]["acknowledgement"])
            self.assertNotIn("keloid_history", by_id[old]["answers"])
        ana = by_id[3]
        self.assertEqual(ana["answers"]["scalp_conditions"], ["psoriasis", "other"])
        self.assertEqual([(f["id"], f["status"]) for f in ana["flags"]],
                         [("flag-scalp-condition", "open"), ("flag-allergy", "cleared")])
        self.assertEqual(ana["flags"][1]["reason"], "Nitrile gloves")
        self.assertEqual(ana["flags"][1]["cleared_by"], "Dana Staff")
        self.assertEqual(ana["acknowledgement"]["typed_name"],
                         "=HYPERLINK(\"http://x\",\"y\") Silva, Jr")
        self.assertEqual(ana["acknowledgement"]["sheet"], 1)
        self.assertFalse(ana["ready"])
        self.assertEqual([f["status"] for f in by_id[last]["flags"]], ["cleared"] * 5)
        self.assertTrue(by_id[last]["ready"])
        self.assertEqual(by_id[last]["answers"]["pregnant_or_breastfeeding"], "yes")
        # Written as stored: the CSV and JSON agree on every intake.
        rows = list(csv.reader(io.StringIO(self.export_as("--format", "csv"), newline="")))
        for row in rows[1:]:
            cells = dict(zip(HEADER, row))
            r = by_id[int(cells["intake_id"])]
            self.assertEqual(cells["flags_open"], ";".join(
                f["id"] for f in r["flags"] if f["status"] == "open"))
            self.assertEqual(cells["flags_cleared"], ";".join(
                f["id"] for f in r["flags"] if f["status"] == "cleared"))
            self.assertEqual(cells["questionnaire_version"], r["questionnaire_version"])
            self.assertEqual(cells["acknowledged_at"],
                             (r["acknowledgement"] or {}).get("at", ""))

    def test_a_formula_cell_never_starts_a_cell(self):
        """Whatever the text, no CSV cell (after its quotes are removed)
        starts with a formula character."""
        self.some_intakes()
        rows = list(csv.reader(io.StringIO(self.export_as("--format", "csv"), newline="")))
        for r in rows[1:]:
            for cell in r:
                self.assertFalse(cell[:1] in ("=", "+", "-", "@", "\t", "\r"), repr(cell))

    def dated(self):
        """Five intakes of two clients on three dates, some pending."""
        for i, (first, extra) in enumerate([("Ana", TREATED), ("Ana", {}), ("Bo", TREATED),
                                            ("Bo", {}), ("Ana", TREATED)]):
            self.new_intake(base_answers(first_name=first, **extra))
        dates = ["2026-01-10", "2026-02-01", "2026-02-01", "2026-03-15", "2026-03-16"]
        con = sqlite3.connect(self.db)
        with con:
            for i, d in enumerate(dates, 1):
                con.execute("UPDATE intake SET taken_at = ? WHERE id = ?", (d + "T09:30:00Z", i))
        con.close()

    def test_filters_combine_in_every_format(self):
        self.dated()
        stored = self.stored()
        ana = stored[1]["client_id"]
        cases = [
            ([], [1, 2, 3, 4, 5]),
            (["--since", "2026-02-01"], [2, 3, 4, 5]),
            (["--until", "2026-02-01"], [1, 2, 3]),
            (["--since", "2026-02-01", "--until", "2026-03-15"], [2, 3, 4]),
            (["--client", str(ana), "--format", "json"], [1, 2, 5]),
            # the call list is per client: Ana's 1 and Bo's 3 are settled by
            # their later intakes (5 and 4)
            (["--pending-signoff"], [5]),
            (["--pending-signoff", "--client", str(ana), "--since", "2026-02-01"], [5]),
            (["--since", "2026-03-17"], []),
        ]
        for args, ids in cases:
            with self.subTest(args=args):
                # Each case's expectation, worked out from the database.
                for i in ids:
                    self.assertIn(i, stored)
                got = json.loads(self.export_as(*args))
                validate_export(got)
                self.assertEqual([r["id"] for r in got], ids)
                # Under valgrind each run costs seconds: the other formats
                # for the first and the combined case only.
                if "--format" not in args and (not WRAPPER or len(args) in (0, 6)):
                    nd = self.export_as(*args, "--format", "ndjson")
                    self.assertEqual([json.loads(l)["id"] for l in nd.splitlines()], ids)
                    rows = list(csv.reader(io.StringIO(
                        self.export_as(*args, "--format", "csv"), newline="")))
                    self.assertEqual(rows[0], HEADER)
                    self.assertEqual([int(r[0]) for r in rows[1:]], ids)
        # Pending means what the database says.
        self.assertEqual([i for i, r in sorted(stored.items()) if r["gp_signoff_status"] == "pending"],
                         [1, 3, 5])

    def test_empty_selection_in_each_format(self):
        self.assertEqual(self.run_cmd("config", "set", "minimum_age", "18").returncode, 0)
        self.assertEqual(self.export_as("--format", "json"), "[]\n")
        self.assertEqual(self.export_as("--format", "ndjson"), "")
        self.assertEqual(self.export_as("--format", "csv"), ",".join(HEADER) + "\r\n")

    def test_client_alone_is_the_subject_access_record(self):
        self.dated()
        alone = json.loads(self.export_as("--client", "1"))
        self.assertIsInstance(alone, dict)
        self.assertEqual([i["id"] for i in alone["intakes"]], [1, 2, 5])
        as_array = json.loads(self.export_as("--client", "1", "--since", "2026-01-01"))
        self.assertEqual([i["id"] for i in as_array], [1, 2, 5])

    def test_bad_options_are_usage_errors_and_write_nothing(self):
        self.dated()
        out = os.path.join(self.tmp, "out.csv")
        for args, msg in [
                (["--format", "xml"], "smp-intake: export: --format: choose json, ndjson, csv or fhir\n"),
                (["--since", "2026-02-30"], "smp-intake: export: --since: give a real date as YYYY-MM-DD\n"),
                (["--until", "yesterday"], "smp-intake: export: --until: give a real date as YYYY-MM-DD\n"),
                (["--since", "2026-03-01", "--until", "2026-02-01"],
                 "smp-intake: export: --since is after --until, so nothing could match\n"),
                (["--client", "x"], None)]:
            with self.subTest(args=args):
                p = self.run_cmd("export", *args, "-o", out)
                self.assertEqual(p.returncode, 2)
                if msg:
                    self.assertEqual(p.stderr, msg)
                self.assertEqual(len(p.stderr.splitlines()), 1)
                self.assertFalse(os.path.exists(out))

    def test_csv_file_is_private_and_reported(self):
        self.dated()
        out = os.path.join(self.tmp, "waiting list.csv")
        p = self.run_cmd("export", "--format", "csv", "--pending-signoff", "-o", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "exported 1 intake to %s\n" % out)
        self.assertEqual(stat.S_IMODE(os.stat(out).st_mode), 0o600)
        with open(out, newline="") as f:
            self.assertEqual([int(r[0]) for r in list(csv.reader(f))[1:]], [5])


class Progress(PipeTest):
    """The progress line shows on a terminal only, once a second has gone."""

    def fill(self, n):
        """n intakes written straight into the file (the program made it)."""
        self.assertEqual(self.run_cmd("config", "set", "minimum_age", "18").returncode, 0)
        con = sqlite3.connect(self.db)
        con.executescript("""
            BEGIN;
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %(n)d)
            INSERT INTO client (id, first_name, last_name, date_of_birth, created_at)
            SELECT i, 'First' || i, 'Last', '1980-01-01', '2026-01-01T10:00:00Z' FROM n;
            INSERT INTO intake (id, uuid, client_id, taken_at, staff)
            SELECT id, lower(printf('%%08x-0000-4000-8000-%%012x', id, id)), id,
                   '2026-01-01T10:00:00Z', 'Dana' FROM client;
            INSERT INTO answer (intake_id, question_id, value)
            SELECT id, column1, column2 FROM intake, (VALUES ('consent_storage', 'yes'),
                   ('uses_rogaine', 'no'), ('uses_propecia', 'no'), ('uses_other_topical', 'no'),
                   ('uses_other_medical', 'no'), ('wants_root_cause_help', 'no'),
                   ('hair_loss_notes', printf('%%0300d', 0)));
            INSERT INTO advice_sheet (intake_id, sheet, position, advice_id, text)
            SELECT id, 1, 1, 'smp-cosmetic-only', 'Cosmetic only.' FROM intake;
            COMMIT;""" % {"n": n})
        con.close()

    def run_slowly(self, stderr_on_pty):
        """Exports 1200 intakes into a pipe that stops being read for 1.5 s
        once the first bytes come (the pipe fills long before the 256th
        intake, where the program first looks at the clock), so the export
        takes longer than a second however slowly the program starts (under
        valgrind, say); returns (stdout, stderr)."""
        import pty
        master, slave = pty.openpty() if stderr_on_pty else os.pipe()
        p = subprocess.Popen(WRAPPER + [BIN, "export", "--format", "ndjson"],
                             stdout=subprocess.PIPE, stderr=slave, env=self.env)
        os.close(slave)
        out = p.stdout.read(1)
        time.sleep(1.5)
        out += p.stdout.read()
        p.wait(timeout=TIMEOUT * 6)
        err = b""
        while select.select([master], [], [], 0.5)[0]:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the pty is closed once the program is gone
                break
            if not chunk:
                break
            err += chunk
        os.close(master)
        self.assertEqual(p.returncode, 0, err)
        return out.decode(), err.decode()

    def test_progress_on_a_terminal_only(self):
        self.fill(1200)
        out, err = self.run_slowly(True)
        self.assertEqual(len(out.splitlines()), 1200)
        self.assertIn("exporting: ", err)
        self.assertRegex(err, r"exporting: \d+ of 1200 intakes \(\d+%\)")
        self.assertIn("\rexporting: 1200 of 1200 intakes (100%)", err)
        self.assertTrue(err.rstrip("\r\n").endswith("(100%)"))
        out, err = self.run_slowly(False)
        self.assertEqual(len(out.splitlines()), 1200)
        self.assertEqual(err, "")
