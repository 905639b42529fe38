//! The shape of a column's values, a view that does not depend on the rules (issue 25, item
//! 4). A column the rules give no verdict can still hold personal data they do not know: a
//! street-name column, a spreadsheet-mangled card number (`4.53E+15`), a national id of a
//! country without a rule. [`Shape`] records, over a column's first [`SHAPE_ROWS`] rows,
//! what kind of value each cell is, the cells' lengths and character classes, and a sketch
//! of their distinct values; [`Shape::unexplained`] lists the column when its values are
//! mostly distinct and text-like, and are not shroud tokens, quantities, timestamps, flags or
//! UUIDs. `check` reports such columns (and fails on them with `--strict`); the
//! pseudonymize manifest names them.
//!
//! The distinct count is a k-minimum-values sketch ([`SKETCH`] smallest hashes): exact below
//! that many distinct values, within about 10% above. Stats merge associatively, so the view
//! is the same whatever the thread count.

use serde::{Deserialize, Serialize};

/// Rows (by their index in the file) whose cells the shape records: enough to tell a column
/// of distinct values from a column of categories, at a fixed cost per column.
pub const SHAPE_ROWS: u64 = 8192;
/// Hashes the distinct sketch keeps.
pub const SKETCH: usize = 128;
/// Cells a column needs before it can be listed.
const MIN_CELLS: u64 = 20;
/// Share of distinct values from which a column is near-unique (a key column of a long
/// table, a category, a city repeat far more).
const NEAR_UNIQUE: f64 = 0.75;

/// What one cell holds, judged by its characters alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A value shroud wrote (`person_…`, `u…@pseudo.invalid`).
    Token,
    /// A number that reads as an amount or a count (at most 8 digits before a decimal
    /// point, any after).
    Quantity,
    /// A date, time or timestamp (digits with `-` `/` `:` `.` `T` `Z`).
    Timestamp,
    /// `true`, `no`, `null`, `N/A`...
    Flag,
    /// A UUID (random identifiers carry nothing of a person by themselves).
    Uuid,
    /// Anything else: words, codes, and long numbers (an id is not a quantity).
    Text,
}

/// Words of a column name that say its values belong to things, not people: an order
/// number, a SKU, a product name, a tracking number. Such a column is not listed as
/// unexplained (the rules still judge its every cell).
const THING_WORDS: &[&str] = &[
    "sku",
    "product",
    "products",
    "item",
    "items",
    "article",
    "order",
    "orders",
    "invoice",
    "transaction",
    "txn",
    "tracking",
    "shipment",
    "parcel",
    "isbn",
    "ean",
    "upc",
    "gtin",
    "model",
    "version",
    "release",
    "commit",
    "build",
    "asset",
    "ticket",
    "request",
    "job",
    "event",
    "session",
    "trace",
    "span",
    "currency",
    "category",
];

