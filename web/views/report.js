// Report: QuantStats' performance report of the portfolio being built (POST /portfolio/report),
// beside an optional benchmark: key metrics, cumulative returns, underwater, returns by year,
// the monthly table, rolling volatility and Sharpe; and, for a saved portfolio, its HTML
// tearsheet (GET /portfolios/{id}/report) to download.

import { api, apiUrl, withLoading } from '../api.js';
import { loadSources, loadCommodities, assetGroups, sourceOptions } from '../catalog.js';
import { colors, draw, layout, referenceLine } from '../charts.js';
import { el, field, select, fillSelect, replace, uid, formatNumber, formatPercent } from '../dom.js';
import { currentPortfolio, onPortfolioChange } from '../state.js';

/** The key metrics: QuantStats name, label, format. */
const METRICS = [
  ['comp', 'Cumulative return', 'percent'],
  ['cagr', 'CAGR', 'percent'],
  ['sharpe', 'Sharpe', 'ratio'],
  ['sortino', 'Sortino', 'ratio'],
  ['max_drawdown', 'Max drawdown', 'percent'],
  ['volatility', 'Volatility (ann.)', 'percent'],
  ['calmar', 'Calmar', 'ratio'],
  ['omega', 'Omega', 'ratio'],
  ['win_rate', 'Win rate (days)', 'percent'],
  ['value_at_risk', 'Daily VaR 95 %', 'percent'],
  ['expected_shortfall', 'Expected shortfall 95 %', 'percent'],
];

/** The greeks against the benchmark (in `stats.greeks` when there is one). */
const GREEKS = [
  ['beta', 'Beta', 'ratio'],
  ['alpha', 'Alpha (ann.)', 'percent'],
];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A monthly return this large (10 %) or larger gets the strongest colour. */
const FULL_COLOUR_RETURN = 0.1;

