//! The definition table as data for people and clients: each function's name, group, inputs,
//! parameters (default and accepted range) and outputs, as `commodex indicators --list` and
//! `GET /api/v1/indicators/catalog` show them.

use super::Inputs;
use super::catalog::{Default as ParamKind, Definition, definitions};

/// The largest period TA-Lib accepts.
pub const MAX_PERIOD: usize = 100_000;

/// TA-Lib 0.8's MA types by keyword, in `MA_Type` order (11, `default`, is resolved per
/// function).
pub const MA_TYPES: &[&str] = &[
    "sma", "ema", "wma", "dema", "tema", "trima", "kama", "mama", "t3", "hma", "none", "default",
    "zlema", "rma",
];

/// One function as a client sees it.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "utoipa", schema(example = json!({"name": "rsi", "group": "Momentum Indicators", "inputs": ["close"], "parameters": [{"name": "timeperiod", "type": "integer", "default": 14, "min": 2, "max": 100000}], "outputs": [{"name": "value", "type": "real"}]})))]
pub struct FunctionInfo {
    /// The spec name: TA-Lib's name in lower case.
    pub name: &'static str,
    /// TA-Lib's group, e.g. `Overlap Studies`.
    pub group: &'static str,
    /// The input columns it reads, in OHLCV order.
    pub inputs: Vec<&'static str>,
    /// Its parameters in TA-Lib's order (the order positional values take).
    pub parameters: Vec<ParameterInfo>,
    /// Its outputs in TA-Lib's order (`value` for a single one).
    pub outputs: Vec<OutputInfo>,
}

/// One parameter: its TA-Lib keyword, type, default and range.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
// Tagged by `type`, so that the OpenAPI document gives each variant's `type` its one value
// and a parameter matches exactly one of them.
#[cfg_attr(feature = "serde", serde(tag = "type", rename_all = "lowercase"))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub enum ParameterInfo {
    /// A whole number (a period).
    Integer {
        /// TA-Lib's keyword.
        name: &'static str,
        /// TA-Lib 0.8.2's default.
        default: usize,
        /// The smallest accepted.
        min: usize,
        /// The largest accepted.
        max: usize,
    },
    /// A real number.
    Real {
        /// TA-Lib's keyword.
        name: &'static str,
        /// TA-Lib 0.8.2's default.
        default: f64,
        /// The smallest accepted, if bounded.
        min: Option<f64>,
        /// The largest accepted, if bounded.
        max: Option<f64>,
    },
    /// A moving-average type, given by keyword only.
    MaType {
        /// TA-Lib's keyword.
        name: &'static str,
        /// The default's keyword.
        default: &'static str,
        /// Every keyword accepted.
        values: &'static [&'static str],
    },
}

/// One output and whether it holds integers.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct OutputInfo {
    /// Its short name, the suffix of its column (`macd`, `signal`, `hist`).
    pub name: &'static str,
    /// `integer` (an index, a trend, a pattern's ±100) or `real`.
    #[cfg_attr(feature = "serde", serde(rename = "type"))]
    pub kind: &'static str,
}

/// The names of the input columns a function reads, in OHLCV order.
pub fn input_names(inputs: Inputs) -> Vec<&'static str> {
    [
        (inputs.open, "open"),
        (inputs.high, "high"),
        (inputs.low, "low"),
        (inputs.close, "close"),
        (inputs.volume, "volume"),
    ]
    .iter()
    .filter(|(needed, _)| *needed)
    .map(|(_, name)| *name)
    .collect()
}

impl FunctionInfo {
    /// What `definition` says of itself.
    pub fn of(definition: &Definition) -> Self {
        let parameters = definition
            .params
            .iter()
            .map(|param| match param.default {
                ParamKind::Period(default, min) => ParameterInfo::Integer {
                    name: param.key,
                    default,
                    min,
                    max: MAX_PERIOD,
                },
                ParamKind::Real(default, min, max) => ParameterInfo::Real {
                    name: param.key,
                    default,
                    min: (min > f64::MIN).then_some(min),
                    max: (max < f64::MAX).then_some(max),
                },
                ParamKind::Ma(default) => ParameterInfo::MaType {
                    name: param.key,
                    default: default.name(),
                    values: MA_TYPES,
                },
            })
            .collect();
        let outputs = definition
            .outputs
            .iter()
            .enumerate()
            .map(|(i, name)| OutputInfo {
                name,
                kind: if definition.is_integer(i) {
                    "integer"
                } else {
                    "real"
                },
            })
            .collect();
        Self {
            name: definition.name,
            group: definition.group.name(),
            inputs: input_names(definition.inputs),
            parameters,
            outputs,
        }
    }
}

/// Every function of the table, in the table's order.
pub fn function_infos() -> Vec<FunctionInfo> {
    definitions().map(FunctionInfo::of).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_is_described_with_talib_s_defaults() {
        let all = function_infos();
        assert_eq!(all.len(), definitions().count());
        let rsi = all.iter().find(|f| f.name == "rsi").unwrap();
        assert_eq!(rsi.inputs, ["close"]);
        assert_eq!(
            rsi.parameters,
            [ParameterInfo::Integer {
                name: "timeperiod",
                default: 14,
                min: 2,
                max: MAX_PERIOD
            }]
        );
        let bbands = all.iter().find(|f| f.name == "bbands").unwrap();
        assert!(
            bbands
                .parameters
                .iter()
                .any(|p| matches!(p, ParameterInfo::MaType { default: "sma", .. }))
        );
        assert_eq!(bbands.outputs.len(), 3);
    }
}
