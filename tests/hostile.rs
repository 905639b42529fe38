//! Hostile and broken inputs: each gives a clear error naming the file and where, or is
//! scanned; none panics or hangs. (More of issue 6's corpus lives in fixtures/bad.)

use crate::util::*;
use std::path::Path;

fn scan_file(dir: &Path, name: &str, data: &[u8], extra: &[&str]) -> (i32, String, String) {
    std::fs::write(dir.join(name), data).unwrap();
    let mut args = vec!["scan", name, "-q", "--report", "r.json"];
    args.extend_from_slice(extra);
    let out = shroud(dir, &args);
    let (o, e) = text(&out);
    assert!(!e.contains("panicked"), "{name}: {e}");
    (out.status.code().unwrap_or(-1), o, e)
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!("[{}1{}]", "{\"a\":".repeat(100_000), "}".repeat(100_000));
    let (code, _, err) = scan_file(dir.path(), "deep.json", deep.as_bytes(), &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("deep.json") && err.contains("recursion limit"),
        "{err}"
    );
    let deep = format!("{}1{}\n", "{\"a\":".repeat(100_000), "}".repeat(100_000));
    let (code, _, err) = scan_file(dir.path(), "deep.jsonl", deep.as_bytes(), &[]);
    assert_eq!(code, 2);
    assert!(err.contains("line 1"), "{err}");
}

#[test]
fn json_trailing_garbage_invalid_escapes_duplicates_and_huge_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = scan_file(
        dir.path(),
        "t.json",
        br#"[{"email":"jane.doe@example.com"}] garbage"#,
        &[],
    );
    assert_eq!(code, 2);
    assert!(err.contains("t.json") && err.contains("trailing"), "{err}");
    let (code, _, err) = scan_file(
        dir.path(),
        "e.jsonl",
        b"{\"email\":\"a@example.com\"}\n{\"s\": \"bad \\q\"}\n",
        &[],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("e.jsonl") && err.contains("line 2") && err.contains("escape"),
        "{err}"
    );
    // Duplicate keys: one value would be read and the other copied unread, so the record is
    // refused, naming the line (issue 23).
    let (code, _, err) = scan_file(
        dir.path(),
        "d.jsonl",
        b"{\"id\":1}\n{\"email\":\"a@example.com\",\"email\":\"b@example.com\"}\n",
        &[],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("d.jsonl") && err.contains("line 2") && err.contains("written twice"),
        "{err}"
    );
    assert!(!err.contains("example.com"), "{err}");
    // Numbers beyond f64 are kept as their digits and scanned.
    let big = format!(
        "{{\"account_number\": 5400112233{}, \"x\": 1e999999}}\n",
        "0".repeat(3)
    );
    let (code, _, err) = scan_file(dir.path(), "n.jsonl", big.as_bytes(), &[]);
    assert_eq!(code, 0, "{err}");
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(column(&r, "account_number")["entity"], "ACCOUNT_NUMBER");
}

#[test]
fn csv_nul_bytes_and_unclosed_quotes() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, _) = scan_file(
        dir.path(),
        "nul.csv",
        b"name,email\nJane\x00Doe,jane.doe@example.com\n",
        &[],
    );
    assert_eq!(code, 0);
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(column(&r, "email")["entity"], "EMAIL_ADDRESS");
    let (code, _, err) = scan_file(
        dir.path(),
        "q.csv",
        b"name,email\n\"Jane Doe,jane@example.com\nJohn,john@example.org\n",
        &[],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("q.csv") && err.contains("line 2") && err.contains("never closed"),
        "{err}"
    );
    // The quote opens in the last column, so every record has the right field count: the
    // rest of the file would read as one cell without an error from the parser.
    let (code, _, err) = scan_file(
        dir.path(),
        "last.csv",
        b"name,email\nJane Doe,\"jane.doe@example.com\nJohn Smith,john.smith@example.org\n",
        &[],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("last.csv") && err.contains("line 2") && err.contains("never closed"),
        "{err}"
    );
    // A closed multi-line last field is fine.
    let (code, _, err) = scan_file(
        dir.path(),
        "ok.csv",
        b"name,note\nJane Doe,\"two\nlines\"\r\n",
        &[],
    );
    assert_eq!(code, 0, "{err}");
}

