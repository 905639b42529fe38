//! Phone-number validation against real numbering plans (libphonenumber metadata through the
//! `phonenumber` crate), for `PHONE_NUMBER`.
//!
//! A candidate with a country code (`+44 ...`, `0044 ...`) is parsed as is; a national number
//! is tried against a short list of regions. A number valid in a numbering plan is
//! [`Validity::Valid`]; one that only has a plausible length is [`Validity::Plausible`], which
//! the engine accepts only where context (a `phone` column, a keyword) says it is a phone.

use super::Validity;
use super::numbering::{self, International};
use phonenumber::country::Id;

/// Regions tried, in order, for a number written without a country code.
const NATIONAL_REGIONS: &[Id] = &[
    Id::US,
    Id::GB,
    Id::DE,
    Id::FR,
    Id::IT,
    Id::ES,
    Id::NL,
    Id::AU,
    Id::IN,
    Id::BR,
    Id::CH,
    Id::AT,
    Id::BE,
    Id::IE,
    Id::SE,
    Id::PL,
    Id::PT,
    Id::MX,
    Id::JP,
];

/// Checks a phone candidate. Allocates nothing unless the number has a `(0)`.
pub fn check(text: &str) -> Validity {
    // Drop an extension (`x12`, `ext 12`, `#12`) and the "(0)" trunk prefix some countries
    // write after the code.
    let cut = text
        .bytes()
        .position(|b| matches!(b, b'x' | b'X' | b'#'))
        .unwrap_or(text.len());
    let s = &text[..cut];
    let cleaned: std::borrow::Cow<str> = if s.contains("(0)") {
        s.replace("(0)", "").into()
    } else {
        s.into()
    };
    let mut buf = [0u8; 15];
    let mut digits = 0;
    for b in cleaned.bytes().filter(u8::is_ascii_digit) {
        if digits == buf.len() {
            return Validity::Invalid;
        }
        buf[digits] = b;
        digits += 1;
    }
    if digits < 7 {
        return Validity::Invalid;
    }
    let trimmed = cleaned.trim();
    // Written with its country code: `+44…` or `0044…` (then the code starts after the 00).
    let intl_from = if trimmed.starts_with("00") {
        Some(2)
    } else if trimmed.starts_with('+') {
        Some(0)
    } else {
        None
    };
    // North American numbers (the most common by far) are checked against the NANP
    // structure directly, without the plans' regexes.
    // Without a `+1`, a number that fails the NANP plan may still be national elsewhere
    // (India, Brazil...): only a NANP success short-circuits.
    match nanp(trimmed, intl_from.is_some()) {
        Some(Validity::Valid) => return Validity::Valid,
        Some(v) if intl_from.is_some() => return v,
        _ => {}
    }
    // Validity depends on the digits alone: check them without the writer's separators, and
    // memoise on all of them, so a verdict never depends on which numbers a worker saw before.
    let digits_only = std::str::from_utf8(&buf[..digits]).unwrap_or_default();
    let key = (
        intl_from.is_some(),
        digits as u8,
        digits_only.parse::<u64>().unwrap_or(0),
    );
    if let Some(v) = MEMO.with(|m| m.borrow().get(&key).copied()) {
        return v;
    }
    let v = if let Some(from) = intl_from {
        match numbering::international(&digits_only[from..]) {
            International::Valid(..) => Validity::Valid,
            // A known country code and a national number of a phone's length: numbers in
            // ranges the plans keep for fiction and tests (+44 7700 900xxx) are in shared
            // data too. The `+` and the grouping are evidence enough; scored lower.
            International::PossibleLength(n) if (6..=13).contains(&n) => Validity::Likely,
            International::PossibleLength(_) | International::KnownCode if digits >= 8 => {
                Validity::Plausible
            }
            _ => Validity::Invalid,
        }
    } else {
        let valid = NATIONAL_REGIONS
            .iter()
            .any(|&region| numbering::valid_national(digits_only, region));
        if valid {
            Validity::Valid
        } else if digits >= 9 {
            Validity::Plausible
        } else {
            Validity::Invalid
        }
    };
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= MEMO_CAP {
            m.clear();
        }
        m.insert(key, v);
    });
    v
}

