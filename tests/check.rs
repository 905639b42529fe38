//! `shroud check`: exit codes, allow-lists, k-anonymity, SARIF / JSON / JUnit outputs.

use crate::util::*;
use serde_json::Value;

fn check(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    let mut a = vec!["check"];
    a.extend_from_slice(args);
    shroud(dir, &a)
}

#[test]
fn dirty_fails_and_names_every_offending_column_pseudonymized_passes() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture("csv/customers.csv");
    let out = check(dir.path(), &[f.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{:?}", text(&out));
    let doc: Value = serde_json::from_str(&text(&out).0).unwrap();
    assert_eq!(doc["pass"], false);
    let failing: std::collections::BTreeSet<String> = doc["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail")
        .map(|c| c["column"].as_str().unwrap().to_string())
        .collect();
    for col in [
        "full_name",
        "email",
        "phone",
        "ssn",
        "card_number",
        "iban",
        "ip_address",
        "date_of_birth",
        "zip",
        "notes",
    ] {
        assert!(failing.contains(col), "{col} not named: {failing:?}");
    }
    for col in [
        "city",
        "gender",
        "sku",
        "app_version",
        "order_number",
        "tracking_number",
    ] {
        assert!(!failing.contains(col), "{col} wrongly failed");
    }
    assert!(
        !text(&out).0.contains("jane.doe@example.com"),
        "samples are masked"
    );
    // Its pseudonymized copy passes, manifest included in the folder.
    let key = dir.path().join("k.key");
    assert!(
        shroud(dir.path(), &["keygen", key.to_str().unwrap()])
            .status
            .success()
    );
    let inputs = [
        fixture("csv/customers.csv"),
        fixture("json/customers.json"),
        fixture("parquet/customers.parquet"),
    ];
    let mut args = vec!["pseudonymize"];
    args.extend(inputs.iter().map(|p| p.to_str().unwrap()));
    args.extend([
        "--out-dir",
        "share",
        "--key-file",
        key.to_str().unwrap(),
        "-q",
    ]);
    assert!(shroud(dir.path(), &args).status.success());
    let out = check(dir.path(), &["share"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert!(text(&out).0.contains("safe to share"));
    assert!(
        !text(&out).0.contains("shroud-manifest"),
        "the manifest is not data"
    );
}

#[test]
fn allow_lists_waive_and_report() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("d.csv"),
        "contact,support\njane.doe@example.com,+1 212-736-5000\njohn@example.org,+1 212-736-5000\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("policy.toml"),
        "[[allow]]\npattern = '@example\\.(com|org)$'\nreason = \"reserved test domains\"\n\n[[allow]]\nvalue = \"+1 212-736-5000\"\nreason = \"company switchboard\"\n",
    )
    .unwrap();
    let out = check(dir.path(), &["d.csv"]);
    assert_eq!(out.status.code(), Some(1));
    let out = check(
        dir.path(),
        &["d.csv", "--policy", "policy.toml", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let doc: Value = serde_json::from_str(&text(&out).0).unwrap();
    let waived: Vec<(String, String)> = doc["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "waived")
        .map(|c| {
            (
                c["column"].as_str().unwrap().to_string(),
                c["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        waived.contains(&("contact".into(), "reserved test domains".into())),
        "{waived:?}"
    );
    assert!(
        waived.contains(&("support".into(), "company switchboard".into())),
        "{waived:?}"
    );
    // A column allow-list entry, and a bad policy.
    std::fs::write(
        dir.path().join("p2.toml"),
        "[[allow]]\ncolumn = \"contact\"\nreason = \"x\"\n",
    )
    .unwrap();
    let out = check(dir.path(), &["d.csv", "--policy", "p2.toml"]);
    assert_eq!(out.status.code(), Some(1), "support still fails");
    assert!(text(&out).0.contains("waived: contact"));
    std::fs::write(dir.path().join("bad.toml"), "[[allow]]\nvalue = \"x\"\n").unwrap();
    assert_eq!(
        check(dir.path(), &["d.csv", "--policy", "bad.toml"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn k_below_the_bound_fails() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("r.csv"),
        "zip3,birth_year,gender\n941,1980,F\n941,1980,F\n941,1980,F\n101,1975,M\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("p.toml"), "[entities]\nGENDER = \"allow\"\n[k_anonymity]\nquasi_identifiers = [\"zip3\", \"birth_year\", \"gender\"]\nk_min = 2\n").unwrap();
    let out = check(dir.path(), &["r.csv", "--policy", "p.toml"]);
    assert_eq!(out.status.code(), Some(1), "{:?}", text(&out));
    assert!(text(&out).0.contains("k = 1"));
    std::fs::write(
        dir.path().join("r.csv"),
        "zip3,birth_year,gender\n941,1980,F\n941,1980,F\n101,1975,M\n101,1975,M\n",
    )
    .unwrap();
    let out = check(dir.path(), &["r.csv", "--policy", "p.toml"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
}

#[test]
fn sarif_validates_against_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let out = check(
        dir.path(),
        &[
            fixture("csv/customers.csv").to_str().unwrap(),
            fixture("json/customers.json").to_str().unwrap(),
            "--format",
            "sarif",
            "--output",
            "r.sarif",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.sarif")).unwrap())
            .unwrap();
    let mut schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/schemas/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    // The official schema's `language` pattern has a stray `]` (an erratum of SARIF 2.1.0)
    // that a strict validator rejects; use the intended pattern. Nothing else is changed.
    fn fix(v: &mut Value, n: &mut usize) {
        match v {
            Value::String(s) if s == "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$" => {
                *s = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".into();
                *n += 1;
            }
            Value::Object(m) => m.values_mut().for_each(|x| fix(x, n)),
            Value::Array(a) => a.iter_mut().for_each(|x| fix(x, n)),
            _ => {}
        }
    }
    let mut fixed = 0;
    fix(&mut schema, &mut fixed);
    assert_eq!(
        fixed, 2,
        "the erratum appears twice (run and toolComponent language)"
    );
    let validator = jsonschema::draft7::new(&schema).expect("the SARIF schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    // Every result carries a fingerprint for baselines: distinct per finding, and the same
    // when the counts change (a sampled run of the same files).
    let prints = |results: &[Value]| -> Vec<String> {
        results
            .iter()
            .map(|r| {
                r["partialFingerprints"]["shroudFinding/v1"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let all = prints(results);
    let unique: std::collections::BTreeSet<&String> = all.iter().collect();
    assert_eq!(unique.len(), all.len(), "{all:?}");
    let sampled = check(
        dir.path(),
        &[
            fixture("csv/customers.csv").to_str().unwrap(),
            fixture("json/customers.json").to_str().unwrap(),
            "--format",
            "sarif",
            "--sample-rows",
            "3",
        ],
    );
    let sampled: Value = serde_json::from_str(&text(&sampled).0).unwrap();
    for p in prints(sampled["runs"][0]["results"].as_array().unwrap()) {
        assert!(
            all.contains(&p),
            "a finding of the sample changed its fingerprint"
        );
    }
    let email = results
        .iter()
        .find(|r| r["properties"]["column"] == "email")
        .expect("one result per failing column");
    assert!(
        email["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("customers.csv")
    );
    assert_eq!(
        email["locations"][0]["physicalLocation"]["region"]["startLine"], 2,
        "row 0 is line 2 after the header"
    );
    assert!(
        results
            .iter()
            .any(|r| r["properties"]["column"] == "user.contact.email")
    );
}

#[test]
fn junit_parses_with_one_case_per_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("clean.csv"), "sku,qty\nA-1,2\n").unwrap();
    let out = check(
        dir.path(),
        &[
            "clean.csv",
            fixture("csv/customers.csv").to_str().unwrap(),
            "--format",
            "junit",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let xml = text(&out).0;
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let cases: Vec<roxmltree::Node> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 2);
    let failures: Vec<&roxmltree::Node> = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .collect();
    assert_eq!(failures.len(), 1);
    assert!(
        failures[0]
            .attribute("name")
            .unwrap()
            .ends_with("customers.csv")
    );
    assert!(!xml.contains("jane.doe@example.com"));
}

#[test]
fn sampling_is_stated_and_errors_exit_two() {
    let dir = tempfile::tempdir().unwrap();
    let out = check(
        dir.path(),
        &[
            fixture("csv/customers.csv").to_str().unwrap(),
            "--sample-rows",
            "2",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).0.contains("sampled: first 2 rows"),
        "{}",
        text(&out).0
    );
    let out = check(dir.path(), &[fixture("bad/ragged.csv").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).0.contains("line 3"));
    let out = check(dir.path(), &["--print-default-policy"]);
    assert!(out.status.success());
    assert!(text(&out).0.contains("LOCATION = \"allow\""));
}

/// Columns the rules give no verdict whose values are mostly distinct and text-like are
/// listed (issue 25, item 4): a warning by default, a failure with `--strict` or the share
/// policy's `unexplained = "fail"`, waived by an [[allow]] column entry. Quantities,
/// timestamps, categories and columns named for things are not listed; pseudonymize names
/// the same columns in its manifest unless the policy names them.
#[test]
fn columns_no_rule_explains_are_listed_and_fail_when_strict() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut csv = String::from("plate,ref,tier,amount,created,order_id\n");
    for i in 0..120u64 {
        let x = i.wrapping_mul(0x9e37_79b9) % 1_000_003;
        let letter = |k: u64| (b'A' + (k % 26) as u8) as char;
        csv.push_str(&format!(
            "K{:02}-{}{}{},Q{}-{}{}{}-{:03},{},{}.{:02},2024-01-{:02},ORD-{:06}\n",
            x % 100,
            letter(x),
            letter(x / 26),
            x % 1000,
            x % 10,
            letter(x / 7),
            letter(x / 11),
            letter(i),
            i,
            ["Gold", "Silver", "Basic"][(i % 3) as usize],
            x % 5000,
            i % 100,
            i % 28 + 1,
            x
        ));
    }
    std::fs::write(d.join("t.csv"), &csv).unwrap();
    let out = check(d, &["t.csv", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let doc: Value = serde_json::from_str(&text(&out).0).unwrap();
    let listed: Vec<(String, String)> = doc["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["entity"] == "UNEXPLAINED")
        .map(|c| {
            (
                c["column"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let names: Vec<&str> = listed.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(names, ["plate", "ref"], "{listed:?}");
    assert!(listed.iter().all(|(_, s)| s == "warn"));
    // --strict and the policy switch fail; an allow entry waives one column.
    assert_eq!(check(d, &["t.csv", "--strict"]).status.code(), Some(1));
    std::fs::write(d.join("p.toml"), "unexplained = \"fail\"\n").unwrap();
    assert_eq!(
        check(d, &["t.csv", "--policy", "p.toml"]).status.code(),
        Some(1)
    );
    std::fs::write(
        d.join("p.toml"),
        "unexplained = \"fail\"\n[[allow]]\ncolumn = \"ref\"\nreason = \"r\"\n[[allow]]\ncolumn = \"plate\"\nreason = \"r\"\n",
    )
    .unwrap();
    let out = check(d, &["t.csv", "--policy", "p.toml"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    // SARIF carries them as warnings.
    let sarif = check(d, &["t.csv", "--format", "sarif"]);
    let doc: Value = serde_json::from_str(&text(&sarif).0).unwrap();
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "shroud/UNEXPLAINED" && r["level"] == "warning"),
        "{results:?}"
    );
    // Pseudonymize names them in its manifest, except the one its policy names.
    assert!(shroud(d, &["keygen", "k.key"]).status.success());
    std::fs::write(d.join("pp.toml"), "[columns]\nplate = \"token\"\n").unwrap();
    let out = shroud(
        d,
        &[
            "pseudonymize",
            "t.csv",
            "-o",
            "o",
            "--key-file",
            "k.key",
            "--policy",
            "pp.toml",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(
        text(&out).1.contains("note: column ref"),
        "{:?}",
        text(&out)
    );
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("o/_shroud_manifest.json")).unwrap())
            .unwrap();
    let named: Vec<&str> = m["files"][0]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c.get("unexplained").is_some())
        .map(|c| c["column"].as_str().unwrap())
        .collect();
    assert_eq!(named, ["ref"], "{m}");
    // The manifest holds numbers, never a value, and check passes it.
    assert_eq!(
        check(d, &["o/_shroud_manifest.json"]).status.code(),
        Some(0)
    );
}

#[test]
fn a_baseline_accepts_earlier_findings_and_new_ones_still_fail() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("t.csv"),
        "id,email\n1,ann.lee@example.net\n2,bo.ek@example.net\n",
    )
    .unwrap();
    for format in ["json", "sarif"] {
        let base = format!("base.{format}");
        let out = check(d, &["t.csv", "--format", format, "--output", &base]);
        assert_eq!(out.status.code(), Some(1), "{:?}", text(&out));
        // The same findings, baselined: the gate passes and says why.
        let out = check(d, &["t.csv", "--baseline", &base]);
        assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
        assert!(
            text(&out).0.contains("baselined: email EMAIL_ADDRESS"),
            "{:?}",
            text(&out)
        );
        assert!(text(&out).0.contains(&base));
    }
    // A new column with personal data fails; the baselined one stays accepted.
    std::fs::write(
        d.join("t.csv"),
        "id,email,phone\n1,ann.lee@example.net,+44 20 7946 0958\n2,bo.ek@example.net,+44 20 7946 0959\n",
    )
    .unwrap();
    let out = check(d, &["t.csv", "--baseline", "base.json", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{:?}", text(&out));
    let doc: Value = serde_json::from_str(&text(&out).0).unwrap();
    let status = |col: &str| {
        doc["files"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["column"] == col)
            .map(|f| f["status"].as_str().unwrap().to_string())
    };
    assert_eq!(status("email").as_deref(), Some("baselined"));
    assert_eq!(status("phone").as_deref(), Some("fail"));
    // What is no baseline is refused, and so is a baseline that is also an input.
    std::fs::write(d.join("junk.json"), "{\"files\": 3}").unwrap();
    assert_eq!(
        check(d, &["t.csv", "--baseline", "junk.json"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        check(d, &["t.csv", "--baseline", "t.csv"]).status.code(),
        Some(2)
    );
}

#[test]
fn the_exit_status_of_a_failed_gate_is_configurable_but_not_the_error_status() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture("csv/customers.csv");
    let f = f.to_str().unwrap();
    assert_eq!(
        check(dir.path(), &[f, "--exit-code", "3"]).status.code(),
        Some(3)
    );
    // Statuses with a fixed meaning, and 0 (a failing gate that succeeds), are refused.
    for fixed in ["0", "2", "130", "141"] {
        let out = check(dir.path(), &[f, "--exit-code", fixed]);
        assert_eq!(out.status.code(), Some(2), "{fixed}");
    }
    let out = check(dir.path(), &[f, "--exit-code", "2"]);
    assert!(
        text(&out).1.contains("usage or input error"),
        "{:?}",
        text(&out)
    );
    // An input error is 2 whatever --exit-code says.
    assert_eq!(
        check(dir.path(), &["missing.csv", "--exit-code", "5"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn k_anonymity_holds_for_the_files_its_globs_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("orders.csv"), "zip,gender\n941,F\n941,F\n101,M\n").unwrap();
    std::fs::write(d.join("items.csv"), "sku,qty\nA-1,3\nB-2,4\n").unwrap();
    let policy = |files: &str| {
        format!(
            "extends = \"builtin\"\n[k_anonymity]\n{files}quasi_identifiers = [\"zip\", \"gender\"]\nk_min = 2\n"
        )
    };
    // Without `files`, every file must have the quasi-identifiers: items.csv cannot be judged.
    std::fs::write(d.join("p.toml"), policy("")).unwrap();
    let out = check(d, &["orders.csv", "items.csv", "--policy", "p.toml"]);
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
    // Named by file name or by path, it holds for orders.csv alone, where k = 1 fails.
    for glob in ["orders*", "**/orders.csv"] {
        std::fs::write(d.join("p.toml"), policy(&format!("files = [\"{glob}\"]\n"))).unwrap();
        let out = check(
            d,
            &[
                "orders.csv",
                "items.csv",
                "--policy",
                "p.toml",
                "--format",
                "json",
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{glob}: {:?}", text(&out));
        let doc: Value = serde_json::from_str(&text(&out).0).unwrap();
        let k: Vec<&Value> = doc["files"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f.get("k_anonymity"))
            .collect();
        assert_eq!(k.len(), 1, "{glob}");
        assert_eq!(k[0]["k"], 1);
    }
    // Globs that match no file judged k nowhere: refused, not passed.
    std::fs::write(d.join("p.toml"), policy("files = [\"Orders*\"]\n")).unwrap();
    let out = check(d, &["orders.csv", "items.csv", "--policy", "p.toml"]);
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
    assert!(text(&out).1.contains("match none"), "{:?}", text(&out));
    std::fs::write(d.join("p.toml"), policy("files = [\"[\"]\n")).unwrap();
    assert_eq!(
        check(d, &["items.csv", "--policy", "p.toml"]).status.code(),
        Some(2)
    );
}
