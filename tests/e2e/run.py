#!/usr/bin/env python3
"""Runs every tests/e2e/test_*.py against the real binary ($SMP_INTAKE_BIN).

Progress and failures go to stderr; the last line on stdout is
"e2e: N passed, N failed" for tests/run.sh to add up.  Arguments, if any,
are unittest name patterns (-k) to run a subset.

The test files run side by side in SMP_E2E_JOBS processes (default: the
number of processors, at most 4), one file at a time each, the slowest
known files first; each file's report is printed whole when it ends.  Under
valgrind (make valgrind) this halves the suite's time on two cores.
SMP_E2E_JOBS=1 runs them one after another in this process.

SMP_E2E_SUBSET=valgrind runs only the tests listed in valgrind.subset
(make valgrind: every command and every fault path once under valgrind;
make valgrind-full runs them all).  SMP_E2E_ARGV_LOG=DIR names the test
running in each process in DIR/test.PID for argv_log.sh (test_ci.py).

Then the tests listed in server.subset run again against a PostgreSQL
server (docs/server.md): one throwaway server for the run
(tests/pg/pgserver.py), a database of its own for each test (harness.py,
SMP_E2E_BACKEND=pg); they are reported as "server:MODULE" and counted in
the same totals.  A server that cannot start is one failure, never a skip.
SMP_E2E_SERVER_LIST=NAME reads NAME.subset instead (make check:
server-check).  SMP_E2E_BACKEND=sqlite runs only the first part, =pg only the second;
make valgrind (SMP_E2E_SUBSET) runs only the first.
"""
import io
import multiprocessing
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ARGV_LOG = os.environ.get("SMP_E2E_ARGV_LOG")
# Started first so that they do not end the run alone.
SLOW_FIRST = ["test_valgrind_subset", "test_terminal", "test_storage", "test_validation",
              "test_faults", "test_hostile", "test_import", "test_concurrency", "test_drafts",
              "test_readme", "test_completion",
              "test_handout", "test_menu", "test_edit", "test_tampered_db"]


def read_subset(name):
    """The test ids (module, module.Class or module.Class.method) listed in
    NAME.subset, one per line before any # comment."""
    with open(os.path.join(HERE, name + ".subset")) as f:
        return [line.split("#")[0].strip() for line in f if line.split("#")[0].strip()]


def tests_of(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from tests_of(t)
        else:
            yield t


def load(module, patterns, subset=None):
    loader = unittest.TestLoader()
    if patterns:
        loader.testNamePatterns = ["*%s*" % p for p in patterns]
    suite = loader.loadTestsFromName(module)
    if subset is not None:
        suite = unittest.TestSuite(
            t for t in tests_of(suite)
            if any(t.id() == s or t.id().startswith(s + ".") for s in subset))
    return suite


class Result(unittest.TextTestResult):
    """Names the running test for argv_log.sh (SMP_E2E_ARGV_LOG)."""

    def startTest(self, test):
        if ARGV_LOG:
            with open(os.path.join(ARGV_LOG, "test.%d" % os.getpid()), "w") as f:
                f.write(test.id() + "\n")
        super().startTest(test)


def run_module(job):
    module, patterns, subset = job
    stream = io.StringIO()
    start = time.monotonic()
    result = unittest.TextTestRunner(stream=stream, verbosity=1, resultclass=Result).run(
        load(module, patterns, subset))
    # A test with failing subtests is one failed test, however many fail.
    failed = {t.id() if not hasattr(t, "test_case") else t.test_case.id()
              for t, _ in result.failures + result.errors}
    failed |= {t.id() for t in result.unexpectedSuccesses}
    # A setUpModule or setUpClass that raised (test_pg_schema.py's server
    # that cannot start) ran no test but is one failure: count it as run.
    fixtures = sum(1 for t, _ in result.errors if not isinstance(t, unittest.TestCase))
    return (module, result.testsRun + fixtures, len(failed), len(result.skipped),
            time.monotonic() - start, stream.getvalue())


def run_jobs(jobs, workers, label):
    """Runs the test files of jobs; returns (ran, failed, skipped)."""
    ran = failed = skipped = 0
    if workers > 1 and len(jobs) > 1:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.imap_unordered(run_module, jobs)
            for module, n, bad, skip, took, text in results:
                sys.stderr.write("== %s%s: %d tests, %d failed, %.0f s\n%s"
                                 % (label, module, n, bad, took, text))
                ran, failed, skipped = ran + n, failed + bad, skipped + skip
    else:
        for job in jobs:
            module, n, bad, skip, took, text = run_module(job)
            sys.stderr.write("== %s%s: %d tests, %d failed, %.0f s\n%s"
                             % (label, module, n, bad, took, text))
            ran, failed, skipped = ran + n, failed + bad, skipped + skip
    return ran, failed, skipped


def run_on_server(jobs, workers):
    """Runs jobs with every test on a database of its own on one throwaway
    server (harness.py, SMP_E2E_BACKEND=pg)."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tests", "pg"))
    import pgserver
    server = pgserver.PgServer()
    try:
        server.start()
        server.make_template()
    except Exception as e:  # noqa: BLE001 - any reason is one failure, reported
        sys.stderr.write("== server: the PostgreSQL server for server.subset did not start: "
                         "%s\n" % e)
        server.stop()
        return 0, 1, 0
    saved = {k: os.environ.get(k) for k in ("SMP_E2E_BACKEND", "SMP_E2E_PG_DIR")}
    os.environ.update(SMP_E2E_BACKEND="pg", SMP_E2E_PG_DIR=server.dir)
    try:
        return run_jobs(jobs, workers, "server:")
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        server.stop()


def main():
    sys.path.insert(0, HERE)
    patterns = sys.argv[1:]
    modules = sorted(f[:-3] for f in os.listdir(HERE) if f.startswith("test_") and f.endswith(".py"))
    modules.sort(key=lambda m: SLOW_FIRST.index(m) if m in SLOW_FIRST else len(SLOW_FIRST))
    subset = None
    if os.environ.get("SMP_E2E_SUBSET"):
        subset = read_subset(os.environ["SMP_E2E_SUBSET"])
        unknown = [s for s in subset if s.split(".")[0] not in modules]
        if unknown:
            sys.stderr.write("%s.subset names no test file: %s\n"
                             % (os.environ["SMP_E2E_SUBSET"], " ".join(unknown)))
            print("e2e: 0 passed, 1 failed")
            return 1
    backend = os.environ.get("SMP_E2E_BACKEND")
    workers = int(os.environ.get("SMP_E2E_JOBS") or min(4, os.cpu_count() or 1))
    ran = failed = skipped = 0
    if backend != "pg":
        jobs = [(m, patterns, subset) for m in modules if load(m, patterns, subset).countTestCases()]
        ran, failed, skipped = run_jobs(jobs, workers, "")
    if backend != "sqlite" and subset is None:
        on_server = read_subset(os.environ.get("SMP_E2E_SERVER_LIST", "server"))
        unknown = [s for s in on_server if s.split(".")[0] not in modules]
        if unknown:
            sys.stderr.write("server.subset names no test file: %s\n" % " ".join(unknown))
            failed += 1
        jobs = [(m, patterns, on_server) for m in modules
                if load(m, patterns, on_server).countTestCases()]
        if jobs:
            n, bad, skip = run_on_server(jobs, workers)
            ran, failed, skipped = ran + n, failed + bad, skipped + skip
    passed = ran - failed - skipped
    if ran == 0:
        failed += 1  # a suite that found nothing must not look green
    print("e2e: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
