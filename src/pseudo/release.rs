//! Releases that accumulate in one outbox (issue 28). An outbox's manifest lists every file
//! shroud wrote there that is still there, each with the release that wrote it and its key's
//! fingerprint: day 2 added with `append` keeps day 1's entries (a rerun with `force`
//! replaces only the entries of the files it rewrites). A run whose key differs from a key
//! already in the outbox is refused unless `accept_new_key` says so: one recipient would
//! otherwise hold tokens of two keys that never join, without a word.
//!
//! Neighbours: [`super::job::Job::run`] calls [`previous`] before writing anything and
//! [`merge`] when it writes the manifest; `check` verifies every listed
//! file's digest.

use super::Manifest;
use super::job::{JobError, LEGACY_MANIFEST, MANIFEST};
use std::collections::BTreeSet;
use std::path::Path;

/// The release already in `out_dir`, if its manifest is there. A manifest that cannot be
/// read as shroud's is an error (nothing is written beside what was not understood), unless
/// `force` replaces it.
pub fn previous(out_dir: &Path, force: bool) -> Result<Option<Manifest>, JobError> {
    for name in [MANIFEST, LEGACY_MANIFEST] {
        let path = out_dir.join(name);
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let parsed = meta
            .is_file()
            .then(|| std::fs::read_to_string(&path).ok())
            .flatten()
            .and_then(|t| serde_json::from_str::<Manifest>(&t).ok())
            .filter(|m| m.tool.starts_with("shroud "));
        return match parsed {
            Some(m) => Ok(Some(m)),
            None if force => Ok(None),
            None => Err(JobError::Refused(format!(
                "{} is not a manifest shroud can read: refusing to write beside it (--force replaces it)",
                path.display()
            ))),
        };
    }
    Ok(None)
}

/// The key fingerprints of the files a manifest lists (an entry without its own names the
/// manifest's).
fn keys(m: &Manifest) -> BTreeSet<String> {
    m.files
        .iter()
        .filter_map(|f| {
            f.key_fingerprint
                .clone()
                .or_else(|| m.key_fingerprint.clone())
        })
        .chain(m.key_fingerprint.clone())
        .collect()
}

/// Whether a run with key `key` (its fingerprint) may write into the outbox holding
/// `prev`: `append` or `force` must say so, and a different key needs `accept_new_key`.
/// Returns this run's release number.
pub fn admit(
    prev: &Manifest,
    key: Option<&str>,
    append: bool,
    force: bool,
    accept_new_key: bool,
) -> Result<u32, JobError> {
    if !append && !force {
        return Err(JobError::Refused(
            "the output folder holds a release (its _shroud_manifest.json): --append adds this run as a new release beside it, --force also replaces the files this run writes".into(),
        ));
    }
    if let Some(key) = key {
        let other: Vec<String> = keys(prev).into_iter().filter(|k| k != key).collect();
        if !other.is_empty() && !accept_new_key {
            return Err(JobError::Refused(format!(
                "the output folder holds files pseudonymized with another key (fingerprint {}; this key is {key}): their tokens would never join this run's, and one recipient would hold two keys' tokens. Use a fresh folder, or --accept-new-key",
                other.join(", ")
            )));
        }
    }
    Ok(prev
        .files
        .iter()
        .filter_map(|f| f.release)
        .chain(prev.release)
        .max()
        .unwrap_or(1)
        + 1)
}

/// The outputs `prev` lists (relative paths), to refuse a run that would overwrite one
/// without `force`.
pub fn listed(prev: &Manifest) -> impl Iterator<Item = &str> {
    prev.files.iter().map(|f| f.output.as_str())
}

/// The manifest after this run: `prev`'s entries for the files this run did not rewrite
/// (each with its release and key, filled in from `prev`'s own when it predates them),
/// then this run's.
pub fn merge(prev: Option<Manifest>, mut run: Manifest) -> Manifest {
    let Some(prev) = prev else {
        return run;
    };
    let written: BTreeSet<String> = run.files.iter().map(|f| f.output.clone()).collect();
    // The outbox is verified only when every release whose files it still holds was.
    if prev.files.iter().any(|f| !written.contains(&f.output)) {
        run.verified &= prev.verified;
    }
    let kept = prev
        .files
        .iter()
        .filter(|f| !written.contains(&f.output))
        .map(|f| {
            let mut f = f.clone();
            f.release = f.release.or(prev.release).or(Some(1));
            f.key_fingerprint = f.key_fingerprint.or_else(|| prev.key_fingerprint.clone());
            f
        });
    let mut files: Vec<_> = kept.collect();
    files.append(&mut run.files);
    run.files = files;
    run
}
