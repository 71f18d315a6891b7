//! The one table of functions a spec string may name: each one's TA-Lib group, parameters
//! (keyword, label for messages, default and range), outputs (short names, which are
//! integers) and input columns, in TA-Lib's order. `spec.rs` parses against it, the stream
//! and the batch compute from it, and the CLI and the API list it.
//!
//! The table is this file's [`CORE`] (the functions with hand-tuned batch kernels) followed by
//! each group module's `DEFINITIONS` (functions computed by their [`Step`] state).
//!
//! [`Step`]: super::step::Step

use super::Inputs;
use super::moving_averages::MaType;
use super::step::{Build, Lookback};

/// TA-Lib's function groups, in `talib.get_function_groups()`'s order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// Cycle indicators (Hilbert transform).
    Cycle,
    /// Math operators (two series, or one window).
    MathOperators,
    /// Math transforms (one value at a time).
    MathTransform,
    /// Momentum indicators.
    Momentum,
    /// Overlap studies (drawn over the prices).
    Overlap,
    /// Candlestick pattern recognition.
    Pattern,
    /// Price transforms.
    Price,
    /// Statistic functions.
    Statistic,
    /// Volatility indicators.
    Volatility,
    /// Volume indicators.
    Volume,
}

impl Group {
    /// TA-Lib's name of the group, e.g. `"Overlap Studies"`.
    pub fn name(self) -> &'static str {
        match self {
            Group::Cycle => "Cycle Indicators",
            Group::MathOperators => "Math Operators",
            Group::MathTransform => "Math Transform",
            Group::Momentum => "Momentum Indicators",
            Group::Overlap => "Overlap Studies",
            Group::Pattern => "Pattern Recognition",
            Group::Price => "Price Transform",
            Group::Statistic => "Statistic Functions",
            Group::Volatility => "Volatility Indicators",
            Group::Volume => "Volume Indicators",
        }
    }
}

/// A parameter's kind, TA-Lib default and accepted range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Default {
    /// A whole number: default, minimum (the maximum is TA-Lib's 100000).
    Period(usize, usize),
    /// A real number: default, minimum, maximum.
    Real(f64, f64, f64),
    /// A moving-average type, given by keyword only.
    Ma(MaType),
}

/// One TA-Lib parameter: its keyword, its name in messages and its default.
#[derive(Debug)]
pub struct Param {
    /// TA-Lib's keyword, e.g. `timeperiod`.
    pub key: &'static str,
    /// The name used in error messages, e.g. `period`.
    pub label: &'static str,
    /// The kind, default and range.
    pub default: Default,
}

/// A whole-number parameter with TA-Lib's default and minimum.
pub(crate) const fn period(
    key: &'static str,
    label: &'static str,
    default: usize,
    min: usize,
) -> Param {
    Param {
        key,
        label,
        default: Default::Period(default, min),
    }
}

/// A real parameter with no bound but finiteness.
pub(crate) const fn real(key: &'static str, label: &'static str, default: f64) -> Param {
    ranged(key, label, default, f64::MIN, f64::MAX)
}

/// A real parameter within `min..=max`.
pub(crate) const fn ranged(
    key: &'static str,
    label: &'static str,
    default: f64,
    min: f64,
    max: f64,
) -> Param {
    Param {
        key,
        label,
        default: Default::Real(default, min, max),
    }
}

/// A moving-average type parameter defaulting to SMA.
pub(crate) const fn ma(key: &'static str, label: &'static str) -> Param {
    ma_default(key, label, MaType::Sma)
}

/// A moving-average type parameter with another default.
pub(crate) const fn ma_default(key: &'static str, label: &'static str, default: MaType) -> Param {
    Param {
        key,
        label,
        default: Default::Ma(default),
    }
}

/// Close alone.
pub(crate) const CLOSE: Inputs = Inputs {
    open: false,
    high: false,
    low: false,
    close: true,
    volume: false,
};
/// High, low and close.
pub(crate) const HLC: Inputs = Inputs {
    high: true,
    low: true,
    ..CLOSE
};
/// High and low.
pub(crate) const HL: Inputs = Inputs {
    close: false,
    ..HLC
};
/// High, low, close and volume.
pub(crate) const HLCV: Inputs = Inputs {
    volume: true,
    ..HLC
};
/// Close and volume.
pub(crate) const CV: Inputs = Inputs {
    volume: true,
    ..CLOSE
};
/// Open, high, low and close.
pub(crate) const OHLC: Inputs = Inputs { open: true, ..HLC };
/// Open and close.
pub(crate) const OC: Inputs = Inputs {
    open: true,
    ..CLOSE
};
/// Volume alone.
pub(crate) const V: Inputs = Inputs {
    close: false,
    volume: true,
    ..CLOSE
};
/// High, low and volume.
pub(crate) const HLV: Inputs = Inputs { volume: true, ..HL };

