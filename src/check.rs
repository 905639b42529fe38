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
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

/// A share policy as written (TOML).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharePolicySpec {
    /// Findings scoring below this do not count (default 0.5).
    pub min_confidence: Option<f32>,
    /// Entities that may appear: `LOCATION = "allow"` or `POSTAL_CODE = { allow = true,
    /// max_length = 3 }` (allowed when generalized to at most 3 characters).
    #[serde(default)]
    pub entities: BTreeMap<String, EntityRuleSpec>,
    /// Allow-list entries, each with a reason.
    #[serde(default)]
    pub allow: Vec<AllowSpec>,
    /// Minimum k over quasi-identifiers.
    pub k_anonymity: Option<KSpec>,
}

/// An entity rule as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum EntityRuleSpec {
    /// `"allow"` or `"deny"`.
    Word(String),
    /// A table.
    Table {
        /// Whether the entity may appear.
        allow: bool,
        /// Allowed when the value has at most this many characters.
        max_length: Option<usize>,
        /// Allowed when the value is already generalized: `generalize` leaves it as it is
        /// (a birth date on January 1st, a postal code of 3 characters, an IPv4 /24).
        #[serde(default)]
        generalized: bool,
    },
}

/// An allow-list entry: exactly one of `value`, `pattern`, `column`, `file`, plus a reason.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowSpec {
    /// A glob of files `check` may pass without reading (files it cannot read: binaries,
    /// archives, unknown formats).
    pub file: Option<String>,
    /// An exact value (compared after trimming).
    pub value: Option<String>,
    /// A regular expression a value must match.
    pub pattern: Option<String>,
    /// A column path known to be safe (all its findings are waived).
    pub column: Option<String>,
    /// Restrict the entry to one entity.
    pub entity: Option<String>,
    /// Why this is safe (required; shown in the output).
    pub reason: String,
}

/// The k-anonymity requirement.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KSpec {
    /// Quasi-identifier columns.
    pub quasi_identifiers: Vec<String>,
    /// Smallest acceptable equivalence class.
    pub k_min: u64,
}

/// The default share policy: what `shroud pseudonymize`'s default policy keeps may stay.
pub const DEFAULT_SHARE_POLICY: &str = r#"# shroud check: share policy
# Findings below this confidence do not count.
min_confidence = 0.5

[entities]
# Quasi-identifiers that the default pseudonymization keeps. Measure their risk with
# [k_anonymity] below or `shroud risk` before sharing row-level data.
LOCATION = "allow"
GENDER = "allow"
# A company's registration number is no person's:
BR_CNPJ = "allow"
# Postal codes generalized to 3 characters pass:
POSTAL_CODE = { allow = false, max_length = 3 }
# Birth dates generalized to their year (January 1st, or a bare year) pass:
DATE_OF_BIRTH = { allow = false, generalized = true }

# Values and columns known to be safe, each with a reason:
# [[allow]]
# value = "+1 800 555 0100"
# reason = "company support line"
# [[allow]]
# pattern = '@example\.(com|org|net)$'
# reason = "reserved test domains"
# [[allow]]
# column = "support_email"
# reason = "shared mailbox, not a person"
# Files check cannot read (binaries, archives, unknown formats) fail unless allowed:
# [[allow]]
# file = "**/*.pdf"
# reason = "contracts, reviewed by legal"

# [k_anonymity]
# quasi_identifiers = ["zip", "birth_year", "gender"]
# k_min = 5
"#;

/// What a share policy says of one entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct EntityRule {
    allow: bool,
    max_length: Option<usize>,
    generalized: bool,
}

/// A compiled share policy.
#[derive(Debug)]
pub struct SharePolicy {
    /// Findings scoring below this do not count.
    pub min_confidence: f32,
    entities: BTreeMap<String, EntityRule>,
    allow: Vec<(AllowSpec, Option<regex_automata::meta::Regex>)>,
    files: Option<globset::GlobSet>,
    /// The k-anonymity requirement.
    pub k: Option<KSpec>,
}

impl SharePolicy {
    /// Parses and checks a share policy.
    pub fn parse(text: &str) -> Result<SharePolicy, String> {
        Self::parse_inner(text, &[])
    }

