//! Resumable indicators: the same outputs as [`IndicatorSpec::compute`], fed chunk by chunk.
//!
//! [`IndicatorSpec::stream`] makes an [`IndicatorStream`] that takes the bars of a series in
//! chunks of any length (down to one bar) and writes the outputs of each chunk's bars,
//! keeping between chunks only what the indicator needs: running sums, the previous EMA, a
//! window of at most `period + 1` values, SAR's or MAMA's state. Memory is bounded by the
//! parameters, never by the length of the series.
//!
//! Every state performs its batch kernel's floating-point operations in the kernel's order,
//! so the outputs, lookback NaNs included, are the batch outputs bit for bit, however the
//! series is cut (`tests/streaming_indicators.rs` holds them to that on the golden inputs
//! and on random series cut at random). The batch kernels stay: several are vectorised in
//! ways a bar-at-a-time state cannot be, and they remain the faster way to compute a series
//! that is in memory anyway.
//!
//! Validation is the batch one, chunk by chunk: a NaN or infinity, a high below its low,
//! columns of different lengths or a missing column are [`AnalyticsError::InvalidInput`]
//! with the batch wording, and a row is named by its index in the whole series, not in the
//! chunk. A chunk that fails leaves the state as it was. When a series has more than one
//! fault, the one reported is the first chunk's first, which is the batch answer when that
//! chunk is the whole series.

use super::momentum::{
    basic_stream as momentum, oscillators_stream as oscillators, trend_stream as trend,
};
use super::overlap::{averages_stream as averages, mama_stream as mama};

use super::batch::{columns, feed};
use super::moving_averages::{EmaStep, MaType};
use super::step::Step;
use super::{
    IndicatorSpec, Inputs, Ohlcv, check_high_low_from, check_output, check_same_length_from,
    check_series_from,
};
use crate::AnalyticsError;
use averages::{Ema, MaStage, T3, Variance};
use mama::Mama;
use momentum::{Lagged, Macd, PriceOscillator, Trix, Wilder, cmo_value, roc_value, rsi_value};
use oscillators::{Cci, RangeWindow, Stoch, StochRsi, Ultosc, willr_value};
use trend::{Adx, Adxr, Aroon, Atr, Bar, Directional, Mfi, Obv, OneBarDi, Sar, directional_index};

/// An indicator's state between chunks of its input; see the module docs.
///
/// ```
/// use analytics::indicators::{IndicatorSpec, Ohlcv};
///
/// let close: Vec<f64> = (0..100).map(|i| 100.0 + (i as f64 * 0.3).sin()).collect();
/// let spec: IndicatorSpec = "rsi(14)".parse().unwrap();
/// let mut stream = spec.stream();
/// let mut out = vec![0.0; close.len()];
/// for (input, output) in close.chunks(7).zip(out.chunks_mut(7)) {
///     stream.push(&Ohlcv::from_close(input), &mut [output]).unwrap();
/// }
/// let batch = spec.compute(&Ohlcv::from_close(&close)).unwrap();
/// assert!(out.iter().zip(&batch[0]).all(|(a, b)| a.to_bits() == b.to_bits()));
/// ```
#[derive(Debug, Clone)]
pub struct IndicatorStream {
    name: &'static str,
    inputs: Inputs,
    outputs: usize,
    rows: usize,
    state: State,
}

/// Bollinger bands: the average and the variance over the same bars.
#[derive(Debug, Clone)]
struct Bbands {
    middle: MaStage,
    variance: Variance,
    nbdev_up: f64,
    nbdev_down: f64,
}

/// The state of each indicator family.
#[derive(Debug, Clone)]
enum State {
    Average(MaStage),
    Mama(Box<Mama>),
    Bbands(Box<Bbands>),
    Rsi(Wilder),
    Cmo(Wilder),
    Roc(Lagged),
    Mom(Lagged),
    Macd(Macd),
    PriceOscillator(PriceOscillator),
    Trix(Trix),
    Stoch(Stoch),
    StochRsi(StochRsi),
    Willr(RangeWindow),
    Cci(Cci),
    Ultosc(Ultosc),
    Atr(Atr),
    Natr(Atr),
    Di(Directional, bool),
    OneBarDi(OneBarDi),
    Adx(Adx),
    Adxr(Adxr),
    Sar(Sar),
    /// With the period as a float.
    Aroon(Aroon, f64),
    /// With the period as a float.
    AroonOsc(Aroon, f64),
    Mfi(Mfi),
    Obv(Obv),
    /// A function computed by its bar-at-a-time state.
    Step(Box<dyn Step>),
}

