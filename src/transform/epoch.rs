//! The unit of a column of epoch dates, decided once from all its values: pandas' `to_json`
//! writes milliseconds, Unix tools seconds, Arrow's JSON microseconds, Spark nanoseconds.
//! Guessed per value by its size, a birth date in milliseconds between late 1966 and early
//! 1973 (under 10^11) passes for seconds and is generalized to the wrong year (issue 28).
//!
//! Pass 1 keeps the range of a column's epoch-sized integers ([`EpochRange`]); a unit is a
//! candidate when every value falls between 1900 and now in it. Neighbouring units differ by
//! 1,000, so at most one candidate spreads its values over a year or more: a column of
//! seconds read as milliseconds puts every birth within days of 1970-01-01. [`decide`] takes
//! the only candidate, or the only one with that spread; anything else is ambiguous, and the
//! column is refused rather than guessed.

use serde::{Deserialize, Serialize};

/// Seconds per unit's tick, as a divisor: seconds, milliseconds, microseconds, nanoseconds.
pub const UNITS: [(i64, &str); 4] = [
    (1, "seconds"),
    (1_000, "milliseconds"),
    (1_000_000, "microseconds"),
    (1_000_000_000, "nanoseconds"),
];

/// Epoch-sized integers of a column: how many, the smallest and the largest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpochRange {
    /// Values counted.
    pub n: u64,
    /// The smallest.
    pub min: i64,
    /// The largest.
    pub max: i64,
}

/// An integer written as an epoch date could be: six digits or more (a year or a small count
/// is not), optionally signed, optionally with a float's `.0`.
pub fn epoch_value(cell: &[u8]) -> Option<i64> {
    let first = *cell.first()?;
    if !(first.is_ascii_digit() || first == b'-') || cell.len() > 24 {
        return None;
    }
    let t = cell.strip_suffix(b".0").unwrap_or(cell);
    let digits = t.strip_prefix(b"-").unwrap_or(t);
    if digits.len() < 6 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if t.len() == 8 && compact_date(t) {
        return None;
    }
    std::str::from_utf8(t).ok()?.parse::<i64>().ok()
}

/// A compact `YYYYMMDD` date (1900-2100): a date written without separators, not an epoch.
pub fn compact_date(t: &[u8]) -> bool {
    let n = |r: std::ops::Range<usize>| -> Option<u32> {
        std::str::from_utf8(t.get(r)?).ok()?.parse().ok()
    };
    t.len() == 8
        && t.iter().all(u8::is_ascii_digit)
        && matches!((n(0..4), n(4..6), n(6..8)), (Some(y), Some(m), Some(d))
            if (1900..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d))
}

impl EpochRange {
    /// Counts `v`.
    pub fn add(&mut self, v: i64) {
        if self.n == 0 {
            (self.min, self.max) = (v, v);
        } else {
            self.min = self.min.min(v);
            self.max = self.max.max(v);
        }
        self.n += 1;
    }

    /// Adds `o` into `self`.
    pub fn merge(&mut self, o: &EpochRange) {
        if o.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *o;
        } else {
            self.min = self.min.min(o.min);
            self.max = self.max.max(o.max);
            self.n += o.n;
        }
    }
}

/// The column's unit (ticks per second), `None` when it holds no epoch-sized integer, or why
/// it cannot be told.
pub fn decide(r: &EpochRange, now_secs: i64) -> Result<Option<i64>, String> {
    if r.n == 0 {
        return Ok(None);
    }
    // 1900-01-01T00:00:00Z.
    const Y1900: i64 = -2_208_988_800;
    const YEAR: i64 = 365 * 86_400;
    let fits = |per: i64| r.min.div_euclid(per) >= Y1900 && r.max.div_euclid(per) <= now_secs;
    let candidates: Vec<i64> = UNITS.iter().map(|u| u.0).filter(|&p| fits(p)).collect();
    let spread: Vec<i64> = candidates
        .iter()
        .copied()
        .filter(|&p| (r.max.div_euclid(p) - r.min.div_euclid(p)) >= YEAR)
        .collect();
    match (candidates.as_slice(), spread.as_slice()) {
        ([one], _) | (_, [one]) => Ok(Some(*one)),
        ([], _) => Err(format!(
            "its {} epoch number(s) are birth dates in no one unit (seconds, milliseconds, microseconds or nanoseconds since 1970)",
            r.n
        )),
        _ => Err(format!(
            "the unit of its {} epoch number(s) cannot be told: they are birth dates in {} alike. Write the dates as ISO text, or as a typed date or timestamp column",
            r.n,
            candidates
                .iter()
                .filter_map(|p| UNITS.iter().find(|u| u.0 == *p).map(|u| u.1))
                .collect::<Vec<_>>()
                .join(" or ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOW: i64 = 1_796_601_600; // 2026-12-07

    fn range(values: &[i64]) -> EpochRange {
        let mut r = EpochRange::default();
        for &v in values {
            r.add(v);
        }
        r
    }

    #[test]
    fn values_are_epoch_sized_integers() {
        assert_eq!(epoch_value(b"-18000000000"), Some(-18_000_000_000));
        assert_eq!(epoch_value(b"318211200000.0"), Some(318_211_200_000));
        assert_eq!(epoch_value(b"1986"), None);
        assert_eq!(epoch_value(b"12345.5"), None);
        assert_eq!(epoch_value(b"1986-01-24"), None);
        assert_eq!(epoch_value(b"19860124"), None, "a compact date");
        assert_eq!(epoch_value(b"86400000"), Some(86_400_000));
    }

    #[test]
    fn the_review_case_milliseconds_around_1970_are_milliseconds() {
        // pandas' to_json: 1968-05-02 and 1971-09-30 in milliseconds are under 10^11.
        let r = range(&[-52_790_400_000, 55_036_800_000, 315_532_800_000]);
        assert_eq!(decide(&r, NOW), Ok(Some(1_000)));
    }

    #[test]
    fn one_value_near_1970_is_ambiguous() {
        assert!(decide(&range(&[86_400_000]), NOW).is_err());
        assert_eq!(decide(&EpochRange::default(), NOW), Ok(None));
    }

    proptest! {
        /// Birth dates spread over a year or more, written in any unit, are read in that unit.
        #[test]
        fn a_spread_column_is_read_in_its_own_unit(
            days in prop::collection::vec(-25_000i64..20_000, 2..60),
            unit in 0usize..4,
        ) {
            let spread = days.iter().max().unwrap() - days.iter().min().unwrap();
            prop_assume!(spread >= 366);
            let per = UNITS[unit].0;
            let values: Vec<i64> = days.iter().map(|d| d * 86_400 * per).collect();
            prop_assert_eq!(decide(&range(&values), NOW), Ok(Some(per)));
        }
    }
}
