//! `shroud pseudonymize`, `shroud reidentify`, `shroud keygen`, `shroud policy init`: argument
//! parsing and printing over the library's job (`pseudo::job`).

use super::input::{InputArgs, input_format};
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use shroud::detect::Detector;
use shroud::output::same_file;
use shroud::pseudo::job::{Job, JobError, JobOptions, LEGACY_MANIFEST, MANIFEST, resolve_under};
use shroud::pseudo::{ColumnAction, FileManifest, FilePlan, Manifest, Rewrite, compressed_writer};
use shroud::scan::ScanOptions;
use shroud::source::{Format, Input};
use shroud::transform::key::Key;
use shroud::transform::{DEFAULT_POLICY, Operator, Policy, Transformer};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Arguments of `shroud pseudonymize`.
#[derive(Debug, Args)]
pub struct PseudonymizeArgs {
    /// Files and folders to pseudonymize; `-` reads standard input (with --input-format) and
    /// writes standard output.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Output folder: the same tree, same formats, plus _shroud_manifest.json. It may not be
    /// or contain an input. Locked while the run writes. (`--out` and `-o` are its old
    /// spellings, kept for one release: `-o` names a file on every other command.)
    #[arg(long = "out-dir", value_name = "DIR", alias = "out", short_alias = 'o')]
    pub out: Option<PathBuf>,
    /// Policy file (TOML; `shroud policy init` writes the default). Default: built-in policy.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// The region national phone numbers are written in (ISO code: DE, GB, FR…), so that
    /// `0151 23456789` and `+49 151 23456789` get one token. Overrides the policy's
    /// `phone_region`. Without one, a national number is keyed as written (a valid US
    /// number as one): a token never depends on the other rows of a file.
    #[arg(long, value_name = "CC")]
    pub phone_region: Option<String>,
    /// Key file (`shroud keygen` writes one). Also SHROUD_KEY_FILE, or the key itself in
    /// SHROUD_KEY. Never pass a key on the command line.
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// Print per file and column the verdict and the operator that would run; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Overwrite existing output files. Into a folder that holds a release, this run is
    /// added as a new release: the files it rewrites are replaced, the others stay listed.
    #[arg(long)]
    pub force: bool,
    /// Add this run as a new release to an output folder that holds one (day 2 beside day
    /// 1): the manifest keeps listing the earlier files, each with its release and key.
    /// Never replaces a file (that needs --force).
    #[arg(long)]
    pub append: bool,
    /// Accept a key other than the one the output folder's release was written with (its
    /// tokens will not join the earlier files'). Without it such a run is refused.
    #[arg(long)]
    pub accept_new_key: bool,
    /// Rescan every output before keeping it (the judgement of `shroud check` under the
    /// share policy this policy implies) and record what is left per column in the manifest.
    /// Exit 1, writing nothing, when personal data the policy does not keep is left. Costs one
    /// more scan of each output.
    #[arg(long)]
    pub verify: bool,
    /// Also write a self-contained HTML report to FILE: per column the operator and the
    /// cells with findings before (pass 1) and after (a rescan of the output). Costs one more
    /// scan of each output (shared with --verify).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Input format (csv, tsv, json, jsonl, parquet): required for stdin, overrides file
    /// extensions.
    #[arg(long, value_name = "FORMAT")]
    pub input_format: Option<String>,
    /// The input format's old spelling (one release).
    #[arg(long = "format", value_name = "FORMAT", hide = true)]
    pub legacy_format: Option<String>,
    /// How inputs are found and read.
    #[command(flatten)]
    pub input: InputArgs,
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
    /// Print the effective policy (the built-in one, with FILE's entries applied unless it
    /// says `extends = "none"`) as a self-contained policy file.
    Show {
        /// The policy file (none: the built-in policy).
        file: Option<PathBuf>,
    },
}

/// Arguments of `shroud reidentify`.
#[derive(Debug, Args)]
pub struct ReidentifyArgs {
    /// A folder written by `shroud pseudonymize` (with its _shroud_manifest.json).
    pub dir: PathBuf,
    /// Where to write the re-identified copy (`--out` and `-o` are its old spellings, kept
    /// for one release).
    #[arg(long = "out-dir", value_name = "DIR", alias = "out", short_alias = 'o')]
    pub out: PathBuf,
    /// Key file (also SHROUD_KEY_FILE / SHROUD_KEY).
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// Overwrite existing output files.
    #[arg(long)]
    pub force: bool,
}

