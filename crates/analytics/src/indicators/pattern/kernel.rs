//! The loop every pattern shares: start its running totals at the first output bar, evaluate
//! each bar, move the totals on. A pattern is only its [`Rule`]: which totals it keeps and the
//! test of one bar.

use super::candle::{CandleSetting, Candles, Total};

/// The most running totals a pattern keeps (Advance Block's ten).
pub(crate) const MAX_TOTALS: usize = 10;

/// The test of bar `i`, given the pattern's totals (in the order of [`Rule::totals`]) and its
/// penetration (0 for patterns without one); returns TA-Lib's integer.
pub(crate) type Eval = fn(&Candles, usize, &[Total], f64) -> i32;

/// A pattern as TA-Lib computes it.
#[derive(Clone, Copy)]
pub(crate) struct Rule {
    /// Running totals: each a candle setting and how many bars before the evaluated bar the
    /// averaged candle is.
    pub totals: &'static [(CandleSetting, usize)],
    /// TA-Lib's lookback: bars before the first output.
    pub lookback: usize,
    /// The test of one bar.
    pub eval: Eval,
    /// The whole-series loop with `eval` and the totals compiled in (made by [`rule!`]), so
    /// the test is inlined into the loop rather than called through a pointer per bar.
    pub batch: fn(&Candles, f64, &mut [Option<i32>]),
}

/// A [`Rule`] from its totals, lookback and test, with its [`Rule::batch`] loop instantiated
/// for that test.
macro_rules! rule {
    (totals: $totals:expr, lookback: $lookback:expr, eval: $eval:expr $(,)?) => {
        super::kernel::Rule {
            totals: $totals,
            lookback: $lookback,
            eval: $eval,
            batch: |candles, penetration, out| {
                super::kernel::run_with($totals, $lookback, $eval, candles, penetration, out)
            },
        }
    };
}
pub(crate) use rule;

/// `max` usable in constants (lookbacks are maxima of setting periods).
pub(crate) const fn max(a: usize, b: usize) -> usize {
    if a > b { a } else { b }
}

/// The totals of `rule` for evaluating bar `at`, started as TA-Lib starts them.
pub(crate) fn start_totals(rule: &Rule, candles: &Candles, at: usize) -> [Total; MAX_TOTALS] {
    let mut totals = [Total {
        setting: rule
            .totals
            .first()
            .map_or(super::candle::settings::BODY_LONG, |t| t.0),
        offset: 0,
        sum: 0.0,
    }; MAX_TOTALS];
    for (slot, &(setting, offset)) in totals.iter_mut().zip(rule.totals) {
        *slot = Total::start(candles, setting, offset, at);
    }
    totals
}

/// Writes `rule`'s value for every bar from its lookback on into `out`; `out[..lookback]` is
/// left alone.
pub(crate) fn run(rule: &Rule, candles: &Candles, penetration: f64, out: &mut [Option<i32>]) {
    (rule.batch)(candles, penetration, out);
}

/// The loop behind [`Rule::batch`]: starts the totals at the lookback, then evaluates each bar
/// and moves the totals on, as TA-Lib's loop does.
#[inline(always)]
pub(crate) fn run_with(
    spec: &[(CandleSetting, usize)],
    lookback: usize,
    eval: impl Fn(&Candles, usize, &[Total], f64) -> i32,
    candles: &Candles,
    penetration: f64,
    out: &mut [Option<i32>],
) {
    let n = candles.len();
    if n <= lookback || out.len() != n {
        return;
    }
    // Re-sliced to one known length, so the compiler can drop the bounds checks of `i − k`.
    let candles = &Candles {
        open: &candles.open[..n],
        high: &candles.high[..n],
        low: &candles.low[..n],
        close: &candles.close[..n],
    };
    let out = &mut out[..n];
    let mut totals = [Total {
        setting: spec
            .first()
            .map_or(super::candle::settings::BODY_LONG, |t| t.0),
        offset: 0,
        sum: 0.0,
    }; MAX_TOTALS];
    for (slot, &(setting, offset)) in totals.iter_mut().zip(spec) {
        *slot = Total::start(candles, setting, offset, lookback);
    }
    let count = spec.len();
    for (i, slot) in out.iter_mut().enumerate().take(n).skip(lookback) {
        *slot = Some(eval(candles, i, &totals[..count], penetration));
        for total in &mut totals[..count] {
            total.advance(candles, i);
        }
    }
}
