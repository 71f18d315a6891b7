// Backtest: entry and exit rules traded over one stored series (POST /backtest) — a source,
// then an asset, a date range, the rules with an indicator helper, the execution settings and,
// optionally, a parameter grid to sweep. One backtest draws its equity, drawdown, trades and
// statistics (backtest-results.js); a sweep its scores and best combinations
// (backtest-sweep.js).

import { api, withLoading } from '../api.js';
import { loadSources, loadCommodities, assetGroups, sourceOptions } from '../catalog.js';
import { resizeWithin } from '../charts.js';
import { el, field, select, fillSelect, replace, uid } from '../dom.js';
import { rangePicker } from '../range.js';
import { ruleEditor } from './backtest-rules.js';
import { singleResult } from './backtest-results.js';
import { sweepResult, RANK_BY } from './backtest-sweep.js';

/** Builds the view into `section`. */
export function mount(section) {
  const sourceSelect = select([], { name: 'backtest-source' });
  const assetSelect = select([], { name: 'backtest-symbol' });
  const range = rangePicker(() => {}, '5Y');
  const status = el('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const rules = ruleEditor();
  const fees = el('input', { type: 'number', name: 'fees', min: 0, max: 10, step: 0.01, value: 0.1, class: 'narrow' });
  const slippage = el('input', { type: 'number', name: 'slippage', min: 0, max: 10, step: 0.01, value: 0, class: 'narrow' });
  const initCash = el('input', { type: 'number', name: 'init-cash', min: 1, step: 1000, value: 10000, class: 'narrow' });
  const direction = select(
    [
      ['long', 'Long'],
      ['short', 'Short'],
      ['both', 'Both'],
    ],
    { name: 'direction' },
  );
  const trainUntil = el('input', { type: 'date', name: 'train-until' });
  const grid = el('textarea', { name: 'grid', rows: 3, class: 'grid-lines', spellcheck: 'false', placeholder: 'p=5..30\nlo=20..40' });
  const rankBy = select(
    RANK_BY.map(([key, label]) => [key, label]),
    { name: 'rank-by' },
  );
  const top = el('input', { type: 'number', name: 'top', min: 1, max: 100, step: 1, value: 10, class: 'narrow' });
  const runButton = el('button', { type: 'submit', class: 'primary', text: 'Run backtest', 'data-action': 'backtest' });
  const formError = el('p', { class: 'field-error', 'aria-live': 'polite' });
  const single = singleResult(card);
  const sweep = sweepResult(card, (entry, exit) => {
    rules.entry.value = entry;
    rules.exit.value = exit;
    grid.value = '';
    rules.entry.focus();
  });

  replace(
    section,
    el('h2', { text: 'Backtest' }),
    el(
      'form',
      { class: 'card backtest-form', 'aria-label': 'Backtest settings', novalidate: true, onsubmit: (event) => { event.preventDefault(); run(); } },
      el('div', { class: 'toolbar' }, field('Source', sourceSelect), field('Asset', assetSelect), range.node),
      rules.node,
      el(
        'div',
        { class: 'toolbar' },
        field('Fees (% per side)', fees),
        field('Slippage (%)', slippage),
        field('Initial cash', initCash),
        field('Direction', direction),
        field('Train until (optional)', trainUntil, 'Statistics after it are also reported on their own.'),
      ),
      el(
        'fieldset',
        { class: 'sweep-settings' },
        el('legend', { text: 'Parameter sweep (optional)' }),
        el(
          'div',
          { class: 'toolbar' },
          field('Grid: one name=lo..hi a line', grid, 'Also lo..hi:step or v1,v2,v3. Use {name} in the rules, e.g. rsi({p}) < {lo}.'),
          field('Rank by', rankBy),
          field('Best to show', top),
        ),
      ),
      el('div', { class: 'toolbar' }, runButton),
      formError,
      status,
    ),
    single.node,
    sweep.node,
  );

  /** A titled card around `body`. */
  function card(title, ...body) {
    const heading = el('h3', { id: uid('backtest'), text: title });
    return el('section', { class: 'card', 'aria-labelledby': heading.id }, heading, body);
  }

  /** A number field within bounds: `{value}` or `{problem}`; `scale` converts % to a fraction. */
  function readNumber(input, label, min, max, scale = 1) {
    const value = Number(input.value);
    const valid = input.value.trim() !== '' && Number.isFinite(value) && value >= min && value <= max;
    input.setAttribute('aria-invalid', String(!valid));
    return valid ? { value: value * scale } : { problem: `${label} must be a number from ${min} to ${max}.` };
  }

  /** The grid's non-empty lines; the server checks them and names a bad one. */
  function readGrid() {
    return { value: grid.value.split('\n').map((line) => line.trim()).filter(Boolean) };
  }

  /** The request body from the form, or `{problem}` for the first bad field. */
  function readForm() {
    const checks = {
      fees: readNumber(fees, 'Fees', 0, 10, 0.01),
      slippage: readNumber(slippage, 'Slippage', 0, 10, 0.01),
      initCash: readNumber(initCash, 'Initial cash', 1, 1e12),
      top: readNumber(top, 'Best to show', 1, 100),
      grid: readGrid(),
    };
    const problem = Object.values(checks).find((check) => check.problem);
    if (problem) return problem;
    if (!rules.entry.value.trim() || !rules.exit.value.trim()) return { problem: 'Give both an entry and an exit rule.' };
    if (!assetSelect.value) return { problem: 'Choose an asset first.' };
    const { start, end } = range.value();
    const sweeping = checks.grid.value.length > 0;
    // Rank-by and top mean something only to a sweep: they are sent only with a grid.
    return {
      body: {
        source: sourceSelect.value,
        symbol: assetSelect.value,
        start: start || undefined,
        end: end || undefined,
        entry: rules.entry.value.trim(),
        exit: rules.exit.value.trim(),
        fees: checks.fees.value,
        slippage: checks.slippage.value,
        init_cash: checks.initCash.value,
        direction: direction.value,
        train_until: trainUntil.value || undefined,
        grid: sweeping ? checks.grid.value : undefined,
        rank_by: sweeping ? rankBy.value : undefined,
        top: sweeping ? Math.round(checks.top.value) : undefined,
      },
    };
  }

  /** Runs the backtest (and, for one backtest, loads the prices to mark the trades on). */
  async function run() {
    const form = readForm();
    formError.textContent = form.problem || '';
    if (form.problem) return;
    const { body } = form;
    const sweeping = Boolean(body.grid);
    const title = `${body.symbol} (${body.source})`;
    const answer = await withLoading(
      status,
      () =>
        Promise.all([
          api('/backtest', { method: 'POST', body, timeoutMs: 120000 }),
          sweeping ? null : api('/prices', { query: { source: body.source, symbol: body.symbol, start: body.start, end: body.end } }),
        ]),
      { label: sweeping ? 'Sweeping the grid…' : 'Backtesting…' },
    );
    if (!answer) return;
    const [result, prices] = answer;
    single.node.hidden = sweeping;
    sweep.node.hidden = !sweeping;
    if (sweeping) sweep.show(result, body.rank_by);
    else single.show(result, prices?.data || [], title);
    // The other result's charts may have been drawn at another window width while hidden.
    resizeWithin(sweeping ? sweep.node : single.node);
  }

  /** Fills the asset list with the chosen source's catalog. */
  async function loadAssets() {
    const catalog = await withLoading(status, () => loadCommodities(sourceSelect.value), { label: 'Loading assets…' });
    if (catalog) fillSelect(assetSelect, assetGroups(catalog));
  }

  sourceSelect.addEventListener('change', loadAssets);
  (async () => {
    const answer = await withLoading(status, () => loadSources(), { label: 'Loading sources…' });
    if (!answer) return;
    const sources = sourceOptions(answer);
    fillSelect(sourceSelect, sources);
    if (sources.some(([id]) => id === 'demo')) sourceSelect.value = 'demo';
    await loadAssets();
    await rules.load();
  })();
}
