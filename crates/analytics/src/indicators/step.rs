//! The bar-at-a-time form of the functions added with TA-Lib 0.8's list: one state per
//! function that takes a bar and writes its outputs, NaN during the lookback.
//!
//! The batch output of such a function is its state run over the series, and the streaming
//! output is the same state fed chunk by chunk, so the two are the same bits by construction.
//! Each state performs TA-Lib's floating-point operations in TA-Lib's order; where TA-Lib
//! rescans a window, the state keeps the window in a [`Ring`] and rescans it too.

use std::fmt::Debug;

use super::batch::Columns;
use super::spec::IndicatorSpec;

/// One bar's values; the columns a function does not read are 0.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Bar {
    /// Opening price.
    pub(crate) open: f64,
    /// Highest price.
    pub(crate) high: f64,
    /// Lowest price.
    pub(crate) low: f64,
    /// Closing price.
    pub(crate) close: f64,
    /// Traded volume.
    pub(crate) volume: f64,
}

/// A function's state between bars.
pub(crate) trait Step: Debug + Send + Sync + StepClone {
    /// Consumes the next bar and writes one value per output, NaN during the lookback.
    fn next(&mut self, bar: &Bar, out: &mut [f64]);

    /// Feeds every row of `columns`, writing row `i`'s outputs to `out[k][i]`.
    ///
    /// A provided method, so each state gets its own copy with `next` called directly and
    /// inlined: the series costs one dynamic call, not one per bar.
    fn run(&mut self, columns: &Columns<'_>, out: &mut [&mut [f64]]) {
        run_bars(self, columns, out);
    }
}

/// [`Step::run`]'s bar-by-bar loop, for states that override `run` with a faster path for
/// some cases and fall back to this for the others.
#[inline(always)]
pub(crate) fn run_bars<S: Step + ?Sized>(
    state: &mut S,
    columns: &Columns<'_>,
    out: &mut [&mut [f64]],
) {
    let mut values = [0.0; 8];
    let outputs = out.len();
    for i in 0..columns.len {
        state.next(&columns.bar(i), &mut values[..outputs]);
        for (column, &value) in out.iter_mut().zip(&values[..outputs]) {
            column[i] = value;
        }
    }
}

/// Cloning a boxed [`Step`], so that streams holding one stay `Clone`.
pub(crate) trait StepClone {
    /// A boxed copy of the state.
    fn boxed_clone(&self) -> Box<dyn Step>;
}

impl<T: Step + Clone + 'static> StepClone for T {
    fn boxed_clone(&self) -> Box<dyn Step> {
        Box::new(self.clone())
    }
}

impl Clone for Box<dyn Step> {
    fn clone(&self) -> Self {
        self.boxed_clone()
    }
}

/// Makes a function's fresh state from its parsed parameters.
pub(crate) type Build = fn(&IndicatorSpec) -> Box<dyn Step>;

/// Computes a function's lookback from its parsed parameters.
pub(crate) type Lookback = fn(&IndicatorSpec) -> usize;

/// A state that maps each bar to one value with no memory (price transforms, math). Generic
/// over the function, so that the loop of [`Step::run`] calls it inline.
#[derive(Clone, Copy)]
pub(crate) struct Map<F>(pub(crate) F);

impl<F> Debug for Map<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Map")
    }
}

impl<F: Fn(&Bar) -> f64 + Clone + Send + Sync + 'static> Step for Map<F> {
    #[inline]
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        out[0] = (self.0)(bar);
    }
}

/// A state reading one value per bar (a column or a value derived from the bar) and
/// returning `Some` once its lookback is over.
pub(crate) trait Single: Debug + Send + Sync + Clone + 'static {
    /// Consumes the next value.
    fn push(&mut self, value: f64) -> Option<f64>;
}

/// Feeds a [`Single`] state the value `pick` takes from each bar.
#[derive(Debug, Clone)]
pub(crate) struct OnValue<S: Single> {
    pub(crate) pick: fn(&Bar) -> f64,
    pub(crate) state: S,
}

impl<S: Single> Step for OnValue<S> {
    #[inline]
    fn next(&mut self, bar: &Bar, out: &mut [f64]) {
        out[0] = self.state.push((self.pick)(bar)).unwrap_or(f64::NAN);
    }
}

/// Boxes `state` fed with the closes.
pub(crate) fn on_close<S: Single>(state: S) -> Box<dyn Step> {
    Box::new(OnValue {
        pick: |bar| bar.close,
        state,
    })
}

/// The last `len` values in arrival order, and how many came so far.
#[derive(Debug, Clone)]
pub(crate) struct Ring {
    values: Box<[f64]>,
    next: usize,
    seen: usize,
}

impl Ring {
    /// The ring after `seen` values in all, the last of which are `last` (as many as the
    /// ring holds, oldest first).
    pub(crate) fn loaded(len: usize, last: &[f64], seen: usize) -> Self {
        let mut ring = Self::new(len);
        for &value in last {
            ring.push(value);
        }
        ring.seen = seen;
        ring
    }

    /// An empty ring of `len` values (at least 1).
    pub(crate) fn new(len: usize) -> Self {
        Self {
            values: vec![0.0; len.max(1)].into_boxed_slice(),
            next: 0,
            seen: 0,
        }
    }

    /// Appends `value`, dropping the oldest once full; returns the dropped value (0 before).
    #[inline]
    pub(crate) fn push(&mut self, value: f64) -> f64 {
        let old = std::mem::replace(&mut self.values[self.next], value);
        self.next += 1;
        if self.next == self.values.len() {
            self.next = 0;
        }
        self.seen += 1;
        old
    }

    /// Whether `len` values have come.
    #[inline]
    pub(crate) fn full(&self) -> bool {
        self.seen >= self.values.len()
    }

    /// How many values have come in all.
    #[inline]
    pub(crate) fn seen(&self) -> usize {
        self.seen
    }

    /// The capacity.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    /// The value `age` pushes ago (0 = the newest) of a ring holding at least `age + 1`.
    #[inline]
    pub(crate) fn back(&self, age: usize) -> f64 {
        let len = self.values.len();
        // `age < len`, so the index is below `2·len`: one subtraction instead of a division,
        // which rescanning windows do once per value.
        let index = self.next + len - 1 - age;
        self.values[if index >= len { index - len } else { index }]
    }

    /// The values, oldest first (of a full ring).
    #[inline]
    pub(crate) fn iter(&self) -> impl Iterator<Item = f64> + '_ {
        let (newer, older) = self.values.split_at(self.next);
        older.iter().chain(newer).copied()
    }
}
