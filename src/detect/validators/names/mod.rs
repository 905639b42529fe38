//! Person-name dictionaries and the `person_name` validator.
//!
//! Dictionaries come from `rules/data/` (US Census 1990 first names and surnames, plus a list of
//! capitalised words that are never names) and are built once, on first use. A surname alone is
//! weak evidence (Brown, Young, King are words), so a span is a name when it holds a known first
//! name followed by a surname-like word, or a title followed by a name.
//!
//! Layout: [`gazetteer`] holds the dictionaries, `lexicon` the word lists around names
//! (roles, honorifics, speech verbs, organisation words), `organisation` the test for cells
//! that name a firm, `context` the judgement of a run where it stands in its sentence
//! ([`check_in`]), `lists` the names inferred from their list or table column
//! ([`list_siblings`]); this file holds the word classes, the cell validators and the test of
//! a run's words alone ([`check`]).

use super::{Check, Validity};

mod context;
mod gazetteer;
mod lexicon;
mod lists;
mod organisation;

pub use context::check_in;
pub use gazetteer::Names;
use gazetteer::fold;
use lexicon::*;
pub use lists::list_siblings;
use organisation::is_legal_form;
pub use organisation::names_organisation;
use std::sync::OnceLock;

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

/// A whole cell in a name column: a name unless it names an organisation
/// ([`names_organisation`]).
pub fn name_cell(text: &str) -> Validity {
    if names_organisation(text) {
        Validity::Invalid
    } else {
        Validity::Valid
    }
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
    let blocked = words.iter().any(|w| names.is_not_name(w)) || names_organisation(text);
    if known && !blocked {
        Validity::Valid
    } else {
        Validity::Invalid
    }
}

