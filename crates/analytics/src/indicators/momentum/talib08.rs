//! Momentum functions TA-Lib 0.8 added: AO, AC, CMOU, COPPOCK, DPO, ER, ERI, FOSC, IMI,
//! TSI, VHF, VORTEX and WAD, each a bar-at-a-time state.

use crate::indicators::catalog::{BASE, CLOSE, Definition, Group, HL, HLC, OC, Param, period};
use crate::indicators::moving_averages::MaType;
use crate::indicators::overlap::averages_stream::MaStage;
use crate::indicators::step::{Bar, Ring, Single, Step, on_close};
use crate::indicators::step_blocks::{Chain, Lag, WindowSum, average};
use crate::indicators::volatility::true_range;
use crate::indicators::{IndicatorSpec, is_zero};

/// Awesome oscillator: `SMA(median, fast) − SMA(median, slow)`, then (AC) minus its SMA.
#[derive(Debug, Clone)]
struct Awesome {
    fast: MaStage,
    slow: MaStage,
    signal: Option<MaStage>,
}

impl Step for Awesome {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        let median = (bar.high + bar.low) / 2.0;
        let fast = self.fast.next(median);
        let slow = self.slow.next(median);
        out[0] = f64::NAN;
        let (Some(fast), Some(slow)) = (fast, slow) else {
            return;
        };
        let ao = fast - slow;
        out[0] = match self.signal.as_mut() {
            None => ao,
            Some(signal) => match signal.next(ao) {
                Some(average) => ao - average,
                None => f64::NAN,
            },
        };
    }
}

fn awesome(spec: &IndicatorSpec, signal: bool) -> Box<dyn Step> {
    Box::new(Awesome {
        fast: average(spec.period(0), MaType::Sma),
        slow: average(spec.period(1), MaType::Sma),
        signal: signal.then(|| average(spec.period(2), MaType::Sma)),
    })
}

fn ao(spec: &IndicatorSpec) -> Box<dyn Step> {
    awesome(spec, false)
}

fn ac(spec: &IndicatorSpec) -> Box<dyn Step> {
    awesome(spec, true)
}

fn ao_lookback(spec: &IndicatorSpec) -> usize {
    spec.period(0).max(spec.period(1)) - 1
}

fn ac_lookback(spec: &IndicatorSpec) -> usize {
    ao_lookback(spec) + spec.period(2) - 1
}

/// `ao`: Bill Williams' awesome oscillator.
pub(crate) const AO: Definition = Definition {
    name: "ao",
    group: Group::Momentum,
    params: &[
        period("fastperiod", "fast period", 5, 1),
        period("slowperiod", "slow period", 34, 1),
    ],
    inputs: HL,
    step: Some(ao),
    lookback: Some(ao_lookback),
    ..BASE
};

/// `ac`: Bill Williams' accelerator oscillator.
pub(crate) const AC: Definition = Definition {
    name: "ac",
    group: Group::Momentum,
    params: &[
        period("fastperiod", "fast period", 5, 1),
        period("slowperiod", "slow period", 34, 1),
        period("signalperiod", "signal period", 5, 1),
    ],
    inputs: HL,
    step: Some(ac),
    lookback: Some(ac_lookback),
    ..BASE
};

/// `period`.
fn period_lookback(spec: &IndicatorSpec) -> usize {
    spec.period(0)
}

/// `period − 1`.
fn window_lookback(spec: &IndicatorSpec) -> usize {
    spec.period(0) - 1
}

/// Gains and losses of the last `period` one-bar changes, summed from the window.
#[derive(Debug, Clone)]
struct Changes {
    previous: Option<f64>,
    ring: Ring,
}

impl Changes {
    fn new(period: usize) -> Self {
        Self {
            previous: None,
            ring: Ring::new(period),
        }
    }

    /// `(gains, losses, sum of |changes|)` once `period` changes have come.
    fn push(&mut self, value: f64) -> Option<(f64, f64, f64)> {
        let previous = self.previous.replace(value)?;
        self.ring.push(value - previous);
        if !self.ring.full() {
            return None;
        }
        let (mut gains, mut losses, mut path) = (0.0, 0.0, 0.0);
        for change in self.ring.iter() {
            if change > 0.0 {
                gains += change;
            } else {
                losses -= change;
            }
            path += change.abs();
        }
        Some((gains, losses, path))
    }
}

#[derive(Debug, Clone)]
struct Cmou(Changes);

