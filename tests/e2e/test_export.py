"""`smp-intake export` checked field by field against what was entered,
its output file (private, atomic, never clobbering, never following a
symlink), `export --client ID` (everything stored about one person), and
show/advice: unknown ids and stored terminal escapes."""
import datetime
import json
import os
import re
import resource
import signal
import sqlite3
import stat
import subprocess

from harness import BIN, WRAPPER, TIMEOUT, base_answers, pipe_lines, today, validate_export
from test_pipe_intake import PipeTest

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def leftovers(folder):
    return [n for n in os.listdir(folder) if n.startswith(".smp-intake-")]


class ExportFields(PipeTest):
    def test_empty_database_exports_empty_array(self):
        # an empty studio's database (export on a missing one is refused)
        self.assertEqual(self.run_cmd("config", "set", "minimum_age", "18").returncode, 0)
        p = self.run_cmd("export")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout), [])

    def test_full_intake_field_by_field(self):
        d = lambda n: (today() + datetime.timedelta(days=n)).isoformat()
        a = base_answers(
            first_name="Zoë", last_name="山田-O'Neil", date_of_birth="1979-02-28",
            phone="+44 (0)20 7946-0958", email="zoe.y@example.co.uk",
            hair_loss_notes="crown \u2014 3 yrs\\", uses_rogaine="yes", rogaine_form="sol",
            rogaine_since=d(-400), uses_propecia="yes", propecia_form="topical",
            uses_other_topical="yes", other_topical_products="Nizoral 2%",
            uses_other_medical="yes", other_medical_products="spironolactone",
            gp_discussed="yes", gp_signoff="obtained", gp_name="Dr Ngozi Okafor",
            gp_signoff_date=d(-3), wants_root_cause_help="yes", planned_session_date=d(30))
        # The notes end in a backslash: the next line continues them.
        lines = pipe_lines(a).replace("3 yrs\\\n", "3 yrs\\\ntemples\n")
        before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        p = self.run_cmd("--staff", "Kim Ødegård", "new", input=lines)
        self.assertEqual(p.returncode, 0, p.stderr)
        [rec] = self.export()
        self.assertEqual(set(rec), {"id", "uuid", "taken_at", "staff", "questionnaire_version",
                                    "advice_version", "client", "answers", "advice_sheet",
                                    "advice", "gp_signoff", "flags", "acknowledgement",
                                    "ready", "sessions", "photos", "consents"})
        # Format 3: the course, empty for an intake with none yet, but the
        # consents its assessment gave.
        self.assertEqual((rec["sessions"], rec["photos"]), ([], []))
        self.assertEqual([(c["kind"], c["value"], c["at_intake"]) for c in rec["consents"]],
                         [(k, a[q], True) for k, q in (("photos", "consent_photos"),
                                                       ("marketing", "consent_marketing"))
                          if q in a])
        self.assertEqual(list(rec)[-3:], ["sessions", "photos", "consents"])
        self.assertEqual(rec["id"], 1)
        self.assertRegex(rec["uuid"], UUID4)
        self.assertEqual(rec["uuid"], self.sql("SELECT uuid FROM intake")[0][0])
        taken = datetime.datetime.strptime(rec["taken_at"], "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.timezone.utc)
        self.assertLessEqual(before, taken)
        self.assertLessEqual(taken, datetime.datetime.now(datetime.timezone.utc))
        self.assertEqual(rec["staff"], "Kim Ødegård")
        self.assertEqual(rec["client"], {
            "id": 1, "first_name": "Zoë", "last_name": "山田-O'Neil",
            "date_of_birth": "1979-02-28", "phone": "+44 (0)20 7946-0958",
            "email": "zoe.y@example.co.uk"})
        self.assertEqual(rec["answers"], {
            "consent_storage": True, "hair_loss_notes": "crown \u2014 3 yrs\ntemples",
            "hair_loss_scale": "norwood_3", "treatment_type": "full_head",
            "consent_photos": True, "consent_marketing": False,
            "uses_rogaine": True, "rogaine_form": "solution", "rogaine_since": d(-400),
            "uses_propecia": True, "propecia_form": "topical", "uses_other_topical": True,
            "other_topical_products": "Nizoral 2%", "uses_other_medical": True,
            "other_medical_products": "spironolactone", "gp_discussed": True,
            "gp_signoff": "obtained", "gp_name": "Dr Ngozi Okafor", "gp_signoff_date": d(-3),
            "scalp_conditions": ["none"], "keloid_history": False, "blood_thinners": False,
            "allergies": False, "pregnant_or_breastfeeding": "not_applicable",
            "wants_root_cause_help": True, "planned_session_date": d(30)})
        self.assertEqual([x["id"] for x in rec["advice"]],
                         ["smp-cosmetic-only", "gp-signoff-obtained", "treatments-compatible",
                          "tell-artist", "pause-topicals", "root-cause"])
        stored = self.sql("SELECT advice_id, text FROM advice_sheet ORDER BY sheet, position")
        self.assertEqual([(x["id"], x["text"]) for x in rec["advice"]], stored)
        self.assertEqual(rec["gp_signoff"], {"status": "obtained", "gp_name": "Dr Ngozi Okafor",
                                             "date": d(-3)})

    def test_minimal_intake_field_by_field(self):
        self.new_intake(base_answers())
        [rec] = self.export()
        self.assertEqual(rec["staff"], "Dana Staff")
        self.assertEqual(rec["client"], {"id": 1, "first_name": "Ana", "last_name": "Silva",
                                         "date_of_birth": "1985-07-23", "phone": None,
                                         "email": None})
        self.assertEqual(rec["answers"], {
            "consent_storage": True, "uses_rogaine": False, "uses_propecia": False,
            "uses_other_topical": False, "uses_other_medical": False,
            "scalp_conditions": ["none"], "keloid_history": False, "blood_thinners": False,
            "allergies": False, "pregnant_or_breastfeeding": "not_applicable",
            "wants_root_cause_help": False, "hair_loss_scale": "norwood_3",
            "treatment_type": "full_head", "consent_photos": True, "consent_marketing": False})
        self.assertEqual(rec["gp_signoff"], {"status": "not_required", "gp_name": None,
                                             "date": None})

    def test_one_object_per_intake_in_order(self):
        for name in ("Ana", "Bea", "Ana"):
            self.new_intake(base_answers(first_name=name))
        data = self.export()
        self.assertEqual([(r["id"], r["client"]["id"], r["client"]["first_name"]) for r in data],
                         [(1, 1, "Ana"), (2, 2, "Bea"), (3, 1, "Ana")])
        self.assertEqual(len({r["uuid"] for r in data}), 3)


class ExportFile(PipeTest):
    def setUp(self):
        super().setUp()
        self.new_intake(base_answers())
        self.out = os.path.join(self.tmp, "out.json")

    def test_writes_private_file_equal_to_stdout(self):
        p = subprocess.run(["sh", "-c", 'umask 000; exec "$@"', "sh", *WRAPPER, BIN, "export",
                            "-o", self.out], env=self.env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT * 3)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, b"")
        self.assertIn(b"exported 1 intake to", p.stderr)
        self.assertEqual(stat.S_IMODE(os.stat(self.out).st_mode), 0o600)
        with open(self.out) as f:
            data = json.load(f)
        validate_export(data)
        self.assertEqual(data, self.export())
        self.assertEqual(leftovers(self.tmp), [])

    def test_dash_is_stdout(self):
        p = self.run_cmd("export", "-o", "-")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(json.loads(p.stdout)), 1)

    def test_refuses_to_overwrite_without_force(self):
        with open(self.out, "w") as f:
            f.write("precious")
        p = self.run_cmd("export", "-o", self.out)
        self.assert_one_line_error(p)
        self.assertIn("--force", p.stderr)
        with open(self.out) as f:
            self.assertEqual(f.read(), "precious")
        p = self.run_cmd("export", "--output", self.out, "--force")
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(self.out) as f:
            self.assertEqual(len(json.load(f)), 1)
        self.assertEqual(stat.S_IMODE(os.stat(self.out).st_mode), 0o600)
        self.assertEqual(leftovers(self.tmp), [])

    def test_symlink_is_never_followed(self):
        target = os.path.join(self.tmp, "target.txt")
        with open(target, "w") as f:
            f.write("target content")
        os.symlink(target, self.out)
        p = self.run_cmd("export", "-o", self.out)
        self.assert_one_line_error(p)
        self.assertTrue(os.path.islink(self.out))
        with open(target) as f:
            self.assertEqual(f.read(), "target content")
        p = self.run_cmd("export", "-o", self.out, "--force")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertFalse(os.path.islink(self.out))
        with open(target) as f:
            self.assertEqual(f.read(), "target content")
        with open(self.out) as f:
            self.assertEqual(len(json.load(f)), 1)

    def test_dangling_symlink_is_not_followed(self):
        target = os.path.join(self.tmp, "created-through-link.json")
        os.symlink(target, self.out)
        p = self.run_cmd("export", "-o", self.out)
        self.assert_one_line_error(p)
        self.assertFalse(os.path.exists(target))

    def test_unwritable_folder(self):
        folder = os.path.join(self.tmp, "locked")
        os.mkdir(folder)
        out = os.path.join(folder, "x.json")
        if os.geteuid() == 0:
            # root ignores modes: run the export as nobody on a copy it owns.
            os.chmod(self.tmp, 0o755)
            os.chmod(folder, 0o755)
            mine = os.path.join(self.tmp, "nobody")
            os.mkdir(mine)
            with open(self.db, "rb") as f, open(os.path.join(mine, "n.db"), "wb") as g:
                g.write(f.read())
            for pth in (mine, os.path.join(mine, "n.db")):
                os.chown(pth, 65534, 65534)
            env = dict(self.env, SMP_INTAKE_DB=os.path.join(mine, "n.db"), HOME=mine)

            def drop():
                os.setgid(65534)
                os.setuid(65534)
            p = subprocess.run(WRAPPER + [BIN, "export", "-o", out], env=env, preexec_fn=drop,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=TIMEOUT * 3)
            p.stderr = p.stderr.decode()
            p.stdout = p.stdout.decode()
        else:
            os.chmod(folder, 0o500)
            self.addCleanup(os.chmod, folder, 0o700)
            p = self.run_cmd("export", "-o", out)
        self.assert_one_line_error(p)
        self.assertIn(out, p.stderr)
        self.assertEqual(os.listdir(folder), [])

    def test_failed_write_leaves_no_partial_file(self):
        # Enough intakes for an export larger than the file-size limit.
        con = sqlite3.connect(self.db)
        with con:
            for i in range(2, 200):
                con.execute("INSERT INTO intake (id, uuid, client_id, taken_at, staff) "
                            "SELECT ?, lower(hex(randomblob(16))), client_id, taken_at, staff "
                            "FROM intake WHERE id = 1", (i,))
                con.execute("INSERT INTO advice_sheet SELECT ?, sheet, position, advice_id, text "
                            "FROM advice_sheet WHERE intake_id = 1", (i,))
        con.close()
        full = self.run_cmd("export")
        self.assertGreater(len(full.stdout), 100000)

        def limit():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))
        p = subprocess.run(WRAPPER + [BIN, "export", "-o", self.out], env=self.env,
                           preexec_fn=limit, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=TIMEOUT * 3)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn(b"cannot write", p.stderr)
        self.assertFalse(os.path.exists(self.out))
        self.assertEqual(leftovers(self.tmp), [])

    def test_usage_errors(self):
        for argv in (["export", "extra"], ["export", "--forse"], ["export", "-o"]):
            p = self.run_cmd(*argv)
            self.assertEqual(p.returncode, 2, argv)