impl IndicatorSpec {
    /// A fresh [`IndicatorStream`] for this spec, positioned before the first bar.
    pub fn stream(&self) -> IndicatorStream {
        let state = if let Some(build) = self.definition().step {
            State::Step(build(self))
        } else {
            self.kernel_state()
        };
        IndicatorStream {
            name: self.name(),
            inputs: self.needs(),
            outputs: self.outputs().len(),
            rows: 0,
            state,
        }
    }

    /// The state of a function with a hand-tuned batch kernel.
    fn kernel_state(&self) -> State {
        let p = |i| self.period(i);
        let ma = |i| self.ma_type(i);
        match self.name() {
            "sma" => State::Average(MaStage::new(p(0), MaType::Sma)),
            "ema" => State::Average(MaStage::Ema(Ema::with_step(p(0), EmaStep::Fused))),
            "wma" => State::Average(MaStage::new(p(0), MaType::Wma)),
            "dema" => State::Average(MaStage::new(p(0), MaType::Dema)),
            "tema" => State::Average(MaStage::new(p(0), MaType::Tema)),
            "kama" => State::Average(MaStage::new(p(0), MaType::Kama)),
            "trima" => State::Average(MaStage::new(p(0), MaType::Trima)),
            "t3" => State::Average(MaStage::T3(T3::new(p(0), self.real(1)))),
            "mama" => State::Mama(Box::new(Mama::new(self.real(0), self.real(1)))),
            "bbands" => State::Bbands(Box::new(Bbands {
                middle: MaStage::new(p(0), ma(3)),
                variance: Variance::new(p(0)),
                nbdev_up: self.real(1),
                nbdev_down: self.real(2),
            })),
            "rsi" => State::Rsi(Wilder::new(p(0))),
            "cmo" => State::Cmo(Wilder::new(p(0))),
            "roc" => State::Roc(Lagged::new(p(0))),
            "mom" => State::Mom(Lagged::new(p(0))),
            "macd" => State::Macd(Macd::new(p(0), p(1), p(2))),
            "apo" => State::PriceOscillator(PriceOscillator::new(p(0), p(1), ma(2), false)),
            "ppo" => State::PriceOscillator(PriceOscillator::new(p(0), p(1), ma(2), true)),
            "trix" => State::Trix(Trix::new(p(0))),
            "stoch" => State::Stoch(Stoch::new(p(0), Some((p(1), ma(2))), (p(3), ma(4)))),
            "stochf" => State::Stoch(Stoch::new(p(0), None, (p(1), ma(2)))),
            "stochrsi" => State::StochRsi(StochRsi::new(p(0), p(1), p(2), ma(3))),
            "willr" => State::Willr(RangeWindow::new(p(0))),
            "cci" => State::Cci(Cci::new(p(0))),
            "ultosc" => State::Ultosc(Ultosc::new(p(0), p(1), p(2))),
            "atr" => State::Atr(Atr::new(p(0))),
            "natr" => State::Natr(Atr::new(p(0))),
            "plus_di" | "minus_di" if p(0) == 1 => {
                State::OneBarDi(OneBarDi::new(self.name() == "plus_di"))
            }
            "plus_di" => State::Di(Directional::new(p(0)), true),
            "minus_di" => State::Di(Directional::new(p(0)), false),
            "adx" => State::Adx(Adx::new(p(0))),
            "adxr" => State::Adxr(Adxr::new(p(0))),
            "sar" => State::Sar(Sar::new(self.real(0), self.real(1))),
            "aroon" => State::Aroon(Aroon::new(p(0)), p(0) as f64),
            "aroonosc" => State::AroonOsc(Aroon::new(p(0)), p(0) as f64),
            "mfi" => State::Mfi(Mfi::new(p(0))),
            "obv" => State::Obv(Obv::default()),
            other => unreachable!("the catalog has no indicator '{other}'"),
        }
    }
}

/// The columns of one chunk an indicator reads; those it does not read are empty.
struct Chunk<'a> {
    high: &'a [f64],
    low: &'a [f64],
    close: &'a [f64],
    volume: &'a [f64],
}

impl Chunk<'_> {
    #[inline(always)]
    fn bar(&self, i: usize) -> Bar {
        Bar {
            high: self.high[i],
            low: self.low[i],
            close: self.close[i],
        }
    }
}

/// Writes `step(value)` for every value, NaN where it gives nothing.
#[inline(always)]
fn each_value(input: &[f64], out: &mut [f64], mut step: impl FnMut(f64) -> Option<f64>) {
    for (slot, &value) in out.iter_mut().zip(input) {
        *slot = step(value).unwrap_or(f64::NAN);
    }
}

