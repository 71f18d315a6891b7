//! `commodex indicators --list`: the analytics crate's definition table, the one the spec
//! parser reads, as a text table or as JSON.

use crate::cli::TableFormat;
use analytics::indicators::{Definition, FunctionInfo, ParamKind, definitions, input_names};
use std::io::Write;

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
            ParamKind::Ma(default) => format!("{}={}", param.key, default.name()),
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
            let entries: Vec<FunctionInfo> = definitions().map(FunctionInfo::of).collect();
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
