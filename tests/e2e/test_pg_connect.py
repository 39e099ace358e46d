"""Connecting to a PostgreSQL server (docs/server.md, src/db_pg.c): one line
and exit 1 for a server that is down, a login refused, a database missing,
a database without our schema or of another version; and the TLS rule for
real, on a server of its own listening on this machine's non-loopback
address with a certificate: a remote connection with sslmode weaker than
require is refused unless the studio set allow_insecure_server, require
and verify-full pass, verify-full with the wrong name is refused; and a
SCRAM login whose password comes from ~/.pgpass, PGPASSWORD or a service
file (none or a wrong one: one line; a ~/.pgpass others can read: named
in one line, without libpq's own warning; never the password shown).  When
the server cannot start, or the machine has no non-loopback address,
every test here fails (setUpModule raises), none is skipped."""
import os
import socket
import subprocess
import sys
import tempfile

from harness import ROOT, IntakeTest

sys.path.insert(0, os.path.join(ROOT, "tests", "pg"))
import pgserver  # noqa: E402

NAME = "db.smp.test"    # the certificate's name (not resolved: hostaddr gives the address)
PW_LOGIN = "smp_pw"     # a workstation's login that needs its password (SCRAM)
PASSWORD = "Reception-2026-Zoë"
server = None
address = None
certdir = None


def non_loopback_address():
    """An IPv4 address of this machine that is not loopback."""
    out = subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split()
    for a in out:
        try:
            socket.inet_aton(a)
        except OSError:
            continue
        if not a.startswith("127."):
            return a
    raise pgserver.PgServerError("this machine has no non-loopback IPv4 address "
                                 "(hostname -I: %r): the TLS rule cannot be tried" % out)


def certificate(folder):
    """A self-signed certificate for NAME and its key (PEM bytes)."""
    key, crt = os.path.join(folder, "server.key"), os.path.join(folder, "server.crt")
    r = subprocess.run(["openssl", "req", "-new", "-x509", "-days", "2", "-nodes",
                        "-newkey", "rsa:2048", "-subj", "/CN=" + NAME,
                        "-addext", "subjectAltName=DNS:" + NAME,
                        "-keyout", key, "-out", crt], capture_output=True, text=True)
    if r.returncode != 0:
        raise pgserver.PgServerError("openssl could not make a certificate: " + r.stderr)
    with open(key, "rb") as k, open(crt, "rb") as c:
        return k.read(), c.read()


def setUpModule():
    global server, address, certdir
    address = non_loopback_address()
    certdir = tempfile.mkdtemp(prefix="smp-pg-cert-")
    key, crt = certificate(certdir)
    server = pgserver.PgServer(
        settings={"listen_addresses": "'%s'" % address, "ssl": "on",
                  "ssl_cert_file": "server.crt", "ssl_key_file": "server.key"},
        hba=["hostssl all %s %s/32 scram-sha-256" % (PW_LOGIN, address),
             "hostssl all all %s/32 trust" % address,
             "hostnossl all all %s/32 trust" % address],
        files={"server.crt": crt, "server.key": key})
    try:
        server.start()
        server.make_template()
        server.psql("SET password_encryption = 'scram-sha-256'; CREATE ROLE %s LOGIN PASSWORD "
                    "'%s' IN ROLE smp_intake" % (PW_LOGIN, PASSWORD), database="postgres")
    except BaseException:
        server.stop()
        raise


def tearDownModule():
    if server:
        server.stop()


