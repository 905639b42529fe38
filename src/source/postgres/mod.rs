//! PostgreSQL tables: each table (or view) of a database is an input
//! (`postgres://user@host/db#schema.table`), read in batches through a server-side cursor
//! inside one read-only, repeatable-read transaction, so both passes of a pseudonymize run and
//! the closing row count see one snapshot. Nothing is ever written to the database.
//!
//! Values become cells as PostgreSQL's own text form (the simple query protocol): integers
//! and `numeric` exactly as stored, dates and timestamps in ISO form (the session is set to
//! `DateStyle = ISO, YMD` and UTC), arrays as `{a,b}`, `bytea` decoded to its bytes, NULL as
//! no cell. A JSON or JSONB value is a document: its leaves are cells under `column.path`
//! (`profile.contact.email`, `profile.devices[].ip`), as in JSON files, and pseudonymize
//! writes the document back with its leaves replaced.
//!
//! The password never reaches an [`Input`](crate::source::Input): a URL's password is taken out at
//! [`parse_url`] and kept in this module, keyed by the URL without it; otherwise it comes from
//! `PGPASSWORD` or the password file (`PGPASSFILE`, else `~/.pgpass`), as libpq finds it.
//! Reports, errors and manifests only ever see the URL without it.
//!
//! The client is the `postgres` feature (on by default). Built without it, a PostgreSQL URL
//! is still recognised and its password still taken out of every argument; reading it is
//! refused with a message naming the feature.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use zeroize::Zeroizing;

/// The URL schemes taken as PostgreSQL.
const SCHEMES: [&str; 2] = ["postgres://", "postgresql://"];

/// Passwords taken out of URLs, by the URL without them.
fn passwords() -> &'static Mutex<HashMap<String, Zeroizing<String>>> {
    static P: OnceLock<Mutex<HashMap<String, Zeroizing<String>>>> = OnceLock::new();
    P.get_or_init(Default::default)
}

/// Whether `text` is a PostgreSQL URL.
pub fn is_url(text: &str) -> bool {
    SCHEMES
        .iter()
        .any(|s| text.len() >= s.len() && text[..s.len()].eq_ignore_ascii_case(s))
}

/// A database named on the command line: the URL without its password (what reports show)
/// and the table glob after `#`, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The URL, password removed.
    pub url: String,
    /// The table glob after `#` (`public.*`), if any.
    pub tables: Option<String>,
}

/// Why a PostgreSQL URL cannot be split into its parts with certainty. The message never
/// holds any of the URL: it may be a password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UrlError(&'static str);