/// Writes `step(row)` for every row of the chunk, NaN where it gives nothing.
#[inline(always)]
fn each_row(out: &mut [f64], mut step: impl FnMut(usize) -> Option<f64>) {
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = step(i).unwrap_or(f64::NAN);
    }
}

/// Writes the pairs `step(row)` gives into two outputs, NaN in both where it gives nothing.
#[inline(always)]
fn each_row_pair(
    first: &mut [f64],
    second: &mut [f64],
    mut step: impl FnMut(usize) -> Option<(f64, f64)>,
) {
    for (i, (a, b)) in first.iter_mut().zip(second.iter_mut()).enumerate() {
        (*a, *b) = step(i).unwrap_or((f64::NAN, f64::NAN));
    }
}

impl IndicatorStream {
    /// The indicator's lower-case name, e.g. `"macd"`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Rows consumed so far: the index, in the whole series, of the next chunk's first row.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Consumes the next chunk of the series and writes its outputs: `out` holds one slice
    /// per [`IndicatorSpec::outputs`] entry, each as long as the chunk, and is filled with
    /// what [`IndicatorSpec::compute`] gives for these rows of the whole series (NaN during
    /// the lookback). On an error the state is unchanged.
    pub fn push(
        &mut self,
        input: &Ohlcv<'_>,
        out: &mut [&mut [f64]],
    ) -> Result<(), AnalyticsError> {
        if let State::Step(_) = self.state {
            let columns = columns(self.name, self.inputs, input, self.rows)?;
            self.check_outputs(out, columns.len)?;
            if let State::Step(state) = &mut self.state {
                feed(state.as_mut(), &columns, out);
            }
            self.rows += columns.len;
            return Ok(());
        }
        let chunk = self.validate(input)?;
        let len = if self.inputs.close {
            chunk.close.len()
        } else {
            chunk.high.len()
        };
        self.check_outputs(out, len)?;
        self.run(&chunk, out);
        self.rows += len;
        Ok(())
    }

    /// Checks that `out` has one slice per output, each `len` long.
    fn check_outputs(&self, out: &[&mut [f64]], len: usize) -> Result<(), AnalyticsError> {
        if out.len() != self.outputs {
            return Err(AnalyticsError::InvalidInput(format!(
                "{} has {} output{} where {} output slices were given",
                self.name,
                self.outputs,
                if self.outputs == 1 { "" } else { "s" },
                out.len()
            )));
        }
        for output in out.iter() {
            check_output(self.name, output.len(), len)?;
        }
        Ok(())
    }

