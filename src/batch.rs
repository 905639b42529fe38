//! Arrow record batches in and out: the engine for hosts that already hold their data as
//! Arrow (the Python package `shroud`, and through it Spark, Dask or Ray).
//!
//! Every operation is a per-batch step that runs on any machine, a small state that merges
//! associatively and crosses process boundaries as JSON (serde), and one final step run once
//! on the merged state:
//!
//! - scan: [`scan_record_batch`] gives a [`ScanPartial`]; merged partials give the column
//!   report ([`ScanPartial::report`], the same columns as `shroud scan --report`) and the
//!   decisions pseudonymization needs ([`ScanPartial::decisions`]).
//! - pseudonymize: a [`BatchPseudonymizer`] built from the decisions, a policy and a key
//!   rewrites batches with the Parquet pseudonymizer's own column rewrite, so a value gets the
//!   same token as with `shroud pseudonymize`; [`BatchPseudonymizer::output_schema`] gives
//!   the output schema before any batch is seen (Spark's `mapInArrow` needs it).
//! - aggregate: [`AggregatePartial::fold`] folds a batch into groups; merged partials are
//!   published once by [`AggregatePartial::finish`] (noise, then suppression), as the CLI does.
//!
//! Keys never travel: a host passes a [`KeyRef`] (an environment variable or a file), each
//! machine resolves it, and [`KeyRef::resolve_checked`] refuses a key whose fingerprint is
//! not the one the job was planned with.
//!
//! Cells are taken from Arrow arrays exactly as the Parquet reader takes them
//! (`source::parquet`), so a batch reads like a Parquet file of the same data.
//!
//! Neighbours: `scan` (per-batch scan), `detect` (verdicts), `pseudo` (column actions and the
//! Arrow column rewrite), `aggregate` (folds, finish), `report` (column report shape),
//! `transform::key` (keys and fingerprints).

pub use crate::aggregate::AggregateRequest;
use crate::aggregate::{Acc, AggregateError, AggregateSpec, Groups, Metric, Table, merge_groups};
use crate::detect::{ColumnStats, Detector};
use crate::pseudo::{ColumnAction, FilePlan, PseudoError, Rewrite, column_action};
use crate::report::ColumnReport;
use crate::scan::{ColumnResult, FileScan};
use crate::source::{Batch, Compression, Format, Input};
use crate::transform::key::{Key, KeyError};
use crate::transform::{Policy, Transformer};
use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchOptions};
use arrow_schema::{ArrowError, DataType, Field, Schema};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

/// Errors of the batch API.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// An Arrow array could not be read or built.
    #[error(transparent)]
    Arrow(#[from] ArrowError),
    /// A rewrite failed.
    #[error(transparent)]
    Pseudo(#[from] PseudoError),
    /// An aggregation setting is wrong.
    #[error(transparent)]
    Aggregate(#[from] AggregateError),
    /// A key could not be read or is too short.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The environment variable a key reference names is not set.
    #[error("key reference env:{0}: the environment variable is not set on this machine")]
    KeyEnvMissing(String),
    /// The key found here is not the key the job was planned with.
    #[error(
        "key fingerprint mismatch: the job was planned with key {expected}, but {reference} on this machine holds key {found}; refusing to write inconsistent tokens"
    )]
    Fingerprint {
        /// The reference, as `env:NAME` or `file:PATH`.
        reference: String,
        /// Fingerprint the job expects.
        expected: String,
        /// Fingerprint of the key found.
        found: String,
    },
    /// A policy, plan or state is malformed.
    #[error("{0}")]
    Invalid(String),
}

/// The column paths of a schema, as `scan` names them (`a.b`, `a[]`; booleans skipped).
pub fn column_paths(schema: &Schema) -> Vec<String> {
    crate::source::parquet::column_paths(schema)
}

/// The cells of a record batch, as the Parquet reader takes them; `first_row` numbers rows.
fn to_cells(rb: &RecordBatch, first_row: u64, paths: &[String]) -> Result<Batch, ArrowError> {
    let ids: HashMap<String, u32> = paths
        .iter()
        .enumerate()
        .map(|(i, p)| (p.clone(), i as u32))
        .collect();
    crate::source::parquet::cells_of(rb, first_row, &ids)
}

