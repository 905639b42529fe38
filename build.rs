//! Builds the word table (`src/detect/words.rs`) from the word lists under `rules/data/`:
//! every word of the seven common-word lists, the name gazetteers, the places and the English
//! words, each with flag bits saying which lists hold it, in an open-addressing hash table
//! that the binary embeds. A run of shroud then looks words up with no start-up cost (these
//! lists took 70 ms to load into hash sets), and one probe answers every question about a
//! word.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

#[path = "src/detect/wordhash.rs"]
mod wordhash;

/// The common-word lists, in the order of their flag bits (English first).
const LANGUAGES: [&str; 7] = ["en", "de", "fr", "es", "it", "nl", "pt"];
/// The most frequent words of each list: its function words.
const FUNCTION_WORDS: usize = 250;

// Flag bits; `src/detect/words.rs` declares the same ones.
const FUNCTION: u32 = 8;
const FIRST_NAME: u32 = 1 << 16;
const NAME: u32 = 1 << 17;
const G_FIRST: u32 = 1 << 18;
const G_LAST: u32 = 1 << 19;
const G_NOT_NAME: u32 = 1 << 20;
const G_WORD_NAME: u32 = 1 << 21;
const G_PLACE: u32 = 1 << 22;
const G_ENGLISH: u32 = 1 << 23;

fn read(path: &str) -> String {
    println!("cargo::rerun-if-changed={path}");
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    if path.ends_with(".gz") {
        let mut text = String::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut text)
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        text
    } else {
        String::from_utf8(bytes).unwrap_or_else(|e| panic!("{path}: {e}"))
    }
}

/// Gazetteer lines: trimmed, no blank lines or comments.
fn gazetteer(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Name entries of the free-text pass: no comments, three characters or more.
fn entries(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter(|n| n.chars().count() >= 3)
}

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=src/detect/wordhash.rs");
    let mut flags: HashMap<String, u32> = HashMap::new();
    let mut add = |w: &str, f: u32| *flags.entry(w.to_string()).or_default() |= f;
    for (i, code) in LANGUAGES.iter().enumerate() {
        let text = read(&format!("rules/data/common_words/{code}.txt.gz"));
        for (rank, w) in text.lines().filter(|l| !l.is_empty()).enumerate() {
            let function = if rank < FUNCTION_WORDS {
                1 << (FUNCTION + i as u32)
            } else {
                0
            };
            add(w, (1 << i) | function);
        }
    }
    let first = read("rules/data/first_names.txt");
    let last = read("rules/data/surnames.txt");
    let common = (1u32 << LANGUAGES.len()) - 1;
    for n in entries(&first) {
        let f = flags.entry(n.to_string()).or_default();
        if *f & common == 0 {
            *f |= FIRST_NAME;
        }
        *f |= NAME;
    }
    let mut add = |w: &str, f: u32| *flags.entry(w.to_string()).or_default() |= f;
    entries(&last).for_each(|n| add(n, NAME));
    gazetteer(&first).for_each(|w| add(w, G_FIRST));
    gazetteer(&last).for_each(|w| add(w, G_LAST));
    gazetteer(&read("rules/data/not_names.txt")).for_each(|w| add(w, G_NOT_NAME));
    gazetteer(&read("rules/data/word_names.txt")).for_each(|w| add(w, G_WORD_NAME));
    gazetteer(&read("rules/data/places.txt")).for_each(|w| add(w, G_PLACE));
    read("rules/data/english_words.txt.gz")
        .lines()
        .for_each(|w| add(w, G_ENGLISH));

    // Layout (little-endian u32s): VERSION, slot count (a power of two), blob length, then
    // the slots (two u32 each: the key's blob offset << 8 | its length, 0 for an empty slot;
    // its flags), then the blob of keys. Linear probing from `hash & (slots - 1)`; at most
    // two thirds of the slots are used (eight slots share a cache line).
    let mut words: Vec<(&String, &u32)> = flags.iter().filter(|(w, _)| w.len() < 256).collect();
    words.sort();
    let slots = (words.len() + words.len() / 2).next_power_of_two();
    let mut table = vec![(0u32, 0u32); slots];
    let mut blob: Vec<u8> = vec![0]; // offset 0 marks an empty slot
    for (w, &f) in words {
        let mut i = wordhash::hash(w.as_bytes()) as usize & (slots - 1);
        while table[i].0 != 0 {
            i = (i + 1) & (slots - 1);
        }
        let off = u32::try_from(blob.len()).expect("blob under 16 MB");
        assert!(off < 1 << 24, "word blob over 16 MB");
        table[i] = ((off << 8) | w.len() as u32, f);
        blob.extend_from_slice(w.as_bytes());
    }
    let mut out = Vec::with_capacity(12 + slots * 8 + blob.len());
    for v in [wordhash::VERSION, slots as u32, blob.len() as u32] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    for (k, f) in table {
        out.extend_from_slice(&k.to_le_bytes());
        out.extend_from_slice(&f.to_le_bytes());
    }
    out.extend_from_slice(&blob);
    let dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(Path::new(&dir).join("words.bin"), out).expect("write words.bin");
}
