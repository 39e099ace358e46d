"""`smp-intake import`: an export read back.  The round trip (export,
import into an empty database, export again: the same bytes, as JSON and
as one object per line, with versions, flags cleared and acknowledgements),
matching by uuid (twice adds nothing; a changed record is a conflict until
--update), --dry-run, the ids kept or not, release 0.1.0's export (of
questionnaire 2026.1), every bad file refused with one line and the
database untouched, and an import killed midway: all of it or none."""
import copy
import datetime
import glob
import json
import os
import random
import signal
import sqlite3
import subprocess
import time
import uuid

from harness import BIN, ROOT, TIMEOUT, WRAPPER, IntakeTest, base_answers, iso, pipe_lines, today

DAY = datetime.timedelta(days=1)
RELEASE_2026_1 = os.path.join(ROOT, "tests", "e2e", "cases", "release-2026.1.json")
SOURCE = {}  # the source database and its export, made by the first test that needs them


def ndjson_of(export_text):
    """One object per line, from the array our export writes."""
    return "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n"
                   for r in json.loads(export_text))


def array_of(records):
    """A JSON array laid out as our export lays it out."""
    body = ",\n".join(json.dumps(r, ensure_ascii=False, separators=(",", ":"))
                      for r in records)
    return "[\n" + body + "\n]\n" if records else "[]\n"


