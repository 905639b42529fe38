//! Object stores, against a real S3-compatible server (moto's server mode) that `.ci/run`
//! starts once per run (`scripts/test-servers.sh`; its address in `SHROUD_TEST_S3_ENDPOINT`,
//! and a second one that checks credentials in `SHROUD_TEST_S3_AUTH_ENDPOINT`).
//! Without it the tests say SKIPPED, and fail when `SHROUD_STORE_TESTS=require`.
//!
//! Each test makes its own buckets; objects are put with plain HTTP (moto needs no
//! signature), so the tests check shroud's reads and writes with a client of their own.

use crate::util::*;
use serde_json::Value;
use std::io::{Read, Write};
use std::path::Path;

fn endpoint(test: &str) -> Option<String> {
    match std::env::var("SHROUD_TEST_S3_ENDPOINT") {
        Ok(e) => Some(e),
        Err(_) => {
            assert_ne!(
                std::env::var("SHROUD_STORE_TESTS").as_deref(),
                Ok("require"),
                "{test}: no S3 server (run `eval \"$(bash scripts/test-servers.sh start)\"`)"
            );
            eprintln!("SKIPPED {test}: no S3 server (scripts/test-servers.sh)");
            None
        }
    }
}

const SECRET: &str = "s3cr3t-Key-Never-Printed-7f1e";

/// A bucket name of this run (moto refuses to overwrite some objects of an earlier run).
fn unique(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{name}-{}-{nanos}", std::process::id())
}

/// The AWS environment that points shroud at the server.
fn aws(endpoint: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT", endpoint.to_string()),
        ("AWS_ACCESS_KEY_ID", "AKIATESTSHROUD".to_string()),
        ("AWS_SECRET_ACCESS_KEY", SECRET.to_string()),
        ("AWS_REGION", "us-east-1".to_string()),
        ("AWS_ALLOW_HTTP", "true".to_string()),
    ]
}

fn run(dir: &Path, endpoint: &str, args: &[&str]) -> std::process::Output {
    let env = aws(endpoint);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    shroud_env(dir, args, &env)
}

/// moto checks no signature, but treats a request without one as anonymous (objects that
/// shroud put are then forbidden): the tests' requests carry a placeholder.
const AUTH: &str = "AWS4-HMAC-SHA256 Credential=AKIATESTSHROUD/20261201/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00";

/// One HTTP/1.1 request; returns (status, body).
fn http(endpoint: &str, method: &str, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
    let host = endpoint.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(host).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {AUTH}\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut body = raw[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let nl = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let n = usize::from_str_radix(std::str::from_utf8(&rest[..nl]).unwrap().trim(), 16)
                .unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&rest[nl + 2..nl + 2 + n]);
            rest = &rest[nl + 2 + n + 2..];
        }
        body = out;
    }
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, body)
}

/// The keys under `prefix` in `bucket`, and whether any multipart upload is left open.
fn keys(endpoint: &str, bucket: &str, prefix: &str) -> (Vec<String>, bool) {
    let (_, body) = http(
        endpoint,
        "GET",
        &format!("/{bucket}?list-type=2&prefix={prefix}"),
        b"",
    );
    let text = String::from_utf8_lossy(&body);
    let keys = text
        .split("<Key>")
        .skip(1)
        .map(|k| k.split("</Key>").next().unwrap().to_string())
        .collect();
    let (_, uploads) = http(endpoint, "GET", &format!("/{bucket}?uploads"), b"");
    (keys, String::from_utf8_lossy(&uploads).contains("<Upload>"))
}

const FILES: [&str; 4] = [
    "csv/customers.csv",
    "parquet/customers.parquet",
    "compressed/customers.csv.gz",
    "compressed/events.jsonl.zst",
];

