#!/bin/sh
# Runs every suite: the cmocka unit tests and the fuzz replays
# (tests/fuzz/replay.c) given as arguments, both in TAP mode, then the
# end-to-end suite against the real binary.  Ends with the single
# summary line "N passed, N failed" that CI reads.  With SMP_TEST_WRAPPER
# set (make valgrind), the unit suites and replays run under it too.
PYTHON=${PYTHON:-/usr/bin/python3}
export SMP_INTAKE_BIN="${SMP_INTAKE_BIN:-$(pwd)/smp-intake}"
passed=0
failed=0

for t in "$@"; do
	# shellcheck disable=SC2086 # the wrapper is a command with its options
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP $SMP_TEST_WRAPPER "$t" 2>&1 </dev/null)
	status=$?
	plan=$(printf '%s\n' "$out" | sed -n 's/^1\.\.\([0-9]*\).*/\1/p' | head -n 1)
	ok=$(printf '%s\n' "$out" | grep -c '^ok ')
	bad=$(printf '%s\n' "$out" | grep -c '^not ok ')
	# A crash mid-run leaves planned tests unreported: count them as failed.
	[ -n "$plan" ] && [ $((ok + bad)) -lt "$plan" ] && bad=$((plan - ok))
	[ "$status" -ne 0 ] && [ "$bad" -eq 0 ] && bad=1
	if [ "$bad" -ne 0 ]; then
		printf '%s\n' "$out" | grep -v '^ok ' | sed "s|^|$(basename "$t"): |"
	fi
	case $(basename "$t") in replay_*) kind=fuzz ;; *) kind=unit ;; esac
	echo "$kind $(basename "$t"): $ok passed, $bad failed"
	passed=$((passed + ok))
	failed=$((failed + bad))
done

e2e=$("$PYTHON" tests/e2e/run.py | tail -n 1)
e2e_passed=$(echo "$e2e" | sed -n 's/^e2e: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
e2e_failed=$(echo "$e2e" | sed -n 's/^e2e: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
if [ -z "$e2e_passed" ]; then
	echo "end-to-end suite did not report its counts" >&2
	e2e_passed=0
	e2e_failed=1
fi
passed=$((passed + e2e_passed))
failed=$((failed + e2e_failed))

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
