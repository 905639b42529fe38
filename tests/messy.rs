//! Real exports are messy (issue 23): each class of the review read as what it means, or
//! refused with exit 2, never copied unjudged. Fixtures under `fixtures/messy/` were written
//! by pandas and pyarrow (`fixtures/make_messy.py`); the rest are built here. The mutation
//! suite (`mutations.rs`) guards the same classes generatively.

use crate::util::{fixture, read_parquet, scan, shroud, text, write_synth_csv};
use std::path::{Path, PathBuf};

fn key(dir: &Path) -> PathBuf {
    let k = dir.join("k.key");
    if !k.exists() {
        assert!(shroud(dir, &["keygen", "k.key"]).status.success());
    }
    k
}

/// Pseudonymizes `input` into `dir/out`; returns (exit code, stderr).
fn pseudonymize(dir: &Path, input: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let k = key(dir);
    let mut args = vec![
        "pseudonymize",
        input.to_str().unwrap(),
        "--out-dir",
        "out",
        "--key-file",
        k.to_str().unwrap(),
        "-q",
        "--force",
    ];
    args.extend_from_slice(extra);
    let o = shroud(dir, &args);
    (o.status.code(), text(&o).1)
}

fn check(dir: &Path, what: &str) -> Option<i32> {
    shroud(dir, &["check", what]).status.code()
}

fn utf16(text: &str, le: bool, bom: bool) -> Vec<u8> {
    let mut v = Vec::new();
    if bom {
        v.extend_from_slice(if le { &[0xFF, 0xFE] } else { &[0xFE, 0xFF] });
    }
    for u in text.encode_utf16() {
        v.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
    }
    v
}

const TABLE: &str = "customer_id,full_name,email,phone,city\r\n\
1001,María García,maria.garcia@example.net,+49 30 901820,München\r\n\
1002,Hans Müller,hans.mueller@example.com,+44 20 7946 0958,Zürich\r\n\
1003,Zoë Ørsted,zoe.orsted@example.org,+1 415-555-0142,Århus\r\n";

#[test]
fn legacy_and_utf16_files_are_decoded_judged_and_written_back_in_their_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let (cp1252, _, bad) = encoding_rs::WINDOWS_1252.encode(TABLE);
    assert!(!bad);
    let cases: Vec<(&str, Vec<u8>, &'static encoding_rs::Encoding)> = vec![
        ("cp1252.csv", cp1252.into_owned(), encoding_rs::WINDOWS_1252),
        (
            "le_bom.csv",
            utf16(TABLE, true, true),
            encoding_rs::UTF_16LE,
        ),
        (
            "be_bom.csv",
            utf16(TABLE, false, true),
            encoding_rs::UTF_16BE,
        ),
        ("le.csv", utf16(TABLE, true, false), encoding_rs::UTF_16LE),
        ("be.csv", utf16(TABLE, false, false), encoding_rs::UTF_16BE),
    ];
    for (name, bytes, enc) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let (report, _, o) = scan(&path, &["-q"]);
        assert!(o.status.success(), "{name}: {:?}", text(&o));
        let v = crate::util::verdicts(&report);
        assert_eq!(v["full_name"], "PERSON", "{name}: {v:?}");
        assert_eq!(v["email"], "EMAIL_ADDRESS", "{name}");
        let (code, err) = pseudonymize(dir.path(), &path, &[]);
        assert_eq!(code, Some(0), "{name}: {err}");
        let written = std::fs::read(dir.path().join("out").join(name)).unwrap();
        // Written back in the input's encoding (a BOM kept), and nothing personal left.
        if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
            assert_eq!(written[..2], bytes[..2], "{name}: the byte order mark");
        }
        let (decoded, had_errors) = enc.decode_without_bom_handling(&written);
        assert!(!had_errors, "{name}: the output is {}", enc.name());
        for v in [
            "María García",
            "maria.garcia@example.net",
            "Hans Müller",
            "+44 20 7946 0958",
        ] {
            assert!(!decoded.contains(v), "{name}: {v} survives");
        }
        // Untouched cells keep their bytes: the kept city and the ids.
        assert!(
            decoded.contains("1003,") && decoded.contains("Århus"),
            "{name}: {decoded}"
        );
        assert_eq!(check(dir.path(), "out"), Some(0), "{name}");
        assert_eq!(check(dir.path(), name), Some(1), "{name}");
    }
}

