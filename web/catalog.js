// The sources and the catalog, fetched once per page and shared by the views.

import { api } from './api.js';

let sourcesPromise = null;
const commodityPromises = new Map();

/** `GET /sources` (cached; `refresh` fetches again). */
export function loadSources(refresh = false) {
  if (refresh || !sourcesPromise) {
    sourcesPromise = api('/sources').catch((error) => {
      sourcesPromise = null;
      throw error;
    });
  }
  return sourcesPromise;
}

/** `GET /commodities?source=` (cached per source). */
export function loadCommodities(source) {
  const key = source || '';
  if (!commodityPromises.has(key)) {
    commodityPromises.set(
      key,
      api('/commodities', { query: { source: key || undefined } }).catch((error) => {
        commodityPromises.delete(key);
        throw error;
      }),
    );
  }
  return commodityPromises.get(key);
}

/** The catalog answer as `<select>` groups: one per category, `[symbol, "SYMBOL — name"]`. */
export function assetGroups(catalog) {
  return (catalog?.categories || []).map((group) => ({
    label: group.label || group.category,
    options: (group.commodities || []).map((commodity) => [
      commodity.symbol,
      commodity.name ? `${commodity.symbol} — ${commodity.name}` : commodity.symbol,
    ]),
  }));
}

/** Enabled sources as `[id, label]` pairs, saying which are simulated or lack a key. */
export function sourceOptions(sources) {
  return (sources?.sources || [])
    .filter((source) => source.enabled)
    .map((source) => {
      const note = source.simulated ? ' (simulated)' : source.configured ? '' : ' (no API key)';
      return [source.id, `${source.id}${note}`];
    });
}
