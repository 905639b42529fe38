//! Plain text: each non-blank line is a cell of the column `line`. `check` reads files of no
//! data format this way (`.txt`, `.log`, a README, a file without an extension) so it can
//! vouch for them instead of skipping them; a file that is not text (NUL bytes, mostly
//! invalid UTF-8) is an error naming it, which `check` turns into a failure.

use super::{
    Batch, BatchBuilder, BatchReader, Input, Progress, ReadOptions, ReadStats, SourceError,
};
use std::io::BufRead;

/// Reads the first bytes of `input` and says why it is not text, if it is not.
pub fn not_text(head: &[u8]) -> Option<&'static str> {
    if head.contains(&0) {
        return Some("a binary file (NUL bytes)");
    }
    let invalid = match std::str::from_utf8(head) {
        Ok(_) => 0,
        Err(e) if e.error_len().is_none() => 0, // cut inside a character at the end
        Err(_) => String::from_utf8_lossy(head).matches('\u{FFFD}').count(),
    };
    (invalid * 20 > head.len().max(1)).then_some("a binary file (not UTF-8 text)")
}

/// Streaming reader of text lines.
pub struct TextReader {
    encoding: &'static encoding_rs::Encoding,
    path: String,
    stream: Box<dyn BufRead + Send>,
    columns: Vec<String>,
    builder: BatchBuilder,
    opts: ReadOptions,
    line: Vec<u8>,
    lines: u64,
    rows: u64,
    done: bool,
}

impl TextReader {
    /// Opens the input; fails when it is not text.
    pub fn new(input: &Input, opts: &ReadOptions, counter: Progress) -> Result<Self, SourceError> {
        let path = input.display();
        let (mut stream, encoding) = super::open_text(input, opts, counter)?;
        let head = stream.fill_buf().map_err(|source| SourceError::Io {
            path: path.clone(),
            source,
        })?;
        let head = &head[..head.len().min(8192)];
        if let Some(why) = not_text(head) {
            return Err(SourceError::Malformed {
                path,
                location: "start".into(),
                message: format!("{why} of no format shroud reads"),
            });
        }
        Ok(TextReader {
            path,
            encoding,
            stream,
            columns: vec!["line".to_string()],
            builder: BatchBuilder::new(0),
            opts: opts.clone(),
            line: Vec::new(),
            lines: 0,
            rows: 0,
            done: false,
        })
    }

    fn read_batch(&mut self) -> Result<Option<Batch>, SourceError> {
        while !self.done && !self.builder.is_full() {
            if self.opts.max_rows.is_some_and(|m| self.rows >= m) {
                self.done = true;
                break;
            }
            self.line.clear();
            let n = std::io::Read::take(&mut self.stream, self.opts.max_cell_bytes + 1)
                .read_until(b'\n', &mut self.line)
                .map_err(|source| SourceError::Io {
                    path: self.path.clone(),
                    source,
                })?;
            if n == 0 {
                self.done = true;
                break;
            }
            self.lines += 1;
            if self.line.len() as u64 > self.opts.max_cell_bytes {
                return Err(SourceError::Malformed {
                    path: self.path.clone(),
                    location: format!("line {}", self.lines),
                    message: format!(
                        "a line longer than {} bytes (the cell limit can be raised)",
                        self.opts.max_cell_bytes
                    ),
                });
            }
            let text = self.line.trim_ascii();
            if text.is_empty() {
                continue;
            }
            self.builder.push(0, text);
            self.builder.end_row();
            self.rows += 1;
        }
        Ok((self.builder.rows() > 0).then(|| self.builder.take()))
    }
}

impl BatchReader for TextReader {
    fn encoding(&self) -> &'static encoding_rs::Encoding {
        self.encoding
    }

    fn next_batches(&mut self, n: usize) -> Result<Vec<Batch>, SourceError> {
        super::batches_of(n, || self.read_batch())
    }

    fn columns(&self) -> &[String] {
        &self.columns
    }

    fn stats(&self) -> ReadStats {
        ReadStats::default()
    }
}

#[cfg(test)]
mod tests {
    use super::not_text;

    #[test]
    fn binary_is_not_text() {
        assert!(not_text(b"hello\nworld").is_none());
        assert!(not_text("caf\u{e9}".as_bytes()).is_none());
        assert!(not_text(b"BZh91AY&SY\x00\x01").is_some());
        assert!(not_text(&[0xff; 100]).is_some());
    }
}
