//! SQLite database files: every table is scanned, checked and aggregated like a file
//! (`file.db#table`), read-only, and pseudonymized into one Parquet file per table.

use crate::util::*;
use arrow_array::Array;
use std::path::{Path, PathBuf};

/// A database with a customer table (rowid), a `WITHOUT ROWID` key-value table, and an
/// orders table; integers, reals, text, NULLs and a blob that is not UTF-8.
fn database(dir: &Path) -> PathBuf {
    let path = dir.join("shop.db");
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute_batch(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, phone TEXT,
                                 balance REAL, note TEXT, raw BLOB);
         CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID;
         CREATE TABLE orders (order_id INTEGER, region TEXT, amount REAL);",
    )
    .unwrap();
    c.execute_batch("BEGIN").unwrap();
    let first = ["Jane", "John", "Maria", "Hans", "Emily"];
    let last = ["Doe", "Smith", "Garcia", "Mueller", "Johnson"];
    for i in 0..9000i64 {
        let (f, l) = (first[i as usize % 5], last[(i as usize / 5) % 5]);
        let note: Option<String> =
            (i % 4 == 0).then(|| format!("Call {f} {l} back on +44 20 7946 0958"));
        c.execute(
            "INSERT INTO customers VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            rusqlite::params![
                i,
                format!("{f} {l}"),
                format!("{}.{}{i}@example.com", f.to_lowercase(), l.to_lowercase()),
                format!("+44 20 7946 {:04}", i % 10_000),
                i as f64 * 1.5,
                note,
                vec![0xffu8, 0xfe, b'a'],
            ],
        )
        .unwrap();
        c.execute(
            "INSERT INTO orders VALUES (?1, ?2, ?3)",
            rusqlite::params![
                i,
                ["north", "south", "east"][i as usize % 3],
                (i % 7) as f64
            ],
        )
        .unwrap();
    }
    for i in 0..40 {
        c.execute(
            "INSERT INTO kv VALUES (?1, ?2)",
            rusqlite::params![format!("user{i}"), format!("user{i}@example.org")],
        )
        .unwrap();
    }
    c.execute_batch("COMMIT").unwrap();
    path
}

#[test]
fn every_table_of_a_database_is_scanned_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let before = std::fs::read(&db).unwrap();
    let (report, findings, out) = scan(&db, &["-q", "-j", "2"]);
    assert!(out.status.success(), "{:?}", text(&out));
    let files = report["files"].as_array().unwrap();
    let paths: Vec<&str> = files.iter().map(|f| f["path"].as_str().unwrap()).collect();
    let shown = db.display().to_string();
    assert_eq!(
        paths,
        [
            format!("{shown}#customers"),
            format!("{shown}#kv"),
            format!("{shown}#orders")
        ]
    );
    assert!(files.iter().all(|f| f["format"] == "sqlite"));
    assert_eq!(files[0]["rows"], 9000);
    assert_eq!(files[1]["rows"], 40, "a WITHOUT ROWID table is read too");
    let verdict = |f: usize, col: &str| {
        files[f]["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["column"] == col)
            .unwrap_or_else(|| panic!("no column {col}"))
            .clone()
    };
    assert_eq!(verdict(0, "full_name")["entity"], "PERSON");
    assert_eq!(verdict(0, "email")["entity"], "EMAIL_ADDRESS");
    assert_eq!(verdict(0, "phone")["entity"], "PHONE_NUMBER");
    assert_eq!(verdict(0, "id")["entity"], serde_json::Value::Null);
    assert_eq!(verdict(0, "note")["non_empty"], 2250, "NULL is no cell");
    assert_eq!(verdict(0, "raw")["invalid_utf8"], 9000);
    assert_eq!(verdict(1, "v")["entity"], "EMAIL_ADDRESS");
    assert!(
        findings
            .iter()
            .any(|f| f["file"] == format!("{shown}#customers") && f["row"] == 8999)
    );
    // A sample reads no more than it needs, per table.
    let (report, _, _) = scan(&db, &["-q", "--sample-rows", "100"]);
    assert_eq!(report["files"][0]["rows"], 100);
    assert_eq!(report["files"][0]["sampled"], true);
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the database is never written"
    );
}

