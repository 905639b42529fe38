//! Names in lists and tables: items of one list, or cells of one table column, are the same
//! kind of thing. When the rules found a person in some of them, the others that look like
//! names and that no dictionary explains are persons too:
//!
//! - `Dawn, Wes, Hyacinth Brown, Ifeoma and the Scouts` (a list in a sentence);
//! - `Gareth Pugh | Sales | 4410` over `Yusuf Demir | Sales | 4418` (a table's column);
//! - `1. Kiprotich (Kenya) 2:05:44; 2. Haile Gebremariam (Ethiopia) …` (ranked results).
//!
//! An item is a name only as a whole: one to four capitalised words (particles such as `de`
//! and `van der` allowed), after a rank (`3.`) or a bullet and before a bracket and numbers.
//! A word that is a common word of the text's language, an English word, a place, a title or
//! a greeting explains the item as something else. A plain list needs two found names, or one
//! and a name the dictionaries know; a table column or a ranked list needs one.

use super::{Names, is_context_word, is_particle, is_thing_word};

/// How an item is set off from the one before it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sep {
    /// A comma, semicolon, line break or conjunction: the same list goes on.
    List,
    /// The end of a sentence or a colon: a new list may start.
    Break,
}

/// An item of a list: its byte range in the text and what set it off.
struct Item {
    start: usize,
    end: usize,
    sep: Sep,
}

/// Conjunctions that join the last item of a list, in the supported languages.
const CONJUNCTIONS: &[&str] = &["and", "&", "en", "und", "et", "y", "e"];

/// At most this many items are looked at in one text (a bound on work per cell).
const MAX_ITEMS: usize = 4096;

/// Splits `text` into list items at commas, semicolons, line breaks, bars, tabs and
/// conjunctions (list separators) and at sentence ends and colons (breaks).
fn items(text: &str) -> Vec<Item> {
    let bytes = text.as_bytes();
    let mut out: Vec<Item> = Vec::new();
    let mut start = 0;
    let mut sep = Sep::Break;
    let push = |out: &mut Vec<Item>, s: usize, e: usize, sep: Sep| {
        if out.len() < MAX_ITEMS {
            out.push(Item {
                start: s,
                end: e,
                sep,
            });
        }
    };
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let next = bytes.get(i + 1).copied();
        let end_or_blank = next.is_none_or(|n| n == b' ' || n == b'\t' || n == b'\n' || n == b'\r');
        match b {
            // A decimal comma (`1:51,07`) joins digits.
            b',' if i > 0
                && bytes[i - 1].is_ascii_digit()
                && next.is_some_and(|n| n.is_ascii_digit()) => {}
            b',' | b';' | b'\n' | b'\r' | b'|' | b'\t' => {
                push(&mut out, start, i, sep);
                sep = Sep::List;
                start = i + 1;
            }
            b'.' | b'!' | b'?' | b':' if end_or_blank => {
                // A rank (`3.`) or an initial (`F.`) is no sentence end. Both are short: only
                // the item's last bytes are looked at, so a long item costs no rescans.
                let seg = &text[start..i];
                let rank = b == b'.' && seg.len() <= 8 && {
                    let t = seg.trim();
                    !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit())
                };
                let last = seg.rsplit(' ').next().unwrap_or("");
                let initial =
                    b == b'.' && last.chars().count() == 1 && last.chars().all(char::is_uppercase);
                if !rank && !initial {
                    push(&mut out, start, i, sep);
                    sep = Sep::Break;
                    start = i + 1;
                }
            }
            b' ' => {
                // A conjunction between blanks.
                let rest = &text[i + 1..];
                if let Some(c) = CONJUNCTIONS
                    .iter()
                    .find(|c| rest.starts_with(**c) && rest[c.len()..].starts_with(' '))
                {
                    push(&mut out, start, i, sep);
                    sep = Sep::List;
                    start = i + 1 + c.len();
                    i = start;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    push(&mut out, start, text.len(), sep);
    out
}

/// The name-shaped words at the start (`lead`) or end (`!lead`) of `s`, or all of `s`
/// (`whole`): capitalised words and particles, the first one capitalised. Returns the
/// byte range in `s`.
fn name_run(s: &str, whole: bool, lead: bool) -> Option<(usize, usize)> {
    let word_ok = |w: &str| is_particle(w) || w == "El" || looks_like_item_word(w);
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut at = 0;
    for w in s.split(' ') {
        if !w.is_empty() {
            spans.push((at, at + w.len()));
        }
        at += w.len() + 1;
    }
    if spans.is_empty() {
        return None;
    }
    let ok = |&(a, b): &(usize, usize)| word_ok(&s[a..b]);
    let (a, b) = if whole {
        if !spans.iter().all(ok) {
            return None;
        }
        (0, spans.len())
    } else if lead {
        (0, spans.iter().take_while(|w| ok(w)).count())
    } else {
        let n = spans.iter().rev().take_while(|w| ok(w)).count();
        (spans.len() - n, spans.len())
    };
    // Particles never open nor close the run.
    let run = &spans[a..b];
    let first = run.iter().position(|&(x, y)| !is_particle(&s[x..y]))?;
    let last = run.iter().rposition(|&(x, y)| !is_particle(&s[x..y]))?;
    let run = &run[first..=last];
    if run.is_empty() || run.len() > 4 || (!whole && first > 0 && lead) {
        return None;
    }
    Some((run[0].0, run[run.len() - 1].1))
}

/// A capitalised word of letters, with inner hyphens and apostrophes (`Jean-Luc`, `D'Amico`).
fn looks_like_item_word(w: &str) -> bool {
    let mut cs = w.chars();
    cs.next().is_some_and(char::is_uppercase)
        && w.chars().count() >= 2
        && w.chars()
            .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '’'))
        && w.chars().any(char::is_lowercase)
}

