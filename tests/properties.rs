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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Pseudonymizing a CSV with no personal data writes it back byte for byte, whatever the
    /// quoting, delimiters inside quotes and line ends.
    #[test]
    fn csv_without_personal_data_round_trips_byte_for_byte(
        rows in proptest::collection::vec(proptest::collection::vec("[a-z]{0,8}( [a-z]{1,6})?", 3), 0..20),
        quote in proptest::bool::ANY,
        crlf in proptest::bool::ANY,
    ) {
        use shroud::pseudo::{Rewrite, plan_file, rewrite};
        use shroud::scan::ScanOptions;
        use shroud::source::{Compression, Format, Input};
        use shroud::transform::{Policy, Transformer, key::Key};
        let end = if crlf { "\r\n" } else { "\n" };
        let mut text = format!("alpha,beta,gamma{end}");
        for r in &rows {
            let cells: Vec<String> = r.iter().map(|c| if quote { format!("\"{c}, x\"") } else { c.clone() }).collect();
            text.push_str(&cells.join(","));
            text.push_str(end);
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, &text).unwrap();
        let input = Input { path, format: Format::Csv, compression: Compression::None, size: 0, handle: None };
        let d = detector();
        let policy = Policy::builtin();
        let key = Key::parse(b"0123456789abcdef0123456789abcdef").unwrap();
        let t = Transformer::new(Some(&key));
        let opts = ScanOptions::default();
        let plan = plan_file(d, &policy, &input, &opts).unwrap();
        let rw = Rewrite::new(d, &t, &policy, &plan);
        let mut out: Vec<u8> = Vec::new();
        rewrite(&rw, &input, &opts, &mut out).unwrap();
        prop_assert_eq!(String::from_utf8(out).unwrap(), text);
    }
}
