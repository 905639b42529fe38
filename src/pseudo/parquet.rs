//! Parquet (Arrow) writer of pass 2: each record batch's edits are applied through the same
//! traversal the reader took cells with ([`visit_batch`]), so nested structs, lists, large and
//! fixed-size lists, maps (keys and values) and binary columns are rewritten like flat
//! strings. The output schema is decided before the first batch from the plan
//! ([`output_schema`]), so every batch fits it whatever it holds; row-group boundaries (but for
//! groups over 32 MiB in the writer's memory, which are split) and the codec are kept; names and
//! metadata are judged like free text ([`super::schema_text`]).

use super::footer::Tail;
use super::{BatchWriter, ColumnAction, Edit, Edits, FilePlan, PseudoError, Rewrite};
use crate::source::parquet::{ArrayVisitor, CellText, visit_batch};
use crate::source::{Batch, BatchReader, RawRecords};
use crate::transform::{Operator, Policy};
use arrow_array::builder::{BinaryBuilder, StringBuilder};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, DataType, Field, FieldRef, Fields, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_writer::ArrowWriterOptions;
use parquet::file::properties::WriterProperties;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// The type a leaf column gets in the output, given its action.
fn leaf_type(dt: &DataType, action: &ColumnAction, findings: bool) -> (DataType, bool) {
    let stringy = matches!(
        dt,
        DataType::Utf8
            | DataType::LargeUtf8
            | DataType::Utf8View
            | DataType::Binary
            | DataType::LargeBinary
            | DataType::BinaryView
    ) || matches!(dt, DataType::Dictionary(_, v) if matches!(**v, DataType::Utf8 | DataType::LargeUtf8));
    let temporal = matches!(
        dt,
        DataType::Date32 | DataType::Date64 | DataType::Timestamp(..)
    );
    let as_text = |keep: bool| {
        if keep || stringy {
            dt.clone()
        } else if matches!(dt, DataType::FixedSizeBinary(_)) {
            DataType::Binary
        } else {
            DataType::Utf8
        }
    };
    match action {
        ColumnAction::Drop | ColumnAction::Verbatim => (dt.clone(), false),
        ColumnAction::Whole { op, .. } => match op {
            Operator::Keep | Operator::Drop => (dt.clone(), false),
            Operator::Redact => (dt.clone(), true),
            // A date stays a date: generalized to the first of its year, or shifted.
            Operator::Generalize { .. } | Operator::DateShift { .. } => (as_text(temporal), true),
            _ => (as_text(false), false),
        },
        ColumnAction::Spans { .. } => (as_text(!findings), false),
    }
}

/// Maps column paths to plan columns.
fn ids_of(plan: &FilePlan) -> HashMap<&str, usize> {
    plan.columns
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect()
}

fn dropped_path(plan: &FilePlan, policy: &Policy, ids: &HashMap<&str, usize>, path: &str) -> bool {
    ids.get(path)
        .is_some_and(|&i| plan.actions[i] == ColumnAction::Drop)
        || policy.columns.get(path) == Some(&Operator::Drop)
}

