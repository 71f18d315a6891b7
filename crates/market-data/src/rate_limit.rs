//! Rate limits per provider key: a sliding-window log (no window of the period ever holds more
//! than N requests) and a daily quota counted per UTC day.
//!
//! Two backends answer the same question, "may I send one request now?": [`InProcessLimiter`]
//! for a single process and [`RedisLimiter`], whose state is shared by every process and
//! instance pointing at the same Redis. [`RateLimiter::acquire`] waits for the earliest free slot
//! (up to a bound) rather than failing, and fails at once when the day's quota is spent.
//!
//! A slot is dated twice: when it is granted, and again by [`RateLimiter::release`] when the
//! answer has come back. The provider counts a request when it *arrives*, which is somewhere
//! between the two; dating the slot at the answer means the next grant is at least one period
//! after that arrival, however long the request took to leave this process or cross the
//! network. Dated at the grant alone, a request delayed on its way (a loaded machine) could
//! land in the same provider-side window as one granted a period later.

use crate::error::MarketDataError;
use crate::redis_connection::redis_error;
use chrono::{DateTime, Days, NaiveDate, Utc};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What a key may spend: at most `max_requests` in any window of `per`, and `daily_quota` a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LimitPolicy {
    /// The sliding window, when the provider has a burst limit.
    pub window: Option<crate::provider::RateLimit>,
    /// Requests allowed per UTC day, when the provider counts by day.
    pub daily_quota: Option<u32>,
}

/// The answer to one attempt to take a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// The slot is taken: send now. `used_today` counts this request.
    Granted {
        /// Requests counted today for the key, this one included (0 without a quota).
        used_today: u32,
    },
    /// The window is full: the earliest slot frees after this wait.
    Wait(Duration),
    /// The day's quota is spent until the next UTC midnight.
    QuotaExhausted {
        /// When the quota resets.
        resets_at: DateTime<Utc>,
    },
}

/// A granted slot, as [`RateLimiter::acquire`] reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permit {
    /// Requests counted today for the key, this one included (0 without a quota).
    pub used_today: u32,
    /// How long the caller waited for the slot.
    pub waited: Duration,
    /// Names the slot in the window, for [`RateLimiter::release`].
    pub ticket: Ticket,
}

/// Which window entry a granted slot occupies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ticket {
    /// The policy has no window: nothing to re-date.
    None,
    /// The grant time in an [`InProcessLimiter`]'s log.
    InProcess(Duration),
    /// The member of the window's sorted set in Redis.
    Redis(u64),
}

/// The next UTC midnight after `now`: when a daily quota resets.
pub fn next_utc_midnight(now: DateTime<Utc>) -> DateTime<Utc> {
    let tomorrow = now.date_naive() + Days::new(1);
    tomorrow.and_hms_opt(0, 0, 0).map_or(now, |t| t.and_utc())
}

/// The pure state of one key: the log of recent request times and today's count. Times are
/// offsets from any fixed origin, so tests drive it without a clock.
#[derive(Debug, Clone, Default)]
pub struct WindowLog {
    sent: VecDeque<Duration>,
    day: Option<NaiveDate>,
    used_today: u32,
}

impl WindowLog {
    /// Tries to take a slot at time `now` (an offset from the log's origin) on UTC day `today`.
    /// The quota is checked first so that a refused request never occupies a window slot.
    pub fn try_take(&mut self, policy: &LimitPolicy, now: Duration, today: NaiveDate) -> Admission {
        if self.day != Some(today) {
            self.day = Some(today);
            self.used_today = 0;
        }
        if let Some(quota) = policy.daily_quota
            && self.used_today >= quota
        {
            let resets_at = (today + Days::new(1))
                .and_hms_opt(0, 0, 0)
                .map_or_else(Utc::now, |t| t.and_utc());
            return Admission::QuotaExhausted { resets_at };
        }
        if let Some(limit) = policy.window {
            // A request sent exactly `per` ago has left the window [now - per, now) already.
            while let Some(&oldest) = self.sent.front() {
                if oldest + limit.per <= now {
                    self.sent.pop_front();
                } else {
                    break;
                }
            }
            if self.sent.len() >= limit.max_requests as usize {
                let oldest = self.sent.front().copied().unwrap_or(now);
                return Admission::Wait((oldest + limit.per).saturating_sub(now));
            }
            self.sent.push_back(now);
        }
        if policy.daily_quota.is_some() {
            self.used_today += 1;
        }
        Admission::Granted {
            used_today: self.used_today,
        }
    }

