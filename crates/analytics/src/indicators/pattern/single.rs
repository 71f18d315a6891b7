//! Patterns of one candle: dojis, marubozus, long and short lines, spinning tops.

use super::candle::settings::{
    BODY_DOJI, BODY_LONG, BODY_SHORT, NEAR, SHADOW_LONG, SHADOW_SHORT, SHADOW_VERY_LONG,
    SHADOW_VERY_SHORT,
};
use super::candle::{Candles, Total};
use super::kernel::{Rule, max, rule};

/// CDLBELTHOLD: a long body with no shadow on the side it opened (white: no lower shadow).
pub(crate) const BELTHOLD: Rule = rule! {
    totals: &[(BODY_LONG, 0), (SHADOW_VERY_SHORT, 0)],
    lookback: max(BODY_LONG.period, SHADOW_VERY_SHORT.period),
    eval: belthold,
};

fn belthold(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    let long = c.body(i) > t[0].avg(c, i);
    let very_short = t[1].avg(c, i);
    if long && ((c.white(i) && c.lower(i) < very_short) || (c.black(i) && c.upper(i) < very_short))
    {
        c.color(i) * 100
    } else {
        0
    }
}

/// CDLCLOSINGMARUBOZU: a long body with no shadow on the side it closed.
pub(crate) const CLOSINGMARUBOZU: Rule = rule! {
    totals: &[(BODY_LONG, 0), (SHADOW_VERY_SHORT, 0)],
    lookback: max(BODY_LONG.period, SHADOW_VERY_SHORT.period),
    eval: closingmarubozu,
};

fn closingmarubozu(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    let long = c.body(i) > t[0].avg(c, i);
    let very_short = t[1].avg(c, i);
    if long && ((c.white(i) && c.upper(i) < very_short) || (c.black(i) && c.lower(i) < very_short))
    {
        c.color(i) * 100
    } else {
        0
    }
}

/// CDLDOJI: a body at most a tenth of the average range.
pub(crate) const DOJI: Rule = rule! {
    totals: &[(BODY_DOJI, 0)],
    lookback: BODY_DOJI.period,
    eval: doji,
};

fn doji(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    if c.body(i) <= t[0].avg(c, i) { 100 } else { 0 }
}

/// CDLDRAGONFLYDOJI: a doji with no upper shadow and a lower one.
pub(crate) const DRAGONFLYDOJI: Rule = rule! {
    totals: &[(BODY_DOJI, 0), (SHADOW_VERY_SHORT, 0)],
    lookback: max(BODY_DOJI.period, SHADOW_VERY_SHORT.period),
    eval: dragonflydoji,
};

fn dragonflydoji(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    let very_short = t[1].avg(c, i);
    if c.body(i) <= t[0].avg(c, i) && c.upper(i) < very_short && c.lower(i) > very_short {
        100
    } else {
        0
    }
}

/// CDLGRAVESTONEDOJI: a doji with no lower shadow and an upper one.
pub(crate) const GRAVESTONEDOJI: Rule = rule! {
    totals: &[(BODY_DOJI, 0), (SHADOW_VERY_SHORT, 0)],
    lookback: max(BODY_DOJI.period, SHADOW_VERY_SHORT.period),
    eval: gravestonedoji,
};

fn gravestonedoji(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    let very_short = t[1].avg(c, i);
    if c.body(i) <= t[0].avg(c, i) && c.lower(i) < very_short && c.upper(i) > very_short {
        100
    } else {
        0
    }
}

/// CDLHIGHWAVE: a short body with both shadows very long.
pub(crate) const HIGHWAVE: Rule = rule! {
    totals: &[(BODY_SHORT, 0), (SHADOW_VERY_LONG, 0)],
    lookback: max(BODY_SHORT.period, SHADOW_VERY_LONG.period),
    eval: highwave,
};

fn highwave(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    let very_long = t[1].avg(c, i);
    if c.body(i) < t[0].avg(c, i) && c.upper(i) > very_long && c.lower(i) > very_long {
        c.color(i) * 100
    } else {
        0
    }
}

