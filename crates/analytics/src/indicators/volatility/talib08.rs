//! Volatility functions TA-Lib 0.8 added: ADR, CVI, MASSI and RVI, each a bar-at-a-time
//! state.

use crate::indicators::catalog::{BASE, CLOSE, Definition, Group, HL, period};
use crate::indicators::moving_averages::MaType;
use crate::indicators::overlap::averages_stream::{MaStage, Variance};
use crate::indicators::step::{Bar, Single as _, Step};
use crate::indicators::step_blocks::{Lag, WindowSum, average};
use crate::indicators::{IndicatorSpec, is_zero};

/// Average daily range: the SMA of `high − low`.
#[derive(Debug, Clone)]
struct Adr(MaStage);

impl Step for Adr {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        out[0] = self.0.next(bar.high - bar.low).unwrap_or(f64::NAN);
    }
}

fn adr(spec: &IndicatorSpec) -> Box<dyn Step> {
    Box::new(Adr(average(spec.period(0), MaType::Sma)))
}

fn adr_lookback(spec: &IndicatorSpec) -> usize {
    spec.period(0) - 1
}

/// `adr`: the average daily range.
pub(crate) const ADR: Definition = Definition {
    name: "adr",
    group: Group::Volatility,
    params: &[period("timeperiod", "period", 14, 1)],
    inputs: HL,
    step: Some(adr),
    lookback: Some(adr_lookback),
    ..BASE
};

/// Chaikin volatility: the rate of change, in %, of the EMA of `high − low`.
#[derive(Debug, Clone)]
struct Cvi {
    ema: MaStage,
    lag: Lag,
}

impl Step for Cvi {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        out[0] = f64::NAN;
        let Some(ema) = self.ema.next(bar.high - bar.low) else {
            return;
        };
        if let Some(old) = self.lag.push(ema) {
            out[0] = if old != 0.0 {
                ((ema - old) / old) * 100.0
            } else {
                0.0
            };
        }
    }
}

fn cvi(spec: &IndicatorSpec) -> Box<dyn Step> {
    Box::new(Cvi {
        ema: average(spec.period(0), MaType::Ema),
        lag: Lag::new(spec.period(1)),
    })
}

fn cvi_lookback(spec: &IndicatorSpec) -> usize {
    MaType::Ema.lookback(spec.period(0)) + spec.period(1)
}

/// `cvi`: Chaikin volatility.
pub(crate) const CVI: Definition = Definition {
    name: "cvi",
    group: Group::Volatility,
    params: &[
        period("timeperiod", "period", 10, 1),
        period("rocperiod", "roc period", 10, 1),
    ],
    inputs: HL,
    step: Some(cvi),
    lookback: Some(cvi_lookback),
    ..BASE
};

/// Mass index: the sum over `slow` bars of `EMA(h − l)/EMA(EMA(h − l))`.
#[derive(Debug, Clone)]
struct Massi {
    single: MaStage,
    double: MaStage,
    sum: WindowSum,
}

impl Step for Massi {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        out[0] = f64::NAN;
        let Some(single) = self.single.next(bar.high - bar.low) else {
            return;
        };
        let Some(double) = self.double.next(single) else {
            return;
        };
        let ratio = if double == 0.0 { 0.0 } else { single / double };
        if let Some(total) = self.sum.push(ratio) {
            out[0] = total;
        }
    }
}

fn massi(spec: &IndicatorSpec) -> Box<dyn Step> {
    let fast = spec.period(0);
    Box::new(Massi {
        single: average(fast, MaType::Ema),
        double: average(fast, MaType::Ema),
        sum: WindowSum::new(spec.period(1)),
    })
}

fn massi_lookback(spec: &IndicatorSpec) -> usize {
    2 * MaType::Ema.lookback(spec.period(0)) + spec.period(1) - 1
}

/// `massi`: the mass index.
pub(crate) const MASSI: Definition = Definition {
    name: "massi",
    group: Group::Volatility,
    params: &[
        period("fastperiod", "fast period", 9, 1),
        period("slowperiod", "slow period", 25, 1),
    ],
    inputs: HL,
    step: Some(massi),
    lookback: Some(massi_lookback),
    ..BASE
};

/// Relative volatility index: RSI's form on the standard deviation of the close, Wilder
/// smoothing the deviation of up bars and of down bars.
#[derive(Debug, Clone)]
struct Rvi {
    deviation: Option<Variance>,
    previous: Option<f64>,
    up: MaStage,
    down: MaStage,
}

impl Step for Rvi {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        out[0] = f64::NAN;
        let previous = self.previous.replace(bar.close);
        let variance = match self.deviation.as_mut() {
            Some(state) => state.next(bar.close),
            None => Some(0.0),
        };
        let (Some(variance), Some(previous)) = (variance, previous) else {
            return;
        };
        let deviation = if variance > 0.0 { variance.sqrt() } else { 0.0 };
        let change = bar.close - previous;
        let up = self.up.next(if change > 0.0 { deviation } else { 0.0 });
        let down = self.down.next(if change < 0.0 { deviation } else { 0.0 });
        if let (Some(up), Some(down)) = (up, down) {
            let total = up + down;
            out[0] = if is_zero(total) {
                0.0
            } else {
                100.0 * (up / total)
            };
        }
    }
}

fn rvi(spec: &IndicatorSpec) -> Box<dyn Step> {
    let deviation = spec.period(1);
    Box::new(Rvi {
        deviation: (deviation > 1).then(|| Variance::new(deviation)),
        previous: None,
        up: average(spec.period(0), MaType::Rma),
        down: average(spec.period(0), MaType::Rma),
    })
}

fn rvi_lookback(spec: &IndicatorSpec) -> usize {
    (spec.period(1) - 1).max(1) + MaType::Rma.lookback(spec.period(0))
}

/// `rvi`: the relative volatility index.
pub(crate) const RVI: Definition = Definition {
    name: "rvi",
    group: Group::Volatility,
    params: &[
        period("timeperiod", "period", 14, 2),
        period("stddevperiod", "stddev period", 10, 2),
    ],
    inputs: CLOSE,
    step: Some(rvi),
    lookback: Some(rvi_lookback),
    ..BASE
};
