//! The Parquet footer as readers of today understand it.
//!
//! The `parquet` crate records the column order of float and double columns as
//! `IEEE_754_TOTAL_ORDER`, a recent addition to the format. pyarrow (26) and the readers built
//! on it do not know it yet and then ignore those columns' min/max statistics, so a file that
//! went through shroud loses predicate pushdown on its floats. The writer offers no switch;
//! [`Tail`] holds back what the writer writes once the last row group is out (page indexes
//! and the footer), and [`type_defined_float_orders`] rewrites the footer's column orders to
//! `TYPE_DEFINED_ORDER` (the order every reader knows, and the one pyarrow writes) in place:
//! the two union members encode to the same number of bytes.

use std::io::Write;

/// A writer that passes bytes through until [`Tail::hold`], then keeps them; [`Tail::release`]
/// patches the footer among them and writes them out.
pub struct Tail<'w> {
    inner: &'w mut (dyn Write + Send),
    held: Option<Vec<u8>>,
}

impl<'w> Tail<'w> {
    /// Passes everything through to `inner` until [`Tail::hold`].
    pub fn new(inner: &'w mut (dyn Write + Send)) -> Self {
        Tail { inner, held: None }
    }

    /// Keeps what follows in memory (call it when only the footer is left to write).
    pub fn hold(&mut self) {
        self.held.get_or_insert_with(Vec::new);
    }

    /// Patches the footer in what was held, then writes it out.
    pub fn release(mut self) -> std::io::Result<()> {
        if let Some(mut held) = self.held.take() {
            patch_tail(&mut held);
            self.inner.write_all(&held)?;
        }
        self.inner.flush()
    }
}

impl Write for Tail<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.held {
            Some(h) => {
                h.extend_from_slice(buf);
                Ok(buf.len())
            }
            None => self.inner.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self.held {
            Some(_) => Ok(()),
            None => self.inner.flush(),
        }
    }
}

/// Patches the footer at the end of `tail` (`… FileMetaData, its length, "PAR1"`); leaves
/// anything it cannot parse as it is.
fn patch_tail(tail: &mut [u8]) {
    let n = tail.len();
    if n < 8 || &tail[n - 4..] != b"PAR1" {
        return;
    }
    let len = u32::from_le_bytes([tail[n - 8], tail[n - 7], tail[n - 6], tail[n - 5]]) as usize;
    if len + 8 > n {
        return;
    }
    let meta = &mut tail[n - 8 - len..n - 8];
    type_defined_float_orders(meta);
}

/// Rewrites every `IEEE_754_TOTAL_ORDER` column order of a thrift-compact `FileMetaData` to
/// `TYPE_DEFINED_ORDER`; returns how many. Bytes it cannot parse stay as they are.
pub fn type_defined_float_orders(meta: &mut [u8]) -> usize {
    let mut c = Cursor { b: meta, at: 0 };
    c.file_metadata().unwrap_or(0)
}

/// Thrift compact protocol types.
const T_TRUE: u8 = 1;
const T_FALSE: u8 = 2;
const T_BYTE: u8 = 3;
const T_I16: u8 = 4;
const T_I32: u8 = 5;
const T_I64: u8 = 6;
const T_DOUBLE: u8 = 7;
const T_BINARY: u8 = 8;
const T_LIST: u8 = 9;
const T_SET: u8 = 10;
const T_MAP: u8 = 11;
const T_STRUCT: u8 = 12;

/// `FileMetaData.column_orders`.
const COLUMN_ORDERS: i16 = 7;
/// `ColumnOrder.TYPE_ORDER` and `ColumnOrder.IEEE_754_TOTAL_ORDER`.
const TYPE_ORDER: i16 = 1;
const IEEE_754_TOTAL_ORDER: i16 = 2;

struct Cursor<'a> {
    b: &'a mut [u8],
    at: usize,
}

