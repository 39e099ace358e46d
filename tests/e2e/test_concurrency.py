"""Four processes on one database at once (a file; and a PostgreSQL server
when run.py runs server.subset).  First for a bounded
number of rounds: two save intakes (`new` through a pipe), one edits them
(`edit ID` through a pipe) and one exports.  Then for thirty seconds
(SMP_CONCURRENCY_SECONDS), four that each save, edit their own intakes and
export, in turn.  Nobody sees "database is busy" (the busy timeout makes
them queue), every export is whole and valid, every intake saved is in
every export that started after its save ended, once, and no record in an
export mixes two versions of an intake."""
import json
import os
import re
import subprocess
import threading
import time

from harness import (BIN, WRAPPER, TIMEOUT, IntakeTest, base_answers, on_server, pipe_lines,
                     validate_export)
from test_edit import edit_lines

ROUNDS = 4 if WRAPPER else 25
SEEDS = 3
# The answers rows of an intake without treatment: every one must be there
# (the screening answers of 2026.2 too; other_medication is left empty).
ANSWER_IDS = {"consent_storage", "uses_rogaine", "uses_propecia", "uses_other_topical",
              "uses_other_medical", "scalp_conditions", "keloid_history", "blood_thinners",
              "allergies", "pregnant_or_breastfeeding", "wants_root_cause_help",
              "hair_loss_scale", "treatment_type", "consent_photos", "consent_marketing"}