/// The part of an item that may be a name: after a rank or a bullet, before a bracket or
/// trailing numbers (`3. Ilse Brandauer (Austria) 1:51.07` gives `Ilse Brandauer`). Returns
/// the range in `text` and whether a rank or bullet opened the item.
fn core(text: &str, item: &Item) -> (usize, usize, bool) {
    let s = &text[item.start..item.end];
    let trimmed = s.trim_start();
    let mut start = item.start + (s.len() - trimmed.len());
    let mut t = trimmed;
    let mut ranked = false;
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && digits <= 3 && t[digits..].starts_with(['.', ')']) {
        let after = &t[digits + 1..];
        let rest = after.trim_start();
        if rest.len() < after.len() {
            start += t.len() - rest.len();
            t = rest;
            ranked = true;
        }
    } else if let Some(rest) = ["- ", "* ", "• ", "– "]
        .iter()
        .find_map(|b| t.strip_prefix(b))
    {
        let rest = rest.trim_start();
        start += t.len() - rest.len();
        t = rest;
        ranked = true;
    }
    // Cut a bracket and what follows it, then, in a ranked item or after a bracket, trailing
    // words without letters (times and scores; not the house number of an address).
    let bracket = t.find(" (");
    let mut end_rel = bracket.unwrap_or(t.len());
    loop {
        if !(ranked || bracket.is_some()) {
            break;
        }
        let head = t[..end_rel].trim_end();
        match head.rsplit_once(' ') {
            Some((before, last)) if !last.chars().any(char::is_alphabetic) => {
                end_rel = before.len();
            }
            _ => {
                end_rel = head.len();
                break;
            }
        }
    }
    let end_rel = t[..end_rel].trim_end().len();
    (start, start + end_rel, ranked)
}

/// Whether the name-shaped `run` is explained as something other than a person's name, in a
/// text whose language is `lang`; `known` is set when a word is a known first name or surname.
fn explained(run: &str, lang: &str, known: &mut bool) -> bool {
    let names = Names::get();
    if names.is_place(run) || super::names_organisation(run) {
        return true;
    }
    let several = run.split(' ').filter(|w| !w.is_empty()).count() > 1;
    for w in run
        .split([' ', '-'])
        .filter(|w| !w.is_empty() && !is_particle(w))
    {
        // A capitalised particle inside a longer name (`Bouchra El Amrani`, `De Boer`).
        let lower = w.to_lowercase();
        if several
            && (is_particle(&lower) || matches!(lower.as_str(), "el" | "ben" | "abu" | "ibn"))
        {
            continue;
        }
        if names.is_not_name(w) || is_context_word(w) || is_thing_word(w) {
            return true;
        }
        if names.is_first(w) || names.is_last(w) {
            // A surname that is also a word (`Sales`, `Brown`) is that word alone; beside
            // another word of a name (`Hyacinth Brown`) it is a name but not known evidence.
            let word = !names.is_first(w)
                && (names.is_english(w) || crate::detect::recall::is_common_in(lang, &lower));
            if word && !several {
                return true;
            }
            *known |= !word;
            continue;
        }
        if names.is_english(w)
            || names.is_place(w)
            || crate::detect::recall::is_common_in(lang, &lower)
        {
            return true;
        }
    }
    false
}

