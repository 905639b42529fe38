//! Parquet (and Arrow) reader: every column, nested struct / list / map columns included
//! (paths `user.contact.email`, `devices[].ip`, `attrs[].key`), and every type: strings as
//! they are, binary as bytes, numbers, decimals, dates and timestamps through arrow's display
//! formatting (an account number stored as int64 or a birth date stored as date32 is scanned
//! like its text). Row groups decode in parallel (rayon); memory is bounded by the row groups
//! in flight.
//!
//! [`visit_batch`] is the one traversal of Arrow data: the scan takes cells through it, and
//! the pseudonymizer (and the Arrow API of [`crate::batch`]) writes new arrays back through
//! it, so both name the same cells under the same paths.

use super::{
    Batch, BatchBuilder, BatchReader, Input, Progress, RawRecords, ReadOptions, ReadStats,
    SourceError,
};
use arrow_array::cast::AsArray;
use arrow_array::{
    Array, ArrayRef, FixedSizeListArray, MapArray, RecordBatch, RecordBatchOptions, StructArray,
};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{ArrowError, DataType, Field, FieldRef, Fields, Schema};
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::file::reader::{ChunkReader, Length};
use rayon::prelude::*;
use std::collections::HashMap;
use std::fmt::Write;
use std::fs::File;
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// Marks an element whose parent is null or absent (not a cell).
pub const SKIP: u32 = u32::MAX;

/// A file shared by parallel row-group decoders: positioned reads (`pread`), so no decoder
/// moves another's offset and no one reopens the file by name (standard input spools to an
/// unlinked file); or an object in a store, read by ranges.
#[derive(Debug, Clone)]
pub enum SharedFile {
    /// A local file.
    Local(Arc<File>),
    /// An object in a store.
    Remote(Arc<super::remote::RangedObject>),
}

/// A reader at a position of a [`SharedFile`].
pub struct SharedRead {
    file: SharedFile,
    pos: u64,
}

impl std::io::Read for SharedRead {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = match &self.file {
            SharedFile::Local(f) => read_at(f, buf, self.pos)?,
            SharedFile::Remote(o) => {
                let b = o.range(self.pos, buf.len() as u64)?;
                buf[..b.len()].copy_from_slice(&b);
                b.len()
            }
        };
        self.pos += n as u64;
        Ok(n)
    }
}

/// A positioned read (`pread`): no file offset moves, so readers share one descriptor.
#[cfg(unix)]
pub(crate) fn read_at(f: &File, buf: &mut [u8], pos: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(f, buf, pos)
}

/// A positioned read (`pread`): no file offset moves, so readers share one descriptor.
#[cfg(windows)]
pub(crate) fn read_at(f: &File, buf: &mut [u8], pos: u64) -> std::io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(f, buf, pos)
}

impl Length for SharedFile {
    fn len(&self) -> u64 {
        match self {
            SharedFile::Local(f) => f.metadata().map_or(0, |m| m.len()),
            SharedFile::Remote(o) => o.len(),
        }
    }
}

impl ChunkReader for SharedFile {
    type T = std::io::BufReader<SharedRead>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        Ok(std::io::BufReader::with_capacity(
            1 << 16,
            SharedRead {
                file: self.clone(),
                pos: start,
            },
        ))
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<bytes::Bytes> {
        let f = match self {
            SharedFile::Local(f) => f,
            // One ranged GET per column chunk.
            SharedFile::Remote(o) => {
                let b = o.range(start, length as u64)?;
                if b.len() < length {
                    return Err(parquet::errors::ParquetError::EOF(format!(
                        "expected {length} bytes at offset {start}, the object ends after {}",
                        b.len()
                    )));
                }
                return Ok(b);
            }
        };
        let mut buf = vec![0u8; length];
        let mut done = 0;
        while done < length {
            let n = read_at(f, &mut buf[done..], start + done as u64)?;
            if n == 0 {
                return Err(parquet::errors::ParquetError::EOF(format!(
                    "expected {length} bytes at offset {start}, the file ends after {done}"
                )));
            }
            done += n;
        }
        Ok(buf.into())
    }
}

/// Appends the scanned column paths under `field` (`a.b`, `a[]`; booleans and nulls skipped).
pub fn leaf_paths(field: &Field, prefix: &str, out: &mut Vec<String>) {
    let path = child_path(prefix, field.name());
    walk_type(field.data_type(), &path, out);
}

fn child_path(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

fn walk_type(dt: &DataType, path: &str, out: &mut Vec<String>) {
    match dt {
        DataType::Struct(fields) => {
            for f in fields {
                leaf_paths(f, path, out);
            }
        }
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
            walk_type(f.data_type(), &format!("{path}[]"), out);
        }
        DataType::Map(f, _) => walk_type(f.data_type(), &format!("{path}[]"), out),
        DataType::Boolean | DataType::Null => {}
        _ => out.push(path.to_string()),
    }
}

