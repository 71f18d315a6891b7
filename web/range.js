// A date range: preset buttons (1M, 6M, 1Y, 5Y, Max) and two date fields, used by the price
// and portfolio views.

import { el, field } from './dom.js';

const PRESETS = [
  ['1M', 1],
  ['6M', 6],
  ['1Y', 12],
  ['5Y', 60],
  ['Max', null],
];

function isoDate(date) {
  return date.toISOString().slice(0, 10);
}

/** The start date `months` before today (UTC). */
function monthsAgo(months) {
  const date = new Date();
  date.setUTCMonth(date.getUTCMonth() - months);
  return isoDate(date);
}

/**
 * A range picker starting on `initial` (a preset label). `onChange({start, end})` runs when
 * the user changes it; `start`/`end` are ISO dates or '' (unbounded).
 */
export function rangePicker(onChange, initial = '1Y') {
  const start = el('input', { type: 'date', name: 'start' });
  const end = el('input', { type: 'date', name: 'end' });
  const buttons = PRESETS.map(([label, months]) =>
    el('button', {
      type: 'button',
      class: 'preset',
      'aria-pressed': 'false',
      'data-preset': label,
      text: label,
      title: months === null ? 'All stored history' : `The last ${label}`,
      onclick: () => {
        choose(label, months);
        onChange(value());
      },
    }),
  );
  function choose(label, months) {
    start.value = months === null ? '' : monthsAgo(months);
    end.value = '';
    for (const button of buttons) {
      button.setAttribute('aria-pressed', String(button.dataset.preset === label));
    }
  }
  function custom() {
    for (const button of buttons) button.setAttribute('aria-pressed', 'false');
    onChange(value());
  }
  start.addEventListener('change', custom);
  end.addEventListener('change', custom);
  function value() {
    return { start: start.value, end: end.value };
  }
  const preset = PRESETS.find(([label]) => label === initial) || PRESETS[2];
  choose(preset[0], preset[1]);
  const node = el(
    'fieldset',
    { class: 'range' },
    el('legend', { text: 'Date range' }),
    el('div', { class: 'presets', role: 'group', 'aria-label': 'Range presets' }, buttons),
    el('div', { class: 'dates' }, field('From', start), field('To', end)),
  );
  return { node, value };
}
