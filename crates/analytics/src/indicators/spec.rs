//! Indicator spec strings such as `macd(12,26,9)` or `bbands(20,nbdevdn=1.5)`.
//!
//! Positional parameters are TA-Lib's numeric parameters in TA-Lib's order; moving-average
//! types are keyword-only (`ppo(12,26,matype=ema)`). Any parameter may be given by its TA-Lib
//! keyword name (`timeperiod` may also be written `period`). Names are case-insensitive and
//! whitespace is ignored. A parameter left out takes TA-Lib's default, except `bbands`'
//! `nbdevdn`, which follows `nbdevup` unless it is given.

use std::fmt;
use std::str::FromStr;

use super::catalog::{Default, Definition, Param, find, known_indicators};
use super::moving_averages::MaType;
use super::{Inputs, Ohlcv, aroon, momentum, oscillators, trend, volatility, volume};
use crate::AnalyticsError;

/// One parameter's value.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Value {
    Period(usize),
    Real(f64),
    Ma(MaType),
}

/// A parsed indicator with all of its parameters, e.g. `macd(12,26,9)`.
///
/// `Display` prints the canonical form: every numeric parameter positionally, then the
/// moving-average types that differ from the function's TA-Lib default as keywords, e.g.
/// `rsi(14)`, `bbands(20,2,2)`, `ppo(12,26,matype=sma)`.
#[derive(Clone, PartialEq)]
pub struct IndicatorSpec {
    definition: &'static Definition,
    values: Vec<Value>,
}

impl PartialEq for Definition {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl fmt::Debug for IndicatorSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IndicatorSpec({self})")
    }
}

fn invalid(message: String) -> AnalyticsError {
    AnalyticsError::InvalidParameter(message)
}

fn parse_value(name: &str, param: &Param, text: &str) -> Result<Value, AnalyticsError> {
    let label = param.label;
    match param.default {
        Default::Ma(default) => {
            // TA-Lib 0.8's `default` (11) is the function's own default type.
            if text == "default" || text == "11" {
                return Ok(Value::Ma(default));
            }
            let ma_type: MaType = text.parse()?;
            Ok(Value::Ma(ma_type))
        }
        Default::Period(_, min) => {
            let number: f64 = text.parse().map_err(|_| {
                invalid(format!(
                    "{name} {label} must be a whole number, got '{text}'"
                ))
            })?;
            if !number.is_finite() || number.fract() != 0.0 {
                return Err(invalid(format!(
                    "{name} {label} must be a whole number, got '{text}'"
                )));
            }
            if number < min as f64 {
                return Err(invalid(format!(
                    "{name} {label} must be at least {min}, got {text}"
                )));
            }
            if number > 100_000.0 {
                return Err(invalid(format!(
                    "{name} {label} must be at most 100000, got {text}"
                )));
            }
            Ok(Value::Period(number as usize))
        }
        Default::Real(_, min, max) => {
            let number: f64 = text
                .parse()
                .map_err(|_| invalid(format!("{name} {label} must be a number, got '{text}'")))?;
            if !number.is_finite() {
                return Err(invalid(format!(
                    "{name} {label} must be a finite number, got '{text}'"
                )));
            }
            if number < min || number > max {
                return Err(invalid(if max == f64::MAX && min == 0.0 {
                    format!("{name} {label} must not be negative, got {text}")
                } else if max == f64::MAX {
                    format!("{name} {label} must be at least {min}, got {text}")
                } else {
                    format!("{name} {label} must be between {min} and {max}, got {text}")
                }));
            }
            Ok(Value::Real(number))
        }
    }
}

