//! Bytes a compressed stream carries beside its data, which every decoder skips: a gzip
//! member's header (the original file name, a comment, extra fields; every member's, not only
//! the first's) and Zstandard's skippable frames. `gzip ann.lee@example.com.csv` stores that
//! name in the file; a tool can hide a whole table in a skippable frame. Pseudonymize never
//! copies them (its output gets fresh headers and no skippable frame), so only `check` needs
//! them: [`side_texts`] returns each as text to judge, and refuses binary side data it cannot
//! read (fail closed), except the few bytes that parallel and block-gzip tools write there.

use super::{Compression, Input, SourceError};
use std::io::{self, BufRead, BufReader, Read};

/// Binary side data up to this size is accepted unread: pzstd's 4-byte frame sizes, BGZF's
/// 6-byte block-size field. Nothing larger hides behind it.
const SMALL_BINARY: usize = 16;

/// One piece of side data: where it is (`gzip member 2 file name`) and its bytes.
pub type SideText = (String, Vec<u8>);

/// Side data of `input` (empty for an uncompressed input): each piece that is text, to be
/// judged. A piece of binary data larger than a few bytes is an error: the gate cannot vouch
/// for what it cannot read.
pub fn side_texts(input: &Input) -> Result<Vec<SideText>, SourceError> {
    if input.is_stdin() || input.compression == Compression::None {
        return Ok(Vec::new());
    }
    let malformed = |location: String, message: String| SourceError::Malformed {
        path: input.display(),
        location,
        message,
    };
    let io_err = |source| SourceError::Io {
        path: input.display(),
        source,
    };
    let mut raw = BufReader::with_capacity(1 << 16, super::open_raw(input)?);
    let pieces = match input.compression {
        Compression::Gzip => gzip_side(&mut raw).map_err(io_err)?,
        Compression::Zstd => {
            zstd_side(&mut raw).map_err(|e| malformed("zstd frames".into(), e.to_string()))?
        }
        Compression::None => Vec::new(),
    };
    let mut out = Vec::new();
    for (place, bytes) in pieces {
        if std::str::from_utf8(&bytes).is_ok() || bytes.len() <= SMALL_BINARY {
            out.push((place, bytes));
        } else {
            return Err(malformed(
                place,
                format!(
                    "{} bytes of binary data that every decoder skips and check cannot read: decompress the file and compress it again (shroud pseudonymize's copy has none)",
                    bytes.len()
                ),
            ));
        }
    }
    Ok(out)
}

/// Every member's header texts: decompressing each member (to nowhere) is what finds the
/// next one.
fn gzip_side(raw: &mut BufReader<Box<dyn Read + Send>>) -> io::Result<Vec<SideText>> {
    let mut out = Vec::new();
    let mut member = 0usize;
    while !raw.fill_buf()?.is_empty() {
        member += 1;
        let mut d = flate2::bufread::GzDecoder::new(&mut *raw);
        io::copy(&mut d, &mut io::sink())?;
        let Some(h) = d.header() else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("gzip member {member} has no valid header"),
            ));
        };
        for (what, field) in [
            ("file name", h.filename()),
            ("comment", h.comment()),
            ("extra field", h.extra()),
        ] {
            if let Some(bytes) = field.filter(|b| !b.is_empty()) {
                out.push((format!("gzip member {member} {what}"), bytes.to_vec()));
            }
        }
    }
    Ok(out)
}

