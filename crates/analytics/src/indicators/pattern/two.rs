//! Patterns of two candles: engulfing, harami, star, hammer and line families.

use super::candle::settings::{
    BODY_DOJI, BODY_LONG, BODY_SHORT, EQUAL, NEAR, SHADOW_LONG, SHADOW_VERY_SHORT,
};
use super::candle::{Candles, Total};
use super::kernel::{Rule, max, rule};

/// CDLCOUNTERATTACK: two long bodies of opposite colours closing at the same price.
pub(crate) const COUNTERATTACK: Rule = rule! {
    totals: &[(EQUAL, 1), (BODY_LONG, 1), (BODY_LONG, 0)],
    lookback: max(EQUAL.period, BODY_LONG.period) + 1,
    eval: counterattack,
};

fn counterattack(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    let equal = t[0].avg(c, i - 1);
    if c.color(i - 1) == -c.color(i)
        && c.body(i - 1) > t[1].avg(c, i - 1)
        && c.body(i) > t[2].avg(c, i)
        && c.close[i] <= c.close[i - 1] + equal
        && c.close[i] >= c.close[i - 1] - equal
    {
        c.color(i) * 100
    } else {
        0
    }
}

/// CDLDARKCLOUDCOVER: a long white candle, then a black one opening above its high and
/// closing deep (by `penetration` of its body) into it.
pub(crate) const DARKCLOUDCOVER: Rule = rule! {
    totals: &[(BODY_LONG, 1)],
    lookback: BODY_LONG.period + 1,
    eval: darkcloudcover,
};

fn darkcloudcover(c: &Candles, i: usize, t: &[Total], penetration: f64) -> i32 {
    if c.white(i - 1)
        && c.body(i - 1) > t[0].avg(c, i - 1)
        && c.black(i)
        && c.open[i] > c.high[i - 1]
        && c.close[i] > c.open[i - 1]
        && c.close[i] < c.close[i - 1] - c.body(i - 1) * penetration
    {
        -100
    } else {
        0
    }
}

/// CDLDOJISTAR: a long candle, then a doji whose body gaps away from it.
pub(crate) const DOJISTAR: Rule = rule! {
    totals: &[(BODY_LONG, 1), (BODY_DOJI, 0)],
    lookback: max(BODY_DOJI.period, BODY_LONG.period) + 1,
    eval: dojistar,
};

fn dojistar(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    if c.body(i - 1) > t[0].avg(c, i - 1)
        && c.body(i) <= t[1].avg(c, i)
        && ((c.white(i - 1) && c.body_gap_up(i, i - 1))
            || (c.black(i - 1) && c.body_gap_down(i, i - 1)))
    {
        -c.color(i - 1) * 100
    } else {
        0
    }
}

/// CDLENGULFING: a body engulfing the previous one of the opposite colour: ±100, or ±80
/// when the two bodies share one end (TA-Lib 0.6 on).
pub(crate) const ENGULFING: Rule = rule! {
    totals: &[],
    lookback: 2,
    eval: engulfing,
};

fn engulfing(c: &Candles, i: usize, _: &[Total], _: f64) -> i32 {
    let (open, close) = (c.open[i], c.close[i]);
    let (prev_open, prev_close) = (c.open[i - 1], c.close[i - 1]);
    let white_engulfs = c.white(i)
        && c.black(i - 1)
        && ((close >= prev_open && open < prev_close) || (close > prev_open && open <= prev_close));
    let black_engulfs = c.black(i)
        && c.white(i - 1)
        && ((open >= prev_close && close < prev_open) || (open > prev_close && close <= prev_open));
    if !(white_engulfs || black_engulfs) {
        0
    } else if open != prev_close && close != prev_open {
        c.color(i) * 100
    } else {
        c.color(i) * 80
    }
}

/// CDLHAMMER: a short body near the previous low, a long lower shadow, no upper shadow.
pub(crate) const HAMMER: Rule = rule! {
    totals: &[
        (BODY_SHORT, 0),
        (SHADOW_LONG, 0),
        (SHADOW_VERY_SHORT, 0),
        (NEAR, 1),
    ],
    lookback: max(
        max(
            max(BODY_SHORT.period, SHADOW_LONG.period),
            SHADOW_VERY_SHORT.period,
        ),
        NEAR.period,
    ) + 1,
    eval: hammer,
};

fn hammer(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    if c.body(i) < t[0].avg(c, i)
        && c.lower(i) > t[1].avg(c, i)
        && c.upper(i) < t[2].avg(c, i)
        && c.body_bottom(i) <= c.low[i - 1] + t[3].avg(c, i - 1)
    {
        100
    } else {
        0
    }
}

/// CDLHANGINGMAN: the hammer's shape with its body near or above the previous high.
pub(crate) const HANGINGMAN: Rule = rule! {
    totals: HAMMER.totals,
    lookback: HAMMER.lookback,
    eval: hangingman,
};