/// Loads the key from `--key-file`, SHROUD_KEY_FILE or SHROUD_KEY; warns on loose permissions.
pub fn load_key(key_file: Option<&PathBuf>) -> Result<Option<Key>> {
    let (key, warning) = Key::load(key_file.map(PathBuf::as_path))?;
    if let Some(w) = warning {
        let _ = writeln!(std::io::stderr(), "shroud: warning: {w}");
    }
    Ok(key)
}

fn load_policy(path: Option<&PathBuf>, detector: &Detector) -> Result<Policy> {
    match path {
        None => Ok(Policy::builtin()),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("failed to read policy {}", p.display()))?;
            Policy::parse_with(&text, &detector.entities)
                .map_err(|e| anyhow::anyhow!("policy {}: {e}", p.display()))
        }
    }
}

/// Runs `shroud pseudonymize`.
pub fn run(args: PseudonymizeArgs) -> Result<u8> {
    let format = input_format(args.input_format.as_deref(), args.legacy_format.as_deref())?;
    let stdin = args.inputs.iter().any(|p| p.as_os_str() == "-");
    if stdin && (format.is_none() || args.inputs.len() != 1) {
        bail!("reading standard input (`-`) needs --input-format and no other input");
    }
    if stdin && args.out.is_some() {
        bail!(
            "reading standard input (`-`) writes standard output: --out-dir (or its old spelling -o) does not apply"
        );
    }
    if !stdin && !args.dry_run && args.out.is_none() {
        bail!("--out-dir DIR is required (or --dry-run)");
    }
    let mut detector = args.input.detector()?;
    detector.min_score = 0.5;
    let detector = Arc::new(detector);
    let mut policy = load_policy(args.policy.as_ref(), &detector)?;
    if let Some(r) = &args.phone_region {
        policy.phone_region =
            Some(shroud::transform::parse_region(r).map_err(|e| anyhow::anyhow!("--{e}"))?);
    }
    let key = load_key(args.key_file.as_ref())?;
    if key.is_none() && policy.needs_key() && !args.dry_run {
        bail!(
            "the policy uses keyed operators (token, fpe, date_shift) but no key was given: \
             pass --key-file FILE or set SHROUD_KEY_FILE / SHROUD_KEY (shroud keygen FILE writes one)"
        );
    }
    // Bytes read over both passes (and the rescan), for the progress display.
    let counter = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let opts = ScanOptions {
        read: shroud::source::ReadOptions {
            progress: Some(Arc::clone(&counter)),
            ..args.input.read(Some(&detector))?
        },
        ..ScanOptions::default()
    };
    let pool = args.input.pool()?;
    let job = Job::new(&detector, &policy, key.as_ref());

    // Standard input: spooled to an unlinked temporary file (two passes; nothing is left
    // behind even after kill -9), streamed to standard output.
    if stdin {
        let format = format.expect("checked above");
        let mut spool = tempfile::tempfile().context("failed to create a temporary file")?;
        std::io::copy(&mut std::io::stdin().lock(), &mut spool)
            .context("failed to read standard input")?;
        let input = Input {
            path: PathBuf::from("-"),
            format,
            compression: shroud::source::Compression::None,
            size: 0,
            handle: Some(Arc::new(spool)),
            table: None,
        };
        if args.dry_run {
            let (_, plan) = pool.install(|| job.plan(&input, &opts))?;
            print_plan(&mut std::io::stdout().lock(), "-", &plan)?;
            return Ok(0);
        }
        let mut out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout());
        let fm = pool.install(|| job.run_stream(&input, &opts, &mut out))?;
        out.flush()?;
        summary(args.quiet, &fm, "-");
        return Ok(0);
    }

    let discover = args.input.discover(format);
    if args.dry_run {
        let inputs = shroud::source::discover::discover(&args.inputs, &discover)?;
        let stdout = std::io::stdout();
        for input in &inputs {
            let (_, plan) = pool
                .install(|| job.plan(input, &opts))
                .with_context(|| format!("pass 1 (scan) of {} failed", input.display()))?;
            print_plan(&mut stdout.lock(), &input.display(), &plan)?;
        }
        return Ok(0);
    }
    let out_dir = args.out.clone().expect("checked above");
    if let Some(h) = &args.html {
        let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        if abs(h).starts_with(abs(&out_dir)) {
            bail!(
                "--html {} is inside the output folder: refusing (it would replace an output or mix with the release)",
                h.display()
            );
        }
        if args
            .inputs
            .iter()
            .any(|i| same_file(i, h) || abs(h).starts_with(abs(i)))
        {
            bail!("--html {} is or is inside an input: refusing", h.display());
        }
    }
    let started = std::time::Instant::now();
    // An object store as the output: the run writes a local staging folder, uploaded whole
    // once every file is written and verified (all or nothing; see `remote::upload_tree`).
    let remote_out = out_dir
        .to_str()
        .filter(|u| shroud::source::remote::is_url(u))
        .map(|u| u.trim_end_matches('/').to_string());
    let staging = match &remote_out {
        Some(url) => {
            // Compared as keys (segments decoded, never resolved): `x/%2e%2e/in/share` is
            // refused as a URL, `%69n` is `in`.
            shroud::source::remote::split_url(url)
                .map_err(|e| anyhow::anyhow!("--out-dir {url}: {e}"))?;
            for i in &args.inputs {
                let i = i.to_string_lossy();
                let i = i.trim_end_matches('/');
                if shroud::source::remote::is_url(i)
                    && shroud::source::remote::overlaps(url, i)
                        .map_err(|e| anyhow::anyhow!("{i}: {e}"))?
                {
                    bail!(
                        "output {url} is, contains or is inside the input {i}: refusing (outputs must never overwrite or mix with inputs)"
                    );
                }
            }
            // A release is there already (its manifest): refused before any work is done.
            let manifest = format!("{url}/{}", shroud::pseudo::job::MANIFEST);
            let dir = shroud::source::remote::Staging::new()
                .context("failed to create a staging folder for the upload")?;
            if shroud::source::remote::exists(&manifest)? {
                if !args.force && !args.append {
                    bail!(
                        "{manifest}: the output holds a release: --append adds this run as a new release beside it, --force also replaces the objects this run writes"
                    );
                }
                // The release there is judged as a local one is: its manifest, staged.
                let obj = shroud::source::remote::RangedObject::open(&manifest)
                    .with_context(|| format!("failed to read {manifest}"))?;
                let bytes = obj
                    .range(0, obj.len())
                    .with_context(|| format!("failed to read {manifest}"))?;
                let staged = dir.path().join("out");
                std::fs::create_dir_all(&staged)?;
                std::fs::write(staged.join(shroud::pseudo::job::MANIFEST), &bytes)?;
            }
            Some(dir)
        }
        None => None,
    };
    // Drawn from here: the branches above print plans and summaries of their own.
    let progress = super::progress::Progress::start(None, counter, args.quiet);
    let job_opts = JobOptions {
        inputs: args.inputs.clone(),
        out: staging
            .as_ref()
            .map_or_else(|| out_dir.clone(), |d| d.path().join("out")),
        discover,
        scan: opts,
        force: args.force,
        append: args.append,
        accept_new_key: args.accept_new_key,
        verify: args.verify,
        keep_scans: args.html.is_some(),
    };
    let quiet = args.quiet;
    let result = pool.install(|| {
        job.run(&job_opts, &mut |fm: &FileManifest| {
            progress
                .suspend(|| summary(quiet, fm, &out_dir.join(&fm.output).display().to_string()));
        })
    });
    drop(progress);
    let outcome = match result {
        Ok(o) => o,
        Err(JobError::Residual { columns, .. }) => {
            let mut err = std::io::stderr().lock();
            for c in &columns {
                let _ = writeln!(err, "shroud: --verify: {c}");
            }
            let _ = writeln!(
                err,
                "shroud: --verify: personal data the policy does not keep is left in {} column(s); nothing was written",
                columns.len()
            );
            return Ok(1);
        }
        Err(e) => return Err(e.into()),
    };
    if let (Some(url), Some(dir)) = (&remote_out, &staging) {
        let written = match shroud::source::remote::upload_tree(
            &dir.path().join("out"),
            url,
            shroud::pseudo::job::MANIFEST,
            args.force,
            // The release's manifest is replaced by the merged one.
            args.append || args.force,
        ) {
            Ok(w) => w,
            // The interrupt handler has the last word (it exits with status 130).
            Err(shroud::source::remote::UploadError::Interrupted) => loop {
                std::thread::sleep(std::time::Duration::from_secs(1));
            },
            Err(e) => return Err(e.into()),
        };
        if !quiet {
            let _ = writeln!(
                std::io::stderr(),
                "uploaded {} object(s) to {url}/",
                written.len()
            );
        }
    }
    if let Some(path) = &args.html {
        let mut report = shroud::report::Report::new();
        let mut columns = Vec::new();
        for f in &outcome.files {
            if let Some(before) = &f.before {
                report
                    .files
                    .push(shroud::report::file_report(&detector, &f.input, before));
                let after = f.after.as_ref().and_then(|c| c.scan.as_ref());
                for (i, c) in f.manifest.columns.iter().enumerate() {
                    let cells = |cols: &[shroud::report::ColumnReport]| {
                        cols.iter()
                            .find(|r| r.column == c.column)
                            .map(|r| r.matches.values().sum::<u64>())
                    };
                    columns.push(shroud::report::html::PseudoColumn {
                        file: f.manifest.input.clone(),
                        column: c.column.clone(),
                        verdict: c.verdict.clone(),
                        operator: c.operator.clone(),
                        before: before
                            .columns
                            .get(i)
                            .map_or(0, |b| b.stats.entities.iter().map(|e| e.cells).sum()),
                        after: after.and_then(|a| cells(&a.columns)),
                        // What the rescan judged against the share policy this policy
                        // implies: failing cells were not kept on purpose.
                        left: f
                            .after
                            .as_ref()
                            .map_or(0, |chk| {
                                chk.findings
                                    .iter()
                                    .filter(|x| x.column == c.column && x.status == "fail")
                                    .map(|x| x.cells)
                                    .sum()
                            })
                            .min(after.and_then(|a| cells(&a.columns)).unwrap_or(0)),
                        cells_changed: c.cells_changed,
                    });
                }
            }
        }
        let page = shroud::report::html::Page {
            title: format!(
                "shroud pseudonymize: {}",
                super::describe_inputs(&args.inputs)
            ),
            report: Some(&report),
            elapsed: Some(started.elapsed()),
            pseudonymized: Some(&columns),
            ..Default::default()
        };
        super::report::write_html(path, &page)?;
    }
    Ok(0)
}

