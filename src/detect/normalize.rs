//! The normalized view of a cell that detection judges (issue 23, classes 4 and 6), with a
//! map back to the cell's own bytes, so that the whole original span is replaced.
//!
//! Values reach exports in forms the rules were not written for: phone numbers grouped with
//! NO-BREAK SPACE, THIN SPACE or NON-BREAKING HYPHEN; zero-width and other format characters
//! inside a value; full-width, Arabic-Indic and other decimal digits; Cyrillic or Greek
//! letters that look like Latin ones inside an e-mail address; and identifiers that a
//! spreadsheet or pandas printed as floats (`4155550142.0`, `4.111111111111111e+15`). The
//! view folds each of these to the plain form: NFKC per character, every space separator to
//! a space, every dash to `-`, format characters removed, decimal digits of any script to
//! ASCII, confusable letters to Latin inside words that hold ASCII letters, digits or `@`,
//! and a whole cell that is an integer written as a float to that integer's digits.
//!
//! Most cells need none of it: the test is a byte-class check ([`needs_view`]) that passes
//! ASCII cells through unless they end like a float, so the common path costs one loop over
//! the bytes. [`fold`] gives the same text without the map: the transformer keys tokens on it,
//! so `4155550142.0`, `４１５５５５０１４２` and `4155550142` get one token.

use std::borrow::Cow;
use unicode_normalization::UnicodeNormalization;

/// A cell's normalized text and, per byte of it, the original character it came from.
#[derive(Debug, Default, Clone)]
pub struct View {
    /// The normalized text.
    pub text: String,
    /// Per byte of `text`: start of the original character.
    starts: Vec<u32>,
    /// Per byte of `text`: end of the original character.
    ends: Vec<u32>,
    /// Length of the original cell.
    len: u32,
}

impl View {
    /// The original span of normalized span `s..e`: from the start of the first character
    /// to the end of the last (a finding ending at the end of the text ends at the cell's
    /// end, so a float's `.0` goes with its integer).
    pub fn original(&self, s: usize, e: usize) -> (u32, u32) {
        if self.text.is_empty() {
            return (0, self.len);
        }
        let start = self.starts.get(s).copied().unwrap_or(self.len);
        let end = if e >= self.text.len() {
            self.len
        } else if e == 0 {
            start
        } else {
            self.ends[e - 1]
        };
        (start, end.max(start))
    }
}

/// Start code points of ten-digit runs of decimal digits that NFKC leaves alone.
const DIGIT_ZEROS: &[u32] = &[
    0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66,
    0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
    0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xAA50, 0xABF0,
];

fn decimal_digit(c: char) -> Option<char> {
    let cp = c as u32;
    DIGIT_ZEROS
        .iter()
        .find(|&&z| (z..z + 10).contains(&cp))
        .map(|&z| char::from(b'0' + (cp - z) as u8))
}

/// Characters that fold to something else (or to nothing) before NFKC.
fn fold_char(c: char) -> Option<Option<char>> {
    Some(match c {
        // Format characters: zero-width, joiners, marks, bidi controls, soft hyphen.
        '\u{00AD}'
        | '\u{034F}'
        | '\u{061C}'
        | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}' => None,
        // Space separators.
        '\u{00A0}'
        | '\u{1680}'
        | '\u{2000}'..='\u{200A}'
        | '\u{202F}'
        | '\u{205F}'
        | '\u{3000}' => Some(' '),
        // Dashes and minus signs.
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => Some('-'),
        _ => match decimal_digit(c) {
            Some(d) => Some(d),
            None => return None,
        },
    })
}

/// Cyrillic and Greek letters drawn like Latin ones (Unicode's confusables, the common part).
fn latin_lookalike(c: char) -> Option<char> {
    Some(match c {
        'а' => 'a',
        'е' => 'e',
        'о' => 'o',
        'р' => 'p',
        'с' => 'c',
        'у' => 'y',
        'х' => 'x',
        'і' => 'i',
        'ј' => 'j',
        'ѕ' => 's',
        'ԁ' => 'd',
        'ԛ' => 'q',
        'ԝ' => 'w',
        'һ' => 'h',
        'ӏ' => 'l',
        'А' => 'A',
        'В' => 'B',
        'Е' => 'E',
        'К' => 'K',
        'М' => 'M',
        'Н' => 'H',
        'О' => 'O',
        'Р' => 'P',
        'С' => 'C',
        'Т' => 'T',
        'Х' => 'X',
        'І' => 'I',
        'Ј' => 'J',
        'Ѕ' => 'S',
        'ο' => 'o',
        'α' => 'a',
        'ν' => 'v',
        'ι' => 'i',
        'κ' => 'k',
        'ρ' => 'p',
        'τ' => 't',
        'υ' => 'u',
        'Α' => 'A',
        'Β' => 'B',
        'Ε' => 'E',
        'Ζ' => 'Z',
        'Η' => 'H',
        'Ι' => 'I',
        'Κ' => 'K',
        'Μ' => 'M',
        'Ν' => 'N',
        'Ο' => 'O',
        'Ρ' => 'P',
        'Τ' => 'T',
        'Υ' => 'Y',
        'Χ' => 'X',
        _ => return None,
    })
}

