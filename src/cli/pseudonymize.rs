//! `shroud pseudonymize`, `shroud reidentify`, `shroud keygen`, `shroud policy init`.

use crate::detect::Detector;
use crate::output::same_file;
use crate::pseudo::{
    ColumnAction, FileManifest, FilePlan, Rewrite, compressed_writer, plan_file, rewrite,
};
use crate::scan::ScanOptions;
use crate::source::discover::{DiscoverOptions, discover};
use crate::source::{Format, Input, ReadOptions};
use crate::transform::key::Key;
use crate::transform::{DEFAULT_POLICY, Operator, Policy, Transformer};
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Name of the manifest written into the output folder.
pub const MANIFEST: &str = "shroud-manifest.json";

/// Arguments of `shroud pseudonymize`.
#[derive(Debug, Args)]
pub struct PseudonymizeArgs {
    /// Files and folders to pseudonymize; `-` reads standard input (with --format) and
    /// writes standard output.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Output folder: the same tree, same formats, plus shroud-manifest.json. It may not be
    /// or contain an input.
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Policy file (TOML; `shroud policy init` writes the default). Default: built-in policy.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Key file (`shroud keygen` writes one). Also SHROUD_KEY_FILE, or the key itself in
    /// SHROUD_KEY. Never pass a key on the command line.
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// Print per file and column the verdict and the operator that would run; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Overwrite existing output files.
    #[arg(long)]
    pub force: bool,
    /// Also write a self-contained HTML report to FILE: per column the operator and the
    /// cells with findings before (pass 1) and after (a rescan of the output). Costs one more
    /// scan of each output.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Input format (csv, json, jsonl, parquet): required for stdin.
    #[arg(long)]
    pub format: Option<String>,
    /// CSV delimiter; sniffed by default.
    #[arg(long, short = 'd')]
    pub delimiter: Option<String>,
    /// Accept CSV rows with a different field count than the header.
    #[arg(long)]
    pub lenient: bool,
    /// Only files matching these globs.
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Skip files matching these globs.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Worker threads (0 = one per CPU).
    #[arg(long, short = 'j', default_value_t = 0)]
    pub threads: usize,
    /// Extra rule files.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// No summary on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Policy subcommands.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Write the default policy, with comments, to FILE (or standard output).
    Init {
        /// Where to write it.
        file: Option<PathBuf>,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Check a policy file and print the operator per entity.
    Check {
        /// The policy file.
        file: PathBuf,
    },
}

/// Arguments of `shroud reidentify`.
#[derive(Debug, Args)]
pub struct ReidentifyArgs {
    /// A folder written by `shroud pseudonymize` (with its shroud-manifest.json).
    pub dir: PathBuf,
    /// Where to write the re-identified copy.
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: PathBuf,
    /// Key file (also SHROUD_KEY_FILE / SHROUD_KEY).
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// Overwrite existing output files.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    version: u32,
    tool: String,
    key_fingerprint: Option<String>,
    policy: BTreeMap<String, String>,
    files: Vec<ManifestFile>,
}

#[derive(Debug, Serialize, Deserialize)]
struct ManifestFile {
    input: String,
    output: String,
    format: String,
    rows: u64,
    columns: Vec<ManifestColumn>,
}

#[derive(Debug, Serialize, Deserialize)]
struct ManifestColumn {
    column: String,
    verdict: Option<String>,
    operator: String,
    cells_changed: u64,
    spans_replaced: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    type_changed: Option<String>,
}

/// Loads the key from `--key-file`, SHROUD_KEY_FILE or SHROUD_KEY; warns on loose permissions.
pub fn load_key(key_file: Option<&PathBuf>) -> Result<Option<Key>> {
    let from_file = |p: &Path| -> Result<Key> {
        let (key, warning) = Key::from_file(p)?;
        if let Some(w) = warning {
            let _ = writeln!(std::io::stderr(), "shroud: warning: {w}");
        }
        Ok(key)
    };
    if let Some(p) = key_file {
        return from_file(p).map(Some);
    }
    if let Some(p) = std::env::var_os("SHROUD_KEY_FILE") {
        return from_file(Path::new(&p)).map(Some);
    }
    if let Some(k) = std::env::var_os("SHROUD_KEY") {
        let k = zeroize::Zeroizing::new(k.into_encoded_bytes());
        return Ok(Some(Key::parse(&k).context("SHROUD_KEY")?));
    }
    Ok(None)
}

fn load_policy(path: Option<&PathBuf>) -> Result<Policy> {
    match path {
        None => Ok(Policy::builtin()),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("failed to read policy {}", p.display()))?;
            Policy::parse(&text).map_err(|e| anyhow::anyhow!("policy {}: {e}", p.display()))
        }
    }
}