/** Builds the view into `section`. */
export function mount(section) {
  const portfolioNote = el('p', { class: 'portfolio-note', 'aria-live': 'polite' });
  const benchmarkSource = select([], { name: 'benchmark-source' });
  const benchmark = select([['', 'None']], { name: 'benchmark' });
  const riskFree = el('input', { type: 'number', name: 'report-risk-free', step: 0.1, min: -5, max: 20, value: 0, class: 'narrow' });
  const computeButton = el('button', { type: 'submit', class: 'primary', text: 'Compute', 'data-action': 'report' });
  const download = el('a', { class: 'button', 'data-action': 'download-report', text: 'Download HTML' });
  const downloadHint = el('span', { class: 'hint', id: uid('download') });
  const formError = el('p', { class: 'field-error', 'aria-live': 'polite' });
  const status = el('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const metrics = el('table', { class: 'stats report-metrics' });
  const cumulativeChart = el('div', { class: 'chart', id: 'report-cumulative' });
  const drawdownChart = el('div', { class: 'chart', id: 'report-drawdown' });
  const eoyChart = el('div', { class: 'chart', id: 'report-eoy' });
  const monthly = el('table', { class: 'monthly-returns' });
  const volatilityChart = el('div', { class: 'chart', id: 'report-rolling-volatility' });
  const sharpeChart = el('div', { class: 'chart', id: 'report-rolling-sharpe' });
  const results = el(
    'div',
    { class: 'results', hidden: true },
    el('div', { class: 'grid-2' }, card('Key metrics', el('div', { class: 'table-wrap' }, metrics)), card('Cumulative returns', cumulativeChart)),
    el('div', { class: 'grid-2' }, card('Underwater (drawdown)', drawdownChart), card('Returns by year', eoyChart)),
    card('Monthly returns', el('div', { class: 'table-wrap' }, monthly)),
    el('div', { class: 'grid-2' }, card('Rolling volatility (6 months)', volatilityChart), card('Rolling Sharpe (6 months)', sharpeChart)),
  );
  download.setAttribute('aria-describedby', downloadHint.id);

  replace(
    section,
    el('h2', { text: 'Report' }),
    el(
      'form',
      { class: 'card', 'aria-label': 'Report settings', novalidate: true, onsubmit: (event) => { event.preventDefault(); compute(); } },
      portfolioNote,
      el(
        'div',
        { class: 'toolbar' },
        field('Benchmark source', benchmarkSource),
        field('Benchmark', benchmark),
        field('Risk-free rate (% a year)', riskFree),
        computeButton,
        el('span', { class: 'download' }, download, downloadHint),
      ),
      formError,
      status,
    ),
    results,
  );

  /** A titled card around `body`. */
  function card(title, body) {
    const heading = el('h3', { id: uid('report'), text: title });
    return el('section', { class: 'card', 'aria-labelledby': heading.id }, heading, body);
  }

  /** Says which portfolio the report is of, and enables Compute only for a valid one. */
  function describePortfolio(portfolio) {
    updateDownload();
    if (!portfolio.valid || portfolio.assets.length === 0) {
      replace(portfolioNote, 'Build a valid portfolio first: ', el('a', { href: '#portfolio', text: 'go to Portfolio' }), '.');
      computeButton.disabled = true;
      return;
    }
    computeButton.disabled = false;
    const parts = portfolio.assets.map((a) => `${a.symbol} ${(a.weight * 100).toFixed(1)} %`).join(', ');
    const span = portfolio.start ? `history from ${portfolio.start}` : 'all stored history';
    replace(portfolioNote, el('strong', { text: portfolio.name || 'Current portfolio' }), `: ${parts} · ${span}`);
  }

  /** The annual risk-free rate as a fraction, or null when the field is not a number. */
  function readRate() {
    const rate = Number(riskFree.value || 0);
    const valid = Number.isFinite(rate);
    riskFree.setAttribute('aria-invalid', String(!valid));
    return valid ? rate / 100 : null;
  }

  /** Points the download at the saved portfolio's tearsheet, or disables it when unsaved. */
  function updateDownload() {
    const portfolio = currentPortfolio();
    const rate = readRate();
    if (portfolio.id === null || portfolio.id === undefined || rate === null) {
      download.removeAttribute('href');
      download.removeAttribute('download');
      download.setAttribute('aria-disabled', 'true');
      download.title = rate === null ? 'Enter a risk-free rate first.' : 'Save the portfolio first (in the Portfolio view): the HTML report is of a saved portfolio.';
      downloadHint.textContent = rate === null ? '' : 'Save the portfolio to download its report.';
      return;
    }
    const symbol = benchmark.value;
    download.href = apiUrl(`/portfolios/${encodeURIComponent(portfolio.id)}/report`, {
      benchmark: symbol || undefined,
      benchmark_source: symbol ? benchmarkSource.value : undefined,
      start: portfolio.start,
      end: portfolio.end,
      risk_free: rate,
    });
    // The file's name from the portfolio's, kept to characters every file system takes.
    const stem = (portfolio.name || 'portfolio').replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'portfolio';
    download.setAttribute('download', `${stem}-report.html`);
    download.removeAttribute('aria-disabled');
    download.title = 'The saved portfolio’s tearsheet as one self-contained HTML file';
    downloadHint.textContent = '';
  }

  /** Fills the benchmark list with the chosen source's catalog, "None" first. */
  async function fillBenchmarks() {
    const catalog = await withLoading(status, () => loadCommodities(benchmarkSource.value), { label: 'Loading assets…' });
    if (catalog) fillSelect(benchmark, [['', 'None'], ...assetGroups(catalog)]);
    updateDownload();
  }

  /** Asks the API for the report, then draws every part of it. */
  async function compute() {
    const portfolio = currentPortfolio();
    if (!portfolio.valid) return;
    const rate = readRate();
    formError.textContent = rate === null ? 'The risk-free rate must be a number.' : '';
    if (rate === null) return;
    const body = {
      assets: portfolio.assets,
      start: portfolio.start || undefined,
      end: portfolio.end || undefined,
      risk_free: rate,
      benchmark: benchmark.value ? { source: benchmarkSource.value, symbol: benchmark.value } : undefined,
    };
    const answer = await withLoading(status, () => api('/portfolio/report', { method: 'POST', body, timeoutMs: 60000 }), {
      label: 'Computing the report…',
    });
    if (!answer) return;
    results.hidden = false;
    fillMetrics(answer);
    drawCumulative(answer);
    drawUnderwater(answer);
    drawYears(answer);
    fillMonthly(answer);
    drawRolling(answer);
  }

  /** The key metrics, portfolio beside benchmark; an undefined one says why on hover. */
  function fillMetrics(answer) {
    const hasBenchmark = Boolean(answer.benchmark);
    const shown = (stats, key, kind) => {
      const value = stats?.[key];
      return kind === 'percent' ? formatPercent(value) : formatNumber(value);
    };
    const row = (label, portfolioValue, benchmarkValue, why) =>
      el(
        'tr',
        {},
        el('th', { scope: 'row', text: label }),
        el('td', { text: portfolioValue, title: why }),
        hasBenchmark && el('td', { text: benchmarkValue }),
      );
    const rows = METRICS.map(([key, label, kind]) =>
      row(label, shown(answer.stats, key, kind), shown(answer.benchmark_stats, key, kind), answer.undefined?.[key]),
    );
    const greeks = answer.stats?.greeks;
    if (greeks) {
      for (const [key, label, kind] of GREEKS) {
        if (key in greeks) rows.push(row(label, shown(greeks, key, kind), '—'));
      }
    }
    replace(
      metrics,
      el('caption', { text: `${answer.start} to ${answer.end} · risk-free ${formatPercent(answer.risk_free)} a year` }),
      el(
        'thead',
        {},
        el('tr', {}, el('th', { scope: 'col', text: 'Metric' }), el('th', { scope: 'col', text: 'Portfolio' }), hasBenchmark && el('th', { scope: 'col', text: answer.benchmark })),
      ),
      el('tbody', {}, rows),
    );
  }

  /** A line trace of `values` over the answer's dates. */
  function line(answer, name, values, color, extra = {}) {
    return { type: 'scatter', mode: 'lines', name, x: answer.dates, y: values, line: { color, width: 1.6 }, ...extra };
  }

  /** Cumulative returns of the portfolio and of the benchmark. */
  function drawCumulative(answer) {
    const traces = [line(answer, 'Portfolio', answer.cumulative_returns, colors.line)];
    if (answer.benchmark_cumulative_returns) {
      traces.push(line(answer, answer.benchmark, answer.benchmark_cumulative_returns, colors.accent));
    }
    draw(
      cumulativeChart,
      traces,
      layout({ height: 440, xaxis: { type: 'date' }, yaxis: { tickformat: '.0%' }, shapes: [referenceLine(0)] }),
      `Cumulative return of the portfolio${answer.benchmark ? ` and of ${answer.benchmark}` : ''}`,
    );
  }

  /** The portfolio's drawdown from its running peak. */
  function drawUnderwater(answer) {
    draw(
      drawdownChart,
      [line(answer, 'Drawdown', answer.drawdown, colors.down, { fill: 'tozeroy', fillcolor: 'rgba(239,91,91,0.2)' })],
      layout({ height: 300, showlegend: false, xaxis: { type: 'date' }, yaxis: { tickformat: '.0%' } }),
      `Drawdown of the portfolio from its running peak; the deepest is ${formatPercent(answer.stats?.max_drawdown)}`,
    );
  }

  /** Each calendar year's return, beside the benchmark's. */
  function drawYears(answer) {
    const bars = (name, rows, color) => ({
      type: 'bar',
      name,
      x: rows.map((r) => String(r.year)),
      y: rows.map((r) => r.return),
      marker: { color },
      hovertemplate: `${name} %{x}: %{y:.2%}<extra></extra>`,
    });
    const traces = [bars('Portfolio', answer.eoy_returns || [], colors.line)];
    if (answer.benchmark_eoy_returns) traces.push(bars(answer.benchmark, answer.benchmark_eoy_returns, colors.accent));
    draw(
      eoyChart,
      traces,
      layout({ height: 300, barmode: 'group', hovermode: 'closest', xaxis: { type: 'category' }, yaxis: { tickformat: '.0%' } }),
      'Return of each calendar year',
    );
  }

  /** The monthly returns as a table whose cells are coloured by their return. */
  function fillMonthly(answer) {
    // QuantStats fills the months before the first and after the last return with 0: they
    // are left blank here, so that a 0.00 % always means a flat month.
    const first = (answer.dates[0] || '').slice(0, 7);
    const last = (answer.dates[answer.dates.length - 1] || '').slice(0, 7);
    const cell = (value, inRange) => {
      if (!inRange || !Number.isFinite(value)) return el('td', { class: 'empty', text: '' });
      const node = el('td', { text: formatPercent(value, 1) });
      const strength = Math.min(Math.abs(value) / FULL_COLOUR_RETURN, 1);
      const rgb = value >= 0 ? '47,191,113' : '239,91,91';
      node.style.backgroundColor = `rgba(${rgb},${(0.08 + 0.62 * strength).toFixed(3)})`;
      return node;
    };
    const rows = (answer.monthly_returns || []).map((year) =>
      el(
        'tr',
        {},
        el('th', { scope: 'row', text: String(year.year) }),
        year.months.map((value, month) => {
          const key = `${year.year}-${String(month + 1).padStart(2, '0')}`;
          return cell(value, key >= first && key <= last);
        }),
        cell(year.eoy, true),
      ),
    );
    replace(
      monthly,
      el('caption', { text: 'Return of each month and of the year (EOY); greener is better, redder worse.' }),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Year' }), [...MONTHS, 'EOY'].map((text) => el('th', { scope: 'col', text })))),
      el('tbody', {}, rows),
    );
  }

  /** Rolling volatility and Sharpe ratio over QuantStats' 126-day window. */
  function drawRolling(answer) {
    draw(
      volatilityChart,
      [line(answer, 'Volatility', answer.rolling_volatility, colors.accent)],
      layout({ height: 280, showlegend: false, xaxis: { type: 'date' }, yaxis: { tickformat: '.0%' } }),
      'Annualised volatility over the last 126 days',
    );
    draw(
      sharpeChart,
      [line(answer, 'Sharpe', answer.rolling_sharpe, colors.line)],
      layout({ height: 280, showlegend: false, xaxis: { type: 'date' }, shapes: [referenceLine(0)] }),
      'Sharpe ratio over the last 126 days',
    );
  }

  benchmarkSource.addEventListener('change', fillBenchmarks);
  benchmark.addEventListener('change', updateDownload);
  riskFree.addEventListener('input', updateDownload);
  describePortfolio(currentPortfolio());
  onPortfolioChange(describePortfolio);

  (async () => {
    const answer = await withLoading(status, () => loadSources(), { label: 'Loading sources…' });
    if (!answer) return;
    const sources = sourceOptions(answer);
    fillSelect(benchmarkSource, sources);
    if (sources.some(([id]) => id === 'demo')) benchmarkSource.value = 'demo';
    await fillBenchmarks();
  })();
}