/// The single output of most functions.
pub(crate) const VALUE: &[&str] = &["value"];
const KD: &[&str] = &["k", "d"];

/// One function of the table.
#[derive(Debug)]
pub struct Definition {
    /// TA-Lib's name in lower case, e.g. `linearreg_slope`.
    pub name: &'static str,
    /// TA-Lib's group.
    pub group: Group,
    /// Parameters in TA-Lib's order.
    pub params: &'static [Param],
    /// Short output names in TA-Lib's order (`value` for a single output).
    pub outputs: &'static [&'static str],
    /// Bit `i` set: output `i` is an integer (a row index, a trend, a pattern's ±100).
    pub integer: u8,
    /// Input columns, as TA-Lib's abstract interface maps them by default.
    pub inputs: Inputs,
    /// The bar-at-a-time state, for functions without a hand-tuned batch kernel.
    pub(crate) step: Option<Build>,
    /// The lookback, for functions with a [`Definition::step`].
    pub(crate) lookback: Option<Lookback>,
}

impl Definition {
    /// Whether output `index` holds integers.
    pub fn is_integer(&self, index: usize) -> bool {
        self.integer & (1 << index) != 0
    }
}

/// The fields most definitions leave at their defaults.
pub(crate) const BASE: Definition = Definition {
    name: "",
    group: Group::Overlap,
    params: &[],
    outputs: VALUE,
    integer: 0,
    inputs: CLOSE,
    step: None,
    lookback: None,
};

/// The groups of the hand-tuned functions.
const fn group_of(name: &str) -> Group {
    match name.as_bytes() {
        b"sma" | b"ema" | b"wma" | b"dema" | b"tema" | b"kama" | b"trima" | b"t3" | b"mama"
        | b"bbands" | b"sar" => Group::Overlap,
        b"atr" | b"natr" => Group::Volatility,
        b"mfi" | b"obv" => Group::Volume,
        _ => Group::Momentum,
    }
}

/// Every function of the table, group tables after the hand-tuned ones.
pub fn definitions() -> impl Iterator<Item = &'static Definition> {
    CORE.iter()
        .chain(super::overlap::DEFINITIONS)
        .chain(super::momentum::DEFINITIONS)
        .chain(super::volume::DEFINITIONS)
        .chain(super::volatility::DEFINITIONS)
        .chain(super::price::DEFINITIONS)
        .chain(super::cycle::DEFINITIONS)
        .chain(super::statistic::DEFINITIONS)
        .chain(super::math::DEFINITIONS)
        .chain(super::pattern::DEFINITIONS)
}

/// Every function's name, in the table's order.
pub fn known_indicators() -> Vec<&'static str> {
    definitions().map(|d| d.name).collect()
}

/// The definition of `name` (lower case), if the table has it.
pub fn find(name: &str) -> Option<&'static Definition> {
    definitions().find(|d| d.name == name)
}

macro_rules! one_period {
    ($name:literal, $default:literal, $min:literal, $inputs:expr) => {
        Definition {
            name: $name,
            group: group_of($name),
            params: &[period("timeperiod", "period", $default, $min)],
            outputs: VALUE,
            inputs: $inputs,
            ..BASE
        }
    };
}

const FAST_SLOW_MA: &[Param] = &[
    period("fastperiod", "fast period", 12, 2),
    period("slowperiod", "slow period", 26, 2),
    ma_default("matype", "moving-average type", MaType::Ema),
];

