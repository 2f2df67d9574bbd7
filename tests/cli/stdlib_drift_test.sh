#!/usr/bin/env bash
# stdlib_drift_test.sh — the generated standard-library modules are committed; this fails when
# they differ from what `suture schema import` produces from ../shared/data now.
# Fix a failure with `ninja -C build regenerate-stdlib` and commit the result.
set -euo pipefail
suture=$1 root=$2
data="$root/../shared/data"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$suture" schema import fhir "$data/fhir-r4/definitions" -o "$out/fhir/r4" 2>/dev/null
"$suture" schema import odoo "$data/odoo17/fields_get.json" -o "$out/odoo" 2>/dev/null
status=0
for module in fhir/r4 odoo; do
  if ! diff -r -q "$root/stdlib/$module" "$out/$module"; then
    echo "stdlib/$module drifted from the importer's output"
    status=1
  fi
done
[ $status -eq 0 ] && echo "stdlib/fhir/r4 and stdlib/odoo match the importer"
exit $status
