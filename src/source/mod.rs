//! Sources: read CSV, JSON / JSON Lines and Parquet (plain, `.gz` or `.zst`) into
//! column-major [`Batch`]es of cells.
//!
//! Every reader streams: memory is bounded by the batch size, never the file size. Readers run
//! on one thread per file (a CSV cannot be cut at arbitrary byte offsets: quoted fields hold
//! newlines); the `scan` driver hands their batches to workers. Parquet row groups decode in
//! parallel. Cells carry no interpretation: the detection engine decides what they hold.
//!
//! Why not arrow `RecordBatch` as the common currency (STYLE 5.2)? Scanning needs each cell as
//! bytes plus its row, for flat and nested data alike; a flat buffer of cell bytes per column
//! costs one copy and no per-cell allocation, and it keeps CSV cells byte-exact for the
//! pseudonymizer. Parquet is decoded through arrow and flattened into the same shape.

pub mod csv;
pub mod discover;
pub mod dupkeys;
pub mod eav;
pub mod encoding;
pub mod header;
pub mod json;
pub mod parquet;
pub mod postgres;
pub mod remote;
pub mod sidebytes;
pub mod sqlite;
pub mod sqlite_pages;
pub mod text;

use std::fmt;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Rows per batch (a batch also ends once it holds [`BATCH_BYTES`] of cell text).
pub const BATCH_ROWS: usize = 4096;
/// Cell bytes per batch.
pub const BATCH_BYTES: usize = 1 << 20;

/// File formats shroud reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Comma (or other delimiter) separated values with a header row.
    Csv,
    /// A JSON document: a top-level array of objects, or one or more objects.
    Json,
    /// JSON Lines: one JSON value per line.
    Jsonl,
    /// Apache Parquet.
    Parquet,
    /// Plain text, one cell per line (`check` reads files of no data format this way).
    Text,
    /// A table of a SQLite database file (`Input::table` names it).
    Sqlite,
    /// A table of a PostgreSQL database (`Input::path` is the URL without its password,
    /// `Input::table` the `schema.table`).
    Postgres,
}

impl Format {
    /// Name used in reports: `csv`, `json`, `jsonl`, `parquet`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Parquet => "parquet",
            Format::Text => "text",
            Format::Sqlite => "sqlite",
            Format::Postgres => "postgres",
        }
    }

    /// Parses an `--input-format` value.
    pub fn parse(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().as_str() {
            "csv" | "tsv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "jsonl" | "ndjson" | "json-lines" => Some(Format::Jsonl),
            "parquet" | "pq" => Some(Format::Parquet),
            "sqlite" | "sqlite3" => Some(Format::Sqlite),
            _ => None,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Stream compression around a CSV or JSON file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// None.
    None,
    /// gzip (`.gz`), multi-member allowed.
    Gzip,
    /// Zstandard (`.zst`).
    Zstd,
}

/// One input to read.
#[derive(Debug, Clone)]
pub struct Input {
    /// Path, or `-` for standard input.
    pub path: PathBuf,
    /// Format.
    pub format: Format,
    /// Compression.
    pub compression: Compression,
    /// Size on disk (0 for stdin).
    pub size: u64,
    /// An open file to read instead of `path` (standard input spooled to an unlinked file,
    /// read once per pass).
    pub handle: Option<Arc<std::fs::File>>,
    /// The table of a database input (`Format::Sqlite`, `Format::Postgres`); `None` for
    /// files.
    pub table: Option<String>,
}

impl Input {
    /// The path as shown in reports; a database table as `file.db#table` or
    /// `postgres://user@host/db#schema.table` (never with a password).
    pub fn display(&self) -> String {
        match &self.table {
            Some(t) => format!("{}#{t}", self.path.display()),
            None => self.path.display().to_string(),
        }
    }

    /// A table of a database (`path` the file or URL, `size` for progress).
    pub fn database_table(path: PathBuf, format: Format, size: u64, table: String) -> Input {
        Input {
            path,
            format,
            compression: Compression::None,
            size,
            handle: None,
            table: Some(table),
        }
    }

    /// Whether this is a table of a database server or an object in a store (its path is
    /// a URL, not a file).
    pub fn is_remote(&self) -> bool {
        matches!(self.format, Format::Postgres) || remote::is_url_path(&self.path)
    }

    /// Whether this is standard input.
    pub fn is_stdin(&self) -> bool {
        self.path.as_os_str() == "-"
    }
}

/// Errors from reading a source. Every variant names the file and where it broke.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// File path.
        path: String,
        /// Cause.
        source: io::Error,
    },
    /// A CSV record has a different number of fields than the header.
    #[error(
        "{path}: line {line}: expected {expected} fields (as in the header), found {found} (a lenient read scans such rows and counts them)"
    )]
    Ragged {
        /// File path.
        path: String,
        /// 1-based line where the record starts.
        line: u64,
        /// Header field count.
        expected: usize,
        /// Record field count.
        found: usize,
    },
    /// Malformed CSV, JSON or Parquet.
    #[error("{path}: {location}: {message}")]
    Malformed {
        /// File path.
        path: String,
        /// `line N`, `record N`, `row group N`...
        location: String,
        /// Cause.
        message: String,
    },
    /// A cell or line is larger than the configured limit.
    #[error(
        "{path}: {location}: {what} of {size} bytes exceeds the limit of {limit} bytes (the cell limit can be raised)"
    )]
    TooLarge {
        /// File path.
        path: String,
        /// Where.
        location: String,
        /// `cell` or `line`.
        what: &'static str,
        /// Size seen (at least).
        size: u64,
        /// The limit.
        limit: u64,
    },
}

