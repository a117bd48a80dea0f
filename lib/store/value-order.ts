/**
 * How stored values compare, in MongoDB's order: first by type (null and missing, numbers,
 * strings, objects, arrays, booleans, dates), then by value. Strings compare by code point,
 * which is the byte order of their UTF-8 form, as MongoDB's simple collation does.
 */

/** A plain object: not an array, Date, RegExp, typed array or other class instance. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** MongoDB's canonical type rank of a value; missing (undefined) ranks with null. */
export function typeRank(v: unknown): number {
  if (v === undefined || v === null) return 1;
  switch (typeof v) {
    case 'number':
      return 2;
    case 'string':
      return 3;
    case 'boolean':
      return 8;
    default:
      if (Array.isArray(v)) return 5;
      if (v instanceof Date) return 9;
      if (v instanceof RegExp) return 11;
      return 4;
  }
}

/** Orders strings by code point (UTF-16 code unit order differs above the surrogates). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
}

function compareNumbers(a: number, b: number): number {
  if (a === b) return 0;
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
  if (Number.isNaN(b)) return 1;
  return a < b ? -1 : 1;
}

/** Total order over stored values (negative, zero or positive). */
export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 1:
      return 0;
    case 2:
      return compareNumbers(a as number, b as number);
    case 3:
      return compareStrings(a as string, b as string);
    case 8:
      return a === b ? 0 : a ? 1 : -1;
    case 9:
      return compareNumbers((a as Date).getTime(), (b as Date).getTime());
    case 5: {
      const x = a as unknown[];
      const y = b as unknown[];
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compareValues(x[i], y[i]);
        if (c !== 0) return c;
      }
      return compareNumbers(x.length, y.length);
    }
    case 11:
      return compareStrings(String(a), String(b));
    default: {
      const x = Object.entries(a as object);
      const y = Object.entries(b as object);
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const [kx, vx] = x[i];
        const [ky, vy] = y[i];
        const rx = typeRank(vx);
        const ry = typeRank(vy);
        if (rx !== ry) return rx < ry ? -1 : 1;
        const k = compareStrings(kx, ky);
        if (k !== 0) return k;
        const c = compareValues(vx, vy);
        if (c !== 0) return c;
      }
      return compareNumbers(x.length, y.length);
    }
  }
}

/** Equality as MongoDB matches it: same type and value; objects also need the same field order. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const t = typeof a;
  if (t !== 'object' || typeof b !== 'object') {
    return t === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b);
  }
  return compareValues(a, b) === 0;
}
