//! JSON reader: JSON Lines (`.jsonl`, `.ndjson`: one value per line), and JSON documents
//! (`.json`: a top-level array of objects, or one or more concatenated objects). Nested values
//! become column paths: `user.contact.email`, `devices[].ip`. Strings and numbers are cells;
//! booleans, nulls and empty strings are not. Streams: a top-level array is read element by
//! element, never loaded whole. Nesting deeper than serde_json's limit (128) is an error, not
//! a stack overflow.
//!
//! [`walk`] is the one traversal of a record: the scan reads cells through it, and the
//! pseudonymizer writes replacements back through it, so both name the same cells.

use super::{
    Batch, BatchBuilder, BatchReader, Format, Input, Progress, RawRecords, ReadOptions, ReadStats,
    SourceError,
};
use serde_json::Value;
use std::collections::HashMap;
use std::io::{self, BufRead, Read};

type Stream =
    serde_json::StreamDeserializer<'static, serde_json::de::IoRead<Box<dyn Read + Send>>, Value>;

enum Mode {
    Lines(Box<dyn BufRead + Send>),
    Values(Box<Stream>),
}

/// How a JSON file lays out its records (a writer keeps the layout).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// JSON Lines: one record per line.
    Lines,
    /// A top-level array of records.
    Array,
    /// One or more top-level values one after the other.
    Values,
}

/// The records of a batch as read: parsed values and, for JSON Lines, each raw line (with
/// its line end), so that a record nothing changed in is written back byte for byte.
#[derive(Debug, Clone, Default)]
pub struct RawValues {
    /// The parsed records.
    pub values: Vec<Value>,
    /// JSON Lines: per record, its raw bytes in `lines` (blank lines before it included).
    pub line_ranges: Vec<(usize, usize)>,
    /// JSON Lines: the raw lines.
    pub lines: Vec<u8>,
}

impl RawValues {
    /// The raw line of record `i` (JSON Lines only).
    pub fn line(&self, i: usize) -> Option<&[u8]> {
        self.line_ranges.get(i).map(|&(s, e)| &self.lines[s..e])
    }
}

/// What a JSON leaf is: a cell of the column named by its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeafKind {
    /// A string value.
    String,
    /// A number, as written.
    Number,
    /// An object key that is data, not a field name (column `parent.{key}`).
    Key,
}

/// A new value for a leaf.
#[derive(Debug, Clone, PartialEq)]
pub enum Replacement {
    /// Text (a key stays a key; a number becomes a string).
    Text(String),
    /// A number, written as given (only for a number leaf; elsewhere it is text).
    Number(String),
    /// `null` (a key becomes an empty key, made unique).
    Null,
}

/// Called by [`walk`] for every cell of a record, in a fixed order. The scan pushes cells; the
/// pseudonymizer returns replacements. Both see exactly the same leaves under the same paths.
pub trait Visitor {
    /// A leaf under `path` (never empty text); `Some` replaces it.
    fn leaf(&mut self, path: &str, kind: LeafKind, text: &str) -> Option<Replacement>;
    /// Whether the field at `path` (a field name, not a data key) is removed.
    fn drop_field(&mut self, _path: &str) -> bool {
        false
    }
}

/// Decides which keys are data: not shaped like a field name, or judged data by the test.
#[derive(Debug, Clone, Default)]
pub struct KeyClass {
    test: Option<super::KeyTest>,
}

impl KeyClass {
    /// Keys judged with `test` as well as by their shape.
    pub fn new(test: Option<super::KeyTest>) -> Self {
        KeyClass { test }
    }

    /// Whether `key` is data.
    pub fn is_data(&self, key: &str) -> bool {
        !is_field_name(key) || self.test.as_ref().is_some_and(|t| (t.0)(key))
    }
}

/// A long-format record (`{"meta_key": "first_name", "meta_value": …}`): the value field and
/// the key its value is named after ([`super::eav`]).
fn long_format(map: &serde_json::Map<String, Value>) -> Option<(String, String)> {
    if !map.keys().any(|k| super::eav::is_value_field(k)) {
        return None;
    }
    let (k, v) = super::eav::pair(map.keys().map(String::as_str))?;
    let key_field = map.keys().nth(k)?;
    let Value::String(key) = map.get(key_field)? else {
        return None;
    };
    let key = super::eav::key_name(key.as_bytes())?;
    Some((map.keys().nth(v)?.clone(), key.to_string()))
}

