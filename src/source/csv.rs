//! CSV / TSV: one parser for every pass. `csv-core` (the state machine under the `csv` crate)
//! reads one field at a time, which gives each field's unescaped value *and* its raw bytes, so
//! the scan and the pseudonymizer see the same records and the same cells by construction,
//! and untouched fields are written back byte for byte.
//!
//! Dialect: a header row; the delimiter given, or `\t` for `.tsv`/`.tab` and `|` for `.psv`
//! files (the file name's extension only, never a folder's), or sniffed from the header line;
//! RFC 4180 quoting (embedded delimiters, quotes and newlines); CRLF, LF and CR-only line ends;
//! a UTF-8 BOM; a stray `"` inside an unquoted field is part of the field. Cells stay raw
//! bytes (invalid UTF-8 is counted by the scanner, never a crash). A record whose field count
//! differs from the header is an error naming the line, or with `--lenient` is read and
//! counted. A record longer than `--max-cell-bytes` is refused while it is read.

use super::{
    Batch, BatchBuilder, BatchReader, Input, Progress, RawRecords, ReadOptions, ReadStats,
    SourceError,
};
use std::io::BufRead;

/// Picks the delimiter that occurs most often (outside quotes) in the first line: `,` `\t`
/// `;` `|`, or the `\x01` of Hive's text tables and the `\x1f` unit separator of other dumps.
pub fn sniff_delimiter(head: &[u8]) -> u8 {
    let line_end = head
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .unwrap_or(head.len());
    let line = &head[..line_end];
    let mut best = (b',', 0usize);
    for d in [b',', b'\t', b';', b'|', 0x01, 0x1f] {
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

/// The delimiter implied by a file name's extension (`a.tsv`, `a.tab.gz`), if any. Only the
/// file name counts: a folder named `exports.tsv.d/` says nothing about the files in it.
pub fn delimiter_from_name(path: &std::path::Path) -> Option<u8> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    let stem = name
        .strip_suffix(".gz")
        .or_else(|| name.strip_suffix(".zst"))
        .or_else(|| name.strip_suffix(".zstd"))
        .unwrap_or(&name);
    match stem.rsplit_once('.')?.1 {
        "tsv" | "tab" => Some(b'\t'),
        "psv" => Some(b'|'),
        _ => None,
    }
}

/// One record as read: its raw bytes and, per field, the raw range and the value. Buffers are
/// reused from record to record.
#[derive(Debug, Default, Clone)]
pub struct Record {
    /// Raw bytes: line ends left over from the previous record (and skipped blank lines),
    /// the fields with their delimiters, and the line end that closed the record.
    pub raw: Vec<u8>,
    /// Where the first field starts in `raw` (after the leftover line ends).
    pub body_start: usize,
    /// Per field, its raw bytes in `raw` (quotes included, delimiter and line end excluded).
    pub fields: Vec<(usize, usize)>,
    /// Unescaped field values, concatenated (a buffer: only `..ends.last()` is meaningful).
    values: Vec<u8>,
    /// Per field, the end of its value in `values`.
    ends: Vec<usize>,
    /// 1-based line where the record starts.
    pub line: u64,
}

impl Record {
    /// Number of fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the record has no field.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The unescaped value of field `i`.
    pub fn value(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.values[start..self.ends[i]]
    }

    /// The unescaped values.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &[u8]> + '_ {
        (0..self.len()).map(|i| self.value(i))
    }

    /// The raw bytes of field `i` (quotes included).
    pub fn raw_field(&self, i: usize) -> &[u8] {
        let (s, e) = self.fields[i];
        &self.raw[s..e]
    }

    /// The line end after the last field.
    pub fn line_end(&self) -> &[u8] {
        let end = self.fields.last().map_or(self.body_start, |f| f.1);
        &self.raw[end..]
    }

    fn clear(&mut self) {
        self.raw.clear();
        self.body_start = 0;
        self.fields.clear();
        self.ends.clear();
        self.line = 0;
    }
}

