"""Round trips (issue 19): tables written by pandas, polars, DuckDB and pyarrow go through
`shroud pseudonymize`, `check` and `aggregate`, and come back through the tool that wrote them.

For every writer and format it checks that the output loads with that tool, that untouched
columns are equal in value and type, that no personal value is left, that tokens join across
formats and writers, that `shroud check` passes the output, and that `aggregate` agrees with
DuckDB's GROUP BY. Run by python/ci.sh (so by .ci/run) against the debug binary:

    SHROUD_BIN=target/debug/shroud target/py-venv/bin/python -m pytest tests/roundtrip

(target/py-venv is made by python/ci.sh.)
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import os
import subprocess
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("SHROUD_BIN", str(ROOT / "target" / "debug" / "shroud"))
N = 240

FIRST = ["Anna", "Lukas", "Marie", "Jonas", "Sophie", "Paul", "Emma", "Felix", "Julia",
         "Noah", "Olivia", "Liam", "Chloé", "Hugo", "Lucía", "Mateo", "Giulia", "Lorenzo",
         "Sanne", "Daan"]
LAST = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Dubois", "Martin", "Bernard",
        "García", "Fernández", "Rossi", "Russo", "Jansen", "Smith", "Johnson", "Brown",
        "Taylor", "Wilson", "Davies", "Evans"]
PLANS = ["retail", "wholesale", "online", "partner"]


def ascii_fold(s: str) -> str:
    table = str.maketrans("éíüá", "eiua")
    return s.translate(table).lower()


def phone(i: int) -> tuple[str, int]:
    """A number as a German customer table writes it (domestic numbers nationally, now and
    then with +49; foreign numbers with their country code), and the same number as an int64
    column holds it (E.164 digits, no `+`)."""
    if i % 4 != 3:  # German mobile, 0151 + 8 digits
        sub = f"{2000000 + i * 37:08d}"
        text = f"+49 151 {sub[:4]} {sub[4:]}" if i % 8 == 0 else f"0151 {sub}"
        return text, int(f"49151{sub}")
    k = (i // 4) % 3
    if k == 0:  # France, mobile 6 + 8 digits
        sub = f"{12000000 + i * 53:08d}"
        pairs = " ".join(sub[j:j + 2] for j in range(0, 8, 2))
        return f"+33 6 {pairs}", int(f"336{sub}")
    if k == 1:  # United Kingdom, mobile 7911 + 6 digits
        sub = f"{100000 + i * 41:06d}"
        return f"+44 7911 {sub}", int(f"447911{sub}")
    sub = f"{i * 7 % 10000:04d}"  # United States
    return f"+1 415-253-{sub}", int(f"1415253{sub}")


def people(n: int = N) -> list[dict]:
    rows = []
    for i in range(n):
        first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
        name = f"{first} {last}"
        email = f"{ascii_fold(first)}.{ascii_fold(last).replace(' ', '')}{i}@example.com"
        text, e164 = phone(i)
        dob = dt.date(1950 + i % 50, 1 + i % 12, 2 + i % 27)  # never the first of a month
        rows.append({
            "id": i + 1,
            "name": name,
            "email": email,
            "phone": text,
            "phone_e164": e164,
            "dob": dob,
            "plan": PLANS[i % len(PLANS)],
            "amount": decimal.Decimal(f"{(i * 1234) % 100000 / 100:.2f}"),
            "score": round(0.5 + (i % 97) / 97, 6),
            "visits": (i * 13) % 250,
            "created_at": dt.datetime(2024, 1 + i % 12, 1 + i % 28, i % 24, i % 60, 0),
            "active": i % 3 != 0,
            "note": (f"called {name} back on {text}, mail {email}" if i % 5 == 0
                     else f"order {1000 + i} shipped"),
        })
    return rows


ROWS = people()
PERSONAL = (
    [r["name"] for r in ROWS] + [r["email"] for r in ROWS] + [r["phone"] for r in ROWS]
    + [str(r["phone_e164"]) for r in ROWS] + [r["dob"].isoformat() for r in ROWS]
)
# Columns no operator touches under the default policy: equal in value and type after.
UNTOUCHED = ["id", "plan", "amount", "score", "visits", "created_at", "active"]


def shroud(*args: str, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
    p = subprocess.run([BIN, *args], capture_output=True, text=True)
    assert p.returncode in ok, f"shroud {' '.join(args)} -> {p.returncode}\n{p.stderr}"
    return p


@pytest.fixture(scope="module")
def key(tmp_path_factory) -> str:
    k = tmp_path_factory.mktemp("key") / "k.key"
    shroud("keygen", str(k))
    return str(k)


def frame() -> pd.DataFrame:
    df = pd.DataFrame(ROWS)
    df["dob"] = pd.to_datetime(df["dob"])
    df["created_at"] = pd.to_datetime(df["created_at"])
    df["amount"] = df["amount"].astype(float)
    return df


def arrow_table() -> pa.Table:
    schema = pa.schema([
        pa.field("id", pa.int64(), nullable=False),
        pa.field("name", pa.string()),
        pa.field("email", pa.string(), nullable=False),
        pa.field("phone", pa.string()),
        pa.field("phone_e164", pa.int64()),
        pa.field("dob", pa.date32()),
        pa.field("plan", pa.string(), nullable=False, metadata={"comment": "sales plan"}),
        pa.field("amount", pa.decimal128(10, 2)),
        pa.field("score", pa.float64()),
        pa.field("visits", pa.int32()),
        pa.field("created_at", pa.timestamp("us")),
        pa.field("active", pa.bool_()),
        pa.field("note", pa.string()),
        pa.field("tags", pa.list_(pa.string())),
    ], metadata={"owner": "roundtrip-suite"})
    cols = {f.name: [r.get(f.name) for r in ROWS] for f in schema if f.name != "tags"}
    cols["tags"] = [["vip", r["email"]] if r["id"] % 7 == 0 else ["newsletter"] for r in ROWS]
    return pa.Table.from_pydict(cols, schema=schema)


# Writers: each writes the table in the formats it supports and reads files back.

def write_pandas(d: Path) -> None:
    df = frame()
    df.to_csv(d / "people.csv", index=False)
    # pandas' default for to_json: dates as epoch milliseconds.
    df.to_json(d / "people.jsonl", orient="records", lines=True)
    df.set_index("id").to_parquet(d / "people.parquet")


def read_pandas(p: Path) -> pd.DataFrame:
    if p.suffix == ".csv":
        return pd.read_csv(p)
    if p.suffix == ".jsonl":
        return pd.read_json(p, orient="records", lines=True)
    return pd.read_parquet(p).reset_index()


def write_polars(d: Path) -> None:
    df = pl.from_pandas(frame())
    df.write_csv(d / "people.csv")
    df.write_ndjson(d / "people.jsonl")
    df.write_parquet(d / "people.parquet")


def read_polars(p: Path) -> pl.DataFrame:
    if p.suffix == ".csv":
        return pl.read_csv(p)
    if p.suffix == ".jsonl":
        return pl.read_ndjson(p)
    return pl.read_parquet(p)


def write_duckdb(d: Path) -> None:
    con = duckdb.connect()
    tbl = arrow_table().drop_columns(["tags"])
    con.register("t", tbl)
    for name, opts in [("people.csv", "(HEADER)"), ("people.parquet", "(FORMAT parquet)"),
                       ("people.jsonl", "(FORMAT json)")]:
        con.execute(f"COPY t TO '{d / name}' {opts}")


def read_duckdb(p: Path) -> pa.Table:
    con = duckdb.connect()
    fn = {".csv": "read_csv", ".jsonl": "read_json", ".parquet": "read_parquet"}[p.suffix]
    return con.execute(f"SELECT * FROM {fn}('{p}')").to_arrow_table()


def write_pyarrow(d: Path) -> None:
    pq.write_table(arrow_table(), d / "people.parquet", row_group_size=100, version="2.6",
                   compression="zstd")


def read_pyarrow(p: Path) -> pa.Table:
    return pq.read_table(p)


WRITERS = {
    "pandas": (write_pandas, read_pandas),
    "polars": (write_polars, read_polars),
    "duckdb": (write_duckdb, read_duckdb),
    "pyarrow": (write_pyarrow, read_pyarrow),
}


def columns_of(t) -> dict[str, tuple[list, str]]:
    """Column -> (values, type name), whatever the tool's frame type."""
    if isinstance(t, pd.DataFrame):
        return {c: (t[c].tolist(), str(t[c].dtype)) for c in t.columns}
    if isinstance(t, pl.DataFrame):
        return {c: (t[c].to_list(), str(t[c].dtype)) for c in t.columns}
    return {f.name: (t.column(f.name).to_pylist(), str(f.type)) for f in t.schema}


