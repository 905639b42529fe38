"""shroud.spark on Spark Connect: the same calls, no SparkContext, same tokens."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa

from shroud.arrow import KeyRef, pseudonymize_table

KEY_HEX = "3c9e51a07f2b8d64e1a5c03b97f8d2460b1e7a93c5d8f2064a7e1b9c3d5f8a02"


def test_scan_pseudonymize_aggregate_on_spark_connect():
    env = dict(os.environ)
    env.update(
        SPARK_LOCAL_IP="127.0.0.1",
        PYSPARK_PYTHON=sys.executable,
        SHROUD_CONNECT_TEST_KEY=KEY_HEX,
    )
    job = Path(__file__).with_name("connect_job.py")
    proc = subprocess.run(
        [sys.executable, str(job), "SHROUD_CONNECT_TEST_KEY"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["verdicts"]["email"] == "EMAIL_ADDRESS"
    # The tokens the Connect job wrote are those of the Arrow API with the same key.
    os.environ["SHROUD_CONNECT_TEST_KEY"] = KEY_HEX
    try:
        emails = [f"user{i}@example.com" for i in range(200)]
        table = pa.table({"row_id": list(range(200)), "email": emails})
        local = pseudonymize_table(table, KeyRef.env("SHROUD_CONNECT_TEST_KEY"))
    finally:
        del os.environ["SHROUD_CONNECT_TEST_KEY"]
    assert result["emails"] == local.column("email").to_pylist()
    # 100 rows per region, under the bound of 150: both groups suppressed.
    assert result["groups"] == [] and result["suppressed"] == 2
