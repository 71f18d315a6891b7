//! Request budgets: one [`RateLimit`] type for providers, configuration and per-client limits,
//! written and read as `N/second|minute|hour|day`, and a source's [`Limits`].

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// A request budget: at most `max_requests` in any sliding window of `per`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed in a window.
    pub max_requests: u32,
    /// The window's length.
    pub per: Duration,
}

impl RateLimit {
    /// `n` requests per second.
    pub const fn per_second(n: u32) -> Self {
        Self {
            max_requests: n,
            per: Duration::from_secs(1),
        }
    }

    /// The window in whole seconds, as the API shows it.
    pub fn per_secs(&self) -> u64 {
        self.per.as_secs()
    }
}

impl FromStr for RateLimit {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let expected = || {
            format!(
                "'{s}' is not a rate limit: expected N/second, N/minute, N/hour or N/day with N a whole number above 0"
            )
        };
        let (count, period) = s.split_once('/').ok_or_else(expected)?;
        let max_requests: u32 = count.trim().parse().map_err(|_| expected())?;
        let per_secs = match period.trim().to_ascii_lowercase().as_str() {
            "s" | "sec" | "second" => 1,
            "m" | "min" | "minute" => 60,
            "h" | "hour" => 3600,
            "d" | "day" => 86_400,
            _ => return Err(expected()),
        };
        if max_requests == 0 {
            return Err(expected());
        }
        Ok(Self {
            max_requests,
            per: Duration::from_secs(per_secs),
        })
    }
}

impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let period = match self.per.as_secs() {
            1 => "second",
            60 => "minute",
            3600 => "hour",
            86_400 => "day",
            // Only code builds other windows (tests); say it in seconds rather than lie.
            other => return write!(f, "{}/{other}s", self.max_requests),
        };
        write!(f, "{}/{period}", self.max_requests)
    }
}

impl Serialize for RateLimit {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for RateLimit {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A source's limits: its free tier's in its descriptor, overridden by configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Limits {
    /// The burst limit, when the provider documents one.
    pub rate_limit: Option<RateLimit>,
    /// Requests allowed per day, when the provider counts by day.
    pub daily_quota: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limits_read_and_print_the_same() {
        for (text, requests, secs) in [
            ("1/second", 1, 1),
            ("5/minute", 5, 60),
            ("100/hour", 100, 3600),
            ("25/day", 25, 86_400),
        ] {
            let limit: RateLimit = text.parse().unwrap();
            assert_eq!(limit.max_requests, requests);
            assert_eq!(limit.per_secs(), secs);
            assert_eq!(limit.to_string(), text);
        }
        assert_eq!("3/s".parse::<RateLimit>().unwrap().to_string(), "3/second");
    }

    #[test]
    fn bad_rate_limits_say_what_is_expected() {
        for text in ["0/second", "x/second", "5", "5/fortnight", "-1/day"] {
            let error = text.parse::<RateLimit>().unwrap_err();
            assert!(error.contains("expected N/second"), "{error}");
            assert!(error.contains(text), "{error}");
        }
    }
}