/// Mergeable scan state of some batches: the engine's own [`ColumnStats`] per column, with the
/// entity names and rule ids their indexes refer to (states from machines with other rules
/// do not merge). Merging is associative and commutative (up to float rounding of score
/// sums, far below the verdict thresholds).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScanPartial {
    /// Rows scanned.
    pub rows: u64,
    /// Entity names, by the index the stats use (empty in the empty state hosts start from).
    #[serde(default)]
    pub entities: Vec<String>,
    /// Rule ids, by the index the stats use.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Columns, in first-seen order.
    pub columns: Vec<(String, ColumnStats)>,
}

/// One detected value of a batch, without the value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchFinding {
    /// Row: `first_row` plus the row in the batch.
    pub row: u64,
    /// Column path.
    pub column: String,
    /// UTF-8 byte offset of the start in the cell.
    pub start: u32,
    /// End offset.
    pub end: u32,
    /// Entity.
    pub entity: String,
    /// Rule id.
    pub rule: String,
    /// Score, rounded to 2 decimals.
    pub score: f64,
}

/// What pseudonymization needs to know of a column from the scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnDecision {
    /// Column path.
    pub column: String,
    /// The verdict: the entity the column carries.
    pub verdict: Option<String>,
    /// Whether any value was found in it (a non-string column with findings becomes a string
    /// column in the output).
    pub has_findings: bool,
    /// The column holds free text (a `[columns]` override then applies to each value found).
    #[serde(default)]
    pub free_text: bool,
    /// The range of its epoch-sized integers: the unit of epoch dates is decided from all of
    /// them, as for a file.
    #[serde(default)]
    pub epochs: crate::transform::epoch::EpochRange,
}

/// Scans one record batch. Findings (positions, never values) are returned when asked for.
pub fn scan_record_batch(
    detector: &Detector,
    rb: &RecordBatch,
    first_row: u64,
    want_findings: bool,
) -> Result<(ScanPartial, Vec<BatchFinding>), BatchError> {
    let paths = column_paths(rb.schema().as_ref());
    let plans: Vec<_> = paths.iter().map(|p| detector.plan(p)).collect();
    let batch = to_cells(rb, first_row, &paths)?;
    let result = crate::scan::scan_batch(detector, &plans, &batch, want_findings, false, false);
    let mut by_col: BTreeMap<u32, ColumnStats> = result.stats.into_iter().collect();
    let columns = paths
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let st = by_col
                .remove(&(i as u32))
                .unwrap_or_else(|| ColumnStats::new(detector.entities.len()));
            (p.clone(), st)
        })
        .collect();
    let findings = result
        .findings
        .iter()
        .map(|f| BatchFinding {
            row: f.row,
            column: paths[f.col as usize].clone(),
            start: f.start,
            end: f.end,
            entity: detector.entities[f.entity as usize].clone(),
            rule: detector.rules[f.rule as usize].id.clone(),
            score: (f64::from(f.score) * 100.0).round() / 100.0,
        })
        .collect();
    Ok((
        ScanPartial {
            rows: rb.num_rows() as u64,
            entities: detector.entities.clone(),
            rules: detector.rules.iter().map(|r| r.id.clone()).collect(),
            columns,
        },
        findings,
    ))
}

impl ScanPartial {
    /// Adds `other` into `self` (the same columns' stats merged as the CLI merges batches).
    /// States made with other rules do not merge.
    pub fn merge(&mut self, other: &ScanPartial) -> Result<(), BatchError> {
        if self.columns.is_empty() && self.rows == 0 && self.entities.is_empty() {
            *self = other.clone();
            return Ok(());
        }
        if !other.entities.is_empty()
            && (self.entities != other.entities || self.rules != other.rules)
        {
            return Err(BatchError::Invalid(
                "scan states made with different rules do not merge".into(),
            ));
        }
        self.rows += other.rows;
        for (name, st) in &other.columns {
            match self.columns.iter_mut().find(|(n, _)| n == name) {
                Some((_, m)) => m.merge(st),
                None => self.columns.push((name.clone(), st.clone())),
            }
        }
        Ok(())
    }

