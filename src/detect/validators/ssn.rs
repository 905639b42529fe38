//! US Social Security number structure (SSA rules), for `US_SSN` and `US_ITIN`.

fn parts(s: &str) -> Option<(u32, u32, u32)> {
    let digits: Vec<u8> = s.bytes().filter(u8::is_ascii_digit).collect();
    if digits.len() != 9 {
        return None;
    }
    let num = |r: std::ops::Range<usize>| {
        digits[r]
            .iter()
            .fold(0u32, |a, &d| a * 10 + u32::from(d - b'0'))
    };
    Some((num(0..3), num(3..5), num(5..9)))
}

/// True when `s` is a possible SSN: area not 000, 666 or 900-999, group not 00, serial not
/// 0000, and not one of the numbers the SSA voided after they were published in ads.
pub fn ssn_ok(s: &str) -> bool {
    let Some((area, group, serial)) = parts(s) else {
        return false;
    };
    if area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0 {
        return false;
    }
    // Woolworth wallet card 078-05-1120, and 219-09-9999 from an SSA pamphlet.
    !matches!((area, group, serial), (78, 5, 1120) | (219, 9, 9999))
}

/// True when `s` is an ITIN: 9xx-[50-65,70-88,90-92,94-99]-xxxx.
pub fn itin_ok(s: &str) -> bool {
    let Some((area, group, _)) = parts(s) else {
        return false;
    };
    area >= 900 && matches!(group, 50..=65 | 70..=88 | 90..=92 | 94..=99)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssn_rules() {
        assert!(ssn_ok("536-22-8726"));
        assert!(ssn_ok("536228726"));
        for bad in [
            "000-12-3456",
            "666-12-3456",
            "912-12-3456",
            "536-00-1234",
            "536-22-0000",
            "078-05-1120",
            "53-22-8726",
        ] {
            assert!(!ssn_ok(bad), "{bad}");
        }
    }

    #[test]
    fn itin_rules() {
        assert!(itin_ok("912-70-1234"));
        assert!(!itin_ok("912-12-1234"));
        assert!(!itin_ok("812-70-1234"));
    }
}
