//! The pseudonymize job: files and folders in, a shareable copy out, with a manifest. What
//! `shroud pseudonymize` runs, callable from Rust with typed options and errors.
//!
//! Per input: pass 1 (a scan) plans each column, pass 2 writes a temporary file beside the
//! target, and with `verify` a rescan of that file (the same judgement as `shroud check`
//! under the share policy the pseudonymize policy implies) finds what is left. Only when
//! every input is written (and, with `verify`, clean) are the files renamed into place and
//! the manifest written: a failed run keeps nothing it wrote. File and folder names that hold
//! personal data are replaced like free text. The output folder is locked for the run.

use super::{
    FileManifest, FilePlan, Manifest, PseudoError, Rewrite, compressed_writer, plan_from_scan,
    rewrite,
};
use crate::check::{FileCheck, SharePolicy, check_input_with};
use crate::detect::Detector;
use crate::output::{TempFile, same_file};
use crate::scan::{FileScan, ScanOptions, scan_input};
use crate::source::discover::{DiscoverError, DiscoverOptions, discover};
use crate::source::{Input, SourceError};
use crate::transform::key::Key;
use crate::transform::{Policy, Transformer};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// Name of the manifest written into the output folder. Its `_` prefix makes dataset readers
/// (pyarrow, pandas, polars, Spark) skip it, as they skip `_SUCCESS`.
pub const MANIFEST: &str = "_shroud_manifest.json";
/// The manifest's name before 0.2 (still recognised by `check` and `reidentify`).
pub const LEGACY_MANIFEST: &str = "shroud-manifest.json";

