//! `pseudonymize`: writes a copy of each input, same format, with personal values replaced.
//!
//! Two passes per file, through the same reader. Pass 1 is a scan that gives each column its
//! verdict; [`plan_from_scan`] turns verdicts into [`ColumnAction`]s. Pass 2 reads the file
//! again with [`ReadOptions::keep_raw`]: the same batches of cells as pass 1, plus the records
//! as read. Workers turn each batch into [`Edits`] (column-major, as the scan works), and the
//! format's writer (`csv`, `json`, `parquet` here) rebuilds each record from its raw form and
//! the edits, in order. A record nothing changed in is written back byte for byte (CSV, JSON
//! Lines); every other record keeps every untouched value. Pass 2 must see the rows and cells
//! pass 1 saw, or the file fails and nothing is kept.
//!
//! Neighbours: `scan` (pass 1), `detect` (spans), `transform` (operators), `entity` (which
//! entities a kept column still gives up), `output` (atomic files).

mod csv;
mod footer;
pub mod job;
mod json;
pub(crate) mod parquet;
pub mod release;
pub(crate) mod schema_text;
mod table;

use crate::detect::verdict::cell_digest;
use crate::detect::{ColumnPlan, Detector, Finding, Scratch};
use crate::scan::{FileScan, ScanOptions, scan_input};
use crate::source::{Batch, BatchReader, Format, Input, ReadOptions, SourceError};
use crate::transform::{Operator, Output, Policy, TransformError, Transformer};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

pub use parquet::output_schema;

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
    /// The input is malformed for the writer.
    #[error("{path}: {message}")]
    Malformed {
        /// The file.
        path: String,
        /// Cause.
        message: String,
    },
    /// Pass 2 did not see what pass 1 saw: the file changed between the passes, or a reader
    /// disagrees with itself. Nothing of the file is kept.
    #[error("{path}: {message}; refusing to write a copy that pass 1 did not vouch for")]
    Mismatch {
        /// The file.
        path: String,
        /// What differed.
        message: String,
    },
}

/// What happens to one column.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnAction {
    /// Every non-empty cell, whole, with the operator.
    Whole {
        /// The column's verdict (empty when a `[columns]` override names a column with none).
        entity: String,
        /// The operator.
        op: Operator,
    },
    /// Only detected spans are replaced, each by its entity's operator. In a column kept for
    /// its verdict (`keep` = the verdict: a city column under the default policy), only spans
    /// of entities that are evident on their own (an email typed into it) are replaced.
    Spans {
        /// The verdict the policy keeps, if the column is kept for it.
        keep: Option<String>,
    },
    /// Left exactly as it is (a `[columns]` override to `keep`).
    Verbatim,
    /// The column is removed.
    Drop,
}

impl ColumnAction {
    /// How the manifest and `--dry-run` name the action.
    pub fn describe(&self) -> String {
        match self {
            ColumnAction::Whole { op, .. } => op.to_string(),
            ColumnAction::Spans { keep: None } => "spans".to_string(),
            ColumnAction::Spans { keep: Some(_) } => "keep".to_string(),
            ColumnAction::Verbatim => "keep (column override)".to_string(),
            ColumnAction::Drop => "drop".to_string(),
        }
    }
}

/// The manifest: what a run did, per file and column. Never a value, never the key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// Contract version.
    pub version: u32,
    /// `shroud x.y.z`.
    pub tool: String,
    /// The key's fingerprint (not the key).
    pub key_fingerprint: Option<String>,
    /// Operator per entity, the default, and column overrides.
    pub policy: BTreeMap<String, String>,
    /// Token shapes: bits per token and the expected collisions among a million values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<String>,
    /// Whether outputs were rescanned (`--verify`).
    #[serde(default)]
    pub verified: bool,
    /// The number of the release that wrote the manifest last (1 for the first run into an
    /// outbox; `--append` and `--force` count on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<u32>,
    /// Per file, every file of every release still in the outbox.
    pub files: Vec<FileManifest>,
}

