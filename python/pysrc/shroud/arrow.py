"""shroud over Apache Arrow: scan, pseudonymize and aggregate ``pyarrow.RecordBatch`` streams.

This is the whole Python API; ``shroud.spark`` (and any other host) is a thin adapter over
it. Batches go to the Rust engine through the Arrow C data interface (no copy, no pickling)
and the engine runs without the GIL.

Every operation has a per-batch step whose state merges (so batches can be processed on
different machines) and a final step run once on the merged state:

* scan: :func:`scan_batch` gives a :class:`ScanState`; merged states give the column report
  (:meth:`ScanState.report`, the columns of ``shroud scan --report``) and the decisions
  pseudonymization needs (:meth:`ScanState.decisions`).
* pseudonymize: :class:`Pseudonymizer` rewrites batches with those decisions, a
  :class:`Policy` and a key found through a :class:`KeyRef`. A value gets the same token as
  with ``shroud pseudonymize`` and the same key.
* aggregate: :class:`Aggregation` folds batches into a mergeable :class:`AggregateState`;
  :meth:`Aggregation.finish` suppresses small groups (and adds noise) once, after the merge.

Keys never pass through Python: a :class:`KeyRef` names an environment variable or a file,
and the engine reads the key on the machine that uses it.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

import pyarrow as pa

from . import _native

ShroudError = _native.ShroudError

#: Entities that identify a person directly: :func:`aggregate_batches` refuses to group by
#: a column holding one unless ``allow_identifiers`` is set (as ``shroud aggregate`` does).
DIRECT_IDENTIFIERS = frozenset(_native.DIRECT_IDENTIFIERS)


@functools.lru_cache(maxsize=8)
def engine(rules_dir: Optional[str] = None) -> "_native.Engine":
    """The compiled rules (built-in, plus ``rules_dir`` if given), compiled once per process."""
    return _native.Engine(rules_dir)


@dataclass(frozen=True)
class KeyRef:
    """Where the pseudonymization key is: an environment variable or a file, never the key.

    A ``KeyRef`` is what a job carries to other machines (it is safe to pickle); each machine
    reads the key itself. Create one with :meth:`env` or :meth:`file`.
    """

    kind: str
    name: str

    def __post_init__(self) -> None:
        if self.kind not in ("env", "file"):
            raise ValueError(f"KeyRef kind must be 'env' or 'file', not {self.kind!r}")

    @classmethod
    def env(cls, name: str) -> "KeyRef":
        """The key is in environment variable ``name`` (hex, as ``shroud keygen`` writes)."""
        return cls("env", name)

    @classmethod
    def file(cls, path: "str | os.PathLike[str]") -> "KeyRef":
        """The key is in the file at ``path`` (``shroud keygen`` writes one, mode 0600)."""
        return cls("file", os.fspath(path))

    def fingerprint(self) -> str:
        """The key's public fingerprint, reading the key on this machine."""
        return _native.key_fingerprint(self.kind, self.name)

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}"


@dataclass(frozen=True)
class Policy:
    """A pseudonymization policy (TOML, as ``shroud policy init`` writes). ``text=None`` is
    the built-in policy. The text is checked when the policy is made."""

    text: Optional[str] = None

    def __post_init__(self) -> None:
        _native.check_policy(self.text)

    @classmethod
    def builtin(cls) -> "Policy":
        """The built-in policy: tokens for direct identifiers, generalization for dates of
        birth and postal codes, redaction for the rest."""
        return cls(None)

    @classmethod
    def from_toml(cls, text: str) -> "Policy":
        """A policy from its TOML text."""
        return cls(text)

    @classmethod
    def from_file(cls, path: "str | os.PathLike[str]") -> "Policy":
        """A policy from a TOML file."""
        with open(path, encoding="utf-8") as f:
            return cls(f.read())

    @staticmethod
    def default_text() -> str:
        """The built-in policy's text, with comments: a starting point to edit."""
        return _native.default_policy()


def _policy_text(policy: "Policy | str | None") -> Optional[str]:
    if policy is None:
        return None
    if isinstance(policy, Policy):
        return policy.text
    return Policy(policy).text


