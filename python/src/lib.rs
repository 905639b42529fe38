//! `shroud._native`: the engine of shroud for Python, Arrow record batches in and out through
//! the Arrow C data interface (arrow-rs `pyarrow` support: no copy, no pickling).
//!
//! A thin binding over `shroud::batch`: every call that does work releases the GIL. Mergeable
//! states (scan partials, aggregate partials) cross into Python as JSON strings, so hosts can
//! ship them between processes (Spark collects them on the driver). Keys never enter Python:
//! a key reference (`env`/`file` and a name) is resolved here, on the machine that runs.
//!
//! Neighbours: `shroud::batch` (the engine's batch API); `pysrc/shroud/arrow.py` and
//! `pysrc/shroud/spark.py` (the Python API over this module).

use arrow_array::RecordBatch;
use arrow_pyarrow::PyArrowType;
use arrow_schema::Schema;
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use shroud::batch::{
    AggregatePartial, AggregateRequest, BatchError, BatchPseudonymizer, ColumnDecision, KeyRef,
    ScanPartial,
};
use shroud::detect::Detector;
use shroud::transform::Policy;
use std::path::PathBuf;
use std::sync::Arc;

create_exception!(
    _native,
    ShroudError,
    PyException,
    "An error of the shroud engine (bad policy, key mismatch, malformed batch)."
);

fn err(e: impl std::fmt::Display) -> PyErr {
    ShroudError::new_err(e.to_string())
}

fn from_json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> PyResult<T> {
    // serde's message may quote the offending value (a raw group key of an aggregate state):
    // report only where it broke.
    serde_json::from_str(text).map_err(|e| {
        err(format!(
            "malformed {what} ({:?} error at line {}, column {})",
            e.classify(),
            e.line(),
            e.column()
        ))
    })
}

fn to_json<T: serde::Serialize>(v: &T) -> PyResult<String> {
    serde_json::to_string(v).map_err(err)
}

fn key_ref(kind: &str, name: &str) -> PyResult<KeyRef> {
    match kind {
        "env" => Ok(KeyRef::Env(name.to_string())),
        "file" => Ok(KeyRef::File(PathBuf::from(name))),
        other => Err(err(format!(
            "key reference kind {other:?}: expected \"env\" or \"file\""
        ))),
    }
}

/// The compiled rules (built-in, plus a folder of user rules).
#[pyclass(frozen, module = "shroud._native")]
struct Engine {
    detector: Arc<Detector>,
}

#[pymethods]
impl Engine {
    /// Compiles the built-in rules, and the rules in `rules_dir` if given.
    #[new]
    #[pyo3(signature = (rules_dir=None))]
    fn new(py: Python<'_>, rules_dir: Option<PathBuf>) -> PyResult<Self> {
        let detector = py
            .detach(|| match rules_dir {
                Some(d) => Detector::with_user_rules(&d),
                None => Detector::builtin(),
            })
            .map_err(err)?;
        Ok(Engine {
            detector: Arc::new(detector),
        })
    }

    /// Entity names the rules know.
    fn entities(&self) -> Vec<String> {
        self.detector.entities.clone()
    }

    /// Scans a batch: `(partial, findings)`, the partial a JSON scan state, findings a JSON
    /// list (positions, never values) when `findings` is true, else `None`.
    #[pyo3(signature = (batch, first_row=0, findings=false))]
    fn scan_batch(
        &self,
        py: Python<'_>,
        batch: PyArrowType<RecordBatch>,
        first_row: u64,
        findings: bool,
    ) -> PyResult<(String, Option<String>)> {
        let (partial, found) = py
            .detach(|| {
                shroud::batch::scan_record_batch(&self.detector, &batch.0, first_row, findings)
            })
            .map_err(err)?;
        Ok((
            to_json(&partial)?,
            findings.then(|| to_json(&found)).transpose()?,
        ))
    }

    /// The column report (JSON list, the columns of `shroud scan --report`) of a scan state.
    fn report(&self, partial: &str) -> PyResult<String> {
        let p: ScanPartial = from_json("scan state", partial)?;
        to_json(&p.report(&self.detector).map_err(err)?)
    }

    /// Per column, the verdict and whether anything was found (JSON): the plan that
    /// pseudonymization takes.
    fn decisions(&self, partial: &str) -> PyResult<String> {
        let p: ScanPartial = from_json("scan state", partial)?;
        to_json(&p.decisions(&self.detector).map_err(err)?)
    }
}

