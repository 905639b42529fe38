//! Interrupted runs lose nothing: `scan` and `pseudonymize` killed with SIGINT or SIGKILL at
//! points spread over the run leave each output either as it was before or complete (equal to
//! an uninterrupted run), never partial; the input is never modified; after SIGINT no
//! temporary file is left, and the temporary files a SIGKILL leaves are swept by the next run.

use crate::util::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PREVIOUS: &[u8] = b"previous contents\n";

/// Kill points: deterministic pseudo-random fractions of an uninterrupted run's duration.
fn kill_points(run: Duration, n: usize) -> Vec<Duration> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..n)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Spread over the run: slice i of n, a random point inside it.
            let f = (i as f64 + (x % 1000) as f64 / 1000.0) / n as f64;
            run.mul_f64(f * 1.1)
        })
        .collect()
}

fn temp_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if e.file_name().to_string_lossy().starts_with(".shroud-tmp-") {
                out.push(p);
            }
        }
    }
    out
}

/// Runs `shroud ARGS` in `dir` and kills it after `after` with `signal` (`INT` or `KILL`).
/// Returns whether it was still running when the signal was sent.
fn run_and_kill(dir: &Path, args: &[&str], after: Duration, signal: &str) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_shroud"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(after);
    let running = child.try_wait().unwrap().is_none();
    if running {
        if signal == "KILL" {
            let _ = child.kill();
        } else {
            let _ = Command::new("kill")
                .args([&format!("-{signal}"), &child.id().to_string()])
                .status();
        }
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    if running && signal == "INT" {
        // Either the handler ran (130) or the run finished just before the signal.
        assert!(
            matches!(out.status.code(), Some(130) | Some(0)),
            "status {:?}: {stderr}",
            out.status
        );
    }
    running
}

fn assert_previous_or_complete(path: &Path, complete: &[u8], what: &str) {
    let now = std::fs::read(path).unwrap_or_default();
    assert!(
        now == PREVIOUS || now == complete,
        "{what}: neither the previous contents nor the complete output ({} bytes, complete has {})",
        now.len(),
        complete.len()
    );
}

struct Setup {
    dir: tempfile::TempDir,
    input: PathBuf,
    input_bytes: Vec<u8>,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in").join("big.csv");
    std::fs::create_dir_all(input.parent().unwrap()).unwrap();
    write_synth_csv(&input, 11, 12_000);
    let input_bytes = std::fs::read(&input).unwrap();
    Setup {
        dir,
        input,
        input_bytes,
    }
}

#[test]
fn killed_scans_leave_the_previous_report_or_the_complete_one() {
    let s = setup();
    let d = s.dir.path();
    let input = s.input.to_str().unwrap();
    let args = [
        "scan",
        input,
        "--report",
        "out/report.json",
        "--findings",
        "out/findings.jsonl",
        "--html",
        "out/report.html",
        "-q",
        "-j",
        "1",
    ];
    std::fs::create_dir_all(d.join("out")).unwrap();
    let started = Instant::now();
    let out = shroud(d, &args);
    let run = started.elapsed();
    assert!(out.status.success(), "{:?}", text(&out));
    let report = std::fs::read(d.join("out/report.json")).unwrap();
    let findings = std::fs::read(d.join("out/findings.jsonl")).unwrap();

    let mut interrupted_runs = 0;
    for (i, after) in kill_points(run, 4).into_iter().enumerate() {
        let signal = if i % 2 == 0 { "INT" } else { "KILL" };
        for f in ["report.json", "findings.jsonl", "report.html"] {
            std::fs::write(d.join("out").join(f), PREVIOUS).unwrap();
        }
        let interrupted = run_and_kill(d, &args, after, signal);
        interrupted_runs += usize::from(interrupted);
        let what = format!("{signal} after {after:?}");
        assert_previous_or_complete(&d.join("out/report.json"), &report, &what);
        assert_previous_or_complete(&d.join("out/findings.jsonl"), &findings, &what);
        let html = std::fs::read(d.join("out/report.html")).unwrap();
        assert!(
            html == PREVIOUS || html.ends_with(b"</html>\n"),
            "{what}: partial HTML"
        );
        if signal == "INT" || !interrupted {
            assert_eq!(
                temp_files(d),
                Vec::<PathBuf>::new(),
                "{what}: temp files left"
            );
        }
        assert!(
            std::fs::read(&s.input).unwrap() == s.input_bytes,
            "input modified"
        );
    }
    assert!(
        interrupted_runs >= 2,
        "the kills came too late to test anything"
    );
    // The next complete run sweeps what SIGKILL left.
    assert!(shroud(d, &args).status.success());
    assert_eq!(
        temp_files(d),
        Vec::<PathBuf>::new(),
        "stale temp files kept"
    );
}

