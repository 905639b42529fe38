"""Runs shroud.spark on Spark Connect (a local Connect server on 127.0.0.1:15002) and
prints the results as one JSON line. Started by test_connect.py in its own process: a
Connect session and the classic cluster of test_spark.py cannot share one."""

import json
import sys

from pyspark.sql import SparkSession

import shroud.spark as ss
from shroud.arrow import KeyRef

spark = (
    SparkSession.builder.remote("local[2]")
    .config("spark.driver.host", "127.0.0.1")
    .config("spark.driver.bindAddress", "127.0.0.1")
    .config("spark.connect.grpc.binding.address", "127.0.0.1")
    .getOrCreate()
)
assert type(spark).__module__.startswith("pyspark.sql.connect"), type(spark)
rows = [(i, f"user{i}@example.com", ["north", "south"][i % 2]) for i in range(200)]
df = spark.createDataFrame(rows, "row_id long, email string, region string")
verdicts = {c["column"]: c["entity"] for c in ss.scan(df)}
out = ss.pseudonymize(df, key=KeyRef.env(sys.argv[1])).orderBy("row_id").collect()
agg = ss.aggregate(df, ["region"], min_group_size=150)
print(
    json.dumps(
        {
            "verdicts": verdicts,
            "emails": [r["email"] for r in out],
            "groups": agg.table.to_pylist(),
            "suppressed": agg.meta["suppressed"],
        }
    )
)
spark.stop()
