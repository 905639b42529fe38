#!/usr/bin/env python3
"""Closed-loop evaluation: pseudonymize gen.py's (or gen2.py's) tables, check the copies, count what is left.

For every seed x header style, gen.py writes customers.{csv,jsonl,parquet} with labels. For
each format this script runs

    shroud pseudonymize DIR --out-dir OUT --key-file K        (the default policy)
    shroud check OUT                                      (the default share policy)

and then, against the labels (never against shroud's own findings), counts the *residuals*:
planted personal values whose original text is still in the output at the same row and
column (a whole cell for structured columns, a span's text for the free-text column).
Values the default policy keeps (LOCATION, GENDER) are not counted. A generalized value
(a birth date to January 1st, a postal code to 3 characters) is a residual only if the
original text survives; a birth date that already was January 1st is not counted.

    python3 scripts/eval/closed_loop.py --shroud target/release/shroud \
        --seeds 1 2 3 --styles snake title --rows 2000 --out /tmp/closed
    python3 scripts/eval/closed_loop.py --shroud target/release/shroud \
        --generator gen2.py --seeds 1 2 --rows 2000 --out /tmp/closed2

Prints one markdown table per entity (planted, left, rate) and the check exit status of
every output; exits 1 when a check failed or any residual was found. Not part of CI.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
KEPT = {"LOCATION", "GENDER"}


def jsonl_get(rec: dict, path: str) -> list:
    """Values at a dotted path with `[]` for lists, as a list (several under a list)."""
    cur = [rec]
    for seg in path.split("."):
        is_list = seg.endswith("[]")
        key = seg[:-2] if is_list else seg
        nxt = []
        for c in cur:
            if not isinstance(c, dict) or key not in c:
                continue
            v = c[key]
            if is_list and isinstance(v, list):
                nxt.extend(v)
            else:
                nxt.append(v)
        cur = nxt
    return cur


def as_text(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return str(v)


def load_rows(path: Path, fmt: str, columns: list[str]) -> list[dict[str, list[str]]]:
    """Per row, per labelled column: its values as text."""
    rows: list[dict[str, list[str]]] = []
    if fmt == "csv":
        with path.open(newline="", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                rows.append({c: [r[c]] if r.get(c) else [] for c in columns})
    elif fmt == "jsonl":
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                rec = json.loads(line)
                rows.append(
                    {c: [t for t in map(as_text, jsonl_get(rec, c)) if t] for c in columns}
                )
    else:
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        data = {c: table.column(c).to_pylist() for c in columns if c in table.column_names}
        for i in range(table.num_rows):
            rows.append(
                {c: [t] if (t := as_text(data[c][i])) else [] for c in columns if c in data}
            )
    return rows


def first_of_year(v: str) -> bool:
    """Whether a date as text falls on January 1st (ISO, day-first with dots, US month-first)."""
    v = v.strip()
    return (
        v[4:10] == "-01-01"
        or v.startswith(("01.01.", "1.1."))
        or v.startswith(("1/1/", "01/01/"))
    )


def residuals(labels: dict, fmt: str, src: Path, out: Path) -> tuple[dict, dict]:
    """(planted, left) per entity."""
    lab = labels[fmt]
    cols = {c: e for c, e in lab["columns"].items() if e and e not in KEPT}
    free = lab.get("free_text_columns", [])
    names = sorted(set(cols) | set(free))
    before = load_rows(src, fmt, names)
    after = load_rows(out, fmt, names)
    planted: dict[str, int] = defaultdict(int)
    left: dict[str, int] = defaultdict(int)
    if len(before) != len(after):
        raise SystemExit(f"{out}: {len(after)} rows, the input has {len(before)}")
    for b, a in zip(before, after):
        for c, e in cols.items():
            for v in b.get(c, []):
                # A birth date on January 1st is its own generalization: not a residual.
                if e == "DATE_OF_BIRTH" and first_of_year(v):
                    continue
                planted[e] += 1
                if any(v in o for o in a.get(c, [])):
                    left[e] += 1
    for s in lab.get("spans", []):
        e = s["entity"]
        if e in KEPT:
            continue
        cell = before[s["row"]].get(s["column"], [])
        if not cell:
            continue
        text = cell[0].encode("utf-8")[s["start"] : s["end"]].decode("utf-8")
        planted["free text " + e] += 1
        if any(text in o for o in after[s["row"]].get(s["column"], [])):
            left["free text " + e] += 1
    return planted, left


def run(cmd: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shroud", default="target/release/shroud")
    ap.add_argument("--seeds", nargs="+", type=int, default=[1, 2])
    ap.add_argument("--generator", default="gen.py", choices=["gen.py", "gen2.py"],
                    help="data generator in scripts/eval/ (gen2.py has one header style, 'native')")
    ap.add_argument("--styles", nargs="+", default=None,
                    help="header styles (default: snake camel title upper for gen.py, native for gen2.py)")
    ap.add_argument("--formats", nargs="+", default=["csv", "jsonl", "parquet"])
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--verify", action="store_true", help="pass --verify to pseudonymize")
    args = ap.parse_args()
    if args.styles is None:
        args.styles = ["native"] if args.generator == "gen2.py" else ["snake", "camel", "title", "upper"]
    # gen.py keeps its old directory names; other generators get their own.
    tag = "" if args.generator == "gen.py" else Path(args.generator).stem + "-"
    args.out.mkdir(parents=True, exist_ok=True)
    key = args.out / "k.key"
    if not key.exists():
        subprocess.run([args.shroud, "keygen", str(key)], check=True, capture_output=True)
    planted: dict[str, int] = defaultdict(int)
    left: dict[str, int] = defaultdict(int)
    failures = []
    runs = 0
    for seed in args.seeds:
        for style in args.styles:
            data = args.out / f"data-{tag}{seed}-{style}"
            if not (data / "labels.json").exists():
                subprocess.run(
                    [args.python, str(HERE / args.generator), "--seed", str(seed), "--rows", str(args.rows),
                     "--header-style", style, "--formats", ",".join(args.formats), "--out", str(data)],
                    check=True, capture_output=True,
                )
            labels = json.loads((data / "labels.json").read_text())
            for fmt in args.formats:
                runs += 1
                src = data / f"customers.{fmt}"
                one = args.out / f"in-{tag}{seed}-{style}-{fmt}"
                one.mkdir(exist_ok=True)
                target = one / src.name
                if not target.exists():
                    target.write_bytes(src.read_bytes())
                out = args.out / f"out-{tag}{seed}-{style}-{fmt}"
                cmd = [args.shroud, "pseudonymize", str(one), "--out-dir", str(out), "--key-file", str(key),
                       "--force", "-q"]
                if args.verify:
                    cmd.append("--verify")
                p = run(cmd)
                if p.returncode != 0:
                    failures.append(f"pseudonymize {src}: exit {p.returncode}: {p.stderr.strip()[:300]}")
                    continue
                c = run([args.shroud, "check", str(out)])
                if c.returncode != 0:
                    failures.append(f"check {out}: exit {c.returncode}\n{c.stdout.strip()[:2000]}")
                pl, le = residuals(labels, fmt, src, out / src.name)
                for e, n in pl.items():
                    planted[e] += n
                for e, n in le.items():
                    left[e] += n
    print(f"## Closed loop: {runs} outputs ({len(args.seeds)} seeds x {len(args.styles)} header styles x "
          f"{len(args.formats)} formats, {args.rows} rows each)\n")
    print("| values | planted | left in the output | rate |")
    print("|---|---:|---:|---:|")
    for e in sorted(planted):
        rate = left[e] / planted[e] if planted[e] else 0.0
        print(f"| {e} | {planted[e]} | {left[e]} | {rate:.4%} |")
    print(f"\ncheck passed {runs - sum(1 for f in failures if f.startswith('check'))} of {runs} outputs")
    for f in failures:
        print("\nFAILED: " + f)
    return 1 if failures or any(left.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
