//! FMP: every fixture classified, every success shape parsed, requests built and chunked.

use crate::common;

use common::{KEY, assert_close, d, fixture, headers};
use market_data::provider::{Outcome, ParseContext, Provider, ProviderError};
use market_data::providers::fmp::{Fmp, HISTORY_CHUNK_DAYS};
use store::Interval;

fn fmp() -> Fmp {
    Fmp::new(KEY)
}

fn classify(status: u16, path: &str) -> Outcome {
    fmp().classify(status, &[], &fixture(&format!("fmp/{path}")))
}

#[test]
fn success_fixtures_classify_as_data() {
    for path in [
        "commodities_list_stable.json",
        "quote_gcusd_stable.json",
        "quote_short_gcusd_stable.json",
        "historical_gcusd.json",
        "historical_gcusd_light.json",
        "historical_gcusd_v3.json",
        "quotes_commodity_v3.json",
    ] {
        assert_eq!(classify(200, path), Outcome::Data, "{path}");
    }
}

#[test]
fn invalid_key_is_bad_key_with_401_or_200() {
    assert!(matches!(
        classify(401, "error_invalid_apikey.json"),
        Outcome::BadKey { .. }
    ));
    assert!(matches!(
        classify(200, "error_invalid_apikey.json"),
        Outcome::BadKey { .. }
    ));
}

#[test]
fn limit_reach_is_quota_exhausted_with_429_or_200() {
    let outcome = fmp().classify(
        429,
        &headers(&[("retry-after", "3600")]),
        &fixture("fmp/limit_reach.json"),
    );
    assert!(matches!(
        outcome,
        Outcome::Throttled { quota_exhausted: true, retry_after: Some(wait), .. } if wait.as_secs() == 3600
    ));
    assert!(matches!(
        classify(200, "limit_reach.json"),
        Outcome::Throttled {
            quota_exhausted: true,
            ..
        }
    ));
}

#[test]
fn bandwidth_limit_is_quota_exhausted() {
    let body = br#"{"Error Message": "Bandwidth Limit Reach . Please upgrade your plan"}"#;
    assert!(matches!(
        fmp().classify(429, &[], body),
        Outcome::Throttled {
            quota_exhausted: true,
            ..
        }
    ));
}

#[test]
fn legacy_endpoint_and_premium_symbol_are_entitlement() {
    assert!(matches!(
        classify(403, "error_legacy_endpoint.json"),
        Outcome::Entitlement { .. }
    ));
    assert!(matches!(
        classify(402, "error_premium_symbol.json"),
        Outcome::Entitlement { .. }
    ));
}

#[test]
fn plain_text_402_is_entitlement() {
    let body = b"Premium Query Parameter: This value set for 'symbol' is not available under your current subscription";
    assert!(matches!(
        fmp().classify(402, &[], body),
        Outcome::Entitlement { .. }
    ));
}

#[test]
fn plain_429_without_body_is_a_transient_throttle() {
    let outcome = fmp().classify(429, &headers(&[("Retry-After", "5")]), b"");
    assert!(matches!(
        outcome,
        Outcome::Throttled { quota_exhausted: false, retry_after: Some(wait), .. } if wait.as_secs() == 5
    ));
}

#[test]
fn server_error_is_upstream_and_html_200_is_malformed() {
    assert!(matches!(
        fmp().classify(503, &[], b"<html>Service Unavailable</html>"),
        Outcome::Upstream { status: 503, .. }
    ));
    assert!(matches!(
        fmp().classify(200, &[], b"<!DOCTYPE html><html></html>"),
        Outcome::Malformed { .. }
    ));
}

