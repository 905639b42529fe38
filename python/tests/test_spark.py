"""shroud.spark on a real two-executor cluster (``local-cluster[2,1,1024]``), checked against
the ``shroud`` CLI on the same generated table and key.

Needs the wheel installed with pyspark and Java 17; ``SHROUD_BIN`` names the CLI binary
(default: ``target/debug/shroud``, which ``cargo test`` builds). Everything listens on
127.0.0.1.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import shroud.spark as ss
from shroud.arrow import KeyRef

REPO = Path(__file__).resolve().parents[2]
SHROUD = os.environ.get("SHROUD_BIN", str(REPO / "target" / "debug" / "shroud"))
ROWS = 3000
KEY_HEX = "6b0e2f1c9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c"
# What the executors find in SHROUD_TEST_KEY: another key, a misconfigured cluster.
WRONG_KEY_HEX = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

FIRST = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda",
         "David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
        "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Martin", "Jackson", "White"]


def luhn_complete(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return digits + str((10 - total % 10) % 10)


def generate(path: Path) -> pa.Table:
    """A synthetic customer table (fixed seed), written as Parquet in three row groups."""
    rnd = random.Random(20261129)
    rows = []
    for i in range(ROWS):
        first, last = rnd.choice(FIRST), rnd.choice(LAST)
        phone = f"+44 20 7946 0{rnd.randrange(1000):03d}"
        rows.append(
            {
                "row_id": i,
                "full_name": f"{first} {last}",
                "email": f"{first.lower()}.{last.lower()}{i}@example.com",
                "phone": phone,
                "card_number": luhn_complete("4" + "".join(str(rnd.randrange(10)) for _ in range(14))),
                "birth_date": date(1950, 1, 1) + timedelta(days=rnd.randrange(20000)),
                "region": ["north", "south", "east", "west", "central"][i % 5],
                "plan": "enterprise" if i % 97 == 0 else ("pro" if i % 7 == 0 else "basic"),
                "amount": rnd.randrange(500),
                "notes": f"Customer asked us to call {first} {last} at {phone} about the last invoice",
            }
        )
    table = pa.Table.from_pylist(rows)
    pq.write_table(table, path, row_group_size=1000)
    return table


def run_cli(*args: str) -> subprocess.CompletedProcess:
    # Tests compare seeded noise; users must opt in to it.
    env = {**os.environ, "SHROUD_ALLOW_SEEDED_NOISE": "1"}
    proc = subprocess.run([SHROUD, *args], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, f"shroud {' '.join(args)}: {proc.stderr}"
    return proc


@pytest.fixture(scope="session")
def data(tmp_path_factory):
    if not Path(SHROUD).exists():
        pytest.fail(f"the shroud CLI is not at {SHROUD}: run cargo test (or set SHROUD_BIN)")
    d = tmp_path_factory.mktemp("shroud")
    src = d / "in"
    src.mkdir()
    table = generate(src / "people.parquet")
    key = d / "test.key"
    key.write_text(KEY_HEX + "\n")
    key.chmod(0o600)
    return {"dir": d, "parquet": src / "people.parquet", "table": table, "key": key}


@pytest.fixture(scope="session")
def spark():
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    # Executors start their Python workers with this interpreter (the venv with shroud);
    # the builder's spark.pyspark.python is ignored, the environment variable is not.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    os.environ.pop("SHROUD_TEST_KEY", None)
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local-cluster[2,1,1024]")
        .appName("shroud-spark-test")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.memory", "1g")
        .config("spark.executor.memory", "768m")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.task.maxFailures", "1")
        .config("spark.executorEnv.SHROUD_TEST_KEY", WRONG_KEY_HEX)
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def df(spark, data):
    # Four partitions spread over both executors.
    return spark.read.parquet(str(data["parquet"])).repartition(4)


@pytest.fixture(scope="session")
def cli_report(data):
    out = data["dir"] / "report.json"
    run_cli("scan", str(data["parquet"]), "--report", str(out), "-q")
    return json.loads(out.read_text())["files"][0]["columns"]


def test_scan_verdicts_equal_the_cli(df, cli_report):
    report = ss.scan(df)
    ours = {c["column"]: c["entity"] for c in report}
    theirs = {c["column"]: c["entity"] for c in cli_report}
    assert ours == theirs
    assert ours["email"] == "EMAIL_ADDRESS"
    assert ours["phone"] == "PHONE_NUMBER"
    assert ours["card_number"] == "CREDIT_CARD"
    assert ours["full_name"] == "PERSON"
    assert {c["column"]: c["non_empty"] for c in report} == {
        c["column"]: c["non_empty"] for c in cli_report
    }
    free = {c["column"] for c in report if c["free_text"]}
    assert free == {c["column"] for c in cli_report if c["free_text"]}


def read_sorted(path: Path) -> pa.Table:
    t = pq.read_table(str(path)) if path.is_file() else pq.ParquetDataset(str(path)).read()
    return t.sort_by("row_id")


def test_pseudonymize_tokens_equal_the_cli(df, data):
    cli_out = data["dir"] / "cli_out"
    run_cli("pseudonymize", str(data["parquet"]), "--out-dir", str(cli_out),
            "--key-file", str(data["key"]), "-q")
    cli_files = sorted(cli_out.rglob("*.parquet"))
    assert len(cli_files) == 1, cli_files
    cli = read_sorted(cli_files[0])

    spark_out = data["dir"] / "spark_out"
    ss.pseudonymize(df, key=KeyRef.file(data["key"])).write.mode("overwrite").parquet(str(spark_out))
    ours = read_sorted(spark_out)

    assert ours.num_rows == cli.num_rows == ROWS
    assert ours.column_names == cli.column_names
    for name in ours.column_names:
        a = ours.column(name).cast(pa.string()).to_pylist()
        b = cli.column(name).cast(pa.string()).to_pylist()
        assert a == b, f"column {name} differs from the CLI's"
    emails = ours.column("email").to_pylist()
    assert all(e.endswith("@pseudo.invalid") for e in emails)
    assert len(set(emails)) == ROWS

    # No raw personal value survives anywhere in the output.
    raw = data["table"]
    secrets = set()
    for col in ("email", "phone", "card_number", "full_name"):
        secrets.update(str(v) for v in raw.column(col).to_pylist())
    # A birth date is generalized to January 1st of its year: one that was already January 1st
    # is its own generalization, not a leak.
    secrets.update(
        str(v) for v in raw.column("birth_date").to_pylist() if not str(v).endswith("-01-01")
    )
    cells = [
        str(v)
        for name in ours.column_names
        for v in ours.column(name).to_pylist()
        if v is not None
    ]
    leaked = [s for s in secrets if any(s in c for c in cells)]
    assert leaked == []


def test_spark_opens_the_cli_output_folder_as_it_is(spark, data):
    # The output folder as shroud leaves it, manifest and two releases included: Spark skips
    # the `_`-prefixed manifest as it skips its own _SUCCESS.
    src = data["dir"] / "parts"
    src.mkdir()
    (src / "a.parquet").write_bytes(data["parquet"].read_bytes())
    out = data["dir"] / "outbox"
    run_cli("pseudonymize", str(src), "--out-dir", str(out), "--key-file", str(data["key"]), "-q")
    day2 = data["dir"] / "day2"
    day2.mkdir()
    (day2 / "b.parquet").write_bytes(data["parquet"].read_bytes())
    run_cli("pseudonymize", str(day2), "--out-dir", str(out), "--key-file", str(data["key"]),
            "--append", "-q")
    assert (out / "_shroud_manifest.json").exists()
    assert spark.read.parquet(str(out)).count() == 2 * ROWS


def test_wrong_key_on_an_executor_fails_the_job(df, data):
    # The driver holds the right key; the executors' SHROUD_TEST_KEY holds another one.
    os.environ["SHROUD_TEST_KEY"] = KEY_HEX
    try:
        ref = KeyRef.env("SHROUD_TEST_KEY")
        assert ref.fingerprint() == KeyRef.file(data["key"]).fingerprint()
        with pytest.raises(Exception) as failure:
            ss.pseudonymize(df, key=ref).write.mode("overwrite").parquet(
                str(data["dir"] / "wrong_out")
            )
    finally:
        del os.environ["SHROUD_TEST_KEY"]
    message = str(failure.value)
    assert "key fingerprint mismatch" in message
    assert KEY_HEX not in message and WRONG_KEY_HEX not in message


def cli_aggregate(data, name: str, *extra: str) -> dict:
    out = data["dir"] / name
    run_cli("aggregate", str(data["parquet"]), "--group-by", "region,plan",
            "--metric", "count", "--metric", "sum:amount", "--output", str(out), "-q", *extra)
    return json.loads(out.read_text())


def as_rows(groups: list) -> list:
    return [(g["region"], g["plan"], g["count"], float(g["sum_amount"])) for g in groups]


def test_aggregate_equals_the_cli(df, data):
    cli = cli_aggregate(data, "agg.json", "--totals")
    res = ss.aggregate(df, ["region", "plan"], ["count", "sum:amount"], totals=True)
    assert as_rows(res.table.to_pylist()) == as_rows(cli["groups"])
    assert res.meta["suppressed"] == cli["suppressed"] > 0
    assert res.meta["rows_read"] == ROWS
    # Enterprise groups are smaller than 10 in every region: none is published.
    assert all(r["plan"] != "enterprise" for r in res.table.to_pylist())


def test_aggregate_with_seeded_noise_equals_the_cli(df, data):
    cli = cli_aggregate(data, "agg_dp.json", "--epsilon", "1", "--clamp", "amount=0:500",
                        "--seed", "7")
    res = ss.aggregate(df, ["region", "plan"], ["count", "sum:amount"], epsilon=1.0,
                       clamps={"amount": (0, 500)}, seed=7)
    assert as_rows(res.table.to_pylist()) == as_rows(cli["groups"])
    assert res.meta["epsilon"] == cli["epsilon"] == 1.0


def test_aggregate_refuses_direct_identifiers(df):
    with pytest.raises(ss.ShroudError, match="refusing to group by email"):
        ss.aggregate(df, ["email"])
