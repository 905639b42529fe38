//! Aggregates with small-group suppression and optional differential privacy
//! (`shroud aggregate`), and re-identification risk (`shroud risk`).
//!
//! Rows stream through the same readers as `scan`; each batch folds into a map from group key
//! to an [`Acc`] (count and sums), and maps merge associatively, so workers run in any order
//! and memory grows with the number of groups, not rows. Groups smaller than K are removed;
//! with `--totals`, secondary suppression ([`suppress`]) withholds more cells and totals
//! until nothing withheld can be computed from what is published. With `--epsilon`, counts and clamped
//! sums get discrete Laplace noise (see [`dp`]) before suppression.

pub mod bins;
pub mod dp;
pub mod output;
pub mod suppress;

use crate::source::{self, Batch, Input, ReadOptions, SourceError};
use bins::Bin;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// ` (did you mean a, b?)` naming the columns closest to a misspelled `name`, or
/// ` (columns: a, b, ...)` when none is close.
pub fn close_matches(name: &str, columns: &[String]) -> String {
    let lower = name.to_lowercase();
    let mut scored: Vec<(usize, &String)> = columns
        .iter()
        .map(|c| (crate::entity::edit_distance(&lower, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= 2.max(name.len() / 3))
        .collect();
    scored.sort();
    if scored.is_empty() {
        let all: Vec<&str> = columns.iter().take(12).map(String::as_str).collect();
        return format!(
            " (columns: {}{})",
            all.join(", "),
            if columns.len() > 12 { ", ..." } else { "" }
        );
    }
    let names: Vec<&str> = scored.iter().take(3).map(|(_, c)| c.as_str()).collect();
    format!(" (did you mean {}?)", names.join(", "))
}

/// An aggregation as data: what `shroud aggregate`'s flags say and what a batch host (the
/// Python package) sends. [`AggregateRequest::compile`] is the one place it is checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AggregateRequest {
    /// Group-by column paths.
    pub group_by: Vec<String>,
    /// Bins, as `--bin` takes them: `zip=3`, `age=10`, `created_at=month`.
    #[serde(default)]
    pub bins: Vec<String>,
    /// Metrics: `count`, `sum:COL`, `avg:COL`. Default: `count`.
    #[serde(default)]
    pub metrics: Vec<String>,
    /// Smallest group published (default 10, as the CLI).
    #[serde(default = "default_min_group_size")]
    pub min_group_size: u64,
    /// Marginal totals with complementary suppression.
    #[serde(default)]
    pub totals: bool,
    /// Differential privacy: total privacy loss.
    #[serde(default)]
    pub epsilon: Option<f64>,
    /// Clamping bounds per summed column (needed with `epsilon`).
    #[serde(default)]
    pub clamps: BTreeMap<String, (f64, f64)>,
    /// FOR TESTS ONLY: seeded noise gives no privacy.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Count values of summed columns that are not numbers instead of failing.
    #[serde(default)]
    pub lenient: bool,
    /// Summed values are written with a decimal comma (`395,32`).
    #[serde(default)]
    pub decimal_comma: bool,
    /// Column identifying a person (DP only; the CLI, which reads rows in order).
    #[serde(default)]
    pub privacy_unit: Option<String>,
    /// Most groups one person contributes to (with a privacy unit).
    #[serde(default = "one")]
    pub max_groups_per_unit: u64,
}

fn one() -> u64 {
    1
}

fn default_min_group_size() -> u64 {
    10
}

impl AggregateRequest {
    /// Checks the request and turns it into the engine's spec.
    pub fn compile(&self) -> Result<AggregateSpec, AggregateError> {
        let mut bin_map = BTreeMap::new();
        for b in &self.bins {
            let (col, bin) = bins::parse(b).map_err(AggregateError::Spec)?;
            if !self.group_by.contains(&col) {
                return Err(AggregateError::Spec(format!(
                    "bin {col}: not a group-by column"
                )));
            }
            bin_map.insert(col, bin);
        }
        let metrics = if self.metrics.is_empty() {
            vec![Metric::Count]
        } else {
            self.metrics
                .iter()
                .map(|m| Metric::parse(m).map_err(AggregateError::Spec))
                .collect::<Result<Vec<_>, _>>()?
        };
        for (c, (lo, hi)) in &self.clamps {
            if lo > hi {
                return Err(AggregateError::Spec(format!(
                    "clamp {c}: low is above high"
                )));
            }
        }
        if self.epsilon.is_none() && (self.seed.is_some() || self.privacy_unit.is_some()) {
            return Err(AggregateError::Spec(
                "a seed and a privacy unit go with epsilon".into(),
            ));
        }
        let spec = AggregateSpec {
            group_by: self.group_by.clone(),
            bins: bin_map,
            metrics,
            min_group_size: self.min_group_size,
            totals: self.totals,
            dp: self.epsilon.map(|epsilon| DpSpec {
                epsilon,
                clamps: self.clamps.clone(),
                privacy_unit: self.privacy_unit.clone(),
                max_groups_per_unit: self.max_groups_per_unit.max(1),
                seed: self.seed,
            }),
            lenient: self.lenient,
            decimal_comma: self.decimal_comma,
        };
        spec.validate()?;
        Ok(spec)
    }
}

/// A metric to compute per group.
#[derive(Debug, Clone, PartialEq)]
pub enum Metric {
    /// Rows (or privacy units) in the group.
    Count,
    /// Sum of a numeric column.
    Sum(String),
    /// Mean of a numeric column.
    Avg(String),
}

impl Metric {
    /// Parses `count`, `sum:COL`, `avg:COL`.
    pub fn parse(s: &str) -> Result<Metric, String> {
        match s.split_once(':') {
            None if s == "count" => Ok(Metric::Count),
            Some(("sum", c)) if !c.is_empty() => Ok(Metric::Sum(c.to_string())),
            Some(("avg" | "mean", c)) if !c.is_empty() => Ok(Metric::Avg(c.to_string())),
            _ => Err(format!(
                "--metric {s:?}: expected count, sum:COLUMN or avg:COLUMN"
            )),
        }
    }

    /// Output column name.
    pub fn name(&self) -> String {
        match self {
            Metric::Count => "count".into(),
            Metric::Sum(c) => format!("sum_{c}"),
            Metric::Avg(c) => format!("avg_{c}"),
        }
    }

    fn column(&self) -> Option<&str> {
        match self {
            Metric::Count => None,
            Metric::Sum(c) | Metric::Avg(c) => Some(c),
        }
    }
}

/// Differential-privacy settings.
#[derive(Debug, Clone)]
pub struct DpSpec {
    /// Total privacy loss, split evenly over the noisy queries (count and each summed column).
    pub epsilon: f64,
    /// Clamping bounds per summed column (required for each).
    pub clamps: BTreeMap<String, (f64, f64)>,
    /// Column identifying a person; each person's contribution is bounded. Without it each
    /// row is taken to be a different person.
    pub privacy_unit: Option<String>,
    /// Most groups one person contributes to (with a privacy unit).
    pub max_groups_per_unit: u64,
    /// Seed: predictable noise, for tests only.
    pub seed: Option<u64>,
}

/// What to aggregate.
#[derive(Debug, Clone)]
pub struct AggregateSpec {
    /// Group-by columns (paths).
    pub group_by: Vec<String>,
    /// Bins per group-by column.
    pub bins: BTreeMap<String, Bin>,
    /// Metrics.
    pub metrics: Vec<Metric>,
    /// Smallest group published.
    pub min_group_size: u64,
    /// Marginal totals (with complementary suppression).
    pub totals: bool,
    /// Noise, if any.
    pub dp: Option<DpSpec>,
    /// Count values of summed columns that are not numbers (and go on) instead of failing.
    pub lenient: bool,
    /// Numbers are written with a decimal comma (`395,32`, `1.234,50`), as Excel writes them
    /// in much of Europe. Without it, a column whose values all read that way is taken so.
    pub decimal_comma: bool,
}

/// Errors of an aggregation.
#[derive(Debug, thiserror::Error)]
pub enum AggregateError {
    /// Reading failed.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// A setting is wrong.
    #[error("{0}")]
    Spec(String),
    /// A summed value is not a number (the value itself is not shown).
    #[error(
        "{path}: row {row}: column {column} holds a value that is not a number (a lenient read counts such values and goes on; numbers like 395,32 need the decimal comma setting)"
    )]
    NotANumber {
        /// The file.
        path: String,
        /// 0-based data row.
        row: u64,
        /// The column.
        column: String,
    },
    /// A column named in the request is not in a file.
    #[error("{path}: no column {column:?}{hint}")]
    NoColumn {
        /// The file.
        path: String,
        /// The column asked for.
        column: String,
        /// ` (did you mean ...?)`.
        hint: String,
    },
}

