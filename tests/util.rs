//! Test helpers: a temp dir per test, running the binary, reading outputs.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Raw personal values planted in the fixtures.
pub const PLANTED: &[&str] = &[
    "jane.doe@example.com",
    "john.smith@example.org",
    "536-22-8726",
    "4111 1111 1111 1111",
    "5555555555554444",
    "GB82 WEST 1234 5698 7654 32",
    "DE89370400440532013000",
    "+44 20 7946 0958",
    "(415) 253-2671",
    "203.0.113.7",
    "Jane Doe",
    "John Smith",
    "1980-03-04",
];

/// The repository root (fixtures live under it).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture path.
pub fn fixture(rel: &str) -> PathBuf {
    root().join("fixtures").join(rel)
}

/// Runs `shroud ARGS` with `dir` as the working directory.
pub fn shroud(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shroud"))
        .args(args)
        // Tests seed the noise to compare runs; users must opt in.
        .env("SHROUD_ALLOW_SEEDED_NOISE", "1")
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("shroud runs")
}

/// Runs `shroud ARGS` with extra environment variables.
pub fn shroud_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shroud"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("shroud runs")
}

/// Runs `shroud ARGS` with `input` on standard input.
pub fn shroud_stdin(dir: &Path, args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_shroud"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("shroud starts");
    // The command may exit before reading (a usage error): a broken pipe is fine.
    let _ = child.stdin.take().unwrap().write_all(input);
    child.wait_with_output().unwrap()
}

/// Scans `path` with `extra` args; returns (report JSON, findings lines, output).
pub fn scan(path: &Path, extra: &[&str]) -> (Value, Vec<Value>, Output) {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let findings = dir.path().join("findings.jsonl");
    let mut args = vec![
        "scan",
        path.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
        "--findings",
        findings.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = shroud(dir.path(), &args);
    let report_json = std::fs::read_to_string(&report)
        .map(|s| serde_json::from_str(&s).unwrap())
        .unwrap_or(Value::Null);
    let lines = std::fs::read_to_string(&findings)
        .map(|s| {
            s.lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect()
        })
        .unwrap_or_default();
    (report_json, lines, out)
}

/// `column -> entity (or "null")` for the first file of a report.
pub fn verdicts(report: &Value) -> std::collections::BTreeMap<String, String> {
    file_verdicts(&report["files"][0])
}

/// `column -> entity (or "null")` for one file entry of a report.
pub fn file_verdicts(file: &Value) -> std::collections::BTreeMap<String, String> {
    file["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["column"].as_str().unwrap().to_string(),
                c["entity"].as_str().unwrap_or("null").to_string(),
            )
        })
        .collect()
}

/// The record batches of a Parquet file.
pub fn read_parquet(path: &Path) -> Vec<arrow_array::RecordBatch> {
    let f = std::fs::File::open(path).unwrap();
    parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(f)
        .unwrap()
        .build()
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// The column entry named `name` in the first file of a report.
pub fn column<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["files"][0]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == name)
        .unwrap_or_else(|| panic!("no column {name} in report"))
}

/// Standard output and error as text.
pub fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Writes `rows` rows of the seeded synthetic customer table (`shroud::synth`) as CSV.
pub fn write_synth_csv(path: &Path, seed: u64, rows: usize) {
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(crate::synth::COLUMNS).unwrap();
    let mut g = crate::synth::Generator::new(seed);
    let mut row = Vec::new();
    for _ in 0..rows {
        g.next_row(&mut row);
        w.write_record(&row).unwrap();
    }
    w.flush().unwrap();
}

/// Every cell of a file as `(row, column path, value)`, in reading order, read with shroud's
/// own reader (default options).
pub fn read_cells(path: &Path) -> Vec<(u64, String, String)> {
    use shroud::source::{Input, ReadOptions, format_from_path, open};
    let (format, compression) = format_from_path(path).unwrap();
    let input = Input {
        path: path.to_path_buf(),
        format,
        compression,
        size: 0,
        handle: None,
        table: None,
    };
    let mut r = open(&input, &ReadOptions::default(), Default::default()).unwrap();
    let mut out = Vec::new();
    loop {
        let batches = r.next_batches(4).unwrap();
        if batches.is_empty() {
            return out;
        }
        let names = r.columns().to_vec();
        for b in batches {
            for c in &b.columns {
                for (row, v) in c.iter() {
                    out.push((
                        b.first_row + u64::from(row),
                        names[c.col as usize].clone(),
                        String::from_utf8_lossy(v).into_owned(),
                    ));
                }
            }
        }
    }
}

/// Every file under `dir`, recursively (a folder that cannot be read fails the test, naming it).
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}