    fn parse_inner(text: &str, extra_entities: &[String]) -> Result<SharePolicy, String> {
        let spec: SharePolicySpec = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut entities = BTreeMap::new();
        for (e, r) in spec.entities {
            if crate::entity::lookup(&e).is_none() && !extra_entities.contains(&e) {
                return Err(format!(
                    "entities.{e}: unknown entity{} (`shroud rules list` shows the entities)",
                    crate::entity::did_you_mean(&e)
                ));
            }
            let rule = match r {
                EntityRuleSpec::Word(w) if w == "allow" => EntityRule {
                    allow: true,
                    max_length: None,
                    generalized: false,
                },
                EntityRuleSpec::Word(w) if w == "deny" => EntityRule {
                    allow: false,
                    max_length: None,
                    generalized: false,
                },
                EntityRuleSpec::Word(w) => {
                    return Err(format!(
                        "entities.{e}: {w:?} is neither \"allow\" nor \"deny\""
                    ));
                }
                EntityRuleSpec::Table {
                    allow,
                    max_length,
                    generalized,
                } => EntityRule {
                    allow,
                    max_length,
                    generalized,
                },
            };
            entities.insert(e, rule);
        }
        let mut allow = Vec::new();
        for (i, a) in spec.allow.into_iter().enumerate() {
            let n = usize::from(a.value.is_some())
                + usize::from(a.pattern.is_some())
                + usize::from(a.column.is_some())
                + usize::from(a.file.is_some());
            if n != 1 {
                return Err(format!(
                    "allow entry {i}: give exactly one of value, pattern, column, file"
                ));
            }
            if a.reason.trim().is_empty() {
                return Err(format!("allow entry {i}: a reason is required"));
            }
            let re = a
                .pattern
                .as_deref()
                .map(|p| {
                    regex_automata::meta::Regex::new(p)
                        .map_err(|e| format!("allow entry {i}: pattern: {e}"))
                })
                .transpose()?;
            allow.push((a, re));
        }
        let min_confidence = spec.min_confidence.unwrap_or(0.5);
        if !(0.0..=1.0).contains(&min_confidence) {
            return Err("min_confidence must be within 0..=1".into());
        }
        let mut files = globset::GlobSetBuilder::new();
        let mut any_file = false;
        for (i, (a, _)) in allow.iter().enumerate() {
            if let Some(g) = &a.file {
                any_file = true;
                files
                    .add(globset::Glob::new(g).map_err(|e| format!("allow entry {i}: file: {e}"))?);
            }
        }
        let files = if any_file {
            Some(files.build().map_err(|e| e.to_string())?)
        } else {
            None
        };
        Ok(SharePolicy {
            min_confidence,
            entities,
            allow,
            files,
            k: spec.k_anonymity,
        })
    }

    /// Parses a share policy; `extra_entities` are entities user rules add.
    pub fn parse_with(text: &str, extra_entities: &[String]) -> Result<SharePolicy, String> {
        Self::parse_inner(text, extra_entities)
    }

    /// The share policy a pseudonymization policy implies: what it keeps may appear, what
    /// it generalizes may appear generalized, nothing else. `pseudonymize --verify` judges
    /// its output with it; for the default policy it is the default share policy.
    pub fn implied_by(policy: &crate::transform::Policy) -> SharePolicy {
        use crate::transform::Operator;
        let mut entities = BTreeMap::new();
        let names: std::collections::BTreeSet<&str> = crate::entity::ENTITIES
            .iter()
            .map(|e| e.name)
            .chain(policy.entities.keys().map(String::as_str))
            .collect();
        for e in names {
            let rule = match policy.operator("", e) {
                Operator::Keep => EntityRule {
                    allow: true,
                    max_length: None,
                    generalized: false,
                },
                Operator::Generalize => EntityRule {
                    allow: false,
                    max_length: None,
                    generalized: true,
                },
                _ => EntityRule {
                    allow: false,
                    max_length: None,
                    generalized: false,
                },
            };
            entities.insert(e.to_string(), rule);
        }
        SharePolicy {
            min_confidence: 0.5,
            entities,
            allow: Vec::new(),
            files: None,
            k: None,
        }
    }