/// The column paths of a schema, as `scan` names them.
pub fn column_paths(schema: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for f in schema.fields() {
        leaf_paths(f, "", &mut out);
    }
    out
}

/// What [`visit_batch`] does with a leaf array.
pub trait ArrayVisitor {
    /// A leaf array under `path`; element `i` is a cell of batch row `rows[i]` unless
    /// `rows[i]` is [`SKIP`]. `Some` replaces the array (same length).
    fn leaf(
        &mut self,
        path: &str,
        array: &ArrayRef,
        rows: &[u32],
    ) -> Result<Option<ArrayRef>, ArrowError>;
    /// Whether the field at `path` is removed.
    fn drop_field(&mut self, _path: &str) -> bool {
        false
    }
    /// The field a replaced leaf gets (by default its own, nullable if the array has nulls).
    fn leaf_field(&mut self, _path: &str, field: &Field, array: &ArrayRef) -> Field {
        field
            .clone()
            .with_data_type(array.data_type().clone())
            .with_nullable(field.is_nullable() || array.null_count() > 0)
    }
}

enum Visited {
    Same,
    Replaced(Field, ArrayRef),
    Dropped,
}

/// Walks every leaf of `rb` under its column path, depth-first in field order. Returns the
/// rebuilt batch when a visitor replaced or dropped anything.
pub fn visit_batch(
    rb: &RecordBatch,
    vis: &mut dyn ArrayVisitor,
) -> Result<Option<RecordBatch>, ArrowError> {
    let rows: Vec<u32> = (0..rb.num_rows() as u32).collect();
    let schema = rb.schema();
    let mut changed = false;
    let mut fields: Vec<FieldRef> = Vec::with_capacity(rb.num_columns());
    let mut columns = Vec::with_capacity(rb.num_columns());
    for (f, a) in schema.fields().iter().zip(rb.columns()) {
        match visit(a, f, f.name(), &rows, vis)? {
            Visited::Same => {
                fields.push(Arc::clone(f));
                columns.push(Arc::clone(a));
            }
            Visited::Replaced(nf, na) => {
                changed = true;
                fields.push(Arc::new(nf));
                columns.push(na);
            }
            Visited::Dropped => changed = true,
        }
    }
    if !changed {
        return Ok(None);
    }
    let schema = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
    let opts = RecordBatchOptions::new().with_row_count(Some(rb.num_rows()));
    RecordBatch::try_new_with_options(schema, columns, &opts).map(Some)
}

/// Row map of a list's child values from the parent's (`offsets` absolute into the values).
fn child_rows(array: &dyn Array, offsets: &[usize], rows: &[u32], n_values: usize) -> Vec<u32> {
    let mut child = vec![SKIP; n_values];
    for i in 0..array.len() {
        if array.is_null(i) || rows[i] == SKIP {
            continue;
        }
        for j in offsets[i]..offsets[i + 1] {
            if let Some(slot) = child.get_mut(j) {
                *slot = rows[i];
            }
        }
    }
    child
}

