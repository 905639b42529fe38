//! JSON reader: JSON Lines (`.jsonl`, `.ndjson`: one value per line), and JSON documents
//! (`.json`: a top-level array of objects, or one or more concatenated objects). Nested values
//! become column paths: `user.contact.email`, `devices[].ip`. Strings and numbers are cells;
//! booleans and nulls are not. Streams: a top-level array is read element by element, never
//! loaded whole. Nesting deeper than serde_json's limit (128) is an error, not a stack overflow.

use super::{
    Batch, BatchBuilder, BatchReader, Format, Input, Progress, ReadOptions, ReadStats, SourceError,
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

/// Streaming JSON / JSON Lines reader.
pub struct JsonReader {
    path: String,
    mode: Mode,
    columns: Vec<String>,
    ids: HashMap<String, u32>,
    builder: BatchBuilder,
    opts: ReadOptions,
    stats: ReadStats,
    line: u64,
    rows: u64,
    line_buf: Vec<u8>,
    num_buf: String,
    done: bool,
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
}

impl<R> ArrayElements<R> {
    /// Wraps a reader positioned at (or before) the opening `[`; no size limit.
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
                        "a record longer than {} bytes (raise the limit with --max-cell-bytes)",
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
        Ok(n)
    }
}

impl JsonReader {
    /// Opens the input and decides between lines, array and value-stream modes.
    pub fn new(input: &Input, opts: &ReadOptions, counter: Progress) -> Result<Self, SourceError> {
        let path = input.display();
        let mut stream = super::open_stream(input, counter)?;
        let mode = if input.format == Format::Jsonl {
            Mode::Lines(stream)
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
            let reader: Box<dyn Read + Send> = Box::new(ArrayElements::with_limit(
                stream,
                first == Some(b'['),
                opts.max_cell_bytes,
            ));
            Mode::Values(Box::new(
                serde_json::Deserializer::from_reader(reader).into_iter::<Value>(),
            ))
        };
        Ok(JsonReader {
            path,
            mode,
            columns: Vec::new(),
            ids: HashMap::new(),
            builder: BatchBuilder::new(0),
            opts: opts.clone(),
            stats: ReadStats::default(),
            line: 0,
            rows: 0,
            line_buf: Vec::new(),
            num_buf: String::new(),
            done: false,
        })
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
                        continue;
                    }
                    match serde_json::from_slice::<Value>(text) {
                        Ok(v) => return Ok(Some(v)),
                        Err(e) if self.opts.lenient => {
                            let _ = e;
                            self.stats.skipped_records += 1;
                        }
                        Err(e) => {
                            return Err(SourceError::Malformed {
                                path: self.path.clone(),
                                location: format!("line {}", self.line),
                                message: e.to_string(),
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

    fn column_id(&mut self, path: &str) -> u32 {
        if let Some(&id) = self.ids.get(path) {
            return id;
        }
        let id = self.columns.len() as u32;
        self.columns.push(path.to_string());
        self.ids.insert(path.to_string(), id);
        id
    }

    fn walk(&mut self, v: &Value, path: &mut String) {
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    if is_field_name(k) {
                        path.push_str(k);
                        self.walk(child, path);
                    } else {
                        // A map keyed by data (`{"jane@example.com": 12}`, dates, ids): the
                        // key is a value, scanned like one, and never becomes a column name
                        // (names are printed unmasked, and one column per key is unbounded).
                        path.push_str("{key}");
                        let id = self.column_id(path);
                        self.builder.push(id, k.as_bytes());
                        path.truncate(len);
                        if !path.is_empty() {
                            path.push('.');
                        }
                        path.push_str("{value}");
                        self.walk(child, path);
                    }
                    path.truncate(len);
                }
            }
            Value::Array(items) => {
                let len = path.len();
                path.push_str("[]");
                for item in items {
                    self.walk(item, path);
                }
                path.truncate(len);
            }
            Value::String(s) => {
                let id = self.column_id(if path.is_empty() { "value" } else { path });
                self.builder.push(id, s.as_bytes());
            }
            Value::Number(n) => {
                use std::fmt::Write;
                let id = self.column_id(if path.is_empty() { "value" } else { path });
                self.num_buf.clear();
                let _ = write!(self.num_buf, "{n}");
                let bytes = std::mem::take(&mut self.num_buf);
                self.builder.push(id, bytes.as_bytes());
                self.num_buf = bytes;
            }
            Value::Bool(_) | Value::Null => {}
        }
    }

    fn read_batch(&mut self) -> Result<Option<Batch>, SourceError> {
        let mut path = String::new();
        while !self.done && !self.builder.is_full() {
            if self.opts.max_rows.is_some_and(|m| self.rows >= m) {
                self.done = true;
                break;
            }
            let Some(v) = self.next_value()? else {
                self.done = true;
                break;
            };
            path.clear();
            self.walk(&v, &mut path);
            self.builder.end_row();
            self.rows += 1;
        }
        Ok((self.builder.rows() > 0).then(|| self.builder.take()))
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
    fn next_batches(&mut self, n: usize) -> Result<Vec<Batch>, SourceError> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            match self.read_batch()? {
                Some(b) => out.push(b),
                None => break,
            }
        }
        Ok(out)
    }

    fn columns(&self) -> &[String] {
        &self.columns
    }

    fn stats(&self) -> ReadStats {
        self.stats.clone()
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
