#!/usr/bin/env python3
"""Runs every tests/e2e/test_*.py against the real binary ($SMP_INTAKE_BIN).

Progress and failures go to stderr; the last line on stdout is
"e2e: N passed, N failed" for tests/run.sh to add up.  Arguments, if any,
are unittest name patterns (-k) to run a subset.
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


class CountingResult(unittest.TextTestResult):
    pass


def main():
    sys.path.insert(0, HERE)
    loader = unittest.TestLoader()
    if len(sys.argv) > 1:
        loader.testNamePatterns = ["*%s*" % p for p in sys.argv[1:]]
    suite = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    runner = unittest.TextTestRunner(stream=sys.stderr, verbosity=1,
                                     resultclass=CountingResult)
    result = runner.run(suite)
    # A test with failing subtests is one failed test, however many fail.
    failed_ids = {t.id() if not hasattr(t, "test_case") else t.test_case.id()
                  for t, _ in result.failures + result.errors}
    failed_ids |= {t.id() for t in result.unexpectedSuccesses}
    failed = len(failed_ids)
    passed = result.testsRun - failed - len(result.skipped)
    if result.testsRun == 0:
        failed += 1  # a suite that found nothing must not look green
    print("e2e: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
