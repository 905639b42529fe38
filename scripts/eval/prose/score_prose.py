#!/usr/bin/env python3
"""Score shroud's free-text findings against the hand-labelled prose corpus.

    python3 score_prose.py --corpus dev.jsonl --shroud target/release/shroud
    python3 score_prose.py --corpus test.jsonl --shroud target/release/shroud \\
        --entity PERSON --per-style --errors 20

The corpus texts are written to a temporary CSV with the columns `id,notes`
(one row per record, in corpus order, standard CSV quoting), then

    <shroud> scan <csv> --findings <findings.jsonl> --quiet

is run.  Every finding in the `notes` column is compared with the gold spans
of the same row (`row` is the 0-based data row, `start`/`end` are UTF-8 byte
offsets in the cell):

- strict:  same entity and exactly the same byte range;
- lenient: same entity and overlapping ranges, each gold span and each
  finding matched at most once (largest overlap first).

Precision, recall and F1 are printed per entity and in total (micro-averaged
over the scored entities).  Only the entities this corpus labels are scored
(PERSON, EMAIL_ADDRESS, PHONE_NUMBER, CREDIT_CARD, IBAN_CODE, IP_ADDRESS,
US_SSN); findings of other entities (LOCATION, STREET_ADDRESS, ...) are
counted and listed as not scored, because the corpus does not label them.

Options:
  --entity E       score only entity E (repeatable, or comma-separated)
  --per-style      add a breakdown by record style
  --errors N       print up to N false negatives, N false positives and
                   N boundary errors (lenient match, strict miss) with context
  --findings F     score an existing findings file instead of running shroud
                   (it must come from a CSV written like --write-csv does)
  --write-csv F    only write the CSV for the corpus to F and exit
  --shroud-arg A   extra argument for `shroud scan` (repeatable), e.g.
                   --shroud-arg=--min-score --shroud-arg=0.3
  --summary-json F also write the scores as JSON
  --keep           keep the temporary directory (its path is printed)

Only the Python standard library is used.  Exits 0 once scored, 2 on unusable
input (missing corpus, shroud failed to write findings, ...).
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

SCORED = ("PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS", "US_SSN")
TEXT_COLUMN = "notes"


def die(msg: str) -> None:
    print(f"score_prose.py: {msg}", file=sys.stderr)
    sys.exit(2)


# --------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------


def load_corpus(path: Path) -> list[dict]:
    records = []
    try:
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as e:
                    die(f"{path}:{n}: not JSON: {e}")
                for key in ("id", "style", "text", "spans"):
                    if key not in obj:
                        die(f"{path}:{n}: missing {key!r}")
                raw = obj["text"].encode("utf-8")
                for s in obj["spans"]:
                    if not (0 <= s["start"] < s["end"] <= len(raw)):
                        die(f"{path}:{n}: span {s} outside the text")
                obj["_raw"] = raw
                records.append(obj)
    except OSError as e:
        die(f"cannot read corpus {path}: {e}")
    if not records:
        die(f"{path}: no records")
    return records


def write_csv(records: list[dict], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        w.writerow(["id", TEXT_COLUMN])
        for r in records:
            w.writerow([r["id"], r["text"]])


def load_findings(path: Path) -> list[dict]:
    out = []
    try:
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError as e:
                    die(f"{path}:{n}: not JSON: {e}")
    except OSError as e:
        die(f"cannot read findings {path}: {e}")
    return out


def run_shroud(shroud: str, csv_path: Path, findings_path: Path, extra: list[str]) -> None:
    cmd = [shroud, "scan", str(csv_path), "--findings", str(findings_path), "--quiet", *extra]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True)
    except OSError as e:
        die(f"cannot run {shroud}: {e}")
    if not findings_path.exists():
        err = proc.stderr.strip() or proc.stdout.strip()
        die(f"shroud wrote no findings (exit {proc.returncode}): {' '.join(cmd)}\n{err}")
    if proc.returncode != 0:
        # A non-zero status alone is not a failure: shroud may use it to mean "PII found".
        print(f"note: shroud exited with status {proc.returncode}", file=sys.stderr)


# --------------------------------------------------------------------------
# Matching
# --------------------------------------------------------------------------


def lenient_pairs(preds: list[tuple[int, int]], golds: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Greedy one-to-one matching of overlapping ranges, largest overlap first.

    Returns (pred index, gold index) pairs.
    """
    cand = []
    for i, (ps, pe) in enumerate(preds):
        for j, (gs, ge) in enumerate(golds):
            ov = min(pe, ge) - max(ps, gs)
            if ov > 0:
                cand.append((-ov, i, j))
    cand.sort()
    used_p, used_g, pairs = set(), set(), []
    for _, i, j in cand:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            pairs.append((i, j))
    return pairs


def prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    if r is None:
        f = None  # nothing labelled: only precision means anything
    elif p is None:
        f = 0.0  # labelled but no findings at all
    else:
        f = 2 * p * r / (p + r) if p + r else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": r, "f1": f}


def score(records: list[dict], findings: list[dict], entities: tuple[str, ...]):
    """Returns (counts, errors, unscored, problems).

    counts[(style, entity)][mode] = [tp, fp, fn]
    errors = {"fn": [...], "fp": [...], "boundary": [...]}
    """
    nrows = len(records)
    by_row: dict[int, list[dict]] = defaultdict(list)
    unscored: Counter = Counter()
    problems: Counter = Counter()
    seen = set()
    for f in findings:
        if f.get("column") != TEXT_COLUMN:
            continue
        row, start, end, ent = f.get("row"), f.get("start"), f.get("end"), f.get("entity")
        if not isinstance(row, int) or not 0 <= row < nrows:
            problems["finding with a row outside the corpus"] += 1
            continue
        if not isinstance(start, int) or not isinstance(end, int):
            problems["finding without byte offsets"] += 1
            continue
        raw = records[row]["_raw"]
        if not (0 <= start < end <= len(raw)):
            problems["finding with offsets outside the cell"] += 1
            continue
        try:
            raw[start:end].decode("utf-8")
        except UnicodeDecodeError:
            problems["finding not on UTF-8 character boundaries"] += 1
        key = (row, start, end, ent)
        if key in seen:
            problems["duplicate finding (ignored)"] += 1
            continue
        seen.add(key)
        if ent not in entities:
            if ent not in SCORED:
                unscored[ent] += 1
            continue
        by_row[row].append(f)

    counts: dict = defaultdict(lambda: {"strict": [0, 0, 0], "lenient": [0, 0, 0]})
    errors: dict = {"fn": [], "fp": [], "boundary": []}
    for row, rec in enumerate(records):
        all_preds = by_row.get(row, [])
        for ent in entities:
            golds = sorted((s["start"], s["end"]) for s in rec["spans"] if s["entity"] == ent)
            preds = sorted((f["start"], f["end"]) for f in all_preds if f["entity"] == ent)
            if not golds and not preds:
                continue
            c = counts[(rec["style"], ent)]
            exact = set(golds) & set(preds)
            c["strict"][0] += len(exact)
            c["strict"][1] += len(preds) - len(exact)
            c["strict"][2] += len(golds) - len(exact)
            pairs = lenient_pairs(preds, golds)
            c["lenient"][0] += len(pairs)
            c["lenient"][1] += len(preds) - len(pairs)
            c["lenient"][2] += len(golds) - len(pairs)
            matched_p = {i for i, _ in pairs}
            matched_g = {j for _, j in pairs}
            for j, g in enumerate(golds):
                if j not in matched_g:
                    errors["fn"].append((row, ent, g, None))
            for i, p in enumerate(preds):
                if i not in matched_p:
                    errors["fp"].append((row, ent, p, None))
            for i, j in pairs:
                if preds[i] != golds[j]:
                    errors["boundary"].append((row, ent, golds[j], preds[i]))
    return counts, errors, unscored, problems


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------


def fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def table_rows(label_counts: list[tuple[str, dict]]) -> list[str]:
    lines = [
        "| | gold | found | strict P | strict R | strict F1 | lenient P | lenient R | lenient F1 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, c in label_counts:
        s, l = prf(*c["strict"]), prf(*c["lenient"])
        gold = c["strict"][0] + c["strict"][2]
        found = c["strict"][0] + c["strict"][1]
        lines.append(
            f"| {label} | {gold} | {found} | {fmt(s['precision'])} | {fmt(s['recall'])} | {fmt(s['f1'])} "
            f"| {fmt(l['precision'])} | {fmt(l['recall'])} | {fmt(l['f1'])} |"
        )
    return lines


def add(a: dict, b: dict) -> dict:
    return {m: [x + y for x, y in zip(a[m], b[m])] for m in ("strict", "lenient")}


def zero() -> dict:
    return {"strict": [0, 0, 0], "lenient": [0, 0, 0]}


def context(raw: bytes, start: int, end: int, width: int = 60) -> str:
    def dec(b: bytes) -> str:
        return b.decode("utf-8", errors="replace")

    left = dec(raw[max(0, start - width) : start])
    mid = dec(raw[start:end])
    right = dec(raw[end : end + width])
    s = f"{'…' if start > width else ''}{left}⟦{mid}⟧{right}{'…' if end + width < len(raw) else ''}"
    return s.replace("\n", "⏎")


def print_errors(records: list[dict], errors: dict, findings: list[dict], n: int) -> None:
    # any finding (any entity) overlapping a missed gold span, to show what shroud said instead
    other: dict[int, list[dict]] = defaultdict(list)
    for f in findings:
        if f.get("column") == TEXT_COLUMN and isinstance(f.get("row"), int):
            other[f["row"]].append(f)

    titles = {
        "fn": "False negatives (gold span with no overlapping finding of the same entity)",
        "fp": "False positives (finding with no overlapping gold span of the same entity)",
        "boundary": "Boundary errors (overlapping, but not the exact gold range)",
    }
    for kind in ("fn", "fp", "boundary"):
        items = errors[kind]
        print(f"\n### {titles[kind]}: {len(items)}" + (f", first {n}" if len(items) > n else ""))
        for row, ent, (s, e), pred in items[:n]:
            rec = records[row]
            raw = rec["_raw"]
            line = f"- {rec['id']} [{rec['style']}] {ent}: {context(raw, s, e)}"
            if kind == "boundary":
                ps, pe = pred
                line += f"  ->  found {raw[ps:pe].decode('utf-8', errors='replace')!r}"
            elif kind == "fn":
                seen = [
                    f"{f.get('entity')} {raw[f['start']:f['end']].decode('utf-8', errors='replace')!r}"
                    for f in other.get(row, [])
                    if isinstance(f.get("start"), int)
                    and isinstance(f.get("end"), int)
                    and f["start"] < e
                    and s < f["end"]
                    and f.get("entity") != ent
                ]
                if seen:
                    line += f"  (found instead: {', '.join(seen)})"
            elif kind == "fp":
                rules = [
                    f.get("rule")
                    for f in other.get(row, [])
                    if f.get("start") == s and f.get("end") == e and f.get("entity") == ent and f.get("rule")
                ]
                if rules:
                    line += f"  (rule {rules[0]})"
            print(line)


def main() -> int:
    ap = argparse.ArgumentParser(
        description="Score shroud's free-text findings against the hand-labelled prose corpus.",
        epilog="Exit status: 0 once scored, 2 on unusable input.",
    )
    ap.add_argument("--corpus", required=True, type=Path, help="dev.jsonl or test.jsonl")
    ap.add_argument("--shroud", default="target/release/shroud", help="shroud binary (default: %(default)s)")
    ap.add_argument("--entity", action="append", default=[], help="score only this entity (repeatable)")
    ap.add_argument("--per-style", action="store_true", help="break the scores down by record style")
    ap.add_argument("--errors", type=int, default=0, metavar="N", help="print up to N errors of each kind")
    ap.add_argument("--findings", type=Path, help="score this findings file instead of running shroud")
    ap.add_argument("--write-csv", type=Path, metavar="FILE", help="only write the corpus CSV to FILE")
    ap.add_argument("--shroud-arg", action="append", default=[], metavar="ARG", help="extra scan argument")
    ap.add_argument("--summary-json", type=Path, metavar="FILE", help="also write the scores as JSON")
    ap.add_argument("--keep", action="store_true", help="keep the temporary CSV and findings")
    args = ap.parse_args()

    records = load_corpus(args.corpus)

    if args.write_csv:
        write_csv(records, args.write_csv)
        print(f"wrote {len(records)} rows to {args.write_csv}")
        return 0

    entities: tuple[str, ...] = SCORED
    if args.entity:
        wanted = [e.strip().upper() for x in args.entity for e in x.split(",") if e.strip()]
        unknown = [e for e in wanted if e not in SCORED]
        if unknown:
            die(f"entity {', '.join(unknown)} is not labelled in this corpus (labelled: {', '.join(SCORED)})")
        entities = tuple(dict.fromkeys(wanted))

    tmp = None
    if args.findings:
        findings_path = args.findings
        source = f"findings file {findings_path}"
    else:
        tmp = Path(tempfile.mkdtemp(prefix="shroud-prose-"))
        csv_path = tmp / "prose.csv"
        findings_path = tmp / "findings.jsonl"
        write_csv(records, csv_path)
        run_shroud(args.shroud, csv_path, findings_path, args.shroud_arg)
        source = f"{args.shroud} scan ({len(records)} rows)"
    try:
        findings = load_findings(findings_path)
    finally:
        if tmp is not None:
            if args.keep:
                print(f"kept {tmp}", file=sys.stderr)
            else:
                shutil.rmtree(tmp, ignore_errors=True)

    counts, errors, unscored, problems = score(records, findings, entities)

    styles = list(dict.fromkeys(r["style"] for r in records))
    per_entity = {e: zero() for e in entities}
    per_style = {s: zero() for s in styles}
    for (style, ent), c in counts.items():
        per_entity[ent] = add(per_entity[ent], c)
        per_style[style] = add(per_style[style], c)
    total = zero()
    for c in per_entity.values():
        total = add(total, c)

    print(f"# Prose evaluation: {args.corpus.name}\n")
    print(f"{len(records)} records, findings from {source}.")
    print("strict = same entity and exact byte range; lenient = same entity and overlap, one-to-one.\n")
    rows = [(e, per_entity[e]) for e in entities]
    if len(entities) > 1:
        rows.append(("**total (micro)**", total))
    print("\n".join(table_rows(rows)))

    if args.per_style:
        print("\n## By style")
        for ent in entities if len(entities) == 1 else (*entities, None):
            label = ent or "all scored entities"
            srows = []
            for st in styles:
                c = counts.get((st, ent)) if ent else per_style[st]
                if c is None:
                    c = zero()
                srows.append((st, c))
            if all(sum(c["strict"]) == 0 for _, c in srows):
                continue
            print(f"\n### {label}\n")
            print("\n".join(table_rows(srows)))

    if unscored:
        print("\nNot scored (entities this corpus does not label): " + ", ".join(f"{e} {n}" for e, n in sorted(unscored.items(), key=str)))
    for what, n in sorted(problems.items()):
        print(f"warning: {n} {what}", file=sys.stderr)

    if args.errors > 0:
        print_errors(records, errors, findings, args.errors)

    if args.summary_json:
        summary = {
            "corpus": str(args.corpus),
            "records": len(records),
            "entities": {
                e: {m: prf(*per_entity[e][m]) for m in ("strict", "lenient")} for e in entities
            },
            "total": {m: prf(*total[m]) for m in ("strict", "lenient")},
            "styles": {
                st: {
                    e: {m: prf(*counts[(st, e)][m]) for m in ("strict", "lenient")}
                    for e in entities
                    if (st, e) in counts
                }
                for st in styles
            },
            "unscored_findings": dict(unscored),
        }
        args.summary_json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
