//! High-recall free text (issue 25): in the spirit of Philter, a word that could identify a
//! person is replaced unless it is explained. The precise rules find what they can prove
//! (emails, phones, names in context); this pass covers what they miss, at the price of
//! over-redaction, which is measured (`scripts/eval/prose/multilingual`).
//!
//! Candidates, word by word (every span outside the precise findings and shroud's tokens):
//! - a word with a capital letter that is not a common word of the text's language (or of
//!   English): `Ferrandis`, `Okonkwo-Hale`, `BRANDAUER`;
//! - a capitalised common word next to a candidate or after a name cue (`Rose` in `Rose
//!   Okonkwo`, `Frau Sommer`), unless it is a function word;
//! - a capitalised first name or surname of the gazetteers, also at a sentence's start and
//!   also when it is a common word (`Bernd sagt`, `Marchand demande`); in German,
//!   mid-sentence, only when it is no common noun (`die Bahn`);
//! - a capitalised word that recurs in the text as a candidate or as a name the rules found
//!   (`… Lange sagte` after `Stefan Lange`), and capitalised neighbours of such names;
//! - a postcode before its town (`3015 BE Rotterdam`);
//! - a lower-case word that is a first name and no common word (`anna`);
//! - an `@handle`;
//! - a digit run that is not a plain quantity, amount, date, time or year (`901820`,
//!   `8004`, `030`).
//!
//! Neighbouring candidates join into one span (`Chemin des Vignes`), and a name or address
//! the rules found inside a word is widened to the word (`Jun` of `Jun-seo`), so a
//! replacement never cuts a name in two. The language is the one whose function words the text uses most.
//! Common words: [`rules/data/common_words`](https://github.com/rspeer/wordfreq), names
//! removed (see its README).

/// What a candidate span is replaced as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Words: a name or anything that could be one (replaced as `PERSON`).
    Word,
    /// An `@handle` (`USERNAME`).
    Handle,
    /// A digit run that is not a quantity (`ID_NUMBER`).
    Digits,
}

/// A candidate span (byte offsets into the text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// Start.
    pub start: usize,
    /// End (exclusive).
    pub end: usize,
    /// Kind.
    pub kind: Kind,
}

use super::words::{self, FIRST_NAME, FUNCTION, NAME};

/// A supported language: its code and its bit in the word table's flags.
struct Language {
    code: &'static str,
    /// Bit `i` of a word's flags says it is common in this language, bit `FUNCTION + i`
    /// that it is one of its most frequent words.
    i: u32,
}

/// The supported languages over the word table ([`words`]), built at compile time: one
/// look-up per word answers every question (common in which languages, function word
/// where, a name).
struct Lexicon {
    languages: [Language; 7],
}

impl Lexicon {
    fn flags(&self, w: &str) -> u32 {
        words::flags(w.as_bytes())
    }

    /// Whether `w` is a common word of language `l`.
    fn common_in(&self, l: &Language, w: &str) -> bool {
        self.flags(w) & (1 << l.i) != 0
    }
}

static LEXICON: Lexicon = Lexicon {
    languages: [
        Language { code: "en", i: 0 },
        Language { code: "de", i: 1 },
        Language { code: "fr", i: 2 },
        Language { code: "es", i: 3 },
        Language { code: "it", i: 4 },
        Language { code: "nl", i: 5 },
        Language { code: "pt", i: 6 },
    ],
};

/// Words that announce a name: titles and forms of address in the supported languages,
/// lower case, without their dot.
const CUES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "prof",
    "sir",
    "dame",
    "herr",
    "frau",
    "hr",
    "fr",
    "mme",
    "mlle",
    "m",
    "monsieur",
    "madame",
    "sr",
    "sra",
    "srta",
    "señor",
    "señora",
    "don",
    "doña",
    "dott",
    "dottssa",
    "dottoressa",
    "sig",
    "signor",
    "signora",
    "dhr",
    "mevr",
    "mevrouw",
    "meneer",
    "heer",
    "senhor",
    "senhora",
    "dona",
    "ing",
    "mag",
    "avv",
];

/// Abbreviations whose dot ends no sentence (lower case, without the dot), besides the
/// titles of [`CUES`]: street types and the like.
const ABBREVIATIONS: &[&str] = &[
    "av", "avda", "avd", "str", "st", "rd", "ave", "blvd", "pl", "pza", "c", "col", "nr", "no",
    "n", "tel", "ca", "approx", "vs", "etc", "rev", "hon", "jr", "sen", "gen", "lt", "capt", "eng",
    "arq", "lic", "dra", "drs", "ir", "mr", "bd", "bv", "ch", "r",
];