/// The names among the items of lists and table columns of `text` that hold names found by
/// the rules (`found`: byte ranges, sorted or not). Returns, for each new name, its byte range
/// and the index in `found` of a name of the same list.
pub fn list_siblings(text: &str, found: &[(usize, usize)]) -> Vec<(usize, usize, usize)> {
    if found.is_empty() || !text.contains([',', ';', '\n', '|', '\t', ' ']) {
        return Vec::new();
    }
    // Only a found name that stands as an item (a separator or a rank right before or after
    // it) can have siblings: most texts stop here.
    let listed = |&(s, e): &(usize, usize)| {
        let after = text[e..].trim_start_matches([' ', ')', '(']);
        let before = text[..s].trim_end_matches([' ', '.', '-', '*', '•', '–']);
        after.is_empty()
            || after.starts_with([',', ';', '|', '\t', '\n', '\r', '&'])
            || CONJUNCTIONS
                .iter()
                .any(|c| after.starts_with(c) && after[c.len()..].starts_with(' '))
            || after.starts_with(|c: char| c.is_ascii_digit())
            || before.is_empty()
            || before.ends_with([',', ';', '|', '\t', '\n', '\r', ':'])
            || before.ends_with(|c: char| c.is_ascii_digit())
            || CONJUNCTIONS
                .iter()
                .any(|c| before.ends_with(c) && before[..before.len() - c.len()].ends_with(' '))
    };
    if !found.iter().any(listed) {
        return Vec::new();
    }
    let lang = crate::detect::recall::language_of(text);
    let mut out: Vec<(usize, usize, usize)> = Vec::new();
    // The found names by start (they do not overlap), for logarithmic look-ups.
    let mut by_start: Vec<(usize, usize, usize)> = found
        .iter()
        .enumerate()
        .map(|(i, &(s, e))| (s, e, i))
        .collect();
    by_start.sort_unstable();
    let taken = crate::detect::spanset::SpanSet::new(found.iter().copied());
    let overlaps = |a: usize, b: usize| taken.overlaps(a, b);
    let confirmed = |a: usize, b: usize| {
        let k = by_start.partition_point(|f| f.0 <= a);
        (k > 0 && by_start[k - 1].1 >= b).then(|| by_start[k - 1].2)
    };
    let items = items(text);
    // Table columns: lines cut by bars or tabs into the same number of cells.
    table_columns(text, lang, &confirmed, &overlaps, &mut out);
    // Lists: runs of items joined by list separators. Each item is a candidate with its
    // core's name run: whole for inner items, the trailing run of the first item (`I met
    // Anna`) and the leading run of the last (`Daan zitten`).
    let mut i = 0;
    while i < items.len() {
        // A chain: items i..j whose cores are names as a whole, plus one partial item at
        // each end.
        let mut j = i;
        let mut cands: Vec<(usize, usize, bool)> = Vec::new();
        while j < items.len() && (j == i || items[j].sep == Sep::List) {
            let (cs, ce, ranked) = core(text, &items[j]);
            let s = &text[cs..ce];
            match name_run(s, true, true) {
                Some((a, b)) => cands.push((cs + a, cs + b, ranked)),
                None => break,
            }
            j += 1;
        }
        // The partial neighbours: the item before the chain (joined to it by a list
        // separator) gives its trailing run; the item after, its leading run.
        let mut chain = cands;
        if i > 0 && items[i].sep == Sep::List && !chain.is_empty() {
            let (cs, ce, _) = core(text, &items[i - 1]);
            if let Some((a, b)) = name_run(&text[cs..ce], false, false) {
                chain.insert(0, (cs + a, cs + b, false));
            }
        }
        if j < items.len() && items[j].sep == Sep::List && !chain.is_empty() {
            let it = &items[j];
            let s = &text[it.start..it.end];
            let lead = s.len() - s.trim_start().len();
            if let Some((a, b)) = name_run(s.trim_start(), false, true) {
                // Only before a lower-case word: `Daan zitten`, not `Sales Team`.
                let after = s.trim_start()[b..].trim_start();
                if after.chars().next().is_some_and(char::is_lowercase) {
                    chain.push((it.start + lead + a, it.start + lead + b, false));
                }
            }
        }
        // Surnames alone joined by a conjunction are a firm (`Read, Gallagher and Brady`,
        // `Moore, Fitzgerald and Beasley`): people in a list get first names too.
        let names = Names::get();
        let firm = chain.len() >= 2
            && chain.iter().all(|&(a, b, _)| {
                let w = &text[a..b];
                !w.contains(' ') && names.is_last(w)
            })
            && !chain.iter().all(|&(a, b, _)| names.is_first(&text[a..b]))
            && {
                let (_, e, _) = chain[chain.len() - 2];
                let (s, _, _) = chain[chain.len() - 1];
                text[e..s]
                    .split([' ', ','])
                    .any(|w| CONJUNCTIONS.contains(&w))
            };
        if !firm {
            judge_group(text, &chain, lang, &confirmed, &overlaps, false, &mut out);
        }
        i = j.max(i + 1);
    }
    out.sort_unstable();
    out.dedup_by_key(|x| (x.0, x.1));
    out
}

