//! Round trips that went silently wrong (issue 28): each case is generated, written as an
//! exporter writes it, pseudonymized, and read back against an answer computed here.

use crate::util::*;
use std::path::Path;

/// Days since 1970-01-01 of `y-m-d` (Howard Hinnant's algorithm).
fn days(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

fn pseudonymize(dir: &Path, input: &str) -> std::process::Output {
    if !dir.join("k.key").exists() {
        assert!(shroud(dir, &["keygen", "k.key"]).status.success());
    }
    shroud(
        dir,
        &[
            "pseudonymize",
            input,
            "--out-dir",
            "out",
            "--key-file",
            "k.key",
            "--force",
            "-q",
        ],
    )
}

#[test]
fn epoch_birth_dates_are_generalized_in_their_columns_one_unit() {
    // Birth dates 1930-2005 in every unit exporters use, always including the late 1960s
    // whose milliseconds look like seconds; each must become January 1st of its own year
    // in the same unit.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut x: u64 = 0x1234_5678_9abc_def1;
    let mut next = |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % n) as i64
    };
    for (per, unit) in [
        (1i64, "s"),
        (1_000, "ms"),
        (1_000_000, "us"),
        (1_000_000_000, "ns"),
    ] {
        for trial in 0..3 {
            let mut births: Vec<(i64, i64, i64)> = (0..40)
                .map(|_| (1930 + next(76), 1 + next(12), 1 + next(28)))
                .collect();
            births.extend([(1966, 11, 3), (1969, 12, 31), (1970, 1, 2), (1972, 6, 15)]);
            let mut lines = String::new();
            for (i, (y, m, dd)) in births.iter().enumerate() {
                let v = days(*y, *m, *dd) * 86_400 * per + next(86_400) * per;
                lines.push_str(&format!(
                    "{{\"id\": {i}, \"date_of_birth\": {v}, \"city\": \"Lyon\"}}\n"
                ));
            }
            std::fs::write(d.join("p.jsonl"), &lines).unwrap();
            let out = pseudonymize(d, "p.jsonl");
            assert!(out.status.success(), "{unit} {trial}: {:?}", text(&out));
            let written = std::fs::read_to_string(d.join("out/p.jsonl")).unwrap();
            for (line, (y, _, _)) in written.lines().zip(&births) {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                let want = days(*y, 1, 1) * 86_400 * per;
                assert_eq!(
                    v["date_of_birth"].as_i64(),
                    Some(want),
                    "{unit}, born {y}: {line}"
                );
            }
        }
    }
    // One birth near 1970 is as likely seconds as milliseconds: refused, nothing written.
    std::fs::write(
        d.join("one.jsonl"),
        "{\"id\": 1, \"date_of_birth\": 86400000, \"city\": \"Lyon\"}\n",
    )
    .unwrap();
    std::fs::remove_dir_all(d.join("out")).unwrap();
    let out = pseudonymize(d, "one.jsonl");
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("date_of_birth") && stderr.contains("unit"),
        "{stderr}"
    );
    assert!(!d.join("out/one.jsonl").exists());
}

/// `%XX` for every byte outside letters, digits and `-._`: how Hive and Spark write a
/// partition value (they escape fewer; more is harder for shroud, never easier).
fn hive_encode(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn hive_partition_values_are_judged_decoded_and_written_as_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let values = [
        ("email", "ann.lee@example.com"),
        ("customer_email", "bo.chan+news@example.org"),
        ("phone", "+44 20 7946 0958"),
        ("customer_name", "Margaret Okonkwo"),
        ("ssn", "123-45-6789"),
    ];
    for (i, (key, value)) in values.iter().enumerate() {
        // The same value in two trees (two days): its token must be the same in both.
        for day in ["day=1", "day=2"] {
            let folder = d
                .join("in")
                .join(day)
                .join(format!("{key}={}", hive_encode(value)));
            std::fs::create_dir_all(&folder).unwrap();
            std::fs::write(
                folder.join(format!("part-{i}.csv")),
                "order,amount\n1,20\n2,35\n",
            )
            .unwrap();
        }
    }
    let before = shroud(d, &["check", "in", "--format", "json"]);
    let (report, _) = text(&before);
    assert_eq!(before.status.code(), Some(1), "{report}");
    for (_, value) in &values {
        assert!(!report.contains(&hive_encode(value)), "printed: {report}");
    }
    let out = pseudonymize(d, "in");
    assert!(out.status.success(), "{:?}", text(&out));
    let mut folders: Vec<String> = Vec::new();
    for day in ["day=1", "day=2"] {
        let mut names: Vec<String> = std::fs::read_dir(d.join("out").join(day))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        folders.push(names.join("|"));
    }
    assert_eq!(folders[0], folders[1], "one value, two tokens");
    for (key, value) in &values {
        let decoded_all = folders[0]
            .replace("%20", " ")
            .replace("%2B", "+")
            .replace("%40", "@");
        assert!(
            !decoded_all.contains(value) && !folders[0].contains(&hive_encode(value)),
            "{key}: {value} left in {}",
            folders[0]
        );
        assert!(
            folders[0].contains(&format!("{key}=")),
            "{key} lost: {}",
            folders[0]
        );
    }
    let after = shroud(d, &["check", "out"]);
    assert!(after.status.success(), "{:?}", text(&after));
}

