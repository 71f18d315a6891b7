//! CommodityPriceAPI: every fixture classified, every success shape parsed, requests chunked.

use crate::common;

use common::{KEY, assert_close, d, fixture, headers};
use market_data::provider::{Outcome, ParseContext, Provider, ProviderError};
use market_data::providers::commodity_price_api::{CommodityPriceApi, TIME_SERIES_MAX_DAYS};
use store::Interval;

fn cpa() -> CommodityPriceApi {
    CommodityPriceApi::new(KEY)
}

fn classify(status: u16, path: &str) -> Outcome {
    cpa().classify(status, &[], &fixture(&format!("commoditypriceapi/{path}")))
}

#[test]
fn success_fixtures_classify_as_data() {
    for path in [
        "latest_xau_wtioil.json",
        "historical_xau.json",
        "timeseries_xau_wtioil.json",
        "fluctuation_xau_wtioil.json",
    ] {
        assert_eq!(classify(200, path), Outcome::Data, "{path}");
    }
}

#[test]
fn invalid_key_403_is_bad_key() {
    assert!(matches!(
        classify(403, "error_invalid_apikey.json"),
        Outcome::BadKey { .. }
    ));
    // `success: false` on a 200 falls back to the body's statusCode.
    assert!(matches!(
        classify(200, "error_invalid_apikey.json"),
        Outcome::BadKey { .. }
    ));
}

#[test]
fn quota_402_is_quota_exhausted() {
    assert!(matches!(
        classify(402, "error_quota_exceeded.json"),
        Outcome::Throttled {
            quota_exhausted: true,
            ..
        }
    ));
    assert!(matches!(
        classify(200, "error_quota_exceeded.json"),
        Outcome::Throttled {
            quota_exhausted: true,
            ..
        }
    ));
}

#[test]
fn no_permission_403_is_entitlement() {
    let body = br#"{"success": false, "message": "Your plan does not include this symbol", "statusCode": 403}"#;
    assert!(matches!(
        cpa().classify(403, &[], body),
        Outcome::Entitlement { .. }
    ));
}

#[test]
fn undocumented_429_is_still_a_throttle() {
    let outcome = cpa().classify(
        429,
        &headers(&[("retry-after", "60")]),
        b"Too Many Requests",
    );
    assert!(matches!(
        outcome,
        Outcome::Throttled { quota_exhausted: false, retry_after: Some(wait), .. } if wait.as_secs() == 60
    ));
}

#[test]
fn html_5xx_404_and_empty_rates_are_classified() {
    assert!(matches!(
        cpa().classify(200, &[], b"<!doctype html><title>x</title>"),
        Outcome::Malformed { .. }
    ));
    assert!(matches!(
        cpa().classify(
            500,
            &[],
            br#"{"success": false, "message": "Server error"}"#
        ),
        Outcome::Upstream { status: 500, .. }
    ));
    assert!(matches!(
        cpa().classify(
            404,
            &[],
            br#"{"success": false, "message": "Symbol not found"}"#
        ),
        Outcome::UnknownSymbol { .. }
    ));
    let empty =
        br#"{"success": true, "startDate": "2025-06-14", "endDate": "2025-06-15", "rates": {}}"#;
    assert_eq!(cpa().classify(200, &[], empty), Outcome::NoData);
}

#[test]
fn key_echoed_in_a_message_is_redacted() {
    let body =
        format!(r#"{{"success": false, "message": "Invalid API key {KEY}", "statusCode": 403}}"#);
    let outcome = cpa().classify(403, &[], body.as_bytes());
    assert!(!format!("{outcome:?}").contains(KEY));
}

#[test]
fn time_series_parses_one_symbol_ascending() {
    let parsed = cpa()
        .parse_history(
            &fixture("commoditypriceapi/timeseries_xau_wtioil.json"),
            &ParseContext::new("WTIOIL-FUT", 1.0),
        )
        .unwrap();
    assert_eq!(parsed.bars.len(), 3);
    assert_eq!(parsed.skipped_missing, 0);
    assert_eq!(parsed.bars[0].date, d("2025-06-11"));
    assert_close(parsed.bars[0].close, 68.15);
    assert_eq!(parsed.bars[2].date, d("2025-06-13"));
    assert_close(parsed.bars[2].high.unwrap(), 77.62);
    assert_eq!(parsed.bars[2].volume, None);
    let gold = cpa()
        .parse_history(
            &fixture("commoditypriceapi/timeseries_xau_wtioil.json"),
            &ParseContext::new("XAU", 1.0),
        )
        .unwrap();
    assert_close(gold.bars[1].close, 3386.2);
}

#[test]
fn one_day_historical_parses_to_one_bar() {
    let parsed = cpa()
        .parse_history(
            &fixture("commoditypriceapi/historical_xau.json"),
            &ParseContext::new("XAU", 1.0),
        )
        .unwrap();
    assert_eq!(parsed.bars.len(), 1);
    assert_eq!(parsed.bars[0].date, d("2025-06-12"));
    assert_close(parsed.bars[0].open.unwrap(), 3325.41);
    assert_close(parsed.bars[0].close, 3386.2);
}

#[test]
fn null_close_in_time_series_is_skipped_and_counted() {
    let body = br#"{"success": true, "rates": {
        "2025-06-11": {"XAU": {"open": 1, "high": 1, "low": 1, "close": null}},
        "2025-06-12": {"XAU": {"open": 2, "high": 2, "low": 2, "close": 2.5}}
    }}"#;
    let parsed = cpa()
        .parse_history(body, &ParseContext::new("XAU", 1.0))
        .unwrap();
    assert_eq!(parsed.skipped_missing, 1);
    assert_eq!(parsed.bars.len(), 1);
    assert_close(parsed.bars[0].close, 2.5);
}

