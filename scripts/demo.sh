#!/usr/bin/env bash
# demo.sh — the README's first command: set up, build, then check the reference specs and
# the examples, and show what the checker says about a spec with deliberate mistakes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh"
cd "$root"
echo
echo "== suture check stdlib specs examples/tutorial  (everything we ship: must be clean)"
build/bin/suture check stdlib specs examples/tutorial
echo
echo "== suture check examples/mistakes  (a spec with deliberate mistakes: exit 1 expected)"
build/bin/suture check examples/mistakes || echo "(exit $? — as expected: the mistakes above are reported)"