    /// The state as the scan of one file: verdicts decided as for a file of these rows.
    pub fn file_scan(&self, detector: &Detector) -> Result<FileScan, BatchError> {
        if self.entities != detector.entities {
            return Err(BatchError::Invalid(
                "this scan state was made with other rules than these".into(),
            ));
        }
        let columns = self
            .columns
            .iter()
            .map(|(name, stats)| ColumnResult {
                name_entities: crate::scan::name_entities(detector, name),
                name: name.clone(),
                verdict: detector.verdict(stats, &detector.plan(name)),
                stats: stats.clone(),
            })
            .collect();
        Ok(FileScan {
            rows: self.rows,
            columns,
            read_stats: Default::default(),
            sampled: false,
        })
    }

    /// The column report, as `shroud scan --report` writes it for a file of these rows.
    pub fn report(&self, detector: &Detector) -> Result<Vec<ColumnReport>, BatchError> {
        let scan = self.file_scan(detector)?;
        let input = Input {
            path: PathBuf::from("<arrow>"),
            format: Format::Parquet,
            compression: Compression::None,
            size: 0,
            handle: None,
            table: None,
        };
        Ok(crate::report::file_report(detector, &input, &scan).columns)
    }

    /// Per column: the verdict and whether anything was found.
    pub fn decisions(&self, detector: &Detector) -> Result<Vec<ColumnDecision>, BatchError> {
        Ok(self
            .file_scan(detector)?
            .columns
            .into_iter()
            .map(|r| ColumnDecision {
                has_findings: r.stats.entities.iter().any(|e| e.cells > 0),
                free_text: r.verdict.free_text,
                epochs: r.stats.epochs,
                column: r.name,
                verdict: r.verdict.entity,
            })
            .collect())
    }
}

/// Where a key is, never the key itself: what a job carries to other machines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum KeyRef {
    /// An environment variable holding the key (hex, or a passphrase).
    Env(String),
    /// A key file (as `shroud keygen` writes).
    File(PathBuf),
}

impl std::fmt::Display for KeyRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyRef::Env(n) => write!(f, "env:{n}"),
            KeyRef::File(p) => write!(f, "file:{}", p.display()),
        }
    }
}

impl KeyRef {
    /// Reads the key this reference points to on this machine.
    pub fn resolve(&self) -> Result<Key, BatchError> {
        match self {
            KeyRef::Env(name) => {
                let v = std::env::var_os(name)
                    .ok_or_else(|| BatchError::KeyEnvMissing(name.clone()))?;
                let raw = zeroize::Zeroizing::new(v.into_encoded_bytes());
                Ok(Key::parse(&raw)?)
            }
            KeyRef::File(p) => {
                let (key, warning) = Key::from_file(p)?;
                // On an executor stderr is the only channel; the warning names the file only.
                if let Some(w) = warning {
                    eprintln!("shroud: warning: {w}");
                }
                Ok(key)
            }
        }
    }

    /// Reads the key and checks its fingerprint against the one the job was planned with.
    pub fn resolve_checked(&self, expected: &str) -> Result<Key, BatchError> {
        let key = self.resolve()?;
        let found = key.fingerprint();
        if found != expected {
            return Err(BatchError::Fingerprint {
                reference: self.to_string(),
                expected: expected.to_string(),
                found,
            });
        }
        Ok(key)
    }
}

/// Rewrites record batches with fixed column decisions, a policy and a key.
pub struct BatchPseudonymizer {
    detector: Arc<Detector>,
    transformer: Transformer,
    policy: Policy,
    plan: FilePlan,
}

impl std::fmt::Debug for BatchPseudonymizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchPseudonymizer")
            .field("columns", &self.plan.columns)
            .finish_non_exhaustive()
    }
}

impl BatchPseudonymizer {
    /// A pseudonymizer for batches whose columns were decided as `decisions` say. Fails when
    /// a column's operator needs a key and none is given.
    pub fn new(
        detector: Arc<Detector>,
        policy: Policy,
        key: Option<&Key>,
        decisions: &[ColumnDecision],
    ) -> Result<Self, BatchError> {
        Self::build(detector, policy, key, decisions, true)
    }

    /// A pseudonymizer that never transforms (for `output_schema` on a machine without the
    /// key: Spark's driver needs the schema before executors run).
    pub fn without_key(
        detector: Arc<Detector>,
        policy: Policy,
        decisions: &[ColumnDecision],
    ) -> Self {
        Self::build(detector, policy, None, decisions, false)
            .expect("only the key check fails, and it is off")
    }

