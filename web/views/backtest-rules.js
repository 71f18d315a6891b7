// The Backtest view's rule editor: entry and exit rules as text, and an "insert indicator"
// helper that puts a catalog function, with its default parameters, at the cursor of the rule
// last edited.

import { withLoading } from '../api.js';
import { el, field, select, fillSelect } from '../dom.js';
import { loadIndicatorCatalog, catalogGroups } from '../indicator-catalog.js';

/**
 * A function as a rule writes it: `rsi(14)`, `bbands(20,2,2).upper`, `cdlengulfing`.
 * Moving-average types are left out: the rule language takes them only by keyword, and
 * leaving them out means their default.
 */
export function indicatorSpec(info) {
  const numbers = (info.parameters || []).filter((p) => p.type !== 'matype' && typeof p.default === 'number');
  const args = numbers.length ? `(${numbers.map((p) => String(p.default)).join(',')})` : '';
  // A multi-output function must name the output a rule compares; the first is TA-Lib's main one.
  const output = (info.outputs || []).length > 1 ? `.${info.outputs[0].name}` : '';
  return `${info.name}${args}${output}`;
}

/** The catalog as `<select>` groups, one per TA-Lib group, each option inserting its spec. */
export function indicatorGroups(catalog) {
  return catalogGroups(catalog, (info) => {
    const spec = indicatorSpec(info);
    return [spec, spec];
  });
}

/** Puts `text` at `input`'s cursor (replacing a selection), leaving the cursor after it. */
function insertAtCursor(input, text) {
  const start = input.selectionStart ?? input.value.length;
  const end = input.selectionEnd ?? start;
  input.setRangeText(text, start, end, 'end');
  input.focus();
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

/** The entry and exit inputs and the helper: `{node, entry, exit, load}`; `load()` fills the helper. */
export function ruleEditor() {
  const rule = (name, value, label) =>
    el('input', { type: 'text', name, value, class: 'rule', spellcheck: 'false', autocomplete: 'off', 'aria-label': label });
  const entry = rule('entry', 'rsi(14) < 30', 'Entry rule');
  const exit = rule('exit', 'rsi(14) > 70', 'Exit rule');
  const functions = select([['', 'Loading…']], { name: 'insert-indicator', disabled: true });
  const insertButton = el('button', { type: 'button', text: 'Insert', 'data-action': 'insert-indicator', disabled: true });
  const target = el('span', { class: 'hint', 'aria-live': 'polite', text: 'Inserts into the entry rule.' });
  const status = el('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
  // The rule last focused receives the insertion: the click on Insert takes the focus away.
  let last = entry;
  for (const [input, name] of [
    [entry, 'entry'],
    [exit, 'exit'],
  ]) {
    input.addEventListener('focus', () => {
      last = input;
      target.textContent = `Inserts into the ${name} rule, at the cursor.`;
    });
  }
  insertButton.addEventListener('click', () => {
    if (functions.value) insertAtCursor(last, functions.value);
  });
  const node = el(
    'fieldset',
    { class: 'rules' },
    el('legend', { text: 'Rules' }),
    field('Entry', entry, 'e.g. rsi(14) < 30, crosses_above(sma(10), sma(30)), cdlengulfing > 0; combine with and / or.'),
    field('Exit', exit),
    el('div', { class: 'insert-indicator' }, field('Insert indicator', functions), insertButton, target),
    status,
  );

  /** Fills the helper from the catalog (an error is shown under it). */
  async function load() {
    const catalog = await withLoading(status, () => loadIndicatorCatalog(), { label: 'Loading indicators…' });
    if (!catalog) {
      fillSelect(functions, [['', 'Unavailable']]);
      return;
    }
    fillSelect(functions, indicatorGroups(catalog));
    // RSI first: the rule most people start from, and the one the default rules use.
    if ([...functions.options].some((option) => option.value === 'rsi(14)')) functions.value = 'rsi(14)';
    functions.disabled = false;
    insertButton.disabled = false;
  }

  return { node, entry, exit, load };
}