/// The word of `cell` that ends right before byte `at` (letters only, lower-cased), if the
/// two are separated by spaces only (or `, ` after a greeting).
fn word_before(cell: &str, at: usize) -> Folded {
    let before = cell[..at].trim_end_matches([' ', '\t', ',', '\n', '\r', '!']);
    if before.len() == at {
        return Folded::EMPTY;
    }
    let start = before
        .rfind(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’' || c == '.'))
        .map_or(0, |i| {
            i + before[i..].chars().next().map_or(1, char::len_utf8)
        });
    lower_letters(before[start..].trim_end_matches('.'))
}

/// The word right before byte `at` (separated by spaces or tabs only) and its start.
fn raw_word_before(cell: &str, at: usize) -> Option<(&str, usize)> {
    let before = cell[..at].trim_end_matches([' ', '\t']);
    if before.len() == at {
        return None;
    }
    let start = before
        .char_indices()
        .rev()
        .find(|&(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let w = &before[start..];
    (!w.is_empty()).then_some((w, start))
}

/// The word of `cell` that starts after byte `at` past spaces, lower-cased (letters only).
fn word_after(cell: &str, at: usize) -> Folded {
    let after = cell[at..].trim_start_matches([' ', '\t']);
    let end = after
        .find(|c: char| !(c.is_alphanumeric() || c == '\''))
        .unwrap_or(after.len());
    lower_letters(&after[..end])
}

/// A word lower-cased and ASCII-folded on the stack (letters and `-` kept; empty when longer
/// than 32 bytes): the validator looks up every word of every candidate.
struct Folded {
    buf: [u8; 32],
    len: usize,
}

impl Folded {
    const EMPTY: Folded = Folded {
        buf: [0; 32],
        len: 0,
    };

    fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }
}

fn lower_letters(w: &str) -> Folded {
    let mut f = Folded {
        buf: [0; 32],
        len: 0,
    };
    for c in w.trim_end_matches(['.', ',', ':', ';']).chars().map(fold) {
        if !(c.is_ascii_alphabetic() || c == '-') {
            continue;
        }
        if f.len == f.buf.len() {
            f.len = 0;
            return f;
        }
        f.buf[f.len] = c.to_ascii_lowercase() as u8;
        f.len += 1;
    }
    f
}

const HONORIFIC: u16 = 1;
const ROLE: u16 = 2;
const DEMONYM: u16 = 4;
const ORG: u16 = 8;
const PLACE_PREFIX: u16 = 16;
const SPEECH: u16 = 32;
const CUE: u16 = 64;
const GREETING: u16 = 128;
const CLOSING: u16 = 256;
/// Verbs only people do ("Charlotte said"), enough to tell a person from a place.
const SAYS: u16 = 1024;
const SAYING: &[&str] = &[
    "said",
    "says",
    "told",
    "tells",
    "asked",
    "asks",
    "wrote",
    "replied",
    "thanked",
    "agreed",
    "explained",
    "admitted",
    "insisted",
    "complained",
    "promised",
    "apologised",
    "apologized",
];
/// The first word of a company named like a person (`ORGS`).
const ORG_START: u16 = 512;
/// A word that gives the speaker of what was said (`aldus`, `laut`, `selon`).
const QUOTE: u16 = 2048;

/// The classes of a lower-cased word (a bit per word list above), from one lookup.
fn class(lower: &[u8]) -> u16 {
    static MAP: OnceLock<foldhash::HashMap<&'static [u8], u16>> = OnceLock::new();
    let map = MAP.get_or_init(|| {
        let mut m = foldhash::HashMap::default();
        for (list, bit) in [
            (HONORIFICS, HONORIFIC),
            (ROLES, ROLE),
            (DEMONYMS, DEMONYM),
            (ORG_WORDS, ORG),
            (PLACE_PREFIXES, PLACE_PREFIX),
            (SPEECH_AFTER, SPEECH),
            (CUE_BEFORE, CUE),
            (GREETINGS, GREETING),
            (CLOSINGS, CLOSING),
            (SAYING, SAYS),
            (HONORIFICS_INTL, HONORIFIC),
            (GREETINGS_INTL, GREETING),
            (CLOSINGS_INTL, CLOSING),
            (SAYING_INTL, SAYS | SPEECH),
            (CUE_INTL, CUE),
            (ROLES_INTL, ROLE),
            (QUOTATIVES, QUOTE),
        ] {
            for w in list {
                *m.entry(w.as_bytes()).or_insert(0) |= bit;
            }
        }
        for o in ORGS {
            let first = o.split(' ').next().unwrap_or(o);
            *m.entry(first.as_bytes()).or_insert(0) |= ORG_START;
        }
        m
    });
    map.get(lower).copied().unwrap_or(0)
}

/// Closing words of a message, before a signature ("Best,\nTom").
const CLOSINGS: &[&str] = &[
    "best",
    "regards",
    "thanks",
    "cheers",
    "sincerely",
    "yours",
    "wishes",
    "love",
    "warmly",
    "thx",
    "ta",
    "gruesse",
    "grusse",
    "saludos",
    "cordialement",
];

/// Whether `word` (any case) is a word around names, never part of one: a title, a role, a
/// cue, a greeting or a closing (`Customer`, `Dear`, `Herrn`, `Groetjes`).
pub fn is_context_word(word: &str) -> bool {
    class(lower_letters(word).bytes()) & (HONORIFIC | ROLE | CUE | GREETING | CLOSING) != 0
}

/// Whether `word` (any case) names a kind of place or organisation (`Street`, `Port`, `Bank`,
/// `Station`), never part of a person's name in a list.
pub fn is_thing_word(word: &str) -> bool {
    class(lower_letters(word).bytes()) & (ORG | PLACE_PREFIX) != 0
}

/// Whether `w` (any case) is a common word of a supported language other than a name
/// ([`crate::detect::recall::is_common_word`]).
fn common_word(w: &str) -> bool {
    crate::detect::recall::is_common_word(&w.to_lowercase())
}

/// Validates a run of capitalised words as a person's name and narrows it to the name.
pub fn check(text: &str) -> Check {
    let names = Names::get();
    let ws = words(text);
    // The first part of a hyphenated first name decides (Hans-Peter, Marie-Claire).
    fn first_part(w: &str) -> &str {
        w.split('-').next().unwrap_or(w)
    }
    let nameish = |w: &str| !is_particle(w) && !names.is_not_name(w) && !is_title(w);
    let mut i = 0;
    while i < ws.len() {
        let w = ws[i].text;
        let titled = is_title(w);
        let first = !titled && nameish(w) && names.is_first(first_part(w));
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