/// Count and sums of one group; merges by addition.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Acc {
    /// Rows (or units).
    pub count: u64,
    /// Sums per value column.
    pub sums: Vec<f64>,
    /// Numeric values seen per value column.
    pub n: Vec<u64>,
}

impl Acc {
    /// Adds `o` into `self`.
    pub fn merge(&mut self, o: &Acc) {
        self.count += o.count;
        if self.sums.len() < o.sums.len() {
            self.sums.resize(o.sums.len(), 0.0);
            self.n.resize(o.n.len(), 0);
        }
        for (a, b) in self.sums.iter_mut().zip(&o.sums) {
            *a += b;
        }
        for (a, b) in self.n.iter_mut().zip(&o.n) {
            *a += b;
        }
    }
}

/// Groups folded so far: group key (binned values) to its accumulator.
pub type Groups = HashMap<Vec<String>, Acc>;

/// A privacy unit's contributions: group key, clamped sums and value counts per group.
type UnitGroups = Vec<(Vec<String>, Vec<f64>, Vec<u64>)>;

/// A group after noise: key, count, sums, value counts.
type Cell = (Vec<String>, i64, Vec<f64>, Vec<u64>);

/// One output row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Group-by values (binned); `(total)` in totals rows.
    pub keys: Vec<String>,
    /// Count (noisy with DP).
    pub count: i64,
    /// Per metric after count: the value.
    pub values: Vec<Option<f64>>,
}

