//! The SQLite client (feature `sqlite`): the table list, free pages, residue, and the reader
//! of one table.

use crate::source::Progress;
use crate::source::{Batch, BatchBuilder, BatchReader, Input, ReadOptions, ReadStats, SourceError};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::Ordering;

fn open(path: &Path) -> Result<Connection, rusqlite::Error> {
    Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
}

/// Quotes a name for SQL (`"a""b"`).
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The user tables of the database at `path`, sorted by name (SQLite's own `sqlite_*`
/// tables left out).
pub fn tables(path: &Path) -> Result<Vec<String>, String> {
    tables_inner(path).map_err(|e| {
        // A journal or log beside the file is what a read-only open trips on.
        match crate::source::sqlite_pages::side_files(path).first() {
            Some(side) => format!(
                "{e} ({} is beside it: a writer is open or crashed; let it finish, or open the database once with sqlite3 to recover it)",
                side.file_name().unwrap_or_default().to_string_lossy()
            ),
            None => e,
        }
    })
}

fn tables_inner(path: &Path) -> Result<Vec<String>, String> {
    let conn = open(path).map_err(|e| e.to_string())?;
    let mut stmt = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
        )
        .map_err(|e| e.to_string())?;
    let names = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(|e| e.to_string())?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    Ok(names)
}

/// Pages on the database's freelist: deleted rows may still be on them, readable by anyone
/// with the file, until `VACUUM` rewrites it.
pub fn free_pages(path: &Path) -> Result<u64, String> {
    let conn = open(path).map_err(|e| e.to_string())?;
    conn.query_row("PRAGMA freelist_count", [], |r| r.get::<_, i64>(0))
        .map(|n| n.max(0) as u64)
        .map_err(|e| e.to_string())
}

/// The free space of `table`'s pages (its b-tree and its indexes') that still holds bytes
/// ([`crate::source::sqlite_pages::residue`]). The database's own pages (the schema, `sqlite_*`
/// tables, and anything no user table owns) go with the first table by name, so that each
/// byte is judged once.
pub fn table_residue(
    path: &Path,
    table: &str,
) -> Result<Vec<crate::source::sqlite_pages::Residue>, String> {
    let conn = open(path).map_err(|e| e.to_string())?;
    let names = tables(path)?;
    let first = names.first().is_some_and(|n| n == table);
    let mut stmt = conn
        .prepare("SELECT tbl_name, rootpage FROM sqlite_schema WHERE rootpage > 0")
        .map_err(|e| e.to_string())?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
        .map_err(|e| e.to_string())?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    let mut roots: Vec<u32> = rows
        .iter()
        .filter(|(t, _)| t == table || (first && !names.contains(t)))
        .filter_map(|(_, r)| u32::try_from(*r).ok())
        .collect();
    if first {
        roots.push(1);
    }
    crate::source::sqlite_pages::residue(path, &roots)
}

/// A table in long format (`user_id, meta_key, meta_value`): its keys, distinct and sorted
/// (the same order in both passes), name virtual columns ([`crate::source::eav::Split::learn`]).
fn long_format(
    conn: &Connection,
    table: &str,
    columns: &mut Vec<String>,
) -> Result<Option<crate::source::eav::Split>, rusqlite::Error> {
    let Some((k, v)) = crate::source::eav::pair(columns.iter().map(String::as_str)) else {
        return Ok(None);
    };
    let mut stmt = conn.prepare(&format!(
        "SELECT DISTINCT CAST({} AS TEXT) FROM {} WHERE {} IS NOT NULL ORDER BY 1 LIMIT 100000",
        quote(&columns[k]),
        quote(table),
        quote(&columns[k])
    ))?;
    let keys: Vec<Vec<u8>> = stmt
        .query_map([], |r| {
            Ok(match r.get_ref(0)? {
                ValueRef::Text(t) | ValueRef::Blob(t) => t.to_vec(),
                _ => Vec::new(),
            })
        })?
        .collect::<Result<_, _>>()?;
    let rows: i64 = conn.query_row(
        &format!(
            "SELECT COUNT(*) FROM {} WHERE {} IS NOT NULL",
            quote(table),
            quote(&columns[k])
        ),
        [],
        |r| r.get(0),
    )?;
    Ok(crate::source::eav::Split::learn(
        k as u32,
        v as u32,
        keys.iter().map(Vec::as_slice),
        rows.max(0) as u64,
        columns,
    ))
}

/// The reader of one table, as [`crate::source::open`] takes it.
pub fn reader(
    input: &Input,
    opts: &ReadOptions,
    counter: Progress,
) -> Result<Box<dyn BatchReader>, SourceError> {
    Ok(Box::new(SqliteReader::new(input, opts, counter)?))
}

/// Reads one table in batches.
pub struct SqliteReader {
    display: String,
    conn: Connection,
    table: String,
    columns: Vec<String>,
    /// Read by rowid ranges (false: `WITHOUT ROWID`, read by offset).
    by_rowid: bool,
    last_rowid: i64,
    rows: u64,
    max_rows: Option<u64>,
    done: bool,
    counter: Progress,
    /// The table's own columns (the rest are a long-format value column's virtual ones).
    base: usize,
    long: Option<crate::source::eav::Split>,
}

