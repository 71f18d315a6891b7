//! Three-candle runs and continuations: soldiers and crows, advance block, stalled pattern,
//! gaps held or filled, the unique three river and the stick sandwich.

use super::candle::settings::{
    BODY_LONG, BODY_SHORT, EQUAL, FAR, NEAR, SHADOW_LONG, SHADOW_SHORT, SHADOW_VERY_SHORT,
};
use super::candle::{Candles, Total};
use super::kernel::{Rule, max, rule};

/// CDL3STARSINSOUTH: three black candles, each smaller and holding above the previous low.
pub(crate) const THREESTARSINSOUTH: Rule = rule! {
    totals: &[
        (BODY_LONG, 2),
        (SHADOW_LONG, 2),
        (SHADOW_VERY_SHORT, 1),
        (SHADOW_VERY_SHORT, 0),
        (BODY_SHORT, 0),
    ],
    lookback: max(
        max(SHADOW_VERY_SHORT.period, SHADOW_LONG.period),
        max(BODY_LONG.period, BODY_SHORT.period),
    ) + 2,
    eval: threestarsinsouth,
};

fn threestarsinsouth(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    let very_short = t[3].avg(c, i);
    if c.black(i - 2)
        && c.black(i - 1)
        && c.black(i)
        && c.body(i - 2) > t[0].avg(c, i - 2)
        && c.lower(i - 2) > t[1].avg(c, i - 2)
        && c.body(i - 1) < c.body(i - 2)
        && c.open[i - 1] > c.close[i - 2]
        && c.open[i - 1] <= c.high[i - 2]
        && c.low[i - 1] < c.close[i - 2]
        && c.low[i - 1] >= c.low[i - 2]
        && c.lower(i - 1) > t[2].avg(c, i - 1)
        && c.body(i) < t[4].avg(c, i)
        && c.lower(i) < very_short
        && c.upper(i) < very_short
        && c.low[i] > c.low[i - 1]
        && c.high[i] < c.high[i - 1]
    {
        100
    } else {
        0
    }
}

/// CDL3WHITESOLDIERS: three white candles climbing, each opening within the previous body,
/// with short upper shadows and bodies not shrinking much.
pub(crate) const THREEWHITESOLDIERS: Rule = rule! {
    totals: &[
        (SHADOW_VERY_SHORT, 2),
        (SHADOW_VERY_SHORT, 1),
        (SHADOW_VERY_SHORT, 0),
        (NEAR, 2),
        (NEAR, 1),
        (FAR, 2),
        (FAR, 1),
        (BODY_SHORT, 0),
    ],
    lookback: max(
        max(SHADOW_VERY_SHORT.period, BODY_SHORT.period),
        max(FAR.period, NEAR.period),
    ) + 2,
    eval: threewhitesoldiers,
};

fn threewhitesoldiers(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    if c.white(i - 2)
        && c.upper(i - 2) < t[0].avg(c, i - 2)
        && c.white(i - 1)
        && c.upper(i - 1) < t[1].avg(c, i - 1)
        && c.white(i)
        && c.upper(i) < t[2].avg(c, i)
        && c.close[i] > c.close[i - 1]
        && c.close[i - 1] > c.close[i - 2]
        && c.open[i - 1] > c.open[i - 2]
        && c.open[i - 1] <= c.close[i - 2] + t[3].avg(c, i - 2)
        && c.open[i] > c.open[i - 1]
        && c.open[i] <= c.close[i - 1] + t[4].avg(c, i - 1)
        && c.body(i - 1) > c.body(i - 2) - t[5].avg(c, i - 2)
        && c.body(i) > c.body(i - 1) - t[6].avg(c, i - 1)
        && c.body(i) > t[7].avg(c, i)
    {
        100
    } else {
        0
    }
}

/// CDLADVANCEBLOCK: three white candles climbing but weakening (shrinking bodies or growing
/// upper shadows).
pub(crate) const ADVANCEBLOCK: Rule = rule! {
    totals: &[
        (SHADOW_SHORT, 2),
        (SHADOW_SHORT, 1),
        (SHADOW_SHORT, 0),
        (SHADOW_LONG, 1),
        (SHADOW_LONG, 0),
        (NEAR, 2),
        (NEAR, 1),
        (FAR, 2),
        (FAR, 1),
        (BODY_LONG, 2),
    ],
    lookback: max(
        max(
            max(SHADOW_LONG.period, SHADOW_SHORT.period),
            max(FAR.period, NEAR.period),
        ),
        BODY_LONG.period,
    ) + 2,
    eval: advanceblock,
};