fn out_field(
    field: &Field,
    path: &str,
    plan: &FilePlan,
    policy: &Policy,
    ids: &HashMap<&str, usize>,
) -> Option<Field> {
    if dropped_path(plan, policy, ids, path) {
        return None;
    }
    let with = |dt: DataType| Some(field.clone().with_data_type(dt));
    match field.data_type() {
        DataType::Struct(children) => {
            let fields: Vec<FieldRef> = children
                .iter()
                .filter_map(|f| {
                    out_field(f, &child(path, f.name()), plan, policy, ids).map(Arc::new)
                })
                .collect();
            with(DataType::Struct(Fields::from(fields)))
        }
        DataType::List(inner) => {
            let nf = out_field(inner, &format!("{path}[]"), plan, policy, ids)?;
            with(DataType::List(Arc::new(nf)))
        }
        DataType::LargeList(inner) => {
            let nf = out_field(inner, &format!("{path}[]"), plan, policy, ids)?;
            with(DataType::LargeList(Arc::new(nf)))
        }
        DataType::FixedSizeList(inner, n) => {
            let nf = out_field(inner, &format!("{path}[]"), plan, policy, ids)?;
            with(DataType::FixedSizeList(Arc::new(nf), *n))
        }
        DataType::Map(entries, sorted) => {
            let nf = out_field(entries, &format!("{path}[]"), plan, policy, ids)?;
            with(DataType::Map(Arc::new(nf), *sorted))
        }
        DataType::Boolean | DataType::Null => Some(field.clone()),
        dt => {
            let Some(&i) = ids.get(path) else {
                return Some(field.clone());
            };
            let action = &plan.actions[i];
            let (t, nullable) = leaf_type(dt, action, plan.findings[i]);
            let untouched = matches!(action, ColumnAction::Verbatim)
                || (matches!(action, ColumnAction::Spans { .. }) && !plan.findings[i]);
            let mut f = field
                .clone()
                .with_data_type(t)
                .with_nullable(field.is_nullable() || nullable);
            if !untouched {
                // Field metadata may describe or sample the values (a comment, an example):
                // a rewritten column does not carry it over.
                f = f.with_metadata(std::collections::HashMap::<String, String>::new());
            }
            Some(f)
        }
    }
}

