//! Volume-based indicators: OBV and MFI.

use crate::AnalyticsError;
use crate::indicators::{
    check_high_low, check_period, check_same_length, check_series, is_zero_scaled, output_vec,
};

/// On-balance volume, `TA_OBV`: starts at the first volume, then adds the volume on an up
/// close and subtracts it on a down close. Lookback 0.
pub fn obv(close: &[f64], volume: &[f64]) -> Result<Vec<f64>, AnalyticsError> {
    check_series("close", close)?;
    check_same_length("volume", volume, close.len())?;
    let mut out = output_vec(close.len(), 0);
    let Some((&first_close, &first_volume)) = close.first().zip(volume.first()) else {
        return Ok(out);
    };
    let mut total = first_volume;
    let mut previous = first_close;
    out[0] = total;
    for i in 1..close.len() {
        let price = close[i];
        if price > previous {
            total += volume[i];
        } else if price < previous {
            total -= volume[i];
        }
        out[i] = total;
        previous = price;
    }
    Ok(out)
}

/// Money flow index, `TA_MFI`: `100·P/(P+N)` where P and N sum `tp·volume` over the last
/// `period` bars whose typical price `tp = (h+l+c)/3` rose (P) or fell (N); 0 when no flow
/// entered the window. Lookback `period`.
pub fn mfi(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    volume: &[f64],
    period: usize,
) -> Result<Vec<f64>, AnalyticsError> {
    check_period("mfi", "period", period, 2)?;
    check_high_low(high, low, Some(close))?;
    check_same_length("volume", volume, close.len())?;
    let len = close.len();
    let mut out = output_vec(len, period);
    if len <= period {
        return Ok(out);
    }
    // Ring of (positive, negative) flows of the bars in the window.
    let mut ring = vec![(0.0f64, 0.0f64); period];
    let mut slot = 0;
    let (mut positive, mut negative) = (0.0, 0.0);
    let mut previous = (high[0] + low[0] + close[0]) / 3.0;
    // The bar's (positive, negative) flow; no flow when the typical price did not move by
    // more than TA-Lib's scaled epsilon.
    let mut flow_of = |i: usize| {
        let typical = (high[i] + low[i] + close[i]) / 3.0;
        let change = typical - previous;
        let scale = typical.abs() + previous.abs();
        previous = typical;
        let flow = if is_zero_scaled(change, scale) {
            0.0
        } else {
            typical * volume[i]
        };
        if change < 0.0 {
            (0.0, flow)
        } else {
            (flow, 0.0)
        }
    };
    let index = |positive: f64, negative: f64| {
        let total = positive + negative;
        if total <= 0.0 {
            0.0
        } else {
            // Drift of the running sums must not push the index out of [0, 100].
            100.0 * (positive.clamp(0.0, total) / total)
        }
    };
    // Bars in a row that brought no flow: after a whole period of them the window is empty,
    // and the sums, which hold add-then-subtract residue, are reset to exactly zero.
    let mut empty_run = 0;
    for (i, value) in out.iter_mut().enumerate().skip(1) {
        if i > period {
            let (old_positive, old_negative) = ring[slot];
            positive -= old_positive;
            negative -= old_negative;
        }
        let flows = flow_of(i);
        ring[slot] = flows;
        positive += flows.0;
        negative += flows.1;
        empty_run = if flows.0 == 0.0 && flows.1 == 0.0 {
            empty_run + 1
        } else {
            0
        };
        if empty_run >= period {
            empty_run = period;
            positive = 0.0;
            negative = 0.0;
        }
        slot += 1;
        if slot == period {
            slot = 0;
        }
        if i >= period {
            *value = index(positive, negative);
        }
    }
    Ok(out)
}
