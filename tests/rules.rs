//! The rule registry: built-in rules prove themselves; user rules load and are checked.

use crate::util::*;
use std::collections::BTreeSet;

#[test]
fn builtin_rules_pass_their_examples() {
    let dir = tempfile::tempdir().unwrap();
    let out = shroud(dir.path(), &["rules", "check"]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains(", 0 failed"), "{stdout}");
}

#[test]
fn registry_meta() {
    let d = shroud::detect::Detector::builtin().unwrap();
    let mut ids = BTreeSet::new();
    for r in &d.rules {
        assert!(ids.insert(r.id.clone()), "duplicate id {}", r.id);
        let parts: Vec<&str> = r.id.split('.').collect();
        assert_eq!(parts.len(), 3, "{}", r.id);
        assert_eq!(parts[0], "pii");
        assert!(
            !r.examples.is_empty() && !r.negative_examples.is_empty(),
            "{}",
            r.id
        );
        assert!(
            !r.description.is_empty() && !r.category.is_empty(),
            "{}",
            r.id
        );
    }
    // Every rule file under rules/ is embedded in the binary.
    let listed: BTreeSet<&str> = shroud::detect::builtin::RULE_FILES
        .iter()
        .map(|(n, _)| *n)
        .collect();
    let mut on_disk = Vec::new();
    fn walk(dir: &std::path::Path, base: &std::path::Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, base, out);
            } else if p.extension().is_some_and(|x| x == "toml") {
                out.push(
                    p.strip_prefix(base)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    walk(&root().join("rules"), &root().join("rules"), &mut on_disk);
    for f in on_disk {
        assert!(
            listed.contains(f.as_str()),
            "rules/{f} is not listed in src/detect/builtin.rs"
        );
    }
    // Every validator is used by a rule.
    for (name, v) in shroud::detect::validators::ALL {
        assert!(
            d.rules.iter().any(|r| r.validator == Some(*v)),
            "validator {name} unused"
        );
    }
    // The main entities are covered.
    for e in [
        "EMAIL_ADDRESS",
        "PHONE_NUMBER",
        "IP_ADDRESS",
        "CREDIT_CARD",
        "IBAN_CODE",
        "US_SSN",
        "ACCOUNT_NUMBER",
        "PERSON",
        "DATE_OF_BIRTH",
        "STREET_ADDRESS",
        "POSTAL_CODE",
        "GENDER",
        "LOCATION",
        "MAC_ADDRESS",
    ] {
        assert!(d.entities.iter().any(|x| x == e), "no rule for {e}");
    }
}

#[test]
fn rules_list_names_every_rule() {
    let dir = tempfile::tempdir().unwrap();
    let out = shroud(dir.path(), &["rules", "list"]);
    let (stdout, _) = text(&out);
    let d = shroud::detect::Detector::builtin().unwrap();
    for r in &d.rules {
        assert!(stdout.contains(&r.id), "{} missing from rules list", r.id);
    }
    let out = shroud(dir.path(), &["rules", "show", "pii.email.1"]);
    assert!(out.status.success());
    assert!(text(&out).0.contains("EMAIL_ADDRESS"));
}

const EMPLOYEE_RULE: &str = r#"
[[rule]]
id = "pii.employee_id.1"
name = "Employee id"
entity = "EMPLOYEE_ID"
category = "hr"
description = "Internal employee ids, EMP- and six digits."
patterns = ['\bEMP-\d{6}\b']
score = 0.9
examples = ["EMP-123456", "badge EMP-000042 lost"]
negative_examples = ["EMP-12345", "TEMP-123456"]
"#;

#[test]
fn user_rules_are_checked_and_used() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("myrules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(rules.join("employee.toml"), EMPLOYEE_RULE).unwrap();
    let out = shroud(dir.path(), &["rules", "check", "myrules"]);
    assert!(out.status.success(), "{:?}", text(&out));
    std::fs::write(
        dir.path().join("staff.csv"),
        "badge,email\nEMP-123456,a@example.com\nEMP-654321,b@example.com\n",
    )
    .unwrap();
    let report = dir.path().join("r.json");
    let out = shroud(
        dir.path(),
        &[
            "scan",
            "staff.csv",
            "--rules",
            "myrules",
            "-q",
            "--report",
            report.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(column(&r, "badge")["entity"], "EMPLOYEE_ID");
}

#[test]
fn a_rule_that_matches_its_negative_example_fails_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let bad = EMPLOYEE_RULE.replace(r#""EMP-12345", "#, r#""EMP-999999", "#);
    std::fs::write(dir.path().join("bad.toml"), bad).unwrap();
    let out = shroud(dir.path(), &["rules", "check", "bad.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out)
            .0
            .contains("pii.employee_id.1: matched negative example"),
        "{:?}",
        text(&out)
    );
}

#[test]
fn an_invalid_rule_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("broken.toml"),
        EMPLOYEE_RULE.replace(r"\d{6}", r"\d{6"),
    )
    .unwrap();
    let out = shroud(dir.path(), &["rules", "check", "broken.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let (_, stderr) = text(&out);
    assert!(
        stderr.contains("pii.employee_id.1") && stderr.contains("pattern"),
        "{stderr}"
    );
    std::fs::write(dir.path().join("broken.toml"), "[[rule]]\nid = 3\n").unwrap();
    let out = shroud(dir.path(), &["rules", "check", "broken.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("broken.toml"), "{:?}", text(&out));
}