/// Marks the unexplained candidates of one list or column as names when enough of its
/// members were found by the rules.
fn judge_group(
    text: &str,
    group: &[(usize, usize, bool)],
    lang: &str,
    confirmed: &dyn Fn(usize, usize) -> Option<usize>,
    overlaps: &dyn Fn(usize, usize) -> bool,
    column: bool,
    out: &mut Vec<(usize, usize, usize)>,
) {
    if group.len() < 2 {
        return;
    }
    let found: Vec<usize> = group
        .iter()
        .filter_map(|&(a, b, _)| confirmed(a, b))
        .collect();
    let Some(&source) = found.first() else {
        return;
    };
    let structured = column || group.iter().filter(|g| g.2).count() * 2 >= group.len();
    for &(a, b, _) in group {
        if overlaps(a, b) {
            continue;
        }
        let mut known = false;
        if explained(&text[a..b], lang, &mut known) {
            continue;
        }
        if found.len() >= 2 || structured || known {
            out.push((a, b, source));
        }
    }
}

/// The columns of tables in `text` (lines cut by `|` or tabs into the same number of cells,
/// two lines or more): each column is a group.
fn table_columns(
    text: &str,
    lang: &str,
    confirmed: &dyn Fn(usize, usize) -> Option<usize>,
    overlaps: &dyn Fn(usize, usize) -> bool,
    out: &mut Vec<(usize, usize, usize)>,
) {
    if !text.contains(['|', '\t']) {
        return;
    }
    // Lines with their cells' ranges.
    let mut rows: Vec<Vec<(usize, usize)>> = Vec::new();
    let mut at = 0;
    for line in text.split('\n').take(MAX_ITEMS) {
        let l = line.trim_end_matches('\r');
        let delim = if l.contains('|') { '|' } else { '\t' };
        let mut cells = Vec::new();
        let mut c = at;
        for cell in l.split(delim) {
            let lead = cell.len() - cell.trim_start().len();
            cells.push((c + lead, c + lead + cell.trim().len()));
            c += cell.len() + 1;
        }
        rows.push(cells);
        at += line.len() + 1;
    }
    // Runs of consecutive lines with the same number of cells (two or more).
    let mut i = 0;
    while i < rows.len() {
        let n = rows[i].len();
        let mut j = i + 1;
        while j < rows.len() && rows[j].len() == n {
            j += 1;
        }
        // A first row of words is the header (`Name | Team`, `Naam | Afdeling`).
        let header = rows[i].iter().all(|&(a, b)| {
            text[a..b].split(' ').filter(|w| !w.is_empty()).all(|w| {
                let l = w.to_lowercase();
                crate::detect::recall::is_common_word(&l) || Names::get().is_english(w)
            })
        });
        let body = if header { i + 1 } else { i };
        if n >= 2 && j - body >= 2 {
            for col in 0..n {
                let group: Vec<(usize, usize, bool)> = rows[body..j]
                    .iter()
                    .filter_map(|r| {
                        let (a, b) = r[col];
                        name_run(&text[a..b], true, true).map(|(x, y)| (a + x, a + y, false))
                    })
                    .collect();
                judge_group(text, &group, lang, confirmed, overlaps, true, out);
            }
        }
        i = j;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The new names in `text`, given the names the rules found there.
    fn siblings(text: &str, found: &[&str]) -> Vec<String> {
        let spans: Vec<(usize, usize)> = found
            .iter()
            .map(|f| {
                let s = text.find(f).unwrap();
                (s, s + f.len())
            })
            .collect();
        list_siblings(text, &spans)
            .into_iter()
            .map(|(a, b, _)| text[a..b].to_string())
            .collect()
    }

    #[test]
    fn lists_tables_and_results_share_their_kind() {
        assert_eq!(
            siblings(
                "Volunteers: Dawn, Wes, Hyacinth Brown, Ifeoma and the Scouts from Brighton.",
                &["Dawn", "Wes", "Hyacinth Brown"]
            ),
            ["Ifeoma"]
        );
        assert_eq!(
            siblings(
                "Name | Team | Ext\nGareth Pugh | Sales | 4410\nYusuf Demir | Sales | 4418",
                &["Gareth Pugh"]
            ),
            ["Yusuf Demir"]
        );
        assert_eq!(
            siblings(
                "Top 3: 1. Kiprotich (Kenya) 2:05:44; 2. Haile Gebremariam (Ethiopia) 2:05:51; 3. Joshua Tan (Singapore) 2:09:12.",
                &["Joshua Tan"]
            ),
            ["Kiprotich", "Haile Gebremariam"]
        );
        assert_eq!(
            siblings(
                "Deelnemers: Sophie, Lars de Jong, Priya Ramlal, Kees en de vrijwilligers.",
                &["Sophie", "Lars de Jong"]
            ),
            ["Priya Ramlal", "Kees"]
        );
    }

    /// An invented name-like word (`Kavuro`, `Telamisa`) that no word list explains.
    fn invented(seed: &[u8]) -> Option<String> {
        const ONSETS: [&str; 12] = ["k", "t", "v", "r", "m", "z", "b", "d", "s", "n", "l", "g"];
        const VOWELS: [&str; 5] = ["a", "e", "i", "o", "u"];
        let mut w = String::new();
        for (i, b) in seed.iter().enumerate() {
            w.push_str(ONSETS[(*b as usize + i) % ONSETS.len()]);
            w.push_str(VOWELS[(*b as usize / 12) % VOWELS.len()]);
        }
        let mut cs = w.chars();
        let cap: String = cs.next()?.to_uppercase().chain(cs).collect();
        let mut known = false;
        (!explained(&cap, "en", &mut known) && !known && !crate::detect::recall::is_common_word(&w))
            .then_some(cap)
    }

    proptest::proptest! {
        /// Law: in a list, table column or ranked result list that holds two names the rules
        /// found, every other item that is a name no word list explains is found too, and
        /// nothing outside the items is.
        #[test]
        fn every_unexplained_item_of_a_list_of_names_is_a_name(
            seeds in proptest::collection::vec(proptest::collection::vec(0u8..=255, 2..5), 3..7),
            form in 0usize..5,
        ) {
            let names: Vec<String> = seeds.iter().filter_map(|s| invented(s)).collect();
            let mut names = names;
            names.dedup();
            proptest::prop_assume!(names.len() >= 3 && names.iter().all(|n| names.iter().filter(|m| m.contains(n.as_str())).count() == 1));
            let known = ["Anna Schmidt", "John Miller"];
            let mut all: Vec<String> = known.iter().map(|s| s.to_string()).collect();
            all.extend(names.iter().cloned());
            let text = match form {
                0 => format!("Participants: {}.", all.join(", ")),
                1 => format!("Deelnemers: {} en de vrijwilligers.", all.join(", ")),
                2 => format!("Name | Team\n{}", all.iter().map(|n| format!("{n} | 4410")).collect::<Vec<_>>().join("\n")),
                3 => format!("Results: {}.", all.iter().enumerate().map(|(i, n)| format!("{}. {n} (Kenya) 2:05:4{}", i + 1, i % 10)).collect::<Vec<_>>().join("; ")),
                _ => all.iter().enumerate().map(|(i, n)| format!("{}. {n} (Norway) 1:51,0{}", i + 1, i % 10)).collect::<Vec<_>>().join("\n"),
            };
            let got = siblings(&text, &known);
            let mut want = names.clone();
            want.sort();
            let mut got_sorted = got;
            got_sorted.sort();
            proptest::prop_assert_eq!(got_sorted, want, "{}", text);
        }

        /// Law: items that a word list explains (places, common words of the text's
        /// language, English words) are never names, however many names stand beside them.
        #[test]
        fn explained_items_of_a_list_stay(pick in proptest::collection::vec(0usize..12, 1..5), form in 0usize..3) {
            const WORDS: [&str; 12] = ["Berlin", "Paris", "Marketing", "Sales", "Support", "Monday", "London", "Finance", "Logistics", "Madrid", "Amsterdam", "Security"];
            let known = ["Anna Schmidt", "John Miller"];
            let mut all: Vec<String> = known.iter().map(|s| s.to_string()).collect();
            all.extend(pick.iter().map(|&i| WORDS[i].to_string()));
            let text = match form {
                0 => format!("Present: {}.", all.join(", ")),
                1 => format!("Name | Team\n{}", all.iter().map(|n| format!("{n} | 4410")).collect::<Vec<_>>().join("\n")),
                _ => format!("Results: {}.", all.iter().enumerate().map(|(i, n)| format!("{}. {n} (Kenya) 2:05:4{}", i + 1, i % 10)).collect::<Vec<_>>().join("; ")),
            };
            proptest::prop_assert!(siblings(&text, &known).is_empty(), "{}", text);
        }
    }

    #[test]
    fn bullets_with_wide_gaps_and_long_tables_are_cut_on_characters() {
        // A bullet followed by several blanks and a name with a non-ASCII letter.
        let got = siblings(
            "Anna Schmidt, Bob Miller\n-  José\n*   Zoë Ångström",
            &["Anna Schmidt"],
        );
        assert!(got.iter().all(|n| !n.starts_with(' ')), "{got:?}");
        // A long table: every row is looked at once (no quadratic look-ups; a text is looked
        // at in its first 4,096 lines or items), nothing panics.
        let mut t = String::from("Name | Team\n");
        for i in 0..4_000 {
            t.push_str(if i % 2 == 0 {
                "Gareth Pugh | Sales\n"
            } else {
                "Yusuf Demir | Sales\n"
            });
        }
        let found: Vec<(usize, usize)> = t
            .match_indices("Gareth Pugh")
            .map(|(s, m)| (s, s + m.len()))
            .collect();
        assert_eq!(list_siblings(&t, &found).len(), 2_000);
    }

    #[test]
    fn lists_of_other_things_stay() {
        // Places, organisations' words, common words and a lone found name explain the rest.
        assert!(
            siblings(
                "Anna Schmidt flew to Berlin, Paris and Rome.",
                &["Anna Schmidt"]
            )
            .is_empty()
        );
        assert!(
            siblings(
                "Anna Schmidt, Marketing, Sales and Support met today.",
                &["Anna Schmidt"]
            )
            .is_empty()
        );
        assert!(siblings("Ask Anna Schmidt, Reuters reported.", &["Anna Schmidt"]).is_empty());
        // Surnames alone joined by a conjunction name a firm.
        assert!(
            siblings(
                "Escalated to the Read, Gallagher and Brady account team.",
                &["Brady"]
            )
            .is_empty()
        );
        // A street and its town are no list of names.
        assert!(
            siblings(
                "New address: 5757 Paul Crossroad Suite 142, Port Matthew.",
                &["Paul"]
            )
            .is_empty()
        );
        // One found name and an unknown word in a plain list: not enough.
        assert!(siblings("Anna Schmidt and Zorblax met.", &["Anna Schmidt"]).is_empty());
        // No found name: nothing.
        assert!(siblings("Kiprotich, Gebremariam and Tan.", &[]).is_empty());
        // A header row of a table is words.
        assert!(
            siblings(
                "Name | Team\nGareth Pugh | Sales\nOla Nordmann | Support",
                &["Gareth Pugh"]
            )
            .iter()
            .all(|n| n == "Ola Nordmann")
        );
    }
}