/// Walks a record depth-first in key order, calling `vis` for every cell: strings and numbers
/// under their path (`user.contact.email`, `devices[].ip`, `value` at the top level), and keys
/// that are data under `parent.{key}` (their values under `parent.{value}`). Booleans, nulls
/// and empty strings are not cells. Replacements are applied in place; a renamed key that
/// would collide with another gets a `~N` suffix, so no value is lost. A long-format
/// record's value is named after its key (`meta_value.first_name`).
pub fn walk(v: &mut Value, path: &mut String, keys: &KeyClass, vis: &mut dyn Visitor) {
    match v {
        Value::Object(map) => {
            // (old key, new key; None when the field is dropped)
            let mut edits: Vec<(String, Option<String>)> = Vec::new();
            let long = long_format(map);
            for (k, child) in map.iter_mut() {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                if keys.is_data(k) {
                    path.push_str("{key}");
                    if !k.is_empty() {
                        match vis.leaf(path, LeafKind::Key, k) {
                            None => {}
                            Some(Replacement::Text(t) | Replacement::Number(t)) => {
                                edits.push((k.clone(), Some(t)));
                            }
                            Some(Replacement::Null) => {
                                edits.push((k.clone(), Some(String::new())));
                            }
                        }
                    }
                    path.truncate(len);
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str("{value}");
                    walk(child, path, keys, vis);
                } else {
                    path.push_str(k);
                    if let Some((field, key)) = &long
                        && field == k
                    {
                        // `{"key": "email", "value": …}`: the value is judged as an email.
                        path.push('.');
                        path.push_str(key);
                    }
                    if vis.drop_field(path) {
                        edits.push((k.clone(), None));
                    } else {
                        walk(child, path, keys, vis);
                    }
                }
                path.truncate(len);
            }
            if !edits.is_empty() {
                let old = std::mem::take(map);
                let mut edits = edits.into_iter().peekable();
                for (k, child) in old {
                    let new_key = match edits.peek() {
                        Some((ek, _)) if *ek == k => edits.next().and_then(|(_, n)| n),
                        _ => Some(k),
                    };
                    let Some(mut key) = new_key else { continue };
                    if map.contains_key(&key) {
                        let base = key.clone();
                        let mut n = 2;
                        while map.contains_key(&key) {
                            key = format!("{base}~{n}");
                            n += 1;
                        }
                    }
                    map.insert(key, child);
                }
            }
        }
        Value::Array(items) => {
            let len = path.len();
            path.push_str("[]");
            for item in items.iter_mut() {
                walk(item, path, keys, vis);
            }
            path.truncate(len);
        }
        Value::String(s) => {
            if s.is_empty() {
                return;
            }
            let col = if path.is_empty() {
                "value"
            } else {
                path.as_str()
            };
            match vis.leaf(col, LeafKind::String, s) {
                None => {}
                Some(Replacement::Text(t) | Replacement::Number(t)) => *s = t,
                Some(Replacement::Null) => *v = Value::Null,
            }
        }
        Value::Number(n) => {
            let text = n.to_string();
            let col = if path.is_empty() {
                "value"
            } else {
                path.as_str()
            };
            match vis.leaf(col, LeafKind::Number, &text) {
                None => {}
                Some(Replacement::Number(t)) => {
                    *v = match serde_json::from_str::<serde_json::Number>(&t) {
                        Ok(n) => Value::Number(n),
                        Err(_) => Value::String(t),
                    };
                }
                Some(Replacement::Text(t)) => *v = Value::String(t),
                Some(Replacement::Null) => *v = Value::Null,
            }
        }
        Value::Bool(_) | Value::Null => {}
    }
}

/// Streaming JSON / JSON Lines reader.
pub struct JsonReader {
    encoding: &'static encoding_rs::Encoding,
    /// Duplicate keys of JSON Lines records, one checker reused line by line.
    key_check: super::dupkeys::KeyCheck,
    path: String,
    mode: Mode,
    layout: Layout,
    keys: KeyClass,
    columns: Vec<String>,
    ids: HashMap<String, u32>,
    builder: BatchBuilder,
    raw: RawValues,
    opts: ReadOptions,
    stats: ReadStats,
    line: u64,
    rows: u64,
    line_buf: Vec<u8>,
    /// JSON Lines: blank lines read since the last record (kept with the next one).
    blank: Vec<u8>,
    done: bool,
}

/// Pushes a record's cells into a batch, giving new paths the next column id (JSON files,
/// and the JSON documents of database tables).
pub(crate) struct Collect<'a> {
    /// Column paths by id.
    pub(crate) columns: &'a mut Vec<String>,
    /// Column ids by path.
    pub(crate) ids: &'a mut HashMap<String, u32>,
    /// The batch being built.
    pub(crate) builder: &'a mut BatchBuilder,
}