impl SqliteReader {
    /// Opens the database read-only and reads the table's columns.
    pub fn new(input: &Input, opts: &ReadOptions, counter: Progress) -> Result<Self, SourceError> {
        let display = input.display();
        let malformed = |message: String| SourceError::Malformed {
            path: display.clone(),
            location: "table".into(),
            message,
        };
        let Some(table) = input.table.clone() else {
            return Err(malformed(
                "a database file is read one table at a time: name a table".into(),
            ));
        };
        let conn = open(&input.path).map_err(|e| malformed(e.to_string()))?;
        let columns = {
            let stmt = conn
                .prepare(&format!("SELECT * FROM {} LIMIT 0", quote(&table)))
                .map_err(|e| malformed(e.to_string()))?;
            stmt.column_names().map(String::from).collect::<Vec<_>>()
        };
        let by_rowid = conn
            .prepare(&format!("SELECT rowid FROM {} LIMIT 0", quote(&table)))
            .is_ok();
        let mut columns = columns;
        let base = columns.len();
        let long =
            long_format(&conn, &table, &mut columns).map_err(|e| malformed(e.to_string()))?;
        Ok(SqliteReader {
            display,
            conn,
            table,
            columns,
            by_rowid,
            last_rowid: i64::MIN,
            rows: 0,
            max_rows: opts.max_rows,
            done: false,
            counter,
            base,
            long,
        })
    }

    fn read(&mut self, limit: u64) -> Result<Vec<Batch>, rusqlite::Error> {
        let n_cols = self.base;
        let (sql, rowid_col) = if self.by_rowid {
            (
                format!(
                    "SELECT *, rowid FROM {} WHERE rowid > ?1 ORDER BY rowid LIMIT ?2",
                    quote(&self.table)
                ),
                Some(n_cols),
            )
        } else {
            (
                format!("SELECT * FROM {} LIMIT ?2 OFFSET ?1", quote(&self.table)),
                None,
            )
        };
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let from = if self.by_rowid {
            self.last_rowid
        } else {
            self.rows as i64
        };
        let mut rows = stmt.query(rusqlite::params![from, limit as i64])?;
        let mut out = Vec::new();
        let mut builder = BatchBuilder::new(self.rows);
        let mut in_batch = 0usize;
        let mut bytes = 0u64;
        let mut text = String::new();
        let mut read = 0u64;
        while let Some(row) = rows.next()? {
            for c in 0..n_cols {
                let cell: &[u8] = match row.get_ref(c)? {
                    ValueRef::Null => continue,
                    ValueRef::Integer(i) => {
                        text.clear();
                        let _ = write!(text, "{i}");
                        text.as_bytes()
                    }
                    ValueRef::Real(f) => {
                        text.clear();
                        let _ = write!(text, "{f}");
                        text.as_bytes()
                    }
                    ValueRef::Text(t) => t,
                    ValueRef::Blob(b) => b,
                };
                bytes += cell.len() as u64;
                builder.push(c as u32, cell);
            }
            if let Some(rc) = rowid_col {
                self.last_rowid = row.get(rc)?;
            }
            builder.end_row();
            read += 1;
            in_batch += 1;
            if in_batch == crate::source::BATCH_ROWS {
                out.push(builder.take());
                in_batch = 0;
            }
        }
        if in_batch > 0 {
            out.push(builder.take());
        }
        if let Some(split) = &self.long {
            for b in &mut out {
                split.apply(b);
            }
        }
        self.rows += read;
        self.counter.fetch_add(bytes, Ordering::Relaxed);
        if read < limit {
            self.done = true;
        }
        Ok(out)
    }
}

impl BatchReader for SqliteReader {
    fn next_batches(&mut self, n: usize) -> Result<Vec<Batch>, SourceError> {
        if self.done {
            return Ok(Vec::new());
        }
        let mut limit = (n.max(1) * crate::source::BATCH_ROWS) as u64;
        if let Some(m) = self.max_rows {
            limit = limit.min(m.saturating_sub(self.rows));
            if limit == 0 {
                self.done = true;
                return Ok(Vec::new());
            }
        }
        let rows_before = self.rows;
        let display = self.display.clone();
        let malformed = |location: String, message: String| SourceError::Malformed {
            path: display.clone(),
            location,
            message,
        };
        let out = self
            .read(limit)
            .map_err(|e| malformed(format!("row {rows_before}"), e.to_string()))?;
        // Fail closed: a whole read must have seen every row (a user column named `rowid`
        // shadows SQLite's; a table written to meanwhile moves).
        if self.done && self.max_rows.is_none() {
            let total: i64 = self
                .conn
                .query_row(
                    &format!("SELECT count(*) FROM {}", quote(&self.table)),
                    [],
                    |r| r.get(0),
                )
                .map_err(|e| malformed("table".into(), e.to_string()))?;
            if total as u64 != self.rows {
                return Err(malformed(
                    "table".into(),
                    format!("read {} rows where the table holds {total}", self.rows),
                ));
            }
        }
        Ok(out)
    }

    fn columns(&self) -> &[String] {
        &self.columns
    }

    fn base_columns(&self) -> usize {
        self.base
    }

    fn long_format(&self) -> Option<&crate::source::eav::Split> {
        self.long.as_ref()
    }

    fn stats(&self) -> ReadStats {
        ReadStats::default()
    }
}
