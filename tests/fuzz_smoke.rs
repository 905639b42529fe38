//! The fuzz smoke that runs in every `cargo test` (issue 23, class 8), with no nightly
//! toolchain: the fuzz targets' own seeds, the fixtures and the messy exports, mutated byte
//! by byte from a fixed seed (bit flips, interesting bytes, splices, cuts, repeated lines),
//! each read through the scan, pseudonymized through the writers of pass 2, and the output
//! read back. Errors are expected; a panic is a failure, named with the mutation that made it
//! (and the input written to `target/fuzz-smoke-failures/` for replay).
//!
//! `SHROUD_FUZZ_ITERS` sets the number of mutants (default 1000, about 6 s); cargo-fuzz runs the same
//! code for longer (`fuzz/fuzz_targets/*.rs`, including `rewrite`).

use crate::util::{fixture, root};
use shroud::detect::Detector;
use shroud::pseudo::{Rewrite, plan_file, rewrite};
use shroud::scan::{ScanOptions, scan_input};
use shroud::source::{Compression, Format, Input, ReadOptions};
use shroud::transform::{Policy, Transformer, key::Key};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

/// xorshift64*: a fixed sequence, the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const INTERESTING: &[u8] = &[
    0, 0xff, 0xfe, 0xef, 0xbb, 0xbf, 0xc3, 0x80, b'"', b',', b';', b'\t', b'\n', b'\r', b'{', b'}',
    b'[', b']', b':', b'\\', b'@', b'.', b'0', b'9', b'e', b'-',
];

/// One to eight mutations of `data`; returns what was done.
fn mutate(rng: &mut Rng, data: &mut Vec<u8>) -> String {
    let mut done = Vec::new();
    for _ in 0..1 + rng.below(8) {
        let len = data.len();
        match rng.below(7) {
            0 if len > 0 => {
                let i = rng.below(len);
                data[i] ^= 1 << rng.below(8);
                done.push(format!("flip@{i}"));
            }
            1 if len > 0 => {
                let i = rng.below(len);
                data[i] = INTERESTING[rng.below(INTERESTING.len())];
                done.push(format!("set@{i}"));
            }
            2 => {
                let i = rng.below(len + 1);
                let b = INTERESTING[rng.below(INTERESTING.len())];
                data.insert(i, b);
                done.push(format!("insert@{i}"));
            }
            3 if len > 1 => {
                // Splice a copy of one stretch of the input elsewhere.
                let a = rng.below(len);
                let n = 1 + rng.below((len - a).min(64));
                let piece = data[a..a + n].to_vec();
                let at = rng.below(data.len() + 1);
                data.splice(at..at, piece);
                done.push(format!("splice{n}@{at}"));
            }
            4 if len > 1 => {
                let a = rng.below(len);
                let n = 1 + rng.below((len - a).min(32));
                data.drain(a..a + n);
                done.push(format!("delete{n}@{a}"));
            }
            5 if len > 1 => {
                let cut = rng.below(len);
                data.truncate(cut);
                done.push(format!("cut@{cut}"));
            }
            _ => {
                // Repeat a line (records, and a long record for the look-ahead).
                let lines: Vec<usize> = data
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| **b == b'\n')
                    .map(|(i, _)| i)
                    .collect();
                if let Some(&end) = lines.get(rng.below(lines.len().max(1))) {
                    let start = data[..end]
                        .iter()
                        .rposition(|&b| b == b'\n')
                        .map_or(0, |i| i + 1);
                    let line = data[start..=end].to_vec();
                    for _ in 0..1 + rng.below(50) {
                        data.splice(end + 1..end + 1, line.iter().copied());
                    }
                    done.push(format!("repeat-line@{start}"));
                }
            }
        }
    }
    done.join(",")
}