impl Single for Cmou {
    fn push(&mut self, value: f64) -> Option<f64> {
        let (gains, losses, _) = self.0.push(value)?;
        let total = gains + losses;
        Some(if is_zero(total) {
            0.0
        } else {
            100.0 * ((gains - losses) / total)
        })
    }
}

fn cmou(spec: &IndicatorSpec) -> Box<dyn Step> {
    on_close(Cmou(Changes::new(spec.period(0))))
}

const PERIOD_14: &[Param] = &[period("timeperiod", "period", 14, 2)];

/// `cmou`: Chande's momentum oscillator on plain sums (unsmoothed).
pub(crate) const CMOU: Definition = Definition {
    name: "cmou",
    group: Group::Momentum,
    params: PERIOD_14,
    inputs: CLOSE,
    step: Some(cmou),
    lookback: Some(period_lookback),
    ..BASE
};

/// Efficiency ratio: net change over the path length; 1 on a flat window, as TA-Lib.
#[derive(Debug, Clone)]
struct Efficiency {
    changes: Changes,
    lag: Lag,
}

impl Single for Efficiency {
    fn push(&mut self, value: f64) -> Option<f64> {
        let old = self.lag.push(value);
        let (_, _, path) = self.changes.push(value)?;
        let net = (value - old?).abs();
        Some(if is_zero(path) { 1.0 } else { net / path })
    }
}

fn er(spec: &IndicatorSpec) -> Box<dyn Step> {
    let period = spec.period(0);
    on_close(Efficiency {
        changes: Changes::new(period),
        lag: Lag::new(period),
    })
}

/// `er`: Kaufman's efficiency ratio.
pub(crate) const ER: Definition = Definition {
    name: "er",
    group: Group::Momentum,
    params: &[period("timeperiod", "period", 10, 1)],
    inputs: CLOSE,
    step: Some(er),
    lookback: Some(period_lookback),
    ..BASE
};

/// Vertical horizontal filter: the window's range over its path length; 0 on a flat window.
#[derive(Debug, Clone)]
struct Vhf {
    changes: Changes,
    window: Ring,
}

impl Single for Vhf {
    fn push(&mut self, value: f64) -> Option<f64> {
        self.window.push(value);
        let (_, _, path) = self.changes.push(value)?;
        let (mut highest, mut lowest) = (f64::MIN, f64::MAX);
        for x in self.window.iter() {
            highest = highest.max(x);
            lowest = lowest.min(x);
        }
        Some(if is_zero(path) {
            0.0
        } else {
            (highest - lowest) / path
        })
    }
}

fn vhf(spec: &IndicatorSpec) -> Box<dyn Step> {
    let period = spec.period(0);
    on_close(Vhf {
        changes: Changes::new(period),
        window: Ring::new(period),
    })
}

/// `vhf`: the vertical horizontal filter.
pub(crate) const VHF: Definition = Definition {
    name: "vhf",
    group: Group::Momentum,
    params: &[period("timeperiod", "period", 28, 2)],
    inputs: CLOSE,
    step: Some(vhf),
    lookback: Some(period_lookback),
    ..BASE
};

/// Coppock curve: `WMA(ROC(r1) + ROC(r2), w)`.
#[derive(Debug, Clone)]
struct Coppock {
    first: Lag,
    second: Lag,
    wma: MaStage,
}

impl Single for Coppock {
    fn push(&mut self, value: f64) -> Option<f64> {
        let a = self.first.push(value);
        let b = self.second.push(value);
        let roc = |old: f64| {
            if old != 0.0 {
                ((value / old) - 1.0) * 100.0
            } else {
                0.0
            }
        };
        let sum = roc(a?) + roc(b?);
        self.wma.next(sum)
    }
}

fn coppock(spec: &IndicatorSpec) -> Box<dyn Step> {
    on_close(Coppock {
        first: Lag::new(spec.period(1)),
        second: Lag::new(spec.period(2)),
        wma: average(spec.period(0), MaType::Wma),
    })
}

fn coppock_lookback(spec: &IndicatorSpec) -> usize {
    spec.period(1).max(spec.period(2)) + spec.period(0) - 1
}

/// `coppock`: the Coppock curve.
pub(crate) const COPPOCK: Definition = Definition {
    name: "coppock",
    group: Group::Momentum,
    params: &[
        period("wmaperiod", "wma period", 10, 1),
        period("roc1period", "roc1 period", 11, 1),
        period("roc2period", "roc2 period", 14, 1),
    ],
    inputs: CLOSE,
    step: Some(coppock),
    lookback: Some(coppock_lookback),
    ..BASE
};

