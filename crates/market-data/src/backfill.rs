//! Which dates to ask a provider for, given what is already stored: history that is stored is
//! never fetched again, so a backfill asks only for the leading and trailing gaps.
//!
//! Gaps inside the stored span are left alone: weekends and holidays have no bars, and telling
//! them from a lost day would cost a request per gap.

use chrono::{Days, Months, NaiveDate};

/// An inclusive date range.
pub type DateRange = (NaiveDate, NaiveDate);

/// Where "everything the provider offers" starts when no start date is given: the source's
/// [`crate::sources::DefaultHistory`], or a year for a source Commodex does not know.
pub fn default_start(source: &str, end: NaiveDate) -> NaiveDate {
    match crate::sources::descriptor(source) {
        Some(descriptor) => descriptor.default_start(end),
        None => end.checked_sub_months(Months::new(12)).unwrap_or(end),
    }
}

/// The parts of `start..=end` to ask for, given the span `first..=last` already known (stored,
/// or asked for recently). Without an explicit start, only what follows the last known bar:
/// the provider's oldest date is unknown, and asking again for the years before the first
/// stored bar would spend the quota every time.
pub fn missing_ranges(
    start: NaiveDate,
    end: NaiveDate,
    known: Option<DateRange>,
    explicit_start: bool,
) -> Vec<DateRange> {
    if start > end {
        return Vec::new();
    }
    let Some((first, last)) = known else {
        return vec![(start, end)];
    };
    let mut ranges = Vec::new();
    if explicit_start && start < first {
        let before_end = (first - Days::new(1)).min(end);
        ranges.push((start, before_end));
    }
    let after_start = (last + Days::new(1)).max(start);
    if after_start <= end {
        ranges.push((after_start, end));
    }
    ranges
}

/// The smallest span holding both, when they overlap or touch; otherwise `a` (the stored one),
/// since a span with a hole in it would hide the hole from [`missing_ranges`].
pub fn join_spans(a: Option<DateRange>, b: Option<DateRange>) -> Option<DateRange> {
    match (a, b) {
        (None, other) | (other, None) => other,
        (Some((a_first, a_last)), Some((b_first, b_last))) => {
            let touching = b_first <= a_last + Days::new(1) && a_first <= b_last + Days::new(1);
            if touching {
                Some((a_first.min(b_first), a_last.max(b_last)))
            } else {
                Some((a_first, a_last))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn nothing_stored_asks_for_the_whole_range() {
        assert_eq!(
            missing_ranges(d("2025-01-01"), d("2025-03-01"), None, true),
            [(d("2025-01-01"), d("2025-03-01"))]
        );
    }

    #[test]
    fn stored_history_is_not_asked_for_again() {
        let stored = Some((d("2025-02-01"), d("2025-02-20")));
        assert_eq!(
            missing_ranges(d("2025-01-01"), d("2025-03-01"), stored, true),
            [
                (d("2025-01-01"), d("2025-01-31")),
                (d("2025-02-21"), d("2025-03-01"))
            ]
        );
        assert!(missing_ranges(d("2025-02-05"), d("2025-02-10"), stored, true).is_empty());
        assert_eq!(
            missing_ranges(d("2020-01-01"), d("2025-03-01"), stored, false),
            [(d("2025-02-21"), d("2025-03-01"))]
        );
    }

    #[test]
    fn spans_join_only_when_they_touch() {
        let stored = Some((d("2025-02-01"), d("2025-02-20")));
        assert_eq!(
            join_spans(stored, Some((d("2025-02-21"), d("2025-03-01")))),
            Some((d("2025-02-01"), d("2025-03-01")))
        );
        assert_eq!(
            join_spans(stored, Some((d("2025-04-01"), d("2025-04-30")))),
            stored
        );
        assert_eq!(join_spans(None, stored), stored);
    }
}