fn visit(
    array: &ArrayRef,
    field: &Field,
    path: &str,
    rows: &[u32],
    vis: &mut dyn ArrayVisitor,
) -> Result<Visited, ArrowError> {
    if vis.drop_field(path) {
        return Ok(Visited::Dropped);
    }
    let replaced =
        |dt: DataType, a: ArrayRef| Visited::Replaced(field.clone().with_data_type(dt), a);
    match array.data_type() {
        DataType::Struct(_) => {
            let s = array.as_struct();
            let child_rows: Vec<u32> = rows
                .iter()
                .enumerate()
                .map(|(i, &r)| if s.is_null(i) { SKIP } else { r })
                .collect();
            let mut changed = false;
            let mut fields: Vec<FieldRef> = Vec::new();
            let mut children = Vec::new();
            for (f, child) in s.fields().iter().zip(s.columns()) {
                match visit(child, f, &child_path(path, f.name()), &child_rows, vis)? {
                    Visited::Same => {
                        fields.push(Arc::clone(f));
                        children.push(Arc::clone(child));
                    }
                    Visited::Replaced(nf, na) => {
                        changed = true;
                        fields.push(Arc::new(nf));
                        children.push(na);
                    }
                    Visited::Dropped => changed = true,
                }
            }
            if !changed {
                return Ok(Visited::Same);
            }
            let fields = Fields::from(fields);
            let arr = if fields.is_empty() {
                StructArray::new_empty_fields(s.len(), s.nulls().cloned())
            } else {
                StructArray::try_new(fields.clone(), children, s.nulls().cloned())?
            };
            Ok(replaced(DataType::Struct(fields), Arc::new(arr)))
        }
        DataType::List(inner) => {
            let l = array.as_list::<i32>();
            visit_list(l, inner, field, path, rows, vis, DataType::List)
        }
        DataType::LargeList(inner) => {
            let l = array.as_list::<i64>();
            visit_list(l, inner, field, path, rows, vis, DataType::LargeList)
        }
        DataType::FixedSizeList(inner, n) => {
            let l = array.as_fixed_size_list();
            let n = *n;
            let size = n as usize;
            let offsets: Vec<usize> = (0..=array.len()).map(|i| i * size).collect();
            let values = l.values();
            let cr = child_rows(l, &offsets, rows, values.len());
            match visit(values, inner, &format!("{path}[]"), &cr, vis)? {
                Visited::Same => Ok(Visited::Same),
                Visited::Dropped => Ok(Visited::Dropped),
                Visited::Replaced(nf, na) => {
                    let nf = Arc::new(nf);
                    let arr =
                        FixedSizeListArray::try_new(Arc::clone(&nf), n, na, l.nulls().cloned())?;
                    Ok(replaced(DataType::FixedSizeList(nf, n), Arc::new(arr)))
                }
            }
        }
        DataType::Map(entries_field, sorted) => {
            let m = array.as_map();
            let offsets: Vec<usize> = m.value_offsets().iter().map(|&o| o as usize).collect();
            let entries: ArrayRef = Arc::new(m.entries().clone());
            let cr = child_rows(m, &offsets, rows, entries.len());
            // The entries are a struct of key and value: visited as `path[].key`, `path[].value`.
            match visit(&entries, entries_field, &format!("{path}[]"), &cr, vis)? {
                Visited::Same => Ok(Visited::Same),
                Visited::Dropped => Ok(Visited::Dropped),
                Visited::Replaced(nf, na) => {
                    let nf = Arc::new(nf);
                    let arr = MapArray::try_new(
                        Arc::clone(&nf),
                        m.offsets().clone(),
                        na.as_struct().clone(),
                        m.nulls().cloned(),
                        *sorted,
                    )?;
                    Ok(replaced(DataType::Map(nf, *sorted), Arc::new(arr)))
                }
            }
        }
        DataType::Boolean | DataType::Null => Ok(Visited::Same),
        _ => match vis.leaf(path, array, rows)? {
            None => Ok(Visited::Same),
            Some(na) => {
                if na.len() != array.len() {
                    return Err(ArrowError::ComputeError(format!(
                        "{path}: a rewritten column has {} values, not {}",
                        na.len(),
                        array.len()
                    )));
                }
                let nf = vis.leaf_field(path, field, &na);
                Ok(Visited::Replaced(nf, na))
            }
        },
    }
}

/// A list column (32- or 64-bit offsets): its values visited under `path[]`, the list rebuilt
/// with the new values (type `list_type` of the new element field) when they change.
fn visit_list<O: arrow_array::OffsetSizeTrait>(
    l: &arrow_array::GenericListArray<O>,
    inner: &FieldRef,
    field: &Field,
    path: &str,
    rows: &[u32],
    vis: &mut dyn ArrayVisitor,
    list_type: fn(FieldRef) -> DataType,
) -> Result<Visited, ArrowError> {
    let offsets: Vec<usize> = l.value_offsets().iter().map(|o| o.as_usize()).collect();
    let values = l.values();
    let cr = child_rows(l, &offsets, rows, values.len());
    Ok(
        match visit(values, inner, &format!("{path}[]"), &cr, vis)? {
            Visited::Same => Visited::Same,
            Visited::Dropped => Visited::Dropped,
            Visited::Replaced(nf, na) => {
                let nf = Arc::new(nf);
                let arr = arrow_array::GenericListArray::<O>::try_new(
                    Arc::clone(&nf),
                    l.offsets().clone(),
                    na,
                    l.nulls().cloned(),
                )?;
                Visited::Replaced(field.clone().with_data_type(list_type(nf)), Arc::new(arr))
            }
        },
    )
}

