//! TA-Lib's 61 candlestick patterns (CDL2CROWS … CDLXSIDEGAP3METHODS), exact.
//!
//! Each pattern gives TA-Lib's integer per bar: +100 bullish, −100 bearish, 0 nothing (the
//! hikkakes also ±200 for a confirmed set-up), `None` in the lookback. The definitions are
//! those of TA-Lib 0.8.1's C functions (the library inside the `TA-Lib` 0.8.2 wheel), with its
//! default candle settings ([`settings`]) and its default penetrations; "long", "short",
//! "near" and the like compare with averages over the previous candles that TA-Lib keeps as
//! running totals, and [`candle::Total`] repeats its arithmetic so that every comparison
//! falls on the same side as TA-Lib's. The golden test (`tests/golden_patterns.rs`) checks
//! every pattern on every row of data made by `scripts/golden/patterns.py`.
//!
//! Entry points: [`Pattern`] (one variant per function, named as TA-Lib in lower case,
//! `cdlengulfing`), [`Pattern::compute`] for a whole series and [`Pattern::stream`] for one
//! bar at a time in bounded memory.

mod candle;
mod definition;
mod hikkake;
mod kernel;
mod lines;
mod multi;
mod single;
mod star;
mod stream;
mod two;

pub use candle::{CandleSetting, RangeType, settings};
pub(crate) use definition::compute_spec;
pub use stream::PatternStream;

use super::catalog::Definition;
use crate::AnalyticsError;
use candle::Candles;
use kernel::Rule;

/// How a pattern is computed: most by the shared loop over a [`Rule`], the hikkakes by their
/// own (they remember a set-up across bars).
#[derive(Clone, Copy)]
enum Kind {
    Rule(Rule),
    Hikkake,
    HikkakeMod,
}

/// Declares [`Pattern`] and its table from one list: variant, TA-Lib name in lower case,
/// title, how it is computed, and its default penetration if it takes one.
macro_rules! patterns {
    ($($variant:ident => $name:literal, $title:literal, $kind:expr, $penetration:expr;)*) => {
        /// One of TA-Lib's 61 candlestick pattern functions.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Pattern {
            $(#[doc = $title] $variant,)*
        }

        impl Pattern {
            /// Every pattern, in TA-Lib's alphabetical order.
            pub const ALL: &'static [Pattern] = &[$(Pattern::$variant,)*];

            /// TA-Lib's function name in lower case (`cdlengulfing`).
            pub fn name(self) -> &'static str {
                match self { $(Pattern::$variant => $name,)* }
            }

            /// The pattern's name in words, as TA-Lib's documentation gives it.
            pub fn title(self) -> &'static str {
                match self { $(Pattern::$variant => $title,)* }
            }

            /// TA-Lib's default `penetration` for the seven patterns that take one.
            pub fn default_penetration(self) -> Option<f64> {
                match self { $(Pattern::$variant => $penetration,)* }
            }

            fn kind(self) -> Kind {
                match self { $(Pattern::$variant => $kind,)* }
            }
        }

        /// The patterns' rows of the function table, in TA-Lib's order.
        pub(crate) static DEFINITIONS: &[Definition] = &[$(definition::row($name, $penetration),)*];
    };
}

