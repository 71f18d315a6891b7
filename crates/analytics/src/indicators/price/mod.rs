//! Price transforms (TA-Lib's group): bar averages, Heikin-Ashi candles and the average
//! deviation, computed by their bar-at-a-time state.

use super::IndicatorSpec;
use super::catalog::{BASE, CLOSE, Definition, Group, HL, HLC, OHLC, period};
use super::step::{Bar, Map, Ring, Step};

fn zero_lookback(_: &IndicatorSpec) -> usize {
    0
}

macro_rules! bar_average {
    ($constant:ident, $name:literal, $build:ident, $inputs:expr, $f:expr) => {
        fn $build(_: &IndicatorSpec) -> Box<dyn Step> {
            Box::new(Map($f))
        }

        #[doc = concat!("`", $name, "`: an average of the bar's prices.")]
        pub(crate) const $constant: Definition = Definition {
            name: $name,
            group: Group::Price,
            inputs: $inputs,
            step: Some($build),
            lookback: Some(zero_lookback),
            ..BASE
        };
    };
}

bar_average!(AVGPRICE, "avgprice", avgprice, OHLC, |b: &Bar| {
    (b.high + b.low + b.close + b.open) / 4.0
});
bar_average!(MEDPRICE, "medprice", medprice, HL, |b: &Bar| (b.high
    + b.low)
    / 2.0);
bar_average!(TYPPRICE, "typprice", typprice, HLC, |b: &Bar| {
    (b.high + b.low + b.close) / 3.0
});
bar_average!(WCLPRICE, "wclprice", wclprice, HLC, |b: &Bar| {
    (b.high + b.low + (b.close * 2.0)) / 4.0
});

/// Heikin-Ashi: the candle's close is the bar's mean, its open the mean of the previous
/// candle's open and close (the first: of the bar's open and close).
#[derive(Debug, Clone, Default)]
struct HeikinAshi {
    previous: Option<(f64, f64)>,
}

impl Step for HeikinAshi {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        let close = (bar.open + bar.high + bar.low + bar.close) / 4.0;
        let open = match self.previous {
            Some((open, close)) => (open + close) / 2.0,
            None => (bar.open + bar.close) / 2.0,
        };
        self.previous = Some((open, close));
        out[0] = open;
        out[1] = bar.high.max(open).max(close);
        out[2] = bar.low.min(open).min(close);
        out[3] = close;
    }
}

fn ha(_: &IndicatorSpec) -> Box<dyn Step> {
    Box::new(HeikinAshi::default())
}

/// `ha`: Heikin-Ashi candles.
pub(crate) const HA: Definition = Definition {
    name: "ha",
    group: Group::Price,
    outputs: &["open", "high", "low", "close"],
    inputs: OHLC,
    step: Some(ha),
    lookback: Some(zero_lookback),
    ..BASE
};

/// The mean absolute deviation from the window's mean, the window summed oldest first.
#[derive(Debug, Clone)]
struct AvgDev {
    ring: Ring,
}

impl Step for AvgDev {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        self.ring.push(bar.close);
        if !self.ring.full() {
            out[0] = f64::NAN;
            return;
        }
        let n = self.ring.len() as f64;
        let mean = self.ring.iter().sum::<f64>() / n;
        let deviation: f64 = self.ring.iter().map(|x| (x - mean).abs()).sum();
        out[0] = deviation / n;
    }
}

fn avgdev(spec: &IndicatorSpec) -> Box<dyn Step> {
    Box::new(AvgDev {
        ring: Ring::new(spec.period(0)),
    })
}

fn window_lookback(spec: &IndicatorSpec) -> usize {
    spec.period(0) - 1
}

/// `avgdev`: the average absolute deviation over a window.
pub(crate) const AVGDEV: Definition = Definition {
    name: "avgdev",
    group: Group::Price,
    params: &[period("timeperiod", "period", 14, 2)],
    inputs: CLOSE,
    step: Some(avgdev),
    lookback: Some(window_lookback),
    ..BASE
};

/// The price transforms.
pub(crate) static DEFINITIONS: &[Definition] =
    &[AVGDEV, AVGPRICE, HA, MEDPRICE, TYPPRICE, WCLPRICE];
