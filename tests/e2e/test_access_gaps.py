"""Issue 14, the access log says too much, never too little: every command
that prints a client's data (signoff, edit, acknowledge, resume, history,
contact besides show, advice, export and erase) writes its row before the
first byte of that data leaves the process; a reader that goes away
(`export | head`) ends the run with exit 1 and the row written; `export`
to a full device says so in one line; `export -o FILE --force` replaces
only a regular file.  Binary runs are kept few (valgrind runs each one)."""
import os
import re
import sqlite3
import stat
import subprocess

from harness import BIN, TIMEOUT, WRAPPER, base_answers
from test_edit import edit_lines
from test_pipe_intake import PipeTest

# Under valgrind (make valgrind) every run takes seconds: a sample of each
# table below, the full tables otherwise.
def sample(cases, keep):
    return [c for i, c in enumerate(cases) if i in keep] if WRAPPER else cases


def without_valgrind(text):
    """stderr without valgrind's own lines (its leak summary at _exit)."""
    return "".join(line for line in text.splitlines(True) if not re.match(r"==\d+==", line))


ANA = base_answers(first_name="Ana", last_name="Silva", date_of_birth="1985-07-23")
BEA = base_answers(first_name="Bea", last_name="Rowe", date_of_birth="1990-01-01",
                   uses_rogaine="yes", rogaine_form="foam", rogaine_since="2024-01-10",
                   gp_discussed="yes", gp_signoff="pending", acknowledged_by=None)


class GapsTest(PipeTest):
    def rows(self):
        """(command, clients) of every row, oldest first."""
        return self.sql("SELECT command, clients FROM access_log ORDER BY id")

    def two_clients(self):
        self.new_intake(ANA)  # intake 1, client 1
        self.new_intake(BEA)  # intake 2, client 2: unacknowledged, sign-off pending

    def run_closed(self, *args, input=b""):
        """Runs the binary with standard output a pipe nobody reads (its
        reading end closed before the start: the first write fails, as
        when `head` has had its lines).  Returns (exit status, stderr)."""
        r, w = os.pipe()
        os.close(r)
        try:
            p = subprocess.run(WRAPPER + [BIN, *args], input=input, stdout=w,
                               stderr=subprocess.PIPE, env=self.env, timeout=TIMEOUT * 3)
        finally:
            os.close(w)
        return p.returncode, without_valgrind(p.stderr.decode("utf-8", "replace"))


class EveryCommandThatPrintsData(GapsTest):
    def test_each_writes_its_row_before_it_prints(self):
        self.two_clients()
        cases = [
            (["history", "1"], None, ("history", "1"), "Ana"),
            (["signoff", "2", "--status", "pending"], None, ("signoff", "2"), "Bea"),
            (["edit", "1"], edit_lines(ANA, {"phone": "+44 7700 900124"}), ("edit", "1"),
             "Ana"),
            (["acknowledge", "2", "--name", "Bea Rowe"], None, ("acknowledge", "2"), None),
            (["contact", "2", "--phone", "07700 900555"], None, ("contact", "2"), None),
        ]
        for argv, data, row, name in cases:
            with self.subTest(argv=argv):
                before = self.rows()
                p = self.run_cmd(*argv, input=data)
                self.assertEqual(p.returncode, 0, p.stderr)
                if name:
                    self.assertIn(name, p.stdout)
                self.assertEqual(self.rows()[len(before):], [row])

    def test_resume_logs_the_drafts_client_or_nobody_yet(self):
        self.new_intake(ANA)
        (rev,) = self.sql("SELECT revision FROM intake WHERE id = 1")[0]
        self.sql_write("INSERT INTO draft (id, intake_id, base_revision, client_id, "
                       "next_question, started_at, updated_at, staff) VALUES "
                       "(1, 1, ?, 1, 'phone', '2026-01-01T00:00:00Z', "
                       "'2026-01-01T00:00:00Z', 'Dana Staff')", rev)
        self.sql_write("INSERT INTO draft (id, next_question, started_at, updated_at, staff) "
                       "VALUES (2, 'last_name', '2026-01-01T00:00:00Z', "
                       "'2026-01-01T00:00:00Z', 'Dana Staff')")
        self.sql_write("INSERT INTO draft_answer VALUES (2, 'first_name', 'Quinn')")
        # No answers follow (standard input is empty): the draft stays, but
        # it was opened, and its answers may have been printed.
        self.run_cmd("resume", "1")
        self.run_cmd("resume", "2")
        self.assertEqual(self.rows(), [("resume", "1"), ("resume", "")])

    def test_a_refused_row_stops_the_command_before_any_output(self):
        self.two_clients()
        self.sql_write("CREATE TRIGGER refuse BEFORE INSERT ON access_log "
                       "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")
        before = [t for t in self.snapshot() if t[0] != "access_log"]
        for argv, data in sample([(["history", "1"], None),
                                  (["signoff", "2", "--status", "pending"], None),
                                  (["edit", "1"], edit_lines(ANA, {"phone": "+44 7700 900124"})),
                                  (["acknowledge", "2", "--name", "Bea Rowe"], None)], {1}):
            with self.subTest(argv=argv):
                p = self.run_cmd(*argv, input=data)
                self.assert_one_line_error(p)
                self.assertIn("cannot record this in the access log: refused by the test",
                              p.stderr)
                self.assertEqual(p.stdout, "")
        # and nothing was saved by the commands that write
        self.assertEqual([t for t in self.snapshot() if t[0] != "access_log"], before)

    def sql_write(self, query, *params):
        con = sqlite3.connect(self.db)
        with con:
            con.execute(query, params)
        con.close()


