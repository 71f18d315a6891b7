//! The HTML tearsheet of a report: one self-contained page with the sections of QuantStats'
//! `qs.reports.html` — key metrics beside the benchmark's, cumulative returns, end-of-year
//! returns, the monthly heatmap, the worst drawdowns, the underwater plot, rolling
//! volatility, Sharpe, Sortino and beta, and the return distribution.
//!
//! Charts are inline SVG (see `svg.rs`): nothing is fetched, no script runs, and the page
//! prints as it shows. Every label that came from a user (title, symbols) is escaped.

mod format;
mod svg;

use crate::service::report::ReportAnswer;
use analytics::report::{DrawdownPeriod, PeriodDistribution, worst_drawdowns};
use format::{Unit, escape, label, number, unit};
use std::fmt::Write as _;
use svg::{Line, Scale, bar_chart, histogram, line_chart};

const PORTFOLIO_COLOR: &str = "#1f6feb";
const BENCHMARK_COLOR: &str = "#8b949e";
const SECOND_COLOR: &str = "#d29922";

/// The statistics of the key-metrics table, in QuantStats' order.
const KEY_METRICS: &[&str] = &[
    "comp",
    "cagr",
    "sharpe",
    "probabilistic_sharpe_ratio",
    "smart_sharpe",
    "sortino",
    "smart_sortino",
    "adjusted_sortino",
    "omega",
    "max_drawdown",
    "volatility",
    "r_squared",
    "information_ratio",
    "treynor_ratio",
    "calmar",
    "skew",
    "kurtosis",
    "expected_return",
    "kelly_criterion",
    "risk_of_ruin",
    "value_at_risk",
    "expected_shortfall",
    "consecutive_wins",
    "consecutive_losses",
    "gain_to_pain_ratio",
    "payoff_ratio",
    "profit_factor",
    "common_sense_ratio",
    "cpc_index",
    "tail_ratio",
    "outlier_win_ratio",
    "outlier_loss_ratio",
    "best",
    "worst",
    "avg_win",
    "avg_loss",
    "win_rate",
    "ulcer_index",
    "serenity_index",
    "recovery_factor",
];

/// The tearsheet of `answer`, titled `title`.
pub fn render(answer: &ReportAnswer, title: &str) -> String {
    let report = &answer.report;
    let benchmark = answer.benchmark.as_deref();
    let mut html = String::with_capacity(256 * 1024);
    let _ = write!(
        html,
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{}</title><style>{STYLE}</style></head><body><header><h1>{}</h1><p>{}</p></header><main>"#,
        escape(title),
        escape(title),
        escape(&subtitle(answer))
    );
    html.push_str(
        r#"<div class="columns"><section class="metrics"><h2>Key performance metrics</h2>"#,
    );
    key_metrics(&mut html, answer);
    html.push_str("</section><section class=\"charts\">");

    let cumulative = some(&report.cumulative_returns);
    let benchmark_cumulative = report.benchmark_cumulative_returns.as_deref().map(some);
    let mut lines = vec![Line {
        label: "Portfolio",
        values: &cumulative,
        color: PORTFOLIO_COLOR,
        fill: false,
    }];
    if let (Some(name), Some(values)) = (benchmark, &benchmark_cumulative) {
        lines.push(Line {
            label: name,
            values,
            color: BENCHMARK_COLOR,
            fill: false,
        });
    }
    figure(
        &mut html,
        "Cumulative returns",
        &line_chart("Cumulative returns", &report.dates, &lines, Scale::Percent),
    );

    let years: Vec<String> = report
        .eoy_returns
        .iter()
        .map(|y| y.year.to_string())
        .collect();
    let mut eoy = vec![(
        "Portfolio",
        PORTFOLIO_COLOR,
        report.eoy_returns.iter().map(|y| Some(y.value)).collect(),
    )];
    if let (Some(name), Some(rows)) = (benchmark, &report.benchmark_eoy_returns) {
        eoy.push((
            name,
            BENCHMARK_COLOR,
            rows.iter().map(|y| Some(y.value)).collect(),
        ));
    }
    figure(
        &mut html,
        "End-of-year returns",
        &bar_chart("End-of-year returns", &years, &eoy, Scale::Percent),
    );

    let underwater = some(&report.drawdown);
    figure(
        &mut html,
        "Underwater",
        &line_chart(
            "Underwater",
            &report.dates,
            &[Line {
                label: "Drawdown",
                values: &underwater,
                color: "#cf222e",
                fill: true,
            }],
            Scale::Percent,
        ),
    );
    html.push_str("<h2>Worst drawdowns</h2>");
    drawdown_table(&mut html, &worst_drawdowns(&report.drawdown_details, 10));

    html.push_str("<h2>Monthly returns</h2>");
    monthly_heatmap(&mut html, answer);

    for (name, values, scale) in [
        (
            "Rolling volatility (6 months)",
            &report.rolling_volatility,
            Scale::Percent,
        ),
        (
            "Rolling Sharpe (6 months)",
            &report.rolling_sharpe,
            Scale::Ratio,
        ),
        (
            "Rolling Sortino (6 months)",
            &report.rolling_sortino,
            Scale::Ratio,
        ),
    ] {
        figure(
            &mut html,
            name,
            &line_chart(
                name,
                &report.dates,
                &[Line {
                    label: name,
                    values,
                    color: PORTFOLIO_COLOR,
                    fill: false,
                }],
                scale,
            ),
        );
    }
    if !report.rolling_greeks.is_empty() {
        let labels: Vec<String> = report
            .rolling_greeks
            .iter()
            .map(|g| format!("{} returns", g.window))
            .collect();
        let lines: Vec<Line<'_>> = report
            .rolling_greeks
            .iter()
            .zip(&labels)
            .zip([PORTFOLIO_COLOR, SECOND_COLOR])
            .map(|((greeks, label), color)| Line {
                label,
                values: &greeks.beta,
                color,
                fill: false,
            })
            .collect();
        figure(
            &mut html,
            "Rolling beta to the benchmark",
            &line_chart("Rolling beta", &report.dates, &lines, Scale::Ratio),
        );
    }

    let monthly: Vec<f64> = all(&report.distribution.monthly);
    figure(
        &mut html,
        "Distribution of monthly returns",
        &histogram(
            "Distribution of monthly returns",
            &monthly,
            20,
            PORTFOLIO_COLOR,
        ),
    );
    html.push_str("<h2>Return quantiles by period</h2>");
    quantiles(&mut html, answer);
    html.push_str("</section></div>");
    all_statistics(&mut html, answer);
    let _ = write!(
        html,
        "</main><footer>Commodex {} · statistics as QuantStats 0.0.86 defines them · {} returns</footer></body></html>",
        env!("CARGO_PKG_VERSION"),
        report.dates.len()
    );
    html
}

