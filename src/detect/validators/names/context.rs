//! Names in their sentence: [`check_in`] judges a run of capitalised words where it stands in
//! a cell (titles, roles and greetings before it, verbs and phone numbers after it, the
//! sentence's start, a signature's line) and narrows it to the name. The dictionaries and
//! word classes it asks are in the parent module; [`super::check`] judges the words alone.

use super::*;

/// Whether a greeting before `w` may address a person by it: `w` is no title, greeting,
/// closing or cue (`Liebe Grüße`) and no group (`Liebe Kolleginnen`, `Beste Klanten`).
fn addressable(w: &str) -> bool {
    let lower = lower_letters(w);
    class(lower.bytes()) == 0 && !ADDRESSEES.iter().any(|a| a.as_bytes() == lower.bytes())
}

/// Whether `rest` starts with a phone number, after blanks and a comma, colon or dash: eight
/// digits or more, with only spaces, dots, dashes, slashes and brackets between them.
fn phone_follows(rest: &str) -> bool {
    let r = rest.trim_start_matches([' ', '\t', ',', ':', '-', '–', '—']);
    if !r.starts_with(|c: char| c.is_ascii_digit() || c == '+' || c == '(') {
        return false;
    }
    let mut digits = 0;
    for b in r.bytes().take(24) {
        match b {
            b'0'..=b'9' => digits += 1,
            b' ' | b'.' | b'-' | b'/' | b'(' | b')' | b'+' => {}
            _ => break,
        }
    }
    digits >= 8
}

/// Whether byte `at` of `cell` opens a line (only blanks before it on its line).
fn line_opens(cell: &str, at: usize) -> bool {
    let b = cell[..at].trim_end_matches([' ', '\t']);
    b.is_empty() || b.ends_with(['\n', '\r'])
}

fn opens_sentence(cell: &str, at: usize) -> bool {
    let before = cell[..at].trim_end_matches([' ', '\t', '"', '“', '\'', '(', '*', '-']);
    before.is_empty() || before.ends_with(['.', '!', '?', ':', ';', '\n', '\r'])
}

/// Validates `cell[start..end]`, a run of capitalised words in text, as a person's name, from
/// the words themselves and from their place in the sentence, and narrows it to the name:
///
/// - titles, honorifics and roles before the name are evidence, not part of it ("Senator
///   Patricia Kowalczyk", "my husband Arjun"); so are nationality words and possessive owners
///   ("Belgian Wout Peeters", "Spain's Alejandro de la Fuente"), and a trailing `'s`;
/// - a run that names a place (a country, a large city, "San Jose") or an organisation (a
///   word such as Station, Union, Weekly, Motor after it; "the" before it; an English word
///   such as Athletic or Entertainment opening it) is no person;
/// - two words or more are judged by the dictionaries ([`check`]);
/// - one word is a person after a title or role, or when it is a known first name (not also
///   a common English word) that does not open a sentence, or opens one before a lower-case
///   word, or stands after a greeting or before a speech verb ("Hi Jonas", "Thabo says").
pub fn check_in(cell: &str, start: usize, end: usize) -> Check {
    let c = check_in_context(cell, start, end);
    if c.validity == Validity::Invalid {
        return c;
    }
    // A legal form in the name or right after it (`Андреев Лтд`, `Jones PLC`, `Weber GmbH`)
    // names a company: the form is capitalised, so `Anna as well` stays a name.
    let (s, e) = c.span.unwrap_or((start, end));
    let inside = cell.get(s..e).unwrap_or("");
    let next = cell
        .get(e..)
        .unwrap_or("")
        .trim_start_matches([' ', ','])
        .split(|ch: char| ch.is_whitespace() || ch == ',')
        .next()
        .unwrap_or("");
    let capital = next.chars().next().is_some_and(char::is_uppercase);
    let inner_form = inside
        .split_whitespace()
        .enumerate()
        .any(|(i, w)| (i > 0 || w.chars().count() > 3) && is_legal_form(w));
    if inner_form || (capital && is_legal_form(next)) {
        return Validity::Invalid.into();
    }
    c
}