#[test]
fn tables_are_named_with_a_hash_checked_aggregated_and_pseudonymized_to_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let orders = format!("{}#ord*", db.display());
    let out = shroud(
        dir.path(),
        &[
            "aggregate",
            &orders,
            "--group-by",
            "region",
            "--metric",
            "count",
            "--metric",
            "sum:amount",
            "--output",
            "agg.csv",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let agg = std::fs::read_to_string(dir.path().join("agg.csv")).unwrap();
    // Independently: 9000 orders, region by i % 3, amount i % 7.
    for (r, name) in ["north", "south", "east"].iter().enumerate() {
        let sum: i64 = (0..9000i64)
            .filter(|i| *i as usize % 3 == r)
            .map(|i| i % 7)
            .sum();
        assert!(
            agg.lines()
                .any(|l| l.starts_with(&format!("{name},3000,{sum}"))),
            "{name}: {agg}"
        );
    }
    let out = shroud(dir.path(), &["check", &format!("{}#kv", db.display())]);
    assert_eq!(out.status.code(), Some(1), "{:?}", text(&out));
    assert!(text(&out).0.contains("#kv"), "{:?}", text(&out));
    let out = shroud(dir.path(), &["check", &format!("{}#orders", db.display())]);
    assert!(out.status.success(), "{:?}", text(&out));
    let missing = shroud(dir.path(), &["scan", &format!("{}#nope", db.display())]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        text(&missing).1.contains("no table matches"),
        "{:?}",
        text(&missing)
    );
    let key = dir.path().join("k.key");
    assert!(
        shroud(dir.path(), &["keygen", key.to_str().unwrap()])
            .status
            .success()
    );
    let before = std::fs::read(&db).unwrap();
    let out = shroud(
        dir.path(),
        &[
            "pseudonymize",
            db.to_str().unwrap(),
            "--out-dir",
            "share",
            "--key-file",
            key.to_str().unwrap(),
            "--verify",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the database is never written"
    );
    // One Parquet file per table, every kept column as text, personal values replaced.
    let read = |name: &str| {
        let f = std::fs::File::open(dir.path().join("share/shop").join(name)).unwrap();
        let r = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(f)
            .unwrap()
            .build()
            .unwrap();
        r.map(Result::unwrap)
            .collect::<Vec<arrow_array::RecordBatch>>()
    };
    let rows = |b: &[arrow_array::RecordBatch]| b.iter().map(|b| b.num_rows()).sum::<usize>();
    let col = |b: &[arrow_array::RecordBatch], name: &str| -> Vec<Option<String>> {
        let mut out = Vec::new();
        for rb in b {
            let a = rb.column_by_name(name).unwrap();
            let a = a
                .as_any()
                .downcast_ref::<arrow_array::StringArray>()
                .unwrap();
            out.extend((0..a.len()).map(|i| a.is_valid(i).then(|| a.value(i).to_string())));
        }
        out
    };
    let customers = read("customers.parquet");
    assert_eq!(rows(&customers), 9000);
    let emails = col(&customers, "email");
    assert!(
        emails
            .iter()
            .all(|e| e.as_deref().is_some_and(|e| e.ends_with("@pseudo.invalid")))
    );
    assert_eq!(
        col(&customers, "id")[8999].as_deref(),
        Some("8999"),
        "kept as read"
    );
    assert_eq!(col(&customers, "note")[1], None, "NULL stays null");
    assert!(
        col(&customers, "note")[0]
            .as_deref()
            .is_some_and(|n| !n.contains("7946 0958"))
    );
    assert_eq!(rows(&read("orders.parquet")), 9000);
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("share/_shroud_manifest.json")).unwrap(),
    )
    .unwrap();
    let first = &manifest["files"][0];
    assert_eq!(first["format"], "parquet");
    assert!(
        first["input"]
            .as_str()
            .unwrap()
            .ends_with("shop.db#customers")
    );
    assert_eq!(first["output"], "shop/customers.parquet");
    let out = shroud(dir.path(), &["check", "share"]);
    assert!(out.status.success(), "{:?}", text(&out));
}