#[test]
fn latest_reads_rate_timestamp_and_metadata_currency() {
    let quote = cpa()
        .parse_latest(
            &fixture("commoditypriceapi/latest_xau_wtioil.json"),
            &ParseContext::new("XAU", 1.0),
        )
        .unwrap();
    assert_close(quote.price, 3432.15);
    assert_eq!(quote.as_of.unwrap().timestamp(), 1_749_844_800);
    assert_eq!(quote.reported_currency.as_deref(), Some("USD"));
}

#[test]
fn latest_accepts_lowercase_metadata_spelling() {
    let body = br#"{"success": true, "timestamp": 1749844800, "rates": {"CORN": 438.25},
        "metadata": {"CORN": {"unit": "Bu", "quote": "USX"}}}"#;
    let quote = cpa()
        .parse_latest(body, &ParseContext::new("CORN", 0.01))
        .unwrap();
    assert_close(quote.price, 4.3825);
    assert_eq!(quote.reported_currency.as_deref(), Some("USX"));
}

#[test]
fn requests_put_key_in_header_and_redact_it() {
    let latest = cpa().build_latest_request("XAU").unwrap();
    assert_eq!(latest.path, "/rates/latest");
    assert_eq!(latest.query_value("symbols"), Some("XAU"));
    assert_eq!(latest.header_value("x-api-key"), Some(KEY));
    assert_eq!(
        latest.to_string(),
        "GET /rates/latest?symbols=XAU [x-api-key: ***]"
    );
    assert!(!format!("{latest:?}").contains(KEY));
    assert_eq!(
        latest.url("https://api.commoditypriceapi.com/v2/"),
        "https://api.commoditypriceapi.com/v2/rates/latest"
    );
}

#[test]
fn long_range_is_chunked_into_30_day_windows_without_gap_or_overlap() {
    let (start, end) = (d("2025-01-01"), d("2025-06-13"));
    let requests = cpa()
        .build_history_requests("XAU", start, end, Interval::Daily)
        .unwrap();
    let ranges: Vec<_> = requests
        .iter()
        .map(|r| {
            assert_eq!(r.path, "/rates/time-series");
            assert_eq!(r.header_value("x-api-key"), Some(KEY));
            (
                d(r.query_value("startDate").unwrap()),
                d(r.query_value("endDate").unwrap()),
            )
        })
        .collect();
    // 164 days inclusive: five full windows and one of 14 days.
    assert_eq!(ranges.len(), 6);
    assert_eq!(ranges[0], (d("2025-01-01"), d("2025-01-30")));
    assert_eq!(ranges[1].0, d("2025-01-31"));
    assert_eq!(ranges.last().unwrap(), &(d("2025-05-31"), end));
    for (from, to) in &ranges {
        assert!((*to - *from).num_days() < i64::from(TIME_SERIES_MAX_DAYS));
    }
    for pair in ranges.windows(2) {
        assert_eq!(pair[0].1.succ_opt().unwrap(), pair[1].0);
    }
    let total: i64 = ranges.iter().map(|(f, t)| (*t - *f).num_days() + 1).sum();
    assert_eq!(total, (end - start).num_days() + 1);
}

#[test]
fn exactly_30_days_is_one_request_and_31_is_two() {
    let one = cpa()
        .build_history_requests("XAU", d("2025-06-01"), d("2025-06-30"), Interval::Daily)
        .unwrap();
    assert_eq!(one.len(), 1);
    let two = cpa()
        .build_history_requests("XAU", d("2025-06-01"), d("2025-07-01"), Interval::Daily)
        .unwrap();
    assert_eq!(two.len(), 2);
    assert_eq!(two[1].query_value("startDate"), Some("2025-07-01"));
    assert_eq!(two[1].query_value("endDate"), Some("2025-07-01"));
    assert!(matches!(
        cpa().build_history_requests("XAU", d("2025-06-02"), d("2025-06-01"), Interval::Daily),
        Err(ProviderError::InvalidRange { .. })
    ));
}

#[test]
fn day_request_targets_historical_endpoint() {
    let request = cpa().build_day_request("XAU", d("2025-06-12"));
    assert_eq!(request.path, "/rates/historical");
    assert_eq!(request.query_value("date"), Some("2025-06-12"));
}
