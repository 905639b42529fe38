//! SQLite in a build without the `sqlite` feature: the same calls as the client's, each
//! refusing with a message that names the feature.

use crate::source::Progress;
use crate::source::sqlite_pages::Residue;
use crate::source::{BatchReader, Input, ReadOptions, SourceError};
use std::path::Path;

fn refused() -> String {
    crate::source::not_built("sqlite")
}

/// Refused: no table can be listed.
pub fn tables(_path: &Path) -> Result<Vec<String>, String> {
    Err(refused())
}

/// Refused: the freelist cannot be asked.
pub fn free_pages(_path: &Path) -> Result<u64, String> {
    Err(refused())
}

/// Refused: the schema cannot be read.
pub fn table_residue(_path: &Path, _table: &str) -> Result<Vec<Residue>, String> {
    Err(refused())
}

/// Refused: no table can be read.
pub fn reader(
    input: &Input,
    _opts: &ReadOptions,
    _counter: Progress,
) -> Result<Box<dyn BatchReader>, SourceError> {
    Err(crate::source::not_built_reader(input, "sqlite"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_call_refuses_and_names_the_feature() {
        let p = Path::new("shop.db");
        for e in [
            tables(p).unwrap_err(),
            free_pages(p).unwrap_err(),
            table_residue(p, "users").unwrap_err(),
        ] {
            assert!(e.contains("`sqlite` feature"), "{e}");
        }
    }
}