/// The functions with hand-tuned batch kernels: SPEC.md's 32 in its order, then `trima`, `t3`
/// and `mama`.
pub(crate) static CORE: &[Definition] = &[
    one_period!("sma", 30, 2, CLOSE),
    one_period!("ema", 30, 2, CLOSE),
    one_period!("wma", 30, 2, CLOSE),
    one_period!("dema", 30, 2, CLOSE),
    one_period!("tema", 30, 2, CLOSE),
    one_period!("kama", 30, 2, CLOSE),
    Definition {
        name: "bbands",
        group: group_of("bbands"),
        params: &[
            period("timeperiod", "period", 20, 2),
            real("nbdevup", "nbdevup", 2.0),
            real("nbdevdn", "nbdevdn", 2.0),
            ma("matype", "moving-average type"),
        ],
        outputs: &["upper", "middle", "lower"],
        inputs: CLOSE,
        ..BASE
    },
    one_period!("rsi", 14, 2, CLOSE),
    Definition {
        name: "macd",
        group: group_of("macd"),
        params: &[
            period("fastperiod", "fast period", 12, 2),
            period("slowperiod", "slow period", 26, 2),
            period("signalperiod", "signal period", 9, 1),
        ],
        outputs: &["macd", "signal", "hist"],
        inputs: CLOSE,
        ..BASE
    },
    Definition {
        name: "stoch",
        group: group_of("stoch"),
        params: &[
            period("fastk_period", "fastk period", 5, 1),
            period("slowk_period", "slowk period", 3, 1),
            ma("slowk_matype", "slowk moving-average type"),
            period("slowd_period", "slowd period", 3, 1),
            ma("slowd_matype", "slowd moving-average type"),
        ],
        outputs: KD,
        inputs: HLC,
        ..BASE
    },
    Definition {
        name: "stochf",
        group: group_of("stochf"),
        params: &[
            period("fastk_period", "fastk period", 5, 1),
            period("fastd_period", "fastd period", 3, 1),
            ma("fastd_matype", "fastd moving-average type"),
        ],
        outputs: KD,
        inputs: HLC,
        ..BASE
    },
    Definition {
        name: "stochrsi",
        group: group_of("stochrsi"),
        params: &[
            period("timeperiod", "period", 14, 2),
            period("fastk_period", "fastk period", 5, 1),
            period("fastd_period", "fastd period", 3, 1),
            ma("fastd_matype", "fastd moving-average type"),
        ],
        outputs: KD,
        inputs: CLOSE,
        ..BASE
    },
    one_period!("willr", 14, 2, HLC),
    one_period!("cci", 14, 2, HLC),
    one_period!("roc", 10, 1, CLOSE),
    one_period!("mom", 10, 1, CLOSE),
    one_period!("atr", 14, 1, HLC),
    one_period!("natr", 14, 1, HLC),
    one_period!("adx", 14, 2, HLC),
    one_period!("adxr", 14, 2, HLC),
    one_period!("plus_di", 14, 1, HLC),
    one_period!("minus_di", 14, 1, HLC),
    one_period!("mfi", 14, 2, HLCV),
    Definition {
        name: "obv",
        group: group_of("obv"),
        params: &[],
        outputs: VALUE,
        inputs: CV,
        ..BASE
    },
    Definition {
        name: "ultosc",
        group: group_of("ultosc"),
        params: &[
            period("timeperiod1", "period1", 7, 1),
            period("timeperiod2", "period2", 14, 1),
            period("timeperiod3", "period3", 28, 1),
        ],
        outputs: VALUE,
        inputs: HLC,
        ..BASE
    },
    Definition {
        name: "apo",
        group: group_of("apo"),
        params: FAST_SLOW_MA,
        outputs: VALUE,
        inputs: CLOSE,
        ..BASE
    },
    Definition {
        name: "ppo",
        group: group_of("ppo"),
        params: FAST_SLOW_MA,
        outputs: VALUE,
        inputs: CLOSE,
        ..BASE
    },
    one_period!("trix", 30, 1, CLOSE),
    Definition {
        name: "aroon",
        group: group_of("aroon"),
        params: &[period("timeperiod", "period", 14, 2)],
        outputs: &["down", "up"],
        inputs: HL,
        ..BASE
    },
    one_period!("aroonosc", 14, 2, HL),
    one_period!("cmo", 14, 2, CLOSE),
    Definition {
        name: "sar",
        group: group_of("sar"),
        params: &[
            ranged("acceleration", "acceleration", 0.02, 0.0, f64::MAX),
            ranged("maximum", "maximum", 0.2, 0.0, f64::MAX),
        ],
        outputs: VALUE,
        inputs: HL,
        ..BASE
    },
    one_period!("trima", 30, 2, CLOSE),
    Definition {
        name: "t3",
        group: group_of("t3"),
        params: &[
            period("timeperiod", "period", 5, 2),
            ranged("vfactor", "vfactor", 0.7, 0.0, 1.0),
        ],
        outputs: VALUE,
        inputs: CLOSE,
        ..BASE
    },
    Definition {
        name: "mama",
        group: group_of("mama"),
        params: &[
            ranged("fastlimit", "fastlimit", 0.5, 0.01, 0.99),
            ranged("slowlimit", "slowlimit", 0.05, 0.01, 0.99),
        ],
        outputs: &["mama", "fama"],
        inputs: CLOSE,
        ..BASE
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::KNOWN_INDICATORS;

    #[test]
    fn known_indicators_lists_the_table_once_each() {
        assert_eq!(known_indicators(), KNOWN_INDICATORS);
        let mut names = known_indicators();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), KNOWN_INDICATORS.len());
    }
}
