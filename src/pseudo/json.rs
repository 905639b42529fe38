//! JSON and JSON Lines writer of pass 2: each record's edits are applied through the same
//! [`walk`] the reader named its cells with, so the n-th cell of a column in the batch is the
//! n-th leaf the walk meets under that path. JSON Lines stay one record per line (a line with
//! no edit is copied byte for byte), a top-level array stays an array, key order is kept.
//! Redacted values become `null`; dropped fields lose their key; a number stays a number when
//! its new value is one (a generalized epoch date), and becomes a string otherwise (a token).

use super::{BatchWriter, Edit, Edits, PseudoError, Rewrite};
use crate::source::json::{KeyClass, Layout, LeafKind, Replacement, Visitor, walk};
use crate::source::{Batch, BatchReader, RawRecords};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;

pub(super) struct JsonWriter<'a, 'w> {
    rw: &'a Rewrite<'a>,
    out: &'w mut (dyn Write + Send),
    path: String,
    layout: Layout,
    keys: KeyClass,
    ids: HashMap<String, u32>,
    records: u64,
}

impl<'a, 'w> JsonWriter<'a, 'w> {
    pub(super) fn new(
        rw: &'a Rewrite<'a>,
        reader: &dyn BatchReader,
        out: &'w mut (dyn Write + Send),
        path: &str,
    ) -> Result<Self, PseudoError> {
        let json = reader.as_json().ok_or_else(|| PseudoError::Malformed {
            path: path.to_string(),
            message: "not read as JSON".into(),
        })?;
        let ids = rw.plan_ids();
        Ok(JsonWriter {
            rw,
            out,
            path: path.to_string(),
            layout: json.layout(),
            keys: json.keys().clone(),
            ids,
            records: 0,
        })
    }

    fn io(&self, source: std::io::Error) -> PseudoError {
        PseudoError::Io {
            path: self.path.clone(),
            source,
        }
    }
}

/// Applies a batch's edits to one record: for each leaf, the next cell of its column.
pub(super) struct Apply<'e> {
    /// Plan column ids by path.
    pub(super) ids: &'e HashMap<String, u32>,
    pub(super) rw: &'e Rewrite<'e>,
    /// Per column id: position of the column in the batch, and the next cell index.
    pub(super) cursor: &'e mut HashMap<u32, (usize, usize)>,
    pub(super) edits: &'e Edits,
    /// The first path pass 1 did not see.
    pub(super) missing: Option<String>,
}

impl Visitor for Apply<'_> {
    fn leaf(&mut self, path: &str, kind: LeafKind, text: &str) -> Option<Replacement> {
        let Some(&id) = self.ids.get(path) else {
            self.missing.get_or_insert_with(|| path.to_string());
            return None;
        };
        let (pos, next) = self.cursor.get_mut(&id)?;
        let i = *next;
        *next += 1;
        let edit = self.edits.columns.get(*pos)?.get(i)?.as_ref()?;
        Some(match edit {
            Edit::Null => Replacement::Null,
            Edit::Bytes(b) => {
                let new = String::from_utf8_lossy(b).into_owned();
                if kind == LeafKind::Number && is_json_number(&new) && new != text {
                    // Keep the type: a generalized or shifted epoch stays a number.
                    Replacement::Number(new)
                } else {
                    Replacement::Text(new)
                }
            }
        })
    }

    fn drop_field(&mut self, path: &str) -> bool {
        self.ids.get(path).is_some_and(|&id| self.rw.dropped(id))
            || self.rw.policy.columns.get(path) == Some(&crate::transform::Operator::Drop)
    }
}

/// Per column id of a batch's `columns`: its position in the batch and the next cell, the state the
/// walks of [`Apply`] share over a batch's records.
pub(super) fn cursors(columns: &[crate::source::ColumnCells]) -> HashMap<u32, (usize, usize)> {
    columns
        .iter()
        .enumerate()
        .map(|(pos, c)| (c.col, (pos, 0)))
        .collect()
}

