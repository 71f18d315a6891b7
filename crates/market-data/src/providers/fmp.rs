//! Financial Modeling Prep's `/stable/` commodity endpoints: quote, end-of-day history and the
//! commodities list.
//!
//! Errors are `{"Error Message": ...}` objects where an array was expected, usually with a real
//! status (401, 402, 403, 429) but some reports saw them with 200, so the text decides first and
//! the status only when the text is not recognised. The legacy `/api/v3/` shapes are parsed too,
//! for replayed captures and old keys, but never requested.

use crate::classify::{self, mentions_any};
use crate::provider::{
    Capabilities, Limits, ListedCommodity, Outcome, ParseContext, Parsed, Provider, ProviderError,
    Quote, RateLimit, Request,
};
use crate::secret::{ApiKey, KeyPlacement};
use crate::series::{self, RawRow, parse_error};
use crate::sources::{DefaultHistory, SourceDescriptor};
use chrono::NaiveDate;
use serde_json::Value;
use store::Interval;

/// The source id.
pub const ID: &str = "fmp";

/// The production base URL.
pub const DEFAULT_BASE_URL: &str = "https://financialmodelingprep.com";

/// Where the key goes.
const KEY: KeyPlacement = KeyPlacement::Query("apikey");

/// Financial Modeling Prep: the key as `?apikey=`; the free plan allows 250 requests a day and
/// 5 a second, and keeps five years of end-of-day history.
pub const DESCRIPTOR: SourceDescriptor = SourceDescriptor {
    id: ID,
    base_url: Some(DEFAULT_BASE_URL),
    key: Some(KEY),
    limits: Limits {
        rate_limit: Some(RateLimit::per_second(5)),
        daily_quota: Some(250),
    },
    default_history: DefaultHistory::Months(60),
    earliest: crate::sources::PROVIDER_EARLIEST,
    simulated: false,
    provider: Some(|key| std::sync::Arc::new(Fmp { api_key: key })),
};

/// Rows an end-of-day history call returns at most.
pub const MAX_ROWS_PER_CALL: u32 = 5000;

/// Calendar days per history request. A day has at most one end-of-day row, so a chunk of
/// [`MAX_ROWS_PER_CALL`] calendar days can never hit the row cap, whatever the trading calendar.
pub const HISTORY_CHUNK_DAYS: u32 = MAX_ROWS_PER_CALL;

const INTERVALS: [Interval; 1] = [Interval::Daily];

/// Keys under which FMP (and proxies in front of it) put an error text.
const ERROR_KEYS: [&str; 3] = ["Error Message", "error", "message"];

/// An FMP client's pure half: requests, classification, parsing.
#[derive(Debug, Clone)]
pub struct Fmp {
    api_key: ApiKey,
}

impl Fmp {
    /// A client using `api_key` (sent as the `apikey` query parameter).
    pub fn new(api_key: impl Into<String>) -> Self {
        Self {
            api_key: ApiKey::new(api_key, KEY),
        }
    }

    fn signed(&self, request: Request) -> Request {
        self.api_key.sign(request)
    }

    fn value(&self, body: &[u8]) -> Result<Value, ProviderError> {
        serde_json::from_slice(body).map_err(|_| parse_error(ID, "the body is not JSON"))
    }

    /// The outcome of an error text, whatever the status it came with; `None` when the text is
    /// not one FMP is known to send.
    fn classify_error_text(
        &self,
        message: String,
        headers: &[(String, String)],
    ) -> Option<Outcome> {
        let text = message.to_ascii_lowercase();
        if mentions_any(
            &text,
            &["invalid api key", "apikey is invalid", "api key is missing"],
        ) {
            return Some(Outcome::BadKey { message });
        }
        // "Limit Reach ." (daily quota) and "Bandwidth Limit Reach ." (monthly bandwidth) both
        // mean the plan's allowance is spent; both also say "upgrade", so they come first.
        if mentions_any(&text, &["limit reach"]) {
            return Some(Outcome::Throttled {
                retry_after: classify::retry_after(headers),
                quota_exhausted: true,
                message,
            });
        }
        if mentions_any(
            &text,
            &[
                "legacy endpoint",
                "premium",
                "restricted endpoint",
                "subscription",
                "upgrade your plan",
            ],
        ) {
            return Some(Outcome::Entitlement { message });
        }
        None
    }
}