impl FromStr for IndicatorSpec {
    type Err = AnalyticsError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let compact = compact.to_ascii_lowercase();
        let (name, arguments) = match compact.find('(') {
            Some(open) => {
                let Some(inner) = compact[open + 1..].strip_suffix(')') else {
                    return Err(invalid(format!(
                        "indicator '{}' has an unclosed parenthesis; write it like rsi(14)",
                        text.trim()
                    )));
                };
                (&compact[..open], inner)
            }
            None => (compact.as_str(), ""),
        };
        if name.is_empty() {
            return Err(invalid(format!(
                "indicator '{}' has no name; write it like rsi(14)",
                text.trim()
            )));
        }
        let Some(definition) = find(name) else {
            return Err(invalid(format!(
                "unknown indicator '{name}'; known indicators: {}",
                known_indicators().join(", ")
            )));
        };
        let params = definition.params;
        let mut given: Vec<Option<Value>> = vec![None; params.len()];
        let numeric: Vec<usize> = (0..params.len())
            .filter(|&i| !matches!(params[i].default, Default::Ma(_)))
            .collect();
        let mut positional = 0;
        let mut seen_keyword = false;
        if !arguments.is_empty() {
            for argument in arguments.split(',') {
                if argument.is_empty() {
                    return Err(invalid(format!(
                        "indicator '{}' has an empty parameter",
                        text.trim()
                    )));
                }
                let index = if let Some((key, value)) = argument.split_once('=') {
                    seen_keyword = true;
                    let key = if key == "period" { "timeperiod" } else { key };
                    let Some(index) = params.iter().position(|p| p.key == key) else {
                        let names: Vec<&str> = params.iter().map(|p| p.key).collect();
                        return Err(invalid(format!(
                            "{name} has no parameter '{key}'; its parameters are: {}",
                            if names.is_empty() {
                                "none".to_string()
                            } else {
                                names.join(", ")
                            }
                        )));
                    };
                    if given[index].is_some() {
                        return Err(invalid(format!(
                            "{name} {} is given twice",
                            params[index].label
                        )));
                    }
                    given[index] = Some(parse_value(name, &params[index], value)?);
                    continue;
                } else {
                    if seen_keyword {
                        return Err(invalid(format!(
                            "{name}: positional parameters must come before keyword ones"
                        )));
                    }
                    let Some(&index) = numeric.get(positional) else {
                        let names: Vec<&str> = numeric.iter().map(|&i| params[i].key).collect();
                        if names.is_empty() && params.is_empty() {
                            return Err(invalid(format!(
                                "{name} takes no parameters: write it bare, as {name}"
                            )));
                        }
                        return Err(invalid(format!(
                            "{name} takes at most {} positional parameter{} ({}), got {}",
                            numeric.len(),
                            if numeric.len() == 1 { "" } else { "s" },
                            names.join(", "),
                            arguments.split(',').filter(|a| !a.contains('=')).count()
                        )));
                    };
                    positional += 1;
                    index
                };
                given[index] = Some(parse_value(name, &params[index], argument)?);
            }
        }
        let nbdevup_given = given.get(1).copied().flatten();
        let values: Vec<Value> = params
            .iter()
            .enumerate()
            .map(|(i, param)| {
                given[i].unwrap_or(match param.default {
                    // SPEC: bbands' down deviation follows the up one unless it is given.
                    Default::Real(..) if name == "bbands" && param.key == "nbdevdn" => {
                        nbdevup_given.unwrap_or(Value::Real(2.0))
                    }
                    Default::Period(value, _) => Value::Period(value),
                    Default::Real(value, ..) => Value::Real(value),
                    Default::Ma(value) => Value::Ma(value),
                })
            })
            .collect();
        let spec = IndicatorSpec { definition, values };
        spec.check_relations()?;
        Ok(spec)
    }
}

impl fmt::Display for IndicatorSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}(", self.definition.name)?;
        let mut first = true;
        let mut separator = |f: &mut fmt::Formatter<'_>| {
            let result = if first { Ok(()) } else { f.write_str(",") };
            first = false;
            result
        };
        for value in &self.values {
            match value {
                Value::Period(number) => {
                    separator(f)?;
                    write!(f, "{number}")?;
                }
                Value::Real(number) => {
                    separator(f)?;
                    write!(f, "{number}")?;
                }
                Value::Ma(_) => {}
            }
        }
        for (param, value) in self.definition.params.iter().zip(&self.values) {
            if let Value::Ma(ma_type) = value
                && param.default != Default::Ma(*ma_type)
            {
                separator(f)?;
                write!(f, "{}={ma_type}", param.key)?;
            }
        }
        f.write_str(")")
    }
}

