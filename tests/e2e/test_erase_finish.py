"""An erasure finishes or does not happen.  A kill at every step of `erase`
(gdb stops it at each call into SQLite, then kills it) and a full disk at
several levels (a small tmpfs) leave the client either wholly there or
wholly erased, with a message that says which; the next open of the file
(or `erase` of the same client again) finishes a committed erasure, after
which a byte scan of the file, its -wal and its -shm finds none of the
client's values, in any case or folded form.  Also: drafts that name the
client go with it, an erased intake never comes back through import, and
erase warns of a temporary export file left beside the database."""
import concurrent.futures
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile

from harness import BIN, TIMEOUT, WRAPPER, base_answers, pipe_lines
from test_pipe_intake import PipeTest

# Client 2, whose values are found nowhere else: the accented name is
# indexed folded (vexmartin), the phone as digits.
QUILLON = base_answers(
    first_name="Quillon", last_name="Vexmartín", date_of_birth="1981-03-14",
    phone="+44 7700 981234", email="quillon.vexmartin@zanzibar.example",
    hair_loss_notes="Crown thinning since the Okonkwo-Brandt trial")
BEA = base_answers(first_name="Bea", last_name="Rowe", date_of_birth="1990-01-01",
                   email="bea@example.com")
ERASED_TEXT = ["Quillon", "Vexmartín", "vexmartin", "Vexmartin", "981234", "zanzibar",
               "Okonkwo", "1981-03-14"]
FILES = ("", "-wal", "-shm")

# gdb stops `erase` at its first step and then at every call it makes
# into SQLite (through the binary's PLT: the statements, transactions and
# checkpoints of the erasure and its finish), killing it at the $limit-th.
GDB_SCRIPT = """set pagination off
set confirm off
set auto-solib-add off
break db_erase_client_reason
run
delete
set $hits = 0
break sqlite3_step@plt
break sqlite3_exec@plt
break sqlite3_wal_checkpoint_v2@plt
commands 2-4
silent
set $hits = $hits + 1
if $hits >= $limit
kill
quit
end
continue
end
continue
printf "HITS %d\\n", $hits
"""


def scan(path):
    """The bytes of the database, its -wal and -shm (read by another
    process: closing a file of our own would drop this process's POSIX
    locks on it, a keeping connection's included)."""
    data = b""
    for suffix in FILES:
        if os.path.exists(path + suffix):
            data += subprocess.run(["cat", path + suffix], stdout=subprocess.PIPE,
                                   check=True).stdout
    return data


def left_over(data):
    """The erased values still found in data (case ignored)."""
    low = data.lower()
    return [t for t in ERASED_TEXT if t.lower().encode() in low]


class EraseFinishTest(PipeTest):
    def make_base(self):
        """Bea (client 1) and Quillon (client 2, two intakes), checked into
        one file without a log; returns its path."""
        # A fixture: made without valgrind, which the tests below use.
        for answers in (BEA, QUILLON, QUILLON):
            p = subprocess.run([BIN, "new"], input=pipe_lines(answers).encode(), env=self.env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=TIMEOUT * 3)
            self.assertEqual(p.returncode, 0, p.stderr)
        con = sqlite3.connect(self.db)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        con.close()
        self.assertEqual(left_over(scan(self.db)), ERASED_TEXT,
                         "not all values in the file to begin with")
        base = os.path.join(self.tmp, "base.db")
        shutil.copyfile(self.db, base)
        return base

    def env_for(self, db):
        return dict(self.env, SMP_INTAKE_DB=db)

    def run_on(self, db, *args):
        p = subprocess.run(WRAPPER + [BIN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=self.env_for(db), timeout=TIMEOUT * 3)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8",
                                                                                  "replace")

    def state(self, con):
        """(client row, its intakes, erase audit rows) of client 2."""
        one = lambda q: con.execute(q).fetchall()[0][0]
        return (one("SELECT count(*) FROM client WHERE id = 2"),
                one("SELECT count(*) FROM intake WHERE client_id = 2"),
                one("SELECT count(*) FROM audit WHERE action = 'erase' AND client_id = 2"))


THERE, GONE = (1, 2, 0), (0, 0, 3)


