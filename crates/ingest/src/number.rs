//! Reading one numeric cell: a number, a recognised "missing" marker, or an error.

/// What a value cell holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell {
    /// A finite number.
    Number(f64),
    /// One of the markers people use for "no value" (see [`is_missing_marker`]).
    Missing,
    /// Anything else: the caller reports it with file, line and column.
    Invalid,
}

/// Whether a trimmed cell is one of the spellings of "no value" found in real exports:
/// empty, `.` (FRED), `-`, `null` (Yahoo), `NaN`, `NA`, `N/A`, `#N/A` (Excel), `None`.
pub fn is_missing_marker(cell: &[u8]) -> bool {
    match cell.len() {
        0 => true,
        1 => cell[0] == b'.' || cell[0] == b'-',
        2 => cell.eq_ignore_ascii_case(b"na"),
        3 => cell.eq_ignore_ascii_case(b"nan") || cell.eq_ignore_ascii_case(b"n/a"),
        4 => {
            cell.eq_ignore_ascii_case(b"null")
                || cell.eq_ignore_ascii_case(b"#n/a")
                || cell.eq_ignore_ascii_case(b"none")
        }
        _ => false,
    }
}

/// Parses a value cell. Infinity is rejected: no price is infinite, and `inf` in a price
/// file is a corrupted cell, not a value to compute with.
pub fn parse_cell(cell: &[u8]) -> Cell {
    let cell = cell.trim_ascii();
    if is_missing_marker(cell) {
        return Cell::Missing;
    }
    match fast_float2::parse::<f64, _>(cell) {
        Ok(value) if value.is_finite() => Cell::Number(value),
        _ => Cell::Invalid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_numbers_including_negative_and_exponent() {
        assert_eq!(parse_cell(b" 12.5 "), Cell::Number(12.5));
        assert_eq!(parse_cell(b"-37.63"), Cell::Number(-37.63));
        assert_eq!(parse_cell(b"1e3"), Cell::Number(1000.0));
        assert_eq!(parse_cell(b"+4"), Cell::Number(4.0));
    }

    #[test]
    fn treats_every_missing_marker_as_missing_not_zero() {
        for marker in [
            &b""[..],
            b"  ",
            b".",
            b"-",
            b"null",
            b"NULL",
            b"NaN",
            b"nan",
            b"NA",
            b"N/A",
            b"#N/A",
            b"None",
        ] {
            assert_eq!(parse_cell(marker), Cell::Missing);
        }
    }

    #[test]
    fn rejects_text_thousands_separators_and_infinity() {
        for bad in [
            &b"12,5x"[..],
            b"1,234.5",
            b"abc",
            b"inf",
            b"-infinity",
            b"1.2.3",
        ] {
            assert_eq!(parse_cell(bad), Cell::Invalid);
        }
    }
}
