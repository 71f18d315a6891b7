// Simulation: Monte Carlo on the portfolio being built — method, paths, horizon, seed; a fan
// chart of percentile paths, the histogram of final returns with VaR marked, and the
// statistics table. The shuffle and block methods reorder the history instead (QuantStats'
// montecarlo): their answer, final return beside max drawdown with bust and goal odds, is
// drawn by resampled.js.

import { api, withLoading } from '../api.js';
import { colors, draw, layout } from '../charts.js';
import { el, field, select, replace, uid, formatPercent } from '../dom.js';
import { currentPortfolio, onPortfolioChange } from '../state.js';
import { resampledResults } from './resampled.js';

/** Methods that reorder the history: no horizon, but block size (block), bust and goal. */
const RESAMPLED = new Set(['shuffle', 'block']);

const STATISTICS = [
  ['mean', 'Mean final return', 'percent'],
  ['median', 'Median final return', 'percent'],
  ['std', 'Standard deviation', 'percent'],
  ['min', 'Worst path', 'percent'],
  ['max', 'Best path', 'percent'],
  ['var_5', 'VaR 95 % (5th percentile)', 'percent'],
  ['var_1', 'VaR 99 % (1st percentile)', 'percent'],
  ['cvar_5', 'CVaR 95 %', 'percent'],
  ['cvar_1', 'CVaR 99 %', 'percent'],
  ['probability_of_loss', 'Probability of a loss', 'percent'],
  ['expected_max_drawdown', 'Expected max drawdown', 'percent'],
];

