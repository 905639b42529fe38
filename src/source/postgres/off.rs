//! PostgreSQL in a build without the `postgres` feature: the same calls as the client's,
//! each refusing with a message that names the feature (the URL shown without its password,
//! as [`super::parse_url`] left it).

use crate::source::Progress;
use crate::source::{BatchReader, Input, ReadOptions, SourceError};

/// Refused: no database can be listed.
pub fn tables(_url: &str) -> Result<Vec<(String, String, u64)>, String> {
    Err(crate::source::not_built("postgres"))
}

/// Refused: no table can be read.
pub fn reader(
    input: &Input,
    _opts: &ReadOptions,
    _counter: Progress,
) -> Result<Box<dyn BatchReader>, SourceError> {
    Err(crate::source::not_built_reader(input, "postgres"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_refuses_and_names_the_feature() {
        let e = tables("postgres://ann@db.example/sales").unwrap_err();
        assert!(e.contains("`postgres` feature"), "{e}");
    }
}
