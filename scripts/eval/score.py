#!/usr/bin/env python3
"""Score a shroud scan against the labels written by gen.py.

    score.py --labels DIR/labels.json --format csv \\
             --report report.json --findings findings.jsonl

Prints two markdown sections:

(a) column verdicts -- every labelled column that is not free text, with the
    expected and reported entity, shroud's confidence and whether it matches;
    then totals: personal columns right / total, look-alike (non-personal)
    columns wrongly flagged / total, and overall column accuracy.
(b) free-text spans -- per-entity precision / recall / F1 of the findings in
    free-text columns against the labelled spans, strict (same entity and
    exact byte range) and lenient (same entity and overlapping ranges, each
    label and each finding matched at most once).

Only the Python standard library is used.  Exits 0 once scored (2 on unusable
input), so a poor score never breaks a pipeline; read the numbers instead.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from pathlib import Path

# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------


def die(msg: str) -> None:
    print(f"score.py: {msg}", file=sys.stderr)
    sys.exit(2)


def load_json(path: Path) -> object:
    try:
        with path.open(encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, json.JSONDecodeError) as e:
        die(f"cannot read {path}: {e}")


def load_findings(path: Path | None) -> list[dict]:
    if path is None:
        return []
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
        die(f"cannot read {path}: {e}")
    return out


def same_file(a: str, b: str) -> bool:
    """Paths refer to the same file: equal, or one is a suffix of the other."""
    if a == b:
        return True
    na, nb = os.path.normpath(a), os.path.normpath(b)
    return na.endswith(os.sep + nb) or nb.endswith(os.sep + na) or na == nb


def pick_report_file(report: dict, want: str | None, labelled_file: str, fmt: str) -> dict:
    """Choose the report entry to score among report["files"]."""
    files = report.get("files")
    if not isinstance(files, list) or not files:
        die("report has no files[]")
    if want:
        hits = [f for f in files if same_file(str(f.get("path", "")), want)]
        if not hits:
            die(f"no file {want!r} in report (have: {[f.get('path') for f in files]})")
        return hits[0]
    if len(files) == 1:
        return files[0]
    hits = [f for f in files if os.path.basename(str(f.get("path", ""))) == labelled_file]
    hits = hits or [f for f in files if f.get("format") == fmt]
    if len(hits) != 1:
        die(f"report has {len(files)} files; pass --file to choose one")
    return hits[0]


# --------------------------------------------------------------------------
# (a) Column verdicts
# --------------------------------------------------------------------------


def score_columns(labels: dict, entry: dict) -> dict:
    free = set(labels.get("free_text_columns", []))
    reported = {c.get("column"): c for c in entry.get("columns", []) if isinstance(c, dict)}

    rows = []
    for column, expected in labels["columns"].items():
        if column in free:
            continue
        got_col = reported.get(column)
        got = got_col.get("entity") if got_col else None
        rows.append(
            {
                "column": column,
                "expected": expected,
                "got": got,
                "confidence": got_col.get("confidence") if got_col else None,
                "missing": got_col is None,
                "ok": got == expected,
            }
        )

    personal = [r for r in rows if r["expected"] is not None]
    lookalike = [r for r in rows if r["expected"] is None]
    return {
        "rows": rows,
        "personal_total": len(personal),
        "personal_right": sum(r["ok"] for r in personal),
        # right that it is personal, even if the entity type is wrong
        "personal_flagged": sum(r["got"] is not None for r in personal),
        "lookalike_total": len(lookalike),
        "lookalike_flagged": sum(r["got"] is not None for r in lookalike),
        "accuracy": sum(r["ok"] for r in rows) / len(rows) if rows else 0.0,
        "free_text": {c: (reported.get(c) or {}).get("entity") for c in labels["columns"] if c in free},
        "missing": [r["column"] for r in rows if r["missing"]],
        "unlabelled": sorted(c for c in reported if c not in labels["columns"]),
    }


# --------------------------------------------------------------------------
# (b) Free-text span metrics
# --------------------------------------------------------------------------


def prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    if p is None and r is None:
        f = None
    elif r is None:  # nothing labelled for this entity: only precision means anything
        f = None
    else:  # no findings at all counts as F1 0 when there was something to find
        f = 2 * p * r / (p + r) if p and r else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": r, "f1": f}


def match_lenient(preds: list[tuple[int, int]], golds: list[tuple[int, int]]) -> int:
    """Greedy one-to-one matching of overlapping ranges; returns the match count.

    Candidate pairs are taken largest overlap first, so a finding that covers
    a label well wins over one that only clips it.
    """
    pairs = []
    for i, (ps, pe) in enumerate(preds):
        for j, (gs, ge) in enumerate(golds):
            overlap = min(pe, ge) - max(ps, gs)
            if overlap > 0:
                pairs.append((-overlap, i, j))
    pairs.sort()
    used_p, used_g = set(), set()
    for _, i, j in pairs:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
    return len(used_p)


def score_spans(labels: dict, findings: list[dict]) -> dict:
    free = set(labels.get("free_text_columns", []))
    # (row, column, entity) -> list of (start, end); duplicates removed
    gold: dict[tuple, set] = defaultdict(set)
    for s in labels.get("spans", []):
        gold[(s["row"], s["column"], s["entity"])].add((s["start"], s["end"]))
    pred: dict[tuple, set] = defaultdict(set)
    for f in findings:
        if f.get("column") in free:
            pred[(f.get("row"), f["column"], f.get("entity"))].add((f.get("start"), f.get("end")))

    entities = sorted({k[2] for k in gold} | {k[2] for k in pred}, key=str)
    counts = {e: {"strict": [0, 0, 0], "lenient": [0, 0, 0]} for e in entities}  # tp, fp, fn
    for key in set(gold) | set(pred):
        g, p = gold.get(key, set()), pred.get(key, set())
        c = counts[key[2]]
        tp = len(g & p)
        c["strict"][0] += tp
        c["strict"][1] += len(p) - tp
        c["strict"][2] += len(g) - tp
        tp = match_lenient(sorted(p), sorted(g))
        c["lenient"][0] += tp
        c["lenient"][1] += len(p) - tp
        c["lenient"][2] += len(g) - tp

    result = {"entities": {}, "total": {}}
    for mode in ("strict", "lenient"):
        tot = [0, 0, 0]
        for e in entities:
            result["entities"].setdefault(str(e), {})[mode] = prf(*counts[e][mode])
            tot = [a + b for a, b in zip(tot, counts[e][mode])]
        result["total"][mode] = prf(*tot)
    result["gold_spans"] = sum(len(v) for v in gold.values())
    result["findings"] = sum(len(v) for v in pred.values())
    return result


# --------------------------------------------------------------------------
# Markdown output
# --------------------------------------------------------------------------


def fmt_num(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def fmt_entity(e: str | None) -> str:
    return "null" if e is None else e


def print_columns(res: dict, title: str) -> None:
    print(f"## Column verdicts: {title}\n")
    print("| column | expected | got | confidence | ok |")
    print("|---|---|---|---|---|")
    for r in res["rows"]:
        got = "(missing)" if r["missing"] else fmt_entity(r["got"])
        conf = "-" if r["confidence"] is None else f"{r['confidence']:.2f}"
        ok = "yes" if r["ok"] else "**NO**"
        print(f"| `{r['column']}` | {fmt_entity(r['expected'])} | {got} | {conf} | {ok} |")
    print()
    print(f"- personal columns right: **{res['personal_right']} / {res['personal_total']}**"
          f" (flagged as personal with any entity: {res['personal_flagged']})")
    print(f"- look-alike columns wrongly flagged: **{res['lookalike_flagged']} / {res['lookalike_total']}**")
    for col, got in res["free_text"].items():
        print(f"- free-text column `{col}`: verdict {fmt_entity(got)} (not scored; spans below)")
    if res["missing"]:
        print(f"- labelled columns absent from the report: {', '.join(f'`{c}`' for c in res['missing'])}")
    if res["unlabelled"]:
        print(f"- report columns with no label (path mismatch?): {', '.join(f'`{c}`' for c in res['unlabelled'])}")
    print()


def print_spans(res: dict) -> None:
    print(f"## Free-text spans ({res['gold_spans']} labelled, {res['findings']} found)\n")
    print("| entity | strict P | strict R | strict F1 | lenient P | lenient R | lenient F1 | TP/FP/FN (lenient) |")
    print("|---|---|---|---|---|---|---|---|")
    rows = list(res["entities"].items()) + [("**all (micro)**", res["total"])]
    for ent, m in rows:
        s, l = m["strict"], m["lenient"]
        print(
            f"| {ent} | {fmt_num(s['precision'])} | {fmt_num(s['recall'])} | {fmt_num(s['f1'])} "
            f"| {fmt_num(l['precision'])} | {fmt_num(l['recall'])} | {fmt_num(l['f1'])} "
            f"| {l['tp']}/{l['fp']}/{l['fn']} |"
        )
    print()


# --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Score shroud's report and findings against gen.py labels.")
    ap.add_argument("--labels", required=True, type=Path, help="labels.json from gen.py")
    ap.add_argument("--format", required=True, choices=["csv", "jsonl", "parquet"], help="which labelled format was scanned")
    ap.add_argument("--report", required=True, type=Path, help="shroud --report JSON")
    ap.add_argument("--findings", type=Path, help="shroud --findings JSON Lines (needed for span metrics)")
    ap.add_argument("--file", help="report files[].path to score when the report holds several files")
    ap.add_argument("--summary-json", type=Path, help="also write the metrics as JSON to this path")
    args = ap.parse_args(argv)

    all_labels = load_json(args.labels)
    if not isinstance(all_labels, dict) or args.format not in all_labels:
        die(f"{args.labels} has no labels for format {args.format!r}")
    labels = all_labels[args.format]
    report = load_json(args.report)
    if not isinstance(report, dict):
        die(f"{args.report}: expected a JSON object")
    if report.get("version") != 1:
        print(f"score.py: warning: report version {report.get('version')!r}, expected 1", file=sys.stderr)
    entry = pick_report_file(report, args.file, labels.get("file", ""), args.format)

    # Keep only the findings that belong to the scored file (if they say).
    findings = load_findings(args.findings)
    path = str(entry.get("path", ""))
    if any("file" in f for f in findings):
        findings = [f for f in findings if same_file(str(f.get("file", "")), path)]

    cols = score_columns(labels, entry)
    spans = score_spans(labels, findings) if args.findings else None

    title = f"{path or labels.get('file')} ({args.format}"
    if "seed" in all_labels:
        title += f", seed {all_labels['seed']}, {all_labels.get('header_style')} headers"
    title += ")"
    print_columns(cols, title)
    if spans is not None:
        print_spans(spans)
    else:
        print("(no --findings given: span metrics skipped)\n")
    print(f"**Overall column accuracy: {cols['accuracy']:.1%}** "
          f"({sum(r['ok'] for r in cols['rows'])} / {len(cols['rows'])} columns)")

    if args.summary_json:
        summary = {
            "labels": str(args.labels),
            "format": args.format,
            "seed": all_labels.get("seed"),
            "header_style": all_labels.get("header_style"),
            "file": path,
            "columns": cols,
            "spans": spans,
        }
        args.summary_json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