fn child(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

/// The schema a rewrite of `input` under `plan` writes: dropped fields removed, tokenized
/// non-string columns as strings, dates generalized or shifted as dates, every other field
/// (type, nullability, metadata) as it was. Known before any batch is seen.
pub fn output_schema(input: &Schema, plan: &FilePlan, policy: &Policy) -> Schema {
    let ids = ids_of(plan);
    Schema::new_with_metadata(
        input
            .fields()
            .iter()
            .filter_map(|f| out_field(f, f.name(), plan, policy, &ids))
            .collect::<Vec<_>>(),
        input.metadata().clone(),
    )
}

/// Planned leaf fields by path, from an output schema computed by [`output_schema`].
fn planned_leaves(input: &Schema, plan: &FilePlan, policy: &Policy) -> HashMap<String, Field> {
    let ids = ids_of(plan);
    let mut out = HashMap::new();
    fn walk(
        f: &Field,
        path: &str,
        plan: &FilePlan,
        policy: &Policy,
        ids: &HashMap<&str, usize>,
        out: &mut HashMap<String, Field>,
    ) {
        match f.data_type() {
            DataType::Struct(children) => {
                for c in children {
                    walk(c, &child(path, c.name()), plan, policy, ids, out);
                }
            }
            DataType::List(inner)
            | DataType::LargeList(inner)
            | DataType::FixedSizeList(inner, _)
            | DataType::Map(inner, _) => walk(inner, &format!("{path}[]"), plan, policy, ids, out),
            DataType::Boolean | DataType::Null => {}
            _ => {
                if let Some(nf) = out_field(f, path, plan, policy, ids) {
                    out.insert(path.to_string(), nf);
                }
            }
        }
    }
    for f in input.fields() {
        walk(f, f.name(), plan, policy, &ids, &mut out);
    }
    out
}

/// Applies a batch's edits to its record batch, giving every leaf its planned type.
pub(crate) struct ApplyArrow<'e> {
    ids: HashMap<&'e str, usize>,
    plan: &'e FilePlan,
    policy: &'e Policy,
    planned: &'e HashMap<String, Field>,
    /// Per column id: position in the batch and next cell.
    cursor: HashMap<u32, (usize, usize)>,
    edits: &'e Edits,
    /// A long-format value column's edits, gathered from it and its virtual columns by row
    /// (an edit of `meta_value.first_name` lands in `meta_value`).
    long: Option<(u32, HashMap<u32, &'e Edit>)>,
}

impl<'e> ApplyArrow<'e> {
    pub(crate) fn new(
        plan: &'e FilePlan,
        policy: &'e Policy,
        planned: &'e HashMap<String, Field>,
        batch: &Batch,
        edits: &'e Edits,
        split: Option<&crate::source::eav::Split>,
    ) -> Self {
        static NULL: Edit = Edit::Null;
        let long = split.map(|sp| {
            let mut by_row: HashMap<u32, &'e Edit> = HashMap::new();
            for (cells, col_edits) in batch.columns.iter().zip(&edits.columns) {
                if cells.col != sp.value && !sp.is_virtual(cells.col) {
                    continue;
                }
                // A virtual column the policy drops cannot leave its field for some rows
                // only: its values are blanked.
                let dropped = sp.is_virtual(cells.col)
                    && matches!(
                        plan.actions.get(cells.col as usize),
                        Some(ColumnAction::Drop)
                    );
                for (i, &(r, _, _)) in cells.cells.iter().enumerate() {
                    if dropped {
                        by_row.insert(r, &NULL);
                    } else if let Some(Some(e)) = col_edits.get(i) {
                        by_row.insert(r, e);
                    }
                }
            }
            (sp.value, by_row)
        });
        ApplyArrow {
            ids: ids_of(plan),
            plan,
            policy,
            planned,
            cursor: batch
                .columns
                .iter()
                .enumerate()
                .map(|(pos, c)| (c.col, (pos, 0)))
                .collect(),
            edits,
            long,
        }
    }
}

impl ArrayVisitor for ApplyArrow<'_> {
    fn leaf(
        &mut self,
        path: &str,
        array: &ArrayRef,
        rows: &[u32],
    ) -> Result<Option<ArrayRef>, ArrowError> {
        let Some(&id) = self.ids.get(path) else {
            return Err(ArrowError::ComputeError(format!(
                "pass 2 found a column pass 1 did not ({path})"
            )));
        };
        let planned = self
            .planned
            .get(path)
            .map_or(array.data_type(), |f| f.data_type());
        // The edits of this leaf's cells, by element index.
        let mut edits: Vec<(usize, &Edit)> = Vec::new();
        if let Some((value, by_row)) = &self.long
            && *value == id as u32
        {
            // A top-level column: element i is row rows[i].
            for (i, r) in rows.iter().enumerate() {
                if let Some(e) = by_row.get(r) {
                    edits.push((i, e));
                }
            }
        } else if let Some((pos, next)) = self.cursor.get_mut(&(id as u32)) {
            let col_edits = self.edits.columns.get(*pos).filter(|e| !e.is_empty());
            let mut k = *next;
            CellText::new(array).for_each_cell(rows, |i, _| {
                if let Some(Some(e)) = col_edits.and_then(|c| c.get(k)) {
                    edits.push((i, e));
                }
                k += 1;
            })?;
            *next = k;
        }
        if edits.is_empty() && planned == array.data_type() {
            return Ok(None);
        }
        rebuild(array, &edits, planned).map(Some)
    }

    fn drop_field(&mut self, path: &str) -> bool {
        dropped_path(self.plan, self.policy, &self.ids, path)
    }

    fn leaf_field(&mut self, path: &str, field: &Field, array: &ArrayRef) -> Field {
        self.planned.get(path).cloned().unwrap_or_else(|| {
            field
                .clone()
                .with_data_type(array.data_type().clone())
                .with_nullable(true)
        })
    }
}