    /// What this policy says of `entity`, in the registry's terms (tests compare the two).
    pub fn entity_default(&self, entity: &str) -> crate::entity::ShareDefault {
        use crate::entity::ShareDefault;
        match self.entities.get(entity) {
            Some(r) if r.allow => ShareDefault::Allow,
            Some(r) if r.generalized => ShareDefault::Generalized,
            Some(EntityRule {
                max_length: Some(n),
                ..
            }) => ShareDefault::MaxLength(*n),
            _ => ShareDefault::Deny,
        }
    }

    /// Whether `entity` may appear at all (allowed outright).
    pub fn allows(&self, entity: &str) -> bool {
        self.entities.get(entity).is_some_and(|r| r.allow)
    }

    /// Whether an allow entry names the file `path` (a file `check` cannot read).
    pub fn allows_file(&self, path: &std::path::Path) -> Option<String> {
        let set = self.files.as_ref()?;
        let name = path.file_name().map(std::path::Path::new);
        let hit = set
            .matches(path)
            .into_iter()
            .next()
            .or_else(|| name.and_then(|n| set.matches(n).into_iter().next()))?;
        self.allow
            .iter()
            .filter(|(a, _)| a.file.is_some())
            .nth(hit)
            .map(|(a, _)| a.reason.clone())
    }

    /// The built-in default.
    pub fn builtin() -> SharePolicy {
        SharePolicy::parse(DEFAULT_SHARE_POLICY).expect("the default share policy is valid")
    }

    /// Whether `value` of `entity` in `column` may appear; `Err(reason)` when allow-listed.
    fn judge(&self, column: &str, entity: &str, value: &str) -> Judgement {
        if let Some(r) = self.entities.get(entity) {
            if r.allow && r.max_length.is_none_or(|m| value.chars().count() <= m) {
                return Judgement::Allowed;
            }
            if let Some(m) = r.max_length
                && value.chars().count() <= m
            {
                return Judgement::Allowed;
            }
            if r.generalized && crate::transform::is_generalized(entity, value) {
                return Judgement::Allowed;
            }
        }
        for (a, re) in &self.allow {
            if a.entity.as_deref().is_some_and(|e| e != entity) {
                continue;
            }
            let hit = a.column.as_deref() == Some(column)
                || a.value.as_deref().is_some_and(|v| v.trim() == value.trim())
                || re.as_ref().is_some_and(|r| r.is_match(value));
            if hit {
                return Judgement::Waived(a.reason.clone());
            }
        }
        Judgement::Violation
    }
}

enum Judgement {
    Allowed,
    Waived(String),
    Violation,
}

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
    let scan = scan_input_with(
        detector,
        input,
        &opts,
        Some(&mut collector),
        Arc::new(AtomicU64::new(0)),
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
    // The footer's strings of a Parquet file (metadata, comments, queries) are data too:
    // pseudonymize judges and rewrites them, so the gate judges them (issue 23).
    if input.format == crate::source::Format::Parquet {
        let reader = crate::source::parquet::ParquetReader::new(
            input,
            &opts.read,
            Arc::new(AtomicU64::new(0)),
        )?;
        let plan = detector.plan("");
        let mut scratch = crate::detect::Scratch::default();
        for (_, text) in reader.footer_texts() {
            detector.scan_cell(&plan, text.as_bytes(), &mut scratch);
            for f in &scratch.findings {
                let value = text.get(f.start as usize..f.end as usize).unwrap_or("");
                collector.add(u32::MAX, "{parquet metadata}", f.entity, value, 0, 1);
            }
        }
    }
    // Columns named by their masked form where the name holds personal data.
    for ((col, _, _), g) in &mut collector.groups {
        if let Some(c) = scan.columns.get(*col as usize)
            && !c.name_entities.is_empty()
        {
            g.column = crate::report::display_column(&c.name, true);
        }
    }
    let k_anonymity = match &policy.k {
        Some(k) => {
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
        None => None,
    };
    let mut findings: Vec<ColumnFinding> = collector.groups.into_values().collect();
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
        path: input.display(),
        format: input.format.name().to_string(),
        rows: scan.rows,
        sampled: scan.sampled,
        findings,
        k_anonymity,
        error: None,
        scan: Some(report),
    })
}