fn advanceblock(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    let (near2, near1) = (t[5].avg(c, i - 2), t[6].avg(c, i - 1));
    if !(c.white(i - 2)
        && c.white(i - 1)
        && c.white(i)
        && c.close[i] > c.close[i - 1]
        && c.close[i - 1] > c.close[i - 2]
        && c.open[i - 1] > c.open[i - 2]
        && c.open[i - 1] <= c.close[i - 2] + near2
        && c.open[i] > c.open[i - 1]
        && c.open[i] <= c.close[i - 1] + near1
        && c.body(i - 2) > t[9].avg(c, i - 2)
        && c.upper(i - 2) < t[0].avg(c, i - 2))
    {
        return 0;
    }
    let (b2, b1, b0) = (c.body(i - 2), c.body(i - 1), c.body(i));
    let weakening = (b1 < b2 - t[7].avg(c, i - 2) && b0 < b1 + near1)
        || (b0 < b1 - t[8].avg(c, i - 1))
        || (b0 < b1
            && b1 < b2
            && (c.upper(i) > t[2].avg(c, i) || c.upper(i - 1) > t[1].avg(c, i - 1)))
        || (b0 < b1 && c.upper(i) > t[4].avg(c, i));
    if weakening { -100 } else { 0 }
}

/// CDLSTALLEDPATTERN: two long white candles, then a small one riding on the second's top.
pub(crate) const STALLEDPATTERN: Rule = rule! {
    totals: &[
        (BODY_LONG, 2),
        (BODY_LONG, 1),
        (BODY_SHORT, 0),
        (SHADOW_VERY_SHORT, 1),
        (NEAR, 2),
        (NEAR, 1),
    ],
    lookback: max(
        max(BODY_LONG.period, BODY_SHORT.period),
        max(SHADOW_VERY_SHORT.period, NEAR.period),
    ) + 2,
    eval: stalledpattern,
};

fn stalledpattern(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    if c.white(i - 2)
        && c.white(i - 1)
        && c.white(i)
        && c.close[i] > c.close[i - 1]
        && c.close[i - 1] > c.close[i - 2]
        && c.body(i - 2) > t[0].avg(c, i - 2)
        && c.body(i - 1) > t[1].avg(c, i - 1)
        && c.upper(i - 1) < t[3].avg(c, i - 1)
        && c.open[i - 1] > c.open[i - 2]
        && c.open[i - 1] <= c.close[i - 2] + t[4].avg(c, i - 2)
        && c.body(i) < t[2].avg(c, i)
        // TA-Lib's order: (close − body) − near.
        && c.open[i] >= c.close[i - 1] - c.body(i) - t[5].avg(c, i - 1)
    {
        -100
    } else {
        0
    }
}

/// CDLIDENTICAL3CROWS: three black candles, each opening at the previous close.
pub(crate) const IDENTICAL3CROWS: Rule = rule! {
    totals: &[
        (SHADOW_VERY_SHORT, 2),
        (SHADOW_VERY_SHORT, 1),
        (SHADOW_VERY_SHORT, 0),
        (EQUAL, 2),
        (EQUAL, 1),
    ],
    lookback: max(SHADOW_VERY_SHORT.period, EQUAL.period) + 2,
    eval: identical3crows,
};

fn identical3crows(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    let (eq2, eq1) = (t[3].avg(c, i - 2), t[4].avg(c, i - 1));
    if c.black(i - 2)
        && c.lower(i - 2) < t[0].avg(c, i - 2)
        && c.black(i - 1)
        && c.lower(i - 1) < t[1].avg(c, i - 1)
        && c.black(i)
        && c.lower(i) < t[2].avg(c, i)
        && c.close[i - 2] > c.close[i - 1]
        && c.close[i - 1] > c.close[i]
        && c.open[i - 1] <= c.close[i - 2] + eq2
        && c.open[i - 1] >= c.close[i - 2] - eq2
        && c.open[i] <= c.close[i - 1] + eq1
        && c.open[i] >= c.close[i - 1] - eq1
    {
        -100
    } else {
        0
    }
}

/// CDLGAPSIDESIDEWHITE: after a gap, two white candles side by side, alike in size and open.
pub(crate) const GAPSIDESIDEWHITE: Rule = rule! {
    totals: &[(NEAR, 1), (EQUAL, 1)],
    lookback: max(NEAR.period, EQUAL.period) + 2,
    eval: gapsidesidewhite,
};