class OwnDatabase(IntakeTest):
    """A test with a database of its own on the module's server."""

    def setUp(self):
        super().setUp()
        self.name = "c%d_%d" % (os.getpid(), id(self) % 100000)
        server.new_database(self.name)
        self.addCleanup(server.drop_database, self.name)
        self.local = server.uri(database=self.name, user=pgserver.APP_LOGIN)

    def remote(self, **params):
        query = "&".join("%s=%s" % kv for kv in params.items())
        return "postgresql://%s@%s:5432/%s%s" % (pgserver.APP_LOGIN, address, self.name,
                                                 "?" + query if query else "")

    def one_line(self, db, *args):
        p = self.run_cmd("--db", db, *args)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
        self.assertTrue(p.stderr.startswith("smp-intake: "), p.stderr)
        return p.stderr

    def works(self, db, env=None):
        p = self.run_cmd("--db", db, "config", "get", "minimum_age", env=env)
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "18\n", ""))


class Connect(OwnDatabase):
    def test_the_socket_needs_no_tls(self):
        self.works(self.local)

    def test_a_remote_server_without_tls_is_refused_until_the_studio_allows_it(self):
        for mode in ("disable", "allow", "prefer", None):
            with self.subTest(sslmode=mode):
                db = self.remote(sslmode=mode) if mode else self.remote()
                err = self.one_line(db, "config", "get", "minimum_age")
                self.assertIn("is reached over the network with sslmode=%s" % (mode or "prefer"),
                              err)
                self.assertIn("allow_insecure_server", err)
        p = self.run_cmd("--db", self.local, "config", "set", "allow_insecure_server", "yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.works(self.remote(sslmode="disable"))
        # The server saw a connection without TLS: allowed, not upgraded.
        p = self.run_cmd("--db", self.local, "config", "set", "allow_insecure_server", "no")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.one_line(self.remote(sslmode="disable"), "config", "get", "minimum_age")

    def test_require_and_verify_full_pass(self):
        self.works(self.remote(sslmode="require"))
        crt = os.path.join(certdir, "server.crt")
        good = "postgresql://%s@%s:5432/%s?hostaddr=%s&sslmode=verify-full&sslrootcert=%s" % (
            pgserver.APP_LOGIN, NAME, self.name, address, crt)
        self.works(good)
        wrong = good.replace(NAME, "wrong.smp.test", 1)
        err = self.one_line(wrong, "config", "get", "minimum_age")
        self.assertIn("cannot connect to the server", err)

    def test_a_password_in_the_address_is_refused_before_connecting(self):
        p = self.run_cmd("--db", self.remote(password="secret"), "config", "list")
        self.assertEqual(p.returncode, 2)
        self.assertIn("password in the server's address is refused", p.stderr)


class Passwords(OwnDatabase):
    """The password of a SCRAM login from libpq's own means only: ~/.pgpass,
    PGPASSWORD, a service file; never shown."""

    def setUp(self):
        super().setUp()
        self.home = os.path.join(self.tmp, "home")
        os.mkdir(self.home, 0o700)
        self.uri_pw = "postgresql://%s@%s:5432/%s?sslmode=require" % (PW_LOGIN, address,
                                                                       self.name)

    def env_without(self, **more):
        env = dict(self.env, HOME=self.home, **more)
        for k in ("PGPASSWORD", "PGPASSFILE", "PGSERVICEFILE", "PGSERVICE"):
            if k not in more:
                env.pop(k, None)
        return env

    def run_as(self, env, db=None):
        p = self.run_cmd("--db", db or self.uri_pw, "config", "get", "minimum_age", env=env)
        self.assertNotIn(PASSWORD, p.stdout + p.stderr)
        return p

    def pgpass(self, mode, password=PASSWORD):
        path = os.path.join(self.home, ".pgpass")
        with open(path, "w") as f:
            f.write("%s:5432:%s:%s:%s\n" % (address, self.name, PW_LOGIN, password))
        os.chmod(path, mode)
        return path

    def test_from_pgpass(self):
        self.pgpass(0o600)
        p = self.run_as(self.env_without())
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "18\n", ""))

    def test_from_pgpassword(self):
        p = self.run_as(self.env_without(PGPASSWORD=PASSWORD))
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "18\n", ""))

    def test_from_a_service_file(self):
        self.pgpass(0o600)
        services = os.path.join(self.tmp, "pg_service.conf")
        with open(services, "w") as f:
            f.write("[studio]\nhost=%s\nport=5432\ndbname=%s\nuser=%s\nsslmode=require\n"
                    % (address, self.name, PW_LOGIN))
        p = self.run_as(self.env_without(PGSERVICEFILE=services),
                        db="postgresql://?service=studio")
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "18\n", ""))

    def test_none_or_a_wrong_one_is_one_line(self):
        for env in (self.env_without(), self.env_without(PGPASSWORD="wrong")):
            p = self.run_as(env)
            self.assertEqual((p.returncode, p.stdout), (1, ""), p.stderr)
            self.assertEqual(p.stderr, "smp-intake: the server refused the login of '%s' (check "
                             "~/.pgpass, PGPASSWORD or the server's pg_hba.conf: "
                             "docs/server.md)\n" % PW_LOGIN)

    def test_a_pgpass_others_can_read_is_named_in_one_line(self):
        # libpq would ignore it with a WARNING of its own on stderr.
        path = self.pgpass(0o644)
        p = self.run_as(self.env_without())
        self.assertEqual((p.returncode, p.stdout), (1, ""), p.stderr)
        self.assertEqual(p.stderr, "smp-intake: the server asks for a password, and %s is not "
                         "used while others can read it: chmod 600 %s\n" % (path, path))
        # Where no password is asked for, such a file is no obstacle.
        self.works(self.local, env=self.env_without())
        os.chmod(path, 0o600)
        self.assertEqual(self.run_as(self.env_without()).returncode, 0)