class ImportTest(IntakeTest):
    def setUp(self):
        super().setUp()
        self.other = os.path.join(self.tmp, "other.db")

    def on(self, db, *args, input=None):
        """Runs the binary on database db."""
        return self.run_cmd("--db", db, *args, input=input)

    def write(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        return path

    def fill_source(self):
        """Four intakes on three clients, one erased between them (a gap in
        the ids), a GP sign-off recorded after the intake and after the
        client's acknowledgement (two advice sheets, the first
        acknowledged), screening flags open and cleared; returns the
        export.  Made once, then copied (the runs are slow under
        valgrind)."""
        if SOURCE:
            with open(self.db, "wb") as f:
                f.write(SOURCE["db"])
            os.chmod(self.db, 0o600)
            return SOURCE["export"]
        ana = base_answers(
            first_name="Ana", last_name="Silva", date_of_birth="1985-07-23",
            phone="+44 7700 900123", email="ana@example.com",
            hair_loss_notes="Thinning at the crown", uses_rogaine="yes", rogaine_form="foam",
            rogaine_since=iso(today() - 400 * DAY), gp_discussed="yes", gp_signoff="pending",
            planned_session_date=iso(today() + 20 * DAY), allergies="yes",
            allergies_detail="Latex", acknowledged_by="Ana Silva")
        chloe = base_answers(
            first_name="Chloé", last_name="Martin", date_of_birth="1990-11-05",
            email="chloe@example.com", uses_propecia="yes", propecia_form="tablet",
            gp_discussed="yes", gp_signoff="obtained", gp_name="Dr Patel",
            gp_signoff_date=iso(today()), wants_root_cause_help="yes",
            scalp_conditions="psoriasis, eczema", acknowledged_by="chloé  martin")
        for a in (ana, chloe, base_answers(first_name="Ana", last_name="Silva",
                                           date_of_birth="1985-07-23"),
                  base_answers(first_name="Zoë", last_name="Dubois", date_of_birth="1979-02-28"),
                  base_answers(first_name="Sam", last_name="Lee", date_of_birth="1970-01-01",
                               phone="07700 900555")):
            self.new_intake(a)
        p = self.run_cmd("erase", "3", "--yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.run_cmd("signoff", "1", "--status", "obtained", "--gp", "Dr Okafor", "--date",
                         iso(today()))
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.run_cmd("clear-flag", "1", "flag-allergy", "--reason", "Nitrile \"gloves\" only")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.run_cmd("export")
        self.assertEqual(p.returncode, 0, p.stderr)
        records = json.loads(p.stdout)
        ids = [(r["id"], r["client"]["id"]) for r in records]
        self.assertEqual(ids, [(1, 1), (2, 2), (3, 1), (5, 4)])
        # What the round trips below carry.
        self.assertEqual((records[0]["advice_sheet"], records[0]["acknowledgement"]["sheet"]),
                         (2, 1))
        self.assertEqual(records[0]["flags"][0]["status"], "cleared")
        self.assertTrue(records[0]["ready"])
        self.assertEqual(records[1]["flags"], [{"id": "flag-scalp-condition", "status": "open"}])
        self.assertEqual(records[1]["answers"]["scalp_conditions"], ["psoriasis", "eczema"])
        SOURCE["export"] = p.stdout
        with open(self.db, "rb") as f:
            SOURCE["db"] = f.read()
        return p.stdout

    def db_bytes(self, db):
        with open(db, "rb") as f:
            return f.read()

    def assert_refused(self, p, *lines):
        """Exit 1, and exactly these lines (each the start of one) on stderr."""
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        got = p.stderr.splitlines()
        self.assertEqual(len(got), len(lines), p.stderr)
        for line, start in zip(got, lines):
            self.assertTrue(line.startswith(start), "%r does not start with %r" % (line, start))
        self.assertTrue(p.stdout.startswith("nothing imported"), p.stdout)


class RoundTrip(ImportTest):
    def test_json_round_trip_gives_the_same_bytes(self):
        exported = self.fill_source()
        path = self.write("intakes.json", exported)
        p = self.on(self.other, "import", path)
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "4 added, 0 unchanged\n", ""))
        again = self.on(self.other, "export")
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual(again.stdout, exported)
        # The search index followed, and each intake has its audit row.
        p = self.on(self.other, "find", "sam")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Lee", p.stdout)
        con = sqlite3.connect(self.other)
        try:
            rows = con.execute("SELECT action, staff, intake_id, client_id FROM audit "
                               "ORDER BY id").fetchall()
            self.assertEqual(rows, [("import", "Dana Staff", 1, 1), ("import", "Dana Staff", 2, 2),
                                    ("import", "Dana Staff", 3, 1), ("import", "Dana Staff", 5, 4)])
            self.assertEqual(con.execute("PRAGMA foreign_key_check").fetchall(), [])
        finally:
            con.close()
        p = self.on(self.other, "history", "5")
        self.assertIn("imported from an export file", p.stdout)

    def test_ndjson_round_trip_gives_the_same_bytes(self):
        exported = self.fill_source()
        help_text = self.run_cmd("export", "--help").stdout
        if "ndjson" in help_text:
            p = self.run_cmd("export", "--format", "ndjson")
            self.assertEqual(p.returncode, 0, p.stderr)
            lines = p.stdout
            self.assertEqual([json.loads(l) for l in lines.splitlines()], json.loads(exported))
        else:
            lines = ndjson_of(exported)  # export --format ndjson is not there yet
        path = self.write("intakes.ndjson", lines)
        p = self.on(self.other, "import", path)
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "4 added, 0 unchanged\n", ""))
        self.assertEqual(self.on(self.other, "export").stdout, exported)
        if "ndjson" in help_text:
            self.assertEqual(self.on(self.other, "export", "--format", "ndjson").stdout, lines)

    def test_standard_input(self):
        exported = self.fill_source()
        p = self.on(self.other, "import", "-", input=exported)
        self.assertEqual((p.returncode, p.stdout), (0, "4 added, 0 unchanged\n"), p.stderr)
        p = self.on(self.other, "import", "-", input="[\n{\"id\": 1}\n]\n")
        self.assert_refused(p, "smp-intake: standard input: record 1: uuid: missing")

    def test_empty_export_imports_nothing(self):
        p = self.on(self.other, "import", self.write("empty.json", "[]\n"))
        self.assertEqual((p.returncode, p.stdout), (0, "0 added, 0 unchanged\n"), p.stderr)


