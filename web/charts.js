// Plotly, vendored under vendor/plotly and loaded as a classic script before the modules,
// with the dashboard's look applied in one place.

import { el, replace } from './dom.js';

/** Colours of the dashboard, shared by the charts and the CSS. */
export const colors = {
  text: '#d7deea',
  muted: '#8b97ab',
  grid: '#263045',
  line: '#4ea1ff',
  up: '#2fbf71',
  down: '#ef5b5b',
  accent: '#f5b841',
  series: ['#4ea1ff', '#f5b841', '#2fbf71', '#c678dd', '#ef5b5b', '#56c7d6', '#e5c07b', '#98a6ff'],
};

const config = {
  responsive: true,
  displaylogo: false,
  modeBarButtonsToRemove: ['lasso2d', 'select2d', 'autoScale2d'],
};

/** Whether the chart library loaded. */
export function chartsReady() {
  return typeof window.Plotly === 'object' && window.Plotly !== null;
}

/** The common layout, merged with `overrides` (axes merged one level deep). */
export function layout(overrides = {}) {
  const axis = {
    gridcolor: colors.grid,
    zerolinecolor: colors.grid,
    linecolor: colors.grid,
    tickfont: { color: colors.muted },
    automargin: true,
  };
  const base = {
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    font: { family: 'Inter, system-ui, -apple-system, Segoe UI, Roboto, sans-serif', color: colors.text, size: 12 },
    margin: { l: 56, r: 16, t: 36, b: 36 },
    legend: { orientation: 'h', x: 0, y: 1.02, yanchor: 'bottom', font: { color: colors.muted } },
    hovermode: 'x unified',
    hoverlabel: { bgcolor: '#131a29', bordercolor: colors.grid, font: { color: colors.text } },
    xaxis: { ...axis },
    yaxis: { ...axis },
  };
  const merged = { ...base, ...overrides };
  for (const key of Object.keys(overrides)) {
    if (/^[xy]axis\d*$/.test(key)) merged[key] = { ...axis, ...overrides[key] };
  }
  return merged;
}

/** A horizontal reference line at `y` for a layout's `shapes`. */
export function referenceLine(y, color = colors.muted) {
  return {
    type: 'line',
    xref: 'paper',
    x0: 0,
    x1: 1,
    y0: y,
    y1: y,
    line: { color, width: 1, dash: 'dash' },
  };
}

/**
 * Draws (or redraws) a chart in `node`. `description` labels it for screen readers. When
 * the chart library did not load, says so in the node instead.
 */
export function draw(node, traces, chartLayout, description) {
  node.setAttribute('role', 'img');
  node.setAttribute('aria-label', description);
  if (!chartsReady()) {
    replace(node, el('p', { class: 'message error', text: 'The chart library did not load; charts cannot be drawn.' }));
    return Promise.resolve();
  }
  return window.Plotly.react(node, traces, chartLayout, config);
}

/**
 * Fits every chart inside `container` to its current width: a chart drawn or last resized
 * while hidden keeps the width it had then.
 */
export function resizeWithin(container) {
  if (!chartsReady()) return;
  for (const chart of container.querySelectorAll('.js-plotly-plot')) {
    // A hidden chart cannot be measured: it is fitted when its own container is shown.
    if (chart.offsetParent !== null) window.Plotly.Plots.resize(chart);
  }
}

/** Removes a chart and frees what the library holds for it. */
export function clear(node) {
  if (chartsReady()) window.Plotly.purge(node);
  replace(node);
}