fn summary(quiet: bool, fm: &FileManifest, to: &str) {
    if quiet {
        return;
    }
    let changed: u64 = fm.columns.iter().map(|c| c.cells_changed).sum();
    let _ = writeln!(
        std::io::stderr(),
        "{} -> {to}: {} rows, {} cells changed",
        fm.input,
        fm.rows,
        changed
    );
    for c in &fm.columns {
        if let Some(shape) = &c.unexplained {
            let _ = writeln!(
                std::io::stderr(),
                "  note: column {} kept as it is, but no rule explains its values ({shape}); name it in the policy's [columns] if it identifies people",
                c.column,
            );
        }
    }
}

fn print_plan(w: &mut dyn Write, path: &str, plan: &FilePlan) -> Result<()> {
    for (i, c) in plan.columns.iter().enumerate() {
        let verdict = plan.verdicts[i].clone().unwrap_or_else(|| "-".into());
        let action = match &plan.actions[i] {
            ColumnAction::Spans { keep: None } => "spans (detected values only)".to_string(),
            a => a.describe(),
        };
        let name = shroud::report::display_column(c, !plan.name_entities[i].is_empty());
        writeln!(w, "{path}\t{name}\t{verdict}\t{action}")?;
    }
    Ok(())
}

/// Runs `shroud keygen FILE`: a new random 256-bit key, hex, mode 0600.
pub fn keygen(file: &Path, force: bool) -> Result<u8> {
    // Only a regular file is ever replaced: not a link (whose target would be written), a
    // device or a FIFO, even with --force.
    if let Ok(meta) = std::fs::symlink_metadata(file)
        && !meta.file_type().is_file()
    {
        bail!(
            "{} exists and is not a regular file (a link, device, FIFO or folder): refusing to replace it",
            file.display()
        );
    }
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
    let mut tmp = shroud::output::TempFile::new_in(&dir)?;
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
            shroud::output::write_atomic(&f, |w| w.write_all(DEFAULT_POLICY.as_bytes()))?;
            Ok(0)
        }
        PolicyCommand::Check { file } => {
            let p = load_policy(Some(&file), &Detector::builtin()?)?;
            let mut out = std::io::stdout().lock();
            for (k, v) in shroud::pseudo::job::policy_summary(&p) {
                writeln!(out, "{k}\t{v}")?;
            }
            Ok(0)
        }
        PolicyCommand::Show { file } => {
            let p = load_policy(file.as_ref(), &Detector::builtin()?)?;
            std::io::stdout().write_all(p.to_toml().as_bytes())?;
            Ok(0)
        }
    }
}

