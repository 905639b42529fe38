//! Cells that name an organisation rather than a person: a legal form (`Jones PLC`), a
//! quoted trade name, surnames joined by a conjunction (`Lewis, Miller and Barnes`).

use super::Names;
use std::sync::OnceLock;

/// Legal forms and words that only organisations carry, folded to lower case without dots
/// (`S.A.R.L.` is `sarl`). Kept apart from [`ORG_WORDS`], whose place words (Hall, Park,
/// Court) are also surnames and would reject people in a name column.
const LEGAL_FORMS: &[&str] = &[
    // English
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "llc",
    "llp",
    "lp",
    "plc",
    "corp",
    "corporation",
    "company",
    "co",
    "group",
    "holdings",
    "partners",
    "associates",
    "enterprises",
    "industries",
    "technologies",
    "solutions",
    "systems",
    "services",
    "consulting",
    "international",
    "brothers",
    "bros",
    "sons",
    "trust",
    "foundation",
    "bank",
    "university",
    "agency",
    // German, Dutch, Nordic
    "gmbh",
    "mbh",
    "ag",
    "kg",
    "kgaa",
    "ohg",
    "gbr",
    "ev",
    "eg",
    "ek",
    "ug",
    "stiftung",
    "bv",
    "nv",
    "vof",
    "cv",
    "stichting",
    "zonen",
    "groep",
    "koninklijke",
    "ab",
    "asa",
    "as",
    "aps",
    "oy",
    "oyj",
    // French, Spanish, Portuguese, Italian
    "sa",
    "sas",
    "sasu",
    "sarl",
    "eurl",
    "sci",
    "snc",
    "scp",
    "sl",
    "sll",
    "slu",
    "scoop",
    "ltda",
    "eireli",
    "mei",
    "spa",
    "srl",
    "srls",
    "sapa",
    "sas",
    "figli",
    "hijos",
    "filhos",
    "fils",
    "cie",
    "compagnie",
    "grupo",
    "gruppo",
    "groupe",
    "hermanos",
    "fratelli",
    "freres",
    "asociados",
    "associati",
    "associes",
    // Central and Eastern Europe, Russia, Kazakhstan
    "kft",
    "zrt",
    "nyrt",
    "sro",
    "as",
    "doo",
    "dd",
    "ood",
    "ead",
    "spzoo",
    "zoo",
    "ооо",
    "оао",
    "зао",
    "пао",
    "ао",
    "рао",
    "нпо",
    "ип",
    "тоо",
    "лтд",
    "инкорпорэйтед",
    "групп",
    "холдинг",
    "лимитед",
    "нк",
    "магазин",
    "компания",
    "корпорация",
    "партнеры",
    "дүкені",
];

/// Conjunctions that join the names of a firm (`Lewis, Miller and Barnes`, `Jansen & Zonen`).
const CONJUNCTIONS: &[&str] = &[
    "and", "&", "und", "et", "y", "e", "en", "и", "och", "og", "ja",
];

/// Whether a cell names an organisation rather than a person: a legal form (`Jones PLC`,
/// `Legrand S.A.S.`, `ООО «Матвеева»`), quotation marks around a trade name, or surnames
/// joined by a conjunction (`Lewis, Miller and Barnes`) where the word after it is not a
/// first name (`John and Jane Smith` is a couple, not a firm).
pub fn names_organisation(text: &str) -> bool {
    if text.contains(['«', '»', '"', '“', '”', '„', '「', '」'])
        || [
            "株式会社",
            "有限会社",
            "合同会社",
            "有限公司",
            "集团",
            "公司",
        ]
        .iter()
        .any(|w| text.contains(w))
    {
        return true;
    }
    // One word is an organisation only when it is a legal form itself: nothing to learn.
    if !text
        .trim()
        .contains(|c: char| c.is_whitespace() || c == ',' || c == '/')
    {
        return false;
    }
    let names = Names::get();
    let ws: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',' || c == '/')
        .filter(|w| !w.is_empty())
        .collect();
    for (i, w) in ws.iter().enumerate() {
        if is_legal_form(w) && (i > 0 || ws.len() == 1 || w.chars().count() > 3) {
            return true;
        }
        let conjunction = CONJUNCTIONS.iter().any(|c| w.eq_ignore_ascii_case(c));
        if conjunction && i > 0 && i + 1 < ws.len() {
            // `John and Jane Smith`: two first names, a couple.
            let first = |w: &str| names.is_first(w.split('-').next().unwrap_or(w));
            let couple = i == 1 && !text.contains(',') && first(ws[0]) && first(ws[2]);
            if !couple {
                return true;
            }
        }
    }
    false
}

/// Whether a word is a legal form or an organisation word ([`LEGAL_FORMS`]), ignoring case,
/// dots and hyphens (`S.A.R.L.`, `Sp.z.o.o.`).
pub(super) fn is_legal_form(w: &str) -> bool {
    static SET: OnceLock<foldhash::HashSet<&'static str>> = OnceLock::new();
    let set = SET.get_or_init(|| LEGAL_FORMS.iter().copied().collect());
    // The longest form is 26 bytes (`инкорпорэйтед`); most words are rejected by length.
    if w.len() > 32 {
        return false;
    }
    let mut key = [0u8; 32];
    let mut n = 0;
    for c in w
        .chars()
        .filter(|c| !matches!(c, '.' | '-' | '’' | '\'' | '(' | ')'))
    {
        for l in c.to_lowercase() {
            let len = l.len_utf8();
            if n + len > key.len() {
                return false;
            }
            l.encode_utf8(&mut key[n..n + len]);
            n += len;
        }
    }
    std::str::from_utf8(&key[..n]).is_ok_and(|k| set.contains(k))
}
