//! Parquet reader: every column, nested struct / list / map columns included (paths
//! `user.contact.email`, `devices[].ip`, `attrs[].key`), and every type: strings as they are,
//! numbers, decimals, dates and timestamps through arrow's display formatting (an account
//! number stored as int64 or a birth date stored as date32 is scanned like its text).
//! Row groups decode in parallel (rayon); memory is bounded by the row groups in flight.

use super::{
    Batch, BatchBuilder, BatchReader, Input, Progress, ReadOptions, ReadStats, SourceError,
};
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{DataType, Field};
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use rayon::prelude::*;
use std::collections::HashMap;
use std::fmt::Write;
use std::fs::File;
use std::sync::atomic::Ordering;

/// Marks an element whose parent is null (skipped).
const SKIP: u32 = u32::MAX;

/// Parquet reader yielding batches row group by row group.
pub struct ParquetReader {
    path: String,
    /// Where to reopen the file: each row-group decoder needs its own descriptor, since
    /// cloned descriptors share one file offset and parallel seeks would race.
    open_path: std::path::PathBuf,
    meta: ArrowReaderMetadata,
    columns: Vec<String>,
    ids: HashMap<String, u32>,
    row_offsets: Vec<u64>,
    next_group: usize,
    max_rows: Option<u64>,
    counter: Progress,
    // Keeps a spooled copy of standard input alive.
    _spool: Option<crate::output::TempFile>,
}

/// Appends the scanned column paths under `field` (`a.b`, `a[]`; booleans and nulls skipped).
pub(crate) fn leaf_paths(field: &Field, prefix: &str, out: &mut Vec<String>) {
    let path = if prefix.is_empty() {
        field.name().clone()
    } else {
        format!("{prefix}.{}", field.name())
    };
    walk_type(field.data_type(), &path, out);
}

fn walk_type(dt: &DataType, path: &str, out: &mut Vec<String>) {
    match dt {
        DataType::Struct(fields) => {
            for f in fields {
                leaf_paths(f, path, out);
            }
        }
        DataType::List(f)
        | DataType::LargeList(f)
        | DataType::FixedSizeList(f, _)
        | DataType::ListView(f)
        | DataType::LargeListView(f) => {
            walk_type(f.data_type(), &format!("{path}[]"), out);
        }
        DataType::Map(f, _) => walk_type(f.data_type(), &format!("{path}[]"), out),
        DataType::Boolean | DataType::Null => {}
        _ => out.push(path.to_string()),
    }
}

impl ParquetReader {
    /// Opens the file and reads its footer.
    pub fn new(input: &Input, opts: &ReadOptions, counter: Progress) -> Result<Self, SourceError> {
        let path = input.display();
        let io_err = |source| SourceError::Io {
            path: path.clone(),
            source,
        };
        let (open_path, spool) = if input.is_stdin() {
            let mut tmp = crate::output::TempFile::new().map_err(io_err)?;
            std::io::copy(&mut std::io::stdin().lock(), tmp.as_file_mut()).map_err(io_err)?;
            (tmp.path().to_path_buf(), Some(tmp))
        } else {
            (input.path.clone(), None)
        };
        let file = File::open(&open_path).map_err(io_err)?;
        let footer_err = |message: String| SourceError::Malformed {
            path: path.clone(),
            location: "footer".into(),
            message,
        };
        let meta = super::contain(|| ArrowReaderMetadata::load(&file, ArrowReaderOptions::new()))
            .map_err(|p| footer_err(format!("the Parquet decoder failed: {p}")))?
            .map_err(|e| footer_err(e.to_string()))?;
        let mut columns = Vec::new();
        for f in meta.schema().fields() {
            leaf_paths(f, "", &mut columns);
        }
        let ids = columns
            .iter()
            .enumerate()
            .map(|(i, c)| (c.clone(), i as u32))
            .collect();
        let mut row_offsets = Vec::new();
        let mut total = 0u64;
        for rg in meta.metadata().row_groups() {
            row_offsets.push(total);
            total += rg.num_rows().max(0) as u64;
        }
        Ok(ParquetReader {
            path,
            open_path,
            meta,
            columns,
            ids,
            row_offsets,
            next_group: 0,
            max_rows: opts.max_rows,
            counter,
            _spool: spool,
        })
    }

    /// Decodes row group `rg`. The parquet crate panics on some corrupt pages: such a panic
    /// is an error naming the row group, like any other corruption.
    fn decode_group(&self, rg: usize) -> Result<Vec<Batch>, SourceError> {
        super::contain(|| self.decode_group_inner(rg)).unwrap_or_else(|p| {
            Err(SourceError::Malformed {
                path: self.path.clone(),
                location: format!("row group {rg}"),
                message: format!("corrupt: the Parquet decoder failed: {p}"),
            })
        })
    }

