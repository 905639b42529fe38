//! Keyed tokens and format-preserving encryption.
//!
//! A token is HMAC-SHA-256(token sub-key, entity family, normalised value). Its shape comes
//! from the entity registry ([`crate::entity::TokenShape`]) and always carries 64 keyed bits,
//! so distinct values collide only by chance (about one pair in 10^10 among 200,000 values),
//! and never looks like a number to a CSV or JSON reader:
//!
//! | shape | example | why scan ignores it |
//! |---|---|---|
//! | email | `u3f9a2c1b7d4e5f60@pseudo.invalid` | `.invalid` is reserved (RFC 2606) |
//! | IP (v4 and v6) | `100::3f9a:2c1b:7d4e:5f60` | the discard-only prefix (RFC 6666) |
//! | tagged | `card_3f9a2c1b7d4e5f60`, `tel_…`, `person_…` | a tag glued to hex: no rule's shape |
//!
//! A token reveals neither the value's length nor, for an IBAN, its country. Format-keeping
//! output with no collisions is `fpe` (a bijection on the digits), for digit entities.

use crate::detect::validators::numbering::{self, International};
use crate::entity::{Normalize, TokenShape};
use hmac::{Hmac, KeyInit, Mac};
use phonenumber::country::Id;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Keyed tokenizer (the key is absorbed once; each token clones the keyed state).
#[derive(Clone)]
pub struct Tokenizer {
    mac: HmacSha256,
}

/// 64 keyed bits of `data` under `key` and a domain `tag`.
pub fn keyed_u64(key: &[u8; 32], tag: &[u8], data: &[u8]) -> u64 {
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(tag);
    mac.update(b"\0");
    mac.update(data);
    let out = mac.finalize().into_bytes();
    u64::from_be_bytes(out[..8].try_into().expect("32-byte digest"))
}

/// The family an entity's values are keyed in: values that must join across columns of
/// different entities (an SSN also found as an ITIN) share a family.
fn family(entity: &str) -> &str {
    crate::entity::lookup(entity).map_or(entity, |e| e.family)
}

/// Whether a national phone number (digits only) is valid in `region`'s numbering plan.
fn valid_in(digits: &str, region: Id) -> Option<String> {
    numbering::national(digits, region).map(|(code, nsn)| format!("+{code}{nsn}"))
}

/// A phone number in E.164 (`+4930901820`) where its country is known, else its digits alone
/// (`national:…`, never equal to any E.164 number). A number written with `+` or `00` is
/// international, and so is a valid international number of 11 or more digits without a
/// trunk `0` (int64 columns lose the `+`); a national number is read in `region` when given
/// (the region the column or file evidently uses), else as North American when valid there.
/// `98765 43210` (India) and `+1 987 654 3210` never meet: 987 is no North American area code.
pub fn normalize_phone(value: &str, region: Option<Id>) -> String {
    let v = value.trim();
    // An extension (`x20779`, `ext. 12`, `#12`) after the number is not part of the line.
    let first_digit = v.find(|c: char| c.is_ascii_digit()).unwrap_or(0);
    let v = v[first_digit..]
        .find(['x', 'X', '#', 'e', 'E'])
        .map_or(v, |i| &v[..first_digit + i]);
    let v = v.replace("(0)", "");
    let digits: String = v.chars().filter(char::is_ascii_digit).collect();
    let t = v.trim_start();
    let intl = if t.starts_with('+') {
        Some(digits.clone())
    } else if let Some(rest) = digits.strip_prefix("00").filter(|_| t.starts_with("00")) {
        Some(rest.to_string())
    } else {
        digits
            .strip_prefix("011")
            .filter(|_| t.starts_with("011") && digits.len() > 12)
            .map(str::to_string)
    };
    if let Some(d) = intl {
        return format!("+{d}");
    }
    // An int64 column drops the `+`: 11 or more digits without a trunk `0` that make a valid
    // international number are one (`4915123456789`), whatever region the column uses.
    if digits.len() >= 11
        && !digits.starts_with('0')
        && matches!(numbering::international(&digits), International::Valid(..))
    {
        return format!("+{digits}");
    }
    // Digits that start with the region's own calling code and make a valid international
    // number are that number without its `+` (`4930901820` in a German column): nobody writes
    // a national number that way, but an int64 column stores the international one so.
    if let Some(r) = region
        && !digits.starts_with('0')
        && let International::Valid(code, _) = numbering::international(&digits)
        && numbering::calling_code(r) == Some(code)
    {
        return format!("+{digits}");
    }
    if let Some(r) = region
        && let Some(e) = valid_in(&digits, r)
    {
        return e;
    }
    if let Some(e) = valid_in(&digits, Id::US) {
        return e;
    }
    // Not a number of the region (nor of the US), but a valid international one without its
    // `+` (an int64 column's `4930901820`): keyed as that number, so it joins the string
    // `+4930901820` whatever file it is in (issue 28).
    if digits.len() >= 8
        && !digits.starts_with('0')
        && matches!(numbering::international(&digits), International::Valid(..))
    {
        return format!("+{digits}");
    }
    format!("national:{digits}")
}

