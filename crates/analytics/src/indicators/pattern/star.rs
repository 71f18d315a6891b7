//! Three-candle reversals around a middle candle: stars, abandoned babies, crows, and the
//! three inside/outside confirmations.

use super::candle::settings::{BODY_DOJI, BODY_LONG, BODY_SHORT};
use super::candle::{Candles, Total};
use super::kernel::{Rule, max, rule};

/// CDL2CROWS: a long white candle, a black one gapping up, a black one closing inside the
/// white body.
pub(crate) const TWOCROWS: Rule = rule! {
    totals: &[(BODY_LONG, 2)],
    lookback: BODY_LONG.period + 2,
    eval: twocrows,
};

fn twocrows(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    if c.white(i - 2)
        && c.body(i - 2) > t[0].avg(c, i - 2)
        && c.black(i - 1)
        && c.body_gap_up(i - 1, i - 2)
        && c.black(i)
        && c.open[i] < c.open[i - 1]
        && c.open[i] > c.close[i - 1]
        && c.close[i] > c.open[i - 2]
        && c.close[i] < c.close[i - 2]
    {
        -100
    } else {
        0
    }
}

/// CDLUPSIDEGAP2CROWS: a long white candle, a short black one gapping up, a black one
/// engulfing it but still above the white close.
pub(crate) const UPSIDEGAP2CROWS: Rule = rule! {
    totals: &[(BODY_LONG, 2), (BODY_SHORT, 1)],
    lookback: max(BODY_SHORT.period, BODY_LONG.period) + 2,
    eval: upsidegap2crows,
};

fn upsidegap2crows(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    if c.white(i - 2)
        && c.body(i - 2) > t[0].avg(c, i - 2)
        && c.black(i - 1)
        && c.body(i - 1) <= t[1].avg(c, i - 1)
        && c.body_gap_up(i - 1, i - 2)
        && c.black(i)
        && c.open[i] > c.open[i - 1]
        && c.close[i] < c.close[i - 1]
        && c.close[i] > c.close[i - 2]
    {
        -100
    } else {
        0
    }
}

/// CDL3INSIDE: a harami confirmed by a third candle closing beyond the first's open.
pub(crate) const THREEINSIDE: Rule = rule! {
    totals: &[(BODY_LONG, 2), (BODY_SHORT, 1)],
    lookback: max(BODY_SHORT.period, BODY_LONG.period) + 2,
    eval: threeinside,
};

fn threeinside(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    if c.body(i - 2) > t[0].avg(c, i - 2)
        && c.body(i - 1) <= t[1].avg(c, i - 1)
        && c.body_top(i - 1) < c.body_top(i - 2)
        && c.body_bottom(i - 1) > c.body_bottom(i - 2)
        && ((c.white(i - 2) && c.black(i) && c.close[i] < c.open[i - 2])
            || (c.black(i - 2) && c.white(i) && c.close[i] > c.open[i - 2]))
    {
        -c.color(i - 2) * 100
    } else {
        0
    }
}

/// CDL3OUTSIDE: an engulfing confirmed by a third candle closing beyond the second.
pub(crate) const THREEOUTSIDE: Rule = rule! {
    totals: &[],
    lookback: 3,
    eval: threeoutside,
};

fn threeoutside(c: &Candles, i: usize, _: &[Total], _: f64) -> i32 {
    if (c.white(i - 1)
        && c.black(i - 2)
        && c.close[i - 1] > c.open[i - 2]
        && c.open[i - 1] < c.close[i - 2]
        && c.close[i] > c.close[i - 1])
        || (c.black(i - 1)
            && c.white(i - 2)
            && c.open[i - 1] > c.close[i - 2]
            && c.close[i - 1] < c.open[i - 2]
            && c.close[i] < c.close[i - 1])
    {
        c.color(i - 1) * 100
    } else {
        0
    }
}

/// The totals of the abandoned baby and the doji stars: long first body, doji second, third
/// body longer than short.
const DOJI_STAR_TOTALS: &[(super::candle::CandleSetting, usize)] =
    &[(BODY_LONG, 2), (BODY_DOJI, 1), (BODY_SHORT, 0)];
const DOJI_STAR_LOOKBACK: usize =
    max(max(BODY_DOJI.period, BODY_LONG.period), BODY_SHORT.period) + 2;

/// CDLABANDONEDBABY: a long candle, a doji gapping away (shadows included), a candle of the
/// other colour gapping back and closing `penetration` into the first body.
pub(crate) const ABANDONEDBABY: Rule = rule! {
    totals: DOJI_STAR_TOTALS,
    lookback: DOJI_STAR_LOOKBACK,
    eval: abandonedbaby,
};