#[test]
fn a_db_file_that_is_not_sqlite_is_an_error_when_named_and_skipped_in_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("Thumbs.db"), b"not a database at all").unwrap();
    std::fs::write(data.join("people.csv"), "email\njane.doe@example.com\n").unwrap();
    let out = shroud(
        dir.path(),
        &["scan", data.join("Thumbs.db").to_str().unwrap(), "-q"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).1.contains("not a SQLite 3 database"),
        "{:?}",
        text(&out)
    );
    let (report, _, out) = scan(&data, &["-q"]);
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(report["files"].as_array().unwrap().len(), 1);
}

#[test]
fn a_table_that_cannot_be_read_whole_is_an_error_not_a_short_read() {
    // A user column named `rowid` shadows SQLite's: paging by it would skip rows.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("odd.db");
    let c = rusqlite::Connection::open(&db).unwrap();
    c.execute_batch("CREATE TABLE t (rowid INTEGER, email TEXT); BEGIN;")
        .unwrap();
    for i in 0..20_000 {
        c.execute(
            "INSERT INTO t VALUES (?1, ?2)",
            rusqlite::params![i % 3, format!("u{i}@example.com")],
        )
        .unwrap();
    }
    c.execute_batch("COMMIT").unwrap();
    drop(c);
    let (_, _, out) = scan(&db, &["-q"]);
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
    let (_, stderr) = text(&out);
    assert!(
        stderr.contains("odd.db#t") && stderr.contains("where the table holds 20000"),
        "{stderr}"
    );
    assert!(!stderr.contains("@example.com"), "no value in the error");
}

#[test]
fn check_refuses_a_database_whose_free_pages_may_hold_deleted_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.db");
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, city TEXT, email TEXT); BEGIN;")
        .unwrap();
    for i in 0..3000 {
        c.execute(
            "INSERT INTO t VALUES (?1, 'Paris', ?2)",
            rusqlite::params![i, format!("person{i}@example.com")],
        )
        .unwrap();
    }
    c.execute_batch("COMMIT; DELETE FROM t WHERE id >= 10; UPDATE t SET email = NULL;")
        .unwrap();
    drop(c);
    // The live rows hold nothing personal, but the deleted ones are still in the file.
    let out = shroud(dir.path(), &["check", "d.db"]);
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
    let (stdout, stderr) = text(&out);
    let said = format!("{stdout}{stderr}");
    assert!(said.contains("d.db") && said.contains("VACUUM"), "{said}");
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute_batch("VACUUM").unwrap();
    drop(c);
    let out = shroud(dir.path(), &["check", "d.db"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
}

#[test]
fn check_judges_rows_deleted_or_overwritten_inside_a_tables_pages() {
    // No free page: the rows were deleted or overwritten inside pages that stay in use, so
    // their bytes sit in freeblocks and unallocated space. check must find them, in any of
    // several tables, for deletions and for updates, and pass once VACUUM clears them.
    for (case, change) in [
        "DELETE FROM t WHERE id % 50 = 7",
        "UPDATE t SET email = 'tok_' || id WHERE id % 50 = 7",
        "UPDATE t SET email = NULL WHERE id % 50 = 7",
    ]
    .iter()
    .enumerate()
    {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.db");
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "PRAGMA secure_delete = OFF;
             CREATE TABLE a (id INTEGER PRIMARY KEY, n INTEGER);
             CREATE TABLE t (id INTEGER PRIMARY KEY, city TEXT, email TEXT);
             BEGIN;",
        )
        .unwrap();
        for i in 0..600 {
            c.execute("INSERT INTO a VALUES (?1, ?1)", [i]).unwrap();
            // Only every 50th row holds an address, and those are the ones changed.
            let email = if i % 50 == 7 {
                format!("person{i}@example.com")
            } else {
                format!("tok_{i}")
            };
            c.execute(
                "INSERT INTO t VALUES (?1, 'Paris', ?2)",
                rusqlite::params![i, email],
            )
            .unwrap();
        }
        c.execute_batch("COMMIT;").unwrap();
        c.execute_batch(change).unwrap();
        let free: i64 = c
            .query_row("PRAGMA freelist_count", [], |r| r.get(0))
            .unwrap();
        assert_eq!(
            free, 0,
            "case {case}: the test needs rows changed inside live pages"
        );
        drop(c);
        let out = shroud(dir.path(), &["check", "d.db", "--format", "json"]);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(1), "case {case}: {stdout}{stderr}");
        assert!(stdout.contains("{sqlite free space}"), "{stdout}");
        assert!(
            !stdout.contains("person"),
            "a raw value was printed: {stdout}"
        );
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("VACUUM").unwrap();
        drop(c);
        let out = shroud(dir.path(), &["check", "d.db"]);
        assert_eq!(out.status.code(), Some(0), "case {case}: {:?}", text(&out));
    }
}