/// Decides whether a JSON object key is data (`{"Jane Doe": 3}`, an email used as a key)
/// rather than a field name. Both passes of a pseudonymize run read with the same test, so
/// they name the same columns.
#[derive(Clone)]
pub struct KeyTest(pub Arc<dyn Fn(&str) -> bool + Send + Sync>);

impl fmt::Debug for KeyTest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyTest(..)")
    }
}

/// Options for readers.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// CSV delimiter; `None` sniffs it from the header line (`,` `\t` `;` `|`).
    pub delimiter: Option<u8>,
    /// Scan ragged CSV rows (and skip broken JSON lines) instead of failing.
    pub lenient: bool,
    /// Stop after this many rows.
    pub max_rows: Option<u64>,
    /// A database table whose estimated size is larger than this many rows is sampled to
    /// this many rows (pages picked at random, repeatably) when `max_rows` is not set: what
    /// `scan` does by default on a server's large tables. `None` reads tables whole.
    pub table_sample_rows: Option<u64>,
    /// Largest cell or JSON line accepted, in bytes.
    pub max_cell_bytes: u64,
    /// Keep each batch's records as read ([`Batch::raw`]), for writers that rebuild them.
    pub keep_raw: bool,
    /// Which JSON keys that look like field names are data after all (`None`: the syntactic
    /// test of `json::is_field_name` alone).
    pub data_key: Option<KeyTest>,
    /// The text encoding of CSV, JSON and text inputs; `None` detects it per file
    /// ([`encoding::detect`]).
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// Whether a CSV file's first record is its header.
    pub header: HeaderMode,
    /// Where jobs that read inputs more than once (pseudonymize, check, aggregate) add the
    /// bytes they read, for a progress display; `None`: counted nowhere.
    pub progress: Option<Arc<AtomicU64>>,
}

/// Whether a CSV file starts with a header row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HeaderMode {
    /// Decided per file: a first record that reads like data (it matches the rows below it
    /// in types and entities, and holds no header-like word) makes the file headerless.
    #[default]
    Detect,
    /// The first record is the header (`--header`).
    Present,
    /// There is no header: columns are `column_1`, `column_2`… (`--no-header`).
    Absent,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            delimiter: None,
            lenient: false,
            max_rows: None,
            table_sample_rows: None,
            max_cell_bytes: 256 << 20,
            keep_raw: false,
            data_key: None,
            encoding: None,
            header: HeaderMode::Detect,
            progress: None,
        }
    }
}

