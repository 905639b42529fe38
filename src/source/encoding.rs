//! Text encodings of CSV, JSON and plain-text inputs (issue 23, class 2): every reader sees
//! UTF-8, whatever the file holds, and every writer writes back in the input's encoding.
//!
//! The encoding is named (`--encoding`, any WHATWG label: `latin1`, `cp1252`, `utf-16le`,
//! `shift_jis`…) or detected from the first buffer of the (decompressed) stream: a byte order
//! mark first, then the NUL pattern of UTF-16 without one, then valid UTF-8, and otherwise
//! `chardetng`'s guess among the legacy encodings (UTF-8 is decoded too: that is its check). Decoding fails closed: a byte sequence that
//! is not valid in the chosen encoding is an error naming the line and byte offset, never a
//! cell scanned as raw bytes. A byte order mark is decoded as U+FEFF and kept in the text, so
//! the CSV and JSON readers strip it as they always did and the writers write it back.
//!
//! Neighbours: [`super::open_stream`] hands its stream to [`decode`]; the pseudonymizer's
//! writers write through an [`Encoder`].

use encoding_rs::{DecoderResult, EncoderResult, Encoding, UTF_8, UTF_16BE, UTF_16LE};
use std::io::{self, BufRead, Read, Write};

/// How much of the stream the detector looks at.
const SNIFF: usize = 1 << 16;

/// Finds a text encoding by one of its WHATWG labels (`latin1` and `iso-8859-1` name
/// windows-1252, as browsers read them).
pub fn by_label(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes())
}

/// Detects the encoding of a stream from its first bytes (`at_eof`: `head` is the whole
/// stream).
pub fn detect(head: &[u8], at_eof: bool) -> &'static Encoding {
    if let Some((enc, _)) = Encoding::for_bom(head) {
        return enc;
    }
    if let Some(enc) = utf16_without_bom(head) {
        return enc;
    }
    let valid_up_to = match std::str::from_utf8(head) {
        Ok(_) => return UTF_8,
        Err(e) => e,
    };
    // A sequence cut by the end of the buffer is still UTF-8.
    if !at_eof && valid_up_to.error_len().is_none() {
        return UTF_8;
    }
    let mut d = chardetng::EncodingDetector::new();
    d.feed(head, at_eof);
    d.guess(None, true)
}

/// UTF-16 without a byte order mark: text whose characters are mostly ASCII has a NUL in
/// every other byte.
fn utf16_without_bom(head: &[u8]) -> Option<&'static Encoding> {
    let n = head.len().min(4096) & !1;
    if n < 4 {
        return None;
    }
    let pairs = n / 2;
    let (mut even, mut odd) = (0usize, 0usize);
    for p in head[..n].chunks_exact(2) {
        even += usize::from(p[0] == 0);
        odd += usize::from(p[1] == 0);
    }
    let many = pairs * 2 / 5; // 40%
    let few = pairs / 20; // 5%
    if odd >= many && even <= few {
        Some(UTF_16LE)
    } else if even >= many && odd <= few {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Control bytes that text never holds in numbers: C0 controls other than tab, line ends,
/// vertical tab (FileMaker's line break inside a field), form feed and escape (ANSI colours
/// in logs), and other than the separators that delimited dumps use (`\x01`-`\x03` in
/// Hive's text tables, `\x1c`-`\x1f` in others).
pub(crate) fn is_binary_control(b: u8) -> bool {
    matches!(b, 0x00 | 0x04..=0x08 | 0x0e..=0x1a | 0x7f)
}

/// Refuses a head that is not text in any ASCII-compatible encoding: more than 1% of its
/// bytes, and at least 8, are controls that text does not use (any guess of a legacy
/// encoding would decode such bytes into garbage that is then judged as nothing). A stray
/// NUL or bell in a small text file is a character of its text.
fn not_text(head: &[u8]) -> io::Result<()> {
    let n = head.iter().filter(|&&b| is_binary_control(b)).count();
    if n >= 8 && n * 100 > head.len() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "unsupported format: binary data ({n} control bytes in the first {} bytes), not text",
                head.len()
            ),
        ));
    }
    Ok(())
}