/// Capitalised mid-sentence in the languages that do not capitalise nouns, and no one's
/// name: months, weekdays and the pronoun `I` (lower case).
const CALENDAR: &[&str] = &[
    "i",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "januar",
    "februar",
    "märz",
    "mai",
    "juni",
    "juli",
    "oktober",
    "dezember",
    "montag",
    "dienstag",
    "mittwoch",
    "donnerstag",
    "freitag",
    "samstag",
    "sonntag",
    "janvier",
    "février",
    "mars",
    "avril",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
    "lundi",
    "mardi",
    "mercredi",
    "jeudi",
    "vendredi",
    "samedi",
    "dimanche",
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
    "lunes",
    "martes",
    "miércoles",
    "jueves",
    "viernes",
    "sábado",
    "domingo",
    "gennaio",
    "febbraio",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "settembre",
    "ottobre",
    "dicembre",
    "lunedì",
    "martedì",
    "mercoledì",
    "giovedì",
    "venerdì",
    "sabato",
    "domenica",
    "januari",
    "februari",
    "maart",
    "mei",
    "augustus",
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
    "janeiro",
    "fevereiro",
    "março",
    "maio",
    "junho",
    "julho",
    "setembro",
    "outubro",
    "novembro",
    "dezembro",
    "segunda",
    "terça",
    "quarta",
    "quinta",
    "sexta",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokKind {
    Word,
    Handle,
    Digits,
    Code,
}

#[derive(Debug, Clone, Copy)]
struct Tok {
    start: usize,
    end: usize,
    kind: TokKind,
}

/// Splits `text` into words (letters, with inner apostrophes and hyphens), `@handles` and
/// digit runs (with inner `.`, `,`, `:`, `/`, `-` between digits), by byte offsets.
fn tokens(text: &str) -> Vec<Tok> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut it = text.char_indices().peekable();
    let mut prev: Option<char> = None;
    while let Some((i, c)) = it.next() {
        if c == '@'
            && prev.is_none_or(|p| {
                p.is_whitespace()
                    || matches!(
                        p,
                        '(' | '[' | '{' | '"' | '\'' | '“' | '«' | ',' | ';' | ':'
                    )
            })
            && it
                .peek()
                .is_some_and(|(_, n)| n.is_alphanumeric() || *n == '_')
        {
            let mut end = i + 1;
            while let Some(&(j, n)) = it.peek() {
                if n.is_alphanumeric()
                    || n == '_'
                    || (n == '.' && b.get(j + 1).is_some_and(|x| x.is_ascii_alphanumeric()))
                {
                    end = j + n.len_utf8();
                    it.next();
                } else {
                    break;
                }
            }
            out.push(Tok {
                start: i,
                end,
                kind: TokKind::Handle,
            });
            prev = Some('x');
            continue;
        }
        if c.is_alphanumeric() {
            // A run of letters and digits; `'`, `’` and `-` join letters, `.`, `,`, `:`, `/`
            // and `-` join digits. Letters only: a word; digits only: a digit run; both
            // (`8V04471209`, `A54`): a code.
            let (mut letters, mut digits) = (c.is_alphabetic(), c.is_ascii_digit());
            let mut end = i + c.len_utf8();
            let mut last = c;
            while let Some(&(j, n)) = it.peek() {
                let next = text[j + n.len_utf8()..].chars().next();
                let joins = (last.is_alphabetic()
                    && matches!(n, '\'' | '’' | '-')
                    && next.is_some_and(char::is_alphabetic))
                    || (last.is_ascii_digit()
                        && matches!(n, '.' | ',' | ':' | '/' | '-')
                        && next.is_some_and(|x| x.is_ascii_digit()));
                // A combining mark (`u\u{308}`, decomposed text) belongs to its letter.
                let mark = matches!(u32::from(n), 0x300..=0x36F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F);
                if n.is_alphanumeric() || joins || (mark && last.is_alphabetic()) {
                    letters |= n.is_alphabetic();
                    digits |= n.is_ascii_digit();
                    end = j + n.len_utf8();
                    if !mark {
                        last = n;
                    }
                    it.next();
                } else {
                    break;
                }
            }
            out.push(Tok {
                start: i,
                end,
                kind: match (letters, digits) {
                    (true, false) => TokKind::Word,
                    (false, _) => TokKind::Digits,
                    (true, true) => TokKind::Code,
                },
            });
            prev = Some(last);
            continue;
        }
        prev = Some(c);
    }
    out
}

/// Whether a digit run is a plain quantity, an amount, a date, a time or a year: what a
/// digit run may be and still say nothing about a person.
fn is_quantity(d: &str) -> bool {
    let digits = d.bytes().filter(u8::is_ascii_digit).count();
    let seps: Vec<u8> = d.bytes().filter(|c| !c.is_ascii_digit()).collect();
    if seps.is_empty() {
        // 0 to 999 (no leading zero), and years.
        return (digits <= 3 && !(digits > 1 && d.starts_with('0')))
            || (digits == 4 && (d.starts_with("19") || d.starts_with("20")));
    }
    let groups: Vec<&str> = d.split(|c: char| !c.is_ascii_digit()).collect();
    let all = |s: u8| seps.iter().all(|&c| c == s);
    // Times (9:30, 1:51.07) and dates (24.01.1986, 2024-01-05, 1/24/86).
    if seps[0] == b':' && groups.iter().all(|g| g.len() <= 2 || g.len() == 3) {
        return true;
    }
    if seps.len() == 2 && (all(b'.') || all(b'/') || all(b'-')) {
        let lens: Vec<usize> = groups.iter().map(|g| g.len()).collect();
        if matches!(lens.as_slice(), [1 | 2, 1 | 2, 2 | 4] | [4, 1 | 2, 1 | 2]) {
            return true;
        }
    }
    // Amounts: 1,234.56, 1.234,56, 12.5, 3,50 (a last group of 1 or 2 decimals, thousands
    // groups of 3), and ranges of small numbers (10-20).
    let last = groups.last().map_or(0, |g| g.len());
    let middle_ok = groups[1..groups.len() - 1].iter().all(|g| g.len() == 3);
    if groups[0].len() <= 3 && middle_ok && (last <= 2 || (last == 3 && groups.len() > 2)) {
        return true;
    }
    if groups.len() == 2 && groups[0].len() <= 3 && groups[1].len() == 3 {
        // 1,500 or 2.000: a thousands group.
        return true;
    }
    false
}

/// The language whose function words `words` (lower case) use most: at least two of them,
/// and more than English's; English otherwise (a short text says too little).
fn language<'l>(lex: &'l Lexicon, flags: &[u32]) -> &'l Language {
    let mut counts = [0usize; words::LANGUAGES.len()];
    for &f in flags {
        let f = f >> FUNCTION;
        for (i, c) in counts.iter_mut().enumerate() {
            *c += (f >> i) as usize & 1;
        }
    }
    best_language(lex, &counts)
}

/// The language with the most function words counted (`counts`, by bit): at least two, and
/// more than English's; English otherwise.
fn best_language<'l>(lex: &'l Lexicon, counts: &[usize]) -> &'l Language {
    let mut best = &lex.languages[0];
    let mut best_n = counts[0].max(1);
    for l in &lex.languages[1..] {
        let n = counts[l.i as usize];
        if n > best_n {
            best = l;
            best_n = n;
        }
    }
    best
}

/// Strips a French or Italian elision (`l'homme`, `dell'arte`) and a possessive `'s`.
fn stem(w: &str) -> &str {
    let w = w
        .strip_suffix("'s")
        .or_else(|| w.strip_suffix("’s"))
        .unwrap_or(w);
    match w.find(['\'', '’']) {
        Some(i) if i <= 5 => &w[i + w[i..].chars().next().map_or(1, char::len_utf8)..],
        _ => w,
    }
}

