//! Calendar dates as days since 1970-01-01, enough for QuantStats' calendar groupings.
//!
//! The analytics crate takes no date library: the report needs only civil dates, their
//! weekday, and differences in days, which Howard Hinnant's `days_from_civil` algorithms give
//! exactly for the proleptic Gregorian calendar.

use crate::AnalyticsError;

/// A calendar date, stored as the number of days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

impl Date {
    /// The date with this year, month (1–12) and day (1–31); `None` if it does not exist.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Self> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let year_of_era = y - era * 400;
        let shifted_month = (month + 9) % 12;
        let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
        let day_of_era =
            year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year as i32;
        Some(Self(era * 146_097 + day_of_era - 719_468))
    }

    /// The date `days` days after 1970-01-01 (negative before it).
    pub fn from_days_since_epoch(days: i32) -> Self {
        Self(days)
    }

    /// Days since 1970-01-01.
    pub fn days_since_epoch(self) -> i32 {
        self.0
    }

    /// Year, month (1–12) and day (1–31).
    pub fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z - era * 146_097;
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let shifted_month = (5 * day_of_year + 2) / 153;
        let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
        let month = if shifted_month < 10 {
            shifted_month + 3
        } else {
            shifted_month - 9
        } as u32;
        let year = year_of_era + era * 400 + i32::from(month <= 2);
        (year, month, day)
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.ymd().0
    }

    /// Day of the week, 0 for Monday to 6 for Sunday (1970-01-01 was a Thursday).
    pub fn weekday(self) -> u32 {
        (self.0 + 3).rem_euclid(7) as u32
    }
}

impl std::fmt::Display for Date {
    /// ISO 8601: `YYYY-MM-DD`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (year, month, day) = self.ymd();
        write!(f, "{year:04}-{month:02}-{day:02}")
    }
}

impl std::str::FromStr for Date {
    type Err = AnalyticsError;

    /// Parses ISO 8601 `YYYY-MM-DD`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || AnalyticsError::InvalidInput(format!("{text:?} is not a date as YYYY-MM-DD"));
        let mut parts = text.splitn(3, '-');
        let mut next = || {
            parts
                .next()
                .and_then(|p| p.parse::<i64>().ok())
                .ok_or_else(bad)
        };
        let (year, month, day) = (next()?, next()?, next()?);
        let year = i32::try_from(year).map_err(|_| bad())?;
        let month = u32::try_from(month).map_err(|_| bad())?;
        let day = u32::try_from(day).map_err(|_| bad())?;
        Self::from_ymd(year, month, day).ok_or_else(bad)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Date {
    /// Serialises as the ISO string, as the rest of Commodex's JSON writes dates.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip_and_know_their_weekday() {
        assert_eq!(Date::from_ymd(1970, 1, 1).unwrap().days_since_epoch(), 0);
        assert_eq!(Date::from_ymd(1970, 1, 1).unwrap().weekday(), 3);
        let date = Date::from_ymd(2024, 2, 29).unwrap();
        assert_eq!(date.ymd(), (2024, 2, 29));
        assert_eq!(date.weekday(), 3);
        assert_eq!(date.to_string(), "2024-02-29");
        assert_eq!("2024-02-29".parse::<Date>().unwrap(), date);
        assert!(Date::from_ymd(2023, 2, 29).is_none());
        assert!("2024-13-01".parse::<Date>().is_err());
        for days in -800_000..800_000 {
            let date = Date::from_days_since_epoch(days);
            let (y, m, d) = date.ymd();
            assert_eq!(Date::from_ymd(y, m, d), Some(date));
        }
    }
}
