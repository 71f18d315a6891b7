// The Backtest view's sweep result: every combination's score (a heatmap over exactly two
// parameters, else a table) and the best combinations, each of which can be loaded back into
// the rule editor.

import { colors, draw, layout, clear } from '../charts.js';
import { el, replace, formatNumber, formatPercent } from '../dom.js';

/** Statistics a sweep may rank by (the server's list), with how each reads. */
export const RANK_BY = [
  ['total_return', 'Total return', 'percent'],
  ['win_rate', 'Win rate', 'percent'],
  ['profit_factor', 'Profit factor', 'number'],
  ['expectancy', 'Expectancy', 'number'],
  ['max_drawdown', 'Max drawdown', 'percent'],
  ['average_trade', 'Average trade', 'percent'],
];

/** A score in the format of the statistic ranked by. */
function formatScore(value, rankBy) {
  const kind = RANK_BY.find(([key]) => key === rankBy)?.[2];
  return kind === 'percent' ? formatPercent(value) : formatNumber(value);
}

/**
 * The combinations of a sweep in the server's order (row-major over the parameters in
 * order): one `{values: [...], score}` each.
 */
function combinations(answer) {
  const sizes = answer.parameters.map((p) => p.values.length);
  return answer.scores.map((score, index) => {
    const values = [];
    let rest = index;
    for (let k = sizes.length - 1; k >= 0; k -= 1) {
      values[k] = answer.parameters[k].values[rest % sizes[k]];
      rest = Math.floor(rest / sizes[k]);
    }
    return { values, score };
  });
}

/**
 * The results area of a sweep; `card(title, body)` makes the view's titled cards and
 * `useRules(entry, exit)` puts a combination's rules into the editor.
 */
export function sweepResult(card, useRules) {
  const summary = el('p', { class: 'muted sweep-summary' });
  const heatmap = el('div', { class: 'chart', id: 'backtest-heatmap' });
  const scores = el('table', { class: 'stats sweep-scores' });
  const scoresWrap = el('div', { class: 'table-wrap' }, scores);
  const best = el('table', { class: 'best-table' });
  const node = el(
    'div',
    { class: 'results backtest-sweep', hidden: true },
    card('Scores of every combination', summary, heatmap, scoresWrap),
    card('Best combinations', el('div', { class: 'table-wrap' }, best)),
  );

  /** Draws a sweep answer ranked by `rankBy`. */
  function show(answer, rankBy) {
    const label = RANK_BY.find(([key]) => key === rankBy)?.[1] || rankBy;
    summary.textContent = `${formatNumber(answer.combinations, 0)} combinations, ${formatNumber(answer.indicators_computed, 0)} indicator series computed, ${answer.first_date || '—'} to ${answer.last_date || '—'}; scored by ${label.toLowerCase()}.`;
    if (answer.parameters.length === 2) {
      scoresWrap.hidden = true;
      heatmap.hidden = false;
      drawHeatmap(answer, rankBy, label);
    } else {
      heatmap.hidden = true;
      clear(heatmap);
      scoresWrap.hidden = false;
      fillScores(answer, rankBy, label);
    }
    fillBest(answer, rankBy);
  }

  /** Two parameters: the first down, the second across, the score as colour. */
  function drawHeatmap(answer, rankBy, label) {
    const [rows, columns] = answer.parameters;
    const width = columns.values.length;
    const z = rows.values.map((_, i) => answer.scores.slice(i * width, (i + 1) * width));
    const percent = RANK_BY.find(([key]) => key === rankBy)?.[2] === 'percent';
    draw(
      heatmap,
      [
        {
          type: 'heatmap',
          x: columns.values.map(String),
          y: rows.values.map(String),
          z,
          colorscale: [
            [0, colors.down],
            [0.5, '#1b2436'],
            [1, colors.up],
          ],
          // Centre the scale on 0 when scores change sign, so that dark means break-even.
          zmid: Math.min(...answer.scores) < 0 && Math.max(...answer.scores) > 0 ? 0 : undefined,
          colorbar: { tickformat: percent ? '.0%' : '.2f', outlinewidth: 0 },
          hovertemplate: `${rows.name}=%{y} ${columns.name}=%{x}: %{z${percent ? ':.2%' : ':.3f'}}<extra></extra>`,
        },
      ],
      layout({
        height: Math.max(320, 26 * rows.values.length + 120),
        hovermode: 'closest',
        xaxis: { title: { text: columns.name }, type: 'category' },
        yaxis: { title: { text: rows.name }, type: 'category' },
      }),
      `${label} of each combination of ${rows.name} (${rows.values.length} values) and ${columns.name} (${columns.values.length} values)`,
    );
  }

  /** One or three or more parameters: a row a combination. */
  function fillScores(answer, rankBy, label) {
    const rows = combinations(answer).map(({ values, score }) =>
      el('tr', {}, values.map((value) => el('td', { text: String(value) })), el('td', { text: formatScore(score, rankBy) })),
    );
    replace(
      scores,
      el('thead', {}, el('tr', {}, answer.parameters.map((p) => el('th', { scope: 'col', text: p.name })), el('th', { scope: 'col', text: label }))),
      el('tbody', {}, rows),
    );
  }

  /** The best combinations, best first, each with a button that loads its rules. */
  function fillBest(answer, rankBy) {
    const rows = answer.best.map((item, i) =>
      el(
        'tr',
        {},
        el('th', { scope: 'row', text: String(i + 1) }),
        el('td', { text: Object.entries(item.params).map(([k, v]) => `${k}=${v}`).join(', ') }),
        el('td', {}, el('code', { text: item.entry })),
        el('td', {}, el('code', { text: item.exit })),
        el('td', { text: formatPercent(item.total_return) }),
        el('td', { text: formatNumber(item.stats?.total_trades, 0) }),
        el('td', { text: formatPercent(item.stats?.win_rate) }),
        el('td', { text: formatPercent(item.stats?.max_drawdown) }),
        el('td', {}, el('button', { type: 'button', class: 'ghost', text: 'Use', title: 'Put these rules in the editor, without the grid', onclick: () => useRules(item.entry, item.exit) })),
      ),
    );
    const head = ['#', 'Parameters', 'Entry', 'Exit', 'Total return', 'Trades', 'Win rate', 'Max drawdown', 'Load'];
    replace(
      best,
      el('caption', { text: `Ranked by ${(RANK_BY.find(([key]) => key === rankBy)?.[1] || rankBy).toLowerCase()}` }),
      el('thead', {}, el('tr', {}, head.map((text) => el('th', { scope: 'col', text })))),
      el('tbody', {}, rows),
    );
  }

  return { node, show };
}
