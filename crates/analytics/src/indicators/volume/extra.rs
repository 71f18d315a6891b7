//! Volume functions computed by their bar-at-a-time state: the accumulation/distribution
//! line, its oscillator, and the percentage volume oscillator.

use crate::indicators::IndicatorSpec;
use crate::indicators::catalog::{BASE, Definition, Group, HLCV, V, ma_default, period};
use crate::indicators::momentum::basic_stream::PriceOscillator;
use crate::indicators::moving_averages::MaType;
use crate::indicators::step::{Bar, Step};

/// The bar's money flow volume, `((c − l) − (h − c))/(h − l)·v`, 0 on a zero range.
#[inline]
fn money_flow(bar: &Bar) -> f64 {
    let range = bar.high - bar.low;
    if range > 0.0 {
        (((bar.close - bar.low) - (bar.high - bar.close)) / range) * bar.volume
    } else {
        0.0
    }
}

/// The accumulation/distribution line from the first bar.
#[derive(Debug, Clone, Default)]
struct Ad(f64);

impl Step for Ad {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        self.0 += money_flow(bar);
        out[0] = self.0;
    }
}

fn ad(_: &IndicatorSpec) -> Box<dyn Step> {
    Box::new(Ad::default())
}

fn zero_lookback(_: &IndicatorSpec) -> usize {
    0
}

/// `ad`: the Chaikin accumulation/distribution line.
pub(crate) const AD: Definition = Definition {
    name: "ad",
    group: Group::Volume,
    inputs: HLCV,
    step: Some(ad),
    lookback: Some(zero_lookback),
    ..BASE
};

/// The Chaikin oscillator: two EMAs of the A/D line, both seeded with its first value.
#[derive(Debug, Clone)]
struct Adosc {
    ad: f64,
    fast: (f64, f64),
    slow: (f64, f64),
    fast_ema: f64,
    slow_ema: f64,
    today: usize,
    lookback: usize,
}

impl Step for Adosc {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        self.ad += money_flow(bar);
        let today = self.today;
        self.today += 1;
        if today == 0 {
            self.fast_ema = self.ad;
            self.slow_ema = self.ad;
        } else {
            self.fast_ema = (self.fast.0 * self.ad) + (self.fast.1 * self.fast_ema);
            self.slow_ema = (self.slow.0 * self.ad) + (self.slow.1 * self.slow_ema);
        }
        out[0] = if today < self.lookback {
            f64::NAN
        } else {
            self.fast_ema - self.slow_ema
        };
    }
}

/// The factor `k = 2/(n+1)` and `1 − k`.
fn factors(period: usize) -> (f64, f64) {
    let k = 2.0 / (period as f64 + 1.0);
    (k, 1.0 - k)
}

fn adosc_lookback(spec: &IndicatorSpec) -> usize {
    spec.period(0).max(spec.period(1)) - 1
}

fn adosc(spec: &IndicatorSpec) -> Box<dyn Step> {
    Box::new(Adosc {
        ad: 0.0,
        fast: factors(spec.period(0)),
        slow: factors(spec.period(1)),
        fast_ema: 0.0,
        slow_ema: 0.0,
        today: 0,
        lookback: adosc_lookback(spec),
    })
}

/// `adosc`: the Chaikin A/D oscillator.
pub(crate) const ADOSC: Definition = Definition {
    name: "adosc",
    group: Group::Volume,
    params: &[
        period("fastperiod", "fast period", 3, 2),
        period("slowperiod", "slow period", 10, 2),
    ],
    inputs: HLCV,
    step: Some(adosc),
    lookback: Some(adosc_lookback),
    ..BASE
};

/// PPO of the volume.
#[derive(Debug, Clone)]
struct Pvo(PriceOscillator);

impl Step for Pvo {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        out[0] = self.0.next(bar.volume).unwrap_or(f64::NAN);
    }
}

fn pvo(spec: &IndicatorSpec) -> Box<dyn Step> {
    Box::new(Pvo(PriceOscillator::new(
        spec.period(0),
        spec.period(1),
        spec.ma_type(2),
        true,
    )))
}

fn pvo_lookback(spec: &IndicatorSpec) -> usize {
    spec.ma_type(2).lookback(spec.period(0).max(spec.period(1)))
}

/// `pvo`: the percentage price oscillator of the volume.
pub(crate) const PVO: Definition = Definition {
    name: "pvo",
    group: Group::Volume,
    params: &[
        period("fastperiod", "fast period", 12, 2),
        period("slowperiod", "slow period", 26, 2),
        ma_default("matype", "moving-average type", MaType::Ema),
    ],
    inputs: V,
    step: Some(pvo),
    lookback: Some(pvo_lookback),
    ..BASE
};
