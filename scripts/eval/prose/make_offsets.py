#!/usr/bin/env python3
"""Build dev.jsonl / test.jsonl from the hand-marked sources dev.src.txt / test.src.txt.

    python3 make_offsets.py            # check the sources, (re)write both .jsonl files
    python3 make_offsets.py --check    # check only; exit 1 if a .jsonl is missing or stale

Source format, one record per line:

    style<TAB>text with [[ENTITY:marked value]] spans

Blank lines and lines starting with '#' are ignored.  In the text, the two
characters backslash + n stand for a line break, and backslash + backslash for
one backslash.  ENTITY is a label name or one of the short aliases below.
The clean text is the marked text with each [[ENTITY:value]] replaced by value;
spans are UTF-8 byte offsets into it (end exclusive).  Record ids are
`<split>-0001`, `<split>-0002`, ... in source order, so the output is
deterministic.

Every record is checked (any error stops the build):

- the marked value equals the byte slice of the clean text at its offsets;
- a PERSON span neither starts nor ends with whitespace or punctuation, does
  not start with a title (Mr, Dr., President, ...) and does not end in 's;
- no span starts or ends inside a word;
- EMAIL_ADDRESS looks like an address, PHONE_NUMBER has 7-15 digits and only
  phone punctuation, CREDIT_CARD passes Luhn, IBAN_CODE passes mod-97 and its
  country's length, IP_ADDRESS parses, US_SSN has a valid area/group/serial;
- no e-mail address, IPv4 address, SSN-shaped or Luhn-valid 13-19 digit
  number is left unmarked in the clean text;
- no text occurs twice, within or across the splits.

Warnings (printed, not fatal) flag a word of a marked name that occurs again
in the same record outside any span; each was reviewed by hand.  Names of
organisations, places, products, diseases etc. that contain a person's name
("Johnson & Johnson", "Parkinson's disease") are deliberately unmarked.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPLITS = ("dev", "test")
STYLES = ("ticket", "news", "email", "chat", "hr", "medical")

ALIASES = {
    "P": "PERSON",
    "EMAIL": "EMAIL_ADDRESS",
    "PHONE": "PHONE_NUMBER",
    "CARD": "CREDIT_CARD",
    "IBAN": "IBAN_CODE",
    "IP": "IP_ADDRESS",
    "SSN": "US_SSN",
}
ENTITIES = ("PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS", "US_SSN")

MARK = re.compile(r"\[\[([A-Z_]+):([^\[\]\n]+?)\]\]")

TITLES = {
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "lord", "lady",
    "president", "senator", "judge", "justice", "minister", "chancellor", "governor", "mayor",
    "coach", "captain", "capt", "sister", "nurse", "father", "rev", "reverend", "herr", "frau",
    "mme", "mlle", "sr", "sra", "señor", "señora", "signor", "signora", "doña",
    "sheikh", "imam", "rabbi", "general", "gen", "col", "colonel", "sgt", "officer", "detective",
    "inspector", "agent", "king", "queen", "prince", "princess", "pope", "saint", "st",
}

# Rough per-country IBAN lengths for the countries used in the corpus.
IBAN_LEN = {
    "AT": 20, "BE": 16, "CH": 21, "CZ": 24, "DE": 22, "DK": 18, "ES": 24, "FI": 18, "FR": 27,
    "GB": 22, "GR": 27, "IE": 22, "IT": 27, "LU": 20, "NL": 18, "NO": 15, "PL": 28, "PT": 25,
    "SE": 24, "TR": 26, "AE": 23, "SA": 24, "BR": 29, "RO": 24, "HU": 28, "EE": 20,
}


class SourceError(Exception):
    pass


def unescape(s: str) -> str:
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s) and s[i + 1] in "n\\":
            out.append("\n" if s[i + 1] == "n" else "\\")
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def iban_ok(value: str) -> bool:
    s = value.replace(" ", "")
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{8,30}", s):
        return False
    if s[:2] in IBAN_LEN and len(s) != IBAN_LEN[s[:2]]:
        return False
    r = s[4:] + s[:4]
    n = "".join(str(int(c, 36)) for c in r)
    return int(n) % 97 == 1


def ssn_ok(value: str) -> bool:
    m = re.fullmatch(r"(\d{3})[- ]?(\d{2})[- ]?(\d{4})", value)
    if not m:
        return False
    area, group, serial = m.groups()
    return area not in ("000", "666") and not area.startswith("9") and group != "00" and serial != "0000"


def check_value(entity: str, value: str) -> str | None:
    """Returns an error message, or None if the value is well formed."""
    if value != value.strip():
        return "leading or trailing whitespace"
    if entity == "PERSON":
        if not value[0].isalpha() or not value[-1].isalpha():
            return "PERSON must start and end with a letter"
        if re.search(r"['\u2019][sS]$", value):
            return "PERSON ends with a possessive 's"
        first = re.split(r"[ .]", value, maxsplit=1)[0].lower()
        if first in TITLES and (" " in value or "." in value):
            return f"PERSON starts with the title {first!r}"
        if re.search(r"\s{2,}", value):
            return "PERSON has a run of spaces"
    elif entity == "EMAIL_ADDRESS":
        if not re.fullmatch(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", value):
            return "not an e-mail address"
    elif entity == "PHONE_NUMBER":
        if not re.fullmatch(r"\+?[0-9 ()./-]+", value) or not value[-1].isdigit():
            return "phone number has unexpected characters"
        nd = sum(c.isdigit() for c in value)
        if not 7 <= nd <= 15:
            return f"phone number has {nd} digits"
    elif entity == "CREDIT_CARD":
        digits = re.sub(r"[ -]", "", value)
        if not digits.isdigit() or not 13 <= len(digits) <= 19 or not luhn_ok(digits):
            return "card number fails Luhn or length"
    elif entity == "IBAN_CODE":
        if not iban_ok(value):
            return "IBAN fails mod-97 or length"
    elif entity == "IP_ADDRESS":
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return "not an IP address"
    elif entity == "US_SSN":
        if not ssn_ok(value):
            return "not a valid-looking SSN"
    return None


def is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def parse_record(marked: str) -> tuple[str, list[dict]]:
    """Turns marked text into (clean text, spans with byte offsets)."""
    if "\t" in marked:
        raise SourceError("TAB inside the text")
    text_parts: list[str] = []
    spans = []
    nbytes = 0
    pos = 0
    for m in MARK.finditer(marked):
        before = unescape(marked[pos : m.start()])
        text_parts.append(before)
        nbytes += len(before.encode("utf-8"))
        tag, value = m.group(1), m.group(2)
        entity = ALIASES.get(tag, tag)
        if entity not in ENTITIES:
            raise SourceError(f"unknown entity {tag!r}")
        err = check_value(entity, value)
        if err:
            raise SourceError(f"{entity} {value!r}: {err}")
        b = len(value.encode("utf-8"))
        spans.append({"start": nbytes, "end": nbytes + b, "entity": entity, "_value": value})
        text_parts.append(value)
        nbytes += b
        pos = m.end()
    text_parts.append(unescape(marked[pos:]))
    text = "".join(text_parts)
    if "[[" in text or "]]" in text:
        raise SourceError("unbalanced or malformed [[...]] marker")
    if not text.strip():
        raise SourceError("empty text")
    if text != text.strip():
        raise SourceError("text has leading or trailing whitespace")
    raw = text.encode("utf-8")
    for s in spans:
        piece = raw[s["start"] : s["end"]].decode("utf-8")
        assert piece == s["_value"], (piece, s["_value"])
        # char-level neighbours
        before = raw[: s["start"]].decode("utf-8")
        after = raw[s["end"] :].decode("utf-8")
        if before and is_word_char(before[-1]) and is_word_char(piece[0]):
            raise SourceError(f"span {piece!r} starts inside a word")
        if after and is_word_char(after[0]) and is_word_char(piece[-1]):
            raise SourceError(f"span {piece!r} ends inside a word")
    for a, b in zip(spans, spans[1:]):
        if b["start"] < a["end"]:
            raise SourceError("overlapping spans")
    return text, spans


def unmarked_pii(text: str, spans: list[dict]) -> list[str]:
    """Values that look like structured PII but are outside every span."""
    raw = text.encode("utf-8")
    covered = [(s["start"], s["end"]) for s in spans]

    def outside(cs: int, ce: int) -> bool:
        bs = len(text[:cs].encode("utf-8"))
        be = len(text[:ce].encode("utf-8"))
        return not any(bs < e and s < be for s, e in covered)

    found = []
    for m in re.finditer(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z.]{2,}", text):
        if outside(m.start(), m.end()):
            found.append(f"e-mail {m.group()!r}")
    for m in re.finditer(r"(?<![\d.])(\d{1,3}\.){3}\d{1,3}(?![\d.])", text):
        try:
            ipaddress.ip_address(m.group())
        except ValueError:
            continue
        if outside(m.start(), m.end()):
            found.append(f"IPv4 {m.group()!r}")
    for m in re.finditer(r"(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)", text):
        if outside(m.start(), m.end()):
            found.append(f"SSN-shaped {m.group()!r}")
    for m in re.finditer(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])", text):
        digits = re.sub(r"\D", "", m.group())
        if luhn_ok(digits) and outside(m.start(), m.end()):
            found.append(f"Luhn-valid number {m.group()!r}")
    del raw
    return found


def repeated_name_words(text: str, spans: list[dict]) -> list[str]:
    """Words of marked PERSON names that occur again outside any span."""
    raw = text.encode("utf-8")
    mask = bytearray(len(raw))
    for s in spans:
        for i in range(s["start"], s["end"]):
            mask[i] = 1
    out = set()
    for s in spans:
        if s["entity"] != "PERSON":
            continue
        for w in re.findall(r"[^\W\d_][\w'\u2019-]*", s["_value"]):
            if len(w) < 3 or w.lower() in {"van", "von", "der", "den", "del", "dos", "das", "bin", "ibn"}:
                continue
            for m in re.finditer(r"(?<!\w)" + re.escape(w) + r"(?!\w)", text, flags=re.IGNORECASE):
                b = len(text[: m.start()].encode("utf-8"))
                if not mask[b]:
                    out.add(m.group())
    return sorted(out)


def read_split(split: str) -> list[dict]:
    path = HERE / f"{split}.src.txt"
    records = []
    errors = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            where = f"{path.name}:{lineno}"
            if "\t" not in line:
                errors.append(f"{where}: no TAB between style and text")
                continue
            style, marked = line.split("\t", 1)
            if style not in STYLES:
                errors.append(f"{where}: unknown style {style!r}")
                continue
            try:
                text, spans = parse_record(marked)
            except SourceError as e:
                errors.append(f"{where}: {e}")
                continue
            for what in unmarked_pii(text, spans):
                errors.append(f"{where}: unmarked {what}")
            records.append({"_where": where, "style": style, "text": text, "spans": spans})
    if errors:
        raise SourceError("\n".join(errors))
    for n, r in enumerate(records, 1):
        r["id"] = f"{split}-{n:04d}"
    return records


def to_jsonl(records: list[dict]) -> str:
    lines = []
    for r in records:
        obj = {
            "id": r["id"],
            "style": r["style"],
            "text": r["text"],
            "spans": [{"start": s["start"], "end": s["end"], "entity": s["entity"]} for s in r["spans"]],
        }
        lines.append(json.dumps(obj, ensure_ascii=False))
    return "".join(line + "\n" for line in lines)


def stats(split: str, records: list[dict]) -> None:
    by_style = Counter(r["style"] for r in records)
    ent = Counter(s["entity"] for r in records for s in r["spans"])
    person_by_style = Counter()
    for r in records:
        person_by_style[r["style"]] += sum(s["entity"] == "PERSON" for s in r["spans"])
    no_pii = sum(1 for r in records if not r["spans"])
    one_word = sum(1 for r in records for s in r["spans"] if s["entity"] == "PERSON" and " " not in s["_value"])
    share = f"{no_pii / len(records):.0%}" if records else "-"
    print(f"{split}: {len(records)} records, {no_pii} without PII ({share})")
    print("  records by style: " + ", ".join(f"{k} {by_style[k]}" for k in STYLES))
    print("  PERSON by style:  " + ", ".join(f"{k} {person_by_style[k]}" for k in STYLES))
    print("  spans by entity:  " + ", ".join(f"{k} {ent[k]}" for k in ENTITIES if ent[k]))
    print(f"  one-word PERSON spans: {one_word}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="check only; fail if a .jsonl is stale")
    ap.add_argument("--quiet-warnings", action="store_true", help="do not list repeated-name warnings")
    args = ap.parse_args()

    all_records: dict[str, list[dict]] = {}
    try:
        for split in SPLITS:
            all_records[split] = read_split(split)
    except SourceError as e:
        print(f"make_offsets.py: errors:\n{e}", file=sys.stderr)
        return 2

    seen: dict[str, str] = {}
    dup = []
    for split, recs in all_records.items():
        for r in recs:
            key = " ".join(r["text"].lower().split())
            if key in seen:
                dup.append(f"{r['_where']}: same text as {seen[key]}")
            seen[key] = r["_where"]
    if dup:
        print("make_offsets.py: duplicate texts:\n" + "\n".join(dup), file=sys.stderr)
        return 2

    if not args.quiet_warnings:
        for split, recs in all_records.items():
            for r in recs:
                rep = repeated_name_words(r["text"], r["spans"])
                if rep:
                    print(f"warning: {r['_where']} ({r['id']}): name word(s) also unmarked: {', '.join(rep)}")

    stale = False
    for split, recs in all_records.items():
        out = HERE / f"{split}.jsonl"
        content = to_jsonl(recs)
        if args.check:
            if not out.exists() or out.read_text(encoding="utf-8") != content:
                print(f"{out.name} is missing or stale: run make_offsets.py", file=sys.stderr)
                stale = True
        else:
            out.write_text(content, encoding="utf-8")
        stats(split, recs)

    # sanity: re-read what was written and verify each span slice
    if not args.check:
        for split in SPLITS:
            with (HERE / f"{split}.jsonl").open(encoding="utf-8") as fh:
                for line in fh:
                    obj = json.loads(line)
                    raw = obj["text"].encode("utf-8")
                    for s in obj["spans"]:
                        piece = raw[s["start"] : s["end"]].decode("utf-8")
                        assert piece and piece == piece.strip(), (obj["id"], piece)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
