// The Backtest view's single result: key statistics beside buy-and-hold, the equity curve
// against buy-and-hold, its drawdown, the price with each trade's entry ▲ and exit ▼, and the
// trades table.

import { colors, draw, layout } from '../charts.js';
import { el, replace, formatNumber, formatPercent } from '../dom.js';

/**
 * The key statistics: label, the strategy's value and buy-and-hold's (from the answer), and
 * a format. Trade statistics have no buy-and-hold counterpart.
 */
const KEY_STATS = [
  ['Total return', (a) => a.total_return, (a) => a.stats?.buy_and_hold_return, 'percent'],
  ['Final value', (a) => a.final_value, (a) => a.equity?.[a.equity.length - 1]?.buy_and_hold, 'number'],
  ['Trades', (a) => a.stats?.total_trades, () => undefined, 'count'],
  ['Win rate (trades)', (a) => a.stats?.win_rate, () => undefined, 'percent'],
  ['Profit factor', (a) => a.stats?.profit_factor, () => undefined, 'number'],
  ['Max drawdown', (a) => a.stats?.max_drawdown, (a) => a.stats?.buy_and_hold?.max_drawdown, 'percent'],
  ['Sharpe', (a) => a.stats?.quantstats?.sharpe, (a) => a.stats?.buy_and_hold?.sharpe, 'number'],
  ['Sortino', (a) => a.stats?.quantstats?.sortino, (a) => a.stats?.buy_and_hold?.sortino, 'number'],
  ['CAGR', (a) => a.stats?.quantstats?.cagr, (a) => a.stats?.buy_and_hold?.cagr, 'percent'],
  ['Exposure', (a) => a.stats?.exposure, () => undefined, 'percent'],
  ['Fees paid', (a) => a.stats?.total_fees, () => undefined, 'number'],
];

/** A value in its format, or an em dash. */
function shown(value, kind) {
  if (kind === 'percent') return formatPercent(value);
  if (kind === 'count') return formatNumber(value, 0);
  return formatNumber(value);
}

