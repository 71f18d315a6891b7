//! Aroon and the Aroon oscillator: how many bars since the window's extremes.

use crate::AnalyticsError;
use crate::indicators::{check_high_low, check_period, output_vec};

/// The extreme of a sliding window, kept the way TA-Lib keeps it: remember where it is and
/// rescan only when it leaves the window. Ties go to the most recent bar, which matters to
/// Aroon; on random walks the rescans are rare.
#[derive(Clone, Copy)]
struct Extreme {
    index: usize,
    value: f64,
}

impl Extreme {
    #[inline(always)]
    fn rescan_highest(data: &[f64], from: usize, to: usize) -> Self {
        let mut best = Extreme {
            index: from,
            value: data[from],
        };
        for (i, &value) in data.iter().enumerate().take(to + 1).skip(from + 1) {
            if value >= best.value {
                best = Extreme { index: i, value };
            }
        }
        best
    }

    #[inline(always)]
    fn rescan_lowest(data: &[f64], from: usize, to: usize) -> Self {
        let mut best = Extreme {
            index: from,
            value: data[from],
        };
        for (i, &value) in data.iter().enumerate().take(to + 1).skip(from + 1) {
            if value <= best.value {
                best = Extreme { index: i, value };
            }
        }
        best
    }

    /// Slides a maximum to the window `[trailing, today]`.
    #[inline(always)]
    fn slide_highest(&mut self, data: &[f64], trailing: usize, today: usize) {
        if self.index < trailing {
            *self = Self::rescan_highest(data, trailing, today);
        } else if data[today] >= self.value {
            *self = Extreme {
                index: today,
                value: data[today],
            };
        }
    }

    /// Slides a minimum to the window `[trailing, today]`.
    #[inline(always)]
    fn slide_lowest(&mut self, data: &[f64], trailing: usize, today: usize) {
        if self.index < trailing {
            *self = Self::rescan_lowest(data, trailing, today);
        } else if data[today] <= self.value {
            *self = Extreme {
                index: today,
                value: data[today],
            };
        }
    }
}

/// Aroon lines as `(down, up)`.
pub type AroonOutput = (Vec<f64>, Vec<f64>);

/// Calls `emit(today, highest_index, lowest_index)` over windows of `period + 1` bars.
fn for_each_aroon(
    high: &[f64],
    low: &[f64],
    period: usize,
    mut emit: impl FnMut(usize, usize, usize),
) {
    if high.len() <= period {
        return;
    }
    let mut highest = Extreme::rescan_highest(high, 0, period);
    let mut lowest = Extreme::rescan_lowest(low, 0, period);
    emit(period, highest.index, lowest.index);
    for today in period + 1..high.len() {
        let trailing = today - period;
        highest.slide_highest(high, trailing, today);
        lowest.slide_lowest(low, trailing, today);
        emit(today, highest.index, lowest.index);
    }
}

/// Aroon, `TA_AROON`: `up = 100·(period − bars since the highest high)/period`, `down` the
/// same for the lowest low, over `period + 1` bars, ties going to the latest bar.
/// Outputs `(down, up)` in TA-Lib's order. Lookback `period`.
pub fn aroon(high: &[f64], low: &[f64], period: usize) -> Result<AroonOutput, AnalyticsError> {
    check_period("aroon", "period", period, 2)?;
    check_high_low(high, low, None)?;
    let len = high.len();
    let (mut down, mut up) = (output_vec(len, period), output_vec(len, period));
    let factor = 100.0 / period as f64;
    let period_f = period as f64;
    for_each_aroon(high, low, period, |today, highest, lowest| {
        up[today] = factor * (period_f - (today - highest) as f64);
        down[today] = factor * (period_f - (today - lowest) as f64);
    });
    Ok((down, up))
}

/// Aroon oscillator, `TA_AROONOSC`: `up − down`, computed as
/// `100/period · (highest index − lowest index)`. Lookback `period`.
pub fn aroonosc(high: &[f64], low: &[f64], period: usize) -> Result<Vec<f64>, AnalyticsError> {
    check_period("aroonosc", "period", period, 2)?;
    check_high_low(high, low, None)?;
    let mut out = output_vec(high.len(), period);
    let factor = 100.0 / period as f64;
    for_each_aroon(high, low, period, |today, highest, lowest| {
        out[today] = factor * (highest as f64 - lowest as f64);
    });
    Ok(out)
}