    /// Re-dates the slot granted at `granted_at` to `now`, when its answer came back, so the
    /// window keeps it until a full period after the provider can have received it. A slot
    /// already gone from the log is put back: a later grant may have taken its place, but
    /// none can follow within a period of `now`.
    pub fn release(&mut self, granted_at: Duration, now: Duration) {
        if let Some(index) = self.sent.iter().position(|&t| t == granted_at) {
            self.sent.remove(index);
        }
        // Every entry was taken at or before `now`, so pushing at the back keeps the log sorted.
        self.sent.push_back(now);
    }

    /// Requests counted on `today`.
    pub fn used_on(&self, today: NaiveDate) -> u32 {
        if self.day == Some(today) {
            self.used_today
        } else {
            0
        }
    }
}

/// Limits kept in this process only.
#[derive(Debug)]
pub struct InProcessLimiter {
    origin: Instant,
    keys: Mutex<HashMap<String, WindowLog>>,
}

impl Default for InProcessLimiter {
    fn default() -> Self {
        Self::new()
    }
}

impl InProcessLimiter {
    /// An empty limiter.
    pub fn new() -> Self {
        Self {
            origin: Instant::now(),
            keys: Mutex::new(HashMap::new()),
        }
    }

    /// Tries to take a slot for `key` now.
    pub fn try_take(&self, key: &str, policy: &LimitPolicy) -> Admission {
        self.try_take_ticket(key, policy).0
    }

    /// Like [`InProcessLimiter::try_take`], with the ticket naming a granted slot.
    fn try_take_ticket(&self, key: &str, policy: &LimitPolicy) -> (Admission, Ticket) {
        let now = self.origin.elapsed();
        let today = Utc::now().date_naive();
        // A poisoned lock only means another thread panicked mid-update; the log is still usable.
        let mut keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        let admission = keys
            .entry(key.to_string())
            .or_default()
            .try_take(policy, now, today);
        let ticket = match (admission, policy.window) {
            (Admission::Granted { .. }, Some(_)) => Ticket::InProcess(now),
            _ => Ticket::None,
        };
        (admission, ticket)
    }

    /// Re-dates the slot of `ticket` to now (see [`WindowLog::release`]).
    pub fn release(&self, key: &str, ticket: Ticket) {
        let Ticket::InProcess(granted_at) = ticket else {
            return;
        };
        let now = self.origin.elapsed();
        let mut keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(log) = keys.get_mut(key) {
            log.release(granted_at, now);
        }
    }

    /// Requests counted today for `key`.
    pub fn used_today(&self, key: &str) -> u32 {
        let keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        keys.get(key)
            .map_or(0, |log| log.used_on(Utc::now().date_naive()))
    }
}

/// The atomic check-and-take, run inside Redis so that concurrent processes cannot both take the
/// last slot. Time comes from the Redis server, so processes with skewed clocks still agree.
/// KEYS: the window's sorted set, today's quota counter. ARGV: window ms (0 = none), max
/// requests, quota (0 = none), quota expiry (unix seconds), the slot's unique member.
/// Returns {1, used_today} when granted, {0, wait_ms} when the window is full, {-1, used} when
/// the quota is spent.
const ACQUIRE_SCRIPT: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local max_requests = tonumber(ARGV[2])
local quota = tonumber(ARGV[3])
if quota > 0 then
  local used = tonumber(redis.call('GET', KEYS[2]) or '0')
  if used >= quota then return {-1, used} end
end
if window > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
  if redis.call('ZCARD', KEYS[1]) >= max_requests then
    local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    local wait = tonumber(oldest[2]) + window - now
    if wait < 1 then wait = 1 end
    return {0, wait}
  end
  redis.call('ZADD', KEYS[1], now, ARGV[5])
  redis.call('PEXPIRE', KEYS[1], window)
end
local used = 0
if quota > 0 then
  used = redis.call('INCR', KEYS[2])
  redis.call('EXPIREAT', KEYS[2], ARGV[4])
end
return {1, used}
"#;

/// Re-dates a granted slot to the Redis server's time now (see the module doc), putting it back
/// if it already left the window. KEYS: the window's sorted set. ARGV: the member, window ms.
const RELEASE_SCRIPT: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"#;

/// Limits shared through Redis by every process and instance using the same key prefix.
#[derive(Clone)]
pub struct RedisLimiter {
    connection: redis::aio::ConnectionManager,
    prefix: String,
    script: redis::Script,
    release_script: redis::Script,
}

