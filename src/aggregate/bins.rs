//! Generalization bins for group-by columns: numeric bands, prefixes, date truncation, IP
//! prefixes. `--bin age=10`, `--bin zip=3`, `--bin created_at=month`, `--bin ip=/16`.

use std::net::{Ipv4Addr, Ipv6Addr};

/// How one column is coarsened.
#[derive(Debug, Clone, PartialEq)]
pub enum Bin {
    /// Numbers to bands of this width (`30-39`); dates to bands of birth years of this width.
    Band(f64),
    /// The first N characters.
    Prefix(usize),
    /// Dates truncated to the day, month or year.
    Date(DateUnit),
    /// IP addresses to a network prefix of this many bits.
    Ip(u8),
}

/// Date truncation unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateUnit {
    /// `YYYY-MM-DD`.
    Day,
    /// `YYYY-MM`.
    Month,
    /// `YYYY`.
    Year,
}

/// Parses `COLUMN=SPEC`. A bare number means a band, or a prefix for postal-code-like
/// columns (`zip=3`); `band:N` and `prefix:N` say it explicitly.
pub fn parse(arg: &str) -> Result<(String, Bin), String> {
    let (col, spec) = arg
        .split_once('=')
        .ok_or_else(|| format!("--bin {arg:?}: expected COLUMN=SPEC"))?;
    let bad = || {
        format!("--bin {arg:?}: SPEC is a width (10), prefix:N, band:N, day, month, year or /BITS")
    };
    let bin = match spec.trim() {
        "day" => Bin::Date(DateUnit::Day),
        "month" => Bin::Date(DateUnit::Month),
        "year" => Bin::Date(DateUnit::Year),
        s if s.starts_with('/') => Bin::Ip(s[1..].parse().map_err(|_| bad())?),
        s if s.starts_with("prefix:") => Bin::Prefix(s[7..].parse().map_err(|_| bad())?),
        s if s.starts_with("band:") => Bin::Band(s[5..].parse().map_err(|_| bad())?),
        s => {
            let n: f64 = s.parse().map_err(|_| bad())?;
            let tokens = crate::detect::hints::tokenize(col);
            let postal = tokens.iter().any(|t| {
                matches!(
                    t.as_str(),
                    "zip" | "zipcode" | "postal" | "postcode" | "plz" | "cp" | "cap"
                )
            });
            if postal {
                Bin::Prefix(n as usize)
            } else {
                Bin::Band(n)
            }
        }
    };
    if let Bin::Band(w) = bin
        && !(w.is_finite() && w > 0.0)
    {
        return Err(bad());
    }
    Ok((col.to_string(), bin))
}

/// A date's parts from `YYYY-MM-DD...`, `MM/DD/YYYY` or `DD.MM.YYYY`.
fn date_parts(v: &str) -> Option<(u32, u32, u32)> {
    let b = v.as_bytes();
    if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' {
        return Some((
            v[0..4].parse().ok()?,
            v[5..7].parse().ok()?,
            v[8..10].parse().ok()?,
        ));
    }
    let parts: Vec<&str> = v.split(['/', '.', '-']).collect();
    if parts.len() == 3 && parts[2].len() == 4 {
        let y = parts[2].parse().ok()?;
        let (a, c): (u32, u32) = (parts[0].parse().ok()?, parts[1].parse().ok()?);
        return Some(if v.contains('/') {
            (y, a, c)
        } else {
            (y, c, a)
        });
    }
    None
}

impl Bin {
    /// The binned value; `None` when the value does not fit the bin (counted as `(invalid)`).
    pub fn apply(&self, value: &str) -> Option<String> {
        let v = value.trim();
        match self {
            Bin::Prefix(n) => Some(v.chars().filter(|c| !c.is_whitespace()).take(*n).collect()),
            Bin::Band(w) => {
                if let Ok(x) = v.parse::<f64>() {
                    let lo = (x / w).floor() * w;
                    return Some(format!(
                        "{}-{}",
                        fmt_num(lo),
                        fmt_num(lo + w - if w.fract() == 0.0 { 1.0 } else { 0.0 })
                    ));
                }
                // A date: bands of birth years.
                let (y, _, _) = date_parts(v)?;
                let w = *w as u32;
                let lo = y / w.max(1) * w.max(1);
                Some(format!("{lo}-{}", lo + w.max(1) - 1))
            }
            Bin::Date(unit) => {
                let (y, m, d) = date_parts(v)?;
                Some(match unit {
                    DateUnit::Day => format!("{y:04}-{m:02}-{d:02}"),
                    DateUnit::Month => format!("{y:04}-{m:02}"),
                    DateUnit::Year => format!("{y:04}"),
                })
            }
            Bin::Ip(bits) => {
                if let Ok(ip) = v.parse::<Ipv4Addr>() {
                    let b = u32::from(*bits.min(&32));
                    let mask = if b == 0 { 0 } else { u32::MAX << (32 - b) };
                    return Some(format!("{}/{b}", Ipv4Addr::from(u32::from(ip) & mask)));
                }
                let ip = v.parse::<Ipv6Addr>().ok()?;
                let b = u32::from(*bits.min(&128));
                let mask = if b == 0 { 0 } else { u128::MAX << (128 - b) };
                Some(format!("{}/{b}", Ipv6Addr::from(u128::from(ip) & mask)))
            }
        }
    }
}

fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_at_their_edges() {
        let (_, age) = parse("age=10").unwrap();
        assert_eq!(age.apply("29").as_deref(), Some("20-29"));
        assert_eq!(age.apply("30").as_deref(), Some("30-39"));
        assert_eq!(age.apply("0").as_deref(), Some("0-9"));
        assert_eq!(age.apply("-1").as_deref(), Some("-10--1"));
        assert_eq!(age.apply("1989-12-31").as_deref(), Some("1980-1989"));
        assert_eq!(age.apply("1990-01-01").as_deref(), Some("1990-1999"));
        assert_eq!(age.apply("n/a"), None);
        let (_, zip) = parse("zip=3").unwrap();
        assert_eq!(zip, Bin::Prefix(3));
        assert_eq!(zip.apply("94107").as_deref(), Some("941"));
        let (_, m) = parse("created_at=month").unwrap();
        assert_eq!(m.apply("2024-01-31T23:59:59Z").as_deref(), Some("2024-01"));
        assert_eq!(m.apply("2024-02-01").as_deref(), Some("2024-02"));
        assert_eq!(m.apply("03/15/1969").as_deref(), Some("1969-03"));
        let (_, ip) = parse("ip=/16").unwrap();
        assert_eq!(ip.apply("203.0.113.7").as_deref(), Some("203.0.0.0/16"));
        assert_eq!(ip.apply("2001:db8::1").as_deref(), Some("2001::/16"));
        assert!(parse("x").is_err());
        assert!(parse("x=0").is_err());
        assert!(parse("x=weekly").is_err());
    }
}
