//! The messages of `/ws/data`, as SPEC states them: what the server sends and what a client may
//! send back.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An update published to every instance's clients (through Redis when configured).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Update {
    /// A new price of one series.
    PriceUpdate {
        /// The source id (`demo`, `fmp`...).
        source: String,
        /// Our symbol (`GOLD`).
        symbol: String,
        /// The price, in the series' unit (USD).
        price: f64,
        /// Change since the previous close, when known.
        change: Option<f64>,
        /// Change since the previous close in percent, when known.
        change_pct: Option<f64>,
        /// When the update was published (RFC 3339, UTC): the delay a client sees is now − ts.
        ts: DateTime<Utc>,
    },
    /// New metrics of a saved portfolio one of whose assets moved.
    PortfolioUpdate {
        /// The saved portfolio's id.
        portfolio_id: i64,
        /// The same object `POST /api/v1/portfolio/metrics` answers for its assets.
        metrics: serde_json::Value,
    },
}

impl Update {
    /// The symbol a price update is about; `None` for updates every client gets.
    pub fn symbol(&self) -> Option<&str> {
        match self {
            Update::PriceUpdate { symbol, .. } => Some(symbol),
            Update::PortfolioUpdate { .. } => None,
        }
    }
}

/// What the server says on its own to one client.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Notice {
    /// Sent every `live.heartbeat_secs`, so clients and proxies know the connection is alive.
    Heartbeat {
        /// When it was sent.
        ts: DateTime<Utc>,
    },
    /// The filter a `subscribe` set: from now on only these symbols' price updates are sent.
    Subscribed {
        /// The symbols, upper-cased, sorted.
        symbols: Vec<String>,
    },
    /// A client message could not be understood; the connection stays open.
    Error {
        /// What was wrong, in a sentence.
        error: String,
    },
}

impl Notice {
    /// The JSON text of the notice.
    pub fn to_json(&self) -> String {
        // Serialising these plain structs cannot fail; an empty object is a harmless fallback.
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_string())
    }
}

/// Most symbols one `subscribe` may name.
pub const MAX_SUBSCRIBED_SYMBOLS: usize = 500;
/// Longest symbol accepted, in characters.
const MAX_SYMBOL_CHARS: usize = 64;

/// A message a client may send.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientCommand {
    /// `{"action":"subscribe","symbols":[...]}`: only these symbols' price updates from now on.
    Subscribe(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCommand {
    action: String,
    #[serde(default)]
    symbols: Option<Vec<String>>,
}

impl ClientCommand {
    /// Reads a client's text message; the error is a sentence to send back.
    pub fn parse(text: &str) -> Result<Self, String> {
        let raw: RawCommand = serde_json::from_str(text).map_err(|e| {
            format!(
                "cannot read the message ({e}): expected {{\"action\":\"subscribe\",\"symbols\":[\"GOLD\", ...]}}"
            )
        })?;
        match raw.action.as_str() {
            "subscribe" => {
                let symbols = raw
                    .symbols
                    .ok_or("subscribe needs `symbols`, a list of symbols such as [\"GOLD\"]")?;
                if symbols.is_empty() {
                    return Err("subscribe needs at least one symbol".to_string());
                }
                if symbols.len() > MAX_SUBSCRIBED_SYMBOLS {
                    return Err(format!(
                        "subscribe takes at most {MAX_SUBSCRIBED_SYMBOLS} symbols"
                    ));
                }
                let mut tidy = Vec::with_capacity(symbols.len());
                for symbol in symbols {
                    let symbol = symbol.trim().to_ascii_uppercase();
                    if symbol.is_empty() || symbol.chars().count() > MAX_SYMBOL_CHARS {
                        return Err(format!(
                            "each symbol must have 1 to {MAX_SYMBOL_CHARS} characters"
                        ));
                    }
                    tidy.push(symbol);
                }
                tidy.sort();
                tidy.dedup();
                Ok(ClientCommand::Subscribe(tidy))
            }
            other => Err(format!(
                "unknown action '{}': expected subscribe",
                other.chars().take(MAX_SYMBOL_CHARS).collect::<String>()
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn price_update_has_specs_keys() {
        let update = Update::PriceUpdate {
            source: "demo".into(),
            symbol: "GOLD".into(),
            price: 2000.5,
            change: Some(1.5),
            change_pct: Some(0.075),
            ts: "2026-11-25T10:00:00Z".parse().unwrap(),
        };
        let json: serde_json::Value = serde_json::to_value(&update).unwrap();
        let mut keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "change",
                "change_pct",
                "price",
                "source",
                "symbol",
                "ts",
                "type"
            ]
        );
        assert_eq!(json["type"], "price_update");
        let back: Update = serde_json::from_value(json).unwrap();
        assert_eq!(back, update);
    }

    #[test]
    fn portfolio_update_has_specs_keys() {
        let update = Update::PortfolioUpdate {
            portfolio_id: 7,
            metrics: serde_json::json!({"sharpe_ratio": 1.0}),
        };
        let json = serde_json::to_value(&update).unwrap();
        assert_eq!(json["type"], "portfolio_update");
        assert_eq!(json["portfolio_id"], 7);
        assert_eq!(json["metrics"]["sharpe_ratio"], 1.0);
    }

    #[test]
    fn subscribe_is_upper_cased_sorted_and_deduplicated() {
        assert_eq!(
            ClientCommand::parse(r#"{"action":"subscribe","symbols":["wti"," GOLD","Wti"]}"#),
            Ok(ClientCommand::Subscribe(vec!["GOLD".into(), "WTI".into()]))
        );
    }

    #[test]
    fn bad_messages_get_a_sentence() {
        for (text, expected) in [
            ("not json", "cannot read the message"),
            (r#"{"action":"dance"}"#, "unknown action 'dance'"),
            (r#"{"action":"subscribe"}"#, "needs `symbols`"),
            (
                r#"{"action":"subscribe","symbols":[]}"#,
                "at least one symbol",
            ),
            (
                r#"{"action":"subscribe","symbols":[""]}"#,
                "1 to 64 characters",
            ),
            (r#"{"action":"subscribe","symbols":"GOLD"}"#, "cannot read"),
        ] {
            let error = ClientCommand::parse(text).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }
}
