#!/usr/bin/env bash
# cli_test.sh — the `suture check` contract as a CI pipeline relies on it: exit codes
# (0 clean, 1 errors, 2 usage or I/O), --deny-warnings, and parseable JSON and SARIF.
set -u
suture="$1"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failures=0
expect() {  # expect NAME WANTED_EXIT command...
  local name=$1 wanted=$2
  shift 2
  "$@" >"$dir/out" 2>"$dir/err"
  local got=$?
  if [ "$got" -ne "$wanted" ]; then
    echo "FAIL $name: exit $got, wanted $wanted"; cat "$dir/err"; failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}
printf 'module clean\nconst A = 1\n' >"$dir/clean.sut"
printf 'module bad\nconst A: int = "x"\n' >"$dir/bad.sut"
printf 'module warn\nimport std (Decision)\nconst A = 1\n' >"$dir/warn.sut"
expect clean_exits_0 0 "$suture" check "$dir/clean.sut"
expect errors_exit_1 1 "$suture" check "$dir/bad.sut"
expect warnings_exit_0 0 "$suture" check "$dir/warn.sut"
expect deny_warnings_exit_1 1 "$suture" check --deny-warnings "$dir/warn.sut"
expect allow_silences_warning 0 "$suture" check --deny-warnings --allow S2012 "$dir/warn.sut"
expect missing_file_exits_2 2 "$suture" check "$dir/nope.sut"
expect bad_option_exits_2 2 "$suture" check --frobnicate "$dir/clean.sut"
expect no_paths_exits_2 2 "$suture" check
mkdir -p "$dir/empty"
expect empty_folder_exits_2 2 "$suture" check "$dir/empty"
grep -q "S0002" "$dir/err" && echo "ok   empty_folder_says_S0002" || { echo "FAIL empty_folder_says_S0002"; failures=$((failures + 1)); }
expect missing_file_says_S0001 2 "$suture" check "$dir/nope.sut"
grep -q "S0001" "$dir/err" && echo "ok   missing_file_has_code" || { echo "FAIL missing_file_has_code"; failures=$((failures + 1)); }
expect folder_is_searched 1 "$suture" check "$dir"
expect json_format 1 "$suture" check --format json "$dir/bad.sut"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["errors"]==1 and d["diagnostics"][0]["code"]=="S3001"' "$dir/out" \
  && echo "ok   json_is_parseable" || { echo "FAIL json_is_parseable"; failures=$((failures + 1)); }
expect sarif_format 1 "$suture" check --format sarif "$dir/bad.sut"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); r=d["runs"][0]["results"][0]; assert d["version"]=="2.1.0" and r["ruleId"]=="S3001" and r["locations"][0]["physicalLocation"]["region"]["startLine"]==2' "$dir/out" \
  && echo "ok   sarif_is_parseable" || { echo "FAIL sarif_is_parseable"; failures=$((failures + 1)); }
expect short_format 1 "$suture" check --format short "$dir/bad.sut"
grep -q "bad.sut:2:16: error\[S3001\]" "$dir/out" && echo "ok   short_has_line_col" || { echo "FAIL short_has_line_col"; cat "$dir/out"; failures=$((failures + 1)); }
# Everything the project ships as specs checks clean: stdlib, reference specs, examples, benchmarks.
expect shipped_specs_are_clean 0 "$suture" check --deny-warnings stdlib specs examples/tutorial tests/bench
exit $failures
