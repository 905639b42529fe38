//! What leaves must be what was vouched for: the hostile review's findings (issue 13), one
//! test per behaviour. Each drives the real binary.

use crate::util::{files_under, fixture, shroud, shroud_env, shroud_stdin, text};
use std::path::{Path, PathBuf};

fn key(dir: &Path) -> PathBuf {
    let k = dir.join("k.key");
    if !k.exists() {
        assert!(shroud(dir, &["keygen", "k.key"]).status.success());
    }
    k
}

/// The cells of `column` in a file, read with shroud's own reader.
fn cells(path: &Path, column: &str) -> Vec<String> {
    crate::util::read_cells(path)
        .into_iter()
        .filter(|(_, c, _)| c == column)
        .map(|(_, _, v)| v)
        .collect()
}

/// `shroud pseudonymize INPUTS --out-dir OUT --key-file k.key -q EXTRA...` in `dir`.
fn pseudo(dir: &Path, inputs: &[&Path], out: &str, extra: &[&str]) -> std::process::Output {
    let k = key(dir);
    let mut args: Vec<&str> = vec!["pseudonymize"];
    args.extend(inputs.iter().map(|p| p.to_str().unwrap()));
    args.extend(["--out-dir", out, "--key-file", k.to_str().unwrap(), "-q"]);
    args.extend(extra);
    shroud(dir, &args)
}

fn read(p: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned()
}

fn check_passes(dir: &Path, what: &str) {
    let out = shroud(dir, &["check", what]);
    assert_eq!(out.status.code(), Some(0), "check {what}: {:?}", text(&out));
}

#[test]
fn a_stray_quote_in_an_unquoted_field_is_read_alike_by_both_passes() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("bad/stray_quote.csv");
    let out = pseudo(dir.path(), &[&input], "o", &[]);
    assert!(out.status.success(), "{:?}", text(&out));
    let written = read(&dir.path().join("o/stray_quote.csv"));
    for raw in [
        "jane.doe@example.com",
        "john.smith@example.org",
        "anna@example.net",
    ] {
        assert!(!written.contains(raw), "{raw} left in {written}");
    }
    // The stray quotes are data: kept byte for byte, and the rows are all there.
    assert!(
        written.contains(",Paris\",") && written.contains(",5'11\","),
        "{written}"
    );
    assert_eq!(written.lines().count(), 4, "{written}");
    check_passes(dir.path(), "o");
}

#[test]
fn csv_files_in_a_folder_named_like_tsv_are_split_on_commas() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("in/exports.tsv.d");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(
        sub.join("b.csv"),
        "name,date_of_birth,account_number\nJane Doe,1980-03-04,12345678\nJohn Smith,1975-11-30,87654321\n",
    )
    .unwrap();
    let out = pseudo(dir.path(), &[&dir.path().join("in")], "o", &[]);
    assert!(out.status.success(), "{:?}", text(&out));
    let written = read(&dir.path().join("o/exports.tsv.d/b.csv"));
    for raw in ["Jane Doe", "1980-03-04", "12345678", "87654321"] {
        assert!(!written.contains(raw), "{raw} left in {written}");
    }
    check_passes(dir.path(), "o");
}

#[test]
fn cr_only_line_ends_are_records() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("bad/cr_only.csv");
    let out = pseudo(dir.path(), &[&input], "o", &[]);
    assert!(out.status.success(), "{:?}", text(&out));
    let written = read(&dir.path().join("o/cr_only.csv"));
    assert!(!written.contains("jane.doe@example.com"), "{written:?}");
    assert_eq!(
        written.matches('\r').count(),
        3,
        "CR line ends kept: {written:?}"
    );
    assert!(!written.contains('\n'), "{written:?}");
    check_passes(dir.path(), "o");
}

