//! Column-name tokenisation and hint matching.
//!
//! A column path such as `user.contact.emailAddr` becomes the tokens
//! `user contact email addr`; a hint such as `email address` matches when its tokens appear
//! in a row, when its joined form equals a token (`dateofbirth`), or when a token starts with
//! a joined hint of five letters or more (`phonenumber` starts with `phone`).

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
}