patterns! {
    TwoCrows => "cdl2crows", "Two Crows", Kind::Rule(star::TWOCROWS), None;
    ThreeBlackCrows => "cdl3blackcrows", "Three Black Crows", Kind::Rule(multi::THREEBLACKCROWS), None;
    ThreeInside => "cdl3inside", "Three Inside Up/Down", Kind::Rule(star::THREEINSIDE), None;
    ThreeLineStrike => "cdl3linestrike", "Three-Line Strike", Kind::Rule(multi::THREELINESTRIKE), None;
    ThreeOutside => "cdl3outside", "Three Outside Up/Down", Kind::Rule(star::THREEOUTSIDE), None;
    ThreeStarsInSouth => "cdl3starsinsouth", "Three Stars In The South", Kind::Rule(lines::THREESTARSINSOUTH), None;
    ThreeWhiteSoldiers => "cdl3whitesoldiers", "Three Advancing White Soldiers", Kind::Rule(lines::THREEWHITESOLDIERS), None;
    AbandonedBaby => "cdlabandonedbaby", "Abandoned Baby", Kind::Rule(star::ABANDONEDBABY), Some(0.3);
    AdvanceBlock => "cdladvanceblock", "Advance Block", Kind::Rule(lines::ADVANCEBLOCK), None;
    BeltHold => "cdlbelthold", "Belt-hold", Kind::Rule(single::BELTHOLD), None;
    Breakaway => "cdlbreakaway", "Breakaway", Kind::Rule(multi::BREAKAWAY), None;
    ClosingMarubozu => "cdlclosingmarubozu", "Closing Marubozu", Kind::Rule(single::CLOSINGMARUBOZU), None;
    ConcealBabySwallow => "cdlconcealbabyswall", "Concealing Baby Swallow", Kind::Rule(multi::CONCEALBABYSWALL), None;
    CounterAttack => "cdlcounterattack", "Counterattack", Kind::Rule(two::COUNTERATTACK), None;
    DarkCloudCover => "cdldarkcloudcover", "Dark Cloud Cover", Kind::Rule(two::DARKCLOUDCOVER), Some(0.5);
    Doji => "cdldoji", "Doji", Kind::Rule(single::DOJI), None;
    DojiStar => "cdldojistar", "Doji Star", Kind::Rule(two::DOJISTAR), None;
    DragonflyDoji => "cdldragonflydoji", "Dragonfly Doji", Kind::Rule(single::DRAGONFLYDOJI), None;
    Engulfing => "cdlengulfing", "Engulfing Pattern", Kind::Rule(two::ENGULFING), None;
    EveningDojiStar => "cdleveningdojistar", "Evening Doji Star", Kind::Rule(star::EVENINGDOJISTAR), Some(0.3);
    EveningStar => "cdleveningstar", "Evening Star", Kind::Rule(star::EVENINGSTAR), Some(0.3);
    GapSideSideWhite => "cdlgapsidesidewhite", "Up/Down-gap side-by-side white lines", Kind::Rule(lines::GAPSIDESIDEWHITE), None;
    GravestoneDoji => "cdlgravestonedoji", "Gravestone Doji", Kind::Rule(single::GRAVESTONEDOJI), None;
    Hammer => "cdlhammer", "Hammer", Kind::Rule(two::HAMMER), None;
    HangingMan => "cdlhangingman", "Hanging Man", Kind::Rule(two::HANGINGMAN), None;
    Harami => "cdlharami", "Harami Pattern", Kind::Rule(two::HARAMI), None;
    HaramiCross => "cdlharamicross", "Harami Cross Pattern", Kind::Rule(two::HARAMICROSS), None;
    HighWave => "cdlhighwave", "High-Wave Candle", Kind::Rule(single::HIGHWAVE), None;
    Hikkake => "cdlhikkake", "Hikkake Pattern", Kind::Hikkake, None;
    HikkakeMod => "cdlhikkakemod", "Modified Hikkake Pattern", Kind::HikkakeMod, None;
    HomingPigeon => "cdlhomingpigeon", "Homing Pigeon", Kind::Rule(two::HOMINGPIGEON), None;
    Identical3Crows => "cdlidentical3crows", "Identical Three Crows", Kind::Rule(lines::IDENTICAL3CROWS), None;
    InNeck => "cdlinneck", "In-Neck Pattern", Kind::Rule(two::INNECK), None;
    InvertedHammer => "cdlinvertedhammer", "Inverted Hammer", Kind::Rule(two::INVERTEDHAMMER), None;
    Kicking => "cdlkicking", "Kicking", Kind::Rule(two::KICKING), None;
    KickingByLength => "cdlkickingbylength", "Kicking - bull/bear determined by the longer marubozu", Kind::Rule(two::KICKINGBYLENGTH), None;
    LadderBottom => "cdlladderbottom", "Ladder Bottom", Kind::Rule(multi::LADDERBOTTOM), None;
    LongLeggedDoji => "cdllongleggeddoji", "Long Legged Doji", Kind::Rule(single::LONGLEGGEDDOJI), None;
    LongLine => "cdllongline", "Long Line Candle", Kind::Rule(single::LONGLINE), None;
    Marubozu => "cdlmarubozu", "Marubozu", Kind::Rule(single::MARUBOZU), None;
    MatchingLow => "cdlmatchinglow", "Matching Low", Kind::Rule(two::MATCHINGLOW), None;
    MatHold => "cdlmathold", "Mat Hold", Kind::Rule(multi::MATHOLD), Some(0.5);
    MorningDojiStar => "cdlmorningdojistar", "Morning Doji Star", Kind::Rule(star::MORNINGDOJISTAR), Some(0.3);
    MorningStar => "cdlmorningstar", "Morning Star", Kind::Rule(star::MORNINGSTAR), Some(0.3);
    OnNeck => "cdlonneck", "On-Neck Pattern", Kind::Rule(two::ONNECK), None;
    Piercing => "cdlpiercing", "Piercing Pattern", Kind::Rule(two::PIERCING), None;
    RickshawMan => "cdlrickshawman", "Rickshaw Man", Kind::Rule(single::RICKSHAWMAN), None;
    RiseFall3Methods => "cdlrisefall3methods", "Rising/Falling Three Methods", Kind::Rule(multi::RISEFALL3METHODS), None;
    SeparatingLines => "cdlseparatinglines", "Separating Lines", Kind::Rule(two::SEPARATINGLINES), None;
    ShootingStar => "cdlshootingstar", "Shooting Star", Kind::Rule(two::SHOOTINGSTAR), None;
    ShortLine => "cdlshortline", "Short Line Candle", Kind::Rule(single::SHORTLINE), None;
    SpinningTop => "cdlspinningtop", "Spinning Top", Kind::Rule(single::SPINNINGTOP), None;
    StalledPattern => "cdlstalledpattern", "Stalled Pattern", Kind::Rule(lines::STALLEDPATTERN), None;
    StickSandwich => "cdlsticksandwich", "Stick Sandwich", Kind::Rule(lines::STICKSANDWICH), None;
    Takuri => "cdltakuri", "Takuri (Dragonfly Doji with very long lower shadow)", Kind::Rule(single::TAKURI), None;
    TasukiGap => "cdltasukigap", "Tasuki Gap", Kind::Rule(lines::TASUKIGAP), None;
    Thrusting => "cdlthrusting", "Thrusting Pattern", Kind::Rule(two::THRUSTING), None;
    Tristar => "cdltristar", "Tristar Pattern", Kind::Rule(star::TRISTAR), None;
    Unique3River => "cdlunique3river", "Unique 3 River", Kind::Rule(lines::UNIQUE3RIVER), None;
    UpsideGap2Crows => "cdlupsidegap2crows", "Upside Gap Two Crows", Kind::Rule(star::UPSIDEGAP2CROWS), None;
    XSideGap3Methods => "cdlxsidegap3methods", "Upside/Downside Gap Three Methods", Kind::Rule(lines::XSIDEGAP3METHODS), None;
}