/// Errors of a pseudonymize job.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Inputs could not be listed.
    #[error(transparent)]
    Discover(#[from] DiscoverError),
    /// An input could not be read (pass 1).
    #[error("pass 1 (scan) failed: {0}")]
    Source(#[from] SourceError),
    /// An input could not be rewritten (pass 2).
    #[error(transparent)]
    Pseudo(#[from] PseudoError),
    /// An output could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The run would break a rule about outputs (overwrite an input, replace outputs
    /// without `force`, two inputs on one output...).
    #[error("{0}")]
    Refused(String),
    /// `verify` found personal data the policy does not keep in what was written; nothing
    /// was kept.
    #[error(
        "verification: the output still holds personal data the policy does not keep, in {} column(s): {}; nothing was written",
        .columns.len(),
        .columns.join(", ")
    )]
    Residual {
        /// `file: column holds ENTITY in N cell(s)` per failing column (masked names).
        columns: Vec<String>,
        /// The per-file checks.
        checks: Vec<FileCheck>,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> JobError + '_ {
    move |source| JobError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// What to pseudonymize and how.
#[derive(Debug, Clone)]
pub struct JobOptions {
    /// Files and folders.
    pub inputs: Vec<PathBuf>,
    /// The output folder.
    pub out: PathBuf,
    /// Which files (globs, forced format).
    pub discover: DiscoverOptions,
    /// How to read them.
    pub scan: ScanOptions,
    /// Replace existing outputs (and add to a release already in the folder).
    pub force: bool,
    /// Add this run as a new release to a folder that holds one; never replace a file.
    pub append: bool,
    /// Accept a key other than the one the folder's release was written with.
    pub accept_new_key: bool,
    /// Rescan every output before keeping it; fail when personal data is left.
    pub verify: bool,
    /// Keep each input's pass-1 scan and each output's rescan (for an HTML report).
    pub keep_scans: bool,
}

/// One file of a finished run.
#[derive(Debug, Clone)]
pub struct FileOutcome {
    /// The input.
    pub input: Input,
    /// Where it was written.
    pub output: PathBuf,
    /// Its manifest entry.
    pub manifest: FileManifest,
    /// Pass 1's scan (with `keep_scans`).
    pub before: Option<FileScan>,
    /// The rescan of the output (with `verify` or `keep_scans`).
    pub after: Option<FileCheck>,
}

/// A finished run.
#[derive(Debug)]
pub struct Outcome {
    /// The manifest as written.
    pub manifest: Manifest,
    /// Per file.
    pub files: Vec<FileOutcome>,
}

/// A pseudonymize job: the engine, the policy and the key.
pub struct Job<'a> {
    detector: &'a Arc<Detector>,
    policy: &'a Policy,
    key: Option<&'a Key>,
    transformer: Transformer,
}

impl<'a> Job<'a> {
    /// A job. Keyed operators fail without a key.
    pub fn new(detector: &'a Arc<Detector>, policy: &'a Policy, key: Option<&'a Key>) -> Self {
        Job {
            detector,
            policy,
            key,
            transformer: Transformer::new(key),
        }
    }

    /// Pass 1 for one input: its scan and plan.
    pub fn plan(
        &self,
        input: &Input,
        opts: &ScanOptions,
    ) -> Result<(FileScan, FilePlan), SourceError> {
        let scan = scan_input(self.detector, input, opts, None, opts.read.counter())?;
        let plan = plan_from_scan(self.policy, &scan);
        if let Some(why) = plan.refusals.first() {
            return Err(SourceError::Malformed {
                path: input.display(),
                location: "pass 1".into(),
                message: format!("{why}; nothing was written"),
            });
        }
        Ok((scan, plan))
    }

    /// Pseudonymizes one input into `out` (standard output, or any stream), in the input's
    /// format and compression. Returns its manifest entry (output `-`).
    pub fn run_stream(
        &self,
        input: &Input,
        opts: &ScanOptions,
        out: &mut (dyn Write + Send),
    ) -> Result<FileManifest, JobError> {
        let (_, plan) = self.plan(input, opts)?;
        let rw = Rewrite::new(self.detector, &self.transformer, self.policy, &plan);
        let (rows, changes) = {
            let mut w = compressed_writer(input, out).map_err(io_err(Path::new("-")))?;
            let r = rewrite(&rw, input, opts, &mut *w)?;
            w.finish_write().map_err(io_err(Path::new("-")))?;
            r
        };
        Ok(FileManifest {
            input: input.display(),
            output: "-".into(),
            format: input.format.name().to_string(),
            rows,
            columns: rw.manifest_columns(&changes),
            sha256: None,
            release: None,
            key_fingerprint: self.key.map(Key::fingerprint),
        })
    }

    /// Pseudonymizes files and folders into an output folder. `on_file` hears of each file
    /// once it is written (not yet renamed into place).
    pub fn run(
        &self,
        opts: &JobOptions,
        on_file: &mut dyn FnMut(&FileManifest),
    ) -> Result<Outcome, JobError> {
        let inputs = discover(&opts.inputs, &opts.discover)?;
        let rel = relative_outputs(&opts.inputs, &inputs)?;
        // A database table becomes `<database name>/<table>.parquet`.
        let rel: Vec<PathBuf> = rel
            .iter()
            .zip(&inputs)
            .map(|(r, i)| match &i.table {
                Some(t) => r
                    .with_extension("")
                    .join(format!("{}.parquet", t.replace(['/', '\\'], "_"))),
                None => r.clone(),
            })
            .collect();
        let rel: Vec<PathBuf> = rel.iter().map(|r| self.safe_relative(r)).collect();
        check_unique(&rel, &inputs)?;
        let out_dir = &opts.out;
        // Decided before anything is created: a refused run leaves no folder behind.
        let out_canon = resolved(out_dir).map_err(io_err(out_dir))?;
        for a in &opts.inputs {
            // A database server's tables are never written to; a SQLite URL names its file.
            let Some(a) = crate::source::discover::local_path(a) else {
                continue;
            };
            let a = &a;
            let a_canon = std::fs::canonicalize(a).map_err(io_err(a))?;
            if a_canon.starts_with(&out_canon) || (a.is_dir() && out_canon.starts_with(&a_canon)) {
                return Err(JobError::Refused(format!(
                    "output folder {} is, contains or is inside the input {}: refusing (outputs must never overwrite or mix with inputs)",
                    out_dir.display(),
                    a.display()
                )));
            }
        }
        std::fs::create_dir_all(out_dir).map_err(io_err(out_dir))?;
        // One run at a time per output folder: two runs would mix two keys in one release.
        let _lock = lock_dir(out_dir)?;
        let previous = super::release::previous(out_dir, opts.force)?;
        let fingerprint = self.key.map(Key::fingerprint);
        let release = match &previous {
            Some(prev) => super::release::admit(
                prev,
                fingerprint.as_deref(),
                opts.append,
                opts.force,
                opts.accept_new_key,
            )?,
            None => 1,
        };
        if !opts.force {
            let listed: std::collections::BTreeSet<&str> =
                previous.iter().flat_map(super::release::listed).collect();
            let existing: Vec<String> = rel
                .iter()
                .filter(|r| {
                    std::fs::symlink_metadata(out_dir.join(r)).is_ok()
                        || listed.contains(r.to_string_lossy().as_ref())
                })
                .map(|r| out_dir.join(r).display().to_string())
                .chain(
                    [out_dir.join(MANIFEST)]
                        .into_iter()
                        .filter(|p| previous.is_none() && std::fs::symlink_metadata(p).is_ok())
                        .map(|p| p.display().to_string()),
                )
                .collect();
            if !existing.is_empty() {
                return Err(JobError::Refused(format!(
                    "output files exist (replacing them needs force): {}",
                    existing.join(", ")
                )));
            }
        }
        let share = SharePolicy::implied_by(self.policy);
        let mut pending: Vec<(TempFile, PathBuf, Option<std::fs::Permissions>)> = Vec::new();
        let mut files = Vec::new();
        let mut residual = Vec::new();
        let mut checks = Vec::new();
        for (input, rel) in inputs.iter().zip(&rel) {
            let target = out_dir.join(rel);
            if same_file(&input.path, &target) {
                return Err(JobError::Refused(format!(
                    "output {} is the input: refusing",
                    target.display()
                )));
            }
            // A FIFO or device is read once: spooled (to an unlinked file) for both passes.
            let spooled;
            let input = if std::fs::metadata(&input.path).is_ok_and(|m| !m.is_file()) {
                let mut f = tempfile::tempfile().map_err(io_err(&input.path))?;
                let mut src = std::fs::File::open(&input.path).map_err(io_err(&input.path))?;
                std::io::copy(&mut src, &mut f).map_err(io_err(&input.path))?;
                spooled = Input {
                    handle: Some(Arc::new(f)),
                    ..input.clone()
                };
                &spooled
            } else {
                input
            };
            let (scan, plan) = self.plan(input, &opts.scan)?;
            let parent = folder_inside(out_dir, rel)?;
            let mut tmp = TempFile::new_in(&parent).map_err(io_err(&parent))?;
            let rw = Rewrite::new(self.detector, &self.transformer, self.policy, &plan);
            let mut digest = Sha256::new();
            let (rows, changes) = {
                let hashed = crate::output::Hashing::new(tmp.as_file_mut(), &mut digest);
                let mut file = std::io::BufWriter::with_capacity(1 << 20, hashed);
                let result = {
                    let mut w = compressed_writer(input, &mut file).map_err(io_err(&target))?;
                    let r = rewrite(&rw, input, &opts.scan, &mut *w);
                    w.finish_write().map_err(io_err(&target))?;
                    r
                };
                file.flush().map_err(io_err(&target))?;
                result?
            };
            tmp.as_file().sync_all().map_err(io_err(&target))?;
            let mut fm = FileManifest {
                // The manifest is shared with the data: an input path that holds personal
                // data (a folder named after a customer) is shown masked.
                input: self.shown_path(Path::new(&input.display())),
                output: rel.display().to_string(),
                // What the output is written in (a database table becomes Parquet).
                format: output_format(input).name().to_string(),
                rows,
                columns: rw.manifest_columns(&changes),
                sha256: Some(crate::output::hex(&digest.finalize())),
                release: Some(release),
                key_fingerprint: fingerprint.clone(),
            };
            let after = if opts.verify || opts.keep_scans {
                let written = Input {
                    path: tmp.path().to_path_buf(),
                    format: output_format(input),
                    table: None,
                    ..input.clone()
                };
                let mut check = check_input_with(self.detector, &share, &written, &opts.scan)
                    .map_err(JobError::Source)?;
                check.path = target.display().to_string();
                for f in check.findings.iter().filter(|f| f.status == "fail") {
                    if let Some(c) = fm.columns.iter_mut().find(|c| c.column == f.column) {
                        *c.residual.entry(f.entity.clone()).or_default() += f.cells;
                    }
                    residual.push(format!(
                        "{}: {} holds {} in {} cell(s)",
                        target.display(),
                        f.column,
                        f.entity,
                        f.cells
                    ));
                }
                checks.push(check.clone());
                Some(check)
            } else {
                None
            };
            on_file(&fm);
            let perms = std::fs::metadata(&input.path).ok().map(|m| m.permissions());
            pending.push((tmp, target.clone(), perms));
            files.push(FileOutcome {
                input: input.clone(),
                output: target,
                manifest: fm,
                before: opts.keep_scans.then_some(scan),
                after,
            });
        }
        if opts.verify && !residual.is_empty() {
            // The temporary files are removed as `pending` drops.
            return Err(JobError::Residual {
                columns: residual,
                checks,
            });
        }
        for (tmp, target, perms) in pending {
            // The copy gets the input's permissions (the temporary file was private).
            if let Some(p) = perms {
                let _ = tmp.as_file().set_permissions(p);
            }
            tmp.persist(&target).map_err(io_err(&target))?;
        }
        // Spark's and Hadoop's `_SUCCESS` markers tell readers a folder is complete: each
        // gets an empty one at its place in the copy (its content, a committer's report, is
        // not copied).
        for rel in success_markers(&opts.inputs) {
            let rel = self.safe_relative(&rel);
            let parent = folder_inside(out_dir, &rel)?;
            let target = parent.join(rel.file_name().unwrap_or_default());
            if std::fs::symlink_metadata(&target).is_err() {
                std::fs::File::create(&target).map_err(io_err(&target))?;
            }
        }
        let manifest = super::release::merge(
            previous,
            Manifest {
                version: 2,
                tool: format!("shroud {}", env!("CARGO_PKG_VERSION")),
                key_fingerprint: fingerprint,
                policy: policy_summary(self.policy),
                tokens: Some(TOKEN_NOTE.to_string()),
                verified: opts.verify,
                release: Some(release),
                files: files.iter().map(|f| f.manifest.clone()).collect(),
            },
        );
        let path = out_dir.join(MANIFEST);
        crate::output::write_atomic(&path, |w| {
            serde_json::to_writer_pretty(&mut *w, &manifest)?;
            w.write_all(b"\n")
        })
        .map_err(io_err(&path))?;
        Ok(Outcome { manifest, files })
    }

    /// `path` as the manifest shows it: components that hold personal data masked.
    pub fn shown_path(&self, path: &Path) -> String {
        // By `/`-separated parts, so that a database URL keeps its `//`.
        crate::scan::shown_path_all(self.detector, &path.to_string_lossy())
    }

    /// `rel` with every component that holds personal data replaced like free text (the
    /// extension kept): `jane.doe@example.com/orders.csv` becomes `u…@pseudo.invalid/orders.csv`.
    pub fn safe_relative(&self, rel: &Path) -> PathBuf {
        let mut out = PathBuf::new();
        let n = rel.components().count();
        for (i, c) in rel.components().enumerate() {
            let Component::Normal(name) = c else {
                out.push(c.as_os_str());
                continue;
            };
            let name = name.to_string_lossy();
            // A hive partition folder (`email=a0%40example.com`) holds a cell of column
            // `email`, percent-encoded as Hive and Spark write it: judged decoded, with the
            // column's hints, and written back encoded (issue 28).
            if i + 1 < n
                && let Some((key, value)) = crate::source::hive_partition(&name)
                && crate::scan::name_entities(self.detector, key).is_empty()
            {
                match super::replace_text_in(
                    self.detector,
                    &self.transformer,
                    self.policy,
                    key,
                    &value,
                ) {
                    Ok(Some(new)) => {
                        out.push(format!("{key}={}", crate::source::hive_escape(&new)));
                    }
                    _ => out.push(name.as_ref()),
                }
                continue;
            }
            // A file's extensions (`.csv.gz`) stay; its stem, or a folder's whole name, is
            // read as text.
            let (stem, ext) = if i + 1 == n {
                split_extensions(&name)
            } else {
                (name.as_ref(), "")
            };
            match super::replace_text(self.detector, &self.transformer, self.policy, stem) {
                Ok(Some(new)) => out.push(format!("{}{ext}", sanitize(&new))),
                _ => out.push(name.as_ref()),
            }
        }
        out
    }
}

/// `path` made absolute with symlinks resolved, also when it does not exist yet (its
/// deepest existing ancestor is resolved, the rest appended).
fn resolved(path: &Path) -> std::io::Result<PathBuf> {
    let abs = std::path::absolute(path)?;
    let mut existing = abs;
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name(), existing.parent()) {
            (Some(n), Some(p)) => {
                rest.push(n.to_os_string());
                existing = p.to_path_buf();
            }
            _ => break,
        }
    }
    let mut out = std::fs::canonicalize(&existing)?;
    out.extend(rest.iter().rev());
    Ok(out)
}

