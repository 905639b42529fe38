//! Writes a synthetic customer-like table (see `shroud::synth`) of a given size.
//!
//! ```text
//! cargo run --release --example gen -- --format csv --size 1G --seed 1 --out /tmp/customers.csv
//! cargo run --release --example gen -- --format parquet --rows 100000 --out /tmp/c.parquet
//! ```
//! Streams rows to disk: memory stays flat whatever the size.

use arrow_array::{ArrayRef, RecordBatch, builder::StringBuilder};
use arrow_schema::{DataType, Field, Schema};
#[path = "../dev/synth.rs"]
#[allow(dead_code)]
mod synth;
use std::io::{BufWriter, Write};
use std::sync::Arc;
use synth::{COLUMNS, Generator};

fn parse_size(s: &str) -> u64 {
    let s = s.trim().to_ascii_uppercase();
    let (num, mult) = match s.chars().last() {
        Some('K') => (&s[..s.len() - 1], 1u64 << 10),
        Some('M') => (&s[..s.len() - 1], 1 << 20),
        Some('G') => (&s[..s.len() - 1], 1 << 30),
        _ => (&s[..], 1),
    };
    (num.parse::<f64>().expect("size like 100M or 1G") * mult as f64) as u64
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let get = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let format = get("--format").unwrap_or_else(|| "csv".into());
    let seed: u64 = get("--seed").map_or(1, |s| s.parse().expect("--seed N"));
    let rows: Option<u64> = get("--rows").map(|s| s.parse().expect("--rows N"));
    let size: Option<u64> = get("--size").map(|s| parse_size(&s));
    let out = get("--out").ok_or("--out FILE is required")?;
    let limit_rows = rows.unwrap_or(u64::MAX);
    let limit_bytes = size.unwrap_or(if rows.is_some() { u64::MAX } else { 1 << 20 });
    let mut generator = Generator::new(seed);
    let mut row = Vec::new();
    let file = std::fs::File::create(&out)?;
    let mut written = 0u64;
    let mut n = 0u64;
    match format.as_str() {
        "csv" => {
            let mut w = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, file));
            w.write_record(COLUMNS)?;
            while n < limit_rows && written < limit_bytes {
                generator.next_row(&mut row);
                w.write_record(&row)?;
                written += row.iter().map(|c| c.len() as u64 + 1).sum::<u64>();
                n += 1;
            }
            w.flush()?;
        }
        "jsonl" => {
            let mut w = BufWriter::with_capacity(1 << 20, file);
            while n < limit_rows && written < limit_bytes {
                generator.next_row(&mut row);
                let obj: serde_json::Map<String, serde_json::Value> = COLUMNS
                    .iter()
                    .zip(&row)
                    .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.clone())))
                    .collect();
                let line = serde_json::to_string(&obj)?;
                w.write_all(line.as_bytes())?;
                w.write_all(b"\n")?;
                written += line.len() as u64 + 1;
                n += 1;
            }
            w.flush()?;
        }
        "parquet" => {
            let schema = Arc::new(Schema::new(
                COLUMNS
                    .iter()
                    .map(|c| Field::new(*c, DataType::Utf8, true))
                    .collect::<Vec<_>>(),
            ));
            let props = parquet::file::properties::WriterProperties::builder()
                .set_compression(parquet::basic::Compression::SNAPPY)
                .set_max_row_group_row_count(Some(65_536))
                .build();
            let mut w = parquet::arrow::ArrowWriter::try_new(file, schema.clone(), Some(props))?;
            while n < limit_rows && written < limit_bytes {
                let mut builders: Vec<StringBuilder> =
                    COLUMNS.iter().map(|_| StringBuilder::new()).collect();
                let mut batch_rows = 0;
                while batch_rows < 8192 && n < limit_rows && written < limit_bytes {
                    generator.next_row(&mut row);
                    for (b, v) in builders.iter_mut().zip(&row) {
                        b.append_value(v);
                        written += v.len() as u64 + 1;
                    }
                    batch_rows += 1;
                    n += 1;
                }
                let arrays: Vec<ArrayRef> = builders
                    .iter_mut()
                    .map(|b| Arc::new(b.finish()) as ArrayRef)
                    .collect();
                w.write(&RecordBatch::try_new(schema.clone(), arrays)?)?;
            }
            w.close()?;
        }
        other => return Err(format!("unknown --format {other} (csv, jsonl, parquet)").into()),
    }
    eprintln!("wrote {n} rows ({written} bytes of cells) to {out}");
    Ok(())
}