/// The largest penetration TA-Lib accepts (its `TA_REAL_MAX` bound, 3e37).
const MAX_PENETRATION: f64 = 3e37;

/// A pattern's parameters; only seven patterns take one (`penetration`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PatternParams {
    /// How far, as a fraction of the first candle's body, the last candle must close into it
    /// (stars, abandoned baby, dark cloud cover) or the middle ones may fall (mat hold).
    /// `None` takes TA-Lib's default.
    pub penetration: Option<f64>,
}

impl std::str::FromStr for Pattern {
    type Err = AnalyticsError;

    /// Parses TA-Lib's name in any case (`cdlengulfing`, `CDLENGULFING`).
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        let lower = name.trim().to_ascii_lowercase();
        Pattern::ALL
            .iter()
            .copied()
            .find(|p| p.name() == lower)
            .ok_or_else(|| {
                AnalyticsError::InvalidParameter(format!(
                    "unknown candlestick pattern '{name}' (expected a TA-Lib name such as cdlengulfing)"
                ))
            })
    }
}

impl std::fmt::Display for Pattern {
    /// The spec form: the name, with no parameters.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Pattern {
    /// Bars before the first output (TA-Lib's `_Lookback` with default candle settings); the
    /// penetration does not change it.
    pub fn lookback(self) -> usize {
        match self.kind() {
            Kind::Rule(rule) => rule.lookback,
            Kind::Hikkake => hikkake::HIKKAKE_LOOKBACK,
            Kind::HikkakeMod => hikkake::HIKKAKEMOD_LOOKBACK,
        }
    }

