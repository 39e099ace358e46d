"""`import` on both backends (server.subset runs this module on a
PostgreSQL server too, where an import sends a record's writes and the
next record's lookups together: src/db_pg.c's pipelining).  The same
exports are imported into the server and into a new SQLite file, and each
command must print the same bytes and exit the same (harness
same_on_file); what the file prints is asserted too.  The exports come from
a studio file of their own: clients with several intakes, GP sign-offs,
flags cleared, an erased client (a gap in the ids), and then records
changed by hand: another person under a client id already used, an intake
id already used under a new uuid, a changed phone (a conflict until
--update)."""
import json
import os

from harness import IntakeTest, base_answers, iso, pipe_lines, today


class ImportBothBackends(IntakeTest):
    def source(self):
        """The source file's export (JSON, format 3), as records."""
        src = dict(self.env, SMP_INTAKE_DB=os.path.join(self.tmp, "source.db"))
        people = [
            base_answers(first_name="Ana", phone="+44 7700 900123", uses_rogaine="yes",
                         rogaine_form="foam", gp_discussed="yes", gp_signoff="pending",
                         allergies="yes", allergies_detail="Latex"),
            base_answers(first_name="Chloé", last_name="Martin", date_of_birth="1990-11-05"),
            base_answers(first_name="Ana", phone="+44 7700 900123"),
            base_answers(first_name="Zoë", last_name="Dubois", date_of_birth="1979-02-28"),
            base_answers(first_name="Sam", last_name="Lee", date_of_birth="1970-01-01"),
        ]
        for a in people:
            p = self.run_cmd("new", input=pipe_lines(a), env=src)
            self.assertEqual(p.returncode, 0, p.stderr)
        for args in (["erase", "3", "--yes"],
                     ["signoff", "1", "--status", "obtained", "--gp", "Dr Okafor", "--date",
                      iso(today())],
                     ["clear-flag", "1", "flag-allergy", "--reason", "Nitrile gloves only"]):
            p = self.run_cmd(*args, env=src)
            self.assertEqual(p.returncode, 0, p.stderr)
        p = self.run_cmd("export", env=src)
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)

    def write(self, name, records, ndjson=False):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            if ndjson:
                f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
            else:
                json.dump(records, f, ensure_ascii=False)
        return path

    def test_the_same_outcome_on_both(self):
        records = self.source()
        first = self.write("first.ndjson", records, ndjson=True)
        changed = json.loads(json.dumps(records))
        # Chloé's phone changed: a conflict until --update.
        changed[1]["client"]["phone"] = "+44 7700 900999"
        # Another person under Ana's client id, with an intake id in use.
        other = json.loads(json.dumps(records[3]))
        other["uuid"] = "0f0e0d0c-0b0a-4909-8807-060504030201"
        other["id"] = 1
        other["client"] = dict(other["client"], id=1, first_name="Óscar", last_name="Ruiz")
        other["acknowledgement"] = dict(other["acknowledgement"], typed_name="Óscar Ruiz")
        second = self.write("second.json", changed + [other])
        runs = [(["import", first], None),
                (["import", first], None),
                (["import", second], None),
                (["import", "--dry-run", "--update", second], None),
                (["import", "--update", second], None),
                (["export"], None),
                (["export", "--format", "csv"], None),
                (["list"], None),
                (["find", "ana"], None),
                (["find", "óscar"], None),
                (["show", "6"], None),
                (["erase", "2", "--yes"], None),
                (["import", first], None),
                (["list"], None)]
        out = self.same_on_file(runs)
        self.assertEqual((out[0].returncode, out[0].stdout, out[0].stderr),
                         (0, "4 added, 0 unchanged\n", ""))
        self.assertEqual((out[1].returncode, out[1].stdout), (0, "0 added, 4 unchanged\n"))
        self.assertEqual(out[2].returncode, 1, out[2].stderr)
        self.assertIn("a conflict; --update replaces it", out[2].stderr)
        self.assertEqual(out[4].returncode, 0, out[4].stderr)
        self.assertEqual(out[4].stdout, "1 added, 1 updated, 3 unchanged\n")
        exported = json.loads(out[5].stdout)
        by_uuid = {r["uuid"]: r for r in exported}
        self.assertEqual(len(exported), 5)
        self.assertEqual(by_uuid[records[1]["uuid"]]["client"]["phone"], "+44 7700 900999")
        oscar = by_uuid[other["uuid"]]
        # A new client and a new intake number: both ids were taken.
        self.assertEqual((oscar["client"]["first_name"], oscar["id"]), ("Óscar", 6))
        self.assertNotEqual(oscar["client"]["id"], 1)
        # The source's records come back as they were exported, apart from
        # the one changed by --update.
        for r in records:
            if r["uuid"] != records[1]["uuid"]:
                self.assertEqual(by_uuid[r["uuid"]], r)
        self.assertIn("Óscar", out[9].stdout)
        self.assertEqual(out[11].returncode, 0, out[11].stderr)
        # Chloé's intake was erased here: importing it again is refused.
        self.assertEqual(out[12].returncode, 1, out[12].stdout)
        self.assertIn("was erased on", out[12].stderr)
        self.assertNotIn("Chloé", out[13].stdout)