/// The raw records of a batch, for writers that rebuild them (pseudonymize): one buffer for
/// all rows, untouched fields copied from it byte for byte.
#[derive(Debug, Default, Clone)]
pub struct RawRows {
    data: Vec<u8>,
    /// Per row: start of its raw bytes, start of its first field, first index in `fields`.
    rows: Vec<(usize, usize, usize)>,
    /// Field ranges in `data`.
    fields: Vec<(usize, usize)>,
}

/// One raw row of [`RawRows`].
#[derive(Debug, Clone, Copy)]
pub struct RawRow<'a> {
    /// The row's bytes, from the line ends before it to its own line end.
    pub raw: &'a [u8],
    /// Where its first field starts in `raw`.
    pub body_start: usize,
    /// Field ranges in `raw`.
    fields: &'a [(usize, usize)],
    base: usize,
}

impl<'a> RawRow<'a> {
    /// Number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether the row has no field.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The raw bytes of field `i`.
    pub fn field(&self, i: usize) -> &'a [u8] {
        let (s, e) = self.fields[i];
        &self.raw[s - self.base..e - self.base]
    }

    /// The bytes after the last field (its line end).
    pub fn line_end(&self) -> &'a [u8] {
        let end = self
            .fields
            .last()
            .map_or(self.base + self.body_start, |f| f.1);
        &self.raw[end - self.base..]
    }
}

impl RawRows {
    fn push(&mut self, prefix: &[u8], rec: &Record) {
        let start = self.data.len();
        self.data.extend_from_slice(prefix);
        let base = self.data.len();
        self.data.extend_from_slice(&rec.raw);
        let first = self.fields.len();
        self.fields
            .extend(rec.fields.iter().map(|&(s, e)| (base + s, base + e)));
        self.rows.push((start, base + rec.body_start, first));
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Row `i`.
    pub fn row(&self, i: usize) -> RawRow<'_> {
        let (start, body, first) = self.rows[i];
        let (end, last) = match self.rows.get(i + 1) {
            Some(&(next, _, f)) => (next, f),
            None => (self.data.len(), self.fields.len()),
        };
        RawRow {
            raw: &self.data[start..end],
            body_start: body - start,
            fields: &self.fields[first..last],
            base: start,
        }
    }
}

/// Reads records one at a time with `csv-core`, keeping raw bytes and values.
pub struct Records {
    path: String,
    stream: Box<dyn BufRead + Send>,
    core: csv_core::Reader,
    limit: u64,
    /// Completed lines before the current position.
    lines: u64,
    /// The previous raw byte was `\r` (for counting CR-only line ends).
    after_cr: bool,
    /// Bytes after the last record (trailing blank lines).
    pub trailer: Vec<u8>,
    done: bool,
}

impl Records {
    /// Reads records of `stream` split on `delimiter`; `limit` bounds one record's bytes.
    pub fn new(path: String, stream: Box<dyn BufRead + Send>, delimiter: u8, limit: u64) -> Self {
        Records {
            path,
            stream,
            core: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            limit,
            lines: 0,
            after_cr: false,
            trailer: Vec::new(),
            done: false,
        }
    }

