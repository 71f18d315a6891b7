//! Which interval a file's series is sampled at, from the spacing of its dates.
//!
//! Files rarely say their interval, and a wrong guess would store monthly closes as daily
//! bars. The median gap is robust to holidays and weekends (a daily series has gaps of 1 and 3
//! days, a few longer) and to a missing month or two in a monthly one.

use chrono::NaiveDate;
use store::Interval;

/// How many dates are enough to tell the interval; a file's first dates decide it, before any
/// of it is written.
pub const INTERVAL_SAMPLE_DATES: usize = 200;

/// Daily, weekly, monthly, quarterly or annual, from the median gap between the distinct
/// dates given (in any order); daily when there are fewer than two.
pub fn infer_interval(dates: impl IntoIterator<Item = NaiveDate>) -> Interval {
    let mut dates: Vec<NaiveDate> = dates.into_iter().take(INTERVAL_SAMPLE_DATES).collect();
    dates.sort_unstable();
    dates.dedup();
    let mut gaps: Vec<i64> = dates
        .windows(2)
        .map(|pair| (pair[1] - pair[0]).num_days())
        .collect();
    if gaps.is_empty() {
        return Interval::Daily;
    }
    gaps.sort_unstable();
    match gaps[gaps.len() / 2] {
        ..=4 => Interval::Daily,
        5..=10 => Interval::Weekly,
        11..=45 => Interval::Monthly,
        46..=135 => Interval::Quarterly,
        _ => Interval::Annual,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dates(texts: &[&str]) -> Vec<NaiveDate> {
        texts.iter().map(|d| d.parse().unwrap()).collect()
    }

    #[test]
    fn interval_is_inferred_from_date_spacing() {
        let daily = dates(&["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-08"]);
        assert_eq!(infer_interval(daily), Interval::Daily);
        let weekly = dates(&["2024-01-05", "2024-01-12", "2024-01-19"]);
        assert_eq!(infer_interval(weekly), Interval::Weekly);
        let monthly = dates(&["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"]);
        assert_eq!(infer_interval(monthly), Interval::Monthly);
        let quarterly = dates(&["2023-01-01", "2023-04-01", "2023-07-01", "2023-10-01"]);
        assert_eq!(infer_interval(quarterly), Interval::Quarterly);
        let annual = dates(&["2021-01-01", "2022-01-01", "2023-01-01"]);
        assert_eq!(infer_interval(annual), Interval::Annual);
        assert_eq!(infer_interval(dates(&["2024-01-01"])), Interval::Daily);
    }

    #[test]
    fn newest_first_and_repeated_dates_give_the_same_interval() {
        let newest_first = dates(&["2024-04-01", "2024-03-01", "2024-03-01", "2024-02-01"]);
        assert_eq!(infer_interval(newest_first), Interval::Monthly);
    }
}
