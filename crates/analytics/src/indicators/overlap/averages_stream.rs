//! Streaming moving averages and the rolling variance: one value in, `Some` once the
//! average's lookback is over.
//!
//! Each stage performs the floating-point operations of its batch kernel in
//! `moving_averages.rs` (or `volatility.rs`) in the same order, so its outputs are the
//! kernel's bit for bit; only the history it needs is kept (a delay line or a window of at
//! most `period + 1` values), never the series.

use crate::indicators::is_zero;
use crate::indicators::moving_averages::{EmaStep, MaType, Smoothing, WMA_REBUILD, wma_sums};
use crate::indicators::overlap::extra_averages::{Hma, Rma, Zlema};
use crate::indicators::overlap::mama_stream::Mama;
use crate::indicators::volatility::RollingVariance;

/// A delay line: [`Delay::swap`] stores a value and returns the one stored `len` calls
/// earlier (0.0 until then, which no caller reads).
#[derive(Debug, Clone)]
pub(crate) struct Delay {
    ring: Box<[f64]>,
    position: usize,
}

impl Delay {
    /// A delay of `len` values (at least 1).
    pub(crate) fn new(len: usize) -> Self {
        Self {
            ring: vec![0.0; len.max(1)].into_boxed_slice(),
            position: 0,
        }
    }

    /// Stores `value`; returns the value stored `len` calls ago.
    #[inline(always)]
    pub(crate) fn swap(&mut self, value: f64) -> f64 {
        let old = std::mem::replace(&mut self.ring[self.position], value);
        self.position += 1;
        if self.position == self.ring.len() {
            self.position = 0;
        }
        old
    }
}

/// The last `len` values in arrival order, for the kernels that rescan their window.
#[derive(Debug, Clone)]
pub(crate) struct Window {
    ring: Box<[f64]>,
    /// Where the next value goes; once full, also where the oldest one is.
    next: usize,
}

impl Window {
    /// An empty window of `len` values (at least 1).
    pub(crate) fn new(len: usize) -> Self {
        Self {
            ring: vec![0.0; len.max(1)].into_boxed_slice(),
            next: 0,
        }
    }

    /// Appends `value`, dropping the oldest one once full.
    #[inline(always)]
    pub(crate) fn push(&mut self, value: f64) {
        self.ring[self.next] = value;
        self.next += 1;
        if self.next == self.ring.len() {
            self.next = 0;
        }
    }

    /// The oldest value of a full window.
    #[inline(always)]
    pub(crate) fn oldest(&self) -> f64 {
        self.ring[self.next]
    }

    /// The values of a full window, oldest first.
    #[inline(always)]
    pub(crate) fn iter(&self) -> impl Iterator<Item = f64> + '_ {
        let (newer, older) = self.ring.split_at(self.next);
        older.iter().chain(newer).copied()
    }
}

/// `sma_kernel`: add the newest, then remove the oldest.
#[derive(Debug, Clone)]
pub(crate) struct Sma {
    lookback: usize,
    seen: usize,
    total: f64,
    divisor: f64,
    delay: Delay,
}

impl Sma {
    pub(crate) fn new(period: usize) -> Self {
        Self {
            lookback: period - 1,
            seen: 0,
            total: 0.0,
            divisor: period as f64,
            delay: Delay::new(period - 1),
        }
    }

    #[inline(always)]
    pub(crate) fn next(&mut self, value: f64) -> Option<f64> {
        let oldest = self.delay.swap(value);
        self.total += value;
        if self.seen < self.lookback {
            self.seen += 1;
            return None;
        }
        let current = self.total;
        self.total -= oldest;
        Some(current / self.divisor)
    }
}

/// `ema_kernel` with TA-Lib's factor `2/(period+1)`, seeded with the mean of the first
/// `period` values.
#[derive(Debug, Clone)]
pub(crate) struct Ema {
    period: usize,
    seen: usize,
    smoothing: Smoothing,
    step: EmaStep,
    previous: f64,
}

impl Ema {
    /// TA-Lib's step, as every EMA inside another indicator takes.
    pub(crate) fn new(period: usize) -> Self {
        Self::with_step(period, EmaStep::TaLib)
    }

    /// The EMA indicator's own kernel takes the fused step (see [`EmaStep`]).
    pub(crate) fn with_step(period: usize, step: EmaStep) -> Self {
        Self {
            period,
            seen: 0,
            smoothing: Smoothing::ema(period),
            step,
            previous: 0.0,
        }
    }

    #[inline(always)]
    pub(crate) fn next(&mut self, value: f64) -> Option<f64> {
        if self.seen < self.period {
            // `previous` holds the seed's running sum until the seed is complete.
            self.previous += value;
            self.seen += 1;
            if self.seen < self.period {
                return None;
            }
            self.previous /= self.period as f64;
            return Some(self.previous);
        }
        self.previous = match self.step {
            EmaStep::TaLib => self.smoothing.talib_ema_step(self.previous, value),
            EmaStep::Fused => self.smoothing.step(self.previous, value),
        };
        Some(self.previous)
    }
}

