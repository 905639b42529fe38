#!/usr/bin/env python3
"""Combine score.py --summary-json files into one markdown table.

    summarize.py RESULTS_DIR/*.json

One line per scored (seed, header style, format) run, then the mean column
accuracy and the pooled free-text span counts across all runs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.1%}"


def f1(tp: int, fp: int, fn: int) -> float | None:
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None


def main(paths: list[str]) -> int:
    runs = [json.loads(Path(p).read_text(encoding="utf-8")) for p in paths]
    # Run order: seed, then header style and format in their usual order.
    styles, formats = ["snake", "camel", "title", "upper"], ["csv", "jsonl", "parquet"]
    runs.sort(key=lambda r: (
        str(r.get("seed")),
        styles.index(r["header_style"]) if r.get("header_style") in styles else 9,
        formats.index(r["format"]) if r.get("format") in formats else 9,
    ))
    if not runs:
        print("no results to summarize")
        return 0
    print("## Summary\n")
    print("| seed | headers | format | column accuracy | personal right | look-alikes flagged "
          "| span F1 strict | span F1 lenient |")
    print("|---|---|---|---|---|---|---|---|")
    pooled = {"strict": [0, 0, 0], "lenient": [0, 0, 0]}
    for r in runs:
        c, s = r["columns"], r.get("spans")
        cells = [str(r.get("seed")), str(r.get("header_style")), r["format"], pct(c["accuracy"]),
                 f"{c['personal_right']}/{c['personal_total']}", f"{c['lookalike_flagged']}/{c['lookalike_total']}"]
        for mode in ("strict", "lenient"):
            if s:
                t = s["total"][mode]
                pooled[mode] = [pooled[mode][0] + t["tp"], pooled[mode][1] + t["fp"], pooled[mode][2] + t["fn"]]
                cells.append(pct(t["f1"]))
            else:
                cells.append("-")
        print("| " + " | ".join(cells) + " |")
    mean = sum(r["columns"]["accuracy"] for r in runs) / len(runs)
    print()
    print(f"- runs: {len(runs)}; mean column accuracy: **{mean:.1%}**")
    print(f"- pooled span F1: strict **{pct(f1(*pooled['strict']))}**, lenient **{pct(f1(*pooled['lenient']))}**")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
