//! Volume functions TA-Lib 0.8 added: CMF, EFI, MARKETFI, NVI, PVI, PVT, RVOL and VWAP, each
//! a bar-at-a-time state.

use crate::indicators::catalog::{BASE, CV, Definition, Group, HLCV, HLV, V, period};
use crate::indicators::moving_averages::MaType;
use crate::indicators::overlap::averages_stream::MaStage;
use crate::indicators::step::Single as _;
use crate::indicators::step::{Bar, Ring, Step};
use crate::indicators::step_blocks::{WindowSum, average};
use crate::indicators::{IndicatorSpec, is_zero};

fn zero_lookback(_: &IndicatorSpec) -> usize {
    0
}

/// Chaikin money flow: the window's money flow volume over its volume (0 on no volume).
#[derive(Debug, Clone)]
struct Cmf {
    flow: WindowSum,
    volume: WindowSum,
}

impl Step for Cmf {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        let range = bar.high - bar.low;
        let flow = if range > 0.0 {
            (((bar.close - bar.low) - (bar.high - bar.close)) / range) * bar.volume
        } else {
            0.0
        };
        let flow = self.flow.push(flow);
        let volume = self.volume.push(bar.volume);
        out[0] = match (flow, volume) {
            (Some(flow), Some(volume)) => {
                if is_zero(volume) {
                    0.0
                } else {
                    flow / volume
                }
            }
            _ => f64::NAN,
        };
    }
}

fn cmf(spec: &IndicatorSpec) -> Box<dyn Step> {
    let period = spec.period(0);
    Box::new(Cmf {
        flow: WindowSum::new(period),
        volume: WindowSum::new(period),
    })
}

fn window_lookback(spec: &IndicatorSpec) -> usize {
    spec.period(0) - 1
}

/// `cmf`: Chaikin money flow.
pub(crate) const CMF: Definition = Definition {
    name: "cmf",
    group: Group::Volume,
    params: &[period("timeperiod", "period", 20, 1)],
    inputs: HLCV,
    step: Some(cmf),
    lookback: Some(window_lookback),
    ..BASE
};

/// Elder's force index: an EMA of `(close − previous close)·volume`.
#[derive(Debug, Clone)]
struct Efi {
    previous: Option<f64>,
    ema: MaStage,
}

impl Step for Efi {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        out[0] = f64::NAN;
        let Some(previous) = self.previous.replace(bar.close) else {
            return;
        };
        if let Some(value) = self.ema.next((bar.close - previous) * bar.volume) {
            out[0] = value;
        }
    }
}

fn efi(spec: &IndicatorSpec) -> Box<dyn Step> {
    Box::new(Efi {
        previous: None,
        ema: average(spec.period(0), MaType::Ema),
    })
}

fn efi_lookback(spec: &IndicatorSpec) -> usize {
    1 + MaType::Ema.lookback(spec.period(0))
}

/// `efi`: Elder's force index.
pub(crate) const EFI: Definition = Definition {
    name: "efi",
    group: Group::Volume,
    params: &[period("timeperiod", "period", 13, 1)],
    inputs: CV,
    step: Some(efi),
    lookback: Some(efi_lookback),
    ..BASE
};

/// Market facilitation index: the bar's range per unit of volume.
#[derive(Debug, Clone)]
struct MarketFi;

impl Step for MarketFi {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        out[0] = if is_zero(bar.volume) {
            0.0
        } else {
            (bar.high - bar.low) / bar.volume
        };
    }
}

fn marketfi(_: &IndicatorSpec) -> Box<dyn Step> {
    Box::new(MarketFi)
}

/// `marketfi`: Bill Williams' market facilitation index.
pub(crate) const MARKETFI: Definition = Definition {
    name: "marketfi",
    group: Group::Volume,
    inputs: HLV,
    step: Some(marketfi),
    lookback: Some(zero_lookback),
    ..BASE
};

/// The negative (positive) volume index from 1000: it moves with the close's return only on
/// bars whose volume fell (rose).
#[derive(Debug, Clone)]
struct VolumeIndex {
    rising: bool,
    previous: Option<(f64, f64)>,
    index: f64,
}