#[test]
fn huge_lines_and_decompression_bombs_are_refused_with_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    // 64 MiB of zeros on one line, gzip-compressed to a few hundred KiB.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    use std::io::Write;
    gz.write_all(b"a,b\n").unwrap();
    let chunk = vec![b'0'; 1 << 20];
    for _ in 0..64 {
        gz.write_all(&chunk).unwrap();
    }
    let bytes = gz.finish().unwrap();
    assert!(bytes.len() < 1 << 20);
    let (code, _, err) = scan_file(
        dir.path(),
        "bomb.csv.gz",
        &bytes,
        &["--max-cell-bytes", "1000000"],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("bomb.csv.gz") && err.contains("longer than 1000000 bytes"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_walked_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(data.join("sub")).unwrap();
    std::os::unix::fs::symlink("..", data.join("sub/up")).unwrap();
    std::fs::copy(fixture("csv/customers.csv"), data.join("c.csv")).unwrap();
    let out = shroud(dir.path(), &["scan", "data", "-q", "--report", "r.json"]);
    assert!(out.status.success(), "{:?}", text(&out));
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(r["files"].as_array().unwrap().len(), 1);
}

/// What scanning one file of `fixtures/bad` must give.
enum Expect {
    /// Scanned; the report's first file is checked by the closure.
    Scanned(fn(&serde_json::Value)),
    /// Exit 2 with an error naming the file and holding each of these.
    Error(&'static [&'static str]),
}

fn email_column_found(r: &serde_json::Value) {
    assert_eq!(column(r, "email")["entity"], "EMAIL_ADDRESS", "{r}");
}

/// Every file of the broken-input corpus, and what shroud does with it.
const CORPUS: &[(&str, Expect)] = &[
    (
        "bad_magic.parquet",
        Expect::Error(&["footer", "Corrupt footer"]),
    ),
    (
        "bad_footer_length.parquet",
        Expect::Error(&["footer", "file too small"]),
    ),
    (
        "cut_row_group.parquet",
        Expect::Error(&["row group 1", "corrupt or cut short"]),
    ),
    ("truncated.parquet", Expect::Error(&["footer"])),
    (
        "unclosed_quote.csv",
        Expect::Error(&["line 3", "never closed"]),
    ),
    (
        "ragged.csv",
        Expect::Error(&["line 3", "expected 2 fields", "--lenient"]),
    ),
    ("broken.jsonl", Expect::Error(&["line 3"])),
    (
        "trailing_garbage.json",
        Expect::Error(&["after record 1", "trailing characters"]),
    ),
    (
        "invalid_escape.json",
        Expect::Error(&["record 1", "line 2", "invalid escape"]),
    ),
    ("nul_bytes.csv", Expect::Scanned(email_column_found)),
    (
        "bom_crlf.csv",
        Expect::Scanned(|r| {
            email_column_found(r);
            // The BOM is not part of the first column's name; CRLF is not part of values.
            assert_eq!(column(r, "name")["entity"], "PERSON", "{r}");
            assert_eq!(r["files"][0]["rows"], 2);
        }),
    ),
    (
        "invalid_utf8.csv",
        Expect::Scanned(|r| {
            email_column_found(r);
            // Not UTF-8: detected as windows-1252 and decoded, so no cell is left as bytes.
            assert_eq!(column(r, "name")["invalid_utf8"], 0, "{r}");
        }),
    ),
    (
        "empty.csv",
        Expect::Scanned(|r| assert_eq!(r["files"][0]["rows"], 0)),
    ),
    (
        "header_only.csv",
        Expect::Scanned(|r| {
            assert_eq!(r["files"][0]["rows"], 0);
            assert_eq!(r["files"][0]["columns"].as_array().unwrap().len(), 3);
        }),
    ),
    (
        "duplicate_keys.json",
        // One value of a key written twice would go unread: refused (issue 23).
        Expect::Error(&["written twice"]),
    ),
    (
        "huge_numbers.json",
        Expect::Scanned(|r| {
            // Numbers beyond i64/f64 are kept as written and scanned: the card is found.
            assert_eq!(column(r, "card")["entity"], "CREDIT_CARD", "{r}");
            assert_eq!(column(r, "id")["entity"], serde_json::Value::Null);
        }),
    ),
    (
        "stray_quote.csv",
        Expect::Scanned(|r| {
            email_column_found(r);
            assert_eq!(r["files"][0]["rows"], 3, "{r}");
        }),
    ),
    (
        "cr_only.csv",
        Expect::Scanned(|r| {
            email_column_found(r);
            assert_eq!(r["files"][0]["rows"], 2, "{r}");
        }),
    ),
    (
        "duplicate_header.csv",
        Expect::Scanned(|r| {
            let cols = r["files"][0]["columns"].as_array().unwrap();
            assert_eq!(cols.len(), 2, "{r}");
            assert_eq!(cols[0]["entity"], "EMAIL_ADDRESS", "{r}");
            assert_ne!(cols[1]["entity"], "EMAIL_ADDRESS", "{r}");
        }),
    ),
    (
        "pii_header.csv",
        Expect::Scanned(|r| {
            let text = r.to_string();
            assert!(
                !text.contains("jane.doe@example.com"),
                "a header printed raw: {r}"
            );
            assert!(text.contains("(name masked)"), "{r}");
        }),
    ),
    (
        "data_keys.json",
        Expect::Scanned(|r| {
            assert_eq!(column(r, "friends.{key}")["entity"], "PERSON", "{r}");
            assert!(!r.to_string().contains("Jane Doe"), "{r}");
        }),
    ),
    (
        "nested_types.parquet",
        Expect::Scanned(|r| {
            for c in [
                "attrs[].value",
                "raw_email",
                "big_raw",
                "contacts[]",
                "pair[]",
            ] {
                assert_eq!(column(r, c)["entity"], "EMAIL_ADDRESS", "{c}: {r}");
            }
        }),
    ),
    (
        "null_first.parquet",
        Expect::Scanned(|r| {
            assert_eq!(column(r, "phone")["entity"], "PHONE_NUMBER", "{r}");
            assert_eq!(column(r, "ssn")["entity"], "US_SSN", "{r}");
        }),
    ),
];

