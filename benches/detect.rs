//! Engine and pipeline throughput on a generated customer-like table (`shroud::synth`, fixed
//! seed; nothing downloaded). `cargo bench --bench detect`.
//!
//! - `engine/all_columns`: every cell of the table through its column's plan (bytes/s);
//! - `engine/<column>`: one column, one entity family at a time;
//! - `pipeline/csv` and `pipeline/jsonl`: the whole scan of a file (read, detect, merge), one
//!   thread and all threads;
//! - `pseudonymize/csv`: both passes (scan, rewrite with the default policy) into a sink;
//! - `aggregate/csv`: a two-column group-by with count and sum.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use shroud::detect::{Detector, Scratch};
use shroud::scan::{ScanOptions, scan_input};
use shroud::source::{Compression, Format, Input};
#[path = "../dev/synth.rs"]
#[allow(dead_code)]
mod synth;
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use synth::{COLUMNS, Generator};

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
    let parquet_path = dir.path().join("t.parquet");
    {
        use arrow_array::{ArrayRef, RecordBatch, StringArray};
        use arrow_schema::{DataType, Field, Schema};
        let schema = std::sync::Arc::new(Schema::new(
            COLUMNS
                .iter()
                .map(|c| Field::new(*c, DataType::Utf8, true))
                .collect::<Vec<_>>(),
        ));
        let arrays: Vec<ArrayRef> = (0..COLUMNS.len())
            .map(|i| {
                std::sync::Arc::new(StringArray::from_iter_values(
                    rows.iter().map(|r| r[i].clone()),
                )) as ArrayRef
            })
            .collect();
        let file = std::fs::File::create(&parquet_path).unwrap();
        let props = parquet::file::properties::WriterProperties::builder()
            .set_max_row_group_row_count(Some(4096))
            .build();
        let mut w =
            parquet::arrow::ArrowWriter::try_new(file, schema.clone(), Some(props)).unwrap();
        w.write(&RecordBatch::try_new(schema, arrays).unwrap())
            .unwrap();
        w.close().unwrap();
    }
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
            handle: None,
            table: None,
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

fn pseudonymize_and_aggregate(c: &mut Criterion) {
    use shroud::aggregate::{AggregateSpec, Metric, aggregate};
    use shroud::pseudo::{Rewrite, plan_file, rewrite};
    use shroud::transform::{Policy, Transformer, key::Key};
    let d = Detector::builtin().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let rows = table();
    let path = dir.path().join("t.csv");
    let mut w = csv::Writer::from_path(&path).unwrap();
    w.write_record(COLUMNS).unwrap();
    for r in &rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
    let size = std::fs::metadata(&path).unwrap().len();
    let input = Input {
        path,
        format: Format::Csv,
        compression: Compression::None,
        size,
        handle: None,
        table: None,
    };
    let policy = Policy::builtin();
    let key =
        Key::parse(b"3c9e51a07f2b8d64e1a5c03b97f8d2460b1e7a93c5d8f2064a7e1b9c3d5f8a02").unwrap();
    let t = Transformer::new(Some(&key));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let opts = ScanOptions::default();
    let mut g = c.benchmark_group("pseudonymize");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(size));
    g.bench_function("csv/1_thread", |b| {
        b.iter(|| {
            pool.install(|| {
                let plan = plan_file(&d, &policy, &input, &opts).unwrap();
                let rw = Rewrite::new(&d, &t, &policy, &plan);
                let mut sink = std::io::sink();
                rewrite(&rw, &input, &opts, &mut sink).unwrap()
            })
        })
    });
    g.finish();
    let spec = AggregateSpec {
        group_by: vec!["gender".into(), "city".into()],
        bins: Default::default(),
        metrics: vec![Metric::Count, Metric::Sum("price".into())],
        min_group_size: 10,
        totals: false,
        dp: None,
        lenient: false,
        decimal_comma: false,
    };
    let mut g = c.benchmark_group("aggregate");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(size));
    g.bench_function("csv/1_thread", |b| {
        b.iter(|| {
            pool.install(|| {
                aggregate(std::slice::from_ref(&input), &spec, &Default::default()).unwrap()
            })
        })
    });
    g.finish();
}

criterion_group!(benches, engine, pipeline, pseudonymize_and_aggregate);
criterion_main!(benches);
