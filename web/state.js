// The portfolio being built, shared by the portfolio, simulation and report views.

let current = { name: '', assets: [], start: '', end: '', valid: false, id: null };
const listeners = new Set();

/**
 * The current portfolio: `{name, assets: [{source, symbol, weight}], start, end, valid, id}`;
 * `id` is the saved portfolio's while the assets and weights are still the saved ones, else null.
 */
export function currentPortfolio() {
  return current;
}

/** Replaces the current portfolio and tells the listeners. */
export function setPortfolio(portfolio) {
  current = portfolio;
  for (const listener of listeners) listener(current);
}

/** Calls `listener(portfolio)` on every change. */
export function onPortfolioChange(listener) {
  listeners.add(listener);
}
