//! The hikkake patterns: an inside bar, then a false breakout (±100), then, within three
//! bars, a close beyond the inside bar's other side that confirms it (±200). These remember
//! the last set-up across bars, so they have their own loop rather than a [`Rule`].
//!
//! [`Rule`]: super::kernel::Rule

use super::candle::settings::NEAR;
use super::candle::{Candles, Total};
use super::kernel::max;

/// CDLHIKKAKE's lookback.
pub(crate) const HIKKAKE_LOOKBACK: usize = 5;
/// CDLHIKKAKEMOD's lookback.
pub(crate) const HIKKAKEMOD_LOOKBACK: usize = max(1, NEAR.period) + 5;
/// Bars before the first output that TA-Lib already scans for a set-up, so that one found
/// there can be confirmed at the first outputs.
pub(crate) const WARM_UP: usize = 3;

/// The last set-up seen: the bar of its breakout and its sign (TA-Lib's `patternIdx` and
/// `patternResult`).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Setup {
    pub bar: usize,
    pub result: i32,
}

impl Setup {
    /// TA-Lib's step at bar `i` once the set-up test `found` is known: a new set-up gives
    /// ±100, a confirmation within three bars ±200 (and forgets the set-up), else 0.
    #[inline]
    fn step(&mut self, c: &Candles, i: usize, found: bool) -> i32 {
        if found {
            self.result = 100 * if c.high[i] < c.high[i - 1] { 1 } else { -1 };
            self.bar = i;
            self.result
        } else if self.confirms(c, i) {
            self.bar = 0;
            self.result + 100 * if self.result > 0 { 1 } else { -1 }
        } else {
            0
        }
    }

    /// Whether bar `i` closes beyond the inside bar within three bars of the breakout. With
    /// no set-up yet (`result` 0) nothing confirms; TA-Lib's `bar` 0 means "forgotten", and
    /// `i ≤ 3` never holds past the lookback, so index `bar − 1` stays in range.
    #[inline]
    fn confirms(&self, c: &Candles, i: usize) -> bool {
        i <= self.bar + 3
            && ((self.result > 0 && c.close[i] > c.high[self.bar.saturating_sub(1)])
                || (self.result < 0 && c.close[i] < c.low[self.bar.saturating_sub(1)]))
    }

    /// Shifts the remembered bar when the caller's window drops `by` bars (streaming).
    pub(crate) fn shift(&mut self, by: usize) {
        self.bar = self.bar.saturating_sub(by);
    }
}

/// CDLHIKKAKE's set-up at bar `i`: bar `i − 1` inside bar `i − 2`, bar `i` breaking out of it
/// on one side only.
#[inline]
fn hikkake_found(c: &Candles, i: usize) -> bool {
    c.high[i - 1] < c.high[i - 2]
        && c.low[i - 1] > c.low[i - 2]
        && ((c.high[i] < c.high[i - 1] && c.low[i] < c.low[i - 1])
            || (c.high[i] > c.high[i - 1] && c.low[i] > c.low[i - 1]))
}

/// CDLHIKKAKEMOD's set-up: two nested inside bars, the second closing near the side the
/// breakout then goes against.
#[inline]
fn hikkakemod_found(c: &Candles, i: usize, near: &Total) -> bool {
    c.high[i - 2] < c.high[i - 3]
        && c.low[i - 2] > c.low[i - 3]
        && c.high[i - 1] < c.high[i - 2]
        && c.low[i - 1] > c.low[i - 2]
        && ((c.high[i] < c.high[i - 1]
            && c.low[i] < c.low[i - 1]
            && c.close[i - 2] <= c.low[i - 2] + near.avg(c, i - 2))
            || (c.high[i] > c.high[i - 1]
                && c.low[i] > c.low[i - 1]
                && c.close[i - 2] >= c.high[i - 2] - near.avg(c, i - 2)))
}

/// One bar of CDLHIKKAKE.
#[inline]
pub(crate) fn hikkake_step(c: &Candles, i: usize, setup: &mut Setup) -> i32 {
    let found = hikkake_found(c, i);
    setup.step(c, i, found)
}

/// One bar of CDLHIKKAKEMOD; moves the Near total on.
#[inline]
pub(crate) fn hikkakemod_step(c: &Candles, i: usize, setup: &mut Setup, near: &mut Total) -> i32 {
    let found = hikkakemod_found(c, i, near);
    let value = setup.step(c, i, found);
    near.advance(c, i);
    value
}

/// The Near total of CDLHIKKAKEMOD as TA-Lib starts it, three bars before its lookback.
pub(crate) fn hikkakemod_total(c: &Candles) -> Total {
    Total::start(c, NEAR, 2, HIKKAKEMOD_LOOKBACK - WARM_UP)
}

/// CDLHIKKAKE over every bar from its lookback on.
pub(crate) fn hikkake(c: &Candles, out: &mut [Option<i32>]) {
    if c.len() <= HIKKAKE_LOOKBACK {
        return;
    }
    let mut setup = Setup::default();
    for i in HIKKAKE_LOOKBACK - WARM_UP..HIKKAKE_LOOKBACK {
        hikkake_step(c, i, &mut setup);
    }
    for (i, slot) in out.iter_mut().enumerate().skip(HIKKAKE_LOOKBACK) {
        *slot = Some(hikkake_step(c, i, &mut setup));
    }
}

/// CDLHIKKAKEMOD over every bar from its lookback on.
pub(crate) fn hikkakemod(c: &Candles, out: &mut [Option<i32>]) {
    if c.len() <= HIKKAKEMOD_LOOKBACK {
        return;
    }
    let mut setup = Setup::default();
    let mut near = hikkakemod_total(c);
    for i in HIKKAKEMOD_LOOKBACK - WARM_UP..HIKKAKEMOD_LOOKBACK {
        hikkakemod_step(c, i, &mut setup, &mut near);
    }
    for (i, slot) in out.iter_mut().enumerate().skip(HIKKAKEMOD_LOOKBACK) {
        *slot = Some(hikkakemod_step(c, i, &mut setup, &mut near));
    }
}