#[test]
fn broken_input_corpus() {
    let corpus = fixture("bad");
    let mut names: Vec<String> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "README.md")
        .collect();
    names.sort();
    let mut listed: Vec<String> = CORPUS.iter().map(|(n, _)| n.to_string()).collect();
    listed.sort();
    assert_eq!(
        names, listed,
        "every file in fixtures/bad has an expectation"
    );
    for (name, expect) in CORPUS {
        let dir = tempfile::tempdir().unwrap();
        let input = corpus.join(name);
        let before = std::fs::read(&input).unwrap();
        let out = shroud(
            dir.path(),
            &["scan", input.to_str().unwrap(), "-q", "--report", "r.json"],
        );
        let (_, err) = text(&out);
        assert!(!err.contains("panicked"), "{name}: {err}");
        match expect {
            Expect::Scanned(check) => {
                assert_eq!(out.status.code(), Some(0), "{name}: {err}");
                let r: serde_json::Value = serde_json::from_str(
                    &std::fs::read_to_string(dir.path().join("r.json")).unwrap(),
                )
                .unwrap();
                check(&r);
            }
            Expect::Error(parts) => {
                assert_eq!(out.status.code(), Some(2), "{name}: {err}");
                assert!(
                    err.contains(name),
                    "{name}: error does not name the file: {err}"
                );
                for p in *parts {
                    assert!(err.contains(p), "{name}: {p:?} missing from: {err}");
                }
                assert!(
                    !dir.path().join("r.json").exists(),
                    "{name}: a report was written for a failed run"
                );
                // With --keep-going the error is in the report and the run still says 2.
                let out = shroud(
                    dir.path(),
                    &[
                        "scan",
                        input.to_str().unwrap(),
                        "-q",
                        "--keep-going",
                        "--report",
                        "r.json",
                    ],
                );
                assert_eq!(out.status.code(), Some(2), "{name}");
                let r: serde_json::Value = serde_json::from_str(
                    &std::fs::read_to_string(dir.path().join("r.json")).unwrap(),
                )
                .unwrap();
                assert!(
                    r["files"][0]["errors"][0]
                        .as_str()
                        .unwrap()
                        .contains(parts[0]),
                    "{name}: {r}"
                );
            }
        }
        // The same file through pseudonymize and check: an input scan refuses is refused by
        // both (nothing written); one it reads gives a copy the gate passes.
        let key = dir.path().join("k.key");
        assert!(shroud(dir.path(), &["keygen", "k.key"]).status.success());
        let out = shroud(
            dir.path(),
            &[
                "pseudonymize",
                input.to_str().unwrap(),
                "--out-dir",
                "o",
                "--key-file",
                key.to_str().unwrap(),
                "-q",
            ],
        );
        let (_, err) = text(&out);
        assert!(!err.contains("panicked"), "{name}: {err}");
        let check = shroud(dir.path(), &["check", input.to_str().unwrap()]);
        match expect {
            Expect::Scanned(_) => {
                assert_eq!(out.status.code(), Some(0), "{name}: pseudonymize: {err}");
                let again = shroud(dir.path(), &["check", "o"]);
                assert_eq!(
                    again.status.code(),
                    Some(0),
                    "{name}: check of the copy: {:?}",
                    text(&again)
                );
                assert_ne!(check.status.code(), Some(2), "{name}: {:?}", text(&check));
            }
            Expect::Error(parts) => {
                assert_eq!(out.status.code(), Some(2), "{name}: pseudonymize: {err}");
                assert!(err.contains(name), "{name}: {err}");
                assert!(err.contains(parts[0]), "{name}: {err}");
                let written: Vec<_> = std::fs::read_dir(dir.path().join("o"))
                    .map(|d| d.flatten().map(|e| e.file_name()).collect())
                    .unwrap_or_default();
                assert!(written.is_empty(), "{name}: a failed run left {written:?}");
                assert_eq!(
                    check.status.code(),
                    Some(2),
                    "{name}: check: {:?}",
                    text(&check)
                );
                assert!(
                    text(&check).0.contains(parts[0]),
                    "{name}: {:?}",
                    text(&check)
                );
            }
        }
        assert_eq!(
            std::fs::read(&input).unwrap(),
            before,
            "{name}: input changed"
        );
    }
}

