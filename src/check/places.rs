//! Places outside the cells that `check` must read, or refuse, before it vouches for a file
//! (issues 23 and 24): what pseudonymize's own output never holds, but exports do.
//!
//! - A SQLite database keeps deleted rows on its free pages until `VACUUM`: a database with
//!   any is refused (exit 2) with that hint; the live rows are what `scan` reads.
//! - A Parquet footer carries key-value metadata, schema metadata and field metadata at every
//!   depth (queries, user names, comments): each string is judged like free text, and a
//!   finding counts under the column `{parquet metadata}`. Pseudonymize rewrites them.

use super::Collector;
use crate::detect::Detector;
use crate::scan::ScanOptions;
use crate::source::{Format, Input, SourceError};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

/// Judges the places of `input` outside its cells into `collector`, or refuses the file.
pub(super) fn judge(
    detector: &Detector,
    input: &Input,
    opts: &ScanOptions,
    collector: &mut Collector<'_>,
) -> Result<(), SourceError> {
    // A database file keeps deleted rows on its free pages: the gate cannot vouch for what
    // it does not read (issue 24).
    if input.format == Format::Sqlite && !input.is_remote() {
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
    // The footer's strings of a Parquet file (metadata, comments, queries) are data too:
    // pseudonymize judges and rewrites them, so the gate judges them (issue 23).
    if input.format == Format::Parquet {
        let reader = crate::source::parquet::ParquetReader::new(
            input,
            &opts.read,
            Arc::new(AtomicU64::new(0)),
        )?;
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
