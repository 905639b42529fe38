//! Pseudonymization keys: read from a file or the environment (never a command-line value),
//! at least 128 bits, wiped from memory on drop, never printed (Debug shows the fingerprint).

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
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
    /// The key is shorter than 128 bits.
    #[error("key is {bits} bits; at least 128 bits are required (shroud keygen writes 256)")]
    TooShort {
        /// Bits given.
        bits: usize,
    },
    /// The key has almost no entropy (one repeated byte or character).
    #[error(
        "the key is one byte repeated: anyone could guess it (shroud keygen writes a random one)"
    )]
    Weak,
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
    /// A key from bytes: 64+ hex digits are decoded, anything else is used as raw bytes.
    pub fn parse(raw: &[u8]) -> Result<Key, KeyError> {
        let text = std::str::from_utf8(raw).map(str::trim).unwrap_or("");
        let bytes: Vec<u8> = if text.len() >= 32
            && text.len().is_multiple_of(2)
            && text.bytes().all(|b| b.is_ascii_hexdigit())
        {
            (0..text.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("checked hex digits"))
                .collect()
        } else if !text.is_empty() {
            text.as_bytes().to_vec()
        } else {
            raw.to_vec()
        };
        if bytes.len() < 16 {
            return Err(KeyError::TooShort {
                bits: bytes.len() * 8,
            });
        }
        // 16 identical characters, all-zero hex: a placeholder, not a secret.
        let distinct = {
            let mut seen = [false; 256];
            bytes
                .iter()
                .filter(|&&b| !std::mem::replace(&mut seen[b as usize], true))
                .count()
        };
        if distinct < 4 {
            return Err(KeyError::Weak);
        }
        Ok(Key {
            bytes: Zeroizing::new(bytes),
        })
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
            return Ok((Some(Key::parse(&k)?), None));
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

    /// A short public identifier of the key (not reversible): the first 8 bytes of
    /// SHA-256 over a domain tag and the key, in hex.
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"shroud key fingerprint v1\0");
        h.update(&*self.bytes);
        h.finalize()[..8]
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
    fn hex_and_raw_keys() {
        let k = Key::parse(b"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n")
            .unwrap();
        assert_eq!(k.bytes.len(), 32);
        let r = Key::parse(b"a passphrase of some length").unwrap();
        assert_eq!(r.bytes.len(), 27);
        assert!(matches!(
            Key::parse(b"short"),
            Err(KeyError::TooShort { bits: 40 })
        ));
        assert_ne!(k.fingerprint(), r.fingerprint());
        assert!(matches!(
            Key::parse(b"aaaaaaaaaaaaaaaaaaaa"),
            Err(KeyError::Weak)
        ));
        assert!(matches!(Key::parse(&[b'0'; 64]), Err(KeyError::Weak)));
        assert!(!format!("{k:?}").contains("0011"));
    }

    #[test]
    fn subkeys_differ_by_purpose() {
        let k = Key::generate().unwrap();
        assert_ne!(*k.subkey("token"), *k.subkey("fpe"));
        assert_eq!(*k.subkey("token"), *k.subkey("token"));
    }
}