/// The integer a whole cell writes as a float (`4155550142.0`, `-12.00`, `4.5e15`,
/// `4.111111111111111E+15`), when it has at least six digits: identifiers, not amounts.
pub fn float_integer(cell: &[u8]) -> Option<String> {
    let (sign, body) = match cell.first()? {
        b'-' => ("-", &cell[1..]),
        b'+' => ("", &cell[1..]),
        _ => ("", cell),
    };
    let (mantissa, exp) = match body.iter().position(|&b| b == b'e' || b == b'E') {
        Some(i) => {
            let e = &body[i + 1..];
            let e = e.strip_prefix(b"+").unwrap_or(e);
            if e.is_empty() || e.len() > 3 || !e.iter().all(u8::is_ascii_digit) {
                return None;
            }
            (
                &body[..i],
                std::str::from_utf8(e).ok()?.parse::<usize>().ok()?,
            )
        }
        None => (body, 0),
    };
    let dot = mantissa.iter().position(|&b| b == b'.');
    let (int, frac) = match dot {
        Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
        // `1E10` is as often a code as a number: a float has its point.
        None => return None,
    };
    if int.is_empty()
        || !int.iter().all(u8::is_ascii_digit)
        || !frac.iter().all(u8::is_ascii_digit)
        || (dot.is_some() && frac.is_empty() && exp == 0)
    {
        return None;
    }
    // Digits after the point beyond the exponent must be zeros.
    let (moved, rest) = frac.split_at(frac.len().min(exp));
    if rest.iter().any(|&b| b != b'0') {
        return None;
    }
    let mut digits = String::with_capacity(int.len() + exp);
    digits.push_str(sign);
    let int = std::str::from_utf8(int).ok()?;
    let int = int.trim_start_matches('0');
    digits.push_str(int);
    digits.push_str(std::str::from_utf8(moved).ok()?);
    for _ in moved.len()..exp {
        digits.push('0');
    }
    let n = digits.trim_start_matches('-').len();
    (6..=24).contains(&n).then_some(digits)
}

/// Whether a cell may read differently in the view: non-ASCII bytes, or an ASCII cell that
/// writes an integer as a float.
pub fn needs_view(cell: &[u8]) -> bool {
    if !cell.is_ascii() {
        return true;
    }
    // Floats: a digit first (after a sign) and a `.`, `e` or `E` in the last 24 bytes.
    let body = cell.strip_prefix(b"-").unwrap_or(cell);
    body.first().is_some_and(u8::is_ascii_digit)
        && cell.len() <= 32
        && cell.iter().any(|&b| matches!(b, b'.' | b'e' | b'E'))
        && float_integer(cell).is_some()
}

/// Whether a non-ASCII character reads differently in the view.
fn folds(c: char) -> bool {
    !c.is_ascii()
        && (fold_char(c).is_some()
            || latin_lookalike(c).is_some()
            || unicode_normalization::is_nfkc_quick(std::iter::once(c))
                != unicode_normalization::IsNormalized::Yes)
}