impl ReadOptions {
    /// The byte counter readers opened with these options feed: the shared progress counter,
    /// or a fresh one.
    pub fn counter(&self) -> Arc<AtomicU64> {
        self.progress.clone().unwrap_or_default()
    }
}

/// Cells of one column within a batch, in row order.
#[derive(Debug, Default, Clone)]
pub struct ColumnCells {
    /// Column id (index into the reader's column list).
    pub col: u32,
    /// Concatenated cell bytes.
    pub data: Vec<u8>,
    /// Per cell: `(row offset in batch, start, end)` into `data`.
    pub cells: Vec<(u32, u32, u32)>,
}

impl ColumnCells {
    /// Appends one cell.
    pub fn push(&mut self, row: u32, value: &[u8]) {
        let start = self.data.len() as u32;
        self.data.extend_from_slice(value);
        self.cells.push((row, start, self.data.len() as u32));
    }

    /// Iterates `(row offset, cell bytes)`.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &[u8])> {
        self.cells
            .iter()
            .map(|&(r, s, e)| (r, &self.data[s as usize..e as usize]))
    }
}

/// The records behind a batch, as read (with [`ReadOptions::keep_raw`]): what a writer needs
/// to rebuild each record with some cells changed and every other byte or value kept.
#[derive(Debug, Clone)]
pub enum RawRecords {
    /// CSV rows: raw bytes and field ranges.
    Csv(csv::RawRows),
    /// JSON records: parsed values, and for JSON Lines each raw line.
    Json(json::RawValues),
    /// A Parquet (Arrow) record batch.
    Arrow(arrow_array::RecordBatch),
    /// A database table's JSON documents, as parsed, by `(row in batch, column id)`; their
    /// leaves are the batch's cells under `column.path` (the other columns' cells are the
    /// values themselves).
    Documents(Vec<(u32, u32, serde_json::Value)>),
}

/// A slice of rows, column-major.
#[derive(Debug, Default, Clone)]
pub struct Batch {
    /// Index of the first row of the batch in the file (0-based data row / record).
    pub first_row: u64,
    /// Rows in the batch.
    pub rows: usize,
    /// Columns that have at least one cell in this batch.
    pub columns: Vec<ColumnCells>,
    /// The records as read, with [`ReadOptions::keep_raw`].
    pub raw: Option<RawRecords>,
    /// Parquet: this batch ends row group N (writers keep the row-group boundaries).
    pub end_of_group: Option<usize>,
}

impl Batch {
    /// Total cell bytes.
    pub fn bytes(&self) -> usize {
        self.columns.iter().map(|c| c.data.len()).sum()
    }
}

/// Builds batches column by column; shared by the readers.
#[derive(Debug, Default)]
pub struct BatchBuilder {
    first_row: u64,
    rows: usize,
    bytes: usize,
    /// Indexed by column id; `None` until the column gets a cell.
    columns: Vec<Option<ColumnCells>>,
}

impl BatchBuilder {
    /// A builder whose first row is `first_row`.
    pub fn new(first_row: u64) -> Self {
        BatchBuilder {
            first_row,
            ..Default::default()
        }
    }

    /// Adds a cell to column `col` for the current row.
    pub fn push(&mut self, col: u32, value: &[u8]) {
        self.push_at(col, self.rows as u32, value);
    }

    /// Adds a cell to column `col` for row `row` of the batch (columnar readers).
    pub fn push_at(&mut self, col: u32, row: u32, value: &[u8]) {
        let c = col as usize;
        if self.columns.len() <= c {
            self.columns.resize_with(c + 1, || None);
        }
        let cells = self.columns[c].get_or_insert_with(|| ColumnCells {
            col,
            ..Default::default()
        });
        cells.push(row, value);
        self.bytes += value.len();
    }

