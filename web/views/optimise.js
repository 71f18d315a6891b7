// Optimise, a panel of the Portfolio view: asks POST /portfolio/optimize for better weights of
// the portfolio's assets, draws the efficient frontier with each asset, the current and the
// proposed portfolio on it, lists the weight changes, and can write the proposal back into the
// portfolio's rows (where Analyse and Save take it from).

import { api, withLoading } from '../api.js';
import { colors, draw, layout, clear } from '../charts.js';
import { el, field, select, replace, uid, formatNumber, formatPercent } from '../dom.js';
import { currentPortfolio, onPortfolioChange } from '../state.js';

/** The objectives: API name, label, and what `target` means for it (null: none). */
const OBJECTIVES = [
  ['min-volatility', 'Minimum volatility', null],
  ['max-sharpe', 'Maximum Sharpe ratio', null],
  ['efficient-risk', 'Highest return at a volatility', { label: 'Target volatility (% a year)', percent: true, required: true }],
  ['efficient-return', 'Lowest volatility at a return', { label: 'Target return (% a year)', percent: true, required: true }],
  ['max-utility', 'Maximum utility', { label: 'Risk aversion δ (default 1)', percent: false, required: false }],
  ['risk-parity', 'Risk parity', null],
  ['hrp', 'Hierarchical risk parity', null],
];

/** Objectives the API keeps long only and refuses bounds for. */
const LONG_ONLY = new Set(['risk-parity', 'hrp']);

/** Frontier points to ask for: a smooth curve at a small cost to the solver. */
const FRONTIER_POINTS = 30;

/** A weight change smaller than this (half of 0.01 %) is shown as no change. */
const NO_CHANGE = 5e-5;

