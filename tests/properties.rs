//! Properties of the engine on arbitrary input.

use proptest::prelude::*;
use shroud::detect::Detector;
use std::sync::OnceLock;

fn detector() -> &'static Detector {
    static D: OnceLock<Detector> = OnceLock::new();
    D.get_or_init(|| Detector::builtin().unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Findings lie inside the cell, on character boundaries, sorted and disjoint; scanning
    /// twice gives the same result.
    #[test]
    fn findings_are_well_formed(cell in "\\PC{0,80}", col in "(notes|email|phone|name|account_number|zip|)") {
        let d = detector();
        let a = d.scan_text(&col, &cell);
        let b = d.scan_text(&col, &cell);
        prop_assert_eq!(&a, &b);
        let mut last_end = 0;
        for f in &a {
            let (s, e) = (f.start as usize, f.end as usize);
            prop_assert!(s < e && e <= cell.len());
            prop_assert!(cell.is_char_boundary(s) && cell.is_char_boundary(e));
            prop_assert!(s >= last_end);
            last_end = e;
            prop_assert!((0.0..=1.0).contains(&f.score));
        }
    }

    /// Embedded values are found wherever they sit in free text.
    #[test]
    fn embedded_email_is_found(prefix in "[a-z ]{0,30}", suffix in "[a-z ]{0,30}") {
        let d = detector();
        let cell = format!("{prefix} jane.doe@example.com {suffix}");
        let f = d.scan_text("notes", &cell);
        let start = prefix.len() + 1;
        prop_assert!(f.iter().any(|x| x.start as usize == start && x.end as usize == start + 20));
    }
}

/// Arbitrary bytes (not UTF-8) never panic.
#[test]
fn arbitrary_bytes_do_not_panic() {
    let d = detector();
    let plan = d.plan("notes");
    let mut scratch = shroud::detect::Scratch::default();
    let mut x: u64 = 42;
    for len in 0..400 {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x % 256) as u8
            })
            .collect();
        d.scan_cell(&plan, &bytes, &mut scratch);
        for f in &scratch.findings {
            assert!(f.end as usize <= bytes.len());
        }
    }
}
