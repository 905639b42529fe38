//! `shroud aggregate` and `shroud risk`.

use super::input::InputArgs;
use anyhow::{Context, Result, bail};
use clap::Args;
use shroud::aggregate::bins::{self, Bin};
use shroud::aggregate::{AggregateRequest, AggregateSpec, Risk, Table, aggregate, risk};
use shroud::output::same_file;
use shroud::scan::{ScanOptions, scan_input};
use shroud::source::discover::discover;
use shroud::source::{Input, ReadOptions};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

/// Arguments of `shroud aggregate`.
#[derive(Debug, Args)]
pub struct AggregateArgs {
    /// Files and folders to aggregate (CSV, JSON, JSON Lines, Parquet).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Columns to group by, comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    pub group_by: Vec<String>,
    /// Metrics: count, sum:COLUMN, avg:COLUMN (repeat the flag).
    #[arg(long, default_value = "count")]
    pub metric: Vec<String>,
    /// Groups smaller than this are suppressed.
    #[arg(long, default_value_t = 10)]
    pub min_group_size: u64,
    /// Output file; the format follows the extension (.csv, .json, .parquet). (`--out` is
    /// its old spelling, kept for one release.)
    #[arg(long = "output", short = 'o', value_name = "FILE", alias = "out")]
    pub out: PathBuf,
    /// Generalize a group-by column: age=10 (bands; birth dates to bands of years), zip=3
    /// (prefix), created_at=month (day, month, year), ip=/16 (network prefix).
    #[arg(long, value_name = "COLUMN=SPEC")]
    pub bin: Vec<String>,
    /// Add marginal totals (per value of the first group-by column, and a grand total), with
    /// secondary suppression so that no withheld cell or total can be recovered from the
    /// published numbers.
    #[arg(long)]
    pub totals: bool,
    /// Differential privacy: add discrete Laplace noise to counts and clamped sums, spending
    /// this privacy loss in total.
    #[arg(long)]
    pub epsilon: Option<f64>,
    /// Clamping bounds of a summed column, needed with --epsilon: amount=0:1000.
    #[arg(long, value_name = "COLUMN=LOW:HIGH")]
    pub clamp: Vec<String>,
    /// Column identifying a person: each person's contribution is bounded (costs memory per
    /// person).
    #[arg(long, value_name = "COLUMN")]
    pub privacy_unit: Option<String>,
    /// With --privacy-unit: most groups one person contributes to.
    #[arg(long, default_value_t = 1)]
    pub max_groups_per_unit: u64,
    /// FOR TESTS ONLY: seed the noise. Seeded noise is predictable and gives no privacy.
    #[arg(long, hide = true)]
    pub seed: Option<u64>,
    /// Allow grouping by a column that identifies people directly (email, phone, SSN...).
    #[arg(long)]
    pub allow_identifiers: bool,
    /// Summed values are written with a decimal comma (`395,32`, `1.234,50`). Without it, a
    /// column whose every non-plain value reads that way is taken so; any other value that is
    /// not a number is an error naming its file and row (counted instead with --lenient).
    #[arg(long)]
    pub decimal_comma: bool,
    /// Input format (csv, tsv, json, jsonl, parquet): overrides file extensions.
    #[arg(long, value_name = "FORMAT")]
    pub input_format: Option<String>,
    /// The input format's old spelling (one release).
    #[arg(long = "format", value_name = "FORMAT", hide = true)]
    pub legacy_format: Option<String>,
    /// How inputs are found and read.
    #[command(flatten)]
    pub input: InputArgs,
    /// Overwrite an existing output file.
    #[arg(long)]
    pub force: bool,
    /// No summary on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Arguments of `shroud risk`.
#[derive(Debug, Args)]
pub struct RiskArgs {
    /// The row-level table(s) to assess.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Quasi-identifier columns, comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    pub quasi_identifiers: Vec<String>,
    /// Sensitive column: distinct l-diversity is reported for it.
    #[arg(long)]
    pub sensitive: Option<String>,
    /// Generalize a quasi-identifier first (same syntax as aggregate --bin).
    #[arg(long, value_name = "COLUMN=SPEC")]
    pub bin: Vec<String>,
    /// Exit with status 1 when k is below this.
    #[arg(long)]
    pub k_min: Option<u64>,
    /// Exit with status 1 when l is below this (needs --sensitive).
    #[arg(long)]
    pub l_min: Option<u64>,
    /// Output format: text or json.
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// The output format's old spelling (one release).
    #[arg(long = "output-format", value_name = "FORMAT", hide = true)]
    pub legacy_output_format: Option<String>,
    /// Input format (csv, tsv, json, jsonl, parquet): overrides file extensions.
    #[arg(long, value_name = "FORMAT")]
    pub input_format: Option<String>,
    /// How inputs are found and read.
    #[command(flatten)]
    pub input: InputArgs,
    /// Also write a self-contained HTML report (class-size distribution, k bound) to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// No progress display.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

fn inputs_of(
    paths: &[PathBuf],
    format: Option<shroud::source::Format>,
    input: &InputArgs,
) -> Result<Vec<Input>> {
    let inputs = discover(paths, &input.discover(format))?;
    if inputs.is_empty() {
        bail!("no input files found");
    }
    Ok(inputs)
}

fn parse_bins(specs: &[String]) -> Result<BTreeMap<String, Bin>> {
    specs
        .iter()
        .map(|s| bins::parse(s).map_err(anyhow::Error::msg))
        .collect()
}

/// Refuses group-by columns whose values identify people, from a sample scan of each input.
fn refuse_identifiers(
    inputs: &[Input],
    group_by: &[String],
    bins: &BTreeMap<String, Bin>,
    detector: &shroud::detect::Detector,
    read: &ReadOptions,
) -> Result<()> {
    let opts = ScanOptions {
        read: ReadOptions {
            max_rows: Some(5000),
            ..read.clone()
        },
        show_values: false,
        parse_only: false,
    };
    let binned: Vec<String> = bins.keys().cloned().collect();
    for input in inputs {
        let scan = scan_input(detector, input, &opts, None, opts.read.counter())?;
        shroud::aggregate::output::refuse_identifiers(
            scan.columns
                .iter()
                .map(|c| (c.name.as_str(), c.verdict.entity.as_deref())),
            group_by,
            &binned,
            &input.display(),
        )
        .map_err(|e| anyhow::anyhow!("{e} (--allow-identifiers)"))?;
    }
    Ok(())
}

/// Runs `shroud aggregate`.
pub fn run(args: AggregateArgs) -> Result<u8> {
    let format =
        super::input::input_format(args.input_format.as_deref(), args.legacy_format.as_deref())?;
    let inputs = inputs_of(&args.inputs, format, &args.input)?;
    let detector = Arc::new(args.input.detector()?);
    let counter = Arc::new(AtomicU64::new(0));
    let read = ReadOptions {
        progress: Some(Arc::clone(&counter)),
        ..args.input.read(Some(&detector))?
    };
    if inputs.iter().any(|i| same_file(&i.path, &args.out)) {
        bail!("output {} is also an input: refusing", args.out.display());
    }
    if args.out.exists() && !args.force {
        bail!("{} exists (use --force to replace it)", args.out.display());
    }
    let mut clamps = BTreeMap::new();
    for c in &args.clamp {
        let (col, range) = c
            .split_once('=')
            .with_context(|| format!("--clamp {c:?}: expected COLUMN=LOW:HIGH"))?;
        let (lo, hi) = range
            .split_once(':')
            .with_context(|| format!("--clamp {c:?}: expected COLUMN=LOW:HIGH"))?;
        let (lo, hi): (f64, f64) = (lo.parse()?, hi.parse()?);
        clamps.insert(col.to_string(), (lo, hi));
    }
    if args.seed.is_some() && std::env::var_os("SHROUD_ALLOW_SEEDED_NOISE").is_none() {
        bail!(
            "--seed makes the noise predictable, which gives no privacy: it is for tests only (set SHROUD_ALLOW_SEEDED_NOISE=1 to use it)"
        );
    }
    // The flags as the engine's request: the one place an aggregation is checked.
    let request = AggregateRequest {
        group_by: args.group_by.clone(),
        bins: args.bin.clone(),
        metrics: args.metric.clone(),
        min_group_size: args.min_group_size,
        totals: args.totals,
        epsilon: args.epsilon,
        clamps,
        seed: args.seed,
        lenient: args.input.lenient,
        decimal_comma: args.decimal_comma,
        privacy_unit: args.privacy_unit.clone(),
        max_groups_per_unit: args.max_groups_per_unit,
    };
    let spec = request.compile()?;
    let progress = super::progress::Progress::start(None, counter, args.quiet);
    if !args.allow_identifiers {
        refuse_identifiers(&inputs, &args.group_by, &spec.bins, &detector, &read)?;
    }
    let pool = args.input.pool()?;
    let table = pool.install(|| aggregate(&inputs, &spec, &read))?;
    drop(progress);
    shroud::aggregate::output::write_table(&args.out, &table, &spec)?;
    if !args.quiet {
        let _ = writeln!(std::io::stderr(), "{}", summary(&table, &spec));
    }
    Ok(0)
}

fn summary(t: &Table, spec: &AggregateSpec) -> String {
    let published = t
        .rows
        .iter()
        .filter(|r| !r.keys.iter().any(|k| k == "(total)"))
        .count();
    let mut s = format!(
        "{} rows read, {published} groups published, {} suppressed (smaller than {}; {} more to protect totals)",
        t.rows_read, t.suppressed, spec.min_group_size, t.complementary
    );
    if t.suppressed_totals > 0 {
        s.push_str(&format!(
            ", {} total(s) withheld (under {} or to protect another number)",
            t.suppressed_totals, spec.min_group_size
        ));
    }
    if t.invalid_values > 0 {
        s.push_str(&format!(
            ", {} value(s) that are not numbers skipped (--lenient)",
            t.invalid_values
        ));
    }
    if let Some(e) = t.epsilon {
        s.push_str(&format!(", differential privacy: epsilon {e} spent"));
        if let Some(seed) = t.seed {
            s.push_str(&format!(" (SEEDED with {seed}: test output, no privacy)"));
        }
    }
    s
}

/// Runs `shroud risk`.
pub fn run_risk(args: RiskArgs) -> Result<u8> {
    let (mut json_out, legacy) = super::input::text_or_json(args.format.as_deref())?;
    if let Some(old) = &args.legacy_output_format {
        json_out = match old.to_ascii_lowercase().as_str() {
            "json" => true,
            "text" => false,
            o => bail!("unknown --output-format {o:?} (text, json)"),
        };
        if legacy.is_none() && args.format.is_some() {
            bail!("--format and --output-format both name the output format: give --format");
        }
    }
    let format = super::input::input_format(args.input_format.as_deref(), legacy)?;
    let inputs = inputs_of(&args.inputs, format, &args.input)?;
    let detector = Arc::new(args.input.detector()?);
    let counter = Arc::new(AtomicU64::new(0));
    let read = ReadOptions {
        progress: Some(Arc::clone(&counter)),
        ..args.input.read(Some(&detector))?
    };
    let bins = parse_bins(&args.bin)?;
    if args.l_min.is_some() && args.sensitive.is_none() {
        bail!("--l-min needs --sensitive");
    }
    let mut bounds = vec![2, 5, 10];
    if let Some(k) = args.k_min
        && !bounds.contains(&k)
    {
        bounds.push(k);
        bounds.sort_unstable();
    }
    let progress = super::progress::Progress::start(None, counter, args.quiet);
    let r: Risk = risk(
        &inputs,
        &args.quasi_identifiers,
        &bins,
        args.sensitive.as_deref(),
        &read,
        &bounds,
    )?;
    drop(progress);
    if let Some(path) = &args.html {
        if inputs
            .iter()
            .any(|i| shroud::output::same_file(&i.path, path))
        {
            bail!("--html {} is also an input: refusing", path.display());
        }
        let page = shroud::report::html::Page {
            title: format!("shroud risk: {}", super::describe_inputs(&args.inputs)),
            risk: Some(shroud::report::html::RiskView {
                risk: &r,
                quasi_identifiers: &args.quasi_identifiers,
                k_min: args.k_min,
            }),
            ..Default::default()
        };
        super::report::write_html(path, &page)?;
    }
    let fails_k = args.k_min.is_some_and(|k| r.k < k);
    let fails_l = args.l_min.is_some_and(|l| r.l.unwrap_or(0) < l);
    let mut out = std::io::stdout().lock();
    if json_out {
        let doc = serde_json::json!({ "risk": r, "k_min": args.k_min, "l_min": args.l_min, "pass": !(fails_k || fails_l) });
        serde_json::to_writer_pretty(&mut out, &doc)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "{} rows, {} equivalence classes over {}",
            r.rows,
            r.classes,
            args.quasi_identifiers.join(", ")
        )?;
        writeln!(out, "k-anonymity: k = {} (smallest class)", r.k)?;
        for (b, n) in &r.records_below {
            writeln!(out, "  records in classes smaller than {b}: {n}")?;
        }
        if let Some(l) = r.l {
            writeln!(
                out,
                "distinct l-diversity of {}: l = {l}",
                args.sensitive.as_deref().unwrap_or("")
            )?;
        }
        writeln!(out, "smallest classes (values masked):")?;
        for (key, n, l) in &r.worst {
            let l = l
                .map(|l| format!(", {l} distinct sensitive"))
                .unwrap_or_default();
            writeln!(out, "  {}  -> {n} record(s){l}", key.join(" | "))?;
        }
        if let Some(k) = args.k_min {
            writeln!(
                out,
                "{}: k = {} {} k-min {k}",
                if fails_k { "FAIL" } else { "PASS" },
                r.k,
                if fails_k { "<" } else { ">=" }
            )?;
        }
        if let Some(l) = args.l_min {
            writeln!(
                out,
                "{}: l = {} vs l-min {l}",
                if fails_l { "FAIL" } else { "PASS" },
                r.l.unwrap_or(0)
            )?;
        }
    }
    Ok(if fails_k || fails_l { 1 } else { 0 })
}
