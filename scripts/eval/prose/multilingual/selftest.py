#!/usr/bin/env python3
"""Self-test of score.py with fake "pseudonymized" outputs (no shroud needed).

    python3 scripts/eval/prose/multilingual/selftest.py [dev|test] [--keep]

Builds several rewrites of the split's CSV by hand (nothing changed, every span
replaced by a token, whole cells replaced, only first names replaced, phones
re-formatted, ids rewritten, ...) and a findings file equal to the gold spans,
runs score.py --json on each and checks the numbers it must give.  Exit 1 on
the first failure.  Standard library only.
"""
from __future__ import annotations

import csv
import hashlib
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCORE = HERE / "score.py"


def token(value: str, label: str) -> str:
    return f"{label.lower()}_{hashlib.sha256(value.encode()).hexdigest()[:16]}"


def rewrite(rec: dict, fn) -> str:
    """Apply fn(value, label) -> replacement to every span, right to left."""
    t = rec["text"]
    for s in sorted(rec["spans"], key=lambda s: -s["start"]):
        t = t[:s["start"]] + fn(t[s["start"]:s["end"]], s["label"]) + t[s["end"]:]
    return t


def write_csv(path: Path, recs: list[dict], texts: list[str], ids=None) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")  # CRLF on purpose: the scorer must not care
        w.writerow(["id", "lang", "notes"])
        for i, (r, t) in enumerate(zip(recs, texts)):
            w.writerow([ids[i] if ids else r["id"], r["lang"], t.replace("\n", "\r\n")])


def run(*args: str) -> dict:
    p = subprocess.run([sys.executable, str(SCORE), *args, "--json"], capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"score.py {' '.join(args)} failed ({p.returncode}):\n{p.stderr}")
    return json.loads(p.stdout)


