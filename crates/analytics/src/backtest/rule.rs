//! The rule language: conditions over indicator outputs, OHLCV columns and numbers.
//!
//! ```text
//! rule       := or
//! or         := and ("or" and)*
//! and        := not ("and" not)*
//! not        := "not" not | "(" rule ")" | cross | comparison
//! cross      := ("crosses_above" | "crosses_below") "(" operand "," operand ")"
//! comparison := operand ("<" | "<=" | ">" | ">=") operand
//! operand    := number | open | high | low | close | volume | indicator ["." output]
//! ```
//! An indicator is any spec [`IndicatorSpec`] reads (`rsi`, `rsi(14)`, `bbands(20,2)`,
//! `ppo(12,26,matype=ema)`); a multi-output one names its output (`macd(12,26,9).hist`).
//! `and` binds tighter than `or`; words are case-insensitive.

use std::fmt;

use super::lexer::{Comparison, Kind, Token, error_at, is_grammar_word, tokenize};
use crate::AnalyticsError;
use crate::indicators::IndicatorSpec;

/// A price column of the input series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// Opening prices.
    Open,
    /// High prices.
    High,
    /// Low prices.
    Low,
    /// Closing prices.
    Close,
    /// Traded volume.
    Volume,
}

impl Column {
    fn from_word(word: &str) -> Option<Self> {
        Some(match word {
            "open" => Column::Open,
            "high" => Column::High,
            "low" => Column::Low,
            "close" => Column::Close,
            "volume" => Column::Volume,
            _ => return None,
        })
    }

    /// The column's name as written in a rule.
    pub fn name(self) -> &'static str {
        match self {
            Column::Open => "open",
            Column::High => "high",
            Column::Low => "low",
            Column::Close => "close",
            Column::Volume => "volume",
        }
    }
}

/// A value per bar: a constant, a column, or one output of an indicator.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A number, the same on every bar.
    Number(f64),
    /// One of the OHLCV columns.
    Column(Column),
    /// Output `output` (an index into [`IndicatorSpec::outputs`]) of an indicator.
    Indicator {
        /// The parsed indicator.
        spec: IndicatorSpec,
        /// Which of its outputs.
        output: usize,
    },
}

/// A parsed rule: a boolean condition evaluated on every bar.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// `left op right`; false when either side is empty (NaN) on that bar.
    Compare {
        /// Left-hand side.
        left: Operand,
        /// The operator.
        op: Comparison,
        /// Right-hand side.
        right: Operand,
    },
    /// `crosses_above(a, b)` (`above`) or `crosses_below(a, b)`: a is beyond b now and was
    /// not on the bar before.
    Cross {
        /// True for `crosses_above`.
        above: bool,
        /// The series that crosses.
        left: Operand,
        /// The series crossed.
        right: Operand,
    },
    /// Both conditions hold.
    And(Box<Rule>, Box<Rule>),
    /// Either condition holds.
    Or(Box<Rule>, Box<Rule>),
    /// The condition does not hold.
    Not(Box<Rule>),
}

impl std::str::FromStr for Rule {
    type Err = AnalyticsError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let tokens = tokenize(text)?;
        let end_column = text.chars().count() + 1;
        let mut parser = Parser {
            tokens,
            position: 0,
            end_column,
        };
        if parser.tokens.is_empty() {
            return Err(error_at(1, "the rule is empty"));
        }
        let rule = parser.or()?;
        if let Some(token) = parser.peek() {
            return Err(error_at(
                token.column,
                format!(
                    "expected 'and', 'or' or the end of the rule, found {}",
                    describe(&token.kind)
                ),
            ));
        }
        Ok(rule)
    }
}

impl Rule {
    /// Every indicator the rule reads, each distinct spec once, in order of appearance.
    pub fn indicators(&self) -> Vec<IndicatorSpec> {
        let mut specs: Vec<IndicatorSpec> = Vec::new();
        self.visit_operands(&mut |operand| {
            if let Operand::Indicator { spec, .. } = operand
                && !specs.contains(spec)
            {
                specs.push(spec.clone());
            }
        });
        specs
    }

    /// Every column the rule reads directly.
    pub fn columns(&self) -> Vec<Column> {
        let mut columns = Vec::new();
        self.visit_operands(&mut |operand| {
            if let Operand::Column(column) = operand
                && !columns.contains(column)
            {
                columns.push(*column);
            }
        });
        columns
    }

