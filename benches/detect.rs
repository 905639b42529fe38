//! Engine and pipeline throughput on a generated customer-like table (`shroud::synth`, fixed
//! seed; nothing downloaded). `cargo bench --bench detect`.
//!
//! - `engine/all_columns`: every cell of the table through its column's plan (bytes/s);
//! - `engine/<column>`: one column, one entity family at a time;
//! - `pipeline/csv` and `pipeline/jsonl`: the whole scan of a file (read, detect, merge), one
//!   thread and all threads.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use shroud::detect::{Detector, Scratch};
use shroud::scan::{ScanOptions, scan_input};
use shroud::source::{Compression, Format, Input};
use shroud::synth::{COLUMNS, Generator};
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

const ROWS: usize = 20_000;

fn table() -> Vec<Vec<String>> {
    let mut g = Generator::new(1);
    let mut out = Vec::with_capacity(ROWS);
    let mut row = Vec::new();
    for _ in 0..ROWS {
        g.next_row(&mut row);
        out.push(row.clone());
    }
    out
}

fn engine(c: &mut Criterion) {
    let d = Detector::builtin().unwrap();
    let rows = table();
    let plans: Vec<_> = COLUMNS.iter().map(|c| d.plan(c)).collect();
    let bytes: usize = rows.iter().flatten().map(String::len).sum();
    let mut g = c.benchmark_group("engine");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);
    g.bench_function("all_columns", |b| {
        let mut scratch = Scratch::default();
        b.iter(|| {
            let mut n = 0;
            for row in &rows {
                for (cell, plan) in row.iter().zip(&plans) {
                    d.scan_cell(plan, cell.as_bytes(), &mut scratch);
                    n += scratch.findings.len();
                }
            }
            black_box(n)
        });
    });
    for col in [
        "email",
        "phone",
        "credit_card",
        "iban",
        "ssn",
        "ip_address",
        "first_name",
        "street_address",
        "date_of_birth",
        "notes",
        "sku",
        "tracking_number",
    ] {
        let i = COLUMNS.iter().position(|c| *c == col).unwrap();
        let col_bytes: usize = rows.iter().map(|r| r[i].len()).sum();
        g.throughput(Throughput::Bytes(col_bytes as u64));
        g.bench_function(col, |b| {
            let mut scratch = Scratch::default();
            b.iter(|| {
                let mut n = 0;
                for row in &rows {
                    d.scan_cell(&plans[i], row[i].as_bytes(), &mut scratch);
                    n += scratch.findings.len();
                }
                black_box(n)
            });
        });
    }
    g.finish();
}

fn pipeline(c: &mut Criterion) {
    let d = Detector::builtin().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let rows = table();
    let csv_path = dir.path().join("t.csv");
    let mut w = csv::Writer::from_path(&csv_path).unwrap();
    w.write_record(COLUMNS).unwrap();
    for r in &rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
    let jsonl_path = dir.path().join("t.jsonl");
    let mut text = String::new();
    for r in &rows {
        let obj: serde_json::Map<String, serde_json::Value> = COLUMNS
            .iter()
            .zip(r)
            .map(|(k, v)| (k.to_string(), v.clone().into()))
            .collect();
        text.push_str(&serde_json::to_string(&obj).unwrap());
        text.push('\n');
    }
    std::fs::write(&jsonl_path, text).unwrap();
    let mut g = c.benchmark_group("pipeline");
    g.sample_size(10);
    for (name, path, format) in [
        ("csv", &csv_path, Format::Csv),
        ("jsonl", &jsonl_path, Format::Jsonl),
    ] {
        let size = std::fs::metadata(path).unwrap().len();
        g.throughput(Throughput::Bytes(size));
        let input = Input {
            path: path.clone(),
            format,
            compression: Compression::None,
            size,
        };
        for threads in [1, 0] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let label = if threads == 1 {
                format!("{name}/1_thread")
            } else {
                format!("{name}/all_threads")
            };
            g.bench_function(label, |b| {
                b.iter(|| {
                    pool.install(|| {
                        scan_input(
                            &d,
                            &input,
                            &ScanOptions::default(),
                            None,
                            Arc::new(AtomicU64::new(0)),
                        )
                        .unwrap()
                    })
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, engine, pipeline);
criterion_main!(benches);