/// The aggregate table.
#[derive(Debug, Clone)]
pub struct Table {
    /// Column names: group-by columns then metrics.
    pub columns: Vec<String>,
    /// Published rows, sorted by key (totals last).
    pub rows: Vec<Row>,
    /// Groups suppressed (smaller than K, or complementary).
    pub suppressed: usize,
    /// Of those, suppressed only to protect another cell in a total.
    pub complementary: usize,
    /// Privacy loss spent, if noise was added.
    pub epsilon: Option<f64>,
    /// Rows read.
    pub rows_read: u64,
    /// The seed, when one was used (the output is then not private).
    pub seed: Option<u64>,
    /// Values of summed columns that were not numbers (counted under `lenient`).
    pub invalid_values: u64,
    /// Totals withheld: under the minimum group size, or because the other numbers would
    /// give them away (see [`suppress`]).
    pub suppressed_totals: usize,
}

/// Where a needed column's values come from in one file.
#[derive(Debug, Clone, PartialEq)]
pub enum Slot {
    /// A column of the file (its id).
    Column(u32),
    /// A hive partition key in the file's path (`gender=F/part-0.parquet`): one value for
    /// every row of the file.
    Partition(String),
    /// Not (yet) seen in the file.
    Missing,
}

/// Hive partition keys and values in `path`'s folders (`year=2024/gender=F/x.parquet`).
pub fn partitions(path: &std::path::Path) -> Vec<(String, String)> {
    path.parent()
        .into_iter()
        .flat_map(|p| p.components())
        .filter_map(|c| {
            let s = c.as_os_str().to_str()?;
            let (k, v) = s.split_once('=')?;
            (!k.is_empty()).then(|| (k.to_string(), v.to_string()))
        })
        .collect()
}

/// A row's values for the needed columns, built from a column-major batch.
fn row_values<'b>(batch: &'b Batch, ids: &'b [Slot]) -> Vec<Vec<Option<&'b [u8]>>> {
    let mut out = vec![vec![None; ids.len()]; batch.rows];
    for (slot, id) in ids.iter().enumerate() {
        if let Slot::Partition(v) = id {
            for row in &mut out {
                row[slot] = Some(v.as_bytes());
            }
        }
    }
    for cells in &batch.columns {
        for (slot, id) in ids.iter().enumerate() {
            if *id == Slot::Column(cells.col) {
                for (r, v) in cells.iter() {
                    // Lists give several values per row: the first one counts.
                    let cell = &mut out[r as usize][slot];
                    if cell.is_none() {
                        *cell = Some(v);
                    }
                }
            }
        }
    }
    out
}

