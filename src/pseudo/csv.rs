//! CSV writer of pass 2: each record rebuilt from its raw bytes (as the one CSV reader read
//! them) and the batch's edits. A record with no edit and no dropped column is copied byte
//! for byte; otherwise its untouched fields are copied raw and each changed field is encoded
//! (quoted like the original, or when it needs quotes). Delimiter, quoting, line ends (CRLF,
//! LF, CR), BOM, blank lines and trailing bytes are kept. A header that holds personal data
//! gets the replaced name.

use super::{BatchWriter, Edit, Edits, PseudoError, Rewrite};
use crate::source::csv::{CsvReader, RawRow};
use crate::source::{Batch, BatchReader, RawRecords};
use std::collections::BTreeMap;
use std::io::Write;

/// Encodes a new value, quoted if the original was or if it needs it.
fn encode(value: &[u8], delim: u8, was_quoted: bool, out: &mut Vec<u8>) {
    let needs = value
        .iter()
        .any(|&b| b == delim || b == b'"' || b == b'\n' || b == b'\r')
        || value.first().is_some_and(u8::is_ascii_whitespace)
        || value.last().is_some_and(u8::is_ascii_whitespace);
    if needs || was_quoted {
        out.push(b'"');
        for &b in value {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(value);
    }
}

pub(super) struct CsvWriter<'a, 'w> {
    rw: &'a Rewrite<'a>,
    out: &'w mut (dyn Write + Send),
    path: String,
    delim: u8,
    /// Per column id: dropped.
    dropped: Vec<bool>,
    any_dropped: bool,
    /// Long format: column ids from the header's length on are cells of this field.
    long: Option<(usize, usize)>,
}

impl<'a, 'w> CsvWriter<'a, 'w> {
    pub(super) fn new(
        rw: &'a Rewrite<'a>,
        reader: &dyn BatchReader,
        out: &'w mut (dyn Write + Send),
        path: &str,
    ) -> Result<Self, PseudoError> {
        let csv: &CsvReader = reader.as_csv().ok_or_else(|| PseudoError::Malformed {
            path: path.to_string(),
            message: "not read as CSV".into(),
        })?;
        let delim = csv.delimiter();
        let header = csv.header();
        let n = header.names.len();
        let dropped: Vec<bool> = (0..n as u32).map(|i| rw.dropped(i)).collect();
        let any_dropped = dropped.iter().any(|&d| d);
        let long = csv.long_format().map(|(_, v)| (n, v));
        let mut w = CsvWriter {
            rw,
            out,
            path: path.to_string(),
            delim,
            dropped,
            any_dropped,
            long,
        };
        // Excel's `sep=` line and a BOM before it, as they were.
        if !header.preamble.is_empty() {
            w.write_all(&header.preamble)?;
        }
        // The header: copied, or rebuilt without dropped columns and with personal names
        // replaced.
        let rec = &header.record;
        if !rec.is_empty() {
            let mut renamed: Vec<Option<String>> = Vec::with_capacity(n);
            for i in 0..n as u32 {
                renamed.push(rw.renamed(i)?);
            }
            if !any_dropped && renamed.iter().all(Option::is_none) {
                w.write_all(&rec.raw)?;
            } else {
                let mut h = Vec::with_capacity(rec.raw.len());
                h.extend_from_slice(&rec.raw[..rec.body_start]);
                let mut first = true;
                for i in 0..rec.len() {
                    if w.dropped.get(i).copied().unwrap_or(false) {
                        continue;
                    }
                    if !first {
                        h.push(delim);
                    }
                    let raw = rec.raw_field(i);
                    match renamed.get(i).and_then(Option::as_ref) {
                        Some(name) => {
                            if first && raw.starts_with(b"\xEF\xBB\xBF") {
                                h.extend_from_slice(b"\xEF\xBB\xBF");
                            }
                            let unbom = raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw);
                            encode(name.as_bytes(), delim, unbom.first() == Some(&b'"'), &mut h);
                        }
                        None if !first => {
                            h.extend_from_slice(raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw))
                        }
                        None => h.extend_from_slice(raw),
                    }
                    first = false;
                }
                h.extend_from_slice(rec.line_end());
                w.write_all(&h)?;
            }
        }
        Ok(w)
    }

    fn write_all(&mut self, bytes: &[u8]) -> Result<(), PseudoError> {
        self.out.write_all(bytes).map_err(|source| PseudoError::Io {
            path: self.path.clone(),
            source,
        })
    }

    /// Rebuilds one row with its edits (`(column id, edit)`, in column order).
    fn rebuild(&self, row: RawRow<'_>, edits: &[(u32, &Edit)], out: &mut Vec<u8>) {
        out.extend_from_slice(&row.raw[..row.body_start]);
        let mut first = true;
        let mut next = edits.iter().peekable();
        for i in 0..row.len() {
            let edit = match next.peek() {
                Some(&&(c, e)) if c as usize == i => {
                    next.next();
                    Some(e)
                }
                _ => None,
            };
            if self.dropped.get(i).copied().unwrap_or(false) {
                continue;
            }
            if !first {
                out.push(self.delim);
            }
            first = false;
            let raw = row.field(i);
            match edit {
                None => out.extend_from_slice(raw),
                Some(Edit::Bytes(v)) => encode(v, self.delim, raw.first() == Some(&b'"'), out),
                Some(Edit::Null) => {
                    if raw.first() == Some(&b'"') {
                        out.extend_from_slice(b"\"\"");
                    }
                }
            }
        }
        out.extend_from_slice(row.line_end());
    }
}