@pytest.fixture(scope="module")
def runs(tmp_path_factory, key) -> dict:
    """Per writer: its input folder, its output folder (pseudonymized with one key)."""
    out = {}
    for name, (write, _) in WRITERS.items():
        base = tmp_path_factory.mktemp(name)
        src, dst = base / "in", base / "out"
        src.mkdir()
        write(src)
        # A German customer table: its national numbers are German, as the run says (a
        # token never depends on which other rows share a file).
        shroud("pseudonymize", str(src), "--out-dir", str(dst), "--key-file", key, "-q",
               "--phone-region", "DE")
        out[name] = (src, dst)
    return out


def cases():
    return [(w, f) for w in WRITERS for f in ("csv", "jsonl", "parquet")
            if not (w == "pyarrow" and f != "parquet")]


@pytest.mark.parametrize("writer,fmt", cases())
def test_output_loads_with_the_writer_and_untouched_columns_are_equal(runs, writer, fmt):
    src, dst = runs[writer]
    read = WRITERS[writer][1]
    before = columns_of(read(src / f"people.{fmt}"))
    after = columns_of(read(dst / f"people.{fmt}"))
    assert list(after) == list(before), "column names and order"
    for c in UNTOUCHED:
        if c in before:
            assert after[c][1] == before[c][1], f"{c}: type {before[c][1]} -> {after[c][1]}"
            assert after[c][0] == before[c][0], f"{c}: values changed"
    assert len(after["id"][0]) == N


