//! The scan driver: one input at a time, batches read by one thread while workers scan the
//! previous group (`rayon::join`), then column statistics merged in batch order so the result
//! is the same whatever the thread count. Several inputs are scanned in parallel.
//!
//! Neighbours: `source` (readers), `detect` (the engine, verdicts), `report` (output).

use crate::detect::{ColumnPlan, ColumnStats, ColumnVerdict, Detector, Scratch};
use crate::mask::mask;
use crate::source::{self, Batch, Input, Progress, ReadOptions, ReadStats, SourceError};
use rayon::prelude::*;
use serde::Serialize;
use std::cell::RefCell;
use std::io::Write;

/// Options for one scan.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// Reader options (delimiter, lenient, sample rows, limits).
    pub read: ReadOptions,
    /// Put raw matched values in findings (opt-in).
    pub show_values: bool,
    /// Read and batch only, no detection: the parse-only baseline of benchmarks.
    pub parse_only: bool,
}

/// One detected value, as written to the findings file.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingRecord {
    /// 0-based data row (JSON: record index).
    pub row: u64,
    /// Column id.
    pub col: u32,
    /// Byte offset of the start in the cell.
    pub start: u32,
    /// Byte offset of the end.
    pub end: u32,
    /// Rule index.
    pub rule: u16,
    /// Entity index.
    pub entity: u16,
    /// Score.
    pub score: f32,
    /// Raw value, only with `show_values`.
    pub value: Option<String>,
}

/// The outcome of scanning one column.
#[derive(Debug, Clone)]
pub struct ColumnResult {
    /// Column path.
    pub name: String,
    /// Entities found in the column's name itself (a header that is an email address):
    /// reports mask such names, `check` fails them, `pseudonymize` replaces them.
    pub name_entities: Vec<String>,
    /// Statistics.
    pub stats: ColumnStats,
    /// Verdict.
    pub verdict: ColumnVerdict,
}

impl ColumnResult {
    /// Why the column is unexplained, when it is: no verdict, no free text, a name that does
    /// not say its values are things', and values mostly distinct and text-like
    /// ([`crate::detect::shape`]). `check` lists such columns; the manifest names them.
    pub fn unexplained(&self) -> Option<crate::detect::shape::Summary> {
        if self.verdict.entity.is_some()
            || self.verdict.free_text
            || crate::detect::shape::name_explains(&self.name)
        {
            return None;
        }
        self.stats.shape.unexplained()
    }
}

/// The outcome of scanning one input.
#[derive(Debug, Clone)]
pub struct FileScan {
    /// Data rows read.
    pub rows: u64,
    /// Columns in first-seen order.
    pub columns: Vec<ColumnResult>,
    /// What the reader tolerated.
    pub read_stats: ReadStats,
    /// Whether only the first rows were scanned.
    pub sampled: bool,
}

