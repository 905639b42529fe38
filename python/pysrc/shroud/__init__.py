"""shroud: find personal data in Arrow batches and Spark DataFrames, pseudonymize it with
keyed tokens identical to the ``shroud`` CLI's, and publish aggregates with small-group
suppression.

* :mod:`shroud.arrow`: the pure-Arrow API (``pyarrow.RecordBatch`` in and out).
* :mod:`shroud.spark`: ``scan``, ``pseudonymize`` and ``aggregate`` for Spark DataFrames
  (imported on demand: it needs ``pyspark``).

See ``python/README.md`` for a tour.
"""

from .arrow import (
    AggregateState,
    Aggregation,
    KeyRef,
    Policy,
    Pseudonymizer,
    ScanState,
    ShroudError,
    aggregate_batches,
    output_schema,
    pseudonymize_table,
    scan_batch,
    scan_batches,
)

__all__ = [
    "AggregateState",
    "Aggregation",
    "KeyRef",
    "Policy",
    "Pseudonymizer",
    "ScanState",
    "ShroudError",
    "aggregate_batches",
    "output_schema",
    "pseudonymize_table",
    "scan_batch",
    "scan_batches",
]
