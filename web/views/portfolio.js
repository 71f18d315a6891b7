// Portfolio: assets and weights (validated as typed, normalised), saved portfolios through the
// API, metric cards with explanations, the correlation heatmap, risk contributions, wealth,
// drawdown and rolling volatility; the Optimise panel (optimise.js) below them.

import { api, withLoading, errorBox, token } from '../api.js';
import { loadSources, loadCommodities, assetGroups, sourceOptions } from '../catalog.js';
import { colors, draw, layout, clear } from '../charts.js';
import { el, field, select, fillSelect, replace, uid, formatNumber, formatPercent } from '../dom.js';
import { rangePicker } from '../range.js';
import { setPortfolio } from '../state.js';
import { optimisePanel } from './optimise.js';

/** The metric cards: key in the answer, label, format, and the one-line explanation. */
const METRICS = [
  ['portfolio_return', 'Return (ann.)', 'percent', 'Mean daily return × 252: the average yearly return.'],
  ['cagr', 'CAGR', 'percent', 'Compound annual growth rate of the wealth curve.'],
  ['portfolio_volatility', 'Volatility (ann.)', 'percent', 'Standard deviation of daily returns × √252.'],
  ['sharpe_ratio', 'Sharpe', 'ratio', 'Excess return over the risk-free rate per unit of volatility, annualised.'],
  ['sortino_ratio', 'Sortino', 'ratio', 'Excess return per unit of downside deviation (only bad days count as risk).'],
  ['var_95', 'VaR 95 %', 'percent', 'Historical 1-day Value at Risk: the return beaten on all but the worst 5 % of days.'],
  ['cvar_95', 'CVaR 95 %', 'percent', 'Expected shortfall: the average return on the worst 5 % of days.'],
  ['var_99', 'VaR 99 %', 'percent', 'Historical 1-day Value at Risk: the return beaten on all but the worst 1 % of days.'],
  ['cvar_99', 'CVaR 99 %', 'percent', 'Expected shortfall: the average return on the worst 1 % of days.'],
  ['max_drawdown', 'Max drawdown', 'percent', 'The deepest fall of the wealth curve from a previous peak.'],
  ['calmar_ratio', 'Calmar', 'ratio', 'CAGR divided by the size of the max drawdown.'],
  ['diversification_ratio', 'Diversification', 'ratio', 'Weighted sum of asset volatilities over portfolio volatility; above 1, mixing the assets lowers risk.'],
];

const TRADING_DAYS = 252;