    /// Sets the row count (columnar readers).
    pub fn set_rows(&mut self, rows: usize) {
        self.rows = rows;
    }

    /// Ends the current row.
    pub fn end_row(&mut self) {
        self.rows += 1;
    }

    /// Rows so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Whether the batch reached its size.
    pub fn is_full(&self) -> bool {
        self.rows >= BATCH_ROWS || self.bytes >= BATCH_BYTES
    }

    /// Finishes the batch; the builder starts the next one at the following row.
    pub fn take(&mut self) -> Batch {
        let batch = Batch {
            first_row: self.first_row,
            rows: self.rows,
            columns: self.columns.drain(..).flatten().collect(),
            raw: None,
            end_of_group: None,
        };
        self.first_row += self.rows as u64;
        self.rows = 0;
        self.bytes = 0;
        batch
    }
}

/// Counters a reader keeps about what it skipped or tolerated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadStats {
    /// CSV rows whose field count differs from the header (scanned with `--lenient`).
    pub ragged_rows: u64,
    /// JSON lines that failed to parse and were skipped (`--lenient`).
    pub skipped_records: u64,
    /// The reader read a sample of the input (a database table's pages picked at random),
    /// not all of it.
    pub sampled: bool,
}

/// Up to `n` batches from `read_batch`, stopping at the end of the input (`None`): the
/// `next_batches` of the line-oriented readers.
pub(crate) fn batches_of(
    n: usize,
    mut read_batch: impl FnMut() -> Result<Option<Batch>, SourceError>,
) -> Result<Vec<Batch>, SourceError> {
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        match read_batch()? {
            Some(b) => out.push(b),
            None => break,
        }
    }
    Ok(out)
}

/// A streaming reader of batches.
pub trait BatchReader: Send {
    /// The next group of at most `n` batches; empty at the end of input.
    fn next_batches(&mut self, n: usize) -> Result<Vec<Batch>, SourceError>;
    /// Column paths seen so far, indexed by column id.
    fn columns(&self) -> &[String];
    /// How many of [`columns`](Self::columns) are the input's own columns (the rest are
    /// paths inside a database table's JSON columns, written back inside their document).
    fn base_columns(&self) -> usize {
        self.columns().len()
    }
    /// Which keys of the JSON documents inside a table's columns are data (the writer walks
    /// them with the same test).
    fn document_keys(&self) -> Option<&json::KeyClass> {
        None
    }
    /// What was tolerated so far.
    fn stats(&self) -> ReadStats;
    /// The CSV reader behind this one (its header, delimiter and trailing bytes).
    fn as_csv(&self) -> Option<&csv::CsvReader> {
        None
    }
    /// The JSON reader behind this one (its layout).
    fn as_json(&self) -> Option<&json::JsonReader> {
        None
    }
    /// The Parquet reader behind this one (its schema and metadata).
    fn as_parquet(&self) -> Option<&parquet::ParquetReader> {
        None
    }
    /// The text encoding the input was decoded from (writers encode back into it).
    fn encoding(&self) -> &'static encoding_rs::Encoding {
        encoding_rs::UTF_8
    }
    /// A long-format table's value column split into virtual columns by key (Parquet and
    /// database tables; the CSV reader keeps its own, [`csv::CsvReader`]).
    fn long_format(&self) -> Option<&eav::Split> {
        None
    }
}

thread_local! {
    static CONTAINED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, turning a panic inside it into `Err(message)`: for third-party decoders that
/// panic on corrupt bytes (the parquet crate does on some pages). While `f` runs on this
/// thread the panic report is not printed; outside, panics report and behave as usual.
pub(crate) fn contain<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !CONTAINED.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    let was = CONTAINED.with(|c| c.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    CONTAINED.with(|c| c.set(was));
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "an internal error".to_string())
    })
}

/// A byte counter shared with the progress bar.
pub type Progress = Arc<AtomicU64>;

