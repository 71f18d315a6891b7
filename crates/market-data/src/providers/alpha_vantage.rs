//! Alpha Vantage's commodity functions (`/query?function=WTI|BRENT|...|GOLD_SILVER_*`).
//!
//! Every answer comes with HTTP 200, throttles and bad keys included, so [`AlphaVantage::classify`]
//! reads the body's `Error Message`, `Information` and `Note` texts before anything else. The
//! commodity series have no start/end parameters: a history request returns the whole series and
//! the parser cuts it to the [`ParseContext`]'s range.

use crate::classify::{self, mentions_any};
use crate::provider::{
    Capabilities, Limits, Outcome, ParseContext, Parsed, Provider, ProviderError, Quote, RateLimit,
    Request,
};
use crate::secret::{ApiKey, KeyPlacement};
use crate::series::{self, RawRow, parse_error};
use crate::sources::{DefaultHistory, SourceDescriptor};
use chrono::{NaiveDate, NaiveDateTime};
use serde_json::Value;
use store::Interval;

/// The source id.
pub const ID: &str = "alpha_vantage";

/// The production base URL; requests go to `{base_url}/query`.
pub const DEFAULT_BASE_URL: &str = "https://www.alphavantage.co";

/// Where the key goes.
const KEY: KeyPlacement = KeyPlacement::Query("apikey");

/// Alpha Vantage: the key as `?apikey=`; the free tier allows 25 requests a day and one a
/// second, and a history call returns the whole series, so a fetch asks for everything.
pub const DESCRIPTOR: SourceDescriptor = SourceDescriptor {
    id: ID,
    base_url: Some(DEFAULT_BASE_URL),
    key: Some(KEY),
    limits: Limits {
        rate_limit: Some(RateLimit::per_second(1)),
        daily_quota: Some(25),
    },
    default_history: DefaultHistory::Everything,
    earliest: crate::sources::PROVIDER_EARLIEST,
    simulated: false,
    provider: Some(|key| std::sync::Arc::new(AlphaVantage { api_key: key })),
};

/// The only path Alpha Vantage serves: the function is a query parameter.
const PATH: &str = "/query";

/// Functions with daily, weekly and monthly series (energy).
const DAILY_FUNCTIONS: [&str; 3] = ["WTI", "BRENT", "NATURAL_GAS"];

/// Codes answered by `GOLD_SILVER_SPOT` / `GOLD_SILVER_HISTORY` (its `symbol` parameter).
const GOLD_SILVER_CODES: [&str; 4] = ["GOLD", "XAU", "SILVER", "XAG"];

const ENERGY_INTERVALS: [Interval; 3] = [Interval::Daily, Interval::Weekly, Interval::Monthly];
const GLOBAL_PRICE_INTERVALS: [Interval; 3] =
    [Interval::Monthly, Interval::Quarterly, Interval::Annual];
const ALL_INTERVALS: [Interval; 5] = [
    Interval::Daily,
    Interval::Weekly,
    Interval::Monthly,
    Interval::Quarterly,
    Interval::Annual,
];

/// The keys under which Alpha Vantage puts errors and notices instead of data.
const NOTICE_KEYS: [&str; 3] = ["Error Message", "Information", "Note"];

/// An Alpha Vantage client's pure half: requests, classification, parsing.
#[derive(Debug, Clone)]
pub struct AlphaVantage {
    api_key: ApiKey,
}

impl AlphaVantage {
    /// A client using `api_key` (sent as the `apikey` query parameter).
    pub fn new(api_key: impl Into<String>) -> Self {
        Self {
            api_key: ApiKey::new(api_key, KEY),
        }
    }

    fn is_gold_silver(code: &str) -> bool {
        GOLD_SILVER_CODES
            .iter()
            .any(|c| c.eq_ignore_ascii_case(code))
    }

    fn request(&self, function: &str) -> Request {
        Request::get(PATH).with_query("function", function)
    }

