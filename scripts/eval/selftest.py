#!/usr/bin/env python3
"""Self-test for gen.py and score.py -- no shroud binary needed.

Generates a small data set, checks the labels against the written files
(span offsets, Luhn properties, Parquet types, determinism), then builds
fake shroud outputs from the labels and checks score.py's numbers:

* a perfect answer must score 100% columns and F1 1.0 (strict and lenient);
* a perturbed answer (known mistakes) must score exactly what we predict.

Run:  python3 scripts/eval/selftest.py
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # leave no __pycache__ in the repo
sys.path.insert(0, str(HERE))
import score  # noqa: E402


def luhn_ok(number: str) -> bool:
    ds = [int(c) for c in number if c.isdigit()][::-1]
    total = sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(ds))
    return total % 10 == 0


def gen(out: Path, *args: str) -> None:
    subprocess.run([sys.executable, str(HERE / "gen.py"), "--out", str(out), *args], check=True, capture_output=True)


def check_generated(d: Path) -> dict:
    labels = json.loads((d / "labels.json").read_text(encoding="utf-8"))
    lab = labels["csv"]
    with (d / "customers.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0].keys()) == list(lab["columns"].keys()), "CSV header != labelled columns"

    # Every span must be an exact, trimmed substring at its UTF-8 byte range,
    # identical in all three formats.
    jl = [json.loads(l) for l in (d / "customers.jsonl").read_text(encoding="utf-8").splitlines()]
    import pyarrow.parquet as pq

    pt = pq.read_table(d / "customers.parquet")
    notes = lab["free_text_columns"][0]
    for s in lab["spans"]:
        cell = rows[s["row"]][s["column"]]
        text = cell.encode("utf-8")[s["start"] : s["end"]].decode("utf-8")
        assert text and text == text.strip(), s
        assert jl[s["row"]][notes] == cell
        assert pt.column(notes)[s["row"]].as_py() == cell
    assert labels["jsonl"]["spans"] == lab["spans"] and labels["parquet"]["spans"] == lab["spans"]
    assert any(not c.isascii() for r in rows for c in r[notes]), "want some non-ASCII notes"

    cards = [r["credit_card_number"] for r in rows if r["credit_card_number"]]
    tracking = [r["tracking_number"] for r in rows if r["tracking_number"]]
    assert all(luhn_ok(c) for c in cards), "a credit card fails Luhn"
    assert not any(luhn_ok(t) for t in tracking), "a tracking number passes Luhn"
    assert all(len(t) == 16 and t.isdigit() for t in tracking)
    assert all(8 <= len(a) <= 12 and a.isdigit() for r in rows if (a := r["account_number"]))

    schema = {f.name: str(f.type) for f in pt.schema}
    assert schema["account_number"] == "int64" and schema["date_of_birth"] == "date32[day]", schema
    assert set(labels["jsonl"]["columns"]) >= {"contact.email", "contact.phone", "devices[].ip"}
    return labels


def perfect_outputs(lab: dict, fmt: str, rows: int) -> tuple[dict, list[dict]]:
    path = f"/data/customers.{fmt}"
    report = {
        "version": 1,
        "files": [
            {
                "path": path,
                "format": fmt,
                "rows": rows,
                "columns": [
                    {"column": c, "entity": e, "confidence": 1.0 if e else 0.0, "non_empty": rows,
                     "matches": {e: rows} if e else {}, "samples": []}
                    for c, e in lab["columns"].items()
                ],
                "errors": [],
            }
        ],
    }
    findings = [
        {"file": path, "row": s["row"], "column": s["column"], "start": s["start"], "end": s["end"],
         "entity": s["entity"], "rule": "fake", "score": 1.0}
        for s in lab["spans"]
    ]
    return report, findings


def run_score(d: Path, fmt: str, report: dict, findings: list[dict]) -> tuple[dict, str]:
    (d / "r.json").write_text(json.dumps(report))
    (d / "f.jsonl").write_text("".join(json.dumps(f) + "\n" for f in findings))
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = score.main(["--labels", str(d / "labels.json"), "--format", fmt, "--report", str(d / "r.json"),
                         "--findings", str(d / "f.jsonl"), "--summary-json", str(d / "s.json")])
    assert rc == 0
    return json.loads((d / "s.json").read_text()), buf.getvalue()


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp) / "a"
        gen(d, "--rows", "200", "--seed", "3")
        labels = check_generated(d)

        # Determinism: same seed -> identical bytes, whatever the hash seed.
        d2 = Path(tmp) / "b"
        subprocess.run([sys.executable, str(HERE / "gen.py"), "--out", str(d2), "--rows", "200", "--seed", "3"],
                       check=True, capture_output=True, env={**os.environ, "PYTHONHASHSEED": "123"})
        for name in ("customers.csv", "customers.jsonl", "customers.parquet", "labels.json"):
            assert (d / name).read_bytes() == (d2 / name).read_bytes(), f"{name} not deterministic"

        # Header styles keep the same structure.
        for style in ("camel", "title", "upper"):
            ds = Path(tmp) / style
            gen(ds, "--rows", "20", "--seed", "3", "--header-style", style, "--formats", "csv,jsonl")
            ls = json.loads((ds / "labels.json").read_text())
            assert list(ls["jsonl"]["columns"].values()) == list(labels["jsonl"]["columns"].values())
            print(f"{style}: {list(ls['jsonl']['columns'])[5:9]}")

        for fmt in ("csv", "jsonl", "parquet"):
            lab = labels[fmt]
            report, findings = perfect_outputs(lab, fmt, 200)

            # 1. Perfect answer.
            s, _ = run_score(d, fmt, report, findings)
            assert s["columns"]["accuracy"] == 1.0
            assert s["columns"]["lookalike_flagged"] == 0
            for mode in ("strict", "lenient"):
                assert s["spans"]["total"][mode]["f1"] == 1.0, s["spans"]["total"]

            # 2. Perturbed answer with known mistakes.
            cols = report["files"][0]["columns"]
            by_name = {c["column"]: c for c in cols}
            personal = [c for c, e in lab["columns"].items() if e]
            lookalike = [c for c, e in lab["columns"].items() if e is None and c not in lab["free_text_columns"]]
            by_name[personal[0]]["entity"] = None  # missed personal column
            by_name[personal[1]]["entity"] = "LOCATION" if lab["columns"][personal[1]] != "LOCATION" else "PERSON"
            by_name[lookalike[0]]["entity"] = "ACCOUNT_NUMBER"  # false alarm
            cols.remove(by_name[personal[2]])  # column missing from the report

            f = [dict(x) for x in findings]
            n = len(f)
            dropped = f[0::10]  # 10% missed entirely
            shifted = f[1::10]  # off by one byte: strict miss, lenient hit
            for x in shifted:
                x["end"] -= 1
            kept = [x for i, x in enumerate(f) if i % 10 != 0]
            extra = [dict(kept[0], entity="DATE_OF_BIRTH")]  # pure false positive (new entity)
            split = dict(kept[2])  # duplicate-ish overlapping finding: lenient FP
            split["start"] += 1
            s, text = run_score(d, fmt, report, kept + extra + [split])

            c = s["columns"]
            total = len(c["rows"])
            assert c["personal_right"] == c["personal_total"] - 3, c
            assert c["lookalike_flagged"] == 1
            assert c["missing"] == [personal[2]]
            assert abs(c["accuracy"] - (total - 4) / total) < 1e-9
            st, le = s["spans"]["total"]["strict"], s["spans"]["total"]["lenient"]
            assert st["tp"] == n - len(dropped) - len(shifted), st
            assert le["tp"] == n - len(dropped), le
            assert le["fp"] == 2 and le["fn"] == len(dropped), le
            assert st["fp"] == len(shifted) + 2, st
            assert s["spans"]["entities"]["DATE_OF_BIRTH"]["lenient"]["precision"] == 0.0
            assert "**NO**" in text and "Overall column accuracy" in text
            print(f"{fmt}: perfect=100%, perturbed column accuracy {c['accuracy']:.1%}, "
                  f"span F1 strict {st['f1']:.3f} lenient {le['f1']:.3f}")
        print("selftest OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
