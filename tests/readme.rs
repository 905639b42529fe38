//! The README's examples, run as written (issue 28): every shell and TOML block, in order, in
//! one copy of `fixtures/readme/`, with `shroud` on PATH the binary under test. A block may be
//! marked by an HTML comment on the line before it:
//!
//! - `<!-- readme-test: root -->`: run from a folder holding the repository's `fixtures/`
//!   (the quick start; `cargo run --release --` there is the binary under test, and `cargo
//!   test` is what runs this test);
//! - `<!-- readme-test: output of CMD -->` on a `text` block: CMD's output holds every line of
//!   the block (spacing aside);
//! - `<!-- readme-test: skip, WHY -->`: not run, with the reason (a real server is needed: the
//!   store tests run those paths).
//!
//! The only edits to a block are `SUBSTITUTIONS` (a secret's path outside the sandbox, a copy to
//! another machine), each written below with its reason.

use crate::util::{PLANTED, files_under, root, text};
use std::path::Path;
use std::process::Command;

/// Text of a block replaced before it runs, and why.
const SUBSTITUTIONS: &[(&str, &str, &str)] = &[
    (
        "/run/secrets/vendor-a.key",
        "secrets/vendor-a.key",
        "a pipeline's secret mount: the sandbox's key file instead",
    ),
    (
        "rsync -a outbox/vendor-a/ vendor-a:/incoming/",
        "cp -r outbox/vendor-a incoming",
        "no other machine here: a local copy",
    ),
];

#[derive(Debug)]
enum Mark {
    Run,
    Root,
    Skip,
    OutputOf(String),
}

#[derive(Debug)]
struct Block {
    line: usize,
    lang: String,
    code: String,
    mark: Mark,
}

fn blocks(readme: &str) -> Vec<Block> {
    let lines: Vec<&str> = readme.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(lang) = lines[i].strip_prefix("```") else {
            i += 1;
            continue;
        };
        let start = i;
        let mut code = String::new();
        i += 1;
        while i < lines.len() && !lines[i].starts_with("```") {
            code.push_str(lines[i]);
            code.push('\n');
            i += 1;
        }
        i += 1;
        let note = lines[..start]
            .iter()
            .rev()
            .find(|l| !l.trim().is_empty())
            .and_then(|l| l.trim().strip_prefix("<!-- readme-test:"))
            .and_then(|l| l.strip_suffix("-->"))
            .map(str::trim);
        let mark = match note {
            None => Mark::Run,
            Some("root") => Mark::Root,
            Some(n) if n.starts_with("skip, ") && n.len() > 12 => Mark::Skip,
            Some(n) if n.starts_with("output of ") => {
                Mark::OutputOf(n["output of ".len()..].into())
            }
            Some(n) => panic!("README.md:{}: unknown readme-test mark {n:?}", start + 1),
        };
        out.push(Block {
            line: start + 1,
            lang: lang.trim().to_string(),
            code,
            mark,
        });
    }
    out
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Runs `code` with bash (`-e`, `pipefail`) in `dir`, `bin` first on PATH.
fn bash(dir: &Path, bin: &Path, code: &str) -> std::process::Output {
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("bash")
        .args(["-e", "-o", "pipefail", "-c", code])
        .current_dir(dir)
        .env("PATH", path)
        .env_remove("SHROUD_KEY")
        .env_remove("SHROUD_KEY_FILE")
        .output()
        .expect("bash runs")
}