    /// The batch checks of this indicator's inputs, with rows counted from the series' start.
    fn validate<'a>(&self, input: &Ohlcv<'a>) -> Result<Chunk<'a>, AnalyticsError> {
        let name = self.name;
        let missing = |column: &str| {
            AnalyticsError::InvalidInput(format!(
                "{name} needs {column} prices, which the series does not have"
            ))
        };
        let needs = self.inputs;
        let first_row = self.rows;
        let high = if needs.high {
            input.high.ok_or_else(|| missing("high"))?
        } else {
            &[]
        };
        let low = if needs.low {
            input.low.ok_or_else(|| missing("low"))?
        } else {
            &[]
        };
        let volume = if needs.volume {
            input.volume.ok_or_else(|| {
                AnalyticsError::InvalidInput(format!(
                    "{name} needs volume, which the series does not have"
                ))
            })?
        } else {
            &[]
        };
        let close = if needs.close { input.close } else { &[] };
        if needs.high {
            check_high_low_from(high, low, needs.close.then_some(close), first_row)?;
        } else {
            check_series_from("close", close, first_row)?;
        }
        if needs.volume {
            check_same_length_from("volume", volume, close.len(), first_row)?;
        }
        Ok(Chunk {
            high,
            low,
            close,
            volume,
        })
    }

    /// Runs the state over a validated chunk.
    fn run(&mut self, chunk: &Chunk<'_>, out: &mut [&mut [f64]]) {
        let close = chunk.close;
        match &mut self.state {
            State::Average(stage) => each_value(close, out[0], |x| stage.next(x)),
            State::Mama(stage) => {
                let [mama, fama] = out else {
                    unreachable!("two outputs")
                };
                each_row_pair(mama, fama, |i| stage.next(close[i]));
            }
            State::Bbands(bands) => {
                let [upper, middle, lower] = out else {
                    unreachable!("three outputs")
                };
                for (i, &value) in close.iter().enumerate() {
                    let average = bands.middle.next(value);
                    let variance = bands.variance.next(value);
                    let (top, mid, bottom) = match (average, variance) {
                        (Some(mid), Some(variance)) => {
                            let deviation = if variance > 0.0 { variance.sqrt() } else { 0.0 };
                            if bands.nbdev_up == bands.nbdev_down {
                                let band = deviation * bands.nbdev_up;
                                (mid + band, mid, mid - band)
                            } else {
                                (
                                    mid + deviation * bands.nbdev_up,
                                    mid,
                                    mid - deviation * bands.nbdev_down,
                                )
                            }
                        }
                        _ => (f64::NAN, f64::NAN, f64::NAN),
                    };
                    upper[i] = top;
                    middle[i] = mid;
                    lower[i] = bottom;
                }
            }
            State::Rsi(wilder) => each_value(close, out[0], |x| wilder.next(x).map(rsi_value)),
            State::Cmo(wilder) => each_value(close, out[0], |x| wilder.next(x).map(cmo_value)),
            State::Roc(lagged) => each_value(close, out[0], |x| lagged.next(x).map(roc_value)),
            State::Mom(lagged) => each_value(close, out[0], |x| {
                lagged.next(x).map(|(value, old)| value - old)
            }),
            State::Macd(macd) => {
                let [line, signal, hist] = out else {
                    unreachable!("three outputs")
                };
                for (i, &value) in close.iter().enumerate() {
                    (line[i], signal[i], hist[i]) =
                        macd.next(value).unwrap_or((f64::NAN, f64::NAN, f64::NAN));
                }
            }
            State::PriceOscillator(stage) => each_value(close, out[0], |x| stage.next(x)),
            State::Trix(stage) => each_value(close, out[0], |x| stage.next(x)),
            State::Stoch(stoch) => {
                let [k, d] = out else {
                    unreachable!("two outputs")
                };
                each_row_pair(k, d, |i| stoch.next(chunk.high[i], chunk.low[i], close[i]));
            }
            State::StochRsi(stage) => {
                let [k, d] = out else {
                    unreachable!("two outputs")
                };
                each_row_pair(k, d, |i| stage.next(close[i]));
            }
            State::Willr(range) => each_row(out[0], |i| {
                let extremes = range.next(chunk.high[i], chunk.low[i])?;
                Some(willr_value(close[i], extremes))
            }),
            State::Cci(cci) => {
                each_row(out[0], |i| cci.next(chunk.high[i], chunk.low[i], close[i]))
            }
            State::Ultosc(ultosc) => each_row(out[0], |i| {
                ultosc.next(chunk.high[i], chunk.low[i], close[i])
            }),
            State::Atr(atr) => each_row(out[0], |i| atr.next(chunk.bar(i))),
            State::Natr(atr) => each_row(out[0], |i| {
                let value = atr.next(chunk.bar(i))?;
                let price = close[i];
                Some(if super::is_zero(price) {
                    0.0
                } else {
                    (value / price) * 100.0
                })
            }),
            State::Di(directional, plus) => {
                let plus = *plus;
                each_row(out[0], |i| {
                    let (plus_dm, minus_dm, range) = directional.next(chunk.bar(i))?;
                    Some(directional_index(
                        if plus { plus_dm } else { minus_dm },
                        range,
                    ))
                })
            }
            State::OneBarDi(di) => each_row(out[0], |i| di.next(chunk.bar(i))),
            State::Adx(adx) => each_row(out[0], |i| adx.next(chunk.bar(i))),
            State::Adxr(adxr) => each_row(out[0], |i| adxr.next(chunk.bar(i))),
            State::Sar(sar) => each_row(out[0], |i| sar.next(chunk.high[i], chunk.low[i])),
            State::Aroon(aroon, period) => {
                let (factor, period) = (100.0 / *period, *period);
                let [down, up] = out else {
                    unreachable!("two outputs")
                };
                each_row_pair(down, up, |i| {
                    let (today, highest, lowest) = aroon.next(chunk.high[i], chunk.low[i])?;
                    Some((
                        factor * (period - (today - lowest) as f64),
                        factor * (period - (today - highest) as f64),
                    ))
                });
            }
            State::AroonOsc(aroon, period) => {
                let factor = 100.0 / *period;
                each_row(out[0], |i| {
                    let (_, highest, lowest) = aroon.next(chunk.high[i], chunk.low[i])?;
                    Some(factor * (highest as f64 - lowest as f64))
                });
            }
            State::Mfi(mfi) => each_row(out[0], |i| mfi.next(chunk.bar(i), chunk.volume[i])),
            State::Obv(obv) => {
                each_row(out[0], |i| Some(obv.next(close[i], chunk.volume[i])));
            }
            State::Step(_) => unreachable!("step states are fed in push"),
        }
    }
}
