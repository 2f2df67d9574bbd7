#!/usr/bin/env bash
# policy_bench.sh — Suture's compiled policies against Cedar (cedar-wasm, preparsed policy set +
# statefulIsAuthorized) on one hospital policy written in both languages: generates the pair and
# the requests (gen_policies.py), builds the pack, checks that `suture authorize` and Cedar give
# the same decision with the same deciding rules on every request (compare_decisions.py), times
# both side by side, whole process (bench/compare.py, ratio to Suture), then the rule-scaling
# series (10, 100, 1,000, 10,000 rules): whole-process time per decision for each.
#
#   bench/policies/policy_bench.sh [RULES=1000] [REQUESTS=100000] [ROUNDS=5]
#
# Environment: SUTURE (default build/bin/suture), BENCH_DIR (default build/bench/policies),
# SEED (1), SCALE_REQUESTS (requests per point of the series, default 2000: Cedar takes tens of
# milliseconds a decision at 10,000 rules), SCALE_RULES ("10 100 1000 10000"), CEDAR_ONLY=1 (run
# the Cedar side without failing when `suture authorize` is missing).
# Needs: npm install --prefix bench/policies (once), scripts/build.sh.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
policies="$here/bench/policies"
rules="${1:-1000}"
requests="${2:-100000}"
rounds="${3:-5}"
seed="${SEED:-1}"
scale_requests="${SCALE_REQUESTS:-2000}"
scale_rules="${SCALE_RULES:-10 100 1000 10000}"
suture="${SUTURE:-$here/build/bin/suture}"
work="${BENCH_DIR:-$here/build/bench/policies}"
mkdir -p "$work"

command -v node >/dev/null || { echo "node is missing (Node.js 20)" >&2; exit 2; }
[ -d "$policies/node_modules/@cedar-policy/cedar-wasm" ] ||
  { echo "cedar-wasm is missing: npm install --prefix bench/policies" >&2; exit 2; }

# The Suture side needs the `authorize` command; without it the Cedar side still runs and is
# checked against the generator's own reference decisions, and the script fails at the end.
have_suture=1
if [ ! -x "$suture" ]; then
  why="$suture does not exist (build first: scripts/build.sh)"
  have_suture=0
elif ! "$suture" --help 2>&1 | grep -qE '^ +authorize '; then
  why="$suture has no \`authorize\` command yet (suture --help does not list it)"
  have_suture=0
fi
[ "$have_suture" = 1 ] || echo "!! Suture side skipped: $why" >&2

cedar="node $policies/cedar_decide.mjs"

# generate DIR RULES REQUESTS: the policy pair, the requests and the reference decisions.
generate() {
  if [ ! -f "$1/requests.cedar.json" ] || [ "$(wc -l < "$1/requests.ndjson")" != "$3" ]; then
    python3 "$policies/gen_policies.py" "$2" "$seed" "$1" --requests "$3" --reference
  fi
}

# build_pack DIR: the pack of DIR/policies.sut (only when Suture can authorize).
build_pack() {
  "$suture" build "$1/policies.sut" -o "$1/policies.spk"
}

dir="$work/rules-$rules-requests-$requests"
echo "== data: $rules rules, $requests requests (seed $seed) in $dir"
generate "$dir" "$rules" "$requests"

echo "== Cedar decisions (statefulIsAuthorized), checked against isAuthorized and the reference"
$cedar "$dir/policies.cedar" "$dir/requests.cedar.json" --out "$dir/cedar.out" --time --cross-check 50
python3 "$policies/compare_decisions.py" "$dir/reference.ndjson" "$dir/cedar.out" --show 5 |
  sed 's/^/   reference vs cedar: /'

if [ "$have_suture" = 1 ]; then
  echo "== pack"
  build_pack "$dir"
  echo "== Suture decisions, compared with Cedar's"
  "$suture" authorize "$dir/policies.spk" --policy access --requests "$dir/requests.ndjson" --out "$dir/suture.out"
  python3 "$policies/compare_decisions.py" "$dir/suture.out" "$dir/cedar.out"

  echo "== time, $rounds rounds, whole process, medians (ratio to suture)"
  python3 "$here/bench/compare.py" --rounds "$rounds" \
    --name suture "$suture authorize $dir/policies.spk --policy access --requests $dir/requests.ndjson" \
    --name cedar-wasm "$cedar $dir/policies.cedar $dir/requests.cedar.json"
else
  echo "== time, $rounds rounds, whole process, median (Cedar only)"
  python3 "$here/bench/compare.py" --rounds "$rounds" \
    --name cedar-wasm "$cedar $dir/policies.cedar $dir/requests.cedar.json"
fi

echo "== rule scaling: whole process per decision, $scale_requests requests, 1 round each"
for n in $scale_rules; do
  scale_dir="$work/rules-$n-requests-$scale_requests"
  generate "$scale_dir" "$n" "$scale_requests" >/dev/null
  $cedar "$scale_dir/policies.cedar" "$scale_dir/requests.cedar.json" --out "$scale_dir/cedar.out"
  python3 "$policies/compare_decisions.py" "$scale_dir/reference.ndjson" "$scale_dir/cedar.out" --show 3 >/dev/null ||
    { echo "rules=$n: Cedar disagrees with the reference decisions" >&2; exit 1; }
  names=(--name "cedar-wasm" "$cedar $scale_dir/policies.cedar $scale_dir/requests.cedar.json")
  if [ "$have_suture" = 1 ]; then
    build_pack "$scale_dir"
    "$suture" authorize "$scale_dir/policies.spk" --policy access --requests "$scale_dir/requests.ndjson" \
      --out "$scale_dir/suture.out"
    python3 "$policies/compare_decisions.py" "$scale_dir/suture.out" "$scale_dir/cedar.out" --show 3 >/dev/null ||
      { echo "rules=$n: Suture and Cedar disagree (compare_decisions.py $scale_dir/suture.out $scale_dir/cedar.out)" >&2; exit 1; }
    names=(--name suture "$suture authorize $scale_dir/policies.spk --policy access --requests $scale_dir/requests.ndjson"
           "${names[@]}")
  fi
  python3 "$here/bench/compare.py" --rounds 1 --warmup 0 "${names[@]}" |
    awk -v n="$n" -v r="$scale_requests" 'NR == 1 { print "rules=" n ": " $0 "   per decision"; next }
      { printf "rules=%s: %s   %10.1f us\n", n, $0, $2 * 1e6 / r }'
done

if [ "$have_suture" = 0 ] && [ "${CEDAR_ONLY:-0}" != 1 ]; then
  echo "!! Suture side not run: $why. The Cedar side above is complete; set CEDAR_ONLY=1 to make that a success." >&2
  exit 3
fi
