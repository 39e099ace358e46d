#!/usr/bin/env python3
"""make bench, the server (issue 17): smp-intake on a PostgreSQL server
beside psql, measured in the same run.

run(bin_path, row) starts a throwaway server (tests/pg/pgserver.py), makes
a database of PG_N synthetic intakes (default 300000; PG_N=0 skips this
part) with SQL alone (the same records as bench.py's build()), then times
whole processes and reads their peak memory (make bench's timer,
build/measure), all over the server's Unix socket:
  - `smp-intake export --format json|ndjson|csv` against psql running the
    same query as `COPY (...) TO STDOUT`: for json one json_agg() of the
    rows, for ndjson one row_to_json() per line, for csv COPY's own CSV.
    The intakes with their clients, answers, advice, the acknowledgement
    that counts and the flags cleared, in id order.  Checked first: our
    export on the server is byte for byte our export of the same records
    on an SQLite file (a sample of IMPORT_N intakes, migrated).
  - `smp-intake import` of that export (ndjson) into an empty database
    against psql loading the same records with COPY ... FROM STDIN (one
    CSV per table, made before the clock starts) into another empty
    database, in one transaction each.
  - `smp-intake find TEXT` against psql running the server's search as one
    statement (the folded names through the trigram index).
RUNS_EXPORT (default 3) pairs for the exports, RUNS (default 11) for find;
the medians are compared, ours / peer's.  row() is bench.py's printer.
"""
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "pg"))
import pgserver  # noqa: E402

PG_N = int(os.environ.get("PG_N", "300000"))
IMPORT_N = int(os.environ.get("PG_IMPORT_N", "100000"))
EXPORT_TARGET = 0.8
IMPORT_TARGET = 1.0
MEASURE = os.environ.get("SMP_BENCH_MEASURE") or os.path.join(ROOT, "build", "measure")

# The synthetic records of bench.py's build(), in PostgreSQL's SQL.
FILL = """
BEGIN;
INSERT INTO client (id, first_name, last_name, date_of_birth, phone, email, created_at)
SELECT i, CASE WHEN i %% 1000 = 0 THEN 'Zoë' ELSE 'First' || i END, 'Last' || (i %% 5000),
       format('19%%s-%%s-%%s', lpad((40 + i %% 60)::text, 2, '0'), lpad((1 + i %% 12)::text, 2, '0'),
              lpad((1 + i %% 28)::text, 2, '0')),
       '+44 7700 ' || lpad(i::text, 6, '0'), 'client' || i || '@example.com', '2026-01-01T10:00:00Z'
FROM generate_series(1, %(n)d) i;
INSERT INTO intake (id, uuid, client_id, taken_at, staff, questionnaire_version, advice_version,
                    acknowledged_sheet)
SELECT i, lower(lpad(to_hex(i), 8, '0') || '-' || lpad(to_hex(i %% 65536), 4, '0') || '-4' ||
                lpad(to_hex(i %% 4096), 3, '0') || '-8' || lpad(to_hex(i %% 4096), 3, '0') || '-' ||
                lpad(to_hex(i), 12, '0')),
       i, '2026-01-01T10:00:00Z', 'Bench Staff', '2026.2', '2026.2', 1
FROM generate_series(1, %(n)d) i;
INSERT INTO answer (intake_id, question_id, value)
SELECT id, q, v FROM intake, (VALUES ('consent_storage', 'yes'), ('uses_rogaine', 'yes'),
       ('rogaine_form', 'oral'), ('uses_propecia', 'no'), ('uses_other_topical', 'no'),
       ('uses_other_medical', 'no'), ('gp_discussed', 'yes'), ('gp_signoff', 'pending'),
       ('wants_root_cause_help', 'no'), ('hair_loss_notes', 'Thinning at the crown for two years'),
       ('scalp_conditions', 'none'), ('blood_thinners', 'no'), ('allergies', 'no'),
       ('pregnant_or_breastfeeding', 'not_applicable')) AS a(q, v);
INSERT INTO answer (intake_id, question_id, value)
SELECT id, 'keloid_history', CASE WHEN id %% 10 = 0 THEN 'yes' ELSE 'no' END FROM intake;
INSERT INTO flag_clearance (intake_id, flag_id, reason, at, staff)
SELECT id, 'flag-keloid', 'Old scar, healed flat; test patch fine', '2026-01-02T10:00:00Z',
       'Bench Artist' FROM intake WHERE id %% 10 = 0;
INSERT INTO acknowledgement (intake_id, sheet, typed_name, at, staff)
SELECT i.id, 1, c.first_name || ' ' || c.last_name, '2026-01-01T10:05:00Z', 'Bench Staff'
FROM intake i JOIN client c ON c.id = i.client_id;
INSERT INTO advice_sheet (intake_id, sheet, position, advice_id, text)
SELECT id, 1, p, a, t FROM intake, (VALUES
       (1, 'smp-cosmetic-only', 'SMP is a cosmetic treatment: it changes how the scalp looks and nothing else.'),
       (2, 'treatments-compatible', 'You can keep using your hair-growth treatment alongside SMP.'),
       (3, 'gp-signoff', 'Talk SMP and your hair-growth treatment through with your GP. GP sign-off: pending.'),
       (4, 'tell-artist', 'Tell your SMP artist about every hair-growth product you use.')) AS s(p, a, t);
SELECT setval(pg_get_serial_sequence('client', 'id'), %(n)d);
SELECT setval(pg_get_serial_sequence('intake', 'id'), %(n)d);
COMMIT;
ANALYZE;
"""