impl Cursor<'_> {
    fn byte(&mut self) -> Option<u8> {
        let v = *self.b.get(self.at)?;
        self.at += 1;
        Some(v)
    }

    fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    fn skip(&mut self, n: usize) -> Option<()> {
        self.at = self.at.checked_add(n).filter(|&e| e <= self.b.len())?;
        Some(())
    }

    /// A field header: `(id, type, offset of the header byte)`; `None` at the struct's stop.
    fn field(&mut self, last: i16) -> Option<Option<(i16, u8, usize)>> {
        let pos = self.at;
        let h = self.byte()?;
        if h == 0 {
            return Some(None);
        }
        let t = h & 0x0f;
        let delta = i16::from(h >> 4);
        let id = if delta == 0 {
            let z = self.varint()? as i64;
            ((z >> 1) ^ -(z & 1)) as i16
        } else {
            last + delta
        };
        Some(Some((id, t, pos)))
    }

    fn skip_value(&mut self, t: u8, depth: usize) -> Option<()> {
        if depth > 64 {
            return None;
        }
        match t {
            T_TRUE | T_FALSE => Some(()),
            T_BYTE => self.skip(1),
            T_I16 | T_I32 | T_I64 => self.varint().map(|_| ()),
            T_DOUBLE => self.skip(8),
            T_BINARY => {
                let n = usize::try_from(self.varint()?).ok()?;
                self.skip(n)
            }
            T_LIST | T_SET => {
                let (n, et) = self.list_header()?;
                for _ in 0..n {
                    self.skip_value(et, depth + 1)?;
                }
                Some(())
            }
            T_MAP => {
                let n = self.varint()?;
                if n == 0 {
                    return Some(());
                }
                let kv = self.byte()?;
                for _ in 0..n {
                    self.skip_value(kv >> 4, depth + 1)?;
                    self.skip_value(kv & 0x0f, depth + 1)?;
                }
                Some(())
            }
            T_STRUCT => {
                let mut last = 0;
                while let Some((id, ft, _)) = self.field(last)? {
                    self.skip_value(ft, depth + 1)?;
                    last = id;
                }
                Some(())
            }
            _ => None,
        }
    }

    fn list_header(&mut self) -> Option<(u64, u8)> {
        let h = self.byte()?;
        let n = if h >> 4 == 15 {
            self.varint()?
        } else {
            u64::from(h >> 4)
        };
        Some((n, h & 0x0f))
    }

    fn file_metadata(&mut self) -> Option<usize> {
        let mut patched = 0;
        let mut last = 0;
        while let Some((id, t, _)) = self.field(last)? {
            if id == COLUMN_ORDERS && t == T_LIST {
                let (n, et) = self.list_header()?;
                for _ in 0..n {
                    if et != T_STRUCT {
                        self.skip_value(et, 0)?;
                        continue;
                    }
                    // The ColumnOrder union: one member, an empty struct.
                    let mut last_member = 0;
                    while let Some((mid, mt, pos)) = self.field(last_member)? {
                        // A short-form header (delta 2 from 0) becomes delta 1: same length.
                        if mid == IEEE_754_TOTAL_ORDER && mt == T_STRUCT && self.b[pos] >> 4 == 2 {
                            self.b[pos] = ((TYPE_ORDER as u8) << 4) | T_STRUCT;
                            patched += 1;
                        }
                        self.skip_value(mt, 0)?;
                        last_member = mid;
                    }
                }
            } else {
                self.skip_value(t, 0)?;
            }
            last = id;
        }
        Some(patched)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Float64Array, Int64Array, RecordBatch};
    use arrow_schema::{DataType, Field, Schema};
    use parquet::arrow::ArrowWriter;
    use parquet::basic::ColumnOrder;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use std::sync::Arc;

    #[test]
    fn float_columns_get_the_type_defined_order() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("x", DataType::Float64, false),
            Field::new("n", DataType::Int64, false),
        ]));
        let batch = RecordBatch::try_new(
            Arc::clone(&schema),
            vec![
                Arc::new(Float64Array::from(vec![0.5, 1.5, -2.0])),
                Arc::new(Int64Array::from(vec![1, 2, 3])),
            ],
        )
        .unwrap();
        let mut out: Vec<u8> = Vec::new();
        {
            let mut tail = Tail::new(&mut out);
            let mut w = ArrowWriter::try_new(&mut tail, schema, None).unwrap();
            w.write(&batch).unwrap();
            w.flush().unwrap();
            w.inner_mut().hold();
            w.close().unwrap();
            tail.release().unwrap();
        }
        let r = SerializedFileReader::new(bytes::Bytes::from(out)).unwrap();
        let orders = r
            .metadata()
            .file_metadata()
            .column_orders()
            .unwrap()
            .clone();
        assert!(
            matches!(orders[0], ColumnOrder::TYPE_DEFINED_ORDER(_)),
            "{orders:?}"
        );
        assert!(
            matches!(orders[1], ColumnOrder::TYPE_DEFINED_ORDER(_)),
            "{orders:?}"
        );
        // The statistics are still read.
        let stats = r.metadata().row_group(0).column(0).statistics().unwrap();
        assert!(stats.min_bytes_opt().is_some());
    }

    #[test]
    fn garbage_is_left_alone() {
        let mut junk = vec![0xffu8; 40];
        assert_eq!(type_defined_float_orders(&mut junk), 0);
        assert_eq!(junk, vec![0xffu8; 40]);
        let mut short = b"PAR1".to_vec();
        patch_tail(&mut short);
        assert_eq!(short, b"PAR1");
    }
}
