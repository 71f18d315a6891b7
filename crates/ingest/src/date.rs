//! Fast date parsing for the forms people's CSVs hold, and fast ISO formatting for export.
//!
//! Accepted: ISO `yyyy-mm-dd`, US `m/d/yyyy` or `mm/dd/yyyy`, and either followed by a time
//! part after a space or `T` (`2024-01-02 16:00:00`, `2024-01-02T00:00:00Z`), which is
//! dropped: prices here are daily or coarser. Two-digit years and day-first dates are
//! rejected rather than guessed: `03/04/21` could be three different days.

use chrono::{Datelike, NaiveDate};

/// Parses one date cell (already trimmed or not); `None` when it is not a date we accept.
///
/// Hand-written rather than `NaiveDate::parse_from_str` because it runs once per row on
/// multi-million-row files and chrono's format machinery costs several times more.
pub fn parse_date(cell: &[u8]) -> Option<NaiveDate> {
    let cell = cell.trim_ascii();
    // The time part, if any, starts at the first space or 'T' after the date.
    let end = cell
        .iter()
        .position(|&b| b == b' ' || b == b'T')
        .unwrap_or(cell.len());
    let date = &cell[..end];
    if end < cell.len() && end + 1 >= cell.len() {
        return None; // a dangling separator with no time after it
    }
    if date.len() == 10 && date[4] == b'-' && date[7] == b'-' {
        let year = digits(&date[0..4])?;
        let month = digits(&date[5..7])?;
        let day = digits(&date[8..10])?;
        return NaiveDate::from_ymd_opt(year as i32, month, day);
    }
    // US: m/d/yyyy with one- or two-digit month and day, four-digit year.
    let mut parts = date.split(|&b| b == b'/');
    let (month, day, year) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || !(1..=2).contains(&month.len())
        || !(1..=2).contains(&day.len())
        || year.len() != 4
    {
        return None;
    }
    NaiveDate::from_ymd_opt(digits(year)? as i32, digits(month)?, digits(day)?)
}

/// The value of an all-digit ASCII slice, `None` if any byte is not a digit.
fn digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
    })
}

/// Appends `date` as ISO `yyyy-mm-dd` to `out` without going through `fmt`.
pub fn push_iso_date(out: &mut Vec<u8>, date: NaiveDate) {
    let year = date.year();
    if !(0..=9999).contains(&year) {
        // Outside four digits chrono's own formatting knows the conventions (sign, width).
        out.extend_from_slice(date.format("%Y-%m-%d").to_string().as_bytes());
        return;
    }
    let year = year as u32;
    let (month, day) = (date.month(), date.day());
    out.extend_from_slice(&[
        b'0' + (year / 1000) as u8,
        b'0' + (year / 100 % 10) as u8,
        b'0' + (year / 10 % 10) as u8,
        b'0' + (year % 10) as u8,
        b'-',
        b'0' + (month / 10) as u8,
        b'0' + (month % 10) as u8,
        b'-',
        b'0' + (day / 10) as u8,
        b'0' + (day % 10) as u8,
    ]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn parses_iso_dates() {
        assert_eq!(parse_date(b"2020-04-20"), Some(ymd(2020, 4, 20)));
        assert_eq!(parse_date(b" 2020-04-20 "), Some(ymd(2020, 4, 20)));
    }

    #[test]
    fn parses_us_dates_with_and_without_leading_zeros() {
        assert_eq!(parse_date(b"4/20/2020"), Some(ymd(2020, 4, 20)));
        assert_eq!(parse_date(b"04/05/2020"), Some(ymd(2020, 4, 5)));
        assert_eq!(parse_date(b"12/31/1999"), Some(ymd(1999, 12, 31)));
    }

    #[test]
    fn drops_a_time_part() {
        assert_eq!(parse_date(b"2020-04-20 16:00:00"), Some(ymd(2020, 4, 20)));
        assert_eq!(parse_date(b"2020-04-20T00:00:00Z"), Some(ymd(2020, 4, 20)));
        assert_eq!(parse_date(b"4/20/2020 16:00"), Some(ymd(2020, 4, 20)));
    }

    #[test]
    fn rejects_ambiguous_or_impossible_dates() {
        for bad in [
            &b"03/04/21"[..],
            b"20/04/2020",
            b"2020-02-30",
            b"2020-4-20",
            b"20200420",
            b"",
            b"date",
            b"2020-04-20T",
            b"1/2/3/2020",
        ] {
            assert_eq!(parse_date(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn formats_iso_dates() {
        let mut out = Vec::new();
        push_iso_date(&mut out, ymd(2020, 4, 5));
        assert_eq!(out, b"2020-04-05");
    }
}