#[test]
fn empty_array_and_empty_object_are_no_data() {
    assert_eq!(fmp().classify(200, &[], b"[]"), Outcome::NoData);
    assert_eq!(fmp().classify(200, &[], b"{}"), Outcome::NoData);
    assert_eq!(
        fmp().classify(200, &[], br#"{"symbol": "XXUSD", "historical": []}"#),
        Outcome::NoData
    );
}

#[test]
fn key_echoed_in_an_error_is_redacted() {
    let body = format!(r#"{{"Error Message": "Invalid API KEY {KEY}. Please retry"}}"#);
    let outcome = fmp().classify(401, &[], body.as_bytes());
    assert!(matches!(outcome, Outcome::BadKey { .. }));
    assert!(!outcome.to_string().contains(KEY));
}

#[test]
fn full_history_parses_ohlcv_ascending() {
    let parsed = fmp()
        .parse_history(
            &fixture("fmp/historical_gcusd.json"),
            &ParseContext::new("GCUSD", 1.0),
        )
        .unwrap();
    assert_eq!(parsed.skipped_missing, 0);
    assert_eq!(parsed.bars.len(), 3);
    let first = parsed.bars[0];
    assert_eq!(first.date, d("2025-06-11"));
    assert_close(first.open.unwrap(), 3344.9);
    assert_close(first.high.unwrap(), 3376.5);
    assert_close(first.low.unwrap(), 3331.0);
    assert_close(first.close, 3361.2);
    assert_close(first.volume.unwrap(), 149305.0);
    assert_eq!(parsed.bars[2].date, d("2025-06-13"));
    assert_close(parsed.bars[2].close, 3452.8);
}

#[test]
fn light_history_reads_price_as_close() {
    let parsed = fmp()
        .parse_history(
            &fixture("fmp/historical_gcusd_light.json"),
            &ParseContext::new("GCUSD", 1.0),
        )
        .unwrap();
    assert_eq!(parsed.bars.len(), 3);
    assert_close(parsed.bars[1].close, 3405.6);
    assert_eq!(parsed.bars[1].open, None);
    assert_close(parsed.bars[1].volume.unwrap(), 171920.0);
}

#[test]
fn legacy_v3_history_object_parses() {
    let parsed = fmp()
        .parse_history(
            &fixture("fmp/historical_gcusd_v3.json"),
            &ParseContext::new("GCUSD", 1.0),
        )
        .unwrap();
    let dates: Vec<_> = parsed.bars.iter().map(|b| b.date).collect();
    assert_eq!(dates, vec![d("2025-06-12"), d("2025-06-13")]);
    assert_close(parsed.bars[1].high.unwrap(), 3468.4);
}

#[test]
fn cents_are_converted_to_dollars_and_null_close_skipped() {
    let body = br#"[
        {"symbol": "HEUSX", "date": "2025-06-13", "open": 10500, "high": 10620, "low": 10410, "close": 10575, "volume": 1200},
        {"symbol": "HEUSX", "date": "2025-06-12", "open": null, "high": null, "low": null, "close": null, "volume": null},
        {"symbol": "HEUSX", "date": "2025-06-11", "open": 10400, "high": 10510, "low": 10390, "close": 10480, "volume": 900}
    ]"#;
    let parsed = fmp()
        .parse_history(body, &ParseContext::new("HEUSX", 0.01))
        .unwrap();
    assert_eq!(parsed.skipped_missing, 1);
    assert_eq!(parsed.bars.len(), 2);
    assert_close(parsed.bars[1].close, 105.75);
    assert_close(parsed.bars[1].open.unwrap(), 105.0);
    // Volume is a count of contracts, not a price: never scaled.
    assert_close(parsed.bars[1].volume.unwrap(), 1200.0);
}

#[test]
fn stable_quote_parses_with_change_percentage() {
    let quote = fmp()
        .parse_latest(
            &fixture("fmp/quote_gcusd_stable.json"),
            &ParseContext::new("GCUSD", 1.0),
        )
        .unwrap();
    assert_close(quote.price, 3452.8);
    assert_close(quote.change.unwrap(), 47.2);
    assert_close(quote.change_percent.unwrap(), 1.38712);
    assert_eq!(quote.as_of.unwrap().timestamp(), 1_749_844_787);
    assert_eq!(quote.reported_currency.as_deref(), Some("USD"));
}

#[test]
fn short_quote_parses_without_timestamp() {
    let quote = fmp()
        .parse_latest(
            &fixture("fmp/quote_short_gcusd_stable.json"),
            &ParseContext::new("GCUSD", 1.0),
        )
        .unwrap();
    assert_close(quote.price, 3452.8);
    assert_eq!(quote.as_of, None);
    assert_close(quote.volume.unwrap(), 182411.0);
}

#[test]
fn legacy_quotes_pick_the_requested_symbol_and_read_changes_percentage() {
    let quote = fmp()
        .parse_latest(
            &fixture("fmp/quotes_commodity_v3.json"),
            &ParseContext::new("CLUSD", 1.0),
        )
        .unwrap();
    assert_close(quote.price, 72.98);
    assert_close(quote.change_percent.unwrap(), 7.26);
}

#[test]
fn commodities_list_parses_with_currencies() {
    let list = fmp()
        .parse_list(&fixture("fmp/commodities_list_stable.json"))
        .unwrap();
    assert_eq!(list.len(), 5);
    assert_eq!(list[0].code, "GCUSD");
    assert_eq!(list[0].name, "Gold Futures");
    let hogs = list.iter().find(|c| c.code == "HEUSX").unwrap();
    assert_eq!(hogs.currency.as_deref(), Some("USX"));
}

#[test]
fn requests_put_key_in_query_and_redact_it() {
    let latest = fmp().build_latest_request("GCUSD").unwrap();
    assert_eq!(latest.path, "/stable/quote");
    assert_eq!(latest.query_value("symbol"), Some("GCUSD"));
    assert_eq!(latest.query_value("apikey"), Some(KEY));
    assert_eq!(
        latest.to_string(),
        "GET /stable/quote?symbol=GCUSD&apikey=***"
    );
    let list = fmp().build_list_request().unwrap();
    assert_eq!(list.path, "/stable/commodities-list");
    assert!(!format!("{list:?}").contains(KEY));
}

#[test]
fn history_chunks_cover_the_range_without_gap_or_overlap() {
    let (start, end) = (d("1990-01-01"), d("2025-06-13"));
    let requests = fmp()
        .build_history_requests("GCUSD", start, end, Interval::Daily)
        .unwrap();
    assert!(requests.len() > 1);
    let ranges: Vec<_> = requests
        .iter()
        .map(|r| {
            assert_eq!(r.path, "/stable/historical-price-eod/full");
            assert_eq!(r.query_value("apikey"), Some(KEY));
            (
                d(r.query_value("from").unwrap()),
                d(r.query_value("to").unwrap()),
            )
        })
        .collect();
    assert_eq!(ranges.first().unwrap().0, start);
    assert_eq!(ranges.last().unwrap().1, end);
    for (from, to) in &ranges {
        assert!((*to - *from).num_days() < i64::from(HISTORY_CHUNK_DAYS));
    }
    for pair in ranges.windows(2) {
        assert_eq!(pair[0].1.succ_opt().unwrap(), pair[1].0);
    }
}

#[test]
fn short_range_is_one_request_and_only_daily_is_offered() {
    let requests = fmp()
        .build_history_requests("GCUSD", d("2025-06-11"), d("2025-06-13"), Interval::Daily)
        .unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].query_value("from"), Some("2025-06-11"));
    assert_eq!(requests[0].query_value("to"), Some("2025-06-13"));
    assert!(matches!(
        fmp().build_history_requests("GCUSD", d("2025-06-11"), d("2025-06-13"), Interval::Weekly),
        Err(ProviderError::UnsupportedInterval { .. })
    ));
    assert_eq!(fmp().default_limits().daily_quota, Some(250));
}