    fn signed(&self, request: Request) -> Request {
        self.api_key.sign(request.with_query("datatype", "json"))
    }

    fn value(&self, body: &[u8]) -> Result<Value, ProviderError> {
        serde_json::from_slice(body).map_err(|_| parse_error(ID, "the body is not JSON"))
    }
}

/// What an Alpha Vantage notice text means, by its wording (the key it came under is not
/// reliable: the bad-key text has been seen under `Information`, the daily cap under `Note`).
fn classify_notice(key: &str, message: String) -> Outcome {
    let text = message.to_ascii_lowercase();
    if mentions_any(
        &text,
        &[
            "apikey is invalid",
            "invalid api key",
            "apikey is missing",
            "invalid apikey",
        ],
    ) {
        return Outcome::BadKey { message };
    }
    // The burst text also mentions "25 requests per day", so it must be recognised first.
    if mentions_any(&text, &["sparingly", "per second"]) {
        return throttled(false, message);
    }
    if mentions_any(&text, &["call frequency", "per minute"]) {
        return throttled(false, message);
    }
    if mentions_any(&text, &["per day", "daily rate limit", "daily limit"]) {
        return throttled(true, message);
    }
    if mentions_any(&text, &["rate limit"]) {
        return throttled(false, message);
    }
    // Throttle texts advertise the premium plans too, so "premium" is only read after them.
    if mentions_any(&text, &["premium"]) {
        return Outcome::Entitlement { message };
    }
    if key == "Error Message" {
        return Outcome::BadRequest { message };
    }
    Outcome::Malformed {
        description: format!("an unrecognised notice: {message}"),
    }
}

fn throttled(quota_exhausted: bool, message: String) -> Outcome {
    Outcome::Throttled {
        retry_after: None,
        quota_exhausted,
        message,
    }
}

/// The rows of a `{"data": [{"date", "value"|"price"}]}` series. `GOLD_SILVER_HISTORY` is
/// thought to say `price` where the commodity functions say `value` (UNCERTAIN), so either is
/// read, `value` first.
fn raw_rows(value: &Value) -> Result<Vec<RawRow>, ProviderError> {
    let data = value
        .get("data")
        .and_then(Value::as_array)
        .ok_or_else(|| parse_error(ID, "expected a `data` array"))?;
    data.iter()
        .map(|row| {
            let date = series::date(row.get("date")).map_err(|e| parse_error(ID, e))?;
            let field = if row.get("value").is_some() {
                "value"
            } else {
                "price"
            };
            let close = series::number(row.get(field)).map_err(|e| parse_error(ID, e))?;
            Ok(RawRow::close_only(date, close))
        })
        .collect()
}

/// The spot quote's time: `"2025-06-13 20:59:47"` in the only mock seen (zone unknown, read as
/// UTC), or unix seconds defensively.
fn spot_time(value: Option<&Value>) -> Option<chrono::DateTime<chrono::Utc>> {
    if let Some(s) = value.and_then(Value::as_str)
        && let Ok(t) = NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M:%S")
    {
        return Some(t.and_utc());
    }
    if let Some(s) = value.and_then(Value::as_str)
        && let Ok(d) = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
    {
        return d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    }
    series::unix_seconds(value)
}

