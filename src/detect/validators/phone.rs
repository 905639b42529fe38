//! Phone-number validation against real numbering plans (libphonenumber metadata through the
//! `phonenumber` crate), for `PHONE_NUMBER`.
//!
//! A candidate with a country code (`+44 ...`, `0044 ...`) is parsed as is; a national number
//! is tried against a short list of regions. A number valid in a numbering plan is
//! [`Validity::Valid`]; one that only has a plausible length is [`Validity::Plausible`], which
//! the engine accepts only where context (a `phone` column, a keyword) says it is a phone.

use super::Validity;
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

/// Checks a phone candidate.
pub fn check(text: &str) -> Validity {
    // Drop an extension and the "(0)" trunk prefix some countries write after the code.
    let mut s = text;
    for sep in ["x", "X", "ext", "#"] {
        if let Some(i) = s.find(sep) {
            s = &s[..i];
        }
    }
    let cleaned: String = s.replace("(0)", "");
    let digits = cleaned.bytes().filter(u8::is_ascii_digit).count();
    if !(7..=15).contains(&digits) {
        return Validity::Invalid;
    }
    let trimmed = cleaned.trim();
    let international = if let Some(rest) = trimmed.strip_prefix("00") {
        Some(format!("+{rest}"))
    } else if trimmed.starts_with('+') {
        Some(trimmed.to_string())
    } else {
        None
    };
    if let Some(intl) = international {
        return match phonenumber::parse(None, &intl) {
            Ok(n) if n.is_valid() => Validity::Valid,
            Ok(_) if digits >= 8 => Validity::Plausible,
            _ => Validity::Invalid,
        };
    }
    for &region in NATIONAL_REGIONS {
        if let Ok(n) = phonenumber::parse(Some(region), trimmed) {
            if n.is_valid() {
                return Validity::Valid;
            }
        }
    }
    if digits >= 9 {
        Validity::Plausible
    } else {
        Validity::Invalid
    }
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
    fn junk_is_not_valid() {
        assert_eq!(check("123"), Validity::Invalid);
        assert_ne!(check("+1 000-000-0000"), Validity::Valid);
        assert_ne!(check("+999 123 456 789"), Validity::Valid);
    }
}
