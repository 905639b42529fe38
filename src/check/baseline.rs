//! Baselines: findings accepted once, by their stable identity, so that a gate fails only on
//! what is new (as gitleaks' `--baseline-path`). A finding's identity is a digest of its
//! file, column and entity, never of a value: it stays the same when counts, rows or samples
//! change, and it is what SARIF's `partialFingerprints` and the JSON output carry.

use super::FileCheck;
use std::collections::HashSet;

/// Verdicts on a whole file that a baseline never accepts: their fingerprint names the path
/// alone, so accepting one would pass whatever the path holds later (another archive,
/// another tampered release).
const NEVER: &[&str] = &["UNREADABLE", "RELEASE_MISMATCH"];

/// The key SARIF results carry their fingerprint under.
pub(super) const SARIF_KEY: &str = "shroudFinding/v1";

/// A digest of `parts` (length-prefixed, so `("ab", "c")` and `("a", "bc")` differ): 128 bits
/// of SHA-256, in hex.
pub(super) fn fingerprint(parts: &[&str]) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    crate::output::hex(&h.finalize()[..16])
}

/// The identity of the finding of `entity` in `column` of the file at `path`.
pub fn finding_fingerprint(path: &str, column: &str, entity: &str) -> String {
    fingerprint(&[path, column, entity])
}

/// Accepted findings, read from an earlier `check --format json` or `--format sarif` output.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    accepted: HashSet<String>,
}

impl Baseline {
    /// Reads a baseline: the JSON or SARIF output of `shroud check`. Every finding in it,
    /// failing, warned or baselined, is accepted; input errors and k-anonymity results never
    /// are (they are not findings of a column).
    pub fn parse(text: &str) -> Result<Baseline, String> {
        let doc: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let mut accepted = HashSet::new();
        if let Some(runs) = doc.get("runs").and_then(|r| r.as_array()) {
            for run in runs {
                let tool = run.pointer("/tool/driver/name").and_then(|n| n.as_str());
                if tool != Some("shroud") {
                    return Err("a SARIF run that shroud did not write".into());
                }
                for r in run
                    .get("results")
                    .and_then(|r| r.as_array())
                    .into_iter()
                    .flatten()
                {
                    let rule = r.get("ruleId").and_then(|v| v.as_str()).unwrap_or("");
                    let entity = rule.strip_prefix("shroud/").unwrap_or("");
                    if matches!(entity, "input-error" | "k-anonymity") || NEVER.contains(&entity) {
                        continue;
                    }
                    let fp = r
                        .pointer(&format!("/partialFingerprints/{}", SARIF_KEY.replace('/', "~1")))
                        .and_then(|v| v.as_str())
                        .ok_or("a SARIF result without shroud's partialFingerprints (written by shroud before 0.2?)")?;
                    accepted.insert(fp.to_string());
                }
            }
        } else if let Some(files) = doc.get("files").and_then(|f| f.as_array()) {
            if doc.get("version").and_then(|v| v.as_u64()) != Some(1) {
                return Err("not version 1 of shroud check's JSON output".into());
            }
            for f in files {
                for c in f
                    .get("findings")
                    .and_then(|c| c.as_array())
                    .into_iter()
                    .flatten()
                {
                    let status = c.get("status").and_then(|v| v.as_str()).unwrap_or("");
                    let entity = c.get("entity").and_then(|v| v.as_str()).unwrap_or("");
                    if !matches!(status, "fail" | "warn" | "baselined") || NEVER.contains(&entity) {
                        continue;
                    }
                    let fp = c
                        .get("fingerprint")
                        .and_then(|v| v.as_str())
                        .ok_or("a finding without a fingerprint (written by shroud before 0.2?)")?;
                    accepted.insert(fp.to_string());
                }
            }
        } else {
            return Err(
                "neither the JSON nor the SARIF output of `shroud check` (no `files`, no `runs`)"
                    .into(),
            );
        }
        Ok(Baseline { accepted })
    }

    /// How many findings the baseline accepts.
    pub fn len(&self) -> usize {
        self.accepted.len()
    }

    /// Whether it accepts none.
    pub fn is_empty(&self) -> bool {
        self.accepted.is_empty()
    }