/// Whether column `name`'s words say its values are things' (an order, a SKU, a product): `order_id`,
/// `Tracking Number`, `productName`.
pub fn name_explains(name: &str) -> bool {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for ch in name.chars() {
        if !ch.is_alphanumeric() {
            words.push(std::mem::take(&mut cur));
            prev_lower = false;
            continue;
        }
        if ch.is_uppercase() && prev_lower {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = ch.is_lowercase();
        cur.extend(ch.to_lowercase());
    }
    words.push(cur);
    words.iter().any(|w| THING_WORDS.contains(&w.as_str()))
}

/// The kind of a trimmed, non-empty cell.
pub fn kind(cell: &[u8]) -> Kind {
    if is_flag(cell) {
        return Kind::Flag;
    }
    if is_uuid(cell) {
        return Kind::Uuid;
    }
    if let Some(k) = number_kind(cell) {
        return k;
    }
    if is_timestamp(cell) {
        return Kind::Timestamp;
    }
    if crate::transform::token::token_spans(cell).any(|(s, e)| s == 0 && e == cell.len()) {
        return Kind::Token;
    }
    Kind::Text
}

fn is_flag(c: &[u8]) -> bool {
    c.len() <= 5
        && [
            &b"true"[..],
            b"false",
            b"yes",
            b"no",
            b"y",
            b"n",
            b"t",
            b"f",
            b"null",
            b"none",
            b"nan",
            b"n/a",
            b"na",
            b"-",
        ]
        .iter()
        .any(|w| c.eq_ignore_ascii_case(w))
}

fn is_uuid(c: &[u8]) -> bool {
    c.len() == 36
        && c.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// A quantity, or text for a number too long to be one (an id, a mangled card number in
/// scientific notation); `None` when the cell is no number.
fn number_kind(c: &[u8]) -> Option<Kind> {
    let mut s = c;
    // A sign, a currency symbol or a trailing percent or unit are part of an amount.
    s = s
        .strip_prefix(b"-")
        .or_else(|| s.strip_prefix(b"+"))
        .unwrap_or(s);
    for sym in ["$", "€", "£", "¥"] {
        s = s.strip_prefix(sym.as_bytes()).unwrap_or(s);
    }
    s = s.strip_suffix(b"%").unwrap_or(s);
    let (mantissa, exponent) = match s.iter().position(|b| *b == b'e' || *b == b'E') {
        Some(i) => {
            let e = &s[i + 1..];
            let e = e
                .strip_prefix(b"+")
                .or_else(|| e.strip_prefix(b"-"))
                .unwrap_or(e);
            if e.is_empty() || e.len() > 3 || !e.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let neg = s.get(i + 1) == Some(&b'-');
            let v: i32 = std::str::from_utf8(e).ok()?.parse().ok()?;
            (&s[..i], if neg { -v } else { v })
        }
        None => (s, 0),
    };
    if mantissa.is_empty()
        || !mantissa.iter().any(u8::is_ascii_digit)
        || !mantissa
            .iter()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b',' | b'_' | b'\''))
        || mantissa.iter().filter(|b| **b == b'.').count() > 1
            && mantissa.iter().filter(|b| **b == b',').count() > 1
    {
        return None;
    }
    // Digits before the decimal point (the last `.` or `,` followed by 1-2 digits counts as
    // one in either convention).
    let point = mantissa
        .iter()
        .rposition(|b| *b == b'.' || *b == b',')
        .filter(|&p| {
            let after = mantissa.len() - p - 1;
            (1..=2).contains(&after) || (mantissa[p] == b'.' && after > 0)
        });
    let whole = match point {
        Some(p) => &mantissa[..p],
        None => mantissa,
    };
    let digits = whole.iter().filter(|b| b.is_ascii_digit()).count() as i32;
    // Epoch seconds or milliseconds of 2001-2033 (ten or thirteen digits starting with 1)
    // are timestamps, not ids: no North American number starts with 1, so a phone number
    // stored as an integer stays text.
    if point.is_none()
        && exponent == 0
        && matches!(mantissa.len(), 10 | 13)
        && mantissa[0] == b'1'
        && mantissa.iter().all(u8::is_ascii_digit)
    {
        return Some(Kind::Timestamp);
    }
    if digits + exponent.max(0) > 8 {
        Some(Kind::Text)
    } else {
        Some(Kind::Quantity)
    }
}