#[test]
fn reports_to_devices_fifos_and_links_to_them_are_written_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("csv/customers.csv");
    let out = shroud(
        dir.path(),
        &[
            "scan",
            input.to_str().unwrap(),
            "-q",
            "--report",
            "/dev/null",
            "--findings",
            "/dev/null",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(
        !std::fs::metadata("/dev/null").unwrap().is_file(),
        "/dev/null replaced"
    );
    // A FIFO, and a symlink to it: the report goes through the pipe, the FIFO stays.
    let fifo = dir.path().join("report.fifo");
    if !std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success())
    {
        return;
    }
    let link = dir.path().join("report-link");
    std::os::unix::fs::symlink(&fifo, &link).unwrap();
    for target in [&fifo, &link] {
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).unwrap())
        };
        let out = shroud(
            dir.path(),
            &[
                "scan",
                input.to_str().unwrap(),
                "-q",
                "--report",
                target.to_str().unwrap(),
            ],
        );
        assert!(out.status.success(), "{:?}", text(&out));
        let got = reader.join().unwrap();
        let report: serde_json::Value = serde_json::from_slice(&got).unwrap();
        assert_eq!(report["version"], 1);
        assert!(
            std::fs::symlink_metadata(&fifo)
                .unwrap()
                .file_type()
                .is_fifo()
        );
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }
}

use std::os::unix::fs::FileTypeExt;

#[test]
fn check_fails_files_it_cannot_vouch_for_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let share = dir.path().join("share");
    std::fs::create_dir_all(share.join("sub")).unwrap();
    std::fs::write(share.join("clean.csv"), "sku,qty\nAB-1,3\n").unwrap();
    std::fs::write(
        share.join("notes.txt"),
        "call jane.doe@example.com tomorrow\n",
    )
    .unwrap();
    std::fs::write(share.join(".hidden.csv"), "email\njohn.smith@example.org\n").unwrap();
    std::fs::write(
        share.join("shroud-extra.json"),
        "[{\"email\": \"anna@example.net\"}]",
    )
    .unwrap();
    std::fs::write(
        share.join("sub/archive.bz2"),
        b"BZh91AY&SY\x00\x01\x02\xff\xfe",
    )
    .unwrap();
    let out = shroud(dir.path(), &["check", "share"]);
    assert_eq!(out.status.code(), Some(1), "{:?}", text(&out));
    let (stdout, _) = text(&out);
    for f in [
        "notes.txt",
        ".hidden.csv",
        "shroud-extra.json",
        "archive.bz2",
    ] {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with("FAIL") && l.contains(f)),
            "{f} not failed: {stdout}"
        );
    }
    assert!(stdout.contains("PASS share/clean.csv"), "{stdout}");
    assert!(
        !stdout.contains("jane.doe@example.com"),
        "no raw value: {stdout}"
    );
    // Clean text passes; a binary allowed by name is waived with its reason.
    std::fs::write(share.join("notes.txt"), "nothing personal here\n").unwrap();
    std::fs::remove_file(share.join(".hidden.csv")).unwrap();
    std::fs::remove_file(share.join("shroud-extra.json")).unwrap();
    std::fs::write(
        dir.path().join("p.toml"),
        "[[allow]]\nfile = \"**/*.bz2\"\nreason = \"reviewed archive\"\n",
    )
    .unwrap();
    let out = shroud(dir.path(), &["check", "share", "--policy", "p.toml"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert!(
        text(&out).0.contains("reviewed archive"),
        "{:?}",
        text(&out)
    );
}

#[test]
fn parquet_maps_binaries_and_large_and_fixed_lists_are_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("bad/nested_types.parquet");
    let out = pseudo(dir.path(), &[&input], "o", &[]);
    assert!(out.status.success(), "{:?}", text(&out));
    let (_, findings, _) = crate::util::scan(
        &dir.path().join("o/nested_types.parquet"),
        &["-q", "--show-values"],
    );
    let emails: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|f| f["entity"] == "EMAIL_ADDRESS")
        .collect();
    assert!(emails.is_empty(), "emails left: {emails:?}");
    check_passes(dir.path(), "o");
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&dir.path().join("o/_shroud_manifest.json"))).unwrap();
    for c in manifest["files"][0]["columns"].as_array().unwrap() {
        if c["column"] != "id" && c["column"] != "attrs[].key" {
            assert!(c["cells_changed"].as_u64().unwrap() > 0, "{c}");
        }
    }
}

