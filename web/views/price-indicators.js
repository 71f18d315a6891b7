// Where a catalog function is drawn in the Prices view, and its Plotly traces: on the price
// panel (overlap studies, price transforms, anything else in price units), as markers on the
// candles (candlestick patterns), or in its own panel with its conventional reference lines.

import { colors } from '../charts.js';

/** TA-Lib groups whose functions are prices themselves. */
const PRICE_GROUPS = new Set(['Overlap Studies', 'Price Transform']);
/** In those groups but not a price: AVGDEV is a deviation, around 0 not around the price. */
const NOT_PRICE = new Set(['avgdev']);
/** In other groups but in price units: regression lines, rolling extremes, VWAP, rounding. */
const PRICE_ELSEWHERE = new Set(['linearreg', 'linearreg_intercept', 'tsf', 'max', 'min', 'minmax', 'vwap', 'ceil', 'floor']);
/** Outputs of a price function that are not prices (SuperTrend's direction, ±1). */
const OFF_PRICE_OUTPUTS = { supertrend: new Set(['trend']) };
/** Drawn as dots, as charting tools show a parabolic SAR. */
const DOTS = new Set(['sar', 'sarext']);

/** Reference lines and fixed ranges where the oscillator has conventional ones. */
const REFERENCES = {
  rsi: { lines: [30, 70], range: [0, 100] },
  stoch: { lines: [20, 80], range: [0, 100] },
  stochf: { lines: [20, 80], range: [0, 100] },
  stochrsi: { lines: [20, 80], range: [0, 100] },
  willr: { lines: [-20, -80], range: [-100, 0] },
  cci: { lines: [-100, 100] },
  mfi: { lines: [20, 80], range: [0, 100] },
  ultosc: { lines: [30, 70], range: [0, 100] },
  macd: { lines: [0] },
  macdext: { lines: [0] },
  macdfix: { lines: [0] },
};

/** Where `info` is drawn: `'price'`, `'pattern'` (markers on the candles) or `'panel'`. */
export function placement(info) {
  if (info.group === 'Pattern Recognition') return 'pattern';
  if (PRICE_GROUPS.has(info.group) && !NOT_PRICE.has(info.name)) return 'price';
  return PRICE_ELSEWHERE.has(info.name) ? 'price' : 'panel';
}

/** A sentence for the picker saying where the function will be drawn. */
export function placementHint(info) {
  return {
    price: 'Drawn on the price chart.',
    pattern: 'Marked on the candles: ▲ below the low where bullish, ▼ above the high where bearish.',
    panel: 'Drawn in its own panel under the price.',
  }[placement(info)];
}

/** The reference lines (and y range, if fixed) of a panel function: `{lines, range}`. */
export function references(info) {
  return REFERENCES[info.name] || { lines: [] };
}

/** The answer's columns for `spec`: `[[output, values]]` (output '' for a single-output function). */
export function columns(table, spec) {
  return Object.entries(table?.indicators || {})
    .filter(([key]) => key === spec || key.startsWith(`${spec}.`))
    .map(([key, values]) => [key.slice(spec.length + 1), values]);
}

/** Lines (or dots) on the price chart for a price function; `colorIndex` picks its colour. */
export function priceTraces(info, spec, table, colorIndex) {
  const off = OFF_PRICE_OUTPUTS[info.name] || new Set();
  return columns(table, spec)
    .filter(([output]) => !off.has(output))
    .map(([output, values], index) => {
      const color = colors.series[(colorIndex + index + 1) % colors.series.length];
      const name = output ? `${spec}.${output}` : spec;
      if (DOTS.has(info.name)) {
        // SAREXT says short by a negative sign; the level on the chart is its magnitude.
        const y = values.map((v) => (v === null ? null : Math.abs(v)));
        return { type: 'scatter', mode: 'markers', name, x: table.dates, y, marker: { color, size: 4 } };
      }
      return { type: 'scatter', mode: 'lines', name, x: table.dates, y: values, line: { color, width: 1.3 } };
    });
}

/**
 * Markers for a candlestick pattern over `bars` (by date): ▲ under the low where the value is
 * positive (bullish), ▼ over the high where negative (bearish), each pattern `slot` steps of
 * `gap` further out so that patterns on the same bar do not hide one another.
 */
export function patternTraces(spec, table, bars, slot, gap) {
  const byDate = new Map(bars.map((bar) => [bar.date, bar]));
  const sides = {
    bullish: { x: [], y: [], text: [], symbol: 'triangle-up', color: colors.up, mark: '▲' },
    bearish: { x: [], y: [], text: [], symbol: 'triangle-down', color: colors.down, mark: '▼' },
  };
  const values = columns(table, spec)[0]?.[1] || [];
  for (const [i, value] of values.entries()) {
    const bar = byDate.get(table.dates[i]);
    if (!value || !bar) continue;
    const side = value > 0 ? sides.bullish : sides.bearish;
    // A line chart has no high or low: the close stands for both.
    const low = bar.low ?? bar.close;
    const high = bar.high ?? bar.close;
    side.x.push(table.dates[i]);
    side.y.push(value > 0 ? low - gap * (slot + 1) : high + gap * (slot + 1));
    // The hikkakes answer ±200 when a later bar confirms the pattern, ±100 on the pattern itself.
    const confirmed = Math.abs(value) >= 200 ? ', confirmed' : '';
    side.text.push(`${spec} ${value > 0 ? '+' : ''}${value} (${value > 0 ? 'bullish' : 'bearish'}${confirmed})`);
  }
  return Object.entries(sides).map(([kind, side]) => ({
    type: 'scatter',
    mode: 'markers',
    name: `${spec} ${side.mark}`,
    legendgroup: spec,
    meta: { pattern: spec, kind },
    x: side.x,
    y: side.y,
    text: side.text,
    hovertemplate: '%{text}<extra></extra>',
    marker: { symbol: side.symbol, color: side.color, size: 9, line: { color: '#0b1020', width: 1 } },
  }));
}

/** Traces for a function in its own panel: lines, and bars for a histogram output. */
export function panelTraces(spec, table) {
  return columns(table, spec).map(([output, values], index) => {
    if (output === 'hist') {
      return {
        type: 'bar',
        name: 'histogram',
        x: table.dates,
        y: values,
        marker: { color: values.map((v) => (v >= 0 ? colors.up : colors.down)) },
        opacity: 0.6,
      };
    }
    return {
      type: 'scatter',
      mode: 'lines',
      name: output || spec,
      x: table.dates,
      y: values,
      line: { color: colors.series[index % colors.series.length], width: 1.4 },
    };
  });
}