/// Splits a PostgreSQL URL into the URL without its password (in the user part or a
/// `password=` parameter) and the table glob after `#`; the password is kept for
/// the client's `connect`. `Ok(None)` when `text` is not a PostgreSQL URL.
///
/// The parts are found as libpq finds them: the user part ends at the last `@` before the
/// first `/` (so a password may hold `:`, `@`, `?` and `#` as typed), the host at `/`, `?` or
/// `#`, and every part is percent-decoded. Where libpq itself would read a different URL
/// from the one meant, the URL is refused rather than guessed, because a guess would print a
/// piece of the password as a host, a database or a table glob: an `@` after the first `/` (a
/// password holding `/`), a parameter without `=`, and a `#` right after a `password=`
/// value. Percent-encoding (`%2F`, `%40`, `%23`) says what is meant.
pub fn parse_url(text: &str) -> Result<Option<Target>, UrlError> {
    if !is_url(text) {
        return Ok(None);
    }
    let scheme_end = text.find("://").map_or(text.len(), |i| i + 3);
    let (scheme, rest) = text.split_at(scheme_end);
    let head_end = rest.find('/').unwrap_or(rest.len());
    // No path: a `?` before any `/` starts the query, and an `@` after it may belong to a
    // password parameter or to the user part: it cannot be told.
    if head_end == rest.len()
        && let Some(q) = rest.find('?')
        && rest[q..].contains('@')
    {
        return Err(UrlError(
            "a PostgreSQL URL holds an '@' after a '?' and has no '/db' path: write '@' and '?' in a password as %40 and %3F, add the database path, or give the password in PGPASSWORD or ~/.pgpass",
        ));
    }
    let (userinfo, after_user) = match rest[..head_end].rfind('@') {
        Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
        None => (None, rest),
    };
    if after_user.contains('@') {
        return Err(UrlError(
            "a PostgreSQL URL holds an '@' after its host: if it belongs to the password (which then holds a '/'), or to a database, parameter or table name, write '@' as %40 and '/' as %2F; or give the password in PGPASSWORD or ~/.pgpass",
        ));
    }
    // Host (and port) end at '/', '?' or '#'; the path at '?' or '#'; the query at '#'.
    let host_end = after_user.find(['/', '?', '#']).unwrap_or(after_user.len());
    let (host, tail) = after_user.split_at(host_end);
    let (tail, tables) = match tail.split_once('#') {
        Some((t, g)) => (t, (!g.is_empty()).then(|| g.to_string())),
        None => (tail, None),
    };
    let mut password = None;
    let authority = match userinfo {
        Some(u) => match u.split_once(':') {
            Some((user, pw)) => {
                password = Some(super::percent_decode(pw));
                format!("{user}@{host}")
            }
            None => format!("{u}@{host}"),
        },
        None => host.to_string(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let params: Vec<&str> = query.split('&').filter(|kv| !kv.is_empty()).collect();
            if params.iter().any(|kv| !kv.contains('=')) {
                return Err(UrlError(
                    "a PostgreSQL URL has a parameter without '=' (libpq refuses it; a password holding '&' does this): write '&' in a value as %26, or give the password in PGPASSWORD or ~/.pgpass",
                ));
            }
            let is_password = |kv: &&str| {
                kv.split_once('=')
                    .is_some_and(|(k, _)| k.eq_ignore_ascii_case("password"))
            };
            if tables.is_some() && params.last().is_some_and(is_password) {
                return Err(UrlError(
                    "a PostgreSQL URL has a '#' right after its password= parameter: it may be part of the password or start the table glob. Write a '#' in the password as %23, or put password= before the other parameters",
                ));
            }
            let mut kept = Vec::new();
            for kv in params {
                if is_password(&kv) {
                    password = kv.split_once('=').map(|(_, v)| super::percent_decode(v));
                } else {
                    kept.push(kv);
                }
            }
            if kept.is_empty() {
                path.to_string()
            } else {
                format!("{path}?{}", kept.join("&"))
            }
        }
        None => tail.to_string(),
    };
    let clean = format!("{scheme}{authority}{tail}");
    if let Some(pw) = password {
        passwords()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(clean.clone(), Zeroizing::new(pw));
    }
    Ok(Some(Target { url: clean, tables }))
}

/// Removes the password of `url`, if any, from `message` (errors of the client never hold it;
/// this makes sure).
#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
fn scrub(url: &str, message: String) -> String {
    match passwords()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(url)
    {
        Some(pw) if !pw.is_empty() => message.replace(pw.as_str(), "***"),
        _ => message,
    }
}

/// A table's name as reports show it: `schema.table`.
pub fn table_name(schema: &str, table: &str) -> String {
    format!("{schema}.{table}")
}

#[cfg(feature = "postgres")]
mod client;
#[cfg(feature = "postgres")]
pub use client::*;