/// What one batch gave: stats per column id, findings in row order.
pub(crate) struct BatchResult {
    pub(crate) stats: Vec<(u32, ColumnStats)>,
    pub(crate) findings: Vec<FindingRecord>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Scans one batch of cells (shared by [`scan_input_with`] and [`crate::batch`]).
pub(crate) fn scan_batch(
    detector: &Detector,
    plans: &[ColumnPlan],
    batch: &Batch,
    want_findings: bool,
    show_values: bool,
    parse_only: bool,
) -> BatchResult {
    if parse_only {
        // The reader's work is done; count cells so nothing is optimised away.
        let cells: usize = batch.columns.iter().map(|c| c.cells.len()).sum();
        std::hint::black_box(cells);
        return BatchResult {
            stats: Vec::new(),
            findings: Vec::new(),
        };
    }
    SCRATCH.with(|scratch| {
        let scratch = &mut *scratch.borrow_mut();
        let n = detector.entities.len();
        let mut stats = Vec::with_capacity(batch.columns.len());
        let mut findings = Vec::new();
        let phone = detector.entity_index("PHONE_NUMBER").map(|i| i as u16);
        let person = detector.entity_index("PERSON");
        for cells in &batch.columns {
            let plan = &plans[cells.col as usize];
            let mut st = ColumnStats::new(n);
            let name_column = person.is_some_and(|p| plan.hints(p));
            let mut votes = 0;
            for (r, cell) in cells.iter() {
                detector.scan_cell_memo(plan, cell, scratch);
                if !scratch.utf8_ok {
                    st.invalid_utf8 += 1;
                }
                // Whether a name column holds firms, judged on its first rows and every 16th
                // row after them (the test is costly: it was half of a name column's time on
                // every cell; a sorted column's head alone could mislead).
                let row = batch.first_row + u64::from(r);
                if name_column
                    && (row < crate::detect::shape::SHAPE_ROWS || row.is_multiple_of(16))
                    && let Ok(t) = std::str::from_utf8(cell)
                    && !t.trim().is_empty()
                {
                    st.org_checked += 1;
                    if crate::detect::validators::names::names_organisation(t) {
                        st.organisations += 1;
                    }
                }
                // The region the column's phone numbers are written in (pseudonymize reads
                // national numbers with it, so `0151 …` and `+49 151 …` get one token).
                if votes < crate::detect::verdict::PHONE_VOTES_PER_BATCH {
                    for f in scratch.findings.iter().filter(|f| Some(f.entity) == phone) {
                        if let Ok(t) = std::str::from_utf8(&cell[f.start as usize..f.end as usize])
                        {
                            votes += 1;
                            crate::detect::validators::phone::region_votes(t, |r| {
                                *st.phone_regions.entry(r.to_string()).or_default() += 1;
                            });
                        }
                    }
                }
                if show_values {
                    st.add_cell(cell, &scratch.findings, row, |v| {
                        String::from_utf8_lossy(v).into_owned()
                    });
                } else {
                    st.add_cell(cell, &scratch.findings, row, mask);
                }
                if want_findings {
                    for f in &scratch.findings {
                        findings.push(FindingRecord {
                            row,
                            col: cells.col,
                            start: f.start,
                            end: f.end,
                            rule: f.rule,
                            entity: f.entity,
                            score: f.score,
                            value: show_values.then(|| {
                                String::from_utf8_lossy(&cell[f.start as usize..f.end as usize])
                                    .into_owned()
                            }),
                        });
                    }
                }
            }
            stats.push((cells.col, st));
        }
        findings.sort_by_key(|f| (f.row, f.col, f.start));
        BatchResult { stats, findings }
    })
}

#[derive(Serialize)]
struct FindingLine<'a> {
    file: &'a str,
    row: u64,
    column: &'a str,
    start: u32,
    end: u32,
    entity: &'a str,
    rule: &'a str,
    score: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<&'a str>,
}

/// Receives findings in row order (the `--findings` writer, `check`'s collector).
pub trait FindingSink {
    /// One finding; `columns` maps column ids to paths.
    fn finding(&mut self, columns: &[String], f: &FindingRecord) -> std::io::Result<()>;
}

/// Writes findings as JSON lines.
struct JsonlSink<'a> {
    w: &'a mut dyn Write,
    detector: &'a Detector,
    file: String,
}

impl FindingSink for JsonlSink<'_> {
    fn finding(&mut self, columns: &[String], f: &FindingRecord) -> std::io::Result<()> {
        write_findings(
            self.w,
            self.detector,
            &self.file,
            columns,
            std::slice::from_ref(f),
        )
    }
}

/// Scans one input. Findings, if wanted, are written to `findings` as JSON lines in row order.
pub fn scan_input(
    detector: &Detector,
    input: &Input,
    opts: &ScanOptions,
    findings: Option<&mut dyn Write>,
    counter: Progress,
) -> Result<FileScan, SourceError> {
    match findings {
        Some(w) => {
            let mut sink = JsonlSink {
                w,
                detector,
                file: shown_path(detector, &input.display()),
            };
            scan_input_with(detector, input, opts, Some(&mut sink), counter)
        }
        None => scan_input_with(detector, input, opts, None, counter),
    }
}

