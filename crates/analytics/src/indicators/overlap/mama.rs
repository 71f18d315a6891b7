//! MESA adaptive moving average (`TA_MAMA`), John Ehlers' Hilbert-transform average, which
//! TA-Lib also uses as moving-average type 7 (fast limit 0.5, slow limit 0.05).

use crate::AnalyticsError;
use crate::indicators::moving_averages::start;
use crate::indicators::{check_series, output_vec};

/// TA-Lib's lookback of MAMA, whatever the limits.
pub(crate) const MAMA_LOOKBACK: usize = 32;

/// One of the four Hilbert transforms (detrender, Q1, jI, jQ) of Ehlers' algorithm, with the
/// separate odd-bar and even-bar state TA-Lib keeps (`DO_HILBERT_ODD`/`DO_HILBERT_EVEN`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Hilbert {
    ring: [[f64; 3]; 2],
    previous: [f64; 2],
    previous_input: [f64; 2],
}

impl Hilbert {
    /// Feeds one value of the given bar parity and ring slot; returns the transform's output.
    #[inline(always)]
    pub(crate) fn step(
        &mut self,
        parity: usize,
        slot: usize,
        input: f64,
        adjusted_period: f64,
    ) -> f64 {
        const A: f64 = 0.0962;
        const B: f64 = 0.5769;
        let weighted = A * input;
        let mut value = -self.ring[parity][slot];
        self.ring[parity][slot] = weighted;
        value += weighted;
        value -= self.previous[parity];
        self.previous[parity] = B * self.previous_input[parity];
        value += self.previous[parity];
        self.previous_input[parity] = input;
        value * adjusted_period
    }
}

