//! Duplicate object keys in JSON text (issue 23, class 1). A parser keeps one value of a key
//! written twice in an object (serde_json keeps the last), so the other is never judged; and
//! a JSON Lines record left unchanged is copied byte for byte, the unjudged value included.
//! Such a record cannot be represented faithfully, so the readers refuse it: this checker
//! sees every byte of the text, in pieces of any size, and fails at the second occurrence.
//! Keys are compared as the strings they denote (`"a"` and `"\u0061"` are the same key).
//!
//! Neighbours: [`super::json`] feeds it each JSON Lines record and every byte of a JSON
//! document.

use std::collections::HashSet;

/// Keys an object holds before its key hashes go into a set (below it, a linear look over
/// the hashes is faster than hashing into a set).
const LINEAR_KEYS: usize = 24;

/// One open object or array.
#[derive(Debug)]
struct Frame {
    object: bool,
    /// In an object: the next string is a key.
    expect_key: bool,
    /// Where this object's keys start in `KeyCheck::keys`.
    first: usize,
    /// The object's key hashes, once it holds more than `LINEAR_KEYS`.
    set: Option<HashSet<u64>>,
}

/// An incremental duplicate-key checker over JSON text. Keys are kept as hashes (a 64-bit
/// keyed hash of the key as it denotes), with their bytes in one arena for the rare equal
/// hash; nothing is allocated per record once the buffers have grown.
#[derive(Debug, Default)]
pub struct KeyCheck {
    stack: Vec<Frame>,
    /// Open objects' keys: (hash, start, end in `arena`).
    keys: Vec<(u64, u32, u32)>,
    arena: Vec<u8>,
    in_string: bool,
    escaped: bool,
    /// The current string is a key: its raw bytes are collected.
    capturing: bool,
    key: Vec<u8>,
}

/// A key written twice in one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate;

/// A keyed hash with a seed drawn per process: keys crafted to collide cannot be
/// precomputed (they would make the equal-hash look quadratic).
fn hash(b: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    static STATE: std::sync::LazyLock<foldhash::fast::RandomState> =
        std::sync::LazyLock::new(foldhash::fast::RandomState::default);
    STATE.hash_one(b)
}

impl KeyCheck {
    /// A checker at the start of a text.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets everything (the start of the next JSON Lines record).
    pub fn reset(&mut self) {
        self.stack.clear();
        self.keys.clear();
        self.arena.clear();
        self.in_string = false;
        self.escaped = false;
        self.capturing = false;
        self.key.clear();
    }