/// Whether `s` is a JSON number as written by people (no leading zeros).
fn is_json_number(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let leading_zero = digits.len() > 1 && digits.starts_with('0') && !digits.starts_with("0.");
    !(digits.is_empty() || leading_zero) && serde_json::from_str::<serde_json::Number>(s).is_ok()
}

impl BatchWriter for JsonWriter<'_, '_> {
    fn write(&mut self, batch: Batch, edits: &Edits) -> Result<(), PseudoError> {
        let changed = edits.changed_rows(&batch);
        let Some(RawRecords::Json(raw)) = batch.raw else {
            return Err(PseudoError::Malformed {
                path: self.path.clone(),
                message: "a JSON batch without its records".into(),
            });
        };
        let mut values = raw.values;
        if values.len() != batch.rows {
            return Err(PseudoError::Mismatch {
                path: self.path.clone(),
                message: format!("{} records for {} rows", values.len(), batch.rows),
            });
        }
        let any_drop = self.rw.plan.actions.contains(&super::ColumnAction::Drop)
            || self
                .rw
                .policy
                .columns
                .values()
                .any(|o| *o == crate::transform::Operator::Drop);
        let mut cursor = cursors(&batch.columns);
        let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
        let mut path = String::new();
        for (i, v) in values.iter_mut().enumerate() {
            let line = raw.line_ranges.get(i).map(|&(s, e)| &raw.lines[s..e]);
            let copy_raw = self.layout == Layout::Lines && !changed[i] && !any_drop;
            // The walk also advances the cursors of unchanged records.
            path.clear();
            let mut apply = Apply {
                ids: &self.ids,
                rw: self.rw,
                cursor: &mut cursor,
                edits,
                missing: None,
            };
            walk(v, &mut path, &self.keys, &mut apply);
            if let Some(p) = apply.missing {
                return Err(PseudoError::Mismatch {
                    path: self.path.clone(),
                    message: format!("pass 2 found a path pass 1 did not ({p})"),
                });
            }
            match self.layout {
                Layout::Lines => {
                    let line = line.unwrap_or(b"\n");
                    if copy_raw {
                        buf.extend_from_slice(line);
                    } else {
                        // Blank lines before the record, the record, its own line end.
                        let body_start = line
                            .iter()
                            .position(|b| !b.is_ascii_whitespace())
                            .unwrap_or(line.len());
                        let body_end = line
                            .iter()
                            .rposition(|b| !b.is_ascii_whitespace())
                            .map_or(body_start, |p| p + 1);
                        let lead = &line[..body_start];
                        let lead_end = lead.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
                        buf.extend_from_slice(&lead[..lead_end]);
                        serde_json::to_writer(&mut buf, v).map_err(|e| self.io(e.into()))?;
                        let end = &line[body_end..];
                        buf.extend_from_slice(if end.is_empty() { b"" } else { end });
                    }
                }
                Layout::Array => {
                    buf.extend_from_slice(if self.records > 0 { b",\n" } else { b"[\n" });
                    serde_json::to_writer(&mut buf, v).map_err(|e| self.io(e.into()))?;
                }
                Layout::Values => {
                    serde_json::to_writer(&mut buf, v).map_err(|e| self.io(e.into()))?;
                    buf.push(b'\n');
                }
            }
            self.records += 1;
            if buf.len() >= 1 << 16 {
                self.out.write_all(&buf).map_err(|e| self.io(e))?;
                buf.clear();
            }
        }
        self.out.write_all(&buf).map_err(|e| self.io(e))
    }

    fn finish(
        self: Box<Self>,
        reader: &dyn BatchReader,
    ) -> Result<BTreeMap<String, String>, PseudoError> {
        let this = self;
        match this.layout {
            Layout::Array => {
                let end: &[u8] = if this.records > 0 { b"\n]\n" } else { b"[]\n" };
                this.out.write_all(end).map_err(|e| this.io(e))?;
            }
            Layout::Lines => {
                if let Some(j) = reader.as_json() {
                    let t = j.trailer().to_vec();
                    this.out.write_all(&t).map_err(|e| this.io(e))?;
                }
            }
            Layout::Values => {}
        }
        Ok(BTreeMap::new())
    }
}
