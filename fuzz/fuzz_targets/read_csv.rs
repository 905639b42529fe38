//! The csv reader and the scan behind it on arbitrary bytes (also compressed: the reader sniffs
//! gzip and zstd magic).
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::scan_bytes(data, shroud::source::Format::Csv, "csv");
});