/** Builds the panel; `applyWeights({SYM: fraction})` writes weights into the portfolio's rows. */
export function optimisePanel({ applyWeights }) {
  const objective = select(OBJECTIVES.map(([value, label]) => [value, label]), { name: 'objective' });
  const target = el('input', { type: 'number', name: 'target', step: 'any', inputmode: 'decimal', class: 'narrow' });
  const targetField = field('Target', target);
  const riskFree = el('input', { type: 'number', name: 'optimise-risk-free', step: 0.1, min: -5, max: 20, value: 2, class: 'narrow' });
  const lower = el('input', { type: 'number', name: 'bound-lo', step: 'any', min: -100, max: 100, value: 0, class: 'narrow' });
  const upper = el('input', { type: 'number', name: 'bound-hi', step: 'any', min: -100, max: 100, value: 100, class: 'narrow' });
  const returns = select(
    [
      ['mean', 'Mean (compounded)'],
      ['ema', 'Exponentially weighted'],
    ],
    { name: 'returns' },
  );
  const covariance = select(
    [
      ['sample', 'Sample'],
      ['ledoit-wolf', 'Ledoit-Wolf shrinkage'],
      ['exp', 'Exponentially weighted'],
    ],
    { name: 'covariance' },
  );
  const runButton = el('button', { type: 'submit', class: 'primary', text: 'Optimise', 'data-action': 'optimise' });
  const note = el('p', { class: 'portfolio-note', 'aria-live': 'polite' });
  const formError = el('p', { class: 'field-error', 'aria-live': 'polite' });
  const status = el('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const chart = el('div', { class: 'chart', id: 'frontier-chart' });
  const summary = el('table', { class: 'stats optimise-summary' });
  const changes = el('table', { class: 'stats weight-changes' });
  const useButton = el('button', { type: 'button', class: 'primary', text: 'Use these weights', 'data-action': 'use-weights' });
  const applied = el('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const chartHeading = el('h4', { id: uid('optimise'), text: 'Efficient frontier, assets, current and proposed portfolio' });
  const changesHeading = el('h4', { id: uid('optimise'), text: 'Weights' });
  const results = el(
    'div',
    { class: 'grid-2 optimise-results', hidden: true },
    el('section', { class: 'card', 'aria-labelledby': chartHeading.id }, chartHeading, chart),
    el(
      'section',
      { class: 'card', 'aria-labelledby': changesHeading.id },
      changesHeading,
      el('div', { class: 'table-wrap' }, summary),
      el('div', { class: 'table-wrap' }, changes),
      el('div', { class: 'row-actions' }, useButton),
      applied,
    ),
  );
  const form = el(
    'form',
    { class: 'card', 'aria-label': 'Optimisation settings', novalidate: true, onsubmit: (event) => { event.preventDefault(); run(); } },
    el('h3', { text: 'Optimise' }),
    note,
    el(
      'div',
      { class: 'toolbar' },
      field('Objective', objective),
      targetField,
      field('Risk-free rate (% a year)', riskFree),
      field('Lowest weight (%)', lower),
      field('Highest weight (%)', upper),
      field('Expected returns', returns),
      field('Covariance', covariance),
      runButton,
    ),
    formError,
    status,
  );

  // What the shown answer was computed on, to hide it once the assets change.
  let shown = null;

  /** Shows the target field only for the objectives that read it, labelled for each. */
  function showTarget() {
    const meaning = OBJECTIVES.find(([value]) => value === objective.value)[2];
    targetField.hidden = !meaning;
    if (meaning) targetField.querySelector('label').textContent = meaning.label;
    // Risk parity and HRP are long only: the API refuses bounds for them.
    const longOnly = LONG_ONLY.has(objective.value);
    lower.disabled = upper.disabled = longOnly;
    lower.title = upper.title = longOnly ? 'Risk parity and HRP are long only and take no bounds.' : '';
  }

  /** Why the portfolio cannot be optimised, or '' when it can. */
  function portfolioProblem(portfolio) {
    if (!portfolio.valid) return 'Build a valid portfolio above first.';
    if (portfolio.assets.length < 2) return 'Optimising needs at least two assets.';
    const symbols = new Set(portfolio.assets.map((asset) => asset.symbol));
    if (symbols.size < portfolio.assets.length) return 'Optimising needs each symbol once (the answer is by symbol).';
    return '';
  }

  /** Updates the note and the button for `portfolio`; hides an answer about other assets. */
  function describe(portfolio) {
    const problem = portfolioProblem(portfolio);
    runButton.disabled = Boolean(problem);
    note.textContent = problem || `Weights for ${portfolio.assets.map((asset) => asset.symbol).join(', ')} over the portfolio’s date range.`;
    if (shown && shown.key !== assetKey(portfolio.assets)) {
      shown = null;
      results.hidden = true;
      clear(chart);
      replace(status, el('span', { class: 'muted', text: 'The assets changed: optimise again.' }));
    }
  }

  /** The request's options from the form, or `{problem}`. */
  function readOptions() {
    const meaning = OBJECTIVES.find(([value]) => value === objective.value)[2];
    const options = { objective: objective.value, returns: returns.value, covariance: covariance.value };
    const invalid = (input, problem) => {
      input.setAttribute('aria-invalid', 'true');
      return { problem };
    };
    for (const input of [target, riskFree, lower, upper]) input.setAttribute('aria-invalid', 'false');
    if (meaning) {
      const text = target.value.trim();
      if (text === '' && meaning.required) return invalid(target, `${objective.selectedOptions[0].textContent} needs a target.`);
      if (text !== '') {
        const value = Number(text);
        if (!Number.isFinite(value)) return invalid(target, 'The target must be a number.');
        options.target = meaning.percent ? value / 100 : value;
      }
    }
    const rate = Number(riskFree.value || 0);
    if (!Number.isFinite(rate)) return invalid(riskFree, 'The risk-free rate must be a number.');
    options.risk_free = rate / 100;
    if (!LONG_ONLY.has(objective.value)) {
      const lo = Number(lower.value);
      const hi = Number(upper.value);
      if (lower.value.trim() === '' || !Number.isFinite(lo)) return invalid(lower, 'The lowest weight must be a number.');
      if (upper.value.trim() === '' || !Number.isFinite(hi)) return invalid(upper, 'The highest weight must be a number.');
      if (lo > hi) return invalid(upper, 'The highest weight must not be below the lowest.');
      // Long only, 0 to 100 %, is the API's default: send bounds only when they say more.
      if (lo !== 0 || hi !== 100) options.bounds = [lo / 100, hi / 100];
    }
    return { options };
  }

  /** Asks the API for the weights (and the frontier), then shows the answer. */
  async function run() {
    const portfolio = currentPortfolio();
    if (portfolioProblem(portfolio)) return;
    const { options, problem } = readOptions();
    formError.textContent = problem || '';
    if (problem) return;
    const held = Object.fromEntries(portfolio.assets.map((asset) => [asset.symbol, asset.weight]));
    const body = {
      assets: portfolio.assets.map(({ source, symbol }) => ({ source, symbol })),
      start: portfolio.start || undefined,
      end: portfolio.end || undefined,
      ...options,
      current_weights: held,
      frontier: FRONTIER_POINTS,
    };
    replace(applied);
    const outcome = await withLoading(
      status,
      async () => {
        try {
          return { answer: await api('/portfolio/optimize', { method: 'POST', body, timeoutMs: 60000 }) };
        } catch (error) {
          // The frontier is a picture around the answer: when the API refuses it, ask again
          // without it, so that only a refusal of the weights themselves is shown as an error.
          if (error?.status !== 400) throw error;
          const { frontier, ...withoutFrontier } = body;
          const answer = await api('/portfolio/optimize', { method: 'POST', body: withoutFrontier, timeoutMs: 60000 });
          return { answer, frontierError: error };
        }
      },
      { label: 'Optimising…' },
    );
    if (!outcome) return;
    const { answer, frontierError } = outcome;
    shown = { key: assetKey(portfolio.assets), answer };
    results.hidden = false;
    if (frontierError) {
      status.append(el('p', { class: 'muted', text: `The frontier could not be drawn: ${frontierError.message}` }));
    }
    drawChart(answer);
    fillSummary(answer, objective.selectedOptions[0].textContent);
    fillChanges(answer, held);
  }

  /** Volatility against return: the frontier, each asset, the current and the proposed portfolio. */
  function drawChart(answer) {
    const percent = (values) => values.map((value) => value * 100);
    const point = (name, performance, marker) => ({
      type: 'scatter',
      mode: 'markers',
      name,
      x: [performance.volatility * 100],
      y: [performance.expected_return * 100],
      marker,
      hovertemplate: `${name}: volatility %{x:.2f} %, return %{y:.2f} %<extra></extra>`,
    });
    const traces = [];
    if (answer.frontier?.length) {
      traces.push({
        type: 'scatter',
        mode: 'lines',
        name: 'Efficient frontier',
        x: percent(answer.frontier.map((p) => p.volatility)),
        y: percent(answer.frontier.map((p) => p.expected_return)),
        line: { color: colors.line, width: 2 },
        hovertemplate: 'Frontier: volatility %{x:.2f} %, return %{y:.2f} %<extra></extra>',
      });
    }
    traces.push({
      type: 'scatter',
      mode: 'markers+text',
      name: 'Assets',
      x: percent(answer.assets.map((a) => a.volatility)),
      y: percent(answer.assets.map((a) => a.expected_return)),
      text: answer.assets.map((a) => a.symbol),
      textposition: 'top center',
      textfont: { color: colors.muted },
      marker: { color: colors.muted, size: 9 },
      hovertemplate: '%{text}: volatility %{x:.2f} %, return %{y:.2f} %<extra></extra>',
    });
    if (answer.current) {
      traces.push(point('Current', answer.current, { symbol: 'circle-open', size: 15, color: colors.text, line: { width: 2, color: colors.text } }));
    }
    traces.push(point('Proposed', answer, { symbol: 'star', size: 17, color: colors.accent }));
    draw(
      chart,
      traces,
      layout({
        height: 380,
        hovermode: 'closest',
        xaxis: { title: { text: 'Volatility (% a year)' }, ticksuffix: ' %' },
        yaxis: { title: { text: 'Expected return (% a year)' }, ticksuffix: ' %' },
      }),
      `Expected return against volatility: the efficient frontier, each asset, the current portfolio and the proposed one (return ${formatPercent(answer.expected_return)}, volatility ${formatPercent(answer.volatility)})`,
    );
  }

  /** Current against proposed: expected return, volatility, Sharpe ratio. */
  function fillSummary(answer, label) {
    const row = (name, key, format) =>
      el('tr', {}, el('th', { scope: 'row', text: name }), el('td', { text: answer.current ? format(answer.current[key]) : '—' }), el('td', { text: format(answer[key]) }));
    replace(
      summary,
      el('caption', { text: `${label} · expected returns ${returns.value}, covariance ${covariance.value}` }),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Annual' }), el('th', { scope: 'col', text: 'Current' }), el('th', { scope: 'col', text: 'Proposed' }))),
      el(
        'tbody',
        {},
        row('Expected return', 'expected_return', formatPercent),
        row('Volatility', 'volatility', formatPercent),
        row('Sharpe ratio', 'sharpe', formatNumber),
      ),
    );
  }

  /** One row per asset: current and proposed weight, the change, the risk share. */
  function fillChanges(answer, held) {
    const rows = answer.assets.map((asset) => {
      const current = held[asset.symbol] ?? 0;
      const change = asset.weight - current;
      const tone = change > NO_CHANGE ? 'up' : change < -NO_CHANGE ? 'down' : '';
      const sign = tone === 'up' ? '+' : tone === 'down' ? '−' : '±';
      return el(
        'tr',
        { dataset: { symbol: asset.symbol, proposed: String(asset.weight) } },
        el('th', { scope: 'row', text: asset.symbol }),
        el('td', { text: formatPercent(current) }),
        el('td', { text: formatPercent(asset.weight) }),
        el('td', { class: `change ${tone}`, text: `${sign}${(Math.abs(change) * 100).toFixed(2)} pp` }),
        el('td', { text: formatPercent(asset.risk_share) }),
      );
    });
    replace(
      changes,
      el('caption', { text: 'Change in percentage points; risk share is each asset’s part of the proposed portfolio’s variance.' }),
      el(
        'thead',
        {},
        el('tr', {}, ['Asset', 'Current', 'Proposed', 'Change', 'Risk share'].map((text) => el('th', { scope: 'col', text }))),
      ),
      el('tbody', {}, rows),
    );
  }

  objective.addEventListener('change', showTarget);
  useButton.addEventListener('click', () => {
    if (!shown) return;
    applyWeights(shown.answer.weights);
    replace(applied, el('span', { class: 'message ok', text: 'The proposed weights are in the rows above: Analyse or Save them.' }));
  });
  showTarget();
  describe(currentPortfolio());
  onPortfolioChange(describe);
  return el('div', { class: 'optimise' }, form, results);
}

/** The assets' identity, weights left out: which answer still belongs to the portfolio. */
function assetKey(assets) {
  return assets.map((asset) => `${asset.source}/${asset.symbol}`).join(',');
}
