//! Renders `check`'s verdicts: text for people, JSON, SARIF 2.1.0 for code-scanning
//! dashboards and JUnit XML for CI test reports.

use super::FileCheck;
use super::baseline::{SARIF_KEY, fingerprint};
use std::collections::BTreeMap;

/// Renders the human verdict.
pub fn render_text(files: &[FileCheck]) -> String {
    let mut s = String::new();
    let failed = files.iter().filter(|f| f.fails()).count();
    for f in files {
        let mark = if f.fails() { "FAIL" } else { "PASS" };
        let sampled = if f.sampled {
            format!(" (sampled: first {} rows)", f.rows)
        } else {
            String::new()
        };
        s.push_str(&format!("{mark} {} ({} rows){sampled}\n", f.path, f.rows));
        if let Some(e) = &f.error {
            s.push_str(&format!("  error: {e}\n"));
        }
        for c in &f.findings {
            match c.status.as_str() {
                "fail" => s.push_str(&format!(
                    "  {} holds {} in {} cell(s), first at row {}, e.g. {}\n    fix: {}\n",
                    c.column,
                    c.entity,
                    c.cells,
                    c.first_row,
                    c.sample,
                    c.fix.as_deref().unwrap_or("")
                )),
                status => s.push_str(&format!(
                    "  {status}: {} {} in {} cell(s): {}\n",
                    c.column,
                    c.entity,
                    c.cells,
                    c.reason.as_deref().unwrap_or("")
                )),
            }
        }
        if let Some(k) = &f.k_anonymity {
            s.push_str(&format!(
                "  k-anonymity over {}: k = {} ({} k-min {})\n",
                k.quasi_identifiers.join(", "),
                k.k,
                if k.pass { ">=" } else { "<" },
                k.k_min
            ));
        }
    }
    s.push_str(&format!(
        "{} of {} file(s) break the share policy{}\n",
        failed,
        files.len(),
        if failed > 0 { "" } else { ": safe to share" }
    ));
    s
}