/// The manifest entry of one file.
#[derive(Debug, Clone, Serialize, Deserialize)]
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
    /// SHA-256 of the file as written (hex): `check` fails a release whose files do not
    /// match, such as one left half-replaced by a killed `--force` run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// The release that wrote the file ([`Manifest::release`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<u32>,
    /// The fingerprint of the key that wrote the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_fingerprint: Option<String>,
}

/// The manifest entry of one column.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ColumnManifest {
    /// Column path (masked when the name itself holds personal data).
    pub column: String,
    /// The verdict of pass 1.
    pub verdict: Option<String>,
    /// `token`, `mask(keep_last=4)`, `spans`, `keep`, `drop`...
    pub operator: String,
    /// Cells whose value changed.
    pub cells_changed: u64,
    /// Spans replaced inside cells (free text).
    pub spans_replaced: u64,
    /// Parquet: the column's type changed (e.g. int64 to string for a token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_changed: Option<String>,
    /// The column's name held personal data and was replaced in the output.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub renamed: bool,
    /// With `--verify`: per entity the policy does not keep, cells of the output that still
    /// hold it (the run fails when any is left).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub residual: BTreeMap<String, u64>,
    /// A free-text column's mode: `recall` (every unexplained word replaced) or `precise`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_mode: Option<String>,
    /// The column has no verdict, yet its values are mostly distinct and text-like: its
    /// shape ([`crate::scan::ColumnResult::unexplained`]). Kept as it is unless the policy
    /// names the column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unexplained: Option<crate::detect::shape::Summary>,
}

/// The plan for one input: pass-1 verdicts turned into column actions, by column id (the
/// order the reader names columns in, the same in both passes).
#[derive(Debug, Clone, Default)]
pub struct FilePlan {
    /// Column paths.
    pub columns: Vec<String>,
    /// Verdict per column.
    pub verdicts: Vec<Option<String>>,
    /// Action per column.
    pub actions: Vec<ColumnAction>,
    /// Non-empty cells per column in pass 1 (pass 2 must see as many).
    pub cells: Vec<u64>,
    /// Whether pass 1 found anything in the column (a Parquet column that may change).
    pub findings: Vec<bool>,
    /// Per column: pass 1's digest of its cells ([`crate::detect::verdict::cell_digest`]).
    pub digests: Vec<u64>,
    /// Per column: the region its national phone numbers are read in (`DE`), from the votes
    /// of the phone numbers pass 1 found in it, else in the whole file.
    pub phone_regions: Vec<Option<String>>,
    /// Entities found in each column's name (a header that is itself personal data).
    pub name_entities: Vec<Vec<String>>,
    /// Per column: the unit (ticks per second) of its epoch dates, decided from all of them
    /// in pass 1, for columns whose dates are generalized or shifted.
    pub epoch_units: Vec<Option<i64>>,
    /// Columns that cannot be written faithfully, and why (an epoch date column whose unit
    /// cannot be told): the file is refused.
    pub refusals: Vec<String>,
    /// Per column: how its free text is pseudonymized (`None`: not a free-text column).
    pub text_modes: Vec<Option<crate::transform::TextMode>>,
    /// Per column: its shape when no rule explains it and the policy does not name it.
    pub unexplained: Vec<Option<crate::detect::shape::Summary>>,
    /// Rows scanned in pass 1.
    pub rows: u64,
    /// Whether pass 1 read only the first rows (a plan for display, not for writing).
    pub sampled: bool,
}

impl FilePlan {
    /// The action of column `path` (every column with that path: CSV headers may repeat).
    pub fn action_of(&self, path: &str) -> Option<&ColumnAction> {
        self.columns
            .iter()
            .position(|c| c == path)
            .map(|i| &self.actions[i])
    }
}

