#!/usr/bin/env python3
"""Runs `nurture simulate --threads 1` and the SimPy baseline
(wake_up_dormant.py) on the same generated customers, prints their outcome
shares side by side, and how much faster nurture is.

    cargo build --release
    pip install simpy
    python3 benches/baseline/compare.py --count 1000000

Each side runs as its own process; the times are wall-clock and CPU
(user + system) of that process, the memory its peak resident size. On a
machine others share, run it more than once and compare medians.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = "programs/wake_up_dormant.nurture"


def timed(command):
    """Runs `command`; returns (stdout, wall seconds, CPU seconds, peak MB)."""
    started = time.monotonic()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, stdout=out, cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.monotonic() - started
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"failed: {' '.join(map(str, command))}")
        out.seek(0)
        text = out.read().decode()
    return text, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def nurture_figures(report):
    program = report["programs"][0]
    treated = program["entered"]["treated"]
    shares = {o["outcome"]: o["journeys"] for o in program["outcomes"]}
    return {
        "treated": treated,
        "holdout": program["entered"]["holdout"],
        "outcomes": shares,
        "goal treated": program["goal"]["treated"]["converted"],
        "goal holdout": program["goal"]["holdout"]["converted"],
        "email": program["messages"]["per_channel"].get("email", 0),
        "sms": program["messages"]["per_channel"].get("sms", 0),
    }


def simpy_figures(report):
    outcomes = dict(report["outcomes"].get("treated", {}))
    if report["still_in"]["treated"]:
        outcomes["still in"] = report["still_in"]["treated"]
    return {
        "treated": report["entered"]["treated"],
        "holdout": report["entered"]["holdout"],
        "outcomes": outcomes,
        "goal treated": report["converted"]["treated"],
        "goal holdout": report["converted"]["holdout"],
        "email": report["sent"].get("email", 0),
        "sms": report["sent"].get("sms", 0),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1, help="the customers' seed")
    parser.add_argument("--nurture", default=str(ROOT / "target/release/nurture"))
    parser.add_argument("--customers", help="use this CSV instead of generating one")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        customers = args.customers
        if customers is None:
            customers = str(Path(scratch) / "customers.csv")
            subprocess.run(
                [args.nurture, "sample", "customers", "--count", str(args.count),
                 "--seed", str(args.seed), "-o", customers],
                check=True,
            )
        ours, n_wall, n_cpu, n_mem = timed(
            [args.nurture, "simulate", PROGRAM, "--customers", customers,
             "--threads", "1", "--output-format", "json"]
        )
        theirs, s_wall, s_cpu, s_mem = timed(
            [sys.executable, str(ROOT / "benches/baseline/wake_up_dormant.py"), customers]
        )

    a, b = nurture_figures(json.loads(ours)), simpy_figures(json.loads(theirs))
    print(f"{'':24}{'nurture':>12}{'SimPy':>12}")
    for key in ("treated", "holdout", "goal treated", "goal holdout", "email", "sms"):
        print(f"{key:24}{a[key]:>12,}{b[key]:>12,}")
    print("outcome (share of treated journeys)")
    for outcome in sorted(set(a["outcomes"]) | set(b["outcomes"])):
        share = lambda f: 100 * f["outcomes"].get(outcome, 0) / max(f["treated"], 1)
        print(f"  {outcome:22}{share(a):>11.1f}%{share(b):>11.1f}%")
    print(f"{'wall seconds':24}{n_wall:>12.2f}{s_wall:>12.2f}")
    print(f"{'CPU seconds':24}{n_cpu:>12.2f}{s_cpu:>12.2f}")
    print(f"{'peak memory (MB)':24}{n_mem:>12.0f}{s_mem:>12.0f}")
    print(f"nurture is {s_wall / n_wall:.0f}x as fast (wall), {s_cpu / n_cpu:.0f}x (CPU), "
          f"single thread against single thread, {a['treated'] + a['holdout']:,} journeys")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
