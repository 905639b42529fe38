//! `pseudonymize`: writes a copy of each input, same format, with personal values replaced.
//!
//! Two passes per file. Pass 1 is a scan (the same engine and readers as `shroud scan`) that
//! gives each column its verdict. Pass 2 rewrites the file: a column with a verdict has every
//! non-empty cell transformed by the policy's operator for that entity; any other column is
//! scanned again cell by cell and only the detected spans are replaced (free text keeps its
//! words). Cells that are not personal are written back byte for byte (CSV), value for value
//! (JSON, Parquet). Output goes to a temporary file renamed into place when complete.
//!
//! Neighbours: `scan` (pass 1), `detect` (spans in pass 2), `transform` (operators),
//! `output` (atomic files); `csv`, `json`, `parquet` here are the per-format rewriters.

mod csv;
mod json;
pub(crate) mod parquet;

use crate::detect::{ColumnPlan, Detector, Scratch};
use crate::scan::{FileScan, ScanOptions, scan_input};
use crate::source::{Format, Input, SourceError};
use crate::transform::{Operator, Output, Policy, TransformError, Transformer};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

/// Errors of a pseudonymize run.
#[derive(Debug, thiserror::Error)]
pub enum PseudoError {
    /// Reading the input failed.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// An operator could not run.
    #[error(transparent)]
    Transform(#[from] TransformError),
    /// Writing the output failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The input is malformed for the rewriter.
    #[error("{path}: {message}")]
    Malformed {
        /// The file.
        path: String,
        /// Cause.
        message: String,
    },
}

/// What happens to one column.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnAction {
    /// The whole cell, with the operator, for the column's entity.
    Whole {
        /// The column's verdict.
        entity: String,
        /// The operator.
        op: Operator,
    },
    /// Only detected spans are replaced (free text and columns without a verdict).
    Spans,
    /// The column is removed.
    Drop,
}

/// Per-column counts for the manifest.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ColumnCounts {
    /// Cells whose value changed.
    pub cells_changed: u64,
    /// Spans replaced inside cells (free text).
    pub spans_replaced: u64,
}

/// The manifest entry of one column.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnManifest {
    /// Column path.
    pub column: String,
    /// The verdict of pass 1.
    pub verdict: Option<String>,
    /// `token`, `mask(keep_last=4)`, `spans`, `drop`...
    pub operator: String,
    /// Counts.
    #[serde(flatten)]
    pub counts: ColumnCounts,
    /// Parquet: the column's type changed (e.g. int64 to string for a token).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub type_changed: Option<String>,
}

/// The manifest entry of one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileManifest {
    /// Input path.
    pub input: String,
    /// Output path (relative to the output folder), `-` for stdout.
    pub output: String,
    /// Format.
    pub format: String,
    /// Rows written.
    pub rows: u64,
    /// Columns.
    pub columns: Vec<ColumnManifest>,
}

/// One column as pass 2 sees it: its action, its scan plan (built on first use) and counts.
/// Resolved once per column, so the per-cell path takes no lock and allocates nothing.
pub struct ColumnCtx {
    action: ColumnAction,
    name: String,
    plan: std::sync::OnceLock<ColumnPlan>,
    cells: AtomicU64,
    spans: AtomicU64,
}

impl ColumnCtx {
    /// The column's action.
    pub fn action(&self) -> &ColumnAction {
        &self.action
    }
}

/// Everything pass 2 needs for one file.
pub struct Rewrite<'a> {
    /// The detector (spans).
    pub detector: &'a Detector,
    /// The transformer (keyed operators).
    pub transformer: &'a Transformer,
    /// The policy.
    pub policy: &'a Policy,
    /// Per column path: the action decided in pass 1.
    actions: BTreeMap<String, ColumnAction>,
    /// Per column path: the resolved context.
    columns: std::sync::RwLock<foldhash::HashMap<String, Arc<ColumnCtx>>>,
}

impl<'a> Rewrite<'a> {
    /// The context of a column (columns not seen in pass 1 are scanned for spans).
    pub fn column(&self, name: &str) -> Arc<ColumnCtx> {
        if let Some(c) = self.columns.read().expect("column cache lock").get(name) {
            return Arc::clone(c);
        }
        let mut w = self.columns.write().expect("column cache lock");
        Arc::clone(w.entry(name.to_string()).or_insert_with(|| {
            Arc::new(ColumnCtx {
                action: self
                    .actions
                    .get(name)
                    .cloned()
                    .unwrap_or(ColumnAction::Spans),
                name: name.to_string(),
                plan: std::sync::OnceLock::new(),
                cells: AtomicU64::new(0),
                spans: AtomicU64::new(0),
            })
        }))
    }