    fn build(
        detector: Arc<Detector>,
        policy: Policy,
        key: Option<&Key>,
        decisions: &[ColumnDecision],
        check_key: bool,
    ) -> Result<Self, BatchError> {
        let mut plan = FilePlan::default();
        for d in decisions {
            let action = column_action(&policy, &d.column, d.verdict.as_deref(), d.free_text);
            if check_key
                && key.is_none()
                && let ColumnAction::Whole { op, .. } = &action
                && op.needs_key()
            {
                return Err(BatchError::Invalid(format!(
                    "column {}: operator {op} needs a key",
                    d.column
                )));
            }
            plan.columns.push(d.column.clone());
            plan.verdicts.push(d.verdict.clone());
            plan.actions.push(action);
            plan.cells.push(0);
            plan.findings.push(d.has_findings);
            plan.name_entities
                .push(crate::scan::name_entities(&detector, &d.column));
            plan.text_modes.push(crate::pseudo::text_mode(
                &policy,
                &d.column,
                d.free_text,
                plan.actions.last(),
            ));
            plan.epoch_units.push(
                crate::pseudo::epoch_unit(&plan, &d.column, &d.epochs)
                    .map_err(BatchError::Invalid)?,
            );
        }
        Ok(BatchPseudonymizer {
            detector,
            transformer: Transformer::new(key),
            policy,
            plan,
        })
    }

    /// `(column, operator)` per column, as the manifest names operators.
    pub fn operators(&self) -> Vec<(String, String)> {
        self.plan
            .columns
            .iter()
            .zip(&self.plan.actions)
            .map(|(c, a)| (c.clone(), a.describe()))
            .collect()
    }

    /// The schema of rewritten batches of `input` (known before any batch): the Parquet
    /// writer's own, so both give the same types.
    pub fn output_schema(&self, input: &Schema) -> Schema {
        crate::pseudo::output_schema(input, &self.plan, &self.policy)
    }

    /// Rewrites one batch: the same cells, edits and column rewrite as `shroud pseudonymize`
    /// of a Parquet file.
    pub fn rewrite(&self, rb: &RecordBatch) -> Result<RecordBatch, BatchError> {
        let paths = column_paths(rb.schema().as_ref());
        for p in &paths {
            if !self.plan.columns.contains(p) {
                return Err(BatchError::Invalid(format!(
                    "column {p} was not in the scan this pseudonymizer was planned from"
                )));
            }
        }
        // Column ids are the plan's, whatever order this batch has.
        let ids: HashMap<String, u32> = self
            .plan
            .columns
            .iter()
            .enumerate()
            .map(|(i, p)| (p.clone(), i as u32))
            .collect();
        let batch = crate::source::parquet::cells_of(rb, 0, &ids)?;
        let rw = Rewrite::new(&self.detector, &self.transformer, &self.policy, &self.plan);
        let edits = rw.transform_batch(&batch, "<arrow>")?;
        let (planned, schema) =
            crate::pseudo::parquet::plan_schema(rb.schema().as_ref(), &self.plan, &self.policy);
        let out = crate::pseudo::parquet::apply_batch(
            rb,
            &batch,
            &edits,
            &self.plan,
            &self.policy,
            &crate::pseudo::parquet::Layout {
                planned: &planned,
                schema: &schema,
                split: None,
            },
        )?;
        Ok(RecordBatch::try_new_with_options(
            schema,
            out.columns().to_vec(),
            &RecordBatchOptions::new().with_row_count(Some(rb.num_rows())),
        )?)
    }
}

/// Groups folded from some batches, before noise and suppression: the engine's own
/// accumulators by group key. Merges by addition.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AggregatePartial {
    /// Rows read.
    pub rows: u64,
    /// Groups, sorted by key.
    pub groups: Vec<(Vec<String>, Acc)>,
}

impl AggregatePartial {
    fn from_groups(groups: Groups, rows: u64) -> Self {
        let mut groups: Vec<(Vec<String>, Acc)> = groups.into_iter().collect();
        groups.sort_by(|a, b| a.0.cmp(&b.0));
        AggregatePartial { rows, groups }
    }

    fn to_groups(&self) -> Groups {
        self.groups.iter().cloned().collect()
    }