/// MAMA kernel writing MAMA (and FAMA when asked) from row 32, in TA-Lib's order of
/// operations. Bar parity is counted from the start of `input`, as TA-Lib counts it from the
/// start of the buffer it is given.
pub(crate) fn mama_kernel(
    input: &[f64],
    fast_limit: f64,
    slow_limit: f64,
    out_mama: &mut [f64],
    mut out_fama: Option<&mut [f64]>,
) {
    if let Some(fama) = out_fama.as_deref_mut() {
        start(fama, MAMA_LOOKBACK);
    }
    if !start(out_mama, MAMA_LOOKBACK) {
        return;
    }
    let rad_to_deg = 180.0 / (4.0 * 1f64.atan());
    // The price smoother: a 4-bar WMA (weights 1..4, sum 10) kept as running sums.
    let (mut trailing, mut today) = (0, 0);
    let mut wma_sub = input[0];
    let mut wma_sum = input[0];
    wma_sub += input[1];
    wma_sum += input[1] * 2.0;
    wma_sub += input[2];
    wma_sum += input[2] * 3.0;
    today += 3;
    let mut trailing_value = 0.0;
    for _ in 0..9 {
        let value = input[today];
        today += 1;
        wma_sub += value;
        wma_sub -= trailing_value;
        wma_sum += value * 4.0;
        trailing_value = input[trailing];
        trailing += 1;
        wma_sum -= wma_sub;
    }
    let (mut detrender, mut q1, mut j_i, mut j_q) = (
        Hilbert::default(),
        Hilbert::default(),
        Hilbert::default(),
        Hilbert::default(),
    );
    let mut slot = 0;
    let mut period = 0.0;
    let (mut previous_i2, mut previous_q2, mut re, mut im) = (0.0, 0.0, 0.0, 0.0);
    let (mut mama, mut fama) = (0.0, 0.0);
    // I1 is the detrender delayed by three bars, kept per parity: [odd, even] × [prev2, prev3].
    let mut i1_previous2 = [0.0f64; 2];
    let mut i1_previous3 = [0.0f64; 2];
    let mut previous_phase = 0.0;
    while today < input.len() {
        let adjusted_period = (0.075 * period) + 0.54;
        let value = input[today];
        wma_sub += value;
        wma_sub -= trailing_value;
        wma_sum += value * 4.0;
        trailing_value = input[trailing];
        trailing += 1;
        let smoothed = wma_sum * 0.1;
        wma_sum -= wma_sub;

        // Index 1 is the even-bar state, 0 the odd one; the other parity's I1 is updated.
        let parity = usize::from(today % 2 == 0);
        let other = 1 - parity;
        let i1 = i1_previous3[parity];
        let detrended = detrender.step(parity, slot, smoothed, adjusted_period);
        let quadrature = q1.step(parity, slot, detrended, adjusted_period);
        let ji = j_i.step(parity, slot, i1, adjusted_period);
        let jq = j_q.step(parity, slot, quadrature, adjusted_period);
        if parity == 1 {
            slot += 1;
            if slot == 3 {
                slot = 0;
            }
        }
        let q2 = (0.2 * (quadrature + ji)) + (0.8 * previous_q2);
        let i2 = (0.2 * (i1 - jq)) + (0.8 * previous_i2);
        i1_previous3[other] = i1_previous2[other];
        i1_previous2[other] = detrended;
        let phase = if i1 != 0.0 {
            (quadrature / i1).atan() * rad_to_deg
        } else {
            0.0
        };

        let mut delta_phase = previous_phase - phase;
        previous_phase = phase;
        if delta_phase < 1.0 {
            delta_phase = 1.0;
        }
        let mut alpha = if delta_phase > 1.0 {
            let alpha = fast_limit / delta_phase;
            if alpha < slow_limit {
                slow_limit
            } else {
                alpha
            }
        } else {
            fast_limit
        };
        mama = (alpha * value) + ((1.0 - alpha) * mama);
        alpha *= 0.5;
        fama = (alpha * mama) + ((1.0 - alpha) * fama);
        if today >= MAMA_LOOKBACK {
            out_mama[today] = mama;
            if let Some(out) = out_fama.as_deref_mut() {
                out[today] = fama;
            }
        }

        re = (0.2 * ((i2 * previous_i2) + (q2 * previous_q2))) + (0.8 * re);
        im = (0.2 * ((i2 * previous_q2) - (q2 * previous_i2))) + (0.8 * im);
        previous_q2 = q2;
        previous_i2 = i2;
        let last_period = period;
        if im != 0.0 && re != 0.0 {
            period = 360.0 / ((im / re).atan() * rad_to_deg);
        }
        if period > 1.5 * last_period {
            period = 1.5 * last_period;
        }
        if period < 0.67 * last_period {
            period = 0.67 * last_period;
        }
        period = period.clamp(6.0, 50.0);
        period = (0.2 * period) + (0.8 * last_period);
        today += 1;
    }
}

/// MAMA lines as `(mama, fama)`.
pub type MamaOutput = (Vec<f64>, Vec<f64>);

/// MESA adaptive moving average, `TA_MAMA`: an EMA whose factor follows the phase rate of
/// change of a Hilbert transform, between `slow_limit` and `fast_limit` (defaults 0.5, 0.05);
/// FAMA follows MAMA at half the factor. Outputs `(mama, fama)`. Lookback 32.
pub fn mama(close: &[f64], fast_limit: f64, slow_limit: f64) -> Result<MamaOutput, AnalyticsError> {
    for (name, value) in [("fastlimit", fast_limit), ("slowlimit", slow_limit)] {
        if !(0.01..=0.99).contains(&value) {
            return Err(AnalyticsError::InvalidParameter(format!(
                "mama {name} must be between 0.01 and 0.99, got {value}"
            )));
        }
    }
    check_series("close", close)?;
    let len = close.len();
    let (mut line, mut follower) = (
        output_vec(len, MAMA_LOOKBACK),
        output_vec(len, MAMA_LOOKBACK),
    );
    mama_kernel(
        close,
        fast_limit,
        slow_limit,
        &mut line,
        Some(&mut follower),
    );
    Ok((line, follower))
}