#[test]
fn a_huge_json_record_is_refused_while_read() {
    let dir = tempfile::tempdir().unwrap();
    // One 64 MiB string in a JSON array: refused at a 1 MB limit before it is held whole.
    let mut doc = b"[{\"a\":\"".to_vec();
    doc.resize(doc.len() + (64 << 20), b'x');
    doc.extend_from_slice(b"\"}]");
    let (code, _, err) = scan_file(
        dir.path(),
        "big.json",
        &doc,
        &["--max-cell-bytes", "1000000"],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("big.json") && err.contains("longer than 1000000 bytes"),
        "{err}"
    );
}

#[test]
fn a_100_mb_line_is_scanned_under_the_default_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = b"note,email\n".to_vec();
    data.resize(data.len() + 100_000_000, b'y');
    data.extend_from_slice(b" jane.doe@example.com,john.smith@example.org\n");
    let (code, _, err) = scan_file(dir.path(), "long.csv", &data, &[]);
    assert_eq!(code, 0, "{err}");
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(column(&r, "note")["matches"]["EMAIL_ADDRESS"], 1, "{r}");
}

#[test]
fn a_file_that_vanishes_after_discovery_is_an_error_naming_it() {
    use shroud::scan::{ScanOptions, scan_inputs};
    use shroud::source::discover::{DiscoverOptions, discover};
    let dir = tempfile::tempdir().unwrap();
    for n in ["a.csv", "b.csv"] {
        std::fs::copy(fixture("csv/customers.csv"), dir.path().join(n)).unwrap();
    }
    let inputs = discover(&[dir.path().to_path_buf()], &DiscoverOptions::default()).unwrap();
    assert_eq!(inputs.len(), 2);
    std::fs::remove_file(dir.path().join("b.csv")).unwrap();
    let detector = shroud::detect::Detector::builtin().unwrap();
    let results = scan_inputs(
        &detector,
        &inputs,
        &ScanOptions::default(),
        None,
        &std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0)),
    );
    assert!(results[0].0.is_ok());
    let err = results[1].0.as_ref().unwrap_err().to_string();
    assert!(
        err.contains("b.csv") && err.contains("No such file"),
        "{err}"
    );
}