    fn count_lines(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if b == b'\n' {
                self.lines += 1;
            } else if self.after_cr {
                // A `\r` not followed by `\n` ended a line (CR-only files).
                self.lines += 1;
            }
            self.after_cr = b == b'\r';
        }
    }

    /// Counts `n` lines read before this reader's stream began (an Excel `sep=` line).
    pub fn skip_lines(&mut self, n: u64) {
        self.lines += n;
    }

    /// Reads the next record into `rec`; `false` at the end of the input.
    pub fn next(&mut self, rec: &mut Record) -> Result<bool, SourceError> {
        rec.clear();
        if self.done {
            return Ok(false);
        }
        let mut field_start = 0usize;
        let mut out_len = 0usize;
        let mut first = true;
        loop {
            let buf = self.stream.fill_buf().map_err(|source| SourceError::Io {
                path: self.path.clone(),
                source,
            })?;
            if rec.values.len() < out_len + 1024 {
                let grown = (out_len + 1024).max(rec.values.len() * 2);
                rec.values.resize(grown, 0);
            }
            let at_eof = buf.is_empty();
            let (res, nin, nout) = self.core.read_field(buf, &mut rec.values[out_len..]);
            rec.raw.extend_from_slice(&buf[..nin]);
            self.stream.consume(nin);
            out_len += nout;
            if rec.raw.len() as u64 > self.limit {
                return Err(SourceError::Malformed {
                    path: self.path.clone(),
                    location: format!("line {}", self.lines + 1),
                    message: format!(
                        "a record longer than {} bytes (the cell limit can be raised)",
                        self.limit
                    ),
                });
            }
            match res {
                csv_core::ReadFieldResult::InputEmpty | csv_core::ReadFieldResult::OutputFull => {}
                csv_core::ReadFieldResult::Field { record_end } => {
                    let mut s = field_start;
                    if first {
                        // Line ends left over from the previous record, and blank lines.
                        while s < rec.raw.len() && matches!(rec.raw[s], b'\r' | b'\n') {
                            s += 1;
                        }
                        rec.body_start = s;
                        let before = rec.raw[..s].to_vec();
                        self.count_lines(&before);
                        if self.after_cr {
                            // A `\r` before the body ended a line: no `\n` follows it.
                            self.lines += 1;
                            self.after_cr = false;
                        }
                        rec.line = self.lines + 1;
                        first = false;
                    }
                    let mut e = rec.raw.len();
                    if record_end {
                        // A record ended by its line end: that is not part of the field. One
                        // ended by the end of the input keeps its bytes (a quote left open).
                        while !at_eof && e > s && matches!(rec.raw[e - 1], b'\r' | b'\n') {
                            e -= 1;
                        }
                    } else {
                        e -= 1; // the delimiter
                    }
                    let counted = rec.raw[s..].to_vec();
                    self.count_lines(&counted);
                    rec.fields.push((s, e));
                    rec.ends.push(out_len);
                    field_start = rec.raw.len();
                    if record_end {
                        return Ok(true);
                    }
                }
                csv_core::ReadFieldResult::End => {
                    self.done = true;
                    self.trailer = std::mem::take(&mut rec.raw);
                    rec.clear();
                    return Ok(false);
                }
            }
        }
    }
}

/// The header of a CSV file: raw record and column names.
#[derive(Debug, Default, Clone)]
pub struct Header {
    /// Bytes before the header (a byte order mark and Excel's `sep=;` line), written back
    /// as they were.
    pub preamble: Vec<u8>,
    /// The header record as read (BOM included); empty when the file has no header.
    pub record: Record,
    /// Column names: BOM stripped, trimmed, `column_N` when empty.
    pub names: Vec<String>,
}

/// Records read ahead of the first to decide whether it is the header.
pub const LOOK_AHEAD: usize = 200;

/// Streaming CSV reader producing column-major batches (and, with `keep_raw`, the records).
pub struct CsvReader {
    encoding: &'static encoding_rs::Encoding,
    path: String,
    records: Records,
    record: Record,
    header: Header,
    columns: Vec<String>,
    delimiter: u8,
    builder: BatchBuilder,
    /// Records read ahead to decide whether the first one is the header, not yet batched.
    ahead: std::collections::VecDeque<Record>,
    /// Long format: the key and value fields; each value is a cell of the column named
    /// after its key ([`super::eav`]), with an id past the header's.
    eav: Option<(usize, usize)>,
    /// Column ids of the key-named value columns.
    eav_ids: std::collections::HashMap<String, u32>,
    raw: RawRows,
    /// Raw bytes of skipped lines, written before the next record.
    pending_prefix: Vec<u8>,
    opts: ReadOptions,
    stats: ReadStats,
    rows: u64,
    done: bool,
}