/// How the manifest describes tokens.
pub const TOKEN_NOTE: &str = "token: 64 keyed bits per value (tag_<16 hex>, u<16 hex>@pseudo.invalid, 100::<64 bits>); expected collisions among 1,000,000 distinct values of one entity: 2.7e-8";

/// `a.csv.gz` -> (`a`, `.csv.gz`).
pub(crate) fn split_extensions(name: &str) -> (&str, &str) {
    let known = [".gz", ".zst", ".zstd"];
    let mut stem = name;
    for k in known {
        if let Some(s) = stem.strip_suffix(k) {
            stem = s;
            break;
        }
    }
    match stem.rfind('.') {
        Some(i) if i > 0 => (&name[..i], &name[i..]),
        _ => (stem, &name[stem.len()..]),
    }
}

/// A path component made from replaced text: no separators, not `.` or `..`.
fn sanitize(s: &str) -> String {
    let t: String = s
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | '\0') {
                '_'
            } else {
                c
            }
        })
        .collect();
    if t.is_empty() || t == "." || t == ".." {
        "_".into()
    } else {
        t
    }
}

/// Holds an exclusive lock on a folder while it lives.
struct DirLock(std::fs::File);

/// The folder of output `rel` inside `out_dir`, made folder by folder: no component below
/// `out_dir` may be a link (or anything but a folder), so nothing is written outside the
/// release through a link someone left in a reused outbox (issue 24).
fn folder_inside(out_dir: &Path, rel: &Path) -> Result<PathBuf, JobError> {
    let mut cur = out_dir.to_path_buf();
    let parent = rel.parent().unwrap_or(Path::new(""));
    for c in parent.components() {
        let std::path::Component::Normal(name) = c else {
            return Err(JobError::Refused(format!(
                "output path {} leaves the output folder: refusing",
                rel.display()
            )));
        };
        cur.push(name);
        match std::fs::symlink_metadata(&cur) {
            Ok(m) if m.file_type().is_dir() => {}
            Ok(_) => {
                return Err(JobError::Refused(format!(
                    "{} inside the output folder is a link or not a folder: refusing to write through it (remove it)",
                    cur.display()
                )));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir(&cur).map_err(io_err(&cur))?;
            }
            Err(e) => return Err(io_err(&cur)(e)),
        }
    }
    Ok(cur)
}

