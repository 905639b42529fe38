//! The HTML report: self-contained, faithful to the JSON report, no raw value in it, and it
//! opens in a real headless Chromium with no console error and no network request.
//!
//! The browser part needs node, `tests/browser/node_modules` (`npm ci` there) and Chromium
//! (`/usr/bin/chromium` or `SHROUD_CHROMIUM`). `.ci/run` installs them and sets
//! `SHROUD_BROWSER_TESTS=require`, which turns their absence into a failure; elsewhere the
//! browser part is skipped with a note on stderr.

use crate::util::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `data-k="KEY" data-v="VALUE"` pairs: the numbers the page shows, as the page holds them.
fn page_numbers(html: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut rest = html;
    while let Some(i) = rest.find("data-k=\"") {
        rest = &rest[i + 8..];
        let key_end = rest.find('"').unwrap();
        let key = rest[..key_end].to_string();
        let after = &rest[key_end..];
        if let Some(v) = after.strip_prefix("\" data-v=\"") {
            let v_end = v.find('"').unwrap();
            out.insert(key, v[..v_end].to_string());
        }
    }
    out
}

/// The summary numbers computed independently from the JSON report.
fn numbers_from_json(report: &Value) -> BTreeMap<String, String> {
    let files = report["files"].as_array().unwrap();
    let sum = |k: &str| files.iter().map(|f| f[k].as_u64().unwrap()).sum::<u64>();
    let columns: Vec<&Value> = files
        .iter()
        .flat_map(|f| f["columns"].as_array().unwrap())
        .collect();
    let at_risk = columns
        .iter()
        .filter(|c| !c["entity"].is_null() || !c["matches"].as_object().unwrap().is_empty())
        .count();
    let mut entities: Vec<&String> = columns
        .iter()
        .flat_map(|c| c["matches"].as_object().unwrap().keys())
        .collect();
    entities.sort();
    entities.dedup();
    let errors: usize = files
        .iter()
        .map(|f| f["errors"].as_array().unwrap().len())
        .sum();
    [
        ("files", files.len().to_string()),
        ("rows", sum("rows").to_string()),
        ("bytes", sum("bytes").to_string()),
        ("columns_at_risk", at_risk.to_string()),
        ("entities", entities.len().to_string()),
        ("errors", errors.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

fn assert_no_raw_values(html: &str) {
    for raw in PLANTED {
        assert!(!html.contains(raw), "raw value {raw:?} in the HTML report");
    }
    for fetch in [
        "<script", "http:", "https:", "src=", "url(", "@import", "<link",
    ] {
        assert!(
            !html.contains(fetch),
            "{fetch:?} in a page that must fetch nothing"
        );
    }
}

/// Where test screenshots go (kept as artifacts, not committed).
fn artifacts() -> PathBuf {
    let dir = root().join("target").join("test-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Opens `html` in headless Chromium and returns what the page showed (see
/// `tests/browser/open-report.mjs`), or `None` when no browser is set up here.
fn open_in_browser(html: &Path, screenshot: &Path) -> Option<Value> {
    let required = std::env::var("SHROUD_BROWSER_TESTS").is_ok_and(|v| v == "require");
    let script = root().join("tests/browser/open-report.mjs");
    let chromium =
        std::env::var("SHROUD_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_string());
    let missing = if !root()
        .join("tests/browser/node_modules/playwright-core")
        .exists()
    {
        Some("tests/browser/node_modules (run `npm ci` in tests/browser)")
    } else if !Path::new(&chromium).exists() {
        Some("Chromium (apt-get install chromium, or set SHROUD_CHROMIUM)")
    } else {
        None
    };
    if let Some(what) = missing {
        assert!(!required, "browser test required but {what} is missing");
        eprintln!("note: browser check skipped: {what} is missing");
        return None;
    }
    let out = Command::new("node")
        .arg(&script)
        .arg(html)
        .arg(screenshot)
        .env("SHROUD_CHROMIUM", &chromium)
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "browser run failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: Value = serde_json::from_slice(&out.stdout).expect("the script prints JSON");
    assert_eq!(
        seen["console_errors"],
        Value::Array(vec![]),
        "console errors"
    );
    assert_eq!(seen["requests"], Value::Array(vec![]), "network requests");
    assert!(screenshot.exists(), "no screenshot");
    Some(seen)
}

#[test]
fn scan_page_matches_the_json_report_and_holds_no_raw_value() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let html = dir.path().join("report.html");
    let mut args = vec!["scan".to_string()];
    for f in ["csv", "json", "parquet", "compressed"] {
        args.push(fixture(f).display().to_string());
    }
    args.extend([
        "--report".into(),
        report.display().to_string(),
        "--html".into(),
        html.display().to_string(),
        "-q".into(),
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = shroud(dir.path(), &args);
    assert!(out.status.success(), "{:?}", text(&out));
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let page = std::fs::read_to_string(&html).unwrap();
    let expected = numbers_from_json(&json);
    let shown = page_numbers(&page);
    for (k, v) in &expected {
        assert_eq!(shown.get(k), Some(v), "summary {k}");
    }
    assert!(shown["columns_at_risk"].parse::<u64>().unwrap() > 5);
    assert!(shown.contains_key("time"));
    assert_no_raw_values(&page);
    // The heat map carries rule ids and masked samples in its hover titles.
    assert!(page.contains("pii.email.1"), "rule ids missing");
    assert!(page.contains("j***@e***.com"), "masked samples missing");
    for id in ["heatmap", "entity-bars", "share-bars", "columns", "errors"] {
        assert!(
            page.contains(&format!("id=\"{id}\"")),
            "section {id} missing"
        );
    }

    // The same report rendered later from its JSON gives the same numbers.
    let again = dir.path().join("again.html");
    let out = shroud(
        dir.path(),
        &[
            "report",
            report.to_str().unwrap(),
            "--html",
            again.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let again_numbers = page_numbers(&std::fs::read_to_string(&again).unwrap());
    for (k, v) in &expected {
        assert_eq!(again_numbers.get(k), Some(v), "report command: {k}");
    }

    if let Some(seen) = open_in_browser(&html, &artifacts().join("html-report-scan.png")) {
        let summary = seen["summary"].as_object().unwrap();
        for (k, v) in &expected {
            assert_eq!(summary[k], Value::String(v.clone()), "browser summary {k}");
        }
        let svgs = seen["svgs"].as_array().unwrap();
        assert!(svgs.len() >= 3, "charts missing: {svgs:?}");
    }
}

#[test]
fn check_pseudonymize_and_risk_pages() {
    let dir = tempfile::tempdir().unwrap();
    let csv = fixture("csv/customers.csv");
    let csv = csv.to_str().unwrap();

    let check_html = dir.path().join("check.html");
    let out = shroud(
        dir.path(),
        &["check", csv, "--html", check_html.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1), "{:?}", text(&out));
    let page = std::fs::read_to_string(&check_html).unwrap();
    assert_eq!(page_numbers(&page)["check"], "FAIL");
    assert!(page.contains("id=\"check\"") && page.contains("status-fail"));
    assert_no_raw_values(&page);

    let key = dir.path().join("k.key");
    assert!(
        shroud(dir.path(), &["keygen", key.to_str().unwrap()])
            .status
            .success()
    );
    let out_dir = dir.path().join("out");
    let pseudo_html = dir.path().join("pseudo.html");
    let out = shroud(
        dir.path(),
        &[
            "pseudonymize",
            csv,
            "--out-dir",
            out_dir.to_str().unwrap(),
            "--key-file",
            key.to_str().unwrap(),
            "--html",
            pseudo_html.to_str().unwrap(),
            "-q",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let page = std::fs::read_to_string(&pseudo_html).unwrap();
    assert!(page.contains("id=\"pseudo-bars\""));
    let numbers = page_numbers(&page);
    let changed: u64 = numbers["cells_changed"].parse().unwrap();
    assert!(changed > 0);
    // The page's "after" must agree with a scan of the output.
    let (rescan, _, _) = scan(&out_dir.join("customers.csv"), &[]);
    let left: u64 = rescan["files"][0]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["matches"].as_object().unwrap().values())
        .map(|n| n.as_u64().unwrap())
        .sum();
    // Every flagged cell of the output was kept by the policy on purpose (generalized birth
    // dates, kept genders): none is shown as left, in red.
    let kept: u64 = numbers["findings_kept"].parse().unwrap();
    assert_eq!(kept, left, "kept by policy + left = what a rescan flags");
    assert_eq!(numbers["findings_left"], "0");
    assert!(page.contains(r#"class="card pass" data-k="findings_left""#));
    assert_no_raw_values(&page);

    let risk_html = dir.path().join("risk.html");
    let out = shroud(
        dir.path(),
        &[
            "risk",
            csv,
            "--quasi-identifiers",
            "city",
            "--k-min",
            "3",
            "--format",
            "json",
            "--html",
            risk_html.to_str().unwrap(),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "k below the bound: {:?}",
        text(&out)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("risk prints JSON");
    let page = std::fs::read_to_string(&risk_html).unwrap();
    assert_eq!(page_numbers(&page)["k"], doc["risk"]["k"].to_string());
    assert!(page.contains("id=\"risk-histogram\"") && page.contains("k = 3"));
    assert_no_raw_values(&page);

    // The page may not replace an output of the run it describes.
    let out = shroud(
        dir.path(),
        &[
            "pseudonymize",
            csv,
            "--out-dir",
            out_dir.to_str().unwrap(),
            "--key-file",
            key.to_str().unwrap(),
            "--force",
            "--html",
            out_dir.join("customers.csv").to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
    assert!(text(&out).1.contains("would replace an output"));

    let artifacts = artifacts();
    for (name, path) in [
        ("check", &check_html),
        ("pseudonymize", &pseudo_html),
        ("risk", &risk_html),
    ] {
        open_in_browser(path, &artifacts.join(format!("html-report-{name}.png")));
    }
}

#[test]
fn show_values_pages_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("r.html");
    let out = shroud(
        dir.path(),
        &[
            "scan",
            fixture("csv/customers.csv").to_str().unwrap(),
            "--show-values",
            "--html",
            html.to_str().unwrap(),
            "-q",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("--show-values"),
        "no warning on a page with raw values"
    );
}

#[test]
fn html_output_may_not_be_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("t.csv");
    std::fs::write(&csv, "email\njane.doe@example.com\n").unwrap();
    let before = std::fs::read(&csv).unwrap();
    let out = shroud(
        dir.path(),
        &[
            "scan",
            csv.to_str().unwrap(),
            "--html",
            csv.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(&csv).unwrap(), before, "input changed");
}