/// CDLLONGLEGGEDDOJI: a doji with one long shadow or both.
pub(crate) const LONGLEGGEDDOJI: Rule = rule! {
    totals: &[(BODY_DOJI, 0), (SHADOW_LONG, 0)],
    lookback: max(BODY_DOJI.period, SHADOW_LONG.period),
    eval: longleggeddoji,
};

fn longleggeddoji(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    let long = t[1].avg(c, i);
    if c.body(i) <= t[0].avg(c, i) && (c.lower(i) > long || c.upper(i) > long) {
        100
    } else {
        0
    }
}

/// CDLLONGLINE: a long body with short shadows.
pub(crate) const LONGLINE: Rule = rule! {
    totals: &[(BODY_LONG, 0), (SHADOW_SHORT, 0)],
    lookback: max(BODY_LONG.period, SHADOW_SHORT.period),
    eval: longline,
};

fn longline(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    let short = t[1].avg(c, i);
    if c.body(i) > t[0].avg(c, i) && c.upper(i) < short && c.lower(i) < short {
        c.color(i) * 100
    } else {
        0
    }
}

/// CDLMARUBOZU: a long body with (almost) no shadows.
pub(crate) const MARUBOZU: Rule = rule! {
    totals: &[(BODY_LONG, 0), (SHADOW_VERY_SHORT, 0)],
    lookback: max(BODY_LONG.period, SHADOW_VERY_SHORT.period),
    eval: marubozu,
};

fn marubozu(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    let very_short = t[1].avg(c, i);
    if c.body(i) > t[0].avg(c, i) && c.upper(i) < very_short && c.lower(i) < very_short {
        c.color(i) * 100
    } else {
        0
    }
}

/// CDLRICKSHAWMAN: a doji with two long shadows and its body near the middle of the range.
pub(crate) const RICKSHAWMAN: Rule = rule! {
    totals: &[(BODY_DOJI, 0), (SHADOW_LONG, 0), (NEAR, 0)],
    lookback: max(max(BODY_DOJI.period, SHADOW_LONG.period), NEAR.period),
    eval: rickshawman,
};

fn rickshawman(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    let long = t[1].avg(c, i);
    let near = t[2].avg(c, i);
    // TA-Lib's order: (low + range / 2) ± near.
    let middle = c.low[i] + c.range(i) / 2.0;
    if c.body(i) <= t[0].avg(c, i)
        && c.lower(i) > long
        && c.upper(i) > long
        && c.body_bottom(i) <= middle + near
        && c.body_top(i) >= middle - near
    {
        100
    } else {
        0
    }
}

/// CDLSHORTLINE: a short body with short shadows.
pub(crate) const SHORTLINE: Rule = rule! {
    totals: &[(BODY_SHORT, 0), (SHADOW_SHORT, 0)],
    lookback: max(BODY_SHORT.period, SHADOW_SHORT.period),
    eval: shortline,
};

fn shortline(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    let short = t[1].avg(c, i);
    if c.body(i) < t[0].avg(c, i) && c.upper(i) < short && c.lower(i) < short {
        c.color(i) * 100
    } else {
        0
    }
}

/// CDLSPINNINGTOP: a short body with both shadows longer than it.
pub(crate) const SPINNINGTOP: Rule = rule! {
    totals: &[(BODY_SHORT, 0)],
    lookback: BODY_SHORT.period,
    eval: spinningtop,
};

fn spinningtop(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    let body = c.body(i);
    if body < t[0].avg(c, i) && c.upper(i) > body && c.lower(i) > body {
        c.color(i) * 100
    } else {
        0
    }
}

/// CDLTAKURI: a doji with no upper shadow and a very long lower one.
pub(crate) const TAKURI: Rule = rule! {
    totals: &[
        (BODY_DOJI, 0),
        (SHADOW_VERY_SHORT, 0),
        (SHADOW_VERY_LONG, 0),
    ],
    lookback: max(
        max(BODY_DOJI.period, SHADOW_VERY_SHORT.period),
        SHADOW_VERY_LONG.period,
    ),
    eval: takuri,
};

fn takuri(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    if c.body(i) <= t[0].avg(c, i) && c.upper(i) < t[1].avg(c, i) && c.lower(i) > t[2].avg(c, i) {
        100
    } else {
        0
    }
}