/// Normalises a value before keying, so that formatting differences do not break joins.
pub fn normalize(entity: &str, value: &str) -> String {
    normalize_in(entity, value, None)
}

/// [`normalize`] with the phone region a column or file evidently uses.
pub fn normalize_in(entity: &str, value: &str, region: Option<Id>) -> String {
    let v = value.trim();
    match crate::entity::info(entity).normalize {
        Normalize::Email => v.to_lowercase(),
        Normalize::Phone => normalize_phone(v, region),
        Normalize::Alphanumeric => v
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase())
            .collect(),
        Normalize::Ip => match v.parse::<std::net::IpAddr>() {
            Ok(ip) => ip.to_string(),
            Err(_) => v.to_string(),
        },
        Normalize::Text => v
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase(),
    }
}

impl Tokenizer {
    /// A tokenizer from the token sub-key.
    pub fn new(key: &[u8; 32]) -> Tokenizer {
        Tokenizer {
            mac: <HmacSha256 as KeyInit>::new_from_slice(key).expect("HMAC takes any key length"),
        }
    }

    fn digest(&self, entity: &str, normalized: &str) -> [u8; 32] {
        let mut mac = self.mac.clone();
        mac.update(family(entity).as_bytes());
        mac.update(b"\0");
        mac.update(normalized.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// The token for `value` of `entity`. Tokens depend on the normalised value only, so the
    /// same value written differently (`(415) 253-2671`, `+1 415 253 2671`) gets the same
    /// token in every file and format.
    pub fn token(&self, entity: &str, value: &str) -> String {
        self.token_in(entity, value, None)
    }

    /// [`Tokenizer::token`] with the phone region a column or file evidently uses.
    pub fn token_in(&self, entity: &str, value: &str, region: Option<Id>) -> String {
        let d = self.digest(entity, &normalize_in(entity, value, region));
        let mut hex_buf = [0u8; 16];
        for (i, b) in d[..8].iter().enumerate() {
            hex_buf[2 * i] = HEX[usize::from(b >> 4)];
            hex_buf[2 * i + 1] = HEX[usize::from(b & 15)];
        }
        let hex = std::str::from_utf8(&hex_buf).expect("hex digits are ASCII");
        let shape = crate::entity::lookup(entity).map_or(TokenShape::Tagged("tok"), |e| e.token);
        match shape {
            TokenShape::Email => format!("u{hex}@pseudo.invalid"),
            TokenShape::Ip => format!(
                "100::{:x}:{:x}:{:x}:{:x}",
                u16::from_be_bytes([d[0], d[1]]),
                u16::from_be_bytes([d[2], d[3]]),
                u16::from_be_bytes([d[4], d[5]]),
                u16::from_be_bytes([d[6], d[7]])
            ),
            TokenShape::Tagged(tag) => format!("{tag}_{hex}"),
        }
    }
}

/// Whether `text[start..end]` lies inside a shroud token (`tag_<16 hex>`,
/// `u<16 hex>@pseudo.invalid`, `100::…`): tokens are never an entity.
/// Looks near the span only: a token is at most 48 bytes (`TOKEN_REACH`) from its anchor (`_`,
/// `@`, `100::`), so the check costs the same in a short cell and in a long text.
pub fn inside_token(text: &[u8], start: usize, end: usize) -> bool {
    let lo = start.saturating_sub(TOKEN_REACH);
    let hi = end.saturating_add(TOKEN_REACH).min(text.len());
    spans_anchored_in(text, lo, hi).any(|(s, e)| start < e && end > s)
}

/// How far a token reaches from its anchor: 17 bytes after a tag's `_`, 17 before and 15
/// after an email token's `@`, 39 after `100::`; a tag's lower-case name before its `_` is
/// taken up to this length.
const TOKEN_REACH: usize = 48;

/// The spans of shroud tokens in `text`.
pub fn token_spans(text: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    spans_anchored_in(text, 0, text.len())
}

/// The spans of the tokens of `text` whose anchor lies in `text[lo..hi]`.
fn spans_anchored_in(
    text: &[u8],
    lo: usize,
    hi: usize,
) -> impl Iterator<Item = (usize, usize)> + '_ {
    let is_hex = |b: &u8| b.is_ascii_digit() || (b'a'..=b'f').contains(b);
    memchr::memchr2_iter(b'_', b'@', &text[lo..hi])
        .map(move |i| i + lo)
        .filter_map(move |i| {
            if text[i] == b'_' {
                let hex = text.get(i + 1..i + 17)?;
                if !hex.iter().all(is_hex)
                    || text.get(i + 17).is_some_and(u8::is_ascii_alphanumeric)
                {
                    return None;
                }
                let mut s = i;
                while s > 0 && i - s < TOKEN_REACH && text[s - 1].is_ascii_lowercase() {
                    s -= 1;
                }
                (s < i && (s == 0 || !text[s - 1].is_ascii_alphanumeric())).then_some((s, i + 17))
            } else {
                let tail = text.get(i..i + 15)?;
                if tail != b"@pseudo.invalid" || i < 17 {
                    return None;
                }
                let local = &text[i - 17..i];
                (local[0] == b'u' && local[1..].iter().all(is_hex)).then_some((i - 17, i + 15))
            }
        })
        .chain(ip_tokens(text, lo, hi))
}

fn ip_tokens(text: &[u8], lo: usize, hi: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
    static FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"100::"));
    FINDER
        .find_iter(&text[lo..hi])
        .map(move |i| i + lo)
        .filter_map(move |i| {
            if i > 0 && (text[i - 1].is_ascii_hexdigit() || text[i - 1] == b':') {
                return None;
            }
            let mut e = i + 5;
            while e < text.len() && (text[e].is_ascii_hexdigit() || text[e] == b':') {
                e += 1;
            }
            (e > i + 5).then_some((i, e))
        })
}

