//! Which dates to ask a provider for, given what is already stored: history that is stored is
//! never fetched again, so a backfill asks for the leading and trailing gaps
//! ([`missing_ranges`]) and for holes inside the stored span ([`holes`]).
//!
//! A hole is a stretch between two stored bars longer than a closed market explains (a long
//! weekend for daily bars): weekends and holidays have no bars, and asking for them would
//! cost a request each time for nothing. A hole the provider really has no data for would be
//! asked again on every fetch, so a fetch asks for at most [`MAX_HOLES_PER_FETCH`] of them.

use chrono::{Days, Months, NaiveDate};
use store::Interval;

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

/// Most holes one fetch asks for: each costs at least one request of a daily quota (25 on
/// Alpha Vantage's free plan), and the rest are left for the next fetch.
pub const MAX_HOLES_PER_FETCH: usize = 5;

/// The longest distance in days between two consecutive bars that a closed market explains:
/// Friday to the Tuesday or Wednesday after (Christmas, Easter, a long weekend) for daily bars,
/// a skipped week's holiday for weekly ones, 31 days plus a short month's slack for monthly.
pub fn longest_closure_days(interval: Interval) -> i64 {
    match interval {
        Interval::Intraday | Interval::Daily => 5,
        Interval::Weekly => 10,
        Interval::Monthly => 35,
        Interval::Quarterly => 100,
        Interval::Annual => 370,
    }
}

/// The holes between consecutive `dates` (stored bar dates, ascending) that a closed market
/// does not explain, as the ranges of days strictly between the two bars; the widest
/// `limit` of them, in date order, and how many more there were.
pub fn holes(dates: &[NaiveDate], interval: Interval, limit: usize) -> (Vec<DateRange>, usize) {
    let longest = longest_closure_days(interval);
    let mut found: Vec<DateRange> = dates
        .windows(2)
        .filter(|pair| (pair[1] - pair[0]).num_days() > longest)
        .map(|pair| (pair[0] + Days::new(1), pair[1] - Days::new(1)))
        .collect();
    let more = found.len().saturating_sub(limit);
    // The widest first: they hold the most missing bars for the requests spent.
    found.sort_by_key(|(from, to)| std::cmp::Reverse(*to - *from));
    found.truncate(limit);
    found.sort_unstable();
    (found, more)
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
    fn holes_are_gaps_a_closed_market_does_not_explain() {
        // Thursday to Tuesday is a holiday weekend; 2025-01-07 to 2025-01-27 is a hole.
        let dates = [
            d("2025-01-02"),
            d("2025-01-07"),
            d("2025-01-27"),
            d("2025-01-28"),
        ];
        assert_eq!(
            holes(&dates, Interval::Daily, 5),
            (vec![(d("2025-01-08"), d("2025-01-26"))], 0)
        );
        // Monthly bars a month apart have no hole; a missing month is one.
        let monthly = [d("2025-01-01"), d("2025-02-01"), d("2025-04-01")];
        assert_eq!(
            holes(&monthly, Interval::Monthly, 5),
            (vec![(d("2025-02-02"), d("2025-03-31"))], 0)
        );
        assert_eq!(holes(&[], Interval::Daily, 5), (Vec::new(), 0));
    }

    #[test]
    fn only_the_widest_holes_are_asked_for_in_date_order() {
        let dates = [
            d("2025-01-01"),
            d("2025-01-10"), // 8 days missing
            d("2025-02-10"), // 30 days missing
            d("2025-02-20"), // 9 days missing
        ];
        let (asked, more) = holes(&dates, Interval::Daily, 2);
        assert_eq!(
            asked,
            [
                (d("2025-01-11"), d("2025-02-09")),
                (d("2025-02-11"), d("2025-02-19"))
            ]
        );
        assert_eq!(more, 1);
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