# The peer reads what our export reads (bench.py's PEER_SQL, in
# PostgreSQL's SQL).
ROWS = ("SELECT i.id, i.uuid, i.taken_at, i.staff, i.questionnaire_version, i.advice_version, "
        "c.id AS client_id, c.first_name, c.last_name, c.date_of_birth, c.phone, c.email, "
        "(SELECT json_object_agg(question_id, value) FROM answer a WHERE a.intake_id = i.id) "
        "AS answers, "
        "(SELECT json_agg(json_build_object('id', advice_id, 'text', text) ORDER BY position) "
        "FROM advice_sheet g WHERE g.intake_id = i.id AND g.sheet = 1) AS advice, "
        "k.typed_name, k.at AS acknowledged_at, k.staff AS acknowledged_with, "
        "(SELECT json_agg(json_build_object('id', flag_id, 'reason', reason, 'at', f.at, "
        "'staff', f.staff)) FROM flag_clearance f WHERE f.intake_id = i.id) AS cleared "
        "FROM intake i JOIN client c ON c.id = i.client_id "
        "LEFT JOIN acknowledgement k ON k.intake_id = i.id AND k.sheet = i.acknowledged_sheet")
PEER = {
    "json": "COPY (SELECT json_agg(r ORDER BY r.id) FROM (%s) r) TO STDOUT" % ROWS,
    "ndjson": "COPY (SELECT row_to_json(r) FROM (%s) r ORDER BY r.id) TO STDOUT" % ROWS,
    "csv": "COPY (%s ORDER BY i.id) TO STDOUT WITH (FORMAT csv, HEADER)" % ROWS,
}

# The peer of import: the same records as CSV per table, COPY FROM STDIN.
IMPORT_TABLES = [
    ("client", "id, first_name, last_name, date_of_birth, phone, email, created_at"),
    ("intake", "id, uuid, client_id, taken_at, staff, questionnaire_version, advice_version, "
               "acknowledged_sheet"),
    ("answer", "intake_id, question_id, value"),
    ("advice_sheet", "intake_id, sheet, position, advice_id, text"),
    ("acknowledgement", "intake_id, sheet, typed_name, at, staff"),
    ("flag_clearance", "intake_id, flag_id, reason, at, staff"),
]


def measure(argv, **kw):
    """Wall seconds and peak RSS (MiB) of one process, output discarded."""
    r, w = os.pipe()
    p = subprocess.Popen([MEASURE, str(w)] + argv, stdout=subprocess.DEVNULL, pass_fds=(w,),
                         **kw)
    os.close(w)
    with os.fdopen(r) as f:
        report = f.read().split()
    if p.wait() != 0 or len(report) != 2:
        sys.exit("bench: %s failed with status %d" % (" ".join(argv[:4]), p.returncode))
    return float(report[0]), int(report[1]) / 1024.0


def psql_argv(server, database, sql):
    return [pgserver._tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", server.socket_dir,
            "-U", pgserver.SUPERUSER, "-d", database, "-c", sql]


def pairs(ours_argv, peer_argv, runs, env):
    ours, peer = [], []
    for _ in range(runs):
        ours.append(measure(ours_argv, env=env))
        peer.append(measure(peer_argv, env=env))
    return (statistics.median(t for t, _ in ours), max(m for _, m in ours),
            statistics.median(t for t, _ in peer), max(m for _, m in peer))


def run(bin_path, row):
    if PG_N <= 0:
        return
    server = pgserver.PgServer().start()
    try:
        server.make_template()
        with tempfile.TemporaryDirectory(prefix="smp-bench-pg-") as tmp:
            measure_all(server, bin_path, row, tmp)
    finally:
        server.stop()