class ShowAndAdvice(PipeTest):
    def test_unknown_id_exits_1_and_non_number_exits_2(self):
        self.new_intake(base_answers())
        for cmd in ("show", "advice"):
            with self.subTest(cmd=cmd):
                self.assertEqual(self.run_cmd(cmd, "1").returncode, 0)
                p = self.run_cmd(cmd, "2")
                self.assert_one_line_error(p, 1)
                self.assertEqual(p.stdout, "")
                p = self.run_cmd(cmd, "999999999999")
                self.assertEqual(p.returncode, 1)
                for bad in ("abc", "1x", "0", "-1", "1.5", "", " 1", "99999999999999999999999"):
                    p = self.run_cmd(cmd, bad)
                    self.assertEqual(p.returncode, 2, (bad, p.stderr))
                    self.assertEqual(p.stdout, "")

    def test_show_prints_the_whole_intake(self):
        self.new_intake(base_answers(phone="0207 946 0958", uses_propecia="yes",
                                     gp_discussed="yes", gp_signoff="declined"))
        p = self.run_cmd("show", "1")
        self.assertEqual(p.returncode, 0, p.stderr)
        uuid = self.sql("SELECT uuid FROM intake")[0][0]
        for part in ("Intake 1", uuid, "Dana Staff", "Ana", "Silva", "1985-07-23",
                     "0207 946 0958", "GP sign-off: declined", "[gp-declined]",
                     "ARTIST WARNING: do not start: GP sign-off declined"):
            self.assertIn(part, p.stdout)

    def test_stored_escapes_never_reach_the_terminal_raw(self):
        notes = "crown \x1b]0;pwned\x07 and \x1b[2J gone"
        self.new_intake(base_answers(hair_loss_notes=notes))
        self.assertEqual(self.stored("hair_loss_notes"), notes)
        # Text stored by another route (an older release, a restore) is
        # just as untrusted: names and advice text with escapes.
        con = sqlite3.connect(self.db)
        with con:
            con.execute("UPDATE client SET first_name = 'Ana\x1b[31m', "
                        "last_name = 'Sil\x9bva\u202e'")
            con.execute("UPDATE advice_sheet SET text = text || ' \x1b]8;;http://x\x07link' "
                        "WHERE position = 1")
            con.execute("UPDATE intake SET staff = 'Dana\x1b[5m'")
        con.close()
        for cmd in ("show", "advice"):
            with self.subTest(cmd=cmd):
                p = subprocess.run(WRAPPER + [BIN, cmd, "1"], env=self.env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   timeout=TIMEOUT * 3)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertNotIn(b"\x1b", p.stdout)
                self.assertNotIn(b"\x07", p.stdout)
                self.assertNotIn(b"\xc2\x9b", p.stdout)
                self.assertNotIn("\u202e".encode(), p.stdout)
                self.assertIn(b"\\x1b", p.stdout)
                self.assertIn(b"Ana\\x1b[31m", p.stdout)
                if cmd == "show":
                    self.assertIn(b"\\x1b]0;pwned\\x07", p.stdout)
                    self.assertIn(b"\\x1b[2J", p.stdout)
        [rec] = self.export()
        self.assertEqual(rec["answers"]["hair_loss_notes"], notes)
        self.assertEqual(rec["client"]["first_name"], "Ana\x1b[31m")
        self.assertTrue(rec["advice"][0]["text"].endswith(" \x1b]8;;http://x\x07link"))