/// A date (`2024-03-01`, `01/02/2024`, `1.2.24`), a time (`10:30`, `10:30:15.5`) or both
/// (`2024-03-01T10:00:00Z`, `2024-03-01 10:00:00+01:00`): digit groups of a date's or a
/// time's lengths, months and days in range. A card number in groups of four or an SSN is
/// none.
fn is_timestamp(c: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(c) else {
        return false;
    };
    let (date, time) = match s.find(['T', ' ']) {
        Some(i) => (Some(&s[..i]), Some(&s[i + 1..])),
        None if s.contains(':') => (None, Some(s)),
        None => (Some(s), None),
    };
    let num = |g: &str| {
        (!g.is_empty() && g.len() <= 4 && g.bytes().all(|b| b.is_ascii_digit()))
            .then(|| g.parse::<u32>().ok())
            .flatten()
    };
    let date_ok = date.is_none_or(|d| {
        let Some(sep) = d.chars().find(|ch| matches!(ch, '-' | '/' | '.')) else {
            return false;
        };
        let g: Vec<&str> = d.split(sep).collect();
        let v: Vec<Option<u32>> = g.iter().map(|x| num(x)).collect();
        match (g.as_slice(), v.as_slice()) {
            ([y, _, _], [Some(_), Some(m), Some(day)]) if y.len() == 4 => {
                (1..=12).contains(m) && (1..=31).contains(day)
            }
            ([a, b, y], [Some(x), Some(z), Some(_)])
                if a.len() <= 2 && b.len() <= 2 && matches!(y.len(), 2 | 4) =>
            {
                (1..=31).contains(x) && (1..=31).contains(z) && (*x <= 12 || *z <= 12)
            }
            _ => false,
        }
    });
    let time_ok = time.is_none_or(|t| {
        let t = t.trim_end_matches('Z');
        let t = match t.rfind(['+', '-']) {
            Some(i) if i > 0 => &t[..i],
            _ => t,
        };
        let t = t.split('.').next().unwrap_or(t);
        let g: Vec<&str> = t.split(':').collect();
        matches!(g.len(), 2 | 3)
            && g.iter()
                .all(|x| (1..=2).contains(&x.len()) && x.bytes().all(|b| b.is_ascii_digit()))
            && num(g[0]).is_some_and(|h| h <= 24)
            && num(g[1]).is_some_and(|m| m <= 59)
    });
    (date.is_some() || time.is_some()) && date_ok && time_ok
}

/// Character classes of a text cell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classes {
    /// Cells with a letter.
    pub letters: u64,
    /// Cells with a digit.
    pub digits: u64,
    /// Cells with a space.
    pub spaces: u64,
    /// Cells with punctuation or symbols.
    pub punctuation: u64,
}

/// The shape of a column over its first [`SHAPE_ROWS`] rows. Merge with [`Shape::merge`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Shape {
    /// Non-empty cells recorded.
    pub cells: u64,
    /// Of them, [`Kind::Text`].
    pub text: u64,
    /// Character classes of the text cells.
    pub classes: Classes,
    /// Shortest text cell, in characters.
    pub min_len: u32,
    /// Longest text cell, in characters.
    pub max_len: u32,
    /// Sum of the text cells' lengths.
    pub len_sum: u64,
    /// The smallest hashes of the distinct non-empty cells, ascending.
    pub sketch: Vec<u64>,
}

fn hash(cell: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    const SEED: u64 = 0x5348_524f_5544_0002;
    foldhash::quality::FixedState::with_seed(SEED).hash_one(cell)
}

impl Shape {
    /// Records one trimmed, non-empty cell.
    pub fn add(&mut self, cell: &[u8]) {
        self.cells += 1;
        self.insert(hash(cell));
        if kind(cell) != Kind::Text {
            return;
        }
        self.text += 1;
        let len = std::str::from_utf8(cell).map_or(cell.len(), |s| s.chars().count()) as u32;
        self.min_len = if self.text == 1 {
            len
        } else {
            self.min_len.min(len)
        };
        self.max_len = self.max_len.max(len);
        self.len_sum += u64::from(len);
        let c = &mut self.classes;
        let has = |f: fn(&u8) -> bool| u64::from(cell.iter().any(f));
        c.letters += u64::from(cell.iter().any(|b| b.is_ascii_alphabetic() || *b >= 0x80));
        c.digits += has(u8::is_ascii_digit);
        c.spaces += has(|b| *b == b' ');
        c.punctuation += has(u8::is_ascii_punctuation);
    }

    fn insert(&mut self, h: u64) {
        if self.sketch.len() == SKETCH && h >= self.sketch[SKETCH - 1] {
            return;
        }
        if let Err(i) = self.sketch.binary_search(&h) {
            self.sketch.insert(i, h);
            self.sketch.truncate(SKETCH);
        }
    }

    /// Adds `other` into `self`.
    pub fn merge(&mut self, other: &Shape) {
        if other.text > 0 {
            self.min_len = if self.text == 0 {
                other.min_len
            } else {
                self.min_len.min(other.min_len)
            };
        }
        self.cells += other.cells;
        self.text += other.text;
        self.max_len = self.max_len.max(other.max_len);
        self.len_sum += other.len_sum;
        self.classes.letters += other.classes.letters;
        self.classes.digits += other.classes.digits;
        self.classes.spaces += other.classes.spaces;
        self.classes.punctuation += other.classes.punctuation;
        for &h in &other.sketch {
            self.insert(h);
        }
    }