def measure_all(server, bin_path, row, tmp):
    env = dict(server.env(), SMP_INTAKE_STAFF="Bench Staff", LC_ALL="C.UTF-8",
               HOME=tmp, PATH=os.environ.get("PATH", "/usr/bin:/bin"))
    uri = server.new_database("bench")
    # The fill takes longer than pgserver.psql()'s minute at 300,000.
    subprocess.run(psql_argv(server, "bench", FILL % {"n": PG_N}), env=env, check=True,
                   stdout=subprocess.DEVNULL)
    runs = int(os.environ.get("RUNS_EXPORT", "3"))
    print("the server: export of %d intakes, peer: psql COPY (...) TO STDOUT on the same "
          "database, median of %d runs" % (PG_N, runs))
    for fmt in ("json", "ndjson", "csv"):
        ours_t, ours_m, peer_t, peer_m = pairs(
            [bin_path, "--db", uri, "export", "--format", fmt],
            psql_argv(server, "bench", PEER[fmt]), runs, env)
        row("  --format %s vs psql COPY: time" % fmt, ours_t, peer_t, "s",
            target=EXPORT_TARGET)
        row("  --format %s: peak memory" % fmt, ours_m, peer_m, "MiB", "%.1f")

    # Import: our ndjson export of the first IMPORT_N intakes.
    source = os.path.join(tmp, "source.ndjson")
    with open(source, "wb") as f:
        subprocess.run([bin_path, "--db", uri, "export", "--format", "ndjson"], stdout=f,
                       check=True, env=env)
    with open(source, "rb") as f, open(source + ".part", "wb") as out:
        for i, line in enumerate(f):
            if i >= IMPORT_N:
                break
            out.write(line)
    os.replace(source + ".part", source)
    csvs = []
    for table, columns in IMPORT_TABLES:
        path = os.path.join(tmp, table + ".csv")
        where = ("WHERE id <= %d" if table in ("client", "intake") else
                 "WHERE intake_id <= %d") % IMPORT_N
        with open(path, "wb") as f:
            subprocess.run(psql_argv(server, "bench", "COPY (SELECT %s FROM %s %s) TO STDOUT "
                                     "WITH (FORMAT csv)" % (columns, table, where)),
                           stdout=f, check=True, env=env)
        csvs.append((table, columns, path))
    script = os.path.join(tmp, "peer.sql")
    with open(script, "w") as f:
        f.write("BEGIN;\n")
        for table, columns, path in csvs:
            f.write("\\copy %s (%s) FROM '%s' WITH (FORMAT csv)\n" % (table, columns, path))
        f.write("COMMIT;\n")
    ours, peer = [], []
    for k in range(int(os.environ.get("RUNS_IMPORT", "1"))):
        ours_uri = server.new_database("import_ours_%d" % k)
        server.new_database("import_peer_%d" % k)
        ours.append(measure([bin_path, "--db", ours_uri, "import", source], env=env))
        peer.append(measure([pgserver._tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                             "-h", server.socket_dir, "-U", pgserver.SUPERUSER,
                             "-d", "import_peer_%d" % k, "-f", script], env=env))
        n = server.psql("SELECT count(*) FROM intake", database="import_ours_%d" % k).stdout
        if int(n) != IMPORT_N:
            sys.exit("bench: our import into the server holds %s intakes, not %d" % (n, IMPORT_N))
    print("the server: import of %d intakes (ndjson), peer: psql COPY FROM STDIN of the same "
          "records" % IMPORT_N)
    row("  import vs psql COPY FROM: time", statistics.median(t for t, _ in ours),
        statistics.median(t for t, _ in peer), "s", target=IMPORT_TARGET)
    row("  import: peak memory", max(m for _, m in ours), max(m for _, m in peer), "MiB",
        "%.1f")

    # find: the folded name through the trigram index, as one statement.
    runs = int(os.environ.get("RUNS", "11"))
    print("the server: find on %d clients, median of %d runs, peer: psql running the same "
          "search" % (PG_N, runs))
    k = PG_N // 2 + 1234
    for what, text in (("name", "First%d" % k), ("accented name", "Zoë"),
                       ("e-mail", "client%d@exa" % k)):
        peer_sql = ("SELECT c.id, i.id, c.first_name, c.last_name, c.date_of_birth, i.taken_at "
                    "FROM client c JOIN intake i ON i.client_id = c.id "
                    "WHERE (smp_fold(c.first_name || ' ' || c.last_name) LIKE '%%' || "
                    "smp_fold('%(t)s') || '%%' OR smp_fold(c.email) LIKE '%%' || "
                    "smp_fold('%(t)s') || '%%') AND i.id = (SELECT max(id) FROM intake "
                    "WHERE client_id = c.id) ORDER BY i.id DESC LIMIT 200"
                    % {"t": text.replace("'", "''")})
        ours_t = statistics.median(measure([bin_path, "--db", uri, "find", text], env=env)[0]
                                   for _ in range(runs))
        peer_t = statistics.median(measure(psql_argv(server, "bench", peer_sql), env=env)[0]
                                   for _ in range(runs))
        row("  find %s" % what, ours_t * 1000, peer_t * 1000, "ms")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import bench
    run(os.environ.get("SMP_INTAKE_BIN") or os.path.join(ROOT, "smp-intake"), bench.row)