/// The action for column `name` whose pass-1 verdict is `verdict` (shared with
/// [`crate::batch`], so a batch host decides exactly as the CLI does). A `[columns]` override
/// applies whatever the verdict, also to columns without one: to whole cells, or in a free
/// text column to each value found in it (`notes = "replace"` keeps the words around).
pub fn column_action(
    policy: &Policy,
    name: &str,
    verdict: Option<&str>,
    free_text: bool,
) -> ColumnAction {
    if let Some(op) = policy.columns.get(name) {
        return match op {
            Operator::Drop => ColumnAction::Drop,
            Operator::Keep => ColumnAction::Verbatim,
            _ if verdict.is_none() && free_text => ColumnAction::Spans { keep: None },
            op => ColumnAction::Whole {
                entity: verdict.unwrap_or_default().to_string(),
                op: op.clone(),
            },
        };
    }
    match verdict {
        Some(e) => match policy.operator(name, e) {
            Operator::Drop => ColumnAction::Drop,
            Operator::Keep => ColumnAction::Spans {
                keep: Some(e.to_string()),
            },
            op => ColumnAction::Whole {
                entity: e.to_string(),
                op: op.clone(),
            },
        },
        None => ColumnAction::Spans { keep: None },
    }
}

/// Pass 1: scans the input and decides each column's action.
pub fn plan_file(
    detector: &Detector,
    policy: &Policy,
    input: &Input,
    opts: &ScanOptions,
) -> Result<FilePlan, SourceError> {
    let scan = scan_input(detector, input, opts, None, opts.read.counter())?;
    Ok(plan_from_scan(policy, &scan))
}

/// The plan for a file already scanned (pass 1's scan, kept for a report).
pub fn plan_from_scan(policy: &Policy, scan: &FileScan) -> FilePlan {
    let mut plan = FilePlan {
        rows: scan.rows,
        sampled: scan.sampled,
        ..FilePlan::default()
    };
    for c in &scan.columns {
        plan.actions.push(column_action(
            policy,
            &c.name,
            c.verdict.entity.as_deref(),
            c.verdict.free_text,
        ));
        plan.verdicts.push(c.verdict.entity.clone());
        plan.columns.push(c.name.clone());
        plan.cells.push(c.stats.non_empty);
        plan.findings
            .push(c.stats.entities.iter().any(|e| e.cells > 0));
        plan.digests.push(c.stats.digest);
        plan.name_entities.push(c.name_entities.clone());
        plan.unexplained.push(
            c.unexplained()
                .filter(|_| !policy.columns.contains_key(&c.name)),
        );
        plan.text_modes.push(text_mode(
            policy,
            &c.name,
            c.verdict.free_text,
            plan.actions.last(),
        ));
        let unit = epoch_unit(&plan, &c.name, &c.stats.epochs).unwrap_or_else(|why| {
            plan.refusals.push(why);
            None
        });
        plan.epoch_units.push(unit);
    }
    // A token depends on the value and the region the policy names, never on the other
    // rows of the file (issue 28: a region voted per file gave one number two tokens).
    let region = policy.phone_region.map(|r| format!("{r:?}"));
    plan.phone_regions = scan.columns.iter().map(|_| region.clone()).collect();
    plan
}

/// How a column's free text is pseudonymized: the policy's mode for a free-text column whose
/// spans are replaced (not for a column kept for its verdict, nor one with a `[columns]`
/// override), else `None`.
pub fn text_mode(
    policy: &Policy,
    column: &str,
    free_text: bool,
    action: Option<&ColumnAction>,
) -> Option<crate::transform::TextMode> {
    (free_text && matches!(action, Some(ColumnAction::Spans { keep: None })))
        .then(|| policy.text_mode(column))
}

/// The unit of the epoch dates of the column just planned (the plan's last action), when
/// its birth dates are generalized or shifted: decided once from all its values (issue 28),
/// or why it cannot be.
pub fn epoch_unit(
    plan: &FilePlan,
    column: &str,
    epochs: &crate::transform::epoch::EpochRange,
) -> Result<Option<i64>, String> {
    let dates = matches!(
        plan.actions.last(),
        Some(ColumnAction::Whole {
            op: crate::transform::Operator::Generalize { .. }
                | crate::transform::Operator::DateShift { .. },
            entity,
        }) if entity == "DATE_OF_BIRTH"
    );
    if !dates {
        return Ok(None);
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(i64::MAX, |d| d.as_secs() as i64);
    crate::transform::epoch::decide(epochs, now).map_err(|why| format!("column {column}: {why}"))
}

/// A new value for one cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// New bytes.
    Bytes(Vec<u8>),
    /// No value: empty in CSV, null in JSON and Parquet.
    Null,
}