    fn visit_operands(&self, visit: &mut impl FnMut(&Operand)) {
        match self {
            Rule::Compare { left, right, .. } | Rule::Cross { left, right, .. } => {
                visit(left);
                visit(right);
            }
            Rule::And(a, b) | Rule::Or(a, b) => {
                a.visit_operands(visit);
                b.visit_operands(visit);
            }
            Rule::Not(inner) => inner.visit_operands(visit),
        }
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Number(value) => write!(f, "{value}"),
            Operand::Column(column) => f.write_str(column.name()),
            Operand::Indicator { spec, output } => {
                let outputs = spec.outputs();
                if outputs.len() > 1 {
                    write!(f, "{spec}.{}", outputs[*output])
                } else {
                    write!(f, "{spec}")
                }
            }
        }
    }
}

impl fmt::Display for Rule {
    /// The canonical form, fully parenthesised where `and` and `or` meet.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Compare { left, op, right } => write!(f, "{left} {} {right}", op.symbol()),
            Rule::Cross { above, left, right } => {
                let name = if *above {
                    "crosses_above"
                } else {
                    "crosses_below"
                };
                write!(f, "{name}({left}, {right})")
            }
            Rule::And(a, b) => write!(f, "({a} and {b})"),
            Rule::Or(a, b) => write!(f, "({a} or {b})"),
            Rule::Not(inner) => write!(f, "not {inner}"),
        }
    }
}

fn describe(kind: &Kind) -> String {
    match kind {
        Kind::Word(word) => format!("'{word}'"),
        Kind::Call(text) => format!("'{text}'"),
        Kind::Number(value) => format!("the number {value}"),
        Kind::Compare(op) => format!("'{}'", op.symbol()),
        Kind::Open => "'('".into(),
        Kind::Close => "')'".into(),
        Kind::Comma => "','".into(),
        Kind::Dot => "'.'".into(),
    }
}

