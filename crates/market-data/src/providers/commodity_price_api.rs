//! CommodityPriceAPI v2 (`/rates/latest`, `/rates/time-series`, `/rates/historical`).
//!
//! The key is accepted as the `apiKey` query parameter or the `x-api-key` header; we send the
//! header so the key never sits in a URL that a proxy or access log could keep. Every body
//! carries `success`, which is checked even on HTTP 200. Time series span at most 30 days a call.

use crate::classify::{self, mentions_any};
use crate::provider::{
    Capabilities, Limits, Outcome, ParseContext, Parsed, Provider, ProviderError, Quote, RateLimit,
    Request,
};
use crate::secret::{ApiKey, KeyPlacement};
use crate::series::{self, RawRow, parse_error};
use crate::sources::{DefaultHistory, SourceDescriptor};
use chrono::NaiveDate;
use serde_json::{Map, Value};
use store::Interval;

/// The source id.
pub const ID: &str = "commodity_price_api";

/// The production base URL (v2); paths are relative to it.
pub const DEFAULT_BASE_URL: &str = "https://api.commoditypriceapi.com/v2";

/// The header that carries the key.
pub const KEY_HEADER: &str = "x-api-key";

/// Where the key goes.
const KEY: KeyPlacement = KeyPlacement::Header(KEY_HEADER);

/// CommodityPriceAPI: the key in a header; limits depend on the plan and are counted by month
/// (the trial: 2,000 requests in 7 days), so no daily default, one call a second; a call covers
/// 30 days, so a fetch without a start date asks for one month.
pub const DESCRIPTOR: SourceDescriptor = SourceDescriptor {
    id: ID,
    base_url: Some(DEFAULT_BASE_URL),
    key: Some(KEY),
    limits: Limits {
        rate_limit: Some(RateLimit::per_second(1)),
        daily_quota: None,
    },
    default_history: DefaultHistory::Months(1),
    earliest: crate::sources::date(1990, 1, 1),
    simulated: false,
    provider: Some(|key| std::sync::Arc::new(CommodityPriceApi { api_key: key })),
};

/// Days a time-series call may span. The docs say "at most 30 days apart"; reading it as 30
/// days inclusive (end = start + 29) is one day short of the other reading, and never refused.
pub const TIME_SERIES_MAX_DAYS: u32 = 30;

const INTERVALS: [Interval; 1] = [Interval::Daily];

/// A CommodityPriceAPI client's pure half: requests, classification, parsing.
#[derive(Debug, Clone)]
pub struct CommodityPriceApi {
    api_key: ApiKey,
}

impl CommodityPriceApi {
    /// A client using `api_key` (sent in the `x-api-key` header).
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

    /// The request for one day's OHLC (`/rates/historical`), which answers with the nearest
    /// available date when the day itself has none.
    pub fn build_day_request(&self, code: &str, date: NaiveDate) -> Request {
        self.signed(
            Request::get("/rates/historical")
                .with_query("symbols", code)
                .with_query("date", date.to_string()),
        )
    }
}

/// The outcome of a failure, from the status the body states (`statusCode`) or else the HTTP one.
fn failure(status: u16, headers: &[(String, String)], message: String) -> Outcome {
    let text = message.to_ascii_lowercase();
    if let Some(outcome) = classify::outcome_from_status(status, headers, &message) {
        return outcome;
    }
    match status {
        // 402 is the documented "quota exhausted": the plan's monthly allowance is spent.
        402 => Outcome::Throttled {
            retry_after: classify::retry_after(headers),
            quota_exhausted: true,
            message,
        },
        // 403 is both "invalid key" and "no permission" in the docs; the text tells them apart.
        403 if mentions_any(&text, &["plan", "permission", "upgrade", "not available"]) => {
            Outcome::Entitlement { message }
        }
        404 if mentions_any(&text, &["symbol"]) || message.is_empty() => {
            Outcome::UnknownSymbol { message }
        }
        400..=499 => classify::outcome_from_client_error(status, message),
        _ if mentions_any(&text, &["api key", "apikey"]) => Outcome::BadKey { message },
        _ if mentions_any(&text, &["maximum allowed requests", "quota"]) => Outcome::Throttled {
            retry_after: None,
            quota_exhausted: true,
            message,
        },
        _ => Outcome::BadRequest { message },
    }
}

/// An OHLC object as a raw row (`close` is the price; the others may be absent).
fn ohlc_row(date: NaiveDate, ohlc: &Value) -> Result<RawRow, ProviderError> {
    let num = |key: &str| series::number(ohlc.get(key)).map_err(|e| parse_error(ID, e));
    Ok(RawRow {
        date,
        open: num("open")?,
        high: num("high")?,
        low: num("low")?,
        close: num("close")?,
        volume: num("volume")?,
    })
}

/// Looks a symbol up in a `rates` map, ignoring case (symbols seem to be accepted in any case,
/// and may be echoed in either).
fn rate_for<'a>(rates: &'a Map<String, Value>, code: &str) -> Option<&'a Value> {
    rates.get(code).or_else(|| {
        rates
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(code))
            .map(|(_, v)| v)
    })
}

