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
"""
import io
import multiprocessing
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
# Started first so that they do not end the run alone.
SLOW_FIRST = ["test_terminal", "test_storage", "test_validation", "test_faults", "test_hostile",
              "test_import", "test_concurrency", "test_drafts", "test_readme", "test_completion",
              "test_handout", "test_menu", "test_edit", "test_tampered_db"]


def load(module, patterns):
    loader = unittest.TestLoader()
    if patterns:
        loader.testNamePatterns = ["*%s*" % p for p in patterns]
    return loader.loadTestsFromName(module)


def run_module(job):
    module, patterns = job
    stream = io.StringIO()
    start = time.monotonic()
    result = unittest.TextTestRunner(stream=stream, verbosity=1).run(load(module, patterns))
    # A test with failing subtests is one failed test, however many fail.
    failed = {t.id() if not hasattr(t, "test_case") else t.test_case.id()
              for t, _ in result.failures + result.errors}
    failed |= {t.id() for t in result.unexpectedSuccesses}
    return (module, result.testsRun, len(failed), len(result.skipped),
            time.monotonic() - start, stream.getvalue())


def main():
    sys.path.insert(0, HERE)
    patterns = sys.argv[1:]
    modules = sorted(f[:-3] for f in os.listdir(HERE) if f.startswith("test_") and f.endswith(".py"))
    modules.sort(key=lambda m: SLOW_FIRST.index(m) if m in SLOW_FIRST else len(SLOW_FIRST))
    jobs = [(m, patterns) for m in modules if load(m, patterns).countTestCases()]
    workers = int(os.environ.get("SMP_E2E_JOBS") or min(4, os.cpu_count() or 1))
    ran = failed = skipped = 0
    if workers > 1 and len(jobs) > 1:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.imap_unordered(run_module, jobs)
            for module, n, bad, skip, took, text in results:
                sys.stderr.write("== %s: %d tests, %d failed, %.0f s\n%s" % (module, n, bad, took, text))
                ran, failed, skipped = ran + n, failed + bad, skipped + skip
    else:
        for job in jobs:
            module, n, bad, skip, took, text = run_module(job)
            sys.stderr.write("== %s: %d tests, %d failed, %.0f s\n%s" % (module, n, bad, took, text))
            ran, failed, skipped = ran + n, failed + bad, skipped + skip
    passed = ran - failed - skipped
    if ran == 0:
        failed += 1  # a suite that found nothing must not look green
    print("e2e: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
