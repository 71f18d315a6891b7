//! Static SVG charts for the tearsheet: line and area charts over dates, and bar charts.
//!
//! No script and no external file: every chart is markup, so the page opens offline, prints as
//! it looks, and passes the server's Content-Security-Policy. Long series are reduced to the
//! first, lowest, highest and last point of each horizontal pixel column, which draws the same
//! picture as every point would.

use super::format::escape;
use analytics::report::Date;
use std::fmt::Write as _;

/// Chart width and height in SVG units (the SVG scales to its container).
const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 260.0;
/// Plot margins: left for the y labels, bottom for the years.
const LEFT: f64 = 64.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;

/// How the y axis labels its values.
#[derive(Debug, Clone, Copy)]
pub enum Scale {
    /// 0.05 → "5%".
    Percent,
    /// 1.25 → "1.25".
    Ratio,
    /// 12 → "12".
    Count,
}

impl Scale {
    fn label(self, value: f64, step: f64) -> String {
        match self {
            Scale::Percent => {
                let digits = decimals(step * 100.0);
                format!("{:.*}%", digits, value * 100.0)
            }
            Scale::Ratio => format!("{:.*}", decimals(step), value),
            Scale::Count => format!("{value:.0}"),
        }
    }
}

/// One line of a chart.
pub struct Line<'a> {
    /// Its name in the legend.
    pub label: &'a str,
    /// One value per date; `None` is a gap (a rolling window's lookback).
    pub values: &'a [Option<f64>],
    /// A CSS colour.
    pub color: &'a str,
    /// Fills between the line and zero (the underwater plot).
    pub fill: bool,
}

/// A chart of `lines` over `dates`, with a zero line when zero is in range.
pub fn line_chart(title: &str, dates: &[Date], lines: &[Line<'_>], scale: Scale) -> String {
    let values = lines
        .iter()
        .flat_map(|l| l.values.iter().flatten().copied());
    let Some((low, high)) = range(values.chain(lines.iter().any(|l| l.fill).then_some(0.0))) else {
        return String::new();
    };
    let ticks = nice_ticks(low, high);
    let (y0, y1) = (ticks[0], ticks[ticks.len() - 1]);
    let n = dates.len().max(2);
    let x = |i: usize| LEFT + (WIDTH - LEFT - RIGHT) * i as f64 / (n - 1) as f64;
    let y = |v: f64| TOP + (HEIGHT - TOP - BOTTOM) * (y1 - v) / (y1 - y0);
    let mut svg = open(title);
    y_axis(&mut svg, &ticks, scale, y);
    x_axis(&mut svg, dates, x);
    for line in lines {
        for run in runs(line.values) {
            let points = decimate(&run.1, run.0);
            if line.fill {
                let mut path = format!("M{:.1},{:.1}", x(points[0].0), y(0.0));
                for &(i, v) in &points {
                    let _ = write!(path, "L{:.1},{:.1}", x(i), y(v));
                }
                let _ = write!(path, "L{:.1},{:.1}Z", x(points[points.len() - 1].0), y(0.0));
                let _ = write!(
                    svg,
                    r#"<path d="{path}" fill="{}" fill-opacity="0.25" stroke="none"/>"#,
                    line.color
                );
            }
            let mut path = String::new();
            for (k, &(i, v)) in points.iter().enumerate() {
                let _ = write!(
                    path,
                    "{}{:.1},{:.1}",
                    if k == 0 { "M" } else { "L" },
                    x(i),
                    y(v)
                );
            }
            let _ = write!(
                svg,
                r#"<path d="{path}" fill="none" stroke="{}" stroke-width="1.4"/>"#,
                line.color
            );
        }
    }
    legend(
        &mut svg,
        lines.iter().map(|l| (l.label, l.color)).collect::<Vec<_>>(),
    );
    svg.push_str("</svg>");
    svg
}

/// A bar chart: one group per category, one bar per series, each bar titled with its value.
pub fn bar_chart(
    title: &str,
    categories: &[String],
    series: &[(&str, &str, Vec<Option<f64>>)],
    scale: Scale,
) -> String {
    let values = series.iter().flat_map(|s| s.2.iter().flatten().copied());
    let Some((low, high)) = range(values.chain(std::iter::once(0.0))) else {
        return String::new();
    };
    let ticks = nice_ticks(low, high);
    let (y0, y1) = (ticks[0], ticks[ticks.len() - 1]);
    let y = |v: f64| TOP + (HEIGHT - TOP - BOTTOM) * (y1 - v) / (y1 - y0);
    let mut svg = open(title);
    y_axis(&mut svg, &ticks, scale, y);
    let group = (WIDTH - LEFT - RIGHT) / categories.len().max(1) as f64;
    let bar = group * 0.8 / series.len().max(1) as f64;
    let label_every = (categories.len() / 24).max(1);
    for (c, category) in categories.iter().enumerate() {
        let left = LEFT + group * c as f64 + group * 0.1;
        for (s, (label, color, values)) in series.iter().enumerate() {
            if let Some(v) = values[c] {
                let (top, bottom) = (y(v.max(0.0)), y(v.min(0.0)));
                let _ = write!(
                    svg,
                    r#"<rect x="{:.1}" y="{top:.1}" width="{:.1}" height="{:.1}" fill="{color}"><title>{} {}: {}</title></rect>"#,
                    left + bar * s as f64,
                    bar.max(0.5),
                    (bottom - top).max(0.5),
                    escape(label),
                    escape(category),
                    scale.label(v, 0.001)
                );
            }
        }
        if c % label_every == 0 {
            let _ = write!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" class="tick" text-anchor="middle">{}</text>"#,
                left + group * 0.4,
                HEIGHT - 8.0,
                escape(category)
            );
        }
    }
    legend(
        &mut svg,
        series.iter().map(|s| (s.0, s.1)).collect::<Vec<_>>(),
    );
    svg.push_str("</svg>");
    svg
}

