//! Small structural validators: cards, IBAN span, IP, MAC, email, address, UK ids.

use super::{Check, Validity, iban::iban_ok, luhn};
use std::net::{Ipv4Addr, Ipv6Addr};

fn ok(b: bool) -> Validity {
    if b {
        Validity::Valid
    } else {
        Validity::Invalid
    }
}

/// Card number: Luhn, issuer range and length, one separator style throughout. The pattern
/// may run into digits that follow (a CVV, an expiry): then the longest prefix that ends at a
/// group boundary and is a valid card is taken, with a narrower span.
pub fn credit_card(text: &str) -> Check {
    if card_ok(text) == Validity::Valid {
        return Validity::Valid.into();
    }
    let cuts = text
        .char_indices()
        .filter(|&(_, c)| c == ' ' || c == '-')
        .map(|(i, _)| i)
        .collect::<Vec<_>>();
    for &cut in cuts.iter().rev() {
        if card_ok(&text[..cut]) == Validity::Valid {
            return Check {
                validity: Validity::Valid,
                span: Some((0, cut)),
            };
        }
    }
    Validity::Invalid.into()
}

fn card_ok(text: &str) -> Validity {
    let mut digits = [0u8; 19];
    let mut n = 0;
    let mut sep: Option<u8> = None;
    for b in text.bytes() {
        if b.is_ascii_digit() {
            if n == digits.len() {
                return Validity::Invalid;
            }
            digits[n] = b;
            n += 1;
        } else {
            match sep {
                None => sep = Some(b),
                Some(s) if s == b => {}
                Some(_) => return Validity::Invalid,
            }
        }
    }
    let d = &digits[..n];
    // All one digit (0000 0000 0000 0000) passes Luhn but is filler, not a card.
    if d.iter().all(|&c| c == d[0]) {
        return Validity::Invalid;
    }
    ok(luhn::luhn_ok(d) && luhn::issuer_ok(d))
}

/// IBAN: the regex may run past the account into a following word of capitals; cut the span
/// at the country's length and check that.
pub fn iban(text: &str) -> Check {
    if iban_ok(text) {
        return Validity::Valid.into();
    }
    // Try the shortest prefix that is a full IBAN (the country length decides).
    let mut count = 0;
    for (i, c) in text.char_indices() {
        if c.is_ascii_alphanumeric() {
            count += 1;
            if count >= 15 && iban_ok(&text[..=i]) {
                return Check {
                    validity: Validity::Valid,
                    span: Some((0, i + 1)),
                };
            }
        }
    }
    Validity::Invalid.into()
}

/// IPv4: parses, and is not part of a longer dotted run (`1.2.3.4.5`, `v1.2.3.4`) or a
/// product version (`Chrome/120.0.0.0`).
pub fn ipv4(cell: &str, start: usize, end: usize) -> Validity {
    let bytes = cell.as_bytes();
    let before = start.checked_sub(1).map(|i| bytes[i]);
    let after = bytes.get(end).copied();
    let after2 = bytes.get(end + 1).copied();
    if before.is_some_and(|b| matches!(b, b'.' | b'-' | b'/' | b'_') || b.is_ascii_alphabetic()) {
        return Validity::Invalid;
    }
    if after == Some(b'.') && after2.is_some_and(|b| b.is_ascii_digit()) {
        return Validity::Invalid;
    }
    // The address of a network in CIDR notation (`10.0.0.0/8`) counts like any address:
    // public test suites label it, and a /32 is a host.
    // 240.0.0.0/4 is reserved and never assigned: shroud's IPv4 tokens live there.
    ok(cell[start..end]
        .parse::<Ipv4Addr>()
        .is_ok_and(|ip| ip.octets()[0] < 240))
}

/// IPv6: parses as an address with at least one hex group, not embedded in a longer token.
/// A network in CIDR notation (`2001:db8::/32`) is narrowed to its address.
pub fn ipv6(cell: &str, start: usize, end: usize) -> Check {
    match cell[start..end].split_once('/') {
        Some((addr, _)) => {
            let v = ipv6_addr(cell, start, start + addr.len(), true);
            Check {
                validity: v,
                span: (v == Validity::Valid).then_some((0, addr.len())),
            }
        }
        None => ipv6_addr(cell, start, end, false).into(),
    }
}

fn ipv6_addr(cell: &str, start: usize, end: usize, cidr: bool) -> Validity {
    let text = &cell[start..end];
    let bytes = cell.as_bytes();
    let glued = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b':');
    if glued(start.checked_sub(1).and_then(|i| bytes.get(i))) || (!cidr && glued(bytes.get(end))) {
        return Validity::Invalid;
    }
    let Ok(addr) = text.parse::<Ipv6Addr>() else {
        return Validity::Invalid;
    };
    // 100::/64 is the discard-only prefix (RFC 6666): shroud's IPv6 tokens live there.
    let discard = addr.segments()[..4] == [0x100, 0, 0, 0];
    ok(!addr.is_unspecified() && !discard && text.bytes().filter(|&b| b == b':').count() >= 2)
}

