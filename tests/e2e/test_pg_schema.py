"""The PostgreSQL schema (schema/postgresql/, docs/server.md) against the
SQLite one the binary makes: the same tables, columns, NOT NULLs, primary
keys, CHECK values, indexes and guards; the audit and access log kept by
triggers and by the program's role's grants; the folded name search; the
schema version.  One throwaway server for the module (tests/pg/pgserver.py):
when it cannot start, every test here fails (setUpModule raises), none is
skipped."""
import glob
import os
import re
import sqlite3
import sys

from harness import ROOT, IntakeTest, base_answers

sys.path.insert(0, os.path.join(ROOT, "tests", "pg"))
import pgserver  # noqa: E402

PG_SCHEMA = os.path.join(ROOT, "schema", "postgresql")
APP_LOGIN = "smp_test_app"   # a workstation's login, member of smp_intake (roles.sql)

# What differs between the two on purpose, and nothing else:
EXPECTED = {
    # SQLite's FTS5 index and its shadow tables; on the server the search
    # is trigram indexes on client (client_search_name/_email/_phone).
    "only_sqlite_tables": {"client_search", "client_search_data", "client_search_idx",
                           "client_search_config"},
    # The server's migration table (SQLite: PRAGMA user_version).
    "only_pg_tables": {"schema_version"},
    # audit_change.seq stands for SQLite's hidden rowid (the changes' order).
    "only_pg_columns": {("audit_change", "seq")},
    # SQLite's client_search triggers keep the FTS5 index; the server's
    # indexes keep themselves.
    "only_sqlite_triggers": {"client_search_insert", "client_search_update_old",
                             "client_search_update_new", "client_search_delete"},
}
SQLITE_TYPES = {"INTEGER": {"integer", "bigint"}, "TEXT": {"text"}, "BLOB": {"bytea"}}

server = None


def setUpModule():
    global server
    server = pgserver.PgServer().start()
    try:
        for f in sorted(glob.glob(os.path.join(PG_SCHEMA, "*.sql"))):
            server.psql(file=f)
        server.psql("CREATE ROLE %s LOGIN IN ROLE smp_intake" % APP_LOGIN)
    except BaseException:
        server.stop()
        raise


def tearDownModule():
    if server:
        server.stop()


def pg(sql, user=pgserver.SUPERUSER, check=True):
    return server.psql(sql, user=user, check=check)


def pg_rows(sql):
    """The rows of a query, as lists of strings."""
    out = pg(sql).stdout
    return [line.split("|") for line in out.splitlines() if line]


def check_literals(sql_text):
    """The quoted values inside every CHECK (...) of a piece of SQL."""
    found = set()
    for m in re.finditer(r"CHECK\s*\(", sql_text, re.I):
        depth, i = 1, m.end()
        while depth and i < len(sql_text):
            depth += {"(": 1, ")": -1}.get(sql_text[i], 0)
            i += 1
        found |= set(re.findall(r"'([^']*)'", sql_text[m.end():i]))
    return found