/// [`check_in`] before the legal-form test.
fn check_in_context(cell: &str, start: usize, end: usize) -> Check {
    let names = Names::get();
    // The tail of a longer capitalised run ("Brown Fox" in "The Quick Brown Fox") is what the
    // engine tries once the whole run was rejected: only a sentence-opening word that is no
    // name ("Possibly Marc Duval", "Ask Sinead") may stand before it.
    if let Some((prev, at)) = raw_word_before(cell, start) {
        let capital = prev.chars().next().is_some_and(char::is_uppercase);
        let evidence = prev.ends_with("'s")
            || prev.ends_with("’s")
            || prev.ends_with([',', ';', ':', '.', ')', '"', '?', '!'])
            || class(lower_letters(prev).bytes()) & (HONORIFIC | ROLE | DEMONYM) != 0
            || (class(lower_letters(prev).bytes()) & GREETING != 0 && line_opens(cell, at));
        // A common word of a supported language before the tail is a noun or a title, not
        // a part of the name (`Oberarzt Stefan Lange`, `Burgemeester Hanneke Verhoek`).
        let foreign_noun = common_word(prev) && !names.is_english(prev);
        if capital
            && !evidence
            && !foreign_noun
            && !(opens_sentence(cell, at) && (names.is_english(prev) || names.is_not_name(prev)))
        {
            return Validity::Invalid.into();
        }
    }
    let cand = &cell[start..end];
    let ws = words(cand);
    if ws.is_empty() {
        return Validity::Invalid.into();
    }
    // Evidence before the run: "my husband Arjun", "customer Jane Doe", "Mr. Smith".
    let before = word_before(cell, start);
    // An article before the run makes it a thing or a place (`the Nordvik`, `la Toussaint`,
    // `het Rijksmuseum`), in every supported language.
    // `a` is an article in English only: a preposition in Spanish, Italian and Portuguese
    // (`díselo a Jordi`, `chiedi a Salvatore`).
    let the_before = (before.bytes() == b"a" && crate::detect::recall::language_of(cell) == "en")
        || matches!(
            before.bytes(),
            b"the"
                | b"an"
                | b"this"
                | b"our"
                | b"la"
                | b"le"
                | b"les"
                | b"el"
                | b"los"
                | b"las"
                | b"il"
                | b"lo"
                | b"gli"
                | b"der"
                | b"die"
                | b"das"
                | b"dem"
                | b"het"
                | b"os"
                | b"une"
                | b"una"
                | b"uno"
                | b"ein"
                | b"eine"
                | b"een"
        );
    // A title or role titles the run only when nothing but blanks (and its dot) stands
    // between them: `Cher Monsieur,\n\nLe conseil` is a salutation, then a sentence.
    let adjoining = !cell[..start]
        .trim_end_matches([' ', '\t'])
        .ends_with([',', '\n', '\r', '!', ':', ';']);
    let mut titled = adjoining && class(before.bytes()) & (HONORIFIC | ROLE) != 0;
    // A greeting that opens the line is not part of the name after it (`Lieve Sanne,`,
    // `Beste Jan`): the regex takes both capitalised words as one run.
    let mut greeted = false;
    // Whether an article opening the sentence was cut from the run.
    let mut article_cut = false;
    // Leading words that are not the name.
    let mut i = 0;
    while i < ws.len() {
        let w = ws[i].text;
        let c = class(lower_letters(w).bytes());
        if c & (HONORIFIC | ROLE) != 0 {
            titled = true;
        } else if i == 0
            && ws.len() > 1
            && c & GREETING != 0
            && line_opens(cell, start)
            && !names.is_first(w)
        {
            greeted = true;
        } else if i == 0
            && ws.len() > 1
            && c == 0
            && opens_sentence(cell, start)
            && crate::detect::recall::is_function_word(&w.to_lowercase())
            && !(is_particle(ws[1].text)
                || (matches!(
                    w.to_lowercase().as_str(),
                    "de" | "van"
                        | "von"
                        | "le"
                        | "la"
                        | "da"
                        | "del"
                        | "della"
                        | "di"
                        | "du"
                        | "dos"
                        | "ten"
                        | "ter"
                        | "el"
                        | "al"
                ) && (names.is_last(ws[1].text)
                    || names.is_first(ws[1].text)
                    || !common_word(ws[1].text))))
        {
            // An article or preposition that opens the sentence is not part of the run
            // after it (`Der Westen`, `La Suisse`, `Ab Hauptbahnhof`, `De Rotterdamse
            // kunstenaar`), unless it is a name's particle before a surname or a word that is
            // no common word (`De Jong`, `Da Silva`, `Del Piero`) or before another particle
            // (`Van der Berg`).
            article_cut = true;
        } else if !(c & DEMONYM != 0
            || (i + 1 < ws.len() && (w.ends_with("'s") || w.ends_with("’s")))
            || names.is_not_name(w)
            || (i + 1 < ws.len()
                && w.contains('-')
                && w.split('-').all(|p| {
                    // A range of abbreviated days (`Mon-Wed`, `Ma-Vr`), not a double name.
                    (1..=3).contains(&p.chars().count())
                        && (names.is_not_name(p) || names.is_english(p) || common_word(p))
                })))
        {
            break;
        }
        i += 1;
    }
    // Nothing, or one word after an article, is left: a noun phrase (`Der Westen`, `Ihre
    // Elterngeldstelle`).
    if i == ws.len() || (article_cut && i + 1 == ws.len()) {
        return Validity::Invalid.into();
    }
    // The name's words, a trailing possessive cut.
    let core = &ws[i..];
    let core_start = core[0].start;
    let mut core_end = core[core.len() - 1].end;
    for p in ["'s", "’s"] {
        if cand[..core_end].ends_with(p) {
            core_end -= p.len();
        }
    }
    let text = &cand[core_start..core_end];
    let span = |validity: Validity, a: usize, b: usize| Check {
        validity,
        span: (a != 0 || b != cand.len()).then_some((a, b)),
    };
    // A one-word name is looked up without its possessive ("Alicia's" is "Alicia").
    let first = match core {
        [only] => only
            .text
            .strip_suffix("'s")
            .or_else(|| only.text.strip_suffix("’s"))
            .unwrap_or(only.text),
        _ => core[0].text,
    };
    let last = core[core.len() - 1].text.trim_end_matches(['\'', '’', 's']);
    // Places and organisations.
    let after = word_after(cell, end);
    let org_after = class(after.bytes()) & ORG != 0;
    let org_named = core.len() > 1
        && core
            .iter()
            .any(|w| class(lower_letters(w.text).bytes()) & ORG_START != 0)
        && {
            let lower_text = text
                .split([' ', '\t', '-'])
                .map(|w| String::from_utf8_lossy(lower_letters(w).bytes()).into_owned())
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            ORGS.iter().any(|o| lower_text.contains(o))
        };
    let first_known = names.is_first(first.split('-').next().unwrap_or(first));
    // A street or place word that is also a surname ends a name after a first name:
    // "Sarah Lane", "Grace Hall"; "Victoria Station" stays a place.
    let org_last = class(lower_letters(last).bytes()) & ORG != 0
        && !(first_known && core.len() > 1 && names.is_last(last));
    if the_before
        || org_after
        || org_last
        || org_named
        || class(lower_letters(first).bytes()) & PLACE_PREFIX != 0 && core.len() > 1
        || (core.len() > 1 && !titled && names.is_place(text))
    {
        return Validity::Invalid.into();
    }
    // "Athletic Bilbao", "Entertainment Weekly", "Third Mainland": an English word that is no
    // first name opens the run.
    // The same for a common word of another supported language (`Premio Strega`, `Westen
    // Regenschauer`, `Departamento Comercial`): nouns of languages that capitalise them, and
    // the words of names of things, are no name's first word.
    // A closing line: "Best,\nTom", "- Elaine", "Regards,\nÖmer Çelik" at the end of the text.
    let rest = cell[end..].trim_matches(|c: char| c.is_whitespace() || matches!(c, '.' | '!'));
    let line_start = {
        let b = cell[..start].trim_end_matches([' ', '\t', '-', '–', '—']);
        b.is_empty() || b.ends_with(['\n', '\r'])
    };
    let closing = class(before.bytes()) & CLOSING != 0;
    let signature = rest.is_empty() && line_start && core.len() <= 3;
    // The line after a closing line signs the letter even when more follows: a role after a
    // comma, or the sender's organisation on the next line (`Met vriendelijke groet,\nRuud
    // Jacobs\nGemeente Utrecht`, `Met sportieve groet,\nSjoerd Hiemstra, secretaris`).
    let line_rest = cell[end..].split(['\n', '\r']).next().unwrap_or("").trim();
    let signed = closing
        && line_start
        && core.len() <= 3
        && (line_rest.is_empty() || line_rest.starts_with(','));
    // A signature after a closing word (`Groetjes,\nAnnemiek`) is a name even when the word
    // lists hold it as a common word.
    // A signed line that names a place is the sender's organisation (`Stadt Kassel`).
    let signed = signed && !core.iter().any(|w| names.is_place(w.text));
    let cued = class(before.bytes()) & CUE != 0 || ((signature || signed) && closing);
    // ... unless every word of a longer signature is a common word: a department
    // (`Saludos cordiales,\nDepartamento Comercial`).
    // The cell's language, told once and only when a word is common somewhere: a word
    // common in French (`agathe`) opens no name in French text, but may in English.
    let language = std::cell::OnceCell::new();
    let common_here = |w: &str| {
        common_word(w) && {
            let code = language.get_or_init(|| crate::detect::recall::language_of(cell));
            crate::detect::recall::is_common_in(code, &w.to_lowercase())
        }
    };
    // A common first word opens no name when it is common in the cell's language:
    // `Departamento Comercial` in Spanish, but `Agathe Teixeira` in English text stays a
    // name (the word lists hold many European first names as words).
    let all_common = core.len() > 1 && core.iter().all(|w| common_here(w.text));
    // After a greeting that opens the line (`Lieve Sanne,`), a word common in the word lists
    // is still a name (frequency lists hold the names of films and letters), unless it
    // addresses a group (`Liebe Kolleginnen`, `Beste Klanten`) or is a closing (`Liebe Grüße`).
    let greeted_name = greeted && addressable(first);
    // A phone number right after a run of two words or more: a contact line (`Rinus
    // Vlaming, 06 4123 5602`, `Mon-Wed Ravi Menon 07700 900584`).
    let contact = core.len() >= 2 && phone_follows(&cell[end..]);
    if !titled
        && !first_known
        && (names.is_english(first)
            || (common_here(first) && !greeted_name && !contact && (!cued || all_common)))
    {
        return Validity::Invalid.into();
    }
    if titled
        || (greeted_name && core.len() <= 3)
        || signed
        || (signature
            && (closing || cell[..start].contains('\n') || cell[..start].trim_end().ends_with('-')))
    {
        return span(Validity::Valid, core_start, core_end);
    }
    if core.len() >= 2 {
        let c = check(text);
        let (a, b) = c.span.map_or((0, text.len()), |(a, b)| (a, b));
        let (s, e) = (core_start + a, core_start + b);
        let mut validity = c.validity;
        if validity == Validity::Plausible {
            // A plausible name that opens a sentence before a lower-case word ("Gregor
            // Tintzmann asked...") or sits before a speech verb is confirmed when one of its
            // words is in the dictionaries.
            // An article or preposition that is also a surname somewhere (`La`, `De`, `Der`)
            // is no evidence.
            let known = text.split([' ', '\t']).any(|w| {
                (names.is_first(w) || names.is_last(w))
                    && !crate::detect::recall::is_function_word(&w.to_lowercase())
            });
            let next = word_after(cell, start + e);
            let next_lower = cell[start + e..]
                .trim_start_matches([' ', '\t'])
                .chars()
                .next()
                .is_some_and(char::is_lowercase);
            let speech = class(next.bytes()) & SPEECH != 0;
            // Set off by commas with a role or an age after it: "Alexander Bavykin, deputy
            // minister", "Wang Fang, a spokeswoman", "Nwosu, 26,".
            let appositive = cell[start + e..].strip_prefix(", ").is_some_and(|r| {
                let w = r
                    .split(|c: char| !c.is_alphanumeric())
                    .next()
                    .unwrap_or("")
                    .to_lowercase();
                class(w.as_bytes()) & (ROLE | DEMONYM) != 0
                    || matches!(
                        w.as_str(),
                        "a" | "an" | "the" | "who" | "whose" | "aged" | "his" | "her"
                    )
                    || w.chars().next().is_some_and(|c| c.is_ascii_digit())
            });
            let all_unknown_words = text
                .split([' ', '\t'])
                .filter(|w| !w.is_empty())
                .all(|w| !names.is_english(w) && !names.is_place(w) && !common_here(w));
            // Capitals inside a sentence: two or three capitalised words that are neither
            // English words nor places, after a lower-case word other than an article and
            // before a lower-case word ("logs show Julita Lubera connected from").
            let inside_sentence = !opens_sentence(cell, start + s)
                && !the_before
                && (2..=3).contains(&text.split([' ', '\t']).filter(|w| !w.is_empty()).count())
                && cell[..start + s]
                    .trim_end_matches([' ', '\t'])
                    .chars()
                    .next_back()
                    .is_some_and(char::is_lowercase);
            // A noun of a supported language opening the sentence before the name is its
            // role (`Zangeres Wendy van Gilst geeft`, `Oppositieleider Pim Dekkers noemde`).
            let role_opens = raw_word_before(cell, start + s).is_some_and(|(prev, at)| {
                prev.chars().next().is_some_and(char::is_uppercase)
                    && opens_sentence(cell, at)
                    && common_word(prev)
                    && !names.is_english(prev)
                    && !crate::detect::recall::is_function_word(&prev.to_lowercase())
            });
            if (known && ((opens_sentence(cell, start + s) && next_lower) || speech || appositive))
                || (role_opens && (known || all_unknown_words) && (next_lower || speech))
                || (contact
                    && !names.is_english(first)
                    && !names.is_place(text)
                    && (!all_common
                        || *language.get_or_init(|| crate::detect::recall::language_of(cell))
                            != "de"))
                || (speech && all_unknown_words)
                || (inside_sentence && all_unknown_words && next_lower)
            {
                validity = Validity::Valid;
            }
        }
        return match validity {
            Validity::Invalid => Validity::Invalid.into(),
            v => span(v, s, e),
        };
    }
    // One word.
    let w = first;
    // A closing, greeting, title or cue alone is no name (`Gruß, Nils`), unless it is a
    // first name too (`Cara`, `Ola`, `Per`).
    if !looks_like_name(w)
        || names.is_not_name(w)
        || (!first_known
            && class(lower_letters(w).bytes()) & (CLOSING | GREETING | HONORIFIC | CUE) != 0)
    {
        return Validity::Invalid.into();
    }
    let abs = start + core_start;
    // A cell that is one word is a value of a column (a product, a status, a first name in a
    // name column, which person.2 judges with the header), not a name in text.
    if cell.trim() == &cell[abs..start + core_end] {
        return Validity::Invalid.into();
    }
    let after_core = cell[start + core_end..].trim_start_matches([' ', '\t']);
    // A day or a month next to a number ("31 Jan 2025", "Jun 5") is a date.
    let number_before = cell[..abs]
        .trim_end_matches([' ', '\t'])
        .ends_with(|c: char| c.is_ascii_digit());
    if number_before || after_core.starts_with(|c: char| c.is_ascii_digit()) {
        return Validity::Invalid.into();
    }
    let next = word_after(cell, start + core_end);
    let speech = class(next.bytes()) & SPEECH != 0;
    let cue = class(before.bytes()) & CUE != 0;
    let possessive = cand[..core_end].len() < cand.len()
        || after_core.starts_with("'s ")
        || after_core.starts_with("’s ");
    // "Jackson, Patricia": a surname before a comma and a known first name.
    let last_first = after_core.strip_prefix(", ").is_some_and(|r| {
        let f: String = r
            .chars()
            .take_while(|c| c.is_alphabetic() || *c == '-')
            .collect();
        looks_like_name(&f) && names.is_first(&f)
    });
    let known = first_known && !names.is_word_name(w);
    let next_char = after_core.chars().next();
    let closes = next_char.is_none_or(|c| {
        matches!(
            c,
            ',' | '.' | ')' | ':' | ';' | '!' | '?' | '"' | '-' | '–' | '\n'
        )
    });
    // A greeting on the same line (`Hi Jonas`, `Hallo, Anna`), not one that opened the
    // message above (`Bonjour,\n\nLe colis …`).
    let same_line = !cell[..abs]
        .trim_end_matches([' ', '\t', ','])
        .ends_with(['\n', '\r']);
    let greeting =
        greeted_name || (same_line && class(before.bytes()) & GREETING != 0 && addressable(first));
    let strong = greeting || titled || last_first;
    // An article, pronoun or preposition of a supported language (`Le`, `De:`, `Su`,
    // `Para`) is no one-word name, whatever the name lists hold, where such words stand as
    // words: opening a sentence or a line, or as a header's label (`De:`). `to Ella.` and
    // `Ben's laptop` stay names.
    let header_label = after_core.starts_with(':');
    if !strong
        && !speech
        && !cue
        && !possessive
        && (opens_sentence(cell, abs) || header_label)
        && crate::detect::recall::is_function_word(&w.to_lowercase())
    {
        return Validity::Invalid.into();
    }
    // The speaker of a quotation, given before (`aldus Verhoek`, `laut Brunner`, `according to
    // Holloway`) or by a relative clause of persons after (`Holloway, who founded`).
    let quoted = class(before.bytes()) & QUOTE != 0
        || {
            let tail = cell[..abs].trim_end().as_bytes();
            tail.len() >= 12 && tail[tail.len() - 12..].eq_ignore_ascii_case(b"according to")
        }
        || ["who ", "whom ", "whose "].iter().any(|r| {
            after_core
                .strip_prefix(", ")
                .is_some_and(|a| a.starts_with(r))
        });
    let says = class(next.bytes()) & SAYS != 0 || quoted;
    if names.is_place(w) && !(strong || says || possessive) {
        return Validity::Invalid.into();
    }
    let valid = if strong && (first_known || !names.is_english(w)) {
        true
    } else if known {
        // A known first name needs a cue, a verb after it, a possessive, punctuation closing
        // it, or a lower-case word after it at a sentence's start (its subject).
        // In Portuguese an article stands before a first name (`o Tiago`, `do Dudu`).
        let pt_article = matches!(
            before.bytes(),
            b"o" | b"a" | b"do" | b"da" | b"no" | b"na" | b"ao" | b"pelo" | b"pela"
        ) && crate::detect::recall::language_of(cell) == "pt";
        cue || speech
            || possessive
            || closes
            || pt_article
            || (opens_sentence(cell, abs)
                && next_char.is_some_and(|c| c.is_lowercase() || c == '('))
    } else {
        // An unknown word needs both a cue before and a verb after it, or a verb of saying
        // after it when it is no common word of any supported language (`Caflisch sagte`,
        // `Lenoir affirme`): a lone surname in subject position.
        !names.is_english(w) && ((cue && speech) || (says && !common_word(w)))
    };
    if valid {
        span(Validity::Valid, core_start, core_end)
    } else {
        Validity::Invalid.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The name `check_in` finds in `cell` for the candidate `run` (its first occurrence).
    fn found_in(cell: &str, run: &str) -> Option<String> {
        let start = cell.find(run).unwrap();
        let c = check_in(cell, start, start + run.len());
        (c.validity == Validity::Valid).then(|| {
            let (a, b) = c.span.unwrap_or((0, run.len()));
            cell[start + a..start + b].to_string()
        })
    }

    #[test]
    fn greetings_speakers_contacts_and_signatures() {
        // A greeting that opens the line is no part of the name; a group or a closing after
        // it is no name.
        assert_eq!(
            found_in("Lieve Sanne,\n\nIk stuur de foto's.", "Lieve Sanne").as_deref(),
            Some("Sanne")
        );
        assert_eq!(
            found_in("Liebe Kolleginnen, bitte", "Liebe Kolleginnen"),
            None
        );
        assert_eq!(
            found_in("Beste Klanten, vanaf maandag", "Beste Klanten"),
            None
        );
        assert_eq!(found_in("Liebe Grüße,\nAnna", "Liebe Grüße"), None);
        // The speaker of a quotation, before or after.
        assert_eq!(
            found_in("„Nee\", aldus Verhoek, directeur.", "Verhoek").as_deref(),
            Some("Verhoek")
        );
        assert_eq!(
            found_in("Holloway, who founded the charity, said so.", "Holloway").as_deref(),
            Some("Holloway")
        );
        assert_eq!(
            found_in("It rained, according to Brannigan, all week.", "Brannigan").as_deref(),
            Some("Brannigan")
        );
        assert_eq!(found_in("„Nee\", aldus Amsterdam.", "Amsterdam"), None);
        // A phone number after a run: a contact line; a word range before it is no name.
        assert_eq!(
            found_in(
                "de fietsenmaker: Rinus Vlaming, 06 4123 5602.",
                "Rinus Vlaming"
            )
            .as_deref(),
            Some("Rinus Vlaming")
        );
        assert_eq!(
            found_in(
                "On call: Mon-Wed Ravi Menon 07700 900584",
                "Mon-Wed Ravi Menon"
            )
            .as_deref(),
            Some("Ravi Menon")
        );
        assert_eq!(
            found_in(
                "Call Customer Service 0800 123 4567 today",
                "Customer Service"
            ),
            None
        );
        // The line after a closing line signs the letter, unless it names a place.
        assert_eq!(
            found_in(
                "Met vriendelijke groet,\nRuud Jacobs\nGemeente Utrecht",
                "Ruud Jacobs"
            )
            .as_deref(),
            Some("Ruud Jacobs")
        );
        assert_eq!(
            found_in(
                "Mit freundlichen Grüßen\nStadt Kassel, Personalamt",
                "Stadt Kassel"
            ),
            None
        );
    }

    #[test]
    fn articles_closings_and_roles_around_names() {
        // An article or preposition opening the sentence is no part of a name.
        assert_eq!(found_in("La Suisse a battu la France.", "La Suisse"), None);
        assert_eq!(
            found_in("Ab Hauptbahnhof fährt der Bus.", "Ab Hauptbahnhof"),
            None
        );
        assert_eq!(
            found_in("De Jong zei dat het klopt.", "De Jong").as_deref(),
            Some("De Jong")
        );
        assert_eq!(
            found_in("Del Piero ha segnato due gol.", "Del Piero").as_deref(),
            Some("Del Piero")
        );
        // A first name that is also a greeting stays a name (`Ola`).
        assert_ne!(
            found_in(
                "Ola Nordmann | Support\nKari Hansen | Sales",
                "Ola Nordmann"
            )
            .as_deref(),
            Some("Nordmann")
        );
        // A closing alone is no name; a closing word that opens a signature keeps its rule.
        assert_eq!(found_in("Bis bald, Gruß, Nils", "Gruß"), None);
        assert_eq!(
            found_in(
                "Ihr Antrag ist da.\n\nIhre Elterngeldstelle",
                "Ihre Elterngeldstelle"
            ),
            None
        );
        // A question or exclamation before a sentence-opening name ends the sentence.
        assert_eq!(
            found_in(
                "Mittag beim Italiener? Steffi und Ömer sind unterwegs",
                "Steffi"
            )
            .as_deref(),
            Some("Steffi")
        );
        // `a` is an article in English only; Portuguese puts one before first names.
        assert_eq!(
            found_in("díselo a Jordi, él tiene las llaves", "Jordi").as_deref(),
            Some("Jordi")
        );
        assert_eq!(
            found_in("chiedi a Salvatore, ha lui le chiavi", "Salvatore").as_deref(),
            Some("Salvatore")
        );
        assert_eq!(found_in("I bought a Jordi yesterday.", "Jordi"), None);
        assert_eq!(
            found_in("Nas férias o Tiago fica com as tarefas.", "Tiago").as_deref(),
            Some("Tiago")
        );
        // A noun opening the sentence is the role of the name after it.
        assert_eq!(
            found_in(
                "Zangeres Wendy van Gilst geeft haar laatste concert.",
                "Wendy van Gilst"
            )
            .as_deref(),
            Some("Wendy van Gilst")
        );
    }

    /// Every article or preposition of the supported languages, opening a sentence before a
    /// common noun or a place of that language, makes no name, whatever follows.
    #[test]
    fn an_article_and_a_noun_opening_a_sentence_are_no_name() {
        let cases: &[(&[&str], &[&str])] = &[
            (
                &["Der", "Die", "Das", "Ab", "Im", "Am", "Zum", "Vom"],
                &[
                    "Hauptbahnhof",
                    "Stadtverwaltung",
                    "Elterngeld",
                    "Westen",
                    "Kundendienst",
                ],
            ),
            (
                &["Le", "La", "Les", "Un", "Une", "Du", "Au"],
                &[
                    "Suisse",
                    "Conseil",
                    "Département",
                    "Gouvernement",
                    "Ministère",
                ],
            ),
            (
                &["El", "La", "Los", "Las", "Un", "Una", "Del"],
                &[
                    "Ayuntamiento",
                    "Gobierno",
                    "Ministerio",
                    "Consejo",
                    "Tribunal",
                ],
            ),
            (
                &["Il", "Lo", "La", "Gli", "Le", "Un", "Una"],
                &["Comune", "Governo", "Ministero", "Consiglio", "Tribunale"],
            ),
            (
                &["De", "Het", "Een", "Bij", "Op", "In"],
                &["Gemeente", "Rotterdamse", "Regering", "Raad", "Rechtbank"],
            ),
            (
                &["O", "A", "Os", "As", "Um", "Uma", "No", "Na"],
                &[
                    "Governo",
                    "Ministério",
                    "Conselho",
                    "Tribunal",
                    "Prefeitura",
                ],
            ),
        ];
        for (articles, nouns) in cases {
            for a in *articles {
                for n in *nouns {
                    // A name's particle before a surname is a name (`La Fontaine`, `De Jong`).
                    let particle = matches!(a.to_lowercase().as_str(), "de" | "le" | "la" | "el");
                    if particle && Names::get().is_last(n) {
                        continue;
                    }
                    for tail in [
                        " hat heute entschieden.",
                        " a décidé hier.",
                        ", según fuentes.",
                        " stopt ermee.",
                    ] {
                        for lead in ["", "Gisteren was het rustig. "] {
                            let cell = format!("{lead}{a} {n}{tail}");
                            let run = format!("{a} {n}");
                            assert_eq!(found_in(&cell, &run), None, "{cell}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn names_in_sentences() {
        // Titles, roles and nationality words are evidence, not part of the name.
        assert_eq!(
            found_in("Ask Inspector Halvorsen today.", "Inspector Halvorsen").as_deref(),
            Some("Halvorsen")
        );
        assert_eq!(
            found_in("Dutch Pieter Verbruggen won", "Dutch Pieter Verbruggen").as_deref(),
            Some("Pieter Verbruggen")
        );
        assert_eq!(
            found_in("Norway's Ingrid Solberg won", "Norway's Ingrid Solberg").as_deref(),
            Some("Ingrid Solberg")
        );
        assert_eq!(
            found_in("my sister Oona arrives", "Oona").as_deref(),
            Some("Oona")
        );
        // One known first name with a cue, a greeting, a sign-off.
        assert_eq!(
            found_in("The parcel was handed to Priya.", "Priya").as_deref(),
            Some("Priya")
        );
        assert_eq!(
            found_in("Hola Mateo, gracias", "Mateo").as_deref(),
            Some("Mateo")
        );
        assert_eq!(
            found_in("See you then.\nBest,\nLorenzo", "Lorenzo").as_deref(),
            Some("Lorenzo")
        );
        // An unknown name before a speech verb, set off by a role.
        assert_eq!(
            found_in("Kwabena Darko, a spokesman, said no", "Kwabena Darko").as_deref(),
            Some("Kwabena Darko")
        );
    }

    #[test]
    fn other_languages_nouns_function_words_and_salutations_are_not_names() {
        for (cell, run) in [
            // Nouns of a language that capitalises them, and names of things.
            (
                "Am Donnerstag ziehen von Westen Regenschauer auf",
                "Westen Regenschauer",
            ),
            (
                "Ieri sera Premio Strega è stato assegnato a Roma.",
                "Premio Strega",
            ),
            (
                "Le enviamos hoy la factura del pedido y el albarán que nos pidió.\n\nSaludos cordiales,\nDepartamento Comercial",
                "Departamento Comercial",
            ),
            // Articles, pronouns and prepositions opening a sentence or a header line.
            ("Bonjour,\n\nLe colis est arrivé.", "Le"),
            ("De: ana@example.com", "De"),
            ("Estimado Sr. Villalobos:\n\nSu pedido será entregado", "Su"),
            // A salutation's title does not title the next sentence.
            ("Cher Monsieur,\n\nLe conseil a décidé", "Le"),
            // An article before the run: a thing or a place.
            ("pendant les vacances de la Toussaint ?", "Toussaint"),
        ] {
            assert_eq!(found_in(cell, run), None, "{cell}");
        }
    }

    #[test]
    fn european_names_after_a_role_of_their_language_stay_names() {
        assert_eq!(
            found_in(
                "Kunde Burkhard Trupp bittet um Rückruf wegen der Bestellung.",
                "Burkhard Trupp"
            )
            .as_deref(),
            Some("Burkhard Trupp")
        );
    }

    #[test]
    fn european_names_in_english_text_stay_names() {
        assert_eq!(
            found_in(
                "The customer Burkhard Trupp called about the invoice",
                "Burkhard Trupp"
            )
            .as_deref(),
            Some("Burkhard Trupp")
        );
    }

    #[test]
    fn english_names_that_are_function_words_elsewhere_stay_names() {
        assert_eq!(
            found_in("Please forward the invoice to Ella.", "Ella").as_deref(),
            Some("Ella")
        );
        assert_eq!(
            found_in("Yesterday Ben's laptop was stolen", "Ben").as_deref(),
            Some("Ben")
        );
    }

    #[test]
    fn lone_surnames_before_a_verb_of_saying_and_signatures_in_other_languages() {
        for (cell, run) in [
            (
                "Er hat sich verletzt. Caflisch sagte, es gehe ihm gut.",
                "Caflisch",
            ),
            (
                "Le match était serré. Lenoir affirme que tout va bien.",
                "Lenoir",
            ),
            ("Ze zit in Rotterdam.\n\nGroetjes,\nAnnemiek", "Annemiek"),
            ("Alles gut.\n\nBeste Grüße\nUwe Reuter", "Uwe Reuter"),
        ] {
            assert_eq!(found_in(cell, run).as_deref(), Some(run), "{cell}");
        }
        // The tail of a run after a noun or title of another language is the name.
        let cell = "Nach Angaben von Oberarzt Stefan Lange ist der Patient stabil.";
        assert_eq!(
            found_in(cell, "Stefan Lange").as_deref(),
            Some("Stefan Lange")
        );
    }

    #[test]
    fn places_organisations_and_dates_are_not_names() {
        for (cell, run) in [
            ("We met at Liverpool Street yesterday", "Liverpool Street"),
            ("shares of Morgan Stanley rose", "Morgan Stanley"),
            ("flights to San Diego resumed", "San Diego"),
            ("the Royal Albert hall", "Royal Albert"),
            ("a shipment to Austin arrived", "Austin"),
            ("paid on 31 Jan 2025", "Jan"),
            ("Entertainment Weekly reported", "Entertainment Weekly"),
            ("The Quick Brown Fox", "Brown Fox"),
            ("Replaced Vela standing desk", "Vela"),
            ("Jane", "Jane"),
        ] {
            assert_eq!(found_in(cell, run), None, "{cell}");
        }
    }
}
