//! The hash of the word table ([`crate::detect::words`]). `build.rs` includes this file too,
//! so the table it writes and the look-ups that read it hash alike; it uses nothing outside
//! `core`.

/// The word table's file layout version; `build.rs` writes it, the reader checks it.
pub const VERSION: u32 = 1;

/// FNV-1a over the bytes, then a 64-bit finaliser (murmur3's) so that the low bits, which
/// pick the slot, depend on every byte.
pub fn hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}
