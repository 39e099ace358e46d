#!/bin/sh
# A stand-in for valgrind as SMP_TEST_WRAPPER: records each run of the
# binary, then runs it.  Usage: SMP_TEST_WRAPPER="sh argv_log.sh DIR".
# Each run appends to DIR/PID (its own process id: no two runs share a
# file at once) one record of NUL-ended fields: the parent's process id,
# "tty" when standard input is a terminal (else "-"), the test that ran
# it when run.py names it in DIR/test.PARENT, the number of arguments,
# then the arguments (the binary first).  test_valgrind_subset.py reads
# them.  A run as another user (the permission tests drop root) may fail to
# write its record: that only makes the check stricter, and the wrapper
# stays silent, as the program's own standard error is under test.
dir=$1
shift
test=
{ read -r test <"$dir/test.$PPID"; } 2>/dev/null
if [ -t 0 ]; then tty=tty; else tty=-; fi
{ printf '%s\0' "$PPID" "$tty" "$test" "$#" "$@" >>"$dir/$$"; } 2>/dev/null
exec "$@"