/// A bucket with the fixtures under `exports/`, and the same files in a local folder.
fn bucket_and_folder(endpoint: &str, bucket: &str, local: &Path) {
    assert_eq!(http(endpoint, "PUT", &format!("/{bucket}"), b"").0, 200);
    std::fs::create_dir_all(local).unwrap();
    for f in FILES {
        let bytes = std::fs::read(fixture(f)).unwrap();
        let name = Path::new(f).file_name().unwrap().to_str().unwrap();
        let (status, _) = http(
            endpoint,
            "PUT",
            &format!("/{bucket}/exports/{name}"),
            &bytes,
        );
        assert_eq!(status, 200, "{f}");
        std::fs::write(local.join(name), &bytes).unwrap();
    }
}

fn verdicts_by_name(report: &Value) -> std::collections::BTreeMap<String, Value> {
    report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let name = f["path"].as_str().unwrap().rsplit('/').next().unwrap();
            let cols = file_verdicts(f);
            (
                name.to_string(),
                serde_json::json!({"rows": f["rows"], "columns": cols}),
            )
        })
        .collect()
}

#[test]
fn s3_verdicts_equal_those_of_the_same_files_on_disk() {
    let Some(e) = endpoint("s3_verdicts") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let b = unique("verdicts");
    bucket_and_folder(&e, &b, &dir.path().join("local"));
    let report = dir.path().join("r.json");
    let out = run(
        dir.path(),
        &e,
        &[
            "scan",
            &format!("s3://{b}/exports/"),
            "--report",
            report.to_str().unwrap(),
            "-q",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let remote: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let paths: Vec<&str> = remote["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "customers.csv",
            "customers.csv.gz",
            "customers.parquet",
            "events.jsonl.zst"
        ]
        .map(|n| format!("s3://{b}/exports/{n}"))
    );
    let (local, _, out) = scan(&dir.path().join("local"), &["-q"]);
    assert!(out.status.success());
    assert_eq!(verdicts_by_name(&remote), verdicts_by_name(&local));
    // One object named, and a sample that stops reading early.
    let out = run(
        dir.path(),
        &e,
        &[
            "scan",
            &format!("s3://{b}/exports/customers.parquet"),
            "--sample-rows",
            "3",
            "--report",
            report.to_str().unwrap(),
            "-q",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let one: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(one["files"].as_array().unwrap().len(), 1);
    assert_eq!(one["files"][0]["rows"], 3);
    // check and aggregate read the same URLs.
    let out = run(
        dir.path(),
        &e,
        &["check", &format!("s3://{b}/exports/customers.csv")],
    );
    assert_eq!(out.status.code(), Some(1), "{:?}", text(&out));
    let out = run(
        dir.path(),
        &e,
        &[
            "aggregate",
            &format!("s3://{b}/exports/customers.csv"),
            "--group-by",
            "gender",
            "--metric",
            "count",
            "--min-group-size",
            "1",
            "--output",
            "agg.csv",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let agg = std::fs::read_to_string(dir.path().join("agg.csv")).unwrap();
    assert!(agg.starts_with("gender,count"), "{agg}");
}

#[test]
fn s3_pseudonymize_gives_the_local_runs_bytes_and_refuses_to_overwrite() {
    let Some(e) = endpoint("s3_pseudonymize") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (pin, pout) = (unique("pin"), unique("pout"));
    bucket_and_folder(&e, &pin, &dir.path().join("local"));
    assert_eq!(http(&e, "PUT", &format!("/{pout}"), b"").0, 200);
    let exports = format!("s3://{pin}/exports/");
    let key = dir.path().join("k.key");
    assert!(
        shroud(dir.path(), &["keygen", key.to_str().unwrap()])
            .status
            .success()
    );
    let key = key.to_str().unwrap();
    let out = run(
        dir.path(),
        &e,
        &[
            "pseudonymize",
            &exports,
            "--out-dir",
            &format!("s3://{pout}/share/"),
            "--key-file",
            key,
            "--verify",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let local = run(
        dir.path(),
        &e,
        &[
            "pseudonymize",
            "local",
            "--out-dir",
            "share",
            "--key-file",
            key,
        ],
    );
    assert!(local.status.success(), "{:?}", text(&local));
    let (written, open) = keys(&e, &pout, "share/");
    assert!(!open, "no multipart upload is left open");
    assert_eq!(written.len(), FILES.len() + 1, "{written:?}");
    assert!(written.contains(&"share/_shroud_manifest.json".to_string()));
    // Same key, same data: the same bytes as the local run (CSV, gzip, Parquet, zstd).
    for f in FILES {
        let name = Path::new(f).file_name().unwrap().to_str().unwrap();
        let (status, remote) = http(&e, "GET", &format!("/{pout}/share/{name}"), b"");
        assert_eq!(status, 200);
        let mine = std::fs::read(dir.path().join("share").join(name)).unwrap();
        assert!(
            remote == mine,
            "{name}: the bucket's copy differs from the local run's"
        );
    }
    // The release passes check where it lies, and is never replaced without --force.
    let out = run(dir.path(), &e, &["check", &format!("s3://{pout}/share/")]);
    assert!(out.status.success(), "{:?}", text(&out));
    let again = run(
        dir.path(),
        &e,
        &[
            "pseudonymize",
            &exports,
            "--out-dir",
            &format!("s3://{pout}/share"),
            "--key-file",
            key,
        ],
    );
    assert_eq!(again.status.code(), Some(2), "{:?}", text(&again));
    assert!(text(&again).1.contains("--force"), "{:?}", text(&again));
    // Day 2 is added beside day 1 with --append (the bucket's manifest is read and merged);
    // the same outputs again are refused.
    let append = |input: &str| {
        run(
            dir.path(),
            &e,
            &[
                "pseudonymize",
                input,
                "--out-dir",
                &format!("s3://{pout}/share"),
                "--key-file",
                key,
                "--append",
                "-q",
            ],
        )
    };
    let same = append(&exports);
    assert_eq!(same.status.code(), Some(2), "{:?}", text(&same));
    std::fs::write(
        dir.path().join("day2.csv"),
        "email,qty\nana.lima@example.com,3\n",
    )
    .unwrap();
    let day2 = append("day2.csv");
    assert!(day2.status.success(), "{:?}", text(&day2));
    let (status, body) = http(
        &e,
        "GET",
        &format!("/{pout}/share/_shroud_manifest.json"),
        b"",
    );
    assert_eq!(status, 200);
    let m: Value = serde_json::from_slice(&body).unwrap();
    let releases: Vec<u64> = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["release"].as_u64().unwrap())
        .collect();
    assert_eq!(releases.len(), FILES.len() + 1, "{m}");
    assert_eq!(releases.iter().filter(|&&r| r == 2).count(), 1, "{m}");
    let out = run(dir.path(), &e, &["check", &format!("s3://{pout}/share/")]);
    assert!(out.status.success(), "{:?}", text(&out));
    // Local data into a bucket, and a bucket's object to a local folder.
    let out = run(
        dir.path(),
        &e,
        &[
            "pseudonymize",
            &format!("{exports}customers.parquet"),
            "--out-dir",
            "one",
            "--key-file",
            key,
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(
        std::fs::read(dir.path().join("one/customers.parquet")).unwrap(),
        std::fs::read(dir.path().join("share/customers.parquet")).unwrap()
    );
}

#[test]
fn s3_errors_are_clear_exit_2_and_never_show_the_secret() {
    let Some(e) = endpoint("s3_errors") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let check = |out: &std::process::Output, needle: &str| {
        let (stdout, stderr) = text(out);
        assert_eq!(out.status.code(), Some(2), "{stdout} {stderr}");
        assert!(
            stderr.to_lowercase().contains(needle),
            "{needle:?} in {stderr}"
        );
        assert!(
            !stderr.contains(SECRET) && !stdout.contains(SECRET),
            "{stderr}"
        );
    };
    let out = run(
        dir.path(),
        &e,
        &["scan", "s3://no-such-bucket-here/x/", "-q"],
    );
    check(&out, "no-such-bucket-here");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = run(
        dir.path(),
        &format!("http://127.0.0.1:{port}"),
        &["scan", "s3://any/x/", "-q"],
    );
    check(&out, "s3://any/x/");
    // Bad credentials: a server that checks keys (it knows none).
    let auth = std::env::var("SHROUD_TEST_S3_AUTH_ENDPOINT");
    assert!(
        auth.is_ok() || std::env::var("SHROUD_STORE_TESTS").as_deref() != Ok("require"),
        "no S3 server that checks credentials"
    );
    if let Ok(auth) = auth {
        let out = run(dir.path(), &auth, &["scan", "s3://any-bucket/x/", "-q"]);
        check(&out, "invalidaccesskeyid");
        let key = dir.path().join("k0.key");
        assert!(
            shroud(dir.path(), &["keygen", key.to_str().unwrap()])
                .status
                .success()
        );
        let out = run(
            dir.path(),
            &auth,
            &[
                "pseudonymize",
                fixture("csv/customers.csv").to_str().unwrap(),
                "--out-dir",
                "s3://any-bucket/out",
                "--key-file",
                key.to_str().unwrap(),
            ],
        );
        check(&out, "invalidaccesskeyid");
    }
    // An output bucket that does not exist: the run fails and leaves no object anywhere.
    bucket_and_folder(&e, &unique("errin"), &dir.path().join("local"));
    let key = dir.path().join("k.key");
    assert!(
        shroud(dir.path(), &["keygen", key.to_str().unwrap()])
            .status
            .success()
    );
    let out = run(
        dir.path(),
        &e,
        &[
            "pseudonymize",
            "local",
            "--out-dir",
            "s3://missing-out-bucket/p",
            "--key-file",
            key.to_str().unwrap(),
        ],
    );
    check(&out, "missing-out-bucket");
}

#[test]
fn an_interrupted_upload_leaves_no_object() {
    let Some(e) = endpoint("s3_interrupt") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    for i in 0..40 {
        write_synth_csv(&data.join(format!("part-{i:02}.csv")), i, 300);
    }
    // Uploaded first, in parts (over 5 MiB): the interrupt lands in a multipart upload.
    let big: String = (0..900_000u32)
        .map(|i| format!("{}\n", 1_000_000 + i))
        .collect();
    std::fs::write(data.join("a-big.csv"), format!("quantity\n{big}")).unwrap();
    let intr = unique("intr");
    assert_eq!(http(&e, "PUT", &format!("/{intr}"), b"").0, 200);
    let key = dir.path().join("k.key");
    assert!(
        shroud(dir.path(), &["keygen", key.to_str().unwrap()])
            .status
            .success()
    );
    let mut interrupted = 0;
    for attempt in 0..3 {
        let prefix = format!("run{attempt}");
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_shroud"))
            .args([
                "pseudonymize",
                data.to_str().unwrap(),
                "--out-dir",
                &format!("s3://{intr}/{prefix}"),
                "--key-file",
                key.to_str().unwrap(),
            ])
            .envs(aws(&e))
            .current_dir(dir.path())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // The upload starts once the last file is written (the big one goes first):
        // interrupt it then.
        let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        while std::io::BufRead::read_line(&mut stderr, &mut line).unwrap() > 0 {
            if line.contains("part-39.csv") {
                std::thread::sleep(std::time::Duration::from_millis(20 * attempt));
                let _ = std::process::Command::new("kill")
                    .args(["-INT", &child.id().to_string()])
                    .status();
                break;
            }
            line.clear();
        }
        let mut rest = String::new();
        let _ = stderr.read_to_string(&mut rest);
        let status = child.wait().unwrap();
        let (written, open) = keys(&e, &intr, &format!("{prefix}/"));
        assert!(!open, "an interrupted multipart upload is aborted");
        // All or nothing: an interrupt that comes after the last object was completed ends
        // the process (130) with the release whole.
        match (status.code(), written.len()) {
            (Some(130), 0) => interrupted += 1,
            (Some(130 | 0), 42) => {}
            (c, n) => panic!("attempt {attempt}: exit {c:?} with {n} objects left: {rest}"),
        }
    }
    assert!(
        interrupted > 0,
        "no attempt was interrupted during its upload"
    );
}

#[test]
fn dot_segments_never_take_a_read_or_a_write_out_of_its_prefix() {
    // `%2e%2e` is a key segment like any other name: never `..`. Typed in a URL it is refused.
    let Some(e) = endpoint("s3_dot_segments") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let b = unique("dots");
    assert_eq!(http(&e, "PUT", &format!("/{b}"), b"").0, 200);
    // Read side: the object under the prefix holds an e-mail; the one `..` would reach is
    // clean. check must judge the one it names, and fail.
    let raw = b"email\nann.lee@example.com\nbo.chan@example.org\n";
    let put =
        |key: &str, body: &[u8]| assert_eq!(http(&e, "PUT", &format!("/{b}/{key}"), body).0, 200);
    put("exports/%252e%252e/x.csv", raw);
    put("x.csv", b"n\n1\n2\n");
    let out = run(dir.path(), &e, &["check", &format!("s3://{b}/exports/")]);
    assert_eq!(out.status.code(), Some(1), "{:?}", text(&out));
    assert!(text(&out).0.contains("EMAIL"), "{:?}", text(&out));
    // Typed as a URL, a dot segment is refused (exit 2), whatever its spelling.
    for url in [
        format!("s3://{b}/exports/%2e%2e/x.csv"),
        format!("s3://{b}/exports/%2E%2E/x.csv"),
        format!("s3://{b}/exports/../x.csv"),
    ] {
        let out = run(dir.path(), &e, &["scan", &url]);
        assert_eq!(out.status.code(), Some(2), "{url}: {:?}", text(&out));
        assert!(text(&out).1.contains("'..' segment"), "{:?}", text(&out));
    }
    // Write side: a local folder named `%2e%2e` stays a segment of the output's keys, and
    // another release beside the prefix is untouched.
    put("rel/customers.csv", b"other release\n");
    let local = dir.path().join("in").join("%2e%2e");
    std::fs::create_dir_all(&local).unwrap();
    std::fs::copy(fixture("csv/customers.csv"), local.join("customers.csv")).unwrap();
    assert!(shroud(dir.path(), &["keygen", "k.key"]).status.success());
    let out = run(
        dir.path(),
        &e,
        &[
            "pseudonymize",
            "in",
            "--out-dir",
            &format!("s3://{b}/rel/x/"),
            "--key-file",
            "k.key",
            "-q",
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let (written, _) = keys(&e, &b, "rel/");
    assert!(
        written
            .iter()
            .all(|k| k == "rel/customers.csv" || k.starts_with("rel/x/")),
        "{written:?}"
    );
    assert!(written.len() >= 3, "{written:?}");
    let (_, other) = http(&e, "GET", &format!("/{b}/rel/customers.csv"), b"");
    assert_eq!(other, b"other release\n");
    // An output that a dot segment would put inside the input is refused before any work.
    let out = run(
        dir.path(),
        &e,
        &[
            "pseudonymize",
            &format!("s3://{b}/exports/"),
            "--out-dir",
            &format!("s3://{b}/x/%2e%2e/exports/share/"),
            "--key-file",
            "k.key",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
    let out = run(
        dir.path(),
        &e,
        &[
            "pseudonymize",
            &format!("s3://{b}/exports/"),
            "--out-dir",
            &format!("S3://{b}/%65xports/share/"),
            "--key-file",
            "k.key",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
    assert!(
        text(&out).1.contains("inside the input"),
        "{:?}",
        text(&out)
    );
}
