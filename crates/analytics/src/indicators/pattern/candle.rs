//! TA-Lib's candle settings and the measures every pattern compares: bodies, shadows, gaps,
//! and the rolling totals behind "long", "short", "near" and the rest.
//!
//! A pattern never compares a body with a fixed size: it compares it with a multiple of the
//! average of some measure over the previous bars (TA-Lib's `TA_CANDLEAVERAGE`). TA-Lib keeps
//! each average as a running total that it starts at the first output bar and then moves by
//! `total += new − old` each bar; which side of a threshold a value falls on can depend on the
//! last bit of that total, so [`Total`] repeats TA-Lib's sums in its order, from the same first
//! bar, and a pattern's totals are always started where TA-Lib starts them (its lookback).

/// Which measure of a candle a setting averages (TA-Lib's `TA_RangeType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeType {
    /// The real body, `|close − open|`.
    RealBody,
    /// The whole range, `high − low`.
    HighLow,
    /// Both shadows together; the average is halved to give one shadow's.
    Shadows,
}

/// One of TA-Lib's candle settings: "a body is long when it is longer than `factor` times the
/// average body of the `period` previous candles" and the like.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CandleSetting {
    /// The measure averaged.
    pub range: RangeType,
    /// How many previous candles are averaged; 0 means the candle itself.
    pub period: usize,
    /// The multiple of the average the threshold is.
    pub factor: f64,
}

/// TA-Lib's default candle settings (`TA_RestoreCandleDefaultSettings`), the ones every
/// pattern here uses.
pub mod settings {
    use super::{CandleSetting, RangeType};

    /// A real body is long when longer than the average body of the 10 previous candles.
    pub const BODY_LONG: CandleSetting = CandleSetting {
        range: RangeType::RealBody,
        period: 10,
        factor: 1.0,
    };
    /// A real body is very long when longer than 3 times the average body.
    pub const BODY_VERY_LONG: CandleSetting = CandleSetting {
        range: RangeType::RealBody,
        period: 10,
        factor: 3.0,
    };
    /// A real body is short when shorter than the average body of the 10 previous candles.
    pub const BODY_SHORT: CandleSetting = CandleSetting {
        range: RangeType::RealBody,
        period: 10,
        factor: 1.0,
    };
    /// A real body is a doji's when at most 10% of the average high-low range.
    pub const BODY_DOJI: CandleSetting = CandleSetting {
        range: RangeType::HighLow,
        period: 10,
        factor: 0.1,
    };
    /// A shadow is long when longer than the candle's own real body.
    pub const SHADOW_LONG: CandleSetting = CandleSetting {
        range: RangeType::RealBody,
        period: 0,
        factor: 1.0,
    };
    /// A shadow is very long when longer than twice the candle's own real body.
    pub const SHADOW_VERY_LONG: CandleSetting = CandleSetting {
        range: RangeType::RealBody,
        period: 0,
        factor: 2.0,
    };
    /// A shadow is short when shorter than half the average sum of both shadows.
    pub const SHADOW_SHORT: CandleSetting = CandleSetting {
        range: RangeType::Shadows,
        period: 10,
        factor: 1.0,
    };
    /// A shadow is very short when shorter than 10% of the average high-low range.
    pub const SHADOW_VERY_SHORT: CandleSetting = CandleSetting {
        range: RangeType::HighLow,
        period: 10,
        factor: 0.1,
    };
    /// Prices are near when within 20% of the average range of the 5 previous candles.
    pub const NEAR: CandleSetting = CandleSetting {
        range: RangeType::HighLow,
        period: 5,
        factor: 0.2,
    };
    /// Prices are far apart when at least 60% of the average range of the 5 previous candles.
    pub const FAR: CandleSetting = CandleSetting {
        range: RangeType::HighLow,
        period: 5,
        factor: 0.6,
    };
    /// Prices are equal when within 5% of the average range of the 5 previous candles.
    pub const EQUAL: CandleSetting = CandleSetting {
        range: RangeType::HighLow,
        period: 5,
        factor: 0.05,
    };
}

/// The bars a pattern reads, as four equally long slices; indexes are bar numbers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candles<'a> {
    pub open: &'a [f64],
    pub high: &'a [f64],
    pub low: &'a [f64],
    pub close: &'a [f64],
}