fn hangingman(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    if c.body(i) < t[0].avg(c, i)
        && c.lower(i) > t[1].avg(c, i)
        && c.upper(i) < t[2].avg(c, i)
        && c.body_bottom(i) >= c.high[i - 1] - t[3].avg(c, i - 1)
    {
        -100
    } else {
        0
    }
}

/// CDLHARAMI: a long body, then a short one inside it (±100), or inside but sharing one end
/// of it (±80).
pub(crate) const HARAMI: Rule = rule! {
    totals: &[(BODY_LONG, 1), (BODY_SHORT, 0)],
    lookback: max(BODY_SHORT.period, BODY_LONG.period) + 1,
    eval: harami,
};

fn harami(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    if !(c.body(i - 1) > t[0].avg(c, i - 1) && c.body(i) <= t[1].avg(c, i)) {
        return 0;
    }
    let (top, bottom) = (c.body_top(i), c.body_bottom(i));
    let (prev_top, prev_bottom) = (c.body_top(i - 1), c.body_bottom(i - 1));
    if top < prev_top && bottom > prev_bottom {
        -c.color(i - 1) * 100
    } else if top <= prev_top && bottom >= prev_bottom {
        // One end shared (TA-Lib 0.6 on, after Morris).
        -c.color(i - 1) * 80
    } else {
        0
    }
}

/// CDLHARAMICROSS: a long body, then a doji inside it.
pub(crate) const HARAMICROSS: Rule = rule! {
    totals: &[(BODY_LONG, 1), (BODY_DOJI, 0)],
    lookback: max(BODY_DOJI.period, BODY_LONG.period) + 1,
    eval: harami,
};

/// CDLHOMINGPIGEON: a long black candle, then a short black one inside its body.
pub(crate) const HOMINGPIGEON: Rule = rule! {
    totals: &[(BODY_LONG, 1), (BODY_SHORT, 0)],
    lookback: max(BODY_SHORT.period, BODY_LONG.period) + 1,
    eval: homingpigeon,
};

fn homingpigeon(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    if c.black(i - 1)
        && c.black(i)
        && c.body(i - 1) > t[0].avg(c, i - 1)
        && c.body(i) <= t[1].avg(c, i)
        && c.open[i] < c.open[i - 1]
        && c.close[i] > c.close[i - 1]
    {
        100
    } else {
        0
    }
}

/// The set-up of the in-neck, on-neck and thrusting lines: a long black candle, then a white
/// one opening below its low.
const NECK_TOTALS: &[(super::candle::CandleSetting, usize)] = &[(EQUAL, 1), (BODY_LONG, 1)];

fn neck_setup(c: &Candles, i: usize, t: &[Total]) -> bool {
    c.black(i - 1) && c.body(i - 1) > t[1].avg(c, i - 1) && c.white(i) && c.open[i] < c.low[i - 1]
}

/// CDLINNECK: the white candle closes at or just above the black one's close.
pub(crate) const INNECK: Rule = rule! {
    totals: NECK_TOTALS,
    lookback: max(EQUAL.period, BODY_LONG.period) + 1,
    eval: inneck,
};

fn inneck(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    if neck_setup(c, i, t)
        && c.close[i] <= c.close[i - 1] + t[0].avg(c, i - 1)
        && c.close[i] >= c.close[i - 1]
    {
        -100
    } else {
        0
    }
}

/// CDLONNECK: the white candle closes at the black one's low.
pub(crate) const ONNECK: Rule = rule! {
    totals: INNECK.totals,
    lookback: INNECK.lookback,
    eval: onneck,
};

fn onneck(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    let equal = t[0].avg(c, i - 1);
    if neck_setup(c, i, t)
        && c.close[i] <= c.low[i - 1] + equal
        && c.close[i] >= c.low[i - 1] - equal
    {
        -100
    } else {
        0
    }
}

/// CDLTHRUSTING: the white candle closes into the black body, but below its middle.
pub(crate) const THRUSTING: Rule = rule! {
    totals: INNECK.totals,
    lookback: INNECK.lookback,
    eval: thrusting,
};

fn thrusting(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    if neck_setup(c, i, t)
        && c.close[i] > c.close[i - 1] + t[0].avg(c, i - 1)
        && c.close[i] <= c.close[i - 1] + c.body(i - 1) * 0.5
    {
        -100
    } else {
        0
    }
}

/// CDLINVERTEDHAMMER: a short body gapping down, a long upper shadow, no lower shadow.
pub(crate) const INVERTEDHAMMER: Rule = rule! {
    totals: &[(BODY_SHORT, 0), (SHADOW_LONG, 0), (SHADOW_VERY_SHORT, 0)],
    lookback: max(
        max(BODY_SHORT.period, SHADOW_LONG.period),
        SHADOW_VERY_SHORT.period,
    ) + 1,
    eval: invertedhammer,
};

fn invertedhammer(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    if c.body(i) < t[0].avg(c, i)
        && c.upper(i) > t[1].avg(c, i)
        && c.lower(i) < t[2].avg(c, i)
        && c.body_gap_down(i, i - 1)
    {
        100
    } else {
        0
    }
}