/// The rows of a history answer: a flat array (stable, full or light) or the legacy
/// `{"symbol", "historical": [...]}` object.
fn history_rows(value: &Value) -> Result<&[Value], ProviderError> {
    match value {
        Value::Array(rows) => Ok(rows),
        Value::Object(map) => match map.get("historical") {
            Some(Value::Array(rows)) => Ok(rows),
            // The legacy API answers an unknown symbol with `{}`.
            None if map.is_empty() => Ok(&[]),
            _ => Err(parse_error(ID, "expected an array or a `historical` array")),
        },
        other => Err(parse_error(
            ID,
            format!("expected an array, found {}", series::kind(other)),
        )),
    }
}

/// One history row: `close` in the full shape, `price` in the light one.
fn raw_row(row: &Value) -> Result<RawRow, String> {
    let date = series::date(row.get("date"))?;
    let close_field = if row.get("close").is_some() {
        "close"
    } else {
        "price"
    };
    Ok(RawRow {
        date,
        open: series::number(row.get("open"))?,
        high: series::number(row.get("high"))?,
        low: series::number(row.get("low"))?,
        close: series::number(row.get(close_field))?,
        volume: series::number(row.get("volume"))?,
    })
}

/// The quote currency FMP encodes in a code's suffix: `GCUSD` is in dollars, `HEUSX` in cents.
fn currency_of_code(code: &str) -> Option<String> {
    let upper = code.to_ascii_uppercase();
    ["USX", "USD"]
        .into_iter()
        .find(|suffix| upper.ends_with(suffix))
        .map(str::to_string)
}

