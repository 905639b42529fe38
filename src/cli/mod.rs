//! The command line: clap definitions and dispatch. A thin shell over the library; every
//! behaviour lives in the engine modules.
//!
//! Exit codes: 0 success; 1 personal data found with `--fail-on-findings` (`check`: the data
//! breaks the share policy; `--exit-code N` sets another status); 2 usage or input error. A broken pipe on stdout exits 141 quietly (as if killed by SIGPIPE): the output was
//! cut short, so it is never a success.

mod aggregate;
mod check;
pub mod input;
mod progress;
mod pseudonymize;
mod report;
mod rules;
mod scan;

use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Find personal data in CSV, JSON and Parquet exports.
#[derive(Debug, Parser)]
#[command(name = "shroud", version, about, long_about = None)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and folders for personal data and report it per column and per value.
    ///
    /// Reads CSV/TSV, JSON, JSON Lines and Parquet (CSV/JSON also .gz/.zst), folders
    /// recursively. Memory is bounded by the batch size (about 1 MiB of cells per worker) and
    /// Parquet row groups in flight, not by file size. Exit status: 0 success, 1 findings
    /// (only with --fail-on-findings), 2 usage or input error.
    Scan(scan::ScanArgs),
    /// Write a shareable copy: same formats, every personal value tokenized, masked,
    /// generalized or dropped by policy.
    ///
    /// Two passes per file (scan, then rewrite), streamed: memory is bounded by batches, not
    /// file size. Cells that are not personal are written back byte for byte (CSV) or value
    /// for value (JSON, Parquet). Outputs are written to temporary files and renamed into
    /// place; a manifest (shroud-manifest.json) records per column the verdict, the operator,
    /// counts and the key's fingerprint (never the key, never a value).
    Pseudonymize(pseudonymize::PseudonymizeArgs),
    /// Decrypt the `fpe` columns of a folder written by `shroud pseudonymize` (needs the key).
    Reidentify(pseudonymize::ReidentifyArgs),
    /// Write a new random 256-bit key to FILE (mode 0600).
    Keygen {
        /// The key file to create.
        file: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Write or check a pseudonymization policy.
    Policy {
        /// What to do.
        #[command(subcommand)]
        action: pseudonymize::PolicyCommand,
    },
    /// Aggregate tables (counts, sums, means) with small groups suppressed and optional
    /// differential-privacy noise.
    ///
    /// Streams rows; memory grows with the number of groups, not rows. Refuses to group by a
    /// column that identifies people directly unless --allow-identifiers.
    Aggregate(aggregate::AggregateArgs),
    /// Measure the re-identification risk of a row-level table: k-anonymity over the
    /// quasi-identifiers, distinct l-diversity of a sensitive column, the smallest classes.
    /// Exit 1 below --k-min / --l-min.
    Risk(aggregate::RiskArgs),
    /// The pre-share gate: exit 0 when the data may be shared under the share policy, 1 when
    /// it breaks it (personal data, k too low), 2 on usage or input errors.
    ///
    /// Output as text, JSON, SARIF 2.1.0 or JUnit XML. Values produced by `shroud
    /// pseudonymize` pass; allow-listed values are waived and listed.
    Check(check::CheckArgs),
    /// Render a JSON report (from `scan --report`) as one self-contained HTML page.
    Report(report::ReportArgs),
    /// List, check or show detection rules.
    Rules {
        /// What to do with the rules.
        #[command(subcommand)]
        action: rules::RulesCommand,
    },
}