/// A stream decoded to UTF-8. Fails with [`io::ErrorKind::InvalidData`] at the first byte
/// sequence that the encoding does not define.
pub struct Decoded {
    inner: Box<dyn BufRead + Send>,
    decoder: encoding_rs::Decoder,
    encoding: &'static Encoding,
    out: Vec<u8>,
    pos: usize,
    len: usize,
    /// Input bytes consumed.
    offset: u64,
    /// Line ends decoded so far (for the error's line number).
    lines: u64,
    eof: bool,
}

impl Decoded {
    fn refill(&mut self) -> io::Result<()> {
        self.pos = 0;
        self.len = 0;
        while self.len == 0 && !self.eof {
            let src = self.inner.fill_buf()?;
            let last = src.is_empty();
            let (res, read, written) =
                self.decoder
                    .decode_to_utf8_without_replacement(src, &mut self.out, last);
            if let DecoderResult::Malformed(bad, _) = res {
                let at = self.offset + read as u64 - u64::from(bad);
                let line = self.lines
                    + 1
                    + memchr::memchr_iter(b'\n', &self.out[..written]).count() as u64;
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "line {line} (byte {at}): bytes that are not valid {} (name the file's encoding with --encoding, for example --encoding windows-1252)",
                        self.encoding.name()
                    ),
                ));
            }
            self.inner.consume(read);
            self.offset += read as u64;
            self.len = written;
            self.lines += memchr::memchr_iter(b'\n', &self.out[..written]).count() as u64;
            if last && matches!(res, DecoderResult::InputEmpty) {
                self.eof = true;
            }
        }
        Ok(())
    }
}

impl Read for Decoded {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Decoded {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos >= self.len {
            self.refill()?;
        }
        Ok(&self.out[self.pos..self.len])
    }

    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.len);
    }
}

/// The stream decoded to UTF-8, and the encoding it was read in: `forced` when given, else
/// detected from the stream's first bytes.
pub fn decode(
    mut stream: Box<dyn BufRead + Send>,
    forced: Option<&'static Encoding>,
) -> io::Result<(Box<dyn BufRead + Send>, &'static Encoding)> {
    // The first 64 KiB, however the stream hands them out (pipes and decompressors give
    // short buffers): what the detector and the binary test see. Decoding still fails closed
    // on a later byte that the encoding does not define.
    let mut head = Vec::with_capacity(SNIFF);
    let mut eof = false;
    while head.len() < SNIFF {
        let buf = stream.fill_buf()?;
        if buf.is_empty() {
            eof = true;
            break;
        }
        let take = buf.len().min(SNIFF - head.len());
        head.extend_from_slice(&buf[..take]);
        stream.consume(take);
    }
    let encoding = match forced {
        Some(e) => {
            if e != UTF_16LE && e != UTF_16BE {
                not_text(&head)?;
            }
            stream = Box::new(io::Cursor::new(head).chain(stream));
            e
        }
        None => {
            let enc = detect(&head, eof);
            // NUL bytes in numbers are UTF-16 that the pattern missed (mostly non-Latin
            // text) or a binary file: never decoded by a guess.
            if enc != UTF_16LE
                && enc != UTF_16BE
                && memchr::memchr_iter(0, &head).count() * 20 > head.len()
            {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "line 1: many NUL bytes: UTF-16 without a byte order mark, or not text (name the encoding with --encoding utf-16le or utf-16be)",
                ));
            }
            if enc != UTF_16LE && enc != UTF_16BE {
                not_text(&head)?;
            }
            stream = Box::new(io::Cursor::new(head).chain(stream));
            enc
        }
    };
    Ok((
        Box::new(Decoded {
            inner: stream,
            decoder: encoding.new_decoder_without_bom_handling(),
            encoding,
            out: vec![0; 1 << 16],
            pos: 0,
            len: 0,
            offset: 0,
            lines: 0,
            eof: false,
        }),
        encoding,
    ))
}

/// Writes UTF-8 text out in another encoding. A character the encoding cannot hold is an
/// error (fail closed: never a `&#…;` escape or a `?`).
pub struct Encoder<'w> {
    out: &'w mut (dyn Write + Send),
    encoding: &'static Encoding,
    encoder: Option<encoding_rs::Encoder>,
    /// An incomplete UTF-8 sequence held back from the last write.
    pending: Vec<u8>,
    buf: Vec<u8>,
}

