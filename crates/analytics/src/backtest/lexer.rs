//! Tokens of the rule language, each with the column where it starts.
//!
//! An indicator call such as `bbands(20, nbdevdn=1.5)` is one token holding its raw text, so
//! that its arguments are read by the indicator spec parser and nowhere else; only
//! `crosses_above` and `crosses_below` open a parenthesis the rule grammar itself reads.

use crate::AnalyticsError;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// `<`
    Less,
    /// `<=`
    LessEqual,
    /// `>`
    Greater,
    /// `>=`
    GreaterEqual,
}

impl Comparison {
    /// The operator as written in a rule.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::Less => "<",
            Comparison::LessEqual => "<=",
            Comparison::Greater => ">",
            Comparison::GreaterEqual => ">=",
        }
    }
}

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Kind {
    /// A bare word: a keyword, a column, `crosses_above`, an indicator without parentheses or
    /// an output name after a dot.
    Word(String),
    /// A word directly followed by a parenthesised argument list: an indicator call, kept as
    /// written (`macd(12,26,9)`).
    Call(String),
    Number(f64),
    Compare(Comparison),
    Open,
    Close,
    Comma,
    Dot,
}

/// One token and the 1-based column (in characters) where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token {
    pub kind: Kind,
    pub column: usize,
}

/// The error for a rule, naming the column.
pub(super) fn error_at(column: usize, message: impl std::fmt::Display) -> AnalyticsError {
    AnalyticsError::InvalidParameter(format!("rule error at column {column}: {message}"))
}

/// Words that open a parenthesis the rule grammar reads itself.
pub(super) fn is_grammar_word(word: &str) -> bool {
    matches!(
        word,
        "crosses_above" | "crosses_below" | "and" | "or" | "not"
    )
}

/// Splits `rule` into tokens.
pub(super) fn tokenize(rule: &str) -> Result<Vec<Token>, AnalyticsError> {
    let chars: Vec<char> = rule.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let single = match c {
            '(' => Some(Kind::Open),
            ')' => Some(Kind::Close),
            ',' => Some(Kind::Comma),
            '.' if !chars.get(i + 1).is_some_and(char::is_ascii_digit) => Some(Kind::Dot),
            _ => None,
        };
        if let Some(kind) = single {
            tokens.push(Token { kind, column });
            i += 1;
            continue;
        }
        if c == '<' || c == '>' {
            let equal = chars.get(i + 1) == Some(&'=');
            let comparison = match (c, equal) {
                ('<', false) => Comparison::Less,
                ('<', true) => Comparison::LessEqual,
                ('>', false) => Comparison::Greater,
                _ => Comparison::GreaterEqual,
            };
            tokens.push(Token {
                kind: Kind::Compare(comparison),
                column,
            });
            i += if equal { 2 } else { 1 };
            continue;
        }
        if c.is_ascii_digit() || c == '.' || ((c == '-' || c == '+') && starts_number(&chars, i)) {
            let start = i;
            i += 1;
            while i < chars.len() {
                let d = chars[i];
                let exponent_sign = (d == '-' || d == '+') && matches!(chars[i - 1], 'e' | 'E');
                if d.is_ascii_digit() || d == '.' || d == 'e' || d == 'E' || exponent_sign {
                    i += 1;
                } else {
                    break;
                }
            }
            let text: String = chars[start..i].iter().collect();
            let value: f64 = text
                .parse()
                .map_err(|_| error_at(column, format!("'{text}' is not a number")))?;
            if !value.is_finite() {
                return Err(error_at(column, format!("'{text}' is not a finite number")));
            }
            tokens.push(Token {
                kind: Kind::Number(value),
                column,
            });
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect::<String>().to_lowercase();
            let mut next = i;
            while next < chars.len() && chars[next].is_whitespace() {
                next += 1;
            }
            if chars.get(next) == Some(&'(') && !is_grammar_word(&word) {
                let close = matching_parenthesis(&chars, next).ok_or_else(|| {
                    error_at(
                        next + 1,
                        format!("the parenthesis after '{word}' is never closed"),
                    )
                })?;
                let text: String = chars[start..=close].iter().collect();
                tokens.push(Token {
                    kind: Kind::Call(text),
                    column,
                });
                i = close + 1;
            } else {
                tokens.push(Token {
                    kind: Kind::Word(word),
                    column,
                });
            }
            continue;
        }
        if c == '=' || c == '!' {
            return Err(error_at(
                column,
                format!("'{c}' is not an operator; comparisons are < <= > >="),
            ));
        }
        return Err(error_at(column, format!("unexpected character '{c}'")));
    }
    Ok(tokens)
}

/// A sign starts a number when a digit (or a dot and a digit) follows it.
fn starts_number(chars: &[char], sign: usize) -> bool {
    match chars.get(sign + 1) {
        Some(d) if d.is_ascii_digit() => true,
        Some('.') => chars.get(sign + 2).is_some_and(char::is_ascii_digit),
        _ => false,
    }
}

fn matching_parenthesis(chars: &[char], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (offset, &c) in chars[open..].iter().enumerate() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + offset);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(rule: &str) -> Vec<Kind> {
        tokenize(rule)
            .unwrap()
            .into_iter()
            .map(|t| t.kind)
            .collect()
    }

    #[test]
    fn indicator_calls_are_one_token_with_their_column() {
        let tokens = tokenize("  macd(12, 26,9).hist <= -0.5").unwrap();
        assert_eq!(tokens[0].kind, Kind::Call("macd(12, 26,9)".into()));
        assert_eq!(tokens[0].column, 3);
        assert_eq!(tokens[1].kind, Kind::Dot);
        assert_eq!(tokens[2].kind, Kind::Word("hist".into()));
        assert_eq!(tokens[3].kind, Kind::Compare(Comparison::LessEqual));
        assert_eq!(tokens[4].kind, Kind::Number(-0.5));
        assert_eq!(tokens[4].column, 26);
    }

    #[test]
    fn grammar_words_keep_their_parenthesis() {
        assert_eq!(
            kinds("not (close>1e2)"),
            vec![
                Kind::Word("not".into()),
                Kind::Open,
                Kind::Word("close".into()),
                Kind::Compare(Comparison::Greater),
                Kind::Number(100.0),
                Kind::Close,
            ]
        );
        assert_eq!(
            kinds("CROSSES_ABOVE(")[0],
            Kind::Word("crosses_above".into())
        );
    }

    #[test]
    fn errors_name_the_column() {
        let message = tokenize("close = 3").unwrap_err().to_string();
        assert!(message.starts_with("rule error at column 7:"), "{message}");
        let message = tokenize("rsi(14 < 3").unwrap_err().to_string();
        assert!(message.contains("column 4") && message.contains("never closed"));
        let message = tokenize("close > 3 # x").unwrap_err().to_string();
        assert!(message.contains("column 11"), "{message}");
    }
}