/// How a leaf's cells read as text.
pub enum CellText<'a> {
    /// String or binary arrays: the bytes as stored.
    Bytes(&'a ArrayRef),
    /// Any other type: arrow's display formatting (timestamps shown without their zone).
    Formatted(ArrayRef, FormatOptions<'static>),
}

impl<'a> CellText<'a> {
    /// The text view of `array`.
    pub fn new(array: &'a ArrayRef) -> Self {
        match array.data_type() {
            DataType::Utf8
            | DataType::LargeUtf8
            | DataType::Utf8View
            | DataType::Binary
            | DataType::LargeBinary
            | DataType::BinaryView
            | DataType::FixedSizeBinary(_) => CellText::Bytes(array),
            _ => CellText::Formatted(strip_timezone(array), FormatOptions::default()),
        }
    }

    /// Calls `f(i, bytes)` for every cell: elements whose row is not [`SKIP`], not null and
    /// whose text is not empty, in index order.
    pub fn for_each_cell(
        &self,
        rows: &[u32],
        mut f: impl FnMut(usize, &[u8]),
    ) -> Result<(), ArrowError> {
        match self {
            CellText::Bytes(a) => {
                let is_cell = |i: usize| rows[i] != SKIP && !a.is_null(i);
                match a.data_type() {
                    DataType::Utf8 => {
                        let s = a.as_string::<i32>();
                        (0..a.len())
                            .filter(|&i| is_cell(i))
                            .for_each(|i| emit(&mut f, i, s.value(i).as_bytes()));
                    }
                    DataType::LargeUtf8 => {
                        let s = a.as_string::<i64>();
                        (0..a.len())
                            .filter(|&i| is_cell(i))
                            .for_each(|i| emit(&mut f, i, s.value(i).as_bytes()));
                    }
                    DataType::Utf8View => {
                        let s = a.as_string_view();
                        (0..a.len())
                            .filter(|&i| is_cell(i))
                            .for_each(|i| emit(&mut f, i, s.value(i).as_bytes()));
                    }
                    DataType::Binary => {
                        let s = a.as_binary::<i32>();
                        (0..a.len())
                            .filter(|&i| is_cell(i))
                            .for_each(|i| emit(&mut f, i, s.value(i)));
                    }
                    DataType::LargeBinary => {
                        let s = a.as_binary::<i64>();
                        (0..a.len())
                            .filter(|&i| is_cell(i))
                            .for_each(|i| emit(&mut f, i, s.value(i)));
                    }
                    DataType::BinaryView => {
                        let s = a.as_binary_view();
                        (0..a.len())
                            .filter(|&i| is_cell(i))
                            .for_each(|i| emit(&mut f, i, s.value(i)));
                    }
                    _ => {
                        let s = a.as_fixed_size_binary();
                        (0..a.len())
                            .filter(|&i| is_cell(i))
                            .for_each(|i| emit(&mut f, i, s.value(i)));
                    }
                }
            }
            CellText::Formatted(a, opts) => {
                let fmt = ArrayFormatter::try_new(a.as_ref(), opts)?;
                let mut buf = String::new();
                for (i, &row) in rows.iter().enumerate().take(a.len()) {
                    if row == SKIP || a.is_null(i) {
                        continue;
                    }
                    buf.clear();
                    let _ = write!(buf, "{}", fmt.value(i));
                    emit(&mut f, i, buf.as_bytes());
                }
            }
        }
        Ok(())
    }
}

fn emit(f: &mut impl FnMut(usize, &[u8]), i: usize, v: &[u8]) {
    if !v.is_empty() {
        f(i, v);
    }
}

/// Pushes the cells of a record batch into a batch builder under the column ids of `ids`.
struct Collect<'a> {
    ids: &'a HashMap<String, u32>,
    builder: &'a mut BatchBuilder,
}

impl ArrayVisitor for Collect<'_> {
    fn leaf(
        &mut self,
        path: &str,
        array: &ArrayRef,
        rows: &[u32],
    ) -> Result<Option<ArrayRef>, ArrowError> {
        let Some(&col) = self.ids.get(path) else {
            return Ok(None);
        };
        let builder = &mut *self.builder;
        CellText::new(array).for_each_cell(rows, |i, v| builder.push_at(col, rows[i], v))?;
        Ok(None)
    }
}

/// The cells of a record batch (numbered from `first_row`) under the columns `ids` names.
pub fn cells_of(
    rb: &RecordBatch,
    first_row: u64,
    ids: &HashMap<String, u32>,
) -> Result<Batch, ArrowError> {
    let mut builder = BatchBuilder::new(first_row);
    visit_batch(
        rb,
        &mut Collect {
            ids,
            builder: &mut builder,
        },
    )?;
    builder.set_rows(rb.num_rows());
    Ok(builder.take())
}

