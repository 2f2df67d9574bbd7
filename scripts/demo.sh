#!/usr/bin/env bash
# demo.sh — the README's first command: set up, build, check the reference specs and the
# examples, show what the checker says about a spec with deliberate mistakes, then compile a
# mapping into a pack and run it on sample patients (one of them bad, to show a rejection);
# last, the main job: the reference packs on suture-host with its SQLite store, fed the sample
# messages, delivering to local stand-in Odoo and FHIR servers (scripts/demo_host.py).
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
echo
echo "== suture test specs examples/tutorial  (the specs' own tests, compiled)"
build/bin/suture test specs examples/tutorial
echo
echo "== suture build tests/bench/patient_partner.sut -o build/demo/patient_partner.spk"
mkdir -p build/demo
build/bin/suture build tests/bench/patient_partner.sut -o build/demo/patient_partner.spk
build/bin/suture inspect build/demo/patient_partner.spk
echo
echo "== suture run: three FHIR Patients and one without an id → res.partner rows"
{ cat tests/fixtures/patients3.ndjson; echo '{"resourceType":"Patient","name":[{"family":"NoId"}]}'; } \
  > build/demo/patients.ndjson
build/bin/suture run build/demo/patient_partner.spk --in build/demo/patients.ndjson --stats \
  || echo "(exit $? — one message was rejected, as expected; the others were mapped)"
echo
echo "== suture-host: the reference packs on the host (SQLite store), fed the sample messages"
python3 scripts/demo_host.py