impl<'w> Encoder<'w> {
    /// Encodes into `out` in `encoding`.
    pub fn new(out: &'w mut (dyn Write + Send), encoding: &'static Encoding) -> Self {
        let encoder = (encoding != UTF_8 && encoding != UTF_16LE && encoding != UTF_16BE)
            .then(|| encoding.new_encoder());
        Encoder {
            out,
            encoding,
            encoder,
            pending: Vec::new(),
            buf: Vec::new(),
        }
    }

    /// Checks that no partial character is left, and flushes.
    pub fn finish(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the text ends inside a UTF-8 sequence",
            ));
        }
        self.out.flush()
    }

    fn encode(&mut self, text: &str) -> io::Result<()> {
        self.buf.clear();
        if self.encoding == UTF_16LE || self.encoding == UTF_16BE {
            let le = self.encoding == UTF_16LE;
            self.buf.reserve(text.len() * 2);
            for u in text.encode_utf16() {
                self.buf
                    .extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
            }
        } else if let Some(enc) = self.encoder.as_mut() {
            let mut src = text;
            loop {
                let need = enc
                    .max_buffer_length_from_utf8_without_replacement(src.len())
                    .unwrap_or(src.len() * 4 + 16);
                let start = self.buf.len();
                self.buf.resize(start + need, 0);
                let (res, read, written) =
                    enc.encode_from_utf8_without_replacement(src, &mut self.buf[start..], false);
                self.buf.truncate(start + written);
                match res {
                    EncoderResult::InputEmpty => break,
                    EncoderResult::OutputFull => src = &src[read..],
                    EncoderResult::Unmappable(c) => {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!(
                                "a written value holds U+{:04X}, which {} cannot encode",
                                c as u32,
                                self.encoding.name()
                            ),
                        ));
                    }
                }
            }
        } else {
            self.buf.extend_from_slice(text.as_bytes());
        }
        self.out.write_all(&self.buf)
    }
}

