"""shroud on Spark: scan, pseudonymize and aggregate DataFrames where they are.

Built on ``DataFrame.mapInArrow`` and ``collect`` only (no ``SparkContext``), so it works on
classic Spark and on Spark Connect. Executors need the ``shroud`` package (install it in the
Python environment that ``PYSPARK_PYTHON`` points to) and, to pseudonymize, the key where
the :class:`~shroud.arrow.KeyRef` says.

* :func:`scan`: each partition is scanned into a mergeable state, the driver merges them and
  decides the column verdicts, as ``shroud scan`` does for one file.
* :func:`pseudonymize`: a scan decides the columns (the CLI's first pass), then every
  partition is rewritten. The job carries the policy, the decisions, the key *reference* and
  the key's fingerprint, never the key: each executor reads the key itself and fails the
  job if its fingerprint differs. Tokens equal those of ``shroud pseudonymize``.
* :func:`aggregate`: partitions fold into groups, the driver merges them and suppresses
  small groups (and adds noise) once, with the semantics of ``shroud aggregate``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import pyarrow as pa

from . import arrow as sa
from .arrow import AggregateState, Aggregation, KeyRef, Policy, ScanState, ShroudError

__all__ = ["scan", "scan_state", "pseudonymize", "aggregate", "AggregateResult", "KeyRef", "Policy"]

_STATE_SCHEMA = "state string"


def _spark_to_arrow(schema: Any) -> pa.Schema:
    from pyspark.sql.pandas.types import to_arrow_schema

    return to_arrow_schema(schema)


def _arrow_to_spark(schema: pa.Schema) -> Any:
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema)


def _is_nested(path: str) -> bool:
    return "." in path or "[" in path


def _state_batch(text: str) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays([pa.array([text], pa.string())], names=["state"])


def scan_state(df: Any, rules_dir: Optional[str] = None) -> ScanState:
    """Scans every partition of ``df`` and merges the states on the driver."""

    def scan_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        state = ScanState()
        row = 0
        for b in batches:
            s, _ = sa.scan_batch(b, row, rules_dir=rules_dir)
            state = state.merge(s)
            row += b.num_rows
        yield _state_batch(state.json)

    rows = df.mapInArrow(scan_partition, _STATE_SCHEMA).collect()
    return ScanState.merge_all(ScanState(r["state"]) for r in rows)


def scan(df: Any, rules_dir: Optional[str] = None) -> List[Dict[str, Any]]:
    """The column report of a DataFrame: one dict per column with ``column``, ``entity``
    (the verdict or ``None``), ``confidence``, ``non_empty``, ``matches``, masked
    ``samples``, ``free_text``; the columns ``shroud scan --report`` gives for a file."""
    return scan_state(df, rules_dir).report(rules_dir)


def pseudonymize(
    df: Any,
    policy: "Policy | str | None" = None,
    key: Optional[KeyRef] = None,
    *,
    fingerprint: Optional[str] = None,
    decisions: Optional[str] = None,
    rules_dir: Optional[str] = None,
) -> Any:
    """A DataFrame with personal values replaced, as ``shroud pseudonymize`` would.

    ``key`` is a :class:`~shroud.arrow.KeyRef` resolved on each executor. The driver reads
    it too to get the fingerprint the executors must match; when the driver has no key,
    pass its ``fingerprint`` (``shroud keygen`` prints it; so does ``KeyRef.fingerprint()``
    where the key is). ``decisions`` (from ``scan_state(df).decisions()``) skips the scan
    job when you already have them. The result is lazy: the rewrite runs when it is written.
    ``df`` is read twice (scan, then rewrite): persist it first if it is costly to compute.
    """
    policy_text = sa._policy_text(policy)
    if decisions is None:
        decisions = scan_state(df, rules_dir).decisions(rules_dir)
    if key is not None and fingerprint is None:
        fingerprint = key.fingerprint()
    in_schema = _spark_to_arrow(df.schema)
    out_arrow = sa.output_schema(in_schema, decisions, policy_text, rules_dir)
    out_spark = _arrow_to_spark(out_arrow)
    # What Spark expects back (its own Arrow types for the declared schema).
    expected = _spark_to_arrow(out_spark)
    kind = key.kind if key else None
    name = key.name if key else None

    def rewrite_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        # Runs on the executor: the key is read here, and checked against the fingerprint.
        p = sa.Pseudonymizer(
            decisions,
            policy_text,
            KeyRef(kind, name) if kind else None,
            fingerprint,
            rules_dir,
        )
        for b in batches:
            out = p.rewrite(b)
            if out.schema != expected:
                out = pa.RecordBatch.from_arrays(
                    [c.cast(f.type) for c, f in zip(out.columns, expected)], schema=expected
                )
            yield out

    return df.mapInArrow(rewrite_partition, out_spark)


@dataclass(frozen=True)
class AggregateResult:
    """A published aggregate: ``table`` (group-by columns as strings, ``count``, metrics;
    suppressed groups absent, totals last) and ``meta`` (``rows_read``, ``suppressed``,
    ``complementary``, ``epsilon``, ``seeded_for_tests``: what the CLI writes beside its
    output)."""

    table: pa.Table
    meta: Dict[str, Any]

    def to_spark(self, spark: Any) -> Any:
        """The table as a Spark DataFrame."""
        return spark.createDataFrame(self.table.to_pandas())


def aggregate(
    df: Any,
    group_by: Sequence[str],
    metrics: Sequence[str] = ("count",),
    *,
    bins: Sequence[str] = (),
    min_group_size: int = 10,
    totals: bool = False,
    epsilon: Optional[float] = None,
    clamps: Optional[Dict[str, Tuple[float, float]]] = None,
    allow_identifiers: bool = False,
    seed: Optional[int] = None,
    rules_dir: Optional[str] = None,
) -> AggregateResult:
    """Grouped ``count``/``sum:COL``/``avg:COL`` with the semantics of ``shroud aggregate``:
    partitions fold into groups, the driver merges them, then noise (``epsilon``) and
    suppression (groups under ``min_group_size``; complementary with ``totals``) are applied
    once. Grouping by a direct identifier (email, phone...) is refused unless
    ``allow_identifiers``; that check scans the first 5000 rows of the group-by columns.
    Per-person contribution bounds (the CLI's ``--privacy-unit``) are not offered here."""
    agg = Aggregation(
        group_by=tuple(group_by),
        metrics=tuple(metrics),
        bins=tuple(bins),
        min_group_size=min_group_size,
        totals=totals,
        epsilon=epsilon,
        clamps=dict(clamps or {}),
        seed=seed,
    )
    agg.check()
    needed = agg.needed_columns()
    missing = [c for c in needed if not _is_nested(c) and c not in df.columns]
    if missing:
        raise ShroudError(f"aggregate: no column {', '.join(missing)} in the DataFrame")
    # Top-level columns only are selected (a nested path keeps its parent's name).
    flat = not any(_is_nested(c) for c in needed)
    if not allow_identifiers:
        binned = {b.split("=", 1)[0] for b in bins}
        plain = [c for c in group_by if c not in binned]
        if plain:
            sample = (df.select(*plain) if flat else df).limit(5000)
            sa.refuse_identifiers(scan(sample, rules_dir), group_by, bins)
    request = agg.request()

    def fold_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        native = sa._native.Aggregator(request)
        state = AggregateState()
        for b in batches:
            state = state.merge(AggregateState(native.fold(b)))
        yield _state_batch(state.json)

    source = df.select(*needed) if flat else df
    rows = source.mapInArrow(fold_partition, _STATE_SCHEMA).collect()
    state = AggregateState.merge_all(AggregateState(r["state"]) for r in rows)
    table, meta = agg.finish(state)
    return AggregateResult(table, meta)
