//! Pseudonymization keys: read from a file or the environment (never a command-line value),
//! 256 random bits, wiped from memory on drop, never printed (Debug shows the fingerprint).

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::fmt;
use std::path::Path;
use zeroize::Zeroizing;

/// Errors about keys.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The key file could not be read.
    #[error("failed to read key file {path}: {source}")]
    Io {
        /// Path.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The key is shorter than 256 bits.
    #[error(
        "key is {bits} bits; a key is 256 random bits: 64 hex digits, base64 of 32 bytes or 32 raw bytes (shroud keygen writes one)"
    )]
    TooShort {
        /// Bits given.
        bits: usize,
    },
    /// The key has almost no entropy (few distinct bytes).
    #[error(
        "the key repeats a few bytes: anyone could guess it (shroud keygen writes a random one)"
    )]
    Weak,
    /// The key is printable text that is neither hex nor base64 of random bytes: a
    /// passphrase someone typed, which a word list recovers.
    #[error(
        "the key looks typed (printable text, not 64+ hex digits or base64 of 32+ bytes): a word list would recover it; shroud keygen writes a random one"
    )]
    Typed,
    /// `SHROUD_KEY` holds a path, meant for `SHROUD_KEY_FILE`.
    #[error(
        "SHROUD_KEY holds a path, not a key: name a key file with SHROUD_KEY_FILE (or --key-file)"
    )]
    PathInKeyVariable,
}

/// Bytes a key needs (256 bits: what `keygen` writes; at least 128 bits of entropy left
/// whatever the source's bias).
pub const KEY_BYTES: usize = 32;

