//! API Ninjas: every fixture classified, every success shape parsed, requests built.

use crate::common;

use common::{KEY, assert_close, d, fixture, headers};
use market_data::provider::{Outcome, ParseContext, Provider, ProviderError};
use market_data::providers::api_ninjas::ApiNinjas;
use store::Interval;

fn ninjas() -> ApiNinjas {
    ApiNinjas::new(KEY)
}

fn classify(status: u16, path: &str) -> Outcome {
    ninjas().classify(status, &[], &fixture(&format!("api_ninjas/{path}")))
}

#[test]
fn success_fixtures_classify_as_data() {
    for path in [
        "commodityprice_gold.json",
        "commodityprice_corn.json",
        "commoditypricehistorical_gold_1d.json",
    ] {
        assert_eq!(classify(200, path), Outcome::Data, "{path}");
    }
}

#[test]
fn invalid_key_400_is_bad_key() {
    assert!(matches!(
        classify(400, "error_invalid_apikey.json"),
        Outcome::BadKey { .. }
    ));
    let missing = br#"{"error": "Missing API Key."}"#;
    assert!(matches!(
        ninjas().classify(400, &[], missing),
        Outcome::BadKey { .. }
    ));
}

#[test]
fn premium_only_is_entitlement_with_400_or_403() {
    assert!(matches!(
        classify(400, "error_premium_only.json"),
        Outcome::Entitlement { .. }
    ));
    assert!(matches!(
        classify(403, "error_premium_only.json"),
        Outcome::Entitlement { .. }
    ));
}

#[test]
fn throttle_429_reads_retry_after() {
    let outcome = ninjas().classify(
        429,
        &headers(&[("Retry-After", "12")]),
        &fixture("api_ninjas/throttle_429.json"),
    );
    assert!(matches!(
        outcome,
        Outcome::Throttled { quota_exhausted: false, retry_after: Some(wait), .. } if wait.as_secs() == 12
    ));
}

#[test]
fn other_400_is_bad_request_and_empty_array_is_no_data() {
    let body = br#"{"error": "Invalid commodity name."}"#;
    assert!(matches!(
        ninjas().classify(400, &[], body),
        Outcome::BadRequest { .. }
    ));
    assert_eq!(ninjas().classify(200, &[], b"[]"), Outcome::NoData);
}

#[test]
fn html_and_5xx_are_told_apart() {
    assert!(matches!(
        ninjas().classify(200, &[], b"<html><head></head></html>"),
        Outcome::Malformed { .. }
    ));
    assert!(matches!(
        ninjas().classify(500, &[], br#"{"error": "Internal error"}"#),
        Outcome::Upstream { status: 500, .. }
    ));
}

#[test]
fn gold_latest_parses_price_time_and_currency() {
    let quote = ninjas()
        .parse_latest(
            &fixture("api_ninjas/commodityprice_gold.json"),
            &ParseContext::new("gold", 1.0),
        )
        .unwrap();
    assert_close(quote.price, 3452.8);
    assert_eq!(quote.as_of.unwrap().timestamp(), 1_749_844_787);
    assert_eq!(quote.reported_currency.as_deref(), Some("USD"));
}

#[test]
fn corn_in_cents_is_scaled_to_dollars() {
    let quote = ninjas()
        .parse_latest(
            &fixture("api_ninjas/commodityprice_corn.json"),
            &ParseContext::new("corn", 0.01),
        )
        .unwrap();
    assert_close(quote.price, 4.3825);
    assert_eq!(quote.reported_currency.as_deref(), Some("USX"));
}

#[test]
fn names_array_with_one_element_parses_like_an_object() {
    let body = br#"[{"exchange": "COMEX", "name": "Gold Futures", "price": 3452.8, "currency_unit": "USD", "unit": "troy_ounce", "time": 1749844787}]"#;
    let quote = ninjas()
        .parse_latest(body, &ParseContext::new("gold", 1.0))
        .unwrap();
    assert_close(quote.price, 3452.8);
    assert_eq!(quote.as_of.unwrap().timestamp(), 1_749_844_787);
}

#[test]
fn historical_parses_unix_times_to_dates() {
    let ctx = ParseContext::new("gold", 1.0).with_range(d("2025-06-11"), d("2025-06-13"));
    let parsed = ninjas()
        .parse_history(
            &fixture("api_ninjas/commoditypricehistorical_gold_1d.json"),
            &ctx,
        )
        .unwrap();
    assert_eq!(parsed.bars.len(), 2);
    assert_eq!(parsed.bars[0].date, d("2025-06-12"));
    assert_close(parsed.bars[0].open.unwrap(), 3361.2);
    assert_close(parsed.bars[0].close, 3405.6);
    assert_eq!(parsed.bars[1].date, d("2025-06-13"));
    assert_close(parsed.bars[1].low.unwrap(), 3398.1);
    assert_close(parsed.bars[1].volume.unwrap(), 182411.0);
}

#[test]
fn historical_accepts_timestamp_in_place_of_time() {
    let body = br#"[{"open": 1, "low": 1, "high": 2, "close": 2, "volume": null, "timestamp": 1749772800}]"#;
    let parsed = ninjas()
        .parse_history(body, &ParseContext::new("gold", 1.0))
        .unwrap();
    assert_eq!(parsed.bars[0].date, d("2025-06-13"));
    assert_eq!(parsed.bars[0].volume, None);
}

#[test]
fn requests_put_key_in_header_and_redact_it() {
    let latest = ninjas().build_latest_request("gold").unwrap();
    assert_eq!(latest.path, "/v1/commodityprice");
    assert_eq!(latest.query_value("name"), Some("gold"));
    assert_eq!(latest.header_value("x-api-key"), Some(KEY));
    assert_eq!(latest.query_value("apikey"), None);
    let shown = latest.to_string();
    assert!(shown.contains("X-Api-Key: ***"), "{shown}");
    assert!(!shown.contains(KEY));
    assert!(!format!("{latest:?}").contains(KEY));
    assert!(!format!("{:?}", ninjas()).contains(KEY));
}

#[test]
fn history_request_matches_the_fixture_window() {
    let requests = ninjas()
        .build_history_requests("gold", d("2025-06-11"), d("2025-06-13"), Interval::Daily)
        .unwrap();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.path, "/v1/commoditypricehistorical");
    assert_eq!(request.query_value("period"), Some("1d"));
    assert_eq!(request.query_value("start"), Some("1749600000"));
    // The midnight after the last day, so the last day's bar is inside.
    assert_eq!(request.query_value("end"), Some("1749859200"));
    assert_eq!(request.header_value("X-Api-Key"), Some(KEY));
    assert!(matches!(
        ninjas().build_history_requests(
            "gold",
            d("2025-06-11"),
            d("2025-06-13"),
            Interval::Monthly
        ),
        Err(ProviderError::UnsupportedInterval { .. })
    ));
}