/** Builds the view into `section`. */
export function mount(section) {
  const method = select(
    [
      ['normal', 'Normal (multivariate)'],
      ['bootstrap', 'Bootstrap (historical days)'],
      ['shuffle', 'Shuffle (history reordered)'],
      ['block', 'Block bootstrap (circular)'],
    ],
    { name: 'method' },
  );
  const blockSize = el('input', { type: 'number', name: 'block-size', min: 1, max: 1000, step: 1, value: 20, class: 'narrow' });
  const bust = el('input', { type: 'number', name: 'bust', max: 0, min: -1, step: 0.05, placeholder: '-0.2', class: 'narrow' });
  const goal = el('input', { type: 'number', name: 'goal', step: 0.1, placeholder: '0.5', class: 'narrow' });
  const paths = el('input', { type: 'number', name: 'paths', min: 10, max: 100000, step: 100, value: 1000, class: 'narrow' });
  const horizon = el('input', { type: 'number', name: 'horizon', min: 1, max: 2520, step: 1, value: 252, class: 'narrow' });
  const seed = el('input', { type: 'number', name: 'seed', min: 0, step: 1, value: 42, class: 'narrow' });
  const runButton = el('button', { type: 'submit', class: 'primary', text: 'Run simulation', 'data-action': 'simulate' });
  const portfolioNote = el('p', { class: 'portfolio-note', 'aria-live': 'polite' });
  const formError = el('p', { class: 'field-error', id: uid('sim-error'), 'aria-live': 'polite' });
  const status = el('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const fanChart = el('div', { class: 'chart', id: 'fan-chart' });
  const histogramChart = el('div', { class: 'chart', id: 'histogram-chart' });
  const table = el('table', { class: 'stats' });
  const results = el(
    'div',
    { class: 'results', hidden: true },
    el('div', { class: 'grid-2' }, card('Percentile paths of the cumulative return', fanChart), card('Final returns', histogramChart)),
    card('Statistics', table),
  );
  const resampled = resampledResults(card);
  const horizonField = field('Horizon (trading days)', horizon);
  const blockField = field('Block size (days)', blockSize);
  const bustField = field('Bust at drawdown', bust, 'e.g. -0.2: a path is bust when its max drawdown reaches it.');
  const goalField = field('Goal return', goal, 'e.g. 0.5: a path reaches the goal when it ends 50 % up.');

  replace(
    section,
    el('h2', { text: 'Simulation' }),
    el(
      'form',
      { class: 'card', 'aria-label': 'Simulation settings', novalidate: true, onsubmit: (event) => { event.preventDefault(); run(); } },
      portfolioNote,
      el(
        'div',
        { class: 'toolbar' },
        field('Method', method),
        field('Paths', paths),
        horizonField,
        blockField,
        bustField,
        goalField,
        field('Seed', seed, 'The same seed gives the same paths.'),
        runButton,
      ),
      formError,
      status,
    ),
    results,
    resampled.node,
  );

  /** A titled card around `body`. */
  function card(title, body) {
    const heading = el('h3', { id: uid('sim'), text: title });
    return el('section', { class: 'card', 'aria-labelledby': heading.id }, heading, body);
  }

  /** Shows the inputs the chosen method takes, and only those. */
  function showMethodFields() {
    const reordered = RESAMPLED.has(method.value);
    horizonField.hidden = reordered;
    blockField.hidden = method.value !== 'block';
    bustField.hidden = !reordered;
    goalField.hidden = !reordered;
  }

  /** An optional number field: `{value}` (undefined when empty) or `{problem}`. */
  function readOptional(input, label) {
    const text = input.value.trim();
    const value = Number(text);
    const valid = text === '' || Number.isFinite(value);
    input.setAttribute('aria-invalid', String(!valid));
    if (!valid) return { problem: `${label} must be a number, or left empty.` };
    return { value: text === '' ? undefined : value };
  }

  /** Says which portfolio is simulated, and enables Run only for a valid one. */
  function describePortfolio(portfolio) {
    if (!portfolio.valid || portfolio.assets.length === 0) {
      replace(portfolioNote, 'Build a valid portfolio first: ', el('a', { href: '#portfolio', text: 'go to Portfolio' }), '.');
      runButton.disabled = true;
      return;
    }
    runButton.disabled = false;
    const parts = portfolio.assets.map((a) => `${a.symbol} ${(a.weight * 100).toFixed(1)} %`).join(', ');
    const span = portfolio.start ? `history from ${portfolio.start}` : 'all stored history';
    replace(portfolioNote, el('strong', { text: portfolio.name || 'Current portfolio' }), `: ${parts} · ${span}`);
  }

  /** A whole-number field within bounds: `{value}` or `{problem}`. */
  function readInteger(input, label, min, max) {
    const value = Number(input.value);
    const valid = Number.isInteger(value) && value >= min && value <= max;
    input.setAttribute('aria-invalid', String(!valid));
    return valid ? { value } : { problem: `${label} must be a whole number from ${min} to ${max}.` };
  }

  /** Checks the settings, asks the API, then draws the answer of the chosen method. */
  async function run() {
    const portfolio = currentPortfolio();
    if (!portfolio.valid) return;
    const reordered = RESAMPLED.has(method.value);
    const block = method.value === 'block';
    const checks = [
      readInteger(paths, 'Paths', 10, 100000),
      reordered ? { value: undefined } : readInteger(horizon, 'Horizon', 1, 2520),
      readInteger(seed, 'Seed', 0, Number.MAX_SAFE_INTEGER),
      block ? readInteger(blockSize, 'Block size', 1, 1000) : { value: undefined },
      reordered ? readOptional(bust, 'Bust') : { value: undefined },
      reordered ? readOptional(goal, 'Goal') : { value: undefined },
    ];
    const problem = checks.find((check) => check.problem);
    formError.textContent = problem ? problem.problem : '';
    if (problem) return;
    // The server refuses a horizon for shuffle/block and block size, bust or goal for the
    // others, so each method sends only its own settings.
    const body = {
      assets: portfolio.assets,
      start: portfolio.start || undefined,
      end: portfolio.end || undefined,
      method: method.value,
      num_simulations: checks[0].value,
      time_horizon_days: checks[1].value,
      seed: checks[2].value,
      block_size: checks[3].value,
      bust: checks[4].value,
      goal: checks[5].value,
    };
    const answer = await withLoading(status, () => api('/portfolio/simulate', { method: 'POST', body, timeoutMs: 60000 }), {
      label: 'Simulating…',
    });
    if (!answer) return;
    results.hidden = reordered;
    resampled.node.hidden = !reordered;
    if (reordered) {
      resampled.show(answer);
      return;
    }
    drawFan(answer);
    drawHistogram(answer);
    fillTable(answer);
  }

  /** The fan chart: percentile paths of the cumulative return over the horizon. */
  function drawFan(answer) {
    const p = answer.percentile_paths;
    const days = p.p50.map((_, i) => i);
    const line = (y, name, color, extra = {}) => ({ type: 'scatter', mode: 'lines', x: days, y, name, line: { color, width: 1 }, ...extra });
    draw(
      fanChart,
      [
        line(p.p5, '5th percentile', 'rgba(78,161,255,0.5)'),
        line(p.p95, '95th percentile', 'rgba(78,161,255,0.5)', { fill: 'tonexty', fillcolor: 'rgba(78,161,255,0.12)' }),
        line(p.p25, '25th percentile', 'rgba(78,161,255,0.8)'),
        line(p.p75, '75th percentile', 'rgba(78,161,255,0.8)', { fill: 'tonexty', fillcolor: 'rgba(78,161,255,0.25)' }),
        line(p.p50, 'Median', colors.accent, { line: { color: colors.accent, width: 2 } }),
      ],
      layout({ height: 360, xaxis: { title: { text: 'Trading day' } }, yaxis: { tickformat: '.0%', title: { text: 'Cumulative return' } } }),
      `Fan chart of ${answer.num_simulations} simulated paths over ${answer.time_horizon_days} days: 5th, 25th, 50th, 75th and 95th percentiles`,
    );
  }

  /** The histogram of final returns with VaR 95 % and 99 % marked. */
  function drawHistogram(answer) {
    const { edges, counts } = answer.histogram;
    const centers = counts.map((_, i) => (edges[i] + edges[i + 1]) / 2);
    const widths = counts.map((_, i) => edges[i + 1] - edges[i]);
    const var95 = answer.statistics.var_5;
    const var99 = answer.statistics.var_1;
    const line = (x, color) => ({ type: 'line', x0: x, x1: x, yref: 'paper', y0: 0, y1: 1, line: { color, width: 2, dash: 'dash' } });
    const note = (x, y, text, color) => ({ x, y, yref: 'paper', text, showarrow: false, xanchor: 'left', xshift: 4, font: { color, size: 11 } });
    draw(
      histogramChart,
      [
        {
          type: 'bar',
          name: 'Paths',
          x: centers,
          y: counts,
          width: widths,
          marker: { color: centers.map((c) => (c < var95 ? colors.down : colors.line)) },
          hovertemplate: '%{x:.1%}: %{y} paths<extra></extra>',
        },
      ],
      layout({
        height: 360,
        hovermode: 'closest',
        showlegend: false,
        bargap: 0.02,
        xaxis: { tickformat: '.0%', title: { text: 'Final cumulative return' } },
        yaxis: { title: { text: 'Paths' } },
        shapes: [line(var95, colors.down), line(var99, colors.accent)],
        annotations: [
          note(var95, 1, `VaR 95 %: ${formatPercent(var95, 1)}`, colors.down),
          note(var99, 0.92, `VaR 99 %: ${formatPercent(var99, 1)}`, colors.accent),
        ],
      }),
      `Histogram of final returns over ${answer.num_simulations} paths, VaR 95 % at ${formatPercent(var95, 1)}`,
    );
  }

  /** The statistics of the final return. */
  function fillTable(answer) {
    const stats = answer.statistics;
    const rows = STATISTICS.map(([key, label]) =>
      el('tr', {}, el('th', { scope: 'row', text: label }), el('td', { text: formatPercent(stats[key]) })),
    );
    for (const [key, value] of Object.entries(stats.percentiles || {})) {
      rows.push(el('tr', {}, el('th', { scope: 'row', text: `Percentile ${key.replace(/^p/, '')}` }), el('td', { text: formatPercent(value) })));
    }
    replace(
      table,
      el('caption', { text: `${answer.num_simulations} paths · ${answer.time_horizon_days} days · ${answer.method} · seed ${answer.seed} · history ${answer.start} to ${answer.end}` }),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Statistic' }), el('th', { scope: 'col', text: 'Value' }))),
      el('tbody', {}, rows),
    );
  }

  method.addEventListener('change', showMethodFields);
  showMethodFields();
  describePortfolio(currentPortfolio());
  onPortfolioChange(describePortfolio);
}
