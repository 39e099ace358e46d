#!/usr/bin/env python3
"""make bench, import: `smp-intake import` beside sqlite3 loading the same
file through its own JSON functions, measured in the same run.

run(bin_path, db, tmp, row) exports the filled database db with our binary
(--format json), then times whole processes and reads their peak memory
(wait4):
  - `smp-intake --db EMPTY import FILE` into an empty database our binary
    created (so the same schema, indexes and triggers: the search index
    fills as the clients go in);
  - against `sqlite3 EMPTY2` running, in one transaction, one INSERT ...
    SELECT per table from json_each(readfile('FILE')): the clients, the
    intakes, their answers, their advice and one audit row per intake, as
    our import writes them, into another empty database our binary made.
    sqlite3 takes no value over 1,000,000,000 bytes (SQLITE_MAX_LENGTH), so
    a larger file (N=1000000 makes about 1.05 GB) is given to it as JSON
    arrays of at most PART_BYTES each, cut between records before the
    clock starts, all loaded in the same transaction.
Then the same file as ndjson (one object per line, made here from the
array) through our import, against the same peer.  RUNS_IMPORT (default 1)
rounds of the three runs, alternated; the medians are compared.  Each
result is checked: the database we filled exports byte for byte the file
it was given, and the peer's holds as many intakes.  Peak memory is read
by make bench's timer, build/measure (tests/bench/measure.c), when it is
there.  row() is the printer of bench.py:
row(name, ours, peer, unit, fmt="%.2f", target=None).

Run alone: N=100000 python3 tests/bench/bench_import.py builds a database
of N intakes with bench.py's build() first.
"""
import os
import statistics
import subprocess
import sys
import time

TARGET = 1.0  # the issue's limit on ours / sqlite3's time
# Pairs of runs (ours, peer) alternated, medians compared, so that a busy
# moment of the machine hits both sides; one by default, as one pair takes
# minutes at N=1000000.
RUNS = int(os.environ.get("RUNS_IMPORT", "1"))
PART_BYTES = 900 * 1000 * 1000  # under sqlite3's limit on one value

# One statement per table, as a person with sqlite3 would load the file;
# yes/no answers are booleans in the file and "yes"/"no" in the table.
PEER_SQL = """
INSERT OR IGNORE INTO client (id, first_name, last_name, date_of_birth, phone, email, created_at)
  SELECT value ->> '$.client.id', value ->> '$.client.first_name', value ->> '$.client.last_name',
         value ->> '$.client.date_of_birth', value ->> '$.client.phone', value ->> '$.client.email',
         value ->> '$.taken_at'
  FROM json_each(readfile(:file));
INSERT INTO intake (id, uuid, client_id, taken_at, staff, questionnaire_version, advice_version,
                    acknowledged_sheet)
  SELECT value ->> '$.id', value ->> '$.uuid', value ->> '$.client.id', value ->> '$.taken_at',
         value ->> '$.staff', value ->> '$.questionnaire_version', value ->> '$.advice_version',
         value ->> '$.acknowledgement.sheet'
  FROM json_each(readfile(:file));
INSERT INTO answer (intake_id, question_id, value)
  SELECT r.value ->> '$.id', a.key,
         CASE a.type WHEN 'true' THEN 'yes' WHEN 'false' THEN 'no'
                     WHEN 'array' THEN (SELECT group_concat(value) FROM json_each(a.value))
                     ELSE a.value END
  FROM json_each(readfile(:file)) r, json_each(r.value, '$.answers') a;
INSERT INTO acknowledgement (intake_id, sheet, typed_name, at, staff)
  SELECT value ->> '$.id', value ->> '$.acknowledgement.sheet',
         value ->> '$.acknowledgement.typed_name', value ->> '$.acknowledgement.at',
         value ->> '$.acknowledgement.staff'
  FROM json_each(readfile(:file)) WHERE value ->> '$.acknowledgement' IS NOT NULL;
INSERT INTO flag_clearance (intake_id, flag_id, reason, at, staff)
  SELECT r.value ->> '$.id', f.value ->> '$.id', f.value ->> '$.reason',
         f.value ->> '$.cleared_at', f.value ->> '$.cleared_by'
  FROM json_each(readfile(:file)) r, json_each(r.value, '$.flags') f
  WHERE f.value ->> '$.status' = 'cleared';
INSERT INTO advice_sheet (intake_id, sheet, position, advice_id, text)
  SELECT r.value ->> '$.id', 1, a.key + 1, a.value ->> '$.id', a.value ->> '$.text'
  FROM json_each(readfile(:file)) r, json_each(r.value, '$.advice') a;
INSERT INTO audit (at, staff, action, client_id, intake_id)
  SELECT strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), 'Bench Staff', 'import',
         value ->> '$.client.id', value ->> '$.id'
  FROM json_each(readfile(:file));
"""


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# make bench's timer (tests/bench/measure.c): Linux keeps a process's peak
# memory across exec(), so a child forked from this script would report the
# script's own memory.  Without it, wait4() here (peaks then include ours).
MEASURE = os.environ.get("SMP_BENCH_MEASURE") or os.path.join(ROOT, "build", "measure")


