"""`session list --format text|tsv|json`, as list and find have it: tsv a
header row and one row a session, every cell made safe (a tab a space, a
line break the two characters \\n, a bidi control \\uXXXX); json one array
of the export's session objects (format 3, docs/export.md) with id,
intake_id and client_id first.  The exact output for a known database
through a pipe and at a terminal, the filters, no sessions, bad formats,
and one access-log row a listing in every format."""
import json
import os

import pexpect

from harness import base_answers
from ptyutil import strip_ansi
from test_session import SessionTest, session

HEADER = ("id intake_id client_id uuid number performed_on artist areas pigment_brand shade "
          "lot lot_expiry needle dilution notes patch_test reaction reaction_note reaction_at "
          "rescreen intake_revision id_checked countersigned client_ack aftercare_version "
          "override_reason recorded_at staff").split()


class Formats(SessionTest):
    def setUp(self):
        super().setUp()
        self.new_intake(base_answers())                                    # 1: Ana Silva
        self.new_intake(base_answers(first_name="Bo", last_name="Jones"))  # 2
        p = self.new_session("1", areas=["mid_scalp", "crown"], lot="\u202eA-1",
                             notes="first\tpass\nthen a second", patch_test=True,
                             shade=None, pigment_brand=None, needle=None, dilution=None,
                             lot_expiry="2099-06")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.run_cmd("session", "result", "1", "--reaction", "mild", "--note",
                         "slight redness")
        self.assertEqual(p.returncode, 0, p.stderr)
        path = os.path.join(self.tmp, "aftercare.txt")
        with open(path, "w") as f:
            f.write("Keep the scalp dry.\n")
        self.assertEqual(self.run_cmd("config", "set", "aftercare_text", path).returncode, 0)
        p = self.new_session("2", client_ack=None, notes=None, areas=["hairline"],
                             lot="B-2", lot_expiry="2099-12-31")
        self.assertEqual(p.returncode, 0, p.stderr)
        # What the database made itself: uuids and times.
        self.made = {r[0]: r[1:] for r in self.sql(
            "SELECT id, uuid, recorded_at, reaction_at, performed_on FROM session")}

    def rows(self):
        """The two sessions as the export's session objects, plus the ids."""
        (u1, at1, react1, on1), (u2, at2, _, on2) = self.made[1], self.made[2]
        return [
            {"id": 1, "intake_id": 1, "client_id": 1, "uuid": u1, "number": 1,
             "performed_on": on1, "artist": "Kim Lee", "areas": ["mid_scalp", "crown"],
             "pigment_brand": None, "shade": None, "lot": "\u202eA-1", "lot_expiry": "2099-06",
             "needle": None, "dilution": None, "notes": "first\tpass\nthen a second",
             "patch_test": True, "reaction": "mild", "reaction_note": "slight redness",
             "reaction_at": react1, "rescreen": "unchanged", "intake_revision": 1,
             "id_checked": "passport", "countersigned": "Kim Lee", "client_ack": "Ana Silva",
             "aftercare_version": None, "override_reason": None, "recorded_at": at1,
             "staff": "Dana Staff"},
            {"id": 2, "intake_id": 2, "client_id": 2, "uuid": u2, "number": 1,
             "performed_on": on2, "artist": "Kim Lee", "areas": ["hairline"],
             "pigment_brand": "Acme", "shade": "Dark 2", "lot": "B-2",
             "lot_expiry": "2099-12-31", "needle": "RL3", "dilution": "30%", "notes": None,
             "patch_test": False, "reaction": None, "reaction_note": None,
             "reaction_at": None, "rescreen": "unchanged", "intake_revision": 1,
             "id_checked": "passport", "countersigned": "Kim Lee", "client_ack": None,
             "aftercare_version": 1, "override_reason": None, "recorded_at": at2,
             "staff": "Dana Staff"},
        ]

    def tsv(self, rows):
        def cell(v):
            if v is None:
                return ""
            if isinstance(v, bool):
                return "yes" if v else "no"
            if isinstance(v, list):
                return ",".join(v)
            return (str(v).replace("\t", " ").replace("\n", "\\n")
                    .replace("\u202e", "\\u202e"))
        return "".join("\t".join(cell(r[k]) for k in HEADER) + "\n"
                       for r in [dict(zip(HEADER, HEADER))] + rows) if rows else ""

    def logged(self):
        return self.sql("SELECT command, clients FROM access_log WHERE command = 'session' "
                        "ORDER BY id")

    def test_the_export_s_keys_as_they_are(self):
        """The keys of json are the export's session object's, in its order."""
        p = self.run_cmd("export")
        exported = json.loads(p.stdout)[0]["sessions"][0]
        p = self.run_cmd("session", "list", "--format", "json")
        listed = json.loads(p.stdout)[0]
        self.assertEqual(list(listed), ["id", "intake_id", "client_id"] + list(exported))
        self.assertEqual({k: v for k, v in listed.items()
                          if k not in ("id", "intake_id", "client_id")}, exported)
        self.assertEqual(HEADER, list(listed))

    def test_tsv_through_a_pipe(self):
        before = len(self.logged())
        p = self.run_cmd("session", "list", "--format", "tsv")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        self.assertEqual(p.stdout, self.tsv(self.rows()))
        for line in p.stdout.splitlines():
            self.assertEqual(line.count("\t"), len(HEADER) - 1, line)
        self.assertEqual(self.logged()[before:], [("session", "1-2")])

    def test_json_through_a_pipe(self):
        before = len(self.logged())
        p = self.run_cmd("session", "list", "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = self.rows()
        # One object a line, values whole (as list --format json).
        self.assertEqual(p.stdout, "[\n" + ",\n".join(
            json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in rows) + "\n]\n")
        self.assertEqual(json.loads(p.stdout), rows)
        self.assertEqual(self.logged()[before:], [("session", "1-2")])

    def test_filters_and_none_found(self):
        rows = self.rows()
        p = self.run_cmd("session", "list", "--client", "2", "--format", "tsv")
        self.assertEqual(p.stdout, self.tsv(rows[1:]))
        p = self.run_cmd("session", "list", "--intake", "1", "--format", "json")
        self.assertEqual(json.loads(p.stdout), rows[:1])
        self.assertEqual(self.logged()[-2:], [("session", "2"), ("session", "1")])
        before = len(self.logged())
        for fmt, out in (("tsv", ""), ("json", "[]\n"), ("text", "No session found.\n")):
            with self.subTest(fmt):
                p = self.run_cmd("session", "list", "--client", "9", "--format", fmt)
                self.assertEqual((p.returncode, p.stdout, p.stderr), (0, out, ""))
        self.assertEqual(len(self.logged()), before, "nothing shown, nothing logged")

    def test_text_is_the_table(self):
        table = self.run_cmd("session", "list").stdout
        self.assertEqual(self.run_cmd("session", "list", "--format", "text").stdout, table)
        self.assertTrue(table.startswith("id    date"), table)

    def test_bad_format_and_format_elsewhere_refused(self):
        before = self.snapshot()
        for argv, words in ((["list", "--format", "csv"],
                             "session list: --format: text, tsv or json"),
                            (["new", "1", "--format", "json"],
                             "session new does not take --format"),
                            (["result", "1", "--reaction", "none", "--format", "tsv"],
                             "session result does not take --format")):
            with self.subTest(argv=argv):
                p = self.run_cmd("session", *argv)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertEqual(p.stdout, "")
                self.assertEqual(p.stderr, "smp-intake: " + words + "\n")
        self.assertEqual(self.snapshot(), before)

    def test_at_a_terminal(self):
        rows = self.rows()
        before = len(self.logged())
        # tsv: the same whole rows (made safe) as through a pipe.
        child = self.spawn("session", "list", "--format", "tsv", columns=80)
        child.expect(pexpect.EOF)
        child.close()
        self.assertEqual(child.exitstatus, 0)
        self.assertEqual(strip_ansi(child.before).replace("\r\n", "\n"), self.tsv(rows))
        # json: escaped for the terminal (the bidi control written \\u202e),
        # still the same JSON.
        child = self.spawn("session", "list", "--format", "json", columns=80)
        child.expect(pexpect.EOF)
        child.close()
        self.assertEqual(child.exitstatus, 0)
        out = strip_ansi(child.before).replace("\r\n", "\n")
        self.assertNotIn("\u202e", out)
        self.assertIn('"lot":"\\u202eA-1"', out)
        self.assertEqual(json.loads(out), rows)
        self.assertEqual(self.logged()[before:], [("session", "1-2")] * 2)
