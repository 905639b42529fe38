//! `shroud check`: the pre-share gate.

use super::input::{InputArgs, parse_format};
use anyhow::{Context, Result, bail};
use clap::Args;
use shroud::check::{
    Baseline, FileCheck, SharePolicy, check_files, render_json, render_junit, render_sarif,
    render_text,
};
use shroud::output::{same_file, write_atomic};
use shroud::scan::ScanOptions;
use shroud::source::ReadOptions;
use shroud::source::discover::discover;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

/// Arguments of `shroud check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files and folders about to be shared. Every file is judged: data files are scanned,
    /// other text files are scanned line by line, and files check cannot read (binaries,
    /// archives) fail unless an [[allow]] entry names them. shroud's own manifests are
    /// recognised and skipped.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Share policy (TOML); `shroud check --print-default-policy` shows the default.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Output format: text, json, sarif (2.1.0, for code-scanning dashboards), junit.
    #[arg(long, default_value = "text")]
    pub format: String,
    /// Write the output to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write a self-contained HTML report (verdict, heat map, findings) to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Scan only the first N rows of each file (a quick gate on huge stores; the output says so).
    #[arg(long, value_name = "N")]
    pub sample_rows: Option<u64>,
    /// Input format override.
    #[arg(long)]
    pub input_format: Option<String>,
    /// How inputs are found and read.
    #[command(flatten)]
    pub input: InputArgs,
    /// Fail on columns the rules give no verdict whose values are mostly distinct and
    /// text-like (listed as UNEXPLAINED warnings otherwise); the share policy's
    /// `unexplained = "fail"` says the same.
    #[arg(long)]
    pub strict: bool,
    /// The exit status when the data breaks the share policy (default 1); not 2, which
    /// means a usage or input error.
    #[arg(long, value_name = "N", value_parser = super::exit_code)]
    pub exit_code: Option<u8>,
    /// Accept the findings of an earlier run: FILE is the output of `shroud check --format
    /// json` or `--format sarif`. A finding whose fingerprint (file, column and entity; see
    /// SARIF `partialFingerprints`) is there is listed as `baselined` and does not fail;
    /// new findings, k-anonymity and input errors still do.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// No progress display.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Print the default share policy and exit.
    #[arg(long, exclusive = true)]
    pub print_default_policy: bool,
}

/// Runs `shroud check`; exit 0 clean, 1 the data breaks the policy, 2 usage or input error.
pub fn run(args: CheckArgs) -> Result<u8> {
    let started = std::time::Instant::now();
    if args.print_default_policy {
        std::io::stdout().write_all(shroud::check::DEFAULT_SHARE_POLICY.as_bytes())?;
        return Ok(0);
    }
    let render: fn(&[FileCheck]) -> String = match args.format.as_str() {
        "text" => render_text,
        "json" => render_json,
        "sarif" => render_sarif,
        "junit" => render_junit,
        f => bail!("unknown --format {f:?} (text, json, sarif, junit)"),
    };
    let mut detector = args.input.detector()?;
    let mut policy = match &args.policy {
        None => SharePolicy::builtin(),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("failed to read share policy {}", p.display()))?;
            SharePolicy::parse_with(&text, &detector.entities)
                .map_err(|e| anyhow::anyhow!("share policy {}: {e}", p.display()))?
        }
    };
    policy.unexplained_fails |= args.strict;
    // Findings the policy counts must not be dropped by the detector first.
    detector.min_score = policy.min_confidence.min(detector.min_score);
    let detector = Arc::new(detector);
    let format = parse_format(args.input_format.as_deref(), "--input-format")?;
    let mut discover_opts = args.input.discover(format);
    discover_opts.all = true;
    let inputs = discover(&args.inputs, &discover_opts)?;
    if inputs.is_empty() {
        bail!("no input files found");
    }
    for out in [&args.output, &args.html].into_iter().flatten() {
        if inputs.iter().any(|i| same_file(&i.path, out)) {
            bail!("output {} is also an input: refusing", out.display());
        }
    }
    let counter = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let opts = ScanOptions {
        read: ReadOptions {
            max_rows: args.sample_rows,
            progress: Some(Arc::clone(&counter)),
            ..args.input.read(Some(&detector))?
        },
        ..ScanOptions::default()
    };
    let baseline = match &args.baseline {
        None => None,
        Some(p) => {
            if inputs.iter().any(|i| same_file(&i.path, p)) {
                bail!("--baseline {} is also an input: refusing", p.display());
            }
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("failed to read baseline {}", p.display()))?;
            Some(
                Baseline::parse(&text)
                    .map_err(|e| anyhow::anyhow!("baseline {}: {e}", p.display()))?,
            )
        }
    };
    let pool = args.input.pool()?;
    let mut files: Vec<FileCheck> = {
        let _progress = super::progress::Progress::start(None, counter, args.quiet);
        pool.install(|| check_files(&detector, &policy, &args.inputs, &inputs, &opts))
    };
    // A bound whose files match nothing was judged nowhere: a typo must not pass the gate.
    if let Some(k) = policy.k.as_ref().filter(|k| !k.files.is_empty())
        && !files
            .iter()
            .any(|f| f.k_anonymity.is_some() || f.error.is_some())
    {
        bail!(
            "the share policy's k_anonymity.files {:?} match none of the {} file(s) checked: k-anonymity was judged nowhere",
            k.files,
            files.len()
        );
    }
    if let (Some(b), Some(p)) = (&baseline, &args.baseline) {
        b.apply(&mut files, &p.display().to_string());
    }
    if let Some(path) = &args.html {
        let mut report = shroud::report::Report::new();
        report
            .files
            .extend(files.iter().filter_map(|f| f.scan.clone()));
        let page = shroud::report::html::Page {
            title: format!("shroud check: {}", super::describe_inputs(&args.inputs)),
            report: Some(&report),
            elapsed: Some(started.elapsed()),
            check: Some(&files),
            ..Default::default()
        };
        super::report::write_html(path, &page)?;
    }
    let text = render(&files);
    match &args.output {
        Some(p) => write_atomic(p, |w| w.write_all(text.as_bytes()))
            .with_context(|| format!("failed to write {}", p.display()))?,
        None => std::io::stdout().write_all(text.as_bytes())?,
    }
    Ok(if files.iter().any(|f| f.error.is_some()) {
        2
    } else if files.iter().any(FileCheck::fails) {
        args.exit_code.unwrap_or(1)
    } else {
        0
    })
}