/// The edits of one batch, column-major like the batch: for `batch.columns[i]`, one entry per
/// cell (`None`: unchanged).
#[derive(Debug, Default)]
pub struct Edits {
    /// Per batch column: its edits, aligned with its cells; empty when nothing changed.
    pub columns: Vec<Vec<Option<Edit>>>,
}

impl Edits {
    /// Whether any cell changed.
    pub fn is_empty(&self) -> bool {
        self.columns.iter().all(Vec::is_empty)
    }

    /// Per row of `batch`: whether one of its cells changed.
    pub fn changed_rows(&self, batch: &Batch) -> Vec<bool> {
        let mut rows = vec![false; batch.rows];
        for (cells, edits) in batch.columns.iter().zip(&self.columns) {
            for (&(r, _, _), e) in cells.cells.iter().zip(edits) {
                if e.is_some() {
                    rows[r as usize] = true;
                }
            }
        }
        rows
    }
}

/// One column as pass 2 sees it: its action, its scan plan and counts.
pub struct ColumnCtx {
    action: ColumnAction,
    name: String,
    plan: ColumnPlan,
    /// The region national phone numbers are read in.
    region: Option<phonenumber::country::Id>,
    /// The unit of the column's epoch dates (ticks per second).
    epoch: Option<i64>,
    /// A free-text column in high-recall mode ([`crate::detect::recall`]).
    recall: bool,
    /// A span column in which pass 1 found nothing: the first scan of every cell would find
    /// nothing again, so pass 2 copies it without scanning (the digest proves the cells are
    /// the ones pass 1 scanned).
    nothing_found: bool,
    cells: AtomicU64,
    spans: AtomicU64,
    seen: AtomicU64,
    digest: AtomicU64,
}

impl ColumnCtx {
    /// The column's action.
    pub fn action(&self) -> &ColumnAction {
        &self.action
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Rescans of a cell whose spans were replaced, until nothing more is found.
const MAX_PASSES: usize = 3;

/// Everything pass 2 needs for one file.
pub struct Rewrite<'a> {
    /// The detector (spans).
    pub detector: &'a Detector,
    /// The transformer (keyed operators).
    pub transformer: &'a Transformer,
    /// The policy.
    pub policy: &'a Policy,
    /// The plan of pass 1.
    pub plan: &'a FilePlan,
    columns: Vec<ColumnCtx>,
    rows: AtomicU64,
}

impl<'a> Rewrite<'a> {
    /// Plan column ids by column path (what the JSON walks look leaves up by).
    pub(crate) fn plan_ids(&self) -> std::collections::HashMap<String, u32> {
        self.plan
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| (c.clone(), i as u32))
            .collect()
    }

    /// A rewrite of one file with the given plan.
    pub fn new(
        detector: &'a Detector,
        transformer: &'a Transformer,
        policy: &'a Policy,
        plan: &'a FilePlan,
    ) -> Self {
        let columns = plan
            .columns
            .iter()
            .zip(&plan.actions)
            .enumerate()
            .map(|(i, (name, action))| ColumnCtx {
                action: action.clone(),
                name: name.clone(),
                plan: detector.plan(name),
                region: plan
                    .phone_regions
                    .get(i)
                    .and_then(Option::as_deref)
                    .and_then(|r| r.parse().ok()),
                epoch: plan.epoch_units.get(i).copied().flatten(),
                recall: plan.text_modes.get(i).copied().flatten()
                    == Some(crate::transform::TextMode::Recall),
                // In high-recall mode a cell with no finding still has candidates.
                nothing_found: plan.text_modes.get(i).copied().flatten()
                    != Some(crate::transform::TextMode::Recall)
                    && matches!(action, ColumnAction::Spans { .. })
                    && !plan.sampled
                    && plan.findings.get(i) == Some(&false)
                    && plan.digests.len() == plan.columns.len(),
                cells: AtomicU64::new(0),
                spans: AtomicU64::new(0),
                seen: AtomicU64::new(0),
                digest: AtomicU64::new(0),
            })
            .collect();
        Rewrite {
            detector,
            transformer,
            policy,
            plan,
            columns,
            rows: AtomicU64::new(0),
        }
    }