/// Scans one input, handing every finding to `sink` in row order.
pub fn scan_input_with(
    detector: &Detector,
    input: &Input,
    opts: &ScanOptions,
    mut findings: Option<&mut dyn FindingSink>,
    counter: Progress,
) -> Result<FileScan, SourceError> {
    let mut reader = source::open(input, &opts.read, counter)?;
    let mut plans: Vec<ColumnPlan> = Vec::new();
    let mut stats: Vec<ColumnStats> = Vec::new();
    let group_n = rayon::current_num_threads().max(1) * 2;
    let mut rows = 0u64;
    let mut group = reader.next_batches(group_n)?;
    let want = findings.is_some();
    while !group.is_empty() {
        // Plans for columns first seen in this group (JSON discovers columns as it reads).
        for name in &reader.columns()[plans.len()..] {
            plans.push(detector.plan(name));
            stats.push(ColumnStats::new(detector.entities.len()));
        }
        let plans_ref = &plans;
        let (results, next) = rayon::join(
            || {
                group
                    .par_iter()
                    .map(|b| {
                        scan_batch(
                            detector,
                            plans_ref,
                            b,
                            want,
                            opts.show_values,
                            opts.parse_only,
                        )
                    })
                    .collect::<Vec<_>>()
            },
            || reader.next_batches(group_n),
        );
        for (batch, result) in group.iter().zip(results) {
            rows += batch.rows as u64;
            for (col, st) in result.stats {
                stats[col as usize].merge(&st);
            }
            if let Some(sink) = findings.as_deref_mut() {
                result
                    .findings
                    .iter()
                    .try_for_each(|f| sink.finding(reader.columns(), f))
                    .map_err(|source| SourceError::Io {
                        path: "findings output".into(),
                        source,
                    })?;
            }
        }
        group = next?;
    }
    let columns = reader.columns().to_vec();
    // Columns seen only in the last group still need plans.
    while plans.len() < columns.len() {
        plans.push(detector.plan(&columns[plans.len()]));
        stats.push(ColumnStats::new(detector.entities.len()));
    }
    let columns = columns
        .into_iter()
        .zip(stats)
        .zip(&plans)
        .map(|((name, mut stats), plan)| {
            let verdict = detector.verdict(&stats, plan);
            stats.trim();
            ColumnResult {
                name_entities: name_entities(detector, &name),
                name,
                stats,
                verdict,
            }
        })
        .collect();
    let read_stats = reader.stats();
    Ok(FileScan {
        rows,
        columns,
        sampled: read_stats.sampled || opts.read.max_rows.is_some_and(|m| rows >= m),
        read_stats,
    })
}

