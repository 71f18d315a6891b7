// Sources: every data source with its state (ready, needs a key, disabled), limits, and the
// quota left when the server reports it.

import { withLoading } from '../api.js';
import { loadSources } from '../catalog.js';
import { el, replace } from '../dom.js';

// `health` is what GET /api/v1/sources reports of each source: healthy, last_success,
// last_error, requests_today, quota_left.
function health(source) {
  if (!source.enabled) return ['off', 'Disabled'];
  if (!source.configured) return ['warn', 'Needs an API key'];
  if (source.health && source.health.healthy === false) return ['down', 'Failing'];
  return ['ok', 'Ready'];
}

function quotaLeft(source) {
  const left = source.health?.quota_left;
  if (left !== undefined && left !== null) return source.daily_quota ? `${left} of ${source.daily_quota}` : String(left);
  return source.daily_quota ? `${source.daily_quota} a day` : 'unlimited';
}

function lastCall(source) {
  const h = source.health || {};
  if (h.last_error) return `error: ${h.last_error}`;
  if (h.last_success) return `ok at ${h.last_success}`;
  return '—';
}

/** Builds the view into `section`; returns `{show}` to refresh it. */
export function mount(section) {
  const status = el('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const refresh = el('button', { type: 'button', text: 'Refresh', 'data-action': 'refresh-sources' });
  const body = el('tbody');
  const table = el(
    'table',
    { class: 'sources-table' },
    el('caption', { text: 'Sources in fallback order' }),
    el('thead', {}, el('tr', {}, ['Source', 'State', 'Prices', 'Rate limit', 'Daily quota left', 'Requests today', 'Last call', 'Timeout', 'Retries'].map((h) => el('th', { scope: 'col', text: h })))),
    body,
  );
  replace(section, el('div', { class: 'panel-head' }, el('h2', { text: 'Sources' }), refresh), status, el('div', { class: 'card table-wrap' }, table));

  async function load(force) {
    const answer = await withLoading(status, () => loadSources(force), { label: 'Loading sources…' });
    if (!answer) return;
    replace(
      body,
      (answer.sources || []).map((source) => {
        const [tone, text] = health(source);
        const limit = source.rate_limit ? `${source.rate_limit.requests} per ${source.rate_limit.per_secs} s` : 'none';
        return el(
          'tr',
          { 'data-source': source.id },
          el('th', { scope: 'row', text: source.id }),
          el('td', {}, el('span', { class: `badge ${tone}`, text })),
          el('td', { text: source.simulated ? 'simulated' : 'market data' }),
          el('td', { text: limit }),
          el('td', { text: quotaLeft(source) }),
          el('td', { text: String(source.health?.requests_today ?? '—') }),
          el('td', { text: lastCall(source) }),
          el('td', { text: source.timeout_secs ? `${source.timeout_secs} s` : '—' }),
          el('td', { text: source.max_retries ?? '—' }),
        );
      }),
    );
  }

  refresh.addEventListener('click', () => load(true));
  let loaded = false;
  return {
    show() {
      load(loaded);
      loaded = true;
    },
  };
}
