#!/usr/bin/env python3
"""Self-test for gen2.py -- no shroud binary needed.

For two seeds it generates 200 rows and checks:

* determinism: the same seed gives the same bytes in all four files, even when
  the caller's PYTHONHASHSEED differs;
* every labelled column exists in its file (CSV header, Parquet schema, JSONL
  paths), and CSV, JSON Lines and Parquet hold the same number of rows;
* every span's text is found at its UTF-8 byte offsets in every format, is
  non-empty and trimmed, spans do not overlap, and the text has the shape of
  its entity (Luhn for cards, mod-97 for IBANs, a parseable IP, ...);
* score.py gives a perfect answer 100% columns and span F1 1.0, and
  closed_loop.py's residual counter reads the files (input == output leaves
  every planted value in place).

Run:  python3 scripts/eval/selftest_gen2.py
"""

from __future__ import annotations

import contextlib
import csv
import io
import ipaddress
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # leave no __pycache__ in the repo
sys.path.insert(0, str(HERE))
import closed_loop  # noqa: E402
import score  # noqa: E402

FILES = ("customers.csv", "customers.jsonl", "customers.parquet", "labels.json")
ROWS = 200
SPAN_ENTITIES = {"PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE",
                 "US_SSN", "IP_ADDRESS", "STREET_ADDRESS", "MAC_ADDRESS"}
TITLES = ("Mr", "Mrs", "Ms", "Mx", "Dr", "Prof", "Herr", "Frau", "Mme", "Dhr")


def gen(out: Path, seed: int, env: dict | None = None) -> None:
    subprocess.run([sys.executable, str(HERE / "gen2.py"), "--out", str(out), "--rows", str(ROWS),
                    "--seed", str(seed)], check=True, capture_output=True, env=env)


def luhn_ok(number: str) -> bool:
    ds = [int(c) for c in number if c.isdigit()][::-1]
    return sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(ds)) % 10 == 0


def iban_ok(iban: str) -> bool:
    s = iban.replace(" ", "")
    s = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in s)) % 97 == 1


def shape_ok(entity: str, text: str) -> bool:
    if entity == "CREDIT_CARD":
        return re.fullmatch(r"[\d -]{12,23}", text) is not None and luhn_ok(text)
    if entity == "IBAN_CODE":
        return iban_ok(text)
    if entity == "IP_ADDRESS":
        ipaddress.ip_address(text)
        return True
    if entity == "US_SSN":
        return re.fullmatch(r"\d{3}-\d{2}-\d{4}", text) is not None
    if entity == "MAC_ADDRESS":
        return re.fullmatch(r"[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}", text) is not None
    if entity == "EMAIL_ADDRESS":
        return re.fullmatch(r"[^@\s()<>]+@[^@\s()<>]+\.[a-z]+", text) is not None
    if entity == "PHONE_NUMBER":
        return sum(c.isdigit() for c in text) >= 7
    if entity == "PERSON":
        return not text.split()[0].rstrip(".") in TITLES and not text.endswith(("'s", ",", "."))
    return True  # STREET_ADDRESS: free form


def jsonl_has(records: list[dict], path: str) -> bool:
    """Some record holds the dotted path (`[]` = any element of a list)."""
    return any(closed_loop.jsonl_get(r, path) for r in records) or any(
        _key_present(r, path.split(".")) for r in records
    )


def _key_present(obj, segs: list[str]) -> bool:
    if not segs:
        return True
    seg = segs[0]
    if seg.endswith("[]"):
        lst = obj.get(seg[:-2]) if isinstance(obj, dict) else None
        return isinstance(lst, list) and any(_key_present(x, segs[1:]) for x in lst)
    return isinstance(obj, dict) and seg in obj and _key_present(obj[seg], segs[1:])