impl Provider for AlphaVantage {
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
            intervals: &ALL_INTERVALS,
        }
    }

    /// Energy and gold/silver offer daily, weekly and monthly; the IMF-style global prices
    /// (metals, crops, `ALL_COMMODITIES`) monthly, quarterly and annual.
    fn intervals_for(&self, code: &str) -> Vec<Interval> {
        let upper = code.to_ascii_uppercase();
        if DAILY_FUNCTIONS.contains(&upper.as_str()) || Self::is_gold_silver(code) {
            ENERGY_INTERVALS.to_vec()
        } else {
            GLOBAL_PRICE_INTERVALS.to_vec()
        }
    }

    /// Gold and silver have a spot function; the other series have no quote, so their latest
    /// request is the finest series, whose newest row is the latest price.
    fn build_latest_request(&self, code: &str) -> Result<Request, ProviderError> {
        let request = if Self::is_gold_silver(code) {
            self.request("GOLD_SILVER_SPOT")
                .with_query("symbol", code.to_ascii_uppercase())
        } else {
            let finest = self.intervals_for(code)[0];
            self.request(&code.to_ascii_uppercase())
                .with_query("interval", finest.as_str())
        };
        Ok(self.signed(request))
    }

    /// One request whatever the range: Alpha Vantage returns the whole series.
    fn history_request(
        &self,
        code: &str,
        _from: NaiveDate,
        _to: NaiveDate,
        interval: Interval,
    ) -> Result<Request, ProviderError> {
        let request = if Self::is_gold_silver(code) {
            self.request("GOLD_SILVER_HISTORY")
                .with_query("symbol", code.to_ascii_uppercase())
        } else {
            self.request(&code.to_ascii_uppercase())
        };
        Ok(request
            .with_query("interval", interval.as_str())
            .with_query("datatype", "json"))
    }

    fn classify(&self, status: u16, headers: &[(String, String)], body: &[u8]) -> Outcome {
        let json = classify::read_json(body);
        // Alpha Vantage itself always answers 200; another status comes from a proxy or an
        // outage page, and the status says more than the body.
        if status != 200 {
            let message = match &json {
                Ok(v) => classify::string_field(v, &NOTICE_KEYS)
                    .unwrap_or("")
                    .to_string(),
                Err(_) => classify::describe_non_json(body),
            };
            let message = self.api_key.scrub(&message);
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
        for key in NOTICE_KEYS {
            if let Some(text) = value.get(key).and_then(Value::as_str) {
                // A notice beside real data (not seen, but harmless) does not hide the data.
                if value.get("data").is_some_and(Value::is_array) {
                    break;
                }
                return classify_notice(key, self.api_key.scrub(text));
            }
        }
        match value.get("data") {
            Some(Value::Array(rows)) if rows.is_empty() => Outcome::NoData,
            Some(Value::Array(_)) => Outcome::Data,
            _ if value.get("price").is_some() || value.get("value").is_some() => Outcome::Data,
            _ if value.as_object().is_some_and(|o| o.is_empty()) => Outcome::NoData,
            _ => Outcome::Malformed {
                description: "JSON with neither `data`, a price, nor an error message".to_string(),
            },
        }
    }

    fn parse_history(&self, body: &[u8], ctx: &ParseContext) -> Result<Parsed, ProviderError> {
        let value = self.value(body)?;
        Ok(series::collect(raw_rows(&value)?, ctx))
    }

    /// Reads a `GOLD_SILVER_SPOT` answer, or the newest non-missing row of a series.
    fn parse_latest(&self, body: &[u8], ctx: &ParseContext) -> Result<Quote, ProviderError> {
        let value = self.value(body)?;
        if value.get("data").is_some() {
            let parsed = series::collect(raw_rows(&value)?, ctx);
            let bar = parsed
                .bars
                .last()
                .ok_or_else(|| parse_error(ID, "the series has no value"))?;
            return Ok(Quote {
                code: ctx.code.clone(),
                price: bar.close,
                as_of: bar.date.and_hms_opt(0, 0, 0).map(|t| t.and_utc()),
                change: None,
                change_percent: None,
                volume: None,
                reported_currency: None,
            });
        }
        let field = if value.get("price").is_some() {
            "price"
        } else {
            "value"
        };
        let price = series::number(value.get(field))
            .map_err(|e| parse_error(ID, e))?
            .ok_or_else(|| parse_error(ID, "the spot price is missing"))?;
        Ok(Quote {
            code: ctx.code.clone(),
            price: price * ctx.scale,
            as_of: spot_time(value.get("timestamp")),
            change: None,
            change_percent: None,
            volume: None,
            reported_currency: None,
        })
    }
}