/// MAC: not all zeros or all ones, and not a window of a longer hex dump
/// (`3B:F2:AA:10:45:67:89:AB...`).
pub fn mac(cell: &str, start: usize, end: usize) -> Validity {
    let bytes = cell.as_bytes();
    let glued = |i: Option<usize>| {
        i.and_then(|i| bytes.get(i))
            .is_some_and(|&b| b.is_ascii_hexdigit() || matches!(b, b':' | b'-' | b'.'))
    };
    if glued(start.checked_sub(1)) || glued(Some(end)) {
        return Validity::Invalid;
    }
    let text = &cell[start..end];
    let hex: Vec<u8> = text.bytes().filter(u8::is_ascii_hexdigit).collect();
    // A first octet with the multicast and local bits set is no device: shroud's MAC tokens.
    let first = u8::from_str_radix(std::str::from_utf8(&hex[..2]).unwrap_or("00"), 16).unwrap_or(0);
    if first & 0x03 == 0x03 {
        return Validity::Invalid;
    }
    ok(!hex.iter().all(|&b| b == b'0') && !hex.iter().all(|&b| b == b'f' || b == b'F'))
}

/// Email: local part at most 64 bytes, domain of real labels with an alphabetic TLD, not a
/// reserved test/unresolvable TLD used by pseudonymized tokens (`.invalid`), not localhost.
/// Email in its cell: not the password and host of a URL's credentials
/// (`https://user:secret@example.org`), which a URL rule, not an email rule, is about.
pub fn email_in(cell: &str, start: usize, end: usize) -> Check {
    let token_start = cell[..start]
        .rfind(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '(' | '['))
        .map_or(0, |i| i + 1);
    let before = &cell[token_start..start];
    // `user:password@host` in a URL's authority is a credential, not an address; an address
    // in the path or query (`/r?to=jane@example.com`) is one.
    let in_authority = before
        .find("://")
        .is_some_and(|i| !before[i + 3..].contains(['/', '?', '#']));
    if in_authority || (start > 0 && cell.as_bytes()[start - 1] == b':' && before.contains("//")) {
        return Validity::Invalid.into();
    }
    // RFC 5322 lets `= ? & / # | { }` stand in a local part, but in running text and query
    // strings they separate a key from the address (`referrer=jane@example.com`,
    // `?to=jane@example.com&x=1`): the address starts after the last of them, so that the key
    // stays and the whole address is replaced. A cell that is one address keeps them all.
    let whole_cell = cell.trim() == &cell[start..end];
    let at = cell[start..end].rfind('@').map_or(end, |i| start + i);
    let cut = if whole_cell {
        None
    } else {
        cell[start..at]
            .rfind(['=', '?', '&', '/', '#', '|', '{', '}'])
            .map(|i| start + i + 1)
    };
    let s = cut.unwrap_or(start);
    if s >= at {
        return Validity::Invalid.into();
    }
    let validity = email(&cell[s..end]);
    Check {
        validity,
        span: cut.map(|c| (c - start, end - start)),
    }
}

/// Email: a local part, a domain of valid labels, a real-looking TLD.
pub fn email(text: &str) -> Validity {
    let Some((local, domain)) = text.rsplit_once('@') else {
        return Validity::Invalid;
    };
    if local.is_empty() || local.len() > 64 || domain.len() > 253 {
        return Validity::Invalid;
    }
    let Some((_, tld)) = domain.rsplit_once('.') else {
        return Validity::Invalid;
    };
    let tld = tld.to_ascii_lowercase();
    if tld == "invalid" || tld == "localhost" || !tld.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Validity::Invalid;
    }
    // File names with a retina suffix (`logo@2x.png`) look like addresses.
    const FILE_EXTENSIONS: &[&str] = &[
        "png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "css", "js", "mjs", "json",
        "xml", "html", "htm", "pdf", "txt", "csv", "log", "md", "yml", "yaml", "toml", "lock",
    ];
    if FILE_EXTENSIONS.contains(&tld.as_str()) {
        return Validity::Invalid;
    }
    ok(domain
        .split('.')
        .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-')))
}

/// Address-like cell: a house number and a word of two or more letters.
pub fn address_like(text: &str) -> Validity {
    let has_digit = text.bytes().any(|b| b.is_ascii_digit());
    let has_word = text
        .split(|c: char| !c.is_alphabetic())
        .any(|w| w.chars().count() >= 2);
    ok(has_digit && has_word)
}

