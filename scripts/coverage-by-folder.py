#!/usr/bin/env python3
"""Line, region and branch coverage per folder of src/, from the JSON that
`cargo llvm-cov report --json --summary-only` writes (docs/testing.md).

Usage: scripts/coverage-by-folder.py coverage.json
"""

import collections
import json
import sys


def main(path):
    with open(path) as file:
        files = json.load(file)["data"][0]["files"]
    totals = collections.defaultdict(lambda: collections.Counter())
    for entry in files:
        name = entry["filename"].replace("\\", "/")
        if "/src/" not in name:
            continue
        parts = ("src/" + name.rsplit("/src/", 1)[1]).split("/")
        folder = "/".join(parts[:2]) if len(parts) > 2 else "src/*.rs"
        for kind in ("lines", "regions", "branches"):
            summary = entry["summary"].get(kind, {})
            totals[folder][kind + " covered"] += summary.get("covered", 0)
            totals[folder][kind] += summary.get("count", 0)

    def percent(counts, kind):
        if not counts[kind]:
            return "     -"
        return f"{100 * counts[kind + ' covered'] / counts[kind]:5.1f}%"

    print(f"{'folder':<12} {'lines':>6} {'regions':>8} {'branches':>9}")
    for folder, counts in sorted(totals.items()):
        print(
            f"{folder:<12} {percent(counts, 'lines'):>6} {percent(counts, 'regions'):>8}"
            f" {percent(counts, 'branches'):>9}   ({counts['lines covered']}/{counts['lines']} lines)"
        )


if __name__ == "__main__":
    main(sys.argv[1])
