//! Cycle indicators (TA-Lib's group): Ehlers' Hilbert-transform dominant cycle period and
//! phase, phasor components, sine wave and trend mode, and the Hilbert trend line (an overlap
//! study in TA-Lib's groups, kept here beside its siblings).

mod core;

use self::core::{Cycle, HilbertCore};
use super::IndicatorSpec;
use super::catalog::{BASE, CLOSE, Definition, Group};
use super::step::{Bar, Ring, Step};

/// TA-Lib's lookback of HT_DCPERIOD and HT_PHASOR.
const SHORT_LOOKBACK: usize = 32;
/// TA-Lib's lookback of the functions that need the phase.
const LONG_LOOKBACK: usize = 63;
/// TA-Lib's circular buffer of smoothed prices.
const SMOOTH_PRICE_SIZE: usize = 50;

fn short_lookback(_: &IndicatorSpec) -> usize {
    SHORT_LOOKBACK
}

fn long_lookback(_: &IndicatorSpec) -> usize {
    LONG_LOOKBACK
}

/// What an HT function writes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Output {
    DcPeriod,
    Phasor,
    DcPhase,
    Sine,
    TrendLine,
    TrendMode,
}

/// The state of every HT_* function: the core, and what the phase, the trend line and the
/// trend mode keep between bars.
#[derive(Debug, Clone)]
struct Ht {
    output: Output,
    core: HilbertCore,
    smooth_prices: Ring,
    prices: Ring,
    dc_phase: f64,
    sine: f64,
    lead_sine: f64,
    trend: [f64; 3],
    days_in_trend: usize,
}

impl Ht {
    /// TA-Lib's DC phase from the smoothed prices of the last dominant cycle.
    fn phase(&self, cycle: &Cycle, rad_to_deg: f64) -> f64 {
        let dc_period = cycle.smooth_period + 0.5;
        let dc_period_int = dc_period as usize;
        let (mut real_part, mut imag_part) = (0.0, 0.0);
        // TA-Lib's `constDeg2RadBy360`.
        let deg2rad_by_360 = 1f64.atan() * 8.0;
        for i in 0..dc_period_int {
            let angle = (i as f64 * deg2rad_by_360) / dc_period_int as f64;
            let price = self.smooth_prices.back(i);
            real_part += angle.sin() * price;
            imag_part += angle.cos() * price;
        }
        let mut phase = self.dc_phase;
        let magnitude = imag_part.abs();
        if magnitude > 0.0 {
            phase = (real_part / imag_part).atan() * rad_to_deg;
        } else if magnitude <= 0.01 {
            if real_part < 0.0 {
                phase -= 90.0;
            } else if real_part > 0.0 {
                phase += 90.0;
            }
        }
        phase += 90.0;
        // The WMA smoother lags one bar.
        phase += 360.0 / cycle.smooth_period;
        if imag_part < 0.0 {
            phase += 180.0;
        }
        if phase > 315.0 {
            phase -= 360.0;
        }
        phase
    }

    /// The mean of the raw prices over the dominant cycle, weighted with the last three.
    fn trend_line(&mut self, cycle: &Cycle) -> f64 {
        let dc_period_int = (cycle.smooth_period + 0.5) as usize;
        let mut sum = 0.0;
        for i in 0..dc_period_int.min(self.prices.seen()) {
            sum += self.prices.back(i);
        }
        if dc_period_int > 0 {
            sum /= dc_period_int as f64;
        }
        let line = (4.0 * sum + 3.0 * self.trend[0] + 2.0 * self.trend[1] + self.trend[2]) / 10.0;
        self.trend = [sum, self.trend[0], self.trend[1]];
        line
    }
}

