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
    // Duplicate keys: both values are scanned under the same path (the last one is kept).
    let (code, _, _) = scan_file(
        dir.path(),
        "d.jsonl",
        br#"{"email":"a@example.com","email":"b@example.com"}"#,
        &[],
    );
    assert_eq!(code, 0);
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(column(&r, "email")["entity"], "EMAIL_ADDRESS");
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
    assert!(err.contains("q.csv") && err.contains("line 2"), "{err}");
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
