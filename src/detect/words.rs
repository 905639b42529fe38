//! The word table: every word of the lists under `rules/data/` (the seven common-word lists,
//! the name gazetteers, places, English words) with flag bits saying which lists hold it.
//! `build.rs` writes it as an open-addressing hash table and the binary embeds it, so a
//! look-up costs one hash and usually one probe, and nothing is loaded at start-up (the
//! lists took 70 ms to load into hash sets on every run that read free text or names).

/// The table `build.rs` wrote (see there for the layout).
static TABLE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/words.bin"));

/// Bit `i` (0..7): a common word of language `i` ([`LANGUAGES`]).
pub const COMMON: u32 = (1 << LANGUAGES.len()) - 1;
/// Bit `FUNCTION + i`: one of the 250 most frequent words of language `i`.
pub const FUNCTION: u32 = 8;
/// A first name (free-text lists: three characters or more) that is no common word.
pub const FIRST_NAME: u32 = 1 << 16;
/// A first name or surname (free-text lists: three characters or more).
pub const NAME: u32 = 1 << 17;
/// Gazetteer: a first name (folded key).
pub const G_FIRST: u32 = 1 << 18;
/// Gazetteer: a surname.
pub const G_LAST: u32 = 1 << 19;
/// Gazetteer: a capitalised word that is never a name.
pub const G_NOT_NAME: u32 = 1 << 20;
/// Gazetteer: a first name that is also an English word.
pub const G_WORD_NAME: u32 = 1 << 21;
/// Gazetteer: a country, US state or large city (words one space apart).
pub const G_PLACE: u32 = 1 << 22;
/// A lower-case English word.
pub const G_ENGLISH: u32 = 1 << 23;

/// The common-word lists, in the order of their bits.
pub const LANGUAGES: [&str; 7] = ["en", "de", "fr", "es", "it", "nl", "pt"];

fn u32_at(i: usize) -> u32 {
    u32::from_le_bytes([TABLE[i], TABLE[i + 1], TABLE[i + 2], TABLE[i + 3]])
}

/// The flags of `key` (exact bytes); 0 for a word no list holds.
pub fn flags(key: &[u8]) -> u32 {
    debug_assert_eq!(u32_at(0), super::wordhash::VERSION);
    let slots = u32_at(4) as usize;
    let blob = 12 + slots * 8;
    let mut i = super::wordhash::hash(key) as usize & (slots - 1);
    loop {
        let k = u32_at(12 + i * 8);
        if k == 0 {
            return 0;
        }
        let (off, len) = ((k >> 8) as usize, (k & 0xff) as usize);
        if len == key.len() && &TABLE[blob + off..blob + off + len] == key {
            return u32_at(12 + i * 8 + 4);
        }
        i = (i + 1) & (slots - 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::io::Read;

    fn gz(bytes: &[u8]) -> String {
        let mut text = String::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_string(&mut text)
            .unwrap();
        text
    }

    /// The table holds exactly what the lists say, built here the slow way, with hash sets:
    /// every word's flags, and nothing for words no list holds.
    #[test]
    fn the_table_agrees_with_the_lists() {
        let lists: [&[u8]; 7] = [
            include_bytes!("../../rules/data/common_words/en.txt.gz"),
            include_bytes!("../../rules/data/common_words/de.txt.gz"),
            include_bytes!("../../rules/data/common_words/fr.txt.gz"),
            include_bytes!("../../rules/data/common_words/es.txt.gz"),
            include_bytes!("../../rules/data/common_words/it.txt.gz"),
            include_bytes!("../../rules/data/common_words/nl.txt.gz"),
            include_bytes!("../../rules/data/common_words/pt.txt.gz"),
        ];
        let mut want: HashMap<String, u32> = HashMap::new();
        let sets: Vec<Vec<String>> = lists
            .iter()
            .map(|l| {
                gz(l)
                    .lines()
                    .filter(|w| !w.is_empty())
                    .map(String::from)
                    .collect()
            })
            .collect();
        for (i, words) in sets.iter().enumerate() {
            for (rank, w) in words.iter().enumerate() {
                let f = (1 << i)
                    | if rank < 250 {
                        1 << (FUNCTION + i as u32)
                    } else {
                        0
                    };
                *want.entry(w.clone()).or_default() |= f;
            }
        }
        let first = include_str!("../../rules/data/first_names.txt");
        let last = include_str!("../../rules/data/surnames.txt");
        let long = |l: &&str| !l.starts_with('#') && !l.is_empty() && l.chars().count() >= 3;
        let common: std::collections::HashSet<&str> =
            sets.iter().flatten().map(String::as_str).collect();
        for n in first.lines().filter(long) {
            let common = common.contains(n);
            *want.entry(n.into()).or_default() |= NAME | if common { 0 } else { FIRST_NAME };
        }
        for n in last.lines().filter(long) {
            *want.entry(n.into()).or_default() |= NAME;
        }
        let gaz = |text: &'static str, f: u32, want: &mut HashMap<String, u32>| {
            for l in text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
            {
                *want.entry(l.into()).or_default() |= f;
            }
        };
        gaz(first, G_FIRST, &mut want);
        gaz(last, G_LAST, &mut want);
        gaz(
            include_str!("../../rules/data/not_names.txt"),
            G_NOT_NAME,
            &mut want,
        );
        gaz(
            include_str!("../../rules/data/word_names.txt"),
            G_WORD_NAME,
            &mut want,
        );
        gaz(
            include_str!("../../rules/data/places.txt"),
            G_PLACE,
            &mut want,
        );
        for w in gz(include_bytes!("../../rules/data/english_words.txt.gz")).lines() {
            *want.entry(w.into()).or_default() |= G_ENGLISH;
        }
        let mut wrong = Vec::new();
        for (w, &f) in &want {
            if flags(w.as_bytes()) != f {
                wrong.push(format!(
                    "{w}: table {:#x}, lists {f:#x}",
                    flags(w.as_bytes())
                ));
            }
        }
        assert!(
            wrong.is_empty(),
            "{} wrong, e.g. {:?}",
            wrong.len(),
            &wrong[..wrong.len().min(5)]
        );
        // Words no list holds: every listed word with a letter added or changed.
        for (n, w) in want.keys().take(50_000).enumerate() {
            let mut v = w.clone().into_bytes();
            if n % 2 == 0 {
                v.push(b'q');
            } else {
                v[0] = v[0].wrapping_add(1);
            }
            if !want.contains_key(std::str::from_utf8(&v).unwrap_or("")) {
                assert_eq!(flags(&v), 0, "{:?}", String::from_utf8_lossy(&v));
            }
        }
    }
}
