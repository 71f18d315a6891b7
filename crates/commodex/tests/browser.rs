//! The dashboard in a real browser: `commodex serve` on a random port over a fresh SQLite
//! database (with the demo history `serve` stores), driven through WebDriver by Debian's
//! headless Chromium, with the network closed to everything but this machine.
//!
//! Needs `chromium` and `chromedriver` on the PATH (`.ci/run` installs them). With
//! `DASHBOARD_SCREENSHOTS=<dir>` set, a PNG of each view is written there (not a `COMMODEX_`
//! name: the server would read that as configuration).

mod common;

use common::Sandbox;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use thirtyfour::components::SelectElement;
use thirtyfour::prelude::*;

/// The token the server is started with, so that saving goes through the token prompt.
const TOKEN: &str = "browser-test-token-0123456789";
/// Markup that would run script if any data were ever parsed as HTML.
const PAYLOAD: &str = "<img src=x onerror=alert(1)>";

/// A child process killed when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `commodex serve` in `sandbox` on a free port; its base URL.
fn start_server(sandbox: &Sandbox) -> (Process, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_commodex"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .current_dir(sandbox.path())
        .env("COMMODEX_PROFILE", "testing")
        .env("COMMODEX_DATA_DIR", sandbox.path().join("data"))
        .env("COMMODEX_API_TOKEN", TOKEN)
        // The sandbox has no config/ folder: the testing profile's fast poll is set here.
        .env("COMMODEX_LIVE__POLL_INTERVAL_SECS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start commodex serve");
    let stderr = child.stderr.take().expect("stderr");
    let (sender, receiver) = std::sync::mpsc::channel();
    // Keep reading stderr for the server's whole life, so that it never blocks on a full pipe.
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let address = line.split("listening on ").nth(1).map(str::trim);
            let _ = sender.send((address.map(str::to_string), line.clone()));
        }
    });
    let mut said = Vec::new();
    let address = loop {
        match receiver.recv_timeout(Duration::from_secs(120)) {
            Ok((Some(address), _)) => break address,
            Ok((None, line)) => said.push(line),
            Err(_) => panic!("the server did not start:\n{}", said.join("\n")),
        }
    };
    (Process(child), address)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// chromedriver on a free port, answering; its URL.
async fn start_chromedriver() -> (Process, String) {
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver on the PATH (apt-get install chromium-driver)");
    let url = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(response) = client.get(format!("{url}/status")).send().await
            && response.status().is_success()
        {
            break;
        }
        assert!(Instant::now() < deadline, "chromedriver did not start");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    (Process(child), url)
}

/// Headless Chromium that can reach this machine only.
async fn browser(chromedriver: &str) -> WebDriver {
    let mut caps = DesiredCapabilities::chrome();
    for arg in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1440,1400",
        "--hide-scrollbars",
        // Everything but loopback goes to a closed port, and no name resolves but localhost:
        // a request for anything outside this machine fails.
        "--proxy-server=http://127.0.0.1:9",
        "--proxy-bypass-list=127.0.0.1;localhost",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-sync",
    ] {
        caps.add_arg(arg).expect("chrome argument");
    }
    if let Some(binary) = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|path| std::path::Path::new(path).exists())
    {
        caps.set_binary(binary).expect("chrome binary");
    }
    caps.set("goog:loggingPrefs", json!({"browser": "ALL"}))
        .expect("logging preferences");
    WebDriver::new(chromedriver, caps)
        .await
        .expect("a Chromium session")
}

/// Runs `script` (which returns a value) in the page.
async fn eval(driver: &WebDriver, script: &str) -> Value {
    driver
        .execute(script, Vec::new())
        .await
        .unwrap_or_else(|error| panic!("script failed: {error}\n{script}"))
        .json()
        .clone()
}