fn seeds() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut walk = vec![
        fixture("fuzz"),
        fixture("csv"),
        fixture("json"),
        fixture("messy"),
        fixture("parquet"),
        fixture("bad"),
    ];
    while let Some(d) = walk.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk.push(p);
            } else if p.metadata().is_ok_and(|m| m.len() < 64 << 10)
                && p.extension().is_none_or(|e| e != "md" && e != "py")
            {
                let name = p.strip_prefix(root()).unwrap_or(&p).display().to_string();
                out.push((name, std::fs::read(&p).unwrap()));
            }
        }
    }
    out
}

fn format_of(name: &str, pick: usize) -> (Format, &'static str) {
    let by_name = [
        (".parquet", Format::Parquet, "parquet"),
        (".jsonl", Format::Jsonl, "jsonl"),
        (".json", Format::Json, "json"),
        (".csv", Format::Csv, "csv"),
        (".tsv", Format::Csv, "tsv"),
    ];
    if !pick.is_multiple_of(5)
        && let Some((_, f, e)) = by_name.iter().find(|(s, _, _)| name.ends_with(s))
    {
        return (*f, e);
    }
    // Sometimes (and for files of no known format) any reader takes the bytes.
    [
        (Format::Csv, "csv"),
        (Format::Jsonl, "jsonl"),
        (Format::Json, "json"),
        (Format::Parquet, "parquet"),
    ][pick % 4]
}

/// Reads, pseudonymizes and reads back one input; a panic propagates.
fn run(
    detector: &Detector,
    policy: &Policy,
    key: &Key,
    dir: &Path,
    data: &[u8],
    format: Format,
    ext: &str,
) {
    let path = dir.join(format!("in.{ext}"));
    std::fs::write(&path, data).unwrap();
    let input = Input {
        path,
        format,
        compression: Compression::None,
        size: data.len() as u64,
        handle: None,
        table: None,
    };
    let opts = ScanOptions {
        read: ReadOptions {
            max_cell_bytes: 1 << 16,
            ..ReadOptions::default()
        },
        ..ScanOptions::default()
    };
    let _ = scan_input(detector, &input, &opts, None, Arc::new(AtomicU64::new(0)));
    let Ok(plan) = plan_file(detector, policy, &input, &opts) else {
        return;
    };
    let t = Transformer::new(Some(key));
    let rw = Rewrite::new(detector, &t, policy, &plan);
    let mut out: Vec<u8> = Vec::new();
    if rewrite(&rw, &input, &opts, &mut out).is_ok() {
        let back = dir.join(format!("out.{ext}"));
        std::fs::write(&back, &out).unwrap();
        let written = Input {
            path: back,
            size: out.len() as u64,
            ..input
        };
        let _ = scan_input(detector, &written, &opts, None, Arc::new(AtomicU64::new(0)));
    }
}

#[test]
fn mutated_inputs_never_panic_in_readers_detector_or_writers() {
    let iters: usize = std::env::var("SHROUD_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let detector = Detector::builtin().unwrap();
    let policy = Policy::builtin();
    let key =
        Key::parse(b"3c9e51a07f2b8d64e1a5c03b97f8d2460b1e7a93c5d8f2064a7e1b9c3d5f8a02").unwrap();
    let seeds = seeds();
    assert!(seeds.len() > 20, "{} seeds", seeds.len());
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x5eed_cafe_f00d_0001);
    let mut failures = Vec::new();
    for i in 0..iters {
        let (name, seed) = &seeds[rng.below(seeds.len())];
        let mut data = seed.clone();
        let what = mutate(&mut rng, &mut data);
        let (format, ext) = format_of(name, rng.below(20));
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run(&detector, &policy, &key, dir.path(), &data, format, ext)
        }));
        if r.is_err() {
            let keep = root().join("target/fuzz-smoke-failures");
            std::fs::create_dir_all(&keep).unwrap();
            let file = keep.join(format!("{i}.{ext}"));
            std::fs::write(&file, &data).unwrap();
            failures.push(format!(
                "#{i} {name} as {ext} after {what}: {}",
                file.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {iters} mutants panicked:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