    fn decode_group_inner(&self, rg: usize) -> Result<Vec<Batch>, SourceError> {
        let malformed = |e: &dyn std::fmt::Display| SourceError::Malformed {
            path: self.path.clone(),
            location: format!("row group {rg}"),
            message: format!("corrupt or cut short: {e}"),
        };
        let file = File::open(&self.open_path).map_err(|source| SourceError::Io {
            path: self.path.clone(),
            source,
        })?;
        let mut first = self.row_offsets[rg];
        let mut limit = u64::MAX;
        if let Some(m) = self.max_rows {
            if first >= m {
                return Ok(Vec::new());
            }
            limit = m - first;
        }
        let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(file, self.meta.clone())
            .with_row_groups(vec![rg])
            .with_batch_size(super::BATCH_ROWS)
            .build()
            .map_err(|e| malformed(&e))?;
        let mut out = Vec::new();
        let opts = FormatOptions::default();
        for rb in reader {
            let rb: RecordBatch = rb.map_err(|e| malformed(&e))?;
            let rows = (rb.num_rows() as u64).min(limit) as usize;
            let mut builder = BatchBuilder::new(first);
            for (field, array) in rb.schema().fields().iter().zip(rb.columns()) {
                let map: Vec<u32> = (0..rows as u32).collect();
                let array = array.slice(0, rows);
                flatten(&array, field.name(), &map, &self.ids, &mut builder, &opts)
                    .map_err(|e| malformed(&e))?;
            }
            builder.set_rows(rows);
            out.push(builder.take());
            first += rows as u64;
            limit -= rows as u64;
            if limit == 0 {
                break;
            }
        }
        let size = self.meta.metadata().row_group(rg).compressed_size().max(0) as u64;
        self.counter.fetch_add(size, Ordering::Relaxed);
        Ok(out)
    }
}

/// Pushes the cells of `array` (element `i` belongs to batch row `map[i]`) under `path`.
pub(crate) fn flatten(
    array: &ArrayRef,
    path: &str,
    map: &[u32],
    ids: &HashMap<String, u32>,
    builder: &mut BatchBuilder,
    opts: &FormatOptions<'_>,
) -> Result<(), arrow_schema::ArrowError> {
    match array.data_type() {
        DataType::Struct(_) => {
            let s = array.as_struct();
            let child_map: Vec<u32> = map
                .iter()
                .enumerate()
                .map(|(i, &r)| if s.is_null(i) { SKIP } else { r })
                .collect();
            for (f, child) in s.fields().iter().zip(s.columns()) {
                flatten(
                    child,
                    &format!("{path}.{}", f.name()),
                    &child_map,
                    ids,
                    builder,
                    opts,
                )?;
            }
        }
        DataType::List(_)
        | DataType::LargeList(_)
        | DataType::FixedSizeList(_, _)
        | DataType::Map(_, _) => {
            let (values, offsets): (ArrayRef, Vec<usize>) = match array.data_type() {
                DataType::List(_) => {
                    let l = array.as_list::<i32>();
                    (
                        l.values().clone(),
                        l.value_offsets().iter().map(|&o| o as usize).collect(),
                    )
                }
                DataType::LargeList(_) => {
                    let l = array.as_list::<i64>();
                    (
                        l.values().clone(),
                        l.value_offsets().iter().map(|&o| o as usize).collect(),
                    )
                }
                DataType::FixedSizeList(_, n) => {
                    let l = array.as_fixed_size_list();
                    let n = *n as usize;
                    (
                        l.values().clone(),
                        (0..=array.len())
                            .map(|i| (i + array.offset()) * n)
                            .collect(),
                    )
                }
                _ => {
                    let m = array.as_map();
                    let entries: ArrayRef = std::sync::Arc::new(m.entries().clone());
                    (
                        entries,
                        m.value_offsets().iter().map(|&o| o as usize).collect(),
                    )
                }
            };
            let mut child_map = vec![SKIP; values.len()];
            for i in 0..array.len() {
                if array.is_null(i) || map[i] == SKIP {
                    continue;
                }
                for j in offsets[i]..offsets[i + 1] {
                    if let Some(slot) = child_map.get_mut(j) {
                        *slot = map[i];
                    }
                }
            }
            if let DataType::Map(_, _) = array.data_type() {
                let s = values.as_struct();
                for (f, child) in s.fields().iter().zip(s.columns()) {
                    flatten(
                        child,
                        &format!("{path}[].{}", f.name()),
                        &child_map,
                        ids,
                        builder,
                        opts,
                    )?;
                }
            } else {
                flatten(
                    &values,
                    &format!("{path}[]"),
                    &child_map,
                    ids,
                    builder,
                    opts,
                )?;
            }
        }
        DataType::Boolean | DataType::Null => {}
        dt => {
            let Some(&col) = ids.get(path) else {
                return Ok(());
            };
            let cell = |builder: &mut BatchBuilder, i: usize, v: &[u8]| {
                if map[i] != SKIP && !array.is_null(i) && !v.is_empty() {
                    builder.push_at(col, map[i], v);
                }
            };
            match dt {
                DataType::Utf8 => {
                    let a = array.as_string::<i32>();
                    for i in 0..a.len() {
                        cell(builder, i, a.value(i).as_bytes());
                    }
                }
                DataType::LargeUtf8 => {
                    let a = array.as_string::<i64>();
                    for i in 0..a.len() {
                        cell(builder, i, a.value(i).as_bytes());
                    }
                }
                DataType::Utf8View => {
                    let a = array.as_string_view();
                    for i in 0..a.len() {
                        cell(builder, i, a.value(i).as_bytes());
                    }
                }
                DataType::Binary => {
                    let a = array.as_binary::<i32>();
                    for i in 0..a.len() {
                        cell(builder, i, a.value(i));
                    }
                }
                DataType::LargeBinary => {
                    let a = array.as_binary::<i64>();
                    for i in 0..a.len() {
                        cell(builder, i, a.value(i));
                    }
                }
                _ => {
                    let array = &strip_timezone(array);
                    let fmt = ArrayFormatter::try_new(array.as_ref(), opts)?;
                    let mut buf = String::new();
                    for (i, &row) in map.iter().enumerate().take(array.len()) {
                        if row == SKIP || array.is_null(i) {
                            continue;
                        }
                        buf.clear();
                        let _ = write!(buf, "{}", fmt.value(i));
                        cell(builder, i, buf.as_bytes());
                    }
                }
            }
        }
    }
    Ok(())
}

