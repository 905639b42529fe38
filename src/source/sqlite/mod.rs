//! SQLite database files: each table is an input (`file.db#table`), read in row order in
//! batches of cells like any other format, so scan, check and aggregate treat a table as they
//! treat a file. The database is opened read-only; nothing is ever written to it.
//!
//! Values become cells as their text: integers in decimal, reals in Rust's shortest
//! round-trip form, text as stored, blobs as their bytes (invalid UTF-8 is counted, as in
//! CSV), NULL as no cell. Tables are read by `rowid` ranges (`WHERE rowid > ? LIMIT ?`), so
//! memory stays near one group of batches whatever the table's size; `WITHOUT ROWID` tables
//! are read with `LIMIT ? OFFSET ?`.
//!
//! The client is the `sqlite` feature (on by default). Built without it, a SQLite file is
//! still recognised by its header, and reading it is refused with a message naming the
//! feature: it is never read as text.

use std::path::Path;

/// The first 16 bytes of every SQLite 3 database file.
const MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Whether the file at `path` is a SQLite 3 database (by its header).
pub fn is_sqlite(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && &head == MAGIC
}

#[cfg(feature = "sqlite")]
mod client;
#[cfg(feature = "sqlite")]
pub use client::*;

#[cfg(not(feature = "sqlite"))]
mod off;
#[cfg(not(feature = "sqlite"))]
pub use off::*;