impl Candles<'_> {
    /// Number of bars.
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.close.len()
    }

    /// `|close − open|` (TA_REALBODY).
    #[inline(always)]
    pub fn body(&self, i: usize) -> f64 {
        (self.close[i] - self.open[i]).abs()
    }

    /// The higher of open and close.
    #[inline(always)]
    pub fn body_top(&self, i: usize) -> f64 {
        self.open[i].max(self.close[i])
    }

    /// The lower of open and close.
    #[inline(always)]
    pub fn body_bottom(&self, i: usize) -> f64 {
        self.open[i].min(self.close[i])
    }

    /// `high − max(open, close)` (TA_UPPERSHADOW).
    #[inline(always)]
    pub fn upper(&self, i: usize) -> f64 {
        let top = if self.close[i] >= self.open[i] {
            self.close[i]
        } else {
            self.open[i]
        };
        self.high[i] - top
    }

    /// `min(open, close) − low` (TA_LOWERSHADOW).
    #[inline(always)]
    pub fn lower(&self, i: usize) -> f64 {
        let bottom = if self.close[i] >= self.open[i] {
            self.open[i]
        } else {
            self.close[i]
        };
        bottom - self.low[i]
    }

    /// `high − low` (TA_HIGHLOWRANGE).
    #[inline(always)]
    pub fn range(&self, i: usize) -> f64 {
        self.high[i] - self.low[i]
    }

    /// 1 for a white candle (close ≥ open), −1 for a black one (TA_CANDLECOLOR).
    #[inline(always)]
    pub fn color(&self, i: usize) -> i32 {
        if self.close[i] >= self.open[i] { 1 } else { -1 }
    }

    /// Whether bar `i` is white.
    #[inline(always)]
    pub fn white(&self, i: usize) -> bool {
        self.close[i] >= self.open[i]
    }

    /// Whether bar `i` is black.
    #[inline(always)]
    pub fn black(&self, i: usize) -> bool {
        self.close[i] < self.open[i]
    }

    /// Real body of `later` entirely above that of `earlier` (TA_REALBODYGAPUP).
    #[inline(always)]
    pub fn body_gap_up(&self, later: usize, earlier: usize) -> bool {
        self.body_bottom(later) > self.body_top(earlier)
    }

    /// Real body of `later` entirely below that of `earlier` (TA_REALBODYGAPDOWN).
    #[inline(always)]
    pub fn body_gap_down(&self, later: usize, earlier: usize) -> bool {
        self.body_top(later) < self.body_bottom(earlier)
    }

    /// Low of `later` above the high of `earlier` (TA_CANDLEGAPUP).
    #[inline(always)]
    pub fn gap_up(&self, later: usize, earlier: usize) -> bool {
        self.low[later] > self.high[earlier]
    }

    /// High of `later` below the low of `earlier` (TA_CANDLEGAPDOWN).
    #[inline(always)]
    pub fn gap_down(&self, later: usize, earlier: usize) -> bool {
        self.high[later] < self.low[earlier]
    }

    /// The measure a setting averages, of bar `i` (TA_CANDLERANGE); the two shadows are
    /// computed apart and then added, as TA-Lib does.
    #[inline(always)]
    pub fn measure(&self, range: RangeType, i: usize) -> f64 {
        match range {
            RangeType::RealBody => self.body(i),
            RangeType::HighLow => self.range(i),
            RangeType::Shadows => self.upper(i) + self.lower(i),
        }
    }

    /// The threshold of `setting` at bar `i` given its running total (TA_CANDLEAVERAGE):
    /// `factor · (total / period) / (2 for shadows, else 1)`, or the bar's own measure when
    /// the period is 0.
    #[inline(always)]
    pub fn average(&self, setting: CandleSetting, total: f64, i: usize) -> f64 {
        let mean = if setting.period != 0 {
            total / setting.period as f64
        } else {
            self.measure(setting.range, i)
        };
        let halve = if setting.range == RangeType::Shadows {
            2.0
        } else {
            1.0
        };
        setting.factor * mean / halve
    }
}

/// One running total of a pattern: the measure of `setting` summed over the `period` bars
/// before bar `i − offset`, where `i` is the bar being evaluated.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Total {
    pub setting: CandleSetting,
    pub offset: usize,
    pub sum: f64,
}

impl Total {
    /// The total for evaluating bar `at`, summed from zero in ascending bar order as TA-Lib's
    /// set-up loop does. Needs `at ≥ offset + period`.
    #[inline]
    pub fn start(candles: &Candles, setting: CandleSetting, offset: usize, at: usize) -> Self {
        let end = at - offset;
        let mut sum = 0.0;
        for j in end - setting.period..end {
            sum += candles.measure(setting.range, j);
        }
        Self {
            setting,
            offset,
            sum,
        }
    }

    /// The threshold at `bar` (TA_CANDLEAVERAGE of this total; `bar` only matters when the
    /// period is 0, where the bar's own measure is the average).
    #[inline(always)]
    pub fn avg(&self, candles: &Candles, bar: usize) -> f64 {
        candles.average(self.setting, self.sum, bar)
    }

    /// Moves the total on after bar `i` was evaluated: TA-Lib's `total += new − old`, the
    /// difference taken first.
    #[inline(always)]
    pub fn advance(&mut self, candles: &Candles, i: usize) {
        let new = i - self.offset;
        let old = new - self.setting.period;
        self.sum +=
            candles.measure(self.setting.range, new) - candles.measure(self.setting.range, old);
    }
}