impl Provider for Fmp {
    fn descriptor(&self) -> &'static SourceDescriptor {
        &DESCRIPTOR
    }

    fn api_key(&self) -> &ApiKey {
        &self.api_key
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            latest: true,
            history: true,
            list: true,
            intervals: &INTERVALS,
        }
    }

    fn build_latest_request(&self, code: &str) -> Result<Request, ProviderError> {
        Ok(self.signed(Request::get("/stable/quote").with_query("symbol", code)))
    }

    /// End-of-day history in chunks of [`HISTORY_CHUNK_DAYS`], oldest first. Intraday charts
    /// exist but are not on the free plan, so only daily is offered.
    fn history_chunk_days(&self) -> Option<u32> {
        Some(HISTORY_CHUNK_DAYS)
    }

    fn history_request(
        &self,
        code: &str,
        from: NaiveDate,
        to: NaiveDate,
        _interval: Interval,
    ) -> Result<Request, ProviderError> {
        Ok(Request::get("/stable/historical-price-eod/full")
            .with_query("symbol", code)
            .with_query("from", from.to_string())
            .with_query("to", to.to_string()))
    }

    fn build_list_request(&self) -> Result<Request, ProviderError> {
        Ok(self.signed(Request::get("/stable/commodities-list")))
    }

    fn classify(&self, status: u16, headers: &[(String, String)], body: &[u8]) -> Outcome {
        let json = classify::read_json(body);
        let error_text = match &json {
            Ok(v) => classify::string_field(v, &ERROR_KEYS).map(str::to_string),
            // A 402 has been seen as plain text ("Premium Query Parameter: ..."); an HTML page
            // is described rather than quoted.
            Err(_) if status != 200 && !body.trim_ascii_start().starts_with(b"<") => {
                Some(classify::body_text(body))
            }
            Err(_) => None,
        };
        if let Some(text) = error_text {
            let message = self.api_key.scrub(&text);
            if let Some(outcome) = self.classify_error_text(message.clone(), headers) {
                return outcome;
            }
            if let Some(outcome) = classify::outcome_from_status(status, headers, &message) {
                return outcome;
            }
            return classify::outcome_from_client_error(status, message);
        }
        if status != 200 {
            let message = classify::describe_non_json(body);
            if let Some(outcome) = classify::outcome_from_status(status, headers, &message) {
                return outcome;
            }
            if (400..500).contains(&status) {
                return classify::outcome_from_client_error(status, message);
            }
        }
        let value = match json {
            Ok(v) => v,
            Err(malformed) => return malformed,
        };
        match &value {
            Value::Array(rows) if rows.is_empty() => Outcome::NoData,
            Value::Array(_) => Outcome::Data,
            Value::Object(map) if map.is_empty() => Outcome::NoData,
            Value::Object(map) => match map.get("historical") {
                Some(Value::Array(rows)) if rows.is_empty() => Outcome::NoData,
                Some(Value::Array(_)) => Outcome::Data,
                _ => Outcome::Malformed {
                    description: "a JSON object where an array was expected".to_string(),
                },
            },
            other => Outcome::Malformed {
                description: format!("{} where an array was expected", series::kind(other)),
            },
        }
    }

    fn parse_history(&self, body: &[u8], ctx: &ParseContext) -> Result<Parsed, ProviderError> {
        let value = self.value(body)?;
        let rows = history_rows(&value)?
            .iter()
            .map(|row| raw_row(row).map_err(|e| parse_error(ID, e)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(series::collect(rows, ctx))
    }

    /// Reads a stable `quote` or `quote-short` answer (or a legacy v3 one): the row for the
    /// context's code, or the only row.
    fn parse_latest(&self, body: &[u8], ctx: &ParseContext) -> Result<Quote, ProviderError> {
        let value = self.value(body)?;
        let rows: &[Value] = match &value {
            Value::Array(rows) => rows,
            single @ Value::Object(_) => std::slice::from_ref(single),
            _ => return Err(parse_error(ID, "expected an array of quotes")),
        };
        let row = rows
            .iter()
            .find(|r| {
                r.get("symbol")
                    .and_then(Value::as_str)
                    .is_some_and(|s| s.eq_ignore_ascii_case(&ctx.code))
            })
            .or(if rows.len() == 1 { rows.first() } else { None })
            .ok_or_else(|| parse_error(ID, format!("no quote for {}", ctx.code)))?;
        let num = |key: &str| series::number(row.get(key)).map_err(|e| parse_error(ID, e));
        let price = num("price")?.ok_or_else(|| parse_error(ID, "the quote has no price"))?;
        // The stable API says `changePercentage`, the legacy one `changesPercentage`.
        let change_percent = match num("changePercentage")? {
            Some(p) => Some(p),
            None => num("changesPercentage")?,
        };
        Ok(Quote {
            code: ctx.code.clone(),
            price: price * ctx.scale,
            as_of: series::unix_seconds(row.get("timestamp")),
            change: num("change")?.map(|c| c * ctx.scale),
            change_percent,
            volume: num("volume")?,
            reported_currency: currency_of_code(&ctx.code),
        })
    }

    fn parse_list(&self, body: &[u8]) -> Result<Vec<ListedCommodity>, ProviderError> {
        let value = self.value(body)?;
        let rows = value
            .as_array()
            .ok_or_else(|| parse_error(ID, "expected an array of commodities"))?;
        rows.iter()
            .map(|row| {
                let code = classify::string_field(row, &["symbol"])
                    .ok_or_else(|| parse_error(ID, "a commodity has no symbol"))?;
                Ok(ListedCommodity {
                    code: code.to_string(),
                    name: classify::string_field(row, &["name"])
                        .unwrap_or(code)
                        .to_string(),
                    currency: classify::string_field(row, &["currency"])
                        .map(str::to_string)
                        .or_else(|| currency_of_code(code)),
                })
            })
            .collect()
    }
}
