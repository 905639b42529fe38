//! The writers of pass 2 (CSV, JSON, Parquet) on arbitrary bytes: the first byte picks the
//! format; the output is read back. Any error, never a panic.
#![no_main]

mod common;

use shroud::source::Format;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let (format, ext) = match pick % 4 {
        0 => (Format::Csv, "csv"),
        1 => (Format::Jsonl, "jsonl"),
        2 => (Format::Json, "json"),
        _ => (Format::Parquet, "parquet"),
    };
    common::rewrite_bytes(body, format, ext);
});