/// Parses the command line, runs it, and turns the result into an exit code.
pub fn main() -> ExitCode {
    shroud::output::remove_temp_files_on_interrupt();
    let args = match arguments() {
        Ok(a) => a,
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "shroud: {message}");
            return ExitCode::from(2);
        }
    };
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match cli.command {
        Command::Scan(args) => scan::run(args),
        Command::Rules { action } => rules::run(action),
        Command::Report(args) => report::run(args),
        Command::Aggregate(args) => aggregate::run(args),
        Command::Check(args) => check::run(args),
        Command::Risk(args) => aggregate::run_risk(args),
        Command::Pseudonymize(args) => pseudonymize::run(args),
        Command::Reidentify(args) => pseudonymize::reidentify(args),
        Command::Keygen { file, force } => pseudonymize::keygen(&file, force),
        Command::Policy { action } => pseudonymize::policy(action),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            if is_broken_pipe(&err) {
                // The reader went away: what was written is incomplete (a shared copy on
                // stdout, a verdict cut short), so never report success. No message: the
                // convention of a process ended by SIGPIPE (128 + 13).
                return ExitCode::from(141);
            }
            let _ = writeln!(std::io::stderr(), "shroud: {}", render_error(&err));
            if let Some(h) = flag_hint(&err) {
                let _ = writeln!(std::io::stderr(), "shroud: hint: {h}");
            }
            ExitCode::from(2)
        }
    }
}

/// The error and its causes, joined by `: `, each cause once: library errors often show
/// their source in their own message already (`{path}: {source}`), and the chain would
/// repeat it.
fn render_error(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for e in err.chain() {
        let m = e.to_string();
        if m.is_empty() || out.contains(&m) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&m);
    }
    out
}

/// The flag that helps with a library error (library messages name no flags: the Python
/// package shows them too).
fn flag_hint(err: &anyhow::Error) -> Option<&'static str> {
    use shroud::source::SourceError;
    for e in err.chain() {
        if let Some(s) = e.downcast_ref::<SourceError>() {
            return match s {
                SourceError::Ragged { .. } => Some("--lenient scans such rows and counts them"),
                SourceError::TooLarge { .. } => Some("raise the limit with --max-cell-bytes"),
                SourceError::Malformed { message, .. } if message.contains("longer than") => {
                    Some("raise the limit with --max-cell-bytes")
                }
                SourceError::Malformed { message, .. } if message.contains("never closed") => {
                    Some("--lenient scans the rest of the file as one cell")
                }
                _ => None,
            };
        }
        if let Some(shroud::aggregate::AggregateError::NotANumber { .. }) = e.downcast_ref() {
            return Some("--lenient counts such values and goes on; --decimal-comma reads 395,32");
        }
        if let Some(shroud::transform::TransformError::NoKey(_)) = e.downcast_ref() {
            return Some(
                "pass --key-file FILE or set SHROUD_KEY_FILE / SHROUD_KEY (shroud keygen FILE writes one)",
            );
        }
        if let Some(shroud::source::discover::DiscoverError::UnknownFormat { .. }) =
            e.downcast_ref()
        {
            return Some("--input-format csv|tsv|json|jsonl|parquet");
        }
        if let Some(shroud::pseudo::job::JobError::Refused(m)) = e.downcast_ref()
            && m.contains("need")
        {
            return Some("--force replaces existing outputs");
        }
    }
    None
}