/// Timestamps with a named zone (`UTC`, `Europe/Paris`) need a zone database to display;
/// scanning only needs the digits, so the instant is shown as a zone-less UTC timestamp.
pub(crate) fn strip_timezone(array: &ArrayRef) -> ArrayRef {
    use arrow_array::types::{
        TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
        TimestampSecondType,
    };
    use arrow_schema::TimeUnit;
    let none: Option<String> = None;
    match array.data_type() {
        DataType::Timestamp(unit, Some(_)) => match unit {
            TimeUnit::Second => std::sync::Arc::new(
                array
                    .as_primitive::<TimestampSecondType>()
                    .clone()
                    .with_timezone_opt(none),
            ),
            TimeUnit::Millisecond => std::sync::Arc::new(
                array
                    .as_primitive::<TimestampMillisecondType>()
                    .clone()
                    .with_timezone_opt(none),
            ),
            TimeUnit::Microsecond => std::sync::Arc::new(
                array
                    .as_primitive::<TimestampMicrosecondType>()
                    .clone()
                    .with_timezone_opt(none),
            ),
            TimeUnit::Nanosecond => std::sync::Arc::new(
                array
                    .as_primitive::<TimestampNanosecondType>()
                    .clone()
                    .with_timezone_opt(none),
            ),
        },
        _ => array.clone(),
    }
}

impl BatchReader for ParquetReader {
    fn next_batches(&mut self, n: usize) -> Result<Vec<Batch>, SourceError> {
        // `n` counts batches: decode as many row groups as give about n batches (at least
        // one), so memory stays near n batches even with large row groups.
        let total = self.row_offsets.len();
        let rows_total = self.row_offsets.last().copied().unwrap_or(0) as usize;
        let per_group = (rows_total / total.max(1)).max(1);
        let groups = (n.max(1) * super::BATCH_ROWS).div_ceil(per_group).max(1);
        let end = (self.next_group + groups).min(total);
        let groups: Vec<usize> = (self.next_group..end).collect();
        self.next_group = end;
        let decoded: Vec<Result<Vec<Batch>, SourceError>> =
            groups.par_iter().map(|&rg| self.decode_group(rg)).collect();
        let mut out = Vec::new();
        for d in decoded {
            out.extend(d?);
        }
        Ok(out)
    }

    fn columns(&self) -> &[String] {
        &self.columns
    }

    fn stats(&self) -> ReadStats {
        ReadStats::default()
    }
}