#[test]
fn personal_data_in_headers_json_keys_and_file_names_is_replaced_and_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let inp = dir.path().join("in");
    std::fs::create_dir_all(inp.join("jane.doe@example.com")).unwrap();
    std::fs::copy(fixture("bad/pii_header.csv"), inp.join("pivot.csv")).unwrap();
    std::fs::copy(fixture("bad/data_keys.json"), inp.join("friends.json")).unwrap();
    std::fs::write(
        inp.join("jane.doe@example.com/orders.csv"),
        "sku,qty\nAB-1,3\n",
    )
    .unwrap();
    // The raw input fails the gate, and no output prints a raw value.
    let out = shroud(dir.path(), &["check", "in"]);
    assert_eq!(out.status.code(), Some(1), "{:?}", text(&out));
    let (stdout, stderr) = text(&out);
    let out2 = shroud(dir.path(), &["scan", "in", "--report", "r.json"]);
    let (s2, e2) = text(&out2);
    let report = read(&dir.path().join("r.json"));
    for raw in [
        "john.smith@example.org",
        "Jane Doe",
        "John Smith",
        "Maria Garcia",
    ] {
        for (what, s) in [
            ("check", &stdout),
            ("check", &stderr),
            ("scan", &s2),
            ("scan", &e2),
            ("report", &report),
        ] {
            assert!(!s.contains(raw), "{raw} printed by {what}: {s}");
        }
    }
    let out = pseudo(dir.path(), &[&inp], "o", &[]);
    assert!(out.status.success(), "{:?}", text(&out));
    let mut names = Vec::new();
    for e in files_under(&dir.path().join("o")) {
        let rel = e
            .strip_prefix(dir.path().join("o"))
            .unwrap()
            .display()
            .to_string();
        let body = read(&e);
        for raw in [
            "jane.doe@example.com",
            "john.smith@example.org",
            "Jane Doe",
            "Maria Garcia",
        ] {
            assert!(!rel.contains(raw), "{raw} in the output name {rel}");
            assert!(!body.contains(raw), "{raw} in {rel}: {body}");
        }
        names.push(rel);
    }
    assert!(
        names.iter().any(|n| n.ends_with("/orders.csv")),
        "{names:?}"
    );
    check_passes(dir.path(), "o");
}

#[test]
fn kept_columns_still_lose_values_that_stand_out_on_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("city,qty\n");
    for c in [
        "Paris", "Berlin", "Lyon", "Madrid", "Rome", "Vienna", "Oslo", "Lisbon",
    ] {
        csv.push_str(&format!("{c},1\n"));
    }
    csv.push_str("jane.doe@example.com,2\nDublin +44 20 7946 0958,3\n");
    std::fs::write(dir.path().join("c.csv"), csv).unwrap();
    let out = pseudo(dir.path(), &[&dir.path().join("c.csv")], "o", &[]);
    assert!(out.status.success(), "{:?}", text(&out));
    let written = read(&dir.path().join("o/c.csv"));
    assert!(
        written.contains("Paris,1") && written.contains("Vienna,1"),
        "{written}"
    );
    assert!(!written.contains("jane.doe@example.com"), "{written}");
    assert!(!written.contains("7946 0958"), "{written}");
    check_passes(dir.path(), "o");
}

#[test]
fn duplicate_header_names_keep_each_column_its_own_action() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("bad/duplicate_header.csv");
    let out = pseudo(dir.path(), &[&input], "o", &[]);
    assert!(out.status.success(), "{:?}", text(&out));
    let written = read(&dir.path().join("o/duplicate_header.csv"));
    let rows: Vec<&str> = written.lines().skip(1).collect();
    assert!(
        rows.iter().all(|r| r.ends_with(",F") || r.ends_with(",M")),
        "{written}"
    );
    assert!(!written.contains("@example."), "{written}");
}