@pytest.mark.parametrize("writer,fmt", cases())
def test_no_personal_value_is_left(runs, writer, fmt):
    _, dst = runs[writer]
    raw = (dst / f"people.{fmt}").read_bytes()
    if fmt == "parquet":
        # Values are compressed in the file: look at what a reader gets.
        t = pq.read_table(dst / f"people.{fmt}")
        raw = json.dumps(t.to_pylist(), default=str).encode()
    text = raw.decode("utf-8", "replace")
    left = [v for v in PERSONAL if v in text]
    assert not left, f"{len(left)} personal values left, e.g. {left[:3]}"


def tokens(writer: str, fmt: str, runs, column: str) -> list[str]:
    _, dst = runs[writer]
    t = pq.read_table(dst / f"people.{fmt}") if fmt == "parquet" else None
    if fmt == "csv":
        df = pd.read_csv(dst / f"people.{fmt}", dtype=str)
    elif fmt == "jsonl":
        df = pd.read_json(dst / f"people.{fmt}", orient="records", lines=True, dtype=False)
    else:
        df = t.to_pandas().reset_index()
    df["id"] = df["id"].astype(int)
    return [str(v) for v in df.sort_values("id")[column].tolist()]


def test_tokens_join_across_formats_and_writers(runs):
    first = None
    for w, f in cases():
        emails = tokens(w, f, runs, "email")
        assert all(e.endswith("@pseudo.invalid") for e in emails), (w, f, emails[:2])
        if first is None:
            first = emails
        assert emails == first, f"{w} {f}: email tokens differ"


@pytest.mark.parametrize("writer,fmt", cases())
def test_a_phone_joins_whatever_its_layout_or_type(runs, writer, fmt):
    # The same number written "+49 151 ...", "0151 ..." and as int64 49151... is one token.
    text = tokens(writer, fmt, runs, "phone")
    ints = tokens(writer, fmt, runs, "phone_e164")
    differ = [(a, b) for a, b in zip(text, ints) if a != b]
    assert not differ, f"{len(differ)} of {len(text)} rows differ, e.g. {differ[:2]}"


@pytest.mark.parametrize("writer", list(WRITERS))
def test_check_passes_the_output(runs, writer):
    _, dst = runs[writer]
    p = shroud("check", str(dst), ok=(0, 1))
    assert p.returncode == 0, p.stdout + p.stderr


