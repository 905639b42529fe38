//! A release's integrity: the files its manifest lists are the files in the folder, byte for
//! byte. `pseudonymize` records each output's SHA-256 in the manifest and writes the manifest
//! last, replacing the old one in one rename; a `--force` run killed (even with SIGKILL)
//! between its first file's rename and the manifest's leaves files whose digests do not match
//! the manifest in place, and `check` fails the release here instead of vouching for a mix of
//! two runs (two keys).

use super::{ColumnFinding, FileCheck};
use crate::pseudo::Manifest;
use crate::pseudo::job::{LEGACY_MANIFEST, MANIFEST, resolve_under};
use std::path::Path;

const MISMATCH: &str = "does not match its digest";

/// What is wrong with one listed file.
fn problem(root: &Path, output: &str, want: &str) -> Option<&'static str> {
    let Some(path) = resolve_under(root, output) else {
        return Some("names a path outside the release");
    };
    match crate::output::sha256_file(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some("is listed but missing"),
        Err(_) => Some("cannot be read"),
        Ok(got) if !got.eq_ignore_ascii_case(want) => Some(MISMATCH),
        Ok(_) => None,
    }
}

/// The verdict on the release rooted at `root`, when `root` holds a manifest written by
/// shroud that records digests: a failure naming every listed file that is missing or
/// differs. `None` when there is no such manifest (the folder is then only data) or every
/// file matches.
pub fn verify_release(root: &Path) -> Option<FileCheck> {
    let (path, text) = [MANIFEST, LEGACY_MANIFEST].iter().find_map(|name| {
        let p = root.join(name);
        let meta = std::fs::symlink_metadata(&p).ok()?;
        if !meta.is_file() {
            return None;
        }
        std::fs::read_to_string(&p).ok().map(|t| (p, t))
    })?;
    let manifest: Manifest = serde_json::from_str(&text).ok()?;
    if !manifest.tool.starts_with("shroud ") {
        return None;
    }
    let mut bad: Vec<String> = Vec::new();
    for f in manifest.files.iter().filter(|f| f.output != "-") {
        let Some(want) = &f.sha256 else { continue };
        if let Some(why) = problem(root, &f.output, want) {
            // A file in the release is named as check names it anyway; a name only the
            // manifest holds (missing, outside) is masked, as any text of an input.
            let shown = if why == MISMATCH {
                f.output.clone()
            } else {
                crate::mask::mask(f.output.as_bytes())
            };
            bad.push(format!("{shown} {why}"));
        }
    }
    if bad.is_empty() {
        return None;
    }
    Some(FileCheck {
        path: path.display().to_string(),
        format: "manifest".into(),
        rows: 0,
        sampled: false,
        findings: vec![ColumnFinding {
            column: "(release)".into(),
            entity: "RELEASE_MISMATCH".into(),
            status: "fail".into(),
            cells: bad.len() as u64,
            first_row: 0,
            sample: bad.join("; "),
            reason: None,
            fix: Some(
                "the files do not match the release's manifest (a pseudonymize run was interrupted while replacing them, or they were changed afterwards): rerun shroud pseudonymize --force into a fresh folder".into(),
            ),
        }],
        k_anonymity: None,
        error: None,
        scan: None,
    })
}
