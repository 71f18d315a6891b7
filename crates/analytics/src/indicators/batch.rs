//! Running a [`Step`] state over a whole series or a chunk of one: the checks of its input
//! columns, and the loop feeding it bar by bar.

use super::step::{Bar, Build, Step};
use super::{Inputs, Ohlcv, check_high_low_from, check_same_length_from, check_series_from};
use crate::AnalyticsError;
use crate::indicators::IndicatorSpec;

/// The columns a function reads, checked; the others are empty.
pub(crate) struct Columns<'a> {
    pub(crate) open: &'a [f64],
    pub(crate) high: &'a [f64],
    pub(crate) low: &'a [f64],
    pub(crate) close: &'a [f64],
    pub(crate) volume: &'a [f64],
    pub(crate) len: usize,
}

/// Takes the columns `needs` names from `input`, checking them as the batch kernels do: a
/// missing column, a NaN or infinity (row counted from `first_row`), a high below its low,
/// or columns of different lengths are errors.
pub(crate) fn columns<'a>(
    name: &str,
    needs: Inputs,
    input: &Ohlcv<'a>,
    first_row: usize,
) -> Result<Columns<'a>, AnalyticsError> {
    let missing = |column: &str| {
        AnalyticsError::InvalidInput(format!(
            "{name} needs {column}, which the series does not have"
        ))
    };
    let open = if needs.open {
        input.open.ok_or_else(|| missing("open prices"))?
    } else {
        &[]
    };
    let high = if needs.high {
        input.high.ok_or_else(|| missing("high prices"))?
    } else {
        &[]
    };
    let low = if needs.low {
        input.low.ok_or_else(|| missing("low prices"))?
    } else {
        &[]
    };
    let volume = if needs.volume {
        input.volume.ok_or_else(|| missing("volume"))?
    } else {
        &[]
    };
    let close = if needs.close { input.close } else { &[] };
    let len = [
        (needs.close, close),
        (needs.high, high),
        (needs.low, low),
        (needs.open, open),
        (needs.volume, volume),
    ]
    .iter()
    .find(|(needed, _)| *needed)
    .map_or(0, |(_, column)| column.len());
    if needs.high && needs.low {
        check_high_low_from(high, low, needs.close.then_some(close), first_row)?;
    } else {
        if needs.high {
            check_same_length_from("high", high, len, first_row)?;
        }
        if needs.low {
            check_same_length_from("low", low, len, first_row)?;
        }
        if needs.close {
            check_series_from("close", close, first_row)?;
        }
    }
    if needs.open {
        check_same_length_from("open", open, len, first_row)?;
    }
    if needs.volume {
        check_same_length_from("volume", volume, len, first_row)?;
    }
    Ok(Columns {
        open,
        high,
        low,
        close,
        volume,
        len,
    })
}

impl Columns<'_> {
    /// Row `i` as a bar, 0 in the columns not read.
    #[inline(always)]
    pub(crate) fn bar(&self, i: usize) -> Bar {
        let at = |column: &[f64]| column.get(i).copied().unwrap_or(0.0);
        Bar {
            open: at(self.open),
            high: at(self.high),
            low: at(self.low),
            close: at(self.close),
            volume: at(self.volume),
        }
    }
}

/// Feeds every row of `columns` to `state`, writing row `i`'s outputs to `out[k][i]`.
pub(crate) fn feed(state: &mut dyn Step, columns: &Columns<'_>, out: &mut [&mut [f64]]) {
    state.run(columns, out);
}

/// [`IndicatorSpec::compute`] for a function computed by its [`Step`] state.
pub(crate) fn run_step(
    spec: &IndicatorSpec,
    build: Build,
    input: &Ohlcv<'_>,
) -> Result<Vec<Vec<f64>>, AnalyticsError> {
    let columns = columns(spec.name(), spec.needs(), input, 0)?;
    let mut outputs = vec![vec![f64::NAN; columns.len]; spec.outputs().len()];
    let mut slices: Vec<&mut [f64]> = outputs.iter_mut().map(Vec::as_mut_slice).collect();
    feed(build(spec).as_mut(), &columns, &mut slices);
    Ok(outputs)
}
