//! How many provider requests anonymous clients may cause for one series in a UTC day.
//!
//! Provider quotas are the operator's to spend (Alpha Vantage's free tier is 25 calls a day).
//! A client without the API token reads stored data freely, but the backfills its requests set
//! off may spend at most [`AnonymousBudget::limit`] provider requests per series and day,
//! counted before they are sent; beyond that, the fetch is refused as `rate_limited`, which the
//! fallback answers with stored data when there is some. The operator (the token, the poller,
//! `commodex fetch`) is not counted.
//!
//! With Redis the count is shared by every instance (`INCRBY` under the cache prefix, expiring
//! after two days); without it, each process counts for itself in a map that holds one entry
//! per series asked, which the catalog bounds.

use crate::error::MarketDataError;
use crate::redis_connection::redis_error;
use chrono::{NaiveDate, Utc};
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use store::SeriesKey;

/// Who a fetch is made for, as far as spending provider requests goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Caller {
    /// The operator: the API token, the poller, the command line. Never counted.
    Operator,
    /// A client without the token: counted against the series' daily budget.
    Anonymous,
}

/// The provider requests anonymous clients may cause for one series in a UTC day, unless
/// configuration says otherwise.
pub const DEFAULT_LIMIT: u64 = 5;

/// The daily counts of provider requests made for anonymous clients, per series.
pub struct AnonymousBudget {
    limit: u64,
    local: Mutex<HashMap<SeriesKey, (NaiveDate, u64)>>,
    redis: Option<(redis::aio::ConnectionManager, String)>,
}

impl std::fmt::Debug for AnonymousBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnonymousBudget")
            .field("limit", &self.limit)
            .field("redis", &self.redis.is_some())
            .finish_non_exhaustive()
    }
}

impl AnonymousBudget {
    /// A budget of `limit` requests per series and day, counted in this process.
    pub fn new(limit: u64) -> Self {
        Self {
            limit,
            local: Mutex::default(),
            redis: None,
        }
    }

    /// Counts in Redis from now on, under keys starting with `prefix:budget:`.
    pub fn count_in_redis(&mut self, connection: redis::aio::ConnectionManager, prefix: &str) {
        self.redis = Some((connection, prefix.to_string()));
    }

    /// The requests allowed per series and day.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Takes `requests` from `key`'s budget for today when the caller is anonymous, or fails
    /// with `rate_limited` (taking nothing) when they do not fit.
    pub async fn spend(
        &self,
        caller: Caller,
        key: &SeriesKey,
        requests: u64,
    ) -> Result<(), MarketDataError> {
        if caller == Caller::Operator || requests == 0 {
            return Ok(());
        }
        let today = Utc::now().date_naive();
        let fits = match &self.redis {
            Some((connection, prefix)) => {
                match self
                    .spend_in_redis(connection, prefix, key, today, requests)
                    .await
                {
                    Ok(fits) => fits,
                    Err(error) => {
                        // Without Redis the count falls back to this process's own.
                        tracing::warn!(%error, "redis unavailable; counting the anonymous budget here");
                        self.spend_here(key, today, requests)
                    }
                }
            }
            None => self.spend_here(key, today, requests),
        };
        if fits {
            return Ok(());
        }
        let resets_at = today
            .succ_opt()
            .and_then(|tomorrow| tomorrow.and_hms_opt(0, 0, 0))
            .map(|midnight| midnight.and_utc());
        Err(MarketDataError::RateLimited {
            source_id: key.source.clone(),
            message: format!(
                "requests without the API token may ask {} for {} ({}) at most {} times a day, and this would take {requests} more; stored data is served, and the token (or `commodex fetch`) fetches the rest",
                key.source, key.symbol, key.interval, self.limit
            ),
            retry_after: None,
            resets_at,
        })
    }

    fn spend_here(&self, key: &SeriesKey, today: NaiveDate, requests: u64) -> bool {
        let mut counts = self.local.lock().unwrap_or_else(PoisonError::into_inner);
        let (day, used) = counts.entry(key.clone()).or_insert((today, 0));
        if *day != today {
            *day = today;
            *used = 0;
        }
        if used.saturating_add(requests) > self.limit {
            return false;
        }
        *used += requests;
        true
    }

    async fn spend_in_redis(
        &self,
        connection: &redis::aio::ConnectionManager,
        prefix: &str,
        key: &SeriesKey,
        today: NaiveDate,
        requests: u64,
    ) -> Result<bool, MarketDataError> {
        let name = format!(
            "{prefix}:budget:{}:{}:{}:{today}",
            key.source, key.symbol, key.interval
        );
        let mut connection = connection.clone();
        // Taken first and given back when over: two instances can never both squeeze in.
        let (used, _): (u64, i64) = redis::pipe()
            .atomic()
            .cmd("INCRBY")
            .arg(&name)
            .arg(requests)
            .cmd("EXPIRE")
            .arg(&name)
            .arg(2 * 24 * 60 * 60)
            .query_async(&mut connection)
            .await
            .map_err(redis_error)?;
        if used <= self.limit {
            return Ok(true);
        }
        let _: i64 = redis::cmd("DECRBY")
            .arg(&name)
            .arg(requests)
            .query_async(&mut connection)
            .await
            .map_err(redis_error)?;
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use store::Interval;

    #[tokio::test]
    async fn anonymous_requests_are_counted_per_series_and_the_operator_is_not() {
        let budget = AnonymousBudget::new(5);
        let gold = SeriesKey::new("fmp", "GOLD", Interval::Daily);
        let oil = SeriesKey::new("fmp", "WTI", Interval::Daily);
        budget.spend(Caller::Anonymous, &gold, 3).await.unwrap();
        budget.spend(Caller::Anonymous, &gold, 2).await.unwrap();
        let refused = budget.spend(Caller::Anonymous, &gold, 1).await.unwrap_err();
        assert!(refused.is_rate_limited(), "{refused}");
        assert!(
            refused.to_string().contains("at most 5 times a day"),
            "{refused}"
        );
        // A refusal takes nothing; another series and the operator are not affected.
        budget.spend(Caller::Anonymous, &oil, 5).await.unwrap();
        budget.spend(Caller::Operator, &gold, 100).await.unwrap();
        assert!(budget.spend(Caller::Anonymous, &gold, 6).await.is_err());
    }
}