def check(name: str, cond: bool, detail: str = "") -> None:
    print(f"{'ok  ' if cond else 'FAIL'} {name}{': ' + detail if detail and not cond else ''}")
    if not cond:
        raise SystemExit(1)


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--keep"]
    split = args[0] if args else "dev"
    gold_path = HERE / f"{split}.jsonl"
    if not gold_path.exists():
        raise SystemExit(f"{gold_path} is missing: run build.py first")
    recs = [json.loads(l) for l in gold_path.read_text(encoding="utf-8").splitlines()]
    n_spans = sum(len(r["spans"]) for r in recs)
    keep = "--keep" in sys.argv
    tmpdir = tempfile.TemporaryDirectory(prefix="prose-selftest-")
    tmp = Path(tmpdir.name)
    g = str(gold_path)

    # 1. the tool changed nothing: every span is left whole, every word kept
    write_csv(tmp / "same.csv", recs, [r["text"] for r in recs])
    out = run(g, str(tmp / "same.csv"))
    a = out["residual"]["all"]["ALL"]
    check("unchanged: every span residual (exact and any)", a["n"] == n_spans and a["exact"] == n_spans and a["any"] == n_spans, str(a))
    k = out["kept"]["all"]
    check("unchanged: every non-personal word kept", k["kept"] == k["words"] > 0, str(k))
    check("unchanged: texts without PII unchanged", k["texts_without_pii_unchanged"] == k["texts_without_pii"] > 0, str(k))

    # 2. perfect: every span replaced by a token, nothing else touched
    write_csv(tmp / "perfect.csv", recs, [rewrite(r, token) for r in recs])
    out = run(g, str(tmp / "perfect.csv"))
    a = out["residual"]["all"]["ALL"]
    check("perfect: no residual span", a["any"] == 0 and a["exact"] == 0, str(a))
    k = out["kept"]["all"]
    check("perfect: every non-personal word kept", k["kept"] == k["words"], str(k))

    # 3. whole cells replaced: nothing left, nothing kept
    write_csv(tmp / "cells.csv", recs, [token(r["text"], "cell") for r in recs])
    out = run(g, str(tmp / "cells.csv"))
    a = out["residual"]["all"]["ALL"]
    k = out["kept"]["all"]
    check("whole cells: no residual span", a["any"] == 0, str(a))
    check("whole cells: no word kept", k["kept"] == 0 and k["texts_without_pii_unchanged"] == 0, str(k))

    # 4. PERSON: only the first word replaced -> every name with a later key word
    # leaks a part, none is left whole (a lone "Whitfield" replaced next to a
    # half-replaced "Rose Whitfield" must not count: the alignment places words)
    def first_only(v, lab):
        if lab != "PERSON":
            return token(v, lab)
        w = v.split(" ", 1)
        return token(w[0], lab) + (" " + w[1] if len(w) > 1 else "")

    filler = {"van", "der", "den", "del", "della", "dos", "das", "des", "ter"}
    write_csv(tmp / "first.csv", recs, [rewrite(r, first_only) for r in recs])
    out = run(g, str(tmp / "first.csv"))
    p = out["residual"]["all"]["PERSON"]
    multi = sum(1 for r in recs for s in r["spans"] if s["label"] == "PERSON"
                and " " in r["text"][s["start"]:s["end"]]
                and any(len(x) > 2 and x.lower() not in filler
                        for x in re.findall(r"\w+", r["text"][s["start"]:s["end"]].split(" ", 1)[1])))
    check("first word only: no PERSON residual whole", p["exact"] == 0, str(p))
    check("first word only: PERSON any-residual = names with a later word > 2 chars", p["any"] == multi, f"{p} vs {multi}")

    # 5. phones re-formatted to bare digits: not residual whole, residual by digits
    def digits(v, lab):
        return "+" + re.sub(r"\D", "", v) if lab == "PHONE" else token(v, lab)
    write_csv(tmp / "digits.csv", recs, [rewrite(r, digits) for r in recs])
    out = run(g, str(tmp / "digits.csv"))
    ph = out["residual"]["all"]["PHONE"]
    check("re-formatted phones: exact 0, any = all phones", ph["exact"] == 0 and ph["any"] == ph["n"] > 0, str(ph))
    o = out["residual"]["all"]["ALL"]
    check("re-formatted phones: nothing else residual", o["any"] == ph["n"], str(o))

    # 6. handles: '@' dropped but the name kept -> residual (any), not exact
    def no_at(v, lab):
        return v[1:] if lab == "HANDLE" else token(v, lab)
    write_csv(tmp / "handles.csv", recs, [rewrite(r, no_at) for r in recs])
    out = run(g, str(tmp / "handles.csv"))
    h = out["residual"]["all"]["HANDLE"]
    check("handles without @: exact 0, any = all", h["exact"] == 0 and h["any"] == h["n"] > 0, str(h))

    # 6b. addresses: only the street type left -> not residual; only the city left -> residual (any)
    def street_type(v, lab):
        return v.split(" ", 1)[0] + " " + token(v, lab) if lab == "ADDRESS" and v.split(" ", 1)[0] in (
            "Via", "Rua", "Calle", "rue", "Chemin") else token(v, lab)
    def city_left(v, lab):
        return token(v, lab) + " " + v.rsplit(" ", 1)[1] if lab == "ADDRESS" else token(v, lab)
    write_csv(tmp / "street.csv", recs, [rewrite(r, street_type) for r in recs])
    out = run(g, str(tmp / "street.csv"))
    ad = out["residual"]["all"]["ADDRESS"]
    check("address with only the street type left: not residual", ad["any"] == 0, str(ad))
    write_csv(tmp / "city.csv", recs, [rewrite(r, city_left) for r in recs])
    out = run(g, str(tmp / "city.csv"))
    ad = out["residual"]["all"]["ADDRESS"]
    # (the last word, usually the city; "Roma (RM)" leaves only "RM", too short to count)
    last = sum(1 for r in recs for s in r["spans"] if s["label"] == "ADDRESS"
               and any(len(w) > 2 for w in re.findall(r"\w+", r["text"][s["start"]:s["end"]].rsplit(" ", 1)[1])))
    check("address with only the last word left: residual (any) if it is > 2 chars, never exact",
          ad["any"] == last > 0 and ad["exact"] == 0, f"{ad} vs {last}")

    # 7. over-redaction: every capitalised non-personal word replaced
    def cap_tokens(r):
        # tokens from step 2 are lower case, so only original words are hit
        return re.sub(r"\w+", lambda m: "X" + m.group(0).lower() if m.group(0)[0].isupper() else m.group(0),
                      rewrite(r, token))
    write_csv(tmp / "caps.csv", recs, [cap_tokens(r) for r in recs])
    out = run(g, str(tmp / "caps.csv"))
    k = out["kept"]["all"]
    check("capitalised words replaced: capitalised kept ~0", k["capitalised_kept"] <= k["capitalised"] * 0.02, str(k))
    check("capitalised words replaced: lower-case words still kept", k["kept"] - k["capitalised_kept"] >= 0.98 * (k["words"] - k["capitalised"]), str(k))

    # 8. ids rewritten by the tool: rows matched by position, same result as perfect
    write_csv(tmp / "ids.csv", recs, [rewrite(r, token) for r in recs], ids=[token(r["id"], "id") for r in recs])
    out = run(g, str(tmp / "ids.csv"))
    check("rewritten ids: matched by position", out["residual"]["all"]["ALL"]["any"] == 0 and out["notes"], str(out["notes"]))

    # 9. one text missing: reported and skipped
    write_csv(tmp / "short.csv", recs[1:], [rewrite(r, token) for r in recs[1:]])
    out = run(g, str(tmp / "short.csv"))
    check("missing text: reported", out["missing"] == [recs[0]["id"]], str(out["missing"]))

    # 10. findings equal to the gold spans: strict P = R = 1; shifted by one byte: strict 0, overlap 1
    ent = {"PERSON": "PERSON", "EMAIL": "EMAIL_ADDRESS", "PHONE": "PHONE_NUMBER", "ADDRESS": "STREET_ADDRESS", "HANDLE": "HANDLE"}
    for name, shift in (("exact", 0), ("shifted", 1)):
        with (tmp / f"f-{name}.jsonl").open("w", encoding="utf-8") as f:
            for row, r in enumerate(recs):
                for s in r["spans"]:
                    b0 = len(r["text"][:s["start"]].encode())
                    b1 = len(r["text"][:s["end"]].encode())
                    f.write(json.dumps({"file": "dev.csv", "row": row, "column": "notes", "start": b0 + shift,
                                        "end": b1, "entity": ent[s["label"]], "rule": "x", "score": 1}) + "\n")
                f.write(json.dumps({"file": "dev.csv", "row": row, "column": "lang", "start": 0, "end": 2,
                                    "entity": "PERSON"}) + "\n")  # another column: ignored
    out = run(g, "--findings", str(tmp / "f-exact.jsonl"))
    s = out["findings"]["scores"]["all"]["PERSON"]
    check("findings = gold: PERSON strict P = R = 1", s["strict"]["precision"] == 1 and s["strict"]["recall"] == 1, str(s))
    out = run(g, "--findings", str(tmp / "f-shifted.jsonl"))
    s = out["findings"]["scores"]["all"]["PERSON"]
    check("findings shifted: strict 0, overlap P = R = 1",
          s["strict"]["recall"] == 0 and s["overlap"]["precision"] == 1 and s["overlap"]["recall"] == 1, str(s))

    # 11. the table output runs
    p = subprocess.run([sys.executable, str(SCORE), g, str(tmp / "caps.csv"), "--findings", str(tmp / "f-exact.jsonl"),
                        "--errors", "5", "--by", "lang-style"], capture_output=True, text=True)
    check("table output", p.returncode == 0 and "Residual personal data" in p.stdout, p.stderr)
    print(f"all checks passed ({split}: {len(recs)} texts, {n_spans} spans)")
    if keep:
        tmpdir._finalizer.detach()  # leave the files for a look
        print(f"files kept in {tmp}")


if __name__ == "__main__":
    main()