/// `wma_kernel`: TA-Lib's running weighted sum.
#[derive(Debug, Clone)]
pub(crate) struct Wma {
    lookback: usize,
    seen: usize,
    divider: f64,
    weight: f64,
    period_sum: f64,
    period_sub: f64,
    trailing_value: f64,
    until_rebuild: usize,
    rebuild_every: usize,
    window: Window,
}

impl Wma {
    pub(crate) fn new(period: usize) -> Self {
        Self {
            lookback: period - 1,
            seen: 0,
            divider: ((period * (period + 1)) >> 1) as f64,
            weight: period as f64,
            period_sum: 0.0,
            period_sub: 0.0,
            trailing_value: 0.0,
            until_rebuild: WMA_REBUILD * period,
            rebuild_every: WMA_REBUILD * period,
            window: Window::new(period),
        }
    }

    #[inline(always)]
    pub(crate) fn next(&mut self, value: f64) -> Option<f64> {
        self.window.push(value);
        if self.seen < self.lookback {
            self.seen += 1;
            self.period_sub += value;
            self.period_sum += value * self.seen as f64;
            return None;
        }
        self.until_rebuild -= 1;
        if self.until_rebuild == 0 {
            self.until_rebuild = self.rebuild_every;
            (self.period_sub, self.period_sum) = wma_sums(self.window.iter());
        } else {
            self.period_sub += value;
            self.period_sub -= self.trailing_value;
            self.period_sum += value * self.weight;
        }
        self.trailing_value = self.window.oldest();
        let out = self.period_sum / self.divider;
        self.period_sum -= self.period_sub;
        Some(out)
    }
}

/// `dema_kernel`: `2·EMA − EMA(EMA)`, the inner EMA seeded at the outer one's first value.
#[derive(Debug, Clone)]
pub(crate) struct Dema {
    first: Ema,
    second: Ema,
}

impl Dema {
    pub(crate) fn new(period: usize) -> Self {
        Self {
            first: Ema::new(period),
            second: Ema::new(period),
        }
    }

    #[inline(always)]
    pub(crate) fn next(&mut self, value: f64) -> Option<f64> {
        let first = self.first.next(value)?;
        let second = self.second.next(first)?;
        Some(2.0 * first - second)
    }
}

/// `tema_kernel`: `3·E1 − 3·E2 + E3` of chained EMAs.
#[derive(Debug, Clone)]
pub(crate) struct Tema {
    first: Ema,
    second: Ema,
    third: Ema,
}

impl Tema {
    pub(crate) fn new(period: usize) -> Self {
        Self {
            first: Ema::new(period),
            second: Ema::new(period),
            third: Ema::new(period),
        }
    }

    #[inline(always)]
    pub(crate) fn next(&mut self, value: f64) -> Option<f64> {
        let first = self.first.next(value)?;
        let second = self.second.next(first)?;
        let third = self.third.next(second)?;
        Some(third + ((3.0 * first) - (3.0 * second)))
    }
}

/// `trima_kernel`: the running triangular sum in TA-Lib's four steps.
#[derive(Debug, Clone)]
pub(crate) struct Trima {
    period: usize,
    odd: bool,
    factor: f64,
    /// The first `period` values, kept until the first output seeds the sums.
    seed: Vec<f64>,
    seeded: bool,
    numerator: f64,
    numerator_sub: f64,
    numerator_add: f64,
    /// `input[today − period]`, the value leaving the rising half.
    trailing: Delay,
    /// `input[today − period/2]`, the value crossing from the falling to the rising half.
    middle: Delay,
}

impl Trima {
    pub(crate) fn new(period: usize) -> Self {
        let half = period >> 1;
        let odd = period % 2 == 1;
        let factor = 1.0
            / if odd {
                (half + 1) * (half + 1)
            } else {
                half * (half + 1)
            } as f64;
        Self {
            period,
            odd,
            factor,
            seed: Vec::with_capacity(period),
            seeded: false,
            numerator: 0.0,
            numerator_sub: 0.0,
            numerator_add: 0.0,
            trailing: Delay::new(period),
            middle: Delay::new(half),
        }
    }

    #[inline(always)]
    pub(crate) fn next(&mut self, value: f64) -> Option<f64> {
        let trailing_value = self.trailing.swap(value);
        let middle_value = self.middle.swap(value);
        if !self.seeded {
            self.seed.push(value);
            if self.seed.len() < self.period {
                return None;
            }
            self.seeded = true;
            self.seed_sums();
            return Some(self.numerator * self.factor);
        }
        self.numerator -= self.numerator_sub;
        self.numerator_sub -= trailing_value;
        self.numerator_sub += middle_value;
        if self.odd {
            self.numerator += self.numerator_add;
            self.numerator_add -= middle_value;
        } else {
            self.numerator_add -= middle_value;
            self.numerator += self.numerator_add;
        }
        self.numerator_add += value;
        self.numerator += value;
        Some(self.numerator * self.factor)
    }