impl Visitor for Collect<'_> {
    fn leaf(&mut self, path: &str, _kind: LeafKind, text: &str) -> Option<Replacement> {
        let id = match self.ids.get(path) {
            Some(&id) => id,
            None => {
                let id = self.columns.len() as u32;
                self.columns.push(path.to_string());
                self.ids.insert(path.to_string(), id);
                id
            }
        };
        self.builder.push(id, text.as_bytes());
        None
    }
}

/// Turns a top-level JSON array into a whitespace-separated stream of its elements, byte
/// for byte (the `[`, `]` and top-level commas become spaces), so that serde_json's stream
/// parser reads one element at a time and its error positions stay right.
///
/// It also bounds memory: a record (array element, or top-level value of a stream of values)
/// longer than the limit is an error while it is read, before serde_json holds it whole.
pub(crate) struct ArrayElements<R> {
    inner: R,
    depth: u32,
    in_string: bool,
    escaped: bool,
    closed: bool,
    /// Nesting depth of records: 1 inside a top-level array, 0 in a stream of values.
    base: u32,
    /// Bytes of the record being read, and the most allowed.
    record_bytes: u64,
    limit: u64,
    /// Duplicate keys fail the read: the parser would keep one value unjudged.
    keys: super::dupkeys::KeyCheck,
}

impl<R> ArrayElements<R> {
    /// Wraps a reader positioned at (or before) the opening `[`; no size limit.
    #[cfg(test)]
    pub(crate) fn new(inner: R) -> Self {
        Self::with_limit(inner, true, u64::MAX)
    }

    /// Wraps a reader of a top-level array (`array`) or of a stream of values, refusing
    /// records of more than `limit` bytes.
    pub(crate) fn with_limit(inner: R, array: bool, limit: u64) -> Self {
        ArrayElements {
            inner,
            depth: 0,
            in_string: false,
            escaped: false,
            closed: false,
            base: u32::from(array),
            record_bytes: 0,
            limit,
            keys: super::dupkeys::KeyCheck::new(),
        }
    }

    fn count(&mut self, b: u8) -> io::Result<()> {
        // Inside a record, or a scalar record (a number: digits are kept as written).
        let separator = b.is_ascii_whitespace() || matches!(b, b',' | b'[' | b']');
        if self.depth > self.base || self.in_string || !separator {
            self.record_bytes += 1;
            if self.record_bytes > self.limit {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "a record longer than {} bytes (the cell limit can be raised)",
                        self.limit
                    ),
                ));
            }
        } else {
            self.record_bytes = 0;
        }
        Ok(())
    }
}

impl<R: Read> Read for ArrayElements<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for b in &mut buf[..n] {
            self.count(*b)?;
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if *b == b'\\' {
                    self.escaped = true;
                } else if *b == b'"' {
                    self.in_string = false;
                }
                continue;
            }
            if self.base == 0 {
                match *b {
                    b'"' => self.in_string = true,
                    b'[' | b'{' => self.depth += 1,
                    b']' | b'}' => self.depth = self.depth.saturating_sub(1),
                    _ => {}
                }
                continue;
            }
            if self.closed {
                if !b.is_ascii_whitespace() {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "trailing characters after the top-level array",
                    ));
                }
                continue;
            }
            match *b {
                b'"' => self.in_string = true,
                b'[' | b'{' => {
                    self.depth += 1;
                    if self.depth == 1 {
                        *b = b' ';
                    }
                }
                b']' | b'}' => {
                    if self.depth == 1 {
                        *b = b' ';
                        self.closed = true;
                    }
                    self.depth = self.depth.saturating_sub(1);
                }
                b',' if self.depth == 1 => *b = b' ',
                _ => {}
            }
        }
        if self.keys.feed(&buf[..n]).is_err() {
            return Err(io::Error::new(io::ErrorKind::InvalidData, DUPLICATE));
        }
        Ok(n)
    }
}

/// Why a record with a key written twice is refused.
const DUPLICATE: &str = "a key is written twice in one object: only one of its values would be read, so the record cannot be judged or rewritten faithfully";

