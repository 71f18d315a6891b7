//! PERCENTILE and PERCENTRANK over a window of closes.

use crate::indicators::IndicatorSpec;
use crate::indicators::catalog::{BASE, CLOSE, Definition, Group, period, ranged};
use crate::indicators::step::{Bar, Ring, Step};

/// The window's `percentile`-th value: the sorted window's value of rank `⌈n·p/100⌉`
/// (counted from 1; the smallest for p = 0).
#[derive(Debug, Clone)]
struct Percentile {
    window: Ring,
    sorted: Vec<f64>,
    percentile: f64,
}

impl Step for Percentile {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        self.window.push(bar.close);
        if !self.window.full() {
            out[0] = f64::NAN;
            return;
        }
        self.sorted.clear();
        self.sorted.extend(self.window.iter());
        self.sorted.sort_by(f64::total_cmp);
        let n = self.sorted.len();
        let rank = (n as f64 * self.percentile / 100.0).ceil() as usize;
        out[0] = self.sorted[rank.saturating_sub(1).min(n - 1)];
    }
}

fn percentile(spec: &IndicatorSpec) -> Box<dyn Step> {
    let period = spec.period(0);
    Box::new(Percentile {
        window: Ring::new(period),
        sorted: Vec::with_capacity(period),
        percentile: spec.real(1),
    })
}

fn window_lookback(spec: &IndicatorSpec) -> usize {
    spec.period(0) - 1
}

/// `percentile`: a percentile of the window.
pub(crate) const PERCENTILE: Definition = Definition {
    name: "percentile",
    group: Group::Statistic,
    params: &[
        period("timeperiod", "period", 30, 1),
        ranged("percentile", "percentile", 50.0, 0.0, 100.0),
    ],
    inputs: CLOSE,
    step: Some(percentile),
    lookback: Some(window_lookback),
    ..BASE
};

/// The share, in %, of the previous `period` closes strictly below today's.
#[derive(Debug, Clone)]
struct PercentRank {
    window: Ring,
}

impl Step for PercentRank {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        out[0] = f64::NAN;
        if self.window.full() {
            let below = self.window.iter().filter(|&x| x < bar.close).count();
            out[0] = below as f64 * 100.0 / self.window.len() as f64;
        }
        self.window.push(bar.close);
    }
}

fn percentrank(spec: &IndicatorSpec) -> Box<dyn Step> {
    Box::new(PercentRank {
        window: Ring::new(spec.period(0)),
    })
}

fn period_lookback(spec: &IndicatorSpec) -> usize {
    spec.period(0)
}

/// `percentrank`: where today's close ranks among the previous ones.
pub(crate) const PERCENTRANK: Definition = Definition {
    name: "percentrank",
    group: Group::Statistic,
    params: &[period("timeperiod", "period", 100, 1)],
    inputs: CLOSE,
    step: Some(percentrank),
    lookback: Some(period_lookback),
    ..BASE
};
