//! Parquet rewriting: row group by row group, each column's arrays transformed (nested structs
//! and lists too), written with the input's compression codec and the same row-group
//! boundaries. A column keeps its type where the operator allows it (keep, and redact, which
//! nulls); a transformed non-string column becomes a string column, recorded in the manifest.

use super::{ColumnAction, PseudoError, Rewrite};
use crate::detect::Scratch;
use crate::source::Input;
use crate::transform::Output;
use arrow_array::builder::StringBuilder;
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, ListArray, RecordBatch, StructArray};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{DataType, Field, Fields, Schema};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::properties::WriterProperties;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

/// A rewrite in progress: scratch buffers and the columns whose type changed so far.
pub(crate) struct Ctx<'a, 'b> {
    rw: &'a Rewrite<'b>,
    scratch: Scratch,
    type_changes: BTreeMap<String, String>,
}

impl<'a, 'b> Ctx<'a, 'b> {
    /// A context for `rw`.
    pub(crate) fn new(rw: &'a Rewrite<'b>) -> Self {
        Ctx {
            rw,
            scratch: Scratch::default(),
            type_changes: BTreeMap::new(),
        }
    }
}

/// Rewrites every column of one record batch (`path` names the input in errors). The
/// result's schema is the input's with dropped fields removed and changed columns as strings.
pub(crate) fn rewrite_batch(
    ctx: &mut Ctx<'_, '_>,
    batch: &RecordBatch,
    path: &str,
) -> Result<RecordBatch, PseudoError> {
    let mut fields = Vec::new();
    let mut columns = Vec::new();
    for (f, a) in batch.schema().fields().iter().zip(batch.columns()) {
        if let Some((nf, na)) = transform(ctx, f, a, f.name())? {
            fields.push(nf);
            columns.push(na);
        }
    }
    let schema = Arc::new(Schema::new(fields));
    // Zero columns left (all dropped): keep the row count.
    let opts = arrow_array::RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
    RecordBatch::try_new_with_options(schema, columns, &opts).map_err(|e| PseudoError::Malformed {
        path: path.to_string(),
        message: e.to_string(),
    })
}

/// Transforms `array` (column `path`); `None` when the field is dropped.
fn transform(
    ctx: &mut Ctx<'_, '_>,
    field: &Field,
    array: &ArrayRef,
    path: &str,
) -> Result<Option<(Field, ArrayRef)>, PseudoError> {
    if ctx.rw.action(path) == ColumnAction::Drop {
        return Ok(None);
    }
    let err = |e: arrow_schema::ArrowError| PseudoError::Malformed {
        path: path.to_string(),
        message: e.to_string(),
    };
    match array.data_type() {
        DataType::Struct(_) => {
            let s = array.as_struct();
            let mut fields = Vec::new();
            let mut children = Vec::new();
            for (f, child) in s.fields().iter().zip(s.columns()) {
                if let Some((nf, na)) = transform(ctx, f, child, &format!("{path}.{}", f.name()))? {
                    fields.push(Arc::new(nf));
                    children.push(na);
                }
            }
            let fields = Fields::from(fields);
            let arr =
                StructArray::try_new(fields.clone(), children, s.nulls().cloned()).map_err(err)?;
            Ok(Some((
                Field::new(field.name(), DataType::Struct(fields), field.is_nullable()),
                Arc::new(arr),
            )))
        }
        DataType::List(inner) => {
            let l = array.as_list::<i32>();
            let values = l.values().clone();
            let Some((nf, na)) = transform(ctx, inner, &values, &format!("{path}[]"))? else {
                return Ok(None);
            };
            let nf = Arc::new(nf);
            let arr = ListArray::try_new(nf.clone(), l.offsets().clone(), na, l.nulls().cloned())
                .map_err(err)?;
            Ok(Some((
                Field::new(field.name(), DataType::List(nf), field.is_nullable()),
                Arc::new(arr),
            )))
        }
        DataType::Boolean | DataType::Null => Ok(Some((field.clone(), array.clone()))),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            leaf(ctx, field, array, path, true)
        }
        DataType::LargeList(_)
        | DataType::FixedSizeList(..)
        | DataType::Map(..)
        | DataType::Binary
        | DataType::LargeBinary => {
            // Kept as is: no personal-data path is rewritten inside these yet; `scan` still
            // reports what they hold.
            Ok(Some((field.clone(), array.clone())))
        }
        _ => leaf(ctx, field, array, path, false),
    }
}

/// A scalar column: each value through the rewrite; strings stay strings, other types stay
/// as they are unless a value changes (then the column becomes a string column).
fn leaf(
    ctx: &mut Ctx<'_, '_>,
    field: &Field,
    array: &ArrayRef,
    path: &str,
    is_string: bool,
) -> Result<Option<(Field, ArrayRef)>, PseudoError> {
    let err = |e: arrow_schema::ArrowError| PseudoError::Malformed {
        path: path.to_string(),
        message: e.to_string(),
    };
    let opts = FormatOptions::default();
    let array_ref = &crate::source::parquet::strip_timezone(array);
    let fmt = ArrayFormatter::try_new(array_ref.as_ref(), &opts).map_err(err)?;
    let mut changed = false;
    let mut nulled = false;
    let mut out = StringBuilder::new();
    let mut buf = String::new();
    let col = ctx.rw.column(path);
    for i in 0..array.len() {
        if array.is_null(i) {
            out.append_null();
            continue;
        }
        buf.clear();
        let value: &str = if is_string {
            match array.data_type() {
                DataType::Utf8 => array.as_string::<i32>().value(i),
                DataType::LargeUtf8 => array.as_string::<i64>().value(i),
                _ => array.as_string_view().value(i),
            }
        } else {
            let _ = write!(buf, "{}", fmt.value(i));
            &buf
        };
        match ctx.rw.cell_in(&col, value, &mut ctx.scratch)? {
            Output::Same => out.append_value(value),
            Output::Value(v) => {
                changed = true;
                out.append_value(v);
            }
            Output::Null => {
                nulled = true;
                out.append_null();
            }
        }
    }
    if !changed && !nulled {
        return Ok(Some((field.clone(), array.clone())));
    }
    if !changed && nulled {
        // Only nulls were introduced: keep the type, null the cells.
        let mask: arrow_array::BooleanArray = (0..array.len())
            .map(|i| Some(!out_is_null(&out, i)))
            .collect();
        let kept = arrow_select_nullif(array, &mask).map_err(err)?;
        return Ok(Some((field.clone().with_nullable(true), kept)));
    }
    if !is_string {
        ctx.type_changes
            .insert(path.to_string(), format!("{} -> Utf8", array.data_type()));
    }
    Ok(Some((
        Field::new(field.name(), DataType::Utf8, true),
        Arc::new(out.finish()),
    )))
}