def check(d: Path) -> dict:
    import pyarrow.parquet as pq

    labels = json.loads((d / "labels.json").read_text(encoding="utf-8"))
    assert labels["rows"] == ROWS and labels["generator"] == "scripts/eval/gen2.py"

    with (d / "customers.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        csv_rows = [dict(zip(header, r)) for r in reader]
    jl = [json.loads(l) for l in (d / "customers.jsonl").read_text(encoding="utf-8").splitlines()]
    pt = pq.read_table(d / "customers.parquet")

    # Same number of rows everywhere.
    assert len(csv_rows) == len(jl) == pt.num_rows == ROWS, (len(csv_rows), len(jl), pt.num_rows)

    # Every labelled column exists in its file.
    assert len(header) == 26 and len(set(header)) == 26, header
    assert list(labels["csv"]["columns"]) == header, "CSV header != labelled columns"
    assert list(labels["parquet"]["columns"]) == pt.column_names, "Parquet schema != labelled columns"
    for path in labels["jsonl"]["columns"]:
        assert jsonl_has(jl, path), f"JSONL path {path} in no record"
    assert "logins[].ip" in labels["jsonl"]["columns"] and "logins[].ts" in labels["jsonl"]["columns"]
    schema = {f.name: str(f.type) for f in pt.schema}
    assert schema["CustID"] == "int64" and schema["Birthdate"] == "date32[day]", schema
    assert schema["Total"] == "decimal128(12, 2)" and schema["UpdatedAt"] == "timestamp[us, tz=UTC]", schema
    for fmt in ("csv", "jsonl", "parquet"):
        assert labels[fmt]["free_text_columns"] == ["Comments"]

    # Spans: the same everywhere, at the stated byte offsets in every format.
    spans = labels["csv"]["spans"]
    assert spans and labels["jsonl"]["spans"] == spans and labels["parquet"]["spans"] == spans
    cells = {
        "csv": [r["Comments"] for r in csv_rows],
        "jsonl": [r["Comments"] or "" for r in jl],
        "parquet": [c or "" for c in pt.column("Comments").to_pylist()],
    }
    assert cells["csv"] == cells["jsonl"] == cells["parquet"], "Comments differ between formats"
    last_end: dict[int, int] = {}
    for s in sorted(spans, key=lambda s: (s["row"], s["start"])):
        assert s["column"] == "Comments" and s["entity"] in SPAN_ENTITIES, s
        raw = cells["csv"][s["row"]].encode("utf-8")
        assert 0 <= s["start"] < s["end"] <= len(raw), s
        text = raw[s["start"] : s["end"]].decode("utf-8")
        assert text and text == text.strip(), (s, text)
        assert shape_ok(s["entity"], text), (s, text)
        assert s["start"] >= last_end.get(s["row"], 0), f"overlapping spans in row {s['row']}"
        last_end[s["row"]] = s["end"]

    # Some variety the data set promises.
    ents = {s["entity"] for s in spans}
    assert ents == SPAN_ENTITIES, SPAN_ENTITIES - ents
    assert any(not c.isascii() for t in cells["csv"] for c in t), "want some non-ASCII notes"
    rows_with_pii = len({s["row"] for s in spans})
    assert 0.45 * ROWS < rows_with_pii < 0.7 * ROWS, rows_with_pii
    assert all(luhn_ok(c) for r in csv_rows if (c := r["Card"])), "a Card fails Luhn"
    assert all(iban_ok(c) for r in csv_rows if (c := r["IBAN"])), "an IBAN fails mod-97"
    assert any("," in r["Total"] and "." in r["Total"] and r["Total"].index(".") < r["Total"].index(",")
               for r in csv_rows), "want decimal-comma totals like 1.234,50"
    return labels


def perfect(lab: dict, fmt: str) -> tuple[dict, list[dict]]:
    path = f"/data/customers.{fmt}"
    report = {"version": 1, "files": [{
        "path": path, "format": fmt, "rows": ROWS, "errors": [],
        "columns": [{"column": c, "entity": e, "confidence": 1.0 if e else 0.0} for c, e in lab["columns"].items()],
    }]}
    findings = [{"file": path, "row": s["row"], "column": s["column"], "start": s["start"], "end": s["end"],
                 "entity": s["entity"], "rule": "fake", "score": 1.0} for s in lab["spans"]]
    return report, findings


def check_scoring(d: Path, labels: dict) -> None:
    for fmt in ("csv", "jsonl", "parquet"):
        report, findings = perfect(labels[fmt], fmt)
        (d / "r.json").write_text(json.dumps(report))
        (d / "f.jsonl").write_text("".join(json.dumps(f) + "\n" for f in findings))
        with contextlib.redirect_stdout(io.StringIO()):
            rc = score.main(["--labels", str(d / "labels.json"), "--format", fmt, "--report", str(d / "r.json"),
                             "--findings", str(d / "f.jsonl"), "--summary-json", str(d / "s.json")])
        assert rc == 0
        s = json.loads((d / "s.json").read_text())
        assert s["columns"]["accuracy"] == 1.0 and not s["columns"]["missing"], s["columns"]
        assert not s["columns"]["unlabelled"], s["columns"]["unlabelled"]
        for mode in ("strict", "lenient"):
            assert s["spans"]["total"][mode]["f1"] == 1.0, s["spans"]["total"]

        # closed_loop.py reads gen2's files; an untouched copy keeps every value.
        src = d / f"customers.{fmt}"
        planted, left = closed_loop.residuals(labels, fmt, src, src)
        assert planted and planted == left, (fmt, planted, left)
        assert planted["free text PERSON"] > 0 and planted.get("IP_ADDRESS", 0) > ROWS * 0.9, planted
    for name in ("r.json", "f.jsonl", "s.json"):
        (d / name).unlink()


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        for seed in (1, 2):
            a, b = Path(tmp) / f"{seed}a", Path(tmp) / f"{seed}b"
            gen(a, seed)
            gen(b, seed, env={**os.environ, "PYTHONHASHSEED": "123"})
            for name in FILES:
                assert (a / name).read_bytes() == (b / name).read_bytes(), f"seed {seed}: {name} not deterministic"
            labels = check(a)
            check_scoring(a, labels)
            n = len(labels["csv"]["spans"])
            print(f"seed {seed}: deterministic, {ROWS} rows in 3 formats, {n} spans checked, perfect score 100%")
        assert (Path(tmp) / "1a" / "customers.csv").read_bytes() != (Path(tmp) / "2a" / "customers.csv").read_bytes()
    print("selftest_gen2 OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
