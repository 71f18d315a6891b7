//! The poller: while this instance holds the lease, every `poll_interval` it takes new prices,
//! stores them, publishes a `price_update` per moved series and a `portfolio_update` per saved
//! portfolio holding one of them.

use super::fanout::{Fanout, PublishError};
use super::lease::Lease;
use super::message::Update;
use super::ticker::DemoTicker;
use crate::service::portfolio_risk::saved_portfolio_metrics;
use crate::state::AppState;
use chrono::{Days, Utc};
use market_data::DemoSource;
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use store::{Interval, PriceBar, SeriesKey};
use tokio::sync::watch;
use tokio::time::{Instant, MissedTickBehavior};

/// How far back the metrics of a `portfolio_update` look.
const PORTFOLIO_WINDOW_DAYS: u64 = 365;

/// The poller of one instance; it polls only while it holds the lease.
pub struct Poller {
    lease: Lease,
    poll_interval: Duration,
    renew_interval: Duration,
    work: PollWork,
}

/// What one poll reads and updates, apart from the lease, so that the lease can be renewed
/// while a poll runs.
struct PollWork {
    state: AppState,
    fanout: Fanout,
    demo: Option<DemoTicker>,
    /// The last price published per (source, symbol): an unchanged price is not news.
    last_prices: HashMap<(String, String), f64>,
    /// Whether the last store attempt failed, so an outage is logged once, not every poll.
    store_failing: bool,
}

impl Poller {
    /// A poller publishing through `fanout`, polling every `poll_interval` while `lease` is
    /// held, renewing the lease every `renew_interval` (also while a poll runs).
    pub fn new(
        state: AppState,
        fanout: Fanout,
        lease: Lease,
        poll_interval: Duration,
        renew_interval: Duration,
    ) -> Self {
        let demo = state
            .source(DemoSource::ID)
            .is_some_and(|source| source.enabled)
            .then(|| DemoTicker::new(&state.catalog));
        Self {
            lease,
            poll_interval,
            renew_interval,
            work: PollWork {
                state,
                fanout,
                demo,
                last_prices: HashMap::new(),
                store_failing: false,
            },
        }
    }

    /// Runs until `stop` turns true, then gives the lease up.
    pub async fn run(mut self, mut stop: watch::Receiver<bool>) {
        let step = self.renew_interval.min(self.poll_interval);
        let mut ticks = tokio::time::interval(step);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut holding = false;
        let mut next_poll = Instant::now();
        loop {
            tokio::select! {
                _ = ticks.tick() => {},
                _ = stop.wait_for(|stopped| *stopped) => break,
            }
            // Renewing right before polling also confirms the lease is still ours.
            let held = self.lease.try_hold().await;
            if held != holding {
                if held {
                    tracing::info!(
                        lease = self.lease.kind(),
                        "live poller: this instance now polls"
                    );
                    next_poll = Instant::now();
                } else {
                    tracing::warn!(
                        lease = self.lease.kind(),
                        "live poller: lease lost; standing by"
                    );
                }
                holding = held;
            }
            if holding && Instant::now() >= next_poll {
                if !self.poll_holding_lease().await {
                    tracing::warn!(
                        lease = self.lease.kind(),
                        "live poller: lease lost during a poll; the poll is abandoned"
                    );
                    holding = false;
                }
                next_poll += self.poll_interval;
                if next_poll < Instant::now() {
                    next_poll = Instant::now() + self.poll_interval;
                }
            }
        }
        if holding {
            tracing::info!("live poller: releasing the lease");
        }
        self.lease.release().await;
    }

    /// One poll, with the lease renewed every `renew_interval` while it runs: a poll slower
    /// than the lease's TTL (a provider taking its time, a database busy with an import) must
    /// not let the lease expire, or a second instance would start polling beside this one.
    /// False when the lease was lost all the same (its store unreachable past the TTL): the
    /// poll is then dropped where it stands, since another instance may be polling already.
    async fn poll_holding_lease(&mut self) -> bool {
        let Self {
            lease,
            renew_interval,
            work,
            ..
        } = self;
        let renewing = async {
            let mut renewals =
                tokio::time::interval_at(Instant::now() + *renew_interval, *renew_interval);
            renewals.set_missed_tick_behavior(MissedTickBehavior::Delay);
            loop {
                renewals.tick().await;
                if !lease.try_hold().await {
                    return;
                }
            }
        };
        tokio::select! {
            () = work.poll_once() => true,
            () = renewing => false,
        }
    }
}