/// CDLSHOOTINGSTAR: the inverted hammer's shape gapping up.
pub(crate) const SHOOTINGSTAR: Rule = rule! {
    totals: INVERTEDHAMMER.totals,
    lookback: INVERTEDHAMMER.lookback,
    eval: shootingstar,
};

fn shootingstar(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    if c.body(i) < t[0].avg(c, i)
        && c.upper(i) > t[1].avg(c, i)
        && c.lower(i) < t[2].avg(c, i)
        && c.body_gap_up(i, i - 1)
    {
        -100
    } else {
        0
    }
}

/// The totals of both kicking patterns.
const KICKING_TOTALS: &[(super::candle::CandleSetting, usize)] = &[
    (SHADOW_VERY_SHORT, 1),
    (SHADOW_VERY_SHORT, 0),
    (BODY_LONG, 1),
    (BODY_LONG, 0),
];

/// Two marubozu of opposite colours with a gap between them.
fn kicking_setup(c: &Candles, i: usize, t: &[Total]) -> bool {
    let (vs1, vs0) = (t[0].avg(c, i - 1), t[1].avg(c, i));
    c.color(i - 1) == -c.color(i)
        && c.body(i - 1) > t[2].avg(c, i - 1)
        && c.upper(i - 1) < vs1
        && c.lower(i - 1) < vs1
        && c.body(i) > t[3].avg(c, i)
        && c.upper(i) < vs0
        && c.lower(i) < vs0
        && ((c.black(i - 1) && c.gap_up(i, i - 1)) || (c.white(i - 1) && c.gap_down(i, i - 1)))
}

/// CDLKICKING: two marubozu of opposite colours with a gap; the second's colour.
pub(crate) const KICKING: Rule = rule! {
    totals: KICKING_TOTALS,
    lookback: max(SHADOW_VERY_SHORT.period, BODY_LONG.period) + 1,
    eval: kicking,
};

fn kicking(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    if kicking_setup(c, i, t) {
        c.color(i) * 100
    } else {
        0
    }
}

/// CDLKICKINGBYLENGTH: the kicking pattern, with the colour of the longer marubozu.
pub(crate) const KICKINGBYLENGTH: Rule = rule! {
    totals: KICKING.totals,
    lookback: KICKING.lookback,
    eval: kickingbylength,
};

fn kickingbylength(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    if kicking_setup(c, i, t) {
        let longer = if c.body(i) > c.body(i - 1) { i } else { i - 1 };
        c.color(longer) * 100
    } else {
        0
    }
}

/// CDLMATCHINGLOW: two black candles closing at the same price.
pub(crate) const MATCHINGLOW: Rule = rule! {
    totals: &[(EQUAL, 1)],
    lookback: EQUAL.period + 1,
    eval: matchinglow,
};

fn matchinglow(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    let equal = t[0].avg(c, i - 1);
    if c.black(i - 1)
        && c.black(i)
        && c.close[i] <= c.close[i - 1] + equal
        && c.close[i] >= c.close[i - 1] - equal
    {
        100
    } else {
        0
    }
}

/// CDLPIERCING: a long black candle, then a long white one opening below its low and closing
/// above the middle of its body.
pub(crate) const PIERCING: Rule = rule! {
    totals: &[(BODY_LONG, 1), (BODY_LONG, 0)],
    lookback: BODY_LONG.period + 1,
    eval: piercing,
};

fn piercing(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    if c.black(i - 1)
        && c.body(i - 1) > t[0].avg(c, i - 1)
        && c.white(i)
        && c.body(i) > t[1].avg(c, i)
        && c.open[i] < c.low[i - 1]
        && c.close[i] < c.open[i - 1]
        && c.close[i] > c.close[i - 1] + c.body(i - 1) * 0.5
    {
        100
    } else {
        0
    }
}

/// CDLSEPARATINGLINES: opposite colours opening at the same price, the second a belt hold.
pub(crate) const SEPARATINGLINES: Rule = rule! {
    totals: &[(SHADOW_VERY_SHORT, 0), (BODY_LONG, 0), (EQUAL, 1)],
    lookback: max(
        max(SHADOW_VERY_SHORT.period, BODY_LONG.period),
        EQUAL.period,
    ) + 1,
    eval: separatinglines,
};

fn separatinglines(c: &Candles, i: usize, t: &[Total], _: f64) -> i32 {
    let equal = t[2].avg(c, i - 1);
    let very_short = t[0].avg(c, i);
    if c.color(i - 1) == -c.color(i)
        && c.open[i] <= c.open[i - 1] + equal
        && c.open[i] >= c.open[i - 1] - equal
        && c.body(i) > t[1].avg(c, i)
        && ((c.white(i) && c.lower(i) < very_short) || (c.black(i) && c.upper(i) < very_short))
    {
        c.color(i) * 100
    } else {
        0
    }
}
