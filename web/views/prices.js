// Prices: a source, then one of its assets (grouped by category), a date range, the price
// chart (line or candles) with where the prices came from, Bollinger bands on it, and
// oscillator panels under it, each chosen and parameterised by the user.

import { api, withLoading, errorBox, isAbort } from '../api.js';
import { loadSources, loadCommodities, assetGroups, sourceOptions } from '../catalog.js';
import { colors, draw, layout, referenceLine, clear } from '../charts.js';
import { el, field, select, fillSelect, replace, uid, formatNumber } from '../dom.js';
import { rangePicker } from '../range.js';

/** The oscillators a user can add: parameters, the spec sent to the API, reference lines. */
const OSCILLATORS = {
  rsi: {
    label: 'RSI',
    params: [{ key: 'timeperiod', label: 'Period', value: 14, min: 2 }],
    spec: (p) => `rsi(${p.timeperiod})`,
    references: [30, 70],
    range: [0, 100],
  },
  macd: {
    label: 'MACD',
    params: [
      { key: 'fastperiod', label: 'Fast', value: 12, min: 2 },
      { key: 'slowperiod', label: 'Slow', value: 26, min: 2 },
      { key: 'signalperiod', label: 'Signal', value: 9, min: 1 },
    ],
    spec: (p) => `macd(${p.fastperiod},${p.slowperiod},${p.signalperiod})`,
    references: [0],
  },
  stoch: {
    label: 'Stochastic',
    params: [
      { key: 'fastk_period', label: '%K period', value: 14, min: 1 },
      { key: 'slowk_period', label: '%K smoothing', value: 3, min: 1 },
      { key: 'slowd_period', label: '%D period', value: 3, min: 1 },
    ],
    spec: (p) =>
      `stoch(fastk_period=${p.fastk_period},slowk_period=${p.slowk_period},slowd_period=${p.slowd_period})`,
    references: [20, 80],
    range: [0, 100],
  },
  willr: {
    label: 'Williams %R',
    params: [{ key: 'timeperiod', label: 'Period', value: 14, min: 2 }],
    spec: (p) => `willr(${p.timeperiod})`,
    references: [-20, -80],
    range: [-100, 0],
  },
  cci: {
    label: 'CCI',
    params: [{ key: 'timeperiod', label: 'Period', value: 20, min: 2 }],
    spec: (p) => `cci(${p.timeperiod})`,
    references: [-100, 100],
  },
};

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
  const oscillatorChoice = select(
    Object.entries(OSCILLATORS).map(([id, o]) => [id, o.label]),
    { name: 'oscillator' },
  );
  const addButton = el('button', { type: 'button', class: 'primary', text: 'Add oscillator', 'data-action': 'add-oscillator' });
  const status = el('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const provenance = el('div', { class: 'provenance', 'aria-live': 'polite' });
  const priceChart = el('div', { class: 'chart chart-price', id: 'price-chart' });
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
      el(
        'fieldset',
        { class: 'overlay-controls' },
        el('legend', { text: 'Bollinger bands on the price' }),
        el('label', { class: 'check' }, bandsToggle, ' Show'),
        field('Period', bandsPeriod),
        field('Width (std devs)', bandsWidth),
      ),
    ),
    el(
      'div',
      { class: 'toolbar oscillator-add' },
      field('Oscillator', oscillatorChoice),
      addButton,
    ),
    indicatorStatus,
    panels,
  );

  /** The oscillator panels shown, in order. */
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
    await loadAssets();
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
    const specs = active.map((panel) => panel.spec());
    if (bandsToggle.checked) specs.push(bandsSpec());
    return specs.filter(Boolean);
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
    for (const panel of active) panel.draw(table);
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

  function addPanel(kind, values) {
    const definition = OSCILLATORS[kind];
    const id = uid('osc');
    const inputs = definition.params.map((param) =>
      el('input', {
        type: 'number',
        class: 'narrow',
        min: param.min,
        max: 1000,
        step: 1,
        value: values?.[param.key] ?? param.value,
        'data-param': param.key,
      }),
    );
    const chart = el('div', { class: 'chart chart-oscillator' });
    const heading = el('h3', { id: `${id}-title`, text: definition.label });
    const removeButton = el('button', { type: 'button', class: 'ghost', text: 'Remove', 'aria-label': `Remove ${definition.label}` });
    const card = el(
      'section',
      { class: 'card oscillator', 'aria-labelledby': heading.id, 'data-oscillator': kind },
      el('div', { class: 'panel-head' }, heading, el('div', { class: 'params' }, definition.params.map((param, i) => field(param.label, inputs[i]))), removeButton),
      chart,
    );
    let timer = null;
    for (const input of inputs) {
      input.addEventListener('input', () => {
        clearTimeout(timer);
        timer = setTimeout(() => refreshIndicators(), 400);
      });
    }
    const panel = {
      spec() {
        const values = {};
        for (const [i, param] of definition.params.entries()) {
          const number = Number.parseInt(inputs[i].value, 10);
          const valid = Number.isInteger(number) && number >= param.min && number <= 1000;
          inputs[i].setAttribute('aria-invalid', String(!valid));
          if (!valid) return null;
          values[param.key] = number;
        }
        return definition.spec(values);
      },
      draw(table) {
        const spec = panel.spec();
        if (!spec || !table) {
          clear(chart);
          return;
        }
        const outputs = Object.keys(table.indicators || {}).filter((key) => key === spec || key.startsWith(`${spec}.`));
        const traces = outputs.map((key, index) => {
          const output = key.slice(spec.length + 1);
          if (output === 'hist') {
            const values = table.indicators[key];
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
            name: output || definition.label,
            x: table.dates,
            y: table.indicators[key],
            line: { color: colors.series[index % colors.series.length], width: 1.4 },
          };
        });
        heading.textContent = `${definition.label} · ${spec}`;
        draw(
          chart,
          traces,
          layout({
            height: 220,
            margin: { l: 56, r: 16, t: 16, b: 32 },
            showlegend: outputs.length > 1,
            xaxis: { type: 'date', range: priceRange() },
            yaxis: definition.range ? { range: definition.range } : {},
            shapes: definition.references.map((y) => referenceLine(y)),
          }),
          `${definition.label} of ${series.symbol} with reference lines at ${definition.references.join(' and ')}`,
        );
      },
    };
    removeButton.addEventListener('click', () => {
      active.splice(active.indexOf(panel), 1);
      clear(chart);
      card.remove();
      addButton.focus();
      if (bandsToggle.checked || active.length === 0) refreshIndicators();
    });
    active.push(panel);
    panels.append(card);
    return panel;
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
  addButton.addEventListener('click', async () => {
    addPanel(oscillatorChoice.value);
    await refreshIndicators();
    syncZoom();
  });

  init().catch((error) => {
      if (!isAbort(error)) replace(status, errorBox(error));
    });
}