    /// Feeds the next bytes of the text.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), Duplicate> {
        let mut i = 0;
        while i < bytes.len() {
            if self.in_string {
                // Jump to the next quote or backslash.
                let rest = &bytes[i..];
                let Some(j) = memchr::memchr2(b'"', b'\\', rest) else {
                    if self.capturing {
                        self.key.extend_from_slice(rest);
                    }
                    self.escaped = false;
                    return Ok(());
                };
                if self.escaped {
                    // The byte after a backslash is part of the escape, whatever it is.
                    if self.capturing {
                        self.key.push(rest[0]);
                    }
                    self.escaped = false;
                    i += 1;
                    continue;
                }
                if self.capturing {
                    self.key.extend_from_slice(&rest[..j]);
                }
                let b = rest[j];
                i += j + 1;
                if b == b'\\' {
                    if self.capturing {
                        self.key.push(b);
                    }
                    self.escaped = true;
                } else {
                    self.in_string = false;
                    if self.capturing {
                        self.capturing = false;
                        self.end_key()?;
                    }
                }
                continue;
            }
            let b = bytes[i];
            i += 1;
            match b {
                b'"' => {
                    self.in_string = true;
                    self.capturing = self.stack.last().is_some_and(|f| f.object && f.expect_key);
                    self.key.clear();
                }
                b'{' => self.stack.push(Frame {
                    object: true,
                    expect_key: true,
                    first: self.keys.len(),
                    set: None,
                }),
                b'[' => self.stack.push(Frame {
                    object: false,
                    expect_key: false,
                    first: self.keys.len(),
                    set: None,
                }),
                b'}' | b']' => {
                    if let Some(f) = self.stack.pop() {
                        // The object's keys go; an outer object's are below them.
                        if let Some(&(_, s, _)) = self.keys.get(f.first) {
                            self.arena.truncate(s as usize);
                        }
                        self.keys.truncate(f.first);
                    }
                }
                b',' => {
                    if let Some(f) = self.stack.last_mut()
                        && f.object
                    {
                        f.expect_key = true;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn end_key(&mut self) -> Result<(), Duplicate> {
        let decoded;
        let key: &[u8] = if self.key.contains(&b'\\') {
            // Compare what the escapes denote.
            let mut quoted = Vec::with_capacity(self.key.len() + 2);
            quoted.push(b'"');
            quoted.extend_from_slice(&self.key);
            quoted.push(b'"');
            decoded = serde_json::from_slice::<String>(&quoted).ok();
            decoded.as_ref().map_or(&self.key[..], |d| d.as_bytes())
        } else {
            &self.key
        };
        let Some(f) = self.stack.last_mut() else {
            return Ok(());
        };
        f.expect_key = false;
        let h = hash(key);
        let mine = &self.keys[f.first..];
        let seen = match &mut f.set {
            Some(set) => !set.insert(h),
            None => mine.iter().any(|&(k, _, _)| k == h),
        };
        if seen {
            // Equal hashes: the bytes decide.
            let arena = &self.arena;
            if mine
                .iter()
                .any(|&(k, s, e)| k == h && &arena[s as usize..e as usize] == key)
            {
                return Err(Duplicate);
            }
        }
        if f.set.is_none() && mine.len() >= LINEAR_KEYS {
            f.set = Some(mine.iter().map(|&(k, _, _)| k).chain([h]).collect());
        }
        let start = self.arena.len() as u32;
        self.arena.extend_from_slice(key);
        self.keys.push((h, start, self.arena.len() as u32));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dup(text: &str) -> bool {
        // Any split of the text gives the same answer.
        let whole = KeyCheck::new().feed(text.as_bytes()).is_err();
        for cut in 1..text.len() {
            let mut k = KeyCheck::new();
            let (a, b) = text.as_bytes().split_at(cut);
            let split = k.feed(a).is_err() || k.feed(b).is_err();
            assert_eq!(split, whole, "{text} cut at {cut}");
        }
        whole
    }

    #[test]
    fn keys_written_twice_in_one_object_are_found() {
        assert!(dup(r#"{"email":"a@example.com","email":null}"#));
        assert!(dup(r#"{"a":{"x":1,"y":[1,{"z":2,"z":3}]}}"#));
        assert!(dup(r#"{"a":1,"\u0061":2}"#));
        assert!(dup(r#"{"a\"b":1,"a\"b":2}"#));
        assert!(dup(r#"[{"k":1},{"k":2,"k":""}]"#));
        // Past the linear look: a set of hashes.
        let many: Vec<String> = (0..100).map(|i| format!("\"k{i}\":{i}")).collect();
        assert!(!dup(&format!("{{{}}}", many.join(","))));
        assert!(dup(&format!("{{{},\"k7\":0}}", many.join(","))));
    }

    #[test]
    fn the_same_key_in_different_objects_or_as_a_value_is_fine() {
        assert!(!dup(r#"{"a":1,"b":{"a":2}}"#));
        assert!(!dup(r#"[{"k":1},{"k":2}]"#));
        assert!(!dup(r#"{"k":"k","v":["k","k"]}"#));
        assert!(!dup(r#"{"a\\":1,"a":2}"#));
        assert!(!dup(r#"{"s":"{\"k\":1,\"k\":2}"}"#));
    }
}
