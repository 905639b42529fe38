//! `check`: the pre-share gate. Scans inputs, holds every finding against a share policy
//! (which entities may appear, allow-lists with reasons, a confidence threshold, a minimum k
//! over quasi-identifiers) and renders the verdict as text, JSON, SARIF 2.1.0 or JUnit XML.
//!
//! Values produced by `shroud pseudonymize` pass by construction: its tokens are shaped so
//! that the detector never flags them. Allow-listed values are waived and listed as such,
//! never dropped silently. Raw values are only held in memory to match allow-lists; outputs
//! carry masked samples.

use crate::detect::Detector;
use crate::mask::mask;
use crate::scan::{FindingRecord, FindingSink, ScanOptions, scan_input_with};
use crate::source::{Input, SourceError};
use serde::Serialize;
use std::collections::BTreeMap;

mod baseline;
mod places;
mod policy;
mod release;
mod render;

pub use baseline::{Baseline, finding_fingerprint};
use policy::Judgement;
pub use policy::{
    AllowSpec, DEFAULT_SHARE_POLICY, EntityRuleSpec, EntityRuleTable, KSpec, SharePolicy,
    SharePolicySpec,
};
pub use release::verify_release;
pub use render::{render_json, render_junit, render_sarif, render_text};

/// What was found of one entity in one column.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnFinding {
    /// Column path.
    pub column: String,
    /// Entity.
    pub entity: String,
    /// `fail`, `waived` or `allowed`.
    pub status: String,
    /// Cells with this entity (of this status).
    pub cells: u64,
    /// 0-based row of the first one.
    pub first_row: u64,
    /// Masked sample.
    pub sample: String,
    /// Why it is waived or allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// How to fix it (failures).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// The verdict on one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileCheck {
    /// Path.
    pub path: String,
    /// Format.
    pub format: String,
    /// Rows scanned.
    pub rows: u64,
    /// Whether only the first rows were scanned.
    pub sampled: bool,
    /// Findings per column and entity.
    pub findings: Vec<ColumnFinding>,
    /// The k-anonymity result, if required: (k, k_min).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub k_anonymity: Option<KResult>,
    /// An error that stopped this file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The scan behind the verdict, samples masked (for the HTML report; not serialized).
    #[serde(skip)]
    pub scan: Option<crate::report::FileReport>,
}

/// k-anonymity of a file.
#[derive(Debug, Clone, Serialize)]
pub struct KResult {
    /// Quasi-identifiers used.
    pub quasi_identifiers: Vec<String>,
    /// Smallest class.
    pub k: u64,
    /// Required.
    pub k_min: u64,
    /// Whether k >= k_min.
    pub pass: bool,
}

impl FileCheck {
    /// Whether the file breaks the policy.
    pub fn fails(&self) -> bool {
        self.error.is_some()
            || self.findings.iter().any(|f| f.status == "fail")
            || self.k_anonymity.as_ref().is_some_and(|k| !k.pass)
    }
}

/// How to fix a finding of `entity`: the pseudonymize operator of the default policy.
fn fix_for(entity: &str) -> String {
    let policy = crate::transform::Policy::builtin();
    let op = policy.operator("", entity);
    format!(
        "pseudonymize it (`shroud pseudonymize`; the default policy applies `{op}`), choose another operator with `{entity} = \"...\"` in a pseudonymize policy, or waive it with an [[allow]] entry and a reason"
    )
}

struct Collector<'a> {
    policy: &'a SharePolicy,
    detector: &'a Detector,
    /// By (column id, entity, status).
    groups: BTreeMap<(u32, u16, &'static str), ColumnFinding>,
}

impl Collector<'_> {
    fn add(&mut self, col: u32, column: &str, entity: u16, value: &str, row: u64, n: u64) {
        let name = &self.detector.entities[entity as usize];
        let (status, reason) = match self.policy.judge(column, name, value) {
            Judgement::Allowed => (
                "allowed",
                Some("entity allowed by the share policy".to_string()),
            ),
            Judgement::Waived(r) => ("waived", Some(r)),
            Judgement::Violation => ("fail", None),
        };
        let e = self
            .groups
            .entry((col, entity, status))
            .or_insert_with(|| ColumnFinding {
                column: column.to_string(),
                entity: name.clone(),
                status: status.to_string(),
                cells: 0,
                first_row: row,
                sample: mask(value.as_bytes()),
                reason,
                fix: (status == "fail").then(|| fix_for(name)),
            });
        e.cells += n;
    }
}

