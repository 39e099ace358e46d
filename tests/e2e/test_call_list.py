"""The receptionist's lists: the call list is per client (a client's latest
intake decides), shows the phone; `list` and `find` give whole values
through a pipe and tsv/json for scripts; at a narrow terminal `list` keeps
one line per row with its columns aligned."""
import csv
import io
import json
import re

from harness import IntakeTest, base_answers
from ptyutil import strip_ansi

PENDING = dict(uses_rogaine="yes", rogaine_form="foam", gp_discussed="yes", gp_signoff="pending")
OBTAINED = dict(uses_rogaine="yes", rogaine_form="foam", gp_discussed="yes",
                gp_signoff="obtained", gp_name="Dr Who", gp_signoff_date="2026-01-05")


class CallList(IntakeTest):
    def setUp(self):
        super().setUp()
        # Ana came back: her first intake waited for the GP, the second has
        # the sign-off.  Bo came back with no treatment at all.  Cy's
        # latest waits; so does Di's only intake.
        self.new_intake(base_answers(first_name="Ana", phone="+44 7700 900001", **PENDING))  # 1
        self.new_intake(base_answers(first_name="Bo", phone="+44 7700 900002", **PENDING))   # 2
        self.new_intake(base_answers(first_name="Cy", phone="+44 7700 900003"))             # 3
        self.new_intake(base_answers(first_name="Ana", phone="+44 7700 900001", **OBTAINED)) # 4
        self.new_intake(base_answers(first_name="Bo", phone="+44 7700 900002"))             # 5
        self.new_intake(base_answers(first_name="Cy", phone="+44 7700 900123", **PENDING))   # 6
        self.new_intake(base_answers(first_name="Di", last_name="Long", **PENDING))          # 7
        self.assertEqual(len({r[0] for r in self.sql("SELECT client_id FROM intake")}), 4)

    def call_list(self, *args):
        p = self.run_cmd("list", "--pending-signoff", *args)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout.splitlines()

    def test_only_clients_whose_latest_intake_waits_once_with_phone(self):
        lines = self.call_list()
        self.assertEqual(lines[0].split()[:5], ["intake", "taken", "treatments", "flags", "phone"])
        rows = [l.split() for l in lines[1:]]
        self.assertEqual([r[0] for r in rows], ["7", "6"])
        self.assertIn("+44 7700 900123", lines[2])
        self.assertTrue(lines[2].rstrip().endswith("Cy Silva"), lines[2])
        self.assertTrue(lines[1].rstrip().endswith("Di Long"), lines[1])
        # a sign-off settles Cy
        p = self.run_cmd("signoff", "6", "--status", "obtained", "--gp", "Dr X",
                         "--date", "2026-01-05")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([l.split()[0] for l in self.call_list()[1:]], ["7"])
        # (one test, not three: under valgrind each intake saved costs seconds)
        # The dates do not bring back a settled intake: Ana's pending
        # intake is the only one of hers in January, yet her February
        # intake settled it.
        self.sql_write("UPDATE intake SET taken_at = '2026-01-10T09:00:00Z' WHERE id <= 3")
        self.sql_write("UPDATE intake SET taken_at = '2026-02-10T09:00:00Z' WHERE id > 3")
        self.assertEqual(self.call_list("--until", "2026-01-31"), ["No intake found."])
        # Latest means taken last: an intake imported with an older date
        # does not settle a newer one.
        self.sql_write("UPDATE intake SET taken_at = '2025-01-01T09:00:00Z' WHERE id = 4")
        self.assertEqual([l.split()[0] for l in self.call_list()[1:]], ["7", "1"])

    def test_export_pending_signoff_in_every_format(self):
        def export(fmt):
            p = self.run_cmd("export", "--pending-signoff", "--format", fmt)
            self.assertEqual(p.returncode, 0, p.stderr)
            return p.stdout
        self.assertEqual([r["id"] for r in json.loads(export("json"))], [6, 7])
        self.assertEqual([json.loads(l)["id"] for l in export("ndjson").splitlines()], [6, 7])
        rows = list(csv.DictReader(io.StringIO(export("csv"))))
        self.assertEqual([r["intake_id"] for r in rows], ["6", "7"])
        # FHIR: the two responses, each followed by its course (consents).
        fhir = json.loads(export("fhir"))
        self.assertEqual([e["resource"]["id"] for e in fhir.get("entry", [])
                          if e["resource"]["resourceType"] == "QuestionnaireResponse"],
                         [r["uuid"] for r in json.loads(export("json"))])

    def sql_write(self, query):
        import sqlite3
        con = sqlite3.connect(self.db)
        with con:
            con.execute(query)
        con.close()