    /// Folds one batch, reading values as the CLI reads a Parquet file of the same rows.
    pub fn fold(spec: &AggregateSpec, rb: &RecordBatch) -> Result<Self, BatchError> {
        let paths = column_paths(rb.schema().as_ref());
        let mut ids = Vec::new();
        for n in spec.needed_columns() {
            match paths.iter().position(|p| *p == n) {
                Some(i) => ids.push(crate::aggregate::Slot::Column(i as u32)),
                None => {
                    return Err(AggregateError::NoColumn {
                        path: "<arrow>".into(),
                        hint: crate::aggregate::close_matches(&n, &paths),
                        column: n,
                    }
                    .into());
                }
            }
        }
        let batch = to_cells(rb, 0, &paths)?;
        let (groups, _) = spec.fold_batch(&batch, &ids)?;
        Ok(Self::from_groups(groups, rb.num_rows() as u64))
    }

    /// Adds `other` into `self`.
    pub fn merge(&mut self, other: &AggregatePartial) {
        let mut groups = self.to_groups();
        merge_groups(&mut groups, other.to_groups());
        *self = Self::from_groups(groups, self.rows + other.rows);
    }

    /// Publishes the merged groups: noise, suppression and totals, once.
    pub fn finish(&self, spec: &AggregateSpec) -> Result<Table, BatchError> {
        Ok(crate::aggregate::finish(
            spec,
            &self.to_groups(),
            self.rows,
        )?)
    }
}

