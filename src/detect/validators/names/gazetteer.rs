//! The name dictionaries (`rules/data/`): US Census 1990 first names and surnames, a list of
//! capitalised words that are never names, first names that are also English words, places,
//! and lower-case English words. Built once, on first use, lower-cased and ASCII-folded.

use super::lower_letters;
use foldhash::HashSet;
use std::sync::OnceLock;

const FIRST: &str = include_str!("../../../../rules/data/first_names.txt");
const LAST: &str = include_str!("../../../../rules/data/surnames.txt");
const NOT_NAMES: &str = include_str!("../../../../rules/data/not_names.txt");
const WORD_NAMES: &str = include_str!("../../../../rules/data/word_names.txt");
const PLACES: &str = include_str!("../../../../rules/data/places.txt");
/// Lower-case English words, gzip-compressed (scripts/data/first_names.py).
const ENGLISH_GZ: &[u8] = include_bytes!("../../../../rules/data/english_words.txt.gz");

/// Name dictionaries, lower-cased and ASCII-folded.
pub struct Names {
    first: HashSet<&'static [u8]>,
    last: HashSet<&'static [u8]>,
    not_names: HashSet<&'static [u8]>,
    word_names: HashSet<&'static [u8]>,
    places: HashSet<&'static [u8]>,
    english: HashSet<Vec<u8>>,
}

/// The English word list, decompressed once.
fn english_words() -> HashSet<Vec<u8>> {
    use std::io::Read;
    let mut text = String::new();
    let _ = flate2::read::GzDecoder::new(ENGLISH_GZ).read_to_string(&mut text);
    text.lines().map(|l| l.as_bytes().to_vec()).collect()
}

pub(super) fn lines(s: &'static str) -> impl Iterator<Item = &'static str> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

impl Names {
    /// The shared dictionaries, built on first use.
    pub fn get() -> &'static Names {
        static NAMES: OnceLock<Names> = OnceLock::new();
        NAMES.get_or_init(|| Names {
            first: lines(FIRST).map(str::as_bytes).collect(),
            last: lines(LAST).map(str::as_bytes).collect(),
            not_names: lines(NOT_NAMES).map(str::as_bytes).collect(),
            word_names: lines(WORD_NAMES).map(str::as_bytes).collect(),
            places: lines(PLACES).map(str::as_bytes).collect(),
            english: english_words(),
        })
    }

    /// Whether `word` (any case, accents allowed) is a known first name.
    pub fn is_first(&self, word: &str) -> bool {
        self.lookup(word, &self.first)
    }

    /// Whether `word` is a known surname (either part of a double-barrelled one counts).
    pub fn is_last(&self, word: &str) -> bool {
        self.lookup(word, &self.last)
            || (word.contains('-') && word.split('-').any(|p| self.lookup(p, &self.last)))
    }

    /// Whether `word` is a capitalised word that is never a name here.
    pub fn is_not_name(&self, word: &str) -> bool {
        self.lookup(word, &self.not_names)
    }

    /// Whether `word` is a first name that is also a common English word (Will, Summer).
    pub fn is_word_name(&self, word: &str) -> bool {
        self.lookup(word, &self.word_names)
    }

    /// Whether `words` (one or more, any case) name a country, US state or large city.
    pub fn is_place(&self, words: &str) -> bool {
        if !words.contains([' ', '\t', '-']) {
            let w = lower_letters(words);
            return self.places.contains(w.bytes());
        }
        // The words folded to lower-case ASCII letters, one space apart, on the stack.
        let mut key = [0u8; 64];
        let mut n = 0;
        for w in words.split([' ', '\t', '-']).filter(|w| !w.is_empty()) {
            if n > 0 {
                if n == key.len() {
                    return false;
                }
                key[n] = b' ';
                n += 1;
            }
            for c in w.chars().map(fold).filter(char::is_ascii_alphabetic) {
                if n == key.len() {
                    return false;
                }
                key[n] = c.to_ascii_lowercase() as u8;
                n += 1;
            }
        }
        self.places.contains(&key[..n])
    }

    /// Whether `word` is a lower-case English word (`athletic`, `entertainment`).
    pub fn is_english(&self, word: &str) -> bool {
        let w = lower_letters(word);
        !w.is_empty() && !w.bytes().contains(&b'-') && self.english.contains(w.bytes())
    }

    fn lookup(&self, word: &str, set: &HashSet<&'static [u8]>) -> bool {
        let mut buf = [0u8; 32];
        let mut n = 0;
        for c in word.chars() {
            let c = fold(c);
            if !c.is_ascii_alphabetic() {
                continue; // O'Brien -> obrien
            }
            if n == buf.len() {
                return false;
            }
            buf[n] = c.to_ascii_lowercase() as u8;
            n += 1;
        }
        set.contains(&buf[..n])
    }
}

/// Folds common Latin accented letters to ASCII for dictionary lookups (José -> jose).
pub(super) fn fold(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'a',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
        'ç' | 'Ç' => 'c',
        'ñ' | 'Ñ' => 'n',
        'ß' => 's',
        'ý' | 'ÿ' | 'Ý' => 'y',
        _ => c,
    }
}