/** Builds the view into `section`. */
export function mount(section) {
  const rows = el('div', { class: 'asset-rows', role: 'list', 'aria-label': 'Assets and weights' });
  const summary = el('p', { class: 'weights-summary', id: uid('weights'), 'aria-live': 'polite' });
  const addRowButton = el('button', { type: 'button', text: 'Add asset', 'data-action': 'add-asset' });
  const equalButton = el('button', { type: 'button', class: 'ghost', text: 'Equal weights' });
  const range = rangePicker(() => publish(), '1Y');
  const riskFree = el('input', { type: 'number', step: 0.1, min: -5, max: 20, value: 0, name: 'risk-free', class: 'narrow' });
  const analyseButton = el('button', { type: 'submit', class: 'primary', text: 'Analyse', 'data-action': 'analyse' });
  const status = el('div', { class: 'status', role: 'status', 'aria-live': 'polite' });

  const nameInput = el('input', { type: 'text', name: 'portfolio-name', maxlength: 200, placeholder: 'e.g. Metals and energy', autocomplete: 'off' });
  const saveButton = el('button', { type: 'button', class: 'primary', text: 'Save', 'data-action': 'save' });
  const savedSelect = select([], { name: 'saved' });
  const loadButton = el('button', { type: 'button', text: 'Load', 'data-action': 'load' });
  const deleteButton = el('button', { type: 'button', class: 'danger', text: 'Delete', 'data-action': 'delete' });
  const savedStatus = el('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const tokenArea = el('div', { class: 'token-area', hidden: true });

  const cards = el('div', { class: 'metric-grid', 'aria-label': 'Portfolio metrics' });
  const range_note = el('p', { class: 'muted', 'aria-live': 'polite' });
  const wealthChart = el('div', { class: 'chart', id: 'wealth-chart' });
  const drawdownChart = el('div', { class: 'chart', id: 'drawdown-chart' });
  const rollingWindow = select(
    [
      ['21', '21 days'],
      ['63', '63 days'],
      ['126', '126 days'],
    ],
    { name: 'rolling-window' },
  );
  const rollingChart = el('div', { class: 'chart', id: 'rolling-chart' });
  const heatmapChart = el('div', { class: 'chart', id: 'correlation-chart' });
  const riskChart = el('div', { class: 'chart', id: 'risk-chart' });
  const results = el(
    'div',
    { class: 'results', hidden: true },
    el('h3', { text: 'Metrics' }),
    range_note,
    cards,
    el('div', { class: 'grid-2' }, chartCard('Wealth (start = 1)', wealthChart), chartCard('Drawdown', drawdownChart)),
    el('div', { class: 'grid-2' }, chartCard('Correlation of daily returns', heatmapChart), chartCard('Risk contributions', riskChart)),
    chartCard('Rolling volatility (annualised)', rollingChart, field('Window', rollingWindow)),
  );

  replace(
    section,
    el('h2', { text: 'Portfolio' }),
    el(
      'div',
      { class: 'grid-builder' },
      el(
        'form',
        { class: 'card builder', 'aria-label': 'Portfolio builder', novalidate: true, onsubmit: (event) => { event.preventDefault(); analyse(); } },
        el('h3', { text: 'Assets and weights' }),
        rows,
        el('div', { class: 'row-actions' }, addRowButton, equalButton),
        summary,
        el('div', { class: 'toolbar' }, range.node, field('Risk-free rate (% a year)', riskFree)),
        el('div', { class: 'row-actions' }, analyseButton),
        status,
      ),
      el(
        'div',
        { class: 'card saved' },
        el('h3', { text: 'Saved portfolios' }),
        field('Name', nameInput),
        el('div', { class: 'row-actions' }, saveButton),
        field('Saved', savedSelect),
        el('div', { class: 'row-actions' }, loadButton, deleteButton),
        savedStatus,
        tokenArea,
      ),
    ),
    results,
    optimisePanel({ applyWeights }),
  );

  let sources = [];
  // The portfolio last saved or loaded, `{id, assets}`: its id goes with the current portfolio
  // only while the rows still hold those assets and weights (the report's download needs it).
  let savedCopy = null;
  let lastSeries = null;

  function chartCard(title, chart, extra) {
    const heading = el('h4', { id: uid('chart'), text: title });
    return el('section', { class: 'card', 'aria-labelledby': heading.id }, el('div', { class: 'panel-head' }, heading, extra), chart);
  }

  async function addRow(asset = {}) {
    const sourceSelect = select(sources, { 'aria-label': 'Source', name: 'asset-source' });
    const assetSelect = select([], { 'aria-label': 'Asset', name: 'asset-symbol' });
    const message = el('span', { class: 'field-error', id: uid('weight-error') });
    const weight = el('input', {
      type: 'number',
      min: 0,
      step: 'any',
      inputmode: 'decimal',
      name: 'asset-weight',
      class: 'narrow',
      'aria-label': 'Weight in percent',
      'aria-describedby': `${message.id} ${summary.id}`,
      value: asset.weight ?? '',
    });
    const removeButton = el('button', { type: 'button', class: 'ghost', text: '✕', 'aria-label': 'Remove this asset', title: 'Remove this asset' });
    const row = el('div', { class: 'asset-row', role: 'listitem' }, sourceSelect, assetSelect, el('span', { class: 'weight' }, weight, el('span', { class: 'unit', 'aria-hidden': 'true', text: '%' })), removeButton, message);
    row.parts = { sourceSelect, assetSelect, weight, message };
    rows.append(row);
    if (asset.source) sourceSelect.value = asset.source;
    const fillAssets = async () => {
      const catalog = await withLoading(status, () => loadCommodities(sourceSelect.value), { label: 'Loading assets…' });
      if (catalog) fillSelect(assetSelect, assetGroups(catalog));
    };
    await fillAssets();
    if (asset.symbol) {
      if (![...assetSelect.options].some((o) => o.value === asset.symbol)) {
        assetSelect.append(el('option', { value: asset.symbol, text: asset.symbol }));
      }
      assetSelect.value = asset.symbol;
    }
    sourceSelect.addEventListener('change', async () => {
      await fillAssets();
      publish();
    });
    assetSelect.addEventListener('change', publish);
    // 'change' too: clearing a field (or a rejected keystroke) may fire no 'input'.
    weight.addEventListener('input', publish);
    weight.addEventListener('change', publish);
    removeButton.addEventListener('click', () => {
      row.remove();
      publish();
      addRowButton.focus();
    });
    publish();
    return row;
  }

  /** Reads and validates the rows; the normalised assets when valid. */
  function readAssets() {
    const problems = [];
    const assets = [];
    const seen = new Set();
    for (const row of rows.children) {
      const { sourceSelect, assetSelect, weight, message } = row.parts;
      let problem = '';
      const text = weight.value.trim();
      const value = Number(text);
      if (text === '') problem = 'Enter a weight.';
      else if (!Number.isFinite(value)) problem = 'The weight must be a number.';
      else if (value < 0) problem = 'The weight cannot be negative.';
      const key = `${sourceSelect.value}/${assetSelect.value}`;
      if (!problem && seen.has(key)) problem = `${assetSelect.value} is already in the portfolio.`;
      if (!assetSelect.value) problem = 'Choose an asset.';
      seen.add(key);
      message.textContent = problem;
      weight.setAttribute('aria-invalid', String(Boolean(problem)));
      if (problem) problems.push(problem);
      else assets.push({ source: sourceSelect.value, symbol: assetSelect.value, weight: value });
    }
    const total = assets.reduce((sum, asset) => sum + asset.weight, 0);
    if (rows.children.length === 0) problems.push('Add at least one asset.');
    else if (problems.length === 0 && total <= 0) problems.push('At least one weight must be above zero.');
    const normalised = problems.length === 0 ? assets.map((asset) => ({ ...asset, weight: asset.weight / total })) : [];
    return { problems, total, assets: normalised };
  }

  function publish() {
    const { problems, total, assets } = readAssets();
    if (problems.length > 0) {
      summary.className = 'weights-summary invalid';
      summary.textContent = problems[0];
    } else {
      summary.className = 'weights-summary';
      const parts = assets.map((asset) => `${asset.symbol} ${(asset.weight * 100).toFixed(1)} %`);
      const note = Math.abs(total - 100) > 1e-9 ? ` (entered total ${formatNumber(total, 1)} %, normalised to 100 %)` : '';
      summary.textContent = `Weights: ${parts.join(', ')}${note}`;
    }
    analyseButton.disabled = problems.length > 0;
    saveButton.disabled = problems.length > 0;
    const { start, end } = range.value();
    const id = savedCopy && sameAssets(savedCopy.assets, assets) ? savedCopy.id : null;
    setPortfolio({ name: nameInput.value.trim(), assets, start, end, valid: problems.length === 0, id });
  }

  /** Whether two normalised asset lists are the same (weights to 1e-6: the rows round them). */
  function sameAssets(a, b) {
    return (
      a.length === b.length &&
      a.every((asset, i) => asset.source === b[i].source && asset.symbol === b[i].symbol && Math.abs(asset.weight - b[i].weight) < 1e-6)
    );
  }

  /** Writes `weights` (fractions by symbol) into the rows holding those symbols. */
  function applyWeights(weights) {
    for (const row of rows.children) {
      const weight = weights[row.parts.assetSelect.value];
      // Four decimals of a percent, as a loaded portfolio shows; solver dust (1e-11) becomes 0.
      if (Number.isFinite(weight)) row.parts.weight.value = String(Number((weight * 100).toFixed(4)));
    }
    publish();
  }

  async function analyse() {
    const { problems, assets } = readAssets();
    if (problems.length > 0) return;
    const { start, end } = range.value();
    const rate = Number(riskFree.value || 0) / 100;
    const body = { assets, start: start || undefined, end: end || undefined, risk_free: rate };
    const answer = await withLoading(
      status,
      async () => {
        const [metrics, series] = await Promise.all([
          api('/portfolio/metrics', { method: 'POST', body }),
          Promise.all(assets.map((asset) => api('/prices', { query: { source: asset.source, symbol: asset.symbol, start, end } }))),
        ]);
        return { metrics, series };
      },
      { label: 'Computing metrics…' },
    );
    if (!answer) return;
    results.hidden = false;
    showMetrics(answer.metrics);
    lastSeries = portfolioSeries(answer.series, assets);
    drawSeries();
    drawCorrelation(answer.metrics.correlation_matrix);
    drawRisk(answer.metrics.risk_decomposition);
  }

  function showMetrics(metrics) {
    range_note.textContent = `${metrics.start} to ${metrics.end} · ${metrics.num_returns} daily returns`;
    replace(
      cards,
      METRICS.map(([key, label, kind, explanation]) => {
        const value = metrics[key];
        const tip = el('span', { class: 'tip', role: 'tooltip', id: uid('tip'), text: explanation });
        const shown = kind === 'percent' ? formatPercent(value) : formatNumber(value);
        const tone = typeof value === 'number' && key !== 'diversification_ratio' ? (value < 0 ? 'down' : '') : '';
        return el(
          'div',
          { class: `metric ${tone}`, tabindex: 0, title: explanation, 'aria-describedby': tip.id, 'data-metric': key },
          el('span', { class: 'metric-label', text: label }),
          el('span', { class: 'metric-value', text: shown }),
          tip,
        );
      }),
    );
  }

  /** Daily-rebalanced portfolio wealth from the assets' closes on their shared dates. */
  function portfolioSeries(answers, assets) {
    const maps = answers.map((answer) => new Map((answer.data || []).map((bar) => [bar.date, bar.close])));
    const dates = [...maps[0].keys()].filter((date) => maps.every((map) => map.has(date))).sort();
    const wealth = [1];
    const returns = [];
    for (let i = 1; i < dates.length; i += 1) {
      let r = 0;
      for (const [j, map] of maps.entries()) {
        r += assets[j].weight * (map.get(dates[i]) / map.get(dates[i - 1]) - 1);
      }
      returns.push(r);
      wealth.push(wealth[i - 1] * (1 + r));
    }
    let peak = -Infinity;
    const drawdown = wealth.map((w) => {
      peak = Math.max(peak, w);
      return w / peak - 1;
    });
    return { dates, wealth, drawdown, returns };
  }

  function rollingVolatility(returns, window) {
    const out = [];
    for (let i = 0; i < returns.length; i += 1) {
      if (i + 1 < window) {
        out.push(null);
        continue;
      }
      let mean = 0;
      for (let k = i + 1 - window; k <= i; k += 1) mean += returns[k];
      mean /= window;
      let sum = 0;
      for (let k = i + 1 - window; k <= i; k += 1) sum += (returns[k] - mean) ** 2;
      out.push(Math.sqrt(sum / (window - 1)) * Math.sqrt(TRADING_DAYS));
    }
    return out;
  }

  function drawSeries() {
    if (!lastSeries) return;
    const { dates, wealth, drawdown, returns } = lastSeries;
    draw(
      wealthChart,
      [{ type: 'scatter', mode: 'lines', name: 'Wealth', x: dates, y: wealth, line: { color: colors.line, width: 1.6 } }],
      layout({ height: 300, showlegend: false, xaxis: { type: 'date' } }),
      'Wealth of the portfolio over time, starting at 1',
    );
    draw(
      drawdownChart,
      [{ type: 'scatter', mode: 'lines', name: 'Drawdown', x: dates, y: drawdown, fill: 'tozeroy', line: { color: colors.down, width: 1 }, fillcolor: 'rgba(239,91,91,0.2)' }],
      layout({ height: 300, showlegend: false, xaxis: { type: 'date' }, yaxis: { tickformat: '.0%' } }),
      'Drawdown of the portfolio from its running peak',
    );
    const window = Number(rollingWindow.value);
    draw(
      rollingChart,
      [{ type: 'scatter', mode: 'lines', name: `${window}-day volatility`, x: dates.slice(1), y: rollingVolatility(returns, window), line: { color: colors.accent, width: 1.4 } }],
      layout({ height: 280, showlegend: false, xaxis: { type: 'date' }, yaxis: { tickformat: '.0%' } }),
      `Rolling ${window}-day annualised volatility of the portfolio`,
    );
  }

  function drawCorrelation(correlation) {
    if (!correlation) return clear(heatmapChart);
    const { symbols, matrix } = correlation;
    draw(
      heatmapChart,
      [
        {
          type: 'heatmap',
          x: symbols,
          y: symbols,
          z: matrix,
          zmin: -1,
          zmax: 1,
          colorscale: [
            [0, '#ef5b5b'],
            [0.5, '#1b2333'],
            [1, '#4ea1ff'],
          ],
          text: matrix.map((row) => row.map((v) => v.toFixed(2))),
          texttemplate: '%{text}',
          hovertemplate: '%{y} / %{x}: %{z:.3f}<extra></extra>',
        },
      ],
      layout({ height: 320, hovermode: 'closest', yaxis: { autorange: 'reversed' }, margin: { l: 72, r: 16, t: 16, b: 56 } }),
      `Correlation heatmap of ${symbols.join(', ')}`,
    );
  }

  function drawRisk(contributions) {
    if (!contributions?.length) return clear(riskChart);
    draw(
      riskChart,
      [
        { type: 'bar', name: 'Weight', x: contributions.map((c) => c.symbol), y: contributions.map((c) => c.weight), marker: { color: colors.muted } },
        { type: 'bar', name: 'Risk contribution', x: contributions.map((c) => c.symbol), y: contributions.map((c) => c.percent), marker: { color: colors.accent } },
      ],
      layout({ height: 320, barmode: 'group', hovermode: 'closest', yaxis: { tickformat: '.0%' } }),
      'Each asset’s weight and share of portfolio risk',
    );
  }

  // Saved portfolios.
  let saved = [];

  async function refreshSaved(selectId) {
    const answer = await withLoading(savedStatus, () => api('/portfolios'), { label: 'Loading saved portfolios…' });
    if (!answer) return;
    saved = Array.isArray(answer) ? answer : answer.portfolios || [];
    fillSelect(
      savedSelect,
      saved.length ? saved.map((p) => [String(p.id), p.name]) : [['', 'No saved portfolios']],
    );
    if (selectId !== undefined) savedSelect.value = String(selectId);
    loadButton.disabled = deleteButton.disabled = saved.length === 0;
  }

  function needsToken(error, region, retry) {
    if (error?.status !== 401) return false;
    region.append(errorBox(error));
    const input = el('input', { type: 'password', name: 'api-token', autocomplete: 'off' });
    const use = el('button', { type: 'button', class: 'primary', text: 'Use token' });
    use.addEventListener('click', () => {
      token.set(input.value.trim());
      tokenArea.hidden = true;
      replace(tokenArea);
      retry();
    });
    replace(
      tokenArea,
      el('p', { text: 'Saving and deleting need the server’s API token. Paste it here; it is kept for this browser tab only.' }),
      field('API token', input),
      use,
    );
    tokenArea.hidden = false;
    input.focus();
    return true;
  }

  async function save() {
    const { problems, assets } = readAssets();
    const name = nameInput.value.trim();
    if (problems.length > 0) return;
    if (!name) {
      replace(savedStatus, errorBox(new Error('Give the portfolio a name to save it.')));
      nameInput.focus();
      return;
    }
    const created = await withLoading(savedStatus, () => api('/portfolios', { method: 'POST', body: { name, assets } }), {
      label: 'Saving…',
      onError: (error, region) => needsToken(error, region, save),
    });
    if (!created) return;
    savedCopy = { id: created.id, assets };
    publish();
    await refreshSaved(created.id);
    savedStatus.append(el('span', { class: 'message ok', text: `Saved “${created.name}”.` }));
  }

  async function load() {
    const id = savedSelect.value;
    if (!id) return;
    const portfolio = await withLoading(savedStatus, () => api(`/portfolios/${encodeURIComponent(id)}`), { label: 'Loading…' });
    if (!portfolio) return;
    nameInput.value = portfolio.name;
    rows.replaceChildren();
    for (const asset of portfolio.assets) {
      await addRow({ ...asset, weight: Number((asset.weight * 100).toFixed(4)) });
    }
    const total = portfolio.assets.reduce((sum, asset) => sum + asset.weight, 0);
    savedCopy = { id: portfolio.id, assets: portfolio.assets.map((asset) => ({ ...asset, weight: asset.weight / total })) };
    publish();
    savedStatus.append(el('span', { class: 'message ok', text: `Loaded “${portfolio.name}”.` }));
    analyse();
  }

  async function remove() {
    const id = savedSelect.value;
    if (!id) return;
    const name = savedSelect.selectedOptions[0]?.textContent || id;
    const done = await withLoading(
      savedStatus,
      async () => {
        await api(`/portfolios/${encodeURIComponent(id)}`, { method: 'DELETE' });
        return true;
      },
      { label: 'Deleting…', onError: (error, region) => needsToken(error, region, remove) },
    );
    if (!done) return;
    if (String(savedCopy?.id) === id) {
      savedCopy = null;
      publish();
    }
    await refreshSaved();
    savedStatus.append(el('span', { class: 'message ok', text: `Deleted “${name}”.` }));
  }

  addRowButton.addEventListener('click', async () => {
    const row = await addRow({ weight: 0 });
    row.parts.assetSelect.focus();
  });
  equalButton.addEventListener('click', () => {
    for (const row of rows.children) row.parts.weight.value = (100 / rows.children.length).toFixed(2);
    publish();
  });
  nameInput.addEventListener('input', publish);
  saveButton.addEventListener('click', save);
  loadButton.addEventListener('click', load);
  deleteButton.addEventListener('click', remove);
  rollingWindow.addEventListener('change', drawSeries);

  (async () => {
    const answer = await withLoading(status, () => loadSources(), { label: 'Loading sources…' });
    if (!answer) return;
    sources = sourceOptions(answer);
    const source = sources.some(([id]) => id === 'demo') ? 'demo' : sources[0]?.[0];
    const catalog = await withLoading(status, () => loadCommodities(source));
    const symbols = (catalog?.categories || []).flatMap((group) => group.commodities.map((c) => c.symbol));
    for (const symbol of symbols.slice(0, 2)) await addRow({ source, symbol, weight: 50 });
    await refreshSaved();
  })();
}
