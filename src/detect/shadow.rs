//! Shadow text: a cell with non-ASCII characters, read by the Unicode rules through their
//! ASCII forms on the lazy DFA.
//!
//! The Unicode rules' patterns run without the lazy DFA (their classes would blow up its
//! states), so a cell with one accented letter cost the bounded backtracker over all of it:
//! 40% of a multilingual notes column. But a pattern tells characters apart only by the
//! classes and literal characters it holds and by whether they are word characters (for
//! `\b`). Two characters alike in all of these are interchangeable: the pattern matches a
//! text with one in place of the other at the same characters, from the same start, with
//! the same preferences. So each non-ASCII character of a cell is replaced by an ASCII
//! character that the engine's patterns cannot tell from it (`é` reads as some lower-case
//! letter that no literal names), one byte for one character. The copy is ASCII, where the
//! patterns' ASCII forms match exactly as the patterns do (the [`super::asciify`] law), and
//! their matches map back to the cell's characters. A cell holding a character no ASCII
//! character can stand in for (one the patterns name as a literal, as `ß` in `straße`) is
//! read as before.
//!
//! Literal ASCII characters and classes of ASCII characters only (`[A-Za-z]`) are not told
//! apart: the street types of the address rules use almost every lower-case letter, which
//! would leave `ü` without a stand-in. A stand-in that such a literal or class holds can only
//! let the copy match more than the cell (no non-ASCII character passes that test, the
//! stand-in may; every other test gives both the same answer), never less. So a
//! match that reads such a stand-in (or has one beside it) is checked on the cell with the
//! Unicode engine, anchored at its start; if the cell's match differs, the cell is read
//! with the Unicode engine from the start. A match that reads none is the cell's match.
//!
//! A property test compares both readings on generated multilingual text.

use regex_syntax::hir::{Class, Hir, HirKind, Look};
use std::collections::HashMap;

/// What one engine's Unicode patterns can tell apart about a character.
#[derive(Debug)]
pub(super) struct Shadow {
    /// The patterns' character classes and literal characters, as sorted ranges.
    atoms: Vec<Vec<(char, char)>>,
    /// Whether a pattern tests ASCII word boundaries (then ASCII word-ness is told apart).
    ascii_words: bool,
    /// For each signature an ASCII character has, a character that has it, and whether
    /// no literal names it (then a match reading it needs no check).
    by_signature: HashMap<Vec<u64>, (u8, bool)>,
}

/// Collects the classes holding non-ASCII characters and the non-ASCII literal characters
/// of `h` as atoms, and its ASCII literal characters and ASCII-only classes in `ascii`; `false` when `h` holds something the signature cannot
/// account for (a byte class outside ASCII).
fn collect(h: &Hir, atoms: &mut Vec<Vec<(char, char)>>, ascii: &mut [bool; 128]) -> bool {
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(l) => match std::str::from_utf8(&l.0) {
            Ok(s) => {
                for c in s.chars() {
                    if c.is_ascii() {
                        ascii[c as usize] = true;
                    } else {
                        atoms.push(vec![(c, c)]);
                    }
                }
                true
            }
            Err(_) => false,
        },
        HirKind::Class(Class::Unicode(c)) => {
            let ranges: Vec<(char, char)> =
                c.ranges().iter().map(|r| (r.start(), r.end())).collect();
            add_class(ranges, atoms, ascii);
            true
        }
        HirKind::Class(Class::Bytes(c)) => {
            if c.ranges().iter().any(|r| r.end() >= 0x80) {
                return false;
            }
            let ranges = c
                .ranges()
                .iter()
                .map(|r| (r.start() as char, r.end() as char))
                .collect();
            add_class(ranges, atoms, ascii);
            true
        }
        HirKind::Repetition(r) => collect(&r.sub, atoms, ascii),
        HirKind::Capture(c) => collect(&c.sub, atoms, ascii),
        HirKind::Concat(v) | HirKind::Alternation(v) => v.iter().all(|h| collect(h, atoms, ascii)),
    }
}

