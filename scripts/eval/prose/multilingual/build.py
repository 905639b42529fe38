#!/usr/bin/env python3
"""Build the multilingual prose de-identification set from its marked sources.

Reads   source/{en,de,fr,es,it,nl,pt}.txt   (hand-written texts with inline markers)
Writes  dev.jsonl, test.jsonl               (clean text + character offsets)
        dev.csv,   test.csv                 (columns id,lang,notes: one free-text column)

Source format (see README.md):

    # a comment line
    :: ticket dev
    Hello, this is [[P:Ilse Brandauer]], call me on [[PHONE:+43 664 1234567]].

A block starts at a ":: <style> <split>" line; its text is every line up to the
next "::" line (leading and trailing blank lines dropped, inner line breaks kept
as "\\n", so e-mails and letters keep their paragraphs).  Lines starting with
"#" are comments.  Markers are [[LABEL:value]] with LABEL one of PERSON (or P),
ADDRESS (or ADDR), PHONE, HANDLE, EMAIL.  A marker may span a line break (an
address on two lines).

Split: every block names its split (dev or test) in its header, so a text never
moves between splits when texts are edited or added.  A new block may be
written with its style only (":: chat"); `build.py --assign` then picks the
split that keeps dev and test balanced (per language: texts, styles, texts
without personal data, spans per label) and writes it into the header.  Ids
are "<lang>-<nnn>" in source order (1-based): add new texts at the END of a
source file, or the ids after the insertion shift (the splits do not).

Every check below must pass before anything is written:
  * each span's value equals text[start:end] (and its UTF-8 byte slice);
  * spans do not start or end inside a word, nor with spaces or punctuation;
  * PERSON spans start and end with a letter and do not start with a title;
  * EMAIL values are well formed and on reserved example domains;
  * no e-mail address or @handle is left unmarked;
  * no text occurs twice.
Warnings (printed with -v): an unmarked digit run that looks like a phone
number, and a word of a marked name that appears again unmarked in the same
text (these are usually deliberate distractors such as "Rose" / "rose").

Usage:  python3 build.py [-v] [--check] [--assign]
  -v        list every warning
  --check   verify only; exit 1 if dev/test files are missing or stale
  --assign  choose a split for blocks without one and write it into the sources
Standard library only.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE / "source"
LANGS = ["en", "de", "fr", "es", "it", "nl", "pt"]
STYLES = {"ticket", "chat", "email", "news", "letter", "list"}
LABELS = ["PERSON", "ADDRESS", "PHONE", "HANDLE", "EMAIL"]
ALIASES = {"P": "PERSON", "PERSON": "PERSON", "ADDR": "ADDRESS", "ADDRESS": "ADDRESS",
           "PHONE": "PHONE", "HANDLE": "HANDLE", "EMAIL": "EMAIL"}

MARKER = re.compile(r"\[\[([A-Z]+):(.+?)\]\]", re.S)
EMAIL_RE = re.compile(r"[^\s@<>()\[\],;:\"']+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
EMAIL_FULL = re.compile(r"^[^\s@<>()\[\],;:\"']+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
RESERVED_DOMAIN = re.compile(r"(^|\.)(example\.(com|org|net)|[a-z0-9-]+\.example|example)$", re.I)
HANDLE_RE = re.compile(r"(?<![\w@.])@[^\W][\w.]*\w|(?<![\w@.])@\w")
# group mentions in chats: not a person, deliberately left unlabelled
HANDLE_ALLOW = {"@all", "@alle", "@here", "@channel", "@everyone", "@tous", "@todos", "@tutti", "@iedereen", "@team"}
HANDLE_FULL = re.compile(r"^@\w([\w.]*\w)?$")
PHONE_FULL = re.compile(r"^[+(\d][\d\s().\-/]*\d$")
PHONEISH = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().\-/]{6,}\d(?!\w)")
TITLES = {
    "mr", "mrs", "ms", "miss", "dr", "prof", "sir", "dame", "herr", "frau", "fräulein",
    "m", "mme", "mlle", "me", "sr", "sra", "srta", "doña", "dña", "dott", "dott.ssa",
    "sig", "sig.ra", "signor", "signora", "ing", "avv", "dhr", "mevr", "mw", "hr", "fr",
    "sr.ª", "dra", "eng", "senhor", "senhora", "monsieur", "madame", "señor", "señora",
    "mag", "dipl", "mister", "doutor", "doutora", "rev", "revd", "herrn", "maître", "maitre",
}


def fail(msg: str) -> None:
    print(f"error: {msg}", file=sys.stderr)
    raise SystemExit(1)


def read_blocks(path: Path):
    """Yield (line_no, style, split, raw_text) for each block of a source file.

    A block starts at a line ":: <style> <split>" (split: dev or test; missing
    until --assign fills it in); its text is every line up to the next such
    line, without leading and trailing blank lines (blank lines inside are kept
    as paragraph breaks).  Lines starting with "#" are comments anywhere.
    """
    blocks: list[tuple[int, str, str | None, list[str]]] = []
    for no, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        line = line.rstrip()
        if line.startswith("#"):
            continue
        if line.startswith("::"):
            parts = line[2:].split()
            style = parts[0] if parts else ""
            split = parts[1] if len(parts) > 1 else None
            if style not in STYLES:
                fail(f"{path.name}:{no}: unknown style {style!r} (known: {', '.join(sorted(STYLES))})")
            if split not in (None, "dev", "test") or len(parts) > 2:
                fail(f"{path.name}:{no}: header must be ':: <style> <dev|test>', got {line!r}")
            blocks.append((no, style, split, []))
            continue
        if not blocks:
            if line:
                fail(f"{path.name}:{no}: text before the first ':: <style>' line")
            continue
        blocks[-1][3].append(line)
    for no, style, split, lines in blocks:
        while lines and not lines[0]:
            lines.pop(0)
        while lines and not lines[-1]:
            lines.pop()
        if not lines:
            fail(f"{path.name}:{no}: empty block")
        yield no, style, split, "\n".join(lines)


def parse(raw: str, where: str):
    """Strip markers; return clean text and spans (char offsets)."""
    raw = unicodedata.normalize("NFC", raw)
    out = []
    spans = []
    pos = 0
    clen = 0
    for m in MARKER.finditer(raw):
        before = raw[pos:m.start()]
        out.append(before)
        clen += len(before)
        lab, val = m.group(1), m.group(2)
        if lab not in ALIASES:
            fail(f"{where}: unknown label {lab!r} in {m.group(0)!r}")
        if "[[" in val or "]]" in val:
            fail(f"{where}: nested marker in {m.group(0)!r}")
        spans.append({"start": clen, "end": clen + len(val), "label": ALIASES[lab], "value": val})
        out.append(val)
        clen += len(val)
        pos = m.end()
    out.append(raw[pos:])
    text = "".join(out)
    if "[[" in text or "]]" in text:
        fail(f"{where}: stray '[[' or ']]' left after stripping markers")
    return text, spans


def check_record(rec: dict, where: str, warnings: list[str]) -> None:
    text = rec["text"]
    spans = rec["spans"]
    covered = [False] * len(text)
    prev_end = -1
    for s in spans:
        a, b, lab, val = s["start"], s["end"], s["label"], s["value"]
        if text[a:b] != val:
            fail(f"{where}: offset check failed for {val!r}")
        if text.encode("utf-8")[len(text[:a].encode()):len(text[:b].encode())].decode() != val:
            fail(f"{where}: byte offset check failed for {val!r}")
        if a < prev_end:
            fail(f"{where}: overlapping spans at {val!r}")
        prev_end = b
        if val != val.strip():
            fail(f"{where}: span {val!r} has surrounding whitespace")
        if a > 0 and (text[a - 1].isalnum() or text[a - 1] == "_"):
            fail(f"{where}: span {val!r} starts inside a word")
        if b < len(text) and (text[b].isalnum() or text[b] == "_"):
            fail(f"{where}: span {val!r} ends inside a word")
        if lab == "PERSON":
            if not (val[0].isalpha() and val[-1].isalpha()):
                fail(f"{where}: PERSON {val!r} must start and end with a letter")
            first = val.split()[0].rstrip(".").lower()
            if first in TITLES and len(val.split()) > 1:
                fail(f"{where}: PERSON {val!r} starts with a title; leave the title outside")
            if "\n" in val:
                fail(f"{where}: PERSON {val!r} spans a line break")
        elif lab == "ADDRESS":
            if not (val[0].isalnum() and (val[-1].isalnum() or val[-1] == ")")):
                fail(f"{where}: ADDRESS {val!r} must start with a letter/digit and end with one (or ')')")
            if not re.search(r"\d", val):
                fail(f"{where}: ADDRESS {val!r} has no number")
        elif lab == "PHONE":
            if not PHONE_FULL.match(val) or sum(c.isdigit() for c in val) < 7:
                fail(f"{where}: PHONE {val!r} is not phone-shaped")
        elif lab == "EMAIL":
            if not EMAIL_FULL.match(val):
                fail(f"{where}: EMAIL {val!r} is not well formed")
            dom = val.rsplit("@", 1)[1]
            if not RESERVED_DOMAIN.search(dom):
                fail(f"{where}: EMAIL {val!r} is not on a reserved example domain")
        elif lab == "HANDLE":
            if not HANDLE_FULL.match(val):
                fail(f"{where}: HANDLE {val!r} is not @handle-shaped")
        for i in range(a, b):
            covered[i] = True

    def outside(m):
        return not any(covered[m.start():m.end()])

    for m in EMAIL_RE.finditer(text):
        if outside(m) or not all(covered[m.start():m.end()]):
            fail(f"{where}: e-mail address {m.group(0)!r} is not (wholly) marked")
    for m in HANDLE_RE.finditer(text):
        if not any(covered[m.start():m.end()]) and m.group(0).lower() not in HANDLE_ALLOW:
            fail(f"{where}: @handle {m.group(0)!r} is not marked")
    for m in PHONEISH.finditer(text):
        if outside(m) and sum(c.isdigit() for c in m.group(0)) >= 8:
            warnings.append(f"{where}: unmarked number {m.group(0)!r}")
    # words of marked names that appear again unmarked
    words = set()
    for s in spans:
        if s["label"] == "PERSON":
            words.update(w for w in re.split(r"[\s\-]+", s["value"]) if len(w) > 2)
    for w in sorted(words):
        for m in re.finditer(r"(?<!\w)" + re.escape(w) + r"(?!\w)", text):
            if outside(m):
                warnings.append(f"{where}: {w!r} of a marked name appears unmarked")
                break


def build():
    records = []
    for lang in LANGS:
        path = SRC / f"{lang}.txt"
        if not path.exists():
            fail(f"missing {path}")
        for n, (line_no, style, split, raw) in enumerate(read_blocks(path), 1):
            where = f"{path.name}:{line_no}"
            text, spans = parse(raw, where)
            records.append({"id": f"{lang}-{n:03d}", "lang": lang, "style": style, "split": split,
                            "text": text, "spans": spans, "_where": where, "_path": path,
                            "_line": line_no})
    return records


# span counts per label matter most for balance, then the number of texts
WEIGHT = {"label": 3, "texts": 2}


def features(r: dict) -> Counter:
    f = Counter({"texts": 1, "style:" + r["style"]: 1})
    if not r["spans"]:
        f["no-pii"] += 1
    for sp in r["spans"]:
        f["label:" + sp["label"]] += 1
    return f


def assign_splits(records: list[dict]) -> None:
    """Greedy, in source order, per language: put each unassigned text in the
    split that leaves the two splits closest in texts, styles, texts without
    personal data and span counts per label (ties: the smaller split, then dev).
    Texts that already have a split are never moved.  The choice is written into
    the header line of the source block."""
    totals = {lang: {"dev": Counter(), "test": Counter()} for lang in LANGS}
    for r in records:
        if r["split"]:
            totals[r["lang"]][r["split"]].update(features(r))
    edits: dict[Path, dict[int, str]] = defaultdict(dict)
    for r in records:
        if r["split"]:
            continue
        t = totals[r["lang"]]
        f = features(r)
        best = None
        for cand in ("dev", "test"):
            other = "test" if cand == "dev" else "dev"
            after = t[cand] + f
            keys = set(after) | set(t[other])
            cost = sum(WEIGHT.get(k.split(":")[0], 1) * abs(after[k] - t[other][k]) for k in keys)
            rank = (cost, t[cand]["texts"], cand != "dev")
            if best is None or rank < best[0]:
                best = (rank, cand)
        r["split"] = best[1]
        t[r["split"]].update(f)
        edits[r["_path"]][r["_line"]] = r["split"]
    for path, lines in edits.items():
        src = path.read_text(encoding="utf-8").split("\n")
        for no, split in lines.items():
            head = src[no - 1].rstrip()
            assert head.startswith("::") and len(head[2:].split()) == 1, head
            src[no - 1] = f"{head} {split}"
        path.write_text("\n".join(src), encoding="utf-8")
        print(f"assigned {len(lines)} split(s) in {path.name}")


def to_csv(recs: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["id", "lang", "notes"])
    for r in recs:
        w.writerow([r["id"], r["lang"], r["text"]])
    return buf.getvalue()


def to_jsonl(recs: list[dict]) -> str:
    lines = []
    for r in recs:
        out = {"id": r["id"], "lang": r["lang"], "style": r["style"], "text": r["text"],
               "spans": [{"start": s["start"], "end": s["end"], "label": s["label"]} for s in r["spans"]]}
        lines.append(json.dumps(out, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-v", "--verbose", action="store_true", help="print every warning")
    ap.add_argument("--check", action="store_true", help="verify only; exit 1 if outputs are stale")
    ap.add_argument("--assign", action="store_true",
                    help="give texts without a split one (balancing the splits) and write it into the sources")
    args = ap.parse_args()

    records = build()
    warnings: list[str] = []
    seen: dict[str, str] = {}
    for r in records:
        check_record(r, r["_where"], warnings)
        key = re.sub(r"\s+", " ", r["text"]).strip().lower()
        if key in seen:
            fail(f"{r['_where']}: same text as {seen[key]}")
        seen[key] = r["_where"]

    unassigned = [r for r in records if r["split"] is None]
    if unassigned:
        if not args.assign:
            fail(f"{len(unassigned)} text(s) have no split (first: {unassigned[0]['_where']}); "
                 "run build.py --assign to choose one and write it into the source header")
        assign_splits(records)
    splits = {"dev": [r for r in records if r["split"] == "dev"],
              "test": [r for r in records if r["split"] == "test"]}

    outputs = {}
    for name, recs in splits.items():
        outputs[HERE / f"{name}.jsonl"] = to_jsonl(recs)
        outputs[HERE / f"{name}.csv"] = to_csv(recs)

    # round-trip self-check of what will be written
    for name, recs in splits.items():
        for line, r in zip(outputs[HERE / f"{name}.jsonl"].splitlines(), recs):
            d = json.loads(line)
            for s, orig in zip(d["spans"], r["spans"]):
                assert d["text"][s["start"]:s["end"]] == orig["value"], (d["id"], orig)
        rows = list(csv.reader(io.StringIO(outputs[HERE / f"{name}.csv"], newline="")))
        assert rows[0] == ["id", "lang", "notes"]
        assert [row[2] for row in rows[1:]] == [r["text"] for r in recs]

    if args.check:
        stale = [p.name for p, c in outputs.items() if not p.exists() or p.read_text(encoding="utf-8") != c]
        if stale:
            print(f"stale: {', '.join(stale)} (run build.py)", file=sys.stderr)
            raise SystemExit(1)
        print("sources check out; outputs are up to date")
    else:
        for p, c in outputs.items():
            p.write_text(c, encoding="utf-8", newline="")
        print(f"wrote {', '.join(p.name for p in outputs)}")

    # counts
    print()
    header = f"{'split':5} {'lang':4} {'texts':>5} {'no-PII':>6} " + " ".join(f"{l:>7}" for l in LABELS)
    print(header)
    print("-" * len(header))
    for name, recs in splits.items():
        by_lang = defaultdict(list)
        for r in recs:
            by_lang[r["lang"]].append(r)
        tot = Counter()
        for lang in LANGS + ["all"]:
            rs = recs if lang == "all" else by_lang[lang]
            c = Counter(s["label"] for r in rs for s in r["spans"])
            nopii = sum(1 for r in rs if not r["spans"])
            print(f"{name:5} {lang:4} {len(rs):>5} {nopii:>6} " + " ".join(f"{c[l]:>7}" for l in LABELS))
        styles = Counter(r["style"] for r in recs)
        print(f"{name:5} styles: " + ", ".join(f"{k} {v}" for k, v in sorted(styles.items())))
        print()
    if warnings:
        print(f"{len(warnings)} warning(s){'' if args.verbose else ' (-v to list)'}")
        if args.verbose:
            for w in warnings:
                print("  " + w)


if __name__ == "__main__":
    main()