class MatchedByUuid(ImportTest):
    def setUp(self):
        super().setUp()
        self.exported = self.fill_source()
        self.path = self.write("intakes.json", self.exported)
        p = self.on(self.other, "import", self.path)
        self.assertEqual(p.returncode, 0, p.stderr)

    def snapshot_of(self, db):
        saved, self.db = self.db, db
        try:
            return self.snapshot()
        finally:
            self.db = saved

    def test_importing_twice_adds_nothing(self):
        before = self.snapshot_of(self.other)
        p = self.on(self.other, "import", self.path)
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "0 added, 4 unchanged\n", ""))
        self.assertEqual(self.snapshot_of(self.other), before)

    def test_a_changed_record_is_a_conflict_until_update(self):
        records = json.loads(self.exported)
        records[1]["answers"]["wants_root_cause_help"] = False
        records[1]["advice"] = [a for a in records[1]["advice"] if a["id"] != "root-cause"]
        records[3]["client"]["phone"] = "+44 7700 900999"
        changed = self.write("changed.json", array_of(records))
        before = self.snapshot_of(self.other)
        p = self.on(self.other, "import", changed)
        self.assert_refused(
            p,
            "smp-intake: %s: record 2: uuid %s: intake 2 is stored with other answers and "
            "advice (a conflict; --update replaces it)" % (changed, records[1]["uuid"]),
            "smp-intake: %s: record 4: uuid %s: intake 5 is stored with other client details"
            % (changed, records[3]["uuid"]))
        self.assertIn("2 conflicts (--update replaces them)", p.stdout)
        self.assertNotIn("900999", p.stderr)
        self.assertEqual(self.snapshot_of(self.other), before)

        p = self.on(self.other, "import", "--update", changed)
        self.assertEqual((p.returncode, p.stdout, p.stderr),
                         (0, "0 added, 2 updated, 2 unchanged\n", ""))
        # The file's advice is the new sheet 2 of each, and the
        # acknowledgement of it goes with it.
        stored = copy.deepcopy(records)
        for r in (stored[1], stored[3]):
            r["advice_sheet"] = 2
            if r["acknowledgement"]:
                r["acknowledgement"]["sheet"] = 2
        self.assertEqual(self.on(self.other, "export").stdout, array_of(stored))
        con = sqlite3.connect(self.other)
        try:
            self.assertEqual(con.execute("SELECT revision FROM intake WHERE id = 2").fetchone(),
                             (2,))
            # The new advice beside the old.
            self.assertEqual(con.execute("SELECT DISTINCT sheet FROM advice_sheet "
                                         "WHERE intake_id = 2 ORDER BY 1").fetchall(),
                             [(1,), (2,)])
        finally:
            con.close()
        history = self.on(self.other, "history", "5").stdout
        self.assertIn("Phone: 07700 900555 -> +44 7700 900999", history)
        # Now the file is what is stored.
        p = self.on(self.other, "import", changed)
        self.assertEqual((p.returncode, p.stdout), (0, "0 added, 4 unchanged\n"), p.stderr)

    def test_taken_at_of_a_stored_uuid_cannot_change(self):
        records = json.loads(self.exported)
        records[0]["taken_at"] = "2020-01-01T10:00:00Z"
        path = self.write("moved.json", array_of(records))
        p = self.on(self.other, "import", "--update", path)
        self.assert_refused(p, "smp-intake: %s: record 1: taken_at: intake 1 has this uuid with "
                               "another taken_at" % path)

    def test_dry_run_reports_and_writes_nothing(self):
        records = json.loads(self.exported)
        # (Not record 1: its acknowledgement, before a GP sign-off, is not
        # for --update to move; RecordKeeping tests that.)
        records[2]["answers"]["hair_loss_notes"] = "Thinning all over"
        new = copy.deepcopy(records[2])
        new["uuid"] = str(uuid.uuid4())
        records.append(new)
        path = self.write("more.json", array_of(records))
        before = self.db_bytes(self.other)
        p = self.on(self.other, "import", "--dry-run", path)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stdout, "dry run, nothing written: 1 to add, 0 to update, "
                                   "3 unchanged, 1 conflict, 0 refused\n")
        self.assertIn("record 3: uuid", p.stderr)
        # Options may also follow the file, as --help writes them.
        p = self.on(self.other, "import", path, "--update", "--dry-run")
        self.assertEqual((p.returncode, p.stdout, p.stderr),
                         (0, "dry run, nothing written: 1 to add, 1 to update, 3 unchanged, "
                             "0 conflicts, 0 refused\n", ""))
        self.assertEqual(self.db_bytes(self.other), before)
        self.assertFalse(os.path.exists(self.other + "-wal"))
        # Into an empty database as well.
        empty = os.path.join(self.tmp, "empty.db")
        self.on(empty, "config", "set", "minimum_age", "18")  # creates it
        before = self.db_bytes(empty)
        p = self.on(empty, "import", "--dry-run", self.path)
        self.assertEqual((p.returncode, p.stdout), (0, "dry run, nothing written: 4 to add, "
                                                       "0 to update, 0 unchanged, 0 conflicts, "
                                                       "0 refused\n"), p.stderr)
        self.assertEqual(self.db_bytes(empty), before)


