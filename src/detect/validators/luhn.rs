//! Luhn (mod 10) checksum and payment-card issuer ranges, for `CREDIT_CARD`.

/// True when the digits in `s` (separators ignored) pass the Luhn check.
pub fn luhn_ok(digits: &[u8]) -> bool {
    if digits.len() < 2 {
        return false;
    }
    let mut sum = 0u32;
    for (i, &d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(d - b'0');
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum.is_multiple_of(10)
}

/// True when `digits` starts with a known issuer prefix and has a length that issuer uses.
pub fn issuer_ok(digits: &[u8]) -> bool {
    let n = digits.len();
    let prefix = |k: usize| -> u32 {
        digits[..k.min(n)]
            .iter()
            .fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'))
    };
    let p1 = prefix(1);
    let p2 = prefix(2);
    let p3 = prefix(3);
    let p4 = prefix(4);
    let p6 = prefix(6);
    match p1 {
        // Visa
        4 => matches!(n, 13 | 16 | 19),
        // Mastercard 51-55, 2221-2720
        5 if (51..=55).contains(&p2) => n == 16,
        2 if (2221..=2720).contains(&p4) => n == 16,
        // Amex
        3 if p2 == 34 || p2 == 37 => n == 15,
        // Diners 300-305, 36, 38, 39
        3 if (300..=305).contains(&p3) || p2 == 36 || p2 == 38 || p2 == 39 => {
            (14..=19).contains(&n)
        }
        // JCB 3528-3589 (generators and test suites use the whole 35 prefix); the old
        // 15-digit JCB ranges 2131 and 1800
        3 if p2 == 35 => (16..=19).contains(&n),
        2 | 1 if p4 == 2131 || p4 == 1800 => n == 15,
        // Discover 6011, 644-649, 65, 622126-622925; UnionPay 62; Maestro 50, 56-69
        6 if p4 == 6011 || (644..=649).contains(&p3) || p2 == 65 => (16..=19).contains(&n),
        6 if p2 == 62 || (622_126..=622_925).contains(&p6) => (16..=19).contains(&n),
        5 | 6 if p2 == 50 || (56..=69).contains(&p2) => (12..=19).contains(&n),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_test_numbers_pass() {
        for n in [
            "4111111111111111",
            "5555555555554444",
            "378282246310005",
            "6011111111111117",
            "3530111333300000",
            "30569309025904",
            "2223003122003222",
        ] {
            assert!(luhn_ok(n.as_bytes()), "{n} luhn");
            assert!(issuer_ok(n.as_bytes()), "{n} issuer");
        }
    }

    #[test]
    fn corrupted_numbers_fail() {
        assert!(!luhn_ok(b"4111111111111112"));
        assert!(!luhn_ok(b"5555555555554445"));
        // valid Luhn but no issuer starts with 9 or 1
        assert!(luhn_ok(b"9111111111111110"));
        assert!(!issuer_ok(b"9111111111111110"));
        assert!(!issuer_ok(b"411111111111")); // Visa with 12 digits
    }
}