impl Step for Ht {
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        out.fill(f64::NAN);
        self.prices.push(bar.close);
        let rad_to_deg = self.core.rad_to_deg();
        let Some(cycle) = self.core.next(bar.close) else {
            return;
        };
        self.smooth_prices.push(cycle.smoothed);
        let lookback = match self.output {
            Output::DcPeriod | Output::Phasor => SHORT_LOOKBACK,
            _ => LONG_LOOKBACK,
        };
        let ready = cycle.today >= lookback;
        match self.output {
            Output::DcPeriod => {
                if ready {
                    out[0] = cycle.smooth_period;
                }
            }
            Output::Phasor => {
                if ready {
                    out[0] = cycle.in_phase;
                    out[1] = cycle.quadrature;
                }
            }
            Output::DcPhase | Output::Sine => {
                self.dc_phase = self.phase(&cycle, rad_to_deg);
                if ready {
                    if self.output == Output::DcPhase {
                        out[0] = self.dc_phase;
                    } else {
                        let deg_to_rad = 1.0 / rad_to_deg;
                        out[0] = (self.dc_phase * deg_to_rad).sin();
                        out[1] = ((self.dc_phase + 45.0) * deg_to_rad).sin();
                    }
                }
            }
            Output::TrendLine => {
                let line = self.trend_line(&cycle);
                if ready {
                    out[0] = line;
                }
            }
            Output::TrendMode => {
                let previous_phase = self.dc_phase;
                self.dc_phase = self.phase(&cycle, rad_to_deg);
                let (previous_sine, previous_lead) = (self.sine, self.lead_sine);
                let deg_to_rad = 1.0 / rad_to_deg;
                self.sine = (self.dc_phase * deg_to_rad).sin();
                self.lead_sine = ((self.dc_phase + 45.0) * deg_to_rad).sin();
                let line = self.trend_line(&cycle);
                let mut trend = 1.0;
                if (self.sine > self.lead_sine && previous_sine <= previous_lead)
                    || (self.sine < self.lead_sine && previous_sine >= previous_lead)
                {
                    self.days_in_trend = 0;
                    trend = 0.0;
                }
                self.days_in_trend += 1;
                if (self.days_in_trend as f64) < 0.5 * cycle.smooth_period {
                    trend = 0.0;
                }
                let change = self.dc_phase - previous_phase;
                if cycle.smooth_period != 0.0
                    && change > 0.67 * 360.0 / cycle.smooth_period
                    && change < 1.5 * 360.0 / cycle.smooth_period
                {
                    trend = 0.0;
                }
                if line != 0.0 && ((cycle.smoothed - line) / line).abs() >= 0.015 {
                    trend = 1.0;
                }
                if ready {
                    out[0] = trend;
                }
            }
        }
    }
}

fn ht(output: Output) -> Box<dyn Step> {
    Box::new(Ht {
        output,
        core: HilbertCore::new(match output {
            Output::DcPeriod | Output::Phasor => 9,
            _ => 34,
        }),
        smooth_prices: Ring::new(SMOOTH_PRICE_SIZE),
        prices: Ring::new(SMOOTH_PRICE_SIZE + 1),
        dc_phase: 0.0,
        sine: 0.0,
        lead_sine: 0.0,
        trend: [0.0; 3],
        days_in_trend: 0,
    })
}

macro_rules! ht {
    ($constant:ident, $name:literal, $build:ident, $output:expr, $outputs:expr, $integer:expr, $lookback:ident, $group:expr) => {
        fn $build(_: &IndicatorSpec) -> Box<dyn Step> {
            ht($output)
        }

        #[doc = concat!("`", $name, "`: a Hilbert-transform cycle function.")]
        pub(crate) const $constant: Definition = Definition {
            name: $name,
            group: $group,
            outputs: $outputs,
            integer: $integer,
            inputs: CLOSE,
            step: Some($build),
            lookback: Some($lookback),
            ..BASE
        };
    };
}

const VALUE: &[&str] = &["value"];

ht!(
    HT_DCPERIOD,
    "ht_dcperiod",
    ht_dcperiod,
    Output::DcPeriod,
    VALUE,
    0,
    short_lookback,
    Group::Cycle
);
ht!(
    HT_DCPHASE,
    "ht_dcphase",
    ht_dcphase,
    Output::DcPhase,
    VALUE,
    0,
    long_lookback,
    Group::Cycle
);
ht!(
    HT_PHASOR,
    "ht_phasor",
    ht_phasor,
    Output::Phasor,
    &["inphase", "quadrature"],
    0,
    short_lookback,
    Group::Cycle
);
ht!(
    HT_SINE,
    "ht_sine",
    ht_sine,
    Output::Sine,
    &["sine", "leadsine"],
    0,
    long_lookback,
    Group::Cycle
);
ht!(
    HT_TRENDMODE,
    "ht_trendmode",
    ht_trendmode,
    Output::TrendMode,
    VALUE,
    1,
    long_lookback,
    Group::Cycle
);
ht!(
    HT_TRENDLINE,
    "ht_trendline",
    ht_trendline,
    Output::TrendLine,
    VALUE,
    0,
    long_lookback,
    Group::Overlap
);

/// The cycle functions (and HT_TRENDLINE).
pub(crate) static DEFINITIONS: &[Definition] = &[
    HT_DCPERIOD,
    HT_DCPHASE,
    HT_PHASOR,
    HT_SINE,
    HT_TRENDMODE,
    HT_TRENDLINE,
];