/// Detrended price oscillator: the close `period/2 + 1` bars back minus today's SMA.
#[derive(Debug, Clone)]
struct Dpo {
    lag: Lag,
    sma: MaStage,
}

impl Single for Dpo {
    fn push(&mut self, value: f64) -> Option<f64> {
        let old = self.lag.push(value);
        let average = self.sma.next(value)?;
        Some(old? - average)
    }
}

fn dpo(spec: &IndicatorSpec) -> Box<dyn Step> {
    let period = spec.period(0);
    on_close(Dpo {
        lag: Lag::new(period / 2 + 1),
        sma: average(period, MaType::Sma),
    })
}

fn dpo_lookback(spec: &IndicatorSpec) -> usize {
    let period = spec.period(0);
    (period - 1).max(period / 2 + 1)
}

/// `dpo`: the detrended price oscillator.
pub(crate) const DPO: Definition = Definition {
    name: "dpo",
    group: Group::Momentum,
    params: &[period("timeperiod", "period", 20, 2)],
    inputs: CLOSE,
    step: Some(dpo),
    lookback: Some(dpo_lookback),
    ..BASE
};

/// Elder ray: high and low minus the EMA of the close.
#[derive(Debug, Clone)]
struct ElderRay(MaStage);

impl Step for ElderRay {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        match self.0.next(bar.close) {
            Some(ema) => {
                out[0] = bar.high - ema;
                out[1] = bar.low - ema;
            }
            None => out.fill(f64::NAN),
        }
    }
}

fn eri(spec: &IndicatorSpec) -> Box<dyn Step> {
    Box::new(ElderRay(average(spec.period(0), MaType::Ema)))
}

/// `eri`: Elder's bull and bear power.
pub(crate) const ERI: Definition = Definition {
    name: "eri",
    group: Group::Momentum,
    params: &[period("timeperiod", "period", 13, 2)],
    outputs: &["bull", "bear"],
    inputs: HLC,
    step: Some(eri),
    lookback: Some(window_lookback),
    ..BASE
};

/// Forecast oscillator: how far the close is from yesterday's time series forecast, in %.
#[derive(Debug, Clone)]
struct Fosc {
    window: Ring,
    forecast: Option<f64>,
}

impl Single for Fosc {
    fn push(&mut self, value: f64) -> Option<f64> {
        let previous = self.forecast.take();
        self.window.push(value);
        if self.window.full() {
            self.forecast = Some(forecast(&self.window));
        }
        let previous = previous?;
        Some(if value != 0.0 {
            100.0 * (value - previous) / value
        } else {
            0.0
        })
    }
}

/// TA-Lib's TSF over a full window: the least-squares line one bar past the newest value.
fn forecast(window: &Ring) -> f64 {
    let n = window.len() as f64;
    let sum_x = n * (n - 1.0) * 0.5;
    let sum_x_sqr = n * (n - 1.0) * (2.0 * n - 1.0) / 6.0;
    let divisor = sum_x * sum_x - n * sum_x_sqr;
    let (mut sum_xy, mut sum_y) = (0.0, 0.0);
    for (k, value) in window.iter().enumerate() {
        sum_y += value;
        sum_xy += (window.len() - 1 - k) as f64 * value;
    }
    let m = (n * sum_xy - sum_x * sum_y) / divisor;
    let b = (sum_y - m * sum_x) / n;
    b + m * n
}

fn fosc(spec: &IndicatorSpec) -> Box<dyn Step> {
    on_close(Fosc {
        window: Ring::new(spec.period(0)),
        forecast: None,
    })
}

/// `fosc`: the forecast oscillator.
pub(crate) const FOSC: Definition = Definition {
    name: "fosc",
    group: Group::Momentum,
    params: &[period("timeperiod", "period", 5, 2)],
    inputs: CLOSE,
    step: Some(fosc),
    lookback: Some(period_lookback),
    ..BASE
};

/// Intraday momentum index: the share of up candles' bodies in all bodies, in %; 50 when
/// every body is empty.
#[derive(Debug, Clone)]
struct Imi(Ring);

impl Step for Imi {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        self.0.push(bar.close - bar.open);
        if !self.0.full() {
            out[0] = f64::NAN;
            return;
        }
        let (mut up, mut down) = (0.0, 0.0);
        for body in self.0.iter() {
            if body > 0.0 {
                up += body;
            } else {
                down -= body;
            }
        }
        let total = up + down;
        out[0] = if is_zero(total) {
            50.0
        } else {
            100.0 * (up / total)
        };
    }
}