class PgSchema(IntakeTest):
    def sqlite_db(self):
        """A fresh database as the binary makes it."""
        p = self.run_cmd("config", "set", "studio_name", "Test Studio")
        self.assertEqual(p.returncode, 0, p.stderr)
        return sqlite3.connect(self.db)

    def test_same_tables_columns_not_null_and_keys(self):
        con = self.sqlite_db()
        try:
            rows = con.execute("SELECT name, sql FROM sqlite_schema WHERE type = 'table'").fetchall()
            lite = {}
            lite_checks = {}
            for name, sql in rows:
                if name in EXPECTED["only_sqlite_tables"]:
                    continue
                cols = con.execute('PRAGMA table_info("%s")' % name).fetchall()
                # (name, type, not null, pk position); a primary key is never
                # NULL on either (INTEGER PRIMARY KEY is the rowid; the
                # others are WITHOUT ROWID or declared NOT NULL).
                lite[name] = [(c[1], c[2].upper(), bool(c[3]) or c[5] > 0, c[5]) for c in cols]
                lite_checks[name] = check_literals(sql)
            lite_indexes = {r[0] for r in con.execute(
                "SELECT name FROM sqlite_schema WHERE type = 'index' "
                "AND name NOT LIKE 'sqlite_autoindex%'")}
            lite_triggers = {r[0] for r in con.execute(
                "SELECT name FROM sqlite_schema WHERE type = 'trigger'")}
        finally:
            con.close()

        tables = {r[0] for r in pg_rows(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")}
        self.assertEqual(tables - EXPECTED["only_pg_tables"], set(lite))
        self.assertTrue(EXPECTED["only_pg_tables"] <= tables)
        for table, lite_cols in sorted(lite.items()):
            with self.subTest(table=table):
                cols = pg_rows(
                    "SELECT a.attname, format_type(a.atttypid, NULL), a.attnotnull, "
                    "coalesce(array_position(i.indkey::int2[], a.attnum) "
                    "- array_lower(i.indkey::int2[], 1) + 1, 0) "
                    "FROM pg_attribute a LEFT JOIN pg_index i "
                    "ON i.indrelid = a.attrelid AND i.indisprimary "
                    "WHERE a.attrelid = 'public.%s'::regclass AND a.attnum > 0 "
                    "AND NOT a.attisdropped ORDER BY a.attnum" % table)
                got = [(c[0], c[1], c[2] == "t", int(c[3])) for c in cols
                       if (table, c[0]) not in EXPECTED["only_pg_columns"]]
                self.assertEqual([(c[0], c[2], c[3]) for c in got],
                                 [(c[0], c[2], c[3]) for c in lite_cols])
                for (name, pgtype, _, _), (_, ltype, _, _) in zip(got, lite_cols):
                    self.assertIn(pgtype, SQLITE_TYPES[ltype], "%s.%s" % (table, name))
                pg_checks = check_literals("\n".join(r[0] for r in pg_rows(
                    "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = 'public.%s'::regclass AND contype = 'c'" % table)))
                self.assertEqual(pg_checks, lite_checks[table])

        pg_indexes = {r[0] for r in pg_rows(
            "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")}
        self.assertLessEqual(lite_indexes, pg_indexes)
        pg_triggers = {r[0] for r in pg_rows(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")}
        self.assertEqual(lite_triggers - EXPECTED["only_sqlite_triggers"],
                         {t for t in pg_triggers if not t.endswith("_not_emptied")})

    def add_audit_and_access_rows(self):
        """A client, an audit row about it and an access_log row; their ids."""
        client, audit, access = (r[0] for r in pg_rows(
            "WITH c AS (INSERT INTO client (first_name, last_name, date_of_birth, created_at) "
            "VALUES ('Ann', 'Guard', '1980-01-01', '2026-01-01T00:00:00Z') RETURNING id), "
            "a AS (INSERT INTO audit (at, staff, action, client_id, salt, prev_hash, hash) "
            "SELECT '2026-01-01T00:00:00Z', 'Dana', 'create', id, 's', NULL, 'h' FROM c "
            "RETURNING id), "
            "l AS (INSERT INTO access_log (at, staff, command, clients) "
            "SELECT '2026-01-01T00:00:00Z', 'Dana', 'show', id::text FROM c RETURNING id) "
            "SELECT id FROM c UNION ALL SELECT id FROM a UNION ALL SELECT id FROM l"))
        pg("INSERT INTO audit_change (audit_id, field, new_value) VALUES (%s, 'first_name', "
           "'Ann')" % audit)
        return client, audit, access

    def test_audit_and_access_log_refused_by_triggers(self):
        client, audit, access = self.add_audit_and_access_rows()
        refused = [
            ("UPDATE audit SET staff = 'X' WHERE id = %s" % audit, "audit rows cannot be changed"),
            ("UPDATE audit SET hash = 'x' WHERE id = %s" % audit, "audit rows cannot be changed"),
            ("DELETE FROM audit WHERE id = %s" % audit, "audit rows cannot be removed"),
            ("UPDATE audit_change SET new_value = 'X' WHERE audit_id = %s" % audit,
             "audit rows cannot be changed"),
            ("DELETE FROM audit_change WHERE audit_id = %s" % audit,
             "audit rows cannot be removed"),
            ("TRUNCATE audit CASCADE", "audit rows cannot be removed"),
            ("UPDATE access_log SET staff = 'X' WHERE id = %s" % access,
             "access log rows cannot be changed"),
            ("DELETE FROM access_log WHERE id = %s" % access,
             "access log rows cannot be removed"),
            ("TRUNCATE access_log", "access log rows cannot be removed"),
        ]
        for sql, message in refused:
            with self.subTest(sql=sql):
                r = pg(sql, check=False)  # as the superuser: only the triggers stop it
                self.assertNotEqual(r.returncode, 0)
                self.assertIn(message, r.stderr)
        self.assertEqual(pg_rows("SELECT staff, hash FROM audit WHERE id = %s" % audit),
                         [["Dana", "h"]])
        self.assertEqual(pg_rows("SELECT count(*) FROM access_log WHERE id = %s" % access),
                         [["1"]])

    def test_audit_and_access_log_refused_by_grants(self):
        client, audit, access = self.add_audit_and_access_rows()
        for sql in ("UPDATE audit SET staff = 'X' WHERE id = %s" % audit,
                    "DELETE FROM audit WHERE id = %s" % audit,
                    "DELETE FROM audit_change WHERE audit_id = %s" % audit,
                    "TRUNCATE audit CASCADE",
                    "UPDATE access_log SET staff = 'X' WHERE id = %s" % access,
                    "DELETE FROM access_log WHERE id = %s" % access,
                    "TRUNCATE access_log",
                    "DELETE FROM erased_intake"):
            with self.subTest(sql=sql):
                r = pg(sql, user=APP_LOGIN, check=False)
                self.assertNotEqual(r.returncode, 0)
                self.assertIn("permission denied for table", r.stderr)
        # What the program does do, it may: add rows, read them, and the
        # erasure's removal through smp_erase_audit() once the client is gone.
        r = pg("INSERT INTO access_log (at, staff, command, clients) "
               "VALUES ('2026-01-02T00:00:00Z', 'Dana', 'find', '%s')" % client, user=APP_LOGIN,
               check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = pg("SELECT smp_erase_audit(%s)" % client, user=APP_LOGIN, check=False)
        self.assertIn("audit rows cannot be removed", r.stderr)  # the client is still there
        r = pg("BEGIN; DELETE FROM client WHERE id = %s; SELECT smp_erase_audit(%s); COMMIT"
               % (client, client), user=APP_LOGIN, check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.split(), ["1"])
        self.assertEqual(pg_rows("SELECT count(*) FROM audit WHERE id = %s" % audit), [["0"]])
        self.assertEqual(pg_rows("SELECT prev_hash IS NULL, hash, erase_id IS NULL "
                                 "FROM audit_removed ORDER BY id DESC LIMIT 1"),
                         [["t", "h", "t"]])
        self.assertEqual(pg_rows("SELECT count(*) FROM access_log WHERE clients = '%s'" % client),
                         [["2"]])

    def test_folded_name_search(self):
        self.new_intake(base_answers(first_name="Chloé", last_name="Dupré"))
        self.new_intake(base_answers(first_name="Chris", last_name="Dupont"))
        pg("INSERT INTO client (first_name, last_name, date_of_birth, created_at) VALUES "
           "('Chloé', 'Dupré', '1980-01-01', '2026-01-01T00:00:00Z'), "
           "('Chris', 'Dupont', '1981-01-01', '2026-01-01T00:00:00Z')")
        search = ("SELECT first_name || ' ' || last_name FROM client WHERE "
                  "smp_fold(first_name || ' ' || last_name) LIKE '%%' || smp_fold('%s') || '%%' "
                  "ORDER BY 1")
        for typed in ("chloe", "CHLOE", "Chloé", "dupre"):
            with self.subTest(typed=typed):
                p = self.run_cmd("find", typed)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertIn("Chloé", p.stdout)
                self.assertNotIn("Chris", p.stdout)
                self.assertEqual(pg_rows(search % typed), [["Chloé Dupré"]])
        # The trigram index serves it (a few rows would be read whole
        # otherwise, so the planner is told not to).
        plan = pg("SET enable_seqscan = off; EXPLAIN " + search % "chloe").stdout
        self.assertIn("client_search_name", plan)

    def test_audit_removed_links_taken_in_once(self):
        """The erasure's audit row takes the removed rows' links in by
        setting erase_id, once; the program's role may set nothing else."""
        client, audit, _ = self.add_audit_and_access_rows()
        r = pg("BEGIN; DELETE FROM client WHERE id = %s; SELECT smp_erase_audit(%s); COMMIT"
               % (client, client), user=APP_LOGIN, check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        link = pg_rows("SELECT max(id) FROM audit_removed")[0][0]
        r = pg("UPDATE audit_removed SET hash = 'x' WHERE id = %s" % link, user=APP_LOGIN,
               check=False)
        self.assertIn("permission denied for table audit_removed", r.stderr)
        r = pg("UPDATE audit_removed SET erase_id = 99 WHERE erase_id IS NULL", user=APP_LOGIN,
               check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = pg("UPDATE audit_removed SET erase_id = 100 WHERE id = %s" % link, user=APP_LOGIN,
               check=False)
        self.assertIn("audit rows cannot be changed", r.stderr)
        r = pg("DELETE FROM audit_removed WHERE id = %s" % link, check=False)
        self.assertIn("audit rows cannot be removed", r.stderr)
        self.assertEqual(pg_rows("SELECT erase_id FROM audit_removed WHERE id = %s" % link),
                         [["99"]])

    def test_phone_search_as_sqlite_indexes_it(self):
        """smp_phone_search() gives what SQLite's client_search_source view
        gives for the same numbers (the view read from the binary's file)."""
        phones = ["+44 7700 900123", "0044 (0)7700-900123", "07700 900123",
                  "+1 (555) 010-9999", "+353 1 234 5678", "  +33 6.12.34.56.78",
                  "00 7 912 345-67-89", "+998 90 123 45 67", "", None, "ext. 12/34"]
        con = self.sqlite_db()
        try:
            con.executemany("INSERT INTO client (id, first_name, last_name, date_of_birth, "
                            "phone, created_at) VALUES (?, 'A', 'B', '1980-01-01', ?, 'T')",
                            list(enumerate(phones, 1)))
            con.commit()
            lite = [r[0] for r in con.execute(
                "SELECT phone FROM client_search_source ORDER BY id")]
        finally:
            con.close()
        values = ", ".join("(%d, %s)" % (i, "NULL" if p is None else "'%s'" % p)
                           for i, p in enumerate(phones, 1))
        got = [r[0] for r in pg_rows(
            "SELECT coalesce(smp_phone_search(p), '<null>') FROM (VALUES %s) v (i, p) "
            "ORDER BY i" % values)]
        self.assertEqual(got, [v if v is not None else "<null>" for v in lite])

    def test_schema_version(self):
        def numbers(folder):
            return sorted(int(os.path.basename(f)[:3])
                          for f in glob.glob(os.path.join(folder, "[0-9][0-9][0-9]_*.sql")))
        newest = numbers(os.path.join(ROOT, "schema"))[-1]
        # 001_schema.sql is SQLite's 012; each later one has SQLite's number
        # (docs/server.md), and records it.
        self.assertEqual(numbers(PG_SCHEMA), [1] + list(range(13, newest + 1)))
        self.assertEqual(pg_rows("SELECT version FROM schema_version ORDER BY 1"),
                         [[str(v)] for v in range(12, newest + 1)])
        con = self.sqlite_db()
        try:
            self.assertEqual(con.execute("PRAGMA user_version").fetchone()[0], newest)
        finally:
            con.close()
        # The program's role reads it (to refuse a newer server), never sets it.
        self.assertEqual(pg("SELECT max(version) FROM schema_version", user=APP_LOGIN).stdout
                         .strip(), str(newest))
        r = pg("INSERT INTO schema_version (version) VALUES (13)", user=APP_LOGIN, check=False)
        self.assertIn("permission denied", r.stderr)
