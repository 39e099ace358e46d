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
break db_erase_client
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
        self.new_intake(BEA)
        self.new_intake(QUILLON)
        self.new_intake(QUILLON)
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
        for level in (LEVELS[1::3] if WRAPPER else LEVELS):
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
