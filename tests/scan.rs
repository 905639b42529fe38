//! `shroud scan` on the CSV fixture: verdicts, findings, outputs, exit codes.

use crate::util::*;
use serde_json::Value;

/// The expected verdict of every column of `fixtures/csv/customers.csv`.
pub const CUSTOMERS: &[(&str, &str)] = &[
    ("customer_id", "null"),
    ("full_name", "PERSON"),
    ("email", "EMAIL_ADDRESS"),
    ("phone", "PHONE_NUMBER"),
    ("ssn", "US_SSN"),
    ("card_number", "CREDIT_CARD"),
    ("iban", "IBAN_CODE"),
    ("ip_address", "IP_ADDRESS"),
    ("date_of_birth", "DATE_OF_BIRTH"),
    ("zip", "POSTAL_CODE"),
    ("city", "LOCATION"),
    ("gender", "GENDER"),
    ("app_version", "null"),
    ("sku", "null"),
    ("order_number", "null"),
    ("tracking_number", "null"),
    ("created_at", "null"),
    ("price", "null"),
    ("notes", "null"),
];

fn expected() -> std::collections::BTreeMap<String, String> {
    CUSTOMERS
        .iter()
        .map(|(c, e)| (c.to_string(), e.to_string()))
        .collect()
}

#[test]
fn csv_column_verdicts() {
    let (report, _, out) = scan(&fixture("csv/customers.csv"), &["-q"]);
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(report["version"], 1);
    assert_eq!(report["files"][0]["format"], "csv");
    assert_eq!(report["files"][0]["rows"], 8);
    assert_eq!(verdicts(&report), expected());
}