/// Entities found in a column name, read as free text: a header or field name that is itself
/// personal data. Synthetic names (`column_3`, paths of data keys) hold none.
pub fn name_entities(detector: &Detector, name: &str) -> Vec<String> {
    let memo = || {
        detector
            .name_memo
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    let key = (detector.min_score.to_bits(), name.to_string());
    if let Some(found) = memo().get(&key) {
        return found.clone();
    }
    let found = name_entities_uncached(detector, name);
    let mut memo = memo();
    if memo.len() >= crate::detect::PLAN_CACHE {
        memo.clear();
    }
    memo.insert(key, found.clone());
    found
}

/// [`name_entities`], judged: a function of the detector and the name only.
fn name_entities_uncached(detector: &Detector, name: &str) -> Vec<String> {
    let plan = detector.plan("");
    let mut scratch = Scratch::default();
    // Path separators and `{key}` markers are structure, not text.
    detector.scan_cell(&plan, name.as_bytes(), &mut scratch);
    let mut out: Vec<String> = scratch
        .findings
        .iter()
        .map(|f| detector.entities[f.entity as usize].clone())
        .collect();
    // A hive partition's value is a cell of its column, percent-encoded by the writer:
    // judged decoded and with the column's hints (`email=a0%40example.com`).
    if let Some((key, value)) = crate::source::hive_partition(name) {
        let plan = detector.plan(key);
        detector.scan_cell(&plan, value.as_bytes(), &mut scratch);
        out.extend(
            scratch
                .findings
                .iter()
                .map(|f| detector.entities[f.entity as usize].clone()),
        );
    }
    // A file name's extension would make `ann@example.com.csv` an address in `.csv`: the
    // name is judged without it too.
    let (stem, ext) = crate::pseudo::job::split_extensions(name);
    if !ext.is_empty() && !stem.is_empty() {
        detector.scan_cell(&plan, stem.as_bytes(), &mut scratch);
        out.extend(
            scratch
                .findings
                .iter()
                .map(|f| detector.entities[f.entity as usize].clone()),
        );
    }
    out.sort();
    out.dedup();
    out
}

/// `path` as reports show it: each `/`-separated component that holds personal data (a
/// folder named after a customer, a hive partition `email=a0%40example.com`) masked. A URL's
/// `user@host` is shown as typed (the report's reader typed it); [`shown_path_all`] masks it
/// too, for what is shared.
pub fn shown_path(detector: &Detector, path: &str) -> String {
    let skip = if path.contains("://") { 3 } else { 0 };
    masked_components(detector, path, skip)
}

/// [`shown_path`] that also masks a URL's `user@host` when it looks like personal data: the
/// manifest, which travels with the data.
pub fn shown_path_all(detector: &Detector, path: &str) -> String {
    masked_components(detector, path, 0)
}

fn masked_components(detector: &Detector, path: &str, skip: usize) -> String {
    path.split('/')
        .enumerate()
        .map(|(i, name)| {
            if i >= skip
                && !matches!(name, "" | "." | "..")
                && !name_entities(detector, name).is_empty()
            {
                // A partition keeps its column's name: only the value is masked.
                match name.split_once('=') {
                    Some((key, value))
                        if !key.is_empty() && name_entities(detector, key).is_empty() =>
                    {
                        format!("{key}={}", crate::mask::mask(value.as_bytes()))
                    }
                    _ => crate::mask::mask(name.as_bytes()),
                }
            } else {
                name.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The test the JSON reader uses to tell data keys from field names (see
/// [`crate::source::KeyTest`]): a key in which the detector finds anything is data. Keys
/// repeat from record to record, so verdicts are memoised (up to 4,096 keys).
pub fn data_keys(detector: &std::sync::Arc<Detector>) -> crate::source::KeyTest {
    let detector = std::sync::Arc::clone(detector);
    let memo: std::sync::Mutex<foldhash::HashMap<String, bool>> =
        std::sync::Mutex::new(foldhash::HashMap::default());
    crate::source::KeyTest(std::sync::Arc::new(move |key: &str| {
        if let Some(&v) = memo.lock().expect("key memo").get(key) {
            return v;
        }
        let v = !name_entities(&detector, key).is_empty();
        let mut m = memo.lock().expect("key memo");
        if m.len() < 4096 {
            m.insert(key.to_string(), v);
        }
        v
    }))
}

fn write_findings(
    w: &mut dyn Write,
    detector: &Detector,
    file: &str,
    columns: &[String],
    findings: &[FindingRecord],
) -> std::io::Result<()> {
    for f in findings {
        let line = FindingLine {
            file,
            row: f.row,
            column: &columns[f.col as usize],
            start: f.start,
            end: f.end,
            entity: &detector.entities[f.entity as usize],
            rule: &detector.rules[f.rule as usize].id,
            score: (f64::from(f.score) * 100.0).round() / 100.0,
            value: f.value.as_deref(),
        };
        serde_json::to_writer(&mut *w, &line)?;
        w.write_all(b"\n")?;
    }
    Ok(())
}

/// Scans several inputs in parallel. Each input's findings go to its own temporary file
/// (so parallel files never interleave), returned for the caller to concatenate in order.
pub fn scan_inputs(
    detector: &Detector,
    inputs: &[Input],
    opts: &ScanOptions,
    findings_dir: Option<&std::path::Path>,
    counter: &Progress,
) -> Vec<(
    Result<FileScan, SourceError>,
    Option<crate::output::TempFile>,
)> {
    inputs
        .par_iter()
        .map(|input| {
            let mut tmp = match findings_dir
                .map(crate::output::TempFile::new_in)
                .transpose()
            {
                Ok(t) => t,
                Err(source) => {
                    return (
                        Err(SourceError::Io {
                            path: "findings output".into(),
                            source,
                        }),
                        None,
                    );
                }
            };
            let result = {
                let mut buffered = tmp
                    .as_mut()
                    .map(|t| std::io::BufWriter::new(t.as_file_mut()));
                let r = scan_input(
                    detector,
                    input,
                    opts,
                    buffered.as_mut().map(|b| b as &mut dyn Write),
                    counter.clone(),
                );
                match buffered.map(|mut b| b.flush()) {
                    Some(Err(source)) => Err(SourceError::Io {
                        path: "findings output".into(),
                        source,
                    }),
                    _ => r,
                }
            };
            (result, tmp)
        })
        .collect()
}
