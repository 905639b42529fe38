//! Column-name tokenisation and hint matching.
//!
//! A column path such as `user.contact.emailAddr` becomes the tokens
//! `user contact email addr`; a hint such as `email address` matches when its tokens appear
//! in a row, when its joined form equals a token (`dateofbirth`), or when a token starts with
//! a joined hint of five letters or more (`phonenumber` starts with `phone`). A misspelt
//! column name (`FIRSNAME`, `LASTNAM`, `adress`) still matches a hint of six letters or more
//! that it is one edit (or one swap of neighbours) away from, unless the misspelling is itself
//! an English word (`sender` is not `gender`, `county` is not `country`).

/// Splits a column name or path into lower-case word tokens: separators, camelCase
/// boundaries and letter/digit boundaries split.
pub fn tokenize(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev: Option<char> = None;
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev = None;
            continue;
        }
        if let Some(p) = prev {
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            let boundary = (p.is_lowercase() && c.is_uppercase())
                || (p.is_uppercase() && c.is_uppercase() && next_lower)
                || (p.is_alphabetic() != c.is_alphabetic());
            if boundary && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        }
        cur.extend(c.to_lowercase());
        prev = Some(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// What may follow a hint inside one token (`phonenumber`, `emails`, `zipcode`): common
/// column-name tails only, so that `state` does not match `statement`.
const SUFFIXES: &[&str] = &[
    "s", "es", "number", "num", "nr", "no", "address", "addr", "id", "code", "name", "names",
    "date", "line", "1", "2", "hash", "value", "val", "text", "str", "data", "info", "field",
];

/// A compiled hint: its tokens and their joined form.
#[derive(Debug, Clone)]
pub struct Hint {
    tokens: Vec<String>,
    joined: String,
}

impl Hint {
    /// Compiles a hint written as words (`date of birth`, `e-mail`).
    pub fn new(text: &str) -> Hint {
        let tokens = tokenize(text);
        let joined = tokens.concat();
        Hint { tokens, joined }
    }

    /// Whether the hint matches the tokens of a column name.
    pub fn matches(&self, col: &[String]) -> bool {
        if self.tokens.is_empty() {
            return false;
        }
        if col
            .windows(self.tokens.len())
            .any(|w| w == self.tokens.as_slice())
        {
            return true;
        }
        col.iter().any(|t| {
            *t == self.joined
                || (self.joined.len() >= 4
                    && t.strip_prefix(self.joined.as_str())
                        .is_some_and(|rest| SUFFIXES.contains(&rest)))
        }) || (self.tokens.len() == 1 && self.joined.len() >= 5 && col.concat() == self.joined)
    }
}

impl Hint {
    /// [`Hint::matches`], or a column token (or the whole name run together) one edit away
    /// from the joined hint: see the module documentation.
    pub fn matches_misspelt(&self, col: &[String]) -> bool {
        if self.matches(col) {
            return true;
        }
        let hint_len = self.joined.chars().count();
        if hint_len < 6 {
            return false;
        }
        let near = |t: &str| {
            let n = t.chars().count();
            n >= 6
                && n.abs_diff(hint_len) <= 1
                && t.chars().all(|c| c.is_alphabetic())
                && within_one_edit(t, &self.joined)
                && !crate::detect::validators::names::Names::get().is_english(t)
        };
        col.iter().any(|t| near(t)) || (col.len() > 1 && near(&col.concat()))
    }
}

/// Whether `a` becomes `b` by at most one insertion, deletion, substitution or swap of two
/// neighbouring characters (optimal string alignment distance <= 1).
fn within_one_edit(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let p = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (&a[p..], &b[p..]);
    match (ra.len(), rb.len()) {
        (0, 0) => true,
        (x, y) if x == y => {
            ra[1..] == rb[1..] || (x >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && ra[2..] == rb[2..])
        }
        (x, y) if x == y + 1 => ra[1..] == *rb,
        (x, y) if y == x + 1 => *ra == rb[1..],
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenize_styles() {
        assert_eq!(tokenize("custEmailAddr"), ["cust", "email", "addr"]);
        assert_eq!(tokenize("DATE_OF_BIRTH"), ["date", "of", "birth"]);
        assert_eq!(
            tokenize("user.contact.e-mail"),
            ["user", "contact", "e", "mail"]
        );
        assert_eq!(tokenize("IPAddress"), ["ip", "address"]);
        assert_eq!(tokenize("address1"), ["address", "1"]);
        assert_eq!(tokenize("devices[].ip"), ["devices", "ip"]);
    }

    #[test]
    fn hint_matching() {
        let col = tokenize("DateOfBirth");
        assert!(Hint::new("date of birth").matches(&col));
        assert!(Hint::new("dateofbirth").matches(&tokenize("dateofbirth")));
        assert!(Hint::new("phone").matches(&tokenize("phonenumber")));
        assert!(Hint::new("email").matches(&tokenize("EMAILADDRESS")));
        assert!(!Hint::new("state").matches(&tokenize("statement")));
        assert!(Hint::new("e mail").matches(&tokenize("e-mail")));
        assert!(!Hint::new("ssn").matches(&tokenize("ssnap")));
        assert!(!Hint::new("tel").matches(&tokenize("hotel")));
        assert!(Hint::new("email").matches(&tokenize("e_mail")));
    }

    #[test]
    fn misspelt_column_names_match_long_hints_only() {
        let first = Hint::new("first name");
        assert!(first.matches_misspelt(&tokenize("FIRSNAME")));
        assert!(first.matches_misspelt(&tokenize("firts_name")));
        assert!(Hint::new("last name").matches_misspelt(&tokenize("LASTNAM")));
        assert!(Hint::new("address").matches_misspelt(&tokenize("cust_adress")));
        // English words are not misspellings; short hints are not matched loosely.
        assert!(!Hint::new("gender").matches_misspelt(&tokenize("sender")));
        assert!(!Hint::new("country").matches_misspelt(&tokenize("county")));
        assert!(!Hint::new("email").matches_misspelt(&tokenize("gmail")));
        assert!(!Hint::new("first name").matches_misspelt(&tokenize("filename")));
        assert!(within_one_edit("emial", "email") && !within_one_edit("abcd", "abdx"));
    }
}