/// The output schema for an input schema, from decisions (JSON) and a policy alone: no key
/// needed (a Spark driver declares `mapInArrow`'s schema with it).
#[pyfunction]
#[pyo3(signature = (engine, decisions, schema, policy=None))]
fn output_schema(
    engine: &Engine,
    decisions: &str,
    schema: PyArrowType<Schema>,
    policy: Option<&str>,
) -> PyResult<PyArrowType<Schema>> {
    let decisions: Vec<ColumnDecision> = from_json("decisions", decisions)?;
    let p = BatchPseudonymizer::without_key(
        Arc::clone(&engine.detector),
        parse_policy(policy)?,
        &decisions,
    );
    Ok(PyArrowType(p.output_schema(&schema.0)))
}

/// Per column: `(column, operator)` for decisions (JSON) and a policy.
#[pyfunction]
#[pyo3(signature = (engine, decisions, policy=None))]
fn operators(
    engine: &Engine,
    decisions: &str,
    policy: Option<&str>,
) -> PyResult<Vec<(String, String)>> {
    let decisions: Vec<ColumnDecision> = from_json("decisions", decisions)?;
    Ok(BatchPseudonymizer::without_key(
        Arc::clone(&engine.detector),
        parse_policy(policy)?,
        &decisions,
    )
    .operators())
}

/// Merges two scan states (JSON) into one.
#[pyfunction]
fn merge_scan(a: &str, b: &str) -> PyResult<String> {
    let mut a: ScanPartial = from_json("scan state", a)?;
    let b: ScanPartial = from_json("scan state", b)?;
    a.merge(&b).map_err(err)?;
    to_json(&a)
}

/// The fingerprint of the key a reference points to on this machine (never the key).
#[pyfunction]
fn key_fingerprint(py: Python<'_>, kind: &str, name: &str) -> PyResult<String> {
    let r = key_ref(kind, name)?;
    py.detach(|| r.resolve().map(|k| k.fingerprint()))
        .map_err(err)
}

/// Checks a policy's text (TOML); `None` checks the built-in policy.
#[pyfunction]
#[pyo3(signature = (text=None))]
fn check_policy(text: Option<&str>) -> PyResult<()> {
    parse_policy(text).map(|_| ())
}

/// The built-in policy, with comments (what `shroud policy init` writes).
#[pyfunction]
fn default_policy() -> &'static str {
    shroud::transform::DEFAULT_POLICY
}

fn parse_policy(text: Option<&str>) -> PyResult<Policy> {
    match text {
        None => Ok(Policy::builtin()),
        Some(t) => Policy::parse(t).map_err(|e| err(format!("policy: {e}"))),
    }
}

/// Rewrites batches with the column decisions of a scan, a policy and a key.
#[pyclass(frozen, module = "shroud._native")]
struct Pseudonymizer {
    inner: BatchPseudonymizer,
}

#[pymethods]
impl Pseudonymizer {
    /// `decisions` is [`Engine::decisions`]' JSON; the key is read from the reference
    /// (`key_kind` `env` or `file`, `key_name`) here, and when `fingerprint` is given a key
    /// with another fingerprint is refused.
    #[new]
    #[pyo3(signature = (engine, decisions, policy=None, key_kind=None, key_name=None, fingerprint=None))]
    fn new(
        py: Python<'_>,
        engine: &Engine,
        decisions: &str,
        policy: Option<&str>,
        key_kind: Option<&str>,
        key_name: Option<&str>,
        fingerprint: Option<&str>,
    ) -> PyResult<Self> {
        let decisions: Vec<ColumnDecision> = from_json("decisions", decisions)?;
        let policy = parse_policy(policy)?;
        let key_ref = match (key_kind, key_name) {
            (Some(k), Some(n)) => Some(key_ref(k, n)?),
            (None, None) => None,
            _ => return Err(err("key_kind and key_name go together")),
        };
        let detector = Arc::clone(&engine.detector);
        let inner = py
            .detach(|| -> Result<BatchPseudonymizer, BatchError> {
                let key = match (&key_ref, fingerprint) {
                    (Some(r), Some(fp)) => Some(r.resolve_checked(fp)?),
                    (Some(r), None) => Some(r.resolve()?),
                    (None, _) => None,
                };
                BatchPseudonymizer::new(detector, policy, key.as_ref(), &decisions)
            })
            .map_err(err)?;
        Ok(Pseudonymizer { inner })
    }

    /// The schema of rewritten batches for an input schema.
    fn output_schema(&self, schema: PyArrowType<Schema>) -> PyArrowType<Schema> {
        PyArrowType(self.inner.output_schema(&schema.0))
    }