    /// Distinct non-empty values, estimated (exact below [`SKETCH`]).
    pub fn distinct(&self) -> f64 {
        if self.sketch.len() < SKETCH {
            return self.sketch.len() as f64;
        }
        let kth = self.sketch[SKETCH - 1] as f64 / u64::MAX as f64;
        ((SKETCH - 1) as f64 / kth).min(self.cells as f64)
    }

    /// Why the column is unexplained, when it is: at least 20 cells, half or more of them
    /// text (no token, quantity, timestamp, flag or UUID), and 75% or more distinct. The
    /// caller excludes columns with a verdict and free text.
    pub fn unexplained(&self) -> Option<Summary> {
        if self.cells < MIN_CELLS || self.text * 2 < self.cells {
            return None;
        }
        let distinct = self.distinct() / self.cells as f64;
        if distinct < NEAR_UNIQUE {
            return None;
        }
        let c = &self.classes;
        let classes = [
            ("letters", c.letters),
            ("digits", c.digits),
            ("spaces", c.spaces),
            ("punctuation", c.punctuation),
        ]
        .into_iter()
        .filter(|(_, n)| n * 2 >= self.text)
        .map(|(name, _)| name.to_string())
        .collect();
        let round = |x: f64| (x * 100.0).round() / 100.0;
        Some(Summary {
            cells: self.cells,
            distinct_share: round(distinct),
            text_share: round(self.text as f64 / self.cells as f64),
            classes,
            min_length: self.min_len,
            max_length: self.max_len,
            mean_length: (self.len_sum as f64 / self.text.max(1) as f64).round() as u32,
        })
    }
}

