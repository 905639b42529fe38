//! Input flags shared by every command that reads data (`scan`, `pseudonymize`, `check`,
//! `aggregate`, `risk`): declared once, flattened into each, spelled the same everywhere.

use anyhow::{Context, Result, bail};
use clap::Args;
use shroud::detect::Detector;
use shroud::source::discover::DiscoverOptions;
use shroud::source::{Format, HeaderMode, ReadOptions};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

/// How inputs are found and read.
#[derive(Debug, Args, Clone, Default)]
pub struct InputArgs {
    /// CSV delimiter (a single character, or `tab`); sniffed from the header line by default
    /// (tab for .tsv/.tab files).
    #[arg(long, short = 'd')]
    pub delimiter: Option<String>,
    /// Text encoding of CSV, JSON and text inputs, by any WHATWG label (`utf-8`,
    /// `windows-1252`, `latin1`, `utf-16le`, `utf-16be`, `shift_jis`…). Detected per file by
    /// default (byte order mark, UTF-16's NUL pattern, valid UTF-8, else a guess among the
    /// legacy encodings); outputs are written back in it. A byte the encoding does not
    /// define is an error naming its line: the file is never read as raw bytes.
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,
    /// The first CSV record is the header, even where it reads like data.
    #[arg(long, conflicts_with = "no_header")]
    pub header: bool,
    /// CSV files have no header row: every record is data, columns are named column_1,
    /// column_2… By default a first record that reads like the rows below it (same types
    /// and entities, no header-like word) makes the file headerless, and a first record
    /// that cannot be told apart is refused.
    #[arg(long)]
    pub no_header: bool,
    /// Read CSV rows with the wrong field count (and skip unparsable JSON lines), counting
    /// them, instead of stopping with an error. Skipped JSON lines are never written out.
    #[arg(long)]
    pub lenient: bool,
    /// Only files whose path or name matches one of these globs.
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Skip files whose path or name matches one of these globs.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Only the database tables matching one of these globs (`schema.table` for PostgreSQL,
    /// the table's name for SQLite; repeatable). A glob matching no table is an error.
    #[arg(long = "table", value_name = "GLOB")]
    pub tables: Vec<String>,
    /// Largest cell, CSV record or JSON line accepted, in bytes (larger is an error, refused
    /// while it is read: memory stays bounded).
    #[arg(long, default_value_t = 256 << 20, value_name = "BYTES")]
    pub max_cell_bytes: u64,
    /// Worker threads (0 = one per CPU).
    #[arg(long, short = 'j', default_value_t = 0)]
    pub threads: usize,
    /// Extra rule files (TOML) to load with the built-ins.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
}

/// Parses a `--delimiter` value.
pub fn parse_delimiter(s: &str) -> Result<u8> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        s if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        _ => bail!("--delimiter must be a single ASCII character or `tab`, got {s:?}"),
    }
}

/// Parses an `--input-format` value.
pub fn parse_format(f: Option<&str>, flag: &str) -> Result<Option<Format>> {
    f.map(|f| {
        Format::parse(f)
            .with_context(|| format!("unknown {flag} {f:?} (csv, tsv, json, jsonl, parquet)"))
    })
    .transpose()
}

/// A `--format` of `text` or `json` (scan, risk): whether it is `json`, and the value when it
/// names an input format instead, its meaning on these commands before 0.2 (`csv`, `parquet`…;
/// `json` is the output now).
pub fn text_or_json(format: Option<&str>) -> Result<(bool, Option<&str>)> {
    let lower = format.map(str::to_ascii_lowercase);
    match (format, lower.as_deref()) {
        (None, _) | (_, Some("text")) => Ok((false, None)),
        (_, Some("json")) => Ok((true, None)),
        (Some(f), _) if Format::parse(f).is_some() => Ok((false, Some(f))),
        (Some(f), _) => bail!("unknown --format {f:?} (text, json)"),
    }
}

/// The input format: `--input-format`, or `--format` where it named the input format before
/// the flags got one meaning each (scan, pseudonymize, aggregate and risk until 0.2). The
/// old spelling still works for one release, with a warning on stderr; given both, they must
/// agree.
pub fn input_format(input_format: Option<&str>, legacy: Option<&str>) -> Result<Option<Format>> {
    let new = parse_format(input_format, "--input-format")?;
    let Some(old) = legacy else {
        return Ok(new);
    };
    let old_format = parse_format(Some(old), "--format")?;
    let _ = writeln!(
        std::io::stderr(),
        "shroud: warning: --format {old} names the input format here, as before; say --input-format {old} (--format names the output format on every command, and this spelling goes away in the next release)"
    );
    match new {
        Some(n) if Some(n) != old_format => {
            bail!("--format {old} and --input-format disagree about the input format")
        }
        _ => Ok(old_format),
    }
}

impl InputArgs {
    /// The detector: built-ins plus `--rules`.
    pub fn detector(&self) -> Result<Detector> {
        super::detector(self.rules.as_ref())
    }

    /// Which files to take.
    pub fn discover(&self, format: Option<Format>) -> DiscoverOptions {
        DiscoverOptions {
            include: self.include.clone(),
            exclude: self.exclude.clone(),
            tables: self.tables.clone(),
            format,
            ..Default::default()
        }
    }

    /// How to read them. With a detector, JSON keys in which it finds personal data are
    /// read as data (`{key}` columns), as in every command, so all name the same columns.
    pub fn read(&self, detector: Option<&Arc<Detector>>) -> Result<ReadOptions> {
        Ok(ReadOptions {
            delimiter: self.delimiter.as_deref().map(parse_delimiter).transpose()?,
            lenient: self.lenient,
            max_rows: None,
            table_sample_rows: None,
            max_cell_bytes: self.max_cell_bytes,
            keep_raw: false,
            data_key: detector.map(shroud::scan::data_keys),
            encoding: self
                .encoding
                .as_deref()
                .map(|l| {
                    shroud::source::encoding::by_label(l).with_context(|| {
                        format!("unknown --encoding {l:?} (utf-8, windows-1252, latin1, utf-16le, utf-16be, …)")
                    })
                })
                .transpose()?,
            header: if self.header {
                HeaderMode::Present
            } else if self.no_header {
                HeaderMode::Absent
            } else {
                HeaderMode::Detect
            },
            progress: None,
        })
    }

    /// The worker pool.
    pub fn pool(&self) -> Result<rayon::ThreadPool> {
        rayon::ThreadPoolBuilder::new()
            .num_threads(self.threads)
            .build()
            .context("failed to start worker threads")
    }
}