/// Candidate spans of `text` outside `taken` (the precise findings' spans and shroud's
/// tokens), neighbours joined. A taken span marked `true` is a name or an address (a
/// precise `PERSON` or `STREET_ADDRESS` finding, a person token): its words count as
/// candidates for their neighbours (`Stefan Lange` found as `Stefan`: `Lange` joins it) and
/// for later mentions, without being returned.
pub fn candidates(text: &str, taken: &[(usize, usize, bool)]) -> Vec<Candidate> {
    let lex = &LEXICON;
    let mut toks = tokens(text);
    let overlap = |t: &Tok| {
        taken
            .iter()
            .filter(|&&(s, e, _)| t.start < e && t.end > s)
            .map(|&(_, _, name)| name)
            .reduce(|a, b| a || b)
    };
    // Tokens inside a name or an address stay (as fixed candidates); others inside a taken
    // span go.
    toks.retain(|t| overlap(t) != Some(false));
    let fixed: Vec<bool> = toks.iter().map(|t| overlap(t) == Some(true)).collect();
    if toks.is_empty() {
        return Vec::new();
    }
    let lower: Vec<String> = toks
        .iter()
        .map(|t| text[t.start..t.end].to_lowercase())
        .collect();
    // Each token's flags, looked up once: the word's and its stem's (`john's` -> `john`).
    let fl: Vec<u32> = lower.iter().map(|w| lex.flags(w)).collect();
    let fs: Vec<u32> = lower
        .iter()
        .zip(&fl)
        .map(|(w, &f)| {
            let s = stem(w);
            if s.len() == w.len() { f } else { lex.flags(s) }
        })
        .collect();
    let lang = language(lex, &fl);
    let english = &lex.languages[0];
    let common_mask = (1 << lang.i) | (1 << english.i);
    let function_mask = (1 << (FUNCTION + lang.i)) | (1 << (FUNCTION + english.i));
    // Whether token `i` is a common word of the text's language or of English (a hyphenated
    // word when each of its parts is).
    let common = |i: usize| -> bool {
        fs[i] & common_mask != 0 || {
            let w = stem(&lower[i]);
            w.contains('-')
                && w.split('-')
                    .all(|p| p.is_empty() || lex.flags(p) & common_mask != 0)
        }
    };
    let function = |i: usize| fl[i] & function_mask != 0 || lower[i].len() <= 2;
    let n = toks.len();
    let mut cand = vec![false; n];
    let mut capital = vec![false; n];
    // Whether a token starts a sentence (or the text, a line, a list item): there a capital
    // says nothing.
    let sentence_start = |i: usize| -> bool {
        let before = text[..toks[i].start].trim_end_matches(|c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    '"' | '\'' | '«' | '“' | '„' | '(' | '[' | '¿' | '¡' | '-' | '–' | '*' | '•'
                )
        });
        // `Av. Paulista`, `Mag. Pichler`, `Dr. Okafor`: a dot after an abbreviation ends
        // no sentence.
        let abbreviation = before.strip_suffix('.').is_some_and(|b| {
            let w = b
                .rsplit(|c: char| !c.is_alphabetic())
                .next()
                .unwrap_or("")
                .to_lowercase();
            CUES.contains(&w.as_str()) || ABBREVIATIONS.contains(&w.as_str())
        });
        before.is_empty()
            || (before.ends_with(['.', '!', '?', ':', ';', '\n', ')', '…']) && !abbreviation)
            || text[..toks[i].start].ends_with('\n')
    };
    // Languages that do not capitalise nouns: a capital mid-sentence marks a proper noun.
    let nouns_capitalised = lang.code == "de";
    for (i, t) in toks.iter().enumerate() {
        let s = &text[t.start..t.end];
        if fixed[i] {
            cand[i] = true;
            capital[i] = s.chars().next().is_some_and(char::is_uppercase);
            continue;
        }
        cand[i] = match t.kind {
            TokKind::Handle => true,
            TokKind::Digits => !is_quantity(s),
            // A code with four digits or more is an identifier (`8V04471209`); a short one
            // names a model or a size (`A54`, `3D`).
            TokKind::Code => s.bytes().filter(u8::is_ascii_digit).count() >= 4,
            TokKind::Word => {
                capital[i] = s.chars().next().is_some_and(char::is_uppercase);
                let upper = s.chars().any(char::is_uppercase);
                if CUES.contains(&lower[i].as_str()) {
                    // A title announces a name; it is none.
                    false
                } else if upper {
                    !common(i)
                        // A known name, also where a capital says nothing (a sentence's
                        // first word) and also when it is a common word; but mid-sentence
                        // in German only when it is no common German word (`die Bahn`).
                        || (capital[i]
                            && fs[i] & NAME != 0
                            && !function(i)
                            && !CALENDAR.contains(&lower[i].as_str())
                            && (!nouns_capitalised
                                || sentence_start(i)
                                || !lex.common_in(lang, stem(&lower[i]))))
                        || (!nouns_capitalised
                            && capital[i]
                            && s.chars().skip(1).any(char::is_lowercase)
                            && !function(i)
                            && !CALENDAR.contains(&lower[i].as_str())
                            && !sentence_start(i))
                } else {
                    fl[i] & FIRST_NAME != 0
                }
            }
        };
    }
    grouped_numbers(text, &toks, &mut cand);
    // Only blanks (and a hyphen or apostrophe) between two tokens: they are neighbours.
    let adjacent = |a: &Tok, b: &Tok| {
        text[a.end..b.start]
            .chars()
            .all(|c| c.is_whitespace() || matches!(c, '-' | '\'' | '’'))
            && b.start - a.end <= 3
    };
    let cue = |i: usize| -> bool {
        i > 0 && {
            let p = &toks[i - 1];
            let between = &text[p.end..toks[i].start];
            p.kind == TokKind::Word
                && CUES.contains(&lower[i - 1].as_str())
                && between
                    .trim_start_matches('.')
                    .chars()
                    .all(char::is_whitespace)
                && !between.is_empty()
        }
    };
    // A capitalised word that may be a name's part: not a title, and a function word only
    // mid-sentence and of three letters or more (`Lange` after `Stefan`).
    let name_part = |i: usize| {
        capital[i]
            && toks[i].kind == TokKind::Word
            && !CUES.contains(&lower[i].as_str())
            && !super::validators::names::is_context_word(&lower[i])
            && (!function(i) || (!sentence_start(i) && lower[i].chars().count() >= 3))
    };
    // A sentence's first word is capitalised anyway: a common one is no name's part by a
    // candidate's side (`Laut Stefan …`), only by a name the rules found (`Rinus Vlaming`).
    let sentence_common = |i: usize| sentence_start(i) && common(i);
    // Whether a neighbour of token `i` is a name or address the rules found.
    let fixed_next = |i: usize| {
        (i > 0 && fixed[i - 1] && adjacent(&toks[i - 1], &toks[i]))
            || (i + 1 < n && fixed[i + 1] && adjacent(&toks[i], &toks[i + 1]))
    };
    let is_postcode = |i: usize| {
        let d = &text[toks[i].start..toks[i].end];
        toks[i].kind == TokKind::Digits
            && matches!(d.len(), 4 | 5)
            && d.bytes().all(|b| b.is_ascii_digit())
    };
    let spaced = |a: usize, b: usize| b < n && text[toks[a].end..toks[b].start] == *" ";
    let suffix = |j: usize| {
        let w = &text[toks[j].start..toks[j].end];
        w.len() == 2 && w.bytes().all(|b| b.is_ascii_uppercase())
    };
    loop {
        let mut changed = false;
        let mut set = |cand: &mut Vec<bool>, i: usize| {
            if !cand[i] {
                cand[i] = true;
                changed = true;
            }
        };
        // A name seen once is a name wherever it recurs in the text (`… Stefan Lange ist …
        // Lange sagte`): the capitalised words of candidates and of names the rules found.
        let seen: Vec<usize> = (0..n)
            .filter(|&i| {
                cand[i]
                    && capital[i]
                    && toks[i].kind == TokKind::Word
                    && (lower[i].chars().count() >= 4
                        || (lower[i].chars().count() == 3 && !function(i)))
                    && !CUES.contains(&lower[i].as_str())
            })
            .collect();
        for i in 0..n {
            if !cand[i]
                && capital[i]
                && toks[i].kind == TokKind::Word
                && seen.iter().any(|&j| lower[j] == lower[i])
            {
                set(&mut cand, i);
            }
            // A postcode before its town (`2000 Antwerpen`, `3015 BE Rotterdam`, `8004
            // Zürich`): four or five digits, then (after a two-letter suffix) a candidate.
            if is_postcode(i) && spaced(i, i + 1) {
                let town = if suffix(i + 1) { i + 2 } else { i + 1 };
                if spaced(town - 1, town)
                    && cand[town]
                    && capital[town]
                    && toks[town].kind == TokKind::Word
                {
                    set(&mut cand, i);
                    if town == i + 2 {
                        set(&mut cand, i + 1);
                    }
                }
            }
            // The groups of a phone number or an identifier (`0117 496 0771`): a short digit
            // run next to a candidate digit run is one of its groups.
            if !cand[i] && toks[i].kind == TokKind::Digits {
                let joined = |j: usize| {
                    cand[j]
                        && toks[j].kind == TokKind::Digits
                        && text[toks[j.min(i)].end..toks[j.max(i)].start]
                            .chars()
                            .all(|c| matches!(c, ' ' | '-' | '.' | '/'))
                        && toks[j.max(i)].start - toks[j.min(i)].end <= 2
                };
                if (i > 0 && joined(i - 1)) || (i + 1 < n && joined(i + 1)) {
                    set(&mut cand, i);
                }
                continue;
            }
            if cand[i] || !name_part(i) {
                continue;
            }
            let next_to = (i > 0 && cand[i - 1] && adjacent(&toks[i - 1], &toks[i]))
                || (i + 1 < n && cand[i + 1] && adjacent(&toks[i], &toks[i + 1]));
            let weak = function(i) || sentence_common(i);
            if (next_to && (!weak || fixed_next(i))) || cue(i) {
                set(&mut cand, i);
            }
        }
        if !changed {
            break;
        }
    }
    let mut out: Vec<Candidate> = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        if !cand[i] || fixed[i] {
            continue;
        }
        let kind = match t.kind {
            TokKind::Word => Kind::Word,
            TokKind::Handle => Kind::Handle,
            TokKind::Digits | TokKind::Code => Kind::Digits,
        };
        if let Some(last) = out.last_mut()
            && i > 0
            && cand[i - 1]
            && last.end == toks[i - 1].end
            && adjacent(&toks[i - 1], t)
            && (last.kind == kind || (last.kind == Kind::Word && kind == Kind::Digits))
        {
            last.end = t.end;
            continue;
        }
        out.push(Candidate {
            start: t.start,
            end: t.end,
            kind,
        });
    }
    out
}