LONG_FIRST = "Maximiliana-Theodora-Josephine"          # 30
LONG_LAST = "Vandenberghe-Ostrowska-Kowalczyk"          # 32
LONG = LONG_FIRST + " " + LONG_LAST                    # 63


class WholeValues(IntakeTest):
    def setUp(self):
        super().setUp()
        self.new_intake(base_answers(first_name=LONG_FIRST, last_name=LONG_LAST,
                                     phone="+44 7700 900123", **PENDING))
        self.new_intake(base_answers(first_name="Zoë", last_name="Dubois",
                                     uses_propecia="yes", propecia_form="tablet",
                                     uses_other_topical="yes", other_topical_products="Foam",
                                     uses_other_medical="yes", other_medical_products="Pill",
                                     gp_discussed="yes", gp_signoff="pending", **{
                                         k: v for k, v in PENDING.items()
                                         if k.startswith("uses_rogaine") or k == "rogaine_form"}))

    def test_a_pipe_gets_whole_names(self):
        self.assertGreaterEqual(len(LONG), 60)
        env = dict(self.env, COLUMNS="80")
        for args in (["list"], ["list", "--pending-signoff"], ["find", "maximiliana"]):
            with self.subTest(args=args):
                p = self.run_cmd(*args, env=env)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertIn(LONG, p.stdout)
                self.assertNotIn("\u2026", p.stdout)

    def test_tsv(self):
        p = self.run_cmd("list", "--format", "tsv")
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = list(csv.DictReader(io.StringIO(p.stdout), delimiter="\t", quoting=csv.QUOTE_NONE))
        self.assertEqual([r["intake"] for r in rows], ["2", "1"])
        self.assertEqual(rows[1]["client"], LONG)
        self.assertEqual(rows[0]["client"], "Zoë Dubois")
        self.assertEqual(rows[0]["treatments"], "minoxidil+finasteride+topical+medical")
        self.assertEqual((rows[1]["gp_signoff"], rows[1]["ready"], rows[1]["flags"]),
                         ("pending", "no", "-"))
        p = self.run_cmd("list", "--pending-signoff", "--format", "tsv")
        rows = list(csv.DictReader(io.StringIO(p.stdout), delimiter="\t", quoting=csv.QUOTE_NONE))
        self.assertEqual(rows[1]["phone"], "+44 7700 900123")
        p = self.run_cmd("find", "--format", "tsv", "dubois")
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = list(csv.DictReader(io.StringIO(p.stdout), delimiter="\t", quoting=csv.QUOTE_NONE))
        self.assertEqual([(r["client"], r["intake"], r["name"], r["born"]) for r in rows],
                         [("2", "2", "Zoë Dubois", "1985-07-23")])

    def test_tsv_fields_stay_on_their_line(self):
        import sqlite3
        con = sqlite3.connect(self.db)
        with con:
            con.execute("UPDATE client SET first_name = 'Zo\te\nX' WHERE id = 2")
        con.close()
        for args in (["list", "--format", "tsv"], ["find", "dubois", "--format=tsv"]):
            with self.subTest(args=args):
                lines = self.run_cmd(*args).stdout.splitlines()
                widths = {len(l.split("\t")) for l in lines}
                self.assertEqual(len(widths), 1, lines)
                self.assertIn("Zo e\\nX Dubois", lines[1])

    def test_json(self):
        p = self.run_cmd("list", "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = json.loads(p.stdout)
        self.assertEqual([(r["intake"], r["client_id"], r["client"]) for r in rows],
                         [(2, 2, "Zoë Dubois"), (1, 1, LONG)])
        self.assertEqual(rows[0]["treatments"], "minoxidil+finasteride+topical+medical")
        self.assertNotIn("phone", rows[0])
        rows = json.loads(self.run_cmd("list", "--pending-signoff", "--format", "json").stdout)
        self.assertEqual(rows[1]["phone"], "+44 7700 900123")
        p = self.run_cmd("find", "zoe", "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout),
                         [{"client": 2, "intake": 2, "taken": rows[0]["taken"],
                           "born": "1985-07-23", "name": "Zoë Dubois"}])
        self.assertEqual(json.loads(self.run_cmd("list", "--ready", "--format", "json").stdout),
                         [])
        p = self.run_cmd("find", "nobody", "--format", "json")
        self.assertEqual((p.returncode, json.loads(p.stdout)), (1, []))

class BadFormat(IntakeTest):
    def test_bad_format(self):
        for args in (["list", "--format", "csv"], ["list", "--format"], ["find", "--format", "x", "a"],
                     ["find", "ana", "--format"]):
            with self.subTest(args=args):
                p = self.run_cmd(*args)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertTrue(p.stderr.startswith("smp-intake: "), p.stderr)
                self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)