/// A class of ASCII characters only acts as literals do (no non-ASCII character is in it,
/// a stand-in may be): its characters go to `ascii`. Any other class is an atom.
fn add_class(
    ranges: Vec<(char, char)>,
    atoms: &mut Vec<Vec<(char, char)>>,
    ascii: &mut [bool; 128],
) {
    if ranges.iter().all(|&(_, hi)| hi.is_ascii()) {
        for (lo, hi) in ranges {
            for c in lo..=hi {
                ascii[c as usize] = true;
            }
        }
    } else {
        atoms.push(ranges);
    }
}

impl Shadow {
    /// The shadow of an engine's Unicode patterns (parsed as they are compiled); `None` when
    /// a pattern holds something it cannot account for.
    pub(super) fn new(hirs: &[Hir]) -> Option<Shadow> {
        let mut atoms = Vec::new();
        let mut literal = [false; 128];
        for h in hirs {
            if !collect(h, &mut atoms, &mut literal) {
                return None;
            }
        }
        atoms.sort();
        atoms.dedup();
        let ascii_words = hirs.iter().any(|h| {
            let looks = h.properties().look_set();
            [
                Look::WordAscii,
                Look::WordAsciiNegate,
                Look::WordStartAscii,
                Look::WordEndAscii,
                Look::WordStartHalfAscii,
                Look::WordEndHalfAscii,
            ]
            .into_iter()
            .any(|l| looks.contains(l))
        });
        let mut shadow = Shadow {
            atoms,
            ascii_words,
            by_signature: HashMap::new(),
        };
        // Line breaks stand in for nothing: line anchors test them.
        for b in (0u8..0x80).filter(|b| !matches!(b, b'\n' | b'\r')) {
            let sig = shadow.signature(b as char);
            let clean = !literal[b as usize];
            let slot = shadow.by_signature.entry(sig).or_insert((b, clean));
            if clean && !slot.1 {
                *slot = (b, true);
            }
        }
        Some(shadow)
    }

    /// What the patterns can test about `c` (but for ASCII literals): membership in each
    /// atom, and word-ness.
    fn signature(&self, c: char) -> Vec<u64> {
        let n = self.atoms.len() + 2;
        let mut sig = vec![0u64; n.div_ceil(64)];
        let mut set = |i: usize| sig[i / 64] |= 1 << (i % 64);
        for (i, ranges) in self.atoms.iter().enumerate() {
            let k = ranges.partition_point(|&(_, hi)| hi < c);
            if ranges.get(k).is_some_and(|&(lo, _)| lo <= c) {
                set(i);
            }
        }
        if regex_syntax::try_is_word_character(c).unwrap_or(false) {
            set(n - 2);
        }
        if self.ascii_words && (c.is_ascii_alphanumeric() || c == '_') {
            set(n - 1);
        }
        sig
    }

    /// The ASCII byte the patterns' classes cannot tell from `c`, if any, and whether no
    /// literal names it.
    pub(super) fn stand_in(&self, c: char) -> Option<(u8, bool)> {
        self.by_signature.get(&self.signature(c)).copied()
    }

    /// Writes the shadow of `text` into `out.bytes` (one byte per character), the byte offset
    /// in `text` of each of its characters (then `text.len()`) into `out.at`, and the
    /// characters whose stand-in a literal names into `out.checked`. `false` when a
    /// character has no stand-in. `cache` remembers stand-ins per character.
    pub(super) fn write(
        &self,
        text: &str,
        cache: &mut HashMap<char, Option<(u8, bool)>>,
        out: &mut ShadowText,
    ) -> bool {
        out.bytes.clear();
        out.at.clear();
        out.checked.clear();
        for (i, c) in text.char_indices() {
            out.at.push(i as u32);
            if c.is_ascii() {
                out.bytes.push(c as u8);
                continue;
            }
            if cache.len() > 4096 {
                cache.clear();
            }
            match *cache.entry(c).or_insert_with(|| self.stand_in(c)) {
                Some((b, clean)) => {
                    if !clean {
                        out.checked.push(out.bytes.len() as u32);
                    }
                    out.bytes.push(b);
                }
                None => return false,
            }
        }
        out.at.push(text.len() as u32);
        true
    }
}