/// The regions a phone number found in data speaks for, each passed to `vote`: the main
/// region of its country code when it is written with one (`+49 …` votes `DE`), else every
/// region of the national list whose plan takes it (`0151 23456789` votes `DE`, and any other
/// that takes those digits). Summed over a column, the votes say which region its national
/// numbers are written in.
pub fn region_votes(text: &str, mut vote: impl FnMut(&'static str)) {
    let cut = text
        .bytes()
        .position(|b| matches!(b, b'x' | b'X' | b'#'))
        .unwrap_or(text.len());
    let s = text[..cut].replace("(0)", "");
    let t = s.trim();
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    if !(7..=15).contains(&digits.len()) {
        return;
    }
    let intl = if t.starts_with('+') {
        Some(&digits[..])
    } else if t.starts_with("00") {
        Some(&digits[2..])
    } else {
        None
    };
    match intl {
        Some(d) => {
            if let International::Valid(code, _) = numbering::international(d)
                && let Some(r) = numbering::main_region(code)
            {
                vote(r);
            }
        }
        None => {
            for region in NATIONAL_REGIONS {
                if numbering::valid_national(&digits, *region) {
                    vote(<Id as AsRef<str>>::as_ref(region));
                }
            }
        }
    }
}

/// Checks a number written in the North American layout (`(415) 253-2671`): valid when the
/// plan takes it, merely plausible otherwise (needs a phone column or keyword).
pub fn check_nanp(text: &str) -> Validity {
    let digits = strip_extension(text);
    match nanp(digits.trim(), digits.trim_start().starts_with('+')) {
        Some(Validity::Valid) => Validity::Valid,
        Some(_) => Validity::Plausible,
        None => check(text),
    }
}

/// The number without an extension (`x20779`, `ext. 12`, `#12`) after its digits.
fn strip_extension(text: &str) -> &str {
    let first = text.find(|c: char| c.is_ascii_digit()).unwrap_or(0);
    text[first..]
        .find(['x', 'X', '#', 'e', 'E'])
        .map_or(text, |i| &text[..first + i])
}

/// Most memo entries per thread before it is cleared.
const MEMO_CAP: usize = 1 << 16;

thread_local! {
    /// Verdicts memoised per worker on the number's digits (whether written with a country
    /// code, how many, their value): the plans' regexes cost a few hundred nanoseconds a
    /// region, and repeated numbers are common in exports.
    static MEMO: std::cell::RefCell<foldhash::HashMap<(bool, u8, u64), Validity>> =
        std::cell::RefCell::new(foldhash::HashMap::default());
}

/// NANP plan check for `+1` or unprefixed ten-digit numbers: area code and exchange start
/// with 2-9 and are not N11 service codes; area codes have no 9 in the middle. `None` when the
/// number is not North American (the caller then asks libphonenumber).
fn nanp(text: &str, international: bool) -> Option<Validity> {
    let mut d = [0u8; 11];
    let mut n = 0;
    for b in text.bytes().filter(u8::is_ascii_digit) {
        if n == d.len() {
            return None;
        }
        d[n] = b - b'0';
        n += 1;
    }
    let ten = match (international, n) {
        (true, 11) if d[0] == 1 => &d[1..11],
        (false, 11) if d[0] == 1 && !text.trim_start().starts_with('0') => &d[1..11],
        (false, 10) if !text.trim_start().starts_with('0') => &d[..10],
        _ => return None,
    };
    let n11 = |a: &[u8]| a[1] == 1 && a[2] == 1;
    let ok = ten[0] >= 2 && ten[1] != 9 && !n11(&ten[0..3]) && ten[3] >= 2 && !n11(&ten[3..6]);
    Some(if ok {
        Validity::Valid
    } else {
        Validity::Invalid
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_numbers_are_valid() {
        for n in [
            "+1 415-555-2671".replace("555", "253"),
            "(415) 253-2671".into(),
            "+44 20 7946 0958".into(),
            "+49 30 901820".into(),
            "+33 1 42 68 53 00".into(),
            "+33 (0)1 42 68 53 00".into(),
            "020 7946 0958".into(),
            "0044 20 7946 0958".into(),
        ] {
            assert_eq!(check(&n), Validity::Valid, "{n}");
        }
    }

    #[test]
    fn numbers_vote_for_their_regions() {
        let mut v = Vec::new();
        region_votes("+49 151 23456789", |r| v.push(r));
        assert_eq!(v, ["DE"]);
        v.clear();
        region_votes("0151 23456789", |r| v.push(r));
        assert!(v.contains(&"DE"), "{v:?}");
        v.clear();
        region_votes("12", |r| v.push(r));
        assert!(v.is_empty());
    }

    #[test]
    fn nanp_structure() {
        assert_eq!(nanp("(415) 253-2671", false), Some(Validity::Valid));
        assert_eq!(nanp("+1 415 253 2671", true), Some(Validity::Valid));
        assert_eq!(nanp("(015) 253-2671", false), Some(Validity::Invalid));
        assert_eq!(nanp("(911) 253-2671", false), Some(Validity::Invalid));
        assert_eq!(nanp("(415) 153-2671", false), Some(Validity::Invalid));
        assert_eq!(nanp("+44 20 7946 0958", true), None);
    }

    #[test]
    fn a_verdict_does_not_depend_on_numbers_seen_before() {
        // Once, the memo keyed on the leading digits let a layout libphonenumber rejects
        // decide for another number with the same prefix.
        assert_eq!(check("+31651-469457"), Validity::Valid);
        assert_eq!(check("+31 651 467 951"), Validity::Valid);
    }

    #[test]
    fn junk_is_not_valid() {
        assert_eq!(check("123"), Validity::Invalid);
        assert_ne!(check("+1 000-000-0000"), Validity::Valid);
        assert_ne!(check("+999 123 456 789"), Validity::Valid);
    }
}
