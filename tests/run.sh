#!/bin/sh
# Runs every suite: the cmocka unit tests and the fuzz replays
# (tests/fuzz/replay.c) given as arguments, both in TAP mode, then the
# end-to-end suite against the real binary.  Ends with the single
# summary line "N passed, N failed" that CI reads.  With SMP_TEST_WRAPPER
# set (make valgrind), the unit suites and replays run under it too.
# They run SMP_UNIT_JOBS at a time (default: one per processor, at most 4;
# each makes its own temporary files), their reports printed in order.
PYTHON=${PYTHON:-/usr/bin/python3}
export SMP_INTAKE_BIN="${SMP_INTAKE_BIN:-$(pwd)/smp-intake}"
passed=0
failed=0
jobs=${SMP_UNIT_JOBS:-$(nproc 2>/dev/null || echo 1)}
[ "$jobs" -gt 4 ] && [ -z "$SMP_UNIT_JOBS" ] && jobs=4
outs=$(mktemp -d) || exit 1
trap 'rm -rf "$outs"' EXIT
trap 'exit 130' INT TERM HUP

# DIR/N.out and DIR/N.status of the Nth argument; the slowest (under
# valgrind: minutes) start first, so that they do not end the run alone.
SLOW_FIRST="test_oom test_db test_db_access"
# shellcheck disable=SC2016 # the inner sh expands them
for slow in $SLOW_FIRST ''; do
	i=0
	for t in "$@"; do
		i=$((i + 1))
		case " $SLOW_FIRST " in
		*" $(basename "$t") "*) [ "$(basename "$t")" = "$slow" ] || continue ;;
		*) [ -z "$slow" ] || continue ;;
		esac
		printf '%s\n%s\n' "$i" "$t"
	done
done | tr '\n' '\0' | xargs -0 -r -n 2 -P "$jobs" sh -c '
	CMOCKA_MESSAGE_OUTPUT=TAP $SMP_TEST_WRAPPER "$2" >"$0/$1.out" 2>&1 </dev/null
	echo $? >"$0/$1.status"' "$outs"

i=0
for t in "$@"; do
	i=$((i + 1))
	out=$(cat "$outs/$i.out" 2>/dev/null)
	status=$(cat "$outs/$i.status" 2>/dev/null || echo 1)
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
