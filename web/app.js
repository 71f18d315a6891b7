// The dashboard's entry point: mounts every view once and switches between them with the
// address's #fragment, so that each view has a link and the back button works.

import { resizeWithin } from './charts.js';
import * as prices from './views/prices.js';
import * as portfolio from './views/portfolio.js';
import * as simulation from './views/simulation.js';
import * as report from './views/report.js';
import * as backtest from './views/backtest.js';
import * as live from './views/live.js';
import * as sources from './views/sources.js';

const VIEWS = {
  prices,
  portfolio,
  simulation,
  report,
  backtest,
  live,
  sources,
};

const mounted = {};
for (const [name, view] of Object.entries(VIEWS)) {
  const section = document.getElementById(`view-${name}`);
  try {
    mounted[name] = view.mount(section) || {};
  } catch (error) {
    section.textContent = `This view failed to start: ${error.message}`;
    mounted[name] = {};
  }
}

function show(name) {
  const current = VIEWS[name] ? name : 'prices';
  for (const key of Object.keys(VIEWS)) {
    const section = document.getElementById(`view-${key}`);
    section.hidden = key !== current;
    const link = document.querySelector(`nav a[href="#${key}"]`);
    if (key === current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  mounted[current].show?.();
  // Charts drawn while their view was hidden have no width yet.
  resizeWithin(document.getElementById(`view-${current}`));
  document.body.dataset.view = current;
  return current;
}

window.addEventListener('hashchange', () => {
  const name = show(location.hash.slice(1));
  // Move focus to the view's heading so that keyboard and screen-reader users land in it.
  const heading = document.getElementById(`view-${name}`).querySelector('h2');
  if (heading) {
    heading.tabIndex = -1;
    heading.focus();
  }
});
show(location.hash.slice(1));
document.body.dataset.ready = 'true';