/// A new array of type `to`: every element's text (or bytes) with the edits applied.
fn rebuild(
    array: &ArrayRef,
    edits: &[(usize, &Edit)],
    to: &DataType,
) -> Result<ArrayRef, ArrowError> {
    let text = CellText::new(array);
    let mut values: Vec<Option<Vec<u8>>> = (0..array.len()).map(|_| None).collect();
    let all: Vec<u32> = vec![0; array.len()];
    text.for_each_cell(&all, |i, v| values[i] = Some(v.to_vec()))?;
    // Non-null empty strings are not cells: keep them empty, not null.
    for (i, v) in values.iter_mut().enumerate() {
        if v.is_none() && array.is_valid(i) {
            *v = Some(Vec::new());
        }
    }
    for &(i, e) in edits {
        values[i] = match e {
            Edit::Bytes(b) => Some(b.clone()),
            Edit::Null => None,
        };
    }
    let binary = matches!(
        to,
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView
    );
    let built: ArrayRef = if binary {
        let mut b = BinaryBuilder::with_capacity(values.len(), 0);
        for v in &values {
            b.append_option(v.as_deref());
        }
        Arc::new(b.finish())
    } else {
        let mut b = StringBuilder::with_capacity(values.len(), 0);
        for v in &values {
            match v {
                Some(v) => b.append_value(String::from_utf8_lossy(v)),
                None => b.append_null(),
            }
        }
        Arc::new(b.finish())
    };
    if built.data_type() == to {
        return Ok(built);
    }
    let cast = arrow_cast::cast_with_options(
        &built,
        to,
        &arrow_cast::CastOptions {
            safe: false,
            ..Default::default()
        },
    )?;
    Ok(cast)
}

/// What a rewritten batch is written as: the planned leaves and schema ([`plan_schema`]),
/// and a long-format value column's split, if the file has one.
#[derive(Clone, Copy)]
pub(crate) struct Layout<'a> {
    pub(crate) planned: &'a HashMap<String, Field>,
    pub(crate) schema: &'a SchemaRef,
    pub(crate) split: Option<&'a crate::source::eav::Split>,
}

/// Rewrites one record batch of `batch` with its edits into the planned schema.
pub(crate) fn apply_batch(
    rb: &RecordBatch,
    batch: &Batch,
    edits: &Edits,
    plan: &FilePlan,
    policy: &Policy,
    out: &Layout<'_>,
) -> Result<RecordBatch, ArrowError> {
    let Layout {
        planned,
        schema,
        split,
    } = *out;
    let mut apply = ApplyArrow::new(plan, policy, planned, batch, edits, split);
    let new = visit_batch(rb, &mut apply)?.unwrap_or_else(|| rb.clone());
    // Same columns, types and nullability as planned; take the planned schema's metadata
    // (and its judged names: struct children renamed change the struct's type).
    let columns = new
        .columns()
        .iter()
        .zip(schema.fields())
        .map(|(c, f)| super::schema_text::retype(c, f.data_type()))
        .collect::<Result<Vec<_>, _>>()?;
    RecordBatch::try_new_with_options(
        Arc::clone(schema),
        columns,
        &arrow_array::RecordBatchOptions::new().with_row_count(Some(new.num_rows())),
    )
}

/// Leaf fields and the output schema for an input schema, as [`apply_batch`] needs them.
pub(crate) fn plan_schema(
    input: &Schema,
    plan: &FilePlan,
    policy: &Policy,
) -> (HashMap<String, Field>, SchemaRef) {
    (
        planned_leaves(input, plan, policy),
        Arc::new(output_schema(input, plan, policy)),
    )
}

pub(super) struct ParquetWriter<'a, 'w> {
    rw: &'a Rewrite<'a>,
    writer: Option<ArrowWriter<Tail<'w>>>,
    path: String,
    planned: HashMap<String, Field>,
    schema: SchemaRef,
    type_changes: BTreeMap<String, String>,
    long: Option<crate::source::eav::Split>,
}

