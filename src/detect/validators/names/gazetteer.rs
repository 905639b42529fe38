//! The name dictionaries (`rules/data/`): US Census 1990 first names and surnames, a list of
//! capitalised words that are never names, first names that are also English words, places,
//! and lower-case English words, lower-cased and ASCII-folded, looked up in the word table
//! ([`crate::detect::words`]) that `build.rs` builds at compile time.

use super::lower_letters;
use crate::detect::words::{self, G_ENGLISH, G_FIRST, G_LAST, G_NOT_NAME, G_PLACE, G_WORD_NAME};

/// Name dictionaries, lower-cased and ASCII-folded: the flags of the word table
/// ([`crate::detect::words`]), which `build.rs` builds from `rules/data/` at compile time.
pub struct Names {
    _private: (),
}

impl Names {
    /// The shared dictionaries (built at compile time).
    pub fn get() -> &'static Names {
        static NAMES: Names = Names { _private: () };
        &NAMES
    }

    /// Whether `word` (any case, accents allowed) is a known first name.
    pub fn is_first(&self, word: &str) -> bool {
        self.lookup(word, G_FIRST)
    }

    /// Whether `word` is a known surname (either part of a double-barrelled one counts).
    pub fn is_last(&self, word: &str) -> bool {
        self.lookup(word, G_LAST)
            || (word.contains('-') && word.split('-').any(|p| self.lookup(p, G_LAST)))
    }

    /// Whether `word` is a capitalised word that is never a name here.
    pub fn is_not_name(&self, word: &str) -> bool {
        self.lookup(word, G_NOT_NAME)
    }

    /// Whether `word` is a first name that is also a common English word (Will, Summer).
    pub fn is_word_name(&self, word: &str) -> bool {
        self.lookup(word, G_WORD_NAME)
    }

    /// Whether `words` (one or more, any case) name a country, US state or large city.
    pub fn is_place(&self, words: &str) -> bool {
        if !words.contains([' ', '\t', '-']) {
            let w = lower_letters(words);
            return words::flags(w.bytes()) & G_PLACE != 0;
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
        words::flags(&key[..n]) & G_PLACE != 0
    }

    /// Whether `word` is a lower-case English word (`athletic`, `entertainment`).
    pub fn is_english(&self, word: &str) -> bool {
        let w = lower_letters(word);
        !w.is_empty() && !w.bytes().contains(&b'-') && words::flags(w.bytes()) & G_ENGLISH != 0
    }

    fn lookup(&self, word: &str, flag: u32) -> bool {
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
        words::flags(&buf[..n]) & flag != 0
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
