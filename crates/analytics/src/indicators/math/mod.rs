//! Math transforms (one value at a time) and math operators (two series, or a window of
//! one): TA-Lib's two math groups.

mod operators;
mod transforms;

pub(crate) use operators::Extreme;

use super::catalog::Definition;

/// The math functions, transforms then operators.
pub(crate) static DEFINITIONS: &[Definition] = &[
    transforms::ACOS,
    transforms::ASIN,
    transforms::ATAN,
    transforms::CEIL,
    transforms::COS,
    transforms::COSH,
    transforms::EXP,
    transforms::FLOOR,
    transforms::LN,
    transforms::LOG10,
    transforms::SIN,
    transforms::SINH,
    transforms::SQRT,
    transforms::TAN,
    transforms::TANH,
    operators::ADD,
    operators::CUMSUM,
    operators::DIV,
    operators::MAX,
    operators::MAXINDEX,
    operators::MIN,
    operators::MININDEX,
    operators::MINMAX,
    operators::MINMAXINDEX,
    operators::MULT,
    operators::SUB,
    operators::SUM,
];