/// Runs `shroud reidentify`: decrypts the `fpe` columns of a pseudonymized folder. Paths in
/// the manifest are resolved under the folders given, never outside them.
pub fn reidentify(args: ReidentifyArgs) -> Result<u8> {
    let manifest_path = [MANIFEST, LEGACY_MANIFEST]
        .iter()
        .map(|m| args.dir.join(m))
        .find(|p| p.exists())
        .unwrap_or_else(|| args.dir.join(MANIFEST));
    let manifest: Manifest = serde_json::from_str(
        &std::fs::read_to_string(&manifest_path)
            .with_context(|| format!("failed to read {}", manifest_path.display()))?,
    )
    .with_context(|| format!("{} is not a shroud manifest", manifest_path.display()))?;
    let key = load_key(args.key_file.as_ref())?
        .context("reidentify needs the key: --key-file, SHROUD_KEY_FILE or SHROUD_KEY")?;
    // An outbox of several releases may hold files of several keys: this key reverses the
    // files it wrote, and says which it leaves.
    let fingerprint = key.fingerprint();
    let of_key = |f: &FileManifest| {
        f.key_fingerprint
            .as_deref()
            .or(manifest.key_fingerprint.as_deref())
            == Some(fingerprint.as_str())
    };
    if !manifest.files.iter().any(of_key) {
        bail!(
            "the key's fingerprint {fingerprint} does not match the manifest's {}: wrong key",
            manifest.key_fingerprint.clone().unwrap_or_default()
        );
    }
    let others = manifest.files.iter().filter(|f| !of_key(f)).count();
    if others > 0 {
        let _ = writeln!(
            std::io::stderr(),
            "shroud: {others} file(s) of the release were written with another key and are left out"
        );
    }
    let detector = Arc::new(Detector::builtin()?);
    let transformer = Transformer::new(Some(&key));
    let policy =
        Policy::parse("extends = \"none\"\ndefault = \"keep\"").map_err(|e| anyhow::anyhow!(e))?;
    let pool = rayon::ThreadPoolBuilder::new().build()?;
    std::fs::create_dir_all(&args.out)?;
    if same_file(&args.out, &args.dir) {
        bail!("--out-dir must differ from the pseudonymized folder");
    }
    let job = Job::new(&detector, &policy, Some(&key));
    let opts = ScanOptions {
        read: shroud::source::ReadOptions {
            data_key: Some(shroud::scan::data_keys(&detector)),
            ..Default::default()
        },
        ..ScanOptions::default()
    };
    for f in manifest.files.iter().filter(|f| of_key(f)) {
        let src = resolve_under(&args.dir, &f.output).with_context(|| {
            format!(
                "the manifest names {:?}, which is not a path inside {}: refusing",
                f.output,
                args.dir.display()
            )
        })?;
        let target = resolve_under(&args.out, &f.output).with_context(|| {
            format!(
                "the manifest names {:?}, which is not a path inside {}: refusing",
                f.output,
                args.out.display()
            )
        })?;
        let format = Format::parse(&f.format).context("unknown format in manifest")?;
        let (_, compression) = shroud::source::format_from_path(&src)
            .unwrap_or((format, shroud::source::Compression::None));
        let input = Input {
            path: src.clone(),
            format,
            compression,
            size: 0,
            handle: None,
            table: None,
        };
        if target.exists() && !args.force {
            bail!("{} exists (use --force)", target.display());
        }
        let (_, mut plan) = pool.install(|| job.plan(&input, &opts))?;
        for (i, name) in plan.columns.iter().enumerate() {
            let fpe = f
                .columns
                .iter()
                .find(|c| &c.column == name && c.operator == "fpe");
            plan.actions[i] = match fpe {
                Some(c) => ColumnAction::Whole {
                    entity: c.verdict.clone().unwrap_or_default(),
                    op: Operator::Unfpe,
                },
                None => ColumnAction::Verbatim,
            };
        }
        let parent = target.parent().unwrap_or(&args.out).to_path_buf();
        std::fs::create_dir_all(&parent)?;
        let mut tmp = shroud::output::TempFile::new_in(&parent)?;
        {
            let rw = Rewrite::new(&detector, &transformer, &policy, &plan);
            let mut file = std::io::BufWriter::with_capacity(1 << 20, tmp.as_file_mut());
            let mut w = compressed_writer(&input, &mut file)?;
            pool.install(|| shroud::pseudo::rewrite(&rw, &input, &opts, &mut *w))?;
            w.finish_write()?;
            file.flush()?;
        }
        tmp.persist(&target)
            .with_context(|| format!("failed to write {}", target.display()))?;
    }
    Ok(0)
}
