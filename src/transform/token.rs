//! Keyed tokens and format-preserving encryption.
//!
//! A token is HMAC-SHA-256(token sub-key, entity family, normalised value), shaped like the
//! value's type but marked so that `shroud scan` never flags it again:
//!
//! | entity | token | why scan ignores it |
//! |---|---|---|
//! | EMAIL_ADDRESS | `u3f9a…@pseudo.invalid` | `.invalid` is reserved (RFC 2606) |
//! | PHONE_NUMBER | `+0…`, same digit count and separators | no country code starts with 0 |
//! | CREDIT_CARD | digits with the first set to 0, separators kept | no issuer starts with 0 |
//! | US_SSN / US_ITIN | `000-GG-SSSS` | area 000 is never issued |
//! | IBAN_CODE | `XX` + digits, same length | `XX` is no country |
//! | IP_ADDRESS | `240.x.y.z` / `100::a:b:c:d` | reserved ranges (RFC 1112, RFC 6666) |
//! | MAC_ADDRESS | first octet `…11` (multicast, local) | never a device's address |
//! | other numbers | `T` + digits, same count | a digit run glued to a letter |
//! | names, places, text | `Name_3f9a2c1b7d` | not shaped like a name |

use hmac::{Hmac, KeyInit, Mac};
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
    match entity {
        "US_SSN" | "US_ITIN" => "US_TAX_ID",
        e => e,
    }
}

/// Normalises a value before keying, so that formatting differences do not break joins.
pub fn normalize(entity: &str, value: &str) -> String {
    let v = value.trim();
    match entity {
        "EMAIL_ADDRESS" => v.to_lowercase(),
        "PHONE_NUMBER" => {
            let digits: String = v.chars().filter(char::is_ascii_digit).collect();
            if let Some(rest) = digits.strip_prefix("00").filter(|_| !v.starts_with('+')) {
                format!("+{rest}")
            } else if v.starts_with('+') {
                format!("+{digits}")
            } else if digits.len() == 10 && !digits.starts_with('0') && !digits.starts_with('1') {
                // A North American national number: the same line as +1 and ten digits.
                format!("+1{digits}")
            } else if digits.len() == 11 && digits.starts_with('1') {
                format!("+{digits}")
            } else {
                digits
            }
        }
        "CREDIT_CARD" | "US_SSN" | "US_ITIN" | "ACCOUNT_NUMBER" | "IBAN_CODE" | "UK_NHS"
        | "UK_NINO" | "US_PASSPORT" | "US_DRIVER_LICENSE" | "MAC_ADDRESS" => v
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase())
            .collect(),
        "IP_ADDRESS" => match v.parse::<std::net::IpAddr>() {
            Ok(ip) => ip.to_string(),
            Err(_) => v.to_string(),
        },
        _ => v
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

    fn digest(&self, entity: &str, value: &str) -> [u8; 32] {
        let mut mac = self.mac.clone();
        mac.update(family(entity).as_bytes());
        mac.update(b"\0");
        mac.update(normalize(entity, value).as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// The token for `value` of `entity`. Tokens depend on the normalised value only, so the
    /// same value written differently (`(415) 253-2671`, `+1 415 253 2671`) gets the same
    /// token in every file and format: tokens have one canonical layout per entity.
    pub fn token(&self, entity: &str, value: &str) -> String {
        let d = self.digest(entity, value);
        let mut hex_buf = [0u8; 64];
        for (i, b) in d.iter().enumerate() {
            hex_buf[2 * i] = HEX[usize::from(b >> 4)];
            hex_buf[2 * i + 1] = HEX[usize::from(b & 15)];
        }
        let hex = std::str::from_utf8(&hex_buf).expect("hex digits are ASCII");
        let mut digits = d.iter().cycle().map(|b| char::from(b'0' + b % 10));
        let norm = normalize(entity, value);
        let v = value.trim();
        let digit_count = norm.chars().filter(char::is_ascii_digit).count();
        match entity {
            "EMAIL_ADDRESS" => format!("u{}@pseudo.invalid", &hex[..16]),
            // E.164 digit count, first digit 0: "+0" and the rest.
            "PHONE_NUMBER" => {
                let body: String = (1..digit_count.max(2))
                    .map(|_| digits.next().unwrap_or('0'))
                    .collect();
                format!("+0{body}")
            }
            // First digit 0 (no issuer), second 1-9 (never the `00` international prefix).
            "CREDIT_CARD" => {
                let second = char::from(b'1' + d[31] % 9);
                let body: String = (2..digit_count.max(3))
                    .map(|_| digits.next().unwrap_or('0'))
                    .collect();
                format!("0{second}{body}")
            }
            "US_SSN" | "US_ITIN" => {
                let d: String = (0..6).map(|_| digits.next().unwrap_or('0')).collect();
                format!("000-{}-{}", &d[..2], &d[2..])
            }
            "IBAN_CODE" => {
                let len = v.chars().filter(char::is_ascii_alphanumeric).count().max(4);
                let body: String = (0..len - 2).map(|_| digits.next().unwrap_or('0')).collect();
                format!("XX{body}")
            }
            "IP_ADDRESS" => {
                if v.contains(':') {
                    format!(
                        "100::{:x}:{:x}:{:x}:{:x}",
                        u16::from_be_bytes([d[0], d[1]]),
                        u16::from_be_bytes([d[2], d[3]]),
                        u16::from_be_bytes([d[4], d[5]]),
                        u16::from_be_bytes([d[6], d[7]])
                    )
                } else {
                    format!("240.{}.{}.{}", d[0], d[1], d[2])
                }
            }
            "MAC_ADDRESS" => {
                let sep = if v.contains('-') { "-" } else { ":" };
                let first = (d[0] & 0xFC) | 0x03;
                std::iter::once(first)
                    .chain(d[1..6].iter().copied())
                    .map(|b| format!("{b:02x}"))
                    .collect::<Vec<_>>()
                    .join(sep)
            }
            _ if !v.is_empty()
                && v.chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '/')) =>
            {
                let n = v.chars().filter(char::is_ascii_digit).count();
                let body: String = (0..n).map(|_| digits.next().unwrap_or('0')).collect();
                format!("T{body}")
            }
            _ => format!("{}_{}", prefix(entity), &hex[..10]),
        }
    }
}

