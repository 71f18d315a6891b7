// The indicator catalog (`GET /indicators/catalog`: every TA-Lib function with its group,
// parameters and outputs), shared by the Prices view's picker and the Backtest view's
// "insert indicator" helper: loading it once, grouping it for a `<select>`, a form for a
// function's parameters, and the spec string the API reads.

import { api } from './api.js';
import { el, field, select } from './dom.js';

let catalogPromise = null;

/** `GET /indicators/catalog` (cached; a failure is tried again on the next call). */
export function loadIndicatorCatalog() {
  if (!catalogPromise) {
    catalogPromise = api('/indicators/catalog').catch((error) => {
      catalogPromise = null;
      throw error;
    });
  }
  return catalogPromise;
}

/**
 * The catalog as `<select>` groups, one per TA-Lib group in the catalog's order, each
 * function's option made by `option(info)` (`[value, text]`) and sorted by its text.
 */
export function catalogGroups(catalog, option) {
  const groups = new Map();
  for (const info of catalog || []) {
    if (!groups.has(info.group)) groups.set(info.group, []);
    groups.get(info.group).push(option(info));
  }
  return [...groups.entries()].map(([label, options]) => ({
    label,
    options: options.sort((a, b) => a[1].localeCompare(b[1])),
  }));
}

/**
 * The spec the API reads for `info` with parameter `values` (by TA-Lib name): the bare name
 * when every value is the default, else the numeric parameters positionally in TA-Lib's order
 * and the moving-average types that differ by keyword, the only way the spec language takes them.
 */
export function specOf(info, values = {}) {
  const params = info.parameters || [];
  const value = (p) => values[p.name] ?? p.default;
  if (params.every((p) => value(p) === p.default)) return info.name;
  const numbers = params.filter((p) => p.type !== 'matype').map((p) => String(value(p)));
  const keywords = params
    .filter((p) => p.type === 'matype' && value(p) !== p.default)
    .map((p) => `${p.name}=${value(p)}`);
  return `${info.name}(${[...numbers, ...keywords].join(',')})`;
}

/** Whether `text` is a valid value for parameter `p` (its type, min and max). */
function valid(p, number) {
  if (!Number.isFinite(number)) return false;
  if (p.type === 'integer' && !Number.isInteger(number)) return false;
  if (p.min !== null && p.min !== undefined && number < p.min) return false;
  return !(p.max !== null && p.max !== undefined && number > p.max);
}

/**
 * Inputs for `info`'s parameters, filled with `values` or the defaults (an MA type as a select
 * of its names): `{node, controls, read}`; `read()` gives the values by name, or null when one
 * is invalid (that input is then marked `aria-invalid`).
 */
export function parameterForm(info, values = {}) {
  const controls = (info.parameters || []).map((p) => {
    const initial = values[p.name] ?? p.default;
    if (p.type === 'matype') {
      const control = select(
        (p.values || []).map((name) => [name, name]),
        { 'data-param': p.name },
      );
      control.value = initial;
      return control;
    }
    return el('input', {
      type: 'number',
      class: 'narrow',
      step: p.type === 'integer' ? 1 : 'any',
      min: p.min ?? undefined,
      max: p.max ?? undefined,
      value: initial,
      'data-param': p.name,
      inputmode: p.type === 'integer' ? 'numeric' : 'decimal',
    });
  });
  const node = el(
    'div',
    { class: 'params' },
    (info.parameters || []).map((p, i) => field(p.name, controls[i])),
  );
  function read() {
    const out = {};
    let ok = true;
    for (const [i, p] of (info.parameters || []).entries()) {
      const control = controls[i];
      if (p.type === 'matype') {
        out[p.name] = control.value;
        continue;
      }
      const number = Number(control.value);
      const good = control.value.trim() !== '' && valid(p, number);
      control.setAttribute('aria-invalid', String(!good));
      ok &&= good;
      out[p.name] = number;
    }
    return ok ? out : null;
  }
  return { node, controls, read };
}