/// Decodes standard or URL-safe base64 (padding optional); `None` when it is not base64.
fn base64(text: &str) -> Option<Vec<u8>> {
    let t = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(t.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in t.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// A secret key. Derives independent sub-keys per use (tokens, FPE, date shifts).
pub struct Key {
    bytes: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key(fingerprint {})", self.fingerprint())
    }
}

impl Key {
    /// A key from bytes: 64+ hex digits, or base64 of 32+ bytes, decoded; binary (not
    /// printable text) of 32+ bytes as it is. Printable text that is neither (a passphrase)
    /// is refused, and so is a key of few distinct bytes: a recipient holding the tokens
    /// could otherwise recover the key with a word list and re-identify values.
    pub fn parse(raw: &[u8]) -> Result<Key, KeyError> {
        // Text (UTF-8 whose only control characters are line breaks and tabs) is read as hex
        // or base64 with its white space removed (`xxd -p` wraps lines); anything else is
        // a binary key file, taken as it is.
        let text = std::str::from_utf8(raw).ok().filter(|t| {
            !t.trim().is_empty() && t.chars().all(|c| !c.is_control() || c.is_whitespace())
        });
        let bytes: Zeroizing<Vec<u8>> = match text {
            Some(t) => {
                let compact: Zeroizing<String> =
                    Zeroizing::new(t.chars().filter(|c| !c.is_whitespace()).collect());
                let c = compact.as_str();
                if c.bytes().all(|b| b.is_ascii_hexdigit()) {
                    if c.len() < 2 * KEY_BYTES || !c.len().is_multiple_of(2) {
                        // Hex too short for a key (128-bit keys were once accepted).
                        return Err(KeyError::TooShort {
                            bits: c.len() / 2 * 8,
                        });
                    }
                    Zeroizing::new(
                        (0..c.len())
                            .step_by(2)
                            .map(|i| {
                                u8::from_str_radix(&c[i..i + 2], 16).expect("checked hex digits")
                            })
                            .collect(),
                    )
                } else {
                    match base64(c) {
                        Some(b) if b.len() >= KEY_BYTES && c.len() >= 43 && random_looking(c) => {
                            Zeroizing::new(b)
                        }
                        _ => return Err(KeyError::Typed),
                    }
                }
            }
            None => Zeroizing::new(raw.to_vec()),
        };
        if bytes.len() < KEY_BYTES {
            return Err(KeyError::TooShort {
                bits: bytes.len() * 8,
            });
        }
        // Random bytes: a 32-byte key has about 30 distinct values; a placeholder has few.
        let distinct = {
            let mut seen = [false; 256];
            bytes
                .iter()
                .filter(|&&b| !std::mem::replace(&mut seen[b as usize], true))
                .count()
        };
        if distinct < 16 {
            return Err(KeyError::Weak);
        }
        Ok(Key { bytes })
    }

    /// Reads a key file; the second value is a warning when the file is readable by others.
    pub fn from_file(path: &Path) -> Result<(Key, Option<String>), KeyError> {
        let raw = Zeroizing::new(std::fs::read(path).map_err(|source| KeyError::Io {
            path: path.display().to_string(),
            source,
        })?);
        let warning = loose_permissions(path).then(|| {
            format!(
                "key file {} is readable by group or others; restrict it with chmod 600",
                path.display()
            )
        });
        Ok((Key::parse(&raw)?, warning))
    }

    /// The key from `file` if given, else the file named by `SHROUD_KEY_FILE`, else the key
    /// itself in `SHROUD_KEY`; `None` when none is set. The second value is a warning when a
    /// key file is readable by others. Never from a command-line value.
    pub fn load(file: Option<&Path>) -> Result<(Option<Key>, Option<String>), KeyError> {
        if let Some(p) = file {
            let (k, w) = Key::from_file(p)?;
            return Ok((Some(k), w));
        }
        if let Some(p) = std::env::var_os("SHROUD_KEY_FILE") {
            let (k, w) = Key::from_file(Path::new(&p))?;
            return Ok((Some(k), w));
        }
        if let Some(k) = std::env::var_os("SHROUD_KEY") {
            let k = Zeroizing::new(k.into_encoded_bytes());
            // A key first (a base64 key may start with `/`); a path only when it is none.
            return match Key::parse(&k) {
                Ok(key) => Ok((Some(key), None)),
                Err(_) if looks_like_path(&k) => Err(KeyError::PathInKeyVariable),
                Err(e) => Err(e),
            };
        }
        Ok((None, None))
    }

    /// A new random 256-bit key from the operating system's secure source.
    pub fn generate() -> Result<Key, getrandom::Error> {
        let mut bytes = Zeroizing::new(vec![0u8; 32]);
        getrandom::fill(&mut bytes)?;
        Ok(Key { bytes })
    }

    /// Hex form, for writing a key file.
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(self.bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// A short public identifier of the key, shipped in manifests: 8 bytes of an HMAC
    /// under a sub-key derived for this purpose alone, in hex. It tells two keys apart and
    /// nothing else: testing a guess needs the whole candidate key, and keys are 256 random
    /// bits (typed ones are refused), so no guess is feasible.
    pub fn fingerprint(&self) -> String {
        let sub = self.subkey("fingerprint");
        let mut mac =
            <Hmac<Sha256> as KeyInit>::new_from_slice(&*sub).expect("HMAC takes any key length");
        mac.update(b"shroud key fingerprint v2");
        mac.finalize().into_bytes()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// A 32-byte sub-key for one purpose (`token`, `fpe`, `date_shift`).
    pub fn subkey(&self, purpose: &str) -> Zeroizing<[u8; 32]> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.bytes)
            .expect("HMAC takes any key length");
        mac.update(b"shroud subkey v1\0");
        mac.update(purpose.as_bytes());
        let mut out = Zeroizing::new([0u8; 32]);
        out.copy_from_slice(&mac.finalize().into_bytes());
        out
    }
}

/// Whether base64 text reads as the encoding of random bytes rather than typed words: 43
/// random characters of 64 hold upper- and lower-case letters, a digit or symbol, and about
/// 31 distinct characters; `passwordpassword…` and `TheQuickBrownFox…` do not.
fn random_looking(t: &str) -> bool {
    let b = t.as_bytes();
    let mut seen = [false; 256];
    let distinct = b
        .iter()
        .filter(|&&c| !std::mem::replace(&mut seen[c as usize], true))
        .count();
    // A random key lacks a digit or symbol with probability (52/64)^43, about 1 in 7,700:
    // such a key is refused with the same message, and its hex form is taken.
    b.iter().any(u8::is_ascii_uppercase)
        && b.iter().any(u8::is_ascii_lowercase)
        && b.iter()
            .any(|c| c.is_ascii_digit() || matches!(c, b'+' | b'/' | b'-' | b'_'))
        && distinct >= 22
}

/// Whether key material reads as a file path (`/run/secrets/k`, `./k.key`, `~/k`, `k.key`
/// naming a file): meant for `SHROUD_KEY_FILE`.
fn looks_like_path(raw: &[u8]) -> bool {
    let Ok(t) = std::str::from_utf8(raw).map(str::trim) else {
        return false;
    };
    t.starts_with('/')
        || t.starts_with("./")
        || t.starts_with("../")
        || t.starts_with('~')
        || (t.len() < 4096 && Path::new(t).is_file())
}

#[cfg(unix)]
fn loose_permissions(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
}

#[cfg(not(unix))]
fn loose_permissions(_: &Path) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_keys_are_taken_and_typed_or_short_ones_refused() {
        let hex = "3c9e51a07f2b8d64e1a5c03b97f8d2460b1e7a93c5d8f2064a7e1b9c3d5f8a02";
        let k = Key::parse(format!("{hex}\n").as_bytes()).unwrap();
        assert_eq!(k.bytes.len(), 32);
        // The same 32 bytes in base64 (standard, URL-safe, unpadded) are the same key.
        let b64 = "PJ5RoH8rjWThpcA7l/jSRgseepPF2PIGSn4bnD1figI=";
        assert_eq!(Key::parse(b64.as_bytes()).unwrap().bytes, k.bytes);
        let url = b64.replace('/', "_").replace('=', "");
        assert_eq!(Key::parse(url.as_bytes()).unwrap().bytes, k.bytes);
        // Hex wrapped on lines (`xxd -p`) is hex.
        let wrapped = format!("{}\n{}\n", &hex[..60], &hex[60..]);
        assert_eq!(Key::parse(wrapped.as_bytes()).unwrap().bytes, k.bytes);
        // Binary key files are taken as they are.
        let raw: Vec<u8> = (0u8..32).map(|i| i.wrapping_mul(37) ^ 0x5a).collect();
        assert_eq!(Key::parse(&raw).unwrap().bytes.len(), 32);
        for typed in [
            "password12345678",
            "correct horse battery staple and more",
            "a passphrase of some length that goes on and on",
            "Tr0ub4dor&3-Tr0ub4dor&3-Tr0ub4dor&3-Tr0ub4dor&3",
            "passwordpasswordpasswordpasswordpasswordpass",
            "CorrectHorseBatteryStaple1CorrectHorseBatteryStaple2",
            "The quick brown fox\njumps over the lazy dog, twice over",
            "TheQuickBrownFoxJumpsOverTheLazyDogAgainAndAgain",
        ] {
            assert!(
                matches!(Key::parse(typed.as_bytes()), Err(KeyError::Typed)),
                "{typed}"
            );
        }
        assert!(matches!(
            Key::parse(b"0123456789abcdef0123456789abcdef"),
            Err(KeyError::TooShort { bits: 128 })
        ));
        assert!(matches!(Key::parse(&[b'0'; 64]), Err(KeyError::Weak)));
        assert!(matches!(
            Key::parse("00112233".repeat(8).as_bytes()),
            Err(KeyError::Weak)
        ));
        assert!(!format!("{k:?}").contains("3c9e"));
    }

    #[test]
    fn the_fingerprint_is_not_a_plain_hash_of_the_key() {
        use sha2::Digest;
        let k = Key::generate().unwrap();
        let plain: String = Sha256::digest(&*k.bytes)[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_ne!(k.fingerprint(), plain);
        assert_eq!(k.fingerprint(), k.fingerprint());
        assert_ne!(k.fingerprint(), Key::generate().unwrap().fingerprint());
    }

    #[test]
    fn paths_are_not_keys() {
        for p in ["/run/secrets/shroud.key", "./k.key", "~/k.key", "../k"] {
            assert!(looks_like_path(p.as_bytes()), "{p}");
        }
        assert!(!looks_like_path(
            b"PJ5RoH8rjWThpcA7l/jSRgseepPF2PIGSn4bnD1figI="
        ));
    }

    #[test]
    fn subkeys_differ_by_purpose() {
        let k = Key::generate().unwrap();
        assert_ne!(*k.subkey("token"), *k.subkey("fpe"));
        assert_eq!(*k.subkey("token"), *k.subkey("token"));
    }
}