    /// The context of column `id`.
    pub fn column(&self, id: u32) -> Option<&ColumnCtx> {
        self.columns.get(id as usize)
    }

    /// Whether column `id` is dropped.
    pub fn dropped(&self, id: u32) -> bool {
        self.columns
            .get(id as usize)
            .is_some_and(|c| c.action == ColumnAction::Drop)
    }

    /// Transforms one batch: an edit per changed cell. A column pass 1 did not see is an
    /// error (the input changed between the passes).
    pub fn transform_batch(&self, batch: &Batch, path: &str) -> Result<Edits, PseudoError> {
        self.rows.fetch_add(batch.rows as u64, Relaxed);
        SCRATCH.with(|scratch| {
            let scratch = &mut *scratch.borrow_mut();
            let mut edits = Edits::default();
            for cells in &batch.columns {
                let col = self
                    .column(cells.col)
                    .ok_or_else(|| PseudoError::Mismatch {
                        path: path.to_string(),
                        message: format!(
                            "pass 2 found a column pass 1 did not (column {})",
                            cells.col + 1
                        ),
                    })?;
                let mut out: Vec<Option<Edit>> = Vec::new();
                let mut seen = 0u64;
                let mut digest = 0u64;
                for (i, (r, value)) in cells.iter().enumerate() {
                    if !value.trim_ascii().is_empty() {
                        seen += 1;
                        let row = batch.first_row + u64::from(r);
                        digest = digest.wrapping_add(cell_digest(row, value));
                    }
                    if let Some(e) = self.cell(col, value, scratch)? {
                        if out.is_empty() {
                            out.resize(cells.cells.len(), None);
                        }
                        out[i] = Some(e);
                    }
                }
                col.seen.fetch_add(seen, Relaxed);
                col.digest.fetch_add(digest, Relaxed);
                edits.columns.push(out);
            }
            Ok(edits)
        })
    }

    /// Transforms one cell; `None` when nothing in it changes.
    pub fn cell(
        &self,
        col: &ColumnCtx,
        value: &[u8],
        scratch: &mut Scratch,
    ) -> Result<Option<Edit>, TransformError> {
        if value.trim_ascii().is_empty() {
            return Ok(None);
        }
        let edit = match &col.action {
            ColumnAction::Drop | ColumnAction::Verbatim => None,
            ColumnAction::Spans { .. } if col.nothing_found => None,
            ColumnAction::Whole { entity, op } => {
                let text = String::from_utf8_lossy(value);
                match self
                    .transformer
                    .apply_column(op, entity, &text, col.region, col.epoch)?
                {
                    Output::Same => None,
                    Output::Value(v) => Some(Edit::Bytes(v.into_bytes())),
                    Output::Null => Some(Edit::Null),
                }
            }
            ColumnAction::Spans { keep } => {
                let mut current: Option<Vec<u8>> = None;
                for _ in 0..MAX_PASSES {
                    match current.as_deref() {
                        // The cell as read: repeated values are common (memoised).
                        None => self.detector.scan_cell_memo(&col.plan, value, scratch),
                        Some(text) => self.detector.scan_cell(&col.plan, text, scratch),
                    }
                    let text = current.as_deref().unwrap_or(value);
                    let mut findings = std::mem::take(&mut scratch.findings);
                    if col.recall {
                        crate::detect::recall::add_findings(self.detector, text, &mut findings);
                    }
                    let next = self.replace_spans(col, keep.as_deref(), text, &findings)?;
                    scratch.findings = findings;
                    match next {
                        Some(n) => current = Some(n),
                        None => break,
                    }
                }
                current.map(Edit::Bytes)
            }
        };
        if edit.is_some() {
            col.cells.fetch_add(1, Relaxed);
        }
        Ok(edit)
    }