/// A long-format table (`user_id, meta_key, meta_value`, as pandas writes a WordPress or CRM
/// export): top-level key and value columns paired by name ([`super::eav::pair`]). The key
/// column is read first, alone (the rows a sampled read takes), so that every key's virtual
/// column (`meta_value.first_name`) has its id before any row group is decoded in parallel,
/// the same in both passes: in the order keys first appear, at most
/// [`super::eav::MAX_KEYS`], each appended to `columns`.
fn long_format(
    file: &SharedFile,
    meta: &ArrowReaderMetadata,
    columns: &mut Vec<String>,
    max_rows: Option<u64>,
) -> Result<Option<super::eav::Split>, String> {
    let fields = meta.schema().fields();
    let flat = |i: usize| {
        matches!(
            fields[i].data_type(),
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
        )
    };
    let Some((k, v)) = super::eav::pair(fields.iter().map(|f| f.name().as_str())) else {
        return Ok(None);
    };
    if !flat(k) || !flat(v) {
        return Ok(None);
    }
    let (key_name, value_name) = (fields[k].name(), fields[v].name());
    let descr = meta.metadata().file_metadata().schema_descr();
    let Some(leaf) =
        (0..descr.num_columns()).find(|&i| descr.column(i).path().string() == *key_name)
    else {
        return Ok(None);
    };
    let (Some(key), Some(value)) = (
        columns.iter().position(|c| c == key_name),
        columns.iter().position(|c| c == value_name),
    ) else {
        return Ok(None);
    };
    let mask = parquet::arrow::ProjectionMask::leaves(descr, [leaf]);
    let mut reader = ParquetRecordBatchReaderBuilder::new_with_metadata(file.clone(), meta.clone())
        .with_projection(mask)
        .with_batch_size(super::BATCH_ROWS);
    if let Some(m) = max_rows {
        reader = reader.with_limit(m as usize);
    }
    let reader = reader.build().map_err(|e| e.to_string())?;
    // Distinct keys in the order they first appear (a million distinct keys is not long
    // format: learning stops after 100,000).
    let mut keys: Vec<Vec<u8>> = Vec::new();
    let mut seen: std::collections::HashSet<Vec<u8>> = std::collections::HashSet::new();
    for rb in reader {
        let rb = rb.map_err(|e| e.to_string())?;
        let all: Vec<u32> = vec![0; rb.num_rows()];
        CellText::new(rb.column(0))
            .for_each_cell(&all, |_, bytes| {
                if seen.len() <= 100_000 && seen.insert(bytes.to_vec()) {
                    keys.push(bytes.to_vec());
                }
            })
            .map_err(|e| e.to_string())?;
    }
    let rows = meta.metadata().file_metadata().num_rows().max(0) as u64;
    let rows = max_rows.map_or(rows, |m| rows.min(m));
    Ok(super::eav::Split::learn(
        key as u32,
        value as u32,
        keys.iter().map(Vec::as_slice),
        rows,
        columns,
    ))
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
            TimeUnit::Second => Arc::new(
                array
                    .as_primitive::<TimestampSecondType>()
                    .clone()
                    .with_timezone_opt(none),
            ),
            TimeUnit::Millisecond => Arc::new(
                array
                    .as_primitive::<TimestampMillisecondType>()
                    .clone()
                    .with_timezone_opt(none),
            ),
            TimeUnit::Microsecond => Arc::new(
                array
                    .as_primitive::<TimestampMicrosecondType>()
                    .clone()
                    .with_timezone_opt(none),
            ),
            TimeUnit::Nanosecond => Arc::new(
                array
                    .as_primitive::<TimestampNanosecondType>()
                    .clone()
                    .with_timezone_opt(none),
            ),
        },
        _ => array.clone(),
    }
}

/// Parquet reader yielding batches row group by row group.
pub struct ParquetReader {
    path: String,
    file: SharedFile,
    meta: ArrowReaderMetadata,
    columns: Vec<String>,
    ids: HashMap<String, u32>,
    row_offsets: Vec<u64>,
    next_group: usize,
    /// A row group larger than a call's worth of batches, being read batch by batch (in a
    /// mutex only so that the reader stays `Sync` for the parallel decode of small groups).
    open_group: std::sync::Mutex<Option<OpenGroup>>,
    max_rows: Option<u64>,
    keep_raw: bool,
    counter: Progress,
    /// Rows handed out so far (checked against the footer at the end).
    delivered: u64,
    /// A long-format table's value column split by key ([`super::eav`]).
    long: Option<super::eav::Split>,
}

/// A row group read in pieces: its decoder, the next row's number and how many rows may
/// still be read.
struct OpenGroup {
    rg: usize,
    reader: parquet::arrow::arrow_reader::ParquetRecordBatchReader,
    first: u64,
    limit: u64,
}