/// A published table as a record batch: group-by columns as strings, `count` as int64,
/// other metrics as float64 (the columns of `shroud aggregate --output x.parquet`).
pub fn table_batch(spec: &AggregateSpec, t: &Table) -> Result<RecordBatch, BatchError> {
    use arrow_array::{Float64Array, Int64Array, StringArray};
    let mut fields: Vec<Field> = spec
        .group_by
        .iter()
        .map(|g| Field::new(g, DataType::Utf8, false))
        .collect();
    let mut arrays: Vec<ArrayRef> = (0..spec.group_by.len())
        .map(|i| {
            Arc::new(StringArray::from_iter_values(
                t.rows.iter().map(|r| r.keys[i].clone()),
            )) as ArrayRef
        })
        .collect();
    let mut vi = 0;
    for m in &spec.metrics {
        if *m == Metric::Count {
            fields.push(Field::new("count", DataType::Int64, false));
            arrays.push(Arc::new(Int64Array::from_iter_values(
                t.rows.iter().map(|r| r.count),
            )));
        } else {
            fields.push(Field::new(m.name(), DataType::Float64, true));
            let i = vi;
            arrays.push(Arc::new(
                t.rows.iter().map(|r| r.values[i]).collect::<Float64Array>(),
            ));
            vi += 1;
        }
    }
    debug_assert!(arrays.iter().all(|a| a.len() == t.rows.len()));
    Ok(RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Int64Array, StringArray};

    fn table(n: usize) -> RecordBatch {
        let emails: Vec<String> = (0..n).map(|i| format!("user{i}@example.com")).collect();
        let notes: Vec<String> = (0..n)
            .map(|i| format!("call me at +44 20 7946 0{:03} after lunch please", i % 1000))
            .collect();
        let region: Vec<String> = (0..n)
            .map(|i| ["north", "south", "east"][i % 3].into())
            .collect();
        let amount: Vec<i64> = (0..n as i64).map(|i| i % 50).collect();
        let schema = Arc::new(Schema::new(vec![
            Field::new("email", DataType::Utf8, true),
            Field::new("notes", DataType::Utf8, true),
            Field::new("region", DataType::Utf8, true),
            Field::new("amount", DataType::Int64, true),
        ]));
        RecordBatch::try_new(
            schema,
            vec![
                Arc::new(StringArray::from(emails)),
                Arc::new(StringArray::from(notes)),
                Arc::new(StringArray::from(region)),
                Arc::new(Int64Array::from(amount)),
            ],
        )
        .unwrap()
    }

    fn detector() -> Arc<Detector> {
        Arc::new(Detector::builtin().unwrap())
    }

    fn key() -> Key {
        Key::parse(b"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff").unwrap()
    }

    #[test]
    fn merged_halves_scan_like_the_whole() {
        let d = detector();
        let rb = table(40);
        let (whole, _) = scan_record_batch(&d, &rb, 0, false).unwrap();
        let (mut a, _) = scan_record_batch(&d, &rb.slice(0, 25), 0, false).unwrap();
        let (b, findings) = scan_record_batch(&d, &rb.slice(25, 15), 25, true).unwrap();
        assert!(findings.iter().all(|f| f.row >= 25));
        // Through JSON, as partials travel between processes.
        let b: ScanPartial = serde_json::from_str(&serde_json::to_string(&b).unwrap()).unwrap();
        a.merge(&b).unwrap();
        let ents = |p: &ScanPartial| -> Vec<(String, Option<String>)> {
            p.report(&d)
                .unwrap()
                .into_iter()
                .map(|c| (c.column, c.entity))
                .collect()
        };
        assert_eq!(ents(&a), ents(&whole));
        assert_eq!(a.rows, 40);
        // Hosts start from the empty state the Python package writes (shroud.arrow.ScanState).
        let mut empty: ScanPartial = serde_json::from_str(r#"{"rows":0,"columns":[]}"#).unwrap();
        empty.merge(&whole).unwrap();
        assert_eq!(ents(&empty), ents(&whole));
        let mut empty_agg: AggregatePartial =
            serde_json::from_str(r#"{"rows":0,"groups":[]}"#).unwrap();
        empty_agg.merge(&AggregatePartial::default());
        assert_eq!(empty_agg.rows, 0);
        assert_eq!(
            ents(&whole)[0],
            ("email".into(), Some("EMAIL_ADDRESS".into()))
        );
        let dec = whole.decisions(&d).unwrap();
        assert!(dec[1].has_findings && dec[1].verdict.is_none());
        assert!(!dec[3].has_findings);
    }

    #[test]
    fn arrow_scan_report_equals_the_cli_report_of_the_same_file() {
        // A Faker table (scripts/eval/gen.py) with native types, nulls and free text.
        let d = detector();
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/eval/seed1-snake/customers.parquet");
        let input = Input {
            path: path.clone(),
            format: Format::Parquet,
            compression: Compression::None,
            size: 0,
            handle: None,
            table: None,
        };
        let scan = crate::scan::scan_input(
            &d,
            &input,
            &crate::scan::ScanOptions::default(),
            None,
            Default::default(),
        )
        .unwrap();
        let cli = crate::report::file_report(&d, &input, &scan).columns;
        // The Arrow path: batches of 37 rows, scanned apart and merged out of order.
        let file = std::fs::File::open(&path).unwrap();
        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
            .unwrap()
            .with_batch_size(37)
            .build()
            .unwrap();
        let mut partials = Vec::new();
        let mut first = 0;
        for rb in reader {
            let rb = rb.unwrap();
            partials.push(scan_record_batch(&d, &rb, first, false).unwrap().0);
            first += rb.num_rows() as u64;
        }
        let mut merged = ScanPartial::default();
        let (head, tail) = partials.split_at(partials.len() / 2);
        for p in tail.iter().chain(head) {
            merged.merge(p).unwrap();
        }
        let arrow = merged.report(&d).unwrap();
        assert_eq!(
            serde_json::to_value(&arrow).unwrap(),
            serde_json::to_value(&cli).unwrap(),
            "the Arrow path's report differs from the CLI's"
        );
    }

    #[test]
    fn batch_tokens_equal_the_parquet_pseudonymizer() {
        let d = detector();
        let rb = table(30);
        // The CLI's path: a Parquet file, pass 1 plan, pass 2 rewrite.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let mut w = parquet::arrow::ArrowWriter::try_new(
            std::fs::File::create(&path).unwrap(),
            rb.schema(),
            None,
        )
        .unwrap();
        w.write(&rb).unwrap();
        w.close().unwrap();
        let input = Input {
            path,
            format: Format::Parquet,
            compression: Compression::None,
            size: 0,
            handle: None,
            table: None,
        };
        let policy = Policy::builtin();
        let k = key();
        let transformer = Transformer::new(Some(&k));
        let opts = crate::scan::ScanOptions::default();
        let plan = crate::pseudo::plan_file(&d, &policy, &input, &opts).unwrap();
        let rw = Rewrite::new(&d, &transformer, &policy, &plan);
        let out_path = dir.path().join("out.parquet");
        let mut out = std::fs::File::create(&out_path).unwrap();
        crate::pseudo::rewrite(&rw, &input, &opts, &mut out).unwrap();
        let cli: Vec<RecordBatch> =
            parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
                std::fs::File::open(&out_path).unwrap(),
            )
            .unwrap()
            .build()
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(cli.len(), 1);
        // The batch path, in two batches.
        let (mut scan, _) = scan_record_batch(&d, &rb.slice(0, 10), 0, false).unwrap();
        scan.merge(
            &scan_record_batch(&d, &rb.slice(10, 20), 10, false)
                .unwrap()
                .0,
        )
        .unwrap();
        let p = BatchPseudonymizer::new(d.clone(), policy, Some(&k), &scan.decisions(&d).unwrap())
            .unwrap();
        let a = p.rewrite(&rb.slice(0, 10)).unwrap();
        let b = p.rewrite(&rb.slice(10, 20)).unwrap();
        assert_eq!(a.schema().as_ref(), &p.output_schema(rb.schema().as_ref()));
        for (ours, theirs) in [(&a, cli[0].slice(0, 10)), (&b, cli[0].slice(10, 20))] {
            for name in ["email", "notes", "region", "amount"] {
                let x =
                    arrow_cast::cast(ours.column_by_name(name).unwrap(), &DataType::Utf8).unwrap();
                let y = arrow_cast::cast(theirs.column_by_name(name).unwrap(), &DataType::Utf8)
                    .unwrap();
                assert_eq!(x.as_ref(), y.as_ref(), "column {name}");
            }
        }
        let ours = a;
        let email = ours.column_by_name("email").unwrap();
        let email = email.as_any().downcast_ref::<StringArray>().unwrap();
        assert!(email.value(0).ends_with("@pseudo.invalid"));
    }

    #[test]
    fn keyed_operators_need_a_key_and_the_right_one() {
        let d = detector();
        let (scan, _) = scan_record_batch(&d, &table(10), 0, false).unwrap();
        let dec = scan.decisions(&d).unwrap();
        let err = BatchPseudonymizer::new(d, Policy::builtin(), None, &dec).unwrap_err();
        assert!(err.to_string().contains("needs a key"));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        std::fs::write(
            &path,
            "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100",
        )
        .unwrap();
        let r = KeyRef::File(path);
        let err = r.resolve_checked(&key().fingerprint()).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("fingerprint mismatch"), "{msg}");
        assert!(!msg.contains("ffeedd"));
        let found = r.resolve().unwrap().fingerprint();
        assert_eq!(r.resolve_checked(&found).unwrap().fingerprint(), found);
        let missing = KeyRef::Env("SHROUD_TEST_NO_SUCH_VARIABLE".into());
        assert!(matches!(
            missing.resolve(),
            Err(BatchError::KeyEnvMissing(_))
        ));
    }

    #[test]
    fn aggregate_partials_merge_to_the_whole() {
        let rb = table(90);
        let req = AggregateRequest {
            group_by: vec!["region".into()],
            bins: vec![],
            metrics: vec!["count".into(), "sum:amount".into()],
            min_group_size: 31,
            totals: false,
            epsilon: None,
            clamps: BTreeMap::new(),
            seed: None,
            lenient: false,
            decimal_comma: false,
            privacy_unit: None,
            max_groups_per_unit: 1,
        };
        let spec = req.compile().unwrap();
        let whole = AggregatePartial::fold(&spec, &rb).unwrap();
        let mut a = AggregatePartial::fold(&spec, &rb.slice(0, 50)).unwrap();
        a.merge(&AggregatePartial::fold(&spec, &rb.slice(50, 40)).unwrap());
        assert_eq!(a, whole);
        // 30 rows per region: all below 31, all suppressed.
        let t = a.finish(&spec).unwrap();
        assert_eq!((t.rows.len(), t.suppressed, t.rows_read), (0, 3, 90));
        let spec = AggregateRequest {
            min_group_size: 30,
            ..req
        }
        .compile()
        .unwrap();
        let t = a.finish(&spec).unwrap();
        let batch = table_batch(&spec, &t).unwrap();
        assert_eq!(batch.num_rows(), 3);
        assert_eq!(batch.schema().field(1).name(), "count");
        assert_eq!(t.rows[0].keys, vec!["east".to_string()]);
        assert_eq!(t.rows[0].count, 30);
    }
}