fn lock_dir(dir: &Path) -> Result<DirLock, JobError> {
    let f = std::fs::File::open(dir).map_err(io_err(dir))?;
    match f.try_lock() {
        Ok(()) => Ok(DirLock(f)),
        Err(std::fs::TryLockError::WouldBlock) => Err(JobError::Refused(format!(
            "another shroud run is writing to {}: wait for it to finish (two runs would mix two keys in one folder)",
            dir.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(io_err(dir)(e)),
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

/// Where each input goes under the output folder. One folder argument: the same tree under
/// the output folder. Several arguments: each folder's tree under its own name (`csv/a.csv`),
/// files by their name.
pub fn relative_outputs(args: &[PathBuf], inputs: &[Input]) -> Result<Vec<PathBuf>, JobError> {
    let single_dir = args.len() == 1 && args[0].is_dir();
    Ok(inputs
        .iter()
        .map(|i| {
            args.iter()
                .filter(|a| a.is_dir())
                .find_map(|a| {
                    let rel = i.path.strip_prefix(a).ok()?;
                    Some(if single_dir {
                        rel.to_path_buf()
                    } else {
                        let name = std::fs::canonicalize(a)
                            .ok()?
                            .file_name()
                            .map(PathBuf::from)
                            .unwrap_or_default();
                        name.join(rel)
                    })
                })
                .unwrap_or_else(|| PathBuf::from(i.path.file_name().unwrap_or_default()))
        })
        .collect())
}

/// The `_SUCCESS` markers under the folders given, as paths relative to the output folder
/// (named as [`relative_outputs`] names files). Hidden folders and links are not followed.
fn success_markers(args: &[PathBuf]) -> Vec<PathBuf> {
    fn walk(dir: &Path, rel: &Path, out: &mut Vec<PathBuf>, depth: usize) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name();
            let Ok(kind) = e.file_type() else { continue };
            if kind.is_dir() && depth < 64 && !name.to_string_lossy().starts_with('.') {
                walk(&e.path(), &rel.join(&name), out, depth + 1);
            } else if kind.is_file() && name == "_SUCCESS" {
                out.push(rel.join(&name));
            }
        }
    }
    let single_dir = args.len() == 1 && args[0].is_dir();
    let mut out = Vec::new();
    for a in args.iter().filter(|a| a.is_dir()) {
        let base = if single_dir {
            PathBuf::new()
        } else {
            std::fs::canonicalize(a)
                .ok()
                .and_then(|c| c.file_name().map(PathBuf::from))
                .unwrap_or_default()
        };
        walk(a, &base, &mut out, 0);
    }
    out.sort();
    out
}

/// Two inputs landing on one output is an error, never an overwrite.
fn check_unique(rel: &[PathBuf], inputs: &[Input]) -> Result<(), JobError> {
    let mut seen = std::collections::BTreeSet::new();
    for (o, i) in rel.iter().zip(inputs) {
        if !seen.insert(o.clone()) {
            return Err(JobError::Refused(format!(
                "two inputs would both be written to {} (the second is {}): rename one or pseudonymize them separately",
                o.display(),
                i.display()
            )));
        }
    }
    Ok(())
}

/// Operator per entity, the default, and column overrides, for the manifest.
pub fn policy_summary(policy: &Policy) -> BTreeMap<String, String> {
    let mut m: BTreeMap<String, String> = policy
        .entities
        .iter()
        .map(|(e, op)| (e.clone(), op.to_string()))
        .collect();
    m.insert("default".into(), policy.default.to_string());
    for (c, op) in &policy.columns {
        m.insert(format!("column {c}"), op.to_string());
    }
    m
}

/// Resolves a manifest's output path under `root`: relative, no `..`, no symlink on the way
/// out of `root`. `None` for anything else (a manifest is input, and may be hostile).
pub fn resolve_under(root: &Path, rel: &str) -> Option<PathBuf> {
    let rel = Path::new(rel);
    if rel.as_os_str().is_empty() {
        return None;
    }
    let mut out = root.to_path_buf();
    for c in rel.components() {
        match c {
            Component::Normal(n) => {
                out.push(n);
                // A component that exists must not be a symlink (it could point anywhere).
                if std::fs::symlink_metadata(&out).is_ok_and(|m| m.file_type().is_symlink()) {
                    return None;
                }
            }
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(out)
}

/// The format an input is written out in: its own, except a database table (Parquet).
fn output_format(input: &Input) -> crate::source::Format {
    match input.format {
        crate::source::Format::Sqlite | crate::source::Format::Postgres => {
            crate::source::Format::Parquet
        }
        f => f,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_paths_stay_under_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        assert!(resolve_under(root, "a/b.csv").is_some());
        assert!(resolve_under(root, "../evil.csv").is_none());
        assert!(resolve_under(root, "a/../../evil.csv").is_none());
        assert!(resolve_under(root, "/etc/passwd").is_none());
        assert!(resolve_under(root, "").is_none());
        std::os::unix::fs::symlink("/tmp", root.join("link")).unwrap();
        assert!(resolve_under(root, "link/x.csv").is_none());
    }

    #[test]
    fn extensions_are_kept() {
        assert_eq!(split_extensions("a.csv.gz"), ("a", ".csv.gz"));
        assert_eq!(
            split_extensions("jane@x.example.csv"),
            ("jane@x.example", ".csv")
        );
        assert_eq!(split_extensions("noext"), ("noext", ""));
        assert_eq!(sanitize("../x"), ".._x");
        assert_eq!(sanitize(".."), "_");
    }
}
