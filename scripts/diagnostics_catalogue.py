#!/usr/bin/env python3
"""diagnostics_catalogue.py — writes docs/diagnostics.md: every diagnostic code with its title,
severity, the smallest golden case that shows it, and what `suture check` (or, for the back
end's S5 codes, `suture build`) prints for it, including the fix hint. Examples come from
tests/golden and tests/build, so the catalogue is always true.

  scripts/diagnostics_catalogue.py SUTURE            rewrite docs/diagnostics.md
  scripts/diagnostics_catalogue.py SUTURE --check    exit 1 if the file is out of date
"""
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CODES = ROOT / "compiler" / "diagnostics" / "codes.def"
GOLDEN = ROOT / "tests" / "golden"
BUILD = ROOT / "tests" / "build"
OUT = ROOT / "docs" / "diagnostics.md"

AREAS = {"S0": "Driver and input", "S1": "Syntax", "S2": "Names", "S3": "Types", "S4": "Totality and structure",
         "S5": "Building packs"}


def codes():
    pattern = re.compile(r'^SUTURE_DIAG\((S\d{4}), (\w+), "([^"]*)"\)')
    for line in CODES.read_text().splitlines():
        m = pattern.match(line)
        if m:
            yield m.group(1), m.group(2).lower(), m.group(3)


def examples():
    """code -> (case .sut path, its size) for single-file cases, smallest first."""
    found = {}
    for expected in sorted(GOLDEN.glob("*/*.expected")) + sorted(BUILD.glob("*/*.expected")):
        case = expected.with_suffix(".sut")
        if not case.exists():
            continue
        for code in set(re.findall(r"\[(S\d{4})\]", expected.read_text())):
            size = len(case.read_text())
            if code not in found or size < found[code][1]:
                found[code] = (case, size)
    return found


def command(case):
    return "build" if BUILD in case.parents else "check"


def render(suture, case, code):
    args = [suture, "check", "--color", "never"] if command(case) == "check" else [suture, "build", "--emit", "ir"]
    run = subprocess.run(args + [str(case.relative_to(ROOT))], cwd=ROOT, capture_output=True, text=True)
    blocks = run.stderr.split("\n\n")
    return "\n\n".join(b for b in blocks if f"[{code}]" in b.splitlines()[0]) if blocks else ""


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    suture = sys.argv[1]
    found = examples()
    out = ["# Diagnostics", "",
           "Every diagnostic `suture check` and `suture build` can print, by code. Codes are stable: they are never",
           "renumbered, and tools may match on them. `--allow CODE` silences a warning;",
           "`--deny-warnings` makes warnings fail the check. Each example is a golden test case",
           "(`tests/golden/…`, `tests/build/…`), shown with what the compiler prints for it.", ""]
    area = None
    for code, severity, title in codes():
        if AREAS.get(code[:2]) != area:
            area = AREAS.get(code[:2])
            out += [f"## {area}", ""]
        out += [f"### {code}: {title}", "", f"Severity: {severity}.", ""]
        if code in found:
            case = found[code][0]
            source = case.read_text().rstrip()
            out += [f"Example (`{case.relative_to(ROOT)}`):", "", "```", source, "```", "",
                    f"`suture {command(case)}` says:", "", "```", render(suture, case, code).rstrip(), "```", ""]
        elif code.startswith("S0"):
            out += ["Reported without a source location, for paths given on the command line",
                    "(exit code 2). Covered by `tests/cli/cli_test.sh`.", ""]
    text = "\n".join(out)
    if "--check" in sys.argv:
        if not OUT.exists() or OUT.read_text() != text:
            print("docs/diagnostics.md is out of date: run scripts/diagnostics_catalogue.py build/bin/suture")
            sys.exit(1)
        print("docs/diagnostics.md is current")
        return
    OUT.write_text(text)


if __name__ == "__main__":
    main()