/// Renders JSON.
pub fn render_json(files: &[FileCheck]) -> String {
    let pass = !files.iter().any(FileCheck::fails);
    let doc = serde_json::json!({
        "version": 1,
        "tool": format!("shroud {}", env!("CARGO_PKG_VERSION")),
        "pass": pass,
        "files": files.iter().map(|f| {
            let mut v = serde_json::to_value(f).expect("serializable");
            v["pass"] = serde_json::Value::Bool(!f.fails());
            // Each finding's identity, for baselines (`check --baseline`).
            for (c, j) in f.findings.iter().zip(v["findings"].as_array_mut().into_iter().flatten()) {
                j["fingerprint"] = super::baseline::finding_fingerprint(&f.path, &c.column, &c.entity).into();
            }
            v
        }).collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&doc).expect("serializable") + "\n"
}

/// The 1-based line of data row `row` in a file of `format` (CSV: after the header).
fn line_of(format: &str, row: u64) -> u64 {
    match format {
        "csv" => row + 2,
        _ => row + 1,
    }
}

/// Renders SARIF 2.1.0: one result per failing file/column/entity, located at the file
/// and the row of the first finding.
pub fn render_sarif(files: &[FileCheck]) -> String {
    let mut rules: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    let mut results = Vec::new();
    for f in files {
        for c in f
            .findings
            .iter()
            .filter(|c| matches!(c.status.as_str(), "fail" | "warn" | "baselined"))
        {
            let level = match c.status.as_str() {
                "fail" => "error",
                "warn" => "warning",
                _ if c.entity == "UNEXPLAINED" => "warning",
                _ => "error",
            };
            let rule_id = format!("shroud/{}", c.entity);
            rules.entry(rule_id.clone()).or_insert_with(|| {
                serde_json::json!({
                    "id": rule_id,
                    "name": c.entity,
                    "shortDescription": { "text": format!("{} in shared data", c.entity) },
                    "fullDescription": { "text": format!("A column holds {} values that the share policy does not allow.", c.entity) },
                    "help": { "text": c.fix.clone().unwrap_or_default() },
                    "defaultConfiguration": { "level": level }
                })
            });
            let message = if c.entity == "UNEXPLAINED" {
                format!(
                    "Column '{}' has no verdict, yet its values are mostly distinct and text-like: {}.",
                    c.column, c.sample
                )
            } else {
                format!(
                    "Column '{}' holds {} in {} cell(s), first at row {} (e.g. {}).",
                    c.column, c.entity, c.cells, c.first_row, c.sample
                )
            };
            results.push(serde_json::json!({
                "ruleId": rule_id,
                "level": level,
                "message": { "text": message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": f.path },
                        "region": { "startLine": line_of(&f.format, c.first_row) }
                    },
                    "logicalLocations": [{ "name": c.column, "kind": "member" }]
                }],
                "partialFingerprints": { SARIF_KEY: fingerprint(&[&f.path, &c.column, &c.entity]) },
                "properties": { "column": c.column, "entity": c.entity, "cells": c.cells, "row": c.first_row, "sampled": f.sampled, "rows_checked": f.rows }
            }));
            // Accepted by a baseline: still reported, as suppressed, so that dashboards keep
            // it (and do not call it fixed).
            if c.status == "baselined" {
                let last = results.last_mut().expect("pushed above");
                last["suppressions"] = serde_json::json!([{
                    "kind": "external",
                    "justification": c.reason.clone().unwrap_or_default()
                }]);
            }
        }
        if let Some(k) = f.k_anonymity.as_ref().filter(|k| !k.pass) {
            let rule_id = "shroud/k-anonymity".to_string();
            rules.entry(rule_id.clone()).or_insert_with(|| {
                serde_json::json!({
                    "id": rule_id,
                    "shortDescription": { "text": "k-anonymity below the share policy's bound" },
                    "defaultConfiguration": { "level": "error" }
                })
            });
            results.push(serde_json::json!({
                "ruleId": rule_id,
                "level": "error",
                "message": { "text": format!("k = {} over {} is below k-min {}.", k.k, k.quasi_identifiers.join(", "), k.k_min) },
                "locations": [{ "physicalLocation": { "artifactLocation": { "uri": f.path } } }],
                "partialFingerprints": { SARIF_KEY: fingerprint(&[&f.path, "(k-anonymity)", &k.quasi_identifiers.join(",")]) }
            }));
        }
        if let Some(e) = &f.error {
            results.push(serde_json::json!({
                "ruleId": "shroud/input-error",
                "level": "error",
                "message": { "text": e },
                "locations": [{ "physicalLocation": { "artifactLocation": { "uri": f.path } } }],
                "partialFingerprints": { SARIF_KEY: fingerprint(&[&f.path, "(input-error)"]) }
            }));
            rules.entry("shroud/input-error".into()).or_insert_with(|| {
                serde_json::json!({ "id": "shroud/input-error", "shortDescription": { "text": "the input could not be read" } })
            });
        }
    }
    let doc = serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "shroud",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules.into_values().collect::<Vec<_>>()
            } },
            "results": results,
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": files.iter().filter(|f| f.sampled).map(|f| serde_json::json!({
                    "level": "note",
                    "message": { "text": format!("sampled: only the first {} rows of {} were checked", f.rows, f.path) },
                    "locations": [{ "physicalLocation": { "artifactLocation": { "uri": f.path } } }]
                })).collect::<Vec<_>>()
            }]
        }]
    });
    serde_json::to_string_pretty(&doc).expect("serializable") + "\n"
}

/// Escapes text for XML 1.0: markup characters as entities, and characters XML 1.0 cannot
/// hold at all (control characters other than tab and line ends) as `\u{..}`.
fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// Renders JUnit XML: one test case per file.
pub fn render_junit(files: &[FileCheck]) -> String {
    let failures = files.iter().filter(|f| f.fails()).count();
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"shroud check\" tests=\"{}\" failures=\"{failures}\">\n  <testsuite name=\"shroud check\" tests=\"{}\" failures=\"{failures}\" errors=\"0\">\n",
        files.len(),
        files.len()
    );
    for f in files {
        s.push_str(&format!(
            "    <testcase classname=\"shroud.check\" name=\"{}\">\n",
            xml_escape(&f.path)
        ));
        if f.sampled {
            // The gate looked at the first rows only: say so where the verdict is read.
            s.push_str(&format!(
                "      <properties><property name=\"sampled\" value=\"first {} rows\"/></properties>\n",
                f.rows
            ));
            if !f.fails() {
                s.push_str(&format!(
                    "      <system-out>sampled: only the first {} rows were checked</system-out>\n",
                    f.rows
                ));
            }
        }
        if f.fails() {
            let body = render_text(std::slice::from_ref(f));
            let first = f
                .findings
                .iter()
                .find(|c| c.status == "fail")
                .map(|c| format!("{} holds {}", c.column, c.entity))
                .or_else(|| f.error.clone())
                .unwrap_or_else(|| "k-anonymity below bound".into());
            s.push_str(&format!(
                "      <failure message=\"{}\" type=\"personal-data\">{}</failure>\n",
                xml_escape(&first),
                xml_escape(&body)
            ));
        }
        s.push_str("    </testcase>\n");
    }
    s.push_str("  </testsuite>\n</testsuites>\n");
    s
}