#[test]
fn column_overrides_apply_to_columns_without_a_verdict() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.csv"),
        "internal_ref,notes\nAX-1,Customer Jane Doe called jane.doe@example.com twice.\nAX-2,All good.\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("p.toml"),
        "[columns]\ninternal_ref = \"token\"\nnotes = \"replace\"\n",
    )
    .unwrap();
    let out = pseudo(
        dir.path(),
        &[&dir.path().join("t.csv")],
        "o",
        &["--policy", "p.toml"],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let written = read(&dir.path().join("o/t.csv"));
    assert!(
        !written.contains("AX-1") && !written.contains("AX-2"),
        "{written}"
    );
    assert!(written.contains("tok_"), "{written}");
    assert!(
        written.contains("<EMAIL_ADDRESS>") && written.contains("All good."),
        "{written}"
    );
}

#[test]
fn reidentify_refuses_manifest_paths_outside_its_folders() {
    let dir = tempfile::tempdir().unwrap();
    let k = key(dir.path());
    std::fs::write(
        dir.path().join("p.toml"),
        "[entities]\nCREDIT_CARD = \"fpe\"\n",
    )
    .unwrap();
    let input = fixture("csv/customers.csv");
    let out = shroud(
        dir.path(),
        &[
            "pseudonymize",
            input.to_str().unwrap(),
            "--out-dir",
            "share",
            "--key-file",
            k.to_str().unwrap(),
            "--policy",
            "p.toml",
            "-q",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let mpath = dir.path().join("share/_shroud_manifest.json");
    let good = read(&mpath);
    for evil in ["../evil.csv", "/tmp/evil.csv", "a/../../evil.csv"] {
        std::fs::write(
            &mpath,
            good.replace("\"customers.csv\"", &format!("{evil:?}")),
        )
        .unwrap();
        let out = shroud(
            dir.path(),
            &[
                "reidentify",
                "share",
                "--out-dir",
                "back",
                "--key-file",
                k.to_str().unwrap(),
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{evil}: {:?}", text(&out));
        assert!(
            text(&out).1.contains("not a path inside"),
            "{:?}",
            text(&out)
        );
        assert!(!dir.path().join("evil.csv").exists() && !Path::new("/tmp/evil.csv").exists());
    }
    // A symlink on the way out of the folder is refused too.
    std::fs::write(&mpath, good.replace("\"customers.csv\"", "\"link/x.csv\"")).unwrap();
    std::fs::create_dir_all(dir.path().join("back")).unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("back/link")).unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("share/link")).unwrap();
    let out = shroud(
        dir.path(),
        &[
            "reidentify",
            "share",
            "--out-dir",
            "back",
            "--key-file",
            k.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
}

#[test]
fn totals_under_the_minimum_group_size_are_not_published() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("zip,gender,amount\n");
    for i in 0..30 {
        csv.push_str(&format!(
            "10115,{},{}\n",
            if i % 2 == 0 { "F" } else { "M" },
            i
        ));
    }
    for _ in 0..3 {
        csv.push_str("94107,F,5\n");
    }
    std::fs::write(dir.path().join("o.csv"), csv).unwrap();
    let out = shroud(
        dir.path(),
        &[
            "aggregate",
            "o.csv",
            "--group-by",
            "zip,gender",
            "--totals",
            "--min-group-size",
            "10",
            "--output",
            "a.csv",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let written = read(&dir.path().join("a.csv"));
    assert!(
        !written.contains("94107"),
        "a total of 3 rows was published: {written}"
    );
    assert!(written.contains("10115,(total)"), "{written}");
}

#[test]
fn a_withheld_total_is_never_the_grand_total_minus_the_published_ones() {
    // The review's attack: a row total under the minimum size, recovered as the grand total
    // minus the other row totals. Each shape: one group-by column (the grand total over
    // cells) and two (row totals, then the grand total).
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("zip,gender\n");
    for (zip, gender, n) in [
        ("10115", "F", 14),
        ("10115", "M", 16),
        ("20095", "F", 12),
        ("20095", "M", 11),
        ("94107", "F", 3),
    ] {
        for _ in 0..n {
            csv.push_str(&format!("{zip},{gender}\n"));
        }
    }
    std::fs::write(dir.path().join("o.csv"), csv).unwrap();
    for group_by in ["zip", "zip,gender"] {
        let out = shroud(
            dir.path(),
            &[
                "aggregate",
                "o.csv",
                "--group-by",
                group_by,
                "--totals",
                "--min-group-size",
                "10",
                "--output",
                "a.csv",
                "--force",
            ],
        );
        assert!(out.status.success(), "{:?}", text(&out));
        let written = read(&dir.path().join("a.csv"));
        assert!(!written.contains("94107"), "{written}");
        let width = group_by.split(',').count();
        let grand = vec!["(total)"; width].join(",");
        let count_of = |line: &str| line.rsplit(',').next().unwrap().parse::<i64>().unwrap();
        let grand_count = written
            .lines()
            .find(|l| l.starts_with(&format!("{grand},")))
            .map(count_of);
        // The other zips' numbers that sum with 94107's into the grand total.
        let others: i64 = written
            .lines()
            .skip(1)
            .filter(|l| !l.starts_with("(total)"))
            .filter(|l| width == 1 || l.contains("(total)"))
            .map(count_of)
            .sum();
        if let Some(g) = grand_count {
            assert_ne!(g - others, 3, "the withheld total follows: {written}");
        }
    }
}

#[test]
fn misspelled_columns_are_errors_that_name_the_close_matches() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.csv"),
        "zip,birth_year,gender,amount\n94107,1980,F,3\n94107,1980,F,4\n",
    )
    .unwrap();
    let out = shroud(
        dir.path(),
        &[
            "risk",
            "t.csv",
            "--quasi-identifiers",
            "zip,birthyear",
            "--k-min",
            "2",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
    assert!(
        text(&out).1.contains("did you mean birth_year"),
        "{:?}",
        text(&out)
    );
    let out = shroud(
        dir.path(),
        &[
            "aggregate",
            "t.csv",
            "--group-by",
            "zip",
            "--metric",
            "sum:amout",
            "--output",
            "a.csv",
            "--min-group-size",
            "1",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
    assert!(
        text(&out).1.contains("did you mean amount"),
        "{:?}",
        text(&out)
    );
    assert!(!dir.path().join("a.csv").exists());
    std::fs::write(
        dir.path().join("p.toml"),
        "[k_anonymity]\nquasi_identifiers = [\"zip\", \"birthyear\"]\nk_min = 2\n",
    )
    .unwrap();
    let out = shroud(dir.path(), &["check", "t.csv", "--policy", "p.toml"]);
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
    assert!(text(&out).0.contains("birth_year"), "{:?}", text(&out));
}

#[test]
fn detection_is_linear_in_the_size_of_a_cell() {
    // 1.2 MB of `1.2.3.` in one cell: once 47 s for 240 KB and growing with the square.
    let dir = tempfile::tempdir().unwrap();
    let cell = "1.2.3.".repeat(200_000);
    std::fs::write(dir.path().join("d.csv"), format!("notes\n\"{cell}\"\n")).unwrap();
    let out = shroud(dir.path(), &["scan", "d.csv", "-q", "-j1"]);
    assert!(out.status.success(), "{:?}", text(&out));
}

#[test]
fn date_shift_takes_non_ascii_digits_without_panic_or_echo() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.csv"),
        "date_of_birth\n1969-03-1\u{ff15}\n1970-01-02\n1971-05-06\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("p.toml"),
        "[entities]\nDATE_OF_BIRTH = \"date_shift\"\n",
    )
    .unwrap();
    let out = pseudo(
        dir.path(),
        &[&dir.path().join("t.csv")],
        "o",
        &["--policy", "p.toml"],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(!text(&out).1.contains("1969-03-1"), "{:?}", text(&out));
}

#[test]
fn a_locked_output_folder_refuses_a_second_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("o")).unwrap();
    let held = std::fs::File::open(dir.path().join("o")).unwrap();
    held.lock().unwrap();
    let input = fixture("csv/customers.csv");
    let out = pseudo(dir.path(), &[&input], "o", &[]);
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
    assert!(
        text(&out).1.contains("another shroud run"),
        "{:?}",
        text(&out)
    );
    assert!(!dir.path().join("o/customers.csv").exists());
    held.unlock().unwrap();
    let out = pseudo(dir.path(), &[&input], "o", &[]);
    assert!(out.status.success(), "{:?}", text(&out));
}

#[test]
fn a_parquet_column_null_in_its_first_row_group_keeps_the_token_type() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("bad/null_first.parquet");
    let out = pseudo(dir.path(), &[&input], "o", &[]);
    assert!(out.status.success(), "{:?}", text(&out));
    let (_, findings, _) = crate::util::scan(
        &dir.path().join("o/null_first.parquet"),
        &["-q", "--show-values"],
    );
    assert!(findings.is_empty(), "{findings:?}");
    let phones = cells(&dir.path().join("o/null_first.parquet"), "phone");
    assert_eq!(phones.len(), 5, "{phones:?}");
    assert!(phones.iter().all(|p| p.starts_with("tel_")), "{phones:?}");
    let ssns = cells(&dir.path().join("o/null_first.parquet"), "ssn");
    assert!(ssns.iter().all(|p| p.starts_with("taxid_")), "{ssns:?}");
}

#[test]
fn standard_input_is_streamed_and_leaves_no_spool_behind() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let k = key(dir.path());
    let data = std::fs::read(fixture("csv/customers.csv")).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_shroud"))
        .args([
            "pseudonymize",
            "-",
            "--input-format",
            "csv",
            "--key-file",
            k.to_str().unwrap(),
        ])
        .env("TMPDIR", &tmp)
        .current_dir(dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(&data).unwrap();
    }
    // While it runs, no named spool sits in the temporary folder.
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0);
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(
        !s.contains("jane.doe@example.com") && s.contains("@pseudo.invalid"),
        "{s}"
    );
}

#[test]
fn json_keys_that_become_one_keep_every_value() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.toml"),
        "[entities]\nPERSON = \"redact\"\n",
    )
    .unwrap();
    let input = fixture("bad/data_keys.json");
    let out = pseudo(dir.path(), &[&input], "o", &["--policy", "p.toml"]);
    assert!(out.status.success(), "{:?}", text(&out));
    let v: serde_json::Value =
        serde_json::from_str(&read(&dir.path().join("o/data_keys.json"))).unwrap();
    let friends = v[0]["friends"].as_object().unwrap();
    assert_eq!(friends.len(), 2, "{v}");
    let mut values: Vec<i64> = friends.values().map(|x| x.as_i64().unwrap()).collect();
    values.sort_unstable();
    assert_eq!(values, vec![1, 3]);
}