impl CsvReader {
    /// Opens the input and reads its header row.
    pub fn new(input: &Input, opts: &ReadOptions, counter: Progress) -> Result<Self, SourceError> {
        let path = input.display();
        let (mut stream, encoding) = super::open_text(input, opts, counter)?;
        let io_err = |source| SourceError::Io {
            path: path.clone(),
            source,
        };
        // Excel's `sep=;` line names the delimiter and is not the header.
        let head = stream.fill_buf().map_err(io_err)?;
        let bom = if head.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        let mut preamble = Vec::new();
        let mut excel = None;
        if let Some((d, len)) = super::header::excel_sep_line(&head[bom..]) {
            preamble = head[..bom + len].to_vec();
            stream.consume(bom + len);
            excel = Some(d);
        }
        let delimiter = match (opts.delimiter, excel) {
            (Some(d), Some(e)) if d != e => {
                return Err(SourceError::Malformed {
                    path,
                    location: "line 1".into(),
                    message: format!(
                        "the file's first line says sep={}, but the delimiter given is {:?}",
                        e as char, d as char
                    ),
                });
            }
            (_, Some(e)) => e,
            (Some(d), None) => d,
            (None, None) => match delimiter_from_name(&input.path) {
                Some(d) => d,
                None => sniff_delimiter(stream.fill_buf().map_err(io_err)?),
            },
        };
        let mut records = Records::new(path.clone(), stream, delimiter, opts.max_cell_bytes);
        if excel.is_some() {
            records.skip_lines(1);
        }
        let mut this = CsvReader {
            records,
            path,
            encoding,
            record: Record::default(),
            header: Header::default(),
            columns: Vec::new(),
            delimiter,
            builder: BatchBuilder::new(0),
            ahead: std::collections::VecDeque::new(),
            eav: None,
            eav_ids: std::collections::HashMap::new(),
            raw: RawRows::default(),
            pending_prefix: Vec::new(),
            opts: opts.clone(),
            stats: ReadStats::default(),
            rows: 0,
            done: false,
        };
        this.read_header(preamble)?;
        Ok(this)
    }

    /// The delimiter in use.
    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// The header as read.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Bytes after the last record (skipped and trailing blank lines); complete once the
    /// reader is done.
    pub fn trailer(&self) -> Vec<u8> {
        let mut t = self.pending_prefix.clone();
        t.extend_from_slice(&self.records.trailer);
        t
    }

    /// Reads the first record and decides whether it is the header (reading up to
    /// [`LOOK_AHEAD`] records ahead to compare it with).
    fn read_header(&mut self, preamble: Vec<u8>) -> Result<(), SourceError> {
        let mut rec = Record::default();
        if !self.records.next(&mut rec)? {
            self.done = true; // empty file: no header, no rows
            self.header.preamble = preamble;
            return Ok(());
        }
        let has_header = match self.opts.header {
            super::HeaderMode::Present => true,
            super::HeaderMode::Absent => false,
            super::HeaderMode::Detect => {
                while self.ahead.len() < LOOK_AHEAD {
                    let mut next = Record::default();
                    if !self.records.next(&mut next)? {
                        break;
                    }
                    self.ahead.push_back(next);
                }
                let unbom = |i: usize, v: &'_ [u8]| -> Vec<u8> {
                    if i == 0 {
                        v.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(v).to_vec()
                    } else {
                        v.to_vec()
                    }
                };
                let first: Vec<Vec<u8>> =
                    rec.values().enumerate().map(|(i, v)| unbom(i, v)).collect();
                let first: Vec<&[u8]> = first.iter().map(Vec::as_slice).collect();
                let rows: Vec<Vec<&[u8]>> = self
                    .ahead
                    .iter()
                    .filter(|r| !(r.len() == 1 && r.value(0).is_empty()))
                    .map(|r| r.values().collect())
                    .collect();
                match super::header::classify(&first, &rows) {
                    super::header::FirstRecord::Header => true,
                    super::header::FirstRecord::Data => false,
                    super::header::FirstRecord::Unknown => {
                        return Err(SourceError::Malformed {
                            path: self.path.clone(),
                            location: format!("line {}", rec.line),
                            message: "cannot tell whether the first record is a header or a row of data (its fields match neither column names nor the values below them): say which with --header or --no-header".into(),
                        });
                    }
                }
            }
        };
        if !has_header {
            // Every record is data: the first goes back in front of the look-ahead.
            self.columns = (1..=rec.len()).map(|i| format!("column_{i}")).collect();
            self.header = Header {
                preamble,
                record: Record::default(),
                names: self.columns.clone(),
            };
            self.ahead.push_front(rec);
            self.eav = self.long_format_by_values();
            return Ok(());
        }
        for (i, field) in rec.values().enumerate() {
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
        self.header = Header {
            preamble,
            record: rec,
            names: self.columns.clone(),
        };
        // A lenient read names the fields of long rows past the header's: no long format.
        if !self.opts.lenient {
            self.eav = super::eav::pair(self.columns.iter().map(String::as_str))
                .or_else(|| self.long_format_by_values());
        }
        Ok(())
    }

