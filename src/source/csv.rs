//! CSV / TSV reader: header row, sniffed or given delimiter, RFC 4180 quoting (fields with
//! embedded delimiters, quotes and newlines), UTF-8 BOM stripped, cells kept as raw bytes
//! (invalid UTF-8 is counted by the scanner, never a crash). A record whose field count differs
//! from the header is an error naming the line, or with `--lenient` is scanned and counted.

use super::{
    Batch, BatchBuilder, BatchReader, Input, Progress, ReadOptions, ReadStats, SourceError,
};
use std::io::BufRead;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

/// Streaming CSV reader producing column-major batches.
pub struct CsvReader {
    path: String,
    reader: csv::Reader<Box<dyn BufRead + Send>>,
    record: csv::ByteRecord,
    columns: Vec<String>,
    header_len: usize,
    builder: BatchBuilder,
    opts: ReadOptions,
    stats: ReadStats,
    rows: u64,
    done: bool,
    /// Last non-blank byte of the input read so far (kept by [`LineLimit`]).
    last_byte: Arc<AtomicU8>,
    /// Line of the last record if its last field spans lines.
    last_multiline: Option<u64>,
}

/// Picks the delimiter that occurs most often (outside quotes) in the first line.
pub fn sniff_delimiter(head: &[u8]) -> u8 {
    let line_end = head.iter().position(|&b| b == b'\n').unwrap_or(head.len());
    let line = &head[..line_end];
    let mut best = (b',', 0usize);
    for d in [b',', b'\t', b';', b'|'] {
        let mut in_quotes = false;
        let mut n = 0;
        for &b in line {
            if b == b'"' {
                in_quotes = !in_quotes;
            } else if b == d && !in_quotes {
                n += 1;
            }
        }
        if n > best.1 {
            best = (d, n);
        }
    }
    best.0
}

impl CsvReader {
    /// Opens the input and reads its header row.
    pub fn new(input: &Input, opts: &ReadOptions, counter: Progress) -> Result<Self, SourceError> {
        let path = input.display();
        let stream = super::open_stream(input, counter)?;
        // A physical line longer than the cell limit is refused while it is read, so a huge
        // line (or a decompression bomb of one) never sits whole in memory.
        let last_byte = Arc::new(AtomicU8::new(0));
        let mut stream: Box<dyn BufRead + Send> = Box::new(std::io::BufReader::with_capacity(
            1 << 16,
            LineLimit {
                inner: stream,
                limit: opts.max_cell_bytes,
                run: 0,
                last: Some(Arc::clone(&last_byte)),
            },
        ));
        let delimiter = match opts.delimiter {
            Some(d) => d,
            None => {
                let head = stream.fill_buf().map_err(|source| SourceError::Io {
                    path: path.clone(),
                    source,
                })?;
                if path.to_ascii_lowercase().contains(".tsv") {
                    b'\t'
                } else {
                    sniff_delimiter(head)
                }
            }
        };
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .buffer_capacity(1 << 16)
            .from_reader(stream);
        let mut this = CsvReader {
            path,
            reader,
            record: csv::ByteRecord::new(),
            columns: Vec::new(),
            header_len: 0,
            builder: BatchBuilder::new(0),
            opts: opts.clone(),
            stats: ReadStats::default(),
            rows: 0,
            done: false,
            last_byte,
            last_multiline: None,
        };
        this.read_header()?;
        Ok(this)
    }

    fn malformed(&self, err: &csv::Error) -> SourceError {
        let location = match err.position() {
            Some(p) => format!("line {}", p.line()),
            None if self.columns.is_empty() => "header".to_string(),
            None => format!("after row {}", self.rows),
        };
        SourceError::Malformed {
            path: self.path.clone(),
            location,
            message: err.to_string(),
        }
    }

    fn read_header(&mut self) -> Result<(), SourceError> {
        let mut header = csv::ByteRecord::new();
        match self.reader.read_byte_record(&mut header) {
            Ok(true) => {}
            Ok(false) => {
                self.done = true; // empty file: no header, no rows
                return Ok(());
            }
            Err(e) => return Err(self.malformed(&e)),
        }
        for (i, field) in header.iter().enumerate() {
            let field = if i == 0 {
                field.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(field)
            } else {
                field
            };
            let name = String::from_utf8_lossy(field).trim().to_string();
            self.columns.push(if name.is_empty() {
                format!("column_{}", i + 1)
            } else {
                name
            });
        }
        self.header_len = self.columns.len();
        Ok(())
    }

