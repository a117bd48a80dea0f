import { isPlainObject } from '../value-order';

/**
 * Dotted paths (tags.env, items.0.name) in the three ways MongoDB reads them: as a query
 * does (reaching into arrays of objects), as an aggregation expression does, and as an
 * update writes them.
 */

const splitCache = new Map<string, string[]>();

export function splitPath(path: string): string[] {
  let parts = splitCache.get(path);
  if (!parts) {
    if (typeof path !== 'string' || path === '') throw new TypeError('a field path must be a non-empty string');
    parts = path.split('.');
    if (parts.some((p) => p === '')) throw new TypeError(`invalid field path ${path}`);
    if (splitCache.size > 10_000) splitCache.clear();
    splitCache.set(path, parts);
  }
  return parts;
}

const isIndex = (part: string) => /^(0|[1-9]\d*)$/.test(part);

/**
 * The values a query sees at a path: one per branch, undefined where a branch lacks the
 * field. Arrays of objects are searched element by element, and a numeric part also
 * addresses an array position, as in MongoDB queries.
 */
export function queryValues(doc: unknown, parts: string[]): unknown[] {
  const out: unknown[] = [];
  collect(doc, parts, 0, out);
  return out;
}

function collect(value: unknown, parts: string[], i: number, out: unknown[]): void {
  if (i === parts.length) {
    out.push(value);
    return;
  }
  const part = parts[i];
  if (Array.isArray(value)) {
    if (isIndex(part) && Number(part) < value.length) collect(value[Number(part)], parts, i + 1, out);
    for (const el of value) if (isPlainObject(el)) collect(el, parts, i, out);
    return;
  }
  if (isPlainObject(value) && Object.hasOwn(value, part)) collect(value[part], parts, i + 1, out);
  else out.push(undefined);
}

/**
 * The value an aggregation expression ($a.b) gives: through an array it gives the array of
 * each element's value; undefined when missing.
 */
export function expressionValue(value: unknown, parts: string[], i = 0): unknown {
  if (i === parts.length) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const el of value) {
      if (isPlainObject(el) || Array.isArray(el)) {
        const v = expressionValue(el, parts, i);
        if (v !== undefined) out.push(v);
      }
    }
    return out;
  }
  if (isPlainObject(value) && Object.hasOwn(value, parts[i])) return expressionValue(value[parts[i]], parts, i + 1);
  return undefined;
}

/** The value an update sees at a path (no searching through arrays); undefined when missing. */
export function getAt(doc: Record<string, unknown>, parts: string[]): unknown {
  let cur: unknown = doc;
  for (const part of parts) {
    if (Array.isArray(cur) && isIndex(part)) cur = cur[Number(part)];
    else if (isPlainObject(cur) && Object.hasOwn(cur, part)) cur = cur[part];
    else return undefined;
  }
  return cur;
}

/** Sets a value, creating missing objects on the way; refuses to reach through a scalar. */
export function setAt(doc: Record<string, unknown>, parts: string[], value: unknown): void {
  let cur: unknown = doc;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const last = i === parts.length - 1;
    if (Array.isArray(cur)) {
      if (!isIndex(part)) throw new TypeError(`cannot create field '${part}' in an array (${parts.join('.')})`);
      const at = Number(part);
      while (cur.length < at) cur.push(null);
      if (last) cur[at] = value;
      else {
        if (cur[at] === undefined) cur[at] = {};
        cur = cur[at];
      }
    } else if (isPlainObject(cur)) {
      if (last) cur[part] = value;
      else {
        if (!Object.hasOwn(cur, part)) cur[part] = {};
        cur = cur[part];
      }
    } else {
      throw new TypeError(`cannot create field '${part}' in a non-object value (${parts.join('.')})`);
    }
  }
}

/** Removes a field (an array item becomes null, as MongoDB's $unset does); missing is fine. */
export function unsetAt(doc: Record<string, unknown>, parts: string[]): void {
  let cur: unknown = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i];
    if (Array.isArray(cur) && isIndex(part)) cur = cur[Number(part)];
    else if (isPlainObject(cur) && Object.hasOwn(cur, part)) cur = cur[part];
    else return;
  }
  const last = parts[parts.length - 1];
  if (Array.isArray(cur)) {
    if (isIndex(last) && Number(last) < cur.length) cur[Number(last)] = null;
  } else if (isPlainObject(cur)) {
    delete cur[last];
  }
}
