//! Pass 2 writer for database tables: one Parquet file per table. A table has no file format
//! of its own to keep, so every kept column is written as text (UTF-8 strings, `NULL` as
//! null), each cell as the reader read it or as its edit says; dropped columns are left out.
//! The Parquet file is written with `ArrowWriter` in row groups of the batches read.

use super::{BatchWriter, Edit, Edits, PseudoError, Rewrite};
use crate::source::{Batch, BatchReader};
use arrow_array::{ArrayRef, RecordBatch, builder::StringBuilder};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Writes a table's rows, with their edits, as Parquet.
pub(super) struct TableWriter<'a, 'w> {
    rw: &'a Rewrite<'a>,
    path: String,
    /// The columns kept, by column id, in the table's order.
    kept: Vec<u32>,
    schema: Arc<Schema>,
    writer: Option<ArrowWriter<&'w mut (dyn std::io::Write + Send)>>,
}

impl<'a, 'w> TableWriter<'a, 'w> {
    pub(super) fn new(
        rw: &'a Rewrite<'a>,
        reader: &dyn BatchReader,
        out: &'w mut (dyn std::io::Write + Send),
        path: &str,
    ) -> Result<Self, PseudoError> {
        let kept: Vec<u32> = (0..reader.columns().len() as u32)
            .filter(|&id| !rw.dropped(id))
            .collect();
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
            schema,
            writer: Some(writer),
        })
    }

    fn malformed(&self, e: impl std::fmt::Display) -> PseudoError {
        PseudoError::Malformed {
            path: self.path.clone(),
            message: e.to_string(),
        }
    }
}

impl BatchWriter for TableWriter<'_, '_> {
    fn write(&mut self, batch: Batch, edits: &Edits) -> Result<(), PseudoError> {
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(self.kept.len());
        for &id in &self.kept {
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
