//! Places outside the cells that `check` must read, or refuse, before it vouches for a file
//! (issues 23 and 24): what pseudonymize's own output never holds, but exports do.
//!
//! - A SQLite database keeps deleted rows on its free pages until `VACUUM`: a database with
//!   any is refused (exit 2) with that hint, as is one with a non-empty `-wal` or `-journal`
//!   beside it; deleted and overwritten rows inside a table's own pages (freeblocks,
//!   unallocated space) are judged like free text under `{sqlite free space}`
//!   ([`crate::source::sqlite_pages`]). The live rows are what `scan` reads.
//! - A Parquet footer carries key-value metadata, schema metadata and field metadata at every
//!   depth (queries, user names, comments): each string is judged like free text, and a
//!   finding counts under the column `{parquet metadata}`. Pseudonymize rewrites them.
//!   Bytes between the parts the footer describes (not zero padding) are refused: every
//!   reader skips them.
//! - A compressed file's side data (gzip headers' file names and comments in every member,
//!   Zstandard skippable frames): judged like free text under `{compressed stream}`, and
//!   binary side data refused ([`crate::source::sidebytes`]). Pseudonymize writes none.

use super::Collector;
use crate::detect::Detector;
use crate::scan::ScanOptions;
use crate::source::{Format, Input, SourceError};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

/// Refuses, before any row is read, a file whose hidden places cannot be judged: a SQLite
/// database with free pages, or with a write-ahead log or journal beside it.
pub(super) fn refuse(input: &Input) -> Result<(), SourceError> {
    // A database file keeps deleted rows on its free pages: the gate cannot vouch for what
    // it does not read (issue 24).
    if input.format == Format::Sqlite && !input.is_remote() {
        // Old and uncommitted versions of rows in a log or journal beside the file.
        if let Some(side) = crate::source::sqlite_pages::side_files(&input.path).first() {
            return Err(SourceError::Malformed {
                path: input.display(),
                location: "journal".into(),
                message: format!(
                    "{} holds changes and old versions of rows that check does not read: checkpoint it (PRAGMA wal_checkpoint(TRUNCATE)) or VACUUM, with no writer open",
                    side.file_name().unwrap_or_default().to_string_lossy()
                ),
            });
        }
        let free = crate::source::sqlite::free_pages(&input.path).map_err(|message| {
            SourceError::Malformed {
                path: input.display(),
                location: "freelist".into(),
                message,
            }
        })?;
        if free > 0 {
            return Err(SourceError::Malformed {
                path: input.display(),
                location: "freelist".into(),
                message: format!(
                    "{free} free page(s) may still hold deleted rows that check does not read: run VACUUM on the database (or share pseudonymize's Parquet copy)"
                ),
            });
        }
    }
    Ok(())
}

/// Judges the places of `input` outside its cells into `collector`, or refuses the file.
pub(super) fn judge(
    detector: &Detector,
    input: &Input,
    opts: &ScanOptions,
    collector: &mut Collector<'_>,
) -> Result<(), SourceError> {
    // Deleted and overwritten rows inside the table's own pages (freeblocks, unallocated
    // space): judged like free text.
    if input.format == Format::Sqlite
        && !input.is_remote()
        && let Some(table) = &input.table
    {
        let residue =
            crate::source::sqlite::table_residue(&input.path, table).map_err(|message| {
                SourceError::Malformed {
                    path: input.display(),
                    location: "pages".into(),
                    message,
                }
            })?;
        let plan = detector.plan("");
        let mut scratch = crate::detect::Scratch::default();
        // An `@` and a few letters are what binary integers often look like between control
        // bytes: handles are not judged in page residue (e-mails, names, phones are).
        let username = detector.entity_index("USERNAME").map(|i| i as u16);
        for (_, bytes) in &residue {
            // Records are binary around their text: judged in the pieces between controls.
            let text = String::from_utf8_lossy(bytes);
            for piece in text.split(|c: char| c.is_control() || c == '\u{fffd}') {
                if piece.len() < 3 {
                    continue;
                }
                detector.scan_cell(&plan, piece.as_bytes(), &mut scratch);
                for f in scratch
                    .findings
                    .iter()
                    .filter(|f| Some(f.entity) != username)
                {
                    let value = piece.get(f.start as usize..f.end as usize).unwrap_or("");
                    collector.add(u32::MAX, "{sqlite free space}", f.entity, value, 0, 1);
                }
            }
        }
    }
    // What a compressed stream carries beside its data, which the decoders skip.
    let side = crate::source::sidebytes::side_texts(input)?;
    if !side.is_empty() {
        let plan = detector.plan("");
        let mut scratch = crate::detect::Scratch::default();
        for (place, bytes) in &side {
            let text = String::from_utf8_lossy(bytes);
            // A file name is judged without its extension too (`ann@example.com.csv`).
            let stem = crate::pseudo::job::split_extensions(&text).0;
            let texts: &[&str] = if place.ends_with("file name") && stem != text {
                &[&text, stem]
            } else {
                &[&text]
            };
            for t in texts {
                detector.scan_cell(&plan, t.as_bytes(), &mut scratch);
                for f in &scratch.findings {
                    let value = t.get(f.start as usize..f.end as usize).unwrap_or("");
                    collector.add(u32::MAX, "{compressed stream}", f.entity, value, 0, 1);
                }
            }
        }
    }
    // The footer's strings of a Parquet file (metadata, comments, queries) are data too:
    // pseudonymize judges and rewrites them, so the gate judges them (issue 23).
    if input.format == Format::Parquet {
        let reader = crate::source::parquet::ParquetReader::new(
            input,
            &opts.read,
            Arc::new(AtomicU64::new(0)),
        )?;
        // Bytes no part of the file accounts for: readers skip them, so the gate refuses.
        let gaps = reader.unexplained_bytes()?;
        if let Some(&(start, end)) = gaps.first() {
            let total: u64 = gaps.iter().map(|(s, e)| e - s).sum();
            return Err(SourceError::Malformed {
                path: input.display(),
                location: format!("byte {start}"),
                message: format!(
                    "{total} byte(s) in {} place(s) (the first {} bytes long) belong to no column chunk, index or footer: every reader skips them and check cannot vouch for them. Write the file again (shroud pseudonymize's copy has none)",
                    gaps.len(),
                    end - start
                ),
            });
        }
        let plan = detector.plan("");
        let mut scratch = crate::detect::Scratch::default();
        for (_, text) in reader.footer_texts() {
            detector.scan_cell(&plan, text.as_bytes(), &mut scratch);
            for f in &scratch.findings {
                let value = text.get(f.start as usize..f.end as usize).unwrap_or("");
                collector.add(u32::MAX, "{parquet metadata}", f.entity, value, 0, 1);
            }
        }
    }
    Ok(())
}