    /// Rewrites one batch.
    fn rewrite(
        &self,
        py: Python<'_>,
        batch: PyArrowType<RecordBatch>,
    ) -> PyResult<PyArrowType<RecordBatch>> {
        py.detach(|| self.inner.rewrite(&batch.0))
            .map(PyArrowType)
            .map_err(err)
    }

    /// Per column: `(column, operator)`.
    fn operators(&self) -> Vec<(String, String)> {
        self.inner.operators()
    }
}

/// Folds batches into mergeable groups and publishes them once (suppression, noise).
#[pyclass(frozen, module = "shroud._native")]
struct Aggregator {
    spec: shroud::aggregate::AggregateSpec,
}

#[pymethods]
impl Aggregator {
    /// `request` is JSON: `{"group_by": [...], "bins": ["zip=3"], "metrics": ["count",
    /// "sum:amount"], "min_group_size": 10, "totals": false, "epsilon": null, "clamps":
    /// {"amount": [0, 1000]}}`.
    #[new]
    fn new(request: &str) -> PyResult<Self> {
        let req: AggregateRequest = from_json("aggregate request", request)?;
        Ok(Aggregator {
            spec: req.compile().map_err(err)?,
        })
    }

    /// The columns the fold reads.
    fn needed_columns(&self) -> Vec<String> {
        self.spec.needed_columns()
    }

    /// Folds one batch into a partial (JSON).
    fn fold(&self, py: Python<'_>, batch: PyArrowType<RecordBatch>) -> PyResult<String> {
        let p = py
            .detach(|| AggregatePartial::fold(&self.spec, &batch.0))
            .map_err(err)?;
        to_json(&p)
    }

    /// Merges two partials (JSON) into one.
    #[staticmethod]
    fn merge(a: &str, b: &str) -> PyResult<String> {
        let mut a: AggregatePartial = from_json("aggregate state", a)?;
        let b: AggregatePartial = from_json("aggregate state", b)?;
        a.merge(&b);
        to_json(&a)
    }

    /// Publishes a merged partial: `(table, meta)`, the table a record batch (group-by
    /// columns, then metrics), meta a JSON object (`rows_read`, `suppressed`,
    /// `complementary`, `epsilon`, `seeded_for_tests`).
    fn finish(&self, partial: &str) -> PyResult<(PyArrowType<RecordBatch>, String)> {
        let p: AggregatePartial = from_json("aggregate state", partial)?;
        let t = p.finish(&self.spec).map_err(err)?;
        let batch = shroud::batch::table_batch(&self.spec, &t).map_err(err)?;
        let meta = serde_json::json!({
            "rows_read": t.rows_read,
            "min_group_size": self.spec.min_group_size,
            "suppressed": t.suppressed,
            "complementary": t.complementary,
            "epsilon": t.epsilon,
            "seeded_for_tests": t.seed.is_some(),
        });
        Ok((PyArrowType(batch), meta.to_string()))
    }
}

/// Raises when a group-by column (not binned) holds a direct identifier according to a scan
/// report (JSON list of columns): the engine's own refusal, as `shroud aggregate` makes it.
#[pyfunction]
fn refuse_identifiers(report: &str, group_by: Vec<String>, binned: Vec<String>) -> PyResult<()> {
    let columns: Vec<shroud::report::ColumnReport> = from_json("scan report", report)?;
    shroud::aggregate::output::refuse_identifiers(
        columns
            .iter()
            .map(|c| (c.column.as_str(), c.entity.as_deref())),
        &group_by,
        &binned,
        "the data",
    )
    .map_err(|e| err(format!("{e} (allow_identifiers=True)")))
}

/// The native module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Engine>()?;
    m.add_class::<Pseudonymizer>()?;
    m.add_class::<Aggregator>()?;
    m.add_function(wrap_pyfunction!(merge_scan, m)?)?;
    m.add_function(wrap_pyfunction!(output_schema, m)?)?;
    m.add_function(wrap_pyfunction!(operators, m)?)?;
    m.add_function(wrap_pyfunction!(key_fingerprint, m)?)?;
    m.add_function(wrap_pyfunction!(check_policy, m)?)?;
    m.add_function(wrap_pyfunction!(default_policy, m)?)?;
    m.add_function(wrap_pyfunction!(refuse_identifiers, m)?)?;
    m.add("ShroudError", m.py().get_type::<ShroudError>())?;
    m.add(
        "DIRECT_IDENTIFIERS",
        shroud::entity::direct_identifiers().collect::<Vec<_>>(),
    )?;
    Ok(())
}