#[test]
fn a_file_that_does_not_decode_in_its_encoding_fails_closed() {
    let dir = tempfile::tempdir().unwrap();
    // UTF-8 for 100 KB (past the detector's first 64 KiB), then one latin-1 byte.
    let mut body = String::from("id,note\n");
    for i in 0..3000 {
        body.push_str(&format!("{i},all plain ascii text here\n"));
    }
    let mut bytes = body.into_bytes();
    bytes.extend_from_slice(b"3000,Jos\xE9 Garc\xEDa\n");
    let path = dir.path().join("mixed.csv");
    std::fs::write(&path, &bytes).unwrap();
    let (code, err) = pseudonymize(dir.path(), &path, &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("mixed.csv") && err.contains("line 3002"),
        "{err}"
    );
    assert!(err.contains("--encoding"), "{err}");
    assert!(!dir.path().join("out").join("mixed.csv").exists());
    assert_eq!(check(dir.path(), "mixed.csv"), Some(2));
    // Named, the encoding reads it (windows-1252 defines every byte).
    let (code, err) = pseudonymize(dir.path(), &path, &["--encoding", "latin1"]);
    assert_eq!(code, Some(0), "{err}");
    // A UTF-16 file cut inside a character.
    let mut cut = utf16(TABLE, true, true);
    cut.pop();
    let path = dir.path().join("cut.csv");
    std::fs::write(&path, &cut).unwrap();
    let (code, err) = pseudonymize(dir.path(), &path, &[]);
    assert_eq!(code, Some(2), "{err}");
    // An unknown label is a usage error.
    let (code, err) = pseudonymize(dir.path(), &path, &["--encoding", "klingon"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("klingon"), "{err}");
}

#[test]
fn excel_sep_lines_name_the_delimiter_and_are_written_back() {
    let dir = tempfile::tempdir().unwrap();
    let body = format!("sep=;\r\n{}", TABLE.replace(',', ";"));
    let (cp, _, _) = encoding_rs::WINDOWS_1252.encode(&body);
    let path = dir.path().join("excel.csv");
    std::fs::write(&path, &cp).unwrap();
    let (report, _, o) = scan(&path, &["-q"]);
    assert!(o.status.success(), "{:?}", text(&o));
    let v = crate::util::verdicts(&report);
    assert_eq!(v["email"], "EMAIL_ADDRESS", "{v:?}");
    assert_eq!(
        report["files"][0]["rows"], 3,
        "the real header is not a row"
    );
    let (code, err) = pseudonymize(dir.path(), &path, &[]);
    assert_eq!(code, Some(0), "{err}");
    let written = std::fs::read(dir.path().join("out/excel.csv")).unwrap();
    assert!(written.starts_with(b"sep=;\r\ncustomer_id;full_name;email"));
    assert_eq!(check(dir.path(), "out"), Some(0));
    // A delimiter given that contradicts the line is an error, not a guess.
    let o = shroud(dir.path(), &["scan", "excel.csv", "-q", "-d", ","]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("sep=;"), "{:?}", text(&o));
}

#[test]
fn headerless_exports_keep_their_first_record_and_ambiguous_ones_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    // Generated tables and the Faker table, with and without their header line: the header
    // is always read as one, and without it no record is lost to a header.
    let mut tables: Vec<(String, String)> = Vec::new();
    for seed in 0..6u64 {
        let p = dir.path().join(format!("s{seed}.csv"));
        write_synth_csv(&p, seed, 40);
        tables.push((format!("s{seed}"), std::fs::read_to_string(&p).unwrap()));
    }
    tables.push((
        "faker".into(),
        std::fs::read_to_string(fixture("eval/seed2-title/customers.csv")).unwrap(),
    ));
    for (name, body) in &tables {
        let rows = csv::ReaderBuilder::new()
            .from_reader(body.as_bytes())
            .records()
            .count();
        let with = dir.path().join(format!("{name}-h.csv"));
        std::fs::write(&with, body).unwrap();
        let (report, _, o) = scan(&with, &["-q"]);
        assert!(o.status.success(), "{name}: {:?}", text(&o));
        assert_eq!(report["files"][0]["rows"], rows, "{name} with its header");
        let without = dir.path().join(format!("{name}-n.csv"));
        let (_, rest) = body.split_once('\n').unwrap();
        std::fs::write(&without, rest).unwrap();
        let (report, _, o) = scan(&without, &["-q"]);
        match o.status.code() {
            Some(0) => assert_eq!(report["files"][0]["rows"], rows, "{name}: a row was lost"),
            Some(2) => assert!(text(&o).1.contains("--no-header"), "{name}"),
            c => panic!("{name}: exit {c:?}"),
        }
        // Said, it is read as said.
        let (report, _, o) = scan(&without, &["-q", "--no-header"]);
        assert!(o.status.success());
        assert_eq!(report["files"][0]["rows"], rows, "{name} --no-header");
    }
    // A COPY-style dump: the first record is data; its columns are judged without names.
    let dump = dir.path().join("dump.csv");
    std::fs::write(
        &dump,
        "1001,Jane Doe,jane.doe@example.com,1980-03-04,10572632852\n\
         1002,John Smith,john.smith@example.org,1975-11-30,20418836110\n\
         1003,Maria Garcia,maria.garcia@example.net,03/15/1969,30277154093\n\
         1004,Hans Mueller,hans.mueller@example.com,12.07.1988,40955120031\n",
    )
    .unwrap();
    let (code, err) = pseudonymize(dir.path(), &dump, &[]);
    assert_eq!(code, Some(0), "{err}");
    let out = std::fs::read_to_string(dir.path().join("out/dump.csv")).unwrap();
    for v in [
        "Jane Doe",
        "jane.doe@example.com",
        "1980-03-04",
        "10572632852",
        "03/15/1969",
    ] {
        assert!(!out.contains(v), "{v} survives in {out}");
    }
    assert!(out.starts_with("1001,"), "the first record is data: {out}");
    // A table of words under a header of words cannot be told: refused, not guessed.
    let words = dir.path().join("words.csv");
    std::fs::write(&words, "alpha,beta\ngamma,delta\nepsilon,zeta\n").unwrap();
    let (code, err) = pseudonymize(dir.path(), &words, &[]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--header") && err.contains("line 1"), "{err}");
}

#[test]
fn duplicate_json_keys_are_refused_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("messy/duplicate_keys.jsonl");
    let (code, err) = pseudonymize(dir.path(), &input, &[]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("line 1") && err.contains("written twice"),
        "{err}"
    );
    assert!(!err.contains("example"), "{err}");
    assert!(!dir.path().join("out/duplicate_keys.jsonl").exists());
    assert_eq!(check(dir.path(), input.to_str().unwrap()), Some(2));
    // In a JSON array too, at any depth.
    let arr = dir.path().join("a.json");
    std::fs::write(
        &arr,
        r#"[{"u":{"email":"a@example.com","email":"b@example.com"}}]"#,
    )
    .unwrap();
    assert_eq!(pseudonymize(dir.path(), &arr, &[]).0, Some(2));
}

