// Live: a ticker of prices pushed over /ws/data. The socket is opened when the view is first
// shown, reconnects with growing delays when it drops, and says plainly when it is offline.

import { loadCommodities } from '../catalog.js';
import { el, replace, formatNumber } from '../dom.js';

/** Delays before the next reconnection attempt, growing, then staying at the last. */
const BACKOFF_MS = [1000, 2000, 5000, 10000, 20000, 30000];
/** Without any message (heartbeats included) for this long, the connection is presumed dead. */
const SILENCE_MS = 45000;

/** Builds the view into `section`; returns `{show}` to start the connection. */
export function mount(section) {
  const state = el('span', { class: 'connection offline', 'data-state': 'offline', text: 'Offline' });
  const detail = el('span', { class: 'muted' });
  const retryButton = el('button', { type: 'button', class: 'ghost', text: 'Retry now', hidden: true });
  const ticker = el('div', { class: 'ticker', role: 'list', 'aria-label': 'Latest prices' });
  const empty = el('p', { class: 'muted', text: 'No live prices yet. They appear here as the server publishes them.' });
  const log = el('ol', { class: 'event-log', 'aria-label': 'Portfolio updates' });

  replace(
    section,
    el('h2', { text: 'Live prices' }),
    el('div', { class: 'card connection-bar', role: 'status', 'aria-live': 'polite' }, el('span', { text: 'Connection: ' }), state, detail, retryButton),
    el('div', { class: 'card' }, ticker, empty),
    el('section', { class: 'card', 'aria-label': 'Portfolio updates' }, el('h3', { text: 'Portfolio updates' }), log),
  );

  const cards = new Map();
  let socket = null;
  let attempt = 0;
  let retryTimer = null;
  let silenceTimer = null;
  let symbols = [];
  let started = false;

  function setState(name, text, extra = '') {
    state.className = `connection ${name}`;
    state.dataset.state = name;
    state.textContent = text;
    detail.textContent = extra;
    retryButton.hidden = name !== 'offline';
  }

  function url() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${location.host}/ws/data`;
  }

  function connect() {
    clearTimeout(retryTimer);
    setState('connecting', 'Connecting…');
    try {
      socket = new WebSocket(url());
    } catch (error) {
      scheduleRetry(error?.message);
      return;
    }
    socket.addEventListener('open', () => {
      attempt = 0;
      setState('live', 'Live', symbols.length ? `subscribed to ${symbols.length} symbols` : '');
      if (symbols.length) socket.send(JSON.stringify({ action: 'subscribe', symbols }));
      watchSilence();
    });
    socket.addEventListener('message', (event) => {
      watchSilence();
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message?.type === 'price_update') showPrice(message);
      else if (message?.type === 'portfolio_update') showPortfolio(message);
    });
    // A failed connection fires 'error' then 'close': the retry is scheduled on 'close' only.
    socket.addEventListener('close', () => {
      clearTimeout(silenceTimer);
      socket = null;
      scheduleRetry();
    });
  }

  function scheduleRetry(reason) {
    const delay = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)];
    attempt += 1;
    // A little jitter so that many dashboards do not reconnect in step after a restart.
    const wait = Math.round(delay * (0.8 + Math.random() * 0.4));
    setState('offline', 'Offline', `${reason ? `${reason} · ` : ''}retrying in ${Math.ceil(wait / 1000)} s`);
    retryTimer = setTimeout(connect, wait);
  }

  function watchSilence() {
    clearTimeout(silenceTimer);
    silenceTimer = setTimeout(() => socket?.close(), SILENCE_MS);
  }

  function showPrice(message) {
    const key = `${message.source}/${message.symbol}`;
    let card = cards.get(key);
    if (!card) {
      card = {
        node: el('div', { class: 'tick', role: 'listitem' }),
        symbol: el('span', { class: 'tick-symbol' }),
        source: el('span', { class: 'tick-source' }),
        price: el('span', { class: 'tick-price' }),
        change: el('span', { class: 'tick-change' }),
        time: el('span', { class: 'tick-time' }),
      };
      card.node.append(card.symbol, card.source, card.price, card.change, card.time);
      cards.set(key, card);
      ticker.append(card.node);
      empty.hidden = true;
    }
    const change = Number(message.change);
    const direction = change > 0 ? 'up' : change < 0 ? 'down' : 'flat';
    card.symbol.textContent = String(message.symbol);
    card.source.textContent = String(message.source);
    card.price.textContent = formatNumber(Number(message.price));
    card.change.textContent = `${change > 0 ? '▲' : change < 0 ? '▼' : '■'} ${formatNumber(change)} (${formatNumber(Number(message.change_pct))} %)`;
    card.change.className = `tick-change ${direction}`;
    card.time.textContent = message.ts ? new Date(message.ts).toLocaleTimeString() : '';
    card.node.classList.remove('flash');
    // Reading offsetWidth restarts the flash animation.
    void card.node.offsetWidth;
    card.node.classList.add('flash');
  }

  function showPortfolio(message) {
    const item = el('li', {}, el('span', { class: 'muted', text: new Date().toLocaleTimeString() }), ` portfolio ${message.portfolio_id}: metrics updated`);
    log.prepend(item);
    while (log.children.length > 20) log.lastChild.remove();
  }

  retryButton.addEventListener('click', () => {
    attempt = 0;
    connect();
  });

  return {
    async show() {
      if (started) return;
      started = true;
      try {
        const catalog = await loadCommodities('');
        symbols = catalog.categories.flatMap((group) => group.commodities.map((c) => c.symbol));
      } catch {
        symbols = [];
      }
      connect();
    },
  };
}
