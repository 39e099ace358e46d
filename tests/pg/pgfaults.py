"""Faults on a throwaway PostgreSQL server for the end-to-end tests
(tests/e2e/test_pg_faults.py, test_pg_concurrency.py): a server of a test
module's own (tests/pg/pgserver.py), which a test may stop, whose backends
it may end, and whose data folder may sit on a small tmpfs that a test
fills.  Anything that keeps a fault from being set up raises: the tests
fail with the reason, they never skip.

    server = pgfaults.start()              # in setUpModule
    server = pgfaults.start(tmpfs_mb=160)  # its folder on a tmpfs (root)
"""
import os
import subprocess
import tempfile
import time

import pgserver

# The studio's write lock (db_pg.c's WRITE_LOCK): "SMPI".
WRITE_LOCK = 1397575753


class FaultServer(pgserver.PgServer):
    """A PgServer whose folder may be a tmpfs mount of its own."""

    def __init__(self, tmpfs_mb=None):
        super().__init__()
        self.tmpfs_mb = tmpfs_mb
        self.mount = None
        self.filler = None

    def start(self):
        if self.tmpfs_mb:
            self._mount()
        try:
            old = tempfile.tempdir
            tempfile.tempdir = self.mount or old
            try:
                return super().start()
            finally:
                tempfile.tempdir = old
        except BaseException:
            self._unmount()
            raise

    def stop(self):
        try:
            super().stop()
        finally:
            self._unmount()

    def _mount(self):
        if os.geteuid() != 0:
            raise pgserver.PgServerError(
                "a full disk under the server needs a tmpfs, and mounting one needs root "
                "(the tests run as root in CI)")
        self.mount = tempfile.mkdtemp(prefix="smp-pgfull-")
        os.chmod(self.mount, 0o755)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dm,mode=0755" % self.tmpfs_mb,
                            "smp-pgfull", self.mount], capture_output=True, text=True)
        if r.returncode != 0:
            os.rmdir(self.mount)
            self.mount = None
            raise pgserver.PgServerError("cannot mount a tmpfs for the server's data folder: %s"
                                         % (r.stderr.strip() or "exit %d" % r.returncode))

    def _unmount(self):
        if self.mount:
            subprocess.run(["umount", "-l", self.mount], capture_output=True)
            try:
                os.rmdir(self.mount)
            except OSError:
                pass
            self.mount = None

    # -- the faults
    def fill_disk(self):
        """Fills the tmpfs to the last byte (a file of root's beside the
        server's folder), after a checkpoint wrote what the server held."""
        self.psql("CHECKPOINT", database="postgres")
        self.filler = os.path.join(self.mount, "filler")
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            for size in (1 << 20, 4096, 1):
                try:
                    while os.write(fd, b"\0" * size) > 0:
                        pass
                except OSError:
                    pass
        finally:
            os.close(fd)

    def free_disk(self):
        if self.filler:
            os.unlink(self.filler)
            self.filler = None

    def kill_immediately(self):
        """pg_ctl stop -m immediate: the server gone without a shutdown."""
        self._as_server_user([pgserver._tool("pg_ctl"), "stop", "-w", "-t", "30", "-m",
                              "immediate", "-D", self.data], "pg_ctl stop")

    def restart(self):
        opts = " ".join("-c %s=%s" % kv for kv in pgserver.SETTINGS.items())
        opts += " -c unix_socket_directories='%s'" % self.socket_dir
        self._as_server_user([pgserver._tool("pg_ctl"), "start", "-w", "-t", "30", "-D",
                              self.data, "-l", self.log, "-o", opts], "pg_ctl start")

    def wait_ready(self, timeout=30):
        """Waits until the server takes connections again (after a
        backend's crash it restarts every backend and recovers)."""
        end = time.time() + timeout
        while True:
            r = self.psql("SELECT 1", database="postgres", check=False)
            if r.returncode == 0:
                return
            if time.time() > end:
                raise AssertionError("the server did not come back: %s" % r.stderr.strip())
            time.sleep(0.1)

    def backends(self, database, login=pgserver.APP_LOGIN):
        """The pids of the backends serving login on database."""
        r = self.psql("SELECT pid FROM pg_stat_activity WHERE datname = '%s' AND usename = '%s'"
                      % (database, login), database="postgres")
        return [int(x) for x in r.stdout.split()]

    def pause_at(self, database, table, at_commit=False, seconds=60):
        """Makes every INSERT into table sleep seconds (a trigger of the
        superuser's): a save stops there, inside its transaction; with
        at_commit, a deferred trigger, so the save stops in its COMMIT."""
        self.psql("CREATE FUNCTION smp_test_pause() RETURNS trigger LANGUAGE plpgsql AS "
                  "$$ BEGIN PERFORM pg_sleep(%d); RETURN NEW; END $$" % seconds, database=database)
        if at_commit:
            self.psql("CREATE CONSTRAINT TRIGGER smp_test_pause AFTER INSERT ON %s "
                      "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                      "EXECUTE FUNCTION smp_test_pause()" % table, database=database)
        else:
            self.psql("CREATE TRIGGER smp_test_pause BEFORE INSERT ON %s FOR EACH ROW "
                      "EXECUTE FUNCTION smp_test_pause()" % table, database=database)

    def wait_paused(self, database, timeout=20):
        """The pid of the backend that sleeps in pause_at()'s trigger."""
        end = time.time() + timeout
        while time.time() < end:
            r = self.psql("SELECT pid FROM pg_stat_activity WHERE datname = '%s' AND "
                          "wait_event = 'PgSleep'" % database, database="postgres")
            if r.stdout.split():
                return int(r.stdout.split()[0])
            time.sleep(0.05)
        raise AssertionError("no save reached the paused INSERT within %ds" % timeout)

    def wait_lock_waiters(self, database, n, timeout=20):
        """Waits until n backends wait for the studio's write lock."""
        end = time.time() + timeout
        while time.time() < end:
            r = self.psql("SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = "
                          "l.database WHERE d.datname = '%s' AND l.locktype = 'advisory' AND "
                          "NOT l.granted" % database, database="postgres")
            if int(r.stdout.strip() or 0) >= n:
                return
            time.sleep(0.05)
        raise AssertionError("%d saves did not wait for the write lock within %ds"
                             % (n, timeout))


def start(tmpfs_mb=None):
    """A started FaultServer with the template (make_template())."""
    server = FaultServer(tmpfs_mb)
    server.start()
    try:
        server.make_template()
    except BaseException:
        server.stop()
        raise
    return server


def use(test, server):
    """Points an IntakeTest at a new database of server's: self.db its
    URI, self.sql()/snapshot() reading it (harness.pg_server() is server
    until the test ends; IntakeTest.tearDown drops the database)."""
    import harness
    old = harness._pg_server
    harness._pg_server = server
    test.addCleanup(setattr, harness, "_pg_server", old)
    test.pg_database = "f%d_%s" % (os.getpid(), test._testMethodName[-40:].lower())
    test.db = server.new_database(test.pg_database)
    test.env["SMP_INTAKE_DB"] = test.db