/// A histogram of `values` in `bins` equal bins, with the mean marked.
pub fn histogram(title: &str, values: &[f64], bins: usize, color: &str) -> String {
    let Some((low, high)) = range(values.iter().copied()) else {
        return String::new();
    };
    let width = if high > low {
        (high - low) / bins as f64
    } else {
        1.0
    };
    let mut counts = vec![0usize; bins];
    for &v in values {
        let bin = (((v - low) / width) as usize).min(bins - 1);
        counts[bin] += 1;
    }
    let categories: Vec<String> = (0..bins)
        .map(|b| format!("{:.1}%", 100.0 * (low + width * (b as f64 + 0.5))))
        .collect();
    let heights = counts.iter().map(|&c| Some(c as f64)).collect();
    bar_chart(
        title,
        &categories,
        &[("count", color, heights)],
        Scale::Count,
    )
}

fn open(title: &str) -> String {
    format!(
        r#"<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{0}" xmlns="http://www.w3.org/2000/svg"><title>{0}</title>"#,
        escape(title)
    )
}

fn y_axis(svg: &mut String, ticks: &[f64], scale: Scale, y: impl Fn(f64) -> f64) {
    let step = if ticks.len() > 1 {
        ticks[1] - ticks[0]
    } else {
        1.0
    };
    for &tick in ticks {
        let class = if tick == 0.0 { "zero" } else { "grid" };
        let (right, label_x, at) = (WIDTH - RIGHT, LEFT - 6.0, y(tick));
        let _ = write!(
            svg,
            r#"<line x1="{LEFT}" x2="{right:.1}" y1="{at:.1}" y2="{at:.1}" class="{class}"/><text x="{label_x:.1}" y="{:.1}" class="tick" text-anchor="end">{}</text>"#,
            at + 4.0,
            scale.label(tick, step)
        );
    }
}

fn x_axis(svg: &mut String, dates: &[Date], x: impl Fn(usize) -> f64) {
    let Some((first, last)) = dates.first().zip(dates.last()) else {
        return;
    };
    let years = (last.ymd().0 - first.ymd().0).max(1);
    let every = match years {
        ..=12 => 1,
        13..=30 => 2,
        _ => 5,
    };
    let mut previous = first.ymd().0;
    for (i, date) in dates.iter().enumerate().skip(1) {
        let year = date.ymd().0;
        if year != previous && year % every == 0 {
            let _ = write!(
                svg,
                r#"<line x1="{0:.1}" x2="{0:.1}" y1="{TOP}" y2="{1:.1}" class="grid"/><text x="{0:.1}" y="{2:.1}" class="tick" text-anchor="middle">{year}</text>"#,
                x(i),
                HEIGHT - BOTTOM,
                HEIGHT - 8.0
            );
        }
        previous = year;
    }
}