fn imi(spec: &IndicatorSpec) -> Box<dyn Step> {
    Box::new(Imi(Ring::new(spec.period(0))))
}

/// `imi`: the intraday momentum index.
pub(crate) const IMI: Definition = Definition {
    name: "imi",
    group: Group::Momentum,
    params: PERIOD_14,
    inputs: OC,
    step: Some(imi),
    lookback: Some(window_lookback),
    ..BASE
};

/// True strength index: `100·EMA(EMA(Δ, first), second)/EMA(EMA(|Δ|, first), second)`.
#[derive(Debug, Clone)]
struct Tsi {
    previous: Option<f64>,
    momentum: Chain<MaStage, MaStage>,
    absolute: Chain<MaStage, MaStage>,
}

impl Single for Tsi {
    fn push(&mut self, value: f64) -> Option<f64> {
        let change = value - self.previous.replace(value)?;
        let momentum = self.momentum.push(change);
        let absolute = self.absolute.push(change.abs())?;
        let momentum = momentum?;
        Some(if is_zero(absolute) {
            0.0
        } else {
            100.0 * (momentum / absolute)
        })
    }
}

fn tsi(spec: &IndicatorSpec) -> Box<dyn Step> {
    let (first, second) = (spec.period(0), spec.period(1));
    let chain = || Chain(average(first, MaType::Ema), average(second, MaType::Ema));
    on_close(Tsi {
        previous: None,
        momentum: chain(),
        absolute: chain(),
    })
}

fn tsi_lookback(spec: &IndicatorSpec) -> usize {
    1 + MaType::Ema.lookback(spec.period(0)) + MaType::Ema.lookback(spec.period(1))
}

/// `tsi`: the true strength index.
pub(crate) const TSI: Definition = Definition {
    name: "tsi",
    group: Group::Momentum,
    params: &[
        period("firstperiod", "first period", 25, 1),
        period("secondperiod", "second period", 13, 1),
    ],
    inputs: CLOSE,
    step: Some(tsi),
    lookback: Some(tsi_lookback),
    ..BASE
};

/// Vortex: the summed distances from today's high (low) to yesterday's low (high), over the
/// summed true ranges; 0 on a zero range.
#[derive(Debug, Clone)]
struct Vortex {
    previous: Option<Bar>,
    plus: WindowSum,
    minus: WindowSum,
    range: WindowSum,
}

impl Step for Vortex {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        out.fill(f64::NAN);
        let Some(previous) = self.previous.replace(*bar) else {
            return;
        };
        let plus = self.plus.push((bar.high - previous.low).abs());
        let minus = self.minus.push((bar.low - previous.high).abs());
        let range = self
            .range
            .push(true_range(bar.high, bar.low, previous.close));
        if let (Some(plus), Some(minus), Some(range)) = (plus, minus, range) {
            if is_zero(range) {
                out.fill(0.0);
            } else {
                out[0] = plus / range;
                out[1] = minus / range;
            }
        }
    }
}

fn vortex(spec: &IndicatorSpec) -> Box<dyn Step> {
    let period = spec.period(0);
    Box::new(Vortex {
        previous: None,
        plus: WindowSum::new(period),
        minus: WindowSum::new(period),
        range: WindowSum::new(period),
    })
}

/// `vortex`: the vortex indicator, +VI and −VI.
pub(crate) const VORTEX: Definition = Definition {
    name: "vortex",
    group: Group::Momentum,
    params: PERIOD_14,
    outputs: &["plus", "minus"],
    inputs: HLC,
    step: Some(vortex),
    lookback: Some(period_lookback),
    ..BASE
};

/// Williams' accumulation/distribution from 0 at the first bar.
#[derive(Debug, Clone, Default)]
struct Wad {
    previous_close: Option<f64>,
    total: f64,
}

impl Step for Wad {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        if let Some(previous) = self.previous_close.replace(bar.close) {
            if bar.close > previous {
                self.total += bar.close - bar.low.min(previous);
            } else if bar.close < previous {
                self.total += bar.close - bar.high.max(previous);
            }
        }
        out[0] = self.total;
    }
}

fn wad(_: &IndicatorSpec) -> Box<dyn Step> {
    Box::new(Wad::default())
}

fn zero_lookback(_: &IndicatorSpec) -> usize {
    0
}

/// `wad`: Williams' accumulation/distribution.
pub(crate) const WAD: Definition = Definition {
    name: "wad",
    group: Group::Momentum,
    inputs: HLC,
    step: Some(wad),
    lookback: Some(zero_lookback),
    ..BASE
};
