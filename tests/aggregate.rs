//! `shroud aggregate` and `shroud risk` against independently computed answers.

use crate::util::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// A deterministic table: 300 rows with zip, age, gender, amount, email, diagnosis.
fn table(dir: &Path) -> (std::path::PathBuf, Vec<[String; 6]>) {
    let mut rows = Vec::new();
    let mut x: u64 = 12345;
    let mut next = |n: u64| {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) % n
    };
    for i in 0..300 {
        let zip = ["94107", "94110", "10115", "10117", "75001"][next(5) as usize].to_string();
        let age = (18 + next(60)).to_string();
        let gender = ["F", "M", "X"][if i % 50 == 0 { 2 } else { next(2) as usize }].to_string();
        let amount = format!("{}.{:02}", next(500), next(100));
        let email = format!("user{i}@example.com");
        let diagnosis = ["flu", "cold", "asthma", "none"][next(4) as usize].to_string();
        rows.push([zip, age, gender, amount, email, diagnosis]);
    }
    let p = dir.join("people.csv");
    let mut w = csv::Writer::from_path(&p).unwrap();
    w.write_record(["zip", "age", "gender", "amount", "email", "diagnosis"])
        .unwrap();
    for r in &rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
    (p, rows)
}

fn read_csv(p: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(p).unwrap();
    let h: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            h.iter()
                .cloned()
                .zip(rec.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

#[test]
fn counts_sums_and_means_match_an_independent_group_by() {
    let dir = tempfile::tempdir().unwrap();
    let (p, rows) = table(dir.path());
    let out = shroud(
        dir.path(),
        &[
            "aggregate",
            p.to_str().unwrap(),
            "--group-by",
            "gender",
            "--metric",
            "count",
            "--metric",
            "sum:amount",
            "--metric",
            "avg:amount",
            "--min-group-size",
            "1",
            "--output",
            "agg.csv",
            "-j",
            "2",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let mut expected: BTreeMap<String, (u64, f64)> = BTreeMap::new();
    for r in &rows {
        let e = expected.entry(r[2].clone()).or_default();
        e.0 += 1;
        e.1 += r[3].parse::<f64>().unwrap();
    }
    let got = read_csv(&dir.path().join("agg.csv"));
    assert_eq!(got.len(), expected.len());
    for g in &got {
        let (n, sum) = expected[&g["gender"]];
        assert_eq!(g["count"].parse::<u64>().unwrap(), n);
        assert!((g["sum_amount"].parse::<f64>().unwrap() - sum).abs() < 1e-6);
        assert!((g["avg_amount"].parse::<f64>().unwrap() - sum / n as f64).abs() < 1e-3);
    }
}

#[test]
fn small_groups_are_suppressed_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let (p, rows) = table(dir.path());
    let out = shroud(
        dir.path(),
        &[
            "aggregate",
            p.to_str().unwrap(),
            "--group-by",
            "zip,gender",
            "--min-group-size",
            "10",
            "--output",
            "agg.json",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let mut expected: BTreeMap<(String, String), u64> = BTreeMap::new();
    for r in &rows {
        *expected.entry((r[0].clone(), r[2].clone())).or_default() += 1;
    }
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("agg.json")).unwrap())
            .unwrap();
    let groups = doc["groups"].as_array().unwrap();
    for g in groups {
        let n = g["count"].as_u64().unwrap();
        assert!(n >= 10, "a group under K was published: {g}");
        assert_eq!(
            n,
            expected[&(
                g["zip"].as_str().unwrap().to_string(),
                g["gender"].as_str().unwrap().to_string()
            )]
        );
    }
    let small = expected.values().filter(|&&n| n < 10).count();
    assert!(small > 0, "the fixture has small groups (the X genders)");
    assert_eq!(doc["suppressed"].as_u64().unwrap() as usize, small);
    assert_eq!(groups.len() + small, expected.len());
    assert!(text(&out).1.contains("suppressed"));
}

#[test]
fn bins_generalize_group_keys_at_their_edges() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("a.csv");
    std::fs::write(&p, "age,zip,dob\n29,94107,1989-12-31\n30,94110,1990-01-01\n39,10115,1999-12-31\n40,10117,2000-01-01\n").unwrap();
    let out = shroud(
        dir.path(),
        &[
            "aggregate",
            "a.csv",
            "--group-by",
            "age",
            "--bin",
            "age=10",
            "--min-group-size",
            "1",
            "--output",
            "o1.csv",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let g: Vec<(String, String)> = read_csv(&dir.path().join("o1.csv"))
        .iter()
        .map(|r| (r["age"].clone(), r["count"].clone()))
        .collect();
    assert_eq!(
        g,
        vec![
            ("20-29".into(), "1".into()),
            ("30-39".into(), "2".into()),
            ("40-49".into(), "1".into())
        ]
    );
    let out = shroud(
        dir.path(),
        &[
            "aggregate",
            "a.csv",
            "--group-by",
            "zip",
            "--bin",
            "zip=3",
            "--min-group-size",
            "1",
            "--output",
            "o2.csv",
        ],
    );
    assert!(out.status.success());
    let g: Vec<String> = read_csv(&dir.path().join("o2.csv"))
        .iter()
        .map(|r| format!("{}={}", r["zip"], r["count"]))
        .collect();
    assert_eq!(g, vec!["101=2", "941=2"]);
    let out = shroud(
        dir.path(),
        &[
            "aggregate",
            "a.csv",
            "--group-by",
            "dob",
            "--bin",
            "dob=10",
            "--min-group-size",
            "1",
            "--output",
            "o3.csv",
        ],
    );
    assert!(out.status.success());
    let g: Vec<String> = read_csv(&dir.path().join("o3.csv"))
        .iter()
        .map(|r| format!("{}={}", r["dob"], r["count"]))
        .collect();
    assert_eq!(g, vec!["1980-1989=1", "1990-1999=2", "2000-2009=1"]);
}

#[test]
fn grouping_by_a_direct_identifier_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (p, _) = table(dir.path());
    let out = shroud(
        dir.path(),
        &[
            "aggregate",
            p.to_str().unwrap(),
            "--group-by",
            "email",
            "--output",
            "agg.csv",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let (_, stderr) = text(&out);
    assert!(
        stderr.contains("EMAIL_ADDRESS") && stderr.contains("--allow-identifiers"),
        "{stderr}"
    );
    assert!(!stderr.contains("user1@example.com"));
    assert!(!dir.path().join("agg.csv").exists());
    let out = shroud(
        dir.path(),
        &[
            "aggregate",
            p.to_str().unwrap(),
            "--group-by",
            "email",
            "--output",
            "agg.csv",
            "--allow-identifiers",
        ],
    );
    assert!(out.status.success());
}

#[test]
fn totals_never_reveal_a_single_suppressed_cell() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("t.csv");
    let mut text = String::from("region,kind\n");
    for (region, kind, n) in [
        ("north", "a", 20),
        ("north", "b", 15),
        ("north", "c", 3),
        ("south", "a", 30),
        ("south", "b", 25),
        ("south", "c", 40),
    ] {
        for _ in 0..n {
            text.push_str(&format!("{region},{kind}\n"));
        }
    }
    std::fs::write(&p, text).unwrap();
    let out = shroud(
        dir.path(),
        &[
            "aggregate",
            "t.csv",
            "--group-by",
            "region,kind",
            "--min-group-size",
            "10",
            "--totals",
            "--output",
            "o.csv",
        ],
    );
    assert!(out.status.success(), "{:?}", crate::util::text(&out));
    let rows = read_csv(&dir.path().join("o.csv"));
    let cells: Vec<&BTreeMap<String, String>> =
        rows.iter().filter(|r| r["kind"] != "(total)").collect();
    // north/c (3) is suppressed, so one more north cell must be (the smallest: north/b).
    assert!(
        !cells
            .iter()
            .any(|r| r["region"] == "north" && r["kind"] == "c")
    );
    assert!(
        !cells
            .iter()
            .any(|r| r["region"] == "north" && r["kind"] == "b"),
        "complementary suppression"
    );
    let total_north = rows
        .iter()
        .find(|r| r["region"] == "north" && r["kind"] == "(total)")
        .unwrap();
    assert_eq!(total_north["count"], "38");
    // The grand-total line over regions is safe too: no line with exactly one suppressed cell.
    assert!(
        rows.iter()
            .any(|r| r["region"] == "(total)" && r["count"] == "133")
    );
}

#[test]
fn differential_privacy_adds_noise_and_states_epsilon() {
    let dir = tempfile::tempdir().unwrap();
    let (p, rows) = table(dir.path());
    let out = shroud(
        dir.path(),
        &[
            "aggregate",
            p.to_str().unwrap(),
            "--group-by",
            "zip",
            "--metric",
            "count",
            "--metric",
            "sum:amount",
            "--epsilon",
            "1",
            "--output",
            "dp.csv",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "clamps are required");
    assert!(text(&out).1.contains("--clamp amount="));
    let args = [
        "aggregate",
        p.to_str().unwrap(),
        "--group-by",
        "zip",
        "--metric",
        "count",
        "--metric",
        "sum:amount",
        "--epsilon",
        "1",
        "--clamp",
        "amount=0:500",
        "--seed",
        "7",
        "--min-group-size",
        "1",
    ];
    let run = |out: &str| {
        let mut a = args.to_vec();
        a.extend(["--output", out]);
        let o = shroud(dir.path(), &a);
        assert!(o.status.success(), "{:?}", text(&o));
        read_csv(&dir.path().join(out))
    };
    let a = run("a.csv");
    let b = run("b.csv");
    assert_eq!(a, b, "a seed makes the noise reproducible (for tests)");
    let mut expected: BTreeMap<String, i64> = BTreeMap::new();
    for r in &rows {
        *expected.entry(r[0].clone()).or_default() += 1;
    }
    let mut differs = 0;
    for g in &a {
        let noisy: i64 = g["count"].parse().unwrap();
        let truth = expected[&g["zip"]];
        assert!(
            (noisy - truth).abs() < 40,
            "noise far beyond its scale: {noisy} vs {truth}"
        );
        differs += usize::from(noisy != truth);
    }
    assert!(differs > 0, "noise was added");
    let meta: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("a.csv.meta.json")).unwrap())
            .unwrap();
    assert_eq!(meta["epsilon"], 1.0);
    assert_eq!(meta["seeded_for_tests"], true);
}

#[test]
fn parquet_output_and_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = shroud(
        dir.path(),
        &[
            "aggregate",
            fixture("parquet/customers.parquet").to_str().unwrap(),
            "--group-by",
            "app_version",
            "--metric",
            "count",
            "--metric",
            "avg:price",
            "--min-group-size",
            "1",
            "--output",
            "o.parquet",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let f = std::fs::File::open(dir.path().join("o.parquet")).unwrap();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(f)
        .unwrap()
        .build()
        .unwrap();
    let rows: usize = reader.map(|b| b.unwrap().num_rows()).sum();
    assert_eq!(rows, 8);
}

#[test]
fn risk_reports_k_and_l() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("r.csv");
    std::fs::write(
        &p,
        "zip,birth_year,gender,diagnosis\n\
         94107,1980,F,flu\n94107,1980,F,cold\n94107,1980,F,flu\n\
         94110,1975,M,asthma\n94110,1975,M,asthma\n\
         10115,1990,F,cold\n",
    )
    .unwrap();
    let out = shroud(
        dir.path(),
        &[
            "risk",
            "r.csv",
            "--quasi-identifiers",
            "zip,birth_year,gender",
            "--sensitive",
            "diagnosis",
            "--format",
            "json",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let doc: Value = serde_json::from_str(&text(&out).0).unwrap();
    assert_eq!(doc["risk"]["k"], 1);
    assert_eq!(doc["risk"]["l"], 1);
    assert_eq!(doc["risk"]["classes"], 3);
    assert_eq!(doc["risk"]["records_below"]["2"], 1);
    assert_eq!(doc["risk"]["records_below"]["5"], 6);
    assert!(!text(&out).0.contains("94107"), "class values are masked");
    let out = shroud(
        dir.path(),
        &[
            "risk",
            "r.csv",
            "--quasi-identifiers",
            "zip,birth_year,gender",
            "--k-min",
            "2",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).0.contains("FAIL"));
    // Generalizing the quasi-identifiers raises k.
    let out = shroud(
        dir.path(),
        &[
            "risk",
            "r.csv",
            "--quasi-identifiers",
            "birth_year",
            "--k-min",
            "2",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let out = shroud(
        dir.path(),
        &[
            "risk",
            "r.csv",
            "--quasi-identifiers",
            "birth_year",
            "--bin",
            "birth_year=20",
            "--k-min",
            "2",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(text(&out).0.contains("k = 2"), "{:?}", text(&out));
}

#[test]
fn privacy_unit_bounds_each_persons_contribution() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("u.csv");
    let mut data = String::from("customer,region,amount\n");
    for _ in 0..5 {
        data.push_str("a,north,100\n");
    }
    data.push_str("a,south,100\nb,north,7\nc,south,3\n");
    std::fs::write(&p, data).unwrap();
    // A huge epsilon makes the noise zero in practice: the bounding is what is tested.
    let out = shroud(
        dir.path(),
        &[
            "aggregate",
            "u.csv",
            "--group-by",
            "region",
            "--metric",
            "count",
            "--metric",
            "sum:amount",
            "--epsilon",
            "100000",
            "--clamp",
            "amount=0:50",
            "--privacy-unit",
            "customer",
            "--seed",
            "1",
            "--min-group-size",
            "1",
            "--output",
            "o.csv",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let rows = read_csv(&dir.path().join("o.csv"));
    let north = rows.iter().find(|r| r["region"] == "north").unwrap();
    let south = rows.iter().find(|r| r["region"] == "south").unwrap();
    assert_eq!(north["count"], "2", "a counts once, b once");
    assert_eq!(
        north["sum_amount"], "57",
        "a's 500 clamped to 50, plus b's 7"
    );
    assert_eq!(
        south["count"], "1",
        "a's second group is dropped (one group per person), c stays"
    );
    assert_eq!(south["sum_amount"], "3");
}

#[test]
fn decimal_commas_unknown_columns_and_non_numbers_are_never_silently_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("orders.csv");
    // Excel in a continental locale: `;` between fields, `,` before the decimals.
    let mut body = String::from("region;amount\n");
    for i in 0..12 {
        body.push_str(&format!(
            "{};1.234,50\n",
            if i % 2 == 0 { "north" } else { "south" }
        ));
    }
    std::fs::write(&p, &body).unwrap();
    let args = |extra: &[&'static str]| {
        let mut a = vec![
            "aggregate",
            "orders.csv",
            "--group-by",
            "region",
            "--metric",
            "sum:amount",
            "--min-group-size",
            "1",
            "--output",
            "agg.csv",
            "--force",
        ];
        a.extend_from_slice(extra);
        a
    };
    // The decimal comma is recognised per column, or set with --decimal-comma: both sum right.
    for extra in [&[][..], &["--decimal-comma"][..]] {
        let out = shroud(dir.path(), &args(extra));
        assert!(out.status.success(), "{:?}", text(&out));
        let rows = read_csv(&dir.path().join("agg.csv"));
        assert_eq!(rows.len(), 2);
        for r in &rows {
            let sum: f64 = r["sum_amount"].replace(',', ".").parse().unwrap();
            assert!((sum - 6.0 * 1234.5).abs() < 1e-6, "{extra:?}: {r:?}");
        }
    }
    // A value that is no number is an error naming the file and row, unless --lenient.
    std::fs::write(&p, format!("{body}north;twelve\n")).unwrap();
    let out = shroud(dir.path(), &args(&["--decimal-comma"]));
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
    let (_, stderr) = text(&out);
    assert!(
        stderr.contains("orders.csv") && stderr.contains("row 12") && !stderr.contains("twelve"),
        "{stderr}"
    );
    let out = shroud(dir.path(), &args(&["--decimal-comma", "--lenient"]));
    assert!(out.status.success(), "{:?}", text(&out));
    // A group-by column that does not exist is an error that names the close match, not one
    // empty group holding every row.
    let out = shroud(
        dir.path(),
        &[
            "aggregate",
            "orders.csv",
            "--group-by",
            "regoin",
            "--output",
            "agg2.csv",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("region"), "{:?}", text(&out));
    assert!(!dir.path().join("agg2.csv").exists());
}

#[test]
fn hive_partition_keys_are_columns() {
    let dir = tempfile::tempdir().unwrap();
    for (g, n) in [("F", 3), ("M", 5)] {
        let d = dir.path().join(format!("sales/gender={g}"));
        std::fs::create_dir_all(&d).unwrap();
        let mut body = String::from("amount\n");
        for _ in 0..n {
            body.push_str("10\n");
        }
        std::fs::write(d.join("part-0.csv"), body).unwrap();
    }
    let out = shroud(
        dir.path(),
        &[
            "aggregate",
            "sales",
            "--group-by",
            "gender",
            "--metric",
            "count",
            "--metric",
            "sum:amount",
            "--min-group-size",
            "1",
            "--output",
            "agg.csv",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let rows = read_csv(&dir.path().join("agg.csv"));
    let by: BTreeMap<String, (String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["gender"].clone(),
                (r["count"].clone(), r["sum_amount"].clone()),
            )
        })
        .collect();
    assert_eq!(by.len(), 2, "{rows:?}");
    assert_eq!(by["F"].0, "3");
    assert_eq!(by["M"].0, "5");
    assert!(by["M"].1.starts_with("50"), "{rows:?}");
}
