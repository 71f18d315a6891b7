//! `commodex indicators --list`: the analytics crate's definition table, the one the spec
//! parser reads, as a text table or as JSON.

use crate::cli::TableFormat;
use analytics::indicators::{Definition, Inputs, MaType, ParamKind, definitions};
use serde_json::{Value, json};
use std::io::Write;

/// The names of the input columns a function reads, in OHLCV order.
fn input_names(inputs: Inputs) -> Vec<&'static str> {
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

/// TA-Lib 0.8's MA types by keyword, in `MA_Type` order (11, `default`, is resolved per
/// function).
const MA_TYPES: &[&str] = &[
    "sma", "ema", "wma", "dema", "tema", "trima", "kama", "mama", "t3", "hma", "none", "default",
    "zlema", "rma",
];

/// One function as JSON: name, group, inputs, parameters, outputs.
fn entry(definition: &Definition) -> Value {
    let parameters: Vec<Value> = definition
        .params
        .iter()
        .map(|param| match param.default {
            ParamKind::Period(default, min) => json!({
                "name": param.key, "type": "integer", "default": default,
                "min": min, "max": 100_000,
            }),
            ParamKind::Real(default, min, max) => json!({
                "name": param.key, "type": "real", "default": default,
                "min": (min > f64::MIN).then_some(min), "max": (max < f64::MAX).then_some(max),
            }),
            ParamKind::Ma(default) => json!({
                "name": param.key, "type": "matype", "default": ma_name(default),
                "values": MA_TYPES,
            }),
        })
        .collect();
    let outputs: Vec<Value> = definition
        .outputs
        .iter()
        .enumerate()
        .map(|(i, name)| {
            json!({
                "name": name,
                "type": if definition.is_integer(i) { "integer" } else { "real" },
            })
        })
        .collect();
    json!({
        "name": definition.name,
        "group": definition.group.name(),
        "inputs": input_names(definition.inputs),
        "parameters": parameters,
        "outputs": outputs,
    })
}

fn ma_name(ma_type: MaType) -> &'static str {
    ma_type.name()
}

/// One line per function: `name  group  inputs  parameters  outputs`.
fn text_line(definition: &Definition) -> String {
    let parameters: Vec<String> = definition
        .params
        .iter()
        .map(|param| match param.default {
            ParamKind::Period(default, min) => format!("{}={default} [{min}..100000]", param.key),
            ParamKind::Real(default, min, max) if min > f64::MIN && max < f64::MAX => {
                format!("{}={default} [{min}..{max}]", param.key)
            }
            ParamKind::Real(default, min, _) if min > f64::MIN => {
                format!("{}={default} [{min}..]", param.key)
            }
            ParamKind::Real(default, ..) => format!("{}={default}", param.key),
            ParamKind::Ma(default) => format!("{}={}", param.key, ma_name(default)),
        })
        .collect();
    let outputs: Vec<String> = definition
        .outputs
        .iter()
        .enumerate()
        .map(|(i, name)| {
            if definition.is_integer(i) {
                format!("{name} (integer)")
            } else {
                (*name).to_string()
            }
        })
        .collect();
    format!(
        "{:<20} {:<22} {:<24} {:<60} {}",
        definition.name,
        definition.group.name(),
        input_names(definition.inputs).join(","),
        parameters.join(", "),
        outputs.join(", ")
    )
}

/// Prints every function of the table to standard output.
pub fn print(format: TableFormat) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        TableFormat::Json => {
            let entries: Vec<Value> = definitions().map(entry).collect();
            serde_json::to_writer_pretty(&mut out, &entries)?;
            writeln!(out)?;
        }
        TableFormat::Csv => {
            writeln!(
                out,
                "{:<20} {:<22} {:<24} {:<60} outputs",
                "name", "group", "inputs", "parameters (default [range])"
            )?;
            for definition in definitions() {
                writeln!(out, "{}", text_line(definition))?;
            }
        }
    }
    Ok(())
}