/// Counts bytes read from the underlying file (compressed bytes for compressed inputs).
struct Counting<R> {
    inner: R,
    counter: Progress,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// An error's text followed by each cause's that it does not already hold (clients' own
/// texts often stop at "error connecting" or "Generic S3 error").
#[cfg_attr(not(any(feature = "cloud", feature = "postgres")), allow(dead_code))]
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let t = s.to_string();
        if !text.contains(&t) {
            text.push_str(": ");
            text.push_str(&t);
        }
        source = s.source();
    }
    text
}

/// A hive partition folder's column and value, the value percent-decoded as Hive and Spark
/// encode it (`email=a0%40example.com` is `email`, `a0@example.com`). `None` for a name that
/// is not `key=value`.
pub fn hive_partition(name: &str) -> Option<(&str, String)> {
    let (key, value) = name.split_once('=')?;
    (!key.is_empty() && !key.contains(['/', '\\'])).then(|| (key, percent_decode(value)))
}

/// A value written as a hive partition folder's value: the characters Hive escapes
/// (`%`, `/`, `=`, `:`, `#`, `?`, quotes, controls and the like) as `%XX`.
pub fn hive_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if c.is_control() || "\"#%'*/:=?\\{[]^".contains(c) {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Why an input of a store left out of this build is refused, naming the cargo feature that
/// reads it (callers add the input's name, a URL without its password or a file).
#[cfg_attr(
    all(feature = "cloud", feature = "postgres", feature = "sqlite"),
    allow(dead_code)
)]
pub(crate) fn not_built(feature: &str) -> String {
    format!(
        "this shroud was built without the `{feature}` feature, so it cannot read or write it (build with `cargo build --release --features {feature}`, or with the default features)"
    )
}

/// The error of a reader whose store was left out of this build ([`not_built`]).
#[cfg_attr(all(feature = "postgres", feature = "sqlite"), allow(dead_code))]
pub(crate) fn not_built_reader(input: &Input, feature: &str) -> SourceError {
    SourceError::Io {
        path: input.display(),
        source: io::Error::new(io::ErrorKind::Unsupported, not_built(feature)),
    }
}

/// `%xx` escapes decoded (a URL's user, password or path); invalid escapes kept as written.
pub(crate) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && b[i + 1].is_ascii_hexdigit()
            && b[i + 2].is_ascii_hexdigit()
        {
            let digit = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
            out.push(digit(b[i + 1]) << 4 | digit(b[i + 2]));
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The bytes of an input as stored (compressed or not): a file, an object, a spool or stdin.
pub fn open_raw(input: &Input) -> Result<Box<dyn Read + Send>, SourceError> {
    let io_err = |source| SourceError::Io {
        path: input.display(),
        source,
    };
    Ok(if let Some(f) = &input.handle {
        // A spool read once per pass: rewind a second descriptor of it.
        let mut f = f.try_clone().map_err(io_err)?;
        io::Seek::rewind(&mut f).map_err(io_err)?;
        Box::new(f)
    } else if input.is_stdin() {
        Box::new(io::stdin())
    } else if input.is_remote() {
        Box::new(remote::ObjectReader::open(&input.path.to_string_lossy()).map_err(io_err)?)
    } else {
        Box::new(std::fs::File::open(&input.path).map_err(io_err)?)
    })
}

/// Opens a CSV/JSON input as a buffered byte stream, decompressing if needed.
pub fn open_stream(
    input: &Input,
    counter: Progress,
) -> Result<Box<dyn BufRead + Send>, SourceError> {
    let path = input.display();
    let io_err = |source| SourceError::Io {
        path: path.clone(),
        source,
    };
    let raw = open_raw(input)?;
    let counted = Counting {
        inner: raw,
        counter,
    };
    let mut buffered = BufReader::with_capacity(1 << 16, counted);
    let compression = match input.compression {
        Compression::None => {
            // Sniff magic bytes: a compressed file without its extension still reads.
            let head = buffered.fill_buf().map_err(io_err)?;
            if head.starts_with(&[0x1f, 0x8b]) {
                Compression::Gzip
            } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
                Compression::Zstd
            } else {
                Compression::None
            }
        }
        c => c,
    };
    Ok(match compression {
        Compression::None => Box::new(buffered),
        Compression::Gzip => Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::bufread::MultiGzDecoder::new(buffered),
        )),
        Compression::Zstd => Box::new(BufReader::with_capacity(
            1 << 16,
            zstd::stream::read::Decoder::with_buffer(buffered).map_err(io_err)?,
        )),
    })
}

