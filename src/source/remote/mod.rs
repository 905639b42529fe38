//! Object stores: `s3://bucket/prefix/`, `gs://bucket/...`, `az://container/...` (also
//! `abfs[s]://`, `azure://`) and `http(s)://` for a single file, through the `object_store`
//! crate. An object is an input like a file: its format and compression come from its name,
//! CSV and JSON are streamed, Parquet is read by ranges (the footer first, then only the
//! column chunks of the row groups read), in parallel.
//!
//! Credentials come from each cloud's standard environment (`AWS_*`, `GOOGLE_*`, `AZURE_*`;
//! instance and workload identities where the crate supports them), never from a command-line
//! value; no error or report shows them.
//!
//! Writing ([`upload_tree`]) is atomic per object and per run: each file goes up as one PUT
//! (under 5 MiB) or a multipart upload completed only when the file is whole, the manifest
//! last; an error or an
//! interrupt aborts the upload in flight and deletes the objects this run completed.
//!
//! The client is the `cloud` feature (on by default). Built without it, an object store URL
//! is still recognised, and every read or write of one is refused with a message naming the
//! feature: it is never taken for a local path.

use std::path::Path;

/// URL schemes read through object stores.
const SCHEMES: [&str; 9] = [
    "s3://", "s3a://", "gs://", "az://", "abfs://", "abfss://", "azure://", "http://", "https://",
];

/// Whether `text` names an object or a prefix in an object store (or a file over HTTP).
pub fn is_url(text: &str) -> bool {
    SCHEMES
        .iter()
        .any(|s| text.len() >= s.len() && text[..s.len()].eq_ignore_ascii_case(s))
}

/// Whether `path` (as an input or output argument) is such a URL.
pub fn is_url_path(path: &Path) -> bool {
    path.to_str().is_some_and(is_url)
}

/// Errors of [`upload_tree`].
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// Objects exist where the run would write (replacing them needs `force`).
    #[error("output objects exist (replacing them needs --force): {0}")]
    Exists(String),
    /// The run was interrupted (SIGINT, SIGTERM) while uploading: the upload in flight was
    /// aborted and the objects it completed deleted; the interrupt handler ends the process.
    #[error("interrupted; no object of this run is left")]
    Interrupted,
    /// The store refused or failed; nothing of this run is left.
    #[error("{url}: {message}")]
    Store {
        /// The object's URL.
        url: String,
        /// Cause.
        message: String,
    },
}

#[cfg(feature = "cloud")]
mod store;
#[cfg(feature = "cloud")]
pub use store::*;

#[cfg(not(feature = "cloud"))]
mod off;
#[cfg(not(feature = "cloud"))]
pub use off::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_of_object_stores() {
        for u in [
            "s3://b/k.csv",
            "S3://b/",
            "gs://b/x",
            "az://c/x",
            "https://h/x.parquet",
        ] {
            assert!(is_url(u), "{u}");
        }
        for u in ["/data/s3.csv", "postgres://h/db", "file.csv", "s3:/b"] {
            assert!(!is_url(u), "{u}");
        }
    }
}
