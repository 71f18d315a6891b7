//! API Ninjas' Commodity Price API (`/v1/commodityprice`, `/v1/commoditypricehistorical`).
//!
//! The key travels in the `X-Api-Key` header. Errors are `{"error": "..."}` with a 400 for a bad
//! key as well as for a bad request, so the text is read before the status. The historical
//! endpoint's shape is known only from client code (UNCERTAIN): rows of
//! `{open, low, high, close, volume, time}` with `time` in unix seconds (`timestamp` accepted too).

use crate::classify::{self, mentions_any};
use crate::provider::{
    Capabilities, Limits, Outcome, ParseContext, Parsed, Provider, ProviderError, Quote, RateLimit,
    Request,
};
use crate::secret::{ApiKey, KeyPlacement};
use crate::series::{self, RawRow, parse_error};
use crate::sources::{DefaultHistory, SourceDescriptor};
use chrono::NaiveDate;
use serde_json::Value;
use store::Interval;

/// The source id.
pub const ID: &str = "api_ninjas";

/// The production base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.api-ninjas.com";

/// The header that carries the key.
pub const KEY_HEADER: &str = "X-Api-Key";

/// Where the key goes.
const KEY: KeyPlacement = KeyPlacement::Header(KEY_HEADER);

/// API Ninjas: the key in a header; no daily quota is documented (the free quota is monthly,
/// about 10,000 calls, UNCERTAIN, which a daily budget cannot express), so one call a second.
pub const DESCRIPTOR: SourceDescriptor = SourceDescriptor {
    id: ID,
    base_url: Some(DEFAULT_BASE_URL),
    key: Some(KEY),
    limits: Limits {
        rate_limit: Some(RateLimit::per_second(1)),
        daily_quota: None,
    },
    default_history: DefaultHistory::Months(12),
    earliest: crate::sources::PROVIDER_EARLIEST,
    simulated: false,
    provider: Some(|key| std::sync::Arc::new(ApiNinjas { api_key: key })),
};

const INTERVALS: [Interval; 1] = [Interval::Daily];

/// An API Ninjas client's pure half: requests, classification, parsing.
#[derive(Debug, Clone)]
pub struct ApiNinjas {
    api_key: ApiKey,
}

impl ApiNinjas {
    /// A client using `api_key` (sent in the `X-Api-Key` header).
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
}

/// Unix seconds at midnight UTC starting `date`.
fn midnight_utc_secs(date: NaiveDate) -> i64 {
    date.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp())
        .unwrap_or_default()
}

/// A row's time: `time` in the clients seen, `timestamp` in one of them.
fn row_time(row: &Value) -> Option<chrono::DateTime<chrono::Utc>> {
    series::unix_seconds(row.get("time")).or_else(|| series::unix_seconds(row.get("timestamp")))
}