/// The normalized view of `cell`, or `None` when it reads the same (see [`needs_view`]).
/// Cells that are not UTF-8 get no view.
pub fn view(cell: &[u8]) -> Option<View> {
    if !needs_view(cell) {
        return None;
    }
    let len = cell.len() as u32;
    if !cell.is_ascii() && !std::str::from_utf8(cell).ok()?.chars().any(folds) {
        return None;
    }
    if cell.is_ascii() {
        let text = float_integer(cell)?;
        let n = text.len();
        return Some(View {
            text,
            starts: vec![0; n],
            ends: vec![len; n],
            len,
        });
    }
    let s = std::str::from_utf8(cell).ok()?;
    let mut v = View {
        text: String::with_capacity(s.len()),
        starts: Vec::with_capacity(s.len()),
        ends: Vec::with_capacity(s.len()),
        len,
    };
    let mut changed = false;
    // Words (runs of non-space) that hold ASCII letters, digits or `@` take Latin lookalikes.
    let mut latin_word = false;
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        if k == 0 || chars[k - 1].1.is_whitespace() {
            latin_word = s[i..]
                .chars()
                .take_while(|c| !c.is_whitespace())
                .any(|c| c.is_ascii_alphanumeric() || c == '@' || c == '＠');
        }
        let end = (i + c.len_utf8()) as u32;
        let push = |v: &mut View, o: char| {
            let before = v.text.len();
            v.text.push(o);
            for _ in before..v.text.len() {
                v.starts.push(i as u32);
                v.ends.push(end);
            }
        };
        if c.is_ascii() {
            push(&mut v, c);
            continue;
        }
        if let Some(f) = fold_char(c) {
            changed = true;
            if let Some(o) = f {
                push(&mut v, o);
            }
            continue;
        }
        if latin_word && let Some(l) = latin_lookalike(c) {
            changed = true;
            push(&mut v, l);
            continue;
        }
        let mut n = 0;
        let mut same = true;
        for o in std::iter::once(c).nfkc() {
            same &= n == 0 && o == c;
            n += 1;
            push(&mut v, o);
        }
        changed |= !same || n != 1;
    }
    // A float written with full-width digits folds to ASCII first.
    if let Some(int) = v
        .text
        .is_ascii()
        .then(|| float_integer(v.text.as_bytes()))
        .flatten()
    {
        let n = int.len();
        return Some(View {
            text: int,
            starts: vec![0; n],
            ends: vec![len; n],
            len,
        });
    }
    changed.then_some(v)
}

/// `value` as the view reads it (no map): what tokens are keyed on.
pub fn fold(value: &str) -> Cow<'_, str> {
    match view(value.as_bytes()) {
        Some(v) => Cow::Owned(v.text),
        None => Cow::Borrowed(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded(s: &str) -> String {
        fold(s).into_owned()
    }

    #[test]
    fn floats_that_write_integers_read_as_the_integer() {
        assert_eq!(
            float_integer(b"4155550142.0").as_deref(),
            Some("4155550142")
        );
        assert_eq!(float_integer(b"987654321.00").as_deref(), Some("987654321"));
        assert_eq!(
            float_integer(b"4.5e15").as_deref(),
            Some("4500000000000000")
        );
        assert_eq!(
            float_integer(b"4.111111111111111e+15").as_deref(),
            Some("4111111111111111")
        );
        assert_eq!(
            float_integer(b"4.1111111111111111E15"),
            None,
            "a fraction left"
        );
        assert_eq!(float_integer(b"19.99"), None);
        assert_eq!(float_integer(b"5.0"), None, "too short for an identifier");
        assert_eq!(float_integer(b"1e5"), None);
        assert_eq!(float_integer(b"12345"), None, "not a float");
        assert_eq!(float_integer(b"1.2.3"), None);
    }

    #[test]
    fn separators_format_characters_digits_and_lookalikes_fold() {
        assert_eq!(
            folded("+44\u{00A0}20\u{2009}7946\u{2011}0958"),
            "+44 20 7946-0958"
        );
        assert_eq!(
            folded("ja\u{200B}ne@exa\u{2060}mple.com"),
            "jane@example.com"
        );
        assert_eq!(folded("４１５５５５０１４２"), "4155550142");
        assert_eq!(folded("٤١٥٥٥٥٠١٤٢"), "4155550142");
        assert_eq!(folded("jаne@example.com"), "jane@example.com"); // Cyrillic а
        assert_eq!(folded("Иван Петров"), "Иван Петров", "Cyrillic words stay");
        assert_eq!(folded("María García"), "María García");
        assert_eq!(folded("４１５５５５０１４２.０"), "4155550142");
    }

    #[test]
    fn spans_map_back_to_the_whole_original_value() {
        let cell = "call +44\u{00A0}20\u{00A0}7946\u{00A0}0958 now";
        let v = view(cell.as_bytes()).unwrap();
        let s = v.text.find("+44").unwrap();
        let e = s + "+44 20 7946 0958".len();
        let (os, oe) = v.original(s, e);
        assert_eq!(
            &cell[os as usize..oe as usize],
            "+44\u{00A0}20\u{00A0}7946\u{00A0}0958"
        );
        let cell = "4155550142.0";
        let v = view(cell.as_bytes()).unwrap();
        assert_eq!(v.original(0, v.text.len()), (0, 12));
        let cell = "x ja\u{200B}ne@example.com";
        let v = view(cell.as_bytes()).unwrap();
        let (os, oe) = v.original(2, v.text.len());
        assert_eq!(&cell[os as usize..oe as usize], "ja\u{200B}ne@example.com");
    }
}