class ExportClient(PipeTest):
    """`export --client ID`: a subject access request."""

    def setUp(self):
        super().setUp()
        self.ana = base_answers(phone="+44 7700 900123", email="ana@example.com",
                                hair_loss_notes="crown", uses_rogaine="yes", rogaine_form="foam",
                                gp_discussed="yes", gp_signoff="pending")
        self.new_intake(self.ana)
        self.new_intake(base_answers(first_name="Bea", last_name="Rowe",
                                     email="bea@example.com"))
        self.new_intake(self.ana)
        p = self.run_cmd("signoff", "1", "--status", "obtained", "--gp", "Dr Patel", "--date",
                         today().isoformat(), "--ref", "LTR-7")
        self.assertEqual(p.returncode, 0, p.stderr)
        con = sqlite3.connect(self.db)
        with con:
            cur = con.execute("INSERT INTO draft (intake_id, client_id, started_at, updated_at, "
                              "staff, next_question) VALUES (NULL, 1, '2026-01-01T10:00:00Z', "
                              "'2026-01-01T10:05:00Z', 'Sam', 'email')")
            con.execute("INSERT INTO draft_answer VALUES (?, 'uses_rogaine', 'no')",
                        (cur.lastrowid,))
            con.execute("INSERT INTO draft_answer VALUES (?, 'phone', NULL)", (cur.lastrowid,))
        con.close()

    def test_everything_about_the_client(self):
        data = self.export_client(1)
        self.assertEqual(set(data), {"exported_at", "client", "intakes", "drafts", "audit"})
        self.assertRegex(data["exported_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        created = self.sql("SELECT created_at FROM client WHERE id = 1")[0][0]
        self.assertEqual(data["client"], {
            "id": 1, "first_name": "Ana", "last_name": "Silva", "date_of_birth": "1985-07-23",
            "phone": "+44 7700 900123", "email": "ana@example.com", "created_at": created})
        self.assertEqual([i["id"] for i in data["intakes"]], [1, 3])
        first, second = data["intakes"]
        # the same intake as the full export gives it, and more
        full = {r["id"]: r for r in self.export()}
        for it in (first, second):
            for key in ("uuid", "taken_at", "staff", "questionnaire_version", "advice_version",
                        "answers", "gp_signoff", "flags", "acknowledgement", "ready"):
                self.assertEqual(it[key], full[it["id"]][key])
        # Acknowledged through the pipe; the GP's sign-off (sheet 2) kept
        # the acknowledgement of sheet 1, and made the first ready.
        self.assertEqual(first["acknowledgement"]["sheet"], 1)
        self.assertEqual(first["acknowledgement"]["typed_name"], "Ana Silva")
        self.assertEqual((first["ready"], second["ready"]), (True, False))
        self.assertEqual((first["questionnaire_version"], first["flags"]), ("2026.4", []))
        self.assertEqual(first["revision"], 2)
        self.assertEqual([s["sheet"] for s in first["advice_sheets"]], [1, 2])
        self.assertEqual(first["advice_sheets"][-1]["advice"], full[1]["advice"])
        stored = self.sql("SELECT advice_id, text FROM advice_sheet WHERE intake_id = 1 "
                          "ORDER BY sheet, position")
        self.assertEqual([(a["id"], a["text"]) for s in first["advice_sheets"]
                          for a in s["advice"]], stored)
        self.assertEqual(first["signoffs"], [{
            "status": "obtained", "gp_name": "Dr Patel", "signed_on": today().isoformat(),
            "reference": "LTR-7", "staff": "Dana Staff",
            "recorded_at": self.sql("SELECT recorded_at FROM signoff")[0][0]}])
        self.assertEqual(second["signoffs"], [])
        self.assertEqual(data["drafts"], [{
            "id": 1, "intake_id": None, "session_of": None, "started_at": "2026-01-01T10:00:00Z",
            "updated_at": "2026-01-01T10:05:00Z", "staff": "Sam", "next_question": "email",
            "answers": {"phone": None, "uses_rogaine": False}}])
        self.assertEqual([(a["action"], a["intake_id"]) for a in data["audit"]],
                         [("create", 1), ("acknowledge", 1), ("create", 3), ("acknowledge", 3),
                          ("signoff", 1)])
        changes = {c["field"]: (c["old_value"], c["new_value"]) for c in data["audit"][4]["changes"]}
        self.assertEqual(changes["gp_signoff"], ("pending", "obtained"))
        self.assertEqual(changes["gp_name"], (None, "Dr Patel"))
        self.assertEqual(len(data["audit"][0]["changes"]),
                         self.sql("SELECT count(*) FROM audit_change WHERE audit_id = 1")[0][0])
        # nothing about anyone else
        text = json.dumps(data)
        for other in ("Bea", "Rowe", "bea@example.com"):
            self.assertNotIn(other, text)

    def test_a_client_with_one_plain_intake(self):
        data = self.export_client(2)
        self.assertEqual(data["client"]["phone"], None)
        self.assertEqual([i["id"] for i in data["intakes"]], [2])
        self.assertEqual([s["sheet"] for s in data["intakes"][0]["advice_sheets"]], [1])
        self.assertEqual(data["drafts"], [])
        self.assertEqual([a["action"] for a in data["audit"]], ["create", "acknowledge"])

    def test_to_a_private_file(self):
        out = os.path.join(self.tmp, "ana.json")
        p = subprocess.run(["sh", "-c", 'umask 000; exec "$@"', "sh", *WRAPPER, BIN, "export",
                            "--client", "1", "-o", out], env=self.env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT * 3)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, b"")
        self.assertEqual(p.stderr.decode(), "exported client 1 (2 intakes) to %s\n" % out)
        self.assertEqual(stat.S_IMODE(os.stat(out).st_mode), 0o600)
        with open(out) as f:
            data = json.load(f)
        validate_export(data)
        fresh = self.export_client(1)
        data.pop("exported_at")
        fresh.pop("exported_at")
        self.assertEqual(data, fresh)
        p = self.run_cmd("export", "--client", "1", "-o", out)
        self.assert_one_line_error(p)
        self.assertIn("--force", p.stderr)
        p = self.run_cmd("--staff", "Sam", "export", "-o", out, "--force", "--client=2")
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out) as f:
            self.assertEqual(json.load(f)["client"]["first_name"], "Bea")
        self.assertEqual(leftovers(self.tmp), [])

    def test_unknown_or_erased_client_leaves_no_file(self):
        out = os.path.join(self.tmp, "nobody.json")
        for argv, message in ((["--client", "9"], "no client 9 (see smp-intake find)"),
                              (["--client", "9", "-o", out], "no client 9")):
            with self.subTest(argv=argv):
                p = self.run_cmd("export", *argv)
                self.assert_one_line_error(p, 1)
                self.assertIn(message, p.stderr)
                self.assertEqual(p.stdout, "")
        p = self.run_cmd("erase", "2", "--yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.run_cmd("export", "--client", "2", "-o", out)
        self.assert_one_line_error(p, 1)
        self.assertRegex(p.stderr, r"client 2 was erased on \d{4}-\d\d-\d\d by Dana Staff")
        self.assertFalse(os.path.exists(out))
        self.assertEqual(leftovers(self.tmp), [])
        # what is left of an erasure is not about anyone: the full export
        # no longer has the client
        self.assertEqual([r["client"]["id"] for r in self.export()], [1, 1])

    def test_bad_client_ids(self):
        for argv in (["--client", "abc"], ["--client", "0"], ["--client", "-3"], ["--client"],
                     ["--client", ""], ["--client", "1", "2"], ["--client", "1.0"]):
            with self.subTest(argv=argv):
                p = self.run_cmd("export", *argv)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertEqual(p.stdout, "")
