#!/bin/sh
# Makes the locales the tests run the program under (each as
# LANG_TERRITORY.UTF-8, e.g. tr_TR.UTF-8, whose case rules broke choice
# answers once) when they are missing.  Needs the Debian package locales
# (in the Makefile's TEST_DEBS) and root; quick and idempotent: a locale
# already there is left alone.  Used by `make test-deps`.
for l in "$@"; do
	name=${l%%.*}
	# locale -a spells UTF-8 as utf8.
	locale -a 2>/dev/null | grep -qix "$name\.utf-\{0,1\}8" && continue
	if [ "$(id -u)" != 0 ]; then
		echo "smp-intake: the tests need the locale $l (as root: localedef -i $name -f UTF-8 $l)" >&2
		exit 1
	fi
	echo "making the locale $l"
	localedef -i "$name" -f UTF-8 "$l" || exit 1
done
