//! Pass 2 writer for database tables: one Parquet file per table. A table has no file format
//! of its own to keep, so every kept column is written as text (UTF-8 strings, `NULL` as
//! null), each cell as the reader read it or as its edit says; dropped columns are left out.
//! The Parquet file is written with `ArrowWriter` in row groups of the batches read.
//!
//! A JSON column of a PostgreSQL table is read as a document whose leaves are cells under
//! `column.path`: it is written back as its JSON text, each leaf replaced as its cell's edit
//! says (through the same walk as JSON files, so the n-th leaf of a path is its n-th cell).

use super::{BatchWriter, Edit, Edits, PseudoError, Rewrite};
use crate::source::{Batch, BatchReader, RawRecords};
use arrow_array::{ArrayRef, RecordBatch, builder::StringBuilder};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Writes a table's rows, with their edits, as Parquet.
pub(super) struct TableWriter<'a, 'w> {
    rw: &'a Rewrite<'a>,
    path: String,
    /// The columns kept, by column id, in the table's order.
    kept: Vec<u32>,
    /// Plan column ids by path (for the leaves of JSON documents).
    ids: HashMap<String, u32>,
    keys: crate::source::json::KeyClass,
    schema: Arc<Schema>,
    writer: Option<ArrowWriter<&'w mut (dyn std::io::Write + Send)>>,
    /// A long-format value column's virtual columns, written back into it.
    long: Option<crate::source::eav::Split>,
}

impl<'a, 'w> TableWriter<'a, 'w> {
    pub(super) fn new(
        rw: &'a Rewrite<'a>,
        reader: &dyn BatchReader,
        out: &'w mut (dyn std::io::Write + Send),
        path: &str,
    ) -> Result<Self, PseudoError> {
        // The table's own columns; paths inside JSON documents go back into them.
        let kept: Vec<u32> = (0..reader.base_columns() as u32)
            .filter(|&id| !rw.dropped(id))
            .collect();
        let ids = rw.plan_ids();
        let schema = Arc::new(Schema::new(
            kept.iter()
                .map(|&id| Field::new(&reader.columns()[id as usize], DataType::Utf8, true))
                .collect::<Vec<_>>(),
        ));
        let writer = ArrowWriter::try_new(out, Arc::clone(&schema), None).map_err(|e| {
            PseudoError::Malformed {
                path: path.to_string(),
                message: e.to_string(),
            }
        })?;
        Ok(TableWriter {
            rw,
            path: path.to_string(),
            kept,
            ids,
            keys: reader.document_keys().cloned().unwrap_or_default(),
            schema,
            writer: Some(writer),
            long: reader.long_format().cloned(),
        })
    }

    /// The value column of a long-format table, row by row, from whichever column holds
    /// each row's cell (the value column or a key's virtual column), edited; a virtual column
    /// the policy drops is blanked (a field cannot be dropped for some rows only).
    fn long_values(
        &self,
        split: &crate::source::eav::Split,
        batch: &Batch,
        edits: &Edits,
    ) -> ArrayRef {
        let mut by_row: Vec<Option<Option<Vec<u8>>>> = vec![None; batch.rows];
        for (pos, cells) in batch.columns.iter().enumerate() {
            if cells.col != split.value && !split.is_virtual(cells.col) {
                continue;
            }
            let dropped = split.is_virtual(cells.col) && self.rw.dropped(cells.col);
            let col_edits = edits.columns.get(pos);
            for (k, (row, value)) in cells.iter().enumerate() {
                let edit = col_edits.and_then(|e| e.get(k)).and_then(Option::as_ref);
                by_row[row as usize] = Some(match (dropped, edit) {
                    (true, _) | (_, Some(Edit::Null)) => None,
                    (_, Some(Edit::Bytes(v))) => Some(v.clone()),
                    (_, None) => Some(value.to_vec()),
                });
            }
        }
        let mut b = StringBuilder::with_capacity(batch.rows, batch.rows * 8);
        for v in by_row {
            match v.flatten() {
                Some(v) => b.append_value(String::from_utf8_lossy(&v)),
                None => b.append_null(),
            }
        }
        Arc::new(b.finish())
    }

