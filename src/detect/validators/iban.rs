//! IBAN check (ISO 13616): country length table and mod-97, for `IBAN_CODE`.

/// The BBAN (the part after the country and check digits) of each country that issues IBANs,
/// in the SWIFT IBAN registry's notation: `n` digits, `a` capital letters, `c` letters or
/// digits, each after its count. `DE` is 18 digits, `GB` 4 letters (the bank) and 14 digits.
/// The structure rejects what mod-97 alone lets through once in 97 tries: hex identifiers
/// (`ad64-4ac0-a380-bfddf9e572f3`, a UUID's tail, as an Andorran IBAN).
const BBAN: &[(&[u8; 2], &str)] = &[
    (b"AD", "8n12c"),
    (b"AE", "19n"),
    (b"AL", "8n16c"),
    (b"AT", "16n"),
    (b"AZ", "4a20c"),
    (b"BA", "16n"),
    (b"BE", "12n"),
    (b"BG", "4a6n8c"),
    (b"BH", "4a14c"),
    (b"BI", "23n"),
    (b"BR", "23n1a1c"),
    (b"BY", "4c4n16c"),
    (b"CH", "5n12c"),
    (b"CR", "18n"),
    (b"CY", "8n16c"),
    (b"CZ", "20n"),
    (b"DE", "18n"),
    (b"DJ", "23n"),
    (b"DK", "14n"),
    (b"DO", "4c20n"),
    (b"EE", "16n"),
    (b"EG", "25n"),
    (b"ES", "20n"),
    (b"FI", "14n"),
    (b"FK", "2a12n"),
    (b"FO", "14n"),
    (b"FR", "10n11c2n"),
    (b"GB", "4a14n"),
    (b"GE", "2a16n"),
    (b"GI", "4a15c"),
    (b"GL", "14n"),
    (b"GR", "7n16c"),
    (b"GT", "4c20c"),
    (b"HR", "17n"),
    (b"HU", "24n"),
    (b"IE", "4a14n"),
    (b"IL", "19n"),
    (b"IQ", "4a15n"),
    (b"IS", "22n"),
    (b"IT", "1a10n12c"),
    (b"JO", "4a4n18c"),
    (b"KW", "4a22c"),
    (b"KZ", "3n13c"),
    (b"LB", "4n20c"),
    (b"LC", "4a24c"),
    (b"LI", "5n12c"),
    (b"LT", "16n"),
    (b"LU", "3n13c"),
    (b"LV", "4a13c"),
    (b"LY", "21n"),
    (b"MC", "10n11c2n"),
    (b"MD", "20c"),
    (b"ME", "18n"),
    (b"MK", "3n10c2n"),
    (b"MN", "16n"),
    (b"MR", "23n"),
    (b"MT", "4a5n18c"),
    (b"MU", "4a19n3a"),
    (b"NI", "4a20n"),
    (b"NL", "4a10n"),
    (b"NO", "11n"),
    (b"OM", "3n16c"),
    (b"PK", "4a16c"),
    (b"PL", "24n"),
    (b"PS", "4a21c"),
    (b"PT", "21n"),
    (b"QA", "4a21c"),
    (b"RO", "4a16c"),
    (b"RS", "18n"),
    (b"RU", "14n15c"),
    (b"SA", "2n18c"),
    (b"SC", "4a20n3a"),
    (b"SD", "14n"),
    (b"SE", "20n"),
    (b"SI", "15n"),
    (b"SK", "20n"),
    (b"SM", "1a10n12c"),
    (b"SO", "19n"),
    (b"ST", "21n"),
    (b"SV", "4a20n"),
    (b"TL", "19n"),
    (b"TN", "20n"),
    (b"TR", "6n16c"),
    (b"UA", "6n19c"),
    (b"VA", "18n"),
    (b"VG", "4a16n"),
    (b"XK", "16n"),
    (b"YE", "4a4n18c"),
];

/// Whether `bban` has the structure `format` describes (`8n12c`).
fn bban_ok(bban: &[u8], format: &str) -> bool {
    let mut at = 0;
    let mut count = 0usize;
    for f in format.bytes() {
        if f.is_ascii_digit() {
            count = count * 10 + usize::from(f - b'0');
            continue;
        }
        let Some(part) = bban.get(at..at + count) else {
            return false;
        };
        let ok = match f {
            b'n' => part.iter().all(u8::is_ascii_digit),
            b'a' => part.iter().all(u8::is_ascii_uppercase),
            _ => part.iter().all(u8::is_ascii_alphanumeric),
        };
        if !ok {
            return false;
        }
        at += count;
        count = 0;
    }
    at == bban.len()
}

/// True when `s` (spaces allowed) is a well-formed IBAN with a correct check.
pub fn iban_ok(s: &str) -> bool {
    let mut buf = [0u8; 40];
    let mut n = 0;
    for b in s.bytes() {
        if b == b' ' || b == b'-' {
            continue;
        }
        if n == buf.len() || !b.is_ascii_alphanumeric() {
            return false;
        }
        buf[n] = b.to_ascii_uppercase();
        n += 1;
    }
    let iban = &buf[..n];
    if n < 15 {
        return false;
    }
    let Some(&(_, format)) = BBAN.iter().find(|(c, _)| c[..] == iban[..2]) else {
        return false;
    };
    if !iban[2].is_ascii_digit() || !iban[3].is_ascii_digit() || !bban_ok(&iban[4..], format) {
        return false;
    }
    let mut rem: u32 = 0;
    for &b in iban[4..].iter().chain(&iban[..4]) {
        if b.is_ascii_digit() {
            rem = (rem * 10 + u32::from(b - b'0')) % 97;
        } else {
            let v = u32::from(b - b'A') + 10;
            rem = (rem * 100 + v) % 97;
        }
    }
    rem == 1
}

#[cfg(test)]
mod tests {
    use super::iban_ok;

    #[test]
    fn registry_examples_pass() {
        for s in [
            "GB82 WEST 1234 5698 7654 32",
            "DE89370400440532013000",
            "FR1420041010050500013M02606",
            "NL91ABNA0417164300",
            "IT60X0542811101000000123456",
            "ES9121000418450200051332",
            "BE68539007547034",
        ] {
            assert!(iban_ok(s), "{s}");
        }
    }

    #[test]
    fn corrupted_fail() {
        assert!(!iban_ok("GB82 WEST 1234 5698 7654 33"));
        assert!(!iban_ok("DE8937040044053201300")); // one short
        assert!(!iban_ok("XX89370400440532013000")); // no such country
        assert!(!iban_ok("DE89 3704 0044 0532 0130 00 1"));
    }

    #[test]
    fn the_bban_has_its_countrys_structure() {
        // Mod-97 passes (about one random string in 97 does), the structure does not: an
        // Andorran BBAN starts with eight digits.
        assert!(!iban_ok("ad64-4ac0-a380-bfddf9e572f3"));
        // Correct check digits, a digit in the bank's letters, a letter in the account.
        assert!(!iban_ok("GB15W3ST12345698765432"));
        assert!(!iban_ok("DE0537040044053201300A"));
        assert!(iban_ok("AD1200012030200359100100"));
        assert!(iban_ok("MU17BOMM0101101030300200000MUR"));
        assert!(iban_ok("BR1800360305000010009795493C1"));
    }
}
