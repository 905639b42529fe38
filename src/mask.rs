//! Masking of sample values: reports show the shape of what was found, never the value.
//!
//! `jane.doe@example.com` -> `j***@e***.com`; `+44 20 7946 0958` -> `+** ** **** **58`;
//! `Jane Doe` -> `J*** D**`. Separators and the kind of characters stay visible so a reader
//! can tell a phone from a card; at most the last two characters of a long value are kept.

/// Masks one value.
pub fn mask(value: &[u8]) -> String {
    let s = String::from_utf8_lossy(value);
    if let Some((local, domain)) = s.rsplit_once('@') {
        let first = |t: &str| t.chars().next().map(String::from).unwrap_or_default();
        let (host, tld) = domain.rsplit_once('.').unwrap_or((domain, ""));
        return format!("{}***@{}***.{}", first(local), first(host), tld);
    }
    let chars: Vec<char> = s.chars().collect();
    let alnum = chars.iter().filter(|c| c.is_alphanumeric()).count();
    let keep_tail = if alnum >= 8 { 2 } else { 0 };
    let mut seen = 0;
    let mut word_start = true;
    let mut out = String::with_capacity(s.len());
    for &c in &chars {
        if c.is_alphanumeric() {
            seen += 1;
            // Only trailing digits are kept (the last two of a card or phone), never letters.
            let tail = seen > alnum - keep_tail && c.is_ascii_digit();
            // Letters keep the first letter of each word: names and streets stay readable
            // in shape ("J*** D**") without giving the value away.
            if tail
                || (word_start
                    && c.is_alphabetic()
                    && !c.is_numeric()
                    && alnum > 3
                    && chars.len() > 1)
            {
                out.push(c);
            } else {
                out.push('*');
            }
            word_start = false;
        } else {
            out.push(c);
            word_start = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn shapes() {
        assert_eq!(mask(b"jane.doe@example.com"), "j***@e***.com");
        assert_eq!(mask(b"+44 20 7946 0958"), "+** ** **** **58");
        assert_eq!(mask(b"Jane Doe"), "J*** D**");
        assert_eq!(mask(b"4111 1111 1111 1111"), "**** **** **** **11");
        assert_eq!(mask(b"F"), "*");
    }

    #[test]
    fn no_digit_survives_in_short_values() {
        assert_eq!(mask(b"12345"), "*****");
    }
}
