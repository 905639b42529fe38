//! Object stores in a build without the `cloud` feature: the same calls as the client's, each
//! refusing with a message that names the feature. Nothing here can be constructed, so no
//! object is ever read or written, and a URL is never taken for a local path.

use super::UploadError;
use std::convert::Infallible;
use std::path::Path;

/// Why every call here fails.
fn refused() -> String {
    crate::source::not_built("cloud")
}

fn io_refused() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::Unsupported, refused())
}

/// An object store URL split into root and key; never built here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectUrl {
    /// `scheme://host[:port]`.
    pub root: String,
    /// The key.
    pub key: String,
}

/// Refused: splitting needs the store's path rules.
pub fn split_url(_url: &str) -> Result<ObjectUrl, String> {
    Err(refused())
}

/// Refused (see [`split_url`]).
pub fn overlaps(_a: &str, _b: &str) -> Result<bool, String> {
    Err(refused())
}

/// Refused: no store can be listed.
pub fn list(_url: &str) -> Result<Vec<(String, u64)>, String> {
    Err(refused())
}

/// Refused: no store can be asked.
pub fn exists(url: &str) -> Result<bool, UploadError> {
    Err(UploadError::Store {
        url: url.to_string(),
        message: refused(),
    })
}

/// Refused: nothing can be uploaded.
pub fn upload_tree(
    _local: &Path,
    url: &str,
    _last: &str,
    _force: bool,
    _replace_last: bool,
) -> Result<Vec<String>, UploadError> {
    Err(UploadError::Store {
        url: url.to_string(),
        message: refused(),
    })
}

/// Nothing was uploaded, so nothing is undone.
pub fn undo_on_interrupt() {}

/// A streamed object; never opened here.
pub struct ObjectReader(Infallible);

impl ObjectReader {
    /// Refused.
    pub fn open(_url: &str) -> std::io::Result<Self> {
        Err(io_refused())
    }
}

impl std::io::Read for ObjectReader {
    fn read(&mut self, _buf: &mut [u8]) -> std::io::Result<usize> {
        match self.0 {}
    }
}

/// An object read by ranges; never opened here.
#[derive(Debug)]
pub struct RangedObject(Infallible);

impl RangedObject {
    /// Refused.
    pub fn open(_url: &str) -> std::io::Result<Self> {
        Err(io_refused())
    }

    /// Unreachable: no value exists.
    pub fn len(&self) -> u64 {
        match self.0 {}
    }

    /// Unreachable: no value exists.
    pub fn is_empty(&self) -> bool {
        match self.0 {}
    }

    /// Unreachable: no value exists.
    pub fn range(&self, _start: u64, _len: u64) -> std::io::Result<bytes::Bytes> {
        match self.0 {}
    }
}

/// The local folder of an upload; never made here.
pub struct Staging(Infallible);

impl Staging {
    /// Refused: there is nothing to upload to.
    pub fn new() -> std::io::Result<Self> {
        Err(io_refused())
    }

    /// Unreachable: no value exists.
    pub fn path(&self) -> &Path {
        match self.0 {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_call_refuses_and_names_the_feature() {
        let url = "s3://bucket/data.csv";
        for message in [
            split_url(url).unwrap_err(),
            overlaps(url, url).unwrap_err(),
            list(url).unwrap_err(),
            exists(url).unwrap_err().to_string(),
            ObjectReader::open(url).err().unwrap().to_string(),
            RangedObject::open(url).err().unwrap().to_string(),
            Staging::new().err().unwrap().to_string(),
        ] {
            assert!(message.contains("`cloud` feature"), "{message}");
        }
    }
}