/// FF1-AES-256 over the digits of `value` (radix 10, tweak = entity family), other characters
/// kept in place. `None` when the value has fewer than 6 digits (FF1's minimum domain).
pub fn fpe_digits(key: &[u8; 32], entity: &str, value: &str, encrypt: bool) -> Option<String> {
    use fpe::ff1::{FF1, FlexibleNumeralString};
    let digits: Vec<u16> = value
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| u16::from(b - b'0'))
        .collect();
    if digits.len() < 6 {
        return None;
    }
    let ff1 = FF1::<aes::Aes256>::new(key, 10).ok()?;
    let tweak = family(entity).as_bytes();
    let ns = FlexibleNumeralString::from(digits);
    let out: Vec<u16> = if encrypt {
        ff1.encrypt(tweak, &ns).ok()?.into()
    } else {
        ff1.decrypt(tweak, &ns).ok()?.into()
    };
    let mut it = out.into_iter();
    Some(
        value
            .chars()
            .map(|c| {
                if c.is_ascii_digit() {
                    char::from(b'0' + it.next().unwrap_or(0) as u8)
                } else {
                    c
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> Tokenizer {
        Tokenizer::new(&[9u8; 32])
    }

    #[test]
    fn tokens_are_stable_and_keyed() {
        let a = t().token("EMAIL_ADDRESS", "Jane.Doe@Example.com");
        assert_eq!(
            a,
            t().token("EMAIL_ADDRESS", " jane.doe@example.com "),
            "normalised"
        );
        assert!(a.ends_with("@pseudo.invalid"));
        let other = Tokenizer::new(&[8u8; 32]).token("EMAIL_ADDRESS", "jane.doe@example.com");
        assert_ne!(a, other, "another key, another token");
    }

    #[test]
    fn shapes_carry_64_bits_and_never_read_as_numbers() {
        let tk = t();
        let phone = tk.token("PHONE_NUMBER", "+44 20 7946 0958");
        assert!(phone.starts_with("tel_") && phone.len() == 20, "{phone}");
        assert_eq!(
            tk.token("PHONE_NUMBER", "(415) 253-2671"),
            tk.token("PHONE_NUMBER", "+1 415 253 2671")
        );
        let card = tk.token("CREDIT_CARD", "4111 1111 1111 1111");
        assert!(card.starts_with("card_"), "{card}");
        assert_eq!(card, tk.token("CREDIT_CARD", "4111-1111-1111-1111"));
        assert!(tk.token("US_SSN", "536-22-8726").starts_with("taxid_"));
        assert_eq!(
            tk.token("US_SSN", "536-22-8726"),
            tk.token("US_ITIN", "536228726")
        );
        let iban_gb = tk.token("IBAN_CODE", "GB82 WEST 1234 5698 7654 32");
        let iban_no = tk.token("IBAN_CODE", "NO9386011117947");
        assert_eq!(
            iban_gb.len(),
            iban_no.len(),
            "the length does not reveal the country"
        );
        assert!(tk.token("IP_ADDRESS", "203.0.113.7").starts_with("100::"));
        assert!(tk.token("IP_ADDRESS", "2001:db8::1").starts_with("100::"));
        assert!(tk.token("PERSON", "Jane Doe").starts_with("person_"));
        for tok in [&phone, &card, &iban_gb] {
            assert!(tok.parse::<f64>().is_err(), "{tok}");
        }
    }

    #[test]
    fn distinct_values_do_not_collide() {
        let tk = t();
        let mut seen = std::collections::HashSet::new();
        for i in 0..200_000u32 {
            let ssn = format!(
                "{:03}-{:02}-{:04}",
                100 + i % 800,
                1 + (i / 800) % 99,
                i % 10_000
            );
            seen.insert((ssn.clone(), tk.token("US_SSN", &ssn)));
        }
        let values: std::collections::HashSet<_> = seen.iter().map(|(v, _)| v).collect();
        let tokens: std::collections::HashSet<_> = seen.iter().map(|(_, t)| t).collect();
        assert_eq!(values.len(), tokens.len());
        let mut ips = std::collections::HashSet::new();
        for i in 0..200_000u32 {
            let ip = std::net::Ipv4Addr::from(0x0A00_0000 + i * 7).to_string();
            ips.insert(tk.token("IP_ADDRESS", &ip));
        }
        assert_eq!(ips.len(), 200_000);
    }

    #[test]
    fn phones_normalise_by_region() {
        assert_eq!(normalize_phone("(415) 253-2671", None), "+14152532671");
        assert_eq!(normalize_phone("+1 415 253 2671", None), "+14152532671");
        assert_eq!(normalize_phone("0044 20 7946 0958", None), "+442079460958");
        assert_eq!(normalize_phone("619-648-6618x20779", None), "+16196486618");
        assert_ne!(
            normalize_phone("98765 43210", None),
            normalize_phone("+1 987 654 3210", None),
            "an Indian mobile is not a North American number"
        );
        assert_eq!(
            normalize_phone("98765 43210", Some(Id::IN)),
            normalize_phone("+91 98765 43210", None)
        );
        assert_eq!(
            normalize_phone("030 901820", Some(Id::DE)),
            normalize_phone("+49 30 901820", None)
        );
        // An int64 column lost the `+`.
        assert_eq!(
            normalize_phone("442079460958", None),
            normalize_phone("+44 20 7946 0958", None)
        );
        // The review's case: ten digits, a Berlin number, and the same token as its string.
        assert_eq!(
            normalize_phone("4930901820", None),
            normalize_phone("+4930901820", None)
        );
    }

    /// A valid international number written without its `+` (as an int64 or float column
    /// stores it) keys like the string with it, in any column's region: always when it starts
    /// with the region's own calling code, otherwise unless the digits are a valid number of
    /// that region (or of the US) as they stand, which reading then wins.
    #[test]
    fn numbers_that_lost_their_plus_key_as_the_number_whatever_the_region() {
        let numbers = [
            "+4930901820",
            "+49 151 23456789",
            "+33 1 42 68 53 00",
            "+44 20 7946 0958",
            "+91 98765 43210",
            "+55 11 91234 5678",
            "+81 3 1234 5678",
            "+61 2 9374 4000",
            "+27 21 460 9111",
            "+31 20 624 1111",
            "+34 912 34 56 78",
            "+39 06 1234 5678",
            "+48 22 123 45 67",
            "+353 1 234 5678",
        ];
        let regions = [
            None,
            Some(Id::DE),
            Some(Id::GB),
            Some(Id::FR),
            Some(Id::US),
            Some(Id::IN),
        ];
        for n in numbers {
            let digits: String = n.chars().filter(char::is_ascii_digit).collect();
            let with_plus = normalize_phone(n, None);
            for r in regions {
                let own_code = r
                    .and_then(numbering::calling_code)
                    .is_some_and(|c| digits.starts_with(&c.to_string()));
                let national = r
                    .and_then(|r| valid_in(&digits, r))
                    .or_else(|| valid_in(&digits, Id::US))
                    .filter(|_| !own_code);
                if national.is_none() {
                    assert_eq!(
                        normalize_phone(&digits, r),
                        with_plus,
                        "{n} as {digits} in {r:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn token_spans_are_recognised() {
        let tk = t();
        let text = format!(
            "card {} and {} from {} (x_12)",
            tk.token("CREDIT_CARD", "4111111111111111"),
            tk.token("EMAIL_ADDRESS", "a@b.example"),
            tk.token("IP_ADDRESS", "203.0.113.7")
        );
        let spans: Vec<_> = token_spans(text.as_bytes()).collect();
        assert_eq!(spans.len(), 3, "{text} {spans:?}");
        assert!(inside_token(text.as_bytes(), 10, 12));
        assert!(!inside_token(text.as_bytes(), 0, 4));
    }

    #[test]
    fn fpe_round_trips() {
        let k = [3u8; 32];
        let enc = fpe_digits(&k, "CREDIT_CARD", "4111 1111 1111 1111", true).unwrap();
        assert_ne!(enc, "4111 1111 1111 1111");
        assert_eq!(enc.len(), 19);
        assert_eq!(
            fpe_digits(&k, "CREDIT_CARD", &enc, false).unwrap(),
            "4111 1111 1111 1111"
        );
        assert!(fpe_digits(&k, "X", "12345", true).is_none());
    }
}
