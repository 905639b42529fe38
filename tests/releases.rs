//! Releases that accumulate in one outbox (issue 28): day 2 beside day 1, every file listed
//! with its release and key, a second key refused unless asked, the whole outbox verified.

use crate::util::*;
use serde_json::Value;
use std::path::Path;

fn run(dir: &Path, key: &str, input: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "pseudonymize",
        input,
        "--out-dir",
        "outbox",
        "--key-file",
        key,
        "-q",
    ];
    args.extend_from_slice(extra);
    shroud(dir, &args)
}

fn manifest(dir: &Path) -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(dir.join("outbox/_shroud_manifest.json")).unwrap(),
    )
    .unwrap()
}

/// `(output, release, key fingerprint)` per listed file.
fn listed(m: &Value) -> Vec<(String, u64, String)> {
    m["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["output"].as_str().unwrap().to_string(),
                f["release"].as_u64().unwrap(),
                f["key_fingerprint"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn day_two_is_added_beside_day_one_and_a_second_key_needs_asking() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for k in ["a.key", "b.key"] {
        assert!(shroud(d, &["keygen", k]).status.success());
    }
    for (day, n) in [("day1.csv", 0), ("day2.csv", 1), ("day3.csv", 2)] {
        std::fs::write(
            d.join(day),
            format!("email,amount\nuser{n}@example.com,{n}\nother{n}@example.org,7\n"),
        )
        .unwrap();
    }
    assert!(run(d, "a.key", "day1.csv", &[]).status.success());
    let fp_a = manifest(d)["key_fingerprint"].as_str().unwrap().to_string();

    // Into an outbox that holds a release: refused without saying how to add to it.
    let o = run(d, "a.key", "day2.csv", &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("--append"), "{:?}", text(&o));
    let o = run(d, "a.key", "day2.csv", &["--append"]);
    assert!(o.status.success(), "{:?}", text(&o));
    let m = manifest(d);
    assert_eq!(
        listed(&m),
        [
            ("day1.csv".to_string(), 1, fp_a.clone()),
            ("day2.csv".to_string(), 2, fp_a.clone())
        ]
    );
    assert_eq!(m["release"], 2);
    assert_eq!(shroud(d, &["check", "outbox"]).status.code(), Some(0));

    // --append never replaces a file; --force replaces it and keeps the others listed.
    let o = run(d, "a.key", "day1.csv", &["--append"]);
    assert_eq!(o.status.code(), Some(2), "{:?}", text(&o));
    let o = run(d, "a.key", "day1.csv", &["--force"]);
    assert!(o.status.success(), "{:?}", text(&o));
    assert_eq!(
        listed(&manifest(d)),
        [
            ("day2.csv".to_string(), 2, fp_a.clone()),
            ("day1.csv".to_string(), 3, fp_a.clone())
        ]
    );

    // Another key: refused, with or without --force, unless --accept-new-key.
    for extra in [&["--append"][..], &["--force"][..]] {
        let o = run(d, "b.key", "day3.csv", extra);
        assert_eq!(o.status.code(), Some(2), "{extra:?}");
        assert!(text(&o).1.contains("--accept-new-key"), "{:?}", text(&o));
        assert!(!d.join("outbox/day3.csv").exists(), "nothing written");
    }
    let o = run(d, "b.key", "day3.csv", &["--append", "--accept-new-key"]);
    assert!(o.status.success(), "{:?}", text(&o));
    let l = listed(&manifest(d));
    assert_eq!(l.len(), 3);
    assert_ne!(l[2].2, fp_a, "day 3 carries its own key's fingerprint");
    assert_eq!(l[2].1, 4);
    assert_eq!(shroud(d, &["check", "outbox"]).status.code(), Some(0));

    // Every release's files are verified: a day-1 file changed afterwards fails the outbox.
    std::fs::write(d.join("outbox/day2.csv"), "email,amount\nx,1\n").unwrap();
    let o = shroud(d, &["check", "outbox"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).0.contains("RELEASE_MISMATCH"), "{:?}", text(&o));
}

#[test]
fn a_manifest_shroud_cannot_read_is_never_written_beside() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(shroud(d, &["keygen", "a.key"]).status.success());
    std::fs::write(d.join("t.csv"), "email\nana@example.com\n").unwrap();
    std::fs::create_dir(d.join("outbox")).unwrap();
    std::fs::write(d.join("outbox/_shroud_manifest.json"), "{not json").unwrap();
    for extra in [&[][..], &["--append"][..]] {
        let o = run(d, "a.key", "t.csv", extra);
        assert_eq!(o.status.code(), Some(2), "{extra:?}");
        assert!(!d.join("outbox/t.csv").exists());
    }
    let o = run(d, "a.key", "t.csv", &["--force"]);
    assert!(o.status.success(), "{:?}", text(&o));
    assert_eq!(listed(&manifest(d)).len(), 1);
}