/// Adds the candidates of `text` (a cell, as bytes) to a cell's precise `findings`, as
/// findings of `PERSON` (words), `USERNAME` (handles) and `ACCOUNT_NUMBER` (digit runs), in
/// order: what pseudonymize replaces and what `check` counts in high-recall mode. Spans
/// inside the findings and inside shroud's tokens are left alone.
pub fn add_findings(detector: &super::Detector, text: &[u8], findings: &mut Vec<super::Finding>) {
    let entity = |name: &str| detector.entity_index(name).map(|i| i as u16);
    let names = [entity("PERSON"), entity("STREET_ADDRESS")];
    let is_name = |e: u16| names.contains(&Some(e));
    // Whole words only: a name or an address the rules found inside a word
    // (`Jun` of `Jun-seo`, `Hale` of `Hale-Whitaker`) is widened to the word.
    for f in findings.iter_mut().filter(|f| is_name(f.entity)) {
        let (s, e) = whole_words(text, f.start as usize, f.end as usize);
        f.start = s as u32;
        f.end = e as u32;
    }
    // Widened spans may now overlap: they merge into the earliest (its entity), so no byte
    // of a later one is left out.
    findings.sort_by_key(|f| (f.start, std::cmp::Reverse(f.end)));
    let mut merged: Vec<super::Finding> = Vec::with_capacity(findings.len());
    for f in findings.drain(..) {
        match merged.last_mut() {
            Some(last) if f.start < last.end => last.end = last.end.max(f.end),
            _ => merged.push(f),
        }
    }
    *findings = merged;
    let mut taken: Vec<(usize, usize, bool)> = findings
        .iter()
        .map(|f| (f.start as usize, f.end as usize, is_name(f.entity)))
        .collect();
    taken.extend(
        crate::transform::token::token_spans(text)
            .map(|(s, e)| (s, e, text[s..e].starts_with(b"person_"))),
    );
    // The tags the `replace` operator writes (`<STREET_ADDRESS>`) are explained; other
    // capitals in brackets (`<BRANDAUER>`) are not.
    taken.extend(
        replace_tags(text)
            .filter(|&(s, e)| {
                std::str::from_utf8(&text[s + 1..e - 1])
                    .is_ok_and(|t| detector.entity_index(t).is_some())
            })
            .map(|(s, e)| (s, e, false)),
    );
    // A detector built from user rules may lack an entity: what it has stands in, so a
    // candidate is never dropped for want of a name.
    let Some(person) = entity("PERSON").or((!detector.entities.is_empty()).then_some(0)) else {
        return;
    };
    let user = entity("USERNAME").unwrap_or(person);
    let number = entity("ACCOUNT_NUMBER").unwrap_or(person);
    let before = findings.len();
    // A cell that is not valid UTF-8 (a legacy encoding in a database, a binary column) is
    // judged in its valid pieces, each at its own offset: never skipped.
    let mut found: Vec<Candidate> = Vec::new();
    let mut offset = 0usize;
    for chunk in text.utf8_chunks() {
        let s = chunk.valid();
        if !s.is_empty() {
            let local: Vec<(usize, usize, bool)> = taken
                .iter()
                .filter(|&&(a, b, _)| b > offset && a < offset + s.len())
                .map(|&(a, b, name)| (a.saturating_sub(offset), (b - offset).min(s.len()), name))
                .collect();
            found.extend(candidates(s, &local).into_iter().map(|mut c| {
                c.start += offset;
                c.end += offset;
                c
            }));
        }
        offset += s.len() + chunk.invalid().len();
    }
    for c in found {
        findings.push(super::Finding {
            rule: u16::MAX,
            entity: match c.kind {
                Kind::Word => person,
                Kind::Handle => user,
                Kind::Digits => number,
            },
            start: c.start as u32,
            end: c.end as u32,
            score: 0.5,
        });
    }
    if let (Some(street), Some(post)) = (entity("STREET_ADDRESS"), entity("POSTAL_CODE")) {
        address_blocks(text, findings, street, post);
    }
    if findings.len() > before {
        findings.sort_by_key(|f| (f.start, f.end));
    }
}

