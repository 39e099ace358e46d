"""Four processes on one database file at once, for a bounded number of
rounds: two save intakes (`new` through a pipe), one edits them (`edit ID`
through a pipe) and one exports.  Nobody sees "database is busy" (the busy
timeout makes them queue), every export is whole and valid, and every
intake saved is in every export that started after its save ended, once."""
import json
import re
import subprocess
import threading

from harness import BIN, WRAPPER, TIMEOUT, IntakeTest, base_answers, pipe_lines, validate_export
from test_edit import edit_lines

ROUNDS = 4 if WRAPPER else 25
SEEDS = 3
# The answers rows of an intake without treatment: every one must be there.
ANSWER_IDS = {"consent_storage", "uses_rogaine", "uses_propecia", "uses_other_topical",
              "uses_other_medical", "wants_root_cause_help"}


class FourAtOnce(IntakeTest):
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
        self.assertEqual(self.sql("PRAGMA integrity_check"), [("ok",)])