#[cfg(not(feature = "postgres"))]
mod off;
#[cfg(not(feature = "postgres"))]
pub use off::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_leave_the_url_and_stay_out_of_errors() {
        let t = parse_url("postgres://ann:s3cr%3At@db.example:5433/sales?sslmode=disable#public.*")
            .unwrap()
            .unwrap();
        assert_eq!(
            t.url,
            "postgres://ann@db.example:5433/sales?sslmode=disable"
        );
        assert_eq!(t.tables.as_deref(), Some("public.*"));
        assert_eq!(
            scrub(&t.url, "auth failed for s3cr:t".into()),
            "auth failed for ***"
        );
        let q = parse_url("postgresql://h/db?password=pw1&application_name=x")
            .unwrap()
            .unwrap();
        assert_eq!(q.url, "postgresql://h/db?application_name=x");
        assert_eq!(
            parse_url("POSTGRES://u@h/d").unwrap().unwrap().url,
            "POSTGRES://u@h/d"
        );
        assert!(parse_url("/data/postgres.csv").unwrap().is_none());
        assert_eq!(parse_url("postgres://u@h/d").unwrap().unwrap().tables, None);
    }

    fn stored(url: &str) -> Option<String> {
        passwords()
            .lock()
            .unwrap()
            .get(url)
            .map(|p| p.as_str().to_string())
    }

    /// Passwords drawn from every printable character: percent-encoded (as libpq asks) each
    /// one is taken whole, in the user part and in `password=`; typed raw in the user part
    /// it is taken whole or the URL is refused. Never does a piece of it stay in the URL or
    /// the table glob, or reach the error.
    #[test]
    fn passwords_of_every_printable_character_never_show() {
        let printable: Vec<char> = (0x20u8..0x7f).map(char::from).collect();
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n as u64) as usize
        };
        let mut passwords: Vec<String> = printable.iter().map(|c| format!("pw{c}{c}x")).collect();
        for _ in 0..3000 {
            let len = 1 + next(24);
            passwords.push((0..len).map(|_| printable[next(printable.len())]).collect());
        }
        let encode = |pw: &str| -> String {
            pw.bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect()
        };
        let clean = "postgres://ann@pw-test.example:5433/sales?sslmode=disable";
        for pw in &passwords {
            let enc = encode(pw);
            let t = parse_url(&format!(
                "postgres://ann:{enc}@pw-test.example:5433/sales?sslmode=disable#public.*"
            ))
            .unwrap()
            .unwrap();
            assert_eq!(
                (t.url.as_str(), t.tables.as_deref()),
                (clean, Some("public.*"))
            );
            assert_eq!(stored(clean).as_deref(), Some(pw.as_str()), "{enc}");
            let q = parse_url(&format!(
                "postgres://ann@pw-test.example:5433/sales?password={enc}&sslmode=disable#public.*"
            ))
            .unwrap()
            .unwrap();
            assert_eq!(
                (q.url.as_str(), q.tables.as_deref()),
                (clean, Some("public.*"))
            );
            assert_eq!(stored(clean).as_deref(), Some(pw.as_str()), "{enc}");
            let raw =
                format!("postgres://ann:{pw}@pw-test.example:5433/sales?sslmode=disable#public.*");
            match parse_url(&raw) {
                Ok(Some(t)) => {
                    assert_eq!(
                        (t.url.as_str(), t.tables.as_deref()),
                        (clean, Some("public.*")),
                        "raw password {pw:?}"
                    );
                    assert_eq!(stored(clean), Some(super::super::percent_decode(pw)));
                }
                Ok(None) => panic!("not read as a URL: {pw:?}"),
                Err(e) => {
                    assert!(pw.contains('/'), "refused without a '/': {pw:?}");
                    assert!(pw.len() < 4 || !e.to_string().contains(pw.as_str()));
                }
            }
        }
        // A '#' after password= and a parameter without '=' are refused, not guessed.
        assert!(parse_url("postgres://h/d?password=a#b").is_err());
        assert!(parse_url("postgres://h/d?password=a&b&sslmode=disable").is_err());
        assert!(parse_url("postgres://h/d?sslmode=disable&password=a%23b#public.*").is_err());
        assert_eq!(
            parse_url("postgres://h/d?password=a%23b&sslmode=disable#public.*")
                .unwrap()
                .unwrap()
                .tables
                .as_deref(),
            Some("public.*")
        );
        assert!(parse_url("postgres://h/d?user=me@corp").is_err());
        // No path: an `@` after the `?` could be the password's or the user part's.
        assert!(parse_url("postgres://db.example?password=p@ssw0rd").is_err());
        assert!(parse_url("postgres://db:5432?password=p@ss").is_err());
        assert!(
            parse_url("postgres://h/d?user=me%40corp")
                .unwrap()
                .is_some()
        );
    }
}