/// Marks a number written in groups (`712 66 20 46`, `08-287 44 68`, `22 154 65 26`, `694
/// 731 318`) as a candidate: three digit groups or more joined by single blanks, hyphens,
/// dots or slashes, eight digits or more, are a phone number or an identifier, not
/// quantities. An amount in thousands next to a currency (`12 500 000 €`) stays.
fn grouped_numbers(text: &str, toks: &[Tok], cand: &mut [bool]) {
    let joined = |a: &Tok, b: &Tok| matches!(&text[a.end..b.start], " " | "-" | "." | "/" | " - ");
    // A group is plain digits: times, prices and dates (`08:15`, `12,50`, `24.01.2026`) are
    // no groups of a number.
    let group = |t: &Tok| {
        let w = &text[t.start..t.end];
        t.kind == TokKind::Digits
            && (w.bytes().all(|b| b.is_ascii_digit())
                || (w.bytes().all(|b| b.is_ascii_digit() || b == b'-')
                    && (w.starts_with('0') || !is_quantity(w))))
    };
    let n = toks.len();
    let mut i = 0;
    while i < n {
        if !group(&toks[i]) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j + 1 < n && group(&toks[j + 1]) && joined(&toks[j], &toks[j + 1]) {
            j += 1;
        }
        let digits: usize = (i..=j)
            .map(|k| {
                text[toks[k].start..toks[k].end]
                    .bytes()
                    .filter(u8::is_ascii_digit)
                    .count()
            })
            .sum();
        if j - i >= 2 && digits >= 8 {
            let thousands = !text[toks[i].start..].starts_with('0')
                && (i + 1..=j).all(|k| toks[k].end - toks[k].start == 3);
            let after = text[toks[j].end..].trim_start();
            let before = text[..toks[i].start].trim_end();
            let currency = [
                "€", "$", "£", "eur", "usd", "gbp", "chf", "zł", "pln", "kr", "sek", "r$",
            ];
            let money = currency.iter().any(|c| {
                after
                    .get(..c.len())
                    .is_some_and(|a| a.eq_ignore_ascii_case(c))
                    || before.len() >= c.len()
                        && before
                            .get(before.len() - c.len()..)
                            .is_some_and(|b| b.eq_ignore_ascii_case(c))
            });
            if !(thousands && money) {
                cand[i..=j].iter_mut().for_each(|c| *c = true);
            }
        }
        i = j + 1;
    }
}

/// Particles inside a town's name (`Ciudad de México`, `Frankfurt am Main`, `Stratford upon
/// Avon`, `Alphen aan den Rijn`).
const TOWN_PARTICLES: &[&str] = &[
    "de", "del", "di", "da", "do", "dos", "das", "am", "an", "im", "sur", "upon", "on", "la", "le",
    "les", "en", "aan", "den", "der", "sous", "lès",
];