    /// Whether the pattern takes a `penetration`.
    pub fn takes_penetration(self) -> bool {
        self.default_penetration().is_some()
    }

    /// The penetration to use: the given one (checked against TA-Lib's range) or the
    /// default; 0 for patterns without one, where giving one is an error.
    fn penetration(self, params: PatternParams) -> Result<f64, AnalyticsError> {
        match (params.penetration, self.default_penetration()) {
            (None, default) => Ok(default.unwrap_or(0.0)),
            (Some(_), None) => Err(AnalyticsError::InvalidParameter(format!(
                "{} takes no penetration",
                self.name()
            ))),
            (Some(value), Some(_)) if (0.0..=MAX_PENETRATION).contains(&value) => Ok(value),
            (Some(value), Some(_)) => Err(AnalyticsError::InvalidParameter(format!(
                "{} penetration must be between 0 and 3e37, got {value}",
                self.name()
            ))),
        }
    }

    /// The pattern's value on every bar: `None` in the first [`lookback`](Self::lookback)
    /// bars (all of them when the series is no longer than that), TA-Lib's integer after.
    pub fn compute(
        self,
        open: &[f64],
        high: &[f64],
        low: &[f64],
        close: &[f64],
        params: PatternParams,
    ) -> Result<Vec<Option<i32>>, AnalyticsError> {
        let mut out = vec![None; close.len()];
        self.compute_into(open, high, low, close, params, &mut out)?;
        Ok(out)
    }

    /// [`compute`](Self::compute) into a caller's slice of the input's length, so repeated
    /// runs reuse one output.
    pub fn compute_into(
        self,
        open: &[f64],
        high: &[f64],
        low: &[f64],
        close: &[f64],
        params: PatternParams,
        out: &mut [Option<i32>],
    ) -> Result<(), AnalyticsError> {
        let penetration = self.penetration(params)?;
        check_bars(open, high, low, close)?;
        if out.len() != close.len() {
            return Err(AnalyticsError::InvalidInput(format!(
                "{} output has {} rows where the input has {}",
                self.name(),
                out.len(),
                close.len()
            )));
        }
        let lookback = self.lookback().min(out.len());
        out[..lookback].fill(None);
        let candles = Candles {
            open,
            high,
            low,
            close,
        };
        match self.kind() {
            Kind::Rule(rule) => kernel::run(&rule, &candles, penetration, out),
            Kind::Hikkake => hikkake::hikkake(&candles, out),
            Kind::HikkakeMod => hikkake::hikkakemod(&candles, out),
        }
        Ok(())
    }

    /// A streaming evaluator: push one bar, get that bar's value, in memory bounded by the
    /// lookback; gives exactly what [`compute`](Self::compute) gives on the same bars.
    pub fn stream(self, params: PatternParams) -> Result<PatternStream, AnalyticsError> {
        Ok(PatternStream::new(self, self.penetration(params)?))
    }
}