impl std::fmt::Debug for RedisLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisLimiter")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl RedisLimiter {
    /// Connects to `url`; every key this limiter writes starts with `prefix:`.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, MarketDataError> {
        let connection = crate::redis_connection::connect(url).await?;
        Ok(Self {
            connection,
            prefix: prefix.to_string(),
            script: redis::Script::new(ACQUIRE_SCRIPT),
            release_script: redis::Script::new(RELEASE_SCRIPT),
        })
    }

    fn window_key(&self, key: &str) -> String {
        format!("{}:rl:window:{key}", self.prefix)
    }

    fn quota_key(&self, key: &str, today: NaiveDate) -> String {
        format!("{}:rl:quota:{key}:{today}", self.prefix)
    }

    /// Tries to take a slot for `key` now, atomically across every process.
    pub async fn try_take(
        &self,
        key: &str,
        policy: &LimitPolicy,
    ) -> Result<Admission, MarketDataError> {
        Ok(self.try_take_ticket(key, policy).await?.0)
    }

    /// Re-dates the slot of `ticket` to the Redis server's time now (see the module doc).
    pub async fn release(
        &self,
        key: &str,
        policy: &LimitPolicy,
        ticket: Ticket,
    ) -> Result<(), MarketDataError> {
        let (Ticket::Redis(member), Some(window)) = (ticket, policy.window) else {
            return Ok(());
        };
        let mut connection = self.connection.clone();
        let _: i64 = self
            .release_script
            .key(self.window_key(key))
            .arg(member)
            .arg(window.per.as_millis() as u64)
            .invoke_async(&mut connection)
            .await
            .map_err(redis_error)?;
        Ok(())
    }

    /// Like [`RedisLimiter::try_take`], with the ticket naming a granted slot.
    async fn try_take_ticket(
        &self,
        key: &str,
        policy: &LimitPolicy,
    ) -> Result<(Admission, Ticket), MarketDataError> {
        let now = Utc::now();
        let today = now.date_naive();
        let resets_at = next_utc_midnight(now);
        let (window_ms, max_requests) = policy
            .window
            .map_or((0, 0), |w| (w.per.as_millis() as u64, w.max_requests));
        let member: u64 = rand::random();
        let mut connection = self.connection.clone();
        let (status, value): (i64, i64) = self
            .script
            .key(self.window_key(key))
            .key(self.quota_key(key, today))
            .arg(window_ms)
            .arg(max_requests)
            .arg(policy.daily_quota.unwrap_or(0))
            // Kept an hour past midnight so a clock slightly behind Redis's still finds it.
            .arg(resets_at.timestamp() + 3600)
            .arg(member)
            .invoke_async(&mut connection)
            .await
            .map_err(redis_error)?;
        Ok(match status {
            1 => (
                Admission::Granted {
                    used_today: u32::try_from(value).unwrap_or(u32::MAX),
                },
                if policy.window.is_some() {
                    Ticket::Redis(member)
                } else {
                    Ticket::None
                },
            ),
            0 => (
                Admission::Wait(Duration::from_millis(value.max(1) as u64)),
                Ticket::None,
            ),
            _ => (Admission::QuotaExhausted { resets_at }, Ticket::None),
        })
    }

    /// Requests counted today for `key`.
    pub async fn used_today(&self, key: &str) -> Result<u32, MarketDataError> {
        let mut connection = self.connection.clone();
        let used: Option<u32> = redis::cmd("GET")
            .arg(self.quota_key(key, Utc::now().date_naive()))
            .query_async(&mut connection)
            .await
            .map_err(redis_error)?;
        Ok(used.unwrap_or(0))
    }
}

/// The limiter a transport uses: in-process, or shared through Redis.
#[derive(Debug)]
pub enum RateLimiter {
    /// State in this process only.
    InProcess(InProcessLimiter),
    /// State shared through Redis.
    Redis(RedisLimiter),
}

impl RateLimiter {
    /// An in-process limiter.
    pub fn in_process() -> Self {
        RateLimiter::InProcess(InProcessLimiter::new())
    }

    /// One attempt to take a slot for `key`.
    pub async fn try_take(
        &self,
        key: &str,
        policy: &LimitPolicy,
    ) -> Result<Admission, MarketDataError> {
        match self {
            RateLimiter::InProcess(limiter) => Ok(limiter.try_take(key, policy)),
            RateLimiter::Redis(limiter) => limiter.try_take(key, policy).await,
        }
    }

    async fn try_take_ticket(
        &self,
        key: &str,
        policy: &LimitPolicy,
    ) -> Result<(Admission, Ticket), MarketDataError> {
        match self {
            RateLimiter::InProcess(limiter) => Ok(limiter.try_take_ticket(key, policy)),
            RateLimiter::Redis(limiter) => limiter.try_take_ticket(key, policy).await,
        }
    }