/// Completes the addresses of a text: a postcode within a line after a street address the
/// rules found is that address's, and so are the words between them (`31 Princes Street,
/// Edinburgh EH2 2BY`, `88 Ocean Parade, Manly NSW 2095`) and the town right after the
/// postcode (`C/ Mayor, 12, 46001 Valencia`, `03940 Ciudad de México`). They are added as
/// parts of the address, so nothing of it is left. A postcode is one the rules found, or a
/// digit run of the high-recall pass shaped like one (`46001`, `22240-003`) that opens a
/// line or follows a comma.
fn address_blocks(text: &[u8], findings: &mut Vec<super::Finding>, street: u16, post: u16) {
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let postcode_shaped = |s: usize, e: usize| {
        let t = &text.as_bytes()[s..e];
        let d = |r: &[u8]| r.iter().all(u8::is_ascii_digit);
        let shape = match t.len() {
            4 | 5 => d(t),
            9 => d(&t[..5]) && t[5] == b'-' && d(&t[6..]),
            _ => false,
        };
        let before = text[..s].trim_end_matches([' ', '\t']);
        shape && (before.is_empty() || before.ends_with([',', '\n', '\r']))
    };
    let mut streets: Vec<(usize, u16, f32)> = Vec::new();
    let mut posts: Vec<(usize, usize)> = Vec::new();
    for f in findings.iter() {
        let (s, e) = (f.start as usize, f.end as usize);
        if f.entity == street {
            streets.push((e, f.rule, f.score));
        } else if f.entity == post || postcode_shaped(s, e) {
            posts.push((s, e));
        }
    }
    if streets.is_empty() || posts.is_empty() {
        return;
    }
    streets.sort_unstable_by_key(|s| s.0);
    let mut spans: Vec<(usize, usize, u16, f32)> = Vec::new();
    for &(ps, pe) in &posts {
        // The nearest street address ending before the postcode, at most one line break and
        // 80 bytes away.
        let k = streets.partition_point(|s| s.0 <= ps);
        let Some(&(se, rule, score)) = k.checked_sub(1).map(|k| &streets[k]) else {
            continue;
        };
        if ps - se > 80 || text[se..ps].matches('\n').count() > 1 {
            continue;
        }
        // The words between them on the postcode's line (a town, a state, a flat number).
        let gap_start = text[se..ps].rfind('\n').map_or(se, |i| se + i + 1);
        spans.push((gap_start, ps, rule, score));
        // The town after the postcode: capitalised words and particles, up to a comma, a
        // bracket, a sentence's end or the line's end.
        let line = text[pe..].split(['\n', '\r']).next().unwrap_or("");
        let mut end = pe;
        let mut words = 0;
        let mut pos = pe;
        for w in line.split([' ', '\t']) {
            let word_start = pos;
            pos += w.len() + 1;
            if w.is_empty() {
                if words == 0 && word_start == pe {
                    continue;
                }
                break;
            }
            let core = w.trim_end_matches([',', '.', ';', ')', ':', '!', '?']);
            let capital = core.chars().next().is_some_and(char::is_uppercase)
                && core
                    .chars()
                    .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '’'));
            if capital {
                end = word_start + core.len();
                words += 1;
            } else if !TOWN_PARTICLES.contains(&core) || words == 0 {
                break;
            }
            if core.len() < w.len() || words >= 4 {
                break;
            }
        }
        if end > pe {
            spans.push((pe, end, rule, score));
        }
    }
    let taken =
        super::spanset::SpanSet::new(findings.iter().map(|f| (f.start as usize, f.end as usize)));
    let free = |a: usize, b: usize| !taken.overlaps(a, b);
    // Each word of the spans that no finding covers becomes a part of the address.
    let mut words: Vec<(usize, usize, u16, f32)> = Vec::new();
    for (s, e, rule, score) in spans {
        let part = &text[s..e];
        let mut run: Option<usize> = None;
        for (i, c) in part
            .char_indices()
            .chain(std::iter::once((part.len(), ' ')))
        {
            let inner = c.is_alphanumeric() || (run.is_some() && matches!(c, '\'' | '’'));
            match (run, inner) {
                (None, true) => run = Some(i),
                (Some(r), false) => {
                    run = None;
                    let (a, b) = whole_words(text.as_bytes(), s + r, s + i);
                    if free(a, b) {
                        words.push((a, b, rule, score));
                    }
                }
                _ => {}
            }
        }
    }
    words.sort_unstable_by_key(|w| (w.0, w.1));
    words.dedup_by_key(|w| w.0);
    let mut last_end = 0;
    for (a, b, rule, score) in words {
        if a < last_end {
            continue;
        }
        last_end = b;
        findings.push(super::Finding {
            rule,
            entity: street,
            start: a as u32,
            end: b as u32,
            score,
        });
    }
}

/// The spans of `<ENTITY>` tags (what the `replace` operator writes by default).
fn replace_tags(text: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    memchr::memchr_iter(b'<', text).filter_map(move |s| {
        let len = text[s + 1..]
            .iter()
            .take_while(|b| b.is_ascii_uppercase() || **b == b'_')
            .count();
        (len >= 2 && text.get(s + 1 + len) == Some(&b'>')).then_some((s, s + len + 2))
    })
}

/// `start..end` widened to whole words: letters (and the apostrophes and hyphens between
/// them) on either side are taken in. Byte offsets; a widened span ends on char boundaries.
fn whole_words(text: &[u8], mut start: usize, mut end: usize) -> (usize, usize) {
    let Ok(s) = std::str::from_utf8(text) else {
        return (start, end);
    };
    let word = |c: char| c.is_alphabetic();
    let joiner = |c: char| matches!(c, '-' | '\'' | '’');
    while start > 0 && s.is_char_boundary(start) {
        let mut back = s[..start].chars().rev();
        match (back.next(), back.next()) {
            (Some(c), _) if word(c) => start -= c.len_utf8(),
            (Some(j), Some(c)) if joiner(j) && word(c) && s[start..].starts_with(word) => {
                start -= j.len_utf8()
            }
            _ => break,
        }
    }
    while end < s.len() && s.is_char_boundary(end) {
        let mut fwd = s[end..].chars();
        match (fwd.next(), fwd.next()) {
            (Some(c), _) if word(c) => end += c.len_utf8(),
            (Some(j), Some(c)) if joiner(j) && word(c) && s[..end].ends_with(word) => {
                end += j.len_utf8()
            }
            _ => break,
        }
    }
    (start, end)
}