/// Checks every input (in parallel): data files are scanned ([`check_input_with`]), files
/// of no data format are read as text or, when they are not text, fail unless an allow
/// entry names them; names in each file's path below the folder given (`roots`) are judged
/// too. An input that cannot be read is a [`FileCheck`] with its error.
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
    inputs
        .par_iter()
        .map(|i| {
            let mut f = check_one(i);
            // Names are shared too.
            let names = path_findings(detector, policy, &rel_of(&i.path));
            f.findings.splice(0..0, names);
            f
        })
        .collect()
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

/// Renders the human verdict.
pub fn render_text(files: &[FileCheck]) -> String {
    let mut s = String::new();
    let failed = files.iter().filter(|f| f.fails()).count();
    for f in files {
        let mark = if f.fails() { "FAIL" } else { "PASS" };
        let sampled = if f.sampled {
            format!(" (sampled: first {} rows)", f.rows)
        } else {
            String::new()
        };
        s.push_str(&format!("{mark} {} ({} rows){sampled}\n", f.path, f.rows));
        if let Some(e) = &f.error {
            s.push_str(&format!("  error: {e}\n"));
        }
        for c in &f.findings {
            match c.status.as_str() {
                "fail" => s.push_str(&format!(
                    "  {} holds {} in {} cell(s), first at row {}, e.g. {}\n    fix: {}\n",
                    c.column,
                    c.entity,
                    c.cells,
                    c.first_row,
                    c.sample,
                    c.fix.as_deref().unwrap_or("")
                )),
                status => s.push_str(&format!(
                    "  {status}: {} {} in {} cell(s): {}\n",
                    c.column,
                    c.entity,
                    c.cells,
                    c.reason.as_deref().unwrap_or("")
                )),
            }
        }
        if let Some(k) = &f.k_anonymity {
            s.push_str(&format!(
                "  k-anonymity over {}: k = {} ({} k-min {})\n",
                k.quasi_identifiers.join(", "),
                k.k,
                if k.pass { ">=" } else { "<" },
                k.k_min
            ));
        }
    }
    s.push_str(&format!(
        "{} of {} file(s) break the share policy{}\n",
        failed,
        files.len(),
        if failed > 0 { "" } else { ": safe to share" }
    ));
    s
}