impl Write for Encoder<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.encoding == UTF_8 {
            return self.out.write(data);
        }
        let joined;
        let bytes: &[u8] = if self.pending.is_empty() {
            data
        } else {
            let mut j = std::mem::take(&mut self.pending);
            j.extend_from_slice(data);
            joined = j;
            &joined
        };
        let (text, rest) = match std::str::from_utf8(bytes) {
            Ok(t) => (t, &[][..]),
            Err(e) if e.error_len().is_none() => {
                let (a, b) = bytes.split_at(e.valid_up_to());
                (std::str::from_utf8(a).expect("checked prefix"), b)
            }
            Err(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "a written value is not valid UTF-8",
                ));
            }
        };
        let rest = rest.to_vec();
        self.encode(text)?;
        self.pending = rest;
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(
        bytes: &[u8],
        forced: Option<&'static Encoding>,
        chunk: usize,
    ) -> io::Result<(String, &'static Encoding)> {
        let inner = io::BufReader::with_capacity(chunk, io::Cursor::new(bytes.to_vec()));
        let (mut r, enc) = decode(Box::new(inner), forced)?;
        let mut out = Vec::new();
        r.read_to_end(&mut out)?;
        Ok((String::from_utf8(out).expect("decoded text is UTF-8"), enc))
    }

    fn encode_all(text: &str, enc: &'static Encoding) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        let mut e = Encoder::new(&mut out, enc);
        // Byte by byte: sequences are split across writes.
        for b in text.as_bytes() {
            e.write_all(std::slice::from_ref(b))?;
        }
        e.finish()?;
        drop(e);
        Ok(out)
    }

    fn utf16(text: &str, le: bool, bom: bool) -> Vec<u8> {
        let mut v = Vec::new();
        if bom {
            v.extend_from_slice(if le { &[0xFF, 0xFE] } else { &[0xFE, 0xFF] });
        }
        for u in text.encode_utf16() {
            v.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        v
    }

    const TEXT: &str = "name,email\nMaría García,maria.garcia@example.net\nHans Müller,hans@example.com\nZoë Ørsted,zoe@example.org\n";

    #[test]
    fn every_encoding_is_detected_decoded_and_written_back_byte_for_byte() {
        let (cp, _, bad) = encoding_rs::WINDOWS_1252.encode(TEXT);
        assert!(!bad);
        let mut bom8 = b"\xEF\xBB\xBF".to_vec();
        bom8.extend_from_slice(TEXT.as_bytes());
        let cases: Vec<(Vec<u8>, &'static Encoding)> = vec![
            (TEXT.as_bytes().to_vec(), UTF_8),
            (bom8, UTF_8),
            (cp.to_vec(), encoding_rs::WINDOWS_1252),
            (utf16(TEXT, true, true), UTF_16LE),
            (utf16(TEXT, false, true), UTF_16BE),
            (utf16(TEXT, true, false), UTF_16LE),
            (utf16(TEXT, false, false), UTF_16BE),
        ];
        for (bytes, want) in cases {
            for chunk in [1, 3, 7, 64, 1 << 16] {
                let (text, enc) = read_all(&bytes, None, chunk.max(8)).unwrap();
                assert_eq!(enc, want, "chunk {chunk}");
                assert_eq!(text.trim_start_matches('\u{FEFF}'), TEXT);
                let back = encode_all(&text, enc).unwrap();
                assert_eq!(back, bytes, "{} written back", enc.name());
            }
        }
    }

    #[test]
    fn bytes_the_encoding_does_not_define_fail_closed_with_the_line() {
        let mut bad = b"a,b\nx,y\n".to_vec();
        bad.extend_from_slice(b"caf\xC3(,z\n");
        let err = read_all(&bad, Some(UTF_8), 4).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("line 3"), "{err}");
        // An unpaired surrogate in UTF-16.
        let mut u = utf16("a,b\n", true, true);
        u.extend_from_slice(&[0x00, 0xD8, 0x41, 0x00]);
        assert!(read_all(&u, None, 64).is_err());
        // A sequence cut by the end of the file.
        assert!(read_all(b"abc\xE2\x82", Some(UTF_8), 2).is_err());
    }

    #[test]
    fn a_character_the_encoding_cannot_hold_is_refused() {
        let err = encode_all("Zoë 漢", encoding_rs::WINDOWS_1252).unwrap_err();
        assert!(err.to_string().contains("U+6F22"), "{err}");
    }

    #[test]
    fn binary_is_refused_whatever_the_encoding_guess_and_delimited_dumps_are_not() {
        let mut rng = 0x9e37_79b9_7f4a_7c15u64;
        for len in [400usize, 5000, 70_000] {
            for _ in 0..20 {
                let blob: Vec<u8> = (0..len)
                    .map(|_| {
                        rng ^= rng << 13;
                        rng ^= rng >> 7;
                        rng ^= rng << 17;
                        (rng >> 24) as u8
                    })
                    .collect();
                for forced in [None, Some(encoding_rs::WINDOWS_1252), Some(UTF_8)] {
                    // Whole, and in short buffers as pipes and decompressors hand them out.
                    for cap in [1 << 16, 7] {
                        let stream: Box<dyn BufRead + Send> = Box::new(
                            io::BufReader::with_capacity(cap, io::Cursor::new(blob.clone())),
                        );
                        let Err(e) = decode(stream, forced) else {
                            panic!(
                                "{len} random bytes read as text ({forced:?}, buffers of {cap})"
                            );
                        };
                        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
                    }
                }
            }
        }
        // Hive's \x01 fields, \x1f-separated dumps, ANSI colours and a legacy text's bytes.
        for text in [
            &b"id\x01email\x01name\n1\x01a@b.example\x01Ana\n"[..],
            b"id\x1femail\n1\x1fa@b.example\n",
            b"\x1b[31merror\x1b[0m for user ana@b.example\n",
            b"name;city\nJos\xe9;M\xfcnchen\n",
            b"id,notes\n1,line one\x0bline two\x0bline three\n",
        ] {
            let stream: Box<dyn BufRead + Send> = Box::new(io::Cursor::new(text.to_vec()));
            assert!(decode(stream, None).is_ok(), "{text:?}");
        }
    }

    #[test]
    fn labels_name_encodings() {
        assert_eq!(by_label("latin1"), Some(encoding_rs::WINDOWS_1252));
        assert_eq!(by_label("UTF-16LE"), Some(UTF_16LE));
        assert_eq!(by_label("nope"), None);
    }
}