/// Checks one bar: finite prices and a high not below the low; `row` names it in the error.
pub(crate) fn check_bar(
    row: usize,
    open: f64,
    high: f64,
    low: f64,
    close: f64,
) -> Result<(), AnalyticsError> {
    for (name, value) in [
        ("open", open),
        ("high", high),
        ("low", low),
        ("close", close),
    ] {
        if !value.is_finite() {
            return Err(AnalyticsError::InvalidInput(format!(
                "{name} has a missing or non-finite value at row {row}"
            )));
        }
    }
    if high < low {
        return Err(AnalyticsError::InvalidInput(format!(
            "high is below low at row {row} ({high} < {low})"
        )));
    }
    Ok(())
}

/// Checks that the four series have one length and every bar is valid.
fn check_bars(
    open: &[f64],
    high: &[f64],
    low: &[f64],
    close: &[f64],
) -> Result<(), AnalyticsError> {
    let len = close.len();
    if open.len() != len || high.len() != len || low.len() != len {
        return Err(AnalyticsError::InvalidInput(format!(
            "open, high, low and close must have the same number of rows (open {}, high {}, low {}, close {len})",
            open.len(),
            high.len(),
            low.len()
        )));
    }
    // One branch-free pass decides whether anything is wrong; only then are rows searched.
    let all_good = open
        .iter()
        .zip(high)
        .zip(low)
        .zip(close)
        .fold(1u8, |good, (((o, h), l), c)| {
            good & u8::from(
                (o.abs() < f64::INFINITY)
                    & (h.abs() < f64::INFINITY)
                    & (l.abs() < f64::INFINITY)
                    & (c.abs() < f64::INFINITY)
                    & (h >= l),
            )
        });
    if all_good == 1 {
        return Ok(());
    }
    for row in 0..len {
        check_bar(row, open[row], high[row], low[row], close[row])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        assert_eq!(Pattern::ALL.len(), 61);
        for &p in Pattern::ALL {
            assert_eq!(p.name().parse::<Pattern>().unwrap(), p);
            assert!(p.name().starts_with("cdl"));
        }
        assert!("cdlnothing".parse::<Pattern>().is_err());
        assert_eq!(
            "CDLENGULFING".parse::<Pattern>().unwrap(),
            Pattern::Engulfing
        );
    }

    #[test]
    fn short_series_is_all_lookback() {
        let bars = [1.0, 2.0, 3.0];
        let out = Pattern::Doji
            .compute(&bars, &bars, &bars, &bars, PatternParams::default())
            .unwrap();
        assert_eq!(out, vec![None; 3]);
    }

    #[test]
    fn rejects_bad_input_and_parameters() {
        let ok = [1.0; 20];
        let mut bad = [1.0; 20];
        bad[7] = f64::NAN;
        let err = Pattern::Doji
            .compute(&ok, &ok, &ok, &bad, PatternParams::default())
            .unwrap_err();
        assert!(err.to_string().contains("close") && err.to_string().contains("row 7"));
        let low = [2.0; 20];
        assert!(
            Pattern::Doji
                .compute(&ok, &ok, &low, &ok, PatternParams::default())
                .is_err()
        );
        assert!(
            Pattern::Doji
                .compute(&ok[..3], &ok, &ok, &ok, PatternParams::default())
                .is_err()
        );
        let negative = PatternParams {
            penetration: Some(-0.1),
        };
        assert!(
            Pattern::MorningStar
                .compute(&ok, &ok, &ok, &ok, negative)
                .is_err()
        );
        let given = PatternParams {
            penetration: Some(0.1),
        };
        assert!(Pattern::Doji.compute(&ok, &ok, &ok, &ok, given).is_err());
    }

    #[test]
    fn flat_bars_are_dojis() {
        let flat = [5.0; 30];
        let out = Pattern::Doji
            .compute(&flat, &flat, &flat, &flat, PatternParams::default())
            .unwrap();
        assert!(out[..10].iter().all(Option::is_none));
        assert!(out[10..].iter().all(|v| *v == Some(100)));
    }
}