#[test]
fn policies_refuse_unknown_entities_and_fpe_where_it_leaves_text() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("csv/customers.csv");
    std::fs::write(
        dir.path().join("typo.toml"),
        "default = \"keep\"\n[entities]\nEMAIL_ADRESS = \"token\"\n",
    )
    .unwrap();
    let out = pseudo(dir.path(), &[&input], "o", &["--policy", "typo.toml"]);
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
    assert!(
        text(&out).1.contains("did you mean EMAIL_ADDRESS"),
        "{:?}",
        text(&out)
    );
    std::fs::write(
        dir.path().join("fpe.toml"),
        "[entities]\nEMAIL_ADDRESS = \"fpe\"\n",
    )
    .unwrap();
    let out = pseudo(dir.path(), &[&input], "o", &["--policy", "fpe.toml"]);
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
    assert!(
        text(&out).1.contains("fpe encrypts digits only"),
        "{:?}",
        text(&out)
    );
    assert!(!dir.path().join("o").exists());
}

#[test]
fn a_fifo_input_is_read_once_for_both_passes() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("in.csv");
    if !std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success())
    {
        return;
    }
    let data = std::fs::read(fixture("csv/customers.csv")).unwrap();
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, data).unwrap())
    };
    let out = pseudo(dir.path(), &[&fifo], "o", &[]);
    writer.join().unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    let s = read(&dir.path().join("o/in.csv"));
    assert!(
        !s.contains("jane.doe@example.com") && s.lines().count() == 9,
        "{s}"
    );
}