/// Renders JSON.
pub fn render_json(files: &[FileCheck]) -> String {
    let pass = !files.iter().any(FileCheck::fails);
    let doc = serde_json::json!({
        "version": 1,
        "tool": format!("shroud {}", env!("CARGO_PKG_VERSION")),
        "pass": pass,
        "files": files.iter().map(|f| {
            let mut v = serde_json::to_value(f).expect("serializable");
            v["pass"] = serde_json::Value::Bool(!f.fails());
            v
        }).collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&doc).expect("serializable") + "\n"
}

/// The 1-based line of data row `row` in a file of `format` (CSV: after the header).
fn line_of(format: &str, row: u64) -> u64 {
    match format {
        "csv" => row + 2,
        _ => row + 1,
    }
}

/// Renders SARIF 2.1.0: one result per failing file/column/entity, located at the file
/// and the row of the first finding.
pub fn render_sarif(files: &[FileCheck]) -> String {
    let mut rules: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    let mut results = Vec::new();
    for f in files {
        for c in f.findings.iter().filter(|c| c.status == "fail") {
            let rule_id = format!("shroud/{}", c.entity);
            rules.entry(rule_id.clone()).or_insert_with(|| {
                serde_json::json!({
                    "id": rule_id,
                    "name": c.entity,
                    "shortDescription": { "text": format!("{} in shared data", c.entity) },
                    "fullDescription": { "text": format!("A column holds {} values that the share policy does not allow.", c.entity) },
                    "help": { "text": c.fix.clone().unwrap_or_default() },
                    "defaultConfiguration": { "level": "error" }
                })
            });
            results.push(serde_json::json!({
                "ruleId": rule_id,
                "level": "error",
                "message": { "text": format!("Column '{}' holds {} in {} cell(s), first at row {} (e.g. {}).", c.column, c.entity, c.cells, c.first_row, c.sample) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": f.path },
                        "region": { "startLine": line_of(&f.format, c.first_row) }
                    },
                    "logicalLocations": [{ "name": c.column, "kind": "member" }]
                }],
                "properties": { "column": c.column, "entity": c.entity, "cells": c.cells, "row": c.first_row, "sampled": f.sampled, "rows_checked": f.rows }
            }));
        }
        if let Some(k) = f.k_anonymity.as_ref().filter(|k| !k.pass) {
            let rule_id = "shroud/k-anonymity".to_string();
            rules.entry(rule_id.clone()).or_insert_with(|| {
                serde_json::json!({
                    "id": rule_id,
                    "shortDescription": { "text": "k-anonymity below the share policy's bound" },
                    "defaultConfiguration": { "level": "error" }
                })
            });
            results.push(serde_json::json!({
                "ruleId": rule_id,
                "level": "error",
                "message": { "text": format!("k = {} over {} is below k-min {}.", k.k, k.quasi_identifiers.join(", "), k.k_min) },
                "locations": [{ "physicalLocation": { "artifactLocation": { "uri": f.path } } }]
            }));
        }
        if let Some(e) = &f.error {
            results.push(serde_json::json!({
                "ruleId": "shroud/input-error",
                "level": "error",
                "message": { "text": e },
                "locations": [{ "physicalLocation": { "artifactLocation": { "uri": f.path } } }]
            }));
            rules.entry("shroud/input-error".into()).or_insert_with(|| {
                serde_json::json!({ "id": "shroud/input-error", "shortDescription": { "text": "the input could not be read" } })
            });
        }
    }
    let doc = serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "shroud",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules.into_values().collect::<Vec<_>>()
            } },
            "results": results,
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": files.iter().filter(|f| f.sampled).map(|f| serde_json::json!({
                    "level": "note",
                    "message": { "text": format!("sampled: only the first {} rows of {} were checked", f.rows, f.path) },
                    "locations": [{ "physicalLocation": { "artifactLocation": { "uri": f.path } } }]
                })).collect::<Vec<_>>()
            }]
        }]
    });
    serde_json::to_string_pretty(&doc).expect("serializable") + "\n"
}

/// Escapes text for XML 1.0: markup characters as entities, and characters XML 1.0 cannot
/// hold at all (control characters other than tab and line ends) as `\u{..}`.
fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// Renders JUnit XML: one test case per file.
pub fn render_junit(files: &[FileCheck]) -> String {
    let failures = files.iter().filter(|f| f.fails()).count();
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"shroud check\" tests=\"{}\" failures=\"{failures}\">\n  <testsuite name=\"shroud check\" tests=\"{}\" failures=\"{failures}\" errors=\"0\">\n",
        files.len(),
        files.len()
    );
    for f in files {
        s.push_str(&format!(
            "    <testcase classname=\"shroud.check\" name=\"{}\">\n",
            xml_escape(&f.path)
        ));
        if f.sampled {
            // The gate looked at the first rows only: say so where the verdict is read.
            s.push_str(&format!(
                "      <properties><property name=\"sampled\" value=\"first {} rows\"/></properties>\n",
                f.rows
            ));
            if !f.fails() {
                s.push_str(&format!(
                    "      <system-out>sampled: only the first {} rows were checked</system-out>\n",
                    f.rows
                ));
            }
        }
        if f.fails() {
            let body = render_text(std::slice::from_ref(f));
            let first = f
                .findings
                .iter()
                .find(|c| c.status == "fail")
                .map(|c| format!("{} holds {}", c.column, c.entity))
                .or_else(|| f.error.clone())
                .unwrap_or_else(|| "k-anonymity below bound".into());
            s.push_str(&format!(
                "      <failure message=\"{}\" type=\"personal-data\">{}</failure>\n",
                xml_escape(&first),
                xml_escape(&body)
            ));
        }
        s.push_str("    </testcase>\n");
    }
    s.push_str("  </testsuite>\n</testsuites>\n");
    s
}