fn gapsidesidewhite(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    let (near, equal) = (t[0].avg(c, i - 1), t[1].avg(c, i - 1));
    let up = c.body_gap_up(i - 1, i - 2);
    if ((up && c.body_gap_up(i, i - 2))
        || (c.body_gap_down(i - 1, i - 2) && c.body_gap_down(i, i - 2)))
        && c.white(i - 1)
        && c.white(i)
        && c.body(i) >= c.body(i - 1) - near
        && c.body(i) <= c.body(i - 1) + near
        && c.open[i] >= c.open[i - 1] - equal
        && c.open[i] <= c.open[i - 1] + equal
    {
        if up { 100 } else { -100 }
    } else {
        0
    }
}

/// CDLSTICKSANDWICH: two black candles closing at the same price around a white one.
pub(crate) const STICKSANDWICH: Rule = rule! {
    totals: &[(EQUAL, 2)],
    lookback: EQUAL.period + 2,
    eval: sticksandwich,
};

fn sticksandwich(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    let equal = t[0].avg(c, i - 2);
    if c.black(i - 2)
        && c.white(i - 1)
        && c.black(i)
        && c.low[i - 1] > c.close[i - 2]
        && c.close[i] <= c.close[i - 2] + equal
        && c.close[i] >= c.close[i - 2] - equal
    {
        100
    } else {
        0
    }
}

/// CDLTASUKIGAP: a gap, a candle in its direction, one of the other colour and like size
/// closing inside the gap without filling it.
pub(crate) const TASUKIGAP: Rule = rule! {
    totals: &[(NEAR, 1)],
    lookback: NEAR.period + 2,
    eval: tasukigap,
};

fn tasukigap(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    let near = t[0].avg(c, i - 1);
    let alike = (c.body(i - 1) - c.body(i)).abs() < near;
    if (c.body_gap_up(i - 1, i - 2)
        && c.white(i - 1)
        && c.black(i)
        && c.open[i] < c.close[i - 1]
        && c.open[i] > c.open[i - 1]
        && c.close[i] < c.open[i - 1]
        && c.close[i] > c.body_top(i - 2)
        && alike)
        || (c.body_gap_down(i - 1, i - 2)
            && c.black(i - 1)
            && c.white(i)
            && c.open[i] < c.open[i - 1]
            && c.open[i] > c.close[i - 1]
            && c.close[i] > c.open[i - 1]
            && c.close[i] < c.body_bottom(i - 2)
            && alike)
    {
        c.color(i - 1) * 100
    } else {
        0
    }
}

/// CDLUNIQUE3RIVER: a long black candle, a black harami making a new low, a small white one.
pub(crate) const UNIQUE3RIVER: Rule = rule! {
    totals: &[(BODY_LONG, 2), (BODY_SHORT, 0)],
    lookback: max(BODY_SHORT.period, BODY_LONG.period) + 2,
    eval: unique3river,
};

fn unique3river(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    if c.body(i - 2) > t[0].avg(c, i - 2)
        && c.black(i - 2)
        && c.black(i - 1)
        && c.close[i - 1] > c.close[i - 2]
        && c.open[i - 1] <= c.open[i - 2]
        && c.low[i - 1] < c.low[i - 2]
        && c.body(i) < t[1].avg(c, i)
        && c.white(i)
        && c.open[i] > c.low[i - 1]
    {
        100
    } else {
        0
    }
}

/// CDLXSIDEGAP3METHODS: a gap between two candles of one colour, closed by a third of the
/// other colour opening inside the second body.
pub(crate) const XSIDEGAP3METHODS: Rule = rule! {
    totals: &[],
    lookback: 2,
    eval: xsidegap3methods,
};

fn xsidegap3methods(c: &Candles, i: usize, _: &[Total], _: f64) -> i32 {
    if c.color(i - 2) == c.color(i - 1)
        && c.color(i - 1) == -c.color(i)
        && c.open[i] < c.body_top(i - 1)
        && c.open[i] > c.body_bottom(i - 1)
        && c.close[i] < c.body_top(i - 2)
        && c.close[i] > c.body_bottom(i - 2)
        && ((c.white(i - 2) && c.body_gap_up(i - 1, i - 2))
            || (c.black(i - 2) && c.body_gap_down(i - 1, i - 2)))
    {
        c.color(i - 2) * 100
    } else {
        0
    }
}
