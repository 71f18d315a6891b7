// The Simulation view's answer for the shuffle and block methods: each path is the history
// reordered, so there is no fan over a horizon; instead the final return and the maximum
// drawdown across paths side by side, the bust and goal probabilities, and a box of each.

import { draw, layout, referenceLine } from '../charts.js';
import { el, replace, formatNumber, formatPercent } from '../dom.js';

/** The rows of the table: the key in `terminal` and `max_drawdown`, and its label. */
const ROWS = [
  ['mean', 'Mean'],
  ['median', 'Median'],
  ['std', 'Standard deviation'],
  ['percentile_5', 'Percentile 5'],
  ['percentile_25', 'Percentile 25'],
  ['percentile_75', 'Percentile 75'],
  ['percentile_95', 'Percentile 95'],
  ['min', 'Minimum'],
  ['max', 'Maximum'],
];

/** The results area; `card(title, body)` makes the view's titled cards. */
export function resampledResults(card) {
  const table = el('table', { class: 'stats resampled-stats' });
  const odds = el('div', { class: 'metric-grid resampled-odds' });
  const chart = el('div', { class: 'chart', id: 'resampled-chart' });
  const node = el(
    'div',
    { class: 'results resampled', hidden: true },
    el('div', { class: 'grid-2' }, card('Final return and max drawdown across paths', el('div', { class: 'table-wrap' }, table)), card('Spread across paths', chart)),
    card('Probabilities', odds),
  );

  /** Fills the table, the probabilities and the chart from a shuffle/block answer. */
  function show(answer) {
    fillTable(answer);
    fillOdds(answer);
    drawBoxes(answer);
  }

  /** Final return beside max drawdown, one statistic a row. */
  function fillTable(answer) {
    const rows = ROWS.map(([key, label]) =>
      el(
        'tr',
        { dataset: { stat: key } },
        el('th', { scope: 'row', text: label }),
        el('td', { text: formatPercent(answer.terminal?.[key]) }),
        el('td', { text: formatPercent(answer.max_drawdown?.[key]) }),
      ),
    );
    const block = answer.block_size ? ` (blocks of ${answer.block_size} days)` : '';
    // Reordering the same days cannot change their compounded product: under shuffle every
    // path ends where the history did, and only the drawdown varies.
    const same = answer.method === 'shuffle' ? ' · every reordering ends at the same final return' : '';
    replace(
      table,
      el('caption', { text: `${answer.sims} paths of ${answer.periods} days · ${answer.method}${block} · history ${answer.start} to ${answer.end}${same}` }),
      el(
        'thead',
        {},
        el('tr', {}, el('th', { scope: 'col', text: 'Statistic' }), el('th', { scope: 'col', text: 'Final return' }), el('th', { scope: 'col', text: 'Max drawdown' })),
      ),
      el('tbody', {}, rows),
    );
  }

  /** The bust and goal probabilities, or a note that none were asked for. */
  function fillOdds(answer) {
    const cards = [];
    const metric = (key, label, value, tip) =>
      el(
        'div',
        { class: 'metric', dataset: { metric: key }, tabindex: 0 },
        el('span', { class: 'metric-label', text: label }),
        el('span', { class: 'metric-value', text: formatPercent(value, 1) }),
        el('span', { class: 'tip', text: tip }),
      );
    if (answer.bust_probability !== undefined && answer.bust_probability !== null) {
      cards.push(metric('bust_probability', 'Probability of going bust', answer.bust_probability, 'Share of paths whose max drawdown reached the bust level.'));
    }
    if (answer.goal_probability !== undefined && answer.goal_probability !== null) {
      cards.push(metric('goal_probability', 'Probability of reaching the goal', answer.goal_probability, 'Share of paths whose final return reached the goal.'));
    }
    if (cards.length === 0) cards.push(el('p', { class: 'muted', text: 'Give a bust level or a goal to see how likely each is.' }));
    replace(odds, cards);
  }

  /** A box of each distribution: whiskers at the 5th and 95th percentiles, the box 25th–75th. */
  function drawBoxes(answer) {
    const box = (name, stats, color) => ({
      type: 'box',
      name,
      x: [name],
      q1: [stats.percentile_25],
      median: [stats.median],
      q3: [stats.percentile_75],
      lowerfence: [stats.percentile_5],
      upperfence: [stats.percentile_95],
      mean: [stats.mean],
      marker: { color },
      line: { color },
      fillcolor: color.replace('rgb', 'rgba').replace(')', ',0.25)'),
    });
    draw(
      chart,
      [box('Final return', answer.terminal, 'rgb(78,161,255)'), box('Max drawdown', answer.max_drawdown, 'rgb(239,91,91)')],
      layout({ height: 360, showlegend: false, hovermode: 'closest', yaxis: { tickformat: '.0%' }, shapes: [referenceLine(0)] }),
      `Final return (median ${formatPercent(answer.terminal?.median, 1)}) and max drawdown (median ${formatPercent(answer.max_drawdown?.median, 1)}) across ${formatNumber(answer.sims, 0)} paths: boxes from the 25th to the 75th percentile, whiskers at the 5th and 95th`,
    );
  }

  return { node, show };
}
