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

/// Pseudonymizes `data` as a file of `format` (the scan, the plan and the writer of pass 2
/// into memory), then reads the output back: any error, never a panic.
pub fn rewrite_bytes(data: &[u8], format: Format, ext: &str) {
    use shroud::pseudo::{Rewrite, plan_file, rewrite};
    use shroud::transform::{Policy, Transformer, key::Key};
    static KEY: LazyLock<Key> = LazyLock::new(|| {
        Key::parse(b"3c9e51a07f2b8d64e1a5c03b97f8d2460b1e7a93c5d8f2064a7e1b9c3d5f8a02").unwrap()
    });
    static POLICY: LazyLock<Policy> = LazyLock::new(Policy::builtin);
    let path = DIR.join(format!("rewrite.{ext}"));
    std::fs::write(&path, data).unwrap();
    let input = Input {
        path,
        format,
        compression: Compression::None,
        size: data.len() as u64,
        handle: None,
        table: None,
    };
    let opts = ScanOptions {
        read: ReadOptions {
            max_cell_bytes: 1 << 16,
            ..ReadOptions::default()
        },
        ..ScanOptions::default()
    };
    let Ok(plan) = plan_file(&DETECTOR, &POLICY, &input, &opts) else {
        return;
    };
    let t = Transformer::new(Some(&KEY));
    let rw = Rewrite::new(&DETECTOR, &t, &POLICY, &plan);
    let mut out: Vec<u8> = Vec::new();
    if rewrite(&rw, &input, &opts, &mut out).is_ok() {
        let back = DIR.join(format!("rewritten.{ext}"));
        std::fs::write(&back, &out).unwrap();
        let written = Input {
            path: back,
            size: out.len() as u64,
            ..input
        };
        let _ = scan_input(&DETECTOR, &written, &opts, None, Arc::new(AtomicU64::new(0)));
    }
}