/// Place name: not one of the workflow-state words a `state` or `status`-like column holds.
pub fn place_name(text: &str) -> Validity {
    const STATES: &[&str] = &[
        "pending",
        "active",
        "inactive",
        "open",
        "closed",
        "new",
        "done",
        "shipped",
        "delivered",
        "cancelled",
        "canceled",
        "failed",
        "success",
        "succeeded",
        "running",
        "queued",
        "complete",
        "completed",
        "draft",
        "archived",
        "deleted",
        "enabled",
        "disabled",
        "approved",
        "rejected",
        "paid",
        "unpaid",
        "refunded",
        "true",
        "false",
        "yes",
        "no",
        "unknown",
        "none",
        "null",
        "n/a",
        "other",
        "processing",
        "returned",
        "on hold",
    ];
    ok(!STATES.contains(&text.trim().to_lowercase().as_str()))
}

/// UK National Insurance number: HMRC's disallowed prefixes.
pub fn uk_nino(text: &str) -> Validity {
    let letters: String = text
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(2)
        .collect();
    ok(!matches!(
        letters.as_str(),
        "BG" | "GB" | "NK" | "KN" | "TN" | "NT" | "ZZ"
    ))
}

/// NHS number: mod-11 check digit over ten digits.
pub fn uk_nhs(text: &str) -> Validity {
    let d: Vec<u32> = text
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| u32::from(b - b'0'))
        .collect();
    if d.len() != 10 {
        return Validity::Invalid;
    }
    let sum: u32 = d[..9]
        .iter()
        .enumerate()
        .map(|(i, v)| v * (10 - i as u32))
        .sum();
    let check = (11 - sum % 11) % 11;
    ok(check != 10 && check == d[9])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cards() {
        assert_eq!(credit_card("4111 1111 1111 1111").validity, Validity::Valid);
        assert_eq!(
            credit_card("4111-1111 1111-1111").validity,
            Validity::Invalid
        );
        assert_eq!(
            credit_card("0000 0000 0000 0000").validity,
            Validity::Invalid
        );
        let c = credit_card("4111 1111 1111 1111 123");
        assert_eq!((c.validity, c.span), (Validity::Valid, Some((0, 19))));
    }

    #[test]
    fn ipv4_context() {
        assert_eq!(ipv4("ip 10.0.0.1", 3, 11), Validity::Valid);
        assert_eq!(ipv4("1.2.3.4.5", 0, 7), Validity::Invalid);
        assert_eq!(ipv4("v1.2.3.4", 1, 8), Validity::Invalid);
        assert_eq!(ipv4("300.1.1.1", 0, 9), Validity::Invalid);
    }

    #[test]
    fn ipv6_forms() {
        let s = "2001:db8::1";
        assert_eq!(ipv6(s, 0, s.len()).validity, Validity::Valid);
        assert_eq!(ipv6("10:22:01", 0, 8).validity, Validity::Invalid);
        let c = ipv6("2001:db8::/32", 0, 13);
        assert_eq!((c.validity, c.span), (Validity::Valid, Some((0, 10))));
    }

    #[test]
    fn emails() {
        assert_eq!(email("a.b@example.com"), Validity::Valid);
        assert_eq!(email("t_1@x.invalid"), Validity::Invalid);
        assert_eq!(email("a@b.c0m"), Validity::Invalid);
        let url = "see https://alice:s3cret@example.org/x";
        let at = url.find("s3cret").unwrap();
        assert_eq!(email_in(url, at, at + 18).validity, Validity::Invalid);
        let plain = "mail: alice@example.org";
        assert_eq!(email_in(plain, 6, plain.len()).validity, Validity::Valid);
    }

    #[test]
    fn an_email_in_a_query_string_starts_after_its_key() {
        let q = "GET /r?referrer=jane.doe@example.com&x=1";
        let s = q.find("referrer").unwrap();
        let e = q.find("&x").unwrap();
        let c = email_in(q, s, e);
        assert_eq!(c.validity, Validity::Valid);
        let (a, b) = c.span.unwrap();
        assert_eq!(&q[s + a..s + b], "jane.doe@example.com");
        // A cell that is one address keeps every character RFC 5322 allows.
        let cell = "a=b@example.com";
        assert_eq!(email_in(cell, 0, cell.len()).span, None);
        assert_eq!(email_in(cell, 0, cell.len()).validity, Validity::Valid);
    }

    #[test]
    fn nhs_and_nino() {
        assert_eq!(uk_nhs("943 476 5919"), Validity::Valid);
        assert_eq!(uk_nhs("943 476 5918"), Validity::Invalid);
        assert_eq!(uk_nino("AB123456C"), Validity::Valid);
        assert_eq!(uk_nino("GB123456C"), Validity::Invalid);
    }

    #[test]
    fn iban_span_is_cut() {
        let c = iban("DE89370400440532013000 BIC");
        assert_eq!(c.validity, Validity::Valid);
        assert_eq!(c.span, Some((0, 22)));
    }
}