fn out_is_null(b: &StringBuilder, i: usize) -> bool {
    b.validity_slice()
        .is_some_and(|v| v[i / 8] & (1 << (i % 8)) == 0)
}

/// Sets to null the slots where `keep` is false, keeping the array's type.
fn arrow_select_nullif(
    array: &ArrayRef,
    keep: &arrow_array::BooleanArray,
) -> Result<ArrayRef, arrow_schema::ArrowError> {
    let data = array.to_data();
    let mut nulls: Vec<bool> = (0..array.len())
        .map(|i| array.is_valid(i) && keep.value(i))
        .collect();
    nulls.truncate(array.len());
    let buffer = arrow_array::BooleanArray::from(nulls).values().clone();
    let builder = data.into_builder().nulls(Some(buffer.into()));
    Ok(arrow_array::make_array(builder.build()?))
}

/// Rewrites a Parquet input; returns rows written and columns whose type changed.
pub fn rewrite(
    rw: &Rewrite<'_>,
    input: &Input,
    out: &mut (dyn std::io::Write + Send),
) -> Result<(u64, BTreeMap<String, String>), PseudoError> {
    let path = input.display();
    let malformed = |e: &dyn std::fmt::Display| PseudoError::Malformed {
        path: path.clone(),
        message: e.to_string(),
    };
    let file = std::fs::File::open(&input.path).map_err(|source| PseudoError::Io {
        path: path.clone(),
        source,
    })?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| malformed(&e))?;
    let meta = builder.metadata().clone();
    let codec = meta
        .row_groups()
        .first()
        .and_then(|rg| rg.columns().first())
        .map_or(parquet::basic::Compression::SNAPPY, |c| c.compression());
    let mut ctx = Ctx::new(rw);
    let mut writer: Option<ArrowWriter<&mut (dyn std::io::Write + Send)>> = None;
    let mut out_slot = Some(out);
    let mut out_schema: Option<Arc<Schema>> = None;
    let mut rows = 0u64;
    for rg in 0..meta.num_row_groups() {
        let file = std::fs::File::open(&input.path).map_err(|source| PseudoError::Io {
            path: path.clone(),
            source,
        })?;
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .map_err(|e| malformed(&e))?
            .with_row_groups(vec![rg])
            .with_batch_size(8192)
            .build()
            .map_err(|e| malformed(&e))?;
        for batch in reader {
            let batch = batch.map_err(|e| malformed(&e))?;
            let new = rewrite_batch(&mut ctx, &batch, &path)?;
            let schema = new.schema();
            if writer.is_none() {
                let props = WriterProperties::builder()
                    .set_compression(codec)
                    .set_max_row_group_row_count(None)
                    .build();
                let w = out_slot.take().expect("writer created once");
                writer = Some(
                    ArrowWriter::try_new(w, schema.clone(), Some(props))
                        .map_err(|e| malformed(&e))?,
                );
                out_schema = Some(schema);
            }
            let w = writer.as_mut().expect("writer exists");
            // A later batch whose strings became tokens where the first batch kept another
            // type would not fit the schema: cast to the writer's schema.
            let target = out_schema.clone().expect("set with the writer");
            let new = if new.schema() != target {
                cast_batch(&new, &target).map_err(|e| malformed(&e))?
            } else {
                new
            };
            w.write(&new).map_err(|e| malformed(&e))?;
            rows += new.num_rows() as u64;
        }
        if let Some(w) = writer.as_mut() {
            // Keep the input's row-group boundaries.
            w.flush().map_err(|e| malformed(&e))?;
        }
    }
    match writer {
        Some(w) => {
            w.close().map_err(|e| malformed(&e))?;
        }
        None => {
            // No rows: write the schema alone.
            let file = std::fs::File::open(&input.path).map_err(|source| PseudoError::Io {
                path: path.clone(),
                source,
            })?;
            let schema = ParquetRecordBatchReaderBuilder::try_new(file)
                .map_err(|e| malformed(&e))?
                .schema()
                .clone();
            let w = out_slot.take().expect("writer unused");
            ArrowWriter::try_new(w, schema, None)
                .map_err(|e| malformed(&e))?
                .close()
                .map_err(|e| malformed(&e))?;
        }
    }
    Ok((rows, ctx.type_changes))
}

fn cast_batch(
    batch: &RecordBatch,
    schema: &Arc<Schema>,
) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let columns = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .map(|(a, f)| arrow_cast::cast(a, f.data_type()))
        .collect::<Result<Vec<_>, _>>()?;
    RecordBatch::try_new(schema.clone(), columns)
}