    /// The action for a column.
    pub fn action(&self, column: &str) -> ColumnAction {
        self.column(column).action.clone()
    }

    /// Transforms one cell of `column`; `Output::Same` when nothing personal is in it.
    pub fn cell(
        &self,
        column: &str,
        value: &str,
        scratch: &mut Scratch,
    ) -> Result<Output, TransformError> {
        self.cell_in(&self.column(column), value, scratch)
    }

    /// Transforms one cell of a resolved column.
    pub fn cell_in(
        &self,
        col: &ColumnCtx,
        value: &str,
        scratch: &mut Scratch,
    ) -> Result<Output, TransformError> {
        use std::sync::atomic::Ordering::Relaxed;
        if value.trim().is_empty() {
            return Ok(Output::Same);
        }
        match &col.action {
            ColumnAction::Drop => Ok(Output::Null),
            ColumnAction::Whole { entity, op } => {
                let out = self.transformer.apply(op, entity, value)?;
                if out != Output::Same {
                    col.cells.fetch_add(1, Relaxed);
                }
                Ok(out)
            }
            ColumnAction::Spans => {
                let plan = col.plan.get_or_init(|| self.detector.plan(&col.name));
                self.detector.scan_cell(plan, value.as_bytes(), scratch);
                if scratch.findings.is_empty() {
                    return Ok(Output::Same);
                }
                let mut out = String::with_capacity(value.len());
                let mut last = 0;
                let mut spans = 0;
                for f in &scratch.findings {
                    let (s, e) = (f.start as usize, f.end as usize);
                    if !value.is_char_boundary(s) || !value.is_char_boundary(e) {
                        continue;
                    }
                    let entity = &self.detector.entities[f.entity as usize];
                    let op = self.policy.operator(&col.name, entity);
                    let op = if *op == Operator::Drop {
                        &Operator::Redact
                    } else {
                        op
                    };
                    match self.transformer.apply(op, entity, &value[s..e])? {
                        Output::Same => continue,
                        Output::Value(v) => {
                            out.push_str(&value[last..s]);
                            out.push_str(&v);
                        }
                        Output::Null => out.push_str(&value[last..s]),
                    }
                    last = e;
                    spans += 1;
                }
                if spans == 0 {
                    return Ok(Output::Same);
                }
                out.push_str(&value[last..]);
                col.cells.fetch_add(1, Relaxed);
                col.spans.fetch_add(spans, Relaxed);
                Ok(Output::Value(out))
            }
        }
    }

    /// The manifest's column list for `columns` (in file order).
    pub fn manifest_columns(
        &self,
        columns: &[String],
        verdicts: &BTreeMap<String, Option<String>>,
    ) -> Vec<ColumnManifest> {
        use std::sync::atomic::Ordering::Relaxed;
        columns
            .iter()
            .map(|c| {
                let ctx = self.column(c);
                ColumnManifest {
                    column: c.clone(),
                    verdict: verdicts.get(c).cloned().flatten(),
                    operator: match &ctx.action {
                        ColumnAction::Whole { op, .. } => op.to_string(),
                        ColumnAction::Spans => "spans".to_string(),
                        ColumnAction::Drop => "drop".to_string(),
                    },
                    counts: ColumnCounts {
                        cells_changed: ctx.cells.load(Relaxed),
                        spans_replaced: ctx.spans.load(Relaxed),
                    },
                    type_changed: None,
                }
            })
            .collect()
    }
}

/// The plan for one input: pass-1 verdicts turned into column actions.
pub struct FilePlan {
    /// Column paths in file order.
    pub columns: Vec<String>,
    /// Verdict per column.
    pub verdicts: BTreeMap<String, Option<String>>,
    /// Action per column.
    pub actions: BTreeMap<String, ColumnAction>,
    /// Rows scanned in pass 1.
    pub rows: u64,
}