/// Opens a CSV/JSON/text input as decoded UTF-8 text: [`open_stream`], then the encoding
/// named in `opts` or detected ([`encoding::decode`]).
pub fn open_text(
    input: &Input,
    opts: &ReadOptions,
    counter: Progress,
) -> Result<(Box<dyn BufRead + Send>, &'static encoding_rs::Encoding), SourceError> {
    let mut stream = open_stream(input, counter)?;
    // A file of a binary format is named, never read as text (whatever `--input-format` or
    // `--lenient` say): it would be decoded into garbage and judged as nothing.
    let head = stream.fill_buf().map_err(|source| SourceError::Io {
        path: input.display(),
        source,
    })?;
    if let Some(kind) = binary_format(head) {
        return Err(SourceError::Malformed {
            path: input.display(),
            location: "start".into(),
            message: format!("unsupported format: {kind}, not text"),
        });
    }
    encoding::decode(stream, opts.encoding).map_err(|source| {
        if source.kind() == io::ErrorKind::InvalidData {
            // Not text in any encoding it could be read in: malformed, like a bad record.
            SourceError::Malformed {
                path: input.display(),
                location: "start".into(),
                message: source.to_string(),
            }
        } else {
            SourceError::Io {
                path: input.display(),
                source,
            }
        }
    })
}

/// The binary format a file's first bytes announce, if any.
pub fn binary_format(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"PK\x03\x04") {
        // Office and OpenDocument files are zip archives; their member names say which.
        let has = |s: &[u8]| memchr::memmem::find(head, s).is_some();
        return Some(if has(b"opendocument.spreadsheet") {
            "OpenDocument spreadsheet (.ods)"
        } else if has(b"xl/") {
            "Excel workbook (.xlsx)"
        } else if has(b"word/") {
            "Word document (.docx)"
        } else if has(b"ppt/") {
            "PowerPoint presentation (.pptx)"
        } else {
            "a zip archive (unpack it, then scan its files)"
        });
    }
    const MAGIC: &[(&[u8], &str)] = &[
        (
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
            "an OLE file (a legacy Excel .xls workbook is one)",
        ),
        (
            b"\x09\x08\x10\x00\x00\x06\x05\x00",
            "Excel 2 to 4 worksheet (.xls)",
        ),
        (
            b"BZh",
            "bzip2-compressed data (decompress it, or recompress as .gz or .zst)",
        ),
        (
            b"\xFD7zXZ\x00",
            "xz-compressed data (decompress it, or recompress as .gz or .zst)",
        ),
        (b"7z\xBC\xAF\x27\x1C", "a 7-Zip archive"),
        (b"Rar!\x1A\x07", "a RAR archive"),
        (b"ARROW1", "an Arrow IPC (Feather) file"),
        (
            b"\x00\x01\x00\x00Standard Jet DB",
            "a Microsoft Access database",
        ),
        (
            b"\x00\x01\x00\x00Standard ACE DB",
            "a Microsoft Access database",
        ),
        (b"GIF8", "a GIF image"),
        (b"\xCF\xFA\xED\xFE", "an executable"),
        (b"PAR1", "Parquet (name the file .parquet)"),
        (
            b"SQLite format 3\0",
            "a SQLite database (name the file .db or .sqlite)",
        ),
        (b"Obj\x01", "an Avro object container file"),
        (b"%PDF-", "a PDF document"),
        (b"\x89PNG", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"\x7FELF", "an executable"),
    ];
    // Short signatures that a text's first word could start with (`ORCID,name`, `MZ…`)
    // count only before bytes that no text holds.
    const WEAK: &[(&[u8], &str)] = &[(b"ORC", "an ORC file"), (b"MZ", "a Windows executable")];
    let binary_soon = || {
        head.iter()
            .take(512)
            .any(|&b| encoding::is_binary_control(b))
    };
    MAGIC
        .iter()
        .find(|(m, _)| head.starts_with(m))
        .or_else(|| {
            WEAK.iter()
                .find(|(m, _)| head.starts_with(m) && binary_soon())
        })
        .map(|(_, kind)| *kind)
}

