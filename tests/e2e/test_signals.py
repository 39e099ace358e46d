"""Issue 14, files and processes we did not make: Ctrl-C, SIGTERM or SIGHUP
during `export -o FILE` remove the hidden temporary file of client records
(SIGKILL cannot be caught: its leftover stays, private, as docs/security.md
says); and no core dump of client data is ever written.

The export is held at a known moment, not raced: another connection holds
the write lock, so the export waits for it to write its access log row,
with its temporary file made and no byte of the records in it yet."""
import os
import resource
import signal
import sqlite3
import stat
import subprocess
import time

import pexpect

from harness import BIN, TIMEOUT, WRAPPER, IntakeTest, base_answers
from ptyutil import PROMPTS


def default_signals():
    """In the child: the signals the tests send at their default action.
    A run started in the background by a shell (`.ci/run &`) or under
    nohup inherits SIGINT, SIGQUIT or SIGHUP ignored, and the program
    rightly leaves an ignored signal ignored."""
    for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGHUP, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)


def temporaries(folder):
    return [n for n in os.listdir(folder) if n.startswith(".smp-intake-")]


class TemporaryExportFile(IntakeTest):
    def setUp(self):
        super().setUp()
        self.new_intake(base_answers())
        self.folder = os.path.join(self.tmp, "out")
        os.mkdir(self.folder)

    def held_export(self, *argv):
        """Starts `export ARGV -o FILE` while the write lock is held, and
        returns (process, FILE, the lock's connection) once the temporary
        file is there."""
        lock = sqlite3.connect(self.db, isolation_level=None)
        lock.execute("BEGIN IMMEDIATE")
        self.addCleanup(lock.close)
        target = os.path.join(self.folder, "export.json")
        p = subprocess.Popen(WRAPPER + [BIN, "export", *argv, "-o", target],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=self.env, preexec_fn=default_signals)
        self.addCleanup(p.kill)
        deadline = time.monotonic() + TIMEOUT
        while not temporaries(self.folder):
            if p.poll() is not None:
                self.fail("the export ended: %r" % (p.communicate(),))
            self.assertLess(time.monotonic(), deadline, "no temporary file appeared")
            time.sleep(0.01)
        return p, target, lock

    def test_sigint_sigterm_and_sighup_remove_it(self):
        # Under valgrind (make valgrind), where each run takes seconds, one
        # signal for each form.
        for argv in ([], ["--client", "1"]):
            for sig in ([signal.SIGTERM] if WRAPPER else
                        [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]):
                with self.subTest(argv=argv, signal=sig.name):
                    p, target, lock = self.held_export(*argv)
                    p.send_signal(sig)
                    p.communicate(timeout=TIMEOUT)
                    lock.execute("ROLLBACK")
                    # ended by the signal itself, as a shell expects
                    self.assertEqual(p.returncode, -sig)
                    self.assertEqual(os.listdir(self.folder), [])

    def test_sigkill_leaves_it_private(self):
        p, target, lock = self.held_export()
        p.kill()
        p.communicate(timeout=TIMEOUT)
        lock.execute("ROLLBACK")
        left = temporaries(self.folder)
        self.assertEqual(len(left), 1)
        self.assertFalse(os.path.exists(target))
        mode = os.stat(os.path.join(self.folder, left[0])).st_mode
        self.assertEqual(stat.S_IMODE(mode), 0o600)


class TemporaryImportDatabase(IntakeTest):
    """import into a database that does not exist yet builds it under a
    hidden temporary name beside it, linked into place only when the
    import succeeds: a signal while it is built removes it and its -wal,
    -shm and -journal (they hold the records read so far)."""

    def test_a_signal_during_import_into_a_new_database_leaves_nothing(self):
        self.new_intake(base_answers())
        data = self.run_cmd("export").stdout.encode()
        folder = os.path.join(self.tmp, "new")
        os.mkdir(folder)
        env = dict(self.env, SMP_INTAKE_DB=os.path.join(folder, "intake.db"))
        for sig in ([signal.SIGTERM] if WRAPPER else
                    [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]):
            with self.subTest(signal=sig.name):
                p = subprocess.Popen(WRAPPER + [BIN, "import", "-"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                     preexec_fn=default_signals)
                self.addCleanup(p.kill)
                # Half the records: the import waits for the rest with
                # its temporary database made.
                p.stdin.write(data[:len(data) // 2])
                p.stdin.flush()
                deadline = time.monotonic() + TIMEOUT
                while not temporaries(folder):
                    self.assertIsNone(p.poll(), "the import ended early")
                    self.assertLess(time.monotonic(), deadline, "no temporary database appeared")
                    time.sleep(0.01)
                p.send_signal(sig)
                p.communicate(timeout=TIMEOUT)
                self.assertEqual(p.returncode, -sig)
                self.assertEqual(os.listdir(folder), [])


class NoCoreDump(IntakeTest):
    """`ulimit -c unlimited`, then Ctrl-\\ (SIGQUIT) at a question: the core
    would hold the answers given so far."""

    def test_sigquit_at_a_prompt_writes_no_core(self):
        if WRAPPER:
            self.skipTest("valgrind writes its own vgcore files and keeps its own limits")
        cwd = os.path.join(self.tmp, "cwd")
        os.mkdir(cwd)

        def unlimited():
            default_signals()
            resource.setrlimit(resource.RLIMIT_CORE,
                               (resource.RLIM_INFINITY, resource.RLIM_INFINITY))

        child = pexpect.spawn(BIN, ["new"], env=self.env, cwd=cwd, encoding="utf-8",
                              timeout=TIMEOUT, dimensions=(200, 100), preexec_fn=unlimited)
        self.addCleanup(child.close, force=True)
        child.expect_exact(PROMPTS["consent_storage"])
        child.sendline("yes")
        child.expect_exact(PROMPTS["first_name"])
        child.sendline("Quillon")
        child.expect_exact(PROMPTS["last_name"])
        # The process's own limit, as the kernel sees it: soft and hard 0.
        with open("/proc/%d/limits" % child.pid) as f:
            core = [line.split() for line in f if line.startswith("Max core file size")][0]
        self.assertEqual(core[4:6], ["0", "0"], core)
        if os.geteuid() != 0:
            # Not dumpable: its /proc files belong to root.
            self.assertEqual(os.stat("/proc/%d" % child.pid).st_uid, 0)
        child.kill(signal.SIGQUIT)
        child.expect(pexpect.EOF)
        child.close()
        self.assertEqual(child.signalstatus, signal.SIGQUIT)
        # The kernel sets the core flag of the wait status when it dumped
        # (to a file or to a core_pattern handler alike).
        self.assertFalse(os.WCOREDUMP(child.status), "a core was dumped")
        self.assertEqual([n for n in os.listdir(cwd) if n.startswith("core")], [])
