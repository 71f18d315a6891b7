//! One bar at a time: a window of the last bars a pattern can read, the same running totals
//! as the batch loop, started on the same bar, so a stream gives exactly the batch values.

use super::candle::{Candles, Total};
use super::hikkake::{self, Setup};
use super::kernel::{self, MAX_TOTALS};
use super::{Kind, Pattern, check_bar};
use crate::AnalyticsError;

/// A pattern evaluated bar by bar in memory bounded by its lookback.
#[derive(Debug, Clone)]
pub struct PatternStream {
    pattern: Pattern,
    penetration: f64,
    /// Bars kept: the lookback plus the current one (the farthest a total reaches back).
    window: usize,
    open: Vec<f64>,
    high: Vec<f64>,
    low: Vec<f64>,
    close: Vec<f64>,
    /// Bars pushed so far.
    count: usize,
    totals: [Total; MAX_TOTALS],
    setup: Setup,
}

impl PatternStream {
    pub(super) fn new(pattern: Pattern, penetration: f64) -> Self {
        let window = pattern.lookback() + 1;
        let buffer = || Vec::with_capacity(2 * window);
        let empty = Total {
            setting: super::settings::BODY_LONG,
            offset: 0,
            sum: 0.0,
        };
        Self {
            pattern,
            penetration,
            window,
            open: buffer(),
            high: buffer(),
            low: buffer(),
            close: buffer(),
            count: 0,
            totals: [empty; MAX_TOTALS],
            setup: Setup::default(),
        }
    }

    /// The pattern this stream evaluates.
    pub fn pattern(&self) -> Pattern {
        self.pattern
    }

    /// Adds one bar and returns its value: `None` for the first `lookback` bars, TA-Lib's
    /// integer after. An invalid bar is an error and is not added.
    pub fn push(
        &mut self,
        open: f64,
        high: f64,
        low: f64,
        close: f64,
    ) -> Result<Option<i32>, AnalyticsError> {
        check_bar(self.count, open, high, low, close)?;
        if self.close.len() == 2 * self.window {
            // Keep the last window − 1 bars; moving them is amortised over `window` pushes.
            let drop = self.close.len() - (self.window - 1);
            for series in [
                &mut self.open,
                &mut self.high,
                &mut self.low,
                &mut self.close,
            ] {
                series.drain(..drop);
            }
            self.setup.shift(drop);
        }
        self.open.push(open);
        self.high.push(high);
        self.low.push(low);
        self.close.push(close);
        let lookback = self.window - 1;
        let bar = self.count;
        self.count += 1;
        if bar < lookback {
            return Ok(None);
        }
        let candles = Candles {
            open: &self.open,
            high: &self.high,
            low: &self.low,
            close: &self.close,
        };
        let i = candles.len() - 1;
        let first = bar == lookback;
        let value = match self.pattern.kind() {
            Kind::Rule(rule) => {
                if first {
                    self.totals = kernel::start_totals(&rule, &candles, i);
                }
                let totals = &mut self.totals[..rule.totals.len()];
                let value = (rule.eval)(&candles, i, totals, self.penetration);
                for total in totals {
                    total.advance(&candles, i);
                }
                value
            }
            Kind::Hikkake => {
                if first {
                    for j in i - hikkake::WARM_UP..i {
                        hikkake::hikkake_step(&candles, j, &mut self.setup);
                    }
                }
                hikkake::hikkake_step(&candles, i, &mut self.setup)
            }
            Kind::HikkakeMod => {
                if first {
                    self.totals[0] = hikkake::hikkakemod_total(&candles);
                    for j in i - hikkake::WARM_UP..i {
                        hikkake::hikkakemod_step(&candles, j, &mut self.setup, &mut self.totals[0]);
                    }
                }
                hikkake::hikkakemod_step(&candles, i, &mut self.setup, &mut self.totals[0])
            }
        };
        Ok(Some(value))
    }
}