class FourAtOnce(IntakeTest):
    def assert_whole(self):
        """The database whole after them: the file's integrity, and on a
        server (server.subset) the audit chain verified."""
        if on_server():
            rc, out, err = self.run_pipe(["verify"], "")
            self.assertEqual((rc, err), (0, ""))
            self.assertTrue(out.startswith("ok: "), out)
        else:
            self.assertEqual(self.sql("PRAGMA integrity_check"), [("ok",)])

    def run_pipe(self, args, data):
        p = subprocess.run(WRAPPER + [BIN, *args], input=data.encode(), env=self.env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT * 6)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")

    def test_saving_editing_and_exporting_at_once(self):
        for i in range(SEEDS):
            self.new_intake(base_answers(first_name="Seed%d" % i))
        advice_ids = [a["id"] for a in self.export()[0]["advice"]]
        lock = threading.Lock()
        saved = set(range(1, SEEDS + 1))  # ids whose save has ended
        phones = set()
        problems = []
        exports = []

        def note(what, rc, err):
            if rc != 0 or err:
                with lock:
                    problems.append("%s: exit %d: %s" % (what, rc, err.strip()))

        def saver(who):
            for i in range(ROUNDS):
                rc, out, err = self.run_pipe(
                    ["new"], pipe_lines(base_answers(first_name="%s%d" % (who, i))))
                note("new", rc, err)
                m = re.search(r"Saved intake (\d+)", out)
                if m:
                    with lock:
                        saved.add(int(m.group(1)))

        def editor():
            for i in range(ROUNDS):
                target = 1 + i % SEEDS
                phone = "+44 7700 9%05d" % i
                with lock:
                    phones.add(phone)
                stored = base_answers(first_name="Seed%d" % (target - 1))
                rc, out, err = self.run_pipe(["edit", str(target)],
                                             edit_lines(stored, {"phone": phone}))
                note("edit", rc, err)

        def exporter():
            for _ in range(ROUNDS):
                with lock:
                    before = set(saved)
                rc, out, err = self.run_pipe(["export"], "")
                note("export", rc, err)
                if rc == 0:
                    exports.append((before, out))

        threads = [threading.Thread(target=saver, args=("Alpha",)),
                   threading.Thread(target=saver, args=("Beta",)),
                   threading.Thread(target=editor), threading.Thread(target=exporter)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        self.assertEqual(problems, [])
        self.assertEqual(len(saved), SEEDS + 2 * ROUNDS)
        final = self.export()
        exports.append((saved, json.dumps(final)))
        for before, text in exports:
            data = json.loads(text)
            validate_export(data)
            ids = [i["id"] for i in data]
            self.assertEqual(len(ids), len(set(ids)), "an intake exported twice")
            self.assertLessEqual(before, set(ids), "a saved intake is missing from a later export")
            for it in data:
                with self.subTest(intake=it["id"]):
                    self.assertEqual(set(it["answers"]), ANSWER_IDS, "torn record")
                    self.assertEqual([a["id"] for a in it["advice"]], advice_ids, "torn record")
                    self.assertRegex(it["client"]["first_name"], r"^(Seed|Alpha|Beta)\d+$")
                    self.assertIn(it["client"]["phone"], phones | {None})
        self.assertEqual(sorted(i["id"] for i in final), sorted(saved))
        edited = [i for i in final if i["id"] <= SEEDS]
        self.assertTrue(all(i["client"]["phone"] in phones for i in edited))
        self.assertEqual(self.sql("SELECT count(*) FROM audit WHERE action = 'edit'"), [(ROUNDS,)])
        self.assert_whole()


SECONDS = float(os.environ.get("SMP_CONCURRENCY_SECONDS") or 30)
WORKERS = 4


def version(worker, n, k):
    """Version k of intake n of a worker: its phone and notes say which
    version it is, and odd versions use Rogaine (a GP sign-off pending),
    so that the answers, the client record and the advice all change from
    one version to the next."""
    a = base_answers(first_name="W%d" % worker, last_name="N%d" % n,
                     phone="+1 555 %d%03d%03d" % (worker, n, k), hair_loss_notes="v%d" % k)
    if k % 2:
        a.update(uses_rogaine="yes", gp_discussed="yes", gp_signoff="pending")
    return a


def changes(worker, n, k):
    """What an edit from version k to k + 1 types."""
    new = version(worker, n, k + 1)
    out = {"phone": new["phone"], "hair_loss_notes": new["hair_loss_notes"],
           "uses_rogaine": new["uses_rogaine"]}
    if (k + 1) % 2:
        out.update(gp_discussed="yes", gp_signoff="pending")
    return out


def which_version(rec):
    """(worker, n, k) from an exported record's phone."""
    digits = re.sub(r"\D", "", rec["client"]["phone"])
    return int(digits[4]), int(digits[5:8]), int(digits[8:11])


class ThirtySeconds(IntakeTest):
    run_pipe = FourAtOnce.run_pipe
    assert_whole = FourAtOnce.assert_whole

    def shapes(self):
        """The answers (notes aside), advice ids and GP summary of an even
        and of an odd version, as saved without anyone else around."""
        self.new_intake(version(9, 999, 0))
        rc, out, err = self.run_pipe(["edit", "1"], edit_lines(version(9, 999, 0),
                                                               changes(9, 999, 0)))
        self.assertEqual(rc, 0, err)
        odd = self.export()[0]
        rc, out, err = self.run_pipe(["edit", "1"], edit_lines(version(9, 999, 1),
                                                               changes(9, 999, 1)))
        self.assertEqual(rc, 0, err)
        even = self.export()[0]
        return [self.shape(even), self.shape(odd)]

    @staticmethod
    def shape(rec):
        answers = dict(rec["answers"])
        answers.pop("hair_loss_notes")
        return answers, [a["id"] for a in rec["advice"]], rec["gp_signoff"]

    def test_four_at_once_for_thirty_seconds(self):
        shapes = self.shapes()
        deadline = time.monotonic() + SECONDS
        lock = threading.Lock()
        saved = {1: (9, 999)}  # intake id -> (worker, n), once its save has ended
        edits = {1: 2}         # intake id -> edits that ended with success
        problems = []
        exports = []           # (ids saved before it began, {id: k} in it)
        count = {"new": 0, "edit": 0, "export": 0}

        def problem(text):
            with lock:
                problems.append(text)

        def check_export(text, before, what):
            try:
                data = json.loads(text)
            except ValueError as e:
                return problem("%s: not JSON (%s)" % (what, e))
            ids = [r["id"] for r in data]
            if len(ids) != len(set(ids)):
                problem("%s: an intake twice" % what)
            if not before <= set(ids):
                problem("%s: saved intakes missing: %s" % (what, sorted(before - set(ids))))
            seen = {}
            for rec in data:
                worker, n, k = which_version(rec)
                name = (rec["client"]["first_name"], rec["client"]["last_name"])
                answers, advice, gp = shapes[k % 2]
                got = self.shape(rec)
                if (name != ("W%d" % worker, "N%d" % n) or got != (answers, advice, gp) or
                        rec["answers"]["hair_loss_notes"] != "v%d" % k):
                    problem("%s: intake %d is torn: %r" % (what, rec["id"], rec))
                seen[rec["id"]] = k
            with lock:
                exports.append((before, seen))

        def worker(w):
            mine = []  # [intake id, n, k]: this worker's intakes and their versions
            turn = 0
            while time.monotonic() < deadline:
                op = ("new", "edit", "export")[turn % 3]
                turn += 1
                if op == "new":
                    n = len(mine)
                    rc, out, err = self.run_pipe(["new"], pipe_lines(version(w, n, 0)))
                    m = re.search(r"Saved intake (\d+) ", out)
                    if rc == 0 and m:
                        mine.append([int(m.group(1)), n, 0])
                        with lock:
                            saved[int(m.group(1))] = (w, n)
                            edits[int(m.group(1))] = 0
                elif op == "edit" and mine:
                    it = mine[turn % len(mine)]
                    rc, out, err = self.run_pipe(["edit", str(it[0])], edit_lines(
                        version(w, it[1], it[2]), changes(w, it[1], it[2])))
                    if rc == 0:
                        it[2] += 1
                        with lock:
                            edits[it[0]] = it[2]
                else:
                    op = "export"
                    with lock:
                        before = set(saved)
                    if turn % 2:
                        rc, out, err = self.run_pipe(["export"], "")
                    else:
                        path = os.path.join(self.tmp, "w%d.json" % w)
                        rc, out, err = self.run_pipe(["export", "-o", path, "--force"], "")
                        if rc == 0:
                            with open(path) as f:
                                out = f.read()
                    if rc == 0:
                        check_export(out, before, "export by %d" % w)
                with lock:
                    count[op] += 1
                if rc != 0 or (err and op != "export"):
                    problem("%s by %d: exit %d: %s" % (op, w, rc, err.strip()))

        threads = [threading.Thread(target=worker, args=(w,)) for w in range(WORKERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        self.assertEqual(problems, [])
        # Under valgrind each run takes seconds: fewer, but still some of each.
        least = 2 if WRAPPER else 20
        self.assertGreaterEqual(min(count.values()), least, count)
        final = self.export()
        ids = [r["id"] for r in final]
        self.assertEqual(sorted(ids), sorted(saved), "every intake saved, exactly once")
        for rec in final:
            w, n, k = which_version(rec)
            self.assertEqual((w, n), saved[rec["id"]])
            self.assertEqual(k, edits[rec["id"]], "intake %d: not its last edit" % rec["id"])
        # Every record exported on the way was a version that existed by the end.
        for before, seen in exports:
            for i, k in seen.items():
                self.assertLessEqual(k, edits[i])
        self.assertEqual(self.sql("SELECT count(*) FROM audit WHERE action = 'edit'"),
                         [(sum(edits.values()),)])
        self.assert_whole()