HEADS = ["intake", "taken", "treatments", "GP sign-off", "flags", "ready", "phone", "client"]


class NarrowTerminal(IntakeTest):
    def setUp(self):
        super().setUp()
        every = dict(uses_rogaine="yes", rogaine_form="foam", uses_propecia="yes",
                     propecia_form="tablet", uses_other_topical="yes",
                     other_topical_products="Foam", uses_other_medical="yes",
                     other_medical_products="Pill", gp_discussed="yes", gp_signoff="pending")
        self.new_intake(base_answers(first_name="Ana", phone="+44 7700 900001", **every))
        self.new_intake(base_answers(first_name=LONG_FIRST, last_name=LONG_LAST,
                                     keloid_history="yes", phone="+44 7700 900002", **PENDING))
        self.new_intake(base_answers(first_name="Cy"))

    def run_list(self, columns, *args):
        import pexpect
        child = self.spawn("list", *args, columns=columns)
        chunks = []
        while True:
            try:
                chunks.append(child.read_nonblocking(4096, timeout=10))
            except pexpect.EOF:
                break
        child.close()
        self.assertEqual(child.exitstatus, 0)
        text = strip_ansi("".join(chunks))
        return [l for l in text.replace("\r", "").split("\n") if l]

    def check_aligned(self, lines, columns, rows):
        self.assertEqual(len(lines), rows + 1, lines)
        for line in lines:
            self.assertLessEqual(len(line), columns, line)
        head = lines[0]
        starts = [head.index(h) for h in HEADS if h in head]
        self.assertEqual(starts, sorted(starts))
        for line in lines[1:]:
            for s in starts:
                self.assertNotEqual(line[s:s + 1], " ", (s, line, head))
                if s:
                    self.assertEqual(line[s - 1], " ", (s, line, head))
        return head

    def test_one_line_per_row_at_50_and_80_columns(self):
        for columns in (50, 80):
            for args in ([], ["--pending-signoff"]):
                with self.subTest(columns=columns, args=args):
                    lines = self.run_list(columns, *args)
                    head = self.check_aligned(lines, columns, 3 if not args else 2)
                    self.assertTrue(head.rstrip().endswith("client"), head)
                    if columns == 80 and not args:
                        self.assertIn("treatments", head)
                        self.assertIn("min+fin+top+med", "\n".join(lines))
                    if columns == 50:
                        self.assertNotIn("taken", head)
                        self.assertNotIn("treatments", head)
                    if args:
                        self.assertIn("phone", head)
                        self.assertIn("+44 7700 900002", "\n".join(lines))
                    # the long name is cut at a terminal, nowhere else
                    self.assertIn("\u2026", "\n".join(lines))
