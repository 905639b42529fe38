//! `shroud pseudonymize`, `reidentify`, `keygen`, `policy`: outputs, keys, joins, refusals.

use crate::util::*;
use serde_json::Value;
use std::path::Path;

fn keygen(dir: &Path, name: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    let out = shroud(dir, &["keygen", p.to_str().unwrap()]);
    assert!(out.status.success(), "{:?}", text(&out));
    p
}

fn pseudonymize(dir: &Path, inputs: &[&Path], out: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["pseudonymize"];
    args.extend(inputs.iter().map(|p| p.to_str().unwrap()));
    args.extend(["--out-dir", out]);
    args.extend_from_slice(extra);
    shroud(dir, &args)
}

fn read_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    fn walk(d: &Path, base: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, base, out);
            } else {
                out.push((
                    p.strip_prefix(base).unwrap().display().to_string(),
                    std::fs::read(&p).unwrap(),
                ));
            }
        }
    }
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn outputs_hold_no_personal_data_and_rescan_clean() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "k.key");
    let inputs = [
        fixture("csv/customers.csv"),
        fixture("json/customers.json"),
        fixture("parquet/customers.parquet"),
    ];
    let refs: Vec<&Path> = inputs.iter().map(|p| p.as_path()).collect();
    let out = pseudonymize(
        dir.path(),
        &refs,
        "out",
        &["--key-file", key.to_str().unwrap()],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    for (name, bytes) in read_tree(&dir.path().join("out")) {
        let s = String::from_utf8_lossy(&bytes);
        for raw in PLANTED {
            assert!(!s.contains(raw), "{raw} survived in {name}");
        }
    }
    // Rescanning finds nothing but the quasi-identifiers the default policy keeps, and birth
    // dates generalized to January 1st of their year.
    let (_, findings, out) = scan(&dir.path().join("out"), &["-q", "--show-values"]);
    assert!(out.status.success(), "{:?}", text(&out));
    for f in &findings {
        let entity = f["entity"].as_str().unwrap();
        let value = f["value"].as_str().unwrap_or("");
        let ok = ["LOCATION", "GENDER"].contains(&entity)
            || (entity == "DATE_OF_BIRTH" && is_first_of_year(value));
        assert!(ok, "{} {} still holds {entity}", f["file"], f["column"]);
    }
    // And the share gate passes it.
    let out = shroud(dir.path(), &["check", "out"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
}

/// `1986-01-01`, `1/1/1986`, `01.01.1986`: a birth date generalized to its year.
fn is_first_of_year(v: &str) -> bool {
    let parts: Vec<&str> = v.split(['-', '/', '.', 'T', ' ']).collect();
    match parts.as_slice() {
        [y, m, d, ..] if y.len() == 4 => {
            m.trim_start_matches('0') == "1" && d.trim_start_matches('0') == "1"
        }
        [d, m, y, ..] if y.len() == 4 => {
            m.trim_start_matches('0') == "1" && d.trim_start_matches('0') == "1"
        }
        [y] => y.len() == 4,
        _ => false,
    }
}

#[test]
fn non_personal_cells_are_kept_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "k.key");
    let input = fixture("csv/customers.csv");
    let out = pseudonymize(
        dir.path(),
        &[&input],
        "out",
        &["--key-file", key.to_str().unwrap()],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let read = |p: &Path| -> Vec<csv::StringRecord> {
        csv::Reader::from_path(p)
            .unwrap()
            .records()
            .map(Result::unwrap)
            .collect()
    };
    let before = read(&input);
    let after = read(&dir.path().join("out/customers.csv"));
    assert_eq!(before.len(), after.len());
    let header: Vec<String> = csv::Reader::from_path(&input)
        .unwrap()
        .headers()
        .unwrap()
        .iter()
        .map(String::from)
        .collect();
    for keep in [
        "customer_id",
        "app_version",
        "sku",
        "order_number",
        "tracking_number",
        "created_at",
        "price",
        "city",
        "gender",
    ] {
        let i = header.iter().position(|h| h == keep).unwrap();
        for (b, a) in before.iter().zip(&after) {
            assert_eq!(b.get(i), a.get(i), "column {keep}");
        }
    }
    // Free text: only the spans change. In the default high-recall mode an unexplained code
    // (`SKU-55555-M`) goes too, every common word stays; in precise mode a note without
    // personal data is untouched.
    let i = header.iter().position(|h| h == "notes").unwrap();
    let note = after[5].get(i).unwrap();
    assert!(
        note.starts_with("No personal data in this note, just a ") && note.ends_with(" restock."),
        "{note}"
    );
    assert!(
        shroud(dir.path(), &["policy", "init", "precise.toml"])
            .status
            .success()
    );
    let policy = std::fs::read_to_string(dir.path().join("precise.toml")).unwrap();
    std::fs::write(
        dir.path().join("precise.toml"),
        policy.replace("free_text = \"recall\"", "free_text = \"precise\""),
    )
    .unwrap();
    let out = pseudonymize(
        dir.path(),
        &[&input],
        "out_precise",
        &[
            "--key-file",
            key.to_str().unwrap(),
            "--policy",
            "precise.toml",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let precise = read(&dir.path().join("out_precise/customers.csv"));
    assert_eq!(
        precise[5].get(i).unwrap(),
        before[5].get(i).unwrap(),
        "a note without personal data is untouched"
    );
    assert!(
        after[0].get(i).unwrap().starts_with("Customer person_"),
        "{}",
        after[0].get(i).unwrap()
    );
    // An order number in free text is an identifier in high-recall mode, a number in precise.
    assert!(after[0].get(i).unwrap().contains("about order acct_"));
    assert!(precise[0].get(i).unwrap().ends_with("about order 100234."));
    // Quoting with embedded newlines survives byte for byte where nothing is personal.
    let out = pseudonymize(
        dir.path(),
        &[&fixture("csv/quoted.csv")],
        "out2",
        &["--key-file", key.to_str().unwrap()],
    );
    assert!(out.status.success());
    let q = std::fs::read(dir.path().join("out2/quoted.csv")).unwrap();
    let orig = std::fs::read(fixture("csv/quoted.csv")).unwrap();
    assert!(String::from_utf8_lossy(&q).contains("\"multi\nline, no phone\"\r\n"));
    assert!(q.starts_with(b"id,contact,comment\r\n"));
    assert_eq!(
        q.iter().filter(|&&b| b == b'\r').count(),
        orig.iter().filter(|&&b| b == b'\r').count()
    );
}

#[test]
fn same_key_same_output_other_key_other_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let k1 = keygen(dir.path(), "k1.key");
    let k2 = keygen(dir.path(), "k2.key");
    let input = fixture("csv/customers.csv");
    for (out, key) in [("a", &k1), ("b", &k1), ("c", &k2)] {
        let o = pseudonymize(
            dir.path(),
            &[&input],
            out,
            &["--key-file", key.to_str().unwrap(), "-j", "2"],
        );
        assert!(o.status.success(), "{:?}", text(&o));
    }
    let a = std::fs::read(dir.path().join("a/customers.csv")).unwrap();
    let b = std::fs::read(dir.path().join("b/customers.csv")).unwrap();
    let c = std::fs::read(dir.path().join("c/customers.csv")).unwrap();
    assert_eq!(a, b, "deterministic");
    assert_ne!(a, c, "another key gives other tokens");
    let tokens = |bytes: &[u8]| -> Vec<String> {
        csv::Reader::from_reader(bytes)
            .records()
            .map(|r| r.unwrap().get(2).unwrap().to_string())
            .collect()
    };
    let (ta, tc) = (tokens(&a), tokens(&c));
    assert!(
        ta.iter().zip(&tc).all(|(x, y)| x != y),
        "no email token shared across keys"
    );
}

#[test]
fn join_keys_still_join_across_files_and_formats() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "k.key");
    let csv_in = fixture("csv/customers.csv");
    let jsonl_in = fixture("json/events.jsonl");
    let out = pseudonymize(
        dir.path(),
        &[&csv_in, &jsonl_in],
        "out",
        &["--key-file", key.to_str().unwrap()],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let csv_emails: std::collections::BTreeSet<String> =
        csv::Reader::from_path(dir.path().join("out/customers.csv"))
            .unwrap()
            .records()
            .map(|r| r.unwrap().get(2).unwrap().to_string())
            .collect();
    let json_emails: std::collections::BTreeSet<String> =
        std::fs::read_to_string(dir.path().join("out/events.jsonl"))
            .unwrap()
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["user"]["contact"]["email"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
    assert_eq!(csv_emails.len(), 8);
    assert_eq!(
        csv_emails, json_emails,
        "the same emails give the same tokens in CSV and JSON"
    );
    assert!(csv_emails.iter().all(|e| e.ends_with("@pseudo.invalid")));
}

#[test]
fn parquet_keeps_row_groups_and_records_type_changes() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "k.key");
    let out = pseudonymize(
        dir.path(),
        &[&fixture("parquet/customers.parquet")],
        "out",
        &["--key-file", key.to_str().unwrap()],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let f = std::fs::File::open(dir.path().join("out/customers.parquet")).unwrap();
    let r = parquet::file::reader::SerializedFileReader::new(f).unwrap();
    use parquet::file::reader::FileReader;
    let meta = r.metadata();
    assert_eq!(meta.num_row_groups(), 3, "row groups kept (3 + 3 + 2 rows)");
    assert_eq!(meta.file_metadata().num_rows(), 8);
    let m: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/_shroud_manifest.json")).unwrap(),
    )
    .unwrap();
    let cols = m["files"][0]["columns"].as_array().unwrap();
    let acct = cols
        .iter()
        .find(|c| c["column"] == "account_number")
        .unwrap();
    assert_eq!(acct["operator"], "token");
    assert_eq!(acct["type_changed"], "Int64 -> Utf8");
    let price = cols.iter().find(|c| c["column"] == "price").unwrap();
    assert!(price.get("type_changed").is_none());
}

