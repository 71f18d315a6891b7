// Prices: a source, then one of its assets (grouped by category), a date range, the price
// chart (line or candles) with where the prices came from, Bollinger bands on it, and any
// catalog function the user adds: on the price, as pattern markers on the candles, or in its
// own panel under it.

import { api, withLoading, errorBox, isAbort } from '../api.js';
import { loadSources, loadCommodities, assetGroups, sourceOptions } from '../catalog.js';
import { colors, draw, layout, referenceLine, clear } from '../charts.js';
import { el, field, select, fillSelect, replace, uid, formatNumber } from '../dom.js';
import { parameterForm, specOf } from '../indicator-catalog.js';
import { rangePicker } from '../range.js';
import { indicatorPicker } from './indicator-picker.js';
import { placement, references, columns, priceTraces, patternTraces, panelTraces } from './price-indicators.js';

/** The API computes at most this many indicators a request. */
const MAX_INDICATORS = 20;

/** Builds the view into `section`. */
export function mount(section) {
  const sourceSelect = select([], { name: 'source' });
  const assetSelect = select([], { name: 'symbol' });
  const chartType = select(
    [
      ['candles', 'Candles'],
      ['line', 'Line'],
    ],
    { name: 'chart-type' },
  );
  const range = rangePicker(() => loadSeries());
  const bandsToggle = el('input', { type: 'checkbox', name: 'bollinger' });
  const bandsPeriod = el('input', { type: 'number', min: 2, max: 500, value: 20, name: 'bollinger-period', class: 'narrow' });
  const bandsWidth = el('input', { type: 'number', min: 0.5, max: 5, step: 0.5, value: 2, name: 'bollinger-width', class: 'narrow' });
  const picker = indicatorPicker((info, values) => addIndicator(info, values));
  const status = el('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const provenance = el('div', { class: 'provenance', 'aria-live': 'polite' });
  const priceChart = el('div', { class: 'chart chart-price', id: 'price-chart' });
  const onPrice = el('ul', { class: 'on-price', 'aria-label': 'Indicators on the price' });
  const panels = el('div', { class: 'panels' });
  const indicatorStatus = el('div', { class: 'status', role: 'status', 'aria-live': 'polite' });

  replace(
    section,
    el('h2', { text: 'Prices' }),
    el(
      'form',
      { class: 'toolbar', 'aria-label': 'Price chart settings', onsubmit: (event) => event.preventDefault() },
      field('Source', sourceSelect),
      field('Asset', assetSelect),
      field('Chart', chartType),
      range.node,
    ),
    status,
    el(
      'div',
      { class: 'card' },
      provenance,
      priceChart,
      onPrice,
      el(
        'fieldset',
        { class: 'overlay-controls' },
        el('legend', { text: 'Bollinger bands on the price' }),
        el('label', { class: 'check' }, bandsToggle, ' Show'),
        field('Period', bandsPeriod),
        field('Width (std devs)', bandsWidth),
      ),
    ),
    picker.node,
    indicatorStatus,
    panels,
  );

  /** The indicators added, in order: on the price, as pattern markers, or in panels. */
  const active = [];
  let series = null;
  let seriesRequest = null;
  let indicatorRequest = null;

  function query() {
    const { start, end } = range.value();
    return { source: sourceSelect.value, symbol: assetSelect.value, start, end };
  }

  async function init() {
    const sources = await withLoading(status, () => loadSources(), { label: 'Loading sources…' });
    if (!sources) return;
    const options = sourceOptions(sources);
    fillSelect(sourceSelect, options);
    if (options.some(([id]) => id === 'demo')) sourceSelect.value = 'demo';
    await Promise.all([loadAssets(), picker.load()]);
  }

  async function loadAssets() {
    const catalog = await withLoading(status, () => loadCommodities(sourceSelect.value), {
      label: 'Loading assets…',
    });
    if (!catalog) return;
    fillSelect(assetSelect, assetGroups(catalog));
    await loadSeries();
  }

  async function loadSeries() {
    if (!assetSelect.value) return;
    seriesRequest?.abort();
    const controller = new AbortController();
    seriesRequest = controller;
    const answer = await withLoading(
      status,
      () => api('/prices', { query: query(), signal: controller.signal }),
      { label: `Loading ${assetSelect.value}…` },
    );
    if (controller.signal.aborted) return;
    if (!answer) {
      series = null;
      clear(priceChart);
      replace(provenance);
      return;
    }
    series = answer;
    showProvenance(answer);
    await refreshIndicators();
  }

  function showProvenance(answer) {
    const bars = answer.data || [];
    const last = bars[bars.length - 1];
    const badges = [
      el('span', { class: 'badge', text: `source ${answer.source}` }),
      el('span', { class: 'badge', text: `served by ${answer.served_by}` }),
      answer.stale
        ? el('span', { class: 'badge warn', text: 'stale', title: 'The provider could not be reached; these are the last stored prices.' })
        : el('span', { class: 'badge ok', text: 'fresh' }),
      answer.simulated
        ? el('span', { class: 'badge info', text: 'simulated', title: 'Demo prices, generated offline — not market data.' })
        : null,
      el('span', { class: 'muted', text: `${bars.length} ${answer.interval || 'daily'} bars` }),
      last ? el('span', { class: 'muted', text: `last ${last.date}: ${formatNumber(last.close)}` }) : null,
    ];
    replace(provenance, el('h3', { class: 'series-title', text: answer.symbol }), el('div', { class: 'badges' }, badges));
  }

  function hasOhlc(bars) {
    return bars.length > 0 && bars.every((bar) => bar.open != null && bar.high != null && bar.low != null);
  }

  function indicatorSpecs() {
    const specs = active.map((item) => item.spec());
    if (bandsToggle.checked) specs.push(bandsSpec());
    // The same function twice is computed once: the answer is keyed by spec.
    return [...new Set(specs.filter(Boolean))];
  }

  function bandsSpec() {
    const period = Number.parseInt(bandsPeriod.value, 10);
    const width = Number.parseFloat(bandsWidth.value);
    if (!(period >= 2) || !(width > 0)) return null;
    return `bbands(${period},${width},${width})`;
  }

  async function refreshIndicators() {
    if (!series) return;
    const specs = indicatorSpecs();
    let table = null;
    if (specs.length > 0) {
      indicatorRequest?.abort();
      const controller = new AbortController();
      indicatorRequest = controller;
      table = await withLoading(
        indicatorStatus,
        () => api('/indicators', { query: { ...query(), indicator: specs }, signal: controller.signal }),
        { label: 'Computing indicators…' },
      );
      if (controller.signal.aborted) return;
    } else {
      replace(indicatorStatus);
    }
    drawPrice(table);
    for (const item of active) item.draw(table);
  }

  function column(table, spec, output) {
    if (!table) return null;
    const key = output ? `${spec}.${output}` : spec;
    return table.indicators?.[key] ?? null;
  }

  function drawPrice(table) {
    const bars = series.data || [];
    const dates = bars.map((bar) => bar.date);
    const candles = chartType.value === 'candles' && hasOhlc(bars);
    chartType.querySelector('option[value="candles"]').disabled = !hasOhlc(bars);
    const traces = [
      candles
        ? {
            type: 'candlestick',
            name: series.symbol,
            x: dates,
            open: bars.map((bar) => bar.open),
            high: bars.map((bar) => bar.high),
            low: bars.map((bar) => bar.low),
            close: bars.map((bar) => bar.close),
            increasing: { line: { color: colors.up } },
            decreasing: { line: { color: colors.down } },
          }
        : {
            type: 'scatter',
            mode: 'lines',
            name: series.symbol,
            x: dates,
            y: bars.map((bar) => bar.close),
            line: { color: colors.line, width: 1.6 },
          },
    ];
    const spec = bandsToggle.checked ? bandsSpec() : null;
    if (spec && table) {
      const band = (output, name, extra) => ({
        type: 'scatter',
        mode: 'lines',
        name,
        x: table.dates,
        y: column(table, spec, output),
        line: { color: colors.accent, width: 1, dash: output === 'middle' ? 'dot' : 'solid' },
        hoverinfo: 'skip',
        ...extra,
      });
      // The lower band fills up to the upper one drawn just before it.
      traces.push(
        band('upper', 'Upper band'),
        band('lower', 'Lower band', { fill: 'tonexty', fillcolor: 'rgba(245,184,65,0.06)' }),
        band('middle', 'Middle band'),
      );
    }
    traces.push(...overlayTraces(bars, table));
    const title = `${series.symbol} (${series.served_by})`;
    draw(
      priceChart,
      traces,
      layout({
        height: 420,
        xaxis: { rangeslider: { visible: false }, type: 'date' },
        yaxis: { title: { text: 'Price' }, fixedrange: false },
      }),
      `${candles ? 'Candlestick' : 'Line'} chart of ${title}, ${bars.length} bars`,
    ).then(syncZoom);
  }

  /** The price functions' lines and the patterns' markers, in the order they were added. */
  function overlayTraces(bars, table) {
    if (!table) return [];
    const highs = bars.map((bar) => bar.high ?? bar.close);
    const lows = bars.map((bar) => bar.low ?? bar.close);
    // Markers sit a fortieth of the price range beyond the candle, one step more per pattern.
    const span = Math.max(...highs) - Math.min(...lows);
    const gap = Number.isFinite(span) && span > 0 ? span / 40 : 1;
    const traces = [];
    let patterns = 0;
    for (const [index, item] of active.entries()) {
      const spec = item.spec();
      if (!spec || item.kind === 'panel') continue;
      if (item.kind === 'price') traces.push(...priceTraces(item.info, spec, table, index));
      else {
        const marks = patternTraces(spec, table, bars, patterns, gap);
        patterns += 1;
        item.count(marks[0].x.length, marks[1].x.length);
        traces.push(...marks);
      }
    }
    return traces;
  }

  /** Adds a catalog function with parameter `values`: a row under the price, or a panel. */
  function addIndicator(info, values) {
    const specs = new Set(indicatorSpecs());
    if (!specs.has(specOf(info, values)) && specs.size >= MAX_INDICATORS) {
      replace(indicatorStatus, el('p', { class: 'message error', text: `At most ${MAX_INDICATORS} indicators at once: remove one first.` }));
      return;
    }
    // The API refuses a function whose input column is missing on any bar, and the whole
    // request fails with it: say so here rather than lose every other indicator.
    const bars = series?.data || [];
    const lacking = (info.inputs || []).find((input) => bars.some((bar) => bar[input] == null));
    if (lacking) {
      const count = bars.filter((bar) => bar[lacking] == null).length;
      const text = `${info.name} reads ${lacking}, which ${count} of the ${bars.length} bars shown lack: pick a range where every bar has it.`;
      replace(indicatorStatus, el('p', { class: 'message error', text }));
      return;
    }
    const kind = placement(info);
    const form = parameterForm(info, values);
    const heading = el(kind === 'panel' ? 'h3' : 'span', { id: uid('ind'), class: 'item-title', text: info.name });
    const removeButton = el('button', { type: 'button', class: 'ghost', text: 'Remove', 'aria-label': `Remove ${info.name}` });
    const note = el('span', { class: 'hint' });
    const chart = kind === 'panel' ? el('div', { class: 'chart chart-oscillator' }) : null;
    const node =
      kind === 'panel'
        ? el(
            'section',
            { class: 'card oscillator', 'aria-labelledby': heading.id, 'data-indicator': info.name },
            el('div', { class: 'panel-head' }, heading, form.node, removeButton),
            chart,
          )
        : el('li', { class: 'on-price-item', 'data-indicator': info.name, 'data-placement': kind }, heading, form.node, note, removeButton);
    let timer = null;
    for (const control of form.controls) {
      control.addEventListener(control.tagName === 'SELECT' ? 'change' : 'input', () => {
        clearTimeout(timer);
        timer = setTimeout(() => refreshIndicators(), 400);
      });
    }
    const item = {
      info,
      kind,
      spec() {
        const current = form.read();
        return current ? specOf(info, current) : null;
      },
      /** Says how often a pattern fired in the range drawn. */
      count(bullish, bearish) {
        note.textContent = `${bullish} ▲ · ${bearish} ▼`;
      },
      draw(table) {
        const spec = item.spec();
        heading.textContent = spec && spec !== info.name ? `${info.name} · ${spec}` : info.name;
        if (kind === 'panel') drawPanel(chart, info, spec, table);
      },
    };
    removeButton.addEventListener('click', () => {
      active.splice(active.indexOf(item), 1);
      if (chart) clear(chart);
      node.remove();
      picker.focus();
      refreshIndicators();
    });
    active.push(item);
    (kind === 'panel' ? panels : onPrice).append(node);
    refreshIndicators().then(syncZoom);
    return item;
  }

  /** Draws a panel function in `chart`, with its reference lines, on the price's dates. */
  function drawPanel(chart, info, spec, table) {
    if (!spec || !table || columns(table, spec).length === 0) {
      clear(chart);
      return;
    }
    const traces = panelTraces(spec, table);
    const { lines, range } = references(info);
    draw(
      chart,
      traces,
      layout({
        height: 220,
        margin: { l: 56, r: 16, t: 16, b: 32 },
        showlegend: traces.length > 1,
        xaxis: { type: 'date', range: priceRange() },
        yaxis: range ? { range } : {},
        shapes: lines.map((y) => referenceLine(y)),
      }),
      lines.length
        ? `${spec} of ${series.symbol} with reference lines at ${lines.join(' and ')}`
        : `${spec} of ${series.symbol}`,
    );
  }

  function priceRange() {
    const range = priceChart.layout?.xaxis?.range;
    return range ? [...range] : undefined;
  }

  /** Zooming the price chart zooms the oscillators with it. */
  function syncZoom() {
    if (typeof priceChart.on !== 'function' || priceChart.dataset.synced) return;
    priceChart.dataset.synced = 'yes';
    priceChart.on('plotly_relayout', (event) => {
      const start = event['xaxis.range[0]'];
      const end = event['xaxis.range[1]'];
      const update = start !== undefined ? { 'xaxis.range': [start, end] } : event['xaxis.autorange'] ? { 'xaxis.autorange': true } : null;
      if (!update) return;
      for (const chart of panels.querySelectorAll('.chart-oscillator')) {
        if (chart.data) window.Plotly.relayout(chart, update);
      }
    });
  }

  sourceSelect.addEventListener('change', () => loadAssets());
  assetSelect.addEventListener('change', () => loadSeries());
  chartType.addEventListener('change', () => series && refreshIndicators());
  bandsToggle.addEventListener('change', () => refreshIndicators());
  for (const input of [bandsPeriod, bandsWidth]) {
    input.addEventListener('change', () => bandsToggle.checked && refreshIndicators());
  }

  init().catch((error) => {
      if (!isAbort(error)) replace(status, errorBox(error));
    });
}