#[test]
fn parquet_names_and_metadata_are_judged_and_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["metadata.parquet", "pii_field_names.parquet"] {
        let input = fixture(&format!("messy/parquet/{f}"));
        // The gate reads the footer and the names.
        assert_eq!(check(dir.path(), input.to_str().unwrap()), Some(1), "{f}");
        let (code, err) = pseudonymize(dir.path(), &input, &[]);
        assert_eq!(code, Some(0), "{f}: {err}");
        let out = dir.path().join("out").join(f);
        let bytes = std::fs::read(&out).unwrap();
        let raw = String::from_utf8_lossy(&bytes);
        let batches = read_parquet(&out);
        let schema = format!("{:?}", batches.first().map(|b| b.schema()));
        for v in [
            "jane.doe@example.com",
            "john.smith@example.org",
            "Hans Müller",
            "7946 0958",
        ] {
            assert!(!raw.contains(v), "{f}: {v} in the file's bytes");
            assert!(!schema.contains(v), "{f}: {v} in the schema");
        }
        assert_eq!(check(dir.path(), "out"), Some(0), "{f}");
    }
}

#[test]
fn parquet_files_of_spark_and_pandas_shapes_are_read_and_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    for f in [
        "zero_row_groups.parquet",
        "int96.parquet",
        "tz_timestamps.parquet",
    ] {
        let input = fixture(&format!("messy/parquet/{f}"));
        let (_, _, o) = scan(&input, &["-q"]);
        assert!(o.status.success(), "{f}: {:?}", text(&o));
        let (code, err) = pseudonymize(dir.path(), &input, &[]);
        assert_eq!(code, Some(0), "{f}: {err}");
        let out = dir.path().join("out").join(f);
        let rows: usize = read_parquet(&out).iter().map(|b| b.num_rows()).sum();
        let want: usize = read_parquet(&input).iter().map(|b| b.num_rows()).sum();
        assert_eq!(rows, want, "{f}");
        // pseudonymize's own empty output can be checked.
        assert_eq!(check(dir.path(), "out"), Some(0), "{f}");
    }
}

