"""An acknowledgement of an earlier sheet than the latest (issue 14): the
client acknowledged sheet 1, then a GP sign-off made sheet 2 and kept the
acknowledgement.  The export carries sheet 1's words in the
acknowledgement ("advice"); import stores them as that sheet, so that the
acknowledgement points at a real sheet with the words the client read,
after checking them against what the record's answers give with the GP
part as it could have been before the sign-off.  A forged earlier sheet
is refused, one line naming the record and the field, nothing written.
(--update with such a record: test_import.py, test_update_of_flags_and_
acknowledgement.)"""
import copy
import json
import os
import sqlite3
import subprocess

from harness import BIN, TIMEOUT, IntakeTest, base_answers, pipe_lines, validate_export

SOURCE = {}  # the source database and its export, made once


class AckSheetTest(IntakeTest):
    def on(self, db, *args, input=None):
        return self.run_cmd("--db", db, *args, input=input)

    def plain(self, *args, input=""):
        """Runs the binary without the wrapper (a fixture); asserts success."""
        p = subprocess.run([BIN, *args], input=input.encode(), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=self.env, timeout=TIMEOUT)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout.decode()

    def write(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(data)
        return path

    def source(self):
        """Ana on minoxidil and finasteride, GP's answer pending (sheet 1
        holds gp-signoff), acknowledged; then the GP declined (sheet 2
        holds gp-declined).  Returns the JSON export."""
        if SOURCE:
            with open(self.db, "wb") as f:
                f.write(SOURCE["db"])
            os.chmod(self.db, 0o600)
            return SOURCE["json"]
        self.plain("new", input=pipe_lines(base_answers(
            uses_rogaine="yes", rogaine_form="foam", rogaine_since="2024-03",
            uses_propecia="yes", propecia_form="tablet",
            gp_discussed="yes", gp_signoff="pending")))
        self.plain("signoff", "1", "--status", "declined")
        SOURCE["json"] = self.plain("export")
        with open(self.db, "rb") as f:
            SOURCE["db"] = f.read()
        return self.source()

    def sheets(self, db):
        con = sqlite3.connect(db)
        try:
            return (con.execute("SELECT sheet, group_concat(advice_id) FROM (SELECT * FROM "
                                "advice_sheet ORDER BY sheet, position) GROUP BY sheet").fetchall(),
                    con.execute("SELECT acknowledged_sheet FROM intake").fetchall())
        finally:
            con.close()

    def test_export_carries_the_acknowledged_sheet_and_import_stores_it(self):
        exported = self.source()
        record = json.loads(exported)[0]
        validate_export(json.loads(exported))
        ack = record["acknowledgement"]
        self.assertEqual((record["advice_sheet"], ack["sheet"]), (2, 1))
        self.assertIn("gp-signoff", [a["id"] for a in ack["advice"]])
        self.assertIn("gp-declined", [a["id"] for a in record["advice"]])
        client = json.loads(self.plain("export", "--client", "1"))
        self.assertEqual(client["intakes"][0]["acknowledgement"]["advice"], ack["advice"])
        ndjson = self.plain("export", "--format", "ndjson")
        self.assertEqual(json.loads(ndjson.splitlines()[0]), record)
        # Into an empty database: the acknowledgement points at sheet 1,
        # which holds the words the client read.
        path = self.write("export.json", exported)
        target = os.path.join(self.tmp, "target.db")
        p = self.on(target, "import", path)
        self.assertEqual((p.returncode, p.stdout), (0, "1 added, 0 unchanged\n"), p.stderr)
        self.assertEqual(self.sheets(target), self.sheets(self.db))
        p = self.on(target, "verify")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = self.on(target, "show", "1")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, self.on(self.db, "show", "1").stdout)
        # Round trip: the same bytes; imported again, nothing to do.
        self.assertEqual(self.on(target, "export").stdout, exported)
        self.assertEqual(self.on(target, "export", "--format", "ndjson").stdout, ndjson)
        p = self.on(target, "import", path)
        self.assertEqual((p.returncode, p.stdout), (0, "0 added, 1 unchanged\n"), p.stderr)

    def test_a_forged_earlier_sheet_is_refused(self):
        record = json.loads(self.source())[0]

        def reworded(r):
            for a in r["acknowledgement"]["advice"]:
                if a["id"] == "gp-signoff":
                    a["text"] = "No need to see your GP: safe to proceed."

        def impossible(r):
            # The latest's words as the earlier sheet's: gp-declined with
            # gp_signoff pending cannot both be, nor can a sheet with no
            # GP item at all while a treatment is used.
            r["acknowledgement"]["advice"] = [a for a in r["acknowledgement"]["advice"]
                                              if a["id"] != "gp-signoff"]

        def missing(r):
            del r["acknowledgement"]["advice"]

        def unknown_rule(r):
            r["acknowledgement"]["advice"][0]["id"] = "all-fine"

        cases = [(reworded, "uuid %s: acknowledgement.advice: not a sheet advice 2026.3 gives"
                  % record["uuid"]),
                 (impossible, "uuid %s: acknowledgement.advice: not a sheet advice 2026.3 gives"
                  % record["uuid"]),
                 (missing, "acknowledgement.advice: missing (the words of sheet 1, before "
                  "advice_sheet)"),
                 (unknown_rule, "acknowledgement.advice[0].id: not an advice rule of this "
                  "program")]
        target = os.path.join(self.tmp, "target.db")
        for change, why in cases:
            with self.subTest(case=change.__name__):
                r = copy.deepcopy(record)
                change(r)
                path = self.write("forged.json", json.dumps([r]))
                p = self.on(target, "import", path)
                self.assertEqual((p.returncode, p.stdout),
                                 (1, "nothing imported: 1 record refused\n"), p.stderr)
                self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
                self.assertTrue(p.stderr.startswith("smp-intake: %s: record 1: %s"
                                                    % (path, why)), p.stderr)
                self.assertNotIn("safe to proceed", p.stderr)
                self.assertFalse(os.path.exists(target))

    def test_advice_with_an_acknowledgement_of_the_latest_sheet_is_refused(self):
        self.plain("new", input=pipe_lines(base_answers()))
        record = json.loads(self.plain("export"))[0]
        self.assertNotIn("advice", record["acknowledgement"])
        record["acknowledgement"]["advice"] = record["advice"]
        path = self.write("extra.json", json.dumps([record]))
        p = self.on(os.path.join(self.tmp, "target.db"), "import", path)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("record 1: acknowledgement.advice: only for a sheet before advice_sheet",
                      p.stderr)