struct Parser {
    tokens: Vec<Token>,
    position: usize,
    end_column: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.position)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.position).cloned();
        self.position += 1;
        token
    }

    fn peek_word(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token { kind: Kind::Word(w), .. }) if w == word)
    }

    /// The column of the next token, or just past the end of the rule.
    fn column(&self) -> usize {
        self.peek().map_or(self.end_column, |t| t.column)
    }

    fn found(&self) -> String {
        self.peek()
            .map_or("the end of the rule".into(), |t| describe(&t.kind))
    }

    fn expect(&mut self, kind: Kind, what: &str) -> Result<(), AnalyticsError> {
        if self.peek().map(|t| &t.kind) == Some(&kind) {
            self.position += 1;
            Ok(())
        } else {
            Err(error_at(
                self.column(),
                format!("expected {what}, found {}", self.found()),
            ))
        }
    }

    fn or(&mut self) -> Result<Rule, AnalyticsError> {
        let mut rule = self.and()?;
        while self.peek_word("or") {
            self.position += 1;
            rule = Rule::Or(Box::new(rule), Box::new(self.and()?));
        }
        Ok(rule)
    }

    fn and(&mut self) -> Result<Rule, AnalyticsError> {
        let mut rule = self.not()?;
        while self.peek_word("and") {
            self.position += 1;
            rule = Rule::And(Box::new(rule), Box::new(self.not()?));
        }
        Ok(rule)
    }

    fn not(&mut self) -> Result<Rule, AnalyticsError> {
        if self.peek_word("not") {
            self.position += 1;
            return Ok(Rule::Not(Box::new(self.not()?)));
        }
        if matches!(
            self.peek(),
            Some(Token {
                kind: Kind::Open,
                ..
            })
        ) {
            self.position += 1;
            let rule = self.or()?;
            self.expect(Kind::Close, "')' to close the parenthesis")?;
            return Ok(rule);
        }
        for (word, above) in [("crosses_above", true), ("crosses_below", false)] {
            if self.peek_word(word) {
                self.position += 1;
                self.expect(Kind::Open, &format!("'(' after {word}"))?;
                let left = self.operand()?;
                self.expect(
                    Kind::Comma,
                    &format!("',' between the two series of {word}"),
                )?;
                let right = self.operand()?;
                self.expect(Kind::Close, &format!("')' to close {word}"))?;
                return Ok(Rule::Cross { above, left, right });
            }
        }
        let left = self.operand()?;
        let op = match self.peek() {
            Some(Token {
                kind: Kind::Compare(op),
                ..
            }) => *op,
            _ => {
                return Err(error_at(
                    self.column(),
                    format!(
                        "expected a comparison (< <= > >=) after {left}, found {}",
                        self.found()
                    ),
                ));
            }
        };
        self.position += 1;
        let right = self.operand()?;
        Ok(Rule::Compare { left, op, right })
    }

    fn operand(&mut self) -> Result<Operand, AnalyticsError> {
        let column = self.column();
        let expected = "a number, a column (open high low close volume) or an indicator";
        let token = match self.next() {
            Some(token) => token,
            None => {
                return Err(error_at(
                    column,
                    format!("expected {expected}, found the end of the rule"),
                ));
            }
        };
        let text = match token.kind {
            Kind::Number(value) => return Ok(Operand::Number(value)),
            Kind::Word(word) => {
                if let Some(column) = Column::from_word(&word) {
                    return Ok(Operand::Column(column));
                }
                if is_grammar_word(&word) {
                    return Err(error_at(
                        column,
                        format!("expected {expected}, found '{word}'"),
                    ));
                }
                word
            }
            Kind::Call(text) => text,
            other => {
                return Err(error_at(
                    column,
                    format!("expected {expected}, found {}", describe(&other)),
                ));
            }
        };
        let spec: IndicatorSpec = text
            .parse()
            .map_err(|e: AnalyticsError| error_at(column, e))?;
        let outputs = spec.outputs();
        let output = if matches!(
            self.peek(),
            Some(Token {
                kind: Kind::Dot,
                ..
            })
        ) {
            self.position += 1;
            let output_column = self.column();
            let name = match self.next() {
                Some(Token {
                    kind: Kind::Word(name),
                    ..
                }) => name,
                _ => {
                    return Err(error_at(
                        output_column,
                        format!("expected an output of {spec} after '.'"),
                    ));
                }
            };
            outputs.iter().position(|o| *o == name).ok_or_else(|| {
                error_at(
                    output_column,
                    format!(
                        "{spec} has no output '{name}'; its outputs are {}",
                        outputs.join(", ")
                    ),
                )
            })?
        } else if outputs.len() > 1 {
            return Err(error_at(
                column,
                format!(
                    "{spec} has several outputs; name one: {}",
                    outputs
                        .iter()
                        .map(|o| format!("{spec}.{o}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        } else {
            0
        };
        Ok(Operand::Indicator { spec, output })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Rule {
        text.parse()
            .unwrap_or_else(|e| panic!("{text} should parse: {e}"))
    }

    fn error(text: &str) -> String {
        match text.parse::<Rule>() {
            Ok(rule) => panic!("{text} should not parse, got {rule}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn and_binds_tighter_than_or_and_not_tightest() {
        assert_eq!(
            parse("close > 1 or close < 0 and not open >= 2").to_string(),
            "(close > 1 or (close < 0 and not open >= 2))"
        );
        assert_eq!(
            parse("(close > 1 or close < 0) and volume <= 5").to_string(),
            "((close > 1 or close < 0) and volume <= 5)"
        );
    }

    #[test]
    fn indicators_are_canonical_and_listed_once() {
        let rule = parse("crosses_above(SMA(10), sma(timeperiod=30)) and sma(10) > SMA ( 10 )");
        assert_eq!(
            rule.to_string(),
            "(crosses_above(sma(10), sma(30)) and sma(10) > sma(10))"
        );
        let names: Vec<String> = rule.indicators().iter().map(|s| s.to_string()).collect();
        assert_eq!(names, ["sma(10)", "sma(30)"]);
        assert_eq!(parse("rsi < 30").to_string(), "rsi(14) < 30");
    }

    #[test]
    fn multi_output_indicators_need_an_output() {
        assert_eq!(
            parse("macd(12,26,9).hist > 0").to_string(),
            "macd(12,26,9).hist > 0"
        );
        assert_eq!(
            parse("close < bbands(20, 2).lower").to_string(),
            "close < bbands(20,2,2).lower"
        );
        let message = error("macd(12,26,9) > 0");
        assert!(message.contains("column 1") && message.contains("macd(12,26,9).hist"));
        let message = error("close > macd.foo");
        assert!(
            message.starts_with("rule error at column 14: macd(12,26,9) has no output 'foo'"),
            "{message}"
        );
    }

    #[test]
    fn errors_name_the_column_of_the_problem() {
        assert_eq!(
            error("rsi(14) <"),
            "rule error at column 10: expected a number, a column (open high low close volume) \
             or an indicator, found the end of the rule"
        );
        assert!(error("close > rsi(0)").starts_with("rule error at column 9: rsi period"));
        assert!(error("close > 1 close").contains("column 11"));
        assert!(error("(close > 1").contains("column 11"));
        assert!(error("close and open").contains("column 7"));
        assert!(error("crosses_above(close open)").contains("column 21"));
        assert!(error("close > foo(3)").contains("unknown indicator 'foo'"));
        assert!(error("").contains("empty"));
        assert!(error("close > and").contains("found 'and'"));
    }
}
