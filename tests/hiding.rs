//! Places every reader skips, which pseudonymize's own output never has: check judges what
//! is there or refuses the file (issue 24). Each place is tried with several payloads (an
//! e-mail, a name with a phone, a card number) in a carrier whose cells are clean, so the
//! only way to pass is to miss the place; and each place's harmless form (zero padding,
//! pzstd's frame sizes, a plain gzip file name) still passes, so the refusal is not blanket.

use crate::util::*;
use std::io::Write;
use std::path::Path;

const PAYLOADS: [&str; 3] = [
    "exported for ann.lee@example.com",
    "call Margaret Okonkwo-Hale on +44 20 7946 0958",
    "card 4111 1111 1111 1111 exp 09/29",
];
const CLEAN_CSV: &[u8] = b"id,amount\n1,20\n2,35\n3,17\n4,99\n";

fn gzip(name: Option<&str>, comment: Option<&str>, extra: Option<&[u8]>, data: &[u8]) -> Vec<u8> {
    let mut b = flate2::GzBuilder::new();
    if let Some(n) = name {
        b = b.filename(n);
    }
    if let Some(c) = comment {
        b = b.comment(c);
    }
    if let Some(x) = extra {
        b = b.extra(x);
    }
    let mut e = b.write(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn skippable(content: &[u8]) -> Vec<u8> {
    let mut f = 0x184D_2A5Eu32.to_le_bytes().to_vec();
    f.extend((content.len() as u32).to_le_bytes());
    f.extend(content);
    f
}

fn parquet_with_gap(gap: &[u8]) -> Vec<u8> {
    use arrow_array::{Int64Array, RecordBatch};
    let batch = RecordBatch::try_from_iter([(
        "amount",
        std::sync::Arc::new(Int64Array::from(vec![20, 35, 17])) as arrow_array::ArrayRef,
    )])
    .unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(Vec::new(), batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.flush().unwrap();
    w.write_all(gap).unwrap();
    w.write(&batch).unwrap();
    w.into_inner().unwrap()
}

/// `check FILE`: its exit status and what it printed.
fn check(dir: &Path, name: &str, bytes: &[u8]) -> (Option<i32>, String) {
    std::fs::write(dir.join(name), bytes).unwrap();
    let out = shroud(dir, &["check", name]);
    let (o, e) = text(&out);
    (out.status.code(), format!("{o}{e}"))
}

#[test]
fn every_place_a_reader_skips_is_judged_or_refused_by_check() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (i, payload) in PAYLOADS.iter().enumerate() {
        let p = payload.as_bytes();
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("t.csv.gz", gzip(None, Some(payload), None, CLEAN_CSV)),
            ("t.csv.gz", {
                // A second member's header, after a clean first member.
                let mut b = gzip(None, None, None, b"id,amount\n1,20\n2,35\n");
                b.extend(gzip(Some(&format!("{payload}.csv")), None, None, b"3,17\n"));
                b
            }),
            ("t.csv.gz", gzip(None, None, Some(p), CLEAN_CSV)),
            ("t.csv.gz", {
                let mut x = p.to_vec();
                x.extend([0xff; 40]);
                gzip(None, None, Some(&x), CLEAN_CSV)
            }),
            ("t.csv.zst", {
                let mut b = zstd::stream::encode_all(CLEAN_CSV, 3).unwrap();
                b.extend(skippable(p));
                b
            }),
            ("t.csv.zst", {
                // Binary side data: unreadable, refused whatever it holds.
                let mut b = skippable(&zstd::stream::encode_all(p, 3).unwrap());
                b.extend(zstd::stream::encode_all(CLEAN_CSV, 3).unwrap());
                b
            }),
            ("t.parquet", parquet_with_gap(p)),
            (
                "t.json",
                format!("[{{\"amount\":20}}]\n{{\"note\":\"{payload}\"}}\n").into_bytes(),
            ),
            (
                "t.csv",
                [format!("# {payload}\n").as_bytes(), CLEAN_CSV].concat(),
            ),
            (
                "t.csv",
                [CLEAN_CSV, format!("# {payload}\n").as_bytes()].concat(),
            ),
        ];
        for (j, (name, bytes)) in cases.iter().enumerate() {
            let (code, said) = check(d, name, bytes);
            assert!(
                matches!(code, Some(1) | Some(2)),
                "payload {i}, case {j} ({name}) passed check: {said}"
            );
            assert!(!said.contains(payload), "the payload was printed: {said}");
            let why = match (name, j) {
                (&"t.parquet", _) => "belong to no column chunk",
                (_, 5) | (_, 3) => "binary data",
                _ => "",
            };
            assert!(said.contains(why), "case {j} ({name}): {said}");
        }
    }
    // The harmless forms of the same places pass.
    let harmless: Vec<(&str, Vec<u8>)> = vec![
        (
            "h.csv.gz",
            gzip(Some("export-2026-12.csv"), Some("nightly"), None, CLEAN_CSV),
        ),
        (
            "h.csv.gz",
            gzip(None, None, Some(b"BC\x02\x00\x1b\x00"), CLEAN_CSV),
        ),
        ("h.csv.zst", {
            let mut b = skippable(&1234u32.to_le_bytes());
            b.extend(zstd::stream::encode_all(CLEAN_CSV, 3).unwrap());
            b
        }),
        ("h.parquet", parquet_with_gap(&[0u8; 64])),
        ("h.parquet", parquet_with_gap(b"")),
    ];
    for (name, bytes) in &harmless {
        let (code, said) = check(d, name, bytes);
        assert_eq!(code, Some(0), "{name}: {said}");
    }
}
