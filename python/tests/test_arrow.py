"""shroud.arrow without Spark: the batch API, keys, states."""

from __future__ import annotations

import pickle

import pyarrow as pa
import pytest

from shroud.arrow import (
    Aggregation,
    KeyRef,
    Policy,
    Pseudonymizer,
    AggregateState,
    aggregate_batches,
    ScanState,
    ShroudError,
    output_schema,
    pseudonymize_table,
    scan_batch,
)

KEY_HEX = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"


def table(n: int = 60) -> pa.Table:
    return pa.table(
        {
            "email": [f"someone{i}@example.com" for i in range(n)],
            "account_no": pa.array([10_000_000 + i * 7919 for i in range(n)], pa.int64()),
            "region": [["north", "south"][i % 2] for i in range(n)],
            "note": [f"please ring +44 20 7946 0{i:03d} tomorrow morning" for i in range(n)],
        }
    )


@pytest.fixture
def key(tmp_path, monkeypatch):
    monkeypatch.setenv("SHROUD_PY_TEST_KEY", KEY_HEX)
    return KeyRef.env("SHROUD_PY_TEST_KEY")


def test_keyref_pickles_without_the_key(key):
    blob = pickle.dumps(key)
    assert KEY_HEX.encode() not in blob
    assert pickle.loads(blob) == key
    assert len(key.fingerprint()) == 16


def test_scan_states_merge_and_findings_hold_no_values():
    t = table()
    batches = t.to_batches(max_chunksize=25)
    states, row = [], 0
    for b in batches:
        s, found = scan_batch(b, row, findings=True)
        assert all("value" not in f for f in found)
        assert all(row <= f["row"] < row + b.num_rows for f in found)
        states.append(ScanState.from_json(s.json))
        row += b.num_rows
    merged = ScanState.merge_all(states)
    whole, _ = scan_batch(pa.concat_tables([t]).combine_chunks().to_batches()[0])
    assert merged.rows == 60
    assert merged.verdicts() == whole.verdicts()
    assert merged.verdicts()["email"] == "EMAIL_ADDRESS"


def test_pseudonymize_in_batches_equals_whole_table(key):
    t = table()
    whole = pseudonymize_table(t, key)
    state = ScanState.merge_all(scan_batch(b)[0] for b in t.to_batches(max_chunksize=7))
    p = Pseudonymizer(state.decisions(), Policy.builtin(), key, fingerprint=key.fingerprint())
    parts = pa.Table.from_batches(list(p.transform(t.to_batches(max_chunksize=7))))
    assert parts.equals(whole)
    assert parts.schema == output_schema(t.schema, state.decisions())
    emails = whole.column("email").to_pylist()
    assert all(e.endswith("@pseudo.invalid") for e in emails)
    assert all("7946" not in n for n in whole.column("note").to_pylist())
    assert dict(p.operators())["email"] == "token"


def test_a_wrong_key_is_refused(key):
    state, _ = scan_batch(table().to_batches()[0])
    with pytest.raises(ShroudError, match="key fingerprint mismatch"):
        Pseudonymizer(state.decisions(), key=key, fingerprint="0000000000000000")
    with pytest.raises(ShroudError, match="needs a key"):
        Pseudonymizer(state.decisions())
    with pytest.raises(ShroudError, match="not set"):
        KeyRef.env("SHROUD_NO_SUCH_KEY_VARIABLE").fingerprint()


def test_policy_is_checked():
    with pytest.raises(ShroudError, match="policy"):
        Policy.from_toml('[entities]\nEMAIL_ADDRESS = "scramble"\n')
    assert "EMAIL_ADDRESS" in Policy.default_text()


def test_aggregation_suppresses_after_the_merge():
    t = table(90)
    agg = Aggregation(group_by=["region"], metrics=["count", "sum:account_no"], min_group_size=40)
    halves = [agg.fold(t.slice(0, 30).to_batches()), agg.fold(t.slice(30).to_batches())]
    # Each half has under 40 rows per region; merged, each region has 45.
    result, meta = agg.finish(halves[0].merge(halves[1]))
    assert result.column("region").to_pylist() == ["north", "south"]
    assert result.column("count").to_pylist() == [45, 45]
    assert meta["suppressed"] == 0 and meta["rows_read"] == 90
    small, meta = agg.finish(halves[0])
    assert small.num_rows == 0 and meta["suppressed"] == 2


def test_aggregate_batches_refuses_direct_identifiers():
    t = table(60)
    agg = Aggregation(group_by=["email"], metrics=["count"], min_group_size=1)
    with pytest.raises(ShroudError, match="refusing to group by email"):
        aggregate_batches(t.to_batches(), agg)
    result, _ = aggregate_batches(t.to_batches(), agg, allow_identifiers=True)
    assert result.num_rows == 60
    by_region, _ = aggregate_batches(
        t.to_batches(max_chunksize=7), Aggregation(group_by=["region"], min_group_size=1)
    )
    assert by_region.column("count").to_pylist() == [30, 30]


def test_malformed_states_name_no_value():
    agg = Aggregation(group_by=["region"], min_group_size=1)
    raw = '{"rows": "jane.doe@example.com", "groups": []}'
    with pytest.raises(ShroudError) as e:
        agg.finish(AggregateState(raw))
    assert "jane.doe" not in str(e.value)