/// A summed value: `Ok(None)` when empty, `Err(())` when it is not a number.
fn parse_num(v: Option<&[u8]>, decimal_comma: bool) -> Result<Option<f64>, ()> {
    let Some(v) = v else { return Ok(None) };
    let t = std::str::from_utf8(v).map_err(|_| ())?.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let parsed = if decimal_comma {
        t.replace(['.', ' ', '\u{a0}'], "")
            .replace(',', ".")
            .parse::<f64>()
    } else {
        t.parse::<f64>()
    };
    match parsed {
        Ok(x) if x.is_finite() => Ok(Some(x)),
        _ => Err(()),
    }
}

/// Whether a value reads as a number with a decimal comma (`395,32`, `1.234,5`) and not as
/// a plain number.
fn decimal_comma_shaped(v: &[u8]) -> bool {
    let t = v.trim_ascii();
    let t = t.strip_prefix(b"-").unwrap_or(t);
    let Some(comma) = t.iter().position(|&b| b == b',') else {
        return false;
    };
    let (int, frac) = (&t[..comma], &t[comma + 1..]);
    !frac.is_empty()
        && frac.iter().all(u8::is_ascii_digit)
        && !int.is_empty()
        && int.iter().all(|b| b.is_ascii_digit() || *b == b'.')
        && (frac.len() != 3 || int.contains(&b'.'))
}

struct Layout {
    value_cols: Vec<String>,
}

impl AggregateSpec {
    fn layout(&self) -> Layout {
        let mut value_cols: Vec<String> = Vec::new();
        for m in &self.metrics {
            if let Some(c) = m.column()
                && !value_cols.iter().any(|v| v == c)
            {
                value_cols.push(c.to_string());
            }
        }
        Layout { value_cols }
    }

    fn key(&self, vals: &[Option<&[u8]>]) -> Vec<String> {
        self.group_by
            .iter()
            .zip(vals)
            .map(|(col, v)| {
                let text = v.map(String::from_utf8_lossy).unwrap_or_default();
                match self.bins.get(col) {
                    Some(bin) if !text.trim().is_empty() => {
                        bin.apply(&text).unwrap_or_else(|| "(invalid)".into())
                    }
                    _ => text.trim().to_string(),
                }
            })
            .collect()
    }
}

/// Streams `inputs` in groups of about `group` batches, handing each group with the slots
/// of `needed` to `f`. A needed column that is neither in a file nor a partition key of its
/// path is an error naming the closest columns.
fn for_each_group(
    inputs: &[Input],
    read: &ReadOptions,
    needed: &[String],
    group: usize,
    mut f: impl FnMut(&Input, &[Batch], &[Slot]) -> Result<(), AggregateError>,
) -> Result<(), AggregateError> {
    for input in inputs {
        // Hive partitions are folders (or key prefixes); a database table has none.
        let parts = if input.format == crate::source::Format::Postgres {
            Vec::new()
        } else {
            partitions(&input.path)
        };
        let mut reader = source::open(input, read, read.counter())?;
        let slots_of = |columns: &[String]| -> Vec<Slot> {
            needed
                .iter()
                .map(|n| match columns.iter().position(|c| c == n) {
                    Some(i) => Slot::Column(i as u32),
                    None => match parts.iter().find(|(k, _)| k == n) {
                        Some((_, v)) => Slot::Partition(v.clone()),
                        None => Slot::Missing,
                    },
                })
                .collect()
        };
        loop {
            let batches = reader.next_batches(group)?;
            if batches.is_empty() {
                break;
            }
            let ids = slots_of(reader.columns());
            f(input, &batches, &ids)?;
        }
        let ids = slots_of(reader.columns());
        if let Some(i) = ids.iter().position(|s| *s == Slot::Missing) {
            let mut names: Vec<String> = reader.columns().to_vec();
            names.extend(parts.iter().map(|(k, _)| k.clone()));
            return Err(AggregateError::NoColumn {
                path: input.display(),
                column: needed[i].clone(),
                hint: close_matches(&needed[i], &names),
            });
        }
    }
    Ok(())
}

