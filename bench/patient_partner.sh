#!/usr/bin/env bash
# patient_partner.sh — the Patient → res.partner benchmark of ../shared/bench/patient_partner:
# builds the peers (the hand-written simdjson program; jq comes from Debian), generates the
# patients, builds tests/bench/patient_partner.sut into a pack, checks that `suture run` writes
# exactly what jq writes, then times all three side by side (whole process: pack loading and
# JIT included) and prints the ratios. Also the pack's load-and-compile time, and the peak RSS
# for a tenth of the input (constant memory means the same peak).
#
#   bench/patient_partner.sh [N=200000] [ROUNDS=5]      (after scripts/build.sh)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-200000}"
rounds="${2:-5}"
shared="$here/../shared/bench/patient_partner"
suture="${SUTURE:-$here/build/bin/suture}"
work="${BENCH_DIR:-$here/build/bench}"
mkdir -p "$work"

[ -x "$suture" ] || { echo "build first: scripts/build.sh" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq is missing: apt-get install jq" >&2; exit 2; }

echo "== peers"
g++ -O2 -std=c++20 "$shared/limit_simdjson.cpp" -lsimdjson -o "$work/limit_simdjson"
echo "== data: $n patients"
if [ ! -f "$work/patients-$n.ndjson" ]; then
  python3 "$shared/gen_patients.py" "$n" > "$work/patients-$n.ndjson"
fi
head -n $((n / 10)) "$work/patients-$n.ndjson" > "$work/patients-tenth.ndjson"
echo "== pack"
"$suture" build "$here/tests/bench/patient_partner.sut" -o "$work/patient_partner.spk"

echo "== same bytes as jq and as the hand-written program"
jq -c -f "$shared/patient_partner.jq" "$work/patients-$n.ndjson" > "$work/jq.out"
"$work/limit_simdjson" "$work/patients-$n.ndjson" > "$work/limit.out"
"$suture" run "$work/patient_partner.spk" --in "$work/patients-$n.ndjson" --out "$work/suture.out" --stats
cmp "$work/jq.out" "$work/suture.out"
cmp "$work/limit.out" "$work/suture.out"
echo "identical: $(wc -l < "$work/suture.out") rows"

echo "== time, $rounds rounds, medians (ratio to the hand-written program)"
python3 "$here/bench/compare.py" --rounds "$rounds" \
  --name hand-written "$work/limit_simdjson $work/patients-$n.ndjson" \
  --name suture "$suture run $work/patient_partner.spk --in $work/patients-$n.ndjson" \
  --name jq "jq -c -f $shared/patient_partner.jq $work/patients-$n.ndjson"

echo "== constant memory: peak RSS for a tenth of the input and for all of it"
python3 "$here/bench/compare.py" --rounds 3 --warmup 0 \
  --name "suture-$((n / 10))" "$suture run $work/patient_partner.spk --in $work/patients-tenth.ndjson" \
  --name "suture-$n" "$suture run $work/patient_partner.spk --in $work/patients-$n.ndjson"

echo "== pack load (read, verify, JIT-compile) for every reference pack"
for spec in "$here/tests/bench/patient_partner.sut" "$here"/specs/*/*.sut; do
  [ -f "$spec" ] || continue
  name="$(basename "$spec" .sut)"
  if "$suture" build "$spec" -o "$work/$name.spk" 2>/dev/null; then
    for mapping in $("$suture" inspect "$work/$name.spk" | sed -n 's/^  mapping \([A-Za-z0-9_]*\).*/\1/p'); do
      printf '%s/%s: ' "$name" "$mapping"
      "$suture" run "$work/$name.spk" --mapping "$mapping" --in /dev/null --stats 2>&1 | sed 's/.*compiled in /load+JIT /'
    done
  fi
done