#[test]
fn killed_pseudonymize_runs_leave_the_previous_copy_or_the_complete_one() {
    let s = setup();
    let d = s.dir.path();
    let key = d.join("k.key");
    assert!(
        shroud(d, &["keygen", key.to_str().unwrap()])
            .status
            .success()
    );
    let input = s.input.to_str().unwrap();
    let key = key.to_str().unwrap();
    let reference = shroud(
        d,
        &[
            "pseudonymize",
            input,
            "--out-dir",
            "ref",
            "--key-file",
            key,
            "-q",
        ],
    );
    assert!(reference.status.success(), "{:?}", text(&reference));
    let complete = std::fs::read(d.join("ref/big.csv")).unwrap();
    let manifest = std::fs::read(d.join("ref/_shroud_manifest.json")).unwrap();

    let args = [
        "pseudonymize",
        input,
        "--out-dir",
        "out",
        "--key-file",
        key,
        "--force",
        "-q",
        "-j",
        "1",
    ];
    std::fs::create_dir_all(d.join("out")).unwrap();
    let started = Instant::now();
    assert!(shroud(d, &args).status.success());
    let run = started.elapsed();
    assert_eq!(std::fs::read(d.join("out/big.csv")).unwrap(), complete);

    let mut interrupted_runs = 0;
    for (i, after) in kill_points(run, 4).into_iter().enumerate() {
        let signal = if i % 2 == 0 { "INT" } else { "KILL" };
        std::fs::write(d.join("out/big.csv"), PREVIOUS).unwrap();
        std::fs::write(d.join("out/_shroud_manifest.json"), PREVIOUS).unwrap();
        let interrupted = run_and_kill(d, &args, after, signal);
        interrupted_runs += usize::from(interrupted);
        let what = format!("{signal} after {after:?}");
        assert_previous_or_complete(&d.join("out/big.csv"), &complete, &what);
        assert_previous_or_complete(&d.join("out/_shroud_manifest.json"), &manifest, &what);
        if signal == "INT" || !interrupted {
            assert_eq!(
                temp_files(d),
                Vec::<PathBuf>::new(),
                "{what}: temp files left"
            );
        }
        assert!(
            std::fs::read(&s.input).unwrap() == s.input_bytes,
            "input modified"
        );
    }
    assert!(
        interrupted_runs >= 2,
        "the kills came too late to test anything"
    );
    assert!(shroud(d, &args).status.success());
    assert_eq!(
        temp_files(d),
        Vec::<PathBuf>::new(),
        "stale temp files kept"
    );
}

/// The files of a release folder (not its manifest), by name, with their bytes.
fn release_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "_shroud_manifest.json" && !n.starts_with(".shroud-"))
        .map(|n| {
            let bytes = std::fs::read(dir.join(&n)).unwrap();
            (n, bytes)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_release_half_replaced_by_a_killed_run_fails_check() {
    // A `--force` rerun with another key, killed between its renames, leaves some files of
    // each run under the old manifest. check must not vouch for that mix: the manifest's
    // digests no longer match. First the exact state such a kill leaves, then real kills.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("in")).unwrap();
    write_synth_csv(&d.join("in/big.csv"), 11, 3_000);
    write_synth_csv(&d.join("in/second.csv"), 12, 1_000);
    for k in ["a.key", "b.key"] {
        assert!(shroud(d, &["keygen", k]).status.success());
    }
    let run = |out: &str, key: &str| {
        let o = shroud(
            d,
            &[
                "pseudonymize",
                "in",
                "--out-dir",
                out,
                "--key-file",
                key,
                "--force",
                "--accept-new-key",
                "-q",
                "-j",
                "1",
            ],
        );
        assert!(o.status.success(), "{:?}", text(&o));
    };
    run("out", "a.key");
    run("b", "b.key");
    let check = |out: &str| shroud(d, &["check", out, "--format", "json"]);
    let ok = check("out");
    assert_eq!(ok.status.code(), Some(0), "{:?}", text(&ok));
    let release_a = release_files(&d.join("out"));
    let release_b = release_files(&d.join("b"));
    assert_eq!(release_a.len(), 2);

    // The state between the renames: one file of the new run, one of the old.
    std::fs::copy(d.join("b/big.csv"), d.join("out/big.csv")).unwrap();
    let mixed = check("out");
    assert_eq!(mixed.status.code(), Some(1), "{:?}", text(&mixed));
    let (stdout, _) = text(&mixed);
    assert!(stdout.contains("RELEASE_MISMATCH"), "{stdout}");
    assert!(
        stdout.contains("big.csv does not match its digest"),
        "{stdout}"
    );
    // A listed file that is gone fails too.
    std::fs::remove_file(d.join("out/big.csv")).unwrap();
    let missing = check("out");
    assert_eq!(missing.status.code(), Some(1), "{:?}", text(&missing));
    assert!(text(&missing).0.contains("listed but missing"));

    // Real kills of a rerun with the other key: whenever check passes, the folder holds one
    // run's files, never a mix.
    run("out", "a.key");
    let args = [
        "pseudonymize",
        "in",
        "--out-dir",
        "out",
        "--key-file",
        "b.key",
        "--force",
        "--accept-new-key",
        "-q",
        "-j",
        "1",
    ];
    let started = Instant::now();
    run("out", "b.key");
    let full = started.elapsed();
    for (i, after) in kill_points(full, 3).into_iter().enumerate() {
        run("out", "a.key");
        run_and_kill(d, &args, after, "KILL");
        let files = release_files(&d.join("out"));
        let verdict = check("out");
        if verdict.status.code() == Some(0) {
            assert!(
                files == release_a || files == release_b,
                "kill {i} after {after:?}: check passed a mix of two releases"
            );
        } else {
            assert_eq!(verdict.status.code(), Some(1), "{:?}", text(&verdict));
        }
    }
}