/** The results area of one backtest; `card(title, body)` makes the view's titled cards. */
export function singleResult(card) {
  const stats = el('table', { class: 'stats backtest-stats' });
  const equityChart = el('div', { class: 'chart', id: 'backtest-equity' });
  const drawdownChart = el('div', { class: 'chart', id: 'backtest-drawdown' });
  const priceChart = el('div', { class: 'chart', id: 'backtest-price' });
  const trades = el('table', { class: 'trades-table' });
  const node = el(
    'div',
    { class: 'results backtest-single', hidden: true },
    el('div', { class: 'grid-2' }, card('Key statistics', el('div', { class: 'table-wrap' }, stats)), card('Equity against buy-and-hold', equityChart)),
    el('div', { class: 'grid-2' }, card('Drawdown of the equity', drawdownChart), card('Price and trades', priceChart)),
    card('Trades', el('div', { class: 'table-wrap' }, trades)),
  );

  /** Draws every part of `answer` (POST /backtest) over `bars` (the series' prices). */
  function show(answer, bars, title) {
    fillStats(answer, title);
    drawEquity(answer);
    drawDrawdown(answer);
    drawPrice(answer, bars, title);
    fillTrades(answer);
  }

  /** The key statistics, the strategy beside buy-and-hold (and, with train-until, each part). */
  function fillStats(answer, title) {
    // `in_sample` and `out_of_sample` have the answer's own shape, so each row reads them too.
    const parts = [
      ['In sample', answer.in_sample],
      ['Out of sample', answer.out_of_sample],
    ].filter(([, part]) => part);
    const rows = KEY_STATS.map(([label, mine, hold, kind]) =>
      el(
        'tr',
        {},
        el('th', { scope: 'row', text: label }),
        el('td', { text: shown(mine(answer), kind) }),
        el('td', { text: shown(hold(answer), kind) }),
        parts.map(([, part]) => el('td', { text: shown(mine(part), kind) })),
      ),
    );
    const first = answer.equity?.[0]?.date;
    const last = answer.equity?.[answer.equity.length - 1]?.date;
    replace(
      stats,
      el('caption', { text: `${title} · ${first || '—'} to ${last || '—'}` }),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Statistic' }), el('th', { scope: 'col', text: 'Strategy' }), el('th', { scope: 'col', text: 'Buy and hold' }), parts.map(([name]) => el('th', { scope: 'col', text: name })))),
      el('tbody', {}, rows),
    );
  }

  /** The strategy's equity and buy-and-hold's, in money. */
  function drawEquity(answer) {
    const dates = answer.equity.map((p) => p.date);
    const line = (name, y, color) => ({ type: 'scatter', mode: 'lines', name, x: dates, y, line: { color, width: 1.6 } });
    draw(
      equityChart,
      [line('Strategy', answer.equity.map((p) => p.value), colors.line), line('Buy and hold', answer.equity.map((p) => p.buy_and_hold), colors.accent)],
      layout({ height: 360, xaxis: { type: 'date' }, yaxis: { title: { text: 'Value' } } }),
      `Equity of the strategy, ending at ${formatNumber(answer.final_value)}, against buy-and-hold`,
    );
  }

  /** The equity's fall from its running peak. */
  function drawDrawdown(answer) {
    let peak = -Infinity;
    const drawdown = answer.equity.map((p) => {
      peak = Math.max(peak, p.value);
      return peak > 0 ? p.value / peak - 1 : 0;
    });
    draw(
      drawdownChart,
      [
        {
          type: 'scatter',
          mode: 'lines',
          name: 'Drawdown',
          x: answer.equity.map((p) => p.date),
          y: drawdown,
          line: { color: colors.down, width: 1.4 },
          fill: 'tozeroy',
          fillcolor: 'rgba(239,91,91,0.2)',
        },
      ],
      layout({ height: 300, showlegend: false, xaxis: { type: 'date' }, yaxis: { tickformat: '.0%' } }),
      `Drawdown of the strategy's equity; the deepest is ${formatPercent(answer.stats?.max_drawdown)}`,
    );
  }

  /** The closes, with a ▲ at each entry and a ▼ at each exit, at their dates and prices. */
  function drawPrice(answer, bars, title) {
    const closed = answer.trades.filter((t) => t.exit_date);
    const markers = (name, symbol, color, list, date, price) => ({
      type: 'scatter',
      mode: 'markers',
      name,
      x: list.map(date),
      y: list.map(price),
      marker: { symbol, size: 11, color, line: { color: '#0b1220', width: 1 } },
      hovertemplate: `${name} %{x}: %{y:.2f}<extra></extra>`,
    });
    draw(
      priceChart,
      [
        { type: 'scatter', mode: 'lines', name: title, x: bars.map((b) => b.date), y: bars.map((b) => b.close), line: { color: colors.muted, width: 1.2 } },
        markers('Entry', 'triangle-up', colors.up, answer.trades, (t) => t.entry_date, (t) => t.entry_price),
        markers('Exit', 'triangle-down', colors.down, closed, (t) => t.exit_date, (t) => t.exit_price),
      ],
      layout({ height: 300, hovermode: 'closest', xaxis: { type: 'date' } }),
      `${title} closing prices with ${answer.trades.length} entries and ${closed.length} exits marked`,
    );
  }

  /** One row a trade; an open one says so instead of an exit date. */
  function fillTrades(answer) {
    const rows = answer.trades.map((t, i) =>
      el(
        'tr',
        {},
        el('th', { scope: 'row', text: String(i + 1) }),
        el('td', { text: t.direction }),
        el('td', { text: t.entry_date }),
        el('td', { text: formatNumber(t.entry_price) }),
        el('td', { text: t.exit_date || 'open' }),
        el('td', { text: formatNumber(t.exit_price) }),
        el('td', { text: formatNumber(t.size, 4) }),
        el('td', { class: t.pnl >= 0 ? 'change up' : 'change down', text: formatNumber(t.pnl) }),
        el('td', { class: t.return >= 0 ? 'change up' : 'change down', text: formatPercent(t.return) }),
      ),
    );
    const head = ['#', 'Direction', 'Entry', 'Entry price', 'Exit', 'Exit price', 'Size', 'P&L', 'Return'];
    replace(
      trades,
      el('caption', { text: answer.trades.length ? `${answer.trades.length} trades; an open trade is valued at the last close.` : 'No trades: the entry rule never held.' }),
      el('thead', {}, el('tr', {}, head.map((text) => el('th', { scope: 'col', text })))),
      el('tbody', {}, rows),
    );
  }

  return { node, show };
}
