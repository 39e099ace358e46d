"""A throwaway PostgreSQL server for the tests (docs/testing.md).

    with PgServer() as pg:
        pg.psql("SELECT 1")                     # as the superuser "smp"
        pg.uri                                  # postgresql:///smp_test?host=...

Debian's PostgreSQL 15 (initdb and pg_ctl from /usr/lib/postgresql/15/bin)
makes a cluster in a new temporary folder that holds its data and its Unix
socket; it listens on no TCP port (listen_addresses='') and trusts the
socket, which only its owner can reach (the folder is 0700).  PostgreSQL
refuses to run as root, so when the tests run as root (CI) the folder
belongs to the unprivileged system user smp-pgtest, made with useradd if it
is missing, and the server runs as that user through runuser.  One database,
smp_test, is made with the extensions unaccent and pg_trgm (Debian's
postgresql-contrib).  stop() stops the server and removes the folder.

Anything that keeps the server from starting raises PgServerError with the
reason (and the end of the server's log): the tests that need a server fail,
they never skip.  fsync off and small buffers make a start and a stop take
about a second.
"""
import atexit
import os
import pwd
import shutil
import subprocess
import tempfile

PG_BIN = os.environ.get("SMP_PG_BIN", "/usr/lib/postgresql/15/bin")
TEST_USER = "smp-pgtest"      # the system user the server runs as under root
SUPERUSER = "smp"             # the cluster's superuser (initdb -U)
DATABASE = "smp_test"
TEMPLATE = "smp_template"     # the schema applied once; each test's database is a copy
APP_LOGIN = "smp_app"         # a workstation's login, member of smp_intake (roles.sql)
SCHEMA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "schema", "postgresql")
EXTENSIONS = ("unaccent", "pg_trgm")
SETTINGS = {
    "listen_addresses": "''",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "16MB",
    "max_connections": "20",
    "max_wal_senders": "0",
    "wal_level": "minimal",
    "log_min_messages": "warning",
}


class PgServerError(Exception):
    """The throwaway server could not be made, started or used."""


def _tool(name):
    path = os.path.join(PG_BIN, name)
    if not os.access(path, os.X_OK):
        raise PgServerError(
            "no %s: PostgreSQL 15 is not installed (make test-deps installs Debian's "
            "postgresql and postgresql-contrib)" % path)
    return path