#[test]
fn national_identifiers_are_found_by_column_and_in_prose() {
    let (report, findings, out) = scan(&fixture("csv/national_ids.csv"), &["-q"]);
    assert!(out.status.success(), "{:?}", text(&out));
    let want = [
        ("customer_id", "null"),
        ("country", "LOCATION"),
        ("steuer_id", "DE_TAX_ID"),
        ("nir", "FR_NIR"),
        ("dni", "ES_NIF"),
        ("codice_fiscale", "IT_FISCAL_CODE"),
        ("bsn", "NL_BSN"),
        ("pesel", "PL_PESEL"),
        ("cpf", "BR_CPF"),
        ("cnpj", "BR_CNPJ"),
        ("aadhaar", "IN_AADHAAR"),
        ("personnummer", "SE_PERSONNUMMER"),
        ("curp", "MX_CURP"),
        ("notes", "null"),
    ];
    let want: std::collections::BTreeMap<String, String> = want
        .iter()
        .map(|(c, e)| (c.to_string(), e.to_string()))
        .collect();
    assert_eq!(verdicts(&report), want);
    let mut in_notes: Vec<(u64, String)> = findings
        .iter()
        .filter(|f| f["column"] == "notes")
        .map(|f| {
            (
                f["row"].as_u64().unwrap(),
                f["entity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    in_notes.sort();
    let expect = [
        (0, "DE_TAX_ID"),
        (1, "BR_CPF"),
        (1, "IN_PAN"),
        (2, "BE_NATIONAL_NUMBER"),
    ];
    assert_eq!(
        in_notes,
        expect.map(|(r, e)| (r, e.to_string())).to_vec(),
        "the last row's version number and the order number are not identifiers"
    );
}

#[test]
fn company_name_columns_are_not_people_misspelt_headers_count_and_misleading_ones_are_noted() {
    let (report, findings, out) = scan(&fixture("csv/companies_and_typos.csv"), &["-q"]);
    assert!(out.status.success(), "{:?}", text(&out));
    let want: std::collections::BTreeMap<String, String> = [
        ("Name", "null"),
        ("FIRSNAME", "PERSON"),
        ("LASTNAM", "PERSON"),
        ("EMAIL", "PHONE_NUMBER"),
    ]
    .iter()
    .map(|(c, e)| (c.to_string(), e.to_string()))
    .collect();
    assert_eq!(verdicts(&report), want);
    // Legal forms and firms of partners are not names; surnames inside them may be.
    let rows: Vec<u64> = findings
        .iter()
        .filter(|f| f["column"] == "Name")
        .map(|f| f["row"].as_u64().unwrap())
        .collect();
    for company_row in [0, 2, 3, 6, 8, 9] {
        assert!(
            !rows.contains(&company_row),
            "row {company_row}: {findings:?}"
        );
    }
    // An EMAIL column of phone numbers is a phone column, and the report says the header
    // promised something else; columns whose header agrees say nothing.
    assert_eq!(
        column(&report, "EMAIL")["header_mismatch"],
        serde_json::json!(["EMAIL_ADDRESS"])
    );
    assert!(column(&report, "FIRSNAME").get("header_mismatch").is_none());
}

#[test]
fn free_text_column_lists_what_it_holds() {
    let (report, _, _) = scan(&fixture("csv/customers.csv"), &["-q"]);
    let notes = column(&report, "notes");
    assert_eq!(notes["free_text"], true);
    assert_eq!(notes["entity"], Value::Null);
    for e in [
        "PERSON",
        "PHONE_NUMBER",
        "CREDIT_CARD",
        "IBAN_CODE",
        "IP_ADDRESS",
        "US_SSN",
        "EMAIL_ADDRESS",
        "STREET_ADDRESS",
    ] {
        assert!(
            notes["matches"][e].as_u64().unwrap_or(0) >= 1,
            "notes should contain {e}: {notes}"
        );
    }
}

#[test]
fn findings_locate_values_by_row_column_and_byte_offsets() {
    let (_, findings, _) = scan(&fixture("csv/customers.csv"), &["-q", "--show-values"]);
    let rows: Vec<Vec<String>> = csv::Reader::from_path(fixture("csv/customers.csv"))
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let header: Vec<String> = csv::Reader::from_path(fixture("csv/customers.csv"))
        .unwrap()
        .headers()
        .unwrap()
        .iter()
        .map(String::from)
        .collect();
    assert!(findings.len() > 80, "{} findings", findings.len());
    for f in &findings {
        let row = f["row"].as_u64().unwrap() as usize;
        let col = header
            .iter()
            .position(|h| h == f["column"].as_str().unwrap())
            .unwrap();
        let cell = rows[row][col].as_bytes();
        let (s, e) = (
            f["start"].as_u64().unwrap() as usize,
            f["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&cell[s..e], f["value"].as_str().unwrap().as_bytes(), "{f}");
        assert!(f["score"].as_f64().unwrap() >= 0.5);
        assert!(f["rule"].as_str().unwrap().starts_with("pii."));
    }
    // A known span inside free text: row 0 mentions Jane Doe at bytes 9..17.
    assert!(findings.iter().any(|f| f["row"] == 0
        && f["column"] == "notes"
        && f["entity"] == "PERSON"
        && f["start"] == 9
        && f["end"] == 17));
    // Findings are in row order.
    let order: Vec<u64> = findings
        .iter()
        .map(|f| f["row"].as_u64().unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn no_raw_values_without_show_values() {
    let (report, findings, out) = scan(&fixture("csv/customers.csv"), &[]);
    let (stdout, stderr) = text(&out);
    let all = format!(
        "{report}\n{}\n{stdout}\n{stderr}",
        findings
            .iter()
            .map(Value::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
    for raw in [
        "jane.doe@example.com",
        "536-22-8726",
        "4111 1111 1111 1111",
        "Jane Doe",
        "7946 0958",
        "GB82 WEST",
    ] {
        assert!(!all.contains(raw), "raw value {raw} leaked");
    }
    assert!(findings.iter().all(|f| f.get("value").is_none()));
    assert!(stdout.contains("j***@e***.com"), "{stdout}");
}

#[test]
fn exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture("csv/customers.csv");
    let out = shroud(dir.path(), &["scan", f.to_str().unwrap(), "-q"]);
    assert_eq!(out.status.code(), Some(0));
    let out = shroud(
        dir.path(),
        &["scan", f.to_str().unwrap(), "-q", "--fail-on-findings"],
    );
    assert_eq!(out.status.code(), Some(1));
    let out = shroud(dir.path(), &["scan", "no/such/file.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).1.contains("no/such/file.csv"),
        "{:?}",
        text(&out)
    );
    let out = shroud(dir.path(), &["scan", "--bogus-flag", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let out = shroud(
        dir.path(),
        &["scan", f.to_str().unwrap(), "--format", "xml"],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn clean_file_has_no_findings_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("clean.csv");
    std::fs::write(&p, "sku,version,qty,price,created_at\nSKU-1,1.2.3,4,9.99,2024-01-01T00:00:00Z\nSKU-2,1.2.4,1,19.99,2024-01-02T00:00:00Z\n").unwrap();
    let (report, findings, out) = scan(&p, &["-q", "--fail-on-findings"]);
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert!(findings.is_empty(), "{findings:?}");
}

#[test]
fn ragged_rows_fail_with_line_or_are_counted_when_lenient() {
    let (_, _, out) = scan(&fixture("bad/ragged.csv"), &["-q"]);
    assert_eq!(out.status.code(), Some(2));
    let (_, stderr) = text(&out);
    assert!(
        stderr.contains("ragged.csv") && stderr.contains("line 3"),
        "{stderr}"
    );
    let (report, _, out) = scan(&fixture("bad/ragged.csv"), &["-q", "--lenient"]);
    assert!(out.status.success());
    assert_eq!(report["files"][0]["ragged_rows"], 1);
    assert_eq!(report["files"][0]["rows"], 3);
    assert_eq!(column(&report, "email")["entity"], "EMAIL_ADDRESS");
}

#[test]
fn keep_going_reports_broken_inputs_and_continues() {
    let dir = tempfile::tempdir().unwrap();
    let a = fixture("bad/ragged.csv");
    let b = fixture("csv/customers.csv");
    let report = dir.path().join("r.json");
    let out = shroud(
        dir.path(),
        &[
            "scan",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--keep-going",
            "-q",
            "--report",
            report.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let r: Value = serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
    let files = r["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    let broken = files
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with("ragged.csv"))
        .unwrap();
    assert!(broken["errors"][0].as_str().unwrap().contains("line 3"));
    let good = files
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with("customers.csv"))
        .unwrap();
    assert_eq!(good["rows"], 8);
}

#[test]
fn a_latin1_file_is_decoded_and_read_as_utf8_it_fails_closed() {
    // `José García` in windows-1252: detected and decoded, so the names are read as names.
    let (report, _, out) = scan(&fixture("csv/invalid_utf8.csv"), &["-q"]);
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(column(&report, "email")["entity"], "EMAIL_ADDRESS");
    assert_eq!(column(&report, "name")["entity"], "PERSON");
    assert_eq!(column(&report, "name")["invalid_utf8"], 0);
    // Named as UTF-8, the same bytes are an error naming the line, never scanned as bytes.
    let (_, _, out) = scan(
        &fixture("csv/invalid_utf8.csv"),
        &["-q", "--encoding", "utf-8"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out).1;
    assert!(
        err.contains("invalid_utf8.csv")
            && err.contains("line 2")
            && err.contains("not valid UTF-8"),
        "{err}"
    );
}

#[test]
fn empty_and_header_only_files() {
    for f in ["bad/empty.csv", "bad/header_only.csv"] {
        let (report, findings, out) = scan(&fixture(f), &["-q"]);
        assert!(out.status.success(), "{f}: {:?}", text(&out));
        assert_eq!(report["files"][0]["rows"], 0);
        assert!(findings.is_empty());
    }
}

#[test]
fn quoted_fields_with_newlines() {
    let (report, findings, _) = scan(&fixture("csv/quoted.csv"), &["-q"]);
    assert_eq!(report["files"][0]["rows"], 2);
    assert_eq!(column(&report, "contact")["entity"], "EMAIL_ADDRESS");
    let phone = findings
        .iter()
        .find(|f| f["entity"] == "PHONE_NUMBER")
        .unwrap();
    assert_eq!(phone["row"], 0);
    assert_eq!(phone["column"], "comment");
}

#[test]
fn sample_rows_limits_the_scan() {
    let (report, findings, _) = scan(&fixture("csv/customers.csv"), &["-q", "--sample-rows", "2"]);
    assert_eq!(report["files"][0]["rows"], 2);
    assert_eq!(report["files"][0]["sampled"], true);
    assert!(findings.iter().all(|f| f["row"].as_u64().unwrap() < 2));
}

#[test]
fn report_is_identical_across_thread_counts() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("big.csv");
    // About four batches for the scan test: several groups per thread count, small enough
    // for a debug build.
    write_synth_csv(&p, 3, 9_000);
    let (r1, f1, _) = scan(&p, &["-q", "-j", "1"]);
    let (r2, f2, _) = scan(&p, &["-q", "-j", "2"]);
    let (r4, f4, _) = scan(&p, &["-q", "-j", "4"]);
    assert_eq!(r1, r2);
    assert_eq!(r1, r4);
    assert_eq!(f1, f2);
    assert_eq!(f1, f4);
    // And the synthetic table's verdicts are the documented ones.
    let v = verdicts(&r1);
    for (c, e) in crate::synth::COLUMNS.iter().zip(crate::synth::EXPECTED) {
        assert_eq!(v[*c], e.unwrap_or("null"), "column {c}");
    }
}

#[test]
fn folders_are_walked_with_include_and_exclude() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.json");
    let csv_dir = fixture("csv");
    let out = shroud(
        dir.path(),
        &[
            "scan",
            csv_dir.to_str().unwrap(),
            "--include",
            "*.tsv",
            "-q",
            "--report",
            report.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let paths: Vec<&str> = r["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths.len(), 1);
    assert!(paths[0].ends_with("customers.tsv"));
    let out = shroud(
        dir.path(),
        &[
            "scan",
            csv_dir.to_str().unwrap(),
            "--exclude",
            "quoted.csv",
            "-q",
            "--report",
            report.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let paths: Vec<&str> = r["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(paths.windows(2).all(|w| w[0] < w[1]), "sorted: {paths:?}");
    assert!(!paths.iter().any(|p| p.ends_with("quoted.csv")));
    assert!(paths.iter().any(|p| p.ends_with("invalid_utf8.csv")));
}

#[test]
fn standard_input_needs_a_format() {
    let dir = tempfile::tempdir().unwrap();
    let data = std::fs::read(fixture("csv/customers.csv")).unwrap();
    let out = shroud_stdin(dir.path(), &["scan", "-"], &data);
    assert_eq!(out.status.code(), Some(2));
    let report = dir.path().join("r.json");
    let out = shroud_stdin(
        dir.path(),
        &[
            "scan",
            "-",
            "--input-format",
            "csv",
            "-q",
            "--report",
            report.to_str().unwrap(),
        ],
        &data,
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(verdicts(&r), expected());
}

#[test]
fn an_output_that_is_an_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("data.csv");
    std::fs::copy(fixture("csv/customers.csv"), &p).unwrap();
    let before = std::fs::read(&p).unwrap();
    let out = shroud(dir.path(), &["scan", "data.csv", "--report", "data.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(&p).unwrap(), before, "input untouched");
}

#[test]
fn user_column_hints_follow_many_naming_styles() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("styles.csv");
    std::fs::write(
        &p,
        "EmailAddress,PHONE_NUMBER,Date Of Birth,acctNo,zipCode\n\
         a.b@example.com,(415) 253-2671,1980-01-02,12345678,94107\n\
         c.d@example.org,(212) 736-5000,1975-05-06,87654321,10115\n",
    )
    .unwrap();
    let (report, _, _) = scan(&p, &["-q"]);
    let v = verdicts(&report);
    assert_eq!(v["EmailAddress"], "EMAIL_ADDRESS");
    assert_eq!(v["PHONE_NUMBER"], "PHONE_NUMBER");
    assert_eq!(v["Date Of Birth"], "DATE_OF_BIRTH");
    assert_eq!(v["acctNo"], "ACCOUNT_NUMBER");
    assert_eq!(v["zipCode"], "POSTAL_CODE");
}

/// The synthetic generator itself: deterministic, and its personal values validate.

#[test]
fn synthetic_generator_is_deterministic_and_valid() {
    let mut a = crate::synth::Generator::new(7);
    let mut b = crate::synth::Generator::new(7);
    let (mut ra, mut rb) = (Vec::new(), Vec::new());
    for _ in 0..200 {
        a.next_row(&mut ra);
        b.next_row(&mut rb);
        assert_eq!(ra, rb);
        assert_eq!(ra.len(), crate::synth::COLUMNS.len());
        let check =
            |v: shroud::detect::validators::Validator, s: &str| v.check(s, 0, s.len()).validity;
        assert_eq!(
            check(shroud::detect::validators::Validator::CreditCard, &ra[13]),
            shroud::detect::validators::Validity::Valid,
            "{}",
            ra[13]
        );
        assert_eq!(
            check(shroud::detect::validators::Validator::Iban, &ra[12]),
            shroud::detect::validators::Validity::Valid,
            "{}",
            ra[12]
        );
        assert_eq!(
            check(shroud::detect::validators::Validator::UsSsn, &ra[10]),
            shroud::detect::validators::Validity::Valid,
            "{}",
            ra[10]
        );
        assert_eq!(
            check(shroud::detect::validators::Validator::CreditCard, &ra[20]),
            shroud::detect::validators::Validity::Invalid,
            "{}",
            ra[20]
        );
    }
    assert_eq!(crate::synth::EXPECTED.len(), crate::synth::COLUMNS.len());
}

/// `-` is standard output for every output file (issue 28): the JSON report on stdout, the
/// summary on stderr, no file named `-`; two outputs on stdout are refused.
#[test]
fn a_dash_writes_an_output_to_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture("csv/customers.csv");
    let out = shroud(dir.path(), &["scan", f.to_str().unwrap(), "--report", "-"]);
    assert!(out.status.success(), "{:?}", text(&out));
    let (stdout, stderr) = text(&out);
    let report: Value = serde_json::from_str(&stdout).expect("stdout is the JSON report alone");
    assert_eq!(report["files"].as_array().unwrap().len(), 1);
    assert!(stderr.contains("row"), "the summary is on stderr: {stderr}");
    assert!(!dir.path().join("-").exists(), "no file named -");
    let out = shroud(
        dir.path(),
        &[
            "scan",
            f.to_str().unwrap(),
            "--report",
            "-",
            "--findings",
            "-",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    // check's --output - is standard output too.
    let out = shroud(
        dir.path(),
        &[
            "check",
            f.to_str().unwrap(),
            "--format",
            "json",
            "--output",
            "-",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    serde_json::from_str::<Value>(&text(&out).0).expect("JSON on stdout");
    assert!(!dir.path().join("-").exists());
}

#[test]
fn scan_writes_its_report_as_json_to_stdout_or_a_file_and_its_exit_code_is_configurable() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture("csv/customers.csv");
    let f = f.to_str().unwrap();
    let out = shroud(dir.path(), &["scan", f, "--format", "json"]);
    assert!(out.status.success(), "{:?}", text(&out));
    let doc: Value = serde_json::from_str(&text(&out).0).expect("the report on stdout");
    assert_eq!(doc["version"], 1);
    assert!(!verdicts(&doc).is_empty());
    // -o FILE takes the output, in either format; nothing is printed then.
    let out = shroud(dir.path(), &["scan", f, "--format", "json", "-o", "r.json"]);
    assert!(
        out.status.success() && text(&out).0.is_empty(),
        "{:?}",
        text(&out)
    );
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(verdicts(&written), verdicts(&doc));
    let out = shroud(dir.path(), &["scan", f, "--output", "t.txt"]);
    assert!(
        out.status.success() && text(&out).0.is_empty(),
        "{:?}",
        text(&out)
    );
    assert!(
        std::fs::read_to_string(dir.path().join("t.txt"))
            .unwrap()
            .contains("EMAIL_ADDRESS")
    );
    // Two outputs on stdout are refused, also the summary asked for as `-o -`.
    let out = shroud(
        dir.path(),
        &["scan", f, "--format", "json", "--report", "-"],
    );
    assert_eq!(out.status.code(), Some(2));
    let out = shroud(dir.path(), &["scan", f, "-o", "-", "--report", "-"]);
    assert_eq!(out.status.code(), Some(2));
    // Findings: the chosen status (implying --fail-on-findings); 2 is reserved.
    assert_eq!(
        shroud(dir.path(), &["scan", f, "-q", "--exit-code", "4"])
            .status
            .code(),
        Some(4)
    );
    assert_eq!(
        shroud(dir.path(), &["scan", f, "-q", "--fail-on-findings"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        shroud(dir.path(), &["scan", f, "-q"]).status.code(),
        Some(0)
    );
    assert_eq!(
        shroud(dir.path(), &["scan", f, "-q", "--exit-code", "2"])
            .status
            .code(),
        Some(2)
    );
    let clean = dir.path().join("clean.csv");
    std::fs::write(&clean, "sku,qty\nA-1,3\n").unwrap();
    assert_eq!(
        shroud(
            dir.path(),
            &["scan", clean.to_str().unwrap(), "-q", "--exit-code", "4"]
        )
        .status
        .code(),
        Some(0)
    );
}

#[test]
fn the_old_input_format_spelling_still_reads_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let data = std::fs::read(fixture("csv/customers.csv")).unwrap();
    let out = shroud_stdin(
        dir.path(),
        &["scan", "-", "--format", "csv", "--report", "r.json"],
        &data,
    );
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(
        text(&out).1.contains("--input-format csv"),
        "{:?}",
        text(&out)
    );
    let new = shroud_stdin(
        dir.path(),
        &["scan", "-", "--input-format", "csv", "-q"],
        &data,
    );
    assert!(
        new.status.success() && !text(&new).1.contains("warning"),
        "{:?}",
        text(&new)
    );
    // Both spellings must agree.
    let out = shroud_stdin(
        dir.path(),
        &["scan", "-", "--format", "csv", "--input-format", "parquet"],
        &data,
    );
    assert_eq!(out.status.code(), Some(2));
    // Standard input goes to standard output: an output folder (or the old -o) is refused.
    let out = shroud_stdin(
        dir.path(),
        &[
            "pseudonymize",
            "-",
            "--input-format",
            "csv",
            "-o",
            "out.csv",
        ],
        &data,
    );
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
    assert!(!dir.path().join("out.csv").exists());
    // Standard input without a format is refused, naming the flag.
    let out = shroud_stdin(dir.path(), &["scan", "-", "--format", "json"], &data);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("--input-format"), "{:?}", text(&out));
}

/// Every long job draws progress on a terminal and nothing into a pipe: run under a
/// pseudo-terminal (`script`), then with stderr captured.
#[test]
fn long_jobs_show_progress_on_a_terminal_only() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        panic!("`script` (util-linux) is needed for the terminal test");
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_synth_csv(&d.join("big.csv"), 7, 3_000);
    let bin = env!("CARGO_BIN_EXE_shroud");
    assert!(shroud(d, &["keygen", "k.key"]).status.success());
    for args in [
        "pseudonymize big.csv --out-dir out --key-file k.key --force",
        "check big.csv",
        "aggregate big.csv --group-by city --output a.csv --force --allow-identifiers --lenient",
    ] {
        let tty = std::process::Command::new("script")
            .args(["-qec", &format!("{bin} {args}"), "/dev/null"])
            .current_dir(d)
            .output()
            .unwrap();
        let shown = String::from_utf8_lossy(&tty.stdout);
        assert!(
            shown.contains("B read, "),
            "{args}: no progress on a terminal: {shown}"
        );
        let piped = shroud(d, &args.split(' ').collect::<Vec<_>>());
        let err = text(&piped).1;
        assert!(
            !err.contains("B read, ") && !err.contains('\r'),
            "{args}: {err}"
        );
        let quiet = std::process::Command::new("script")
            .args(["-qec", &format!("{bin} {args} -q"), "/dev/null"])
            .current_dir(d)
            .output()
            .unwrap();
        assert!(
            !String::from_utf8_lossy(&quiet.stdout).contains("B read, "),
            "{args} -q"
        );
    }
}