/// Where each input goes under the output folder. One folder argument: the same tree under
/// the output folder. Several arguments: each folder's tree under its own name (`csv/a.csv`),
/// files by their name. Two inputs landing on one output is an error, never an overwrite.
fn relative_outputs(args: &[PathBuf], inputs: &[Input]) -> Result<Vec<PathBuf>> {
    let single_dir = args.len() == 1 && args[0].is_dir();
    let out: Vec<PathBuf> = inputs
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
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    for (o, i) in out.iter().zip(inputs) {
        if !seen.insert(o.clone()) {
            bail!(
                "two inputs would both be written to {} (the second is {}): rename one or pseudonymize them separately",
                o.display(),
                i.display()
            );
        }
    }
    Ok(out)
}

fn policy_summary(policy: &Policy) -> BTreeMap<String, String> {
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

/// Runs `shroud pseudonymize`.
pub fn run(args: PseudonymizeArgs) -> Result<u8> {
    let format = args
        .format
        .as_deref()
        .map(|f| {
            Format::parse(f)
                .with_context(|| format!("unknown --format {f:?} (csv, json, jsonl, parquet)"))
        })
        .transpose()?;
    let stdin = args.inputs.iter().any(|p| p.as_os_str() == "-");
    if stdin && (format.is_none() || args.inputs.len() != 1) {
        bail!("reading standard input (`-`) needs --format and no other input");
    }
    if !stdin && !args.dry_run && args.out.is_none() {
        bail!("--out DIR is required (or --dry-run)");
    }
    let policy = load_policy(args.policy.as_ref())?;
    let key = load_key(args.key_file.as_ref())?;
    if key.is_none() && policy.needs_key() && !args.dry_run {
        bail!(
            "the policy uses keyed operators (token, fpe, date_shift) but no key was given: \
             pass --key-file FILE or set SHROUD_KEY_FILE / SHROUD_KEY (shroud keygen FILE writes one)"
        );
    }
    let mut detector = super::detector(args.rules.as_ref())?;
    detector.min_score = 0.5;
    let delimiter = args
        .delimiter
        .as_deref()
        .map(super::scan::parse_delimiter)
        .transpose()?;
    let opts = ScanOptions {
        read: ReadOptions {
            delimiter,
            lenient: args.lenient,
            ..ReadOptions::default()
        },
        show_values: false,
        parse_only: false,
    };
    let transformer = Transformer::new(key.as_ref());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build()
        .context("failed to start worker threads")?;

    // Standard input: spooled to a temporary file (two passes), written to standard output.
    if stdin {
        let format = format.expect("checked above");
        let mut spool =
            crate::output::TempFile::new().context("failed to create a temporary file")?;
        std::io::copy(&mut std::io::stdin().lock(), spool.as_file_mut())
            .context("failed to read standard input")?;
        let input = Input {
            path: spool.path().to_path_buf(),
            format,
            compression: crate::source::Compression::None,
            size: 0,
        };
        let plan = pool.install(|| plan_file(&detector, &policy, &input, &opts))?;
        if args.dry_run {
            print_plan(&mut std::io::stdout().lock(), "-", &plan)?;
            return Ok(0);
        }
        let rw = Rewrite::new(&detector, &transformer, &policy, &plan);
        let stdout = std::io::stdout();
        let mut lock = stdout.lock();
        let mut buffered = std::io::BufWriter::new(&mut lock);
        // Parquet needs Send; standard output's lock is not: buffer through a Vec for it.
        let mut bytes: Vec<u8> = Vec::new();
        pool.install(|| rewrite(&rw, &input, &opts, &mut bytes))?;
        buffered.write_all(&bytes)?;
        buffered.flush()?;
        return Ok(0);
    }

    let inputs = discover(
        &args.inputs,
        &DiscoverOptions {
            include: args.include.clone(),
            exclude: args.exclude.clone(),
            format,
        },
    )?;
    let rel = relative_outputs(&args.inputs, &inputs)?;
    let out_dir = args.out.clone().unwrap_or_default();
    if !args.dry_run {
        std::fs::create_dir_all(&out_dir)
            .with_context(|| format!("failed to create {}", out_dir.display()))?;
        let out_canon = std::fs::canonicalize(&out_dir)?;
        for a in &args.inputs {
            let a_canon = std::fs::canonicalize(a).with_context(|| format!("{}", a.display()))?;
            if a_canon.starts_with(&out_canon) || (a.is_dir() && out_canon.starts_with(&a_canon)) {
                bail!(
                    "output folder {} is, contains or is inside the input {}: refusing (outputs must never overwrite or mix with inputs)",
                    out_dir.display(),
                    a.display()
                );
            }
        }
        if !args.force {
            let existing: Vec<String> = rel
                .iter()
                .map(|r| out_dir.join(r))
                .chain(std::iter::once(out_dir.join(MANIFEST)))
                .filter(|p| p.exists())
                .map(|p| p.display().to_string())
                .collect();
            if !existing.is_empty() {
                bail!(
                    "output files exist (use --force to overwrite): {}",
                    existing.join(", ")
                );
            }
        }
    }
    let mut manifest = Manifest {
        version: 1,
        tool: format!("shroud {}", env!("CARGO_PKG_VERSION")),
        key_fingerprint: key.as_ref().map(Key::fingerprint),
        policy: policy_summary(&policy),
        files: Vec::new(),
    };
    if let Some(h) = &args.html {
        if stdin || args.dry_run {
            bail!("--html needs an output folder (not standard output, not --dry-run)");
        }
        if inputs.iter().any(|i| same_file(&i.path, h)) {
            bail!("--html {} is also an input: refusing", h.display());
        }
        let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        let page = abs(h);
        if rel
            .iter()
            .map(|r| out_dir.join(r))
            .chain([out_dir.join(MANIFEST)])
            .any(|o| abs(&o) == page)
        {
            bail!(
                "--html {} would replace an output of this run: refusing",
                h.display()
            );
        }
    }
    let started = std::time::Instant::now();
    let mut html_columns = Vec::new();
    let mut html_report = crate::report::Report::new();
    let stdout = std::io::stdout();
    for (input, rel) in inputs.iter().zip(&rel) {
        // Pass 1. With --html its scan is kept: the page's "before" counts.
        let before = pool
            .install(|| before_after_scan(&detector, input, &opts))
            .with_context(|| format!("pass 1 (scan) of {} failed", input.display()))?;
        let plan = crate::pseudo::plan_from_scan(&policy, &before);
        if args.dry_run {
            print_plan(&mut stdout.lock(), &input.display(), &plan)?;
            continue;
        }
        let fm = pseudonymize_file(
            &pool,
            &detector,
            &transformer,
            &policy,
            input,
            &opts,
            &plan,
            &out_dir,
            rel,
        )?;
        if !args.quiet {
            let changed: u64 = fm.columns.iter().map(|c| c.counts.cells_changed).sum();
            let _ = writeln!(
                std::io::stderr(),
                "{} -> {}: {} rows, {} cells changed",
                fm.input,
                out_dir.join(&fm.output).display(),
                fm.rows,
                changed
            );
        }
        if args.html.is_some() {
            let output = Input {
                path: out_dir.join(&fm.output),
                ..input.clone()
            };
            let after = pool
                .install(|| before_after_scan(&detector, &output, &opts))
                .with_context(|| format!("HTML report: rescan of {} failed", output.display()))?;
            html_report
                .files
                .push(crate::report::file_report(&detector, input, &before));
            let cells = |scan: &crate::scan::FileScan, name: &str| {
                scan.columns
                    .iter()
                    .find(|c| c.name == name)
                    .map(|c| c.stats.entities.iter().map(|e| e.cells).sum::<u64>())
            };
            for c in &fm.columns {
                html_columns.push(crate::report::html::PseudoColumn {
                    file: fm.input.clone(),
                    column: c.column.clone(),
                    verdict: c.verdict.clone(),
                    operator: c.operator.clone(),
                    before: cells(&before, &c.column).unwrap_or(0),
                    after: cells(&after, &c.column),
                    cells_changed: c.counts.cells_changed,
                });
            }
        }
        manifest.files.push(ManifestFile {
            input: fm.input,
            output: fm.output,
            format: fm.format,
            rows: fm.rows,
            columns: fm
                .columns
                .into_iter()
                .map(|c| ManifestColumn {
                    column: c.column,
                    verdict: c.verdict,
                    operator: c.operator,
                    cells_changed: c.counts.cells_changed,
                    spans_replaced: c.counts.spans_replaced,
                    type_changed: c.type_changed,
                })
                .collect(),
        });
    }
    if !args.dry_run {
        let path = out_dir.join(MANIFEST);
        crate::output::write_atomic(&path, |w| {
            serde_json::to_writer_pretty(&mut *w, &manifest)?;
            w.write_all(b"\n")
        })
        .with_context(|| format!("failed to write {}", path.display()))?;
    }
    if let Some(path) = &args.html {
        let page = crate::report::html::Page {
            title: format!(
                "shroud pseudonymize: {}",
                super::describe_inputs(&args.inputs)
            ),
            report: Some(&html_report),
            elapsed: Some(started.elapsed()),
            pseudonymized: Some(&html_columns),
            ..Default::default()
        };
        super::report::write_html(path, &page)?;
    }
    Ok(0)
}

/// A plain scan (samples masked): pass 1, and the HTML report's "after" rescan.
fn before_after_scan(
    detector: &Detector,
    input: &Input,
    opts: &ScanOptions,
) -> Result<crate::scan::FileScan> {
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    Ok(crate::scan::scan_input(
        detector, input, opts, None, counter,
    )?)
}

fn print_plan(w: &mut dyn Write, path: &str, plan: &FilePlan) -> Result<()> {
    for c in &plan.columns {
        let verdict = plan
            .verdicts
            .get(c)
            .cloned()
            .flatten()
            .unwrap_or_else(|| "-".into());
        let action = match plan.actions.get(c) {
            Some(ColumnAction::Whole { op, .. }) => op.to_string(),
            Some(ColumnAction::Drop) => "drop".into(),
            _ => "spans (detected values only)".into(),
        };
        writeln!(w, "{path}\t{c}\t{verdict}\t{action}")?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn pseudonymize_file(
    pool: &rayon::ThreadPool,
    detector: &Detector,
    transformer: &Transformer,
    policy: &Policy,
    input: &Input,
    opts: &ScanOptions,
    plan: &FilePlan,
    out_dir: &Path,
    rel: &Path,
) -> Result<FileManifest> {
    let target = out_dir.join(rel);
    if same_file(&input.path, &target) {
        bail!("output {} is the input: refusing", target.display());
    }
    let parent = target.parent().unwrap_or(out_dir);
    std::fs::create_dir_all(parent)
        .with_context(|| format!("failed to create {}", parent.display()))?;
    let rw = Rewrite::new(detector, transformer, policy, plan);
    let mut tmp = crate::output::TempFile::new_in(parent)
        .with_context(|| format!("failed to create a temporary file in {}", parent.display()))?;
    let (rows, type_changes) = {
        let mut file = std::io::BufWriter::with_capacity(1 << 20, tmp.as_file_mut());
        let result = {
            let mut w = compressed_writer(input, &mut file)?;
            let r = pool.install(|| rewrite(&rw, input, opts, &mut *w));
            w.finish_write()?;
            r
        };
        file.flush()?;
        result.with_context(|| format!("failed to pseudonymize {}", input.display()))?
    };
    tmp.as_file().sync_all()?;
    // The copy gets the input's permissions (the temporary file was private).
    if let Ok(meta) = std::fs::metadata(&input.path) {
        let _ = tmp.as_file().set_permissions(meta.permissions());
    }
    tmp.persist(&target)
        .with_context(|| format!("failed to write {}", target.display()))?;
    let mut columns = rw.manifest_columns(&plan.columns, &plan.verdicts);
    for c in &mut columns {
        c.type_changed = type_changes.get(&c.column).cloned();
    }
    Ok(FileManifest {
        input: input.display(),
        output: rel.display().to_string(),
        format: input.format.name().to_string(),
        rows,
        columns,
    })
}

/// Runs `shroud keygen FILE`: a new random 256-bit key, hex, mode 0600.
pub fn keygen(file: &Path, force: bool) -> Result<u8> {
    if file.exists() && !force {
        bail!(
            "{} exists (use --force to replace it; data pseudonymized with the old key will no longer join)",
            file.display()
        );
    }
    let key = Key::generate().map_err(|e| anyhow::anyhow!("no secure random source: {e}"))?;
    let dir = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = crate::output::TempFile::new_in(&dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    tmp.as_file_mut().write_all(key.to_hex().as_bytes())?;
    tmp.as_file_mut().write_all(b"\n")?;
    tmp.as_file().sync_all()?;
    tmp.persist(file)
        .with_context(|| format!("failed to write {}", file.display()))?;
    let _ = writeln!(
        std::io::stderr(),
        "wrote a 256-bit key to {} (fingerprint {})",
        file.display(),
        key.fingerprint()
    );
    Ok(0)
}

/// Runs `shroud policy ...`.
pub fn policy(cmd: PolicyCommand) -> Result<u8> {
    match cmd {
        PolicyCommand::Init { file: None, .. } => {
            std::io::stdout().write_all(DEFAULT_POLICY.as_bytes())?;
            Ok(0)
        }
        PolicyCommand::Init {
            file: Some(f),
            force,
        } => {
            if f.exists() && !force {
                bail!("{} exists (use --force to replace it)", f.display());
            }
            crate::output::write_atomic(&f, |w| w.write_all(DEFAULT_POLICY.as_bytes()))?;
            Ok(0)
        }
        PolicyCommand::Check { file } => {
            let p = load_policy(Some(&file))?;
            let mut out = std::io::stdout().lock();
            for (k, v) in policy_summary(&p) {
                writeln!(out, "{k}\t{v}")?;
            }
            Ok(0)
        }
    }
}

/// Runs `shroud reidentify`: decrypts the `fpe` columns of a pseudonymized folder.
pub fn reidentify(args: ReidentifyArgs) -> Result<u8> {
    let manifest_path = args.dir.join(MANIFEST);
    let manifest: Manifest = serde_json::from_str(
        &std::fs::read_to_string(&manifest_path)
            .with_context(|| format!("failed to read {}", manifest_path.display()))?,
    )
    .with_context(|| format!("{} is not a shroud manifest", manifest_path.display()))?;
    let key = load_key(args.key_file.as_ref())?
        .context("reidentify needs the key: --key-file, SHROUD_KEY_FILE or SHROUD_KEY")?;
    if manifest.key_fingerprint.as_deref() != Some(key.fingerprint().as_str()) {
        bail!(
            "the key's fingerprint {} does not match the manifest's {}: wrong key",
            key.fingerprint(),
            manifest.key_fingerprint.unwrap_or_default()
        );
    }
    let detector = Detector::builtin()?;
    let transformer = Transformer::new(Some(&key));
    let policy = Policy::parse("default = \"keep\"").map_err(|e| anyhow::anyhow!(e))?;
    let pool = rayon::ThreadPoolBuilder::new().build()?;
    std::fs::create_dir_all(&args.out)?;
    if same_file(&args.out, &args.dir) {
        bail!("--out must differ from the pseudonymized folder");
    }
    for f in &manifest.files {
        let src = args.dir.join(&f.output);
        let format = Format::parse(&f.format).context("unknown format in manifest")?;
        let (_, compression) = crate::source::format_from_path(&src)
            .unwrap_or((format, crate::source::Compression::None));
        let input = Input {
            path: src.clone(),
            format,
            compression,
            size: 0,
        };
        let mut actions = BTreeMap::new();
        for c in &f.columns {
            let action = if c.operator == "fpe" {
                ColumnAction::Whole {
                    entity: c.verdict.clone().unwrap_or_default(),
                    op: Operator::Unfpe,
                }
            } else {
                ColumnAction::Whole {
                    entity: String::new(),
                    op: Operator::Keep,
                }
            };
            actions.insert(c.column.clone(), action);
        }
        let plan = FilePlan {
            columns: f.columns.iter().map(|c| c.column.clone()).collect(),
            verdicts: BTreeMap::new(),
            actions,
            rows: f.rows,
        };
        let target = args.out.join(&f.output);
        if target.exists() && !args.force {
            bail!("{} exists (use --force)", target.display());
        }
        let opts = ScanOptions::default();
        pseudonymize_file(
            &pool,
            &detector,
            &transformer,
            &policy,
            &input,
            &opts,
            &plan,
            &args.out,
            Path::new(&f.output),
        )?;
    }
    Ok(0)
}
