//! Opening an input: gzip by extension or magic bytes, UTF-8 BOM skipped, bytes counted.

use crate::error::{IngestError, Result};
use flate2::bufread::MultiGzDecoder;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Buffer size for file reads: large enough that syscalls vanish from profiles.
const BUFFER_BYTES: usize = 256 * 1024;

/// A shared count of the bytes read from the file on disk (compressed bytes for `.gz`), so a
/// progress bar sized by the file's length can follow a reader running elsewhere.
#[derive(Debug, Clone, Default)]
pub struct ByteCounter(Arc<AtomicU64>);

impl ByteCounter {
    /// Bytes read so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Wraps a reader and adds every byte it yields to a [`ByteCounter`].
#[derive(Debug)]
pub struct CountingReader<R> {
    inner: R,
    counter: ByteCounter,
}

impl<R: Read> CountingReader<R> {
    /// Counts what `inner` yields into `counter`.
    pub fn new(inner: R, counter: ByteCounter) -> Self {
        Self { inner, counter }
    }
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter.0.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// A boxed byte stream that can move to another thread (import runs off the async executor).
pub type Input = Box<dyn BufRead + Send>;

/// Opens `path`, decompressing gzip when the name ends in `.gz` or the content starts with
/// gzip's magic bytes (a `.csv` that is really compressed is common after downloads).
pub fn open(path: &Path, counter: ByteCounter) -> Result<Input> {
    let name = path.display().to_string();
    let io_error = |cause| IngestError::Io {
        file: name.clone(),
        cause,
    };
    let file = File::open(path).map_err(io_error)?;
    let mut buffered = BufReader::with_capacity(BUFFER_BYTES, CountingReader::new(file, counter));
    let by_name = name.to_ascii_lowercase().ends_with(".gz");
    let by_magic = buffered
        .fill_buf()
        .map_err(io_error)?
        .starts_with(&[0x1f, 0x8b]);
    let decoded: Input = if by_name || by_magic {
        Box::new(BufReader::with_capacity(
            BUFFER_BYTES,
            MultiGzDecoder::new(buffered),
        ))
    } else {
        Box::new(buffered)
    };
    skip_bom(decoded).map_err(io_error)
}

/// Consumes a leading UTF-8 byte-order mark, which Excel writes and the CSV parser would
/// otherwise glue to the first header name.
pub fn skip_bom<R: BufRead>(mut input: R) -> io::Result<R> {
    const BOM: &[u8] = b"\xef\xbb\xbf";
    let head = input.fill_buf()?;
    if head.starts_with(BOM) {
        input.consume(BOM.len());
    } else if head.len() < BOM.len() && BOM.starts_with(head) && !head.is_empty() {
        // A buffer boundary inside the BOM only happens with tiny custom readers; read the
        // rest byte by byte.
        let mut first = [0u8; 3];
        let mut got = 0;
        while got < 3 {
            let n = input.read(&mut first[got..])?;
            if n == 0 {
                break;
            }
            got += n;
        }
        if &first[..got] != BOM {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the file starts with a truncated byte-order mark",
            ));
        }
    }
    Ok(input)
}

/// Turns CRLF and lone CR line endings into LF and makes sure the stream ends with LF.
///
/// Why: the CSV parser skips blank lines and counts lines by LF, and with CRLF it leaves a
/// record's LF to the next read; both make the line it reports drift from what a text editor
/// shows. With LF only, every record is followed by exactly one LF and the reader can work
/// out each record's true first line (see `reader::record_line`).
#[derive(Debug)]
pub struct LineEndings<R> {
    inner: R,
    /// The last byte handed out (LF before anything, so an empty input stays empty).
    last: u8,
    /// A CR was just turned into LF: an LF right after it belongs to the same line ending.
    skip_lf: bool,
}

impl<R: BufRead> LineEndings<R> {
    /// Normalises the line endings of `inner`.
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            last: b'\n',
            skip_lf: false,
        }
    }
}

impl<R: BufRead> Read for LineEndings<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let chunk = self.inner.fill_buf()?;
            if chunk.is_empty() {
                if self.last != b'\n' {
                    self.last = b'\n';
                    buf[0] = b'\n';
                    return Ok(1);
                }
                return Ok(0);
            }
            if self.skip_lf {
                self.skip_lf = false;
                if chunk[0] == b'\n' {
                    self.inner.consume(1);
                    continue;
                }
            }
            let limit = chunk.len().min(buf.len());
            let n = match find_cr(&chunk[..limit]) {
                Some(0) => {
                    self.inner.consume(1);
                    self.skip_lf = true;
                    self.last = b'\n';
                    buf[0] = b'\n';
                    return Ok(1);
                }
                Some(cr) => cr,
                None => limit,
            };
            buf[..n].copy_from_slice(&chunk[..n]);
            self.last = chunk[n - 1];
            self.inner.consume(n);
            return Ok(n);
        }
    }
}

/// Position of the first CR, eight bytes at a time: most files have none, and this scan sees
/// every byte of the input.
fn find_cr(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    const CRS: u64 = ONES * b'\r' as u64;
    let mut start = 0;
    for chunk in bytes.chunks_exact(8) {
        let word = u64::from_le_bytes(chunk.try_into().expect("chunks of eight")) ^ CRS;
        // Non-zero exactly when some byte of `word` is zero, i.e. some byte was a CR.
        if word.wrapping_sub(ONES) & !word & HIGHS != 0 {
            break;
        }
        start += 8;
    }
    bytes[start..]
        .iter()
        .position(|&b| b == b'\r')
        .map(|i| start + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalised(input: &[u8], read_size: usize) -> Vec<u8> {
        // A one-byte inner buffer puts every boundary case at a buffer edge.
        let mut reader = LineEndings::new(BufReader::with_capacity(1, input));
        let mut out = Vec::new();
        let mut buf = vec![0; read_size];
        loop {
            let n = reader.read(&mut buf).unwrap();
            if n == 0 {
                return out;
            }
            out.extend_from_slice(&buf[..n]);
        }
    }

    #[test]
    fn line_endings_become_lf_and_a_final_lf_is_added() {
        for size in [1, 3, 64] {
            assert_eq!(normalised(b"a,b\r\n1,2\r\n", size), b"a,b\n1,2\n");
            assert_eq!(normalised(b"a\r\rb\rc", size), b"a\n\nb\nc\n");
            assert_eq!(normalised(b"a\n\r\nb", size), b"a\n\nb\n");
            assert_eq!(normalised(b"", size), b"");
            assert_eq!(
                normalised(b"0123456789abcdef\r\n", size),
                b"0123456789abcdef\n"
            );
        }
    }

    #[test]
    fn finds_cr_anywhere() {
        for i in 0..20 {
            let mut bytes = vec![b'x'; 20];
            bytes[i] = b'\r';
            assert_eq!(find_cr(&bytes), Some(i));
        }
        assert_eq!(find_cr(b"no carriage return here"), None);
    }
}