impl Provider for ApiNinjas {
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
            list: false,
            intervals: &INTERVALS,
        }
    }

    fn build_latest_request(&self, code: &str) -> Result<Request, ProviderError> {
        Ok(self.signed(Request::get("/v1/commodityprice").with_query("name", code)))
    }

    /// One request for the whole range: no row cap is documented, and splitting blindly would
    /// spend a small monthly quota. `end` is the midnight after the last day, so the last day's
    /// bar is inside; the parser cuts anything past it.
    fn history_request(
        &self,
        code: &str,
        from: NaiveDate,
        to: NaiveDate,
        _interval: Interval,
    ) -> Result<Request, ProviderError> {
        let after_end = to.succ_opt().unwrap_or(to);
        Ok(Request::get("/v1/commoditypricehistorical")
            .with_query("name", code)
            .with_query("period", "1d")
            .with_query("start", midnight_utc_secs(from).to_string())
            .with_query("end", midnight_utc_secs(after_end).to_string()))
    }

    fn classify(&self, status: u16, headers: &[(String, String)], body: &[u8]) -> Outcome {
        let json = classify::read_json(body);
        let error_text = match &json {
            Ok(v) => classify::string_field(v, &["error", "message"]).map(str::to_string),
            Err(_) => None,
        };
        let message = match (&error_text, &json) {
            (Some(text), _) => self.api_key.scrub(text),
            (None, Err(_)) => classify::describe_non_json(body),
            (None, Ok(_)) => String::new(),
        };
        if let Some(outcome) = classify::outcome_from_status(status, headers, &message) {
            return outcome;
        }
        if error_text.is_some() {
            let text = message.to_ascii_lowercase();
            // Throttle texts may advertise premium plans, so they are recognised first.
            if mentions_any(&text, &["too many requests", "rate limit", "quota"]) {
                return Outcome::Throttled {
                    retry_after: classify::retry_after(headers),
                    quota_exhausted: mentions_any(&text, &["quota"]),
                    message,
                };
            }
            if mentions_any(
                &text,
                &[
                    "invalid api key",
                    "missing api key",
                    "api key is",
                    "no api key",
                ],
            ) {
                return Outcome::BadKey { message };
            }
            // The free tier rotates 7 commodities a week: a "premium" refusal means this code
            // is unavailable this week (or at all) on this key, not that the request is wrong.
            if mentions_any(&text, &["premium", "subscription", "upgrade"]) {
                return Outcome::Entitlement { message };
            }
            if status == 200 {
                return Outcome::BadRequest { message };
            }
        }
        if (400..500).contains(&status) {
            return classify::outcome_from_client_error(status, message);
        }
        let value = match json {
            Ok(v) => v,
            Err(malformed) => return malformed,
        };
        match &value {
            Value::Array(rows) if rows.is_empty() => Outcome::NoData,
            Value::Array(_) => Outcome::Data,
            Value::Object(map) if map.is_empty() => Outcome::NoData,
            Value::Object(map) if map.contains_key("price") => Outcome::Data,
            other => Outcome::Malformed {
                description: format!("{} without a price", series::kind(other)),
            },
        }
    }

    fn parse_history(&self, body: &[u8], ctx: &ParseContext) -> Result<Parsed, ProviderError> {
        let value = self.value(body)?;
        let rows = value
            .as_array()
            .ok_or_else(|| parse_error(ID, "expected an array of bars"))?;
        let raw = rows
            .iter()
            .map(|row| {
                let time = row_time(row).ok_or_else(|| parse_error(ID, "a bar has no time"))?;
                let num = |key: &str| series::number(row.get(key)).map_err(|e| parse_error(ID, e));
                Ok(RawRow {
                    date: time.date_naive(),
                    open: num("open")?,
                    high: num("high")?,
                    low: num("low")?,
                    close: num("close")?,
                    volume: num("volume")?,
                })
            })
            .collect::<Result<Vec<_>, ProviderError>>()?;
        Ok(series::collect(raw, ctx))
    }

    /// Reads the object `name=` returns, or the only element of the array `names=` returns.
    fn parse_latest(&self, body: &[u8], ctx: &ParseContext) -> Result<Quote, ProviderError> {
        let value = self.value(body)?;
        let row = match &value {
            Value::Array(rows) if rows.len() == 1 => &rows[0],
            Value::Array(_) => {
                return Err(parse_error(ID, "expected one commodity, found several"));
            }
            object => object,
        };
        let price = series::number(row.get("price"))
            .map_err(|e| parse_error(ID, e))?
            .ok_or_else(|| parse_error(ID, "the answer has no price"))?;
        Ok(Quote {
            code: ctx.code.clone(),
            price: price * ctx.scale,
            as_of: series::unix_seconds(row.get("updated")).or_else(|| row_time(row)),
            change: None,
            change_percent: None,
            volume: None,
            reported_currency: classify::string_field(row, &["currency_unit"]).map(str::to_string),
        })
    }
}