#[test]
fn identifiers_written_as_floats_are_read_as_the_integers_they_are() {
    let dir = tempfile::tempdir().unwrap();
    for f in [
        "pandas_floats.csv",
        "pandas_floats.jsonl",
        "pandas_floats.parquet",
    ] {
        let input = fixture(&format!("messy/{f}"));
        let (report, _, _) = scan(&input, &["-q"]);
        let v = crate::util::verdicts(&report);
        assert_eq!(v["phone"], "PHONE_NUMBER", "{f}: {v:?}");
        assert_eq!(v["ssn"], "US_SSN", "{f}: {v:?}");
        assert_eq!(v["card_number"], "CREDIT_CARD", "{f}: {v:?}");
        let (code, err) = pseudonymize(dir.path(), &input, &[]);
        assert_eq!(code, Some(0), "{f}: {err}");
        let out = dir.path().join("out").join(f);
        let written = if f.ends_with(".parquet") {
            read_parquet(&out)
                .iter()
                .map(|b| format!("{b:?}"))
                .collect::<String>()
        } else {
            std::fs::read_to_string(&out).unwrap()
        };
        for v in [
            "4155550142",
            "536228726",
            "4111111111111111",
            "5555555555554444",
        ] {
            assert!(!written.contains(v), "{f}: {v} survives");
        }
        assert_eq!(check(dir.path(), "out"), Some(0), "{f}");
    }
    // A float and the integer it writes get one token (joins hold across exporters).
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    std::fs::write(&a, "id,phone\n1,4155550142.0\n2,4155550173.0\n").unwrap();
    std::fs::write(&b, "id,phone\n1,4155550142\n2,4155550173\n").unwrap();
    let k = key(dir.path());
    let o = shroud(
        dir.path(),
        &[
            "pseudonymize",
            "a.csv",
            "b.csv",
            "--out-dir",
            "j",
            "--key-file",
            k.to_str().unwrap(),
            "-q",
        ],
    );
    assert!(o.status.success(), "{:?}", text(&o));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("j/a.csv")).unwrap(),
        std::fs::read_to_string(dir.path().join("j/b.csv")).unwrap()
    );
}