#[test]
fn junit_and_sarif_stay_valid_and_say_when_they_sampled() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.csv"),
        "e\u{7}mail,qty\njane.doe@example.com,1\njohn.smith@example.org,2\nanna@example.net,3\n",
    )
    .unwrap();
    let out = shroud(
        dir.path(),
        &["check", "t.csv", "--format", "junit", "--sample-rows", "2"],
    );
    assert_eq!(out.status.code(), Some(1));
    let xml = text(&out).0;
    roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}: {xml}"));
    assert!(xml.contains("sampled"), "{xml}");
    std::fs::write(dir.path().join("c.csv"), "sku\nAB-1\nAB-2\nAB-3\n").unwrap();
    let out = shroud(
        dir.path(),
        &["check", "c.csv", "--format", "sarif", "--sample-rows", "2"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out).0.contains("sampled: only the first 2 rows"),
        "{:?}",
        text(&out)
    );
    let out = shroud(
        dir.path(),
        &["check", "c.csv", "--format", "junit", "--sample-rows", "2"],
    );
    assert!(text(&out).0.contains("sampled"), "{:?}", text(&out));
}

#[test]
fn a_broken_stdout_pipe_is_not_a_success() {
    let dir = tempfile::tempdir().unwrap();
    let k = key(dir.path());
    let big: String = std::iter::once("email\n".to_string())
        .chain((0..200_000).map(|i| format!("user{i}@example.com\n")))
        .collect();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_shroud"))
        .args([
            "pseudonymize",
            "-",
            "--input-format",
            "csv",
            "--key-file",
            k.to_str().unwrap(),
        ])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(big.as_bytes())
            .unwrap();
    }
    // Read a little, then close the pipe.
    {
        use std::io::Read;
        let mut buf = [0u8; 16];
        child.stdout.take().unwrap().read_exact(&mut buf).unwrap();
    }
    let status = child.wait().unwrap();
    assert!(!status.success(), "{status:?}");
}