/// Parses an `--exit-code` value: a status from 1 to 255 but 2 (usage or input error), 130
/// (interrupted) and 141 (output cut short), whose meanings are fixed. 0 is refused: a gate
/// that fails with success is no gate (leave out --fail-on-findings for a report-only scan).
fn exit_code(s: &str) -> Result<u8, String> {
    match s.parse::<u8>() {
        Ok(0) => Err("0 would make a failure look like success".into()),
        Ok(2) => Err("2 means a usage or input error".into()),
        Ok(130) => Err("130 means the run was interrupted".into()),
        Ok(141) => Err("141 means the output was cut short (broken pipe)".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("{s:?} is not an exit status (0-255)")),
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Builds the detector: built-ins plus `--rules DIR` if given.
fn detector(rules: Option<&PathBuf>) -> anyhow::Result<shroud::detect::Detector> {
    use anyhow::Context;
    match rules {
        Some(dir) => shroud::detect::Detector::with_user_rules(dir)
            .with_context(|| format!("failed to load rules from {}", dir.display())),
        None => shroud::detect::Detector::builtin().context("built-in rules failed to compile"),
    }
}

/// `file.csv` or `3 inputs`: how a page title names what was given.
/// The command line with the password taken out of every PostgreSQL URL (kept for the
/// connection only), so that no title, message or report built from the arguments shows it.
/// Credentials inside an object store's URL are refused: they belong in the environment.
fn arguments() -> Result<Vec<std::ffi::OsString>, String> {
    std::env::args_os()
        .map(|a| match a.to_str() {
            Some(t) if shroud::source::postgres::is_url(t) => {
                match shroud::source::postgres::parse_url(t) {
                    Ok(Some(target)) => Ok(match target.tables {
                        Some(g) => format!("{}#{g}", target.url).into(),
                        None => target.url.into(),
                    }),
                    Ok(None) => Ok(a),
                    Err(e) => Err(e.to_string()),
                }
            }
            Some(t)
                if shroud::source::remote::is_url(t)
                    && url::Url::parse(t).is_ok_and(|u| u.password().is_some()) =>
            {
                Err("a password in an object store's URL is not accepted (it would show in the process list): give credentials in the environment (AWS_*, GOOGLE_*, AZURE_*)".to_string())
            }
            _ => Ok(a),
        })
        .collect()
}

fn describe_inputs(paths: &[PathBuf]) -> String {
    match paths {
        [one] => one.display().to_string(),
        many => format!("{} inputs", many.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use std::collections::BTreeMap;

    /// Every command and subcommand, with its path (`shroud policy show`).
    fn commands() -> Vec<(String, clap::Command)> {
        fn walk(prefix: &str, c: &clap::Command, out: &mut Vec<(String, clap::Command)>) {
            let path = format!("{prefix} {}", c.get_name()).trim().to_string();
            out.push((path.clone(), c.clone()));
            for s in c.get_subcommands() {
                walk(&path, s, out);
            }
        }
        let mut cli = Cli::command();
        cli.build();
        let mut out = Vec::new();
        walk("", &cli, &mut out);
        out
    }

    /// What a flag is, as far as a user can tell: its short form, whether it takes a value and
    /// what its value is called.
    type Shape = (Option<char>, bool, String);

    fn shape(a: &clap::Arg) -> Shape {
        let takes = a.get_action().takes_values();
        let value = a
            .get_value_names()
            .map(|v| {
                v.iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default();
        (a.get_short(), takes, value)
    }

    #[test]
    fn one_flag_means_one_thing_on_every_command() {
        Cli::command().debug_assert();
        // Long name -> (shape, first command that has it); short -> long name.
        let mut longs: BTreeMap<String, (Shape, String)> = BTreeMap::new();
        let mut shorts: BTreeMap<char, (String, String)> = BTreeMap::new();
        for (path, cmd) in commands() {
            for a in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
                // A visible alias is a second spelling of one flag.
                assert!(
                    a.get_visible_aliases().is_none_or(|v| v.is_empty()),
                    "--{:?} on `{path}` has visible aliases",
                    a.get_long()
                );
                let Some(long) = a.get_long() else { continue };
                let s = shape(a);
                if let Some((seen, first)) = longs.get(long) {
                    // Value names of the same flag may differ only where the value does
                    // (`--format FORMAT` everywhere, but what formats a command writes differs).
                    assert_eq!(
                        (seen.0, seen.1),
                        (s.0, s.1),
                        "--{long} is spelled differently on `{path}` and `{first}`"
                    );
                } else {
                    longs.insert(long.to_string(), (s.clone(), path.clone()));
                }
                if let Some(c) = a.get_short() {
                    let (l, first) = shorts.entry(c).or_insert((long.to_string(), path.clone()));
                    assert_eq!(
                        l, long,
                        "-{c} is --{l} on `{first}` but --{long} on `{path}`"
                    );
                }
                // The flags the grammar fixes, by meaning.
                let help = a.get_help().map(|h| h.to_string()).unwrap_or_default();
                match long {
                    "format" => assert!(
                        help.starts_with("Output format"),
                        "--format on `{path}` must name the output format: {help}"
                    ),
                    "input-format" => assert!(help.starts_with("Input format"), "{path}: {help}"),
                    "output" => assert_eq!(
                        (s.0, s.2.as_str()),
                        (Some('o'), "FILE"),
                        "--output on `{path}` is -o FILE"
                    ),
                    "out-dir" => assert_eq!(s.2, "DIR", "--out-dir on `{path}`"),
                    "quiet" => assert_eq!(s.0, Some('q')),
                    "threads" => assert_eq!(s.0, Some('j')),
                    _ => {}
                }
            }
        }
        // Every command that reads data names its input format the same way, and every
        // command with several output formats takes --format.
        for (path, cmd) in commands() {
            let has = |l: &str| {
                cmd.get_arguments()
                    .any(|a| a.get_long() == Some(l) && !a.is_hide_set())
            };
            if has("threads") {
                assert!(
                    has("input-format"),
                    "`{path}` reads data but has no --input-format"
                );
                assert!(has("quiet"), "`{path}` reads data but has no -q/--quiet");
            }
        }
        // No visible flag is spelled two ways.
        assert!(!longs.contains_key("out") && !longs.contains_key("output-format"));
    }

    fn parse(args: &[&str]) -> Command {
        Cli::try_parse_from(std::iter::once("shroud").chain(args.iter().copied()))
            .unwrap_or_else(|e| panic!("{args:?}: {e}"))
            .command
    }

    #[test]
    fn old_spellings_still_parse_for_one_release() {
        for flag in ["--out-dir", "--out", "-o"] {
            match parse(&["pseudonymize", "in.csv", flag, "share"]) {
                Command::Pseudonymize(a) => assert_eq!(a.out, Some(PathBuf::from("share"))),
                c => panic!("{c:?}"),
            }
            match parse(&["reidentify", "share", flag, "back"]) {
                Command::Reidentify(a) => assert_eq!(a.out, PathBuf::from("back")),
                c => panic!("{c:?}"),
            }
        }
        for flag in ["--output", "--out", "-o"] {
            match parse(&["aggregate", "in.csv", "--group-by", "zip", flag, "t.csv"]) {
                Command::Aggregate(a) => assert_eq!(a.out, PathBuf::from("t.csv")),
                c => panic!("{c:?}"),
            }
        }
        match parse(&[
            "risk",
            "in.csv",
            "--quasi-identifiers",
            "zip",
            "--format",
            "csv",
            "--output-format",
            "json",
        ]) {
            Command::Risk(a) => {
                assert_eq!(a.legacy_output_format.as_deref(), Some("json"));
                assert_eq!(a.format.as_deref(), Some("csv"));
            }
            c => panic!("{c:?}"),
        }
        match parse(&["pseudonymize", "-", "--format", "csv"]) {
            Command::Pseudonymize(a) => assert_eq!(a.legacy_format.as_deref(), Some("csv")),
            c => panic!("{c:?}"),
        }
        // `--format` of an input format on scan is the old meaning; `json` the new one.
        assert_eq!(
            input::text_or_json(Some("csv")).unwrap(),
            (false, Some("csv"))
        );
        assert_eq!(input::text_or_json(Some("json")).unwrap(), (true, None));
        assert!(input::text_or_json(Some("sarif")).is_err());
    }

    #[test]
    fn exit_codes_with_fixed_meanings_cannot_be_chosen() {
        assert_eq!(exit_code("1"), Ok(1));
        assert_eq!(exit_code("3"), Ok(3));
        for fixed in ["0", "2", "130", "141"] {
            assert!(exit_code(fixed).is_err(), "{fixed}");
        }
        assert!(exit_code("256").is_err() && exit_code("-1").is_err());
    }
}
