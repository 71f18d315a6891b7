//! Recognising a file's layout from its header.
//!
//! The rules, applied to header names trimmed and compared case-insensitively:
//! 1. Empty names at the end of the header (a trailing comma) are dropped; an empty name
//!    anywhere else is an error.
//! 2. The date column is the first one named `date`, `datetime`, `timestamp`, `time`,
//!    `day` or `observation_date` (FRED's current exports); failing that, the first column.
//! 3. Every other column is classified as `open`, `high`, `low`, `close`, `volume` (or
//!    `vol`), `adj close` (also `adj_close`, `adjclose`, `adjusted close`; ignored: we store
//!    the traded close, and adjusted prices of futures-based series are a provider's
//!    artefact), a generic value (`value`, `price`, `last`, `settle`), or a named column.
//! 4. If any open/high/low/close/volume/adj close column is present the file is **one OHLC
//!    series**: its close is `close`, or failing that the single generic column; named
//!    columns beside OHLC columns are an error (ambiguous).
//! 5. Otherwise a single value column is **one series**, named after its header (FRED's
//!    `DATE,GOLDAMGBD228NLBM`), unless the header is generic, in which case the file's
//!    stem names it (`gold.csv.gz` → `GOLD`).
//! 6. More than one value column is a **wide table**: one series per column, named after
//!    its header.
//!
//! Symbols are upper-cased (`gold` → `GOLD`) so that a series has the same symbol whether it
//! came from a header, a file name or a provider.

/// Which of the supported layouts a file has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// One series with some of open, high, low, close, volume (Yahoo, Stooq, ...).
    Ohlc,
    /// One series of single values (FRED, plain `date,close`).
    Single,
    /// Several series, one per column (`date,GOLD,WTI,...`).
    Wide,
}

/// What one column of the file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnRole {
    /// The date of the row.
    Date,
    /// Opening price of the one OHLC series.
    Open,
    /// High of the one OHLC series.
    High,
    /// Low of the one OHLC series.
    Low,
    /// Close of the one OHLC series.
    Close,
    /// Volume of the one OHLC series.
    Volume,
    /// The only value of series number `n` (single-series and wide files).
    Value(usize),
    /// Read past without looking (adjusted close, trailing empty columns).
    Ignored,
}

/// A file's layout: the dialect, each column's role and the series it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The dialect recognised.
    pub dialect: Dialect,
    /// The header names as written (trimmed, BOM removed), one per column read.
    pub headers: Vec<String>,
    /// The role of each column of `headers`.
    pub roles: Vec<ColumnRole>,
    /// Index in `headers` of the date column.
    pub date_column: usize,
    /// The symbols of the series in the file, in column order.
    pub series: Vec<String>,
}

const DATE_NAMES: [&str; 6] = [
    "date",
    "datetime",
    "timestamp",
    "time",
    "day",
    "observation_date",
];
const GENERIC_NAMES: [&str; 4] = ["value", "price", "last", "settle"];
const ADJ_CLOSE_NAMES: [&str; 4] = ["adj close", "adj_close", "adjclose", "adjusted close"];