class Refusals(IntakeTest):
    def setUp(self):
        super().setUp()
        self.name = "r%d_%d" % (os.getpid(), id(self) % 100000)

    def uri(self, database=None, user=pgserver.APP_LOGIN):
        return server.uri(database=database or self.name, user=user)

    def one_line(self, db):
        p = self.run_cmd("--db", db, "config", "list")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
        return p.stderr

    def test_a_database_missing(self):
        self.assertEqual(self.one_line(self.uri(database="nowhere")),
                         "smp-intake: the server has no database 'nowhere' (an administrator "
                         "makes it: docs/server.md)\n")

    def test_a_login_refused(self):
        server.new_database(self.name)
        self.addCleanup(server.drop_database, self.name)
        self.assertEqual(self.one_line(self.uri(user="nobody")),
                         "smp-intake: the server refused the login of 'nobody' (check "
                         "~/.pgpass, PGPASSWORD or the server's pg_hba.conf: docs/server.md)\n")

    def test_a_database_without_our_schema(self):
        server.psql("CREATE DATABASE %s" % self.name, database="postgres")
        self.addCleanup(server.drop_database, self.name)
        self.assertIn("has no smp-intake schema", self.one_line(self.uri(user=pgserver.SUPERUSER)))

    def test_a_schema_newer_or_older(self):
        server.new_database(self.name)
        self.addCleanup(server.drop_database, self.name)
        server.psql("INSERT INTO schema_version (version, applied_at) VALUES (99, now())",
                    database=self.name)
        self.assertIn("made for a newer smp-intake (schema 99", self.one_line(self.uri()))
        # A server one migration behind this program (its CHECK knows no
        # older one: the administrator's table as an older program left it).
        server.psql("ALTER TABLE schema_version DROP CONSTRAINT schema_version_version_check; "
                    "DELETE FROM schema_version; INSERT INTO schema_version (version, applied_at) "
                    "VALUES (11, now())", database=self.name)
        err = self.one_line(self.uri())
        self.assertIn("is at schema 11", err)
        self.assertIn("schema/postgresql/012_*.sql", err)

    def test_the_server_down(self):
        other = pgserver.PgServer().start()
        uri = other.uri(user=pgserver.SUPERUSER)
        other.stop()
        err = self.one_line(uri)
        self.assertTrue(err.startswith("smp-intake: cannot reach the server"), err)