impl PollWork {
    /// One poll: prices, storing, publishing.
    async fn poll_once(&mut self) {
        let Some(demo) = self.demo.as_mut() else {
            return;
        };
        let now = Utc::now();
        let quotes = demo.quotes(now);
        let completed = demo.completed_bars(now);
        let key = |symbol: &str| SeriesKey::new(DemoSource::ID, symbol, Interval::Daily);
        let mut series: Vec<(SeriesKey, Vec<PriceBar>)> = completed
            .into_iter()
            .map(|(symbol, bars)| (key(&symbol), bars))
            .collect();
        series.extend(
            quotes
                .iter()
                .filter_map(|quote| Some((key(&quote.symbol), vec![quote.today?]))),
        );
        self.store(&series).await;

        let mut moved: HashSet<(String, String)> = HashSet::new();
        for quote in quotes {
            let id = (DemoSource::ID.to_string(), quote.symbol.clone());
            if self.last_prices.get(&id) == Some(&quote.price) {
                continue;
            }
            let change = quote.previous_close.map(|close| quote.price - close);
            let change_pct = quote
                .previous_close
                .filter(|close| *close != 0.0)
                .map(|close| (quote.price / close - 1.0) * 100.0);
            let update = Update::PriceUpdate {
                source: DemoSource::ID.to_string(),
                symbol: quote.symbol.clone(),
                price: quote.price,
                change,
                change_pct,
                ts: Utc::now(),
            };
            match self.fanout.publish(&update).await {
                Ok(()) => {
                    self.last_prices.insert(id.clone(), quote.price);
                    moved.insert(id);
                }
                // Too large for NOTIFY (and logged there): the others may still go.
                Err(PublishError::TooLarge { .. }) => {}
                Err(error) => {
                    tracing::warn!(%error, "live poller: update not published");
                    // Redis is away: the rest of this poll would fail the same way.
                    break;
                }
            }
        }
        if !moved.is_empty() {
            self.publish_portfolios(&moved).await;
        }
    }

    async fn store(&mut self, series: &[(SeriesKey, Vec<PriceBar>)]) {
        if series.is_empty() {
            return;
        }
        let keys: Vec<SeriesKey> = series.iter().map(|(key, _)| key.clone()).collect();
        let rows: Vec<(usize, PriceBar)> = series
            .iter()
            .enumerate()
            .flat_map(|(index, (_, bars))| bars.iter().map(move |bar| (index, *bar)))
            .collect();
        let outcome = async {
            let mut tx = self.state.store.begin().await?;
            tx.upsert_prices(&keys, &rows).await?;
            tx.commit().await
        }
        .await;
        match outcome {
            Ok(()) if self.store_failing => {
                tracing::info!("live poller: storing prices again");
                self.store_failing = false;
            }
            Ok(()) => {}
            Err(error) if !self.store_failing => {
                tracing::warn!(%error, "live poller: cannot store prices; publishing them anyway");
                self.store_failing = true;
            }
            Err(_) => {}
        }
    }

    /// Publishes new metrics of every saved portfolio holding a moved series.
    async fn publish_portfolios(&self, moved: &HashSet<(String, String)>) {
        let portfolios = match self.state.store.portfolios().await {
            Ok(portfolios) => portfolios,
            Err(error) => {
                tracing::debug!(%error, "live poller: cannot list saved portfolios");
                return;
            }
        };
        let today = Utc::now().date_naive();
        let start = today.checked_sub_days(Days::new(PORTFOLIO_WINDOW_DAYS));
        for portfolio in portfolios {
            let holds_moved = portfolio.assets.iter().any(|asset| {
                moved.contains(&(asset.source.clone(), asset.symbol.to_ascii_uppercase()))
            });
            if !holds_moved {
                continue;
            }
            let report = match saved_portfolio_metrics(
                &self.state,
                &portfolio,
                start,
                None,
                market_data::anonymous_budget::Caller::Operator,
            )
            .await
            {
                Ok(report) => report,
                Err(error) => {
                    tracing::debug!(id = portfolio.id, error = %error, "live poller: no metrics for a portfolio");
                    continue;
                }
            };
            let metrics = match serde_json::to_value(&report) {
                Ok(metrics) => metrics,
                Err(error) => {
                    tracing::error!(%error, "live poller: cannot serialise portfolio metrics");
                    continue;
                }
            };
            let update = Update::PortfolioUpdate {
                portfolio_id: portfolio.id,
                metrics,
            };
            match self.fanout.publish(&update).await {
                Ok(()) | Err(PublishError::TooLarge { .. }) => {}
                Err(error) => {
                    tracing::warn!(%error, "live poller: portfolio update not published");
                    return;
                }
            }
        }
    }
}
