//! Nothing leaked: every command, with every output format and verbosity, over fixtures that
//! hold known personal values (and a broken file holding some, so errors are covered too):
//! none of those raw values, and never the key, appears in standard output, standard error,
//! reports, findings, manifests, HTML pages, aggregates or SARIF/JUnit files. A control run
//! with `--show-values` proves the search would see them.

use crate::util::*;
use std::path::{Path, PathBuf};
use std::process::Output;

/// Everything a run printed or wrote outside the inputs.
struct Seen {
    dir: tempfile::TempDir,
    texts: Vec<(String, Vec<u8>)>,
}

impl Seen {
    fn new() -> Seen {
        let dir = tempfile::tempdir().unwrap();
        let inputs = dir.path().join("in");
        std::fs::create_dir_all(&inputs).unwrap();
        for f in [
            "csv/customers.csv",
            "json/customers.json",
            "json/events.jsonl",
            "parquet/customers.parquet",
            "compressed/customers.csv.gz",
        ] {
            let name = f.replace('/', "_");
            std::fs::copy(fixture(f), inputs.join(name)).unwrap();
        }
        Seen {
            dir,
            texts: Vec::new(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `shroud ARGS`, which must exit with `code` (a run that fails early would
    /// search nothing), and keeps what it printed.
    fn run(&mut self, code: i32, args: &[&str]) -> Output {
        let out = shroud(self.path(), args);
        let label = args.join(" ");
        assert_eq!(out.status.code(), Some(code), "{label}: {:?}", text(&out));
        assert!(
            !String::from_utf8_lossy(&out.stderr).contains("panicked"),
            "{label}: {:?}",
            text(&out)
        );
        self.texts
            .push((format!("stdout of {label}"), out.stdout.clone()));
        self.texts
            .push((format!("stderr of {label}"), out.stderr.clone()));
        out
    }

    /// Adds every file under the work folder but the inputs (and the key itself).
    fn collect_outputs(&mut self, skip: &[PathBuf]) {
        let mut stack = vec![self.path().to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p == self.path().join("in") || skip.contains(&p) {
                    continue;
                }
                if p.is_dir() {
                    stack.push(p);
                } else {
                    self.texts
                        .push((p.display().to_string(), std::fs::read(&p).unwrap()));
                }
            }
        }
    }

    fn assert_absent(&self, needles: &[&str]) {
        for (what, bytes) in &self.texts {
            let hay = String::from_utf8_lossy(bytes);
            for n in needles {
                assert!(!hay.contains(n), "{n:?} leaked into {what}");
            }
        }
    }
}

#[test]
fn no_command_prints_or_writes_a_raw_value_or_the_key() {
    let mut s = Seen::new();
    std::fs::copy(fixture("bad/ragged.csv"), s.path().join("in/ragged.csv")).unwrap();
    let key = s.path().join("secret.key");
    s.run(0, &["keygen", key.to_str().unwrap()]);
    let key_hex = std::fs::read_to_string(&key).unwrap().trim().to_string();
    let k = key.to_str().unwrap();

    // scan: summary, quiet, every output, keep-going over the broken file, sampled.
    s.run(2, &["scan", "in"]);
    s.run(2, &["scan", "in", "--keep-going"]);
    s.run(
        0,
        &[
            "scan",
            "in",
            "--keep-going",
            "--lenient",
            "-q",
            "--report",
            "scan/report.json",
            "--findings",
            "scan/findings.jsonl",
            "--html",
            "scan/report.html",
        ],
    );
    s.run(
        2,
        &[
            "scan",
            "in",
            "--keep-going",
            "--sample-rows",
            "2",
            "--fail-on-findings",
        ],
    );
    s.run(2, &["scan", "in/ragged.csv"]);
    s.run(
        0,
        &["report", "scan/report.json", "--html", "scan/again.html"],
    );

    // check: every format, to stdout and to files, and the HTML page.
    for format in ["text", "json", "sarif", "junit"] {
        s.run(2, &["check", "in", "--format", format]);
        let out = format!("check/out.{format}");
        s.run(2, &["check", "in", "--format", format, "-o", &out]);
    }
    s.run(2, &["check", "in", "--html", "check/page.html"]);

    // pseudonymize: summary, quiet, dry run, HTML, key from the environment too.
    s.run(2, &["pseudonymize", "in", "--dry-run", "--key-file", k]);
    s.run(
        0,
        &[
            "pseudonymize",
            "in",
            "--lenient",
            "--out-dir",
            "p1",
            "--key-file",
            k,
        ],
    );
    s.run(
        0,
        &[
            "pseudonymize",
            "in",
            "--lenient",
            "--out-dir",
            "p2",
            "--key-file",
            k,
            "-q",
            "--html",
            "p2.html",
        ],
    );
    let out = shroud_env(
        s.path(),
        &["pseudonymize", "in/csv_customers.csv", "--out-dir", "p3"],
        &[("SHROUD_KEY", key_hex.as_str())],
    );
    s.texts.push(("stdout of env-key run".into(), out.stdout));
    s.texts.push(("stderr of env-key run".into(), out.stderr));
    // A refused run (grouping by a direct identifier) and a policy listing.
    s.run(
        2,
        &[
            "aggregate",
            "in/csv_customers.csv",
            "--group-by",
            "email",
            "--output",
            "agg/refused.csv",
        ],
    );
    s.run(0, &["policy", "init", "policy.toml"]);

    // aggregate and risk: every output format.
    for ext in ["csv", "json", "parquet"] {
        let out = format!("agg/by_gender.{ext}");
        s.run(
            0,
            &[
                "aggregate",
                "in/csv_customers.csv",
                "--group-by",
                "gender",
                "--metric",
                "count",
                "--min-group-size",
                "1",
                "--output",
                &out,
            ],
        );
    }
    for format in ["text", "json"] {
        s.run(
            0,
            &[
                "risk",
                "in/csv_customers.csv",
                "--quasi-identifiers",
                "zip,date_of_birth",
                "--format",
                format,
                "--html",
                "risk.html",
            ],
        );
    }
    s.run(0, &["rules", "list"]);

    // Pseudonymized data is data, not a log: it is checked by the pseudonymize tests. Here
    // its manifest and everything else are searched.
    let data: Vec<PathBuf> = ["p1", "p2", "p3"]
        .iter()
        .flat_map(|d| std::fs::read_dir(s.path().join(d)).unwrap().flatten())
        .map(|e| e.path())
        .filter(|p| !p.ends_with("_shroud_manifest.json"))
        .chain([key.clone()])
        .collect();
    s.collect_outputs(&data);
    for f in [
        "scan/report.json",
        "scan/findings.jsonl",
        "scan/report.html",
        "scan/again.html",
        "check/out.sarif",
        "check/out.junit",
        "check/page.html",
        "p1/_shroud_manifest.json",
        "p2.html",
        "p3/_shroud_manifest.json",
        "agg/by_gender.csv",
        "agg/by_gender.parquet",
        "risk.html",
        "policy.toml",
    ] {
        assert!(s.path().join(f).exists(), "{f} was not written");
    }
    assert!(
        s.texts.len() > 60,
        "too few outputs searched: {}",
        s.texts.len()
    );
    let mut needles: Vec<&str> = PLANTED.to_vec();
    needles.extend(["anna@example.net", &key_hex, &key_hex[..16], &key_hex[48..]]);
    s.assert_absent(&needles);
}

#[test]
fn the_search_sees_raw_values_when_they_are_asked_for() {
    let mut s = Seen::new();
    s.run(
        0,
        &[
            "scan",
            "in/csv_customers.csv",
            "--show-values",
            "-q",
            "--report",
            "r.json",
            "--findings",
            "f.jsonl",
            "--html",
            "r.html",
        ],
    );
    s.collect_outputs(&[]);
    // Each output the main test searches does carry raw values when asked to.
    for f in ["r.json", "f.jsonl", "r.html"] {
        let text = std::fs::read_to_string(s.path().join(f)).unwrap();
        assert!(
            text.contains("jane.doe@example.com"),
            "{f}: control run shows no value"
        );
    }
}
