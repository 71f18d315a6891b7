//! The catalog of indicators a spec string may name: each one's TA-Lib parameters (keyword,
//! label for messages, default and minimum), output names and input columns, in TA-Lib's
//! order. `spec.rs` parses against it.

use super::Inputs;
use super::moving_averages::MaType;

/// The indicator names this crate computes: SPEC.md's 32 in its order, then the moving
/// averages that are otherwise only MA types (`trima`, `t3`, `mama`).
pub const KNOWN_INDICATORS: &[&str] = &[
    "sma", "ema", "wma", "dema", "tema", "kama", "bbands", "rsi", "macd", "stoch", "stochf",
    "stochrsi", "willr", "cci", "roc", "mom", "atr", "natr", "adx", "adxr", "plus_di", "minus_di",
    "mfi", "obv", "ultosc", "apo", "ppo", "trix", "aroon", "aroonosc", "cmo", "sar", "trima", "t3",
    "mama",
];

/// A parameter's kind and TA-Lib default (`Period(default, minimum)`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Default {
    Period(usize, usize),
    Real(f64),
    Ma(MaType),
}

/// One TA-Lib parameter: its keyword, its name in messages and its default.
pub(super) struct Param {
    pub(super) key: &'static str,
    pub(super) label: &'static str,
    pub(super) default: Default,
}

const fn period(key: &'static str, label: &'static str, default: usize, min: usize) -> Param {
    Param {
        key,
        label,
        default: Default::Period(default, min),
    }
}

const fn real(key: &'static str, label: &'static str, default: f64) -> Param {
    Param {
        key,
        label,
        default: Default::Real(default),
    }
}

const fn ma(key: &'static str, label: &'static str) -> Param {
    Param {
        key,
        label,
        default: Default::Ma(MaType::Sma),
    }
}

const CLOSE: Inputs = Inputs {
    open: false,
    high: false,
    low: false,
    close: true,
    volume: false,
};
const HLC: Inputs = Inputs {
    high: true,
    low: true,
    ..CLOSE
};
const HL: Inputs = Inputs {
    close: false,
    ..HLC
};
const HLCV: Inputs = Inputs {
    volume: true,
    ..HLC
};
const CV: Inputs = Inputs {
    volume: true,
    ..CLOSE
};

const VALUE: &[&str] = &["value"];
const KD: &[&str] = &["k", "d"];

/// One indicator of the catalog.
pub(super) struct Definition {
    pub(super) name: &'static str,
    pub(super) params: &'static [Param],
    pub(super) outputs: &'static [&'static str],
    pub(super) inputs: Inputs,
}

macro_rules! one_period {
    ($name:literal, $default:literal, $min:literal, $inputs:expr) => {
        Definition {
            name: $name,
            params: &[period("timeperiod", "period", $default, $min)],
            outputs: VALUE,
            inputs: $inputs,
        }
    };
}

const FAST_SLOW_MA: &[Param] = &[
    period("fastperiod", "fast period", 12, 2),
    period("slowperiod", "slow period", 26, 2),
    ma("matype", "moving-average type"),
];

/// Every indicator, in the order of [`KNOWN_INDICATORS`].
pub(super) static DEFINITIONS: &[Definition] = &[
    one_period!("sma", 30, 2, CLOSE),
    one_period!("ema", 30, 2, CLOSE),
    one_period!("wma", 30, 2, CLOSE),
    one_period!("dema", 30, 2, CLOSE),
    one_period!("tema", 30, 2, CLOSE),
    one_period!("kama", 30, 2, CLOSE),
    Definition {
        name: "bbands",
        params: &[
            period("timeperiod", "period", 5, 2),
            real("nbdevup", "nbdevup", 2.0),
            real("nbdevdn", "nbdevdn", 2.0),
            ma("matype", "moving-average type"),
        ],
        outputs: &["upper", "middle", "lower"],
        inputs: CLOSE,
    },
    one_period!("rsi", 14, 2, CLOSE),
    Definition {
        name: "macd",
        params: &[
            period("fastperiod", "fast period", 12, 2),
            period("slowperiod", "slow period", 26, 2),
            period("signalperiod", "signal period", 9, 1),
        ],
        outputs: &["macd", "signal", "hist"],
        inputs: CLOSE,
    },
    Definition {
        name: "stoch",
        params: &[
            period("fastk_period", "fastk period", 5, 1),
            period("slowk_period", "slowk period", 3, 1),
            ma("slowk_matype", "slowk moving-average type"),
            period("slowd_period", "slowd period", 3, 1),
            ma("slowd_matype", "slowd moving-average type"),
        ],
        outputs: KD,
        inputs: HLC,
    },
    Definition {
        name: "stochf",
        params: &[
            period("fastk_period", "fastk period", 5, 1),
            period("fastd_period", "fastd period", 3, 1),
            ma("fastd_matype", "fastd moving-average type"),
        ],
        outputs: KD,
        inputs: HLC,
    },
    Definition {
        name: "stochrsi",
        params: &[
            period("timeperiod", "period", 14, 2),
            period("fastk_period", "fastk period", 5, 1),
            period("fastd_period", "fastd period", 3, 1),
            ma("fastd_matype", "fastd moving-average type"),
        ],
        outputs: KD,
        inputs: CLOSE,
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
        params: &[],
        outputs: VALUE,
        inputs: CV,
    },
    Definition {
        name: "ultosc",
        params: &[
            period("timeperiod1", "period1", 7, 1),
            period("timeperiod2", "period2", 14, 1),
            period("timeperiod3", "period3", 28, 1),
        ],
        outputs: VALUE,
        inputs: HLC,
    },
    Definition {
        name: "apo",
        params: FAST_SLOW_MA,
        outputs: VALUE,
        inputs: CLOSE,
    },
    Definition {
        name: "ppo",
        params: FAST_SLOW_MA,
        outputs: VALUE,
        inputs: CLOSE,
    },
    one_period!("trix", 30, 1, CLOSE),
    Definition {
        name: "aroon",
        params: &[period("timeperiod", "period", 14, 2)],
        outputs: &["down", "up"],
        inputs: HL,
    },
    one_period!("aroonosc", 14, 2, HL),
    one_period!("cmo", 14, 2, CLOSE),
    Definition {
        name: "sar",
        params: &[
            real("acceleration", "acceleration", 0.02),
            real("maximum", "maximum", 0.2),
        ],
        outputs: VALUE,
        inputs: HL,
    },
    one_period!("trima", 30, 2, CLOSE),
    Definition {
        name: "t3",
        params: &[
            period("timeperiod", "period", 5, 2),
            real("vfactor", "vfactor", 0.7),
        ],
        outputs: VALUE,
        inputs: CLOSE,
    },
    Definition {
        name: "mama",
        params: &[
            real("fastlimit", "fastlimit", 0.5),
            real("slowlimit", "slowlimit", 0.05),
        ],
        outputs: &["mama", "fama"],
        inputs: CLOSE,
    },
];