impl Step for VolumeIndex {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        if let Some((close, volume)) = self.previous.replace((bar.close, bar.volume)) {
            let moves = if self.rising {
                bar.volume > volume
            } else {
                bar.volume < volume
            };
            if moves && close != 0.0 {
                self.index += self.index * ((bar.close - close) / close);
            }
        }
        out[0] = self.index;
    }
}

fn volume_index(rising: bool) -> Box<dyn Step> {
    Box::new(VolumeIndex {
        rising,
        previous: None,
        index: 1000.0,
    })
}

fn nvi(_: &IndicatorSpec) -> Box<dyn Step> {
    volume_index(false)
}

fn pvi(_: &IndicatorSpec) -> Box<dyn Step> {
    volume_index(true)
}

/// `nvi`: the negative volume index.
pub(crate) const NVI: Definition = Definition {
    name: "nvi",
    group: Group::Volume,
    inputs: CV,
    step: Some(nvi),
    lookback: Some(zero_lookback),
    ..BASE
};

/// `pvi`: the positive volume index.
pub(crate) const PVI: Definition = Definition {
    name: "pvi",
    group: Group::Volume,
    inputs: CV,
    step: Some(pvi),
    lookback: Some(zero_lookback),
    ..BASE
};

/// Price-volume trend: the running sum of each bar's return times its volume.
#[derive(Debug, Clone, Default)]
struct Pvt {
    previous: Option<f64>,
    total: f64,
}

impl Step for Pvt {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        if let Some(close) = self.previous.replace(bar.close)
            && close != 0.0
        {
            self.total += ((bar.close - close) / close) * bar.volume;
        }
        out[0] = self.total;
    }
}

fn pvt(_: &IndicatorSpec) -> Box<dyn Step> {
    Box::new(Pvt::default())
}

/// `pvt`: the price-volume trend.
pub(crate) const PVT: Definition = Definition {
    name: "pvt",
    group: Group::Volume,
    inputs: CV,
    step: Some(pvt),
    lookback: Some(zero_lookback),
    ..BASE
};

/// Relative volume: the bar's volume over the mean volume of the `period` bars before it
/// (0 when both are 0, infinite when only the mean is).
#[derive(Debug, Clone)]
struct Rvol {
    window: Ring,
}

impl Step for Rvol {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        out[0] = f64::NAN;
        if self.window.full() {
            let mean = self.window.iter().sum::<f64>() / self.window.len() as f64;
            out[0] = if mean != 0.0 {
                bar.volume / mean
            } else if bar.volume == 0.0 {
                0.0
            } else {
                f64::INFINITY
            };
        }
        self.window.push(bar.volume);
    }
}

fn rvol(spec: &IndicatorSpec) -> Box<dyn Step> {
    Box::new(Rvol {
        window: Ring::new(spec.period(0)),
    })
}

fn period_lookback(spec: &IndicatorSpec) -> usize {
    spec.period(0)
}

/// `rvol`: relative volume.
pub(crate) const RVOL: Definition = Definition {
    name: "rvol",
    group: Group::Volume,
    params: &[period("timeperiod", "period", 20, 1)],
    inputs: V,
    step: Some(rvol),
    lookback: Some(period_lookback),
    ..BASE
};

/// The volume-weighted average of the typical price since the first bar.
#[derive(Debug, Clone, Default)]
struct Vwap {
    weighted: f64,
    volume: f64,
}

impl Step for Vwap {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        let typical = (bar.high + bar.low + bar.close) / 3.0;
        self.weighted += typical * bar.volume;
        self.volume += bar.volume;
        out[0] = if self.volume != 0.0 {
            self.weighted / self.volume
        } else {
            typical
        };
    }
}

fn vwap(_: &IndicatorSpec) -> Box<dyn Step> {
    Box::new(Vwap::default())
}

/// `vwap`: the volume-weighted average price from the first bar.
pub(crate) const VWAP: Definition = Definition {
    name: "vwap",
    group: Group::Volume,
    inputs: HLCV,
    step: Some(vwap),
    lookback: Some(zero_lookback),
    ..BASE
};
