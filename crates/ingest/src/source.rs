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
    let io_error = |source| IngestError::Io {
        file: name.clone(),
        source,
    };
    let file = File::open(path).map_err(io_error)?;
    let mut buffered = BufReader::with_capacity(BUFFER_BYTES, CountingReader::new(file, counter));
    let by_name = name.to_ascii_lowercase().ends_with(".gz");
    let by_magic = buffered.fill_buf().map_err(io_error)?.starts_with(&[0x1f, 0x8b]);
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