/// A cell's shadow (see [`Shadow::write`]).
#[derive(Debug, Default)]
pub(super) struct ShadowText {
    /// One ASCII byte per character of the cell.
    pub(super) bytes: Vec<u8>,
    /// Byte offset in the cell of each character, then the cell's length.
    pub(super) at: Vec<u32>,
    /// Characters (ascending) whose stand-in a literal names: a match reading one, or
    /// beside one, is checked on the cell.
    pub(super) checked: Vec<u32>,
}

impl ShadowText {
    /// Whether the match `start..end` of the shadow reads a checked character or looks at
    /// one beside it.
    pub(super) fn needs_check(&self, start: usize, end: usize) -> bool {
        let from = start.saturating_sub(1) as u32;
        let k = self.checked.partition_point(|&i| i < from);
        self.checked.get(k).is_some_and(|&i| i as usize <= end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shadow_of(patterns: &[&str]) -> Shadow {
        let hirs: Vec<Hir> = patterns
            .iter()
            .map(|p| regex_syntax::Parser::new().parse(p).unwrap())
            .collect();
        Shadow::new(&hirs).unwrap()
    }

    #[test]
    fn stand_ins_read_alike_and_literals_have_none() {
        let s = shadow_of(&[r"\b\p{Lu}\p{Ll}+\b", r"stra(ß|ss)e"]);
        let (e, clean) = s.stand_in('é').unwrap();
        assert!(e.is_ascii_lowercase() && clean && !b"stra".contains(&e));
        assert!(s.stand_in('É').unwrap().0.is_ascii_uppercase());
        // Named by a literal: only itself reads as itself.
        assert_eq!(s.stand_in('ß'), None);
        // A combining mark is a word character in no class here: a digit reads alike.
        assert!(s.stand_in('\u{301}').unwrap().0.is_ascii_digit());
        // Every lower-case ASCII letter named by a literal: a stand-in to check.
        let all = shadow_of(&[r"\b\p{Ll}+\b", "abcdefghijklmnopqrstuvwxyz"]);
        let (u, clean) = all.stand_in('ü').unwrap();
        assert!(u.is_ascii_lowercase() && !clean);
    }

    #[test]
    fn shadows_keep_one_byte_per_character() {
        let s = shadow_of(&[r"\b\p{Lu}\p{Ll}+\b"]);
        let (mut out, mut cache) = (ShadowText::default(), HashMap::new());
        let text = "Zoë Åström, 12";
        assert!(s.write(text, &mut cache, &mut out));
        assert_eq!(out.bytes.len(), text.chars().count());
        assert!(out.bytes.is_ascii() && out.checked.is_empty());
        assert_eq!(out.at.last(), Some(&(text.len() as u32)));
    }

    /// Words of many scripts and shapes: names with diacritics, street types the address
    /// rules name as literals (`straße`, `allée`, `Travesía`), titles, particles, emails,
    /// combining marks, no-break spaces, Greek, Cyrillic, CJK, digits.
    const WORDS: &[&str] = &[
        "José",
        "Müller",
        "Łukasz",
        "Zoë",
        "Ñúñez",
        "Ærøskøbing",
        "Dvořák",
        "Åsa",
        "Øyvind",
        "Chloé",
        "Françoise",
        "Gonçalves",
        "Hauptstraße",
        "straße",
        "allée",
        "Allée",
        "Travesía",
        "Callejón",
        "Cañada",
        "Praça",
        "vägen",
        "gränd",
        "n°",
        "nº",
        "12",
        "5/1",
        "210-B",
        "44",
        "rue",
        "de",
        "la",
        "van",
        "der",
        "Dr.",
        "Mme",
        "Herr",
        "Frau",
        "Sr.",
        "Mr",
        "Anna",
        "Maria",
        "Smith",
        "Jean-Luc",
        "O’Brien",
        "d’Artagnan",
        "e\u{301}mile",
        "Cafe\u{301}",
        "Δημήτρης",
        "Дмитрий",
        "Иванов",
        "山田",
        "太郎",
        "josé@exämple.com",
        "ana@correo.es",
        "+49 30 901820",
        "Kunde",
        "bittet",
        "um",
        "Rückruf",
        "wegen",
        "Bestellung",
        "called",
        "about",
        "the",
        "refund",
        "Street",
        "Via",
        "Roma",
        "Calle",
        "Mayor",
        "Avenue",
        "C/",
        "Av.",
        "ul.",
        "Długa",
        "Straat",
        "Keizersgracht",
        "ﬁnal",
        "Ǆemal",
        "ǅemal",
        "İstanbul",
        "ß",
        "ẞ",
        "\u{a0}",
        "K",
        "Kelvin",
        "ſ",
        "x",
        "q",
        "Q",
        "€",
        "£",
        "→",
        "—",
        "¿Qué?",
    ];
    const SEPARATORS: &[&str] = &[" ", " ", " ", ", ", ". ", "\n", "\t", "; ", " - ", "\u{a0}"];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        /// The law: reading a cell through its shadow finds exactly what the Unicode engine
        /// finds, in free text, in a name column and in an address column.
        #[test]
        fn shadows_find_what_the_unicode_engine_finds(
            picks in proptest::collection::vec((0..WORDS.len(), 0..SEPARATORS.len()), 1..24),
        ) {
            let mut text = String::new();
            for (w, sep) in picks {
                text.push_str(WORDS[w]);
                text.push_str(SEPARATORS[sep]);
            }
            let (with, without) = detectors();
            for column in ["notes", "full_name", "street_address", "city"] {
                let a = with.scan_text(column, &text);
                let b = without.scan_text(column, &text);
                proptest::prop_assert_eq!(&a, &b, "{} in {:?}", column, text);
            }
        }
    }

    /// Literal words of the rules (street types, titles, particles) with one letter
    /// replaced by a non-ASCII letter no literal names: the shadow may read the literal back
    /// (`Plüza` as `Plaza`), which only a checked candidate can tell.
    fn near_literals() -> Vec<String> {
        let words = [
            "Street", "Avenue", "Plaza", "Road", "Lane", "Drive", "Way", "Court", "Via", "Calle",
            "Rua", "Strada", "Corso", "Mr", "Mrs", "Dr", "Herr", "Frau", "Mme", "van", "der",
            "rue", "avenue", "strasse", "straat", "laan", "gasse", "weg", "apt", "Suite",
        ];
        let mut out = Vec::new();
        for w in words {
            for (i, c) in w.char_indices() {
                for r in if c.is_uppercase() {
                    ['Ü', 'Ł', 'Á']
                } else {
                    ['ü', 'ł', 'á']
                } {
                    out.push(format!("{}{r}{}", &w[..i], &w[i + c.len_utf8()..]));
                }
            }
        }
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        /// The same law where the shadow reads more than the cell: addresses, titles and
        /// names built around words one letter away from a literal.
        #[test]
        fn checked_candidates_keep_the_cells_reading(
            n in 1u32..9999,
            near in proptest::sample::select(near_literals()),
            first in proptest::sample::select(WORDS),
            second in proptest::sample::select(WORDS),
            form in 0usize..4,
        ) {
            let text = match form {
                0 => format!("Delivered to {n} {first} {near} today"),
                1 => format!("{near} {first} {second} called, ref {n}"),
                2 => format!("{first} {near} {n}, {second}"),
                _ => format!("ask {near}. {first} {second} at {n} {near} {second}"),
            };
            let (with, without) = detectors();
            for column in ["notes", "street_address", "full_name"] {
                let a = with.scan_text(column, &text);
                let b = without.scan_text(column, &text);
                proptest::prop_assert_eq!(&a, &b, "{} in {:?}", column, text);
            }
        }
    }

    fn detectors() -> &'static (crate::detect::Detector, crate::detect::Detector) {
        static D: std::sync::OnceLock<(crate::detect::Detector, crate::detect::Detector)> =
            std::sync::OnceLock::new();
        D.get_or_init(|| {
            let with = crate::detect::Detector::builtin().unwrap();
            let mut without = crate::detect::Detector::builtin().unwrap();
            without.shadow_text = false;
            (with, without)
        })
    }
}