#[test]
fn values_with_unicode_separators_invisible_characters_and_lookalikes_are_replaced_whole() {
    let dir = tempfile::tempdir().unwrap();
    let values = [
        "+44\u{00A0}20\u{00A0}7946\u{00A0}0958",
        "+44\u{2009}20\u{2009}7946\u{2011}0958",
        "ja\u{200B}ne.doe@example.com",
        "jаne.doe@example.com", // Cyrillic а
        "５３６-２２-８７２６",
        "٥٣٦-٢٢-٨٧٢٦",
        "4111\u{202F}1111\u{202F}1111\u{202F}1111",
    ];
    let mut body = String::from("id,notes\n");
    for (i, v) in values.iter().enumerate() {
        body.push_str(&format!(
            "{i},\"Customer wrote from {v} yesterday; SSN on file.\"\n"
        ));
    }
    let path = dir.path().join("u.csv");
    std::fs::write(&path, &body).unwrap();
    assert_eq!(check(dir.path(), "u.csv"), Some(1));
    let (code, err) = pseudonymize(dir.path(), &path, &[]);
    assert_eq!(code, Some(0), "{err}");
    let out = std::fs::read_to_string(dir.path().join("out/u.csv")).unwrap();
    for v in values {
        assert!(!out.contains(v), "{v:?} survives: {out}");
        // No part of it either: the whole original span went.
        let tail: String = v
            .chars()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        assert!(
            !out.contains(&tail),
            "{v:?}: its tail {tail:?} survives: {out}"
        );
    }
    assert_eq!(check(dir.path(), "out"), Some(0));
}

#[test]
fn a_kept_column_keeps_only_its_own_entity() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.csv");
    std::fs::write(
        &path,
        "id,city,gender\n\
         1,Paris,F\n\
         2,Berlin,M\n\
         3,\"Lyon, 12 Rue de la Paix, born 1980-03-04\",F\n\
         4,London,\"M, DOB 1975-11-30\"\n\
         5,Madrid,F\n\
         6,\"Florence, jane.doe@example.com\",M\n",
    )
    .unwrap();
    assert_eq!(check(dir.path(), "k.csv"), Some(1));
    let (code, err) = pseudonymize(dir.path(), &path, &[]);
    assert_eq!(code, Some(0), "{err}");
    let out = std::fs::read_to_string(dir.path().join("out/k.csv")).unwrap();
    for v in ["1980-03-04", "1975-11-30", "jane.doe@example.com"] {
        assert!(!out.contains(v), "{v} survives: {out}");
    }
    // The places themselves stay.
    for v in ["Paris", "Berlin", "London", "Madrid"] {
        assert!(out.contains(v), "{v} was replaced: {out}");
    }
    assert_eq!(check(dir.path(), "out"), Some(0));
}

/// Every cell of a file, one per line (`column<TAB>value`), read with shroud's own reader.
fn all_cells(path: &Path) -> String {
    crate::util::read_cells(path)
        .into_iter()
        .map(|(_, c, v)| format!("{c}\t{v}\n"))
        .collect()
}

#[test]
fn long_format_values_are_judged_under_their_key() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["eav_usermeta.csv", "eav_pairs.json", "eav_usermeta.parquet"] {
        let input = fixture(&format!("messy/{f}"));
        let (report, _, _) = scan(&input, &["-q"]);
        let v = crate::util::verdicts(&report);
        let (code, err) = pseudonymize(dir.path(), &input, &[]);
        assert_eq!(code, Some(0), "{f}: {err}");
        let written = dir.path().join("out").join(f);
        let out = if f.ends_with(".parquet") {
            // The value column's cells, as `,value\n` lines like the CSV's.
            all_cells(&written)
                .lines()
                .map(|l| format!(",{}\n", l.split_once('\t').unwrap().1))
                .collect()
        } else {
            std::fs::read_to_string(&written).unwrap()
        };
        for raw in [
            "Jane",
            "Doe",
            "jane.doe@example.com",
            "1980-03-04",
            "+1 415-555-0142",
        ] {
            assert!(
                !out.contains(&format!("\"{raw}\"")) && !out.contains(&format!(",{raw}\n")),
                "{f}: {raw} survives ({v:?}): {out}"
            );
        }
        // Keys and non-personal values stay as they were.
        assert!(
            out.contains("first_name") || out.contains("\"email\""),
            "{f}"
        );
        assert!(out.contains("true") || out.contains("gold"), "{f}");
        assert_eq!(check(dir.path(), "out"), Some(0), "{f}");
    }
}

