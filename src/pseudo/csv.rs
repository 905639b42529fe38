//! CSV rewriting that keeps every untouched byte: records are read raw (a record ends at a
//! line break outside quotes), split into raw fields, and only changed fields are re-encoded
//! (quoted like the original, or when needed). Delimiter, quoting, line ends, BOM and blank
//! lines are kept. Batches of records are transformed in parallel and written in order.

use super::{PseudoError, Rewrite};
use crate::detect::Scratch;
use crate::scan::ScanOptions;
use crate::source::{Input, csv::sniff_delimiter, open_stream};
use crate::transform::Output;
use rayon::prelude::*;
use std::cell::RefCell;
use std::io::{BufRead, Write};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

/// Records per parallel batch.
const BATCH: usize = 4096;

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Reads one raw record (with its line end) into `buf`; `false` at end of input.
fn read_record(r: &mut dyn BufRead, buf: &mut Vec<u8>, limit: u64) -> std::io::Result<bool> {
    buf.clear();
    let mut quotes = 0usize;
    loop {
        let start = buf.len();
        let n = r.read_until(b'\n', buf)?;
        if n == 0 {
            return Ok(!buf.is_empty());
        }
        quotes += memchr::memchr_iter(b'"', &buf[start..]).count();
        if buf.len() as u64 > limit {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "record larger than --max-cell-bytes",
            ));
        }
        if quotes.is_multiple_of(2) {
            return Ok(true);
        }
    }
}

/// Splits a raw record (line end removed) into raw field ranges.
fn split_fields(rec: &[u8], delim: u8) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut start = 0;
    let mut in_quotes = false;
    while i < rec.len() {
        let b = rec[i];
        if in_quotes {
            if b == b'"' {
                if rec.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    in_quotes = false;
                }
            }
        } else if b == b'"' {
            in_quotes = true;
        } else if b == delim {
            out.push((start, i));
            start = i + 1;
        }
        i += 1;
    }
    out.push((start, rec.len()));
    out
}

/// The value of a raw field: quotes removed and `""` unescaped.
fn unescape(raw: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let t = raw;
    if t.len() >= 2 && t[0] == b'"' && t[t.len() - 1] == b'"' {
        let inner = &t[1..t.len() - 1];
        if memchr::memmem::find(inner, b"\"\"").is_some() {
            let s = String::from_utf8_lossy(inner).replace("\"\"", "\"");
            return std::borrow::Cow::Owned(s.into_bytes());
        }
        return std::borrow::Cow::Borrowed(inner);
    }
    std::borrow::Cow::Borrowed(raw)
}