    fn read_batch(&mut self) -> Result<Option<Batch>, SourceError> {
        while !self.done && !self.builder.is_full() {
            if self.opts.max_rows.is_some_and(|m| self.rows >= m) {
                self.done = true;
                break;
            }
            match self.reader.read_byte_record(&mut self.record) {
                Ok(true) => {}
                Ok(false) => {
                    self.done = true;
                    // A quote left open in the last field swallows the rest of the file
                    // without an error from the parser: the input then ends on another byte
                    // than the closing quote.
                    if let Some(line) = self.last_multiline
                        && self.last_byte.load(Ordering::Relaxed) != b'"'
                        && !self.opts.lenient
                    {
                        return Err(SourceError::Malformed {
                            path: self.path.clone(),
                            location: format!("line {line}"),
                            message: "a quoted field opened on this line is never closed (it runs to the end of the file; --lenient scans it as one cell)".into(),
                        });
                    }
                    break;
                }
                Err(e) => return Err(self.malformed(&e)),
            }
            let line = self.record.position().map_or(0, csv::Position::line);
            self.last_multiline = self
                .record
                .iter()
                .next_back()
                .is_some_and(|f| f.contains(&b'\n'))
                .then_some(line);
            let n = self.record.len();
            if n != self.header_len {
                // A blank line reads as one empty field: skip it, like most CSV tools.
                if n == 1 && self.record.get(0).is_some_and(<[u8]>::is_empty) {
                    continue;
                }
                if !self.opts.lenient {
                    // A quote opened and never closed swallows the following lines into one
                    // field: say so, not only "wrong field count".
                    if self.record.iter().any(|f| f.contains(&b'\n')) {
                        return Err(SourceError::Malformed {
                            path: self.path.clone(),
                            location: format!("line {line}"),
                            message: format!(
                                "expected {} fields (as in the header), found {n}, one of them running on to line {}: is a quote opened on line {line} never closed?",
                                self.header_len,
                                self.reader.position().line()
                            ),
                        });
                    }
                    return Err(SourceError::Ragged {
                        path: self.path.clone(),
                        line,
                        expected: self.header_len,
                        found: n,
                    });
                }
                self.stats.ragged_rows += 1;
                while self.columns.len() < n {
                    self.columns
                        .push(format!("column_{}", self.columns.len() + 1));
                }
            }
            for (i, field) in self.record.iter().enumerate() {
                if field.len() as u64 > self.opts.max_cell_bytes {
                    return Err(SourceError::TooLarge {
                        path: self.path.clone(),
                        location: format!("line {line}, column {}", i + 1),
                        what: "cell",
                        size: field.len() as u64,
                        limit: self.opts.max_cell_bytes,
                    });
                }
                if !field.is_empty() {
                    self.builder.push(i as u32, field);
                }
            }
            self.builder.end_row();
            self.rows += 1;
        }
        Ok((self.builder.rows() > 0).then(|| self.builder.take()))
    }
}

impl BatchReader for CsvReader {
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
    fn sniffs() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1,2,3"), b',');
        assert_eq!(sniff_delimiter(b"a\tb\tc\n"), b'\t');
        assert_eq!(sniff_delimiter(b"\"x;y\",b;c;d\n"), b';');
        assert_eq!(sniff_delimiter(b"only"), b',');
    }
}

/// Fails a read once a line (bytes between newlines) exceeds `limit`.
struct LineLimit<R> {
    inner: R,
    limit: u64,
    run: u64,
    /// Where to keep the last non-blank byte read.
    last: Option<Arc<AtomicU8>>,
}

impl<R: std::io::Read> std::io::Read for LineLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(last) = &self.last
            && let Some(&b) = buf[..n].iter().rev().find(|b| !b.is_ascii_whitespace())
        {
            last.store(b, Ordering::Relaxed);
        }
        for &b in &buf[..n] {
            if b == b'\n' {
                self.run = 0;
            } else {
                self.run += 1;
                if self.run > self.limit {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!(
                            "a line longer than {} bytes (raise --max-cell-bytes to accept it)",
                            self.limit
                        ),
                    ));
                }
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod limit_tests {
    use super::LineLimit;
    use std::io::Read;

    #[test]
    fn long_lines_are_refused() {
        let data = b"short\nthis line is far too long\nok\n";
        let mut r = LineLimit {
            inner: &data[..],
            limit: 10,
            run: 0,
            last: None,
        };
        let mut out = Vec::new();
        assert!(r.read_to_end(&mut out).is_err());
        let mut r = LineLimit {
            inner: &data[..],
            limit: 40,
            run: 0,
            last: None,
        };
        assert!(r.read_to_end(&mut out).is_ok());
    }
}
