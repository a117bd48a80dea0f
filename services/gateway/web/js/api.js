// The gateway's HTTP/JSON API on this origin: POST /<area>/<resource>/<verb>, JSON both ways.
const KEY = 'tally.apiKey';

export const session = {
  key: () => sessionStorage.getItem(KEY),
  signIn: (key) => sessionStorage.setItem(KEY, key),
  signOut: () => sessionStorage.removeItem(KEY),
};

/** An error the API answered: {code, message, details: {reason, field}} and the HTTP status. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.code || 'UNKNOWN';
    this.reason = body?.details?.reason || '';
    this.field = body?.details?.field || '';
  }
}

const listeners = new Set();
/** Called with every UNAUTHENTICATED answer (the key was revoked or mistyped). */
export const onUnauthenticated = (fn) => listeners.add(fn);

export async function call(path, body = {}, key = session.key()) {
  let res;
  try {
    res = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, { code: 'UNAVAILABLE', message: 'The gateway cannot be reached. Check your connection and try again.' });
  }
  const text = await res.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    parsed = { code: 'UNKNOWN', message: `Unexpected answer (HTTP ${res.status})` };
  }
  if (!res.ok) {
    const err = new ApiError(res.status, parsed);
    if (err.code === 'UNAUTHENTICATED' && key && key === session.key()) listeners.forEach((fn) => fn(err));
    throw err;
  }
  return parsed;
}

/** Every page of a List (the API pages at its own limit). */
export async function listAll(path, query = {}) {
  const out = [];
  for (let start = 1; ; ) {
    const res = await call(path, { query: { ...query, page: { start, limit: 500 } } });
    out.push(...(res.results || []));
    if (!res.results?.length || out.length >= (res.total_count ?? 0)) return out;
    start += res.results.length;
  }
}