/// Walks the frames without decompressing them: a data frame's blocks are skipped by their
/// sizes, a skippable frame's content is returned.
fn zstd_side<R: Read>(raw: &mut R) -> io::Result<Vec<SideText>> {
    let bad = |m: &str| io::Error::new(io::ErrorKind::InvalidData, m.to_string());
    let mut out = Vec::new();
    let mut frame = 0usize;
    loop {
        let mut magic = [0u8; 4];
        match read_exact_or_eof(raw, &mut magic)? {
            0 => return Ok(out),
            4 => {}
            _ => return Err(bad("truncated frame magic")),
        }
        frame += 1;
        let magic = u32::from_le_bytes(magic);
        if magic & 0xFFFF_FFF0 == 0x184D_2A50 {
            let mut size = [0u8; 4];
            raw.read_exact(&mut size)?;
            let size = u32::from_le_bytes(size) as u64;
            let mut bytes = Vec::new();
            raw.by_ref().take(size).read_to_end(&mut bytes)?;
            if (bytes.len() as u64) < size {
                return Err(bad("truncated skippable frame"));
            }
            out.push((format!("zstd skippable frame {frame}"), bytes));
            continue;
        }
        if magic != 0xFD2F_B528 {
            return Err(bad("not a Zstandard frame"));
        }
        let mut fhd = [0u8; 1];
        raw.read_exact(&mut fhd)?;
        let fhd = fhd[0];
        let single_segment = fhd & 0x20 != 0;
        let checksum = fhd & 0x04 != 0;
        let dict_len = [0u64, 1, 2, 4][(fhd & 0x03) as usize];
        let fcs_len = match fhd >> 6 {
            0 => u64::from(single_segment),
            1 => 2,
            2 => 4,
            _ => 8,
        };
        let header_rest = u64::from(!single_segment) + dict_len + fcs_len;
        skip(raw, header_rest)?;
        loop {
            let mut bh = [0u8; 3];
            raw.read_exact(&mut bh)?;
            let bh = u32::from(bh[0]) | u32::from(bh[1]) << 8 | u32::from(bh[2]) << 16;
            let last = bh & 1 != 0;
            let size = u64::from(bh >> 3);
            match (bh >> 1) & 3 {
                0 | 2 => skip(raw, size)?,
                1 => skip(raw, 1)?,
                _ => return Err(bad("reserved block type")),
            }
            if last {
                break;
            }
        }
        if checksum {
            skip(raw, 4)?;
        }
    }
}

fn skip<R: Read>(raw: &mut R, n: u64) -> io::Result<()> {
    let copied = io::copy(&mut raw.by_ref().take(n), &mut io::sink())?;
    if copied < n {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "truncated frame",
        ));
    }
    Ok(())
}

/// Reads up to `buf.len()` bytes; returns how many (0 at a clean end).
fn read_exact_or_eof<R: Read>(raw: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match raw.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zst(data: &[u8]) -> Vec<u8> {
        zstd::stream::encode_all(data, 3).unwrap()
    }

    #[test]
    fn zstd_frames_are_walked_and_skippable_ones_returned() {
        let mut bytes = zst(b"id,n\n1,2\n");
        bytes.extend(0x184D_2A53u32.to_le_bytes());
        bytes.extend(5u32.to_le_bytes());
        bytes.extend(b"hello");
        bytes.extend(zst(&vec![b'x'; 300_000]));
        let side = zstd_side(&mut &bytes[..]).unwrap();
        assert_eq!(
            side,
            vec![("zstd skippable frame 2".into(), b"hello".to_vec())]
        );
        // Trailing garbage and a truncated frame are errors, not silence.
        let mut bad = zst(b"a\n");
        bad.extend(b"trailing");
        assert!(zstd_side(&mut &bad[..]).is_err());
        let whole = zst(b"abc\n");
        assert!(zstd_side(&mut &whole[..whole.len() - 2]).is_err());
    }

    #[test]
    fn every_gzip_members_header_is_read() {
        let member = |name: Option<&str>, comment: Option<&str>, data: &[u8]| {
            let mut b = flate2::GzBuilder::new();
            if let Some(n) = name {
                b = b.filename(n);
            }
            if let Some(c) = comment {
                b = b.comment(c);
            }
            let mut e = b.write(Vec::new(), flate2::Compression::default());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        };
        let mut bytes = member(None, None, b"id\n1\n");
        bytes.extend(member(Some("ann.csv"), Some("for ann"), b"2\n"));
        let raw: Box<dyn Read + Send> = Box::new(io::Cursor::new(bytes));
        let side = gzip_side(&mut BufReader::new(raw)).unwrap();
        assert_eq!(
            side,
            vec![
                ("gzip member 2 file name".to_string(), b"ann.csv".to_vec()),
                ("gzip member 2 comment".to_string(), b"for ann".to_vec()),
            ]
        );
    }
}