#[test]
fn fpe_is_reversed_by_reidentify() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "k.key");
    std::fs::write(
        dir.path().join("p.toml"),
        "default = \"redact\"\n[entities]\nCREDIT_CARD = \"fpe\"\nUS_SSN = \"fpe\"\n",
    )
    .unwrap();
    let input = fixture("csv/customers.csv");
    let out = pseudonymize(
        dir.path(),
        &[&input],
        "out",
        &["--key-file", key.to_str().unwrap(), "--policy", "p.toml"],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let col = |p: &Path, i: usize| -> Vec<String> {
        csv::Reader::from_path(p)
            .unwrap()
            .records()
            .map(|r| r.unwrap().get(i).unwrap().to_string())
            .collect()
    };
    let orig_cards = col(&input, 5);
    let enc_cards = col(&dir.path().join("out/customers.csv"), 5);
    assert!(
        orig_cards
            .iter()
            .zip(&enc_cards)
            .all(|(a, b)| a != b && a.len() == b.len()),
        "{enc_cards:?}"
    );
    let out = shroud(
        dir.path(),
        &[
            "reidentify",
            "out",
            "--out-dir",
            "back",
            "--key-file",
            key.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(col(&dir.path().join("back/customers.csv"), 5), orig_cards);
    assert_eq!(
        col(&dir.path().join("back/customers.csv"), 4),
        col(&input, 4)
    );
    // The wrong key is refused.
    let other = keygen(dir.path(), "other.key");
    let out = shroud(
        dir.path(),
        &[
            "reidentify",
            "out",
            "--out-dir",
            "back2",
            "--key-file",
            other.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("fingerprint"));
}

#[test]
fn manifest_and_messages_hold_no_raw_value_and_no_key() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "k.key");
    let key_text = std::fs::read_to_string(&key).unwrap().trim().to_string();
    let out = pseudonymize(
        dir.path(),
        &[&fixture("csv/customers.csv")],
        "out",
        &["--key-file", key.to_str().unwrap()],
    );
    let (stdout, stderr) = text(&out);
    let manifest = std::fs::read_to_string(dir.path().join("out/_shroud_manifest.json")).unwrap();
    let output = std::fs::read_to_string(dir.path().join("out/customers.csv")).unwrap();
    for hay in [&stdout, &stderr, &manifest, &output] {
        assert!(!hay.contains(&key_text), "key leaked");
        assert!(!hay.contains(&key_text[..16]), "key prefix leaked");
    }
    for raw in PLANTED {
        assert!(
            !manifest.contains(raw) && !stdout.contains(raw) && !stderr.contains(raw),
            "{raw} leaked"
        );
    }
    let m: Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(m["key_fingerprint"].as_str().unwrap().len(), 16);
}

#[test]
fn refusals_leave_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("csv/customers.csv");
    // No key for a keyed policy.
    let out = shroud(
        dir.path(),
        &["pseudonymize", input.to_str().unwrap(), "--out-dir", "o1"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("key"));
    assert!(!dir.path().join("o1").exists());
    // A short key.
    std::fs::write(dir.path().join("short.key"), "0a1b2c3d4e5f").unwrap();
    let out = shroud(
        dir.path(),
        &[
            "pseudonymize",
            input.to_str().unwrap(),
            "--out-dir",
            "o2",
            "--key-file",
            "short.key",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("48 bits") && text(&out).1.contains("256 random bits"));
    // The output folder inside the input folder.
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::copy(&input, data.join("c.csv")).unwrap();
    let key = keygen(dir.path(), "k.key");
    let before = std::fs::read(data.join("c.csv")).unwrap();
    let out = shroud(
        dir.path(),
        &[
            "pseudonymize",
            "data",
            "--out-dir",
            "data/out",
            "--key-file",
            key.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
    assert!(!data.join("out/c.csv").exists());
    assert_eq!(
        std::fs::read(data.join("c.csv")).unwrap(),
        before,
        "input untouched"
    );
    // An existing output without --force.
    let out = shroud(
        dir.path(),
        &[
            "pseudonymize",
            "data",
            "--out-dir",
            "o3",
            "--key-file",
            key.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let first = std::fs::read(dir.path().join("o3/c.csv")).unwrap();
    let out = shroud(
        dir.path(),
        &[
            "pseudonymize",
            "data",
            "--out-dir",
            "o3",
            "--key-file",
            key.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("--force"));
    assert_eq!(std::fs::read(dir.path().join("o3/c.csv")).unwrap(), first);
    let out = shroud(
        dir.path(),
        &[
            "pseudonymize",
            "data",
            "--out-dir",
            "o3",
            "--key-file",
            key.to_str().unwrap(),
            "--force",
        ],
    );
    assert!(out.status.success());
    // No temporary files are left anywhere.
    let leftovers: Vec<String> = read_tree(dir.path())
        .into_iter()
        .map(|(n, _)| n)
        .filter(|n| n.contains(".shroud-tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn dry_run_writes_nothing_and_says_what_would_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = shroud(
        dir.path(),
        &[
            "pseudonymize",
            fixture("csv/customers.csv").to_str().unwrap(),
            "--out-dir",
            "o",
            "--dry-run",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(!dir.path().join("o").exists());
    let (stdout, _) = text(&out);
    assert!(stdout.contains("email\tEMAIL_ADDRESS\ttoken"), "{stdout}");
    assert!(
        stdout.contains("date_of_birth\tDATE_OF_BIRTH\tgeneralize"),
        "{stdout}"
    );
    assert!(stdout.contains("notes\t-\tspans"), "{stdout}");
}

#[test]
fn stdin_to_stdout_and_env_key() {
    let dir = tempfile::tempdir().unwrap();
    let data = std::fs::read(fixture("csv/customers.csv")).unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_shroud"));
    cmd.args(["pseudonymize", "-", "--input-format", "csv"])
        .current_dir(dir.path())
        .env(
            "SHROUD_KEY",
            "3c9e51a07f2b8d64e1a5c03b97f8d2460b1e7a93c5d8f2064a7e1b9c3d5f8a02",
        )
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(&data).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.starts_with("customer_id,full_name,email"));
    assert!(s.contains("@pseudo.invalid"));
    assert!(!s.contains("jane.doe@example.com"));
}

#[test]
fn drop_and_column_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "k.key");
    std::fs::write(
        dir.path().join("p.toml"),
        "[entities]\nEMAIL_ADDRESS = { op = \"mask\", keep_last = 4 }\nPHONE_NUMBER = \"token\"\n[columns]\nssn = \"drop\"\nnotes = \"replace\"\n",
    )
    .unwrap();
    let out = pseudonymize(
        dir.path(),
        &[&fixture("csv/customers.csv")],
        "o",
        &["--key-file", key.to_str().unwrap(), "--policy", "p.toml"],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let mut r = csv::Reader::from_path(dir.path().join("o/customers.csv")).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert!(!header.contains(&"ssn".to_string()), "dropped");
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let email = header.iter().position(|h| h == "email").unwrap();
    assert_eq!(rows[0].get(email).unwrap(), "****.***@******e.com");
    let notes = header.iter().position(|h| h == "notes").unwrap();
    assert!(
        rows[0].get(notes).unwrap().contains("<PERSON>"),
        "{:?}",
        rows[0].get(notes)
    );
    assert_eq!(rows[0].len(), header.len());
}

#[test]
fn keygen_policy_init_and_loose_permissions() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "k.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let out = pseudonymize(
            dir.path(),
            &[&fixture("csv/quoted.csv")],
            "o",
            &["--key-file", key.to_str().unwrap()],
        );
        assert!(out.status.success());
        assert!(text(&out).1.contains("readable by group or others"));
    }
    assert_eq!(std::fs::read_to_string(&key).unwrap().trim().len(), 64);
    let out = shroud(dir.path(), &["keygen", key.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "no silent key replacement");
    let out = shroud(dir.path(), &["policy", "init", "policy.toml"]);
    assert!(out.status.success());
    let out = shroud(dir.path(), &["policy", "check", "policy.toml"]);
    assert!(out.status.success());
    assert!(text(&out).0.contains("EMAIL_ADDRESS\ttoken"));
}

/// A policy file that names one entity changes that entity only: the others keep the
/// built-in operators (issue 28: one `keep` line used to turn every other token into a blank).
#[test]
fn a_one_line_policy_changes_one_entity_and_policy_show_prints_the_effective_one() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "k.key");
    std::fs::write(
        dir.path().join("c.csv"),
        "email,name,phone\nana.lima@example.com,Ana Lima,+1 415 555 0132\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("p.toml"),
        "[entities]\nEMAIL_ADDRESS = \"keep\"\n",
    )
    .unwrap();
    let out = pseudonymize(
        dir.path(),
        &[&dir.path().join("c.csv")],
        "o",
        &["--key-file", key.to_str().unwrap(), "--policy", "p.toml"],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let body = std::fs::read_to_string(dir.path().join("o/c.csv")).unwrap();
    let row: Vec<&str> = body.lines().nth(1).unwrap().split(',').collect();
    assert_eq!(row[0], "ana.lima@example.com", "kept as the file says");
    assert!(row[1].starts_with("person_"), "built-in token kept: {body}");
    assert!(row[2].starts_with("tel_"), "built-in token kept: {body}");
    // `policy show` prints the effective policy; it stands alone and reads back the same.
    let shown = shroud(dir.path(), &["policy", "show", "p.toml"]);
    assert!(shown.status.success());
    let (shown, _) = text(&shown);
    assert!(shown.contains("extends = \"none\""), "{shown}");
    assert!(shown.contains("EMAIL_ADDRESS = \"keep\""), "{shown}");
    assert!(shown.contains("PERSON = \"token\""), "{shown}");
    std::fs::write(dir.path().join("shown.toml"), &shown).unwrap();
    let again = shroud(dir.path(), &["policy", "show", "shown.toml"]);
    assert_eq!(text(&again).0, shown);
    // Standing alone, the same line leaves the rest to `default` (redact).
    std::fs::write(
        dir.path().join("alone.toml"),
        "extends = \"none\"\n[entities]\nEMAIL_ADDRESS = \"keep\"\n",
    )
    .unwrap();
    let out = pseudonymize(
        dir.path(),
        &[&dir.path().join("c.csv")],
        "o2",
        &[
            "--key-file",
            key.to_str().unwrap(),
            "--policy",
            "alone.toml",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let body = std::fs::read_to_string(dir.path().join("o2/c.csv")).unwrap();
    assert_eq!(body.lines().nth(1).unwrap(), "ana.lima@example.com,,");
}

#[test]
fn synthetic_table_rescans_clean_after_pseudonymization() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "k.key");
    let p = dir.path().join("synth.csv");
    write_synth_csv(&p, 11, 3000);
    let out = pseudonymize(
        dir.path(),
        &[&p],
        "out",
        &["--key-file", key.to_str().unwrap()],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let (report, findings, _) = scan(&dir.path().join("out/synth.csv"), &["-q", "--show-values"]);
    let leftover: Vec<String> = findings
        .iter()
        .filter(|f| {
            let entity = f["entity"].as_str().unwrap();
            !(["LOCATION", "GENDER"].contains(&entity)
                || (entity == "DATE_OF_BIRTH"
                    && is_first_of_year(f["value"].as_str().unwrap_or(""))))
        })
        .map(|f| format!("{} {}", f["column"], f["entity"]))
        .collect();
    assert!(
        leftover.is_empty(),
        "re-flagged after pseudonymization: {:?}",
        &leftover[..leftover.len().min(10)]
    );
    assert_eq!(report["files"][0]["rows"], 3000);
}

/// Writes `groups` row groups of `rows` rows each: an id and an e-mail per row.
fn write_grouped_parquet(path: &Path, groups: usize, rows: usize) {
    use arrow_array::{Int64Array, RecordBatch, StringArray};
    use arrow_schema::{DataType, Field, Schema};
    use std::sync::Arc;
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("email", DataType::Utf8, false),
    ]));
    let props = parquet::file::properties::WriterProperties::builder()
        .set_max_row_group_row_count(Some(rows))
        .build();
    let f = std::fs::File::create(path).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(f, Arc::clone(&schema), Some(props)).unwrap();
    for g in 0..groups {
        let ids: Vec<i64> = (0..rows).map(|i| (g * rows + i) as i64).collect();
        let emails: Vec<String> = ids.iter().map(|i| format!("user{i}@example.com")).collect();
        let rb = RecordBatch::try_new(
            Arc::clone(&schema),
            vec![
                Arc::new(Int64Array::from(ids)),
                Arc::new(StringArray::from(emails)),
            ],
        )
        .unwrap();
        w.write(&rb).unwrap();
        w.flush().unwrap();
    }
    w.close().unwrap();
}

#[test]
fn every_row_of_several_large_row_groups_is_scanned_and_written() {
    // Groups larger than a call's worth of batches and an exact multiple of the batch size:
    // the reader used to end the file when a group ran out on a call's boundary, so only the
    // first group was scanned and written.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in/grouped.parquet");
    std::fs::create_dir_all(input.parent().unwrap()).unwrap();
    let (groups, rows) = (3, 32_768);
    write_grouped_parquet(&input, groups, rows);
    let total = (groups * rows) as u64;
    for threads in ["1", "2", "4"] {
        let (report, _, out) = crate::util::scan(&input, &["-q", "-j", threads]);
        assert!(out.status.success(), "{:?}", text(&out));
        assert_eq!(report["files"][0]["rows"], total, "-j {threads}");
        assert_eq!(column(&report, "email")["non_empty"], total, "-j {threads}");
    }
    let (report, _, _) = crate::util::scan(&input, &["-q", "--sample-rows", "40000"]);
    assert_eq!(report["files"][0]["rows"], 40_000);
    let key = keygen(dir.path(), "k.key");
    let out = pseudonymize(
        dir.path(),
        &[&input],
        "out",
        &["--key-file", key.to_str().unwrap(), "-j", "1"],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let f = std::fs::File::open(dir.path().join("out/grouped.parquet")).unwrap();
    let r = parquet::file::reader::SerializedFileReader::new(f).unwrap();
    use parquet::file::reader::FileReader;
    assert_eq!(r.metadata().file_metadata().num_rows() as u64, total);
    assert_eq!(r.metadata().num_row_groups(), groups);
    let check = shroud(dir.path(), &["check", "out"]);
    assert!(check.status.success(), "{:?}", text(&check));
}

#[test]
fn generalized_birth_dates_keep_their_type_and_wrapper() {
    // mongoexport writes dates as extended JSON (`{"$date": ...}`), pandas' to_json as epoch
    // milliseconds; BigQuery exports ISO dates. A generalized birth date stays that shape.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in/people.jsonl");
    std::fs::create_dir_all(input.parent().unwrap()).unwrap();
    let mut body = String::new();
    for i in 0..20 {
        body.push_str(&format!(
            "{{\"name\":\"Jane Doe\",\"date_of_birth\":{{\"$date\":\"19{:02}-06-15T00:00:00Z\"}},\"birth_date\":\"19{:02}-03-{:02}\"}}\n",
            50 + i,
            60 + i,
            10 + i
        ));
    }
    std::fs::write(&input, body).unwrap();
    let key = keygen(dir.path(), "k.key");
    let out = pseudonymize(
        dir.path(),
        &[&input],
        "out",
        &["--key-file", key.to_str().unwrap()],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let written = std::fs::read_to_string(dir.path().join("out/people.jsonl")).unwrap();
    for (i, line) in written.lines().enumerate() {
        let v: Value = serde_json::from_str(line).unwrap();
        assert_eq!(
            v["date_of_birth"]["$date"],
            format!("19{:02}-01-01T00:00:00Z", 50 + i),
            "{line}"
        );
        assert_eq!(v["birth_date"], format!("19{:02}-01-01", 60 + i), "{line}");
    }
}