class RecordKeeping(ImportTest):
    """Versions, flags, acknowledgements: kept, checked, conflicting."""

    def test_release_0_1_0_export_is_questionnaire_2026_1(self):
        p = self.on(self.other, "import", RELEASE_2026_1)
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "2 added, 0 unchanged\n", ""))
        exported = self.on(self.other, "export").stdout
        records = json.loads(exported)
        with open(RELEASE_2026_1) as f:
            old = json.load(f)
        for r, o in zip(records, old):
            self.assertEqual((r["questionnaire_version"], r["advice_version"]),
                             ("2026.1", "2026.1"))
            self.assertEqual((r["advice_sheet"], r["flags"], r["acknowledgement"], r["ready"]),
                             (1, [], None, False))
            self.assertEqual({k: r[k] for k in o}, o)  # the rest as it was
        self.assertEqual(self.sql_on(self.other, "SELECT questionnaire_version, advice_version "
                                                 "FROM intake ORDER BY id"),
                         [("2026.1", "2026.1")] * 2)
        # Shown with the labels of 2026.1.
        show = self.on(self.other, "show", "1").stdout
        self.assertIn("Other medical treatment", show)
        self.assertNotIn("Other hair-growth medicine", show)
        # Exported again (format 2) and imported elsewhere: the same bytes.
        third = os.path.join(self.tmp, "third.db")
        p = self.on(third, "import", self.write("again.json", exported))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.on(third, "export").stdout, exported)

    def sql_on(self, db, query):
        con = sqlite3.connect(db)
        try:
            return con.execute(query).fetchall()
        finally:
            con.close()

    def test_stored_as_in_the_file(self):
        self.fill_source()
        p = self.on(self.other, "import", self.write("in.json", SOURCE["export"]))
        self.assertEqual(p.returncode, 0, p.stderr)
        # The tables, read without the program, as the source's.
        query = ("SELECT i.uuid, i.questionnaire_version, i.advice_version, "
                 "i.acknowledged_sheet, a.typed_name, a.at, a.staff, f.flag_id, f.reason, "
                 "f.at, f.staff, (SELECT group_concat(DISTINCT sheet) FROM advice_sheet "
                 "WHERE intake_id = i.id) FROM intake i LEFT JOIN acknowledgement a ON "
                 "a.intake_id = i.id AND a.sheet = i.acknowledged_sheet LEFT JOIN "
                 "flag_clearance f ON f.intake_id = i.id ORDER BY i.id")
        source, target = self.sql_on(self.db, query), self.sql_on(self.other, query)
        # The target holds the latest sheet under its number, and Ana's
        # acknowledged sheet 1 (before the GP's sign-off) under its own.
        self.assertEqual([set(r[-1].split(",")) for r in target],
                         [{"1", "2"}, {"1"}, {"1"}, {"1"}])
        self.assertEqual([r[:-1] for r in target], [r[:-1] for r in source])
        self.assertEqual(target[0][3:9], (1, "Ana Silva", target[0][5], "Dana Staff",
                                          "flag-allergy", 'Nitrile "gloves" only'))

    def test_bad_record_keeping_is_refused(self):
        records = json.loads(self.fill_source())

        def changed(n, change):
            rs = copy.deepcopy(records)
            change(rs[n])
            return array_of(rs)

        cases = [
            (changed(0, lambda r: r.update(questionnaire_version="2027.1")),
             "record 1: questionnaire_version: not a version this program knows (2026.1, "
             "2026.2, 2026.3, 2026.4)"),
            # The first answer 2026.1 did not ask is now the assessment's (2026.4).
            (changed(2, lambda r: r.update(questionnaire_version="2026.1")),
             "record 3: answers.hair_loss_scale: not a question of questionnaire 2026.1"),
            (changed(2, lambda r: r.update(questionnaire_version="2026.3")),
             "record 3: answers.hair_loss_scale: not a question of questionnaire 2026.3"),
            (changed(2, lambda r: [r.update(questionnaire_version="2026.1")] +
                     [r["answers"].pop(k) for k in ("hair_loss_scale", "treatment_type",
                                                    "consent_photos", "consent_marketing")]),
             "record 3: answers.scalp_conditions: not a question of questionnaire 2026.1"),
            (changed(1, lambda r: r.pop("advice_version")), "record 2: advice_version: missing"),
            (changed(1, lambda r: r.update(ready=True)),
             "record 2: ready: must be false, as the answers, flags and acknowledgement give"),
            (changed(1, lambda r: r.update(flags=[])),
             "record 2: flags: flag-scalp-condition is missing (the answers raise it)"),
            (changed(0, lambda r: r["flags"][0].update(cleared_at="soon")),
             "record 1: flags[0].cleared_at: must be a UTC time"),
            (changed(0, lambda r: r["acknowledgement"].update(sheet=3)),
             "record 1: acknowledgement.sheet: after advice_sheet"),
            (changed(1, lambda r: r["answers"].update(scalp_conditions="psoriasis,eczema")),
             "record 2: answers.scalp_conditions: must be an array of its choices"),
        ]
        empty = os.path.join(self.tmp, "empty.db")
        self.on(empty, "config", "set", "minimum_age", "18")  # creates it
        for data, line in cases:
            with self.subTest(line=line):
                path = self.write("bad.json", data)
                before = self.db_bytes(empty)
                p = self.on(empty, "import", path)
                self.assert_refused(p, "smp-intake: %s: %s" % (path, line))
                self.assertEqual(self.db_bytes(empty), before)

    def test_update_of_flags_and_acknowledgement(self):
        records = json.loads(self.fill_source())
        p = self.on(self.other, "import", self.write("in.json", array_of(records)))
        self.assertEqual(p.returncode, 0, p.stderr)
        # Elsewhere the artist cleared Chloé's flag: a conflict of record
        # keeping alone, which --update takes over.
        rs = copy.deepcopy(records)
        rs[1]["flags"][0].update(status="cleared", reason="Calm today", cleared_by="Kim",
                                 cleared_at=rs[1]["taken_at"])
        rs[1]["ready"] = True
        path = self.write("cleared.json", array_of(rs))
        p = self.on(self.other, "import", path)
        self.assert_refused(p, "smp-intake: %s: record 2: uuid %s: intake 2 is stored with other "
                               "record keeping (versions, acknowledgement or flag clearances)"
                            % (path, rs[1]["uuid"]))
        p = self.on(self.other, "import", "--update", path)
        self.assertEqual((p.returncode, p.stdout), (0, "0 added, 1 updated, 3 unchanged\n"),
                         p.stderr)
        got = json.loads(self.on(self.other, "export").stdout)[1]
        self.assertEqual(got["flags"], rs[1]["flags"])
        self.assertTrue(got["ready"])
        self.assertEqual((got["advice_sheet"], got["acknowledgement"]["sheet"]), (2, 2))
        p = self.on(self.other, "import", path)
        self.assertEqual((p.returncode, p.stdout), (0, "0 added, 4 unchanged\n"), p.stderr)
        # Ana acknowledged sheet 1 before the GP's sign-off made sheet 2:
        # the record carries sheet 1's words, and --update adds them as a
        # sheet of their own (3), acknowledged, before the file's latest (4).
        rs = copy.deepcopy(rs)
        rs[0]["answers"]["hair_loss_notes"] = "Thinning all over"
        path = self.write("ana.json", array_of(rs))
        p = self.on(self.other, "import", "--update", path)
        self.assertEqual((p.returncode, p.stdout), (0, "0 added, 1 updated, 3 unchanged\n"),
                         p.stderr)
        got = json.loads(self.on(self.other, "export").stdout)[0]
        self.assertEqual((got["advice_sheet"], got["acknowledgement"]["sheet"]), (4, 3))
        self.assertEqual(got["acknowledgement"]["advice"], rs[0]["acknowledgement"]["advice"])
        self.assertEqual(got["advice"], rs[0]["advice"])
        p = self.on(self.other, "import", path)
        self.assertEqual((p.returncode, p.stdout), (0, "0 added, 4 unchanged\n"), p.stderr)