/// Recognises the layout from header names; `stem_symbol` names a series whose header is
/// generic. The error is a sentence to put after the file name and line.
pub fn detect(raw_headers: &[String], stem_symbol: &str) -> Result<Layout, String> {
    let mut headers: Vec<String> = raw_headers
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    while headers.last().is_some_and(|h| h.is_empty()) {
        headers.pop();
    }
    if headers.is_empty() {
        return Err("the header is empty".into());
    }
    if let Some(i) = headers.iter().position(|h| h.is_empty()) {
        return Err(format!("column {} has no name in the header", i + 1));
    }
    let lower: Vec<String> = headers.iter().map(|h| h.to_ascii_lowercase()).collect();
    let date_column = lower
        .iter()
        .position(|h| DATE_NAMES.contains(&h.as_str()))
        .unwrap_or(0);

    #[derive(PartialEq)]
    enum Kind {
        Ohlc(ColumnRole),
        Generic,
        Named,
    }
    let kinds: Vec<Option<Kind>> = lower
        .iter()
        .enumerate()
        .map(|(i, h)| {
            if i == date_column {
                return None;
            }
            Some(match h.as_str() {
                "open" => Kind::Ohlc(ColumnRole::Open),
                "high" => Kind::Ohlc(ColumnRole::High),
                "low" => Kind::Ohlc(ColumnRole::Low),
                "close" => Kind::Ohlc(ColumnRole::Close),
                "volume" | "vol" => Kind::Ohlc(ColumnRole::Volume),
                h if ADJ_CLOSE_NAMES.contains(&h) => Kind::Ohlc(ColumnRole::Ignored),
                h if GENERIC_NAMES.contains(&h) => Kind::Generic,
                _ => Kind::Named,
            })
        })
        .collect();

    let mut roles = vec![ColumnRole::Ignored; headers.len()];
    roles[date_column] = ColumnRole::Date;
    let value_columns: Vec<usize> = (0..headers.len())
        .filter(|&i| matches!(kinds[i], Some(Kind::Generic | Kind::Named)))
        .collect();

    if kinds.iter().any(|k| matches!(k, Some(Kind::Ohlc(_)))) {
        let named: Vec<&str> = (0..headers.len())
            .filter(|&i| kinds[i] == Some(Kind::Named))
            .map(|i| headers[i].as_str())
            .collect();
        if !named.is_empty() {
            return Err(format!(
                "the header mixes open/high/low/close columns with other series ({}): \
                 use one OHLC series per file, or a table of closes only",
                named.join(", ")
            ));
        }
        let mut seen_close = false;
        for (i, kind) in kinds.iter().enumerate() {
            if let Some(Kind::Ohlc(role)) = kind {
                if *role != ColumnRole::Ignored && roles.contains(role) {
                    return Err(format!("column \"{}\" appears twice", headers[i]));
                }
                seen_close |= *role == ColumnRole::Close;
                roles[i] = *role;
            }
        }
        if !seen_close {
            match value_columns.as_slice() {
                [only] => roles[*only] = ColumnRole::Close,
                [] => return Err("there is no close (or price/value) column".into()),
                _ => return Err("more than one price/value column beside open/high/low".into()),
            }
        } else if let Some(&extra) = value_columns.first() {
            return Err(format!(
                "both \"close\" and \"{}\" could be the close",
                headers[extra]
            ));
        }
        return Ok(Layout {
            dialect: Dialect::Ohlc,
            headers,
            roles,
            date_column,
            series: vec![stem_symbol.to_string()],
        });
    }

    match value_columns.as_slice() {
        [] => Err("there is no value column beside the date".into()),
        [only] => {
            roles[*only] = ColumnRole::Value(0);
            let symbol = if kinds[*only] == Some(Kind::Generic) {
                stem_symbol.to_string()
            } else {
                headers[*only].to_ascii_uppercase()
            };
            Ok(Layout {
                dialect: Dialect::Single,
                headers,
                roles,
                date_column,
                series: vec![symbol],
            })
        }
        many => {
            let mut series: Vec<String> = Vec::with_capacity(many.len());
            for (n, &i) in many.iter().enumerate() {
                let symbol = headers[i].to_ascii_uppercase();
                if series.contains(&symbol) {
                    return Err(format!("series \"{symbol}\" has two columns"));
                }
                series.push(symbol);
                roles[i] = ColumnRole::Value(n);
            }
            Ok(Layout {
                dialect: Dialect::Wide,
                headers,
                roles,
                date_column,
                series,
            })
        }
    }
}

/// The symbol a file's name gives: the last path component without `.gz`, then without
/// `.csv` (or `.txt`), upper-cased. `data/gold.csv.gz` → `GOLD`.
pub fn stem_symbol(file: &str) -> String {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let mut stem = name;
    for ext in [".gz", ".csv", ".txt"] {
        if stem.len() > ext.len() && stem[stem.len() - ext.len()..].eq_ignore_ascii_case(ext) {
            stem = &stem[..stem.len() - ext.len()];
        }
    }
    stem.to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(header: &str) -> Result<Layout, String> {
        let headers: Vec<String> = header.split(',').map(str::to_string).collect();
        detect(&headers, "STEM")
    }

    #[test]
    fn yahoo_header_is_one_ohlc_series_ignoring_adj_close() {
        let l = layout("Date,Open,High,Low,Close,Adj Close,Volume").unwrap();
        assert_eq!(l.dialect, Dialect::Ohlc);
        assert_eq!(l.series, ["STEM"]);
        use ColumnRole::*;
        assert_eq!(l.roles, [Date, Open, High, Low, Close, Ignored, Volume]);
    }

    #[test]
    fn fred_header_names_the_series_after_its_column() {
        let l = layout("DATE,GOLDAMGBD228NLBM").unwrap();
        assert_eq!(l.dialect, Dialect::Single);
        assert_eq!(l.series, ["GOLDAMGBD228NLBM"]);
    }

    #[test]
    fn generic_value_header_takes_the_file_stem() {
        for header in ["DATE,VALUE", "date,close", "Date,Price", "date,value"] {
            let l = layout(header).unwrap();
            assert_eq!(l.series, ["STEM"], "{header}");
        }
    }

    #[test]
    fn several_named_columns_make_a_wide_table() {
        let l = layout("date,GOLD,wti,Silver,").unwrap();
        assert_eq!(l.dialect, Dialect::Wide);
        assert_eq!(l.series, ["GOLD", "WTI", "SILVER"]);
        assert_eq!(l.headers.len(), 4, "the trailing empty column is dropped");
    }

    #[test]
    fn rejects_ohlc_mixed_with_series_and_missing_close() {
        assert!(layout("date,open,close,GOLD").is_err());
        assert!(layout("date,open,high,low").is_err());
        assert!(layout("date").is_err());
        assert!(layout("date,,close").is_err());
        assert!(layout("date,GOLD,gold").is_err());
    }

    #[test]
    fn stem_drops_gz_and_csv_and_uppercases() {
        assert_eq!(stem_symbol("data/gold.csv.gz"), "GOLD");
        assert_eq!(stem_symbol("GOLDAMGBD228NLBM.csv"), "GOLDAMGBD228NLBM");
        assert_eq!(stem_symbol("C:\\x\\wti.CSV"), "WTI");
    }
}
