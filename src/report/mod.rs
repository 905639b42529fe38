//! The scan report: a versioned JSON contract (`--report`), and the human summary table.
//!
//! ```json
//! {"version":1,"files":[{"path","format","rows","columns":[{"column","entity","confidence",
//!   "non_empty","matches":{"ENTITY":cells},"samples":[masked...]}],"errors":[]}]}
//! ```
//! Fields are only ever added, never renamed or removed, within a version. Samples are masked
//! ([`mask`]) unless the user asked for raw values.

pub mod html;
pub mod human;

/// Masking of samples (lives in [`crate::mask`]: the engine masks too).
pub use crate::mask;

use crate::detect::Detector;
use crate::scan::FileScan;
use crate::source::Input;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Report format version.
pub const VERSION: u32 = 1;

/// The whole report.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Report {
    /// Contract version (1).
    pub version: u32,
    /// The tool and its version, e.g. `shroud 0.1.0`.
    pub tool: String,
    /// Samples and findings hold raw values (`--show-values`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub show_values: bool,
    /// One entry per input, sorted by path.
    pub files: Vec<FileReport>,
}

/// One input's results.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileReport {
    /// Path as given (or found under a folder).
    pub path: String,
    /// `csv`, `json`, `jsonl` or `parquet`.
    pub format: String,
    /// Data rows scanned.
    pub rows: u64,
    /// Size of the input in bytes as stored (compressed size for .gz/.zst; 0 for stdin).
    #[serde(default)]
    pub bytes: u64,
    /// Only the first rows were scanned (`--sample-rows`).
    #[serde(default)]
    pub sampled: bool,
    /// CSV rows with a different field count than the header, scanned under `--lenient`.
    #[serde(default)]
    pub ragged_rows: u64,
    /// JSON lines skipped as unparsable under `--lenient`.
    #[serde(default)]
    pub skipped_records: u64,
    /// Columns in file order.
    pub columns: Vec<ColumnReport>,
    /// Errors that stopped this input (`--keep-going`), with file and location.
    pub errors: Vec<String>,
}

/// One column's results.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ColumnReport {
    /// Column path (`email`, `user.contact.email`, `devices[].ip`).
    pub column: String,
    /// The entity the column carries, or null.
    pub entity: Option<String>,
    /// Confidence of the verdict in `0..=1` (0 without a verdict).
    pub confidence: f64,
    /// Non-empty cells.
    pub non_empty: u64,
    /// Cells in which each entity was found.
    pub matches: BTreeMap<String, u64>,
    /// Cells in which each rule fired, by rule id (which rules the verdict rests on).
    #[serde(default)]
    pub rules: BTreeMap<String, u64>,
    /// Masked sample values (raw only with `--show-values`).
    pub samples: Vec<String>,
    /// The column holds free text: no single verdict, see `matches`.
    #[serde(default)]
    pub free_text: bool,
    /// Cells that were not valid UTF-8 (scanned as bytes).
    #[serde(default)]
    pub invalid_utf8: u64,
    /// The entities the column's name suggests, when its values make it another entity (an
    /// `email` column holding phone numbers): the header is misleading. Absent otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub header_mismatch: Vec<String>,
}

impl Report {
    /// An empty report.
    pub fn new() -> Self {
        Report {
            version: VERSION,
            tool: format!("shroud {}", env!("CARGO_PKG_VERSION")),
            show_values: false,
            files: Vec::new(),
        }
    }

    /// Whether any column has a verdict or any cell a finding.
    pub fn has_findings(&self) -> bool {
        self.files
            .iter()
            .flat_map(|f| &f.columns)
            .any(|c| c.entity.is_some() || !c.matches.is_empty())
    }
}

impl Default for Report {
    fn default() -> Self {
        Report::new()
    }
}

/// How reports name a column: its path, or its masked path when the name itself holds
/// personal data (a CSV header that is an email address, a pivoted column named after a
/// person).
pub fn display_column(name: &str, holds_pii: bool) -> String {
    if holds_pii {
        format!("{} (name masked)", crate::mask::mask(name.as_bytes()))
    } else {
        name.to_string()
    }
}

/// Builds a file entry from a scan.
pub fn file_report(detector: &Detector, input: &Input, scan: &FileScan) -> FileReport {
    let columns = scan
        .columns
        .iter()
        .map(|c| ColumnReport {
            column: display_column(&c.name, !c.name_entities.is_empty()),
            entity: c.verdict.entity.clone(),
            confidence: c.verdict.confidence,
            non_empty: c.stats.non_empty,
            matches: c
                .stats
                .entities
                .iter()
                .enumerate()
                .filter(|(_, s)| s.cells > 0)
                .map(|(e, s)| (detector.entities[e].clone(), s.cells))
                .collect(),
            rules: c
                .stats
                .rules
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .map(|(r, n)| (detector.rules[r].id.clone(), *n))
                .collect(),
            samples: c.stats.samples.iter().map(|s| s.2.clone()).collect(),
            free_text: c.verdict.free_text,
            invalid_utf8: c.stats.invalid_utf8,
            header_mismatch: header_mismatch(detector, &c.name, c.verdict.entity.as_deref()),
        })
        .collect();
    FileReport {
        path: crate::scan::shown_path(detector, &input.display()),
        format: input.format.name().to_string(),
        rows: scan.rows,
        bytes: input.size,
        sampled: scan.sampled,
        ragged_rows: scan.read_stats.ragged_rows,
        skipped_records: scan.read_stats.skipped_records,
        columns,
        errors: Vec::new(),
    }
}

/// The entities a column's name hints at, when the verdict is another entity; empty when the
/// name hints at nothing, or at the verdict.
fn header_mismatch(detector: &Detector, name: &str, verdict: Option<&str>) -> Vec<String> {
    let Some(verdict) = verdict else {
        return Vec::new();
    };
    let plan = detector.plan(name);
    let hinted: Vec<String> = (0..detector.entities.len())
        .filter(|&e| plan.hints(e))
        .map(|e| detector.entities[e].clone())
        .collect();
    if hinted.iter().any(|h| h == verdict) {
        Vec::new()
    } else {
        hinted
    }
}

/// A file entry for an input that failed.
pub fn error_report(input: &Input, error: String) -> FileReport {
    FileReport {
        path: input.display(),
        format: input.format.name().to_string(),
        rows: 0,
        bytes: input.size,
        sampled: false,
        ragged_rows: 0,
        skipped_records: 0,
        columns: Vec::new(),
        errors: vec![error],
    }
}