#[test]
fn weak_keys_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("csv/customers.csv");
    for (k, why) in [
        ("aaaaaaaaaaaaaaaaaaaaaaaa", "96 bits"),
        (&"0".repeat(64), "repeats"),
        ("password12345678", "typed"),
        ("0123456789abcdef0123456789abcdef", "128 bits"),
    ] {
        let out = shroud_env(
            dir.path(),
            &[
                "pseudonymize",
                input.to_str().unwrap(),
                "--out-dir",
                "o",
                "-q",
            ],
            &[("SHROUD_KEY", k)],
        );
        assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
        assert!(text(&out).1.contains(why), "{k}: {:?}", text(&out));
        assert!(
            !text(&out).1.contains(k),
            "the key is printed: {:?}",
            text(&out)
        );
    }
}

#[test]
fn a_refused_run_leaves_no_folder_in_the_input_tree() {
    let dir = tempfile::tempdir().unwrap();
    let inp = dir.path().join("in");
    std::fs::create_dir_all(&inp).unwrap();
    std::fs::copy(fixture("csv/customers.csv"), inp.join("c.csv")).unwrap();
    let out = pseudo(dir.path(), &[&inp], "in/out", &[]);
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
    assert!(
        !inp.join("out").exists(),
        "a folder was made inside the input"
    );
}