/// The action for column `name` whose pass-1 verdict is `verdict` (shared with
/// [`crate::batch`], so a batch host decides exactly as the CLI does).
pub fn column_action(policy: &Policy, name: &str, verdict: Option<&str>) -> ColumnAction {
    match (verdict, policy.columns.get(name)) {
        (_, Some(Operator::Drop)) => ColumnAction::Drop,
        (Some(e), _) => match policy.operator(name, e) {
            Operator::Drop => ColumnAction::Drop,
            op => ColumnAction::Whole {
                entity: e.to_string(),
                op: op.clone(),
            },
        },
        (None, _) => ColumnAction::Spans,
    }
}

/// Pass 1: scans the input and decides each column's action.
pub fn plan_file(
    detector: &Detector,
    policy: &Policy,
    input: &Input,
    opts: &ScanOptions,
) -> Result<FilePlan, SourceError> {
    let scan = scan_input(detector, input, opts, None, Arc::new(AtomicU64::new(0)))?;
    Ok(plan_from_scan(policy, &scan))
}

/// The plan for a file already scanned (pass 1's scan kept for a report).
pub fn plan_from_scan(policy: &Policy, scan: &FileScan) -> FilePlan {
    let mut columns = Vec::new();
    let mut verdicts = BTreeMap::new();
    let mut actions = BTreeMap::new();
    for c in &scan.columns {
        let action = column_action(policy, &c.name, c.verdict.entity.as_deref());
        verdicts.insert(c.name.clone(), c.verdict.entity.clone());
        actions.insert(c.name.clone(), action);
        columns.push(c.name.clone());
    }
    FilePlan {
        columns,
        verdicts,
        actions,
        rows: scan.rows,
    }
}

impl<'a> Rewrite<'a> {
    /// A rewrite of one file with the given plan.
    pub fn new(
        detector: &'a Detector,
        transformer: &'a Transformer,
        policy: &'a Policy,
        plan: &FilePlan,
    ) -> Self {
        Rewrite {
            detector,
            transformer,
            policy,
            actions: plan.actions.clone(),
            columns: std::sync::RwLock::new(foldhash::HashMap::default()),
        }
    }
}

/// Pass 2: rewrites `input` into `out`. Returns the rows written and Parquet type changes.
pub fn rewrite(
    rw: &Rewrite<'_>,
    input: &Input,
    opts: &ScanOptions,
    out: &mut (dyn std::io::Write + Send),
) -> Result<(u64, BTreeMap<String, String>), PseudoError> {
    match input.format {
        Format::Csv => csv::rewrite(rw, input, opts, out).map(|rows| (rows, BTreeMap::new())),
        Format::Json | Format::Jsonl => {
            json::rewrite(rw, input, out).map(|rows| (rows, BTreeMap::new()))
        }
        Format::Parquet => parquet::rewrite(rw, input, out),
    }
}

/// Wraps a writer in the input's compression (gzip, zstd) so the output keeps it.
pub fn compressed_writer<'w>(
    input: &Input,
    w: &'w mut (dyn std::io::Write + Send),
) -> std::io::Result<Box<dyn FinishWrite + 'w>> {
    use crate::source::Compression;
    Ok(match input.compression {
        Compression::None => Box::new(Plain(w)),
        Compression::Gzip => Box::new(flate2::write::GzEncoder::new(
            w,
            flate2::Compression::default(),
        )),
        Compression::Zstd => Box::new(zstd::stream::write::Encoder::new(w, 3)?),
    })
}

/// A writer that must be finished (compression trailers).
pub trait FinishWrite: std::io::Write + Send {
    /// Writes any trailer and flushes.
    fn finish_write(self: Box<Self>) -> std::io::Result<()>;
}

struct Plain<'w>(&'w mut (dyn std::io::Write + Send));

impl std::io::Write for Plain<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

impl FinishWrite for Plain<'_> {
    fn finish_write(self: Box<Self>) -> std::io::Result<()> {
        self.0.flush()
    }
}

impl<W: std::io::Write + Send> FinishWrite for flate2::write::GzEncoder<W> {
    fn finish_write(self: Box<Self>) -> std::io::Result<()> {
        self.finish().map(|_| ())
    }
}

impl<W: std::io::Write + Send> FinishWrite for zstd::stream::write::Encoder<'_, W> {
    fn finish_write(self: Box<Self>) -> std::io::Result<()> {
        self.finish().map(|_| ())
    }
}