    /// The kernel's initial sums over the first `period` values, in its order.
    fn seed_sums(&mut self) {
        let input = std::mem::take(&mut self.seed);
        let half = self.period >> 1;
        let middle = if self.odd { half } else { half - 1 };
        for i in (0..=middle).rev() {
            self.numerator_sub += input[i];
            self.numerator += self.numerator_sub;
        }
        for &value in &input[middle + 1..] {
            self.numerator_add += value;
            self.numerator += self.numerator_add;
        }
    }
}

/// `kama_kernel`: Kaufman's adaptive EMA (fast 2, slow 30).
#[derive(Debug, Clone)]
pub(crate) struct Kama {
    period: usize,
    seen: usize,
    sum_roc1: f64,
    previous: f64,
    last: f64,
    trailing_value: f64,
    delay: Delay,
}

impl Kama {
    pub(crate) fn new(period: usize) -> Self {
        Self {
            period,
            seen: 0,
            sum_roc1: 0.0,
            previous: 0.0,
            last: 0.0,
            trailing_value: 0.0,
            delay: Delay::new(period),
        }
    }

    #[inline(always)]
    fn smoothing(sum_roc1: f64, period_roc: f64) -> f64 {
        let const_max = 2.0 / (30.0 + 1.0);
        let const_diff = 2.0 / (2.0 + 1.0) - const_max;
        let efficiency = if sum_roc1 <= period_roc || is_zero(sum_roc1) {
            1.0
        } else {
            (period_roc / sum_roc1).abs()
        };
        let constant = efficiency * const_diff + const_max;
        constant * constant
    }

    #[inline(always)]
    pub(crate) fn next(&mut self, value: f64) -> Option<f64> {
        let today = self.seen;
        self.seen += 1;
        let trailing = self.delay.swap(value);
        let last = std::mem::replace(&mut self.last, value);
        if today < self.period {
            if today > 0 {
                self.sum_roc1 += (last - value).abs();
            }
            if today == self.period - 1 {
                self.previous = value;
            }
            return None;
        }
        if today == self.period {
            // The first KAMA uses the seeded sum as it stands, without sliding it.
            self.sum_roc1 += (last - value).abs();
            self.trailing_value = trailing;
            let constant = Self::smoothing(self.sum_roc1, value - trailing);
            self.previous = (value - self.previous) * constant + self.previous;
            return Some(self.previous);
        }
        let period_roc = value - trailing;
        self.sum_roc1 -= (self.trailing_value - trailing).abs();
        self.sum_roc1 += (value - last).abs();
        self.trailing_value = trailing;
        let constant = Self::smoothing(self.sum_roc1, period_roc);
        self.previous = (value - self.previous) * constant + self.previous;
        Some(self.previous)
    }
}

/// `t3_kernel`: six chained EMAs, each seeded with the mean of its first `period` inputs.
#[derive(Debug, Clone)]
pub(crate) struct T3 {
    period: usize,
    k: f64,
    one_minus_k: f64,
    divisor: f64,
    coefficients: [f64; 4],
    /// 0 while the first EMA's seed is summed, then the stage being seeded (1 to 5), then 6.
    phase: usize,
    count: usize,
    total: f64,
    stages: [f64; 6],
}

impl T3 {
    pub(crate) fn new(period: usize, v_factor: f64) -> Self {
        let k = 2.0 / (period as f64 + 1.0);
        let squared = v_factor * v_factor;
        let c1 = -squared * v_factor;
        let c2 = 3.0 * (squared - c1);
        let c3 = -6.0 * squared - 3.0 * (v_factor - c1);
        let c4 = 1.0 + 3.0 * v_factor - c1 + 3.0 * squared;
        Self {
            period,
            k,
            one_minus_k: 1.0 - k,
            divisor: period as f64,
            coefficients: [c1, c2, c3, c4],
            phase: 0,
            count: 0,
            total: 0.0,
            stages: [0.0; 6],
        }
    }

    #[inline(always)]
    fn combine(&self) -> f64 {
        let [c1, c2, c3, c4] = self.coefficients;
        let [_, _, e3, e4, e5, e6] = self.stages;
        c1 * e6 + c2 * e5 + c3 * e4 + c4 * e3
    }