/// Reads every input and folds rows into groups.
fn fold(
    inputs: &[Input],
    spec: &AggregateSpec,
    read: &ReadOptions,
) -> Result<(Groups, u64, u64), AggregateError> {
    let layout = spec.layout();
    let clamps = spec.dp.as_ref().map(|d| &d.clamps);
    let unit_col = spec.dp.as_ref().and_then(|d| d.privacy_unit.clone());
    let max_groups = spec.dp.as_ref().map_or(1, |d| d.max_groups_per_unit.max(1));
    let needed: Vec<String> = spec
        .group_by
        .iter()
        .chain(&layout.value_cols)
        .cloned()
        .chain(unit_col.clone())
        .collect();
    let nk = spec.group_by.len();
    let nv = layout.value_cols.len();
    let clamp = |i: usize, x: f64| -> f64 {
        match clamps.and_then(|c| c.get(&layout.value_cols[i])) {
            Some(&(lo, hi)) => x.clamp(lo, hi),
            None => x,
        }
    };
    let mut groups: Groups = HashMap::new();
    // Privacy units: (unit -> its groups and their clamped sums), first groups in row order.
    let mut units: HashMap<String, UnitGroups> = HashMap::new();
    let mut rows_read = 0u64;
    let mut invalid = 0u64;
    for_each_group(
        inputs,
        read,
        &needed,
        rayon::current_num_threads().max(1) * 2,
        |input, batches, ids| {
            rows_read += batches.iter().map(|b| b.rows as u64).sum::<u64>();
            let comma = spec.decimal_comma || spec.comma_columns(batches, ids);
            if unit_col.is_some() {
                // Sequential: a unit's first groups must be the first in row order.
                for b in batches {
                    for (r, vals) in row_values(b, ids).into_iter().enumerate() {
                        let key = spec.key(&vals[..nk]);
                        let unit = vals[nk + nv]
                            .map(|u| String::from_utf8_lossy(u).into_owned())
                            .unwrap_or_default();
                        let list = units.entry(unit).or_default();
                        let slot = match list.iter().position(|(k, ..)| *k == key) {
                            Some(i) => i,
                            None if (list.len() as u64) < max_groups => {
                                list.push((key, vec![0.0; nv], vec![0; nv]));
                                list.len() - 1
                            }
                            None => continue,
                        };
                        for i in 0..nv {
                            match parse_num(vals[nk + i], comma) {
                                Ok(Some(x)) => {
                                    list[slot].1[i] += x;
                                    list[slot].2[i] += 1;
                                }
                                Ok(None) => {}
                                Err(()) if spec.lenient => invalid += 1,
                                Err(()) => {
                                    return Err(AggregateError::NotANumber {
                                        path: input.display(),
                                        row: b.first_row + r as u64,
                                        column: layout.value_cols[i].clone(),
                                    });
                                }
                            }
                        }
                    }
                }
                return Ok(());
            }
            let partials: Vec<Result<(Groups, u64), AggregateError>> = batches
                .par_iter()
                .map(|b| spec.fold_batch_with(b, ids, comma))
                .collect();
            for p in partials {
                let (g, bad) = p.map_err(|e| match e {
                    AggregateError::NotANumber { row, column, .. } => AggregateError::NotANumber {
                        path: input.display(),
                        row,
                        column,
                    },
                    e => e,
                })?;
                invalid += bad;
                merge_groups(&mut groups, g);
            }
            Ok(())
        },
    )?;
    for (_, list) in units {
        for (key, sums, n) in list {
            let acc = groups.entry(key).or_default();
            acc.merge(&Acc {
                count: 1,
                sums: sums.iter().enumerate().map(|(i, s)| clamp(i, *s)).collect(),
                n,
            });
        }
    }
    Ok((groups, rows_read, invalid))
}

impl AggregateSpec {
    /// The columns a fold reads, in the order [`AggregateSpec::fold_batch`] takes their ids:
    /// group-by columns, then value columns.
    pub fn needed_columns(&self) -> Vec<String> {
        self.group_by
            .iter()
            .chain(&self.layout().value_cols)
            .cloned()
            .collect()
    }

    /// Whether the summed columns of these batches are written with a decimal comma: every
    /// value that is not a plain number reads as one, and at least one does.
    fn comma_columns(&self, batches: &[Batch], ids: &[Slot]) -> bool {
        let nk = self.group_by.len();
        let mut seen = false;
        for b in batches {
            for vals in row_values(b, ids) {
                for v in vals[nk..]
                    .iter()
                    .take(self.layout().value_cols.len())
                    .flatten()
                {
                    if parse_num(Some(v), false).is_ok() {
                        continue;
                    }
                    if !decimal_comma_shaped(v) {
                        return false;
                    }
                    seen = true;
                }
            }
        }
        seen
    }