def measure(argv, **kw):
    """Wall seconds and peak RSS (MiB) of one process, output discarded."""
    if os.access(MEASURE, os.X_OK):
        r, w = os.pipe()
        p = subprocess.Popen([MEASURE, str(w)] + argv, stdout=subprocess.DEVNULL,
                             pass_fds=(w,), **kw)
        os.close(w)
        with os.fdopen(r) as f:
            report = f.read().split()
        if p.wait() != 0 or len(report) != 2:
            sys.exit("bench: %s failed with status %d" % (" ".join(argv[:4]), p.returncode))
        return float(report[0]), int(report[1]) / 1024.0
    start = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, **kw)
    _, status, ru = os.wait4(p.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit("bench: %s failed with status %d" % (" ".join(argv[:4]), code))
    return time.monotonic() - start, ru.ru_maxrss / 1024.0


def sql_literal(text):
    return "'" + text.replace("'", "''") + "'"


def empty_db(bin_path, path, env):
    """A database our binary created and migrated, with nothing in it."""
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.unlink(path + suffix)
    subprocess.run([bin_path, "--db", path, "import", "-"], input=b"[]", check=True, env=env,
                   stdout=subprocess.DEVNULL)


def to_ndjson(src, dst):
    """The array of an export (one object per line between [ and ]) as
    one object per line, streamed."""
    with open(src, "rb") as f, open(dst, "wb") as out:
        for line in f:
            line = line.rstrip(b"\n")
            if line in (b"[", b"]", b"[]"):
                continue
            out.write(line.rstrip(b",") + b"\n")


def split_array(src, tmp):
    """The export src as JSON arrays of at most PART_BYTES each, cut
    between records (our export writes one record per line); src itself
    when it is small enough."""
    if os.path.getsize(src) <= PART_BYTES:
        return [src]
    parts, out, size = [], None, 0
    with open(src, "rb") as f:
        for line in f:
            line = line.rstrip(b"\n")
            if line in (b"[", b"]"):
                continue
            record = line.rstrip(b",")
            if out is None or size + len(record) + 8 > PART_BYTES:
                if out is not None:
                    out.write(b"\n]\n")
                    out.close()
                parts.append(os.path.join(tmp, "import-part-%d.json" % len(parts)))
                out = open(parts[-1], "wb")
                out.write(b"[\n")
                size = 2
            else:
                out.write(b",\n")
            out.write(record)
            size += len(record) + 2
    if out is not None:
        out.write(b"\n]\n")
        out.close()
    return parts


def peer_sql(parts):
    """The peer's statements for each part, in one transaction."""
    return "BEGIN;\n%sCOMMIT;\n" % "".join(
        PEER_SQL.replace(":file", sql_literal(p)) for p in parts)


def count(db, table):
    out = subprocess.run(["sqlite3", db, "SELECT count(*) FROM %s" % table],
                         stdout=subprocess.PIPE, text=True, check=True).stdout
    return int(out)


def same_export(bin_path, db, expected, tmp, env):
    """Whether db exports exactly the bytes of the file expected."""
    again = os.path.join(tmp, "import-again.json")
    if os.path.exists(again):
        os.unlink(again)
    subprocess.run([bin_path, "--db", db, "export", "-o", again], check=True, env=env,
                   stderr=subprocess.DEVNULL)
    with open(again, "rb") as a, open(expected, "rb") as b:
        while True:
            x, y = a.read(1 << 20), b.read(1 << 20)
            if x != y:
                return False
            if not x:
                return True


def run(bin_path, db, tmp, row):
    env = dict(os.environ, SMP_INTAKE_STAFF="Bench Staff", LC_ALL="C.UTF-8")
    export = os.path.join(tmp, "import-source.json")
    ndjson = os.path.join(tmp, "import-source.ndjson")
    ours_db = os.path.join(tmp, "import-ours.db")
    peer_db = os.path.join(tmp, "import-peer.db")
    for path in (export, ndjson):
        if os.path.exists(path):
            os.unlink(path)
    subprocess.run([bin_path, "--db", db, "export", "-o", export], check=True, env=env,
                   stderr=subprocess.DEVNULL)
    intakes = count(db, "intake")
    print("import of %d intakes (%.0f MB of JSON) into an empty database, peer: sqlite3 "
          "INSERT ... SELECT from json_each(readfile()) into another, median of %d runs" %
          (intakes, os.path.getsize(export) / 1e6, RUNS))

    parts = split_array(export, tmp)
    if len(parts) > 1:
        print("  (sqlite3 takes at most 1,000,000,000 bytes in one value: it gets the file as "
              "%d arrays, in one transaction)" % len(parts))
    to_ndjson(export, ndjson)
    results = {"json": [], "ndjson": [], "peer": []}
    for _ in range(RUNS):
        empty_db(bin_path, peer_db, env)
        results["peer"].append(measure(["sqlite3", peer_db, peer_sql(parts)], env=env))
        if count(peer_db, "intake") != intakes:
            sys.exit("bench: sqlite3 loaded %d intakes of %d" % (count(peer_db, "intake"),
                                                                  intakes))
        for fmt, path in (("json", export), ("ndjson", ndjson)):
            empty_db(bin_path, ours_db, env)
            results[fmt].append(measure([bin_path, "--db", ours_db, "import", path], env=env))
            if not same_export(bin_path, ours_db, export, tmp, env):
                sys.exit("bench: the database imported from %s does not export the file it "
                         "was given" % fmt)
    for p in parts:
        if p != export:
            os.unlink(p)
    peer_t = statistics.median(t for t, _ in results["peer"])
    peer_m = max(m for _, m in results["peer"])
    for fmt in ("json", "ndjson"):
        ours_t = statistics.median(t for t, _ in results[fmt])
        ours_m = max(m for _, m in results[fmt])
        row("  import %s: time" % fmt, ours_t, peer_t, "s", target=TARGET)
        row("  import %s: peak memory" % fmt, ours_m, peer_m, "MiB", "%.1f")
    for path in (export, ndjson, ours_db, peer_db):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.unlink(path + suffix)


if __name__ == "__main__":
    import tempfile

    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    import bench

    with tempfile.TemporaryDirectory(prefix="smp-bench-import-") as tmp_dir:
        filled = os.path.join(tmp_dir, "bench.db")
        t0 = time.monotonic()
        bench.build(filled)
        print("built %d synthetic intakes in %.1f s" % (bench.N, time.monotonic() - t0))
        run(bench.BIN, filled, tmp_dir, bench.row)
