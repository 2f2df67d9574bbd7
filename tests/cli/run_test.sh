#!/usr/bin/env bash
# run_test.sh — `suture build`, `suture run` and `suture inspect` as a user runs them: packs are
# deterministic, output matches the jq reference byte for byte, bad messages become one
# rejection line each (code and path) while the rest are mapped, single JSON documents and HL7 v2
# streams are read, and a tampered, foreign or mismatched pack is refused with exit code 2.
set -u
suture="$1"
root="$(cd "$(dirname "$0")/../.." && pwd)"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failures=0
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1"; failures=$((failures + 1)); }
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }
run() {  # run NAME WANTED_EXIT command...
  local name=$1 wanted=$2
  shift 2
  "$@" >"$dir/out" 2>"$dir/err"
  local got=$?
  if [ "$got" -ne "$wanted" ]; then fail "$name (exit $got, wanted $wanted)"; cat "$dir/err"; else pass "$name"; fi
}

spec="$root/tests/bench/patient_partner.sut"
run build_writes_a_pack 0 "$suture" build "$spec" -o "$dir/a.spk"
run build_again 0 "$suture" build "$spec" -o "$dir/b.spk"
check packs_are_deterministic cmp -s "$dir/a.spk" "$dir/b.spk"
run build_needs_output 2 "$suture" build "$spec"
run build_unknown_mapping_fails 1 "$suture" build "$spec" --mapping nope -o "$dir/c.spk"
check build_unknown_mapping_says_S5002 grep -q "S5002" "$dir/err"

run run_maps_patients 0 "$suture" run "$dir/a.spk" --in "$root/tests/fixtures/patients3.ndjson"
check output_is_byte_identical_to_jq cmp -s "$dir/out" "$root/tests/fixtures/patients3.partner.ndjson"
run run_reads_stdin 0 sh -c "\"$suture\" run \"$dir/a.spk\" < \"$root/tests/fixtures/patients3.ndjson\""
check stdin_output_is_the_same cmp -s "$dir/out" "$root/tests/fixtures/patients3.partner.ndjson"

{
  head -1 "$root/tests/fixtures/patients3.ndjson"
  echo '{"resourceType":"Patient","name":[{"family":"NoId"}]}'
  echo '{"resourceType":"Patient", "id": '
  echo '{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"x"}}'
  echo '{"resourceType":"Patient","id":"p9","gender":"robot"}'
  tail -1 "$root/tests/fixtures/patients3.ndjson"
} >"$dir/mixed.ndjson"
run rejects_exit_1 1 "$suture" run "$dir/a.spk" --in "$dir/mixed.ndjson" --out "$dir/mixed.out" --rejects "$dir/rejects"
check good_messages_still_mapped test "$(wc -l <"$dir/mixed.out")" -eq 2
check one_rejection_line_each test "$(wc -l <"$dir/rejects")" -eq 4
check rejections_are_json python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
got = [(r["message"], r["code"], r["path"]) for r in rows]
want = [(2, "PATIENT_NO_ID", "$.id"), (3, "JSON_MALFORMED", "$"), (4, "JSON_RESOURCE_TYPE_MISMATCH", "$.resourceType"),
        (5, "JSON_BAD_ENUM_CODE", "$.gender")]
assert got == want, got
assert all(r["error"] for r in rows)' "$dir/rejects"

run single_document_input 0 "$suture" run "$dir/a.spk" --in "$root/specs/patients/fixtures/patient-pat2.json"
check single_document_gives_one_row test "$(wc -l <"$dir/out")" -eq 1

run inspect_shows_the_pack 0 "$suture" inspect "$dir/a.spk"
check inspect_names_the_entry_point grep -q "mapping patient_partner(Patient) -> PartnerRow" "$dir/out"

