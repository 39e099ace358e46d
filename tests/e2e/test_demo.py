"""`smp-intake demo`: the sample database written to a file (--create) and
tried with every reading command, and the throwaway menu at a terminal,
whose temporary folder must be gone when the menu ends.  Neither ever
touches the user's own database.
"""
import json
import os
import re
import sqlite3
import stat
import unittest

from harness import WRAPPER, IntakeTest, validate_export
from ptyutil import MENU, finish

SAMPLE_CLIENTS = 6
SAMPLE_INTAKES = 7  # one client came back
ANNOUNCE = re.compile(r"Demo: (\d+) sample clients in a throwaway database, (\S+), removed "
                      r"when you leave the menu\.")


class DemoTest(IntakeTest):
    def setUp(self):
        super().setUp()
        self.tmpdir = os.path.join(self.tmp, "tmpdir")  # the demo's $TMPDIR
        os.mkdir(self.tmpdir)
        self.env["TMPDIR"] = self.tmpdir

    def create(self, name="demo.db"):
        path = os.path.join(self.tmp, name)
        p = self.run_cmd("demo", "--create", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        self.assertIn(path, p.stdout)
        self.assertEqual(len(p.stdout.splitlines()), 1, p.stdout)
        return path

    def assert_user_db_untouched(self):
        self.assertFalse(os.path.exists(self.db), "the user's database was created")
        self.assertEqual(os.listdir(self.tmpdir), [], "the demo left files in TMPDIR")

    # ---- demo --create PATH ----

    def test_create_then_every_reading_command(self):
        path = self.create()
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        p = self.run_cmd("--db", path, "export")
        self.assertEqual(p.returncode, 0, p.stderr)
        data = json.loads(p.stdout)
        validate_export(data)
        self.assertEqual(len(data), SAMPLE_INTAKES)
        self.assertEqual(len({i["client"]["id"] for i in data}), SAMPLE_CLIENTS)
        self.assertEqual({i["staff"] for i in data}, {"Demo"})
        statuses = sorted(i["gp_signoff"]["status"] for i in data)
        self.assertEqual(statuses, ["declined", "not_required", "obtained", "obtained",
                                    "pending", "pending", "pending"])
        names = {i["client"]["first_name"] + " " + i["client"]["last_name"] for i in data}
        for name in ("Zoë Dubois", "José García", "太郎 山田", "Sam Okafor"):
            self.assertIn(name, names)
        # The planned session is ahead of us, so the pause advice has dates.
        planned = [i for i in data if i["answers"].get("planned_session_date")]
        self.assertTrue(planned)
        for i in planned:
            self.assertGreaterEqual(i["answers"]["planned_session_date"], i["taken_at"][:10])
        # Every sample answers the screening questions (they have no default).
        for i in data:
            for q in ("scalp_conditions", "keloid_history", "blood_thinners", "allergies",
                      "pregnant_or_breastfeeding"):
                self.assertIn(q, i["answers"], (i["id"], q))

        for text, client, intake in (("Zo", 1, 1), ("José", 2, 2), ("山田", 3, 3),
                                     ("Sam Okafor", 6, 7)):
            with self.subTest(find=text):
                p = self.run_cmd("--db", path, "find", text)
                self.assertEqual(p.returncode, 0, p.stderr)
                lines = p.stdout.splitlines()
                self.assertEqual(len(lines), 2, p.stdout)
                self.assertEqual(lines[1].split()[:2], [str(client), str(intake)])
        shown = {}
        for n in range(1, SAMPLE_INTAKES + 1):
            for cmd in ("show", "advice"):
                with self.subTest(cmd=cmd, id=n):
                    # the artist's view of the advice: flags and acknowledgement
                    extra = ["--for", "artist"] if cmd == "advice" else []
                    p = self.run_cmd("--db", path, cmd, str(n), *extra)
                    self.assertEqual(p.returncode, 0, p.stderr)
                    self.assertIn("Advice for ", p.stdout)
                    shown[cmd, n] = p.stdout
        self.assert_screening_mix(path, shown)
        p = self.run_cmd("--db", path, "show", str(SAMPLE_INTAKES + 1))
        self.assertEqual(p.returncode, 1)
        out = os.path.join(self.tmp, "out.json")
        p = self.run_cmd("--db", path, "export", "-o", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out) as f:
            self.assertEqual(len(json.load(f)), SAMPLE_INTAKES)
        self.assert_user_db_untouched()

    def assert_screening_mix(self, path, shown):
        """A realistic mix: flags open, a flag cleared with its reason, one
        intake left unacknowledged, and so some clients ready and some not.
        shown: the output of (show or advice, n) for every intake (the
        binary runs once for each; valgrind makes runs dear)."""
        p = self.run_cmd("--db", path, "list", "--limit", "0")
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = {l.split()[0]: l.split() for l in p.stdout.splitlines()[1:]}
        self.assertEqual(len(rows), SAMPLE_INTAKES, p.stdout)
        self.assertEqual({n: r[4] for n, r in rows.items()},
                         {"1": "-", "2": "-", "3": "thinners", "4": "scalp",
                          "5": "-", "6": "-", "7": "-"})
        self.assertEqual(sorted(n for n, r in rows.items() if r[5] == "yes"), ["1", "7"])
        self.assertIn("OPEN  [flag-blood-thinners]", shown["advice", 3])
        self.assertIn("OPEN  [flag-scalp-condition]", shown["show", 4])
        self.assertIn("cleared  [flag-allergy]", shown["show", 1])
        self.assertIn("Latex only", shown["show", 1])
        for n in range(1, SAMPLE_INTAKES + 1):
            self.assertIn("Acknowledged: no" if n == 6 else "Acknowledged: yes",
                          shown["advice", n], n)
        con = sqlite3.connect(path)
        try:
            acks = con.execute("SELECT a.intake_id, a.typed_name = c.first_name || ' ' || "
                               "c.last_name, a.staff FROM acknowledgement a JOIN intake i "
                               "ON i.id = a.intake_id JOIN client c ON c.id = i.client_id "
                               "ORDER BY 1").fetchall()
            cleared = con.execute("SELECT intake_id, flag_id, staff FROM flag_clearance").fetchall()
            audit = con.execute("SELECT intake_id, action FROM audit WHERE action IN "
                                "('acknowledge', 'clear-flag') ORDER BY id").fetchall()
        finally:
            con.close()
        self.assertEqual(acks, [(n, 1, "Demo") for n in (1, 2, 3, 4, 5, 7)])
        self.assertEqual(cleared, [(1, "flag-allergy", "Demo")])
        # both as new and clear-flag record them, audited
        self.assertEqual(audit, [(1, "acknowledge"), (1, "clear-flag")] +
                         [(n, "acknowledge") for n in (2, 3, 4, 5, 7)])

    def test_create_ignores_the_global_db(self):
        path = os.path.join(self.tmp, "demo.db")
        p = self.run_cmd("--db", os.path.join(self.tmp, "no", "such", "x.db"),
                         "demo", "--create", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(os.path.exists(path))
        self.assert_user_db_untouched()

    def test_create_refuses_an_existing_path(self):
        path = os.path.join(self.tmp, "taken.db")
        for make in ("file", "empty", "symlink"):
            with self.subTest(existing=make):
                if os.path.lexists(path):
                    os.unlink(path)
                if make == "file":
                    with open(path, "w") as f:
                        f.write("precious")
                elif make == "empty":
                    open(path, "w").close()
                else:
                    os.symlink(os.path.join(self.tmp, "target.db"), path)
                p = self.run_cmd("demo", "--create", path)
                self.assertEqual(p.returncode, 1)
                self.assertEqual(p.stdout, "")
                self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
                self.assertRegex(p.stderr, r"^smp-intake: .*already exists")
                if make == "file":
                    with open(path) as f:
                        self.assertEqual(f.read(), "precious")
                self.assertFalse(os.path.exists(os.path.join(self.tmp, "target.db")))
        self.assert_user_db_untouched()

    def test_create_in_a_missing_folder_fails_cleanly(self):
        p = self.run_cmd("demo", "--create", os.path.join(self.tmp, "missing", "d.db"))
        self.assertEqual(p.returncode, 1)
        self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
        self.assertTrue(p.stderr.startswith("smp-intake: cannot create"), p.stderr)

    def test_usage_errors(self):
        for args in (["demo", "extra"], ["demo", "--create"], ["demo", "--create="],
                     ["demo", "--bogus"]):
            with self.subTest(args=args):
                p = self.run_cmd(*args)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
        p = self.run_cmd("demo", "--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("--create PATH", p.stdout)
        self.assert_user_db_untouched()

    # ---- demo at a terminal, and not ----

    def test_through_a_pipe_is_a_usage_error(self):
        p = self.run_cmd("demo", input="find Zo\nquit\n")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stdout, "")
        self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
        self.assertRegex(p.stderr, r"^smp-intake: .*terminal.*--create")
        self.assert_user_db_untouched()

    def start_menu(self):
        """Spawns `demo` on a pty; returns the child and the demo's folder."""
        child = self.spawn("demo")
        child.expect(ANNOUNCE)
        self.assertEqual(int(child.match.group(1)), SAMPLE_CLIENTS)
        folder = os.path.dirname(child.match.group(2))
        self.assertEqual(os.path.dirname(folder), self.tmpdir)
        self.assertTrue(os.path.isdir(folder))
        self.assertEqual(stat.S_IMODE(os.stat(folder).st_mode), 0o700)
        child.expect_exact(MENU)
        return child, folder

    def test_menu_on_a_throwaway_database(self):
        child, folder = self.start_menu()
        child.sendline("find Zo")
        child.expect_exact("Zoë Dubois")
        child.expect_exact(MENU)
        child.sendline("find Sam")
        child.expect(r"6\s+7\s+\S+\s+1990-06-21 Sam Okafor")
        child.expect_exact(MENU)
        child.sendline("show 3")
        child.expect_exact("GP sign-off: obtained (Dr Sato")
        child.expect_exact(MENU)
        # the samples' open flags are there to try clear-flag on
        child.sendline('clear-flag 3 flag-blood-thinners --reason "Doctor: no change needed"')
        child.expect_exact("Cleared flag-blood-thinners on intake 3.")
        child.expect_exact(MENU)
        child.sendline("demo")  # no menu within the menu
        child.expect_exact("leave this menu first")
        child.expect_exact(MENU)
        self.assertTrue(os.path.isdir(folder))
        child.sendline("quit")
        self.assertEqual(finish(self, child), 0)
        self.assertFalse(os.path.exists(folder), "the demo folder was left behind")
        self.assert_user_db_untouched()

    def test_menu_ends_with_ctrl_d_and_cleans_up(self):
        child, folder = self.start_menu()
        child.sendeof()
        self.assertEqual(finish(self, child), 0)
        self.assertFalse(os.path.exists(folder))
        self.assert_user_db_untouched()

    @unittest.skipIf(WRAPPER, "valgrind itself needs a usable TMPDIR")
    def test_menu_with_an_unusable_tmpdir(self):
        self.env["TMPDIR"] = os.path.join(self.tmp, "no-such-folder")
        child = self.spawn("demo")
        child.expect_exact("smp-intake: cannot create a temporary folder")
        self.assertEqual(finish(self, child), 1)
        self.assertFalse(os.path.exists(self.db))