    /// Long format told by the values of the records read ahead ([`super::eav::pair_by_values`]).
    fn long_format_by_values(&self) -> Option<(usize, usize)> {
        if self.opts.lenient {
            return None;
        }
        let rows: Vec<Vec<&[u8]>> = self.ahead.iter().map(|r| r.values().collect()).collect();
        super::eav::pair_by_values(&rows)
    }

    /// Long format: the key and value fields (column ids past the header's are value
    /// cells named after their keys, written back into the value field).
    pub fn long_format(&self) -> Option<(usize, usize)> {
        self.eav
    }

    /// Whether the file was read with a header row.
    pub fn has_header(&self) -> bool {
        !self.header.record.is_empty()
    }

    /// The next record into `self.record`, from the look-ahead first.
    fn next_record(&mut self) -> Result<bool, SourceError> {
        if let Some(r) = self.ahead.pop_front() {
            self.record = r;
            return Ok(true);
        }
        self.records.next(&mut self.record)
    }

    fn unclosed(&self, line: u64, found: Option<usize>) -> SourceError {
        SourceError::Malformed {
            path: self.path.clone(),
            location: format!("line {line}"),
            message: match found {
                Some(n) => format!(
                    "expected {} fields (as in the header), found {n}, one of them running on over several lines: is a quote opened on line {line} never closed?",
                    self.header.names.len()
                ),
                None => "a quoted field opened on this line is never closed (it runs to the end of the file; a lenient read scans it as one cell)".into(),
            },
        }
    }

    fn read_batch(&mut self) -> Result<Option<Batch>, SourceError> {
        let header_len = self.header.names.len();
        while !self.done && !self.builder.is_full() {
            if self.opts.max_rows.is_some_and(|m| self.rows >= m) {
                self.done = true;
                break;
            }
            if !self.next_record()? {
                self.done = true;
                break;
            }
            let rec = &self.record;
            let line = rec.line;
            let n = rec.len();
            // A quote left open swallows the rest of the file into the last field: the input
            // then ends inside that field, not on its closing quote.
            let last_raw = rec.raw_field(n - 1);
            let unclosed_at_end = last_raw.first() == Some(&b'"')
                && last_raw.contains(&b'\n')
                && last_raw.trim_ascii_end().last() != Some(&b'"')
                && rec.line_end().is_empty();
            if unclosed_at_end && !self.opts.lenient {
                return Err(self.unclosed(line, None));
            }
            if n != header_len {
                // A line holding one empty field (whitespace-free but not blank) has no data.
                if n == 1 && rec.value(0).is_empty() {
                    if self.opts.keep_raw {
                        // Its bytes go out in front of the next record.
                        self.pending_prefix.extend_from_slice(&rec.raw);
                    }
                    continue;
                }
                if !self.opts.lenient {
                    if (0..n).any(|i| rec.raw_field(i).contains(&b'\n')) {
                        return Err(self.unclosed(line, Some(n)));
                    }
                    return Err(SourceError::Ragged {
                        path: self.path.clone(),
                        line,
                        expected: header_len,
                        found: n,
                    });
                }
                self.stats.ragged_rows += 1;
                while self.columns.len() < n {
                    self.columns
                        .push(format!("column_{}", self.columns.len() + 1));
                }
            }
            for (i, field) in rec.values().enumerate() {
                if field.len() as u64 > self.opts.max_cell_bytes {
                    return Err(SourceError::TooLarge {
                        path: self.path.clone(),
                        location: format!("line {line}, column {}", i + 1),
                        what: "cell",
                        size: field.len() as u64,
                        limit: self.opts.max_cell_bytes,
                    });
                }
                if field.is_empty() {
                    continue;
                }
                let mut col = i as u32;
                if let Some((k, v)) = self.eav
                    && i == v
                    && k < n
                    && let Some(key) = super::eav::key_name(rec.value(k))
                {
                    let name = super::eav::column(&self.header.names[v], key);
                    col = match self.eav_ids.get(&name) {
                        Some(&id) => id,
                        None if self.eav_ids.len() >= super::eav::MAX_KEYS => i as u32,
                        None => {
                            let id = self.columns.len() as u32;
                            self.columns.push(name.clone());
                            self.eav_ids.insert(name, id);
                            id
                        }
                    };
                }
                self.builder.push(col, field);
            }
            self.builder.end_row();
            self.rows += 1;
            if self.opts.keep_raw {
                self.raw.push(&self.pending_prefix, &self.record);
                self.pending_prefix.clear();
            }
        }
        if self.builder.rows() == 0 {
            return Ok(None);
        }
        let mut batch = self.builder.take();
        if self.opts.keep_raw {
            batch.raw = Some(RawRecords::Csv(std::mem::take(&mut self.raw)));
        }
        Ok(Some(batch))
    }
}