impl ParquetReader {
    /// Opens the file (standard input: spooled to an unlinked temporary file) and reads its
    /// footer.
    pub fn new(input: &Input, opts: &ReadOptions, counter: Progress) -> Result<Self, SourceError> {
        let path = input.display();
        let io_err = |source| SourceError::Io {
            path: path.clone(),
            source,
        };
        let file = match &input.handle {
            Some(f) => SharedFile::Local(Arc::clone(f)),
            None if input.is_stdin() => {
                let mut f = tempfile::tempfile().map_err(io_err)?;
                std::io::copy(&mut std::io::stdin().lock(), &mut f).map_err(io_err)?;
                SharedFile::Local(Arc::new(f))
            }
            None if input.is_remote() => SharedFile::Remote(Arc::new(
                super::remote::RangedObject::open(&input.path.to_string_lossy()).map_err(io_err)?,
            )),
            None => SharedFile::Local(Arc::new(File::open(&input.path).map_err(io_err)?)),
        };
        let footer_err = |message: String| SourceError::Malformed {
            path: path.clone(),
            location: "footer".into(),
            message,
        };
        let meta = super::contain(|| ArrowReaderMetadata::load(&file, ArrowReaderOptions::new()))
            .map_err(|p| footer_err(format!("the Parquet decoder failed: {p}")))?
            .map_err(|e| footer_err(e.to_string()))?;
        let mut columns = column_paths(meta.schema());
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
        let long = long_format(&file, &meta, &mut columns, opts.max_rows)
            .map_err(|e| footer_err(format!("long format: {e}")))?;
        Ok(ParquetReader {
            path,
            file,
            meta,
            columns,
            ids,
            row_offsets,
            next_group: 0,
            open_group: std::sync::Mutex::new(None),
            max_rows: opts.max_rows,
            keep_raw: opts.keep_raw,
            counter,
            delivered: 0,
            long,
        })
    }

    /// The file's metadata and Arrow schema.
    pub fn metadata(&self) -> &ArrowReaderMetadata {
        &self.meta
    }

    /// Every string of the footer that is not a cell: key-value metadata (but the
    /// `ARROW:schema` encoding, whose strings follow) and the Arrow schema's metadata and
    /// field metadata at every depth, as `(where, text)`. Exporters put queries, user
    /// names and comments there; `check` judges them like free text.
    pub fn footer_texts(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for e in self
            .meta
            .metadata()
            .file_metadata()
            .key_value_metadata()
            .into_iter()
            .flatten()
        {
            if e.key == "ARROW:schema" {
                continue;
            }
            out.push(("key-value metadata".to_string(), e.key.clone()));
            if let Some(v) = &e.value {
                out.push((format!("key-value metadata {}", e.key), v.clone()));
            }
        }
        let schema = self.meta.schema();
        for (k, v) in schema.metadata() {
            out.push(("schema metadata".to_string(), k.clone()));
            out.push((format!("schema metadata {k}"), v.clone()));
        }
        fn fields(f: &arrow_schema::Field, path: &str, out: &mut Vec<(String, String)>) {
            for (k, v) in f.metadata() {
                out.push((format!("field metadata of {path}"), k.clone()));
                out.push((format!("field metadata of {path}"), v.clone()));
            }
            let children: Vec<&arrow_schema::FieldRef> = match f.data_type() {
                DataType::Struct(c) => c.iter().collect(),
                DataType::List(c)
                | DataType::LargeList(c)
                | DataType::FixedSizeList(c, _)
                | DataType::Map(c, _) => vec![c],
                _ => Vec::new(),
            };
            for c in children {
                fields(c, &format!("{path}.{}", c.name()), out);
            }
        }
        for f in schema.fields() {
            fields(f, f.name(), &mut out);
        }
        out
    }