#[test]
fn binary_formats_are_named_not_read_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[u8], &str); 4] = [
        (
            "book.csv",
            b"PK\x03\x04\x14\x00\x06\x00rest of a workbook",
            "zip archive",
        ),
        (
            "old.csv",
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00",
            "OLE",
        ),
        ("t.jsonl", b"PAR1\x15\x04\x15\x10", "Parquet"),
        ("d.csv", b"SQLite format 3\x00\x10\x00", "SQLite"),
    ];
    for (name, bytes, kind) in cases {
        std::fs::write(dir.path().join(name), bytes).unwrap();
        for extra in [&[][..], &["--lenient"][..]] {
            let mut args = vec!["scan", name, "-q"];
            args.extend_from_slice(extra);
            let o = shroud(dir.path(), &args);
            assert_eq!(o.status.code(), Some(2), "{name} {extra:?}: {:?}", text(&o));
            let err = text(&o).1;
            assert!(
                err.contains("unsupported format") && err.contains(kind),
                "{err}"
            );
        }
        assert_eq!(check(dir.path(), name), Some(2), "{name}");
    }
}

/// The class behind `binary_formats_are_named_not_read_as_text`: bytes that are not text
/// (random data, data behind a known signature, the same gzipped, under a text file's name)
/// are refused by every command with exit 2, whatever `--lenient` or `--header` say, and
/// nothing is written. Issue 28: `--lenient` never lets a file through that was not read as
/// what it is.
#[test]
fn bytes_that_are_not_text_are_refused_by_every_command_under_any_name() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let prefixes: [&[u8]; 6] = [
        b"",
        b"id,email\n",
        b"\x89PNG\r\n\x1a\n",
        b"BZh91AY&SY",
        b"\xFD7zXZ\x00",
        b"ARROW1\x00\x00",
    ];
    let names = [
        "d.csv", "d.tsv", "d.jsonl", "d.json", "d.txt", "d.log", "d.csv.gz",
    ];
    for case in 0..14 {
        let len = 200 + (next() % 20_000) as usize;
        let mut bytes = prefixes[case % prefixes.len()].to_vec();
        bytes.extend((0..len).map(|_| (next() >> 32) as u8));
        let name = names[case % names.len()];
        let path = dir.path().join(name);
        if name.ends_with(".gz") {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(&bytes).unwrap();
            std::fs::write(&path, gz.finish().unwrap()).unwrap();
        } else {
            std::fs::write(&path, &bytes).unwrap();
        }
        for extra in [&[][..], &["--lenient", "--header"][..]] {
            let mut args = vec!["scan", name, "-q"];
            args.extend_from_slice(extra);
            let o = shroud(dir.path(), &args);
            assert_eq!(
                o.status.code(),
                Some(2),
                "{case} {name} {extra:?}: {:?}",
                text(&o)
            );
            assert!(text(&o).1.contains("unsupported format"), "{:?}", text(&o));
            let _ = std::fs::remove_dir_all(dir.path().join("out"));
            let (code, err) = pseudonymize(dir.path(), &path, extra);
            assert_eq!(code, Some(2), "{case} {name}: {err}");
            assert!(
                !dir.path().join("out").join(name).exists(),
                "{case} {name}: an output was written"
            );
        }
        // check fails it: 2 when the name promised a data format, 1 (a file it cannot vouch
        // for, unless an [[allow]] entry names it) otherwise.
        let code = check(dir.path(), name);
        assert!(matches!(code, Some(1 | 2)), "{case} {name}: {code:?}");
    }
}
