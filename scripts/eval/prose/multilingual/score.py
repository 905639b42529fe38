#!/usr/bin/env python3
"""Score a pseudonymized copy of the multilingual prose set against its labels.

    python3 score.py dev.jsonl /tmp/p/dev.csv              # residual + over-redaction
    python3 score.py dev.jsonl /tmp/p/dev.csv --json       # the same as JSON
    python3 score.py dev.jsonl --findings findings.jsonl   # span-level detection scores
    python3 score.py dev.jsonl /tmp/p/dev.csv --findings f.jsonl --by style --errors 20

GOLD is a dev.jsonl / test.jsonl written by build.py.  REWRITTEN is the CSV the
tool wrote for the matching dev.csv / test.csv (columns id,lang,notes; only the
notes column is read, matched to the gold records by id).

Measures (the README explains them with examples):

Both main measures rest on one alignment per text: the words (runs of
letters, digits and _; punctuation left out) of the original and of the
rewritten text are aligned by a longest common subsequence.  A word of the
original "survives" if it is part of that subsequence: still there, unchanged,
in the same order.  Case matters; both texts are NFC-normalised and CRLF is
read as LF.

residual (lower is better), per label, share of labelled spans:
  exact  every word of the span survives and the span's whole text occurs in
         the rewritten text: the span was left as it was;
  any    the span is exact-residual, or any of its KEY words survives:
           PERSON, ADDRESS, HANDLE  words longer than 2 characters that are not
                                    name particles or address filler (van, der,
                                    del, dos, bis, bus, apt, piso, ...), so
                                    "Ilse" in "<tok> Brandauer" does not count
                                    but "Brandauer" does;
           EMAIL                    such words of the local part (the domains
                                    are all example domains);
           PHONE                    digit groups of 3 or more digits; and also
                                    the number's last 7 digits occurring in a
                                    number of the rewritten text (separators
                                    ignored) more often than in the original
                                    outside the spans: a re-formatted number.
  "ALL" sums the spans of every label.

kept (higher is better): over-redaction, on the NON-personal words: the
  alphabetic words of the original that overlap no labelled span.  Share of
  them that survive; the same for the capitalised ones (first letter upper
  case: organisations, places, products, German nouns, sentence starts, months,
  titles); and the share of texts without any label that came back byte for
  byte.

findings (optional, --findings): a shroud findings file (JSON Lines with row,
  column, start, end as UTF-8 byte offsets, entity) from scanning the split's
  CSV; row N is gold record N (build.py writes both in the same order).  Per
  label: strict = same byte range; overlap = a gold span counts as found if a
  finding of a mapped entity overlaps it, and a finding counts as correct if it
  overlaps a gold span of that label.  Mapping (change with --map):
  PERSON=PERSON, EMAIL=EMAIL_ADDRESS, PHONE=PHONE_NUMBER,
  ADDRESS=STREET_ADDRESS,POSTAL_CODE, HANDLE=SOCIAL_HANDLE,HANDLE,USERNAME.

Standard library only.  Exit status 0 after scoring, 2 on unusable input.
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

LABELS = ["PERSON", "ADDRESS", "PHONE", "HANDLE", "EMAIL"]
LANG_ORDER = ["en", "de", "fr", "es", "it", "nl", "pt"]
# words of a name or address that identify nobody on their own
FILLER = {
    # name particles
    "van", "von", "der", "den", "del", "della", "delle", "dei", "degli", "dal", "dos", "das",
    "des", "les", "ter", "ten", "het", "bin", "ibn", "und", "and", "the",
    # address filler: flat/floor words and street types, which locate nobody alone
    "bis", "bus", "apt", "apto", "appt", "int", "piso", "flat", "scala", "esq", "dto", "dcha",
    "izda", "street", "road", "lane", "avenue", "drive", "close", "court", "row", "place",
    "straße", "strasse", "str", "platz", "allee", "weg", "gasse", "rue", "avenue", "boulevard",
    "chemin", "allée", "impasse", "place", "calle", "avda", "paseo", "plaza", "via", "viale",
    "corso", "piazza", "rua", "avenida", "travessa", "largo", "laan", "straat", "gracht",
}
DEFAULT_MAP = {
    "PERSON": ["PERSON"],
    "EMAIL": ["EMAIL_ADDRESS"],
    "PHONE": ["PHONE_NUMBER"],
    "ADDRESS": ["STREET_ADDRESS", "POSTAL_CODE"],
    "HANDLE": ["SOCIAL_HANDLE", "HANDLE", "USERNAME"],
}
WORD = re.compile(r"\w+")
ALPHA = re.compile(r"^[^\W\d_]+$")
NUMBERISH = re.compile(r"\+?\(?\d[\d\s().\-/]*\d")


def die(msg: str) -> None:
    print(f"score.py: {msg}", file=sys.stderr)
    raise SystemExit(2)


def norm(s: str) -> str:
    return unicodedata.normalize("NFC", s.replace("\r\n", "\n").replace("\r", "\n"))


def load_gold(path: Path) -> list[dict]:
    try:
        recs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, ValueError) as e:
        die(f"cannot read {path}: {e}")
    for r in recs:
        for s in r["spans"]:
            if not 0 <= s["start"] < s["end"] <= len(r["text"]):
                die(f"{r['id']}: span {s} outside the text")
    return recs


def load_rewritten(path: Path, id_col: str, text_col: str, gold: list[dict]) -> tuple[dict, list[str]]:
    csv.field_size_limit(1 << 30)
    notes = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        die(f"cannot read {path}: {e}")
    if rows and text_col not in rows[0]:
        die(f"{path} has no column {text_col!r} (columns: {', '.join(rows[0].keys())})")
    by_id = {r.get(id_col): r[text_col] for r in rows}
    gold_ids = [g["id"] for g in gold]
    if sum(i in by_id for i in gold_ids) < len(gold_ids) / 2 and len(rows) == len(gold):
        notes.append(f"ids in {path} do not match the gold ids (the id column may have been "
                     "rewritten too); matching rows by position instead")
        by_id = {g["id"]: r[text_col] for g, r in zip(gold, rows)}
    return by_id, notes


def occurrences(term: str, text: str) -> list[tuple[int, int]]:
    """Whole-word occurrences: not preceded or followed by a letter/digit/_ ."""
    pat = (r"(?<!\w)" if term[:1].isalnum() or term[:1] == "_" else "") + re.escape(term) + \
          (r"(?!\w)" if term[-1:].isalnum() or term[-1:] == "_" else "")
    return [(m.start(), m.end()) for m in re.finditer(pat, text)]


def digit_runs(text: str, covered: list[bool] | None = None) -> list[str]:
    out = []
    for m in NUMBERISH.finditer(text):
        if covered is not None and any(covered[m.start():m.end()]):
            continue
        out.append(re.sub(r"\D", "", m.group(0)))
    return out


def key_words(label: str, words: list[tuple[str, int, int]], value_start: int, value: str) -> list[int]:
    """Indices (into words) of the words of a span that identify someone.

    PERSON, ADDRESS: words longer than 2 characters that are not particles or
    address filler; HANDLE: the same; EMAIL: such words of the local part only
    (the domains are all example domains); PHONE: digit groups of 3 or more."""
    out = []
    at = value.rfind("@") if label == "EMAIL" else -1
    for i, (w, s, e) in enumerate(words):
        if label == "EMAIL" and s - value_start > at:
            continue
        if label == "PHONE":
            if w.isdigit() and len(w) >= 3:
                out.append(i)
        elif len(w) > 2 and w.lower() not in FILLER:
            out.append(i)
    return out


def residual(rec: dict, new: str, matched: set[int], words: list[tuple[str, int, int]]) -> list[dict]:
    """Per span: {'label', 'value', 'exact': bool, 'any': bool, 'leaked': [words]}.

    words are the original's word tokens and matched the indices of those the
    alignment with the rewritten text kept (see align()).  A span is
      exact-residual if all its words are kept and its whole text occurs in the
                     rewritten text;
      any-residual   if it is exact-residual, or any of its key words is kept,
                     or (PHONE) the last 7 digits of the number occur in a number
                     of the rewritten text (separators ignored) more often than
                     in the original outside the spans: a re-formatted number.
    """
    text = norm(rec["text"])
    covered = [False] * len(text)
    for s in rec["spans"]:
        for i in range(s["start"], s["end"]):
            covered[i] = True
    new_digits = digit_runs(new)
    old_digits = digit_runs(text, covered)
    digit_budget: dict[str, int] = {}
    out = []
    for sp in rec["spans"]:
        a, b, lab = sp["start"], sp["end"], sp["label"]
        value = text[a:b]
        idx = [i for i, (_, s, e) in enumerate(words) if s < b and a < e]
        inside = [words[i] for i in idx]
        exact = bool(idx) and all(i in matched for i in idx) and bool(occurrences(value, new))
        leaked = [value] if exact else []
        if not exact:
            for k in key_words(lab, inside, a, value):
                if idx[k] in matched:
                    leaked.append(inside[k][0])
            if lab == "PHONE":
                tail = re.sub(r"\D", "", value)[-7:]
                if len(tail) == 7:
                    if tail not in digit_budget:
                        digit_budget[tail] = max(0, sum(tail in x for x in new_digits) - sum(tail in x for x in old_digits))
                    if digit_budget[tail] > 0 and not leaked:
                        digit_budget[tail] -= 1
                        leaked.append("digits " + tail)
        out.append({"label": lab, "value": value, "exact": exact, "any": bool(leaked), "leaked": leaked})
    return out


def lcs_matched(a: list[str], b: list[str]) -> set[int]:
    """Indices of a in one longest common subsequence of a and b."""
    n, m = len(a), len(b)
    # dp[i][j] = LCS length of a[i:] and b[j:]
    dp = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        row, nxt = dp[i], dp[i + 1]
        ai = a[i]
        for j in range(m - 1, -1, -1):
            row[j] = nxt[j + 1] + 1 if ai == b[j] else max(nxt[j], row[j + 1])
    out = set()
    i = j = 0
    while i < n and j < m:
        if a[i] == b[j]:
            out.add(i)
            i += 1
            j += 1
        elif dp[i + 1][j] >= dp[i][j + 1]:
            i += 1
        else:
            j += 1
    return out


def align(rec: dict, new: str) -> tuple[list[tuple[str, int, int]], set[int]]:
    """Word tokens of the original (with offsets) and the indices of those that
    survive: the words (runs of letters, digits and _; punctuation is left out
    so that it cannot anchor a wrong alignment) of the original and of the
    rewritten text are aligned by a longest common subsequence, and a word of
    the original survives if it is part of it: still there, unchanged, in the
    same order."""
    text = norm(rec["text"])
    a = [(m.group(0), m.start(), m.end()) for m in WORD.finditer(text)]
    b = [m.group(0) for m in WORD.finditer(new)]
    return a, lcs_matched([t for t, _, _ in a], b)


def kept_words(rec: dict, words: list[tuple[str, int, int]], matched: set[int]) -> dict:
    """Non-personal alphabetic words of the original, and which of them survive."""
    text = norm(rec["text"])
    covered = [False] * len(text)
    for s in rec["spans"]:
        for i in range(s["start"], s["end"]):
            covered[i] = True
    out = {"words": 0, "kept": 0, "cap": 0, "cap_kept": 0, "dropped": []}
    for i, (tok, s, e) in enumerate(words):
        if not ALPHA.match(tok) or any(covered[s:e]):
            continue
        out["words"] += 1
        cap = tok[0].isupper()
        out["cap"] += cap
        if i in matched:
            out["kept"] += 1
            out["cap_kept"] += cap
        else:
            out["dropped"].append(tok)
    return out


def pct(num: int, den: int) -> str:
    return f"{100 * num / den:5.1f}%" if den else "    - "


def rate(num: int, den: int):
    return round(num / den, 4) if den else None


def group_key(rec: dict, by: str) -> str:
    return rec["lang"] if by == "lang" else rec["style"] if by == "style" else f"{rec['lang']}/{rec['style']}"


def ordered(keys) -> list[str]:
    def k(x):
        head = x.split("/")[0]
        return (LANG_ORDER.index(head) if head in LANG_ORDER else 99, x)
    return sorted(keys, key=k)


def score_rewrite(gold, rewritten, by, n_err):
    res = defaultdict(lambda: defaultdict(Counter))      # group -> label -> n/any/exact
    kept = defaultdict(Counter)                          # group -> counters
    dropped = defaultdict(Counter)                       # group -> dropped word counts
    examples = []
    missing = []
    for rec in gold:
        new = rewritten.get(rec["id"])
        if new is None:
            missing.append(rec["id"])
            continue
        new = norm(new)
        g = group_key(rec, by)
        words, matched = align(rec, new)
        for sp in residual(rec, new, matched, words):
            for key in (g, "all"):
                for lab in (sp["label"], "ALL"):
                    c = res[key][lab]
                    c["n"] += 1
                    c["any"] += sp["any"]
                    c["exact"] += sp["exact"]
            if sp["any"] and len(examples) < n_err:
                examples.append((rec["id"], sp["label"], sp["value"], sp["exact"], sp["leaked"]))
        kw = kept_words(rec, words, matched)
        for key in (g, "all"):
            k = kept[key]
            for f in ("words", "kept", "cap", "cap_kept"):
                k[f] += kw[f]
            if not rec["spans"]:
                k["clean_texts"] += 1
                k["clean_same"] += norm(rec["text"]) == new
            dropped[key].update(kw["dropped"])
    return res, kept, dropped, examples, missing


def load_findings(path: Path, text_col: str) -> list[dict]:
    out = []
    try:
        with path.open(encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if line.strip():
                    d = json.loads(line)
                    if d.get("column", text_col) == text_col:
                        out.append(d)
    except (OSError, ValueError) as e:
        die(f"cannot read findings {path}: {e}")
    return out


def score_findings(gold, findings, mapping, by):
    # gold spans in UTF-8 byte offsets
    bgold = []
    for rec in gold:
        t = rec["text"]
        bgold.append([(len(t[:s["start"]].encode()), len(t[:s["end"]].encode()), s["label"]) for s in rec["spans"]])
    by_row = defaultdict(list)
    problems = Counter()
    for f in findings:
        row, s, e, ent = f.get("row"), f.get("start"), f.get("end"), f.get("entity")
        if not isinstance(row, int) or not 0 <= row < len(gold):
            problems["finding with a row outside the split"] += 1
            continue
        if not isinstance(s, int) or not isinstance(e, int):
            problems["finding without offsets"] += 1
            continue
        by_row[row].append((s, e, ent))
    c = defaultdict(lambda: defaultdict(Counter))
    other = Counter()
    mapped_all = {e for ents in mapping.values() for e in ents}
    for row, rec in enumerate(gold):
        g = group_key(rec, by)
        preds = by_row.get(row, [])
        for e in preds:
            if e[2] not in mapped_all:
                other[e[2]] += 1
        for lab, ents in mapping.items():
            gs = [(s, e) for s, e, l in bgold[row] if l == lab]
            ps = sorted({(s, e) for s, e, ent in preds if ent in ents})
            ov = lambda x, y: x[0] < y[1] and y[0] < x[1]
            vals = {
                "gold": len(gs), "pred": len(ps),
                "strict_tp": len(set(gs) & set(ps)),
                "found": sum(1 for x in gs if any(ov(x, y) for y in ps)),
                "correct": sum(1 for y in ps if any(ov(x, y) for x in gs)),
            }
            for key in (g, "all"):
                c[key][lab].update(vals)
    return c, other, problems


def prf(tp_p, pred, tp_r, gold):
    p = tp_p / pred if pred else None
    r = tp_r / gold if gold else None
    f = 2 * p * r / (p + r) if p is not None and r is not None and p + r else (0.0 if p is not None and r is not None else None)
    return p, r, f


def fmt(x):
    return "   -  " if x is None else f"{100 * x:5.1f}%"


def main() -> None:
    ap = argparse.ArgumentParser(description="Score a pseudonymized copy of the multilingual prose set.",
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("gold", type=Path, help="dev.jsonl or test.jsonl from build.py")
    ap.add_argument("rewritten", type=Path, nargs="?", help="the tool's rewrite of dev.csv / test.csv")
    ap.add_argument("--findings", type=Path, help="shroud findings (JSON Lines) from scanning the split's CSV")
    ap.add_argument("--map", action="append", default=[], metavar="LABEL=ENT[,ENT]",
                    help="entities that count for a label in --findings (repeatable)")
    ap.add_argument("--by", choices=["lang", "style", "lang-style"], default="lang", help="rows of the tables")
    ap.add_argument("--id-column", default="id")
    ap.add_argument("--text-column", default="notes")
    ap.add_argument("--errors", type=int, default=0, metavar="N",
                    help="also print N residual spans and the most often dropped non-personal words")
    ap.add_argument("--json", action="store_true", help="print JSON instead of tables")
    args = ap.parse_args()
    if not args.rewritten and not args.findings:
        die("give a rewritten CSV, --findings, or both")

    gold = load_gold(args.gold)
    by = "lang-style" if args.by == "lang-style" else args.by
    out: dict = {"gold": str(args.gold), "records": len(gold), "by": by}
    notes: list[str] = []

    if args.rewritten:
        rewritten, n = load_rewritten(args.rewritten, args.id_column, args.text_column, gold)
        notes += n
        res, kept, dropped, examples, missing = score_rewrite(gold, rewritten, by, args.errors)
        if missing:
            notes.append(f"{len(missing)} gold record(s) missing from {args.rewritten} (not scored): "
                         + ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else ""))
        groups = ordered(k for k in res if k != "all") + ["all"]
        kgroups = ordered(k for k in kept if k != "all") + ["all"]
        out["rewritten"] = str(args.rewritten)
        out["missing"] = missing
        out["residual"] = {
            g: {lab: {"n": res[g][lab]["n"], "any": res[g][lab]["any"], "exact": res[g][lab]["exact"],
                      "any_rate": rate(res[g][lab]["any"], res[g][lab]["n"]),
                      "exact_rate": rate(res[g][lab]["exact"], res[g][lab]["n"])}
                for lab in LABELS + ["ALL"] if res[g][lab]["n"]}
            for g in groups}
        out["kept"] = {
            g: {"words": kept[g]["words"], "kept": kept[g]["kept"], "kept_rate": rate(kept[g]["kept"], kept[g]["words"]),
                "capitalised": kept[g]["cap"], "capitalised_kept": kept[g]["cap_kept"],
                "capitalised_kept_rate": rate(kept[g]["cap_kept"], kept[g]["cap"]),
                "texts_without_pii": kept[g]["clean_texts"], "texts_without_pii_unchanged": kept[g]["clean_same"],
                "top_dropped": dropped[g].most_common(args.errors or 10)}
            for g in kgroups}
        if args.errors:
            out["residual_examples"] = [
                {"id": i, "label": l, "value": v, "exact": e, "leaked": lk} for i, l, v, e, lk in examples]

    if args.findings:
        mapping = {k: list(v) for k, v in DEFAULT_MAP.items()}
        for m in args.map:
            if "=" not in m:
                die(f"--map {m!r}: expected LABEL=ENTITY[,ENTITY]")
            lab, ents = m.split("=", 1)
            if lab.upper() not in LABELS:
                die(f"--map: unknown label {lab!r} (labels: {', '.join(LABELS)})")
            mapping[lab.upper()] = [e.strip() for e in ents.split(",") if e.strip()]
        findings = load_findings(args.findings, args.text_column)
        c, other, problems = score_findings(gold, findings, mapping, by)
        fgroups = ordered(k for k in c if k != "all") + ["all"]
        out["findings"] = {"file": str(args.findings), "map": mapping, "other_entities": dict(other),
                           "problems": dict(problems), "scores": {}}
        for g in fgroups:
            out["findings"]["scores"][g] = {}
            for lab in LABELS:
                v = c[g][lab]
                sp, sr, sf = prf(v["strict_tp"], v["pred"], v["strict_tp"], v["gold"])
                op, orr, of = prf(v["correct"], v["pred"], v["found"], v["gold"])
                out["findings"]["scores"][g][lab] = {
                    **{k: v[k] for k in ("gold", "pred", "strict_tp", "found", "correct")},
                    "strict": {"precision": sp, "recall": sr, "f1": sf},
                    "overlap": {"precision": op, "recall": orr, "f1": of}}
    out["notes"] = notes

    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return

    for n in notes:
        print(f"note: {n}")
    if args.rewritten:
        print(f"\nResidual personal data in {args.rewritten} ({len(gold) - len(out['missing'])} texts)")
        print("share of labelled spans still readable; 'any' = any key part left, 'exact' = whole span left; "
              "(n) = spans. Lower is better.\n")
        head = f"{by:10}" + "".join(f"{lab:>22}" for lab in LABELS + ["ALL"])
        print(head)
        print("-" * len(head))
        for g in groups:
            cells = []
            for lab in LABELS + ["ALL"]:
                v = res[g][lab]
                cells.append(f"{pct(v['any'], v['n'])} {pct(v['exact'], v['n'])} ({v['n']:>3})" if v["n"] else f"{'-':>22}")
            print(f"{g:10}" + "".join(f"{c:>22}" for c in cells))
        print(f"{'':10}" + "".join(f"{'any   exact   (n)':>22}" for _ in LABELS + ["ALL"]))

        print("\nNon-personal words kept (over-redaction; higher is better)\n")
        head = f"{by:10} {'words':>6} {'kept':>7} {'capitalised':>12} {'kept':>7} {'texts w/o PII':>14} {'unchanged':>10}"
        print(head)
        print("-" * len(head))
        for g in kgroups:
            k = kept[g]
            print(f"{g:10} {k['words']:>6} {pct(k['kept'], k['words']):>7} {k['cap']:>12} {pct(k['cap_kept'], k['cap']):>7} "
                  f"{k['clean_texts']:>14} {pct(k['clean_same'], k['clean_texts']):>10}")
        if args.errors:
            print(f"\nResidual spans (first {args.errors}):")
            for ex in out.get("residual_examples", []):
                i, l, v, e, lk = ex["id"], ex["label"], ex["value"], ex["exact"], ex["leaked"]
                what = "whole span" if e else "parts " + ", ".join(repr(x) for x in lk)
                print(f"  {i:8} {l:8} {v!r}: {what}")
            print("\nMost often dropped non-personal words:")
            for g in kgroups:
                top = dropped[g].most_common(args.errors)
                if top:
                    print(f"  {g}: " + ", ".join(f"{w} ({n})" for w, n in top))

    if args.findings:
        f = out["findings"]
        print(f"\nDetection from {args.findings} (strict = same byte range; overlap = any overlap)")
        for lab in LABELS:
            print(f"\n{lab} <- {', '.join(f['map'][lab]) or '(no entity)'}")
            head = f"{by:10} {'gold':>5} {'pred':>5}   {'strict P':>8} {'R':>6} {'F1':>6}   {'overlap P':>9} {'R':>6} {'F1':>6}"
            print(head)
            print("-" * len(head))
            for g in fgroups:
                v = f["scores"][g][lab]
                s, o = v["strict"], v["overlap"]
                print(f"{g:10} {v['gold']:>5} {v['pred']:>5}   {fmt(s['precision']):>8} {fmt(s['recall']):>6} {fmt(s['f1']):>6}"
                      f"   {fmt(o['precision']):>9} {fmt(o['recall']):>6} {fmt(o['f1']):>6}")
        if f["other_entities"]:
            print("\nfindings of other entities (not scored): "
                  + ", ".join(f"{k} {v}" for k, v in sorted(f["other_entities"].items(), key=lambda x: -x[1])))
        for k, v in f["problems"].items():
            print(f"warning: {v} {k}")


if __name__ == "__main__":
    main()