class AReaderThatGoesAway(GapsTest):
    """`smp-intake export | head`: the reader stops, the next write fails.
    The run ends with exit 1 (not killed by SIGPIPE), says nothing more, and
    its row is in the log."""

    def test_exit_1_and_the_row_is_written(self):
        self.two_clients()
        cases = sample([
            (["export"], ("export", "1-2")),
            (["export", "--format", "csv"], ("export", "1-2")),
            (["export", "--client", "1"], ("export", "1")),
            (["show", "1"], ("show", "1")),
            (["history", "1"], ("history", "1")),
            (["signoff", "2", "--status", "pending"], ("signoff", "2")),
        ], {0, 4})
        for argv, row in cases:
            with self.subTest(argv=argv):
                before = self.rows()
                code, err = self.run_closed(*argv)
                self.assertEqual(code, 1, err)
                self.assertEqual(err, "")
                self.assertEqual(self.rows()[len(before):], [row])

    def test_a_full_device_is_one_line(self):
        self.new_intake(ANA)
        for argv in sample([["export"], ["export", "--format", "csv"],
                            ["export", "--client", "1"]], {0}):
            with self.subTest(argv=argv):
                with open("/dev/full", "wb") as full:
                    p = subprocess.run(WRAPPER + [BIN, *argv], stdout=full,
                                       stderr=subprocess.PIPE, env=self.env,
                                       timeout=TIMEOUT * 3)
                err = without_valgrind(p.stderr.decode())
                self.assertEqual(p.returncode, 1, err)
                self.assertEqual(err.count("\n"), 1, err)
                self.assertRegex(err, r"^smp-intake: cannot write .*: No space left on device\n$")


class ForceReplacesOnlyFiles(GapsTest):
    def test_a_pipe_a_folder_a_device_and_links_to_them_are_refused(self):
        self.new_intake(ANA)
        folder = os.path.join(self.tmp, "out")
        os.mkdir(folder)
        fifo = os.path.join(folder, "fifo")
        os.mkfifo(fifo)
        sub = os.path.join(folder, "sub")
        os.mkdir(sub)
        to_fifo = os.path.join(folder, "to-fifo")
        os.symlink("fifo", to_fifo)
        to_sub = os.path.join(folder, "to-sub")
        os.symlink("sub", to_sub)
        targets = [fifo, sub, to_fifo, to_sub]
        if os.geteuid() == 0:
            # A null device of the test's own (never /dev/null itself:
            # the code before this fix would replace it).
            dev = os.path.join(folder, "null")
            os.mknod(dev, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
            targets.append(dev)
        kinds = {t: os.lstat(t).st_mode for t in targets}
        for target in sample(targets, {0}):
            for argv in sample([["export", "-o", target, "--force"],
                                ["export", "--client", "1", "-o", target, "--force"]], {0}):
                with self.subTest(argv=argv):
                    p = self.run_cmd(*argv)
                    self.assert_one_line_error(p)
                    self.assertIn("is not a regular file", p.stderr)
                    self.assertEqual(os.lstat(target).st_mode, kinds[target])
        self.assertEqual(sorted(os.listdir(folder)),
                         sorted(os.path.basename(t) for t in targets))
        self.assertEqual(os.listdir(sub), [])
        # a regular file, and a link to one (the link itself), are replaced
        plain = os.path.join(folder, "plain.json")
        with open(plain, "w") as f:
            f.write("old")
        os.symlink("plain.json", os.path.join(folder, "to-plain"))
        for target in sample([plain, os.path.join(folder, "to-plain")], {1}):
            p = self.run_cmd("export", "-o", target, "--force")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertTrue(stat.S_ISREG(os.lstat(target).st_mode))
            with open(target) as f:
                self.assertIn('"first_name":"Ana"', f.read())
        # - is standard output
        p = self.run_cmd("export", "-o", "-", "--force")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn('"first_name":"Ana"', p.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "-")))
