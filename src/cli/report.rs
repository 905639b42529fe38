//! `shroud report`: render a saved JSON report as HTML; and the `--html` output every command
//! shares.

use anyhow::{Context, Result, bail};
use clap::Args;
use shroud::output::write_atomic;
use shroud::report::Report;
use shroud::report::html::{Page, render};
use std::path::{Path, PathBuf};

/// Arguments of `shroud report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A JSON report written by `shroud scan --report`.
    pub report: PathBuf,
    /// Write the self-contained HTML report to FILE.
    #[arg(long, value_name = "FILE", required = true)]
    pub html: PathBuf,
    /// Title of the page.
    #[arg(long)]
    pub title: Option<String>,
}

/// Runs `shroud report`.
pub fn run(args: ReportArgs) -> Result<u8> {
    if shroud::output::same_file(&args.report, &args.html) {
        bail!(
            "--html {} is the report itself: refusing to overwrite it",
            args.html.display()
        );
    }
    let text = std::fs::read_to_string(&args.report)
        .with_context(|| format!("failed to read {}", args.report.display()))?;
    let report: Report = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a shroud JSON report", args.report.display()))?;
    if report.version != shroud::report::VERSION {
        bail!(
            "{}: report version {} is not supported (this shroud reads version {})",
            args.report.display(),
            report.version,
            shroud::report::VERSION
        );
    }
    // A report made with --show-values holds raw samples: the page must say so.
    let show_values = report.show_values;
    let page = Page {
        title: args
            .title
            .unwrap_or_else(|| format!("shroud scan report: {}", args.report.display())),
        report: Some(&report),
        show_values,
        ..Default::default()
    };
    write_html(&args.html, &page)?;
    Ok(0)
}

/// Writes `page` to `path` atomically.
pub(super) fn write_html(path: &Path, page: &Page) -> Result<()> {
    let html = render(page);
    write_atomic(path, |w| w.write_all(html.as_bytes()))
        .with_context(|| format!("failed to write HTML report to {}", path.display()))
}