impl<'a, 'w> ParquetWriter<'a, 'w> {
    pub(super) fn new(
        rw: &'a Rewrite<'a>,
        reader: &dyn BatchReader,
        out: &'w mut (dyn std::io::Write + Send),
        path: &str,
    ) -> Result<Self, PseudoError> {
        let pq = reader.as_parquet().ok_or_else(|| PseudoError::Malformed {
            path: path.to_string(),
            message: "not read as Parquet".into(),
        })?;
        let meta = pq.metadata();
        let input = meta.schema();
        let (planned, schema) = plan_schema(input, rw.plan, rw.policy);
        // Every name and metadata string of the output is judged and written again from
        // what was judged.
        let judge = |t: &str| -> Result<Option<String>, PseudoError> {
            Ok(super::replace_text(
                rw.detector,
                rw.transformer,
                rw.policy,
                t,
            )?)
        };
        let schema = Arc::new(super::schema_text::judge_schema(&schema, &judge)?);
        let mut type_changes = BTreeMap::new();
        let old = planned_leaves(input, &FilePlan::default(), rw.policy);
        for (p, f) in &planned {
            if let Some(o) = old.get(p)
                && o.data_type() != f.data_type()
            {
                type_changes.insert(p.clone(), format!("{} -> {}", o.data_type(), f.data_type()));
            }
        }
        let md = meta.metadata();
        let codec = md
            .row_groups()
            .first()
            .and_then(|rg| rg.columns().first())
            .map_or(parquet::basic::Compression::SNAPPY, |c| c.compression());
        let mut kv: Vec<parquet::file::metadata::KeyValue> = Vec::new();
        for e in md
            .file_metadata()
            .key_value_metadata()
            .into_iter()
            .flatten()
        {
            if e.key == "ARROW:schema" {
                continue; // encoded again from the judged schema
            }
            let key = judge(&e.key)?.unwrap_or_else(|| e.key.clone());
            let value = match &e.value {
                Some(v) => Some(judge(v)?.unwrap_or_else(|| v.clone())),
                None => None,
            };
            kv.push(parquet::file::metadata::KeyValue { key, value });
        }
        let version = if md.file_metadata().version() >= 2 {
            parquet::file::properties::WriterVersion::PARQUET_2_0
        } else {
            parquet::file::properties::WriterVersion::PARQUET_1_0
        };
        let props = WriterProperties::builder()
            .set_compression(codec)
            .set_writer_version(version)
            .set_key_value_metadata((!kv.is_empty()).then_some(kv))
            .set_max_row_group_row_count(None)
            .build();
        let mut options = ArrowWriterOptions::new().with_properties(props);
        if let Some(descr) =
            output_parquet_schema(input, md.file_metadata().schema_descr(), &schema, rw.plan)
        {
            options = options.with_parquet_schema(descr);
        }
        let writer =
            ArrowWriter::try_new_with_options(Tail::new(out), Arc::clone(&schema), options)
                .map_err(|e| PseudoError::Malformed {
                    path: path.to_string(),
                    message: e.to_string(),
                })?;
        Ok(ParquetWriter {
            rw,
            writer: Some(writer),
            path: path.to_string(),
            planned,
            schema,
            type_changes,
            long: reader.long_format().cloned(),
        })
    }

    fn err(&self, e: &dyn std::fmt::Display) -> PseudoError {
        PseudoError::Malformed {
            path: self.path.clone(),
            message: e.to_string(),
        }
    }
}

/// Whether a Parquet type holds an INT96 leaf.
fn has_int96(t: &parquet::schema::types::Type) -> bool {
    if t.is_primitive() {
        t.get_physical_type() == parquet::basic::Type::INT96
    } else {
        t.get_fields().iter().any(|f| has_int96(f))
    }
}