impl Provider for CommodityPriceApi {
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
        Ok(self.signed(Request::get("/rates/latest").with_query("symbols", code)))
    }

    /// Time-series requests of at most [`TIME_SERIES_MAX_DAYS`] days each, oldest first.
    fn history_chunk_days(&self) -> Option<u32> {
        Some(TIME_SERIES_MAX_DAYS)
    }

    fn history_request(
        &self,
        code: &str,
        from: NaiveDate,
        to: NaiveDate,
        _interval: Interval,
    ) -> Result<Request, ProviderError> {
        Ok(Request::get("/rates/time-series")
            .with_query("symbols", code)
            .with_query("startDate", from.to_string())
            .with_query("endDate", to.to_string()))
    }

    fn classify(&self, status: u16, headers: &[(String, String)], body: &[u8]) -> Outcome {
        let value = match classify::read_json(body) {
            Ok(v) => v,
            Err(malformed) => {
                let message = classify::describe_non_json(body);
                if status != 200 {
                    return failure(status, headers, message);
                }
                return malformed;
            }
        };
        let success = value.get("success").and_then(Value::as_bool);
        if success == Some(false) || status != 200 {
            let message = classify::string_field(&value, &["message", "error"])
                .map(|m| self.api_key.scrub(m))
                .unwrap_or_default();
            let stated = value
                .get("statusCode")
                .and_then(Value::as_u64)
                .and_then(|s| u16::try_from(s).ok())
                .filter(|s| *s >= 400);
            // The HTTP status wins when it is an error; a 200 carrying `success: false` relies on
            // the body's `statusCode`, then on the text.
            let status = if status != 200 {
                status
            } else {
                stated.unwrap_or(200)
            };
            return failure(status, headers, message);
        }
        match value.get("rates") {
            // Non-trading days are simply absent, so an empty chunk (a weekend, a holiday) is
            // a normal answer, not an error.
            Some(Value::Object(rates)) if rates.is_empty() => Outcome::NoData,
            Some(Value::Object(_)) => Outcome::Data,
            _ => Outcome::Malformed {
                description: "JSON without a `rates` object".to_string(),
            },
        }
    }

    /// Reads a time-series answer (`rates` keyed by date, then symbol) or a one-day
    /// `/rates/historical` answer (`rates` keyed by symbol, each with its own `date`).
    fn parse_history(&self, body: &[u8], ctx: &ParseContext) -> Result<Parsed, ProviderError> {
        let value = self.value(body)?;
        let rates = value
            .get("rates")
            .and_then(Value::as_object)
            .ok_or_else(|| parse_error(ID, "expected a `rates` object"))?;
        let mut rows = Vec::new();
        let keyed_by_date = rates
            .keys()
            .next()
            .is_some_and(|k| NaiveDate::parse_from_str(k, "%Y-%m-%d").is_ok());
        if keyed_by_date {
            for (day, symbols) in rates {
                let date = series::date(Some(&Value::String(day.clone())))
                    .map_err(|e| parse_error(ID, e))?;
                let symbols = symbols
                    .as_object()
                    .ok_or_else(|| parse_error(ID, "a day's rates are not an object"))?;
                // A day listing other symbols but not ours has no observation for it; that is
                // the normal "non-trading day", not a missing value.
                if let Some(ohlc) = rate_for(symbols, &ctx.code) {
                    rows.push(ohlc_row(date, ohlc)?);
                }
            }
        } else if let Some(ohlc) = rate_for(rates, &ctx.code) {
            let date_value = ohlc.get("date").or_else(|| value.get("date"));
            let date = series::date(date_value).map_err(|e| parse_error(ID, e))?;
            rows.push(ohlc_row(date, ohlc)?);
        }
        Ok(series::collect(rows, ctx))
    }

    /// Reads `/rates/latest`: `rates[code]` is a number, the time is `timestamp`, and the quote
    /// currency sits under `metaData` or `metadata` (the spelling is UNCERTAIN: both are read).
    fn parse_latest(&self, body: &[u8], ctx: &ParseContext) -> Result<Quote, ProviderError> {
        let value = self.value(body)?;
        let rates = value
            .get("rates")
            .and_then(Value::as_object)
            .ok_or_else(|| parse_error(ID, "expected a `rates` object"))?;
        let rate = rate_for(rates, &ctx.code)
            .ok_or_else(|| parse_error(ID, format!("no rate for {}", ctx.code)))?;
        // Defensively accept an OHLC object in place of a bare number.
        let price_value = match rate {
            Value::Object(_) => rate.get("close").or_else(|| rate.get("rate")),
            other => Some(other),
        };
        let price = series::number(price_value)
            .map_err(|e| parse_error(ID, e))?
            .ok_or_else(|| parse_error(ID, "the rate is missing"))?;
        let currency = ["metaData", "metadata"]
            .iter()
            .filter_map(|k| value.get(*k).and_then(Value::as_object))
            .find_map(|meta| rate_for(meta, &ctx.code))
            .and_then(|m| classify::string_field(m, &["quote", "currency"]))
            .map(str::to_string);
        Ok(Quote {
            code: ctx.code.clone(),
            price: price * ctx.scale,
            as_of: series::unix_seconds(value.get("timestamp")),
            change: None,
            change_percent: None,
            volume: None,
            reported_currency: currency,
        })
    }
}