#[test]
fn check_refuses_a_database_with_a_write_ahead_log_or_journal_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.db");
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute_batch(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER); INSERT INTO t VALUES (1, 2);",
    )
    .unwrap();
    drop(c);
    for side in ["d.db-wal", "d.db-journal"] {
        std::fs::write(dir.path().join(side), b"old rows: ann.lee@example.com").unwrap();
        let out = shroud(dir.path(), &["check", "d.db"]);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{side}: {stdout}{stderr}");
        assert!(
            format!("{stdout}{stderr}").contains(side),
            "{stdout}{stderr}"
        );
        std::fs::remove_file(dir.path().join(side)).unwrap();
    }
    let out = shroud(dir.path(), &["check", "d.db"]);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
}

/// The rows of the `eav_usermeta.csv` fixture (a WordPress `wp_usermeta` table).
pub fn usermeta_rows() -> Vec<(i64, i64, String, String)> {
    let text = std::fs::read_to_string(fixture("messy/eav_usermeta.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.splitn(4, ',').collect();
            (
                f[0].parse().unwrap(),
                f[1].parse().unwrap(),
                f[2].to_string(),
                f[3].to_string(),
            )
        })
        .collect()
}

#[test]
fn a_long_format_table_is_judged_and_written_per_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wp.db");
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute_batch(
        "CREATE TABLE wp_usermeta (umeta_id INTEGER PRIMARY KEY, user_id INTEGER, meta_key TEXT, meta_value TEXT);",
    )
    .unwrap();
    let rows = usermeta_rows();
    for (id, user, k, v) in &rows {
        c.execute(
            "INSERT INTO wp_usermeta VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![id, user, k, v],
        )
        .unwrap();
    }
    drop(c);
    let out = shroud(dir.path(), &["scan", "wp.db", "--report", "r.json", "-q"]);
    assert!(out.status.success(), "{:?}", text(&out));
    let report = std::fs::read_to_string(dir.path().join("r.json")).unwrap();
    assert!(report.contains("meta_value.billing_email"), "{report}");
    assert!(shroud(dir.path(), &["keygen", "k.key"]).status.success());
    let out = shroud(
        dir.path(),
        &[
            "pseudonymize",
            "wp.db",
            "--out-dir",
            "out",
            "--key-file",
            "k.key",
            "-q",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let written = dir.path().join("out/wp/wp_usermeta.parquet");
    let batches = crate::util::read_parquet(&written);
    let mut values: Vec<(String, Option<String>)> = Vec::new();
    for b in &batches {
        let keys = b.column_by_name("meta_key").unwrap();
        let vals = b.column_by_name("meta_value").unwrap();
        let keys = arrow_array::cast::AsArray::as_string::<i32>(keys);
        let vals = arrow_array::cast::AsArray::as_string::<i32>(vals);
        for i in 0..b.num_rows() {
            values.push((
                keys.value(i).to_string(),
                (!arrow_array::Array::is_null(vals, i)).then(|| vals.value(i).to_string()),
            ));
        }
    }
    assert_eq!(values.len(), rows.len());
    for ((_, _, k, raw), (k2, new)) in rows.iter().zip(&values) {
        assert_eq!(k, k2, "keys are kept in order");
        match k.as_str() {
            "show_admin_bar_front" => assert_eq!(new.as_deref(), Some(raw.as_str())),
            "billing_email" | "billing_phone" | "first_name" | "last_name" | "iban" => {
                assert_ne!(new.as_deref(), Some(raw.as_str()), "{k}: {raw} survives")
            }
            _ => {}
        }
    }
    let out = shroud(dir.path(), &["check", "out"]);
    assert!(out.status.success(), "{:?}", text(&out));
}
