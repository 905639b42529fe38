//! Aggregate outputs: the table written as CSV/TSV, JSON or Parquet by the file's extension,
//! atomically, with a `FILE.meta.json` beside CSV and Parquet saying what was suppressed and
//! how much privacy loss was spent (JSON carries it inline). Also the refusal to group by a
//! direct identifier, shared by the CLI and the Python package.

use super::{AggregateError, AggregateSpec, Metric, Table};
use crate::output::write_atomic;
use std::path::Path;

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> AggregateError + '_ {
    move |e| AggregateError::Spec(format!("failed to write {}: {e}", path.display()))
}

/// A metric value as written in CSV: integers without decimals, others to 4 places.
pub fn fmt_value(v: Option<f64>) -> String {
    v.map(|x| {
        if x.fract() == 0.0 && x.abs() < 1e15 {
            format!("{}", x as i64)
        } else {
            format!("{x:.4}")
        }
    })
    .unwrap_or_default()
}

/// Writes `t` to `path` in the format its extension names (`.csv`, `.tsv`, `.json`,
/// `.parquet`), atomically.
pub fn write_table(path: &Path, t: &Table, spec: &AggregateSpec) -> Result<(), AggregateError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("csv")
        .to_ascii_lowercase();
    let cells = |r: &crate::aggregate::Row| -> Vec<String> {
        let mut out = r.keys.clone();
        let mut vi = 0;
        for m in &spec.metrics {
            if *m == Metric::Count {
                out.push(r.count.to_string());
            } else {
                out.push(fmt_value(r.values[vi]));
                vi += 1;
            }
        }
        out
    };
    match ext.as_str() {
        "csv" | "tsv" => write_atomic(path, |w| {
            let mut cw = csv::WriterBuilder::new()
                .delimiter(if ext == "tsv" { b'\t' } else { b',' })
                .from_writer(w);
            cw.write_record(&t.columns)?;
            for r in &t.rows {
                cw.write_record(cells(r))?;
            }
            cw.flush()
        })
        .map_err(io(path))?,
        "json" => write_atomic(path, |w| {
            let rows: Vec<serde_json::Value> = t
                .rows
                .iter()
                .map(|r| {
                    let mut m = serde_json::Map::new();
                    for (k, v) in spec.group_by.iter().zip(&r.keys) {
                        m.insert(k.clone(), v.clone().into());
                    }
                    let mut vi = 0;
                    for metric in &spec.metrics {
                        let v = if *metric == Metric::Count {
                            serde_json::Value::from(r.count)
                        } else {
                            vi += 1;
                            r.values[vi - 1]
                                .map_or(serde_json::Value::Null, serde_json::Value::from)
                        };
                        m.insert(metric.name(), v);
                    }
                    serde_json::Value::Object(m)
                })
                .collect();
            let doc = serde_json::json!({
                "min_group_size": spec.min_group_size,
                "suppressed": t.suppressed,
                "epsilon": t.epsilon,
                "seeded_for_tests": t.seed.is_some(),
                "groups": rows,
            });
            serde_json::to_writer_pretty(&mut *w, &doc)?;
            w.write_all(b"\n")
        })
        .map_err(io(path))?,
        "parquet" | "pq" => {
            let batch = crate::batch::table_batch(spec, t)
                .map_err(|e| AggregateError::Spec(e.to_string()))?;
            let schema = batch.schema();
            // One row per group: small enough to encode in memory first.
            let mut bytes: Vec<u8> = Vec::new();
            let pq = |e: parquet::errors::ParquetError| AggregateError::Spec(e.to_string());
            let mut pw =
                parquet::arrow::ArrowWriter::try_new(&mut bytes, schema, None).map_err(pq)?;
            pw.write(&batch).map_err(pq)?;
            pw.close().map_err(pq)?;
            write_atomic(path, |w| w.write_all(&bytes)).map_err(io(path))?;
        }
        other => {
            return Err(AggregateError::Spec(format!(
                "{}: unknown extension .{other} (csv, tsv, json, parquet)",
                path.display()
            )));
        }
    }
    // CSV and Parquet cannot carry the privacy statement: a sidecar says what was done.
    if ext != "json" {
        let meta = path.with_extension(format!("{ext}.meta.json"));
        write_atomic(&meta, |w| {
            let doc = serde_json::json!({
                "output": path.file_name().map(|n| n.to_string_lossy().into_owned()),
                "min_group_size": spec.min_group_size,
                "suppressed": t.suppressed,
                "epsilon": t.epsilon,
                "seeded_for_tests": t.seed.is_some(),
            });
            serde_json::to_writer_pretty(&mut *w, &doc)?;
            w.write_all(b"\n")
        })
        .map_err(io(&meta))?;
    }
    Ok(())
}

/// Refuses group-by columns (not binned) whose verdict identifies people directly: every
/// group would be one person. `columns` are `(column, verdict)` pairs from a scan.
pub fn refuse_identifiers<'a>(
    columns: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
    group_by: &[String],
    binned: &[String],
    source: &str,
) -> Result<(), AggregateError> {
    for (name, verdict) in columns {
        if !group_by.iter().any(|g| g == name) || binned.iter().any(|b| b == name) {
            continue;
        }
        if let Some(e) = verdict
            && crate::entity::is_direct(e)
        {
            return Err(AggregateError::Spec(format!(
                "refusing to group by {name} in {source}: it holds {e}, which identifies people directly, so every group \
                 would be one person. Group by a coarser column (or a bin of it), or allow identifiers explicitly"
            )));
        }
    }
    Ok(())
}