/// Encodes a new value, quoted if the original was or if it needs it.
fn encode(value: &str, delim: u8, was_quoted: bool, out: &mut Vec<u8>) {
    let needs = value
        .bytes()
        .any(|b| b == delim || b == b'"' || b == b'\n' || b == b'\r');
    if needs || was_quoted {
        out.push(b'"');
        out.extend_from_slice(value.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(value.as_bytes());
    }
}

fn line_end(rec: &[u8]) -> usize {
    let mut end = rec.len();
    if end > 0 && rec[end - 1] == b'\n' {
        end -= 1;
        if end > 0 && rec[end - 1] == b'\r' {
            end -= 1;
        }
    }
    end
}

fn rewrite_record(
    rw: &Rewrite<'_>,
    rec: &[u8],
    columns: &[Arc<super::ColumnCtx>],
    dropped: &[bool],
    delim: u8,
) -> Result<Option<Vec<u8>>, PseudoError> {
    let body_end = line_end(rec);
    let body = &rec[..body_end];
    if body.is_empty() {
        return Ok(None);
    }
    let fields = split_fields(body, delim);
    let mut changed = false;
    let mut out = Vec::with_capacity(rec.len() + 16);
    let mut first = true;
    SCRATCH.with(|scratch| -> Result<(), PseudoError> {
        let scratch = &mut *scratch.borrow_mut();
        for (i, &(s, e)) in fields.iter().enumerate() {
            if dropped.get(i).copied().unwrap_or(false) {
                changed = true;
                continue;
            }
            if !first {
                out.push(delim);
            }
            first = false;
            let raw = &body[s..e];
            let Some(col) = columns.get(i) else {
                out.extend_from_slice(raw);
                continue;
            };
            let value = unescape(raw);
            let result = match std::str::from_utf8(&value) {
                Ok(text) => rw.cell_in(col, text, scratch)?,
                // Not UTF-8: detect on the bytes read as text with replacement characters.
                Err(_) => rw.cell_in(col, &String::from_utf8_lossy(&value), scratch)?,
            };
            match result {
                Output::Same => out.extend_from_slice(raw),
                Output::Value(v) => {
                    changed = true;
                    encode(&v, delim, raw.first() == Some(&b'"'), &mut out);
                }
                Output::Null => changed = true,
            }
        }
        Ok(())
    })?;
    if !changed {
        return Ok(None);
    }
    out.extend_from_slice(&rec[body_end..]);
    Ok(Some(out))
}

/// Rewrites a CSV input; returns the data rows written.
pub fn rewrite(
    rw: &Rewrite<'_>,
    input: &Input,
    opts: &ScanOptions,
    out: &mut (dyn Write + Send),
) -> Result<u64, PseudoError> {
    let path = input.display();
    let io = |source| PseudoError::Io {
        path: path.clone(),
        source,
    };
    let mut r = open_stream(input, Arc::new(AtomicU64::new(0)))?;
    let delim = match opts.read.delimiter {
        Some(d) => d,
        None if path.to_ascii_lowercase().contains(".tsv") => b'\t',
        None => sniff_delimiter(r.fill_buf().map_err(io)?),
    };
    let limit = opts.read.max_cell_bytes;
    let mut rec = Vec::new();
    if !read_record(&mut r, &mut rec, limit).map_err(io)? {
        return Ok(0);
    }
    // Header: names as pass 1 saw them (BOM stripped, trimmed); dropped columns removed.
    let body = &rec[..line_end(&rec)];
    let header_fields = split_fields(body, delim);
    let mut columns: Vec<String> = header_fields
        .iter()
        .enumerate()
        .map(|(i, &(s, e))| {
            let raw = unescape(&body[s..e]);
            let raw = if i == 0 {
                raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&raw).to_vec()
            } else {
                raw.to_vec()
            };
            let name = String::from_utf8_lossy(&raw).trim().to_string();
            if name.is_empty() {
                format!("column_{}", i + 1)
            } else {
                name
            }
        })
        .collect();
    let dropped: Vec<bool> = columns
        .iter()
        .map(|c| rw.action(c) == super::ColumnAction::Drop)
        .collect();
    if dropped.iter().any(|&d| d) {
        let mut h = Vec::new();
        let mut first = true;
        if body.starts_with(b"\xEF\xBB\xBF") {
            h.extend_from_slice(b"\xEF\xBB\xBF");
        }
        for (i, &(s, e)) in header_fields.iter().enumerate() {
            if dropped[i] {
                continue;
            }
            if !first {
                h.push(delim);
            }
            first = false;
            let raw = &body[s..e];
            h.extend_from_slice(if i == 0 {
                raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw)
            } else {
                raw
            });
        }
        h.extend_from_slice(&rec[line_end(&rec)..]);
        out.write_all(&h).map_err(io)?;
    } else {
        out.write_all(&rec).map_err(io)?;
    }
    let mut rows = 0u64;
    loop {
        let mut batch: Vec<Vec<u8>> = Vec::with_capacity(BATCH);
        while batch.len() < BATCH {
            let mut rec = Vec::new();
            if !read_record(&mut r, &mut rec, limit).map_err(io)? {
                break;
            }
            batch.push(rec);
        }
        if batch.is_empty() {
            break;
        }
        // Lenient mode may show more fields than the header: name them as pass 1 did.
        let widest = batch
            .iter()
            .map(|rec| split_fields(&rec[..line_end(rec)], delim).len())
            .max()
            .unwrap_or(0);
        while columns.len() < widest {
            columns.push(format!("column_{}", columns.len() + 1));
        }
        let ctxs: Vec<Arc<super::ColumnCtx>> = columns.iter().map(|c| rw.column(c)).collect();
        let results: Vec<Result<Option<Vec<u8>>, PseudoError>> = batch
            .par_iter()
            .map(|rec| rewrite_record(rw, rec, &ctxs, &dropped, delim))
            .collect();
        for (rec, res) in batch.iter().zip(results) {
            match res? {
                Some(new) => out.write_all(&new).map_err(io)?,
                None => out.write_all(rec).map_err(io)?,
            }
            if line_end(rec) > 0 {
                rows += 1;
            }
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_fields() {
        let rec = br#"a,"b,c","d""e",,f"#;
        let f = split_fields(rec, b',');
        let parts: Vec<&[u8]> = f.iter().map(|&(s, e)| &rec[s..e]).collect();
        assert_eq!(parts, vec![&b"a"[..], b"\"b,c\"", b"\"d\"\"e\"", b"", b"f"]);
        assert_eq!(&*unescape(b"\"d\"\"e\""), b"d\"e");
        let mut out = Vec::new();
        encode("x,y", b',', false, &mut out);
        assert_eq!(out, b"\"x,y\"");
    }

    #[test]
    fn records_span_quoted_newlines() {
        let data = b"a,\"multi\nline\"\r\nb,c\n";
        let mut r: &[u8] = data;
        let mut buf = Vec::new();
        assert!(read_record(&mut r, &mut buf, 1 << 20).unwrap());
        assert_eq!(buf, b"a,\"multi\nline\"\r\n");
        assert!(read_record(&mut r, &mut buf, 1 << 20).unwrap());
        assert_eq!(buf, b"b,c\n");
        assert!(!read_record(&mut r, &mut buf, 1 << 20).unwrap());
    }
}