impl IndicatorSpec {
    /// The indicator's lower-case name, e.g. `"macd"`.
    pub fn name(&self) -> &'static str {
        self.definition.name
    }

    /// The function's entry in the definition table.
    pub fn definition(&self) -> &'static Definition {
        self.definition
    }

    /// Whether output `index` holds integers (row indexes, trends, pattern signals).
    pub fn is_integer_output(&self, index: usize) -> bool {
        self.definition.is_integer(index)
    }

    /// Names of the output series in [`IndicatorSpec::compute`]'s order; single-output
    /// indicators return `["value"]`. Multi-output: macd `macd, signal, hist`; bbands
    /// `upper, middle, lower`; stoch, stochf, stochrsi `k, d`; aroon `down, up`; mama
    /// `mama, fama`.
    pub fn outputs(&self) -> &'static [&'static str] {
        self.definition.outputs
    }

    /// Which columns of the input the indicator reads.
    pub fn needs(&self) -> Inputs {
        self.definition.inputs
    }

    /// The names of its output columns, in [`IndicatorSpec::outputs`]' order, as the CLI and
    /// the API both head them: `label` (the spec as the user typed it) alone for a
    /// single-output indicator, `label.output` for each output of a multi-output one
    /// (`macd(12,26,9).signal`).
    pub fn column_names(&self, label: &str) -> Vec<String> {
        match self.outputs() {
            [_single] => vec![label.to_owned()],
            outputs => outputs
                .iter()
                .map(|output| format!("{label}.{output}"))
                .collect(),
        }
    }

    pub(crate) fn period(&self, index: usize) -> usize {
        match self.values[index] {
            Value::Period(value) => value,
            _ => 0,
        }
    }

    pub(crate) fn real(&self, index: usize) -> f64 {
        match self.values[index] {
            Value::Real(value) => value,
            _ => 0.0,
        }
    }

    pub(crate) fn ma_type(&self, index: usize) -> MaType {
        match self.values[index] {
            Value::Ma(value) => value,
            _ => MaType::Sma,
        }
    }

    fn check_relations(&self) -> Result<(), AnalyticsError> {
        let name = self.name();
        if matches!(name, "macd" | "apo" | "ppo") && self.period(0) >= self.period(1) {
            return Err(invalid(format!(
                "{name} fast period must be shorter than the slow period, got fast {} and slow {}",
                self.period(0),
                self.period(1)
            )));
        }
        Ok(())
    }

    /// TA-Lib's lookback: how many leading rows of every output are NaN.
    pub fn lookback(&self) -> usize {
        if let Some(lookback) = self.definition.lookback {
            return lookback(self);
        }
        let p = |i| self.period(i);
        match self.name() {
            "sma" | "ema" | "wma" | "trima" | "willr" | "cci" => p(0) - 1,
            "t3" => 6 * (p(0) - 1),
            "dema" => 2 * (p(0) - 1),
            "tema" => 3 * (p(0) - 1),
            "bbands" => self.ma_type(3).lookback(p(0)).max(p(0) - 1),
            "mama" => 32,
            "macd" => p(1) - 1 + p(2) - 1,
            "stoch" => p(0) - 1 + self.ma_type(2).lookback(p(1)) + self.ma_type(4).lookback(p(3)),
            "stochf" => p(0) - 1 + self.ma_type(2).lookback(p(1)),
            "stochrsi" => p(0) + p(1) - 1 + self.ma_type(3).lookback(p(2)),
            "adx" => 2 * p(0) - 1,
            "adxr" => 3 * p(0) - 2,
            "obv" => 0,
            "ultosc" => p(0).max(p(1)).max(p(2)),
            "apo" | "ppo" => self.ma_type(2).lookback(p(0).max(p(1))),
            "trix" => 3 * (p(0) - 1) + 1,
            "sar" => 1,
            // kama, rsi, roc, mom, atr, natr, plus_di, minus_di, mfi, aroon, aroonosc, cmo
            _ => p(0),
        }
    }

    /// Computes every output over `input`: one vector per [`IndicatorSpec::outputs`] entry,
    /// each as long as the input, NaN during the lookback (all NaN when the input has no more
    /// rows than the lookback). Errors on a missing column, a NaN inside a series (naming the
    /// row) or a high below its low.
    pub fn compute(&self, input: &Ohlcv<'_>) -> Result<Vec<Vec<f64>>, AnalyticsError> {
        if self.definition.group == super::Group::Pattern {
            // The whole-series kernel, several times faster than the stream run bar by bar.
            return super::pattern::compute_spec(self, input);
        }
        if let Some(build) = self.definition.step {
            return super::batch::run_step(self, build, input);
        }
        let name = self.name();
        let missing = |column: &str| {
            AnalyticsError::InvalidInput(format!(
                "{name} needs {column} prices, which the series does not have"
            ))
        };
        let close = input.close;
        let high = || input.high.ok_or_else(|| missing("high"));
        let low = || input.low.ok_or_else(|| missing("low"));
        let volume = || {
            input.volume.ok_or_else(|| {
                AnalyticsError::InvalidInput(format!(
                    "{name} needs volume, which the series does not have"
                ))
            })
        };
        let p = |i| self.period(i);
        let single = |values: Vec<f64>| vec![values];
        let pair = |(a, b): (Vec<f64>, Vec<f64>)| vec![a, b];
        let triple = |(a, b, c): (Vec<f64>, Vec<f64>, Vec<f64>)| vec![a, b, c];
        use super::moving_averages as mas;
        Ok(match name {
            "sma" => single(mas::sma(close, p(0))?),
            "ema" => single(mas::ema(close, p(0))?),
            "wma" => single(mas::wma(close, p(0))?),
            "dema" => single(mas::dema(close, p(0))?),
            "tema" => single(mas::tema(close, p(0))?),
            "kama" => single(mas::kama(close, p(0))?),
            "trima" => single(mas::trima(close, p(0))?),
            "t3" => single(mas::t3(close, p(0), self.real(1))?),
            "mama" => pair(super::mama::mama(close, self.real(0), self.real(1))?),
            "bbands" => triple(volatility::bbands(
                close,
                p(0),
                self.real(1),
                self.real(2),
                self.ma_type(3),
            )?),
            "rsi" => single(momentum::rsi(close, p(0))?),
            "macd" => triple(momentum::macd(close, p(0), p(1), p(2))?),
            "stoch" => pair(oscillators::stoch(
                high()?,
                low()?,
                close,
                p(0),
                p(1),
                self.ma_type(2),
                p(3),
                self.ma_type(4),
            )?),
            "stochf" => pair(oscillators::stochf(
                high()?,
                low()?,
                close,
                p(0),
                p(1),
                self.ma_type(2),
            )?),
            "stochrsi" => pair(oscillators::stochrsi(
                close,
                p(0),
                p(1),
                p(2),
                self.ma_type(3),
            )?),
            "willr" => single(oscillators::willr(high()?, low()?, close, p(0))?),
            "cci" => single(oscillators::cci(high()?, low()?, close, p(0))?),
            "roc" => single(momentum::roc(close, p(0))?),
            "mom" => single(momentum::mom(close, p(0))?),
            "atr" => single(volatility::atr(high()?, low()?, close, p(0))?),
            "natr" => single(volatility::natr(high()?, low()?, close, p(0))?),
            "adx" => single(trend::adx(high()?, low()?, close, p(0))?),
            "adxr" => single(trend::adxr(high()?, low()?, close, p(0))?),
            "plus_di" => single(trend::plus_di(high()?, low()?, close, p(0))?),
            "minus_di" => single(trend::minus_di(high()?, low()?, close, p(0))?),
            "mfi" => single(volume::mfi(high()?, low()?, close, volume()?, p(0))?),
            "obv" => single(volume::obv(close, volume()?)?),
            "ultosc" => single(oscillators::ultosc(
                high()?,
                low()?,
                close,
                p(0),
                p(1),
                p(2),
            )?),
            "apo" => single(momentum::apo(close, p(0), p(1), self.ma_type(2))?),
            "ppo" => single(momentum::ppo(close, p(0), p(1), self.ma_type(2))?),
            "trix" => single(momentum::trix(close, p(0))?),
            "aroon" => pair(aroon::aroon(high()?, low()?, p(0))?),
            "aroonosc" => single(aroon::aroonosc(high()?, low()?, p(0))?),
            "cmo" => single(momentum::cmo(close, p(0))?),
            "sar" => single(trend::sar(high()?, low()?, self.real(0), self.real(1))?),
            other => {
                return Err(invalid(format!("unknown indicator '{other}'")));
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> IndicatorSpec {
        text.parse()
            .unwrap_or_else(|e| panic!("{text} should parse: {e}"))
    }

    fn error(text: &str) -> String {
        match text.parse::<IndicatorSpec>() {
            Ok(spec) => panic!("{text} should not parse, got {spec}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn bare_name_takes_talib_defaults() {
        assert_eq!(parse("rsi").to_string(), "rsi(14)");
        assert_eq!(parse("macd").to_string(), "macd(12,26,9)");
        assert_eq!(parse("stoch").to_string(), "stoch(5,3,3)");
        assert_eq!(parse("bbands()").to_string(), "bbands(20,2,2)");
        assert_eq!(parse("sar").to_string(), "sar(0.02,0.2)");
        assert_eq!(parse("obv").to_string(), "obv()");
    }

    #[test]
    fn names_are_case_insensitive_and_whitespace_is_ignored() {
        assert_eq!(parse("  MACD ( 12 , 26 ,9 ) ").to_string(), "macd(12,26,9)");
        assert_eq!(parse("Plus_DI( 7 )").to_string(), "plus_di(7)");
    }

    #[test]
    fn positional_parameters_follow_talib_order_without_ma_types() {
        let stoch = parse("stoch(14,3,3)");
        assert_eq!(stoch.to_string(), "stoch(14,3,3)");
        assert_eq!(stoch.lookback(), 13 + 2 + 2);
        assert_eq!(parse("stochrsi(14,5,3)").lookback(), 14 + 4 + 2);
        assert_eq!(parse("ultosc(7,14,28)").lookback(), 28);
    }

    #[test]
    fn bbands_down_deviation_follows_the_up_one_unless_given() {
        assert_eq!(parse("bbands(20,2)").to_string(), "bbands(20,2,2)");
        assert_eq!(parse("bbands(20,3)").to_string(), "bbands(20,3,3)");
        assert_eq!(
            parse("bbands(20,nbdevdn=1.5)").to_string(),
            "bbands(20,2,1.5)"
        );
        assert_eq!(parse("bbands(20,2.5,1)").to_string(), "bbands(20,2.5,1)");
    }

    #[test]
    fn ma_types_are_keywords_and_printed_when_not_sma() {
        // TA-Lib 0.8: APO, PPO and PVO default to EMA.
        let ppo = parse("ppo(12,26,matype=ema)");
        assert_eq!(ppo.to_string(), "ppo(12,26)");
        assert_eq!(ppo.lookback(), 25);
        assert_eq!(parse("ppo").to_string(), "ppo(12,26)");
        assert_eq!(
            parse("apo(12,26,matype=sma)").to_string(),
            "apo(12,26,matype=sma)"
        );
        assert_eq!(parse("apo(12,26,matype=default)").to_string(), "apo(12,26)");
        assert_eq!(parse("ma(10,matype=hma)").lookback(), 9 + 2);
        assert_eq!(parse("ma(10,matype=none)").lookback(), 0);
        assert_eq!(
            parse("stoch(5,3,3,slowd_matype=T3)").to_string(),
            "stoch(5,3,3,slowd_matype=t3)"
        );
        assert_eq!(parse("bbands(5,matype=dema)").lookback(), 8);
    }

    #[test]
    fn every_parameter_can_be_given_by_keyword() {
        assert_eq!(parse("rsi(timeperiod=7)").to_string(), "rsi(7)");
        assert_eq!(parse("rsi(period=7)").to_string(), "rsi(7)");
        assert_eq!(
            parse("macd(signalperiod=4,fastperiod=3)").to_string(),
            "macd(3,26,4)"
        );
    }

    #[test]
    fn display_round_trips_through_parse() {
        for name in known_indicators() {
            let spec = parse(name);
            assert_eq!(parse(&spec.to_string()), spec, "{name}");
        }
    }

    #[test]
    fn out_of_range_period_is_rejected_with_talib_minimum() {
        assert_eq!(error("rsi(0)"), "rsi period must be at least 2, got 0");
        assert_eq!(error("roc(0)"), "roc period must be at least 1, got 0");
        assert!(error("sma(100001)").contains("at most 100000"));
    }

    #[test]
    fn fast_period_longer_than_slow_is_rejected() {
        assert_eq!(
            error("macd(26,12)"),
            "macd fast period must be shorter than the slow period, got fast 26 and slow 12"
        );
        assert!(error("ppo(30,10)").contains("shorter"));
    }

    #[test]
    fn unknown_indicator_lists_known_ones() {
        let message = error("foo(3)");
        assert!(message.starts_with("unknown indicator 'foo'"), "{message}");
        assert!(
            message.contains("rsi") && message.contains("sar"),
            "{message}"
        );
    }

    #[test]
    fn malformed_parameters_get_a_sentence() {
        assert!(error("rsi(14,3)").contains("at most 1 positional parameter"));
        assert!(error("rsi(abc)").contains("must be a whole number"));
        assert!(error("rsi(14.5)").contains("must be a whole number"));
        assert!(error("bbands(5,x)").contains("must be a number"));
        assert!(error("rsi(14").contains("unclosed"));
        assert!(error("rsi(,)").contains("empty parameter"));
        assert!(error("rsi(speed=3)").contains("no parameter 'speed'"));
        assert!(error("rsi(14,timeperiod=3)").contains("given twice"));
        assert!(error("ppo(matype=ema,12)").contains("positional parameters must come before"));
        assert!(error("ppo(matype=foo)").contains("unknown moving-average type 'foo'"));
        assert!(error("mama(0,0.05)").contains("between 0.01 and 0.99"));
        assert!(error("sar(-0.1)").contains("must not be negative"));
    }

    #[test]
    fn outputs_and_inputs_are_declared() {
        assert_eq!(parse("macd").outputs(), ["macd", "signal", "hist"]);
        assert_eq!(parse("bbands").outputs(), ["upper", "middle", "lower"]);
        assert_eq!(parse("aroon").outputs(), ["down", "up"]);
        assert_eq!(parse("stochrsi").outputs(), ["k", "d"]);
        assert_eq!(parse("rsi").outputs(), ["value"]);
        assert!(parse("mfi").needs().volume);
        assert!(!parse("rsi").needs().high);
        assert!(parse("sar").needs().low && !parse("sar").needs().close);
    }

    #[test]
    fn column_names_keep_the_label_as_typed() {
        assert_eq!(parse("rsi").column_names("RSI( 14 )"), ["RSI( 14 )"]);
        assert_eq!(
            parse("stoch(5,3,3)").column_names("stoch(5,3,3)"),
            ["stoch(5,3,3).k", "stoch(5,3,3).d"]
        );
    }

    #[test]
    fn compute_reports_missing_columns() {
        let close = [1.0, 2.0, 3.0];
        let error = parse("cci")
            .compute(&Ohlcv::from_close(&close))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "cci needs high prices, which the series does not have"
        );
        let error = parse("obv")
            .compute(&Ohlcv::from_close(&close))
            .unwrap_err();
        assert!(error.to_string().contains("needs volume"));
    }
}