class Kills(EraseFinishTest):
    def gdb(self, db, limit):
        return subprocess.run(
            ["gdb", "-q", "-batch", "-nx", "-ex", "set $limit = %d" % limit, "-x", self.script,
             "--args", BIN, "erase", "2", "--yes"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=self.env_for(db),
            timeout=TIMEOUT * 3).stdout.decode("utf-8", "replace")

    def killed_copy(self, base, limit):
        """A copy of base on which erase was killed at step limit."""
        folder = tempfile.mkdtemp(dir=self.tmp)
        db = os.path.join(folder, "i.db")
        shutil.copyfile(base, db)
        os.chmod(db, 0o600)
        out = self.gdb(db, limit)
        self.assertNotIn("HITS", out, "step %d: erase was not killed" % limit)
        return db

    def kill_at(self, base, limit):
        """Kills erase at step limit on a copy of base, then checks it;
        returns the problems found (a list of text) and the state."""
        db = self.killed_copy(base, limit)
        problems = []
        # Held open, so the program's own connection is never the last to
        # close (which would check the log in and delete it for it).
        keep = sqlite3.connect(db)
        try:
            if keep.execute("PRAGMA integrity_check").fetchall() != [("ok",)]:
                problems.append("step %d: integrity_check fails" % limit)
            before = self.state(keep)
            if before == THERE:
                # Nothing happened: erase does it all now.
                rc, out, err = self.run_on(db, "erase", "2", "--yes")
                if (rc, out, err) != (0, "Erased client 2 and its 2 intakes.\n", ""):
                    problems.append("step %d: erase again: %d %r %r" % (limit, rc, out, err))
            elif before == GONE:
                # Committed: any later open finishes it.
                rc, out, err = self.run_on(db, "list")
                if rc != 0 or err:
                    problems.append("step %d: list after the kill: %r" % (limit, err))
            else:
                problems.append("step %d: half erased: %r" % (limit, before))
            if self.state(keep) != GONE:
                problems.append("step %d: not erased in the end: %r" % (limit, self.state(keep)))
            found = left_over(scan(db))
            if found:
                problems.append("step %d: still in the file in the end: %r" % (limit, found))
        finally:
            keep.close()
        return problems, before

    def first_step_after_the_commit(self, base, steps):
        """The first step whose kill leaves the client erased (bisected)."""
        low, high = 1, steps  # the state at high is GONE
        while low < high:
            mid = (low + high) // 2
            con = sqlite3.connect(self.killed_copy(base, mid))
            try:
                gone = self.state(con) == GONE
            finally:
                con.close()
            low, high = (low, mid) if gone else (mid + 1, high)
        return low

    def test_a_kill_at_every_step_leaves_all_or_nothing_and_is_finished(self):
        if not shutil.which("gdb"):
            self.skipTest("gdb is not installed (make deps installs it)")
        base = self.make_base()
        self.script = os.path.join(self.tmp, "kill.gdb")
        with open(self.script, "w") as f:
            f.write(GDB_SCRIPT)
        # The number of steps, from an erasure run to its end under gdb.
        probe = os.path.join(self.tmp, "probe.db")
        shutil.copyfile(base, probe)
        out = self.gdb(probe, 1 << 30)
        if "HITS" not in out and ("ptrace" in out or "Operation not permitted" in out):
            self.skipTest("gdb cannot trace here: " + out[-200:])
        self.assertIn("Erased client 2 and its 2 intakes.", out)
        steps = int(out.rsplit("HITS ", 1)[1].split()[0])
        self.assertGreater(steps, 10)
        # Under valgrind (where each later run takes seconds): the first,
        # the last and two between.
        limits = ([1, steps // 3, 2 * steps // 3, steps] if WRAPPER
                  else list(range(1, steps + 1)))
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(lambda n: self.kill_at(base, n), limits))
        self.assertEqual([p for r in results for p in r[0]], [])
        states = [r[1] for r in results]
        self.assertIn(THERE, states)
        self.assertIn(GONE, states)

        # The first step after the commit, once more: while another
        # terminal reads, the open cannot finish the erasure (its log
        # cannot be cleared) and leaves it owed; the next open once the
        # reader is done, here `erase` of the same client, finishes it.
        if WRAPPER:
            committed = self.first_step_after_the_commit(base, steps)
        else:
            committed = limits[states.index(GONE)]
        db = self.killed_copy(base, committed)
        keep = sqlite3.connect(db, isolation_level=None)
        try:
            keep.execute("BEGIN")
            keep.execute("SELECT count(*) FROM client").fetchall()
            rc, out, err = self.run_on(db, "list")
            self.assertEqual((rc, err), (0, ""))
            self.assertEqual(keep.execute("SELECT count(*) FROM erase_pending").fetchall(),
                             [(1,)])
            keep.execute("COMMIT")
            rc, out, err = self.run_on(db, "erase", "2", "--yes")
            self.assertEqual(rc, 1)
            self.assertRegex(err, r"^smp-intake: client 2 was erased on \d{4}-\d\d-\d\d by "
                                  r"Dana Staff\n$")
            self.assertEqual(left_over(scan(db)), [])
            self.assertEqual(keep.execute("SELECT count(*) FROM erase_pending").fetchall(),
                             [(0,)])
            self.assertEqual(self.state(keep), GONE)
        finally:
            keep.close()


# The tmpfs each level runs on, as in test_faults.py; the levels are the
# bytes left free once the database is copied in (the -shm file takes 32k).
TMPFS = "600k"
LEVELS = [k * 1024 for k in (64, 100, 104, 106, 108, 110, 112, 116, 160)]
FULL_SCRIPT = r'''
set -e
mount -t tmpfs -o size=$SIZE none "$MNT"
cp "$BASE" "$MNT/i.db"
free=$(( $(df -k --output=avail "$MNT" | tail -n 1) * 1024 - $LEVEL ))
[ $free -gt 0 ] && head -c $free /dev/zero > "$MNT/filler" 2>/dev/null || true
set +e
shift 1
"$@" --db "$MNT/i.db" erase 2 --yes > "$BACK/out" 2> "$BACK/err"
echo $? > "$BACK/rc"
mkdir "$BACK/full" "$BACK/room"
cp "$MNT"/i.db* "$BACK/full/"
rm -f "$MNT/filler"
"$@" --db "$MNT/i.db" list > /dev/null 2> "$BACK/err2"
cp "$MNT"/i.db* "$BACK/room/"
'''


class DiskFull(EraseFinishTest):
    def full_at(self, base, level):
        back = os.path.join(self.tmp, "back%d" % level)
        mnt = os.path.join(self.tmp, "mnt%d" % level)
        os.mkdir(back)
        os.mkdir(mnt)
        env = dict(self.env, MNT=mnt, BACK=back, BASE=base, LEVEL=str(level), SIZE=TMPFS)
        r = subprocess.run(["unshare", "-m", "sh", "-c", FULL_SCRIPT, "sh", "-", *WRAPPER, BIN],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=TIMEOUT * 6)
        if r.returncode != 0 and b"mount" in r.stderr:
            self.skipTest("cannot mount a tmpfs here: " + r.stderr.decode().strip())
        self.assertEqual(r.returncode, 0, r.stderr)
        read = lambda name: open(os.path.join(back, name), encoding="utf-8").read()
        return back, int(read("rc")), read("out"), read("err"), read("err2")

    def test_a_full_disk_at_several_levels_tells_the_truth_and_is_finished(self):
        if not shutil.which("unshare") or subprocess.run(
                ["unshare", "-m", "true"], stderr=subprocess.DEVNULL).returncode != 0:
            self.skipTest("cannot make a private mount namespace here (unshare -m, as root)")
        base = self.make_base()
        outcomes = set()
        for level in ([LEVELS[1], LEVELS[-1]] if WRAPPER else LEVELS):
            with self.subTest(level=level):
                back, rc, out, err, err2 = self.full_at(base, level)
                full = os.path.join(back, "full", "i.db")
                con = sqlite3.connect(full)
                try:
                    self.assertEqual(con.execute("PRAGMA integrity_check").fetchall(),
                                     [("ok",)])
                    state = self.state(con)
                finally:
                    con.close()
                if rc == 0:
                    outcomes.add("erased")
                    self.assertEqual((out, err), ("Erased client 2 and its 2 intakes.\n", ""))
                    self.assertEqual(state, GONE)
                else:
                    self.assertEqual(rc, 1)
                    self.assertTrue(err.startswith("smp-intake: ") and err.count("\n") == 1, err)
                    self.assertRegex(err, "disk is full|cannot write to the disk")
                    if out:
                        # Committed, its values not yet cleared: says so.
                        outcomes.add("erased, unfinished")
                        self.assertEqual(out, "Erased client 2 and its 2 intakes.\n")
                        self.assertIn("erased, but the erased values stay in the file", err)
                        self.assertEqual(state, GONE)
                    else:
                        outcomes.add("not erased")
                        self.assertIn("cannot erase the client", err)
                        self.assertEqual(state, THERE)
                # With room again, the next open finishes a committed
                # erasure; one that did not happen is still all there.
                self.assertEqual(err2, "")
                room = os.path.join(back, "room", "i.db")
                if state == GONE:
                    self.assertEqual(left_over(scan(room)), [])
                else:
                    for suffix in ("", "-wal"):
                        if os.path.exists(self.db + suffix):
                            os.remove(self.db + suffix)
                        if os.path.exists(room + suffix):
                            shutil.copyfile(room + suffix, self.db + suffix)
                    self.assertEqual(self.run_cmd("erase", "2", "--yes").returncode, 0)
                    self.assertEqual(left_over(scan(self.db)), [])
        # The levels reach both sides: a full disk that stops the erasure
        # and room enough for it.
        if not WRAPPER:
            self.assertIn("not erased", outcomes)
            self.assertIn("erased", outcomes)


class DraftsGo(EraseFinishTest):
    def add_draft(self, updated_at, answers, client_id=None):
        con = sqlite3.connect(self.db)
        with con:
            cur = con.execute("INSERT INTO draft (client_id, started_at, updated_at, staff) "
                              "VALUES (?, ?, ?, 'Dana')", (client_id, updated_at, updated_at))
            for q, v in answers.items():
                con.execute("INSERT INTO draft_answer VALUES (?, ?, ?)", (cur.lastrowid, q, v))
        con.close()

    def test_a_new_stopped_at_date_of_birth_goes_with_the_client(self):
        from test_drafts import DraftTest
        self.new_intake(BEA)
        self.new_intake(QUILLON)
        # Typed again at a terminal, the names in other case and accents,
        # stopped before the birth date: a draft with the names only.
        again = dict(QUILLON, first_name="QUILLON", last_name="vexmartin")
        DraftTest.stop_at(self, again, "date_of_birth")
        # Someone else of the same first name, and Bea's: kept.
        self.add_draft("2026-01-01T00:00:00Z", {"first_name": "Quillon", "last_name": "Rowe"})
        self.add_draft("2026-01-01T00:00:00Z", {"first_name": "Bea", "last_name": "Rowe"})
        self.assertEqual(len(self.sql("SELECT id FROM draft")), 3)
        p = self.run_cmd("erase", "2", "--yes")
        self.assertEqual((p.returncode, p.stderr), (0, ""))
        self.assertEqual(self.sql("SELECT group_concat(a.value, ' ') FROM draft d JOIN "
                                  "draft_answer a ON a.draft_id = d.id GROUP BY d.id ORDER BY d.id"),
                         [("Quillon Rowe",), ("Bea Rowe",)])
        # (Quillon is still the other draft's first name.)
        self.assertEqual([t for t in left_over(scan(self.db)) if t != "Quillon"], [])

    def test_draft_max_age_is_a_setting_in_days_or_weeks(self):
        self.assertEqual(self.run_cmd("config", "set", "studio_name", "Ink").returncode, 0)
        self.assertEqual(self.run_cmd("config", "get", "draft_max_age").stdout, "30d\n")
        self.assertIn("draft_max_age", self.run_cmd("config", "list").stdout)
        self.assertEqual(self.run_cmd("config", "set", "draft_max_age", "4w").returncode, 0)
        self.assertEqual(self.run_cmd("config", "get", "draft_max_age").stdout, "28d\n")
        for bad in ("0d", "30", "4x", "3651d", "-1d", "1.5w", "d", " 30d", "522w"):
            with self.subTest(value=bad):
                p = self.run_cmd("config", "set", "draft_max_age", bad)
                self.assert_one_line_error(p)
                self.assertIn("draft_max_age: a whole number of days or weeks, such as 30d or 4w",
                              p.stderr)
        self.assertEqual(self.run_cmd("config", "get", "draft_max_age").stdout, "28d\n")
        self.assertIn("draft_max_age", self.run_cmd("config", "--help").stdout)

    def test_purge_removes_the_drafts_older_than_draft_max_age(self):
        self.new_intake(BEA)
        self.assertEqual(self.run_cmd("config", "set", "draft_max_age", "2w").returncode, 0)
        con = sqlite3.connect(self.db)
        ago = lambda days: con.execute("SELECT strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?)",
                                       ("-%d days" % days,)).fetchall()[0][0]
        old, recent = ago(15), ago(13)
        con.close()
        self.add_draft(old, {"first_name": "Quillon", "last_name": "Vexmartín",
                             "phone": "+44 7700 981234"})
        self.add_draft(recent, {"first_name": "Cleo", "last_name": "Fenn"})
        self.add_draft(old, {"hair_loss_notes": "Okonkwo"}, client_id=1)
        p = self.run_cmd("purge", "--older-than", "7y")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("2 drafts untouched for more than 14 days (config draft_max_age) would be "
                      "removed.\n", p.stdout)
        self.assertEqual(len(self.sql("SELECT id FROM draft")), 3)
        p = self.run_cmd("purge", "--older-than", "7y", "--yes")
        self.assertEqual((p.returncode, p.stderr), (0, ""))
        self.assertIn("Removed 2 drafts untouched for more than 14 days (config draft_max_age).\n",
                      p.stdout)
        self.assertEqual(self.sql("SELECT a.value FROM draft d JOIN draft_answer a "
                                  "ON a.draft_id = d.id ORDER BY a.value"), [("Cleo",), ("Fenn",)])
        self.assertEqual(left_over(scan(self.db)), [])
        # Nothing more to remove: nothing said about drafts.
        p = self.run_cmd("purge", "--older-than", "7y", "--yes")
        self.assertNotIn("draft", p.stdout)


class NothingComesBack(EraseFinishTest):
    def test_an_export_from_before_the_erasure_is_refused_all_or_nothing(self):
        self.new_intake(BEA)
        self.new_intake(QUILLON)
        self.new_intake(QUILLON)
        export = os.path.join(self.tmp, "before.json")
        p = self.run_cmd("export", "-o", export)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(export, encoding="utf-8") as f:
            uuids = [r["uuid"] for r in json.load(f)]
        p = self.run_cmd("erase", "2", "--yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        # The tombstones: the uuids and when, nothing else.
        rows = self.sql("SELECT * FROM erased_intake ORDER BY uuid")
        self.assertEqual([r[0] for r in rows], sorted(uuids[1:]))
        self.assertTrue(all(len(r) == 2 and r[1][:4].isdigit() for r in rows), rows)
        before = self.snapshot()
        for extra in ([], ["--update"], ["--dry-run"]):
            with self.subTest(options=extra):
                p = self.run_cmd("import", *extra, export)
                self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
                lines = p.stderr.splitlines()
                self.assertEqual(len(lines), 2, p.stderr)
                for n, (line, uuid) in enumerate(zip(lines, uuids[1:]), start=2):
                    self.assertRegex(line, r"^smp-intake: .*before\.json: record %d: intake %s "
                                           r"was erased on \d{4}-\d\d-\d\d$" % (n, uuid))
                self.assertIn("2 records refused" if not extra or extra[0] != "--dry-run"
                              else "2 refused", p.stdout)
                self.assertEqual(self.snapshot(), before)
        self.assertEqual(self.run_cmd("find", "Vexmartin").returncode, 1)


class Leftovers(EraseFinishTest):
    def test_erase_warns_of_a_temporary_export_file_beside_the_database(self):
        self.new_intake(BEA)
        self.new_intake(QUILLON)
        left = os.path.join(self.tmp, ".smp-intake-Ab12Cd")
        other = os.path.join(self.tmp, ".smp-intake-notes.txt")
        for path in (left, other):
            with open(path, "w") as f:
                f.write("[{\"client\": {\"first_name\": \"Quillon\"}}")
        p = self.run_cmd("erase", "2", "--yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "Erased client 2 and its 1 intake.\n")
        self.assertEqual(p.stderr, "smp-intake: warning: '%s' is left over from an export that was "
                                   "stopped and may hold client records: delete it (rm -- '%s')\n"
                         % (left, left))
        # Only a warning: the file is the user's to delete.
        self.assertTrue(os.path.exists(left))
        os.remove(left)
        p = self.run_cmd("erase", "1", "--yes")
        self.assertEqual((p.returncode, p.stderr), (0, ""))