cp "$dir/a.spk" "$dir/tampered.spk"
python3 - "$dir/tampered.spk" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
data[len(data) // 2] ^= 0x20
open(sys.argv[1], "wb").write(data)
PY
run tampered_pack_refused 2 "$suture" run "$dir/tampered.spk" --in "$root/tests/fixtures/patients3.ndjson"
check tampered_pack_says_hash grep -q "PACK_HASH_MISMATCH" "$dir/err"
check tampered_pack_mapped_nothing test ! -s "$dir/out"
run foreign_file_refused 2 "$suture" run "$root/tests/fixtures/patients3.ndjson" --in /dev/null
check foreign_file_says_not_a_pack grep -q "PACK_NOT_A_PACK" "$dir/err"
run unknown_mapping_refused 2 "$suture" run "$dir/a.spk" --mapping nope --in /dev/null
check unknown_mapping_lists_the_mappings grep -q "it has: patient_partner" "$dir/err"

run build_hl7_pack 0 "$suture" build "$root/tests/build/ir/adt_partner.sut" -o "$dir/adt.spk"
for f in ADT-A01-01 ADT-A03-01 ADT-A04-01; do cat "$root/../shared/data/hl7v2/$f.hl7"; printf '\r\n'; done >"$dir/adt.hl7"
run hl7_stream_mapped 1 "$suture" run "$dir/adt.spk" --in "$dir/adt.hl7" --rejects "$dir/adt.rejects"
check hl7_two_rows test "$(wc -l <"$dir/out")" -eq 2
check hl7_wrong_type_rejected grep -q '"message":2,"code":"HL7_UNEXPECTED_MESSAGE_TYPE","path":"MSH-9"' "$dir/adt.rejects"

run build_policy_pack 0 "$suture" build "$root/tests/build/ir/policy_access.sut" -o "$dir/policy.spk"
printf 'secret' >"$dir/mrn.key"
run authorize_decides_every_request 0 "$suture" authorize "$dir/policy.spk" --requests "$root/tests/fixtures/policy_requests.ndjson" \
  --key mrn-key="$dir/mrn.key" --audit "$dir/audit.ndjson"
check one_decision_per_request test "$(wc -l <"$dir/out")" -eq "$(wc -l <"$root/tests/fixtures/policy_requests.ndjson")"
check decisions_name_their_rules python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert {r["decision"] for r in rows} == {"permit", "deny"}
assert all(r["rules"] for r in rows if r["decision"] == "permit")
assert any(r["skipped"] for r in rows), "the broken rule is skipped somewhere"
assert all(o["path"].startswith("$") for r in rows for o in r["obligations"])' "$dir/out"
check audit_has_no_phi python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert rows and all(len(r["decision_id"]) == 36 and len(r["pack"]) == 64 for r in rows)
text = open(sys.argv[1]).read()
assert "738472983" not in text and "Pieter" not in text and "error" not in text' "$dir/audit.ndjson"
run authorize_without_key_refuses_pseudonymising 1 "$suture" authorize "$dir/policy.spk" --requests "$root/tests/fixtures/policy_requests.ndjson"
check missing_key_is_named grep -q '"code":"KEY_UNKNOWN"' "$dir/out"
printf '{"principal":{"id":"u","kind":"human","role":"x","roles":[],"scopes":[],"attributes":{}},"action":"read"}\n{"nope":1}\n' >"$dir/bad_requests.ndjson"
run bad_requests_refused 1 "$suture" authorize "$dir/policy.spk" --requests "$dir/bad_requests.ndjson" --key mrn-key="$dir/mrn.key"
check missing_member_named grep -q '"request":1,"code":"REQUEST_MISSING_MEMBER","path":"$.res"' "$dir/out"
check unknown_member_named grep -q '"request":2,"code":"REQUEST_UNKNOWN_MEMBER","path":"$.nope"' "$dir/out"
run measure_reports_a_median 0 "$suture" authorize "$dir/policy.spk" --requests "$root/tests/fixtures/policy_requests.ndjson" \
  --key mrn-key="$dir/mrn.key" --measure 10
check measure_prints_ns grep -q "median .* ns" "$dir/out"

run test_runs_the_specs_tests 0 "$suture" test "$root/specs" "$root/examples/tutorial"
check test_prints_the_summary grep -qE "^[0-9]+ passed, 0 failed$" "$dir/out"
mkdir -p "$dir/tests/fixtures"
cp "$root/specs/patients/fixtures/patient-pat2.json" "$dir/tests/fixtures/"
cat >"$dir/tests/t.sut" <<'SUT'
module tt
import fhir.r4 (Patient)
record Row { name: string, ref: string? }
mapping row(p: Patient) -> Row {
  name = p.name.first()?.family ?? "?"
  ref = p.identifier.first()?.value
}
test "names are copied" {
  let out = row(fixture("fixtures/patient-pat2.json"))
  expect out.name == "Donald"
}
test "a wrong expectation fails" {
  let out = row(fixture("fixtures/patient-pat2.json"))
  expect out.ref == "999"
}
SUT
run failing_test_exits_1 1 "$suture" test "$dir/tests" --junit "$dir/junit.xml"
check failure_names_the_expect grep -q 'expect at .*t.sut:14 was false: expect out.ref == "999"' "$dir/out"
check failure_summary grep -q "^1 passed, 1 failed$" "$dir/out"
check junit_is_xml python3 -c 'import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); assert r.get("tests") == "2" and r.get("failures") == "1"' "$dir/junit.xml"
run filter_selects_tests 0 "$suture" test "$dir/tests" --filter copied
# Every kind of expectation, passing and failing on purpose: the report is compared line by line.
(cd "$root" && "$suture" test tests/cli/test_blocks >"$dir/blocks.out" 2>&1)
check test_blocks_exit_1_on_failures [ $? -eq 1 ]
check test_blocks_report_whole_output_diffs_and_rejections diff -u "$root/tests/cli/test_blocks/expected_output.txt" "$dir/blocks.out"
check filter_runs_one grep -q "^1 passed, 0 failed$" "$dir/out"

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
