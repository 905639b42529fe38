//! Shared by the reader targets: write the input to a file (the readers take paths), read it
//! to the end through the real scan path, and accept any error but never a panic or a hang.

use shroud::detect::Detector;
use shroud::scan::{ScanOptions, scan_input};
use shroud::source::{Compression, Format, Input, ReadOptions};
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, LazyLock};

static DETECTOR: LazyLock<Detector> = LazyLock::new(|| Detector::builtin().unwrap());
static DIR: LazyLock<PathBuf> = LazyLock::new(|| {
    let base = if std::path::Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let dir = base.join(format!("shroud-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
});

/// Scans `data` as a file of `format`, lenient or strict (the first byte decides).
pub fn scan_bytes(data: &[u8], format: Format, ext: &str) {
    let (lenient, body) = match data.split_first() {
        Some((b, rest)) => (b & 1 == 1, rest),
        None => (false, data),
    };
    let path = DIR.join(format!("input.{ext}"));
    std::fs::write(&path, body).unwrap();
    let input = Input {
        path,
        format,
        compression: Compression::None,
        size: body.len() as u64,
        handle: None,
        table: None,
    };
    let opts = ScanOptions {
        read: ReadOptions {
            lenient,
            // Small limits so that a fuzzer's big inputs hit them.
            max_cell_bytes: 1 << 16,
            ..ReadOptions::default()
        },
        show_values: false,
        parse_only: false,
    };
    let _ = scan_input(&DETECTOR, &input, &opts, None, Arc::new(AtomicU64::new(0)));
}