    /// Marks the failing and warned findings of `files` that the baseline accepts as
    /// `baselined` (reason: the baseline `source`); returns how many. They no longer fail.
    pub fn apply(&self, files: &mut [FileCheck], source: &str) -> usize {
        let mut n = 0;
        for f in files {
            for c in &mut f.findings {
                if !matches!(c.status.as_str(), "fail" | "warn")
                    || NEVER.contains(&c.entity.as_str())
                {
                    continue;
                }
                if self
                    .accepted
                    .contains(&finding_fingerprint(&f.path, &c.column, &c.entity))
                {
                    c.status = "baselined".into();
                    c.reason = Some(format!("accepted in the baseline {source}"));
                    c.fix = None;
                    n += 1;
                }
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{ColumnFinding, render_json, render_sarif};

    fn file(path: &str, findings: &[(&str, &str, &str)]) -> FileCheck {
        FileCheck {
            path: path.into(),
            format: "csv".into(),
            rows: 10,
            sampled: false,
            findings: findings
                .iter()
                .map(|&(column, entity, status)| ColumnFinding {
                    column: column.into(),
                    entity: entity.into(),
                    status: status.into(),
                    cells: 3,
                    first_row: 1,
                    sample: "a***".into(),
                    reason: None,
                    fix: Some("fix".into()),
                })
                .collect(),
            k_anonymity: None,
            error: None,
            scan: None,
        }
    }

    #[test]
    fn a_finding_in_the_baseline_passes_and_a_new_one_fails_from_json_and_from_sarif() {
        let old = vec![file(
            "share/a.csv",
            &[
                ("email", "EMAIL_ADDRESS", "fail"),
                ("notes", "UNEXPLAINED", "warn"),
            ],
        )];
        for text in [render_json(&old), render_sarif(&old)] {
            let b = Baseline::parse(&text).unwrap();
            assert_eq!(b.len(), 2);
            let mut now = vec![
                file(
                    "share/a.csv",
                    &[
                        ("email", "EMAIL_ADDRESS", "fail"),
                        ("phone", "PHONE_NUMBER", "fail"),
                        ("notes", "UNEXPLAINED", "warn"),
                    ],
                ),
                // The same column in another file is another finding.
                file("share/b.csv", &[("email", "EMAIL_ADDRESS", "fail")]),
            ];
            assert_eq!(b.apply(&mut now, "base.json"), 2);
            assert_eq!(now[0].findings[0].status, "baselined");
            assert_eq!(now[0].findings[1].status, "fail");
            assert_eq!(now[0].findings[2].status, "baselined");
            assert!(now[0].fails() && now[1].fails());
            // A baselined run is a baseline too: accepting it again changes nothing.
            let again = Baseline::parse(&render_json(&now)).unwrap();
            assert_eq!(again.len(), 4);
        }
    }

    #[test]
    fn errors_k_anonymity_and_whole_file_verdicts_are_never_accepted_and_foreign_files_are_refused()
    {
        let mut f = file(
            "a.zip",
            &[
                ("(file)", "UNREADABLE", "fail"),
                ("(release)", "RELEASE_MISMATCH", "fail"),
            ],
        );
        f.error = Some("broken".into());
        f.k_anonymity = Some(crate::check::KResult {
            quasi_identifiers: vec!["zip".into()],
            k: 1,
            k_min: 5,
            pass: false,
        });
        for text in [render_sarif(&[f.clone()]), render_json(&[f.clone()])] {
            let b = Baseline::parse(&text).unwrap();
            assert!(b.is_empty(), "{text}");
            let mut now = vec![f.clone()];
            assert_eq!(b.apply(&mut now, "b"), 0);
            assert!(now[0].fails());
            // Even a baseline that lists them (written by hand) accepts none.
            let forged = Baseline {
                accepted: f
                    .findings
                    .iter()
                    .map(|c| finding_fingerprint(&f.path, &c.column, &c.entity))
                    .collect(),
            };
            assert_eq!(forged.apply(&mut now, "b"), 0);
        }
        for bad in [
            "[]",
            "{}",
            "not json",
            r#"{"runs":[{"tool":{"driver":{"name":"gitleaks"}}}]}"#,
            r#"{"version":2,"files":[]}"#,
            r#"{"version":1,"files":[{"findings":[{"status":"fail"}]}]}"#,
        ] {
            assert!(Baseline::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fingerprints_are_length_prefixed() {
        assert_ne!(
            finding_fingerprint("ab", "c", "E"),
            finding_fingerprint("a", "bc", "E")
        );
    }
}
