//! Patterns of four and five candles: three black crows after a white candle, the three-line
//! strike, breakaway, concealing baby swallow, ladder bottom, mat hold, rising/falling three.

use super::candle::settings::{BODY_LONG, BODY_SHORT, NEAR, SHADOW_VERY_SHORT};
use super::candle::{Candles, Total};
use super::kernel::{Rule, max, rule};

/// CDL3BLACKCROWS: a white candle, then three black ones each opening inside the previous
/// body, closing lower and near their lows.
pub(crate) const THREEBLACKCROWS: Rule = rule! {
    totals: &[
        (SHADOW_VERY_SHORT, 2),
        (SHADOW_VERY_SHORT, 1),
        (SHADOW_VERY_SHORT, 0),
    ],
    lookback: SHADOW_VERY_SHORT.period + 3,
    eval: threeblackcrows,
};

fn threeblackcrows(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    if c.white(i - 3)
        && c.black(i - 2)
        && c.lower(i - 2) < t[0].avg(c, i - 2)
        && c.black(i - 1)
        && c.lower(i - 1) < t[1].avg(c, i - 1)
        && c.black(i)
        && c.lower(i) < t[2].avg(c, i)
        && c.open[i - 1] < c.open[i - 2]
        && c.open[i - 1] > c.close[i - 2]
        && c.open[i] < c.open[i - 1]
        && c.open[i] > c.close[i - 1]
        && c.high[i - 3] > c.close[i - 2]
        && c.close[i - 2] > c.close[i - 1]
        && c.close[i - 1] > c.close[i]
    {
        -100
    } else {
        0
    }
}

/// CDL3LINESTRIKE: three candles of one colour in a run, struck out by a fourth of the
/// other colour that opens beyond the third and closes beyond the first's open.
pub(crate) const THREELINESTRIKE: Rule = rule! {
    totals: &[(NEAR, 3), (NEAR, 2)],
    lookback: NEAR.period + 3,
    eval: threelinestrike,
};

fn threelinestrike(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    let (near3, near2) = (t[0].avg(c, i - 3), t[1].avg(c, i - 2));
    if c.color(i - 3) == c.color(i - 2)
        && c.color(i - 2) == c.color(i - 1)
        && c.color(i) == -c.color(i - 1)
        && c.open[i - 2] >= c.body_bottom(i - 3) - near3
        && c.open[i - 2] <= c.body_top(i - 3) + near3
        && c.open[i - 1] >= c.body_bottom(i - 2) - near2
        && c.open[i - 1] <= c.body_top(i - 2) + near2
        && ((c.white(i - 1)
            && c.close[i - 1] > c.close[i - 2]
            && c.close[i - 2] > c.close[i - 3]
            && c.open[i] > c.close[i - 1]
            && c.close[i] < c.open[i - 3])
            || (c.black(i - 1)
                && c.close[i - 1] < c.close[i - 2]
                && c.close[i - 2] < c.close[i - 3]
                && c.open[i] < c.close[i - 1]
                && c.close[i] > c.open[i - 3]))
    {
        c.color(i - 1) * 100
    } else {
        0
    }
}

/// CDLBREAKAWAY: a long candle, a gap, three candles running on, a fifth of the other colour
/// closing inside the gap.
pub(crate) const BREAKAWAY: Rule = rule! {
    totals: &[(BODY_LONG, 4)],
    lookback: BODY_LONG.period + 4,
    eval: breakaway,
};

fn breakaway(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    if c.body(i - 4) > t[0].avg(c, i - 4)
        && c.color(i - 4) == c.color(i - 3)
        && c.color(i - 3) == c.color(i - 1)
        && c.color(i - 1) == -c.color(i)
        && ((c.black(i - 4)
            && c.body_gap_down(i - 3, i - 4)
            && c.high[i - 2] < c.high[i - 3]
            && c.low[i - 2] < c.low[i - 3]
            && c.high[i - 1] < c.high[i - 2]
            && c.low[i - 1] < c.low[i - 2]
            && c.close[i] > c.open[i - 3]
            && c.close[i] < c.close[i - 4])
            || (c.white(i - 4)
                && c.body_gap_up(i - 3, i - 4)
                && c.high[i - 2] > c.high[i - 3]
                && c.low[i - 2] > c.low[i - 3]
                && c.high[i - 1] > c.high[i - 2]
                && c.low[i - 1] > c.low[i - 2]
                && c.close[i] < c.open[i - 3]
                && c.close[i] > c.close[i - 4]))
    {
        c.color(i) * 100
    } else {
        0
    }
}

/// CDLCONCEALBABYSWALL: two black marubozu, a black candle gapping down with an upper shadow
/// into the second, and a black candle engulfing it, shadows included.
pub(crate) const CONCEALBABYSWALL: Rule = rule! {
    totals: &[
        (SHADOW_VERY_SHORT, 3),
        (SHADOW_VERY_SHORT, 2),
        (SHADOW_VERY_SHORT, 1),
    ],
    lookback: SHADOW_VERY_SHORT.period + 3,
    eval: concealbabyswall,
};

