//! `shroud scan`: discover inputs, scan them in parallel, write the summary, the JSON report
//! and the findings (JSON Lines), each output written atomically.

use anyhow::{Context, Result, bail};
use clap::Args;
use shroud::output::{same_file, write_atomic};
use shroud::report::{self, Report};
use shroud::scan::{ScanOptions, scan_inputs};
use shroud::source::ReadOptions;
use shroud::source::discover::discover;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

/// Arguments of `shroud scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files and folders to scan (folders recursively); `-` reads standard input (with
    /// --input-format).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format: `text` (the summary table, the default) or `json` (the report, version
    /// 1 contract, as --report writes it).
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Write the output (in --format) to FILE instead of standard output (`-`: standard output).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write the JSON report (version 1 contract) to FILE (`-`: standard output; the summary
    /// then goes to standard error).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Write a self-contained HTML report (summary, heat map, charts; samples masked) to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Write one JSON line per detected value to FILE (location only, no value unless --show-values).
    #[arg(long, value_name = "FILE")]
    pub findings: Option<PathBuf>,
    /// Input format (csv, tsv, json, jsonl, parquet): required for stdin, overrides file
    /// extensions.
    #[arg(long, value_name = "FORMAT")]
    pub input_format: Option<String>,
    /// How inputs are found and read.
    #[command(flatten)]
    pub input: super::input::InputArgs,
    /// Report a broken input as an error in the report and go on with the others.
    #[arg(long)]
    pub keep_going: bool,
    /// Scan only the first N rows of each file (of a database server's table, N rows of
    /// pages picked at random): a quick look at a big store. 0 reads everything.
    #[arg(long, value_name = "N")]
    pub sample_rows: Option<u64>,
    /// A database server's table estimated larger than N rows is sampled to N rows (pages
    /// picked at random, repeatably) unless --sample-rows is given; 0 reads tables whole.
    #[arg(long, value_name = "N", default_value_t = 1_000_000)]
    pub table_sample_rows: u64,
    /// Minimum score (0-1) for a value to count as a finding.
    #[arg(long, default_value_t = 0.5)]
    pub min_score: f32,
    /// Put raw matched values in findings and samples. WARNING: the outputs then hold the
    /// personal data itself; only use this on a machine allowed to see it.
    #[arg(long)]
    pub show_values: bool,
    /// Exit with status 1 when personal data is found.
    #[arg(long)]
    pub fail_on_findings: bool,
    /// The exit status when personal data is found (implies --fail-on-findings); not 2,
    /// which means a usage or input error.
    #[arg(long, value_name = "N", value_parser = super::exit_code)]
    pub exit_code: Option<u8>,
    /// Benchmarks only: read and batch the input, detect nothing (the parse-only baseline).
    #[arg(long, hide = true)]
    pub parse_only: bool,
    /// No progress bar and no summary table.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Runs the scan; returns the exit code.
pub fn run(args: ScanArgs) -> Result<u8> {
    let started = std::time::Instant::now();
    let (json_out, legacy) = super::input::text_or_json(args.format.as_deref())?;
    let format = super::input::input_format(args.input_format.as_deref(), legacy)?;
    if args.paths.iter().any(|p| p.as_os_str() == "-") && format.is_none() {
        bail!("reading standard input (`-`) needs --input-format");
    }
    let main_to_stdout = args.output.as_deref().is_none_or(shroud::output::is_stdout);
    if !(0.0..=1.0).contains(&args.min_score) {
        bail!("--min-score must be between 0 and 1");
    }
    let mut detector = args.input.detector()?;
    detector.min_score = args.min_score;
    let detector = Arc::new(detector);
    let inputs = discover(&args.paths, &args.input.discover(format))?;
    // `-` is standard output: for one output at most, and the summary then goes to stderr.
    let to_stdout = [&args.report, &args.findings, &args.html]
        .into_iter()
        .flatten()
        .filter(|p| shroud::output::is_stdout(p))
        .count();
    // The main output on standard output counts when it is JSON or was asked for as `-o -`.
    let main_counts = (json_out && main_to_stdout)
        || args
            .output
            .as_deref()
            .is_some_and(shroud::output::is_stdout);
    if to_stdout + usize::from(main_counts) > 1 {
        bail!("only one output can be standard output (`-`)");
    }
    for out in [&args.report, &args.findings, &args.html, &args.output]
        .into_iter()
        .flatten()
    {
        if inputs.iter().any(|i| same_file(&i.path, out)) {
            bail!(
                "output {} is also an input: refusing to overwrite it",
                out.display()
            );
        }
    }
    let opts = ScanOptions {
        read: ReadOptions {
            max_rows: args.sample_rows.filter(|&n| n > 0),
            table_sample_rows: match args.sample_rows {
                None => Some(args.table_sample_rows).filter(|&n| n > 0),
                Some(_) => None,
            },
            ..args.input.read(Some(&detector))?
        },
        show_values: args.show_values,
        parse_only: args.parse_only,
    };
    let pool = args.input.pool()?;
    let counter = Arc::new(AtomicU64::new(0));
    let total: u64 = inputs.iter().map(|i| i.size).sum();
    let findings_dir = args.findings.as_ref().map(|p| match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    });
    let results = {
        let _progress =
            super::progress::Progress::start(Some(total), Arc::clone(&counter), args.quiet);
        pool.install(|| scan_inputs(&detector, &inputs, &opts, findings_dir.as_deref(), &counter))
    };

    let mut report = Report::new();
    report.show_values = args.show_values;
    let mut errored = false;
    let mut parts = Vec::new();
    for (input, (result, tmp)) in inputs.iter().zip(results) {
        match result {
            Ok(scan) => {
                report
                    .files
                    .push(report::file_report(&detector, input, &scan));
            }
            Err(e) => {
                errored = true;
                if !args.keep_going {
                    return Err(anyhow::Error::new(e).context(
                        "scan stopped (use --keep-going to report broken inputs and go on)",
                    ));
                }
                let _ = writeln!(std::io::stderr(), "shroud: {e}");
                report
                    .files
                    .push(report::error_report(input, e.to_string()));
            }
        }
        parts.extend(tmp);
    }
    if let Some(path) = &args.findings {
        write_atomic(path, |w| {
            for part in parts {
                std::io::copy(&mut part.reopen()?, w)?;
            }
            Ok(())
        })
        .with_context(|| format!("failed to write findings to {}", path.display()))?;
    }
    if let Some(path) = &args.report {
        write_atomic(path, |w| {
            serde_json::to_writer_pretty(&mut *w, &report)?;
            w.write_all(b"\n")
        })
        .with_context(|| format!("failed to write report to {}", path.display()))?;
    }
    if let Some(path) = &args.html {
        let page = shroud::report::html::Page {
            title: format!("shroud scan: {}", super::describe_inputs(&args.paths)),
            report: Some(&report),
            elapsed: Some(started.elapsed()),
            show_values: args.show_values,
            ..Default::default()
        };
        super::report::write_html(path, &page)?;
    }
    match (&args.output, json_out) {
        // The output in a file: the JSON report, or the summary table.
        (Some(path), _) if !shroud::output::is_stdout(path) => write_atomic(path, |w| {
            if json_out {
                serde_json::to_writer_pretty(&mut *w, &report)?;
                w.write_all(b"\n")
            } else {
                report::human::write_summary(w, &report)
            }
        })
        .with_context(|| format!("failed to write {}", path.display()))?,
        (_, true) => {
            let mut out = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut out, &report)?;
            out.write_all(b"\n")?;
            out.flush()?;
        }
        (_, false) if args.quiet => {}
        // Another output took standard output: the summary goes to standard error.
        (_, false) if to_stdout > 0 => {
            let mut out = std::io::stderr().lock();
            report::human::write_summary(&mut out, &report)?;
            out.flush()?;
        }
        (_, false) => {
            let mut out = std::io::stdout().lock();
            report::human::write_summary(&mut out, &report)?;
            out.flush()?;
        }
    }
    let fail_code = args
        .exit_code
        .or(args.fail_on_findings.then_some(1))
        .filter(|_| report.has_findings());
    Ok(if errored { 2 } else { fail_code.unwrap_or(0) })
}
