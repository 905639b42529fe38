//! Calendar-date validation for dates of birth: the text must be a real date between 1900
//! and today's year, in one of the common layouts (ISO, US, European, month names).

use super::Validity;

/// Month names and abbreviations (English, German, French, Spanish, Italian, Dutch) -> 1..=12.
fn month_from_name(w: &str) -> Option<u32> {
    let w = w.trim_end_matches('.').to_ascii_lowercase();
    const MONTHS: [&[&str]; 12] = [
        &[
            "jan", "january", "januar", "janvier", "enero", "gennaio", "januari",
        ],
        &[
            "feb", "february", "februar", "fevrier", "febrero", "febbraio", "februari",
        ],
        &["mar", "march", "märz", "maerz", "mars", "marzo", "maart"],
        &["apr", "april", "avril", "abril", "aprile"],
        &["may", "mai", "mayo", "maggio", "mei"],
        &["jun", "june", "juni", "juin", "junio", "giugno"],
        &["jul", "july", "juli", "juillet", "julio", "luglio"],
        &["aug", "august", "aout", "août", "agosto", "augustus"],
        &[
            "sep",
            "sept",
            "september",
            "septembre",
            "septiembre",
            "settembre",
        ],
        &["oct", "october", "oktober", "octobre", "octubre", "ottobre"],
        &["nov", "november", "novembre", "noviembre"],
        &[
            "dec",
            "december",
            "dezember",
            "decembre",
            "décembre",
            "diciembre",
            "dicembre",
        ],
    ];
    MONTHS
        .iter()
        .position(|names| names.contains(&w.as_str()))
        .map(|i| i as u32 + 1)
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        _ => 0,
    }
}

/// The current year, from the system clock (falls back to a fixed year if the clock is off).
fn this_year() -> u32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let year = 1970 + (secs / 31_556_952) as u32;
    year.max(2025)
}

fn plausible(y: u32, m: u32, d: u32) -> bool {
    (1900..=this_year()).contains(&y) && (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m)
}

/// Checks a date candidate. Numeric day/month order is ambiguous (03/04/1980): valid if
/// either reading is a real date.
pub fn check(text: &str) -> Validity {
    // Cut a time part: "1980-03-04T00:00:00", "1980-03-04 00:00".
    let date = text.split(['T', ' ']).next().unwrap_or(text);
    let nums: Vec<&str> = date
        .split(['-', '/', '.'])
        .filter(|p| !p.is_empty())
        .collect();
    // A compact yyyymmdd.
    if date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()) {
        let n = |r: std::ops::Range<usize>| date[r].parse::<u32>().unwrap_or(0);
        return if plausible(n(0..4), n(4..6), n(6..8)) {
            Validity::Valid
        } else {
            Validity::Invalid
        };
    }
    let ok = if nums.len() == 3 && nums.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())) {
        let n: Vec<u32> = nums.iter().map(|p| p.parse().unwrap_or(0)).collect();
        if nums[0].len() == 4 {
            plausible(n[0], n[1], n[2])
        } else if nums[2].len() == 4 {
            plausible(n[2], n[0], n[1]) || plausible(n[2], n[1], n[0])
        } else {
            false
        }
    } else {
        // Month-name layouts: "March 5, 1980", "5 March 1980", "05-Mar-1980".
        let words: Vec<&str> = text
            .split([' ', ',', '-', '/'])
            .filter(|w| !w.is_empty())
            .collect();
        if words.len() != 3 {
            return Validity::Invalid;
        }
        let year: u32 = words[2].parse().unwrap_or(0);
        // "5th", "5.", "5" all give the day.
        let day = |w: &str| -> u32 {
            w.trim_end_matches('.')
                .trim_end_matches(|c: char| c.is_ascii_alphabetic())
                .parse()
                .unwrap_or(0)
        };
        let (m, d) = if let Some(m) = month_from_name(words[0]) {
            (m, day(words[1]))
        } else if let Some(m) = month_from_name(words[1]) {
            (m, day(words[0]))
        } else {
            return Validity::Invalid;
        };
        plausible(year, m, d)
    };
    if ok {
        Validity::Valid
    } else {
        Validity::Invalid
    }
}

/// Checks an epoch number as exports write dates (pandas' `to_json`: milliseconds; Unix
/// tools: seconds; Arrow timestamps as JSON: microseconds; Spark and pandas `date_unit="ns"`:
/// nanoseconds): a birth date between 1900 and today. The unit follows the magnitude: under
/// 10^11 seconds, under 10^14 milliseconds, under 10^17 microseconds, else nanoseconds (a
/// cell's guess; pseudonymize decides the unit once per column, [`crate::transform::epoch`]). A fractional `.0` (a float column) is allowed.
pub fn check_epoch(text: &str) -> Validity {
    let t = text.trim();
    let t = t.strip_suffix(".0").unwrap_or(t);
    let Ok(v) = t.parse::<i64>() else {
        return Validity::Invalid;
    };
    let a = v.unsigned_abs();
    let secs = if a < 100_000_000_000 {
        v
    } else if a < 100_000_000_000_000 {
        v.div_euclid(1000)
    } else if a < 100_000_000_000_000_000 {
        v.div_euclid(1_000_000)
    } else {
        v.div_euclid(1_000_000_000)
    };
    // 1900-01-01T00:00:00Z is -2208988800 s.
    const Y1900: i64 = -2_208_988_800;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(i64::MAX, |d| d.as_secs() as i64);
    // A bare count under a million seconds after 1970 is a number, not a date.
    if (Y1900..=now).contains(&secs) && a >= 1_000_000 {
        Validity::Valid
    } else {
        Validity::Invalid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_birth_dates() {
        // 1950-01-02 in pandas' milliseconds, in seconds, in microseconds.
        assert_eq!(check_epoch("-631065600000"), Validity::Valid);
        assert_eq!(check_epoch("-631065600"), Validity::Valid);
        assert_eq!(check_epoch("-631065600000000"), Validity::Valid);
        assert_eq!(check_epoch("965911243000000000"), Validity::Valid);
        assert_eq!(check_epoch("318211200000.0"), Validity::Valid);
        assert_eq!(check_epoch("-2208988801"), Validity::Invalid);
        assert_eq!(check_epoch("99999999999999"), Validity::Invalid);
        assert_eq!(check_epoch("42"), Validity::Invalid);
    }

    #[test]
    fn layouts() {
        for ok in [
            "1980-03-04",
            "03/04/1980",
            "31.12.1975",
            "1980-03-04T00:00:00",
            "March 5, 1980",
            "5 March 1980",
            "05-Mar-1980",
            "29.02.2000",
            "March 5th, 1980",
            "5. Mai 1980",
            "19800304",
        ] {
            assert_eq!(check(ok), Validity::Valid, "{ok}");
        }
        for bad in [
            "1980-13-04",
            "31.02.1980",
            "1850-01-01",
            "2999-01-01",
            "29.02.1900",
            "12/12/12",
        ] {
            assert_eq!(check(bad), Validity::Invalid, "{bad}");
        }
    }
}