#[test]
fn a_parquet_file_cut_after_its_footer_was_read_is_an_error() {
    use shroud::source::{Input, ReadOptions, open};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.parquet");
    std::fs::copy(fixture("parquet/customers.parquet"), &path).unwrap();
    let input = Input {
        path: path.clone(),
        format: shroud::source::Format::Parquet,
        compression: shroud::source::Compression::None,
        size: std::fs::metadata(&path).unwrap().len(),
        handle: None,
        table: None,
    };
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut reader = open(&input, &ReadOptions::default(), counter).unwrap();
    // The file shrinks under the reader (another process rewrote it).
    let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    f.set_len(200).unwrap();
    let mut err = None;
    for _ in 0..100 {
        match reader.next_batches(1) {
            Ok(b) if b.is_empty() => break,
            Ok(_) => {}
            Err(e) => {
                err = Some(e.to_string());
                break;
            }
        }
    }
    let err = err.expect("reading a cut file must fail");
    assert!(
        err.contains("c.parquet") && err.contains("row group"),
        "{err}"
    );
}

/// Inputs the fuzzers found (and seeds), in `fixtures/fuzz/<target>/`, replayed through the
/// same code as the fuzz targets in `fuzz/fuzz_targets`: none may panic.
#[test]
fn fuzz_regressions_replay() {
    use shroud::detect::{Detector, Scratch, builtin_specs, parse_rule_file};
    use shroud::scan::{ScanOptions, scan_input};
    use shroud::source::{Compression, Format, Input, ReadOptions};
    let detector = Detector::builtin().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = fixture("fuzz");
    let mut replayed = 0;
    for (target, format) in [
        ("read_csv", Some(Format::Csv)),
        ("read_json", Some(Format::Json)),
        ("read_parquet", Some(Format::Parquet)),
        ("detect_text", None),
        ("load_rules", None),
    ] {
        let Ok(entries) = std::fs::read_dir(root.join(target)) else {
            continue;
        };
        for e in entries.flatten() {
            let data = std::fs::read(e.path()).unwrap();
            replayed += 1;
            match (target, format) {
                (_, Some(format)) => {
                    // As in fuzz_targets/common.rs: the first byte picks lenient mode.
                    let (lenient, body) = match data.split_first() {
                        Some((b, rest)) => (b & 1 == 1, rest),
                        None => (false, &data[..]),
                    };
                    let path = dir.path().join("input");
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
                            max_cell_bytes: 1 << 16,
                            ..ReadOptions::default()
                        },
                        ..ScanOptions::default()
                    };
                    let counter = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
                    let _ = scan_input(&detector, &input, &opts, None, counter);
                }
                ("detect_text", _) => {
                    let (column, cell) = match data.iter().position(|&b| b == b'\n') {
                        Some(i) => (
                            String::from_utf8_lossy(&data[..i]).into_owned(),
                            &data[i + 1..],
                        ),
                        None => ("notes".to_string(), &data[..]),
                    };
                    let plan = detector.plan(&column);
                    let mut scratch = Scratch::default();
                    detector.scan_cell(&plan, cell, &mut scratch);
                }
                _ => {
                    if let Ok(text) = std::str::from_utf8(&data)
                        && let Ok(spec) = parse_rule_file("fuzz.toml", text)
                    {
                        let mut files = builtin_specs().unwrap();
                        files.push(("fuzz.toml".to_string(), spec));
                        if let Ok(d) = Detector::from_files(files) {
                            let _ = d.check_examples();
                        }
                    }
                }
            }
        }
    }
    assert!(replayed > 0, "fixtures/fuzz is empty");
}