class Ids(ImportTest):
    def test_ids_are_kept_when_free_and_never_used(self):
        exported = json.loads(self.fill_source())
        # The other studio has Bea as client 1, intake 1, and erased client 2.
        bea = base_answers(first_name="Bea", last_name="Khan", date_of_birth="1975-05-05")
        self.on(self.other, "new", input=pipe_lines(bea))
        self.on(self.other, "new", input=pipe_lines(base_answers(first_name="Eve")))
        p = self.on(self.other, "erase", "2", "--yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        # Bea's own record again, under a new uuid: the same client 1.
        bea_record = json.loads(self.on(self.other, "export").stdout)[0]
        bea_record["uuid"] = str(uuid.uuid4())
        bea_record["id"] = 9
        path = self.write("mixed.json", array_of(exported + [bea_record]))
        p = self.on(self.other, "import", path)
        self.assertEqual((p.returncode, p.stdout), (0, "5 added, 0 unchanged\n"), p.stderr)
        got = {r["uuid"]: (r["id"], r["client"]["id"], r["client"]["first_name"])
               for r in json.loads(self.on(self.other, "export").stdout)}
        want = {
            # Intake 1 and client 1 are Bea's: a new client (3: client 2
            # was erased, never given again) and a new intake number, the
            # next after the highest ever used.
            exported[0]["uuid"]: (3, 3, "Ana"),
            # Client 2 and intake 2 were erased here: new numbers.
            exported[1]["uuid"]: (4, 4, "Chloé"),
            # Ana's second intake joins her new record; its number 3 was
            # taken a moment ago.
            exported[2]["uuid"]: (5, 3, "Ana"),
            # Client 4 is Chloé's by now.
            exported[3]["uuid"]: (6, 5, "Sam"),
            # Free and never used: 9 is kept; Bea's names and birth date
            # on client 1: the same client.
            bea_record["uuid"]: (9, 1, "Bea"),
        }
        self.assertEqual({k: got[k] for k in want}, want)
        # New intakes go on after the highest number.
        p = self.on(self.other, "new", input=pipe_lines(base_answers(first_name="Kim")))
        self.assertIn("10", self.on(self.other, "ids").stdout.split())


class BadFiles(ImportTest):
    def setUp(self):
        super().setUp()
        self.exported = self.fill_source()
        self.records = json.loads(self.exported)
        # The target holds the first record already.
        self.on(self.other, "import", self.write("first.json", array_of(self.records[:1])))

    def check_refused(self, name, data, *lines):
        path = self.write(name, data)
        before = self.db_bytes(self.other)
        p = self.on(self.other, "import", path)
        self.assert_refused(p, *["smp-intake: %s: %s" % (path, l) for l in lines])
        self.assertEqual(self.db_bytes(self.other), before)
        return p

    def test_an_invalid_record_is_named_by_position_and_field(self):
        records = copy.deepcopy(self.records)
        records[1]["client"]["first_name"] = "Chloé  "
        records[3]["answers"]["uses_rogaine"] = True
        records[3]["answers"]["rogaine_form"] = "Spray"
        p = self.check_refused(
            "bad.json", array_of(records),
            "record 2: client.first_name: spaces at the start or the end",
            "record 4: answers.rogaine_form: choose one of: foam, solution, oral, other")
        self.assertNotIn("Spray", p.stderr)
        self.assertIn("2 records refused", p.stdout)

    def test_each_bad_file_is_refused_with_one_line(self):
        text = self.exported
        deep = '[{"id": ' + "[" * 10000 + "]" * 10000 + "}]"
        utf8 = text.encode().replace("Martin".encode(), b"Mart\xe9n")
        dup = array_of(self.records[1:] + [self.records[1]])
        wrong = array_of([dict(self.records[1], id="2")])
        cases = [
            ("truncated.json", text[:text.index("Martin")],
             "record 2: the file ends inside this record (truncated?)"),
            ("cut.json", text[:-3], "after record 4: the file ends before the closing ]"),
            ("wrong-type.json", wrong, "record 1: id: must be a whole number from 1"),
            ("deep.json", deep, "record 1: nested more than 16 deep"),
            ("utf8.json", utf8, "record 2: not valid UTF-8 text"),
            ("duplicate.json", dup, "record 4: uuid: the same as record 1's"),
            ("empty.json", "", "the file is empty"),
            ("garbage.json", text + "x", "after the closing ]: more text"),
            ("object.json", '{"answers": {}}\n', "record 1: id: missing"),
            ("nul.json", text.replace("Martin", "Mar\\u0000tin"),
             "record 2: a string holds \\u0000"),
        ]
        for name, data, line in cases:
            with self.subTest(file=name):
                self.check_refused(name, data, line)

    def test_a_100_mb_line_is_not_read_into_memory(self):
        path = os.path.join(self.tmp, "long.ndjson")
        chunk = b"a" * (1 << 20)
        with open(path, "wb") as f:
            f.write(b'{"id": 1, "uuid": "')
            for _ in range(100):
                f.write(chunk)
            f.write(b'"}\n')
        before = self.db_bytes(self.other)
        # The peak memory through tests/bench/measure.c (make test builds
        # it): a process forked straight from this test runner would report
        # the runner's own memory as its peak (Linux keeps it across exec).
        measure = os.path.join(ROOT, "build", "measure")
        weigh = not WRAPPER and "ASAN_OPTIONS" not in os.environ
        if weigh:
            self.assertTrue(os.access(measure, os.X_OK), "build/measure: run make test")
        r, w = os.pipe()
        argv = ([measure, str(w)] if weigh else []) + WRAPPER + [
            BIN, "--db", self.other, "import", path]
        proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=self.env, pass_fds=(w,), timeout=TIMEOUT * 6)
        os.close(w)
        with os.fdopen(r) as f:
            report = f.read().split()
        out, err = proc.stdout.decode(), proc.stderr.decode()
        self.assertEqual(proc.returncode, 1, err)
        self.assertEqual(err, "smp-intake: %s: record 1: longer than 1024 KiB, the most one "
                              "intake may take\n" % path)
        self.assertEqual(out, "nothing imported: the file cannot be read to its end\n")
        # valgrind's and AddressSanitizer's own memory would be counted.
        if weigh:
            self.assertLess(int(report[1]), 48 * 1024, "peak memory in KiB")
        self.assertEqual(self.db_bytes(self.other), before)

    def test_missing_file_and_folder(self):
        fresh = os.path.join(self.tmp, "fresh.db")
        p = self.on(fresh, "import", os.path.join(self.tmp, "nope.json"))
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stderr, "smp-intake: cannot open '%s': No such file or directory\n"
                         % os.path.join(self.tmp, "nope.json"))
        self.assertFalse(os.path.exists(fresh), "a database was created")
        before = self.db_bytes(self.other)
        p = self.on(self.other, "import", self.tmp)
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot read the file: Is a directory", p.stderr)
        self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
        self.assertEqual(self.db_bytes(self.other), before)

    def test_usage_errors(self):
        for args in (["import"], ["import", "a", "b"], ["import", "--force", "a"]):
            with self.subTest(args=args):
                p = self.run_cmd(*args)
                self.assertEqual(p.returncode, 2, p.stderr)


