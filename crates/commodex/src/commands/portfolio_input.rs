//! What `metrics` and `simulate` share: a price table read from a file, `--weights` parsed
//! against its symbols, and the chosen assets' closes on the dates they all have.

use anyhow::{Context, bail};
use chrono::NaiveDate;
use std::path::Path;

/// The chosen assets' closes on their common dates, with their weights (as given).
#[derive(Debug)]
pub struct PortfolioInput {
    /// Symbols in the order of `--weights` (or of the file when no weights were given).
    pub symbols: Vec<String>,
    /// One weight per symbol, not yet normalised.
    pub weights: Vec<f64>,
    /// The dates every chosen asset has a value on, ascending.
    pub dates: Vec<NaiveDate>,
    /// One column of closes per symbol, as long as `dates`.
    pub columns: Vec<Vec<f64>>,
}

impl PortfolioInput {
    /// The columns as the analytics crate's input.
    pub fn assets(&self) -> Vec<analytics::portfolio::AssetPrices<'_>> {
        self.symbols
            .iter()
            .zip(&self.columns)
            .map(|(symbol, prices)| analytics::portfolio::AssetPrices { symbol, prices })
            .collect()
    }
}

/// A benchmark column's symbol and closes on the portfolio's dates, when one was asked for.
pub type Benchmark = Option<(String, Vec<f64>)>;

/// Dates and columns of the chosen assets.
struct Common {
    dates: Vec<NaiveDate>,
    columns: Vec<Vec<f64>>,
}

/// Reads `file` and keeps the assets of `weights` (all of them, equally weighted, when `None`)
/// on the dates they share.
pub fn load(file: &Path, weights: Option<&str>) -> anyhow::Result<PortfolioInput> {
    Ok(load_with_benchmark(file, weights, None)?.0)
}

/// As [`load`], with a benchmark column of the same file kept on the same dates (the dates
/// the assets and the benchmark all have). Without `weights`, every column but the
/// benchmark's is an asset.
pub fn load_with_benchmark(
    file: &Path,
    weights: Option<&str>,
    benchmark: Option<&str>,
) -> anyhow::Result<(PortfolioInput, Benchmark)> {
    let table = ingest::read_wide(file)?;
    let benchmark =
        benchmark
            .map(|name| {
                let name = name.trim();
                table
                .symbols
                .iter()
                .position(|s| s == name)
                .or_else(|| table.symbols.iter().position(|s| s.eq_ignore_ascii_case(name)))
                .with_context(|| {
                    format!(
                        "--benchmark names '{name}', which is not in the file; its symbols are {}",
                        table.symbols.join(", ")
                    )
                })
            })
            .transpose()?;
    let (symbols, weights) = match weights {
        Some(text) => parse_weights(text, &table.symbols)?,
        None => {
            let symbols: Vec<String> = table
                .symbols
                .iter()
                .enumerate()
                .filter(|(i, _)| Some(*i) != benchmark)
                .map(|(_, s)| s.clone())
                .collect();
            if symbols.is_empty() {
                bail!(
                    "{}: the benchmark is the only column; give --weights or add assets",
                    file.display()
                );
            }
            let weights = vec![1.0; symbols.len()];
            (symbols, weights)
        }
    };
    let indices: Vec<usize> = symbols
        .iter()
        .map(|symbol| {
            table
                .symbols
                .iter()
                .position(|known| known == symbol)
                .unwrap_or_default()
        })
        .collect();
    // The table's columns share its dates already, so the common dates are simply the rows
    // where no chosen column is NaN (missing).
    let rows: Vec<usize> = (0..table.dates.len())
        .filter(|&row| {
            indices
                .iter()
                .chain(benchmark.as_ref())
                .all(|&c| !table.columns[c][row].is_nan())
        })
        .collect();
    let column = |c: usize| -> Vec<f64> { rows.iter().map(|&row| table.columns[c][row]).collect() };
    let common = Common {
        dates: rows.iter().map(|&row| table.dates[row]).collect(),
        columns: indices.iter().map(|&c| column(c)).collect(),
    };
    if common.dates.is_empty() {
        let mut names = symbols.clone();
        names.extend(benchmark.map(|c| table.symbols[c].clone()));
        bail!(
            "{}: {} have no date on which every one has a price",
            file.display(),
            names.join(", ")
        );
    }
    let benchmark = benchmark.map(|c| (table.symbols[c].clone(), column(c)));
    Ok((
        PortfolioInput {
            symbols,
            weights,
            dates: common.dates,
            columns: common.columns,
        },
        benchmark,
    ))
}

/// Parses `GOLD=0.6,WTI=0.4` against the file's symbols (exact, else case-insensitive match).
///
/// Errors, each a sentence: an entry without `=`, an unknown symbol (listing the known ones),
/// a weight that is not a finite number, a negative weight, a symbol given twice, and weights
/// that are all zero.
pub fn parse_weights(text: &str, known: &[String]) -> anyhow::Result<(Vec<String>, Vec<f64>)> {
    let mut symbols: Vec<String> = Vec::new();
    let mut weights = Vec::new();
    for entry in text.split(',') {
        let entry = entry.trim();
        if entry.is_empty() {
            bail!("--weights '{text}' has an empty entry: write it like GOLD=0.6,WTI=0.4");
        }
        let Some((name, value)) = entry.split_once('=') else {
            bail!("--weights entry '{entry}' has no '=': write it like GOLD=0.6,WTI=0.4");
        };
        let name = name.trim();
        let symbol = known
            .iter()
            .find(|s| s.as_str() == name)
            .or_else(|| known.iter().find(|s| s.eq_ignore_ascii_case(name)))
            .with_context(|| {
                format!(
                    "--weights names '{name}', which is not in the file; its symbols are {}",
                    known.join(", ")
                )
            })?;
        let weight: f64 = value
            .trim()
            .parse()
            .ok()
            .filter(|w: &f64| w.is_finite())
            .with_context(|| {
                format!(
                    "--weights: the weight of {symbol} is '{}', not a number",
                    value.trim()
                )
            })?;
        if weight < 0.0 {
            bail!("--weights: the weight of {symbol} is {weight}; weights must not be negative");
        }
        if symbols.contains(symbol) {
            bail!("--weights gives {symbol} more than once");
        }
        symbols.push(symbol.clone());
        weights.push(weight);
    }
    if weights.iter().all(|w| *w == 0.0) {
        bail!("--weights are all zero: give at least one asset a positive weight");
    }
    Ok((symbols, weights))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Vec<String> {
        vec!["GOLD".to_owned(), "WTI".to_owned()]
    }

    #[test]
    fn weights_parse_in_given_order_and_match_case_insensitively() {
        let (symbols, weights) = parse_weights("wti=0.4, GOLD=0.6", &known()).unwrap();
        assert_eq!(symbols, ["WTI", "GOLD"]);
        assert_eq!(weights, [0.4, 0.6]);
    }

    #[test]
    fn weights_errors_are_sentences_naming_the_problem() {
        let message = |text: &str| format!("{:#}", parse_weights(text, &known()).unwrap_err());
        assert!(message("SILVER=1").contains("GOLD, WTI"));
        assert!(message("GOLD=abc").contains("not a number"));
        assert!(message("GOLD=-0.1").contains("negative"));
        assert!(message("GOLD=0.5,GOLD=0.5").contains("more than once"));
        assert!(message("GOLD=0,WTI=0").contains("all zero"));
        assert!(message("GOLD").contains("no '='"));
    }
}