@pytest.mark.parametrize("writer", ["pandas", "polars", "duckdb", "pyarrow"])
def test_a_parquet_output_folder_opens_as_a_dataset(tmp_path, key, writer):
    # A folder of Parquet parts, as Spark or a partitioned export writes it: its output,
    # manifest included, opens as one dataset in every reader.
    src, dst = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    part = tmp_path / "w"
    part.mkdir()
    WRITERS[writer][0](part)
    for i in range(2):
        (src / f"part-{i}.parquet").write_bytes((part / "people.parquet").read_bytes())
    shroud("pseudonymize", str(src), "--out-dir", str(dst), "--key-file", key, "-q")
    # A second release in the same outbox (day 2 beside day 1).
    day2 = tmp_path / "day2"
    day2.mkdir()
    (day2 / "part-2.parquet").write_bytes((part / "people.parquet").read_bytes())
    shroud("pseudonymize", str(day2), "--out-dir", str(dst), "--key-file", key, "--append", "-q")
    assert (dst / "_shroud_manifest.json").exists()
    # Each reader exactly as the README shows it.
    assert pq.read_table(dst).num_rows == 3 * N
    assert ds.dataset(dst, format="parquet").to_table().num_rows == 3 * N
    assert len(pd.read_parquet(dst)) == 3 * N
    assert pl.scan_parquet(str(dst / "**" / "*.parquet")).collect().height == 3 * N
    con = duckdb.connect()
    assert con.execute(f"SELECT count(*) FROM read_parquet('{dst}/**/*.parquet')").fetchone()[0] == 3 * N


def test_pandas_parquet_keeps_its_named_index(runs):
    src, dst = runs["pandas"]
    assert pd.read_parquet(dst / "people.parquet").index.name == "id"


def test_pyarrow_parquet_schema_is_kept_where_nothing_changed(runs):
    src, dst = runs["pyarrow"]
    a, b = pq.ParquetFile(src / "people.parquet"), pq.ParquetFile(dst / "people.parquet")
    assert b.metadata.format_version == a.metadata.format_version
    assert b.metadata.num_row_groups == a.metadata.num_row_groups
    assert b.schema_arrow.metadata.get(b"owner") == b"roundtrip-suite"
    for name in UNTOUCHED:
        fa, fb = a.schema_arrow.field(name), b.schema_arrow.field(name)
        assert fb.type == fa.type, name
        assert fb.nullable == fa.nullable, name
        assert fb.metadata == fa.metadata, name
        i = a.schema_arrow.get_field_index(name)
        ca, cb = a.metadata.row_group(0).column(i), b.metadata.row_group(0).column(i)
        assert cb.physical_type == ca.physical_type, name
        assert cb.compression == ca.compression, name
        sa, sb = ca.statistics, cb.statistics
        assert (sb is not None and sb.has_min_max) == (sa is not None and sa.has_min_max), name
    # Tokenized columns keep their nullability.
    assert b.schema_arrow.field("email").nullable is False


def test_birth_dates_written_as_epoch_milliseconds_are_found(runs):
    src, dst = runs["pandas"]
    before = pd.read_json(src / "people.jsonl", orient="records", lines=True)
    after = pd.read_json(dst / "people.jsonl", orient="records", lines=True)
    assert str(after["dob"].dtype) == str(before["dob"].dtype)
    changed = (after["dob"] != before["dob"]).sum()
    assert changed == N, f"only {changed} of {N} birth dates changed"


@pytest.mark.parametrize("writer,fmt", [("pandas", "csv"), ("polars", "parquet"),
                                        ("duckdb", "jsonl"), ("pyarrow", "parquet")])
def test_aggregate_agrees_with_duckdb_group_by(runs, tmp_path, writer, fmt):
    src, _ = runs[writer]
    f = src / f"people.{fmt}"
    out = tmp_path / "agg.csv"
    shroud("aggregate", str(f), "--group-by", "plan", "--metric", "count",
           "--metric", "sum:amount", "--min-group-size", "10", "--output", str(out), "-q")
    ours = pd.read_csv(out)
    reader = {"csv": "read_csv", "jsonl": "read_json", "parquet": "read_parquet"}[fmt]
    theirs = duckdb.connect().execute(
        f"SELECT plan, count(*) AS n, sum(amount) AS s FROM {reader}('{f}') "
        "GROUP BY plan HAVING count(*) >= 10 ORDER BY plan").fetchall()
    ours = ours.sort_values("plan")
    count_col = [c for c in ours.columns if c.startswith("count")][0]
    sum_col = [c for c in ours.columns if c.startswith("sum")][0]
    assert list(ours["plan"]) == [t[0] for t in theirs]
    assert list(ours[count_col]) == [t[1] for t in theirs]
    for a, (_, _, s) in zip(ours[sum_col], theirs):
        assert abs(float(a) - float(s)) < 0.005, (a, s)
