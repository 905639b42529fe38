//! Format parity: the same data in every format and compression gives the same verdicts.

use crate::scan::CUSTOMERS;
use crate::util::*;

fn expected() -> std::collections::BTreeMap<String, String> {
    CUSTOMERS
        .iter()
        .map(|(c, e)| (c.to_string(), e.to_string()))
        .collect()
}

#[test]
fn tsv_semicolon_bom_crlf_and_gzip_match_csv() {
    for f in [
        "csv/customers.tsv",
        "csv/customers_semicolon.csv",
        "compressed/customers.csv.gz",
    ] {
        let (report, _, out) = scan(&fixture(f), &["-q"]);
        assert!(out.status.success(), "{f}: {:?}", text(&out));
        assert_eq!(verdicts(&report), expected(), "{f}");
        assert_eq!(report["files"][0]["rows"], 8, "{f}");
    }
}

#[test]
fn json_array_with_nested_paths() {
    let (report, findings, out) = scan(&fixture("json/customers.json"), &["-q"]);
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(report["files"][0]["format"], "json");
    assert_eq!(report["files"][0]["rows"], 8);
    let v = verdicts(&report);
    assert_eq!(v["user.name"], "PERSON");
    assert_eq!(v["user.contact.email"], "EMAIL_ADDRESS");
    assert_eq!(v["user.contact.phone"], "PHONE_NUMBER");
    assert_eq!(v["devices[].ip"], "IP_ADDRESS");
    assert_eq!(v["devices[].kind"], "null");
    assert_eq!(v["app_version"], "null");
    assert_eq!(v["id"], "null");
    assert_eq!(column(&report, "devices[].ip")["non_empty"], 16);
    // Record index is the row.
    let ip = findings
        .iter()
        .filter(|f| f["column"] == "devices[].ip")
        .map(|f| f["row"].as_u64().unwrap());
    assert_eq!(ip.max(), Some(7));
}

#[test]
fn json_lines_plain_and_zstd() {
    for f in ["json/events.jsonl", "compressed/events.jsonl.zst"] {
        let (report, _, out) = scan(&fixture(f), &["-q"]);
        assert!(out.status.success(), "{f}: {:?}", text(&out));
        assert_eq!(report["files"][0]["format"], "jsonl");
        let v = verdicts(&report);
        assert_eq!(v["user.contact.email"], "EMAIL_ADDRESS", "{f}");
        assert_eq!(v["ip"], "IP_ADDRESS", "{f}");
        assert_eq!(v["ts"], "null", "{f}");
    }
}

#[test]
fn broken_json_line_is_named_or_skipped_when_lenient() {
    let (_, _, out) = scan(&fixture("bad/broken.jsonl"), &["-q"]);
    assert_eq!(out.status.code(), Some(2));
    let (_, stderr) = text(&out);
    assert!(
        stderr.contains("broken.jsonl") && stderr.contains("line 3"),
        "{stderr}"
    );
    let (report, _, out) = scan(&fixture("bad/broken.jsonl"), &["-q", "--lenient"]);
    assert!(out.status.success());
    assert_eq!(report["files"][0]["skipped_records"], 1);
    assert_eq!(report["files"][0]["rows"], 3);
}

#[test]
fn parquet_native_types_and_nesting() {
    let (report, findings, out) = scan(&fixture("parquet/customers.parquet"), &["-q"]);
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(report["files"][0]["format"], "parquet");
    assert_eq!(report["files"][0]["rows"], 8);
    let v = verdicts(&report);
    assert_eq!(v["account_number"], "ACCOUNT_NUMBER", "int64 column");
    assert_eq!(v["date_of_birth"], "DATE_OF_BIRTH", "date32 column");
    assert_eq!(v["contact.email"], "EMAIL_ADDRESS");
    assert_eq!(v["contact.phone"], "PHONE_NUMBER");
    assert_eq!(v["devices[].ip"], "IP_ADDRESS");
    assert_eq!(v["card_number"], "CREDIT_CARD");
    assert_eq!(v["full_name"], "PERSON");
    assert_eq!(v["app_version"], "null");
    assert_eq!(v["price"], "null");
    assert_eq!(v["created_at"], "null");
    assert_eq!(v["customer_id"], "null");
    // Row numbers run across row groups (3 rows each).
    let rows: std::collections::BTreeSet<u64> = findings
        .iter()
        .filter(|f| f["column"] == "contact.email")
        .map(|f| f["row"].as_u64().unwrap())
        .collect();
    assert_eq!(rows, (0..8).collect());
}

#[test]
fn parquet_is_identical_across_thread_counts() {
    let (r1, f1, _) = scan(&fixture("parquet/customers.parquet"), &["-q", "-j", "1"]);
    let (r3, f3, _) = scan(&fixture("parquet/customers.parquet"), &["-q", "-j", "3"]);
    assert_eq!(r1, r3);
    assert_eq!(f1, f3);
}

#[test]
fn corrupt_parquet_is_a_clear_error() {
    let (_, _, out) = scan(&fixture("bad/truncated.parquet"), &["-q"]);
    assert_eq!(out.status.code(), Some(2));
    let (_, stderr) = text(&out);
    assert!(stderr.contains("truncated.parquet"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn csv_json_and_parquet_find_the_same_values() {
    let count = |f: &str, col: &str| {
        let (_, findings, _) = scan(&fixture(f), &["-q"]);
        findings.iter().filter(|x| x["column"] == col).count()
    };
    assert_eq!(count("csv/customers.csv", "email"), 8);
    assert_eq!(count("json/customers.json", "user.contact.email"), 8);
    assert_eq!(count("parquet/customers.parquet", "contact.email"), 8);
    assert_eq!(
        count("csv/customers.csv", "notes"),
        count("parquet/customers.parquet", "notes")
    );
}