class Migration(IntakeTest):
    """Schema 5 remakes the audit tables to allow 'import': an older file
    keeps every audit row, in order, and its protection."""

    def test_audit_rows_and_triggers_survive(self):
        con = sqlite3.connect(self.db)
        for n in range(1, 5):
            with open(os.path.join(ROOT, "schema", "%03d_%s.sql" % (n, {
                    1: "initial", 2: "signoff", 3: "history", 4: "search"}[n]))) as f:
                con.executescript(f.read())
        con.executescript("""
            PRAGMA user_version = 4; PRAGMA application_id = 1397575753;
            INSERT INTO client VALUES (1, 'Ana', 'Silva', '1985-07-23', NULL, NULL,
                                       '2026-01-01T10:00:00Z');
            INSERT INTO audit VALUES (1, '2026-01-01T10:00:00Z', 'Dana', 'create', 1, 1),
                                     (2, '2026-01-02T10:00:00Z', 'Sam', 'edit', 1, 1);
            INSERT INTO audit_change (audit_id, field, old_value, new_value) VALUES
                (1, 'last_name', NULL, 'Silva'), (1, 'first_name', NULL, 'Ana'),
                (2, 'phone', NULL, '07700 900123');
        """)
        con.commit()
        con.close()
        p = self.run_cmd("ids")
        self.assertEqual(p.returncode, 0, p.stderr)
        con = sqlite3.connect(self.db)
        try:
            self.assertEqual(con.execute("PRAGMA user_version").fetchone()[0],
                             len(glob.glob(os.path.join(ROOT, "schema", "[0-9][0-9][0-9]_*.sql"))))
            self.assertEqual(con.execute("SELECT audit_id, field FROM audit_change "
                                         "ORDER BY rowid").fetchall(),
                             [(1, "last_name"), (1, "first_name"), (2, "phone")])
            self.assertEqual(len(con.execute("SELECT * FROM audit").fetchall()), 2)
            for sql in ("UPDATE audit SET staff = 'x'", "DELETE FROM audit_change",
                        "INSERT INTO audit (at, staff, action) VALUES ('x', 'y', 'burn')"):
                with self.subTest(sql=sql):
                    with self.assertRaises(sqlite3.DatabaseError):
                        con.execute(sql)
            con.execute("INSERT INTO audit (at, staff, action) VALUES ('x', 'y', 'import')")
            self.assertEqual(con.execute("PRAGMA foreign_key_list(audit_change)").fetchone()[2],
                             "audit")
            self.assertEqual(con.execute("PRAGMA integrity_check").fetchall(), [("ok",)])
        finally:
            con.close()