    /// Requests counted today for `key`.
    pub async fn used_today(&self, key: &str) -> Result<u32, MarketDataError> {
        match self {
            RateLimiter::InProcess(limiter) => Ok(limiter.used_today(key)),
            RateLimiter::Redis(limiter) => limiter.used_today(key).await,
        }
    }

    /// Re-dates a granted slot to now, once the request's answer (or failure) is in: call it
    /// after every request sent on a [`Permit`] (see the module doc for why).
    pub async fn release(
        &self,
        key: &str,
        policy: &LimitPolicy,
        ticket: Ticket,
    ) -> Result<(), MarketDataError> {
        match self {
            RateLimiter::InProcess(limiter) => {
                limiter.release(key, ticket);
                Ok(())
            }
            RateLimiter::Redis(limiter) => limiter.release(key, policy, ticket).await,
        }
    }

    /// Takes a slot for `key`, sleeping until the earliest free one; `source_id` names the
    /// source in errors. Fails with [`MarketDataError::RateLimited`] when the slot is further
    /// away than `max_wait` or the day's quota is spent (at once: waiting cannot help).
    pub async fn acquire(
        &self,
        source_id: &str,
        key: &str,
        policy: &LimitPolicy,
        max_wait: Duration,
    ) -> Result<Permit, MarketDataError> {
        let started = Instant::now();
        loop {
            let (admission, ticket) = self.try_take_ticket(key, policy).await?;
            match admission {
                Admission::Granted { used_today } => {
                    if let Some(quota) = policy.daily_quota {
                        metrics::gauge!("commodex_quota_remaining", "source" => source_id.to_string())
                            .set(f64::from(quota.saturating_sub(used_today)));
                    }
                    return Ok(Permit {
                        used_today,
                        waited: started.elapsed(),
                        ticket,
                    });
                }
                Admission::QuotaExhausted { resets_at } => {
                    metrics::gauge!("commodex_quota_remaining", "source" => source_id.to_string())
                        .set(0.0);
                    return Err(MarketDataError::RateLimited {
                        source_id: source_id.to_string(),
                        message: format!(
                            "the daily quota of {} requests is spent",
                            policy.daily_quota.unwrap_or(0)
                        ),
                        retry_after: None,
                        resets_at: Some(resets_at),
                    });
                }
                Admission::Wait(wait) => {
                    if started.elapsed() + wait > max_wait {
                        return Err(MarketDataError::RateLimited {
                            source_id: source_id.to_string(),
                            message: format!("no request slot within {} ms", max_wait.as_millis()),
                            retry_after: Some(wait),
                            resets_at: None,
                        });
                    }
                    metrics::counter!("commodex_rate_limit_waits_total", "source" => source_id.to_string())
                        .increment(1);
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::RateLimit;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn window_grants_up_to_the_limit_then_says_how_long_to_wait() {
        let policy = LimitPolicy {
            window: Some(RateLimit::per_second(2)),
            daily_quota: None,
        };
        let mut log = WindowLog::default();
        assert!(matches!(
            log.try_take(&policy, ms(0), day()),
            Admission::Granted { .. }
        ));
        assert!(matches!(
            log.try_take(&policy, ms(300), day()),
            Admission::Granted { .. }
        ));
        assert_eq!(
            log.try_take(&policy, ms(400), day()),
            Admission::Wait(ms(600))
        );
        // The first request leaves the window exactly one period after it was sent.
        assert!(matches!(
            log.try_take(&policy, ms(1000), day()),
            Admission::Granted { .. }
        ));
        assert_eq!(
            log.try_take(&policy, ms(1100), day()),
            Admission::Wait(ms(200))
        );
    }

    #[test]
    fn window_never_holds_more_than_the_limit_in_any_period() {
        let policy = LimitPolicy {
            window: Some(RateLimit::per_second(3)),
            daily_quota: None,
        };
        let mut log = WindowLog::default();
        let mut granted = Vec::new();
        // Callers that retry every 37 ms for 5 seconds: a fixed bucket would let 6 through
        // around a bucket edge; a sliding window never more than 3 in any second.
        for step in 0..135u64 {
            let now = ms(step * 37);
            if let Admission::Granted { .. } = log.try_take(&policy, now, day()) {
                granted.push(now);
            }
        }
        for (i, start) in granted.iter().enumerate() {
            let in_window = granted[i..]
                .iter()
                .take_while(|t| **t < *start + Duration::from_secs(1))
                .count();
            assert!(
                in_window <= 3,
                "{in_window} requests within 1 s of {start:?}"
            );
        }
        assert!(granted.len() >= 14, "only {} granted", granted.len());
    }

    #[test]
    fn a_released_slot_is_kept_a_full_period_after_its_answer() {
        let policy = LimitPolicy {
            window: Some(RateLimit::per_second(1)),
            daily_quota: None,
        };
        let mut log = WindowLog::default();
        assert!(matches!(
            log.try_take(&policy, ms(0), day()),
            Admission::Granted { .. }
        ));
        // The answer took 300 ms: the provider may have counted the request as late as that.
        log.release(ms(0), ms(300));
        assert_eq!(
            log.try_take(&policy, ms(1000), day()),
            Admission::Wait(ms(300))
        );
        assert!(matches!(
            log.try_take(&policy, ms(1300), day()),
            Admission::Granted { .. }
        ));
        // A slot that already left the log comes back dated at its answer.
        log.release(ms(42), ms(1400));
        assert_eq!(log.sent.len(), 2);
        assert_eq!(
            log.try_take(&policy, ms(2350), day()),
            Admission::Wait(ms(50))
        );
    }

    #[test]
    fn quota_is_spent_then_resets_the_next_utc_day() {
        let policy = LimitPolicy {
            window: None,
            daily_quota: Some(2),
        };
        let mut log = WindowLog::default();
        assert_eq!(
            log.try_take(&policy, ms(0), day()),
            Admission::Granted { used_today: 1 }
        );
        assert_eq!(
            log.try_take(&policy, ms(1), day()),
            Admission::Granted { used_today: 2 }
        );
        let expected_reset = NaiveDate::from_ymd_opt(2026, 11, 25)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc();
        assert_eq!(
            log.try_take(&policy, ms(2), day()),
            Admission::QuotaExhausted {
                resets_at: expected_reset
            }
        );
        let tomorrow = day() + Days::new(1);
        assert_eq!(
            log.try_take(&policy, ms(3), tomorrow),
            Admission::Granted { used_today: 1 }
        );
    }

    #[test]
    fn a_refused_quota_does_not_take_a_window_slot() {
        let policy = LimitPolicy {
            window: Some(RateLimit::per_second(1)),
            daily_quota: Some(1),
        };
        let mut log = WindowLog::default();
        assert!(matches!(
            log.try_take(&policy, ms(0), day()),
            Admission::Granted { .. }
        ));
        assert!(matches!(
            log.try_take(&policy, ms(2000), day()),
            Admission::QuotaExhausted { .. }
        ));
        assert_eq!(log.sent.len(), 1);
    }

    #[tokio::test]
    async fn acquire_waits_for_the_next_slot_within_the_bound() {
        let limiter = RateLimiter::in_process();
        let policy = LimitPolicy {
            window: Some(RateLimit {
                max_requests: 1,
                per: ms(200),
            }),
            daily_quota: None,
        };
        let first = limiter
            .acquire("test", "k", &policy, ms(1000))
            .await
            .unwrap();
        assert!(first.waited < ms(50));
        let second = limiter
            .acquire("test", "k", &policy, ms(1000))
            .await
            .unwrap();
        assert!(second.waited >= ms(150), "waited {:?}", second.waited);
    }

    #[tokio::test]
    async fn acquire_fails_rate_limited_beyond_the_bound_or_quota() {
        let limiter = RateLimiter::in_process();
        let policy = LimitPolicy {
            window: Some(RateLimit {
                max_requests: 1,
                per: Duration::from_secs(60),
            }),
            daily_quota: None,
        };
        limiter.acquire("fmp", "k", &policy, ms(10)).await.unwrap();
        let error = limiter
            .acquire("fmp", "k", &policy, ms(10))
            .await
            .unwrap_err();
        assert!(
            matches!(error, MarketDataError::RateLimited { .. }),
            "{error}"
        );

        let quota = LimitPolicy {
            window: None,
            daily_quota: Some(1),
        };
        limiter.acquire("fmp", "q", &quota, ms(10)).await.unwrap();
        let started = Instant::now();
        let error = limiter
            .acquire("fmp", "q", &quota, Duration::from_secs(30))
            .await
            .unwrap_err();
        assert!(started.elapsed() < ms(100), "a spent quota must not wait");
        match error {
            MarketDataError::RateLimited { resets_at, .. } => assert!(resets_at.is_some()),
            other => panic!("unexpected {other}"),
        }
        assert_eq!(limiter.used_today("q").await.unwrap(), 1);
    }
}