fn subtitle(answer: &ReportAnswer) -> String {
    let weights: Vec<String> = answer
        .weights
        .iter()
        .map(|w| format!("{} {:.1}%", w.symbol, 100.0 * w.weight))
        .collect();
    let range = match (answer.start, answer.end) {
        (Some(start), Some(end)) => format!("{start} to {end}"),
        _ => String::new(),
    };
    let mut text = format!("{range} · {}", weights.join(", "));
    if let Some(benchmark) = &answer.benchmark {
        let _ = write!(text, " · benchmark {benchmark}");
    }
    let _ = write!(text, " · risk-free {:.2}%", 100.0 * answer.risk_free);
    text
}

fn key_metrics(html: &mut String, answer: &ReportAnswer) {
    let report = &answer.report;
    let benchmark = report.benchmark_stats.as_ref();
    html.push_str("<table><thead><tr><th>Metric</th><th>Portfolio</th>");
    if let Some(name) = &answer.benchmark {
        let _ = write!(html, "<th>{}</th>", escape(name));
    }
    html.push_str("</tr></thead><tbody>");
    let cell =
        |value: Option<f64>, name: &str| value.map_or("–".to_owned(), |v| number(v, unit(name)));
    for &name in KEY_METRICS {
        let value = report.stats.values.get(name).copied();
        if value.is_none() && !report.undefined.contains_key(name) {
            continue;
        }
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td>",
            escape(&label(name)),
            cell(value, name)
        );
        if let Some(stats) = benchmark {
            let _ = write!(html, "<td>{}</td>", cell(stats.get(name).copied(), name));
        }
        html.push_str("</tr>");
    }
    if let Some(greeks) = &report.stats.greeks {
        for (name, value) in [("beta", greeks.beta), ("alpha", greeks.alpha)] {
            let _ = write!(
                html,
                "<tr><td>{}</td><td>{}</td><td>–</td></tr>",
                label(name),
                number(value, unit(name))
            );
        }
    }
    html.push_str("</tbody></table>");
}

fn drawdown_table(html: &mut String, periods: &[DrawdownPeriod]) {
    if periods.is_empty() {
        html.push_str("<p>No drawdown.</p>");
        return;
    }
    html.push_str("<table><thead><tr><th>Started</th><th>Valley</th><th>Recovered</th><th>Days</th><th>Drawdown</th></tr></thead><tbody>");
    for period in periods {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.2}%</td></tr>",
            period.start, period.valley, period.end, period.days, period.max_drawdown_percent
        );
    }
    html.push_str("</tbody></table>");
}

fn monthly_heatmap(html: &mut String, answer: &ReportAnswer) {
    let rows = &answer.report.monthly_returns;
    let scale = rows
        .iter()
        .flat_map(|r| r.months.iter())
        .fold(0.0_f64, |m, v| m.max(v.abs()))
        .max(1e-12);
    html.push_str("<table class=\"heatmap\"><thead><tr><th>Year</th>");
    for month in [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ] {
        let _ = write!(html, "<th>{month}</th>");
    }
    html.push_str("<th>Year</th></tr></thead><tbody>");
    for row in rows {
        let _ = write!(html, "<tr><th>{}</th>", row.year);
        for &value in &row.months {
            let strength = (value.abs() / scale).min(1.0);
            let color = if value >= 0.0 {
                "31,136,61"
            } else {
                "207,34,46"
            };
            let _ = write!(
                html,
                r#"<td style="background:rgba({color},{:.2})">{:.2}</td>"#,
                0.08 + 0.72 * strength,
                100.0 * value
            );
        }
        let _ = write!(html, "<td class=\"eoy\">{:.2}</td></tr>", 100.0 * row.eoy);
    }
    html.push_str("</tbody></table><p class=\"note\">Compounded monthly returns, in percent.</p>");
}