    /// Folds the rows of one batch into groups; `ids` gives where each
    /// [`AggregateSpec::needed_columns`] entry comes from. Without a privacy unit only:
    /// bounding a person's contribution needs the rows in order. Returns the groups and the
    /// values that were not numbers (an error unless `lenient`; the error's path is empty).
    pub fn fold_batch(&self, batch: &Batch, ids: &[Slot]) -> Result<(Groups, u64), AggregateError> {
        let comma = self.decimal_comma || self.comma_columns(std::slice::from_ref(batch), ids);
        self.fold_batch_with(batch, ids, comma)
    }

    fn fold_batch_with(
        &self,
        batch: &Batch,
        ids: &[Slot],
        comma: bool,
    ) -> Result<(Groups, u64), AggregateError> {
        let layout = self.layout();
        let nk = self.group_by.len();
        let nv = layout.value_cols.len();
        let clamps = self.dp.as_ref().map(|d| &d.clamps);
        let clamp = |i: usize, x: f64| -> f64 {
            match clamps.and_then(|c| c.get(&layout.value_cols[i])) {
                Some(&(lo, hi)) => x.clamp(lo, hi),
                None => x,
            }
        };
        let mut g: Groups = HashMap::new();
        let mut invalid = 0u64;
        for (r, vals) in row_values(batch, ids).into_iter().enumerate() {
            let acc = g.entry(self.key(&vals[..nk])).or_insert_with(|| Acc {
                count: 0,
                sums: vec![0.0; nv],
                n: vec![0; nv],
            });
            acc.count += 1;
            for i in 0..nv {
                match parse_num(vals[nk + i], comma) {
                    Ok(Some(x)) => {
                        acc.sums[i] += clamp(i, x);
                        acc.n[i] += 1;
                    }
                    Ok(None) => {}
                    Err(()) if self.lenient => invalid += 1,
                    Err(()) => {
                        return Err(AggregateError::NotANumber {
                            path: String::new(),
                            row: batch.first_row + r as u64,
                            column: layout.value_cols[i].clone(),
                        });
                    }
                }
            }
        }
        Ok((g, invalid))
    }

    /// Checks the settings before any row is read.
    pub fn validate(&self) -> Result<(), AggregateError> {
        let layout = self.layout();
        let spec = self;
        if spec.group_by.is_empty() {
            return Err(AggregateError::Spec(
                "--group-by needs at least one column".into(),
            ));
        }
        if let Some(dp) = &spec.dp {
            if !(dp.epsilon.is_finite() && dp.epsilon >= 1e-6) {
                return Err(AggregateError::Spec(
                    "--epsilon must be a number of at least 0.000001".into(),
                ));
            }
            for c in &layout.value_cols {
                if !dp.clamps.contains_key(c) {
                    return Err(AggregateError::Spec(format!(
                        "--epsilon needs clamping bounds for every summed column: add --clamp {c}=LOW:HIGH"
                    )));
                }
            }
        }
        Ok(())
    }
}

/// Adds the groups of `from` into `into` (associative and commutative, up to float rounding).
pub fn merge_groups(into: &mut Groups, from: Groups) {
    for (k, a) in from {
        into.entry(k).or_default().merge(&a);
    }
}

/// Runs the aggregation.
pub fn aggregate(
    inputs: &[Input],
    spec: &AggregateSpec,
    read: &ReadOptions,
) -> Result<Table, AggregateError> {
    spec.validate()?;
    let (groups, rows_read, invalid) = fold(inputs, spec, read)?;
    let mut t = finish(spec, &groups, rows_read)?;
    t.invalid_values = invalid;
    Ok(t)
}