    /// A JSON column: each row's document with its leaves' edits applied, as JSON text
    /// (null where the row has no document).
    fn documents(
        &self,
        id: u32,
        docs: Vec<(u32, serde_json::Value)>,
        rows: usize,
        edits: &Edits,
        cursor: &mut HashMap<u32, (usize, usize)>,
    ) -> Result<ArrayRef, PseudoError> {
        let mut b = StringBuilder::with_capacity(rows, rows * 32);
        let mut docs = docs.into_iter().peekable();
        let mut path = String::new();
        let name = self.schema_name(id);
        for r in 0..rows as u32 {
            let Some((_, mut v)) = docs.next_if(|(row, _)| *row == r) else {
                b.append_null();
                continue;
            };
            path.clear();
            path.push_str(&name);
            let mut apply = super::json::Apply {
                ids: &self.ids,
                rw: self.rw,
                cursor,
                edits,
                missing: None,
            };
            crate::source::json::walk(&mut v, &mut path, &self.keys, &mut apply);
            if let Some(p) = apply.missing {
                return Err(PseudoError::Mismatch {
                    path: self.path.clone(),
                    message: format!("pass 2 found a path pass 1 did not ({p})"),
                });
            }
            b.append_value(serde_json::to_string(&v).map_err(|e| self.malformed(e))?);
        }
        Ok(Arc::new(b.finish()))
    }

    fn schema_name(&self, id: u32) -> String {
        self.rw.plan.columns[id as usize].clone()
    }

    fn malformed(&self, e: impl std::fmt::Display) -> PseudoError {
        PseudoError::Malformed {
            path: self.path.clone(),
            message: e.to_string(),
        }
    }
}

impl BatchWriter for TableWriter<'_, '_> {
    fn write(&mut self, mut batch: Batch, edits: &Edits) -> Result<(), PseudoError> {
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(self.kept.len());
        // JSON documents by column id, in row order.
        let mut docs: HashMap<u32, Vec<(u32, serde_json::Value)>> = HashMap::new();
        if let Some(RawRecords::Documents(d)) = batch.raw.take() {
            for (row, col, v) in d {
                docs.entry(col).or_default().push((row, v));
            }
        }
        let mut cursor = super::json::cursors(&batch.columns);
        for &id in &self.kept {
            if let Some(col_docs) = docs.remove(&id) {
                arrays.push(self.documents(id, col_docs, batch.rows, edits, &mut cursor)?);
                continue;
            }
            if let Some(split) = self.long.as_ref().filter(|sp| sp.value == id) {
                arrays.push(self.long_values(split, &batch, edits));
                continue;
            }
            // Row by row: the cell's edit, the cell as read, or null (cells are in row order).
            let mut b = StringBuilder::with_capacity(batch.rows, batch.rows * 8);
            let pos = batch.columns.iter().position(|c| c.col == id);
            let mut cells = pos
                .map(|p| batch.columns[p].iter().enumerate())
                .into_iter()
                .flatten()
                .peekable();
            let col_edits = pos.and_then(|p| edits.columns.get(p));
            for r in 0..batch.rows as u32 {
                match cells.next_if(|(_, (row, _))| *row == r) {
                    Some((k, (_, value))) => {
                        match col_edits.and_then(|e| e.get(k)).and_then(Option::as_ref) {
                            Some(Edit::Bytes(v)) => b.append_value(String::from_utf8_lossy(v)),
                            Some(Edit::Null) => b.append_null(),
                            None => b.append_value(String::from_utf8_lossy(value)),
                        }
                    }
                    None => b.append_null(),
                }
            }
            arrays.push(Arc::new(b.finish()));
        }
        let rb = RecordBatch::try_new(Arc::clone(&self.schema), arrays)
            .map_err(|e| self.malformed(e))?;
        let w = self
            .writer
            .as_mut()
            .expect("the writer is open until finish");
        w.write(&rb).map_err(|e| self.malformed(e))?;
        // One row group per batch group would make many tiny groups: flush by size only.
        let _ = self.rw;
        Ok(())
    }

    fn finish(
        mut self: Box<Self>,
        _reader: &dyn BatchReader,
    ) -> Result<BTreeMap<String, String>, PseudoError> {
        if let Some(w) = self.writer.take() {
            w.close().map_err(|e| self.malformed(e))?;
        }
        Ok(BTreeMap::new())
    }
}