fn quantiles(html: &mut String, answer: &ReportAnswer) {
    let distribution = &answer.report.distribution;
    html.push_str("<table><thead><tr><th>Period</th><th>Count</th><th>Min</th><th>25%</th><th>Median</th><th>75%</th><th>Max</th></tr></thead><tbody>");
    for (name, period) in [
        ("Daily", &distribution.daily),
        ("Weekly", &distribution.weekly),
        ("Monthly", &distribution.monthly),
        ("Quarterly", &distribution.quarterly),
        ("Yearly", &distribution.yearly),
    ] {
        let mut values = all(period);
        if values.is_empty() {
            continue;
        }
        values.sort_by(f64::total_cmp);
        let _ = write!(html, "<tr><td>{name}</td><td>{}</td>", values.len());
        for q in [0.0, 0.25, 0.5, 0.75, 1.0] {
            let _ = write!(
                html,
                "<td>{}</td>",
                number(quantile(&values, q), Unit::Percent)
            );
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table>");
}

fn all_statistics(html: &mut String, answer: &ReportAnswer) {
    let report = &answer.report;
    html.push_str("<section class=\"all\"><h2>Every statistic</h2><table><thead><tr><th>QuantStats name</th><th>Portfolio</th>");
    if let Some(name) = &answer.benchmark {
        let _ = write!(html, "<th>{}</th>", escape(name));
    }
    html.push_str("</tr></thead><tbody>");
    for (name, value) in &report.stats.values {
        let _ = write!(html, "<tr><td><code>{name}</code></td><td>{value:.6}</td>");
        if let Some(stats) = &report.benchmark_stats {
            match stats.get(name) {
                Some(v) => {
                    let _ = write!(html, "<td>{v:.6}</td>");
                }
                None => html.push_str("<td>–</td>"),
            }
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table>");
    if !report.undefined.is_empty() {
        html.push_str("<h3>Undefined for this portfolio</h3><ul>");
        for (name, why) in &report.undefined {
            let _ = write!(html, "<li><code>{name}</code>: {}</li>", escape(why));
        }
        html.push_str("</ul>");
    }
    html.push_str("</section>");
}

fn figure(html: &mut String, caption: &str, svg: &str) {
    if svg.is_empty() {
        return;
    }
    let _ = write!(
        html,
        "<figure><figcaption>{}</figcaption>{svg}</figure>",
        escape(caption)
    );
}

fn some(values: &[f64]) -> Vec<Option<f64>> {
    values.iter().map(|&v| Some(v)).collect()
}

fn all(period: &PeriodDistribution) -> Vec<f64> {
    period
        .values
        .iter()
        .chain(&period.outliers)
        .copied()
        .collect()
}

/// Linear-interpolated quantile of sorted values (numpy's default).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let position = q * (sorted.len() - 1) as f64;
    let below = position.floor() as usize;
    let above = position.ceil() as usize;
    sorted[below] + (sorted[above] - sorted[below]) * (position - below as f64)
}

const STYLE: &str = "\
:root{--ink:#1f2328;--muted:#59636e;--line:#d1d9e0;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--ink)}\
body{margin:0 auto;max-width:1400px;padding:24px}\
header h1{margin:0;font-size:1.6rem}header p{margin:4px 0 16px;color:var(--muted)}\
h2{font-size:1.05rem;margin:24px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}\
.columns{display:grid;grid-template-columns:minmax(300px,1fr) 2.4fr;gap:32px;align-items:start}\
@media (max-width:900px){.columns{grid-template-columns:1fr}}\
table{border-collapse:collapse;width:100%;font-size:.85rem;font-variant-numeric:tabular-nums}\
th,td{padding:3px 6px;border-bottom:1px solid var(--line);text-align:right}\
th:first-child,td:first-child{text-align:left}\
.heatmap td{text-align:center;font-size:.78rem}.heatmap .eoy{font-weight:600}\
figure{margin:16px 0}figcaption{font-weight:600;margin-bottom:4px}\
svg{width:100%;height:auto;display:block}\
svg .grid{stroke:#eaeef2;stroke-width:1}svg .zero{stroke:#8c959f;stroke-width:1}\
svg .tick,svg .legend{font-size:11px;fill:var(--muted)}\
.note{color:var(--muted);font-size:.8rem}\
.all table{max-width:720px}\
footer{margin-top:32px;color:var(--muted);font-size:.8rem}\
@media print{body{padding:0;max-width:none}.columns{grid-template-columns:1fr 2fr}figure,table,h2{break-inside:avoid}section.all{break-before:page}}";
