// The portfolio being built, shared by the portfolio and simulation views.

let current = { name: '', assets: [], start: '', end: '', valid: false };
const listeners = new Set();

/** The current portfolio: `{name, assets: [{source, symbol, weight}], start, end, valid}`. */
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