    /// `text` with the findings the policy does not keep replaced; `None` when none is.
    fn replace_spans(
        &self,
        col: &ColumnCtx,
        keep: Option<&str>,
        text: &[u8],
        findings: &[Finding],
    ) -> Result<Option<Vec<u8>>, TransformError> {
        let mut out = Vec::with_capacity(text.len() + 16);
        let mut last = 0;
        let mut spans = 0;
        for f in findings {
            let (s, e) = (f.start as usize, f.end as usize);
            let entity = &self.detector.entities[f.entity as usize];
            if let Some(k) = keep
                && crate::entity::kept_column_covers(k, entity)
            {
                continue;
            }
            let op = self.policy.operator(&col.name, entity);
            let op = match op {
                Operator::Keep => continue,
                Operator::Drop => &Operator::Redact,
                // High-recall text keeps nothing it cannot prove harmless: a postcode there
                // stands in an address (`Edinburgh EH2 2BY`), so it goes whole, as a token,
                // where a postcode column keeps its generalized prefix.
                Operator::Generalize { .. } if col.recall && entity == "POSTAL_CODE" => {
                    &Operator::Token
                }
                op => op,
            };
            let value = String::from_utf8_lossy(&text[s..e]);
            match self.transformer.apply_in(op, entity, &value, col.region)? {
                Output::Same => continue,
                Output::Value(v) => {
                    out.extend_from_slice(&text[last..s]);
                    out.extend_from_slice(v.as_bytes());
                }
                Output::Null => out.extend_from_slice(&text[last..s]),
            }
            last = e;
            spans += 1;
        }
        if spans == 0 {
            return Ok(None);
        }
        out.extend_from_slice(&text[last..]);
        col.spans.fetch_add(spans, Relaxed);
        Ok(Some(out))
    }

    /// Checks that pass 2 saw the rows and cells pass 1 saw.
    pub fn check_counts(&self, path: &str) -> Result<(), PseudoError> {
        let rows = self.rows.load(Relaxed);
        if rows != self.plan.rows {
            return Err(PseudoError::Mismatch {
                path: path.to_string(),
                message: format!(
                    "pass 2 read {rows} rows where pass 1 read {}",
                    self.plan.rows
                ),
            });
        }
        for (i, (c, &expected)) in self.columns.iter().zip(&self.plan.cells).enumerate() {
            let seen = c.seen.load(Relaxed);
            if seen != expected {
                return Err(PseudoError::Mismatch {
                    path: path.to_string(),
                    message: format!(
                        "column {}: pass 2 read {seen} cells where pass 1 read {expected}",
                        crate::report::display_column(
                            &c.name,
                            !self.plan.name_entities[i].is_empty()
                        )
                    ),
                });
            }
            if let Some(&expected) = self.plan.digests.get(i)
                && !self.plan.sampled
                && c.digest.load(Relaxed) != expected
            {
                return Err(PseudoError::Mismatch {
                    path: path.to_string(),
                    message: format!(
                        "column {}: the values pass 2 read differ from those pass 1 judged \
                         (the input changed while it was being read)",
                        crate::report::display_column(
                            &c.name,
                            !self.plan.name_entities[i].is_empty()
                        )
                    ),
                });
            }
        }
        Ok(())
    }

    /// The manifest's column list, in file order.
    pub fn manifest_columns(&self, type_changes: &BTreeMap<String, String>) -> Vec<ColumnManifest> {
        self.columns
            .iter()
            .enumerate()
            .map(|(i, ctx)| {
                let named = !self.plan.name_entities[i].is_empty();
                ColumnManifest {
                    column: crate::report::display_column(&ctx.name, named),
                    verdict: self.plan.verdicts[i].clone(),
                    operator: ctx.action.describe(),
                    cells_changed: ctx.cells.load(Relaxed),
                    spans_replaced: ctx.spans.load(Relaxed),
                    type_changed: type_changes.get(&ctx.name).cloned(),
                    renamed: named,
                    residual: BTreeMap::new(),
                    text_mode: self
                        .plan
                        .text_modes
                        .get(i)
                        .copied()
                        .flatten()
                        .map(|m| m.name().to_string()),
                    unexplained: self.plan.unexplained.get(i).cloned().flatten(),
                }
            })
            .collect()
    }

