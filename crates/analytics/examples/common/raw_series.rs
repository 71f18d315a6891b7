//! Reading the raw little-endian f64 files the side-by-side benchmark scripts write.

use std::path::Path;

/// The values of `path`, or exit with a message naming it.
pub fn read_series(path: &Path) -> Vec<f64> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| {
        eprintln!("error: cannot read {}: {e}", path.display());
        std::process::exit(2);
    });
    bytes
        .chunks_exact(8)
        .map(|chunk| f64::from_le_bytes(chunk.try_into().expect("8 bytes")))
        .collect()
}