    /// Byte ranges of the file that nothing in its footer accounts for and that are not all
    /// zero: not the magic, a column chunk, a page index, a bloom filter or the footer.
    /// Readers never look there, so data hidden there passes every scan; writers leave no
    /// such bytes (at most zero padding). `check` refuses a file with any.
    pub fn unexplained_bytes(&self) -> Result<Vec<(u64, u64)>, SourceError> {
        let io_err = |source| SourceError::Io {
            path: self.path.clone(),
            source,
        };
        let len = self.file.len();
        let tail =
            self.file
                .get_bytes(len.saturating_sub(8), 8)
                .map_err(|e| SourceError::Malformed {
                    path: self.path.clone(),
                    location: "footer".into(),
                    message: e.to_string(),
                })?;
        let footer_len = u64::from(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]));
        let mut covered: Vec<(u64, u64)> = vec![(len.saturating_sub(8 + footer_len), len)];
        let head = self.file.get_bytes(0, 4.min(len as usize)).ok();
        if head.as_deref() == Some(b"PAR1") {
            covered.push((0, 4));
        }
        let meta = self.meta.metadata();
        let mut open_ended = Vec::new();
        for rg in meta.row_groups() {
            for c in rg.columns() {
                let data = c.data_page_offset().max(0) as u64;
                let start = match c.dictionary_page_offset() {
                    Some(d) if d > 0 && (d as u64) < data => d as u64,
                    _ => data,
                };
                covered.push((start, start + c.compressed_size().max(0) as u64));
                for (off, l) in [
                    (c.column_index_offset(), c.column_index_length()),
                    (c.offset_index_offset(), c.offset_index_length()),
                ] {
                    if let (Some(o), Some(l)) = (off, l) {
                        covered.push((o.max(0) as u64, o.max(0) as u64 + l.max(0) as u64));
                    }
                }
                match (c.bloom_filter_offset(), c.bloom_filter_length()) {
                    (Some(o), Some(l)) => {
                        covered.push((o.max(0) as u64, o.max(0) as u64 + l.max(0) as u64))
                    }
                    // Old writers give no length: the filter runs to the next known range.
                    (Some(o), None) => open_ended.push(o.max(0) as u64),
                    _ => {}
                }
            }
        }
        covered.sort_unstable();
        for o in open_ended {
            let end = covered
                .iter()
                .map(|r| r.0)
                .filter(|&s| s > o)
                .min()
                .unwrap_or(len);
            covered.push((o, end));
        }
        covered.sort_unstable();
        let mut gaps = Vec::new();
        let mut at = 0u64;
        for (s, e) in covered {
            if s > at {
                gaps.push((at, s.min(len)));
            }
            at = at.max(e);
        }
        let mut out = Vec::new();
        for (s, e) in gaps.into_iter().filter(|(s, e)| e > s) {
            let mut nonzero = false;
            let mut pos = s;
            while pos < e && !nonzero {
                let n = (e - pos).min(1 << 20);
                let b = self
                    .file
                    .get_bytes(pos, n as usize)
                    .map_err(|e| io_err(std::io::Error::other(e.to_string())))?;
                nonzero = b.iter().any(|&x| x != 0);
                pos += n;
            }
            if nonzero {
                out.push((s, e));
            }
        }
        Ok(out)
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

    fn malformed(&self, rg: usize, e: &dyn std::fmt::Display) -> SourceError {
        SourceError::Malformed {
            path: self.path.clone(),
            location: format!("row group {rg}"),
            message: format!("corrupt or cut short: {e}"),
        }
    }

    /// A decoder for row group `rg`, with the first row's number and how many rows may be
    /// read (`None`: none, the row limit is reached).
    fn open(&self, rg: usize) -> Result<Option<OpenGroup>, SourceError> {
        let first = self.row_offsets[rg];
        let mut limit = u64::MAX;
        if let Some(m) = self.max_rows {
            if first >= m {
                return Ok(None);
            }
            limit = m - first;
        }
        let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(
            self.file.clone(),
            self.meta.clone(),
        )
        .with_row_groups(vec![rg])
        .with_batch_size(super::BATCH_ROWS)
        .build()
        .map_err(|e| self.malformed(rg, &e))?;
        Ok(Some(OpenGroup {
            rg,
            reader,
            first,
            limit,
        }))
    }

    /// Up to `n` batches of an open group; `true` once the group is done (the last batch
    /// then carries `end_of_group`).
    fn pull(&self, g: &mut OpenGroup, n: usize, out: &mut Vec<Batch>) -> Result<bool, SourceError> {
        let rg = g.rg;
        let mut pulled = 0;
        let done = loop {
            if g.limit == 0 {
                break true;
            }
            if pulled == n {
                break false;
            }
            let Some(rb) = g.reader.next() else {
                break true;
            };
            let rb: RecordBatch = rb.map_err(|e| self.malformed(rg, &e))?;
            let rows = (rb.num_rows() as u64).min(g.limit) as usize;
            let rb = rb.slice(0, rows);
            let mut batch =
                cells_of(&rb, g.first, &self.ids).map_err(|e| self.malformed(rg, &e))?;
            if let Some(split) = &self.long {
                split.apply(&mut batch);
            }
            if self.keep_raw {
                batch.raw = Some(RawRecords::Arrow(rb));
            }
            out.push(batch);
            pulled += 1;
            g.first += rows as u64;
            g.limit -= rows as u64;
            // The group's last row was read: say so now, on this batch. Waiting for the
            // decoder's end would leave a call with no batch, which reads as the end of input.
            if g.first >= self.group_end(rg) {
                break true;
            }
        };
        if done {
            if let Some(last) = out.last_mut() {
                last.end_of_group = Some(rg);
            }
            let size = self.meta.metadata().row_group(rg).compressed_size().max(0) as u64;
            self.counter.fetch_add(size, Ordering::Relaxed);
        }
        Ok(done)
    }

    /// The number of the row after row group `rg`.
    fn group_end(&self, rg: usize) -> u64 {
        self.row_offsets[rg] + self.meta.metadata().row_group(rg).num_rows().max(0) as u64
    }

    fn decode_group_inner(&self, rg: usize) -> Result<Vec<Batch>, SourceError> {
        let mut out = Vec::new();
        if let Some(mut g) = self.open(rg)? {
            self.pull(&mut g, usize::MAX, &mut out)?;
        }
        Ok(out)
    }

    /// Up to `n` batches of the open group (opening the next one), contained like
    /// [`Self::decode_group`].
    fn next_piece(&mut self, n: usize) -> Result<Vec<Batch>, SourceError> {
        let open = self
            .open_group
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        let mut g = match open {
            Some(g) => g,
            None => {
                let rg = self.next_group;
                self.next_group += 1;
                match super::contain(|| self.open(rg)).unwrap_or_else(|p| {
                    Err(self.malformed(rg, &format!("the Parquet decoder failed: {p}")))
                })? {
                    Some(g) => g,
                    None => return Ok(Vec::new()),
                }
            }
        };
        let rg = g.rg;
        let mut out = Vec::new();
        let done = super::contain(|| self.pull(&mut g, n, &mut out)).unwrap_or_else(|p| {
            Err(self.malformed(rg, &format!("the Parquet decoder failed: {p}")))
        })?;
        if !done {
            *self
                .open_group
                .get_mut()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(g);
        }
        Ok(out)
    }
}

