// Every call to the REST API goes through here: a timeout, the bearer token when the user gave
// one, and errors turned into ApiError with the server's message and correlation id.

import { el, replace } from './dom.js';

const TOKEN_KEY = 'commodex.apiToken';
const DEFAULT_TIMEOUT_MS = 20000;

/** An API call that failed: the server's sentence, its `type` and the correlation id. */
export class ApiError extends Error {
  constructor({ message, type, status, correlationId, details }) {
    super(message);
    this.name = 'ApiError';
    this.type = type;
    this.status = status;
    this.correlationId = correlationId;
    this.details = details;
  }
}

/** The bearer token for writes, kept for this browser tab only. */
export const token = {
  get() {
    try {
      return sessionStorage.getItem(TOKEN_KEY) || '';
    } catch {
      return '';
    }
  },
  set(value) {
    try {
      if (value) sessionStorage.setItem(TOKEN_KEY, value);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      // Storage may be disabled; the token then lasts until the page is left.
    }
  },
};

/** `/api/v1` + path, with query parameters (arrays repeat the key). */
export function apiUrl(path, query = {}) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    for (const item of [value].flat()) params.append(key, String(item));
  }
  const text = params.toString();
  return `/api/v1${path}${text ? `?${text}` : ''}`;
}

/**
 * Calls the API and resolves to the JSON answer. Rejects with ApiError (also on timeout and
 * network failure), or with the AbortError of `signal` when the caller cancelled.
 */
export async function api(path, { method = 'GET', query, body, signal, timeoutMs } = {}) {
  const limit = timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, limit);
  const cancel = () => controller.abort();
  signal?.addEventListener('abort', cancel, { once: true });
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const bearer = token.get();
  if (bearer && method !== 'GET') headers.Authorization = `Bearer ${bearer}`;
  try {
    let response;
    try {
      response = await fetch(apiUrl(path, query), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
        cache: 'no-store',
      });
    } catch (error) {
      if (timedOut) {
        throw new ApiError({
          message: `The server did not answer within ${Math.round(limit / 1000)} s.`,
          type: 'timeout',
        });
      }
      if (signal?.aborted) throw error;
      throw new ApiError({
        message: 'Cannot reach the Commodex server. Is it running?',
        type: 'network',
      });
    }
    const correlationId = response.headers.get('x-request-id') || undefined;
    if (response.status === 204) return null;
    let data = null;
    const text = await response.text();
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (!response.ok) {
      throw new ApiError({
        message: data?.error || `The server answered ${response.status}.`,
        type: data?.type || 'http',
        status: response.status,
        correlationId: data?.correlation_id || correlationId,
        details: data?.details,
      });
    }
    return data;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', cancel);
  }
}

/** Whether `error` is a cancellation by the caller (to be ignored, not shown). */
export function isAbort(error) {
  return error?.name === 'AbortError';
}

/** A message box for an error: its sentence, and the correlation id to quote in a report. */
export function errorBox(error) {
  const box = el('div', { class: 'message error', role: 'alert' });
  box.append(el('strong', { text: 'Error: ' }), el('span', { text: error?.message || String(error) }));
  if (error?.correlationId) {
    box.append(
      el('span', { class: 'correlation', text: ' · correlation id ' }),
      el('code', { class: 'correlation-id', text: error.correlationId }),
    );
  }
  return box;
}

/**
 * Runs `task` with a loading state on `region` (a live status element): "Loading…" while it
 * runs, the error box if it fails, empty when it succeeds. `onError(error, region)` may render
 * a failure itself (and return true). Resolves to the task's value, or `undefined` when it
 * failed or was cancelled.
 */
export async function withLoading(region, task, { label = 'Loading…', onError } = {}) {
  region.setAttribute('aria-busy', 'true');
  replace(
    region,
    el('span', { class: 'loading' }, el('span', { class: 'spinner', 'aria-hidden': 'true' }), label),
  );
  try {
    const value = await task();
    replace(region);
    return value;
  } catch (error) {
    replace(region);
    if (isAbort(error)) return undefined;
    if (!(onError && onError(error, region))) region.append(errorBox(error));
    return undefined;
  } finally {
    region.removeAttribute('aria-busy');
  }
}