/// Opens the right reader for an input.
pub fn open(
    input: &Input,
    opts: &ReadOptions,
    counter: Progress,
) -> Result<Box<dyn BatchReader>, SourceError> {
    match input.format {
        Format::Csv => Ok(Box::new(csv::CsvReader::new(input, opts, counter)?)),
        Format::Json | Format::Jsonl => Ok(Box::new(json::JsonReader::new(input, opts, counter)?)),
        Format::Parquet => Ok(Box::new(parquet::ParquetReader::new(input, opts, counter)?)),
        Format::Text => Ok(Box::new(text::TextReader::new(input, opts, counter)?)),
        Format::Sqlite => sqlite::reader(input, opts, counter),
        Format::Postgres => postgres::reader(input, opts, counter),
    }
}

/// Format and compression from a file name (`a.csv.gz` -> CSV, gzip). `None` when unknown.
pub fn format_from_path(path: &Path) -> Option<(Format, Compression)> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    let (stem, compression) = if let Some(s) = name.strip_suffix(".gz") {
        (s.to_string(), Compression::Gzip)
    } else if let Some(s) = name.strip_suffix(".zst") {
        (s.to_string(), Compression::Zstd)
    } else if let Some(s) = name.strip_suffix(".zstd") {
        (s.to_string(), Compression::Zstd)
    } else {
        (name, Compression::None)
    };
    let ext = stem.rsplit_once('.')?.1;
    let format = match ext {
        "csv" | "tsv" | "tab" | "psv" => Format::Csv,
        "json" => Format::Json,
        "jsonl" | "ndjson" | "ldjson" => Format::Jsonl,
        "parquet" | "pq" | "parq" if compression == Compression::None => Format::Parquet,
        "sqlite" | "sqlite3" | "db" | "db3" if compression == Compression::None => Format::Sqlite,
        _ => return None,
    };
    Some((format, compression))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_from_names() {
        assert_eq!(
            format_from_path(Path::new("a/b.csv")),
            Some((Format::Csv, Compression::None))
        );
        assert_eq!(
            format_from_path(Path::new("b.JSONL.gz")),
            Some((Format::Jsonl, Compression::Gzip))
        );
        assert_eq!(
            format_from_path(Path::new("b.json.zst")),
            Some((Format::Json, Compression::Zstd))
        );
        assert_eq!(
            format_from_path(Path::new("b.parquet")),
            Some((Format::Parquet, Compression::None))
        );
        assert_eq!(format_from_path(Path::new("b.txt")), None);
        assert_eq!(format_from_path(Path::new("b.parquet.gz")), None);
    }

    #[test]
    fn builder_splits_rows() {
        let mut b = BatchBuilder::new(10);
        b.push(1, b"x");
        b.end_row();
        b.push(0, b"y");
        b.push(1, b"z");
        b.end_row();
        let batch = b.take();
        assert_eq!(batch.first_row, 10);
        assert_eq!(batch.rows, 2);
        assert_eq!(batch.columns.len(), 2);
        let c1: Vec<_> = batch.columns[1].iter().collect();
        assert_eq!(c1, vec![(0, &b"x"[..]), (1, &b"z"[..])]);
        assert_eq!(b.take().first_row, 12);
    }
}