impl FindingSink for Collector<'_> {
    fn finding(&mut self, columns: &[String], f: &FindingRecord) -> std::io::Result<()> {
        if f.score < self.policy.min_confidence {
            return Ok(());
        }
        let column = &columns[f.col as usize];
        let value = f.value.as_deref().unwrap_or("");
        self.add(f.col, column, f.entity, value, f.row, 1);
        Ok(())
    }
}

/// Checks one input against the policy (reading it with default options).
pub fn check_input(
    detector: &Detector,
    policy: &SharePolicy,
    input: &Input,
    sample_rows: Option<u64>,
) -> Result<FileCheck, SourceError> {
    let opts = ScanOptions {
        read: crate::source::ReadOptions {
            max_rows: sample_rows,
            ..Default::default()
        },
        ..Default::default()
    };
    check_input_with(detector, policy, input, &opts)
}

/// Checks one input against the policy, read with `opts` (delimiter, sampling, limits).
///
/// Findings are judged value by value (allow-lists, generalized values), then by column: in
/// a column whose verdict the policy allows (a city column), findings that read its values
/// as another entity (a city read as a person's name) belong to that verdict, as
/// `pseudonymize` keeps them ([`crate::entity::kept_column_covers`]); anything else typed
/// into it (an email, a street address, a birth date) counts. A column
/// name that holds personal data counts like a cell.
pub fn check_input_with(
    detector: &Detector,
    policy: &SharePolicy,
    input: &Input,
    opts: &ScanOptions,
) -> Result<FileCheck, SourceError> {
    let opts = ScanOptions {
        // Values are needed in memory to match allow-lists; they never reach an output.
        show_values: true,
        ..opts.clone()
    };
    let mut collector = Collector {
        policy,
        detector,
        groups: BTreeMap::new(),
    };
    places::refuse(input)?;
    let scan = scan_input_with(
        detector,
        input,
        &opts,
        Some(&mut collector),
        opts.read.counter(),
    )?;
    // Findings that a kept verdict covers.
    collector.groups.retain(|(col, entity, _), _| {
        let Some(c) = scan.columns.get(*col as usize) else {
            return true;
        };
        match c.verdict.entity.as_deref() {
            Some(v) if policy.allows(v) => {
                !crate::entity::kept_column_covers(v, &detector.entities[*entity as usize])
            }
            _ => true,
        }
    });
    // Column names that are personal data.
    for (i, c) in scan.columns.iter().enumerate() {
        for e in &c.name_entities {
            if let Some(idx) = detector.entity_index(e) {
                let shown = crate::report::display_column(&c.name, true);
                collector.add(i as u32, &shown, idx as u16, &c.name, 0, 1);
            }
        }
    }
    // Free text in high-recall mode: every word that could identify a person and is not
    // explained counts (the same test pseudonymize applies).
    let recall: Vec<u32> = scan
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            c.verdict.free_text
                && c.verdict.entity.is_none()
                && policy.text_mode(&c.name) == crate::transform::TextMode::Recall
        })
        .map(|(i, _)| i as u32)
        .collect();
    if !recall.is_empty() {
        recall_pass(detector, input, &opts, &recall, &mut collector)?;
    }
    // Places outside the cells: a database's free pages, a Parquet footer's strings.
    places::judge(detector, input, &opts, &mut collector)?;
    let unexplained = unexplained_columns(policy, &scan);
    // Columns named by their masked form where the name holds personal data.
    for ((col, _, _), g) in &mut collector.groups {
        if let Some(c) = scan.columns.get(*col as usize)
            && !c.name_entities.is_empty()
        {
            g.column = crate::report::display_column(&c.name, true);
        }
    }
    let k_anonymity = match &policy.k {
        Some(k) if k.applies_to(&input.display()) => {
            let missing: Vec<&String> = k
                .quasi_identifiers
                .iter()
                .filter(|q| !scan.columns.iter().any(|c| &c.name == *q))
                .collect();
            if !missing.is_empty() {
                let names: Vec<String> = scan.columns.iter().map(|c| c.name.clone()).collect();
                return Err(SourceError::Malformed {
                    path: input.display(),
                    location: "k_anonymity".into(),
                    message: missing
                        .iter()
                        .map(|q| {
                            format!(
                                "quasi-identifier {q:?} is not a column of this file{}",
                                crate::aggregate::close_matches(q, &names)
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; "),
                });
            }
            let read = crate::source::ReadOptions {
                max_rows: opts.read.max_rows,
                ..opts.read
            };
            let r = crate::aggregate::risk(
                std::slice::from_ref(input),
                &k.quasi_identifiers,
                &BTreeMap::new(),
                None,
                &read,
                &[k.k_min],
            )
            .map_err(|e| match e {
                crate::aggregate::AggregateError::Source(s) => s,
                other => SourceError::Malformed {
                    path: input.display(),
                    location: "k-anonymity".into(),
                    message: other.to_string(),
                },
            })?;
            Some(KResult {
                quasi_identifiers: k.quasi_identifiers.clone(),
                k: r.k,
                k_min: k.k_min,
                pass: r.k >= k.k_min,
            })
        }
        _ => None,
    };
    let mut findings: Vec<ColumnFinding> = collector.groups.into_values().collect();
    findings.extend(unexplained);
    findings.sort_by(|a, b| {
        (a.status != "fail", &a.column, &a.entity).cmp(&(b.status != "fail", &b.column, &b.entity))
    });
    // The scan kept raw samples (show_values above): mask them before they go anywhere.
    let mut report = crate::report::file_report(detector, input, &scan);
    for c in &mut report.columns {
        for s in &mut c.samples {
            *s = mask(s.as_bytes());
        }
    }
    Ok(FileCheck {
        path: crate::scan::shown_path(detector, &input.display()),
        format: input.format.name().to_string(),
        rows: scan.rows,
        sampled: scan.sampled,
        findings,
        k_anonymity,
        error: None,
        scan: Some(report),
    })
}

/// Columns the rules give no verdict whose values are mostly distinct and text-like
/// ([`crate::detect::shape::Shape::unexplained`]): a warning with the column's shape, a
/// failure when the policy says so, waived by an `[[allow]]` entry naming the column.
fn unexplained_columns(policy: &SharePolicy, scan: &crate::scan::FileScan) -> Vec<ColumnFinding> {
    let mut out = Vec::new();
    for c in &scan.columns {
        let Some(shape) = c.unexplained() else {
            continue;
        };
        let shape = shape.to_string();
        let waived = policy.waives_column(&c.name);
        let status = match (&waived, policy.unexplained_fails) {
            (Some(_), _) => "waived",
            (None, true) => "fail",
            (None, false) => "warn",
        };
        out.push(ColumnFinding {
            column: crate::report::display_column(&c.name, !c.name_entities.is_empty()),
            entity: "UNEXPLAINED".into(),
            status: status.into(),
            cells: c.stats.shape.cells,
            first_row: 0,
            sample: shape.clone(),
            reason: Some(waived.unwrap_or_else(|| format!("no rule explains its values: {shape}"))),
            fix: (status == "fail").then(|| {
                "the rules give this column no verdict, yet its values are mostly distinct and text-like: name what it holds (a pseudonymize policy `[columns]` entry such as `\"col\" = \"token\"` or `\"drop\"`), or waive it with an [[allow]] entry `column = \"...\"` and a reason".to_string()
            }),
        });
    }
    out
}

/// Reads `input` again for its free-text columns `cols` and counts the high-recall
/// candidates of each cell ([`crate::detect::recall`]) beside the rules' findings.
fn recall_pass(
    detector: &Detector,
    input: &Input,
    opts: &ScanOptions,
    cols: &[u32],
    collector: &mut Collector<'_>,
) -> Result<(), SourceError> {
    let mut reader = crate::source::open(input, &opts.read, opts.read.counter())?;
    let mut scratch = crate::detect::Scratch::default();
    let mut plans: BTreeMap<u32, crate::detect::ColumnPlan> = BTreeMap::new();
    loop {
        let batches = reader.next_batches(4)?;
        if batches.is_empty() {
            return Ok(());
        }
        for b in batches {
            for c in b.columns.iter().filter(|c| cols.contains(&c.col)) {
                let name = reader.columns()[c.col as usize].clone();
                let plan = plans.entry(c.col).or_insert_with(|| detector.plan(&name));
                for (row, cell) in c.iter() {
                    detector.scan_cell(plan, cell, &mut scratch);
                    let mut findings = std::mem::take(&mut scratch.findings);
                    // A finding the policy does not count explains nothing either.
                    findings.retain(|f| f.score >= collector.policy.min_confidence);
                    crate::detect::recall::add_findings(detector, cell, &mut findings);
                    for f in findings.iter().filter(|f| f.rule == u16::MAX) {
                        let value =
                            String::from_utf8_lossy(&cell[f.start as usize..f.end as usize]);
                        collector.add(
                            c.col,
                            &name,
                            f.entity,
                            &value,
                            b.first_row + u64::from(row),
                            1,
                        );
                    }
                    scratch.findings = findings;
                }
            }
        }
    }
}

/// Checks every input (in parallel): data files are scanned ([`check_input_with`]), files
/// of no data format are read as text or, when they are not text, fail unless an allow
/// entry names them; names in each file's path below the folder given (`roots`) are judged
/// too. An input that cannot be read is a [`FileCheck`] with its error. A folder given that
/// holds a release's manifest is verified against it ([`verify_release`]).
pub fn check_files(
    detector: &Detector,
    policy: &SharePolicy,
    roots: &[std::path::PathBuf],
    inputs: &[Input],
    opts: &ScanOptions,
) -> Vec<FileCheck> {
    use crate::source::Format;
    use rayon::prelude::*;
    let rel_of = |p: &std::path::Path| -> std::path::PathBuf {
        roots
            .iter()
            .filter(|a| a.is_dir())
            .find_map(|a| p.strip_prefix(a).ok().map(std::path::Path::to_path_buf))
            .unwrap_or_else(|| std::path::PathBuf::from(p.file_name().unwrap_or_default()))
    };
    let check_one = |i: &Input| -> FileCheck {
        if i.format == Format::Text
            && let Some(reason) = policy.allows_file(&i.path)
        {
            let mut f = unreadable_file(policy, &i.path, "not read");
            f.findings[0].reason = Some(reason);
            return f;
        }
        match check_input_with(detector, policy, i, opts) {
            Ok(f) => f,
            Err(SourceError::Malformed { message, .. }) if i.format == Format::Text => {
                unreadable_file(policy, &i.path, &message)
            }
            Err(e) => FileCheck {
                path: i.display(),
                format: i.format.name().to_string(),
                rows: 0,
                sampled: false,
                findings: Vec::new(),
                k_anonymity: None,
                error: Some(e.to_string()),
                scan: None,
            },
        }
    };
    let mut files: Vec<FileCheck> = inputs
        .par_iter()
        .map(|i| {
            let mut f = check_one(i);
            // Names are shared too.
            let names = path_findings(detector, policy, &rel_of(&i.path));
            f.findings.splice(0..0, names);
            f
        })
        .collect();
    // A release is checked whole too: its files must be the ones its manifest lists.
    files.extend(
        roots
            .iter()
            .filter(|r| r.is_dir())
            .filter_map(|r| verify_release(r)),
    );
    files
}

/// Findings in a file's path below the folder it was found in (`jane.doe@example.com/x.csv`,
/// `customer=Jane Doe/part-0.parquet`): file and folder names are shared too.
pub fn path_findings(
    detector: &Detector,
    policy: &SharePolicy,
    rel: &std::path::Path,
) -> Vec<ColumnFinding> {
    let mut out: BTreeMap<String, ColumnFinding> = BTreeMap::new();
    for c in rel.components() {
        let name = c.as_os_str().to_string_lossy();
        for e in crate::scan::name_entities(detector, &name) {
            let status = match policy.judge("(path)", &e, &name) {
                Judgement::Allowed => continue,
                Judgement::Waived(_) => "waived",
                Judgement::Violation => "fail",
            };
            let f = out.entry(e.clone()).or_insert_with(|| ColumnFinding {
                column: "(file or folder name)".into(),
                entity: e.clone(),
                status: status.into(),
                cells: 0,
                first_row: 0,
                sample: mask(name.as_bytes()),
                reason: None,
                fix: (status == "fail").then(|| {
                    "rename the file or folder (shroud pseudonymize replaces such names in the copy it writes)".to_string()
                }),
            });
            f.cells += 1;
        }
    }
    out.into_values().collect()
}

/// The verdict on a file `check` cannot read as data (a binary or archive of unknown
/// format): it fails unless an allow entry names it.
pub fn unreadable_file(policy: &SharePolicy, path: &std::path::Path, why: &str) -> FileCheck {
    let waived = policy.allows_file(path);
    FileCheck {
        path: path.display().to_string(),
        format: "unknown".into(),
        rows: 0,
        sampled: false,
        findings: vec![ColumnFinding {
            column: "(file)".into(),
            entity: "UNREADABLE".into(),
            status: if waived.is_some() { "waived" } else { "fail" }.into(),
            cells: 1,
            first_row: 0,
            sample: String::new(),
            reason: waived.clone(),
            fix: waived.is_none().then(|| {
                format!("{why}: check cannot vouch for it. Remove it from what you share, convert it to CSV/JSON/Parquet, or name it in an [[allow]] entry with `file = \"...\"` and a reason")
            }),
        }],
        k_anonymity: None,
        error: None,
        scan: None,
    }
}
