//! Person-name dictionaries and the `person_name` validator.
//!
//! Dictionaries come from `rules/data/` (US Census 1990 first names and surnames, plus a list of
//! capitalised words that are never names) and are built once, on first use. A surname alone is
//! weak evidence (Brown, Young, King are words), so a span is a name when it holds a known first
//! name followed by a surname-like word, or a title followed by a name.

use super::{Check, Validity};
use foldhash::HashSet;
use std::sync::OnceLock;

const FIRST: &str = include_str!("../../../rules/data/first_names.txt");
const LAST: &str = include_str!("../../../rules/data/surnames.txt");
const NOT_NAMES: &str = include_str!("../../../rules/data/not_names.txt");

const TITLES: &[&str] = &[
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "madam", "herr", "frau", "mme",
    "mlle", "sr", "sra", "srta", "sig", "dott",
];

/// Name dictionaries, lower-cased and ASCII-folded.
pub struct Names {
    first: HashSet<&'static str>,
    last: HashSet<&'static str>,
    not_names: HashSet<&'static str>,
}

fn lines(s: &'static str) -> impl Iterator<Item = &'static str> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

impl Names {
    /// The shared dictionaries, built on first use.
    pub fn get() -> &'static Names {
        static NAMES: OnceLock<Names> = OnceLock::new();
        NAMES.get_or_init(|| Names {
            first: lines(FIRST).collect(),
            last: lines(LAST).collect(),
            not_names: lines(NOT_NAMES).collect(),
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

    fn lookup(&self, word: &str, set: &HashSet<&'static str>) -> bool {
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
        std::str::from_utf8(&buf[..n]).is_ok_and(|w| set.contains(w))
    }
}

/// Folds common Latin accented letters to ASCII for dictionary lookups (José -> jose).
fn fold(c: char) -> char {
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

/// A word of the candidate with its byte span.
struct Word<'a> {
    text: &'a str,
    start: usize,
    end: usize,
}

fn words(text: &str) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        if c == ' ' || c == '\t' {
            if let Some(s) = start.take() {
                out.push(Word {
                    text: &text[s..i],
                    start: s,
                    end: i,
                });
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push(Word {
            text: &text[s..],
            start: s,
            end: text.len(),
        });
    }
    out
}

fn is_particle(w: &str) -> bool {
    matches!(
        w,
        "van"
            | "von"
            | "de"
            | "der"
            | "den"
            | "del"
            | "della"
            | "di"
            | "da"
            | "du"
            | "le"
            | "la"
            | "dos"
            | "das"
            | "ter"
            | "ten"
            | "bin"
            | "al"
    )
}

fn is_title(w: &str) -> bool {
    let w = w.trim_end_matches('.').to_ascii_lowercase();
    TITLES.contains(&w.as_str())
}

/// A capitalised word of two or more letters, lower-case after the first (or after an
/// inner capital as in McDonald), with letters, apostrophes and hyphens only.
fn looks_like_name(w: &str) -> bool {
    let mut chars = w.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let rest: Vec<char> = chars.collect();
    first.is_uppercase()
        && !rest.is_empty()
        && rest
            .iter()
            .all(|c| c.is_alphabetic() || *c == '\'' || *c == '’' || *c == '-')
        && rest.iter().any(|c| c.is_lowercase())
}

fn is_initial(w: &str) -> bool {
    let mut cs = w.chars();
    matches!((cs.next(), cs.next(), cs.next()), (Some(c), Some('.'), None) if c.is_uppercase())
}

/// Words (any case) of which one is a known first name or surname and none is a word that is
/// never a name: a name written in lower case (`jane doe`) in a name column.
pub fn name_words(text: &str) -> Validity {
    let names = Names::get();
    let words: Vec<&str> = text
        .split_whitespace()
        .filter(|w| !is_particle(w))
        .collect();
    let known = words.iter().any(|w| names.is_first(w) || names.is_last(w));
    let blocked = words.iter().any(|w| names.is_not_name(w));
    if known && !blocked {
        Validity::Valid
    } else {
        Validity::Invalid
    }
}

/// Validates `cell[start..end]` as a name, using its place in the sentence: a plausible name
/// that opens a sentence and is followed by a lower-case word ("Gregor Tintzmann asked...")
/// is confirmed when one of its words is in the dictionaries.
pub fn check_in(cell: &str, start: usize, end: usize) -> Check {
    let c = check(&cell[start..end]);
    if c.validity != Validity::Plausible {
        return c;
    }
    let (s, e) = c.span.map_or((start, end), |(a, b)| (start + a, start + b));
    let before = cell[..s].trim_end();
    let opens_sentence = before.is_empty() || before.ends_with(['.', '!', '?', ':', ';', '\n']);
    let next_lower = cell[e..]
        .trim_start_matches([' ', '\t'])
        .chars()
        .next()
        .is_some_and(char::is_lowercase);
    let names = Names::get();
    let known = cell[s..e]
        .split([' ', '\t'])
        .any(|w| names.is_first(w) || names.is_last(w));
    if opens_sentence && next_lower && known {
        return Check {
            validity: Validity::Valid,
            span: c.span,
        };
    }
    c
}

/// Validates a run of capitalised words as a person's name and narrows it to the name.
pub fn check(text: &str) -> Check {
    let names = Names::get();
    let ws = words(text);
    // The first part of a hyphenated first name decides (Hans-Peter, Marie-Claire).
    let first_part = |w: &str| w.split('-').next().unwrap_or(w).to_string();
    let nameish = |w: &str| !is_particle(w) && !names.is_not_name(w) && !is_title(w);
    let mut i = 0;
    while i < ws.len() {
        let w = ws[i].text;
        let titled = is_title(w);
        let first = !titled && nameish(w) && names.is_first(&first_part(w));
        // An unknown first name still starts a name when the next word is a known surname
        // (Mikayla Randolph), or, as a plausible name, when both look like names: the
        // engine keeps those only after a keyword such as "customer" or "requested by".
        let unknown_first = !titled && !first && nameish(w) && looks_like_name(w);
        if !(titled || first || unknown_first) {
            i += 1;
            continue;
        }
        // Extend over the following name words: particles, initials, capitalised names.
        let mut j = i + 1;
        let mut last_name_idx = None;
        while j < ws.len() && j <= i + 4 {
            let t = ws[j].text;
            if is_particle(t) || is_initial(t) {
                j += 1;
                continue;
            }
            // Right after a known first name, a surname that is also a word (West, Lane,
            // Price) is a surname: "Keith West" is a person.
            let word_surname = first
                && j == i + 1
                && !is_title(t)
                && looks_like_name(t)
                && names.is_last(t)
                && names.is_not_name(t);
            if !nameish(t) && !word_surname {
                break;
            }
            last_name_idx = Some(j);
            j += 1;
        }
        let Some(end_idx) = last_name_idx else {
            i += 1;
            continue;
        };
        let start = ws[i].start;
        let end = ws[end_idx].end;
        let span = if start == 0 && end == text.len() {
            None
        } else {
            Some((start, end))
        };
        // A first name followed only by other first names ("Paul Simon" is fine, "Jane Mary"
        // is ambiguous) still counts; a known surname makes it certain.
        let surname_known = names.is_last(ws[end_idx].text);
        // A known first name before a known surname is a name; before an unknown word
        // ("Grace Period", "Mark Complete") it is only plausible: context must confirm it.
        let validity = if titled || (first && surname_known) {
            Validity::Valid
        } else if unknown_first && !looks_like_name(ws[end_idx].text) {
            i += 1;
            continue;
        } else if unknown_first && surname_known && !names.is_last(w) {
            Validity::Valid
        } else {
            Validity::Plausible
        };
        return Check { validity, span };
    }
    Validity::Invalid.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span_text(text: &str) -> Option<&str> {
        let c = check(text);
        (c.validity == Validity::Valid).then(|| c.span.map_or(text, |(s, e)| &text[s..e]))
    }

    #[test]
    fn names_are_narrowed() {
        assert_eq!(span_text("Jane Doe"), Some("Jane Doe"));
        assert_eq!(span_text("Customer Jane Doe"), Some("Jane Doe"));
        assert_eq!(span_text("Dr. Müller"), Some("Dr. Müller"));
        assert_eq!(span_text("María García-López"), Some("María García-López"));
        assert_eq!(span_text("John F. Kennedy"), Some("John F. Kennedy"));
        assert_eq!(span_text("Anna van der Berg"), Some("Anna van der Berg"));
        assert_eq!(span_text("Keith West"), Some("Keith West"));
        assert_eq!(span_text("with Sarah Lane"), Some("Sarah Lane"));
    }

    #[test]
    fn non_names_are_rejected() {
        assert_eq!(span_text("The Quick Brown Fox"), None);
        assert_eq!(span_text("Jane"), None);
        assert_eq!(span_text("New York"), None);
        assert_eq!(span_text("Thank You"), None);
    }

    #[test]
    fn dictionaries_load() {
        let n = Names::get();
        assert!(n.is_first("JOSÉ"));
        assert!(n.is_last("o'brien"));
        assert!(!n.is_first("xqzzy"));
    }
}