@dataclass(frozen=True)
class ScanState:
    """Mergeable scan statistics of some batches (JSON inside: ship it between processes
    with :attr:`json` and :meth:`from_json`). Holds counts and masked samples, no raw value."""

    json: str = '{"rows":0,"columns":[]}'

    @classmethod
    def from_json(cls, text: str) -> "ScanState":
        """A state from its JSON."""
        return cls(text)

    def merge(self, other: "ScanState") -> "ScanState":
        """The state of both sets of batches (associative and commutative)."""
        return ScanState(_native.merge_scan(self.json, other.json))

    @staticmethod
    def merge_all(states: Iterable["ScanState"]) -> "ScanState":
        """Merges any number of states."""
        return functools.reduce(ScanState.merge, states, ScanState())

    @property
    def rows(self) -> int:
        """Rows scanned."""
        return int(json.loads(self.json)["rows"])

    def report(self, rules_dir: Optional[str] = None) -> List[Dict[str, Any]]:
        """The column report: one dict per column with ``column``, ``entity`` (the verdict or
        ``None``), ``confidence``, ``non_empty``, ``matches`` (cells per entity), masked
        ``samples`` and ``free_text``; the columns of ``shroud scan --report``."""
        return json.loads(engine(rules_dir).report(self.json))

    def verdicts(self, rules_dir: Optional[str] = None) -> Dict[str, Optional[str]]:
        """Column path to verdict (entity name or ``None``)."""
        return {c["column"]: c["entity"] for c in self.report(rules_dir)}

    def decisions(self, rules_dir: Optional[str] = None) -> str:
        """What pseudonymization needs (JSON: per column, the verdict and whether anything
        was found). Not secret: safe to put in a job."""
        return engine(rules_dir).decisions(self.json)


def scan_batch(
    batch: pa.RecordBatch,
    first_row: int = 0,
    findings: bool = False,
    rules_dir: Optional[str] = None,
) -> Tuple[ScanState, Optional[List[Dict[str, Any]]]]:
    """Scans one batch. Returns its :class:`ScanState` and, with ``findings=True``, the list
    of detected values as positions (``row`` counted from ``first_row``, ``column``,
    ``start``/``end`` UTF-8 byte offsets, ``entity``, ``rule``, ``score``), never values."""
    state, found = engine(rules_dir).scan_batch(batch, first_row, findings)
    return ScanState(state), (json.loads(found) if found is not None else None)


def scan_batches(
    batches: Iterable[pa.RecordBatch], rules_dir: Optional[str] = None
) -> ScanState:
    """Scans a stream of batches (a ``pyarrow.Table``'s ``to_batches()``, a dataset scanner)
    into one merged state."""
    state = ScanState()
    row = 0
    for b in batches:
        s, _ = scan_batch(b, row, rules_dir=rules_dir)
        state = state.merge(s)
        row += b.num_rows
    return state