/// Waits until `condition` (a JS expression) is true, failing with `what` after 30 s.
async fn wait_for(driver: &WebDriver, condition: &str, what: &str) {
    let script = format!("return Boolean({condition});");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if eval(driver, &script).await == Value::Bool(true) {
            return;
        }
        if Instant::now() > deadline {
            let problems = eval(driver, "return window.__commodex?.problems ?? null;").await;
            let text = eval(driver, "return document.querySelector('main').innerText;").await;
            panic!("timed out waiting for {what}\nproblems: {problems}\npage: {text}");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Whether a Plotly chart has been drawn in the element matching `selector`.
fn plotted(selector: &str) -> String {
    format!(
        "document.querySelector('{selector} .main-svg') !== null \
         && document.querySelector('{selector}').data?.length > 0"
    )
}

/// Clicks `selector` once it can be clicked: after a view switch or a resize the element may
/// be there but not yet laid out, which a user would not notice but WebDriver refuses.
async fn click(driver: &WebDriver, selector: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let element = driver
            .find(By::Css(selector))
            .await
            .unwrap_or_else(|_| panic!("no element {selector}"));
        match element.click().await {
            Ok(()) => return,
            Err(error) if Instant::now() >= deadline => {
                panic!("cannot click {selector}: {error}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

async fn select_value(driver: &WebDriver, selector: &str, value: &str) {
    let element = driver.find(By::Css(selector)).await.expect(selector);
    SelectElement::new(&element)
        .await
        .expect("a select")
        .select_by_value(value)
        .await
        .unwrap_or_else(|error| panic!("{selector} has no option {value}: {error}"));
}

async fn screenshot(driver: &WebDriver, name: &str) {
    capture(driver, name, "window.scrollTo(0, 0);").await;
}

/// A screenshot with the element matching `selector` at the top of the window (below the
/// sticky header): for a panel further down its view.
async fn screenshot_from(driver: &WebDriver, name: &str, selector: &str) {
    let scroll = format!(
        "const top = document.querySelector({}).getBoundingClientRect().top;
         window.scrollTo(0, top + window.scrollY - document.querySelector('header').offsetHeight - 8);",
        json!(selector)
    );
    capture(driver, name, &scroll).await;
}

/// Writes `<name>.png` under `DASHBOARD_SCREENSHOTS` after running `scroll`.
async fn capture(driver: &WebDriver, name: &str, scroll: &str) {
    let Ok(dir) = std::env::var("DASHBOARD_SCREENSHOTS") else {
        return;
    };
    // Relative paths are taken from the repository root, where they are committed.
    let mut dir = PathBuf::from(dir);
    if dir.is_relative() {
        dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(dir);
    }
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    // Nothing focused, transitions and chart animations settled.
    eval(
        driver,
        &format!("document.activeElement?.blur(); {scroll} return true;"),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    driver
        .screenshot(&dir.join(format!("{name}.png")))
        .await
        .expect("screenshot");
}

/// Whether the page is no wider than the window (nothing to scroll sideways on a phone).
const FITS_WIDTH: &str = "document.documentElement.scrollWidth <= window.innerWidth";

/// The weight inputs of the portfolio editor, as numbers.
const WEIGHTS: &str =
    "return [...document.querySelectorAll('input[name=asset-weight]')].map(i => Number(i.value));";

/// What the page recorded as going wrong (errors, rejections, console errors, CSP).
async fn problems(driver: &WebDriver) -> Value {
    eval(driver, "return window.__commodex.problems;").await
}

/// The browser's own console log, from chromedriver's log endpoint.
async fn browser_log(driver: &WebDriver, chromedriver: &str) -> Vec<Value> {
    let session = driver.session_id();
    let response = reqwest::Client::new()
        .post(format!("{chromedriver}/session/{session}/se/log"))
        .json(&json!({"type": "browser"}))
        .send()
        .await
        .expect("browser log");
    let body: Value = response.json().await.expect("log JSON");
    body["value"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn dashboard_works_offline_in_chromium_and_never_runs_data_as_html() {
    let sandbox = Sandbox::new();
    let (_server, address) = start_server(&sandbox);
    let (_chromedriver, chromedriver) = start_chromedriver().await;
    let driver = browser(&chromedriver).await;
    let result = drive(&driver, &address, &chromedriver).await;
    driver.quit().await.expect("close the browser");
    result.expect("the session");
}

async fn drive(driver: &WebDriver, address: &str, chromedriver: &str) -> WebDriverResult<()> {
    driver.goto(format!("{address}/")).await?;
    wait_for(driver, "document.body.dataset.ready === 'true'", "the app").await;
    assert_eq!(
        eval(driver, "return typeof window.Plotly;").await,
        "object",
        "the vendored chart library loaded"
    );

    // Prices: the demo source, then an asset from its grouped list.
    wait_for(
        driver,
        "document.querySelector('select[name=symbol] optgroup option')",
        "the grouped asset list",
    )
    .await;
    let groups = eval(
        driver,
        "return document.querySelectorAll('select[name=symbol] optgroup').length;",
    )
    .await;
    assert!(groups.as_u64().unwrap() >= 2, "assets grouped by category");
    assert_eq!(
        eval(
            driver,
            "return document.querySelector('select[name=source]').value;"
        )
        .await,
        "demo"
    );
    select_value(driver, "select[name=symbol]", "WTI").await;
    wait_for(driver, &plotted("#price-chart"), "the price chart").await;
    wait_for(
        driver,
        "document.querySelector('.series-title')?.textContent === 'WTI'",
        "WTI shown",
    )
    .await;
    let provenance = eval(
        driver,
        "return document.querySelector('.provenance').innerText;",
    )
    .await;
    let provenance = provenance.as_str().unwrap();
    assert!(provenance.contains("served by demo"), "{provenance}");
    assert!(provenance.contains("simulated"), "{provenance}");
    assert_eq!(
        eval(
            driver,
            "return document.querySelector('#price-chart').data[0].type;"
        )
        .await,
        "candlestick",
        "demo bars have OHLC, so candles"
    );
    click(driver, "button[data-preset='6M']").await;
    // Bollinger bands on the price, then two oscillators.
    click(driver, "input[name=bollinger]").await;
    wait_for(
        driver,
        "document.querySelector('#price-chart').data.length === 4",
        "Bollinger bands drawn on the price",
    )
    .await;
    wait_for(
        driver,
        "document.querySelectorAll('select[name=indicator] optgroup option').length >= 199",
        "the indicator picker filled from the catalog",
    )
    .await;
    select_value(driver, "select[name=indicator]", "rsi").await;
    click(driver, "button[data-action=add-indicator]").await;
    select_value(driver, "select[name=indicator]", "macd").await;
    click(driver, "button[data-action=add-indicator]").await;
    wait_for(
        driver,
        &plotted("[data-indicator=rsi] .chart"),
        "the RSI panel",
    )
    .await;
    wait_for(
        driver,
        &plotted("[data-indicator=macd] .chart"),
        "the MACD panel",
    )
    .await;
    let rsi_lines = eval(
        driver,
        "return document.querySelector('[data-indicator=rsi] .chart').layout.shapes.map(s => s.y0);",
    )
    .await;
    assert_eq!(rsi_lines, json!([30, 70]), "RSI reference lines");
    let rsi_values = eval(
        driver,
        "return document.querySelector('[data-indicator=rsi] .chart').data[0].y.filter(v => v !== null);",
    )
    .await;
    let rsi_values = rsi_values.as_array().unwrap();
    assert!(rsi_values.len() > 50, "RSI values from the API");
    assert!(
        rsi_values
            .iter()
            .all(|v| (0.0..=100.0).contains(&v.as_f64().unwrap()))
    );
    // Changing a parameter recomputes the panel.
    let period = driver
        .find(By::Css("[data-indicator=rsi] input[data-param=timeperiod]"))
        .await?;
    period.clear().await?;
    period.send_keys("7").await?;
    wait_for(
        driver,
        "document.querySelector('[data-indicator=rsi] h3').textContent.includes('rsi(7)')",
        "the RSI recomputed with period 7",
    )
    .await;
    screenshot(driver, "prices").await;

    // Two candlestick patterns as markers on the candles, a moving average on the price, and a
    // function the old fixed list lacked, with a parameter changed in the picker, in a panel.
    for function in ["cdlengulfing", "cdldoji", "ema"] {
        select_value(driver, "select[name=indicator]", function).await;
        click(driver, "button[data-action=add-indicator]").await;
    }
    select_value(driver, "select[name=indicator]", "linearreg_slope").await;
    let period = driver
        .find(By::Css(".indicator-picker input[data-param=timeperiod]"))
        .await?;
    period.clear().await?;
    period.send_keys("10").await?;
    click(driver, "button[data-action=add-indicator]").await;
    // A moving-average type, chosen in its list, goes by keyword.
    select_value(driver, "select[name=indicator]", "ppo").await;
    select_value(driver, ".indicator-picker select[data-param=matype]", "sma").await;
    click(driver, "button[data-action=add-indicator]").await;
    wait_for(
        driver,
        &format!(
            "document.querySelector('[data-indicator=ppo] h3').textContent.includes('ppo(12,26,matype=sma)') && {}",
            plotted("[data-indicator=ppo] .chart")
        ),
        "ppo on a simple moving average",
    )
    .await;
    wait_for(
        driver,
        &plotted("[data-indicator=linearreg_slope] .chart"),
        "the linearreg_slope panel",
    )
    .await;
    wait_for(
        driver,
        "document.querySelector('[data-indicator=linearreg_slope] h3').textContent.includes('linearreg_slope(10)')",
        "the picker's parameter in the spec",
    )
    .await;
    const MARKERS: &str =
        "document.querySelector('#price-chart').data.filter(t => t.meta?.pattern)";
    wait_for(
        driver,
        &format!("{MARKERS}.length === 4 && document.querySelector('#price-chart').data.some(t => t.name === 'ema')"),
        "the pattern markers and the EMA on the price",
    )
    .await;
    let fired = eval(
        driver,
        &format!("return Object.fromEntries({MARKERS}.map(t => [t.name, t.x.length]));"),
    )
    .await;
    assert!(fired["cdlengulfing ▲"].as_u64().unwrap() > 0, "{fired}");
    assert!(fired["cdlengulfing ▼"].as_u64().unwrap() > 0, "{fired}");
    assert!(fired["cdldoji ▲"].as_u64().unwrap() > 0, "{fired}");
    // Bullish markers under the bar's low, bearish over its high, each naming its pattern.
    let placed = eval(
        driver,
        &format!(
            "const c = document.querySelector('#price-chart').data[0];
             const low = new Map(c.x.map((d, i) => [d, c.low[i]]));
             const high = new Map(c.x.map((d, i) => [d, c.high[i]]));
             return {MARKERS}.every(t => t.x.every((d, i) =>
               (t.meta.kind === 'bullish' ? t.y[i] < low.get(d) : t.y[i] > high.get(d))
               && t.text[i].startsWith(t.meta.pattern + ' ')));"
        ),
    )
    .await;
    assert_eq!(placed, json!(true), "markers beside their bars, named");
    screenshot_from(driver, "prices-patterns", "#price-chart").await;

    // A crafted symbol reaches the API and comes back in the error as text.
    eval(
        driver,
        &format!(
            "const s = document.querySelector('select[name=symbol]');
             const o = document.createElement('option');
             o.value = {payload}; o.textContent = {payload};
             s.append(o); s.value = o.value; s.dispatchEvent(new Event('change'));
             return true;",
            payload = json!(PAYLOAD)
        ),
    )
    .await;
    wait_for(
        driver,
        "document.querySelector('#view-prices .message.error')",
        "the error for the crafted symbol",
    )
    .await;
    let error = eval(
        driver,
        "return document.querySelector('#view-prices .message.error').textContent;",
    )
    .await;
    let error = error.as_str().unwrap();
    assert!(error.contains(PAYLOAD), "the symbol shown as text: {error}");
    assert!(error.contains("correlation id"), "{error}");
    select_value(driver, "select[name=symbol]", "WTI").await;
    wait_for(driver, &plotted("#price-chart"), "WTI again").await;

    // Portfolio: two demo assets at 60/40, analysed.
    click(driver, "nav a[href='#portfolio']").await;
    wait_for(
        driver,
        "document.querySelectorAll('.asset-row').length === 2 && !document.querySelector('button[data-action=analyse]').disabled",
        "the default portfolio rows",
    )
    .await;

    // Optimise: a target return is asked for, and one out of reach is the server's error.
    select_value(driver, "select[name=objective]", "efficient-return").await;
    wait_for(
        driver,
        "!document.querySelector('input[name=target]').closest('.field').hidden",
        "the target field",
    )
    .await;
    click(driver, "button[data-action=optimise]").await;
    wait_for(
        driver,
        "document.querySelector('.optimise .field-error').textContent.includes('needs a target')",
        "a missing target refused in the page",
    )
    .await;
    driver
        .find(By::Css("input[name=target]"))
        .await?
        .send_keys("500")
        .await?;
    click(driver, "button[data-action=optimise]").await;
    wait_for(
        driver,
        "document.querySelector('.optimise .message.error')?.textContent.includes('out of reach')",
        "the server's sentence for a target out of reach",
    )
    .await;
    // The lowest volatility for the default two assets: the frontier with each asset, the
    // current and the proposed portfolio, the weight changes; then use them.
    select_value(driver, "select[name=objective]", "min-volatility").await;
    wait_for(
        driver,
        "document.querySelector('input[name=target]').closest('.field').hidden",
        "no target for min-volatility",
    )
    .await;
    let before = eval(driver, WEIGHTS).await;
    click(driver, "button[data-action=optimise]").await;
    wait_for(driver, &plotted("#frontier-chart"), "the frontier chart").await;
    wait_for(
        driver,
        "document.querySelectorAll('.weight-changes tbody tr').length === 2",
        "the weight changes",
    )
    .await;
    let traces = eval(
        driver,
        "return document.querySelector('#frontier-chart').data.map(t => [t.name, t.x.length]);",
    )
    .await;
    assert_eq!(
        traces,
        json!([
            ["Efficient frontier", 30],
            ["Assets", 2],
            ["Current", 1],
            ["Proposed", 1]
        ]),
        "the frontier, each asset, the current and the proposed portfolio"
    );
    let positive = eval(
        driver,
        "return document.querySelector('#frontier-chart').data.every(t => t.x.every(x => x > 0));",
    )
    .await;
    assert_eq!(positive, json!(true), "every point has a volatility");
    let changes = eval(
        driver,
        "return [...document.querySelectorAll('.weight-changes tbody tr')].map(r => r.innerText);",
    )
    .await;
    assert!(
        changes
            .as_array()
            .unwrap()
            .iter()
            .all(|row| row.as_str().unwrap().contains(" pp")),
        "{changes}"
    );
    click(driver, "button[data-action=use-weights]").await;
    // The rows now hold the proposed weights (in percent, to four decimals).
    wait_for(
        driver,
        "(() => {
           const proposed = Object.fromEntries([...document.querySelectorAll('.weight-changes tbody tr')]
             .map(r => [r.dataset.symbol, Number(r.dataset.proposed) * 100]));
           return [...document.querySelectorAll('.asset-row')].every(row =>
             Math.abs(Number(row.querySelector('input[name=asset-weight]').value)
               - proposed[row.querySelector('select[name=asset-symbol]').value]) < 1e-3);
         })()",
        "the proposed weights in the portfolio's rows",
    )
    .await;
    let after = eval(driver, WEIGHTS).await;
    assert_ne!(before, after, "the weights changed");
    screenshot_from(driver, "optimise", ".optimise").await;
    let weights = driver.find_all(By::Css("input[name=asset-weight]")).await?;
    weights[0].clear().await?;
    weights[0].send_keys("abc").await?;
    wait_for(
        driver,
        "document.querySelector('button[data-action=analyse]').disabled",
        "a bad weight disables Analyse",
    )
    .await;
    assert_eq!(
        weights[0].attr("aria-invalid").await?.as_deref(),
        Some("true")
    );
    weights[0].clear().await?;
    weights[0].send_keys("60").await?;
    weights[1].clear().await?;
    weights[1].send_keys("40").await?;
    let rows = driver.find_all(By::Css(".asset-row")).await?;
    SelectElement::new(&rows[0].find(By::Css("select[name=asset-symbol]")).await?)
        .await?
        .select_by_value("GOLD")
        .await?;
    SelectElement::new(&rows[1].find(By::Css("select[name=asset-symbol]")).await?)
        .await?
        .select_by_value("WTI")
        .await?;
    wait_for(
        driver,
        "document.querySelector('.weights-summary').textContent.includes('GOLD 60.0 %, WTI 40.0 %')",
        "the normalised weights",
    )
    .await;
    click(driver, "button[data-action=analyse]").await;
    wait_for(driver, &plotted("#wealth-chart"), "the wealth chart").await;
    for chart in [
        "#drawdown-chart",
        "#correlation-chart",
        "#risk-chart",
        "#rolling-chart",
    ] {
        wait_for(driver, &plotted(chart), chart).await;
    }
    assert_eq!(
        eval(
            driver,
            "return document.querySelector('#correlation-chart').data[0].type;"
        )
        .await,
        "heatmap"
    );
    let cards = eval(
        driver,
        "return [...document.querySelectorAll('.metric')].map(m => [m.dataset.metric, \
         m.querySelector('.metric-value').textContent, \
         document.getElementById(m.getAttribute('aria-describedby')).textContent]);",
    )
    .await;
    let cards = cards.as_array().unwrap();
    assert_eq!(cards.len(), 12, "{cards:?}");
    for card in cards {
        assert_ne!(card[1], "—", "every metric has a value: {card}");
        assert!(!card[2].as_str().unwrap().is_empty(), "explained: {card}");
    }

    // Save: the server wants a token; the page asks for it, then saves.
    let name = format!("Metals {PAYLOAD}");
    let name_input = driver.find(By::Css("input[name=portfolio-name]")).await?;
    name_input.send_keys(&name).await?;
    click(driver, "button[data-action=save]").await;
    wait_for(
        driver,
        "!document.querySelector('.token-area').hidden",
        "the token prompt after a 401",
    )
    .await;
    driver
        .find(By::Css("input[name=api-token]"))
        .await?
        .send_keys(TOKEN)
        .await?;
    click(driver, ".token-area button").await;
    wait_for(
        driver,
        "document.querySelector('.saved .message.ok')?.textContent.startsWith('Saved')",
        "the portfolio saved",
    )
    .await;
    let saved = eval(
        driver,
        "return document.querySelector('select[name=saved]').selectedOptions[0].textContent;",
    )
    .await;
    assert_eq!(saved, name.as_str(), "the name shown as text");
    // Load it back, then run the simulation on it.
    click(driver, "button[data-action=load]").await;
    wait_for(
        driver,
        "document.querySelector('.saved .message.ok')?.textContent.startsWith('Loaded')",
        "the portfolio loaded",
    )
    .await;
    wait_for(driver, &plotted("#wealth-chart"), "the reloaded analysis").await;
    screenshot(driver, "portfolio").await;

    click(driver, "nav a[href='#simulation']").await;
    wait_for(
        driver,
        "!document.querySelector('button[data-action=simulate]').disabled",
        "the simulation form",
    )
    .await;
    let paths = driver.find(By::Css("input[name=paths]")).await?;
    paths.clear().await?;
    paths.send_keys("2000").await?;
    select_value(driver, "select[name=method]", "bootstrap").await;
    click(driver, "button[data-action=simulate]").await;
    wait_for(driver, &plotted("#fan-chart"), "the fan chart").await;
    wait_for(driver, &plotted("#histogram-chart"), "the histogram").await;
    let fan_traces = eval(
        driver,
        "return document.querySelector('#fan-chart').data.length;",
    )
    .await;
    assert_eq!(fan_traces, 5, "five percentile paths");
    let var_marked = eval(
        driver,
        "return document.querySelector('#histogram-chart').layout.annotations[0].text;",
    )
    .await;
    assert!(
        var_marked.as_str().unwrap().starts_with("VaR 95 %"),
        "{var_marked}"
    );
    let caption = eval(
        driver,
        "return document.querySelector('#view-simulation .stats caption').textContent;",
    )
    .await;
    assert!(
        caption.as_str().unwrap().contains("2000 paths")
            && caption.as_str().unwrap().contains("bootstrap"),
        "{caption}"
    );
    screenshot(driver, "simulation").await;
    // Shuffle reorders the history: no horizon, but bust and goal, and a table in place of
    // the fan.
    select_value(driver, "select[name=method]", "shuffle").await;
    assert_eq!(
        eval(
            driver,
            "return [document.querySelector('input[name=horizon]').closest('.field').hidden,
                     document.querySelector('input[name=block-size]').closest('.field').hidden,
                     document.querySelector('input[name=bust]').closest('.field').hidden];"
        )
        .await,
        json!([true, true, false]),
        "shuffle hides the horizon and block size, shows bust"
    );
    driver
        .find(By::Css("input[name=bust]"))
        .await?
        .send_keys("-0.1")
        .await?;
    driver
        .find(By::Css("input[name=goal]"))
        .await?
        .send_keys("0")
        .await?;
    click(driver, "button[data-action=simulate]").await;
    wait_for(
        driver,
        "document.querySelectorAll('.resampled-stats tbody tr').length === 9 \
         && document.querySelector('[data-metric=bust_probability]') \
         && document.querySelector('[data-metric=goal_probability]')",
        "the shuffle table and probabilities",
    )
    .await;
    wait_for(driver, &plotted("#resampled-chart"), "the box chart").await;
    let shuffled = eval(
        driver,
        "return [document.querySelector('.resampled-stats caption').textContent,
                 document.querySelector('#view-simulation .results:not(.resampled)').hidden,
                 [...document.querySelectorAll('.resampled-odds .metric-value')].map(v => v.textContent)];",
    )
    .await;
    assert!(
        shuffled[0].as_str().unwrap().contains("2000 paths")
            && shuffled[0].as_str().unwrap().contains("shuffle"),
        "{shuffled}"
    );
    assert_eq!(
        shuffled[1], true,
        "the fan and histogram hidden: {shuffled}"
    );
    assert!(
        shuffled[2]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v.as_str().unwrap().ends_with(" %")),
        "{shuffled}"
    );
    screenshot_from(driver, "simulation-shuffle", ".resampled").await;

    // Report: the saved portfolio beside a benchmark, and its tearsheet to download.
    click(driver, "nav a[href='#report']").await;
    wait_for(
        driver,
        "document.querySelector('select[name=benchmark] option[value=COPPER]') \
         && !document.querySelector('button[data-action=report]').disabled",
        "the report form",
    )
    .await;
    select_value(driver, "select[name=benchmark]", "COPPER").await;
    click(driver, "button[data-action=report]").await;
    wait_for(
        driver,
        "document.querySelectorAll('.report-metrics tbody tr').length > 0",
        "the key metrics",
    )
    .await;
    for chart in [
        "#report-cumulative",
        "#report-drawdown",
        "#report-eoy",
        "#report-rolling-volatility",
        "#report-rolling-sharpe",
    ] {
        wait_for(driver, &plotted(chart), chart).await;
    }
    let metrics = eval(
        driver,
        "return [...document.querySelectorAll('.report-metrics tr')].map(r => [...r.cells].map(c => c.textContent));",
    )
    .await;
    let metrics = metrics.as_array().unwrap();
    assert_eq!(
        metrics[0],
        json!(["Metric", "Portfolio", "COPPER"]),
        "the benchmark beside the portfolio"
    );
    assert_eq!(
        metrics.len(),
        1 + 11 + 2,
        "11 metrics, beta and alpha: {metrics:?}"
    );
    for row in &metrics[1..] {
        assert_ne!(row[1], "—", "every metric has a value: {row}");
    }
    assert!(metrics.iter().any(|row| row[0] == "Beta"), "{metrics:?}");
    assert_eq!(
        eval(
            driver,
            "return document.querySelector('#report-cumulative').data.map(t => t.name);"
        )
        .await,
        json!(["Portfolio", "COPPER"])
    );
    let coloured = eval(
        driver,
        "return [...document.querySelectorAll('.monthly-returns tbody td')].filter(c => c.style.backgroundColor).length;",
    )
    .await;
    assert!(
        coloured.as_u64().unwrap() >= 12,
        "monthly cells coloured: {coloured}"
    );
    let href = eval(
        driver,
        "return document.querySelector('a[data-action=download-report]').getAttribute('href');",
    )
    .await;
    let href = href.as_str().expect("a saved portfolio can be downloaded");
    assert!(
        href.starts_with("/api/v1/portfolios/") && href.contains("benchmark=COPPER"),
        "{href}"
    );
    // The link leads to the tearsheet (the script's promise is awaited by WebDriver).
    let tearsheet = eval(
        driver,
        "return fetch(document.querySelector('a[data-action=download-report]').href)
           .then(r => [r.status, r.headers.get('content-type')]);",
    )
    .await;
    assert_eq!(tearsheet[0], 200, "{tearsheet}");
    assert!(
        tearsheet[1].as_str().unwrap().starts_with("text/html"),
        "{tearsheet}"
    );
    screenshot(driver, "report").await;

    // Backtest: a rule built with the indicator helper, traded on a demo series.
    click(driver, "nav a[href='#backtest']").await;
    wait_for(
        driver,
        "document.querySelector('select[name=backtest-symbol] option[value=WTI]') \
         && !document.querySelector('button[data-action=insert-indicator]').disabled",
        "the backtest form and the indicator helper",
    )
    .await;
    let groups = eval(
        driver,
        "return [...document.querySelectorAll('select[name=insert-indicator] optgroup')].map(g => g.label);",
    )
    .await;
    assert!(
        groups.as_array().unwrap().len() >= 10
            && groups
                .as_array()
                .unwrap()
                .contains(&json!("Pattern Recognition")),
        "the catalog grouped by TA-Lib group: {groups}"
    );
    select_value(driver, "select[name=backtest-symbol]", "WTI").await;
    // A crafted rule comes back in the server's error, shown as text.
    let entry = driver.find(By::Css("input[name=entry]")).await?;
    entry.clear().await?;
    entry.send_keys(PAYLOAD).await?;
    click(driver, "button[data-action=backtest]").await;
    wait_for(
        driver,
        "document.querySelector('#view-backtest .message.error')?.textContent.includes('<img')",
        "the rule error, as text",
    )
    .await;
    entry.clear().await?;
    click(driver, "input[name=entry]").await;
    select_value(driver, "select[name=insert-indicator]", "rsi(14)").await;
    click(driver, "button[data-action=insert-indicator]").await;
    assert_eq!(entry.value().await?.as_deref(), Some("rsi(14)"), "inserted");
    entry.send_keys(" < 40").await?;
    let exit = driver.find(By::Css("input[name=exit]")).await?;
    exit.clear().await?;
    exit.send_keys("rsi(14) > 60").await?;
    click(driver, "button[data-action=backtest]").await;
    wait_for(driver, &plotted("#backtest-equity"), "the equity chart").await;
    wait_for(driver, &plotted("#backtest-drawdown"), "the drawdown chart").await;
    wait_for(
        driver,
        "document.querySelector('#backtest-price')?.data?.[1]?.x.length > 0 \
         && document.querySelectorAll('.trades-table tbody tr').length > 0",
        "the trade markers and the trades table",
    )
    .await;
    let marked = eval(
        driver,
        "const c = document.querySelector('#backtest-price');
         return [c.data.map(t => t.marker?.symbol ?? null),
                 c.data[1].x.length,
                 document.querySelectorAll('.trades-table tbody tr').length,
                 document.querySelector('#backtest-equity').data.map(t => t.name)];",
    )
    .await;
    assert_eq!(
        marked[0],
        json!([null, "triangle-up", "triangle-down"]),
        "{marked}"
    );
    assert_eq!(marked[1], marked[2], "one entry marker a trade: {marked}");
    assert_eq!(marked[3], json!(["Strategy", "Buy and hold"]), "{marked}");
    let stats = eval(
        driver,
        "return [...document.querySelectorAll('.backtest-stats tbody tr')].map(r => [...r.cells].map(c => c.textContent));",
    )
    .await;
    let sharpe = stats
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row[0] == "Sharpe")
        .unwrap_or_else(|| panic!("{stats}"));
    assert!(sharpe[1] != "—" && sharpe[2] != "—", "{sharpe}");
    screenshot_from(driver, "backtest", ".backtest-single").await;

    // A two-parameter sweep: a heatmap of every combination and the best ones.
    entry.clear().await?;
    entry.send_keys("rsi({p}) < {lo}").await?;
    exit.clear().await?;
    exit.send_keys("rsi({p}) > 60").await?;
    driver
        .find(By::Css("textarea[name=grid]"))
        .await?
        .send_keys("p=5..8\nlo=20..30")
        .await?;
    click(driver, "button[data-action=backtest]").await;
    wait_for(driver, &plotted("#backtest-heatmap"), "the sweep heatmap").await;
    let heat = eval(
        driver,
        "const t = document.querySelector('#backtest-heatmap').data[0];
         return [t.type, t.z.length, t.z[0].length, document.querySelectorAll('.best-table tbody tr').length];",
    )
    .await;
    assert_eq!(
        heat,
        json!(["heatmap", 4, 11, 10]),
        "4 × 11 scores, the best 10"
    );
    screenshot_from(driver, "backtest-sweep", ".backtest-sweep").await;

    // Live: the socket connects and the demo source's ticks (a 1 s poll in the testing
    // profile) reach the ticker.
    click(driver, "nav a[href='#live']").await;
    wait_for(
        driver,
        "document.querySelector('.connection').dataset.state === 'live'",
        "the live connection",
    )
    .await;
    wait_for(
        driver,
        "[...document.querySelectorAll('.tick .tick-price')].some((p) => /[0-9]/.test(p.textContent))",
        "a live price in the ticker",
    )
    .await;
    screenshot(driver, "live").await;

    click(driver, "nav a[href='#sources']").await;
    wait_for(
        driver,
        "document.querySelector('.sources-table tr[data-source=demo]')",
        "the sources table",
    )
    .await;
    let demo = eval(
        driver,
        "return document.querySelector('tr[data-source=demo]').innerText;",
    )
    .await;
    assert!(demo.as_str().unwrap().contains("Ready"), "{demo}");
    screenshot(driver, "sources").await;

    // A phone-sized window still shows the views.
    driver.set_window_rect(0, 0, 400, 860).await?;
    click(driver, "nav a[href='#prices']").await;
    wait_for(
        driver,
        &plotted("#price-chart"),
        "the price chart on a phone",
    )
    .await;
    wait_for(
        driver,
        FITS_WIDTH,
        "the prices and the picker within a phone's width",
    )
    .await;
    screenshot(driver, "prices-phone").await;
    // The optimiser and the report fit a phone too (their tables scroll inside themselves).
    click(driver, "nav a[href='#portfolio']").await;
    click(driver, "button[data-action=optimise]").await;
    wait_for(
        driver,
        &format!(
            "!document.querySelector('.optimise-results').hidden && {}",
            plotted("#frontier-chart")
        ),
        "the frontier on a phone",
    )
    .await;
    wait_for(driver, FITS_WIDTH, "the optimiser within a phone's width").await;
    click(driver, "nav a[href='#report']").await;
    let rate = driver.find(By::Css("input[name=report-risk-free]")).await?;
    rate.clear().await?;
    rate.send_keys("1").await?;
    click(driver, "button[data-action=report]").await;
    wait_for(
        driver,
        "document.querySelector('.report-metrics caption').textContent.includes('risk-free 1.00 %')",
        "the report recomputed on a phone",
    )
    .await;
    wait_for(driver, &plotted("#report-cumulative"), "the report's chart").await;
    wait_for(driver, FITS_WIDTH, "the report within a phone's width").await;
    // The backtest too: the best combination's rules loaded back, then run on their own.
    click(driver, "nav a[href='#backtest']").await;
    wait_for(driver, FITS_WIDTH, "the sweep within a phone's width").await;
    click(driver, ".best-table tbody tr:first-child button").await;
    assert_eq!(
        eval(
            driver,
            "return document.querySelector('textarea[name=grid]').value;"
        )
        .await,
        "",
        "the grid cleared"
    );
    click(driver, "button[data-action=backtest]").await;
    wait_for(
        driver,
        &format!(
            "!document.querySelector('.backtest-single').hidden && {}",
            plotted("#backtest-equity")
        ),
        "the best combination backtested on a phone",
    )
    .await;
    wait_for(driver, FITS_WIDTH, "the backtest within a phone's width").await;
    driver.set_window_rect(0, 0, 1440, 1400).await?;

    // Delete the saved portfolio.
    click(driver, "nav a[href='#portfolio']").await;
    click(driver, "button[data-action=delete]").await;
    wait_for(
        driver,
        "document.querySelector('.saved .message.ok')?.textContent.startsWith('Deleted')",
        "the portfolio deleted",
    )
    .await;
    assert_eq!(
        eval(
            driver,
            "return document.querySelector('select[name=saved]').textContent;"
        )
        .await,
        "No saved portfolios"
    );
    // Unsaved, the portfolio's report cannot be downloaded, and the link says why.
    let link = driver
        .find(By::Css("a[data-action=download-report]"))
        .await?;
    assert_eq!(link.attr("aria-disabled").await?.as_deref(), Some("true"));
    assert_eq!(link.attr("href").await?, None);
    assert!(
        link.attr("title")
            .await?
            .unwrap_or_default()
            .contains("Save the portfolio"),
        "the disabled link says why"
    );

    // Nothing ran: no element was made from the payload, no alert opened, nothing went wrong.
    assert_eq!(
        eval(driver, "return document.querySelectorAll('img').length;").await,
        0,
        "no element was made from data"
    );
    assert!(
        driver.get_alert_text().await.is_err(),
        "no alert dialog opened"
    );
    assert_eq!(problems(driver).await, json!([]), "page problems");
    // Every request stayed on this machine.
    let foreign = eval(
        driver,
        "return performance.getEntriesByType('resource').map(e => e.name)\
         .filter(n => !n.startsWith(location.origin) && !n.startsWith('ws://' + location.host) && !n.startsWith('data:'));",
    )
    .await;
    assert_eq!(foreign, json!([]), "requests outside the server");
    // The browser's own log: no errors, save the answers this test provoked on purpose (the
    // 401 before the token, the crafted symbol's 4xx, the unreachable target's 400, the
    // crafted rule's 400).
    let severe: Vec<Value> = browser_log(driver, chromedriver)
        .await
        .into_iter()
        .filter(|entry| entry["level"] == "SEVERE")
        .filter(|entry| {
            let message = entry["message"].as_str().unwrap_or_default();
            let provoked = entry["source"] == "network"
                && ((message.contains("/api/v1/portfolios") && message.contains("401"))
                    || (message.contains("/api/v1/portfolio/optimize") && message.contains("400"))
                    || (message.contains("/api/v1/backtest") && message.contains("400"))
                    || message.contains("%3Cimg"));
            !provoked
        })
        .collect();
    assert!(severe.is_empty(), "browser errors: {severe:#?}");
    Ok(())
}
