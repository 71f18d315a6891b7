//! `commodex fetch` end to end: the binary against a replay server standing in for a provider.

use crate::fetch_support;

use fetch_support::{KEY, commodex, fixture, read_all_files, spawn_replay};

fn fmp_env(base_url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("COMMODEX_SOURCES__FMP__BASE_URL", base_url.to_string()),
        ("COMMODEX_SOURCES__FMP__API_KEY", KEY.to_string()),
        ("COMMODEX_SOURCES__FMP__MAX_RETRIES", "0".to_string()),
    ]
}

fn borrowed<'a>(env: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    env.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

const GOLD_JUNE: [&str; 9] = [
    "fetch",
    "--source",
    "fmp",
    "--symbol",
    "GOLD",
    "--start",
    "2025-06-01",
    "--end",
    "2025-06-30",
];

#[tokio::test(flavor = "multi_thread")]
async fn fetch_stores_the_series_and_never_asks_again_for_stored_history() {
    let server = spawn_replay(200, fixture("fmp/historical_gcusd.json")).await;
    let data = tempfile::tempdir().unwrap();
    let env = fmp_env(&server.base_url);
    let run = commodex(data.path(), &GOLD_JUNE, &borrowed(&env)).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("fetched fmp/GOLD"), "{}", run.stdout);
    assert!(run.stdout.contains("requests 1"), "{}", run.stdout);
    assert!(run.stdout.contains("quota left 249"), "{}", run.stdout);
    assert!(!run.stdout.contains("rows new 0,"), "{}", run.stdout);
    assert_eq!(server.hits().len(), 1);
    assert!(server.hits()[0].contains("symbol=GCUSD"));

    let export = commodex(
        data.path(),
        &["export", "--source", "fmp", "--symbol", "GOLD"],
        &[],
    )
    .await;
    assert_eq!(export.code, 0, "{}", export.stderr);
    assert!(
        export
            .stdout
            .contains("2025-06-13,3405.6,3468.4,3398.1,3452.8"),
        "{}",
        export.stdout
    );

    // The fixture's rows span 2025-06-11..=2025-06-13: a second fetch of June asks only for
    // the days before and after the stored span, never for the stored days again.
    let again = commodex(data.path(), &GOLD_JUNE, &borrowed(&env)).await;
    assert_eq!(again.code, 0, "{}", again.stderr);
    let hits = server.hits();
    assert_eq!(hits.len(), 3, "{hits:?}");
    assert!(
        hits[1].contains("from=2025-06-01&to=2025-06-10"),
        "{}",
        hits[1]
    );
    assert!(
        hits[2].contains("from=2025-06-14&to=2025-06-30"),
        "{}",
        hits[2]
    );
    assert!(
        again.stdout.contains("rows new 0, updated 0, unchanged 0"),
        "{}",
        again.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_throttle_from_the_named_source_is_rate_limited_and_stores_nothing() {
    let server = spawn_replay(200, fixture("alpha_vantage/throttle_burst.json")).await;
    let data = tempfile::tempdir().unwrap();
    let env = [
        (
            "COMMODEX_SOURCES__ALPHA_VANTAGE__BASE_URL",
            server.base_url.as_str(),
        ),
        ("COMMODEX_SOURCES__ALPHA_VANTAGE__API_KEY", KEY),
    ];
    let run = commodex(
        data.path(),
        &["fetch", "--source", "alpha_vantage", "--symbol", "WTI"],
        &env,
    )
    .await;
    assert_eq!(run.code, 3, "stdout {} stderr {}", run.stdout, run.stderr);
    assert!(run.stderr.contains("rate_limited"), "{}", run.stderr);
    assert!(run.stderr.contains("nothing stored"), "{}", run.stderr);
    assert_eq!(server.hits().len(), 1, "a throttle is not retried");
    let export = commodex(
        data.path(),
        &["export", "--source", "alpha_vantage", "--symbol", "WTI"],
        &[],
    )
    .await;
    assert_ne!(export.code, 0);
    assert!(
        export.stderr.contains("nothing is stored"),
        "{}",
        export.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_key_is_a_config_error_naming_the_setting_not_the_key() {
    let server = spawn_replay(401, fixture("fmp/error_invalid_apikey.json")).await;
    let data = tempfile::tempdir().unwrap();
    let env = fmp_env(&server.base_url);
    let run = commodex(data.path(), &GOLD_JUNE, &borrowed(&env)).await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("config"), "{}", run.stderr);
    assert!(run.stderr.contains("sources.fmp.api_key"), "{}", run.stderr);
    assert!(
        run.stderr.contains("COMMODEX_SOURCES__FMP__API_KEY"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(KEY) && !run.stdout.contains(KEY));
    assert_eq!(server.hits().len(), 1, "a bad key is never retried");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_key_names_the_setting() {
    let data = tempfile::tempdir().unwrap();
    let run = commodex(
        data.path(),
        &GOLD_JUNE,
        &[("COMMODEX_SOURCES__FMP__BASE_URL", "http://127.0.0.1:9")],
    )
    .await;
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("sources.fmp.api_key"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_symbol_lists_what_the_source_offers() {
    let data = tempfile::tempdir().unwrap();
    let run = commodex(
        data.path(),
        &["fetch", "--source", "fmp", "--symbol", "UNOBTAINIUM"],
        &[],
    )
    .await;
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("UNOBTAINIUM"), "{}", run.stderr);
    assert!(run.stderr.contains("GOLD"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_fetch_works_offline() {
    let data = tempfile::tempdir().unwrap();
    let args = [
        "fetch",
        "--source",
        "demo",
        "--symbol",
        "GOLD",
        "--start",
        "2025-01-01",
        "--end",
        "2025-01-31",
    ];
    let run = commodex(data.path(), &args, &[]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("rows new 23"), "{}", run.stdout);
    let again = commodex(data.path(), &args, &[]).await;
    assert!(again.stdout.contains("already stored"), "{}", again.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_key_never_appears_in_output_errors_or_log_files() {
    let data = tempfile::tempdir().unwrap();
    let ok = spawn_replay(200, fixture("fmp/historical_gcusd.json")).await;
    let failing = spawn_replay(500, b"<html>Internal Server Error</html>".to_vec()).await;
    let refused = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let mut outputs = Vec::new();
    for base_url in [&ok.base_url, &failing.base_url, &refused] {
        let mut env = fmp_env(base_url);
        env.push(("COMMODEX_LOGGING__FILES", "true".to_string()));
        env.push(("COMMODEX_LOGGING__LEVEL", "debug".to_string()));
        let run = commodex(data.path(), &GOLD_JUNE, &borrowed(&env)).await;
        outputs.push(run.stdout);
        outputs.push(run.stderr);
    }
    for text in &outputs {
        assert!(!text.contains(KEY), "the key leaked: {text}");
    }
    assert!(outputs[3].contains("upstream"), "{}", outputs[3]);
    assert!(outputs[5].contains("cannot connect"), "{}", outputs[5]);
    let files = read_all_files(data.path());
    let providers_log = files
        .iter()
        .find(|(path, _)| path.to_string_lossy().contains("providers.log"))
        .map(|(_, text)| text.clone())
        .expect("providers.log is written");
    assert!(
        providers_log.contains("/stable/historical-price-eod/full"),
        "{providers_log}"
    );
    for (path, text) in files {
        assert!(
            !text.contains(KEY),
            "the key leaked into {}",
            path.display()
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn fetch_fills_a_hole_inside_the_stored_history_but_not_weekends() {
    let data = tempfile::tempdir().unwrap();
    // Stored: 2, 3, 6, 7 January (a weekend between) and 27 to 31 January: 8 to 26 January
    // is missing, 13 weekdays.
    let file = data.path().join("gold.csv");
    let mut csv = String::from("date,close\n");
    for day in [2, 3, 6, 7, 27, 28, 29, 30, 31] {
        csv.push_str(&format!("2025-01-{day:02},2600.5\n"));
    }
    std::fs::write(&file, csv).unwrap();
    let file = file.to_str().unwrap();
    let import = commodex(
        data.path(),
        &["import", file, "--source", "demo", "--symbol", "GOLD"],
        &[],
    )
    .await;
    assert_eq!(import.code, 0, "{}", import.stderr);
    let args = [
        "fetch",
        "--source",
        "demo",
        "--symbol",
        "GOLD",
        "--start",
        "2025-01-02",
        "--end",
        "2025-01-31",
    ];
    let run = commodex(data.path(), &args, &[]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("(2025-01-08..2025-01-26)"),
        "only the hole is asked for: {}",
        run.stdout
    );
    assert!(run.stdout.contains("rows new 13,"), "{}", run.stdout);
    let again = commodex(data.path(), &args, &[]).await;
    assert!(again.stdout.contains("already stored"), "{}", again.stdout);
}