impl BatchReader for ParquetReader {
    fn next_batches(&mut self, n: usize) -> Result<Vec<Batch>, SourceError> {
        // An empty answer means the end of the file: groups without rows (or past
        // `--sample-rows`) are passed over until one gives a batch or none is left.
        loop {
            let out = self.next_batches_once(n)?;
            self.delivered += out.iter().map(|b| b.rows as u64).sum::<u64>();
            let open = self
                .open_group
                .get_mut()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .is_some();
            if !out.is_empty() {
                return Ok(out);
            }
            if !open && self.next_group >= self.row_offsets.len() {
                // Fail closed: every row the footer promises (up to `--sample-rows`) was read.
                // A file with no row group (an empty table's) promises none.
                let total = match self.row_offsets.len() {
                    0 => 0,
                    n => self.group_end(n - 1),
                };
                let expected = self.max_rows.map_or(total, |m| m.min(total));
                if !self.row_offsets.is_empty() && self.delivered != expected {
                    return Err(SourceError::Malformed {
                        path: self.path.clone(),
                        location: "row groups".into(),
                        message: format!(
                            "read {} rows where the footer promises {expected}",
                            self.delivered
                        ),
                    });
                }
                return Ok(out);
            }
        }
    }

    fn columns(&self) -> &[String] {
        &self.columns
    }

    fn stats(&self) -> ReadStats {
        ReadStats::default()
    }

    fn as_parquet(&self) -> Option<&ParquetReader> {
        Some(self)
    }

    fn long_format(&self) -> Option<&super::eav::Split> {
        self.long.as_ref()
    }
}

impl ParquetReader {
    /// One step of [`BatchReader::next_batches`]: the open group's next batches, or the next
    /// whole groups; may be empty before the end.
    fn next_batches_once(&mut self, n: usize) -> Result<Vec<Batch>, SourceError> {
        // `n` counts batches. Row groups of at most n batches are decoded whole, several in
        // parallel; a larger one (pyarrow writes up to a million rows a group) is read n
        // batches at a time, so memory stays near n batches whatever the group size.
        let total = self.row_offsets.len();
        let budget = n.max(1) * super::BATCH_ROWS;
        let group_rows = |rg: usize| self.meta.metadata().row_group(rg).num_rows().max(0) as usize;
        let open = self
            .open_group
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_some();
        if open || (self.next_group < total && group_rows(self.next_group) > budget) {
            return self.next_piece(n.max(1));
        }
        // Whole groups while they fit the budget together (at least one).
        let mut end = self.next_group;
        let mut rows = 0;
        while end < total && (end == self.next_group || rows + group_rows(end) <= budget) {
            rows += group_rows(end);
            end += 1;
        }
        let groups: Vec<usize> = (self.next_group..end).collect();
        self.next_group = end;
        let decoded: Vec<Result<Vec<Batch>, SourceError>> =
            groups.par_iter().map(|&rg| self.decode_group(rg)).collect();
        let mut out = Vec::new();
        for (rg, d) in groups.iter().zip(decoded) {
            let mut d = d?;
            if let Some(last) = d.last_mut() {
                last.end_of_group = Some(*rg);
            }
            out.extend(d);
        }
        Ok(out)
    }
}