    /// The new name of column `id` when its name holds personal data: the name with those
    /// values replaced by their operators (tokens by default), as a cell of free text would be.
    pub fn renamed(&self, id: u32) -> Result<Option<String>, TransformError> {
        let Some(col) = self.column(id) else {
            return Ok(None);
        };
        if self.plan.name_entities[id as usize].is_empty() {
            return Ok(None);
        }
        Ok(Some(
            replace_text(self.detector, self.transformer, self.policy, &col.name)?
                .unwrap_or_else(|| format!("column_{}", id + 1)),
        ))
    }
}

/// `text` (a column or file name) with every value found in it replaced by the policy's
/// operator for its entity, as in free text; `None` when nothing is found.
pub fn replace_text(
    detector: &Detector,
    transformer: &Transformer,
    policy: &Policy,
    text: &str,
) -> Result<Option<String>, TransformError> {
    replace_text_in(detector, transformer, policy, "", text)
}

/// [`replace_text`] for a value of column `column` (a hive partition's `email=...`): judged
/// with the column's hints, and an entity the policy keeps in that column is kept.
pub fn replace_text_in(
    detector: &Detector,
    transformer: &Transformer,
    policy: &Policy,
    column: &str,
    text: &str,
) -> Result<Option<String>, TransformError> {
    let plan = detector.plan(column);
    let mut scratch = Scratch::default();
    detector.scan_cell(&plan, text.as_bytes(), &mut scratch);
    if scratch.findings.is_empty() {
        return Ok(None);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut last = 0;
    for f in &scratch.findings {
        let (s, e) = (f.start as usize, f.end as usize);
        if !text.is_char_boundary(s) || !text.is_char_boundary(e) {
            continue;
        }
        let entity = &detector.entities[f.entity as usize];
        // A name is not kept raw whatever the policy keeps in cells: a token at least. A
        // partition value is a cell of its column: kept when the policy keeps it there.
        let op = match policy.operator(column, entity) {
            Operator::Keep if !column.is_empty() => continue,
            Operator::Keep | Operator::Drop | Operator::Redact => &Operator::Replace { tag: None },
            op => op,
        };
        out.push_str(&text[last..s]);
        match transformer.apply(op, entity, &text[s..e])? {
            Output::Value(v) => out.push_str(&v),
            Output::Same | Output::Null => out.push_str(&format!("<{entity}>")),
        }
        last = e;
    }
    out.push_str(&text[last..]);
    Ok((out != text).then_some(out))
}

/// What a format's writer does with each batch of pass 2, in order.
trait BatchWriter {
    fn write(&mut self, batch: Batch, edits: &Edits) -> Result<(), PseudoError>;
    fn finish(
        self: Box<Self>,
        reader: &dyn BatchReader,
    ) -> Result<BTreeMap<String, String>, PseudoError>;
}

/// Pass 2: rewrites `input` into `out`. Returns the rows written and Parquet type changes.
pub fn rewrite(
    rw: &Rewrite<'_>,
    input: &Input,
    opts: &ScanOptions,
    out: &mut (dyn std::io::Write + Send),
) -> Result<(u64, BTreeMap<String, String>), PseudoError> {
    if rw.plan.sampled {
        return Err(PseudoError::Mismatch {
            path: input.display(),
            message: "the plan comes from a sampled scan".into(),
        });
    }
    let path = input.display();
    let read = ReadOptions {
        keep_raw: true,
        max_rows: None,
        table_sample_rows: None,
        ..opts.read.clone()
    };
    let mut reader = crate::source::open(input, &read, read.counter())?;
    // Text goes back out in the encoding it came in (a character it cannot hold fails).
    let mut encoder = crate::source::encoding::Encoder::new(out, reader.encoding());
    let out: &mut (dyn std::io::Write + Send) = &mut encoder;
    let mut writer: Box<dyn BatchWriter + '_> = match input.format {
        Format::Csv => Box::new(csv::CsvWriter::new(rw, reader.as_ref(), out, &path)?),
        Format::Json | Format::Jsonl => {
            Box::new(json::JsonWriter::new(rw, reader.as_ref(), out, &path)?)
        }
        Format::Parquet => Box::new(parquet::ParquetWriter::new(
            rw,
            reader.as_ref(),
            out,
            &path,
        )?),
        Format::Text => {
            return Err(PseudoError::Malformed {
                path,
                message: "plain text files are not pseudonymized (no columns to plan)".into(),
            });
        }
        Format::Sqlite | Format::Postgres => {
            Box::new(table::TableWriter::new(rw, reader.as_ref(), out, &path)?)
        }
    };
    let group_n = rayon::current_num_threads().max(1) * 2;
    let mut group = reader.next_batches(group_n)?;
    let mut rows = 0u64;
    while !group.is_empty() {
        let (edits, next) = rayon::join(
            || {
                group
                    .par_iter()
                    .map(|b| rw.transform_batch(b, &path))
                    .collect::<Result<Vec<Edits>, PseudoError>>()
            },
            || reader.next_batches(group_n),
        );
        for (batch, e) in group.into_iter().zip(edits?) {
            rows += batch.rows as u64;
            writer.write(batch, &e)?;
        }
        group = next?;
    }
    rw.check_counts(&path)?;
    let changes = writer.finish(reader.as_ref())?;
    encoder.finish().map_err(|source| PseudoError::Io {
        path: path.clone(),
        source,
    })?;
    Ok((rows, changes))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Compression, Format};

    fn input(dir: &std::path::Path, body: &str) -> Input {
        let path = dir.join("t.csv");
        std::fs::write(&path, body).unwrap();
        Input {
            path,
            format: Format::Csv,
            compression: Compression::None,
            size: 0,
            handle: None,
            table: None,
        }
    }

    #[test]
    fn pass_two_fails_closed_when_it_reads_other_rows_cells_or_values_than_pass_one() {
        let dir = tempfile::tempdir().unwrap();
        let input = input(
            dir.path(),
            "email,qty\njane.doe@example.com,1\njohn.smith@example.org,2\n",
        );
        let detector = Detector::builtin().unwrap();
        let policy = Policy::parse("extends = \"none\"\ndefault = \"redact\"").unwrap();
        let transformer = Transformer::new(None);
        let opts = ScanOptions::default();
        let plan = plan_file(&detector, &policy, &input, &opts).unwrap();
        // The plan as pass 1 made it: the rewrite goes through.
        let rw = Rewrite::new(&detector, &transformer, &policy, &plan);
        let mut out = Vec::new();
        rewrite(&rw, &input, &opts, &mut out).unwrap();
        // A plan that saw another row count, or other cells, stops the file.
        for tamper in [
            |p: &mut FilePlan| p.rows += 1,
            |p: &mut FilePlan| p.cells[0] -= 1,
            // Same counts, other values: a file rewritten between the passes.
            |p: &mut FilePlan| p.digests[1] ^= 1,
        ] {
            let mut bad = plan.clone();
            tamper(&mut bad);
            let rw = Rewrite::new(&detector, &transformer, &policy, &bad);
            let mut out = Vec::new();
            let err = rewrite(&rw, &input, &opts, &mut out).unwrap_err();
            assert!(matches!(err, PseudoError::Mismatch { .. }), "{err}");
        }
    }

    #[test]
    fn spans_are_replaced_until_nothing_more_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let detector = Detector::builtin().unwrap();
        let policy = Policy::builtin();
        let key = crate::transform::key::Key::parse(
            b"3c9e51a07f2b8d64e1a5c03b97f8d2460b1e7a93c5d8f2064a7e1b9c3d5f8a02",
        )
        .unwrap();
        let transformer = Transformer::new(Some(&key));
        let input = input(
            dir.path(),
            "notes\n\"Please send the invoice to a.b@example.com. Also card 4111 1111 1111 1111 was declined.\"\n",
        );
        let opts = ScanOptions::default();
        let plan = plan_file(&detector, &policy, &input, &opts).unwrap();
        let rw = Rewrite::new(&detector, &transformer, &policy, &plan);
        let mut out = Vec::new();
        rewrite(&rw, &input, &opts, &mut out).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(!s.contains("a.b@example.com") && !s.contains("4111"), "{s}");
    }
}