fn abandonedbaby(c: &Candles, i: usize, t: &[Total], penetration: f64) -> i32 {
    if c.body(i - 2) > t[0].avg(c, i - 2)
        && c.body(i - 1) <= t[1].avg(c, i - 1)
        && c.body(i) > t[2].avg(c, i)
        && ((c.white(i - 2)
            && c.black(i)
            && c.close[i] < c.close[i - 2] - c.body(i - 2) * penetration
            && c.gap_up(i - 1, i - 2)
            && c.gap_down(i, i - 1))
            || (c.black(i - 2)
                && c.white(i)
                && c.close[i] > c.close[i - 2] + c.body(i - 2) * penetration
                && c.gap_down(i - 1, i - 2)
                && c.gap_up(i, i - 1)))
    {
        c.color(i) * 100
    } else {
        0
    }
}

/// CDLEVENINGDOJISTAR: a long white candle, a doji gapping up, a black candle closing
/// `penetration` into the white body.
pub(crate) const EVENINGDOJISTAR: Rule = rule! {
    totals: DOJI_STAR_TOTALS,
    lookback: DOJI_STAR_LOOKBACK,
    eval: eveningstar,
};

/// CDLMORNINGDOJISTAR: the evening doji star upside down.
pub(crate) const MORNINGDOJISTAR: Rule = rule! {
    totals: DOJI_STAR_TOTALS,
    lookback: DOJI_STAR_LOOKBACK,
    eval: morningstar,
};

/// The totals of the (non-doji) stars: the middle body short instead of a doji.
const STAR_TOTALS: &[(super::candle::CandleSetting, usize)] =
    &[(BODY_LONG, 2), (BODY_SHORT, 1), (BODY_SHORT, 0)];

/// CDLEVENINGSTAR: a long white candle, a short body gapping up, a black candle closing
/// `penetration` into the white body.
pub(crate) const EVENINGSTAR: Rule = rule! {
    totals: STAR_TOTALS,
    lookback: max(BODY_SHORT.period, BODY_LONG.period) + 2,
    eval: eveningstar,
};

/// CDLMORNINGSTAR: the evening star upside down.
pub(crate) const MORNINGSTAR: Rule = rule! {
    totals: STAR_TOTALS,
    lookback: max(BODY_SHORT.period, BODY_LONG.period) + 2,
    eval: morningstar,
};

/// The evening star with the middle test of `t[1]` (short body or doji).
fn eveningstar(c: &Candles, i: usize, t: &[Total], penetration: f64) -> i32 {
    if c.body(i - 2) > t[0].avg(c, i - 2)
        && c.white(i - 2)
        && c.body(i - 1) <= t[1].avg(c, i - 1)
        && c.body_gap_up(i - 1, i - 2)
        && c.body(i) > t[2].avg(c, i)
        && c.black(i)
        && c.close[i] < c.close[i - 2] - c.body(i - 2) * penetration
    {
        -100
    } else {
        0
    }
}

/// The morning star with the middle test of `t[1]` (short body or doji).
fn morningstar(c: &Candles, i: usize, t: &[Total], penetration: f64) -> i32 {
    if c.body(i - 2) > t[0].avg(c, i - 2)
        && c.black(i - 2)
        && c.body(i - 1) <= t[1].avg(c, i - 1)
        && c.body_gap_down(i - 1, i - 2)
        && c.body(i) > t[2].avg(c, i)
        && c.white(i)
        && c.close[i] > c.close[i - 2] + c.body(i - 2) * penetration
    {
        100
    } else {
        0
    }
}

/// CDLTRISTAR: three dojis, the middle one gapping away from both others.
pub(crate) const TRISTAR: Rule = rule! {
    totals: &[(BODY_DOJI, 2)],
    lookback: BODY_DOJI.period + 2,
    eval: tristar,
};

fn tristar(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    // TA-Lib measures all three bodies against the first candle's average.
    let doji = t[0].avg(c, i - 2);
    if !(c.body(i - 2) <= doji && c.body(i - 1) <= doji && c.body(i) <= doji) {
        return 0;
    }
    let mut value = 0;
    if c.body_gap_up(i - 1, i - 2) && c.body_top(i) < c.body_top(i - 1) {
        value = -100;
    }
    if c.body_gap_down(i - 1, i - 2) && c.body_bottom(i) > c.body_bottom(i - 1) {
        value = 100;
    }
    value
}
