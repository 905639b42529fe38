//! The detection engine on arbitrary cells: the first line picks the column name (so hinted
//! and context-only rules run too), the rest is the cell. Findings must be well-formed spans.
#![no_main]

use shroud::detect::{Detector, Scratch};
use std::sync::LazyLock;

static DETECTOR: LazyLock<Detector> = LazyLock::new(|| Detector::builtin().unwrap());

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (column, cell) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (
            String::from_utf8_lossy(&data[..i]).into_owned(),
            &data[i + 1..],
        ),
        None => ("notes".to_string(), data),
    };
    let plan = DETECTOR.plan(&column);
    let mut scratch = Scratch::default();
    DETECTOR.scan_cell(&plan, cell, &mut scratch);
    for f in &scratch.findings {
        assert!(
            f.start <= f.end && f.end as usize <= cell.len(),
            "bad span {f:?}"
        );
    }
    if let Ok(text) = std::str::from_utf8(cell) {
        for f in DETECTOR.scan_text(&column, text) {
            assert!(
                text.is_char_boundary(f.start as usize) && text.is_char_boundary(f.end as usize)
            );
        }
    }
});