impl BatchWriter for CsvWriter<'_, '_> {
    fn write(&mut self, batch: Batch, edits: &Edits) -> Result<(), PseudoError> {
        let Some(RawRecords::Csv(rows)) = &batch.raw else {
            return Err(PseudoError::Malformed {
                path: self.path.clone(),
                message: "a CSV batch without its records".into(),
            });
        };
        if rows.len() != batch.rows {
            return Err(PseudoError::Mismatch {
                path: self.path.clone(),
                message: format!("{} records for {} rows", rows.len(), batch.rows),
            });
        }
        // Per row, its edits in column order.
        let mut per_row: Vec<Vec<(u32, &Edit)>> = vec![Vec::new(); batch.rows];
        for (cells, col_edits) in batch.columns.iter().zip(&edits.columns) {
            // A long-format value column (named after its key) is its value field.
            let (field, virtual_col) = match self.long {
                Some((n, v)) if cells.col as usize >= n => (v as u32, true),
                _ => (cells.col, false),
            };
            // A lenient read's fields past the header cannot be dropped from their rows
            // either: a dropped one is blanked.
            let past_header = self.long.is_none() && cells.col as usize >= self.dropped.len();
            if past_header && self.rw.dropped(cells.col) {
                for &(r, _, _) in &cells.cells {
                    per_row[r as usize].push((field, &Edit::Null));
                }
                continue;
            }
            if virtual_col && self.rw.dropped(cells.col) {
                // A field cannot be dropped for some rows only: its values are blanked.
                for &(r, _, _) in &cells.cells {
                    per_row[r as usize].push((field, &Edit::Null));
                }
                continue;
            }
            for (&(r, _, _), e) in cells.cells.iter().zip(col_edits) {
                if let Some(e) = e {
                    per_row[r as usize].push((field, e));
                }
            }
        }
        let mut buf = Vec::with_capacity(1 << 16);
        for (i, row_edits) in per_row.iter_mut().enumerate() {
            let row = rows.row(i);
            if row_edits.is_empty() && !self.any_dropped {
                buf.extend_from_slice(row.raw);
            } else {
                row_edits.sort_by_key(|(c, _)| *c);
                self.rebuild(row, row_edits, &mut buf);
            }
            if buf.len() >= 1 << 16 {
                self.write_all(&buf)?;
                buf.clear();
            }
        }
        self.write_all(&buf)
    }

    fn finish(
        mut self: Box<Self>,
        reader: &dyn BatchReader,
    ) -> Result<BTreeMap<String, String>, PseudoError> {
        if let Some(csv) = reader.as_csv() {
            let trailer = csv.trailer();
            self.write_all(&trailer)?;
        }
        let _ = self.rw;
        Ok(BTreeMap::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_the_original() {
        let mut out = Vec::new();
        encode(b"x,y", b',', false, &mut out);
        assert_eq!(out, b"\"x,y\"");
        out.clear();
        encode(b"tok", b',', true, &mut out);
        assert_eq!(out, b"\"tok\"");
        out.clear();
        encode(b"a\"b", b';', false, &mut out);
        assert_eq!(out, b"\"a\"\"b\"");
    }
}
