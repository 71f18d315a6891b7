// The Prices view's indicator picker: every catalog function in a select grouped by TA-Lib
// group, the chosen function's parameters (defaults filled) and where it will be drawn, and an
// Add button that hands the function and its values to the view.

import { withLoading } from '../api.js';
import { el, field, select, fillSelect, replace } from '../dom.js';
import { loadIndicatorCatalog, catalogGroups, parameterForm } from '../indicator-catalog.js';
import { placementHint } from './price-indicators.js';

/**
 * The picker: `{node, load}`. `onAdd(info, values)` is called on Add; `load()` fills the list
 * from the catalog (an error shows under it) and resolves to the catalog or undefined.
 */
export function indicatorPicker(onAdd) {
  const functions = select([['', 'Loading…']], { name: 'indicator', disabled: true });
  const addButton = el('button', { type: 'button', class: 'primary', text: 'Add indicator', 'data-action': 'add-indicator', disabled: true });
  const params = el('div', { class: 'picker-params' });
  const hint = el('p', { class: 'hint picker-hint', 'aria-live': 'polite' });
  const status = el('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const node = el(
    'fieldset',
    { class: 'indicator-picker' },
    el('legend', { text: 'Add an indicator (every TA-Lib function)' }),
    el('div', { class: 'toolbar' }, field('Indicator', functions), params, addButton),
    hint,
    status,
  );
  const byName = new Map();
  let form = null;

  /** Shows the chosen function's parameter inputs and where it will be drawn. */
  function choose() {
    const info = byName.get(functions.value);
    form = info ? parameterForm(info) : null;
    replace(params, form?.node);
    hint.textContent = info ? `${info.group}; reads ${(info.inputs || []).join(', ')}. ${placementHint(info)}` : '';
  }

  functions.addEventListener('change', choose);
  addButton.addEventListener('click', () => {
    const info = byName.get(functions.value);
    const values = form?.read();
    if (info && values) onAdd(info, values);
  });

  async function load() {
    const catalog = await withLoading(status, () => loadIndicatorCatalog(), { label: 'Loading indicators…' });
    if (!catalog) {
      fillSelect(functions, [['', 'Unavailable']]);
      return undefined;
    }
    for (const info of catalog) byName.set(info.name, info);
    fillSelect(functions, catalogGroups(catalog, (info) => [info.name, info.name]));
    // RSI first: the oscillator most people start from.
    if (byName.has('rsi')) functions.value = 'rsi';
    functions.disabled = false;
    addButton.disabled = false;
    choose();
    return catalog;
  }

  return { node, load, focus: () => addButton.focus() };
}