/// The Parquet schema of the output: the input's own types for every top-level field the
/// rewrite leaves with its Arrow type (decimals stay fixed-length bytes when the writer made
/// them so, logical types such as JSON and field ids stay), the converter's types for the
/// others. `None` when the converter fails (the writer then derives the schema itself).
fn output_parquet_schema(
    input: &Schema,
    input_descr: &parquet::schema::types::SchemaDescriptor,
    output: &Schema,
    plan: &FilePlan,
) -> Option<parquet::schema::types::SchemaDescriptor> {
    use parquet::schema::types::{SchemaDescriptor, Type};
    let converted = parquet::arrow::ArrowSchemaConverter::new()
        .convert(output)
        .ok()?;
    let in_root = input_descr.root_schema();
    let whole = |name: &str| {
        plan.columns.iter().zip(&plan.actions).any(|(c, a)| {
            (c == name || c.starts_with(&format!("{name}.")))
                && matches!(a, ColumnAction::Whole { .. })
        })
    };
    let fields: Vec<Arc<Type>> = converted
        .root_schema()
        .get_fields()
        .iter()
        .zip(output.fields())
        .map(|(conv, out)| {
            let same_arrow = input.field_with_name(out.name()).is_ok_and(|f| {
                f.data_type() == out.data_type() && f.is_nullable() == out.is_nullable()
            });
            let original = in_root.get_fields().iter().find(|t| t.name() == out.name());
            match original {
                // A tokenized JSON or BSON column holds tokens, not documents: its logical
                // type goes. INT96 timestamps (Spark, Hive, Impala) are read but cannot be
                // written by the Arrow writer: they become the converter's INT64 timestamps.
                Some(t)
                    if same_arrow
                        && !(whole(out.name()) && has_document_type(t))
                        && !has_int96(t) =>
                {
                    Arc::clone(t)
                }
                _ => Arc::clone(conv),
            }
        })
        .collect();
    let root = Type::group_type_builder(in_root.name())
        .with_fields(fields)
        .build()
        .ok()?;
    Some(SchemaDescriptor::new(Arc::new(root)))
}

/// Whether a Parquet type (or a field under it) has the JSON or BSON logical type.
fn has_document_type(t: &parquet::schema::types::Type) -> bool {
    use parquet::basic::LogicalType;
    if t.is_group() {
        return t.get_fields().iter().any(|f| has_document_type(f));
    }
    matches!(
        t.get_basic_info().logical_type_ref(),
        Some(LogicalType::Json | LogicalType::Bson)
    )
}

/// Most bytes a row group may hold in the writer's buffers before it is written out.
const MAX_GROUP_BYTES: usize = 32 << 20;

impl BatchWriter for ParquetWriter<'_, '_> {
    fn write(&mut self, batch: Batch, edits: &Edits) -> Result<(), PseudoError> {
        let Some(RawRecords::Arrow(rb)) = &batch.raw else {
            return Err(self.err(&"a Parquet batch without its record batch"));
        };
        let new = apply_batch(
            rb,
            &batch,
            edits,
            self.rw.plan,
            self.rw.policy,
            &Layout {
                planned: &self.planned,
                schema: &self.schema,
                split: self.long.as_ref(),
            },
        )
        .map_err(|e| self.err(&e))?;
        let w = self.writer.as_mut().expect("open until finished");
        // The writer panics on types it cannot encode: an error naming the file, like any.
        crate::source::contain(|| w.write(&new))
            .map_err(|p| format!("the Parquet writer failed: {p}"))
            .and_then(|r| r.map_err(|e| e.to_string()))
            .map_err(|message| PseudoError::Malformed {
                path: self.path.clone(),
                message,
            })?;
        // Keep the input's row-group boundaries, unless a group would hold more than
        // MAX_GROUP_BYTES in memory (the writer buffers a group until it ends; pyarrow writes
        // groups of up to a million rows): then it is split, and memory stays bounded.
        if batch.end_of_group.is_some() || w.memory_size() > MAX_GROUP_BYTES {
            w.flush().map_err(|e| PseudoError::Malformed {
                path: self.path.clone(),
                message: e.to_string(),
            })?;
        }
        Ok(())
    }

    fn finish(
        mut self: Box<Self>,
        _reader: &dyn BatchReader,
    ) -> Result<BTreeMap<String, String>, PseudoError> {
        let mut w = self.writer.take().expect("finished once");
        // The last row group out, only the page indexes and the footer are left: hold them,
        // give float columns the column order readers know, then write them.
        w.flush().map_err(|e| self.err(&e))?;
        w.inner_mut().hold();
        let tail = w.into_inner().map_err(|e| self.err(&e))?;
        tail.release().map_err(|e| self.err(&e))?;
        Ok(std::mem::take(&mut self.type_changes))
    }
}