impl JsonReader {
    /// Opens the input and decides between lines, array and value-stream modes.
    pub fn new(input: &Input, opts: &ReadOptions, counter: Progress) -> Result<Self, SourceError> {
        let path = input.display();
        let (mut stream, encoding) = super::open_text(input, opts, counter)?;
        let (mode, layout) = if input.format == Format::Jsonl {
            (Mode::Lines(stream), Layout::Lines)
        } else {
            // Peek the first non-blank byte: '[' is an array of records.
            let first = loop {
                let buf = stream.fill_buf().map_err(|source| SourceError::Io {
                    path: path.clone(),
                    source,
                })?;
                if buf.is_empty() {
                    break None;
                }
                let skip = buf.iter().position(|b| {
                    !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF
                });
                match skip {
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
            let array = first == Some(b'[');
            let reader: Box<dyn Read + Send> = Box::new(ArrayElements::with_limit(
                stream,
                array,
                opts.max_cell_bytes,
            ));
            (
                Mode::Values(Box::new(
                    serde_json::Deserializer::from_reader(reader).into_iter::<Value>(),
                )),
                if array { Layout::Array } else { Layout::Values },
            )
        };
        Ok(JsonReader {
            path,
            encoding,
            key_check: super::dupkeys::KeyCheck::new(),
            mode,
            layout,
            keys: KeyClass::new(opts.data_key.clone()),
            columns: Vec::new(),
            ids: HashMap::new(),
            builder: BatchBuilder::new(0),
            raw: RawValues::default(),
            opts: opts.clone(),
            stats: ReadStats::default(),
            line: 0,
            rows: 0,
            line_buf: Vec::new(),
            blank: Vec::new(),
            done: false,
        })
    }

    /// How the file lays out its records.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// The key test this reader names columns with.
    pub fn keys(&self) -> &KeyClass {
        &self.keys
    }

    /// JSON Lines: blank lines after the last record (complete once the reader is done).
    pub fn trailer(&self) -> &[u8] {
        &self.blank
    }

    /// Reads one line into `line_buf` without letting it grow past the limit.
    fn read_line(&mut self) -> Result<bool, SourceError> {
        let Mode::Lines(r) = &mut self.mode else {
            return Ok(false);
        };
        self.line_buf.clear();
        self.line += 1;
        loop {
            let buf = r.fill_buf().map_err(|source| SourceError::Io {
                path: self.path.clone(),
                source,
            })?;
            if buf.is_empty() {
                return Ok(!self.line_buf.is_empty());
            }
            let (take, found) = match memchr::memchr(b'\n', buf) {
                Some(i) => (i + 1, true),
                None => (buf.len(), false),
            };
            if (self.line_buf.len() + take) as u64 > self.opts.max_cell_bytes {
                return Err(SourceError::TooLarge {
                    path: self.path.clone(),
                    location: format!("line {}", self.line),
                    what: "line",
                    size: (self.line_buf.len() + take) as u64,
                    limit: self.opts.max_cell_bytes,
                });
            }
            self.line_buf.extend_from_slice(&buf[..take]);
            r.consume(take);
            if found {
                return Ok(true);
            }
        }
    }

    fn next_value(&mut self) -> Result<Option<Value>, SourceError> {
        loop {
            match &mut self.mode {
                Mode::Lines(_) => {
                    if !self.read_line()? {
                        return Ok(None);
                    }
                    let text = self.line_buf.trim_ascii();
                    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
                    if text.is_empty() {
                        if self.opts.keep_raw {
                            self.blank.extend_from_slice(&self.line_buf);
                        }
                        continue;
                    }
                    self.key_check.reset();
                    let parsed = match self.key_check.feed(text) {
                        Ok(()) => serde_json::from_slice::<Value>(text).map_err(|e| e.to_string()),
                        Err(_) => Err(DUPLICATE.to_string()),
                    };
                    match parsed {
                        Ok(v) => return Ok(Some(v)),
                        // A skipped line is never written out by a rewrite: its values were
                        // not scanned.
                        Err(_) if self.opts.lenient => self.stats.skipped_records += 1,
                        Err(message) => {
                            return Err(SourceError::Malformed {
                                path: self.path.clone(),
                                location: format!("line {}", self.line),
                                message,
                            });
                        }
                    }
                }
                Mode::Values(stream) => {
                    return match stream.next() {
                        None => Ok(None),
                        Some(Ok(v)) => Ok(Some(v)),
                        Some(Err(e)) => Err(SourceError::Malformed {
                            path: self.path.clone(),
                            // I/O errors (the array adapter's) carry no position.
                            location: if e.line() == 0 {
                                format!("after record {}", self.rows)
                            } else {
                                format!(
                                    "record {} (line {}, column {})",
                                    self.rows,
                                    e.line(),
                                    e.column()
                                )
                            },
                            message: e.to_string(),
                        }),
                    };
                }
            }
        }
    }

    fn read_batch(&mut self) -> Result<Option<Batch>, SourceError> {
        let mut path = String::new();
        while !self.done && !self.builder.is_full() {
            if self.opts.max_rows.is_some_and(|m| self.rows >= m) {
                self.done = true;
                break;
            }
            let Some(mut v) = self.next_value()? else {
                self.done = true;
                break;
            };
            path.clear();
            let mut collect = Collect {
                columns: &mut self.columns,
                ids: &mut self.ids,
                builder: &mut self.builder,
            };
            walk(&mut v, &mut path, &self.keys, &mut collect);
            self.builder.end_row();
            self.rows += 1;
            if self.opts.keep_raw {
                if self.layout == Layout::Lines {
                    let start = self.raw.lines.len();
                    self.raw.lines.append(&mut self.blank);
                    self.raw.lines.extend_from_slice(&self.line_buf);
                    self.raw.line_ranges.push((start, self.raw.lines.len()));
                }
                self.raw.values.push(v);
            }
        }
        if self.builder.rows() == 0 {
            return Ok(None);
        }
        let mut batch = self.builder.take();
        if self.opts.keep_raw {
            batch.raw = Some(RawRecords::Json(std::mem::take(&mut self.raw)));
        }
        Ok(Some(batch))
    }
}

/// Whether an object key reads as a field name rather than as data: at most 64 characters of
/// letters, digits, `_`, `-`, `$`, `#` or spaces, starting with a letter or `_`/`$`/`#`/`@`
/// (JSON-LD), with at most four digits and no `@` after the first character.
pub(crate) fn is_field_name(k: &str) -> bool {
    let mut chars = k.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    k.len() <= 64
        && (first.is_alphabetic() || matches!(first, '_' | '$' | '#' | '@'))
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '$' | '#' | ' '))
        && k.chars().filter(char::is_ascii_digit).count() <= 4
}

