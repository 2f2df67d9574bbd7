#!/usr/bin/env python3
"""compare.py — times whole-process commands side by side in one run and prints ratios.

Each round runs every command once, in turn (so a noisy moment hits all of them alike); after
the rounds it prints, per command, the median and minimum wall time, the peak RSS, and the
ratio of medians against the first command (the reference).

    compare.py --rounds 7 --name hand "./limit in.ndjson" --name suture "suture run …"

Commands run through /bin/sh with stdout to /dev/null. A command that exits non-zero stops
the comparison: a failing program has no speed.
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import time


def run_once(command):
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.execv("/bin/sh", ["/bin/sh", "-c", command])
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"compare.py: `{command}` exited with {os.waitstatus_to_exitcode(status)}")
    return elapsed, usage.ru_maxrss / 1024.0  # MiB


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--name", nargs=2, action="append", metavar=("NAME", "COMMAND"), required=True)
    args = parser.parse_args()
    commands = args.name
    for _ in range(args.warmup):
        for _, command in commands:
            run_once(command)
    times = {name: [] for name, _ in commands}
    rss = {name: 0.0 for name, _ in commands}
    for _ in range(args.rounds):
        for name, command in commands:
            elapsed, peak = run_once(command)
            times[name].append(elapsed)
            rss[name] = max(rss[name], peak)
    reference = statistics.median(times[commands[0][0]])
    width = max(len(name) for name, _ in commands)
    print(f"{'command':<{width}}  median s   min s   peak MiB   ratio to {commands[0][0]}")
    for name, _ in commands:
        median = statistics.median(times[name])
        print(f"{name:<{width}}  {median:8.3f}  {min(times[name]):6.3f}   {rss[name]:8.1f}   {median / reference:6.2f}x")


if __name__ == "__main__":
    main()