fn concealbabyswall(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    let (vs3, vs2) = (t[0].avg(c, i - 3), t[1].avg(c, i - 2));
    if c.black(i - 3)
        && c.black(i - 2)
        && c.black(i - 1)
        && c.black(i)
        && c.lower(i - 3) < vs3
        && c.upper(i - 3) < vs3
        && c.lower(i - 2) < vs2
        && c.upper(i - 2) < vs2
        && c.body_gap_down(i - 1, i - 2)
        && c.upper(i - 1) > t[2].avg(c, i - 1)
        && c.high[i - 1] > c.close[i - 2]
        && c.high[i] > c.high[i - 1]
        && c.low[i] < c.low[i - 1]
    {
        100
    } else {
        0
    }
}

/// CDLLADDERBOTTOM: three falling black candles, a black one with an upper shadow, a white
/// one opening above its open and closing above its high.
pub(crate) const LADDERBOTTOM: Rule = rule! {
    totals: &[(SHADOW_VERY_SHORT, 1)],
    lookback: SHADOW_VERY_SHORT.period + 4,
    eval: ladderbottom,
};

fn ladderbottom(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    if c.black(i - 4)
        && c.black(i - 3)
        && c.black(i - 2)
        && c.open[i - 4] > c.open[i - 3]
        && c.open[i - 3] > c.open[i - 2]
        && c.close[i - 4] > c.close[i - 3]
        && c.close[i - 3] > c.close[i - 2]
        && c.black(i - 1)
        && c.upper(i - 1) > t[0].avg(c, i - 1)
        && c.white(i)
        && c.open[i] > c.open[i - 1]
        && c.close[i] > c.high[i - 1]
    {
        100
    } else {
        0
    }
}

/// The totals of mat hold and rising/falling three: the first body long, three short ones,
/// (rising/falling three only) the last long.
const FIVE_TOTALS: &[(super::candle::CandleSetting, usize)] = &[
    (BODY_LONG, 4),
    (BODY_SHORT, 3),
    (BODY_SHORT, 2),
    (BODY_SHORT, 1),
    (BODY_LONG, 0),
];

/// CDLMATHOLD: a long white candle, three small ones holding above `penetration` of its body
/// (the first gapping up), a white candle closing above them all.
pub(crate) const MATHOLD: Rule = rule! {
    totals: FIVE_TOTALS.split_at(4).0,
    lookback: max(BODY_SHORT.period, BODY_LONG.period) + 4,
    eval: mathold,
};

fn mathold(c: &Candles, i: usize, t: &[Total], penetration: f64) -> i32 {
    let floor = c.close[i - 4] - c.body(i - 4) * penetration;
    if c.body(i - 4) > t[0].avg(c, i - 4)
        && c.body(i - 3) < t[1].avg(c, i - 3)
        && c.body(i - 2) < t[2].avg(c, i - 2)
        && c.body(i - 1) < t[3].avg(c, i - 1)
        && c.white(i - 4)
        && c.black(i - 3)
        && c.white(i)
        && c.body_gap_up(i - 3, i - 4)
        && c.body_bottom(i - 2) < c.close[i - 4]
        && c.body_bottom(i - 1) < c.close[i - 4]
        && c.body_bottom(i - 2) > floor
        && c.body_bottom(i - 1) > floor
        && c.body_top(i - 2) < c.open[i - 3]
        && c.body_top(i - 1) < c.body_top(i - 2)
        && c.open[i] > c.close[i - 1]
        && c.close[i] > c.high[i - 3].max(c.high[i - 2]).max(c.high[i - 1])
    {
        100
    } else {
        0
    }
}

/// CDLRISEFALL3METHODS: a long candle, three small ones of the other colour inside its
/// range drifting against it, a long candle of its colour closing beyond it.
pub(crate) const RISEFALL3METHODS: Rule = rule! {
    totals: FIVE_TOTALS,
    lookback: max(BODY_SHORT.period, BODY_LONG.period) + 4,
    eval: risefall3methods,
};

fn risefall3methods(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    let inside = |k: usize| c.body_bottom(k) < c.high[i - 4] && c.body_top(k) > c.low[i - 4];
    // TA-Lib flips the inequalities by multiplying prices by the first candle's colour.
    let sign = f64::from(c.color(i - 4));
    if c.body(i - 4) > t[0].avg(c, i - 4)
        && c.body(i - 3) < t[1].avg(c, i - 3)
        && c.body(i - 2) < t[2].avg(c, i - 2)
        && c.body(i - 1) < t[3].avg(c, i - 1)
        && c.body(i) > t[4].avg(c, i)
        && c.color(i - 4) == -c.color(i - 3)
        && c.color(i - 3) == c.color(i - 2)
        && c.color(i - 2) == c.color(i - 1)
        && c.color(i - 1) == -c.color(i)
        && inside(i - 3)
        && inside(i - 2)
        && inside(i - 1)
        && c.close[i - 2] * sign < c.close[i - 3] * sign
        && c.close[i - 1] * sign < c.close[i - 2] * sign
        && c.open[i] * sign > c.close[i - 1] * sign
        && c.close[i] * sign > c.close[i - 4] * sign
    {
        100 * c.color(i - 4)
    } else {
        0
    }
}