fn prefix(entity: &str) -> &'static str {
    match entity {
        "PERSON" => "Name",
        "LOCATION" => "Place",
        "STREET_ADDRESS" => "Address",
        "DATE_OF_BIRTH" => "Date",
        "POSTAL_CODE" => "Zip",
        "GENDER" => "Gender",
        _ => "Token",
    }
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
    fn shapes() {
        let tk = t();
        let phone = tk.token("PHONE_NUMBER", "+44 20 7946 0958");
        assert!(phone.starts_with("+0"), "{phone}");
        assert_eq!(phone.chars().filter(char::is_ascii_digit).count(), 12);
        assert_eq!(
            tk.token("PHONE_NUMBER", "(415) 253-2671"),
            tk.token("PHONE_NUMBER", "+1 415 253 2671")
        );
        let card = tk.token("CREDIT_CARD", "4111 1111 1111 1111");
        assert!(
            card.starts_with('0') && !card.starts_with("00") && card.len() == 16,
            "{card}"
        );
        assert_eq!(card, tk.token("CREDIT_CARD", "4111-1111-1111-1111"));
        assert!(tk.token("US_SSN", "536-22-8726").starts_with("000-"));
        assert!(
            tk.token("IBAN_CODE", "DE89 3704 0044 0532 0130 00")
                .starts_with("XX")
        );
        assert!(tk.token("IP_ADDRESS", "203.0.113.7").starts_with("240."));
        assert!(tk.token("IP_ADDRESS", "2001:db8::1").starts_with("100::"));
        let acct = tk.token("ACCOUNT_NUMBER", "0012345678");
        assert!(acct.starts_with('T') && acct.len() == 11, "{acct}");
        assert!(tk.token("PERSON", "Jane Doe").starts_with("Name_"));
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
