//! Free text in high-recall mode (issue 25): every word that could identify a person goes
//! unless it is explained, and `check` holds free text to the same test.

use crate::util::*;
use std::path::Path;

/// Words every language here uses, and surnames no list explains.
const FILLER: [&str; 12] = [
    "the", "customer", "called", "about", "order", "and", "der", "Kunde", "hat", "le", "client",
    "a",
];
const SURNAMES: [&str; 10] = [
    "Okonkwo",
    "Brandauer",
    "Verhoek",
    "Ferrandis",
    "Lledó",
    "Pichler",
    "Marchand",
    "Szymańska",
    "Nwachukwu",
    "Haugland",
];

fn key(dir: &Path) {
    if !dir.join("k.key").exists() {
        assert!(shroud(dir, &["keygen", "k.key"]).status.success());
    }
}

/// A notes table: sentences of common words with surnames, handles and identifiers planted
/// at generated positions (a fixed xorshift sequence), and what was planted.
fn notes(rows: usize, seed: u64) -> (String, Vec<String>) {
    let mut x = seed;
    let mut next = |n: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % n as u64) as usize
    };
    let mut csv = String::from("id,notes\n");
    let mut planted = Vec::new();
    for r in 0..rows {
        let mut words: Vec<String> = (0..8 + next(8))
            .map(|_| FILLER[next(FILLER.len())].to_string())
            .collect();
        let name = SURNAMES[next(SURNAMES.len())].to_string();
        let handle = format!(
            "@{}_{}",
            SURNAMES[next(SURNAMES.len())].to_lowercase(),
            next(99)
        );
        let id = format!("{}", 4_000_000 + next(5_000_000));
        for p in [name.clone(), handle.clone(), id.clone()] {
            let at = next(words.len() + 1);
            words.insert(at, p);
        }
        planted.extend([name, handle, id]);
        csv.push_str(&format!("{r},\"{}.\"\n", words.join(" ")));
    }
    (csv, planted)
}

#[test]
fn planted_names_handles_and_identifiers_leave_free_text_and_check_agrees() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    key(d);
    for seed in [7u64, 11, 13] {
        let (csv, planted) = notes(40, seed);
        std::fs::write(d.join("n.csv"), &csv).unwrap();
        // The raw table fails the gate.
        let raw = shroud(d, &["check", "n.csv"]);
        assert_eq!(raw.status.code(), Some(1), "{:?}", text(&raw));
        let out = shroud(
            d,
            &[
                "pseudonymize",
                "n.csv",
                "--out-dir",
                "out",
                "--key-file",
                "k.key",
                "-q",
                "--force",
            ],
        );
        assert!(out.status.success(), "{:?}", text(&out));
        let written = std::fs::read_to_string(d.join("out/n.csv")).unwrap();
        for p in &planted {
            let bare = p.trim_start_matches('@');
            assert!(
                !written.contains(bare),
                "seed {seed}: {p} survives: {written}"
            );
        }
        // Common words stay. (`Kunde` is also a surname: at a sentence's start, or once it
        // joined a planted name, the high-recall mode replaces it in its cell.)
        assert!(
            written.contains("customer") && written.contains("client"),
            "{written}"
        );
        let manifest = std::fs::read_to_string(d.join("out/_shroud_manifest.json")).unwrap();
        assert!(manifest.contains("\"text_mode\": \"recall\""), "{manifest}");
        let after = shroud(d, &["check", "out"]);
        assert!(after.status.success(), "seed {seed}: {:?}", text(&after));
    }
}

#[test]
fn precise_mode_is_a_choice_the_manifest_records_and_the_gate_holds_to_recall() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    key(d);
    std::fs::write(
        d.join("n.csv"),
        "id,notes\n1,Ferrandis said the parcel for Verhoek arrived late.\n2,The courier called Brandauer twice about the delivery.\n3,Pichler wants a refund for the broken chair.\n",
    )
    .unwrap();
    assert!(shroud(d, &["policy", "init", "p.toml"]).status.success());
    let policy = std::fs::read_to_string(d.join("p.toml")).unwrap();
    std::fs::write(
        d.join("p.toml"),
        policy.replace("free_text = \"recall\"", "free_text = \"precise\""),
    )
    .unwrap();
    let out = shroud(
        d,
        &[
            "pseudonymize",
            "n.csv",
            "--out-dir",
            "out",
            "--key-file",
            "k.key",
            "--policy",
            "p.toml",
            "-q",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let manifest = std::fs::read_to_string(d.join("out/_shroud_manifest.json")).unwrap();
    assert!(
        manifest.contains("\"text_mode\": \"precise\""),
        "{manifest}"
    );
    // What the rules miss is still there, and the default gate says so.
    let written = std::fs::read_to_string(d.join("out/n.csv")).unwrap();
    let left = ["Ferrandis", "Verhoek", "Brandauer", "Pichler"]
        .iter()
        .filter(|n| written.contains(*n))
        .count();
    assert!(left > 0, "the rules alone found every surname: {written}");
    let gate = shroud(d, &["check", "out/n.csv"]);
    assert_eq!(gate.status.code(), Some(1), "{:?}", text(&gate));
    // A share policy that judges free text precisely passes it.
    std::fs::write(d.join("share.toml"), "free_text = \"precise\"\n").unwrap();
    let gate = shroud(d, &["check", "out/n.csv", "--policy", "share.toml"]);
    assert!(gate.status.success(), "{:?}", text(&gate));
}

#[test]
fn addresses_in_high_recall_text_leave_no_postcode_prefix_or_town_and_columns_keep_theirs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    key(d);
    std::fs::write(
        d.join("n.csv"),
        "id,postcode,notes\n\
         1,EH2 2BY,\"Parcel for Flat 6, 31 Princes Street, Edinburgh EH2 2BY, left at the door.\"\n\
         2,LS6 3AB,\"Nueva dirección: C/ Mayor, 12, 46001 Valencia. Gracias\"\n\
         3,SW1A 1AA,\"Bitte an Laan van Meerdervoort 210-B, 2517 Den Haag schicken.\"\n",
    )
    .unwrap();
    let out = shroud(
        d,
        &[
            "pseudonymize",
            "n.csv",
            "--out-dir",
            "out",
            "--key-file",
            "k.key",
            "-q",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let written = std::fs::read_to_string(d.join("out/n.csv")).unwrap();
    let notes: Vec<&str> = written
        .lines()
        .skip(1)
        .map(|l| l.split_once(",\"").unwrap().1)
        .collect();
    for (note, gone) in notes.iter().zip([
        &["EH2", "2BY", "Edinburgh", "Princes", "31"][..],
        &["Mayor", "46001", "Valencia"][..],
        &["Meerdervoort", "210", "2517", "Haag"][..],
    ]) {
        // Whole words: a token's hex (`person_3316…`) may hold the digits of a number.
        let words: Vec<&str> = note.split(|c: char| !c.is_alphanumeric()).collect();
        for g in gone {
            assert!(!words.contains(g), "{g} left in {note}");
        }
    }
    // The postcode column keeps its generalized prefix (the default policy's choice).
    let postcodes: Vec<&str> = written
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    assert_eq!(postcodes, ["EH2", "LS6", "SW1"], "{written}");
}
