//! JSON and JSON Lines rewriting: each record is parsed, its personal values replaced at the
//! same paths `scan` uses (`user.contact.email`, `devices[].ip`, `scores.{key}`), and written
//! back in the same structure: JSON Lines stay one record per line, a top-level array stays an
//! array, key order is kept. Redacted values become `null`; dropped columns lose their key.

use super::{ColumnAction, PseudoError, Rewrite};
use crate::detect::Scratch;
use crate::source::json::{ArrayElements, is_field_name};
use crate::source::{Format, Input, open_stream};
use crate::transform::Output;
use serde_json::{Map, Value};
use std::io::{BufRead, Read, Write};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

fn transform(
    rw: &Rewrite<'_>,
    v: &mut Value,
    path: &mut String,
    scratch: &mut Scratch,
) -> Result<(), PseudoError> {
    match v {
        Value::Object(map) => {
            let old = std::mem::take(map);
            let mut new = Map::with_capacity(old.len());
            for (k, mut child) in old {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                let mut key = k;
                if is_field_name(&key) {
                    path.push_str(&key);
                    if rw.action(path) == ColumnAction::Drop {
                        path.truncate(len);
                        continue;
                    }
                    transform(rw, &mut child, path, scratch)?;
                } else {
                    path.push_str("{key}");
                    match rw.cell(path, &key, scratch)? {
                        Output::Same => {}
                        Output::Value(nk) => key = nk,
                        Output::Null => key = String::new(),
                    }
                    path.truncate(len);
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str("{value}");
                    transform(rw, &mut child, path, scratch)?;
                }
                path.truncate(len);
                new.insert(key, child);
            }
            *map = new;
        }
        Value::Array(items) => {
            let len = path.len();
            path.push_str("[]");
            for item in items.iter_mut() {
                transform(rw, item, path, scratch)?;
            }
            path.truncate(len);
        }
        Value::String(s) => {
            let col = if path.is_empty() {
                "value"
            } else {
                path.as_str()
            };
            match rw.cell(col, s, scratch)? {
                Output::Same => {}
                Output::Value(n) => *s = n,
                Output::Null => *v = Value::Null,
            }
        }
        Value::Number(n) => {
            let text = n.to_string();
            let col = if path.is_empty() {
                "value"
            } else {
                path.as_str()
            };
            match rw.cell(col, &text, scratch)? {
                Output::Same => {}
                Output::Value(s) => *v = Value::String(s),
                Output::Null => *v = Value::Null,
            }
        }
        Value::Bool(_) | Value::Null => {}
    }
    Ok(())
}

/// Rewrites a JSON or JSON Lines input; returns the records written.
pub fn rewrite(
    rw: &Rewrite<'_>,
    input: &Input,
    out: &mut (dyn Write + Send),
) -> Result<u64, PseudoError> {
    let path = input.display();
    let io = |source| PseudoError::Io {
        path: path.clone(),
        source,
    };
    let malformed = |record: u64, e: serde_json::Error| PseudoError::Malformed {
        path: path.clone(),
        message: format!("record {record}: {e}"),
    };
    let mut stream = open_stream(input, Arc::new(AtomicU64::new(0)))?;
    let mut scratch = Scratch::default();
    let mut rows = 0u64;
    let mut p = String::new();
    if input.format == Format::Jsonl {
        let mut line = Vec::new();
        loop {
            line.clear();
            if stream.read_until(b'\n', &mut line).map_err(io)? == 0 {
                break;
            }
            let body_end = line.len()
                - line
                    .iter()
                    .rev()
                    .take_while(|b| **b == b'\n' || **b == b'\r')
                    .count();
            let text = line[..body_end].trim_ascii();
            if text.is_empty() {
                out.write_all(&line).map_err(io)?;
                continue;
            }
            let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
            let mut v: Value = serde_json::from_slice(text).map_err(|e| malformed(rows, e))?;
            p.clear();
            transform(rw, &mut v, &mut p, &mut scratch)?;
            serde_json::to_writer(&mut *out, &v).map_err(|e| io(e.into()))?;
            out.write_all(&line[body_end..]).map_err(io)?;
            rows += 1;
        }
        return Ok(rows);
    }
    // A JSON document: a top-level array, or one or more values.
    let first = loop {
        let buf = stream.fill_buf().map_err(io)?;
        if buf.is_empty() {
            break None;
        }
        match buf
            .iter()
            .position(|b| !b.is_ascii_whitespace() && !matches!(b, 0xEF | 0xBB | 0xBF))
        {
            Some(i) => {
                let b = buf[i];
                stream.consume(i);
                break Some(b);
            }
            None => {
                let n = buf.len();
                stream.consume(n);
            }
        }
    };
    let is_array = first == Some(b'[');
    let reader: Box<dyn Read + Send> = if is_array {
        Box::new(ArrayElements::new(stream))
    } else {
        Box::new(stream)
    };
    if is_array {
        out.write_all(b"[").map_err(io)?;
    }
    for v in serde_json::Deserializer::from_reader(reader).into_iter::<Value>() {
        let mut v = v.map_err(|e| malformed(rows, e))?;
        p.clear();
        transform(rw, &mut v, &mut p, &mut scratch)?;
        if is_array {
            out.write_all(if rows > 0 { b",\n" } else { b"\n" })
                .map_err(io)?;
        }
        serde_json::to_writer(&mut *out, &v).map_err(|e| io(e.into()))?;
        if !is_array {
            out.write_all(b"\n").map_err(io)?;
        }
        rows += 1;
    }
    if is_array {
        out.write_all(b"\n]\n").map_err(io)?;
    }
    Ok(rows)
}