fn legend(svg: &mut String, entries: Vec<(&str, &str)>) {
    if entries.len() < 2 {
        return;
    }
    let mut left = LEFT + 8.0;
    for (label, color) in entries {
        let _ = write!(
            svg,
            r#"<rect x="{left:.1}" y="{TOP}" width="10" height="10" fill="{color}"/><text x="{:.1}" y="{:.1}" class="legend">{}</text>"#,
            left + 14.0,
            TOP + 9.0,
            escape(label)
        );
        left += 24.0 + 7.0 * label.chars().count() as f64;
    }
}

/// The lowest and highest finite value, widened when they are equal.
fn range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (low, high) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if low > high {
        return None;
    }
    if low == high {
        let pad = if low == 0.0 { 1.0 } else { low.abs() * 0.1 };
        return Some((low - pad, high + pad));
    }
    Some((low, high))
}

/// About five round ticks covering `low..=high`.
fn nice_ticks(low: f64, high: f64) -> Vec<f64> {
    let raw = (high - low) / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let first = (low / step).floor() as i64;
    let last = (high / step).ceil() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// Decimal places that tell ticks `step` apart.
fn decimals(step: f64) -> usize {
    if step <= 0.0 || !step.is_finite() {
        return 2;
    }
    (-(step.log10().floor())).clamp(0.0, 6.0) as usize
}

/// Stretches of consecutive defined values: (index of the first, the values).
fn runs(values: &[Option<f64>]) -> Vec<(usize, Vec<f64>)> {
    let mut out: Vec<(usize, Vec<f64>)> = Vec::new();
    let mut current: Option<(usize, Vec<f64>)> = None;
    for (i, value) in values.iter().enumerate() {
        match (value.filter(|v| v.is_finite()), current.as_mut()) {
            (Some(v), Some((_, run))) => run.push(v),
            (Some(v), None) => current = Some((i, vec![v])),
            (None, _) => out.extend(current.take()),
        }
    }
    out.extend(current);
    out
}

/// At most four points per pixel column: first, lowest, highest, last, in index order.
fn decimate(values: &[f64], offset: usize) -> Vec<(usize, f64)> {
    const COLUMNS: usize = 900;
    if values.len() <= 4 * COLUMNS {
        return values
            .iter()
            .enumerate()
            .map(|(i, &v)| (offset + i, v))
            .collect();
    }
    let per = values.len().div_ceil(COLUMNS);
    let mut out = Vec::with_capacity(4 * COLUMNS);
    for (c, chunk) in values.chunks(per).enumerate() {
        let base = offset + c * per;
        let (lo, hi) = chunk.iter().enumerate().fold((0, 0), |(lo, hi), (i, &v)| {
            (
                if v < chunk[lo] { i } else { lo },
                if v > chunk[hi] { i } else { hi },
            )
        });
        let mut keep = vec![0, lo, hi, chunk.len() - 1];
        keep.sort_unstable();
        keep.dedup();
        out.extend(keep.into_iter().map(|i| (base + i, chunk[i])));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        let ticks = nice_ticks(-0.23, 0.41);
        assert!(ticks[0] <= -0.23 && *ticks.last().unwrap() >= 0.41);
        assert!(ticks.len() <= 8, "{ticks:?}");
        assert!(ticks.contains(&0.0));
    }

    #[test]
    fn decimation_keeps_the_extremes_and_the_ends() {
        let values: Vec<f64> = (0..10_000).map(|i| (i as f64 * 0.01).sin()).collect();
        let kept = decimate(&values, 5);
        assert!(kept.len() <= 3600);
        assert_eq!(kept[0], (5, values[0]));
        assert_eq!(*kept.last().unwrap(), (5 + 9_999, values[9_999]));
        let max = kept.iter().map(|p| p.1).fold(f64::MIN, f64::max);
        assert_eq!(max, values.iter().copied().fold(f64::MIN, f64::max));
    }

    #[test]
    fn gaps_split_a_line() {
        let runs = runs(&[None, Some(1.0), Some(2.0), None, Some(3.0)]);
        assert_eq!(runs, vec![(1, vec![1.0, 2.0]), (4, vec![3.0])]);
    }
}
