#!/usr/bin/env python3
"""compare_decisions.py — the agreement half of the policy benchmark: reads the decision lines
of `suture authorize` and of cedar_decide.mjs (both NDJSON, one line per request, keyed by the
request's 1-based number) and compares them request by request:

  - the decision, permit or deny;
  - the rules that decided it, as a set: the permits that held for a permit, the forbids that
    held for a deny (empty for a default deny);
  - the rules skipped because their condition failed to evaluate (Suture's "skipped", Cedar's
    diagnostics errors): in an equivalent pair neither side should skip any.

    compare_decisions.py SUTURE_OUT CEDAR_OUT [--show N] [--decision-only]

Prints the first N disagreements (default 10) and a summary; exits 1 on any disagreement, on a
request one side decided and the other did not, or on a line that is not a decision.
"""
import argparse
import collections
import json
import sys


def read_decisions(path, side):
    decisions = {}
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                request = int(row["request"])
            except (ValueError, KeyError, TypeError) as error:
                sys.exit(f"compare_decisions.py: {side} line {number} is not a decision line ({error}): {line[:200]}")
            if request in decisions:
                sys.exit(f"compare_decisions.py: {side} decides request {request} twice")
            decisions[request] = row
    return decisions


def skipped_rules(row):
    return frozenset(entry["rule"] if isinstance(entry, dict) else str(entry) for entry in row.get("skipped", []))


def differences(suture, cedar, decision_only):
    found = []
    if suture.get("decision") != cedar.get("decision"):
        found.append("decision")
    if not decision_only:
        if frozenset(suture.get("rules", [])) != frozenset(cedar.get("rules", [])):
            found.append("rules")
        if skipped_rules(suture) != skipped_rules(cedar):
            found.append("skipped")
    return found


def brief(row):
    if row is None:
        return "(no decision)"
    text = f"{row.get('decision')} by {sorted(row.get('rules', []))}"
    if row.get("skipped"):
        text += f" skipped {sorted(skipped_rules(row))}"
    if row.get("error"):
        text += f" error {row['error']}"
    return text


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("suture_out")
    parser.add_argument("cedar_out")
    parser.add_argument("--show", type=int, default=10, help="how many disagreements to print")
    parser.add_argument("--decision-only", action="store_true",
                        help="compare permit/deny only, not the deciding and skipped rules")
    args = parser.parse_args()
    suture = read_decisions(args.suture_out, "suture")
    cedar = read_decisions(args.cedar_out, "cedar")

    kinds = collections.Counter()    # what differed: decision, rules, skipped, missing
    outcomes = collections.Counter()  # how the agreed requests were decided
    shown = 0
    for request in sorted(suture.keys() | cedar.keys()):
        ours, theirs = suture.get(request), cedar.get(request)
        found = ["missing"] if ours is None or theirs is None else differences(ours, theirs, args.decision_only)
        if found:
            kinds.update(found)
            kinds["requests"] += 1
            if shown < args.show:
                shown += 1
                print(f"request {request}: {', '.join(found)} differ\n"
                      f"  suture: {brief(ours)}\n"
                      f"  cedar:  {brief(theirs)}")
        else:
            how = "by forbid" if ours["decision"] == "deny" and ours.get("rules") else \
                  "by default" if ours["decision"] == "deny" else "by permit"
            outcomes[f"{ours['decision']} {how}"] += 1

    total = len(suture.keys() | cedar.keys())
    agreed = total - kinds["requests"]
    what = "decisions" if args.decision_only else "decisions and deciding rules"
    print(f"{agreed} of {total} requests agree ({what}): " +
          (", ".join(f"{count} {name}" for name, count in sorted(outcomes.items())) or "none"))
    if kinds["requests"]:
        detail = ", ".join(f"{kinds[k]} {k}" for k in ("decision", "rules", "skipped", "missing") if kinds[k])
        print(f"{kinds['requests']} disagree: {detail}")
        if kinds["missing"] and len(suture) == len(cedar):
            print("  (same number of lines but different request numbers: do both count from 1?)")
        sys.exit(1)


if __name__ == "__main__":
    main()