/// The shape of an unexplained column, as reports show it (numbers, never a value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Non-empty cells looked at (the first [`SHAPE_ROWS`] rows).
    pub cells: u64,
    /// Share of them that are distinct (estimated above [`SKETCH`]).
    pub distinct_share: f64,
    /// Share of them that are text-like ([`Kind::Text`]).
    pub text_share: f64,
    /// Character classes that at least half of the text cells hold.
    pub classes: Vec<String>,
    /// Shortest text cell, in characters.
    pub min_length: u32,
    /// Longest.
    pub max_length: u32,
    /// Mean.
    pub mean_length: u32,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:.0}% distinct over {} cells, {:.0}% text-like ({}), {}-{} characters (mean {})",
            self.distinct_share * 100.0,
            self.cells,
            self.text_share * 100.0,
            if self.classes.is_empty() {
                "mixed".to_string()
            } else {
                self.classes.join(", ")
            },
            self.min_length,
            self.max_length,
            self.mean_length
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_things_explain_a_column() {
        for n in [
            "order_id",
            "Tracking Number",
            "productName",
            "SKU",
            "invoice-no",
        ] {
            assert!(name_explains(n), "{n}");
        }
        for n in ["street", "customer_ref", "nino", "orderly", "notes"] {
            assert!(!name_explains(n), "{n}");
        }
    }

    #[test]
    fn kinds() {
        for q in [
            "12", "-3.5", "1,234.56", "€12,50", "45%", "12345678", "1.5e3", "0.000123",
        ] {
            assert_eq!(kind(q.as_bytes()), Kind::Quantity, "{q}");
        }
        for t in [
            "4532-0151-1283-0366",
            "123-45-6789",
            "+1 415-555-0142",
            "2125550142",
            "4.53E+15",
            "4532015112830366",
            "123456789",
            "4155550142.0",
            "Baker Street",
            "AB123456C",
            "ana",
        ] {
            assert_eq!(kind(t.as_bytes()), Kind::Text, "{t}");
        }
        for t in [
            "2024-03-01",
            "2024-03-01T10:00:00Z",
            "01/02/2024",
            "10:30",
            "1700000000",
            "1700000000123",
        ] {
            assert_eq!(kind(t.as_bytes()), Kind::Timestamp, "{t}");
        }
        assert_eq!(kind(b"person_0123456789abcdef"), Kind::Token);
        assert_eq!(kind(b"123e4567-e89b-12d3-a456-426614174000"), Kind::Uuid);
        assert_eq!(kind(b"N/A"), Kind::Flag);
    }

    fn shape(cells: impl Iterator<Item = String>) -> Shape {
        let mut s = Shape::default();
        for c in cells {
            s.add(c.as_bytes());
        }
        s
    }

    #[test]
    fn distinct_text_is_unexplained_and_categories_quantities_and_tokens_are_not() {
        let streets = shape((0..200).map(|i| format!("Street {} of Avenue{}", i * 7, i)));
        assert!(streets.unexplained().is_some());
        let mangled = shape((0..200).map(|i| format!("4.{:03}E+15", i)));
        assert!(mangled.unexplained().is_some(), "{mangled:?}");
        let status = shape((0..200).map(|i| ["open", "closed", "pending"][i % 3].to_string()));
        assert!(status.unexplained().is_none());
        let amounts = shape((0..200).map(|i| format!("{}.{:02}", i * 13, i % 100)));
        assert!(amounts.unexplained().is_none());
        let tokens = shape((0..200).map(|i| format!("person_{:016x}", i * 7919)));
        assert!(tokens.unexplained().is_none());
        let few = shape((0..10).map(|i| format!("Name{i}")));
        assert!(few.unexplained().is_none(), "too few cells to say");
    }

    proptest::proptest! {
        /// Columns of quantities, timestamps, tokens, flags, UUIDs or few categories are
        /// never unexplained, whatever their size; near-unique codes and words always are.
        #[test]
        fn explained_shapes_are_never_listed_and_near_unique_text_always_is(
            seed in 0u64..u64::MAX,
            n in 20usize..600,
            family in 0usize..6,
        ) {
            let mut x = seed | 1;
            let mut next = move || { x ^= x << 13; x ^= x >> 7; x ^= x << 17; x };
            let cells: Vec<String> = (0..n).map(|_| {
                let r = next();
                match family {
                    0 => format!("{}.{:02}", r % 100_000, r % 100),
                    1 => format!("2024-{:02}-{:02}T{:02}:{:02}:00Z", r % 12 + 1, r % 28 + 1, r % 24, r % 60),
                    2 => format!("person_{:016x}", r),
                    3 => ["yes", "no", "N/A", "true"][(r % 4) as usize].to_string(),
                    4 => format!("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", r as u32, (r >> 32) as u16, (r >> 16) as u16, r as u16, r >> 16),
                    _ => ["Gold", "Silver", "Bronze", "Basic", "Pro"][(r % 5) as usize].to_string(),
                }
            }).collect();
            let s = shape(cells.into_iter());
            proptest::prop_assert!(s.unexplained().is_none(), "family {} {:?}", family, s);
            let codes = shape((0..n).map(|_| {
                let r = next();
                format!("{}{}{:06}{}", (b'A' + (r % 26) as u8) as char, (b'A' + (r / 26 % 26) as u8) as char, r % 1_000_000, (b'A' + (r / 7 % 4) as u8) as char)
            }));
            proptest::prop_assert!(codes.unexplained().is_some(), "{:?}", codes);
        }
    }

    #[test]
    fn the_sketch_counts_exactly_when_small_and_closely_when_large_and_merges_in_any_order() {
        let small = shape((0..100).map(|i| format!("v{}", i % 60)));
        assert_eq!(small.distinct(), 60.0);
        let large = shape((0..8000).map(|i| format!("v{i}")));
        let d = large.distinct();
        assert!((6400.0..=9600.0).contains(&d), "{d}");
        // Merge is order-independent.
        let parts: Vec<Shape> = (0..4)
            .map(|p| shape((p * 2000..(p + 1) * 2000).map(|i| format!("v{i}"))))
            .collect();
        let mut a = Shape::default();
        for p in &parts {
            a.merge(p);
        }
        let mut b = Shape::default();
        for p in parts.iter().rev() {
            b.merge(p);
        }
        assert_eq!(a, b);
        assert_eq!(a, large);
    }
}
