#!/bin/sh
# make bench: see bench.py.  N=... sets the number of synthetic intakes.
exec "${PYTHON:-/usr/bin/python3}" "$(dirname "$0")/bench.py"