def _unprivileged_user():
    """The system user the server runs as when we are root: smp-pgtest,
    made (no home, no login shell) when it is missing."""
    try:
        return pwd.getpwnam(TEST_USER)
    except KeyError:
        pass
    r = subprocess.run(["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                        "--shell", "/usr/sbin/nologin", TEST_USER],
                       capture_output=True, text=True)
    try:
        return pwd.getpwnam(TEST_USER)
    except KeyError:
        raise PgServerError("cannot make the system user %s to run PostgreSQL as (useradd: %s)"
                            % (TEST_USER, r.stderr.strip() or "exit %d" % r.returncode))


class PgServer:
    def __init__(self, settings=None, hba=(), files=None):
        """settings: more server settings (e.g. listen_addresses, ssl);
        hba: lines added to pg_hba.conf; files: {name: bytes} written into
        the data folder (0600, the server's user's) before it starts, such
        as a TLS certificate and key (tests/e2e/test_pg_connect.py)."""
        self.dir = None
        self.started = False
        self.user = None
        self.settings = dict(SETTINGS, **(settings or {}))
        self.hba = list(hba)
        self.files = dict(files or {})

    # -- paths and addresses
    @property
    def data(self):
        return os.path.join(self.dir, "data")

    @property
    def socket_dir(self):
        return self.dir

    @property
    def log(self):
        return os.path.join(self.dir, "server.log")

    def uri(self, database=DATABASE, user=SUPERUSER):
        return "postgresql://%s@/%s?host=%s" % (user, database, self.socket_dir)

    def env(self):
        """The environment for libpq clients (psql) to reach the server."""
        env = dict(os.environ)
        env.update(PGHOST=self.socket_dir, PGUSER=SUPERUSER, PGDATABASE=DATABASE,
                   PGPORT="5432", PGCONNECT_TIMEOUT="10")
        for k in ("PGPASSWORD", "PGSERVICE", "PGSSLMODE", "PGOPTIONS"):
            env.pop(k, None)
        return env

    # -- running the server's own tools (as its user when we are root)
    def _as_server_user(self, argv, what, timeout=60):
        if self.user is not None:
            argv = ["runuser", "-u", self.user.pw_name, "--"] + argv
        env = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8")
        try:
            r = subprocess.run(argv, cwd=self.dir, env=env, capture_output=True, text=True,
                               timeout=timeout)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise PgServerError("%s: %s%s" % (what, e, self._log_tail()))
        if r.returncode != 0:
            raise PgServerError("%s failed (exit %d): %s%s"
                                % (what, r.returncode, (r.stderr or r.stdout).strip(),
                                   self._log_tail()))
        return r

    def _log_tail(self):
        try:
            with open(self.log, errors="replace") as f:
                lines = f.read().splitlines()[-15:]
        except OSError:
            return ""
        return ("\nserver log:\n  " + "\n  ".join(lines)) if lines else ""

    # -- start and stop
    def start(self):
        initdb, pg_ctl = _tool("initdb"), _tool("pg_ctl")
        _tool("postgres")
        if os.geteuid() == 0:
            self.user = _unprivileged_user()
        self.dir = tempfile.mkdtemp(prefix="smp-pg-")
        atexit.register(self.stop)  # a run stopped by Ctrl-C leaves no server behind
        try:
            if self.user is not None:
                os.chown(self.dir, self.user.pw_uid, self.user.pw_gid)
                if subprocess.run(["runuser", "-u", self.user.pw_name, "--", "test", "-w",
                                   self.dir], cwd="/").returncode != 0:
                    raise PgServerError(
                        "the user %s cannot reach the temporary folder %s (set TMPDIR to a "
                        "folder every user may pass through, such as /tmp)"
                        % (self.user.pw_name, self.dir))
            self._as_server_user([initdb, "-D", self.data, "-U", SUPERUSER, "--auth=trust",
                                  "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync",
                                  "--no-instructions"], "initdb")
            if self.hba:
                with open(os.path.join(self.data, "pg_hba.conf"), "a") as f:
                    f.write("".join(line + "\n" for line in self.hba))
            for name, data in self.files.items():
                path = os.path.join(self.data, name)
                with open(path, "wb") as f:
                    f.write(data)
                os.chmod(path, 0o600)
                if self.user is not None:
                    os.chown(path, self.user.pw_uid, self.user.pw_gid)
            opts = " ".join("-c %s=%s" % kv for kv in self.settings.items())
            opts += " -c unix_socket_directories='%s'" % self.socket_dir
            self._as_server_user([pg_ctl, "start", "-w", "-t", "30", "-D", self.data,
                                  "-l", self.log, "-o", opts], "pg_ctl start")
            self.started = True
            self.psql("CREATE DATABASE %s" % DATABASE, database="postgres")
            for ext in EXTENSIONS:
                self.psql("CREATE EXTENSION %s" % ext)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self):
        """Stops the server (immediately: its data is thrown away) and
        removes its folder.  Safe to call twice."""
        try:
            if self.started:
                self.started = False
                self._as_server_user([_tool("pg_ctl"), "stop", "-w", "-t", "30", "-m",
                                      "immediate", "-D", self.data], "pg_ctl stop")
        finally:
            if self.dir:
                shutil.rmtree(self.dir, ignore_errors=True)
                self.dir = None

    @classmethod
    def existing(cls, folder):
        """The server another process started in folder (its socket is
        there): for the end-to-end suite's workers (tests/e2e/run.py)."""
        server = cls()
        server.dir = folder
        st = os.stat(folder)
        if st.st_uid != os.geteuid():
            server.user = pwd.getpwuid(st.st_uid)
        return server

    def make_template(self):
        """The database TEMPLATE with the extensions, every file of
        schema/postgresql/ in name order (the schema, then roles.sql), and
        the login APP_LOGIN in the program's role: what an administrator
        sets up (docs/server.md), once per server."""
        self.psql("CREATE DATABASE %s" % TEMPLATE, database="postgres")
        for ext in EXTENSIONS:
            self.psql("CREATE EXTENSION %s" % ext, database=TEMPLATE)
        for f in sorted(os.listdir(SCHEMA_DIR)):
            if f.endswith(".sql"):
                self.psql(file=os.path.join(SCHEMA_DIR, f), database=TEMPLATE)
        self.psql("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '%s') "
                  "THEN CREATE ROLE %s LOGIN IN ROLE smp_intake; END IF; END $$"
                  % (APP_LOGIN, APP_LOGIN), database="postgres")
        return self

    def new_database(self, name):
        """A new database made from the template; returns the program's URI
        for it (as APP_LOGIN, over the socket)."""
        self.psql("CREATE DATABASE %s TEMPLATE %s" % (name, TEMPLATE), database="postgres")
        return self.uri(database=name, user=APP_LOGIN)

    def drop_database(self, name):
        self.psql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % name, database="postgres",
                  check=False)

    def connect(self, database):
        """A psycopg2 connection as the superuser (for the tests' own reads)."""
        import psycopg2
        con = psycopg2.connect(host=self.socket_dir, dbname=database, user=SUPERUSER)
        con.autocommit = True
        return con

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- clients
    def psql(self, sql=None, *, file=None, database=DATABASE, user=SUPERUSER, check=True,
             extra=()):
        """Runs psql (ON_ERROR_STOP, no psqlrc, unaligned tuples only) with
        sql or a file; returns the CompletedProcess.  check: raise
        PgServerError when psql fails."""
        argv = [_tool("psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                "-h", self.socket_dir, "-U", user, "-d", database] + list(extra)
        argv += ["-f", file] if file else ["-c", sql]
        r = subprocess.run(argv, env=self.env(), capture_output=True, text=True, timeout=60)
        if check and r.returncode != 0:
            raise PgServerError("psql %s failed: %s" % (file or sql, r.stderr.strip()))
        return r