class Pseudonymizer:
    """Rewrites batches: each column with a verdict gets its policy operator on every value,
    other columns get detected spans replaced (free text keeps its words); the rest is kept.

    ``decisions`` come from :meth:`ScanState.decisions` over all the data (as the CLI's
    first pass over a file), so every batch is treated alike. ``fingerprint``, when given,
    makes the engine refuse a key with another fingerprint (a misconfigured machine fails
    instead of writing tokens nobody can join).
    """

    def __init__(
        self,
        decisions: str,
        policy: "Policy | str | None" = None,
        key: Optional[KeyRef] = None,
        fingerprint: Optional[str] = None,
        rules_dir: Optional[str] = None,
    ) -> None:
        self._native = _native.Pseudonymizer(
            engine(rules_dir),
            decisions,
            _policy_text(policy),
            key.kind if key else None,
            key.name if key else None,
            fingerprint,
        )

    def output_schema(self, schema: pa.Schema) -> pa.Schema:
        """The schema of rewritten batches for ``schema``."""
        return self._native.output_schema(schema)

    def operators(self) -> List[Tuple[str, str]]:
        """Per column: ``(column, operator)`` (``token``, ``spans``, ``drop``...)."""
        return self._native.operators()

    def rewrite(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """Rewrites one batch."""
        return self._native.rewrite(batch)

    def transform(self, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        """Rewrites a stream of batches, lazily."""
        for b in batches:
            yield self._native.rewrite(b)


def output_schema(
    schema: pa.Schema,
    decisions: str,
    policy: "Policy | str | None" = None,
    rules_dir: Optional[str] = None,
) -> pa.Schema:
    """The schema :class:`Pseudonymizer` produces for ``schema``, without the key: dropped
    columns removed, non-string columns whose values change become strings, every field
    nullable."""
    return _native.output_schema(engine(rules_dir), decisions, schema, _policy_text(policy))


def pseudonymize_table(
    table: pa.Table,
    key: Optional[KeyRef],
    policy: "Policy | str | None" = None,
    rules_dir: Optional[str] = None,
) -> pa.Table:
    """Both passes on an in-memory table: scan it, then rewrite it."""
    state = scan_batches(table.to_batches(), rules_dir)
    p = Pseudonymizer(state.decisions(rules_dir), policy, key, rules_dir=rules_dir)
    schema = p.output_schema(table.schema)
    return pa.Table.from_batches(list(p.transform(table.to_batches())), schema=schema)


@dataclass(frozen=True)
class AggregateState:
    """Groups folded from some batches, before suppression and noise (JSON inside). It holds
    every group, small ones too: keep it inside the trusted side, publish only
    :meth:`Aggregation.finish`'s table."""

    json: str = '{"rows":0,"groups":[]}'

    def merge(self, other: "AggregateState") -> "AggregateState":
        """The state of both sets of batches."""
        return AggregateState(_native.Aggregator.merge(self.json, other.json))

    @staticmethod
    def merge_all(states: Iterable["AggregateState"]) -> "AggregateState":
        """Merges any number of states."""
        return functools.reduce(AggregateState.merge, states, AggregateState())


@dataclass(frozen=True)
class Aggregation:
    """A grouped count/sum/avg with small-group suppression, as ``shroud aggregate``.

    ``group_by`` columns (paths); ``bins`` as ``--bin`` takes them (``"zip=3"``,
    ``"age=10"``, ``"created_at=month"``); ``metrics`` ``"count"``, ``"sum:COL"``,
    ``"avg:COL"``; groups under ``min_group_size`` rows are suppressed; ``totals`` adds
    marginal totals with complementary suppression; ``epsilon`` adds discrete Laplace noise
    (with ``clamps`` ``{"amount": (0, 1000)}`` for every summed column). ``seed`` is for
    tests only (seeded noise gives no privacy).
    """

    group_by: Sequence[str]
    metrics: Sequence[str] = ("count",)
    bins: Sequence[str] = ()
    min_group_size: int = 10
    totals: bool = False
    epsilon: Optional[float] = None
    clamps: Dict[str, Tuple[float, float]] = field(default_factory=dict)
    seed: Optional[int] = None

    def request(self) -> str:
        """The request as JSON (what travels to executors)."""
        return json.dumps(
            {
                "group_by": list(self.group_by),
                "bins": list(self.bins),
                "metrics": list(self.metrics),
                "min_group_size": self.min_group_size,
                "totals": self.totals,
                "epsilon": self.epsilon,
                "clamps": {k: [float(lo), float(hi)] for k, (lo, hi) in self.clamps.items()},
                "seed": self.seed,
            }
        )

    def _native(self) -> "_native.Aggregator":
        return _native.Aggregator(self.request())

    def check(self) -> None:
        """Raises :class:`ShroudError` when the settings are wrong."""
        self._native()

    def needed_columns(self) -> List[str]:
        """The columns the fold reads."""
        return self._native().needed_columns()

    def fold(self, batches: Iterable[pa.RecordBatch]) -> AggregateState:
        """Folds batches into one state."""
        agg = self._native()
        state = AggregateState()
        for b in batches:
            state = state.merge(AggregateState(agg.fold(b)))
        return state

    def finish(self, state: AggregateState) -> Tuple[pa.Table, Dict[str, Any]]:
        """Publishes a merged state once: noise (with ``epsilon``), suppression, totals.
        Returns the table (group-by columns as strings, ``count`` int64, other metrics
        float64, sorted by key, totals last) and what was done (``rows_read``,
        ``suppressed``, ``complementary``, ``epsilon``, ``seeded_for_tests``)."""
        batch, meta = self._native().finish(state.json)
        return pa.Table.from_batches([batch]), json.loads(meta)


def refuse_identifiers(
    report: List[Dict[str, Any]], group_by: Sequence[str], bins: Sequence[str] = ()
) -> None:
    """Raises :class:`ShroudError` when a group-by column (not binned) holds a direct
    identifier according to a scan ``report``: every group would be one person. The engine
    decides, as ``shroud aggregate`` does."""
    binned = [b.split("=", 1)[0] for b in bins]
    _native.refuse_identifiers(json.dumps(report), list(group_by), binned)


def aggregate_batches(
    batches: Iterable[pa.RecordBatch],
    aggregation: Aggregation,
    allow_identifiers: bool = False,
    rules_dir: Optional[str] = None,
) -> Tuple[pa.Table, Dict[str, Any]]:
    """Folds a stream of batches and publishes the result (see :meth:`Aggregation.finish`).

    As ``shroud aggregate``, refuses (:class:`ShroudError`) to group by a column that holds a
    direct identifier, judged on a scan of the first 5,000 rows, unless
    ``allow_identifiers=True``."""
    it = iter(batches)
    head: List[pa.RecordBatch] = []
    if not allow_identifiers:
        rows = 0
        for b in it:
            head.append(b)
            rows += b.num_rows
            if rows >= 5000:
                break
        report = scan_batches(head, rules_dir).report(rules_dir)
        refuse_identifiers(report, aggregation.group_by, aggregation.bins)
    return aggregation.finish(aggregation.fold(itertools.chain(head, it)))