/// Whether `word` (lower case) is one of the most frequent words of a supported language
/// (articles, pronouns, prepositions: `le`, `de`, `su`, `para`, `sie`).
pub fn is_function_word(word: &str) -> bool {
    LEXICON.flags(word) & (words::COMMON << FUNCTION) != 0
}

/// Whether `word` (lower case) is a common word of a supported language.
pub fn is_common_word(word: &str) -> bool {
    LEXICON.flags(word) & words::COMMON != 0
}

/// Whether `word` (lower case) is a common word of the language `code` or of English.
pub fn is_common_in(code: &str, word: &str) -> bool {
    let lex = &LEXICON;
    lex.languages
        .iter()
        .filter(|l| l.code == code || l.code == "en")
        .any(|l| lex.common_in(l, word))
}

/// The language code [`candidates`] would read `text` in (for reports and tests).
pub fn language_of(text: &str) -> &'static str {
    // The name rules ask once per candidate name; a cell holds several.
    thread_local! {
        static LAST: std::cell::RefCell<(String, &'static str)> =
            const { std::cell::RefCell::new((String::new(), "en")) };
    }
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        if !last.0.is_empty() && last.0 == text {
            return last.1;
        }
        let mut counts = [0usize; words::LANGUAGES.len()];
        let mut lower = String::new();
        for t in tokens(text) {
            lower.clear();
            lower.extend(text[t.start..t.end].chars().flat_map(char::to_lowercase));
            let f = LEXICON.flags(&lower) >> FUNCTION;
            for (i, c) in counts.iter_mut().enumerate() {
                *c += (f >> i) as usize & 1;
            }
        }
        let code = best_language(&LEXICON, &counts).code;
        last.0.clear();
        // Texts over 64 KB are told every time, not kept.
        if text.len() <= 64 << 10 {
            last.0.push_str(text);
        }
        last.0.shrink_to(64 << 10);
        last.1 = code;
        code
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<&str> {
        candidates(text, &[])
            .iter()
            .map(|c| &text[c.start..c.end])
            .collect()
    }

    #[test]
    fn names_the_precise_rules_miss_are_candidates() {
        assert_eq!(spans("Ferrandis said that the plan works."), ["Ferrandis"]);
        assert_eq!(
            spans("Dat is volgens de regering onjuist, aldus Verhoek."),
            ["Verhoek"]
        );
        // A capitalised word mid-sentence is a proper noun: a country too (over-redaction is
        // the price of recall).
        assert_eq!(
            spans("3. Ilse Brandauer (Austria) 1:51.07"),
            ["Ilse Brandauer", "Austria"]
        );
        assert_eq!(
            spans("Thanks, Miriam Okonkwo-Hale!"),
            ["Miriam Okonkwo-Hale"]
        );
        assert_eq!(spans("Please ask Frau Sommer today."), ["Sommer"]);
    }

    #[test]
    fn common_words_quantities_and_dates_are_kept() {
        assert!(spans("Der Kundendienst hat die Einführung der Maut erklärt.").is_empty());
        assert!(spans("De klant belde op maandag om 9:30 over 3 pakketten.").is_empty());
        assert!(spans("Total 1,234.50 EUR on 24.01.2026, 15% more than 2025.").is_empty());
    }

    #[test]
    fn handles_digits_and_addresses_are_candidates() {
        assert_eq!(spans("thanks @lena_b for the tip"), ["@lena_b"]);
        assert!(
            spans("mail lena@example.com")
                .iter()
                .all(|s| !s.starts_with('@'))
        );
        assert_eq!(spans("call 030 901820 now"), ["030 901820"]);
        let s = spans("Chemin des Vignes 7, 1820 Montreux");
        assert!(
            s.contains(&"1820") && s.iter().any(|x| x.contains("Montreux")),
            "{s:?}"
        );
        assert!(s.iter().any(|x| x.contains("Vignes")), "{s:?}");
    }

    #[test]
    fn the_language_is_told_by_its_function_words() {
        assert_eq!(
            language_of("Der Kunde hat sich über die Lieferung beschwert"),
            "de"
        );
        assert_eq!(language_of("Le client a appelé pour la livraison"), "fr");
        assert_eq!(language_of("The customer called about the delivery"), "en");
    }

    #[test]
    fn decomposed_letters_and_invalid_bytes_never_split_a_name_off() {
        assert_eq!(
            spans("Bitte Frau Mu\u{308}ller anrufen."),
            ["Mu\u{308}ller"]
        );
        let d = crate::detect::Detector::builtin().unwrap();
        let mut findings = Vec::new();
        // cp1252 `ü` (0xFC) in a cell that is otherwise UTF-8.
        let cell = b"R\xFCckruf von Ferrandis morgen";
        add_findings(&d, cell, &mut findings);
        let got: Vec<&[u8]> = findings
            .iter()
            .map(|f| &cell[f.start as usize..f.end as usize])
            .collect();
        assert!(got.contains(&&b"Ferrandis"[..]), "{got:?}");
    }

    #[test]
    fn names_recur_stand_at_sentence_starts_and_join_the_names_the_rules_found() {
        // A known name at a sentence's start, even when it is also a common word.
        assert_eq!(spans("Bernd sagt, die Bahn fällt aus."), ["Bernd"]);
        assert_eq!(spans("Marchand demande un échange."), ["Marchand"]);
        // A later mention of a name seen earlier in the text.
        let text = "Wir sprachen mit Oberarzt Stefan Okafor. Okafor sagte, alles sei gut.";
        assert_eq!(spans(text), ["Oberarzt Stefan Okafor", "Okafor"]);
        // A name the rules found (`Stefan`, fixed) takes its neighbour along, even a word that
        // is frequent (`Lange`), and its later mentions.
        let text = "Wir haben Stefan Lange gefragt. Lange sagte es.";
        let s = text.find("Stefan").unwrap();
        let got: Vec<&str> = candidates(text, &[(s, s + 6, true)])
            .iter()
            .map(|c| &text[c.start..c.end])
            .collect();
        assert_eq!(got, ["Lange", "Lange"]);
        // The dot of an abbreviation ends no sentence.
        assert_eq!(spans("Sehr geehrte Frau Mag. Pichler,"), ["Pichler"]);
        assert_eq!(
            spans("A entrega na Av. Paulista foi feita ontem à tarde para o cliente."),
            ["Paulista"]
        );
        // A postcode before its town, with a Dutch two-letter suffix.
        assert_eq!(
            spans("bezorgd op 2000 Antwerpen vandaag"),
            ["2000", "Antwerpen"]
        );
        assert_eq!(spans("adres 3015 BE Rotterdam"), ["3015", "BE Rotterdam"]);
    }

    #[test]
    fn numbers_in_groups_are_candidates_and_amounts_in_thousands_are_not() {
        for t in [
            "correct one is 712 66 20 46 (per",
            "Wrong number on file: 08-287 44 68; correct",
            "call 22 154 65 26 today",
            "now 694 731 318.",
            "ring 0612 34 56 78",
        ] {
            let got = spans(t);
            assert!(
                !got.is_empty() && got.iter().all(|s| s.chars().any(|c| c.is_ascii_digit())),
                "{t}: {got:?}"
            );
            let number: String = t.chars().filter(char::is_ascii_digit).collect();
            let found: String = got.concat().chars().filter(char::is_ascii_digit).collect();
            assert_eq!(found, number, "{t}: {got:?}");
        }
        for t in [
            "at 08:15 08:45 09:15 10:15",
            "prices 12,50 13,50 14,50 15,50",
            "on 24.01.2026 25.01.2026 26.01.2026",
            "a budget of 12 345 678 € this year",
            "costs € 1 234 567 891 now",
            "scores 3 - 1 and 2 - 0",
        ] {
            assert!(spans(t).is_empty(), "{t}: {:?}", spans(t));
        }
    }

    /// Law: in high-recall text, every word of an address whose street and postcode the
    /// rules find is replaced: the street, the words between it and the postcode, the
    /// postcode and the town after it, in every order and sentence around it.
    #[test]
    fn no_word_of_an_address_is_left() {
        let d = crate::detect::Detector::builtin().unwrap();
        let streets = [
            "C/ Mayor, 12",
            "Calle de Alcalá 45",
            "Keizersgracht 123",
            "Via Roma 12",
            "Hauptstraße 5",
            "Laan van Meerdervoort 210-B",
        ];
        let towns = [
            "46001 Valencia",
            "28014 Madrid",
            "00186 Roma",
            "10969 Berlin",
            "03940 Ciudad de México",
            "60311 Frankfurt am Main",
            "2517 Den Haag",
        ];
        let frames = [
            "Bitte an {a} schicken.",
            "Delivery to {a}, please.",
            "{a}\n\nDear Sir,",
            "Nueva dirección: {a}. Gracias",
        ];
        for st in streets {
            for town in towns {
                for sep in [", ", "\n", "\r\n"] {
                    for frame in frames {
                        let addr = format!("{st}{sep}{town}");
                        let text = frame.replace("{a}", &addr);
                        let mut findings = d.scan_text("notes", &text);
                        add_findings(&d, text.as_bytes(), &mut findings);
                        let at = text.find(&addr).unwrap();
                        let covered = |i: usize| {
                            findings
                                .iter()
                                .any(|f| (f.start as usize) <= i && i < f.end as usize)
                        };
                        for (i, c) in addr.char_indices() {
                            // Street types and particles may stay (`C/`, `de`); names and
                            // numbers may not.
                            let word_start =
                                i == 0 || !addr[..i].chars().next_back().unwrap().is_alphanumeric();
                            if c.is_alphanumeric() && word_start {
                                let word: String = addr[i..]
                                    .chars()
                                    .take_while(|c| c.is_alphanumeric())
                                    .collect();
                                if ["de", "am", "van", "C", "Via", "Calle", "Laan"]
                                    .contains(&word.as_str())
                                {
                                    continue;
                                }
                                assert!(covered(at + i), "{word:?} left in {text:?}");
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn whole_words_widen_a_name_found_inside_one_and_tags_are_explained() {
        let t = b"Dear Jun-seo and Hale-Whitaker";
        assert_eq!(whole_words(t, 5, 8), (5, 12));
        assert_eq!(whole_words(t, 17, 21), (17, 30));
        assert_eq!(whole_words("Müller".as_bytes(), 3, 7), (0, 7));
        let d = crate::detect::Detector::builtin().unwrap();
        let cell = b"Nieuwe <STREET_ADDRESS>, see you";
        let mut findings = Vec::new();
        add_findings(&d, cell, &mut findings);
        assert!(
            findings
                .iter()
                .all(|f| !cell[f.start as usize..f.end as usize].starts_with(b"STREET")),
            "a replace tag is no name"
        );
        let cell = b"Von: <BRANDAUER> am Montag";
        let mut findings = Vec::new();
        add_findings(&d, cell, &mut findings);
        assert!(
            findings
                .iter()
                .any(|f| &cell[f.start as usize..f.end as usize] == b"BRANDAUER"),
            "capitals in brackets that are no tag are judged"
        );
        // Widened findings never overlap.
        let mut findings = vec![
            crate::detect::Finding {
                rule: 0,
                entity: d.entity_index("PERSON").unwrap() as u16,
                start: 17,
                end: 21,
                score: 0.9,
            },
            crate::detect::Finding {
                rule: 0,
                entity: d.entity_index("PERSON").unwrap() as u16,
                start: 22,
                end: 30,
                score: 0.9,
            },
        ];
        add_findings(&d, t, &mut findings);
        for w in findings.windows(2) {
            assert!(w[0].end <= w[1].start, "{findings:?}");
        }
    }

    #[test]
    fn taken_spans_and_tokens_are_left_alone() {
        let text = "Jane Doe wrote";
        assert_eq!(spans(text), ["Jane Doe"]);
        assert!(candidates(text, &[(0, 8, false)]).is_empty());
        assert!(candidates(text, &[(0, 8, true)]).is_empty());
    }
}
