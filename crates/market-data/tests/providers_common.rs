//! Properties every provider shares: usable as trait objects, ids as SPEC names them, no request
//! and no outcome that shows the key, typed "not supported".

use crate::common;

use common::{KEY, d};
use market_data::provider::{Outcome, ParseContext, Provider, ProviderError, Request, join_url};
use market_data::providers::{
    alpha_vantage::AlphaVantage, api_ninjas::ApiNinjas, commodity_price_api::CommodityPriceApi,
    fmp::Fmp,
};
use store::Interval;

fn all() -> Vec<Box<dyn Provider>> {
    vec![
        Box::new(AlphaVantage::new(KEY)),
        Box::new(Fmp::new(KEY)),
        Box::new(ApiNinjas::new(KEY)),
        Box::new(CommodityPriceApi::new(KEY)),
    ]
}

fn code_for(id: &str) -> &'static str {
    match id {
        "alpha_vantage" => "WTI",
        "fmp" => "GCUSD",
        "api_ninjas" => "gold",
        _ => "XAU",
    }
}

#[test]
fn ids_match_the_source_ids_in_spec() {
    let ids: Vec<_> = all().iter().map(|p| p.id()).collect();
    assert_eq!(
        ids,
        vec!["alpha_vantage", "fmp", "api_ninjas", "commodity_price_api"]
    );
}

#[test]
fn no_request_shows_the_key_in_display_or_debug() {
    for provider in all() {
        let code = code_for(provider.id());
        let mut requests: Vec<Request> = provider
            .build_history_requests(code, d("2024-01-01"), d("2025-06-13"), Interval::Daily)
            .unwrap();
        requests.push(provider.build_latest_request(code).unwrap());
        for request in &requests {
            let carries_key = request.query.iter().any(|(_, v)| v == KEY)
                || request.headers.iter().any(|(_, v)| v == KEY);
            assert!(carries_key, "{}: {request}", provider.id());
            assert!(!request.to_string().contains(KEY), "{}", provider.id());
            assert!(!format!("{request:?}").contains(KEY), "{}", provider.id());
            assert!(request.to_string().contains("***"));
            assert!(request.path.starts_with('/'));
        }
    }
}

#[test]
fn every_provider_redacts_an_echoed_key_in_any_outcome() {
    let bodies = [
        format!(r#"{{"Error Message": "Invalid API KEY {KEY}"}}"#),
        format!(r#"{{"error": "Invalid API Key {KEY}."}}"#),
        format!(r#"{{"success": false, "message": "Invalid API key {KEY}", "statusCode": 403}}"#),
        format!(
            r#"{{"Information": "We have detected your API key as {KEY} and our rate limit is 25 requests per day."}}"#
        ),
    ];
    for provider in all() {
        for status in [200, 400, 401, 403, 429, 500] {
            for body in &bodies {
                let outcome = provider.classify(status, &[], body.as_bytes());
                let shown = format!("{outcome} {outcome:?}");
                assert!(!shown.contains(KEY), "{} {status}: {shown}", provider.id());
            }
        }
    }
}

#[test]
fn every_provider_calls_a_5xx_upstream_and_html_malformed() {
    for provider in all() {
        assert!(
            matches!(
                provider.classify(503, &[], b"<html>down</html>"),
                Outcome::Upstream { status: 503, .. }
            ),
            "{}",
            provider.id()
        );
        assert!(
            matches!(
                provider.classify(200, &[], b"<!DOCTYPE html><html></html>"),
                Outcome::Malformed { .. }
            ),
            "{}",
            provider.id()
        );
        assert!(
            matches!(provider.classify(200, &[], b""), Outcome::Malformed { .. }),
            "{}",
            provider.id()
        );
    }
}

#[test]
fn list_is_not_supported_except_by_fmp() {
    for provider in all() {
        let result = provider.build_list_request();
        if provider.id() == "fmp" {
            assert!(result.is_ok());
        } else {
            assert!(matches!(
                result,
                Err(ProviderError::NotSupported {
                    operation: "list",
                    ..
                })
            ));
            assert!(matches!(
                provider.parse_list(b"[]"),
                Err(ProviderError::NotSupported { .. })
            ));
        }
    }
}

#[test]
fn parse_context_range_is_inclusive() {
    let ctx = ParseContext::new("X", 1.0).with_range(d("2025-01-01"), d("2025-01-31"));
    assert!(ctx.contains(d("2025-01-01")));
    assert!(ctx.contains(d("2025-01-31")));
    assert!(!ctx.contains(d("2025-02-01")));
    assert!(!ctx.contains(d("2024-12-31")));
}

#[test]
fn base_url_and_path_join_with_one_slash() {
    assert_eq!(
        join_url("https://www.alphavantage.co/", "/query"),
        "https://www.alphavantage.co/query"
    );
    assert_eq!(
        join_url("http://127.0.0.1:9000", "rates/latest"),
        "http://127.0.0.1:9000/rates/latest"
    );
}

#[test]
fn chunk_range_is_public_for_the_backfill_planner() {
    let chunks = market_data::chunk_range(d("2025-01-01"), d("2025-01-10"), 4);
    assert_eq!(
        chunks,
        vec![
            (d("2025-01-01"), d("2025-01-04")),
            (d("2025-01-05"), d("2025-01-08")),
            (d("2025-01-09"), d("2025-01-10")),
        ]
    );
}

#[test]
fn outcome_display_reads_as_one_sentence_without_empty_tails() {
    let throttled = Outcome::Throttled {
        retry_after: Some(std::time::Duration::from_secs(30)),
        quota_exhausted: false,
        message: String::new(),
    };
    assert_eq!(throttled.to_string(), "rate limited (retry after 30s)");
    let bad_key = Outcome::BadKey {
        message: "Invalid API Key.".to_string(),
    };
    assert_eq!(bad_key.to_string(), "invalid API key: Invalid API Key.");
}