impl BatchReader for JsonReader {
    fn encoding(&self) -> &'static encoding_rs::Encoding {
        self.encoding
    }

    fn next_batches(&mut self, n: usize) -> Result<Vec<Batch>, SourceError> {
        super::batches_of(n, || self.read_batch())
    }

    fn columns(&self) -> &[String] {
        &self.columns
    }

    fn stats(&self) -> ReadStats {
        self.stats.clone()
    }

    fn as_json(&self) -> Option<&JsonReader> {
        Some(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_adapter_blanks_only_top_level_syntax() {
        let src = br#"[{"a":[1,2],"b":"x,]"} , {"c":{}}]"#;
        let mut r = ArrayElements::new(&src[..]);
        let mut out = String::new();
        r.read_to_string(&mut out).unwrap();
        assert_eq!(out, r#" {"a":[1,2],"b":"x,]"}   {"c":{}} "#);
    }

    #[test]
    fn records_over_the_limit_are_refused_while_read() {
        let read = |src: &[u8], array: bool, limit: u64| {
            let mut out = Vec::new();
            ArrayElements::with_limit(src, array, limit)
                .read_to_end(&mut out)
                .map(|_| out)
        };
        let ok = br#"[{"a":"0123456789"}, {"b":1}]"#;
        assert!(read(ok, true, 20).is_ok());
        assert!(read(ok, true, 10).is_err());
        let stream = br#"{"a":"0123456789"} {"b":1} "#;
        assert_eq!(read(stream, false, 20).unwrap(), stream.to_vec());
        assert!(read(stream, false, 10).is_err());
        // A top-level array of huge strings or numbers counts them.
        assert!(read(br#"["0123456789abcdef"]"#, true, 10).is_err());
        assert!(read(br#"[12345678901234567890, 1]"#, true, 10).is_err());
        assert!(read(br#"12345678901234567890"#, false, 10).is_err());
        assert!(read(br#"[1234, 5678, 9012]"#, true, 10).is_ok());
    }

    #[test]
    fn data_keys_are_not_field_names() {
        assert!(is_field_name("email"));
        assert!(is_field_name("address_line_1"));
        assert!(is_field_name("@type"));
        assert!(!is_field_name("jane.doe@example.com"));
        assert!(!is_field_name("2024-01-05"));
        assert!(!is_field_name("4111111111111111"));
        assert!(!is_field_name(""));
    }

    #[test]
    fn array_adapter_rejects_trailing_garbage() {
        let src = br#"[{"a":1}] x"#;
        let mut r = ArrayElements::new(&src[..]);
        let mut out = String::new();
        assert!(r.read_to_string(&mut out).is_err());
    }
}