#[test]
fn every_shell_and_toml_block_of_the_readme_runs_as_written() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let blocks = blocks(&readme);
    let sandbox = tempfile::tempdir().unwrap();
    let work = sandbox.path().join("work");
    copy_tree(&root().join("fixtures/readme"), &work);
    let top = sandbox.path().join("root");
    std::fs::create_dir_all(&top).unwrap();
    std::os::unix::fs::symlink(root().join("fixtures"), top.join("fixtures")).unwrap();
    // `shroud` is the binary under test; `cargo run --release --` in the quick start too.
    let bin = sandbox.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_shroud"), bin.join("shroud")).unwrap();
    std::fs::write(
        bin.join("cargo"),
        "#!/bin/sh\ncase \"$1 $2 $3\" in\n  'run --release --') shift 3; exec shroud \"$@\" ;;\n  'test  ') exit 0 ;;\nesac\necho \"cargo $*: not in the README test\" >&2; exit 1\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(bin.join("cargo"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let setup = bash(
        &work,
        &bin,
        "mkdir secrets && shroud keygen secrets/vendor-a.key",
    );
    assert!(setup.status.success(), "{:?}", text(&setup));

    let (mut ran, mut skipped) = (0, 0);
    for b in &blocks {
        let whole = format!("README.md:{} ({})", b.line, b.lang);
        match (&b.mark, b.lang.as_str()) {
            (Mark::Skip, _) => skipped += 1,
            (Mark::OutputOf(cmd), "text") => {
                let out = bash(&top, &bin, cmd);
                assert!(out.status.success(), "{whole}: {cmd}: {:?}", text(&out));
                let printed: Vec<String> = text(&out).0.lines().map(squeeze).collect();
                for l in b.code.lines().filter(|l| !l.trim().is_empty()) {
                    assert!(
                        printed.contains(&squeeze(l)),
                        "{whole}: `{cmd}` no longer prints\n  {l}\nbut:\n{}",
                        text(&out).0
                    );
                }
                ran += 1;
            }
            (mark, "sh") => {
                let mut code = b.code.clone();
                for (from, to, _why) in SUBSTITUTIONS {
                    code = code.replace(from, to);
                }
                let dir = if matches!(mark, Mark::Root) {
                    &top
                } else {
                    &work
                };
                let out = bash(dir, &bin, &code);
                let (stdout, stderr) = text(&out);
                assert!(
                    out.status.success(),
                    "{whole} failed ({:?}):\n{code}\nstdout:\n{stdout}\nstderr:\n{stderr}",
                    out.status
                );
                // The README uses no spelling the binary warns about.
                assert!(!stderr.contains("warning:"), "{whole}: {stderr}");
                ran += 1;
            }
            (Mark::Run, "toml") => {
                // A TOML block names its file on its first line, as `# share-policy.toml`.
                let name = b
                    .code
                    .lines()
                    .next()
                    .and_then(|l| l.strip_prefix("# "))
                    .filter(|n| n.ends_with(".toml"))
                    .unwrap_or_else(|| panic!("{whole}: a TOML block starts with `# NAME.toml`"));
                std::fs::write(work.join(name), &b.code).unwrap();
                let out = if name.contains("share-policy") {
                    // Parsed as check parses it (exit 2 would be a bad policy).
                    bash(
                        &work,
                        &bin,
                        &format!("shroud check exports/orders.csv --policy {name} -q"),
                    )
                } else {
                    bash(&work, &bin, &format!("shroud policy check {name}"))
                };
                assert_ne!(out.status.code(), Some(2), "{whole}: {:?}", text(&out));
                ran += 1;
            }
            (Mark::Run, _) => {}
            (m, lang) => panic!("{whole}: mark {m:?} on a {lang} block"),
        }
    }
    assert!(ran >= 8 && skipped <= 3, "ran {ran}, skipped {skipped}");

    // What the blocks made is what they say: the pipeline's copy holds no planted value, the
    // aggregation exists, the rule example found its entity.
    let incoming = work.join("incoming");
    let mut files = 0;
    for e in files_under(&incoming) {
        let bytes = std::fs::read(&e).unwrap();
        let body = String::from_utf8_lossy(&bytes);
        for p in PLANTED {
            assert!(!body.contains(p), "{} holds {p}", e.display());
        }
        files += 1;
    }
    assert!(files >= 5, "the pipeline sent {files} file(s)");
    assert!(work.join("by_zip.csv").exists() && work.join("noisy.json").exists());
    assert!(work.join("shroud.sarif").exists() && top.join("report.json").exists());
    let staff = bash(&work, &bin, "shroud scan staff.csv --rules my-rules/");
    assert!(text(&staff).0.contains("EMPLOYEE_ID"), "{:?}", text(&staff));
}

#[test]
fn readme_marks_are_read() {
    let b = blocks(
        "a\n<!-- readme-test: skip, needs a server -->\n```sh\nx\n```\n```toml\n# p.toml\n```\n",
    );
    assert!(matches!(b[0].mark, Mark::Skip) && b[0].code == "x\n" && b[0].line == 3);
    assert!(matches!(b[1].mark, Mark::Run) && b[1].lang == "toml");
}
