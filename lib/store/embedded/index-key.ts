/**
 * Encodes a value as a string key so that two values get the same key exactly when MongoDB
 * would consider them equal (1 and 1.0 alike, dates by instant, objects with field order).
 */
export function encodeKey(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return `s${v}`;
    case 'number':
      return Object.is(v, -0) ? 'n0' : `n${v}`;
    case 'boolean':
      return v ? 'b1' : 'b0';
    case 'undefined':
      return 'z';
    default:
      if (v === null) return 'z';
      if (v instanceof Date) return `d${v.getTime()}`;
      if (Array.isArray(v)) return `a${JSON.stringify(v.map(encodeKey))}`;
      return `o${JSON.stringify(Object.entries(v as object).map(([k, x]) => [k, encodeKey(x)]))}`;
  }
}

/** The key of an empty array in an index (MongoDB indexes it apart from null). */
export const EMPTY_ARRAY_KEY = 'u';