#[test]
fn verify_keeps_nothing_when_personal_data_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("csv/customers.csv");
    // Keeping the email column verbatim leaves emails the policy's own share gate refuses.
    std::fs::write(dir.path().join("p.toml"), "[columns]\nemail = \"keep\"\n").unwrap();
    let out = pseudo(
        dir.path(),
        &[&input],
        "o",
        &["--policy", "p.toml", "--verify"],
    );
    assert_eq!(out.status.code(), Some(1), "{:?}", text(&out));
    let (_, err) = text(&out);
    assert!(
        err.contains("email") && err.contains("EMAIL_ADDRESS"),
        "{err}"
    );
    assert!(!err.contains("jane.doe@example.com"), "{err}");
    assert!(
        !dir.path().join("o/customers.csv").exists(),
        "an output was kept"
    );
    assert!(!dir.path().join("o/_shroud_manifest.json").exists());
    // The default policy verifies clean, and the manifest says so.
    let out = pseudo(dir.path(), &[&input], "o", &["--verify"]);
    assert!(out.status.success(), "{:?}", text(&out));
    let m: serde_json::Value =
        serde_json::from_str(&read(&dir.path().join("o/_shroud_manifest.json"))).unwrap();
    assert_eq!(m["verified"], true);
}

#[test]
fn a_scan_sees_the_same_whatever_the_thread_count() {
    // Once, a phone-number memo keyed on a prefix let the numbers a worker saw first decide
    // later verdicts: one thread and two gave different findings.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.csv"),
        "phone,notes\n+31651-469457,x\n,Kunde bittet um Rückruf unter +31 651 467 951 wegen Bestellung.\n",
    )
    .unwrap();
    let mut runs = Vec::new();
    for j in ["1", "2"] {
        let out = shroud(
            dir.path(),
            &["scan", "t.csv", "-q", "-j", j, "--findings", "f.jsonl"],
        );
        assert!(out.status.success());
        runs.push(read(&dir.path().join("f.jsonl")));
    }
    assert_eq!(runs[0], runs[1]);
    assert_eq!(runs[0].matches("PHONE_NUMBER").count(), 2, "{}", runs[0]);
}

#[test]
fn stdin_with_a_format_matches_the_file_run() {
    let dir = tempfile::tempdir().unwrap();
    let k = key(dir.path());
    let data = std::fs::read(fixture("bad/stray_quote.csv")).unwrap();
    let out = shroud_stdin(
        dir.path(),
        &[
            "pseudonymize",
            "-",
            "--input-format",
            "csv",
            "--key-file",
            k.to_str().unwrap(),
        ],
        &data,
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let args: Vec<String> = vec![
        "pseudonymize".into(),
        fixture("bad/stray_quote.csv").to_str().unwrap().to_string(),
        "--out-dir".into(),
        "o".into(),
        "--key-file".into(),
        k.to_str().unwrap().to_string(),
        "-q".into(),
    ];
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    assert!(shroud(dir.path(), &refs).status.success());
    assert_eq!(
        out.stdout,
        std::fs::read(dir.path().join("o/stray_quote.csv")).unwrap()
    );
}

#[test]
fn an_error_names_its_cause_once() {
    // The job's error carried the reader's message and the chain printed it again.
    let dir = tempfile::tempdir().unwrap();
    let out = pseudo(dir.path(), &[&fixture("bad/ragged.csv")], "out", &[]);
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.matches("expected").count(), 1, "{err}");
    assert!(err.contains("ragged.csv"), "{err}");
}

#[test]
fn pass_two_proves_it_read_what_pass_one_judged() {
    // A span column where pass 1 found nothing is copied without a second scan; the digest of
    // its cells is what makes that safe. Here the two passes read one file: the digests agree,
    // the output has every cell of the clean column byte for byte.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("t.csv");
    let mut s = String::from("sku,notes\n");
    for i in 0..500 {
        s.push_str(&format!("SKU-{i:05},all good {i}\n"));
    }
    s.push_str("SKU-99999,mail jane.doe@example.com\n");
    std::fs::write(&csv, &s).unwrap();
    let out = pseudo(dir.path(), &[&csv], "out", &[]);
    assert!(out.status.success(), "{}", text(&out).1);
    let written = read(&dir.path().join("out/t.csv"));
    assert!(!written.contains("jane.doe@example.com"));
    assert_eq!(
        cells(&dir.path().join("out/t.csv"), "sku"),
        cells(&csv, "sku")
    );
}