/// Publishes merged groups: noise (with DP), suppression, totals. Runs once, after every
/// fold has been merged, so noise is drawn once per group and suppression sees whole groups.
pub fn finish(
    spec: &AggregateSpec,
    groups: &Groups,
    rows_read: u64,
) -> Result<Table, AggregateError> {
    let layout = spec.layout();
    // States may come from outside (the Python package merges JSON states): check their
    // shape here rather than index out of bounds below. No value goes into the message.
    let nv = layout.value_cols.len();
    if let Some((k, a)) = groups
        .iter()
        .find(|(k, a)| k.len() != spec.group_by.len() || a.sums.len() != nv || a.n.len() != nv)
    {
        return Err(AggregateError::Spec(format!(
            "malformed aggregate state: a group has {} key(s), {} sum(s) and {} count(s); this aggregation has {} group-by column(s) and {nv} value column(s)",
            k.len(),
            a.sums.len(),
            a.n.len(),
            spec.group_by.len()
        )));
    }
    let mut keys: Vec<&Vec<String>> = groups.keys().collect();
    keys.sort();
    // Noise: the count and each summed column are one query each; epsilon is split evenly.
    let mut rng: Option<Box<dyn dp::RandomBits>> = match &spec.dp {
        Some(d) => Some(match d.seed {
            Some(s) => Box::new(dp::SeededRandom::new(s)),
            None => Box::new(
                dp::SecureRandom::new()
                    .map_err(|e| AggregateError::Spec(format!("no secure random source: {e}")))?,
            ),
        }),
        None => None,
    };
    let queries = 1 + layout.value_cols.len();
    let mut cells: Vec<Cell> = Vec::with_capacity(keys.len());
    for k in keys {
        let a = &groups[k];
        let (mut count, mut sums) = (a.count as i64, a.sums.clone());
        if let (Some(d), Some(r)) = (&spec.dp, rng.as_mut()) {
            let eps = d.epsilon / queries as f64;
            let g = d.max_groups_per_unit.max(1);
            count = (count + dp::noise(r.as_mut(), g, eps)).max(0);
            for (i, s) in sums.iter_mut().enumerate() {
                let (lo, hi) = d.clamps[&layout.value_cols[i]];
                let bound = lo.abs().max(hi.abs());
                // Fixed point (1/100) so integer noise applies; sensitivity in the same unit.
                let sens = (g as f64 * bound * 100.0).ceil() as u64;
                let noisy = (*s * 100.0).round() as i64 + dp::noise(r.as_mut(), sens, eps);
                *s = noisy as f64 / 100.0;
            }
        }
        cells.push((k.clone(), count, sums, a.n.clone()));
    }
    // The published numbers: cells, then (with totals) one total per first-column value
    // when there are two or more group-by columns, then the grand total; totals are over
    // every cell, withheld ones included.
    let mut numbers: Vec<(Vec<String>, i64, Vec<f64>)> = cells
        .iter()
        .map(|c| (c.0.clone(), c.1, c.2.clone()))
        .collect();
    let mut equations: suppress::Equations = Vec::new();
    if spec.totals && !cells.is_empty() {
        let width = spec.group_by.len();
        let nsums = cells[0].2.len();
        let mut grand = vec![usize::MAX];
        if width > 1 {
            let mut rows_of: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
            for (i, c) in cells.iter().enumerate() {
                rows_of.entry(c.0[0].as_str()).or_default().push(i);
            }
            for (first, members) in rows_of {
                let mut key = vec!["(total)".to_string(); width];
                key[0] = first.to_string();
                let (mut count, mut sums) = (0i64, vec![0.0; nsums]);
                for &i in &members {
                    count += cells[i].1;
                    add_into(&mut sums, &cells[i].2);
                }
                grand.push(numbers.len());
                let mut eq = vec![numbers.len()];
                eq.extend(members);
                equations.push(eq);
                numbers.push((key, count, sums));
            }
        } else {
            grand.extend(0..cells.len());
        }
        let (mut count, mut sums) = (0i64, vec![0.0; nsums]);
        for c in &cells {
            count += c.1;
            add_into(&mut sums, &c.2);
        }
        grand[0] = numbers.len();
        equations.push(grand);
        numbers.push((vec!["(total)".to_string(); width], count, sums));
    }
    let mut suppressed: Vec<bool> = numbers
        .iter()
        .map(|n| (n.1 as u64) < spec.min_group_size)
        .collect();
    let primary = suppressed[..cells.len()].iter().filter(|s| **s).count();
    let sizes: Vec<i64> = numbers.iter().map(|n| n.1).collect();
    suppress::protect(&sizes, &equations, &mut suppressed);
    let total_suppressed = suppressed[..cells.len()].iter().filter(|s| **s).count();
    let suppressed_totals = suppressed[cells.len()..].iter().filter(|s| **s).count();
    let metric_values = |count: i64, sums: &[f64]| -> Vec<Option<f64>> {
        spec.metrics
            .iter()
            .filter(|m| **m != Metric::Count)
            .map(|m| {
                let i = layout
                    .value_cols
                    .iter()
                    .position(|c| Some(c.as_str()) == m.column())
                    .expect("value column");
                match m {
                    Metric::Sum(_) => Some(sums[i]),
                    Metric::Avg(_) => (count > 0).then(|| sums[i] / count as f64),
                    Metric::Count => None,
                }
            })
            .collect()
    };
    // Cells in key order, then the totals (row totals by first value, the grand total last).
    let rows: Vec<Row> = numbers
        .iter()
        .zip(&suppressed)
        .filter(|(_, s)| !**s)
        .map(|(n, _)| Row {
            keys: n.0.clone(),
            count: n.1,
            values: metric_values(n.1, &n.2),
        })
        .collect();
    let mut columns = spec.group_by.clone();
    columns.extend(spec.metrics.iter().map(Metric::name));
    Ok(Table {
        columns,
        rows,
        suppressed: total_suppressed,
        complementary: total_suppressed - primary,
        epsilon: spec.dp.as_ref().map(|d| dp::effective_epsilon(d.epsilon)),
        rows_read,
        seed: spec.dp.as_ref().and_then(|d| d.seed),
        invalid_values: 0,
        suppressed_totals,
    })
}