    #[inline(always)]
    pub(crate) fn next(&mut self, value: f64) -> Option<f64> {
        let (k, one_minus_k) = (self.k, self.one_minus_k);
        let stages = &mut self.stages;
        match self.phase {
            6 => {
                stages[0] = k * value + one_minus_k * stages[0];
                for s in 1..6 {
                    stages[s] = k * stages[s - 1] + one_minus_k * stages[s];
                }
                Some(self.combine())
            }
            0 => {
                self.total += value;
                self.count += 1;
                if self.count == self.period {
                    stages[0] = self.total / self.divisor;
                    self.total = stages[0];
                    self.phase = 1;
                    self.count = 0;
                }
                None
            }
            stage => {
                stages[0] = k * value + one_minus_k * stages[0];
                for s in 1..stage {
                    stages[s] = k * stages[s - 1] + one_minus_k * stages[s];
                }
                self.total += stages[stage - 1];
                self.count += 1;
                if self.count < self.period - 1 {
                    return None;
                }
                stages[stage] = self.total / self.divisor;
                self.count = 0;
                self.phase = stage + 1;
                if stage == 5 {
                    return Some(self.combine());
                }
                self.total = stages[stage];
                None
            }
        }
    }
}

/// `ma_kernel`: any moving-average type; a period of 1 passes values through.
#[derive(Debug, Clone)]
pub(crate) enum MaStage {
    Identity,
    Sma(Sma),
    Ema(Ema),
    Wma(Wma),
    Dema(Dema),
    Tema(Tema),
    Trima(Trima),
    Kama(Kama),
    Mama(Box<Mama>),
    T3(T3),
    Hma(Box<Hma>),
    Zlema(Zlema),
    Rma(Rma),
}

impl MaStage {
    pub(crate) fn new(period: usize, ma_type: MaType) -> Self {
        if period <= 1 {
            return MaStage::Identity;
        }
        match ma_type {
            MaType::Sma => MaStage::Sma(Sma::new(period)),
            MaType::Ema => MaStage::Ema(Ema::new(period)),
            MaType::Wma => MaStage::Wma(Wma::new(period)),
            MaType::Dema => MaStage::Dema(Dema::new(period)),
            MaType::Tema => MaStage::Tema(Tema::new(period)),
            MaType::Trima => MaStage::Trima(Trima::new(period)),
            MaType::Kama => MaStage::Kama(Kama::new(period)),
            MaType::Mama => MaStage::Mama(Box::new(Mama::new(0.5, 0.05))),
            MaType::T3 => MaStage::T3(T3::new(period, 0.7)),
            MaType::Hma => MaStage::Hma(Box::new(Hma::new(period))),
            MaType::None => MaStage::Identity,
            MaType::Zlema => MaStage::Zlema(Zlema::new(period)),
            MaType::Rma => MaStage::Rma(Rma::new(period)),
        }
    }

    #[inline(always)]
    pub(crate) fn next(&mut self, value: f64) -> Option<f64> {
        match self {
            MaStage::Identity => Some(value),
            MaStage::Sma(stage) => stage.next(value),
            MaStage::Ema(stage) => stage.next(value),
            MaStage::Wma(stage) => stage.next(value),
            MaStage::Dema(stage) => stage.next(value),
            MaStage::Tema(stage) => stage.next(value),
            MaStage::Trima(stage) => stage.next(value),
            MaStage::Kama(stage) => stage.next(value),
            MaStage::Mama(stage) => stage.next(value).map(|(mama, _)| mama),
            MaStage::T3(stage) => stage.next(value),
            MaStage::Hma(stage) => stage.next(value),
            MaStage::Zlema(stage) => stage.next(value),
            MaStage::Rma(stage) => stage.next(value),
        }
    }
}

/// `variance_kernel`: TA-Lib's shifted running sums with their rebuilds, the batch kernel's
/// own state ([`RollingVariance`]) fed from a ring of the last `period` values.
#[derive(Debug, Clone)]
pub(crate) struct Variance {
    period: usize,
    /// The values before the first full window, until the state exists.
    seed: Vec<f64>,
    state: Option<RollingVariance>,
    window: Window,
}

impl Variance {
    /// A variance over `period` ≥ 2 values (BBANDS' minimum period).
    pub(crate) fn new(period: usize) -> Self {
        Self {
            period,
            seed: Vec::with_capacity(period),
            state: None,
            window: Window::new(period),
        }
    }

    #[inline(always)]
    pub(crate) fn next(&mut self, value: f64) -> Option<f64> {
        self.window.push(value);
        let Some(state) = self.state.as_mut() else {
            self.seed.push(value);
            if self.seed.len() == self.period - 1 {
                let shift = self.seed[0];
                self.state = Some(RollingVariance::new(
                    self.period,
                    self.seed.iter().copied(),
                    shift,
                ));
                self.seed = Vec::new();
            }
            return None;
        };
        let window = &self.window;
        Some(state.next(value, window.oldest(), || window.iter()))
    }
}
