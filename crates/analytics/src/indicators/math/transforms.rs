//! TA-Lib's math transforms: one function of the close per bar, lookback 0; a value outside
//! the function's domain gives NaN (or an infinity), as in C.

use crate::indicators::IndicatorSpec;
use crate::indicators::catalog::{BASE, CLOSE, Definition, Group};
use crate::indicators::step::{Bar, Map, Step};

/// Lookback 0.
pub(crate) fn none(_: &IndicatorSpec) -> usize {
    0
}

macro_rules! transform {
    ($constant:ident, $name:literal, $build:ident, $f:expr) => {
        fn $build(_: &IndicatorSpec) -> Box<dyn Step> {
            Box::new(Map(|bar: &Bar| ($f)(bar.close)))
        }

        #[doc = concat!("`", $name, "`: a math transform of the close.")]
        pub(crate) const $constant: Definition = Definition {
            name: $name,
            group: Group::MathTransform,
            inputs: CLOSE,
            step: Some($build),
            lookback: Some(none),
            ..BASE
        };
    };
}

transform!(ACOS, "acos", acos, f64::acos);
transform!(ASIN, "asin", asin, f64::asin);
transform!(ATAN, "atan", atan, f64::atan);
transform!(CEIL, "ceil", ceil, f64::ceil);
transform!(COS, "cos", cos, f64::cos);
transform!(COSH, "cosh", cosh, f64::cosh);
transform!(EXP, "exp", exp, f64::exp);
transform!(FLOOR, "floor", floor, f64::floor);
transform!(LN, "ln", ln, f64::ln);
transform!(LOG10, "log10", log10, f64::log10);
transform!(SIN, "sin", sin, f64::sin);
transform!(SINH, "sinh", sinh, f64::sinh);
transform!(SQRT, "sqrt", sqrt, f64::sqrt);
transform!(TAN, "tan", tan, f64::tan);
transform!(TANH, "tanh", tanh, f64::tanh);