fn add_into(a: &mut [f64], b: &[f64]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

/// Re-identification risk of a row-level table over its quasi-identifiers.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Risk {
    /// Rows read.
    pub rows: u64,
    /// Equivalence classes (distinct quasi-identifier combinations).
    pub classes: usize,
    /// Size of the smallest class: the table is k-anonymous for this k.
    pub k: u64,
    /// Records in classes smaller than the bound, per bound.
    pub records_below: BTreeMap<u64, u64>,
    /// Distinct sensitive values in the least diverse class (distinct l-diversity).
    pub l: Option<u64>,
    /// The smallest classes, values masked.
    pub worst: Vec<(Vec<String>, u64, Option<u64>)>,
    /// Number of classes per class size: the distribution the HTML report draws.
    pub class_sizes: BTreeMap<u64, u64>,
}

/// Computes k-anonymity and distinct l-diversity.
pub fn risk(
    inputs: &[Input],
    quasi: &[String],
    bins: &BTreeMap<String, Bin>,
    sensitive: Option<&str>,
    read: &ReadOptions,
    bounds: &[u64],
) -> Result<Risk, AggregateError> {
    let spec = AggregateSpec {
        group_by: quasi.to_vec(),
        bins: bins.clone(),
        metrics: vec![Metric::Count],
        min_group_size: 0,
        totals: false,
        dp: None,
        lenient: false,
        decimal_comma: false,
    };
    let needed: Vec<String> = quasi
        .iter()
        .cloned()
        .chain(sensitive.map(String::from))
        .collect();
    let mut classes: HashMap<Vec<String>, (u64, BTreeSet<String>)> = HashMap::new();
    let mut rows = 0u64;
    for_each_group(inputs, read, &needed, 4, |_, batches, ids| {
        for b in batches {
            rows += b.rows as u64;
            for vals in row_values(b, ids) {
                let e = classes.entry(spec.key(&vals[..quasi.len()])).or_default();
                e.0 += 1;
                if sensitive.is_some()
                    && let Some(s) = vals[quasi.len()]
                {
                    e.1.insert(String::from_utf8_lossy(s).into_owned());
                }
            }
        }
        Ok(())
    })?;
    let k = classes.values().map(|c| c.0).min().unwrap_or(0);
    let l = sensitive.map(|_| {
        classes
            .values()
            .map(|c| c.1.len() as u64)
            .min()
            .unwrap_or(0)
    });
    let records_below = bounds
        .iter()
        .map(|&b| (b, classes.values().filter(|c| c.0 < b).map(|c| c.0).sum()))
        .collect();
    let mut class_sizes = BTreeMap::new();
    for c in classes.values() {
        *class_sizes.entry(c.0).or_insert(0) += 1;
    }
    let mut worst: Vec<(Vec<String>, u64, Option<u64>)> = classes
        .iter()
        .map(|(key, (n, s))| {
            let masked = key
                .iter()
                .map(|v| crate::mask::mask(v.as_bytes()))
                .collect();
            (masked, *n, sensitive.map(|_| s.len() as u64))
        })
        .collect();
    worst.sort_by(|a, b| a.1.cmp(&b.1).then(a.2.cmp(&b.2)).then(a.0.cmp(&b.0)));
    worst.truncate(10);
    Ok(Risk {
        rows,
        classes: classes.len(),
        k,
        records_below,
        l,
        worst,
        class_sizes,
    })
}