#[test]
fn one_phone_number_gets_one_token_whatever_its_type_file_or_nesting() {
    // The same Berlin numbers as strings with `+` (CSV), as int64 and float (JSON Lines, as
    // pandas writes a numeric column), and in national form inside a contact list of
    // `{kind, value}` structs: one token per number across all of them.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let numbers = ["4930901820", "4930227850", "4940428770", "498912345678"];
    let mut csv = String::from("id,phone\n");
    let mut ints = String::new();
    let mut nested = String::new();
    for (i, n) in numbers.iter().enumerate() {
        csv.push_str(&format!("{i},+{n}\n"));
        ints.push_str(&format!("{{\"id\": {i}, \"phone\": {n}}}\n"));
        ints.push_str(&format!("{{\"id\": {}, \"phone\": {n}.0}}\n", i + 10));
        let national = format!("0{}", &n[2..]);
        nested.push_str(&format!(
            "{{\"id\": {i}, \"contacts\": [{{\"kind\": \"phone\", \"value\": \"{national}\"}}, {{\"kind\": \"email\", \"value\": \"p{i}@example.com\"}}]}}\n"
        ));
    }
    std::fs::write(d.join("a.csv"), csv).unwrap();
    std::fs::write(d.join("b.jsonl"), ints).unwrap();
    std::fs::write(d.join("c.jsonl"), nested).unwrap();
    assert!(shroud(d, &["keygen", "k.key"]).status.success());
    let out = shroud(
        d,
        &[
            "pseudonymize",
            "a.csv",
            "b.jsonl",
            "c.jsonl",
            "--out-dir",
            "out",
            "--key-file",
            "k.key",
            "--phone-region",
            "DE",
            "-q",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let a: Vec<String> = std::fs::read_to_string(d.join("out/a.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().to_string())
        .collect();
    let jsonl = |name: &str| -> Vec<serde_json::Value> {
        std::fs::read_to_string(d.join("out").join(name))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let b = jsonl("b.jsonl");
    let c = jsonl("c.jsonl");
    for (i, n) in numbers.iter().enumerate() {
        assert!(a[i].starts_with("tel_"), "{n}: {}", a[i]);
        assert_eq!(b[2 * i]["phone"].as_str(), Some(a[i].as_str()), "int {n}");
        assert_eq!(
            b[2 * i + 1]["phone"].as_str(),
            Some(a[i].as_str()),
            "float {n}"
        );
        assert_eq!(
            c[i]["contacts"][0]["value"].as_str(),
            Some(a[i].as_str()),
            "nested national {n}"
        );
    }
}

#[test]
fn spark_success_markers_are_kept_empty_where_they_were() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let table = d.join("in");
    std::fs::create_dir_all(table.join("region=eu")).unwrap();
    std::fs::write(
        table.join("region=eu/part-0.csv"),
        "id,email\n1,ann.lee@example.com\n",
    )
    .unwrap();
    // S3A committers write a report into the marker: file names, a host, a user.
    std::fs::write(
        table.join("_SUCCESS"),
        "{\"hostname\":\"ann-laptop\",\"username\":\"ann.lee@example.com\"}",
    )
    .unwrap();
    std::fs::write(table.join("region=eu/_SUCCESS"), "").unwrap();
    let out = pseudonymize(d, "in");
    assert!(out.status.success(), "{:?}", text(&out));
    for m in ["out/_SUCCESS", "out/region=eu/_SUCCESS"] {
        let bytes = std::fs::read(d.join(m)).unwrap_or_else(|e| panic!("{m}: {e}"));
        assert!(bytes.is_empty(), "{m} copied its content");
    }
    let after = shroud(d, &["check", "out"]);
    assert!(after.status.success(), "{:?}", text(&after));
}

#[test]
fn compact_birth_dates_are_dates_not_epochs() {
    // `YYYYMMDD` written without separators generalizes to January 1st, as before the epoch
    // units were decided per column; it is never read as seconds.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("c.csv"),
        "id,dob\n1,19860124\n2,19720305\n3,19991231\n",
    )
    .unwrap();
    let out = pseudonymize(d, "c.csv");
    assert!(out.status.success(), "{:?}", text(&out));
    let written = std::fs::read_to_string(d.join("out/c.csv")).unwrap();
    assert_eq!(written, "id,dob\n1,19860101\n2,19720101\n3,19990101\n");
}