impl BatchReader for CsvReader {
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

    fn as_csv(&self) -> Option<&CsvReader> {
        Some(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(data: &[u8], delim: u8) -> Vec<Record> {
        let mut r = Records::new(
            "t".into(),
            Box::new(std::io::Cursor::new(data.to_vec())),
            delim,
            1 << 20,
        );
        let mut out = Vec::new();
        let mut rec = Record::default();
        while r.next(&mut rec).unwrap() {
            out.push(rec.clone());
        }
        out
    }

    fn values(r: &Record) -> Vec<String> {
        r.values()
            .map(|v| String::from_utf8_lossy(v).into_owned())
            .collect()
    }

    #[test]
    fn sniffs() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1,2,3"), b',');
        assert_eq!(sniff_delimiter(b"a\tb\tc\n"), b'\t');
        assert_eq!(sniff_delimiter(b"\"x;y\",b;c;d\n"), b';');
        assert_eq!(sniff_delimiter(b"a;b;c\rx,y"), b';');
        assert_eq!(sniff_delimiter(b"only"), b',');
        assert_eq!(sniff_delimiter(b"id\x01email,x\x01name\n"), 0x01);
        assert_eq!(sniff_delimiter(b"id\x1femail\n"), 0x1f);
    }

    #[test]
    fn delimiter_comes_from_the_file_name_only() {
        use std::path::Path;
        assert_eq!(delimiter_from_name(Path::new("a/b.tsv")), Some(b'\t'));
        assert_eq!(delimiter_from_name(Path::new("b.TAB.gz")), Some(b'\t'));
        assert_eq!(delimiter_from_name(Path::new("exports.tsv.d/b.csv")), None);
        assert_eq!(delimiter_from_name(Path::new("x.tsv/b")), None);
    }

    #[test]
    fn raw_bytes_rebuild_the_input_exactly() {
        let data: &[u8] = b"h1,h2\r\na,\"b,\"\"c\"\"\nd\"\r\n\r\nPar\"is,x\rq,5'11\"\n\n";
        let recs = records(data, b',');
        let mut rebuilt = Vec::new();
        for r in &recs {
            rebuilt.extend_from_slice(&r.raw);
        }
        assert!(data.starts_with(&rebuilt));
        let got: Vec<Vec<String>> = recs.iter().map(values).collect();
        assert_eq!(
            got,
            vec![
                vec!["h1".to_string(), "h2".into()],
                vec!["a".into(), "b,\"c\"\nd".into()],
                vec!["Par\"is".into(), "x".into()],
                vec!["q".into(), "5'11\"".into()],
            ]
        );
        assert_eq!(recs[1].raw_field(1), b"\"b,\"\"c\"\"\nd\"");
        assert_eq!(recs[2].raw_field(0), b"Par\"is");
        assert_eq!(recs[1].line, 2);
        assert_eq!(recs[2].line, 5);
        assert_eq!(recs[3].line, 6, "a CR-only line end counts as a line");
    }
}
