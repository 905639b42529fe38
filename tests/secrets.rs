//! Boundaries and secrets (issue 24): nothing written outside the release through a link,
//! keys a recipient cannot guess, key variables that say what they hold, key files that
//! replace nothing but a key file.

use crate::util::{fixture, shroud, shroud_env, text};

#[test]
fn a_path_in_shroud_key_is_refused_naming_the_right_variable() {
    let dir = tempfile::tempdir().unwrap();
    assert!(shroud(dir.path(), &["keygen", "k.key"]).status.success());
    let input = fixture("csv/customers.csv");
    let key_path = dir.path().join("k.key");
    for value in [key_path.to_str().unwrap(), "./k.key", "k.key"] {
        let out = shroud_env(
            dir.path(),
            &[
                "pseudonymize",
                input.to_str().unwrap(),
                "--out-dir",
                "o",
                "-q",
            ],
            &[("SHROUD_KEY", value)],
        );
        assert_eq!(out.status.code(), Some(2), "{value}: {:?}", text(&out));
        assert!(text(&out).1.contains("SHROUD_KEY_FILE"), "{:?}", text(&out));
        assert!(!dir.path().join("o").exists());
    }
    // The same path in SHROUD_KEY_FILE works.
    let out = shroud_env(
        dir.path(),
        &[
            "pseudonymize",
            input.to_str().unwrap(),
            "--out-dir",
            "o",
            "-q",
        ],
        &[("SHROUD_KEY_FILE", key_path.to_str().unwrap())],
    );
    assert!(out.status.success(), "{:?}", text(&out));
}

#[test]
fn the_manifest_fingerprint_is_keyed_and_random_keys_in_any_encoding_are_taken() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("csv/customers.csv");
    let hex = "3c9e51a07f2b8d64e1a5c03b97f8d2460b1e7a93c5d8f2064a7e1b9c3d5f8a02";
    let b64 = "PJ5RoH8rjWThpcA7l/jSRgseepPF2PIGSn4bnD1figI=";
    let mut outs = Vec::new();
    for (i, k) in [hex, b64].iter().enumerate() {
        let o = format!("o{i}");
        let out = shroud_env(
            dir.path(),
            &[
                "pseudonymize",
                input.to_str().unwrap(),
                "--out-dir",
                &o,
                "-q",
            ],
            &[("SHROUD_KEY", k)],
        );
        assert!(out.status.success(), "{:?}", text(&out));
        outs.push(std::fs::read(dir.path().join(&o).join("customers.csv")).unwrap());
        let manifest =
            std::fs::read_to_string(dir.path().join(&o).join("_shroud_manifest.json")).unwrap();
        // Not the unsalted SHA-256 of the key (v1 was over a public tag and the key).
        use sha2::Digest;
        let key = (0..64)
            .step_by(2)
            .map(|j| u8::from_str_radix(&hex[j..j + 2], 16).unwrap())
            .collect::<Vec<u8>>();
        let mut h = sha2::Sha256::new();
        h.update(b"shroud key fingerprint v1\0");
        h.update(&key);
        let v1: String = h.finalize()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(!manifest.contains(&v1), "the old fingerprint ships");
        assert!(!manifest.contains(hex) && !manifest.contains(b64));
    }
    assert_eq!(outs[0], outs[1], "hex and base64 of one key are one key");
}

#[test]
fn keygen_replaces_only_a_regular_file() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("elsewhere.txt");
    std::fs::write(&target, "not a key\n").unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&target, dir.path().join("link.key")).unwrap();
        let out = shroud(dir.path(), &["keygen", "link.key", "--force"]);
        assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
        assert!(
            text(&out).1.contains("not a regular file"),
            "{:?}",
            text(&out)
        );
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "not a key\n");
        assert!(
            std::fs::symlink_metadata(dir.path().join("link.key"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
        let fifo = dir.path().join("fifo.key");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        let out = shroud(dir.path(), &["keygen", "fifo.key", "--force"]);
        assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
        let out = shroud(dir.path(), &["keygen", "/dev/null", "--force"]);
        assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
    }
    std::fs::create_dir(dir.path().join("d.key")).unwrap();
    let out = shroud(dir.path(), &["keygen", "d.key", "--force"]);
    assert_eq!(out.status.code(), Some(2));
    // A regular key file is replaced with --force.
    assert!(shroud(dir.path(), &["keygen", "k.key"]).status.success());
    let before = std::fs::read(dir.path().join("k.key")).unwrap();
    assert!(
        shroud(dir.path(), &["keygen", "k.key", "--force"])
            .status
            .success()
    );
    assert_ne!(std::fs::read(dir.path().join("k.key")).unwrap(), before);
}

#[cfg(unix)]
#[test]
fn a_link_inside_the_output_folder_is_never_written_through() {
    let dir = tempfile::tempdir().unwrap();
    assert!(shroud(dir.path(), &["keygen", "k.key"]).status.success());
    let input = dir.path().join("in");
    std::fs::create_dir_all(input.join("sub")).unwrap();
    std::fs::copy(fixture("csv/customers.csv"), input.join("sub/c.csv")).unwrap();
    std::fs::create_dir_all(dir.path().join("out")).unwrap();
    std::fs::create_dir_all(dir.path().join("elsewhere")).unwrap();
    std::os::unix::fs::symlink("../elsewhere", dir.path().join("out/sub")).unwrap();
    for force in [false, true] {
        let mut args = vec![
            "pseudonymize",
            "in",
            "--out-dir",
            "out",
            "--key-file",
            "k.key",
            "-q",
        ];
        if force {
            args.push("--force");
        }
        let out = shroud(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
        assert!(text(&out).1.contains("link"), "{:?}", text(&out));
        assert_eq!(
            std::fs::read_dir(dir.path().join("elsewhere"))
                .unwrap()
                .count(),
            0,
            "a file was written through the link"
        );
    }
}

#[test]
fn check_reads_every_manifest_as_data() {
    let dir = tempfile::tempdir().unwrap();
    assert!(shroud(dir.path(), &["keygen", "k.key"]).status.success());
    let input = fixture("csv/customers.csv");
    let out = shroud(
        dir.path(),
        &[
            "pseudonymize",
            input.to_str().unwrap(),
            "--out-dir",
            "o",
            "--key-file",
            "k.key",
            "-q",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    // The release as written passes, manifest included.
    assert_eq!(shroud(dir.path(), &["check", "o"]).status.code(), Some(0));
    let manifest = dir.path().join("o/_shroud_manifest.json");
    let original = std::fs::read_to_string(&manifest).unwrap();
    // Raw data riding in an extra field of a manifest.
    let mut m: serde_json::Value = serde_json::from_str(&original).unwrap();
    m["exported_by"] = "jane.doe@example.com".into();
    std::fs::write(&manifest, m.to_string()).unwrap();
    let c = shroud(dir.path(), &["check", "o"]);
    assert_eq!(c.status.code(), Some(1), "{:?}", text(&c));
    assert!(
        text(&c).0.contains("_shroud_manifest.json"),
        "{:?}",
        text(&c)
    );
    // A manifest nested deeper, and a CSV saved under the manifest's name.
    std::fs::write(&manifest, &original).unwrap();
    std::fs::create_dir_all(dir.path().join("o/sub")).unwrap();
    std::fs::copy(&input, dir.path().join("o/sub/_shroud_manifest.json")).unwrap();
    let c = shroud(dir.path(), &["check", "o"]);
    assert_ne!(c.status.code(), Some(0), "{:?}", text(&c));
}