class KilledMidImport(ImportTest):
    """SIGKILL at random moments of an import of a few hundred records:
    afterwards the file passes integrity_check and holds all of them or
    none (SMP_KILL_SEED repeats a run)."""

    RECORDS = 300

    def test_sigkill_leaves_all_or_nothing(self):
        template = json.loads(self.fill_source())[3]
        records = []
        for i in range(self.RECORDS):
            r = copy.deepcopy(template)
            r.update(id=i + 1, uuid=str(uuid.uuid4()))
            r["client"].update(id=i + 1, last_name="Lee%d" % i)
            r["acknowledgement"]["typed_name"] = "Sam Lee%d" % i  # the client's own name
            records.append(r)
        path = self.write("many.json", array_of(records))
        target = os.path.join(self.tmp, "target.db")

        def fresh():
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(target + suffix):
                    os.unlink(target + suffix)
            self.on(target, "config", "set", "minimum_age", "18")  # creates it

        fresh()
        start = time.monotonic()
        p = self.on(target, "import", path)
        whole = time.monotonic() - start
        self.assertEqual(p.stdout, "%d added, 0 unchanged\n" % self.RECORDS, p.stderr)
        seed = int(os.environ.get("SMP_KILL_SEED", time.time()))
        rnd = random.Random(seed)
        # Under valgrind each run takes seconds: fewer of them.
        for attempt in range(2 if WRAPPER else 8):
            delay = rnd.uniform(0, whole * 1.2)
            with self.subTest(seed=seed, attempt=attempt, delay=round(delay, 4)):
                fresh()
                child = subprocess.Popen(WRAPPER + [BIN, "--db", target, "import", path],
                                         env=self.env, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL)
                time.sleep(delay)
                child.send_signal(signal.SIGKILL)
                child.wait(timeout=TIMEOUT)
                con = sqlite3.connect(target)
                try:
                    self.assertEqual(con.execute("PRAGMA integrity_check").fetchall(),
                                     [("ok",)], "seed %d" % seed)
                    counts = [con.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
                              for t in ("intake", "client", "audit")]
                finally:
                    con.close()
                self.assertIn(counts, ([0, 0, 0], [self.RECORDS] * 3), "seed %d" % seed)
